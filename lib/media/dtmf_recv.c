/*
 * lib/media/dtmf_recv.c: RFC 4733 receiver - one SL_MEV_DTMF per
 * telephone event, however many packets carry it.
 *
 * An event is keyed by its RTP timestamp (§2.5.2.1: every packet of one
 * event has the start timestamp). We report it once, with its duration,
 * at the first packet with the E bit; if the end packets are all lost we
 * report it when the next event starts or when no packet of it has come
 * for a second (§2.5.2.2 asks receivers to end an event on such a
 * timeout). Retransmitted end packets and late updates of an event
 * already reported are ignored.
 *
 * Owns: the stream's struct sl_dtmf_rx.
 * Thread: the stream's media thread.
 */
#include <string.h>

#include "media/engine_int.h"

enum { END_TIMEOUT_US = 1000000 };

static void report(struct sl_mstream *s);

void sl__ms_dtmf_rx_reset(struct sl_mstream *s)
{
	/* A digit whose end never came was still pressed: report it
	 * before a new sender (SSRC) or a stop forgets it. */
	if (s->drx.active && !s->drx.emitted)
		report(s);
	memset(&s->drx, 0, sizeof(s->drx));
}

static void report(struct sl_mstream *s)
{
	struct sl_dtmf_rx *d = &s->drx;
	char digit = sl__tel_event_digit(d->code);
	unsigned ms = (unsigned)((uint64_t)d->duration * 1000 /
				 s->codec->clock_rate);

	d->emitted = 1;
	/* Events other than DTMF and flash (tones, §3.2 of RFC 4734) are
	 * not ours to report. */
	if (digit != (char)-1)
		sl__me_emit(s, SL_MEV_DTMF, digit, ms);
}

void sl__ms_dtmf_rx(struct sl_mstream *s, const struct sl_rtp_hdr *h,
		    uint64_t now)
{
	struct sl_dtmf_rx *d = &s->drx;
	struct sl_tel_event e;

	if (sl__tel_event_parse(h->payload, h->payload_len, &e) < 0)
		return;
	if (d->active && h->ts == d->ts) {
		if (e.duration > d->duration)
			d->duration = e.duration;
		d->last_us = now;
		if (e.end && !d->emitted)
			report(s);
		return;
	}
	if (d->have_done && h->ts == d->done_ts)
		return;         /* late packet of an event already ended */
	if (d->active) {
		if (!d->emitted)
			report(s);      /* its end packets were lost */
		d->done_ts = d->ts;
		d->have_done = 1;
	}
	d->active = 1;
	d->emitted = 0;
	d->ts = h->ts;
	d->code = e.event;
	d->duration = e.duration;
	d->last_us = now;
	if (e.end)
		report(s);
}

void sl__ms_dtmf_rx_tick(struct sl_mstream *s, uint64_t now)
{
	struct sl_dtmf_rx *d = &s->drx;

	if (d->active && !d->emitted && now - d->last_us >= END_TIMEOUT_US)
		report(s);
}
