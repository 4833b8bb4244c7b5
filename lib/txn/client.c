/*
 * lib/txn/client.c: client transactions (RFC 3261 §17.1, RFC 6026 §8.4).
 *
 * Owns: the client slots' state machines and their timers.
 * Thread: the SIP loop thread only.
 * Called by: the dialog and UA layers to send requests; table.c for the
 * responses matched to a client transaction; the loop for timers.
 *
 * INVITE: Calling (Timer A retransmits over UDP, doubling without a cap;
 * Timer B gives up) -> Proceeding on a provisional -> Completed on
 * 300-699, where the layer sends the ACK itself (§17.1.1.3) and sends it
 * again for each retransmitted final response until Timer D -> Accepted
 * on a 2xx (RFC 6026), where every 2xx goes to the TU (which ACKs them)
 * until Timer M.
 * Non-INVITE: Trying (Timer E doubling up to T2; Timer F gives up) ->
 * Proceeding (Timer E every T2) -> Completed, absorbing retransmitted
 * responses until Timer K.
 * Timers A and E run only over UDP; D and K are zero over TCP/TLS.
 */
#include <string.h>

#include "txn_int.h"

/* ---- TU notifications ---- */

static void tell_response(struct sl_txn *t, struct sl_rxbuf *rx)
{
	struct sl_txn_tu *tu = &t->layer->cfg.tu;

	if (tu->response)
		tu->response(tu->arg, t->id, t->user, rx);
}

static void tell_timeout(struct sl_txn *t, char timer)
{
	struct sl_txn_tu *tu = &t->layer->cfg.tu;

	if (tu->timeout)
		tu->timeout(tu->arg, t->id, t->user, timer);
}

/* ---- timers ---- */

static uint64_t t1(const struct sl_txn *t)
{
	return t->layer->cfg.t1_ms;
}

/* Timer A (INVITE, Calling) or E (non-INVITE, Trying or Proceeding). */
static void retx_fired(struct sl_timer *tm, void *arg)
{
	struct sl_txn *t = arg;
	const struct sl_txn_config *c = &t->layer->cfg;
	int rc;

	(void)tm;
	if (t->kind == SL_TXN_CLIENT_INVITE) {
		if (t->state != SL_TXN_STATE_CALLING)
			return;
		/* §17.1.1.2: Timer A doubles each time, without a cap. */
		t->retx_ms *= 2;
	} else if (t->state == SL_TXN_STATE_TRYING) {
		/* §17.1.2.2: E doubles up to T2 while Trying... */
		t->retx_ms = t->retx_ms * 2 < c->t2_ms ? t->retx_ms * 2 :
			c->t2_ms;
	} else if (t->state == SL_TXN_STATE_PROCEEDING) {
		/* ...and is T2 once a provisional response came. */
		t->retx_ms = c->t2_ms;
	} else {
		return;
	}
	rc = sl__txn_io_send(t->layer, &t->dst, t->buf, t->len);
	if (rc < 0) {
		sl__txn_fail(t, rc);
		return;
	}
	rc = sl__txn_arm(t, &t->t_retx, t->retx_ms);
	if (rc < 0)
		sl__txn_fail(t, rc);
}

/* Timers B, F (give up), D, K, M (done). */
static void main_fired(struct sl_timer *tm, void *arg)
{
	struct sl_txn *t = arg;
	uint32_t id = t->id;

	(void)tm;
	switch (t->state) {
	case SL_TXN_STATE_CALLING:
	case SL_TXN_STATE_TRYING:
	case SL_TXN_STATE_PROCEEDING:
		/* §17.1.1.2 Timer B, §17.1.2.2 Timer F. */
		tell_timeout(t, t->kind == SL_TXN_CLIENT_INVITE ? 'B' : 'F');
		if (sl__txn_alive(t, id))
			sl__txn_terminate(t);
		break;
	default:
		/* Timer D, K or M: the transaction is over. */
		sl__txn_terminate(t);
		break;
	}
}

/* ---- starting a transaction ---- */

int sl__txn_request(struct sl_txn_layer *l, const char *buf, size_t len,
		    const struct sl_tp_dest *dst, void *user, uint32_t *id)
{
	struct sl_msg m;
	struct sl_slice branch;
	struct sl_txn *t;
	int invite, rc;

	if (!l || !buf || !len || !dst || !id)
		return SL_EINVAL;
	if (len > l->cfg.msg_buf_size)
		return SL_ETOOBIG;
	if (sl__txn_parse_own(l, buf, len, &m) < 0 || !m.is_request ||
	    m.method == SL_METHOD_ACK || m.n_vias == 0 ||
	    m.method_name.len > SL_TXN_METHOD_MAX)
		return SL_EINVAL;
	branch = m.vias[0].branch;
	/* Our own requests always carry a §8.1.1.7 branch, and the CSeq
	 * method (what responses are matched by) must be the request's. */
	if (!sl__txn_has_cookie(branch) || branch.len > SL_TXN_BRANCH_MAX ||
	    m.cseq.method.len != m.method_name.len ||
	    memcmp(m.cseq.method.p, m.method_name.p, m.method_name.len) != 0)
		return SL_EINVAL;
	if (dst->tls_name &&
	    strlen(dst->tls_name) >= sizeof(((struct sl_txn *)0)->tls_name))
		return SL_EINVAL;
	if (sl__txn_find_client(l, branch, m.method_name))
		return SL_EEXIST;
	t = sl__txn_alloc(l, 0);
	if (!t)
		return SL_ENOMEM;

	invite = m.method == SL_METHOD_INVITE;
	t->kind = invite ? SL_TXN_CLIENT_INVITE : SL_TXN_CLIENT_NON_INVITE;
	t->state = invite ? SL_TXN_STATE_CALLING : SL_TXN_STATE_TRYING;
	t->method = m.method;
	t->dst = *dst;
	/* The caller's TLS name need not outlive this call: the slot keeps
	 * its own copy for every later send on this transaction. */
	t->dst.tls_name = NULL;
	if (dst->tls_name) {
		memcpy(t->tls_name, dst->tls_name, strlen(dst->tls_name) + 1);
		t->dst.tls_name = t->tls_name;
	}
	t->reliable = (uint8_t)sl__tp_reliable(dst->tp);
	t->user = user;
	memcpy(t->branch, branch.p, branch.len);
	t->branch_len = (uint8_t)branch.len;
	memcpy(t->method_name, m.method_name.p, m.method_name.len);
	t->method_name_len = (uint8_t)m.method_name.len;
	memcpy(t->buf, buf, len);
	t->len = len;
	t->hash = sl__txn_hash_branch(branch);
	sl__timer_init(&t->t_retx, retx_fired, t);
	sl__timer_init(&t->t_main, main_fired, t);

	/* Timer A / E over UDP only (§17.1.1.2, §17.1.2.2); B / F always. */
	t->retx_ms = (uint32_t)t1(t);
	rc = t->reliable ? 0 : sl__txn_arm(t, &t->t_retx, t->retx_ms);
	if (rc == 0)
		rc = sl__txn_arm(t, &t->t_main, 64 * t1(t));
	if (rc < 0) {
		sl__txn_free(t);
		return SL_ENOMEM;
	}
	sl__txn_table_insert(t);
	rc = sl__txn_io_send(l, &t->dst, t->buf, t->len);
	if (rc < 0) {
		/* Nobody knows the id yet: the caller gets the error. */
		sl__txn_free(t);
		return rc;
	}
	sl_log_debug(SL_TXN_LOG, "%08x %.*s sent", (unsigned)t->id,
		     (int)t->method_name_len, t->method_name);
	*id = t->id;
	return 0;
}

/* ---- building ACK and CANCEL from the INVITE ---- */

/* Copies every value of header @id of @m, in order. */
static void copy_all(struct sl_builder *b, const struct sl_msg *m,
		     enum sl_hdr_id id)
{
	for (uint16_t i = m->first[id]; i != SL_HDR_NONE && i < m->n_hdrs;
	     i = m->hdrs[i].next)
		sl_build_header_copy(b, &m->hdrs[i]);
}

/* Copies the first value of header @id of @m. */
static void copy_first(struct sl_builder *b, const struct sl_msg *m,
		       enum sl_hdr_id id)
{
	if (m->first[id] == SL_HDR_NONE || m->first[id] >= m->n_hdrs) {
		if (!b->err)
			b->err = SL_EINVAL;
		return;
	}
	sl_build_header_copy(b, &m->hdrs[m->first[id]]);
}

/*
 * The request §17.1.1.3 (ACK) and §9.1 (CANCEL) derive from the INVITE
 * @inv: the same Request-URI, only the top Via, the Route set, From,
 * Call-ID, the CSeq number; To from @to_from (the response for an ACK,
 * the INVITE for a CANCEL).
 */
static int build_from_invite(struct sl_builder *b, const struct sl_msg *inv,
			     const char *method, const struct sl_msg *to_from)
{
	struct sl_slice meth = { method, strlen(method) };

	sl_build_request_line_slice(b, meth, inv->ruri_text);
	copy_first(b, inv, SL_HDR_VIA);
	copy_all(b, inv, SL_HDR_ROUTE);
	copy_first(b, inv, SL_HDR_FROM);
	copy_first(b, to_from, SL_HDR_TO);
	copy_first(b, inv, SL_HDR_CALL_ID);
	sl_build_cseq(b, inv->cseq.seq, method);
	sl_build_header_uint(b, "Max-Forwards", SL_TXN_MAX_FORWARDS);
	return sl_build_finish(b, NULL, NULL, 0);
}

/*
 * Builds the ACK for non-2xx response @rx into the slot, in place of the
 * INVITE, which is never sent again from Completed on.
 */
static int make_ack(struct sl_txn *t, const struct sl_rxbuf *rx)
{
	struct sl_txn_layer *l = t->layer;
	struct sl_builder b;
	struct sl_msg inv;
	int n;

	n = sl__txn_parse_own(l, t->buf, t->len, &inv);
	if (n < 0)
		return n;
	sl_build_init(&b, l->scratch, l->cfg.msg_buf_size);
	n = build_from_invite(&b, &inv, "ACK", &rx->msg);
	if (n < 0)
		return n;
	memcpy(t->buf, l->scratch, (size_t)n);
	t->len = (size_t)n;
	return 0;
}

int sl__txn_build_cancel(struct sl_txn_layer *l, uint32_t invite, char *out,
			 size_t cap)
{
	struct sl_builder b;
	struct sl_msg inv;
	struct sl_txn *t;
	int rc;

	if (!l || !out)
		return SL_EINVAL;
	t = sl__txn_get(l, invite);
	if (!t)
		return SL_ENOTFOUND;
	if (t->kind != SL_TXN_CLIENT_INVITE ||
	    t->state != SL_TXN_STATE_PROCEEDING)
		return SL_ESTATE;
	rc = sl__txn_parse_own(l, t->buf, t->len, &inv);
	if (rc < 0)
		return rc;
	sl_build_init(&b, out, cap);
	return build_from_invite(&b, &inv, "CANCEL", &inv);
}

/* ---- responses ---- */

static void invite_recv(struct sl_txn *t, struct sl_rxbuf *rx)
{
	int status = rx->msg.status;
	uint32_t id = t->id;
	int rc = 0;

	switch (t->state) {
	case SL_TXN_STATE_CALLING:
	case SL_TXN_STATE_PROCEEDING:
		t->last_status = status;
		/* Every response ends the retransmissions and Timer B, which
		 * §17.1.1.2 runs in Calling only. */
		sl__txn_disarm(t, &t->t_retx);
		if (status < 200) {
			sl__txn_disarm(t, &t->t_main);
			if (t->state == SL_TXN_STATE_CALLING)
				sl__txn_set_state(t, SL_TXN_STATE_PROCEEDING);
			tell_response(t, rx);
			return;
		}
		if (status < 300) {
			/* RFC 6026 §8.4: Accepted until Timer M, so 2xx
			 * retransmissions and forked 2xx still reach the TU. */
			sl__txn_set_state(t, SL_TXN_STATE_ACCEPTED);
			rc = sl__txn_arm(t, &t->t_main, 64 * t1(t));
			tell_response(t, rx);
			if (rc < 0 && sl__txn_alive(t, id))
				sl__txn_fail(t, rc);
			return;
		}
		/* §17.1.1.2: 300-699 -> Completed, ACK, Timer D. */
		sl__txn_set_state(t, SL_TXN_STATE_COMPLETED);
		rc = make_ack(t, rx);
		if (rc == 0)
			rc = sl__txn_io_send(t->layer, &t->dst, t->buf,
					     t->len);
		if (rc == 0 && !t->reliable)
			rc = sl__txn_arm(t, &t->t_main, t->layer->cfg.td_ms);
		else
			sl__txn_disarm(t, &t->t_main);
		tell_response(t, rx);
		if (!sl__txn_alive(t, id))
			return;
		if (rc < 0)
			sl__txn_fail(t, rc);
		else if (t->reliable)
			sl__txn_terminate(t);   /* Timer D is zero */
		return;
	case SL_TXN_STATE_COMPLETED:
		/* A retransmitted final response: the ACK again, nothing to
		 * the TU. */
		if (status >= 300) {
			rc = sl__txn_io_send(t->layer, &t->dst, t->buf,
					     t->len);
			if (rc < 0)
				sl__txn_fail(t, rc);
		}
		return;
	case SL_TXN_STATE_ACCEPTED:
		if (status >= 200 && status < 300)
			tell_response(t, rx);
		return;
	default:
		return;
	}
}

static void non_invite_recv(struct sl_txn *t, struct sl_rxbuf *rx)
{
	int status = rx->msg.status;
	uint32_t id = t->id;
	int rc = 0;

	if (t->state != SL_TXN_STATE_TRYING &&
	    t->state != SL_TXN_STATE_PROCEEDING)
		return;         /* Completed absorbs retransmissions */
	t->last_status = status;
	if (status < 200) {
		if (t->state == SL_TXN_STATE_TRYING)
			sl__txn_set_state(t, SL_TXN_STATE_PROCEEDING);
		tell_response(t, rx);
		return;
	}
	/* §17.1.2.2: a final response -> Completed, Timer K. */
	sl__txn_set_state(t, SL_TXN_STATE_COMPLETED);
	sl__txn_disarm(t, &t->t_retx);
	if (t->reliable)
		sl__txn_disarm(t, &t->t_main);
	else
		rc = sl__txn_arm(t, &t->t_main, t->layer->cfg.t4_ms);
	tell_response(t, rx);
	if (!sl__txn_alive(t, id))
		return;
	if (rc < 0)
		sl__txn_fail(t, rc);
	else if (t->reliable)
		sl__txn_terminate(t);           /* Timer K is zero */
}

void sl__txn_client_recv(struct sl_txn *t, struct sl_rxbuf *rx)
{
	if (t->kind == SL_TXN_CLIENT_INVITE)
		invite_recv(t, rx);
	else
		non_invite_recv(t, rx);
}
