/*
 * tests/unit/txn_fault.c: test plumbing for lib/txn (see txn_fault.h):
 * hand-made receive buffers, a recording transport, a virtual-clock
 * driver, and a network between two transaction layers that drops,
 * duplicates, delays and reorders messages with a seeded generator.
 *
 * Thread: the test thread.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport/tp_response.h"
#include "txn_fault.h"

/* ---- receive buffers ---- */

enum { TF_ARENA = 32 * 1024 };

struct tf_rx {
	struct sl_rxbuf rx;
	struct tf_rx *next;
	_Alignas(16) unsigned char arena[TF_ARENA];
	char data[];
};

struct sl_rxbuf *tf_rx_new(struct tf_rxlist *list, const char *buf,
			   size_t len, enum sl_tp tp, const char *src_host,
			   uint16_t src_port, uint32_t flow)
{
	struct tf_rx *x = calloc(1, sizeof(*x) + len + 1);
	struct sl_via via;

	if (!x)
		return NULL;
	memcpy(x->data, buf, len);
	x->rx.refs = 1;
	x->rx.len = (uint32_t)len;
	x->rx.tp = tp;
	x->rx.flow = flow;
	x->rx.data = x->data;
	x->rx.owner = NULL;
	sl__addr_set(&x->rx.src, src_host, strlen(src_host), src_port);
	sl__addr_set(&x->rx.local, "192.0.2.99", 10, 5060);
	sl_arena_init(&x->rx.arena, x->arena, sizeof(x->arena));
	if (sl_msg_parse(&x->rx.msg, x->data, len, &x->rx.arena, NULL,
			 tp == SL_TP_UDP ? 0 : SL_PARSE_STREAM, NULL) != 0) {
		free(x);
		return NULL;
	}
	if (x->rx.msg.is_request && sl__tp_top_via(&x->rx.msg, &via) == 0)
		x->rx.received_differs =
			sl__tp_received_differs(&via, &x->rx.src);
	if (list) {
		x->next = list->head;
		list->head = x;
		list->n++;
	}
	return &x->rx;
}

unsigned tf_rx_gc(struct tf_rxlist *list)
{
	struct tf_rx **pp = &list->head;
	unsigned n = 0;

	while (*pp) {
		struct tf_rx *x = *pp;

		if (x->rx.refs == 1) {
			*pp = x->next;
			free(x);
			list->n--;
			n++;
		} else {
			pp = &x->next;
		}
	}
	return n;
}

unsigned tf_rx_free_all(struct tf_rxlist *list)
{
	unsigned leaked = 0;

	while (list->head) {
		struct tf_rx *x = list->head;

		if (x->rx.refs != 1)
			leaked++;
		list->head = x->next;
		free(x);
	}
	list->n = 0;
	return leaked;
}

/* ---- the recording transport ---- */

int tf_rec_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		size_t len)
{
	struct tf_rec *r = arg;
	struct tf_sent *s;
	int rc;

	if (r->fail_all)
		return r->fail_all;
	if (r->fail_next) {
		rc = r->fail_next;
		r->fail_next = 0;
		return rc;
	}
	if (r->n == r->cap) {
		unsigned cap = r->cap ? r->cap * 2 : 64;
		struct tf_sent *v = realloc(r->v, cap * sizeof(*v));

		if (!v)
			return SL_ENOMEM;
		r->v = v;
		r->cap = cap;
	}
	if (r->flow)
		dst->flow = r->flow;
	s = &r->v[r->n];
	s->at_ms = r->clock ? tf_now_ms(r->clock) : 0;
	s->dst = *dst;
	s->buf = malloc(len + 1);
	if (!s->buf)
		return SL_ENOMEM;
	memcpy(s->buf, buf, len);
	s->buf[len] = '\0';
	s->len = len;
	r->n++;
	return 0;
}

void tf_rec_clear(struct tf_rec *r)
{
	for (unsigned i = 0; i < r->n; i++)
		free(r->v[i].buf);
	r->n = 0;
}

void tf_rec_free(struct tf_rec *r)
{
	tf_rec_clear(r);
	free(r->v);
	r->v = NULL;
	r->cap = 0;
}

int tf_sent_is(const struct tf_rec *r, unsigned i, const char *prefix)
{
	size_t n = strlen(prefix);

	return i < r->n && r->v[i].len >= n &&
	       memcmp(r->v[i].buf, prefix, n) == 0;
}

/* ---- the clock driver ---- */

uint64_t tf_now_ms(const struct sl_vclock *vc)
{
	return vc->now_us / 1000u;
}

unsigned tf_run_until(struct sl_loop *loop, struct sl_vclock *vc, uint64_t ms)
{
	const uint64_t target = ms * 1000u;
	unsigned steps = 0;

	while (steps < 1000000) {
		int wait = sl__loop_timeout_ms(loop);
		uint64_t next;

		steps++;
		if (wait < 0) {
			next = target;
		} else {
			next = vc->now_us + (uint64_t)wait * 1000u;
			if (next > target)
				next = target;
		}
		if (next > vc->now_us)
			sl__vclock_advance(vc, next - vc->now_us);
		sl__loop_step(loop, 0);
		if (vc->now_us >= target && sl__loop_timeout_ms(loop) != 0)
			break;
	}
	return steps;
}

int tf_run_next(struct sl_loop *loop, struct sl_vclock *vc)
{
	int wait = sl__loop_timeout_ms(loop);

	if (wait < 0)
		return -1;
	sl__vclock_advance(vc, (uint64_t)wait * 1000u);
	sl__loop_step(loop, 0);
	return 0;
}

/* ---- the fault-injecting network ---- */

struct tf_pkt {
	struct sl_timer timer;
	struct tf_net *net;
	struct tf_pkt *next;
	int to;                   /* the side it is delivered to */
	size_t len;
	char *buf;
};

static uint64_t net_random(struct tf_net *n)
{
	uint64_t x = n->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	n->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static unsigned net_pct(struct tf_net *n)
{
	return (unsigned)(net_random(n) % 100u);
}

static void deliver(struct sl_timer *t, void *arg)
{
	struct tf_pkt *p = arg;
	struct tf_net *n = p->net;
	const struct tf_side *from = &n->side[1 - p->to];
	struct sl_rxbuf *rx;

	(void)t;
	rx = tf_rx_new(&n->rx, p->buf, p->len, SL_TP_UDP, from->host,
		       from->port, 0);
	free(p->buf);
	p->buf = NULL;
	p->next = n->free_pkts;
	n->free_pkts = p;
	if (!rx) {
		n->stats.unparsable++;
		return;
	}
	n->stats.delivered++;
	if (n->layer[p->to])
		sl__txn_recv(n->layer[p->to], rx);
	tf_rx_gc(&n->rx);
}

int tf_net_init(struct tf_net *n, struct sl_loop *loop,
		const struct tf_net_config *cfg)
{
	memset(n, 0, sizeof(*n));
	n->loop = loop;
	n->cfg = *cfg;
	n->rng = cfg->seed ? cfg->seed : 1;
	n->pkts = calloc(cfg->max_in_flight, sizeof(*n->pkts));
	if (!n->pkts)
		return -1;
	for (unsigned i = 0; i < cfg->max_in_flight; i++) {
		struct tf_pkt *p = &n->pkts[i];

		p->net = n;
		sl__timer_init(&p->timer, deliver, p);
		p->next = n->free_pkts;
		n->free_pkts = p;
	}
	n->side[0].net = n;
	n->side[0].index = 0;
	n->side[0].host = "192.0.2.1";
	n->side[0].port = 5060;
	n->side[1].net = n;
	n->side[1].index = 1;
	n->side[1].host = "192.0.2.2";
	n->side[1].port = 5060;
	return 0;
}

int tf_net_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		size_t len)
{
	struct tf_side *s = arg;
	struct tf_net *n = s->net;
	unsigned copies = 1;

	(void)dst;
	n->stats.sent++;
	if (net_pct(n) < n->cfg.drop_pct) {
		n->stats.dropped++;
		return 0;
	}
	if (net_pct(n) < n->cfg.dup_pct) {
		n->stats.duplicated++;
		copies = 2;
	}
	for (unsigned c = 0; c < copies; c++) {
		struct tf_pkt *p = n->free_pkts;
		unsigned span = n->cfg.max_delay_ms - n->cfg.min_delay_ms + 1;
		uint64_t delay = n->cfg.min_delay_ms + net_random(n) % span;

		if (!p) {
			n->stats.pool_full++;
			return 0;
		}
		p->buf = malloc(len);
		if (!p->buf)
			return SL_ENOMEM;
		memcpy(p->buf, buf, len);
		p->len = len;
		p->to = 1 - s->index;
		n->free_pkts = p->next;
		if (sl__loop_timer_start(n->loop, &p->timer, delay) < 0) {
			free(p->buf);
			p->buf = NULL;
			p->next = n->free_pkts;
			n->free_pkts = p;
			n->stats.pool_full++;
			return 0;
		}
	}
	return 0;
}

unsigned tf_net_free(struct tf_net *n)
{
	for (unsigned i = 0; i < n->cfg.max_in_flight; i++) {
		sl__loop_timer_stop(n->loop, &n->pkts[i].timer);
		free(n->pkts[i].buf);
	}
	free(n->pkts);
	n->pkts = NULL;
	return tf_rx_free_all(&n->rx);
}

/* ---- messages ---- */

static const char *or_str(const char *s, const char *def)
{
	return s ? s : def;
}

size_t tf_request(char *buf, size_t cap, const struct tf_req *r)
{
	const char *method = or_str(r->method, "INVITE");
	const char *branch = or_str(r->branch, "z9hG4bKtest1");
	char to_tag[80] = "";
	char br[120] = "";
	int n;

	if (r->to_tag)
		snprintf(to_tag, sizeof(to_tag), ";tag=%s", r->to_tag);
	if (branch[0])
		snprintf(br, sizeof(br), ";branch=%s", branch);
	n = snprintf(buf, cap,
		     "%s %s SIP/2.0\r\n"
		     "Via: SIP/2.0/%s %s%s;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: \"Alice\" <sip:alice@192.0.2.1>;tag=%s\r\n"
		     "To: <sip:bob@192.0.2.2>%s\r\n"
		     "Call-ID: %s\r\n"
		     "CSeq: %u %s\r\n"
		     "%s"
		     "Content-Length: 0\r\n\r\n",
		     method, or_str(r->ruri, "sip:bob@192.0.2.2"),
		     or_str(r->transport, "UDP"),
		     or_str(r->via_host, "192.0.2.1:5060"), br,
		     or_str(r->from_tag, "ftag1"), to_tag,
		     or_str(r->call_id, "call-1@192.0.2.1"),
		     r->cseq ? r->cseq : 1, or_str(r->cseq_method, method),
		     or_str(r->extra, ""));
	ck_assert_int_gt(n, 0);
	ck_assert_uint_lt((size_t)n, cap);
	return (size_t)n;
}

size_t tf_response(char *out, size_t cap, const char *req, size_t req_len,
		   int status, const char *to_tag)
{
	static unsigned char mem[TF_ARENA];
	struct sl_arena arena;
	struct sl_builder b;
	struct sl_msg m;
	int n;

	sl_arena_init(&arena, mem, sizeof(mem));
	ck_assert_int_eq(sl_msg_parse(&m, req, req_len, &arena, NULL, 0,
				      NULL), 0);
	sl_build_init(&b, out, cap);
	sl_build_response(&b, &m, status, NULL, to_tag, 0);
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

int tf_parse(const char *buf, size_t len, struct sl_msg *m)
{
	static unsigned char mem[TF_ARENA];
	struct sl_arena arena;

	sl_arena_init(&arena, mem, sizeof(mem));
	return sl_msg_parse(m, buf, len, &arena, NULL, 0, NULL);
}

const char *tf_hdr(const struct sl_msg *m, const char *name)
{
	static char out[1024];
	struct sl_slice v;

	out[0] = '\0';
	if (sl_msg_find(m, name, &v) >= 0)
		sl_slice_copy(v, out, sizeof(out));
	return out;
}

/* ---- the recorded layer ---- */

static struct tf_ev *add_ev(struct tf_env *e, enum tf_ev_type type,
			    uint32_t txn, void *user)
{
	struct tf_ev *ev;

	ck_assert_uint_lt(e->n_ev, TF_MAX_EV);
	ev = &e->ev[e->n_ev++];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->txn = txn;
	ev->user = user;
	ev->at_ms = tf_now_ms(&e->vc);
	return ev;
}

static void done_ev(struct tf_env *e, const struct tf_ev *ev)
{
	if (e->on_event)
		e->on_event(e, ev);
}

static void on_request(void *arg, uint32_t txn, void *user,
		       struct sl_rxbuf *rx, uint32_t cancel_target)
{
	struct tf_env *e = arg;
	struct tf_ev *ev = add_ev(e, TF_EV_REQUEST, txn, user);

	ev->method = rx->msg.method;
	ev->cancel_target = cancel_target;
	if (e->auto_status) {
		struct sl_txn_response r = { .status = e->auto_status,
					     .to_tag = "srv" };

		ck_assert_int_eq(sl__txn_respond(e->l, txn, &r), 0);
	}
	done_ev(e, ev);
}

static void on_ack(void *arg, uint32_t txn, void *user, struct sl_rxbuf *rx)
{
	struct tf_env *e = arg;
	struct tf_ev *ev = add_ev(e, TF_EV_ACK, txn, user);

	ev->method = rx->msg.method;
	done_ev(e, ev);
}

static void on_response(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx)
{
	struct tf_env *e = arg;
	struct tf_ev *ev = add_ev(e, TF_EV_RESPONSE, txn, user);

	ev->status = rx->msg.status;
	done_ev(e, ev);
}

static void on_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	struct tf_env *e = arg;
	struct tf_ev *ev = add_ev(e, TF_EV_TIMEOUT, txn, user);

	ev->timer = timer;
	done_ev(e, ev);
}

static void on_tperr(void *arg, uint32_t txn, void *user, int err)
{
	struct tf_env *e = arg;
	struct tf_ev *ev = add_ev(e, TF_EV_TPERR, txn, user);

	ev->err = err;
	done_ev(e, ev);
}

static void on_terminated(void *arg, uint32_t txn, void *user)
{
	struct tf_env *e = arg;

	done_ev(e, add_ev(e, TF_EV_TERMINATED, txn, user));
}

void tf_env_init(struct tf_env *e, const struct sl_txn_config *cfg)
{
	struct sl_loop_config lc = { 0 };

	memset(e, 0, sizeof(*e));
	sl__vclock_init(&e->vc, 0);
	lc.clock = &e->vc.clock;
	lc.max_timers = 8192;
	ck_assert_int_eq(sl__loop_create(&e->loop, &lc), 0);
	if (cfg)
		e->cfg = *cfg;
	else
		sl__txn_config_init(&e->cfg);
	if (!e->cfg.seed)
		e->cfg.seed = 42;
	e->rec.clock = &e->vc;
	e->cfg.io.send = tf_rec_send;
	e->cfg.io.arg = &e->rec;
	e->cfg.tu.request = on_request;
	e->cfg.tu.ack = on_ack;
	e->cfg.tu.response = on_response;
	e->cfg.tu.timeout = on_timeout;
	e->cfg.tu.transport_error = on_tperr;
	e->cfg.tu.terminated = on_terminated;
	e->cfg.tu.arg = e;
	ck_assert_int_eq(sl__txn_create(&e->l, e->loop, &e->cfg), 0);
}

unsigned tf_env_done(struct tf_env *e)
{
	unsigned leaked;

	sl__txn_destroy(e->l);
	e->l = NULL;
	leaked = tf_rx_free_all(&e->rx);
	sl__loop_destroy(e->loop);
	e->loop = NULL;
	tf_rec_free(&e->rec);
	return leaked;
}

struct sl_rxbuf *tf_env_rx(struct tf_env *e, const char *buf, size_t len,
			   enum sl_tp tp)
{
	struct sl_rxbuf *rx = tf_rx_new(&e->rx, buf, len, tp, "192.0.2.1",
					5060, tp == SL_TP_UDP ? 0 : 7);

	ck_assert_ptr_nonnull(rx);
	return rx;
}

int tf_env_feed(struct tf_env *e, const char *buf, size_t len,
		enum sl_tp tp)
{
	return sl__txn_recv(e->l, tf_env_rx(e, buf, len, tp));
}

unsigned tf_env_count(const struct tf_env *e, enum tf_ev_type type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < e->n_ev; i++)
		n += e->ev[i].type == type;
	return n;
}

const struct tf_ev *tf_env_last(const struct tf_env *e, enum tf_ev_type type)
{
	for (unsigned i = e->n_ev; i-- > 0;)
		if (e->ev[i].type == type)
			return &e->ev[i];
	return NULL;
}
