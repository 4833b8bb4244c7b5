/*
 * transport/dns_wire.c: DNS queries out, DNS responses read in place
 * (RFC 1035 §3.1, §4.1, §4.1.4; RFC 2782 SRV; RFC 3403 NAPTR; RFC 3596
 * AAAA).
 *
 * Owns: nothing; every function reads or writes the caller's buffers.
 * Thread: any (pure).
 * Called by: transport/dns.c (the resolver) and transport/locate.c.
 *
 * Responses come from the network, so every read is checked against the
 * message length before it happens. A name is a run of labels that may end
 * in a compression pointer; a pointer must point before the start of the
 * run that contains it, so each jump goes strictly backwards and the walk
 * ends after at most as many jumps as there are bytes (and we stop at 127
 * anyway). Expanded names are limited to 255 wire bytes like real ones.
 */
#include "dns_wire.h"

#include <string.h>

#include "core/bytes.h"
#include "sip/charset.h"
#include "sipline/error.h"

enum {
	MAX_JUMPS = 127,
	/* A name's labels and length bytes, without the final zero byte. */
	MAX_LABEL_BYTES = SL_DNS_WIRE_NAME_MAX - 1
};

/* Host names only: letters, digits, '-' and '_' (_sip._udp owner names). */
static int label_char(unsigned char c)
{
	return sl__ch(c, SL_CH_ALPHA | SL_CH_DIGIT) || c == '-' || c == '_';
}

/* ---- encoding ---- */

int sl__dns_put_name(uint8_t *buf, size_t cap, size_t *off, const char *name,
		     size_t len)
{
	size_t pos, wire, start;

	if (!buf || !off || (!name && len))
		return SL_EINVAL;
	if (len && name[len - 1] == '.')
		len--;
	if (len > SL_DNS_TEXT_CAP - 1)
		return SL_EINVAL;
	/* First pass: the labels are valid; the wire form takes len + 2. */
	start = 0;
	for (size_t i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (i == start || i - start > SL_DNS_LABEL_MAX)
				return SL_EINVAL;
			start = i + 1;
		} else if (!label_char((unsigned char)name[i])) {
			return SL_EINVAL;
		}
	}
	if (len && (start == len || len - start > SL_DNS_LABEL_MAX))
		return SL_EINVAL;
	wire = len ? len + 2 : 1;
	if (*off > cap || cap - *off < wire)
		return SL_ENOSPC;
	pos = *off;
	start = 0;
	for (size_t i = 0; i <= len && len; i++) {
		if (i == len || name[i] == '.') {
			buf[pos++] = (uint8_t)(i - start);
			memcpy(buf + pos, name + start, i - start);
			pos += i - start;
			start = i + 1;
		}
	}
	buf[pos++] = 0;
	*off = pos;
	return 0;
}

int sl__dns_encode_query(uint8_t *buf, size_t cap, uint16_t id,
			 uint16_t qtype, const char *name, size_t len)
{
	size_t off = SL_DNS_HEADER_LEN;
	int rc;

	if (!buf || !name)
		return SL_EINVAL;
	/* The root alone is a valid DNS name but never a SIP host. */
	if (len == 0 || (len == 1 && name[0] == '.'))
		return SL_EINVAL;
	if (cap < SL_DNS_HEADER_LEN)
		return SL_ENOSPC;
	memset(buf, 0, SL_DNS_HEADER_LEN);
	sl__put_be16(buf, id);
	sl__put_be16(buf + 2, SL_DNS_F_RD);
	sl__put_be16(buf + 4, 1);
	rc = sl__dns_put_name(buf, cap, &off, name, len);
	if (rc < 0)
		return rc;
	if (cap - off < 4)
		return SL_ENOSPC;
	sl__put_be16(buf + off, qtype);
	sl__put_be16(buf + off + 2, SL_DNS_CLASS_IN);
	return (int)(off + 4);
}

/* ---- decoding ---- */

/* Steps over the name at @off without following pointers. */
static int name_skip(const uint8_t *p, size_t len, size_t off, size_t *end)
{
	size_t wire = 0;

	/* Bounded: every label adds at least one byte to @wire. */
	for (;;) {
		unsigned c;

		if (off >= len)
			return SL_EPARSE;
		c = p[off];
		if (c == 0) {
			*end = off + 1;
			return 0;
		}
		if ((c & 0xc0) == 0xc0) {
			if (len - off < 2)
				return SL_EPARSE;
			*end = off + 2;
			return 0;
		}
		/* 0x40 and 0x80: extended label types (RFC 6891), unused. */
		if (c & 0xc0)
			return SL_EPARSE;
		wire += c + 1;
		if (wire > MAX_LABEL_BYTES)
			return SL_EPARSE;
		off += c + 1;
	}
}

/* Steps over one record's frame; the RDATA must lie inside the message. */
static int rr_skip(const uint8_t *p, size_t len, size_t off, size_t *end)
{
	size_t n;
	uint16_t rdlen;

	if (name_skip(p, len, off, &n) < 0 || len - n < 10)
		return SL_EPARSE;
	rdlen = sl__get_be16(p + n + 8);
	if (len - n - 10 < rdlen)
		return SL_EPARSE;
	*end = n + 10 + rdlen;
	return 0;
}

int sl__dns_msg_parse(struct sl_dns_msg *m, const uint8_t *p, size_t len)
{
	uint16_t *counts[3];
	size_t off = SL_DNS_HEADER_LEN;
	int truncated;

	if (!m || !p)
		return SL_EINVAL;
	memset(m, 0, sizeof(*m));
	if (len < SL_DNS_HEADER_LEN)
		return SL_EPARSE;
	m->p = p;
	m->len = len;
	m->id = sl__get_be16(p);
	m->flags = sl__get_be16(p + 2);
	m->n_question = sl__get_be16(p + 4);
	m->n_answer = sl__get_be16(p + 6);
	m->n_authority = sl__get_be16(p + 8);
	m->n_additional = sl__get_be16(p + 10);
	truncated = (m->flags & SL_DNS_F_TC) != 0;
	/* One question per message in practice (RFC 9619). */
	if (m->n_question > 1)
		return SL_EPARSE;
	if (m->n_question == 1) {
		m->q_name = off;
		if (name_skip(p, len, off, &off) < 0 || len - off < 4)
			return SL_EPARSE;
		m->q_type = sl__get_be16(p + off);
		m->q_class = sl__get_be16(p + off + 2);
		off += 4;
	}
	m->rr_off = off;
	counts[0] = &m->n_answer;
	counts[1] = &m->n_authority;
	counts[2] = &m->n_additional;
	/* Each record takes at least 11 bytes, so a count larger than the
	 * message fails here long before 3 * 65535 iterations. */
	for (unsigned s = 0; s < 3; s++) {
		for (unsigned i = 0; i < *counts[s]; i++) {
			if (rr_skip(p, len, off, &off) == 0)
				continue;
			if (!truncated)
				return SL_EPARSE;
			/* RFC 2181 §9: a truncated answer keeps what arrived
			 * whole; the rest is not there. */
			*counts[s] = (uint16_t)i;
			for (unsigned t = s + 1; t < 3; t++)
				*counts[t] = 0;
			return 0;
		}
	}
	return 0;
}

void sl__dns_iter_init(struct sl_dns_iter *it, const struct sl_dns_msg *m)
{
	it->off = m->rr_off;
	it->index = 0;
}

/* A <character-string> (RFC 1035 §3.3) inside [*off, end). */
static int take_string(const uint8_t *p, size_t *off, size_t end,
		       struct sl_slice *out)
{
	size_t n;

	if (*off >= end)
		return SL_EPARSE;
	n = p[*off];
	if (end - *off - 1 < n)
		return SL_EPARSE;
	out->p = (const char *)p + *off + 1;
	out->len = n;
	*off += 1 + n;
	return 0;
}

/* A name that must end exactly at the end of the RDATA. */
static int rdata_name(const struct sl_dns_msg *m, size_t off, size_t end)
{
	size_t n;

	if (off >= end || name_skip(m->p, end, off, &n) < 0 || n != end)
		return SL_EPARSE;
	return 0;
}

static int decode_rdata(const struct sl_dns_msg *m, struct sl_dns_rr *rr)
{
	const uint8_t *d = m->p + rr->rdata;
	size_t end = rr->rdata + rr->rdlen;
	size_t off;

	switch (rr->type) {
	case SL_DNS_T_A:
		if (rr->rdlen != 4)
			return SL_EPARSE;
		memcpy(rr->u.a, d, 4);
		return 0;
	case SL_DNS_T_AAAA:
		if (rr->rdlen != 16)
			return SL_EPARSE;
		memcpy(rr->u.aaaa, d, 16);
		return 0;
	case SL_DNS_T_CNAME:
		rr->u.cname.target = rr->rdata;
		return rdata_name(m, rr->rdata, end);
	case SL_DNS_T_SRV:
		if (rr->rdlen < 7)
			return SL_EPARSE;
		rr->u.srv.priority = sl__get_be16(d);
		rr->u.srv.weight = sl__get_be16(d + 2);
		rr->u.srv.port = sl__get_be16(d + 4);
		rr->u.srv.target = rr->rdata + 6;
		return rdata_name(m, rr->rdata + 6, end);
	case SL_DNS_T_NAPTR:
		if (rr->rdlen < 8)
			return SL_EPARSE;
		rr->u.naptr.order = sl__get_be16(d);
		rr->u.naptr.preference = sl__get_be16(d + 2);
		off = rr->rdata + 4;
		if (take_string(m->p, &off, end, &rr->u.naptr.flags) < 0 ||
		    take_string(m->p, &off, end, &rr->u.naptr.services) < 0 ||
		    take_string(m->p, &off, end, &rr->u.naptr.regexp) < 0)
			return SL_EPARSE;
		rr->u.naptr.replacement = off;
		return rdata_name(m, off, end);
	default:
		return 0;
	}
}

int sl__dns_rr_next(const struct sl_dns_msg *m, struct sl_dns_iter *it,
		    struct sl_dns_rr *rr)
{
	uint32_t an = m->n_answer, ns = m->n_authority;
	uint32_t total = an + ns + m->n_additional;
	const uint8_t *h;
	size_t n;

	if (it->index >= total)
		return 0;
	memset(rr, 0, sizeof(*rr));
	/* sl__dns_msg_parse() checked the frames; check again anyway so an
	 * iterator over a message it did not see cannot read past the end. */
	if (it->off >= m->len || name_skip(m->p, m->len, it->off, &n) < 0 ||
	    m->len - n < 10 || m->len - n - 10 < sl__get_be16(m->p + n + 8)) {
		it->index = total;
		return SL_EPARSE;
	}
	h = m->p + n;
	rr->section = it->index < an ? SL_DNS_ANSWER :
		      it->index < an + ns ? SL_DNS_AUTHORITY :
		      SL_DNS_ADDITIONAL;
	rr->name = it->off;
	rr->type = sl__get_be16(h);
	rr->cls = sl__get_be16(h + 2);
	rr->ttl = sl__get_be32(h + 4);
	rr->rdlen = sl__get_be16(h + 8);
	rr->rdata = n + 10;
	it->off = rr->rdata + rr->rdlen;
	it->index++;
	if (decode_rdata(m, rr) < 0)
		return SL_EPARSE;
	return 1;
}

int sl__dns_name_text(const struct sl_dns_msg *m, size_t off, char *out,
		      size_t cap)
{
	size_t pos = off, run = off, wire = 0, n = 0;
	unsigned jumps = 0;

	if (!m || !out || cap == 0)
		return SL_EINVAL;
	/* Bounded: a label adds to @wire (<= 254), a jump lowers @run. */
	for (;;) {
		unsigned c;

		if (pos >= m->len)
			return SL_EPARSE;
		c = m->p[pos];
		if (c == 0)
			break;
		if ((c & 0xc0) == 0xc0) {
			size_t to;

			if (m->len - pos < 2)
				return SL_EPARSE;
			to = (size_t)(c & 0x3f) << 8 | m->p[pos + 1];
			/* Strictly before this run of labels: no loops. */
			if (to >= run || ++jumps > MAX_JUMPS)
				return SL_EPARSE;
			pos = run = to;
			continue;
		}
		if (c & 0xc0)
			return SL_EPARSE;
		wire += c + 1;
		if (wire > MAX_LABEL_BYTES || m->len - pos - 1 < c)
			return SL_EPARSE;
		if (n && n + 1 < cap)
			out[n] = '.';
		if (n)
			n++;
		for (unsigned i = 0; i < c; i++) {
			unsigned char ch = m->p[pos + 1 + i];

			if (!label_char(ch))
				return SL_EPARSE;
			if (n + 1 < cap)
				out[n] = (char)ch;
			n++;
		}
		pos += 1 + c;
	}
	if (n + 1 > cap) {
		out[0] = '\0';
		return SL_ENOSPC;
	}
	out[n] = '\0';
	return (int)n;
}

int sl__dns_text_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen && a[alen - 1] == '.')
		alen--;
	if (blen && b[blen - 1] == '.')
		blen--;
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++)
		if (sl__lower((unsigned char)a[i]) !=
		    sl__lower((unsigned char)b[i]))
			return 0;
	return 1;
}

int sl__dns_name_eq(const struct sl_dns_msg *m, size_t off, const char *name,
		    size_t len)
{
	char text[SL_DNS_TEXT_CAP];
	int n = sl__dns_name_text(m, off, text, sizeof(text));

	if (n < 0 || (!name && len))
		return 0;
	return sl__dns_text_eq(text, (size_t)n, name, len);
}

int sl__dns_each_answer(const struct sl_dns_msg *m, const char *name,
			size_t len, uint16_t type, sl_dns_rr_fn fn, void *arg)
{
	char cur[SL_DNS_TEXT_CAP], next[SL_DNS_TEXT_CAP];
	size_t cur_len;
	int count = 0;

	if (!m || !name || !fn)
		return SL_EINVAL;
	if (len && name[len - 1] == '.')
		len--;
	if (len >= sizeof(cur))
		return 0;
	memcpy(cur, name, len);
	cur_len = len;
	/* Bounded: SL_DNS_MAX_CNAME + 1 walks of the answer section; a CNAME
	 * loop simply runs out of links. */
	for (unsigned link = 0; link <= SL_DNS_MAX_CNAME; link++) {
		struct sl_dns_iter it;
		struct sl_dns_rr rr;
		int rc, next_len = -1;

		sl__dns_iter_init(&it, m);
		while (it.index < m->n_answer) {
			rc = sl__dns_rr_next(m, &it, &rr);
			if (rc == 0)
				break;
			if (rc < 0 || rr.cls != SL_DNS_CLASS_IN ||
			    !sl__dns_name_eq(m, rr.name, cur, cur_len))
				continue;
			if (rr.type == type) {
				count++;
				if (fn(arg, m, &rr))
					return count;
			} else if (rr.type == SL_DNS_T_CNAME && next_len < 0) {
				next_len = sl__dns_name_text(m,
					rr.u.cname.target, next, sizeof(next));
			}
		}
		if (count > 0 || next_len <= 0)
			break;
		memcpy(cur, next, (size_t)next_len);
		cur_len = (size_t)next_len;
	}
	return count;
}
