/*
 * lib/media/mix.c: audio between the device and the streams.
 *
 * Capture: thread 0 reads each device frame once and copies it into the
 * capture ring of every stream being mixed (tagged with the stream's
 * generation); each stream's own thread converts it to the codec rate,
 * gathers one packet time and encodes and sends it (or lets the DTMF
 * sender use that packet slot). Playback: each stream's thread keeps its
 * playback ring a couple of device frames ahead; thread 0 takes one frame
 * from every stream, adds them with saturation (and the microphone in
 * loopback mode) and writes the sum to the device, keeping the device's
 * ring only a few frames deep so the mouth-to-ear delay stays small.
 *
 * Owns: nothing (the rings are the slots'; scratch is the thread's).
 * Thread: sl__mix_*() on media thread 0; sl__ms_capture() and
 * sl__ms_fill_play() on the stream's media thread.
 */
#include <string.h>

#include "media/engine_int.h"

/* Frames read or written per tick at most: a long stall is not worth
 * replaying (the rings would overflow anyway). */
enum { MAX_FRAMES_PER_TICK = 32 };

void sl__mix_capture(struct sl_mthread *t0)
{
	struct sl_media_engine *e = t0->eng;
	struct sl_me_frame_hdr *h = (struct sl_me_frame_hdr *)t0->frame;
	int16_t *pcm = (int16_t *)(t0->frame + sizeof(*h));
	unsigned F = e->dev_frame;

	for (unsigned k = 0; k < MAX_FRAMES_PER_TICK &&
	     sl__audio_port_capture_avail(e->port) >= F; k++) {
		if (sl__audio_port_read_capture(e->port, pcm, F) < F)
			break;
		h->n = F;
		if (atomic_load_explicit(&e->loopback, memory_order_relaxed)) {
			memcpy(t0->loop_pcm, pcm, F * sizeof(int16_t));
			t0->have_loop_pcm = 1;
		}
		for (unsigned i = 0; i < e->max_streams; i++) {
			struct sl_mstream *s = &e->streams[i];
			uint32_t g = atomic_load_explicit(
				&s->mix_gen, memory_order_acquire);

			if (!g)
				continue;
			h->gen = g;
			/* A full ring means the stream's thread is late;
			 * the frame is lost for that stream only. */
			sl__spsc_push(&s->cap_ring, t0->frame);
		}
	}
}

/* Adds the next frame of slot @s made for generation @g into @mix.
 * Return: 1 added, 0 none waiting. */
static int take_frame(struct sl_mthread *t0, struct sl_mstream *s,
		      uint32_t g, int32_t *mix, unsigned F)
{
	const struct sl_me_frame_hdr *h =
		(const struct sl_me_frame_hdr *)t0->frame;
	const int16_t *pcm = (const int16_t *)(t0->frame + sizeof(*h));

	/* Stale frames (a previous call in this slot) are skipped. */
	for (unsigned k = 0; k < SL_ME_PCM_FRAMES + 1; k++) {
		if (!sl__spsc_pop(&s->play_ring, t0->frame))
			return 0;
		if (h->gen != g)
			continue;
		for (unsigned i = 0; i < F && i < h->n; i++)
			mix[i] += pcm[i];
		return 1;
	}
	return 0;
}

void sl__mix_playback(struct sl_mthread *t0)
{
	struct sl_media_engine *e = t0->eng;
	struct sl_audio_counters c;
	unsigned F = e->dev_frame;
	/* Two frames queued ride out one late tick; 20 ms frames are long
	 * enough for one. */
	unsigned long target = (e->frame_ms >= 20 ? 2 : 3) * (unsigned long)F;
	unsigned long queued;

	sl__audio_port_counters(e->port, &c);
	queued = c.written - c.played;  /* both wrap alike */
	for (unsigned k = 0; k < MAX_FRAMES_PER_TICK && queued < target;
	     k++) {
		memset(t0->mix, 0, F * sizeof(int32_t));
		for (unsigned i = 0; i < e->max_streams; i++) {
			struct sl_mstream *s = &e->streams[i];
			uint32_t g = atomic_load_explicit(
				&s->mix_gen, memory_order_acquire);

			if (g)
				take_frame(t0, s, g, t0->mix, F);
		}
		if (t0->have_loop_pcm &&
		    atomic_load_explicit(&e->loopback, memory_order_relaxed))
			for (unsigned i = 0; i < F; i++)
				t0->mix[i] += t0->loop_pcm[i];
		t0->have_loop_pcm = 0;
		for (unsigned i = 0; i < F; i++)
			t0->pcm[i] = sl__me_sat16(t0->mix[i]);
		if (sl__audio_port_write_playback(e->port, t0->pcm, F) < F)
			break;
		queued += F;
	}
}

/* One packet time of captured audio at s->acc: send it as audio, or let
 * the DTMF sender have the slot; the timestamp moves on either way. */
static void packet_slot(struct sl_mstream *s, int16_t *pcm, uint64_t now)
{
	size_t n = s->ptime_samples;
	int r;

	if (!s->p.send)
		goto next;
	if (s->p.te_pt_tx >= 0 && sl__ms_dtmf_step(s, now))
		goto next;
	if (s->mute & SL_MUTE_OUT)
		memset(pcm, 0, n * sizeof(*pcm));
	else if (s->scale_out != 100)
		for (size_t i = 0; i < n; i++)
			pcm[i] = sl__me_sat16((int32_t)pcm[i] *
					      (int32_t)s->scale_out / 100);
	if (s->audio_cb && (s->audio_dirs & SL_DIR_SENT))
		s->audio_cb(s->audio_arg, s->p.session, SL_DIR_SENT, pcm, n,
			    s->codec->sample_rate);
	r = s->codec->encode(s->cst, pcm, n, s->thr->out + SL_RTP_HDR,
			     SL_ME_MAX_PAYLOAD);
	if (r > 0) {
		sl__ms_send_rtp(s, s->p.pt_tx, s->marker_next, s->ts,
				(size_t)r, now);
		s->marker_next = 0;
	} else if (r == 0) {
		/* Discontinuous transmission: the next packet starts a
		 * talk-spurt (RFC 3551 §4.1). */
		s->marker_next = 1;
	}
next:
	s->ts += s->ptime_clock;
}

void sl__ms_capture(struct sl_mstream *s, uint64_t now)
{
	struct sl_mthread *t = s->thr;
	const struct sl_me_frame_hdr *h =
		(const struct sl_me_frame_hdr *)t->frame;
	const int16_t *pcm = (const int16_t *)(t->frame + sizeof(*h));

	for (unsigned k = 0; k < SL_ME_PCM_FRAMES &&
	     sl__spsc_pop(&s->cap_ring, t->frame); k++) {
		size_t room = SL_ME_ACC_CAP - s->acc_n, used = 0, made;
		size_t off = 0;

		if (h->gen != s->gen)
			continue;
		if (!s->rs_cap) {
			made = h->n < room ? h->n : room;
			memcpy(s->acc + s->acc_n, pcm, made * sizeof(*pcm));
		} else {
			made = sl__resampler_run(s->rs_cap, pcm, h->n,
						 s->acc + s->acc_n, room,
						 &used);
		}
		s->acc_n += made;
		while (s->acc_n - off >= s->ptime_samples) {
			packet_slot(s, s->acc + off, now);
			off += s->ptime_samples;
		}
		s->acc_n -= off;
		memmove(s->acc, s->acc + off, s->acc_n * sizeof(int16_t));
	}
}

void sl__ms_fill_play(struct sl_mstream *s, uint64_t now)
{
	struct sl_mthread *t = s->thr;
	struct sl_media_engine *e = t->eng;
	struct sl_me_frame_hdr *h = (struct sl_me_frame_hdr *)t->frame;
	int16_t *pcm = (int16_t *)(t->frame + sizeof(*h));

	/* The producer's count is an upper bound of what is queued, so
	 * this never overfills. */
	for (unsigned k = 0; k < SL_ME_PCM_FRAMES &&
	     sl__spsc_count(&s->play_ring) < s->play_target; k++) {
		h->gen = s->gen;
		h->n = e->dev_frame;
		sl__ms_play_frame(s, pcm, now);
		if (e->cfg.dtmf_local_tone)
			sl__ms_dtmf_local(s, pcm, e->dev_frame, e->dev_rate);
		if (!sl__spsc_push(&s->play_ring, t->frame))
			break;
	}
}
