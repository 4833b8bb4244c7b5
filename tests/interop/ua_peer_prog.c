/*
 * tests/interop/ua_peer_prog.c: one sipline user agent driven from the
 * command line, for interop runs of the UA against real peers (SIPp in
 * tests/interop/sipp-ua.sh, Kamailio in tests/interop/kamailio.sh). A
 * test program: it uses only the public API (include/sipline/).
 *
 *   ua_peer_prog --listen udp|tcp:IP:PORT --user U --domain D
 *	[--password P] [--auth-user A] [--registrar URI] [--expires S]
 *	[--proxy URI] [--unregister]
 *	[--answer CODE|auto] [--answer-delay MS]
 *	[--call URI] [--no-sdp] [--hangup-after MS] [--hold-after MS]
 *	[--prack never|body|supported|required] [--session-expires S]
 *	[--t1 MS] [--reg-retries N] [--reg-retry-ms MS]
 *	[--expect EVENT[=N]]... [--expect-close REASON[:CODE]]
 *	[--max-seconds S] [--linger MS] [--trace] [--verbose]
 *   ua_peer_prog --freeport
 *	prints a port free for both UDP and TCP on 127.0.0.1 right now (for
 *	scripts that must give SIPp or Kamailio a port).
 *
 * What it does:
 *  - listens on the one address given (port 0: ephemeral) and prints
 *    "ua_peer: listening udp|tcp IP:PORT";
 *  - with --registrar registers at start (and, with --call, calls only
 *    once registered);
 *  - --call: calls URI (--no-sdp: with no offer in the INVITE);
 *    --hangup-after MS hangs that call up MS after it
 *    started (CANCEL while it rings, BYE once connected), and does the
 *    same to an incoming call MS after it arrived;
 *  - --answer: an incoming call is answered (auto or 200), left ringing
 *    (180) or rejected (400..699) --answer-delay MS after it arrived;
 *  - --hold-after MS: holds the call MS after it connected;
 *  - prints one line per event: "ua_peer: EVENT session=S line=L code=C
 *    reason="R"" plus what the event carries (close=, expires=,
 *    direction=, from=) and the seconds since the start (t=);
 *  - after a call's closed event checks that its line is idle again
 *    ("ua_peer: line L idle").
 * The account is U@D (--auth-user: another digest user name), with
 * --proxy as its outbound proxy and --expires, --reg-retries,
 * --reg-retry-ms for its registration; --prack, --session-expires (0:
 * off) and --t1 go into the UA's configuration. --trace writes every SIP
 * message sent and received to stderr, --verbose the library's debug log.
 *
 * Outcome: exit 0 once every --expect EVENT was seen at least N times
 * (default 1), the call (when --call or --answer was given) has closed -
 * with --expect-close, for that reason (and status code, when given) -
 * and, with --unregister, the registration was removed
 * (SL_EV_UNREGISTERED); with --linger MS the UA then runs MS longer (its
 * events still printed, a registration failure still failing the run)
 * before it is destroyed. Exit 1 at once on an unexpected outcome: another
 * close reason or code, a registration failure not expected, a line not
 * idle after its call, an API call refused; exit 2 when --max-seconds
 * (default 60) ran out first; exit 3 for a bad command line or a UA that
 * cannot start. The last line says which: "ua_peer: PASS ..." or
 * "ua_peer: FAIL ...".
 *
 * Thread: main() only; the UA runs its own loop thread (SL_RUN_THREAD)
 * and hands events over in queue mode (SL_EVENTS_QUEUE), drained here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sipline/call.h"
#include "sipline/error.h"
#include "sipline/event.h"
#include "sipline/log.h"
#include "sipline/ua.h"

#define TAG "ua_peer"

enum {
	MAX_EXPECT = 16,
	EV_TYPES = 32,                /* above the last enum sl_event_type */
	DEFAULT_MAX_SECONDS = 60,
	DESTROY_WAIT_MS = 2000,
	EXIT_PASS = 0,
	EXIT_FAIL = 1,
	EXIT_DEADLINE = 2,
	EXIT_USAGE = 3
};

#define NEVER UINT64_MAX

/* One --expect: at least @count events of @type. */
struct expect {
	enum sl_event_type type;
	unsigned count;
};

struct opts {
	enum sl_transport transport;
	char host[64];
	unsigned long port;
	const char *user, *domain, *password, *auth_user;
	const char *registrar, *proxy;
	unsigned long expires;
	int unregister;
	int no_sdp;                   /* --no-sdp: the INVITE has no offer */
	int answer;                   /* 0: not given; 200 (auto), 180... */
	unsigned long answer_delay_ms;
	const char *call;
	unsigned long hangup_after_ms; /* 0: never */
	unsigned long hold_after_ms;   /* 0: never */
	int prack;                     /* enum sl_prack_mode; -1: default */
	long session_expires;          /* -1: default */
	unsigned long t1_ms;           /* 0: default */
	long reg_retries, reg_retry_ms; /* -1: default */
	struct expect expect[MAX_EXPECT];
	unsigned n_expect;
	int expect_close;              /* enum sl_close_reason; -1: any */
	int expect_close_code;         /* -1: any */
	unsigned long max_seconds;
	unsigned long linger_ms;
	int trace;
	int verbose;
};

struct prog {
	struct opts o;
	struct sl_ua *ua;
	uint64_t start_ms;
	uint64_t deadline_ms;
	unsigned seen[EV_TYPES];

	/* the call this program looks after */
	int session;
	int line;
	int calls_on;                 /* --call or --answer: a call matters */
	int call_started;             /* --call placed */
	int call_closed;
	uint64_t answer_at, hangup_at, hold_at;

	int registered;
	int unreg_sent;
	int unregistered;

	uint64_t linger_until;        /* NEVER until everything happened */
	int result;                   /* -1 running, else the exit code */
	char why[160];
};

/* ---- small helpers ---- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int event_by_name(const char *name, enum sl_event_type *out)
{
	for (int t = SL_EV_REGISTERED; t <= SL_EV_DESTROYED; t++) {
		if (!strcmp(sl_event_name((enum sl_event_type)t), name)) {
			*out = (enum sl_event_type)t;
			return 0;
		}
	}
	return -1;
}

static int close_by_name(const char *name, size_t len)
{
	for (int r = SL_CLOSE_REMOTE_BYE; r <= SL_CLOSE_ERROR; r++) {
		const char *n = sl_close_reason_name((enum sl_close_reason)r);

		if (strlen(n) == len && !strncmp(n, name, len))
			return r;
	}
	return -1;
}

static void finish(struct prog *p, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The first outcome stands: later ones are consequences. */
static void finish(struct prog *p, int code, const char *fmt, ...)
{
	va_list ap;

	if (p->result >= 0)
		return;
	p->result = code;
	va_start(ap, fmt);
	vsnprintf(p->why, sizeof(p->why), fmt, ap);
	va_end(ap);
}

/* ---- the command line ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: ua_peer_prog --listen udp|tcp:IP:PORT --user U "
		"--domain D\n"
		"  [--password P] [--auth-user A] [--registrar URI] "
		"[--expires S]\n"
		"  [--proxy URI] [--unregister] [--answer CODE|auto] "
		"[--answer-delay MS]\n"
		"  [--call URI] [--no-sdp] [--hangup-after MS] "
		"[--hold-after MS]\n"
		"  [--prack never|body|supported|required] "
		"[--session-expires S]\n"
		"  [--t1 MS] [--reg-retries N] [--reg-retry-ms MS]\n"
		"  [--expect EVENT[=N]]... [--expect-close REASON[:CODE]]\n"
		"  [--max-seconds S] [--linger MS] [--trace] [--verbose]\n");
}

static int parse_listen(const char *s, struct opts *o)
{
	const char *c1 = strchr(s, ':');
	const char *c2 = strrchr(s, ':');
	size_t hlen;

	if (!c1 || c1 == c2)
		return -1;
	if ((size_t)(c1 - s) == 3 && !strncmp(s, "udp", 3))
		o->transport = SL_TRANSPORT_UDP;
	else if ((size_t)(c1 - s) == 3 && !strncmp(s, "tcp", 3))
		o->transport = SL_TRANSPORT_TCP;
	else
		return -1;
	hlen = (size_t)(c2 - c1 - 1);
	if (hlen >= sizeof(o->host))
		return -1;
	memcpy(o->host, c1 + 1, hlen);
	o->host[hlen] = '\0';
	return parse_ulong(c2 + 1, 65535, &o->port);
}

static int parse_expect(const char *s, struct opts *o)
{
	char name[32];
	const char *eq = strchr(s, '=');
	size_t len = eq ? (size_t)(eq - s) : strlen(s);
	unsigned long n = 1;
	struct expect *e;

	if (o->n_expect >= MAX_EXPECT || len >= sizeof(name))
		return -1;
	memcpy(name, s, len);
	name[len] = '\0';
	if (eq && (parse_ulong(eq + 1, 1000, &n) < 0 || !n))
		return -1;
	e = &o->expect[o->n_expect];
	if (event_by_name(name, &e->type) < 0)
		return -1;
	e->count = (unsigned)n;
	o->n_expect++;
	return 0;
}

static int parse_expect_close(const char *s, struct opts *o)
{
	const char *colon = strchr(s, ':');
	size_t len = colon ? (size_t)(colon - s) : strlen(s);
	unsigned long code;

	o->expect_close = close_by_name(s, len);
	if (o->expect_close < 0)
		return -1;
	if (!colon)
		return 0;
	if (parse_ulong(colon + 1, 699, &code) < 0)
		return -1;
	o->expect_close_code = (int)code;
	return 0;
}

static int parse_prack(const char *s, struct opts *o)
{
	static const char *const names[] = {
		"never", "body", "supported", "required"
	};

	for (int i = 0; i < 4; i++) {
		if (!strcmp(s, names[i])) {
			o->prack = i;
			return 0;
		}
	}
	return -1;
}

static int parse_answer(const char *s, struct opts *o)
{
	unsigned long code;

	if (!strcmp(s, "auto")) {
		o->answer = 200;
		return 0;
	}
	if (parse_ulong(s, 699, &code) < 0 ||
	    (code != 180 && code != 200 && code < 400))
		return -1;
	o->answer = (int)code;
	return 0;
}

/* Options taking a number: name, bound, where it goes. */
static int number_opt(const char *name, const char *val, struct opts *o)
{
	static const struct {
		const char *name;
		unsigned long max;
		size_t off;
	} tab[] = {
		{ "--expires", 3600, offsetof(struct opts, expires) },
		{ "--answer-delay", 3600000,
		  offsetof(struct opts, answer_delay_ms) },
		{ "--hangup-after", 3600000,
		  offsetof(struct opts, hangup_after_ms) },
		{ "--hold-after", 3600000,
		  offsetof(struct opts, hold_after_ms) },
		{ "--t1", 10000, offsetof(struct opts, t1_ms) },
		{ "--max-seconds", 86400, offsetof(struct opts, max_seconds) },
		{ "--linger", 600000, offsetof(struct opts, linger_ms) },
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if (strcmp(name, tab[i].name))
			continue;
		return parse_ulong(val, tab[i].max,
				   (unsigned long *)((char *)o + tab[i].off));
	}
	return 1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	unsigned long v;
	int have_listen = 0;

	memset(o, 0, sizeof(*o));
	o->prack = -1;
	o->session_expires = -1;
	o->reg_retries = -1;
	o->reg_retry_ms = -1;
	o->expect_close = -1;
	o->expect_close_code = -1;
	o->max_seconds = DEFAULT_MAX_SECONDS;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int rc;

		if (!strcmp(a, "--unregister")) {
			o->unregister = 1;
			continue;
		}
		if (!strcmp(a, "--no-sdp")) {
			o->no_sdp = 1;
			continue;
		}
		if (!strcmp(a, "--trace")) {
			o->trace = 1;
			continue;
		}
		if (!strcmp(a, "--verbose")) {
			o->verbose = 1;
			continue;
		}
		if (!val) {
			fprintf(stderr, TAG ": %s needs a value\n", a);
			return -1;
		}
		i++;
		rc = number_opt(a, val, o);
		if (rc == 0)
			continue;
		if (rc < 0) {
			fprintf(stderr, TAG ": bad %s %s\n", a, val);
			return -1;
		}
		if (!strcmp(a, "--listen")) {
			rc = parse_listen(val, o);
			have_listen = 1;
		} else if (!strcmp(a, "--user")) {
			o->user = val;
		} else if (!strcmp(a, "--domain")) {
			o->domain = val;
		} else if (!strcmp(a, "--password")) {
			o->password = val;
		} else if (!strcmp(a, "--auth-user")) {
			o->auth_user = val;
		} else if (!strcmp(a, "--registrar")) {
			o->registrar = val;
		} else if (!strcmp(a, "--proxy")) {
			o->proxy = val;
		} else if (!strcmp(a, "--answer")) {
			rc = parse_answer(val, o);
		} else if (!strcmp(a, "--call")) {
			o->call = val;
		} else if (!strcmp(a, "--prack")) {
			rc = parse_prack(val, o);
		} else if (!strcmp(a, "--session-expires")) {
			rc = parse_ulong(val, 86400, &v);
			o->session_expires = (long)v;
		} else if (!strcmp(a, "--reg-retries")) {
			rc = parse_ulong(val, 100, &v);
			o->reg_retries = (long)v;
		} else if (!strcmp(a, "--reg-retry-ms")) {
			rc = parse_ulong(val, 600000, &v);
			o->reg_retry_ms = (long)v;
		} else if (!strcmp(a, "--expect")) {
			rc = parse_expect(val, o);
		} else if (!strcmp(a, "--expect-close")) {
			rc = parse_expect_close(val, o);
		} else {
			fprintf(stderr, TAG ": unknown option %s\n", a);
			return -1;
		}
		if (rc < 0) {
			fprintf(stderr, TAG ": bad %s %s\n", a, val);
			return -1;
		}
	}
	if (!have_listen || !o->user || !o->domain || !o->max_seconds) {
		fprintf(stderr, TAG ": --listen, --user and --domain are "
			"required\n");
		return -1;
	}
	if (o->unregister && !o->registrar) {
		fprintf(stderr, TAG ": --unregister needs --registrar\n");
		return -1;
	}
	return 0;
}

/* ---- the UA ---- */

static int start_ua(struct prog *p)
{
	const struct opts *o = &p->o;
	struct sl_ua_config cfg;
	struct sl_account acc;
	char addr[80];
	int rc;

	sl_ua_config_init(&cfg);
	cfg.n_listen = 1;
	cfg.listen[0].transport = o->transport;
	snprintf(cfg.listen[0].host, sizeof(cfg.listen[0].host), "%s",
		 o->host);
	cfg.listen[0].port = (uint16_t)o->port;
	/* Contact, Via and SDP carry the address we listen on. */
	snprintf(cfg.local_ip, sizeof(cfg.local_ip), "%s", o->host);
	cfg.max_lines = 4;
	cfg.log_level = o->verbose ? SL_LOG_DEBUG : SL_LOG_WARN;
	cfg.event_mode = SL_EVENTS_QUEUE;
	cfg.sip_message_events = o->trace ? 3 : 0;
	snprintf(cfg.user_agent, sizeof(cfg.user_agent), "ua_peer_prog");
	if (o->t1_ms) {
		cfg.t1_ms = (uint32_t)o->t1_ms;
		if (cfg.t2_ms < cfg.t1_ms)
			cfg.t2_ms = cfg.t1_ms;
	}
	if (o->prack >= 0)
		cfg.prack = (enum sl_prack_mode)o->prack;
	if (o->session_expires >= 0)
		cfg.session_expires = (uint32_t)o->session_expires;
	rc = sl_ua_create(&p->ua, &cfg);
	if (rc < 0) {
		fprintf(stderr, TAG ": sl_ua_create: %s\n", sl_strerror(rc));
		return rc;
	}
	rc = sl_ua_local_addr(p->ua, 0, addr, sizeof(addr));
	if (rc < 0) {
		fprintf(stderr, TAG ": sl_ua_local_addr: %s\n",
			sl_strerror(rc));
		return rc;
	}
	printf(TAG ": listening %s %s\n",
	       o->transport == SL_TRANSPORT_TCP ? "tcp" : "udp", addr);

	sl_account_init(&acc);
	snprintf(acc.user, sizeof(acc.user), "%s", o->user);
	snprintf(acc.domain, sizeof(acc.domain), "%s", o->domain);
	if (o->password)
		snprintf(acc.password, sizeof(acc.password), "%s",
			 o->password);
	if (o->auth_user)
		snprintf(acc.auth_user, sizeof(acc.auth_user), "%s",
			 o->auth_user);
	if (o->registrar)
		snprintf(acc.registrar, sizeof(acc.registrar), "%s",
			 o->registrar);
	if (o->proxy)
		snprintf(acc.outbound_proxy, sizeof(acc.outbound_proxy), "%s",
			 o->proxy);
	if (o->expires)
		acc.expires = (uint32_t)o->expires;
	if (o->reg_retries >= 0)
		acc.reg_retries = (unsigned)o->reg_retries;
	if (o->reg_retry_ms >= 0)
		acc.reg_retry_ms = (uint32_t)o->reg_retry_ms;
	acc.transport = o->transport;
	rc = sl_ua_set_account(p->ua, &acc);
	if (rc < 0) {
		fprintf(stderr, TAG ": sl_ua_set_account: %s\n",
			sl_strerror(rc));
		return rc;
	}
	if (o->registrar) {
		rc = sl_ua_register(p->ua);
		if (rc < 0) {
			fprintf(stderr, TAG ": sl_ua_register: %s\n",
				sl_strerror(rc));
			return rc;
		}
	}
	fflush(stdout);
	return 0;
}

/* A public call that must work; a refusal ends the run. */
static void check_api(struct prog *p, const char *what, int rc)
{
	if (rc >= 0)
		return;
	fprintf(stderr, TAG ": %s: %s\n", what, sl_strerror(rc));
	finish(p, EXIT_FAIL, "%s refused", what);
}

static void place_call(struct prog *p)
{
	struct sl_call_params cp;
	int rc;

	p->call_started = 1;
	sl_call_params_init(&cp);
	cp.callee = p->o.call;
	cp.no_sdp = p->o.no_sdp;
	rc = sl_call_make(p->ua, &cp);
	check_api(p, "sl_call_make", rc);
	if (rc < 0)
		return;
	p->session = rc;
	p->line = sl_call_line(p->ua, rc);
	printf(TAG ": calling %s session=%d\n", p->o.call, rc);
	if (p->o.hangup_after_ms)
		p->hangup_at = now_ms() + p->o.hangup_after_ms;
}

/* ---- events ---- */

static void print_event(const struct prog *p, const struct sl_event *ev)
{
	printf(TAG ": %s session=%d line=%d code=%d reason=\"%s\"",
	       sl_event_name(ev->type), ev->session, ev->line, ev->code,
	       ev->reason ? ev->reason : "");
	switch (ev->type) {
	case SL_EV_CLOSED:
		printf(" close=%s", sl_close_reason_name(ev->close_reason));
		break;
	case SL_EV_REGISTERED:
		printf(" expires=%u", ev->expires);
		break;
	case SL_EV_INCOMING:
		printf(" from=%s", ev->from ? ev->from : "");
		break;
	default:
		break;
	}
	if (ev->direction)
		printf(" direction=%s", ev->direction);
	printf(" t=%.3f\n", (double)(now_ms() - p->start_ms) / 1000.0);
}

static void on_incoming(struct prog *p, const struct sl_event *ev)
{
	uint64_t t = now_ms();

	if (p->session) {
		/* One call at a time is what the cases need. */
		check_api(p, "sl_call_reject",
			  sl_call_reject(p->ua, ev->session, 486));
		return;
	}
	p->session = ev->session;
	p->line = ev->line;
	if (p->o.answer && p->o.answer != 180)
		p->answer_at = t + p->o.answer_delay_ms;
	if (p->o.hangup_after_ms)
		p->hangup_at = t + p->o.hangup_after_ms;
}

static void on_closed(struct prog *p, const struct sl_event *ev)
{
	const struct opts *o = &p->o;
	int st;

	if (ev->session != p->session)
		return;
	p->call_closed = 1;
	p->answer_at = p->hangup_at = p->hold_at = NEVER;
	/* The line must be free again: the call left nothing behind. */
	st = sl_line_state(p->ua, ev->line);
	if (st < 0) {
		check_api(p, "sl_line_state", st);
	} else if (st != SL_LINE_IDLE &&
		   sl_line_session(p->ua, ev->line) == ev->session) {
		printf(TAG ": line %d still %s\n", ev->line,
		       sl_line_state_name((enum sl_line_state)st));
		finish(p, EXIT_FAIL, "line %d not idle after the call",
		       ev->line);
		return;
	} else {
		printf(TAG ": line %d idle\n", ev->line);
	}
	if (o->expect_close >= 0 && (int)ev->close_reason != o->expect_close)
		finish(p, EXIT_FAIL, "closed: %s, not %s",
		       sl_close_reason_name(ev->close_reason),
		       sl_close_reason_name((enum sl_close_reason)
					    o->expect_close));
	else if (o->expect_close_code >= 0 &&
		 ev->code != o->expect_close_code)
		finish(p, EXIT_FAIL, "closed with code %d, not %d",
		       ev->code, o->expect_close_code);
}

static void on_event(struct prog *p, const struct sl_event *ev)
{
	if (ev->type == SL_EV_SIP_SENT || ev->type == SL_EV_SIP_RECEIVED) {
		fprintf(stderr, "---- %s\n%.*s\n", ev->type == SL_EV_SIP_SENT ?
			"sent" : "received", (int)ev->raw_len,
			ev->raw ? ev->raw : "");
		return;
	}
	print_event(p, ev);
	if ((unsigned)ev->type < EV_TYPES)
		p->seen[ev->type]++;
	switch (ev->type) {
	case SL_EV_REGISTERED:
		p->registered = 1;
		break;
	case SL_EV_REGISTRATION_FAILED:
		for (unsigned i = 0; i < p->o.n_expect; i++)
			if (p->o.expect[i].type == ev->type)
				return;
		finish(p, EXIT_FAIL, "registration failed (%d)", ev->code);
		break;
	case SL_EV_UNREGISTERED:
		p->unregistered = 1;
		break;
	case SL_EV_INCOMING:
		on_incoming(p, ev);
		break;
	case SL_EV_CONNECTED:
		if (ev->session == p->session && p->o.hold_after_ms &&
		    p->hold_at == NEVER)
			p->hold_at = now_ms() + p->o.hold_after_ms;
		break;
	case SL_EV_CLOSED:
		on_closed(p, ev);
		break;
	default:
		break;
	}
}

/* ---- the run ---- */

static int expectations_met(const struct prog *p)
{
	for (unsigned i = 0; i < p->o.n_expect; i++)
		if (p->seen[p->o.expect[i].type] < p->o.expect[i].count)
			return 0;
	return !p->calls_on || p->call_closed;
}

static void due_actions(struct prog *p, uint64_t t)
{
	if (p->o.call && !p->call_started &&
	    (!p->o.registrar || p->registered))
		place_call(p);
	if (p->answer_at <= t) {
		p->answer_at = NEVER;
		if (p->o.answer == 200)
			check_api(p, "sl_call_answer",
				  sl_call_answer(p->ua, p->session, 0));
		else
			check_api(p, "sl_call_reject",
				  sl_call_reject(p->ua, p->session,
						 p->o.answer));
	}
	if (p->hold_at <= t) {
		p->hold_at = NEVER;
		check_api(p, "sl_call_hold", sl_call_hold(p->ua, p->session));
	}
	if (p->hangup_at <= t) {
		p->hangup_at = NEVER;
		check_api(p, "sl_call_hangup",
			  sl_call_hangup(p->ua, p->session));
	}
	if (p->result >= 0 || !expectations_met(p))
		return;
	if (p->o.unregister && !p->unreg_sent) {
		int rc;

		p->unreg_sent = 1;
		rc = sl_ua_unregister(p->ua, 0);
		if (rc != SL_ETIMEOUT)
			check_api(p, "sl_ua_unregister", rc);
	}
	if (p->o.unregister && !p->unregistered)
		return;
	if (p->linger_until == NEVER)
		p->linger_until = t + p->o.linger_ms;
	if (t >= p->linger_until)
		finish(p, EXIT_PASS, "everything expected happened%s",
		       p->o.unregister ? ", unregistered" : "");
}

static int next_wait_ms(const struct prog *p, uint64_t t)
{
	uint64_t next = p->deadline_ms;
	uint64_t c[4] = { p->answer_at, p->hold_at, p->hangup_at,
			  p->linger_until };

	for (int i = 0; i < 4; i++)
		if (c[i] < next)
			next = c[i];
	if (next <= t)
		return 0;
	return next - t > 1000 ? 1000 : (int)(next - t);
}

/* What was still missing when time ran out. */
static void deadline_report(struct prog *p)
{
	for (unsigned i = 0; i < p->o.n_expect; i++)
		if (p->seen[p->o.expect[i].type] < p->o.expect[i].count)
			printf(TAG ": missing %s (%u of %u)\n",
			       sl_event_name(p->o.expect[i].type),
			       p->seen[p->o.expect[i].type],
			       p->o.expect[i].count);
	if (p->session && !p->call_closed) {
		int st = sl_line_state(p->ua, p->line);

		printf(TAG ": session %d never closed; line %d is %s\n",
		       p->session, p->line, st < 0 ? sl_strerror(st) :
		       sl_line_state_name((enum sl_line_state)st));
	} else if (p->calls_on && !p->session) {
		printf(TAG ": no call at all\n");
	}
	if (p->o.unregister && !p->unregistered)
		printf(TAG ": not unregistered\n");
}

static void run(struct prog *p)
{
	int fd = sl_ua_event_fd(p->ua);

	if (fd < 0) {
		check_api(p, "sl_ua_event_fd", fd);
		return;
	}
	while (p->result < 0) {
		uint64_t t = now_ms();
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct sl_event ev;
		int rc;

		due_actions(p, t);
		if (p->result >= 0)
			break;
		if (t >= p->deadline_ms) {
			deadline_report(p);
			finish(p, EXIT_DEADLINE, "--max-seconds ran out");
			break;
		}
		fflush(stdout);
		rc = poll(&pfd, 1, next_wait_ms(p, t));
		if (rc < 0 && errno != EINTR) {
			finish(p, EXIT_FAIL, "poll: %s", strerror(errno));
			break;
		}
		while (p->result < 0 &&
		       (rc = sl_ua_event_next(p->ua, &ev)) == 1)
			on_event(p, &ev);
		if (rc < 0)
			check_api(p, "sl_ua_event_next", rc);
	}
}

/* A port on 127.0.0.1 free for both UDP and TCP: the system picks one
 * for TCP, and it is kept when UDP can have it too. */
static int freeport(void)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sockaddr_in a;
		socklen_t len = sizeof(a);
		int t = socket(AF_INET, SOCK_STREAM, 0);
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		int ok = 0;

		if (t < 0 || u < 0) {
			if (t >= 0)
				close(t);
			if (u >= 0)
				close(u);
			return 1;
		}
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (bind(t, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    getsockname(t, (struct sockaddr *)&a, &len) == 0)
			ok = bind(u, (struct sockaddr *)&a, sizeof(a)) == 0;
		close(t);
		close(u);
		if (ok) {
			printf("%u\n", (unsigned)ntohs(a.sin_port));
			return 0;
		}
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct prog p;
	int rc;

	if (argc == 2 && !strcmp(argv[1], "--freeport"))
		return freeport();

	memset(&p, 0, sizeof(p));
	p.result = -1;
	p.answer_at = p.hangup_at = p.hold_at = p.linger_until = NEVER;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &p.o) < 0) {
		usage();
		return EXIT_USAGE;
	}
	p.calls_on = p.o.call || p.o.answer || p.o.expect_close >= 0;
	p.start_ms = now_ms();
	p.deadline_ms = p.start_ms + 1000ull * p.o.max_seconds;
	if (start_ua(&p) < 0) {
		if (p.ua)
			sl_ua_destroy(p.ua, 0);
		printf(TAG ": FAIL the UA did not start\n");
		return EXIT_USAGE;
	}
	run(&p);
	rc = sl_ua_destroy(p.ua, DESTROY_WAIT_MS);
	if (rc < 0)
		fprintf(stderr, TAG ": sl_ua_destroy: %s\n", sl_strerror(rc));
	printf(TAG ": %s %s (%.1f s)\n", p.result == EXIT_PASS ? "PASS"
	       : "FAIL", p.why, (double)(now_ms() - p.start_ms) / 1000.0);
	return p.result;
}
