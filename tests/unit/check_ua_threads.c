/*
 * tests/unit/check_ua_threads.c: the UA's threading contract (lib/ua/
 * ua.c, events.c; FEATURES K1, K6): own-thread mode with a peer thread
 * answering on 127.0.0.1 - destruction bounded in time when the registrar
 * never answers, unregistration with a wait that is met and one that runs
 * out, the API called from four threads at once while SIP-message events
 * flow (every result checked, nothing lost, no deadlock), the API called
 * from inside event callbacks (in both run modes), and queue mode drained
 * by another thread through the event fd.
 *
 * Real time passes here (the loop runs on its own thread with the
 * monotonic clock); every wait is bounded and none is a sleep that hopes
 * for something to have happened: each polls for the condition.
 */
#include <check.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "check_main.h"

/* ---- a peer on its own thread ---- */

enum peer_mode { ANSWER = 0, SILENT = 1 };

struct autopeer {
	struct peer p;
	pthread_t th;
	_Atomic int mode;
	_Atomic int stop;
	_Atomic unsigned registers;
	_Atomic unsigned unregisters;
	_Atomic unsigned answers;     /* responses the UA sent us */
	_Atomic unsigned options_out; /* OPTIONS we sent */
	_Atomic int send_options;     /* how many OPTIONS to send */
	struct sockaddr_in ua;
};

static struct autopeer AP;
static struct sl_ua *UA;

static void *peer_main(void *arg)
{
	struct autopeer *a = arg;

	while (!atomic_load(&a->stop)) {
		if (atomic_load(&a->options_out) <
		    (unsigned)atomic_load(&a->send_options)) {
			char req[512];
			unsigned n = atomic_fetch_add(&a->options_out, 1);

			snprintf(req, sizeof(req),
				 "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
				 "Via: SIP/2.0/UDP 127.0.0.1:%u;"
				 "branch=z9hG4bKth%u\r\n"
				 "From: <sip:peer@127.0.0.1>;tag=t%u\r\n"
				 "To: <sip:alice@127.0.0.1>\r\n"
				 "Call-ID: th%u@test\r\nCSeq: 1 OPTIONS\r\n"
				 "Max-Forwards: 70\r\nContent-Length: 0\r\n"
				 "\r\n", a->p.port, n, n, n);
			peer_send(&a->p, &a->ua, req);
		}
		if (!peer_poll(&a->p, 2))
			continue;
		if (!a->p.msg.is_request) {
			atomic_fetch_add(&a->answers, 1);
			continue;
		}
		if (!peer_is(&a->p, "REGISTER"))
			continue;
		if (!strcmp(peer_hdr(&a->p, "Expires"), "0"))
			atomic_fetch_add(&a->unregisters, 1);
		else
			atomic_fetch_add(&a->registers, 1);
		if (atomic_load(&a->mode) == ANSWER)
			peer_reply(&a->p, 200, NULL);
	}
	return NULL;
}

static void peer_start(void)
{
	memset(&AP, 0, sizeof(AP));
	peer_open(&AP.p);
	ck_assert_int_eq(pthread_create(&AP.th, NULL, peer_main, &AP), 0);
}

static void peer_stop(void)
{
	atomic_store(&AP.stop, 1);
	pthread_join(AP.th, NULL);
	peer_close(&AP.p);
}

/* Waits (bounded, real time) for @cond. */
#define WAIT_FOR(cond)                                                 \
	do {                                                           \
		for (int w_ = 0; w_ < 5000 && !(cond); w_++)           \
			usleep_poll(1);                                \
	} while (0)

static struct sl_ua *thread_ua(int sip_events, enum sl_event_mode mode)
{
	struct sl_ua_config c;
	struct sl_ua *ua;

	ua_test_config(&c, SL_RUN_THREAD);
	c.sip_message_events = sip_events;
	c.event_mode = mode;
	if (mode == SL_EVENTS_QUEUE)
		c.event_cb = NULL;
	ck_assert_int_eq(sl_ua_create(&ua, &c), 0);
	return ua;
}

static void setup(void)
{
	rec_reset();
	peer_start();
	UA = NULL;
}

static void teardown(void)
{
	if (UA)
		ck_assert_int_eq(sl_ua_destroy(UA, 0), 0);
	UA = NULL;
	peer_stop();
}

static void account(struct sl_ua *ua, int with_registrar)
{
	struct sl_account a;

	ua_test_account(&a, with_registrar ? &AP.p : NULL);
	a.reg_retry_ms = 100;
	ck_assert_int_eq(sl_ua_set_account(ua, &a), 0);
}

/* ---- bounded waits ---- */

START_TEST(destroy_bounded_registrar_silent)
{
	size_t before = mem_now();
	uint64_t t0, spent;

	atomic_store(&AP.mode, SILENT);
	UA = thread_ua(0, SL_EVENTS_CALLBACK);
	account(UA, 1);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	WAIT_FOR(atomic_load(&AP.registers) > 0);
	ck_assert_uint_gt(atomic_load(&AP.registers), 0);
	t0 = wall_ms();
	ck_assert_int_eq(sl_ua_destroy(UA, 300), 0);
	spent = wall_ms() - t0;
	UA = NULL;
	/* The wait ran out (nobody answers), and not much more. */
	ck_assert_uint_ge(spent, 290);
	ck_assert_uint_lt(spent, 2000);
	/* The binding that might exist was asked to go. */
	WAIT_FOR(atomic_load(&AP.unregisters) > 0);
	ck_assert_uint_gt(atomic_load(&AP.unregisters), 0);
	ck_assert_uint_eq(rec_count(SL_EV_DESTROYED), 1);
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

START_TEST(destroy_waits_for_unregister)
{
	uint64_t t0, spent;

	UA = thread_ua(0, SL_EVENTS_CALLBACK);
	account(UA, 1);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	WAIT_FOR(rec_count(SL_EV_REGISTERED) == 1);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 1);
	t0 = wall_ms();
	ck_assert_int_eq(sl_ua_destroy(UA, 5000), 0);
	spent = wall_ms() - t0;
	UA = NULL;
	/* The registrar answered: no need to wait the whole bound. */
	ck_assert_uint_lt(spent, 4000);
	ck_assert_uint_eq(atomic_load(&AP.unregisters), 1);
	/* The answer's event was delivered before the last one. */
	ck_assert_uint_eq(rec_count(SL_EV_UNREGISTERED), 1);
	ck_assert_int_eq(REC.ev[REC.n - 1].type, SL_EV_DESTROYED);
}
END_TEST

START_TEST(unregister_waits)
{
	uint64_t t0, spent;

	UA = thread_ua(0, SL_EVENTS_CALLBACK);
	account(UA, 1);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	WAIT_FOR(rec_count(SL_EV_REGISTERED) == 1);
	/* Answered: the wait ends with the answer. */
	ck_assert_int_eq(sl_ua_unregister(UA, 5000), 0);
	ck_assert_uint_eq(atomic_load(&AP.unregisters), 1);
	WAIT_FOR(rec_count(SL_EV_UNREGISTERED) == 1);
	ck_assert_int_eq(rec_last(SL_EV_UNREGISTERED).code, 200);

	/* Not answered: the wait runs out, the request goes on. */
	ck_assert_int_eq(sl_ua_register(UA), 0);
	WAIT_FOR(rec_count(SL_EV_REGISTERED) == 2);
	atomic_store(&AP.mode, SILENT);
	t0 = wall_ms();
	ck_assert_int_eq(sl_ua_unregister(UA, 200), SL_ETIMEOUT);
	spent = wall_ms() - t0;
	ck_assert_uint_ge(spent, 190);
	ck_assert_uint_lt(spent, 2000);
	ck_assert_uint_eq(rec_count(SL_EV_UNREGISTERED), 1);
	/* The registrar comes back for the retransmission. */
	atomic_store(&AP.mode, ANSWER);
	WAIT_FOR(rec_count(SL_EV_UNREGISTERED) == 2);
	ck_assert_uint_eq(rec_count(SL_EV_UNREGISTERED), 2);
}
END_TEST

/* ---- four threads at once ---- */

struct worker {
	pthread_t th;
	int kind;
	int failures;
	int calls;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char buf[64];

	for (int i = 0; i < 300; i++) {
		int rc, id;

		switch (w->kind) {
		case 0:
			id = sl_ua_add_header(UA, 0, NULL, SL_HDR_DIR_RESPONSE,
					      "X-W", "1");
			if (id <= 0)
				w->failures++;
			else if (sl_ua_remove_header(UA, id) != 0)
				w->failures++;
			w->calls += 2;
			break;
		case 1:
			snprintf(buf, sizeof(buf), "Name %d", i);
			if (sl_ua_set_display_name(UA, buf) != 0)
				w->failures++;
			w->calls++;
			break;
		case 2:
			snprintf(buf, sizeof(buf), "application/x-%d", i % 8);
			if (sl_ua_accept_mime(UA, "INFO", buf) != 0)
				w->failures++;
			w->calls++;
			break;
		default:
			rc = sl_ua_local_addr(UA, 0, buf, sizeof(buf));
			if (rc <= 0 || strncmp(buf, "127.0.0.1:", 10))
				w->failures++;
			if (sl_ua_events_dropped(UA) < 0)
				w->failures++;
			w->calls += 2;
			break;
		}
	}
	return NULL;
}

START_TEST(four_threads_while_events_flow)
{
	struct worker w[4];
	size_t before = mem_now();

	UA = thread_ua(3, SL_EVENTS_CALLBACK);
	account(UA, 0);
	ua_addr(UA, &AP.ua);
	atomic_store(&AP.send_options, 200);
	for (int i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].kind = i;
		ck_assert_int_eq(pthread_create(&w[i].th, NULL, worker_main,
						&w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(w[i].th, NULL);
		ck_assert_int_eq(w[i].failures, 0);
		ck_assert_int_gt(w[i].calls, 0);
	}
	WAIT_FOR(atomic_load(&AP.answers) == 200);
	ck_assert_uint_eq(atomic_load(&AP.answers), 200);
	WAIT_FOR(rec_count(SL_EV_SIP_SENT) == 200);
	ck_assert_uint_eq(rec_count(SL_EV_SIP_RECEIVED), 200);
	ck_assert_uint_eq(rec_count(SL_EV_SIP_SENT), 200);
	ck_assert_int_eq(sl_ua_events_dropped(UA), 0);
	/* Every rule added was removed again. */
	ck_assert_uint_eq(UA->hdrs.n, 0);
	ck_assert_int_eq(sl_ua_destroy(UA, 0), 0);
	UA = NULL;
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

/* ---- the API from inside callbacks ---- */

static _Atomic int CB_DONE;
static _Atomic int CB_BAD;

static void from_callback(struct rec *r, const struct sl_event *ev)
{
	char buf[64];
	int id;

	if (ev->type != SL_EV_SIP_RECEIVED || atomic_load(&CB_DONE))
		return;
	(void)r;
	id = sl_ua_add_header(UA, 0, NULL, SL_HDR_DIR_BOTH, "X-Cb", "1");
	if (id <= 0 || sl_ua_remove_header(UA, id) != 0)
		atomic_fetch_add(&CB_BAD, 1);
	if (sl_ua_local_addr(UA, 0, buf, sizeof(buf)) <= 0)
		atomic_fetch_add(&CB_BAD, 1);
	/* The loop cannot free itself, nor step inside a step. */
	if (sl_ua_destroy(UA, 0) != SL_ESTATE)
		atomic_fetch_add(&CB_BAD, 1);
	if (sl_ua_step(UA) != SL_ESTATE)
		atomic_fetch_add(&CB_BAD, 1);
	/* No registrar in this account: a plain wrong state, at once. */
	if (sl_ua_register(UA) != SL_ESTATE ||
	    sl_ua_unregister(UA, 1000) != SL_ESTATE)
		atomic_fetch_add(&CB_BAD, 1);
	if (sl_ua_set_display_name(UA, "From callback") != 0)
		atomic_fetch_add(&CB_BAD, 1);
	atomic_store(&CB_DONE, 1);
}

static void callbacks_call_api(enum sl_run_mode mode)
{
	struct sl_ua_config c;

	atomic_store(&CB_DONE, 0);
	atomic_store(&CB_BAD, 0);
	ua_test_config(&c, mode);
	c.sip_message_events = 1;
	if (mode == SL_RUN_APP)
		UA = ua_app(&c);
	else
		ck_assert_int_eq(sl_ua_create(&UA, &c), 0);
	account(UA, 0);
	REC.also = from_callback;
	ua_addr(UA, &AP.ua);
	atomic_store(&AP.send_options, 1);
	for (int i = 0; i < 5000 && !atomic_load(&CB_DONE); i++) {
		if (mode == SL_RUN_APP)
			ck_assert_int_eq(sl_ua_step(UA), 0);
		usleep_poll(1);
	}
	ck_assert_int_eq(atomic_load(&CB_DONE), 1);
	ck_assert_int_eq(atomic_load(&CB_BAD), 0);
	ck_assert_str_eq(UA->acct.a.display_name, "From callback");
}

START_TEST(callbacks_call_api_thread)
{
	callbacks_call_api(SL_RUN_THREAD);
}
END_TEST

START_TEST(callbacks_call_api_app)
{
	callbacks_call_api(SL_RUN_APP);
}
END_TEST

/* ---- queue mode drained by another thread ---- */

struct drainer {
	pthread_t th;
	_Atomic unsigned got;      /* read by the test thread while it runs */
	unsigned bad;
	_Atomic int stop;
};

static void *drain_main(void *arg)
{
	struct drainer *d = arg;
	int fd = sl_ua_event_fd(UA);

	while (!atomic_load(&d->stop)) {
		struct pollfd p = { fd, POLLIN, 0 };
		struct sl_event ev;
		int rc;

		if (poll(&p, 1, 5) <= 0)
			continue;
		while ((rc = sl_ua_event_next(UA, &ev)) == 1) {
			if (ev.type != SL_EV_SIP_RECEIVED &&
			    ev.type != SL_EV_SIP_SENT)
				d->bad++;
			else if (!ev.raw || ev.raw[ev.raw_len] != '\0')
				d->bad++;
			d->got++;
		}
		if (rc < 0)
			d->bad++;
	}
	return NULL;
}

START_TEST(queue_drained_by_thread)
{
	struct drainer d;

	UA = thread_ua(3, SL_EVENTS_QUEUE);
	ua_addr(UA, &AP.ua);
	memset(&d, 0, sizeof(d));
	ck_assert_int_eq(pthread_create(&d.th, NULL, drain_main, &d), 0);
	atomic_store(&AP.send_options, 100);
	WAIT_FOR(atomic_load(&AP.answers) == 100);
	for (int i = 0; i < 5000 && atomic_load(&d.got) < 200; i++)
		usleep_poll(1);
	atomic_store(&d.stop, 1);
	pthread_join(d.th, NULL);
	ck_assert_uint_eq(d.bad, 0);
	ck_assert_uint_eq(d.got, 200);
	ck_assert_int_eq(sl_ua_events_dropped(UA), 0);
}
END_TEST

static Suite *ua_threads_suite(void)
{
	Suite *s = suite_create("ua_threads");
	TCase *tc = tcase_create("threads");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, destroy_bounded_registrar_silent);
	tcase_add_test(tc, destroy_waits_for_unregister);
	tcase_add_test(tc, unregister_waits);
	tcase_add_test(tc, four_threads_while_events_flow);
	tcase_add_test(tc, callbacks_call_api_thread);
	tcase_add_test(tc, callbacks_call_api_app);
	tcase_add_test(tc, queue_drained_by_thread);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(ua_threads_suite)
