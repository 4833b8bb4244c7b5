/*
 * tests/unit/check_txn.c: the transaction layer as a whole (lib/txn):
 * creation and configuration, identifiers, the receive entry point's
 * argument checks, and the loss test: 1,000 transactions between a client
 * layer and a server layer through the fault-injecting network (20% loss,
 * duplicates, reordering) on the virtual clock.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "txn_fault.c"

static void nop_send_cfg(struct sl_txn_config *cfg)
{
	sl__txn_config_init(cfg);
	cfg->io.send = tf_rec_send;
}

/* ---- configuration ---- */

START_TEST(config_defaults)
{
	struct sl_txn_config cfg;

	memset(&cfg, 0xff, sizeof(cfg));
	sl__txn_config_init(&cfg);
	ck_assert_uint_eq(cfg.t1_ms, 500);
	ck_assert_uint_eq(cfg.t2_ms, 4000);
	ck_assert_uint_eq(cfg.t4_ms, 5000);
	ck_assert_uint_eq(cfg.td_ms, 32000);
	ck_assert_uint_eq(cfg.trying_ms, 200);
	ck_assert_uint_eq(cfg.max_client_txns, SL_TXN_POOL_DEFAULT);
	ck_assert_uint_eq(cfg.max_server_txns, SL_TXN_POOL_DEFAULT);
	ck_assert_uint_eq(cfg.msg_buf_size, SL_TXN_MSG_BUF_DEFAULT);
	ck_assert_ptr_null(cfg.io.send);
	ck_assert_ptr_null(cfg.tu.request);
	ck_assert_ptr_null(cfg.check);
	ck_assert_int_eq(cfg.no_check, 0);
	sl__txn_config_init(NULL);
}
END_TEST

START_TEST(create_errors)
{
	struct sl_vclock vc;
	struct sl_loop_config lc = { .clock = &vc.clock };
	struct sl_loop *loop;
	struct sl_txn_layer *l = (struct sl_txn_layer *)&vc;
	struct sl_txn_config cfg;
	struct sl_txn_stats st;

	sl__vclock_init(&vc, 0);
	ck_assert_int_eq(sl__loop_create(&loop, &lc), 0);
	nop_send_cfg(&cfg);
	ck_assert_int_eq(sl__txn_create(NULL, loop, &cfg), SL_EINVAL);
	ck_assert_int_eq(sl__txn_create(&l, NULL, &cfg), SL_EINVAL);
	ck_assert_ptr_null(l);
	ck_assert_int_eq(sl__txn_create(&l, loop, NULL), SL_EINVAL);
	cfg.io.send = NULL;
	ck_assert_int_eq(sl__txn_create(&l, loop, &cfg), SL_EINVAL);
	nop_send_cfg(&cfg);
	cfg.t1_ms = 5000;       /* T2 < T1 */
	ck_assert_int_eq(sl__txn_create(&l, loop, &cfg), SL_EINVAL);
	nop_send_cfg(&cfg);
	cfg.max_client_txns = SL_TXN_POOL_MAX + 1;
	ck_assert_int_eq(sl__txn_create(&l, loop, &cfg), SL_EINVAL);
	nop_send_cfg(&cfg);
	cfg.max_server_txns = SL_TXN_POOL_MAX + 1;
	ck_assert_int_eq(sl__txn_create(&l, loop, &cfg), SL_EINVAL);
	nop_send_cfg(&cfg);
	cfg.msg_buf_size = SL_TXN_MSG_BUF_MIN - 1;
	ck_assert_int_eq(sl__txn_create(&l, loop, &cfg), SL_EINVAL);
	/* Zeroes take the defaults. */
	memset(&cfg, 0, sizeof(cfg));
	cfg.io.send = tf_rec_send;
	ck_assert_int_eq(sl__txn_create(&l, loop, &cfg), 0);
	ck_assert_int_eq(sl__txn_stats(l, &st), 0);
	ck_assert_uint_eq(st.client_cap, SL_TXN_POOL_DEFAULT);
	ck_assert_uint_eq(st.server_cap, SL_TXN_POOL_DEFAULT);
	ck_assert_uint_eq(st.client_used + st.server_used, 0);
	ck_assert_int_eq(sl__txn_stats(NULL, &st), SL_EINVAL);
	ck_assert_int_eq(sl__txn_stats(l, NULL), SL_EINVAL);
	sl__txn_destroy(l);
	/* The largest pools are accepted. */
	cfg.max_client_txns = SL_TXN_POOL_MAX;
	cfg.max_server_txns = SL_TXN_POOL_MAX;
	cfg.msg_buf_size = SL_TXN_MSG_BUF_MIN;
	ck_assert_int_eq(sl__txn_create(&l, loop, &cfg), 0);
	sl__txn_destroy(l);
	sl__txn_destroy(NULL);
	sl__loop_destroy(loop);
}
END_TEST

START_TEST(state_names)
{
	ck_assert_str_eq(sl__txn_state_name(SL_TXN_STATE_CALLING), "Calling");
	ck_assert_str_eq(sl__txn_state_name(SL_TXN_STATE_ACCEPTED),
			 "Accepted");
	ck_assert_str_eq(sl__txn_state_name(SL_TXN_STATE_CONFIRMED),
			 "Confirmed");
	ck_assert_str_eq(sl__txn_state_name(SL_TXN_STATE_TERMINATED),
			 "Terminated");
	ck_assert_str_eq(sl__txn_state_name((enum sl_txn_state)99), "?");
}
END_TEST

/* ---- identifiers ---- */

START_TEST(branches_and_tags)
{
	struct tf_env e;
	char a[64], b[64], small[8];
	int n;

	tf_env_init(&e, NULL);
	n = sl__txn_branch(e.l, a, sizeof(a));
	ck_assert_int_eq(n, 29);
	ck_assert_uint_eq(strlen(a), 29);
	ck_assert_int_eq(strncmp(a, "z9hG4bK", 7), 0);
	ck_assert_int_eq(sl__txn_branch(e.l, b, sizeof(b)), 29);
	ck_assert_str_ne(a, b);
	for (int i = 7; i < 29; i++)
		ck_assert((a[i] >= '0' && a[i] <= '9') ||
			  (a[i] >= 'a' && a[i] <= 'z') ||
			  (a[i] >= 'A' && a[i] <= 'Z'));
	ck_assert_int_eq(sl__txn_branch(e.l, a, 29), SL_ENOSPC);
	ck_assert_int_eq(sl__txn_branch(e.l, a, 30), 29);
	ck_assert_int_eq(sl__txn_branch(NULL, a, 30), SL_EINVAL);
	ck_assert_int_eq(sl__txn_branch(e.l, NULL, 30), SL_EINVAL);
	ck_assert_int_eq(sl__txn_tag(e.l, a, sizeof(a)), 16);
	ck_assert_int_eq(sl__txn_tag(e.l, b, sizeof(b)), 16);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(sl__txn_tag(e.l, small, sizeof(small)), SL_ENOSPC);
	ck_assert_int_eq(sl__txn_tag(NULL, a, sizeof(a)), SL_EINVAL);
	ck_assert_int_eq(sl__txn_tag(e.l, NULL, sizeof(a)), SL_EINVAL);
	ck_assert_uint_eq(tf_env_done(&e), 0);
}
END_TEST

START_TEST(same_seed_same_branches)
{
	struct tf_env e1, e2;
	char a[64], b[64];

	tf_env_init(&e1, NULL);
	tf_env_init(&e2, NULL);
	for (int i = 0; i < 10; i++) {
		sl__txn_branch(e1.l, a, sizeof(a));
		sl__txn_branch(e2.l, b, sizeof(b));
		ck_assert_str_eq(a, b);
	}
	ck_assert_uint_eq(tf_env_done(&e1), 0);
	ck_assert_uint_eq(tf_env_done(&e2), 0);
}
END_TEST

/* ---- receive entry point ---- */

START_TEST(recv_argument_errors)
{
	struct tf_env e;
	struct sl_rxbuf *rx;
	char buf[2048];
	size_t n;

	tf_env_init(&e, NULL);
	n = tf_request(buf, sizeof(buf), &(struct tf_req){ 0 });
	rx = tf_env_rx(&e, buf, n, SL_TP_UDP);
	ck_assert_int_eq(sl__txn_recv(NULL, rx), SL_EINVAL);
	ck_assert_int_eq(sl__txn_recv(e.l, NULL), SL_EINVAL);
	/* A view without a top Via cannot be matched. */
	rx->msg.n_vias = 0;
	ck_assert_int_eq(sl__txn_recv(e.l, rx), SL_EINVAL);
	ck_assert_uint_eq(e.n_ev, 0);
	ck_assert_uint_eq(e.rec.n, 0);
	ck_assert_uint_eq(tf_env_done(&e), 0);
}
END_TEST

/* ---- the loss test ---- */

enum {
	LOSS_CALLS = 1000,
	LOSS_SPACING_MS = 10
};

struct loss_call {
	int invite;
	int want;               /* the final status the server sends */
	int provisional;        /* the server sends one first */
	int late;               /* the server answers after a while */
	uint32_t ctxn, stxn;
	int finals;             /* final responses the client TU got */
	int bad_final;          /* a final with another status */
	int delivered;          /* requests the server TU got */
	int acked;              /* server TU got the ACK for its 2xx */
	int failures;           /* timeouts and transport errors */
	uint32_t retx_ms;
	uint64_t first_2xx_ms;
	struct sl_timer answer_timer;
	struct sl_timer retx_timer;
};

static struct {
	struct sl_vclock vc;
	struct sl_loop *loop;
	struct tf_net net;
	struct sl_txn_layer *cl, *sv;
	struct loss_call calls[LOSS_CALLS];
	unsigned h_timeouts, client_terminated, server_terminated;
	unsigned acks_2xx_seen;
} L;

static struct loss_call *call_of(const struct sl_msg *m)
{
	unsigned i = 0;

	/* Call-ID "loss-<i>@192.0.2.1" */
	ck_assert_uint_gt(m->call_id.len, 5);
	for (size_t k = 5; k < m->call_id.len && m->call_id.p[k] != '@'; k++)
		i = i * 10 + (unsigned)(m->call_id.p[k] - '0');
	ck_assert_uint_lt(i, LOSS_CALLS);
	return &L.calls[i];
}

static unsigned index_of(const struct loss_call *c)
{
	return (unsigned)(c - L.calls);
}

static size_t loss_request(unsigned i, const char *method, const char *branch,
			   const char *to_tag, char *buf, size_t cap)
{
	char call_id[64];
	struct tf_req r = { .method = method, .branch = branch,
			    .to_tag = to_tag, .call_id = call_id };

	snprintf(call_id, sizeof(call_id), "loss-%u@192.0.2.1", i);
	return tf_request(buf, cap, &r);
}

static struct sl_tp_dest loss_dest(void)
{
	struct sl_tp_dest d;

	memset(&d, 0, sizeof(d));
	d.tp = SL_TP_UDP;
	sl__addr_set(&d.addr, "192.0.2.2", 9, 5060);
	return d;
}

/* Client TU. */
static void cl_response(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx)
{
	struct loss_call *c = user;
	int st = rx->msg.status;

	(void)arg;
	ck_assert_uint_eq(txn, c->ctxn);
	if (st < 200)
		return;
	c->finals++;
	if (st != c->want)
		c->bad_final++;
	if (c->invite && st < 300) {
		/* §13.2.2.4: the TU ACKs every 2xx, outside the txn. */
		char buf[2048], branch[64], tag[64];
		struct sl_tp_dest d = loss_dest();
		size_t n;

		sl_slice_copy(rx->msg.to.tag, tag, sizeof(tag));
		sl__txn_branch(L.cl, branch, sizeof(branch));
		n = loss_request(index_of(c), "ACK", branch, tag, buf,
				 sizeof(buf));
		ck_assert_int_eq(sl__txn_send(L.cl, &d, buf, n), 0);
	}
}

static void cl_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	struct loss_call *c = user;

	(void)arg;
	(void)txn;
	(void)timer;
	c->failures++;
}

static void cl_tperr(void *arg, uint32_t txn, void *user, int err)
{
	struct loss_call *c = user;

	(void)arg;
	(void)txn;
	(void)err;
	c->failures++;
}

static void cl_terminated(void *arg, uint32_t txn, void *user)
{
	(void)arg;
	(void)txn;
	(void)user;
	L.client_terminated++;
}

/* Server TU. */
static void sv_answer(struct loss_call *c)
{
	struct sl_txn_response r = { .to_tag = "uas" };

	if (c->provisional) {
		r.status = c->invite ? 180 : 100;
		ck_assert_int_eq(sl__txn_respond(L.sv, c->stxn, &r), 0);
	}
	r.status = c->want;
	ck_assert_int_eq(sl__txn_respond(L.sv, c->stxn, &r), 0);
	if (c->invite && c->want < 300) {
		/* §13.3.1.4: the UAS core retransmits its 2xx. */
		c->retx_ms = 500;
		c->first_2xx_ms = tf_now_ms(&L.vc);
		ck_assert_int_eq(sl__loop_timer_start(L.loop, &c->retx_timer,
						      c->retx_ms), 0);
	}
}

static void answer_fired(struct sl_timer *t, void *arg)
{
	(void)t;
	sv_answer(arg);
}

static void retx_fired(struct sl_timer *t, void *arg)
{
	struct loss_call *c = arg;

	(void)t;
	if (c->acked || tf_now_ms(&L.vc) - c->first_2xx_ms >= 32000)
		return;
	if (sl__txn_retransmit(L.sv, c->stxn) < 0)
		return;
	c->retx_ms = c->retx_ms * 2 < 4000 ? c->retx_ms * 2 : 4000;
	ck_assert_int_eq(sl__loop_timer_start(L.loop, t, c->retx_ms), 0);
}

static void sv_request(void *arg, uint32_t txn, void *user,
		       struct sl_rxbuf *rx, uint32_t target)
{
	struct loss_call *c = call_of(&rx->msg);

	(void)arg;
	(void)user;
	(void)target;
	c->delivered++;
	c->stxn = txn;
	if (c->late) {
		ck_assert_int_eq(sl__loop_timer_start(L.loop, &c->answer_timer,
						      c->invite ? 1000 : 300),
				 0);
		return;
	}
	sv_answer(c);
}

static void sv_ack(void *arg, uint32_t txn, void *user, struct sl_rxbuf *rx)
{
	struct loss_call *c = call_of(&rx->msg);

	(void)arg;
	(void)txn;
	(void)user;
	L.acks_2xx_seen++;
	c->acked = 1;
	sl__loop_timer_stop(L.loop, &c->retx_timer);
}

static void sv_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	(void)arg;
	(void)txn;
	(void)user;
	ck_assert_int_eq(timer, 'H');
	L.h_timeouts++;
}

static void sv_terminated(void *arg, uint32_t txn, void *user)
{
	(void)arg;
	(void)txn;
	(void)user;
	L.server_terminated++;
}

static void start_call(unsigned i)
{
	struct loss_call *c = &L.calls[i];
	struct sl_tp_dest d = loss_dest();
	char buf[2048], branch[64];
	size_t n;

	/* The mix: INVITE 2xx, INVITE non-2xx, non-INVITE; provisional
	 * responses first for half, late answers (100 Trying from the
	 * layer, Trying absorbing retransmissions) for some. */
	c->invite = i % 4 < 2;
	c->want = i % 4 == 0 ? 200 : i % 4 == 1 ? 486 : i % 4 == 2 ? 200 : 202;
	c->provisional = (i / 4) % 2;
	c->late = i % 8 == 5 || i % 8 == 6 || i % 16 == 0;
	sl__timer_init(&c->answer_timer, answer_fired, c);
	sl__timer_init(&c->retx_timer, retx_fired, c);
	sl__txn_branch(L.cl, branch, sizeof(branch));
	n = loss_request(i, c->invite ? "INVITE" : i % 8 < 4 ? "OPTIONS" :
			 "MESSAGE", branch, NULL, buf, sizeof(buf));
	ck_assert_int_eq(sl__txn_request(L.cl, buf, n, &d, c, &c->ctxn), 0);
}

START_TEST(loss_1000_transactions_complete_exactly_once)
{
	struct sl_loop_config lc = { 0 };
	struct tf_net_config nc = {
		.seed = 20240601, .drop_pct = 20, .dup_pct = 5,
		.min_delay_ms = 0, .max_delay_ms = 300,
		.max_in_flight = 16384,
	};
	struct sl_txn_config cfg;
	struct sl_txn_stats cs, ss;
	unsigned next = 0, steps = 0;

	memset(&L, 0, sizeof(L));
	sl__vclock_init(&L.vc, 0);
	lc.clock = &L.vc.clock;
	lc.max_timers = 65536;
	ck_assert_int_eq(sl__loop_create(&L.loop, &lc), 0);
	ck_assert_int_eq(tf_net_init(&L.net, L.loop, &nc), 0);

	sl__txn_config_init(&cfg);
	cfg.seed = 7;
	cfg.max_client_txns = 1024;
	cfg.max_server_txns = 1;
	cfg.io.send = tf_net_send;
	cfg.io.arg = &L.net.side[0];
	cfg.tu.response = cl_response;
	cfg.tu.timeout = cl_timeout;
	cfg.tu.transport_error = cl_tperr;
	cfg.tu.terminated = cl_terminated;
	ck_assert_int_eq(sl__txn_create(&L.cl, L.loop, &cfg), 0);

	sl__txn_config_init(&cfg);
	cfg.seed = 8;
	cfg.max_client_txns = 1;
	cfg.max_server_txns = 1024;
	cfg.io.send = tf_net_send;
	cfg.io.arg = &L.net.side[1];
	cfg.tu.request = sv_request;
	cfg.tu.ack = sv_ack;
	cfg.tu.timeout = sv_timeout;
	cfg.tu.terminated = sv_terminated;
	ck_assert_int_eq(sl__txn_create(&L.sv, L.loop, &cfg), 0);
	L.net.layer[0] = L.cl;
	L.net.layer[1] = L.sv;

	/* Start a call every 10 ms; otherwise jump from deadline to
	 * deadline until nothing is armed. */
	for (; steps < 2000000; steps++) {
		uint64_t now = L.vc.now_us, to;
		int wait;

		while (next < LOSS_CALLS &&
		       (uint64_t)next * LOSS_SPACING_MS * 1000u <= now)
			start_call(next++);
		wait = sl__loop_timeout_ms(L.loop);
		if (wait < 0 && next == LOSS_CALLS)
			break;
		to = wait < 0 ? UINT64_MAX : now + (uint64_t)wait * 1000u;
		if (next < LOSS_CALLS &&
		    (uint64_t)next * LOSS_SPACING_MS * 1000u < to)
			to = (uint64_t)next * LOSS_SPACING_MS * 1000u;
		if (to > now)
			sl__vclock_advance(&L.vc, to - now);
		sl__loop_step(L.loop, 0);
	}
	ck_assert_uint_lt(steps, 2000000);
	ck_assert_uint_eq(next, LOSS_CALLS);

	/* The network did its worst. */
	ck_assert_uint_gt(L.net.stats.dropped, L.net.stats.sent / 10);
	ck_assert_uint_gt(L.net.stats.duplicated, 0);
	ck_assert_uint_eq(L.net.stats.pool_full, 0);
	ck_assert_uint_eq(L.net.stats.unparsable, 0);

	for (unsigned i = 0; i < LOSS_CALLS; i++) {
		struct loss_call *c = &L.calls[i];

		ck_assert_msg(c->delivered == 1, "call %u delivered %d times",
			      i, c->delivered);
		ck_assert_msg(c->finals >= 1, "call %u got no final", i);
		ck_assert_msg(c->invite && c->want < 300 ? 1 : c->finals == 1,
			      "call %u: %d finals", i, c->finals);
		ck_assert_msg(c->bad_final == 0, "call %u: wrong final", i);
		ck_assert_msg(c->failures == 0, "call %u failed", i);
	}
	ck_assert_uint_eq(L.client_terminated, LOSS_CALLS);
	ck_assert_uint_eq(L.server_terminated, LOSS_CALLS);
	ck_assert_uint_eq(L.h_timeouts, 0);

	/* Every slot and every receive buffer came back. */
	ck_assert_int_eq(sl__txn_stats(L.cl, &cs), 0);
	ck_assert_int_eq(sl__txn_stats(L.sv, &ss), 0);
	ck_assert_uint_eq(cs.client_used, 0);
	ck_assert_uint_eq(ss.server_used, 0);
	ck_assert_uint_gt(ss.server_high, 100);
	tf_rx_gc(&L.net.rx);
	ck_assert_uint_eq(L.net.rx.n, 0);

	sl__txn_destroy(L.cl);
	sl__txn_destroy(L.sv);
	ck_assert_uint_eq(tf_net_free(&L.net), 0);
	sl__loop_destroy(L.loop);
}
END_TEST

static Suite *check_txn_suite(void)
{
	Suite *s = suite_create("txn");
	TCase *api = tcase_create("layer");
	TCase *loss = tcase_create("loss");

	tcase_add_test(api, config_defaults);
	tcase_add_test(api, create_errors);
	tcase_add_test(api, state_names);
	tcase_add_test(api, branches_and_tags);
	tcase_add_test(api, same_seed_same_branches);
	tcase_add_test(api, recv_argument_errors);
	suite_add_tcase(s, api);

	tcase_set_timeout(loss, 60);
	tcase_add_test(loss, loss_1000_transactions_complete_exactly_once);
	suite_add_tcase(s, loss);
	return s;
}

SL_CHECK_MAIN(check_txn_suite)
