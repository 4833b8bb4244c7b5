/*
 * tests/unit/check_txn_client.c: client transactions (lib/txn/client.c;
 * RFC 3261 §17.1, RFC 6026 §8.4) on the virtual clock against the
 * recording transport: every state, every timer, the exact retransmission
 * schedules, the ACK for non-2xx responses, CANCEL building, and every
 * error return of the client API.
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "txn_fault.c"

static struct tf_env E;

static void setup(void)
{
	tf_env_init(&E, NULL);
}

static void teardown(void)
{
	ck_assert_uint_eq(tf_env_done(&E), 0);
}

/* Restarts the fixture with another configuration. */
static void reinit(const struct sl_txn_config *cfg)
{
	ck_assert_uint_eq(tf_env_done(&E), 0);
	tf_env_init(&E, cfg);
}

static struct sl_tp_dest dest(enum sl_tp tp)
{
	struct sl_tp_dest d;

	memset(&d, 0, sizeof(d));
	d.tp = tp;
	ck_assert_int_eq(sl__addr_set(&d.addr, "192.0.2.2", 9, 5060), 0);
	return d;
}

static char req_buf[4096];
static size_t req_len;

/* Sends a request through the layer; its text stays in req_buf. */
static uint32_t start(const char *method, enum sl_tp tp, const char *branch)
{
	struct tf_req r = { .method = method, .branch = branch,
			    .transport = sl__tp_name(tp),
			    .extra = "Route: <sip:proxy.example.com;lr>\r\n" };
	struct sl_tp_dest d = dest(tp);
	uint32_t id = 0;

	req_len = tf_request(req_buf, sizeof(req_buf), &r);
	ck_assert_int_eq(sl__txn_request(E.l, req_buf, req_len, &d, &E,
					 &id), 0);
	ck_assert_uint_ne(id, 0);
	return id;
}

/* Feeds a response to the request in req_buf. */
static int answer(int status, const char *to_tag)
{
	char buf[4096];
	size_t n = tf_response(buf, sizeof(buf), req_buf, req_len, status,
			       to_tag);

	return tf_env_feed(&E, buf, n, SL_TP_UDP);
}

static enum sl_txn_state state_of(uint32_t id)
{
	struct sl_txn_info info;

	if (sl__txn_info(E.l, id, &info) != 0)
		return SL_TXN_STATE_TERMINATED;
	return info.state;
}

static void expect_times(const uint64_t *want, unsigned n)
{
	for (unsigned i = 0; i < n && i < E.rec.n; i++)
		ck_assert_msg(E.rec.v[i].at_ms == want[i],
			      "send %u at %llu ms, want %llu", i,
			      (unsigned long long)E.rec.v[i].at_ms,
			      (unsigned long long)want[i]);
	ck_assert_uint_eq(E.rec.n, n);
}

static void expect_pool_empty(void)
{
	struct sl_txn_stats st;

	ck_assert_int_eq(sl__txn_stats(E.l, &st), 0);
	ck_assert_uint_eq(st.client_used, 0);
	ck_assert_uint_eq(st.server_used, 0);
}

/* ---- INVITE client ---- */

START_TEST(invite_udp_timer_a_schedule_then_timer_b)
{
	/* §17.1.1.2: A = T1, doubling with no cap; B = 64*T1. */
	static const uint64_t want[] = { 0, 500, 1500, 3500, 7500, 15500,
					 31500 };
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);
	const struct tf_ev *ev;

	ck_assert_int_eq(state_of(id), SL_TXN_STATE_CALLING);
	tf_run_until(E.loop, &E.vc, 31999);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
	tf_run_until(E.loop, &E.vc, 40000);
	expect_times(want, 7);
	for (unsigned i = 0; i < E.rec.n; i++) {
		ck_assert_uint_eq(E.rec.v[i].len, req_len);
		ck_assert_mem_eq(E.rec.v[i].buf, req_buf, req_len);
		ck_assert_int_eq(E.rec.v[i].dst.tp, SL_TP_UDP);
	}
	ev = tf_env_last(&E, TF_EV_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->timer, 'B');
	ck_assert_uint_eq(ev->at_ms, 32000);
	ck_assert_uint_eq(ev->txn, id);
	ck_assert_ptr_eq(ev->user, &E);
	ev = tf_env_last(&E, TF_EV_TERMINATED);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->at_ms, 32000);
	ck_assert_ptr_eq(ev, &E.ev[E.n_ev - 1]);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	expect_pool_empty();
}
END_TEST

START_TEST(invite_t1_100ms_changes_the_schedule)
{
	static const uint64_t want[] = { 0, 100, 300, 700, 1500, 3100, 6300 };
	struct sl_txn_config cfg;

	sl__txn_config_init(&cfg);
	cfg.t1_ms = 100;
	reinit(&cfg);
	start("INVITE", SL_TP_UDP, NULL);
	tf_run_until(E.loop, &E.vc, 10000);
	expect_times(want, 7);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TIMEOUT)->at_ms, 6400);
}
END_TEST

START_TEST(invite_tcp_no_retransmission_timer_b_still_runs)
{
	static const uint64_t want[] = { 0 };

	start("INVITE", SL_TP_TCP, NULL);
	tf_run_until(E.loop, &E.vc, 40000);
	expect_times(want, 1);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TIMEOUT)->at_ms, 32000);
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TIMEOUT)->timer, 'B');
}
END_TEST

START_TEST(invite_provisional_stops_timers_a_and_b)
{
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);

	tf_run_until(E.loop, &E.vc, 600);       /* sent at 0 and 500 */
	ck_assert_int_eq(answer(180, "t1"), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_PROCEEDING);
	ck_assert_int_eq(answer(183, "t1"), SL_TXN_RX_MATCHED);
	/* Proceeding lasts as long as the server likes: no Timer B. */
	tf_run_until(E.loop, &E.vc, 200000);
	ck_assert_uint_eq(E.rec.n, 2);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_RESPONSE), 2);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_PROCEEDING);
	ck_assert_int_eq(answer(486, "t1"), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	ck_assert_uint_eq(E.rec.n, 3);
	ck_assert(tf_sent_is(&E.rec, 2, "ACK "));
}
END_TEST

START_TEST(invite_non2xx_ack_is_built_per_17_1_1_3)
{
	struct sl_msg m;
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);

	tf_run_until(E.loop, &E.vc, 50);
	ck_assert_int_eq(answer(486, "callee"), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 2);
	ck_assert_uint_eq(E.rec.v[1].at_ms, 50);
	ck_assert_int_eq(tf_parse(E.rec.v[1].buf, E.rec.v[1].len, &m), 0);
	ck_assert_int_eq(m.method, SL_METHOD_ACK);
	ck_assert(sl_slice_eq(m.ruri_text, "sip:bob@192.0.2.2"));
	ck_assert_uint_eq(m.n_vias, 1);
	ck_assert(sl_slice_eq(m.vias[0].branch, "z9hG4bKtest1"));
	ck_assert(sl_slice_eq(m.to.tag, "callee"));
	ck_assert(sl_slice_eq(m.from.tag, "ftag1"));
	ck_assert(sl_slice_eq(m.call_id, "call-1@192.0.2.1"));
	ck_assert_uint_eq(m.cseq.seq, 1);
	ck_assert(sl_slice_eq(m.cseq.method, "ACK"));
	ck_assert_str_eq(tf_hdr(&m, "Route"), "<sip:proxy.example.com;lr>");
	ck_assert_int_eq(m.max_forwards, 70);
	ck_assert_int_eq(m.content_length, 0);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_RESPONSE)->status, 486);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
}
END_TEST

START_TEST(invite_completed_resends_ack_until_timer_d)
{
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);
	char ack[4096];

	tf_run_until(E.loop, &E.vc, 50);
	answer(486, "callee");
	memcpy(ack, E.rec.v[1].buf, E.rec.v[1].len);
	tf_run_until(E.loop, &E.vc, 1000);
	/* A retransmitted final response: the same ACK, nothing to TU. */
	ck_assert_int_eq(answer(486, "callee"), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(answer(180, "callee"), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(answer(200, "callee"), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 3);
	ck_assert_uint_eq(E.rec.v[2].at_ms, 1000);
	ck_assert_mem_eq(E.rec.v[2].buf, ack, E.rec.v[1].len);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_RESPONSE), 1);
	/* Timer D: 32 s over UDP; no INVITE retransmission in between. */
	tf_run_until(E.loop, &E.vc, 32049);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 32050);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TERMINATED)->at_ms, 32050);
	ck_assert_uint_eq(E.rec.n, 3);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
	expect_pool_empty();
}
END_TEST

START_TEST(invite_timer_d_configurable)
{
	struct sl_txn_config cfg;
	uint32_t id;

	sl__txn_config_init(&cfg);
	cfg.td_ms = 40000;
	reinit(&cfg);
	id = start("INVITE", SL_TP_UDP, NULL);
	answer(404, "x");
	tf_run_until(E.loop, &E.vc, 39999);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 40000);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(invite_tcp_timer_d_is_zero)
{
	uint32_t id = start("INVITE", SL_TP_TCP, NULL);

	ck_assert_int_eq(answer(603, "x"), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 2);
	ck_assert(tf_sent_is(&E.rec, 1, "ACK "));
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	/* The response reaches the TU before the transaction ends. */
	ck_assert_uint_eq(E.n_ev, 2);
	ck_assert_int_eq(E.ev[0].type, TF_EV_RESPONSE);
	ck_assert_int_eq(E.ev[1].type, TF_EV_TERMINATED);
	ck_assert_uint_eq(E.ev[1].at_ms, 0);
	expect_pool_empty();
}
END_TEST

START_TEST(invite_2xx_accepted_passes_2xx_until_timer_m)
{
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);

	tf_run_until(E.loop, &E.vc, 50);
	ck_assert_int_eq(answer(200, "a"), SL_TXN_RX_MATCHED);
	/* RFC 6026 §8.4: Accepted; the TU sends the ACK for a 2xx. */
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	ck_assert_uint_eq(E.rec.n, 1);
	tf_run_until(E.loop, &E.vc, 5000);
	ck_assert_int_eq(answer(200, "a"), SL_TXN_RX_MATCHED);  /* retx */
	ck_assert_int_eq(answer(200, "b"), SL_TXN_RX_MATCHED);  /* fork */
	ck_assert_int_eq(answer(180, "c"), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(answer(486, "c"), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_RESPONSE), 3);
	ck_assert_uint_eq(E.rec.n, 1);
	tf_run_until(E.loop, &E.vc, 32049);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	tf_run_until(E.loop, &E.vc, 32050);      /* Timer M = 64*T1 */
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
	/* Afterwards a 2xx is stray (RFC 6026 §7.1). */
	ck_assert_int_eq(answer(200, "a"), SL_TXN_RX_STRAY);
	expect_pool_empty();
}
END_TEST

START_TEST(invite_2xx_after_provisional)
{
	uint32_t id = start("INVITE", SL_TP_TCP, NULL);

	answer(180, "a");
	answer(200, "a");
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	/* Timer M runs over TCP too. */
	tf_run_until(E.loop, &E.vc, 32000);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

/* ---- non-INVITE client ---- */

START_TEST(non_invite_udp_timer_e_capped_at_t2_then_timer_f)
{
	/* §17.1.2.2: E doubles from T1 up to T2 = 4 s; F = 64*T1. */
	static const uint64_t want[] = { 0, 500, 1500, 3500, 7500, 11500,
					 15500, 19500, 23500, 27500, 31500 };
	uint32_t id = start("OPTIONS", SL_TP_UDP, NULL);
	const struct tf_ev *ev;

	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TRYING);
	tf_run_until(E.loop, &E.vc, 40000);
	expect_times(want, 11);
	ev = tf_env_last(&E, TF_EV_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->timer, 'F');
	ck_assert_uint_eq(ev->at_ms, 32000);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TERMINATED)->at_ms, 32000);
	expect_pool_empty();
}
END_TEST

START_TEST(non_invite_t1_t2_configurable)
{
	/* T1 = 100, T2 = 400: 0, 100, 300, 700, then every 400 ms. */
	static const uint64_t want[] = { 0, 100, 300, 700, 1100, 1500, 1900,
					 2300, 2700, 3100, 3500, 3900, 4300,
					 4700, 5100, 5500, 5900, 6300 };
	struct sl_txn_config cfg;

	sl__txn_config_init(&cfg);
	cfg.t1_ms = 100;
	cfg.t2_ms = 400;
	reinit(&cfg);
	start("REGISTER", SL_TP_UDP, NULL);
	tf_run_until(E.loop, &E.vc, 7000);
	expect_times(want, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TIMEOUT)->at_ms, 6400);
}
END_TEST

START_TEST(non_invite_proceeding_retransmits_every_t2)
{
	static const uint64_t want[] = { 0, 500, 4500, 8500, 12500, 16500,
					 20500, 24500, 28500 };
	uint32_t id = start("OPTIONS", SL_TP_UDP, NULL);

	tf_run_until(E.loop, &E.vc, 200);
	ck_assert_int_eq(answer(100, NULL), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_PROCEEDING);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_RESPONSE)->status, 100);
	tf_run_until(E.loop, &E.vc, 40000);
	expect_times(want, 9);
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TIMEOUT)->timer, 'F');
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TIMEOUT)->at_ms, 32000);
}
END_TEST

START_TEST(non_invite_tcp_no_retransmission)
{
	static const uint64_t want[] = { 0 };

	start("OPTIONS", SL_TP_TLS, NULL);
	tf_run_until(E.loop, &E.vc, 40000);
	expect_times(want, 1);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TIMEOUT)->at_ms, 32000);
}
END_TEST

START_TEST(non_invite_final_then_timer_k)
{
	uint32_t id = start("BYE", SL_TP_UDP, NULL);

	tf_run_until(E.loop, &E.vc, 700);       /* sent at 0, 500 */
	ck_assert_int_eq(answer(180, NULL), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(answer(200, "x"), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	/* Completed absorbs retransmitted responses; no retransmission. */
	ck_assert_int_eq(answer(200, "x"), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(answer(180, NULL), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_RESPONSE), 2);
	tf_run_until(E.loop, &E.vc, 5699);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 5700);       /* Timer K = T4 */
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(E.rec.n, 2);
	expect_pool_empty();
}
END_TEST

START_TEST(non_invite_timer_k_follows_t4)
{
	struct sl_txn_config cfg;
	uint32_t id;

	sl__txn_config_init(&cfg);
	cfg.t4_ms = 1234;
	reinit(&cfg);
	id = start("MESSAGE", SL_TP_UDP, NULL);
	answer(202, "x");
	tf_run_until(E.loop, &E.vc, 1233);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 1234);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(non_invite_tcp_timer_k_is_zero)
{
	uint32_t id = start("INFO", SL_TP_TCP, NULL);

	answer(200, "x");
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_int_eq(E.ev[0].type, TF_EV_RESPONSE);
	ck_assert_int_eq(E.ev[1].type, TF_EV_TERMINATED);
}
END_TEST

/* ---- matching (§17.1.3) ---- */

START_TEST(responses_match_by_branch_and_cseq_method)
{
	char other[4096], buf[4096];
	struct tf_req r = { .method = "INVITE", .branch = "z9hG4bKother" };
	struct tf_req c = { .method = "CANCEL" };
	struct sl_txn_stats st;
	size_t n, len;
	uint32_t id = start("INVITE", SL_TP_UDP, NULL), got = 0;

	/* Another branch: stray. */
	len = tf_request(other, sizeof(other), &r);
	n = tf_response(buf, sizeof(buf), other, len, 180, "x");
	ck_assert_int_eq(tf_env_feed(&E, buf, n, SL_TP_UDP), SL_TXN_RX_STRAY);
	/* Same branch, CSeq method CANCEL: not the INVITE's. */
	len = tf_request(other, sizeof(other), &c);
	n = tf_response(buf, sizeof(buf), other, len, 200, "x");
	ck_assert_int_eq(tf_env_feed(&E, buf, n, SL_TP_UDP), SL_TXN_RX_STRAY);
	ck_assert_int_eq(sl__txn_stats(E.l, &st), 0);
	ck_assert_uint_eq(st.stray, 2);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_RESPONSE), 0);
	/* sl__txn_match finds the right one without feeding it. */
	n = tf_response(buf, sizeof(buf), req_buf, req_len, 180, "x");
	ck_assert_int_eq(sl__txn_match(E.l, tf_env_rx(&E, buf, n, SL_TP_UDP),
				       &got), 0);
	ck_assert_uint_eq(got, id);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_CALLING);
}
END_TEST

/* ---- CANCEL (§9.1) ---- */

START_TEST(cancel_built_from_invite_has_own_txn)
{
	char cancel[4096];
	struct sl_txn_info info;
	struct sl_msg m;
	char invite[4096];
	size_t invite_len = req_len;
	uint32_t inv = start("INVITE", SL_TP_UDP, NULL), cid = 0;
	int n;

	memcpy(invite, req_buf, req_len);
	invite_len = req_len;
	/* §9.1: not before a provisional response. */
	ck_assert_int_eq(sl__txn_build_cancel(E.l, inv, cancel,
					      sizeof(cancel)), SL_ESTATE);
	answer(180, "callee");
	n = sl__txn_build_cancel(E.l, inv, cancel, sizeof(cancel));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(tf_parse(cancel, (size_t)n, &m), 0);
	ck_assert_int_eq(m.method, SL_METHOD_CANCEL);
	ck_assert(sl_slice_eq(m.ruri_text, "sip:bob@192.0.2.2"));
	ck_assert_uint_eq(m.n_vias, 1);
	ck_assert(sl_slice_eq(m.vias[0].branch, "z9hG4bKtest1"));
	ck_assert_uint_eq(m.to.tag.len, 0);
	ck_assert(sl_slice_eq(m.from.tag, "ftag1"));
	ck_assert(sl_slice_eq(m.cseq.method, "CANCEL"));
	ck_assert_uint_eq(m.cseq.seq, 1);
	ck_assert_str_eq(tf_hdr(&m, "Route"), "<sip:proxy.example.com;lr>");
	ck_assert_int_eq(sl__txn_info(E.l, inv, &info), 0);
	ck_assert_int_eq(sl__txn_request(E.l, cancel, (size_t)n, &info.dst,
					 NULL, &cid), 0);
	ck_assert_uint_ne(cid, inv);
	/* 200 to the CANCEL and 487 to the INVITE each find their own. */
	memcpy(req_buf, cancel, (size_t)n);
	req_len = (size_t)n;
	answer(200, "callee");
	ck_assert_int_eq(state_of(cid), SL_TXN_STATE_COMPLETED);
	ck_assert_int_eq(state_of(inv), SL_TXN_STATE_PROCEEDING);
	memcpy(req_buf, invite, invite_len);
	req_len = invite_len;
	answer(487, "callee");
	ck_assert_int_eq(state_of(inv), SL_TXN_STATE_COMPLETED);
	/* And no CANCEL once the INVITE is completed. */
	ck_assert_int_eq(sl__txn_build_cancel(E.l, inv, cancel,
					      sizeof(cancel)), SL_ESTATE);
}
END_TEST

START_TEST(build_cancel_errors)
{
	char out[64];
	uint32_t opt = start("OPTIONS", SL_TP_UDP, "z9hG4bKopt");
	uint32_t inv = start("INVITE", SL_TP_UDP, NULL);

	answer(180, "x");
	ck_assert_int_eq(sl__txn_build_cancel(NULL, inv, out, sizeof(out)),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_build_cancel(E.l, inv, NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl__txn_build_cancel(E.l, 0, out, sizeof(out)),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_build_cancel(E.l, inv + 0x10000, out,
					      sizeof(out)), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_build_cancel(E.l, opt, out, sizeof(out)),
			 SL_ESTATE);
	ck_assert_int_eq(sl__txn_build_cancel(E.l, inv, out, sizeof(out)),
			 SL_ENOSPC);
}
END_TEST

/* ---- errors and failures ---- */

START_TEST(request_argument_errors)
{
	struct sl_tp_dest d = dest(SL_TP_UDP);
	struct tf_req ack = { .method = "ACK" };
	struct tf_req nocookie = { .method = "OPTIONS", .branch = "abc" };
	struct tf_req nobranch = { .method = "OPTIONS", .branch = "" };
	struct tf_req badcseq = { .method = "OPTIONS", .cseq_method = "INFO" };
	char longbr[SL_TXN_BRANCH_MAX + 8];
	struct tf_req toolong = { .method = "OPTIONS", .branch = longbr };
	char buf[4096];
	uint32_t id = 0;
	size_t n;

	n = tf_request(buf, sizeof(buf), &(struct tf_req){ .method = "BYE" });
	ck_assert_int_eq(sl__txn_request(NULL, buf, n, &d, NULL, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_request(E.l, NULL, n, &d, NULL, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_request(E.l, buf, 0, &d, NULL, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, NULL, NULL, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_request(E.l, buf, E.cfg.msg_buf_size + 1,
					 &d, NULL, &id), SL_ETOOBIG);
	ck_assert_int_eq(sl__txn_request(E.l, "garbage\r\n\r\n", 11, &d, NULL,
					 &id), SL_EINVAL);
	n = tf_response(buf, sizeof(buf), req_buf,
			tf_request(req_buf, sizeof(req_buf),
				   &(struct tf_req){ 0 }), 200, "x");
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, &id),
			 SL_EINVAL);
	n = tf_request(buf, sizeof(buf), &ack);
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, &id),
			 SL_EINVAL);
	n = tf_request(buf, sizeof(buf), &nocookie);
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, &id),
			 SL_EINVAL);
	n = tf_request(buf, sizeof(buf), &nobranch);
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, &id),
			 SL_EINVAL);
	n = tf_request(buf, sizeof(buf), &badcseq);
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, &id),
			 SL_EINVAL);
	memcpy(longbr, "z9hG4bK", 7);
	memset(longbr + 7, 'x', sizeof(longbr) - 8);
	longbr[sizeof(longbr) - 1] = '\0';
	n = tf_request(buf, sizeof(buf), &toolong);
	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, &id),
			 SL_EINVAL);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(E.rec.n, 0);
	ck_assert_uint_eq(E.n_ev, 0);
	expect_pool_empty();
}
END_TEST

START_TEST(same_branch_and_method_twice_is_eexist)
{
	struct sl_tp_dest d = dest(SL_TP_UDP);
	uint32_t id = 0;

	start("OPTIONS", SL_TP_UDP, NULL);
	ck_assert_int_eq(sl__txn_request(E.l, req_buf, req_len, &d, NULL,
					 &id), SL_EEXIST);
	ck_assert_uint_eq(id, 0);
}
END_TEST

START_TEST(client_pool_exhaustion_is_enomem)
{
	struct sl_txn_config cfg;
	struct sl_tp_dest d = dest(SL_TP_UDP);
	struct sl_txn_stats st;
	uint32_t id = 0;

	sl__txn_config_init(&cfg);
	cfg.max_client_txns = 2;
	reinit(&cfg);
	start("OPTIONS", SL_TP_UDP, "z9hG4bKa");
	start("OPTIONS", SL_TP_UDP, "z9hG4bKb");
	req_len = tf_request(req_buf, sizeof(req_buf),
			     &(struct tf_req){ .method = "OPTIONS",
					       .branch = "z9hG4bKc" });
	ck_assert_int_eq(sl__txn_request(E.l, req_buf, req_len, &d, NULL,
					 &id), SL_ENOMEM);
	ck_assert_int_eq(sl__txn_stats(E.l, &st), 0);
	ck_assert_uint_eq(st.client_used, 2);
	ck_assert_uint_eq(st.client_high, 2);
	ck_assert_uint_eq(st.client_cap, 2);
	/* Slots come back when transactions end. */
	tf_run_until(E.loop, &E.vc, 32000);
	ck_assert_int_eq(sl__txn_request(E.l, req_buf, req_len, &d, NULL,
					 &id), 0);
}
END_TEST

START_TEST(timer_heap_exhaustion_is_enomem)
{
	struct sl_loop_config lc = { 0 };
	struct sl_loop *small;
	struct sl_txn_layer *l;
	struct sl_tp_dest d = dest(SL_TP_UDP);
	uint32_t id = 0;

	lc.clock = &E.vc.clock;
	lc.max_timers = 1;
	ck_assert_int_eq(sl__loop_create(&small, &lc), 0);
	ck_assert_int_eq(sl__txn_create(&l, small, &E.cfg), 0);
	req_len = tf_request(req_buf, sizeof(req_buf),
			     &(struct tf_req){ .method = "OPTIONS" });
	/* UDP needs Timers E and F: the second does not fit. */
	ck_assert_int_eq(sl__txn_request(l, req_buf, req_len, &d, NULL, &id),
			 SL_ENOMEM);
	/* TCP needs only F. */
	d.tp = SL_TP_TCP;
	ck_assert_int_eq(sl__txn_request(l, req_buf, req_len, &d, NULL, &id),
			 0);
	sl__txn_destroy(l);
	sl__loop_destroy(small);
}
END_TEST

START_TEST(first_send_failure_is_returned_only)
{
	struct sl_tp_dest d = dest(SL_TP_UDP);
	uint32_t id = 0;

	req_len = tf_request(req_buf, sizeof(req_buf),
			     &(struct tf_req){ .method = "OPTIONS" });
	E.rec.fail_next = SL_ETRANSPORT;
	ck_assert_int_eq(sl__txn_request(E.l, req_buf, req_len, &d, NULL,
					 &id), SL_ETRANSPORT);
	ck_assert_uint_eq(id, 0);
	ck_assert_uint_eq(E.n_ev, 0);
	expect_pool_empty();
	tf_run_until(E.loop, &E.vc, 40000);
	ck_assert_uint_eq(E.n_ev, 0);
}
END_TEST

START_TEST(retransmission_failure_is_a_transport_error)
{
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);
	const struct tf_ev *ev;

	E.rec.fail_next = SL_ETRANSPORT;
	tf_run_until(E.loop, &E.vc, 600);
	ev = tf_env_last(&E, TF_EV_TPERR);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->err, SL_ETRANSPORT);
	ck_assert_uint_eq(ev->at_ms, 500);
	ck_assert_uint_eq(ev->txn, id);
	ck_assert_int_eq(E.ev[E.n_ev - 1].type, TF_EV_TERMINATED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	tf_run_until(E.loop, &E.vc, 40000);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
	expect_pool_empty();
}
END_TEST

START_TEST(non_invite_retransmission_failure)
{
	uint32_t id = start("OPTIONS", SL_TP_UDP, NULL);

	answer(100, NULL);
	E.rec.fail_all = SL_ETRANSPORT;
	tf_run_until(E.loop, &E.vc, 600);
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TPERR)->err, SL_ETRANSPORT);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(ack_send_failure_is_a_transport_error)
{
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);

	E.rec.fail_next = SL_ETRANSPORT;
	answer(500, "x");
	/* The TU gets the response, then the failure, then the end. */
	ck_assert_uint_eq(E.n_ev, 3);
	ck_assert_int_eq(E.ev[0].type, TF_EV_RESPONSE);
	ck_assert_int_eq(E.ev[1].type, TF_EV_TPERR);
	ck_assert_int_eq(E.ev[2].type, TF_EV_TERMINATED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(ack_resend_failure_is_a_transport_error)
{
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);

	answer(500, "x");
	E.rec.fail_next = SL_ETRANSPORT;
	answer(500, "x");
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TPERR)->err, SL_ETRANSPORT);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(flow_closed_ends_transactions_on_that_flow)
{
	uint32_t a, b, c;

	E.rec.flow = 9;
	a = start("INVITE", SL_TP_TCP, "z9hG4bKa");
	b = start("OPTIONS", SL_TP_TCP, "z9hG4bKb");
	E.rec.flow = 0;
	c = start("OPTIONS", SL_TP_UDP, "z9hG4bKc");
	ck_assert_int_eq(sl__txn_flow_closed(NULL, 9, SL_ETRANSPORT),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_flow_closed(E.l, 0, SL_ETRANSPORT),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_flow_closed(E.l, 8, SL_ETRANSPORT), 0);
	ck_assert_int_eq(sl__txn_flow_closed(E.l, 9, SL_ETIMEOUT), 2);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TPERR), 2);
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TPERR)->err, SL_ETIMEOUT);
	ck_assert_int_eq(state_of(a), SL_TXN_STATE_TERMINATED);
	ck_assert_int_eq(state_of(b), SL_TXN_STATE_TERMINATED);
	ck_assert_int_eq(state_of(c), SL_TXN_STATE_TRYING);
}
END_TEST

/* ---- ids, info, abort ---- */

START_TEST(info_user_and_abort)
{
	struct sl_txn_info info;
	uint32_t id = start("INVITE", SL_TP_UDP, NULL);
	int mark;

	ck_assert_int_eq(sl__txn_info(NULL, id, &info), SL_EINVAL);
	ck_assert_int_eq(sl__txn_info(E.l, id, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__txn_info(E.l, 0, &info), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_info(E.l, 0xffffffffu, &info),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_info(E.l, id, &info), 0);
	ck_assert_int_eq(info.kind, SL_TXN_CLIENT_INVITE);
	ck_assert_int_eq(info.state, SL_TXN_STATE_CALLING);
	ck_assert_int_eq(info.method, SL_METHOD_INVITE);
	ck_assert_int_eq(info.reliable, 0);
	ck_assert_ptr_eq(info.user, &E);
	ck_assert_ptr_null(info.request);
	ck_assert_int_eq(info.dst.tp, SL_TP_UDP);
	ck_assert_int_eq(sl__txn_set_user(NULL, id, &mark), SL_EINVAL);
	ck_assert_int_eq(sl__txn_set_user(E.l, id + 1, &mark), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_set_user(E.l, id, &mark), 0);
	answer(180, "x");
	ck_assert_ptr_eq(tf_env_last(&E, TF_EV_RESPONSE)->user, &mark);
	ck_assert_int_eq(sl__txn_info(E.l, id, &info), 0);
	ck_assert_int_eq(info.last_status, 180);
	ck_assert_int_eq(sl__txn_abort(NULL, id), SL_EINVAL);
	ck_assert_int_eq(sl__txn_abort(E.l, 12345), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_abort(E.l, id), 0);
	ck_assert_int_eq(sl__txn_abort(E.l, id), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_info(E.l, id, &info), SL_ENOTFOUND);
	/* No callback for an aborted transaction, ever. */
	tf_run_until(E.loop, &E.vc, 100000);
	ck_assert_uint_eq(E.n_ev, 1);
	ck_assert_int_eq(answer(200, "x"), SL_TXN_RX_STRAY);
	expect_pool_empty();
}
END_TEST

START_TEST(ids_are_not_reused)
{
	struct sl_txn_config cfg;
	uint32_t ids[50];

	sl__txn_config_init(&cfg);
	cfg.max_client_txns = 1;
	reinit(&cfg);
	for (unsigned i = 0; i < 50; i++) {
		ids[i] = start("OPTIONS", SL_TP_UDP, NULL);
		for (unsigned j = 0; j < i; j++)
			ck_assert_uint_ne(ids[i], ids[j]);
		ck_assert_int_eq(sl__txn_abort(E.l, ids[i]), 0);
	}
	for (unsigned i = 0; i < 50; i++)
		ck_assert_int_eq(sl__txn_abort(E.l, ids[i]), SL_ENOTFOUND);
}
END_TEST

/* A TU that aborts the transaction from inside its response callback. */
static void abort_on_response(struct tf_env *e, const struct tf_ev *ev)
{
	if (ev->type == TF_EV_RESPONSE)
		ck_assert_int_eq(sl__txn_abort(e->l, ev->txn), 0);
}

START_TEST(abort_inside_a_callback_is_safe)
{
	uint32_t id;

	E.on_event = abort_on_response;
	id = start("INVITE", SL_TP_TCP, NULL);
	answer(486, "x");   /* Completed, ACK, then Timer D = 0 */
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TERMINATED), 0);
	id = start("OPTIONS", SL_TP_UDP, "z9hG4bKopt");
	answer(200, "x");
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	tf_run_until(E.loop, &E.vc, 100000);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TERMINATED), 0);
	expect_pool_empty();
}
END_TEST

START_TEST(send_outside_a_transaction)
{
	struct sl_tp_dest d = dest(SL_TP_UDP);

	ck_assert_int_eq(sl__txn_send(NULL, &d, "x", 1), SL_EINVAL);
	ck_assert_int_eq(sl__txn_send(E.l, NULL, "x", 1), SL_EINVAL);
	ck_assert_int_eq(sl__txn_send(E.l, &d, NULL, 1), SL_EINVAL);
	ck_assert_int_eq(sl__txn_send(E.l, &d, "x", 0), SL_EINVAL);
	ck_assert_int_eq(sl__txn_send(E.l, &d, "ACK", 3), 0);
	ck_assert_uint_eq(E.rec.n, 1);
	E.rec.fail_next = SL_ETRANSPORT;
	ck_assert_int_eq(sl__txn_send(E.l, &d, "ACK", 3), SL_ETRANSPORT);
}
END_TEST

static Suite *check_txn_client_suite(void)
{
	Suite *s = suite_create("txn_client");
	TCase *inv = tcase_create("invite");
	TCase *non = tcase_create("non_invite");
	TCase *misc = tcase_create("api");

	tcase_add_checked_fixture(inv, setup, teardown);
	tcase_add_test(inv, invite_udp_timer_a_schedule_then_timer_b);
	tcase_add_test(inv, invite_t1_100ms_changes_the_schedule);
	tcase_add_test(inv, invite_tcp_no_retransmission_timer_b_still_runs);
	tcase_add_test(inv, invite_provisional_stops_timers_a_and_b);
	tcase_add_test(inv, invite_non2xx_ack_is_built_per_17_1_1_3);
	tcase_add_test(inv, invite_completed_resends_ack_until_timer_d);
	tcase_add_test(inv, invite_timer_d_configurable);
	tcase_add_test(inv, invite_tcp_timer_d_is_zero);
	tcase_add_test(inv, invite_2xx_accepted_passes_2xx_until_timer_m);
	tcase_add_test(inv, invite_2xx_after_provisional);
	tcase_add_test(inv, cancel_built_from_invite_has_own_txn);
	tcase_add_test(inv, build_cancel_errors);
	suite_add_tcase(s, inv);

	tcase_add_checked_fixture(non, setup, teardown);
	tcase_add_test(non, non_invite_udp_timer_e_capped_at_t2_then_timer_f);
	tcase_add_test(non, non_invite_t1_t2_configurable);
	tcase_add_test(non, non_invite_proceeding_retransmits_every_t2);
	tcase_add_test(non, non_invite_tcp_no_retransmission);
	tcase_add_test(non, non_invite_final_then_timer_k);
	tcase_add_test(non, non_invite_timer_k_follows_t4);
	tcase_add_test(non, non_invite_tcp_timer_k_is_zero);
	suite_add_tcase(s, non);

	tcase_add_checked_fixture(misc, setup, teardown);
	tcase_add_test(misc, responses_match_by_branch_and_cseq_method);
	tcase_add_test(misc, request_argument_errors);
	tcase_add_test(misc, same_branch_and_method_twice_is_eexist);
	tcase_add_test(misc, client_pool_exhaustion_is_enomem);
	tcase_add_test(misc, timer_heap_exhaustion_is_enomem);
	tcase_add_test(misc, first_send_failure_is_returned_only);
	tcase_add_test(misc, retransmission_failure_is_a_transport_error);
	tcase_add_test(misc, non_invite_retransmission_failure);
	tcase_add_test(misc, ack_send_failure_is_a_transport_error);
	tcase_add_test(misc, ack_resend_failure_is_a_transport_error);
	tcase_add_test(misc, flow_closed_ends_transactions_on_that_flow);
	tcase_add_test(misc, info_user_and_abort);
	tcase_add_test(misc, ids_are_not_reused);
	tcase_add_test(misc, abort_inside_a_callback_is_safe);
	tcase_add_test(misc, send_outside_a_transaction);
	suite_add_tcase(s, misc);
	return s;
}

SL_CHECK_MAIN(check_txn_client_suite)
