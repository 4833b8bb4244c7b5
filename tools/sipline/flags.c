/*
 * tools/sipline/flags.c: the agent's command line (getopt_long) and how
 * it becomes the UA's configuration and account.
 *
 * The flag names are a contract (issue 6): scripts written for one
 * version keep working with the next, so flags are only ever added.
 * A bad flag prints the reason and the usage on stderr; the caller exits
 * with status 2.
 *
 * Owns: nothing (struct agent_opts points into argv).
 * Thread: main thread, before the UA exists.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "agent.h"
#include "sipline/device.h"
#include "sipline/error.h"
#include "sipline/log.h"
#include "sipline/media.h"
#include "sipline/version.h"

static const char usage_text[] =
	"usage: sipline [OPTIONS]\n"
	"\n"
	"A SIP user agent for the command line: registers, makes and answers\n"
	"calls, plays and records WAV files, and prints one event per line\n"
	"(--json: one JSON object per line). Commands come from standard\n"
	"input and --script FILE (type `help` for the list).\n"
	"\n"
	"Network and account:\n"
	"  --udp ADDR:PORT, --tcp ADDR:PORT, --tls ADDR:PORT\n"
	"                        listen there (repeatable; port 0: any free\n"
	"                        port; default --udp 0.0.0.0:5060)\n"
	"  --transport udp|tcp|tls  for outgoing requests\n"
	"  --user NAME           default \"sipline\"\n"
	"  --display-name TEXT, --auth-user NAME, --password SECRET\n"
	"  --domain DOMAIN       default: the registrar's or listen host\n"
	"  --registrar URI       register there at start\n"
	"  --expires S           registration lifetime (1-3600)\n"
	"  --outbound-proxy URI  send every request there\n"
	"  --tls-ca FILE, --tls-cert PEM (certificate and key),\n"
	"  --no-tls-verify\n"
	"Calls:\n"
	"  --auto-answer[=DELAY_MS]  answer incoming calls (after DELAY_MS)\n"
	"  --answer-code CODE    200 (answer), 180 (leave ringing) or\n"
	"                        400-699 (reject); implies --auto-answer\n"
	"  --call URI            call at start (after registering); the agent\n"
	"                        exits when that call ends: 0 when it was\n"
	"                        answered and ended by a BYE, else 1\n"
	"  --hangup-after S      hang up S seconds (decimals allowed) after\n"
	"                        a call was answered\n"
	"  --dtmf DIGITS         send DIGITS once a call's media runs\n"
	"  --dtmf-info           DTMF by SIP INFO instead of RFC 4733\n"
	"Media:\n"
	"  --play FILE.wav       send this file (virtual audio device)\n"
	"  --play-loop           start it over at its end\n"
	"  --record FILE.wav|DIR record what each call receives (DIR: one\n"
	"                        file per call, DIR/call-SESSION.wav)\n"
	"  --codecs LIST         e.g. PCMU,PCMA,G722,opus,L16/16000\n"
	"                        (telephone-event is added when missing)\n"
	"  --ptime MS            10-60, step 10\n"
	"  --rtp-ports LO-HI     RTP/RTCP port range\n"
	"  --audio-device virtual|null|list|ALSA-NAME[,ALSA-PLAYBACK]\n"
	"  --no-media            signalling only (SDP, no RTP)\n"
	"Load:\n"
	"  --calls N             place N calls to --call URI, then print a\n"
	"                        summary (exit 0 only with 0 failed)\n"
	"  --cps R               calls per second (default 10)\n"
	"  --max-lines N         simultaneous calls (1-1024)\n"
	"Output:\n"
	"  --json                one JSON object per event line\n"
	"  --log-level LEVEL     none, error, warn, info, debug, trace\n"
	"  --log-file FILE       library log there instead of stderr\n"
	"  --script FILE         run the commands in FILE\n"
	"  --help, --version\n"
	"\n"
	"Exit status: 0 success, 1 a failed call, registration or load run,\n"
	"2 bad flags.\n";

enum opt_id {
	OPT_UDP = 256, OPT_TCP, OPT_TLS, OPT_TRANSPORT, OPT_USER,
	OPT_DISPLAY, OPT_AUTH_USER, OPT_PASSWORD, OPT_DOMAIN, OPT_REGISTRAR,
	OPT_EXPIRES, OPT_PROXY, OPT_TLS_CA, OPT_TLS_CERT, OPT_NO_VERIFY,
	OPT_AUTO_ANSWER, OPT_ANSWER_CODE, OPT_CALL, OPT_HANGUP_AFTER,
	OPT_PLAY, OPT_PLAY_LOOP, OPT_RECORD, OPT_CODECS, OPT_PTIME,
	OPT_RTP_PORTS, OPT_AUDIO_DEVICE, OPT_DTMF, OPT_DTMF_INFO, OPT_CALLS,
	OPT_CPS, OPT_MAX_LINES, OPT_JSON, OPT_LOG_LEVEL, OPT_LOG_FILE,
	OPT_SCRIPT, OPT_NO_MEDIA, OPT_HELP, OPT_VERSION
};

static const struct option long_opts[] = {
	{ "udp", required_argument, NULL, OPT_UDP },
	{ "tcp", required_argument, NULL, OPT_TCP },
	{ "tls", required_argument, NULL, OPT_TLS },
	{ "transport", required_argument, NULL, OPT_TRANSPORT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "display-name", required_argument, NULL, OPT_DISPLAY },
	{ "auth-user", required_argument, NULL, OPT_AUTH_USER },
	{ "password", required_argument, NULL, OPT_PASSWORD },
	{ "domain", required_argument, NULL, OPT_DOMAIN },
	{ "registrar", required_argument, NULL, OPT_REGISTRAR },
	{ "expires", required_argument, NULL, OPT_EXPIRES },
	{ "outbound-proxy", required_argument, NULL, OPT_PROXY },
	{ "tls-ca", required_argument, NULL, OPT_TLS_CA },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "no-tls-verify", no_argument, NULL, OPT_NO_VERIFY },
	{ "auto-answer", optional_argument, NULL, OPT_AUTO_ANSWER },
	{ "answer-code", required_argument, NULL, OPT_ANSWER_CODE },
	{ "call", required_argument, NULL, OPT_CALL },
	{ "hangup-after", required_argument, NULL, OPT_HANGUP_AFTER },
	{ "play", required_argument, NULL, OPT_PLAY },
	{ "play-loop", no_argument, NULL, OPT_PLAY_LOOP },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "codecs", required_argument, NULL, OPT_CODECS },
	{ "ptime", required_argument, NULL, OPT_PTIME },
	{ "rtp-ports", required_argument, NULL, OPT_RTP_PORTS },
	{ "audio-device", required_argument, NULL, OPT_AUDIO_DEVICE },
	{ "dtmf", required_argument, NULL, OPT_DTMF },
	{ "dtmf-info", no_argument, NULL, OPT_DTMF_INFO },
	{ "calls", required_argument, NULL, OPT_CALLS },
	{ "cps", required_argument, NULL, OPT_CPS },
	{ "max-lines", required_argument, NULL, OPT_MAX_LINES },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "script", required_argument, NULL, OPT_SCRIPT },
	{ "no-media", no_argument, NULL, OPT_NO_MEDIA },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

static int bad(const char *flag, const char *val, const char *why)
{
	fprintf(stderr, AGENT_NAME ": --%s %s: %s\n", flag, val ? val : "",
		why);
	return -1;
}

static int parse_uint(const char *s, unsigned long lo, unsigned long hi,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* Seconds with up to three decimals ("6", "0.5") as milliseconds. */
static int parse_seconds_ms(const char *s, uint64_t max_s, int64_t *out)
{
	uint64_t whole = 0, frac = 0;
	unsigned nd = 0;
	const char *p = s;

	if (!s || *s < '0' || *s > '9')
		return -1;
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (uint64_t)(*p - '0');
		if (whole > max_s)
			return -1;
		p++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nd < 3) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				nd++;
			}
			p++;
		}
	}
	if (*p)
		return -1;
	while (nd < 3) {
		frac *= 10;
		nd++;
	}
	*out = (int64_t)(whole * 1000 + frac);
	return 0;
}

/* "ADDR:PORT" or "[V6]:PORT" into a listen entry. */
static int parse_listen(const char *s, enum sl_transport tp,
			struct agent_opts *o)
{
	struct sl_listen *l;
	const char *host = s, *colon;
	size_t hlen;
	unsigned long port;

	if (o->n_listen >= SL_UA_MAX_LISTEN)
		return -1;
	l = &o->listen[o->n_listen];
	memset(l, 0, sizeof(*l));
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -1;
		host = s + 1;
		hlen = (size_t)(rb - host);
		colon = rb + 1;
		l->ipv6 = 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			return -1;
		hlen = (size_t)(colon - s);
	}
	if (hlen >= sizeof(l->host) || parse_uint(colon + 1, 0, 65535,
						  &port) < 0)
		return -1;
	memcpy(l->host, host, hlen);
	l->host[hlen] = '\0';
	if (!strcmp(l->host, "0.0.0.0") || !strcmp(l->host, "*"))
		l->host[0] = '\0';
	if (!strcmp(l->host, "::")) {
		l->host[0] = '\0';
		l->ipv6 = 1;
	}
	l->transport = tp;
	l->port = (uint16_t)port;
	o->n_listen++;
	return 0;
}

static int parse_transport(const char *s)
{
	if (!strcasecmp(s, "udp"))
		return SL_TRANSPORT_UDP;
	if (!strcasecmp(s, "tcp"))
		return SL_TRANSPORT_TCP;
	if (!strcasecmp(s, "tls"))
		return SL_TRANSPORT_TLS;
	return -1;
}

/* A codec list: names, "/rate", commas; telephone-event appended so
 * RFC 4733 DTMF keeps working whatever the list. */
static int parse_codecs(const char *s, struct agent_opts *o)
{
	size_t n = strlen(s);
	const char *te = "telephone-event";
	int have_te = 0;

	if (!n || n >= sizeof(o->codecs))
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == ',' || c == '/' ||
		      c == '-' || c == '_' || c == '.'))
			return -1;
	}
	memcpy(o->codecs, s, n + 1);
	for (const char *p = s; (p = strstr(p, te)); p += strlen(te))
		if ((p == s || p[-1] == ',') &&
		    (p[strlen(te)] == '\0' || p[strlen(te)] == ','))
			have_te = 1;
	if (!have_te && n + 1 + strlen(te) < sizeof(o->codecs))
		snprintf(o->codecs + n, sizeof(o->codecs) - n, ",%s", te);
	return 0;
}

static int valid_dtmf(const char *s)
{
	if (!*s || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789*#ABCDabcd!", *s))
			return 0;
	return 1;
}

/* --audio-device list: every device of both drivers, as events. */
static void list_devices(void)
{
	static const char *const drivers[] = { "virtual", "alsa" };
	struct sl_audio_dev_info info[64];

	for (size_t d = 0; d < 2; d++) {
		int n = sl_audio_list(drivers[d], info, 64);

		if (n < 0) {
			struct evout *e = ev_begin("device");

			ev_str(e, "driver", drivers[d]);
			ev_str(e, "error", sl_strerror(n));
			ev_end(e);
			continue;
		}
		for (int i = 0; i < n && i < 64; i++) {
			struct evout *e = ev_begin("device");

			ev_str(e, "driver", drivers[d]);
			ev_int(e, "index", info[i].index);
			ev_str(e, "name", info[i].name);
			ev_str(e, "description", info[i].description);
			ev_int(e, "capture", info[i].capture);
			ev_int(e, "playback", info[i].playback);
			ev_int(e, "default", info[i].is_default);
			ev_end(e);
		}
	}
}

static int set_answer_code(const char *v, struct agent_opts *o)
{
	unsigned long code;

	if (parse_uint(v, 100, 699, &code) < 0 ||
	    (code != 200 && code != 180 && code != 183 && code < 400))
		return bad("answer-code", v, "200, 180, 183 or 400-699");
	o->answer_code = (int)code;
	o->auto_answer = 1;
	return 0;
}

/* One option; 1 when it ends the run happily, -1 on error. */
static int one_opt(int id, const char *v, struct agent_opts *o,
		   int *list_asked)
{
	unsigned long u;
	int64_t ms;
	int rc;

	switch (id) {
	case OPT_UDP:
	case OPT_TCP:
	case OPT_TLS:
		if (parse_listen(v, id == OPT_UDP ? SL_TRANSPORT_UDP :
				 id == OPT_TCP ? SL_TRANSPORT_TCP :
				 SL_TRANSPORT_TLS, o) < 0)
			return bad(id == OPT_UDP ? "udp" : id == OPT_TCP ?
				   "tcp" : "tls", v, "want ADDR:PORT "
				   "([V6]:PORT), at most 8 in all");
		return 0;
	case OPT_TRANSPORT:
		o->transport = parse_transport(v);
		return o->transport < 0 ? bad("transport", v,
					      "udp, tcp or tls") : 0;
	case OPT_USER: o->user = v; return 0;
	case OPT_DISPLAY: o->display_name = v; return 0;
	case OPT_AUTH_USER: o->auth_user = v; return 0;
	case OPT_PASSWORD: o->password = v; return 0;
	case OPT_DOMAIN: o->domain = v; return 0;
	case OPT_REGISTRAR: o->registrar = v; return 0;
	case OPT_PROXY: o->outbound_proxy = v; return 0;
	case OPT_TLS_CA: o->tls_ca = v; return 0;
	case OPT_TLS_CERT: o->tls_cert = v; return 0;
	case OPT_NO_VERIFY: o->no_tls_verify = 1; return 0;
	case OPT_EXPIRES:
		if (parse_uint(v, 1, 3600, &u) < 0)
			return bad("expires", v, "1-3600 seconds");
		o->expires = (unsigned)u;
		return 0;
	case OPT_AUTO_ANSWER:
		o->auto_answer = 1;
		if (v) {
			if (parse_uint(v, 0, 3600000, &u) < 0)
				return bad("auto-answer", v, "a delay in "
					   "milliseconds");
			o->answer_delay_ms = (unsigned)u;
		}
		return 0;
	case OPT_ANSWER_CODE:
		return set_answer_code(v, o);
	case OPT_CALL: o->call = v; return 0;
	case OPT_HANGUP_AFTER:
		if (parse_seconds_ms(v, 86400, &ms) < 0)
			return bad("hangup-after", v, "seconds, e.g. 6 or "
				   "0.5");
		o->hangup_after_ms = ms;
		return 0;
	case OPT_PLAY: o->play = v; return 0;
	case OPT_PLAY_LOOP: o->play_loop = 1; return 0;
	case OPT_RECORD: o->record = v; return 0;
	case OPT_CODECS:
		return parse_codecs(v, o) < 0 ? bad("codecs", v, "a comma-"
			"separated list of codec names") : 0;
	case OPT_PTIME:
		if (parse_uint(v, 10, 60, &u) < 0 || u % 10)
			return bad("ptime", v, "10-60 ms, a multiple of 10");
		o->ptime_ms = (unsigned)u;
		return 0;
	case OPT_RTP_PORTS: {
		const char *dash = strchr(v, '-');
		char lo[8];
		unsigned long h;

		if (!dash || (size_t)(dash - v) >= sizeof(lo))
			return bad("rtp-ports", v, "want LO-HI");
		memcpy(lo, v, (size_t)(dash - v));
		lo[dash - v] = '\0';
		if (parse_uint(lo, 1024, 65535, &u) < 0 ||
		    parse_uint(dash + 1, 1024, 65535, &h) < 0 || h < u + 1)
			return bad("rtp-ports", v, "want LO-HI, 1024-65535, "
				   "at least two ports");
		o->rtp_lo = (unsigned)u;
		o->rtp_hi = (unsigned)h;
		return 0;
	}
	case OPT_AUDIO_DEVICE:
		if (!*v || strlen(v) >= 200)
			return bad("audio-device", v, "a device name");
		o->audio_device = v;
		if (!strcmp(v, "list"))
			*list_asked = 1;
		return 0;
	case OPT_DTMF:
		if (!valid_dtmf(v))
			return bad("dtmf", v, "1-32 of 0-9 * # A-D !");
		o->dtmf = v;
		return 0;
	case OPT_DTMF_INFO: o->dtmf_info = 1; return 0;
	case OPT_CALLS:
		if (parse_uint(v, 1, 10000000, &u) < 0)
			return bad("calls", v, "1 or more");
		o->calls = (unsigned)u;
		return 0;
	case OPT_CPS: {
		char *end;
		double d;

		errno = 0;
		d = strtod(v, &end);
		if (errno || *end || end == v || !(d >= 0.01 && d <= 10000))
			return bad("cps", v, "0.01-10000 calls per second");
		o->cps = d;
		return 0;
	}
	case OPT_MAX_LINES:
		if (parse_uint(v, 1, 1024, &u) < 0)
			return bad("max-lines", v, "1-1024");
		o->max_lines = (unsigned)u;
		return 0;
	case OPT_JSON: o->json = 1; return 0;
	case OPT_LOG_LEVEL:
		rc = sl_log_level_parse(v);
		if (rc < 0)
			return bad("log-level", v, "none, error, warn, info, "
				   "debug or trace");
		o->log_level = rc;
		return 0;
	case OPT_LOG_FILE: o->log_file = v; return 0;
	case OPT_SCRIPT: o->script = v; return 0;
	case OPT_NO_MEDIA: o->no_media = 1; return 0;
	case OPT_HELP:
		fputs(usage_text, stdout);
		return 1;
	case OPT_VERSION:
		printf(AGENT_NAME " %s\n", sl_version());
		return 1;
	default:
		return -1;
	}
}

/* Combinations that make no sense. */
static int check_opts(struct agent_opts *o)
{
	struct stat st;

	if (o->calls && !o->call)
		return bad("calls", "", "needs --call URI (the target)");
	if (o->cps > 0 && !o->calls)
		return bad("cps", "", "only with --calls");
	if (o->play_loop && !o->play)
		return bad("play-loop", "", "needs --play FILE.wav");
	if (o->play) {
		FILE *f = fopen(o->play, "rb");

		if (!f)
			return bad("play", o->play, "cannot be read");
		fclose(f);
	}
	if (o->no_media && (o->play || o->record))
		return bad("no-media", "", "--play and --record need media");
	if (o->audio_device && strcmp(o->audio_device, "virtual") &&
	    strcmp(o->audio_device, "null") && o->play)
		return bad("play", o->play, "needs the virtual audio device "
			   "(not --audio-device ALSA)");
	if (o->record) {
		size_t n = strlen(o->record);

		if (!n || n > 200)
			return bad("record", o->record, "a file or folder "
				   "name");
		o->record_dir = stat(o->record, &st) == 0 &&
				S_ISDIR(st.st_mode);
		if (!o->record_dir && (n < 4 ||
		    strcasecmp(o->record + n - 4, ".wav")))
			return bad("record", o->record, "not a folder and "
				   "not a .wav file name");
	}
	if (o->tls_cert && strlen(o->tls_cert) >= 256)
		return bad("tls-cert", o->tls_cert, "path too long");
	return 0;
}

int agent_parse_flags(int argc, char **argv, struct agent_opts *o)
{
	int list_asked = 0;
	int id;

	memset(o, 0, sizeof(*o));
	o->transport = -1;
	o->hangup_after_ms = -1;
	o->log_level = -1;
	opterr = 0;
	while ((id = getopt_long(argc, argv, "", long_opts, NULL)) != -1) {
		int rc;

		if (id == '?') {
			if (optopt)
				fprintf(stderr, AGENT_NAME ": option needs a "
					"value or takes none: %s\n",
					argv[optind - 1]);
			else
				fprintf(stderr, AGENT_NAME ": unknown option "
					"%s\n", argv[optind - 1]);
			fputs(usage_text, stderr);
			return -1;
		}
		rc = one_opt(id, optarg, o, &list_asked);
		if (rc > 0)
			return 1;
		if (rc < 0) {
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, AGENT_NAME ": unexpected argument %s\n",
			argv[optind]);
		fputs(usage_text, stderr);
		return -1;
	}
	out_set_json(o->json);
	if (list_asked) {
		list_devices();
		return 1;
	}
	if (check_opts(o) < 0) {
		fputs(usage_text, stderr);
		return -1;
	}
	return 0;
}

/* The host of a SIP URI or "host[:port]": for the account's domain. */
static void uri_host(const char *uri, char *out, size_t cap)
{
	const char *p = uri, *at, *end;
	size_t n;

	if (!strncasecmp(p, "sips:", 5))
		p += 5;
	else if (!strncasecmp(p, "sip:", 4))
		p += 4;
	at = strchr(p, '@');
	if (at)
		p = at + 1;
	if (*p == '[') {
		end = strchr(p, ']');
		end = end ? end + 1 : p + strlen(p);
	} else {
		end = p + strcspn(p, ":;>?");
	}
	n = (size_t)(end - p);
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* Copies @s into @dst (cap bytes), cutting what does not fit: the
 * library then refuses a field that was cut at its NUL. */
static void copy(char *dst, size_t cap, const char *s)
{
	if (s)
		snprintf(dst, cap, "%s", s);
}

static void media_config(const struct agent_opts *o, struct sl_media_config *m)
{
	const char *dev = o->audio_device;

	m->enabled = !o->no_media;
	if (!dev || !strcmp(dev, "virtual") || !strcmp(dev, "null")) {
		copy(m->audio_driver, sizeof(m->audio_driver), "virtual");
		copy(m->capture_dev, sizeof(m->capture_dev), "null");
		copy(m->playback_dev, sizeof(m->playback_dev), "null");
	} else {
		const char *comma = strchr(dev, ',');

		copy(m->audio_driver, sizeof(m->audio_driver), "alsa");
		if (comma) {
			size_t n = (size_t)(comma - dev);

			if (n >= sizeof(m->capture_dev))
				n = sizeof(m->capture_dev) - 1;
			memcpy(m->capture_dev, dev, n);
			m->capture_dev[n] = '\0';
			copy(m->playback_dev, sizeof(m->playback_dev),
			     comma + 1);
		} else {
			copy(m->capture_dev, sizeof(m->capture_dev), dev);
			copy(m->playback_dev, sizeof(m->playback_dev), dev);
		}
	}
	if (o->play) {
		snprintf(m->capture_dev, sizeof(m->capture_dev), "wav:%s",
			 o->play);
		m->play_loop = o->play_loop;
	}
	/* --record is not the playback device: each call is written by
	 * the agent's own recorder (record.c), so the file is complete
	 * when the call's closed event is printed (a "wav:" playback
	 * device is only finished when the UA is destroyed). */
	if (o->ptime_ms)
		m->ptime_ms = o->ptime_ms;
	if (o->dtmf_info)
		m->dtmf_method = SL_DTMF_INFO;
	if (o->max_lines)
		m->max_streams = o->max_lines;
}

/* @uri asks for @tp ("transport=tcp", or "sips:" for TLS). */
static int uri_wants(const char *uri, enum sl_transport tp)
{
	const char *want = tp == SL_TRANSPORT_TCP ? "transport=tcp" :
			   "transport=tls";

	if (!uri)
		return 0;
	if (tp == SL_TRANSPORT_TLS && !strncasecmp(uri, "sips:", 5))
		return 1;
	for (const char *p = uri; *p; p++)
		if (!strncasecmp(p, want, strlen(want)))
			return 1;
	return 0;
}

/*
 * The library sends over a transport only when it listens on it too: a
 * TCP (or, with a certificate, TLS) socket on an ephemeral port is added
 * when --transport or one of the URIs asks for one that no --udp/--tcp/
 * --tls gave.
 */
static void add_needed_listeners(const struct agent_opts *o,
				 struct sl_ua_config *cfg)
{
	static const enum sl_transport tps[] = {
		SL_TRANSPORT_TCP, SL_TRANSPORT_TLS
	};

	for (size_t k = 0; k < 2; k++) {
		enum sl_transport tp = tps[k];
		int have = 0;
		struct sl_listen *l;

		if (!((int)tp == o->transport || uri_wants(o->call, tp) ||
		      uri_wants(o->registrar, tp) ||
		      uri_wants(o->outbound_proxy, tp)))
			continue;
		if (tp == SL_TRANSPORT_TLS && !o->tls_cert)
			continue;
		for (unsigned i = 0; i < cfg->n_listen; i++)
			have |= cfg->listen[i].transport == tp;
		if (have || cfg->n_listen >= SL_UA_MAX_LISTEN)
			continue;
		l = &cfg->listen[cfg->n_listen++];
		*l = cfg->listen[0];
		l->transport = tp;
		l->port = 0;
	}
}

void agent_config(const struct agent_opts *o, struct sl_ua_config *cfg,
		  struct sl_account *acc, int noninteractive)
{
	const char *host = NULL;

	sl_ua_config_init(cfg);
	if (o->n_listen) {
		memcpy(cfg->listen, o->listen, sizeof(o->listen));
		cfg->n_listen = o->n_listen;
		host = o->listen[0].host[0] ? o->listen[0].host : NULL;
		/* Contact, Via and SDP carry the address we listen on
		 * when it is a specific one. */
		if (host)
			copy(cfg->local_ip, sizeof(cfg->local_ip), host);
	}
	add_needed_listeners(o, cfg);
	if (o->max_lines)
		cfg->max_lines = o->max_lines;
	if (o->log_level >= 0)
		cfg->log_level = o->log_level;
	copy(cfg->log_file, sizeof(cfg->log_file), o->log_file);
	copy(cfg->tls_ca_file, sizeof(cfg->tls_ca_file), o->tls_ca);
	/* One PEM with the certificate and its key. */
	copy(cfg->tls_cert_file, sizeof(cfg->tls_cert_file), o->tls_cert);
	copy(cfg->tls_key_file, sizeof(cfg->tls_key_file), o->tls_cert);
	if (o->no_tls_verify)
		cfg->tls_verify = 0;
	cfg->event_mode = SL_EVENTS_QUEUE;
	cfg->run_mode = SL_RUN_THREAD;
	/* A load run's events come in bursts: room for a few per line. */
	cfg->event_queue = 256 + 8 * cfg->max_lines;
	if (o->codecs[0])
		copy(cfg->audio_codecs, sizeof(cfg->audio_codecs), o->codecs);
	if (o->rtp_lo) {
		cfg->rtp_port_min = (uint16_t)o->rtp_lo;
		cfg->rtp_port_max = (uint16_t)o->rtp_hi;
	}
	media_config(o, &cfg->media);

	sl_account_init(acc);
	copy(acc->user, sizeof(acc->user), o->user ? o->user : AGENT_NAME);
	copy(acc->display_name, sizeof(acc->display_name), o->display_name);
	copy(acc->auth_user, sizeof(acc->auth_user), o->auth_user);
	copy(acc->password, sizeof(acc->password), o->password);
	copy(acc->registrar, sizeof(acc->registrar), o->registrar);
	copy(acc->outbound_proxy, sizeof(acc->outbound_proxy),
	     o->outbound_proxy);
	if (o->domain)
		copy(acc->domain, sizeof(acc->domain), o->domain);
	else if (o->registrar)
		uri_host(o->registrar, acc->domain, sizeof(acc->domain));
	else
		copy(acc->domain, sizeof(acc->domain),
		     host ? host : "localhost");
	if (o->expires)
		acc->expires = o->expires;
	if (o->transport >= 0)
		acc->transport = (enum sl_transport)o->transport;
	else if (o->n_listen)
		acc->transport = o->listen[0].transport;
	/* Nobody is there to wait for a registrar that comes back: the
	 * first failure is the answer. */
	if (noninteractive)
		acc->reg_retries = 0;
}
