/*
 * tests/unit/check_transport.c: the SIP transports (transport/): addresses,
 * UDP, TCP and TLS over real sockets on 127.0.0.1 (and ::1 when the host
 * has it), §18.2.1/§18.2.2 response facts and routing, RFC 5626 CRLF
 * keep-alive, the receive buffer pool and stateless rejection.
 *
 * The loop runs in application-driven mode on a virtual clock: tests step
 * it with small timeouts in bounded loops until the expected event comes,
 * and move time forward by hand for idle, connect and pong timeouts.
 * Nothing sleeps. The TLS material is tests/data/tls/ and, for servers
 * named by an address, tests/data/tls-ip/ (see their READMEs).
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <mbedtls/x509_crt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "core/clock.h"
#include "core/loop.h"
#include "sipline/build.h"
#include "sipline/log.h"
#include "transport/tp_int.h"
#include "transport/tp_response.h"

#define TLS_DIR "tests/data/tls/"
#define IP_DIR "tests/data/tls-ip/"
#define TLS_NAME "sip.test.example"

enum { MAX_REC = 16, REC_MSG = 4096, STEPS = 400 };

/* ---- environment: one loop on a virtual clock per test ---- */

static struct sl_vclock vclock;
static struct sl_loop *loop;

static void setup(void)
{
	struct sl_loop_config lc;

	memset(&lc, 0, sizeof(lc));
	sl__vclock_init(&vclock, 1000000);
	lc.clock = &vclock.clock;
	ck_assert_int_eq(sl__loop_create(&loop, &lc), 0);
	/* SL_TEST_LOG=debug shows the transport's log lines. */
	sl_log_set_level(getenv("SL_TEST_LOG")
			 ? (enum sl_log_level)sl_log_level_parse(
				   getenv("SL_TEST_LOG"))
			 : SL_LOG_NONE);
}

static void teardown(void)
{
	sl__loop_destroy(loop);
	loop = NULL;
}

#define RUN_UNTIL(cond)                                                \
	do {                                                           \
		for (int r_ = 0; r_ < STEPS && !(cond); r_++)          \
			sl__loop_step(loop, 5);                        \
	} while (0)

/* A few iterations, for "nothing more happens" checks. */
static void run_a_little(void)
{
	for (int i = 0; i < 10; i++)
		sl__loop_step(loop, 2);
}

static void advance_ms(uint64_t ms)
{
	sl__vclock_advance(&vclock, ms * 1000);
	sl__loop_step(loop, 0);
	sl__loop_step(loop, 0);
}

/* ---- what the manager reported ---- */

struct rec {
	struct sl_tpmgr *m;
	int n_rx;
	char msg[MAX_REC][REC_MSG];
	size_t len[MAX_REC];
	enum sl_tp tp[MAX_REC];
	uint32_t flow[MAX_REC];
	struct sl_addr src[MAX_REC];
	int differs[MAX_REC];
	int is_request[MAX_REC];
	int keep;                      /* take a reference to each one */
	struct sl_rxbuf *kept[MAX_REC];
	int n_kept;
	int reply;                     /* answer requests 200 OK */
	int reply_rc;
	int n_closed;
	uint32_t closed_flow[MAX_REC];
	int closed_err[MAX_REC];
	int n_rej;
	struct sl_parse_error rej[MAX_REC];
	int n_unreach;
	enum sl_tp unreach_tp[MAX_REC];
	struct sl_addr unreach[MAX_REC];
	int unreach_err[MAX_REC];
};

static void answer(struct rec *r, struct sl_rxbuf *rx)
{
	static char buf[4096];
	struct sl_builder b;
	struct sl_tp_dest dst;
	int rc;

	sl_build_init(&b, buf, sizeof(buf));
	rc = sl__tp_build_response(&b, rx, 200, NULL, "srv1", 0);
	if (rc == 0)
		rc = sl_build_finish(&b, NULL, NULL, 0);
	if (rc >= 0)
		rc = sl__tp_response_dest(rx, &dst);
	if (rc >= 0)
		rc = sl__tp_send(r->m, &dst, buf, b.len);
	r->reply_rc = rc;
}

static void on_recv(void *arg, struct sl_rxbuf *rx)
{
	struct rec *r = arg;
	int i = r->n_rx++;

	if (i >= MAX_REC)
		return;
	r->len[i] = rx->msg.len < REC_MSG - 1 ? rx->msg.len : REC_MSG - 1;
	memcpy(r->msg[i], rx->msg.buf, r->len[i]);
	r->msg[i][r->len[i]] = '\0';
	r->tp[i] = rx->tp;
	r->flow[i] = rx->flow;
	r->src[i] = rx->src;
	r->differs[i] = rx->received_differs;
	r->is_request[i] = rx->msg.is_request;
	if (r->keep) {
		sl__rxbuf_ref(rx);
		r->kept[r->n_kept++] = rx;
	}
	if (r->reply && rx->msg.is_request)
		answer(r, rx);
}

static void on_closed(void *arg, uint32_t flow, int err)
{
	struct rec *r = arg;

	if (r->n_closed < MAX_REC) {
		r->closed_flow[r->n_closed] = flow;
		r->closed_err[r->n_closed] = err;
	}
	r->n_closed++;
}

static void on_rejected(void *arg, const struct sl_parse_error *err,
			const struct sl_addr *src)
{
	struct rec *r = arg;

	(void)src;
	if (r->n_rej < MAX_REC)
		r->rej[r->n_rej] = *err;
	r->n_rej++;
}

static void on_unreachable(void *arg, enum sl_tp tp,
			   const struct sl_addr *dst, int err)
{
	struct rec *r = arg;

	if (r->n_unreach < MAX_REC) {
		r->unreach_tp[r->n_unreach] = tp;
		r->unreach[r->n_unreach] = *dst;
		r->unreach_err[r->n_unreach] = err;
	}
	r->n_unreach++;
}

/* ---- managers ---- */

static void base_config(struct sl_tp_config *cfg)
{
	sl__tp_config_init(cfg);
	cfg->rx_buffers = 8;
	cfg->max_conns = 8;
}

static void add_bind(struct sl_tp_config *cfg, enum sl_tp tp,
		     const char *host)
{
	cfg->binds[cfg->n_binds].tp = tp;
	cfg->binds[cfg->n_binds].host = host;
	cfg->binds[cfg->n_binds].port = 0;
	cfg->n_binds++;
}

static struct sl_tpmgr *make_mgr(const struct sl_tp_config *cfg,
				 struct rec *r)
{
	struct sl_tp_handlers h = { on_recv, on_closed, on_rejected,
				    on_unreachable, r };
	struct sl_tpmgr *m = NULL;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, cfg, &h), 0);
	r->m = m;
	return m;
}

static struct sl_tpmgr *udp_mgr(struct rec *r, const char *host)
{
	struct sl_tp_config cfg;

	base_config(&cfg);
	add_bind(&cfg, SL_TP_UDP, host);
	return make_mgr(&cfg, r);
}

/* ---- raw peer sockets ---- */

static int raw_udp(int family, struct sl_addr *local)
{
	int fd = socket(family, SOCK_DGRAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sl__addr_set(local, family == AF_INET ? "127.0.0.1"
							       : "::1",
				      family == AF_INET ? 9 : 3, 0), 0);
	ck_assert_int_eq(bind(fd, &local->u.sa, local->len), 0);
	local->len = sizeof(local->u);
	ck_assert_int_eq(getsockname(fd, &local->u.sa, &local->len), 0);
	return fd;
}

static int raw_tcp_connect(const struct sl_addr *to)
{
	int fd = socket(sl__addr_family(to), SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(connect(fd, &to->u.sa, to->len), 0);
	return fd;
}

static int raw_tcp_listen(struct sl_addr *local)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	ck_assert_int_eq(sl__addr_set(local, "127.0.0.1", 9, 0), 0);
	ck_assert_int_eq(bind(fd, &local->u.sa, local->len), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	local->len = sizeof(local->u);
	ck_assert_int_eq(getsockname(fd, &local->u.sa, &local->len), 0);
	return fd;
}

/* Accepts on @lfd while stepping the loop (the manager connects). */
static int raw_accept(int lfd)
{
	for (int i = 0; i < STEPS; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);

		if (fd >= 0)
			return fd;
		sl__loop_step(loop, 5);
	}
	ck_abort_msg("nothing connected");
	return -1;
}

/* Receives what is there while stepping the loop: bytes, 0 at end of
 * stream, -1 when nothing came. */
static ssize_t raw_recv(int fd, char *buf, size_t cap)
{
	for (int i = 0; i < STEPS; i++) {
		ssize_t n = recv(fd, buf, cap - 1, MSG_DONTWAIT);

		if (n >= 0) {
			buf[n] = '\0';
			return n;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return 0;
		sl__loop_step(loop, 5);
	}
	return -1;
}

/* Reads a stream until @want bytes came (or it ends). */
static size_t raw_recv_n(int fd, char *buf, size_t cap, size_t want)
{
	size_t got = 0;

	while (got < want) {
		ssize_t n = raw_recv(fd, buf + got, cap - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

static void raw_send(int fd, const char *p, size_t len)
{
	ck_assert_int_eq(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void raw_sendto(int fd, const char *p, size_t len,
		       const struct sl_addr *to)
{
	ck_assert_int_eq(sendto(fd, p, len, 0, &to->u.sa, to->len),
			 (ssize_t)len);
}

/* ---- messages ---- */

/* A request with @via as its top Via and a body of @body_len 'x's. */
static size_t make_req(char *buf, size_t cap, const char *method,
		       const char *via, const char *cseq, size_t body_len)
{
	int n = snprintf(buf, cap,
			 "%s sip:bob@example.com SIP/2.0\r\n"
			 "Via: %s\r\n"
			 "Max-Forwards: 70\r\n"
			 "From: <sip:alice@example.com>;tag=a1\r\n"
			 "To: <sip:bob@example.com>\r\n"
			 "Call-ID: c1@example.com\r\n"
			 "CSeq: %s\r\n"
			 "Content-Length: %zu\r\n\r\n",
			 method, via, cseq ? cseq : "1 OPTIONS", body_len);

	ck_assert(n > 0 && (size_t)n + body_len < cap);
	memset(buf + n, 'x', body_len);
	buf[n + body_len] = '\0';
	return (size_t)n + body_len;
}

static size_t options(char *buf, size_t cap, const char *via)
{
	return make_req(buf, cap, "OPTIONS", via, NULL, 0);
}

/* Parses @text into @rx as if it had come from @src over @tp. */
static void fake_rx(struct sl_rxbuf *rx, char *text, size_t len,
		    unsigned char *arena, size_t arena_cap, enum sl_tp tp,
		    const char *src_ip, uint16_t src_port, uint32_t flow)
{
	struct sl_via via;

	memset(rx, 0, sizeof(*rx));
	rx->refs = 1;
	rx->data = text;
	rx->len = (uint32_t)len;
	rx->tp = tp;
	rx->flow = flow;
	ck_assert_int_eq(sl__addr_set(&rx->src, src_ip, strlen(src_ip),
				      src_port), 0);
	sl_arena_init(&rx->arena, arena, arena_cap);
	ck_assert_int_eq(sl_msg_parse(&rx->msg, text, len, &rx->arena, NULL,
				      0, NULL), 0);
	ck_assert_int_eq(sl__tp_top_via(&rx->msg, &via), 0);
	rx->received_differs = sl__tp_received_differs(&via, &rx->src);
}

/* The top Via of a parsed response text. */
static void top_via_of(const char *text, size_t len, struct sl_via *via,
		       struct sl_msg *msg, unsigned char *arena, size_t cap)
{
	struct sl_arena a;

	sl_arena_init(&a, arena, cap);
	ck_assert_int_eq(sl_msg_parse(msg, text, len, &a, NULL, 0, NULL), 0);
	ck_assert_int_ge(msg->n_vias, 1);
	*via = msg->vias[0];
}

static int ipv6_available(void)
{
	struct sl_addr a;
	int fd = socket(AF_INET6, SOCK_DGRAM, 0), ok;

	if (fd < 0)
		return 0;
	sl__addr_set(&a, "::1", 3, 0);
	ok = bind(fd, &a.u.sa, a.len) == 0;
	close(fd);
	return ok;
}

static int slice_is(struct sl_slice s, const char *lit)
{
	return s.len == strlen(lit) && (!s.len || memcmp(s.p, lit, s.len) == 0);
}

/* ======================================================================
 * addresses
 * ====================================================================== */

START_TEST(addr_numeric_hosts)
{
	struct sl_addr a, b;
	char host[64];

	ck_assert_int_eq(sl__addr_set(&a, "192.0.2.1", 9, 5060), 0);
	ck_assert_int_eq(sl__addr_family(&a), AF_INET);
	ck_assert_uint_eq(sl__addr_port(&a), 5060);
	ck_assert_int_eq(sl__addr_host(&a, host, sizeof(host)), 9);
	ck_assert_str_eq(host, "192.0.2.1");
	ck_assert_int_eq(sl__addr_set(&b, "[2001:db8::1]", 13, 5061), 0);
	ck_assert_int_eq(sl__addr_family(&b), AF_INET6);
	ck_assert_int_eq(sl__addr_host(&b, host, sizeof(host)), 11);
	ck_assert_str_eq(host, "2001:db8::1");
	ck_assert_int_eq(sl__addr_host(&b, host, 5), SL_ENOSPC);
	ck_assert_int_eq(sl__addr_set(&b, "2001:db8:0::1", 13, 5061), 0);
	ck_assert_int_eq(sl__addr_host(&b, host, sizeof(host)), 11);
	sl__addr_set_port(&b, 7);
	ck_assert_uint_eq(sl__addr_port(&b), 7);
	ck_assert(!sl__addr_equal(&a, &b));
	ck_assert(sl__addr_equal(&a, &a));
	b = a;
	sl__addr_set_port(&b, 5061);
	ck_assert(!sl__addr_equal(&a, &b));
	ck_assert(sl__addr_same_host(&a, &b));
	/* names and junk are not numeric: server location is above */
	ck_assert_int_eq(sl__addr_set(&a, "example.com", 11, 1), SL_EINVAL);
	ck_assert_int_eq(sl__addr_set(&a, "192.0.2.1x", 10, 1), SL_EINVAL);
	ck_assert_int_eq(sl__addr_set(&a, "", 0, 1), SL_EINVAL);
	ck_assert_int_eq(sl__addr_set(&a, "[]", 2, 1), SL_EINVAL);
	ck_assert_int_eq(sl__addr_set(NULL, "1.2.3.4", 7, 1), SL_EINVAL);
	/* a slice: bytes after host_len are not read */
	ck_assert_int_eq(sl__addr_set(&a, "10.0.0.1:5060", 8, 1), 0);
	ck_assert_int_eq(sl__addr_host(&a, host, sizeof(host)), 8);
	ck_assert_str_eq(sl__tp_name(SL_TP_UDP), "UDP");
	ck_assert_str_eq(sl__tp_name(SL_TP_TCP), "TCP");
	ck_assert_str_eq(sl__tp_name(SL_TP_TLS), "TLS");
	ck_assert(!sl__tp_reliable(SL_TP_UDP));
	ck_assert(sl__tp_reliable(SL_TP_TLS));
}
END_TEST

START_TEST(config_defaults_and_bad_config)
{
	struct sl_tp_config cfg;
	struct sl_tpmgr *m = (struct sl_tpmgr *)1;
	struct rec r;

	sl__tp_config_init(&cfg);
	ck_assert_uint_eq(cfg.n_binds, 0);
	ck_assert_uint_eq(cfg.max_msg_size, 65535);
	ck_assert_uint_eq(cfg.rx_buffers, 64);
	ck_assert_uint_eq(cfg.max_conns, 64);
	ck_assert_int_eq(cfg.dscp, -1);
	ck_assert_int_eq(cfg.tls_verify, 1);
	ck_assert_uint_eq(cfg.connect_timeout_ms, 5000);

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(sl__tpmgr_create(NULL, loop, &cfg, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, NULL, NULL), SL_EINVAL);
	ck_assert_ptr_null(m);
	cfg.dscp = 64;
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), SL_EINVAL);
	cfg.dscp = -1;
	add_bind(&cfg, SL_TP_UDP, "localhost");
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), SL_EINVAL);
	/* TLS serving needs a certificate and key */
	cfg.n_binds = 0;
	add_bind(&cfg, SL_TP_TLS, "127.0.0.1");
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), SL_EINVAL);
	/* unknown ciphersuite names are refused, not ignored */
	cfg.n_binds = 0;
	cfg.tls_ciphers = "TLS-NO-SUCH-SUITE";
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), SL_EINVAL);
	cfg.tls_ciphers = NULL;
	cfg.tls_ca_file = TLS_DIR "missing.pem";
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), SL_EIO);
	cfg.tls_ca_file = NULL;
	/* a key that is not the certificate's */
	cfg.tls_cert_file = TLS_DIR "server.pem";
	cfg.tls_key_file = TLS_DIR "client.key";
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), SL_EINVAL);
	cfg.tls_key_file = NULL;
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), SL_EINVAL);
	ck_assert_ptr_null(m);
	/* no binds at all is fine: a client-only manager */
	sl__tp_config_init(&cfg);
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), 0);
	ck_assert_int_eq(sl__tpmgr_local(m, 0, &(struct sl_addr){ 0 }),
			 SL_EINVAL);
	sl__tpmgr_destroy(m);
	sl__tpmgr_destroy(NULL);
}
END_TEST

/* ======================================================================
 * UDP
 * ====================================================================== */

static void udp_both_ways(int family)
{
	const char *ip = family == AF_INET ? "127.0.0.1" : "::1";
	struct sl_addr me, peer;
	struct sl_tp_dest dst;
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, ip);
	char buf[2048], via[128], host[64];
	int fd = raw_udp(family, &peer);
	size_t n;

	ck_assert_int_eq(sl__tpmgr_local(m, 0, &me), 0);
	ck_assert_uint_ne(sl__addr_port(&me), 0);
	ck_assert_int_eq(sl__tpmgr_local_for(m, SL_TP_UDP, family, &me), 0);
	ck_assert_int_eq(sl__tpmgr_local_for(m, SL_TP_TCP, family, &me),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__tpmgr_local_for(m, SL_TP_UDP, family, &me), 0);

	/* peer -> manager */
	snprintf(via, sizeof(via), "SIP/2.0/UDP %s%s%s:%u;branch=z9hG4bKu1",
		 family == AF_INET6 ? "[" : "", ip,
		 family == AF_INET6 ? "]" : "", sl__addr_port(&peer));
	n = options(buf, sizeof(buf), via);
	raw_sendto(fd, buf, n, &me);
	RUN_UNTIL(r.n_rx == 1);
	ck_assert_int_eq(r.n_rx, 1);
	ck_assert_int_eq(r.tp[0], SL_TP_UDP);
	ck_assert_uint_eq(r.flow[0], 0);
	ck_assert(sl__addr_equal(&r.src[0], &peer));
	ck_assert_int_eq(r.differs[0], 0);
	ck_assert_uint_eq(r.len[0], n);
	ck_assert_int_eq(memcmp(r.msg[0], buf, n), 0);

	/* manager -> peer */
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_UDP;
	dst.addr = peer;
	dst.flow = 77;
	n = options(buf, sizeof(buf), "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK2");
	ck_assert_int_eq(sl__tp_send(m, &dst, buf, n), 0);
	ck_assert_uint_eq(dst.flow, 0);
	{
		char got[2048];
		ssize_t k = raw_recv(fd, got, sizeof(got));

		ck_assert_int_eq(k, (ssize_t)n);
		ck_assert_int_eq(memcmp(got, buf, n), 0);
	}
	ck_assert_int_ge(sl__addr_host(&me, host, sizeof(host)), 0);
	ck_assert_str_eq(host, ip);
	close(fd);
	sl__tpmgr_destroy(m);
}

START_TEST(udp_send_receive_ipv4)
{
	udp_both_ways(AF_INET);
}
END_TEST

START_TEST(udp_send_receive_ipv6)
{
	if (!ipv6_available()) {
		printf("check_transport: ::1 unavailable, IPv6 UDP skipped\n");
		return;
	}
	udp_both_ways(AF_INET6);
}
END_TEST

START_TEST(udp_send_errors)
{
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, "127.0.0.1");
	struct sl_tp_dest dst;
	static char big[70000];
	struct sl_tp_stats st;

	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_UDP;
	ck_assert_int_eq(sl__addr_set(&dst.addr, "::1", 3, 5060), 0);
	/* no IPv6 socket */
	ck_assert_int_eq(sl__tp_send(m, &dst, "x", 1), SL_ETRANSPORT);
	ck_assert_int_eq(sl__addr_set(&dst.addr, "127.0.0.1", 9, 5060), 0);
	memset(big, 'a', sizeof(big));
	ck_assert_int_eq(sl__tp_send(m, &dst, big, 65536), SL_ETOOBIG);
	ck_assert_int_eq(sl__tp_send(m, &dst, NULL, 1), SL_EINVAL);
	ck_assert_int_eq(sl__tp_send(m, NULL, big, 1), SL_EINVAL);
	dst.tp = (enum sl_tp)9;
	ck_assert_int_eq(sl__tp_send(m, &dst, big, 1), SL_EINVAL);
	ck_assert_int_eq(sl__tpmgr_stats(m, &st), 0);
	ck_assert_uint_eq(st.tx_errors, 2);
	sl__tpmgr_destroy(m);
}
END_TEST

/* A UDP port on @family's loopback that nothing listens on. */
static void dead_udp_port(int family, struct sl_addr *a)
{
	close(raw_udp(family, a));
}

/*
 * ICMP port unreachable for a datagram to a closed port: reported once,
 * with the datagram's destination, from the loop; the error the kernel
 * leaves pending on the socket does not fail the next send to a live
 * peer; the error queue is emptied (the loop does not spin on it).
 */
static void udp_unreachable(int family)
{
	const char *ip = family == AF_INET ? "127.0.0.1" : "::1";
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, ip);
	struct sl_addr dead, live;
	struct sl_tp_dest dst;
	struct sl_tp_stats st;
	char buf[2048], got[2048];
	int fd = raw_udp(family, &live);
	size_t n = options(buf, sizeof(buf),
			   family == AF_INET
			   ? "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKi1"
			   : "SIP/2.0/UDP [::1];branch=z9hG4bKi1");

	dead_udp_port(family, &dead);
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_UDP;
	dst.addr = dead;
	ck_assert_int_eq(sl__tp_send(m, &dst, buf, n), 0);
	/* Not reported inside the send. */
	ck_assert_int_eq(r.n_unreach, 0);
	/* On loopback the ICMP is in before this send: it must not take
	 * the stale error for its own. */
	dst.addr = live;
	ck_assert_int_eq(sl__tp_send(m, &dst, buf, n), 0);
	ck_assert_int_eq((int)raw_recv(fd, got, sizeof(got)), (int)n);
	RUN_UNTIL(r.n_unreach == 1);
	ck_assert_int_eq(r.n_unreach, 1);
	ck_assert_int_eq(r.unreach_tp[0], SL_TP_UDP);
	ck_assert(sl__addr_equal(&r.unreach[0], &dead));
	ck_assert_int_eq(r.unreach_err[0], SL_ETRANSPORT);
	/* Twice more to the closed port: one report each, nothing else. */
	dst.addr = dead;
	ck_assert_int_eq(sl__tp_send(m, &dst, buf, n), 0);
	RUN_UNTIL(r.n_unreach == 2);
	dst.addr = dead;
	ck_assert_int_eq(sl__tp_send(m, &dst, buf, n), 0);
	RUN_UNTIL(r.n_unreach == 3);
	run_a_little();
	ck_assert_int_eq(r.n_unreach, 3);
	ck_assert(sl__addr_equal(&r.unreach[2], &dead));
	ck_assert_int_eq(r.n_rx, 0);
	ck_assert_int_eq(r.n_rej, 0);
	ck_assert_int_eq(sl__tpmgr_stats(m, &st), 0);
	ck_assert_uint_eq(st.tx_errors, 0);
	ck_assert_uint_eq(st.tx_msgs, 4);
	/* Receiving still works on the socket. */
	ck_assert_int_eq(sl__tpmgr_local(m, 0, &live), 0);
	raw_sendto(fd, buf, n, &live);
	RUN_UNTIL(r.n_rx == 1);
	ck_assert_int_eq(r.n_rx, 1);
	close(fd);
	sl__tpmgr_destroy(m);
}

START_TEST(udp_icmp_unreachable_ipv4)
{
	udp_unreachable(AF_INET);
}
END_TEST

START_TEST(udp_icmp_unreachable_ipv6)
{
	if (!ipv6_available()) {
		printf("check_transport: ::1 unavailable, IPv6 ICMP "
		       "skipped\n");
		return;
	}
	udp_unreachable(AF_INET6);
}
END_TEST

/* Without a handler the error queue is still emptied. */
START_TEST(udp_icmp_without_handler)
{
	struct sl_tp_config cfg;
	struct sl_tpmgr *m = NULL;
	struct sl_tp_dest dst;
	char buf[1024];
	size_t n = options(buf, sizeof(buf),
			   "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKi2");

	base_config(&cfg);
	add_bind(&cfg, SL_TP_UDP, "127.0.0.1");
	ck_assert_int_eq(sl__tpmgr_create(&m, loop, &cfg, NULL), 0);
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_UDP;
	dead_udp_port(AF_INET, &dst.addr);
	ck_assert_int_eq(sl__tp_send(m, &dst, buf, n), 0);
	run_a_little();
	/* A level-triggered error left in the queue would make every step
	 * return at once: an idle step must wait out its timeout. */
	ck_assert_int_eq(sl__loop_step(loop, 0), 0);
	sl__tpmgr_destroy(m);
}
END_TEST

START_TEST(udp_dscp_set_on_sockets)
{
	struct sl_tp_config cfg;
	struct rec r;
	struct sl_tpmgr *m;
	int tos = 0;
	socklen_t len = sizeof(tos);

	base_config(&cfg);
	cfg.dscp = 46;
	add_bind(&cfg, SL_TP_UDP, "127.0.0.1");
	add_bind(&cfg, SL_TP_TCP, "127.0.0.1");
	m = make_mgr(&cfg, &r);
	for (unsigned i = 0; i < 2; i++) {
		len = sizeof(tos);
		ck_assert_int_eq(getsockopt(m->socks[i].fd, IPPROTO_IP, IP_TOS,
					    &tos, &len), 0);
		ck_assert_int_eq(tos, 46 << 2);
	}
	sl__tpmgr_destroy(m);
}
END_TEST

/* ======================================================================
 * §18.2.1 facts and §18.2.2 routing
 * ====================================================================== */

struct route_vector {
	const char *name;
	enum sl_tp tp;
	const char *via;
	int want_differs;
	const char *want_ip;      /* response destination */
	uint16_t want_port;       /* 0: the source port */
	const char *want_received;/* "" when none in the response */
	int want_rport;           /* the response Via's rport: -1, or 0 for
				   * the source port, or a value */
};

static const struct route_vector route_vectors[] = {
	{ "sent-by is the source", SL_TP_UDP,
	  "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa", 0,
	  "127.0.0.1", 5070, "", -1 },
	{ "sent-by differs: received, port from sent-by", SL_TP_UDP,
	  "SIP/2.0/UDP 192.0.2.9:5080;branch=z9hG4bKb", 1,
	  "127.0.0.1", 5080, "127.0.0.1", -1 },
	{ "sent-by without port: 5060", SL_TP_UDP,
	  "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKc", 1,
	  "127.0.0.1", 5060, "127.0.0.1", -1 },
	{ "a name always differs", SL_TP_UDP,
	  "SIP/2.0/UDP phone.example.com:5060;branch=z9hG4bKd", 1,
	  "127.0.0.1", 5060, "127.0.0.1", -1 },
	{ "rport without value: source port, received added", SL_TP_UDP,
	  "SIP/2.0/UDP 127.0.0.1:5070;rport;branch=z9hG4bKe", 0,
	  "127.0.0.1", 0, "127.0.0.1", 0 },
	{ "rport without value behind a NAT", SL_TP_UDP,
	  "SIP/2.0/UDP 10.0.0.2:5070;branch=z9hG4bKf;rport", 1,
	  "127.0.0.1", 0, "127.0.0.1", 0 },
	{ "rport with a value: kept, source port used", SL_TP_UDP,
	  "SIP/2.0/UDP 127.0.0.1:5070;rport=1234;branch=z9hG4bKg", 0,
	  "127.0.0.1", 0, "", 1234 },
	{ "maddr wins over the source", SL_TP_UDP,
	  "SIP/2.0/UDP 127.0.0.1:5072;maddr=127.0.0.2;branch=z9hG4bKh", 0,
	  "127.0.0.2", 5072, "", -1 },
	{ "a stale received is replaced", SL_TP_UDP,
	  "SIP/2.0/UDP 192.0.2.9;received=192.0.2.77;branch=z9hG4bKi", 1,
	  "127.0.0.1", 5060, "127.0.0.1", -1 },
	{ "TCP: same flow, sent-by port for a new connection", SL_TP_TCP,
	  "SIP/2.0/TCP 192.0.2.9:5090;branch=z9hG4bKj", 1,
	  "127.0.0.1", 5090, "127.0.0.1", -1 },
	{ "TLS: same flow, default port 5061", SL_TP_TLS,
	  "SIP/2.0/TLS 127.0.0.1;branch=z9hG4bKk;rport", 0,
	  "127.0.0.1", 5061, "127.0.0.1", 0 },
};

START_TEST(response_facts_and_destination)
{
	const struct route_vector *v = &route_vectors[_i];
	static char text[2048], out[2048];
	static unsigned char arena[32768], arena2[32768];
	struct sl_rxbuf rx;
	struct sl_tp_dest dst;
	struct sl_builder b;
	struct sl_msg resp;
	struct sl_via via;
	struct sl_addr want;
	char host[64];
	size_t n = options(text, sizeof(text), v->via);
	uint16_t src_port = 40000;
	int len;

	fake_rx(&rx, text, n, arena, sizeof(arena), v->tp, "127.0.0.1",
		src_port, v->tp == SL_TP_UDP ? 0 : 42);
	ck_assert_msg(rx.received_differs == v->want_differs, "%s", v->name);

	ck_assert_int_eq(sl__tp_response_dest(&rx, &dst), 0);
	ck_assert_int_eq(dst.tp, v->tp);
	ck_assert_uint_eq(dst.flow, v->tp == SL_TP_UDP ? 0 : 42);
	ck_assert_int_eq(sl__addr_set(&want, v->want_ip, strlen(v->want_ip),
				      v->want_port ? v->want_port : src_port),
			 0);
	ck_assert_msg(sl__addr_equal(&dst.addr, &want), "%s: port %u",
		      v->name, sl__addr_port(&dst.addr));

	sl_build_init(&b, out, sizeof(out));
	ck_assert_int_eq(sl__tp_build_response(&b, &rx, 200, NULL, "t1", 0),
			 0);
	len = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(len, 0);
	top_via_of(out, (size_t)len, &via, &resp, arena2, sizeof(arena2));
	ck_assert_msg(slice_is(via.received, v->want_received),
		      "%s: received \"%.*s\"", v->name, (int)via.received.len,
		      via.received.p);
	if (v->want_rport == 0)
		ck_assert_int_eq(via.rport, src_port);
	else
		ck_assert_int_eq(via.rport, v->want_rport);
	/* everything else in the Via is as the request had it */
	ck_assert(sl_slice_eq(via.branch, "") == 0);
	ck_assert_int_eq(sl__addr_host(&rx.src, host, sizeof(host)), 9);
	ck_assert_int_eq(resp.n_vias, 1);
	ck_assert_int_eq(resp.status, 200);
}
END_TEST

START_TEST(response_via_edge_cases)
{
	static char text[2048], out[2048];
	static unsigned char arena[32768];
	struct sl_rxbuf rx;
	struct sl_builder b;
	struct sl_tp_dest dst;
	size_t n = options(text, sizeof(text),
			   "SIP/2.0/UDP 10.0.0.2:5070;rport;branch=z9hG4bKx");
	int len;

	fake_rx(&rx, text, n, arena, sizeof(arena), SL_TP_UDP, "::1", 40000,
		0);
	ck_assert_int_eq(rx.received_differs, 1);
	/* IPv6 source: received carries the address without brackets */
	sl_build_init(&b, out, sizeof(out));
	ck_assert_int_eq(sl__tp_build_response(&b, &rx, 486, NULL, "t", 0), 0);
	len = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(len, 0);
	ck_assert_ptr_nonnull(strstr(out, "Via: SIP/2.0/UDP 10.0.0.2:5070;"
				     "rport=40000;branch=z9hG4bKx;"
				     "received=::1\r\n"));

	/* exactly the room of the unedited response: the edit does not
	 * fit, and the builder remembers it */
	sl_build_init(&b, out, sizeof(out));
	ck_assert_int_eq(sl_build_response(&b, &rx.msg, 486, NULL, "t", 0), 0);
	b.cap = b.len + 3;
	ck_assert_int_eq(sl__tp_build_response_via(&b, &rx), SL_ENOSPC);
	ck_assert_int_eq(b.err, SL_ENOSPC);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), SL_ENOSPC);

	/* not a response being built */
	sl_build_init(&b, out, sizeof(out));
	ck_assert_int_eq(sl_build_status_line(&b, 200, NULL), 0);
	ck_assert_int_eq(sl_build_header(&b, "To", "<sip:a@b>"), 0);
	ck_assert_int_eq(sl__tp_build_response_via(&b, &rx), SL_EINVAL);
	ck_assert_int_eq(sl__tp_build_response_via(NULL, &rx), SL_EINVAL);
	ck_assert_int_eq(sl__tp_build_response(&b, NULL, 200, NULL, NULL, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__tp_response_dest(NULL, &dst), SL_EINVAL);

	/* a numeric maddr only: a name cannot be located here */
	n = options(text, sizeof(text),
		    "SIP/2.0/UDP 10.0.0.2;maddr=mc.example.com;"
		    "branch=z9hG4bKy");
	fake_rx(&rx, text, n, arena, sizeof(arena), SL_TP_UDP, "127.0.0.1",
		40000, 0);
	ck_assert_int_eq(sl__tp_response_dest(&rx, &dst), SL_EUNSUPP);
}
END_TEST

/* A real round trip: the peer asks for rport, the manager's answer goes
 * back to the port it came from, with rport and received filled in. */
START_TEST(udp_rport_round_trip)
{
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, "127.0.0.1");
	struct sl_addr me, peer;
	static unsigned char arena[32768];
	struct sl_msg resp;
	struct sl_via via;
	char buf[2048], got[2048];
	int fd = raw_udp(AF_INET, &peer);
	ssize_t k;
	size_t n;

	r.reply = 1;
	ck_assert_int_eq(sl__tpmgr_local(m, 0, &me), 0);
	/* the sent-by port is wrong on purpose (a NAT rewrote it) */
	n = options(buf, sizeof(buf),
		    "SIP/2.0/UDP 10.1.1.1:5999;rport;branch=z9hG4bKr");
	raw_sendto(fd, buf, n, &me);
	k = raw_recv(fd, got, sizeof(got));
	ck_assert_int_gt(k, 0);
	ck_assert_int_eq(r.reply_rc, 0);
	ck_assert_int_eq(r.differs[0], 1);
	top_via_of(got, (size_t)k, &via, &resp, arena, sizeof(arena));
	ck_assert_int_eq(resp.status, 200);
	ck_assert_int_eq(via.rport, sl__addr_port(&peer));
	ck_assert(slice_is(via.received, "127.0.0.1"));
	ck_assert(slice_is(resp.to.tag, "srv1"));
	close(fd);
	sl__tpmgr_destroy(m);
}
END_TEST

/* ======================================================================
 * bad input, pool exhaustion
 * ====================================================================== */

START_TEST(udp_garbage_ignored)
{
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, "127.0.0.1");
	struct sl_addr me, peer;
	struct sl_tp_stats st;
	char got[512];
	int fd = raw_udp(AF_INET, &peer);
	static const char *junk[] = {
		"hello world",
		"\x01\x02\x03\xff",
		"SIP/2.0 200 OK\r\nVia: nope\r\n\r\n",
		"INVITE sip:a@b SIP/2.0\r\n\r\n",
	};

	ck_assert_int_eq(sl__tpmgr_local(m, 0, &me), 0);
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		raw_sendto(fd, junk[i], strlen(junk[i]), &me);
	/* keep-alives are not errors */
	raw_sendto(fd, "\r\n\r\n", 4, &me);
	RUN_UNTIL(r.n_rej == 4);
	ck_assert_int_eq(r.n_rej, 4);
	ck_assert_int_eq(r.n_rx, 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_lt(r.rej[i].code, 0);
		ck_assert_int_eq(r.rej[i].status, 0); /* nothing sent */
	}
	run_a_little();
	ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	ck_assert_int_eq(sl__tpmgr_stats(m, &st), 0);
	ck_assert_uint_eq(st.rx_bad, 4);
	ck_assert_uint_eq(st.rx_keepalives, 1);
	ck_assert_uint_eq(st.rx_in_use, 0);
	close(fd);
	sl__tpmgr_destroy(m);
}
END_TEST

static void expect_stateless(const char *method, const char *cseq,
			     int status, const char *reason)
{
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, "127.0.0.1");
	struct sl_addr me, peer;
	char buf[2048], got[2048], want[160];
	int fd = raw_udp(AF_INET, &peer);
	ssize_t k;
	size_t n;

	ck_assert_int_eq(sl__tpmgr_local(m, 0, &me), 0);
	n = make_req(buf, sizeof(buf), method,
		     "SIP/2.0/UDP 192.0.2.5:5060;branch=z9hG4bKbad;rport",
		     cseq, 0);
	raw_sendto(fd, buf, n, &me);
	k = raw_recv(fd, got, sizeof(got));
	ck_assert_int_gt(k, 0);
	snprintf(want, sizeof(want), "SIP/2.0 %d %s\r\n", status, reason);
	ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "got: %s", got);
	/* the answer copies the bad header, so it is checked as text */
	snprintf(want, sizeof(want), "\r\nVia: SIP/2.0/UDP 192.0.2.5:5060;"
		 "branch=z9hG4bKbad;rport=%u;received=127.0.0.1\r\n",
		 sl__addr_port(&peer));
	ck_assert_msg(strstr(got, want) != NULL, "got: %s", got);
	ck_assert_ptr_nonnull(strstr(got, "\r\nTo: <sip:bob@example.com>;"
				     "tag=sl"));
	ck_assert_ptr_nonnull(strstr(got, "\r\nCall-ID: c1@example.com\r\n"));
	ck_assert_ptr_nonnull(strstr(got, "\r\nContent-Length: 0\r\n\r\n"));
	ck_assert_int_eq(r.n_rx, 0);
	ck_assert_int_eq(r.n_rej, 1);
	ck_assert_int_eq(r.rej[0].status, status);
	ck_assert_str_eq(r.rej[0].reason, reason);
	close(fd);
	sl__tpmgr_destroy(m);
}

START_TEST(udp_bad_request_answered_400)
{
	expect_stateless("OPTIONS", "abc OPTIONS", 400, "Bad CSeq header");
}
END_TEST

START_TEST(udp_bad_method_mismatch_answered_400)
{
	expect_stateless("OPTIONS", "1 INVITE", 400,
			 "CSeq method does not match request method");
}
END_TEST

START_TEST(udp_bad_ack_never_answered)
{
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, "127.0.0.1");
	struct sl_addr me, peer;
	char buf[2048], got[256];
	int fd = raw_udp(AF_INET, &peer);
	size_t n;

	ck_assert_int_eq(sl__tpmgr_local(m, 0, &me), 0);
	n = make_req(buf, sizeof(buf), "ACK",
		     "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKack", "x ACK", 0);
	raw_sendto(fd, buf, n, &me);
	RUN_UNTIL(r.n_rej == 1);
	ck_assert_int_eq(r.n_rej, 1);
	ck_assert_int_eq(r.rej[0].status, 0);
	run_a_little();
	ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	close(fd);
	sl__tpmgr_destroy(m);
}
END_TEST

START_TEST(udp_oversized_answered_513)
{
	struct sl_tp_config cfg;
	struct rec r;
	struct sl_tpmgr *m;
	struct sl_addr me, peer;
	struct sl_tp_stats st;
	char buf[4096], got[2048];
	int fd = raw_udp(AF_INET, &peer);
	ssize_t k;
	size_t n;

	base_config(&cfg);
	cfg.max_msg_size = 1000;
	cfg.rx_buffer_size = 2000;
	add_bind(&cfg, SL_TP_UDP, "127.0.0.1");
	m = make_mgr(&cfg, &r);
	ck_assert_int_eq(sl__tpmgr_local(m, 0, &me), 0);
	n = make_req(buf, sizeof(buf), "MESSAGE",
		     "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKbig;rport",
		     "1 MESSAGE", 1500);
	raw_sendto(fd, buf, n, &me);
	k = raw_recv(fd, got, sizeof(got));
	ck_assert_int_gt(k, 0);
	ck_assert_msg(strncmp(got, "SIP/2.0 513 Message Too Large\r\n", 31)
		      == 0, "got: %s", got);
	ck_assert_int_eq(r.n_rx, 0);
	ck_assert_int_eq(r.n_rej, 1);
	ck_assert_int_eq(r.rej[0].code, SL_ETOOBIG);
	/* larger than the receive buffer itself: truncated, still 513 */
	n = make_req(buf, sizeof(buf), "MESSAGE",
		     "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKbig2;rport",
		     "2 MESSAGE",
		     3000);
	raw_sendto(fd, buf, n, &me);
	k = raw_recv(fd, got, sizeof(got));
	ck_assert_int_gt(k, 0);
	ck_assert(strncmp(got, "SIP/2.0 513 ", 12) == 0);
	ck_assert_int_eq(sl__tpmgr_stats(m, &st), 0);
	ck_assert_uint_eq(st.rx_oversized, 2);
	ck_assert_uint_eq(st.stateless_answers, 2);
	/* and sending one is refused */
	{
		struct sl_tp_dest dst = { SL_TP_UDP, peer, 0, NULL };

		ck_assert_int_eq(sl__tp_send(m, &dst, buf, 1001), SL_ETOOBIG);
	}
	close(fd);
	sl__tpmgr_destroy(m);
}
END_TEST

START_TEST(rx_pool_exhaustion_drops)
{
	struct sl_tp_config cfg;
	struct rec r;
	struct sl_tpmgr *m;
	struct sl_addr me, peer;
	struct sl_tp_stats st;
	char buf[2048];
	int fd = raw_udp(AF_INET, &peer);
	size_t n;

	base_config(&cfg);
	cfg.rx_buffers = 2;
	add_bind(&cfg, SL_TP_UDP, "127.0.0.1");
	m = make_mgr(&cfg, &r);
	r.keep = 1;
	ck_assert_int_eq(sl__tpmgr_local(m, 0, &me), 0);
	n = options(buf, sizeof(buf), "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1");
	for (int i = 0; i < 2; i++)
		raw_sendto(fd, buf, n, &me);
	RUN_UNTIL(r.n_rx == 2);
	ck_assert_int_eq(r.n_rx, 2);
	ck_assert_int_eq(sl__tpmgr_stats(m, &st), 0);
	ck_assert_uint_eq(st.rx_in_use, 2);
	/* both buffers held above: new datagrams are dropped and counted */
	for (int i = 0; i < 3; i++)
		raw_sendto(fd, buf, n, &me);
	for (int i = 0; i < STEPS; i++) {
		sl__tpmgr_stats(m, &st);
		if (st.rx_dropped_nobuf == 3)
			break;
		sl__loop_step(loop, 5);
	}
	ck_assert_uint_eq(st.rx_dropped_nobuf, 3);
	ck_assert_int_eq(r.n_rx, 2);
	/* a second reference keeps a buffer until both are gone */
	sl__rxbuf_ref(r.kept[0]);
	sl__rxbuf_unref(r.kept[0]);
	sl__tpmgr_stats(m, &st);
	ck_assert_uint_eq(st.rx_in_use, 2);
	sl__rxbuf_unref(r.kept[0]);
	sl__rxbuf_unref(r.kept[1]);
	sl__tpmgr_stats(m, &st);
	ck_assert_uint_eq(st.rx_in_use, 0);
	ck_assert_uint_eq(st.rx_high_water, 2);
	r.keep = 0;
	raw_sendto(fd, buf, n, &me);
	RUN_UNTIL(r.n_rx == 3);
	ck_assert_int_eq(r.n_rx, 3);
	close(fd);
	sl__tpmgr_destroy(m);
}
END_TEST

START_TEST(udp_keepalive_pings)
{
	struct rec r;
	struct sl_tpmgr *m = udp_mgr(&r, "127.0.0.1");
	struct sl_addr peer;
	struct sl_tp_dest dst;
	char got[64];
	int fd = raw_udp(AF_INET, &peer);

	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_UDP;
	dst.addr = peer;
	ck_assert_int_eq(sl__tp_keepalive(m, &dst, 15000), 0);
	run_a_little();
	ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	for (int round = 0; round < 2; round++) {
		advance_ms(15000);
		ck_assert_int_eq(raw_recv(fd, got, sizeof(got)), 4);
		ck_assert_str_eq(got, "\r\n\r\n");
	}
	ck_assert_int_eq(sl__tp_keepalive(m, &dst, 0), 0);
	advance_ms(30000);
	run_a_little();
	ck_assert_int_eq(recv(fd, got, sizeof(got), MSG_DONTWAIT), -1);
	/* no IPv6 socket: refused */
	ck_assert_int_eq(sl__addr_set(&dst.addr, "::1", 3, 5060), 0);
	ck_assert_int_eq(sl__tp_keepalive(m, &dst, 1000), SL_ETRANSPORT);
	close(fd);
	sl__tpmgr_destroy(m);
}
END_TEST

/* ======================================================================
 * TCP
 * ====================================================================== */

static struct sl_tpmgr *tcp_server(struct rec *r, struct sl_addr *at,
				   void (*tweak)(struct sl_tp_config *))
{
	struct sl_tp_config cfg;
	struct sl_tpmgr *m;

	base_config(&cfg);
	add_bind(&cfg, SL_TP_TCP, "127.0.0.1");
	if (tweak)
		tweak(&cfg);
	m = make_mgr(&cfg, r);
	ck_assert_int_eq(sl__tpmgr_local_for(m, SL_TP_TCP, AF_INET, at), 0);
	return m;
}

static struct sl_tpmgr *client_mgr(struct rec *r,
				   void (*tweak)(struct sl_tp_config *))
{
	struct sl_tp_config cfg;

	base_config(&cfg);
	if (tweak)
		tweak(&cfg);
	return make_mgr(&cfg, r);
}

START_TEST(tcp_connect_send_reuse_and_answer)
{
	struct rec rs, rc;
	struct sl_addr at;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	struct sl_tpmgr *c = client_mgr(&rc, NULL);
	struct sl_tp_dest dst;
	struct sl_tp_flow_info fi;
	struct sl_tp_stats st;
	char buf[2048];
	uint32_t flow;
	size_t n;

	rs.reply = 1;
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.addr = at;
	n = options(buf, sizeof(buf), "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1");
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	flow = dst.flow;
	ck_assert_uint_ne(flow, 0);
	RUN_UNTIL(rs.n_rx == 1 && rc.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert_int_eq(rs.tp[0], SL_TP_TCP);
	ck_assert_uint_ne(rs.flow[0], 0);
	ck_assert_int_eq(memcmp(rs.msg[0], buf, n), 0);
	/* server side: accepted, answered on the same connection */
	ck_assert_int_eq(sl__tpmgr_flow_info(s, rs.flow[0], &fi), 0);
	ck_assert_int_eq(fi.incoming, 1);
	ck_assert_int_eq(fi.state, SL_CONN_OPEN);
	ck_assert_int_eq(rs.reply_rc, 0);
	ck_assert_int_eq(rc.n_rx, 1);
	ck_assert_int_eq(rc.is_request[0], 0);
	ck_assert_uint_eq(rc.flow[0], flow);
	ck_assert(strncmp(rc.msg[0], "SIP/2.0 200 OK\r\n", 16) == 0);

	/* second request: the open connection is reused, by address */
	dst.flow = 0;
	n = options(buf, sizeof(buf), "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK2");
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	ck_assert_uint_eq(dst.flow, flow);
	RUN_UNTIL(rs.n_rx == 2 && rc.n_rx == 2);
	ck_assert_int_eq(rs.n_rx, 2);
	ck_assert_uint_eq(rs.flow[1], rs.flow[0]);
	ck_assert_int_eq(sl__tpmgr_stats(c, &st), 0);
	ck_assert_uint_eq(st.conns_opened, 1);
	ck_assert_int_eq(sl__tpmgr_stats(s, &st), 0);
	ck_assert_uint_eq(st.conns_accepted, 1);
	ck_assert_int_eq(sl__tpmgr_flow_info(c, flow, &fi), 0);
	ck_assert_int_eq(fi.incoming, 0);
	ck_assert(sl__addr_equal(&fi.peer, &at));
	ck_assert_int_eq(sl__tpmgr_flow_info(c, 999, &fi), SL_ENOTFOUND);

	/* the server sends a request back over the client's flow */
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.flow = rs.flow[0];
	n = options(buf, sizeof(buf), "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK3");
	ck_assert_int_eq(sl__tp_send(s, &dst, buf, n), 0);
	RUN_UNTIL(rc.n_rx == 3);
	ck_assert_int_eq(rc.n_rx, 3);
	ck_assert(rc.is_request[2]);
	ck_assert_uint_eq(rc.flow[2], flow);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tcp_ipv6_exchange)
{
	struct sl_tp_config cfg;
	struct rec rs, rc;
	struct sl_tpmgr *s, *c;
	struct sl_tp_dest dst;
	struct sl_addr at;
	char buf[1024];
	size_t n;

	if (!ipv6_available()) {
		printf("check_transport: ::1 unavailable, IPv6 TCP skipped\n");
		return;
	}
	base_config(&cfg);
	add_bind(&cfg, SL_TP_UDP, "127.0.0.1");
	add_bind(&cfg, SL_TP_TCP, "::1");
	s = make_mgr(&cfg, &rs);
	rs.reply = 1;
	ck_assert_int_eq(sl__tpmgr_local_for(s, SL_TP_TCP, AF_INET6, &at), 0);
	ck_assert_int_eq(sl__tpmgr_local_for(s, SL_TP_TCP, AF_INET, &at),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__tpmgr_local(s, 1, &at), 0);
	c = client_mgr(&rc, NULL);
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.addr = at;
	n = options(buf, sizeof(buf), "SIP/2.0/TCP [::1];branch=z9hG4bK6");
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	RUN_UNTIL(rc.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert_int_eq(sl__addr_family(&rs.src[0]), AF_INET6);
	ck_assert_int_eq(rs.differs[0], 0);
	ck_assert_int_eq(rc.n_rx, 1);
	ck_assert_uint_eq(rc.flow[0], dst.flow);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tcp_framing_two_in_one_and_split)
{
	struct rec rs;
	struct sl_addr at;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	char a[2048], b[1024], both[4096];
	size_t na, nb;
	int fd;

	na = make_req(a, sizeof(a), "MESSAGE",
		      "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKa", "1 MESSAGE",
		      300);
	nb = options(b, sizeof(b), "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKb");
	memcpy(both, a, na);
	memcpy(both + na, b, nb);
	fd = raw_tcp_connect(&at);
	raw_send(fd, both, na + nb);
	RUN_UNTIL(rs.n_rx == 2);
	ck_assert_int_eq(rs.n_rx, 2);
	ck_assert_uint_eq(rs.len[0], na);
	ck_assert_int_eq(memcmp(rs.msg[0], a, na), 0);
	ck_assert_uint_eq(rs.len[1], nb);
	ck_assert_int_eq(memcmp(rs.msg[1], b, nb), 0);
	ck_assert_uint_eq(rs.flow[0], rs.flow[1]);

	/* one message a few bytes at a time, the loop running between */
	for (size_t off = 0; off < na; off += 7) {
		size_t k = na - off < 7 ? na - off : 7;

		raw_send(fd, a + off, k);
		sl__loop_step(loop, 1);
		if (off + k < na)
			ck_assert_int_eq(rs.n_rx, 2);
	}
	RUN_UNTIL(rs.n_rx == 3);
	ck_assert_int_eq(rs.n_rx, 3);
	ck_assert_int_eq(memcmp(rs.msg[2], a, na), 0);
	close(fd);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tcp_peer_close_reports_flow_closed)
{
	struct rec rs;
	struct sl_addr at, back;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	struct sl_tp_flow_info fi;
	struct sl_tp_stats st;
	struct sl_tp_dest dst;
	char buf[1024], via[96], got[1024];
	int lfd = raw_tcp_listen(&back), fd = raw_tcp_connect(&at), fd2;
	size_t n;

	/* the peer's sent-by names a port it listens on */
	snprintf(via, sizeof(via), "SIP/2.0/TCP 127.0.0.1:%u;branch=z9hG4bKc",
		 sl__addr_port(&back));
	n = options(buf, sizeof(buf), via);
	rs.keep = 1;
	raw_send(fd, buf, n);
	RUN_UNTIL(rs.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	close(fd);
	RUN_UNTIL(rs.n_closed == 1);
	ck_assert_int_eq(rs.n_closed, 1);
	ck_assert_uint_eq(rs.closed_flow[0], rs.flow[0]);
	ck_assert_int_eq(rs.closed_err[0], SL_ETRANSPORT);
	ck_assert_int_eq(sl__tpmgr_flow_info(s, rs.flow[0], &fi),
			 SL_ENOTFOUND);
	sl__tpmgr_stats(s, &st);
	ck_assert_uint_eq(st.conns_in_use, 0);

	/* the dead flow alone, no address: cannot be sent */
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.flow = rs.flow[0];
	ck_assert_int_eq(sl__tp_send(s, &dst, buf, n), SL_ETRANSPORT);

	/* §18.2.2: the response opens a connection to the received
	 * address and the sent-by port */
	ck_assert_int_eq(sl__tp_response_dest(rs.kept[0], &dst), 0);
	ck_assert_uint_eq(dst.flow, rs.flow[0]);
	ck_assert(sl__addr_equal(&dst.addr, &back));
	ck_assert_int_eq(sl__tp_send(s, &dst, "SIP/2.0 200 OK\r\n", 16), 0);
	ck_assert_uint_ne(dst.flow, rs.flow[0]);
	fd2 = raw_accept(lfd);
	ck_assert_int_eq(raw_recv_n(fd2, got, sizeof(got), 16), 16);
	ck_assert_str_eq(got, "SIP/2.0 200 OK\r\n");
	sl__rxbuf_unref(rs.kept[0]);
	close(fd2);
	close(lfd);
	sl__tpmgr_destroy(s);
}
END_TEST

static void short_idle(struct sl_tp_config *cfg)
{
	cfg->tcp_idle_ms = 2000;
}

START_TEST(tcp_idle_timeout_virtual_clock)
{
	struct rec rs;
	struct sl_addr at;
	struct sl_tpmgr *s = tcp_server(&rs, &at, short_idle);
	char buf[1024];
	int fd = raw_tcp_connect(&at);
	size_t n = options(buf, sizeof(buf),
			   "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKi");

	raw_send(fd, buf, n);
	RUN_UNTIL(rs.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	/* activity in the middle pushes the deadline */
	advance_ms(1500);
	raw_send(fd, buf, n);
	RUN_UNTIL(rs.n_rx == 2);
	advance_ms(1500);
	run_a_little();
	ck_assert_int_eq(rs.n_closed, 0);
	advance_ms(600);
	RUN_UNTIL(rs.n_closed == 1);
	ck_assert_int_eq(rs.n_closed, 1);
	ck_assert_int_eq(rs.closed_err[0], SL_ETIMEOUT);
	ck_assert_int_eq(raw_recv(fd, buf, sizeof(buf)), 0);
	close(fd);
	sl__tpmgr_destroy(s);
}
END_TEST

static void small_msgs(struct sl_tp_config *cfg)
{
	cfg->max_msg_size = 1000;
}

START_TEST(tcp_oversized_or_unframeable_closes)
{
	static const char *bad[] = {
		/* Content-Length past max_msg_size */
		"MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 5000\r\n\r\n",
		/* no Content-Length on a stream */
		"OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP h\r\n\r\n",
		/* a header block that never ends */
		NULL,
	};
	struct rec rs;
	struct sl_addr at;
	struct sl_tpmgr *s = tcp_server(&rs, &at, small_msgs);
	struct sl_tp_stats st;
	char filler[1200], got[64];

	memset(filler, 'a', sizeof(filler));
	memcpy(filler, "OPTIONS sip:a@b SIP/2.0\r\nX: ", 28);
	for (int i = 0; i < 3; i++) {
		int fd = raw_tcp_connect(&at);

		if (bad[i])
			raw_send(fd, bad[i], strlen(bad[i]));
		else
			raw_send(fd, filler, sizeof(filler));
		RUN_UNTIL(rs.n_closed == i + 1);
		ck_assert_int_eq(rs.n_closed, i + 1);
		ck_assert_int_eq(rs.closed_err[i], SL_ETRANSPORT);
		ck_assert_int_eq(raw_recv(fd, got, sizeof(got)), 0);
		close(fd);
	}
	ck_assert_int_eq(rs.n_rx, 0);
	sl__tpmgr_stats(s, &st);
	ck_assert_uint_eq(st.rx_oversized, 2);
	ck_assert_uint_eq(st.rx_bad, 1);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tcp_bad_request_answered_on_flow)
{
	struct rec rs;
	struct sl_addr at;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	char buf[1024], got[2048];
	int fd = raw_tcp_connect(&at);
	size_t n = make_req(buf, sizeof(buf), "OPTIONS",
			    "SIP/2.0/TCP 127.0.0.1:5099;branch=z9hG4bKt",
			    "x OPTIONS", 0);

	raw_send(fd, buf, n);
	ck_assert_int_gt(raw_recv(fd, got, sizeof(got)), 0);
	ck_assert(strncmp(got, "SIP/2.0 400 Bad CSeq header\r\n", 29) == 0);
	ck_assert_int_eq(rs.n_rej, 1);
	/* the connection stays up: the framing was fine */
	n = options(buf, sizeof(buf), "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKu");
	raw_send(fd, buf, n);
	RUN_UNTIL(rs.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert_int_eq(rs.n_closed, 0);
	close(fd);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tcp_ping_gets_pong)
{
	struct rec rs;
	struct sl_addr at;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	char got[64], buf[1024];
	int fd = raw_tcp_connect(&at);
	size_t n;

	raw_send(fd, "\r\n\r\n", 4);
	ck_assert_int_eq(raw_recv_n(fd, got, sizeof(got), 2), 2);
	ck_assert_str_eq(got, "\r\n");
	/* a ping right before a message: both handled */
	n = options(buf + 4, sizeof(buf) - 4,
		    "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKp");
	memcpy(buf, "\r\n\r\n", 4);
	raw_send(fd, buf, n + 4);
	ck_assert_int_eq(raw_recv_n(fd, got, sizeof(got), 2), 2);
	RUN_UNTIL(rs.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert_int_eq(rs.n_closed, 0);
	close(fd);
	sl__tpmgr_destroy(s);
}
END_TEST

static void long_idle(struct sl_tp_config *cfg)
{
	cfg->tcp_idle_ms = 3600000;
}

START_TEST(tcp_keepalive_ping_pong_and_timeout)
{
	struct rec rc;
	struct sl_tpmgr *c = client_mgr(&rc, long_idle);
	struct sl_addr at;
	struct sl_tp_dest dst;
	char got[64], buf[1024];
	int lfd = raw_tcp_listen(&at), fd;
	size_t n = options(buf, sizeof(buf),
			   "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKk");

	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.addr = at;
	/* no connection yet: nothing to keep alive */
	ck_assert_int_eq(sl__tp_keepalive(c, &dst, 30000), SL_ETRANSPORT);
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	fd = raw_accept(lfd);
	{
		char all[2048];

		ck_assert_uint_eq(raw_recv_n(fd, all, sizeof(all), n), n);
	}
	ck_assert_int_eq(sl__tp_keepalive(c, &dst, 30000), 0);
	/* ping, answered: the flow lives on */
	advance_ms(30000);
	ck_assert_int_eq(raw_recv_n(fd, got, sizeof(got), 4), 4);
	ck_assert_str_eq(got, "\r\n\r\n");
	raw_send(fd, "\r\n", 2);
	run_a_little();
	advance_ms(10000);
	run_a_little();
	ck_assert_int_eq(rc.n_closed, 0);
	/* ping, not answered: closed 10 s later, reported */
	advance_ms(20000);
	ck_assert_int_eq(raw_recv_n(fd, got, sizeof(got), 4), 4);
	advance_ms(9000);
	run_a_little();
	ck_assert_int_eq(rc.n_closed, 0);
	advance_ms(1000);
	RUN_UNTIL(rc.n_closed == 1);
	ck_assert_int_eq(rc.n_closed, 1);
	ck_assert_uint_eq(rc.closed_flow[0], dst.flow);
	ck_assert_int_eq(rc.closed_err[0], SL_ETIMEOUT);
	close(fd);
	close(lfd);
	sl__tpmgr_destroy(c);
}
END_TEST

START_TEST(tcp_reconnect_on_demand)
{
	struct rec rs, rc;
	struct sl_addr at;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	struct sl_tpmgr *c = client_mgr(&rc, NULL);
	struct sl_tp_dest dst;
	char buf[1024];
	uint32_t first;
	size_t n = options(buf, sizeof(buf),
			   "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKo");

	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.addr = at;
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	first = dst.flow;
	RUN_UNTIL(rs.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	/* the server drops the connection (idle, restart...) */
	{
		struct sl_tp_conn *sc = sl__tcp_find_flow(s, rs.flow[0]);

		ck_assert_ptr_nonnull(sc);
		sl__tcp_close_conn(sc, SL_ETRANSPORT);
	}
	RUN_UNTIL(rc.n_closed == 1);
	ck_assert_int_eq(rc.n_closed, 1);
	ck_assert_uint_eq(rc.closed_flow[0], first);
	/* a send naming the dead flow opens a new one */
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	ck_assert_uint_ne(dst.flow, first);
	RUN_UNTIL(rs.n_rx == 2);
	ck_assert_int_eq(rs.n_rx, 2);
	ck_assert_uint_ne(rs.flow[1], rs.flow[0]);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

static void one_conn(struct sl_tp_config *cfg)
{
	cfg->max_conns = 1;
}

/*
 * A manager without any listener connects out: sl__tp_connect() gives our
 * end of the connection (address and ephemeral port) before it is up,
 * the peer sees exactly that address, a send reuses the connection, and
 * sl__tpmgr_conn_local() finds it again by flow or by peer.
 */
START_TEST(tcp_connect_without_listener)
{
	struct rec rs, rc;
	struct sl_addr at, local, again, none;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	struct sl_tpmgr *c = client_mgr(&rc, NULL);
	struct sl_tp_dest dst;
	struct sl_tp_stats st;
	char buf[2048], host[64];
	uint32_t flow;
	size_t n;

	rs.reply = 1;
	ck_assert_int_eq(sl__tpmgr_local_for(c, SL_TP_TCP, AF_INET, &local),
			 SL_ENOTFOUND);
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.addr = at;
	ck_assert_int_eq(sl__tp_connect(c, &dst, &local), 0);
	flow = dst.flow;
	ck_assert_uint_ne(flow, 0);
	ck_assert_int_ge(sl__addr_host(&local, host, sizeof(host)), 0);
	ck_assert_str_eq(host, "127.0.0.1");
	ck_assert_uint_ne(sl__addr_port(&local), 0);
	/* Asked again: the same connection. */
	dst.flow = 0;
	ck_assert_int_eq(sl__tp_connect(c, &dst, &again), 0);
	ck_assert_uint_eq(dst.flow, flow);
	ck_assert(sl__addr_equal(&again, &local));
	ck_assert_int_eq(sl__tpmgr_conn_local(c, SL_TP_TCP, &at, flow,
					      &again), 0);
	ck_assert(sl__addr_equal(&again, &local));
	ck_assert_int_eq(sl__tpmgr_conn_local(c, SL_TP_TCP, &at, 0, &again),
			 0);
	ck_assert(sl__addr_equal(&again, &local));
	ck_assert_int_eq(sl__tpmgr_conn_local(c, SL_TP_TLS, &at, flow,
					      &again), SL_ENOTFOUND);
	ck_assert_int_eq(sl__addr_set(&none, "127.0.0.1", 9, 9), 0);
	ck_assert_int_eq(sl__tpmgr_conn_local(c, SL_TP_TCP, &none, 0,
					      &again), SL_ENOTFOUND);
	ck_assert_int_eq(sl__tpmgr_conn_local(NULL, SL_TP_TCP, &at, 0,
					      &again), SL_ENOTFOUND);

	/* The request goes over it and the answer comes back on it. */
	dst.flow = 0;
	n = options(buf, sizeof(buf), "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKn");
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	ck_assert_uint_eq(dst.flow, flow);
	RUN_UNTIL(rs.n_rx == 1 && rc.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert(sl__addr_equal(&rs.src[0], &local));
	ck_assert_int_eq(rc.n_rx, 1);
	ck_assert_uint_eq(rc.flow[0], flow);
	ck_assert_int_eq(sl__tpmgr_stats(c, &st), 0);
	ck_assert_uint_eq(st.conns_opened, 1);

	/* Bad calls; UDP has no connection. */
	dst.tp = SL_TP_UDP;
	ck_assert_int_eq(sl__tp_connect(c, &dst, &again), SL_EINVAL);
	dst.tp = SL_TP_TCP;
	ck_assert_int_eq(sl__tp_connect(NULL, &dst, &again), SL_EINVAL);
	ck_assert_int_eq(sl__tp_connect(c, &dst, NULL), SL_EINVAL);
	/* No address at all. */
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	ck_assert_int_eq(sl__tp_connect(c, &dst, &again), SL_ETRANSPORT);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tcp_connect_failures)
{
	struct rec rc, rs;
	struct sl_tpmgr *c = client_mgr(&rc, one_conn);
	struct sl_addr at, dead;
	struct sl_tpmgr *s = tcp_server(&rs, &at, NULL);
	struct sl_tp_dest dst;
	char buf[1024];
	int lfd, rcode;
	size_t n = options(buf, sizeof(buf),
			   "SIP/2.0/TCP 127.0.0.1;branch=z9hG4bKf");

	/* nothing listens there: refused now or reported soon */
	lfd = raw_tcp_listen(&dead);
	close(lfd);
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.addr = dead;
	rcode = sl__tp_send(c, &dst, buf, n);
	if (rcode == 0) {
		RUN_UNTIL(rc.n_closed == 1);
		ck_assert_int_eq(rc.n_closed, 1);
		ck_assert_int_eq(rc.closed_err[0], SL_ETRANSPORT);
	} else {
		ck_assert_int_eq(rcode, SL_ETRANSPORT);
	}
	/* one slot: a second destination finds the table full */
	dst.addr = at;
	dst.flow = 0;
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), 0);
	dst.flow = 0;
	ck_assert_int_eq(sl__addr_set(&dst.addr, "127.0.0.2", 9,
				      sl__addr_port(&at)), 0);
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), SL_ENOMEM);
	/* no address at all */
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), SL_ETRANSPORT);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

static void tiny_queue(struct sl_tp_config *cfg)
{
	cfg->max_msg_size = 2000;
}

START_TEST(tcp_write_queue_overflow_closes)
{
	struct rec rc;
	struct sl_tpmgr *c = client_mgr(&rc, tiny_queue);
	struct sl_addr at;
	struct sl_tp_dest dst;
	static char buf[2000];
	int lfd = raw_tcp_listen(&at), fd, rcode = 0, small = 4096, i;

	memset(buf, 'a', sizeof(buf));
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TCP;
	dst.addr = at;
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, 10), 0);
	fd = raw_accept(lfd);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	run_a_little();
	/* the peer never reads: the kernel buffers fill, then the queue */
	for (i = 0; i < 100000 && rcode == 0; i++)
		rcode = sl__tp_send(c, &dst, buf, sizeof(buf));
	ck_assert_int_eq(rcode, SL_ETRANSPORT);
	RUN_UNTIL(rc.n_closed == 1);
	ck_assert_int_eq(rc.n_closed, 1);
	ck_assert_int_eq(rc.closed_err[0], SL_ETRANSPORT);
	close(fd);
	close(lfd);
	sl__tpmgr_destroy(c);
}
END_TEST

/* ======================================================================
 * TLS
 * ====================================================================== */

static void tls_server_cfg(struct sl_tp_config *cfg, const char *cert,
			   const char *key)
{
	base_config(cfg);
	add_bind(cfg, SL_TP_TLS, "127.0.0.1");
	cfg->tls_cert_file = cert;
	cfg->tls_key_file = key;
	cfg->tls_ca_file = TLS_DIR "ca.pem";
}

static struct sl_tpmgr *tls_server(struct rec *r, struct sl_addr *at,
				   const char *cert, const char *key)
{
	struct sl_tp_config cfg;
	struct sl_tpmgr *m;

	tls_server_cfg(&cfg, cert, key);
	m = make_mgr(&cfg, r);
	ck_assert_int_eq(sl__tpmgr_local_for(m, SL_TP_TLS, AF_INET, at), 0);
	return m;
}

static struct sl_tpmgr *tls_client(struct rec *r, int verify,
				   const char *cert, const char *key,
				   const char *ciphers)
{
	struct sl_tp_config cfg;

	base_config(&cfg);
	cfg.tls_verify = verify;
	cfg.tls_ca_file = verify ? TLS_DIR "ca.pem" : NULL;
	cfg.tls_cert_file = cert;
	cfg.tls_key_file = key;
	cfg.tls_ciphers = ciphers;
	return make_mgr(&cfg, r);
}

/* Sends an OPTIONS over TLS to @at expecting @name. */
static int tls_send(struct sl_tpmgr *c, const struct sl_addr *at,
		    const char *name, struct sl_tp_dest *dst)
{
	char buf[1024];
	size_t n = options(buf, sizeof(buf),
			   "SIP/2.0/TLS 127.0.0.1;branch=z9hG4bKtls");

	memset(dst, 0, sizeof(*dst));
	dst->tp = SL_TP_TLS;
	dst->addr = *at;
	dst->tls_name = name;
	return sl__tp_send(c, dst, buf, n);
}

START_TEST(tls_exchange_both_ways)
{
	struct rec rs, rc;
	struct sl_addr at;
	struct sl_tpmgr *s = tls_server(&rs, &at, TLS_DIR "server.pem",
					TLS_DIR "server.key");
	struct sl_tpmgr *c = tls_client(&rc, 1, NULL, NULL, NULL);
	struct sl_tp_dest dst, back;
	struct sl_tp_flow_info fi;
	char buf[1024];
	size_t n;

	rs.reply = 1;
	ck_assert_int_eq(tls_send(c, &at, TLS_NAME, &dst), 0);
	RUN_UNTIL(rs.n_rx == 1 && rc.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert_int_eq(rs.tp[0], SL_TP_TLS);
	ck_assert_int_eq(rs.reply_rc, 0);
	ck_assert_int_eq(rc.n_rx, 1);
	ck_assert_int_eq(rc.tp[0], SL_TP_TLS);
	ck_assert_uint_eq(rc.flow[0], dst.flow);
	ck_assert(strncmp(rc.msg[0], "SIP/2.0 200 OK\r\n", 16) == 0);
	/* no client certificate was sent */
	ck_assert_int_eq(sl__tpmgr_flow_info(s, rs.flow[0], &fi), 0);
	ck_assert_int_eq(fi.peer_cert_verified, 0);
	ck_assert_int_eq(sl__tpmgr_flow_info(c, dst.flow, &fi), 0);
	ck_assert_int_eq(fi.peer_cert_verified, 1);

	/* reuse for the same name, a new connection for another name */
	{
		uint32_t flow = dst.flow;

		ck_assert_int_eq(tls_send(c, &at, TLS_NAME, &dst), 0);
		ck_assert_uint_eq(dst.flow, flow);
		ck_assert_int_eq(tls_send(c, &at, "localhost", &dst), 0);
		ck_assert_uint_ne(dst.flow, flow);
	}
	RUN_UNTIL(rs.n_rx == 3);
	ck_assert_int_eq(rs.n_rx, 3);

	/* a request from the server over the accepted flow */
	memset(&back, 0, sizeof(back));
	back.tp = SL_TP_TLS;
	back.flow = rs.flow[0];
	n = options(buf, sizeof(buf), "SIP/2.0/TLS 127.0.0.1;branch=z9hG4bKs");
	ck_assert_int_eq(sl__tp_send(s, &back, buf, n), 0);
	RUN_UNTIL(rc.n_rx == 4);
	ck_assert_int_eq(rc.n_rx, 4);
	{
		int requests = 0;

		for (int i = 0; i < 4; i++)
			requests += rc.is_request[i];
		ck_assert_int_eq(requests, 1);
	}

	/* without a name while verifying: refused before connecting */
	memset(&dst, 0, sizeof(dst));
	dst.tp = SL_TP_TLS;
	ck_assert_int_eq(sl__addr_set(&dst.addr, "127.0.0.2", 9,
				      sl__addr_port(&at)), 0);
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), SL_EINVAL);
	/* a response whose flow is gone: nothing to verify a new one by */
	dst.flow = 12345;
	ck_assert_int_eq(sl__tp_send(c, &dst, buf, n), SL_ETRANSPORT);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

static void expect_tls_refused(struct sl_tpmgr *c, struct rec *rc,
			       struct rec *rs, const struct sl_addr *at,
			       const char *name)
{
	struct sl_tp_dest dst;

	ck_assert_int_eq(tls_send(c, at, name, &dst), 0);
	RUN_UNTIL(rc->n_closed == 1);
	ck_assert_int_eq(rc->n_closed, 1);
	ck_assert_uint_eq(rc->closed_flow[0], dst.flow);
	ck_assert_int_eq(rc->closed_err[0], SL_EAUTH);
	run_a_little();
	ck_assert_int_eq(rs->n_rx, 0);
	ck_assert_int_eq(rc->n_rx, 0);
}

START_TEST(tls_wrong_name_fails)
{
	struct rec rs, rc;
	struct sl_addr at;
	struct sl_tpmgr *s = tls_server(&rs, &at, TLS_DIR "server.pem",
					TLS_DIR "server.key");
	struct sl_tpmgr *c = tls_client(&rc, 1, NULL, NULL, NULL);

	expect_tls_refused(c, &rc, &rs, &at, "wrong.example.com");
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tls_untrusted_server_fails)
{
	struct rec rs, rc;
	struct sl_addr at;
	struct sl_tpmgr *s = tls_server(&rs, &at, TLS_DIR "rogue.pem",
					TLS_DIR "rogue.key");
	struct sl_tpmgr *c = tls_client(&rc, 1, NULL, NULL, NULL);

	expect_tls_refused(c, &rc, &rs, &at, TLS_NAME);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tls_verify_off_accepts_anything)
{
	struct rec rs, rc;
	struct sl_addr at;
	struct sl_tpmgr *s = tls_server(&rs, &at, TLS_DIR "rogue.pem",
					TLS_DIR "rogue.key");
	struct sl_tpmgr *c = tls_client(&rc, 0, NULL, NULL, NULL);
	struct sl_tp_dest dst;

	rs.reply = 1;
	ck_assert_int_eq(tls_send(c, &at, NULL, &dst), 0);
	RUN_UNTIL(rc.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert_int_eq(rc.n_rx, 1);
	ck_assert_int_eq(rc.n_closed, 0);
	ck_assert_int_eq(tls_send(c, &at, "any.name", &dst), 0);
	RUN_UNTIL(rc.n_rx == 2);
	ck_assert_int_eq(rc.n_rx, 2);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tls_client_certificate)
{
	struct rec rs, rc, rr;
	struct sl_addr at;
	struct sl_tpmgr *s = tls_server(&rs, &at, TLS_DIR "server.pem",
					TLS_DIR "server.key");
	struct sl_tpmgr *c = tls_client(&rc, 1, TLS_DIR "client.pem",
					TLS_DIR "client.key", NULL);
	struct sl_tpmgr *rogue;
	struct sl_tp_flow_info fi;
	struct sl_tp_dest dst;

	ck_assert_int_eq(tls_send(c, &at, TLS_NAME, &dst), 0);
	RUN_UNTIL(rs.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	ck_assert_int_eq(sl__tpmgr_flow_info(s, rs.flow[0], &fi), 0);
	ck_assert_int_eq(fi.tp, SL_TP_TLS);
	ck_assert_int_eq(fi.incoming, 1);
	ck_assert_int_eq(fi.peer_cert_verified, 1);

	/* a client certificate the server's CA did not sign is refused */
	rogue = tls_client(&rr, 1, TLS_DIR "rogue.pem", TLS_DIR "rogue.key",
			   NULL);
	ck_assert_int_eq(tls_send(rogue, &at, TLS_NAME, &dst), 0);
	RUN_UNTIL(rr.n_closed == 1 && rs.n_closed == 1);
	ck_assert_int_eq(rr.n_closed, 1);
	ck_assert_int_eq(rs.n_closed, 1);
	ck_assert_int_eq(rs.closed_err[0], SL_EAUTH);
	ck_assert_int_eq(rs.n_rx, 1);
	sl__tpmgr_destroy(rogue);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tls_cipher_list)
{
	struct rec rs, rc;
	struct sl_addr at;
	struct sl_tpmgr *s = tls_server(&rs, &at, TLS_DIR "server.pem",
					TLS_DIR "server.key");
	struct sl_tpmgr *c = tls_client(&rc, 1, NULL, NULL,
		"TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384:"
		"TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256");
	struct sl_tpmgr *rsa_only;
	struct rec rr;
	struct sl_tp_dest dst;

	ck_assert_int_eq(tls_send(c, &at, TLS_NAME, &dst), 0);
	RUN_UNTIL(rs.n_rx == 1);
	ck_assert_int_eq(rs.n_rx, 1);
	/* only suites the EC server key cannot serve: no handshake */
	rsa_only = tls_client(&rr, 1, NULL, NULL,
			      "TLS-ECDHE-RSA-WITH-AES-128-GCM-SHA256");
	ck_assert_int_eq(tls_send(rsa_only, &at, TLS_NAME, &dst), 0);
	RUN_UNTIL(rr.n_closed == 1);
	ck_assert_int_eq(rr.n_closed, 1);
	ck_assert_int_eq(rr.closed_err[0], SL_ETRANSPORT);
	ck_assert_int_eq(rs.n_rx, 1);
	sl__tpmgr_destroy(rsa_only);
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

START_TEST(tls_handshake_timeout)
{
	struct rec rc;
	struct sl_tpmgr *c = tls_client(&rc, 1, NULL, NULL, NULL);
	struct sl_addr at;
	struct sl_tp_dest dst;
	int lfd = raw_tcp_listen(&at), fd;

	/* a peer that accepts TCP and never speaks TLS */
	ck_assert_int_eq(tls_send(c, &at, TLS_NAME, &dst), 0);
	fd = raw_accept(lfd);
	run_a_little();
	ck_assert_int_eq(rc.n_closed, 0);
	advance_ms(5000);
	RUN_UNTIL(rc.n_closed == 1);
	ck_assert_int_eq(rc.n_closed, 1);
	ck_assert_int_eq(rc.closed_err[0], SL_ETIMEOUT);
	close(fd);
	close(lfd);
	sl__tpmgr_destroy(c);
}
END_TEST

/* ---- a server named by its address (RFC 2818 §3.1, RFC 9525) ----
 *
 * mbedtls 2.28 matches a name against dNSName entries only, so tls.c
 * checks an address literal itself against the iPAddress entries, byte
 * for byte. Policy, pinned here: for an address, no fallback to the CN
 * and no address written as a dNSName; host names keep mbedtls' check.
 */

enum { LOG_LINE = 512 };

struct refusal_log {
	int n;
	char line[LOG_LINE];    /* the last "certificate ... refused" line */
};

static void capture_refusal(void *arg, enum sl_log_level level,
			    const char *module, const char *line)
{
	struct refusal_log *lg = arg;
	size_t len = strlen(line);

	(void)level;
	(void)module;
	if (!strstr(line, "certificate of the peer refused"))
		return;
	if (len >= sizeof(lg->line))
		len = sizeof(lg->line) - 1;
	memcpy(lg->line, line, len);
	lg->line[len] = '\0';
	lg->n++;
}

struct ip_name_vector {
	const char *cert;   /* the server's certificate and key */
	const char *key;
	const char *ca;     /* what the client trusts; NULL: verification off */
	int ipv6;           /* the server listens on ::1 (skipped without) */
	const char *name;   /* the name the certificate must carry */
	const char *why;    /* NULL: accepted; else refused, and this is in
			     * mbedtls' reason on the log line */
};

#define NAME_MISMATCH "Common Name (CN) does not match"
#define NOT_TRUSTED "not correctly signed by the trusted CA"
#define SRV TLS_DIR "server.pem", TLS_DIR "server.key", TLS_DIR "ca.pem"
#define IPONLY IP_DIR "ip.pem", IP_DIR "ip.key", TLS_DIR "ca.pem"
#define CNONLY IP_DIR "cn.pem", IP_DIR "cn.key", TLS_DIR "ca.pem"
#define DNSIP IP_DIR "dnsip.pem", IP_DIR "dnsip.key", TLS_DIR "ca.pem"
#define SELF IP_DIR "self.pem", IP_DIR "self.key", IP_DIR "self.pem"
#define ROGUE TLS_DIR "rogue.pem", TLS_DIR "rogue.key"

static const struct ip_name_vector ip_name_vectors[] = {
	/* server.pem: DNS sip.test.example, localhost; IP 127.0.0.1, ::1 */
	{ SRV, 0, "127.0.0.1", NULL },
	{ SRV, 1, "::1", NULL },
	{ SRV, 1, "[::1]", NULL },                  /* URI host form */
	{ SRV, 0, "0:0:0:0:0:0:0:1", NULL },        /* same 16 bytes */
	{ SRV, 0, "127.0.0.2", NAME_MISMATCH },
	{ SRV, 0, "::2", NAME_MISMATCH },
	{ SRV, 0, "::ffff:127.0.0.1", NAME_MISMATCH },  /* bytes differ */
	{ SRV, 0, "127.1", NAME_MISMATCH },  /* not an address to inet_pton:
					      * a host name, and no such
					      * dNSName */
	{ SRV, 0, "[127.0.0.1]", NAME_MISMATCH },   /* brackets: IPv6 only */
	{ SRV, 0, "[::1", NAME_MISMATCH },
	{ SRV, 0, "::1%lo", NAME_MISMATCH },        /* zone: not in a cert */
	{ SRV, 0, "localhost", NULL },              /* host names unchanged */
	{ SRV, 0, "LOCALHOST", NULL },
	{ SRV, 0, "sip.test.example", NULL },
	{ SRV, 0, "other.test.example", NAME_MISMATCH },
	/* ip.pem: IP 127.0.0.1, ::1 and no dNSName */
	{ IPONLY, 0, "127.0.0.1", NULL },
	{ IPONLY, 1, "::1", NULL },
	{ IPONLY, 0, "sip.test.example", NAME_MISMATCH },
	{ IPONLY, 0, "localhost", NAME_MISMATCH },
	/* cn.pem: CN=127.0.0.1, no subjectAltName: no CN fallback */
	{ CNONLY, 0, "127.0.0.1", NAME_MISMATCH },
	/* dnsip.pem: dNSName "127.0.0.1" and "::1" are not iPAddress */
	{ DNSIP, 0, "127.0.0.1", NAME_MISMATCH },
	{ DNSIP, 1, "::1", NAME_MISMATCH },
	/* the bug report's self-signed RSA certificate, trusted as itself */
	{ SELF, 0, "127.0.0.1", NULL },
	{ SELF, 0, "127.0.0.2", NAME_MISMATCH },
	/* the chain is still checked: rogue.pem has IP 127.0.0.1 */
	{ ROGUE, TLS_DIR "ca.pem", 0, "127.0.0.1", NOT_TRUSTED },
	/* both reasons, on one line */
	{ ROGUE, TLS_DIR "ca.pem", 0, "127.0.0.2",
	  "does not match with the expected CN; The certificate is not "
	  "correctly signed by the trusted CA" },
	/* verification off: anything goes, an address too */
	{ ROGUE, NULL, 0, "127.0.0.1", NULL },
	{ IP_DIR "cn.pem", IP_DIR "cn.key", NULL, 0, "::1", NULL },
};

START_TEST(tls_ip_names)
{
	const struct ip_name_vector *v = &ip_name_vectors[_i];
	enum sl_log_level level = sl_log_get_level();
	struct refusal_log lg;
	struct sl_tp_config cfg;
	struct rec rs, rc;
	struct sl_tpmgr *s, *c;
	struct sl_tp_flow_info fi;
	struct sl_tp_dest dst;
	struct sl_addr at;
	char want[LOG_LINE];

	if (v->ipv6 && !ipv6_available()) {
		printf("check_transport: ::1 unavailable, TLS name %s "
		       "skipped\n", v->name);
		return;
	}
	base_config(&cfg);
	add_bind(&cfg, SL_TP_TLS, v->ipv6 ? "::1" : "127.0.0.1");
	cfg.tls_cert_file = v->cert;
	cfg.tls_key_file = v->key;
	s = make_mgr(&cfg, &rs);
	ck_assert_int_eq(sl__tpmgr_local_for(s, SL_TP_TLS,
					     v->ipv6 ? AF_INET6 : AF_INET,
					     &at), 0);
	base_config(&cfg);
	cfg.tls_verify = v->ca != NULL;
	cfg.tls_ca_file = v->ca;
	c = make_mgr(&cfg, &rc);

	memset(&lg, 0, sizeof(lg));
	sl_log_set_callback(capture_refusal, &lg);
	sl_log_set_level(SL_LOG_WARN);
	ck_assert_int_eq(tls_send(c, &at, v->name, &dst), 0);
	RUN_UNTIL(rs.n_rx == 1 || rc.n_closed == 1);
	run_a_little();
	sl_log_set_callback(NULL, NULL);
	sl_log_set_level(level);

	if (!v->why) {
		ck_assert_msg(rs.n_rx == 1, "%s: not accepted (%s)", v->name,
			      lg.line);
		ck_assert_int_eq(rc.n_closed, 0);
		ck_assert_int_eq(lg.n, 0);
		ck_assert_int_eq(sl__tpmgr_flow_info(c, dst.flow, &fi), 0);
		ck_assert_int_eq(fi.tp, SL_TP_TLS);
	} else {
		/* the path and the log line of any refused name */
		ck_assert_msg(rc.n_closed == 1, "%s: not refused", v->name);
		ck_assert_uint_eq(rc.closed_flow[0], dst.flow);
		ck_assert_int_eq(rc.closed_err[0], SL_EAUTH);
		ck_assert_int_eq(rs.n_rx, 0);
		ck_assert_int_eq(lg.n, 1);
		snprintf(want, sizeof(want), "(expected name \"%s\")",
			 v->name);
		ck_assert_msg(strstr(lg.line, want) != NULL, "%s", lg.line);
		ck_assert_msg(strstr(lg.line, v->why) != NULL, "%s", lg.line);
		/* a name mismatch only, never a chain problem as well */
		if (strcmp(v->why, NAME_MISMATCH) == 0)
			ck_assert_msg(strstr(lg.line, NOT_TRUSTED) == NULL,
				      "%s", lg.line);
	}
	sl__tpmgr_destroy(c);
	sl__tpmgr_destroy(s);
}
END_TEST

/* The refusals above mean something only if each certificate's chain
 * verifies with no name asked: the name is then the only reason. */
START_TEST(tls_ip_material_chains)
{
	static const char *const files[][2] = {
		{ IP_DIR "ip.pem", TLS_DIR "ca.pem" },
		{ IP_DIR "cn.pem", TLS_DIR "ca.pem" },
		{ IP_DIR "dnsip.pem", TLS_DIR "ca.pem" },
		{ IP_DIR "self.pem", IP_DIR "self.pem" },
		{ TLS_DIR "server.pem", TLS_DIR "ca.pem" },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		mbedtls_x509_crt crt, ca;
		uint32_t flags = 0xffffffffu;

		mbedtls_x509_crt_init(&crt);
		mbedtls_x509_crt_init(&ca);
		ck_assert_int_eq(mbedtls_x509_crt_parse_file(&crt,
							     files[i][0]), 0);
		ck_assert_int_eq(mbedtls_x509_crt_parse_file(&ca,
							     files[i][1]), 0);
		ck_assert_msg(mbedtls_x509_crt_verify(&crt, &ca, NULL, NULL,
						      &flags, NULL,
						      NULL) == 0 &&
			      flags == 0, "%s: flags %#x", files[i][0],
			      (unsigned)flags);
		mbedtls_x509_crt_free(&ca);
		mbedtls_x509_crt_free(&crt);
	}
}
END_TEST

Suite *check_transport_suite(void);

Suite *check_transport_suite(void)
{
	Suite *s = suite_create("transport");
	TCase *tc;

	tc = tcase_create("addr");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, addr_numeric_hosts);
	tcase_add_test(tc, config_defaults_and_bad_config);
	suite_add_tcase(s, tc);

	tc = tcase_create("udp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, udp_send_receive_ipv4);
	tcase_add_test(tc, udp_send_receive_ipv6);
	tcase_add_test(tc, udp_send_errors);
	tcase_add_test(tc, udp_icmp_unreachable_ipv4);
	tcase_add_test(tc, udp_icmp_unreachable_ipv6);
	tcase_add_test(tc, udp_icmp_without_handler);
	tcase_add_test(tc, udp_dscp_set_on_sockets);
	tcase_add_test(tc, udp_rport_round_trip);
	tcase_add_test(tc, udp_garbage_ignored);
	tcase_add_test(tc, udp_bad_request_answered_400);
	tcase_add_test(tc, udp_bad_method_mismatch_answered_400);
	tcase_add_test(tc, udp_bad_ack_never_answered);
	tcase_add_test(tc, udp_oversized_answered_513);
	tcase_add_test(tc, rx_pool_exhaustion_drops);
	tcase_add_test(tc, udp_keepalive_pings);
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, response_facts_and_destination, 0,
			    (int)(sizeof(route_vectors) /
				  sizeof(route_vectors[0])));
	tcase_add_test(tc, response_via_edge_cases);
	suite_add_tcase(s, tc);

	tc = tcase_create("tcp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, tcp_connect_send_reuse_and_answer);
	tcase_add_test(tc, tcp_ipv6_exchange);
	tcase_add_test(tc, tcp_framing_two_in_one_and_split);
	tcase_add_test(tc, tcp_peer_close_reports_flow_closed);
	tcase_add_test(tc, tcp_idle_timeout_virtual_clock);
	tcase_add_test(tc, tcp_oversized_or_unframeable_closes);
	tcase_add_test(tc, tcp_bad_request_answered_on_flow);
	tcase_add_test(tc, tcp_ping_gets_pong);
	tcase_add_test(tc, tcp_keepalive_ping_pong_and_timeout);
	tcase_add_test(tc, tcp_reconnect_on_demand);
	tcase_add_test(tc, tcp_connect_without_listener);
	tcase_add_test(tc, tcp_connect_failures);
	tcase_add_test(tc, tcp_write_queue_overflow_closes);
	suite_add_tcase(s, tc);

	tc = tcase_create("tls");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, tls_exchange_both_ways);
	tcase_add_test(tc, tls_wrong_name_fails);
	tcase_add_test(tc, tls_untrusted_server_fails);
	tcase_add_test(tc, tls_verify_off_accepts_anything);
	tcase_add_test(tc, tls_client_certificate);
	tcase_add_test(tc, tls_cipher_list);
	tcase_add_test(tc, tls_handshake_timeout);
	tcase_add_loop_test(tc, tls_ip_names, 0,
			    (int)(sizeof(ip_name_vectors) /
				  sizeof(ip_name_vectors[0])));
	tcase_add_test(tc, tls_ip_material_chains);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_transport_suite)
