/*
 * tools/sipline/events.c: the library's events as the agent's events
 * (names and fields are a contract, issue 6), and what the agent does on
 * each: auto-answer, --hangup-after, --dtmf, recordings, the --call task
 * and the load run's bookkeeping.
 *
 * Library event            agent event (fields besides event, t)
 *  SL_EV_REGISTERED         registered (aor, expires, code)
 *  SL_EV_REGISTRATION_FAILED registration-failed (code, reason)
 *  SL_EV_UNREGISTERED       unregistered (code, reason)
 *  SL_EV_INCOMING           incoming (session, line, from, from_display,
 *                           to, call_id, codecs)
 *  SL_EV_RINGING            ringing (session, code)
 *  SL_EV_PROGRESS           early-media (session, code) when the 183
 *                           has SDP, else ringing
 *  SL_EV_ANSWERED           answered (session, code, codec, remote_rtp
 *                           from the negotiated SDP)
 *  SL_EV_MEDIA_STARTED      media-started (session, codec, payload_type,
 *                           remote_rtp)
 *  SL_EV_CONNECTED          connected (session)
 *  SL_EV_UPDATED            updated (session, direction)
 *  SL_EV_REMOTE_HOLD        held (session, by=remote, direction)
 *  SL_EV_DTMF               dtmf (session, digit, method, duration_ms)
 *  SL_EV_INFO               info (session, content_type, body)
 *  SL_EV_MESSAGE            message (from, to, content_type, body)
 *  SL_EV_REQUEST_RESULT     message-result (id, code, reason)
 *  SL_EV_MEDIA_STATS        stats (session, codec, rx_packets, lost,
 *                           jitter_ms, mos, and the rest of
 *                           sl_call_stats_json())
 *  SL_EV_MEDIA_TIMEOUT      media-timeout (session, reason)
 *  SL_EV_CLOSED             closed (session, reason, code, detail,
 *                           recording)
 * answered is printed at once with the codec and RTP address the SDP
 * negotiated; the stream reports itself a few ms later in media-started
 * (codec, payload_type, and remote_rtp again, latched if it moved).
 * closed reasons are remote-bye, local-bye, cancelled, rejected and
 * error; the library's finer ones (no-ack, session-timer, transport,
 * timeout) are reported as error with detail naming them.
 *
 * Owns: nothing (struct agent is main.c's).
 * Thread: main thread.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "agent.h"
#include "sipline/error.h"
#include "sipline/media.h"

enum {
	WATCH_MS = 10000,        /* a hold/unhold re-INVITE's outcome */
	WATCH_POLL_MS = 20
};

/* The first negotiated audio codec that carries audio. */
static const char *first_codec(const struct sl_event *ev)
{
	for (unsigned i = 0; i < ev->n_audio_codecs &&
	     i < SL_EVENT_MAX_CODECS; i++) {
		const char *c = ev->audio_codecs[i];

		if (c && strcasecmp(c, "telephone-event") &&
		    strcasecmp(c, "CN"))
			return c;
	}
	return NULL;
}

static void add_codecs(struct evout *e, const struct sl_event *ev)
{
	char list[256];
	size_t len = 0;

	list[0] = '\0';
	for (unsigned i = 0; i < ev->n_audio_codecs &&
	     i < SL_EVENT_MAX_CODECS; i++) {
		int n;

		if (!ev->audio_codecs[i])
			continue;
		n = snprintf(list + len, sizeof(list) - len, "%s%s",
			     len ? "," : "", ev->audio_codecs[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - len)
			break;
		len += (size_t)n;
	}
	if (len)
		ev_str(e, "codecs", list);
}

static void send_dtmf(struct agent *a, struct acall *c)
{
	struct evout *e;
	int rc;

	c->dtmf_done = 1;
	rc = sl_call_send_dtmf(a->ua, c->session, a->o.dtmf, SL_DTMF_DEFAULT);
	if (rc < 0) {
		emit_error(c->session, "dtmf", sl_strerror(rc));
		return;
	}
	e = ev_begin("dtmf-sent");
	ev_int(e, "session", c->session);
	ev_str(e, "digits", a->o.dtmf);
	ev_str(e, "method", a->o.dtmf_info ? "info" : "rfc4733");
	ev_end(e);
}

/* The recording file of a new call, or NULL for none. */
static const char *record_path(struct agent *a, int session, char *buf,
			       size_t cap)
{
	if (!a->o.record)
		return NULL;
	if (a->o.record_dir) {
		snprintf(buf, cap, "%s/call-%d.wav", a->o.record, session);
		return buf;
	}
	/* One file holds one call at a time: a second call at once is not
	 * recorded (the next one after it rewrites the file). */
	if (rec_busy(a->o.record))
		return NULL;
	snprintf(buf, cap, "%s", a->o.record);
	return buf;
}

void call_record(struct agent *a, struct acall *c, int line)
{
	char path[256];
	const char *p = record_path(a, c->session, path, sizeof(path));

	if (p && rec_attach(a->ua, (unsigned)line, c->session, p) == 0)
		c->recording = 1;
}

/* The agent's record of @ev's call; a pending outgoing call (main.c,
 * agent_call()) is adopted into its line's slot here. */
static struct acall *slot(struct agent *a, const struct sl_event *ev)
{
	struct acall *c;

	if (ev->line < 0 || (unsigned)ev->line >= a->max_lines)
		return NULL;
	c = &a->calls[ev->line];
	if (c->session == ev->session)
		return c;
	if (c->session)
		return NULL;
	for (unsigned i = 0; i < a->n_pending; i++) {
		if (a->pending[i].session != ev->session)
			continue;
		memset(c, 0, sizeof(*c));
		c->session = ev->session;
		c->load = a->pending[i].load;
		c->answer_at = c->hangup_at = c->watch_until = NEVER;
		a->pending[i] = a->pending[--a->n_pending];
		return c;
	}
	return NULL;
}

static void on_incoming(struct agent *a, const struct sl_event *ev)
{
	struct acall *c;
	struct evout *e = ev_begin("incoming");

	ev_int(e, "session", ev->session);
	ev_int(e, "line", ev->line);
	ev_str(e, "from", ev->from);
	if (ev->from_display && *ev->from_display)
		ev_str(e, "from_display", ev->from_display);
	ev_str(e, "to", ev->to);
	ev_str(e, "call_id", ev->call_id);
	add_codecs(e, ev);
	ev_end(e);
	if (ev->line < 0 || (unsigned)ev->line >= a->max_lines)
		return;
	c = &a->calls[ev->line];
	memset(c, 0, sizeof(*c));
	c->session = ev->session;
	c->incoming = 1;
	c->answer_at = c->hangup_at = c->watch_until = NEVER;
	a->last_session = ev->session;
	if (a->stopping) {
		sl_call_reject(a->ua, ev->session, 480);
		return;
	}
	call_record(a, c, ev->line);
	if (a->o.auto_answer && a->o.answer_code != 180 &&
	    a->o.answer_code != 183)
		c->answer_at = now_ms() + a->o.answer_delay_ms;
}

static void on_answered(struct agent *a, const struct sl_event *ev)
{
	struct acall *c = slot(a, ev);
	const char *codec = first_codec(ev);
	struct evout *e = ev_begin("answered");

	ev_int(e, "session", ev->session);
	if (ev->code)
		ev_int(e, "code", ev->code);
	if (codec)
		ev_str(e, "codec", codec);
	if (c && c->media && c->remote_rtp[0])
		ev_str(e, "remote_rtp", c->remote_rtp);
	else if (ev->remote_rtp)
		ev_str(e, "remote_rtp", ev->remote_rtp);
	ev_end(e);
	if (!c)
		return;
	c->answered = 1;
	if (codec)
		snprintf(c->codec, sizeof(c->codec), "%s", codec);
	if (c->load)
		a->answered++;
	if (a->o.hangup_after_ms >= 0)
		c->hangup_at = now_ms() + (uint64_t)a->o.hangup_after_ms;
}

static void on_connected(struct agent *a, const struct sl_event *ev)
{
	struct acall *c = slot(a, ev);
	struct evout *e = ev_begin("connected");

	ev_int(e, "session", ev->session);
	ev_end(e);
	if (!c)
		return;
	c->connected = 1;
	/* INFO needs no media; RFC 4733 waits for the stream. */
	if (a->o.dtmf && !c->dtmf_done && (a->o.dtmf_info || a->o.no_media))
		send_dtmf(a, c);
}

static void on_media_started(struct agent *a, const struct sl_event *ev)
{
	struct acall *c = slot(a, ev);
	struct evout *e = ev_begin("media-started");

	ev_int(e, "session", ev->session);
	ev_str(e, "codec", ev->codec);
	ev_int(e, "payload_type", ev->payload_type);
	ev_str(e, "remote_rtp", ev->remote_rtp);
	ev_end(e);
	if (!c)
		return;
	c->media = 1;
	snprintf(c->codec, sizeof(c->codec), "%s", ev->codec ? ev->codec :
		 "");
	snprintf(c->remote_rtp, sizeof(c->remote_rtp), "%s",
		 ev->remote_rtp ? ev->remote_rtp : "");
	if (a->o.dtmf && !c->dtmf_done && c->answered)
		send_dtmf(a, c);
}

/* The contract's reasons; the library's finer ones go in "detail". */
static const char *close_reason(enum sl_close_reason r)
{
	switch (r) {
	case SL_CLOSE_REMOTE_BYE:
	case SL_CLOSE_LOCAL_BYE:
	case SL_CLOSE_CANCELLED:
	case SL_CLOSE_REJECTED:
		return sl_close_reason_name(r);
	default:
		return "error";
	}
}

static void on_closed(struct agent *a, const struct sl_event *ev)
{
	struct acall *c = slot(a, ev);
	const char *reason = close_reason(ev->close_reason);
	int by_bye = ev->close_reason == SL_CLOSE_REMOTE_BYE ||
		     ev->close_reason == SL_CLOSE_LOCAL_BYE;
	char path[256];
	unsigned rate = 0;
	long samples = -1;
	struct evout *e;

	/* The file is whole before anyone reads "closed". */
	if (c && c->recording)
		samples = rec_finish((unsigned)ev->line, path, sizeof(path),
				     &rate);
	e = ev_begin("closed");
	ev_int(e, "session", ev->session);
	ev_str(e, "reason", reason);
	if (ev->code)
		ev_int(e, "code", ev->code);
	/* The library's finer reason, or its explanation when no SIP
	 * response was involved; the reason phrase when one was. */
	if (strcmp(reason, sl_close_reason_name(ev->close_reason)))
		ev_str(e, "detail", sl_close_reason_name(ev->close_reason));
	else if (!ev->code && ev->reason && *ev->reason &&
		 strcmp(ev->reason, reason))
		ev_str(e, "detail", ev->reason);
	if (ev->code && ev->reason && *ev->reason)
		ev_str(e, "sip_reason", ev->reason);
	if (samples >= 0) {
		ev_str(e, "recording", path);
		ev_dbl(e, "recorded_s", rate ? (double)samples / rate : 0);
	}
	ev_end(e);
	if (!c)
		return;
	if (c->load)
		load_closed(a, c, c->answered && by_bye);
	if (ev->session == a->task_session) {
		a->task_done = 1;
		if (!(c->answered && by_bye)) {
			char why[200];

			if (ev->code)
				snprintf(why, sizeof(why), "call failed: %s, "
					 "%d %s", reason, ev->code,
					 ev->reason ? ev->reason : "");
			else
				snprintf(why, sizeof(why), "call failed: %s "
					 "(%s)", reason, ev->reason &&
					 *ev->reason ? ev->reason :
					 sl_close_reason_name(
						 ev->close_reason));
			agent_fail(a, why);
		}
	}
	memset(c, 0, sizeof(*c));
}

static void on_registration(struct agent *a, const struct sl_event *ev)
{
	struct evout *e;

	switch (ev->type) {
	case SL_EV_REGISTERED:
		a->registered = 1;
		a->reg_failed = 0;
		e = ev_begin("registered");
		ev_str(e, "aor", a->aor);
		ev_int(e, "expires", ev->expires);
		ev_int(e, "code", ev->code);
		ev_end(e);
		return;
	case SL_EV_REGISTRATION_FAILED:
		a->registered = 0;
		a->reg_failed = 1;
		e = ev_begin("registration-failed");
		ev_str(e, "aor", a->aor);
		ev_int(e, "code", ev->code);
		ev_str(e, "reason", ev->reason);
		ev_end(e);
		if (a->noninteractive && !a->stopping) {
			char why[200];

			if (ev->code)
				snprintf(why, sizeof(why), "registration "
					 "failed: %d %s", ev->code,
					 ev->reason);
			else
				snprintf(why, sizeof(why), "registration "
					 "failed: %s", ev->reason);
			agent_fail(a, why);
			agent_stop(a);
		}
		return;
	default:
		a->registered = 0;
		a->unreg_pending = 0;
		e = ev_begin("unregistered");
		ev_str(e, "aor", a->aor);
		ev_int(e, "code", ev->code);
		ev_str(e, "reason", ev->reason);
		ev_end(e);
		return;
	}
}

static void on_simple(struct agent *a, const struct sl_event *ev)
{
	struct evout *e;

	switch (ev->type) {
	case SL_EV_RINGING:
	case SL_EV_PROGRESS:
		e = ev_begin(ev->type == SL_EV_PROGRESS && ev->early_media ?
			     "early-media" : "ringing");
		ev_int(e, "session", ev->session);
		if (ev->code)
			ev_int(e, "code", ev->code);
		ev_end(e);
		return;
	case SL_EV_UPDATED:
		e = ev_begin("updated");
		ev_int(e, "session", ev->session);
		ev_str(e, "direction", ev->direction);
		ev_end(e);
		return;
	case SL_EV_REMOTE_HOLD:
		e = ev_begin("held");
		ev_int(e, "session", ev->session);
		ev_str(e, "by", "remote");
		ev_str(e, "direction", ev->direction);
		ev_end(e);
		return;
	case SL_EV_FORWARDING:
		e = ev_begin("forwarding");
		ev_int(e, "session", ev->session);
		ev_int(e, "code", ev->code);
		ev_str(e, "reason", ev->reason);
		ev_end(e);
		return;
	case SL_EV_DTMF: {
		char d[2] = { ev->digit, '\0' };

		e = ev_begin("dtmf");
		ev_int(e, "session", ev->session);
		ev_str(e, "digit", d);
		ev_str(e, "method", ev->dtmf_method);
		ev_int(e, "duration_ms", ev->duration_ms);
		ev_end(e);
		return;
	}
	case SL_EV_INFO:
		e = ev_begin("info");
		ev_int(e, "session", ev->session);
		ev_str(e, "content_type", ev->content_type);
		ev_strn(e, "body", ev->body ? ev->body : "", ev->body_len);
		ev_end(e);
		return;
	case SL_EV_MESSAGE:
		e = ev_begin("message");
		ev_str(e, "from", ev->from);
		ev_str(e, "to", ev->to);
		ev_str(e, "content_type", ev->content_type);
		ev_strn(e, "body", ev->body ? ev->body : "", ev->body_len);
		ev_end(e);
		return;
	case SL_EV_REQUEST_RESULT:
		e = ev_begin("message-result");
		ev_int(e, "id", ev->request_id);
		ev_int(e, "code", ev->code);
		ev_str(e, "reason", ev->reason);
		ev_end(e);
		return;
	case SL_EV_MEDIA_TIMEOUT:
		e = ev_begin("media-timeout");
		ev_int(e, "session", ev->session);
		ev_str(e, "reason", ev->reason);
		ev_end(e);
		return;
	case SL_EV_MEDIA_STATS:
		e = ev_begin("stats");
		ev_int(e, "session", ev->session);
		ev_splice(e, ev->body, ev->body_len);
		ev_end(e);
		return;
	default:
		(void)a;
		return;
	}
}

void on_event(struct agent *a, const struct sl_event *ev)
{
	switch (ev->type) {
	case SL_EV_REGISTERED:
	case SL_EV_REGISTRATION_FAILED:
	case SL_EV_UNREGISTERED:
		on_registration(a, ev);
		return;
	case SL_EV_INCOMING:
		on_incoming(a, ev);
		return;
	case SL_EV_ANSWERED:
		on_answered(a, ev);
		return;
	case SL_EV_CONNECTED:
		on_connected(a, ev);
		return;
	case SL_EV_MEDIA_STARTED:
		on_media_started(a, ev);
		return;
	case SL_EV_CLOSED:
		on_closed(a, ev);
		return;
	case SL_EV_TRYING:
	case SL_EV_FAILURE:         /* closed follows, with the code */
	case SL_EV_REMOTE_UNHOLD:   /* updated (sendrecv) came before */
	case SL_EV_SIP_SENT:
	case SL_EV_SIP_RECEIVED:
	case SL_EV_DESTROYED:
		return;
	default:
		on_simple(a, ev);
		return;
	}
}

int emit_stats_now(struct agent *a, int session)
{
	char json[1024];
	struct evout *e;
	int rc = sl_call_stats_json(a->ua, session, json, sizeof(json));

	if (rc < 0)
		return rc;
	e = ev_begin("stats");
	ev_int(e, "session", session);
	ev_splice(e, json, (size_t)rc);
	ev_end(e);
	return 0;
}

/* A hold/unhold re-INVITE has no event of its own: its outcome shows in
 * the line's state, watched until WATCH_MS. */
static void watch(struct agent *a, struct acall *c, uint64_t t,
		  uint64_t *next)
{
	int line = sl_call_line(a->ua, c->session);
	int st = line >= 0 ? sl_line_state(a->ua, line) : line;
	struct evout *e;

	if (st < 0) {
		c->watch_until = NEVER;
		return;
	}
	if (c->watch_hold && st == SL_LINE_HELD) {
		e = ev_begin("held");
		ev_int(e, "session", c->session);
		ev_str(e, "by", "local");
		ev_end(e);
		c->watch_until = NEVER;
		return;
	}
	if (!c->watch_hold && (st == SL_LINE_CONNECTED ||
			       st == SL_LINE_REMOTE_HELD)) {
		e = ev_begin("updated");
		ev_int(e, "session", c->session);
		ev_str(e, "direction", st == SL_LINE_CONNECTED ? "sendrecv" :
		       "recvonly");
		ev_str(e, "by", "local");
		ev_end(e);
		c->watch_until = NEVER;
		return;
	}
	if (t >= c->watch_until) {
		emit_error(c->session, c->watch_hold ? "hold" : "unhold",
			   "the re-INVITE was not accepted");
		c->watch_until = NEVER;
		return;
	}
	if (*next > t + WATCH_POLL_MS)
		*next = t + WATCH_POLL_MS;
}

void call_timers(struct agent *a, uint64_t t, uint64_t *next)
{
	for (unsigned i = 0; i < a->max_lines; i++) {
		struct acall *c = &a->calls[i];
		int rc;

		if (!c->session)
			continue;
		if (c->answer_at <= t) {
			c->answer_at = NEVER;
			if (a->o.answer_code >= 400)
				rc = sl_call_reject(a->ua, c->session,
						    a->o.answer_code);
			else
				rc = sl_call_answer(a->ua, c->session, 0);
			if (rc < 0)
				emit_error(c->session, "answer",
					   sl_strerror(rc));
		}
		if (c->hangup_at <= t) {
			c->hangup_at = NEVER;
			rc = sl_call_hangup(a->ua, c->session);
			if (rc < 0 && rc != SL_ESTATE)
				emit_error(c->session, "hangup",
					   sl_strerror(rc));
		}
		if (c->watch_until != NEVER)
			watch(a, c, t, next);
		if (c->answer_at < *next)
			*next = c->answer_at;
		if (c->hangup_at < *next)
			*next = c->hangup_at;
	}
}
