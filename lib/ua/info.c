/*
 * lib/ua/info.c: INFO inside a call (RFC 6086, in its legacy usage
 * without Info-Package, §1 and RFC 2976) - sl_call_send_info(), DTMF over
 * INFO both ways (application/dtmf-relay, the de-facto format of Cisco
 * and most PBXs: "Signal=5\r\nDuration=160\r\n"; application/dtmf with
 * one event), and the INFO requests a call receives.
 *
 * Owns: the INFO bookkeeping of each line's struct sl_line_media: the
 * requests in flight (so their responses reach the dialog layer, which
 * ends the dialog on a 481 or a timeout, RFC 5057) and the queue of
 * digits waiting to go as INFO.
 * Thread: sl_call_send_info() from any thread (marshalled with
 * sl__calls_on_session()); everything else on the SIP loop thread.
 * Called by: call.c (requests and transaction events of a line),
 * media_api.c (sl_call_send_dtmf() with SL_DTMF_INFO).
 *
 * Digits by INFO go one request at a time: the next one leaves after the
 * previous one's final response and no earlier than its tone length plus
 * SL_DTMF_GAP_MS after it, so a gateway turning them into tones keeps
 * them apart and in order.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "media_int.h"
#include "core/log.h"

enum {
	DTMF_DEFAULT_MS = 250,        /* Duration absent: a usual key press */
	DTMF_MAX_MS = 10000,          /* longer values are cut to this */
	DTMF_AUTH_RETRIES = 2,        /* 401/407 answered per digit */
	RELAY_LINES_MAX = 16          /* lines of a dtmf-relay body read */
};

static int established(const struct sl_line *ln)
{
	return ln->state == SL_LINE_CONNECTED || ln->state == SL_LINE_HELD ||
	       ln->state == SL_LINE_REMOTE_HELD;
}

/* Sends one INFO and keeps its transaction. Return: the slot or <0. */
static int send_info(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_line_media *lm, const char *ctype,
		     const void *body, size_t len, uint32_t *txn)
{
	struct sl_dlg_info di;
	int slot = -1, rc;

	for (int i = 0; i < SL_INFO_TXNS && slot < 0; i++)
		if (!lm->info_txn[i])
			slot = i;
	if (slot < 0)
		return SL_ENOMEM;
	rc = sl__calls_send(ua, ln, "INFO", NULL, 0, len ? ctype : NULL,
			    len ? body : NULL, len, txn);
	if (rc < 0)
		return rc;
	lm->info_txn[slot] = *txn;
	/* The CSeq the layer gave it, for sl__dlg_request_failed(). */
	lm->info_cseq[slot] = sl__dlg_info(sl__calls_dlg(ua), ln->dlg,
					   &di) == 0 ? di.local_cseq : 0;
	return slot;
}

/* ---- sl_call_send_info() ---- */

struct info_args {
	const void *body;
	size_t len;
};

static int send_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct info_args *a = x->ext;
	struct sl_line *ln;
	uint32_t txn;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	if (!established(ln))
		return SL_ESTATE;
	rc = send_info(x->ua, ln, sl__stream_lm(x->ua, ln), x->s, a->body,
		       a->len, &txn);
	return rc < 0 ? rc : 0;
}

/* A Content-Type value we may write: one line, "type/subtype[;params]". */
static int ctype_ok(const char *ct)
{
	struct sl_media_type mt;
	struct sl_slice s;

	if (!ct)
		return 0;
	s.p = ct;
	s.len = strnlen(ct, SL_UA_MIME_MAX);
	if (!s.len || s.len >= SL_UA_MIME_MAX || !sl__ua_text_ok(ct))
		return 0;
	return sl_media_type_decode(s, &mt) == 0;
}

int sl_call_send_info(struct sl_ua *ua, int session, const char *content_type,
		      const void *body, size_t len)
{
	struct info_args a = { body, len };
	struct sl_call_args x = { ua, session, 0, 0, NULL, NULL, &a };

	if (!ua || (len && !body) || len > SL_INFO_BODY_MAX ||
	    (len && !ctype_ok(content_type)))
		return SL_EINVAL;
	x.s = len ? content_type : NULL;
	return sl__calls_on_session(&x, send_on_loop);
}

/* ---- DTMF by INFO, sending ---- */

static int dtmf_send(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_line_media *lm)
{
	char body[64];
	uint32_t txn;
	int n, rc;

	n = snprintf(body, sizeof(body), "Signal=%c\r\nDuration=%u\r\n",
		     lm->dtmf_cur, lm->dtmf_len_ms);
	if (n < 0 || (size_t)n >= sizeof(body))
		return SL_EFAIL;
	rc = send_info(ua, ln, lm, "application/dtmf-relay", body,
		       (size_t)n, &txn);
	if (rc < 0) {
		sl_log_warn(SL_CALL_LOG, "line %u: DTMF %c not sent: %s",
			    ln->idx, lm->dtmf_cur, sl_strerror(rc));
		return rc;
	}
	lm->dtmf_txn = txn;
	lm->dtmf_sent_ms = sl__ua_now_ms(ua);
	return 0;
}

/* Sends the next queued digit (one that cannot go is dropped). */
static void dtmf_next(struct sl_ua *ua, struct sl_line *ln,
		      struct sl_line_media *lm)
{
	while (lm->dtmf_n && !lm->dtmf_txn) {
		lm->dtmf_cur = lm->dtmf_q[lm->dtmf_head];
		lm->dtmf_head = (lm->dtmf_head + 1) % SL_DTMF_PENDING_MAX;
		lm->dtmf_n--;
		lm->dtmf_retry = 0;
		if (dtmf_send(ua, ln, lm) == 0)
			return;
	}
}

/* The digit in flight is done: the next one after its tone and gap. */
static void dtmf_done(struct sl_ua *ua, struct sl_line_media *lm)
{
	uint64_t due = lm->dtmf_sent_ms + lm->dtmf_len_ms + SL_DTMF_GAP_MS;
	uint64_t now = sl__ua_now_ms(ua);

	lm->dtmf_txn = 0;
	if (!lm->dtmf_n)
		return;
	if (sl__loop_timer_start(ua->loop, &lm->dtmf_timer,
				 due > now ? due - now : 0) < 0)
		sl_log_warn(SL_CALL_LOG, "line %u: no timer for DTMF",
			    lm->idx);
}

void sl__info_dtmf_timer(struct sl_timer *t, void *arg)
{
	struct sl_line_media *lm = arg;
	struct sl_ua *ua = lm->ua;
	struct sl_calls *c = ua->calls;
	struct sl_line *ln;

	(void)t;
	if (!c || lm->idx >= c->n_lines)
		return;
	ln = &c->lines[lm->idx];
	if (!ln->session || ln->session != lm->session)
		return;
	if (!established(ln)) {
		lm->dtmf_n = 0;
		return;
	}
	dtmf_next(ua, ln, lm);
}

int sl__info_dtmf_queue(struct sl_ua *ua, struct sl_line *ln,
			const char *digits, size_t n, unsigned duration_ms)
{
	struct sl_line_media *lm = sl__stream_lm(ua, ln);

	if (lm->dtmf_n + n > SL_DTMF_PENDING_MAX)
		return SL_ELIMIT;
	for (size_t i = 0; i < n; i++) {
		unsigned k = (lm->dtmf_head + lm->dtmf_n++) %
			     SL_DTMF_PENDING_MAX;

		lm->dtmf_q[k] = digits[i];
	}
	lm->dtmf_len_ms = duration_ms;
	if (!lm->dtmf_txn && !sl__timer_armed(&lm->dtmf_timer))
		dtmf_next(ua, ln, lm);
	return 0;
}

/* ---- responses to our INFO ---- */

static int slot_of(const struct sl_line_media *lm, uint32_t txn)
{
	for (int i = 0; i < SL_INFO_TXNS; i++)
		if (txn && lm->info_txn[i] == txn)
			return i;
	return -1;
}

int sl__info_on_response(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_line_media *lm;
	int st = rx->msg.status, session, slot, dtmf;

	if (!ln || !ln->session || !ua->media)
		return 0;
	lm = sl__stream_lm(ua, ln);
	slot = slot_of(lm, txn);
	if (slot < 0)
		return 0;
	if (st < 200)
		return 1;
	lm->info_txn[slot] = 0;
	dtmf = txn == lm->dtmf_txn;
	session = ln->session;
	/* §22.2: a challenged digit goes again with credentials. */
	if ((st == 401 || st == 407) && dtmf &&
	    lm->dtmf_retry < DTMF_AUTH_RETRIES &&
	    sl__calls_auth_retry(ua, ln, txn, rx) == 0) {
		lm->dtmf_retry++;
		lm->dtmf_txn = 0;
		if (dtmf_send(ua, ln, lm) == 0)
			return 1;
	}
	if (st != 401 && st != 407)
		sl__calls_auth_final(ua, ln, txn, rx);
	/* RFC 5057: a 481 or 408 ends the dialog (and the call, through
	 * the dialog layer's callback). */
	if (t && ln->dlg)
		sl__dlg_recv_response(t, ln->dlg, rx);
	if (ln->session != session)
		return 1;
	if (st >= 300)
		sl_log_info(SL_CALL_LOG, "line %u: INFO refused with %d",
			    ln->idx, st);
	if (dtmf)
		dtmf_done(ua, lm);
	return 1;
}

int sl__info_on_failed(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
		       int status)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_line_media *lm;
	int session, slot, dtmf;
	uint32_t cseq;

	if (!ln || !ln->session || !ua->media)
		return 0;
	lm = sl__stream_lm(ua, ln);
	slot = slot_of(lm, txn);
	if (slot < 0)
		return 0;
	lm->info_txn[slot] = 0;
	cseq = lm->info_cseq[slot];
	dtmf = txn == lm->dtmf_txn;
	session = ln->session;
	sl_log_info(SL_CALL_LOG, "line %u: INFO got no answer (%d)", ln->idx,
		    status);
	if (t && ln->dlg && cseq)
		sl__dlg_request_failed(t, ln->dlg, SL_METHOD_INFO, cseq,
				       status);
	if (ln->session != session)
		return 1;
	if (dtmf)
		dtmf_done(ua, lm);
	return 1;
}

/* ---- INFO received ---- */

/* A DTMF signal value: one character, or the RFC 4733 event number
 * (0-9, 10 *, 11 #, 12-15 A-D, 16 flash). Return: the digit or 0. */
static char signal_digit(const char *p, size_t n)
{
	unsigned v = 0;

	if (n == 1) {
		char c = p[0];

		if (c >= 'a' && c <= 'd')
			c = (char)(c - 'a' + 'A');
		return sl__dtmf_digit_ok(c) ? c : 0;
	}
	if (n != 2)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	if (v == 10)
		return '*';
	if (v == 11)
		return '#';
	if (v >= 12 && v <= 15)
		return (char)('A' + (v - 12));
	if (v == 16)
		return '!';
	return 0;
}

static void trim(const char **p, const char **e)
{
	while (*p < *e && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*e > *p && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

/*
 * "Signal=<digit>" and "Duration=<ms>" lines (CRLF or LF; names without
 * regard to case; blanks around '=' tolerated; other lines ignored).
 * Return: 0 with *@digit and *@dur; SL_EPARSE without a usable Signal.
 */
static int parse_relay(struct sl_slice body, char *digit, unsigned *dur)
{
	const char *p = body.p, *end = body.p + body.len;
	unsigned lines = 0;

	*digit = 0;
	*dur = DTMF_DEFAULT_MS;
	while (p < end && lines++ < RELAY_LINES_MAX) {
		const char *eol = p, *eq, *ne, *v, *ve;

		while (eol < end && *eol != '\r' && *eol != '\n')
			eol++;
		eq = memchr(p, '=', (size_t)(eol - p));
		if (eq) {
			ne = eq;
			v = eq + 1;
			ve = eol;
			trim(&p, &ne);
			trim(&v, &ve);
			if ((size_t)(ne - p) == 6 &&
			    !strncasecmp(p, "Signal", 6))
				*digit = signal_digit(v, (size_t)(ve - v));
			else if ((size_t)(ne - p) == 8 &&
				 !strncasecmp(p, "Duration", 8) && ve > v) {
				unsigned d = 0;
				const char *q = v;

				for (; q < ve && *q >= '0' && *q <= '9'; q++)
					if (d < DTMF_MAX_MS)
						d = d * 10 +
						    (unsigned)(*q - '0');
				if (q == ve)
					*dur = d < DTMF_MAX_MS ? d
					       : DTMF_MAX_MS;
			}
		}
		p = eol;
		while (p < end && (*p == '\r' || *p == '\n'))
			p++;
	}
	return *digit ? 0 : SL_EPARSE;
}

static int type_is(const struct sl_msg *m, const char *type,
		   const char *subtype)
{
	struct sl_media_type mt;

	return m->content_type.len &&
	       sl_media_type_decode(m->content_type, &mt) == 0 &&
	       sl_slice_ieq(mt.type, type) && sl_slice_ieq(mt.subtype, subtype);
}

void sl__info_on_request(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 struct sl_rxbuf *rx)
{
	const struct sl_msg *m = &rx->msg;
	struct sl_event ev;
	char ctype[SL_UA_MIME_MAX * 2];
	unsigned dur;
	char digit;
	struct sl_slice b = m->body;

	/* RFC 6086 §4.2.2: a legacy INFO we can read gets 200 (a type we
	 * cannot read had its 415 from the UA core already). */
	sl__call_in_respond(ua, ln, txn, 200, NULL, 0, NULL, NULL, 0);
	if (!b.len || !ua->media)
		return;
	if (type_is(m, "application", "dtmf-relay")) {
		if (parse_relay(b, &digit, &dur) == 0)
			sl__stream_dtmf_in(ua, ln, digit, dur,
					   SL_DTMF_SRC_INFO);
		else
			sl_log_info(SL_CALL_LOG, "line %u: dtmf-relay "
				    "without a Signal", ln->idx);
		return;
	}
	if (type_is(m, "application", "dtmf")) {
		/* One event, as a character or an RFC 4733 number. */
		const char *p = b.p, *e = b.p + b.len;

		while (e > p && (e[-1] == '\r' || e[-1] == '\n'))
			e--;
		trim(&p, &e);
		digit = signal_digit(p, (size_t)(e - p));
		if (digit)
			sl__stream_dtmf_in(ua, ln, digit, DTMF_DEFAULT_MS,
					   SL_DTMF_SRC_INFO);
		return;
	}
	sl__calls_event_init(ln, &ev, SL_EV_INFO);
	ev.raw = m->buf;
	ev.raw_len = m->len;
	ev.content_type = sl__calls_cstr(m->content_type, ctype,
					 sizeof(ctype));
	ev.body = b.p;
	ev.body_len = b.len;
	sl__calls_emit(ua, &ev);
}
