/*
 * tools/sipline/load.c: the load run (--calls N --cps R --max-lines L):
 * N calls to --call URI, started R per second, at most L at once, each
 * hung up --hangup-after seconds after its answer (1 s by default), then
 * a "summary" event with attempted, answered and failed.
 *
 * A call failed when it was never answered or ended otherwise than by a
 * BYE (a rejection, a timeout, a transport error, no ACK...). Pacing is
 * by an absolute schedule (call k is due at start + k / R), so a slow
 * turn of the loop does not lower the rate; when every line is busy the
 * schedule waits, and once behind by more than a second it is moved up
 * rather than bursting to catch up.
 *
 * Owns: the counters in struct agent.
 * Thread: main thread.
 */
#include <stdio.h>

#include "agent.h"
#include "sipline/error.h"

enum {
	BUSY_RETRY_MS = 5,       /* every line busy: look again */
	MAX_BEHIND_MS = 1000
};

static unsigned active_calls(const struct agent *a)
{
	unsigned n = 0;

	for (unsigned i = 0; i < a->max_lines; i++)
		n += a->calls[i].session != 0;
	return n;
}

void load_tick(struct agent *a, uint64_t t, uint64_t *next)
{
	double gap = 1000.0 / a->o.cps;

	if (a->stopping || a->attempted >= a->o.calls)
		return;
	if (!a->load_start_ms) {
		a->load_start_ms = t;
		a->next_call_ms = t;
	}
	while (a->attempted < a->o.calls && t >= a->next_call_ms) {
		int rc;

		if (active_calls(a) >= a->max_lines) {
			if (*next > t + BUSY_RETRY_MS)
				*next = t + BUSY_RETRY_MS;
			return;
		}
		rc = agent_call(a, a->o.call, 1);
		if (rc == SL_ENOMEM) {
			/* The library's lines or transactions are all in
			 * use: not a failed call, a wait. */
			if (*next > t + BUSY_RETRY_MS)
				*next = t + BUSY_RETRY_MS;
			return;
		}
		a->attempted++;
		if (rc < 0) {
			a->failed++;
			a->closed_load++;
		}
		a->next_call_ms = a->load_start_ms +
				  (uint64_t)(gap * a->attempted);
		if (t > a->next_call_ms + MAX_BEHIND_MS)
			a->next_call_ms = t;
	}
	if (a->attempted < a->o.calls && *next > a->next_call_ms)
		*next = a->next_call_ms;
}

void load_closed(struct agent *a, const struct acall *c, int ok)
{
	(void)c;
	a->closed_load++;
	if (!ok)
		a->failed++;
}

int load_finished(const struct agent *a)
{
	return a->attempted >= a->o.calls && a->closed_load >= a->attempted;
}

void load_summary(struct agent *a)
{
	struct evout *e;
	uint64_t t = now_ms();
	double secs = a->load_start_ms ? (double)(t - a->load_start_ms) /
		      1000.0 : 0;
	/* Calls never placed (the run was stopped) count as failed. */
	unsigned missing = a->o.calls - a->attempted;

	a->summary_done = 1;
	e = ev_begin("summary");
	ev_int(e, "calls", a->o.calls);
	ev_int(e, "attempted", a->attempted);
	ev_int(e, "answered", a->answered);
	ev_int(e, "failed", a->failed);
	ev_dbl(e, "duration_s", secs);
	ev_dbl(e, "cps", a->o.cps);
	ev_end(e);
	if (a->failed || missing) {
		char why[128];

		snprintf(why, sizeof(why), "load run: %u of %u calls failed%s",
			 a->failed + missing, a->o.calls,
			 missing ? " or were never placed" : "");
		agent_fail(a, why);
	}
}
