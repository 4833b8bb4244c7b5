/*
 * tests/unit/check_ua_register.c: registration (lib/ua/register.c,
 * auth.c; RFC 3261 §10.2, §22; RFC 5626) against a scripted registrar on
 * 127.0.0.1, with the UA application-driven on a virtual clock: what a
 * REGISTER carries, the refresh schedule, 423 with Min-Expires, digest
 * challenges answered (and a wrong password not retried), a registrar that
 * never answers (retries with back-off, the failure event, recovery when
 * it comes back), 503 with Retry-After, a definite refusal, the CRLF
 * keep-alive, unregistration (also on destroy), an outbound proxy,
 * RFC 5626 Contact parameters, network change and a replaced account.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ua_peer.c"
#include "check_main.h"

/* Every method the UA (with its call engine) handles, in its order. */
#define ALLOW_LINE \
	"\r\nAllow: INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, INFO, " \
	"UPDATE, PRACK\r\n"
#include "sipline/digest.h"
#include "sipline/headers.h"

static struct peer P;
static struct sl_ua *UA;

static void setup(void)
{
	rec_reset();
	peer_open(&P);
	UA = NULL;
}

static void teardown(void)
{
	if (UA)
		sl_ua_destroy(UA, 0);
	UA = NULL;
	peer_close(&P);
}

/* An application-driven UA with @acc (or the default account). */
static void start(const struct sl_account *acc, unsigned t1_ms)
{
	struct sl_ua_config c;
	struct sl_account a;

	ua_test_config(&c, SL_RUN_APP);
	if (t1_ms)
		c.t1_ms = t1_ms;
	UA = ua_app(&c);
	if (!acc) {
		ua_test_account(&a, &P);
		acc = &a;
	}
	ck_assert_int_eq(sl_ua_set_account(UA, acc), 0);
}

static uint32_t cseq_of(const struct peer *p)
{
	return p->msg.cseq.seq;
}

static void expect_register(void)
{
	ck_assert_msg(wait_peer(&P, UA), "no REGISTER came");
	ck_assert(peer_is(&P, "REGISTER"));
}

/* Answers the REGISTER with 200 and a Contact granting @expires. */
static void ok(unsigned expires)
{
	char extra[600];
	unsigned before = rec_count(SL_EV_REGISTERED);

	snprintf(extra, sizeof(extra), "Contact: %s;expires=%u\r\n",
		 peer_hdr(&P, "Contact"), expires);
	peer_reply(&P, 200, extra);
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTERED) > before);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), before + 1);
}

START_TEST(register_contents)
{
	struct sl_account a;
	struct sl_via via;
	char want[128], addr[64];
	struct rec_ev e;

	ua_test_account(&a, &P);
	a.expires = 600;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	/* Asking again while one is in flight changes nothing. */
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ck_assert_int_gt(sl_ua_local_addr(UA, 0, addr, sizeof(addr)), 0);

	snprintf(want, sizeof(want), "REGISTER sip:127.0.0.1:%u SIP/2.0\r\n",
		 P.port);
	ck_assert(!strncmp(P.buf, want, strlen(want)));
	ck_assert_int_eq(sl_via_decode(P.msg.hdrs[P.msg.first[SL_HDR_VIA]]
				       .value, &via), 0);
	ck_assert(sl_slice_eq(via.transport, "UDP"));
	ck_assert(sl_slice_eq(via.host, "127.0.0.1"));
	ck_assert_int_eq(via.rport, 0);
	ck_assert(!strncmp(via.branch.p, "z9hG4bK", 7));
	ck_assert_str_eq(peer_hdr(&P, "Max-Forwards"), "70");
	ck_assert_str_eq(peer_hdr(&P, "From"),
			 peer_hdr(&P, "From")); /* exists */
	ck_assert(sl_slice_eq(P.msg.from.uri_text, "sip:alice@example.com"));
	ck_assert(sl_slice_eq(P.msg.from.display, "Alice"));
	ck_assert_uint_gt(P.msg.from.tag.len, 0);
	ck_assert(sl_slice_eq(P.msg.to.uri_text, "sip:alice@example.com"));
	ck_assert_uint_eq(P.msg.to.tag.len, 0);
	ck_assert_uint_eq(cseq_of(&P), 1);
	ck_assert(sl_slice_eq(P.msg.cseq.method, "REGISTER"));
	snprintf(want, sizeof(want), "<sip:alice@%s>", addr);
	ck_assert_str_eq(peer_hdr(&P, "Contact"), want);
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "600");
	ck_assert(peer_has(&P, ALLOW_LINE));
	ck_assert(!strncmp(peer_hdr(&P, "User-Agent"), "sipline/", 8));
	ck_assert_str_eq(peer_hdr(&P, "Supported"), "");
	ck_assert_str_eq(peer_hdr(&P, "Authorization"), "");
	ck_assert_int_eq(P.msg.content_length, 0);

	ok(600);
	e = rec_last(SL_EV_REGISTERED);
	ck_assert_int_eq(e.code, 200);
	ck_assert_str_eq(e.reason, "OK");
	ck_assert_uint_eq(e.expires, 600);
	ck_assert_uint_gt(e.raw_len, 0);
	ck_assert_int_eq(UA->reg.state, SL_UA_REG_REGISTERED);
}
END_TEST

START_TEST(refresh_schedule)
{
	struct sl_account a;
	char call_id[128], tag[64];
	uint64_t t0;

	ua_test_account(&a, &P);
	a.expires = 600;
	a.keepalive_ms = 0;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	snprintf(call_id, sizeof(call_id), "%.*s", (int)P.msg.call_id.len,
		 P.msg.call_id.p);
	snprintf(tag, sizeof(tag), "%.*s", (int)P.msg.from.tag.len,
		 P.msg.from.tag.p);
	t0 = vnow_ms();
	ok(600);
	/* max(600 / 2, 600 - 5) = 595 s after the 200. */
	ck_assert_int_eq(advance(UA, 595000 - 1, &P), 0);
	ck_assert_int_eq(advance(UA, 1, &P), 1);
	ck_assert(peer_is(&P, "REGISTER"));
	ck_assert_uint_eq(vnow_ms() - t0, 595000);
	ck_assert_uint_eq(cseq_of(&P), 2);
	ck_assert(sl_slice_eq(P.msg.call_id, call_id));
	ck_assert(!sl_slice_eq(P.msg.from.tag, tag));
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "600");

	/* The registrar grants less, in the Expires header only. */
	peer_reply(&P, 200, "Expires: 20\r\n");
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTERED) == 2);
	ck_assert_uint_eq(rec_last(SL_EV_REGISTERED).expires, 20);
	t0 = vnow_ms();
	/* max(10, 15) = 15 s. */
	ck_assert_int_eq(advance(UA, 15000 - 1, &P), 0);
	ck_assert_int_eq(advance(UA, 1, &P), 1);
	ck_assert_uint_eq(vnow_ms() - t0, 15000);
	ck_assert_uint_eq(cseq_of(&P), 3);
	/* A short one: max(3 / 2, 3 - 5) -> at least 1 s. */
	peer_reply(&P, 200, "Expires: 3\r\n");
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTERED) == 3);
	t0 = vnow_ms();
	ck_assert_int_eq(advance(UA, 2000, &P), 1);
	ck_assert_uint_eq(vnow_ms() - t0, 1000);
	ck_assert_uint_eq(P.keepalives, 0);
}
END_TEST

START_TEST(keepalive_on_flow)
{
	struct sl_account a;

	ua_test_account(&a, &P);
	a.keepalive_ms = 5000;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ok(3600);
	ck_assert_int_eq(advance(UA, 16000, &P), 0);
	ck_assert_uint_eq(P.keepalives, 3);
	/* Unregistered: the keep-alive stops with the binding. */
	ck_assert_int_eq(sl_ua_unregister(UA, 0), 0);
	expect_register();
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "0");
	peer_reply(&P, 200, NULL);
	PUMP_UNTIL(UA, rec_count(SL_EV_UNREGISTERED) == 1);
	ck_assert_int_eq(advance(UA, 30000, &P), 0);
	ck_assert_uint_eq(P.keepalives, 3);
}
END_TEST

START_TEST(interval_too_brief)
{
	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "3600");
	peer_reply(&P, 423, "Min-Expires: 7200\r\n");
	expect_register();
	ck_assert_uint_eq(cseq_of(&P), 2);
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "7200");
	ok(7200);
	ck_assert_uint_eq(rec_last(SL_EV_REGISTERED).expires, 7200);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTRATION_FAILED), 0);
}
END_TEST

START_TEST(interval_too_brief_without_min)
{
	struct rec_ev e;

	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	peer_reply(&P, 423, NULL);
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTRATION_FAILED) == 1);
	e = rec_last(SL_EV_REGISTRATION_FAILED);
	ck_assert_int_eq(e.code, 423);
	ck_assert_str_eq(e.reason, "Interval Too Brief");
	ck_assert_uint_gt(e.raw_len, 0);
}
END_TEST

/* Checks the Authorization (or Proxy-) value of the last REGISTER against
 * our own computation with its cnonce and nc; returns its nc. */
static unsigned check_digest(const char *hdr, const char *chal_text,
			     const char *password)
{
	char value[1024], want[1024], cnonce[64], nc_text[16];
	struct sl_auth got, chal;
	struct sl_digest_cred cred = { "alice", password, NULL };
	struct sl_digest_req req;
	struct sl_slice cv = { chal_text, strlen(chal_text) };
	struct sl_slice gv;
	unsigned long nc;

	snprintf(value, sizeof(value), "%s", peer_hdr(&P, hdr));
	ck_assert_msg(value[0], "no %s header", hdr);
	gv.p = value;
	gv.len = strlen(value);
	ck_assert_int_eq(sl_auth_decode(gv, &got), 0);
	ck_assert_int_eq(sl_auth_decode(cv, &chal), 0);
	ck_assert(sl_slice_eq(got.username, "alice"));
	ck_assert(sl_slice_eq(got.realm, "example.com"));
	ck_assert(sl_slice_eq(got.uri, "sip:127.0.0.1:0") ||
		  got.uri.len > 0);
	sl_slice_copy(got.cnonce, cnonce, sizeof(cnonce));
	sl_slice_copy(got.nc, nc_text, sizeof(nc_text));
	nc = strtoul(nc_text, NULL, 16);
	memset(&req, 0, sizeof(req));
	req.method = "REGISTER";
	{
		static char uri[128];

		sl_slice_copy(got.uri, uri, sizeof(uri));
		req.uri = uri;
	}
	req.nc = (uint32_t)nc;
	req.cnonce = cnonce;
	ck_assert_int_gt(sl_digest_authorize(&chal, &cred, &req, want,
					     sizeof(want)), 0);
	ck_assert_str_eq(value, want);
	return (unsigned)nc;
}

START_TEST(digest_challenge)
{
	static const char chal[] = "Digest realm=\"example.com\", "
				   "nonce=\"n0nce1\", qop=\"auth\", "
				   "algorithm=MD5, opaque=\"op\"";
	char extra[300], uri[64];
	struct sl_account a;

	ua_test_account(&a, &P);
	a.expires = 100;
	a.keepalive_ms = 0;
	start(&a, 0);
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", P.port);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	snprintf(extra, sizeof(extra), "WWW-Authenticate: %s\r\n", chal);
	peer_reply(&P, 401, extra);
	expect_register();
	ck_assert_uint_eq(cseq_of(&P), 2);
	ck_assert_uint_eq(check_digest("Authorization", chal, "secret"), 1);
	ok(100);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTRATION_FAILED), 0);
	/* The refresh is authenticated at once: same nonce, nc 2. */
	ck_assert_int_eq(advance(UA, 95000, &P), 1);
	ck_assert(peer_is(&P, "REGISTER"));
	ck_assert_uint_eq(check_digest("Authorization", chal, "secret"), 2);
	ok(100);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 2);
	(void)uri;
}
END_TEST

START_TEST(digest_proxy_sha256)
{
	static const char chal[] = "Digest realm=\"example.com\", "
				   "nonce=\"pn\", qop=\"auth\", "
				   "algorithm=SHA-256";
	char extra[300];

	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	snprintf(extra, sizeof(extra), "Proxy-Authenticate: %s\r\n", chal);
	peer_reply(&P, 407, extra);
	expect_register();
	ck_assert_str_eq(peer_hdr(&P, "Authorization"), "");
	ck_assert_uint_eq(check_digest("Proxy-Authorization", chal,
				       "secret"), 1);
	ok(3600);
}
END_TEST

START_TEST(digest_wrong_password)
{
	static const char chal[] = "Digest realm=\"example.com\", "
				   "nonce=\"n1\", qop=\"auth\"";
	char extra[300];
	struct rec_ev e;

	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	snprintf(extra, sizeof(extra), "WWW-Authenticate: %s\r\n", chal);
	peer_reply(&P, 401, extra);
	expect_register();
	/* Refused again with the nonce just used: a wrong password. */
	peer_reply(&P, 401, extra);
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTRATION_FAILED) == 1);
	e = rec_last(SL_EV_REGISTRATION_FAILED);
	ck_assert_int_eq(e.code, 401);
	ck_assert_str_eq(e.reason, "Unauthorized");
	/* No recovery: the server is not hammered with bad credentials. */
	ck_assert_int_eq(advance(UA, 3600000, &P), 0);
	ck_assert_int_eq(UA->reg.state, SL_UA_REG_IDLE);
	/* The application may try again. */
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
}
END_TEST

START_TEST(digest_unsupported_scheme)
{
	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	peer_reply(&P, 401, "WWW-Authenticate: Basic realm=\"x\"\r\n");
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTRATION_FAILED) == 1);
	ck_assert_int_eq(rec_last(SL_EV_REGISTRATION_FAILED).code, 401);
	ck_assert_int_eq(UA->reg.state, SL_UA_REG_IDLE);
}
END_TEST

/* The times (virtual ms) of new REGISTERs (new CSeq) until @n of them
 * came; retransmissions are not answered. */
static void collect(uint64_t *at, uint32_t *cseq, int n, uint64_t limit_ms)
{
	int got = 0;
	uint32_t last = cseq_of(&P);

	for (int i = 0; i < 10000 && got < n; i++) {
		if (!advance(UA, limit_ms, &P))
			break;
		if (!peer_is(&P, "REGISTER") || cseq_of(&P) == last)
			continue;
		last = cseq_of(&P);
		at[got] = vnow_ms();
		cseq[got++] = last;
	}
	ck_assert_int_eq(got, n);
}

START_TEST(registrar_silent_then_back)
{
	struct sl_account a;
	uint64_t at[4];
	uint32_t cs[4];
	struct rec_ev e;

	ua_test_account(&a, &P);
	a.reg_retries = 2;
	a.reg_retry_ms = 1000;
	a.reg_recover_ms = 10000;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	at[0] = vnow_ms();
	cs[0] = cseq_of(&P);
	collect(at + 1, cs + 1, 3, 200000);
	/* Timer F is 64 * T1 = 32 s; then 1 s, then 2 s of back-off. */
	ck_assert_uint_eq(at[1] - at[0], 32000 + 1000);
	ck_assert_uint_eq(at[2] - at[1], 32000 + 2000);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTRATION_FAILED), 1);
	e = rec_last(SL_EV_REGISTRATION_FAILED);
	ck_assert_int_eq(e.code, 0);
	ck_assert_str_eq(e.reason, "no answer");
	ck_assert_uint_eq(e.raw_len, 0);
	/* After the failure: recovery every 10 s. */
	ck_assert_uint_eq(at[3] - at[2], 32000 + 10000);
	for (int i = 1; i < 4; i++)
		ck_assert_uint_eq(cs[i], cs[i - 1] + 1);
	/* One failure event only while recovering. */
	collect(at, cs, 1, 200000);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTRATION_FAILED), 1);
	/* The registrar is back. */
	ok(3600);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 1);
	ck_assert_int_eq(UA->reg.state, SL_UA_REG_REGISTERED);
}
END_TEST

START_TEST(service_unavailable_retry_after)
{
	struct sl_account a;
	uint64_t t0;

	ua_test_account(&a, &P);
	a.reg_retry_ms = 1000;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	t0 = vnow_ms();
	peer_reply(&P, 503, "Retry-After: 20\r\n");
	ck_assert_int_eq(advance(UA, 60000, &P), 1);
	ck_assert_uint_eq(vnow_ms() - t0, 20000);
	/* 503 without Retry-After: the back-off (now the second: 2 s). */
	t0 = vnow_ms();
	peer_reply(&P, 503, NULL);
	ck_assert_int_eq(advance(UA, 60000, &P), 1);
	ck_assert_uint_eq(vnow_ms() - t0, 2000);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTRATION_FAILED), 0);
}
END_TEST

START_TEST(definite_refusal)
{
	struct sl_account a;
	struct rec_ev e;
	uint64_t t0;

	ua_test_account(&a, &P);
	a.reg_recover_ms = 7000;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	t0 = vnow_ms();
	peer_reply(&P, 403, NULL);
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTRATION_FAILED) == 1);
	e = rec_last(SL_EV_REGISTRATION_FAILED);
	ck_assert_int_eq(e.code, 403);
	ck_assert_str_eq(e.reason, "Forbidden");
	ck_assert_int_eq(advance(UA, 60000, &P), 1);
	ck_assert_uint_eq(vnow_ms() - t0, 7000);
	ok(60);
}
END_TEST

START_TEST(unregister_no_wait)
{
	char contact[256], call_id[128];
	struct rec_ev e;

	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	snprintf(contact, sizeof(contact), "%s", peer_hdr(&P, "Contact"));
	snprintf(call_id, sizeof(call_id), "%.*s", (int)P.msg.call_id.len,
		 P.msg.call_id.p);
	ok(3600);
	ck_assert_int_eq(sl_ua_unregister(UA, 0), 0);
	expect_register();
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "0");
	ck_assert_str_eq(peer_hdr(&P, "Contact"), contact);
	ck_assert(sl_slice_eq(P.msg.call_id, call_id));
	ck_assert_uint_eq(cseq_of(&P), 2);
	/* Asked again while it runs: nothing new. */
	ck_assert_int_eq(sl_ua_unregister(UA, 0), 0);
	peer_reply(&P, 200, NULL);
	PUMP_UNTIL(UA, rec_count(SL_EV_UNREGISTERED) == 1);
	e = rec_last(SL_EV_UNREGISTERED);
	ck_assert_int_eq(e.code, 200);
	ck_assert_int_eq(UA->reg.state, SL_UA_REG_IDLE);
	/* Nothing left to remove. */
	ck_assert_int_eq(sl_ua_unregister(UA, 0), SL_ESTATE);
	ck_assert_int_eq(advance(UA, 7200000, &P), 0);
}
END_TEST

START_TEST(unregister_wait_in_app_mode)
{
	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ok(3600);
	/* This thread runs the loop: the wait steps it, and with nobody
	 * answering it ends after the bound. */
	ck_assert_int_eq(sl_ua_unregister(UA, 50), SL_ETIMEOUT);
	ck_assert(peer_poll(&P, 100));
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "0");
	peer_reply(&P, 200, NULL);
	PUMP_UNTIL(UA, rec_count(SL_EV_UNREGISTERED) == 1);
}
END_TEST

START_TEST(destroy_unregisters)
{
	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ok(3600);
	ck_assert_int_eq(sl_ua_destroy(UA, 0), 0);
	UA = NULL;
	ck_assert(peer_poll(&P, 200));
	ck_assert(peer_is(&P, "REGISTER"));
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "0");
	ck_assert_uint_eq(rec_count(SL_EV_DESTROYED), 1);
}
END_TEST

START_TEST(outbound_proxy_and_instance)
{
	struct sl_account a;
	char route[128];

	ua_test_account(&a, NULL);
	snprintf(a.registrar, sizeof(a.registrar), "sip:example.com");
	snprintf(a.outbound_proxy, sizeof(a.outbound_proxy),
		 "sip:127.0.0.1:%u", P.port);
	snprintf(a.instance_id, sizeof(a.instance_id),
		 "urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6");
	a.reg_id = 1;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ck_assert(!strncmp(P.buf, "REGISTER sip:example.com SIP/2.0", 32));
	snprintf(route, sizeof(route), "<sip:127.0.0.1:%u;lr>", P.port);
	ck_assert_str_eq(peer_hdr(&P, "Route"), route);
	ck_assert_str_eq(peer_hdr(&P, "Supported"), "outbound");
	ck_assert_ptr_nonnull(strstr(peer_hdr(&P, "Contact"),
		";+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-"
		"00a0c91e6bf6>\";reg-id=1"));
	ok(3600);
}
END_TEST

START_TEST(network_change_reregisters)
{
	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ok(3600);
	ck_assert_int_eq(sl_ua_network_changed(UA), 0);
	expect_register();
	ck_assert_uint_eq(cseq_of(&P), 2);
	ck_assert_str_eq(peer_hdr(&P, "Expires"), "3600");
	ok(3600);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 2);
}
END_TEST

START_TEST(account_replaced)
{
	struct sl_account a;
	char call_id[128];

	start(NULL, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	snprintf(call_id, sizeof(call_id), "%.*s", (int)P.msg.call_id.len,
		 P.msg.call_id.p);
	ok(3600);
	ua_test_account(&a, &P);
	snprintf(a.user, sizeof(a.user), "bob");
	ck_assert_int_eq(sl_ua_set_account(UA, &a), 0);
	ck_assert_int_eq(UA->reg.state, SL_UA_REG_IDLE);
	/* The old registration is dropped: no refresh ever. */
	ck_assert_int_eq(advance(UA, 7200000, &P), 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ck_assert(sl_slice_eq(P.msg.from.uri_text, "sip:bob@example.com"));
	ck_assert(!sl_slice_eq(P.msg.call_id, call_id));
	ck_assert_uint_eq(cseq_of(&P), 1);
}
END_TEST

START_TEST(display_name_change)
{
	start(NULL, 0);
	ck_assert_int_eq(sl_ua_set_display_name(UA, "Alice \"A\" Smith"), 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ck_assert_ptr_nonnull(strstr(peer_hdr(&P, "From"),
				     "\"Alice \\\"A\\\" Smith\""));
}
END_TEST


/* A registrar name that cannot be located fails like a silent one. */
START_TEST(registrar_not_located)
{
	struct sl_account a;
	struct rec_ev e;

	ua_test_account(&a, NULL);
	snprintf(a.registrar, sizeof(a.registrar), "sip:registrar.invalid");
	a.reg_retries = 0;
	start(&a, 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	for (int i = 0; i < 50 && !rec_count(SL_EV_REGISTRATION_FAILED);
	     i++)
		advance(UA, 1000, NULL);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTRATION_FAILED), 1);
	e = rec_last(SL_EV_REGISTRATION_FAILED);
	ck_assert_int_eq(e.code, 0);
	ck_assert_str_ne(e.reason, "");
	ck_assert_int_eq(UA->reg.state, SL_UA_REG_WAITING);
	ck_assert_uint_eq(P.n_msgs, 0);
}
END_TEST

/* Bound to any address: the Contact names the address the kernel routes
 * to the registrar from, or local_ip when it is set. */
static void contact_host(const char *local_ip, const char *want_host)
{
	struct sl_ua_config c;
	struct sl_account a;
	struct sl_via via;
	char want[128];

	ua_test_config(&c, SL_RUN_APP);
	c.listen[0].host[0] = '\0';
	snprintf(c.local_ip, sizeof(c.local_ip), "%s", local_ip);
	UA = ua_app(&c);
	ua_test_account(&a, &P);
	ck_assert_int_eq(sl_ua_set_account(UA, &a), 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	expect_register();
	ck_assert_int_eq(sl_via_decode(P.msg.hdrs[P.msg.first[SL_HDR_VIA]]
				       .value, &via), 0);
	ck_assert(sl_slice_eq(via.host, want_host));
	snprintf(want, sizeof(want), "<sip:alice@%s:%u>", want_host,
		 via.port);
	ck_assert_str_eq(peer_hdr(&P, "Contact"), want);
	ck_assert_uint_eq(via.port, ntohs(P.from.sin_port));
}

START_TEST(contact_any_bind)
{
	contact_host("", "127.0.0.1");
}
END_TEST

START_TEST(contact_local_ip)
{
	contact_host("192.0.2.7", "192.0.2.7");
}
END_TEST

/* ---- over TCP: the flow, its keep-alive and its loss (B2, B3) ---- */

static int tcp_listener(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int tcp_accept(int lfd)
{
	for (int i = 0; i < 2000; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

		if (fd >= 0)
			return fd;
		sl_ua_step(UA);
		usleep_poll(1);
	}
	ck_abort_msg("the UA did not connect");
	return -1;
}

/* Reads from @fd (stepping the UA) until @buf holds a header block or
 * exactly @want bytes. Return: the length read. */
static size_t tcp_read(int fd, char *buf, size_t cap, size_t want)
{
	size_t len = 0;

	for (int i = 0; i < 2000; i++) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n > 0) {
			len += (size_t)n;
			buf[len] = '\0';
			if ((want && len >= want) ||
			    (!want && strstr(buf, "\r\n\r\n")))
				return len;
			continue;
		}
		sl_ua_step(UA);
		usleep_poll(1);
	}
	ck_abort_msg("nothing (complete) came over TCP: %zu bytes", len);
	return 0;
}

static void tcp_register(int fd, struct sl_msg *m, char *buf, size_t cap)
{
	static unsigned char mem[PEER_ARENA];
	struct sl_arena arena;
	size_t n = tcp_read(fd, buf, cap, 0);

	sl_arena_init(&arena, mem, sizeof(mem));
	ck_assert_int_eq(sl_msg_parse(m, buf, n, &arena, NULL,
				      SL_PARSE_STREAM, NULL), 0);
	ck_assert(sl_slice_eq(m->method_name, "REGISTER"));
}

static void tcp_ok(int fd, const struct sl_msg *m)
{
	char out[2048], extra[600];
	struct sl_builder b;
	struct sl_slice c;
	int n;

	ck_assert_int_ge(sl_msg_find(m, "Contact", &c), 0);
	snprintf(extra, sizeof(extra), "%.*s;expires=3600", (int)c.len, c.p);
	sl_build_init(&b, out, sizeof(out));
	sl_build_response(&b, m, 200, NULL, "reg", 0);
	sl_build_header(&b, "Contact", extra);
	sl_build_header(&b, "Require", "outbound");
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(write(fd, out, (size_t)n), n);
}

START_TEST(tcp_flow_lost_reregisters)
{
	struct sl_ua_config c;
	struct sl_account a;
	struct sl_msg m;
	char buf[4096];
	uint16_t port;
	int lfd = tcp_listener(&port), fd;

	ua_test_config(&c, SL_RUN_APP);
	c.listen[1] = c.listen[0];
	c.listen[1].transport = SL_TRANSPORT_TCP;
	c.n_listen = 2;
	UA = ua_app(&c);
	ua_test_account(&a, NULL);
	snprintf(a.registrar, sizeof(a.registrar), "sip:127.0.0.1:%u", port);
	a.transport = SL_TRANSPORT_TCP;
	a.keepalive_ms = 4000;
	ck_assert_int_eq(sl_ua_set_account(UA, &a), 0);
	ck_assert_int_eq(sl_ua_register(UA), 0);
	fd = tcp_accept(lfd);
	tcp_register(fd, &m, buf, sizeof(buf));
	ck_assert(sl_slice_eq(m.vias[0].transport, "TCP"));
	ck_assert_ptr_nonnull(strstr(buf, ";transport=tcp>"));
	ck_assert_uint_eq(m.cseq.seq, 1);
	tcp_ok(fd, &m);
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTERED) == 1);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 1);

	/* The registrar supports outbound: CRLF pings, answered. */
	advance(UA, 4000, NULL);
	ck_assert_uint_eq(tcp_read(fd, buf, sizeof(buf), 4), 4);
	ck_assert_str_eq(buf, "\r\n\r\n");
	ck_assert_int_eq(write(fd, "\r\n", 2), 2);
	pump(UA);

	/* The connection dies: the UA registers again over a new one, at
	 * once rather than at the refresh. */
	close(fd);
	fd = tcp_accept(lfd);
	tcp_register(fd, &m, buf, sizeof(buf));
	ck_assert_uint_eq(m.cseq.seq, 2);
	tcp_ok(fd, &m);
	PUMP_UNTIL(UA, rec_count(SL_EV_REGISTERED) == 2);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 2);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTRATION_FAILED), 0);
	close(fd);
	close(lfd);
}
END_TEST

static Suite *ua_register_suite(void)
{
	Suite *s = suite_create("ua_register");
	TCase *tc = tcase_create("register");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, register_contents);
	tcase_add_test(tc, refresh_schedule);
	tcase_add_test(tc, keepalive_on_flow);
	tcase_add_test(tc, interval_too_brief);
	tcase_add_test(tc, interval_too_brief_without_min);
	tcase_add_test(tc, digest_challenge);
	tcase_add_test(tc, digest_proxy_sha256);
	tcase_add_test(tc, digest_wrong_password);
	tcase_add_test(tc, digest_unsupported_scheme);
	tcase_add_test(tc, registrar_silent_then_back);
	tcase_add_test(tc, service_unavailable_retry_after);
	tcase_add_test(tc, definite_refusal);
	tcase_add_test(tc, unregister_no_wait);
	tcase_add_test(tc, unregister_wait_in_app_mode);
	tcase_add_test(tc, destroy_unregisters);
	tcase_add_test(tc, outbound_proxy_and_instance);
	tcase_add_test(tc, network_change_reregisters);
	tcase_add_test(tc, account_replaced);
	tcase_add_test(tc, display_name_change);
	tcase_add_test(tc, tcp_flow_lost_reregisters);
	tcase_add_test(tc, registrar_not_located);
	tcase_add_test(tc, contact_any_bind);
	tcase_add_test(tc, contact_local_ip);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(ua_register_suite)
