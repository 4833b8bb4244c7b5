/*
 * tests/unit/check_call_early.c: offer/answer in the early dialog
 * (lib/ua/prack.c, call_in.c, call_out.c, call.c; RFC 3262 §3 and §5,
 * RFC 3311 §5, RFC 6337 §3.1) on the virtual clock.
 *
 * Two sipline UAs over 127.0.0.1 (application-driven, queued events,
 * every SIP message kept): an INVITE without an offer gets the callee's
 * offer in its reliable 180 (or early-media 183) and the caller's answer
 * in the PRACK, the 2xx repeats the description and the ACK carries none;
 * an answer waits for the PRACK of a 1xx with a description; UPDATE in
 * the early dialog from either side once the exchange is complete, and
 * refused through the API before. Against the scripted peer of
 * ua_peer.c: the reliable 1xx retransmission schedule (T1, doubling, a
 * 504 at 64*T1), 500 with Retry-After and 491 for an early UPDATE that
 * comes too soon, a UAC answering an offer of a reliable 183 in its PRACK,
 * and one that CANCELs when it cannot answer.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "ua/call_int.h"
#include "sipline/call.h"
#include "check_main.h"

enum { MAX_EV = 256, MAX_SIP = 96, SIP_LEN = 3072, PUMP_MAX = 4000 };

/* ---- two UAs ---- */

struct sev {
	enum sl_event_type type;
	int session;
	int code;
	enum sl_close_reason why;
	int has_audio, has_video, early;
	char codec0[32];
};

struct side {
	struct sl_ua *ua;
	char uri[128];
	struct sev ev[MAX_EV];
	unsigned n;
	char sip[MAX_SIP][SIP_LEN];  /* every SIP message, in order */
	int sent[MAX_SIP];           /* 1: sent, 0: received */
	unsigned n_sip;
};

static struct side A, B;
static size_t MEM_BEFORE;

static void side_make(struct side *s, const char *user,
		      enum sl_prack_mode prack, int early_media)
{
	struct sl_ua_config cfg;
	struct sl_account acc;
	char addr[64];

	memset(s, 0, sizeof(*s));
	ua_test_config(&cfg, SL_RUN_APP);
	cfg.event_mode = SL_EVENTS_QUEUE;
	cfg.event_queue = 1024;
	cfg.max_lines = 2;
	cfg.prack = prack;
	cfg.early_media = early_media;
	cfg.session_expires = 0;
	cfg.sip_message_events = 3;
	memcpy(cfg.video_codecs, "VP8", 4);
	s->ua = ua_app(&cfg);
	sl_account_init(&acc);
	snprintf(acc.user, sizeof(acc.user), "%s", user);
	memcpy(acc.domain, "127.0.0.1", 10);
	ck_assert_int_eq(sl_ua_set_account(s->ua, &acc), 0);
	ck_assert_int_gt(sl_ua_local_addr(s->ua, 0, addr, sizeof(addr)), 0);
	snprintf(s->uri, sizeof(s->uri), "sip:%s@%s", user, addr);
}

static void drain(struct side *s)
{
	struct sl_event ev;

	while (sl_ua_event_next(s->ua, &ev) == 1) {
		struct sev *r;

		if (ev.type == SL_EV_SIP_SENT ||
		    ev.type == SL_EV_SIP_RECEIVED) {
			ck_assert_uint_lt(s->n_sip, MAX_SIP);
			snprintf(s->sip[s->n_sip], SIP_LEN, "%.*s",
				 (int)ev.raw_len, ev.raw);
			s->sent[s->n_sip++] = ev.type == SL_EV_SIP_SENT;
			if (getenv("CALL_DEBUG"))
				fprintf(stderr, "---- %s %s\n%.*s\n", s->uri,
					ev.type == SL_EV_SIP_SENT ? "sent" :
					"received", (int)ev.raw_len, ev.raw);
			continue;
		}
		ck_assert_uint_lt(s->n, MAX_EV);
		r = &s->ev[s->n++];
		memset(r, 0, sizeof(*r));
		r->type = ev.type;
		r->session = ev.session;
		r->code = ev.code;
		r->why = ev.close_reason;
		r->has_audio = ev.has_audio;
		r->has_video = ev.has_video;
		r->early = ev.early_media;
		if (ev.n_audio_codecs)
			snprintf(r->codec0, sizeof(r->codec0), "%s",
				 ev.audio_codecs[0]);
	}
}

static void pump_once(void)
{
	sl_ua_step(A.ua);
	sl_ua_step(B.ua);
	drain(&A);
	drain(&B);
}

static const struct sev *find_ev(const struct side *s, enum sl_event_type t)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->ev[i].type == t)
			return &s->ev[i];
	return NULL;
}

static const struct sev *wait_ev(struct side *s, enum sl_event_type t)
{
	for (int i = 0; i < PUMP_MAX && !find_ev(s, t); i++) {
		pump_once();
		if (i % 8 == 7)
			usleep_poll(1);
	}
	return find_ev(s, t);
}

/* The index of the first message of @s at or after @from, in direction
 * @sent, whose first line starts with @start and that contains @needle
 * (NULL: anything); -1 when none. */
static int sip_find(const struct side *s, int sent, const char *start,
		    const char *needle, unsigned from)
{
	for (unsigned i = from; i < s->n_sip; i++)
		if (s->sent[i] == sent &&
		    !strncmp(s->sip[i], start, strlen(start)) &&
		    (!needle || strstr(s->sip[i], needle)))
			return (int)i;
	return -1;
}

static int wait_sip(struct side *s, int sent, const char *start,
		    const char *needle)
{
	int k = -1;

	for (int i = 0; i < PUMP_MAX; i++) {
		k = sip_find(s, sent, start, needle, 0);
		if (k >= 0)
			break;
		pump_once();
		if (i % 8 == 7)
			usleep_poll(1);
	}
	ck_assert_msg(k >= 0, "no %s \"%s\" with \"%s\"", sent ? "sent" :
		      "received", start, needle ? needle : "");
	return k;
}

static const char *body_of(const char *msg)
{
	const char *b = strstr(msg, "\r\n\r\n");

	return b ? b + 4 : "";
}

static void wait_state(struct side *s, int line, enum sl_line_state st)
{
	for (int i = 0; i < PUMP_MAX; i++) {
		if (sl_line_state(s->ua, line) == (int)st)
			return;
		pump_once();
		if (i % 8 == 7)
			usleep_poll(1);
	}
	ck_abort_msg("line %d never reached %s (is %d)", line,
		     sl_line_state_name(st), sl_line_state(s->ua, line));
}

static void two(enum sl_prack_mode pa, enum sl_prack_mode pb, int em_b)
{
	MEM_BEFORE = mem_now();
	side_make(&A, "alice", pa, 1);
	side_make(&B, "bob", pb, em_b);
}

static void two_teardown(void)
{
	ck_assert_int_eq(sl_ua_destroy(A.ua, 0), 0);
	ck_assert_int_eq(sl_ua_destroy(B.ua, 0), 0);
	ck_assert_uint_eq(mem_now(), MEM_BEFORE);
}

static int call_b(int no_sdp, int video)
{
	struct sl_call_params p;
	int s;

	sl_call_params_init(&p);
	p.callee = B.uri;
	p.no_sdp = no_sdp;
	p.video = video;
	s = sl_call_make(A.ua, &p);
	ck_assert_int_gt(s, 0);
	return s;
}

/* Both connected; the ACK of the 2xx carries no description and both
 * sides report the same codec. */
static void both_connected(void)
{
	const struct sev *a, *b;
	int k;

	a = wait_ev(&A, SL_EV_CONNECTED);
	b = wait_ev(&B, SL_EV_CONNECTED);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(a->has_audio, 1);
	ck_assert_int_eq(b->has_audio, 1);
	ck_assert_str_eq(a->codec0, "PCMU");
	ck_assert_str_eq(b->codec0, "PCMU");
	k = wait_sip(&A, 1, "ACK ", NULL);
	ck_assert_msg(strstr(A.sip[k], "Content-Length: 0\r\n") != NULL,
		      "ACK with a body:\n%s", A.sip[k]);
}

/* ---- RFC 3262 §5 between two UAs ---- */

static void setup_supported(void)
{
	two(SL_PRACK_SUPPORTED, SL_PRACK_SUPPORTED, 1);
}

START_TEST(offer_in_reliable_180)
{
	const struct sev *in;
	int k180, kpr, k200, kin;

	call_b(1, 0);
	in = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(in->has_audio, 0);
	/* B's offer goes in its 180, which is reliable. */
	k180 = wait_sip(&B, 1, "SIP/2.0 180", "RSeq: ");
	ck_assert_ptr_nonnull(strstr(B.sip[k180], "Require: 100rel"));
	ck_assert_ptr_nonnull(strstr(B.sip[k180],
				     "Content-Type: application/sdp"));
	ck_assert_ptr_nonnull(strstr(body_of(B.sip[k180]), "m=audio "));
	/* A answers it in the PRACK. */
	kpr = wait_sip(&A, 1, "PRACK ", "RAck: ");
	ck_assert_ptr_nonnull(strstr(body_of(A.sip[kpr]), "m=audio "));
	ck_assert_ptr_nonnull(strstr(A.sip[kpr], "a=rtpmap:0 PCMU/8000"));
	wait_sip(&B, 1, "SIP/2.0 200", "CSeq: 2 PRACK");
	ck_assert_int_eq(sl_call_answer(B.ua, in->session, 0), 0);
	both_connected();
	/* The 2xx repeats the 180's description unchanged (RFC 6337). */
	k200 = wait_sip(&B, 1, "SIP/2.0 200", "CSeq: 1 INVITE");
	ck_assert_str_eq(body_of(B.sip[k200]), body_of(B.sip[k180]));
	/* B's 200 came after it had the PRACK's answer. */
	kin = sip_find(&B, 0, "PRACK ", NULL, 0);
	ck_assert_int_ge(kin, 0);
	ck_assert_int_gt(k200, kin);
	ck_assert_int_eq(sip_find(&B, 1, "SIP/2.0 183", NULL, 0), -1);
}
END_TEST

START_TEST(answer_waits_for_prack)
{
	const struct sev *in;
	int k200, kpr;

	call_b(1, 0);
	for (int i = 0; i < PUMP_MAX; i++) {
		sl_ua_step(A.ua);
		sl_ua_step(B.ua);
		drain(&B);
		if (find_ev(&B, SL_EV_INCOMING))
			break;
		drain(&A);
		usleep_poll(1);
	}
	in = find_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(sip_find(&B, 0, "PRACK ", NULL, 0), -1);
	/* §3: the 2xx waits for the PRACK of the 180 with the offer. */
	ck_assert_int_eq(sl_call_answer(B.ua, in->session, 0), 0);
	ck_assert_int_eq(sl_call_answer(B.ua, in->session, 0), SL_ESTATE);
	ck_assert_int_eq(sl_line_state(B.ua, 0), SL_LINE_RINGING);
	both_connected();
	kpr = sip_find(&B, 0, "PRACK ", NULL, 0);
	k200 = sip_find(&B, 1, "SIP/2.0 200", "CSeq: 1 INVITE", 0);
	ck_assert_int_ge(kpr, 0);
	ck_assert_int_gt(k200, kpr);
}
END_TEST

static void setup_body_mode(void)
{
	two(SL_PRACK_SUPPORTED_BODY, SL_PRACK_SUPPORTED_BODY, 1);
}

START_TEST(offer_in_reliable_183)
{
	const struct sev *in, *pr;
	int k180, k183, kpr;

	call_b(1, 0);
	in = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	/* The 180 has no body, so it is not reliable in this mode; the
	 * offer comes in an early-media 183, reliably. */
	k180 = wait_sip(&B, 1, "SIP/2.0 180", NULL);
	ck_assert_ptr_null(strstr(B.sip[k180], "RSeq:"));
	k183 = wait_sip(&B, 1, "SIP/2.0 183", "RSeq: ");
	ck_assert_ptr_nonnull(strstr(body_of(B.sip[k183]), "m=audio "));
	kpr = wait_sip(&A, 1, "PRACK ", NULL);
	ck_assert_ptr_nonnull(strstr(body_of(A.sip[kpr]), "m=audio "));
	pr = wait_ev(&A, SL_EV_PROGRESS);
	ck_assert_ptr_nonnull(pr);
	ck_assert_int_eq(pr->early, 1);
	ck_assert_str_eq(pr->codec0, "PCMU");
	ck_assert_int_eq(sl_call_answer(B.ua, in->session, 0), 0);
	both_connected();
}
END_TEST

static void setup_no_early_media(void)
{
	two(SL_PRACK_SUPPORTED_BODY, SL_PRACK_SUPPORTED_BODY, 0);
}

START_TEST(offer_waits_for_2xx)
{
	const struct sev *in;
	int k;

	call_b(1, 0);
	in = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	ck_assert_int_eq(sl_call_answer(B.ua, in->session, 0), 0);
	wait_ev(&A, SL_EV_CONNECTED);
	wait_ev(&B, SL_EV_CONNECTED);
	/* No reliable 1xx: the offer went in the 2xx, the answer in the
	 * ACK (RFC 3261 §13.2.1). */
	ck_assert_int_eq(sip_find(&B, 1, "SIP/2.0 18", "RSeq:", 0), -1);
	k = wait_sip(&B, 1, "SIP/2.0 200", "CSeq: 1 INVITE");
	ck_assert_ptr_nonnull(strstr(body_of(B.sip[k]), "m=audio "));
	k = wait_sip(&A, 1, "ACK ", NULL);
	ck_assert_ptr_nonnull(strstr(body_of(A.sip[k]), "m=audio "));
	ck_assert_str_eq(find_ev(&B, SL_EV_CONNECTED)->codec0, "PCMU");
}
END_TEST

/* ---- RFC 3311 §5.1: UPDATE in the early dialog ---- */

/* A offers in the INVITE; B answers in a reliable 183 that A PRACKs. */
static int early_exchange(int *bs)
{
	const struct sev *in;
	int as = call_b(0, 0);

	in = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	*bs = in->session;
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_PROGRESS));
	wait_sip(&A, 0, "SIP/2.0 200", "PRACK");
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_EARLY);
	return as;
}

START_TEST(early_update_from_caller)
{
	const struct sev *up, *ans;
	int bs, as = early_exchange(&bs), k;

	/* A adds video before the answer: an UPDATE, not a re-INVITE. */
	ck_assert_int_eq(sl_call_update_media(A.ua, as, 1, 1), 0);
	ck_assert_int_eq(sl_call_update_media(A.ua, as, 1, 1), SL_ESTATE);
	k = wait_sip(&A, 1, "UPDATE ", NULL);
	ck_assert_ptr_nonnull(strstr(body_of(A.sip[k]), "m=video "));
	up = wait_ev(&B, SL_EV_UPDATED);
	ck_assert_ptr_nonnull(up);
	ck_assert_int_eq(up->has_video, 1);
	wait_sip(&A, 0, "SIP/2.0 200", "UPDATE");
	pump_once();
	ck_assert_int_eq(sl_line_state(B.ua, 0), SL_LINE_RINGING);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_EARLY);
	ck_assert_int_eq(sip_find(&A, 1, "INVITE ", "CSeq: 3 INVITE", 0),
			 -1);
	ck_assert_int_eq(sl_call_answer(B.ua, bs, 1), 0);
	ans = wait_ev(&A, SL_EV_ANSWERED);
	ck_assert_ptr_nonnull(ans);
	ck_assert_int_eq(ans->has_video, 1);
	both_connected();
}
END_TEST

START_TEST(early_update_from_callee)
{
	const struct sev *up;
	int bs, k;

	early_exchange(&bs);
	ck_assert_int_eq(sl_call_update_media(B.ua, bs, 1, 1), 0);
	k = wait_sip(&B, 1, "UPDATE ", NULL);
	ck_assert_ptr_nonnull(strstr(body_of(B.sip[k]), "m=video "));
	up = wait_ev(&A, SL_EV_UPDATED);
	ck_assert_ptr_nonnull(up);
	wait_sip(&B, 0, "SIP/2.0 200", "UPDATE");
	pump_once();
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_EARLY);
	ck_assert_int_eq(sl_line_state(B.ua, 0), SL_LINE_RINGING);
	ck_assert_int_eq(sl_call_answer(B.ua, bs, 0), 0);
	both_connected();
}
END_TEST

START_TEST(answer_drops_early_video_by_update)
{
	const struct sev *in, *ans;
	int k;

	call_b(0, 1);
	in = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	wait_sip(&A, 0, "SIP/2.0 200", "PRACK");
	/* The early answer took video; answering without it updates the
	 * session first, then sends the 2xx. */
	ck_assert_int_eq(sl_call_answer(B.ua, in->session, 0), 0);
	k = wait_sip(&B, 1, "UPDATE ", NULL);
	ck_assert_ptr_nonnull(strstr(body_of(B.sip[k]), "m=video 0 "));
	ans = wait_ev(&A, SL_EV_ANSWERED);
	ck_assert_ptr_nonnull(ans);
	ck_assert_int_eq(ans->has_video, 0);
	ck_assert_int_gt(sip_find(&B, 1, "SIP/2.0 200", "CSeq: 1 INVITE", 0),
			 k);
	both_connected();
}
END_TEST

START_TEST(early_update_refused_by_api)
{
	const struct sev *in;
	int as = call_b(0, 0);

	/* Nothing received yet: no dialog. */
	ck_assert_int_eq(sl_call_update_media(A.ua, as, 1, 1), SL_ESTATE);
	in = wait_ev(&B, SL_EV_INCOMING);
	ck_assert_ptr_nonnull(in);
	wait_state(&A, 0, SL_LINE_EARLY);
	/* B has no early media: its 180 is unreliable and carries no
	 * answer, so the exchange is not complete. */
	ck_assert_int_eq(sl_call_update_media(A.ua, as, 1, 1), SL_ESTATE);
	ck_assert_int_eq(sl_call_update_media(B.ua, in->session, 1, 1),
			 SL_ESTATE);
	ck_assert_int_eq(sl_call_answer(B.ua, in->session, 0), 0);
	wait_ev(&A, SL_EV_CONNECTED);
}
END_TEST

/* ---- against the scripted peer ---- */

static struct peer P;
static struct peer INV;        /* the INVITE kept to answer it later */
static struct sl_ua *U;
static struct sockaddr_in U_ADDR;
static enum sl_close_reason CLOSED_WHY;
static int CLOSED_CODE;
static int SESSION;

static const char PEER_SDP[] =
	"v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
	"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
	"m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

static void also(struct rec *r, const struct sl_event *ev)
{
	(void)r;
	if (ev->type == SL_EV_CLOSED) {
		CLOSED_WHY = ev->close_reason;
		CLOSED_CODE = ev->code;
	}
	if (ev->session)
		SESSION = ev->session;
}

static void peer_setup(enum sl_prack_mode prack, int early_media)
{
	struct sl_ua_config c;
	struct sl_account a;

	MEM_BEFORE = mem_now();
	rec_reset();
	REC.also = also;
	CLOSED_WHY = SL_CLOSE_NONE;
	CLOSED_CODE = -1;
	SESSION = 0;
	peer_open(&P);
	ua_test_config(&c, SL_RUN_APP);
	c.max_lines = 2;
	c.prack = prack;
	c.early_media = early_media;
	c.session_expires = 0;
	U = ua_app(&c);
	ua_test_account(&a, NULL);
	ck_assert_int_eq(sl_ua_set_account(U, &a), 0);
	ua_addr(U, &U_ADDR);
}

static void setup_peer_supported(void)
{
	peer_setup(SL_PRACK_SUPPORTED, 1);
}

static void setup_peer_body(void)
{
	peer_setup(SL_PRACK_SUPPORTED_BODY, 1);
}

static void peer_teardown(void)
{
	ck_assert_int_eq(sl_ua_destroy(U, 0), 0);
	U = NULL;
	peer_close(&P);
	ck_assert_uint_eq(mem_now(), MEM_BEFORE);
}

/* A request from the peer to the UA in call "early-1". */
static void peer_request(const char *method, unsigned cseq,
			 const char *to_tag, const char *extra,
			 const char *body)
{
	char msg[4096];
	size_t blen = body ? strlen(body) : 0;

	snprintf(msg, sizeof(msg),
		 "%s sip:alice@127.0.0.1:%u SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK-e%s%u\r\n"
		 "Max-Forwards: 70\r\n"
		 "From: <sip:peer@127.0.0.1:%u>;tag=pt\r\n"
		 "To: <sip:alice@127.0.0.1:%u>%s%s\r\n"
		 "Call-ID: early-1\r\nCSeq: %u %s\r\n"
		 "Contact: <sip:peer@127.0.0.1:%u>\r\n"
		 "Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE\r\n"
		 "%s%s"
		 "Content-Length: %zu\r\n\r\n%s",
		 method, ntohs(U_ADDR.sin_port), P.port, method, cseq, P.port,
		 ntohs(U_ADDR.sin_port), to_tag ? ";tag=" : "",
		 to_tag ? to_tag : "", cseq, method, P.port, extra ? extra : "",
		 body ? "Content-Type: application/sdp\r\n" : "", blen,
		 body ? body : "");
	peer_send(&P, &U_ADDR, msg);
}

/* The next message must be a response with @status (to @method). */
static void expect_status(int status, const char *method)
{
	for (int i = 0; i < 8; i++) {
		ck_assert_msg(wait_peer(&P, U), "no %d came", status);
		if (P.msg.is_request || P.msg.status == 100)
			continue;
		break;
	}
	ck_assert_msg(!P.msg.is_request && P.msg.status == status &&
		      sl_slice_eq(P.msg.cseq.method, method),
		      "%d to %s expected, got:\n%s", status, method, P.buf);
}

static void expect_request(const char *method)
{
	ck_assert_msg(wait_peer(&P, U), "no %s came", method);
	ck_assert_msg(peer_is(&P, method), "%s expected, got:\n%s", method,
		      P.buf);
}

/* Keeps the request in P as INV (its own copy and parse). */
static void keep_request(void)
{
	struct sl_arena arena;

	memcpy(INV.buf, P.buf, P.len + 1);
	INV.len = P.len;
	INV.fd = P.fd;
	INV.port = P.port;
	INV.from = P.from;
	sl_arena_init(&arena, INV.arena, sizeof(INV.arena));
	ck_assert_int_eq(sl_msg_parse(&INV.msg, INV.buf, INV.len, &arena,
				      NULL, 0, NULL), 0);
}

/* A response to the request in @p with a body. */
static void reply_body(struct peer *p, int status, const char *extra,
		       const char *body)
{
	static char out[PEER_BUF];
	struct sl_builder b;
	size_t el = extra ? strlen(extra) : 0;
	int n;

	sl_build_init(&b, out, sizeof(out));
	sl_build_response(&b, &p->msg, status, NULL, "peer", 0);
	ck_assert_int_eq(b.err, 0);
	ck_assert(b.len + el < b.cap);
	memcpy(b.buf + b.len, extra, el);
	b.len += el;
	n = sl_build_finish(&b, body ? "application/sdp" : NULL, body,
			    body ? strlen(body) : 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sendto(p->fd, out, (size_t)n, 0,
				(struct sockaddr *)&p->from,
				sizeof(p->from)), n);
}

START_TEST(reliable_1xx_schedule)
{
	static const uint64_t want[] = { 500, 1500, 3500, 7500, 15500,
					 31500 };
	char rseq[16];
	uint64_t t0;
	unsigned n = 0;

	peer_request("INVITE", 1, NULL, "Supported: 100rel\r\n", PEER_SDP);
	expect_status(180, "INVITE");
	ck_assert_str_eq(peer_hdr(&P, "Require"), "100rel");
	snprintf(rseq, sizeof(rseq), "%s", peer_hdr(&P, "RSeq"));
	ck_assert(rseq[0]);
	t0 = vnow_ms();
	/* No PRACK: again at T1, 3*T1, 7*T1, ... 63*T1 (§3: the interval
	 * starts at T1 and doubles), then a 5xx at 64*T1. */
	while (advance(U, 40000, &P)) {
		uint64_t at = vnow_ms() - t0;

		if (!P.msg.is_request && P.msg.status == 180) {
			ck_assert_uint_lt(n, 6);
			ck_assert_msg(at == want[n], "180 #%u at %llu ms, "
				      "want %llu", n + 1,
				      (unsigned long long)at,
				      (unsigned long long)want[n]);
			ck_assert_str_eq(peer_hdr(&P, "RSeq"), rseq);
			n++;
			continue;
		}
		ck_assert(!P.msg.is_request);
		ck_assert_int_eq(P.msg.status, 504);
		ck_assert_uint_eq(at, 64 * 500);
		break;
	}
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(P.msg.status, 504);
	peer_request("ACK", 1, "x", NULL, NULL);
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_TIMEOUT);
	ck_assert_int_eq(CLOSED_CODE, 504);
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_IDLE);
}
END_TEST

START_TEST(prack_stops_the_schedule)
{
	char rack[64], tag[64];

	peer_request("INVITE", 1, NULL, "Supported: 100rel\r\n", PEER_SDP);
	expect_status(180, "INVITE");
	snprintf(rack, sizeof(rack), "RAck: %s 1 INVITE\r\n",
		 peer_hdr(&P, "RSeq"));
	sl_slice_copy(P.msg.to.tag, tag, sizeof(tag));
	ck_assert(!advance(U, 400, &P));
	peer_request("PRACK", 2, tag, rack, NULL);
	expect_status(200, "PRACK");
	/* The early-media 183 waited for that PRACK; then the 180 is not
	 * sent again. */
	expect_status(183, "INVITE");
	ck_assert_ptr_nonnull(strstr(body_of(P.buf), "m=audio "));
	snprintf(rack, sizeof(rack), "RAck: %s 1 INVITE\r\n",
		 peer_hdr(&P, "RSeq"));
	peer_request("PRACK", 3, tag, rack, NULL);
	expect_status(200, "PRACK");
	ck_assert(!advance(U, 40000, &P));
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_RINGING);
	ck_assert_int_eq(sl_call_hangup(U, SESSION), 0);
	expect_status(603, "INVITE");
}
END_TEST

START_TEST(early_update_before_exchange_500)
{
	char tag[64];
	int ra;

	/* No 100rel from the peer: the 183's answer is not reliable, so the
	 * INVITE's exchange is not complete (RFC 3311 §5.2). */
	peer_request("INVITE", 1, NULL, NULL, PEER_SDP);
	expect_status(180, "INVITE");
	sl_slice_copy(P.msg.to.tag, tag, sizeof(tag));
	expect_status(183, "INVITE");
	peer_request("UPDATE", 2, tag, NULL, PEER_SDP);
	expect_status(500, "UPDATE");
	ra = atoi(peer_hdr(&P, "Retry-After"));
	ck_assert(peer_hdr(&P, "Retry-After")[0]);
	ck_assert_int_ge(ra, 0);
	ck_assert_int_le(ra, 10);
	/* Without an offer it is fine. */
	peer_request("UPDATE", 3, tag, NULL, NULL);
	expect_status(200, "UPDATE");
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_RINGING);
}
END_TEST

START_TEST(early_update_glare_491)
{
	char tag[64];

	/* An INVITE without an offer: ours goes in the reliable 180. */
	peer_request("INVITE", 1, NULL, "Supported: 100rel\r\n", NULL);
	expect_status(180, "INVITE");
	ck_assert_ptr_nonnull(strstr(body_of(P.buf), "m=audio "));
	sl_slice_copy(P.msg.to.tag, tag, sizeof(tag));
	/* Our offer has no answer yet: an UPDATE with an offer is glare. */
	peer_request("UPDATE", 2, tag, NULL, PEER_SDP);
	expect_status(491, "UPDATE");
}
END_TEST

START_TEST(early_update_after_prack_answered)
{
	char tag[64], rack[64];
	struct rec_ev up;
	int n;

	peer_request("INVITE", 1, NULL, "Supported: 100rel\r\n", NULL);
	expect_status(180, "INVITE");
	sl_slice_copy(P.msg.to.tag, tag, sizeof(tag));
	snprintf(rack, sizeof(rack), "RAck: %s 1 INVITE\r\n",
		 peer_hdr(&P, "RSeq"));
	/* §5: the answer in the PRACK. */
	peer_request("PRACK", 2, tag, rack, PEER_SDP);
	expect_status(200, "PRACK");
	n = (int)rec_count(SL_EV_UPDATED);
	peer_request("UPDATE", 3, tag, NULL, PEER_SDP);
	expect_status(200, "UPDATE");
	ck_assert_ptr_nonnull(strstr(body_of(P.buf), "m=audio "));
	pump(U);
	ck_assert_int_eq((int)rec_count(SL_EV_UPDATED), n + 1);
	up = rec_last(SL_EV_UPDATED);
	(void)up;
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_RINGING);
	/* The 2xx repeats our description; the ACK needs none. */
	ck_assert_int_eq(sl_call_answer(U, SESSION, 0), 0);
	expect_status(200, "INVITE");
	ck_assert_ptr_nonnull(strstr(body_of(P.buf), "m=audio "));
	peer_request("ACK", 1, tag, NULL, NULL);
	pump(U);
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_CONNECTED);
}
END_TEST

static int call_peer_no_sdp(void)
{
	struct sl_call_params p;
	char callee[96];
	int s;

	snprintf(callee, sizeof(callee), "sip:bob@127.0.0.1:%u", P.port);
	sl_call_params_init(&p);
	p.callee = callee;
	p.no_sdp = 1;
	s = sl_call_make(U, &p);
	ck_assert_int_gt(s, 0);
	expect_request("INVITE");
	ck_assert_uint_eq(P.msg.body.len, 0);
	ck_assert_ptr_nonnull(strstr(peer_hdr(&P, "Supported"), "100rel"));
	keep_request();
	return s;
}

START_TEST(uac_answers_offer_in_prack)
{
	char extra[256];
	struct rec_ev r;
	int s = call_peer_no_sdp();

	snprintf(extra, sizeof(extra),
		 "Require: 100rel\r\nRSeq: 7\r\n"
		 "Contact: <sip:bob@127.0.0.1:%u>\r\n", P.port);
	reply_body(&INV, 183, extra, PEER_SDP);
	expect_request("PRACK");
	ck_assert_str_eq(peer_hdr(&P, "RAck"), "7 1 INVITE");
	ck_assert_ptr_nonnull(strstr(body_of(P.buf), "m=audio "));
	ck_assert_ptr_nonnull(strstr(body_of(P.buf), "PCMU/8000"));
	peer_reply(&P, 200, NULL);
	pump(U);
	r = rec_last(SL_EV_PROGRESS);
	ck_assert_int_eq(r.code, 183);
	/* A retransmitted 183 is not PRACKed again. */
	reply_body(&INV, 183, extra, PEER_SDP);
	ck_assert(!advance(U, 200, &P));
	/* The 2xx repeats the offer; the ACK carries nothing. */
	reply_body(&INV, 200, extra + strlen("Require: 100rel\r\nRSeq: 7\r\n"),
		   PEER_SDP);
	expect_request("ACK");
	ck_assert_uint_eq(P.msg.body.len, 0);
	pump(U);
	ck_assert_uint_eq(rec_count(SL_EV_CONNECTED), 1);
	ck_assert_int_eq(sl_call_hangup(U, s), 0);
	expect_request("BYE");
	peer_reply(&P, 200, NULL);
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_LOCAL_BYE);
}
END_TEST

START_TEST(uac_cancels_unanswerable_offer)
{
	static const char odd[] =
		"v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=audio 40000 RTP/AVP 99\r\na=rtpmap:99 NOPE/8000\r\n";
	char extra[256];

	call_peer_no_sdp();
	snprintf(extra, sizeof(extra),
		 "Require: 100rel\r\nRSeq: 1\r\n"
		 "Contact: <sip:bob@127.0.0.1:%u>\r\n", P.port);
	reply_body(&INV, 183, extra, odd);
	/* No PRACK can refuse it: the attempt is CANCELled. */
	expect_request("CANCEL");
	peer_reply(&P, 200, NULL);
	reply_body(&INV, 487, "", NULL);
	expect_request("ACK");
	pump(U);
	ck_assert_int_eq(CLOSED_WHY, SL_CLOSE_CANCELLED);
	ck_assert_int_eq(sl_line_state(U, 0), SL_LINE_IDLE);
}
END_TEST

static Suite *check_call_early_suite(void)
{
	Suite *s = suite_create("call_early");
	TCase *sup = tcase_create("supported");
	TCase *body = tcase_create("body");
	TCase *noem = tcase_create("no_early_media");
	TCase *peer = tcase_create("peer");
	TCase *peerb = tcase_create("peer_body");

	tcase_add_checked_fixture(sup, setup_supported, two_teardown);
	tcase_set_timeout(sup, 60);
	tcase_add_test(sup, offer_in_reliable_180);
	tcase_add_test(sup, answer_waits_for_prack);
	suite_add_tcase(s, sup);

	tcase_add_checked_fixture(body, setup_body_mode, two_teardown);
	tcase_set_timeout(body, 60);
	tcase_add_test(body, offer_in_reliable_183);
	tcase_add_test(body, early_update_from_caller);
	tcase_add_test(body, early_update_from_callee);
	tcase_add_test(body, answer_drops_early_video_by_update);
	suite_add_tcase(s, body);

	tcase_add_checked_fixture(noem, setup_no_early_media, two_teardown);
	tcase_set_timeout(noem, 60);
	tcase_add_test(noem, offer_waits_for_2xx);
	tcase_add_test(noem, early_update_refused_by_api);
	suite_add_tcase(s, noem);

	tcase_add_checked_fixture(peer, setup_peer_supported, peer_teardown);
	tcase_set_timeout(peer, 60);
	tcase_add_test(peer, reliable_1xx_schedule);
	tcase_add_test(peer, prack_stops_the_schedule);
	tcase_add_test(peer, early_update_glare_491);
	tcase_add_test(peer, early_update_after_prack_answered);
	suite_add_tcase(s, peer);

	tcase_add_checked_fixture(peerb, setup_peer_body, peer_teardown);
	tcase_set_timeout(peerb, 60);
	tcase_add_test(peerb, early_update_before_exchange_500);
	tcase_add_test(peerb, uac_answers_offer_in_prack);
	tcase_add_test(peerb, uac_cancels_unanswerable_offer);
	suite_add_tcase(s, peerb);
	return s;
}

SL_CHECK_MAIN(check_call_early_suite)
