/*
 * tests/unit/check_txn_server.c: server transactions (lib/txn/server.c;
 * RFC 3261 §17.2, RFC 6026 §8.5-8.7), request matching (§17.2.3 with the
 * RFC 2543 fallback), CANCEL matching (§9.2) and the stateless answers
 * (lib/txn/stateless.c), on the virtual clock against the recording
 * transport.
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

static void reinit(const struct sl_txn_config *cfg)
{
	ck_assert_uint_eq(tf_env_done(&E), 0);
	tf_env_init(&E, cfg);
}

static char req_buf[4096];
static size_t req_len;

/* Feeds request @r (kept in req_buf); returns what the layer did. */
static int feed_req(const struct tf_req *r, enum sl_tp tp)
{
	req_len = tf_request(req_buf, sizeof(req_buf), r);
	return tf_env_feed(&E, req_buf, req_len, tp);
}

/* A new request; returns the server transaction's id. */
static uint32_t incoming(const char *method, enum sl_tp tp)
{
	struct tf_req r = { .method = method, .transport = sl__tp_name(tp) };
	const struct tf_ev *ev;

	ck_assert_int_eq(feed_req(&r, tp), SL_TXN_RX_NEW);
	ev = tf_env_last(&E, TF_EV_REQUEST);
	ck_assert_ptr_nonnull(ev);
	return ev->txn;
}

/* Feeds req_buf again (a retransmission). */
static int again(enum sl_tp tp)
{
	return tf_env_feed(&E, req_buf, req_len, tp);
}

static int respond(uint32_t id, int status)
{
	struct sl_txn_response r = { .status = status, .to_tag = "uas" };

	return sl__txn_respond(E.l, id, &r);
}

/* The ACK a client sends for our non-2xx: same branch, our To tag. */
static int feed_ack(const char *to_tag, const char *branch, enum sl_tp tp)
{
	struct tf_req a = { .method = "ACK", .to_tag = to_tag,
			    .branch = branch, .transport = sl__tp_name(tp) };
	char buf[4096];
	size_t n = tf_request(buf, sizeof(buf), &a);

	return tf_env_feed(&E, buf, n, tp);
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

static int sent_status(unsigned i)
{
	struct sl_msg m;

	ck_assert_uint_lt(i, E.rec.n);
	ck_assert_int_eq(tf_parse(E.rec.v[i].buf, E.rec.v[i].len, &m), 0);
	ck_assert(!m.is_request);
	return m.status;
}

static void expect_same_bytes(unsigned a, unsigned b)
{
	ck_assert_uint_eq(E.rec.v[a].len, E.rec.v[b].len);
	ck_assert_mem_eq(E.rec.v[a].buf, E.rec.v[b].buf, E.rec.v[a].len);
}

/* ---- INVITE server: Proceeding and the 100 (Trying) ---- */

START_TEST(invite_gets_100_trying_after_200ms)
{
	struct sl_msg m;
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	ck_assert_int_eq(state_of(id), SL_TXN_STATE_PROCEEDING);
	tf_run_until(E.loop, &E.vc, 199);
	ck_assert_uint_eq(E.rec.n, 0);
	tf_run_until(E.loop, &E.vc, 200);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_uint_eq(E.rec.v[0].at_ms, 200);
	ck_assert_int_eq(tf_parse(E.rec.v[0].buf, E.rec.v[0].len, &m), 0);
	ck_assert_int_eq(m.status, 100);
	ck_assert_uint_eq(m.to.tag.len, 0);          /* §8.2.6.2 */
	ck_assert(sl_slice_eq(m.call_id, "call-1@192.0.2.1"));
	/* RFC 3581: rport filled in, received added. */
	ck_assert_int_eq(m.vias[0].rport, 5060);
	ck_assert(sl_slice_eq(m.vias[0].received, "192.0.2.1"));
	ck_assert_int_eq(E.rec.v[0].dst.tp, SL_TP_UDP);
	ck_assert_uint_eq(sl__addr_port(&E.rec.v[0].dst.addr), 5060);
	/* A retransmitted INVITE gets the very same 100 again. */
	tf_run_until(E.loop, &E.vc, 500);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 2);
	expect_same_bytes(0, 1);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 1);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_PROCEEDING);
}
END_TEST

START_TEST(trying_delay_is_configurable)
{
	struct sl_txn_config cfg;

	sl__txn_config_init(&cfg);
	cfg.trying_ms = 50;
	reinit(&cfg);
	incoming("INVITE", SL_TP_UDP);
	tf_run_until(E.loop, &E.vc, 60);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_uint_eq(E.rec.v[0].at_ms, 50);
}
END_TEST

START_TEST(no_100_trying_when_tu_answers_within_200ms)
{
	uint32_t id;

	E.auto_status = 180;
	id = incoming("INVITE", SL_TP_UDP);
	tf_run_until(E.loop, &E.vc, 10000);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_int_eq(sent_status(0), 180);
	ck_assert_uint_eq(E.rec.v[0].at_ms, 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_PROCEEDING);
}
END_TEST

START_TEST(tu_answer_at_150ms_cancels_the_100)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	tf_run_until(E.loop, &E.vc, 150);
	ck_assert_int_eq(respond(id, 183), 0);
	tf_run_until(E.loop, &E.vc, 1000);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_int_eq(sent_status(0), 183);
}
END_TEST

START_TEST(no_100_trying_for_non_invite)
{
	incoming("OPTIONS", SL_TP_UDP);
	tf_run_until(E.loop, &E.vc, 10000);
	ck_assert_uint_eq(E.rec.n, 0);
}
END_TEST

START_TEST(invite_retransmission_gets_the_last_provisional)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	ck_assert_int_eq(respond(id, 180), 0);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 2);
	expect_same_bytes(0, 1);
	ck_assert_int_eq(respond(id, 183), 0);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 4);
	ck_assert_int_eq(sent_status(3), 183);
	expect_same_bytes(2, 3);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 1);
	/* Before any response a retransmission gets nothing. */
	ck_assert_int_eq(feed_req(&(struct tf_req){ .branch = "z9hG4bKn" },
				  SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 4);
}
END_TEST

/* ---- INVITE server: Completed, Confirmed ---- */

START_TEST(invite_non2xx_timer_g_schedule_then_timer_h)
{
	/* §17.2.1: G = T1 doubling up to T2; H = 64*T1. */
	static const uint64_t want[] = { 0, 500, 1500, 3500, 7500, 11500,
					 15500, 19500, 23500, 27500, 31500 };
	uint32_t id = incoming("INVITE", SL_TP_UDP);
	const struct tf_ev *ev;

	ck_assert_int_eq(respond(id, 486), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 40000);
	expect_times(want, 11);
	for (unsigned i = 1; i < E.rec.n; i++)
		expect_same_bytes(0, i);
	ev = tf_env_last(&E, TF_EV_TIMEOUT);
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_eq(ev->timer, 'H');
	ck_assert_uint_eq(ev->at_ms, 32000);
	ck_assert_uint_eq(ev->txn, id);
	ck_assert_int_eq(E.ev[E.n_ev - 1].type, TF_EV_TERMINATED);
	ck_assert_uint_eq(E.ev[E.n_ev - 1].at_ms, 32000);
	expect_pool_empty();
}
END_TEST

START_TEST(timer_g_and_h_follow_t1)
{
	static const uint64_t want[] = { 0, 100, 300, 700, 1500, 3100, 6300 };
	struct sl_txn_config cfg;
	uint32_t id;

	sl__txn_config_init(&cfg);
	cfg.t1_ms = 100;
	reinit(&cfg);
	id = incoming("INVITE", SL_TP_UDP);
	ck_assert_int_eq(respond(id, 404), 0);
	tf_run_until(E.loop, &E.vc, 10000);
	expect_times(want, 7);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TIMEOUT)->at_ms, 6400);
}
END_TEST

START_TEST(invite_completed_resends_final_on_retransmission)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	respond(id, 180);
	respond(id, 486);
	tf_run_until(E.loop, &E.vc, 100);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 3);
	expect_same_bytes(1, 2);
	ck_assert_int_eq(sent_status(2), 486);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 1);
}
END_TEST

START_TEST(ack_confirms_then_timer_i)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	respond(id, 486);
	tf_run_until(E.loop, &E.vc, 1000);      /* 486 at 0, 500 */
	ck_assert_int_eq(feed_ack("uas", NULL, SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_CONFIRMED);
	/* The ACK for a non-2xx is absorbed: never the TU's. */
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_ACK), 0);
	/* Confirmed absorbs ACKs and INVITEs and stops Timer G. */
	ck_assert_int_eq(feed_ack("uas", NULL, SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	tf_run_until(E.loop, &E.vc, 5999);
	ck_assert_uint_eq(E.rec.n, 2);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_CONFIRMED);
	tf_run_until(E.loop, &E.vc, 6000);      /* Timer I = T4 */
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_ACK), 0);
	expect_pool_empty();
}
END_TEST

START_TEST(invite_tcp_no_timer_g_and_timer_i_zero)
{
	uint32_t id = incoming("INVITE", SL_TP_TCP);

	respond(id, 603);
	tf_run_until(E.loop, &E.vc, 20000);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_uint_eq(E.rec.v[0].dst.flow, 7);
	ck_assert_int_eq(feed_ack("uas", NULL, SL_TP_TCP), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_int_eq(E.ev[E.n_ev - 1].type, TF_EV_TERMINATED);
	ck_assert_uint_eq(E.ev[E.n_ev - 1].at_ms, 20000);
}
END_TEST

START_TEST(invite_tcp_timer_h_still_runs)
{
	uint32_t id = incoming("INVITE", SL_TP_TCP);

	respond(id, 480);
	tf_run_until(E.loop, &E.vc, 40000);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TIMEOUT)->timer, 'H');
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TIMEOUT)->at_ms, 32000);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

/* ---- INVITE server: Accepted (RFC 6026) ---- */

START_TEST(invite_2xx_accepted_until_timer_l)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);
	const struct tf_ev *ev;

	ck_assert_int_eq(respond(id, 200), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	/* The transaction never retransmits a 2xx itself. */
	tf_run_until(E.loop, &E.vc, 10000);
	ck_assert_uint_eq(E.rec.n, 1);
	/* Retransmitted INVITEs are absorbed (RFC 6026 §8.6). */
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 1);
	/* The TU's 2xx retransmissions go out through the transaction. */
	ck_assert_int_eq(sl__txn_retransmit(E.l, id), 0);
	ck_assert_uint_eq(E.rec.n, 2);
	expect_same_bytes(0, 1);
	ck_assert_int_eq(respond(id, 200), 0);
	ck_assert_uint_eq(E.rec.n, 3);
	ck_assert_int_eq(respond(id, 486), SL_ESTATE);
	ck_assert_int_eq(respond(id, 180), SL_ESTATE);
	/* An ACK that matches it goes to the TU with its id. */
	ck_assert_int_eq(feed_ack("uas", NULL, SL_TP_UDP), SL_TXN_RX_MATCHED);
	ev = tf_env_last(&E, TF_EV_ACK);
	ck_assert_ptr_nonnull(ev);
	ck_assert_uint_eq(ev->txn, id);
	/* The usual ACK for a 2xx has its own branch: TU, txn 0. */
	ck_assert_int_eq(feed_ack("uas", "z9hG4bKack2xx", SL_TP_UDP),
			 SL_TXN_RX_ACK);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_ACK)->txn, 0);
	tf_run_until(E.loop, &E.vc, 31999);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	tf_run_until(E.loop, &E.vc, 32000);     /* Timer L = 64*T1 */
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
	ck_assert_int_eq(sl__txn_retransmit(E.l, id), SL_ENOTFOUND);
	expect_pool_empty();
}
END_TEST

START_TEST(accepted_2xx_send_failure_keeps_the_state)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	E.rec.fail_next = SL_ETRANSPORT;
	ck_assert_int_eq(respond(id, 200), SL_ETRANSPORT);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	E.rec.fail_next = SL_ETRANSPORT;
	ck_assert_int_eq(sl__txn_retransmit(E.l, id), SL_ETRANSPORT);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TERMINATED), 0);
}
END_TEST

/* ---- non-INVITE server ---- */

START_TEST(non_invite_trying_proceeding_completed_timer_j)
{
	uint32_t id = incoming("OPTIONS", SL_TP_UDP);

	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TRYING);
	/* Trying absorbs retransmissions. */
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 0);
	ck_assert_int_eq(respond(id, 100), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_PROCEEDING);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 2);
	expect_same_bytes(0, 1);
	tf_run_until(E.loop, &E.vc, 1000);
	ck_assert_int_eq(respond(id, 200), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(E.rec.n, 4);
	expect_same_bytes(2, 3);
	ck_assert_int_eq(sent_status(3), 200);
	/* One final response only. */
	ck_assert_int_eq(respond(id, 200), SL_ESTATE);
	ck_assert_int_eq(respond(id, 100), SL_ESTATE);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 1);
	tf_run_until(E.loop, &E.vc, 32999);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 33000);     /* Timer J = 64*T1 */
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(E.rec.n, 4);          /* no retransmissions */
	expect_pool_empty();
}
END_TEST

START_TEST(non_invite_final_from_trying)
{
	uint32_t id = incoming("BYE", SL_TP_UDP);

	ck_assert_int_eq(respond(id, 481), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
}
END_TEST

START_TEST(timer_j_follows_t1)
{
	struct sl_txn_config cfg;
	uint32_t id;

	sl__txn_config_init(&cfg);
	cfg.t1_ms = 250;
	reinit(&cfg);
	id = incoming("MESSAGE", SL_TP_UDP);
	respond(id, 200);
	tf_run_until(E.loop, &E.vc, 15999);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 16000);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(non_invite_tcp_timer_j_is_zero)
{
	uint32_t id = incoming("REGISTER", SL_TP_TCP);

	ck_assert_int_eq(respond(id, 200), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_int_eq(E.ev[E.n_ev - 1].type, TF_EV_TERMINATED);
	ck_assert_uint_eq(E.ev[E.n_ev - 1].txn, id);
	ck_assert_int_eq(respond(id, 200), SL_ENOTFOUND);
	expect_pool_empty();
}
END_TEST

/* ---- responses built by the layer ---- */

START_TEST(response_carries_headers_body_and_tag)
{
	static const struct sl_txn_hdr hdrs[] = {
		{ "Contact", "<sip:bob@192.0.2.2>" },
		{ "Allow", "INVITE, ACK, BYE" },
	};
	static const char sdp[] = "v=0\r\n";
	struct sl_txn_response r = {
		.status = 200, .reason = "Fine", .to_tag = "bobtag",
		.hdrs = hdrs, .n_hdrs = 2,
		.content_type = "application/sdp", .body = sdp,
		.body_len = sizeof(sdp) - 1,
	};
	struct sl_msg m;
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), 0);
	ck_assert_int_eq(tf_parse(E.rec.v[0].buf, E.rec.v[0].len, &m), 0);
	ck_assert_int_eq(m.status, 200);
	ck_assert(sl_slice_eq(m.reason, "Fine"));
	ck_assert(sl_slice_eq(m.to.tag, "bobtag"));
	ck_assert_str_eq(tf_hdr(&m, "Contact"), "<sip:bob@192.0.2.2>");
	ck_assert_str_eq(tf_hdr(&m, "Allow"), "INVITE");
	ck_assert(sl_slice_eq(m.content_type, "application/sdp"));
	ck_assert(sl_slice_eq(m.body, "v=0\r\n"));
	ck_assert(sl_slice_eq(m.cseq.method, "INVITE"));
}
END_TEST

START_TEST(respond_raw_takes_prebuilt_bytes)
{
	char buf[4096];
	uint32_t id = incoming("INVITE", SL_TP_UDP);
	size_t n = tf_response(buf, sizeof(buf), req_buf, req_len, 200, "r");

	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, buf, n), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_ACCEPTED);
	ck_assert_uint_eq(E.rec.v[0].len, n);
	ck_assert_mem_eq(E.rec.v[0].buf, buf, n);
	n = tf_response(buf, sizeof(buf), req_buf, req_len, 486, "r");
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, buf, n), SL_ESTATE);
}
END_TEST

START_TEST(respond_raw_non2xx_enters_completed)
{
	char buf[4096];
	uint32_t id = incoming("INVITE", SL_TP_UDP);
	size_t n = tf_response(buf, sizeof(buf), req_buf, req_len, 486, "r");

	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, buf, n), 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	tf_run_until(E.loop, &E.vc, 500);
	ck_assert_uint_eq(E.rec.n, 2);
	expect_same_bytes(0, 1);
}
END_TEST

START_TEST(respond_errors)
{
	struct sl_txn_response r = { .status = 200, .to_tag = "x" };
	struct sl_txn_hdr bad = { NULL, "v" };
	struct sl_txn_config cfg;
	char big[600];
	uint32_t id = incoming("OPTIONS", SL_TP_UDP);

	ck_assert_int_eq(sl__txn_respond(NULL, id, &r), SL_EINVAL);
	ck_assert_int_eq(sl__txn_respond(E.l, id, NULL), SL_EINVAL);
	r.status = 99;
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_EINVAL);
	r.status = 700;
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_EINVAL);
	r.status = 200;
	r.n_hdrs = 1;
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_EINVAL);
	r.hdrs = &bad;
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_EINVAL);
	r.n_hdrs = 0;
	ck_assert_int_eq(sl__txn_respond(E.l, 0, &r), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_respond(E.l, id ^ 0x10000, &r),
			 SL_ENOTFOUND);
	r.to_tag = "bad tag";
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_EINVAL);
	r.to_tag = "x";
	r.body = "x";
	r.body_len = 1;          /* a body without a Content-Type */
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_EINVAL);
	r.body = NULL;
	r.body_len = 0;
	ck_assert_uint_eq(E.rec.n, 0);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TRYING);
	/* respond_raw */
	ck_assert_int_eq(sl__txn_respond_raw(NULL, id, "SIP/2.0 200 OK\r\n",
					     16), SL_EINVAL);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, NULL, 16), SL_EINVAL);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, "SIP/2.0 2x0 OK\r\n",
					     16), SL_EINVAL);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, "SIP/2.0 099 OK\r\n",
					     16), SL_EINVAL);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, "INVITE sip:a SIP/2.0",
					     20), SL_EINVAL);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, "SIP/2.0 200", 11),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id ^ 0x10000,
					     "SIP/2.0 200 OK\r\n", 16),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, "SIP/2.0 200 OK\r\n",
					     E.cfg.msg_buf_size + 1),
			 SL_ETOOBIG);
	/* retransmit */
	ck_assert_int_eq(sl__txn_retransmit(NULL, id), SL_EINVAL);
	ck_assert_int_eq(sl__txn_retransmit(E.l, 77), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_retransmit(E.l, id), SL_ESTATE);
	ck_assert_uint_eq(E.rec.n, 0);

	/* Too big for the slot: SL_ENOSPC, nothing sent, state kept. */
	sl__txn_config_init(&cfg);
	cfg.msg_buf_size = SL_TXN_MSG_BUF_MIN;
	reinit(&cfg);
	id = incoming("OPTIONS", SL_TP_UDP);
	memset(big, 'a', sizeof(big));
	r.content_type = "text/plain";
	r.body = big;
	r.body_len = sizeof(big);
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_ENOSPC);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TRYING);
	ck_assert_uint_eq(E.rec.n, 0);
}
END_TEST

START_TEST(respond_on_a_client_transaction_is_estate)
{
	struct sl_txn_response r = { .status = 200, .to_tag = "x" };
	struct tf_req q = { .method = "OPTIONS" };
	struct sl_tp_dest d = { .tp = SL_TP_UDP };
	char buf[2048];
	size_t n = tf_request(buf, sizeof(buf), &q);
	uint32_t id;

	ck_assert_int_eq(sl__txn_request(E.l, buf, n, &d, NULL, &id), 0);
	ck_assert_int_eq(sl__txn_respond(E.l, id, &r), SL_ESTATE);
	ck_assert_int_eq(sl__txn_respond_raw(E.l, id, "SIP/2.0 200 OK\r\n",
					     16), SL_ESTATE);
	ck_assert_int_eq(sl__txn_retransmit(E.l, id), SL_ESTATE);
}
END_TEST

START_TEST(responding_twice_with_a_final_is_estate)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	ck_assert_int_eq(respond(id, 486), 0);
	ck_assert_int_eq(respond(id, 486), SL_ESTATE);
	ck_assert_int_eq(respond(id, 200), SL_ESTATE);
	ck_assert_int_eq(respond(id, 180), SL_ESTATE);
	feed_ack("uas", NULL, SL_TP_UDP);
	ck_assert_int_eq(respond(id, 486), SL_ESTATE);
	ck_assert_uint_eq(E.rec.n, 1);
}
END_TEST

START_TEST(respond_send_failure_terminates)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	E.rec.fail_next = SL_ETRANSPORT;
	ck_assert_int_eq(respond(id, 486), SL_ETRANSPORT);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_int_eq(E.ev[E.n_ev - 1].type, TF_EV_TERMINATED);
	/* The caller got the error; no transport_error callback too. */
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TPERR), 0);
	id = incoming("OPTIONS", SL_TP_UDP);
	E.rec.fail_next = SL_ETRANSPORT;
	ck_assert_int_eq(respond(id, 100), SL_ETRANSPORT);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	expect_pool_empty();
}
END_TEST

START_TEST(trying_send_failure_is_a_transport_error)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	E.rec.fail_next = SL_ETRANSPORT;
	tf_run_until(E.loop, &E.vc, 300);
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TPERR)->err, SL_ETRANSPORT);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TPERR)->at_ms, 200);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(timer_g_send_failure_is_a_transport_error)
{
	uint32_t id = incoming("INVITE", SL_TP_UDP);

	respond(id, 486);
	E.rec.fail_next = SL_ETRANSPORT;
	tf_run_until(E.loop, &E.vc, 600);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_TPERR)->at_ms, 500);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	tf_run_until(E.loop, &E.vc, 40000);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TIMEOUT), 0);
}
END_TEST

START_TEST(resend_failure_is_a_transport_error)
{
	uint32_t id = incoming("OPTIONS", SL_TP_UDP);

	respond(id, 200);
	E.rec.fail_next = SL_ETRANSPORT;
	again(SL_TP_UDP);
	ck_assert_int_eq(tf_env_last(&E, TF_EV_TPERR)->err, SL_ETRANSPORT);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
}
END_TEST

START_TEST(server_flow_closed)
{
	uint32_t id = incoming("INVITE", SL_TP_TCP);

	ck_assert_int_eq(sl__txn_flow_closed(E.l, 7, SL_ETRANSPORT), 1);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_TERMINATED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_TPERR), 1);
}
END_TEST

/* ---- matching (§17.2.3) ---- */

START_TEST(requests_match_by_branch_sent_by_and_method)
{
	struct tf_req r = { .method = "INVITE" };
	struct sl_txn_info info;
	uint32_t id = incoming("INVITE", SL_TP_UDP), got = 0;

	/* Same branch, another sent-by: another transaction. */
	r.via_host = "192.0.2.1:5070";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	/* Same branch and sent-by, another method: another one too. */
	r.via_host = NULL;
	r.method = "OPTIONS";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	/* Another branch. */
	r.method = "INVITE";
	r.branch = "z9hG4bKtest2";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 4);
	/* The original again. */
	r.branch = NULL;
	r.via_host = "192.0.2.1:5060";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_MATCHED);
	ck_assert_int_eq(sl__txn_match(E.l, tf_env_rx(&E, req_buf, req_len,
						      SL_TP_UDP), &got), 0);
	ck_assert_uint_eq(got, id);
	ck_assert_int_eq(sl__txn_info(E.l, id, &info), 0);
	ck_assert_ptr_nonnull(info.request);
	ck_assert_int_eq(info.kind, SL_TXN_SERVER_INVITE);
	ck_assert_int_eq(info.method, SL_METHOD_INVITE);
	ck_assert_uint_eq(info.request->refs, 2);
	/* The ACK finds its INVITE. */
	respond(id, 486);
	req_len = tf_request(req_buf, sizeof(req_buf),
			     &(struct tf_req){ .method = "ACK",
					       .to_tag = "uas" });
	ck_assert_int_eq(sl__txn_match(E.l, tf_env_rx(&E, req_buf, req_len,
						      SL_TP_UDP), &got), 0);
	ck_assert_uint_eq(got, id);
	ck_assert_int_eq(sl__txn_match(NULL, NULL, &got), SL_EINVAL);
	ck_assert_int_eq(sl__txn_match(E.l, NULL, &got), SL_EINVAL);
	req_len = tf_request(req_buf, sizeof(req_buf),
			     &(struct tf_req){ .branch = "z9hG4bKnone" });
	ck_assert_int_eq(sl__txn_match(E.l, tf_env_rx(&E, req_buf, req_len,
						      SL_TP_UDP), &got),
			 SL_ENOTFOUND);
}
END_TEST

START_TEST(cancel_finds_its_invite)
{
	struct tf_req c = { .method = "CANCEL" };
	struct tf_req o = { .method = "OPTIONS" };
	const struct tf_ev *ev;
	uint32_t inv = incoming("INVITE", SL_TP_UDP), got = 0;

	ck_assert_int_eq(feed_req(&c, SL_TP_UDP), SL_TXN_RX_NEW);
	ev = tf_env_last(&E, TF_EV_REQUEST);
	ck_assert_int_eq(ev->method, SL_METHOD_CANCEL);
	ck_assert_uint_eq(ev->cancel_target, inv);
	ck_assert_uint_ne(ev->txn, inv);
	ck_assert_int_eq(sl__txn_cancel_target(E.l, tf_env_rx(&E, req_buf,
							      req_len,
							      SL_TP_UDP),
					       &got), 0);
	ck_assert_uint_eq(got, inv);
	/* The CANCEL's own transaction answers 200, the INVITE 487. */
	ck_assert_int_eq(respond(ev->txn, 200), 0);
	ck_assert_int_eq(respond(inv, 487), 0);
	ck_assert_int_eq(state_of(inv), SL_TXN_STATE_COMPLETED);
	/* Another branch or sent-by: nothing to cancel. */
	c.branch = "z9hG4bKzzz";
	ck_assert_int_eq(feed_req(&c, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_REQUEST)->cancel_target, 0);
	ck_assert_int_eq(sl__txn_cancel_target(E.l, tf_env_rx(&E, req_buf,
							      req_len,
							      SL_TP_UDP),
					       &got), SL_ENOTFOUND);
	c.branch = NULL;
	c.via_host = "192.0.2.3";
	ck_assert_int_eq(feed_req(&c, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_REQUEST)->cancel_target, 0);
	/* A CANCEL never targets a non-INVITE transaction. */
	o.branch = "z9hG4bKopt";
	incoming("OPTIONS", SL_TP_UDP);
	c.via_host = NULL;
	c.branch = "z9hG4bKopt";
	(void)o;
	ck_assert_int_eq(feed_req(&c, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_REQUEST)->cancel_target, 0);
	/* Errors. */
	ck_assert_int_eq(sl__txn_cancel_target(NULL, NULL, &got), SL_EINVAL);
	req_len = tf_request(req_buf, sizeof(req_buf), &o);
	ck_assert_int_eq(sl__txn_cancel_target(E.l, tf_env_rx(&E, req_buf,
							      req_len,
							      SL_TP_UDP),
					       &got), SL_EINVAL);
	ck_assert_int_eq(sl__txn_cancel_target(E.l, tf_env_rx(&E, req_buf,
							      req_len,
							      SL_TP_UDP),
					       NULL), SL_EINVAL);
}
END_TEST

/* RFC 2543 peers: branches without the magic cookie, or none. */
START_TEST(rfc2543_invite_ack_and_retransmission_matching)
{
	struct tf_req r = { .method = "INVITE", .branch = "" };
	struct tf_req a = { .method = "ACK", .branch = "", .to_tag = "uas" };
	char ack[2048];
	size_t n;
	uint32_t id;

	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	id = tf_env_last(&E, TF_EV_REQUEST)->txn;
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	/* Each differing field makes it another request. */
	r.from_tag = "other";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	r.from_tag = NULL;
	r.call_id = "call-2@192.0.2.1";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	r.call_id = NULL;
	r.cseq = 2;
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	r.cseq = 0;
	r.ruri = "sip:carol@192.0.2.2";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	r.ruri = NULL;
	r.via_host = "192.0.2.1:5999";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	r.via_host = NULL;
	r.to_tag = "sometag";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	r.to_tag = NULL;
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 7);
	/* The original again: still the first transaction. */
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_MATCHED);

	ck_assert_int_eq(respond(id, 486), 0);
	/* An ACK with another To tag is not ours... */
	a.to_tag = "wrong";
	n = tf_request(ack, sizeof(ack), &a);
	ck_assert_int_eq(tf_env_feed(&E, ack, n, SL_TP_UDP), SL_TXN_RX_ACK);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_COMPLETED);
	/* ...the one with our response's tag is. */
	a.to_tag = "uas";
	n = tf_request(ack, sizeof(ack), &a);
	ck_assert_int_eq(tf_env_feed(&E, ack, n, SL_TP_UDP),
			 SL_TXN_RX_MATCHED);
	ck_assert_int_eq(state_of(id), SL_TXN_STATE_CONFIRMED);
}
END_TEST

START_TEST(rfc2543_branch_without_cookie_and_re_invite_tag)
{
	struct tf_req r = { .method = "INVITE", .branch = "oldbranch1",
			    .to_tag = "dlg" };
	struct tf_req a = { .method = "ACK", .branch = "oldbranch1",
			    .to_tag = "dlg" };
	char ack[2048];
	size_t n;
	uint32_t id;

	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	id = tf_env_last(&E, TF_EV_REQUEST)->txn;
	/* A branch without the cookie is part of the top Via compared. */
	r.branch = "oldbranch2";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	/* A re-INVITE's To tag stays the response's tag. */
	ck_assert_int_eq(respond(id, 200), 0);
	n = tf_request(ack, sizeof(ack), &a);
	ck_assert_int_eq(tf_env_feed(&E, ack, n, SL_TP_UDP),
			 SL_TXN_RX_MATCHED);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_ACK)->txn, id);
}
END_TEST

START_TEST(rfc2543_non_invite_and_cancel)
{
	struct tf_req o = { .method = "OPTIONS", .branch = "" };
	struct tf_req i = { .method = "INVITE", .branch = "", .cseq = 5,
			    .call_id = "c5@h" };
	struct tf_req c = { .method = "CANCEL", .branch = "", .cseq = 5,
			    .call_id = "c5@h" };
	uint32_t inv;

	ck_assert_int_eq(feed_req(&o, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_int_eq(again(SL_TP_UDP), SL_TXN_RX_MATCHED);
	o.cseq_method = "INFO";   /* CSeq method is part of the match */
	o.method = "INFO";
	ck_assert_int_eq(feed_req(&o, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_int_eq(feed_req(&i, SL_TP_UDP), SL_TXN_RX_NEW);
	inv = tf_env_last(&E, TF_EV_REQUEST)->txn;
	ck_assert_int_eq(feed_req(&c, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_REQUEST)->cancel_target, inv);
	c.from_tag = "x";
	ck_assert_int_eq(feed_req(&c, SL_TP_UDP), SL_TXN_RX_NEW);
	ck_assert_uint_eq(tf_env_last(&E, TF_EV_REQUEST)->cancel_target, 0);
}
END_TEST

START_TEST(server_pool_exhaustion_is_a_stateless_503)
{
	struct sl_txn_config cfg;
	struct sl_txn_stats st;
	struct tf_req r = { .method = "OPTIONS", .branch = "z9hG4bKsecond" };
	struct sl_msg m;

	sl__txn_config_init(&cfg);
	cfg.max_server_txns = 1;
	reinit(&cfg);
	incoming("INVITE", SL_TP_UDP);
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_REJECTED);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 1);
	ck_assert_uint_eq(E.rec.n, 1);
	ck_assert_int_eq(tf_parse(E.rec.v[0].buf, E.rec.v[0].len, &m), 0);
	ck_assert_int_eq(m.status, 503);
	ck_assert(sl_slice_eq(m.cseq.method, "OPTIONS"));
	ck_assert_uint_gt(m.to.tag.len, 0);
	ck_assert_int_eq(sl__txn_stats(E.l, &st), 0);
	ck_assert_uint_eq(st.rejected_503, 1);
	ck_assert_uint_eq(st.server_used, 1);
	ck_assert_uint_eq(st.server_high, 1);
	/* A retransmission of the admitted one still matches. */
	r.method = "INVITE";
	r.branch = NULL;
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_MATCHED);
}
END_TEST

START_TEST(server_timer_heap_exhaustion_is_a_503)
{
	struct sl_loop_config lc = { 0 };
	struct sl_loop *small;
	struct sl_txn_layer *l;
	struct sl_rxbuf *rx;
	struct sl_txn_config cfg = E.cfg;

	lc.clock = &E.vc.clock;
	lc.max_timers = 1;
	ck_assert_int_eq(sl__loop_create(&small, &lc), 0);
	cfg.max_server_txns = 4;
	ck_assert_int_eq(sl__txn_create(&l, small, &cfg), 0);
	/* A 100 (Trying) timer fits, the second INVITE's does not. */
	req_len = tf_request(req_buf, sizeof(req_buf), &(struct tf_req){ 0 });
	rx = tf_env_rx(&E, req_buf, req_len, SL_TP_UDP);
	ck_assert_int_eq(sl__txn_recv(l, rx), SL_TXN_RX_NEW);
	req_len = tf_request(req_buf, sizeof(req_buf),
			     &(struct tf_req){ .branch = "z9hG4bKb2" });
	rx = tf_env_rx(&E, req_buf, req_len, SL_TP_UDP);
	ck_assert_int_eq(sl__txn_recv(l, rx), SL_TXN_RX_REJECTED);
	ck_assert(tf_sent_is(&E.rec, E.rec.n - 1, "SIP/2.0 503"));
	sl__txn_destroy(l);
	sl__loop_destroy(small);
}
END_TEST

/* ---- stateless answers ---- */

static int last_status_sent(void)
{
	return sent_status(E.rec.n - 1);
}

START_TEST(failed_checks_are_answered_statelessly)
{
	static const char *const tags[] = { "100rel", "timer" };
	static const struct sl_check_opts opts = { tags, 2 };
	struct sl_txn_config cfg;
	struct tf_req r = { .method = "INVITE" };
	struct sl_msg m;
	struct sl_slice v;
	int idx;

	sl__txn_config_init(&cfg);
	cfg.check = &opts;
	reinit(&cfg);
	/* 420 listing every unsupported Require tag (§8.2.2.3). */
	r.extra = "Require: 100rel, foo\r\nRequire: bar\r\n";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_REJECTED);
	ck_assert_int_eq(tf_parse(E.rec.v[0].buf, E.rec.v[0].len, &m), 0);
	ck_assert_int_eq(m.status, 420);
	idx = sl_msg_find(&m, "Unsupported", &v);
	ck_assert_int_ge(idx, 0);
	ck_assert(sl_slice_eq(v, "foo"));
	idx = sl_msg_find_next(&m, idx, &v);
	ck_assert_int_ge(idx, 0);
	ck_assert(sl_slice_eq(v, "bar"));
	ck_assert_int_eq(sl_msg_find_next(&m, idx, &v), SL_ENOTFOUND);
	ck_assert_uint_gt(m.to.tag.len, 0);
	/* Supported tags pass. */
	r.extra = "Require: 100rel, TIMER\r\n";
	r.branch = "z9hG4bKok";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
	/* 416 for a scheme we do not serve. */
	r.extra = NULL;
	r.branch = "z9hG4bK416";
	r.ruri = "http://example.com/";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_REJECTED);
	ck_assert_int_eq(last_status_sent(), 416);
	/* 483 for Max-Forwards 0. */
	r.ruri = NULL;
	r.branch = "z9hG4bK483";
	req_len = tf_request(req_buf, sizeof(req_buf), &r);
	memcpy(strstr(req_buf, "Max-Forwards: 70"), "Max-Forwards: 00", 16);
	ck_assert_int_eq(tf_env_feed(&E, req_buf, req_len, SL_TP_UDP),
			 SL_TXN_RX_REJECTED);
	ck_assert_int_eq(last_status_sent(), 483);
	/* 400 naming the bad header. */
	r.branch = "z9hG4bK400";
	r.extra = "Contact: <<<bad\r\n";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_REJECTED);
	ck_assert_int_eq(tf_parse(E.rec.v[E.rec.n - 1].buf,
				  E.rec.v[E.rec.n - 1].len, &m), 0);
	ck_assert_int_eq(m.status, 400);
	ck_assert(sl_slice_eq(m.reason, "Bad Contact header"));
	/* An ACK is never answered, whatever is wrong with it. */
	r.method = "ACK";
	r.branch = "z9hG4bKack";
	r.extra = "Require: foo\r\n";
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_ACK);
	ck_assert_uint_eq(E.rec.n, 4);
	ck_assert_uint_eq(tf_env_count(&E, TF_EV_REQUEST), 1);
}
END_TEST

START_TEST(no_check_leaves_requests_to_the_tu)
{
	struct sl_txn_config cfg;
	struct tf_req r = { .method = "INVITE", .extra = "Require: foo\r\n" };

	sl__txn_config_init(&cfg);
	cfg.no_check = 1;
	reinit(&cfg);
	ck_assert_int_eq(feed_req(&r, SL_TP_UDP), SL_TXN_RX_NEW);
}
END_TEST

START_TEST(reply_stateless_and_reject_api)
{
	static const struct sl_txn_hdr hdrs[] = { { "Retry-After", "30" } };
	struct sl_parse_error err = { SL_EUNSUPP, 416, "", 0 };
	struct sl_rxbuf *rx, *ack, *resp;
	struct sl_msg m;
	char buf[2048], tag1[64];
	size_t n;

	req_len = tf_request(req_buf, sizeof(req_buf),
			     &(struct tf_req){ .method = "MESSAGE" });
	rx = tf_env_rx(&E, req_buf, req_len, SL_TP_UDP);
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, rx, 480, "Away", hdrs,
						 1), 0);
	ck_assert_int_eq(tf_parse(E.rec.v[0].buf, E.rec.v[0].len, &m), 0);
	ck_assert_int_eq(m.status, 480);
	ck_assert(sl_slice_eq(m.reason, "Away"));
	ck_assert_str_eq(tf_hdr(&m, "Retry-After"), "30");
	ck_assert_int_eq(m.vias[0].rport, 5060);
	ck_assert_int_lt(sl_slice_copy(m.to.tag, tag1, sizeof(tag1)) - 1, 64);
	/* §8.2.7: the same request gets the same tag. */
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, rx, 480, NULL, NULL, 0),
			 0);
	ck_assert_int_eq(tf_parse(E.rec.v[1].buf, E.rec.v[1].len, &m), 0);
	ck_assert(sl_slice_eq(m.to.tag, tag1));
	ck_assert(sl_slice_eq(m.reason, "Temporarily Unavailable"));
	/* A 100 carries no tag. */
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, rx, 100, NULL, NULL, 0),
			 0);
	ck_assert_int_eq(tf_parse(E.rec.v[2].buf, E.rec.v[2].len, &m), 0);
	ck_assert_uint_eq(m.to.tag.len, 0);
	/* Errors. */
	ck_assert_int_eq(sl__txn_reply_stateless(NULL, rx, 480, NULL, NULL,
						 0), SL_EINVAL);
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, NULL, 480, NULL, NULL,
						 0), SL_EINVAL);
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, rx, 99, NULL, NULL, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, rx, 480, NULL, NULL, 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, rx, 480, "bad\r\n",
						 NULL, 0), SL_EINVAL);
	n = tf_request(buf, sizeof(buf), &(struct tf_req){ .method = "ACK" });
	ack = tf_env_rx(&E, buf, n, SL_TP_UDP);
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, ack, 400, NULL, NULL,
						 0), SL_EINVAL);
	ck_assert_int_eq(sl__txn_reject(E.l, ack, &err), SL_EINVAL);
	n = tf_response(buf, sizeof(buf), req_buf, req_len, 200, "x");
	resp = tf_env_rx(&E, buf, n, SL_TP_UDP);
	ck_assert_int_eq(sl__txn_reply_stateless(E.l, resp, 400, NULL, NULL,
						 0), SL_EINVAL);
	ck_assert_int_eq(sl__txn_reject(NULL, rx, &err), SL_EINVAL);
	ck_assert_int_eq(sl__txn_reject(E.l, NULL, &err), SL_EINVAL);
	ck_assert_int_eq(sl__txn_reject(E.l, rx, NULL), SL_EINVAL);
	err.status = 200;
	ck_assert_int_eq(sl__txn_reject(E.l, rx, &err), SL_EINVAL);
	err.status = 416;
	E.rec.fail_next = SL_ETRANSPORT;
	ck_assert_int_eq(sl__txn_reject(E.l, rx, &err), SL_ETRANSPORT);
	ck_assert_int_eq(sl__txn_reject(E.l, rx, &err), 0);
	ck_assert_int_eq(last_status_sent(), 416);
	ck_assert_uint_eq(E.rec.n, 4);
}
END_TEST

START_TEST(destroy_with_live_transactions_releases_requests)
{
	incoming("INVITE", SL_TP_UDP);
	incoming("OPTIONS", SL_TP_UDP);
	/* teardown destroys the layer and checks every buffer is back to
	 * the test's single reference. */
}
END_TEST

static Suite *check_txn_server_suite(void)
{
	Suite *s = suite_create("txn_server");
	TCase *inv = tcase_create("invite");
	TCase *non = tcase_create("non_invite");
	TCase *resp = tcase_create("respond");
	TCase *match = tcase_create("matching");
	TCase *sl = tcase_create("stateless");

	tcase_add_checked_fixture(inv, setup, teardown);
	tcase_add_test(inv, invite_gets_100_trying_after_200ms);
	tcase_add_test(inv, trying_delay_is_configurable);
	tcase_add_test(inv, no_100_trying_when_tu_answers_within_200ms);
	tcase_add_test(inv, tu_answer_at_150ms_cancels_the_100);
	tcase_add_test(inv, no_100_trying_for_non_invite);
	tcase_add_test(inv, invite_retransmission_gets_the_last_provisional);
	tcase_add_test(inv, invite_non2xx_timer_g_schedule_then_timer_h);
	tcase_add_test(inv, timer_g_and_h_follow_t1);
	tcase_add_test(inv, invite_completed_resends_final_on_retransmission);
	tcase_add_test(inv, ack_confirms_then_timer_i);
	tcase_add_test(inv, invite_tcp_no_timer_g_and_timer_i_zero);
	tcase_add_test(inv, invite_tcp_timer_h_still_runs);
	tcase_add_test(inv, invite_2xx_accepted_until_timer_l);
	tcase_add_test(inv, accepted_2xx_send_failure_keeps_the_state);
	suite_add_tcase(s, inv);

	tcase_add_checked_fixture(non, setup, teardown);
	tcase_add_test(non, non_invite_trying_proceeding_completed_timer_j);
	tcase_add_test(non, non_invite_final_from_trying);
	tcase_add_test(non, timer_j_follows_t1);
	tcase_add_test(non, non_invite_tcp_timer_j_is_zero);
	suite_add_tcase(s, non);

	tcase_add_checked_fixture(resp, setup, teardown);
	tcase_add_test(resp, response_carries_headers_body_and_tag);
	tcase_add_test(resp, respond_raw_takes_prebuilt_bytes);
	tcase_add_test(resp, respond_raw_non2xx_enters_completed);
	tcase_add_test(resp, respond_errors);
	tcase_add_test(resp, respond_on_a_client_transaction_is_estate);
	tcase_add_test(resp, responding_twice_with_a_final_is_estate);
	tcase_add_test(resp, respond_send_failure_terminates);
	tcase_add_test(resp, trying_send_failure_is_a_transport_error);
	tcase_add_test(resp, timer_g_send_failure_is_a_transport_error);
	tcase_add_test(resp, resend_failure_is_a_transport_error);
	tcase_add_test(resp, server_flow_closed);
	tcase_add_test(resp, destroy_with_live_transactions_releases_requests);
	suite_add_tcase(s, resp);

	tcase_add_checked_fixture(match, setup, teardown);
	tcase_add_test(match, requests_match_by_branch_sent_by_and_method);
	tcase_add_test(match, cancel_finds_its_invite);
	tcase_add_test(match, rfc2543_invite_ack_and_retransmission_matching);
	tcase_add_test(match, rfc2543_branch_without_cookie_and_re_invite_tag);
	tcase_add_test(match, rfc2543_non_invite_and_cancel);
	tcase_add_test(match, server_pool_exhaustion_is_a_stateless_503);
	tcase_add_test(match, server_timer_heap_exhaustion_is_a_503);
	suite_add_tcase(s, match);

	tcase_add_checked_fixture(sl, setup, teardown);
	tcase_add_test(sl, failed_checks_are_answered_statelessly);
	tcase_add_test(sl, no_check_leaves_requests_to_the_tu);
	tcase_add_test(sl, reply_stateless_and_reject_api);
	suite_add_tcase(s, sl);
	return s;
}

SL_CHECK_MAIN(check_txn_server_suite)
