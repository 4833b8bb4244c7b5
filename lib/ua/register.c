/*
 * lib/ua/register.c: the account's registration (RFC 3261 §10.2) -
 * REGISTER with Expires, refreshes before expiry, 423 Interval Too Brief
 * (§10.2.8, Min-Expires), digest challenges (§22), retries with back-off,
 * the failure event and automatic recovery, unregistration (Expires: 0)
 * with a bounded wait, RFC 5626 instance/reg-id on the Contact, and the
 * CRLF keep-alive on the registrar flow (RFC 5626 §4.4.1).
 *
 * Owns: struct sl_ua_reg inside the UA (its timer, its router send, the
 * copy of the last REGISTER for the digest cache).
 * Thread: public functions from any thread (marshalled); the rest on the
 * loop thread.
 * Called by: the application; ua.c at shutdown; account.c when the
 * account changes; network.c; the transport's flow-closed callback.
 *
 * States: IDLE -> SENDING -> REGISTERED (refresh timer) -> SENDING ...;
 * a failure goes to WAITING (retry timer with back-off, or after
 * SL_EV_REGISTRATION_FAILED the recovery timer) -> SENDING; unregister
 * goes to UNREGISTERING -> IDLE. One REGISTER at a time: a new one
 * cancels the one in flight.
 *
 * Timing: a binding granted for E seconds is refreshed after
 * max(E/2, E-5) seconds (at least 1). A failed attempt is retried after
 * reg_retry_ms, doubling per failure up to 60 s (a 503's Retry-After when
 * longer), reg_retries times; then SL_EV_REGISTRATION_FAILED and attempts
 * every reg_recover_ms until one succeeds. A definite refusal (4xx other
 * than 408, 6xx) fails at once; an authentication failure (credentials
 * refused) stops for good, so a wrong password never hammers the server
 * (the application calls sl_ua_register() again after fixing it).
 */
#include <stdio.h>
#include <string.h>

#include "ua_int.h"
#include "core/log.h"

enum {
	REFRESH_MARGIN_S = 5,
	RETRY_AFTER_MAX_S = 3600
};

static void reg_timer_fire(struct sl_timer *t, void *arg);
static int send_register(struct sl_ua *ua);

void sl__ua_reg_init(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;

	sl__timer_init(&r->timer, reg_timer_fire, ua);
	atomic_init(&r->unreg_seq, 0);
	atomic_init(&r->unreg_done, 0);
}

/* ---- small pieces ---- */

static void arm(struct sl_ua *ua, uint64_t ms)
{
	struct sl_ua_reg *r = &ua->reg;

	r->next_ms = sl__ua_now_ms(ua) + ms;
	if (sl__loop_timer_start(ua->loop, &r->timer, ms) < 0)
		sl_log_error(SL_UA_LOG, "registration timer: heap full");
}

static void cancel_send(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;

	if (r->send)
		sl__route_cancel(ua->router, r->send, NULL);
	r->send = 0;
}

static void keepalive_stop(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;

	if (r->ka_on)
		sl__tp_keepalive(ua->tp, &r->ka_dst, 0);
	r->ka_on = 0;
}

/* 1 when the 2xx says the registrar supports RFC 5626 (Require:
 * outbound, §5.2 of that RFC). */
static int outbound_ok(const struct sl_msg *m)
{
	for (uint16_t i = m->first[SL_HDR_REQUIRE]; i != SL_HDR_NONE;
	     i = m->hdrs[i].next)
		if (sl_slice_ieq(m->hdrs[i].value, "outbound"))
			return 1;
	return 0;
}

/*
 * RFC 5626 §4.4.1 keep-alive on the flow the registration uses. Over UDP
 * a CRLF ping needs no answer, so it runs whatever the server supports
 * (it keeps the NAT binding open: B2). Over TCP/TLS the transport closes
 * a flow whose ping gets no pong, so the ping is only sent to a registrar
 * that said it supports outbound; otherwise the connection's own
 * liveness (and the refresh) has to do.
 */
static void keepalive_start(struct sl_ua *ua, const struct sl_msg *ok)
{
	struct sl_ua_reg *r = &ua->reg;
	struct sl_tp_dest dst;
	uint32_t ms = ua->acct.a.keepalive_ms;
	int rc;

	if (!ms || !r->have_pin ||
	    (r->pin.tp != SL_TP_UDP && !outbound_ok(ok))) {
		keepalive_stop(ua);
		return;
	}
	sl__route_target_dest(&r->pin, &dst);
	if (r->ka_on && dst.tp == r->ka_dst.tp &&
	    sl__addr_equal(&dst.addr, &r->ka_dst.addr))
		return;
	keepalive_stop(ua);
	rc = sl__tp_keepalive(ua->tp, &dst, ms);
	if (rc < 0) {
		sl_log_warn(SL_UA_LOG, "keep-alive not started: %s",
			    sl_strerror(rc));
		return;
	}
	r->ka_dst = dst;
	r->ka_dst.tls_name = NULL;
	r->ka_on = 1;
}

/* Tells unregister waiters that nothing is pending any more. */
static void unreg_settled(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;

	atomic_store(&r->unreg_done, atomic_load(&r->unreg_seq));
	sl__ua_kick(ua);
}

static uint32_t min32(uint64_t a, uint64_t b)
{
	return (uint32_t)(a < b ? a : b);
}

/* reg_retry_ms doubled per failure so far, capped at 60 s. */
static uint32_t backoff_ms(const struct sl_ua *ua)
{
	uint64_t ms = ua->acct.a.reg_retry_ms;

	for (unsigned i = 1; i < ua->reg.attempts && ms < SL_UA_RETRY_MAX_MS;
	     i++)
		ms *= 2;
	return min32(ms, SL_UA_RETRY_MAX_MS);
}

/* ---- building the REGISTER (router callback) ---- */

static int build_register(void *arg, uint32_t id,
			  const struct sl_route_build *rb, char *buf,
			  size_t cap)
{
	struct sl_ua *ua = arg;
	struct sl_ua_reg *r = &ua->reg;
	const struct sl_account *a = &ua->acct.a;
	struct sl_builder b;
	struct sl_addr local;
	char contact[SL_UA_CONTACT_MAX], tag[SL_UA_TAG_MAX];
	int n;

	(void)id;
	sl_build_init(&b, buf, cap);
	n = sl__ua_build_start(ua, &b, rb, "REGISTER", a->registrar, 1,
			       &local);
	if (n < 0)
		return n;
	/* The unregistration removes exactly the binding we made. */
	if (r->unreg && r->contact[0]) {
		memcpy(contact, r->contact, sizeof(contact));
	} else {
		n = sl__ua_contact(ua, rb->target->tp, &local, 1, contact,
				   sizeof(contact));
		if (n < 0)
			return n;
	}
	sl__ua_token(ua, tag, sizeof(tag));
	sl_build_name_addr_header(&b, "From", a->display_name, ua->acct.aor,
				  tag);
	sl_build_name_addr_header(&b, "To", a->display_name, ua->acct.aor,
				  NULL);
	sl_build_call_id(&b, r->call_id);
	/* §10.2: one Call-ID, CSeq up by one for every REGISTER. */
	sl_build_cseq(&b, ++r->cseq, "REGISTER");
	sl_build_header(&b, "Contact", contact);
	sl_build_header_uint(&b, "Expires", r->unreg ? 0 : r->expires);
	if (ua->allow[0])
		sl_build_header(&b, "Allow", ua->allow);
	if (a->instance_id[0] && a->reg_id)
		sl_build_header(&b, "Supported", "outbound");
	sl__ua_auth_write(ua, &b, "REGISTER", a->registrar, NULL, 0,
			  &r->auth_used);
	n = sl_build_finish(&b, NULL, NULL, 0);
	if (n < 0)
		return n;
	if (!r->unreg)
		memcpy(r->contact, contact, sizeof(r->contact));
	r->last_len = (size_t)n <= sizeof(r->last) ? (size_t)n : 0;
	memcpy(r->last, buf, r->last_len);
	return n;
}

/* ---- outcomes ---- */

/* The lifetime granted for our binding: its Contact's expires, else the
 * Expires header, else what we asked (§10.2.4). */
static uint32_t granted(const struct sl_ua *ua, const struct sl_msg *m)
{
	const struct sl_ua_reg *r = &ua->reg;
	struct sl_contact ours, c;
	struct sl_slice mine = { r->contact, strlen(r->contact) };
	uint32_t v;

	if (sl_contact_decode(mine, &ours) == 0) {
		for (uint16_t i = m->first[SL_HDR_CONTACT]; i != SL_HDR_NONE;
		     i = m->hdrs[i].next) {
			if (sl_contact_decode(m->hdrs[i].value, &c) < 0 ||
			    c.star || c.expires < 0)
				continue;
			if (sl_uri_equal(&ours.addr.uri, &c.addr.uri))
				return c.expires > UINT32_MAX ? UINT32_MAX :
				       (uint32_t)c.expires;
		}
	}
	if (m->first[SL_HDR_EXPIRES] != SL_HDR_NONE &&
	    sl_uint_decode(m->hdrs[m->first[SL_HDR_EXPIRES]].value,
			   UINT32_MAX, &v) == 0)
		return v;
	return r->expires;
}

static void emit_failed(struct sl_ua *ua, int code, const char *reason,
			const struct sl_rxbuf *rx)
{
	sl__ua_emit_status(ua, SL_EV_REGISTRATION_FAILED, code, reason, rx,
			   0);
}

/* A REGISTER failed: retry, report, or recover later. */
static void failed(struct sl_ua *ua, int code, const char *reason,
		   const struct sl_rxbuf *rx, int definite)
{
	struct sl_ua_reg *r = &ua->reg;
	uint32_t delay;

	r->attempts++;
	/* The next attempt locates the registrar afresh (RFC 3263: another
	 * server may answer). */
	r->have_pin = 0;
	sl_log_info(SL_UA_LOG, "REGISTER failed (%d %.*s), attempt %u", code,
		    reason ? (int)strlen(reason) :
		    rx ? (int)rx->msg.reason.len : 0,
		    reason ? reason : rx && rx->msg.reason.p ?
		    rx->msg.reason.p : "",
		    r->attempts);
	if (r->stopped) {
		r->state = SL_UA_REG_IDLE;
		r->bound = 0;
		keepalive_stop(ua);
		emit_failed(ua, code, reason, rx);
		return;
	}
	if (!definite && !r->failed && r->attempts <= ua->acct.a.reg_retries) {
		uint16_t ra_i = rx ? rx->msg.first[SL_HDR_RETRY_AFTER]
				   : SL_HDR_NONE;

		delay = backoff_ms(ua);
		if (rx && rx->msg.status == 503 && ra_i != SL_HDR_NONE) {
			struct sl_retry_after ra;
			const struct sl_hdr *h = &rx->msg.hdrs[ra_i];

			if (sl_retry_after_decode(h->value, &ra) == 0 &&
			    ra.seconds * 1000ull > delay)
				delay = min32(ra.seconds, RETRY_AFTER_MAX_S) *
					1000u;
		}
		r->state = SL_UA_REG_WAITING;
		arm(ua, delay);
		return;
	}
	if (!r->failed)
		emit_failed(ua, code, reason, rx);
	r->failed = 1;
	r->bound = 0;
	r->state = SL_UA_REG_WAITING;
	arm(ua, ua->acct.a.reg_recover_ms);
}

static void succeeded(struct sl_ua *ua, const struct sl_rxbuf *rx,
		      const struct sl_route_target *t)
{
	struct sl_ua_reg *r = &ua->reg;
	uint32_t e = granted(ua, &rx->msg);
	uint64_t half, delay;

	if (e == 0) {
		failed(ua, rx->msg.status, "registrar kept no binding", rx, 1);
		return;
	}
	r->state = SL_UA_REG_REGISTERED;
	r->bound = 1;
	r->failed = 0;
	r->attempts = 0;
	r->n_auth = 0;
	r->n_423 = 0;
	r->granted = e;
	if (t) {
		r->pin = *t;
		r->have_pin = 1;
	}
	keepalive_start(ua, &rx->msg);
	half = e / 2;
	delay = e > REFRESH_MARGIN_S ? e - REFRESH_MARGIN_S : 0;
	if (half > delay)
		delay = half;
	if (delay < 1)
		delay = 1;
	arm(ua, delay * 1000);
	sl__ua_emit_status(ua, SL_EV_REGISTERED, rx->msg.status, NULL, rx, e);
}

static void unregistered(struct sl_ua *ua, int code, const char *reason,
			 const struct sl_rxbuf *rx)
{
	struct sl_ua_reg *r = &ua->reg;

	r->state = SL_UA_REG_IDLE;
	r->bound = 0;
	r->unreg = 0;
	r->have_pin = 0;
	r->contact[0] = '\0';
	keepalive_stop(ua);
	sl__ua_emit_status(ua, SL_EV_UNREGISTERED, code, reason, rx, 0);
	unreg_settled(ua);
}

/* 401/407: answer the challenge and send again, to the same server. */
static int try_auth(struct sl_ua *ua, const struct sl_rxbuf *rx,
		    const struct sl_route_target *t)
{
	struct sl_ua_reg *r = &ua->reg;
	int rc;

	if (r->n_auth >= SL_UA_AUTH_MAX_ROUNDS)
		return SL_EAUTH;
	rc = sl__ua_auth_challenge(ua, &rx->msg, r->last, r->last_len);
	if (rc < 0)
		return rc;
	r->n_auth++;
	if (t) {
		r->pin = *t;
		r->have_pin = 1;
	}
	return send_register(ua);
}

/* 423: ask again with the registrar's Min-Expires (§10.2.8). */
static int try_423(struct sl_ua *ua, const struct sl_rxbuf *rx,
		   const struct sl_route_target *t)
{
	struct sl_ua_reg *r = &ua->reg;
	const struct sl_msg *m = &rx->msg;
	uint32_t min;

	if (r->n_423 >= SL_UA_423_MAX ||
	    m->first[SL_HDR_MIN_EXPIRES] == SL_HDR_NONE ||
	    sl_uint_decode(m->hdrs[m->first[SL_HDR_MIN_EXPIRES]].value,
			   UINT32_MAX, &min) < 0 || min <= r->expires)
		return SL_EPARSE;
	r->n_423++;
	r->expires = min;
	if (t) {
		r->pin = *t;
		r->have_pin = 1;
	}
	return send_register(ua);
}

static void on_final(struct sl_ua *ua, const struct sl_rxbuf *rx,
		     const struct sl_route_target *t)
{
	struct sl_ua_reg *r = &ua->reg;
	int status = rx->msg.status;
	int rc;

	if (status != 401 && status != 407)
		sl__ua_auth_accepted(ua, r->auth_used);
	if (status == 401 || status == 407) {
		rc = try_auth(ua, rx, t);
		if (rc >= 0)
			return;
		if (rc == SL_EAUTH || rc == SL_EUNSUPP)
			r->stopped = !r->unreg;
		if (r->unreg) {
			unregistered(ua, status, NULL, rx);
			return;
		}
		failed(ua, status, NULL, rx, 1);
		return;
	}
	if (r->unreg) {
		unregistered(ua, status, NULL, rx);
		return;
	}
	if (status >= 200 && status < 300) {
		succeeded(ua, rx, t);
		return;
	}
	if (status == 423 && try_423(ua, rx, t) >= 0)
		return;
	failed(ua, status, NULL, rx,
	       (status >= 400 && status < 500 && status != 408) ||
	       status >= 600);
}

static void on_route(void *arg, uint32_t id, const struct sl_route_event *ev)
{
	struct sl_ua *ua = arg;
	struct sl_ua_reg *r = &ua->reg;

	if (id != r->send || !ev->final)
		return;
	r->send = 0;
	if (ev->type == SL_ROUTE_EV_RESPONSE) {
		on_final(ua, ev->rx, ev->target);
	} else if (r->unreg) {
		unregistered(ua, 0, ev->err == SL_ETIMEOUT ? "no answer"
				    : sl_strerror(ev->err), NULL);
	} else {
		failed(ua, 0, ev->err == SL_ETIMEOUT ? "no answer"
			      : sl_strerror(ev->err), NULL, 0);
	}
	sl__ua_shutdown_check(ua);
}

/* Starts one REGISTER (r->unreg says which kind). */
static int send_register(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;
	struct sl_route_req req;
	struct sl_uri uri;
	char hop[SL_UA_URI_MAX];
	int rc;

	cancel_send(ua);
	sl__loop_timer_stop(ua->loop, &r->timer);
	if (!r->call_id[0]) {
		char a[SL_UA_TAG_MAX], b[SL_UA_TAG_MAX];

		sl__ua_token(ua, a, sizeof(a));
		sl__ua_token(ua, b, sizeof(b));
		snprintf(r->call_id, sizeof(r->call_id), "%s%s", a, b);
	}
	memset(&req, 0, sizeof(req));
	req.build = build_register;
	req.cb = on_route;
	req.arg = ua;
	if (r->have_pin) {
		req.pin = &r->pin;
	} else {
		rc = sl__ua_next_hop(ua, ua->acct.a.registrar, hop,
				     sizeof(hop));
		if (rc < 0 || sl_uri_parse(hop, strlen(hop), &uri) < 0)
			return SL_EINVAL;
		req.uri = &uri;
	}
	r->state = r->unreg ? SL_UA_REG_UNREGISTERING : SL_UA_REG_SENDING;
	rc = sl__route_send(ua->router, &req, &r->send);
	if (rc < 0) {
		r->send = 0;
		sl_log_warn(SL_UA_LOG, "REGISTER not sent: %s",
			    sl_strerror(rc));
	}
	return rc;
}

static void reg_timer_fire(struct sl_timer *t, void *arg)
{
	struct sl_ua *ua = arg;
	struct sl_ua_reg *r = &ua->reg;
	int rc;

	(void)t;
	if (r->state != SL_UA_REG_REGISTERED &&
	    r->state != SL_UA_REG_WAITING)
		return;
	r->unreg = 0;
	rc = send_register(ua);
	if (rc < 0)
		failed(ua, 0, sl_strerror(rc), NULL, 0);
}

/* ---- public ---- */

static int register_on_loop(void *arg)
{
	struct sl_ua *ua = arg;
	struct sl_ua_reg *r = &ua->reg;
	int rc;

	if (!ua->acct.set || !ua->acct.a.registrar[0] || ua->shutting_down)
		return SL_ESTATE;
	if (r->state == SL_UA_REG_SENDING)
		return 0;
	if (r->state == SL_UA_REG_UNREGISTERING)
		unreg_settled(ua);
	r->unreg = 0;
	r->stopped = 0;
	r->failed = 0;
	r->attempts = 0;
	r->n_423 = 0;
	r->n_auth = 0;
	r->expires = ua->acct.a.expires;
	rc = send_register(ua);
	if (rc < 0)
		failed(ua, 0, sl_strerror(rc), NULL, 0);
	return 0;
}

int sl_ua_register(struct sl_ua *ua)
{
	return sl__ua_call(ua, register_on_loop, ua);
}

/* Starts the unregistration. Return: its sequence number (> 0) to wait
 * for, 0 when it finished at once, or an error. */
static int start_unregister(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;
	uint32_t seq;
	int rc;

	sl__loop_timer_stop(ua->loop, &r->timer);
	seq = atomic_load(&r->unreg_seq) + 1;
	if (!seq)
		seq = 1;
	atomic_store(&r->unreg_seq, seq);
	r->unreg = 1;
	r->n_auth = 0;
	rc = send_register(ua);
	if (rc < 0) {
		unregistered(ua, 0, sl_strerror(rc), NULL);
		return 0;
	}
	return (int)(seq & INT32_MAX);
}

static int unregister_on_loop(void *arg)
{
	struct sl_ua *ua = arg;
	struct sl_ua_reg *r = &ua->reg;

	if (!ua->acct.set || !ua->acct.a.registrar[0])
		return SL_ESTATE;
	if (r->state == SL_UA_REG_IDLE && !r->bound)
		return SL_ESTATE;
	if (r->state == SL_UA_REG_UNREGISTERING)
		return (int)(atomic_load(&r->unreg_seq) & INT32_MAX);
	return start_unregister(ua);
}

static int unreg_over(struct sl_ua *ua, void *arg)
{
	uint32_t seq = (uint32_t)(uintptr_t)arg;

	return atomic_load(&ua->reg.unreg_done) - seq < UINT32_MAX / 2;
}

int sl_ua_unregister(struct sl_ua *ua, unsigned wait_ms)
{
	int rc = sl__ua_call(ua, unregister_on_loop, ua);

	if (rc <= 0 || !wait_ms)
		return rc < 0 ? rc : 0;
	return sl__ua_wait(ua, unreg_over, (void *)(uintptr_t)(uint32_t)rc,
			   wait_ms);
}

/* ---- for the other files ---- */

void sl__ua_reg_reset(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;

	cancel_send(ua);
	sl__loop_timer_stop(ua->loop, &r->timer);
	keepalive_stop(ua);
	r->state = SL_UA_REG_IDLE;
	r->bound = 0;
	r->failed = 0;
	r->stopped = 0;
	r->unreg = 0;
	r->have_pin = 0;
	r->attempts = 0;
	r->call_id[0] = '\0';
	r->contact[0] = '\0';
	r->cseq = 0;
	unreg_settled(ua);
}

int sl__ua_reg_shutdown(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;

	sl__loop_timer_stop(ua->loop, &r->timer);
	if (r->state == SL_UA_REG_UNREGISTERING)
		return 1;
	/* A REGISTER in flight may have made a binding: remove it too. */
	if (r->bound || r->state == SL_UA_REG_SENDING)
		return start_unregister(ua) > 0;
	cancel_send(ua);
	keepalive_stop(ua);
	r->state = SL_UA_REG_IDLE;
	return 0;
}

int sl__ua_reg_busy(const struct sl_ua *ua)
{
	return ua->reg.send != 0;
}

void sl__ua_reg_network_changed(struct sl_ua *ua)
{
	struct sl_ua_reg *r = &ua->reg;
	int rc;

	/* The old flow and NAT binding are gone with the old address. */
	keepalive_stop(ua);
	r->have_pin = 0;
	if (r->state == SL_UA_REG_IDLE || r->state == SL_UA_REG_UNREGISTERING
	    || r->stopped)
		return;
	r->attempts = 0;
	r->unreg = 0;
	rc = send_register(ua);
	if (rc < 0)
		failed(ua, 0, sl_strerror(rc), NULL, 0);
}

void sl__ua_reg_flow_closed(struct sl_ua *ua, uint32_t flow)
{
	struct sl_ua_reg *r = &ua->reg;
	int rc;

	if (!flow || !r->have_pin || r->pin.flow != flow)
		return;
	r->have_pin = 0;
	r->ka_on = 0;
	if (r->state != SL_UA_REG_REGISTERED)
		return;
	/* B3: a dead TCP/TLS flow means calls cannot reach us; register
	 * again over a new connection now rather than at the refresh. */
	sl_log_info(SL_UA_LOG, "registrar flow %u closed: registering again",
		    (unsigned)flow);
	rc = send_register(ua);
	if (rc < 0)
		failed(ua, 0, sl_strerror(rc), NULL, 0);
}
