/*
 * lib/sip/scan.c: the out-of-line cursor helpers of scan.h and the slice
 * functions of sipline/slice.h.
 *
 * Thread: pure; any thread.
 */
#include <string.h>

#include "scan.h"
#include "sipline/error.h"

int sl__take_quoted(struct sl_cur *c, struct sl_slice *out)
{
	const char *p = c->p, *s;

	if (p >= c->end || *p != '"')
		return 0;
	s = ++p;
	while (p < c->end) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '"') {
			if (out)
				*out = sl__slice(s, p);
			c->p = p + 1;
			return 1;
		}
		if (ch == '\\') {
			/* quoted-pair: any octet but CR and LF */
			if (p + 1 >= c->end || p[1] == '\r' || p[1] == '\n')
				return -1;
			p += 2;
			continue;
		}
		if (ch == '\r' || ch == '\n') {
			/* only folding (CRLF SP/HT) may break a quoted string */
			if (ch == '\r' && p + 2 < c->end && p[1] == '\n' &&
			    (p[2] == ' ' || p[2] == '\t')) {
				p += 3;
				continue;
			}
			return -1;
		}
		if (ch < 0x20 && ch != '\t')
			return -1;
		p++;
	}
	return -1;
}

int sl__take_uint(struct sl_cur *c, unsigned max_digits, unsigned long max,
		  unsigned long *out)
{
	const char *p = c->p;
	unsigned long v = 0;
	unsigned n = 0;

	while (p < c->end && *p >= '0' && *p <= '9') {
		if (++n > max_digits)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
		if (v > max)
			return -1;
		p++;
	}
	if (n == 0)
		return 0;
	c->p = p;
	if (out)
		*out = v;
	return 1;
}

int sl_slice_eq(struct sl_slice s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

int sl_slice_ieq(struct sl_slice s, const char *lit)
{
	size_t n = strlen(lit);

	if (s.len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (sl__lower((unsigned char)s.p[i]) !=
		    sl__lower((unsigned char)lit[i]))
			return 0;
	return 1;
}

int sl_slice_ieq2(struct sl_slice a, struct sl_slice b)
{
	if (a.len != b.len)
		return 0;
	for (size_t i = 0; i < a.len; i++)
		if (sl__lower((unsigned char)a.p[i]) !=
		    sl__lower((unsigned char)b.p[i]))
			return 0;
	return 1;
}

int sl_slice_copy(struct sl_slice s, char *out, size_t cap)
{
	if (!out || cap == 0)
		return SL_ENOSPC;
	if (s.len + 1 > cap || s.len > 0x7fffffff) {
		out[0] = '\0';
		return SL_ENOSPC;
	}
	if (s.len)
		memcpy(out, s.p, s.len);
	out[s.len] = '\0';
	return (int)s.len;
}
