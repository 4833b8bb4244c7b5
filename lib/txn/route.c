/*
 * lib/txn/route.c: sending a request to a located next hop, with fail-over
 * (RFC 3263 §4.3 over RFC 3261 §17.1 client transactions).
 *
 * Owns: the router's send slots and its scratch buffer (allocated at
 * creation); each live slot holds one locator request.
 * Thread: the SIP loop thread only.
 * Called by: the dialog and UA layers (sl__route_send, sl__route_cancel);
 * their TU callbacks (the sl__route_on_* hooks); the locator and the loop
 * (locate results, the deferred first attempt of a pinned send).
 *
 * A slot is Locating (waiting for the locator), Deferred (a pinned send
 * waiting for its zero timer, so nothing is reported inside
 * sl__route_send()), or Sending (one transaction in progress). Each
 * attempt is a new transaction with the slot as its user pointer; an
 * attempt that failed over may leave its transaction alive for a while (a
 * 503'd INVITE sits in Completed for Timer D to ACK retransmissions), so
 * events for a slot's transaction other than the current one are consumed
 * and ignored. A final response hands the transaction to the caller
 * (sl__txn_set_user) and frees the slot at once.
 */
#include <string.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "core/timer.h"
#include "route.h"

#define ROUTE_LOG "route"

enum state { ST_FREE = 0, ST_LOCATING, ST_DEFERRED, ST_SENDING };

/**
 * struct send - one send slot.
 * @id:       the live id, 0 while free.
 * @gen:      bumped on each use so ids do not repeat soon.
 * @early:    the current target sent a 101-199: it is kept (see route.h).
 * @pin_used: a pinned send's one target was handed out.
 * @loc:      the locator request (0: none).
 * @txn:      the current attempt's transaction (0: none in progress).
 * @last_err, @last_timer: why the previous attempt failed.
 * @defer:    fires a pinned send's first attempt from the loop.
 */
struct send {
	struct sl_router *r;
	uint32_t id;
	uint32_t gen;
	uint8_t state;
	uint8_t pinned;
	uint8_t pin_used;
	uint8_t early;
	char last_timer;
	unsigned attempt;
	uint32_t loc;
	uint32_t txn;
	int last_err;
	sl_route_build_cb build;
	sl_route_cb cb;
	void *arg;
	void *user;
	struct sl_timer defer;
	struct sl_route_target target;
};

struct sl_router {
	struct sl_loop *loop;
	struct sl_txn_layer *txn;
	struct sl_locator *lc;
	struct sl_tpmgr *tp;
	uint32_t cap;
	uint32_t active;
	struct send *sends;
	char *scratch;
	size_t scratch_cap;
};

/* ---- configuration and life ---- */

void sl__router_config_init(struct sl_router_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_sends = SL_ROUTE_SENDS_DEFAULT;
	cfg->msg_buf_size = SL_TXN_MSG_BUF_DEFAULT;
}

static void on_defer(struct sl_timer *t, void *arg);

int sl__router_create(struct sl_router **out, struct sl_loop *loop,
		      struct sl_txn_layer *txn, struct sl_locator *lc,
		      struct sl_tpmgr *tp, const struct sl_router_config *cfg)
{
	struct sl_router_config def;
	struct sl_router *r;
	uint32_t cap;
	size_t buf;

	if (!out)
		return SL_EINVAL;
	*out = NULL;
	if (!loop || !txn)
		return SL_EINVAL;
	if (!cfg) {
		sl__router_config_init(&def);
		cfg = &def;
	}
	cap = cfg->max_sends ? cfg->max_sends : SL_ROUTE_SENDS_DEFAULT;
	buf = cfg->msg_buf_size ? cfg->msg_buf_size : SL_TXN_MSG_BUF_DEFAULT;
	if (cap > SL_ROUTE_SENDS_MAX || buf < SL_TXN_MSG_BUF_MIN)
		return SL_EINVAL;
	r = sl__calloc(1, sizeof(*r));
	if (!r)
		return SL_ENOMEM;
	r->sends = sl__calloc(cap, sizeof(*r->sends));
	r->scratch = sl__calloc(1, buf);
	if (!r->sends || !r->scratch) {
		sl__free(r->sends);
		sl__free(r->scratch);
		sl__free(r);
		return SL_ENOMEM;
	}
	r->loop = loop;
	r->txn = txn;
	r->lc = lc;
	r->tp = tp;
	r->cap = cap;
	r->scratch_cap = buf;
	for (uint32_t i = 0; i < cap; i++) {
		r->sends[i].r = r;
		sl__timer_init(&r->sends[i].defer, on_defer, &r->sends[i]);
	}
	*out = r;
	return 0;
}

/* Returns @s to the pool: its locator request and timer go with it. */
static void free_send(struct send *s)
{
	struct sl_router *r = s->r;

	if (s->loc)
		sl__locate_release(r->lc, s->loc);
	s->loc = 0;
	sl__loop_timer_stop(r->loop, &s->defer);
	s->id = 0;
	s->txn = 0;
	s->state = ST_FREE;
	s->cb = NULL;
	s->build = NULL;
	s->arg = NULL;
	s->user = NULL;
	r->active--;
}

void sl__router_destroy(struct sl_router *r)
{
	if (!r)
		return;
	for (uint32_t i = 0; i < r->cap; i++)
		if (r->sends[i].id)
			free_send(&r->sends[i]);
	sl__free(r->sends);
	sl__free(r->scratch);
	sl__free(r);
}

unsigned sl__router_active(const struct sl_router *r)
{
	return r ? r->active : 0;
}

/* ---- targets ---- */

/* Copies NUL-terminated @src (NULL: "") into @dst, cut to fit. */
static void copy_name(char *dst, const char *src)
{
	size_t n = src ? strnlen(src, SL_ROUTE_NAME_MAX - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

int sl__route_target_dest(const struct sl_route_target *t,
			  struct sl_tp_dest *out)
{
	if (!t || !out)
		return SL_EINVAL;
	memset(out, 0, sizeof(*out));
	out->tp = t->tp;
	out->addr = t->addr;
	out->flow = t->flow;
	/* Only TLS reads the name; other transports get none, so nothing
	 * can dereference it after @t is gone. */
	out->tls_name = t->tp == SL_TP_TLS && t->tls_name[0] ? t->tls_name
							      : NULL;
	return 0;
}

/* Logs what happened to the current attempt: "UDP 192.0.2.1 port 5060
 * (sip1.example.com): <why>". */
static void log_attempt(const struct send *s, const char *why,
			const char *more)
{
	char host[64];

	if (sl__addr_host(&s->target.addr, host, sizeof(host)) < 0)
		memcpy(host, "?", 2);
	sl_log_info(ROUTE_LOG, "%u: attempt %u, %s %s port %u (%s): %s%s",
		    (unsigned)s->id, s->attempt, sl__tp_name(s->target.tp),
		    host, sl__addr_port(&s->target.addr), s->target.name, why,
		    more);
}

/* The next target into s->target. Return: 0 or SL_ENOTFOUND (none left). */
static int take_target(struct send *s)
{
	struct sl_locate_target t;
	int rc;

	if (s->pinned) {
		if (s->pin_used)
			return SL_ENOTFOUND;
		s->pin_used = 1;
		return 0;
	}
	rc = sl__locate_next(s->r->lc, s->loc, &t);
	if (rc < 0)
		return SL_ENOTFOUND;
	s->target.tp = t.tp;
	s->target.addr = t.addr;
	s->target.flow = 0;
	copy_name(s->target.name, t.name);
	copy_name(s->target.tls_name, t.domain);
	return 0;
}

/* 1 when no target follows the current one. */
static int is_last(const struct send *s)
{
	struct sl_locate_target t;

	if (s->pinned)
		return 1;
	return sl__locate_get(s->r->lc, s->loc, s->attempt, &t) < 0;
}

/* ---- the outcome ---- */

/* Frees @s and reports its final event; @ev's pointers are copies. */
static void finish(struct send *s, struct sl_route_event *ev)
{
	struct sl_route_target target = s->target;
	sl_route_cb cb = s->cb;
	void *arg = s->arg;
	uint32_t id = s->id;

	ev->final = 1;
	ev->attempt = s->attempt;
	ev->target = s->attempt ? &target : NULL;
	free_send(s);
	cb(arg, id, ev);
}

static void fail(struct send *s, int err, char timer)
{
	struct sl_route_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = SL_ROUTE_EV_FAILED;
	ev.err = err;
	ev.timer = err == SL_ETIMEOUT ? timer : 0;
	sl_log_info(ROUTE_LOG, "%u: failed after %u target(s): %s",
		    (unsigned)s->id, s->attempt, sl_strerror(err));
	finish(s, &ev);
}

/* ---- attempts ---- */

/*
 * Builds and sends the request for s->target. Return: 0 when a transaction
 * runs; else the error, with *@fatal set unless it is a transport error of
 * this target (then the next one may do better).
 */
static int try_target(struct send *s, int *fatal)
{
	struct sl_router *r = s->r;
	struct sl_route_build b;
	struct sl_addr local;
	struct sl_tp_dest dst;
	struct sl_txn_info info;
	char branch[SL_TXN_BRANCH_MAX];
	uint32_t id = s->id, txn = 0;
	int n, rc;

	*fatal = 1;
	memset(&b, 0, sizeof(b));
	b.target = &s->target;
	b.attempt = s->attempt;
	b.branch = branch;
	if (r->tp && sl__tpmgr_local_for(r->tp, s->target.tp,
					 sl__addr_family(&s->target.addr),
					 &local) == 0) {
		b.local = &local;
	} else if (r->tp && sl__tp_reliable(s->target.tp)) {
		/* No listener of this transport: the connection is opened
		 * first and our end of it is the Via sent-by (RFC 3261
		 * §18.1.1: the response comes back on it). */
		sl__route_target_dest(&s->target, &dst);
		rc = sl__tp_connect(r->tp, &dst, &local);
		if (rc < 0) {
			if (rc == SL_ETRANSPORT)
				*fatal = 0;
			return rc;
		}
		s->target.flow = dst.flow;
		b.local = &local;
	}
	rc = sl__txn_branch(r->txn, branch, sizeof(branch));
	if (rc < 0)
		return rc;
	n = s->build(s->arg, id, &b, r->scratch, r->scratch_cap);
	if (s->id != id)
		return SL_ESTATE;        /* cancelled inside the callback */
	if (n < 0)
		return n;
	if (n == 0 || (size_t)n > r->scratch_cap)
		return SL_EINVAL;
	sl__route_target_dest(&s->target, &dst);
	rc = sl__txn_request(r->txn, r->scratch, (size_t)n, &dst, s, &txn);
	if (rc == SL_ETRANSPORT)
		*fatal = 0;
	if (rc < 0)
		return rc;
	s->txn = txn;
	/* The first send opened (or found) the connection. */
	if (sl__txn_info(r->txn, txn, &info) == 0)
		s->target.flow = info.dst.flow;
	*fatal = 0;
	return 0;
}

/*
 * Tries targets until one takes the request (a transaction runs) or none
 * is left (the send fails with the last error). Bounded by the locator's
 * target list.
 */
static void next_attempt(struct send *s)
{
	uint32_t id = s->id;
	int fatal, rc;

	for (unsigned i = 0; i <= SL_LOCATE_MAX_TARGETS; i++) {
		if (take_target(s) < 0)
			break;
		s->attempt++;
		s->early = 0;
		s->txn = 0;
		rc = try_target(s, &fatal);
		if (s->id != id)
			return;
		if (rc == 0)
			return;
		if (fatal) {
			fail(s, rc, 0);
			return;
		}
		log_attempt(s, sl_strerror(rc), ", trying the next target");
		s->last_err = rc;
		s->last_timer = 0;
	}
	fail(s, s->last_err ? s->last_err : SL_ENOTFOUND, s->last_timer);
}

/*
 * The current attempt failed with @err (a transport error or, with
 * @timer, Timer B/F). A target that sent a 101-199 is kept: the failure is
 * the send's; otherwise the next target is tried.
 */
static void attempt_failed(struct send *s, int err, char timer)
{
	s->txn = 0;
	s->last_err = err;
	s->last_timer = timer;
	if (s->early) {
		fail(s, err, timer);
		return;
	}
	log_attempt(s, sl_strerror(err), timer == 'B' ? " (Timer B)" :
		    timer == 'F' ? " (Timer F)" : "");
	next_attempt(s);
}

static void on_located(void *arg, uint32_t loc, int err, unsigned n)
{
	struct send *s = arg;

	if (s->state != ST_LOCATING || s->loc != loc)
		return;
	if (err) {
		s->loc = 0;             /* released by the locator */
		fail(s, err, 0);
		return;
	}
	sl_log_debug(ROUTE_LOG, "%u: %u target(s)", (unsigned)s->id, n);
	s->state = ST_SENDING;
	next_attempt(s);
}

static void on_defer(struct sl_timer *t, void *arg)
{
	struct send *s = arg;

	(void)t;
	if (s->state != ST_DEFERRED)
		return;
	s->state = ST_SENDING;
	next_attempt(s);
}

/* ---- the public side ---- */

static struct send *alloc_send(struct sl_router *r)
{
	for (uint32_t i = 0; i < r->cap; i++) {
		struct send *s = &r->sends[i];

		if (s->id)
			continue;
		s->gen++;
		if ((uint64_t)s->gen * r->cap + i + 1 > UINT32_MAX)
			s->gen = 0;
		s->id = s->gen * r->cap + i + 1;
		r->active++;
		return s;
	}
	return NULL;
}

static struct send *find(const struct sl_router *r, uint32_t id)
{
	struct send *s;

	if (!r || !id)
		return NULL;
	s = &r->sends[(id - 1) % r->cap];
	return s->id == id ? s : NULL;
}

int sl__route_send(struct sl_router *r, const struct sl_route_req *req,
		   uint32_t *id)
{
	struct sl_locate_query q;
	struct send *s;
	int rc;

	if (id)
		*id = 0;
	if (!r || !req || !id || !req->build || !req->cb ||
	    !req->uri == !req->pin)
		return SL_EINVAL;
	if (req->uri) {
		rc = sl__locate_query_from_uri(req->uri, &q);
		if (rc < 0)
			return rc;
		if (!r->lc)
			return SL_EUNSUPP;
	}
	s = alloc_send(r);
	if (!s) {
		sl_log_warn(ROUTE_LOG, "all %u send slots in use",
			    (unsigned)r->cap);
		return SL_ENOMEM;
	}
	s->pinned = req->pin != NULL;
	s->pin_used = 0;
	s->early = 0;
	s->attempt = 0;
	s->last_err = 0;
	s->last_timer = 0;
	s->loc = 0;
	s->txn = 0;
	s->build = req->build;
	s->cb = req->cb;
	s->arg = req->arg;
	s->user = req->user;
	memset(&s->target, 0, sizeof(s->target));
	if (req->pin) {
		s->target = *req->pin;
		s->target.name[SL_ROUTE_NAME_MAX - 1] = '\0';
		s->target.tls_name[SL_ROUTE_NAME_MAX - 1] = '\0';
		s->state = ST_DEFERRED;
		rc = sl__loop_timer_start(r->loop, &s->defer, 0);
	} else {
		s->state = ST_LOCATING;
		rc = sl__locate_start(r->lc, &q, on_located, s, &s->loc);
	}
	if (rc < 0) {
		s->loc = 0;
		free_send(s);
		return rc;
	}
	*id = s->id;
	return 0;
}

int sl__route_cancel(struct sl_router *r, uint32_t id, uint32_t *txn)
{
	struct send *s;

	if (txn)
		*txn = 0;
	if (!r)
		return SL_EINVAL;
	s = find(r, id);
	if (!s)
		return SL_ENOTFOUND;
	if (s->state == ST_SENDING && s->txn) {
		if (txn) {
			sl__txn_set_user(r->txn, s->txn, s->user);
			*txn = s->txn;
		} else {
			sl__txn_abort(r->txn, s->txn);
		}
	}
	sl_log_debug(ROUTE_LOG, "%u: cancelled", (unsigned)id);
	free_send(s);
	return 0;
}

int sl__route_target(const struct sl_router *r, uint32_t id,
		     struct sl_route_target *out)
{
	const struct send *s;

	if (!r || !out)
		return SL_EINVAL;
	s = find(r, id);
	if (!s)
		return SL_ENOTFOUND;
	if (!s->pinned && s->attempt == 0)
		return SL_ESTATE;
	*out = s->target;
	return 0;
}

/* ---- hooks ---- */

/* The slot @user names, when it is one of @r's; NULL otherwise. */
static struct send *mine(struct sl_router *r, const void *user)
{
	uintptr_t p = (uintptr_t)user, base;
	size_t off;

	if (!r || !user)
		return NULL;
	base = (uintptr_t)r->sends;
	if (p < base || p - base >= (size_t)r->cap * sizeof(struct send))
		return NULL;
	off = (size_t)(p - base);
	if (off % sizeof(struct send))
		return NULL;
	return &r->sends[off / sizeof(struct send)];
}

/* The slot whose current attempt is @txn, or NULL (an earlier attempt's
 * transaction, or a slot since reused). */
static struct send *current(struct send *s, uint32_t txn)
{
	return s->state == ST_SENDING && s->txn && s->txn == txn ? s : NULL;
}

int sl__route_on_response(struct sl_router *r, uint32_t txn, void *user,
			  struct sl_rxbuf *rx)
{
	struct send *s = mine(r, user);
	struct sl_route_event ev;
	int status;

	if (!s)
		return 0;
	if (!current(s, txn) || !rx)
		return 1;
	status = rx->msg.status;
	if (rx->flow)
		s->target.flow = rx->flow;
	memset(&ev, 0, sizeof(ev));
	ev.type = SL_ROUTE_EV_RESPONSE;
	ev.rx = rx;
	ev.txn = txn;
	if (status < 200) {
		/* A 101-199 may have made an early dialog with this target
		 * at the caller: it must not see a second one elsewhere. */
		if (status > 100)
			s->early = 1;
		ev.target = &s->target;
		ev.attempt = s->attempt;
		s->cb(s->arg, s->id, &ev);
		return 1;
	}
	if (status == 503 && !s->early && !is_last(s)) {
		/* RFC 3263 §4.3. The transaction stays (Completed) to ACK
		 * retransmissions; its events are ignored from now on. */
		log_attempt(s, "503", ", trying the next target");
		s->txn = 0;
		s->last_err = SL_EFAIL;
		s->last_timer = 0;
		next_attempt(s);
		return 1;
	}
	/* The caller owns the transaction from here on (2xx retransmissions
	 * in Accepted, its terminated callback). */
	sl__txn_set_user(r->txn, txn, s->user);
	finish(s, &ev);
	return 1;
}

int sl__route_on_timeout(struct sl_router *r, uint32_t txn, void *user,
			 char timer)
{
	struct send *s = mine(r, user);

	if (!s)
		return 0;
	if (current(s, txn))
		attempt_failed(s, SL_ETIMEOUT, timer);
	return 1;
}

int sl__route_on_transport_error(struct sl_router *r, uint32_t txn,
				 void *user, int err)
{
	struct send *s = mine(r, user);

	if (!s)
		return 0;
	if (current(s, txn))
		attempt_failed(s, err < 0 ? err : SL_ETRANSPORT, 0);
	return 1;
}

int sl__route_on_terminated(struct sl_router *r, uint32_t txn, void *user)
{
	struct send *s = mine(r, user);

	if (!s)
		return 0;
	/* The layer reports a timeout or transport error before it ends a
	 * transaction without a final response; an end with none of those
	 * (not expected) still must not leave the send waiting forever. */
	if (current(s, txn))
		attempt_failed(s, SL_ETRANSPORT, 0);
	return 1;
}
