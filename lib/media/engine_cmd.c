/*
 * lib/media/engine_cmd.c: the stream side of the engine <-> SIP loop
 * contract - start, update, stop, DTMF, per-stream controls and the
 * statistics read - as commands pushed on a media thread's ring.
 *
 * Everything that may allocate happens here, on the loop thread, before
 * the command is pushed: the codec's init() (a codec may take memory)
 * and the two resamplers (speexdsp allocates, and changing the rate of
 * an existing one may reallocate its filter, so a rate change means new
 * resamplers, never speex_resampler_set_rate()). The media thread only
 * switches pointers. When a re-INVITE changes the codec, the loop builds
 * the new codec state and resamplers in the slot's spare resource set
 * and the media thread switches to it; the set it left is released at
 * the next change (once the thread says it switched) or when the stream
 * stops.
 *
 * Owns: the `l` part of each slot (loop thread only).
 * Thread: SIP loop; sl__media_stream_stats() any thread.
 */
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/log.h"
#include "media/engine_int.h"
#include "sipline/error.h"

static struct sl_mstream *slot_of(struct sl_media_engine *eng, int stream)
{
	struct sl_mstream *s;

	if (!eng || stream < 0)
		return NULL;
	s = &eng->streams[(unsigned)stream % eng->max_streams];
	if (s->l.state == SL_ME_FREE ||
	    atomic_load_explicit(&s->id, memory_order_relaxed) != stream)
		return NULL;
	return s;
}

static int ring_room(struct sl_mthread *t)
{
	return sl__spsc_count(&t->cmd) < SL_ME_CMD_CAP;
}

static void push_cmd(struct sl_mthread *t, const struct sl_me_cmd *c)
{
	uint64_t one = 1;
	ssize_t w;

	/* Room was checked before anything changed: the loop is the one
	 * producer, so it cannot have shrunk since. */
	sl__spsc_push(&t->cmd, c);
	w = write(t->cmdfd, &one, sizeof(one));
	(void)w;
}

static int valid_pt(int pt)
{
	return pt >= -1 && pt <= 127;
}

/* Checks @p and fixes its ptime (0: the codec's default, 20 ms when it
 * allows). Return: 0 or SL_EINVAL. */
static int check_params(struct sl_media_engine *eng,
			struct sl_stream_params *p, int start)
{
	const struct sl_codec *c = p->codec;
	unsigned pt;

	if (!c || !c->encode || !c->decode || !c->clock_rate ||
	    c->sample_rate < 8000 || c->sample_rate > SL_ME_MAX_RATE ||
	    c->state_size > eng->codec_state_max)
		return SL_EINVAL;
	if (p->pt_tx > 127 || p->pt_rx > 127 || !valid_pt(p->te_pt_tx) ||
	    !valid_pt(p->te_pt_rx) || !valid_pt(p->cn_pt))
		return SL_EINVAL;
	if (p->remote_len > sizeof(p->remote_rtp))
		return SL_EINVAL;
	if (start && (p->rtp_fd < 0 || (!p->rtcp_mux && p->rtcp_fd < 0)))
		return SL_EINVAL;
	pt = p->cp.ptime_ms;
	if (pt == 0) {
		pt = 20;
		if (c->min_ptime_ms && pt < c->min_ptime_ms)
			pt = c->min_ptime_ms;
		if (c->max_ptime_ms && pt > c->max_ptime_ms)
			pt = c->max_ptime_ms;
	}
	if (pt < 10 || pt > SL_ME_MAX_PTIME || pt % 10 ||
	    (c->min_ptime_ms && pt < c->min_ptime_ms) ||
	    (c->max_ptime_ms && pt > c->max_ptime_ms))
		return SL_EINVAL;
	/* A device frame must be a whole number of codec samples (44.1 kHz
	 * cannot run on 5 ms frames). */
	if ((c->sample_rate * eng->frame_ms) % 1000)
		return SL_EINVAL;
	/* Linear PCM is the one codec whose packet grows with the rate;
	 * it must fit the payload buffers (48 kHz: 20 ms at most). */
	if (strcasecmp(c->name, "L16") == 0 &&
	    c->sample_rate / 1000 * pt * 2 > SL_ME_MAX_PAYLOAD)
		return SL_EINVAL;
	p->cp.ptime_ms = pt;
	return 0;
}

/* Prepares resource set @i of @s for @p: codec state and resamplers.
 * Return: 0, SL_ENOMEM or the codec's init error. */
static int prepare_set(struct sl_media_engine *eng, struct sl_mstream *s,
		       int i, const struct sl_stream_params *p)
{
	const struct sl_codec *c = p->codec;
	struct sl_codec_params cp = p->cp;
	int rc;

	if (c->sample_rate != eng->dev_rate) {
		s->l.rs_cap[i] = sl__resampler_create(
			eng->dev_rate, c->sample_rate,
			SL_RESAMPLE_QUALITY_VOIP);
		s->l.rs_play[i] = sl__resampler_create(
			c->sample_rate, eng->dev_rate,
			SL_RESAMPLE_QUALITY_VOIP);
		if (!s->l.rs_cap[i] || !s->l.rs_play[i])
			return SL_ENOMEM;
	}
	if (!cp.bitrate && eng->cfg.audio_bitrate)
		cp.bitrate = eng->cfg.audio_bitrate;
	if (c->state_size)
		memset(s->codec_mem[i], 0, c->state_size);
	if (c->init) {
		rc = c->init(s->codec_mem[i], &cp);
		if (rc < 0)
			return rc;
	}
	s->l.codec_of[i] = c;
	return 0;
}

void sl__me_drop_set(struct sl_mstream *s, int i)
{
	const struct sl_codec *c = s->l.codec_of[i];

	if (c && c->fini)
		c->fini(s->codec_mem[i]);
	s->l.codec_of[i] = NULL;
	sl__resampler_destroy(s->l.rs_cap[i]);
	sl__resampler_destroy(s->l.rs_play[i]);
	s->l.rs_cap[i] = NULL;
	s->l.rs_play[i] = NULL;
}

static uint32_t random32(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) == (ssize_t)sizeof(v))
		return v;
	/* No entropy yet (early boot): still different per call. */
	v = (uint32_t)sl__me_now_us();
	return sl__me_rand(&v);
}

/* What a reader sees before the media thread's first publication. */
static void publish_initial(struct sl_mstream *s,
			    const struct sl_stream_params *p)
{
	struct sl_call_stats st;
	size_t n = strlen(p->codec->name);

	memset(&st, 0, sizeof(st));
	if (n >= sizeof(st.codec))
		n = sizeof(st.codec) - 1;
	memcpy(st.codec, p->codec->name, n);
	st.payload_type = p->pt_tx;
	st.clock_rate = p->codec->clock_rate;
	st.rtt_ms = -1;
	sl__stats_publish(&s->pub, &st);
}

int sl__media_stream_start(struct sl_media_engine *eng,
			   const struct sl_stream_params *p)
{
	struct sl_stream_params q;
	struct sl_mstream *s = NULL;
	struct sl_me_cmd cmd;
	struct sl_mthread *t;
	int rc, id;

	if (!eng || !p)
		return SL_EINVAL;
	q = *p;
	rc = check_params(eng, &q, 1);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < eng->max_streams; i++)
		if (eng->streams[i].l.state == SL_ME_FREE) {
			s = &eng->streams[i];
			break;
		}
	if (!s)
		return SL_ENOMEM;
	t = &eng->thr[eng->rr % eng->n_threads];
	if (!ring_room(t))
		return SL_ELIMIT;
	rc = prepare_set(eng, s, 0, &q);
	if (rc < 0) {
		sl__me_drop_set(s, 0);
		return rc;
	}
	eng->rr++;
	if (++s->l.gen == 0)
		s->l.gen = 1;
	/* Ids never repeat while the generation does not wrap, so a stale
	 * id names no other call; id % max_streams is the slot. */
	id = (int)(s->l.gen % ((unsigned)INT32_MAX / eng->max_streams)) *
	     (int)eng->max_streams + s->idx;
	s->l.state = SL_ME_RUNNING;
	s->l.thread = t->index;
	s->l.p = q;
	s->l.want = 0;
	atomic_store_explicit(&s->act, 0, memory_order_relaxed);
	atomic_store_explicit(&s->dtmf_pending, 0, memory_order_relaxed);
	publish_initial(s, &q);
	atomic_store_explicit(&s->id, id, memory_order_release);

	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SL_ME_CMD_START;
	cmd.slot = s->idx;
	cmd.set = 0;
	cmd.rs_cap = s->l.rs_cap[0];
	cmd.rs_play = s->l.rs_play[0];
	cmd.ssrc = random32();
	cmd.seq = (uint16_t)random32();
	cmd.ts = random32();
	cmd.gen = s->l.gen;
	cmd.id = id;
	cmd.p = q;
	push_cmd(t, &cmd);
	return id;
}

int sl__media_stream_update(struct sl_media_engine *eng, int stream,
			    const struct sl_stream_params *p)
{
	struct sl_mstream *s = slot_of(eng, stream);
	struct sl_codec_params a, b;
	struct sl_stream_params q;
	struct sl_me_cmd cmd;
	struct sl_mthread *t;
	int rc, spare;

	if (!s || s->l.state != SL_ME_RUNNING || !p)
		return SL_EINVAL;
	q = *p;
	rc = check_params(eng, &q, 0);
	if (rc < 0)
		return rc;
	q.rtp_fd = s->l.p.rtp_fd;
	q.rtcp_fd = s->l.p.rtcp_fd;
	q.rtcp_mux = s->l.p.rtcp_mux;
	t = &eng->thr[s->l.thread];
	if (!ring_room(t))
		return SL_ELIMIT;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SL_ME_CMD_UPDATE;
	cmd.slot = s->idx;
	cmd.set = -1;
	/* Packet time alone needs no new codec state. */
	a = q.cp;
	b = s->l.p.cp;
	a.ptime_ms = 0;
	b.ptime_ms = 0;
	if (q.codec != s->l.p.codec || memcmp(&a, &b, sizeof(a)) != 0) {
		/* The spare set may still be in use if the previous switch
		 * has not been applied (two changes within a tick). */
		if (atomic_load_explicit(&s->act, memory_order_acquire) !=
		    s->l.want)
			return SL_ELIMIT;
		spare = 1 - s->l.want;
		sl__me_drop_set(s, spare);
		rc = prepare_set(eng, s, spare, &q);
		if (rc < 0) {
			sl__me_drop_set(s, spare);
			return rc;
		}
		s->l.want = spare;
		cmd.set = spare;
		cmd.rs_cap = s->l.rs_cap[spare];
		cmd.rs_play = s->l.rs_play[spare];
	}
	cmd.p = q;
	s->l.p = q;
	push_cmd(t, &cmd);
	return 0;
}

int sl__media_stream_stop(struct sl_media_engine *eng, int stream)
{
	struct sl_mstream *s = slot_of(eng, stream);
	struct sl_me_cmd cmd;
	struct sl_mthread *t;

	if (!s || s->l.state != SL_ME_RUNNING)
		return SL_EINVAL;
	t = &eng->thr[s->l.thread];
	if (!ring_room(t))
		return SL_ELIMIT;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SL_ME_CMD_STOP;
	cmd.slot = s->idx;
	s->l.state = SL_ME_STOPPING;
	push_cmd(t, &cmd);
	return 0;
}

int sl__media_stream_dtmf(struct sl_media_engine *eng, int stream,
			  char digit, unsigned duration_ms)
{
	struct sl_mstream *s = slot_of(eng, stream);
	struct sl_me_cmd cmd;
	struct sl_mthread *t;

	if (!s || s->l.state != SL_ME_RUNNING ||
	    sl__tel_event_code(digit) < 0)
		return SL_EINVAL;
	if (s->l.p.te_pt_tx < 0)
		return SL_EUNSUPP;
	if (duration_ms == 0)
		duration_ms = eng->cfg.dtmf_duration_ms;
	if (duration_ms < 40)
		duration_ms = 40;
	if (duration_ms > 2000)
		duration_ms = 2000;
	t = &eng->thr[s->l.thread];
	if (atomic_load_explicit(&s->dtmf_pending, memory_order_relaxed) >=
	    SL_ME_DTMF_QUEUE || !ring_room(t))
		return SL_ELIMIT;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SL_ME_CMD_DTMF;
	cmd.slot = s->idx;
	cmd.digit = digit;
	cmd.a = duration_ms;
	atomic_fetch_add_explicit(&s->dtmf_pending, 1, memory_order_relaxed);
	push_cmd(t, &cmd);
	return 0;
}

int sl__media_stream_control(struct sl_media_engine *eng, int stream,
			     enum sl_media_ctl what, uint32_t a, uint32_t b,
			     void (*fn)(void), void *arg)
{
	struct sl_mstream *s = slot_of(eng, stream);
	const uint32_t dirs = SL_DIR_SENT | SL_DIR_RECEIVED;
	struct sl_me_cmd cmd;
	struct sl_mthread *t;

	if (!s || s->l.state != SL_ME_RUNNING)
		return SL_EINVAL;
	switch (what) {
	case SL_MCTL_MUTE:
		if (a & ~(uint32_t)(SL_MUTE_IN | SL_MUTE_OUT))
			return SL_EINVAL;
		break;
	case SL_MCTL_SCALING:
		if (a > 1000 || b > 1000)
			return SL_EINVAL;
		break;
	case SL_MCTL_BITRATE:
		if (!s->l.p.codec->set_bitrate)
			return SL_EUNSUPP;
		if (a == 0)
			return SL_EINVAL;
		break;
	case SL_MCTL_AUDIO_CB:
	case SL_MCTL_RTP_CB:
		if ((a & ~dirs) || (fn && !a))
			return SL_EINVAL;
		break;
	default:
		return SL_EINVAL;
	}
	t = &eng->thr[s->l.thread];
	if (!ring_room(t))
		return SL_ELIMIT;
	memset(&cmd, 0, sizeof(cmd));
	cmd.type = SL_ME_CMD_CTL;
	cmd.slot = s->idx;
	cmd.ctl = what;
	cmd.a = a;
	cmd.b = b;
	cmd.fn = fn;
	cmd.arg = arg;
	push_cmd(t, &cmd);
	return 0;
}

int sl__media_stream_stats(struct sl_media_engine *eng, int stream,
			   struct sl_call_stats *out)
{
	struct sl_mstream *s;

	if (!eng || stream < 0 || !out)
		return SL_EINVAL;
	s = &eng->streams[(unsigned)stream % eng->max_streams];
	/* The id is checked on both sides of the copy: a slot freed and
	 * reused meanwhile has another id. */
	if (atomic_load_explicit(&s->id, memory_order_acquire) != stream)
		return SL_EINVAL;
	if (sl__stats_read(&s->pub, out) < 0)
		return SL_ELIMIT;
	if (atomic_load_explicit(&s->id, memory_order_acquire) != stream)
		return SL_EINVAL;
	return 0;
}
