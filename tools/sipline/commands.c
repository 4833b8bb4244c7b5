/*
 * tools/sipline/commands.c: the agent's commands, one per line, from
 * standard input and from a --script file.
 *
 *   call URI               place a call ("calling" names its session)
 *   answer [SESSION]       answer (default: the latest ringing call)
 *   reject [CODE [SESSION]] refuse a ringing call (default 486)
 *   hangup [SESSION|all]   end a call (default: the latest)
 *   hold [SESSION], unhold [SESSION]
 *   dtmf DIGITS [SESSION]  RFC 4733, or INFO with --dtmf-info
 *   message URI TEXT       a SIP MESSAGE (text/plain)
 *   register, unregister
 *   stats [SESSION]        one stats event per call (default: all)
 *   lines                  the state of every line
 *   quit                   hang up, unregister, exit
 *   help
 * In a script file also (the script pauses, the agent keeps running):
 *   sleep SECONDS          e.g. "sleep 1.5"
 *   wait EVENT [SECONDS]   until an event of that name is printed (or
 *                          was, since the previous command), at most
 *                          SECONDS (default 30; then an error event and
 *                          the script goes on)
 * Blank lines and lines starting with '#' are skipped. Every command is
 * answered by an event: its effect's (calling, answered, closed, held,
 * updated, dtmf-sent, message-sent then message-result, registered,
 * unregistered, stats, lines, help) or an "error" event naming the
 * command and the reason.
 *
 * Owns: the script's lines and its cursor; the standard input buffer is
 * struct agent's.
 * Thread: main thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "sipline/error.h"
#include "sipline/media.h"
#include "sipline/message.h"

enum {
	SEEN_MAX = 64,           /* events remembered for "wait" */
	NAME_MAX_LEN = 32,
	WAIT_DEFAULT_MS = 30000,
	SCRIPT_MAX_LINES = 100000
};

struct script {
	char **lines;
	size_t n, idx;
	uint64_t resume_at;      /* sleep: 0 when not sleeping */
	int waiting;
	char wait_name[NAME_MAX_LEN];
	uint64_t wait_until;
	char seen[SEEN_MAX][NAME_MAX_LEN];
	unsigned n_seen;
};

static const char help_text[] =
	"call URI | answer [SESSION] | reject [CODE [SESSION]] | "
	"hangup [SESSION|all] | hold [SESSION] | unhold [SESSION] | "
	"dtmf DIGITS [SESSION] | message URI TEXT | register | unregister | "
	"stats [SESSION] | lines | quit | help; in scripts also: "
	"sleep SECONDS | wait EVENT [SECONDS]";

static char *next_word(char **p)
{
	char *s = *p, *w;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s) {
		*p = s;
		return NULL;
	}
	w = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return w;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Milliseconds from "SECONDS" with up to three decimals. */
static int parse_ms(const char *s, uint64_t *out)
{
	char *end;
	double d;

	if (!s)
		return -1;
	errno = 0;
	d = strtod(s, &end);
	if (errno || *end || end == s || !(d >= 0 && d <= 86400))
		return -1;
	*out = (uint64_t)(d * 1000.0 + 0.5);
	return 0;
}

/* The call a command means: @arg's session, else the latest call (the
 * latest ringing one with @ringing). Return: the session or 0 (error
 * event printed). */
static int pick(struct agent *a, const char *cmd, const char *arg,
		int ringing)
{
	int best = 0;
	long v;

	if (arg) {
		if (parse_int(arg, 1, 0x7fffffff, &v) < 0) {
			emit_error(0, cmd, "bad session number");
			return 0;
		}
		if (!agent_find(a, (int)v)) {
			emit_error((int)v, cmd, "no such call");
			return 0;
		}
		return (int)v;
	}
	for (unsigned i = 0; i < a->max_lines; i++) {
		const struct acall *c = &a->calls[i];

		if (!c->session || (ringing && (!c->incoming ||
						c->answered)))
			continue;
		if (c->session > best)
			best = c->session;
	}
	if (!best)
		emit_error(0, cmd, ringing ? "no ringing call" : "no call");
	return best;
}

/* A library call's refusal as an error event. */
static void check(int session, const char *cmd, int rc)
{
	if (rc < 0)
		emit_error(session, cmd, sl_strerror(rc));
}

static void cmd_lines(struct agent *a)
{
	char *buf;
	size_t cap = 64 + (size_t)a->max_lines * 64, len = 0;
	struct evout *e;

	buf = malloc(cap);
	if (!buf) {
		emit_error(0, "lines", "out of memory");
		return;
	}
	if (a->o.json)
		buf[len++] = '[';
	for (unsigned i = 0; i < a->max_lines; i++) {
		int st = sl_line_state(a->ua, (int)i);
		int s = sl_line_session(a->ua, (int)i);
		const char *name = st < 0 ? "unknown" :
			sl_line_state_name((enum sl_line_state)st);
		int n;

		if (s < 0)
			s = 0;
		n = snprintf(buf + len, cap - len, a->o.json ?
			     "%s{\"line\":%u,\"state\":\"%s\",\"session\":%d}"
			     : "%s%u:%s/%d", i ? "," : "", i, name, s);
		if (n < 0 || (size_t)n >= cap - len)
			break;
		len += (size_t)n;
	}
	if (a->o.json)
		buf[len++] = ']';
	buf[len] = '\0';
	e = ev_begin("lines");
	if (a->o.json)
		ev_json(e, "lines", buf);
	else
		ev_str(e, "lines", buf);
	ev_end(e);
	free(buf);
}

static void cmd_stats(struct agent *a, const char *arg)
{
	int any = 0;

	if (arg) {
		int s = pick(a, "stats", arg, 0);

		if (s)
			check(s, "stats", emit_stats_now(a, s));
		return;
	}
	for (unsigned i = 0; i < a->max_lines; i++) {
		int s = a->calls[i].session;

		if (!s)
			continue;
		any = 1;
		check(s, "stats", emit_stats_now(a, s));
	}
	if (!any)
		emit_error(0, "stats", "no call");
}

static void cmd_hold(struct agent *a, const char *cmd, const char *arg,
		     int hold)
{
	int s = pick(a, cmd, arg, 0);
	struct acall *c;
	int rc;

	if (!s)
		return;
	rc = hold ? sl_call_hold(a->ua, s) : sl_call_unhold(a->ua, s);
	if (rc < 0) {
		emit_error(s, cmd, sl_strerror(rc));
		return;
	}
	c = agent_find(a, s);
	if (c) {
		c->watch_hold = hold;
		c->watch_until = now_ms() + 10000;
	}
}

static void cmd_message(struct agent *a, char *rest)
{
	char *uri = next_word(&rest);
	struct evout *e;
	int rc;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (!uri || !*rest) {
		emit_error(0, "message", "usage: message URI TEXT");
		return;
	}
	rc = sl_ua_send_message(a->ua, uri, "text/plain;charset=UTF-8", rest,
				strlen(rest));
	if (rc < 0) {
		emit_error(0, "message", rc == SL_EUNSUPP ? "unsupported" :
			   sl_strerror(rc));
		return;
	}
	e = ev_begin("message-sent");
	ev_int(e, "id", rc);
	ev_str(e, "to", uri);
	ev_end(e);
}

static void cmd_dtmf(struct agent *a, const char *digits, const char *arg)
{
	int s, rc;
	struct evout *e;

	if (!digits) {
		emit_error(0, "dtmf", "usage: dtmf DIGITS [SESSION]");
		return;
	}
	s = pick(a, "dtmf", arg, 0);
	if (!s)
		return;
	rc = sl_call_send_dtmf(a->ua, s, digits, SL_DTMF_DEFAULT);
	if (rc < 0) {
		emit_error(s, "dtmf", sl_strerror(rc));
		return;
	}
	e = ev_begin("dtmf-sent");
	ev_int(e, "session", s);
	ev_str(e, "digits", digits);
	ev_str(e, "method", a->o.dtmf_info ? "info" : "rfc4733");
	ev_end(e);
}

static void cmd_hangup(struct agent *a, const char *arg)
{
	int s;

	if (arg && !strcmp(arg, "all")) {
		int any = 0;

		for (unsigned i = 0; i < a->max_lines; i++) {
			s = a->calls[i].session;
			if (!s)
				continue;
			any = 1;
			check(s, "hangup", sl_call_hangup(a->ua, s));
		}
		if (!any)
			emit_error(0, "hangup", "no call");
		return;
	}
	s = pick(a, "hangup", arg, 0);
	if (s)
		check(s, "hangup", sl_call_hangup(a->ua, s));
}

static void cmd_reject(struct agent *a, const char *code_s, const char *arg)
{
	long code = 486;
	int s;

	if (code_s && parse_int(code_s, 400, 699, &code) < 0) {
		emit_error(0, "reject", "the code must be 400-699");
		return;
	}
	s = pick(a, "reject", arg, 1);
	if (s)
		check(s, "reject", sl_call_reject(a->ua, s, (int)code));
}

static void cmd_register(struct agent *a, int on)
{
	int rc;

	if (!a->have_registrar) {
		emit_error(0, on ? "register" : "unregister",
			   "no --registrar");
		return;
	}
	if (on) {
		check(0, "register", sl_ua_register(a->ua));
		return;
	}
	rc = sl_ua_unregister(a->ua, 0);
	if (rc == 0 || rc == SL_ETIMEOUT)
		a->unreg_pending = 1;
	else
		emit_error(0, "unregister", rc == SL_ESTATE ?
			   "not registered" : sl_strerror(rc));
}

/* sleep and wait: only a script can pause. */
static void cmd_pause(struct agent *a, const char *cmd, const char *arg,
		      const char *arg2, int from_script)
{
	struct script *sc = a->script;
	uint64_t ms;

	if (!from_script || !sc) {
		emit_error(0, cmd, "only in a --script file");
		return;
	}
	if (!strcmp(cmd, "sleep")) {
		if (parse_ms(arg, &ms) < 0) {
			emit_error(0, cmd, "usage: sleep SECONDS");
			return;
		}
		sc->resume_at = now_ms() + ms;
		return;
	}
	ms = WAIT_DEFAULT_MS;
	if (!arg || strlen(arg) >= NAME_MAX_LEN ||
	    (arg2 && parse_ms(arg2, &ms) < 0)) {
		emit_error(0, cmd, "usage: wait EVENT [SECONDS]");
		return;
	}
	/* Seen since the previous command: done already. */
	for (unsigned i = 0; i < sc->n_seen; i++) {
		if (strcmp(sc->seen[i], arg))
			continue;
		memmove(sc->seen[i], sc->seen[i + 1],
			(sc->n_seen - i - 1) * NAME_MAX_LEN);
		sc->n_seen--;
		return;
	}
	snprintf(sc->wait_name, sizeof(sc->wait_name), "%s", arg);
	sc->wait_until = now_ms() + ms;
	sc->waiting = 1;
}

void run_command(struct agent *a, char *line, int from_script)
{
	char *p = line, *cmd, *arg, *arg2;
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	cmd = next_word(&p);
	if (!cmd || cmd[0] == '#')
		return;
	if (from_script && a->script && strcmp(cmd, "wait"))
		a->script->n_seen = 0;
	if (!strcmp(cmd, "message")) {
		cmd_message(a, p);
		return;
	}
	if (!strcmp(cmd, "call")) {
		arg = next_word(&p);
		if (!arg || next_word(&p))
			emit_error(0, cmd, "usage: call URI");
		else
			agent_call(a, arg, 0);
		return;
	}
	arg = next_word(&p);
	arg2 = arg ? next_word(&p) : NULL;
	if (next_word(&p)) {
		emit_error(0, cmd, "too many arguments");
		return;
	}
	if (!strcmp(cmd, "answer")) {
		int s = arg2 ? 0 : pick(a, cmd, arg, 1);

		if (arg2)
			emit_error(0, cmd, "usage: answer [SESSION]");
		else if (s)
			check(s, cmd, sl_call_answer(a->ua, s, 0));
	} else if (!strcmp(cmd, "reject")) {
		cmd_reject(a, arg, arg2);
	} else if (!strcmp(cmd, "hangup")) {
		cmd_hangup(a, arg);
	} else if (!strcmp(cmd, "hold") || !strcmp(cmd, "unhold")) {
		cmd_hold(a, cmd, arg, !strcmp(cmd, "hold"));
	} else if (!strcmp(cmd, "dtmf")) {
		cmd_dtmf(a, arg, arg2);
	} else if (!strcmp(cmd, "register") || !strcmp(cmd, "unregister")) {
		cmd_register(a, !strcmp(cmd, "register"));
	} else if (!strcmp(cmd, "stats")) {
		cmd_stats(a, arg);
	} else if (!strcmp(cmd, "lines")) {
		cmd_lines(a);
	} else if (!strcmp(cmd, "quit") || !strcmp(cmd, "exit")) {
		agent_stop(a);
	} else if (!strcmp(cmd, "help")) {
		struct evout *e = ev_begin("help");

		ev_str(e, "commands", help_text);
		ev_end(e);
	} else if (!strcmp(cmd, "sleep") || !strcmp(cmd, "wait")) {
		cmd_pause(a, cmd, arg, arg2, from_script);
	} else {
		emit_error(0, cmd, "unknown command (try help)");
	}
}

/* ---- script files ---- */

int script_open(struct agent *a, const char *path)
{
	struct script *sc;
	FILE *f = fopen(path, "r");
	char line[LINE_MAX_LEN];

	if (!f) {
		fprintf(stderr, AGENT_NAME ": --script %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		goto oom;
	a->script = sc;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		char **nl;

		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		else if (!feof(f)) {
			fprintf(stderr, AGENT_NAME ": --script %s: line %zu "
				"too long\n", path, sc->n + 1);
			fclose(f);
			return -1;
		}
		if (sc->n >= SCRIPT_MAX_LINES) {
			fprintf(stderr, AGENT_NAME ": --script %s: too many "
				"lines\n", path);
			fclose(f);
			return -1;
		}
		nl = realloc(sc->lines, (sc->n + 1) * sizeof(*nl));
		if (!nl)
			goto oom;
		sc->lines = nl;
		sc->lines[sc->n] = strdup(line);
		if (!sc->lines[sc->n])
			goto oom;
		sc->n++;
	}
	fclose(f);
	return 0;
oom:
	fclose(f);
	fprintf(stderr, AGENT_NAME ": out of memory\n");
	return -1;
}

void script_close(struct agent *a)
{
	struct script *sc = a->script;

	if (!sc)
		return;
	for (size_t i = 0; i < sc->n; i++)
		free(sc->lines[i]);
	free(sc->lines);
	free(sc);
	a->script = NULL;
}

void script_event(void *arg, const char *name)
{
	struct agent *a = arg;
	struct script *sc = a->script;

	if (!sc)
		return;
	if (sc->waiting && !strcmp(sc->wait_name, name)) {
		sc->waiting = 0;
		return;
	}
	if (sc->n_seen == SEEN_MAX) {
		memmove(sc->seen[0], sc->seen[1],
			(SEEN_MAX - 1) * NAME_MAX_LEN);
		sc->n_seen--;
	}
	snprintf(sc->seen[sc->n_seen++], NAME_MAX_LEN, "%s", name);
}

void script_tick(struct agent *a, uint64_t t, uint64_t *next)
{
	struct script *sc = a->script;

	while (sc->idx < sc->n && !a->stopping) {
		if (sc->resume_at) {
			if (t < sc->resume_at) {
				if (*next > sc->resume_at)
					*next = sc->resume_at;
				return;
			}
			sc->resume_at = 0;
		}
		if (sc->waiting) {
			if (t < sc->wait_until) {
				if (*next > sc->wait_until)
					*next = sc->wait_until;
				return;
			}
			sc->waiting = 0;
			emit_error(0, "wait", "timed out");
		}
		run_command(a, sc->lines[sc->idx++], 1);
		t = now_ms();
	}
}

/* ---- standard input ---- */

void input_read(struct agent *a)
{
	for (;;) {
		ssize_t n = read(a->stdin_fd, a->inbuf + a->inlen,
				 sizeof(a->inbuf) - 1 - a->inlen);
		char *nl;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			/* End of input: on a terminal that means "quit";
			 * a pipe or file that ends just has no more. */
			a->stdin_fd = -1;
			if (a->inlen) {
				a->inbuf[a->inlen] = '\0';
				a->inlen = 0;
				run_command(a, a->inbuf, 0);
			}
			if (a->stdin_tty)
				agent_stop(a);
			return;
		}
		a->inlen += (size_t)n;
		while ((nl = memchr(a->inbuf, '\n', a->inlen))) {
			size_t len = (size_t)(nl - a->inbuf);

			*nl = '\0';
			run_command(a, a->inbuf, 0);
			memmove(a->inbuf, nl + 1, a->inlen - len - 1);
			a->inlen -= len + 1;
		}
		if (a->inlen == sizeof(a->inbuf) - 1) {
			emit_error(0, "input", "line too long");
			a->inlen = 0;
		}
	}
}
