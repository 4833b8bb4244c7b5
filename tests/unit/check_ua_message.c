/*
 * tests/unit/check_ua_message.c: requests outside any call through the
 * public API of sipline/message.h (lib/ua/message.c over the request
 * slots of lib/ua/call.c): two UAs in one process exchange MESSAGE and
 * OPTIONS over 127.0.0.1 (200, 415 for a type the receiver refuses), the
 * scripted peer of ua_peer.c challenges a MESSAGE (407, answered with
 * credentials, CSeq one more, same Call-ID) or never answers (code 0
 * after 64*T1 on the virtual clock), a UA on its own thread is called
 * from the test thread, and every argument error.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "sipline/message.h"
#include "sipline/sipline.h"
#include "check_main.h"

static struct sl_ua *A, *B;
static struct peer P;
static char B_URI[96], P_URI[96];
static size_t MEM_BEFORE;

/* What the recorder does not keep: the request ids. */
static int LAST_ID;
static char LAST_RAW[2048];

/* The callback runs on the UA's loop thread (a thread of its own in
 * thread mode): the recorder's mutex guards what it keeps. */
static void also(struct rec *r, const struct sl_event *ev)
{
	if (ev->type != SL_EV_REQUEST_RESULT)
		return;
	pthread_mutex_lock(&r->mu);
	LAST_ID = ev->request_id;
	snprintf(LAST_RAW, sizeof(LAST_RAW), "%.*s", (int)ev->raw_len,
		 ev->raw ? ev->raw : "");
	pthread_mutex_unlock(&r->mu);
}

static int last_id(void)
{
	int id;

	pthread_mutex_lock(&REC.mu);
	id = LAST_ID;
	pthread_mutex_unlock(&REC.mu);
	return id;
}

static struct sl_ua *make(const char *user, enum sl_run_mode mode)
{
	struct sl_ua_config c;
	struct sl_account a;
	struct sl_ua *ua;

	ua_test_config(&c, mode);
	c.max_lines = 1;
	if (mode == SL_RUN_APP) {
		ua = ua_app(&c);
	} else {
		ua = NULL;
		ck_assert_int_eq(sl_ua_create(&ua, &c), 0);
	}
	ua_test_account(&a, NULL);
	snprintf(a.user, sizeof(a.user), "%s", user);
	ck_assert_int_eq(sl_ua_set_account(ua, &a), 0);
	return ua;
}

static void uri_of(struct sl_ua *ua, const char *user, char *out,
		   size_t cap)
{
	char addr[64];

	ck_assert_int_gt(sl_ua_local_addr(ua, 0, addr, sizeof(addr)), 0);
	snprintf(out, cap, "sip:%s@%s", user, addr);
}

static void setup(void)
{
	MEM_BEFORE = mem_now();
	rec_reset();
	REC.also = also;
	LAST_ID = 0;
	LAST_RAW[0] = '\0';
	peer_open(&P);
	snprintf(P_URI, sizeof(P_URI), "sip:carol@127.0.0.1:%u", P.port);
	A = make("alice", SL_RUN_APP);
	B = make("bob", SL_RUN_APP);
	uri_of(B, "bob", B_URI, sizeof(B_URI));
}

static void teardown(void)
{
	ck_assert_int_eq(sl_ua_destroy(A, 0), 0);
	ck_assert_int_eq(sl_ua_destroy(B, 0), 0);
	A = B = NULL;
	peer_close(&P);
	ck_assert_uint_eq(mem_now(), MEM_BEFORE);
}

/* Steps both UAs until @n results came (bounded, real loopback I/O). */
static void pump_results(unsigned n)
{
	for (int i = 0; i < 2000 && rec_count(SL_EV_REQUEST_RESULT) < n;
	     i++) {
		sl_ua_step(A);
		sl_ua_step(B);
		if (i % 4 == 3)
			usleep_poll(1);
	}
	ck_assert_uint_ge(rec_count(SL_EV_REQUEST_RESULT), n);
}

START_TEST(message_delivered_200)
{
	static const char text[] = "hello bob";
	struct rec_ev r;
	int id;

	id = sl_ua_send_message(A, B_URI, "text/plain;charset=UTF-8", text,
				sizeof(text) - 1);
	ck_assert_int_gt(id, 0);
	pump_results(1);
	r = rec_last(SL_EV_REQUEST_RESULT);
	ck_assert_int_eq(r.code, 200);
	ck_assert_str_eq(r.reason, "OK");
	ck_assert_uint_gt(r.raw_len, 0);
	ck_assert_int_eq(last_id(), id);
	ck_assert_ptr_nonnull(strstr(LAST_RAW, "SIP/2.0 200"));
	/* B got it as SL_EV_MESSAGE, from alice. */
	ck_assert_uint_eq(rec_count(SL_EV_MESSAGE), 1);
	r = rec_last(SL_EV_MESSAGE);
	ck_assert_str_eq(r.body, text);
	ck_assert_str_eq(r.content_type, "text/plain;charset=UTF-8");
	ck_assert_ptr_nonnull(strstr(r.from, "sip:alice@example.com"));
	/* Ids never repeat. */
	ck_assert_int_gt(sl_ua_send_message(A, B_URI, "text/plain", "x", 1),
			 id);
	pump_results(2);
}
END_TEST

START_TEST(message_refused_415)
{
	struct rec_ev r;
	int id = sl_ua_send_message(A, B_URI, "application/x-unknown", "{}",
				    2);

	ck_assert_int_gt(id, 0);
	pump_results(1);
	r = rec_last(SL_EV_REQUEST_RESULT);
	ck_assert_int_eq(r.code, 415);
	ck_assert_int_eq(last_id(), id);
	/* §8.2.3: the 415 says what B takes. */
	ck_assert_ptr_nonnull(strstr(LAST_RAW, "Accept: text/plain"));
	ck_assert_uint_eq(rec_count(SL_EV_MESSAGE), 0);
	/* Once B accepts the type, the same request is delivered. */
	ck_assert_int_eq(sl_ua_accept_mime(B, "MESSAGE",
					   "application/x-unknown"), 0);
	ck_assert_int_gt(sl_ua_send_message(A, B_URI, "application/x-unknown",
					    "{}", 2), 0);
	pump_results(2);
	ck_assert_int_eq(rec_last(SL_EV_REQUEST_RESULT).code, 200);
	ck_assert_uint_eq(rec_count(SL_EV_MESSAGE), 1);
}
END_TEST

START_TEST(options_answered)
{
	struct rec_ev r;
	int id = sl_ua_send_options(A, B_URI);

	ck_assert_int_gt(id, 0);
	pump_results(1);
	r = rec_last(SL_EV_REQUEST_RESULT);
	ck_assert_int_eq(r.code, 200);
	ck_assert_int_eq(last_id(), id);
	ck_assert_ptr_nonnull(strstr(LAST_RAW, "Allow: INVITE"));
	ck_assert_ptr_nonnull(strstr(LAST_RAW, "MESSAGE"));
}
END_TEST

/* The next message the peer gets must be request @method. */
static void expect(const char *method)
{
	ck_assert_msg(wait_peer(&P, A), "no %s came", method);
	ck_assert_msg(peer_is(&P, method), "%s expected, got:\n%s", method,
		      P.buf);
}

START_TEST(message_digest_retry)
{
	static const char chal[] =
		"Proxy-Authenticate: Digest realm=\"example.com\", "
		"nonce=\"n0nce\", qop=\"auth\", algorithm=MD5\r\n";
	char call_id[128], auth[1024];
	uint32_t cseq;
	struct rec_ev r;
	int id;

	id = sl_ua_send_message(A, P_URI, "text/plain", "hi", 2);
	ck_assert_int_gt(id, 0);
	expect("MESSAGE");
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), "");
	sl_slice_copy(P.msg.call_id, call_id, sizeof(call_id));
	cseq = P.msg.cseq.seq;
	peer_reply(&P, 407, chal);
	/* §22.2: the same request with credentials, CSeq one more. */
	expect("MESSAGE");
	snprintf(auth, sizeof(auth), "%s",
		 peer_hdr(&P, "Proxy-Authorization"));
	ck_assert_ptr_nonnull(strstr(auth, "Digest "));
	ck_assert_ptr_nonnull(strstr(auth, "username=\"alice\""));
	ck_assert_ptr_nonnull(strstr(auth, "nonce=\"n0nce\""));
	ck_assert_ptr_nonnull(strstr(auth, "nc=00000001"));
	ck_assert(sl_slice_eq(P.msg.call_id, call_id));
	ck_assert_uint_eq(P.msg.cseq.seq, cseq + 1);
	ck_assert(sl_slice_eq(P.msg.body, "hi"));
	ck_assert_uint_eq(rec_count(SL_EV_REQUEST_RESULT), 0);
	peer_reply(&P, 202, NULL);
	for (int i = 0; i < 200 && !rec_count(SL_EV_REQUEST_RESULT); i++) {
		sl_ua_step(A);
		usleep_poll(1);
	}
	r = rec_last(SL_EV_REQUEST_RESULT);
	ck_assert_int_eq(r.code, 202);
	ck_assert_int_eq(last_id(), id);
	/* The next request is pre-authenticated from the cache. */
	ck_assert_int_gt(sl_ua_send_options(A, P_URI), 0);
	expect("OPTIONS");
	ck_assert_ptr_nonnull(strstr(peer_hdr(&P, "Proxy-Authorization"),
				     "nc=00000002"));
}
END_TEST

START_TEST(message_refused_credentials)
{
	static const char chal[] =
		"WWW-Authenticate: Digest realm=\"example.com\", "
		"nonce=\"abc\", algorithm=MD5\r\n";
	struct rec_ev r;

	ck_assert_int_gt(sl_ua_send_message(A, P_URI, "text/plain", "x", 1),
			 0);
	expect("MESSAGE");
	peer_reply(&P, 401, chal);
	expect("MESSAGE");
	ck_assert_ptr_nonnull(strstr(peer_hdr(&P, "Authorization"),
				     "nonce=\"abc\""));
	/* The same challenge again: the credentials were refused; the
	 * 401 is the result, with no third attempt. */
	peer_reply(&P, 401, chal);
	for (int i = 0; i < 200 && !rec_count(SL_EV_REQUEST_RESULT); i++) {
		sl_ua_step(A);
		usleep_poll(1);
	}
	r = rec_last(SL_EV_REQUEST_RESULT);
	ck_assert_int_eq(r.code, 401);
	ck_assert(!advance(A, 40000, &P));
}
END_TEST

START_TEST(message_no_answer_code_0)
{
	struct rec_ev r;
	uint64_t t0;
	int id = sl_ua_send_message(A, P_URI, "text/plain", "anyone?", 7);

	ck_assert_int_gt(id, 0);
	expect("MESSAGE");
	t0 = vnow_ms();
	/* Retransmissions go unanswered; Timer F (64*T1) ends it. */
	for (int i = 0; i < 100 && !rec_count(SL_EV_REQUEST_RESULT); i++)
		advance(A, 1000, NULL);
	r = rec_last(SL_EV_REQUEST_RESULT);
	ck_assert_uint_eq(rec_count(SL_EV_REQUEST_RESULT), 1);
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(r.reason, sl_strerror(SL_ETIMEOUT));
	ck_assert_uint_eq(r.raw_len, 0);
	ck_assert_int_eq(last_id(), id);
	ck_assert_uint_ge(vnow_ms() - t0, 64 * 500);
	ck_assert_uint_le(vnow_ms() - t0, 64 * 500 + 1000);
}
END_TEST

START_TEST(argument_errors)
{
	char big[SL_MESSAGE_BODY_MAX + 1];
	struct sl_ua_config c;
	struct sl_ua *bare;

	memset(big, 'x', sizeof(big));
	ck_assert_int_eq(sl_ua_send_message(NULL, B_URI, "text/plain", "x",
					    1), SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, NULL, "text/plain", "x", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, "", "text/plain", "x", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, "sip:a\r\nX: y@b",
					    "text/plain", "x", 1), SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, B_URI, NULL, "x", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, B_URI, "text", "x", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, B_URI, "text/plain\r\nX: y",
					    "x", 1), SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, B_URI, "text/plain", NULL, 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, B_URI, "text/plain", "x", 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_message(A, B_URI, "text/plain", big,
					    sizeof(big)), SL_EINVAL);
	ck_assert_int_gt(sl_ua_send_message(A, B_URI, "text/plain", big,
					    sizeof(big) - 1), 0);
	ck_assert_int_eq(sl_ua_send_message(A, "bob@",
					    "text/plain", "x", 1), SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_options(NULL, B_URI), SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_options(A, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_send_options(A, "sip:"), SL_EINVAL);
	ck_assert_int_gt(sl_ua_send_options(A, P_URI), 0);

	/* No account yet. */
	ua_test_config(&c, SL_RUN_APP);
	bare = ua_app(&c);
	ck_assert_int_eq(sl_ua_send_message(bare, B_URI, "text/plain", "x",
					    1), SL_ESTATE);
	ck_assert_int_eq(sl_ua_send_options(bare, B_URI), SL_ESTATE);
	ck_assert_int_eq(sl_ua_destroy(bare, 0), 0);
}
END_TEST

START_TEST(slots_exhausted_enomem)
{
	int ids[SL_REQUESTS_MAX];

	for (unsigned i = 0; i < SL_REQUESTS_MAX; i++) {
		ids[i] = sl_ua_send_options(A, P_URI);
		ck_assert_int_gt(ids[i], 0);
	}
	ck_assert_int_eq(sl_ua_send_options(A, P_URI), SL_ENOMEM);
	/* Every request ends (no answer: code 0); the slots come back. */
	for (int i = 0; i < 100 && rec_count(SL_EV_REQUEST_RESULT) <
	     SL_REQUESTS_MAX; i++)
		advance(A, 1000, NULL);
	ck_assert_uint_eq(rec_count(SL_EV_REQUEST_RESULT), SL_REQUESTS_MAX);
	ck_assert_int_gt(sl_ua_send_options(A, P_URI),
			 ids[SL_REQUESTS_MAX - 1]);
}
END_TEST

/* A UA with its own loop thread, called from the test thread: the call
 * is marshalled and the result comes on the loop's callback. */
START_TEST(thread_mode_message)
{
	struct sl_ua *t1, *t2;
	char uri[96];
	uint64_t end;
	int id;

	t1 = make("tom", SL_RUN_THREAD);
	t2 = make("tim", SL_RUN_THREAD);
	uri_of(t2, "tim", uri, sizeof(uri));
	id = sl_ua_send_message(t1, uri, "text/plain", "threads", 7);
	ck_assert_int_gt(id, 0);
	end = wall_ms() + 5000;
	while (wall_ms() < end && (!rec_count(SL_EV_REQUEST_RESULT) ||
				   !rec_count(SL_EV_MESSAGE)))
		usleep_poll(2);
	ck_assert_int_eq(rec_last(SL_EV_REQUEST_RESULT).code, 200);
	ck_assert_str_eq(rec_last(SL_EV_MESSAGE).body, "threads");
	ck_assert_int_eq(last_id(), id);
	ck_assert_int_eq(sl_ua_destroy(t1, 200), 0);
	ck_assert_int_eq(sl_ua_destroy(t2, 200), 0);
	/* After destruction: SL_EINVAL is all a NULL gets. */
	ck_assert_int_eq(sl_ua_send_options(NULL, uri), SL_EINVAL);
}
END_TEST

static Suite *check_ua_message_suite(void)
{
	Suite *s = suite_create("ua_message");
	TCase *tc = tcase_create("message");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, message_delivered_200);
	tcase_add_test(tc, message_refused_415);
	tcase_add_test(tc, options_answered);
	tcase_add_test(tc, message_digest_retry);
	tcase_add_test(tc, message_refused_credentials);
	tcase_add_test(tc, message_no_answer_code_0);
	tcase_add_test(tc, argument_errors);
	tcase_add_test(tc, slots_exhausted_enomem);
	tcase_add_test(tc, thread_mode_message);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_ua_message_suite)
