/*
 * tests/unit/check_call.c: lines and call state machines (lib/ua/call*.c,
 * prack.c, session_timer.c): two UAs in one process calling each other
 * over 127.0.0.1 (UDP), application-driven and with queued events, on
 * one virtual clock; every public error return.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua/call_int.h"
#include "core/clock.h"
#include "sipline/call.h"
#include "sipline/log.h"
#include "check_main.h"

enum { MAX_REC = 256, PUMP_MAX = 4000 };

struct rec {
	enum sl_event_type type;
	int session;
	int line;
	int code;
	enum sl_close_reason close_reason;
	int has_audio, has_video, early_media;
	unsigned n_audio;
	char codec0[32];
	char direction[16];
	char to[128];
	char from_display[64];
	unsigned char idata[64];
	size_t ilen;
};

struct side {
	struct sl_ua *ua;
	char addr[64];
	char uri[128];
	struct rec ev[MAX_REC];
	unsigned n;
};

static struct sl_vclock vclk;
static struct side A, B;

static void side_make(struct side *s, const char *user, unsigned lines,
		      enum sl_prack_mode prack, uint32_t se)
{
	struct sl_ua_config cfg;
	struct sl_ua_hooks h;
	struct sl_account acc;
	char *colon;

	memset(s, 0, sizeof(*s));
	sl_ua_config_init(&cfg);
	cfg.listen[0].transport = SL_TRANSPORT_UDP;
	memcpy(cfg.listen[0].host, "127.0.0.1", 10);
	cfg.listen[0].port = 0;
	cfg.n_listen = 1;
	cfg.max_lines = lines;
	cfg.run_mode = SL_RUN_APP;
	cfg.event_mode = SL_EVENTS_QUEUE;
	cfg.prack = prack;
	if (getenv("CALL_DEBUG")) {
		cfg.log_level = SL_LOG_DEBUG;
		cfg.sip_message_events = 3;
	}
	cfg.session_expires = se;
	cfg.min_se = 90;
	memcpy(cfg.video_codecs, "VP8", 4);
	memset(&h, 0, sizeof(h));
	h.clock = &vclk.clock;
	h.seed = 7;
	ck_assert_int_eq(sl__ua_create_ex(&s->ua, &cfg, &h), 0);
	ck_assert_int_gt(sl_ua_local_addr(s->ua, 0, s->addr,
					  sizeof(s->addr)), 0);
	sl_account_init(&acc);
	snprintf(acc.user, sizeof(acc.user), "%s", user);
	snprintf(acc.display_name, sizeof(acc.display_name), "%c%s",
		 user[0] - 32, user + 1);
	memcpy(acc.domain, "127.0.0.1", 10);
	ck_assert_int_eq(sl_ua_set_account(s->ua, &acc), 0);
	colon = strrchr(s->addr, ':');
	ck_assert_ptr_nonnull(colon);
	snprintf(s->uri, sizeof(s->uri), "sip:%s@127.0.0.1%s", user, colon);
}

static void drain(struct side *s)
{
	struct sl_event ev;

	while (sl_ua_event_next(s->ua, &ev) == 1) {
		struct rec *r;

		if (ev.type == SL_EV_SIP_SENT ||
		    ev.type == SL_EV_SIP_RECEIVED) {
			fprintf(stderr, "---- %s %s\n%.*s\n", s->uri,
				ev.type == SL_EV_SIP_SENT ? "sent" : "received",
				(int)ev.raw_len, ev.raw);
			continue;
		}
		if (s->n >= MAX_REC)
			continue;
		r = &s->ev[s->n++];
		memset(r, 0, sizeof(*r));
		r->type = ev.type;
		r->session = ev.session;
		r->line = ev.line;
		r->code = ev.code;
		r->close_reason = ev.close_reason;
		r->has_audio = ev.has_audio;
		r->has_video = ev.has_video;
		r->early_media = ev.early_media;
		r->n_audio = ev.n_audio_codecs;
		if (ev.n_audio_codecs)
			snprintf(r->codec0, sizeof(r->codec0), "%s",
				 ev.audio_codecs[0]);
		if (ev.direction)
			snprintf(r->direction, sizeof(r->direction), "%s",
				 ev.direction);
		if (ev.to)
			snprintf(r->to, sizeof(r->to), "%s", ev.to);
		if (ev.from_display)
			snprintf(r->from_display, sizeof(r->from_display),
				 "%s", ev.from_display);
		if (ev.instance_len && ev.instance_len <= sizeof(r->idata)) {
			memcpy(r->idata, ev.instance_data, ev.instance_len);
			r->ilen = ev.instance_len;
		}
	}
}

static void pump_once(void)
{
	sl_ua_step(A.ua);
	sl_ua_step(B.ua);
	drain(&A);
	drain(&B);
}

/* The index of the first event of @type at or after @from, or -1. */
static int find(const struct side *s, enum sl_event_type type,
		unsigned from)
{
	for (unsigned i = from; i < s->n; i++)
		if (s->ev[i].type == type)
			return (int)i;
	return -1;
}

/* Pumps both UAs until @s has an event of @type (bounded). */
static const struct rec *wait_ev(struct side *s, enum sl_event_type type)
{
	for (int i = 0; i < PUMP_MAX; i++) {
		int k = find(s, type, 0);

		if (k >= 0)
			return &s->ev[k];
		pump_once();
	}
	return NULL;
}

/* Like wait_ev, after the first @skip such events. */
static const struct rec *wait_nth(struct side *s, enum sl_event_type type,
				  unsigned nth)
{
	for (int i = 0; i < PUMP_MAX; i++) {
		unsigned seen = 0;

		for (unsigned k = 0; k < s->n; k++)
			if (s->ev[k].type == type && seen++ == nth)
				return &s->ev[k];
		pump_once();
	}
	return NULL;
}

static void pump(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pump_once();
}

/* Advances the virtual clock by @ms in 100 ms steps, pumping. */
static void advance(uint64_t ms)
{
	for (uint64_t t = 0; t < ms; t += 100) {
		sl__vclock_advance(&vclk, 100000);
		pump(3);
	}
}

static void wait_state(struct side *s, int line, enum sl_line_state st)
{
	for (int i = 0; i < PUMP_MAX; i++) {
		if (sl_line_state(s->ua, line) == (int)st)
			return;
		pump_once();
	}
	ck_abort_msg("line %d never reached %s (is %d)", line,
		     sl_line_state_name(st), sl_line_state(s->ua, line));
}

static void setup_opts(unsigned lines_b, enum sl_prack_mode pa,
		       enum sl_prack_mode pb, uint32_t se_a, uint32_t se_b)
{
	sl__vclock_init(&vclk, 1000000);
	side_make(&A, "alice", 2, pa, se_a);
	side_make(&B, "bob", lines_b, pb, se_b);
}

static void setup(void)
{
	setup_opts(2, SL_PRACK_SUPPORTED_BODY, SL_PRACK_SUPPORTED_BODY, 0, 0);
}

static void setup_one(void)
{
	setup_opts(1, SL_PRACK_SUPPORTED_BODY, SL_PRACK_SUPPORTED_BODY, 0, 0);
}

static void teardown(void)
{
	sl_ua_destroy(A.ua, 0);
	sl_ua_destroy(B.ua, 0);
}

static int call_b(int video, const void *idata, size_t ilen)
{
	struct sl_call_params p;

	sl_call_params_init(&p);
	p.callee = B.uri;
	p.video = video;
	p.instance_data = idata;
	p.instance_len = ilen;
	return sl_call_make(A.ua, &p);
}

/* A calls B, B answers: both connected. Returns A's session; B's in
 * *@bs. */
static int connect_ab(int *bs)
{
	const struct rec *in;
	int as = call_b(0, NULL, 0);

	ck_assert_int_gt(as, 0);
	in = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	*bs = in->session;
	ck_assert_int_eq(sl_call_answer(B.ua, *bs, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_CONNECTED));
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_CONNECTED));
	return as;
}

/* ---- basic calls ---- */

START_TEST(answer_and_bye)
{
	const struct rec *r;
	int bs, as;

	as = call_b(0, NULL, 0);
	ck_assert_int_gt(as, 0);
	ck_assert_int_eq(sl_call_line(A.ua, as), 0);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CALLING);
	ck_assert_int_eq(sl_line_session(A.ua, 0), as);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	bs = r->session;
	ck_assert_int_gt(bs, 0);
	ck_assert_int_eq(r->has_audio, 1);
	ck_assert_str_eq(r->codec0, "PCMU");
	ck_assert_str_eq(r->from_display, "Alice");
	ck_assert_uint_eq(r->ilen, 0);
	ck_assert_int_eq(sl_line_state(B.ua, r->line), SL_LINE_RINGING);
	/* Default early media: a 183 with SDP reaches A. */
	r = wait_ev(&A, SL_EV_PROGRESS);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->early_media, 1);
	wait_state(&A, 0, SL_LINE_EARLY);
	ck_assert_int_eq(sl_call_answer(B.ua, bs, 0), 0);
	r = wait_ev(&A, SL_EV_ANSWERED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 200);
	ck_assert_str_eq(r->codec0, "PCMU");
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_CONNECTED));
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_CONNECTED));
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CONNECTED);
	wait_state(&B, 0, SL_LINE_CONNECTED);
	/* Wrong state now. */
	ck_assert_int_eq(sl_call_answer(B.ua, bs, 0), SL_ESTATE);
	ck_assert_int_eq(sl_call_reject(B.ua, bs, 486), SL_ESTATE);
	ck_assert_int_eq(sl_call_unhold(A.ua, as), SL_ESTATE);
	ck_assert_int_eq(sl_call_forward(B.ua, bs, "sip:x@127.0.0.1"),
			 SL_ESTATE);
	ck_assert_int_eq(sl_call_hangup(A.ua, as), 0);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CLOSING);
	r = wait_ev(&B, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_REMOTE_BYE);
	r = wait_ev(&A, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_LOCAL_BYE);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_IDLE);
	ck_assert_int_eq(sl_line_session(A.ua, 0), 0);
	/* The old id is dead, also once the line holds a new call. */
	ck_assert_int_eq(sl_call_hangup(A.ua, as), SL_ESESSION);
	ck_assert_int_eq(sl_call_line(A.ua, as), SL_ESESSION);
	{
		int as2 = call_b(0, NULL, 0);

		ck_assert_int_gt(as2, as);
		ck_assert_int_eq(sl_call_line(A.ua, as2), 0);
		ck_assert_int_eq(sl_call_hangup(A.ua, as), SL_ESESSION);
		ck_assert_int_eq(sl_call_hold(A.ua, as), SL_ESESSION);
		ck_assert_int_eq(sl_call_hangup(A.ua, as2), 0);
		pump(50);
	}
}
END_TEST

START_TEST(reject_code)
{
	const struct rec *r;

	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sl_call_reject(B.ua, r->session, 399), SL_EINVAL);
	ck_assert_int_eq(sl_call_reject(B.ua, r->session, 700), SL_EINVAL);
	ck_assert_int_eq(sl_call_reject(B.ua, r->session, 603), 0);
	r = wait_ev(&A, SL_EV_FAILURE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 603);
	r = wait_ev(&A, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_REJECTED);
	ck_assert_int_eq(r->code, 603);
	r = wait_ev(&B, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_REJECTED);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_IDLE);
}
END_TEST

START_TEST(reject_default_486)
{
	const struct rec *r;

	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sl_call_reject(B.ua, r->session, 0), 0);
	r = wait_ev(&A, SL_EV_FAILURE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 486);
}
END_TEST

START_TEST(cancel_before_answer)
{
	const struct rec *r;
	int as = call_b(0, NULL, 0);

	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_INCOMING));
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_PROGRESS));
	ck_assert_int_eq(sl_call_hangup(A.ua, as), 0);
	r = wait_ev(&B, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_CANCELLED);
	r = wait_ev(&A, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_CANCELLED);
	ck_assert_int_eq(find(&A, SL_EV_FAILURE, 0), -1);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_IDLE);
	ck_assert_int_eq(sl_line_state(B.ua, 0), SL_LINE_IDLE);
}
END_TEST

START_TEST(cancel_at_once)
{
	const struct rec *r;
	int as = call_b(0, NULL, 0);

	/* Hang up before any provisional: the CANCEL waits for one. */
	ck_assert_int_eq(sl_call_hangup(A.ua, as), 0);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CLOSING);
	ck_assert_int_eq(sl_call_hangup(A.ua, as), SL_ESTATE);
	r = wait_ev(&A, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_CANCELLED);
	r = wait_ev(&B, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_CANCELLED);
}
END_TEST

START_TEST(callee_hangs_up)
{
	const struct rec *r;
	int bs;

	connect_ab(&bs);
	ck_assert_int_eq(sl_call_hangup(B.ua, bs), 0);
	r = wait_ev(&A, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_REMOTE_BYE);
	r = wait_ev(&B, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_LOCAL_BYE);
}
END_TEST

START_TEST(ringing_hangup_declines)
{
	const struct rec *r;

	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sl_call_hold(B.ua, r->session), SL_ESTATE);
	ck_assert_int_eq(sl_call_update_media(B.ua, r->session, 1, 0),
			 SL_ESTATE);
	ck_assert_int_eq(sl_call_hangup(B.ua, r->session), 0);
	r = wait_ev(&A, SL_EV_FAILURE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 603);
}
END_TEST

START_TEST(no_sdp_offer)
{
	struct sl_call_params p;
	const struct rec *r;

	sl_call_params_init(&p);
	p.callee = B.uri;
	p.no_sdp = 1;
	ck_assert_int_gt(sl_call_make(A.ua, &p), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->has_audio, 0);
	ck_assert_int_eq(sl_call_answer(B.ua, r->session, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_CONNECTED));
	r = wait_ev(&B, SL_EV_CONNECTED);
	ck_assert_ptr_nonnull(r);
	/* The answer came in the ACK. */
	ck_assert_int_eq(r->has_audio, 1);
	ck_assert_str_eq(r->codec0, "PCMU");
}
END_TEST

START_TEST(video_call)
{
	const struct rec *r;

	ck_assert_int_gt(call_b(1, NULL, 0), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->has_video, 1);
	ck_assert_int_eq(sl_call_answer(B.ua, r->session, 1), 0);
	r = wait_ev(&A, SL_EV_ANSWERED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->has_video, 1);
	ck_assert_int_eq(r->has_audio, 1);
}
END_TEST

START_TEST(video_refused)
{
	const struct rec *r;

	ck_assert_int_gt(call_b(1, NULL, 0), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sl_call_answer(B.ua, r->session, 0), 0);
	r = wait_ev(&A, SL_EV_ANSWERED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->has_video, 0);
	ck_assert_int_eq(r->has_audio, 1);
}
END_TEST

/* ---- hold, re-INVITE, glare ---- */

START_TEST(hold_unhold)
{
	const struct rec *r;
	int bs, as = connect_ab(&bs);

	ck_assert_int_eq(sl_call_hold(A.ua, as), 0);
	ck_assert_int_eq(sl_call_hold(A.ua, as), SL_ESTATE);
	wait_state(&A, 0, SL_LINE_HELD);
	r = wait_ev(&B, SL_EV_REMOTE_HOLD);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->direction, "recvonly");
	wait_state(&B, 0, SL_LINE_REMOTE_HELD);
	ck_assert_int_eq(sl_call_hold(A.ua, as), SL_ESTATE);
	/* B holds too: inactive; both see HELD on their side. */
	ck_assert_int_eq(sl_call_hold(B.ua, bs), 0);
	wait_state(&B, 0, SL_LINE_HELD);
	ck_assert_int_eq(sl_call_unhold(B.ua, bs), 0);
	wait_state(&B, 0, SL_LINE_REMOTE_HELD);
	ck_assert_int_eq(sl_call_unhold(A.ua, as), 0);
	wait_state(&A, 0, SL_LINE_CONNECTED);
	r = wait_ev(&B, SL_EV_REMOTE_UNHOLD);
	ck_assert_ptr_nonnull(r);
	wait_state(&B, 0, SL_LINE_CONNECTED);
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_UPDATED));
}
END_TEST

START_TEST(update_media_adds_video)
{
	const struct rec *r;
	int bs, as = connect_ab(&bs);

	ck_assert_int_eq(sl_call_update_media(A.ua, as, 0, 0), SL_EINVAL);
	ck_assert_int_eq(sl_call_update_media(A.ua, as, 1, 1), 0);
	r = wait_ev(&B, SL_EV_UPDATED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->has_video, 1);
	wait_state(&A, 0, SL_LINE_CONNECTED);
}
END_TEST

START_TEST(glare_retries)
{
	int bs, as = connect_ab(&bs);

	/* Both re-INVITE at once: 491 on both sides, then each retries
	 * after its §14.1 wait. */
	ck_assert_int_eq(sl_call_hold(A.ua, as), 0);
	ck_assert_int_eq(sl_call_hold(B.ua, bs), 0);
	advance(5000);
	wait_state(&A, 0, SL_LINE_HELD);
	wait_state(&B, 0, SL_LINE_HELD);
}
END_TEST

/* ---- lines ---- */

START_TEST(all_lines_busy_486)
{
	const struct rec *r;
	int bs;

	connect_ab(&bs);            /* B has one line only */
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&A, SL_EV_FAILURE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 486);
	ck_assert_int_eq(sl_line_state(A.ua, 1), SL_LINE_IDLE);
}
END_TEST

START_TEST(no_free_line_enomem)
{
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	ck_assert_int_eq(call_b(0, NULL, 0), SL_ENOMEM);
	pump(20);
}
END_TEST

START_TEST(dnd)
{
	const struct rec *r;

	ck_assert_int_eq(sl_ua_set_dnd(B.ua, 1, 0), 0);
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&A, SL_EV_FAILURE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 480);
	ck_assert_int_eq(find(&B, SL_EV_INCOMING, 0), -1);
	ck_assert_int_eq(sl_ua_set_dnd(B.ua, 1, 1), 0);
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_nth(&A, SL_EV_FAILURE, 1);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 603);
	ck_assert_int_eq(sl_ua_set_dnd(B.ua, 0, 0), 0);
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_INCOMING));
}
END_TEST

/* Forwarding: B sends callers to A's second identity (A itself). */
START_TEST(forward_ringing)
{
	char target[160];
	const struct rec *r;

	snprintf(target, sizeof(target), "sip:carol@%s", B.addr);
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sl_call_forward(B.ua, r->session, "not a uri"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_call_forward(B.ua, r->session, target), 0);
	r = wait_ev(&A, SL_EV_FORWARDING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 302);
	ck_assert_str_eq(r->to, target);
	/* The call follows: B rings again on a line. */
	r = wait_nth(&B, SL_EV_INCOMING, 1);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(sl_call_answer(B.ua, r->session, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_CONNECTED));
}
END_TEST

START_TEST(forward_always_and_busy)
{
	char target[160];
	const struct rec *r;
	int bs;

	snprintf(target, sizeof(target), "sip:carol@%s", B.addr);
	ck_assert_int_eq(sl_ua_set_forwarding(B.ua, SL_FORWARD_ALWAYS, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_set_forwarding(B.ua, 7, target), SL_EINVAL);
	ck_assert_int_eq(sl_ua_set_forwarding(B.ua, SL_FORWARD_BUSY,
					      target), 0);
	connect_ab(&bs);            /* B's only line is now busy */
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&A, SL_EV_FORWARDING);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 302);
	ck_assert_int_eq(sl_ua_set_forwarding(B.ua, SL_FORWARD_OFF, NULL), 0);
}
END_TEST

/* ---- instance data ---- */

START_TEST(instance_data_round_trip)
{
	static const unsigned char data[] = {
		0, 1, 2, '-', '-', 's', 'i', 'p', 'l', 'i', 'n', 'e', 0xff,
		'\r', '\n', 0x80
	};
	const struct rec *r;

	ck_assert_int_gt(call_b(0, data, sizeof(data)), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->ilen, sizeof(data));
	ck_assert_mem_eq(r->idata, data, sizeof(data));
	ck_assert_int_eq(r->has_audio, 1);
	ck_assert_int_eq(sl_call_answer(B.ua, r->session, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_CONNECTED));
}
END_TEST

START_TEST(instance_body_plain_without_data)
{
	struct sl_line ln;
	struct sl_calls *c = A.ua->calls;
	const char *ct = NULL;
	char out[8192], sdp[] = "v=0\r\n";
	unsigned char idata[1] = { 'x' };
	int n;

	/* The line's texts are blocks of the engine's store; plain
	 * buffers serve the body writer as well. */
	memset(&ln, 0, sizeof(ln));
	ln.local_sdp = sdp;
	ln.local_len = 5;
	n = sl__media_invite_body(A.ua, &ln, out, sizeof(out), &ct);
	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(ct, "application/sdp");
	ck_assert_mem_eq(out, "v=0\r\n", 5);
	ln.no_sdp = 1;
	ck_assert_int_eq(sl__media_invite_body(A.ua, &ln, out, sizeof(out),
					       &ct), 0);
	ck_assert_ptr_null(ct);
	ln.idata = idata;
	ln.idata_len = 1;
	n = sl__media_invite_body(A.ua, &ln, out, sizeof(out), &ct);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_eq(ct, c->mp_type);
	ck_assert_ptr_nonnull(strstr(ct, "multipart/mixed;boundary="));
	ck_assert_int_eq(sl__media_invite_body(A.ua, &ln, out, 10, &ct),
			 SL_ENOSPC);
}
END_TEST

/* ---- PRACK ---- */

static void prack_call(void)
{
	const struct rec *r;

	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_PROGRESS));
	pump(50);
	ck_assert_int_eq(sl_call_answer(B.ua, r->session, 0), 0);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_CONNECTED));
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_CONNECTED));
}

START_TEST(prack_never)
{
	teardown();
	setup_opts(2, SL_PRACK_NEVER, SL_PRACK_NEVER, 0, 0);
	prack_call();
	ck_assert_uint_eq(((struct sl_calls *)B.ua->calls)->lines[0].rseq, 0);
}
END_TEST

START_TEST(prack_supported_body)
{
	prack_call();
}
END_TEST

START_TEST(prack_supported)
{
	teardown();
	setup_opts(2, SL_PRACK_SUPPORTED, SL_PRACK_SUPPORTED, 0, 0);
	prack_call();
	/* Both the 180 and the 183 went reliably: RINGING, then the
	 * early media after the first PRACK. */
	ck_assert_int_ge(find(&A, SL_EV_RINGING, 0), 0);
}
END_TEST

START_TEST(prack_required)
{
	teardown();
	setup_opts(2, SL_PRACK_REQUIRED, SL_PRACK_REQUIRED, 0, 0);
	prack_call();
}
END_TEST

START_TEST(prack_required_refused)
{
	const struct rec *r;

	teardown();
	setup_opts(2, SL_PRACK_NEVER, SL_PRACK_REQUIRED, 0, 0);
	ck_assert_int_gt(call_b(0, NULL, 0), 0);
	r = wait_ev(&A, SL_EV_FAILURE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->code, 421);
}
END_TEST

/* ---- session timers ---- */

START_TEST(session_timer_refresh)
{
	int bs, as;

	teardown();
	setup_opts(2, SL_PRACK_SUPPORTED_BODY, SL_PRACK_SUPPORTED_BODY, 120,
		   120);
	as = connect_ab(&bs);
	/* Three intervals go by: refreshes keep the call up. */
	advance(360000);
	ck_assert_int_eq(sl_call_line(A.ua, as), 0);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CONNECTED);
	ck_assert_int_eq(sl_line_state(B.ua, 0), SL_LINE_CONNECTED);
	ck_assert_int_eq(find(&A, SL_EV_CLOSED, 0), -1);
}
END_TEST

START_TEST(session_timer_expiry)
{
	const struct rec *r;
	struct sl_calls *c;
	int bs;

	teardown();
	setup_opts(2, SL_PRACK_SUPPORTED_BODY, SL_PRACK_SUPPORTED_BODY, 120,
		   120);
	connect_ab(&bs);
	/* The refresher (A) loses its UA's timer: B must end the call. */
	c = A.ua->calls;
	sl__st_stop(A.ua, &c->lines[0]);
	advance(120000);
	r = wait_ev(&B, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_SESSION_TIMER);
	r = wait_ev(&A, SL_EV_CLOSED);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->close_reason, SL_CLOSE_REMOTE_BYE);
}
END_TEST

START_TEST(session_timer_422)
{
	struct sl_calls *c;
	int bs;

	teardown();
	setup_opts(2, SL_PRACK_SUPPORTED_BODY, SL_PRACK_SUPPORTED_BODY, 90,
		   600);
	/* B wants at least 300 s: A's 90 s gets a 422 first. */
	c = B.ua->calls;
	(void)c;
	B.ua->cfg.min_se = 300;
	connect_ab(&bs);
	c = A.ua->calls;
	ck_assert_uint_ge(c->lines[0].se, 300);
}
END_TEST

/* ---- arguments ---- */

START_TEST(bad_arguments)
{
	struct sl_call_params p;
	unsigned char big[SL_CALL_IDATA_MAX + 1];

	memset(big, 1, sizeof(big));
	sl_call_params_init(NULL);
	sl_call_params_init(&p);
	ck_assert_int_eq(p.audio, 1);
	ck_assert_int_eq(sl_call_make(NULL, &p), SL_EINVAL);
	ck_assert_int_eq(sl_call_make(A.ua, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_call_make(A.ua, &p), SL_EINVAL);
	p.callee = "";
	ck_assert_int_eq(sl_call_make(A.ua, &p), SL_EINVAL);
	p.callee = "sip:bad uri@x";
	ck_assert_int_eq(sl_call_make(A.ua, &p), SL_EINVAL);
	p.callee = "bob\r\n";
	ck_assert_int_eq(sl_call_make(A.ua, &p), SL_EINVAL);
	p.callee = "bob";
	p.audio = 0;
	ck_assert_int_eq(sl_call_make(A.ua, &p), SL_EINVAL);
	p.audio = 1;
	p.instance_len = 3;
	ck_assert_int_eq(sl_call_make(A.ua, &p), SL_EINVAL);
	p.instance_data = big;
	p.instance_len = sizeof(big);
	ck_assert_int_eq(sl_call_make(A.ua, &p), SL_EINVAL);
	ck_assert_int_eq(sl_call_answer(NULL, 1, 0), SL_EINVAL);
	ck_assert_int_eq(sl_call_answer(A.ua, 0, 0), SL_ESESSION);
	ck_assert_int_eq(sl_call_answer(A.ua, 99, 0), SL_ESESSION);
	ck_assert_int_eq(sl_call_reject(A.ua, -1, 0), SL_ESESSION);
	ck_assert_int_eq(sl_call_reject(NULL, 1, 0), SL_EINVAL);
	ck_assert_int_eq(sl_call_hangup(A.ua, 99), SL_ESESSION);
	ck_assert_int_eq(sl_call_hangup(NULL, 1), SL_EINVAL);
	ck_assert_int_eq(sl_call_hold(A.ua, 99), SL_ESESSION);
	ck_assert_int_eq(sl_call_hold(NULL, 1), SL_EINVAL);
	ck_assert_int_eq(sl_call_unhold(A.ua, 0), SL_ESESSION);
	ck_assert_int_eq(sl_call_update_media(A.ua, 99, 1, 0), SL_ESESSION);
	ck_assert_int_eq(sl_call_update_media(NULL, 1, 1, 0), SL_EINVAL);
	ck_assert_int_eq(sl_call_forward(A.ua, 99, "sip:a@b"), SL_ESESSION);
	ck_assert_int_eq(sl_call_forward(A.ua, 1, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_call_line(A.ua, 99), SL_ESESSION);
	ck_assert_int_eq(sl_call_line(NULL, 1), SL_EINVAL);
	ck_assert_int_eq(sl_line_state(A.ua, -1), SL_ELINE);
	ck_assert_int_eq(sl_line_state(A.ua, 2), SL_ELINE);
	ck_assert_int_eq(sl_line_session(A.ua, 2), SL_ELINE);
	ck_assert_int_eq(sl_line_state(NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl_line_session(NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl_line_session(A.ua, 1), 0);
	ck_assert_int_eq(sl_ua_set_dnd(NULL, 1, 0), SL_EINVAL);
	ck_assert_int_eq(sl_ua_set_forwarding(NULL, 0, NULL), SL_EINVAL);
	ck_assert_str_eq(sl_line_state_name(SL_LINE_REMOTE_HELD),
			 "remote-held");
	ck_assert_str_eq(sl_line_state_name((enum sl_line_state)42), "?");
}
END_TEST

START_TEST(no_account_estate)
{
	struct sl_ua_config cfg;
	struct sl_call_params p;
	struct sl_ua *ua;

	sl_ua_config_init(&cfg);
	memcpy(cfg.listen[0].host, "127.0.0.1", 10);
	cfg.listen[0].port = 0;
	cfg.n_listen = 1;
	cfg.run_mode = SL_RUN_APP;
	cfg.event_mode = SL_EVENTS_QUEUE;
	ck_assert_int_eq(sl_ua_create(&ua, &cfg), 0);
	sl_call_params_init(&p);
	p.callee = "sip:bob@127.0.0.1";
	ck_assert_int_eq(sl_call_make(ua, &p), SL_ESTATE);
	sl_ua_destroy(ua, 0);
}
END_TEST

static Suite *check_call_suite(void)
{
	Suite *s = suite_create("call");
	TCase *tc = tcase_create("calls");
	TCase *one = tcase_create("one_line");
	TCase *misc = tcase_create("misc");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, answer_and_bye);
	tcase_add_test(tc, reject_code);
	tcase_add_test(tc, reject_default_486);
	tcase_add_test(tc, cancel_before_answer);
	tcase_add_test(tc, cancel_at_once);
	tcase_add_test(tc, callee_hangs_up);
	tcase_add_test(tc, ringing_hangup_declines);
	tcase_add_test(tc, no_sdp_offer);
	tcase_add_test(tc, video_call);
	tcase_add_test(tc, video_refused);
	tcase_add_test(tc, hold_unhold);
	tcase_add_test(tc, update_media_adds_video);
	tcase_add_test(tc, glare_retries);
	tcase_add_test(tc, no_free_line_enomem);
	tcase_add_test(tc, dnd);
	tcase_add_test(tc, forward_ringing);
	tcase_add_test(tc, instance_data_round_trip);
	tcase_add_test(tc, instance_body_plain_without_data);
	tcase_add_test(tc, prack_never);
	tcase_add_test(tc, prack_supported_body);
	tcase_add_test(tc, prack_supported);
	tcase_add_test(tc, prack_required);
	tcase_add_test(tc, prack_required_refused);
	tcase_add_test(tc, session_timer_refresh);
	tcase_add_test(tc, session_timer_expiry);
	tcase_add_test(tc, session_timer_422);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(one, setup_one, teardown);
	tcase_set_timeout(one, 60);
	tcase_add_test(one, all_lines_busy_486);
	tcase_add_test(one, forward_always_and_busy);
	suite_add_tcase(s, one);

	tcase_add_test(misc, no_account_estate);
	suite_add_tcase(s, misc);
	return s;
}

SL_CHECK_MAIN(check_call_suite)
