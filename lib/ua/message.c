/*
 * lib/ua/message.c: the public functions of sipline/message.h - MESSAGE
 * (RFC 3428) and OPTIONS (RFC 3261 §11) outside any call, each reported
 * once as SL_EV_REQUEST_RESULT.
 *
 * Owns: nothing; the request itself lives in an out-of-dialog request
 * slot of the call engine (sl__ua_request(), lib/ua/call.c), which does
 * the routing (RFC 3263), the digest retries (§22.2) and calls back here
 * with the outcome.
 * Thread: the public functions from any thread (marshalled with
 * sl__ua_call()); the *_on_loop halves and the outcome callback on the
 * SIP loop thread.
 * Called by: the application.
 */
#include <string.h>

#include "call_int.h"
#include "core/log.h"
#include "sipline/message.h"

struct msg_args {
	struct sl_ua *ua;
	const char *method;
	const char *to;
	const char *ctype;
	const void *body;
	size_t len;
};

/* The router's outcome, on the loop: one event per request. */
static void outcome(void *arg, uint32_t id, int status, int err,
		    const struct sl_rxbuf *rx)
{
	struct sl_ua *ua = arg;
	struct sl_event ev;
	char rs[128];

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_EV_REQUEST_RESULT;
	ev.line = -1;
	ev.request_id = (int)id;
	ev.code = status;
	ev.reason = status ? "" : sl_strerror(err ? err : SL_EFAIL);
	if (status && rx) {
		ev.reason = sl__calls_cstr(rx->msg.reason, rs, sizeof(rs));
		ev.raw = rx->msg.buf;
		ev.raw_len = rx->msg.len;
	}
	if (sl__ua_emit(ua, &ev) < 0)
		sl_log_warn(SL_UA_LOG, "request %u: result event lost", id);
}

static int send_on_loop(void *arg)
{
	struct msg_args *x = arg;
	struct sl_ua *ua = x->ua;
	char ruri[SL_UA_URI_MAX];
	int rc;

	if (ua->shutting_down || !ua->acct.set)
		return SL_ESTATE;
	rc = sl__calls_resolve_uri(ua, x->to, ruri, sizeof(ruri));
	if (rc < 0)
		return rc;
	return sl__ua_request(ua, x->method, ruri, x->ctype, x->body, x->len,
			      outcome, ua);
}

/* "type/subtype" with optional parameters, no control characters. */
static int ctype_ok(const char *ct)
{
	struct sl_media_type mt;
	struct sl_slice v;
	size_t n;

	if (!ct)
		return 0;
	n = strlen(ct);
	if (!n || n >= SL_UA_MIME_MAX || !sl__ua_text_ok(ct) ||
	    memchr(ct, '\t', n))
		return 0;
	v.p = ct;
	v.len = n;
	return sl_media_type_decode(v, &mt) == 0;
}

static int to_ok(const char *to)
{
	return to && to[0] && strlen(to) < SL_UA_URI_MAX &&
	       sl__ua_text_ok(to);
}

int sl_ua_send_message(struct sl_ua *ua, const char *to_uri,
		       const char *content_type, const void *body,
		       size_t len)
{
	struct msg_args x = { ua, "MESSAGE", to_uri, content_type, body,
			      len };

	if (!ua || !to_ok(to_uri) || !ctype_ok(content_type) || !body ||
	    !len || len > SL_MESSAGE_BODY_MAX)
		return SL_EINVAL;
	return sl__ua_call(ua, send_on_loop, &x);
}

int sl_ua_send_options(struct sl_ua *ua, const char *to_uri)
{
	struct msg_args x = { ua, "OPTIONS", to_uri, NULL, NULL, 0 };

	if (!ua || !to_ok(to_uri))
		return SL_EINVAL;
	return sl__ua_call(ua, send_on_loop, &x);
}
