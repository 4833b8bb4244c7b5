/*
 * lib/sip/params.c: generic ";name[=value]" parameter lists and the two
 * scalar decoders most list headers are made of (RFC 3261 §25.1
 * generic-param and §19.1.1 uri-parameter; delta-seconds, Max-Forwards,
 * Content-Length, RSeq; option-tag and method lists).
 *
 * Owns: nothing; every output is a slice of the caller's bytes.
 * Thread: pure functions; any thread.
 * Called by: the typed decoders (via.c, hdr_misc.c, name_addr.c), URI users
 * walking struct sl_uri.params, and any layer reading a plain number or
 * token out of a header value.
 */
#include <stdint.h>

#include "scan.h"
#include "sipline/error.h"
#include "sipline/headers.h"

/*
 * Characters of an unquoted parameter value. Header parameters allow token
 * / host (RFC 3261 §25.1 gen-value; a host adds '[' ':' ']' for IPv6
 * references), URI parameters allow paramchar (§19.1.1: unreserved plus
 * "[]/:&+$" and escapes). One class covering both lets this iterator walk
 * URI and header lists alike and takes RFC 5118 "received=2001:db8::1"
 * without brackets; the typed decoders check the values they interpret.
 */
#define VALUE_CLS (SL_CH_TOKEN | SL_CH_PARAM)

/* delta-seconds and friends: at most this many significant digits, so the
 * value always fits in 64 bits before it is compared with the maximum. */
enum { MAX_SIG_DIGITS = 10 };

int sl_param_next(struct sl_slice *cur, struct sl_slice *name,
		  struct sl_slice *value, int *has_value)
{
	struct sl_cur c, after;
	struct sl_slice n, val = { NULL, 0 };
	int hv = 0, rc;

	if (!cur || !name || !value || (!cur->p && cur->len))
		return SL_EINVAL;
	if (cur->len == 0)
		return 0;
	c = sl__cur(*cur);
	sl__skip_ws(&c);
	if (sl__eof(&c)) {
		*cur = sl__slice(c.p, c.p);
		return 0;
	}
	if (*c.p == ';') {
		c.p++;
		sl__skip_ws(&c);
	}
	/* a ';' promises a parameter: ";;" and a trailing ';' are errors
	 * (RFC 4475 §3.1.2.1 "badinv01") */
	if (!sl__take_token(&c, &n))
		return SL_EPARSE;
	if (sl__take_sep(&c, '=')) {
		hv = 1;
		rc = sl__take_quoted(&c, &val);
		if (rc < 0)
			return SL_EPARSE;
		if (rc == 0 && !sl__take_class(&c, VALUE_CLS, &val))
			return SL_EPARSE;
	}
	/* only white space may separate the parameter from the next ';' */
	after = c;
	sl__skip_ws(&after);
	if (!sl__eof(&after) && *after.p != ';')
		return SL_EPARSE;
	*cur = sl__slice(after.p, after.end);
	*name = n;
	*value = val;
	if (has_value)
		*has_value = hv;
	return 1;
}

int sl_param_find(struct sl_slice params, const char *name,
		  struct sl_slice *value)
{
	struct sl_slice n, v;

	if (!name)
		return 0;
	/* each call consumes at least one byte, so this ends */
	while (sl_param_next(&params, &n, &v, NULL) == 1) {
		if (sl_slice_ieq(n, name)) {
			if (value)
				*value = v;
			return 1;
		}
	}
	return 0;
}

int sl_uint_decode(struct sl_slice v, uint32_t max, uint32_t *out)
{
	struct sl_cur c;
	uint64_t val = 0;
	unsigned n = 0;
	int zeros = 0;

	if (!out || (!v.p && v.len))
		return SL_EINVAL;
	if (v.len == 0)
		return SL_EPARSE;
	c = sl__cur(v);
	sl__skip_ws(&c);
	/* leading zeros are harmless ("Max-Forwards: 0068", RFC 4475 §3.1.1.1)
	 * and do not count against the digit limit */
	while (c.p < c.end && *c.p == '0') {
		c.p++;
		zeros = 1;
	}
	while (c.p < c.end && *c.p >= '0' && *c.p <= '9') {
		if (++n > MAX_SIG_DIGITS)
			return SL_EPARSE;
		val = val * 10 + (uint64_t)(*c.p - '0');
		c.p++;
	}
	if (n == 0 && !zeros)
		return SL_EPARSE;
	sl__skip_ws(&c);
	if (!sl__eof(&c) || val > max)
		return SL_EPARSE;
	*out = (uint32_t)val;
	return 0;
}

int sl_token_decode(struct sl_slice v, struct sl_slice *out)
{
	struct sl_cur c;
	struct sl_slice t;

	if (!out || (!v.p && v.len))
		return SL_EINVAL;
	if (v.len == 0)
		return SL_EPARSE;
	t = sl__trim(v);
	if (t.len == 0)
		return SL_EPARSE;
	c = sl__cur(t);
	if (!sl__take_token(&c, out) || !sl__eof(&c))
		return SL_EPARSE;
	return 0;
}

int sl__take_params(struct sl_cur *c, struct sl_slice *params)
{
	sl__skip_ws(c);
	if (sl__eof(c)) {
		*params = sl__slice(c->p, c->p);
		return 0;
	}
	if (*c->p != ';')
		return SL_EPARSE;
	*params = sl__trim(sl__slice(c->p + 1, c->end));
	/* a ';' promises a parameter: not the end, not another ';' */
	if (params->len == 0 || params->p[0] == ';')
		return SL_EPARSE;
	return 0;
}
