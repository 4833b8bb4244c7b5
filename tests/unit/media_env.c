/*
 * tests/unit/media_env.c: what the media call tests share, included by
 * tests/unit/check_call_media.c and check_media_api.c (one binary each):
 * UAs on 127.0.0.1 with their own loop threads and queued events, their
 * events recorded, bounded waits on the event fds, calls set up and torn
 * down, the SDP a UA sent, receive loss injected on a UA's engine, and a
 * small JSON checker for the statistics document.
 *
 * Waits are bounded: the event fds are polled with a deadline.
 */
#include <check.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "media_env.h"

struct side *sides[MAX_SIDES];
unsigned n_sides;

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

double now_fms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

void copy_str(char *out, size_t cap, const char *s)
{
	snprintf(out, cap, "%s", s ? s : "");
}

/* The body of a SIP message we sent, when it is an INVITE or a 2xx with
 * SDP: kept for the SDP checks. */
static void keep_sdp(struct side *s, const char *raw, size_t len)
{
	const char *b = memmem(raw, len, "\r\n\r\n", 4);

	if (!b || !memmem(raw, (size_t)(b - raw),
			  "Content-Type: application/sdp", 29))
		return;
	b += 4;
	s->sdp_len = len - (size_t)(b - raw);
	if (s->sdp_len >= sizeof(s->sdp))
		s->sdp_len = sizeof(s->sdp) - 1;
	memcpy(s->sdp, b, s->sdp_len);
	s->sdp[s->sdp_len] = '\0';
}

static void drain(struct side *s)
{
	struct sl_event ev;

	while (s->ua && sl_ua_event_next(s->ua, &ev) == 1) {
		struct rec *r;

		if (ev.type == SL_EV_SIP_SENT) {
			keep_sdp(s, ev.raw, ev.raw_len);
			if (getenv("MEDIA_DEBUG"))
				fprintf(stderr, "---- %s sent\n%.*s\n", s->name,
					(int)ev.raw_len, ev.raw);
			continue;
		}
		if (ev.type == SL_EV_SIP_RECEIVED)
			continue;
		if (getenv("MEDIA_DEBUG"))
			fprintf(stderr, "%s: %s session %d %s %c\n", s->name,
				sl_event_name(ev.type), ev.session,
				ev.reason ? ev.reason : "",
				ev.digit ? ev.digit : ' ');
		if (s->n >= MAX_REC)
			continue;
		r = &s->ev[s->n++];
		memset(r, 0, sizeof(*r));
		r->type = ev.type;
		r->session = ev.session;
		r->line = ev.line;
		r->code = ev.code;
		r->close_reason = ev.close_reason;
		r->digit = ev.digit;
		copy_str(r->dtmf_method, sizeof(r->dtmf_method),
			 ev.dtmf_method);
		r->duration_ms = ev.duration_ms;
		copy_str(r->codec, sizeof(r->codec), ev.codec);
		r->payload_type = ev.payload_type;
		copy_str(r->remote_rtp, sizeof(r->remote_rtp), ev.remote_rtp);
		copy_str(r->content_type, sizeof(r->content_type),
			 ev.content_type);
		if (ev.body && ev.body_len < sizeof(r->body)) {
			memcpy(r->body, ev.body, ev.body_len);
			r->body_len = ev.body_len;
		}
		r->at_ms = now_ms();
	}
}

/* Polls every UA's event fd for at most @ms and takes what came. */
void pump(int ms)
{
	struct pollfd p[MAX_SIDES];
	unsigned n = 0;

	for (unsigned i = 0; i < n_sides; i++) {
		if (!sides[i]->ua)
			continue;
		p[n].fd = sl_ua_event_fd(sides[i]->ua);
		p[n].events = POLLIN;
		p[n].revents = 0;
		n++;
	}
	if (n)
		poll(p, n, ms);
	for (unsigned i = 0; i < n_sides; i++)
		drain(sides[i]);
}

/* Lets @ms of real time pass, taking events meanwhile. */
void run_ms(unsigned ms)
{
	uint64_t end = now_ms() + ms;

	for (uint64_t t = now_ms(); t < end; t = now_ms())
		pump((int)(end - t));
}

int count(const struct side *s, enum sl_event_type type, int session)
{
	int k = 0;

	for (unsigned i = 0; i < s->n; i++)
		if (s->ev[i].type == type &&
		    (!session || s->ev[i].session == session))
			k++;
	return k;
}

/* The @nth (0-based) event of @type of @session (0: any), waiting at most
 * @ms for it; NULL when it did not come. */
const struct rec *wait_nth(struct side *s, enum sl_event_type type,
				  int session, int nth, unsigned ms)
{
	uint64_t end = now_ms() + ms;

	for (;;) {
		int k = 0;

		for (unsigned i = 0; i < s->n; i++)
			if (s->ev[i].type == type &&
			    (!session || s->ev[i].session == session) &&
			    k++ == nth)
				return &s->ev[i];
		if (now_ms() >= end)
			return NULL;
		pump(20);
	}
}

const struct rec *wait_ev(struct side *s, enum sl_event_type type,
				 int session, unsigned ms)
{
	return wait_nth(s, type, session, 0, ms);
}

void base_config(struct sl_ua_config *cfg)
{
	sl_ua_config_init(cfg);
	cfg->listen[0].transport = SL_TRANSPORT_UDP;
	memcpy(cfg->listen[0].host, "127.0.0.1", 10);
	cfg->listen[0].port = 0;
	cfg->n_listen = 1;
	cfg->max_lines = 2;
	cfg->run_mode = SL_RUN_THREAD;
	cfg->event_mode = SL_EVENTS_QUEUE;
	cfg->event_queue = 512;
	cfg->session_expires = 0;
	cfg->sip_message_events = 2;
	cfg->log_level = getenv("MEDIA_DEBUG") ? SL_LOG_DEBUG : SL_LOG_ERROR;
}

void side_make(struct side *s, const char *user, tweak_fn tw,
		      const void *arg)
{
	struct sl_ua_config cfg;
	struct sl_account acc;
	char addr[64], *colon;

	memset(s, 0, sizeof(*s));
	copy_str(s->name, sizeof(s->name), user);
	base_config(&cfg);
	if (tw)
		tw(&cfg, arg);
	ck_assert_int_eq(sl_ua_create(&s->ua, &cfg), 0);
	s->created_ms = now_fms();
	ck_assert_int_gt(sl_ua_local_addr(s->ua, 0, addr, sizeof(addr)), 0);
	sl_account_init(&acc);
	copy_str(acc.user, sizeof(acc.user), user);
	memcpy(acc.domain, "127.0.0.1", 10);
	ck_assert_int_eq(sl_ua_set_account(s->ua, &acc), 0);
	colon = strrchr(addr, ':');
	ck_assert_ptr_nonnull(colon);
	snprintf(s->uri, sizeof(s->uri), "sip:%s@127.0.0.1%s", user, colon);
	ck_assert_uint_lt(n_sides, MAX_SIDES);
	sides[n_sides++] = s;
}

void side_destroy(struct side *s)
{
	if (!s->ua)
		return;
	drain(s);
	ck_assert_int_eq(sl_ua_destroy(s->ua, 2000), 0);
	s->ua = NULL;
}

void sides_reset(void)
{
	for (unsigned i = 0; i < n_sides; i++)
		if (sides[i]->ua) {
			sl_ua_destroy(sides[i]->ua, 500);
			sides[i]->ua = NULL;
		}
	n_sides = 0;
}

/* A calls B and B answers: both connected; the sessions in *@as, *@bs. */
void connect_ab(struct side *a, struct side *b, int *as, int *bs)
{
	struct sl_call_params p;
	const struct rec *in;

	sl_call_params_init(&p);
	p.callee = b->uri;
	*as = sl_call_make(a->ua, &p);
	ck_assert_int_gt(*as, 0);
	in = wait_ev(b, SL_EV_INCOMING, 0, 3000);
	ck_assert_ptr_nonnull(in);
	*bs = in->session;
	ck_assert_int_eq(sl_call_answer(b->ua, *bs, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(a, SL_EV_CONNECTED, *as, 3000));
	ck_assert_ptr_nonnull(wait_ev(b, SL_EV_CONNECTED, *bs, 3000));
}

/* Hangs up from A; both get SL_EV_MEDIA_STATS, then SL_EV_CLOSED. */
void hangup_ab(struct side *a, struct side *b, int as, int bs)
{
	ck_assert_int_eq(sl_call_hangup(a->ua, as), 0);
	ck_assert_ptr_nonnull(wait_ev(a, SL_EV_CLOSED, as, 3000));
	ck_assert_ptr_nonnull(wait_ev(b, SL_EV_CLOSED, bs, 3000));
}

/* Runs @fn(@arg) on @ua's loop thread (engine functions are the loop's). */
static int on_loop(struct sl_ua *ua, int (*fn)(void *), void *arg)
{
	return sl__ua_call(ua, fn, arg);
}

struct loss_arg {
	struct sl_ua *ua;
	unsigned permille;
	uint32_t seed;
};

static int loss_on_loop(void *arg)
{
	struct loss_arg *l = arg;

	return sl__media_engine_rx_loss(l->ua->media->eng, l->permille,
					l->seed);
}

void set_loss(struct sl_ua *ua, unsigned permille, uint32_t seed)
{
	struct loss_arg l = { ua, permille, seed };

	ck_assert_int_eq(on_loop(ua, loss_on_loop, &l), 0);
}

/* ---- a small JSON checker (RFC 8259 subset: what stats use) ---- */

struct jp {
	const char *p, *e;
	unsigned depth;
};

static void jp_ws(struct jp *j)
{
	while (j->p < j->e && (*j->p == ' ' || *j->p == '\n' ||
			       *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

static int jp_string(struct jp *j)
{
	if (j->p >= j->e || *j->p != '"')
		return 0;
	for (j->p++; j->p < j->e; j->p++) {
		unsigned char c = (unsigned char)*j->p;

		if (c == '"') {
			j->p++;
			return 1;
		}
		if (c < 0x20)
			return 0;
		if (c == '\\') {
			if (++j->p >= j->e || !strchr("\"\\/bfnrtu", *j->p))
				return 0;
			if (*j->p == 'u') {
				for (int k = 0; k < 4; k++)
					if (++j->p >= j->e ||
					    !strchr("0123456789abcdefABCDEF",
						    *j->p))
						return 0;
			}
		}
	}
	return 0;
}

static int jp_value(struct jp *j);

static int jp_number(struct jp *j)
{
	const char *s = j->p;

	if (j->p < j->e && *j->p == '-')
		j->p++;
	if (j->p >= j->e || *j->p < '0' || *j->p > '9')
		return 0;
	if (*j->p == '0' && j->p + 1 < j->e && j->p[1] >= '0' &&
	    j->p[1] <= '9')
		return 0;
	while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
		j->p++;
	if (j->p < j->e && *j->p == '.') {
		j->p++;
		if (j->p >= j->e || *j->p < '0' || *j->p > '9')
			return 0;
		while (j->p < j->e && *j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static int jp_object(struct jp *j)
{
	if (j->p >= j->e || *j->p != '{' || ++j->depth > 8)
		return 0;
	j->p++;
	jp_ws(j);
	if (j->p < j->e && *j->p == '}') {
		j->p++;
		return 1;
	}
	for (;;) {
		jp_ws(j);
		if (!jp_string(j))
			return 0;
		jp_ws(j);
		if (j->p >= j->e || *j->p++ != ':')
			return 0;
		jp_ws(j);
		if (!jp_value(j))
			return 0;
		jp_ws(j);
		if (j->p < j->e && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->e && *j->p == '}') {
			j->p++;
			j->depth--;
			return 1;
		}
		return 0;
	}
}

static int jp_value(struct jp *j)
{
	if (j->p >= j->e)
		return 0;
	if (*j->p == '"')
		return jp_string(j);
	if (*j->p == '{')
		return jp_object(j);
	if ((size_t)(j->e - j->p) >= 4 && !memcmp(j->p, "null", 4)) {
		j->p += 4;
		return 1;
	}
	return jp_number(j);
}

int json_ok(const char *s, size_t n)
{
	struct jp j = { s, s + n, 0 };

	jp_ws(&j);
	if (!jp_object(&j))
		return 0;
	jp_ws(&j);
	return j.p == j.e;
}

/* The number after "key": in @json (NAN when absent or null). */
double json_num(const char *json, const char *key)
{
	char k[48];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(json, k);
	if (!p || !strncmp(p + strlen(k), "null", 4))
		return NAN;
	return strtod(p + strlen(k), NULL);
}

/* The string value of "key" (copied into @out). */
const char *json_str(const char *json, const char *key, char *out,
			    size_t cap)
{
	char k[48];
	const char *p, *q;

	snprintf(k, sizeof(k), "\"%s\":\"", key);
	out[0] = '\0';
	p = strstr(json, k);
	if (!p)
		return out;
	p += strlen(k);
	q = strchr(p, '"');
	if (q && (size_t)(q - p) < cap) {
		memcpy(out, p, (size_t)(q - p));
		out[q - p] = '\0';
	}
	return out;
}

/* The statistics document of sipline/media.h with sane values. */
void check_stats_json(const char *json, size_t len,
			     const char *codec, int need_rx)
{
	static const char *const keys[] = {
		"session", "codec", "payload_type", "clock_rate",
		"remote_rtp", "tx_packets", "tx_bytes", "rx_packets",
		"rx_bytes", "lost", "late", "concealed", "duplicate",
		"jitter_ms", "rtt_ms", "jb_delay_ms", "remote_loss_pct",
		"mos", "duration_s", "discarded"
	};
	char v[64];
	double mos;

	ck_assert_msg(json_ok(json, len), "bad JSON: %.*s", (int)len, json);
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char k[40];

		snprintf(k, sizeof(k), "\"%s\":", keys[i]);
		ck_assert_msg(strstr(json, k), "no %s in %s", keys[i], json);
	}
	ck_assert_str_eq(json_str(json, "codec", v, sizeof(v)), codec);
	ck_assert_ptr_nonnull(strstr(json_str(json, "remote_rtp", v,
					      sizeof(v)), "127.0.0.1:"));
	ck_assert(json_num(json, "session") > 0);
	ck_assert(json_num(json, "tx_packets") > 0);
	ck_assert(json_num(json, "tx_bytes") >= json_num(json, "tx_packets"));
	if (need_rx) {
		ck_assert(json_num(json, "rx_packets") > 0);
		ck_assert(json_num(json, "rx_bytes") >=
			  json_num(json, "rx_packets"));
	}
	ck_assert(json_num(json, "lost") >= 0);
	ck_assert(json_num(json, "jitter_ms") >= 0);
	ck_assert(json_num(json, "jitter_ms") < 100);
	ck_assert(json_num(json, "remote_loss_pct") >= 0);
	ck_assert(json_num(json, "remote_loss_pct") <= 100);
	mos = json_num(json, "mos");
	ck_assert_msg(mos >= 1.0 && mos <= 4.5, "mos %f", mos);
}

/* The SL_EV_MEDIA_STATS of @session came, and before its SL_EV_CLOSED. */
const struct rec *stats_before_closed(const struct side *s,
					     int session)
{
	const struct rec *st = NULL;

	for (unsigned i = 0; i < s->n; i++) {
		if (s->ev[i].session != session)
			continue;
		if (s->ev[i].type == SL_EV_MEDIA_STATS) {
			ck_assert_ptr_null(st);
			st = &s->ev[i];
		}
		if (s->ev[i].type == SL_EV_CLOSED)
			ck_assert_msg(st, "%s: closed before its statistics",
				      s->name);
	}
	ck_assert_ptr_nonnull(st);
	return st;
}

/* The port of the first m=audio line of @sdp. */
unsigned sdp_port(const char *sdp)
{
	const char *m = strstr(sdp, "m=audio ");

	ck_assert_ptr_nonnull(m);
	return (unsigned)strtoul(m + 8, NULL, 10);
}

struct side A, B;
