/*
 * tools/sipline/main.c: the sipline command-line agent - start-up, the
 * main loop and the orderly end.
 *
 *   sipline [OPTIONS]          (flags.c has the list; --help prints it)
 *
 * One UA (its own loop thread, events queued) driven from one poll loop
 * over: the UA's event fd, the signalfd (SIGINT/SIGTERM), standard input
 * (commands) and the timers of the agent (auto-answer, --hangup-after,
 * the load run's pacing, the script's sleep/wait). Each event is printed
 * (output.c) and acted on (events.c) here.
 *
 * Modes, and when the agent ends:
 *  - interactive (commands on a terminal, a pipe, a file or --script):
 *    runs until `quit`, a signal, or end of input on a terminal;
 *  - --call URI: ends when that call has ended; exit 0 when it was
 *    answered and ended by a BYE (either side), else 1 with a one-line
 *    reason on stderr;
 *  - --calls N (load): ends when N calls were placed and have ended,
 *    after a "summary" event; exit 0 only when none failed;
 *  - no one drives (standard input is /dev/null or closed, or one of
 *    the two above): a registration failure also ends the run, exit 1.
 * A signal or `quit` hangs up every call and removes the registration,
 * waiting at most SHUTDOWN_WAIT_MS for the answers, then destroys the UA
 * (at most DESTROY_WAIT_MS more): the agent is gone within ~4 s. A
 * second signal (half a second after the first or later) skips the
 * waiting.
 *
 * Owns: struct agent (the calls table, input state), the UA.
 * Thread: main thread (the recorder's writer thread is record.c's).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "sipline/error.h"
#include "sipline/version.h"

enum {
	EVENTS_PER_TURN = 256,   /* then input and signals get a look */
	SIGNAL_REPEAT_MS = 500,  /* a signal again within this: a repeat */
	LOAD_HANGUP_MS = 1000    /* a load call's length by default */
};

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void agent_fail(struct agent *a, const char *why)
{
	if (a->exit_code == EXIT_OK) {
		a->exit_code = EXIT_FAILED;
		snprintf(a->fail_why, sizeof(a->fail_why), "%s", why);
	}
}

struct acall *agent_find(struct agent *a, int session)
{
	int line;

	if (session <= 0)
		return NULL;
	line = sl_call_line(a->ua, session);
	if (line >= 0 && (unsigned)line < a->max_lines &&
	    a->calls[line].session == session)
		return &a->calls[line];
	/* The library forgets a call before we have seen its end. */
	for (unsigned i = 0; i < a->max_lines; i++)
		if (a->calls[i].session == session)
			return &a->calls[i];
	return NULL;
}

int agent_call(struct agent *a, const char *uri, int load)
{
	struct sl_call_params p;
	struct acall *c;
	struct evout *e;
	int session, line;

	if (a->stopping) {
		emit_error(0, "call", "shutting down");
		return SL_ESTATE;
	}
	sl_call_params_init(&p);
	p.callee = uri;
	session = sl_call_make(a->ua, &p);
	if (session < 0) {
		/* A busy load run waits for a line instead. */
		if (!(load && session == SL_ENOMEM))
			emit_error(0, "call", sl_strerror(session));
		return session;
	}
	line = sl_call_line(a->ua, session);
	if (line < 0 || (unsigned)line >= a->max_lines) {
		/* Over already: its events are queued, with the line. */
		if (a->n_pending < PENDING_MAX) {
			a->pending[a->n_pending].session = session;
			a->pending[a->n_pending].load = load;
			a->n_pending++;
		}
		a->last_session = session;
		e = ev_begin("calling");
		ev_int(e, "session", session);
		ev_str(e, "to", uri);
		ev_end(e);
		return session;
	}
	c = &a->calls[line];
	memset(c, 0, sizeof(*c));
	c->session = session;
	c->load = load;
	c->answer_at = c->hangup_at = c->watch_until = NEVER;
	a->last_session = session;
	call_record(a, c, line);
	e = ev_begin("calling");
	ev_int(e, "session", session);
	ev_int(e, "line", line);
	ev_str(e, "to", uri);
	ev_end(e);
	return session;
}

void agent_stop(struct agent *a)
{
	int rc;

	if (a->stopping)
		return;
	a->stopping = 1;
	a->stop_deadline = now_ms() + SHUTDOWN_WAIT_MS;
	for (unsigned i = 0; i < a->max_lines; i++) {
		struct acall *c = &a->calls[i];

		if (!c->session)
			continue;
		c->answer_at = c->hangup_at = c->watch_until = NEVER;
		/* A ringing incoming call is refused; the rest hang up. */
		if (c->incoming && !c->answered)
			rc = sl_call_reject(a->ua, c->session, 480);
		else
			rc = sl_call_hangup(a->ua, c->session);
		if (rc < 0 && rc != SL_ESTATE)
			emit_error(c->session, "hangup", sl_strerror(rc));
	}
	/* Only a binding the registrar granted is worth waiting for; a
	 * REGISTER still unanswered is withdrawn by sl_ua_destroy(). */
	if (a->have_registrar && a->registered) {
		rc = sl_ua_unregister(a->ua, 0);
		a->unreg_pending = rc == 0 || rc == SL_ETIMEOUT;
	}
}

/* Stopping is over when nothing is left to answer, or time ran out. */
static int stop_complete(const struct agent *a, uint64_t t)
{
	if (t >= a->stop_deadline)
		return 1;
	if (a->unreg_pending)
		return 0;
	for (unsigned i = 0; i < a->max_lines; i++)
		if (a->calls[i].session)
			return 0;
	return 1;
}

static void print_ready(struct agent *a, const struct sl_ua_config *cfg)
{
	static const char *const tp[] = { "udp", "tcp", "tls" };
	/* JSON: ["udp:ip:port",...]; text: udp:ip:port,... */
	char list[SL_UA_MAX_LISTEN * 80 + 8];
	size_t len = 0;
	struct evout *e;

	if (a->o.json)
		list[len++] = '[';
	for (unsigned i = 0; i < cfg->n_listen; i++) {
		char addr[72];
		int n = sl_ua_local_addr(a->ua, i, addr, sizeof(addr));
		const char *q = a->o.json ? "\"" : "";

		if (n < 0)
			continue;
		n = snprintf(list + len, sizeof(list) - len, "%s%s%s:%s%s",
			     len > (size_t)(a->o.json ? 1 : 0) ? "," : "", q,
			     tp[cfg->listen[i].transport % 3], addr, q);
		if (n > 0 && (size_t)n < sizeof(list) - len)
			len += (size_t)n;
	}
	if (a->o.json)
		list[len++] = ']';
	list[len] = '\0';
	e = ev_begin("ready");
	if (a->o.json)
		ev_json(e, "listen", list);
	else
		ev_str(e, "listen", list);
	ev_str(e, "version", sl_version());
	ev_end(e);
}

/* Whether someone drives the agent: commands on a terminal, a pipe, a
 * socket or a file, or a script. /dev/null (a background job's standard
 * input) or a closed one means no one does. */
static void look_at_stdin(struct agent *a)
{
	struct stat st;

	a->stdin_fd = 0;
	a->stdin_tty = isatty(0);
	if (fstat(0, &st) < 0) {
		a->stdin_fd = -1;
		a->noninteractive = 1;
		return;
	}
	if (S_ISCHR(st.st_mode) && !a->stdin_tty) {
		a->stdin_fd = -1;
		a->noninteractive = 1;
	}
	if (a->o.call || a->o.calls)
		a->noninteractive = 1;
	if (a->o.script)
		a->noninteractive = a->o.call || a->o.calls;
	if (a->stdin_fd >= 0) {
		int fl = fcntl(0, F_GETFL);

		if (fl >= 0)
			fcntl(0, F_SETFL, fl | O_NONBLOCK);
	}
}

/* The default number of lines of a load run: enough for the calls that
 * overlap at that rate and length, and some slack. */
static unsigned load_lines(const struct agent_opts *o)
{
	double n = o->cps * ((double)o->hangup_after_ms / 1000.0 + 2.0) + 4;

	if (n < 8)
		return 8;
	return n > 1024 ? 1024 : (unsigned)n;
}

static int start(struct agent *a)
{
	struct sl_ua_config cfg;
	struct sl_account acc;
	int rc;

	if (a->o.calls) {
		if (a->o.cps <= 0)
			a->o.cps = 10;
		if (a->o.hangup_after_ms < 0)
			a->o.hangup_after_ms = LOAD_HANGUP_MS;
		if (!a->o.max_lines)
			a->o.max_lines = load_lines(&a->o);
	}
	agent_config(&a->o, &cfg, &acc, a->noninteractive);
	a->max_lines = cfg.max_lines;
	a->calls = calloc(a->max_lines, sizeof(*a->calls));
	if (!a->calls) {
		fprintf(stderr, AGENT_NAME ": out of memory\n");
		return EXIT_FAILED;
	}
	if (a->o.record && rec_init(a->max_lines) < 0)
		return EXIT_FAILED;
	rc = sl_ua_create(&a->ua, &cfg);
	if (rc < 0) {
		fprintf(stderr, AGENT_NAME ": cannot start: %s (see the log "
			"above)\n", sl_strerror(rc));
		a->ua = NULL;
		return EXIT_FAILED;
	}
	rc = sl_ua_set_account(a->ua, &acc);
	if (rc < 0) {
		fprintf(stderr, AGENT_NAME ": bad account (--user, --domain, "
			"--registrar, --outbound-proxy...): %s\n",
			sl_strerror(rc));
		return EXIT_USAGE;
	}
	a->have_registrar = acc.registrar[0] != '\0';
	snprintf(a->aor, sizeof(a->aor), "sip:%s@%s", acc.user, acc.domain);
	print_ready(a, &cfg);
	if (a->have_registrar) {
		rc = sl_ua_register(a->ua);
		if (rc < 0) {
			fprintf(stderr, AGENT_NAME ": cannot register: %s\n",
				sl_strerror(rc));
			return EXIT_FAILED;
		}
	}
	if (a->o.script && script_open(a, a->o.script) < 0)
		return EXIT_USAGE;
	return EXIT_OK;
}

/* The --call task and the load run start once registered (or at once
 * without a registrar). */
static void task_tick(struct agent *a, uint64_t t, uint64_t *next)
{
	if (a->stopping || (a->have_registrar && !a->registered))
		return;
	if (a->o.calls) {
		load_tick(a, t, next);
		if (load_finished(a) && !a->summary_done) {
			load_summary(a);
			agent_stop(a);
		}
		return;
	}
	if (a->o.call && !a->task_started) {
		int rc;

		a->task_started = 1;
		rc = agent_call(a, a->o.call, 0);
		if (rc < 0) {
			agent_fail(a, "the call could not be placed");
			agent_stop(a);
			return;
		}
		a->task_session = rc;
	}
	if (a->o.call && a->task_done)
		agent_stop(a);
}

static void drain_events(struct agent *a)
{
	struct sl_event ev;
	int rc = 0;

	for (int i = 0; i < EVENTS_PER_TURN; i++) {
		rc = sl_ua_event_next(a->ua, &ev);
		if (rc != 1)
			break;
		on_event(a, &ev);
	}
	if (rc < 0)
		emit_error(0, "events", sl_strerror(rc));
}

static void run(struct agent *a, int sig_fd)
{
	int ev_fd = sl_ua_event_fd(a->ua);
	int signals = 0;
	uint64_t first_signal = 0;

	if (ev_fd < 0) {
		agent_fail(a, "no event fd");
		return;
	}
	for (;;) {
		struct pollfd pfd[3];
		uint64_t t = now_ms(), next = t + 1000;
		int n = 0, timeout, rc;

		/* The script first: what its commands start (a hold to
		 * watch, a call) is then timed in this same turn. */
		if (a->script && !a->stopping)
			script_tick(a, t, &next);
		task_tick(a, t, &next);
		call_timers(a, t, &next);
		if (a->stopping) {
			if (stop_complete(a, t))
				break;
			if (a->stop_deadline < next)
				next = a->stop_deadline;
		}
		timeout = next <= t ? 0 : (int)(next - t);
		pfd[n++] = (struct pollfd){ ev_fd, POLLIN, 0 };
		pfd[n++] = (struct pollfd){ sig_fd, POLLIN, 0 };
		if (a->stdin_fd >= 0 && !a->stopping)
			pfd[n++] = (struct pollfd){ a->stdin_fd, POLLIN, 0 };
		rc = poll(pfd, (nfds_t)n, timeout);
		if (rc < 0 && errno != EINTR) {
			agent_fail(a, "poll failed");
			break;
		}
		if (pfd[1].revents & POLLIN) {
			int sig = signals_read(sig_fd);

			if (sig) {
				struct evout *e = ev_begin("signal");

				ev_str(e, "name", sig == SIGINT ? "SIGINT" :
				       "SIGTERM");
				ev_end(e);
				/* A second one: no more waiting - unless it is
				 * the same one twice (`timeout` sends its
				 * signal to the child and to its process
				 * group, so the agent gets it twice). */
				if (signals++ && now_ms() > first_signal +
				    SIGNAL_REPEAT_MS)
					break;
				if (!first_signal)
					first_signal = now_ms();
				agent_stop(a);
			}
		}
		if (n > 2 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
			input_read(a);
		drain_events(a);
	}
}

/* Calls the library never closed for us (the wait ran out): their
 * recordings are completed and their end reported all the same. */
static void close_leftovers(struct agent *a)
{
	for (unsigned i = 0; i < a->max_lines; i++) {
		struct acall *c = &a->calls[i];
		struct evout *e;
		char path[256];
		long n = -1;

		if (!c->session)
			continue;
		if (c->recording)
			n = rec_finish(i, path, sizeof(path), NULL);
		e = ev_begin("closed");
		ev_int(e, "session", c->session);
		ev_str(e, "reason", "local-bye");
		ev_str(e, "detail", "the agent ended before the answer");
		if (n >= 0)
			ev_str(e, "recording", path);
		ev_end(e);
		if (c->load)
			load_closed(a, c, c->answered);
		c->session = 0;
	}
}

int main(int argc, char **argv)
{
	struct agent a;
	int sig_fd, rc;

	memset(&a, 0, sizeof(a));
	a.stdin_fd = -1;
	rc = agent_parse_flags(argc, argv, &a.o);
	if (rc != 0)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
	/* Before any thread: they all inherit the blocked signals. */
	sig_fd = signals_init();
	if (sig_fd < 0)
		return EXIT_FAILED;
	look_at_stdin(&a);
	out_set_listener(script_event, &a);
	rc = start(&a);
	if (rc == EXIT_OK)
		run(&a, sig_fd);
	else
		a.exit_code = rc;
	if (a.ua) {
		int drc = sl_ua_destroy(a.ua, a.stopping ? DESTROY_WAIT_MS
					: 0);

		if (drc < 0)
			fprintf(stderr, AGENT_NAME ": sl_ua_destroy: %s\n",
				sl_strerror(drc));
		a.ua = NULL;
	}
	if (a.calls)
		close_leftovers(&a);
	if (rc == EXIT_OK && a.o.calls && !a.summary_done)
		load_summary(&a);
	rec_shutdown();
	if (a.exit_code == EXIT_FAILED && a.fail_why[0])
		fprintf(stderr, AGENT_NAME ": %s\n", a.fail_why);
	script_close(&a);
	free(a.calls);
	close(sig_fd);
	return a.exit_code;
}
