/*
 * lib/media/keepalive.c: the two "nothing is flowing" timers of a
 * stream.
 *
 * Keep-alive: while we send no RTP (hold, recvonly, inactive) an empty
 * packet of keepalive_pt every keepalive_ms keeps NAT bindings and the
 * peer's symmetric-RTP latch alive (RFC 6263 §4.6 suggests an RTP packet
 * with a payload type the peer ignores, e.g. 13 CN with no payload).
 *
 * Media timeout: when we expect the peer's RTP (our direction receives)
 * and none came for media_timeout_ms, SL_MEV_TIMEOUT goes to the loop
 * once; the next packet re-arms it (stream.c clears timed_out).
 *
 * Owns: nothing (the stream's timer fields).
 * Thread: the stream's media thread, once per tick.
 */
#include "media/engine_int.h"

void sl__ms_keepalive_tick(struct sl_mstream *s, uint64_t now)
{
	const struct sl_media_config *c = &s->thr->eng->cfg;
	uint64_t period;

	if (!c->keepalive_ms || c->keepalive_pt < 0 || s->p.send)
		return;
	period = (uint64_t)c->keepalive_ms * 1000u;
	if (now < s->next_ka_us || now - s->last_tx_us < period)
		return;
	s->next_ka_us = now + period;
	sl__ms_send_rtp(s, (uint8_t)c->keepalive_pt, 0, s->ts, 0, now);
}

void sl__ms_timeout_tick(struct sl_mstream *s, uint64_t now)
{
	const struct sl_media_config *c = &s->thr->eng->cfg;

	if (!c->media_timeout_ms || !s->p.recv || s->timed_out)
		return;
	if (now - s->last_rx_us < (uint64_t)c->media_timeout_ms * 1000u)
		return;
	s->timed_out = 1;
	sl__me_emit(s, SL_MEV_TIMEOUT, 0, 0);
}
