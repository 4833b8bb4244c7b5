/*
 * lib/dialog/table.c: the dialog table: creation, the slot pool and its
 * ids, the two hash tables (Call-ID + local tag for the §12.2.2 lookup,
 * id for the API), the slots' text, termination and usages (RFC 5057),
 * and the lookups the UA makes.
 *
 * Owns: struct sl_dlg_table and every slot (one allocation made at
 * sl__dlg_create(); nothing is allocated afterwards), and the block store
 * (lib/core/blocks.h) each slot's text comes from: a slot holds a block
 * the size of what it stores, so a dialog costs what its Call-ID, tags,
 * URIs and route set need, not text_size.
 * Thread: the SIP loop thread only.
 * Called by: the UA; uac.c, uas.c, request.c and rx.c.
 *
 * Ids come from a 32-bit counter, so one does not repeat while the table
 * lives (the counter wraps after 2^32 - 1 slots and skips ids in use); the
 * id hash finds a slot from its id in O(1), consecutive ids falling into
 * consecutive buckets.
 */
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include "core/blocks.h"
#include "core/mem.h"
#include "dialog_int.h"
#include "sipline/headers.h"

/* The text of a slot with none stored: every string is empty there. It
 * is never written (a store takes a block first, text_cap being 0). */
static char no_text[1];

/* ---- configuration ---- */

void sl__dlg_config_init(struct sl_dlg_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_dialogs = SL_DLG_POOL_DEFAULT;
	cfg->text_size = SL_DLG_TEXT_DEFAULT;
	cfg->max_routes = SL_DLG_ROUTES_DEFAULT;
	cfg->msg_buf_size = SL_TXN_MSG_BUF_DEFAULT;
	cfg->t1_ms = SL_TXN_T1_DEFAULT_MS;
	cfg->t2_ms = SL_TXN_T2_DEFAULT_MS;
}

const char *sl__dlg_end_name(enum sl_dlg_end why)
{
	static const char *const names[] = {
		[SL_DLG_END_REJECTED] = "rejected",
		[SL_DLG_END_FORK_LOST] = "fork-lost",
		[SL_DLG_END_EARLY_ENDED] = "early-ended",
		[SL_DLG_END_BYE_SENT] = "bye-sent",
		[SL_DLG_END_BYE_RECEIVED] = "bye-received",
		[SL_DLG_END_RESPONSE] = "response",
		[SL_DLG_END_USAGES] = "usages",
	};

	if ((unsigned)why >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[why];
}

const char *sl__dlg_state_name(enum sl_dlg_state s)
{
	static const char *const names[] = {
		[SL_DLG_STATE_FREE] = "free",
		[SL_DLG_STATE_SET] = "set",
		[SL_DLG_STATE_INIT] = "init",
		[SL_DLG_STATE_EARLY] = "early",
		[SL_DLG_STATE_CONFIRMED] = "confirmed",
	};

	if ((unsigned)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

/* splitmix64: spreads the seed's bits before xorshift uses them. */
static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

int sl__dlg_create(struct sl_dlg_table **out, struct sl_loop *loop,
		   struct sl_txn_layer *txn, const struct sl_dlg_config *cfg)
{
	const size_t al = alignof(max_align_t);
	struct sl_dlg_config c;
	struct sl_dlg_table *t;
	size_t off_slots, off_buckets, off_ids, off_routes;
	size_t off_scratch, off_uri, off_src, off_tmp, off_msg, total;
	uint32_t n_buckets = 16;
	unsigned char *mem;

	if (out)
		*out = NULL;
	if (!out || !loop || !txn || !cfg)
		return SL_EINVAL;
	c = *cfg;
	if (!c.max_dialogs)
		c.max_dialogs = SL_DLG_POOL_DEFAULT;
	if (!c.text_size)
		c.text_size = SL_DLG_TEXT_DEFAULT;
	if (!c.max_routes)
		c.max_routes = SL_DLG_ROUTES_DEFAULT;
	if (!c.msg_buf_size)
		c.msg_buf_size = SL_TXN_MSG_BUF_DEFAULT;
	if (!c.t1_ms)
		c.t1_ms = SL_TXN_T1_DEFAULT_MS;
	if (!c.t2_ms)
		c.t2_ms = SL_TXN_T2_DEFAULT_MS;
	if (c.max_dialogs > SL_DLG_POOL_MAX ||
	    c.text_size < SL_DLG_TEXT_MIN || c.text_size > SL_DLG_TEXT_MAX ||
	    c.max_routes > SL_DLG_ROUTES_MAX ||
	    c.msg_buf_size < SL_TXN_MSG_BUF_MIN ||
	    c.msg_buf_size > (size_t)64 * 1024 * 1024 ||
	    c.t2_ms < c.t1_ms || c.t1_ms > 60000)
		return SL_EINVAL;

	/* Twice as many buckets as slots keeps the chains short. */
	while (n_buckets < 2 * c.max_dialogs)
		n_buckets *= 2;
	off_slots = align_up(sizeof(*t), al);
	off_buckets = align_up(off_slots + sizeof(struct sl_dlg) *
			       c.max_dialogs, al);
	off_ids = align_up(off_buckets + sizeof(uint32_t) * n_buckets, al);
	off_routes = align_up(off_ids + sizeof(uint32_t) * n_buckets, al);
	off_scratch = align_up(off_routes + sizeof(struct sl_dlg_str) *
			       c.max_routes * c.max_dialogs, al);
	off_uri = align_up(off_scratch + c.text_size, al);
	off_src = align_up(off_uri + c.text_size, al);
	off_tmp = align_up(off_src + sizeof(struct sl_slice) * c.max_routes,
			   al);
	off_msg = align_up(off_tmp + sizeof(struct sl_dlg_str) * c.max_routes,
			   al);
	total = off_msg + c.msg_buf_size;

	/* The table's one allocation (STYLE §3.1). */
	mem = sl__calloc(1, total);
	if (!mem)
		return SL_ENOMEM;
	t = (struct sl_dlg_table *)mem;
	t->mem = mem;
	t->loop = loop;
	t->txn = txn;
	t->cfg = c;
	t->n_slots = c.max_dialogs;
	t->slots = (struct sl_dlg *)(mem + off_slots);
	t->buckets = (uint32_t *)(mem + off_buckets);
	t->id_buckets = (uint32_t *)(mem + off_ids);
	t->bucket_mask = n_buckets - 1;
	t->scratch = (char *)(mem + off_scratch);
	t->uri_buf = (char *)(mem + off_uri);
	t->route_src = (struct sl_slice *)(mem + off_src);
	t->route_tmp = (struct sl_dlg_str *)(mem + off_tmp);
	t->msg = (char *)(mem + off_msg);
	/* Text for every slot at its largest, plus a quarter: the store's
	 * classes do not merge, and a freed block of one size cannot serve
	 * another. Only what is written becomes resident. */
	if (sl__blocks_create(&t->text, (size_t)c.text_size *
			      c.max_dialogs / 4 * 5 + 2 * c.text_size,
			      c.text_size) < 0) {
		sl__free(mem);
		return SL_ENOMEM;
	}
	if (!c.random) {
		uint64_t seed = c.seed;

		if (!seed && getrandom(&seed, sizeof(seed), GRND_NONBLOCK) !=
		    (ssize_t)sizeof(seed))
			seed = sl__loop_now_us(loop) ^ (uint64_t)(uintptr_t)t;
		t->rng = mix64(seed);
		if (!t->rng)
			t->rng = 1;
	}
	t->stats.cap = c.max_dialogs;

	/* Slots are wired when first taken (sl__dlg_alloc()), in index
	 * order: the zeroed pages of slots never used stay uncommitted. */
	t->routes_base = (struct sl_dlg_str *)(mem + off_routes);
	t->fresh = 0;
	*out = t;
	return 0;
}

void sl__dlg_destroy(struct sl_dlg_table *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->fresh; i++)
		if (t->slots[i].id)
			sl__loop_timer_stop(t->loop, &t->slots[i].t_2xx);
	sl__blocks_destroy(t->text);
	sl__free(t->mem);
}

uint32_t sl__dlg_random(struct sl_dlg_table *t)
{
	uint64_t x;

	if (t->cfg.random)
		return t->cfg.random(t->cfg.random_arg);
	/* xorshift64*: back-off and Retry-After need spread, not secrecy. */
	x = t->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	t->rng = x;
	return (uint32_t)((x * 0x2545f4914f6cdd1dull) >> 32);
}

/* ---- slots and ids ---- */

static uint32_t *id_bucket(struct sl_dlg_table *t, uint32_t id)
{
	return &t->id_buckets[id & t->bucket_mask];
}

struct sl_dlg *sl__dlg_get(struct sl_dlg_table *t, uint32_t id)
{
	uint32_t i;

	if (!id)
		return NULL;
	for (i = *id_bucket(t, id); i; i = t->slots[i - 1].id_next)
		if (t->slots[i - 1].id == id)
			return &t->slots[i - 1];
	return NULL;
}

/* The next id: never 0, never one in use (only after a wrap). */
static uint32_t new_id(struct sl_dlg_table *t)
{
	for (;;) {
		uint32_t id = ++t->next_id;

		if (id && !sl__dlg_get(t, id))
			return id;
	}
}

struct sl_dlg *sl__dlg_alloc(struct sl_dlg_table *t)
{
	struct sl_dlg *d;
	uint32_t *b;

	if (t->free_head) {
		d = &t->slots[t->free_head - 1];
		t->free_head = d->next;
	} else if (t->fresh < t->n_slots) {
		d = &t->slots[t->fresh];
		d->index = t->fresh;
		d->routes = t->routes_base +
			    (size_t)t->fresh * t->cfg.max_routes;
		t->fresh++;
	} else {
		return NULL;
	}
	{
		/* Everything but the slot's fixed wiring starts at zero. */
		uint32_t index = d->index;
		struct sl_dlg_str *routes = d->routes;

		memset(d, 0, sizeof(*d));
		d->index = index;
		d->text = no_text;
		d->routes = routes;
		d->tab = t;
	}
	sl__timer_init(&d->t_2xx, NULL, d);
	d->id = new_id(t);
	b = id_bucket(t, d->id);
	d->id_next = *b;
	*b = d->index + 1;
	t->stats.used++;
	if (t->stats.used > t->stats.high)
		t->stats.high = t->stats.used;
	return d;
}

static void unlink_chain(struct sl_dlg_table *t, uint32_t *head,
			 struct sl_dlg *d, int by_id)
{
	uint32_t *pp = head;

	while (*pp) {
		struct sl_dlg *x = &t->slots[*pp - 1];

		if (x == d) {
			*pp = by_id ? x->id_next : x->next;
			return;
		}
		pp = by_id ? &x->id_next : &x->next;
	}
}

void sl__dlg_free(struct sl_dlg *d)
{
	struct sl_dlg_table *t = d->tab;

	sl__loop_timer_stop(t->loop, &d->t_2xx);
	if (d->hashed)
		unlink_chain(t, &t->buckets[d->hash & t->bucket_mask], d, 0);
	d->hashed = 0;
	unlink_chain(t, id_bucket(t, d->id), d, 1);
	d->id = 0;
	d->state = SL_DLG_STATE_FREE;
	if (d->text_cap)
		sl__blocks_put(t->text, d->text, d->text_cap);
	d->text = no_text;
	d->text_cap = 0;
	d->text_used = 0;
	memset(d->s, 0, sizeof(d->s));
	d->n_routes = 0;
	d->next = t->free_head;
	t->free_head = d->index + 1;
	t->stats.used--;
}

/* ---- the key hash ---- */

static uint32_t fnv(uint32_t h, struct sl_slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 16777619u;
	}
	return h;
}

uint32_t sl__dlg_key_hash(struct sl_slice call_id, struct sl_slice ltag)
{
	static const struct sl_slice sep = { "\n", 1 };

	/* The separator keeps ("ab", "c") and ("a", "bc") apart. */
	return fnv(fnv(fnv(2166136261u, call_id), sep), ltag);
}

void sl__dlg_hash_insert(struct sl_dlg *d)
{
	struct sl_dlg_table *t = d->tab;
	uint32_t *b;

	d->hash = sl__dlg_key_hash(sl__dlg_str(d, SL_DLG_S_CALL_ID),
				   sl__dlg_str(d, SL_DLG_S_LOCAL_TAG));
	b = &t->buckets[d->hash & t->bucket_mask];
	d->next = *b;
	*b = d->index + 1;
	d->hashed = 1;
}

static int slice_eq(struct sl_slice a, struct sl_slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

struct sl_dlg *sl__dlg_key_next(struct sl_dlg_table *t,
				struct sl_slice call_id,
				struct sl_slice ltag, struct sl_dlg *after)
{
	uint32_t h = sl__dlg_key_hash(call_id, ltag);
	uint32_t i = after ? after->next : t->buckets[h & t->bucket_mask];

	for (; i; i = t->slots[i - 1].next) {
		struct sl_dlg *d = &t->slots[i - 1];

		/* Call-ID and tags compare byte for byte (§12.2.2 as every
		 * implementation reads it: case matters). */
		if (d->hash == h &&
		    slice_eq(sl__dlg_str(d, SL_DLG_S_CALL_ID), call_id) &&
		    slice_eq(sl__dlg_str(d, SL_DLG_S_LOCAL_TAG), ltag))
			return d;
	}
	return NULL;
}

struct sl_dlg *sl__dlg_lookup(struct sl_dlg_table *t, struct sl_slice call_id,
			      struct sl_slice ltag, struct sl_slice rtag)
{
	struct sl_dlg *d = NULL;

	while ((d = sl__dlg_key_next(t, call_id, ltag, d)) != NULL)
		if (sl__dlg_is_dialog(d) &&
		    slice_eq(sl__dlg_str(d, SL_DLG_S_REMOTE_TAG), rtag))
			return d;
	return NULL;
}

/* ---- text ---- */

struct sl_slice sl__dlg_str(const struct sl_dlg *d, enum sl_dlg_str_id i)
{
	struct sl_slice s = { d->text + d->s[i].off, d->s[i].len };

	return s;
}

struct sl_slice sl__dlg_route_str(const struct sl_dlg *d, unsigned i)
{
	struct sl_slice s = { d->text + d->routes[i].off, d->routes[i].len };

	return s;
}

void sl__dlg_vals_of(const struct sl_dlg *d, struct sl_dlg_vals *v)
{
	struct sl_dlg_table *t = d->tab;

	memset(v, 0, sizeof(*v));
	for (int i = 0; i < SL_DLG_S__COUNT; i++)
		v->s[i] = sl__dlg_str(d, (enum sl_dlg_str_id)i);
	for (unsigned i = 0; i < d->n_routes; i++)
		t->route_src[i] = sl__dlg_route_str(d, i);
	v->routes = t->route_src;
	v->n_routes = d->n_routes;
}

/*
 * Appends @s to the scratch area at *@used with a NUL. A display name
 * (@display) loses the backslashes of its quoted-pairs and any control
 * character, so the builder can quote it again; other text is copied as
 * is (the builder refuses what it must).
 */
static int put(struct sl_dlg_table *t, size_t *used, struct sl_slice s,
	       int display, struct sl_dlg_str *out)
{
	size_t start = *used, n = start;

	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (display) {
			if (c == '\\' && i + 1 < s.len)
				c = (unsigned char)s.p[++i];
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				continue;
		}
		if (n + 1 >= t->cfg.text_size)
			return SL_ETOOBIG;
		t->scratch[n++] = (char)c;
	}
	if (n + 1 > t->cfg.text_size)
		return SL_ETOOBIG;
	t->scratch[n++] = '\0';
	out->off = (uint16_t)start;
	out->len = (uint16_t)(n - 1 - start);
	*used = n;
	return 0;
}

int sl__dlg_store(struct sl_dlg *d, const struct sl_dlg_vals *v)
{
	struct sl_dlg_table *t = d->tab;
	struct sl_dlg_str s[SL_DLG_S__COUNT];
	size_t used = 0;
	int rc;

	if (v->n_routes > t->cfg.max_routes)
		return SL_ETOOBIG;
	for (int i = 0; i < SL_DLG_S__COUNT; i++) {
		rc = put(t, &used, v->s[i], (v->display >> i) & 1u, &s[i]);
		if (rc < 0)
			return rc;
	}
	/* The route entries go in the slot only once everything fit, so a
	 * failure leaves @d as it was. */
	for (unsigned i = 0; i < v->n_routes; i++) {
		rc = put(t, &used, v->routes[i], 0, &t->route_tmp[i]);
		if (rc < 0)
			return rc;
	}
	if (used > d->text_cap) {
		/* A bigger block first; the old one goes back only once the
		 * new one is there, so a failure leaves @d as it was. */
		void *blk;
		int cap = sl__blocks_get(t->text, used, &blk);

		if (cap < 0)
			return cap;
		if (d->text_cap)
			sl__blocks_put(t->text, d->text, d->text_cap);
		d->text = blk;
		d->text_cap = (uint32_t)cap;
	}
	memcpy(d->text, t->scratch, used);
	d->text_used = (uint16_t)used;
	memcpy(d->s, s, sizeof(s));
	memcpy(d->routes, t->route_tmp,
	       v->n_routes * sizeof(struct sl_dlg_str));
	d->n_routes = (uint16_t)v->n_routes;
	return 0;
}

/* ---- ending ---- */

void sl__dlg_end(struct sl_dlg *d, enum sl_dlg_end why, int status)
{
	struct sl_dlg_table *t = d->tab;
	uint32_t id = d->id;

	sl_log_debug(SL_DLG_LOG, "%08x ended in %s: %s (%d)", (unsigned)id,
		     sl__dlg_state_name((enum sl_dlg_state)d->state),
		     sl__dlg_end_name(why), status);
	sl__dlg_free(d);
	if (t->cfg.ev.terminated)
		t->cfg.ev.terminated(t->cfg.ev.arg, id, why, status);
}

int sl__dlg_end_invite_usage(struct sl_dlg *d, enum sl_dlg_end why,
			     int status)
{
	d->flags &= ~(unsigned)SL_DLG_F_INVITE_USAGE;
	if (d->sub_usages)
		return 0;
	sl__dlg_end(d, why, status);
	return 1;
}

int sl__dlg_terminate(struct sl_dlg_table *t, uint32_t id)
{
	struct sl_dlg *d;

	if (!t)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	sl_log_debug(SL_DLG_LOG, "%08x terminated in %s", (unsigned)id,
		     sl__dlg_state_name((enum sl_dlg_state)d->state));
	sl__dlg_free(d);
	return 0;
}

/* ---- usages (RFC 5057) ---- */

int sl__dlg_usage_add(struct sl_dlg_table *t, uint32_t id)
{
	struct sl_dlg *d;

	if (!t)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	if (d->state == SL_DLG_STATE_SET)
		return SL_ESTATE;
	if (d->sub_usages == UINT16_MAX)
		return SL_ELIMIT;
	d->sub_usages++;
	return 0;
}

int sl__dlg_usage_del(struct sl_dlg_table *t, uint32_t id)
{
	struct sl_dlg *d;

	if (!t)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	if (d->state == SL_DLG_STATE_SET || !d->sub_usages)
		return SL_ESTATE;
	d->sub_usages--;
	if (d->sub_usages || (d->flags & SL_DLG_F_INVITE_USAGE))
		return 0;
	sl__dlg_end(d, SL_DLG_END_USAGES, 0);
	return 1;
}

int sl__dlg_has_contact(const struct sl_txn_hdr *hdrs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const char *name = hdrs[i].name;

		if (name && (strcmp(name, "m") == 0 || strcmp(name, "M") == 0 ||
			     sl_slice_ieq((struct sl_slice){ name,
						   strlen(name) }, "Contact")))
			return 1;
	}
	return 0;
}

int sl__dlg_target_refresh(enum sl_method m)
{
	return m == SL_METHOD_INVITE || m == SL_METHOD_UPDATE ||
	       m == SL_METHOD_SUBSCRIBE || m == SL_METHOD_NOTIFY;
}

int sl__dlg_invite_usage_method(enum sl_method m)
{
	return m == SL_METHOD_INVITE || m == SL_METHOD_UPDATE ||
	       m == SL_METHOD_PRACK || m == SL_METHOD_INFO ||
	       m == SL_METHOD_BYE || m == SL_METHOD_ACK ||
	       m == SL_METHOD_CANCEL;
}

/* ---- lookups ---- */

int sl__dlg_info(struct sl_dlg_table *t, uint32_t id,
		 struct sl_dlg_info *out)
{
	struct sl_dlg *d;

	if (!t || !out)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	memset(out, 0, sizeof(*out));
	out->state = (enum sl_dlg_state)d->state;
	out->flags = d->flags;
	if (d->state != SL_DLG_STATE_SET && (d->pending_invite ||
					     sl__dlg_peer_invite_pending(d)))
		out->flags |= SL_DLG_F_INVITE_PENDING;
	out->method = (enum sl_method)d->method;
	out->set = d->set;
	out->local_cseq = d->local_cseq;
	out->remote_cseq = d->remote_cseq;
	out->invite_cseq = d->invite_cseq;
	out->sub_usages = d->sub_usages;
	out->n_routes = d->n_routes;
	out->call_id = sl__dlg_str(d, SL_DLG_S_CALL_ID);
	out->local_tag = sl__dlg_str(d, SL_DLG_S_LOCAL_TAG);
	out->remote_tag = sl__dlg_str(d, SL_DLG_S_REMOTE_TAG);
	out->local_uri = sl__dlg_str(d, SL_DLG_S_LOCAL_URI);
	out->remote_uri = sl__dlg_str(d, SL_DLG_S_REMOTE_URI);
	out->remote_target = sl__dlg_str(d, SL_DLG_S_TARGET);
	out->contact = sl__dlg_str(d, SL_DLG_S_CONTACT);
	return 0;
}

int sl__dlg_set_contact(struct sl_dlg_table *t, uint32_t id,
			const char *contact)
{
	struct sl_dlg_vals v;
	struct sl_dlg *d;

	if (!t || !contact || !contact[0])
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	sl__dlg_vals_of(d, &v);
	v.s[SL_DLG_S_CONTACT].p = contact;
	v.s[SL_DLG_S_CONTACT].len = strlen(contact);
	return sl__dlg_store(d, &v);
}

int sl__dlg_route(struct sl_dlg_table *t, uint32_t id, unsigned i,
		  struct sl_slice *uri)
{
	struct sl_dlg *d;

	if (!t || !uri)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d || i >= d->n_routes)
		return SL_ENOTFOUND;
	*uri = sl__dlg_route_str(d, i);
	return 0;
}

int sl__dlg_find(struct sl_dlg_table *t, struct sl_slice call_id,
		 struct sl_slice local_tag, struct sl_slice remote_tag,
		 uint32_t *id)
{
	struct sl_dlg *d;

	if (!t || !id || (call_id.len && !call_id.p) ||
	    (local_tag.len && !local_tag.p) ||
	    (remote_tag.len && !remote_tag.p))
		return SL_EINVAL;
	d = sl__dlg_lookup(t, call_id, local_tag, remote_tag);
	if (!d)
		return SL_ENOTFOUND;
	*id = d->id;
	return 0;
}

int sl__dlg_stats(const struct sl_dlg_table *t, struct sl_dlg_stats *out)
{
	if (!t || !out)
		return SL_EINVAL;
	*out = t->stats;
	return 0;
}

/* ---- message helpers ---- */

int sl__dlg_msg_contact(const struct sl_msg *m, struct sl_slice *uri)
{
	struct sl_contact c;
	uint16_t i = m->first[SL_HDR_CONTACT];

	if (i == SL_HDR_NONE)
		return SL_ENOTFOUND;
	if (sl_contact_decode(m->hdrs[i].value, &c) < 0 || c.star ||
	    !c.addr.uri_text.len)
		return SL_EPARSE;
	*uri = c.addr.uri_text;
	return 0;
}

int sl__dlg_msg_record_route(struct sl_dlg_table *t, const struct sl_msg *m,
			     int reverse)
{
	unsigned n = 0;

	for (uint16_t i = m->first[SL_HDR_RECORD_ROUTE]; i != SL_HDR_NONE;
	     i = m->hdrs[i].next) {
		struct sl_name_addr na;

		if (n == t->cfg.max_routes)
			return SL_ETOOBIG;
		if (sl_name_addr_decode(m->hdrs[i].value, &na) < 0 ||
		    !na.uri_text.len)
			return SL_EPARSE;
		/* §12.1.1, §12.1.2: the URIs only; header parameters of a
		 * Record-Route value are not part of the route set. */
		t->route_src[n++] = na.uri_text;
	}
	if (reverse) {
		for (unsigned i = 0; i < n / 2; i++) {
			struct sl_slice x = t->route_src[i];

			t->route_src[i] = t->route_src[n - 1 - i];
			t->route_src[n - 1 - i] = x;
		}
	}
	return (int)n;
}

/* ---- the UA's number for a slot ---- */

int sl__dlg_set_user(struct sl_dlg_table *t, uint32_t id, uint32_t user)
{
	struct sl_dlg *d;

	if (!t)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	d->user = user;
	return 0;
}

uint32_t sl__dlg_user(struct sl_dlg_table *t, uint32_t id)
{
	struct sl_dlg *d = t ? sl__dlg_get(t, id) : NULL;

	return d ? d->user : 0;
}
