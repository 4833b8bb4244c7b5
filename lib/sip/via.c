/*
 * lib/sip/via.c: one Via value (RFC 3261 §20.42 and §25.1 via-parm,
 * RFC 3581 rport, RFC 5118 IPv6 sent-by and received).
 *
 * Owns: nothing; struct sl_via holds slices of the caller's value.
 * Thread: pure; any thread.
 * Called by: the message splitter's eager decoding (every message needs its
 * top Via) and lib/txn for transaction matching and response routing.
 *
 * via-parm = sent-protocol LWS sent-by *( SEMI via-params ), where every
 * separator of sent-protocol is SLASH (white space allowed around '/',
 * RFC 4475 §3.1.1.1) and sent-by is host [ COLON port ]. The parameters the
 * transaction layer interprets (branch, received, maddr, ttl, rport) are
 * checked and may appear once each: two branches would make transaction
 * matching depend on which one a layer reads.
 */
#include <stdint.h>
#include <string.h>

#include "scan.h"
#include "sipline/error.h"
#include "sipline/headers.h"

enum {
	SEEN_BRANCH = 1u << 0,
	SEEN_RECEIVED = 1u << 1,
	SEEN_MADDR = 1u << 2,
	SEEN_TTL = 1u << 3,
	SEEN_RPORT = 1u << 4
};

/* A whole slice as a decimal number of at most @digits digits <= @max. */
static int slice_uint(struct sl_slice s, unsigned digits, unsigned long max,
		      unsigned long *out)
{
	struct sl_cur c = sl__cur(s);

	return sl__take_uint(&c, digits, max, out) == 1 && sl__eof(&c);
}

/* COLON port: SWS around ':' (RFC 3261 §25.1), 1-5 digits, 1..65535. */
static int take_port(struct sl_cur *c, uint16_t *port)
{
	struct sl_cur t = *c;
	unsigned long v;

	if (!sl__take_sep(&t, ':'))
		return 0;
	if (sl__take_uint(&t, 5, 65535, &v) != 1 || v == 0)
		return SL_EPARSE;
	*port = (uint16_t)v;
	*c = t;
	return 1;
}

/* received = IPv4address / IPv6address; RFC 5118 §4.5 shows IPv6 both bare
 * and bracketed, so both are taken and @received loses the brackets. */
static int check_received(struct sl_slice v, struct sl_slice *out)
{
	if (v.len >= 2 && v.p[0] == '[' && v.p[v.len - 1] == ']') {
		struct sl_slice in = sl__slice(v.p + 1, v.p + v.len - 1);

		if (!sl__is_ipv6(in))
			return SL_EPARSE;
		*out = in;
		return 0;
	}
	if (!sl__is_ipv4(v) && !sl__is_ipv6(v))
		return SL_EPARSE;
	*out = v;
	return 0;
}

static int check_maddr(struct sl_slice v, struct sl_slice *out)
{
	struct sl_cur c = sl__cur(v);
	enum sl_host_type type;

	if (sl__take_host(&c, out, &type) != 1 || !sl__eof(&c))
		return SL_EPARSE;
	return 0;
}

/* @n equals the lower-case @lit of the same length, ignoring case. */
static int name_is(struct sl_slice n, const char *lit)
{
	for (size_t i = 0; i < n.len; i++)
		if (sl__lower((unsigned char)n.p[i]) != (unsigned char)lit[i])
			return 0;
	return 1;
}

/* Every message's Via is decoded, so the names are told apart by length
 * first rather than by five string comparisons per parameter. */
static unsigned param_bit(struct sl_slice n)
{
	switch (n.len) {
	case 3:
		return name_is(n, "ttl") ? SEEN_TTL : 0;
	case 5:
		if (name_is(n, "rport"))
			return SEEN_RPORT;
		return name_is(n, "maddr") ? SEEN_MADDR : 0;
	case 6:
		return name_is(n, "branch") ? SEEN_BRANCH : 0;
	case 8:
		return name_is(n, "received") ? SEEN_RECEIVED : 0;
	default:
		return 0;
	}
}

static int via_param(struct sl_via *via, struct sl_slice n, struct sl_slice v,
		     int hv, unsigned *seen)
{
	unsigned bit = param_bit(n);
	unsigned long num;

	if (!bit)
		return 0; /* extension parameter: kept in via->params only */
	if (sl__param_once(seen, bit) < 0)
		return SL_EPARSE;
	/* rport alone is the RFC 3581 request for the source port */
	if (bit == SEEN_RPORT && !hv) {
		via->rport = 0;
		return 0;
	}
	/* every interpreted value is a token or an address, never quoted */
	if (!hv || sl__was_quoted(v))
		return SL_EPARSE;
	switch (bit) {
	case SEEN_BRANCH:
		if (!sl__all_class(v, SL_CH_TOKEN))
			return SL_EPARSE;
		via->branch = v;
		return 0;
	case SEEN_RECEIVED:
		return check_received(v, &via->received);
	case SEEN_MADDR:
		return check_maddr(v, &via->maddr);
	case SEEN_TTL:
		/* ttl = 1*3DIGIT ; 0 to 255 */
		if (!slice_uint(v, 3, 255, &num))
			return SL_EPARSE;
		via->ttl = (int16_t)num;
		return 0;
	default:
		if (!slice_uint(v, 5, 65535, &num) || num == 0)
			return SL_EPARSE;
		via->rport = (int32_t)num;
		return 0;
	}
}

int sl_via_decode(struct sl_slice v, struct sl_via *via)
{
	struct sl_cur c;
	struct sl_slice rest, n, val;
	unsigned seen = 0;
	int hv, rc;

	if (!via || (!v.p && v.len))
		return SL_EINVAL;
	memset(via, 0, sizeof(*via));
	via->rport = -1;
	via->ttl = -1;
	if (v.len == 0)
		return SL_EPARSE;
	c = sl__cur(v);
	sl__skip_ws(&c);
	if (!sl__take_token(&c, &via->proto_name) || !sl__take_sep(&c, '/') ||
	    !sl__take_token(&c, &via->proto_version) ||
	    !sl__take_sep(&c, '/') || !sl__take_token(&c, &via->transport))
		return SL_EPARSE;
	/* sent-protocol LWS sent-by: the white space is mandatory */
	if (sl__eof(&c) || !sl__ch((unsigned char)*c.p, SL_CH_WS))
		return SL_EPARSE;
	sl__skip_ws(&c);
	if (sl__take_host(&c, &via->host, &via->host_type) != 1)
		return SL_EPARSE;
	if (take_port(&c, &via->port) < 0)
		return SL_EPARSE;
	if ((rc = sl__take_params(&c, &via->params)) != 0)
		return rc;
	rest = via->params;
	while ((rc = sl_param_next(&rest, &n, &val, &hv)) == 1) {
		rc = via_param(via, n, val, hv, &seen);
		if (rc < 0)
			return rc;
	}
	return rc;
}
