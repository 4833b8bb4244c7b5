/*
 * tests/unit/check_media_engine.c: the media engine (lib/media/engine.h)
 * end to end inside one process - two engines with virtual devices send
 * each other RTP over 127.0.0.1: audio arrives at the right frequency and
 * level for each codec, RFC 4733 digits arrive once each, RTCP yields a
 * round-trip time with and without rtcp-mux, symmetric RTP latches, the
 * media timeout fires and re-arms, injected loss shows in the counters,
 * several media threads share the work, and every error return.
 *
 * The test thread plays the SIP loop: it calls the engine API and drains
 * events. Audio is observed through the stream's audio hook (media
 * thread), published to the test thread with a release store of the
 * sample count. Every wait is bounded and waits for a condition (an
 * event, a sample count, a counter), never for a fixed time.
 */
#include <arpa/inet.h>
#include <check.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "core/mem.h"
#include "device/wav.h"
#include "media/engine.h"
#include "media/rtp.h"
#include "sipline/codec.h"
#include "sipline/error.h"

enum { PORT_MIN = 21000, PORT_MAX = 29999, MAX_EV = 512,
       AUDIO_CAP = 48000 * 12 };

/* ---- observing a stream ---- */

struct obs {
	_Atomic size_t n;               /* received samples published */
	_Atomic unsigned rate;
	_Atomic unsigned long rtp_rx;   /* packets seen by the RTP hook */
	_Atomic unsigned long rtp_tx;
	int16_t pcm[AUDIO_CAP];
};

static struct obs obs_a, obs_b, obs_c;

static void obs_reset(struct obs *o)
{
	atomic_store(&o->n, 0);
	atomic_store(&o->rate, 0);
	atomic_store(&o->rtp_rx, 0);
	atomic_store(&o->rtp_tx, 0);
}

/* Media thread: appends what the stream decoded. */
static void on_audio(void *arg, int session, unsigned dir, const int16_t *pcm,
		     size_t n, unsigned rate)
{
	struct obs *o = arg;
	size_t at = atomic_load_explicit(&o->n, memory_order_relaxed);

	(void)session;
	if (dir != SL_DIR_RECEIVED || at + n > AUDIO_CAP)
		return;
	memcpy(o->pcm + at, pcm, n * sizeof(*pcm));
	atomic_store_explicit(&o->rate, rate, memory_order_relaxed);
	atomic_store_explicit(&o->n, at + n, memory_order_release);
}

static void on_rtp(void *arg, int session, unsigned dir, const uint8_t *pkt,
		   size_t len)
{
	struct obs *o = arg;

	(void)session;
	(void)pkt;
	(void)len;
	if (dir == SL_DIR_RECEIVED)
		atomic_fetch_add(&o->rtp_rx, 1);
	else
		atomic_fetch_add(&o->rtp_tx, 1);
}

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Waits (bounded) until @o holds @want samples more than @from.
 * Return: the count reached. */
static size_t obs_wait(struct obs *o, size_t from, size_t want,
		       unsigned deadline_ms)
{
	uint64_t end = now_ms() + deadline_ms;
	size_t n;

	while ((n = atomic_load_explicit(&o->n, memory_order_acquire)) <
	       from + want && now_ms() < end)
		poll(NULL, 0, 5);
	return n;
}

static double goertzel(const int16_t *x, size_t n, double f, double rate)
{
	double w = 2 * M_PI * f / rate, c = 2 * cos(w), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - c * s1 * s2;
}

static double rms_of(const int16_t *x, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (double)x[i] * x[i];
	return n ? sqrt(sum / n) : 0;
}

/* The last @ms of what @o received: its RMS, and whether @hz dominates
 * (10 dB over half and one and a half times the frequency). */
static double obs_tone(struct obs *o, double hz, int *dominant, unsigned ms)
{
	size_t n = atomic_load_explicit(&o->n, memory_order_acquire);
	unsigned rate = atomic_load_explicit(&o->rate, memory_order_relaxed);
	size_t w = (size_t)rate * ms / 1000;
	const int16_t *x;
	double p, p_lo, p_hi;

	ck_assert_uint_gt(rate, 0);
	ck_assert_uint_ge(n, w);
	x = o->pcm + n - w;
	p = goertzel(x, w, hz, rate);
	p_lo = goertzel(x, w, hz * 0.5, rate);
	p_hi = goertzel(x, w, hz * 1.5, rate);
	*dominant = p > 10 * p_lo && p > 10 * p_hi;
	return rms_of(x, w);
}

/* ---- engines, sockets, events ---- */

struct evlog {
	struct sl_media_ev ev[MAX_EV];
	unsigned n;
};

static void on_event(void *arg, const struct sl_media_ev *ev)
{
	struct evlog *l = arg;

	if (l->n < MAX_EV)
		l->ev[l->n++] = *ev;
}

/* Drains @eng into @l until an event of @type at index >= @from exists
 * or @deadline_ms passes. Return: its index or -1. */
static int wait_ev(struct sl_media_engine *eng, struct evlog *l,
		   enum sl_media_ev_type type, unsigned from,
		   unsigned deadline_ms)
{
	uint64_t end = now_ms() + deadline_ms;

	for (;;) {
		struct pollfd pfd = { sl__media_engine_event_fd(eng), POLLIN,
				      0 };
		uint64_t t;

		sl__media_engine_drain(eng, on_event, l);
		for (unsigned i = from; i < l->n; i++)
			if (l->ev[i].type == type)
				return (int)i;
		t = now_ms();
		if (t >= end)
			return -1;
		poll(&pfd, 1, (int)(end - t));
	}
}

static unsigned count_ev(const struct evlog *l, enum sl_media_ev_type type,
			 unsigned from)
{
	unsigned c = 0;

	for (unsigned i = from; i < l->n; i++)
		c += l->ev[i].type == type;
	return c;
}

static void base_cfg(struct sl_media_config *c, const char *cap,
		     const char *play)
{
	memset(c, 0, sizeof(*c));
	c->enabled = 1;
	snprintf(c->audio_driver, sizeof(c->audio_driver), "virtual");
	snprintf(c->capture_dev, sizeof(c->capture_dev), "%s", cap);
	snprintf(c->playback_dev, sizeof(c->playback_dev), "%s", play);
	c->device_rate = 16000;
	c->device_frame_ms = 10;
	c->ptime_ms = 20;
	c->jb_min_ms = 20;
	c->jb_max_ms = 200;
	c->keepalive_pt = 13;
	c->audio_dscp = 46;
	c->media_threads = 1;
	c->dtmf_duration_ms = 100;
	c->rtcp_mux = 1;
	c->rtcp_rs_bps = -1;
	c->rtcp_rr_bps = -1;
}

static struct sl_media_engine *mk_engine(const struct sl_media_config *c,
					 unsigned max_streams)
{
	struct sl_media_engine *e = NULL;

	ck_assert_int_eq(sl__media_engine_create(c, max_streams, &e), 0);
	ck_assert_ptr_nonnull(e);
	return e;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	return a;
}

struct side {
	struct sl_media_engine *eng;
	int fds[2];
	uint16_t port;
	int stream;
	struct evlog log;
};

static void open_socks(struct side *s, int mux)
{
	struct sockaddr_in a = loopback(0);

	ck_assert_int_eq(sl__media_sockets_open(s->eng, (struct sockaddr *)&a,
						sizeof(a), PORT_MIN, PORT_MAX,
						mux, s->fds, &s->port), 0);
	ck_assert_int_ge(s->fds[0], 0);
	ck_assert_int_eq(s->port % 2, 0);
	if (mux)
		ck_assert_int_eq(s->fds[1], -1);
	else
		ck_assert_int_ge(s->fds[1], 0);
}

static void mk_params(struct sl_stream_params *p, int session,
		      const struct side *self, uint16_t remote_port, int mux,
		      const struct sl_codec *c, uint8_t pt)
{
	struct sockaddr_in rtp = loopback(remote_port);
	struct sockaddr_in rtcp = loopback((uint16_t)(remote_port + 1));

	memset(p, 0, sizeof(*p));
	p->session = session;
	p->rtp_fd = self->fds[0];
	p->rtcp_fd = self->fds[1];
	memcpy(&p->remote_rtp, &rtp, sizeof(rtp));
	memcpy(&p->remote_rtcp, mux ? &rtp : &rtcp, sizeof(rtcp));
	p->remote_len = sizeof(rtp);
	p->codec = c;
	p->pt_tx = pt;
	p->pt_rx = pt;
	p->cp.ptime_ms = 20;
	p->te_pt_tx = 101;
	p->te_pt_rx = 101;
	p->cn_pt = 13;
	p->send = 1;
	p->recv = 1;
	p->rtcp_mux = mux;
	p->bw.rs_bps = -1;
	p->bw.rr_bps = -1;
	snprintf(p->cname, sizeof(p->cname), "s%d@test", session);
}

/* Starts a stream from @a to @b (and, when @both, back) with @c. */
static void call(struct side *a, struct side *b, int mux,
		 const struct sl_codec *c, uint8_t pt)
{
	struct sl_stream_params p;

	open_socks(a, mux);
	open_socks(b, mux);
	mk_params(&p, 1, a, b->port, mux, c, pt);
	a->stream = sl__media_stream_start(a->eng, &p);
	ck_assert_int_ge(a->stream, 0);
	mk_params(&p, 2, b, a->port, mux, c, pt);
	b->stream = sl__media_stream_start(b->eng, &p);
	ck_assert_int_ge(b->stream, 0);
}

static void hook(struct side *s, struct obs *o)
{
	obs_reset(o);
	ck_assert_int_eq(sl__media_stream_control(
				 s->eng, s->stream, SL_MCTL_AUDIO_CB,
				 SL_DIR_RECEIVED, 0, (void (*)(void))on_audio,
				 o), 0);
	ck_assert_int_eq(sl__media_stream_control(
				 s->eng, s->stream, SL_MCTL_RTP_CB,
				 SL_DIR_RECEIVED | SL_DIR_SENT, 0,
				 (void (*)(void))on_rtp, o), 0);
}

static void stop_wait(struct side *s, struct sl_call_stats *final)
{
	int i;

	ck_assert_int_eq(sl__media_stream_stop(s->eng, s->stream), 0);
	/* A second stop of the same stream is refused. */
	ck_assert_int_eq(sl__media_stream_stop(s->eng, s->stream), SL_EINVAL);
	i = wait_ev(s->eng, &s->log, SL_MEV_STOPPED, 0, 3000);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(s->log.ev[i].stream, s->stream);
	if (final)
		*final = s->log.ev[i].stats;
	/* Freed: the id is no longer valid. */
	ck_assert_int_eq(sl__media_stream_stats(s->eng, s->stream,
						&(struct sl_call_stats){0}),
			 SL_EINVAL);
}

/* ---- audio per codec ---- */

struct codec_case {
	const char *name;
	uint32_t clock;
	uint8_t pt;
	double min_rms, max_rms;   /* a -10 dBFS 1 kHz sine: RMS 7327 */
};

static const struct codec_case codec_cases[] = {
	{ "PCMU", 8000, 0, 5000, 10500 },
	{ "PCMA", 8000, 8, 5000, 10500 },
	{ "L16", 16000, 96, 5000, 10500 },
	{ "G722", 8000, 9, 4000, 10500 },
	{ "opus", 48000, 111, 4000, 10500 },
};

START_TEST(audio_arrives)
{
	const struct codec_case *cc = &codec_cases[_i];
	const struct sl_codec *c = sl_codec_find(cc->name, cc->clock);
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	struct sl_call_stats st;
	size_t n;
	double rms;
	int dom;
	char wav[64];
	struct sl_wav_reader rd;
	int16_t *buf;
	int got;

	if (!c) {
		fprintf(stderr, "codec %s not built in; skipped\n", cc->name);
		return;
	}
	snprintf(wav, sizeof(wav), "/tmp/check_media_%d_%d.wav",
		 (int)getpid(), _i);
	base_cfg(&ca, "tone:1000@-10", "null");
	base_cfg(&cb, "null", "");
	snprintf(cb.playback_dev, sizeof(cb.playback_dev), "wav:%s", wav);
	a.eng = mk_engine(&ca, 2);
	b.eng = mk_engine(&cb, 2);
	call(&a, &b, 1, c, cc->pt);
	hook(&b, &obs_b);
	ck_assert_int_ge(wait_ev(b.eng, &b.log, SL_MEV_STARTED, 0, 2000), 0);
	/* 1.2 s of decoded audio, then look at the last 400 ms. */
	n = obs_wait(&obs_b, 0, c->sample_rate * 12 / 10, 5000);
	ck_assert_uint_ge(n, c->sample_rate * 12 / 10);
	rms = obs_tone(&obs_b, 1000, &dom, 400);
	ck_assert_msg(dom, "%s: 1 kHz not dominant", cc->name);
	ck_assert_msg(rms > cc->min_rms && rms < cc->max_rms, "%s: rms %f",
		      cc->name, rms);
	ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st), 0);
	ck_assert_str_eq(st.codec, c->name);
	ck_assert_int_eq(st.payload_type, cc->pt);
	ck_assert_uint_eq(st.clock_rate, c->clock_rate);
	ck_assert_uint_gt(st.rx_packets, 40);
	ck_assert_uint_gt(st.tx_packets, 40);
	ck_assert_int_le(st.lost, 1);
	ck_assert(st.jitter_ms >= 0 && st.jitter_ms < 40);
	ck_assert(st.mos >= 1.0 && st.mos <= 4.5);
	ck_assert(strncmp(st.remote_rtp, "127.0.0.1:", 10) == 0);
	ck_assert_uint_gt(atomic_load(&obs_b.rtp_rx), 40);
	/* Only a variable-rate codec takes a new bitrate. */
	ck_assert_int_eq(sl__media_stream_control(a.eng, a.stream,
						  SL_MCTL_BITRATE, 24000, 0,
						  NULL, NULL),
			 c->set_bitrate ? 0 : SL_EUNSUPP);
	stop_wait(&a, &st);
	ck_assert_uint_gt(st.tx_packets, 40);
	stop_wait(&b, &st);
	ck_assert_uint_gt(st.rx_packets, 40);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);

	/* B's speaker recorded the tone too (decoded, mixed, played). */
	ck_assert_int_eq(sl__wav_reader_open(&rd, wav), 0);
	ck_assert_uint_eq(rd.rate, 16000);
	ck_assert_uint_gt(rd.frames, 16000);
	buf = calloc(rd.frames, sizeof(*buf));
	ck_assert_ptr_nonnull(buf);
	got = sl__wav_read(&rd, buf, rd.frames);
	ck_assert_int_gt(got, 16000);
	sl__wav_reader_close(&rd);
	unlink(wav);
	{
		/* The loudest 400 ms stretch is the call. */
		size_t w = 6400, best = 0;
		double best_rms = 0, p, plo, phi;

		for (size_t at = 0; at + w <= (size_t)got; at += 1600) {
			double r = rms_of(buf + at, w);

			if (r > best_rms) {
				best_rms = r;
				best = at;
			}
		}
		p = goertzel(buf + best, w, 1000, 16000);
		plo = goertzel(buf + best, w, 500, 16000);
		phi = goertzel(buf + best, w, 1500, 16000);
		ck_assert_msg(best_rms > cc->min_rms && best_rms < cc->max_rms,
			      "%s wav rms %f", cc->name, best_rms);
		ck_assert(p > 10 * plo && p > 10 * phi);
	}
	free(buf);
}
END_TEST

/* ---- RFC 4733 ---- */

START_TEST(dtmf_once_per_digit)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	static const char digits[] = "159#*D0";
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	unsigned got = 0, start;
	int i;

	base_cfg(&ca, "tone:440", "null");
	base_cfg(&cb, "null", "null");
	a.eng = mk_engine(&ca, 1);
	b.eng = mk_engine(&cb, 1);
	call(&a, &b, 1, c, 0);
	ck_assert_int_ge(wait_ev(b.eng, &b.log, SL_MEV_STARTED, 0, 2000), 0);
	for (const char *d = digits; *d; d++)
		ck_assert_int_eq(sl__media_stream_dtmf(a.eng, a.stream, *d,
						       *d == '0' ? 240 : 0),
				 0);
	start = b.log.n;
	for (unsigned k = 0; k < sizeof(digits) - 1; k++) {
		i = wait_ev(b.eng, &b.log, SL_MEV_DTMF, start, 5000);
		ck_assert_int_ge(i, 0);
		ck_assert_int_eq(b.log.ev[i].digit, digits[k]);
		ck_assert_int_eq(b.log.ev[i].session, 2);
		ck_assert_int_eq(b.log.ev[i].stream, b.stream);
		/* The configured 100 ms (240 ms for the last), rounded up
		 * to whole 20 ms packets. */
		if (digits[k] == '0')
			ck_assert_uint_eq(b.log.ev[i].duration_ms, 240);
		else
			ck_assert_uint_eq(b.log.ev[i].duration_ms, 100);
		start = (unsigned)i + 1;
		got++;
	}
	ck_assert_uint_eq(got, sizeof(digits) - 1);
	/* Nothing more comes: the end packets are sent three times each,
	 * and the 1 s end timeout must not report a digit again. */
	ck_assert_int_lt(wait_ev(b.eng, &b.log, SL_MEV_DTMF, start, 1500), 0);
	ck_assert_uint_eq(count_ev(&b.log, SL_MEV_DTMF, 0),
			  sizeof(digits) - 1);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* A DTMF burst in the middle of audio: the sender pauses its audio for
 * each tone and spends sequence numbers on the events (RFC 4733
 * §2.5.1.1), which the receiver must take for neither loss nor buffered
 * audio. Afterwards B's depth is back where it was (each digit used to
 * leave 40 ms more), little was concealed or dropped, each digit came
 * once. */
START_TEST(dtmf_keeps_delay)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	static const char digits[] = "0123456789";
	enum { N = sizeof(digits) - 1 };
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	struct sl_call_stats st, before;
	unsigned pre = 0, start;
	uint64_t end;
	int i;

	base_cfg(&ca, "tone:440", "null");
	base_cfg(&cb, "null", "null");
	a.eng = mk_engine(&ca, 1);
	b.eng = mk_engine(&cb, 1);
	call(&a, &b, 1, c, 0);
	ck_assert_int_ge(wait_ev(b.eng, &b.log, SL_MEV_STARTED, 0, 2000), 0);
	end = now_ms() + 5000;
	do {
		poll(NULL, 0, 20);
		ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st),
				 0);
	} while (st.rx_packets < 40 && now_ms() < end);
	ck_assert_uint_ge(st.rx_packets, 40);
	/* The settled depth: the largest of a few samples. */
	for (int k = 0; k < 10; k++) {
		poll(NULL, 0, 30);
		ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st),
				 0);
		if (st.jb_delay_ms > pre)
			pre = st.jb_delay_ms;
	}
	before = st;
	start = b.log.n;
	for (const char *d = digits; *d; d++)
		ck_assert_int_eq(sl__media_stream_dtmf(a.eng, a.stream, *d, 0),
				 0);
	for (unsigned k = 0; k < N; k++) {
		i = wait_ev(b.eng, &b.log, SL_MEV_DTMF, start, 5000);
		ck_assert_int_ge(i, 0);
		ck_assert_int_eq(b.log.ev[i].digit, digits[k]);
		start = (unsigned)i + 1;
	}
	/* Audio again: the depth comes back to where it was. */
	end = now_ms() + 3000;
	do {
		poll(NULL, 0, 30);
		ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st),
				 0);
	} while (st.jb_delay_ms > pre + 20 && now_ms() < end);
	ck_assert_msg(st.jb_delay_ms <= pre + 20, "depth %u ms, was %u ms",
		      st.jb_delay_ms, pre);
	/* Still there a second later (no digit reported twice either). */
	ck_assert_int_lt(wait_ev(b.eng, &b.log, SL_MEV_DTMF, start, 1000), 0);
	ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st), 0);
	ck_assert_msg(st.jb_delay_ms <= pre + 20, "depth %u ms, was %u ms",
		      st.jb_delay_ms, pre);
	ck_assert_uint_eq(count_ev(&b.log, SL_MEV_DTMF, 0), N);
	ck_assert_msg(st.concealed - before.concealed <= 2 * N,
		      "concealed %llu",
		      (unsigned long long)(st.concealed - before.concealed));
	/* Counting the events' numbers as audio made the depth look
	 * deeper and dropped real audio (6 frames for these 10 digits);
	 * one scheduling hiccup of a loaded machine may cost a frame. */
	ck_assert_msg(st.discarded - before.discarded <= 3,
		      "discarded %llu",
		      (unsigned long long)(st.discarded - before.discarded));
	ck_assert_uint_le(st.late - before.late, 2);
	stop_wait(&a, NULL);
	stop_wait(&b, NULL);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* ---- RTCP ---- */

START_TEST(rtcp_gives_rtt)
{
	const struct sl_codec *c = sl_codec_find("PCMA", 8000);
	int mux = _i;
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	struct sl_call_stats sa, sb;
	uint64_t end;

	base_cfg(&ca, "tone:1000", "null");
	base_cfg(&cb, "tone:700", "null");
	a.eng = mk_engine(&ca, 1);
	b.eng = mk_engine(&cb, 1);
	call(&a, &b, mux, c, 8);
	/* First reports come after 1-3 s, the next 2-6 s later; both
	 * sides send, so both learn the round trip. */
	end = now_ms() + 20000;
	do {
		poll(NULL, 0, 50);
		ck_assert_int_eq(sl__media_stream_stats(a.eng, a.stream, &sa),
				 0);
		ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &sb),
				 0);
	} while ((sa.rtt_ms < 0 || sb.rtt_ms < 0) && now_ms() < end);
	ck_assert_msg(sa.rtt_ms >= 0 && sb.rtt_ms >= 0, "rtt %f %f",
		      sa.rtt_ms, sb.rtt_ms);
	/* Loopback: well under 100 ms even on a loaded machine. */
	ck_assert(sa.rtt_ms < 100 && sb.rtt_ms < 100);
	ck_assert(sa.remote_loss_pct >= 0 && sa.remote_loss_pct < 5);
	stop_wait(&a, NULL);
	stop_wait(&b, NULL);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* ---- symmetric RTP ---- */

START_TEST(latching)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	struct sl_stream_params p;
	struct sl_call_stats st;
	struct sockaddr_in dummy_addr = loopback(0);
	socklen_t dl = sizeof(dummy_addr);
	int dummy, i;
	char want[32];

	base_cfg(&ca, "tone:1000", "null");
	base_cfg(&cb, "tone:500", "null");
	a.eng = mk_engine(&ca, 1);
	b.eng = mk_engine(&cb, 1);
	/* B is told A is at a port nobody sends from (a NAT in between
	 * would do that): B must answer where A's packets come from. */
	dummy = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(dummy, 0);
	ck_assert_int_eq(bind(dummy, (struct sockaddr *)&dummy_addr, dl), 0);
	ck_assert_int_eq(getsockname(dummy, (struct sockaddr *)&dummy_addr,
				     &dl), 0);
	open_socks(&a, 1);
	open_socks(&b, 1);
	mk_params(&p, 1, &a, b.port, 1, c, 0);
	a.stream = sl__media_stream_start(a.eng, &p);
	ck_assert_int_ge(a.stream, 0);
	hook(&a, &obs_a);
	mk_params(&p, 2, &b, ntohs(dummy_addr.sin_port), 1, c, 0);
	b.stream = sl__media_stream_start(b.eng, &p);
	ck_assert_int_ge(b.stream, 0);
	i = wait_ev(b.eng, &b.log, SL_MEV_LATCHED, 0, 3000);
	ck_assert_int_ge(i, 0);
	snprintf(want, sizeof(want), "127.0.0.1:%u", (unsigned)a.port);
	ck_assert_str_eq(b.log.ev[i].stats.remote_rtp, want);
	ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st), 0);
	ck_assert_str_eq(st.remote_rtp, want);
	/* And B's 500 Hz now reaches A. */
	ck_assert_uint_ge(obs_wait(&obs_a, 0, 8000, 4000), 8000);
	{
		int dom;
		double rms = obs_tone(&obs_a, 500, &dom, 300);

		ck_assert(dom);
		ck_assert(rms > 3000);
	}
	/* Only one latch: A never moved. */
	ck_assert_uint_eq(count_ev(&b.log, SL_MEV_LATCHED, 0), 1);
	stop_wait(&a, NULL);
	stop_wait(&b, NULL);
	close(dummy);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* ---- media timeout ---- */

START_TEST(media_timeout)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	struct sl_stream_params p;
	int i, j;

	base_cfg(&ca, "tone:1000", "null");
	base_cfg(&cb, "null", "null");
	cb.media_timeout_ms = 300;
	a.eng = mk_engine(&ca, 2);
	b.eng = mk_engine(&cb, 1);
	call(&a, &b, 1, c, 0);
	ck_assert_int_ge(wait_ev(b.eng, &b.log, SL_MEV_STARTED, 0, 2000), 0);
	/* While A sends there is no timeout. */
	ck_assert_int_lt(wait_ev(b.eng, &b.log, SL_MEV_TIMEOUT, 0, 600), 0);
	stop_wait(&a, NULL);
	i = wait_ev(b.eng, &b.log, SL_MEV_TIMEOUT, 0, 3000);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(b.log.ev[i].session, 2);
	/* Once only. */
	ck_assert_int_lt(wait_ev(b.eng, &b.log, SL_MEV_TIMEOUT,
				 (unsigned)i + 1, 700), 0);
	/* A comes back from another port: B re-latches, the timeout
	 * re-arms and fires again when A goes quiet. */
	open_socks(&a, 1);
	mk_params(&p, 3, &a, b.port, 1, c, 0);
	a.stream = sl__media_stream_start(a.eng, &p);
	ck_assert_int_ge(a.stream, 0);
	j = wait_ev(b.eng, &b.log, SL_MEV_LATCHED, (unsigned)i + 1, 3000);
	ck_assert_int_ge(j, 0);
	a.log.n = 0;
	stop_wait(&a, NULL);
	j = wait_ev(b.eng, &b.log, SL_MEV_TIMEOUT, (unsigned)j + 1, 3000);
	ck_assert_int_ge(j, 0);
	stop_wait(&b, NULL);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* ---- injected loss ---- */

START_TEST(rx_loss_counted)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	struct sl_call_stats st;
	uint64_t end;
	double pct;

	base_cfg(&ca, "tone:1000", "null");
	base_cfg(&cb, "null", "null");
	a.eng = mk_engine(&ca, 1);
	b.eng = mk_engine(&cb, 1);
	ck_assert_int_eq(sl__media_engine_rx_loss(b.eng, 50, 12345), 0);
	call(&a, &b, 1, c, 0);
	end = now_ms() + 10000;
	do {
		poll(NULL, 0, 50);
		ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st),
				 0);
	} while (st.rx_packets < 250 && now_ms() < end);
	ck_assert_uint_ge(st.rx_packets, 250);
	pct = 100.0 * (double)st.lost / (double)(st.rx_packets + st.lost);
	ck_assert_msg(pct > 2.0 && pct < 9.0, "loss %f%% (%lld of %llu)", pct,
		      (long long)st.lost, (unsigned long long)st.rx_packets);
	ck_assert_uint_gt(st.concealed, 0);
	ck_assert(st.mos < 4.5);
	/* Loss off again: the count stops growing. */
	ck_assert_int_eq(sl__media_engine_rx_loss(b.eng, 0, 0), 0);
	stop_wait(&a, NULL);
	stop_wait(&b, NULL);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* ---- per-stream controls and hooks ---- */

START_TEST(controls)
{
	const struct sl_codec *c = sl_codec_find("L16", 16000);
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	size_t n;
	double full, half, muted;
	int dom;

	base_cfg(&ca, "tone:1000@-10", "null");
	base_cfg(&cb, "null", "null");
	a.eng = mk_engine(&ca, 1);
	b.eng = mk_engine(&cb, 1);
	call(&a, &b, 1, c, 96);
	hook(&b, &obs_b);
	hook(&a, &obs_a);
	n = obs_wait(&obs_b, 0, 16000, 4000);
	full = obs_tone(&obs_b, 1000, &dom, 200);
	ck_assert(dom && full > 5000);
	/* Half the gain on what A sends. */
	ck_assert_int_eq(sl__media_stream_control(a.eng, a.stream,
						  SL_MCTL_SCALING, 100, 50,
						  NULL, NULL), 0);
	n = obs_wait(&obs_b, n, 8000, 4000);
	half = obs_tone(&obs_b, 1000, &dom, 200);
	ck_assert_msg(half > full * 0.4 && half < full * 0.6, "%f %f", half,
		      full);
	/* Muted: silence is sent (the packets keep flowing). */
	ck_assert_int_eq(sl__media_stream_control(a.eng, a.stream,
						  SL_MCTL_MUTE, SL_MUTE_OUT, 0,
						  NULL, NULL), 0);
	n = obs_wait(&obs_b, n, 8000, 4000);
	muted = obs_tone(&obs_b, 1000, &dom, 200);
	ck_assert_msg(muted < 50, "muted rms %f", muted);
	ck_assert_uint_gt(atomic_load(&obs_a.rtp_tx), 50);
	/* Unmuted, unscaled. */
	ck_assert_int_eq(sl__media_stream_control(a.eng, a.stream,
						  SL_MCTL_MUTE, 0, 0, NULL,
						  NULL), 0);
	ck_assert_int_eq(sl__media_stream_control(a.eng, a.stream,
						  SL_MCTL_SCALING, 100, 100,
						  NULL, NULL), 0);
	n = obs_wait(&obs_b, n, 8000, 4000);
	full = obs_tone(&obs_b, 1000, &dom, 200);
	ck_assert(dom && full > 5000);
	/* Hook removed: packets keep coming, no more audio through it. */
	ck_assert_int_eq(sl__media_stream_control(b.eng, b.stream,
						  SL_MCTL_AUDIO_CB, 0, 0,
						  NULL, NULL), 0);
	{
		unsigned long rx = atomic_load(&obs_b.rtp_rx);
		uint64_t end = now_ms() + 4000;

		/* Once the removal is surely applied (a packet later)... */
		while (atomic_load(&obs_b.rtp_rx) < rx + 2 && now_ms() < end)
			poll(NULL, 0, 5);
		n = atomic_load(&obs_b.n);
		rx = atomic_load(&obs_b.rtp_rx);
		/* ...ten more packets bring no audio through the hook. */
		while (atomic_load(&obs_b.rtp_rx) < rx + 10 && now_ms() < end)
			poll(NULL, 0, 5);
		ck_assert_uint_ge(atomic_load(&obs_b.rtp_rx), rx + 10);
		ck_assert_uint_eq(atomic_load(&obs_b.n), n);
	}
	/* Engine-wide: volume, mute and loopback are accepted. */
	ck_assert_int_eq(sl__media_engine_control(a.eng, SL_MG_VOLUME, 128,
						  255), 0);
	ck_assert_int_eq(sl__media_engine_control(a.eng, SL_MG_MUTE,
						  SL_MUTE_OUT, 0), 0);
	ck_assert_int_eq(sl__media_engine_control(a.eng, SL_MG_LOOPBACK, 1,
						  0), 0);
	ck_assert_int_eq(sl__media_engine_control(a.eng, SL_MG_LOOPBACK, 0,
						  0), 0);
	ck_assert_int_eq(sl__media_engine_control(a.eng, SL_MG_MUTE, 0, 0),
			 0);
	stop_wait(&a, NULL);
	stop_wait(&b, NULL);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* ---- keep-alive ---- */

START_TEST(keepalive_while_silent)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	struct side a = { 0 };
	struct sl_media_config ca;
	struct sl_stream_params p;
	struct sockaddr_in sink = loopback(0);
	socklen_t sl = sizeof(sink);
	int fd, got = 0;
	uint8_t buf[256];

	base_cfg(&ca, "tone:1000", "null");
	ca.keepalive_ms = 50;
	ca.keepalive_pt = 13;
	a.eng = mk_engine(&ca, 1);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sink, sl), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sink, &sl), 0);
	open_socks(&a, 1);
	mk_params(&p, 1, &a, ntohs(sink.sin_port), 1, c, 0);
	p.send = 0;     /* on hold: recvonly */
	a.stream = sl__media_stream_start(a.eng, &p);
	ck_assert_int_ge(a.stream, 0);
	for (uint64_t end = now_ms() + 3000; got < 3 && now_ms() < end;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n >= 2 && (buf[1] & 0xc0) == 0xc0)
			continue;       /* RTCP (mux) */
		/* An empty RTP packet of payload type 13, no marker. */
		ck_assert_int_eq(n, 12);
		ck_assert_int_eq(buf[0] >> 6, 2);
		ck_assert_int_eq(buf[1], 13);
		got++;
	}
	ck_assert_int_eq(got, 3);
	stop_wait(&a, NULL);
	close(fd);
	sl__media_engine_destroy(a.eng);
}
END_TEST

/* ---- several media threads ---- */

START_TEST(media_threads)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	const struct sl_codec *g = sl_codec_find("G722", 8000);
	struct side a1 = { 0 }, b1 = { 0 }, a2 = { 0 }, b2 = { 0 };
	struct sl_media_config ca, cb;
	int dom;
	double rms;

	base_cfg(&ca, "tone:1000", "null");
	base_cfg(&cb, "null", "null");
	ca.media_threads = 3;
	cb.media_threads = 2;
	a1.eng = a2.eng = mk_engine(&ca, 4);
	b1.eng = b2.eng = mk_engine(&cb, 4);
	call(&a1, &b1, 1, c, 0);
	call(&a2, &b2, 0, g ? g : c, g ? 9 : 0);
	hook(&b1, &obs_b);
	hook(&b2, &obs_c);
	ck_assert_uint_ge(obs_wait(&obs_b, 0, 8000, 4000), 8000);
	ck_assert_uint_ge(obs_wait(&obs_c, 0, 16000, 4000), 16000);
	rms = obs_tone(&obs_b, 1000, &dom, 300);
	ck_assert(dom && rms > 5000);
	rms = obs_tone(&obs_c, 1000, &dom, 300);
	ck_assert(dom && rms > 4000);
	/* DTMF through a stream on the second thread. */
	ck_assert_int_eq(sl__media_stream_dtmf(a2.eng, a2.stream, '7', 0), 0);
	{
		int i = wait_ev(b2.eng, &b2.log, SL_MEV_DTMF, 0, 3000);

		ck_assert_int_ge(i, 0);
		ck_assert_int_eq(b2.log.ev[i].digit, '7');
		ck_assert_int_eq(b2.log.ev[i].stream, b2.stream);
	}
	/* Events of both streams come through one event fd; stopping one
	 * leaves the other running. */
	stop_wait(&a1, NULL);
	a2.log = a1.log;
	ck_assert_int_eq(sl__media_stream_stop(a2.eng, a2.stream), 0);
	ck_assert_int_ge(wait_ev(a2.eng, &a2.log, SL_MEV_STOPPED,
				 a1.log.n, 3000), 0);
	ck_assert_int_eq(sl__media_stream_stop(b1.eng, b1.stream), 0);
	ck_assert_int_eq(sl__media_stream_stop(b2.eng, b2.stream), 0);
	ck_assert_int_ge(wait_ev(b1.eng, &b1.log, SL_MEV_STOPPED, 0, 3000),
			 0);
	sl__media_engine_destroy(a1.eng);
	sl__media_engine_destroy(b1.eng);
}
END_TEST

/* ---- what the local speaker hears: DTMF tone, loopback ---- */

/* The strongest @win-sample window of @x for the sum of @f1 and @f2;
 * returns whether both beat 1 kHz-away neighbours tenfold there. */
static int find_pair(const int16_t *x, size_t n, size_t win, double f1,
		     double f2)
{
	double best = 0;
	size_t at = 0;

	for (size_t i = 0; i + win <= n; i += win / 2) {
		double v = goertzel(x + i, win, f1, 16000) +
			   goertzel(x + i, win, f2, 16000);

		if (v > best) {
			best = v;
			at = i;
		}
	}
	if (best <= 0)
		return 0;
	x += at;
	return goertzel(x, win, f1, 16000) >
		       10 * goertzel(x, win, f1 + 400, 16000) &&
	       goertzel(x, win, f2, 16000) >
		       10 * goertzel(x, win, f2 + 400, 16000);
}

static int16_t *read_wav(const char *path, size_t *n)
{
	struct sl_wav_reader rd;
	int16_t *buf;
	int got;

	ck_assert_int_eq(sl__wav_reader_open(&rd, path), 0);
	ck_assert_uint_eq(rd.rate, 16000);
	buf = calloc(rd.frames + 1, sizeof(*buf));
	ck_assert_ptr_nonnull(buf);
	got = sl__wav_read(&rd, buf, rd.frames);
	ck_assert_int_ge(got, 0);
	sl__wav_reader_close(&rd);
	unlink(path);
	*n = (size_t)got;
	return buf;
}

START_TEST(local_sound)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	struct side a = { 0 }, b = { 0 };
	struct sl_media_config ca, cb;
	char wav_a[64], wav_b[64];
	int16_t *x;
	size_t n;
	int i;

	snprintf(wav_a, sizeof(wav_a), "/tmp/check_media_%d_la.wav",
		 (int)getpid());
	snprintf(wav_b, sizeof(wav_b), "/tmp/check_media_%d_lb.wav",
		 (int)getpid());
	/* A plays its own DTMF tones; B plays its microphone (loopback)
	 * with no call at all. */
	base_cfg(&ca, "null", "");
	snprintf(ca.playback_dev, sizeof(ca.playback_dev), "wav:%s", wav_a);
	ca.dtmf_local_tone = 1;
	base_cfg(&cb, "tone:1000", "");
	snprintf(cb.playback_dev, sizeof(cb.playback_dev), "wav:%s", wav_b);
	a.eng = mk_engine(&ca, 1);
	b.eng = mk_engine(&cb, 1);
	ck_assert_int_eq(sl__media_engine_control(b.eng, SL_MG_LOOPBACK, 1,
						  0), 0);
	call(&a, &b, 1, c, 0);
	hook(&a, &obs_a);
	ck_assert_int_eq(sl__media_stream_dtmf(a.eng, a.stream, '1', 200), 0);
	i = wait_ev(b.eng, &b.log, SL_MEV_DTMF, 0, 3000);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(b.log.ev[i].digit, '1');
	/* Half a second more of the call on A's speaker (4000 samples of
	 * B's audio decoded at 8 kHz). */
	ck_assert_uint_ge(obs_wait(&obs_a, atomic_load(&obs_a.n), 4000,
				   3000), 4000);
	stop_wait(&a, NULL);
	stop_wait(&b, NULL);
	sl__media_engine_destroy(a.eng);
	sl__media_engine_destroy(b.eng);

	/* '1' is 697 + 1209 Hz (RFC 4733 §3.2 / Q.23). */
	x = read_wav(wav_a, &n);
	ck_assert_uint_gt(n, 3200);
	ck_assert(find_pair(x, n, 640, 697, 1209));
	free(x);
	/* B's speaker got its own 1 kHz microphone. */
	x = read_wav(wav_b, &n);
	ck_assert_uint_gt(n, 3200);
	ck_assert(find_pair(x, n, 640, 1000, 1000));
	ck_assert(rms_of(x + n / 2, 1600) > 3000);
	free(x);
}
END_TEST

/* ---- a hand-made peer: CN, duplicates, junk, lost DTMF ends, SSRC
 * change, re-targeting and hold ---- */

struct raw {
	int fd;                 /* our socket */
	int tfd;                /* 20 ms packet clock */
	uint16_t to;            /* the engine's RTP port */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	double phase;
	const struct sl_codec *c;
};

static int raw_socket(uint16_t *port)
{
	struct sockaddr_in a = loopback(0);
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, l), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void raw_send(struct raw *r, uint8_t pt, int marker, uint32_t ts,
		     const uint8_t *payload, size_t len)
{
	uint8_t pkt[512];
	struct sockaddr_in to = loopback(r->to);

	ck_assert_uint_le(len, sizeof(pkt) - 12);
	ck_assert_int_eq(sl__rtp_write_hdr(pkt, sizeof(pkt), pt, marker,
					   r->seq++, ts, r->ssrc), 12);
	memcpy(pkt + 12, payload, len);
	ck_assert_int_eq(sendto(r->fd, pkt, 12 + len, 0,
				(struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)(12 + len));
}

/* Waits for the next 20 ms of the packet clock. */
static void raw_tick(struct raw *r)
{
	uint64_t v;

	ck_assert_int_eq(read(r->tfd, &v, sizeof(v)), sizeof(v));
}

/* One 20 ms PCMU packet of a @hz sine at -10 dBFS. */
static void raw_audio(struct raw *r, double hz, int marker)
{
	int16_t pcm[160];
	uint8_t enc[160];

	for (int i = 0; i < 160; i++) {
		pcm[i] = (int16_t)(10362 * sin(r->phase));
		r->phase += 2 * M_PI * hz / 8000;
	}
	ck_assert_int_eq(r->c->encode(enc, pcm, 160, enc, sizeof(enc)), 160);
	raw_send(r, 0, marker, r->ts, enc, 160);
	r->ts += 160;
}

static void raw_event(struct raw *r, uint32_t ts, uint8_t code, int end,
		      uint16_t dur, int marker)
{
	struct sl_tel_event e = { code, end, 10, dur };
	uint8_t p[4];

	ck_assert_int_eq(sl__tel_event_write(p, sizeof(p), &e), 4);
	raw_send(r, 101, marker, ts, p, 4);
}

/* Counts RTP packets of payload type @pt waiting on @fd. */
static unsigned drain_pt(int fd, uint8_t pt)
{
	uint8_t buf[2048];
	unsigned n = 0;
	ssize_t got;

	while ((got = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (got >= 12 && (buf[1] & 0x7f) == pt &&
		    !(buf[1] >= 192 && buf[1] <= 223))
			n++;
	return n;
}

START_TEST(raw_peer)
{
	struct side b = { 0 };
	struct sl_media_config cb;
	struct sl_stream_params p;
	struct sl_call_stats st;
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	struct raw r = { 0 };
	uint16_t port2;
	int fd2, dom, i;
	unsigned from;
	uint8_t junk[16] = { 0x80, 0x00, 0x01 };
	uint8_t cn[1] = { 40 };
	double rms;
	uint32_t t1, t2, t3;
	uint64_t end;

	r.c = sl_codec_find("PCMU", 8000);
	base_cfg(&cb, "tone:700", "null");
	b.eng = mk_engine(&cb, 1);
	r.fd = raw_socket(&port2);
	fd2 = raw_socket(&port2);
	{
		struct sockaddr_in a;
		socklen_t l = sizeof(a);

		ck_assert_int_eq(getsockname(r.fd, (struct sockaddr *)&a, &l),
				 0);
		open_socks(&b, 1);
		mk_params(&p, 7, &b, ntohs(a.sin_port), 1, r.c, 0);
	}
	b.stream = sl__media_stream_start(b.eng, &p);
	ck_assert_int_ge(b.stream, 0);
	hook(&b, &obs_b);
	r.to = b.port;
	r.ssrc = 0x11111111;
	r.seq = 65500;          /* wraps during the test */
	r.ts = 0xffff0000u;
	r.tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	ck_assert_int_ge(r.tfd, 0);
	ck_assert_int_eq(timerfd_settime(r.tfd, 0, &its, NULL), 0);

	/* 1.2 s of a 1 kHz tone, one packet twice, junk in between. */
	for (i = 0; i < 60; i++) {
		raw_tick(&r);
		raw_audio(&r, 1000, i == 0);
		if (i == 10) {
			r.seq--;
			r.ts -= 160;
			raw_audio(&r, 1000, 0);
		}
		if (i == 20) {
			struct sockaddr_in to = loopback(r.to);

			sendto(r.fd, junk, 3, 0, (struct sockaddr *)&to,
			       sizeof(to));
			junk[0] = 0x40; /* version 1 */
			sendto(r.fd, junk, 12, 0, (struct sockaddr *)&to,
			       sizeof(to));
			raw_send(&r, 77, 0, r.ts, junk, 16);
		}
	}
	rms = obs_tone(&obs_b, 1000, &dom, 300);
	ck_assert(dom && rms > 5000);
	ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st), 0);
	ck_assert_uint_ge(st.duplicate, 1);
	/* PT 77 took a sequence number; nothing else was lost. */
	ck_assert_int_le(st.lost, 1);

	/* Comfort noise at -40 dBov (RMS 328), a SID every 200 ms. */
	for (i = 0; i < 40; i++) {
		raw_tick(&r);
		if (i % 10 == 0)
			raw_send(&r, 13, i == 0, r.ts, cn, 1);
		r.ts += 160;
	}
	/* The level says it is the noise: the tone (RMS 7300) is gone and
	 * silence would be 0. */
	rms = obs_tone(&obs_b, 1000, &dom, 300);
	ck_assert_msg(rms > 200 && rms < 600, "cn rms %f", rms);

	/* DTMF: '3' loses its end packets, '4' is complete (three ends),
	 * '6' loses its ends and nothing follows it. */
	from = b.log.n;
	t1 = r.ts;
	for (i = 1; i <= 3; i++) {
		raw_tick(&r);
		raw_event(&r, t1, 3, 0, (uint16_t)(160 * i), i == 1);
		r.ts += 160;
	}
	t2 = r.ts;
	for (i = 1; i <= 3; i++) {
		raw_tick(&r);
		raw_event(&r, t2, 4, i == 3, (uint16_t)(160 * i), i == 1);
		if (i == 3) {
			raw_event(&r, t2, 4, 1, 480, 0);
			raw_event(&r, t2, 4, 1, 480, 0);
		}
		r.ts += 160;
	}
	t3 = r.ts;
	for (i = 1; i <= 2; i++) {
		raw_tick(&r);
		raw_event(&r, t3, 6, 0, (uint16_t)(160 * i), i == 1);
		r.ts += 160;
	}
	/* Audio again (same sender) until '6' times out. */
	for (i = 0; i < 70; i++) {
		raw_tick(&r);
		raw_audio(&r, 1000, i == 0);
		sl__media_engine_drain(b.eng, on_event, &b.log);
		if (count_ev(&b.log, SL_MEV_DTMF, from) == 3)
			break;
	}
	i = wait_ev(b.eng, &b.log, SL_MEV_DTMF, from, 100);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(b.log.ev[i].digit, '3');
	ck_assert_uint_eq(b.log.ev[i].duration_ms, 60);
	i = wait_ev(b.eng, &b.log, SL_MEV_DTMF, (unsigned)i + 1, 100);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(b.log.ev[i].digit, '4');
	ck_assert_uint_eq(b.log.ev[i].duration_ms, 60);
	i = wait_ev(b.eng, &b.log, SL_MEV_DTMF, (unsigned)i + 1, 100);
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(b.log.ev[i].digit, '6');
	ck_assert_uint_eq(b.log.ev[i].duration_ms, 40);
	ck_assert_uint_eq(count_ev(&b.log, SL_MEV_DTMF, from), 3);

	/* A new SSRC with its own sequence: a 500 Hz tone now plays. */
	r.ssrc = 0x22222222;
	r.seq = 40000;
	r.ts = 99999;
	for (i = 0; i < 50; i++) {
		raw_tick(&r);
		raw_audio(&r, 500, i == 0);
	}
	rms = obs_tone(&obs_b, 500, &dom, 300);
	ck_assert(dom && rms > 5000);

	/* Re-INVITE to another address: B's RTP goes there now. */
	{
		struct sockaddr_in a = loopback(port2);

		memcpy(&p.remote_rtp, &a, sizeof(a));
		memcpy(&p.remote_rtcp, &a, sizeof(a));
	}
	ck_assert_int_eq(sl__media_stream_update(b.eng, b.stream, &p), 0);
	end = now_ms() + 2000;
	for (unsigned got = 0; got < 5;) {
		ck_assert_uint_lt(now_ms(), end);
		poll(NULL, 0, 20);
		got += drain_pt(fd2, 0);
	}
	/* Hold (sendonly from them: we only receive): no more audio. */
	p.send = 0;
	ck_assert_int_eq(sl__media_stream_update(b.eng, b.stream, &p), 0);
	for (i = 0; i < 5; i++)
		raw_tick(&r);   /* the update has surely been applied */
	drain_pt(fd2, 0);
	for (i = 0; i < 15; i++)
		raw_tick(&r);
	ck_assert_uint_eq(drain_pt(fd2, 0), 0);

	stop_wait(&b, &st);
	ck_assert_uint_gt(st.rx_packets, 150);
	close(r.tfd);
	close(r.fd);
	close(fd2);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* A sender that bursts 400 ms ahead: the jitter buffer goes past
 * jb_max_ms and cuts back at once; the statistics count what it dropped
 * as discarded (neither lost nor late). The engine runs with DSCP
 * marking off (-1, the default), which must not trip UBSan. */
START_TEST(burst_counted_discarded)
{
	struct side b = { 0 };
	struct sl_media_config cb;
	struct sl_stream_params p;
	struct sl_call_stats st;
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	struct raw r = { 0 };
	uint16_t port;
	int dom;
	double rms;
	uint64_t end;

	r.c = sl_codec_find("PCMU", 8000);
	base_cfg(&cb, "null", "null");
	cb.audio_dscp = -1;
	b.eng = mk_engine(&cb, 1);
	r.fd = raw_socket(&port);
	open_socks(&b, 1);
	mk_params(&p, 9, &b, port, 1, r.c, 0);
	b.stream = sl__media_stream_start(b.eng, &p);
	ck_assert_int_ge(b.stream, 0);
	hook(&b, &obs_b);
	r.to = b.port;
	r.ssrc = 0x33333333;
	r.seq = 100;
	r.ts = 8000;
	r.tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	ck_assert_int_ge(r.tfd, 0);
	ck_assert_int_eq(timerfd_settime(r.tfd, 0, &its, NULL), 0);

	for (int i = 0; i < 25; i++) {
		raw_tick(&r);
		raw_audio(&r, 1000, i == 0);
	}
	ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st), 0);
	ck_assert_uint_eq(st.discarded, 0);
	for (int i = 0; i < 20; i++)
		raw_audio(&r, 1000, 0);
	/* Then in time again, so the depth stays where the cut left it. */
	end = now_ms() + 3000;
	do {
		raw_tick(&r);
		raw_audio(&r, 1000, 0);
		ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st),
				 0);
	} while (st.discarded == 0 && now_ms() < end);
	ck_assert_uint_ge(st.discarded, 5);
	for (int i = 0; i < 10; i++) {
		raw_tick(&r);
		raw_audio(&r, 1000, 0);
	}
	ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st), 0);
	ck_assert_int_eq(st.lost, 0);
	ck_assert_uint_eq(st.late, 0);
	ck_assert_uint_le(st.jb_delay_ms, cb.jb_max_ms);
	rms = obs_tone(&obs_b, 1000, &dom, 100);
	ck_assert(dom && rms > 5000);
	stop_wait(&b, &st);
	ck_assert_uint_ge(st.discarded, 5);
	close(r.tfd);
	close(r.fd);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* The RTP socket is connected once latching settles (stream.c); a peer
 * that then moves to another port (a NAT rebinding) is still heard and
 * latched to, once 300 ms without RTP have disconnected the socket, and
 * audio flows both ways again. What came meanwhile is lost. */
START_TEST(relatch_after_move)
{
	struct side b = { 0 };
	struct sl_media_config cb;
	struct sl_stream_params p;
	struct sl_call_stats st;
	struct itimerspec its = { { 0, 20000000 }, { 0, 20000000 } };
	struct raw r = { 0 };
	uint16_t port1, port2;
	int fd2, i, dom;
	char want[32];
	double rms;
	unsigned got = 0;

	r.c = sl_codec_find("PCMU", 8000);
	base_cfg(&cb, "tone:700", "null");
	b.eng = mk_engine(&cb, 1);
	r.fd = raw_socket(&port1);
	fd2 = raw_socket(&port2);
	open_socks(&b, 1);
	mk_params(&p, 5, &b, port1, 1, r.c, 0);
	b.stream = sl__media_stream_start(b.eng, &p);
	ck_assert_int_ge(b.stream, 0);
	hook(&b, &obs_b);
	r.to = b.port;
	r.ssrc = 0x44444444;
	r.seq = 7;
	r.ts = 1600;
	r.tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	ck_assert_int_ge(r.tfd, 0);
	ck_assert_int_eq(timerfd_settime(r.tfd, 0, &its, NULL), 0);
	/* A second from where the SDP said: settled, connected. */
	for (i = 0; i < 50; i++) {
		raw_tick(&r);
		raw_audio(&r, 1000, i == 0);
		drain_pt(r.fd, 0);
	}
	ck_assert_uint_eq(count_ev(&b.log, SL_MEV_LATCHED, 0), 0);
	/* The same peer, same stream, from another port from now on. */
	{
		int t = r.fd;

		r.fd = fd2;
		fd2 = t;
	}
	snprintf(want, sizeof(want), "127.0.0.1:%u", (unsigned)port2);
	for (i = 0; i < 150; i++) {
		raw_tick(&r);
		raw_audio(&r, 1000, 0);
		sl__media_engine_drain(b.eng, on_event, &b.log);
		if (count_ev(&b.log, SL_MEV_LATCHED, 0))
			break;
	}
	i = wait_ev(b.eng, &b.log, SL_MEV_LATCHED, 0, 100);
	ck_assert_int_ge(i, 0);
	ck_assert_str_eq(b.log.ev[i].stats.remote_rtp, want);
	/* B's audio goes to the new port, and the peer's audio plays. */
	for (i = 0; i < 50; i++) {
		raw_tick(&r);
		raw_audio(&r, 1000, 0);
		got += drain_pt(r.fd, 0);
	}
	ck_assert_uint_gt(got, 20);
	rms = obs_tone(&obs_b, 1000, &dom, 300);
	ck_assert(dom && rms > 5000);
	ck_assert_int_eq(sl__media_stream_stats(b.eng, b.stream, &st), 0);
	ck_assert_str_eq(st.remote_rtp, want);
	ck_assert_msg(st.lost > 0 && st.lost <= 30, "lost %lld",
		      (long long)st.lost);
	stop_wait(&b, NULL);
	close(r.tfd);
	close(r.fd);
	close(fd2);
	sl__media_engine_destroy(b.eng);
}
END_TEST

/* ---- creation failing at every allocation ---- */

START_TEST(alloc_failures)
{
	const struct sl_codec *c = sl_codec_find("G722", 8000);
	struct sl_media_config cfg;
	struct sl_media_engine *e = NULL;
	struct sl_stream_params p;
	struct side a = { 0 };
	size_t base = sl__mem_in_use();
	unsigned n;
	int rc;

	base_cfg(&cfg, "tone:1000", "null");
	cfg.media_threads = 2;
	for (n = 1; n < 500; n++) {
		sl__mem_fail_after(n);
		rc = sl__media_engine_create(&cfg, 2, &e);
		sl__mem_fail_after(0);
		if (rc == 0)
			break;
		ck_assert_int_lt(rc, 0);
		ck_assert_ptr_null(e);
		/* Whatever was taken before the failure is given back. */
		ck_assert_uint_eq(sl__mem_in_use(), base);
	}
	ck_assert_uint_gt(n, 1);
	ck_assert_ptr_nonnull(e);
	/* A stream whose resamplers cannot be made (G.722 is 16 kHz like
	 * the device: use PCMU, which needs them). */
	c = sl_codec_find("PCMU", 8000);
	a.eng = e;
	open_socks(&a, 1);
	mk_params(&p, 1, &a, 9, 1, c, 0);
	sl__mem_fail_after(1);
	rc = sl__media_stream_start(e, &p);
	sl__mem_fail_after(0);
	ck_assert_int_eq(rc, SL_ENOMEM);
	/* The slot was not lost. */
	a.stream = sl__media_stream_start(e, &p);
	ck_assert_int_ge(a.stream, 0);
	stop_wait(&a, NULL);
	sl__media_engine_destroy(e);
	ck_assert_uint_eq(sl__mem_in_use(), base);
}
END_TEST

/* ---- errors ---- */

START_TEST(errors)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);
	const struct sl_codec *l16_48 = sl_codec_find("L16", 48000);
	struct sl_media_engine *e = NULL;
	struct sl_media_config cfg, bad;
	struct sl_stream_params p, q;
	struct sl_call_stats st;
	struct side a = { 0 }, b = { 0 };
	struct sockaddr_in lo = loopback(0);
	int fds[2], blk[2];
	uint16_t port;
	int16_t pcm[160] = { 0 };
	int id, i;

	base_cfg(&cfg, "null", "null");
	ck_assert_int_eq(sl__media_engine_create(NULL, 1, &e), SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_create(&cfg, 1, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_create(&cfg, 0, &e), SL_EINVAL);
	bad = cfg;
	bad.jb_min_ms = 300;
	ck_assert_int_eq(sl__media_engine_create(&bad, 1, &e), SL_EINVAL);
	bad = cfg;
	bad.device_frame_ms = 7;
	ck_assert_int_eq(sl__media_engine_create(&bad, 1, &e), SL_EINVAL);
	bad = cfg;
	bad.media_threads = 99;
	ck_assert_int_eq(sl__media_engine_create(&bad, 1, &e), SL_EINVAL);
	bad = cfg;
	bad.audio_dscp = 64;
	ck_assert_int_eq(sl__media_engine_create(&bad, 1, &e), SL_EINVAL);
	bad = cfg;
	bad.device_rate = 4000;
	ck_assert_int_eq(sl__media_engine_create(&bad, 1, &e), SL_EINVAL);
	bad = cfg;
	snprintf(bad.audio_driver, sizeof(bad.audio_driver), "oss");
	ck_assert_int_eq(sl__media_engine_create(&bad, 1, &e), SL_ENOTFOUND);
	bad = cfg;
	snprintf(bad.capture_dev, sizeof(bad.capture_dev), "nope");
	ck_assert_int_lt(sl__media_engine_create(&bad, 1, &e), 0);
	ck_assert_ptr_null(e);

	ck_assert_int_eq(sl__media_engine_event_fd(NULL), SL_EINVAL);
	sl__media_engine_destroy(NULL);
	sl__media_engine_drain(NULL, on_event, NULL);

	e = mk_engine(&cfg, 1);
	a.eng = e;
	b.eng = e;
	ck_assert_int_ge(sl__media_engine_event_fd(e), 0);
	/* Global controls. */
	ck_assert_int_eq(sl__media_engine_control(NULL, SL_MG_MUTE, 0, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_control(e, SL_MG_MUTE, 4, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_control(e, SL_MG_VOLUME, 256, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_control(e, SL_MG_LOOPBACK, 2, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_control(e, 99, 0, 0), SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_rx_loss(e, 1001, 0), SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_rx_loss(NULL, 1, 0), SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_feed(e, pcm, 160, 8000), SL_ESTATE);
	ck_assert_int_eq(sl__media_engine_feed(e, NULL, 160, 8000),
			 SL_EINVAL);
	ck_assert_int_eq(sl__media_engine_feed(NULL, pcm, 160, 8000),
			 SL_EINVAL);

	/* The "app" capture device takes fed PCM; others refuse it. */
	bad = cfg;
	snprintf(bad.capture_dev, sizeof(bad.capture_dev), "app");
	{
		struct sl_media_engine *app = mk_engine(&bad, 1);

		ck_assert_int_eq(sl__media_engine_feed(app, pcm, 160, 8000),
				 160);
		ck_assert_int_eq(sl__media_engine_feed(app, pcm, 160, 11025),
				 SL_EINVAL);
		sl__media_engine_destroy(app);
	}

	/* IPv6 where the host has it. */
	{
		struct sockaddr_in6 a6;

		memset(&a6, 0, sizeof(a6));
		a6.sin6_family = AF_INET6;
		a6.sin6_addr = in6addr_loopback;
		i = sl__media_sockets_open(e, (struct sockaddr *)&a6,
					   sizeof(a6), PORT_MIN, PORT_MAX, 0,
					   fds, &port);
		ck_assert(i == 0 || i == SL_ETRANSPORT);
		if (i == 0) {
			ck_assert_int_eq(port % 2, 0);
			sl__media_sockets_close(fds);
		}
	}

	/* Sockets. */
	ck_assert_int_eq(sl__media_sockets_open(NULL, (struct sockaddr *)&lo,
						sizeof(lo), 1000, 2000, 0,
						fds, &port), SL_EINVAL);
	ck_assert_int_eq(sl__media_sockets_open(e, NULL, sizeof(lo), 1000,
						2000, 0, fds, &port),
			 SL_EINVAL);
	ck_assert_int_eq(sl__media_sockets_open(e, (struct sockaddr *)&lo,
						sizeof(lo), 3000, 2000, 0,
						fds, &port), SL_EINVAL);
	ck_assert_int_eq(sl__media_sockets_open(e, (struct sockaddr *)&lo,
						sizeof(lo), 0, 2000, 0, fds,
						&port), SL_EINVAL);
	ck_assert_int_eq(sl__media_sockets_open(e, (struct sockaddr *)&lo, 2,
						1000, 2000, 0, fds, &port),
			 SL_EINVAL);
	/* An odd single port has no even RTP port in it. */
	ck_assert_int_eq(sl__media_sockets_open(e, (struct sockaddr *)&lo,
						sizeof(lo), 25001, 25001, 1,
						fds, &port), SL_ELIMIT);
	/* A one-pair range: taken once, then exhausted, then free again;
	 * without mux the pair needs both ports. */
	for (i = 0; i < 200; i++) {
		uint16_t base = (uint16_t)(PORT_MIN + 2 * (rand() % 4000));

		if (sl__media_sockets_open(e, (struct sockaddr *)&lo,
					   sizeof(lo), base, base + 1, 0,
					   blk, &port) == 0)
			break;
	}
	ck_assert_int_lt(i, 200);
	ck_assert_int_eq(sl__media_sockets_open(e, (struct sockaddr *)&lo,
						sizeof(lo), port, port + 1, 0,
						fds, &port), SL_ELIMIT);
	ck_assert_int_eq(sl__media_sockets_open(e, (struct sockaddr *)&lo,
						sizeof(lo), port, port, 0,
						fds, &port), SL_ELIMIT);
	sl__media_sockets_close(blk);
	ck_assert_int_eq(blk[0], -1);
	sl__media_sockets_close(NULL);

	/* Start: parameter checks. */
	open_socks(&a, 1);
	b.port = 9;     /* discard: nobody answers */
	mk_params(&p, 1, &a, b.port, 1, c, 0);
	ck_assert_int_eq(sl__media_stream_start(NULL, &p), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_start(e, NULL), SL_EINVAL);
	q = p;
	q.codec = NULL;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	q = p;
	q.rtp_fd = -1;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	q = p;
	q.rtcp_mux = 0;
	q.rtcp_fd = -1;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	q = p;
	q.cp.ptime_ms = 25;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	q.cp.ptime_ms = 70;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	q = p;
	q.pt_tx = 200;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	q = p;
	q.te_pt_rx = 128;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	q = p;
	q.remote_len = sizeof(q.remote_rtp) + 1;
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	if (l16_48) {
		q = p;
		q.codec = l16_48;
		q.cp.ptime_ms = 30;     /* 2880 bytes: over the payload cap */
		ck_assert_int_eq(sl__media_stream_start(e, &q), SL_EINVAL);
	}

	/* Start, then the pool is full. */
	id = sl__media_stream_start(e, &p);
	ck_assert_int_ge(id, 0);
	a.stream = id;
	open_socks(&b, 1);
	mk_params(&q, 2, &b, 9, 1, c, 0);
	ck_assert_int_eq(sl__media_stream_start(e, &q), SL_ENOMEM);

	/* Bad ids everywhere. */
	ck_assert_int_eq(sl__media_stream_stop(e, -1), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_stop(e, id + 1), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_update(e, id + 1, &p), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_update(e, id, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_dtmf(e, id + 1, '1', 0), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_control(e, id + 1, SL_MCTL_MUTE, 0,
						  0, NULL, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_stats(e, id + 1, &st), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_stats(e, -5, &st), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_stats(e, id, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_stats(NULL, id, &st), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_stats(e, id, &st), 0);
	ck_assert_str_eq(st.codec, "PCMU");

	/* DTMF and controls. */
	ck_assert_int_eq(sl__media_stream_dtmf(e, id, 'x', 0), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_dtmf(e, id, '5', 0), 0);
	for (i = 0; i < 40; i++)
		if (sl__media_stream_dtmf(e, id, '1', 2000) == SL_ELIMIT)
			break;
	ck_assert_int_lt(i, 40);       /* at most 32 pending */
	ck_assert_int_eq(sl__media_stream_control(e, id, SL_MCTL_MUTE, 4, 0,
						  NULL, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_control(e, id, SL_MCTL_SCALING,
						  1001, 0, NULL, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_control(e, id, SL_MCTL_BITRATE,
						  32000, 0, NULL, NULL),
			 SL_EUNSUPP);
	ck_assert_int_eq(sl__media_stream_control(
				 e, id, SL_MCTL_AUDIO_CB, 0, 0,
				 (void (*)(void))on_audio, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_control(
				 e, id, SL_MCTL_RTP_CB, 8, 0,
				 (void (*)(void))on_rtp, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_control(e, id, 77, 0, 0, NULL,
						  NULL), SL_EINVAL);

	/* Update: direction and codec changes are accepted; a bad one is
	 * not. */
	q = p;
	q.send = 0;
	ck_assert_int_eq(sl__media_stream_update(e, id, &q), 0);
	q.cp.ptime_ms = 25;
	ck_assert_int_eq(sl__media_stream_update(e, id, &q), SL_EINVAL);
	q = p;
	q.codec = sl_codec_find("G722", 8000);
	if (q.codec) {
		uint64_t end = now_ms() + 3000;

		q.pt_tx = q.pt_rx = 9;
		ck_assert_int_eq(sl__media_stream_update(e, id, &q), 0);
		/* The statistics show the switch once it is applied. */
		do {
			poll(NULL, 0, 10);
			ck_assert_int_eq(sl__media_stream_stats(e, id, &st),
					 0);
		} while (strcmp(st.codec, "G722") && now_ms() < end);
		ck_assert_str_eq(st.codec, "G722");
		ck_assert_int_eq(st.payload_type, 9);
	}
	/* Back to PCMU (the spare set is reused), without DTMF: the queue
	 * is flushed and further digits are refused. */
	q = p;
	q.te_pt_tx = -1;
	ck_assert_int_eq(sl__media_stream_update(e, id, &q), 0);
	ck_assert_int_eq(sl__media_stream_dtmf(e, id, '1', 0), SL_EUNSUPP);

	/* Stop frees the slot for the next call; the old id is dead. */
	stop_wait(&a, &st);
	ck_assert_str_eq(st.codec, "PCMU");
	ck_assert_int_eq(sl__media_stream_dtmf(e, id, '1', 0), SL_EINVAL);
	ck_assert_int_eq(sl__media_stream_update(e, id, &p), SL_EINVAL);
	q.rtp_fd = b.fds[0];
	q.rtcp_fd = b.fds[1];
	i = sl__media_stream_start(e, &q);
	ck_assert_int_ge(i, 0);
	ck_assert_int_ne(i, id);
	/* Destroy with a stream running: BYE, sockets closed. */
	sl__media_engine_destroy(e);
}
END_TEST

Suite *check_media_engine_suite(void);
Suite *check_media_engine_suite(void)
{
	Suite *s = suite_create("media_engine");
	TCase *tc;

	tc = tcase_create("errors");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, alloc_failures);
	suite_add_tcase(s, tc);

	tc = tcase_create("audio");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, audio_arrives, 0,
			    sizeof(codec_cases) / sizeof(codec_cases[0]));
	tcase_add_test(tc, controls);
	tcase_add_test(tc, local_sound);
	tcase_add_test(tc, media_threads);
	suite_add_tcase(s, tc);

	tc = tcase_create("rtp");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, dtmf_once_per_digit);
	tcase_add_test(tc, dtmf_keeps_delay);
	tcase_add_loop_test(tc, rtcp_gives_rtt, 0, 2);
	tcase_add_test(tc, latching);
	tcase_add_test(tc, media_timeout);
	tcase_add_test(tc, rx_loss_counted);
	tcase_add_test(tc, keepalive_while_silent);
	tcase_add_test(tc, raw_peer);
	tcase_add_test(tc, burst_counted_discarded);
	tcase_add_test(tc, relatch_after_move);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_media_engine_suite)
