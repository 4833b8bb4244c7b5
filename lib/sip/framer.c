/*
 * lib/sip/framer.c: finds where one SIP message ends in a byte stream
 * (RFC 3261 §18.3: on streams, Content-Length is mandatory and frames the
 * body) and recognises RFC 5626 §4.4.1 CRLF keep-alives between messages.
 *
 * Owns: nothing; the state lives in the caller's struct sl_framer.
 * Thread: the thread that owns the connection (the SIP loop).
 *
 * Resumable: the caller appends bytes and calls again; each byte of the
 * header block is examined once (the search for the next LF resumes where
 * it stopped), so a message arriving one byte at a time costs O(n).
 */
#include <string.h>

#include "msg_int.h"

void sl_framer_reset(struct sl_framer *f)
{
	if (f) {
		f->scanned = 0;
		f->hdr_end = 0;
		f->content_length = -1;
		f->line_start = 0;
		f->cl_seen = 0;
	}
}

/* When the line [p, eol) is a Content-Length header (long or compact
 * form), returns 1 and its value, -1 for a bad value, 0 otherwise. */
static int content_length_line(const char *p, const char *eol, long *out)
{
	static const char name[] = "content-length";
	const char *q = p;
	struct sl_cur c;
	unsigned long v;

	if (eol - p >= 14) {
		size_t i;

		for (i = 0; i < 14; i++)
			if (sl__lower((unsigned char)p[i]) != name[i])
				break;
		q = i == 14 ? p + 14 : p;
	}
	if (q == p) {
		if (sl__lower((unsigned char)*p) != 'l')
			return 0;
		q = p + 1;
	}
	while (q < eol && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= eol || *q != ':')
		return 0;
	c.p = q + 1;
	c.end = eol;
	sl__skip_ws(&c);
	if (sl__take_uint(&c, 10, 0xffffffffUL, &v) != 1)
		return -1;
	sl__skip_ws(&c);
	if (!sl__eof(&c))
		return -1;
	*out = (long)v;
	return 1;
}

static int keepalive(const char *buf, size_t len, size_t *out_len)
{
	if (buf[0] == '\n') {
		*out_len = 1;
		return SL_FRAME_KEEPALIVE;
	}
	if (len < 2)
		return SL_FRAME_NEED_MORE;
	if (buf[1] != '\n') {
		*out_len = 1; /* a stray CR */
		return SL_FRAME_KEEPALIVE;
	}
	/* "\r\n\r\n" is a ping, a lone "\r\n" a pong. A ping split after its
	 * first CRLF reads as two pongs; senders write it in one piece. */
	*out_len = (len >= 4 && buf[2] == '\r' && buf[3] == '\n') ? 4 : 2;
	return SL_FRAME_KEEPALIVE;
}

int sl_framer_feed(struct sl_framer *f, const char *buf, size_t len,
		   const struct sl_parse_limits *lim, size_t *out_len)
{
	struct sl_parse_limits l;

	if (!f || (!buf && len) || !out_len)
		return SL_EINVAL;
	if (len == 0)
		return SL_FRAME_NEED_MORE;
	sl__limits_resolve(lim, &l);
	if (f->scanned == 0 && f->hdr_end == 0 &&
	    (buf[0] == '\r' || buf[0] == '\n'))
		return keepalive(buf, len, out_len);

	while (f->hdr_end == 0) {
		size_t start = f->line_start;
		const char *lf, *eol;
		long v;

		if (f->scanned < start)
			f->scanned = start;
		lf = memchr(buf + f->scanned, '\n', len - f->scanned);
		if (!lf) {
			f->scanned = len;
			if (len > l.max_msg_size)
				return SL_ETOOBIG;
			if (len - start > l.max_line_len)
				return SL_EPARSE;
			return SL_FRAME_NEED_MORE;
		}
		eol = (lf > buf + start && lf[-1] == '\r') ? lf - 1 : lf;
		f->scanned = (size_t)(lf - buf) + 1;
		f->line_start = (unsigned)f->scanned;
		if ((size_t)(eol - (buf + start)) > l.max_line_len)
			return SL_EPARSE;
		if (f->scanned > l.max_msg_size)
			return SL_ETOOBIG;
		if (eol == buf + start) {
			f->hdr_end = f->scanned;
			break;
		}
		switch (content_length_line(buf + start, eol, &v)) {
		case 1:
			if (f->cl_seen && f->content_length != v)
				return SL_EPARSE;
			f->cl_seen = 1;
			f->content_length = v;
			break;
		case -1:
			return SL_EPARSE;
		default:
			break;
		}
	}
	if (!f->cl_seen)
		return SL_EPARSE;
	if ((size_t)f->content_length > l.max_msg_size ||
	    f->hdr_end + (size_t)f->content_length > l.max_msg_size)
		return SL_ETOOBIG;
	if (len < f->hdr_end + (size_t)f->content_length)
		return SL_FRAME_NEED_MORE;
	*out_len = f->hdr_end + (size_t)f->content_length;
	return SL_FRAME_MESSAGE;
}
