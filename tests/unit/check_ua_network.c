/*
 * tests/unit/check_ua_network.c: sl_ua_network_changed() (lib/ua/
 * network.c, transport/tpmgr.c sl__tpmgr_rebind()): a UA listening on
 * 127.0.0.2 (UDP and TCP) is told its address left the machine through
 * an injected interface list (struct sl_ua_hooks @interfaces): its
 * sockets move to "any" at the same ports, the registration is renewed at
 * once with the new Contact, an active call is re-INVITEd with the new
 * Contact and SDP address, the UA is still reachable, a taken port gives
 * way to an ephemeral one, a configured local_ip naming the lost address
 * is dropped, and nothing moves while the address is still there.
 */
#include <arpa/inet.h>
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ua_peer.c"
#include "sipline/call.h"
#include "check_main.h"

static struct peer P;
static struct sl_ua *U;
static size_t MEM_BEFORE;
static int HAVE_127_0_0_2;     /* the injected list has it */
static unsigned IF_CALLS;

/* The injected interface list: lo with 127.0.0.1, and 127.0.0.2 while
 * HAVE_127_0_0_2 says so. */
static int fake_ifs(void *arg, struct sl_net_if *out, unsigned cap)
{
	static const char *const addrs[] = { "127.0.0.1", "127.0.0.2" };
	unsigned n = HAVE_127_0_0_2 ? 2 : 1;

	(void)arg;
	IF_CALLS++;
	for (unsigned i = 0; i < n && i < cap; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		snprintf(out[i].name, sizeof(out[i].name), "lo");
		snprintf(out[i].addr, sizeof(out[i].addr), "%s", addrs[i]);
		out[i].loopback = 1;
	}
	return (int)n;
}

static void make_ua(const char *local_ip)
{
	struct sl_ua_config c;
	struct sl_ua_hooks h;
	struct sl_account a;

	ua_test_config(&c, SL_RUN_APP);
	snprintf(c.listen[0].host, sizeof(c.listen[0].host), "127.0.0.2");
	c.listen[1].transport = SL_TRANSPORT_TCP;
	snprintf(c.listen[1].host, sizeof(c.listen[1].host), "127.0.0.2");
	c.n_listen = 2;
	c.max_lines = 2;
	c.session_expires = 0;
	if (local_ip)
		snprintf(c.local_ip, sizeof(c.local_ip), "%s", local_ip);
	sl__vclock_init(&VC, 1000000000ull);
	memset(&h, 0, sizeof(h));
	h.clock = &VC.clock;
	h.seed = 42;
	h.interfaces = fake_ifs;
	U = NULL;
	ck_assert_int_eq(sl__ua_create_ex(&U, &c, &h), 0);
	ua_test_account(&a, &P);
	ck_assert_int_eq(sl_ua_set_account(U, &a), 0);
}

static void setup(void)
{
	MEM_BEFORE = mem_now();
	rec_reset();
	peer_open(&P);
	HAVE_127_0_0_2 = 1;
	IF_CALLS = 0;
	U = NULL;
}

static void teardown(void)
{
	if (U)
		ck_assert_int_eq(sl_ua_destroy(U, 0), 0);
	U = NULL;
	peer_close(&P);
	ck_assert_uint_eq(mem_now(), MEM_BEFORE);
}

static uint16_t port_of(const char *hostport)
{
	const char *colon = strrchr(hostport, ':');

	ck_assert_ptr_nonnull(colon);
	return (uint16_t)atoi(colon + 1);
}

static void local(unsigned index, char *out, size_t cap)
{
	ck_assert_int_gt(sl_ua_local_addr(U, index, out, cap), 0);
}

static void expect(const char *method)
{
	ck_assert_msg(wait_peer(&P, U), "no %s came", method);
	ck_assert_msg(peer_is(&P, method), "%s expected, got:\n%s", method,
		      P.buf);
}

/* REGISTER, answered 200 with the Contact it asked for. */
static void registered(const char *want_contact_host)
{
	char extra[512], contact[256], want[64];

	ck_assert_int_eq(sl_ua_register(U), 0);
	expect("REGISTER");
	snprintf(contact, sizeof(contact), "%s", peer_hdr(&P, "Contact"));
	snprintf(want, sizeof(want), "@%s:", want_contact_host);
	ck_assert_msg(strstr(contact, want) != NULL, "Contact %s", contact);
	snprintf(extra, sizeof(extra), "Contact: %s;expires=3600\r\n",
		 contact);
	peer_reply(&P, 200, extra);
	pump(U);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 1);
}

START_TEST(rebinds_on_any_same_ports)
{
	char before0[64], before1[64], after[64], want[64], extra[512];
	struct sockaddr_in to;
	uint16_t uport, tport;

	make_ua(NULL);
	local(0, before0, sizeof(before0));
	local(1, before1, sizeof(before1));
	ck_assert(!strncmp(before0, "127.0.0.2:", 10));
	ck_assert(!strncmp(before1, "127.0.0.2:", 10));
	uport = port_of(before0);
	tport = port_of(before1);
	registered("127.0.0.2");

	HAVE_127_0_0_2 = 0;
	ck_assert_int_eq(sl_ua_network_changed(U), 0);
	ck_assert_uint_ge(IF_CALLS, 1);
	/* Both listeners on "any", at the ports they had. */
	local(0, after, sizeof(after));
	snprintf(want, sizeof(want), "0.0.0.0:%u", uport);
	ck_assert_str_eq(after, want);
	local(1, after, sizeof(after));
	snprintf(want, sizeof(want), "0.0.0.0:%u", tport);
	ck_assert_str_eq(after, want);
	/* The registration is renewed at once, with the address the
	 * machine routes from now (and the same port). */
	expect("REGISTER");
	snprintf(want, sizeof(want), "@127.0.0.1:%u", uport);
	ck_assert_msg(strstr(peer_hdr(&P, "Contact"), want) != NULL,
		      "Contact %s", peer_hdr(&P, "Contact"));
	snprintf(want, sizeof(want), "SIP/2.0/UDP 127.0.0.1:%u", uport);
	ck_assert_ptr_nonnull(strstr(peer_hdr(&P, "Via"), want));
	snprintf(extra, sizeof(extra), "Contact: %s;expires=3600\r\n",
		 peer_hdr(&P, "Contact"));
	peer_reply(&P, 200, extra);
	pump(U);
	ck_assert_uint_eq(rec_count(SL_EV_REGISTERED), 2);
	/* Still reachable at the same port. */
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(uport);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer_send(&P, &to,
		  "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		  "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKnet1;rport\r\n"
		  "From: <sip:p@127.0.0.1>;tag=1\r\nTo: <sip:a@127.0.0.1>\r\n"
		  "Call-ID: net-1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		  "Content-Length: 0\r\n\r\n");
	ck_assert(wait_peer(&P, U));
	ck_assert_int_eq(P.msg.status, 200);
	/* A second change finds nothing left to move. */
	ck_assert_int_eq(sl_ua_network_changed(U), 0);
	local(0, after, sizeof(after));
	snprintf(want, sizeof(want), "0.0.0.0:%u", uport);
	ck_assert_str_eq(after, want);
	expect("REGISTER");
}
END_TEST

START_TEST(address_still_there_nothing_moves)
{
	char before[64], after[64];

	make_ua(NULL);
	local(0, before, sizeof(before));
	ck_assert_int_eq(sl_ua_network_changed(U), 0);
	local(0, after, sizeof(after));
	ck_assert_str_eq(after, before);
	/* Nothing registered: no REGISTER either. */
	ck_assert(!advance(U, 1000, &P));
}
END_TEST

START_TEST(taken_port_gives_ephemeral_and_local_ip_dropped)
{
	char before[64], after[64];
	struct sockaddr_in a;
	uint16_t uport;
	int fd;

	make_ua("127.0.0.2");
	local(0, before, sizeof(before));
	uport = port_of(before);
	/* Someone holds 127.0.0.1 at that port: "any" cannot have it. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(uport);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	HAVE_127_0_0_2 = 0;
	ck_assert_int_eq(sl_ua_network_changed(U), 0);
	local(0, after, sizeof(after));
	ck_assert(!strncmp(after, "0.0.0.0:", 8));
	ck_assert_uint_ne(port_of(after), uport);
	ck_assert_uint_ne(port_of(after), 0);
	close(fd);
	/* local_ip named the lost address: Contact follows the route. */
	registered("127.0.0.1");
}
END_TEST

START_TEST(call_reinvited_with_new_address)
{
	char callee[96], extra[256], before[64], want[64];
	struct sl_call_params p;
	uint16_t uport;
	int s;

	make_ua(NULL);
	local(0, before, sizeof(before));
	uport = port_of(before);
	snprintf(callee, sizeof(callee), "sip:bob@127.0.0.1:%u", P.port);
	sl_call_params_init(&p);
	p.callee = callee;
	s = sl_call_make(U, &p);
	ck_assert_int_gt(s, 0);
	expect("INVITE");
	ck_assert_ptr_nonnull(strstr(peer_hdr(&P, "Contact"), "@127.0.0.2:"));
	ck_assert_ptr_nonnull(strstr(P.buf, "c=IN IP4 127.0.0.2"));
	snprintf(extra, sizeof(extra), "Contact: <sip:bob@127.0.0.1:%u>\r\n",
		 P.port);
	peer_reply(&P, 200, extra);
	expect("ACK");
	pump(U);
	HAVE_127_0_0_2 = 0;
	ck_assert_int_eq(sl_ua_network_changed(U), 0);
	/* B3: a re-INVITE with the new Contact and SDP address. */
	expect("INVITE");
	snprintf(want, sizeof(want), "@127.0.0.1:%u", uport);
	ck_assert_msg(strstr(peer_hdr(&P, "Contact"), want) != NULL,
		      "Contact %s", peer_hdr(&P, "Contact"));
	ck_assert_ptr_nonnull(strstr(P.buf, "c=IN IP4 127.0.0.1"));
	ck_assert_uint_eq(P.msg.cseq.seq, 2);
	peer_reply(&P, 200, extra);
	expect("ACK");
	ck_assert_int_eq(sl_call_hangup(U, s), 0);
	expect("BYE");
	peer_reply(&P, 200, NULL);
	pump(U);
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_IDLE);
}
END_TEST

START_TEST(bad_arguments)
{
	char before[64], after[64], want[64];

	ck_assert_int_eq(sl_ua_network_changed(NULL), SL_EINVAL);
	/* The transport call itself (on the loop thread: this one). */
	make_ua(NULL);
	local(0, before, sizeof(before));
	ck_assert_int_eq(sl__tpmgr_rebind(NULL, 0, NULL, AF_INET), SL_EINVAL);
	ck_assert_int_eq(sl__tpmgr_rebind(U->tp, 2, NULL, AF_INET),
			 SL_EINVAL);
	ck_assert_int_eq(sl__tpmgr_rebind(U->tp, 0, NULL, AF_UNIX),
			 SL_EINVAL);
	ck_assert_int_eq(sl__tpmgr_rebind(U->tp, 0, "::1", AF_INET),
			 SL_EINVAL);
	ck_assert_int_eq(sl__tpmgr_rebind(U->tp, 0, "host.example", AF_INET),
			 SL_EINVAL);
	local(0, after, sizeof(after));
	ck_assert_str_eq(after, before);
	/* An explicit address, same port. */
	ck_assert_int_eq(sl__tpmgr_rebind(U->tp, 0, "127.0.0.1", AF_INET), 0);
	local(0, after, sizeof(after));
	snprintf(want, sizeof(want), "127.0.0.1:%u", port_of(before));
	ck_assert_str_eq(after, want);
}
END_TEST

static Suite *check_ua_network_suite(void)
{
	Suite *s = suite_create("ua_network");
	TCase *tc = tcase_create("network");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, rebinds_on_any_same_ports);
	tcase_add_test(tc, address_still_there_nothing_moves);
	tcase_add_test(tc, taken_port_gives_ephemeral_and_local_ip_dropped);
	tcase_add_test(tc, call_reinvited_with_new_address);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_ua_network_suite)
