/*
 * tests/unit/check_txn_net.c: the transaction layer (lib/txn, RFC 3261
 * §17, RFC 6026) over the real transports (transport/, §18): two layers in
 * one process, each on its own transport manager bound to 127.0.0.1 for
 * UDP, TCP and TLS, exchange INVITE and non-INVITE transactions in both
 * directions; the client layer's own ACK for a non-2xx final response
 * (§17.1.1.3) and the TU's ACK for a 2xx (§13.2.2.4) cross the wire; UDP
 * retransmissions (Timer E) reach the peer's layer and are absorbed there;
 * a peer that is gone shows up as a transport error (connect refused, a
 * connection closed, a TLS certificate refused) or as a timeout (UDP).
 *
 * The loop runs in application-driven mode on a virtual clock: real I/O
 * is stepped with small waits in bounded loops, timers fire only when the
 * test moves time forward. Nothing sleeps. The TLS material is
 * tests/data/tls/ (see its README): both managers serve with server.pem
 * and verify the peer's name against ca.pem.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "core/clock.h"
#include "core/loop.h"
#include "sipline/build.h"
#include "sipline/headers.h"
#include "sipline/log.h"
#include "transport/tp_int.h"
#include "txn/txn.h"

#define TLS_DIR "tests/data/tls/"
#define TLS_NAME "sip.test.example"

enum {
	MAX_EV = 64,          /* events recorded per kind and side */
	STEPS = 3000,         /* loop iterations a wait may take */
	MSG_CAP = 4096,
	T1 = 500, T4 = 5000   /* the defaults the layers run with */
};

/* ======================================================================
 * one side: a transport manager, a transaction layer, a recording TU
 * ====================================================================== */

struct side {
	const char *user;             /* "alice" or "bob" */
	struct sl_tpmgr *tp;
	struct sl_txn_layer *txn;
	struct sl_addr at[SL_TP__COUNT];

	/* How the TU answers a new request: these statuses in order from
	 * the request callback (0 ends the list; none: it does not). */
	int answer[3];
	int ack_2xx;                  /* ACK every 2xx received */

	/* What the TU saw. */
	int n_req;
	uint32_t req_txn[MAX_EV];
	enum sl_method req_method[MAX_EV];
	enum sl_tp req_tp[MAX_EV];
	int n_ack;
	uint32_t ack_txn[MAX_EV];
	enum sl_tp ack_tp[MAX_EV];
	int n_resp;
	uint32_t resp_txn[MAX_EV];
	int resp_status[MAX_EV];
	int n_timeout;
	char timer[MAX_EV];
	uint32_t timeout_txn[MAX_EV];
	int n_tperr;
	int tperr[MAX_EV];
	uint32_t tperr_txn[MAX_EV];
	int n_term;
	uint32_t term_txn[MAX_EV];
	int n_closed;                 /* flows the transport closed */
	int n_unreach;                /* ICMP unreachable reports */
	int closed_err;
	int n_rejected;
	int respond_rc;               /* first failing sl__txn_respond() */
	int ack_rc;                   /* first failing ACK send */
};

static struct sl_vclock vclock;
static struct sl_loop *loop;
static struct side A, B;

/* Steps the loop until it has been idle a few times in a row, the last
 * time after a short real wait (bounded): the I/O in flight on loopback
 * is done. */
static void settle(void)
{
	int idle = 0;

	for (int i = 0; i < STEPS && idle < 3; i++)
		idle = sl__loop_step(loop, idle == 2 ? 1 : 0) > 0 ? 0 :
			idle + 1;
}

#define RUN_UNTIL(cond)                                                \
	do {                                                           \
		for (int r_ = 0; r_ < STEPS && !(cond); r_++)          \
			sl__loop_step(loop, 5);                        \
	} while (0)

/* Moves virtual time forward by @ms in steps of @chunk_ms, letting the
 * I/O that each timer starts finish before the next chunk. */
static void advance(uint64_t ms, uint64_t chunk_ms)
{
	while (ms > 0) {
		uint64_t d = ms < chunk_ms ? ms : chunk_ms;

		sl__vclock_advance(&vclock, d * 1000);
		ms -= d;
		settle();
	}
}

/* ---- the TU ---- */

static void on_request(void *arg, uint32_t txn, void *user,
		       struct sl_rxbuf *rx, uint32_t cancel_target)
{
	static const struct sl_txn_hdr contact[] = {
		{ "Contact", "<sip:tu@127.0.0.1>" }
	};
	struct side *s = arg;
	int i = s->n_req++;

	(void)user;
	(void)cancel_target;
	if (i < MAX_EV) {
		s->req_txn[i] = txn;
		s->req_method[i] = rx->msg.method;
		s->req_tp[i] = rx->tp;
	}
	for (int k = 0; k < 3 && s->answer[k]; k++) {
		struct sl_txn_response r = {
			.status = s->answer[k], .to_tag = s->user,
			.flags = SL_BUILD_COPY_RECORD_ROUTE,
			.hdrs = contact, .n_hdrs = 1
		};
		int rc = sl__txn_respond(s->txn, txn, &r);

		if (rc < 0 && !s->respond_rc)
			s->respond_rc = rc;
		if (rc < 0)
			break;
	}
}

static void on_ack(void *arg, uint32_t txn, void *user, struct sl_rxbuf *rx)
{
	struct side *s = arg;
	int i = s->n_ack++;

	(void)user;
	if (i < MAX_EV) {
		s->ack_txn[i] = txn;
		s->ack_tp[i] = rx->tp;
	}
}

/* Copies header @id of @m (its first value) or records an error. */
static void copy_hdr(struct sl_builder *b, const struct sl_msg *m,
		     enum sl_hdr_id id)
{
	if (m->first[id] == SL_HDR_NONE) {
		if (!b->err)
			b->err = SL_EINVAL;
		return;
	}
	sl_build_header_copy(b, &m->hdrs[m->first[id]]);
}

/*
 * The TU's ACK for 2xx @rx of client transaction @txn (§13.2.2.4): to the
 * Contact of the 2xx, a new branch, From, To (with the tag) and Call-ID
 * of the response, the INVITE's CSeq number; sent outside any transaction
 * over the INVITE's flow.
 */
static int send_ack_2xx(struct side *s, uint32_t txn,
			const struct sl_rxbuf *rx)
{
	const struct sl_msg *m = &rx->msg;
	struct sl_txn_info info;
	struct sl_contact c;
	struct sl_slice v, uri;
	struct sl_builder b;
	struct sl_addr local;
	char buf[MSG_CAP], branch[64], host[64], ruri[256];
	int rc, n;

	rc = sl__txn_info(s->txn, txn, &info);
	if (rc < 0)
		return rc;
	if (sl_msg_find(m, "Contact", &v) < 0 ||
	    sl_contact_decode(v, &c) < 0 || c.star)
		return SL_EPARSE;
	uri = c.addr.uri_text;
	if (uri.len >= sizeof(ruri))
		return SL_ENOSPC;
	memcpy(ruri, uri.p, uri.len);
	ruri[uri.len] = '\0';
	rc = sl__tpmgr_local_for(s->tp, info.dst.tp, AF_INET, &local);
	if (rc < 0)
		return rc;
	if (sl__addr_host(&local, host, sizeof(host)) < 0 ||
	    sl__txn_branch(s->txn, branch, sizeof(branch)) < 0)
		return SL_ENOSPC;
	sl_build_init(&b, buf, sizeof(buf));
	sl_build_request_line(&b, "ACK", ruri);
	sl_build_via(&b, sl__tp_name(info.dst.tp), host,
		     sl__addr_port(&local), branch, 1);
	sl_build_header_uint(&b, "Max-Forwards", 70);
	copy_hdr(&b, m, SL_HDR_FROM);
	copy_hdr(&b, m, SL_HDR_TO);
	copy_hdr(&b, m, SL_HDR_CALL_ID);
	sl_build_cseq(&b, m->cseq.seq, "ACK");
	n = sl_build_finish(&b, NULL, NULL, 0);
	if (n < 0)
		return n;
	return sl__txn_send(s->txn, &info.dst, buf, (size_t)n);
}

static void on_response(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx)
{
	struct side *s = arg;
	int i = s->n_resp++;

	(void)user;
	if (i < MAX_EV) {
		s->resp_txn[i] = txn;
		s->resp_status[i] = rx->msg.status;
	}
	if (s->ack_2xx && rx->msg.status >= 200 && rx->msg.status < 300 &&
	    sl_slice_eq(rx->msg.cseq.method, "INVITE")) {
		int rc = send_ack_2xx(s, txn, rx);

		if (rc < 0 && !s->ack_rc)
			s->ack_rc = rc;
	}
}

static void on_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	struct side *s = arg;
	int i = s->n_timeout++;

	(void)user;
	if (i < MAX_EV) {
		s->timer[i] = timer;
		s->timeout_txn[i] = txn;
	}
}

static void on_tperr(void *arg, uint32_t txn, void *user, int err)
{
	struct side *s = arg;
	int i = s->n_tperr++;

	(void)user;
	if (i < MAX_EV) {
		s->tperr[i] = err;
		s->tperr_txn[i] = txn;
	}
}

static void on_terminated(void *arg, uint32_t txn, void *user)
{
	struct side *s = arg;
	int i = s->n_term++;

	(void)user;
	if (i < MAX_EV)
		s->term_txn[i] = txn;
}

/* ---- the glue a UA core would be: transport up to the layer ---- */

static void tp_recv(void *arg, struct sl_rxbuf *rx)
{
	struct side *s = arg;

	if (s->txn)
		sl__txn_recv(s->txn, rx);
}

static void tp_closed(void *arg, uint32_t flow, int err)
{
	struct side *s = arg;

	s->n_closed++;
	s->closed_err = err;
	if (s->txn)
		sl__txn_flow_closed(s->txn, flow, err);
}

static void tp_unreachable(void *arg, enum sl_tp tp,
			   const struct sl_addr *dst, int err)
{
	struct side *s = arg;

	s->n_unreach++;
	if (s->txn)
		sl__txn_dest_unreachable(s->txn, tp, dst, err);
}

static void tp_rejected(void *arg, const struct sl_parse_error *err,
			const struct sl_addr *src)
{
	struct side *s = arg;

	(void)err;
	(void)src;
	s->n_rejected++;
}

static int io_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		   size_t len)
{
	struct side *s = arg;

	return sl__tp_send(s->tp, dst, buf, len);
}

/* Brings @s up: UDP, TCP and TLS on 127.0.0.1 (ephemeral ports). */
static void side_up(struct side *s, const char *user)
{
	struct sl_tp_handlers h = { tp_recv, tp_closed, tp_rejected,
				    tp_unreachable, s };
	struct sl_tp_config tc;
	struct sl_txn_config xc;

	memset(s, 0, sizeof(*s));
	s->user = user;
	sl__tp_config_init(&tc);
	tc.rx_buffers = 48;            /* > max_server_txns (txn.h) */
	tc.max_conns = 8;
	for (int tp = 0; tp < SL_TP__COUNT; tp++) {
		tc.binds[tp].tp = (enum sl_tp)tp;
		tc.binds[tp].host = "127.0.0.1";
		tc.binds[tp].port = 0;
	}
	tc.n_binds = SL_TP__COUNT;
	tc.tls_cert_file = TLS_DIR "server.pem";
	tc.tls_key_file = TLS_DIR "server.key";
	tc.tls_ca_file = TLS_DIR "ca.pem";
	ck_assert_int_eq(sl__tpmgr_create(&s->tp, loop, &tc, &h), 0);
	for (int tp = 0; tp < SL_TP__COUNT; tp++)
		ck_assert_int_eq(sl__tpmgr_local_for(s->tp, (enum sl_tp)tp,
						     AF_INET, &s->at[tp]), 0);

	sl__txn_config_init(&xc);
	xc.max_client_txns = 32;
	xc.max_server_txns = 32;
	xc.seed = user[0];
	xc.io.send = io_send;
	xc.io.arg = s;
	xc.tu.request = on_request;
	xc.tu.ack = on_ack;
	xc.tu.response = on_response;
	xc.tu.timeout = on_timeout;
	xc.tu.transport_error = on_tperr;
	xc.tu.terminated = on_terminated;
	xc.tu.arg = s;
	ck_assert_int_eq(sl__txn_create(&s->txn, loop, &xc), 0);
}

static void side_down(struct side *s)
{
	sl__txn_destroy(s->txn);
	s->txn = NULL;
	sl__tpmgr_destroy(s->tp);
	s->tp = NULL;
}

static void setup(void)
{
	struct sl_loop_config lc;

	memset(&lc, 0, sizeof(lc));
	sl__vclock_init(&vclock, 1000000);
	lc.clock = &vclock.clock;
	ck_assert_int_eq(sl__loop_create(&loop, &lc), 0);
	/* SL_TEST_LOG=debug shows the layers' log lines. */
	sl_log_set_level(getenv("SL_TEST_LOG")
			 ? (enum sl_log_level)sl_log_level_parse(
				   getenv("SL_TEST_LOG"))
			 : SL_LOG_NONE);
	side_up(&A, "alice");
	side_up(&B, "bob");
}

static void teardown(void)
{
	if (A.tp)
		side_down(&A);
	if (B.tp)
		side_down(&B);
	sl__loop_destroy(loop);
	loop = NULL;
}

/* ---- requests ---- */

/* A request from @from to @to over @tp, numbered @n (Call-ID, tag). */
static size_t build_req(struct side *from, const struct side *to,
			enum sl_tp tp, const char *method, unsigned n,
			char *buf, size_t cap)
{
	const struct sl_addr *local = &from->at[tp];
	struct sl_builder b;
	char host[64], branch[64], ruri[128], uri[128], tag[32], cid[96];
	const char *param = tp == SL_TP_UDP ? "" :
		tp == SL_TP_TCP ? ";transport=tcp" : ";transport=tls";
	int len;

	ck_assert_int_gt(sl__addr_host(local, host, sizeof(host)), 0);
	ck_assert_int_eq(sl__txn_branch(from->txn, branch, sizeof(branch)),
			 29);
	snprintf(ruri, sizeof(ruri), "sip:%s@127.0.0.1:%u%s", to->user,
		 sl__addr_port(&to->at[tp]), param);
	snprintf(uri, sizeof(uri), "sip:%s@127.0.0.1:%u%s", from->user,
		 sl__addr_port(local), param);
	snprintf(tag, sizeof(tag), "%s%u", from->user, n);
	snprintf(cid, sizeof(cid), "%s-%u-%s@127.0.0.1", method, n,
		 from->user);
	sl_build_init(&b, buf, cap);
	sl_build_request_line(&b, method, ruri);
	sl_build_via(&b, sl__tp_name(tp), host, sl__addr_port(local), branch,
		     1);
	sl_build_header_uint(&b, "Max-Forwards", 70);
	sl_build_name_addr_header(&b, "From", NULL, uri, tag);
	sl_build_name_addr_header(&b, "To", NULL, ruri, NULL);
	sl_build_call_id(&b, cid);
	sl_build_cseq(&b, 1, method);
	sl_build_name_addr_header(&b, "Contact", NULL, uri, NULL);
	len = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(len, 0);
	return (size_t)len;
}

static void dest_to(struct sl_tp_dest *dst, const struct side *to,
		    enum sl_tp tp)
{
	memset(dst, 0, sizeof(*dst));
	dst->tp = tp;
	dst->addr = to->at[tp];
	dst->tls_name = tp == SL_TP_TLS ? TLS_NAME : NULL;
}

/* Starts a client transaction from @from to @to; returns its id. */
static uint32_t start(struct side *from, const struct side *to,
		      enum sl_tp tp, const char *method, unsigned n)
{
	char buf[MSG_CAP];
	size_t len = build_req(from, to, tp, method, n, buf, sizeof(buf));
	struct sl_tp_dest dst;
	uint32_t id = 0;

	dest_to(&dst, to, tp);
	ck_assert_int_eq(sl__txn_request(from->txn, buf, len, &dst, NULL,
					 &id), 0);
	ck_assert_uint_ne(id, 0);
	return id;
}

static enum sl_txn_state state_of(const struct side *s, uint32_t id)
{
	struct sl_txn_info info;

	if (sl__txn_info(s->txn, id, &info) != 0)
		return SL_TXN_STATE_TERMINATED;
	return info.state;
}

static int terminated(const struct side *s, uint32_t id)
{
	for (int i = 0; i < s->n_term && i < MAX_EV; i++)
		if (s->term_txn[i] == id)
			return 1;
	return 0;
}

/* Every transaction over, every receive buffer back in the pool. */
static void expect_idle(const struct side *s)
{
	struct sl_txn_stats xs;
	struct sl_tp_stats ts;

	ck_assert_int_eq(sl__txn_stats(s->txn, &xs), 0);
	ck_assert_uint_eq(xs.client_used, 0);
	ck_assert_uint_eq(xs.server_used, 0);
	ck_assert_int_eq(sl__tpmgr_stats(s->tp, &ts), 0);
	ck_assert_uint_eq(ts.rx_in_use, 0);
	ck_assert_int_eq(s->respond_rc, 0);
	ck_assert_int_eq(s->ack_rc, 0);
	ck_assert_int_eq(s->n_rejected, 0);
}

/* Loop tests run every transport in both directions: _i / 2 is the
 * transport, _i % 2 says whether bob is the client. */
enum { N_CASES = 2 * SL_TP__COUNT };

static void pick(int i, enum sl_tp *tp, struct side **c, struct side **s)
{
	*tp = (enum sl_tp)(i / 2);
	*c = i % 2 ? &B : &A;
	*s = i % 2 ? &A : &B;
}

/* After the exchange: Timers K/J (non-INVITE), D/M/L/H/I all run out
 * within 64*T1 plus T4; over TCP/TLS most are zero. */
static void run_out_timers(void)
{
	advance(64 * T1 + T4 + 100, 1000);
}

/* ======================================================================
 * non-INVITE
 * ====================================================================== */

START_TEST(options_answered_200)
{
	struct side *c, *s;
	enum sl_tp tp;
	uint32_t id;

	pick(_i, &tp, &c, &s);
	s->answer[0] = 200;
	id = start(c, s, tp, "OPTIONS", 1);
	RUN_UNTIL(c->n_resp == 1);
	ck_assert_int_eq(s->n_req, 1);
	ck_assert_int_eq(s->req_method[0], SL_METHOD_OPTIONS);
	ck_assert_int_eq(s->req_tp[0], tp);
	ck_assert_int_eq(c->n_resp, 1);
	ck_assert_uint_eq(c->resp_txn[0], id);
	ck_assert_int_eq(c->resp_status[0], 200);
	if (tp == SL_TP_UDP) {
		/* Timer K (T4) and Timer J (64*T1) keep them a while. */
		ck_assert_int_eq(state_of(c, id), SL_TXN_STATE_COMPLETED);
		ck_assert_int_eq(state_of(s, s->req_txn[0]),
				 SL_TXN_STATE_COMPLETED);
		ck_assert_int_eq(c->n_term + s->n_term, 0);
	} else {
		/* K and J are zero over a reliable transport. */
		settle();
		ck_assert(terminated(c, id));
		ck_assert(terminated(s, s->req_txn[0]));
	}
	run_out_timers();
	ck_assert(terminated(c, id));
	ck_assert(terminated(s, s->req_txn[0]));
	ck_assert_int_eq(c->n_resp, 1);
	ck_assert_int_eq(s->n_req, 1);
	ck_assert_int_eq(c->n_timeout + s->n_timeout, 0);
	ck_assert_int_eq(c->n_tperr + s->n_tperr, 0);
	expect_idle(c);
	expect_idle(s);
}
END_TEST

START_TEST(non_invite_provisional_then_final)
{
	struct side *c, *s;
	enum sl_tp tp;
	uint32_t id;

	pick(_i, &tp, &c, &s);
	/* The TU answers later: first a 100 from the request callback. */
	s->answer[0] = 100;
	id = start(c, s, tp, "MESSAGE", 7);
	RUN_UNTIL(c->n_resp == 1);
	ck_assert_int_eq(c->n_resp, 1);
	ck_assert_int_eq(c->resp_status[0], 100);
	ck_assert_int_eq(state_of(c, id), SL_TXN_STATE_PROCEEDING);
	ck_assert_int_eq(state_of(s, s->req_txn[0]),
			 SL_TXN_STATE_PROCEEDING);
	{
		struct sl_txn_response r = { .status = 404,
					     .to_tag = s->user };

		ck_assert_int_eq(sl__txn_respond(s->txn, s->req_txn[0], &r),
				 0);
	}
	RUN_UNTIL(c->n_resp == 2);
	ck_assert_int_eq(c->n_resp, 2);
	ck_assert_int_eq(c->resp_status[1], 404);
	run_out_timers();
	ck_assert(terminated(c, id));
	ck_assert(terminated(s, s->req_txn[0]));
	ck_assert_int_eq(c->n_resp, 2);
	expect_idle(c);
	expect_idle(s);
}
END_TEST

/* ======================================================================
 * INVITE
 * ====================================================================== */

START_TEST(invite_180_200_and_ack)
{
	struct side *c, *s;
	enum sl_tp tp;
	uint32_t id;

	pick(_i, &tp, &c, &s);
	s->answer[0] = 180;
	s->answer[1] = 200;
	c->ack_2xx = 1;
	id = start(c, s, tp, "INVITE", 2);
	RUN_UNTIL(s->n_ack == 1);
	ck_assert_int_eq(s->n_req, 1);
	ck_assert_int_eq(s->req_method[0], SL_METHOD_INVITE);
	ck_assert_int_eq(c->n_resp, 2);
	ck_assert_int_eq(c->resp_status[0], 180);
	ck_assert_int_eq(c->resp_status[1], 200);
	ck_assert_uint_eq(c->resp_txn[1], id);
	/* RFC 6026: both ends wait in Accepted for retransmitted 2xx. */
	ck_assert_int_eq(state_of(c, id), SL_TXN_STATE_ACCEPTED);
	ck_assert_int_eq(state_of(s, s->req_txn[0]),
			 SL_TXN_STATE_ACCEPTED);
	/* The ACK for a 2xx is its own transaction (new branch): the TU
	 * gets it without a transaction id, over the INVITE's transport. */
	ck_assert_int_eq(s->n_ack, 1);
	ck_assert_uint_eq(s->ack_txn[0], 0);
	ck_assert_int_eq(s->ack_tp[0], tp);
	/* The UAS core retransmits its 2xx (§13.3.1.4) through the
	 * transaction; the client's layer hands it up again, the TU ACKs
	 * it again. */
	ck_assert_int_eq(sl__txn_retransmit(s->txn, s->req_txn[0]), 0);
	RUN_UNTIL(s->n_ack == 2);
	ck_assert_int_eq(c->n_resp, 3);
	ck_assert_int_eq(c->resp_status[2], 200);
	ck_assert_int_eq(s->n_ack, 2);
	ck_assert_int_eq(s->n_req, 1);
	/* Timer M (client) and Timer L (server) end both at 64*T1. */
	run_out_timers();
	ck_assert(terminated(c, id));
	ck_assert(terminated(s, s->req_txn[0]));
	ck_assert_int_eq(c->n_timeout + s->n_timeout, 0);
	ck_assert_int_eq(c->n_tperr + s->n_tperr, 0);
	expect_idle(c);
	expect_idle(s);
}
END_TEST

START_TEST(invite_486_acked_by_client_txn)
{
	struct side *c, *s;
	enum sl_tp tp;
	uint32_t id, sid;

	pick(_i, &tp, &c, &s);
	s->answer[0] = 180;
	s->answer[1] = 486;
	c->ack_2xx = 1;            /* must not be used for a non-2xx */
	id = start(c, s, tp, "INVITE", 3);
	RUN_UNTIL(c->n_resp == 2);
	ck_assert_int_eq(c->n_resp, 2);
	ck_assert_int_eq(c->resp_status[1], 486);
	sid = s->req_txn[0];
	/* The client layer sent the ACK itself (§17.1.1.3); the server
	 * layer absorbed it: Confirmed over UDP (Timer I = T4), over at once
	 * over TCP/TLS. The TU never sees that ACK. */
	if (tp == SL_TP_UDP) {
		RUN_UNTIL(state_of(s, sid) == SL_TXN_STATE_CONFIRMED);
		ck_assert_int_eq(state_of(s, sid), SL_TXN_STATE_CONFIRMED);
		ck_assert_int_eq(state_of(c, id), SL_TXN_STATE_COMPLETED);
	} else {
		RUN_UNTIL(terminated(s, sid));
		ck_assert(terminated(s, sid));
		ck_assert(terminated(c, id));
	}
	ck_assert_int_eq(s->n_ack, 0);
	ck_assert_int_eq(s->n_timeout, 0);   /* no Timer H */
	run_out_timers();
	ck_assert(terminated(c, id));
	ck_assert(terminated(s, sid));
	ck_assert_int_eq(c->n_resp, 2);
	ck_assert_int_eq(s->n_ack, 0);
	ck_assert_int_eq(c->n_timeout + s->n_timeout, 0);
	ck_assert_int_eq(c->n_tperr + s->n_tperr, 0);
	expect_idle(c);
	expect_idle(s);
}
END_TEST

START_TEST(invite_100_trying_from_layer)
{
	struct side *c, *s;
	enum sl_tp tp;
	uint32_t id;

	pick(_i, &tp, &c, &s);
	/* The TU keeps the INVITE unanswered: after trying_ms the server
	 * layer sends a 100 (§17.2.1), which stops Timer A and puts the
	 * client in Proceeding. */
	id = start(c, s, tp, "INVITE", 4);
	RUN_UNTIL(s->n_req == 1);
	ck_assert_int_eq(c->n_resp, 0);
	advance(SL_TXN_TRYING_DEFAULT_MS, 50);
	RUN_UNTIL(c->n_resp == 1);
	ck_assert_int_eq(c->n_resp, 1);
	ck_assert_int_eq(c->resp_status[0], 100);
	ck_assert_int_eq(state_of(c, id), SL_TXN_STATE_PROCEEDING);
	/* Nothing more goes out while the TU thinks, however long. */
	advance(10 * T1, 250);
	ck_assert_int_eq(s->n_req, 1);
	ck_assert_int_eq(c->n_resp, 1);
	{
		struct sl_txn_response r = { .status = 603,
					     .to_tag = s->user };

		ck_assert_int_eq(sl__txn_respond(s->txn, s->req_txn[0], &r),
				 0);
	}
	RUN_UNTIL(c->n_resp == 2);
	ck_assert_int_eq(c->resp_status[1], 603);
	run_out_timers();
	ck_assert(terminated(c, id));
	ck_assert(terminated(s, s->req_txn[0]));
	expect_idle(c);
	expect_idle(s);
}
END_TEST

/* ======================================================================
 * UDP retransmission across the wire
 * ====================================================================== */

/* Messages @s's transport has delivered so far. */
static uint64_t rx_count(const struct side *s)
{
	struct sl_tp_stats ts;

	ck_assert_int_eq(sl__tpmgr_stats(s->tp, &ts), 0);
	return ts.rx_msgs;
}

START_TEST(udp_retransmissions_absorbed_by_peer)
{
	uint32_t id;

	/* Bob's TU does not answer: alice's Timer E fires at T1 and 3*T1;
	 * bob's layer matches each copy to the transaction (§17.2.3), the
	 * TU hears of the request once. */
	id = start(&A, &B, SL_TP_UDP, "OPTIONS", 5);
	RUN_UNTIL(B.n_req == 1);
	advance(T1, 50);
	RUN_UNTIL(rx_count(&B) == 2);
	ck_assert_uint_eq(rx_count(&B), 2);
	advance(2 * T1, 50);
	RUN_UNTIL(rx_count(&B) == 3);
	ck_assert_uint_eq(rx_count(&B), 3);
	ck_assert_int_eq(B.n_req, 1);
	/* A provisional: bob's layer answers the next copy with it. */
	{
		struct sl_txn_response r = { .status = 100 };

		ck_assert_int_eq(sl__txn_respond(B.txn, B.req_txn[0], &r), 0);
	}
	RUN_UNTIL(A.n_resp == 1);
	ck_assert_int_eq(state_of(&A, id), SL_TXN_STATE_PROCEEDING);
	/* In Proceeding, E fires every T2 (§17.1.2.2), here once more
	 * before 3*T1 + T2; the copy gets the 100 again, which the client
	 * passes up again (§17.1.2.2). */
	advance(SL_TXN_T2_DEFAULT_MS, 100);
	RUN_UNTIL(A.n_resp == 2);
	ck_assert_uint_eq(rx_count(&B), 4);
	ck_assert_int_eq(B.n_req, 1);
	ck_assert_int_eq(A.n_resp, 2);
	ck_assert_int_eq(A.resp_status[1], 100);
	{
		struct sl_txn_response r = { .status = 200, .to_tag = "bob" };

		ck_assert_int_eq(sl__txn_respond(B.txn, B.req_txn[0], &r), 0);
	}
	RUN_UNTIL(A.n_resp == 3);
	ck_assert_int_eq(A.resp_status[2], 200);
	run_out_timers();
	ck_assert(terminated(&A, id));
	ck_assert_int_eq(B.n_req, 1);
	ck_assert_int_eq(A.n_resp, 3);
	expect_idle(&A);
	expect_idle(&B);
}
END_TEST

/* ======================================================================
 * the peer is gone
 * ====================================================================== */

/* A TCP or UDP port on 127.0.0.1 that nothing listens on (bound, then
 * closed). */
static void dead_port(struct sl_addr *a, int type)
{
	int fd = socket(AF_INET, type, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sl__addr_set(a, "127.0.0.1", 9, 0), 0);
	ck_assert_int_eq(bind(fd, &a->u.sa, a->len), 0);
	a->len = sizeof(a->u);
	ck_assert_int_eq(getsockname(fd, &a->u.sa, &a->len), 0);
	close(fd);
}

START_TEST(tcp_connect_refused_is_transport_error)
{
	const char *methods[2] = { "INVITE", "OPTIONS" };

	for (int k = 0; k < 2; k++) {
		char buf[MSG_CAP];
		size_t len = build_req(&A, &B, SL_TP_TCP, methods[k],
				       (unsigned)(10 + k), buf, sizeof(buf));
		struct sl_tp_dest dst;
		uint32_t id = 0;
		int rc, base_err = A.n_tperr, base_term = A.n_term;

		memset(&dst, 0, sizeof(dst));
		dst.tp = SL_TP_TCP;
		dead_port(&dst.addr, SOCK_STREAM);
		rc = sl__txn_request(A.txn, buf, len, &dst, NULL, &id);
		if (rc < 0) {
			/* Refused inside connect(): no transaction. */
			ck_assert_int_eq(rc, SL_ETRANSPORT);
			continue;
		}
		/* Refused later: the transport closes the flow, the glue
		 * tells the layer, the transaction reports and ends. */
		RUN_UNTIL(A.n_term > base_term);
		ck_assert_int_eq(A.n_tperr, base_err + 1);
		ck_assert_uint_eq(A.tperr_txn[base_err], id);
		ck_assert_int_eq(A.tperr[base_err], SL_ETRANSPORT);
		ck_assert_int_eq(A.n_term, base_term + 1);
		ck_assert_uint_eq(A.term_txn[base_term], id);
		ck_assert_int_eq(A.n_timeout, 0);
		ck_assert_int_eq(A.n_resp, 0);
	}
	expect_idle(&A);
}
END_TEST

START_TEST(stream_peer_gone_is_transport_error)
{
	enum sl_tp tp = _i ? SL_TP_TLS : SL_TP_TCP;
	uint32_t id;

	/* Bob sits on the INVITE; alice's side goes away: bob's layer
	 * hears of the closed flow and ends the server transaction with a
	 * transport error. */
	id = start(&A, &B, tp, "INVITE", 20);
	RUN_UNTIL(B.n_req == 1);
	ck_assert_int_eq(B.n_req, 1);
	(void)id;
	side_down(&A);
	RUN_UNTIL(B.n_tperr == 1);
	ck_assert_int_eq(B.n_closed, 1);
	ck_assert_int_eq(B.n_tperr, 1);
	ck_assert_uint_eq(B.tperr_txn[0], B.req_txn[0]);
	ck_assert_int_lt(B.tperr[0], 0);
	ck_assert_int_eq(B.n_term, 1);
	ck_assert_uint_eq(B.term_txn[0], B.req_txn[0]);
	{
		struct sl_txn_response r = { .status = 200, .to_tag = "bob" };

		ck_assert_int_eq(sl__txn_respond(B.txn, B.req_txn[0], &r),
				 SL_ENOTFOUND);
	}
	expect_idle(&B);

	/* The other way round: alice (again) waits on bob's answer and bob
	 * goes away: the client transaction reports the error. */
	side_up(&A, "alice");
	id = start(&B, &A, tp, "OPTIONS", 21);
	RUN_UNTIL(A.n_req == 1);
	ck_assert_int_eq(A.n_req, 1);
	side_down(&A);
	RUN_UNTIL(B.n_tperr == 2);
	ck_assert_int_eq(B.n_tperr, 2);
	ck_assert_uint_eq(B.tperr_txn[1], id);
	ck_assert(terminated(&B, id));
	ck_assert_int_eq(B.n_timeout, 0);
	expect_idle(&B);
}
END_TEST

START_TEST(tls_name_refused_is_transport_error)
{
	char buf[MSG_CAP];
	size_t len = build_req(&A, &B, SL_TP_TLS, "OPTIONS", 30, buf,
			       sizeof(buf));
	struct sl_tp_dest dst;
	uint32_t id = 0;

	/* The peer's certificate does not carry the name asked for. */
	dest_to(&dst, &B, SL_TP_TLS);
	dst.tls_name = "wrong.example.com";
	ck_assert_int_eq(sl__txn_request(A.txn, buf, len, &dst, NULL, &id), 0);
	RUN_UNTIL(A.n_term == 1);
	ck_assert_int_eq(A.n_tperr, 1);
	ck_assert_uint_eq(A.tperr_txn[0], id);
	ck_assert_int_eq(A.tperr[0], SL_EAUTH);
	ck_assert_int_eq(A.n_term, 1);
	settle();
	ck_assert_int_eq(B.n_req, 0);
	expect_idle(&A);
	expect_idle(&B);
}
END_TEST

/*
 * UDP to a closed port: the ICMP port unreachable ends both transactions
 * with a transport error at once (RFC 3261 §17.1.4), long before Timer B
 * or F, and before even the first retransmission: no virtual time passes,
 * and the real time taken is bounded well under a second.
 */
START_TEST(udp_port_closed_is_transport_error)
{
	char buf[MSG_CAP];
	size_t len;
	struct sl_tp_dest dst;
	struct timespec t0, t1;
	uint32_t inv = 0, opt = 0;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_UDP;
	dead_port(&dst.addr, SOCK_DGRAM);
	len = build_req(&A, &B, SL_TP_UDP, "INVITE", 42, buf, sizeof(buf));
	ck_assert_int_eq(sl__txn_request(A.txn, buf, len, &dst, NULL, &inv),
			 0);
	len = build_req(&A, &B, SL_TP_UDP, "OPTIONS", 43, buf, sizeof(buf));
	ck_assert_int_eq(sl__txn_request(A.txn, buf, len, &dst, NULL, &opt),
			 0);
	/* Nothing reported inside sl__txn_request(). */
	ck_assert_int_eq(A.n_tperr, 0);
	RUN_UNTIL(A.n_term == 2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 +
	     (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ck_assert_int_lt(ms, 1000);
	ck_assert_int_ge(A.n_unreach, 1);
	ck_assert_int_eq(A.n_tperr, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert(A.tperr_txn[i] == inv || A.tperr_txn[i] == opt);
		ck_assert_int_eq(A.tperr[i], SL_ETRANSPORT);
	}
	ck_assert(terminated(&A, inv));
	ck_assert(terminated(&A, opt));
	ck_assert_int_eq(A.n_timeout, 0);
	ck_assert_int_eq(A.n_resp, 0);
	/* The other transactions to live peers are untouched, and B gets
	 * what is sent to it afterwards. */
	B.answer[0] = 200;
	(void)start(&A, &B, SL_TP_UDP, "OPTIONS", 44);
	RUN_UNTIL(A.n_resp == 1);
	ck_assert_int_eq(B.n_req, 1);
	ck_assert_int_eq(A.n_resp, 1);
	ck_assert_int_eq(A.resp_status[0], 200);
	ck_assert_int_eq(A.n_tperr, 2);
	run_out_timers();
	expect_idle(&A);
	expect_idle(&B);
}
END_TEST

/* A reachable transport refusing a bad call. */
START_TEST(dest_unreachable_arguments)
{
	struct sl_addr a;

	ck_assert_int_eq(sl__addr_set(&a, "127.0.0.1", 9, 9), 0);
	ck_assert_int_eq(sl__txn_dest_unreachable(NULL, SL_TP_UDP, &a,
						  SL_ETRANSPORT), SL_EINVAL);
	ck_assert_int_eq(sl__txn_dest_unreachable(A.txn, SL_TP_UDP, NULL,
						  SL_ETRANSPORT), SL_EINVAL);
	ck_assert_int_eq(sl__txn_dest_unreachable(A.txn, SL_TP_TCP, &a,
						  SL_ETRANSPORT), SL_EINVAL);
	ck_assert_int_eq(sl__txn_dest_unreachable(A.txn, SL_TP_UDP, &a, 0),
			 0);
}
END_TEST

START_TEST(udp_peer_gone_times_out)
{
	char buf[MSG_CAP];
	size_t len;
	struct sl_tp_dest dst;
	uint32_t inv = 0, opt = 0;
	int hole;

	/* A peer whose port is open but that never answers (a black hole:
	 * no ICMP either): Timers B and F say it is gone. */
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_UDP;
	hole = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(hole, 0);
	ck_assert_int_eq(sl__addr_set(&dst.addr, "127.0.0.1", 9, 0), 0);
	ck_assert_int_eq(bind(hole, &dst.addr.u.sa, dst.addr.len), 0);
	dst.addr.len = sizeof(dst.addr.u);
	ck_assert_int_eq(getsockname(hole, &dst.addr.u.sa, &dst.addr.len),
			 0);
	len = build_req(&A, &B, SL_TP_UDP, "INVITE", 40, buf, sizeof(buf));
	ck_assert_int_eq(sl__txn_request(A.txn, buf, len, &dst, NULL, &inv),
			 0);
	len = build_req(&A, &B, SL_TP_UDP, "OPTIONS", 41, buf, sizeof(buf));
	ck_assert_int_eq(sl__txn_request(A.txn, buf, len, &dst, NULL, &opt),
			 0);
	advance(64 * T1 - 10, 500);
	ck_assert_int_eq(A.n_timeout, 0);
	advance(20, 10);
	ck_assert_int_eq(A.n_timeout, 2);
	for (int i = 0; i < 2; i++) {
		if (A.timeout_txn[i] == inv)
			ck_assert_int_eq(A.timer[i], 'B');
		else
			ck_assert_int_eq(A.timer[i], 'F');
	}
	ck_assert(terminated(&A, inv));
	ck_assert(terminated(&A, opt));
	ck_assert_int_eq(A.n_tperr, 0);
	ck_assert_int_eq(A.n_unreach, 0);
	expect_idle(&A);
	close(hole);
}
END_TEST

/* ======================================================================
 * many at once, both ways, every transport
 * ====================================================================== */

START_TEST(mixed_traffic_both_ways)
{
	enum { PER = 4 };      /* per transport, direction and method */
	int sent = 0;

	A.answer[0] = 200;
	B.answer[0] = 180;
	B.answer[1] = 200;
	A.ack_2xx = 1;
	B.ack_2xx = 1;
	for (int tp = 0; tp < SL_TP__COUNT; tp++) {
		for (unsigned n = 0; n < PER; n++) {
			/* alice INVITEs bob; bob OPTIONs alice */
			start(&A, &B, (enum sl_tp)tp, "INVITE",
			      100 + (unsigned)tp * PER + n);
			start(&B, &A, (enum sl_tp)tp, "OPTIONS",
			      200 + (unsigned)tp * PER + n);
			sent += 2;
		}
	}
	RUN_UNTIL(B.n_ack == SL_TP__COUNT * PER &&
		  B.n_resp == SL_TP__COUNT * PER);
	ck_assert_int_eq(A.n_req + B.n_req, sent);
	ck_assert_int_eq(B.n_ack, SL_TP__COUNT * PER);
	ck_assert_int_eq(A.n_resp, 2 * SL_TP__COUNT * PER);
	ck_assert_int_eq(B.n_resp, SL_TP__COUNT * PER);
	for (int i = 0; i < B.n_resp; i++)
		ck_assert_int_eq(B.resp_status[i], 200);
	run_out_timers();
	ck_assert_int_eq(A.n_term + B.n_term, 2 * sent);
	ck_assert_int_eq(A.n_timeout + B.n_timeout, 0);
	ck_assert_int_eq(A.n_tperr + B.n_tperr, 0);
	expect_idle(&A);
	expect_idle(&B);
}
END_TEST

Suite *check_txn_net_suite(void);

Suite *check_txn_net_suite(void)
{
	Suite *s = suite_create("txn_net");
	TCase *tc;

	tc = tcase_create("non_invite");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, options_answered_200, 0, N_CASES);
	tcase_add_loop_test(tc, non_invite_provisional_then_final, 0,
			    N_CASES);
	tcase_add_test(tc, udp_retransmissions_absorbed_by_peer);
	suite_add_tcase(s, tc);

	tc = tcase_create("invite");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, invite_180_200_and_ack, 0, N_CASES);
	tcase_add_loop_test(tc, invite_486_acked_by_client_txn, 0, N_CASES);
	tcase_add_loop_test(tc, invite_100_trying_from_layer, 0, N_CASES);
	tcase_add_test(tc, mixed_traffic_both_ways);
	suite_add_tcase(s, tc);

	tc = tcase_create("peer_gone");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tcp_connect_refused_is_transport_error);
	tcase_add_loop_test(tc, stream_peer_gone_is_transport_error, 0, 2);
	tcase_add_test(tc, tls_name_refused_is_transport_error);
	tcase_add_test(tc, udp_peer_gone_times_out);
	tcase_add_test(tc, udp_port_closed_is_transport_error);
	tcase_add_test(tc, dest_unreachable_arguments);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_txn_net_suite)
