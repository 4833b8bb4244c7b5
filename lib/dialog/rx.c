/*
 * lib/dialog/rx.c: what comes back in a dialog (RFC 3261 §12.2.1.2,
 * §12.2.2, §14.1, §14.2, §15.1.1; RFC 3262 §3-4; RFC 5057): requests the
 * peer sends, responses to ours, and the effects on the dialog.
 *
 * Owns: nothing beyond the slots' sequence numbers, targets and flags.
 * Thread: the SIP loop thread only.
 * Called by: the UA from its transaction callbacks (request, ack,
 * response, timeout, transport error).
 *
 * The answers given here (481, 500, 491, 500 with Retry-After) go out
 * through the transaction layer on the request's own server transaction,
 * so its retransmissions are absorbed as usual.
 */
#include <stdio.h>
#include <string.h>

#include "dialog_int.h"
#include "sipline/headers.h"

static int answer(struct sl_dlg_table *t, uint32_t txn, int status,
		  const struct sl_txn_hdr *hdr)
{
	struct sl_txn_response r = { .status = status, .hdrs = hdr,
				     .n_hdrs = hdr ? 1 : 0 };
	int rc = sl__txn_respond(t->txn, txn, &r);

	if (rc < 0) {
		sl_log_info(SL_DLG_LOG, "no %d: %s", status, sl_strerror(rc));
		return rc;
	}
	return SL_DLG_RX_ANSWERED;
}

/* A target refresh with a usable Contact replaces the remote target
 * (§12.2.2 for requests, §12.2.1.2 for 2xx responses). An unusable one
 * is left alone: the request or response is not refused for it here. */
static void refresh_target(struct sl_dlg *d, const struct sl_msg *m)
{
	struct sl_dlg_vals v;
	struct sl_slice uri;
	int rc;

	if (sl__dlg_msg_contact(m, &uri) < 0)
		return;
	sl__dlg_vals_of(d, &v);
	v.s[SL_DLG_S_TARGET] = uri;
	rc = sl__dlg_store(d, &v);
	if (rc < 0)
		sl_log_info(SL_DLG_LOG, "%08x: remote target kept: %s",
			    (unsigned)d->id, sl_strerror(rc));
}

static int unknown_dialog(struct sl_dlg_table *t, uint32_t txn,
			  const struct sl_msg *m, uint32_t *id)
{
	struct sl_dlg *d;
	int err;

	if (m->method == SL_METHOD_ACK) {
		/* An ACK is never answered; one for a dialog we no longer
		 * have is dropped. */
		t->stats.absorbed_ack++;
		return SL_DLG_RX_ABSORBED;
	}
	if (m->method == SL_METHOD_CANCEL)
		return SL_DLG_RX_OUTSIDE;       /* §9.2: the txn layer's */
	if (m->method == SL_METHOD_NOTIFY) {
		d = sl__dlg_uac_notify(t, m, &err);
		if (d) {
			d->remote_cseq = m->cseq.seq;
			d->has_remote_cseq = 1;
			*id = d->id;
			return SL_DLG_RX_NEW;
		}
		if (err == SL_ENOMEM) {
			t->stats.rejected_503++;
			return answer(t, txn, 503, NULL);
		}
	}
	/* §12.2.2: a To tag but no such dialog. */
	t->stats.answered_481++;
	return answer(t, txn, 481, NULL);
}

int sl__dlg_recv_request(struct sl_dlg_table *t, uint32_t txn,
			 const struct sl_rxbuf *rx, uint32_t *id)
{
	const struct sl_msg *m;
	struct sl_dlg *d;
	uint32_t cseq;

	if (id)
		*id = 0;
	if (!t || !rx || !id || !rx->msg.is_request ||
	    (!txn && rx->msg.method != SL_METHOD_ACK))
		return SL_EINVAL;
	m = &rx->msg;
	if (!m->to.tag.len) {
		if (m->method != SL_METHOD_ACK)
			return SL_DLG_RX_OUTSIDE;
		t->stats.absorbed_ack++;
		return SL_DLG_RX_ABSORBED;
	}
	/* §12.2.2: our tag is in To, the peer's in From. */
	d = sl__dlg_lookup(t, m->call_id, m->to.tag, m->from.tag);
	if (!d)
		return unknown_dialog(t, txn, m, id);
	*id = d->id;
	if (m->method == SL_METHOD_ACK) {
		sl__dlg_ack_received(d, m->cseq.seq);
		return SL_DLG_RX_ACK;
	}
	/* CANCEL carries its INVITE's number: no CSeq rule applies. */
	if (m->method == SL_METHOD_CANCEL)
		return SL_DLG_RX_IN_DIALOG;
	cseq = m->cseq.seq;
	if (d->has_remote_cseq && cseq < d->remote_cseq) {
		/* §12.2.2: out of order. */
		sl_log_info(SL_DLG_LOG, "%08x: CSeq %u after %u",
			    (unsigned)d->id, (unsigned)cseq,
			    (unsigned)d->remote_cseq);
		t->stats.answered_500++;
		return answer(t, txn, 500, NULL);
	}
	d->remote_cseq = cseq;
	d->has_remote_cseq = 1;
	if (m->method == SL_METHOD_INVITE) {
		if (d->pending_invite) {
			/* §14.2: both sides re-INVITE at once (glare). */
			t->stats.answered_491++;
			return answer(t, txn, 491, NULL);
		}
		if (txn != d->peer_invite_txn &&
		    sl__dlg_peer_invite_pending(d)) {
			/* §14.2: the previous one has no final response yet;
			 * try again in 0-10 s. */
			struct sl_txn_hdr ra = { "Retry-After", NULL };
			char secs[4];

			snprintf(secs, sizeof(secs), "%u",
				 (unsigned)(sl__dlg_random(t) %
					    (SL_DLG_RETRY_AFTER_MAX + 1)));
			ra.value = secs;
			t->stats.answered_500++;
			return answer(t, txn, 500, &ra);
		}
		d->peer_invite_txn = txn;
	}
	/* The target moves only with a request we take (RFC 6141 §3.3 on a
	 * rejected re-INVITE); §12.2.2 for every target refresh. */
	if (sl__dlg_target_refresh(m->method))
		refresh_target(d, m);
	if (m->method == SL_METHOD_BYE)
		d->flags |= SL_DLG_F_BYE_RECEIVED;
	return SL_DLG_RX_IN_DIALOG;
}

/* ---- responses to our requests ---- */

enum sl_dlg_effect sl__dlg_response_effect(int status, enum sl_method m)
{
	switch (status) {
	case 404: case 410: case 416: case 481: case 482: case 484:
	case 485: case 502: case 604:
		return SL_DLG_EFFECT_DIALOG;
	case 403: case 408: case 480: case 489:
		return SL_DLG_EFFECT_USAGE;
	case 405: case 501:
		/* The method of the usage itself is refused; an extension
		 * method (INFO, MESSAGE...) is the transaction's business. */
		return m == SL_METHOD_INVITE || m == SL_METHOD_SUBSCRIBE ||
		       m == SL_METHOD_NOTIFY || m == SL_METHOD_REFER ?
		       SL_DLG_EFFECT_USAGE : SL_DLG_EFFECT_NONE;
	default:
		return SL_DLG_EFFECT_NONE;
	}
}

static int sub_method(enum sl_method m)
{
	return m == SL_METHOD_SUBSCRIBE || m == SL_METHOD_NOTIFY ||
	       m == SL_METHOD_REFER;
}

/* What a response (or its stand-in: @m NULL) does to @d. */
static int took_response(struct sl_dlg *d, enum sl_method method,
			 uint32_t cseq, int status, const struct sl_msg *m)
{
	enum sl_dlg_effect eff;

	if (status < 200)
		return SL_DLG_RESP_OK;
	if (method == SL_METHOD_INVITE && cseq == d->pending_invite)
		d->pending_invite = 0;
	if (status < 300) {
		if (method == SL_METHOD_INVITE && d->acked_cseq == cseq)
			return SL_DLG_RESP_RETRANSMIT;
		/* The ACK goes to the INVITE this 2xx answers. */
		if (method == SL_METHOD_INVITE)
			d->invite_cseq = cseq;
		if (m && sl__dlg_target_refresh(method))
			refresh_target(d, m);
		if (method == SL_METHOD_BYE)
			return sl__dlg_end_invite_usage(d, SL_DLG_END_BYE_SENT,
							status) ?
				SL_DLG_RESP_TERMINATED : SL_DLG_RESP_OK;
		return SL_DLG_RESP_OK;
	}
	/* §15.1.1: the session ends with our BYE whatever the answer, once
	 * it is final; a challenge is answered with the BYE again. */
	if (method == SL_METHOD_BYE && status != 401 && status != 407)
		return sl__dlg_end_invite_usage(d, SL_DLG_END_BYE_SENT,
						status) ?
			SL_DLG_RESP_TERMINATED : SL_DLG_RESP_OK;
	if (method == SL_METHOD_INVITE && status == 491)
		return SL_DLG_RESP_GLARE;
	eff = sl__dlg_response_effect(status, method);
	if (eff == SL_DLG_EFFECT_DIALOG) {
		sl__dlg_end(d, SL_DLG_END_RESPONSE, status);
		return SL_DLG_RESP_TERMINATED;
	}
	if (eff != SL_DLG_EFFECT_USAGE)
		return SL_DLG_RESP_OK;
	if (sl__dlg_invite_usage_method(method)) {
		if (!(d->flags & SL_DLG_F_INVITE_USAGE))
			return SL_DLG_RESP_OK;
		return sl__dlg_end_invite_usage(d, SL_DLG_END_RESPONSE,
						status) ?
			SL_DLG_RESP_TERMINATED : SL_DLG_RESP_USAGE_ENDED;
	}
	return sub_method(method) ? SL_DLG_RESP_USAGE_ENDED : SL_DLG_RESP_OK;
}

static int in_dialog(struct sl_dlg_table *t, uint32_t id, struct sl_dlg **out)
{
	struct sl_dlg *d = sl__dlg_get(t, id);

	if (!d)
		return SL_ENOTFOUND;
	if (!sl__dlg_is_dialog(d))
		return SL_ESTATE;
	*out = d;
	return 0;
}

int sl__dlg_recv_response(struct sl_dlg_table *t, uint32_t id,
			  const struct sl_rxbuf *rx)
{
	const struct sl_msg *m;
	struct sl_slice cid, tag;
	struct sl_dlg *d;
	int rc;

	if (!t || !rx || rx->msg.is_request)
		return SL_EINVAL;
	rc = in_dialog(t, id, &d);
	if (rc < 0)
		return rc;
	m = &rx->msg;
	cid = sl__dlg_str(d, SL_DLG_S_CALL_ID);
	tag = sl__dlg_str(d, SL_DLG_S_LOCAL_TAG);
	if (m->call_id.len != cid.len ||
	    memcmp(m->call_id.p, cid.p, cid.len) != 0 ||
	    m->from.tag.len != tag.len ||
	    memcmp(m->from.tag.p, tag.p, tag.len) != 0)
		return SL_EINVAL;
	return took_response(d, sl_method_from_name(m->cseq.method.p,
						    m->cseq.method.len),
			     m->cseq.seq, m->status, m);
}

int sl__dlg_request_failed(struct sl_dlg_table *t, uint32_t id,
			   enum sl_method m, uint32_t cseq, int status)
{
	struct sl_dlg *d;
	int rc;

	if (!t || status < 300 || status > 699)
		return SL_EINVAL;
	rc = in_dialog(t, id, &d);
	if (rc < 0)
		return rc;
	/* 0: the INVITE we have pending, whatever its number. */
	if (m == SL_METHOD_INVITE && !cseq)
		cseq = d->pending_invite;
	return took_response(d, m, cseq, status, NULL);
}

int sl__dlg_glare_backoff(struct sl_dlg_table *t, uint32_t id)
{
	struct sl_dlg *d;
	uint32_t r;

	if (!t)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	r = sl__dlg_random(t);
	/* §14.1: the owner of the Call-ID waits 2.1-4 s, the other 0-2 s,
	 * so the two retries do not collide again. */
	if (d->flags & SL_DLG_F_UAC)
		return (int)(210 + r % 191);
	return (int)(r % 201);
}

/* ---- RFC 3262 ---- */

int sl__dlg_rseq_check(struct sl_dlg_table *t, uint32_t id,
		       const struct sl_rxbuf *rx)
{
	const struct sl_msg *m;
	struct sl_dlg *d;
	uint32_t rseq;
	uint16_t i;

	if (!t || !rx || rx->msg.is_request)
		return SL_EINVAL;
	m = &rx->msg;
	i = m->first[SL_HDR_RSEQ];
	/* RFC 3262 §7.1: 1 to 2^31 - 1. */
	if (i == SL_HDR_NONE ||
	    sl_uint_decode(m->hdrs[i].value, 0x7fffffffu, &rseq) < 0 ||
	    rseq == 0)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	/* §4: the first sets the sequence, each next is one more. */
	if (d->rseq_rx && rseq != d->rseq_rx + 1)
		return 0;
	d->rseq_rx = rseq;
	return 1;
}

int sl__dlg_rseq_next(struct sl_dlg_table *t, uint32_t id, uint32_t *rseq)
{
	struct sl_dlg *d;

	if (!t || !rseq)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	/* §3: a random start below 2^31; below 2^30 leaves room to count. */
	if (!d->rseq_tx)
		d->rseq_tx = 1 + sl__dlg_random(t) % (1u << 30);
	else if (d->rseq_tx < 0x7fffffffu)
		d->rseq_tx++;
	*rseq = d->rseq_tx;
	return 0;
}
