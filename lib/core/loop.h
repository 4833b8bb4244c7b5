/*
 * lib/core/loop.h: the SIP loop - epoll, timers, an eventfd wake-up and a
 * lock-free multi-producer queue through which other threads hand it work.
 *
 * The loop thread owns every piece of SIP state; nothing inside it locks.
 * A call from another thread is packed into a preallocated queue cell,
 * the loop is woken through its eventfd, and the caller waits for the
 * result; a call made on the loop thread (for instance from an event
 * callback) runs directly, so callbacks may call the API without deadlock.
 *
 * Two ways to run it: its own thread (sl__loop_start_thread), or driven by
 * the application's main loop: poll sl__loop_fd() for reading with
 * sl__loop_timeout_ms(), then call sl__loop_step(l, 0). In that mode the
 * loop thread is the thread inside sl__loop_step(), or between steps the
 * thread that stepped last (before any step: the creating thread, so
 * set-up calls run directly); after sl__loop_stop_thread(), the thread
 * that stopped it.
 *
 * Thread: sl__loop_call(), sl__loop_post(), sl__loop_wake() and
 * sl__loop_on_thread() from any thread; everything else on the loop thread
 * (or before the loop runs).
 */
#ifndef SL_CORE_LOOP_H
#define SL_CORE_LOOP_H

#include <stdint.h>

#include "clock.h"
#include "timer.h"

struct sl_loop;

/** struct sl_loop_config - sizes fixed at creation; zero = default. */
struct sl_loop_config {
	const struct sl_clock *clock;  /* NULL: the monotonic clock */
	uint32_t max_timers;           /* armed at once; default 4096 */
	uint32_t max_fds;              /* watched at once; default 256 */
	uint32_t queue_cap;            /* cross-thread calls in flight;
					* rounded up to a power of two;
					* default 256 */
};

int sl__loop_create(struct sl_loop **out, const struct sl_loop_config *cfg);

/** Stops the thread if running, frees everything. The caller closes the
 * fds it watched. In own-thread mode calls already queued run first; in
 * application-driven mode pending cross-thread calls complete with
 * SL_ESTATE without running. Not from a loop callback. */
void sl__loop_destroy(struct sl_loop *l);

/* ---- file descriptors ---- */

enum sl_io_events {
	SL_IO_READ = 1u << 0,
	SL_IO_WRITE = 1u << 1,
	SL_IO_ERROR = 1u << 2    /* reported only: hang-up or socket error */
};

typedef void (*sl_io_cb)(void *arg, int fd, unsigned events);

/** Watches @fd (level-triggered). Return: 0; SL_ELIMIT when max_fds are
 * watched; SL_EEXIST when @fd is; SL_EIO when epoll refuses. */
int sl__loop_watch(struct sl_loop *l, int fd, unsigned events, sl_io_cb cb,
		   void *arg);
/** Changes the events of a watched @fd. Return: 0, SL_ENOTFOUND when @fd
 * is not watched, SL_EINVAL, SL_EIO. */
int sl__loop_modify(struct sl_loop *l, int fd, unsigned events);
/** Stops watching @fd; safe inside its own callback. Unwatch before
 * closing the fd. Return: 0, SL_ENOTFOUND, SL_EINVAL. */
int sl__loop_unwatch(struct sl_loop *l, int fd);

/* ---- time ---- */

/** The loop's time, read once per iteration (microseconds). */
uint64_t sl__loop_now_us(const struct sl_loop *l);

/** Re-reads the clock (after a virtual clock moved, for instance). */
uint64_t sl__loop_update_time(struct sl_loop *l);

/** Arms @t to fire @delay_ms after the loop's current time. Return: 0 or
 * SL_ENOMEM when max_timers are armed. */
int sl__loop_timer_start(struct sl_loop *l, struct sl_timer *t,
			 uint64_t delay_ms);
void sl__loop_timer_stop(struct sl_loop *l, struct sl_timer *t);

/* ---- running ---- */

/** Runs the loop on a thread of its own until sl__loop_stop_thread().
 * Return: 0; SL_ESTATE when already running; SL_EFAIL when the thread
 * cannot be created. */
int sl__loop_start_thread(struct sl_loop *l);

/** Asks the loop thread to stop and joins it; the last queued calls run
 * first. Must not be called from the loop thread (SL_ESTATE). */
int sl__loop_stop_thread(struct sl_loop *l);

/** The fd an application polls for reading (application-driven mode). */
int sl__loop_fd(const struct sl_loop *l);

/** Milliseconds until the next timer (0 when work is pending, -1 when
 * nothing is armed), for the application's poll timeout. */
int sl__loop_timeout_ms(struct sl_loop *l);

/**
 * sl__loop_step() - one iteration: waits up to @timeout_ms (0: not at all,
 * -1: until something happens) for I/O, then reads the clock, dispatches
 * I/O callbacks, queued calls and due timers.
 * Return: how many callbacks ran (>= 0), or SL_ESTATE when another thread
 * owns the loop.
 */
int sl__loop_step(struct sl_loop *l, int timeout_ms);

/** 1 when the calling thread is the loop thread. */
int sl__loop_on_thread(const struct sl_loop *l);

/* ---- work from other threads ---- */

typedef int (*sl_call_fn)(void *arg);

/**
 * sl__loop_call() - runs @fn(@arg) on the loop thread and returns its
 * result: directly when called on the loop thread, otherwise through the
 * queue, waiting until the loop has run it.
 * Return: @fn's result; SL_ENOMEM when the queue is full; SL_ESTATE when
 * the loop is not running (own-thread mode stopped) or is being destroyed.
 */
int sl__loop_call(struct sl_loop *l, sl_call_fn fn, void *arg);

/** Queues @fn(@arg) to run on the loop without waiting. Return: 0,
 * SL_ENOMEM when the queue is full, SL_ESTATE after a stop or during
 * destroy. */
int sl__loop_post(struct sl_loop *l, sl_call_fn fn, void *arg);

/** Wakes the loop from its wait (eventfd). */
void sl__loop_wake(struct sl_loop *l);

#endif /* SL_CORE_LOOP_H */
