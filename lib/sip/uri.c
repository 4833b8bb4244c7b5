/*
 * lib/sip/uri.c: URI decoding (RFC 3261 §19.1.1 and §25.1 for sip/sips,
 * RFC 3966 §3 for tel, RFC 3261 absoluteURI for every other scheme).
 *
 * Owns: nothing; the struct sl_uri is the caller's and its slices point into
 * the caller's text.
 * Thread: pure; any thread.
 * Called by: the message parser (Request-URI), the name-addr decoder
 * (From, To, Contact, Route...), and applications through sipline/uri.h.
 *
 * One forward pass over the text: each part is a run of one character
 * class of charset.h (escapes "%" HEX HEX accepted where the grammar allows
 * them), and the character that stops a run decides what comes next. The
 * only extra scan is a memchr() for '@', which is what tells a userinfo
 * apart from a host: '@' is legal nowhere else in a SIP URI, while every
 * other delimiter (';', '?', ':', '=') may also appear inside a user part.
 */
#include <string.h>

#include "scan.h"
#include "sipline/error.h"
#include "sipline/uri.h"

/*
 * Takes a run of class @cls characters and "%" HEX HEX escapes; returns
 * where the run stopped. A '%' not followed by two hex digits (before @end)
 * stops the run, so the caller's check of the stopping character rejects it.
 */
static const char *take_run(const char *p, const char *end, unsigned cls)
{
	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (sl__ch(c, cls)) {
			p++;
			continue;
		}
		if (c != '%' || end - p < 3 ||
		    !sl__ch((unsigned char)p[1], SL_CH_HEX) ||
		    !sl__ch((unsigned char)p[2], SL_CH_HEX))
			break;
		p += 3;
	}
	return p;
}

/* Lower-cased ASCII letter test without a locale: c | 0x20 maps only 'X'
 * and 'x' to 'x' for a letter x. */
#define LC_(c, x) ((((unsigned char)(c)) | 0x20) == (x))

static enum sl_uri_scheme scheme_of(const char *s, size_t n)
{
	if (n == 3 && LC_(s[0], 's') && LC_(s[1], 'i') && LC_(s[2], 'p'))
		return SL_URI_SIP;
	if (n == 4 && LC_(s[0], 's') && LC_(s[1], 'i') && LC_(s[2], 'p') &&
	    LC_(s[3], 's'))
		return SL_URI_SIPS;
	if (n == 3 && LC_(s[0], 't') && LC_(s[1], 'e') && LC_(s[2], 'l'))
		return SL_URI_TEL;
	return SL_URI_OTHER;
}

/*
 * uri-parameters = *( ";" uri-parameter ), each pname [ "=" pvalue ] of
 * param characters and escapes (RFC 3261 §25.1; transport, user, method,
 * ttl, maddr and lr are all spelled within that character set). @p is just
 * past the first ';'. Returns where the list stopped (at '?' or @end), or
 * NULL when it is malformed.
 */
static const char *take_sip_params(const char *p, const char *end)
{
	for (;;) {
		const char *q = take_run(p, end, SL_CH_PARAM);

		if (q == p)
			return NULL; /* empty name: ";;", trailing ';' */
		if (q < end && *q == '=') {
			p = q + 1;
			q = take_run(p, end, SL_CH_PARAM);
			if (q == p)
				return NULL; /* pvalue is 1*paramchar */
		}
		if (q == end || *q == '?')
			return q;
		if (*q != ';')
			return NULL;
		p = q + 1;
	}
}

/*
 * headers = "?" header *( "&" header ), header = hname "=" hvalue, where
 * hname is 1* and hvalue 0* hnv characters and escapes. @p is just past
 * the '?'. The list must end the URI.
 */
static int take_sip_headers(const char *p, const char *end)
{
	for (;;) {
		const char *q = take_run(p, end, SL_CH_HNV);

		if (q == p || q == end || *q != '=')
			return -1;
		q = take_run(q + 1, end, SL_CH_HNV);
		if (q == end)
			return 0;
		if (*q != '&')
			return -1;
		p = q + 1;
	}
}

static int parse_sip(const char *p, const char *end, struct sl_uri *uri)
{
	const char *at = memchr(p, '@', (size_t)(end - p));
	struct sl_cur c;
	int rc;

	if (at) {
		/* userinfo = ( user / telephone-subscriber ) [ ":" password ]
		 * "@"; the user characters include every character a
		 * telephone-subscriber uses apart from quoted extensions. */
		const char *q = take_run(p, at, SL_CH_USER);

		uri->user = sl__slice(p, q);
		if (q < at) {
			if (*q != ':')
				return SL_EPARSE;
			p = q + 1;
			q = take_run(p, at, SL_CH_PASSWORD);
			if (q != at)
				return SL_EPARSE;
			uri->password = sl__slice(p, q);
			uri->has_password = 1;
		}
		uri->has_user = 1;
		p = at + 1;
	}

	c.p = p;
	c.end = end;
	if (sl__take_host(&c, &uri->host, &uri->host_type) != 1)
		return SL_EPARSE;
	rc = sl__take_port(&c, &uri->port);
	if (rc < 0)
		return SL_EPARSE;
	p = c.p;
	if (p == end)
		return 0;

	if (*p == ';') {
		const char *q = take_sip_params(p + 1, end);

		if (!q)
			return SL_EPARSE;
		uri->params = sl__slice(p + 1, q);
		p = q;
		if (p == end)
			return 0;
	}
	if (*p != '?')
		return SL_EPARSE;
	if (take_sip_headers(p + 1, end) < 0)
		return SL_EPARSE;
	uri->headers = sl__slice(p + 1, end);
	return 0;
}

/* ---- tel (RFC 3966 §3) ---- */

static int is_visual_sep(unsigned char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

/*
 * global-number-digits = "+" *phonedigit DIGIT *phonedigit. @p is at the
 * '+'. Returns the end of the number, or NULL without a digit.
 */
static const char *take_global_digits(const char *p, const char *end)
{
	int digits = 0;

	for (p++; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c >= '0' && c <= '9')
			digits = 1;
		else if (!is_visual_sep(c))
			break;
	}
	return digits ? p : NULL;
}

/* local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#")
 * *phonedigit-hex. Returns the end, or NULL without a digit. */
static const char *take_local_digits(const char *p, const char *end)
{
	int digits = 0;

	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (sl__ch(c, SL_CH_HEX) || c == '*' || c == '#')
			digits = 1;
		else if (!is_visual_sep(c))
			break;
	}
	return digits ? p : NULL;
}

/* The characters of a tel pname: alphanum / "-". */
static const char *take_tel_pname(const char *p, const char *end)
{
	while (p < end && (sl__ch((unsigned char)*p,
				  SL_CH_ALPHA | SL_CH_DIGIT) || *p == '-'))
		p++;
	return p;
}

/* uric = reserved / unreserved / escaped, without the ';' that would end
 * the parameter (isdn-subaddress = ";isub=" 1*uric). */
static const char *take_uric(const char *p, const char *end)
{
	while (p < end) {
		unsigned char c = (unsigned char)*p;

		if (c != ';' &&
		    sl__ch(c, SL_CH_UNRESERVED | SL_CH_RESERVED)) {
			p++;
			continue;
		}
		if (c != '%' || end - p < 3 ||
		    !sl__ch((unsigned char)p[1], SL_CH_HEX) ||
		    !sl__ch((unsigned char)p[2], SL_CH_HEX))
			break;
		p += 3;
	}
	return p;
}

/* Checks one tel parameter value, by parameter name. Returns its end or
 * NULL. */
static const char *take_tel_value(struct sl_slice name, const char *p,
				  const char *end)
{
	const char *q;

	if (sl_slice_ieq(name, "phone-context")) {
		/* descriptor = domainname / global-number-digits */
		struct sl_cur c = { p, end };
		struct sl_slice h;
		enum sl_host_type t;

		if (p < end && *p == '+')
			return take_global_digits(p, end);
		if (sl__take_host(&c, &h, &t) != 1 || t != SL_HOST_NAME)
			return NULL;
		return c.p;
	}
	if (sl_slice_ieq(name, "ext")) {
		/* extension = ";ext=" 1*phonedigit */
		int digits = 0;

		for (q = p; q < end; q++) {
			if (*q >= '0' && *q <= '9')
				digits = 1;
			else if (!is_visual_sep((unsigned char)*q))
				break;
		}
		return digits ? q : NULL;
	}
	if (sl_slice_ieq(name, "isub"))
		q = take_uric(p, end);
	else
		q = take_run(p, end, SL_CH_PARAM);
	return q == p ? NULL : q;
}

static int parse_tel(const char *p, const char *end, struct sl_uri *uri)
{
	const char *q;
	int global = p < end && *p == '+', context = 0;

	q = global ? take_global_digits(p, end) : take_local_digits(p, end);
	if (!q)
		return SL_EPARSE;
	uri->user = sl__slice(p, q);
	p = q;
	if (p < end)
		uri->params = sl__slice(p + 1, end);
	while (p < end) {
		struct sl_slice name;

		if (*p != ';')
			return SL_EPARSE;
		q = take_tel_pname(p + 1, end);
		if (q == p + 1)
			return SL_EPARSE;
		name = sl__slice(p + 1, q);
		if (sl_slice_ieq(name, "phone-context"))
			context = 1;
		if (q < end && *q == '=') {
			q = take_tel_value(name, q + 1, end);
			if (!q)
				return SL_EPARSE;
		} else if (sl_slice_ieq(name, "phone-context") ||
			   sl_slice_ieq(name, "ext") ||
			   sl_slice_ieq(name, "isub")) {
			return SL_EPARSE; /* these three need a value */
		}
		p = q;
	}
	/* RFC 3966 §5.1.5: a local number is only meaningful in a context */
	if (!global && !context)
		return SL_EPARSE;
	return 0;
}

/* ---- any other scheme ---- */

/*
 * absoluteURI after the colon: not checked against a scheme's own grammar,
 * only kept to characters a URI may contain at all, so nothing that ends a
 * header element (white space, '<', '>', '"') or a control character slips
 * into the opaque part.
 */
static int parse_other(const char *p, const char *end, struct sl_uri *uri)
{
	if (p == end)
		return SL_EPARSE;
	for (const char *q = p; q < end; q++) {
		unsigned char c = (unsigned char)*q;

		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"')
			return SL_EPARSE;
	}
	uri->opaque = sl__slice(p, end);
	return 0;
}

int sl_uri_parse(const char *p, size_t len, struct sl_uri *uri)
{
	const char *end, *s = p;
	int rc;

	if (!uri || !p)
		return SL_EINVAL;
	memset(uri, 0, sizeof(*uri));
	if (len == 0 || !sl__ch((unsigned char)*p, SL_CH_ALPHA))
		return SL_EPARSE;
	end = p + len;

	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
	for (s++; s < end; s++) {
		unsigned char c = (unsigned char)*s;

		if (!sl__ch(c, SL_CH_ALPHA | SL_CH_DIGIT) && c != '+' &&
		    c != '-' && c != '.')
			break;
	}
	if (s == end || *s != ':')
		return SL_EPARSE;
	uri->scheme_name = sl__slice(p, s);
	uri->scheme = scheme_of(p, (size_t)(s - p));
	s++;

	switch (uri->scheme) {
	case SL_URI_SIP:
	case SL_URI_SIPS:
		rc = parse_sip(s, end, uri);
		break;
	case SL_URI_TEL:
		rc = parse_tel(s, end, uri);
		break;
	default:
		rc = parse_other(s, end, uri);
		break;
	}
	if (rc < 0) {
		memset(uri, 0, sizeof(*uri));
		return rc;
	}
	return 0;
}
