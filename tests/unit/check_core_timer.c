/*
 * tests/unit/check_core_timer.c: the clocks (lib/core/clock.c) and the timer
 * heap (lib/core/timer.c): ordering, FIFO ties, stop and re-arm, callbacks
 * that arm and stop, the per-call bound, exhaustion, and 10,000 random
 * operations checked against a plain reference model.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "core/clock.h"
#include "core/timer.h"
#include "sipline/error.h"

/* ---- helpers ---- */

enum { MAX_REC = 4096 };

/* Firing record shared by the simple tests. */
static int rec[MAX_REC];
static unsigned n_rec;

struct owner {
	struct sl_timer t;
	int id;
};

static void record_cb(struct sl_timer *t, void *arg)
{
	struct owner *o = arg;

	ck_assert_ptr_eq(t, &o->t);
	/* Disarmed before the call (timer.h). */
	ck_assert(!sl__timer_armed(t));
	ck_assert_uint_lt(n_rec, MAX_REC);
	rec[n_rec++] = o->id;
}

/* White-box: every slot points back at its timer and no child is earlier
 * than its parent. */
static void check_heap(const struct sl_timer_heap *h)
{
	for (uint32_t i = 0; i < h->n; i++) {
		const struct sl_timer *t = h->slots[i];

		ck_assert_uint_eq(t->heap_index, i);
		if (i > 0) {
			const struct sl_timer *p = h->slots[(i - 1) / 2];

			ck_assert(p->deadline_us < t->deadline_us ||
				  (p->deadline_us == t->deadline_us &&
				   p->seq < t->seq));
		}
	}
}

static uint64_t rng_state;

static uint32_t rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
}

/* ---- clocks ---- */

START_TEST(vclock_moves_only_when_told)
{
	struct sl_vclock v;

	sl__vclock_init(&v, 1000);
	ck_assert_uint_eq(sl__clock_now_us(&v.clock), 1000);
	ck_assert_uint_eq(sl__clock_now_us(&v.clock), 1000);
	sl__vclock_advance(&v, 0);
	ck_assert_uint_eq(sl__clock_now_us(&v.clock), 1000);
	sl__vclock_advance(&v, 250);
	ck_assert_uint_eq(sl__clock_now_us(&v.clock), 1250);
	/* Never wraps back to the past. */
	sl__vclock_advance(&v, UINT64_MAX);
	ck_assert_uint_eq(sl__clock_now_us(&v.clock), UINT64_MAX);
	sl__vclock_advance(&v, 5);
	ck_assert_uint_eq(sl__clock_now_us(&v.clock), UINT64_MAX);
	/* NULL is ignored, not a crash. */
	sl__vclock_init(NULL, 0);
	sl__vclock_advance(NULL, 1);
}
END_TEST

START_TEST(monotonic_clock_never_goes_back)
{
	const struct sl_clock *c = sl__clock_monotonic();
	uint64_t prev = sl__clock_now_us(c);

	ck_assert_ptr_eq(c, sl__clock_monotonic());
	ck_assert_uint_gt(prev, 0);
	for (int i = 0; i < 1000; i++) {
		uint64_t now = sl__clock_now_us(c);

		ck_assert_uint_ge(now, prev);
		prev = now;
	}
}
END_TEST

/* ---- basic heap behaviour ---- */

START_TEST(heap_init_rejects_bad_args)
{
	struct sl_timer_heap h;
	struct sl_timer *slots[4];
	struct sl_timer t;

	ck_assert_int_eq(sl__timer_heap_init(NULL, slots, 4), SL_EINVAL);
	ck_assert_int_eq(sl__timer_heap_init(&h, NULL, 4), SL_EINVAL);
	ck_assert_int_eq(sl__timer_heap_init(&h, slots, 0), SL_EINVAL);
	ck_assert_int_eq(sl__timer_heap_init(&h, slots, 4), 0);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_uint_eq(h.cap, 4);
	ck_assert_uint_eq(sl__timer_next_deadline(&h), UINT64_MAX);
	ck_assert_uint_eq(sl__timer_next_deadline(NULL), UINT64_MAX);
	ck_assert_uint_eq(sl__timer_run_due(&h, UINT64_MAX), 0);
	ck_assert_uint_eq(sl__timer_run_due(NULL, 0), 0);

	sl__timer_init(&t, NULL, NULL);
	ck_assert(!sl__timer_armed(&t));
	ck_assert_int_eq(sl__timer_start(NULL, &t, 1), SL_EINVAL);
	ck_assert_int_eq(sl__timer_start(&h, NULL, 1), SL_EINVAL);
	sl__timer_stop(NULL, &t);
	sl__timer_stop(&h, NULL);
	sl__timer_init(NULL, NULL, NULL);
	/* A timer without a callback still fires (and is counted). */
	ck_assert_int_eq(sl__timer_start(&h, &t, 5), 0);
	ck_assert_uint_eq(sl__timer_run_due(&h, 5), 1);
	ck_assert(!sl__timer_armed(&t));
}
END_TEST

START_TEST(random_deadlines_fire_in_order)
{
	enum { N = 1000 };
	static struct owner o[N];
	static struct sl_timer *slots[N];
	static uint64_t dl[N];
	struct sl_timer_heap h;
	unsigned fired;

	rng_state = 0x1234567u;
	n_rec = 0;
	ck_assert_int_eq(sl__timer_heap_init(&h, slots, N), 0);
	for (int i = 0; i < N; i++) {
		o[i].id = i;
		dl[i] = 1 + rnd() % 300;        /* plenty of ties */
		sl__timer_init(&o[i].t, record_cb, &o[i]);
		ck_assert_int_eq(sl__timer_start(&h, &o[i].t, dl[i]), 0);
		ck_assert(sl__timer_armed(&o[i].t));
	}
	check_heap(&h);

	/* Half way: only what is due fires, the rest stays armed. */
	fired = sl__timer_run_due(&h, 150);
	ck_assert_uint_eq(fired, n_rec);
	check_heap(&h);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(sl__timer_armed(&o[i].t), dl[i] > 150);
	ck_assert_uint_gt(sl__timer_next_deadline(&h), 150);
	fired += sl__timer_run_due(&h, 300);
	ck_assert_uint_eq(fired, N);
	ck_assert_uint_eq(n_rec, N);
	ck_assert_uint_eq(h.n, 0);

	/* Stable order: deadline, then arming order (= id here). */
	for (int k = 1; k < N; k++) {
		int a = rec[k - 1], b = rec[k];

		ck_assert(dl[a] < dl[b] || (dl[a] == dl[b] && a < b));
	}
}
END_TEST

START_TEST(equal_deadlines_fire_fifo)
{
	enum { N = 50 };
	struct owner o[N];
	struct sl_timer *slots[N];
	struct sl_timer_heap h;
	int order[N];

	rng_state = 99;
	n_rec = 0;
	sl__timer_heap_init(&h, slots, N);
	for (int i = 0; i < N; i++) {
		order[i] = i;
		o[i].id = i;
		sl__timer_init(&o[i].t, record_cb, &o[i]);
	}
	for (int i = N - 1; i > 0; i--) {
		int j = (int)(rnd() % (unsigned)(i + 1)), x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(sl__timer_start(&h, &o[order[i]].t, 77), 0);
	/* Re-arming (even for the same deadline) moves to the back. */
	ck_assert_int_eq(sl__timer_start(&h, &o[order[0]].t, 77), 0);
	check_heap(&h);
	ck_assert_uint_eq(sl__timer_run_due(&h, 77), N);
	for (int i = 1; i < N; i++)
		ck_assert_int_eq(rec[i - 1], order[i]);
	ck_assert_int_eq(rec[N - 1], order[0]);
}
END_TEST

START_TEST(stop_and_rearm_in_the_middle)
{
	struct owner o[8];
	struct sl_timer *slots[8];
	struct sl_timer_heap h;
	static const int want[] = { 7, 1, 3, 4, 5, 2 };

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 8);
	for (int i = 0; i < 8; i++) {
		o[i].id = i;
		sl__timer_init(&o[i].t, record_cb, &o[i]);
		ck_assert_int_eq(sl__timer_start(&h, &o[i].t,
						 (uint64_t)(i + 1) * 10), 0);
	}
	sl__timer_stop(&h, &o[0].t);            /* the top */
	sl__timer_stop(&h, &o[6].t);            /* a leaf */
	ck_assert(!sl__timer_armed(&o[0].t));
	ck_assert_uint_eq(h.n, 6);
	check_heap(&h);
	ck_assert_int_eq(sl__timer_start(&h, &o[7].t, 5), 0);  /* earlier */
	ck_assert_int_eq(sl__timer_start(&h, &o[2].t, 65), 0); /* later */
	check_heap(&h);
	ck_assert_uint_eq(sl__timer_next_deadline(&h), 5);
	ck_assert_uint_eq(sl__timer_run_due(&h, 100), 6);
	ck_assert_uint_eq(n_rec, 6);
	for (unsigned i = 0; i < 6; i++)
		ck_assert_int_eq(rec[i], want[i]);
}
END_TEST

START_TEST(stop_of_an_idle_timer_does_nothing)
{
	struct owner a, b;
	struct sl_timer *slots[2], *slots2[2];
	struct sl_timer_heap h, h2;

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 2);
	sl__timer_heap_init(&h2, slots2, 2);
	a.id = 1;
	b.id = 2;
	sl__timer_init(&a.t, record_cb, &a);
	sl__timer_init(&b.t, record_cb, &b);
	sl__timer_stop(&h, &a.t);               /* never armed */
	ck_assert_uint_eq(h.n, 0);
	ck_assert_int_eq(sl__timer_start(&h, &b.t, 3), 0);
	sl__timer_stop(&h, &a.t);
	ck_assert_uint_eq(h.n, 1);
	sl__timer_stop(&h, &b.t);
	sl__timer_stop(&h, &b.t);               /* twice */
	ck_assert_uint_eq(h.n, 0);
	/* Armed on another heap: neither stopped nor re-armed through h. */
	ck_assert_int_eq(sl__timer_start(&h2, &a.t, 4), 0);
	sl__timer_stop(&h, &a.t);
	ck_assert(sl__timer_armed(&a.t));
	ck_assert_int_eq(sl__timer_start(&h, &a.t, 4), SL_EINVAL);
	ck_assert_uint_eq(h.n, 0);
	ck_assert_uint_eq(sl__timer_run_due(&h, 10), 0);
	ck_assert_uint_eq(sl__timer_run_due(&h2, 10), 1);
	ck_assert_int_eq(rec[0], 1);
}
END_TEST

START_TEST(full_heap_is_enomem)
{
	struct owner o[5];
	struct sl_timer *slots[4];
	struct sl_timer_heap h;

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 4);
	for (int i = 0; i < 5; i++) {
		o[i].id = i;
		sl__timer_init(&o[i].t, record_cb, &o[i]);
	}
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(sl__timer_start(&h, &o[i].t, 10), 0);
	ck_assert_int_eq(sl__timer_start(&h, &o[4].t, 1), SL_ENOMEM);
	ck_assert(!sl__timer_armed(&o[4].t));
	/* Re-arming an armed timer needs no new slot. */
	ck_assert_int_eq(sl__timer_start(&h, &o[0].t, 20), 0);
	sl__timer_stop(&h, &o[1].t);
	ck_assert_int_eq(sl__timer_start(&h, &o[4].t, 1), 0);
	ck_assert_uint_eq(sl__timer_run_due(&h, 100), 4);
	ck_assert_int_eq(rec[0], 4);
	ck_assert_int_eq(rec[3], 0);
}
END_TEST

/* ---- callbacks that arm, stop and free ---- */

static struct sl_timer_heap *cb_heap;
static uint64_t cb_now;

struct actor {
	struct sl_timer t;
	int id;
	int n_fired;
	struct actor *other;    /* armed or stopped by this one's callback */
	int64_t other_at;       /* relative to cb_now; INT64_MIN: stop it */
	int64_t self_at;        /* re-arm self, relative; INT64_MIN: don't */
};

static void actor_cb(struct sl_timer *t, void *arg)
{
	struct actor *a = arg;

	(void)t;
	a->n_fired++;
	ck_assert_uint_lt(n_rec, MAX_REC);
	rec[n_rec++] = a->id;
	if (a->other) {
		if (a->other_at == INT64_MIN)
			sl__timer_stop(cb_heap, &a->other->t);
		else
			ck_assert_int_eq(sl__timer_start(cb_heap,
				&a->other->t,
				(uint64_t)((int64_t)cb_now + a->other_at)), 0);
	}
	if (a->self_at != INT64_MIN)
		ck_assert_int_eq(sl__timer_start(cb_heap, &a->t,
				 (uint64_t)((int64_t)cb_now + a->self_at)), 0);
}

static void actor_init(struct actor *a, int id)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->self_at = INT64_MIN;
	sl__timer_init(&a->t, actor_cb, a);
}

START_TEST(callback_arms_others)
{
	struct actor a, b, c, d, e;
	struct sl_timer *slots[8];
	struct sl_timer_heap h;
	static const int want[] = { 1, 5, 2, 4 };

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 8);
	cb_heap = &h;
	cb_now = 15;
	actor_init(&a, 1);
	actor_init(&b, 2);
	actor_init(&c, 3);
	actor_init(&d, 4);
	actor_init(&e, 5);
	/* a (10) arms b in the past; b arms c in the future; e (12) is due
	 * at the start, so it fires before b; d is armed by b for now. */
	a.other = &b;
	a.other_at = -10;
	b.other = &c;
	b.other_at = 5;
	e.other = &d;
	e.other_at = 0;
	ck_assert_int_eq(sl__timer_start(&h, &a.t, 10), 0);
	ck_assert_int_eq(sl__timer_start(&h, &e.t, 12), 0);
	ck_assert_uint_eq(sl__timer_run_due(&h, 15), 4);
	ck_assert_uint_eq(n_rec, 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_int_eq(rec[i], want[i]);
	ck_assert(sl__timer_armed(&c.t));
	ck_assert_uint_eq(sl__timer_next_deadline(&h), 20);
	cb_now = 20;
	ck_assert_uint_eq(sl__timer_run_due(&h, 20), 1);
	ck_assert_int_eq(rec[4], 3);
	ck_assert_uint_eq(h.n, 0);
}
END_TEST

START_TEST(rearm_in_the_past_fires_after_those_due)
{
	struct actor a, b, c;
	struct sl_timer *slots[4];
	struct sl_timer_heap h;

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 4);
	cb_heap = &h;
	cb_now = 100;
	actor_init(&a, 1);
	actor_init(&b, 2);
	actor_init(&c, 3);
	/* a re-arms itself for 0 (long past): still after b and c, which
	 * were due when the run started although their deadlines are later. */
	a.self_at = -100;
	ck_assert_int_eq(sl__timer_start(&h, &a.t, 10), 0);
	ck_assert_int_eq(sl__timer_start(&h, &b.t, 50), 0);
	ck_assert_int_eq(sl__timer_start(&h, &c.t, 100), 0);
	a.n_fired = 0;
	ck_assert_uint_eq(sl__timer_run_due(&h, 100), 4);
	ck_assert_int_eq(rec[0], 1);
	ck_assert_int_eq(rec[1], 2);
	ck_assert_int_eq(rec[2], 3);
	ck_assert_int_eq(rec[3], 1);
	/* The bound: a's second re-arm waits for the next call. */
	ck_assert(sl__timer_armed(&a.t));
	ck_assert_int_eq(a.n_fired, 2);
	ck_assert_uint_le(sl__timer_next_deadline(&h), 100);
}
END_TEST

START_TEST(rearm_at_now_forever_is_bounded)
{
	struct actor a, b;
	struct sl_timer *slots[4];
	struct sl_timer_heap h;

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 4);
	cb_heap = &h;
	cb_now = 7;
	actor_init(&a, 1);
	actor_init(&b, 2);
	a.self_at = 0;
	b.self_at = 0;
	ck_assert_int_eq(sl__timer_start(&h, &a.t, 7), 0);
	ck_assert_int_eq(sl__timer_start(&h, &b.t, 7), 0);
	/* Each fires at most twice per call, in arming order, and every call
	 * makes the same progress. */
	for (int round = 0; round < 3; round++) {
		n_rec = 0;
		ck_assert_uint_eq(sl__timer_run_due(&h, 7), 4);
		ck_assert_int_eq(rec[0], 1);
		ck_assert_int_eq(rec[1], 2);
		ck_assert_int_eq(rec[2], 1);
		ck_assert_int_eq(rec[3], 2);
		ck_assert(sl__timer_armed(&a.t) && sl__timer_armed(&b.t));
	}
	/* Re-arming for later fires once per call. */
	a.self_at = 1;
	b.self_at = INT64_MIN;
	n_rec = 0;
	ck_assert_uint_eq(sl__timer_run_due(&h, 7), 2);
	ck_assert_uint_eq(sl__timer_next_deadline(&h), 8);
	ck_assert_uint_eq(sl__timer_run_due(&h, 7), 0);
}
END_TEST

START_TEST(callback_stops_a_due_timer)
{
	struct actor a, b, c;
	struct sl_timer *slots[4];
	struct sl_timer_heap h;

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 4);
	cb_heap = &h;
	cb_now = 30;
	actor_init(&a, 1);
	actor_init(&b, 2);
	actor_init(&c, 3);
	a.other = &b;
	a.other_at = INT64_MIN;                 /* stop b */
	ck_assert_int_eq(sl__timer_start(&h, &a.t, 10), 0);
	ck_assert_int_eq(sl__timer_start(&h, &b.t, 20), 0);
	ck_assert_int_eq(sl__timer_start(&h, &c.t, 30), 0);
	ck_assert_uint_eq(sl__timer_run_due(&h, 30), 2);
	ck_assert_int_eq(rec[0], 1);
	ck_assert_int_eq(rec[1], 3);
	ck_assert(!sl__timer_armed(&b.t));
	ck_assert_int_eq(b.n_fired, 0);
}
END_TEST

START_TEST(callback_moves_a_due_timer_later)
{
	struct actor a, b;
	struct sl_timer *slots[4];
	struct sl_timer_heap h;

	n_rec = 0;
	sl__timer_heap_init(&h, slots, 4);
	cb_heap = &h;
	cb_now = 30;
	actor_init(&a, 1);
	actor_init(&b, 2);
	a.other = &b;
	a.other_at = 10;
	ck_assert_int_eq(sl__timer_start(&h, &a.t, 10), 0);
	ck_assert_int_eq(sl__timer_start(&h, &b.t, 20), 0);
	ck_assert_uint_eq(sl__timer_run_due(&h, 30), 1);
	ck_assert_uint_eq(sl__timer_next_deadline(&h), 40);
}
END_TEST

struct freeing {
	struct sl_timer t;
	int *count;
};

static void free_self_cb(struct sl_timer *t, void *arg)
{
	struct freeing *f = arg;

	(void)t;
	(*f->count)++;
	free(f);                /* ASan catches any later touch */
}

START_TEST(callback_may_free_its_owner)
{
	struct sl_timer *slots[8];
	struct sl_timer_heap h;
	int count = 0;

	sl__timer_heap_init(&h, slots, 8);
	for (int i = 0; i < 8; i++) {
		struct freeing *f = calloc(1, sizeof(*f));

		ck_assert_ptr_nonnull(f);
		f->count = &count;
		sl__timer_init(&f->t, free_self_cb, f);
		ck_assert_int_eq(sl__timer_start(&h, &f->t, (uint64_t)i % 3),
				 0);
	}
	ck_assert_uint_eq(sl__timer_run_due(&h, 5), 8);
	ck_assert_int_eq(count, 8);
	ck_assert_uint_eq(h.n, 0);
}
END_TEST

/* ---- random operations against a reference model ---- */

enum { M_N = 64, M_CAP = 40 };

enum act { ACT_NONE, ACT_ARM_OTHER, ACT_STOP_OTHER, ACT_ARM_SELF };

struct mtimer {
	struct sl_timer t;      /* the real one */
	int id;
	enum act act;           /* what its callback does when it fires */
	int target;
	int64_t rel;            /* deadline relative to now for arms */
	/* The model's copy of the state. */
	int armed;
	uint64_t deadline;
	uint64_t seq;
};

static struct mtimer mt[M_N];
static struct sl_timer_heap m_heap;
static struct sl_timer *m_slots[M_CAP];
static uint64_t m_now;
static uint64_t m_seq;
static int m_running;           /* inside model_run() */
static unsigned m_n;
static int real_log[MAX_REC], model_log[MAX_REC];
static unsigned n_real, n_model;

static uint64_t rel_deadline(int64_t rel)
{
	int64_t d = (int64_t)m_now + rel;

	return d < 0 ? 0 : (uint64_t)d;
}

static int model_start(int i, uint64_t deadline)
{
	if (!mt[i].armed && m_n >= M_CAP)
		return SL_ENOMEM;
	if (!mt[i].armed)
		m_n++;
	/* Armed by a callback for the past: recorded as due now. */
	if (m_running && deadline < m_now)
		deadline = m_now;
	mt[i].armed = 1;
	mt[i].deadline = deadline;
	mt[i].seq = m_seq++;
	return 0;
}

static void model_stop(int i)
{
	if (mt[i].armed) {
		mt[i].armed = 0;
		m_n--;
	}
}

static void real_cb(struct sl_timer *t, void *arg)
{
	struct mtimer *m = arg;
	int rc;

	(void)t;
	ck_assert_uint_lt(n_real, MAX_REC);
	real_log[n_real++] = m->id;
	switch (m->act) {
	case ACT_ARM_OTHER:
		rc = sl__timer_start(&m_heap, &mt[m->target].t,
				     rel_deadline(m->rel));
		ck_assert(rc == 0 || rc == SL_ENOMEM);
		break;
	case ACT_STOP_OTHER:
		sl__timer_stop(&m_heap, &mt[m->target].t);
		break;
	case ACT_ARM_SELF:
		rc = sl__timer_start(&m_heap, &m->t, rel_deadline(m->rel));
		ck_assert(rc == 0 || rc == SL_ENOMEM);
		break;
	case ACT_NONE:
		break;
	}
}

static void model_fire(struct mtimer *m)
{
	ck_assert_uint_lt(n_model, MAX_REC);
	model_log[n_model++] = m->id;
	switch (m->act) {
	case ACT_ARM_OTHER:
		model_start(m->target, rel_deadline(m->rel));
		break;
	case ACT_STOP_OTHER:
		model_stop(m->target);
		break;
	case ACT_ARM_SELF:
		model_start(m->id, rel_deadline(m->rel));
		break;
	case ACT_NONE:
		break;
	}
}

/* The rule of timer.c, written the obvious way: pick the smallest
 * (deadline, seq) among due timers each time (a timer armed during this
 * run for the past was recorded as due now by model_start); stop at the
 * first timer armed by a callback of a timer itself armed during the run. */
static unsigned model_run(void)
{
	uint64_t start = m_seq, limit = UINT64_MAX;
	unsigned fired = 0;

	m_running = 1;
	for (;;) {
		int best = -1;
		uint64_t best_key = 0;

		for (int i = 0; i < M_N; i++) {
			uint64_t key;

			if (!mt[i].armed)
				continue;
			key = mt[i].deadline;
			if (key > m_now)
				continue;
			if (best < 0 || key < best_key ||
			    (key == best_key && mt[i].seq < mt[best].seq)) {
				best = i;
				best_key = key;
			}
		}
		if (best < 0)
			break;
		if (mt[best].seq >= start) {
			if (limit == UINT64_MAX)
				limit = m_seq;
			if (mt[best].seq >= limit)
				break;
		}
		model_stop(best);
		fired++;
		model_fire(&mt[best]);
	}
	m_running = 0;
	return fired;
}

static void pick_action(struct mtimer *m)
{
	uint32_t r = rnd() % 10;

	m->target = (int)(rnd() % M_N);
	m->rel = (int64_t)(rnd() % 60) - 20;
	if (r < 4)
		m->act = ACT_NONE;
	else if (r < 6)
		m->act = ACT_ARM_OTHER;
	else if (r < 8)
		m->act = ACT_STOP_OTHER;
	else
		m->act = ACT_ARM_SELF;
}

static void compare_states(void)
{
	uint64_t model_next = UINT64_MAX;

	check_heap(&m_heap);
	ck_assert_uint_eq(m_heap.n, m_n);
	for (int i = 0; i < M_N; i++) {
		ck_assert_int_eq(sl__timer_armed(&mt[i].t), mt[i].armed);
		if (!mt[i].armed)
			continue;
		ck_assert_uint_eq(mt[i].t.deadline_us, mt[i].deadline);
		if (mt[i].deadline < model_next)
			model_next = mt[i].deadline;
	}
	ck_assert_uint_eq(sl__timer_next_deadline(&m_heap), model_next);
}

START_TEST(random_ops_match_reference_model)
{
	unsigned total_fired = 0, n_enomem = 0;

	rng_state = 0x9e3779b97f4a7c15ull + (uint64_t)_i;
	memset(mt, 0, sizeof(mt));
	ck_assert_int_eq(sl__timer_heap_init(&m_heap, m_slots, M_CAP), 0);
	m_now = 1000;
	m_seq = 0;
	m_n = 0;
	for (int i = 0; i < M_N; i++) {
		mt[i].id = i;
		sl__timer_init(&mt[i].t, real_cb, &mt[i]);
	}
	for (int op = 0; op < 10000; op++) {
		/* Alternate phases: mostly firing, then mostly arming so
		 * that the heap also runs full. */
		int filling = (op / 500) % 2;
		uint32_t r = rnd() % 100;
		int i = (int)(rnd() % M_N);

		if (filling && r >= 65 && rnd() % 10 != 0)
			r = rnd() % 65;
		if (r < 45) {
			/* Arm or re-arm; a tenth of them in the past. */
			int64_t rel = (r < 5) ? -(int64_t)(rnd() % 50)
					      : (int64_t)(rnd() % 100);
			uint64_t d = rel_deadline(rel);
			int want, got;

			pick_action(&mt[i]);
			want = model_start(i, d);
			got = sl__timer_start(&m_heap, &mt[i].t, d);
			ck_assert_int_eq(got, want);
			if (got == SL_ENOMEM)
				n_enomem++;
		} else if (r < 65) {
			model_stop(i);
			sl__timer_stop(&m_heap, &mt[i].t);
		} else {
			unsigned want, got;

			m_now += rnd() % 40;
			n_real = n_model = 0;
			want = model_run();
			got = sl__timer_run_due(&m_heap, m_now);
			ck_assert_uint_eq(got, want);
			ck_assert_uint_eq(n_real, n_model);
			for (unsigned k = 0; k < n_real; k++)
				ck_assert_int_eq(real_log[k], model_log[k]);
			total_fired += got;
		}
		/* Both heaps number their arms the same way. */
		ck_assert_uint_eq(m_heap.next_seq, m_seq);
		compare_states();
	}
	/* The run exercised what it was meant to. */
	ck_assert_uint_gt(total_fired, 1000);
	ck_assert_uint_gt(n_enomem, 0);
}
END_TEST

Suite *check_core_timer_suite(void);

Suite *check_core_timer_suite(void)
{
	Suite *s = suite_create("core_timer");
	TCase *tc = tcase_create("clock");

	tcase_add_test(tc, vclock_moves_only_when_told);
	tcase_add_test(tc, monotonic_clock_never_goes_back);
	suite_add_tcase(s, tc);

	tc = tcase_create("heap");
	tcase_add_test(tc, heap_init_rejects_bad_args);
	tcase_add_test(tc, random_deadlines_fire_in_order);
	tcase_add_test(tc, equal_deadlines_fire_fifo);
	tcase_add_test(tc, stop_and_rearm_in_the_middle);
	tcase_add_test(tc, stop_of_an_idle_timer_does_nothing);
	tcase_add_test(tc, full_heap_is_enomem);
	suite_add_tcase(s, tc);

	tc = tcase_create("callbacks");
	tcase_add_test(tc, callback_arms_others);
	tcase_add_test(tc, rearm_in_the_past_fires_after_those_due);
	tcase_add_test(tc, rearm_at_now_forever_is_bounded);
	tcase_add_test(tc, callback_stops_a_due_timer);
	tcase_add_test(tc, callback_moves_a_due_timer_later);
	tcase_add_test(tc, callback_may_free_its_owner);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, random_ops_match_reference_model, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_core_timer_suite)
