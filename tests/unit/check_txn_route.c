/*
 * tests/unit/check_txn_route.c: sending requests to located next hops with
 * RFC 3263 §4.3 fail-over (lib/txn/route.c) over the real resolver,
 * locator, transaction layer and transports.
 *
 * One process holds everything, all on 127.0.0.1: the DNS responder
 * (tests/unit/dns_responder.c) with a zone written at set-up (the SRV
 * ports are the servers' ephemeral ports), three UDP transport managers
 * and one TCP manager as SIP servers answering from a per-server script,
 * a closed TCP port that refuses connections, and the client: a transport
 * manager, a transaction layer whose TU passes every client event to the
 * router's hooks first, and the router.
 *
 * The loop runs in application-driven mode on a virtual clock: real I/O is
 * stepped with short waits in bounded loops, and Timers B and F fire only
 * when a test moves time forward. Nothing sleeps. Each test's teardown
 * checks that the router, the locator and the resolver are back to empty.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "core/clock.h"
#include "core/loop.h"
#include "core/mem.h"
#include "sipline/build.h"
#include "sipline/log.h"
#include "sipline/uri.h"
#include "transport/dns.h"
#include "transport/locate.h"
#include "transport/tp_int.h"
#include "transport/tp_response.h"
#include "txn/route.h"

/* The Makefile builds each check_*.c alone against the library. */
#include "dns_responder.c"

enum {
	STEPS = 3000,        /* loop iterations a wait may take */
	MAX_EV = 32,         /* router events recorded */
	MAX_REQ = 64,        /* requests a server records */
	MAX_BUILD = 16,      /* build callbacks recorded */
	N_UDP = 3,           /* UDP servers */
	TIMER_BF = 64 * 500  /* Timer B/F with the default T1 */
};

/* ======================================================================
 * the environment
 * ====================================================================== */

static struct sl_vclock vclock;
static struct sl_loop *loop;
static struct dns_responder resp;
static struct sl_dns *dns;
static struct sl_locator *lc;
static uint32_t rng_state;

/* ---- servers: a transport manager answering from a script ---- */

struct server {
	struct sl_tpmgr *m;
	struct sl_addr at;
	int answer[4];               /* statuses for each request; 0 ends */
	int n_req;                   /* requests other than ACK and CANCEL,
				      * retransmissions included */
	int n_ack;
	int n_cancel;
	char method[MAX_REQ][16];
	char branch[MAX_REQ][64];
	char via_tp[MAX_REQ][8];
	uint16_t via_port[MAX_REQ];
	int send_rc;
};

static struct server udp_srv[N_UDP], tcp_srv;
static uint16_t dead_port;           /* a TCP port nobody listens on */
static uint16_t dead_udp;            /* a UDP port nobody listens on */
static int client_no_tcp;            /* client_up(): UDP listener only */

static void copy_slice(char *dst, size_t cap, struct sl_slice s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (n)
		memcpy(dst, s.p, n);
	dst[n] = '\0';
}

static void srv_answer(struct server *s, struct sl_rxbuf *rx, int status)
{
	static char buf[4096];
	struct sl_builder b;
	struct sl_tp_dest dst;
	int rc;

	sl_build_init(&b, buf, sizeof(buf));
	rc = sl__tp_build_response(&b, rx, status, NULL, "srv", 0);
	if (rc == 0)
		rc = sl_build_finish(&b, NULL, NULL, 0);
	if (rc >= 0)
		rc = sl__tp_response_dest(rx, &dst);
	if (rc >= 0)
		rc = sl__tp_send(s->m, &dst, buf, b.len);
	if (rc < 0 && !s->send_rc)
		s->send_rc = rc;
}

static void srv_recv(void *arg, struct sl_rxbuf *rx)
{
	struct server *s = arg;
	const struct sl_msg *m = &rx->msg;
	int i;

	if (!m->is_request)
		return;
	if (m->method == SL_METHOD_ACK) {
		s->n_ack++;
		return;
	}
	if (m->method == SL_METHOD_CANCEL) {
		s->n_cancel++;
		srv_answer(s, rx, 200);
		return;
	}
	i = s->n_req++;
	if (i < MAX_REQ) {
		copy_slice(s->method[i], sizeof(s->method[i]), m->method_name);
		if (m->n_vias) {
			copy_slice(s->branch[i], sizeof(s->branch[i]),
				   m->vias[0].branch);
			copy_slice(s->via_tp[i], sizeof(s->via_tp[i]),
				   m->vias[0].transport);
			s->via_port[i] = m->vias[0].port;
		}
	}
	for (int k = 0; k < 4 && s->answer[k]; k++)
		srv_answer(s, rx, s->answer[k]);
}

/* Requests with distinct branches (retransmissions counted once). */
static int srv_attempts(const struct server *s)
{
	int n = 0;

	for (int i = 0; i < s->n_req && i < MAX_REQ; i++) {
		int seen = 0;

		for (int j = 0; j < i && !seen; j++)
			seen = strcmp(s->branch[i], s->branch[j]) == 0;
		n += !seen;
	}
	return n;
}

static void srv_up(struct server *s, enum sl_tp tp)
{
	struct sl_tp_handlers h = { srv_recv, NULL, NULL, NULL, s };
	struct sl_tp_config cfg;

	memset(s, 0, sizeof(*s));
	sl__tp_config_init(&cfg);
	cfg.rx_buffers = 8;
	cfg.max_conns = 4;
	cfg.binds[0].tp = tp;
	cfg.binds[0].host = "127.0.0.1";
	cfg.binds[0].port = 0;
	cfg.n_binds = 1;
	ck_assert_int_eq(sl__tpmgr_create(&s->m, loop, &cfg, &h), 0);
	ck_assert_int_eq(sl__tpmgr_local_for(s->m, tp, AF_INET, &s->at), 0);
}

static uint16_t port_of(const struct server *s)
{
	return sl__addr_port(&s->at);
}

/* A TCP port that refuses connections: bound, then closed. */
static uint16_t closed_port(int type)
{
	struct sl_addr a;
	int fd = socket(AF_INET, type, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(sl__addr_set(&a, "127.0.0.1", 9, 0), 0);
	ck_assert_int_eq(bind(fd, &a.u.sa, a.len), 0);
	a.len = sizeof(a.u);
	ck_assert_int_eq(getsockname(fd, &a.u.sa, &a.len), 0);
	close(fd);
	return sl__addr_port(&a);
}

/* ---- the client: transport, transaction layer, router ---- */

static struct sl_tpmgr *cm;
static struct sl_txn_layer *layer;
static struct sl_router *router;

/* What the caller's own TU saw (events the hooks did not consume). */
struct tu_rec {
	int n_resp, n_timeout, n_tperr, n_term;
	void *resp_user, *term_user;
	uint32_t term_txn[MAX_EV];
	int resp_status;
};

static struct tu_rec tu;

static void tu_response(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx)
{
	(void)arg;
	if (sl__route_on_response(router, txn, user, rx))
		return;
	tu.n_resp++;
	tu.resp_user = user;
	tu.resp_status = rx->msg.status;
}

static void tu_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	(void)arg;
	(void)timer;
	if (sl__route_on_timeout(router, txn, user, timer))
		return;
	tu.n_timeout++;
}

static void tu_tperr(void *arg, uint32_t txn, void *user, int err)
{
	(void)arg;
	if (sl__route_on_transport_error(router, txn, user, err))
		return;
	tu.n_tperr++;
}

static void tu_terminated(void *arg, uint32_t txn, void *user)
{
	(void)arg;
	if (sl__route_on_terminated(router, txn, user))
		return;
	if (tu.n_term < MAX_EV)
		tu.term_txn[tu.n_term] = txn;
	tu.n_term++;
	tu.term_user = user;
}

static void cl_recv(void *arg, struct sl_rxbuf *rx)
{
	(void)arg;
	if (layer)
		sl__txn_recv(layer, rx);
}

static int n_flow_closed;

static void cl_closed(void *arg, uint32_t flow, int err)
{
	(void)arg;
	n_flow_closed++;
	if (layer)
		sl__txn_flow_closed(layer, flow, err);
}

static int n_unreach;

static void cl_unreach(void *arg, enum sl_tp tp, const struct sl_addr *dst,
		       int err)
{
	(void)arg;
	n_unreach++;
	if (layer)
		sl__txn_dest_unreachable(layer, tp, dst, err);
}

static int cl_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		   size_t len)
{
	(void)arg;
	return sl__tp_send(cm, dst, buf, len);
}

static void client_up(uint32_t max_txns, uint32_t max_sends)
{
	struct sl_tp_handlers h = { cl_recv, cl_closed, NULL, cl_unreach,
				    NULL };
	struct sl_tp_config tc;
	struct sl_txn_config xc;
	struct sl_router_config rc;

	sl__tp_config_init(&tc);
	tc.rx_buffers = 16;
	tc.max_conns = 8;
	tc.binds[0].tp = SL_TP_UDP;
	tc.binds[0].host = "127.0.0.1";
	tc.binds[1].tp = SL_TP_TCP;
	tc.binds[1].host = "127.0.0.1";
	tc.n_binds = client_no_tcp ? 1 : 2;
	ck_assert_int_eq(sl__tpmgr_create(&cm, loop, &tc, &h), 0);

	sl__txn_config_init(&xc);
	xc.max_client_txns = max_txns;
	xc.max_server_txns = 4;
	xc.seed = 42;
	xc.io.send = cl_send;
	xc.tu.response = tu_response;
	xc.tu.timeout = tu_timeout;
	xc.tu.transport_error = tu_tperr;
	xc.tu.terminated = tu_terminated;
	ck_assert_int_eq(sl__txn_create(&layer, loop, &xc), 0);

	sl__router_config_init(&rc);
	rc.max_sends = max_sends;
	ck_assert_int_eq(sl__router_create(&router, loop, layer, lc, cm, &rc),
			 0);
}

static void client_down(void)
{
	/* The layer first: its transactions may name the router's slots. */
	sl__txn_destroy(layer);
	layer = NULL;
	sl__router_destroy(router);
	router = NULL;
	sl__tpmgr_destroy(cm);
	cm = NULL;
}

/* ---- DNS ---- */

static struct dns_zone_entry zone[32];
static unsigned n_zone;

static void z_add(enum dns_zone_kind kind, const char *name,
		  const char *data, uint16_t prio, uint16_t port)
{
	struct dns_zone_entry *e = &zone[n_zone++];

	ck_assert_uint_le(n_zone, sizeof(zone) / sizeof(zone[0]));
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->name = name;
	e->data = data;
	if (kind == DNS_Z_SRV) {
		e->a = prio;
		e->b = 0;
		e->c = port;
	} else if (kind == DNS_Z_NAPTR) {
		e->a = 10;
		e->b = 10;
		e->flags = "s";
		e->services = "SIP+D2U";
	}
}

static void make_zone(void)
{
	n_zone = 0;
	/* two.test: SRV a (priority 10, server 0), b (20, server 1) */
	z_add(DNS_Z_SRV, "_sip._udp.two.test", "a.two.test", 10,
	      port_of(&udp_srv[0]));
	z_add(DNS_Z_SRV, "_sip._udp.two.test", "b.two.test", 20,
	      port_of(&udp_srv[1]));
	/* three.test: a, b, c (server 2) */
	z_add(DNS_Z_SRV, "_sip._udp.three.test", "a.two.test", 10,
	      port_of(&udp_srv[0]));
	z_add(DNS_Z_SRV, "_sip._udp.three.test", "b.two.test", 20,
	      port_of(&udp_srv[1]));
	z_add(DNS_Z_SRV, "_sip._udp.three.test", "c.two.test", 30,
	      port_of(&udp_srv[2]));
	/* icmp.test: a closed UDP port (ICMP unreachable), then b */
	z_add(DNS_Z_SRV, "_sip._udp.icmp.test", "a.two.test", 10, dead_udp);
	z_add(DNS_Z_SRV, "_sip._udp.icmp.test", "b.two.test", 20,
	      port_of(&udp_srv[1]));
	/* one.test: a alone */
	z_add(DNS_Z_SRV, "_sip._udp.one.test", "a.two.test", 10,
	      port_of(&udp_srv[0]));
	z_add(DNS_Z_A, "a.two.test", "127.0.0.1", 0, 0);
	z_add(DNS_Z_A, "b.two.test", "127.0.0.1", 0, 0);
	z_add(DNS_Z_A, "c.two.test", "127.0.0.1", 0, 0);
	/* tcp.test: a refusing port first, then the TCP server */
	z_add(DNS_Z_SRV, "_sip._tcp.tcp.test", "dead.tcp.test", 10,
	      dead_port);
	z_add(DNS_Z_SRV, "_sip._tcp.tcp.test", "live.tcp.test", 20,
	      port_of(&tcp_srv));
	z_add(DNS_Z_SRV, "_sip._tcp.deadonly.test", "dead.tcp.test", 10,
	      dead_port);
	z_add(DNS_Z_A, "dead.tcp.test", "127.0.0.1", 0, 0);
	z_add(DNS_Z_A, "live.tcp.test", "127.0.0.1", 0, 0);
	/* names with an explicit port in the URI */
	z_add(DNS_Z_A, "host.test", "127.0.0.1", 0, 0);
	z_add(DNS_Z_A, "dual.test", "127.0.0.1", 0, 0);
	z_add(DNS_Z_AAAA, "dual.test", "::1", 0, 0);
	/* NAPTR to two.test's UDP service */
	z_add(DNS_Z_NAPTR, "naptr.test", "_sip._udp.two.test", 0, 0);
	z_add(DNS_Z_NXDOMAIN, "gone.test", NULL, 0, 0);
}

static uint32_t xorshift(void *arg)
{
	uint32_t *x = arg;

	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void make_locator(enum sl_ip_pref pref, uint32_t max_requests)
{
	struct sl_locate_config cfg;

	sl__locate_config_init(&cfg);
	cfg.ip_pref = pref;
	cfg.max_requests = max_requests;
	cfg.transports = SL_TP_BIT(SL_TP_UDP) | SL_TP_BIT(SL_TP_TCP);
	cfg.rand = xorshift;
	cfg.rand_arg = &rng_state;
	ck_assert_int_eq(sl__locator_create(&lc, loop, dns, &cfg), 0);
}

/* ---- router events ---- */

struct ev_rec {
	uint32_t id;
	enum sl_route_ev_type type;
	int final;
	int status;
	uint32_t txn;
	int err;
	char timer;
	int has_target;
	struct sl_route_target target;
	unsigned attempt;
	int target_rc;               /* sl__route_target() inside the call */
};

static struct ev_rec ev[MAX_EV];
static int n_ev;

/* What the callback does besides recording. */
static struct {
	int cancel_on_status;        /* cancel the send on this response */
	uint32_t cancel_txn;         /* the transaction handed over then */
	int cancel_rc;
	int restart;                 /* start another send from a final */
	uint32_t restart_id;
	int restart_rc;
} cbctl;

static int user_token;             /* the sends' user pointer */
static const struct sl_uri *restart_uri;

static int build(void *arg, uint32_t id, const struct sl_route_build *b,
		 char *buf, size_t cap);
static void on_route(void *arg, uint32_t id, const struct sl_route_event *e)
{
	struct ev_rec *r;
	struct sl_route_target t;

	(void)arg;
	ck_assert_int_lt(n_ev, MAX_EV);
	r = &ev[n_ev++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->type = e->type;
	r->final = e->final;
	r->status = e->rx ? e->rx->msg.status : 0;
	r->txn = e->txn;
	r->err = e->err;
	r->timer = e->timer;
	r->attempt = e->attempt;
	if (e->target) {
		r->has_target = 1;
		r->target = *e->target;
	}
	r->target_rc = sl__route_target(router, id, &t);
	if (e->type == SL_ROUTE_EV_RESPONSE)
		ck_assert_ptr_nonnull(e->rx);
	else
		ck_assert_ptr_null(e->rx);
	if (cbctl.cancel_on_status && r->status == cbctl.cancel_on_status)
		cbctl.cancel_rc = sl__route_cancel(router, id,
						   &cbctl.cancel_txn);
	if (cbctl.restart && e->final) {
		struct sl_route_req req = {
			.uri = restart_uri, .build = build, .cb = on_route,
			.user = &user_token
		};

		cbctl.restart = 0;
		cbctl.restart_rc = sl__route_send(router, &req,
						  &cbctl.restart_id);
	}
}

/* ---- the build callback ---- */

struct build_rec {
	uint32_t id;
	enum sl_tp tp;
	int family;
	uint16_t port;
	int has_local;
	uint16_t local_port;
	unsigned attempt;
	char branch[64];
	char tls_name[SL_ROUTE_NAME_MAX];
	char name[SL_ROUTE_NAME_MAX];
};

static struct build_rec builds[MAX_BUILD];
static int n_builds;

static struct {
	const char *method;          /* "OPTIONS" */
	int fail;                    /* return this instead */
	int garbage;                 /* write bytes that are no request */
	int cancel_self;             /* cancel the send from inside */
	int cancel_rc;
} bctl;

static int build(void *arg, uint32_t id, const struct sl_route_build *b,
		 char *buf, size_t cap)
{
	const char *method = bctl.method ? bctl.method : "OPTIONS";
	struct build_rec *r;
	struct sl_builder bl;
	char host[64], cid[64];
	uint16_t port = 0;

	(void)arg;
	ck_assert_int_lt(n_builds, MAX_BUILD);
	r = &builds[n_builds++];
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->tp = b->target->tp;
	r->family = sl__addr_family(&b->target->addr);
	r->port = sl__addr_port(&b->target->addr);
	r->attempt = b->attempt;
	snprintf(r->branch, sizeof(r->branch), "%s", b->branch);
	snprintf(r->tls_name, sizeof(r->tls_name), "%s",
		 b->target->tls_name);
	snprintf(r->name, sizeof(r->name), "%s", b->target->name);
	if (b->local) {
		r->has_local = 1;
		r->local_port = sl__addr_port(b->local);
		ck_assert_int_gt(sl__addr_host(b->local, host, sizeof(host)),
				 0);
		port = r->local_port;
	} else {
		snprintf(host, sizeof(host), "client.invalid");
	}
	if (bctl.cancel_self)
		bctl.cancel_rc = sl__route_cancel(router, id, NULL);
	if (bctl.fail)
		return bctl.fail;
	if (bctl.garbage) {
		memcpy(buf, "hello", 5);
		return 5;
	}
	snprintf(cid, sizeof(cid), "route-%u@127.0.0.1", (unsigned)id);
	sl_build_init(&bl, buf, cap);
	sl_build_request_line(&bl, method, "sip:bob@two.test");
	sl_build_via(&bl, sl__tp_name(b->target->tp), host, port, b->branch,
		     1);
	sl_build_header_uint(&bl, "Max-Forwards", 70);
	sl_build_name_addr_header(&bl, "From", NULL, "sip:alice@127.0.0.1",
				  "atag");
	sl_build_name_addr_header(&bl, "To", NULL, "sip:bob@two.test", NULL);
	sl_build_call_id(&bl, cid);
	sl_build_cseq(&bl, 1, method);
	if (strcmp(method, "INVITE") == 0)
		sl_build_name_addr_header(&bl, "Contact", NULL,
					  "sip:alice@127.0.0.1", NULL);
	return sl_build_finish(&bl, NULL, NULL, 0);
}

/* ---- fixtures ---- */

static void setup(void)
{
	struct sl_loop_config lcfg;
	struct sl_dns_config dcfg;

	memset(&lcfg, 0, sizeof(lcfg));
	sl__vclock_init(&vclock, 1000000);
	lcfg.clock = &vclock.clock;
	ck_assert_int_eq(sl__loop_create(&loop, &lcfg), 0);
	/* SL_TEST_LOG=debug shows the layers' log lines. */
	sl_log_set_level(getenv("SL_TEST_LOG")
			 ? (enum sl_log_level)sl_log_level_parse(
				   getenv("SL_TEST_LOG"))
			 : SL_LOG_NONE);
	for (int i = 0; i < N_UDP; i++)
		srv_up(&udp_srv[i], SL_TP_UDP);
	srv_up(&tcp_srv, SL_TP_TCP);
	dead_port = closed_port(SOCK_STREAM);
	dead_udp = closed_port(SOCK_DGRAM);
	make_zone();
	ck_assert_int_eq(dns_responder_start(&resp, loop, zone, n_zone), 0);
	sl__dns_config_init(&dcfg);
	ck_assert_int_eq(sl__dns_config_add_server(&dcfg, "127.0.0.1",
						   resp.port), 0);
	dcfg.timeout_ms = 1000;
	dcfg.attempts = 2;
	ck_assert_int_eq(sl__dns_create(&dns, loop, &dcfg), 0);
	rng_state = 2463534242u;
	make_locator(SL_IP_PREFER_V4, 16);
	client_up(16, 8);
	memset(&tu, 0, sizeof(tu));
	memset(&cbctl, 0, sizeof(cbctl));
	memset(&bctl, 0, sizeof(bctl));
	n_ev = 0;
	n_builds = 0;
	n_flow_closed = 0;
	n_unreach = 0;
	restart_uri = NULL;
}

static void teardown(void)
{
	/* Every test gives back what it took. */
	if (router)
		ck_assert_uint_eq(sl__router_active(router), 0);
	ck_assert_uint_eq(sl__locate_active(lc), 0);
	ck_assert_uint_eq(sl__dns_in_flight(dns), 0);
	if (layer)
		client_down();
	sl__locator_destroy(lc);
	lc = NULL;
	sl__dns_destroy(dns);
	dns = NULL;
	dns_responder_stop(&resp);
	for (int i = 0; i < N_UDP; i++)
		sl__tpmgr_destroy(udp_srv[i].m);
	sl__tpmgr_destroy(tcp_srv.m);
	sl__loop_destroy(loop);
	loop = NULL;
}

/* ---- running ---- */

#define RUN_UNTIL(cond)                                                \
	do {                                                           \
		for (int r_ = 0; r_ < STEPS && !(cond); r_++)          \
			sl__loop_step(loop, 5);                        \
	} while (0)

/* Steps until the loop has been idle a few times in a row, the last time
 * after a short real wait: the I/O in flight on loopback is done. */
static void settle(void)
{
	int idle = 0;

	for (int i = 0; i < STEPS && idle < 3; i++)
		idle = sl__loop_step(loop, idle == 2 ? 1 : 0) > 0 ? 0 :
			idle + 1;
}

/* Moves virtual time forward by @ms in 500 ms steps, letting the I/O
 * that each timer starts finish before the next step. */
static void advance(uint64_t ms)
{
	while (ms > 0) {
		uint64_t d = ms < 500 ? ms : 500;

		sl__vclock_advance(&vclock, d * 1000);
		ms -= d;
		settle();
	}
}

/* The index of send @id's final event, or -1. */
static int final_of(uint32_t id)
{
	for (int i = 0; i < n_ev; i++)
		if (ev[i].id == id && ev[i].final)
			return i;
	return -1;
}

/* Runs I/O, then virtual time in 500 ms steps (up to @max_ms), until send
 * @id reports its end. Return: the final event's index (fails the test
 * when there is none). */
static int wait_final(uint32_t id, uint64_t max_ms)
{
	/* DNS answers and SIP messages on loopback need I/O only. */
	RUN_UNTIL(final_of(id) >= 0 || sl__dns_in_flight(dns) == 0);
	settle();
	for (uint64_t t = 0; t < max_ms && final_of(id) < 0; t += 500)
		advance(500);
	ck_assert_msg(final_of(id) >= 0, "send %u never ended", (unsigned)id);
	return final_of(id);
}

static int send_uri(const char *text, uint32_t *id)
{
	struct sl_uri u;
	struct sl_route_req req = {
		.build = build, .cb = on_route, .user = &user_token
	};

	ck_assert_int_eq(sl_uri_parse(text, strlen(text), &u), 0);
	req.uri = &u;
	return sl__route_send(router, &req, id);
}

static uint32_t send_ok(const char *text)
{
	uint32_t id = 0;

	ck_assert_int_eq(send_uri(text, &id), 0);
	ck_assert_uint_gt(id, 0);
	ck_assert_int_eq(n_ev, 0);    /* never inside the call */
	return id;
}

static void expect_response(int i, int status, const struct server *by,
			    unsigned attempt)
{
	ck_assert_int_eq(ev[i].type, SL_ROUTE_EV_RESPONSE);
	ck_assert_int_eq(ev[i].status, status);
	ck_assert_int_eq(ev[i].err, 0);
	ck_assert_uint_ne(ev[i].txn, 0);
	ck_assert(ev[i].has_target);
	ck_assert_uint_eq(sl__addr_port(&ev[i].target.addr), port_of(by));
	ck_assert_uint_eq(ev[i].attempt, attempt);
}

/* ======================================================================
 * fail-over
 * ====================================================================== */

/* SRV a (silent) then b: Timer F, exactly 64*T1 after the first send,
 * moves the OPTIONS to b, with a new branch. */
START_TEST(srv_timer_f_moves_to_second)
{
	uint32_t id;
	int f;

	udp_srv[1].answer[0] = 200;
	id = send_ok("sip:two.test");
	RUN_UNTIL(udp_srv[0].n_req == 1);
	ck_assert_int_eq(udp_srv[0].n_req, 1);
	ck_assert_int_eq(n_builds, 1);
	ck_assert_uint_eq(builds[0].port, port_of(&udp_srv[0]));
	ck_assert_int_eq(builds[0].tp, SL_TP_UDP);
	ck_assert_str_eq(builds[0].name, "a.two.test");
	ck_assert_str_eq(builds[0].tls_name, "two.test");
	/* The local address of the UDP socket went into the Via. */
	ck_assert(builds[0].has_local);
	ck_assert_str_eq(udp_srv[0].via_tp[0], "UDP");
	ck_assert_uint_eq(udp_srv[0].via_port[0], builds[0].local_port);
	ck_assert_str_eq(udp_srv[0].branch[0], builds[0].branch);

	advance(TIMER_BF - 1);
	ck_assert_int_eq(udp_srv[1].n_req, 0);
	ck_assert_int_eq(n_ev, 0);
	/* Timer E retransmitted to a meanwhile (one branch). */
	ck_assert_int_gt(udp_srv[0].n_req, 5);
	ck_assert_int_eq(srv_attempts(&udp_srv[0]), 1);
	advance(1);
	f = wait_final(id, 0);
	ck_assert_int_eq(udp_srv[1].n_req, 1);
	ck_assert_int_eq(n_builds, 2);
	ck_assert_uint_eq(builds[1].attempt, 2);
	ck_assert_str_ne(builds[1].branch, builds[0].branch);
	ck_assert_str_eq(udp_srv[1].branch[0], builds[1].branch);
	ck_assert_int_eq(f, 0);
	ck_assert(ev[0].final);
	expect_response(0, 200, &udp_srv[1], 2);
	ck_assert_str_eq(ev[0].target.name, "b.two.test");
	ck_assert_int_eq(ev[0].target_rc, SL_ENOTFOUND);  /* id dead */
	/* The timed-out transaction's end was the router's. */
	ck_assert_int_eq(tu.n_timeout, 0);
	ck_assert_int_eq(tu.n_term, 0);
	ck_assert_int_eq(tu.n_resp, 0);
}
END_TEST

/* INVITE: Timer B on a, then b rings and answers. The 200's transaction
 * belongs to the caller afterwards: its end reaches the caller's TU. */
START_TEST(invite_timer_b_then_ringing_and_ok)
{
	uint32_t id;
	struct sl_txn_info info;

	bctl.method = "INVITE";
	udp_srv[1].answer[0] = 180;
	udp_srv[1].answer[1] = 200;
	id = send_ok("sip:two.test");
	RUN_UNTIL(udp_srv[0].n_req == 1);
	advance(TIMER_BF);
	wait_final(id, 0);
	ck_assert_int_eq(n_ev, 2);
	expect_response(0, 180, &udp_srv[1], 2);
	ck_assert(!ev[0].final);
	ck_assert_int_eq(ev[0].target_rc, 0);    /* alive during a 1xx */
	expect_response(1, 200, &udp_srv[1], 2);
	ck_assert(ev[1].final);
	ck_assert_uint_eq(ev[1].txn, ev[0].txn);
	ck_assert_int_eq(sl__txn_info(layer, ev[1].txn, &info), 0);
	ck_assert_int_eq(info.state, SL_TXN_STATE_ACCEPTED);
	ck_assert_ptr_eq(info.user, &user_token);
	ck_assert_int_eq(tu.n_timeout, 0);
	/* Timer M ends the Accepted transaction: the caller hears it. */
	advance(TIMER_BF);
	ck_assert_int_eq(tu.n_term, 1);
	ck_assert_uint_eq(tu.term_txn[0], ev[1].txn);
	ck_assert_ptr_eq(tu.term_user, &user_token);
	ck_assert_int_eq(n_ev, 2);
}
END_TEST

/* a answers 503: the layer ACKs it, the INVITE goes to b. */
START_TEST(first_503_second_used)
{
	uint32_t id;

	bctl.method = "INVITE";
	udp_srv[0].answer[0] = 503;
	udp_srv[1].answer[0] = 200;
	id = send_ok("sip:two.test");
	wait_final(id, 0);
	ck_assert_int_eq(n_ev, 1);
	expect_response(0, 200, &udp_srv[1], 2);
	ck_assert_int_eq(udp_srv[0].n_req, 1);
	RUN_UNTIL(udp_srv[0].n_ack == 1);
	ck_assert_int_eq(udp_srv[0].n_ack, 1);
	ck_assert_int_eq(udp_srv[1].n_req, 1);
	ck_assert_int_eq(udp_srv[0].n_req + udp_srv[1].n_req, 2);
	/* Timer D ends the 503'd transaction: still the router's. */
	advance(TIMER_BF + 1000);
	ck_assert_int_eq(tu.n_term, 1);      /* only the 200's (Timer M) */
	ck_assert_uint_eq(tu.term_txn[0], ev[0].txn);
}
END_TEST

/* Three targets, three reasons: a 503, b silent (Timer F), c answers. */
START_TEST(three_targets_mixed_failures)
{
	uint32_t id;
	int f;

	udp_srv[0].answer[0] = 503;
	udp_srv[2].answer[0] = 202;
	id = send_ok("sip:three.test");
	RUN_UNTIL(udp_srv[1].n_req == 1);
	ck_assert_int_eq(udp_srv[0].n_req, 1);
	ck_assert_int_eq(udp_srv[1].n_req, 1);
	ck_assert_int_eq(n_ev, 0);
	f = wait_final(id, TIMER_BF + 1000);
	expect_response(f, 202, &udp_srv[2], 3);
	ck_assert_int_eq(n_builds, 3);
	ck_assert_str_eq(builds[2].name, "c.two.test");
}
END_TEST

enum { NEVER = 1 };

/* What the send reports for each pair of server behaviours. */
struct outcome_vec {
	const char *name;
	const char *method;
	int a[3], b[3];          /* servers' answers (0: silent) */
	int want_status[3];      /* RESPONSE events in order (0 ends) */
	unsigned want_attempt;   /* of the final event */
	int want_err;            /* FAILED with this (0: a response;
				  * NEVER: no end within 64 s) */
	char want_timer;
	int b_attempts;          /* requests b saw */
};

static const struct outcome_vec outcome_vecs[] = {
	{ "503 then 503: the last 503 is the answer", "OPTIONS",
	  { 503 }, { 503 }, { 503 }, 2, 0, 0, 1 },
	{ "503 then silence: Timer F", "OPTIONS",
	  { 503 }, { 0 }, { 0 }, 2, SL_ETIMEOUT, 'F', 1 },
	{ "silence twice: Timer B", "INVITE",
	  { 0 }, { 0 }, { 0 }, 2, SL_ETIMEOUT, 'B', 1 },
	{ "486 is an answer, not a failure", "INVITE",
	  { 486 }, { 200 }, { 486 }, 1, 0, 0, 0 },
	{ "404 is an answer too", "OPTIONS",
	  { 404 }, { 200 }, { 404 }, 1, 0, 0, 0 },
	{ "100 then 503: fail-over", "INVITE",
	  { 100, 503 }, { 200 }, { 100, 200 }, 2, 0, 0, 1 },
	{ "180 then 503: a ringing target is kept", "INVITE",
	  { 180, 503 }, { 200 }, { 180, 503 }, 1, 0, 0, 0 },
	{ "183 then silence: the INVITE waits (no Timer B)", "INVITE",
	  { 183 }, { 200 }, { 183 }, 1, NEVER, 0, 0 },
};

START_TEST(outcome_vector)
{
	const struct outcome_vec *v = &outcome_vecs[_i];
	uint32_t id;
	int n_resp = 0, f;

	bctl.method = v->method;
	memcpy(udp_srv[0].answer, v->a, sizeof(v->a));
	memcpy(udp_srv[1].answer, v->b, sizeof(v->b));
	id = send_ok("sip:two.test");
	if (v->want_err == NEVER) {
		/* Nothing ends: cancel after two Timer B periods. */
		RUN_UNTIL(n_ev == 1);
		advance(2 * TIMER_BF);
		ck_assert_msg(final_of(id) < 0, "%s", v->name);
		ck_assert_int_eq(sl__route_cancel(router, id, NULL), 0);
		f = -1;
	} else {
		f = wait_final(id, 2 * TIMER_BF + 1000);
	}
	for (int i = 0; i < n_ev; i++) {
		if (ev[i].type != SL_ROUTE_EV_RESPONSE)
			continue;
		ck_assert_msg(n_resp < 3 && ev[i].status ==
			      v->want_status[n_resp], "%s: event %d is %d",
			      v->name, i, ev[i].status);
		n_resp++;
	}
	ck_assert_msg(n_resp == 3 || v->want_status[n_resp] == 0,
		      "%s: %d responses", v->name, n_resp);
	ck_assert_msg(srv_attempts(&udp_srv[1]) == v->b_attempts,
		      "%s: b saw %d", v->name, srv_attempts(&udp_srv[1]));
	if (f < 0)
		return;
	ck_assert_msg(f == n_ev - 1, "%s: events after the final", v->name);
	ck_assert_uint_eq(ev[f].attempt, v->want_attempt);
	if (v->want_err) {
		ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
		ck_assert_int_eq(ev[f].err, v->want_err);
		ck_assert_int_eq(ev[f].timer, v->want_timer);
		ck_assert_uint_eq(ev[f].txn, 0);
		ck_assert(ev[f].has_target);
		ck_assert_uint_eq(sl__addr_port(&ev[f].target.addr),
				  port_of(&udp_srv[1]));
	} else {
		ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_RESPONSE);
	}
}
END_TEST

/* TCP: the first SRV target refuses the connection (at once or through
 * flow_closed), the second takes it; no virtual time passes. */
START_TEST(tcp_refused_moves_to_second)
{
	uint32_t id;
	uint64_t t0 = vclock.now_us;
	int f;

	tcp_srv.answer[0] = 200;
	id = send_ok("sip:tcp.test;transport=tcp");
	f = wait_final(id, 0);
	ck_assert_uint_eq(vclock.now_us, t0);
	expect_response(f, 200, &tcp_srv, 2);
	ck_assert_int_eq(ev[f].target.tp, SL_TP_TCP);
	ck_assert_uint_ne(ev[f].target.flow, 0);
	ck_assert_int_eq(n_builds, 2);
	ck_assert_uint_eq(builds[0].port, dead_port);
	ck_assert_int_eq(builds[0].tp, SL_TP_TCP);
	ck_assert(builds[0].has_local);   /* the client's TCP bind */
	ck_assert_int_eq(tcp_srv.n_req, 1);
	ck_assert_str_eq(tcp_srv.via_tp[0], "TCP");
	ck_assert_int_eq(tu.n_tperr, 0);
}
END_TEST

/* UDP: the first SRV target's port is closed: the ICMP port unreachable
 * is a transport error (RFC 3261 §8.1.3.1: like a 503), so b gets the
 * request at once, long before Timer F; no virtual time passes. */
START_TEST(udp_unreachable_moves_to_second)
{
	uint32_t id;
	uint64_t t0 = vclock.now_us;
	int f;

	udp_srv[1].answer[0] = 200;
	id = send_ok("sip:icmp.test");
	f = wait_final(id, 0);
	ck_assert_uint_eq(vclock.now_us, t0);
	ck_assert_int_ge(n_unreach, 1);
	expect_response(f, 200, &udp_srv[1], 2);
	ck_assert_int_eq(n_builds, 2);
	ck_assert_uint_eq(builds[0].port, dead_udp);
	ck_assert_int_eq(udp_srv[1].n_req, 1);
	ck_assert_int_eq(tu.n_tperr, 0);
	ck_assert_int_eq(tu.n_timeout, 0);
}
END_TEST

/* A client with no TCP listener still sends over TCP: the router opens
 * the connection first and its local end is the Via sent-by (RFC 3261
 * §18.1.1); the response comes back on it. The dead first target fails
 * over as with a listener. */
START_TEST(tcp_without_listener)
{
	struct sl_addr local;
	uint32_t id;
	int f;

	client_down();
	client_no_tcp = 1;
	client_up(16, 8);
	client_no_tcp = 0;
	ck_assert_int_eq(sl__tpmgr_local_for(cm, SL_TP_TCP, AF_INET, &local),
			 SL_ENOTFOUND);
	tcp_srv.answer[0] = 200;
	id = send_ok("sip:tcp.test;transport=tcp");
	f = wait_final(id, 0);
	expect_response(f, 200, &tcp_srv, 2);
	ck_assert_uint_ne(ev[f].target.flow, 0);
	ck_assert_int_eq(n_builds, 2);
	ck_assert(builds[1].has_local);
	ck_assert_uint_ne(builds[1].local_port, 0);
	ck_assert_int_eq(tcp_srv.n_req, 1);
	ck_assert_str_eq(tcp_srv.via_tp[0], "TCP");
	ck_assert_uint_eq(tcp_srv.via_port[0], builds[1].local_port);
	ck_assert_int_eq(sl__tpmgr_conn_local(cm, SL_TP_TCP,
					      &ev[f].target.addr, 0, &local),
			 0);
	ck_assert_uint_eq(sl__addr_port(&local), builds[1].local_port);
	ck_assert_int_eq(tu.n_tperr, 0);
}
END_TEST

/* A target that rang is kept: its connection closing ends the send with
 * the transport error instead of moving on. */
START_TEST(ringing_target_kept_on_transport_error)
{
	uint32_t id;
	int f;

	bctl.method = "INVITE";
	tcp_srv.answer[0] = 180;
	id = send_ok("sip:tcp.test;transport=tcp");
	RUN_UNTIL(n_ev == 1);
	ck_assert_int_eq(n_ev, 1);
	expect_response(0, 180, &tcp_srv, 2);
	ck_assert(!ev[0].final);
	/* The server goes away with its connection. */
	sl__tpmgr_destroy(tcp_srv.m);
	tcp_srv.m = NULL;
	f = wait_final(id, 0);
	ck_assert_int_eq(f, 1);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ETRANSPORT);
	ck_assert_uint_eq(ev[f].attempt, 2);
	ck_assert_int_ge(n_flow_closed, 1);
	ck_assert_int_eq(n_builds, 2);
}
END_TEST

/* Every target fails: the last error is the send's. */
START_TEST(all_targets_fail_transport)
{
	uint32_t id;
	int f;

	id = send_ok("sip:deadonly.test;transport=tcp");
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ETRANSPORT);
	ck_assert_int_eq(ev[f].timer, 0);
	ck_assert_uint_eq(ev[f].attempt, 1);
	ck_assert(ev[f].has_target);
	ck_assert_uint_eq(sl__addr_port(&ev[f].target.addr), dead_port);
	ck_assert_int_eq(n_ev, 1);
}
END_TEST

/* ======================================================================
 * which DNS steps run
 * ====================================================================== */

START_TEST(numeric_host_skips_dns)
{
	char uri[64];
	uint32_t id;
	int f;

	udp_srv[2].answer[0] = 200;
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", port_of(&udp_srv[2]));
	id = send_ok(uri);
	f = wait_final(id, 0);
	expect_response(f, 200, &udp_srv[2], 1);
	ck_assert_str_eq(ev[f].target.name, "127.0.0.1");
	ck_assert_uint_eq(resp.n_queries, 0);

	/* A numeric host that never answers: one target, Timer F. */
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", port_of(&udp_srv[0]));
	n_ev = 0;
	id = send_ok(uri);
	f = wait_final(id, TIMER_BF + 1000);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ETIMEOUT);
	ck_assert_int_eq(ev[f].timer, 'F');
	ck_assert_uint_eq(ev[f].attempt, 1);
	ck_assert_uint_eq(resp.n_queries, 0);
}
END_TEST

START_TEST(explicit_port_asks_addresses_only)
{
	char uri[64];
	uint32_t id;
	int f;

	udp_srv[1].answer[0] = 200;
	snprintf(uri, sizeof(uri), "sip:bob@host.test:%u",
		 port_of(&udp_srv[1]));
	id = send_ok(uri);
	f = wait_final(id, 0);
	expect_response(f, 200, &udp_srv[1], 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR, NULL),
			  0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A, "host.test"),
			  1);
}
END_TEST

START_TEST(naptr_then_srv_then_a)
{
	uint32_t id;
	int f;

	udp_srv[0].answer[0] = 200;
	id = send_ok("sip:naptr.test");
	f = wait_final(id, 0);
	expect_response(f, 200, &udp_srv[0], 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR,
					      "naptr.test"), 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV,
					      "_sip._udp.two.test"), 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A,
					      "a.two.test"), 1);
	ck_assert_str_eq(builds[0].tls_name, "naptr.test");
}
END_TEST

START_TEST(locate_failure_reported)
{
	uint32_t id;
	int f;

	id = send_ok("sip:gone.test");
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ENOTFOUND);
	ck_assert_uint_eq(ev[f].attempt, 0);
	ck_assert(!ev[f].has_target);
	ck_assert_int_eq(n_builds, 0);
}
END_TEST

/* IPv6 preferred: ::1 first. The client has no IPv6 socket, so that
 * target fails at once (no local address for the Via either) and the
 * IPv4 one takes over. Switched to IPv4, the first target is IPv4; with
 * IPv6 only, nothing is left to try. */
START_TEST(ip_preference_switch)
{
	char uri[64];
	uint32_t id;
	int f;

	udp_srv[0].answer[0] = 200;
	snprintf(uri, sizeof(uri), "sip:dual.test:%u", port_of(&udp_srv[0]));
	ck_assert_int_eq(sl__locator_set_ip_pref(lc, SL_IP_PREFER_V6), 0);
	id = send_ok(uri);
	f = wait_final(id, 0);
	expect_response(f, 200, &udp_srv[0], 2);
	ck_assert_int_eq(n_builds, 2);
	ck_assert_int_eq(builds[0].family, AF_INET6);
	ck_assert(!builds[0].has_local);
	ck_assert_int_eq(builds[1].family, AF_INET);
	ck_assert(builds[1].has_local);

	ck_assert_int_eq(sl__locator_set_ip_pref(lc, SL_IP_PREFER_V4), 0);
	n_ev = n_builds = 0;
	id = send_ok(uri);
	f = wait_final(id, 0);
	expect_response(f, 200, &udp_srv[0], 1);
	ck_assert_int_eq(builds[0].family, AF_INET);

	ck_assert_int_eq(sl__locator_set_ip_pref(lc, SL_IP_V6_ONLY), 0);
	n_ev = n_builds = 0;
	id = send_ok(uri);
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ETRANSPORT);
	ck_assert_uint_eq(ev[f].attempt, 1);
	ck_assert_int_eq(builds[0].family, AF_INET6);
}
END_TEST

/* ======================================================================
 * cancelling, pinning, handing over
 * ====================================================================== */

START_TEST(cancel_while_locating)
{
	uint32_t id = send_ok("sip:two.test");

	ck_assert_uint_eq(sl__router_active(router), 1);
	ck_assert_uint_eq(sl__locate_active(lc), 1);
	ck_assert_int_eq(sl__route_cancel(router, id, NULL), 0);
	ck_assert_uint_eq(sl__router_active(router), 0);
	ck_assert_uint_eq(sl__locate_active(lc), 0);
	ck_assert_uint_eq(sl__dns_in_flight(dns), 0);
	settle();
	advance(5000);
	ck_assert_int_eq(n_ev, 0);
	ck_assert_int_eq(n_builds, 0);
	ck_assert_int_eq(sl__route_cancel(router, id, NULL), SL_ENOTFOUND);
	ck_assert_int_eq(sl__route_cancel(router, 0, NULL), SL_ENOTFOUND);
	ck_assert_int_eq(sl__route_cancel(NULL, id, NULL), SL_EINVAL);
}
END_TEST

/* Cancelled while a is silent: the transaction is aborted, b never sees
 * the request, nothing is reported. */
START_TEST(cancel_mid_transaction_aborts)
{
	struct sl_txn_stats st;
	struct sl_route_target t;
	uint32_t id = send_ok("sip:two.test");

	ck_assert_int_eq(sl__route_target(router, id, &t), SL_ESTATE);
	RUN_UNTIL(udp_srv[0].n_req == 1);
	ck_assert_int_eq(sl__route_target(router, id, &t), 0);
	ck_assert_uint_eq(sl__addr_port(&t.addr), port_of(&udp_srv[0]));
	ck_assert_int_eq(sl__txn_stats(layer, &st), 0);
	ck_assert_uint_eq(st.client_used, 1);
	ck_assert_int_eq(sl__route_cancel(router, id, NULL), 0);
	ck_assert_int_eq(sl__txn_stats(layer, &st), 0);
	ck_assert_uint_eq(st.client_used, 0);
	ck_assert_int_eq(sl__route_target(router, id, &t), SL_ENOTFOUND);
	advance(2 * TIMER_BF);
	ck_assert_int_eq(n_ev, 0);
	ck_assert_int_eq(udp_srv[1].n_req, 0);
	ck_assert_int_eq(tu.n_term + tu.n_timeout + tu.n_resp, 0);
}
END_TEST

/* Cancelled from the callback of a 180, keeping the INVITE: the caller
 * gets the transaction and CANCELs it (RFC 3261 §9.1). */
START_TEST(cancel_hands_invite_over)
{
	struct sl_txn_info info;
	char buf[2048];
	uint32_t id, cancel;
	int n;

	bctl.method = "INVITE";
	udp_srv[0].answer[0] = 180;
	cbctl.cancel_on_status = 180;
	id = send_ok("sip:two.test");
	RUN_UNTIL(n_ev == 1);
	ck_assert_int_eq(n_ev, 1);
	ck_assert_int_eq(cbctl.cancel_rc, 0);
	ck_assert_uint_eq(cbctl.cancel_txn, ev[0].txn);
	ck_assert_int_eq(sl__route_cancel(router, id, NULL), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_info(layer, cbctl.cancel_txn, &info), 0);
	ck_assert_ptr_eq(info.user, &user_token);
	ck_assert_int_eq(info.state, SL_TXN_STATE_PROCEEDING);
	n = sl__txn_build_cancel(layer, cbctl.cancel_txn, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sl__txn_request(layer, buf, (size_t)n, &info.dst,
					 &user_token, &cancel), 0);
	RUN_UNTIL(udp_srv[0].n_cancel == 1 && tu.n_resp == 1);
	ck_assert_int_eq(udp_srv[0].n_cancel, 1);
	ck_assert_int_eq(tu.n_resp, 1);          /* the CANCEL's 200 */
	ck_assert_int_eq(tu.resp_status, 200);
	ck_assert_int_eq(n_ev, 1);
	ck_assert_int_eq(sl__txn_abort(layer, cbctl.cancel_txn), 0);
}
END_TEST

/* A final event's slot is free again inside the callback: a pool of one
 * can start the next send from there. */
START_TEST(final_callback_may_send_again)
{
	struct sl_uri u;
	char uri[64];
	uint32_t id;
	int f;

	client_down();
	client_up(16, 1);
	udp_srv[2].answer[0] = 200;
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", port_of(&udp_srv[2]));
	ck_assert_int_eq(sl_uri_parse(uri, strlen(uri), &u), 0);
	restart_uri = &u;
	cbctl.restart = 1;
	id = send_ok(uri);
	f = wait_final(id, 0);
	ck_assert_int_eq(f, 0);
	ck_assert_int_eq(cbctl.restart_rc, 0);
	ck_assert_uint_ne(cbctl.restart_id, id);
	f = wait_final(cbctl.restart_id, 0);
	expect_response(f, 200, &udp_srv[2], 1);
	ck_assert_int_eq(udp_srv[2].n_req, 2);
}
END_TEST

/* The target of an answered send, pinned for the next request: no DNS,
 * the same TCP connection. */
START_TEST(pinned_target_reuses_flow)
{
	struct sl_route_target pin;
	struct sl_route_req req = {
		.build = build, .cb = on_route, .user = &user_token
	};
	struct sl_tp_dest dst;
	struct sl_tp_stats st;
	unsigned queries;
	uint32_t id;
	int f;

	tcp_srv.answer[0] = 200;
	id = send_ok("sip:tcp.test;transport=tcp");
	f = wait_final(id, 0);
	expect_response(f, 200, &tcp_srv, 2);
	pin = ev[f].target;
	queries = resp.n_queries;
	ck_assert_int_eq(sl__route_target_dest(&pin, &dst), 0);
	ck_assert_int_eq(dst.tp, SL_TP_TCP);
	ck_assert_uint_eq(dst.flow, pin.flow);
	ck_assert_ptr_null(dst.tls_name);

	n_ev = n_builds = 0;
	req.pin = &pin;
	ck_assert_int_eq(sl__route_send(router, &req, &id), 0);
	ck_assert_int_eq(n_ev, 0);
	ck_assert_int_eq(sl__route_target(router, id, &pin), 0);
	f = wait_final(id, 0);
	expect_response(f, 200, &tcp_srv, 1);
	ck_assert_uint_eq(ev[f].target.flow, pin.flow);
	ck_assert_uint_eq(resp.n_queries, queries);
	ck_assert_int_eq(tcp_srv.n_req, 2);
	ck_assert_int_eq(sl__tpmgr_stats(tcp_srv.m, &st), 0);
	ck_assert_uint_eq(st.conns_accepted, 1);

	/* A pinned target that fails is not replaced. */
	n_ev = n_builds = 0;
	pin.flow = 0;
	sl__addr_set_port(&pin.addr, dead_port);
	ck_assert_int_eq(sl__route_send(router, &req, &id), 0);
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ETRANSPORT);
	ck_assert_int_eq(n_builds, 1);

	/* TLS: the destination carries the name. */
	pin.tp = SL_TP_TLS;
	snprintf(pin.tls_name, sizeof(pin.tls_name), "tcp.test");
	ck_assert_int_eq(sl__route_target_dest(&pin, &dst), 0);
	ck_assert_str_eq(dst.tls_name, "tcp.test");
	ck_assert_int_eq(sl__route_target_dest(NULL, &dst), SL_EINVAL);
}
END_TEST

/* Events of transactions the router did not start go to the caller. */
START_TEST(foreign_transactions_pass_through)
{
	char buf[2048];
	struct sl_route_build b;
	struct sl_route_target t;
	struct sl_tp_dest dst;
	struct sl_addr local;
	char branch[64];
	uint32_t txn;
	int n;

	ck_assert_int_eq(sl__route_on_response(router, 1, &user_token, NULL),
			 0);
	ck_assert_int_eq(sl__route_on_timeout(NULL, 1, &user_token, 'F'), 0);
	ck_assert_int_eq(sl__route_on_terminated(router, 1, NULL), 0);
	ck_assert_int_eq(sl__route_on_transport_error(router, 1,
						      (char *)router + 1,
						      SL_ETRANSPORT), 0);

	udp_srv[0].answer[0] = 200;
	memset(&t, 0, sizeof(t));
	t.tp = SL_TP_UDP;
	t.addr = udp_srv[0].at;
	ck_assert_int_eq(sl__tpmgr_local_for(cm, SL_TP_UDP, AF_INET, &local),
			 0);
	ck_assert_int_eq(sl__txn_branch(layer, branch, sizeof(branch)), 29);
	b.target = &t;
	b.local = &local;
	b.branch = branch;
	b.attempt = 1;
	n = build(NULL, 0, &b, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sl__route_target_dest(&t, &dst), 0);
	ck_assert_int_eq(sl__txn_request(layer, buf, (size_t)n, &dst,
					 &user_token, &txn), 0);
	RUN_UNTIL(tu.n_resp == 1);
	ck_assert_int_eq(tu.n_resp, 1);
	ck_assert_ptr_eq(tu.resp_user, &user_token);
	advance(6000);                     /* Timer K */
	ck_assert_int_eq(tu.n_term, 1);
	ck_assert_int_eq(n_ev, 0);
}
END_TEST

/* ======================================================================
 * limits and errors
 * ====================================================================== */

START_TEST(pool_exhaustion)
{
	char uri[64];
	uint32_t id[3];

	client_down();
	client_up(16, 2);
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", port_of(&udp_srv[0]));
	ck_assert_int_eq(send_uri(uri, &id[0]), 0);
	ck_assert_int_eq(send_uri("sip:two.test", &id[1]), 0);
	ck_assert_int_eq(send_uri(uri, &id[2]), SL_ENOMEM);
	ck_assert_uint_eq(id[2], 0);
	ck_assert_uint_eq(sl__router_active(router), 2);
	ck_assert_uint_eq(sl__locate_active(lc), 2);
	ck_assert_int_eq(sl__route_cancel(router, id[0], NULL), 0);
	ck_assert_int_eq(send_uri(uri, &id[2]), 0);
	ck_assert_uint_ne(id[2], id[0]);     /* ids do not repeat */
	ck_assert_int_eq(sl__route_cancel(router, id[0], NULL), SL_ENOTFOUND);
	ck_assert_int_eq(sl__route_cancel(router, id[1], NULL), 0);
	ck_assert_int_eq(sl__route_cancel(router, id[2], NULL), 0);
	settle();
	ck_assert_int_eq(n_ev, 0);
}
END_TEST

/* The locator's pool is smaller than the router's. */
START_TEST(locator_exhaustion)
{
	uint32_t id[2];

	client_down();
	sl__locator_destroy(lc);
	make_locator(SL_IP_PREFER_V4, 1);
	client_up(16, 4);
	ck_assert_int_eq(send_uri("sip:two.test", &id[0]), 0);
	ck_assert_int_eq(send_uri("sip:two.test", &id[1]), SL_ENOMEM);
	ck_assert_uint_eq(sl__router_active(router), 1);
	ck_assert_int_eq(sl__route_cancel(router, id[0], NULL), 0);
}
END_TEST

/* The transaction pool is full: the send fails with SL_ENOMEM. */
START_TEST(transaction_pool_full)
{
	char uri[64];
	uint32_t id[2];
	int f;

	client_down();
	client_up(1, 4);
	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", port_of(&udp_srv[0]));
	ck_assert_int_eq(send_uri(uri, &id[0]), 0);
	RUN_UNTIL(udp_srv[0].n_req == 1);
	ck_assert_int_eq(send_uri(uri, &id[1]), 0);
	f = wait_final(id[1], 0);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ENOMEM);
	ck_assert_uint_eq(ev[f].attempt, 1);
	ck_assert_int_eq(sl__route_cancel(router, id[0], NULL), 0);
}
END_TEST

START_TEST(build_errors_end_the_send)
{
	char uri[64];
	uint32_t id;
	int f;

	snprintf(uri, sizeof(uri), "sip:127.0.0.1:%u", port_of(&udp_srv[0]));
	bctl.fail = SL_ENOSPC;
	id = send_ok(uri);
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].type, SL_ROUTE_EV_FAILED);
	ck_assert_int_eq(ev[f].err, SL_ENOSPC);
	ck_assert_uint_eq(ev[f].attempt, 1);

	/* A build error is not a target's failure: no fail-over. */
	n_ev = n_builds = 0;
	bctl.fail = SL_ETRANSPORT;
	id = send_ok("sip:two.test");
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].err, SL_ETRANSPORT);
	ck_assert_int_eq(n_builds, 1);

	/* Bytes the layer refuses. */
	n_ev = n_builds = 0;
	bctl.fail = 0;
	bctl.garbage = 1;
	id = send_ok(uri);
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].err, SL_EINVAL);
	ck_assert_int_eq(udp_srv[0].n_req, 0);
}
END_TEST

/* The contract says a build callback does not cancel its own send; one
 * that does anyway ends it quietly, with nothing sent. */
START_TEST(build_cancelling_itself)
{
	struct sl_txn_stats st;

	bctl.cancel_self = 1;
	(void)send_ok("sip:two.test");
	RUN_UNTIL(n_builds == 1);
	settle();
	ck_assert_int_eq(n_builds, 1);
	ck_assert_int_eq(bctl.cancel_rc, 0);
	ck_assert_int_eq(n_ev, 0);
	ck_assert_int_eq(sl__txn_stats(layer, &st), 0);
	ck_assert_uint_eq(st.client_high, 0);
	ck_assert_int_eq(udp_srv[0].n_req, 0);
}
END_TEST

static int build_empty(void *arg, uint32_t id, const struct sl_route_build *b,
		       char *buf, size_t cap)
{
	(void)arg;
	(void)id;
	(void)b;
	(void)buf;
	return (int)cap + 1;
}

START_TEST(bad_arguments)
{
	struct sl_route_req req = {
		.build = build, .cb = on_route, .user = &user_token
	};
	struct sl_router_config cfg;
	struct sl_route_target t, pin;
	struct sl_router *r2;
	struct sl_uri u;
	uint32_t id = 7;
	int f;

	/* creation */
	sl__router_config_init(NULL);
	sl__router_config_init(&cfg);
	ck_assert_uint_eq(cfg.max_sends, SL_ROUTE_SENDS_DEFAULT);
	ck_assert_uint_eq(cfg.msg_buf_size, SL_TXN_MSG_BUF_DEFAULT);
	ck_assert_int_eq(sl__router_create(NULL, loop, layer, lc, cm, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__router_create(&r2, NULL, layer, lc, cm, NULL),
			 SL_EINVAL);
	ck_assert_ptr_null(r2);
	ck_assert_int_eq(sl__router_create(&r2, loop, NULL, lc, cm, NULL),
			 SL_EINVAL);
	cfg.max_sends = SL_ROUTE_SENDS_MAX + 1;
	ck_assert_int_eq(sl__router_create(&r2, loop, layer, lc, cm, &cfg),
			 SL_EINVAL);
	sl__router_config_init(&cfg);
	cfg.msg_buf_size = SL_TXN_MSG_BUF_MIN - 1;
	ck_assert_int_eq(sl__router_create(&r2, loop, layer, lc, cm, &cfg),
			 SL_EINVAL);
	for (unsigned nth = 1; nth <= 3; nth++) {
		sl__mem_fail_after(nth);
		ck_assert_int_eq(sl__router_create(&r2, loop, layer, lc, cm,
						   NULL), SL_ENOMEM);
	}
	sl__mem_fail_after(0);
	sl__router_destroy(NULL);
	ck_assert_uint_eq(sl__router_active(NULL), 0);

	/* sending */
	ck_assert_int_eq(sl__route_send(NULL, &req, &id), SL_EINVAL);
	ck_assert_uint_eq(id, 0);
	ck_assert_int_eq(sl__route_send(router, NULL, &id), SL_EINVAL);
	ck_assert_int_eq(sl__route_send(router, &req, &id), SL_EINVAL);
	ck_assert_int_eq(sl_uri_parse("sip:two.test", 12, &u), 0);
	req.uri = &u;
	ck_assert_int_eq(sl__route_send(router, &req, NULL), SL_EINVAL);
	memset(&pin, 0, sizeof(pin));
	req.pin = &pin;
	ck_assert_int_eq(sl__route_send(router, &req, &id), SL_EINVAL);
	req.pin = NULL;
	req.build = NULL;
	ck_assert_int_eq(sl__route_send(router, &req, &id), SL_EINVAL);
	req.build = build;
	req.cb = NULL;
	ck_assert_int_eq(sl__route_send(router, &req, &id), SL_EINVAL);
	req.cb = on_route;
	ck_assert_int_eq(sl_uri_parse("tel:+123", 8, &u), 0);
	ck_assert_int_eq(sl__route_send(router, &req, &id), SL_EUNSUPP);
	ck_assert_int_eq(sl_uri_parse("sip:a.test;transport=sctp", 25, &u),
			 0);
	ck_assert_int_eq(sl__route_send(router, &req, &id), SL_EUNSUPP);
	ck_assert_int_eq(sl_uri_parse("sips:a.test;transport=udp", 25, &u),
			 0);
	ck_assert_int_eq(sl__route_send(router, &req, &id), SL_EUNSUPP);
	ck_assert_uint_eq(sl__router_active(router), 0);

	/* no locator: pinned sends only */
	ck_assert_int_eq(sl__router_create(&r2, loop, layer, NULL, NULL,
					   NULL), 0);
	ck_assert_int_eq(sl_uri_parse("sip:two.test", 12, &u), 0);
	ck_assert_int_eq(sl__route_send(r2, &req, &id), SL_EUNSUPP);
	ck_assert_uint_eq(sl__router_active(r2), 0);
	sl__router_destroy(r2);

	/* lookups */
	ck_assert_int_eq(sl__route_target(NULL, 1, &t), SL_EINVAL);
	ck_assert_int_eq(sl__route_target(router, 1, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__route_target(router, 12345, &t), SL_ENOTFOUND);

	/* a build callback that claims more than the buffer */
	req.build = build_empty;
	ck_assert_int_eq(sl__route_send(router, &req, &id), 0);
	f = wait_final(id, 0);
	ck_assert_int_eq(ev[f].err, SL_EINVAL);
}
END_TEST

/* Destroying with sends in every state: nothing is called back and every
 * locator request is released (the layer goes first). */
START_TEST(destroy_with_sends_in_flight)
{
	struct sl_route_target pin;
	struct sl_route_req req = {
		.build = build, .cb = on_route, .user = &user_token
	};
	uint32_t id;

	(void)send_ok("sip:two.test");             /* locating */
	(void)send_ok("sip:three.test");
	RUN_UNTIL(udp_srv[0].n_req == 2);           /* both sending */
	(void)send_ok("sip:one.test");              /* locating */
	memset(&pin, 0, sizeof(pin));
	pin.tp = SL_TP_UDP;
	pin.addr = udp_srv[1].at;
	req.pin = &pin;
	ck_assert_int_eq(sl__route_send(router, &req, &id), 0); /* deferred */
	ck_assert_uint_eq(sl__router_active(router), 4);
	sl__txn_destroy(layer);
	layer = NULL;
	sl__router_destroy(router);
	router = NULL;
	ck_assert_uint_eq(sl__locate_active(lc), 0);
	sl__tpmgr_destroy(cm);
	cm = NULL;
	settle();
	advance(1000);
	ck_assert_int_eq(n_ev, 0);
}
END_TEST

Suite *check_txn_route_suite(void);

Suite *check_txn_route_suite(void)
{
	Suite *s = suite_create("txn_route");
	TCase *fo = tcase_create("failover");
	TCase *dns_tc = tcase_create("dns");
	TCase *ctl = tcase_create("control");
	TCase *lim = tcase_create("limits");
	TCase *all[] = { fo, dns_tc, ctl, lim };

	for (unsigned i = 0; i < 4; i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 30);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(fo, srv_timer_f_moves_to_second);
	tcase_add_test(fo, invite_timer_b_then_ringing_and_ok);
	tcase_add_test(fo, first_503_second_used);
	tcase_add_test(fo, three_targets_mixed_failures);
	tcase_add_loop_test(fo, outcome_vector, 0,
			    sizeof(outcome_vecs) / sizeof(outcome_vecs[0]));
	tcase_add_test(fo, tcp_refused_moves_to_second);
	tcase_add_test(fo, udp_unreachable_moves_to_second);
	tcase_add_test(fo, tcp_without_listener);
	tcase_add_test(fo, ringing_target_kept_on_transport_error);
	tcase_add_test(fo, all_targets_fail_transport);
	tcase_add_test(dns_tc, numeric_host_skips_dns);
	tcase_add_test(dns_tc, explicit_port_asks_addresses_only);
	tcase_add_test(dns_tc, naptr_then_srv_then_a);
	tcase_add_test(dns_tc, locate_failure_reported);
	tcase_add_test(dns_tc, ip_preference_switch);
	tcase_add_test(ctl, cancel_while_locating);
	tcase_add_test(ctl, cancel_mid_transaction_aborts);
	tcase_add_test(ctl, cancel_hands_invite_over);
	tcase_add_test(ctl, final_callback_may_send_again);
	tcase_add_test(ctl, pinned_target_reuses_flow);
	tcase_add_test(ctl, foreign_transactions_pass_through);
	tcase_add_test(lim, pool_exhaustion);
	tcase_add_test(lim, locator_exhaustion);
	tcase_add_test(lim, transaction_pool_full);
	tcase_add_test(lim, build_errors_end_the_send);
	tcase_add_test(lim, build_cancelling_itself);
	tcase_add_test(lim, bad_arguments);
	tcase_add_test(lim, destroy_with_sends_in_flight);
	return s;
}

SL_CHECK_MAIN(check_txn_route_suite)
