/*
 * lib/ua/headers.c: custom header rules (F1) - headers added to, or
 * values replaced in, outgoing messages, filtered by call (session id),
 * method and direction (request / response).
 *
 * Owns: struct sl_ua_hdrs inside the UA: the rule table, the buffer a
 * rewritten message goes into and the parse arena used to read it.
 * Thread: the public functions from any thread (marshalled); the rewrite
 * on the loop thread.
 * Called by: the application; ua.c's io for every message sent.
 *
 * Where the rules apply: at the UA's io, the one point every message
 * leaves through whoever built it (the UA core, the transaction layer's
 * ACK and 100 Trying, the dialog layer's requests), so no builder can
 * forget them. A message no rule matches is sent as it is; one that
 * matches is parsed and copied line by line: a header with a "modify"
 * rule becomes one line with the rule's value (at its first place; its
 * other lines go), "add" rules append lines after the last header, and
 * every other byte is copied unchanged. A message stored by a transaction
 * for retransmission is rewritten again on each send, the same way.
 *
 * Rules cannot touch the headers transactions and dialogs are made of
 * (Via, From, To, Call-ID, CSeq) nor the body's framing (Content-Length,
 * Content-Type): changing those would break matching, not customise.
 */
#include <string.h>
#include <strings.h>

#include "ua_int.h"
#include "core/log.h"
#include "sip/charset.h"

static int forbidden(enum sl_hdr_id id)
{
	switch (id) {
	case SL_HDR_VIA:
	case SL_HDR_FROM:
	case SL_HDR_TO:
	case SL_HDR_CALL_ID:
	case SL_HDR_CSEQ:
	case SL_HDR_CONTENT_LENGTH:
	case SL_HDR_CONTENT_TYPE:
		return 1;
	default:
		return 0;
	}
}

static int token_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n >= max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!sl__ch((unsigned char)s[i], SL_CH_TOKEN))
			return 0;
	return 1;
}

/* ---- the public rule table ---- */

struct rule_args {
	struct sl_ua *ua;
	struct sl_ua_hdr_rule r;
	int id;                /* remove */
	int modified;          /* clear */
};

static int add_on_loop(void *arg)
{
	struct rule_args *a = arg;
	struct sl_ua_hdrs *h = &a->ua->hdrs;

	for (unsigned i = 0; i < SL_UA_HDR_RULES; i++) {
		if (h->rules[i].id)
			continue;
		h->rules[i] = a->r;
		h->rules[i].id = h->next_id;
		/* Ids never repeat while the UA lives (2^31 of them). */
		h->next_id = h->next_id == INT32_MAX ? 1 : h->next_id + 1;
		h->n++;
		return h->rules[i].id;
	}
	return SL_ENOMEM;
}

static int add_rule(struct sl_ua *ua, enum sl_ua_hdr_kind kind, int session,
		    const char *method, enum sl_header_dir dir,
		    const char *name, const char *value)
{
	struct rule_args a;

	if (!ua || !name || !value)
		return SL_EINVAL;
	if (session < 0 || dir < SL_HDR_DIR_REQUEST || dir > SL_HDR_DIR_BOTH)
		return SL_EINVAL;
	if (method && !token_ok(method, SL_UA_METHOD_MAX))
		return SL_EINVAL;
	if (!token_ok(name, SL_UA_HDR_NAME_MAX) ||
	    strlen(value) >= SL_UA_HDR_VALUE_MAX || !sl__ua_text_ok(value))
		return SL_EINVAL;
	memset(&a, 0, sizeof(a));
	a.ua = ua;
	a.r.kind = kind;
	a.r.session = session;
	a.r.dir = (unsigned)dir;
	a.r.hid = sl_hdr_id_from_name(name, strlen(name));
	if (forbidden(a.r.hid))
		return SL_EINVAL;
	if (method)
		memcpy(a.r.method, method, strlen(method) + 1);
	memcpy(a.r.name, name, strlen(name) + 1);
	memcpy(a.r.value, value, strlen(value) + 1);
	return sl__ua_call(ua, add_on_loop, &a);
}

int sl_ua_add_header(struct sl_ua *ua, int session, const char *method,
		     enum sl_header_dir dir, const char *name,
		     const char *value)
{
	return add_rule(ua, SL_UA_HDR_ADD, session, method, dir, name, value);
}

int sl_ua_modify_header(struct sl_ua *ua, int session, const char *method,
			enum sl_header_dir dir, const char *name,
			const char *value)
{
	return add_rule(ua, SL_UA_HDR_MODIFY, session, method, dir, name,
			value);
}

static int remove_on_loop(void *arg)
{
	struct rule_args *a = arg;
	struct sl_ua_hdrs *h = &a->ua->hdrs;

	for (unsigned i = 0; i < SL_UA_HDR_RULES; i++) {
		if (h->rules[i].id == a->id) {
			h->rules[i].id = 0;
			h->n--;
			return 0;
		}
	}
	return SL_ENOTFOUND;
}

int sl_ua_remove_header(struct sl_ua *ua, int id)
{
	struct rule_args a;

	if (!ua)
		return SL_EINVAL;
	if (id <= 0)
		return SL_ENOTFOUND;
	memset(&a, 0, sizeof(a));
	a.ua = ua;
	a.id = id;
	return sl__ua_call(ua, remove_on_loop, &a);
}

static int clear_on_loop(void *arg)
{
	struct rule_args *a = arg;
	struct sl_ua_hdrs *h = &a->ua->hdrs;
	enum sl_ua_hdr_kind kind = a->modified ? SL_UA_HDR_MODIFY
					       : SL_UA_HDR_ADD;

	for (unsigned i = 0; i < SL_UA_HDR_RULES; i++) {
		if (h->rules[i].id && h->rules[i].kind == kind) {
			h->rules[i].id = 0;
			h->n--;
		}
	}
	return 0;
}

int sl_ua_clear_headers(struct sl_ua *ua, int modified)
{
	struct rule_args a;

	if (!ua || (modified != 0 && modified != 1))
		return SL_EINVAL;
	memset(&a, 0, sizeof(a));
	a.ua = ua;
	a.modified = modified;
	return sl__ua_call(ua, clear_on_loop, &a);
}

/* ---- applying them ---- */

struct out {
	char *p;
	size_t len;
	size_t cap;
	int err;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (o->err || n > o->cap - o->len) {
		o->err = SL_ETOOBIG;
		return;
	}
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void put_header(struct out *o, const struct sl_ua_hdr_rule *r)
{
	put(o, r->name, strlen(r->name));
	put(o, ": ", 2);
	put(o, r->value, strlen(r->value));
	put(o, "\r\n", 2);
}

static int names_match(const struct sl_ua_hdr_rule *r, const struct sl_hdr *h)
{
	if (r->hid != SL_HDR_OTHER)
		return h->id == r->hid;
	return h->id == SL_HDR_OTHER &&
	       h->name.len == strlen(r->name) &&
	       strncasecmp(h->name.p, r->name, h->name.len) == 0;
}

/* The end of the line holding header @h (after its LF). */
static const char *line_end(const struct sl_hdr *h, const char *end)
{
	const char *p = h->name.p + h->name.len;

	if (h->value.p && h->value.p + h->value.len > p)
		p = h->value.p + h->value.len;
	while (p < end && *p != '\n')
		p++;
	return p < end ? p + 1 : end;
}

int sl__ua_hdr_apply(struct sl_ua *ua, const char *buf, size_t len,
		     const char **out, size_t *out_len)
{
	struct sl_ua_hdrs *hs = &ua->hdrs;
	struct sl_arena arena;
	struct sl_msg m;
	struct sl_slice method;
	struct out o = { hs->out, 0, hs->out_cap, 0 };
	uint32_t match = 0, written = 0;
	unsigned dir;
	int session = -1;
	const char *end, *pos, *last_line = NULL;

	*out = buf;
	*out_len = len;
	sl_arena_init(&arena, hs->arena, hs->arena_cap);
	if (sl_msg_parse(&m, buf, len, &arena, NULL, 0, NULL) < 0)
		return SL_EPARSE;
	method = m.is_request ? m.method_name : m.cseq.method;
	dir = m.is_request ? SL_HDR_DIR_REQUEST : SL_HDR_DIR_RESPONSE;
	for (unsigned i = 0; i < SL_UA_HDR_RULES; i++) {
		const struct sl_ua_hdr_rule *r = &hs->rules[i];

		if (!r->id || !(r->dir & dir) ||
		    (r->method[0] && !sl_slice_eq(method, r->method)))
			continue;
		if (r->session) {
			if (session < 0)
				session = sl__ua_calls_session(ua, &m);
			if (session != r->session)
				continue;
		}
		match |= 1u << i;
	}
	if (!match)
		return 0;

	end = m.buf + m.len;
	pos = memchr(m.buf, '\n', m.len);
	if (!pos)
		return SL_EPARSE;
	pos++;
	put(&o, m.buf, (size_t)(pos - m.buf));
	for (unsigned i = 0; i < m.n_hdrs; i++) {
		const struct sl_hdr *h = &m.hdrs[i];
		int replaced = 0;

		/* List headers are split: one line, several entries. */
		if (h->name.p == last_line)
			continue;
		last_line = h->name.p;
		for (unsigned k = 0; k < SL_UA_HDR_RULES; k++) {
			const struct sl_ua_hdr_rule *r = &hs->rules[k];

			if (!(match & (1u << k)) || r->kind != SL_UA_HDR_MODIFY
			    || !names_match(r, h))
				continue;
			if (!(written & (1u << k)))
				put_header(&o, r);
			written |= 1u << k;
			replaced = 1;
			break;
		}
		if (!replaced)
			put(&o, h->name.p, (size_t)(line_end(h, end) -
						    h->name.p));
		pos = line_end(h, end);
	}
	for (unsigned k = 0; k < SL_UA_HDR_RULES; k++)
		if ((match & (1u << k)) &&
		    hs->rules[k].kind == SL_UA_HDR_ADD)
			put_header(&o, &hs->rules[k]);
	/* The blank line and the body, as they were. */
	put(&o, pos, (size_t)(end - pos));
	if (o.err)
		return o.err;
	*out = o.p;
	*out_len = o.len;
	return 0;
}
