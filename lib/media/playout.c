/*
 * lib/media/playout.c: turns one stream's jitter buffer into device-rate
 * PCM - decode, in-band FEC from the next packet, the codec's PLC, or
 * repetition of the last frame with a fade-out when the codec has none;
 * RFC 3389 comfort noise for CN packets and between them; silence while
 * the buffer fills. Two FIFOs keep the sizes apart: decoded samples at
 * the codec's rate (a packet at a time), and resampled samples at the
 * device's rate (a device frame at a time). Without a resampler the
 * codec runs at the device's rate and the first FIFO is the only one.
 * Each FIFO is a window [off, off + n) of its array that moves up as
 * frames leave and is moved back down only when the room above runs
 * short, so a frame leaves without a copy: the mixer reads it where it
 * was decoded.
 *
 * Owns: the stream's playout buffers and concealment state.
 * Thread: the stream's media thread (pulled by the mixer on thread 0,
 * else by sl__ms_fill_play()).
 */
#include <math.h>
#include <string.h>

#include "media/engine_int.h"

/* Repetition gains per consecutive lost frame (then silence): G.711
 * appendix I fades a repeated frame out over about 60 ms. */
static const float fade_gain[] = { 0.9f, 0.6f, 0.3f, 0.1f };
enum { N_FADE = sizeof(fade_gain) / sizeof(fade_gain[0]) };

/* How long after a telephone-event packet audio gaps are the event's. */
enum { DTMF_HOLD_US = 120000 };

/* Room kept above the decoded FIFO's window before a decode: what the
 * array holds beyond the frame left over, so the largest packet (120 ms
 * of opus at 48 kHz) still fits whole. */
enum { DEC_ROOM = SL_ME_DEC_CAP - SL_ME_MAX_DEV_FRAME };

void sl__ms_playout_reset(struct sl_mstream *s)
{
	s->dec_off = 0;
	s->dec_n = 0;
	s->dev_off = 0;
	s->dev_n = 0;
	s->last_n = 0;
	s->fade_k = 0;
	s->in_cn = 0;
	s->cn_level = 127;
}

/* RTP clock units to codec samples (G.722: clock 8000, PCM 16000). */
static size_t clock_to_samples(const struct sl_mstream *s, uint32_t units)
{
	uint64_t n = (uint64_t)units * s->codec->sample_rate /
		     s->codec->clock_rate;

	if (n == 0 || n > SL_ME_LAST_CAP * 2)
		n = s->ptime_samples;
	return (size_t)n;
}

static void keep_last(struct sl_mstream *s, const int16_t *pcm, size_t n)
{
	if (n > SL_ME_LAST_CAP) {
		pcm += n - SL_ME_LAST_CAP;
		n = SL_ME_LAST_CAP;
	}
	memcpy(s->last, pcm, n * sizeof(*pcm));
	s->last_n = n;
	s->fade_k = 0;
}

/* The engine's own concealment: the last good frame again, quieter each
 * time, ramping the gain within the frame so no step is heard. */
static void repeat_fade(struct sl_mstream *s, int16_t *out, size_t n)
{
	float g0, g1;

	if (!s->last_n || s->fade_k >= N_FADE) {
		memset(out, 0, n * sizeof(*out));
		s->fade_k = N_FADE;
		return;
	}
	g0 = s->fade_k ? fade_gain[s->fade_k - 1] : 1.0f;
	g1 = fade_gain[s->fade_k];
	for (size_t i = 0; i < n; i++) {
		float g = g0 + (g1 - g0) * (float)i / (float)n;

		out[i] = (int16_t)((float)s->last[i % s->last_n] * g);
	}
	s->fade_k++;
}

/* White noise at -level dBov (RFC 3389 §3.1: 0 dBov is a full-scale
 * square wave, RMS 32767); uniform noise has RMS amplitude / sqrt(3). */
static void comfort_noise(struct sl_mstream *s, int16_t *out, size_t n)
{
	float rms = 32767.0f * powf(10.0f, -(float)s->cn_level / 20.0f);
	float amp = rms * 1.7320508f;

	for (size_t i = 0; i < n; i++) {
		float u = (float)(sl__me_rand(&s->cn_rng) >> 8) /
			  8388608.0f - 1.0f;

		out[i] = sl__me_sat16((int32_t)(u * amp));
	}
}

static size_t conceal(struct sl_mstream *s, const struct sl_jbuf_frame *f,
		      int16_t *out, size_t room)
{
	const struct sl_codec *c = s->codec;
	size_t n = clock_to_samples(s, f->samples);
	int r = -1;

	if (n > room)
		n = room;
	if (f->next && c->decode_fec)
		r = c->decode_fec(s->cst, f->next, f->next_len, out, n);
	if (r <= 0 && c->plc)
		r = c->plc(s->cst, out, n);
	if (r <= 0) {
		repeat_fade(s, out, n);
		r = (int)n;
	} else if ((size_t)r > n) {
		r = (int)n;
	}
	s->concealed++;
	return (size_t)r;
}

/* Moves a FIFO's window to the start of its array. */
static void fifo_compact(int16_t *buf, size_t *off, size_t n)
{
	if (*off && n)
		memmove(buf, buf + *off, n * sizeof(int16_t));
	*off = 0;
}

/* Appends at least one sample of received audio to s->dec. */
static void decode_more(struct sl_mstream *s, uint64_t now)
{
	int16_t *dst;
	size_t room, n = 0;
	struct sl_jbuf_frame f;
	int r;

	if (SL_ME_DEC_CAP - s->dec_off - s->dec_n < DEC_ROOM)
		fifo_compact(s->dec, &s->dec_off, s->dec_n);
	dst = s->dec + s->dec_off + s->dec_n;
	room = SL_ME_DEC_CAP - s->dec_off - s->dec_n;
	if (room < s->cf)
		return;         /* cannot happen: we decode on demand */
	if (!s->jb || !s->p.recv) {
		memset(dst, 0, s->cf * sizeof(*dst));
		s->dec_n += s->cf;
		return;
	}
	memset(&f, 0, sizeof(f));
	switch (sl__jbuf_get(s->jb, now, &f)) {
	case SL_JB_FRAME:
		if (f.pt == s->p.pt_rx) {
			r = s->codec->decode(s->cst, f.payload, f.len, dst,
					     room);
			if (r > 0) {
				n = (size_t)r;
				keep_last(s, dst, n);
				s->in_cn = 0;
			} else {
				n = conceal(s, &f, dst, room);
			}
		} else if (s->p.cn_pt >= 0 && f.pt == (uint8_t)s->p.cn_pt) {
			/* RFC 3389 §3: the first byte is the level. */
			s->cn_level = f.len ? (f.payload[0] & 0x7f) : 127;
			s->in_cn = 1;
			n = clock_to_samples(s, f.samples);
			if (n > room)
				n = room;
			comfort_noise(s, dst, n);
		} else {
			n = clock_to_samples(s, f.samples);
			if (n > room)
				n = room;
			memset(dst, 0, n * sizeof(*dst));
		}
		break;
	case SL_JB_LOST:
		if (s->drx.active &&
		    now - s->drx.last_us < DTMF_HOLD_US) {
			/* The sender paused its audio for an RFC 4733
			 * event (§2.5.1.1): a gap by design, not a loss
			 * to conceal. */
			n = clock_to_samples(s, f.samples);
			if (n > room)
				n = room;
			memset(dst, 0, n * sizeof(*dst));
		} else if (s->in_cn) {
			n = clock_to_samples(s, f.samples);
			if (n > room)
				n = room;
			comfort_noise(s, dst, n);
		} else {
			n = conceal(s, &f, dst, room);
		}
		break;
	default:
		/* Filling or idle: one device frame of silence (or noise
		 * after a SID), then ask again. */
		n = s->cf;
		if (s->in_cn)
			comfort_noise(s, dst, n);
		else
			memset(dst, 0, n * sizeof(*dst));
		break;
	}
	if (n == 0) {
		n = s->cf;
		memset(dst, 0, n * sizeof(*dst));
	}
	if (s->audio_cb && (s->audio_dirs & SL_DIR_RECEIVED))
		s->audio_cb(s->audio_arg, s->p.session, SL_DIR_RECEIVED, dst,
			    n, s->codec->sample_rate);
	s->dec_n += n;
}

/* Moves decoded samples into the device-rate FIFO. */
static void to_device(struct sl_mstream *s)
{
	size_t room, used, made;

	if (SL_ME_DEV_CAP - s->dev_off - s->dev_n < SL_ME_DEV_CAP / 2)
		fifo_compact(s->dev, &s->dev_off, s->dev_n);
	room = SL_ME_DEV_CAP - s->dev_off - s->dev_n;
	made = sl__resampler_run(s->rs_play, s->dec + s->dec_off, s->dec_n,
				 s->dev + s->dev_off + s->dev_n, room, &used);
	s->dev_n += made;
	s->dec_off += used;
	s->dec_n -= used;
	if (s->dec_n == 0)
		s->dec_off = 0;
}

int16_t *sl__ms_play_next(struct sl_mstream *s, uint64_t now)
{
	size_t F = s->thr->eng->dev_frame;
	int16_t *buf;
	size_t *off, *n;

	/* Each round decodes a packet or converts what is decoded; a few
	 * rounds always suffice, the bound only guards a broken codec. */
	if (!s->rs_play) {
		for (unsigned round = 0; s->dec_n < F && round < 16; round++)
			decode_more(s, now);
		buf = s->dec;
		off = &s->dec_off;
		n = &s->dec_n;
	} else {
		for (unsigned round = 0; s->dev_n < F && round < 16;
		     round++) {
			if (s->dec_n < s->cf)
				decode_more(s, now);
			to_device(s);
		}
		buf = s->dev;
		off = &s->dev_off;
		n = &s->dev_n;
	}
	if (*n < F) {
		/* Only a broken codec gets here: pad with silence. */
		fifo_compact(buf, off, *n);
		memset(buf + *n, 0, (F - *n) * sizeof(int16_t));
		*n = F;
	}
	buf += *off;
	*off += F;
	*n -= F;
	if (*n == 0)
		*off = 0;
	if (s->mute & SL_MUTE_IN) {
		memset(buf, 0, F * sizeof(int16_t));
	} else if (s->scale_in != 100) {
		for (size_t i = 0; i < F; i++)
			buf[i] = sl__me_sat16((int32_t)buf[i] *
					      (int32_t)s->scale_in / 100);
	}
	return buf;
}

void sl__ms_play_frame(struct sl_mstream *s, int16_t *out, uint64_t now)
{
	memcpy(out, sl__ms_play_next(s, now),
	       s->thr->eng->dev_frame * sizeof(int16_t));
}
