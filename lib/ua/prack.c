/*
 * lib/ua/prack.c: reliable provisional responses (RFC 3262) in the four
 * modes of enum sl_prack_mode: never, supported (reliable 18x with a
 * body), supported (every 18x reliable) and required. UAC: PRACK every
 * new reliable 1xx (§4); UAS: RSeq, Require: 100rel, retransmission with
 * T1 doubling to T2 until the PRACK, 5xx after 64*T1 without one (§3).
 *
 * Owns: the line's RFC 3262 fields and its retransmission timer.
 * Thread: the SIP loop thread.
 * Called by: call_out.c (1xx received), call_in.c (18x sent, PRACK
 * received), call.c (line reset).
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

void sl__prack_on_1xx(struct sl_ua *ua, struct sl_line *ln,
		      struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	uint16_t i = m->first[SL_HDR_RSEQ];
	struct sl_txn_hdr h;
	uint32_t rseq;
	char rack[64];
	int rc;

	if (!t || !ln->dlg || i == SL_HDR_NONE ||
	    sl_uint_decode(m->hdrs[i].value, 0xffffffffu, &rseq) < 0)
		return;
	/* §4: only a new RSeq (one more than the last) is PRACKed. */
	if (sl__dlg_rseq_check(t, ln->dlg, rx) != 1)
		return;
	snprintf(rack, sizeof(rack), "%u %u INVITE", rseq, m->cseq.seq);
	h.name = "RAck";
	h.value = rack;
	rc = sl__calls_send(ua, ln, "PRACK", &h, 1, NULL, NULL, 0,
			    &ln->prack_txn);
	if (rc < 0)
		sl_log_warn(SL_CALL_LOG, "line %u: PRACK not sent", ln->idx);
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

static void rel_fire(struct sl_timer *tm, void *arg)
{
	struct sl_line *ln = arg;
	struct sl_ua *ua = ln->ua;
	uint64_t limit = 64ull * ua->cfg.t1_ms;

	(void)tm;
	if (!ln->session || !ln->rseq || ln->state != SL_LINE_RINGING)
		return;
	ln->rel_tries++;
	if ((uint64_t)ln->rel_tries * ua->cfg.t2_ms >= 2 * limit ||
	    ln->rel_ms >= limit) {
		/* §3: no PRACK for 64*T1 - the INVITE is refused. */
		ln->rseq = 0;
		sl__call_in_reject(ua, ln, 504, NULL);
		return;
	}
	sl__txn_retransmit(ua->txn, ln->inv_txn);
	{
		uint64_t step = (uint64_t)ua->cfg.t1_ms << (ln->rel_tries < 16 ?
							    ln->rel_tries : 16);

		if (step > ua->cfg.t2_ms)
			step = ua->cfg.t2_ms;
		ln->rel_ms += step;
		sl__loop_timer_start(ua->loop, &ln->rel_timer, step);
	}
}

void sl__prack_timer_init(struct sl_line *ln)
{
	sl__timer_init(&ln->rel_timer, rel_fire, ln);
}

void sl__prack_stop(struct sl_ua *ua, struct sl_line *ln)
{
	sl__loop_timer_stop(ua->loop, &ln->rel_timer);
	ln->rseq = 0;
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
	struct sl_rack r;

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
	sl__prack_stop(ua, ln);
	sl__call_in_respond(ua, ln, txn, 200, NULL, 0, NULL, NULL, 0);
	if (ln->pending_183 && ln->state == SL_LINE_RINGING) {
		ln->pending_183 = 0;
		sl__prack_send_1xx(ua, ln, 183, "application/sdp",
				   ln->local_sdp, ln->local_len);
	}
}
