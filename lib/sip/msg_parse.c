/*
 * lib/sip/msg_parse.c: the message splitter (RFC 3261 §7, §18.3, §20).
 *
 * Owns: nothing; fills the caller's struct sl_msg and takes the header
 * table and Via array from the caller's arena.
 * Thread: any; reentrant.
 * Called by: transports (every received message), tools/sipmsg, tests.
 *
 * One pass over the message: the start line, then each header line (with
 * its folded continuations) cut into name and value, the name mapped to an
 * id from its length and end bytes, list values split at top-level commas.
 * Then the headers every layer needs are decoded (Via, From, To, Call-ID,
 * CSeq, Max-Forwards, Content-Length, Content-Type) so a bad request is
 * answered 400 before any transaction exists. The input is never written.
 */
#include <string.h>

#include "msg_int.h"

struct parse_ctx {
	struct sl_msg *m;
	struct sl_parse_error *err;
	struct sl_parse_limits lim;
	uint16_t last[SL_HDR__COUNT];  /* last index per id, for chaining */
	unsigned hdr_cap;              /* entries reserved in the arena */
};

static int fail(struct parse_ctx *x, int code, int status, const char *reason,
		const char *at)
{
	if (x->err) {
		x->err->code = code;
		/* A response is never answered (RFC 3261 §18.1.2): drop it. */
		x->err->status = x->m->is_request ? status : 0;
		x->err->reason = reason;
		x->err->offset = at >= x->m->buf ? (size_t)(at - x->m->buf) : 0;
	}
	return code;
}

#define BAD(x, reason, at) fail((x), SL_EPARSE, 400, (reason), (at))

void sl__limits_resolve(const struct sl_parse_limits *in,
			struct sl_parse_limits *out)
{
	struct sl_parse_limits d = { 0, 0, 0, 0 };

	if (in)
		d = *in;
	out->max_msg_size = d.max_msg_size ? d.max_msg_size
					   : SL_MAX_MSG_SIZE_DEFAULT;
	out->max_line_len = d.max_line_len ? d.max_line_len
					   : SL_MAX_LINE_LEN_DEFAULT;
	out->max_headers = d.max_headers ? d.max_headers
					 : SL_MAX_HEADERS_DEFAULT;
	out->max_vias = d.max_vias ? d.max_vias : SL_MAX_VIAS_DEFAULT;
	if (out->max_headers > SL_HDR_NONE - 1)
		out->max_headers = SL_HDR_NONE - 1;
}

void sl_parse_limits_init(struct sl_parse_limits *lim)
{
	if (lim)
		sl__limits_resolve(NULL, lim);
}

/* End of the line starting at @p: *content_end excludes CR LF. Returns the
 * start of the next line, or NULL when no LF follows. A bare LF ends a line
 * too: RFC 3261 asks for CRLF, but peers that send LF are common and the
 * meaning is unambiguous. */
static const char *line_end(const char *p, const char *end,
			    const char **content_end)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));

	if (!lf)
		return NULL;
	*content_end = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
	return lf + 1;
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, compared case-insensitively.
 * Returns 1 for 2.0, 0 for another well-formed version, -1 otherwise. */
static int check_version(struct sl_slice v)
{
	const char *p = v.p, *end = v.p + v.len;
	const char *major;
	int n;

	if (v.len < 7 || sl__lower((unsigned char)p[0]) != 's' ||
	    sl__lower((unsigned char)p[1]) != 'i' ||
	    sl__lower((unsigned char)p[2]) != 'p' || p[3] != '/')
		return -1;
	p += 4;
	major = p;
	for (n = 0; p < end && *p >= '0' && *p <= '9'; p++)
		n++;
	if (n == 0 || p >= end || *p != '.')
		return -1;
	p++;
	for (n = 0; p < end && *p >= '0' && *p <= '9'; p++)
		n++;
	if (n == 0 || p != end)
		return -1;
	return (v.len == 7 && major[0] == '2' && major[2] == '0') ? 1 : 0;
}

static int parse_request_line(struct parse_ctx *x, const char *p,
			      const char *eol)
{
	struct sl_msg *m = x->m;
	const char *s = p, *u;
	int v;

	while (p < eol && sl__ch((unsigned char)*p, SL_CH_TOKEN))
		p++;
	if (p == s || p >= eol || *p != ' ')
		return BAD(x, "Bad Request-Line", p);
	m->method_name = sl__slice(s, p);
	m->method = sl_method_from_name(s, (size_t)(p - s));
	/* Exactly one SP between the elements (RFC 4475 lwsstart, trws). */
	u = ++p;
	while (p < eol && *p != ' ' && *p != '\t')
		p++;
	if (p == u || p >= eol || *p != ' ')
		return BAD(x, "Bad Request-Line", p);
	m->ruri_text = sl__slice(u, p);
	m->version = sl__slice(p + 1, eol);
	v = check_version(m->version);
	if (v < 0)
		return BAD(x, "Bad SIP version or Request-URI", p + 1);
	if (v == 0)
		return fail(x, SL_EUNSUPP, 505, "Version Not Supported", p + 1);
	if (sl_uri_parse(u, m->ruri_text.len, &m->ruri) != 0)
		return BAD(x, "Bad Request-URI", u);
	/* RFC 3261 §19.1.1: headers are not allowed in a Request-URI
	 * (RFC 4475 escruri). */
	if ((m->ruri.scheme == SL_URI_SIP || m->ruri.scheme == SL_URI_SIPS) &&
	    m->ruri.headers.len)
		return BAD(x, "Headers not allowed in Request-URI", u);
	return 0;
}

static int parse_status_line(struct parse_ctx *x, const char *p,
			     const char *eol)
{
	struct sl_msg *m = x->m;
	const char *s = p;
	int code = 0;

	while (p < eol && *p != ' ')
		p++;
	m->version = sl__slice(s, p);
	if (check_version(m->version) != 1)
		return BAD(x, "Bad SIP version", s);
	if (eol - p < 4 || p[1] < '1' || p[1] > '6' || p[2] < '0' ||
	    p[2] > '9' || p[3] < '0' || p[3] > '9')
		return BAD(x, "Bad status code", p);
	code = (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
	p += 4;
	/* noreason (RFC 4475 §3.1.1.13): the reason may be empty, and some
	 * peers also leave out the SP before it. */
	if (p < eol && *p != ' ')
		return BAD(x, "Bad status code", p);
	if (p < eol)
		p++;
	for (s = p; s < eol; s++)
		if (!sl__ch((unsigned char)*s, SL_CH_TEXT))
			return BAD(x, "Bad reason phrase", s);
	m->status = code;
	m->reason = sl__slice(p, eol);
	return 0;
}

static int add_header(struct parse_ctx *x, enum sl_hdr_id id,
		      struct sl_slice name, struct sl_slice value)
{
	struct sl_msg *m = x->m;
	struct sl_hdr *h;
	uint16_t i = m->n_hdrs;

	if (i >= x->hdr_cap)
		return i >= x->lim.max_headers
			? fail(x, SL_ELIMIT, 513, "Too Many Headers", name.p)
			: fail(x, SL_ENOMEM, 500, "Parser Arena Exhausted",
			       name.p);
	h = &m->hdrs[i];
	h->name = name;
	h->value = value;
	h->id = (uint16_t)id;
	h->next = SL_HDR_NONE;
	if (id != SL_HDR_OTHER) {
		if (m->first[id] == SL_HDR_NONE)
			m->first[id] = i;
		else
			m->hdrs[x->last[id]].next = i;
		x->last[id] = i;
	}
	m->n_hdrs = (uint16_t)(i + 1);
	return 0;
}

/* Bytes that matter when splitting a list value; everything else is
 * skipped by one table test per byte. */
static const uint8_t list_special[256] = {
	[','] = 1, ['"'] = 1, ['<'] = 1, ['>'] = 1
};

/* Splits a list value at commas outside quoted strings and '<' '>' and adds
 * each non-empty element (RFC 3261 §7.3.1). */
static int add_list(struct parse_ctx *x, enum sl_hdr_id id,
		    struct sl_slice name, struct sl_slice value)
{
	const char *p = value.p, *end = value.p + value.len, *s = p;
	int angle = 0, rc;

	if (!memchr(value.p, ',', value.len))
		return value.len ? add_header(x, id, name, value) : 0;
	for (;;) {
		struct sl_slice el;

		while (p < end && !list_special[(unsigned char)*p])
			p++;
		if (p < end && *p != ',') {
			if (*p == '"') {
				/* a quoted string: skip to its end, over
				 * quoted-pairs; unterminated runs to the end
				 * and its decoder reports it */
				for (p++; p < end && *p != '"'; p++)
					if (*p == '\\' && p + 1 < end)
						p++;
			} else {
				angle = *p == '<';
			}
			if (p < end)
				p++;
			continue;
		}
		if (p < end && angle) {
			p++;
			continue;
		}
		el = sl__trim(sl__slice(s, p));
		if (el.len && (rc = add_header(x, id, name, el)) != 0)
			return rc;
		if (p >= end)
			return 0;
		s = ++p;
	}
}

#if defined(__GNUC__)
typedef unsigned char v16u __attribute__((vector_size(16)));
typedef signed char v16s __attribute__((vector_size(16)));
#endif

/* The first byte in [p, end) below 0x20 or equal to 0x7f, or @end. Every
 * header byte passes here once: this one scan finds the line end (CR or
 * LF) and any control byte at the same time, 16 bytes a step where the
 * compiler has vector types (GCC and clang, on any target). */
static inline const char *find_control(const char *p, const char *end)
{
#if defined(__GNUC__)
	for (; end - p >= 16; p += 16) {
		v16u v;
		v16s hit;
		uint64_t lo, hi;

		memcpy(&v, p, sizeof(v));
		hit = (v16s)((v < 0x20) | (v == 0x7f));
		memcpy(&lo, &hit, 8);
		memcpy(&hi, (const char *)&hit + 8, 8);
		if (!(lo | hi))
			continue;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		return p + (lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll(hi)) / 8;
#else
		break;
#endif
	}
#endif
	for (; p < end; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return p;
	return end;
}

/* Scans a header value from @p: sets *eol to the end of its content (before
 * the line break of its last line) and *next to the first byte of the next
 * line, unfolding continuation lines (RFC 3261 §7.3.1). A datagram may end
 * without a final line break. Control bytes are legal only as a
 * quoted-pair (RFC 4475 intmeth puts BEL, NUL and DEL in a quoted display
 * name); the decoders check the quoting itself, this keeps raw control
 * bytes out of every value, unknown headers included. */
static int scan_value(struct parse_ctx *x, const char *p, const char *end,
		      const char **eol, const char **next)
{
	const char *start = p;

	for (;;) {
		const char *q = find_control(p, end), *n;

		if (q >= end) {
			*eol = *next = end;
			return 0;
		}
		if (*q == '\t' || (q > start && q[-1] == '\\' && *q != '\r' &&
				   *q != '\n')) {
			p = q + 1;
			continue;
		}
		if (*q == '\n')
			n = q + 1;
		else if (*q == '\r' && q + 1 < end && q[1] == '\n')
			n = q + 2;
		else if (*q == '\r' && q + 1 == end)
			n = end;
		else
			return BAD(x, "Control character in header", q);
		if (n < end && (*n == ' ' || *n == '\t')) {
			p = n;
			continue;
		}
		*eol = q;
		*next = n;
		return 0;
	}
}

/* Reads the header block from @p; sets *body_at to the first body byte.
 * Without a blank line, a datagram's headers end at the end of the input. */
static int parse_headers(struct parse_ctx *x, const char *p, const char *end,
			 unsigned flags, const char **body_at)
{
	for (;;) {
		/* Set by the line scan below; initialised only because gcc -O1
		 * cannot see that every path through it sets them. */
		const char *eol = NULL, *next = NULL, *s = p, *colon;
		struct sl_slice name, value;
		enum sl_hdr_id id;
		int rc;

		if (p >= end) {
			if (flags & SL_PARSE_STREAM)
				return BAD(x, "Missing blank line after headers",
					   p);
			*body_at = end;
			return 0;
		}
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n')) {
			*body_at = p + (*p == '\r' ? 2 : 1);
			return 0;
		}
		if (*p == ' ' || *p == '\t')
			return BAD(x, "Continuation line without a header", p);

		/* field-name, then HCOLON = *( SP / HTAB ) ":" SWS */
		while (p < end && sl__ch((unsigned char)*p, SL_CH_TOKEN))
			p++;
		name = sl__slice(s, p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (name.len == 0 || p >= end || *p != ':')
			return BAD(x, "Malformed header line", p);
		colon = p;
		if ((rc = scan_value(x, colon + 1, end, &eol, &next)) != 0)
			return rc;
		if ((size_t)(eol - s) > x->lim.max_line_len)
			return fail(x, SL_ELIMIT, 513, "Header Line Too Long",
				    s);
		value = sl__trim(sl__slice(colon + 1, eol));
		id = sl__hdr_lookup(name.p, name.len);
		rc = sl__hdr_is_list(id) ? add_list(x, id, name, value)
					 : add_header(x, id, name, value);
		if (rc)
			return rc;
		p = next;
	}
}

/* The one value of a header that must not repeat (RFC 4475 multi01).
 * Returns 0 absent, 1 found, or an error. */
static int single(struct parse_ctx *x, enum sl_hdr_id id, const char *what,
		  struct sl_slice *out)
{
	const struct sl_msg *m = x->m;
	uint16_t i = m->first[id];

	if (i == SL_HDR_NONE)
		return 0;
	if (m->hdrs[i].next != SL_HDR_NONE)
		return BAD(x, what, m->hdrs[m->hdrs[i].next].value.p);
	*out = m->hdrs[i].value;
	return 1;
}

static int is_call_id(struct sl_slice v)
{
	int at = 0;

	if (v.len == 0)
		return 0;
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];

		if (sl__ch(c, SL_CH_WORD))
			continue;
		if (c != '@' || at || i == 0 || i + 1 == v.len)
			return 0;
		at = 1;
	}
	return 1;
}

static int decode_vias(struct parse_ctx *x, struct sl_arena *arena)
{
	struct sl_msg *m = x->m;
	unsigned n = 0;

	for (uint16_t i = m->first[SL_HDR_VIA]; i != SL_HDR_NONE;
	     i = m->hdrs[i].next)
		n++;
	if (n == 0)
		return BAD(x, "Missing Via header", m->buf);
	if (n > x->lim.max_vias)
		return fail(x, SL_ELIMIT, 513, "Too Many Via Headers", m->buf);
	m->vias = sl_arena_alloc(arena, n * sizeof(*m->vias));
	if (!m->vias)
		return fail(x, SL_ENOMEM, 500, "Parser Arena Exhausted", m->buf);
	for (uint16_t i = m->first[SL_HDR_VIA]; i != SL_HDR_NONE;
	     i = m->hdrs[i].next) {
		if (sl_via_decode(m->hdrs[i].value, &m->vias[m->n_vias]) != 0)
			return BAD(x, "Bad Via header", m->hdrs[i].value.p);
		m->n_vias++;
	}
	return 0;
}

static int decode_required(struct parse_ctx *x, struct sl_arena *arena)
{
	struct sl_msg *m = x->m;
	struct sl_slice v;
	uint32_t u;
	int rc;

	if ((rc = decode_vias(x, arena)) != 0)
		return rc;

	if ((rc = single(x, SL_HDR_FROM, "Multiple From headers", &v)) < 0)
		return rc;
	if (rc == 0)
		return BAD(x, "Missing From header", m->buf);
	if (sl_name_addr_decode(v, &m->from) != 0)
		return BAD(x, "Bad From header", v.p);

	if ((rc = single(x, SL_HDR_TO, "Multiple To headers", &v)) < 0)
		return rc;
	if (rc == 0)
		return BAD(x, "Missing To header", m->buf);
	if (sl_name_addr_decode(v, &m->to) != 0)
		return BAD(x, "Bad To header", v.p);

	if ((rc = single(x, SL_HDR_CALL_ID, "Multiple Call-ID headers",
			 &m->call_id)) < 0)
		return rc;
	if (rc == 0)
		return BAD(x, "Missing Call-ID header", m->buf);
	if (!is_call_id(m->call_id))
		return BAD(x, "Bad Call-ID header", m->call_id.p);

	if ((rc = single(x, SL_HDR_CSEQ, "Multiple CSeq headers", &v)) < 0)
		return rc;
	if (rc == 0)
		return BAD(x, "Missing CSeq header", m->buf);
	if (sl_cseq_decode(v, &m->cseq) != 0)
		return BAD(x, "Bad CSeq header", v.p);
	/* RFC 4475 mismatch01/02: the CSeq method names the request. */
	if (m->is_request && (m->cseq.method.len != m->method_name.len ||
			      memcmp(m->cseq.method.p, m->method_name.p,
				     m->method_name.len) != 0))
		return BAD(x, "CSeq method does not match request method",
			   v.p);

	if ((rc = single(x, SL_HDR_MAX_FORWARDS, "Multiple Max-Forwards headers",
			 &v)) < 0)
		return rc;
	if (rc == 1) {
		if (sl_uint_decode(v, 255, &u) != 0)
			return BAD(x, "Bad Max-Forwards header", v.p);
		m->max_forwards = (int)u;
	}

	if ((rc = single(x, SL_HDR_CONTENT_TYPE, "Multiple Content-Type headers",
			 &m->content_type)) < 0)
		return rc;

	/* Several Content-Length values must agree (RFC 4475 mcl01). */
	for (uint16_t i = m->first[SL_HDR_CONTENT_LENGTH]; i != SL_HDR_NONE;
	     i = m->hdrs[i].next) {
		if (sl_uint_decode(m->hdrs[i].value, 0xffffffffu, &u) != 0)
			return BAD(x, "Bad Content-Length header",
				   m->hdrs[i].value.p);
		if (m->content_length >= 0 && (uint32_t)m->content_length != u)
			return BAD(x, "Conflicting Content-Length headers",
				   m->hdrs[i].value.p);
		m->content_length = (long)u;
	}
	return 0;
}

int sl_msg_parse(struct sl_msg *m, const char *buf, size_t len,
		 struct sl_arena *arena, const struct sl_parse_limits *lim,
		 unsigned flags, struct sl_parse_error *err)
{
	struct parse_ctx x;
	const char *p = buf, *end = buf + len, *eol, *next, *body = NULL;
	size_t room;
	int rc;

	if (!m || !buf || !arena)
		return SL_EINVAL;
	sl__hdr_tables_init();
	/* Only the scalars are cleared: the URI and name-addr views are
	 * filled whole by their decoders, and zeroing the whole struct
	 * (about a kilobyte) was a measurable share of a parse. */
	m->buf = buf;
	m->len = 0;
	m->is_request = 1;
	m->method = SL_METHOD_NONE;
	m->method_name = m->ruri_text = m->reason = m->version =
		m->call_id = m->content_type = m->body = sl__slice(buf, buf);
	m->status = 0;
	m->hdrs = NULL;
	m->n_hdrs = 0;
	memset(m->first, 0xff, sizeof(m->first));
	m->vias = NULL;
	m->n_vias = 0;
	m->cseq.seq = 0;
	m->cseq.method = m->body;
	m->max_forwards = -1;
	m->content_length = -1;
	x.m = m;
	x.err = err;
	sl__limits_resolve(lim, &x.lim);
	if (err) {
		err->code = 0;
		err->status = 0;
		err->reason = "";
		err->offset = 0;
	}

	/* RFC 3261 §7.5: CRLFs before the start line are ignored. */
	while (p < end && (*p == '\r' || *p == '\n'))
		p++;
	m->buf = p;
	if ((size_t)(end - p) > x.lim.max_msg_size)
		return fail(&x, SL_ETOOBIG, 513, "Message Too Large", p);
	if (p == end)
		return fail(&x, SL_EPARSE, 0, "Empty message", p);

	next = line_end(p, end, &eol);
	if (!next)
		eol = next = end;
	if ((size_t)(eol - p) > x.lim.max_line_len)
		return fail(&x, SL_ELIMIT, 414, "Request-Line Too Long", p);
	if (eol - p >= 4 && memcmp(p, "SIP/", 4) == 0) {
		m->is_request = 0;
		memset(&m->ruri, 0, sizeof(m->ruri));
		rc = parse_status_line(&x, p, eol);
	} else {
		rc = parse_request_line(&x, p, eol);
	}
	if (rc)
		return rc;

	/* The header table takes what the arena has left, up to the limit;
	 * the unused tail is given back once the count is known. */
	m->hdrs = sl_arena_alloc(arena, 0);
	room = m->hdrs ? (arena->cap - arena->used) / sizeof(struct sl_hdr) : 0;
	x.hdr_cap = room < x.lim.max_headers ? (unsigned)room
					     : x.lim.max_headers;
	if (x.hdr_cap)
		(void)sl_arena_alloc(arena, x.hdr_cap * sizeof(struct sl_hdr));
	rc = parse_headers(&x, next, end, flags, &body);
	if (m->hdrs)
		arena->used = (size_t)((unsigned char *)(m->hdrs + m->n_hdrs) -
				       arena->base);
	if (rc)
		return rc;

	if ((rc = decode_required(&x, arena)) != 0)
		return rc;

	room = (size_t)(end - body);
	if (m->content_length >= 0) {
		if ((size_t)m->content_length > room)
			return BAD(&x, "Content-Length larger than message",
				   body);
		m->body = sl__slice(body, body + m->content_length);
	} else {
		if (flags & SL_PARSE_STREAM)
			return BAD(&x, "Missing Content-Length header", body);
		m->body = sl__slice(body, end);
	}
	m->len = (size_t)(m->body.p + m->body.len - m->buf);
	return 0;
}
