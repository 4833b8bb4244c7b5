/*
 * lib/dialog/uas.c: the UAS side (RFC 3261 §12.1.1, §13.3.1.4, §15.1.2;
 * RFC 6026 §8.5): dialogs reserved for a request the peer sends, our
 * responses in a dialog, and the retransmission of our 2xx to an INVITE
 * until its ACK comes.
 *
 * Owns: nothing beyond the slots it fills and their 2xx timer.
 * Thread: the SIP loop thread only.
 * Called by: the UA (sl__dlg_uas_create(), sl__dlg_respond()); rx.c when
 * an ACK arrives; the loop for the timer.
 *
 * The transaction layer keeps the 2xx (Accepted state, RFC 6026 §8.5) but
 * leaves its retransmission to the TU (§13.3.1.4): from T1, doubling up
 * to T2, whatever the transport, for 64*T1 - the span of Timer L, after
 * which the transaction and its copy of the 2xx are gone anyway.
 */
#include <string.h>

#include "dialog_int.h"

int sl__dlg_uas_create(struct sl_dlg_table *t, uint32_t txn,
		       const struct sl_rxbuf *rx,
		       const struct sl_dlg_uas_params *p, uint32_t *id)
{
	const struct sl_msg *m;
	struct sl_dlg_vals v;
	struct sl_slice target;
	struct sl_dlg *d;
	char tag[24];
	int rc, n;

	if (id)
		*id = 0;
	if (!t || !rx || !p || !id || !p->contact || !rx->msg.is_request)
		return SL_EINVAL;
	m = &rx->msg;
	if ((m->method != SL_METHOD_INVITE &&
	     m->method != SL_METHOD_SUBSCRIBE &&
	     m->method != SL_METHOD_REFER) || m->to.tag.len)
		return SL_EINVAL;
	/* §12.1.1: the remote target is the request's Contact. */
	rc = sl__dlg_msg_contact(m, &target);
	if (rc < 0)
		return SL_EPARSE;
	n = sl__dlg_msg_record_route(t, m, 0);
	if (n < 0)
		return n;
	memset(&v, 0, sizeof(v));
	if (p->local_tag) {
		v.s[SL_DLG_S_LOCAL_TAG].p = p->local_tag;
		v.s[SL_DLG_S_LOCAL_TAG].len = strlen(p->local_tag);
	} else {
		rc = sl__txn_tag(t->txn, tag, sizeof(tag));
		v.s[SL_DLG_S_LOCAL_TAG].p = tag;
		v.s[SL_DLG_S_LOCAL_TAG].len = rc > 0 ? (size_t)rc : 0;
	}
	if (!v.s[SL_DLG_S_LOCAL_TAG].len)
		return SL_EINVAL;
	v.s[SL_DLG_S_CALL_ID] = m->call_id;
	v.s[SL_DLG_S_REMOTE_TAG] = m->from.tag;
	v.s[SL_DLG_S_LOCAL_URI] = m->to.uri_text;
	v.s[SL_DLG_S_LOCAL_DISPLAY] = m->to.display;
	v.s[SL_DLG_S_REMOTE_URI] = m->from.uri_text;
	v.s[SL_DLG_S_REMOTE_DISPLAY] = m->from.display;
	v.display = 1u << SL_DLG_S_LOCAL_DISPLAY |
		    1u << SL_DLG_S_REMOTE_DISPLAY;
	v.s[SL_DLG_S_TARGET] = target;
	v.s[SL_DLG_S_CONTACT].p = p->contact;
	v.s[SL_DLG_S_CONTACT].len = strlen(p->contact);
	v.routes = t->route_src;
	v.n_routes = (unsigned)n;

	/* Two dialogs with one dialog ID could never be told apart. */
	for (d = NULL; (d = sl__dlg_key_next(t, m->call_id,
					     v.s[SL_DLG_S_LOCAL_TAG], d));)
		if (d->state != SL_DLG_STATE_SET &&
		    sl__dlg_str(d, SL_DLG_S_REMOTE_TAG).len == m->from.tag.len &&
		    memcmp(sl__dlg_str(d, SL_DLG_S_REMOTE_TAG).p, m->from.tag.p,
			   m->from.tag.len) == 0)
			return SL_EEXIST;
	d = sl__dlg_alloc(t);
	if (!d) {
		/* STYLE §3.1: an exhausted pool is a 503 to the request. */
		struct sl_txn_response r = { .status = 503 };

		t->stats.rejected_503++;
		rc = sl__txn_respond(t->txn, txn, &r);
		if (rc < 0)
			sl_log_info(SL_DLG_LOG, "no 503: %s", sl_strerror(rc));
		return SL_ENOMEM;
	}
	rc = sl__dlg_store(d, &v);
	if (rc < 0) {
		sl__dlg_free(d);
		return rc;
	}
	d->state = SL_DLG_STATE_INIT;
	d->method = (uint8_t)m->method;
	/* §12.1.1: the remote sequence number is the request's; ours stays
	 * empty until we send a request. */
	d->remote_cseq = m->cseq.seq;
	d->has_remote_cseq = 1;
	d->create_txn = txn;
	/* §12.1.1: secure when it came over TLS to a SIPS Request-URI. */
	if (rx->tp == SL_TP_TLS && m->ruri.scheme == SL_URI_SIPS)
		d->flags |= SL_DLG_F_SECURE;
	if (m->method == SL_METHOD_INVITE) {
		d->flags |= SL_DLG_F_INVITE_USAGE;
		d->peer_invite_txn = txn;
	} else {
		d->sub_usages = 1;
	}
	sl__dlg_hash_insert(d);
	*id = d->id;
	sl_log_debug(SL_DLG_LOG, "%08x reserved for a %s", (unsigned)d->id,
		     sl_method_name(m->method));
	return 0;
}

/* ---- the 2xx retransmission (§13.3.1.4) ---- */

static void retx_fired(struct sl_timer *tm, void *arg)
{
	struct sl_dlg *d = arg;
	struct sl_dlg_table *t = d->tab;
	const uint32_t limit = 64 * t->cfg.t1_ms;
	uint32_t id = d->id, cseq = d->cseq_2xx, wait;
	int rc;

	(void)tm;
	if (!d->txn_2xx)
		return;
	d->waited_ms += d->retx_ms;
	if (d->waited_ms >= limit) {
		/* §13.3.1.4: no ACK; the UA ends the session with a BYE. */
		d->txn_2xx = 0;
		sl_log_info(SL_DLG_LOG, "%08x: no ACK for the 2xx",
			    (unsigned)id);
		if (t->cfg.ev.no_ack)
			t->cfg.ev.no_ack(t->cfg.ev.arg, id, cseq);
		return;
	}
	rc = sl__txn_retransmit(t->txn, d->txn_2xx);
	if (rc == SL_ENOTFOUND || rc == SL_ESTATE) {
		/* The transaction is gone: nothing left to resend. */
		d->txn_2xx = 0;
		return;
	}
	if (rc < 0)
		sl_log_info(SL_DLG_LOG, "%08x: 2xx not resent: %s",
			    (unsigned)id, sl_strerror(rc));
	if (!sl__dlg_alive(d, id))
		return;
	d->retx_ms = d->retx_ms * 2 < t->cfg.t2_ms ? d->retx_ms * 2 :
		t->cfg.t2_ms;
	/* The last wait ends exactly at 64*T1. */
	wait = limit - d->waited_ms < d->retx_ms ? limit - d->waited_ms :
		d->retx_ms;
	d->retx_ms = wait;
	if (sl__loop_timer_start(t->loop, &d->t_2xx, wait) < 0) {
		sl_log_warn(SL_DLG_LOG, "%08x: timer heap full, 2xx no longer "
			    "resent", (unsigned)id);
		d->txn_2xx = 0;
	}
}

static void start_2xx(struct sl_dlg *d, uint32_t txn, uint32_t cseq)
{
	struct sl_dlg_table *t = d->tab;

	/* A re-INVITE's 2xx replaces any earlier one still being resent. */
	sl__loop_timer_stop(t->loop, &d->t_2xx);
	d->txn_2xx = txn;
	d->cseq_2xx = cseq;
	d->retx_ms = t->cfg.t1_ms;
	d->waited_ms = 0;
	sl__timer_init(&d->t_2xx, retx_fired, d);
	if (sl__loop_timer_start(t->loop, &d->t_2xx, d->retx_ms) < 0) {
		sl_log_warn(SL_DLG_LOG, "%08x: timer heap full, 2xx not "
			    "resent", (unsigned)d->id);
		d->txn_2xx = 0;
	}
}

void sl__dlg_ack_received(struct sl_dlg *d, uint32_t cseq)
{
	if (!d->txn_2xx || d->cseq_2xx != cseq)
		return;
	sl__loop_timer_stop(d->tab->loop, &d->t_2xx);
	d->txn_2xx = 0;
}

/* ---- responses ---- */

int sl__dlg_respond(struct sl_dlg_table *t, uint32_t id, uint32_t txn,
		    const struct sl_txn_response *r)
{
	struct sl_txn_hdr hdrs[SL_DLG_MAX_HDRS + 1];
	struct sl_txn_response resp;
	struct sl_txn_info info;
	enum sl_method method;
	struct sl_slice contact;
	struct sl_dlg *d;
	uint32_t cseq;
	int rc, creating, status;

	if (!t || !r || r->n_hdrs > SL_DLG_MAX_HDRS ||
	    (r->n_hdrs && !r->hdrs))
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	if (d->state == SL_DLG_STATE_SET)
		return SL_ESTATE;
	rc = sl__txn_info(t->txn, txn, &info);
	if (rc < 0)
		return rc;
	if ((info.kind != SL_TXN_SERVER_INVITE &&
	     info.kind != SL_TXN_SERVER_NON_INVITE) || !info.request)
		return SL_ESTATE;
	method = info.request->msg.method;
	cseq = info.request->msg.cseq.seq;
	status = r->status;
	creating = txn == d->create_txn &&
		   (d->state == SL_DLG_STATE_INIT ||
		    d->state == SL_DLG_STATE_EARLY);

	resp = *r;
	/* §8.2.6.2: our tag in To (added only where the request had none). */
	resp.to_tag = sl__dlg_str(d, SL_DLG_S_LOCAL_TAG).p;
	/* §12.1.1: a response that makes the dialog copies Record-Route. */
	if (creating && status > 100 && status < 300)
		resp.flags |= SL_BUILD_COPY_RECORD_ROUTE;
	contact = sl__dlg_str(d, SL_DLG_S_CONTACT);
	if (status > 100 && status < 300 && contact.len &&
	    !sl__dlg_has_contact(r->hdrs, r->n_hdrs) &&
	    (method == SL_METHOD_INVITE || method == SL_METHOD_UPDATE ||
	     method == SL_METHOD_SUBSCRIBE || method == SL_METHOD_REFER)) {
		/* §12.1.1, §12.2.2 (target refresh), RFC 6665 §4.1.1. */
		if (contact.len + 3 > t->cfg.text_size)
			return SL_ETOOBIG;
		t->uri_buf[0] = '<';
		memcpy(t->uri_buf + 1, contact.p, contact.len);
		t->uri_buf[contact.len + 1] = '>';
		t->uri_buf[contact.len + 2] = '\0';
		if (r->n_hdrs)
			memcpy(hdrs, r->hdrs, r->n_hdrs * sizeof(hdrs[0]));
		hdrs[r->n_hdrs].name = "Contact";
		hdrs[r->n_hdrs].value = t->uri_buf;
		resp.hdrs = hdrs;
		resp.n_hdrs = r->n_hdrs + 1;
	}
	rc = sl__txn_respond(t->txn, txn, &resp);
	if (rc < 0)
		return rc;
	/* The send may have ended a transaction, whose callback may have
	 * ended this dialog. */
	if (!sl__dlg_alive(d, id))
		return 0;
	if (creating) {
		if (status >= 300) {
			/* §12.3: a non-2xx final response ends it. */
			sl__dlg_end(d, SL_DLG_END_REJECTED, status);
			return 0;
		}
		if (status >= 200)
			d->state = SL_DLG_STATE_CONFIRMED;
		else if (status > 100 && method == SL_METHOD_INVITE)
			d->state = SL_DLG_STATE_EARLY;
	}
	if (status < 200 || status >= 300)
		return 0;
	if (method == SL_METHOD_INVITE)
		start_2xx(d, txn, cseq);
	if (method == SL_METHOD_BYE) {
		/* §15.1.2: the session is over once the 2xx is sent. */
		d->flags |= SL_DLG_F_BYE_RECEIVED;
		sl__dlg_end_invite_usage(d, SL_DLG_END_BYE_RECEIVED, status);
	}
	return 0;
}
