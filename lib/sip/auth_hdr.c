/*
 * lib/sip/auth_hdr.c: WWW-Authenticate, Proxy-Authenticate, Authorization
 * and Proxy-Authorization values (RFC 3261 §20.7, §20.27, §20.28, §20.44 and
 * §25.1 challenge / credentials; RFC 2617 §3.2; RFC 7616 §3.3-§3.4;
 * RFC 7235 §2.1 token68 for non-Digest credentials).
 *
 * Owns: nothing; struct sl_auth holds slices of the caller's value.
 * Thread: pure; any thread.
 * Called by: lib/ua (401/407 handling, building credentials with
 * lib/sip/digest) and a registrar/server role checking credentials.
 *
 * One value is one challenge or one credentials set: SIP carries a single
 * challenge per header field (§20.44), so the splitter must not cut these
 * values at commas. Shape: auth-scheme LWS auth-param *(COMMA auth-param),
 * auth-param = token EQUAL ( token / quoted-string ). Parameter names may
 * appear once each (RFC 7616 §3.3, RFC 7235 §2.1); a duplicate is rejected
 * rather than letting two layers read two different nonces.
 */
#include <stddef.h>
#include <string.h>

#include "scan.h"
#include "sipline/error.h"
#include "sipline/headers.h"

/* Unknown parameter names remembered for the duplicate check. Real
 * challenges carry a handful; past this many the value is refused. */
enum { MAX_UNKNOWN = 16 };

struct known {
	const char *name;
	unsigned char len;
	unsigned short off; /* offsetof the slice in struct sl_auth */
};

#define K_(n, f) { n, sizeof(n) - 1, offsetof(struct sl_auth, f) }

/* "stale" is handled apart: it sets an int, not a slice. */
static const struct known known[] = {
	K_("realm", realm),
	K_("domain", domain),
	K_("nonce", nonce),
	K_("opaque", opaque),
	K_("algorithm", algorithm),
	K_("qop", qop),
	K_("username", username),
	K_("uri", uri),
	K_("response", response),
	K_("cnonce", cnonce),
	K_("nc", nc),
	K_("userhash", userhash),
	K_("charset", charset),
};

#undef K_

enum { N_KNOWN = sizeof(known) / sizeof(known[0]), STALE_BIT = N_KNOWN };

static int name_is(struct sl_slice n, const char *lit, size_t len)
{
	if (n.len != len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (sl__lower((unsigned char)n.p[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * (RFC 7235 §2.1), e.g. Basic credentials. */
static int is_token68(struct sl_slice s)
{
	size_t i = 0;

	while (i < s.len) {
		unsigned char ch = (unsigned char)s.p[i];

		if (!sl__ch(ch, SL_CH_ALPHA | SL_CH_DIGIT) && ch != '-' &&
		    ch != '.' && ch != '_' && ch != '~' && ch != '+' &&
		    ch != '/')
			break;
		i++;
	}
	if (i == 0)
		return 0;
	while (i < s.len && s.p[i] == '=')
		i++;
	return i == s.len;
}

/* Records one parameter. Return 0, or SL_EPARSE for a duplicate or too
 * many unknown names. */
static int store(struct sl_auth *a, struct sl_slice n, struct sl_slice v,
		 unsigned *seen, struct sl_slice *unknown, unsigned *n_unknown)
{
	for (unsigned i = 0; i < N_KNOWN; i++) {
		if (!name_is(n, known[i].name, known[i].len))
			continue;
		if (*seen & (1u << i))
			return SL_EPARSE;
		*seen |= 1u << i;
		*(struct sl_slice *)((char *)a + known[i].off) = v;
		return 0;
	}
	if (name_is(n, "stale", 5)) {
		if (*seen & (1u << STALE_BIT))
			return SL_EPARSE;
		*seen |= 1u << STALE_BIT;
		/* stale = "true" / "false", case-insensitive; anything else
		 * reads as false so a quirky server never loops us */
		a->stale = sl_slice_ieq(v, "true");
		return 0;
	}
	for (unsigned i = 0; i < *n_unknown; i++)
		if (sl_slice_ieq2(unknown[i], n))
			return SL_EPARSE;
	if (*n_unknown == MAX_UNKNOWN)
		return SL_EPARSE;
	unknown[(*n_unknown)++] = n;
	return 0;
}

int sl_auth_decode(struct sl_slice v, struct sl_auth *a)
{
	struct sl_slice unknown[MAX_UNKNOWN];
	unsigned seen = 0, n_unknown = 0;
	struct sl_cur c;
	const char *start;
	int digest;

	if (!a || (!v.p && v.len))
		return SL_EINVAL;
	memset(a, 0, sizeof(*a));
	if (v.len == 0)
		return SL_EPARSE;
	c = sl__cur(v);
	sl__skip_ws(&c);
	if (!sl__take_token(&c, &a->scheme))
		return SL_EPARSE;
	digest = sl_slice_ieq(a->scheme, "Digest");
	start = c.p;
	sl__skip_ws(&c);
	if (sl__eof(&c)) {
		/* a bare scheme (RFC 7235 allows it); Digest needs params */
		a->params = sl__slice(c.p, c.p);
		return digest ? SL_EPARSE : 0;
	}
	if (c.p == start)
		return SL_EPARSE; /* auth-scheme LWS: the space is mandatory */
	a->params = sl__trim(sl__slice(c.p, c.end));
	if (!digest && is_token68(a->params))
		return 0;
	for (;;) {
		struct sl_slice n, val;
		int rc;

		if (!sl__take_token(&c, &n) || !sl__take_sep(&c, '='))
			return SL_EPARSE;
		rc = sl__take_quoted(&c, &val);
		if (rc < 0 || (rc == 0 && !sl__take_token(&c, &val)))
			return SL_EPARSE;
		rc = store(a, n, val, &seen, unknown, &n_unknown);
		if (rc < 0)
			return rc;
		sl__skip_ws(&c);
		if (sl__eof(&c))
			return 0;
		/* COMMA, then another parameter: no empty list elements */
		if (*c.p != ',')
			return SL_EPARSE;
		c.p++;
		sl__skip_ws(&c);
	}
}
