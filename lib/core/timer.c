/*
 * lib/core/timer.c: the timer min-heap (intrusive, fixed capacity).
 *
 * Owns: nothing; the slot array belongs to the heap's owner and each
 * struct sl_timer to the object it is embedded in.
 * Thread: the heap owner's (the SIP loop thread). Not thread-safe, not
 * re-entrant: a timer callback must not call sl__timer_run_due() on the
 * heap that is firing it.
 *
 * Order: a binary heap keyed by (deadline_us, seq). seq is taken from
 * h->next_seq every time a timer is armed or re-armed, so equal deadlines
 * fire in arming order (FIFO), and each timer records its own slot index
 * (heap_index) so stop and re-arm are O(log n) without a search.
 *
 * The run rule (sl__timer_run_due at time "now"):
 *  1. Every timer due when the call starts (deadline <= now) fires, in
 *     (deadline, seq) order, unless a callback stops or re-arms it first.
 *  2. Then every timer that those callbacks armed for a time <= now fires,
 *     in arming order. Such a timer is treated as due "now": its deadline
 *     is raised to now when it reaches the top of the heap, so it sorts
 *     after everything that was already due (which has a smaller seq), and
 *     deadline_us reads now afterwards.
 *  3. Timers armed for <= now by callbacks of step 2 wait for the next
 *     call. That bounds a call to (timers armed at its start + heap
 *     capacity) firings: a callback that re-arms its own timer for now
 *     forever fires at most twice per call, and the loop stays responsive.
 * Rules 2 and 3 never reorder equal deadlines: within a step, order is
 * still (deadline, seq).
 *
 * A deadline of UINT64_MAX is legal but reads as "nothing armed" through
 * sl__timer_next_deadline(); sl__loop_timer_start() saturates one below.
 */
#include <stddef.h>
#include <stdint.h>

#include "sipline/error.h"
#include "timer.h"

static int earlier(const struct sl_timer *a, const struct sl_timer *b)
{
	if (a->deadline_us != b->deadline_us)
		return a->deadline_us < b->deadline_us;
	return a->seq < b->seq;
}

static void place(struct sl_timer_heap *h, uint32_t i, struct sl_timer *t)
{
	h->slots[i] = t;
	t->heap_index = i;
}

static void sift_up(struct sl_timer_heap *h, uint32_t i)
{
	struct sl_timer *t = h->slots[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!earlier(t, h->slots[parent]))
			break;
		place(h, i, h->slots[parent]);
		i = parent;
	}
	place(h, i, t);
}

static void sift_down(struct sl_timer_heap *h, uint32_t i)
{
	struct sl_timer *t = h->slots[i];

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= h->n || child < i)
			break;
		if (child + 1 < h->n &&
		    earlier(h->slots[child + 1], h->slots[child]))
			child++;
		if (!earlier(h->slots[child], t))
			break;
		place(h, i, h->slots[child]);
		i = child;
	}
	place(h, i, t);
}

/* Restores the heap after the key at @i changed in either direction. */
static void fix(struct sl_timer_heap *h, uint32_t i)
{
	if (i > 0 && earlier(h->slots[i], h->slots[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}

static void remove_at(struct sl_timer_heap *h, uint32_t i)
{
	struct sl_timer *t = h->slots[i];
	uint32_t last = --h->n;

	t->heap_index = SL_TIMER_IDLE;
	if (i != last) {
		place(h, i, h->slots[last]);
		fix(h, i);
	}
	h->slots[last] = NULL;
}

/* A timer is on @h only when its index points back at itself; anything
 * else (idle, or armed on another heap) is left alone. */
static int owns(const struct sl_timer_heap *h, const struct sl_timer *t)
{
	return t->heap_index < h->n && h->slots[t->heap_index] == t;
}

int sl__timer_heap_init(struct sl_timer_heap *h, struct sl_timer **slots,
			uint32_t cap)
{
	if (!h || !slots || cap == 0 || cap == SL_TIMER_IDLE)
		return SL_EINVAL;
	h->slots = slots;
	h->n = 0;
	h->cap = cap;
	h->next_seq = 0;
	for (uint32_t i = 0; i < cap; i++)
		slots[i] = NULL;
	return 0;
}

void sl__timer_init(struct sl_timer *t, sl_timer_cb cb, void *arg)
{
	if (!t)
		return;
	t->deadline_us = 0;
	t->seq = 0;
	t->heap_index = SL_TIMER_IDLE;
	t->cb = cb;
	t->arg = arg;
}

int sl__timer_start(struct sl_timer_heap *h, struct sl_timer *t,
		    uint64_t deadline_us)
{
	if (!h || !t)
		return SL_EINVAL;
	if (sl__timer_armed(t) && !owns(h, t))
		return SL_EINVAL;
	if (!sl__timer_armed(t) && h->n >= h->cap)
		return SL_ENOMEM;

	t->deadline_us = deadline_us;
	t->seq = h->next_seq++;
	if (sl__timer_armed(t)) {
		fix(h, t->heap_index);
	} else {
		place(h, h->n++, t);
		sift_up(h, t->heap_index);
	}
	return 0;
}

void sl__timer_stop(struct sl_timer_heap *h, struct sl_timer *t)
{
	if (!h || !t || !owns(h, t))
		return;
	remove_at(h, t->heap_index);
}

uint64_t sl__timer_next_deadline(const struct sl_timer_heap *h)
{
	if (!h || h->n == 0)
		return UINT64_MAX;
	return h->slots[0]->deadline_us;
}

unsigned sl__timer_run_due(struct sl_timer_heap *h, uint64_t now_us)
{
	uint64_t start, limit = UINT64_MAX;
	unsigned fired = 0;

	if (!h)
		return 0;
	start = h->next_seq;
	while (h->n > 0) {
		struct sl_timer *t = h->slots[0];

		if (t->deadline_us > now_us)
			break;
		if (t->seq >= start) {
			/* Armed by a callback of this call (rule 2). */
			if (t->deadline_us < now_us) {
				t->deadline_us = now_us;
				sift_down(h, 0);
				continue;
			}
			/* Everything due at the start has fired now (it sorts
			 * first), so what is armed from here on is step 3. */
			if (limit == UINT64_MAX)
				limit = h->next_seq;
			if (t->seq >= limit)
				break;
		}
		remove_at(h, 0);
		fired++;
		/* @t may be re-armed or freed by its callback: not touched
		 * after the call. */
		if (t->cb)
			t->cb(t, t->arg);
	}
	return fired;
}
