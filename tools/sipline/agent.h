/*
 * tools/sipline/agent.h: what the files of the sipline command-line agent
 * share - its options, its state, and the functions each file offers.
 *
 * The agent uses only the public API (include/sipline/). Its threads:
 *  - main: parses the flags, creates the UA (which runs its own loop
 *    thread, SL_RUN_THREAD, with events queued: SL_EVENTS_QUEUE), then
 *    runs one poll loop over the UA's event fd, the signal fd, standard
 *    input and the script's timers. Every event is printed and acted on
 *    here, so the agent's state needs no locking;
 *  - the recorder's writer thread (record.c), which drains the per-call
 *    rings the media thread's audio callback fills;
 *  - the library's own loop and media threads.
 *
 * Owns: nothing itself (a header).
 * Thread: see above.
 */
#ifndef SIPLINE_AGENT_H
#define SIPLINE_AGENT_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/call.h"
#include "sipline/ua.h"

#define AGENT_NAME "sipline"

#define NEVER UINT64_MAX

enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,         /* a call, the registration, a load run */
	EXIT_USAGE = 2,          /* bad flags */
	SHUTDOWN_WAIT_MS = 3000, /* calls and unregistration, after quit */
	DESTROY_WAIT_MS = 1000,  /* sl_ua_destroy() after that */
	LINE_MAX_LEN = 4096,     /* one command line */
	PENDING_MAX = 16         /* calls placed whose line is not known */
};

/* struct agent_opts - the command line, as flags.c parsed it. Strings
 * point into argv. */
struct agent_opts {
	struct sl_listen listen[SL_UA_MAX_LISTEN];
	unsigned n_listen;
	int transport;                 /* enum sl_transport; -1: default */
	const char *user, *display_name, *auth_user, *password, *domain;
	const char *registrar, *outbound_proxy;
	unsigned expires;              /* 0: the library's default */
	const char *tls_ca, *tls_cert;
	int no_tls_verify;
	int auto_answer;
	unsigned answer_delay_ms;
	int answer_code;               /* 0: 200 */
	const char *call;
	int64_t hangup_after_ms;       /* -1: never */
	const char *play;
	int play_loop;
	const char *record;
	int record_dir;                /* @record names a directory */
	char codecs[256];              /* "" = the library's default */
	unsigned ptime_ms;             /* 0: default */
	unsigned rtp_lo, rtp_hi;       /* 0: default */
	const char *audio_device;      /* NULL: virtual */
	const char *dtmf;
	int dtmf_info;
	unsigned calls;                /* load mode when > 0 */
	double cps;                    /* calls per second (load mode) */
	unsigned max_lines;            /* 0: default */
	int json;
	int log_level;                 /* -1: default */
	const char *log_file;
	const char *script;
	int no_media;                  /* signalling only */
};

/* flags.c */

/**
 * agent_parse_flags() - reads argv into @o.
 * Return: 0 to run; 1 when the agent is done already (--help,
 * --version, --audio-device list printed what was asked: exit 0); -1
 * after printing the reason and the usage to stderr (exit 2).
 */
int agent_parse_flags(int argc, char **argv, struct agent_opts *o);

/** agent_config() - the UA configuration and account from @o. */
void agent_config(const struct agent_opts *o, struct sl_ua_config *cfg,
		  struct sl_account *acc, int noninteractive);

/* output.c: one event per line on stdout, flushed at once. */

struct evout;

void out_set_json(int json);

/** out_set_listener() - @fn is told the name of every event printed
 * (a script may wait for one). */
void out_set_listener(void (*fn)(void *arg, const char *name), void *arg);

/** ev_begin() - starts event @name; the fields follow, ev_end() prints
 * the line. Only one event is built at a time (main thread). */
struct evout *ev_begin(const char *name);
void ev_str(struct evout *e, const char *key, const char *val);
void ev_strn(struct evout *e, const char *key, const char *val,
	     size_t len);
void ev_int(struct evout *e, const char *key, long long val);
void ev_dbl(struct evout *e, const char *key, double val);
/** ev_json() - @key with a JSON value given as text (an array, an
 * object); in text mode printed as it is. */
void ev_json(struct evout *e, const char *key, const char *json);
/** ev_splice() - the members of the JSON object @obj (the library's
 * statistics) become fields of the event. */
void ev_splice(struct evout *e, const char *obj, size_t len);
void ev_end(struct evout *e);

/** emit_error() - an "error" event: @what failed for @why. */
void emit_error(int session, const char *what, const char *why);

/** json_get() - the value of member @key in the flat JSON object @obj
 * (a string without its quotes, or a number), copied to @out.
 * Return: 0, or -1 when @key is missing. */
int json_get(const char *obj, size_t len, const char *key, char *out,
	     size_t cap);

/* record.c: per-call WAV recordings. */

struct rec;

/** rec_init() - starts the writer thread for @max_lines recorders.
 * Return: 0 or -1 (reason printed). */
int rec_init(unsigned max_lines);

/** rec_attach() - records what @session receives into @path (a file
 * that is created or truncated). Return: 0, or -1 (error event). */
int rec_attach(struct sl_ua *ua, unsigned line, int session,
	       const char *path);

/** rec_finish() - stops recording @line's call and completes its WAV
 * file; returns only when the file is whole. Nothing to do: no-op.
 * @path_out gets the file name (may be NULL). Return: samples written
 * (>= 0), or -1 when nothing was recorded on @line. */
long rec_finish(unsigned line, char *path_out, size_t cap,
		unsigned *rate_out);

/** rec_busy() - a recording to @path is under way. */
int rec_busy(const char *path);

void rec_shutdown(void);

/* signals.c */

/** signals_init() - blocks SIGINT, SIGTERM (and ignores SIGPIPE) in
 * every thread started afterwards, and returns an fd readable when one
 * arrives. Return: fd, or -1. */
int signals_init(void);

/** signals_read() - the signal number waiting on @fd, or 0. */
int signals_read(int fd);

/* main.c: the agent's state, shared by the event and command code. */

/* One call the agent looks after, kept in the slot of its line. */
struct acall {
	int session;                   /* 0: free */
	int incoming;
	int answered;
	int connected;
	int media;                     /* media started */
	int load;                      /* placed by the load run */
	int ended;                     /* closed (the slot is free) */
	char codec[32];
	char remote_rtp[64];
	uint64_t answer_at;            /* auto-answer due */
	uint64_t hangup_at;            /* --hangup-after due */
	uint64_t watch_until;          /* hold/unhold outcome watched */
	int watch_hold;                /* 1: waiting to be held, 0: unheld */
	int dtmf_done;
	int recording;
};

struct script;

struct agent {
	struct agent_opts o;
	struct sl_ua *ua;
	unsigned max_lines;
	struct acall *calls;           /* [max_lines], by line */
	int last_session;              /* most recent call */
	/* Calls that ended before sl_call_line() could name their line
	 * (a refusal on 127.0.0.1 is that fast): adopted by their first
	 * event, which carries the line. */
	struct {
		int session;
		int load;
	} pending[PENDING_MAX];
	unsigned n_pending;
	int noninteractive;            /* no one drives: failures exit */
	int have_registrar;
	char aor[300];                 /* sip:user@domain */
	int registered;
	int reg_failed;
	int unreg_pending;

	/* the --call task */
	int task_session;              /* the --call call; 0: not yet */
	int task_started;
	int task_done;

	/* the load run */
	unsigned attempted, answered, failed, closed_load;
	uint64_t load_start_ms;
	uint64_t next_call_ms;
	int summary_done;

	/* input */
	struct script *script;
	int stdin_fd;                  /* -1: not read (any more) */
	char inbuf[LINE_MAX_LEN];
	size_t inlen;
	int stdin_tty;

	/* ending */
	int stopping;
	uint64_t stop_deadline;
	int exit_code;
	char fail_why[256];
};

uint64_t now_ms(void);

/** agent_fail() - the run failed (exit 1), for @why (the first reason
 * stands; printed as one line on stderr at exit). */
void agent_fail(struct agent *a, const char *why);

/** agent_stop() - begins an orderly end: calls hung up, registration
 * removed, then the loop leaves (bounded by SHUTDOWN_WAIT_MS). */
void agent_stop(struct agent *a);

/** agent_call() - places a call to @uri; the "calling" event names its
 * session. Return: the session, or a negative sl_err (error event). */
int agent_call(struct agent *a, const char *uri, int load);

struct acall *agent_find(struct agent *a, int session);

/* events.c */

/** on_event() - prints @ev and does what it calls for. */
void on_event(struct agent *a, const struct sl_event *ev);

/** call_timers() - runs the per-call actions that are due at @t and
 * lowers *@next to the next one. */
void call_timers(struct agent *a, uint64_t t, uint64_t *next);

/** call_record() - starts --record for call @c on @line. */
void call_record(struct agent *a, struct acall *c, int line);

/** emit_stats_now() - a stats event for @session from sl_call_stats(). */
int emit_stats_now(struct agent *a, int session);

/* load.c */

void load_tick(struct agent *a, uint64_t t, uint64_t *next);
void load_closed(struct agent *a, const struct acall *c, int ok);
void load_summary(struct agent *a);
/** load_finished() - every call was placed and has ended. */
int load_finished(const struct agent *a);

/* commands.c */

/** script_open() - reads the script @path. Return: 0 or -1 (printed). */
int script_open(struct agent *a, const char *path);

/** script_close() - frees the script (none: nothing). */
void script_close(struct agent *a);

/** script_tick() - runs the script's commands that are due; lowers
 * *@next to when it goes on. */
void script_tick(struct agent *a, uint64_t t, uint64_t *next);

/** script_event() - event @name was printed (a script may wait for
 * it); an out_set_listener() function, @arg the agent. */
void script_event(void *arg, const char *name);

/** input_read() - reads what waits on standard input and runs each
 * complete line. */
void input_read(struct agent *a);

/** run_command() - runs one command line (@line, NUL-terminated, no
 * newline); @from_script allows sleep and wait. */
void run_command(struct agent *a, char *line, int from_script);

#endif /* SIPLINE_AGENT_H */
