/*
 * lib/core/timer.h: timers embedded in their owners, kept in a min-heap.
 *
 * A struct sl_timer lives inside the object it belongs to (a transaction,
 * a connection); the heap holds pointers to armed timers only, in an array
 * sized at creation, so arming never allocates. Start, stop and re-arm are
 * O(log n); equal deadlines fire in the order they were armed.
 *
 * Thread: the owner of the heap (the SIP loop thread). Not thread-safe.
 */
#ifndef SL_CORE_TIMER_H
#define SL_CORE_TIMER_H

#include <stdint.h>

struct sl_timer;

/** Called when @t fires; @t is disarmed before the call and may be re-armed
 * (or freed with its owner) inside it. */
typedef void (*sl_timer_cb)(struct sl_timer *t, void *arg);

#define SL_TIMER_IDLE UINT32_MAX

/** struct sl_timer - embed in the owner; initialise with sl__timer_init(). */
struct sl_timer {
	uint64_t deadline_us;
	uint64_t seq;           /* arming order, breaks deadline ties */
	uint32_t heap_index;    /* SL_TIMER_IDLE when not armed */
	sl_timer_cb cb;
	void *arg;
};

/** struct sl_timer_heap - the armed timers; memory given by the owner. */
struct sl_timer_heap {
	struct sl_timer **slots;
	uint32_t n;
	uint32_t cap;
	uint64_t next_seq;
};

/** Lays a heap over @slots (@cap entries). Return: 0 or SL_EINVAL. */
int sl__timer_heap_init(struct sl_timer_heap *h, struct sl_timer **slots,
			uint32_t cap);

void sl__timer_init(struct sl_timer *t, sl_timer_cb cb, void *arg);

/**
 * sl__timer_start() - arms @t to fire at @deadline_us (re-arms when it is
 * armed already).
 * Return: 0; SL_ENOMEM when the heap is full (the timer stays idle).
 */
int sl__timer_start(struct sl_timer_heap *h, struct sl_timer *t,
		    uint64_t deadline_us);

/** Disarms @t; nothing happens when it is idle. */
void sl__timer_stop(struct sl_timer_heap *h, struct sl_timer *t);

static inline int sl__timer_armed(const struct sl_timer *t)
{
	return t->heap_index != SL_TIMER_IDLE;
}

/** The earliest deadline, or UINT64_MAX when no timer is armed (so a
 * deadline of UINT64_MAX reads as none; the loop caps deadlines below
 * it). */
uint64_t sl__timer_next_deadline(const struct sl_timer_heap *h);

/**
 * sl__timer_run_due() - fires, in deadline then arming order, every timer
 * whose deadline is <= @now_us, including ones armed by callbacks for a
 * time <= @now_us.
 * Timers armed by those callbacks for a time <= @now_us fire after every
 * timer that was due when the call began; timers armed by those in turn
 * wait for the next call, so a timer re-arming itself at "now" cannot loop
 * forever (lib/core/timer.c).
 * Return: how many fired.
 */
unsigned sl__timer_run_due(struct sl_timer_heap *h, uint64_t now_us);

#endif /* SL_CORE_TIMER_H */
