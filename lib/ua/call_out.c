/*
 * lib/ua/call_out.c: outgoing calls - the INVITE (RFC 3261 §13.2) sent
 * through the router (RFC 3263 fail-over) on a dialog set, its responses
 * (§13.2.2: 1xx early dialogs, 2xx and the ACK, forks, 3xx redirects,
 * 422 retries, 401/407 answered with credentials in the same dialog set,
 * §22.2), and the CANCEL with a Reason header (§9.1, RFC 3326), which
 * never carries credentials.
 *
 * Owns: nothing beyond the line fields it sets.
 * Thread: the SIP loop thread.
 * Called by: call.c (sl_call_make(), sl_call_hangup(), the seam's
 * transaction events).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "call_int.h"
#include "core/log.h"

int sl__calls_resolve_uri(struct sl_ua *ua, const char *in, char *out,
			  size_t cap)
{
	const struct sl_account *a = &ua->acct.a;
	char user[3 * SL_UA_URI_MAX];
	struct sl_uri u;
	int rc;

	if (!strncasecmp(in, "sip:", 4) || !strncasecmp(in, "sips:", 5)) {
		rc = sl__ua_strcpy(out, cap, in);
	} else if (!strncasecmp(in, "tel:", 4)) {
		/* RFC 3261 §19.1.6: a telephone number at our domain. */
		rc = snprintf(out, cap, "sip:%s@%s;user=phone", in + 4,
			      a->domain);
	} else if (strchr(in, '@')) {
		rc = snprintf(out, cap, "sip:%s", in);
	} else {
		rc = sl__ua_escape_user(in, a->escape_user, user,
					sizeof(user));
		if (rc < 0)
			return SL_EINVAL;
		rc = snprintf(out, cap, "sip:%s@%s", user, a->domain);
	}
	if (rc < 0 || (size_t)rc >= cap)
		return SL_EINVAL;
	if (sl_uri_parse(out, strlen(out), &u) < 0 ||
	    (u.scheme != SL_URI_SIP && u.scheme != SL_URI_SIPS))
		return SL_EINVAL;
	return rc;
}

/* The Request-URI for what the user typed (C1: a user or a full URI). */
static int resolve_callee(struct sl_ua *ua, struct sl_line *ln)
{
	char out[SL_UA_URI_MAX];
	int rc;

	rc = sl__calls_resolve_uri(ua, ln->callee, out, sizeof(out));
	if (rc < 0)
		return rc;
	return sl__line_text_set(ua, ln, SL_LT_CALLEE, out, (size_t)rc) < 0 ?
	       SL_ENOMEM : 0;
}

static int build_invite(void *arg, uint32_t id,
			const struct sl_route_build *rb, char *buf,
			size_t cap)
{
	struct sl_line *ln = arg;
	struct sl_ua *ua = ln->ua;
	struct sl_calls *c = ua->calls;
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_route_target *tg = rb->target;
	struct sl_txn_hdr h[8];
	struct sl_dlg_via via;
	struct sl_dlg_req r;
	struct sl_addr local;
	char contact[SL_UA_URI_MAX], host[64], stbuf[96];
	const char *ctype = NULL;
	unsigned n = 0;
	uint32_t cseq = 0;
	int rc, blen;

	(void)id;
	if (!t || !ln->set)
		return SL_ESTATE;
	rc = sl__ua_local_for(ua, tg->tp, &tg->addr, rb->local, &local);
	if (rc < 0)
		return rc;
	if (sl__addr_host(&local, host, sizeof(host)) < 0)
		return SL_EFAIL;
	rc = sl__calls_contact(ua, tg->tp, &tg->addr, rb->local, contact,
			       sizeof(contact));
	if (rc < 0)
		return rc;
	sl__dlg_set_contact(t, ln->set, contact);
	rc = sl__line_target_set(ua, ln, tg);
	if (rc < 0)
		return rc;
	if (!ln->no_sdp && !ln->local_len) {
		rc = sl__media_offer(ua, ln, &tg->addr);
		if (rc < 0)
			return rc;
	}
	blen = sl__media_invite_body(ua, ln, c->body, sizeof(c->body),
				     &ctype);
	if (blen < 0)
		return blen;
	if (ua->cfg.user_agent[0]) {
		h[n].name = "User-Agent";
		h[n++].value = ua->cfg.user_agent;
	}
	h[n].name = "Allow";
	h[n++].value = ua->allow;
	if (ua->supported[0]) {
		h[n].name = "Supported";
		h[n++].value = ua->supported;
	}
	n += sl__prack_invite_hdrs(ua, h + n);
	n += sl__st_request_hdrs(ua, ln, h + n, stbuf, sizeof(stbuf));
	memset(&via, 0, sizeof(via));
	via.transport = sl__tp_name(tg->tp);
	via.host = host;
	via.port = sl__addr_port(&local);
	via.branch = rb->branch;
	via.rport = ua->acct.set ? ua->acct.a.rport : 1;
	memset(&r, 0, sizeof(r));
	r.method = "INVITE";
	/* A fail-over attempt resends the same request (RFC 3263 §4.3). */
	r.cseq = rb->attempt > 1 ? ln->inv_cseq : 0;
	r.hdrs = h;
	r.n_hdrs = n;
	r.content_type = ctype;
	r.body = blen ? c->body : NULL;
	r.body_len = (size_t)blen;
	rc = sl__dlg_build_request(t, ln->set, &via, &r, buf, cap, &cseq);
	if (rc < 0)
		return rc;
	ln->inv_cseq = cseq;
	ln->offer_out = !ln->no_sdp;
	/* §22.2-22.3: credentials for every realm the account knows (after
	 * a 401/407, the answer to it). */
	return sl__calls_auth_add(ua, ln, buf, (size_t)rc, cap);
}

static void on_route(void *arg, uint32_t id, const struct sl_route_event *ev);

/* Sends the INVITE of the line's set (again); @pin: to the target that
 * answered the last one (a challenge is answered to the server that made
 * it). */
static int send_invite(struct sl_ua *ua, struct sl_line *ln, int pin)
{
	struct sl_route_target pin_to;
	struct sl_route_req req;
	char hop[SL_UA_URI_MAX];
	struct sl_uri u;
	int rc;

	memset(&req, 0, sizeof(req));
	if (pin && ln->have_target) {
		sl__line_target_get(ln, &pin_to);
		req.pin = &pin_to;
	} else {
		rc = sl__ua_next_hop(ua, ln->callee, hop, sizeof(hop));
		if (rc < 0)
			return rc;
		if (sl_uri_parse(hop, strlen(hop), &u) < 0)
			return SL_EINVAL;
		req.uri = &u;
	}
	req.build = build_invite;
	req.cb = on_route;
	req.arg = ln;
	req.user = ln;
	ln->got_1xx = 0;
	return sl__route_send(ua->router, &req, &ln->send);
}

/* A dialog set for ln->callee. */
static int make_set(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_dlg_uac_params p;
	struct sl_dlg_info info;
	char route[SL_UA_URI_MAX + 8];
	const char *routes[1];
	const char *proxy = ua->acct.a.outbound_proxy;
	int rc;

	memset(&p, 0, sizeof(p));
	p.local_uri = ua->acct.aor;
	p.local_display = sl__ua_display(ua)[0] ? sl__ua_display(ua) : NULL;
	p.remote_uri = ln->callee;
	p.contact = ln->callee;   /* replaced per attempt (build_invite) */
	if (proxy[0]) {
		/* §8.1.2: the outbound proxy as a loose-routing first hop. */
		snprintf(route, sizeof(route), "%s%s", proxy,
			 strstr(proxy, ";lr") ? "" : ";lr");
		routes[0] = route;
		p.routes = routes;
		p.n_routes = 1;
	}
	if (!strncasecmp(ln->callee, "sips:", 5))
		p.flags |= SL_DLG_UAC_SECURE;
	rc = sl__dlg_uac_create(t, &p, &ln->set);
	if (rc < 0)
		return rc;
	/* The set's dialogs carry the line too (sl__calls_by_dlg()). */
	sl__dlg_set_user(t, ln->set, ln->idx + 1);
	if (sl__dlg_info(t, ln->set, &info) == 0 &&
	    sl__line_text_set(ua, ln, SL_LT_CALL_ID, info.call_id.p,
			      info.call_id.len) < 0) {
		sl__dlg_terminate(t, ln->set);
		ln->set = 0;
		return SL_ENOMEM;
	}
	return 0;
}

int sl__call_out_start(struct sl_ua *ua, struct sl_line *ln)
{
	int rc;

	rc = resolve_callee(ua, ln);
	if (rc < 0)
		return rc;
	if (sl__line_text_str(ua, ln, SL_LT_LOCAL, ua->acct.aor) < 0 ||
	    sl__line_text_str(ua, ln, SL_LT_LOCAL_DISPLAY,
			      sl__ua_display(ua)) < 0 ||
	    sl__line_text_str(ua, ln, SL_LT_PEER, ln->callee) < 0)
		return SL_ENOMEM;
	ln->min_se = ua->cfg.min_se;
	ln->se = ua->cfg.session_expires;
	rc = make_set(ua, ln);
	if (rc < 0)
		return rc;
	rc = send_invite(ua, ln, 0);
	if (rc < 0) {
		sl__dlg_terminate(sl__calls_dlg(ua), ln->set);
		ln->set = 0;
		return rc;
	}
	sl__calls_set_state(ua, ln, SL_LINE_CALLING);
	return 0;
}

static void emit_failure(struct sl_ua *ua, struct sl_line *ln, int code,
			 const char *reason, const struct sl_rxbuf *rx)
{
	struct sl_event ev;
	char rs[128];

	sl__calls_event_init(ln, &ev, SL_EV_FAILURE);
	ev.code = code;
	ev.reason = reason ? reason : "";
	if (rx) {
		ev.raw = rx->msg.buf;
		ev.raw_len = rx->msg.len;
		if (!reason)
			ev.reason = sl__calls_cstr(rx->msg.reason, rs,
						   sizeof(rs));
	}
	sl__calls_emit(ua, &ev);
}

static void on_route(void *arg, uint32_t id, const struct sl_route_event *ev)
{
	struct sl_line *ln = arg;
	struct sl_ua *ua = ln->ua;

	if (!ln->session || ln->send != id)
		return;
	if (ev->final)
		ln->send = 0;
	if (ev->type == SL_ROUTE_EV_RESPONSE) {
		if (ev->target)
			sl__line_target_set(ua, ln, ev->target);
		ln->inv_txn = ev->txn;
		sl__call_out_response(ua, ln, ev->txn, ev->rx);
		return;
	}
	if (ln->cancelled) {
		sl__calls_close(ua, ln, SL_CLOSE_CANCELLED, 0, NULL, NULL);
		return;
	}
	emit_failure(ua, ln, ev->err == SL_ETIMEOUT ? 408 : 503,
		     sl_strerror(ev->err), NULL);
	sl__calls_close(ua, ln, ev->err == SL_ETIMEOUT ? SL_CLOSE_TIMEOUT
			: SL_CLOSE_TRANSPORT, 0, sl_strerror(ev->err), NULL);
}

/* The Via of a request we send in the dialog ourselves (ACK). */
static int ack_via(struct sl_ua *ua, struct sl_line *ln,
		   struct sl_tp_dest *dst, struct sl_dlg_via *via,
		   char *host, size_t cap)
{
	uint16_t port;
	int rc = sl__calls_dest(ua, ln, dst, host, cap, &port);

	if (rc < 0)
		return rc;
	memset(via, 0, sizeof(*via));
	via->transport = sl__tp_name(dst->tp);
	via->host = host;
	via->port = port;
	via->branch = ln->ack_branch;
	via->rport = ua->acct.set ? ua->acct.a.rport : 1;
	return 0;
}

static void ack_again(struct sl_ua *ua, struct sl_line *ln);

/* The ACK for the 2xx to our INVITE, with the answer when the 2xx had
 * the offer (§13.2.2.4). The same branch for a retransmitted 2xx. */
static void send_ack(struct sl_ua *ua, struct sl_line *ln, int fresh)
{
	struct sl_tp_dest dst;
	struct sl_dlg_via via;
	char host[64];
	/* Our answer, unless the exchange completed in the early dialog
	 * (RFC 3262 §5: it went in a PRACK). */
	int with_body = ln->no_sdp && ln->local_len && !ln->early_oa;
	int rc;

	if (fresh || !ln->ack_branch[0])
		sl__txn_branch(ua->txn, ln->ack_branch,
			       sizeof(ln->ack_branch));
	rc = ack_via(ua, ln, &dst, &via, host, sizeof(host));
	if (rc == SL_EAGAIN) {
		/* The 2xx's Contact (or first route) is a host name: locate
		 * it (RFC 3263), then send this ACK. */
		if (sl__calls_hop_lookup(ua, ln, ack_again) < 0)
			sl_log_warn(SL_CALL_LOG, "line %u: no ACK: its hop "
				    "cannot be located", ln->idx);
		return;
	}
	if (rc < 0)
		return;
	rc = sl__calls_send_ack(ua, ln, ln->dlg, &via,
				with_body ? "application/sdp" : NULL,
				with_body ? ln->local_sdp : NULL,
				with_body ? ln->local_len : 0, &dst);
	if (rc < 0)
		sl_log_warn(SL_CALL_LOG, "line %u: ACK not sent: %s",
			    ln->idx, sl_strerror(rc));
}

/* The hop of the ACK is located now. */
static void ack_again(struct sl_ua *ua, struct sl_line *ln)
{
	if (ln->dlg)
		send_ack(ua, ln, 0);
}

static int do_cancel(struct sl_ua *ua, struct sl_line *ln)
{
	static const char reason[] =
		"Reason: SIP;cause=487;text=\"Call cancelled\"\r\n";
	struct sl_txn_info info;
	struct sl_tp_dest dst;
	char buf[4096];
	uint32_t txn = 0;
	int n, rc;

	if (ln->send) {
		sl__route_cancel(ua->router, ln->send, &txn);
		ln->send = 0;
		if (txn)
			ln->inv_txn = txn;
	}
	ln->cancelled = 1;
	ln->cancel_pending = 0;
	ln->closing = SL_CLOSE_CANCELLED;
	sl__calls_set_state(ua, ln, SL_LINE_CLOSING);
	if (!ln->inv_txn) {
		sl__calls_close(ua, ln, SL_CLOSE_CANCELLED, 0, NULL, NULL);
		return 0;
	}
	n = sl__txn_build_cancel(ua->txn, ln->inv_txn, buf,
				 sizeof(buf) - sizeof(reason));
	if (n < 4 || sl__txn_info(ua->txn, ln->inv_txn, &info) < 0) {
		sl__txn_abort(ua->txn, ln->inv_txn);
		ln->inv_txn = 0;
		sl__calls_close(ua, ln, SL_CLOSE_CANCELLED, 0, NULL, NULL);
		return 0;
	}
	/* RFC 3326: why, just before the blank line (no body). */
	memmove(buf + n - 2 + sizeof(reason) - 1, buf + n - 2, 2);
	memcpy(buf + n - 2, reason, sizeof(reason) - 1);
	n += (int)sizeof(reason) - 1;
	dst = info.dst;
	dst.tls_name = ln->have_target ? ln->target.tls_name : NULL;
	rc = sl__txn_request(ua->txn, buf, (size_t)n, &dst, ln,
			     &ln->cancel_txn);
	if (rc < 0) {
		sl__txn_abort(ua->txn, ln->inv_txn);
		ln->inv_txn = 0;
		sl__calls_close(ua, ln, SL_CLOSE_CANCELLED, 0, NULL, NULL);
		return 0;
	}
	/* §9.1: give up 64*T1 after the CANCEL without a final response. */
	sl__loop_timer_start(ua->loop, &ln->glare, 64ull * ua->cfg.t1_ms);
	return 0;
}

int sl__call_out_hangup(struct sl_ua *ua, struct sl_line *ln)
{
	if (!ln->got_1xx) {
		/* §9.1: no CANCEL before a provisional response. */
		ln->cancel_pending = 1;
		ln->closing = SL_CLOSE_CANCELLED;
		sl__calls_set_state(ua, ln, SL_LINE_CLOSING);
		return 0;
	}
	return do_cancel(ua, ln);
}

static void emit_media(struct sl_ua *ua, struct sl_line *ln,
		       enum sl_event_type type, const struct sl_rxbuf *rx,
		       int early)
{
	struct sl_event ev;
	char store[512], rs[128];

	sl__calls_event_init(ln, &ev, type);
	if (rx) {
		ev.code = rx->msg.status;
		ev.reason = sl__calls_cstr(rx->msg.reason, rs, sizeof(rs));
		ev.raw = rx->msg.buf;
		ev.raw_len = rx->msg.len;
	}
	ev.early_media = early;
	sl__media_fill(ua, ln, &ev, store, sizeof(store));
	sl__calls_emit(ua, &ev);
}

static void on_1xx(struct sl_ua *ua, struct sl_line *ln,
		   struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	struct sl_slice sdp, idata;
	uint32_t id = 0;
	int rc, early = 0;

	ln->got_1xx = 1;
	if (m->status == 100) {
		if (!ln->trying_sent) {
			ln->trying_sent = 1;
			if (!ln->cancel_pending)
				emit_media(ua, ln, SL_EV_TRYING, rx, 0);
		}
		if (ln->cancel_pending)
			do_cancel(ua, ln);
		return;
	}
	rc = ln->set ? sl__dlg_uac_response(t, ln->set, rx, &id) : 0;
	if ((rc == SL_DLG_UAC_EARLY_NEW || rc == SL_DLG_UAC_EARLY) && id)
		ln->dlg = id;
	if (ln->cancel_pending) {
		do_cancel(ua, ln);
		return;
	}
	if (ln->state == SL_LINE_CLOSING)
		return;
	if (m->first[SL_HDR_ALLOW] != SL_HDR_NONE)
		ln->peer_update = sl__calls_has_tag(m, SL_HDR_ALLOW, "UPDATE");
	if ((rc == SL_DLG_UAC_EARLY_NEW || rc == SL_DLG_UAC_EARLY) &&
	    sl__calls_has_tag(m, SL_HDR_REQUIRE, "100rel")) {
		/* RFC 3262: PRACK it; a description in it is an answer
		 * or (our INVITE had none) an offer answered in the PRACK. */
		int oa = sl__prack_on_1xx(ua, ln, rx);

		if (oa < 0) {
			sl_log_info(SL_CALL_LOG, "line %u: the offer of a "
				    "reliable 1xx cannot be answered",
				    ln->idx);
			do_cancel(ua, ln);
			return;
		}
		early = oa;
	} else if (sl__media_split(m, &sdp, &idata) == 0 && sdp.len &&
		   ln->offer_out && sl__media_remote(ua, ln, sdp) == 0) {
		/* An unreliable 1xx previews the answer the 2xx repeats. */
		early = 1;
	}
	sl__calls_set_state(ua, ln, SL_LINE_EARLY);
	if (m->status == 180 && !early)
		emit_media(ua, ln, SL_EV_RINGING, rx, 0);
	else
		emit_media(ua, ln, early || m->status != 180 ?
			   SL_EV_PROGRESS : SL_EV_RINGING, rx, early);
}

/* ACK and BYE a 2xx from a fork we do not keep (§13.2.2.4). */
static void end_fork(struct sl_ua *ua, struct sl_line *ln, uint32_t id)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_tp_dest dst;
	struct sl_dlg_via via;
	char host[64];
	uint32_t keep = ln->dlg, txn;

	ln->dlg = id;
	if (ack_via(ua, ln, &dst, &via, host, sizeof(host)) == 0) {
		via.branch = NULL;
		sl__calls_send_ack(ua, ln, id, &via, NULL, NULL, 0, &dst);
		/* With the cached credentials; its answer matches no
		 * transaction of the line and is dropped. */
		sl__calls_send(ua, ln, "BYE", NULL, 0, NULL, NULL, 0, &txn);
	}
	ln->dlg = keep;
	sl__dlg_terminate(t, id);
}

static void on_2xx(struct sl_ua *ua, struct sl_line *ln,
		   struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	struct sl_slice sdp, idata;
	uint32_t id = 0;
	int rc;

	rc = sl__dlg_uac_response(t, ln->set, rx, &id);
	if (rc == SL_DLG_UAC_RETRANSMIT && id == ln->dlg) {
		send_ack(ua, ln, 0);
		return;
	}
	if (rc == SL_DLG_UAC_FORKED ||
	    (rc == SL_DLG_UAC_RETRANSMIT && id != ln->dlg)) {
		end_fork(ua, ln, id);
		return;
	}
	if (rc != SL_DLG_UAC_CONFIRMED) {
		sl_log_warn(SL_CALL_LOG, "line %u: 2xx not usable (%d)",
			    ln->idx, rc);
		if (rc < 0 && !ln->dlg) {
			emit_failure(ua, ln, m->status, "bad 2xx", rx);
			sl__calls_close(ua, ln, SL_CLOSE_ERROR, m->status,
					"bad 2xx", rx);
		}
		return;
	}
	ln->dlg = id;
	sl__prack_stop(ua, ln);
	if (sl__media_split(m, &sdp, &idata) == 0 && sdp.len) {
		if (ln->offer_out) {
			sl__media_remote(ua, ln, sdp);
		} else if (ln->no_sdp && !ln->remote_len &&
			   sl__media_remote(ua, ln, sdp) == 0) {
			/* The offer came in the 2xx: our answer goes in
			 * the ACK (§13.2.1). */
			if (sl__media_answer(ua, ln, ln->have_target ?
					     &ln->target.addr : NULL) <= 0)
				ln->local_len = 0;
		}
	}
	ln->offer_out = 0;
	ln->peer_update = sl__calls_has_tag(m, SL_HDR_ALLOW, "UPDATE");
	send_ack(ua, ln, 1);
	if (ln->state == SL_LINE_CLOSING) {
		/* The CANCEL crossed the 2xx: end the call with BYE. */
		if (sl__calls_bye(ua, ln, SL_CLOSE_CANCELLED) < 0)
			sl__calls_close(ua, ln, SL_CLOSE_CANCELLED, 0, NULL,
					NULL);
		return;
	}
	sl__loop_timer_stop(ua->loop, &ln->glare);
	sl__st_on_2xx(ua, ln, m);
	ln->remote_hold = sl__media_remote_holds(ua, ln);
	sl__calls_set_state(ua, ln, ln->remote_hold ? SL_LINE_REMOTE_HELD
			    : SL_LINE_CONNECTED);
	emit_media(ua, ln, SL_EV_ANSWERED, rx, 0);
	emit_media(ua, ln, SL_EV_CONNECTED, NULL, 0);
}

/* The first Contact URI of a 3xx. */
static int redirect_target(const struct sl_msg *m, char *out, size_t cap)
{
	uint16_t i = m->first[SL_HDR_CONTACT];
	struct sl_contact c;

	if (i == SL_HDR_NONE || sl_contact_decode(m->hdrs[i].value, &c) < 0 ||
	    c.star || !c.addr.uri_text.len || c.addr.uri_text.len >= cap)
		return SL_ENOTFOUND;
	sl__calls_cstr(c.addr.uri_text, out, cap);
	return 0;
}

static void on_final_failure(struct sl_ua *ua, struct sl_line *ln,
			     uint32_t txn, struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	char target[SL_UA_URI_MAX];
	uint32_t id;

	if (ln->set)
		sl__dlg_uac_response(t, ln->set, rx, &id);
	ln->dlg = 0;
	sl__prack_stop(ua, ln);
	if (ln->cancelled || ln->cancel_pending) {
		sl__calls_close(ua, ln, SL_CLOSE_CANCELLED, m->status, NULL,
				rx);
		return;
	}
	if (m->status >= 300 && m->status < 400 &&
	    ln->redirects < SL_CALL_REDIRECTS &&
	    redirect_target(m, target, sizeof(target)) == 0) {
		struct sl_event ev;
		char rs[128];

		/* C4: the call follows the redirect on the same line. */
		sl__calls_event_init(ln, &ev, SL_EV_FORWARDING);
		ev.code = m->status;
		ev.reason = sl__calls_cstr(m->reason, rs, sizeof(rs));
		ev.raw = m->buf;
		ev.raw_len = m->len;
		ev.to = target;
		sl__calls_emit(ua, &ev);
		ln->redirects++;
		sl__dlg_terminate(t, ln->set);
		ln->set = 0;
		ln->inv_txn = 0;
		ln->local_len = 0;
		ln->trying_sent = 0;
		if (sl__line_text_str(ua, ln, SL_LT_CALLEE, target) == 0 &&
		    sl__line_text_str(ua, ln, SL_LT_PEER, target) == 0 &&
		    make_set(ua, ln) == 0 && send_invite(ua, ln, 0) == 0) {
			sl__calls_set_state(ua, ln, SL_LINE_CALLING);
			return;
		}
	} else if (m->status == 422 && ln->n_422 < SL_CALL_422_MAX &&
		   sl__st_on_422(ua, ln, m)) {
		/* RFC 4028 §8.2: again with the larger interval. */
		ln->n_422++;
		ln->inv_txn = 0;
		if (send_invite(ua, ln, 0) == 0)
			return;
	} else if ((m->status == 401 || m->status == 407) &&
		   sl__calls_auth_retry(ua, ln, txn, rx) == 0) {
		/* §22.2: the same INVITE with credentials, CSeq one more,
		 * in the same dialog set. The old transaction must not end
		 * the set when it terminates. */
		ln->inv_txn = 0;
		if (send_invite(ua, ln, 1) == 0) {
			sl__calls_set_state(ua, ln, SL_LINE_CALLING);
			return;
		}
	}
	emit_failure(ua, ln, m->status, NULL, rx);
	sl__calls_close(ua, ln, m->status == 408 ? SL_CLOSE_TIMEOUT
			: SL_CLOSE_REJECTED, m->status, NULL, rx);
}

void sl__call_out_response(struct sl_ua *ua, struct sl_line *ln,
			   uint32_t txn, struct sl_rxbuf *rx)
{
	int st = rx->msg.status;

	if (!sl__calls_dlg(ua))
		return;
	if (st >= 200 && st != 401 && st != 407)
		sl__calls_auth_final(ua, ln, txn, rx);
	if (st < 200)
		on_1xx(ua, ln, rx);
	else if (st < 300)
		on_2xx(ua, ln, rx);
	else if (ln->state == SL_LINE_CALLING || ln->state == SL_LINE_EARLY ||
		 ln->state == SL_LINE_CLOSING)
		on_final_failure(ua, ln, txn, rx);
}
