/*
 * tools/bench/uas.c: sipline-bench uas, the callee side of the call
 * benchmark (tools/bench/call-bench.sh, make bench): a sipline UA that
 * answers every incoming call at once, without media, and reports what
 * it costs.
 *
 *   sipline-bench uas [--listen IP:PORT] [--lines N] [--t1 MS]
 *                     [--transactions N] [--seconds S] [--every MS]
 *
 * It uses the public API only (sipline/sipline.h): one UA on its own loop
 * thread, UDP on --listen (default 127.0.0.1:0), max_lines --lines
 * (default 1024), T1 --t1 (default 500), max_transactions --transactions
 * (default: the library's), media off, no early media, no session timer.
 * Events come as callbacks on the loop thread: SL_EV_INCOMING is answered
 * there with sl_call_answer() (200 with the SDP answer), the rest is only
 * counted.
 *
 * Output (stdout, line-buffered), first
 *   uas: listening IP:PORT
 * then every --every ms (default 500) and once at the end:
 *   uas: t=SEC incoming=N answered=N connected=N closed=N failed=N
 *        active=N rss_kb=N heap_kb=N cpu_s=SEC
 * active counts calls answered and not yet closed; failed counts
 * answers refused (sl_call_answer() < 0) and calls closed for another
 * reason than a BYE from the caller; rss_kb is VmRSS from
 * /proc/self/status, heap_kb glibc's mallinfo2() in-use bytes (arena and
 * mmap), cpu_s the process's user + system time. It stops after
 * --seconds (default 600) or at SIGINT / SIGTERM, destroying the UA.
 *
 * Thread: the main thread waits and prints; the UA's loop thread runs
 * the callback; the counters between them are C11 atomics.
 */
#include <malloc.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "sipline/sipline.h"
#include "uas.h"

struct counters {
	atomic_ulong incoming;
	atomic_ulong answered;
	atomic_ulong connected;
	atomic_ulong closed;
	atomic_ulong failed;
};

static struct counters C;
static volatile sig_atomic_t stop;
/* The UA, for the callback: set once sl_ua_create() returned (no call
 * can arrive before the address is printed). */
static _Atomic(struct sl_ua *) UA;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* On the UA's loop thread (event.h): answering here runs directly. */
static void on_event(void *arg, const struct sl_event *ev)
{
	struct sl_ua *ua = atomic_load(&UA);

	(void)arg;
	switch (ev->type) {
	case SL_EV_INCOMING:
		atomic_fetch_add(&C.incoming, 1);
		if (ua && sl_call_answer(ua, ev->session, 0) == 0)
			atomic_fetch_add(&C.answered, 1);
		else
			atomic_fetch_add(&C.failed, 1);
		break;
	case SL_EV_CONNECTED:
		atomic_fetch_add(&C.connected, 1);
		break;
	case SL_EV_CLOSED:
		atomic_fetch_add(&C.closed, 1);
		if (ev->close_reason != SL_CLOSE_REMOTE_BYE)
			atomic_fetch_add(&C.failed, 1);
		break;
	default:
		break;
	}
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6)) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static double cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(double t0)
{
	struct mallinfo2 mi = mallinfo2();
	unsigned long ans = atomic_load(&C.answered);
	unsigned long closed = atomic_load(&C.closed);

	printf("uas: t=%.1f incoming=%lu answered=%lu connected=%lu "
	       "closed=%lu failed=%lu active=%ld rss_kb=%ld heap_kb=%zu "
	       "cpu_s=%.3f\n", now_s() - t0, atomic_load(&C.incoming),
	       ans, atomic_load(&C.connected), closed,
	       atomic_load(&C.failed), (long)ans - (long)closed, rss_kb(),
	       (mi.uordblks + mi.hblkhd) / 1024, cpu_s());
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sipline-bench uas [--listen IP:PORT] [--lines N] "
		"[--t1 MS]\n"
		"                         [--transactions N] [--seconds S] "
		"[--every MS]\n");
}

/* A decimal option value in [lo, hi]. Return: 0 or -1. */
static int number(const char *s, unsigned long lo, unsigned long hi,
		  unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int bench_uas_main(int argc, char **argv)
{
	struct sl_ua_config cfg;
	struct sl_account acc;
	struct sl_ua *ua = NULL;
	unsigned long lines = 1024, t1 = 500, txns = 0, seconds = 600;
	unsigned long every = 500;
	const char *listen = "127.0.0.1:0";
	char addr[64];
	const char *colon;
	double t0, next;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (!strcmp(a, "--listen") && v)
			listen = v;
		else if (!strcmp(a, "--lines"))
			bad = number(v, 1, 1u << 20, &lines);
		else if (!strcmp(a, "--t1"))
			bad = number(v, 1, 10000, &t1);
		else if (!strcmp(a, "--transactions"))
			bad = number(v, 1, 1u << 20, &txns);
		else if (!strcmp(a, "--seconds"))
			bad = number(v, 1, 86400, &seconds);
		else if (!strcmp(a, "--every"))
			bad = number(v, 10, 60000, &every);
		else
			bad = -1;
		if (bad || !v) {
			usage();
			return 2;
		}
		i++;
	}
	colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(cfg.listen[0].host)) {
		usage();
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sl_ua_config_init(&cfg);
	cfg.listen[0].transport = SL_TRANSPORT_UDP;
	memcpy(cfg.listen[0].host, listen, (size_t)(colon - listen));
	cfg.listen[0].host[colon - listen] = '\0';
	cfg.listen[0].port = (uint16_t)atoi(colon + 1);
	cfg.n_listen = 1;
	cfg.max_lines = (unsigned)lines;
	cfg.t1_ms = (uint32_t)t1;
	if (cfg.t2_ms < cfg.t1_ms)
		cfg.t2_ms = cfg.t1_ms;
	cfg.max_transactions = (unsigned)txns;
	cfg.early_media = 0;
	cfg.session_expires = 0;
	cfg.prack = SL_PRACK_NEVER;
	cfg.media.enabled = 0;
	cfg.event_mode = SL_EVENTS_CALLBACK;
	cfg.event_cb = on_event;
	cfg.log_level = SL_LOG_ERROR;
	rc = sl_ua_create(&ua, &cfg);
	if (rc < 0) {
		fprintf(stderr, "uas: sl_ua_create: %s\n", sl_strerror(rc));
		return 1;
	}
	atomic_store(&UA, ua);
	sl_account_init(&acc);
	memcpy(acc.user, "uas", 4);
	memcpy(acc.domain, "127.0.0.1", 10);
	rc = sl_ua_set_account(ua, &acc);
	if (rc < 0 || sl_ua_local_addr(ua, 0, addr, sizeof(addr)) < 0) {
		fprintf(stderr, "uas: set-up failed: %s\n", sl_strerror(rc));
		sl_ua_destroy(ua, 0);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("uas: listening %s\n", addr);
	t0 = now_s();
	next = t0;
	report(t0);
	while (!stop && now_s() - t0 < (double)seconds) {
		struct timespec ts = { 0, 10 * 1000000L };

		nanosleep(&ts, NULL);
		if (now_s() >= next + every / 1000.0) {
			next = now_s();
			report(t0);
		}
	}
	report(t0);
	rc = sl_ua_destroy(ua, 1000);
	return rc < 0 ? 1 : 0;
}
