/*
 * tests/unit/check_core_loop.c: the SIP loop (lib/core/loop.c, mpsc.c):
 * fd watches, timers on a virtual clock, timeouts, application-driven and
 * own-thread modes, cross-thread calls and posts, queue exhaustion, stop
 * and destroy with work pending.
 *
 * No sleeps and no timing assertions: threads meet through atomics, and
 * where a test must wait for another thread it spins with sched_yield()
 * on a condition the loop guarantees (Check's timeout catches a hang).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "core/clock.h"
#include "core/loop.h"
#include "core/timer.h"
#include "sipline/error.h"
#include "sipline/log.h"

/* ---- helpers ---- */

struct io_rec {
	int n;
	int fd;
	unsigned events;
};

static void io_cb(void *arg, int fd, unsigned events)
{
	struct io_rec *r = arg;

	r->n++;
	r->fd = fd;
	r->events = events;
}

static void make_pipe(int p[2])
{
	ck_assert_int_eq(pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
}

static void put_byte(int fd)
{
	char c = 'x';

	ck_assert_int_eq(write(fd, &c, 1), 1);
}

static void take_bytes(int fd)
{
	char buf[64];

	while (read(fd, buf, sizeof(buf)) > 0)
		;
}

static struct sl_loop *new_loop(const struct sl_loop_config *cfg)
{
	struct sl_loop *l = NULL;

	ck_assert_int_eq(sl__loop_create(&l, cfg), 0);
	ck_assert_ptr_nonnull(l);
	return l;
}

static void start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	ck_assert_int_eq(pthread_create(t, NULL, fn, arg), 0);
}

static void join(pthread_t t)
{
	ck_assert_int_eq(pthread_join(t, NULL), 0);
}

/* Loop-side functions for calls and posts. */

static int counter;             /* owned by the loop thread: never locked */

static int inc_counter(void *arg)
{
	(void)arg;
	return ++counter;
}

static int get_counter(void *arg)
{
	(void)arg;
	return counter;
}

static int return_arg(void *arg)
{
	return (int)(intptr_t)arg;
}

struct on_thread_probe {
	struct sl_loop *l;
	int ran;
	int on_thread;
};

static int probe_fn(void *arg)
{
	struct on_thread_probe *p = arg;

	p->ran++;
	p->on_thread = sl__loop_on_thread(p->l);
	return 42;
}

/* ---- creation and arguments ---- */

START_TEST(create_checks_its_config)
{
	struct sl_loop_config cfg;
	struct sl_loop *l = (struct sl_loop *)&cfg;

	ck_assert_int_eq(sl__loop_create(NULL, NULL), SL_EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_fds = UINT32_MAX;
	ck_assert_int_eq(sl__loop_create(&l, &cfg), SL_EINVAL);
	ck_assert_ptr_null(l);
	memset(&cfg, 0, sizeof(cfg));
	cfg.queue_cap = UINT32_MAX;
	ck_assert_int_eq(sl__loop_create(&l, &cfg), SL_EINVAL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.max_timers = UINT32_MAX;
	ck_assert_int_eq(sl__loop_create(&l, &cfg), SL_EINVAL);

	/* NULL config: every default. */
	l = new_loop(NULL);
	ck_assert_int_ge(sl__loop_fd(l), 0);
	ck_assert_int_eq(sl__loop_timeout_ms(l), -1);
	/* Before anything runs, the creating thread is the loop thread. */
	ck_assert_int_eq(sl__loop_on_thread(l), 1);
	sl__loop_destroy(l);
	sl__loop_destroy(NULL);
}
END_TEST

START_TEST(null_arguments_are_einval)
{
	struct sl_loop *l = new_loop(NULL);
	struct sl_timer t;

	sl__timer_init(&t, NULL, NULL);
	ck_assert_int_eq(sl__loop_watch(NULL, 0, SL_IO_READ, io_cb, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__loop_modify(NULL, 0, 0), SL_EINVAL);
	ck_assert_int_eq(sl__loop_unwatch(NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl__loop_timer_start(NULL, &t, 1), SL_EINVAL);
	ck_assert_int_eq(sl__loop_timer_start(l, NULL, 1), SL_EINVAL);
	sl__loop_timer_stop(NULL, &t);
	sl__loop_timer_stop(l, NULL);
	ck_assert_int_eq(sl__loop_start_thread(NULL), SL_EINVAL);
	ck_assert_int_eq(sl__loop_stop_thread(NULL), SL_EINVAL);
	ck_assert_int_eq(sl__loop_fd(NULL), SL_EINVAL);
	ck_assert_int_eq(sl__loop_timeout_ms(NULL), SL_EINVAL);
	ck_assert_int_eq(sl__loop_step(NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl__loop_on_thread(NULL), 0);
	ck_assert_int_eq(sl__loop_call(NULL, inc_counter, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__loop_call(l, NULL, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__loop_post(NULL, inc_counter, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__loop_post(l, NULL, NULL), SL_EINVAL);
	ck_assert_uint_eq(sl__loop_now_us(NULL), 0);
	ck_assert_uint_eq(sl__loop_update_time(NULL), 0);
	sl__loop_wake(NULL);
	/* Stopping a thread that never started. */
	ck_assert_int_eq(sl__loop_stop_thread(l), SL_ESTATE);
	sl__loop_destroy(l);
}
END_TEST

/* ---- file descriptors ---- */

START_TEST(pipe_read_events_are_level_triggered)
{
	struct sl_loop *l = new_loop(NULL);
	struct io_rec r = { 0, -1, 0 };
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, io_cb, &r), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(r.n, 0);
	put_byte(p[1]);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_eq(r.fd, p[0]);
	ck_assert_uint_eq(r.events, SL_IO_READ);
	/* Not read yet: reported again. */
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(r.n, 2);
	take_bytes(p[0]);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	/* -1 waits until something happens: data is already there. */
	put_byte(p[1]);
	ck_assert_int_eq(sl__loop_step(l, -1), 1);
	ck_assert_int_eq(r.n, 3);
	ck_assert_int_eq(sl__loop_unwatch(l, p[0]), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(r.n, 3);
	sl__loop_destroy(l);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(watch_errors)
{
	struct sl_loop *l = new_loop(NULL);
	struct io_rec r = { 0, -1, 0 };
	FILE *f = tmpfile();
	int p[2], q[2];

	/* The refusals below are logged; keep the test output clean. */
	sl_log_set_level(SL_LOG_NONE);
	make_pipe(p);
	make_pipe(q);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sl__loop_watch(l, -1, SL_IO_READ, io_cb, &r),
			 SL_EINVAL);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, NULL, &r),
			 SL_EINVAL);
	ck_assert_int_eq(sl__loop_watch(l, p[0], 1u << 5, io_cb, &r),
			 SL_EINVAL);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, io_cb, &r), 0);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_WRITE, io_cb, &r),
			 SL_EEXIST);
	ck_assert_int_eq(sl__loop_modify(l, p[0], 1u << 7), SL_EINVAL);
	ck_assert_int_eq(sl__loop_modify(l, -3, SL_IO_READ), SL_EINVAL);
	ck_assert_int_eq(sl__loop_modify(l, q[0], SL_IO_READ), SL_ENOTFOUND);
	ck_assert_int_eq(sl__loop_unwatch(l, q[0]), SL_ENOTFOUND);
	ck_assert_int_eq(sl__loop_unwatch(l, -1), SL_EINVAL);
	/* epoll refuses regular files (EPERM) and closed fds (EBADF). */
	ck_assert_int_eq(sl__loop_watch(l, fileno(f), SL_IO_READ, io_cb, &r),
			 SL_EIO);
	close(q[1]);
	ck_assert_int_eq(sl__loop_watch(l, q[1], SL_IO_READ, io_cb, &r),
			 SL_EIO);
	/* Its own epoll fd cannot be watched either. */
	ck_assert_int_eq(sl__loop_watch(l, sl__loop_fd(l), SL_IO_READ, io_cb,
					&r), SL_EIO);
	/* A refused watch leaves nothing behind: the fd is still free. */
	ck_assert_int_eq(sl__loop_unwatch(l, fileno(f)), SL_ENOTFOUND);
	/* SL_IO_ERROR may be asked for; it is reported anyway. */
	ck_assert_int_eq(sl__loop_watch(l, q[0], SL_IO_ERROR, io_cb, &r), 0);
	/* Unwatching an fd already closed still forgets it. */
	close(q[0]);
	ck_assert_int_eq(sl__loop_unwatch(l, q[0]), 0);
	ck_assert_int_eq(sl__loop_unwatch(l, q[0]), SL_ENOTFOUND);
	sl__loop_destroy(l);
	fclose(f);
	close(p[0]);
	close(p[1]);
}
END_TEST

struct pair_ctx {
	struct sl_loop *l;
	int fd[2];              /* two watched, readable read ends */
	int spare;              /* a readable fd watched from the callback */
	struct io_rec spare_rec;
	int calls;
};

static void unwatch_both_cb(void *arg, int fd, unsigned events)
{
	struct pair_ctx *c = arg;
	int other = fd == c->fd[0] ? c->fd[1] : c->fd[0];

	(void)events;
	c->calls++;
	ck_assert_int_eq(sl__loop_unwatch(c->l, fd), 0);
	ck_assert_int_eq(sl__loop_unwatch(c->l, other), 0);
	/* The other fd's slot is reused at once; its event, already fetched
	 * in this batch, must not reach the new watcher. */
	ck_assert_int_eq(sl__loop_watch(c->l, c->spare, SL_IO_READ, io_cb,
					&c->spare_rec), 0);
}

START_TEST(unwatch_inside_callback)
{
	struct sl_loop_config cfg = { .max_fds = 2 };
	struct pair_ctx c;
	int a[2], b[2], s[2];

	memset(&c, 0, sizeof(c));
	c.l = new_loop(&cfg);
	make_pipe(a);
	make_pipe(b);
	make_pipe(s);
	c.fd[0] = a[0];
	c.fd[1] = b[0];
	c.spare = s[0];
	put_byte(a[1]);
	put_byte(b[1]);
	put_byte(s[1]);
	ck_assert_int_eq(sl__loop_watch(c.l, a[0], SL_IO_READ,
					unwatch_both_cb, &c), 0);
	ck_assert_int_eq(sl__loop_watch(c.l, b[0], SL_IO_READ,
					unwatch_both_cb, &c), 0);
	/* Both are ready in the same batch; only the first callback runs. */
	ck_assert_int_eq(sl__loop_step(c.l, 0), 1);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(c.spare_rec.n, 0);
	ck_assert_int_eq(sl__loop_step(c.l, 0), 1);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(c.spare_rec.n, 1);
	ck_assert_int_eq(c.spare_rec.fd, s[0]);
	sl__loop_destroy(c.l);
	for (int i = 0; i < 2; i++) {
		close(a[i]);
		close(b[i]);
		close(s[i]);
	}
}
END_TEST

START_TEST(modify_changes_the_events)
{
	struct sl_loop *l = new_loop(NULL);
	struct io_rec w = { 0, -1, 0 }, r = { 0, -1, 0 };
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(sl__loop_watch(l, p[1], SL_IO_WRITE, io_cb, &w), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_uint_eq(w.events, SL_IO_WRITE);
	ck_assert_int_eq(sl__loop_modify(l, p[1], SL_IO_READ), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(sl__loop_modify(l, p[1], SL_IO_READ | SL_IO_WRITE),
			 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_uint_eq(w.events, SL_IO_WRITE);
	ck_assert_int_eq(w.n, 2);

	put_byte(p[1]);
	ck_assert_int_eq(sl__loop_modify(l, p[1], 0), 0);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ | SL_IO_WRITE,
					io_cb, &r), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_uint_eq(r.events, SL_IO_READ);
	ck_assert_int_eq(sl__loop_modify(l, p[0], 0), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(sl__loop_modify(l, p[0], SL_IO_READ), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(r.n, 2);
	ck_assert_int_eq(w.n, 2);
	sl__loop_destroy(l);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(hang_up_is_reported_as_error)
{
	struct sl_loop *l = new_loop(NULL);
	struct io_rec r = { 0, -1, 0 };
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, io_cb, &r), 0);
	close(p[1]);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert(r.events & SL_IO_ERROR);
	/* Even with no events asked for. */
	ck_assert_int_eq(sl__loop_modify(l, p[0], 0), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_uint_eq(r.events, SL_IO_ERROR);
	sl__loop_destroy(l);
	close(p[0]);
}
END_TEST

START_TEST(watch_limit_is_elimit)
{
	struct sl_loop_config cfg = { .max_fds = 2 };
	struct sl_loop *l = new_loop(&cfg);
	struct io_rec r = { 0, -1, 0 };
	int p[2], q[2];

	make_pipe(p);
	make_pipe(q);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, io_cb, &r), 0);
	ck_assert_int_eq(sl__loop_watch(l, p[1], SL_IO_READ, io_cb, &r), 0);
	ck_assert_int_eq(sl__loop_watch(l, q[0], SL_IO_READ, io_cb, &r),
			 SL_ELIMIT);
	ck_assert_int_eq(sl__loop_unwatch(l, p[1]), 0);
	ck_assert_int_eq(sl__loop_watch(l, q[0], SL_IO_READ, io_cb, &r), 0);
	put_byte(q[1]);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(r.fd, q[0]);
	sl__loop_destroy(l);
	for (int i = 0; i < 2; i++) {
		close(p[i]);
		close(q[i]);
	}
}
END_TEST

/* Random watch/unwatch against a set; every step must report exactly the
 * watched fds (each pipe holds a byte, so every end is ready). */
enum { R_PIPES = 24, R_FDS = 2 * R_PIPES, R_MAX = 16 };

static int seen[1024];

static void seen_cb(void *arg, int fd, unsigned events)
{
	(void)arg;
	(void)events;
	ck_assert_int_lt(fd, 1024);
	seen[fd]++;
}

START_TEST(random_watches_match_a_set)
{
	struct sl_loop_config cfg = { .max_fds = R_MAX };
	struct sl_loop *l = new_loop(&cfg);
	int fds[R_FDS], in[R_FDS] = { 0 }, n_in = 0;
	uint32_t x = 12345;

	for (int i = 0; i < R_PIPES; i++) {
		make_pipe(&fds[2 * i]);
		put_byte(fds[2 * i + 1]);
	}
	for (int op = 0; op < 3000; op++) {
		int k, rc;

		x = x * 1103515245u + 12345u;
		k = (int)((x >> 8) % R_FDS);
		if ((x >> 20) % 3 == 0) {
			rc = sl__loop_unwatch(l, fds[k]);
			ck_assert_int_eq(rc, in[k] ? 0 : SL_ENOTFOUND);
			if (in[k])
				n_in--;
			in[k] = 0;
		} else if ((x >> 20) % 3 == 1) {
			rc = sl__loop_watch(l, fds[k],
					    SL_IO_READ | SL_IO_WRITE, seen_cb,
					    NULL);
			ck_assert_int_eq(rc, in[k] ? SL_EEXIST :
					 n_in == R_MAX ? SL_ELIMIT : 0);
			if (rc == 0) {
				in[k] = 1;
				n_in++;
			}
		} else {
			memset(seen, 0, sizeof(seen));
			ck_assert_int_eq(sl__loop_step(l, 0), n_in);
			for (int i = 0; i < R_FDS; i++)
				ck_assert_int_eq(seen[fds[i]], in[i]);
		}
	}
	sl__loop_destroy(l);
	for (int i = 0; i < R_FDS; i++)
		close(fds[i]);
}
END_TEST

/* ---- time ---- */

struct tick {
	struct sl_timer t;
	int fired;
	uint64_t at;            /* loop time seen by the callback */
	struct sl_loop *l;
};

static void tick_cb(struct sl_timer *t, void *arg)
{
	struct tick *k = arg;

	(void)t;
	k->fired++;
	k->at = sl__loop_now_us(k->l);
}

START_TEST(timers_fire_on_the_virtual_clock)
{
	struct sl_vclock v;
	struct sl_loop_config cfg = { .clock = &v.clock };
	struct sl_loop *l;
	struct tick a, b;

	sl__vclock_init(&v, 5000000);
	l = new_loop(&cfg);
	ck_assert_uint_eq(sl__loop_now_us(l), 5000000);
	a.l = b.l = l;
	a.fired = b.fired = 0;
	sl__timer_init(&a.t, tick_cb, &a);
	sl__timer_init(&b.t, tick_cb, &b);
	ck_assert_int_eq(sl__loop_timer_start(l, &a.t, 100), 0);
	ck_assert_int_eq(sl__loop_timer_start(l, &b.t, 100), 0);
	ck_assert_uint_eq(a.t.deadline_us, 5100000);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	sl__vclock_advance(&v, 99999);
	/* The cached time moves only per iteration or when asked. */
	ck_assert_uint_eq(sl__loop_now_us(l), 5000000);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_uint_eq(sl__loop_now_us(l), 5099999);
	ck_assert_int_eq(a.fired, 0);
	sl__vclock_advance(&v, 1);
	ck_assert_uint_eq(sl__loop_update_time(l), 5100000);
	ck_assert_uint_eq(sl__loop_now_us(l), 5100000);
	ck_assert_int_eq(sl__loop_step(l, 0), 2);
	ck_assert_int_eq(a.fired, 1);
	ck_assert_int_eq(b.fired, 1);
	ck_assert_uint_eq(a.at, 5100000);
	/* Stopped timers do not fire. */
	ck_assert_int_eq(sl__loop_timer_start(l, &a.t, 0), 0);
	sl__loop_timer_stop(l, &a.t);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(a.fired, 1);
	sl__loop_destroy(l);
}
END_TEST

START_TEST(timeout_ms_values)
{
	struct sl_vclock v;
	struct sl_loop_config cfg = { .clock = &v.clock, .max_timers = 2 };
	struct sl_loop *l;
	struct tick a, b, c;

	sl__vclock_init(&v, 0);
	l = new_loop(&cfg);
	a.l = b.l = c.l = l;
	a.fired = b.fired = c.fired = 0;
	sl__timer_init(&a.t, tick_cb, &a);
	sl__timer_init(&b.t, tick_cb, &b);
	sl__timer_init(&c.t, tick_cb, &c);
	ck_assert_int_eq(sl__loop_timeout_ms(l), -1);
	ck_assert_int_eq(sl__loop_timer_start(l, &a.t, 10), 0);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 10);
	/* Rounded up: 9.5 ms left is a 10 ms wait, 0.5 ms is 1 ms. */
	sl__vclock_advance(&v, 500);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 10);
	sl__vclock_advance(&v, 9000);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 1);
	sl__vclock_advance(&v, 500);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 0);
	sl__vclock_advance(&v, 500);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(sl__loop_timeout_ms(l), -1);

	/* Far future: clamped, not wrapped. */
	ck_assert_int_eq(sl__loop_timer_start(l, &a.t, UINT64_MAX), 0);
	ck_assert_uint_eq(a.t.deadline_us, UINT64_MAX - 1);
	ck_assert_int_eq(sl__loop_timeout_ms(l), INT_MAX);
	ck_assert_int_eq(sl__loop_timer_start(l, &b.t, 3), 0);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 3);
	/* max_timers reached. */
	ck_assert_int_eq(sl__loop_timer_start(l, &c.t, 1), SL_ENOMEM);
	sl__loop_timer_stop(l, &b.t);
	sl__loop_timer_stop(l, &a.t);
	ck_assert_int_eq(sl__loop_timeout_ms(l), -1);

	/* Queued work means "don't wait". */
	ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), 0);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 0);
	counter = 0;
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(counter, 1);
	ck_assert_int_eq(sl__loop_timeout_ms(l), -1);
	sl__loop_destroy(l);
}
END_TEST

static void arm_zero_cb(void *arg, int fd, unsigned events)
{
	struct tick *k = arg;

	(void)events;
	take_bytes(fd);
	ck_assert_int_eq(sl__loop_timer_start(k->l, &k->t, 0), 0);
}

START_TEST(timer_armed_by_io_fires_in_the_same_step)
{
	struct sl_vclock v;
	struct sl_loop_config cfg = { .clock = &v.clock };
	struct sl_loop *l;
	struct tick k;
	int p[2];

	sl__vclock_init(&v, 1);
	l = new_loop(&cfg);
	k.l = l;
	k.fired = 0;
	sl__timer_init(&k.t, tick_cb, &k);
	make_pipe(p);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, arm_zero_cb, &k),
			 0);
	put_byte(p[1]);
	ck_assert_int_eq(sl__loop_step(l, 0), 2);
	ck_assert_int_eq(k.fired, 1);
	sl__loop_destroy(l);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---- application-driven mode ---- */

struct poster {
	struct sl_loop *l;
	int rc;
};

static void *post_once(void *arg)
{
	struct poster *p = arg;

	p->rc = sl__loop_post(p->l, inc_counter, NULL);
	return NULL;
}

START_TEST(app_driven_poll_then_step)
{
	struct sl_vclock v;
	struct sl_loop_config cfg = { .clock = &v.clock };
	struct sl_loop *l;
	struct io_rec r = { 0, -1, 0 };
	struct tick k;
	struct poster ps;
	struct pollfd pfd;
	pthread_t t;
	int p[2];

	sl__vclock_init(&v, 0);
	l = new_loop(&cfg);
	pfd.fd = sl__loop_fd(l);
	pfd.events = POLLIN;
	make_pipe(p);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, io_cb, &r), 0);

	/* I/O: the loop fd turns readable. */
	put_byte(p[1]);
	ck_assert_int_eq(sl__loop_timeout_ms(l), -1);
	ck_assert_int_eq(poll(&pfd, 1, sl__loop_timeout_ms(l)), 1);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(r.n, 1);
	take_bytes(p[0]);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);

	/* A timer: its timeout, then due, then fired. */
	k.l = l;
	k.fired = 0;
	sl__timer_init(&k.t, tick_cb, &k);
	ck_assert_int_eq(sl__loop_timer_start(l, &k.t, 20), 0);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 20);
	sl__vclock_advance(&v, 20000);
	ck_assert_int_eq(sl__loop_timeout_ms(l), 0);
	ck_assert_int_eq(poll(&pfd, 1, sl__loop_timeout_ms(l)), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(k.fired, 1);

	/* Another thread's post wakes a poll that would wait forever. */
	counter = 0;
	ps.l = l;
	ps.rc = 1;
	ck_assert_int_eq(sl__loop_timeout_ms(l), -1);
	start(&t, post_once, &ps);
	ck_assert_int_eq(poll(&pfd, 1, -1), 1);
	join(t);
	ck_assert_int_eq(ps.rc, 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(counter, 1);
	/* The wake-up is consumed. */
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);

	/* An explicit wake makes a blocking step return. */
	sl__loop_wake(l);
	ck_assert_int_eq(sl__loop_step(l, -1), 0);
	sl__loop_destroy(l);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(app_thread_call_between_steps_runs_directly)
{
	struct sl_loop *l = new_loop(NULL);
	struct on_thread_probe pr = { l, 0, 0 };

	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(sl__loop_on_thread(l), 1);
	/* No step is running; waiting for one would deadlock. */
	ck_assert_int_eq(sl__loop_call(l, probe_fn, &pr), 42);
	ck_assert_int_eq(pr.ran, 1);
	ck_assert_int_eq(pr.on_thread, 1);
	/* A post from the loop thread runs at the next step, not now. */
	counter = 0;
	ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), 0);
	ck_assert_int_eq(counter, 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(counter, 1);
	sl__loop_destroy(l);
}
END_TEST

struct stepper {
	struct sl_loop *l;
	int rc;
	int on_thread_inside;
	int on_thread_after;
};

static void *step_elsewhere(void *arg)
{
	struct stepper *s = arg;

	s->rc = sl__loop_step(s->l, 0);
	s->on_thread_after = sl__loop_on_thread(s->l);
	return NULL;
}

START_TEST(the_thread_that_steps_is_the_loop_thread)
{
	struct sl_loop *l = new_loop(NULL);
	struct stepper s = { l, -100, 0, 0 };
	pthread_t t;

	ck_assert_int_eq(sl__loop_on_thread(l), 1);
	start(&t, step_elsewhere, &s);
	join(t);
	ck_assert_int_eq(s.rc, 0);
	ck_assert_int_eq(s.on_thread_after, 1);
	ck_assert_int_eq(sl__loop_on_thread(l), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 0);
	ck_assert_int_eq(sl__loop_on_thread(l), 1);
	sl__loop_destroy(l);
}
END_TEST

struct reentry {
	struct sl_loop *l;
	int step_rc;
	int start_rc;
	struct on_thread_probe pr;
	int call_rc;
};

static void reenter_cb(void *arg, int fd, unsigned events)
{
	struct reentry *r = arg;

	(void)events;
	take_bytes(fd);
	r->step_rc = sl__loop_step(r->l, 0);
	r->start_rc = sl__loop_start_thread(r->l);
	/* A call from a callback runs directly: no deadlock. */
	r->call_rc = sl__loop_call(r->l, probe_fn, &r->pr);
}

START_TEST(callback_may_call_but_not_step)
{
	struct sl_loop *l = new_loop(NULL);
	struct reentry r;
	int p[2];

	memset(&r, 0, sizeof(r));
	r.l = l;
	r.pr.l = l;
	make_pipe(p);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, reenter_cb, &r),
			 0);
	put_byte(p[1]);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(r.step_rc, SL_ESTATE);
	ck_assert_int_eq(r.start_rc, SL_ESTATE);
	ck_assert_int_eq(r.call_rc, 42);
	ck_assert_int_eq(r.pr.ran, 1);
	ck_assert_int_eq(r.pr.on_thread, 1);
	sl__loop_destroy(l);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---- own-thread mode ---- */

START_TEST(own_thread_start_and_stop)
{
	struct sl_loop *l = new_loop(NULL);
	struct on_thread_probe pr = { l, 0, 0 };

	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	ck_assert_int_eq(sl__loop_start_thread(l), SL_ESTATE);
	ck_assert_int_eq(sl__loop_step(l, 0), SL_ESTATE);
	ck_assert_int_eq(sl__loop_on_thread(l), 0);
	ck_assert_int_eq(sl__loop_call(l, probe_fn, &pr), 42);
	ck_assert_int_eq(pr.ran, 1);
	ck_assert_int_eq(pr.on_thread, 1);
	ck_assert_int_eq(sl__loop_call(l, return_arg, (void *)(intptr_t)-77),
			 -77);

	ck_assert_int_eq(sl__loop_stop_thread(l), 0);
	ck_assert_int_eq(sl__loop_stop_thread(l), SL_ESTATE);
	ck_assert_int_eq(sl__loop_call(l, probe_fn, &pr), SL_ESTATE);
	ck_assert_int_eq(sl__loop_post(l, probe_fn, &pr), SL_ESTATE);
	ck_assert_int_eq(sl__loop_step(l, 0), SL_ESTATE);
	ck_assert_int_eq(pr.ran, 1);

	/* It can be started again. */
	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	ck_assert_int_eq(sl__loop_call(l, probe_fn, &pr), 42);
	ck_assert_int_eq(pr.ran, 2);
	/* Destroy stops it. */
	sl__loop_destroy(l);
}
END_TEST

struct nested {
	struct sl_loop *l;
	struct on_thread_probe pr;
	struct tick k;
};

static int nested_fn(void *arg)
{
	struct nested *n = arg;

	/* On the loop thread: these run directly, no deadlock. */
	if (sl__loop_call(n->l, probe_fn, &n->pr) != 42)
		return -1;
	/* A 0 ms timer armed here fires at the end of this iteration. */
	if (sl__loop_timer_start(n->l, &n->k.t, 0) != 0)
		return -2;
	return n->pr.ran;
}

static int tick_fired(void *arg)
{
	return ((struct tick *)arg)->fired;
}

START_TEST(own_thread_nested_call_and_timer)
{
	struct sl_loop *l = new_loop(NULL);
	struct nested n;

	memset(&n, 0, sizeof(n));
	n.l = l;
	n.pr.l = l;
	n.k.l = l;
	sl__timer_init(&n.k.t, tick_cb, &n.k);
	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	ck_assert_int_eq(sl__loop_call(l, nested_fn, &n), 1);
	ck_assert_int_eq(n.pr.on_thread, 1);
	/* The timer fires at the end of the iteration that ran nested_fn;
	 * this call may be drained in that same iteration, before it. */
	while (sl__loop_call(l, tick_fired, &n.k) == 0)
		sched_yield();
	ck_assert_int_eq(sl__loop_call(l, tick_fired, &n.k), 1);
	ck_assert_int_eq(sl__loop_stop_thread(l), 0);
	sl__loop_destroy(l);
}
END_TEST

/* ---- cross-thread calls ---- */

enum { N_THREADS = 4, N_CALLS = 10000 };

struct caller {
	struct sl_loop *l;
	atomic_int *done;
	int bad;                /* results out of order or negative */
	int results[N_CALLS];
};

static void *call_many(void *arg)
{
	struct caller *c = arg;
	int prev = 0;

	for (int i = 0; i < N_CALLS; i++) {
		int rc = sl__loop_call(c->l, inc_counter, NULL);

		/* The counter only grows, so one thread sees it rise. */
		if (rc <= prev)
			c->bad++;
		c->results[i] = rc;
		prev = rc;
	}
	if (c->done) {
		atomic_fetch_add(c->done, 1);
		sl__loop_wake(c->l);
	}
	return NULL;
}

static void check_callers(struct caller *c)
{
	static unsigned char hit[N_THREADS * N_CALLS + 1];

	memset(hit, 0, sizeof(hit));
	for (int t = 0; t < N_THREADS; t++) {
		ck_assert_int_eq(c[t].bad, 0);
		for (int i = 0; i < N_CALLS; i++) {
			int v = c[t].results[i];

			ck_assert_int_ge(v, 1);
			ck_assert_int_le(v, N_THREADS * N_CALLS);
			ck_assert_int_eq(hit[v], 0);
			hit[v] = 1;
		}
	}
}

START_TEST(calls_from_four_threads_own_thread)
{
	static struct caller c[N_THREADS];
	struct sl_loop *l = new_loop(NULL);
	pthread_t t[N_THREADS];

	counter = 0;
	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	for (int i = 0; i < N_THREADS; i++) {
		c[i].l = l;
		c[i].done = NULL;
		c[i].bad = 0;
		start(&t[i], call_many, &c[i]);
	}
	for (int i = 0; i < N_THREADS; i++)
		join(t[i]);
	ck_assert_int_eq(sl__loop_call(l, get_counter, NULL),
			 N_THREADS * N_CALLS);
	check_callers(c);
	ck_assert_int_eq(sl__loop_stop_thread(l), 0);
	sl__loop_destroy(l);
}
END_TEST

START_TEST(calls_from_four_threads_app_driven)
{
	static struct caller c[N_THREADS];
	struct sl_loop_config cfg = { .queue_cap = 4 };
	struct sl_loop *l = new_loop(&cfg);
	pthread_t t[N_THREADS];
	atomic_int done;

	atomic_init(&done, 0);
	counter = 0;
	for (int i = 0; i < N_THREADS; i++) {
		c[i].l = l;
		c[i].done = &done;
		c[i].bad = 0;
		start(&t[i], call_many, &c[i]);
	}
	/* Four callers and a 4-cell queue: never full (each waits). */
	while (atomic_load(&done) < N_THREADS)
		ck_assert_int_ge(sl__loop_step(l, -1), 0);
	for (int i = 0; i < N_THREADS; i++)
		join(t[i]);
	ck_assert_int_eq(counter, N_THREADS * N_CALLS);
	check_callers(c);
	sl__loop_destroy(l);
}
END_TEST

struct post_order {
	struct sl_loop *l;
	int rc_post;
	int rc_call;
};

static void *post_then_call(void *arg)
{
	struct post_order *p = arg;

	for (int i = 0; i < 100; i++)
		if (sl__loop_post(p->l, inc_counter, NULL) != 0)
			p->rc_post = -1;
	/* Queued after the posts, so it runs after them (FIFO). */
	p->rc_call = sl__loop_call(p->l, get_counter, NULL);
	return NULL;
}

START_TEST(posts_run_in_order_before_a_later_call)
{
	struct sl_loop *l = new_loop(NULL);
	struct post_order p = { l, 0, 0 };
	pthread_t t;

	counter = 0;
	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	start(&t, post_then_call, &p);
	join(t);
	ck_assert_int_eq(p.rc_post, 0);
	ck_assert_int_eq(p.rc_call, 100);
	ck_assert_int_eq(sl__loop_stop_thread(l), 0);
	sl__loop_destroy(l);
}
END_TEST

struct full_call {
	struct sl_loop *l;
	int rc;
};

static void *call_once(void *arg)
{
	struct full_call *f = arg;

	f->rc = sl__loop_call(f->l, inc_counter, NULL);
	return NULL;
}

START_TEST(full_queue_is_enomem)
{
	struct sl_loop_config cfg = { .queue_cap = 3 };  /* rounds to 4 */
	struct sl_loop *l = new_loop(&cfg);
	struct full_call f = { l, 0 };
	pthread_t t;

	counter = 0;
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), 0);
	ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), SL_ENOMEM);
	/* A call from another thread is refused at once, not queued. */
	start(&t, call_once, &f);
	join(t);
	ck_assert_int_eq(f.rc, SL_ENOMEM);
	ck_assert_int_eq(sl__loop_step(l, 0), 4);
	ck_assert_int_eq(counter, 4);
	ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), 0);
	ck_assert_int_eq(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(counter, 5);
	sl__loop_destroy(l);

	/* The smallest queue has two cells. */
	cfg.queue_cap = 1;
	l = new_loop(&cfg);
	ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), 0);
	ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), 0);
	ck_assert_int_eq(sl__loop_post(l, inc_counter, NULL), SL_ENOMEM);
	sl__loop_destroy(l);
}
END_TEST

static int repost_fn(void *arg)
{
	struct sl_loop *l = arg;

	counter++;
	return sl__loop_post(l, repost_fn, l);
}

START_TEST(self_posting_work_does_not_starve_the_loop)
{
	struct sl_loop_config cfg = { .queue_cap = 8 };
	struct sl_loop *l = new_loop(&cfg);
	struct io_rec r = { 0, -1, 0 };
	int p[2];

	make_pipe(p);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, io_cb, &r), 0);
	counter = 0;
	ck_assert_int_eq(sl__loop_post(l, repost_fn, l), 0);
	/* Each step runs at most one queue's worth, then returns. */
	ck_assert_int_le(sl__loop_step(l, 0), 8);
	put_byte(p[1]);
	ck_assert_int_ge(sl__loop_step(l, 0), 1);
	ck_assert_int_eq(r.n, 1);
	ck_assert_int_le(counter, 16);
	sl__loop_destroy(l);
	close(p[0]);
	close(p[1]);
}
END_TEST

/* ---- stop and destroy with work pending ---- */

struct gate {
	struct sl_loop *l;
	atomic_int in_gate;
	atomic_int stopper_started;
	int saw_queued;
};

/* Runs on the loop thread and holds it until the blocked caller's cell is
 * in the queue and the stopper is on its way. */
static int gate_fn(void *arg)
{
	struct gate *g = arg;

	atomic_store(&g->in_gate, 1);
	while (sl__loop_timeout_ms(g->l) != 0)
		sched_yield();
	g->saw_queued = 1;
	while (!atomic_load(&g->stopper_started))
		sched_yield();
	return 1;
}

struct blocked {
	struct sl_loop *l;
	void *arg;
	int (*fn)(void *);
	int rc;
};

static void *blocked_call(void *arg)
{
	struct blocked *b = arg;

	b->rc = sl__loop_call(b->l, b->fn, b->arg);
	return NULL;
}

static void *stopper(void *arg)
{
	struct gate *g = arg;

	atomic_store(&g->stopper_started, 1);
	ck_assert_int_eq(sl__loop_stop_thread(g->l), 0);
	return NULL;
}

START_TEST(stop_thread_releases_a_blocked_caller)
{
	struct sl_loop *l = new_loop(NULL);
	struct gate g;
	struct blocked a = { l, &g, gate_fn, -100 };
	struct blocked b = { l, (void *)(intptr_t)7, return_arg, -100 };
	pthread_t ta, tb, ts;

	g.l = l;
	g.saw_queued = 0;
	atomic_init(&g.in_gate, 0);
	atomic_init(&g.stopper_started, 0);
	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	start(&ta, blocked_call, &a);   /* holds the loop thread */
	while (!atomic_load(&g.in_gate))
		sched_yield();
	start(&tb, blocked_call, &b);   /* queued behind it */
	start(&ts, stopper, &g);
	join(ta);
	join(tb);
	join(ts);
	ck_assert_int_eq(a.rc, 1);
	ck_assert_int_eq(g.saw_queued, 1);
	/* Queued before the stop: it ran, and its caller got the result. */
	ck_assert_int_eq(b.rc, 7);
	ck_assert_int_eq(sl__loop_call(l, return_arg, NULL), SL_ESTATE);
	sl__loop_destroy(l);
}
END_TEST

static int must_not_run(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

START_TEST(destroy_releases_a_blocked_caller_with_estate)
{
	struct sl_loop *l = new_loop(NULL);
	int ran = 0;
	struct blocked b = { l, &ran, must_not_run, -100 };
	pthread_t t;

	/* Application-driven and never stepped: the caller waits. */
	start(&t, blocked_call, &b);
	while (sl__loop_timeout_ms(l) != 0)
		sched_yield();
	sl__loop_destroy(l);
	join(t);
	ck_assert_int_eq(b.rc, SL_ESTATE);
	ck_assert_int_eq(ran, 0);
}
END_TEST

START_TEST(destroy_with_pending_work_runs_nothing)
{
	struct sl_vclock v;
	struct sl_loop_config cfg = { .clock = &v.clock };
	struct sl_loop *l;
	struct io_rec r = { 0, -1, 0 };
	struct tick k;
	int ran = 0;
	int p[2];

	sl__vclock_init(&v, 0);
	l = new_loop(&cfg);
	make_pipe(p);
	put_byte(p[1]);
	ck_assert_int_eq(sl__loop_watch(l, p[0], SL_IO_READ, io_cb, &r), 0);
	k.l = l;
	k.fired = 0;
	sl__timer_init(&k.t, tick_cb, &k);
	ck_assert_int_eq(sl__loop_timer_start(l, &k.t, 0), 0);
	ck_assert_int_eq(sl__loop_post(l, must_not_run, &ran), 0);
	sl__vclock_advance(&v, 1000);
	sl__loop_destroy(l);
	ck_assert_int_eq(r.n, 0);
	ck_assert_int_eq(k.fired, 0);
	ck_assert_int_eq(ran, 0);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(destroy_of_a_running_loop_runs_queued_calls)
{
	struct sl_loop *l = new_loop(NULL);
	struct gate g;
	struct blocked a = { l, &g, gate_fn, -100 };
	struct blocked b = { l, (void *)(intptr_t)9, return_arg, -100 };
	pthread_t ta, tb;

	g.l = l;
	g.saw_queued = 0;
	atomic_init(&g.in_gate, 0);
	atomic_init(&g.stopper_started, 0);
	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	start(&ta, blocked_call, &a);
	while (!atomic_load(&g.in_gate))
		sched_yield();
	start(&tb, blocked_call, &b);
	/* Let the gate go only once b is queued; destroy then stops the
	 * thread, which runs b before it exits. */
	atomic_store(&g.stopper_started, 1);
	join(ta);
	sl__loop_destroy(l);
	join(tb);
	ck_assert_int_eq(a.rc, 1);
	ck_assert_int_eq(b.rc, 9);
}
END_TEST

/* Many callers hammering while the loop stops: each either ran or got
 * SL_ESTATE, none hangs, and the counter says exactly how many ran. */
struct racer {
	struct sl_loop *l;
	int ran;
	int refused;
	int other;
};

static void *race_calls(void *arg)
{
	struct racer *r = arg;

	for (int i = 0; i < 2000; i++) {
		int rc = sl__loop_call(r->l, inc_counter, NULL);

		if (rc > 0)
			r->ran++;
		else if (rc == SL_ESTATE)
			r->refused++;
		else
			r->other++;
	}
	return NULL;
}

START_TEST(stop_while_callers_race_never_hangs)
{
	struct sl_loop *l = new_loop(NULL);
	struct racer r[N_THREADS];
	pthread_t t[N_THREADS];
	int total = 0;

	counter = 0;
	memset(r, 0, sizeof(r));
	ck_assert_int_eq(sl__loop_start_thread(l), 0);
	for (int i = 0; i < N_THREADS; i++) {
		r[i].l = l;
		start(&t[i], race_calls, &r[i]);
	}
	while (sl__loop_call(l, get_counter, NULL) < 100)
		sched_yield();
	ck_assert_int_eq(sl__loop_stop_thread(l), 0);
	for (int i = 0; i < N_THREADS; i++) {
		join(t[i]);
		ck_assert_int_eq(r[i].other, 0);
		ck_assert_int_eq(r[i].ran + r[i].refused, 2000);
		total += r[i].ran;
	}
	/* Stopped: the main thread owns the loop's state again. */
	ck_assert_int_eq(counter, total);
	sl__loop_destroy(l);
}
END_TEST

Suite *check_core_loop_suite(void);

Suite *check_core_loop_suite(void)
{
	Suite *s = suite_create("core_loop");
	TCase *tc = tcase_create("basics");

	tcase_add_test(tc, create_checks_its_config);
	tcase_add_test(tc, null_arguments_are_einval);
	suite_add_tcase(s, tc);

	tc = tcase_create("fds");
	tcase_add_test(tc, pipe_read_events_are_level_triggered);
	tcase_add_test(tc, watch_errors);
	tcase_add_test(tc, unwatch_inside_callback);
	tcase_add_test(tc, modify_changes_the_events);
	tcase_add_test(tc, hang_up_is_reported_as_error);
	tcase_add_test(tc, watch_limit_is_elimit);
	tcase_add_test(tc, random_watches_match_a_set);
	suite_add_tcase(s, tc);

	tc = tcase_create("time");
	tcase_add_test(tc, timers_fire_on_the_virtual_clock);
	tcase_add_test(tc, timeout_ms_values);
	tcase_add_test(tc, timer_armed_by_io_fires_in_the_same_step);
	suite_add_tcase(s, tc);

	tc = tcase_create("app_driven");
	tcase_add_test(tc, app_driven_poll_then_step);
	tcase_add_test(tc, app_thread_call_between_steps_runs_directly);
	tcase_add_test(tc, the_thread_that_steps_is_the_loop_thread);
	tcase_add_test(tc, callback_may_call_but_not_step);
	suite_add_tcase(s, tc);

	tc = tcase_create("threads");
	/* Generous: the 40,000 round trips also run under TSan. */
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, own_thread_start_and_stop);
	tcase_add_test(tc, own_thread_nested_call_and_timer);
	tcase_add_test(tc, calls_from_four_threads_own_thread);
	tcase_add_test(tc, calls_from_four_threads_app_driven);
	tcase_add_test(tc, posts_run_in_order_before_a_later_call);
	tcase_add_test(tc, full_queue_is_enomem);
	tcase_add_test(tc, self_posting_work_does_not_starve_the_loop);
	suite_add_tcase(s, tc);

	tc = tcase_create("shutdown");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, stop_thread_releases_a_blocked_caller);
	tcase_add_test(tc, destroy_releases_a_blocked_caller_with_estate);
	tcase_add_test(tc, destroy_with_pending_work_runs_nothing);
	tcase_add_test(tc, destroy_of_a_running_loop_runs_queued_calls);
	tcase_add_test(tc, stop_while_callers_race_never_hangs);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_core_loop_suite)
