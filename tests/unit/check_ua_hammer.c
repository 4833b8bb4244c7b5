/*
 * tests/unit/check_ua_hammer.c: the public API hammered from many threads
 * while calls come and go (lib/ua; sipline/ua.h and call.h threading
 * contract, FEATURES K1, K6). Two UAs in own-thread mode call each other
 * over 127.0.0.1; four application threads make calls, answer, reject,
 * hang up, hold and unhold, query lines, add and remove header rules and
 * use session ids that are stale or never existed, while each UA's event
 * callback answers, rejects and holds calls from inside the loop.
 *
 * What must hold: no deadlock (every wait is bounded by a deadline taken
 * from CLOCK_MONOTONIC, and missing it fails the test rather than hanging
 * it); every return is one the API documents for that function; a session
 * id is never handed out twice and every session ends with exactly one
 * SL_EV_CLOSED; a stale id is always SL_ESESSION; at the end every line is
 * idle, and both UAs are destroyed within a bound with all memory back.
 *
 * Built as a normal unit test and, for data races, with -fsanitize=thread
 * (see the check-tsan rule proposed for the Makefile).
 */
#include <check.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "sipline/call.h"
#include "check_main.h"

enum {
	LINES = 4,
	TOTAL_CALLS = 200,
	WORKERS = 4,
	MAX_IDS = 4096,           /* session ids tracked per UA */
	STALE_KEEP = 64,          /* ended ids kept for the stale thread */
	RUN_MS = 60000,           /* the whole hammer, at most */
	SETTLE_MS = 15000,        /* hanging up what is left, at most */
	DESTROY_MS = 2000         /* sl_ua_destroy() wait */
};

/* One UA and what the test knows about its sessions. */
struct side {
	struct sl_ua *ua;
	char uri[96];                 /* how the other side calls it */
	pthread_mutex_t mu;           /* guards the fields below */
	unsigned char created[MAX_IDS];
	unsigned char closed[MAX_IDS];
	int live[MAX_IDS];            /* dense list of live ids */
	unsigned n_live;
	int stale[STALE_KEEP];        /* ring of ended ids */
	unsigned n_stale;
	_Atomic int in_cb;            /* callbacks running (must be <= 1) */
	_Atomic int destroying;       /* sl_ua_destroy() called: every call
				       * may return SL_ESTATE (ua.h) */
};

static struct side S[2];
static _Atomic unsigned BAD;          /* contract violations */
static char BAD_WHAT[512];
static pthread_mutex_t BAD_MU = PTHREAD_MUTEX_INITIALIZER;
static _Atomic unsigned MADE;         /* successful sl_call_make() */
static _Atomic unsigned CB_CALLS;     /* API calls made from callbacks */
static _Atomic int STOP;
static _Atomic unsigned N_EV[32];     /* events per type, both UAs */
static _Atomic unsigned N_HOLDS;      /* holds the UA took (rc 0) */

#define BADF(...)                                                      \
	do {                                                           \
		pthread_mutex_lock(&BAD_MU);                           \
		if (!atomic_load(&BAD))                                \
			snprintf(BAD_WHAT, sizeof(BAD_WHAT),           \
				 __VA_ARGS__);                         \
		if (getenv("HAMMER_VERBOSE")) {                        \
			fprintf(stderr, __VA_ARGS__);                  \
			fputc('\n', stderr);                           \
		}                                                      \
		atomic_fetch_add(&BAD, 1);                             \
		pthread_mutex_unlock(&BAD_MU);                         \
	} while (0)

/* @rc must be one of the @n codes in @ok (or > 0 when @pos). */
static void expect_rc(const char *fn, int rc, int pos, const int *ok,
		      unsigned n)
{
	if (pos && rc > 0)
		return;
	for (unsigned i = 0; i < n; i++)
		if (rc == ok[i])
			return;
	BADF("%s returned %d (%s)", fn, rc, sl_strerror(rc));
}

#define EXPECT(fn, rc, pos, ...)                                       \
	do {                                                           \
		static const int ok_[] = { __VA_ARGS__ };              \
		expect_rc(fn, rc, pos, ok_,                            \
			  sizeof(ok_) / sizeof(ok_[0]));               \
	} while (0)

/* A new session on @s: never seen before. */
static void session_new(struct side *s, int id)
{
	pthread_mutex_lock(&s->mu);
	if (id <= 0 || id >= MAX_IDS) {
		BADF("session id %d out of the tracked range", id);
	} else if (s->created[id]) {
		BADF("session id %d handed out twice", id);
	} else {
		s->created[id] = 1;
		/* A very fast failure may have closed it already. */
		if (!s->closed[id] && s->n_live < MAX_IDS)
			s->live[s->n_live++] = id;
	}
	pthread_mutex_unlock(&s->mu);
}

static void session_closed(struct side *s, int id)
{
	pthread_mutex_lock(&s->mu);
	if (id <= 0 || id >= MAX_IDS) {
		BADF("SL_EV_CLOSED for session %d", id);
	} else if (s->closed[id]) {
		BADF("session %d closed twice", id);
	} else {
		s->closed[id] = 1;
		for (unsigned i = 0; i < s->n_live; i++) {
			if (s->live[i] == id) {
				s->live[i] = s->live[--s->n_live];
				break;
			}
		}
		s->stale[s->n_stale++ % STALE_KEEP] = id;
	}
	pthread_mutex_unlock(&s->mu);
}

/* A live session of @s picked with @seed (0 when none). */
static int pick_live(struct side *s, unsigned *seed)
{
	int id = 0;

	pthread_mutex_lock(&s->mu);
	if (s->n_live)
		id = s->live[(unsigned)rand_r(seed) % s->n_live];
	pthread_mutex_unlock(&s->mu);
	return id;
}

/* An ended session of @s (0 when none yet). */
static int pick_stale(struct side *s, unsigned *seed)
{
	int id = 0;
	unsigned n;

	pthread_mutex_lock(&s->mu);
	n = s->n_stale < STALE_KEEP ? s->n_stale : STALE_KEEP;
	if (n)
		id = s->stale[(unsigned)rand_r(seed) % n];
	pthread_mutex_unlock(&s->mu);
	return id;
}

/* ---- the event callback: runs on each UA's loop thread ---- */

/* In a callback, once destruction began, SL_ESTATE answers everything. */
#define CB_EXPECT(s, fn, rc, ...)                                      \
	do {                                                           \
		if (!atomic_load(&(s)->destroying) || (rc) != SL_ESTATE) \
			EXPECT(fn, rc, 0, __VA_ARGS__);                \
	} while (0)

static void on_event(void *arg, const struct sl_event *ev)
{
	struct side *s = arg;
	struct sl_ua *ua = s->ua;
	unsigned seed = (unsigned)ev->session * 2654435761u + ev->type;
	int rc;

	if (atomic_fetch_add(&s->in_cb, 1) != 0)
		BADF("two callbacks of one UA at once");
	if ((unsigned)ev->type < 32)
		atomic_fetch_add(&N_EV[ev->type], 1);
	if (!ev->reason)
		BADF("event %d without a reason", ev->type);
	if (ev->type != SL_EV_DESTROYED && ua &&
	    (ev->line < -1 || ev->line >= LINES))
		BADF("event %d on line %d", ev->type, ev->line);
	switch (ev->type) {
	case SL_EV_INCOMING:
		session_new(s, ev->session);
		/* Answer most from here, reject some, leave a few ringing
		 * for the application threads. */
		switch (rand_r(&seed) % 8) {
		case 0:
			rc = sl_call_reject(ua, ev->session, 486);
			CB_EXPECT(s, "reject (cb)", rc, 0, SL_ESESSION,
				  SL_ESTATE);
			break;
		case 1:
			break;
		default:
			rc = sl_call_answer(ua, ev->session, 0);
			CB_EXPECT(s, "answer (cb)", rc, 0, SL_ESESSION,
				  SL_ESTATE);
			break;
		}
		atomic_fetch_add(&CB_CALLS, 1);
		break;
	case SL_EV_CONNECTED:
		if (rand_r(&seed) % 3 == 0) {
			rc = sl_call_hold(ua, ev->session);
			CB_EXPECT(s, "hold (cb)", rc, 0, SL_ESESSION,
				  SL_ESTATE);
			if (rc == 0)
				atomic_fetch_add(&N_HOLDS, 1);
			atomic_fetch_add(&CB_CALLS, 1);
		}
		break;
	case SL_EV_CLOSED:
		session_closed(s, ev->session);
		/* The id is dead the moment its call ended. */
		rc = sl_call_line(ua, ev->session);
		CB_EXPECT(s, "line of a closed call (cb)", rc, SL_ESESSION);
		atomic_fetch_add(&CB_CALLS, 1);
		break;
	default:
		break;
	}
	if (ua && ev->line >= 0 && ev->type != SL_EV_DESTROYED) {
		rc = sl_line_state(ua, ev->line);
		if ((rc < SL_LINE_IDLE || rc > SL_LINE_CLOSING) &&
		    (rc != SL_ESTATE || !atomic_load(&s->destroying)))
			BADF("line state %d from a callback", rc);
	}
	atomic_fetch_sub(&s->in_cb, 1);
}

/* ---- the application threads ---- */

struct worker {
	pthread_t th;
	int kind;
	unsigned seed;
	unsigned calls;               /* API calls made */
	_Atomic int done;
};

static void caller(struct worker *w)
{
	struct sl_call_params p;

	while (!atomic_load(&STOP) && atomic_load(&MADE) < TOTAL_CALLS) {
		/* Mostly A calls B; every fourth call goes the other way. */
		int from = rand_r(&w->seed) % 4 == 0;
		struct side *s = &S[from];
		int rc;

		sl_call_params_init(&p);
		p.callee = S[!from].uri;
		rc = sl_call_make(s->ua, &p);
		w->calls++;
		EXPECT("make", rc, 1, SL_ENOMEM);
		if (rc > 0) {
			session_new(s, rc);
			atomic_fetch_add(&MADE, 1);
		} else {
			/* Every line busy: let some calls end. */
			usleep_poll(1);
		}
	}
}

static void operator_(struct worker *w)
{
	while (!atomic_load(&STOP) && atomic_load(&MADE) < TOTAL_CALLS) {
		struct side *s = &S[rand_r(&w->seed) % 2];
		int id = pick_live(s, &w->seed);
		int rc;

		if (!id) {
			usleep_poll(1);
			continue;
		}
		w->calls++;
		switch (rand_r(&w->seed) % 6) {
		case 0:
		case 1:
			rc = sl_call_hangup(s->ua, id);
			EXPECT("hangup", rc, 0, 0, SL_ESESSION, SL_ESTATE);
			break;
		case 2:
			rc = sl_call_hold(s->ua, id);
			EXPECT("hold", rc, 0, 0, SL_ESESSION, SL_ESTATE);
			if (rc == 0)
				atomic_fetch_add(&N_HOLDS, 1);
			break;
		case 3:
			rc = sl_call_unhold(s->ua, id);
			EXPECT("unhold", rc, 0, 0, SL_ESESSION, SL_ESTATE);
			break;
		case 4:
			rc = sl_call_answer(s->ua, id, 0);
			EXPECT("answer", rc, 0, 0, SL_ESESSION, SL_ESTATE);
			break;
		default:
			rc = sl_call_line(s->ua, id);
			if (rc >= LINES)
				BADF("line %d", rc);
			EXPECT("line", rc < 0 ? rc : 0, 0, 0, SL_ESESSION);
			break;
		}
		/* Give the calls a little time to progress. */
		if (rand_r(&w->seed) % 4 == 0)
			usleep_poll(1);
	}
}

static void staler(struct worker *w)
{
	while (!atomic_load(&STOP) && atomic_load(&MADE) < TOTAL_CALLS) {
		struct side *s = &S[rand_r(&w->seed) % 2];
		int id = pick_stale(s, &w->seed);
		int line = (int)(rand_r(&w->seed) % (LINES + 4)) - 2;
		int rc;

		switch (rand_r(&w->seed) % 4) {
		case 0:
			id = -id;
			break;
		case 1:
			id = rand_r(&w->seed) % 2 ? INT_MAX : MAX_IDS + 7;
			break;
		default:
			break;
		}
		/* Ended, never made, zero or negative: always ESESSION,
		 * even once the line holds another call. */
		rc = sl_call_hangup(s->ua, id);
		EXPECT("hangup (stale)", rc, 0, SL_ESESSION);
		rc = sl_call_hold(s->ua, id);
		EXPECT("hold (stale)", rc, 0, SL_ESESSION);
		rc = sl_call_answer(s->ua, id, 1);
		EXPECT("answer (stale)", rc, 0, SL_ESESSION);
		rc = sl_call_reject(s->ua, id, 0);
		EXPECT("reject (stale)", rc, 0, SL_ESESSION);
		rc = sl_call_line(s->ua, id);
		EXPECT("line (stale)", rc, 0, SL_ESESSION);
		rc = sl_line_state(s->ua, line);
		if (line < 0 || line >= LINES)
			EXPECT("line state (bad line)", rc, 0, SL_ELINE);
		else if (rc < SL_LINE_IDLE || rc > SL_LINE_CLOSING)
			BADF("line state %d", rc);
		w->calls += 6;
		if (rand_r(&w->seed) % 8 == 0)
			usleep_poll(1);
	}
}

static void headers(struct worker *w)
{
	while (!atomic_load(&STOP) && atomic_load(&MADE) < TOTAL_CALLS) {
		struct side *s = &S[rand_r(&w->seed) % 2];
		int session = rand_r(&w->seed) % 2 ? pick_live(s, &w->seed)
			      : 0;
		int line = (int)(rand_r(&w->seed) % LINES);
		int id, rc;

		id = sl_ua_add_header(s->ua, session, rand_r(&w->seed) % 2 ?
				      "INVITE" : NULL, SL_HDR_DIR_BOTH,
				      "X-Hammer", "1");
		EXPECT("add header", id, 1, SL_ENOMEM);
		rc = sl_line_session(s->ua, line);
		if (rc < 0)
			BADF("line session %d", rc);
		if (id > 0) {
			rc = sl_ua_remove_header(s->ua, id);
			EXPECT("remove header", rc, 0, 0);
			rc = sl_ua_remove_header(s->ua, id);
			EXPECT("remove header twice", rc, 0, SL_ENOTFOUND);
		}
		w->calls += 4;
		if (rand_r(&w->seed) % 8 == 0)
			usleep_poll(1);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	switch (w->kind) {
	case 0:
		caller(w);
		break;
	case 1:
		operator_(w);
		break;
	case 2:
		staler(w);
		break;
	default:
		headers(w);
		break;
	}
	atomic_store(&w->done, 1);
	return NULL;
}

/* ---- set-up ---- */

static void side_make(struct side *s, const char *user)
{
	struct sl_ua_config c;
	struct sl_account a;
	char addr[64];

	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	ua_test_config(&c, SL_RUN_THREAD);
	c.max_lines = LINES;
	/* Room for every transaction of the run: with the default pool
	 * (8 * max_lines + 32) a burst of calls exhausts it, since UDP
	 * INVITE transactions linger 32 s (Timer D), and hangup / hold
	 * then return SL_ENOMEM, which call.h does not list. */
	c.max_transactions = 2048;
	c.event_cb = on_event;
	c.event_arg = s;
	/* Bob also reports every message sent and received: more traffic
	 * through the event queue while the API is busy. */
	c.sip_message_events = strcmp(user, "bob") ? 0 : 3;
	ck_assert_int_eq(sl_ua_create(&s->ua, &c), 0);
	sl_account_init(&a);
	snprintf(a.user, sizeof(a.user), "%s", user);
	snprintf(a.domain, sizeof(a.domain), "127.0.0.1");
	ck_assert_int_eq(sl_ua_set_account(s->ua, &a), 0);
	ck_assert_int_gt(sl_ua_local_addr(s->ua, 0, addr, sizeof(addr)), 0);
	snprintf(s->uri, sizeof(s->uri), "sip:%s@%s", user, addr);
}

/* Waits for every worker, at most until @deadline (monotonic ms). */
static int join_by(struct worker *w, unsigned n, uint64_t deadline)
{
	for (;;) {
		unsigned done = 0;

		for (unsigned i = 0; i < n; i++)
			done += (unsigned)atomic_load(&w[i].done);
		if (done == n)
			break;
		if (wall_ms() > deadline)
			return 0;
		usleep_poll(5);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(w[i].th, NULL);
	return 1;
}

static int all_idle(void)
{
	for (int k = 0; k < 2; k++)
		for (int l = 0; l < LINES; l++)
			if (sl_line_state(S[k].ua, l) != SL_LINE_IDLE)
				return 0;
	return 1;
}

/* Hangs up whatever is left until every line is idle (bounded). */
static int settle(uint64_t deadline)
{
	while (!all_idle()) {
		if (wall_ms() > deadline)
			return 0;
		for (int k = 0; k < 2; k++) {
			for (int l = 0; l < LINES; l++) {
				int id = sl_line_session(S[k].ua, l);
				int rc;

				if (id <= 0)
					continue;
				rc = sl_call_hangup(S[k].ua, id);
				EXPECT("hangup (settle)", rc, 0, 0,
				       SL_ESESSION, SL_ESTATE);
			}
		}
		usleep_poll(20);
	}
	return 1;
}

START_TEST(hammer)
{
	struct worker w[WORKERS];
	size_t before = mem_now();
	uint64_t t0, spent;
	unsigned created = 0, closed = 0;

	atomic_store(&BAD, 0);
	atomic_store(&MADE, 0);
	atomic_store(&CB_CALLS, 0);
	atomic_store(&STOP, 0);
	atomic_store(&N_HOLDS, 0);
	for (int i = 0; i < 32; i++)
		atomic_store(&N_EV[i], 0);
	side_make(&S[0], "alice");
	side_make(&S[1], "bob");

	for (int i = 0; i < WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].kind = i;
		w[i].seed = 1234u + 77u * (unsigned)i;
		ck_assert_int_eq(pthread_create(&w[i].th, NULL, worker_main,
						&w[i]), 0);
	}
	if (!join_by(w, WORKERS, wall_ms() + RUN_MS)) {
		atomic_store(&STOP, 1);
		ck_abort_msg("deadlock: the workers did not finish in %d ms "
			     "(%u calls made)", RUN_MS, atomic_load(&MADE));
	}
	ck_assert_msg(atomic_load(&BAD) == 0, "%u violations, first: %s",
		      atomic_load(&BAD), BAD_WHAT);
	ck_assert_uint_ge(atomic_load(&MADE), TOTAL_CALLS);
	ck_assert_uint_gt(atomic_load(&CB_CALLS), 0);
	if (getenv("HAMMER_VERBOSE"))
		fprintf(stderr, "made %u incoming %u connected %u holds %u "
			"failures %u closed %u, cb calls %u\n",
			atomic_load(&MADE),
			atomic_load(&N_EV[SL_EV_INCOMING]),
			atomic_load(&N_EV[SL_EV_CONNECTED]),
			atomic_load(&N_HOLDS),
			atomic_load(&N_EV[SL_EV_FAILURE]),
			atomic_load(&N_EV[SL_EV_CLOSED]),
			atomic_load(&CB_CALLS));
	/* The run did what it is for: calls got through, some were
	 * put on hold, some refused. */
	ck_assert_uint_gt(atomic_load(&N_EV[SL_EV_CONNECTED]), 10);
	ck_assert_uint_gt(atomic_load(&N_HOLDS), 2);
	ck_assert_uint_gt(atomic_load(&N_EV[SL_EV_FAILURE]), 2);
	for (int i = 0; i < WORKERS; i++)
		ck_assert_uint_gt(w[i].calls, 0);

	ck_assert_msg(settle(wall_ms() + SETTLE_MS),
		      "lines still busy after %d ms", SETTLE_MS);
	/* Every session that began has ended, exactly once. */
	for (int k = 0; k < 2; k++) {
		pthread_mutex_lock(&S[k].mu);
		for (int id = 1; id < MAX_IDS; id++) {
			if (S[k].created[id] != S[k].closed[id])
				BADF("side %d session %d: created %d "
				     "closed %d", k, id, S[k].created[id],
				     S[k].closed[id]);
			created += S[k].created[id];
			closed += S[k].closed[id];
		}
		ck_assert_uint_eq(S[k].n_live, 0);
		pthread_mutex_unlock(&S[k].mu);
	}
	ck_assert_msg(atomic_load(&BAD) == 0, "%u violations, first: %s",
		      atomic_load(&BAD), BAD_WHAT);
	ck_assert_uint_eq(created, closed);
	ck_assert_uint_ge(created, TOTAL_CALLS);

	for (int k = 0; k < 2; k++) {
		t0 = wall_ms();
		atomic_store(&S[k].destroying, 1);
		ck_assert_int_eq(sl_ua_destroy(S[k].ua, DESTROY_MS), 0);
		spent = wall_ms() - t0;
		ck_assert_uint_lt(spent, DESTROY_MS + 1000);
		S[k].ua = NULL;
		pthread_mutex_destroy(&S[k].mu);
	}
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

/* Both UAs destroyed with calls still up: within the bound, the calls
 * ended on both sides (the BYEs went out and were answered), all memory
 * back. */
START_TEST(destroy_with_calls_up)
{
	struct sl_call_params p;
	size_t before = mem_now();
	uint64_t t0, spent;
	int n = 0;

	atomic_store(&BAD, 0);
	for (int i = 0; i < 32; i++)
		atomic_store(&N_EV[i], 0);
	side_make(&S[0], "alice");
	side_make(&S[1], "bob");
	for (int i = 0; i < 50 && n < LINES; i++) {
		int rc;

		sl_call_params_init(&p);
		p.callee = S[1].uri;
		rc = sl_call_make(S[0].ua, &p);
		EXPECT("make", rc, 1, SL_ENOMEM);
		if (rc > 0) {
			session_new(&S[0], rc);
			n++;
		}
	}
	ck_assert_int_gt(n, 0);
	/* Wait (bounded) until something is connected. */
	t0 = wall_ms();
	while (!atomic_load(&N_EV[SL_EV_CONNECTED]) && wall_ms() - t0 < 5000)
		usleep_poll(1);
	ck_assert_uint_gt(atomic_load(&N_EV[SL_EV_CONNECTED]), 0);
	t0 = wall_ms();
	atomic_store(&S[0].destroying, 1);
	ck_assert_int_eq(sl_ua_destroy(S[0].ua, DESTROY_MS), 0);
	spent = wall_ms() - t0;
	ck_assert_uint_lt(spent, DESTROY_MS + 1000);
	S[0].ua = NULL;
	/* Alice's calls all ended (SL_EV_CLOSED before SL_EV_DESTROYED). */
	pthread_mutex_lock(&S[0].mu);
	ck_assert_uint_eq(S[0].n_live, 0);
	pthread_mutex_unlock(&S[0].mu);
	/* Bob saw them end too, or ends them himself now. */
	t0 = wall_ms();
	atomic_store(&S[1].destroying, 1);
	ck_assert_int_eq(sl_ua_destroy(S[1].ua, DESTROY_MS), 0);
	ck_assert_uint_lt(wall_ms() - t0, DESTROY_MS + 1000);
	S[1].ua = NULL;
	pthread_mutex_lock(&S[1].mu);
	ck_assert_uint_eq(S[1].n_live, 0);
	pthread_mutex_unlock(&S[1].mu);
	for (int k = 0; k < 2; k++)
		pthread_mutex_destroy(&S[k].mu);
	ck_assert_msg(atomic_load(&BAD) == 0, "%u violations, first: %s",
		      atomic_load(&BAD), BAD_WHAT);
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

static Suite *ua_hammer_suite(void)
{
	Suite *s = suite_create("ua_hammer");
	TCase *tc = tcase_create("hammer");

	/* A backstop only: the test's own deadlines fail it first. */
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, hammer);
	tcase_add_test(tc, destroy_with_calls_up);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(ua_hammer_suite)
