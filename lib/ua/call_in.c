/*
 * lib/ua/call_in.c: incoming calls and the requests a call receives -
 * the INVITE (RFC 3261 §13.3: 180/183, 2xx with our answer, 3xx-6xx; do-
 * not-disturb, call forwarding always / when busy, 486 when every line is
 * busy), CANCEL (§9.2), ACK, BYE (§15.1.2), re-INVITE (§14.2) and UPDATE
 * (RFC 3311) with remote hold detection, OPTIONS and INFO in a dialog.
 *
 * Owns: nothing beyond the line fields it sets.
 * Thread: the SIP loop thread.
 * Called by: call.c (the seam's request hooks, sl_call_answer(),
 * sl_call_reject(), sl_call_forward(), sl_call_hangup()).
 */
#include <stdio.h>
#include <string.h>

#include "call_int.h"
#include "core/log.h"

int sl__call_in_respond(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			int status, const struct sl_txn_hdr *extra,
			unsigned n_extra, const char *ctype,
			const void *body, size_t len)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_txn_hdr h[SL_DLG_MAX_HDRS];
	struct sl_txn_response r;
	unsigned n = 0;
	int rc;

	if (!t || !ln->dlg)
		return SL_ESTATE;
	if (n_extra + 3 > SL_DLG_MAX_HDRS)
		return SL_EINVAL;
	if (ua->cfg.user_agent[0]) {
		h[n].name = "Server";
		h[n++].value = ua->cfg.user_agent;
	}
	if (status > 100 && status < 300) {
		h[n].name = "Allow";
		h[n++].value = ua->allow;
		if (ua->supported[0]) {
			h[n].name = "Supported";
			h[n++].value = ua->supported;
		}
	}
	for (unsigned i = 0; i < n_extra; i++)
		h[n++] = extra[i];
	memset(&r, 0, sizeof(r));
	r.status = status;
	r.hdrs = h;
	r.n_hdrs = n;
	r.content_type = ctype;
	r.body = body;
	r.body_len = len;
	rc = sl__dlg_respond(t, ln->dlg, txn, &r);
	if (rc < 0)
		sl_log_warn(SL_CALL_LOG, "line %u: %d not sent: %s", ln->idx,
			    status, sl_strerror(rc));
	return rc;
}

/* A display name as received (quoted-pairs undone, §25.1). Return: its
 * length. */
static size_t display(struct sl_slice s, int quoted, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < s.len && o + 1 < cap; i++) {
		if (quoted && s.p[i] == '\\' && i + 1 < s.len)
			i++;
		out[o++] = s.p[i];
	}
	out[o] = '\0';
	return o;
}

/* Who the call is with, from the INVITE (truncated like the fixed
 * fields of old where a value is longer than its limit). */
static int who(struct sl_ua *ua, struct sl_line *ln, const struct sl_msg *m)
{
	char d[SL_CALL_NAME_MAX];
	size_t n;
	int rc;

#define TRUNC(sl, max) (sl).p, ((sl).len < (max) ? (sl).len : (max) - 1)
	rc = sl__line_text_set(ua, ln, SL_LT_CALL_ID,
			       TRUNC(m->call_id, SL_UA_CALL_ID_MAX + 32));
	if (rc == 0)
		rc = sl__line_text_set(ua, ln, SL_LT_PEER,
				       TRUNC(m->from.uri_text,
					     SL_UA_URI_MAX));
	if (rc == 0)
		rc = sl__line_text_set(ua, ln, SL_LT_LOCAL,
				       TRUNC(m->to.uri_text, SL_UA_URI_MAX));
#undef TRUNC
	n = display(m->from.display, m->from.display_quoted, d, sizeof(d));
	if (rc == 0)
		rc = sl__line_text_set(ua, ln, SL_LT_PEER_DISPLAY, d, n);
	n = display(m->to.display, m->to.display_quoted, d, sizeof(d));
	if (rc == 0)
		rc = sl__line_text_set(ua, ln, SL_LT_LOCAL_DISPLAY, d, n);
	return rc;
}

static void answer_plain(struct sl_ua *ua, uint32_t txn, int status,
			 const char *contact)
{
	struct sl_txn_hdr h = { "Contact", NULL };
	char v[SL_UA_URI_MAX + 4];

	if (contact) {
		snprintf(v, sizeof(v), "<%s>", contact);
		h.value = v;
	}
	if (sl__ua_respond(ua, txn, status, NULL, &h, contact ? 1 : 0, NULL,
			   NULL, 0) < 0)
		sl_log_warn(SL_CALL_LOG, "%d not sent", status);
}

static void emit_incoming(struct sl_ua *ua, struct sl_line *ln,
			  const struct sl_rxbuf *rx)
{
	struct sl_event ev;
	char store[512];

	sl__calls_event_init(ln, &ev, SL_EV_INCOMING);
	ev.raw = rx->msg.buf;
	ev.raw_len = rx->msg.len;
	ev.direction = NULL;
	sl__media_fill(ua, ln, &ev, store, sizeof(store));
	if (ln->idata_len) {
		ev.instance_data = ln->idata;
		ev.instance_len = ln->idata_len;
	}
	sl__calls_emit(ua, &ev);
}

int sl__call_in_invite(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx)
{
	struct sl_calls *c = ua->calls;
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	struct sl_dlg_uas_params up;
	struct sl_slice sdp, idata;
	struct sl_line *ln;
	char contact[SL_UA_URI_MAX];
	int rc, early;

	if (c->dnd) {
		answer_plain(ua, txn, c->dnd_decline ? 603 : 480, NULL);
		return 1;
	}
	if (c->fwd_mode == SL_FORWARD_ALWAYS && c->fwd_target[0]) {
		answer_plain(ua, txn, 302, c->fwd_target);
		return 1;
	}
	ln = sl__calls_new_line(ua);
	if (!ln) {
		if (c->fwd_mode == SL_FORWARD_BUSY && c->fwd_target[0])
			answer_plain(ua, txn, 302, c->fwd_target);
		else
			answer_plain(ua, txn, 486, NULL);
		return 1;
	}
	ln->outgoing = 0;
	ln->want_audio = 1;
	ln->inv_txn = txn;
	ln->target.tp = rx->tp;
	ln->target.addr = rx->src;
	ln->target.flow = rx->flow;
	ln->have_target = 1;
	ln->min_se = ua->cfg.min_se;
	if (sl__media_split(m, &sdp, &idata) < 0) {
		answer_plain(ua, txn, 400, NULL);
		goto drop;
	}
	if (idata.len &&
	    sl__line_text_set(ua, ln, SL_LT_IDATA, idata.p,
			      idata.len < SL_CALL_IDATA_MAX ? idata.len
			      : SL_CALL_IDATA_MAX) < 0) {
		answer_plain(ua, txn, 500, NULL);
		goto drop;
	}
	if (sdp.len && sl__media_remote(ua, ln, sdp) < 0) {
		answer_plain(ua, txn, 488, NULL);
		goto drop;
	}
	ln->peer_100rel = sl__calls_has_tag(m, SL_HDR_SUPPORTED, "100rel") ||
			  sl__calls_has_tag(m, SL_HDR_REQUIRE, "100rel");
	if (ua->cfg.prack == SL_PRACK_REQUIRED && !ln->peer_100rel) {
		/* RFC 3262 §3: we insist on reliable provisionals. */
		struct sl_txn_hdr h = { "Require", "100rel" };

		sl__ua_respond(ua, txn, 421, NULL, &h, 1, NULL, NULL, 0);
		goto drop;
	}
	if (sl__st_on_request(ua, ln, m) == 422) {
		struct sl_txn_hdr h = { "Min-SE", NULL };
		char v[16];

		snprintf(v, sizeof(v), "%u", ln->min_se);
		h.value = v;
		sl__ua_respond(ua, txn, 422, NULL, &h, 1, NULL, NULL, 0);
		goto drop;
	}
	ln->want_video = 1;
	if (ln->remote_len &&
	    sl__media_answer(ua, ln, &rx->src) <= 0) {
		/* RFC 3264 §6: nothing we can take. */
		answer_plain(ua, txn, 488, NULL);
		goto drop;
	}
	rc = sl__calls_contact(ua, rx->tp, &rx->src, &rx->local, contact,
			       sizeof(contact));
	if (rc < 0) {
		answer_plain(ua, txn, 500, NULL);
		goto drop;
	}
	memset(&up, 0, sizeof(up));
	up.contact = contact;
	rc = sl__dlg_uas_create(t, txn, rx, &up, &ln->dlg);
	if (rc == 0)
		sl__dlg_set_user(t, ln->dlg, ln->idx + 1);
	if (rc < 0) {
		if (rc == SL_EPARSE)
			answer_plain(ua, txn, 400, NULL);
		else if (rc != SL_ENOMEM)
			answer_plain(ua, txn, 500, NULL);
		goto drop;
	}
	if (who(ua, ln, m) < 0) {
		/* The dialog answers for it: 500 ends the reserved one. */
		sl__call_in_respond(ua, ln, txn, 500, NULL, 0, NULL, NULL, 0);
		goto drop;
	}
	ln->peer_update = sl__calls_has_tag(m, SL_HDR_ALLOW, "UPDATE");
	sl__calls_set_state(ua, ln, SL_LINE_RINGING);
	emit_incoming(ua, ln, rx);
	/* RFC 3262 §5: without an offer in the INVITE, ours goes in the
	 * first reliable 1xx when there is one; the PRACK answers it. */
	early = sl__prack_offer_status(ua, ln);
	if (early && sl__media_offer(ua, ln, &rx->src) < 0)
		early = 0;
	ln->offer_out = early != 0;
	if (early == 180)
		sl__prack_send_1xx(ua, ln, 180, "application/sdp",
				   ln->local_sdp, ln->local_len);
	else
		sl__prack_send_1xx(ua, ln, 180, NULL, NULL, 0);
	if (ln->state == SL_LINE_RINGING && (early == 183 ||
	    (!early && ua->cfg.early_media && ln->remote_len &&
	     ln->local_len))) {
		/* C5: early media - our answer (or offer) in a 183, after
		 * the 180's PRACK when that one went reliably (RFC 3262
		 * §3: one unacknowledged reliable 1xx at a time). */
		if (ln->rseq)
			ln->pending_183 = 1;
		else
			sl__prack_send_1xx(ua, ln, 183, "application/sdp",
					   ln->local_sdp, ln->local_len);
	}
	return 1;
drop:
	sl__calls_line_reset(ln);
	return 1;
}

/* 1 when the current exchange has a video stream both sides accepted
 * (a port on both sides of the same m= line). */
static int local_video(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_calls *c = ua->calls;
	struct sl_sdp *l = &c->sdp_b, *r = &c->sdp_c;

	if (!ln->local_len || !ln->remote_len ||
	    sl_sdp_parse(l, ln->local_sdp, ln->local_len, NULL) < 0 ||
	    sl_sdp_parse(r, ln->remote_sdp, ln->remote_len, NULL) < 0)
		return 0;
	for (size_t i = 0; i < l->n_media && i < r->n_media; i++)
		if (l->media[i].type == SL_SDP_MEDIA_VIDEO &&
		    l->media[i].port && r->media[i].port)
			return 1;
	return 0;
}

int sl__call_in_answer(struct sl_ua *ua, struct sl_line *ln, int video)
{
	struct sl_txn_hdr h[3];
	char stbuf[96];
	unsigned n;
	struct sl_event ev;
	char store[512];
	int rc;

	if (ln->answer_pending)
		return SL_ESTATE;
	if ((ln->rseq && ln->rel_sdp) || (ln->reinv_txn && ln->offer_out)) {
		/* RFC 3262 §3: no 2xx while a reliable 1xx with a session
		 * description is unacknowledged, nor while our early UPDATE
		 * awaits its answer: the PRACK (its 2xx) lets it go. */
		ln->answer_pending = 1;
		ln->answer_video = video != 0;
		return 0;
	}
	ln->want_video = video != 0;
	sl__prack_stop(ua, ln);
	ln->pending_183 = 0;
	if (ln->early_oa && !ln->offer_out && ln->local_len && !video &&
	    local_video(ua, ln) && ln->peer_update && !ln->reinv_txn) {
		/* The early exchange took video the application now
		 * refuses: an UPDATE drops it (RFC 3311 §5.1) and the 2xx
		 * follows its answer. */
		ln->offered_video = 1;
		if (sl__calls_reinvite(ua, ln, SL_REINV_MEDIA) == 0) {
			ln->answer_pending = 1;
			ln->answer_video = 0;
			return 0;
		}
	}
	if (ln->early_oa && !ln->offer_out && ln->local_len &&
	    (video || !local_video(ua, ln))) {
		/* The exchange completed in the early dialog (reliable 1xx
		 * and PRACK, or UPDATE): the 2xx repeats our description
		 * unchanged, which is no new offer or answer (RFC 6337
		 * §3.1.1). */
	} else if (ln->remote_len && !ln->offer_out) {
		/* Also a peer that allows no UPDATE: the 2xx narrows the
		 * early answer, the one way left to refuse video now. */
		rc = sl__media_answer(ua, ln, &ln->target.addr);
		if (rc <= 0) {
			sl__call_in_reject(ua, ln, 488, NULL);
			return SL_EFAIL;
		}
		ln->offer_out = 0;
	} else {
		/* §13.2.1: no offer in the INVITE - ours goes in the 2xx,
		 * the answer comes in the ACK. */
		rc = sl__media_offer(ua, ln, &ln->target.addr);
		if (rc < 0)
			return rc;
		ln->offer_out = 1;
	}
	n = sl__st_response_hdrs(ua, ln, NULL, h, stbuf, sizeof(stbuf));
	rc = sl__call_in_respond(ua, ln, ln->inv_txn, 200, h, n,
				 "application/sdp", ln->local_sdp,
				 ln->local_len);
	if (rc < 0)
		return rc;
	sl__calls_set_state(ua, ln, SL_LINE_ANSWERING);
	sl__st_arm(ua, ln);
	sl__calls_event_init(ln, &ev, SL_EV_ANSWERED);
	ev.code = 200;
	if (!ln->offer_out)
		sl__media_fill(ua, ln, &ev, store, sizeof(store));
	sl__calls_emit(ua, &ev);
	return 0;
}

void sl__call_in_answer_resume(struct sl_ua *ua, struct sl_line *ln)
{
	if (!ln->session || !ln->answer_pending ||
	    ln->state != SL_LINE_RINGING || ln->rseq || ln->reinv_txn)
		return;
	ln->answer_pending = 0;
	if (sl__call_in_answer(ua, ln, ln->answer_video) < 0)
		sl_log_warn(SL_CALL_LOG, "line %u: deferred answer failed",
			    ln->idx);
}

void sl__call_in_fail(struct sl_ua *ua, struct sl_line *ln, int code,
		      enum sl_close_reason why)
{
	sl__prack_stop(ua, ln);
	sl__call_in_respond(ua, ln, ln->inv_txn, code, NULL, 0, NULL, NULL,
			    0);
	sl__calls_close(ua, ln, why, code, NULL, NULL);
}

int sl__call_in_reject(struct sl_ua *ua, struct sl_line *ln, int code,
		       const char *contact)
{
	struct sl_txn_hdr h = { "Contact", NULL };
	char v[SL_UA_URI_MAX + 4];
	int rc;

	if (contact) {
		snprintf(v, sizeof(v), "<%s>", contact);
		h.value = v;
	}
	sl__prack_stop(ua, ln);
	rc = sl__call_in_respond(ua, ln, ln->inv_txn, code, &h,
				 contact ? 1 : 0, NULL, NULL, 0);
	sl__calls_close(ua, ln, SL_CLOSE_REJECTED, code, NULL, NULL);
	return rc < 0 ? rc : 0;
}

int sl__call_in_cancel(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx,
		       uint32_t target)
{
	struct sl_calls *c = ua->calls;

	for (unsigned i = 0; i < c->n_lines; i++) {
		struct sl_line *ln = &c->lines[i];

		if (!ln->session || ln->outgoing || ln->inv_txn != target ||
		    ln->state != SL_LINE_RINGING)
			continue;
		/* §9.2: 200 to the CANCEL, 487 to the INVITE. */
		sl__ua_respond(ua, txn, 200, NULL, NULL, 0, NULL, NULL, 0);
		sl__prack_stop(ua, ln);
		sl__call_in_respond(ua, ln, ln->inv_txn, 487, NULL, 0, NULL,
				    NULL, 0);
		sl__calls_close(ua, ln, SL_CLOSE_CANCELLED, 487, NULL, rx);
		return 1;
	}
	return 0;
}

void sl__call_in_ack(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_rxbuf *rx)
{
	struct sl_slice sdp, idata;
	struct sl_event ev;
	char store[512];

	if (ln->offer_out && sl__media_split(&rx->msg, &sdp, &idata) == 0 &&
	    sdp.len) {
		sl__media_remote(ua, ln, sdp);
		ln->offer_out = 0;
		ln->remote_hold = sl__media_remote_holds(ua, ln);
	}
	if (ln->state != SL_LINE_ANSWERING)
		return;
	ln->inv_txn = 0;
	ln->remote_hold = ln->remote_len ? sl__media_remote_holds(ua, ln) : 0;
	sl__calls_settle(ua, ln);
	sl__calls_event_init(ln, &ev, SL_EV_CONNECTED);
	sl__media_fill(ua, ln, &ev, store, sizeof(store));
	sl__calls_emit(ua, &ev);
	if (ln->bye_pending && sl__calls_bye(ua, ln, SL_CLOSE_LOCAL_BYE) < 0)
		sl__calls_close(ua, ln, SL_CLOSE_LOCAL_BYE, 0, NULL, NULL);
}

/* A re-INVITE or UPDATE from the peer (§14.2, RFC 3311 §5.2). */
static void on_offer_request(struct sl_ua *ua, struct sl_line *ln,
			     uint32_t txn, struct sl_rxbuf *rx, int update)
{
	const struct sl_msg *m = &rx->msg;
	struct sl_slice sdp, idata;
	struct sl_txn_hdr h[3];
	struct sl_event ev;
	char stbuf[96], store[512], keep[SL_CALL_SDP_MAX];
	size_t keep_len = ln->remote_len;
	int was = ln->remote_hold, rc;
	/* RFC 3311 §5.1: UPDATE works in the early dialog too. */
	int early = update && (ln->state == SL_LINE_RINGING ||
			       ln->state == SL_LINE_EARLY);
	unsigned n;

	if (!early && ln->state != SL_LINE_CONNECTED &&
	    ln->state != SL_LINE_HELD && ln->state != SL_LINE_REMOTE_HELD) {
		sl__call_in_respond(ua, ln, txn, update ? 500 : 491, NULL, 0,
				    NULL, NULL, 0);
		return;
	}
	if (sl__media_split(m, &sdp, &idata) < 0) {
		sl__call_in_respond(ua, ln, txn, 400, NULL, 0, NULL, NULL, 0);
		return;
	}
	if (ln->offer_out && (sdp.len || !update)) {
		/* RFC 3311 §5.2, RFC 3261 §14.2: our own offer awaits its
		 * answer - glare. */
		sl__call_in_respond(ua, ln, txn, 491, NULL, 0, NULL, NULL, 0);
		return;
	}
	if (early && sdp.len && !ln->early_oa) {
		/* RFC 3311 §5.2: the INVITE's exchange is not complete (the
		 * peer's offer has no reliable answer yet): 500 with a
		 * Retry-After of 0 to 10 s. */
		char v[8];

		snprintf(v, sizeof(v), "%u",
			 (unsigned)(sl__ua_now_ms(ua) % 11));
		h[0].name = "Retry-After";
		h[0].value = v;
		sl__call_in_respond(ua, ln, txn, 500, h, 1, NULL, NULL, 0);
		return;
	}
	if (!early && sl__st_on_request(ua, ln, m) == 422) {
		char v[16];

		snprintf(v, sizeof(v), "%u", ln->min_se);
		h[0].name = "Min-SE";
		h[0].value = v;
		sl__call_in_respond(ua, ln, txn, 422, h, 1, NULL, NULL, 0);
		return;
	}
	memcpy(keep, ln->remote_sdp, keep_len);
	/* C3: the peer may add video; we take it when we have codecs. */
	ln->want_video = 1;
	if (sdp.len) {
		if (sl__media_remote(ua, ln, sdp) < 0 ||
		    sl__media_answer(ua, ln, &ln->target.addr) <= 0) {
			/* RFC 3264 §8: a refused offer changes nothing (its
			 * block can only grow: the old text fits again). */
			sl__line_text_set(ua, ln, SL_LT_REMOTE_SDP, keep,
					  keep_len);
			sl__call_in_respond(ua, ln, txn, 488, NULL, 0, NULL,
					    NULL, 0);
			return;
		}
		ln->offer_out = 0;
	} else if (!update) {
		/* An offerless re-INVITE: our offer in the 2xx, the
		 * answer in the ACK (RFC 4028 refreshes look like this). */
		rc = sl__media_offer(ua, ln, &ln->target.addr);
		if (rc < 0) {
			sl__call_in_respond(ua, ln, txn, 500, NULL, 0, NULL,
					    NULL, 0);
			return;
		}
		ln->offer_out = 1;
	}
	n = early ? 0 : sl__st_response_hdrs(ua, ln, m, h, stbuf,
					     sizeof(stbuf));
	rc = sl__call_in_respond(ua, ln, txn, 200, h, n,
				 (sdp.len || !update) ? "application/sdp"
				 : NULL,
				 (sdp.len || !update) ? ln->local_sdp : NULL,
				 (sdp.len || !update) ? ln->local_len : 0);
	if (rc < 0)
		return;
	if (!early)
		sl__st_arm(ua, ln);
	if (!sdp.len)
		return;
	if (early) {
		/* The call is still being set up: the new description is
		 * what the 2xx and the ACK leave as they are. */
		ln->early_oa = 1;
		was = ln->remote_hold;
	} else {
		ln->remote_hold = sl__media_remote_holds(ua, ln);
		sl__calls_settle(ua, ln);
	}
	sl__calls_event_init(ln, &ev, SL_EV_UPDATED);
	ev.raw = m->buf;
	ev.raw_len = m->len;
	sl__media_fill(ua, ln, &ev, store, sizeof(store));
	sl__calls_emit(ua, &ev);
	if (was != ln->remote_hold) {
		sl__calls_event_init(ln, &ev, ln->remote_hold ?
				     SL_EV_REMOTE_HOLD : SL_EV_REMOTE_UNHOLD);
		sl__media_fill(ua, ln, &ev, store, sizeof(store));
		sl__calls_emit(ua, &ev);
	}
}

static void on_bye(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
		   struct sl_rxbuf *rx)
{
	if (ln->state == SL_LINE_RINGING && ln->inv_txn)
		sl__call_in_respond(ua, ln, ln->inv_txn, 487, NULL, 0, NULL,
				    NULL, 0);
	sl__call_in_respond(ua, ln, txn, 200, NULL, 0, NULL, NULL, 0);
	sl__calls_close(ua, ln, SL_CLOSE_REMOTE_BYE, 0, NULL, rx);
}

void sl__call_in_request(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 struct sl_rxbuf *rx)
{
	struct sl_txn_hdr h[2];

	switch (rx->msg.method) {
	case SL_METHOD_BYE:
		on_bye(ua, ln, txn, rx);
		break;
	case SL_METHOD_INVITE:
		on_offer_request(ua, ln, txn, rx, 0);
		break;
	case SL_METHOD_UPDATE:
		on_offer_request(ua, ln, txn, rx, 1);
		break;
	case SL_METHOD_PRACK:
		sl__prack_on_prack(ua, ln, txn, rx);
		break;
	case SL_METHOD_OPTIONS:
		/* §11: what we can do, inside the dialog too. */
		h[0].name = "Accept";
		h[0].value = "application/sdp";
		sl__call_in_respond(ua, ln, txn, 200, h, 1, NULL, NULL, 0);
		break;
	case SL_METHOD_INFO:
		sl__call_in_respond(ua, ln, txn, 200, NULL, 0, NULL, NULL, 0);
		break;
	default:
		h[0].name = "Allow";
		h[0].value = ua->allow;
		sl__call_in_respond(ua, ln, txn, 405, h, 1, NULL, NULL, 0);
		break;
	}
}
