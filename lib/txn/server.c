/*
 * lib/txn/server.c: server transactions (RFC 3261 §17.2, RFC 6026 §8.5-8.7).
 *
 * Owns: the server slots' state machines and their timers; each slot holds
 * one reference on its request and a copy of the last response it sent.
 * Thread: the SIP loop thread only.
 * Called by: table.c for new and matched requests; the dialog and UA layers
 * to respond; the loop for timers.
 *
 * INVITE: Proceeding (a 100 (Trying) after trying_ms unless the TU has
 * answered; retransmitted INVITEs get the last provisional again) ->
 * Completed on 300-699 (Timer G retransmits over UDP, doubling up to T2;
 * Timer H gives up waiting for the ACK) -> Confirmed on the ACK, absorbing
 * further ACKs until Timer I -> or Accepted on a 2xx (RFC 6026): the TU
 * retransmits its 2xx through the transaction, retransmitted INVITEs are
 * absorbed, ACKs go to the TU, until Timer L.
 * Non-INVITE: Trying (retransmissions absorbed) -> Proceeding (they get the
 * last provisional) -> Completed (they get the final response) until
 * Timer J. Timers G runs over UDP only; I and J are zero over TCP/TLS.
 */
#include <string.h>

#include "txn_int.h"
#include "transport/tp_response.h"

static uint64_t t1(const struct sl_txn *t)
{
	return t->layer->cfg.t1_ms;
}

/* Sends the last response again; a failure ends the transaction. */
static void resend_last(struct sl_txn *t)
{
	int rc;

	if (!t->len)
		return;
	rc = sl__txn_io_send(t->layer, &t->dst, t->buf, t->len);
	if (rc < 0)
		sl__txn_fail(t, rc);
}

/* ---- timers ---- */

/* Builds and sends the §17.2.1 100 (Trying) the TU did not send. */
static void send_trying(struct sl_txn *t)
{
	struct sl_txn_layer *l = t->layer;
	struct sl_builder b;
	int n;

	sl_build_init(&b, t->buf, l->cfg.msg_buf_size);
	sl__tp_build_response(&b, t->req, 100, NULL, NULL, 0);
	n = sl_build_finish(&b, NULL, NULL, 0);
	if (n < 0) {
		/* Only an oversized request gets here (its Vias do not fit
		 * msg_buf_size); the TU's own answer may still fit. */
		sl_log_info(SL_TXN_LOG, "%08x: no 100 (Trying): %s",
			    (unsigned)t->id, sl_strerror(n));
		t->len = 0;
		return;
	}
	t->len = (size_t)n;
	t->last_status = 100;
	resend_last(t);
}

/* The 100 (Trying) delay (Proceeding) or Timer G (Completed). */
static void retx_fired(struct sl_timer *tm, void *arg)
{
	struct sl_txn *t = arg;
	const struct sl_txn_config *c = &t->layer->cfg;
	uint32_t id = t->id;
	int rc;

	(void)tm;
	if (t->state == SL_TXN_STATE_PROCEEDING) {
		if (!t->answered && !t->len)
			send_trying(t);
		return;
	}
	if (t->state != SL_TXN_STATE_COMPLETED)
		return;
	/* §17.2.1: Timer G doubles up to T2. */
	t->retx_ms = t->retx_ms * 2 < c->t2_ms ? t->retx_ms * 2 : c->t2_ms;
	resend_last(t);
	if (!sl__txn_alive(t, id))
		return;
	rc = sl__txn_arm(t, &t->t_retx, t->retx_ms);
	if (rc < 0)
		sl__txn_fail(t, rc);
}

/* Timer H (no ACK), I, J, L (done). */
static void main_fired(struct sl_timer *tm, void *arg)
{
	struct sl_txn *t = arg;
	struct sl_txn_tu *tu = &t->layer->cfg.tu;
	uint32_t id = t->id;

	(void)tm;
	if (t->kind == SL_TXN_SERVER_INVITE &&
	    t->state == SL_TXN_STATE_COMPLETED) {
		/* §17.2.1: the ACK never came; the TU learns of it. */
		if (tu->timeout)
			tu->timeout(tu->arg, id, t->user, 'H');
		if (!sl__txn_alive(t, id))
			return;
	}
	sl__txn_terminate(t);
}

/* ---- new requests ---- */

int sl__txn_server_new(struct sl_txn_layer *l, struct sl_rxbuf *rx)
{
	const struct sl_msg *m = &rx->msg;
	struct sl_txn_tu *tu = &l->cfg.tu;
	struct sl_txn *t = sl__txn_alloc(l, 1);
	uint32_t id, target = 0;
	int invite = m->method == SL_METHOD_INVITE;
	int rc;

	if (!t)
		goto busy;
	t->kind = invite ? SL_TXN_SERVER_INVITE : SL_TXN_SERVER_NON_INVITE;
	t->state = invite ? SL_TXN_STATE_PROCEEDING : SL_TXN_STATE_TRYING;
	t->method = m->method;
	if (m->method_name.len <= SL_TXN_METHOD_MAX) {
		memcpy(t->method_name, m->method_name.p, m->method_name.len);
		t->method_name_len = (uint8_t)m->method_name.len;
	}
	t->reliable = (uint8_t)sl__tp_reliable(rx->tp);
	t->rfc2543 = !sl__txn_has_cookie(m->vias[0].branch);
	t->hash = sl__txn_key_hash(m);
	sl__timer_init(&t->t_retx, retx_fired, t);
	sl__timer_init(&t->t_main, main_fired, t);
	rc = sl__tp_response_dest(rx, &t->dst);
	if (rc < 0) {
		/* Nowhere to answer (§18.2.2 found no usable address). */
		sl_log_info(SL_TXN_LOG, "%.*s dropped: no response address",
			    (int)m->method_name.len, m->method_name.p);
		sl__txn_free(t);
		return rc;
	}
	/* §17.2.1: a 100 (Trying) unless the TU answers within 200 ms. */
	if (invite && sl__txn_arm(t, &t->t_retx, l->cfg.trying_ms) < 0) {
		sl__txn_free(t);
		goto busy;
	}
	t->req = rx;
	sl__rxbuf_ref(rx);
	sl__txn_table_insert(t);
	if (m->method == SL_METHOD_CANCEL) {
		struct sl_txn *inv = sl__txn_match_cancel(l, m);

		if (inv)
			target = inv->id;
	}
	id = t->id;
	sl_log_debug(SL_TXN_LOG, "%08x %.*s received", (unsigned)id,
		     (int)m->method_name.len, m->method_name.p);
	if (tu->request)
		tu->request(tu->arg, id, NULL, rx, target);
	return SL_TXN_RX_NEW;

busy:
	/* STYLE §3.1: an exhausted pool is a 503, not a crash. */
	l->stats.rejected_503++;
	rc = sl__txn_reply_stateless(l, rx, 503, NULL, NULL, 0);
	if (rc < 0)
		sl_log_info(SL_TXN_LOG, "no 503: %s", sl_strerror(rc));
	return SL_TXN_RX_REJECTED;
}

/* ---- matched requests ---- */

void sl__txn_server_recv(struct sl_txn *t, struct sl_rxbuf *rx)
{
	struct sl_txn_tu *tu = &t->layer->cfg.tu;
	int rc;

	if (t->kind == SL_TXN_SERVER_NON_INVITE) {
		/* §17.2.2: absorbed in Trying, else the last response. */
		if (t->state != SL_TXN_STATE_TRYING)
			resend_last(t);
		return;
	}
	if (rx->msg.method != SL_METHOD_ACK) {
		/* A retransmitted INVITE: the last provisional (Proceeding)
		 * or final (Completed) again; absorbed in Confirmed and, by
		 * RFC 6026 §8.6, in Accepted. */
		if (t->state == SL_TXN_STATE_PROCEEDING ||
		    t->state == SL_TXN_STATE_COMPLETED)
			resend_last(t);
		return;
	}
	switch (t->state) {
	case SL_TXN_STATE_COMPLETED:
		/* §17.2.1: the ACK for our non-2xx; Timer I absorbs the
		 * ACK's own retransmissions. */
		sl__txn_set_state(t, SL_TXN_STATE_CONFIRMED);
		sl__txn_disarm(t, &t->t_retx);
		if (t->reliable) {
			sl__txn_terminate(t);
			return;
		}
		rc = sl__txn_arm(t, &t->t_main, t->layer->cfg.t4_ms);
		if (rc < 0)
			sl__txn_fail(t, rc);
		return;
	case SL_TXN_STATE_ACCEPTED:
		/* RFC 6026 §8.6: an ACK matching in Accepted goes up. */
		if (tu->ack)
			tu->ack(tu->arg, t->id, t->user, rx);
		return;
	default:
		return;         /* Confirmed absorbs; Proceeding: no final */
	}
}

/* ---- responses from the TU ---- */

/* 0 when @status may be sent now on @t (§17.2.1, §17.2.2, RFC 6026). */
static int may_send(const struct sl_txn *t, int status)
{
	if (!sl__txn_is_server(t))
		return SL_ESTATE;
	switch (t->state) {
	case SL_TXN_STATE_TRYING:
	case SL_TXN_STATE_PROCEEDING:
		return 0;
	case SL_TXN_STATE_ACCEPTED:
		/* Only the TU's 2xx (retransmissions) after a 2xx. */
		return status >= 200 && status < 300 ? 0 : SL_ESTATE;
	default:
		return SL_ESTATE;
	}
}

/* RFC 2543 ACK matching needs the To tag our final response carried. */
static void note_to_tag(struct sl_txn *t)
{
	struct sl_msg own;

	t->resp_to_tag = t->req->msg.to.tag;
	if (t->resp_to_tag.len)
		return;
	if (sl__txn_parse_own(t->layer, t->buf, t->len, &own) == 0)
		t->resp_to_tag = own.to.tag;    /* a slice of t->buf */
}

/*
 * Takes a response (@len bytes at @src, outside the slot) into @t: keeps
 * it for retransmission, sends it and moves the state machine.
 */
static int take_response(struct sl_txn *t, const char *src, size_t len,
			 int status)
{
	const struct sl_txn_config *c = &t->layer->cfg;
	int rc, arm = 0;

	memcpy(t->buf, src, len);
	t->len = len;
	t->last_status = status;
	t->answered = 1;
	t->resp_to_tag.p = NULL;
	t->resp_to_tag.len = 0;
	if (t->state == SL_TXN_STATE_PROCEEDING &&
	    t->kind == SL_TXN_SERVER_INVITE)
		sl__txn_disarm(t, &t->t_retx);  /* no 100 (Trying) now */
	rc = sl__txn_io_send(t->layer, &t->dst, t->buf, t->len);
	if (t->rfc2543 && status >= 200)
		note_to_tag(t);

	if (t->kind == SL_TXN_SERVER_INVITE && status >= 200 && status < 300) {
		/* RFC 6026 §8.5: Accepted, Timer L, whatever the send did:
		 * the TU retransmits the 2xx and learns of errors here. */
		if (t->state == SL_TXN_STATE_PROCEEDING) {
			sl__txn_set_state(t, SL_TXN_STATE_ACCEPTED);
			arm = sl__txn_arm(t, &t->t_main, 64 * t1(t));
			if (arm < 0) {
				sl__txn_terminate(t);
				return arm;
			}
		}
		return rc;
	}
	if (rc < 0) {
		/* §17.2.4: the TU learns of the failure from our return
		 * value; the transaction is over. */
		sl__txn_terminate(t);
		return rc;
	}
	if (status < 200) {
		if (t->state == SL_TXN_STATE_TRYING)
			sl__txn_set_state(t, SL_TXN_STATE_PROCEEDING);
		return 0;
	}
	sl__txn_set_state(t, SL_TXN_STATE_COMPLETED);
	if (t->kind == SL_TXN_SERVER_INVITE) {
		/* §17.2.1: Timer G over UDP, Timer H always. */
		if (!t->reliable) {
			t->retx_ms = (uint32_t)t1(t);
			arm = sl__txn_arm(t, &t->t_retx, t->retx_ms);
		}
		if (arm == 0)
			arm = sl__txn_arm(t, &t->t_main, 64 * t1(t));
	} else if (t->reliable) {
		sl__txn_terminate(t);           /* Timer J is zero */
		return 0;
	} else {
		arm = sl__txn_arm(t, &t->t_main, 64 * (uint64_t)c->t1_ms);
	}
	if (arm < 0) {
		sl__txn_terminate(t);
		return arm;
	}
	return 0;
}

int sl__txn_respond(struct sl_txn_layer *l, uint32_t id,
		    const struct sl_txn_response *r)
{
	struct sl_builder b;
	struct sl_txn *t;
	int rc, n;

	if (!l || !r || r->status < 100 || r->status > 699 ||
	    (r->n_hdrs && !r->hdrs))
		return SL_EINVAL;
	t = sl__txn_get(l, id);
	if (!t)
		return SL_ENOTFOUND;
	rc = may_send(t, r->status);
	if (rc < 0)
		return rc;
	sl_build_init(&b, l->scratch, l->cfg.msg_buf_size);
	sl__tp_build_response(&b, t->req, r->status, r->reason, r->to_tag,
			      r->flags);
	for (unsigned i = 0; i < r->n_hdrs; i++) {
		if (!r->hdrs[i].name || !r->hdrs[i].value)
			return SL_EINVAL;
		sl_build_header(&b, r->hdrs[i].name, r->hdrs[i].value);
	}
	n = sl_build_finish(&b, r->content_type, r->body, r->body_len);
	if (n < 0)
		return n;
	return take_response(t, l->scratch, (size_t)n, r->status);
}

/* The status of a response's first line, or SL_EINVAL. */
static int status_of(const char *buf, size_t len)
{
	int status = 0;

	if (len < 12 || memcmp(buf, "SIP/2.0 ", 8) != 0 ||
	    (buf[11] != ' ' && buf[11] != '\r'))
		return SL_EINVAL;
	for (int i = 8; i < 11; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return SL_EINVAL;
		status = status * 10 + (buf[i] - '0');
	}
	return status >= 100 && status <= 699 ? status : SL_EINVAL;
}

int sl__txn_respond_raw(struct sl_txn_layer *l, uint32_t id, const char *buf,
			size_t len)
{
	struct sl_txn *t;
	int status, rc;

	if (!l || !buf)
		return SL_EINVAL;
	status = status_of(buf, len);
	if (status < 0)
		return status;
	if (len > l->cfg.msg_buf_size)
		return SL_ETOOBIG;
	t = sl__txn_get(l, id);
	if (!t)
		return SL_ENOTFOUND;
	rc = may_send(t, status);
	if (rc < 0)
		return rc;
	/* The caller's bytes may not alias the slot: copy through scratch
	 * only when they do. */
	if (buf >= t->buf && buf < t->buf + l->cfg.msg_buf_size) {
		memmove(l->scratch, buf, len);
		buf = l->scratch;
	}
	return take_response(t, buf, len, status);
}

int sl__txn_retransmit(struct sl_txn_layer *l, uint32_t id)
{
	struct sl_txn *t;

	if (!l)
		return SL_EINVAL;
	t = sl__txn_get(l, id);
	if (!t)
		return SL_ENOTFOUND;
	if (!sl__txn_is_server(t) || !t->len)
		return SL_ESTATE;
	return sl__txn_io_send(l, &t->dst, t->buf, t->len);
}
