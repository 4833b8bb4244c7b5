/*
 * lib/sip/sdp_parse.c: session description parsing (RFC 4566 §5, §6; RFC
 * 8866 keeps the same grammar) into the zero-copy struct sl_sdp. The read
 * accessors are in sdp_util.c.
 *
 * Owns: nothing; fills the caller's struct sl_sdp with slices of its buffer.
 * Thread: pure; any thread.
 * Called by: lib/ua on every received body of type application/sdp,
 * tools/sipmsg, the fuzz harness.
 *
 * Decoded attributes: rtpmap, fmtp, ptime, maxptime, the four directions
 * (RFC 3264 §5.1), rtcp (RFC 3605), rtcp-mux (RFC 5761), crypto (RFC 4568
 * §9.1), mid (RFC 5888), content (RFC 4796). Everything else is kept.
 *
 * Strict on the syntax of each line, lenient on order: peers (Cisco,
 * Grandstream, some SBCs) put b= before c= or a= before c=, and LF-only
 * bodies are common, so those pass; a malformed value never does.
 */
#include <stddef.h>
#include <string.h>

#include "scan.h"
#include "sdp_int.h"
#include "sipline/error.h"
#include "sipline/sdp.h"

static int is_sp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static int is_token(struct sl_slice s)
{
	if (s.len == 0)
		return 0;
	for (size_t i = 0; i < s.len; i++)
		if (!sl__sdp_tokc((unsigned char)s.p[i]))
			return 0;
	return 1;
}

static int all_digits(struct sl_slice s)
{
	if (s.len == 0)
		return 0;
	for (size_t i = 0; i < s.len; i++)
		if (!sl__ch((unsigned char)s.p[i], SL_CH_DIGIT))
			return 0;
	return 1;
}

/* A run of characters other than SP and HT (at least one). */
static int take_field(struct sl_cur *c, struct sl_slice *out)
{
	const char *s = c->p;

	while (c->p < c->end && !is_sp((unsigned char)*c->p))
		c->p++;
	*out = sl__slice(s, c->p);
	return c->p > s;
}

/* At least one SP or HT. */
static int take_spaces(struct sl_cur *c)
{
	const char *s = c->p;

	while (c->p < c->end && is_sp((unsigned char)*c->p))
		c->p++;
	return c->p > s;
}

/* Trailing blanks are tolerated: several phones end lines with a space. */
static int at_end(struct sl_cur *c)
{
	take_spaces(c);
	return c->p >= c->end;
}

static int take_tok(struct sl_cur *c, struct sl_slice *out)
{
	const char *s = c->p;

	while (c->p < c->end && sl__sdp_tokc((unsigned char)*c->p))
		c->p++;
	*out = sl__slice(s, c->p);
	return c->p > s;
}

/*
 * Decimal of 1..@max_digits digits with value <= @max, into a uint64_t
 * (unsigned long is 32 bits on the ARM phones we target, too small for
 * NTP times past 2036). 1 taken, 0 no digit, -1 too long or too large.
 */
static int take_u64(struct sl_cur *c, unsigned max_digits, uint64_t max,
		    uint64_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;
	unsigned n = 0;

	while (p < c->end && *p >= '0' && *p <= '9') {
		unsigned d = (unsigned)(*p - '0');

		if (++n > max_digits || max < d || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
		p++;
	}
	if (n == 0)
		return 0;
	c->p = p;
	*out = v;
	return 1;
}

/* A whole slice as a number in [min, max]. 1 on success. */
static int slice_uint(struct sl_slice s, unsigned max_digits, uint64_t min,
		      uint64_t max, uint64_t *out)
{
	struct sl_cur c = sl__cur(s);

	return take_u64(&c, max_digits, max, out) == 1 && c.p == c.end &&
	       *out >= min;
}

/*
 * A host name as found in o= and c=: letters, digits, '-', '.', '_' (seen
 * in o= lines of lab setups), not made of digits and dots only (that would
 * be a malformed IPv4 address).
 */
static int is_hostish(struct sl_slice s)
{
	int alpha = 0;

	if (s.len == 0)
		return 0;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (sl__ch(c, SL_CH_ALPHA) || c == '-' || c == '_')
			alpha = 1;
		else if (!sl__ch(c, SL_CH_DIGIT) && c != '.')
			return 0;
	}
	return alpha;
}

static int valid_addr(struct sl_slice addrtype, struct sl_slice a)
{
	if (sl_slice_ieq(addrtype, "IP4"))
		return sl__is_ipv4(a) || is_hostish(a);
	if (sl_slice_ieq(addrtype, "IP6"))
		return sl__is_ipv6(a) || is_hostish(a);
	return a.len > 0;
}

/* ---- parser state ---- */

struct parser {
	struct sl_sdp *sdp;
	struct sl_sdp_error *err;
	const char *buf;
	const char *line;          /* start of the current line */
	unsigned lineno;
	struct sl_sdp_media *m;    /* current m= section, NULL at session */
	unsigned seen;             /* SEEN_* of the session */
	unsigned mseen;            /* SEEN_* of the current m= section */
	size_t m_off[SL_SDP_MAX_MEDIA];
	unsigned m_line[SL_SDP_MAX_MEDIA];
};

enum {
	SEEN_V = 1u << 0,
	SEEN_O = 1u << 1,
	SEEN_S = 1u << 2,
	SEEN_I = 1u << 3,
	SEEN_U = 1u << 4,
	SEEN_C = 1u << 5,
	SEEN_T = 1u << 6,
	SEEN_PTIME = 1u << 7,
	SEEN_MAXPTIME = 1u << 8,
	SEEN_RTCP = 1u << 9,
	SEEN_MID = 1u << 10,
	SEEN_CONTENT = 1u << 11
};

static int fail(struct parser *P, int code, const char *reason)
{
	if (P->err) {
		P->err->offset = (size_t)(P->line - P->buf);
		P->err->line = P->lineno;
		P->err->reason = reason;
	}
	return code;
}

/* ---- line decoders ---- */

/* <nettype> SP <addrtype> SP <address>[/ttl[/num]] (RFC 4566 §5.7). */
static int parse_conn(struct sl_cur *c, struct sl_sdp_conn *conn)
{
	struct sl_slice field, addr;
	const char *slash;
	uint64_t v;

	memset(conn, 0, sizeof(*conn));
	if (!take_tok(c, &conn->nettype) || !take_spaces(c) ||
	    !take_tok(c, &conn->addrtype) || !take_spaces(c) ||
	    !take_field(c, &field) || !at_end(c))
		return -1;
	addr = field;
	slash = memchr(field.p, '/', field.len);
	if (slash && (sl_slice_ieq(conn->addrtype, "IP4") ||
		      sl_slice_ieq(conn->addrtype, "IP6"))) {
		struct sl_cur s = { slash + 1, field.p + field.len };

		addr = sl__slice(field.p, slash);
		if (sl_slice_ieq(conn->addrtype, "IP4")) {
			/* IP4 multicast: /ttl[/number of addresses] */
			if (take_u64(&s, 3, 255, &v) != 1)
				return -1;
			conn->ttl = (uint16_t)v;
			if (s.p < s.end && *s.p == '/') {
				s.p++;
				if (take_u64(&s, 5, 65535, &v) != 1 || v == 0)
					return -1;
				conn->num = (uint16_t)v;
			}
		} else {
			/* IP6 has no TTL: /number of addresses */
			if (take_u64(&s, 5, 65535, &v) != 1 || v == 0)
				return -1;
			conn->num = (uint16_t)v;
		}
		if (s.p != s.end)
			return -1;
	}
	if (!valid_addr(conn->addrtype, addr))
		return -1;
	conn->address = addr;
	conn->present = 1;
	return 0;
}

static int parse_origin(struct sl_cur *c, struct sl_sdp_origin *o)
{
	if (!take_field(c, &o->username) || !take_spaces(c) ||
	    !take_field(c, &o->sess_id) || !all_digits(o->sess_id) ||
	    !take_spaces(c) || !take_field(c, &o->sess_version) ||
	    !all_digits(o->sess_version) || !take_spaces(c) ||
	    !take_tok(c, &o->nettype) || !take_spaces(c) ||
	    !take_tok(c, &o->addrtype) || !take_spaces(c) ||
	    !take_field(c, &o->address) || !at_end(c))
		return -1;
	return valid_addr(o->addrtype, o->address) ? 0 : -1;
}

static int parse_bw(struct parser *P, struct sl_cur *c)
{
	size_t *n = P->m ? &P->m->n_bw : &P->sdp->n_bw;
	struct sl_sdp_bw *bw = P->m ? P->m->bw : P->sdp->bw;
	struct sl_slice type;
	uint64_t v;

	if (!take_tok(c, &type) || c->p >= c->end || *c->p != ':')
		return fail(P, SL_EPARSE, "bad b= line");
	c->p++;
	if (take_u64(c, 10, UINT32_MAX, &v) != 1 || !at_end(c))
		return fail(P, SL_EPARSE, "bad b= line");
	if (*n >= SL_SDP_MAX_BW)
		return fail(P, SL_ELIMIT, "too many b= lines");
	bw[*n].type = type;
	bw[*n].value = (uint32_t)v;
	++*n;
	return 0;
}

static int parse_time(struct sl_cur *c, uint64_t *start, uint64_t *stop)
{
	if (take_u64(c, 20, UINT64_MAX, start) != 1 || !take_spaces(c) ||
	    take_u64(c, 20, UINT64_MAX, stop) != 1 || !at_end(c))
		return -1;
	return 0;
}

static int proto_ok(struct sl_slice s)
{
	/* token *("/" token) */
	if (s.len == 0 || s.p[0] == '/' || s.p[s.len - 1] == '/')
		return 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.p[i] == '/') {
			if (s.p[i + 1] == '/')
				return 0;
		} else if (!sl__sdp_tokc((unsigned char)s.p[i])) {
			return 0;
		}
	}
	return 1;
}

static int parse_media(struct parser *P, struct sl_cur *c)
{
	struct sl_sdp *sdp = P->sdp;
	struct sl_sdp_media *m;
	struct sl_slice f;
	uint64_t v;
	int rtp;

	if (sdp->n_media >= SL_SDP_MAX_MEDIA)
		return fail(P, SL_ELIMIT, "too many m= lines");
	m = &sdp->media[sdp->n_media];
	memset(m, 0, sizeof(*m));
	m->attr_first = sdp->attr_used;
	m->extra_first = sdp->extra_used;
	if (!take_tok(c, &m->media) || !take_spaces(c) ||
	    take_u64(c, 5, 65535, &v) != 1)
		return fail(P, SL_EPARSE, "bad m= line");
	m->port = (uint16_t)v;
	if (c->p < c->end && *c->p == '/') {
		c->p++;
		if (take_u64(c, 5, 65535, &v) != 1 || v == 0)
			return fail(P, SL_EPARSE, "bad m= line");
		m->n_ports = (uint16_t)v;
	}
	if (!take_spaces(c) || !take_field(c, &m->proto) || !proto_ok(m->proto))
		return fail(P, SL_EPARSE, "bad m= line");
	m->type = sl_sdp_media_type_from(m->media);
	rtp = sl_sdp_media_is_rtp(m);
	/* each format is preceded by blanks; a field stops at a blank */
	while (!at_end(c)) {
		struct sl_sdp_fmt *fmt;

		take_field(c, &f);
		if (!is_token(f))
			return fail(P, SL_EPARSE, "bad m= line");
		if (m->n_fmt >= SL_SDP_MAX_FMT)
			return fail(P, SL_ELIMIT, "too many formats");
		fmt = &m->fmt[m->n_fmt];
		fmt->id = f;
		fmt->pt = -1;
		if (rtp) {
			if (!slice_uint(f, 3, 0, 127, &v))
				return fail(P, SL_EPARSE, "bad payload type");
			fmt->pt = (int16_t)v;
		}
		for (size_t i = 0; i < m->n_fmt; i++)
			if (rtp ? m->fmt[i].pt == fmt->pt :
				  sl__sdp_same(m->fmt[i].id, f))
				return fail(P, SL_EPARSE, "duplicate format");
		m->n_fmt++;
	}
	/* RFC 4566 wants a format; some SBCs send none on rejected lines */
	if (m->n_fmt == 0 && m->port != 0)
		return fail(P, SL_EPARSE, "bad m= line");
	P->m_off[sdp->n_media] = (size_t)(P->line - P->buf);
	P->m_line[sdp->n_media] = P->lineno;
	sdp->n_media++;
	P->m = m;
	P->mseen = 0;
	return 0;
}

/* ---- attributes ---- */

static int keep_attr(struct parser *P, struct sl_slice name,
		     struct sl_slice value, int has_value)
{
	struct sl_sdp *sdp = P->sdp;
	struct sl_sdp_attr *a;

	if (sdp->attr_used >= SL_SDP_MAX_ATTR)
		return fail(P, SL_ELIMIT, "too many a= lines");
	a = &sdp->attr[sdp->attr_used++];
	a->name = name;
	a->value = value;
	a->has_value = has_value;
	if (P->m)
		P->m->n_attr++;
	else
		sdp->n_attr++;
	return 0;
}

static enum sl_sdp_dir dir_from(struct sl_slice name)
{
	static const char *const names[] = {
		"sendrecv", "sendonly", "recvonly", "inactive"
	};

	for (size_t i = 0; i < 4; i++)
		if (sl_slice_ieq(name, names[i]))
			return (enum sl_sdp_dir)(SL_SDP_DIR_SENDRECV + i);
	return SL_SDP_DIR_NONE;
}

static int set_dir(struct parser *P, enum sl_sdp_dir *dst, enum sl_sdp_dir d,
		   int has_value)
{
	if (has_value)
		return fail(P, SL_EPARSE, "bad direction attribute");
	/* a repeat is harmless; two different ones cannot both hold */
	if (*dst != SL_SDP_DIR_NONE && *dst != d)
		return fail(P, SL_EPARSE, "conflicting direction attributes");
	*dst = d;
	return 0;
}

/* rtpmap: <pt> SP <encoding>/<clock>[/<channels>] (RFC 4566 §6). */
static int attr_rtpmap(struct parser *P, struct sl_slice value,
		       struct sl_slice name, int has_value)
{
	struct sl_sdp_media *m = P->m;
	struct sl_cur c = sl__cur(value);
	struct sl_slice enc;
	uint64_t pt, clock, ch = 0;
	int i;

	if (!has_value || take_u64(&c, 3, 999, &pt) != 1)
		return fail(P, SL_EPARSE, "bad a=rtpmap");
	if (pt > 127)
		return fail(P, SL_EPARSE, "rtpmap for pt > 127");
	if (!take_spaces(&c) || !take_tok(&c, &enc) || c.p >= c.end ||
	    *c.p++ != '/' || take_u64(&c, 10, UINT32_MAX, &clock) != 1 ||
	    clock == 0)
		return fail(P, SL_EPARSE, "bad a=rtpmap");
	if (c.p < c.end && *c.p == '/') {
		c.p++;
		if (take_u64(&c, 5, 65535, &ch) != 1 || ch == 0)
			return fail(P, SL_EPARSE, "bad a=rtpmap");
	}
	if (!at_end(&c))
		return fail(P, SL_EPARSE, "bad a=rtpmap");
	i = sl_sdp_media_is_rtp(m) ? sl_sdp_media_find_pt(m, (int)pt) : -1;
	if (i < 0) /* not one of this line's formats: keep it as it is */
		return keep_attr(P, name, value, has_value);
	if (m->fmt[i].has_rtpmap)
		return fail(P, SL_EPARSE, "duplicate a=rtpmap");
	m->fmt[i].has_rtpmap = 1;
	m->fmt[i].encoding = enc;
	m->fmt[i].clock_rate = (uint32_t)clock;
	m->fmt[i].channels = (uint16_t)ch;
	return 0;
}

/* fmtp: <format> SP <format specific parameters> (RFC 4566 §6). */
static int attr_fmtp(struct parser *P, struct sl_slice value,
		     struct sl_slice name, int has_value)
{
	struct sl_sdp_media *m = P->m;
	struct sl_cur c = sl__cur(value);
	struct sl_slice f, params;
	int i = -1;

	if (!has_value || !take_tok(&c, &f) ||
	    (c.p < c.end && !is_sp((unsigned char)*c.p)))
		return fail(P, SL_EPARSE, "bad a=fmtp");
	take_spaces(&c);
	params = sl__trim(sl__slice(c.p, c.end));
	if (sl_sdp_media_is_rtp(m)) {
		uint64_t pt;

		if (!slice_uint(f, 3, 0, 127, &pt))
			return fail(P, SL_EPARSE, "bad a=fmtp");
		i = sl_sdp_media_find_pt(m, (int)pt);
	} else {
		for (size_t k = 0; k < m->n_fmt && i < 0; k++)
			if (sl__sdp_same(m->fmt[k].id, f))
				i = (int)k;
	}
	if (i < 0)
		return keep_attr(P, name, value, has_value);
	if (m->fmt[i].has_fmtp)
		return fail(P, SL_EPARSE, "duplicate a=fmtp");
	m->fmt[i].has_fmtp = 1;
	m->fmt[i].fmtp = params;
	return 0;
}

static int attr_ms(struct parser *P, struct sl_slice value, int has_value,
		   unsigned bit, uint32_t *dst, const char *bad)
{
	struct sl_cur c = sl__cur(value);
	uint64_t v;

	if (!has_value || take_u64(&c, 10, UINT32_MAX, &v) != 1 || v == 0 ||
	    !at_end(&c))
		return fail(P, SL_EPARSE, bad);
	if (P->mseen & bit)
		return fail(P, SL_EPARSE, "duplicate attribute");
	P->mseen |= bit;
	*dst = (uint32_t)v;
	return 0;
}

/* rtcp: <port> [SP <nettype> SP <addrtype> SP <address>] (RFC 3605 §2.1) */
static int attr_rtcp(struct parser *P, struct sl_slice value, int has_value)
{
	struct sl_sdp_media *m = P->m;
	struct sl_cur c = sl__cur(value);
	uint64_t port;

	/* the address part has no /ttl or /num (RFC 3605 §2.1) */
	if (!has_value || take_u64(&c, 5, 65535, &port) != 1 ||
	    memchr(value.p, '/', value.len))
		return fail(P, SL_EPARSE, "bad a=rtcp");
	if (!at_end(&c)) {
		if (c.p == value.p || !is_sp((unsigned char)c.p[-1]) ||
		    parse_conn(&c, &m->rtcp_addr) != 0)
			return fail(P, SL_EPARSE, "bad a=rtcp");
	}
	if (P->mseen & SEEN_RTCP)
		return fail(P, SL_EPARSE, "duplicate attribute");
	P->mseen |= SEEN_RTCP;
	m->has_rtcp = 1;
	m->rtcp_port = (uint16_t)port;
	return 0;
}

/* crypto: <tag> SP <suite> SP <key-params> [SP <session-params>] */
static int attr_crypto(struct parser *P, struct sl_slice value,
		       int has_value)
{
	struct sl_sdp_media *m = P->m;
	struct sl_cur c = sl__cur(value);
	struct sl_sdp_crypto cr;
	uint64_t tag;

	memset(&cr, 0, sizeof(cr));
	if (!has_value || take_u64(&c, 9, 999999999, &tag) != 1 ||
	    !take_spaces(&c) || !take_tok(&c, &cr.suite) ||
	    !take_spaces(&c) || !take_field(&c, &cr.key_params) ||
	    !memchr(cr.key_params.p, ':', cr.key_params.len))
		return fail(P, SL_EPARSE, "bad a=crypto");
	take_spaces(&c); /* the key field stopped at a blank or the end */
	cr.session_params = sl__trim(sl__slice(c.p, c.end));
	cr.tag = (uint32_t)tag;
	if (m->n_crypto >= SL_SDP_MAX_CRYPTO)
		return fail(P, SL_ELIMIT, "too many a=crypto lines");
	m->crypto[m->n_crypto++] = cr;
	return 0;
}

/* mid (RFC 5888 §4: a token) and content (RFC 4796: tokens and commas). */
static int attr_word(struct parser *P, struct sl_slice value, int has_value,
		     unsigned bit, struct sl_slice *dst, int commas,
		     const char *bad)
{
	struct sl_slice v = sl__trim(value);

	if (!has_value || v.len == 0)
		return fail(P, SL_EPARSE, bad);
	for (size_t i = 0; i < v.len; i++)
		if (!sl__sdp_tokc((unsigned char)v.p[i]) &&
		    !(commas && v.p[i] == ','))
			return fail(P, SL_EPARSE, bad);
	if (P->mseen & bit)
		return fail(P, SL_EPARSE, "duplicate attribute");
	P->mseen |= bit;
	*dst = v;
	return 0;
}

static int parse_attr(struct parser *P, struct sl_cur *c)
{
	struct sl_sdp_media *m = P->m;
	struct sl_slice name, value = { c->end, 0 };
	enum sl_sdp_dir d;
	int has_value = 0;

	if (!take_tok(c, &name))
		return fail(P, SL_EPARSE, "bad a= line");
	if (c->p < c->end) {
		if (*c->p != ':')
			return fail(P, SL_EPARSE, "bad a= line");
		has_value = 1;
		value = sl__slice(c->p + 1, c->end);
	}
	d = dir_from(name);
	if (d != SL_SDP_DIR_NONE)
		return set_dir(P, m ? &m->dir : &P->sdp->dir, d, has_value);
	if (!m) /* other session attributes are kept as they are */
		return keep_attr(P, name, value, has_value);
	if (sl_slice_ieq(name, "rtpmap"))
		return attr_rtpmap(P, value, name, has_value);
	if (sl_slice_ieq(name, "fmtp"))
		return attr_fmtp(P, value, name, has_value);
	if (sl_slice_ieq(name, "ptime"))
		return attr_ms(P, value, has_value, SEEN_PTIME, &m->ptime,
			       "bad a=ptime");
	if (sl_slice_ieq(name, "maxptime"))
		return attr_ms(P, value, has_value, SEEN_MAXPTIME,
			       &m->maxptime, "bad a=maxptime");
	if (sl_slice_ieq(name, "rtcp"))
		return attr_rtcp(P, value, has_value);
	if (sl_slice_ieq(name, "rtcp-mux")) {
		if (has_value)
			return fail(P, SL_EPARSE, "bad a=rtcp-mux");
		m->rtcp_mux = 1;
		return 0;
	}
	if (sl_slice_ieq(name, "crypto"))
		return attr_crypto(P, value, has_value);
	if (sl_slice_ieq(name, "mid"))
		return attr_word(P, value, has_value, SEEN_MID, &m->mid, 0,
				 "bad a=mid");
	if (sl_slice_ieq(name, "content"))
		return attr_word(P, value, has_value, SEEN_CONTENT,
				 &m->content, 1, "bad a=content");
	return keep_attr(P, name, value, has_value);
}

/* ---- lines ---- */

static int keep_line(struct parser *P, char type, struct sl_slice value)
{
	struct sl_sdp *sdp = P->sdp;

	if (sdp->extra_used >= SL_SDP_MAX_EXTRA)
		return fail(P, SL_ELIMIT, "too many kept lines");
	sdp->extra[sdp->extra_used].type = type;
	sdp->extra[sdp->extra_used].value = value;
	sdp->extra_used++;
	if (P->m)
		P->m->n_extra++;
	else
		sdp->n_extra++;
	return 0;
}

/* Marks a once-per-section line as seen; 0 when it was already. */
static int once(struct parser *P, unsigned bit)
{
	unsigned *seen = P->m ? &P->mseen : &P->seen;

	if (*seen & bit)
		return 0;
	*seen |= bit;
	return 1;
}

static int parse_line(struct parser *P, char type, struct sl_slice value)
{
	struct sl_sdp *sdp = P->sdp;
	struct sl_cur c = sl__cur(value);

	/* lines that only exist at session level (RFC 4566 §5) */
	if (P->m && (type == 'v' || type == 'o' || type == 's' ||
		     type == 'u' || type == 'e' || type == 'p' ||
		     type == 't' || type == 'r' || type == 'z'))
		return fail(P, SL_EPARSE, "session line in media section");
	switch (type) {
	case 'v':
		return fail(P, SL_EPARSE, "duplicate v= line");
	case 'o':
		if (!once(P, SEEN_O))
			return fail(P, SL_EPARSE, "duplicate o= line");
		if (parse_origin(&c, &sdp->origin) != 0)
			return fail(P, SL_EPARSE, "bad o= line");
		return 0;
	case 's':
		if (!once(P, SEEN_S))
			return fail(P, SL_EPARSE, "duplicate s= line");
		sdp->name = value;
		return 0;
	case 'i':
		if (!once(P, SEEN_I))
			return fail(P, SL_EPARSE, "duplicate i= line");
		*(P->m ? &P->m->info : &sdp->info) = value;
		return 0;
	case 'u':
		if (!once(P, SEEN_U))
			return fail(P, SL_EPARSE, "duplicate u= line");
		sdp->uri = value;
		return 0;
	case 'c':
		if (!once(P, SEEN_C))
			return fail(P, SL_EPARSE, "duplicate c= line");
		if (parse_conn(&c, P->m ? &P->m->conn : &sdp->conn) != 0)
			return fail(P, SL_EPARSE, "bad c= line");
		return 0;
	case 'b':
		return parse_bw(P, &c);
	case 't':
		if (once(P, SEEN_T)) {
			if (parse_time(&c, &sdp->t_start, &sdp->t_stop) != 0)
				return fail(P, SL_EPARSE, "bad t= line");
			return 0;
		} else {
			uint64_t a, b;

			if (parse_time(&c, &a, &b) != 0)
				return fail(P, SL_EPARSE, "bad t= line");
		}
		return keep_line(P, type, value);
	case 'r':
		if (!(P->seen & SEEN_T))
			return fail(P, SL_EPARSE, "r= line without t= line");
		return keep_line(P, type, value);
	case 'm':
		return parse_media(P, &c);
	case 'a':
		return parse_attr(P, &c);
	default: /* e= p= z= k= and unknown lower-case types */
		return keep_line(P, type, value);
	}
}

/* 1 when [p, end) holds only white space: the end of the description. */
static int only_ws(const char *p, const char *end)
{
	while (p < end && sl__ch((unsigned char)*p, SL_CH_WS))
		p++;
	return p == end;
}

int sl_sdp_parse(struct sl_sdp *sdp, const char *buf, size_t len,
		 struct sl_sdp_error *err)
{
	struct parser P;
	const char *p = buf, *end = buf + len;
	int rc;

	if (!sdp || (!buf && len))
		return SL_EINVAL;
	if (err) {
		err->offset = 0;
		err->line = 0;
		err->reason = NULL;
	}
	/* Only the fields before the arrays are cleared: every array entry
	 * is written in full (or cleared) when the count takes it, and
	 * nothing reads past the counts. The whole struct is 32 KB, and a
	 * call parses a description many times. */
	memset(sdp, 0, offsetof(struct sl_sdp, media));
	sdp->attr_used = 0;
	sdp->extra_used = 0;
	memset(&P, 0, sizeof(P));
	P.sdp = sdp;
	P.err = err;
	P.buf = buf;
	P.line = buf;
	while (p < end && !only_ws(p, end)) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;

		P.line = p;
		P.lineno++;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (eol == p)
			return fail(&P, SL_EPARSE, "empty line");
		if (eol - p < 2 || p[1] != '=')
			return fail(&P, SL_EPARSE, "line without '='");
		if (p[0] < 'a' || p[0] > 'z')
			return fail(&P, SL_EPARSE, "bad line type");
		for (const char *q = p + 2; q < eol; q++) {
			unsigned char ch = (unsigned char)*q;

			if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
				return fail(&P, SL_EPARSE,
					    "control character in line");
		}
		if (P.lineno == 1) {
			struct sl_cur v = { p + 2, eol };

			if (p[0] != 'v')
				return fail(&P, SL_EPARSE,
					    "v= must be the first line");
			if (v.p >= v.end || *v.p++ != '0' || !at_end(&v))
				return fail(&P, SL_EPARSE, "bad v= line");
			P.seen |= SEEN_V;
		} else {
			rc = parse_line(&P, p[0], sl__slice(p + 2, eol));
			if (rc != 0)
				return rc;
		}
		p = nl ? nl + 1 : end;
	}
	P.line = buf;
	if (!(P.seen & SEEN_V)) {
		P.lineno = 0;
		return fail(&P, SL_EPARSE, "missing v= line");
	}
	P.lineno = 0;
	if (!(P.seen & SEEN_O))
		return fail(&P, SL_EPARSE, "missing o= line");
	if (!(P.seen & SEEN_S))
		return fail(&P, SL_EPARSE, "missing s= line");
	if (!(P.seen & SEEN_T))
		return fail(&P, SL_EPARSE, "missing t= line");
	if (!sdp->conn.present) {
		/* RFC 4566 §5.7: c= in every m= section then; a disabled
		 * stream (port 0) has nothing to connect to */
		for (size_t i = 0; i < sdp->n_media; i++) {
			if (sdp->media[i].conn.present ||
			    sdp->media[i].port == 0)
				continue;
			P.line = buf + P.m_off[i];
			P.lineno = P.m_line[i];
			return fail(&P, SL_EPARSE, "missing c= line");
		}
	}
	return 0;
}
