/*
 * lib/sip/name_addr.c: name-addr / addr-spec header values and Contact
 * (RFC 3261 §20.10, §20.20, §20.39, §25.1; the rules of §20 for URIs
 * without angle brackets; RFC 4475 §3.1.2 for what must be refused).
 *
 * Owns: nothing; the structs are the caller's, their slices point into the
 * header value.
 * Thread: pure; any thread.
 * Called by: the message parser (From, To), the header check pass, the
 * dialog layer (Contact, Route, Record-Route) and REFER handling.
 *
 * The value is read once from left to right: display name, the URI (found
 * with one memchr() for '>' inside angle brackets), then the header
 * parameters, whose names are matched against tag, q and expires as they
 * go by, so no later look-up walks the list again.
 */
#include <string.h>

#include "scan.h"
#include "sipline/error.h"
#include "sipline/headers.h"

/* What the parameter pass extracts for Contact (NULL for other headers). */
struct contact_out {
	int64_t expires;
	int q;
};

/*
 * qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), returned in
 * thousandths. "0." and "1." are in the grammar, so they are accepted.
 */
static int parse_q(struct sl_slice v, int *q)
{
	const char *p = v.p, *end;
	int whole, frac = 0, scale = 100;

	if (v.len == 0 || (*p != '0' && *p != '1'))
		return SL_EPARSE;
	end = p + v.len;
	whole = *p++ - '0';
	if (p < end) {
		if (*p++ != '.' || end - p > 3)
			return SL_EPARSE;
		for (; p < end; p++, scale /= 10) {
			if (*p < '0' || *p > '9' || (whole && *p != '0'))
				return SL_EPARSE;
			frac += (*p - '0') * scale;
		}
	}
	*q = whole * 1000 + frac;
	return 0;
}

/* delta-seconds = 1*DIGIT, at most 2^32-1 (leading zeros allowed). */
static int parse_delta(struct sl_slice v, int64_t *out)
{
	uint64_t n = 0;

	if (v.len == 0)
		return SL_EPARSE;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (c < '0' || c > '9')
			return SL_EPARSE;
		n = n * 10 + (c - '0');
		if (n > 0xffffffffu)
			return SL_EPARSE;
	}
	*out = (int64_t)n;
	return 0;
}

/*
 * *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string, with white space allowed
 * around ';' and '='. Must reach the end of the value.
 */
static int parse_params(struct sl_cur *c, struct sl_name_addr *na,
			struct contact_out *ct)
{
	const char *first = NULL, *last = NULL;
	int have_tag = 0, have_q = 0, have_exp = 0;

	for (;;) {
		struct sl_slice name, value = { NULL, 0 };
		int quoted = 0;

		sl__skip_ws(c);
		if (sl__eof(c))
			break;
		if (*c->p != ';')
			return SL_EPARSE;
		c->p++;
		sl__skip_ws(c);
		if (!sl__take_token(c, &name))
			return SL_EPARSE;
		if (!first)
			first = name.p;
		last = c->p;
		if (sl__take_sep(c, '=')) {
			int rc = sl__take_quoted(c, &value);

			if (rc < 0)
				return SL_EPARSE;
			if (rc > 0) {
				quoted = 1;
			} else if (c->p < c->end && *c->p == '[') {
				/* host = IPv6reference, kept with its
				 * brackets as written */
				const char *b = c->p;
				enum sl_host_type t;

				if (sl__take_host(c, &value, &t) != 1)
					return SL_EPARSE;
				value = sl__slice(b, c->p);
			} else if (!sl__take_token(c, &value)) {
				return SL_EPARSE;
			}
			last = c->p;
		}

		if (!have_tag && sl_slice_ieq(name, "tag")) {
			na->tag = value;
			have_tag = 1;
		}
		if (!ct)
			continue;
		/* Contact: q and expires have their own grammar; a bad one
		 * is a bad header, not an unknown extension */
		if (sl_slice_ieq(name, "q")) {
			int q;

			if (quoted || parse_q(value, &q) < 0)
				return SL_EPARSE;
			if (!have_q)
				ct->q = q;
			have_q = 1;
		} else if (sl_slice_ieq(name, "expires")) {
			int64_t e;

			if (quoted || parse_delta(value, &e) < 0)
				return SL_EPARSE;
			if (!have_exp)
				ct->expires = e;
			have_exp = 1;
		}
	}
	if (first)
		na->params = sl__slice(first, last);
	return 0;
}

/*
 * addr-spec without angle brackets: RFC 3261 §20 "if the URI contains a
 * comma, question mark or semicolon, the URI MUST be enclosed in angle
 * brackets", so the first ';' (or white space) ends the URI and a ',' or
 * '?' before it is an error.
 */
static int take_addr_spec(struct sl_cur *c, struct sl_name_addr *na)
{
	const char *s = c->p, *p = c->p;

	while (p < c->end) {
		unsigned char ch = (unsigned char)*p;

		if (ch == ';' || sl__ch(ch, SL_CH_WS))
			break;
		if (ch == ',' || ch == '?')
			return SL_EPARSE;
		p++;
	}
	if (sl_uri_parse(s, (size_t)(p - s), &na->uri) != 0)
		return SL_EPARSE;
	na->uri_text = sl__slice(s, p);
	c->p = p;
	return 0;
}

/* LAQUOT addr-spec RAQUOT: no white space inside the brackets (RFC 4475
 * §3.1.2.13 shows it as invalid), the URI itself cannot contain '>'. */
static int take_angle(struct sl_cur *c, struct sl_name_addr *na)
{
	const char *s = c->p + 1, *e;

	e = memchr(s, '>', (size_t)(c->end - s));
	if (!e || sl_uri_parse(s, (size_t)(e - s), &na->uri) != 0)
		return SL_EPARSE;
	na->uri_text = sl__slice(s, e);
	na->angle = 1;
	c->p = e + 1;
	return 0;
}

static int decode(struct sl_slice v, struct sl_name_addr *na,
		  struct contact_out *ct)
{
	struct sl_cur c = sl__cur(v);
	struct sl_slice tok;
	int rc;

	sl__skip_ws(&c);
	if (sl__eof(&c))
		return SL_EPARSE;

	if (*c.p == '"') {
		/* display-name = quoted-string, then SWS "<" */
		if (sl__take_quoted(&c, &na->display) != 1)
			return SL_EPARSE;
		na->display_quoted = 1;
		sl__skip_ws(&c);
		if (sl__eof(&c) || *c.p != '<')
			return SL_EPARSE;
		rc = take_angle(&c, na);
	} else if (*c.p == '<') {
		rc = take_angle(&c, na);
	} else {
		const char *start = c.p, *last;

		if (!sl__take_token(&c, &tok))
			return SL_EPARSE;
		if (c.p < c.end && *c.p == ':') {
			/* a scheme: this is an addr-spec */
			c.p = start;
			rc = take_addr_spec(&c, na);
		} else {
			/* display-name = *(token LWS), then SWS "<" */
			last = c.p;
			for (;;) {
				sl__skip_ws(&c);
				if (sl__eof(&c))
					return SL_EPARSE;
				if (*c.p == '<')
					break;
				if (!sl__take_token(&c, &tok))
					return SL_EPARSE;
				last = c.p;
			}
			na->display = sl__slice(start, last);
			rc = take_angle(&c, na);
		}
	}
	if (rc < 0)
		return rc;
	return parse_params(&c, na, ct);
}

int sl_name_addr_decode(struct sl_slice v, struct sl_name_addr *na)
{
	int rc;

	if (!na || (!v.p && v.len))
		return SL_EINVAL;
	memset(na, 0, sizeof(*na));
	if (v.len == 0)
		return SL_EPARSE;
	rc = decode(v, na, NULL);
	if (rc < 0)
		memset(na, 0, sizeof(*na));
	return rc;
}

int sl_contact_decode(struct sl_slice v, struct sl_contact *c)
{
	struct contact_out ct = { -1, -1 };
	struct sl_slice t;
	int rc;

	if (!c || (!v.p && v.len))
		return SL_EINVAL;
	memset(c, 0, sizeof(*c));
	c->expires = -1;
	c->q = -1;
	if (v.len == 0)
		return SL_EPARSE;
	t = sl__trim(v);
	if (t.len == 1 && t.p[0] == '*') {
		c->star = 1;
		return 0;
	}
	rc = decode(v, &c->addr, &ct);
	if (rc < 0) {
		memset(&c->addr, 0, sizeof(c->addr));
		return rc;
	}
	c->expires = ct.expires;
	c->q = ct.q;
	return 0;
}
