/*
 * lib/core/clock.h: the one injectable monotonic clock.
 *
 * Every timer path reads time through a struct sl_clock, so tests drive a
 * virtual clock (struct sl_vclock) and run hours of protocol time in
 * microseconds, and nothing ever sleeps to let a timer fire.
 *
 * Thread: the real clock may be read from any thread; a virtual clock is
 * advanced by the test thread and read by the loop it drives.
 */
#ifndef SL_CORE_CLOCK_H
#define SL_CORE_CLOCK_H

#include <stdint.h>

/** struct sl_clock - a time source in microseconds (monotonic). */
struct sl_clock {
	uint64_t (*now_us)(void *arg);
	void *arg;
};

/** The process's CLOCK_MONOTONIC clock (a static instance). */
const struct sl_clock *sl__clock_monotonic(void);

static inline uint64_t sl__clock_now_us(const struct sl_clock *c)
{
	return c->now_us(c->arg);
}

/**
 * struct sl_vclock - a virtual clock: time moves only when a test says so.
 * Use &v->clock wherever a struct sl_clock is wanted.
 */
struct sl_vclock {
	struct sl_clock clock;
	uint64_t now_us;
};

void sl__vclock_init(struct sl_vclock *v, uint64_t start_us);

/** Moves the virtual time forward by @us (never backwards). */
void sl__vclock_advance(struct sl_vclock *v, uint64_t us);

#endif /* SL_CORE_CLOCK_H */
