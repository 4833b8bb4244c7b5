/*
 * lib/media/dtmf_send.c: the RFC 4733 sender of one stream.
 *
 * Digits wait in a small queue. A tone takes over the stream's packet
 * slots (the audio pauses, its timestamp keeps running): the first
 * packet has the marker bit and the timestamp of the slot it starts in
 * (§2.3.5), every packet time after it an update with the same timestamp
 * and a growing duration (§2.5.1.2), and at the end three packets with
 * the E bit and the final duration (§2.5.1.4: retransmitted end
 * packets), each with its own sequence number. Audio then resumes with
 * the marker set, and the next digit waits at least 50 ms.
 *
 * The 16-bit duration field caps one tone at 65535 clock units (8.2 s at
 * 8 kHz, 1.36 s at 48 kHz); the configured 2 s limit only meets it on
 * 48 kHz streams, where the tone is cut at the cap.
 *
 * Owns: the stream's DTMF queue and tone state.
 * Thread: the stream's media thread.
 */
#include <math.h>
#include <string.h>

#include "media/engine_int.h"

enum { DTX_IDLE = 0, DTX_TONE = 1, DTX_GAP = 2 };
enum { GAP_MS = 50, END_PACKETS = 3, TE_VOLUME = 10 };

/* RFC 4733 §3.2 event codes to the DTMF row and column (Hz). */
static const uint16_t dtmf_low[16] = { 941, 697, 697, 697, 770, 770, 770,
				       852, 852, 852, 941, 941, 697, 770,
				       852, 941 };
static const uint16_t dtmf_high[16] = { 1336, 1209, 1336, 1477, 1209, 1336,
					1477, 1209, 1336, 1477, 1209, 1477,
					1633, 1633, 1633, 1633 };

void sl__ms_dtmf_tx_reset(struct sl_mstream *s)
{
	unsigned left = s->dtx.n + (s->dtx.state == DTX_TONE);

	/* Whatever will not be sent no longer counts as pending. */
	if (left)
		atomic_fetch_sub_explicit(&s->dtmf_pending, left,
					  memory_order_relaxed);
	memset(&s->dtx, 0, sizeof(s->dtx));
}

int sl__ms_dtmf_queue(struct sl_mstream *s, char digit, unsigned dur_ms)
{
	struct sl_dtmf_tx *d = &s->dtx;
	unsigned at;

	if (d->n >= SL_ME_DTMF_QUEUE || sl__tel_event_code(digit) < 0)
		return -1;
	at = (d->head + d->n) % SL_ME_DTMF_QUEUE;
	d->digit[at] = digit;
	d->dur_ms[at] = (uint16_t)dur_ms;
	d->n++;
	return 0;
}

static void send_event(struct sl_mstream *s, int end, int marker,
		       uint64_t now)
{
	struct sl_tel_event ev;
	int n;

	ev.event = s->dtx.code;
	ev.end = end;
	ev.volume = TE_VOLUME;
	ev.duration = (uint16_t)s->dtx.dur;
	n = sl__tel_event_write(s->thr->out + SL_RTP_HDR, SL_ME_MAX_PAYLOAD,
				&ev);
	if (n > 0)
		sl__ms_send_rtp(s, (uint8_t)s->p.te_pt_tx, marker,
				s->dtx.ev_ts, (size_t)n, now);
}

static void start_tone(struct sl_mstream *s, uint64_t now)
{
	struct sl_dtmf_tx *d = &s->dtx;
	uint32_t clock = s->codec->clock_rate;
	uint64_t target;
	char digit = d->digit[d->head];
	unsigned ms = d->dur_ms[d->head];

	d->head = (d->head + 1) % SL_ME_DTMF_QUEUE;
	d->n--;
	d->code = (uint8_t)sl__tel_event_code(digit);
	target = (uint64_t)ms * clock / 1000;
	if (target < s->ptime_clock)
		target = s->ptime_clock;
	if (target > 0xffff)
		target = 0xffff;
	d->target = (uint32_t)target;
	d->ev_ts = s->ts;
	d->dur = s->ptime_clock;
	d->state = DTX_TONE;
	d->phase1 = 0;
	d->phase2 = 0;
	if (d->code < 16) {
		d->f1 = dtmf_low[d->code];
		d->f2 = dtmf_high[d->code];
	} else {
		d->f1 = 0;      /* flash: no tone */
		d->f2 = 0;
	}
	send_event(s, 0, 1, now);
}

int sl__ms_dtmf_step(struct sl_mstream *s, uint64_t now)
{
	struct sl_dtmf_tx *d = &s->dtx;

	switch (d->state) {
	case DTX_TONE:
		if (d->dur + s->ptime_clock >= d->target) {
			d->dur = d->target;
			for (int i = 0; i < END_PACKETS; i++)
				send_event(s, 1, 0, now);
			d->state = DTX_GAP;
			d->gap_left = (GAP_MS + s->ptime_ms - 1) / s->ptime_ms;
			s->marker_next = 1;
			atomic_fetch_sub_explicit(&s->dtmf_pending, 1,
						  memory_order_relaxed);
			return 1;
		}
		d->dur += s->ptime_clock;
		send_event(s, 0, 0, now);
		return 1;
	case DTX_GAP:
		if (d->gap_left) {
			d->gap_left--;
			return 0;
		}
		d->state = DTX_IDLE;
		if (!d->n)
			return 0;
		start_tone(s, now);
		return 1;
	default:
		if (!d->n)
			return 0;
		start_tone(s, now);
		return 1;
	}
}

void sl__ms_dtmf_local(struct sl_mstream *s, int16_t *pcm, size_t n,
		       unsigned rate)
{
	struct sl_dtmf_tx *d = &s->dtx;
	/* About -10 dBFS per component: clearly audible, never clipping
	 * with speech under it. */
	const double amp = 0.3 * 32767.0 / 2;
	double w1, w2;

	if (d->state != DTX_TONE || !d->f1)
		return;
	w1 = 2 * M_PI * d->f1 / rate;
	w2 = 2 * M_PI * d->f2 / rate;
	for (size_t i = 0; i < n; i++) {
		double v = amp * (sin(d->phase1) + sin(d->phase2));

		pcm[i] = sl__me_sat16(pcm[i] + (int32_t)v);
		d->phase1 += w1;
		d->phase2 += w2;
	}
	d->phase1 = fmod(d->phase1, 2 * M_PI);
	d->phase2 = fmod(d->phase2, 2 * M_PI);
}
