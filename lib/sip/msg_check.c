/*
 * lib/sip/msg_check.c: what a UA checks on a parsed request before it makes
 * a transaction (RFC 3261 §8.2.1-8.2.3, §16.3), and header look-up by name.
 *
 * Owns: nothing.
 * Thread: any; pure functions over a parsed struct sl_msg.
 *
 * The splitter decodes only what every message needs; the headers decoded
 * here are the ones a UA acts on for some requests (Expires, Contact, Route,
 * Require), so a malformed value still gets its 400 before the request
 * reaches a transaction user (RFC 4475 scalar02).
 */
#include <string.h>

#include "msg_int.h"

static int check_fail(struct sl_parse_error *err, int code, int status,
		      const char *reason, const struct sl_msg *m,
		      const char *at)
{
	if (err) {
		err->code = code;
		err->status = status;
		err->reason = reason;
		err->offset = at && at >= m->buf ? (size_t)(at - m->buf) : 0;
	}
	return code;
}

static int is_supported(const struct sl_check_opts *opts, struct sl_slice tag)
{
	if (!opts)
		return 0;
	for (unsigned i = 0; i < opts->n_supported; i++)
		if (opts->supported[i] && sl_slice_ieq(tag, opts->supported[i]))
			return 1;
	return 0;
}

int sl_msg_first_unsupported(const struct sl_msg *m,
			     const struct sl_check_opts *opts,
			     struct sl_slice *out)
{
	if (!m)
		return 0;
	for (uint16_t i = m->first[SL_HDR_REQUIRE]; i != SL_HDR_NONE;
	     i = m->hdrs[i].next) {
		struct sl_slice tag;

		if (sl_token_decode(m->hdrs[i].value, &tag) != 0)
			tag = m->hdrs[i].value;
		if (!is_supported(opts, tag)) {
			if (out)
				*out = tag;
			return 1;
		}
	}
	return 0;
}

/* Every value of @id must decode; returns the first bad one or NULL. */
static const char *first_bad(const struct sl_msg *m, enum sl_hdr_id id)
{
	for (uint16_t i = m->first[id]; i != SL_HDR_NONE; i = m->hdrs[i].next) {
		struct sl_slice v = m->hdrs[i].value;
		union {
			struct sl_contact contact;
			struct sl_name_addr na;
			struct sl_media_type mt;
			struct sl_slice tok;
		} u;
		uint32_t n;
		int rc;

		switch (id) {
		case SL_HDR_CONTACT:
			rc = sl_contact_decode(v, &u.contact);
			break;
		case SL_HDR_ROUTE:
		case SL_HDR_RECORD_ROUTE:
			rc = sl_name_addr_decode(v, &u.na);
			break;
		case SL_HDR_EXPIRES:
		case SL_HDR_MIN_EXPIRES:
			rc = sl_uint_decode(v, 0xffffffffu, &n);
			break;
		case SL_HDR_CONTENT_TYPE:
			rc = sl_media_type_decode(v, &u.mt);
			break;
		default:
			rc = sl_token_decode(v, &u.tok);
			break;
		}
		if (rc != 0)
			return v.p ? v.p : m->buf;
	}
	return NULL;
}

int sl_msg_check_request(const struct sl_msg *m,
			 const struct sl_check_opts *opts,
			 struct sl_parse_error *err)
{
	static const struct {
		enum sl_hdr_id id;
		const char *reason;
	} decoded[] = {
		{ SL_HDR_CONTACT, "Bad Contact header" },
		{ SL_HDR_ROUTE, "Bad Route header" },
		{ SL_HDR_RECORD_ROUTE, "Bad Record-Route header" },
		{ SL_HDR_EXPIRES, "Bad Expires header" },
		{ SL_HDR_MIN_EXPIRES, "Bad Min-Expires header" },
		{ SL_HDR_CONTENT_TYPE, "Bad Content-Type header" },
		{ SL_HDR_REQUIRE, "Bad Require header" },
		{ SL_HDR_SUPPORTED, "Bad Supported header" },
	};
	struct sl_slice tag;

	if (!m || !m->is_request)
		return SL_EINVAL;
	if (err) {
		err->code = 0;
		err->status = 0;
		err->reason = "";
		err->offset = 0;
	}
	for (unsigned i = 0; i < sizeof(decoded) / sizeof(decoded[0]); i++) {
		const char *at = first_bad(m, decoded[i].id);

		if (at)
			return check_fail(err, SL_EPARSE, 400,
					  decoded[i].reason, m, at);
	}
	if (m->ruri.scheme != SL_URI_SIP && m->ruri.scheme != SL_URI_SIPS &&
	    m->ruri.scheme != SL_URI_TEL)
		return check_fail(err, SL_EUNSUPP, 416,
				  "Unsupported URI Scheme", m,
				  m->ruri_text.p);
	if (m->max_forwards == 0)
		return check_fail(err, SL_ELIMIT, 483, "Too Many Hops", m,
				  m->buf);
	/* RFC 3261 §8.2.2.3: never 420 to ACK or CANCEL. */
	if (m->method != SL_METHOD_ACK && m->method != SL_METHOD_CANCEL &&
	    sl_msg_first_unsupported(m, opts, &tag))
		return check_fail(err, SL_EUNSUPP, 420, "Bad Extension", m,
				  tag.p);
	return 0;
}

/* ---- look-up by name ---- */

static int find_other(const struct sl_msg *m, struct sl_slice name,
		      unsigned from, struct sl_slice *out)
{
	for (unsigned i = from; i < m->n_hdrs; i++)
		if (m->hdrs[i].id == SL_HDR_OTHER &&
		    sl_slice_ieq2(m->hdrs[i].name, name)) {
			if (out)
				*out = m->hdrs[i].value;
			return (int)i;
		}
	return SL_ENOTFOUND;
}

int sl_msg_find(const struct sl_msg *m, const char *name,
		struct sl_slice *out)
{
	struct sl_slice n;
	enum sl_hdr_id id;

	if (!m || !name)
		return SL_EINVAL;
	n.p = name;
	n.len = strlen(name);
	id = sl_hdr_id_from_name(n.p, n.len);
	if (id == SL_HDR_OTHER)
		return find_other(m, n, 0, out);
	if (m->first[id] == SL_HDR_NONE)
		return SL_ENOTFOUND;
	if (out)
		*out = m->hdrs[m->first[id]].value;
	return m->first[id];
}

int sl_msg_find_next(const struct sl_msg *m, int index, struct sl_slice *out)
{
	const struct sl_hdr *h;

	if (!m || index < 0 || index >= m->n_hdrs)
		return SL_EINVAL;
	h = &m->hdrs[index];
	if (h->id == SL_HDR_OTHER)
		return find_other(m, h->name, (unsigned)index + 1, out);
	if (h->next == SL_HDR_NONE)
		return SL_ENOTFOUND;
	if (out)
		*out = m->hdrs[h->next].value;
	return h->next;
}

int sl_msg_get_header(const char *raw, size_t len, const char *name,
		      char *out, size_t cap)
{
	/* Room for the default limits' worst case: 256 header values and
	 * 70 Vias. */
	_Alignas(max_align_t) unsigned char mem[24576];
	struct sl_arena arena;
	struct sl_msg m;
	struct sl_slice v;
	size_t n = 0;
	int rc;

	if (!raw || !name || !out || cap == 0)
		return SL_EINVAL;
	out[0] = '\0';
	sl_arena_init(&arena, mem, sizeof(mem));
	rc = sl_msg_parse(&m, raw, len, &arena, NULL, 0, NULL);
	if (rc)
		return rc;
	rc = sl_msg_find(&m, name, &v);
	if (rc < 0)
		return rc;
	/* Folded line breaks become one space, as RFC 3261 §7.3.1 allows. */
	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (c == '\r' || c == '\n') {
			while (i + 1 < v.len && sl__ch((unsigned char)v.p[i + 1],
						       SL_CH_WS))
				i++;
			c = ' ';
		}
		if (n + 1 >= cap) {
			out[0] = '\0';
			return SL_ENOSPC;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0x7fffffff ? SL_ENOSPC : (int)n;
}
