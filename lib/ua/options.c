/*
 * lib/ua/options.c: requests the UA core answers itself (RFC 3261 §8.2,
 * §11, §12.2.2; RFC 3428) - the checks every incoming request goes
 * through (501 for unknown methods, 405 with Allow, 415 with Accept or
 * Accept-Encoding for a body we cannot read, 481 for a CANCEL without its
 * INVITE and for in-dialog requests no dialog claims), the OPTIONS answer
 * (Allow, Accept, Accept-Encoding, Accept-Language, Supported), MESSAGE
 * (SL_EV_MESSAGE then 200), and the table of accepted body types per
 * method (sl_ua_accept_mime()).
 *
 * Owns: struct sl_ua_mime inside the UA.
 * Thread: sl_ua_accept_mime() from any thread (marshalled); the rest on
 * the loop thread.
 * Called by: ua.c (the transaction layer's request callback); the call
 * engine (sl__ua_respond(), sl__ua_mime_ok()).
 *
 * Order of the checks: §8.2.1 (method) and §8.2.3 (content) come before
 * the call engine sees the request, so it only gets requests it can
 * read; the §12.2.2 dialog match (481) is the engine's, through the
 * dialog layer, and what it leaves with a To tag is answered 481 here.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ua_int.h"
#include "core/log.h"
#include "sip/charset.h"

/* Body types every UA takes (sipline/ua.h); application/sdp and the
 * multipart/mixed of call instance data belong to the call methods. */
static const struct {
	enum sl_method method;
	const char *type;
} defaults[] = {
	{ SL_METHOD_INVITE, "application/sdp" },
	{ SL_METHOD_INVITE, "multipart/mixed" },
	{ SL_METHOD_ACK, "application/sdp" },
	{ SL_METHOD_UPDATE, "application/sdp" },
	{ SL_METHOD_PRACK, "application/sdp" },
	{ SL_METHOD_NOTIFY, "message/sipfrag" },
	{ SL_METHOD_NOTIFY, "application/simple-message-summary" },
	{ SL_METHOD_MESSAGE, "text/plain" },
	{ SL_METHOD_INFO, "application/dtmf-relay" },
	{ SL_METHOD_INFO, "application/media_control+xml" }
};

enum { N_DEFAULTS = sizeof(defaults) / sizeof(defaults[0]) };

/* ---- accepted types ---- */

/* 1 when "type/subtype" @want equals the decoded @mt (no parameters). */
static int type_eq(const char *want, const struct sl_media_type *mt)
{
	const char *slash = strchr(want, '/');
	struct sl_slice t, s;

	if (!slash)
		return 0;
	t.p = want;
	t.len = (size_t)(slash - want);
	s.p = slash + 1;
	s.len = strlen(slash + 1);
	return sl_slice_ieq2(t, mt->type) && sl_slice_ieq2(s, mt->subtype);
}

int sl__ua_mime_ok(const struct sl_ua *ua, struct sl_slice method,
		   struct sl_slice content_type)
{
	enum sl_method m = sl_method_from_name(method.p, method.len);
	struct sl_media_type mt;

	if (sl_media_type_decode(content_type, &mt) < 0)
		return 0;
	for (unsigned i = 0; i < N_DEFAULTS; i++)
		if (defaults[i].method == m && type_eq(defaults[i].type, &mt))
			return 1;
	for (unsigned i = 0; i < ua->mime.n; i++) {
		const char *em = ua->mime.extra[i].method;

		if ((!em[0] || sl_slice_eq(method, em)) &&
		    type_eq(ua->mime.extra[i].type, &mt))
			return 1;
	}
	return 0;
}

/* Appends @type to the list in @out unless it is there already. */
static int add_type(char *out, size_t cap, size_t *o, const char *type)
{
	size_t n = strlen(type);
	const char *p = out;

	/* Bounded by the list's length. */
	while ((p = strstr(p, type)) != NULL) {
		if ((p == out || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ','))
			return 0;
		p += n;
	}
	if (*o + n + 3 > cap)
		return SL_ENOSPC;
	if (*o) {
		memcpy(out + *o, ", ", 2);
		*o += 2;
	}
	memcpy(out + *o, type, n + 1);
	*o += n;
	return 0;
}

int sl__ua_accept(const struct sl_ua *ua, struct sl_slice method, char *out,
		  size_t cap)
{
	enum sl_method m = method.len ?
			   sl_method_from_name(method.p, method.len)
			   : SL_METHOD_NONE;
	size_t o = 0;

	if (!cap)
		return SL_ENOSPC;
	out[0] = '\0';
	for (unsigned i = 0; i < N_DEFAULTS; i++)
		if ((!method.len || defaults[i].method == m) &&
		    add_type(out, cap, &o, defaults[i].type) < 0)
			return SL_ENOSPC;
	for (unsigned i = 0; i < ua->mime.n; i++) {
		const char *em = ua->mime.extra[i].method;

		if ((!method.len || !em[0] || sl_slice_eq(method, em)) &&
		    add_type(out, cap, &o, ua->mime.extra[i].type) < 0)
			return SL_ENOSPC;
	}
	return (int)o;
}

const char *sl__ua_allow(const struct sl_ua *ua)
{
	return ua->allow;
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

/* "type/subtype", both tokens, nothing else. */
static int media_type_ok(const char *s)
{
	const char *slash = strchr(s, '/');
	char part[SL_UA_MIME_MAX];
	size_t n;

	if (!slash || strlen(s) >= SL_UA_MIME_MAX)
		return 0;
	n = (size_t)(slash - s);
	memcpy(part, s, n);
	part[n] = '\0';
	return token_ok(part, sizeof(part)) &&
	       token_ok(slash + 1, SL_UA_MIME_MAX);
}

struct mime_args {
	struct sl_ua *ua;
	const char *method;
	const char *type;
};

static int mime_on_loop(void *arg)
{
	struct mime_args *a = arg;
	struct sl_ua_mime *mi = &a->ua->mime;

	for (unsigned i = 0; i < mi->n; i++)
		if (!strcmp(mi->extra[i].method, a->method) &&
		    !strcasecmp(mi->extra[i].type, a->type))
			return 0;
	if (mi->n >= SL_UA_MIME_EXTRA)
		return SL_ENOMEM;
	memcpy(mi->extra[mi->n].method, a->method, strlen(a->method) + 1);
	memcpy(mi->extra[mi->n].type, a->type, strlen(a->type) + 1);
	mi->n++;
	return 0;
}

int sl_ua_accept_mime(struct sl_ua *ua, const char *method,
		      const char *content_type)
{
	struct mime_args a = { ua, method ? method : "", content_type };

	if (!ua || !content_type)
		return SL_EINVAL;
	if ((method && !token_ok(method, SL_UA_METHOD_MAX)) ||
	    !media_type_ok(content_type))
		return SL_EINVAL;
	return sl__ua_call(ua, mime_on_loop, &a);
}

/* ---- answering ---- */

int sl__ua_respond(struct sl_ua *ua, uint32_t txn, int status,
		   const char *reason, const struct sl_txn_hdr *hdrs,
		   unsigned n_hdrs, const char *content_type,
		   const void *body, size_t body_len)
{
	struct sl_txn_hdr all[15];
	struct sl_txn_response r;
	char tag[SL_UA_TAG_MAX];
	unsigned n = 0;

	if (n_hdrs > 14)
		return SL_EINVAL;
	if (ua->cfg.user_agent[0]) {
		all[n].name = "Server";
		all[n++].value = ua->cfg.user_agent;
	}
	for (unsigned i = 0; i < n_hdrs; i++)
		all[n++] = hdrs[i];
	sl__ua_token(ua, tag, sizeof(tag));
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.reason = reason;
	r.to_tag = tag;
	r.hdrs = all;
	r.n_hdrs = n;
	r.content_type = content_type;
	r.body = body;
	r.body_len = body_len;
	return sl__txn_respond(ua->txn, txn, &r);
}

static void answer(struct sl_ua *ua, uint32_t txn, int status,
		   const struct sl_txn_hdr *hdrs, unsigned n)
{
	int rc = sl__ua_respond(ua, txn, status, NULL, hdrs, n, NULL, NULL, 0);

	if (rc < 0)
		sl_log_warn(SL_UA_LOG, "%d not sent: %s", status,
			    sl_strerror(rc));
}

static void answer_options(struct sl_ua *ua, uint32_t txn)
{
	struct sl_txn_hdr h[5];
	struct sl_slice all = { NULL, 0 };
	char accept[512];
	unsigned n = 0;

	h[n].name = "Allow";
	h[n++].value = ua->allow;
	if (sl__ua_accept(ua, all, accept, sizeof(accept)) > 0) {
		h[n].name = "Accept";
		h[n++].value = accept;
	}
	h[n].name = "Accept-Encoding";
	h[n++].value = "identity";
	h[n].name = "Accept-Language";
	h[n++].value = "en";
	if (ua->supported[0]) {
		h[n].name = "Supported";
		h[n++].value = ua->supported;
	}
	answer(ua, txn, 200, h, n);
}

/* Copies @s NUL-terminated into @out, truncating. */
static const char *cstr(struct sl_slice s, char *out, size_t cap)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (n)
		memcpy(out, s.p, n);
	out[n] = '\0';
	return out;
}

/* A display name as received: quoted-pairs undone (§25.1). */
static const char *display(struct sl_slice s, int quoted, char *out,
			   size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < s.len && o + 1 < cap; i++) {
		if (quoted && s.p[i] == '\\' && i + 1 < s.len)
			i++;
		out[o++] = s.p[i];
	}
	out[o] = '\0';
	return out;
}

/* RFC 3428 §7: the application gets the message, the sender a 200. */
static void on_message(struct sl_ua *ua, uint32_t txn,
		       const struct sl_rxbuf *rx)
{
	const struct sl_msg *m = &rx->msg;
	char from[SL_UA_URI_MAX], from_d[128], to[SL_UA_URI_MAX], to_d[128];
	char cid[256], ctype[SL_UA_MIME_MAX * 2];
	struct sl_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_MESSAGE;
	ev.line = -1;
	ev.reason = "";
	ev.raw = m->buf;
	ev.raw_len = m->len;
	ev.from = cstr(m->from.uri_text, from, sizeof(from));
	ev.from_display = display(m->from.display, m->from.display_quoted,
				  from_d, sizeof(from_d));
	ev.to = cstr(m->to.uri_text, to, sizeof(to));
	ev.to_display = display(m->to.display, m->to.display_quoted, to_d,
				sizeof(to_d));
	ev.call_id = cstr(m->call_id, cid, sizeof(cid));
	ev.content_type = cstr(m->content_type, ctype, sizeof(ctype));
	ev.body = m->body.p;
	ev.body_len = m->body.len;
	sl__ua_emit(ua, &ev);
	answer(ua, txn, 200, NULL, 0);
}

/* §8.2.3: a body we cannot read. Return: 1 when answered. */
static int check_body(struct sl_ua *ua, uint32_t txn,
		      const struct sl_msg *m)
{
	struct sl_txn_hdr h;
	char accept[512];
	uint16_t i = m->first[SL_HDR_CONTENT_ENCODING];

	for (; i != SL_HDR_NONE; i = m->hdrs[i].next) {
		if (sl_slice_ieq(m->hdrs[i].value, "identity"))
			continue;
		h.name = "Accept-Encoding";
		h.value = "identity";
		answer(ua, txn, 415, &h, 1);
		return 1;
	}
	if (!m->body.len)
		return 0;
	if (m->content_type.len &&
	    sl__ua_mime_ok(ua, m->method_name, m->content_type))
		return 0;
	h.name = "Accept";
	h.value = accept;
	if (sl__ua_accept(ua, m->method_name, accept, sizeof(accept)) <= 0)
		answer(ua, txn, 415, NULL, 0);
	else
		answer(ua, txn, 415, &h, 1);
	return 1;
}

void sl__ua_on_request(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx,
		       uint32_t cancel_target)
{
	const struct sl_msg *m = &rx->msg;
	enum sl_method method = m->method;
	unsigned bit = (unsigned)method < 32 ? 1u << method : 0;
	struct sl_txn_hdr allow = { "Allow", ua->allow };

	if (ua->shutting_down) {
		answer(ua, txn, 503, NULL, 0);
		return;
	}
	if (method == SL_METHOD_OTHER) {
		answer(ua, txn, 501, &allow, 1);
		return;
	}
	if (method == SL_METHOD_CANCEL) {
		/* §9.2: the transaction layer found (or not) the INVITE. */
		if (!cancel_target)
			answer(ua, txn, 481, NULL, 0);
		else if (!sl__ua_calls_request(ua, txn, rx, cancel_target))
			answer(ua, txn, 200, NULL, 0);
		return;
	}
	if (!(ua->allow_mask & bit)) {
		answer(ua, txn, 405, &allow, 1);
		return;
	}
	if (check_body(ua, txn, m))
		return;
	if (sl__ua_calls_request(ua, txn, rx, 0))
		return;
	/* §12.2.2: a To tag and no dialog took it. */
	if (m->to.tag.len) {
		answer(ua, txn, 481, NULL, 0);
		return;
	}
	switch (method) {
	case SL_METHOD_OPTIONS:
		answer_options(ua, txn);
		break;
	case SL_METHOD_MESSAGE:
		on_message(ua, txn, rx);
		break;
	default:
		/* Allowed, yet no module took it: the engine is busy
		 * elsewhere or shutting the method down. */
		answer(ua, txn, 480, NULL, 0);
		break;
	}
}
