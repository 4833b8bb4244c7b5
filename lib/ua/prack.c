/*
 * lib/ua/prack.c: reliable provisional responses (RFC 3262) in the four
 * modes of enum sl_prack_mode: never, supported (reliable 18x with a
 * body), supported (every 18x reliable) and required. UAC: PRACK every
 * new reliable 1xx (§4); UAS: RSeq, Require: 100rel, retransmission with
 * an interval starting at T1 and doubling each time, a 5xx after 64*T1
 * without the PRACK (§3), and no 2xx while a reliable 1xx with a session
 * description waits for its PRACK (§3).
 *
 * Offer/answer in the early dialog (§5, RFC 6337 §3.1): an INVITE
 * without an offer gets ours in the first reliable 1xx (the 180 when it
 * is reliable anyway, else an early-media 183) and the answer comes in
 * the PRACK; a UAC whose INVITE had no offer answers an offer in a
 * reliable 1xx in its PRACK; an answer to our INVITE's offer in a
 * reliable 1xx completes the exchange. Either way the 2xx and the ACK
 * then carry no new exchange.
 *
 * Owns: the line's RFC 3262 fields and its retransmission timer.
 * Thread: the SIP loop thread.
 * Called by: call_out.c (1xx received), call_in.c (18x sent, PRACK
 * received, answering), call.c (line reset, PRACK resent with
 * credentials).
 */
#include <stdio.h>
#include <string.h>

#include "call_int.h"
#include "core/log.h"

unsigned sl__prack_invite_hdrs(struct sl_ua *ua, struct sl_txn_hdr *h)
{
	if (ua->cfg.prack != SL_PRACK_REQUIRED)
		return 0;
	/* Supported: 100rel comes from the UA's Supported list. */
	h->name = "Require";
	h->value = "100rel";
	return 1;
}

/* What the session description of a new reliable 1xx is to us: 1 an
 * answer to our INVITE's offer, 2 an offer (our INVITE had none), 0
 * neither (none, or a repeat of what an earlier one completed). */
static int early_sdp_kind(const struct sl_line *ln, struct sl_slice sdp)
{
	if (!sdp.len || ln->early_oa)
		return 0;
	if (ln->offer_out)
		return 1;
	if (ln->no_sdp && !ln->remote_len)
		return 2;
	return 0;
}

int sl__prack_on_1xx(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	uint16_t i = m->first[SL_HDR_RSEQ];
	struct sl_slice sdp, idata;
	struct sl_txn_hdr h;
	const char *ct = NULL;
	const char *body = NULL;
	size_t len = 0;
	uint32_t rseq;
	char rack[64];
	int rc, done = 0;

	if (!t || !ln->dlg || i == SL_HDR_NONE ||
	    sl_uint_decode(m->hdrs[i].value, 0xffffffffu, &rseq) < 0)
		return 0;
	/* §4: only a new RSeq (one more than the last) is PRACKed. */
	if (sl__dlg_rseq_check(t, ln->dlg, rx) != 1)
		return 0;
	if (sl__media_split(m, &sdp, &idata) < 0)
		sdp.len = 0;
	switch (early_sdp_kind(ln, sdp)) {
	case 1:
		/* The answer to our offer, reliably: the exchange is over. */
		if (sl__media_remote(ua, ln, sdp) == 0) {
			ln->offer_out = 0;
			ln->early_oa = 1;
			done = 1;
		}
		break;
	case 2:
		/* §5: an offer in a reliable 1xx; the answer goes in the
		 * PRACK. */
		if (sl__media_remote(ua, ln, sdp) < 0 ||
		    sl__media_answer(ua, ln, ln->have_target ?
				     &ln->target.addr : NULL) <= 0) {
			/* A PRACK cannot refuse an offer: no PRACK, the
			 * caller CANCELs the attempt instead. */
			ln->remote_len = 0;
			done = SL_EPARSE;
			break;
		}
		ct = "application/sdp";
		body = ln->local_sdp;
		len = ln->local_len;
		ln->early_oa = 1;
		done = 1;
		break;
	default:
		break;
	}
	if (done < 0)
		return done;
	snprintf(rack, sizeof(rack), "%u %u INVITE", rseq, m->cseq.seq);
	h.name = "RAck";
	h.value = rack;
	ln->prack_answer = body != NULL;
	rc = sl__calls_send(ua, ln, "PRACK", &h, 1, ct, body, len,
			    &ln->prack_txn);
	if (rc < 0)
		sl_log_warn(SL_CALL_LOG, "line %u: PRACK not sent", ln->idx);
	return done;
}

int sl__prack_reliable(struct sl_ua *ua, const struct sl_line *ln,
		       int has_body)
{
	switch (ua->cfg.prack) {
	case SL_PRACK_NEVER:
		return 0;
	case SL_PRACK_SUPPORTED_BODY:
		return ln->peer_100rel && has_body;
	case SL_PRACK_SUPPORTED:
	case SL_PRACK_REQUIRED:
	default:
		return ln->peer_100rel;
	}
}

int sl__prack_offer_status(struct sl_ua *ua, const struct sl_line *ln)
{
	if (ln->remote_len || !ln->peer_100rel)
		return 0;
	/* §5 with RFC 3261 §13.3.1.1: the first reliable non-failure
	 * response carries the offer. A 180 that goes reliably anyway
	 * takes it; otherwise early media brings a reliable 183. */
	if (sl__prack_reliable(ua, ln, 0))
		return 180;
	if (ua->cfg.early_media && sl__prack_reliable(ua, ln, 1))
		return 183;
	return 0;
}

/*
 * §3: the reliable 1xx goes again after T1, then after an interval that
 * doubles each time (T1, 2*T1, 4*T1... with no T2 cap); 64*T1 after the
 * first send, still without a PRACK, the INVITE is refused with a 5xx.
 * Sent at 0, again at 1, 3, 7, 15, 31 and 63 T1, refused at 64 T1.
 */
static void rel_fire(struct sl_timer *tm, void *arg)
{
	struct sl_line *ln = arg;
	struct sl_ua *ua = ln->ua;
	uint64_t limit = 64ull * ua->cfg.t1_ms;
	uint64_t step;

	(void)tm;
	if (!ln->session || !ln->rseq || ln->state != SL_LINE_RINGING)
		return;
	if (ln->rel_ms >= limit) {
		ln->rseq = 0;
		ln->answer_pending = 0;
		sl_log_info(SL_CALL_LOG, "line %u: no PRACK for 64*T1",
			    ln->idx);
		sl__call_in_fail(ua, ln, 504, SL_CLOSE_TIMEOUT);
		return;
	}
	sl__txn_retransmit(ua->txn, ln->inv_txn);
	ln->rel_tries++;
	step = (uint64_t)ua->cfg.t1_ms << (ln->rel_tries < 16 ?
					   ln->rel_tries : 16);
	if (ln->rel_ms + step > limit)
		step = limit - ln->rel_ms;
	ln->rel_ms += step;
	sl__loop_timer_start(ua->loop, &ln->rel_timer, step);
}

void sl__prack_timer_init(struct sl_line *ln)
{
	sl__timer_init(&ln->rel_timer, rel_fire, ln);
}

void sl__prack_stop(struct sl_ua *ua, struct sl_line *ln)
{
	sl__loop_timer_stop(ua->loop, &ln->rel_timer);
	ln->rseq = 0;
	ln->rel_sdp = 0;
}

int sl__prack_send_1xx(struct sl_ua *ua, struct sl_line *ln, int status,
		       const char *ctype, const void *body, size_t len)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_txn_hdr h[2];
	char v[16];
	uint32_t rseq;
	int rc;

	if (!sl__prack_reliable(ua, ln, len != 0) || ln->rseq)
		return sl__call_in_respond(ua, ln, ln->inv_txn, status, NULL,
					   0, ctype, body, len);
	rc = sl__dlg_rseq_next(t, ln->dlg, &rseq);
	if (rc < 0)
		return rc;
	snprintf(v, sizeof(v), "%u", rseq);
	h[0].name = "Require";
	h[0].value = "100rel";
	h[1].name = "RSeq";
	h[1].value = v;
	rc = sl__call_in_respond(ua, ln, ln->inv_txn, status, h, 2, ctype,
				 body, len);
	if (rc < 0)
		return rc;
	ln->rseq = rseq;
	ln->last_rseq = rseq;
	ln->rel_sdp = len != 0;
	ln->rel_tries = 0;
	ln->rel_ms = ua->cfg.t1_ms;
	sl__loop_timer_start(ua->loop, &ln->rel_timer, ua->cfg.t1_ms);
	return 0;
}

void sl__prack_on_prack(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			struct sl_rxbuf *rx)
{
	const struct sl_msg *m = &rx->msg;
	uint16_t i = m->first[SL_HDR_RACK];
	struct sl_slice sdp, idata;
	struct sl_rack r;
	int had_sdp;

	if (i == SL_HDR_NONE || sl_rack_decode(m->hdrs[i].value, &r) < 0 ||
	    !ln->last_rseq || r.rseq > ln->last_rseq) {
		/* §3: a PRACK matching no response we sent. */
		sl__call_in_respond(ua, ln, txn, 481, NULL, 0, NULL, NULL, 0);
		return;
	}
	if (!ln->rseq || r.rseq != ln->rseq) {
		/* A PRACK that crossed our final response (or a repeat):
		 * nothing to stop, and no reason to end the dialog. */
		sl__call_in_respond(ua, ln, txn, 200, NULL, 0, NULL, NULL, 0);
		return;
	}
	had_sdp = ln->rel_sdp;
	sl__prack_stop(ua, ln);
	if (had_sdp && ln->offer_out) {
		/* §5: our offer went in that 1xx; the PRACK answers it. */
		if (sl__media_split(m, &sdp, &idata) == 0 && sdp.len &&
		    sl__media_remote(ua, ln, sdp) == 0) {
			ln->offer_out = 0;
			ln->early_oa = 1;
		} else {
			sl_log_info(SL_CALL_LOG, "line %u: PRACK without the "
				    "answer to our offer", ln->idx);
		}
	} else if (had_sdp && ln->remote_len && ln->local_len) {
		/* Our answer went reliably and is acknowledged. */
		ln->early_oa = 1;
	}
	sl__call_in_respond(ua, ln, txn, 200, NULL, 0, NULL, NULL, 0);
	if (ln->state != SL_LINE_RINGING)
		return;
	if (ln->answer_pending) {
		/* sl_call_answer() came while the PRACK was awaited. */
		ln->pending_183 = 0;
		sl__call_in_answer_resume(ua, ln);
		return;
	}
	if (ln->pending_183) {
		ln->pending_183 = 0;
		sl__prack_send_1xx(ua, ln, 183, "application/sdp",
				   ln->local_sdp, ln->local_len);
	}
}
