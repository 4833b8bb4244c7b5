/*
 * tests/unit/check_ua_options.c: requests the UA core answers (lib/ua/
 * options.c; RFC 3261 §8.2, §11, §12.2.2; RFC 3428) and the custom header
 * rules on the wire (lib/ua/headers.c), against a scripted peer on
 * 127.0.0.1 with the UA application-driven: the OPTIONS answer, MESSAGE
 * and its event, 415 for unknown body types and encodings (and the types
 * added with sl_ua_accept_mime()), 501 / 405 / 481 / 420, the SIP-message
 * events per direction, and header rules filtered by method, direction and
 * session, modifying and adding, on requests and responses.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "check_main.h"

/* Every method the UA (with its call engine) handles, in its order. */
#define ALLOW_LINE \
	"\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, " \
	"UPDATE, PRACK\r\n"

static struct peer P;
static struct sl_ua *UA;
static struct sockaddr_in TO;
static unsigned SEQ;

static void start_with(int sip_events)
{
	struct sl_ua_config c;

	rec_reset();
	peer_open(&P);
	ua_test_config(&c, SL_RUN_APP);
	c.sip_message_events = sip_events;
	UA = ua_app(&c);
	ua_addr(UA, &TO);
}

static void setup(void)
{
	start_with(0);
}

static void teardown(void)
{
	if (UA)
		sl_ua_destroy(UA, 0);
	UA = NULL;
	peer_close(&P);
}

/*
 * Sends a request from the peer and waits for the UA's answer (in P).
 * @to_tag: NULL for none. @extra: header lines with CRLF. @ctype, @body:
 * NULL for no body.
 */
static void request(const char *method, const char *to_tag,
		    const char *extra, const char *ctype, const char *body)
{
	char req[4096];
	size_t blen = body ? strlen(body) : 0;

	SEQ++;
	snprintf(req, sizeof(req),
		 "%s sip:alice@127.0.0.1:%u SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKopt%u\r\n"
		 "From: \"Bob\" <sip:bob@example.com>;tag=bt%u\r\n"
		 "To: <sip:alice@example.com>%s%s\r\n"
		 "Call-ID: opt%u@test\r\n"
		 "CSeq: %u %s\r\n"
		 "Max-Forwards: 70\r\n"
		 "%s%s%s%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 method, ntohs(TO.sin_port), P.port, SEQ, SEQ,
		 to_tag ? ";tag=" : "", to_tag ? to_tag : "", SEQ, SEQ,
		 method, extra ? extra : "", ctype ? "Content-Type: " : "",
		 ctype ? ctype : "", ctype ? "\r\n" : "", blen,
		 body ? body : "");
	peer_send(&P, &TO, req);
	ck_assert_msg(wait_peer(&P, UA), "no answer to %s", method);
	ck_assert(!P.msg.is_request);
}

static void expect_status(int status)
{
	ck_assert_msg(P.msg.status == status, "got %d, want %d:\n%s",
		      P.msg.status, status, P.buf);
	/* §8.2.6.2: every answer but 100 is tagged. */
	ck_assert_uint_gt(P.msg.to.tag.len, 0);
}

START_TEST(options_answer)
{
	request("OPTIONS", NULL, NULL, NULL, NULL);
	expect_status(200);
	ck_assert(peer_has(&P, ALLOW_LINE));
	ck_assert(peer_has(&P, "\r\nAccept: application/sdp, multipart/mixed"
			   ", message/sipfrag, application/simple-message-"
			   "summary, text/plain, application/dtmf-relay, "
			   "application/media_control+xml\r\n"));
	ck_assert_str_eq(peer_hdr(&P, "Accept-Encoding"), "identity");
	ck_assert_str_eq(peer_hdr(&P, "Accept-Language"), "en");
	ck_assert(!strncmp(peer_hdr(&P, "Server"), "sipline/", 8));
	/* The call engine's extensions with the default configuration. */
	ck_assert(peer_has(&P, "\r\nSupported: 100rel, timer\r\n"));
	ck_assert_int_eq(P.msg.content_length, 0);
	/* An extra accepted type shows up in Accept. */
	ck_assert_int_eq(sl_ua_accept_mime(UA, NULL, "application/x-y"), 0);
	request("OPTIONS", NULL, NULL, NULL, NULL);
	ck_assert(peer_has(&P, "application/media_control+xml, "
			   "application/x-y\r\n"));
}
END_TEST

START_TEST(message_delivered)
{
	struct rec_ev e;

	request("MESSAGE", NULL, NULL, "text/plain;charset=UTF-8",
		"hello there");
	expect_status(200);
	PUMP_UNTIL(UA, rec_count(SL_EV_MESSAGE) == 1);
	e = rec_last(SL_EV_MESSAGE);
	ck_assert_str_eq(e.from, "sip:bob@example.com");
	ck_assert_str_eq(e.content_type, "text/plain;charset=UTF-8");
	ck_assert_str_eq(e.body, "hello there");
	ck_assert_uint_gt(e.raw_len, 0);
}
END_TEST

/* The display name and the body's bytes reach the callback intact. */
static struct sl_event_copy {
	char from_display[64];
	char to[64];
	char call_id[64];
	size_t body_len;
	int body_in_raw;
} GOT;

static void grab(struct rec *r, const struct sl_event *ev)
{
	(void)r;
	if (ev->type != SL_EV_MESSAGE)
		return;
	snprintf(GOT.from_display, sizeof(GOT.from_display), "%s",
		 ev->from_display);
	snprintf(GOT.to, sizeof(GOT.to), "%s", ev->to);
	snprintf(GOT.call_id, sizeof(GOT.call_id), "%s", ev->call_id);
	GOT.body_len = ev->body_len;
	GOT.body_in_raw = (const char *)ev->body > ev->raw &&
			  (const char *)ev->body < ev->raw + ev->raw_len;
}

START_TEST(message_fields)
{
	REC.also = grab;
	memset(&GOT, 0, sizeof(GOT));
	request("MESSAGE", NULL, NULL, "text/plain", "x\001y");
	expect_status(200);
	PUMP_UNTIL(UA, rec_count(SL_EV_MESSAGE) == 1);
	ck_assert_str_eq(GOT.from_display, "Bob");
	ck_assert_str_eq(GOT.to, "sip:alice@example.com");
	ck_assert(!strncmp(GOT.call_id, "opt", 3));
	ck_assert_uint_eq(GOT.body_len, 3);
	ck_assert(GOT.body_in_raw);
}
END_TEST

START_TEST(unsupported_body)
{
	request("MESSAGE", NULL, NULL, "application/foo", "<x/>");
	expect_status(415);
	ck_assert_str_eq(peer_hdr(&P, "Accept"), "text/plain");
	/* No Content-Type on a body is no better. */
	request("MESSAGE", NULL, NULL, NULL, "plain?");
	expect_status(415);
	ck_assert_uint_eq(rec_count(SL_EV_MESSAGE), 0);
	/* Accepted from now on, for MESSAGE only. */
	ck_assert_int_eq(sl_ua_accept_mime(UA, "MESSAGE", "application/foo"),
			 0);
	request("MESSAGE", NULL, NULL, "Application/Foo; v=1", "<x/>");
	expect_status(200);
	ck_assert(peer_has(&P, "SIP/2.0 200 OK"));
	PUMP_UNTIL(UA, rec_count(SL_EV_MESSAGE) == 1);
	ck_assert_str_eq(rec_last(SL_EV_MESSAGE).content_type,
			 "Application/Foo; v=1");
	/* OPTIONS with a body of a type nobody accepts for it. */
	request("OPTIONS", NULL, NULL, "application/sdp", "v=0\r\n");
	expect_status(415);
	ck_assert_str_eq(peer_hdr(&P, "Accept"), "");
}
END_TEST

START_TEST(unsupported_encoding)
{
	request("MESSAGE", NULL, "Content-Encoding: gzip\r\n", "text/plain",
		"zz");
	expect_status(415);
	ck_assert_str_eq(peer_hdr(&P, "Accept-Encoding"), "identity");
	request("MESSAGE", NULL, "Content-Encoding: identity\r\n",
		"text/plain", "ok");
	expect_status(200);
}
END_TEST

START_TEST(methods_refused)
{
	request("FOO", NULL, NULL, NULL, NULL);
	expect_status(501);
	ck_assert(peer_has(&P, ALLOW_LINE));
	request("REGISTER", NULL, NULL, NULL, NULL);
	expect_status(405);
	ck_assert(peer_has(&P, ALLOW_LINE));
	request("SUBSCRIBE", NULL, "Event: presence\r\n", NULL, NULL);
	expect_status(405);
	/* INFO is a call-engine method: allowed, but this one names a
	 * dialog that does not exist (§12.2.2). */
	request("INFO", "t1", NULL, NULL, NULL);
	expect_status(481);
}
END_TEST

START_TEST(outside_any_dialog)
{
	/* §12.2.2: a To tag and no dialog. */
	request("OPTIONS", "gone", NULL, NULL, NULL);
	expect_status(481);
	ck_assert(sl_slice_eq(P.msg.to.tag, "gone"));
	request("MESSAGE", "gone", NULL, "text/plain", "hi");
	expect_status(481);
	ck_assert_uint_eq(rec_count(SL_EV_MESSAGE), 0);
	/* §9.2: a CANCEL for no INVITE. */
	request("CANCEL", NULL, NULL, NULL, NULL);
	expect_status(481);
}
END_TEST

START_TEST(require_unknown)
{
	request("OPTIONS", NULL, "Require: x-unknown-ext\r\n", NULL, NULL);
	ck_assert_int_eq(P.msg.status, 420);
	ck_assert_str_eq(peer_hdr(&P, "Unsupported"), "x-unknown-ext");
}
END_TEST

START_TEST(sip_events_received_only)
{
	teardown();
	start_with(1);
	request("OPTIONS", NULL, NULL, NULL, NULL);
	pump(UA);
	ck_assert_uint_eq(rec_count(SL_EV_SIP_RECEIVED), 1);
	ck_assert_uint_eq(rec_count(SL_EV_SIP_SENT), 0);
	ck_assert_uint_eq(rec_last(SL_EV_SIP_RECEIVED).raw_len,
			  strlen(rec_last(SL_EV_SIP_RECEIVED).reason) * 0 +
			  rec_last(SL_EV_SIP_RECEIVED).raw_len);
}
END_TEST

START_TEST(sip_events_sent_only)
{
	teardown();
	start_with(2);
	request("OPTIONS", NULL, NULL, NULL, NULL);
	pump(UA);
	ck_assert_uint_eq(rec_count(SL_EV_SIP_RECEIVED), 0);
	ck_assert_uint_eq(rec_count(SL_EV_SIP_SENT), 1);
	ck_assert_uint_eq(rec_last(SL_EV_SIP_SENT).raw_len, P.len);
}
END_TEST

/* ---- custom header rules on the wire ---- */

START_TEST(rules_on_responses)
{
	int all, opt, msg, req, sess, mod;

	all = sl_ua_add_header(UA, 0, NULL, SL_HDR_DIR_BOTH, "X-All", "a");
	opt = sl_ua_add_header(UA, 0, "OPTIONS", SL_HDR_DIR_RESPONSE,
			       "X-Opt", "o");
	msg = sl_ua_add_header(UA, 0, "MESSAGE", SL_HDR_DIR_RESPONSE,
			       "X-Msg", "m");
	req = sl_ua_add_header(UA, 0, NULL, SL_HDR_DIR_REQUEST, "X-Req", "r");
	sess = sl_ua_add_header(UA, 7, NULL, SL_HDR_DIR_BOTH, "X-Sess", "s");
	mod = sl_ua_modify_header(UA, 0, NULL, SL_HDR_DIR_RESPONSE, "Server",
				  "phone/9");
	ck_assert(all > 0 && opt > 0 && msg > 0 && req > 0 && sess > 0 &&
		  mod > 0);

	request("OPTIONS", NULL, NULL, NULL, NULL);
	expect_status(200);
	ck_assert_str_eq(peer_hdr(&P, "X-All"), "a");
	ck_assert_str_eq(peer_hdr(&P, "X-Opt"), "o");
	ck_assert_str_eq(peer_hdr(&P, "X-Msg"), "");
	ck_assert_str_eq(peer_hdr(&P, "X-Req"), "");
	/* No call has session 7. */
	ck_assert_str_eq(peer_hdr(&P, "X-Sess"), "");
	ck_assert_str_eq(peer_hdr(&P, "Server"), "phone/9");
	ck_assert(!peer_has(&P, "sipline/"));
	/* The rest of the message is what it was. */
	ck_assert(peer_has(&P, ALLOW_LINE));
	ck_assert_msg(peer_has(&P, "Content-Length: 0\r\n"), "%s", P.buf);
	ck_assert_uint_eq(P.msg.n_vias, 1);

	request("MESSAGE", NULL, NULL, "text/plain", "body!");
	expect_status(200);
	ck_assert_str_eq(peer_hdr(&P, "X-Msg"), "m");
	ck_assert_str_eq(peer_hdr(&P, "X-Opt"), "");

	ck_assert_int_eq(sl_ua_remove_header(UA, all), 0);
	ck_assert_int_eq(sl_ua_remove_header(UA, mod), 0);
	request("OPTIONS", NULL, NULL, NULL, NULL);
	ck_assert_str_eq(peer_hdr(&P, "X-All"), "");
	ck_assert_str_eq(peer_hdr(&P, "X-Opt"), "o");
	ck_assert(!strncmp(peer_hdr(&P, "Server"), "sipline/", 8));
	ck_assert_int_eq(sl_ua_clear_headers(UA, 0), 0);
	request("OPTIONS", NULL, NULL, NULL, NULL);
	ck_assert_str_eq(peer_hdr(&P, "X-Opt"), "");
}
END_TEST

START_TEST(rules_on_register)
{
	struct sl_account a;

	ua_test_account(&a, &P);
	ck_assert_int_eq(sl_ua_set_account(UA, &a), 0);
	ck_assert_int_gt(sl_ua_add_header(UA, 0, "REGISTER",
					  SL_HDR_DIR_REQUEST, "P-Preferred-"
					  "Identity", "<sip:a@b>"), 0);
	ck_assert_int_gt(sl_ua_add_header(UA, 0, "INVITE",
					  SL_HDR_DIR_REQUEST, "X-Inv", "i"),
			 0);
	ck_assert_int_gt(sl_ua_add_header(UA, 0, NULL, SL_HDR_DIR_RESPONSE,
					  "X-Resp", "r"), 0);
	ck_assert_int_gt(sl_ua_modify_header(UA, 0, NULL, SL_HDR_DIR_BOTH,
					     "User-Agent", "desk/1"), 0);
	/* A list header given on one line is replaced by one line. */
	ck_assert_int_gt(sl_ua_modify_header(UA, 0, "REGISTER",
					     SL_HDR_DIR_REQUEST, "allow",
					     "INVITE"), 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	ck_assert(wait_peer(&P, UA));
	ck_assert(peer_is(&P, "REGISTER"));
	ck_assert_str_eq(peer_hdr(&P, "P-Preferred-Identity"), "<sip:a@b>");
	ck_assert_str_eq(peer_hdr(&P, "X-Inv"), "");
	ck_assert_str_eq(peer_hdr(&P, "X-Resp"), "");
	ck_assert_str_eq(peer_hdr(&P, "User-Agent"), "desk/1");
	ck_assert(peer_has(&P, "\r\nallow: INVITE\r\n"));
	ck_assert(!peer_has(&P, "MESSAGE"));
	/* The added header goes after the others, before the blank line. */
	ck_assert(peer_has(&P, "P-Preferred-Identity: <sip:a@b>\r\n"
			   "Content-Length: 0\r\n\r\n") ||
		  peer_has(&P, "Content-Length: 0\r\n"
			   "P-Preferred-Identity: <sip:a@b>\r\n\r\n"));
	/* Retransmissions are rewritten the same way. */
	ck_assert(advance(UA, 600, &P));
	ck_assert(peer_is(&P, "REGISTER"));
	ck_assert_str_eq(peer_hdr(&P, "User-Agent"), "desk/1");
	ck_assert_str_eq(peer_hdr(&P, "P-Preferred-Identity"), "<sip:a@b>");
}
END_TEST

/* A rule whose rewrite does not fit the buffer fails the send; the
 * message without rules is never sent in its place. */
START_TEST(rule_too_big)
{
	char v[SL_UA_HDR_VALUE_MAX];
	struct sl_ua_config c;
	int n = 0;

	teardown();
	rec_reset();
	peer_open(&P);
	ua_test_config(&c, SL_RUN_APP);
	c.max_msg_size = 1024;
	UA = ua_app(&c);
	ua_addr(UA, &TO);
	memset(v, 'v', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	for (int i = 0; i < 3; i++)
		n += sl_ua_add_header(UA, 0, NULL, SL_HDR_DIR_BOTH, "X-Big",
				      v) > 0;
	ck_assert_int_eq(n, 3);
	SEQ++;
	{
		char req[1024];

		snprintf(req, sizeof(req),
			 "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKbig\r\n"
			 "From: <sip:bob@example.com>;tag=b\r\n"
			 "To: <sip:alice@example.com>\r\n"
			 "Call-ID: big@test\r\nCSeq: 1 OPTIONS\r\n"
			 "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			 P.port);
		peer_send(&P, &TO, req);
	}
	ck_assert_int_eq(wait_peer(&P, UA), 0);
}
END_TEST

static Suite *ua_options_suite(void)
{
	Suite *s = suite_create("ua_options");
	TCase *tc = tcase_create("requests");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, options_answer);
	tcase_add_test(tc, message_delivered);
	tcase_add_test(tc, message_fields);
	tcase_add_test(tc, unsupported_body);
	tcase_add_test(tc, unsupported_encoding);
	tcase_add_test(tc, methods_refused);
	tcase_add_test(tc, outside_any_dialog);
	tcase_add_test(tc, require_unknown);
	tcase_add_test(tc, sip_events_received_only);
	tcase_add_test(tc, sip_events_sent_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("header_rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, rules_on_responses);
	tcase_add_test(tc, rules_on_register);
	tcase_add_test(tc, rule_too_big);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(ua_options_suite)
