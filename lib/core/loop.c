/*
 * lib/core/loop.c: the SIP loop - epoll, the timer heap, an eventfd wake-up
 * and the cross-thread call queue.
 *
 * Owns: the epoll fd, the eventfd, the watcher table, the timer slot array,
 * the queue cells and (in own-thread mode) the loop thread. Everything is
 * allocated in sl__loop_create() and freed in sl__loop_destroy(); nothing
 * allocates in between.
 * Thread: see loop.h. Which thread is "the loop thread":
 *  - own-thread mode: the thread sl__loop_start_thread() started;
 *  - application-driven mode: the thread currently inside sl__loop_step(),
 *    or between steps the thread that stepped last (before the first step,
 *    the thread that created the loop), so a sl__loop_call() made by the
 *    application's main loop thread between two steps runs directly
 *    instead of waiting for a step that thread would never make;
 *  - after sl__loop_stop_thread(): the thread that stopped it.
 * Called by: the layers above (txn, transport, ua) and the public API
 * wrappers that marshal calls made off the loop thread.
 *
 * Cross-thread calls (sl__loop_call): the caller packs {fn, arg, pointer to
 * a completion on its own stack} into a queue cell (mpsc.h), wakes the loop
 * through the eventfd, and waits on the completion with a futex; the loop
 * runs fn, stores the result and wakes it. The loop side never locks.
 *
 * What the caller must keep to (not checkable cheaply, so documented):
 *  - unwatch an fd before closing it: a closed fd number reused by a new
 *    socket would otherwise still look watched (SL_EEXIST);
 *  - callbacks must not destroy the loop; sl__loop_destroy() must not run
 *    on the own loop thread (logged and ignored: a thread cannot join
 *    itself) nor at the same time as sl__loop_stop_thread();
 *  - threads taking turns at sl__loop_step() must not make loop-thread
 *    calls while another one steps.
 *
 * Shutdown without a lock: producers announce themselves in `inflight`
 * before looking at `closed`; the closing side sets `closed` and then waits
 * for `inflight` to drain (a few instructions per producer) before its last
 * pass over the queue. Both sides use sequentially consistent operations,
 * so either the producer sees `closed` (and returns SL_ESTATE without
 * pushing) or the closer sees the producer and waits for its cell. Hence
 * no caller can be left waiting on a queue nobody reads.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sipline/error.h"
#include "log.h"
#include "loop.h"
#include "mpsc.h"

#define LOG_MOD "loop"

enum {
	DEFAULT_MAX_TIMERS = 4096,
	DEFAULT_MAX_FDS = 256,
	DEFAULT_QUEUE_CAP = 256,
	/* Sanity bounds on the configuration (they also keep every index
	 * and size computation far from overflow). */
	LIMIT_MAX_TIMERS = 1u << 24,
	LIMIT_MAX_FDS = 1u << 20,
	LIMIT_QUEUE_CAP = 1u << 20,
	/* epoll_wait batch; level-triggered, so more ready fds simply come
	 * back on the next wait (epoll requeues them at the tail: fair). */
	MAX_EVENTS = 256,
	/* A caller on a multi-core machine spins this long (real time, not
	 * the loop's clock, which may be virtual) on its completion before
	 * sleeping on the futex: a round trip is usually a few microseconds,
	 * while a futex sleep and wake-up costs tens on small or virtual
	 * machines. On one core spinning only delays the loop: no spin. */
	CALL_SPIN_US = 20
};

#define WAKE_TAG UINT64_MAX     /* epoll data of the eventfd */
#define FREE_FD (-1)

enum mode {
	MODE_APP,       /* application-driven (also before anything ran) */
	MODE_THREAD,    /* own thread running (or starting) */
	MODE_STOPPED,   /* own thread stopped: calls get SL_ESTATE */
	MODE_DEAD       /* being destroyed */
};

/* States of a caller's completion (futex word on the caller's stack). */
enum {
	CALL_PENDING = 0,
	CALL_SLEEPING = 1,      /* the caller is (about to be) in FUTEX_WAIT */
	CALL_DONE = 2
};

struct completion {
	_Atomic int state;
	int result;
};

_Static_assert(sizeof(_Atomic int) == sizeof(int),
	       "a futex word must be a plain 32-bit int");

struct watcher {
	int fd;                 /* FREE_FD when the slot is unused */
	unsigned events;        /* SL_IO_READ | SL_IO_WRITE asked for */
	uint32_t gen;           /* bumped on unwatch: events already fetched
				 * for the old owner of the slot are dropped */
	sl_io_cb cb;
	void *arg;
};

struct sl_loop {
	const struct sl_clock *clock;
	int epfd;
	int efd;
	uint64_t now_us;                /* cached once per iteration */

	struct sl_timer_heap timers;
	struct sl_timer **timer_slots;

	struct watcher *watchers;       /* max_fds slots */
	uint32_t max_fds;
	uint32_t *free_slots;           /* stack of unused watcher slots */
	uint32_t n_free;
	int32_t *fd_index;              /* open addressing: fd -> slot, -1 */
	uint32_t fd_index_mask;
	struct epoll_event *events;
	int max_events;

	struct sl_mpsc queue;
	struct sl_mpsc_cell *cells;
	uint32_t queue_cap;
	int call_spin;                  /* callers spin before sleeping */

	_Atomic int mode;               /* enum mode */
	_Atomic int stepping;           /* 1 while a thread runs the loop */
	_Atomic int stop;               /* own thread: asked to stop */
	_Atomic int closed;             /* the queue refuses new calls */
	_Atomic int inflight;           /* producers between check and push */
	_Atomic int wake_pending;       /* an eventfd write is on its way */
	_Atomic uintptr_t owner;        /* thread token of the loop thread */
	pthread_t thread;
};

/* A per-thread address serves as a thread identity that fits in an atomic
 * integer (pthread_t is opaque). Never 0. */
static _Thread_local char thread_tag;

static uintptr_t self_token(void)
{
	return (uintptr_t)&thread_tag;
}

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7)
	__asm__ __volatile__("yield");
#endif
}

/* ---- completions (futex) ---- */

static void futex_wait(_Atomic int *word, int val)
{
	/* Returns on wake-up, on EAGAIN (the word already changed) or on a
	 * signal; the caller re-checks the word in every case. */
	syscall(SYS_futex, (void *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL,
		0);
}

static void futex_wake(_Atomic int *word)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void complete(struct completion *c, int result)
{
	if (!c)
		return;
	c->result = result;
	/* Once DONE is visible the caller may return and its stack frame,
	 * this word included, may be gone; the wake below then hits a dead
	 * address, which FUTEX_WAKE tolerates (at worst a spurious wake-up,
	 * which every futex waiter must handle anyway). */
	if (atomic_exchange_explicit(&c->state, CALL_DONE,
				     memory_order_acq_rel) == CALL_SLEEPING)
		futex_wake(&c->state);
}

static int wait_completion(struct completion *c, int spin)
{
	int expect = CALL_PENDING;
	uint64_t until = 0;

	for (unsigned i = 0; spin; i++) {
		if (atomic_load_explicit(&c->state, memory_order_acquire) ==
		    CALL_DONE)
			return c->result;
		/* Read the clock only now and then: it costs more than a
		 * relax. */
		if ((i & 31) == 31) {
			uint64_t now = sl__clock_now_us(sl__clock_monotonic());

			if (!until)
				until = now + CALL_SPIN_US;
			else if (now >= until)
				break;
		}
		cpu_relax();
	}
	if (atomic_compare_exchange_strong_explicit(&c->state, &expect,
						    CALL_SLEEPING,
						    memory_order_acq_rel,
						    memory_order_acquire)) {
		while (atomic_load_explicit(&c->state, memory_order_acquire) !=
		       CALL_DONE)
			futex_wait(&c->state, CALL_SLEEPING);
	}
	return c->result;
}

/* ---- the watcher table ---- */

static uint32_t fd_hash(const struct sl_loop *l, int fd)
{
	return ((uint32_t)fd * 2654435761u) & l->fd_index_mask;
}

/* Position of @fd in fd_index, or -1. The table is at most half full, so
 * probing ends at an empty entry within a few steps. */
static int64_t index_find(const struct sl_loop *l, int fd)
{
	uint32_t i = fd_hash(l, fd);

	for (uint32_t n = 0; n <= l->fd_index_mask; n++) {
		int32_t slot = l->fd_index[i];

		if (slot < 0)
			return -1;
		if (l->watchers[slot].fd == fd)
			return i;
		i = (i + 1) & l->fd_index_mask;
	}
	return -1;
}

static void index_insert(struct sl_loop *l, int fd, uint32_t slot)
{
	uint32_t i = fd_hash(l, fd);

	while (l->fd_index[i] >= 0)
		i = (i + 1) & l->fd_index_mask;
	l->fd_index[i] = (int32_t)slot;
}

/* Linear-probing delete with backward shift: no tombstones, so lookups stay
 * short however many watch/unwatch cycles happen. */
static void index_remove(struct sl_loop *l, uint32_t i)
{
	uint32_t mask = l->fd_index_mask;
	uint32_t j = i;

	l->fd_index[i] = -1;
	for (uint32_t n = 0; n < mask; n++) {
		uint32_t home;

		j = (j + 1) & mask;
		if (l->fd_index[j] < 0)
			return;
		home = fd_hash(l, l->watchers[l->fd_index[j]].fd);
		/* Move j back into the hole at i unless its home lies
		 * cyclically in (i, j]. */
		if ((i <= j) ? (home <= i || home > j) :
			       (home <= i && home > j)) {
			l->fd_index[i] = l->fd_index[j];
			l->fd_index[j] = -1;
			i = j;
		}
	}
}

static int check_events(unsigned events)
{
	return (events & ~(unsigned)(SL_IO_READ | SL_IO_WRITE | SL_IO_ERROR))
		       ? SL_EINVAL : 0;
}

static uint32_t to_epoll(unsigned events)
{
	uint32_t e = 0;

	if (events & SL_IO_READ)
		e |= EPOLLIN;
	if (events & SL_IO_WRITE)
		e |= EPOLLOUT;
	return e;
}

int sl__loop_watch(struct sl_loop *l, int fd, unsigned events, sl_io_cb cb,
		   void *arg)
{
	struct epoll_event ev;
	struct watcher *w;
	uint32_t slot;

	if (!l || fd < 0 || !cb || check_events(events))
		return SL_EINVAL;
	if (index_find(l, fd) >= 0)
		return SL_EEXIST;
	if (l->n_free == 0)
		return SL_ELIMIT;

	slot = l->free_slots[l->n_free - 1];
	w = &l->watchers[slot];
	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)w->gen << 32 | slot;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		sl_log_error(LOG_MOD, "epoll_ctl(ADD, fd %d): %s", fd,
			     strerror(errno));
		return SL_EIO;
	}
	l->n_free--;
	w->fd = fd;
	w->events = events & (SL_IO_READ | SL_IO_WRITE);
	w->cb = cb;
	w->arg = arg;
	index_insert(l, fd, slot);
	return 0;
}

int sl__loop_modify(struct sl_loop *l, int fd, unsigned events)
{
	struct epoll_event ev;
	struct watcher *w;
	int64_t i;

	if (!l || fd < 0 || check_events(events))
		return SL_EINVAL;
	i = index_find(l, fd);
	if (i < 0)
		return SL_ENOTFOUND;
	w = &l->watchers[l->fd_index[i]];
	memset(&ev, 0, sizeof(ev));
	ev.events = to_epoll(events);
	ev.data.u64 = (uint64_t)w->gen << 32 | (uint32_t)l->fd_index[i];
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) != 0) {
		sl_log_error(LOG_MOD, "epoll_ctl(MOD, fd %d): %s", fd,
			     strerror(errno));
		return SL_EIO;
	}
	w->events = events & (SL_IO_READ | SL_IO_WRITE);
	return 0;
}

int sl__loop_unwatch(struct sl_loop *l, int fd)
{
	struct watcher *w;
	uint32_t slot;
	int64_t i;
	int rc = 0;

	if (!l || fd < 0)
		return SL_EINVAL;
	i = index_find(l, fd);
	if (i < 0)
		return SL_ENOTFOUND;
	slot = (uint32_t)l->fd_index[i];
	w = &l->watchers[slot];
	/* An fd closed before being unwatched has already left the epoll set
	 * (EBADF, or ENOENT once its number was reused): forget it quietly. */
	if (epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) != 0 &&
	    errno != EBADF && errno != ENOENT) {
		sl_log_error(LOG_MOD, "epoll_ctl(DEL, fd %d): %s", fd,
			     strerror(errno));
		rc = SL_EIO;
	}
	index_remove(l, (uint32_t)i);
	w->fd = FREE_FD;
	w->events = 0;
	w->cb = NULL;
	w->arg = NULL;
	w->gen++;
	l->free_slots[l->n_free++] = slot;
	return rc;
}

/* ---- time ---- */

uint64_t sl__loop_now_us(const struct sl_loop *l)
{
	return l ? l->now_us : 0;
}

uint64_t sl__loop_update_time(struct sl_loop *l)
{
	if (!l)
		return 0;
	l->now_us = sl__clock_now_us(l->clock);
	return l->now_us;
}

int sl__loop_timer_start(struct sl_loop *l, struct sl_timer *t,
			 uint64_t delay_ms)
{
	uint64_t deadline;

	if (!l || !t)
		return SL_EINVAL;
	/* Saturate: a huge delay means "never", not a wrapped past. One
	 * below UINT64_MAX, which sl__timer_next_deadline() reserves for
	 * "nothing armed". */
	if (delay_ms > (UINT64_MAX - 1 - l->now_us) / 1000u)
		deadline = UINT64_MAX - 1;
	else
		deadline = l->now_us + delay_ms * 1000u;
	return sl__timer_start(&l->timers, t, deadline);
}

void sl__loop_timer_stop(struct sl_loop *l, struct sl_timer *t)
{
	if (l)
		sl__timer_stop(&l->timers, t);
}

/* ---- the queue ---- */

/* Empties the queue for good: refuses new calls, waits for producers that
 * already passed the check, then runs (@run) or fails every queued call. */
static void close_queue(struct sl_loop *l, int run)
{
	struct sl_mpsc_msg m;

	atomic_store(&l->closed, 1);
	while (atomic_load(&l->inflight) != 0) {
		cpu_relax();
		sched_yield();
	}
	/* Bounded: no producer can push any more (a call made by one of
	 * these functions on this thread runs directly). */
	while (sl__mpsc_pop(&l->queue, &m))
		complete(m.ctx, run ? m.fn(m.arg) : SL_ESTATE);
	atomic_store(&l->wake_pending, 0);
}

/* Runs what is queued, at most one queue's worth, so a function that posts
 * itself again cannot keep the loop from its fds and timers. */
static int run_queue(struct sl_loop *l)
{
	struct sl_mpsc_msg m;
	int ran = 0;

	/* Clear before popping: a producer that finds the flag still set
	 * relies on this pass to see its cell (the exchange reads its value,
	 * so its push happens-before the pops below). */
	atomic_exchange(&l->wake_pending, 0);
	while ((uint32_t)ran < l->queue_cap && sl__mpsc_pop(&l->queue, &m)) {
		complete(m.ctx, m.fn(m.arg));
		ran++;
	}
	return ran;
}

static int enqueue(struct sl_loop *l, sl_call_fn fn, void *arg,
		   struct completion *done)
{
	struct sl_mpsc_msg m = { fn, arg, done };
	int rc;

	atomic_fetch_add(&l->inflight, 1);
	if (atomic_load(&l->closed)) {
		atomic_fetch_sub(&l->inflight, 1);
		return SL_ESTATE;
	}
	rc = sl__mpsc_push(&l->queue, &m);
	if (rc == 0 && !atomic_exchange(&l->wake_pending, 1))
		sl__loop_wake(l);
	/* Last access to @l: after this the loop may be destroyed. */
	atomic_fetch_sub(&l->inflight, 1);
	return rc;
}

static int call_refused(const struct sl_loop *l)
{
	int m = atomic_load(&l->mode);

	return m == MODE_STOPPED || m == MODE_DEAD;
}

int sl__loop_call(struct sl_loop *l, sl_call_fn fn, void *arg)
{
	struct completion done;
	int rc, spin;

	if (!l || !fn)
		return SL_EINVAL;
	if (call_refused(l))
		return SL_ESTATE;
	if (sl__loop_on_thread(l))
		return fn(arg);
	atomic_init(&done.state, CALL_PENDING);
	done.result = 0;
	/* Read before queueing: once the call completes, the loop may be
	 * destroyed, so the wait must not touch @l. */
	spin = l->call_spin;
	rc = enqueue(l, fn, arg, &done);
	if (rc < 0)
		return rc;
	return wait_completion(&done, spin);
}

int sl__loop_post(struct sl_loop *l, sl_call_fn fn, void *arg)
{
	if (!l || !fn)
		return SL_EINVAL;
	if (call_refused(l))
		return SL_ESTATE;
	return enqueue(l, fn, arg, NULL);
}

void sl__loop_wake(struct sl_loop *l)
{
	uint64_t one = 1;

	if (!l)
		return;
	/* EAGAIN means the counter is saturated: the loop is woken anyway. */
	if (write(l->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		sl_log_error(LOG_MOD, "eventfd write: %s", strerror(errno));
}

int sl__loop_on_thread(const struct sl_loop *l)
{
	return l && atomic_load(&l->owner) == self_token();
}

/* ---- running ---- */

int sl__loop_fd(const struct sl_loop *l)
{
	return l ? l->epfd : SL_EINVAL;
}

int sl__loop_timeout_ms(struct sl_loop *l)
{
	uint64_t next, now, ms;

	if (!l)
		return SL_EINVAL;
	if (!sl__mpsc_empty(&l->queue))
		return 0;
	next = sl__timer_next_deadline(&l->timers);
	if (next == UINT64_MAX)
		return -1;
	/* A fresh reading, not the cached time: between steps the cache is
	 * stale, and a timeout computed from it would oversleep. */
	now = sl__clock_now_us(l->clock);
	if (next <= now)
		return 0;
	/* Round up: waking a little early would only spin with timeout 0. */
	ms = (next - now + 999u) / 1000u;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void drain_eventfd(struct sl_loop *l)
{
	uint64_t n;

	if (read(l->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		sl_log_error(LOG_MOD, "eventfd read: %s", strerror(errno));
}

static int dispatch_io(struct sl_loop *l, int n)
{
	int ran = 0;

	for (int i = 0; i < n; i++) {
		uint64_t data = l->events[i].data.u64;
		uint32_t e = l->events[i].events;
		uint32_t slot = (uint32_t)data;
		struct watcher *w;
		unsigned got = 0;

		if (data == WAKE_TAG) {
			drain_eventfd(l);
			continue;
		}
		if (slot >= l->max_fds)
			continue;
		w = &l->watchers[slot];
		/* Unwatched (or unwatched and reused) by an earlier callback
		 * of this batch: the event is stale. */
		if (w->fd == FREE_FD || w->gen != (uint32_t)(data >> 32))
			continue;
		if ((e & (EPOLLIN | EPOLLPRI)) && (w->events & SL_IO_READ))
			got |= SL_IO_READ;
		if ((e & EPOLLOUT) && (w->events & SL_IO_WRITE))
			got |= SL_IO_WRITE;
		if (e & (EPOLLERR | EPOLLHUP))
			got |= SL_IO_ERROR;
		if (!got)
			continue;
		w->cb(w->arg, w->fd, got);
		ran++;
	}
	return ran;
}

/* One iteration; the caller holds `stepping`. */
static int step(struct sl_loop *l, int timeout_ms)
{
	int wait_ms = sl__loop_timeout_ms(l);
	int n, ran;

	if (wait_ms < 0 || (timeout_ms >= 0 && timeout_ms < wait_ms))
		wait_ms = timeout_ms;
	n = epoll_wait(l->epfd, l->events, l->max_events, wait_ms);
	if (n < 0) {
		if (errno != EINTR) {
			sl_log_error(LOG_MOD, "epoll_wait: %s",
				     strerror(errno));
			return SL_EIO;
		}
		n = 0;
	}
	l->now_us = sl__clock_now_us(l->clock);
	ran = dispatch_io(l, n);
	ran += run_queue(l);
	ran += (int)sl__timer_run_due(&l->timers, l->now_us);
	return ran;
}

int sl__loop_step(struct sl_loop *l, int timeout_ms)
{
	int expect = 0;
	int rc;

	if (!l)
		return SL_EINVAL;
	if (atomic_load(&l->mode) != MODE_APP)
		return SL_ESTATE;
	/* Fails when the own thread runs, another thread is stepping, or a
	 * callback of this very step tries to step again. */
	if (!atomic_compare_exchange_strong(&l->stepping, &expect, 1))
		return SL_ESTATE;
	if (atomic_load(&l->mode) != MODE_APP) {
		atomic_store(&l->stepping, 0);
		return SL_ESTATE;
	}
	atomic_store(&l->owner, self_token());
	rc = step(l, timeout_ms);
	atomic_store(&l->stepping, 0);
	return rc;
}

static void *loop_thread(void *arg)
{
	struct sl_loop *l = arg;

	atomic_store(&l->owner, self_token());
	while (!atomic_load(&l->stop)) {
		if (step(l, -1) < 0) {
			sl_log_error(LOG_MOD, "loop thread exits on error");
			break;
		}
	}
	/* Calls queued before the stop still run (loop.h). */
	close_queue(l, 1);
	return NULL;
}

int sl__loop_start_thread(struct sl_loop *l)
{
	int expect = 0;
	int prev, err;

	if (!l)
		return SL_EINVAL;
	prev = atomic_load(&l->mode);
	if (prev == MODE_THREAD || prev == MODE_DEAD)
		return SL_ESTATE;
	if (!atomic_compare_exchange_strong(&l->stepping, &expect, 1))
		return SL_ESTATE;
	atomic_store(&l->stop, 0);
	atomic_store(&l->closed, 0);
	/* Nobody is the loop thread until the new thread says so: a call
	 * made meanwhile is queued, never run here beside it. */
	atomic_store(&l->owner, 0);
	atomic_store(&l->mode, MODE_THREAD);
	err = pthread_create(&l->thread, NULL, loop_thread, l);
	if (err != 0) {
		sl_log_error(LOG_MOD, "pthread_create: %s", strerror(err));
		atomic_store(&l->closed, prev == MODE_STOPPED);
		atomic_store(&l->mode, prev);
		atomic_store(&l->owner, self_token());
		atomic_store(&l->stepping, 0);
		return SL_EFAIL;
	}
	return 0;
}

int sl__loop_stop_thread(struct sl_loop *l)
{
	int err;

	if (!l)
		return SL_EINVAL;
	if (atomic_load(&l->mode) != MODE_THREAD || sl__loop_on_thread(l))
		return SL_ESTATE;
	/* Only one stopper may join. */
	if (atomic_exchange(&l->stop, 1))
		return SL_ESTATE;
	sl__loop_wake(l);
	err = pthread_join(l->thread, NULL);
	if (err != 0)
		sl_log_error(LOG_MOD, "pthread_join: %s", strerror(err));
	atomic_store(&l->owner, self_token());
	atomic_store(&l->mode, MODE_STOPPED);
	atomic_store(&l->stepping, 0);
	return 0;
}

/* ---- creation ---- */

static void free_loop(struct sl_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->efd >= 0)
		close(l->efd);
	free(l->timer_slots);
	free(l->watchers);
	free(l->free_slots);
	free(l->fd_index);
	free(l->events);
	free(l->cells);
	free(l);
}

/* CPUs this process may run on (its affinity, else those online). */
static long cpus_usable(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static uint32_t pow2_at_least(uint32_t v)
{
	uint32_t p = 2;

	while (p < v)
		p <<= 1;
	return p;
}

int sl__loop_create(struct sl_loop **out, const struct sl_loop_config *cfg)
{
	static const struct sl_loop_config defaults;
	struct epoll_event ev;
	struct sl_loop *l;
	uint32_t max_timers, max_fds, queue_cap, index_cap;

	if (!out)
		return SL_EINVAL;
	*out = NULL;
	if (!cfg)
		cfg = &defaults;
	max_timers = cfg->max_timers ? cfg->max_timers : DEFAULT_MAX_TIMERS;
	max_fds = cfg->max_fds ? cfg->max_fds : DEFAULT_MAX_FDS;
	queue_cap = cfg->queue_cap ? cfg->queue_cap : DEFAULT_QUEUE_CAP;
	if (max_timers > LIMIT_MAX_TIMERS || max_fds > LIMIT_MAX_FDS ||
	    queue_cap > LIMIT_QUEUE_CAP)
		return SL_EINVAL;
	queue_cap = pow2_at_least(queue_cap);
	index_cap = pow2_at_least(2 * max_fds);

	l = calloc(1, sizeof(*l));
	if (!l)
		return SL_ENOMEM;
	l->epfd = -1;
	l->efd = -1;
	l->clock = cfg->clock ? cfg->clock : sl__clock_monotonic();
	l->max_fds = max_fds;
	l->queue_cap = queue_cap;
	l->call_spin = cpus_usable() > 1;
	l->fd_index_mask = index_cap - 1;
	l->max_events = max_fds + 1 < MAX_EVENTS ? (int)max_fds + 1
						  : MAX_EVENTS;
	l->timer_slots = calloc(max_timers, sizeof(*l->timer_slots));
	l->watchers = calloc(max_fds, sizeof(*l->watchers));
	l->free_slots = calloc(max_fds, sizeof(*l->free_slots));
	l->fd_index = calloc(index_cap, sizeof(*l->fd_index));
	l->events = calloc((size_t)l->max_events, sizeof(*l->events));
	l->cells = calloc(queue_cap, sizeof(*l->cells));
	if (!l->timer_slots || !l->watchers || !l->free_slots ||
	    !l->fd_index || !l->events || !l->cells) {
		sl_log_error(LOG_MOD, "cannot allocate a loop for %u fds, "
			     "%u timers, %u queued calls", max_fds,
			     max_timers, queue_cap);
		free_loop(l);
		return SL_ENOMEM;
	}
	sl__timer_heap_init(&l->timers, l->timer_slots, max_timers);
	sl__mpsc_init(&l->queue, l->cells, queue_cap);
	/* Slots are handed out from the end of the stack: slot 0 first. */
	for (uint32_t i = 0; i < max_fds; i++) {
		l->watchers[i].fd = FREE_FD;
		l->free_slots[i] = max_fds - 1 - i;
	}
	l->n_free = max_fds;
	for (uint32_t i = 0; i < index_cap; i++)
		l->fd_index[i] = -1;

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		sl_log_error(LOG_MOD, "epoll_create1: %s", strerror(errno));
		free_loop(l);
		return SL_EIO;
	}
	l->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->efd < 0) {
		sl_log_error(LOG_MOD, "eventfd: %s", strerror(errno));
		free_loop(l);
		return SL_EIO;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = WAKE_TAG;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->efd, &ev) != 0) {
		sl_log_error(LOG_MOD, "epoll_ctl(ADD, eventfd): %s",
			     strerror(errno));
		free_loop(l);
		return SL_EIO;
	}

	atomic_init(&l->mode, MODE_APP);
	atomic_init(&l->stepping, 0);
	atomic_init(&l->stop, 0);
	atomic_init(&l->closed, 0);
	atomic_init(&l->inflight, 0);
	atomic_init(&l->wake_pending, 0);
	atomic_init(&l->owner, self_token());
	l->now_us = sl__clock_now_us(l->clock);
	*out = l;
	return 0;
}

void sl__loop_destroy(struct sl_loop *l)
{
	if (!l)
		return;
	if (atomic_load(&l->mode) == MODE_THREAD) {
		if (sl__loop_on_thread(l)) {
			/* A thread cannot join itself; leaking is the only
			 * choice that does not corrupt memory. */
			sl_log_error(LOG_MOD, "sl__loop_destroy called on its "
				     "own loop thread: ignored");
			return;
		}
		sl__loop_stop_thread(l);
	}
	atomic_store(&l->mode, MODE_DEAD);
	close_queue(l, 0);
	free_loop(l);
}
