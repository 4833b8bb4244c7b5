/*
 * tests/unit/check_call_auth.c: digest authentication of the requests the
 * UA sends besides REGISTER (lib/ua/call.c, call_out.c, auth.c; RFC 3261
 * §22, RFC 7616): an application-driven UA calls the scripted peer of
 * ua_peer.c, which plays the challenging proxy and the callee. Every
 * Authorization / Proxy-Authorization the UA sends is recomputed here
 * with sl_digest_authorize() from its own cnonce and nc, so a wrong hash,
 * digest-uri, nonce count or algorithm fails the test.
 *
 * Covered: INVITE challenged by 407 (MD5, qop=auth) then answered, with
 * the credentials on the 2xx's ACK and pre-authenticating the BYE; 401
 * with SHA-256; stale=true; a wrong password (the call fails with the
 * code, no loop); a server that never stops challenging; a challenge we
 * cannot answer; a CANCEL, which never carries credentials; BYE, re-INVITE
 * and PRACK challenged; a second INVITE pre-authenticated from the cache
 * (nc=00000002, no round trip); MESSAGE challenged with qop=auth-int; and
 * the byte-level helpers of auth.c with their error returns.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "sipline/call.h"
#include "sipline/digest.h"
#include "check_main.h"

static struct peer P;
static struct sl_ua *UA;

static int same(struct sl_slice a, struct sl_slice b)
{
	return a.len == b.len && (!a.len || !memcmp(a.p, b.p, a.len));
}
static char CALLEE[96];

/* What the recorder does not keep: the close reasons. */
static enum sl_close_reason CLOSED_WHY;
static int CLOSED_CODE;

static void also(struct rec *r, const struct sl_event *ev)
{
	(void)r;
	if (ev->type == SL_EV_CLOSED) {
		CLOSED_WHY = ev->close_reason;
		CLOSED_CODE = ev->code;
	}
}

static size_t MEM_BEFORE;

static void start_prack(enum sl_prack_mode prack)
{
	struct sl_ua_config c;
	struct sl_account a;

	MEM_BEFORE = mem_now();
	rec_reset();
	REC.also = also;
	CLOSED_WHY = SL_CLOSE_NONE;
	CLOSED_CODE = -1;
	peer_open(&P);
	ua_test_config(&c, SL_RUN_APP);
	c.max_lines = 2;
	c.prack = prack;
	UA = ua_app(&c);
	ua_test_account(&a, NULL);
	ck_assert_int_eq(sl_ua_set_account(UA, &a), 0);
	snprintf(CALLEE, sizeof(CALLEE), "sip:bob@127.0.0.1:%u", P.port);
}

static void setup(void)
{
	start_prack(SL_PRACK_SUPPORTED_BODY);
}

static void teardown(void)
{
	if (UA)
		ck_assert_int_eq(sl_ua_destroy(UA, 0), 0);
	UA = NULL;
	peer_close(&P);
	/* Every pool came back (line slots, request slots, copies). */
	ck_assert_uint_eq(mem_now(), MEM_BEFORE);
}

static int call(void)
{
	struct sl_call_params p;
	int s;

	sl_call_params_init(&p);
	p.callee = CALLEE;
	s = sl_call_make(UA, &p);
	ck_assert_int_gt(s, 0);
	return s;
}

/* The next message must be a request @method. */
static void expect(const char *method)
{
	ck_assert_msg(wait_peer(&P, UA), "no %s came", method);
	ck_assert_msg(peer_is(&P, method), "%s expected, got:\n%s", method,
		      P.buf);
}

/* Nothing more comes, even when time passes. */
static void expect_nothing(void)
{
	ck_assert_msg(!advance(UA, 40000, &P), "unexpected:\n%s", P.buf);
}

static void challenge(int status, const char *chal)
{
	char extra[600];

	snprintf(extra, sizeof(extra), "%s: %s\r\n", status == 407 ?
		 "Proxy-Authenticate" : "WWW-Authenticate", chal);
	peer_reply(&P, status, extra);
}

static void answer_200(void)
{
	char extra[128];

	snprintf(extra, sizeof(extra), "Contact: <sip:bob@127.0.0.1:%u>\r\n",
		 P.port);
	peer_reply(&P, 200, extra);
}

/*
 * Recomputes header @hdr of the last request from challenge @chal_text
 * with the request's own cnonce, nc and Request-URI (the digest-uri must
 * be it, §22.4) and the body (auth-int). Return: its nonce count.
 */
static unsigned check_digest(const char *hdr, const char *chal_text,
			     const char *password)
{
	char value[1024], want[1024], cnonce[64], nc_text[16], uri[256];
	char method[32];
	struct sl_auth got, chal;
	struct sl_digest_cred cred = { "alice", password, NULL };
	struct sl_digest_req req;
	struct sl_slice cv = { chal_text, strlen(chal_text) };
	struct sl_slice gv;

	snprintf(value, sizeof(value), "%s", peer_hdr(&P, hdr));
	ck_assert_msg(value[0], "no %s header in\n%s", hdr, P.buf);
	gv.p = value;
	gv.len = strlen(value);
	ck_assert_int_eq(sl_auth_decode(gv, &got), 0);
	ck_assert_int_eq(sl_auth_decode(cv, &chal), 0);
	ck_assert(sl_slice_eq(got.username, "alice"));
	ck_assert(same(got.realm, chal.realm));
	ck_assert(same(got.nonce, chal.nonce));
	ck_assert(same(got.uri, P.msg.ruri_text));
	sl_slice_copy(got.uri, uri, sizeof(uri));
	sl_slice_copy(got.cnonce, cnonce, sizeof(cnonce));
	sl_slice_copy(got.nc, nc_text, sizeof(nc_text));
	sl_slice_copy(P.msg.method_name, method, sizeof(method));
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.uri = uri;
	req.nc = (uint32_t)strtoul(nc_text, NULL, 16);
	req.cnonce = cnonce;
	req.body = P.msg.body.len ? P.msg.body.p : NULL;
	req.body_len = P.msg.body.len;
	ck_assert_int_gt(sl_digest_authorize(&chal, &cred, &req, want,
					     sizeof(want)), 0);
	ck_assert_str_eq(value, want);
	return req.nc;
}

static uint32_t cseq(void)
{
	return P.msg.cseq.seq;
}

/* Call-ID and From tag of the last message, to compare. */
struct ids {
	char call_id[128];
	char tag[64];
	char branch[80];
};

static struct ids ids_now(void)
{
	struct ids d;
	struct sl_via via;

	sl_slice_copy(P.msg.call_id, d.call_id, sizeof(d.call_id));
	sl_slice_copy(P.msg.from.tag, d.tag, sizeof(d.tag));
	ck_assert_int_eq(sl_via_decode(P.msg.hdrs[P.msg.first[SL_HDR_VIA]]
				       .value, &via), 0);
	sl_slice_copy(via.branch, d.branch, sizeof(d.branch));
	return d;
}

static void wait_closed(void)
{
	PUMP_UNTIL(UA, rec_count(SL_EV_CLOSED) == 1);
	ck_assert_uint_eq(rec_count(SL_EV_CLOSED), 1);
	ck_assert_int_eq(sl_line_state(UA, 0), SL_LINE_IDLE);
}

/* ---- INVITE ---- */

static const char CHAL_MD5[] = "Digest realm=\"example.com\", "
			       "nonce=\"inv-n1\", qop=\"auth\", "
			       "algorithm=MD5, opaque=\"op1\"";

/* A call challenged with 407 and answered; returns its session. */
static int call_through_407(char *auth_out, size_t cap)
{
	struct ids first, second;
	int s = call();

	expect("INVITE");
	ck_assert_uint_eq(cseq(), 1);
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), "");
	ck_assert_str_eq(peer_hdr(&P, "Authorization"), "");
	first = ids_now();
	challenge(407, CHAL_MD5);
	/* The transaction layer's ACK for the 407 (§17.1.1.3): no
	 * credentials, the INVITE's branch. */
	expect("ACK");
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), "");
	ck_assert_str_eq(ids_now().branch, first.branch);
	expect("INVITE");
	second = ids_now();
	/* §22.2: same dialog set, CSeq one more, a new transaction. */
	ck_assert_uint_eq(cseq(), 2);
	ck_assert_str_eq(second.call_id, first.call_id);
	ck_assert_str_eq(second.tag, first.tag);
	ck_assert_str_ne(second.branch, first.branch);
	ck_assert_uint_eq(P.msg.to.tag.len, 0);
	ck_assert_uint_eq(check_digest("Proxy-Authorization", CHAL_MD5,
				       "secret"), 1);
	ck_assert(peer_has(&P, "qop=auth"));
	ck_assert(peer_has(&P, "opaque=\"op1\""));
	ck_assert_str_eq(peer_hdr(&P, "Authorization"), "");
	snprintf(auth_out, cap, "%s", peer_hdr(&P, "Proxy-Authorization"));
	return s;
}

START_TEST(invite_407_md5_then_200)
{
	char inv_auth[1024];
	int s = call_through_407(inv_auth, sizeof(inv_auth));

	peer_reply(&P, 180, "Contact: <sip:bob@127.0.0.1>\r\n");
	PUMP_UNTIL(UA, rec_count(SL_EV_RINGING) == 1);
	answer_200();
	/* §22.1: the ACK of the 2xx carries the INVITE's credentials. */
	expect("ACK");
	ck_assert_uint_eq(cseq(), 2);
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), inv_auth);
	PUMP_UNTIL(UA, rec_count(SL_EV_CONNECTED) == 1);
	ck_assert_uint_eq(rec_count(SL_EV_CONNECTED), 1);
	ck_assert_uint_eq(rec_count(SL_EV_FAILURE), 0);
	ck_assert_uint_eq(rec_count(SL_EV_TRYING), 0);
	ck_assert_int_eq(sl_line_state(UA, 0), SL_LINE_CONNECTED);

	/* The BYE is pre-authenticated: the nonce's next count. */
	ck_assert_int_eq(sl_call_hangup(UA, s), 0);
	expect("BYE");
	ck_assert_uint_eq(check_digest("Proxy-Authorization", CHAL_MD5,
				       "secret"), 2);
	peer_reply(&P, 200, NULL);
	wait_closed();
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
	expect_nothing();
}
END_TEST

START_TEST(invite_401_sha256)
{
	static const char chal[] = "Digest realm=\"example.com\", "
				   "nonce=\"sha-n\", qop=\"auth-int,auth\", "
				   "algorithm=SHA-256";

	call();
	expect("INVITE");
	challenge(401, chal);
	expect("ACK");
	expect("INVITE");
	ck_assert_uint_eq(cseq(), 2);
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), "");
	ck_assert(peer_has(&P, "algorithm=SHA-256"));
	ck_assert_uint_eq(check_digest("Authorization", chal, "secret"), 1);
	/* Credentials were taken: a plain refusal fails the call with
	 * its own code. */
	peer_reply(&P, 486, NULL);
	expect("ACK");
	PUMP_UNTIL(UA, rec_count(SL_EV_FAILURE) == 1);
	ck_assert_int_eq(rec_last(SL_EV_FAILURE).code, 486);
	wait_closed();
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_REJECTED);
	ck_assert_int_eq(CLOSED_CODE, 486);
	ck_assert_int_eq(UA->auth.slots[sl_digest_cache_find(
		&UA->auth.cache, "example.com", 0)].verified, 1);
}
END_TEST

START_TEST(invite_stale_nonce)
{
	static const char chal2[] = "Digest realm=\"example.com\", "
				    "nonce=\"inv-n2\", qop=\"auth\", "
				    "algorithm=MD5, opaque=\"op1\", "
				    "stale=true";
	char auth[1024];

	call_through_407(auth, sizeof(auth));
	/* The digest was right, the nonce old: the same credentials with
	 * the new nonce, counting from 1 again (RFC 7616 §3.3). */
	challenge(407, chal2);
	expect("ACK");
	expect("INVITE");
	ck_assert_uint_eq(cseq(), 3);
	ck_assert(peer_has(&P, "nonce=\"inv-n2\""));
	ck_assert_uint_eq(check_digest("Proxy-Authorization", chal2,
				       "secret"), 1);
	answer_200();
	expect("ACK");
	ck_assert(peer_has(&P, "nonce=\"inv-n2\""));
	PUMP_UNTIL(UA, rec_count(SL_EV_CONNECTED) == 1);
	ck_assert_uint_eq(rec_count(SL_EV_FAILURE), 0);
	ck_assert_int_eq(sl_line_state(UA, 0), SL_LINE_CONNECTED);
}
END_TEST

START_TEST(invite_wrong_password)
{
	char auth[1024];
	struct rec_ev e;

	call_through_407(auth, sizeof(auth));
	/* Refused again with the nonce just answered: the password is
	 * wrong. The call fails with the code; no third INVITE. */
	challenge(407, CHAL_MD5);
	expect("ACK");
	PUMP_UNTIL(UA, rec_count(SL_EV_CLOSED) == 1);
	e = rec_last(SL_EV_FAILURE);
	ck_assert_uint_eq(rec_count(SL_EV_FAILURE), 1);
	ck_assert_int_eq(e.code, 407);
	ck_assert_str_eq(e.reason, "Proxy Authentication Required");
	wait_closed();
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_REJECTED);
	ck_assert_int_eq(CLOSED_CODE, 407);
	expect_nothing();
	/* The realm is forgotten: the next call starts without. */
	call();
	expect("INVITE");
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), "");
}
END_TEST

START_TEST(invite_endless_stale)
{
	unsigned invites = 1;

	call();
	expect("INVITE");
	/* A server that calls every nonce stale must not keep us
	 * sending: the number of rounds is bounded. */
	for (int i = 0; i < 10; i++) {
		char chal[160];

		snprintf(chal, sizeof(chal), "Digest realm=\"example.com\", "
			 "nonce=\"st%d\", qop=\"auth\"%s", i,
			 i ? ", stale=true" : "");
		challenge(407, chal);
		expect("ACK");
		if (!wait_peer(&P, UA))
			break;
		ck_assert(peer_is(&P, "INVITE"));
		invites++;
	}
	ck_assert_uint_le(invites, 1 + SL_UA_AUTH_MAX_ROUNDS);
	ck_assert_uint_ge(invites, 3);
	PUMP_UNTIL(UA, rec_count(SL_EV_FAILURE) == 1);
	ck_assert_int_eq(rec_last(SL_EV_FAILURE).code, 407);
	wait_closed();
	ck_assert_int_eq(CLOSED_CODE, 407);
}
END_TEST

START_TEST(invite_unanswerable_challenge)
{
	call();
	expect("INVITE");
	challenge(401, "Basic realm=\"example.com\"");
	expect("ACK");
	PUMP_UNTIL(UA, rec_count(SL_EV_FAILURE) == 1);
	ck_assert_int_eq(rec_last(SL_EV_FAILURE).code, 401);
	wait_closed();
	ck_assert_int_eq(CLOSED_CODE, 401);
	/* A 401 without any challenge at all. */
	call();
	expect("INVITE");
	peer_reply(&P, 407, NULL);
	expect("ACK");
	PUMP_UNTIL(UA, rec_count(SL_EV_FAILURE) == 2);
	ck_assert_int_eq(rec_last(SL_EV_FAILURE).code, 407);
	expect_nothing();
}
END_TEST

START_TEST(cancel_never_authenticated)
{
	char auth[1024];
	int s = call_through_407(auth, sizeof(auth));
	uint32_t inv_cseq = cseq();

	peer_reply(&P, 180, "Contact: <sip:bob@127.0.0.1>\r\n");
	PUMP_UNTIL(UA, rec_count(SL_EV_RINGING) == 1);
	ck_assert_int_eq(sl_call_hangup(UA, s), 0);
	expect("CANCEL");
	/* §9.1: the INVITE's number; hop by hop, never challenged. */
	ck_assert_uint_eq(cseq(), inv_cseq);
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), "");
	ck_assert_str_eq(peer_hdr(&P, "Authorization"), "");
	/* A proxy that challenges it anyway gets no second CANCEL. */
	challenge(407, CHAL_MD5);
	ck_assert(!advance(UA, 1000, &P) || !peer_is(&P, "CANCEL"));
}
END_TEST

/* ---- pre-authentication ---- */

START_TEST(second_invite_preauthenticated)
{
	char auth[1024];

	call_through_407(auth, sizeof(auth));
	peer_reply(&P, 486, NULL);
	expect("ACK");
	wait_closed();
	/* The next INVITE to the realm carries the credentials at once:
	 * no 407 round trip, the next count of the cached nonce. */
	call();
	expect("INVITE");
	ck_assert_uint_eq(cseq(), 1);
	ck_assert(peer_has(&P, "nc=00000002"));
	ck_assert_uint_eq(check_digest("Proxy-Authorization", CHAL_MD5,
				       "secret"), 2);
	answer_200();
	expect("ACK");
	ck_assert(peer_has(&P, "nc=00000002"));
	PUMP_UNTIL(UA, rec_count(SL_EV_CONNECTED) == 1);
	ck_assert_uint_eq(rec_count(SL_EV_FAILURE), 1);
}
END_TEST

/* ---- in-dialog requests ---- */

/* A call the peer answers at once (no challenge); returns the session. */
static int connected_call(void)
{
	int s = call();

	expect("INVITE");
	answer_200();
	expect("ACK");
	PUMP_UNTIL(UA, rec_count(SL_EV_CONNECTED) == 1);
	ck_assert_int_eq(sl_line_state(UA, 0), SL_LINE_CONNECTED);
	return s;
}

START_TEST(bye_challenged)
{
	static const char chal[] = "Digest realm=\"peer.example\", "
				   "nonce=\"bye-n\", qop=\"auth\"";
	struct ids first;
	int s = connected_call();

	ck_assert_int_eq(sl_call_hangup(UA, s), 0);
	expect("BYE");
	ck_assert_str_eq(peer_hdr(&P, "Authorization"), "");
	first = ids_now();
	challenge(401, chal);
	expect("BYE");
	ck_assert_uint_eq(cseq(), P.msg.cseq.seq);
	ck_assert_str_eq(ids_now().call_id, first.call_id);
	ck_assert_str_ne(ids_now().branch, first.branch);
	ck_assert_uint_eq(check_digest("Authorization", chal, "secret"), 1);
	ck_assert_uint_eq(rec_count(SL_EV_CLOSED), 0);
	peer_reply(&P, 200, NULL);
	wait_closed();
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
	ck_assert_int_eq(CLOSED_CODE, 0);
}
END_TEST

START_TEST(bye_wrong_password)
{
	static const char chal[] = "Digest realm=\"peer.example\", "
				   "nonce=\"bye-n\", qop=\"auth\"";
	uint32_t first;
	int s = connected_call();

	ck_assert_int_eq(sl_call_hangup(UA, s), 0);
	expect("BYE");
	first = cseq();
	challenge(401, chal);
	expect("BYE");
	ck_assert_uint_eq(cseq(), first + 1);
	challenge(401, chal);
	/* Refused: the call ends for us with the code, no third BYE. */
	wait_closed();
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
	ck_assert_int_eq(CLOSED_CODE, 401);
	expect_nothing();
}
END_TEST

/* The o= version of the SDP in the last message. */
static unsigned sdp_version(void)
{
	const char *o = strstr(P.buf, "\r\no=");
	unsigned v = 0;

	ck_assert_ptr_nonnull(o);
	/* o=<user> <sess-id> <sess-version> ... */
	o = strchr(o + 4, ' ');
	ck_assert_ptr_nonnull(o);
	o = strchr(o + 1, ' ');
	ck_assert_ptr_nonnull(o);
	v = (unsigned)strtoul(o + 1, NULL, 10);
	return v;
}

START_TEST(reinvite_challenged)
{
	static const char chal[] = "Digest realm=\"example.com\", "
				   "nonce=\"re-n\", qop=\"auth\"";
	static const char chal_b[] = "Digest realm=\"example.com\", "
				     "nonce=\"re-n2\", qop=\"auth\"";
	char auth[1024];
	unsigned v1;
	int s = connected_call();

	ck_assert_int_eq(sl_call_hold(UA, s), 0);
	expect("INVITE");
	ck_assert_uint_eq(P.msg.to.tag.len, 4);
	v1 = sdp_version();
	ck_assert(peer_has(&P, "a=sendonly"));
	challenge(407, chal);
	expect("ACK");
	expect("INVITE");
	ck_assert_uint_eq(check_digest("Proxy-Authorization", chal,
				       "secret"), 1);
	/* The peer never saw the refused offer: same version again. */
	ck_assert_uint_eq(sdp_version(), v1);
	ck_assert(peer_has(&P, "a=sendonly"));
	snprintf(auth, sizeof(auth), "%s", peer_hdr(&P,
						     "Proxy-Authorization"));
	answer_200();
	expect("ACK");
	ck_assert_str_eq(peer_hdr(&P, "Proxy-Authorization"), auth);
	PUMP_UNTIL(UA, sl_line_state(UA, 0) == SL_LINE_HELD);
	ck_assert_int_eq(sl_line_state(UA, 0), SL_LINE_HELD);
	/* The next one refused: since these credentials were good
	 * before, the server may have let the nonce expire without
	 * saying stale - one more try (digest.h rule 5), then the
	 * re-INVITE fails and the call stays up. */
	ck_assert_int_eq(sl_call_unhold(UA, s), 0);
	expect("INVITE");
	ck_assert_uint_eq(check_digest("Proxy-Authorization", chal,
				       "secret"), 2);
	challenge(407, chal_b);
	expect("ACK");
	expect("INVITE");
	ck_assert_uint_eq(check_digest("Proxy-Authorization", chal_b,
				       "secret"), 1);
	challenge(407, chal_b);
	expect("ACK");
	ck_assert(!advance(UA, 2000, &P));
	ck_assert_int_eq(sl_line_state(UA, 0), SL_LINE_HELD);
	ck_assert_uint_eq(rec_count(SL_EV_CLOSED), 0);
}
END_TEST

START_TEST(prack_challenged)
{
	static const char chal[] = "Digest realm=\"example.com\", "
				   "nonce=\"pr-n\", qop=\"auth\"";
	char extra[200], rack[64];

	teardown();
	start_prack(SL_PRACK_SUPPORTED);
	call();
	expect("INVITE");
	ck_assert(peer_has(&P, "100rel"));
	snprintf(extra, sizeof(extra), "Contact: <sip:bob@127.0.0.1:%u>\r\n"
		 "Require: 100rel\r\nRSeq: 7\r\n", P.port);
	peer_reply(&P, 180, extra);
	expect("PRACK");
	snprintf(rack, sizeof(rack), "%s", peer_hdr(&P, "RAck"));
	ck_assert_str_eq(rack, "7 1 INVITE");
	challenge(407, chal);
	expect("PRACK");
	ck_assert_str_eq(peer_hdr(&P, "RAck"), rack);
	ck_assert_uint_eq(check_digest("Proxy-Authorization", chal,
				       "secret"), 1);
	peer_reply(&P, 200, NULL);
	ck_assert(!advance(UA, 1000, &P));
	ck_assert_int_eq(sl_line_state(UA, 0), SL_LINE_EARLY);
}
END_TEST

/* ---- outside a dialog ---- */

struct outcome {
	int calls;
	uint32_t id;
	int status;
	int err;
};

static void on_outcome(void *arg, uint32_t id, int status, int err,
		       const struct sl_rxbuf *rx)
{
	struct outcome *o = arg;

	o->calls++;
	o->id = id;
	o->status = status;
	o->err = err;
	if (status)
		ck_assert_ptr_nonnull(rx);
}

START_TEST(message_challenged_auth_int)
{
	static const char chal[] = "Digest realm=\"example.com\", "
				   "nonce=\"msg-n\", qop=\"auth-int\", "
				   "algorithm=MD5-sess";
	static const char chal_b[] = "Digest realm=\"example.com\", "
				     "nonce=\"msg-n2\", qop=\"auth\"";
	struct outcome o = { 0, 0, 0, 0 };
	struct ids first;
	int id;

	id = sl__ua_request(UA, "MESSAGE", CALLEE, "text/plain", "hello", 5,
			    on_outcome, &o);
	ck_assert_int_gt(id, 0);
	expect("MESSAGE");
	ck_assert_uint_eq(cseq(), 1);
	ck_assert_str_eq(peer_hdr(&P, "Authorization"), "");
	ck_assert(sl_slice_eq(P.msg.from.uri_text, "sip:alice@example.com"));
	ck_assert(sl_slice_eq(P.msg.to.uri_text, CALLEE));
	first = ids_now();
	challenge(401, chal);
	expect("MESSAGE");
	/* §22.2: CSeq one more, the same Call-ID and From tag; the body
	 * is covered by the digest (auth-int). */
	ck_assert_uint_eq(cseq(), 2);
	ck_assert_str_eq(ids_now().call_id, first.call_id);
	ck_assert_str_eq(ids_now().tag, first.tag);
	ck_assert(peer_has(&P, "qop=auth-int"));
	ck_assert(peer_has(&P, "\r\n\r\nhello"));
	ck_assert_uint_eq(check_digest("Authorization", chal, "secret"), 1);
	ck_assert_int_eq(o.calls, 0);
	peer_reply(&P, 202, NULL);
	PUMP_UNTIL(UA, o.calls == 1);
	ck_assert_int_eq(o.calls, 1);
	ck_assert_int_eq(o.status, 202);
	ck_assert_uint_eq(o.id, (uint32_t)id);

	/* The next one is pre-authenticated; a wrong password ends it
	 * with the code. */
	memset(&o, 0, sizeof(o));
	id = sl__ua_request(UA, "OPTIONS", CALLEE, NULL, NULL, 0, on_outcome,
			    &o);
	ck_assert_int_gt(id, 0);
	expect("OPTIONS");
	ck_assert_uint_eq(check_digest("Authorization", chal, "secret"), 2);
	ck_assert(peer_has(&P, "Accept: application/sdp"));
	/* Refused although good before: one more try (digest.h rule 5),
	 * then the code. */
	challenge(401, chal_b);
	expect("OPTIONS");
	ck_assert_uint_eq(cseq(), 2);
	ck_assert_uint_eq(check_digest("Authorization", chal_b, "secret"),
			  1);
	challenge(401, chal_b);
	PUMP_UNTIL(UA, o.calls == 1);
	ck_assert_int_eq(o.status, 401);
	expect_nothing();
	ck_assert_int_eq(o.calls, 1);
}
END_TEST

START_TEST(request_errors)
{
	struct outcome o = { 0, 0, 0, 0 };
	static char big[65536];
	int ids[64], n = 0, rc;

	ck_assert_int_eq(sl__ua_request(UA, "INVITE", CALLEE, NULL, NULL, 0,
					on_outcome, &o), SL_EINVAL);
	ck_assert_int_eq(sl__ua_request(UA, "ACK", CALLEE, NULL, NULL, 0,
					on_outcome, &o), SL_EINVAL);
	ck_assert_int_eq(sl__ua_request(UA, "FOO", CALLEE, NULL, NULL, 0,
					on_outcome, &o), SL_EINVAL);
	ck_assert_int_eq(sl__ua_request(UA, "MESSAGE", NULL, NULL, NULL, 0,
					on_outcome, &o), SL_EINVAL);
	ck_assert_int_eq(sl__ua_request(UA, "MESSAGE", CALLEE, NULL, "x", 1,
					on_outcome, &o), SL_EINVAL);
	ck_assert_int_eq(sl__ua_request(UA, "MESSAGE", CALLEE, "text/plain",
					big, sizeof(big), on_outcome, &o),
			 SL_EINVAL);
	ck_assert_int_eq(sl__ua_request(NULL, "MESSAGE", CALLEE, NULL, NULL,
					0, on_outcome, &o), SL_EINVAL);
	ck_assert_int_eq(sl__ua_request(UA, "MESSAGE", "nonsense", NULL,
					NULL, 0, on_outcome, &o), SL_EINVAL);
	ck_assert_int_eq(o.calls, 0);
	/* The slots run out: SL_ENOMEM, ids all different. */
	while (n < 64) {
		rc = sl__ua_request(UA, "OPTIONS", CALLEE, NULL, NULL, 0,
				    on_outcome, &o);
		if (rc == SL_ENOMEM)
			break;
		ck_assert_int_gt(rc, 0);
		for (int k = 0; k < n; k++)
			ck_assert_int_ne(rc, ids[k]);
		ids[n++] = rc;
	}
	ck_assert_int_gt(n, 1);
	ck_assert_int_lt(n, 64);
	/* No answer: each ends with the timeout (Timer F), once. */
	advance(UA, 40000, NULL);
	ck_assert_int_eq(o.calls, n);
	ck_assert_int_eq(o.status, 0);
	ck_assert_int_eq(o.err, SL_ETIMEOUT);
	rc = sl__ua_request(UA, "OPTIONS", CALLEE, NULL, NULL, 0, on_outcome,
			    &o);
	ck_assert_int_gt(rc, 0);
	for (int k = 0; k < n; k++)
		ck_assert_int_ne(rc, ids[k]);
	/* Without an account. */
	UA->acct.set = 0;
	ck_assert_int_eq(sl__ua_request(UA, "OPTIONS", CALLEE, NULL, NULL, 0,
					on_outcome, &o), SL_ESTATE);
	UA->acct.set = 1;
}
END_TEST

/* ---- auth.c's byte helpers ---- */

static const char REQ[] =
	"MESSAGE sip:bob@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx1\r\n"
	"From: <sip:alice@example.com>;tag=a1\r\n"
	"To: <sip:bob@example.com>\r\n"
	"Call-ID: c1\r\n"
	"CSeq: 4 MESSAGE\r\n"
	"Content-Type: text/plain\r\n"
	"Content-Length: 5\r\n"
	"\r\n"
	"hello";

/* Puts a challenge for "example.com" into UA's cache. */
static void learn(const char *chal, int status)
{
	char resp[1024];
	unsigned char mem[16384];
	struct sl_arena arena;
	struct sl_msg m;
	int n;

	n = snprintf(resp, sizeof(resp),
		     "SIP/2.0 %d Go\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx1\r\n"
		     "From: <sip:alice@example.com>;tag=a1\r\n"
		     "To: <sip:bob@example.com>;tag=b\r\n"
		     "Call-ID: c1\r\nCSeq: 4 MESSAGE\r\n"
		     "%s: %s\r\nContent-Length: 0\r\n\r\n", status,
		     status == 407 ? "Proxy-Authenticate" :
		     "WWW-Authenticate", chal);
	sl_arena_init(&arena, mem, sizeof(mem));
	ck_assert_int_eq(sl_msg_parse(&m, resp, (size_t)n, &arena, NULL, 0,
				      NULL), 0);
	ck_assert_int_eq(sl__ua_auth_challenge(UA, &m, NULL, 0), 0);
}

START_TEST(helpers_add_keep_reuse)
{
	static const char ack[] =
		"ACK sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKx2\r\n"
		"CSeq: 4 ACK\r\nContent-Length: 0\r\n\r\n";
	char buf[4096], keep[4096], small[sizeof(REQ) + 8];
	unsigned used = 99;
	size_t len = sizeof(REQ) - 1;
	int n, k;

	memcpy(buf, REQ, len);
	/* Nothing cached: the request is unchanged. */
	ck_assert_int_eq(sl__ua_auth_add(UA, buf, len, sizeof(buf), &used),
			 (int)len);
	ck_assert_uint_eq(used, 0);
	ck_assert(!memcmp(buf, REQ, len));

	learn("Digest realm=\"example.com\", nonce=\"h1\", qop=\"auth\"",
	      401);
	learn("Digest realm=\"proxy.example\", nonce=\"h2\"", 407);
	n = sl__ua_auth_add(UA, buf, len, sizeof(buf), &used);
	ck_assert_int_gt(n, (int)len);
	ck_assert_uint_eq(__builtin_popcount(used), 2);
	buf[n] = '\0';
	/* Before the blank line, the body untouched after it. */
	ck_assert_ptr_nonnull(strstr(buf, "\r\nAuthorization: Digest "
				     "username=\"alice\", realm=\""
				     "example.com\""));
	ck_assert_ptr_nonnull(strstr(buf, "\r\nProxy-Authorization: Digest "));
	ck_assert_ptr_nonnull(strstr(buf, "uri=\"sip:bob@example.com\""));
	ck_assert(!strcmp(buf + n - 9, "\r\n\r\nhello"));
	ck_assert(!strncmp(buf, REQ, 160));

	/* The copy: headers without the body or its length. */
	k = sl__ua_auth_keep(buf, (size_t)n, keep, sizeof(keep));
	ck_assert_int_gt(k, 0);
	keep[k] = '\0';
	ck_assert_ptr_null(strstr(keep, "hello"));
	ck_assert_ptr_null(strstr(keep, "Content-Length: 5"));
	ck_assert(!strcmp(keep + k - 21, "Content-Length: 0\r\n\r\n"));
	ck_assert_ptr_nonnull(strstr(keep, "Proxy-Authorization: "));
	ck_assert_int_eq(sl__ua_auth_keep(buf, (size_t)n, keep, 100),
			 SL_ENOSPC);
	ck_assert_int_eq(sl__ua_auth_keep("garbage", 7, keep, sizeof(keep)),
			 SL_EPARSE);

	/* ACK and CANCEL are never given credentials of their own... */
	memcpy(small, ack, sizeof(ack) - 1);
	ck_assert_int_eq(sl__ua_auth_add(UA, small, sizeof(ack) - 1,
					 sizeof(small), &used),
			 (int)sizeof(ack) - 1);
	ck_assert_uint_eq(used, 0);
	/* ...but an ACK takes its INVITE's, byte for byte. */
	memcpy(buf, ack, sizeof(ack) - 1);
	n = sl__ua_auth_reuse(keep, (size_t)k, buf, sizeof(ack) - 1,
			      sizeof(buf));
	ck_assert_int_gt(n, (int)sizeof(ack) - 1);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(strstr(buf, "\r\nAuthorization: Digest "));
	ck_assert_ptr_nonnull(strstr(buf, "\r\nProxy-Authorization: Digest "));
	ck_assert(!strcmp(buf + n - 4, "\r\n\r\n"));
	/* Not enough room: nothing changes. */
	memcpy(small, ack, sizeof(ack) - 1);
	ck_assert_int_eq(sl__ua_auth_reuse(keep, (size_t)k, small,
					   sizeof(ack) - 1, sizeof(small)),
			 SL_ENOSPC);
	ck_assert(!memcmp(small, ack, sizeof(ack) - 1));
	/* A source without credentials: unchanged. */
	ck_assert_int_eq(sl__ua_auth_reuse(REQ, sizeof(REQ) - 1, small,
					   sizeof(ack) - 1, sizeof(small)),
			 (int)sizeof(ack) - 1);
	ck_assert_int_eq(sl__ua_auth_reuse("x", 1, small, sizeof(ack) - 1,
					   sizeof(small)), SL_EPARSE);
	ck_assert_int_eq(sl__ua_auth_reuse(keep, (size_t)k, small, 3,
					   sizeof(small)), SL_EPARSE);

	/* No room for the credentials: the request is left as it was. */
	memcpy(small, REQ, len);
	ck_assert_int_eq(sl__ua_auth_add(UA, small, len, sizeof(small),
					 &used), SL_ENOSPC);
	ck_assert_uint_eq(used, 0);
	ck_assert(!memcmp(small, REQ, len));
	/* Not a request. */
	ck_assert_int_eq(sl__ua_auth_add(UA, small, 10, sizeof(small),
					 &used), SL_EPARSE);
	memcpy(small, "MESSAGE x SIP/2.0\r\nVia: x\r\n", 27);
	ck_assert_int_eq(sl__ua_auth_add(UA, small, 27, sizeof(small),
					 &used), SL_EPARSE);
	memcpy(small, " x SIP/2.0\r\n\r\n", 15);
	ck_assert_int_eq(sl__ua_auth_add(UA, small, 15, sizeof(small),
					 &used), SL_EPARSE);
}
END_TEST

START_TEST(helpers_long_request_uri)
{
	static char req[4096], keep[4096];
	unsigned used = 1;
	int n, len;

	learn("Digest realm=\"example.com\", nonce=\"h1\", qop=\"auth\"",
	      401);
	/* A Request-URI too long to answer for goes without credentials
	 * (a challenge will say so); the copy cannot be kept. */
	len = snprintf(req, sizeof(req), "BYE sip:%01100d@example.com "
		       "SIP/2.0\r\nVia: x\r\nContent-Length: 0\r\n\r\n", 7);
	n = sl__ua_auth_add(UA, req, (size_t)len, sizeof(req), &used);
	ck_assert_int_eq(n, len);
	ck_assert_uint_eq(used, 0);
	ck_assert_int_eq(sl__ua_auth_keep(req, (size_t)len, keep,
					  sizeof(keep)), SL_ENOSPC);
}
END_TEST

static Suite *call_auth_suite(void)
{
	Suite *s = suite_create("call_auth");
	TCase *tc = tcase_create("invite");
	TCase *td = tcase_create("dialog");
	TCase *to = tcase_create("outside");
	TCase *th = tcase_create("helpers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, invite_407_md5_then_200);
	tcase_add_test(tc, invite_401_sha256);
	tcase_add_test(tc, invite_stale_nonce);
	tcase_add_test(tc, invite_wrong_password);
	tcase_add_test(tc, invite_endless_stale);
	tcase_add_test(tc, invite_unanswerable_challenge);
	tcase_add_test(tc, cancel_never_authenticated);
	tcase_add_test(tc, second_invite_preauthenticated);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(td, setup, teardown);
	tcase_add_test(td, bye_challenged);
	tcase_add_test(td, bye_wrong_password);
	tcase_add_test(td, reinvite_challenged);
	tcase_add_test(td, prack_challenged);
	suite_add_tcase(s, td);

	tcase_add_checked_fixture(to, setup, teardown);
	tcase_add_test(to, message_challenged_auth_int);
	tcase_add_test(to, request_errors);
	suite_add_tcase(s, to);

	tcase_add_checked_fixture(th, setup, teardown);
	tcase_add_test(th, helpers_add_keep_reuse);
	tcase_add_test(th, helpers_long_request_uri);
	suite_add_tcase(s, th);
	return s;
}

SL_CHECK_MAIN(call_auth_suite)
