/*
 * lib/media/rtcp_sched.c: one stream's RTCP - when to report (RFC 3550
 * §6.3 with the RFC 3556 bandwidth modifiers, randomized per A.7),
 * what to say (an SR when we sent RTP since the last report, else an
 * RR; one report block about the peer once we hear it; SDES CNAME;
 * BYE when the stream stops, §6.6), and what the peer's reports tell
 * us: the round-trip time from LSR/DLSR in their block about us
 * (§6.4.1) and the loss they see.
 *
 * Two parties only: members is 2 and senders counts who sent since the
 * last report. Timer reconsideration (§6.3.6) matters for large groups
 * and is left out.
 *
 * Owns: the stream's struct sl_rtcp_sched.
 * Thread: the stream's media thread.
 */
#include <string.h>

#include "media/engine_int.h"

enum { RTCP_BUF = 512,           /* SR + 1 block + CNAME + BYE fit */
       UDP_IP_OVERHEAD = 28,     /* §6.3.1: sizes include UDP/IP */
       HDR_OVERHEAD = 40 };      /* RTP + UDP + IPv4 per packet */

/* Session bandwidth (bit/s) when the SDP gave no b=AS: the codec's rate
 * plus headers, which is what §6.2 means by the session bandwidth. */
static uint32_t session_bps(const struct sl_mstream *s)
{
	const struct sl_codec *c = s->codec;
	uint32_t payload;

	if (s->p.bw.session_bps)
		return s->p.bw.session_bps;
	if (s->p.cp.bitrate)
		payload = s->p.cp.bitrate;
	else if (c->sample_rate == c->clock_rate &&
		 strcmp(c->name, "L16") == 0)
		payload = c->sample_rate * 16;
	else
		payload = 64000;        /* G.711, G.722; opus at most */
	return payload + HDR_OVERHEAD * 8 * 1000 / s->ptime_ms;
}

static void schedule(struct sl_mstream *s, uint64_t now)
{
	struct sl_rtcp_sched *r = &s->rtcp;
	struct sl_rtcp_bw bw = s->p.bw;
	unsigned senders = (r->we_sent != 0) + (r->peer_sent != 0);
	uint64_t td;
	double rnd;

	bw.session_bps = session_bps(s);
	td = sl__rtcp_interval_us(&bw, 2, senders, r->we_sent, r->avg_size,
				  r->initial);
	if (!td) {
		r->next_us = 0; /* RS = RR = 0 (RFC 3556 §2): no RTCP */
		return;
	}
	rnd = (double)(sl__me_rand(&r->rng) >> 8) / 16777216.0;
	r->next_us = now + sl__rtcp_randomize(td, rnd);
}

void sl__ms_rtcp_start(struct sl_mstream *s, uint64_t now)
{
	struct sl_rtcp_sched *r = &s->rtcp;

	memset(r, 0, sizeof(*r));
	r->rtt_ms = -1;
	r->initial = 1;
	/* A.7: start from the size of the packet we are about to send. */
	r->avg_size = 100;
	r->rng = s->ssrc ^ 0x5bd1e995u;
	schedule(s, now);
}

void sl__ms_rtcp_reschedule(struct sl_mstream *s, uint64_t now)
{
	schedule(s, now);
}

static void send_report(struct sl_mstream *s, uint64_t now, int bye)
{
	struct sl_rtcp_sched *r = &s->rtcp;
	struct sl_rtcp_sender sr, *srp = NULL;
	struct sl_rtcp_block b;
	uint8_t buf[RTCP_BUF];
	unsigned n = 0;
	int len;

	if (s->have_src) {
		/* The peer's last SR, possibly read before its first RTP
		 * packet made the source. */
		s->src.lsr = r->lsr;
		s->src.lsr_arrival_us = r->lsr_arrival_us;
		sl__rtcp_block_from(&s->src, now, &b);
		n = 1;
	}
	if (r->we_sent) {
		/* The RTP timestamp that matches "now": ours advance with
		 * captured audio, so the next packet's is the closest. */
		sr.ntp = sl__ntp_now();
		sr.rtp_ts = s->ts;
		sr.packets = (uint32_t)s->tx_packets;
		sr.octets = (uint32_t)s->tx_octets;
		srp = &sr;
	}
	len = sl__rtcp_build(buf, sizeof(buf), s->ssrc, srp, &b, n,
			     s->p.cname, bye);
	if (len <= 0)
		return;
	sl__ms_send_rtcp(s, buf, (size_t)len);
	r->reports++;
	r->avg_size += ((double)len + UDP_IP_OVERHEAD - r->avg_size) / 16;
}

void sl__ms_rtcp_tick(struct sl_mstream *s, uint64_t now)
{
	struct sl_rtcp_sched *r = &s->rtcp;

	if (!r->next_us || now < r->next_us)
		return;
	send_report(s, now, 0);
	r->initial = 0;
	schedule(s, now);
	/* Who counts as a sender is judged per interval. */
	r->we_sent = 0;
	r->peer_sent = 0;
}

void sl__ms_rtcp_bye(struct sl_mstream *s, uint64_t now)
{
	if (!s->rtcp.next_us)
		return;
	send_report(s, now, 1);
}

int sl__ms_rtcp_recv(struct sl_mstream *s, const uint8_t *pkt, size_t len,
		     uint64_t now)
{
	struct sl_rtcp_sched *r = &s->rtcp;
	struct sl_rtcp_info in;

	if (sl__rtcp_parse(pkt, len, &in) < 0)
		return -1;
	if (in.ssrc == s->ssrc)
		return -1;      /* our own packet, looped back */
	r->received++;
	if (in.has_sr) {
		r->lsr = sl__ntp_middle(in.sr.ntp);
		r->lsr_arrival_us = now;
	}
	for (unsigned i = 0; i < in.n_blocks && i < SL_RTCP_MAX_BLOCKS;
	     i++) {
		const struct sl_rtcp_block *b = &in.blocks[i];
		int64_t rtt;

		if (b->ssrc != s->ssrc)
			continue;
		rtt = sl__rtcp_rtt_us(b, sl__ntp_now());
		if (rtt >= 0)
			r->rtt_ms = (double)rtt / 1000.0;
		r->remote_loss_pct = (double)b->fraction * 100.0 / 256.0;
	}
	return 0;
}
