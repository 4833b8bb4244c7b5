/*
 * lib/ua/media_api.c: the public functions of sipline/media.h - call
 * statistics (and their JSON document), DTMF (RFC 4733 through the
 * engine, or SIP INFO through info.c), per-call mute, gain, bitrate and
 * hooks, and the engine-wide microphone/speaker controls.
 *
 * Owns: nothing; the per-call settings live in the line's struct
 * sl_line_media, so they survive a stream restarted by a re-INVITE.
 * Thread: any. Per-call functions go through sl__calls_on_session()
 * (call_api.c) and run on the SIP loop, the single producer of the
 * engine's commands; none of them waits for the media thread.
 * sl_media_feed_pcm() runs on the application's thread and hands the
 * samples straight to the engine (its own single-producer ring).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "media_int.h"
#include "core/log.h"

/* What a per-call function carries besides struct sl_call_args. */
struct media_args {
	char digits[SL_DTMF_PENDING_MAX + 1];
	size_t n;
	enum sl_dtmf_method method;
	unsigned dirs;
	void (*fn)(void);
	void *arg;
	uint32_t bps;
	struct sl_call_stats *out;
};

int sl__dtmf_digit_ok(char c)
{
	return (c >= '0' && c <= '9') || c == '*' || c == '#' ||
	       (c >= 'A' && c <= 'D') || c == '!';
}

static struct sl_line_media *line_media(struct sl_call_args *x, int *rc)
{
	struct sl_line *ln;

	*rc = sl__calls_find(x, &ln);
	if (*rc < 0)
		return NULL;
	return sl__stream_lm(x->ua, ln);
}

static int per_call(struct sl_ua *ua, int session, int a, int b,
		    struct media_args *m, int (*fn)(void *arg))
{
	struct sl_call_args x = { ua, session, a, b, NULL, NULL, m };

	if (!ua)
		return SL_EHANDLE;
	return sl__calls_on_session(&x, fn);
}

/* ---- statistics ---- */

static int stats_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct media_args *m = x->ext;
	struct sl_media_engine *eng = x->ua->media->eng;
	struct sl_line_media *lm;
	int rc;

	lm = line_media(x, &rc);
	if (!lm)
		return rc;
	if (eng && lm->stream >= 0 &&
	    sl__media_stream_stats(eng, lm->stream, m->out) == 0)
		return 0;
	/* A stream that stopped (BYE in flight) keeps its last figures. */
	if (lm->stream < 0 && lm->have_final) {
		*m->out = lm->final;
		return 0;
	}
	return SL_ESTATE;
}

int sl_call_stats(struct sl_ua *ua, int session, struct sl_call_stats *out)
{
	struct media_args m;

	if (!ua)
		return SL_EHANDLE;
	if (!out)
		return SL_EINVAL;
	memset(&m, 0, sizeof(m));
	m.out = out;
	return per_call(ua, session, 0, 0, &m, stats_on_loop);
}

/* A bounded JSON writer: once something does not fit, @err stays set. */
struct jw {
	char *buf;
	size_t cap;
	size_t len;
	int err;
};

static void jw_raw(struct jw *w, const char *s, size_t n)
{
	if (w->err || w->len + n + 1 > w->cap) {
		w->err = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void jw_key(struct jw *w, const char *key)
{
	jw_raw(w, w->len > 1 ? ",\"" : "\"", w->len > 1 ? 2 : 1);
	jw_raw(w, key, strlen(key));
	jw_raw(w, "\":", 2);
}

/* A string value (RFC 8259 §7): quote, backslash and controls escaped;
 * @max bounds the read (the source is a fixed-size field). */
static void jw_str(struct jw *w, const char *key, const char *s, size_t max)
{
	static const char hex[] = "0123456789abcdef";

	jw_key(w, key);
	jw_raw(w, "\"", 1);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

		if (c == '"' || c == '\\') {
			e[1] = (char)c;
			jw_raw(w, e, 2);
		} else if (c < 0x20 || c == 0x7f) {
			jw_raw(w, e, 6);
		} else {
			jw_raw(w, s + i, 1);
		}
	}
	jw_raw(w, "\"", 1);
}

static void jw_num(struct jw *w, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void jw_num(struct jw *w, const char *key, const char *fmt, ...)
{
	char v[48];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	jw_key(w, key);
	if (n < 0 || (size_t)n >= sizeof(v)) {
		w->err = 1;
		return;
	}
	jw_raw(w, v, (size_t)n);
}

/* JSON has no NaN or infinity: those become null. */
static void jw_dbl(struct jw *w, const char *key, double d)
{
	if (!isfinite(d)) {
		jw_key(w, key);
		jw_raw(w, "null", 4);
		return;
	}
	jw_num(w, key, "%.3f", d);
}

int sl__media_stats_json(int session, const struct sl_call_stats *s,
			 char *buf, size_t cap)
{
	struct jw w = { buf, cap, 0, 0 };

	if (!buf || !cap)
		return SL_ENOSPC;
	buf[0] = '\0';
	jw_raw(&w, "{", 1);
	jw_num(&w, "session", "%d", session);
	jw_str(&w, "codec", s->codec, sizeof(s->codec));
	jw_num(&w, "payload_type", "%d", s->payload_type);
	jw_num(&w, "clock_rate", "%u", (unsigned)s->clock_rate);
	jw_str(&w, "remote_rtp", s->remote_rtp, sizeof(s->remote_rtp));
	jw_num(&w, "tx_packets", "%llu", (unsigned long long)s->tx_packets);
	jw_num(&w, "tx_bytes", "%llu", (unsigned long long)s->tx_bytes);
	jw_num(&w, "rx_packets", "%llu", (unsigned long long)s->rx_packets);
	jw_num(&w, "rx_bytes", "%llu", (unsigned long long)s->rx_bytes);
	jw_num(&w, "lost", "%lld", (long long)s->lost);
	jw_num(&w, "late", "%llu", (unsigned long long)s->late);
	jw_num(&w, "concealed", "%llu", (unsigned long long)s->concealed);
	jw_num(&w, "duplicate", "%llu", (unsigned long long)s->duplicate);
	jw_dbl(&w, "jitter_ms", s->jitter_ms);
	jw_dbl(&w, "rtt_ms", s->rtt_ms);
	jw_num(&w, "jb_delay_ms", "%u", s->jb_delay_ms);
	jw_dbl(&w, "remote_loss_pct", s->remote_loss_pct);
	jw_dbl(&w, "mos", s->mos);
	jw_num(&w, "duration_s", "%u", s->duration_s);
	jw_num(&w, "discarded", "%llu", (unsigned long long)s->discarded);
	jw_raw(&w, "}", 1);
	if (w.err) {
		buf[0] = '\0';
		return SL_ENOSPC;
	}
	return (int)w.len;
}

int sl_call_stats_json(struct sl_ua *ua, int session, char *buf, size_t cap)
{
	struct sl_call_stats s;
	int rc;

	if (buf && cap)
		buf[0] = '\0';
	if (!ua)
		return SL_EHANDLE;
	if (!buf)
		return SL_EINVAL;
	rc = sl_call_stats(ua, session, &s);
	if (rc < 0)
		return rc;
	return sl__media_stats_json(session, &s, buf, cap);
}

/* ---- DTMF ---- */

static int established(const struct sl_line *ln)
{
	return ln->state == SL_LINE_CONNECTED || ln->state == SL_LINE_HELD ||
	       ln->state == SL_LINE_REMOTE_HELD;
}

static int dtmf_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct media_args *m = x->ext;
	struct sl_ua *ua = x->ua;
	const struct sl_media_config *mc = &ua->cfg.media;
	struct sl_media_engine *eng = ua->media->eng;
	enum sl_dtmf_method method = m->method;
	unsigned dur = mc->dtmf_duration_ms ? mc->dtmf_duration_ms : 100;
	struct sl_line_media *lm;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	if (!established(ln))
		return SL_ESTATE;
	lm = sl__stream_lm(ua, ln);
	if (method == SL_DTMF_DEFAULT)
		method = mc->dtmf_method == SL_DTMF_INFO ? SL_DTMF_INFO
			 : SL_DTMF_RFC4733;
	if (method == SL_DTMF_INFO)
		return sl__info_dtmf_queue(ua, ln, m->digits, m->n, dur);
	if (!eng || lm->stream < 0)
		return SL_ESTATE;
	if (lm->cur.te_pt_tx < 0)
		return SL_EUNSUPP;
	for (size_t i = 0; i < m->n; i++) {
		rc = sl__media_stream_dtmf(eng, lm->stream, m->digits[i], dur);
		if (rc < 0) {
			sl_log_warn("media", "line %u: DTMF %c not queued: %s",
				    ln->idx, m->digits[i], sl_strerror(rc));
			return rc;
		}
	}
	return 0;
}

int sl_call_send_dtmf(struct sl_ua *ua, int session, const char *digits,
		      enum sl_dtmf_method method)
{
	struct media_args m;
	size_t n;

	if (!ua)
		return SL_EHANDLE;
	if (!digits || !digits[0] || (unsigned)method > SL_DTMF_INFO)
		return SL_EINVAL;
	memset(&m, 0, sizeof(m));
	/* Looked at up to one past the limit: longer is SL_ELIMIT once
	 * every digit seen is valid. */
	n = strnlen(digits, SL_DTMF_PENDING_MAX + 1);
	for (size_t i = 0; i < n; i++) {
		char c = digits[i];

		if (c >= 'a' && c <= 'd')
			c = (char)(c - 'a' + 'A');
		if (!sl__dtmf_digit_ok(c))
			return SL_EINVAL;
		if (i < SL_DTMF_PENDING_MAX)
			m.digits[i] = c;
	}
	if (n > SL_DTMF_PENDING_MAX)
		return SL_ELIMIT;
	m.n = n;
	m.method = method;
	return per_call(ua, session, 0, 0, &m, dtmf_on_loop);
}

/* ---- per-call controls ---- */

static int mute_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_media_engine *eng = x->ua->media->eng;
	struct sl_line_media *lm;
	int rc;

	lm = line_media(x, &rc);
	if (!lm)
		return rc;
	lm->mute = (unsigned)x->a;
	if (eng && lm->stream >= 0)
		return sl__media_stream_control(eng, lm->stream, SL_MCTL_MUTE,
						lm->mute, 0, NULL, NULL);
	return 0;
}

int sl_call_mute(struct sl_ua *ua, int session, unsigned flags)
{
	if (!ua)
		return SL_EHANDLE;
	if (flags & ~(unsigned)(SL_MUTE_IN | SL_MUTE_OUT))
		return SL_EINVAL;
	return per_call(ua, session, (int)flags, 0, NULL, mute_on_loop);
}

static int scaling_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_media_engine *eng = x->ua->media->eng;
	struct sl_line_media *lm;
	int rc;

	lm = line_media(x, &rc);
	if (!lm)
		return rc;
	lm->scale_in = (unsigned)x->a;
	lm->scale_out = (unsigned)x->b;
	if (eng && lm->stream >= 0)
		return sl__media_stream_control(eng, lm->stream,
						SL_MCTL_SCALING, lm->scale_in,
						lm->scale_out, NULL, NULL);
	return 0;
}

int sl_call_set_scaling(struct sl_ua *ua, int session, unsigned in,
			unsigned out)
{
	if (!ua)
		return SL_EHANDLE;
	if (in > 1000 || out > 1000)
		return SL_EINVAL;
	return per_call(ua, session, (int)in, (int)out, NULL,
			scaling_on_loop);
}

static int rtcp_bw_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct media_args *m = x->ext;
	struct sl_line_media *lm;
	struct sl_line *ln;
	int rc;

	rc = sl__calls_find(x, &ln);
	if (rc < 0)
		return rc;
	lm = sl__stream_lm(x->ua, ln);
	if (!lm)
		return SL_ESTATE;
	lm->rtcp_set = 1;
	lm->rtcp_as_kbps = m->bps;
	lm->rtcp_rs_bps = x->a;
	lm->rtcp_rr_bps = x->b;
	/* A running stream takes the new interval at once; a later one
	 * is built with it. */
	sl__stream_sync(x->ua, ln);
	return 0;
}

int sl_call_set_rtcp_bandwidth(struct sl_ua *ua, int session,
			       uint32_t as_kbps, int32_t rs_bps,
			       int32_t rr_bps)
{
	struct media_args m = { .bps = as_kbps };

	if (!ua)
		return SL_EHANDLE;
	if (rs_bps < -1 || rr_bps < -1 || as_kbps > 1000000)
		return SL_EINVAL;
	return per_call(ua, session, rs_bps, rr_bps, &m, rtcp_bw_on_loop);
}

static int bitrate_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct media_args *m = x->ext;
	struct sl_media_engine *eng = x->ua->media->eng;
	struct sl_line_media *lm;
	int rc;

	lm = line_media(x, &rc);
	if (!lm)
		return rc;
	if (!eng || lm->stream < 0 || !lm->cur.codec)
		return SL_ESTATE;
	if (!lm->cur.codec->set_bitrate)
		return SL_EUNSUPP;
	rc = sl__media_stream_control(eng, lm->stream, SL_MCTL_BITRATE,
				      m->bps, 0, NULL, NULL);
	if (rc < 0)
		return rc;
	/* Kept for a restarted stream; the running one has it now. */
	lm->bitrate = m->bps;
	lm->cur.cp.bitrate = m->bps;
	return 0;
}

int sl_call_set_bitrate(struct sl_ua *ua, int session, uint32_t bps)
{
	struct media_args m;

	if (!ua)
		return SL_EHANDLE;
	/* The widest range any codec takes (opus, RFC 7587 §3.1.1). */
	if (bps < 6000 || bps > 510000)
		return SL_EINVAL;
	memset(&m, 0, sizeof(m));
	m.bps = bps;
	return per_call(ua, session, 0, 0, &m, bitrate_on_loop);
}

static int hook_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct media_args *m = x->ext;
	struct sl_media_engine *eng = x->ua->media->eng;
	struct sl_line_media *lm;
	unsigned dirs = m->fn ? m->dirs : 0;
	int rc;

	lm = line_media(x, &rc);
	if (!lm)
		return rc;
	if (x->a == SL_MCTL_AUDIO_CB) {
		lm->audio_cb = (sl_audio_frame_cb)m->fn;
		lm->audio_arg = m->fn ? m->arg : NULL;
		lm->audio_dirs = dirs;
	} else {
		lm->rtp_cb = (sl_rtp_packet_cb)m->fn;
		lm->rtp_arg = m->fn ? m->arg : NULL;
		lm->rtp_dirs = dirs;
	}
	if (eng && lm->stream >= 0)
		return sl__media_stream_control(eng, lm->stream,
						(enum sl_media_ctl)x->a, dirs,
						0, m->fn, m->fn ? m->arg
						: NULL);
	return 0;
}

static int set_hook(struct sl_ua *ua, int session, unsigned dirs,
		    void (*fn)(void), void *arg, enum sl_media_ctl what)
{
	struct media_args m;

	if (!ua)
		return SL_EHANDLE;
	if ((dirs & ~(unsigned)(SL_DIR_SENT | SL_DIR_RECEIVED)) ||
	    (fn && !dirs))
		return SL_EINVAL;
	memset(&m, 0, sizeof(m));
	m.dirs = dirs;
	m.fn = fn;
	m.arg = arg;
	return per_call(ua, session, (int)what, 0, &m, hook_on_loop);
}

int sl_call_set_audio_cb(struct sl_ua *ua, int session, unsigned dirs,
			 sl_audio_frame_cb cb, void *arg)
{
	return set_hook(ua, session, dirs, (void (*)(void))cb, arg,
			SL_MCTL_AUDIO_CB);
}

int sl_call_set_rtp_cb(struct sl_ua *ua, int session, unsigned dirs,
		       sl_rtp_packet_cb cb, void *arg)
{
	return set_hook(ua, session, dirs, (void (*)(void))cb, arg,
			SL_MCTL_RTP_CB);
}

/* ---- engine-wide controls ---- */

struct global_args {
	struct sl_ua *ua;
	enum sl_media_global what;
	uint32_t a, b;
};

static int global_on_loop(void *arg)
{
	struct global_args *g = arg;
	struct sl_media_engine *eng = g->ua->media->eng;

	if (!eng)
		return SL_ESTATE;
	return sl__media_engine_control(eng, g->what, g->a, g->b);
}

static int global(struct sl_ua *ua, enum sl_media_global what, uint32_t a,
		  uint32_t b)
{
	struct global_args g = { ua, what, a, b };

	return sl__ua_call(ua, global_on_loop, &g);
}

int sl_media_mute(struct sl_ua *ua, unsigned flags)
{
	if (!ua)
		return SL_EHANDLE;
	if (flags & ~(unsigned)(SL_MUTE_IN | SL_MUTE_OUT))
		return SL_EINVAL;
	return global(ua, SL_MG_MUTE, flags, 0);
}

int sl_media_set_volume(struct sl_ua *ua, unsigned mic, unsigned speaker)
{
	if (!ua)
		return SL_EHANDLE;
	if (mic > 255 || speaker > 255)
		return SL_EINVAL;
	return global(ua, SL_MG_VOLUME, mic, speaker);
}

int sl_media_loopback(struct sl_ua *ua, int on)
{
	if (!ua)
		return SL_EHANDLE;
	return global(ua, SL_MG_LOOPBACK, on != 0, 0);
}

int sl_media_feed_pcm(struct sl_ua *ua, const int16_t *pcm, size_t n,
		      unsigned rate)
{
	if (!ua)
		return SL_EHANDLE;
	if (!pcm || (rate != 8000 && rate != 16000 && rate != 32000 &&
		     rate != 48000))
		return SL_EINVAL;
	/* The engine exists from creation to destruction: no loop trip
	 * needed (its feed ring has this thread as its one producer). */
	if (atomic_load(&ua->destroying) || !ua->media || !ua->media->eng)
		return SL_ESTATE;
	if (!n)
		return 0;
	return sl__media_engine_feed(ua->media->eng, pcm, n, rate);
}
