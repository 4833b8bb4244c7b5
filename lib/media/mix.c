/*
 * lib/media/mix.c: audio between the device and the streams.
 *
 * Thread 0 owns the device. Each tick it runs one mixer pass (more when
 * it has fallen behind, SL_ME_MIX_PASS device frames at a time):
 * sl__mix_begin() reads the capture frames waiting and works out how
 * many playback frames the device needs; sl__mix_stream() then runs each
 * of thread 0's own streams once - it encodes and sends what the capture
 * frames make, and decodes its next playback frames straight into the
 * mix (no copies, no rings); sl__mix_end() adds the other threads'
 * frames and writes the sum, saturated, to the device, keeping the
 * device's queue only a few frames deep so the mouth-to-ear delay stays
 * small.
 *
 * The device is the clock: every frame it takes is one frame of every
 * stream's playout. When a tick comes so late that the device ran dry
 * and played silence, the streams still pass those frames (decoded and
 * dropped), so their jitter buffers never fill up behind a slow tick.
 *
 * Streams of other threads go through their slot's rings: thread 0
 * copies each capture frame into the capture ring of every such stream
 * (tagged with the stream's generation) and wakes their threads; each
 * stream's own thread encodes and sends it (sl__ms_capture) and keeps
 * its playback ring a few frames ahead (sl__ms_fill_play), from which
 * thread 0 takes one frame per device frame.
 *
 * Owns: nothing (the rings are the slots'; scratch is the thread's).
 * Thread: sl__mix_*() on media thread 0; sl__ms_capture(),
 * sl__ms_capture_pcm() and sl__ms_fill_play() on the stream's thread.
 */
#include <string.h>

#include "media/engine_int.h"

/* Frames made per tick at most: a long stall is not worth replaying
 * (the rings would overflow anyway). */
enum { MAX_FRAMES_PER_TICK = 32 };

/* The other threads' streams being mixed, from the dense generation
 * array: a few cache lines, read once per pass. */
static void find_foreign(struct sl_mthread *t0)
{
	struct sl_media_engine *e = t0->eng;

	t0->n_foreign = 0;
	if (e->n_threads < 2)
		return;
	for (unsigned i = 0; i < e->max_streams; i++)
		if (!t0->mine[i] &&
		    atomic_load_explicit(&e->mix_gen[i], memory_order_relaxed))
			t0->foreign[t0->n_foreign++] = (int)i;
}

/* Copies capture frame @pcm into every other thread's stream's ring. */
static void feed_foreign(struct sl_mthread *t0, const int16_t *pcm)
{
	struct sl_media_engine *e = t0->eng;
	struct sl_me_frame_hdr *h = (struct sl_me_frame_hdr *)t0->frame;
	unsigned F = e->dev_frame;

	h->n = F;
	memcpy(t0->frame + sizeof(*h), pcm, F * sizeof(int16_t));
	for (unsigned j = 0; j < t0->n_foreign; j++) {
		int i = t0->foreign[j];
		struct sl_mstream *s = &e->streams[i];
		/* Acquire: the stream's rings were set up before it was
		 * published. */
		uint32_t g = atomic_load_explicit(&e->mix_gen[i],
						  memory_order_acquire);

		if (!g)
			continue;
		h->gen = g;
		/* A full ring means the stream's thread is late; the
		 * frame is lost for that stream only. */
		sl__spsc_push(&s->cap_ring, t0->frame);
	}
}

int sl__mix_begin(struct sl_mthread *t0)
{
	struct sl_media_engine *e = t0->eng;
	struct sl_audio_counters c;
	unsigned F = e->dev_frame;
	/* Two frames queued ride out one late tick; 20 ms frames are long
	 * enough for one. */
	unsigned long target = (e->frame_ms >= 20 ? 2 : 3) * (unsigned long)F;
	unsigned long queued;
	unsigned k;

	find_foreign(t0);
	t0->k_cap = 0;
	while (t0->k_cap < SL_ME_MIX_PASS &&
	       sl__audio_port_capture_avail(e->port) >= F) {
		if (sl__audio_port_read_capture(e->port, t0->cap[t0->k_cap],
						F) < F)
			break;
		if (t0->n_foreign)
			feed_foreign(t0, t0->cap[t0->k_cap]);
		t0->k_cap++;
	}

	sl__audio_port_counters(e->port, &c);
	/* Silence the device played because the ring was empty: frames of
	 * time every stream's playout must still pass (both counters wrap
	 * alike). Far behind, only the last few are worth passing. */
	t0->skip_owed += c.underrun - t0->underrun_seen;
	t0->underrun_seen = c.underrun;
	if (t0->skip_owed > MAX_FRAMES_PER_TICK * (unsigned long)F)
		t0->skip_owed = MAX_FRAMES_PER_TICK * (unsigned long)F;
	k = 0;
	while (k < SL_ME_MIX_PASS && t0->skip_owed >= F) {
		t0->skip_owed -= F;
		k++;
	}
	t0->k_skip = k;
	t0->skipped += k;
	queued = c.written - c.played;
	while (k < SL_ME_MIX_PASS && queued < target &&
	       sl__audio_port_playback_room(e->port) >= F) {
		queued += F;
		k++;
	}
	t0->k_out = k;
	for (unsigned j = t0->k_skip; j < k; j++)
		memset(t0->mix[j - t0->k_skip], 0, F * sizeof(int32_t));
	return t0->k_cap || t0->k_out;
}

void sl__mix_prefetch(const struct sl_mstream *s, int stage)
{
	const char *a;

	if (stage == 0) {
		/* The fields a tick reads, by name: the layout may move. */
		const void *f[] = {
			&s->running, &s->p.pt_rx, &s->p.send, &s->codec,
			&s->ptime_clock, &s->ts, &s->rtp_to_ok,
			&s->connected, &s->last_rx_us, &s->jb, &s->dec_off,
			&s->drx, &s->dtx.state, &s->rtcp.next_us,
			&s->audio_cb, &s->next_pub_us
		};

		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			SL_ME_PREFETCH(f[i]);
		return;
	}
	if (!s->running)
		return;
	/* The jitter buffer's head, and the ends of the FIFOs in use. */
	if (s->jb)
		for (int i = 0; i < 4; i++)
			SL_ME_PREFETCH((const char *)s->jb + 64 * i);
	SL_ME_PREFETCH(s->acc + s->acc_n);
	SL_ME_PREFETCH((const char *)(s->acc + s->acc_n) + 64);
	a = (const char *)(s->dec + s->dec_off);
	for (int i = 0; i < 3; i++)
		SL_ME_PREFETCH(a + 64 * i);
}

/* @mix += @pcm over @n samples; this runs once per stream and frame.
 * Spelled out eight at a time so that the compiler vectorises the block
 * at -O2 (it will not a loop whose count is known only at run time). */
static void mix_add(int32_t *restrict mix, const int16_t *restrict pcm,
		    unsigned n)
{
	unsigned i = 0;

	for (; i + 8 <= n; i += 8) {
		int32_t *m = mix + i;
		const int16_t *p = pcm + i;

		m[0] += p[0];
		m[1] += p[1];
		m[2] += p[2];
		m[3] += p[3];
		m[4] += p[4];
		m[5] += p[5];
		m[6] += p[6];
		m[7] += p[7];
	}
	for (; i < n; i++)
		mix[i] += pcm[i];
}

void sl__mix_stream(struct sl_mthread *t0, struct sl_mstream *s,
		    uint64_t now)
{
	struct sl_media_engine *e = t0->eng;
	unsigned F = e->dev_frame;

	for (unsigned k = 0; k < t0->k_cap; k++)
		sl__ms_capture_pcm(s, t0->cap[k], F, now);
	for (unsigned k = 0; k < t0->k_out; k++) {
		int16_t *pcm = sl__ms_play_next(s, now);
		int32_t *mix;

		if (k < t0->k_skip)
			continue;
		if (e->cfg.dtmf_local_tone)
			sl__ms_dtmf_local(s, pcm, F, e->dev_rate);
		mix = t0->mix[k - t0->k_skip];
		mix_add(mix, pcm, F);
	}
}

/* Adds the next frame of slot @s made for generation @g into @mix
 * (NULL: drops it). Return: 1 taken, 0 none waiting. */
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
		if (mix)
			mix_add(mix, pcm, h->n < F ? h->n : F);
		return 1;
	}
	return 0;
}

void sl__mix_end(struct sl_mthread *t0)
{
	struct sl_media_engine *e = t0->eng;
	unsigned F = e->dev_frame;
	int loop = atomic_load_explicit(&e->loopback, memory_order_relaxed);

	for (unsigned j = 0; j < t0->n_foreign; j++) {
		int i = t0->foreign[j];
		uint32_t g = atomic_load_explicit(&e->mix_gen[i],
						  memory_order_acquire);

		if (!g)
			continue;
		for (unsigned k = 0; k < t0->k_out; k++)
			take_frame(t0, &e->streams[i], g,
				   k < t0->k_skip ? NULL :
				   t0->mix[k - t0->k_skip], F);
	}
	for (unsigned k = t0->k_skip; k < t0->k_out; k++) {
		int32_t *mix = t0->mix[k - t0->k_skip];
		unsigned c = k - t0->k_skip;

		/* Loopback: the microphone frame read in this pass. */
		if (loop && c < t0->k_cap)
			mix_add(mix, t0->cap[c], F);
		for (unsigned i = 0; i < F; i++)
			t0->pcm[i] = sl__me_sat16(mix[i]);
		if (sl__audio_port_write_playback(e->port, t0->pcm, F) < F)
			break;
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

void sl__ms_capture_pcm(struct sl_mstream *s, const int16_t *pcm, size_t n,
			uint64_t now)
{
	size_t room = SL_ME_ACC_CAP - s->acc_n, used = 0, made, off = 0;

	if (!s->rs_cap) {
		made = n < room ? n : room;
		memcpy(s->acc + s->acc_n, pcm, made * sizeof(*pcm));
	} else {
		made = sl__resampler_run(s->rs_cap, pcm, n, s->acc + s->acc_n,
					 room, &used);
	}
	s->acc_n += made;
	while (s->acc_n - off >= s->ptime_samples) {
		packet_slot(s, s->acc + off, now);
		off += s->ptime_samples;
	}
	s->acc_n -= off;
	if (off && s->acc_n)
		memmove(s->acc, s->acc + off, s->acc_n * sizeof(int16_t));
}

void sl__ms_capture(struct sl_mstream *s, uint64_t now)
{
	struct sl_mthread *t = s->thr;
	const struct sl_me_frame_hdr *h =
		(const struct sl_me_frame_hdr *)t->frame;
	const int16_t *pcm = (const int16_t *)(t->frame + sizeof(*h));

	for (unsigned k = 0; k < SL_ME_PCM_FRAMES &&
	     sl__spsc_pop(&s->cap_ring, t->frame); k++)
		if (h->gen == s->gen)
			sl__ms_capture_pcm(s, pcm, h->n, now);
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
