/*
 * lib/txn/table.c: the transaction table: the layer's creation, the slot
 * pools and their ids, the hash table and the matching rules (RFC 3261
 * §17.1.3, §17.2.3 with the RFC 2543 fallback, §9.2), the state-change
 * function, and the entry points that dispatch received messages.
 *
 * Owns: struct sl_txn_layer and every slot (one allocation made at
 * sl__txn_create(); nothing is allocated afterwards).
 * Thread: the SIP loop thread only.
 * Called by: the UA (creation, sl__txn_recv() from the transport's receive
 * callback) and by client.c, server.c and stateless.c.
 *
 * Keys: a client transaction is found by the branch of the response's top
 * Via and its CSeq method; a server transaction by its request's branch,
 * sent-by and method (ACK finds the INVITE) when the branch carries the
 * magic cookie, else by the RFC 2543 rules (Request-URI, tags, Call-ID,
 * CSeq, top Via). Both kinds hash into one table: the branch for the
 * first, Call-ID and CSeq number for the second, so an ACK or a CANCEL
 * lands in the bucket of its INVITE.
 */
#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/mem.h"
#include "txn_int.h"

/* ---- transitions ---- */

#define BIT(s) (1u << (s))

/*
 * The transitions RFC 3261 §17 and RFC 6026 allow, per kind and state.
 * Terminated is reachable from every state (timeouts, transport errors).
 */
static const unsigned allowed[4][SL_TXN_STATE_TERMINATED + 1] = {
	[SL_TXN_CLIENT_INVITE] = {
		[SL_TXN_STATE_CALLING] = BIT(SL_TXN_STATE_PROCEEDING) |
			BIT(SL_TXN_STATE_COMPLETED) |
			BIT(SL_TXN_STATE_ACCEPTED),
		[SL_TXN_STATE_PROCEEDING] = BIT(SL_TXN_STATE_COMPLETED) |
			BIT(SL_TXN_STATE_ACCEPTED),
	},
	[SL_TXN_CLIENT_NON_INVITE] = {
		[SL_TXN_STATE_TRYING] = BIT(SL_TXN_STATE_PROCEEDING) |
			BIT(SL_TXN_STATE_COMPLETED),
		[SL_TXN_STATE_PROCEEDING] = BIT(SL_TXN_STATE_COMPLETED),
	},
	[SL_TXN_SERVER_INVITE] = {
		[SL_TXN_STATE_PROCEEDING] = BIT(SL_TXN_STATE_COMPLETED) |
			BIT(SL_TXN_STATE_ACCEPTED),
		[SL_TXN_STATE_COMPLETED] = BIT(SL_TXN_STATE_CONFIRMED),
	},
	[SL_TXN_SERVER_NON_INVITE] = {
		[SL_TXN_STATE_TRYING] = BIT(SL_TXN_STATE_PROCEEDING) |
			BIT(SL_TXN_STATE_COMPLETED),
		[SL_TXN_STATE_PROCEEDING] = BIT(SL_TXN_STATE_COMPLETED),
	},
};

static const char *const state_names[] = {
	"None", "Calling", "Trying", "Proceeding", "Completed", "Confirmed",
	"Accepted", "Terminated"
};

static const char *const kind_names[] = {
	"INVITE client", "non-INVITE client", "INVITE server",
	"non-INVITE server"
};

const char *sl__txn_state_name(enum sl_txn_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[s];
}

void sl__txn_set_state(struct sl_txn *t, enum sl_txn_state to)
{
	assert(t->kind < 4 && t->state <= SL_TXN_STATE_TERMINATED);
	assert(to == SL_TXN_STATE_TERMINATED ||
	       (allowed[t->kind][t->state] & BIT(to)));
	sl_log_debug(SL_TXN_LOG, "%08x %s: %s -> %s", (unsigned)t->id,
		     kind_names[t->kind], state_names[t->state],
		     state_names[to]);
	t->state = (uint8_t)to;
}

static uint64_t next_random(struct sl_txn_layer *l);

/* ---- configuration and creation ---- */

void sl__txn_config_init(struct sl_txn_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->t1_ms = SL_TXN_T1_DEFAULT_MS;
	cfg->t2_ms = SL_TXN_T2_DEFAULT_MS;
	cfg->t4_ms = SL_TXN_T4_DEFAULT_MS;
	cfg->td_ms = SL_TXN_TD_DEFAULT_MS;
	cfg->trying_ms = SL_TXN_TRYING_DEFAULT_MS;
	cfg->max_client_txns = SL_TXN_POOL_DEFAULT;
	cfg->max_server_txns = SL_TXN_POOL_DEFAULT;
	cfg->msg_buf_size = SL_TXN_MSG_BUF_DEFAULT;
}

static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* splitmix64: the seed's bits spread before xorshift uses them. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * A seed for branches and tags when the config gives none: from the
 * kernel, since a phone's monotonic clock reads about the same at every
 * boot and branches must be unique across time (§8.1.1.7).
 */
static uint64_t entropy(const struct sl_txn_layer *l)
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = sl__loop_now_us(l->loop) ^ (uint64_t)(uintptr_t)l;
	return v;
}

int sl__txn_create(struct sl_txn_layer **out, struct sl_loop *loop,
		   const struct sl_txn_config *cfg)
{
	const size_t al = alignof(max_align_t);
	struct sl_txn_config c;
	struct sl_txn_layer *l;
	size_t off_slots, off_buckets, off_bufs, off_scratch, off_arena, total;
	uint32_t n_buckets = 16, n_slots;
	unsigned char *mem;

	if (out)
		*out = NULL;
	if (!out || !loop || !cfg || !cfg->io.send)
		return SL_EINVAL;
	c = *cfg;
	c.t1_ms = or_default(c.t1_ms, SL_TXN_T1_DEFAULT_MS);
	c.t2_ms = or_default(c.t2_ms, SL_TXN_T2_DEFAULT_MS);
	c.t4_ms = or_default(c.t4_ms, SL_TXN_T4_DEFAULT_MS);
	c.td_ms = or_default(c.td_ms, SL_TXN_TD_DEFAULT_MS);
	c.trying_ms = or_default(c.trying_ms, SL_TXN_TRYING_DEFAULT_MS);
	c.max_client_txns = or_default(c.max_client_txns, SL_TXN_POOL_DEFAULT);
	c.max_server_txns = or_default(c.max_server_txns, SL_TXN_POOL_DEFAULT);
	if (!c.msg_buf_size)
		c.msg_buf_size = SL_TXN_MSG_BUF_DEFAULT;
	/* 64*T1 must fit the timers' arithmetic with room to spare. */
	if (c.t2_ms < c.t1_ms || c.t1_ms > 60000 ||
	    c.max_client_txns > SL_TXN_POOL_MAX ||
	    c.max_server_txns > SL_TXN_POOL_MAX ||
	    c.msg_buf_size < SL_TXN_MSG_BUF_MIN ||
	    c.msg_buf_size > (size_t)64 * 1024 * 1024)
		return SL_EINVAL;

	/* Twice as many buckets as slots keeps the chains short. */
	while (n_buckets < 2 * (c.max_client_txns + c.max_server_txns))
		n_buckets *= 2;

	/* The slot buffers dominate; on a 32-bit target their product can
	 * overflow size_t, which would under-allocate. */
	n_slots = c.max_client_txns + c.max_server_txns;
	if (c.msg_buf_size > (SIZE_MAX / 2 - SL_TXN_ARENA_SIZE) / (n_slots + 2) -
	    sizeof(struct sl_txn) - 4 * sizeof(struct sl_txn *) - al)
		return SL_ENOMEM;
	off_slots = align_up(sizeof(*l), al);
	off_buckets = align_up(off_slots + sizeof(struct sl_txn) * n_slots, al);
	off_bufs = align_up(off_buckets + sizeof(struct sl_txn *) * n_buckets,
			    al);
	off_scratch = align_up(off_bufs + c.msg_buf_size * n_slots, al);
	off_arena = align_up(off_scratch + c.msg_buf_size, al);
	total = off_arena + SL_TXN_ARENA_SIZE;

	/* The layer's one allocation (STYLE §3.1). */
	mem = sl__calloc(1, total);
	if (!mem)
		return SL_ENOMEM;
	l = (struct sl_txn_layer *)mem;
	l->mem = mem;
	l->loop = loop;
	l->cfg = c;
	l->n_slots = n_slots;
	l->slots = (struct sl_txn *)(mem + off_slots);
	l->buckets = (struct sl_txn **)(mem + off_buckets);
	l->bucket_mask = n_buckets - 1;
	l->bufs = (char *)(mem + off_bufs);
	l->scratch = (char *)(mem + off_scratch);
	l->arena_mem = mem + off_arena;
	sl_arena_init(&l->arena, l->arena_mem, SL_TXN_ARENA_SIZE);
	l->rng = mix64(c.seed ? c.seed : entropy(l));
	if (!l->rng)
		l->rng = 1;
	l->secret = next_random(l);
	l->stats.client_cap = c.max_client_txns;
	l->stats.server_cap = c.max_server_txns;

	/* Free lists in index order, so the first slots are used first. */
	for (uint32_t i = l->n_slots; i-- > 0;) {
		struct sl_txn *t = &l->slots[i];
		int server = i >= c.max_client_txns;

		t->index = (uint16_t)i;
		t->layer = l;
		t->buf = l->bufs + (size_t)i * c.msg_buf_size;
		sl__timer_init(&t->t_retx, NULL, t);
		sl__timer_init(&t->t_main, NULL, t);
		if (server) {
			t->next = l->free_server;
			l->free_server = t;
		} else {
			t->next = l->free_client;
			l->free_client = t;
		}
	}
	*out = l;
	return 0;
}

void sl__txn_destroy(struct sl_txn_layer *l)
{
	if (!l)
		return;
	for (uint32_t i = 0; i < l->n_slots; i++) {
		struct sl_txn *t = &l->slots[i];

		if (!t->id)
			continue;
		sl__loop_timer_stop(l->loop, &t->t_retx);
		sl__loop_timer_stop(l->loop, &t->t_main);
		if (t->req)
			sl__rxbuf_unref(t->req);
		t->req = NULL;
		t->id = 0;
	}
	sl__free(l->mem);
}

/* ---- random identifiers ---- */

static uint64_t next_random(struct sl_txn_layer *l)
{
	/* xorshift64*: fast, and good enough for unique identifiers; the
	 * seed comes from the config or the clock. */
	uint64_t x = l->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	l->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

void sl__txn_random_text(struct sl_txn_layer *l, char *out, size_t n)
{
	static const char alphabet[] = "0123456789"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t r = 0;
	unsigned left = 0;

	for (size_t i = 0; i < n; i++) {
		/* Ten 6-bit draws per 64-bit number; 62 of 64 values kept. */
		unsigned v;

		do {
			if (!left) {
				r = next_random(l);
				left = 10;
			}
			v = (unsigned)(r & 63);
			r >>= 6;
			left--;
		} while (v >= 62);
		out[i] = alphabet[v];
	}
}

int sl__txn_branch(struct sl_txn_layer *l, char *out, size_t cap)
{
	const size_t n = SL_TXN_COOKIE_LEN + 22;

	if (!l || !out)
		return SL_EINVAL;
	if (cap < n + 1)
		return SL_ENOSPC;
	memcpy(out, SL_TXN_COOKIE, SL_TXN_COOKIE_LEN);
	sl__txn_random_text(l, out + SL_TXN_COOKIE_LEN, 22);
	out[n] = '\0';
	return (int)n;
}

int sl__txn_tag(struct sl_txn_layer *l, char *out, size_t cap)
{
	if (!l || !out)
		return SL_EINVAL;
	if (cap < 17)
		return SL_ENOSPC;
	sl__txn_random_text(l, out, 16);
	out[16] = '\0';
	return 16;
}

/* ---- slots ---- */

struct sl_txn *sl__txn_alloc(struct sl_txn_layer *l, int server)
{
	struct sl_txn **head = server ? &l->free_server : &l->free_client;
	struct sl_txn *t = *head;
	uint16_t gen;

	if (!t)
		return NULL;
	*head = t->next;
	gen = (uint16_t)(t->gen + 1);
	if (!gen)
		gen = 1;
	memset((char *)t + offsetof(struct sl_txn, hash), 0,
	       offsetof(struct sl_txn, buf) - offsetof(struct sl_txn, hash));
	t->gen = gen;
	t->id = (uint32_t)gen << 16 | t->index;
	t->next = NULL;
	t->len = 0;
	sl__timer_init(&t->t_retx, NULL, t);
	sl__timer_init(&t->t_main, NULL, t);
	if (server) {
		if (++l->stats.server_used > l->stats.server_high)
			l->stats.server_high = l->stats.server_used;
	} else {
		if (++l->stats.client_used > l->stats.client_high)
			l->stats.client_high = l->stats.client_used;
	}
	return t;
}

static struct sl_txn **bucket_of(struct sl_txn_layer *l, uint32_t hash)
{
	return &l->buckets[hash & l->bucket_mask];
}

static void table_remove(struct sl_txn *t)
{
	struct sl_txn **pp = bucket_of(t->layer, t->hash);

	for (; *pp; pp = &(*pp)->next)
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	t->next = NULL;
}

void sl__txn_table_insert(struct sl_txn *t)
{
	struct sl_txn **pp = bucket_of(t->layer, t->hash);

	t->next = *pp;
	*pp = t;
}

void sl__txn_free(struct sl_txn *t)
{
	struct sl_txn_layer *l = t->layer;
	int server = sl__txn_is_server(t);

	if (!t->id)
		return;
	sl__loop_timer_stop(l->loop, &t->t_retx);
	sl__loop_timer_stop(l->loop, &t->t_main);
	table_remove(t);
	if (t->req)
		sl__rxbuf_unref(t->req);
	t->req = NULL;
	t->id = 0;
	t->state = SL_TXN_STATE_NONE;
	t->user = NULL;
#ifndef NDEBUG
	/* Poisoned, so a stale slice into a dead slot shows up in tests. */
	memset(t->buf, 0xdb, l->cfg.msg_buf_size);
#endif
	t->len = 0;
	if (server) {
		t->next = l->free_server;
		l->free_server = t;
		l->stats.server_used--;
	} else {
		t->next = l->free_client;
		l->free_client = t;
		l->stats.client_used--;
	}
}

struct sl_txn *sl__txn_get(struct sl_txn_layer *l, uint32_t id)
{
	uint32_t index = id & 0xffffu;

	if (!l || !id || index >= l->n_slots || l->slots[index].id != id)
		return NULL;
	return &l->slots[index];
}

void sl__txn_terminate(struct sl_txn *t)
{
	struct sl_txn_layer *l = t->layer;
	uint32_t id = t->id;
	void *user = t->user;

	sl__txn_set_state(t, SL_TXN_STATE_TERMINATED);
	sl__txn_free(t);
	if (l->cfg.tu.terminated)
		l->cfg.tu.terminated(l->cfg.tu.arg, id, user);
}

void sl__txn_fail(struct sl_txn *t, int err)
{
	struct sl_txn_layer *l = t->layer;
	uint32_t id = t->id;

	sl_log_info(SL_TXN_LOG, "%08x %s in %s: %s", (unsigned)id,
		    kind_names[t->kind], state_names[t->state],
		    sl_strerror(err));
	if (l->cfg.tu.transport_error)
		l->cfg.tu.transport_error(l->cfg.tu.arg, id, t->user, err);
	if (sl__txn_alive(t, id))
		sl__txn_terminate(t);
}

int sl__txn_arm(struct sl_txn *t, struct sl_timer *tm, uint64_t ms)
{
	int rc = sl__loop_timer_start(t->layer->loop, tm, ms);

	if (rc < 0)
		sl_log_error(SL_TXN_LOG, "%08x: timer heap full",
			     (unsigned)t->id);
	return rc;
}

void sl__txn_disarm(struct sl_txn *t, struct sl_timer *tm)
{
	sl__loop_timer_stop(t->layer->loop, tm);
}

int sl__txn_io_send(struct sl_txn_layer *l, struct sl_tp_dest *dst,
		    const char *buf, size_t len)
{
	int rc = l->cfg.io.send(l->cfg.io.arg, dst, buf, len);

	return rc < 0 ? rc : 0;
}

int sl__txn_parse_own(struct sl_txn_layer *l, const char *buf, size_t len,
		      struct sl_msg *out)
{
	sl_arena_reset(&l->arena);
	return sl_msg_parse(out, buf, len, &l->arena, NULL, 0, NULL);
}

int sl__txn_send(struct sl_txn_layer *l, struct sl_tp_dest *dst,
		 const char *buf, size_t len)
{
	if (!l || !dst || !buf || !len)
		return SL_EINVAL;
	return sl__txn_io_send(l, dst, buf, len);
}

/* ---- keys and matching ---- */

int sl__txn_has_cookie(struct sl_slice branch)
{
	return branch.len > SL_TXN_COOKIE_LEN &&
	       memcmp(branch.p, SL_TXN_COOKIE, SL_TXN_COOKIE_LEN) == 0;
}

static int slice_eq(struct sl_slice a, struct sl_slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* FNV-1a: keys are peer input, but a chain only costs time, and the
 * table has twice as many buckets as slots. */
static uint32_t hash_bytes(uint32_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t sl__txn_hash_branch(struct sl_slice branch)
{
	return hash_bytes(2166136261u, branch.p, branch.len);
}

/* RFC 2543 keys: Call-ID and the CSeq number, which an INVITE shares
 * with its ACK and its CANCEL. */
static uint32_t hash_2543(const struct sl_msg *m)
{
	uint32_t h = hash_bytes(2166136261u, m->call_id.p, m->call_id.len);

	return h ^ (m->cseq.seq * 2654435761u);
}

uint32_t sl__txn_key_hash(const struct sl_msg *m)
{
	if (sl__txn_has_cookie(m->vias[0].branch))
		return sl__txn_hash_branch(m->vias[0].branch);
	return hash_2543(m);
}

static struct sl_slice txn_branch(const struct sl_txn *t)
{
	struct sl_slice s = { t->branch, t->branch_len };

	return s;
}

static struct sl_slice txn_method(const struct sl_txn *t)
{
	struct sl_slice s = { t->method_name, t->method_name_len };

	return s;
}

/* The method a request names: the id, or the name for other methods. */
static int method_is(const struct sl_msg *m, enum sl_method id,
		     struct sl_slice name)
{
	if (m->method != SL_METHOD_OTHER || id != SL_METHOD_OTHER)
		return m->method == id;
	return slice_eq(m->method_name, name);
}

static int sent_by_eq(const struct sl_via *a, const struct sl_via *b)
{
	return a->port == b->port && sl_slice_ieq2(a->host, b->host);
}

/* RFC 2543 "top Via matches": same sent-protocol, sent-by and branch. */
static int via_eq(const struct sl_via *a, const struct sl_via *b)
{
	return sent_by_eq(a, b) && sl_slice_ieq2(a->transport, b->transport) &&
	       slice_eq(a->branch, b->branch);
}

struct sl_txn *sl__txn_find_client(struct sl_txn_layer *l,
				   struct sl_slice branch,
				   struct sl_slice method)
{
	uint32_t h = sl__txn_hash_branch(branch);

	for (struct sl_txn *t = *bucket_of(l, h); t; t = t->next)
		if (t->hash == h && !sl__txn_is_server(t) &&
		    slice_eq(txn_branch(t), branch) &&
		    slice_eq(txn_method(t), method))
			return t;
	return NULL;
}

struct sl_txn *sl__txn_match_response(struct sl_txn_layer *l,
				      const struct sl_msg *m)
{
	/* §17.1.3: the top Via's branch and the CSeq method. */
	return sl__txn_find_client(l, m->vias[0].branch, m->cseq.method);
}

enum match_mode {
	MATCH_SAME,     /* a retransmission of the creating request */
	MATCH_ACK,      /* an ACK for the INVITE's non-2xx response */
	MATCH_CANCEL    /* the INVITE a CANCEL refers to (§9.2) */
};

/* §17.2.3, second half: a request from an RFC 2543 element. */
static int match_2543(const struct sl_txn *t, const struct sl_msg *m,
		      enum match_mode mode)
{
	const struct sl_msg *r = &t->req->msg;

	if (!sl_uri_equal(&m->ruri, &r->ruri) ||
	    !slice_eq(m->from.tag, r->from.tag) ||
	    !slice_eq(m->call_id, r->call_id) || m->cseq.seq != r->cseq.seq ||
	    !via_eq(&m->vias[0], &r->vias[0]))
		return 0;
	switch (mode) {
	case MATCH_SAME:
		return slice_eq(m->to.tag, r->to.tag) &&
		       slice_eq(m->cseq.method, r->cseq.method);
	case MATCH_ACK:
		/* The ACK carries the To tag of our response. */
		return slice_eq(m->to.tag, t->resp_to_tag);
	case MATCH_CANCEL:
		return slice_eq(m->to.tag, r->to.tag);
	}
	return 0;
}

static struct sl_txn *match_server(struct sl_txn_layer *l,
				   const struct sl_msg *m, enum match_mode mode)
{
	const struct sl_via *via = &m->vias[0];
	int cookie = sl__txn_has_cookie(via->branch);
	uint32_t h = cookie ? sl__txn_hash_branch(via->branch) : hash_2543(m);

	for (struct sl_txn *t = *bucket_of(l, h); t; t = t->next) {
		const struct sl_msg *r;

		if (t->hash != h || !sl__txn_is_server(t) ||
		    t->rfc2543 == cookie)
			continue;
		r = &t->req->msg;
		if (mode == MATCH_SAME) {
			if (!method_is(m, r->method, r->method_name))
				continue;
		} else if (r->method != SL_METHOD_INVITE) {
			continue;
		}
		if (cookie) {
			if (slice_eq(via->branch, r->vias[0].branch) &&
			    sent_by_eq(via, &r->vias[0]))
				return t;
		} else if (match_2543(t, m, mode)) {
			return t;
		}
	}
	return NULL;
}

struct sl_txn *sl__txn_match_request(struct sl_txn_layer *l,
				     const struct sl_msg *m)
{
	/* §17.2.3: an ACK belongs to the INVITE it acknowledges. */
	return match_server(l, m, m->method == SL_METHOD_ACK ? MATCH_ACK :
			    MATCH_SAME);
}

struct sl_txn *sl__txn_match_cancel(struct sl_txn_layer *l,
				    const struct sl_msg *m)
{
	return match_server(l, m, MATCH_CANCEL);
}

/* A message the matching can use: a top Via, and a request line or a
 * status. */
static int usable(const struct sl_rxbuf *rx)
{
	return rx->msg.n_vias > 0 && rx->msg.vias && rx->msg.cseq.method.len;
}

int sl__txn_match(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
		  uint32_t *id)
{
	struct sl_txn *t;

	if (!l || !rx || !id || !usable(rx))
		return SL_EINVAL;
	t = rx->msg.is_request ? sl__txn_match_request(l, &rx->msg) :
		sl__txn_match_response(l, &rx->msg);
	if (!t)
		return SL_ENOTFOUND;
	*id = t->id;
	return 0;
}

int sl__txn_cancel_target(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
			  uint32_t *id)
{
	struct sl_txn *t;

	if (!l || !rx || !id || !usable(rx) || !rx->msg.is_request ||
	    rx->msg.method != SL_METHOD_CANCEL)
		return SL_EINVAL;
	t = sl__txn_match_cancel(l, &rx->msg);
	if (!t)
		return SL_ENOTFOUND;
	*id = t->id;
	return 0;
}

/* ---- received messages ---- */

int sl__txn_recv(struct sl_txn_layer *l, struct sl_rxbuf *rx)
{
	const struct sl_msg *m;
	struct sl_parse_error err;
	struct sl_txn *t;

	if (!l || !rx || !usable(rx))
		return SL_EINVAL;
	m = &rx->msg;
	if (!m->is_request) {
		t = sl__txn_match_response(l, m);
		if (!t) {
			/* RFC 6026 §7.1 (RFC 3261 §8.1.3.1): a UA drops a
			 * response that matches no transaction. */
			l->stats.stray++;
			sl_log_debug(SL_TXN_LOG, "stray %d response dropped",
				     m->status);
			return SL_TXN_RX_STRAY;
		}
		sl__txn_client_recv(t, rx);
		return SL_TXN_RX_MATCHED;
	}
	t = sl__txn_match_request(l, m);
	if (t) {
		sl__txn_server_recv(t, rx);
		return SL_TXN_RX_MATCHED;
	}
	if (m->method == SL_METHOD_ACK) {
		/* The ACK for a 2xx is a transaction of its own that no one
		 * answers (§17): the dialog layer takes it. */
		if (l->cfg.tu.ack)
			l->cfg.tu.ack(l->cfg.tu.arg, 0, NULL, rx);
		return SL_TXN_RX_ACK;
	}
	if (!l->cfg.no_check &&
	    sl_msg_check_request(m, l->cfg.check, &err) < 0) {
		int rc = sl__txn_reject(l, rx, &err);

		if (rc < 0)
			sl_log_info(SL_TXN_LOG, "no %d for a bad request: %s",
				    err.status, sl_strerror(rc));
		return SL_TXN_RX_REJECTED;
	}
	return sl__txn_server_new(l, rx);
}

int sl__txn_flow_closed(struct sl_txn_layer *l, uint32_t flow, int err)
{
	int n = 0;

	if (!l || !flow)
		return SL_EINVAL;
	if (err >= 0)
		err = SL_ETRANSPORT;
	for (uint32_t i = 0; i < l->n_slots; i++) {
		struct sl_txn *t = &l->slots[i];

		if (!t->id || !t->reliable || t->dst.flow != flow)
			continue;
		sl__txn_fail(t, err);
		n++;
	}
	return n;
}

/* A transaction whose sends to its destination still matter: a client
 * one before its final response (afterwards only an ACK for a non-2xx
 * goes out, and the outcome is known), a server one with a response to
 * (re)transmit. */
static int still_sending(const struct sl_txn *t)
{
	switch (t->kind) {
	case SL_TXN_CLIENT_INVITE:
	case SL_TXN_CLIENT_NON_INVITE:
		return t->state == SL_TXN_STATE_CALLING ||
		       t->state == SL_TXN_STATE_TRYING ||
		       t->state == SL_TXN_STATE_PROCEEDING;
	default:
		return t->state == SL_TXN_STATE_PROCEEDING ||
		       t->state == SL_TXN_STATE_COMPLETED;
	}
}

int sl__txn_dest_unreachable(struct sl_txn_layer *l, enum sl_tp tp,
			     const struct sl_addr *dst, int err)
{
	int n = 0;

	if (!l || !dst || sl__tp_reliable(tp))
		return SL_EINVAL;
	if (err >= 0)
		err = SL_ETRANSPORT;
	for (uint32_t i = 0; i < l->n_slots; i++) {
		struct sl_txn *t = &l->slots[i];

		if (!t->id || t->reliable || t->dst.tp != tp ||
		    !still_sending(t) || !sl__addr_equal(&t->dst.addr, dst))
			continue;
		sl__txn_fail(t, err);
		n++;
	}
	return n;
}

/* ---- looking up ---- */

int sl__txn_info(struct sl_txn_layer *l, uint32_t id, struct sl_txn_info *out)
{
	struct sl_txn *t;

	if (!l || !out)
		return SL_EINVAL;
	t = sl__txn_get(l, id);
	if (!t)
		return SL_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	out->kind = (enum sl_txn_kind)t->kind;
	out->state = (enum sl_txn_state)t->state;
	out->method = t->method;
	out->last_status = t->last_status;
	out->reliable = t->reliable;
	out->user = t->user;
	out->request = t->req;
	out->dst = t->dst;
	return 0;
}

int sl__txn_set_user(struct sl_txn_layer *l, uint32_t id, void *user)
{
	struct sl_txn *t;

	if (!l)
		return SL_EINVAL;
	t = sl__txn_get(l, id);
	if (!t)
		return SL_ENOTFOUND;
	t->user = user;
	return 0;
}

int sl__txn_abort(struct sl_txn_layer *l, uint32_t id)
{
	struct sl_txn *t;

	if (!l)
		return SL_EINVAL;
	t = sl__txn_get(l, id);
	if (!t)
		return SL_ENOTFOUND;
	sl_log_debug(SL_TXN_LOG, "%08x aborted in %s", (unsigned)id,
		     state_names[t->state]);
	sl__txn_set_state(t, SL_TXN_STATE_TERMINATED);
	sl__txn_free(t);
	return 0;
}

int sl__txn_stats(const struct sl_txn_layer *l, struct sl_txn_stats *out)
{
	if (!l || !out)
		return SL_EINVAL;
	*out = l->stats;
	return 0;
}
