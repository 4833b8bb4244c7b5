/*
 * lib/sip/host.c: host and port syntax shared by URIs and Via sent-by
 * (RFC 3261 §25.1 hostport, RFC 5118 IPv6 references, RFC 4291 §2.2 text
 * form of IPv6 addresses).
 *
 * Thread: pure; any thread.
 */
#include "scan.h"

int sl__is_ipv4(struct sl_slice s)
{
	const char *p = s.p, *end = s.p + s.len;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0, n = 0;

		if (part && (p >= end || *p++ != '.'))
			return 0;
		while (p < end && *p >= '0' && *p <= '9') {
			v = v * 10 + (unsigned)(*p++ - '0');
			if (++n > 3)
				return 0;
		}
		if (n == 0 || v > 255)
			return 0;
	}
	return p == end;
}

int sl__is_ipv6(struct sl_slice s)
{
	const char *p = s.p, *end = s.p + s.len;
	int groups = 0, gap = 0;

	if (s.len < 2)
		return 0;
	if (p[0] == ':') {
		if (p[1] != ':')
			return 0;
		gap = 1;
		p += 2;
		if (p == end)
			return 1; /* "::" */
	}
	while (p < end) {
		const char *g = p;
		int n = 0;

		while (p < end && sl__ch((unsigned char)*p, SL_CH_HEX) && n < 5) {
			p++;
			n++;
		}
		if (p < end && *p == '.') {
			/* an embedded IPv4 address ends the address and counts
			 * as two groups */
			if (!sl__is_ipv4(sl__slice(g, end)))
				return 0;
			groups += 2;
			p = end;
			break;
		}
		if (n == 0 || n > 4)
			return 0;
		groups++;
		if (p == end)
			break;
		if (*p != ':')
			return 0;
		p++;
		if (p < end && *p == ':') {
			if (gap)
				return 0;
			gap = 1;
			p++;
			if (p == end)
				break;
		} else if (p == end) {
			return 0; /* a single trailing ':' */
		}
	}
	return gap ? groups <= 7 : groups == 8;
}

int sl__take_host(struct sl_cur *c, struct sl_slice *host,
		  enum sl_host_type *type)
{
	const char *p = c->p, *end = c->end, *label = p;
	unsigned char top = 0;   /* first byte of the last label */
	int numeric = 1, bad = 0;
	unsigned dots = 0, part = 0, digits = 0; /* dotted-quad state */

	if (p < end && *p == '[') {
		const char *q = p + 1;
		struct sl_slice s;

		while (q < end && *q != ']')
			q++;
		if (q >= end)
			return -1;
		s = sl__slice(p + 1, q);
		if (!sl__is_ipv6(s))
			return -1;
		*host = s;
		*type = SL_HOST_IPV6;
		c->p = q + 1;
		return 1;
	}
	/* One pass checks both forms: labels of alphanumerics and '-' (not
	 * at either end of a label) separated by dots, or, when only digits
	 * and dots were seen, a dotted quad. Hosts are on every message's
	 * path (Request-URI, each Via), so they are read once. */
	for (; p < end; p++) {
		unsigned char ch = (unsigned char)*p;

		if (sl__ch(ch, SL_CH_DIGIT)) {
			part = part * 10 + (ch - '0');
			if (++digits > 3 || part > 255)
				numeric = numeric ? -1 : 0;
			continue;
		}
		if (sl__ch(ch, SL_CH_ALPHA)) {
			numeric = 0;
			continue;
		}
		if (ch == '-') {
			numeric = 0;
			bad |= p == label;
			continue;
		}
		if (ch != '.')
			break;
		bad |= p == label || p[-1] == '-';
		top = (unsigned char)*label;
		label = p + 1;
		dots++;
		part = digits = 0;
	}
	if (p == c->p)
		return 0;
	*host = sl__slice(c->p, p);
	if (numeric) {
		/* digits and dots only: a dotted quad or nothing (the
		 * last label of a name cannot start with a digit) */
		if (numeric < 0 || dots != 3 || bad || digits == 0)
			return -1;
		*type = SL_HOST_IPV4;
	} else {
		/* A final '.' is allowed (a fully qualified name); otherwise
		 * the last label must not end with '-'. toplabel starts with
		 * a letter (RFC 3261 §25.1). */
		if (label < p) {
			bad |= p[-1] == '-';
			top = (unsigned char)*label;
		}
		if (bad || !sl__ch(top, SL_CH_ALPHA))
			return -1;
		*type = SL_HOST_NAME;
	}
	c->p = p;
	return 1;
}

int sl__take_port(struct sl_cur *c, uint16_t *port)
{
	struct sl_cur t = *c;
	unsigned long v;

	if (t.p >= t.end || *t.p != ':')
		return 0;
	t.p++;
	if (sl__take_uint(&t, 5, 65535, &v) != 1 || v == 0)
		return -1;
	*port = (uint16_t)v;
	*c = t;
	return 1;
}
