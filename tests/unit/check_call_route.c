/*
 * tests/unit/check_call_route.c: in-dialog requests to a host name
 * (lib/ua/call_route.c; RFC 3261 §12.2.1.1 with RFC 3263 §4): an
 * application-driven UA on the virtual clock talks to the scripted peer
 * of ua_peer.c, and resolves names through the DNS responder of
 * dns_responder.c (on a loop thread of its own, real time).
 *
 * Covered: a 2xx whose Contact is a name with a port (A lookup; the ACK
 * waits for it, the BYE goes through the router, both to the peer with
 * that name as Request-URI); a remote target reached through SRV with
 * fail-over (the first target never answers, Timer F moves the BYE to
 * the second); the UAS side (the caller's Contact is a name); a name that
 * does not exist (the BYE fails, the call still ends); a route set whose
 * first hop is numeric (no lookup at all); and the 2xx to our re-INVITE
 * coming again, ACKed again with the same branch.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "dns_responder.c"
#include "ua/call_int.h"
#include "sipline/call.h"
#include "check_main.h"

static struct peer P;
static struct peer INV;
static struct sl_ua *U;
static struct sockaddr_in U_ADDR;
static struct sl_loop *RLOOP;
static struct dns_responder RESP;
static size_t MEM_BEFORE;
static enum sl_close_reason CLOSED_WHY;
static int CLOSED_CODE;
static int SESSION;
static uint16_t DEAD_PORT;
static char PORT_S[8], DEAD_S[8];

static struct dns_zone_entry ZONE[] = {
	{ DNS_Z_A, "peer.test", 0, "127.0.0.1", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "svc.test", 0, "127.0.0.1", 0, 0, 0, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.svc.test", 0, "dead.test", 1, 0, 0, NULL,
	  NULL },
	{ DNS_Z_SRV, "_sip._udp.svc.test", 0, "live.test", 2, 0, 0, NULL,
	  NULL },
	{ DNS_Z_A, "dead.test", 0, "127.0.0.1", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "live.test", 0, "127.0.0.1", 0, 0, 0, NULL, NULL },
	{ DNS_Z_NXDOMAIN, "nowhere.test", 0, NULL, 0, 0, 0, NULL, NULL }
};

static void also(struct rec *r, const struct sl_event *ev)
{
	(void)r;
	if (ev->type == SL_EV_CLOSED) {
		CLOSED_WHY = ev->close_reason;
		CLOSED_CODE = ev->code;
	}
	if (ev->session)
		SESSION = ev->session;
}

/* A UDP port nobody listens on. */
static uint16_t free_port(void)
{
	struct peer tmp;
	uint16_t port;

	peer_open(&tmp);
	port = tmp.port;
	peer_close(&tmp);
	return port;
}

static void setup(void)
{
	struct sl_loop_config lc;
	struct sl_ua_config c;
	struct sl_account a;

	MEM_BEFORE = mem_now();
	rec_reset();
	REC.also = also;
	CLOSED_WHY = SL_CLOSE_NONE;
	CLOSED_CODE = -1;
	SESSION = 0;
	peer_open(&P);
	DEAD_PORT = free_port();
	snprintf(PORT_S, sizeof(PORT_S), "%u", P.port);
	snprintf(DEAD_S, sizeof(DEAD_S), "%u", DEAD_PORT);
	ZONE[2].c = DEAD_PORT;
	ZONE[3].c = P.port;
	memset(&lc, 0, sizeof(lc));
	ck_assert_int_eq(sl__loop_create(&RLOOP, &lc), 0);
	ck_assert_int_eq(dns_responder_start(&RESP, RLOOP, ZONE,
					     sizeof(ZONE) / sizeof(ZONE[0])),
			 0);
	ck_assert_int_eq(sl__loop_start_thread(RLOOP), 0);
	ua_test_config(&c, SL_RUN_APP);
	c.max_lines = 2;
	c.session_expires = 0;
	snprintf(c.dns_servers, sizeof(c.dns_servers), "127.0.0.1:%u",
		 RESP.port);
	U = ua_app(&c);
	ua_test_account(&a, NULL);
	ck_assert_int_eq(sl_ua_set_account(U, &a), 0);
	ua_addr(U, &U_ADDR);
}

static void teardown(void)
{
	ck_assert_int_eq(sl_ua_destroy(U, 0), 0);
	U = NULL;
	sl__loop_stop_thread(RLOOP);
	dns_responder_stop(&RESP);
	sl__loop_destroy(RLOOP);
	peer_close(&P);
	ck_assert_uint_eq(mem_now(), MEM_BEFORE);
}

static void expect_request(const char *method)
{
	ck_assert_msg(wait_peer(&P, U), "no %s came", method);
	ck_assert_msg(peer_is(&P, method), "%s expected, got:\n%s", method,
		      P.buf);
}

/* Like expect_request, letting virtual time run (DNS answers come in
 * real time, so it steps in small slices). */
static void expect_request_within(const char *method, uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += 50) {
		if (advance(U, 50, &P)) {
			ck_assert_msg(peer_is(&P, method), "%s expected, "
				      "got:\n%s", method, P.buf);
			return;
		}
		usleep_poll(1);
	}
	ck_abort_msg("no %s within %llu ms", method,
		     (unsigned long long)ms);
}

static void keep_request(void)
{
	struct sl_arena arena;

	memcpy(INV.buf, P.buf, P.len + 1);
	INV.len = P.len;
	INV.fd = P.fd;
	INV.port = P.port;
	INV.from = P.from;
	sl_arena_init(&arena, INV.arena, sizeof(INV.arena));
	ck_assert_int_eq(sl_msg_parse(&INV.msg, INV.buf, INV.len, &arena,
				      NULL, 0, NULL), 0);
}

/* The UA calls the peer; the peer answers 200 with @contact. */
static int call_answered_with(const char *contact, const char *extra)
{
	struct sl_call_params p;
	char callee[96], hdrs[512];
	int s;

	snprintf(callee, sizeof(callee), "sip:bob@127.0.0.1:%u", P.port);
	sl_call_params_init(&p);
	p.callee = callee;
	s = sl_call_make(U, &p);
	ck_assert_int_gt(s, 0);
	expect_request("INVITE");
	keep_request();
	snprintf(hdrs, sizeof(hdrs), "Contact: <%s>\r\n%s", contact,
		 extra ? extra : "");
	peer_reply(&INV, 200, hdrs);
	return s;
}

START_TEST(contact_name_with_port)
{
	char contact[96], ruri[96];
	int s;

	snprintf(contact, sizeof(contact), "sip:bob@peer.test:%u", P.port);
	s = call_answered_with(contact, NULL);
	/* The ACK waits for peer.test to be located (not sent to where
	 * the INVITE went: the same port here, so the Request-URI and the
	 * DNS log tell). */
	expect_request_within("ACK", 5000);
	sl_slice_copy(P.msg.ruri_text, ruri, sizeof(ruri));
	ck_assert_str_eq(ruri, contact);
	ck_assert_uint_ge(dns_responder_count(&RESP, 1, "peer.test"), 1);
	pump(U);
	ck_assert_uint_eq(rec_count(SL_EV_CONNECTED), 1);
	ck_assert_int_eq(sl_call_hangup(U, s), 0);
	expect_request_within("BYE", 5000);
	sl_slice_copy(P.msg.ruri_text, ruri, sizeof(ruri));
	ck_assert_str_eq(ruri, contact);
	/* A real Via, the one the router wrote for the target. */
	ck_assert_ptr_null(strstr(P.buf, "routed.invalid"));
	ck_assert_ptr_nonnull(strstr(P.buf, "Via: SIP/2.0/UDP 127.0.0.1:"));
	peer_reply(&P, 200, NULL);
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
	ck_assert_int_eq(CLOSED_CODE, 0);
}
END_TEST

START_TEST(srv_failover_for_bye)
{
	unsigned before;
	int s;

	s = call_answered_with("sip:bob@svc.test", NULL);
	/* The ACK goes to the first SRV target (dead.test), which never
	 * answers anything: no ACK reaches the peer. */
	ck_assert(!advance(U, 300, &P) || peer_is(&P, "ACK") == 0);
	pump(U);
	ck_assert_uint_eq(rec_count(SL_EV_CONNECTED), 1);
	before = RESP.n_queries;
	ck_assert_int_eq(sl_call_hangup(U, s), 0);
	/* The BYE tries dead.test first; its port is closed, so the ICMP
	 * port unreachable sends it on to live.test, the peer, at once
	 * rather than after Timer F (RFC 3263 §4.3, RFC 3261 §18.4;
	 * fail-over on Timer F itself is check_txn_route's). */
	for (int i = 0; i < 800; i++) {
		if (advance(U, 100, &P)) {
			if (peer_is(&P, "ACK"))
				continue;
			break;
		}
		usleep_poll(1);
	}
	ck_assert_msg(peer_is(&P, "BYE"), "no BYE:\n%s", P.buf);
	ck_assert_uint_gt(RESP.n_queries, before);
	ck_assert_uint_lt(vnow_ms(), 32000);
	peer_reply(&P, 200, NULL);
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
}
END_TEST

START_TEST(uas_caller_contact_name)
{
	static const char sdp[] =
		"v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
	char msg[2048], ruri[96], tag[64], want[96];

	snprintf(msg, sizeof(msg),
		 "INVITE sip:alice@127.0.0.1:%u SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-r1\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:peer@peer.test>;tag=pt\r\n"
		 "To: <sip:alice@127.0.0.1:%u>\r\n"
		 "Call-ID: route-1\r\nCSeq: 1 INVITE\r\n"
		 "Contact: <sip:peer@peer.test:%u>\r\n"
		 "Content-Length: 0\r\n\r\n",
		 ntohs(U_ADDR.sin_port), P.port, ntohs(U_ADDR.sin_port),
		 P.port);
	peer_send(&P, &U_ADDR, msg);
	ck_assert(wait_peer(&P, U));
	ck_assert_int_eq(P.msg.status, 180);
	sl_slice_copy(P.msg.to.tag, tag, sizeof(tag));
	ck_assert_int_gt(SESSION, 0);
	ck_assert_int_eq(sl_call_answer(U, SESSION, 0), 0);
	ck_assert(wait_peer(&P, U));
	ck_assert_int_eq(P.msg.status, 200);
	/* The ACK with the answer (the INVITE had no offer). */
	snprintf(msg, sizeof(msg),
		 "ACK sip:alice@127.0.0.1:%u SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-r2\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:peer@peer.test>;tag=pt\r\n"
		 "To: <sip:alice@127.0.0.1:%u>;tag=%s\r\n"
		 "Call-ID: route-1\r\nCSeq: 1 ACK\r\n"
		 "Content-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n%s",
		 ntohs(U_ADDR.sin_port), P.port, ntohs(U_ADDR.sin_port), tag,
		 strlen(sdp), sdp);
	peer_send(&P, &U_ADDR, msg);
	pump(U);
	ck_assert_uint_eq(rec_count(SL_EV_CONNECTED), 1);
	/* Our BYE goes to the caller's Contact, located by name. */
	ck_assert_int_eq(sl_call_hangup(U, SESSION), 0);
	expect_request_within("BYE", 5000);
	sl_slice_copy(P.msg.ruri_text, ruri, sizeof(ruri));
	snprintf(want, sizeof(want), "sip:peer@peer.test:%u", P.port);
	ck_assert_str_eq(ruri, want);
	ck_assert_uint_ge(dns_responder_count(&RESP, 1, "peer.test"), 1);
	peer_reply(&P, 200, NULL);
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
}
END_TEST

START_TEST(name_not_found)
{
	char contact[96];
	int s;

	snprintf(contact, sizeof(contact), "sip:bob@nowhere.test:%u",
		 P.port);
	s = call_answered_with(contact, NULL);
	/* No ACK can go; the call is up on our side all the same. */
	ck_assert(!advance(U, 500, &P));
	pump(U);
	ck_assert_uint_eq(rec_count(SL_EV_CONNECTED), 1);
	ck_assert_int_eq(sl_call_hangup(U, s), 0);
	for (int i = 0; i < 100 && CLOSED_WHY == SL_CLOSE_NONE; i++) {
		advance(U, 50, NULL);
		usleep_poll(1);
	}
	/* The BYE found nowhere to go: the call ends, with a 503. */
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
	ck_assert_int_eq(CLOSED_CODE, 503);
	ck_assert(!advance(U, 1000, &P));
	ck_assert_uint_ge(dns_responder_count(&RESP, 0, "nowhere.test"), 1);
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_IDLE);
}
END_TEST

START_TEST(numeric_first_route)
{
	char rr[128], ruri[96];
	int s;

	/* A numeric first hop (a loose router): no lookup, even though
	 * the remote target behind it is a name. */
	snprintf(rr, sizeof(rr), "Record-Route: <sip:127.0.0.1:%u;lr>\r\n",
		 P.port);
	s = call_answered_with("sip:bob@peer.test", rr);
	expect_request("ACK");
	sl_slice_copy(P.msg.ruri_text, ruri, sizeof(ruri));
	ck_assert_str_eq(ruri, "sip:bob@peer.test");
	ck_assert_ptr_nonnull(strstr(P.buf, "Route: <sip:127.0.0.1:"));
	ck_assert_int_eq(sl_call_hangup(U, s), 0);
	expect_request("BYE");
	peer_reply(&P, 200, NULL);
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
	ck_assert_uint_eq(dns_responder_count(&RESP, 0, "peer.test"), 0);
}
END_TEST

START_TEST(reinvite_2xx_again_acked_again)
{
	char contact[96], branch[96], extra[160];
	int s;

	snprintf(contact, sizeof(contact), "sip:bob@127.0.0.1:%u", P.port);
	s = call_answered_with(contact, NULL);
	expect_request("ACK");
	pump(U);
	ck_assert_int_eq(sl_call_hold(U, s), 0);
	expect_request("INVITE");
	keep_request();
	snprintf(extra, sizeof(extra), "Contact: <%s>\r\n", contact);
	peer_reply(&INV, 200, extra);
	expect_request("ACK");
	snprintf(branch, sizeof(branch), "%s", peer_hdr(&P, "Via"));
	/* The 200 again (its ACK was lost): the same ACK again (RFC 3261
	 * §13.2.2.4, RFC 6026 §8.4). */
	peer_reply(&INV, 200, extra);
	expect_request("ACK");
	ck_assert_str_eq(peer_hdr(&P, "Via"), branch);
	ck_assert_uint_eq(P.msg.cseq.seq, 2);
	ck_assert_int_eq(sl_call_hangup(U, s), 0);
	expect_request("BYE");
	peer_reply(&P, 200, NULL);
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
}
END_TEST

static Suite *check_call_route_suite(void)
{
	Suite *s = suite_create("call_route");
	TCase *tc = tcase_create("route");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, contact_name_with_port);
	tcase_add_test(tc, srv_failover_for_bye);
	tcase_add_test(tc, uas_caller_contact_name);
	tcase_add_test(tc, name_not_found);
	tcase_add_test(tc, numeric_first_route);
	tcase_add_test(tc, reinvite_2xx_again_acked_again);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_call_route_suite)
