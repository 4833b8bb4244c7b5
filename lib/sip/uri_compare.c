/*
 * lib/sip/uri_compare.c: URI comparison (RFC 3261 §19.1.4, RFC 5954 §4,
 * RFC 3966 §4), unescaping, and parameter and header look-up.
 *
 * Owns: nothing.
 * Thread: pure; any thread.
 * Called by: the transaction and dialog layers (Request-URI, Route and
 * Contact matching), registration bindings, and applications.
 *
 * The functions read URIs that sl_uri_parse() accepted, but they never
 * trust that: a '%' without two hex digits compares as a plain '%', and
 * every loop is bounded by the slices' lengths. Nothing is copied; escapes
 * are decoded on the fly while two slices are walked side by side.
 */
#include <string.h>

#include "scan.h"
#include "sipline/error.h"
#include "sipline/uri.h"

/* A comparison unit: a byte, with ESCAPED_RESERVED set when it was written
 * as "%" HEX HEX and is one of the reserved characters. */
enum { ESCAPED_RESERVED = 0x100 };

/*
 * Reads one unit from *pp. RFC 3261 §19.1.4: "Characters other than those
 * in the reserved set are equivalent to their "%" HEX HEX encoding", so
 * "%61" reads as 'a' while "%3B" stays distinct from ';'.
 */
static unsigned next_unit(const char **pp, const char *end)
{
	const char *p = *pp;
	unsigned c = (unsigned char)*p;

	if (c == '%' && end - p >= 3) {
		int hi = sl__hexval((unsigned char)p[1]);
		int lo = sl__hexval((unsigned char)p[2]);

		if (hi >= 0 && lo >= 0) {
			c = (unsigned)(hi << 4 | lo);
			*pp = p + 3;
			return sl__ch((unsigned char)c, SL_CH_RESERVED) ?
				ESCAPED_RESERVED | c : c;
		}
	}
	*pp = p + 1;
	return c;
}

/* The end of @s; an empty slice may have p == NULL, and NULL + 0 is not
 * defined C. */
static const char *end_of(struct sl_slice s)
{
	return s.len ? s.p + s.len : s.p;
}

static unsigned lower_unit(unsigned u)
{
	return u & ESCAPED_RESERVED ? u : sl__lower((unsigned char)u);
}

/* 1 when @a and @b are the same text once escapes are decoded; letters
 * compared ASCII case-insensitively when @icase. */
static int text_eq(struct sl_slice a, struct sl_slice b, int icase)
{
	const char *p = a.p, *pe = end_of(a);
	const char *q = b.p, *qe = end_of(b);

	if (a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0))
		return 1;
	while (p < pe && q < qe) {
		unsigned x = (unsigned char)*p, y = (unsigned char)*q;

		if (x != '%' && y != '%') {
			/* the common case: two plain bytes */
			p++;
			q++;
		} else {
			x = next_unit(&p, pe);
			y = next_unit(&q, qe);
		}
		if (x != y && (!icase || lower_unit(x) != lower_unit(y)))
			return 0;
	}
	return p == pe && q == qe;
}

/* 1 when @s, decoded, equals @lit ASCII case-insensitively. */
static int name_is(struct sl_slice s, const char *lit)
{
	struct sl_slice l = { lit, strlen(lit) };

	return text_eq(s, l, 1);
}

/* ---- parameter and header lists ---- */

/*
 * Takes the next "name[=value]" element of a list separated by @sep from
 * *@cur. Returns 1 taken, 0 at the end.
 */
static int next_pair(struct sl_slice *cur, char sep, struct sl_slice *name,
		     struct sl_slice *value)
{
	const char *p = cur->p, *end, *e, *eq;

	if (cur->len == 0)
		return 0;
	end = p + cur->len;
	e = memchr(p, sep, cur->len);
	if (!e)
		e = end;
	eq = memchr(p, '=', (size_t)(e - p));
	if (eq) {
		*name = sl__slice(p, eq);
		*value = sl__slice(eq + 1, e);
	} else {
		*name = sl__slice(p, e);
		*value = sl__slice(e, e);
	}
	*cur = e < end ? sl__slice(e + 1, end) : sl__slice(end, end);
	return 1;
}

static int find_pair(struct sl_slice list, char sep, const char *lit,
		     struct sl_slice *value)
{
	struct sl_slice n, v;

	while (next_pair(&list, sep, &n, &v))
		if (name_is(n, lit)) {
			if (value)
				*value = v;
			return 1;
		}
	return 0;
}

int sl_uri_param(const struct sl_uri *uri, const char *name,
		 struct sl_slice *value)
{
	if (!uri || !name)
		return 0;
	return find_pair(uri->params, ';', name, value);
}

int sl_uri_header(const struct sl_uri *uri, const char *name,
		  struct sl_slice *value)
{
	if (!uri || !name)
		return 0;
	return find_pair(uri->headers, '&', name, value);
}

int sl_uri_unescape(struct sl_slice in, char *out, size_t cap)
{
	const char *p = in.p, *end;
	size_t n = 0;
	int bad = 0;

	if (!out && cap)
		return SL_EINVAL;
	if (in.len && !in.p)
		return SL_EINVAL;
	end = end_of(in);
	/* One pass: decode while room remains, keep checking escapes after
	 * that so a malformed text reads SL_EPARSE whatever @cap is. */
	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			int hi = end - p >= 3 ? sl__hexval((unsigned char)p[1])
					      : -1;
			int lo = end - p >= 3 ? sl__hexval((unsigned char)p[2])
					      : -1;

			if (hi < 0 || lo < 0) {
				bad = 1;
				break;
			}
			c = (unsigned char)(hi << 4 | lo);
			p += 3;
		} else {
			p++;
		}
		if (n + 1 < cap)
			out[n] = (char)c;
		n++;
	}
	if (bad) {
		if (cap)
			out[0] = '\0';
		return SL_EPARSE;
	}
	if (n + 1 > cap || n > 0x7fffffff) {
		if (cap)
			out[0] = '\0';
		return SL_ENOSPC;
	}
	out[n] = '\0';
	return (int)n;
}

/* ---- host comparison (RFC 5954 §4: IP addresses compare as binary) ---- */

static int ipv4_bin(struct sl_slice s, uint8_t out[4])
{
	const char *p = s.p, *end = end_of(s);

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, n = 0;

		if (part && (p >= end || *p++ != '.'))
			return 0;
		while (p < end && *p >= '0' && *p <= '9' && n < 3) {
			v = v * 10 + (unsigned)(*p++ - '0');
			n++;
		}
		if (n == 0 || v > 255)
			return 0;
		out[part] = (uint8_t)v;
	}
	return p == end;
}

static int ipv6_bin(struct sl_slice s, uint8_t out[16])
{
	const char *p = s.p, *end = end_of(s);
	uint16_t w[8];
	int n = 0, gap = -1;

	if (p < end && *p == ':') {
		if (end - p < 2 || p[1] != ':')
			return 0;
		gap = 0;
		p += 2;
	}
	while (p < end) {
		const char *g = p;
		unsigned v = 0;
		int d = 0, x;

		if (n >= 8)
			return 0;
		while (p < end && d < 4 &&
		       (x = sl__hexval((unsigned char)*p)) >= 0) {
			v = v << 4 | (unsigned)x;
			p++;
			d++;
		}
		if (p < end && *p == '.') {
			uint8_t v4[4];

			if (n > 6 || !ipv4_bin(sl__slice(g, end), v4))
				return 0;
			w[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			w[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			break;
		}
		if (d == 0)
			return 0;
		w[n++] = (uint16_t)v;
		if (p == end)
			break;
		if (*p++ != ':' || p == end)
			return 0;
		if (*p == ':') {
			if (gap >= 0)
				return 0;
			gap = n;
			p++;
		}
	}
	if (gap < 0 ? n != 8 : n > 7)
		return 0;
	memset(out, 0, 16);
	for (int i = 0; i < n; i++) {
		/* groups after the gap go to the end of the address */
		int at = (gap >= 0 && i >= gap) ? 8 - (n - i) : i;

		out[2 * at] = (uint8_t)(w[i] >> 8);
		out[2 * at + 1] = (uint8_t)w[i];
	}
	return 1;
}

static int host_eq(const struct sl_uri *a, const struct sl_uri *b)
{
	if (a->host_type != b->host_type)
		return 0;
	if (a->host_type == SL_HOST_IPV6) {
		uint8_t x[16], y[16];

		if (ipv6_bin(a->host, x) && ipv6_bin(b->host, y))
			return memcmp(x, y, 16) == 0;
	} else if (a->host_type == SL_HOST_IPV4) {
		uint8_t x[4], y[4];

		if (ipv4_bin(a->host, x) && ipv4_bin(b->host, y))
			return memcmp(x, y, 4) == 0;
	}
	return sl_slice_ieq2(a->host, b->host);
}

/* ---- sip and sips ---- */

/* RFC 3261 §19.1.4: these parameters never match when only one side has
 * them (maddr and, as the §19.1.4 examples show, transport too). */
static int sip_param_required(struct sl_slice name)
{
	return name_is(name, "transport") || name_is(name, "user") ||
	       name_is(name, "ttl") || name_is(name, "method") ||
	       name_is(name, "maddr");
}

/*
 * One direction of the parameter rule: every parameter of @a that @b also
 * names must have a match there, and every "required" parameter of @a must
 * exist in @b. A name repeated in @b matches when any of its values does,
 * so the rule stays reflexive and symmetric over both directions.
 */
static int sip_params_sub(struct sl_slice a, struct sl_slice b)
{
	struct sl_slice an, av;

	while (next_pair(&a, ';', &an, &av)) {
		struct sl_slice cur = b, bn, bv;
		int named = 0, matched = 0;

		while (next_pair(&cur, ';', &bn, &bv)) {
			if (!text_eq(an, bn, 1))
				continue;
			named = 1;
			if (text_eq(av, bv, 1)) {
				matched = 1;
				break;
			}
		}
		if (named ? !matched : sip_param_required(an))
			return 0;
	}
	return 1;
}

/* Headers "are never ignored": each header of @a must be in @b with the
 * same value (names case-insensitive, values exact once unescaped). */
static int headers_sub(struct sl_slice a, struct sl_slice b)
{
	struct sl_slice an, av;

	while (next_pair(&a, '&', &an, &av)) {
		struct sl_slice cur = b, bn, bv;
		int found = 0;

		while (next_pair(&cur, '&', &bn, &bv))
			if (text_eq(an, bn, 1) && text_eq(av, bv, 0)) {
				found = 1;
				break;
			}
		if (!found)
			return 0;
	}
	return 1;
}

static int sip_equal(const struct sl_uri *a, const struct sl_uri *b)
{
	/* userinfo is case-sensitive; a missing part never equals an empty
	 * or default one, nor a missing port an explicit 5060 */
	if (a->has_user != b->has_user || !text_eq(a->user, b->user, 0))
		return 0;
	if (a->has_password != b->has_password ||
	    !text_eq(a->password, b->password, 0))
		return 0;
	if (a->port != b->port || !host_eq(a, b))
		return 0;
	return sip_params_sub(a->params, b->params) &&
	       sip_params_sub(b->params, a->params) &&
	       headers_sub(a->headers, b->headers) &&
	       headers_sub(b->headers, a->headers);
}

/* ---- tel (RFC 3966 §4) ---- */

/* RFC 3966 visual-separator = "-" / "." / "(" / ")" */
static int is_visual_sep(unsigned char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/* Phone digits compared without visual separators, case-insensitively. */
static int digits_eq(struct sl_slice a, struct sl_slice b)
{
	const char *p = a.p, *pe = end_of(a);
	const char *q = b.p, *qe = end_of(b);

	for (;;) {
		while (p < pe && is_visual_sep((unsigned char)*p))
			p++;
		while (q < qe && is_visual_sep((unsigned char)*q))
			q++;
		if (p == pe || q == qe)
			return p == pe && q == qe;
		if (sl__lower((unsigned char)*p++) !=
		    sl__lower((unsigned char)*q++))
			return 0;
	}
}

static int tel_value_eq(struct sl_slice name, struct sl_slice a,
			struct sl_slice b)
{
	/* a phone-context that is a global number, and ext, compare as
	 * digits; a domain name context and everything else as text */
	if ((name_is(name, "phone-context") && a.len && a.p[0] == '+' &&
	     b.len && b.p[0] == '+') || name_is(name, "ext"))
		return digits_eq(a, b);
	return text_eq(a, b, 1);
}

/* "If one URI has a parameter name not found in the other, the two URIs
 * are not equal": every parameter is required. */
static int tel_params_sub(struct sl_slice a, struct sl_slice b)
{
	struct sl_slice an, av;

	while (next_pair(&a, ';', &an, &av)) {
		struct sl_slice cur = b, bn, bv;
		int found = 0;

		while (next_pair(&cur, ';', &bn, &bv))
			if (text_eq(an, bn, 1) && tel_value_eq(an, av, bv)) {
				found = 1;
				break;
			}
		if (!found)
			return 0;
	}
	return 1;
}

static int tel_equal(const struct sl_uri *a, const struct sl_uri *b)
{
	int ga = a->user.len && a->user.p[0] == '+';
	int gb = b->user.len && b->user.p[0] == '+';

	return ga == gb && digits_eq(a->user, b->user) &&
	       tel_params_sub(a->params, b->params) &&
	       tel_params_sub(b->params, a->params);
}

int sl_uri_equal(const struct sl_uri *a, const struct sl_uri *b)
{
	if (!a || !b || a->scheme != b->scheme)
		return 0;
	switch (a->scheme) {
	case SL_URI_SIP:
	case SL_URI_SIPS:
		return sip_equal(a, b);
	case SL_URI_TEL:
		return tel_equal(a, b);
	case SL_URI_OTHER:
		return sl_slice_ieq2(a->scheme_name, b->scheme_name) &&
		       a->opaque.len == b->opaque.len &&
		       (a->opaque.len == 0 ||
			memcmp(a->opaque.p, b->opaque.p, a->opaque.len) == 0);
	default:
		return 0;
	}
}
