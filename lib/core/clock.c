/*
 * lib/core/clock.c: the monotonic clock and the virtual clock of the tests.
 *
 * Owns: one static struct sl_clock over CLOCK_MONOTONIC.
 * Thread: the real clock may be read from any thread. A virtual clock is
 * advanced by the test thread while a loop thread may be reading it, so its
 * value is accessed with atomic builtins (the field in clock.h is a plain
 * uint64_t, so C11 _Atomic operations cannot be used on it).
 */
#include <stdint.h>
#include <time.h>

#include "clock.h"

static uint64_t monotonic_now_us(void *arg)
{
	struct timespec ts;

	(void)arg;
	/* CLOCK_MONOTONIC cannot fail on Linux with a valid pointer; 0 keeps
	 * the result defined should it ever do so. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static const struct sl_clock monotonic = { monotonic_now_us, 0 };

const struct sl_clock *sl__clock_monotonic(void)
{
	return &monotonic;
}

static uint64_t virtual_now_us(void *arg)
{
	const struct sl_vclock *v = arg;

	return __atomic_load_n(&v->now_us, __ATOMIC_ACQUIRE);
}

void sl__vclock_init(struct sl_vclock *v, uint64_t start_us)
{
	if (!v)
		return;
	v->clock.now_us = virtual_now_us;
	v->clock.arg = v;
	__atomic_store_n(&v->now_us, start_us, __ATOMIC_RELEASE);
}

void sl__vclock_advance(struct sl_vclock *v, uint64_t us)
{
	uint64_t cur, next;

	if (!v)
		return;
	/* Saturate rather than wrap: a virtual clock must never go back. */
	cur = __atomic_load_n(&v->now_us, __ATOMIC_RELAXED);
	do {
		next = cur + us < cur ? UINT64_MAX : cur + us;
	} while (!__atomic_compare_exchange_n(&v->now_us, &cur, next, 1,
					      __ATOMIC_RELEASE,
					      __ATOMIC_RELAXED));
}
