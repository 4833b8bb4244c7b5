/*
 * lib/media/rtcp_interval.c: the RTCP transmission interval of RFC 3550
 * §6.2, §6.3.1 and appendix A.7, with the b=RS / b=RR bandwidth
 * modifiers of RFC 3556 §2.
 *
 * Owns: nothing (pure arithmetic).
 * Thread: any (the media thread, once per report).
 * Called by: the media engine when it schedules its next report; the
 * engine draws the random number, so tests and this file stay
 * deterministic.
 */
#include "media/rtp.h"

/* §6.2: RTCP gets 5% of the session bandwidth, a quarter of it for the
 * senders (1.25% and 3.75% of the session: the RFC 3556 defaults). */
#define SENDER_SHARE_DEFAULT 0.25
/* §6.2: the recommended minimum interval, halved before the first
 * report (§6.3.1 "initial"). */
#define MIN_INTERVAL_S 5.0
/* A.7: the randomized interval is divided by e - 3/2 so that timer
 * reconsideration does not make the average rate fall below the
 * target. */
#define COMPENSATION (2.71828182845904523536 - 1.5)
/* Upper bound for the result (about 31 years) so that huge inputs never
 * overflow the conversion to an integer. */
#define MAX_INTERVAL_US 1e15

/* With no b=AS the engine should pass its codec's rate plus headers;
 * if it passes 0 we assume G.711 at 20 ms: 64 kbit/s of audio plus
 * 40 bytes of IPv4/UDP/RTP headers 50 times a second. */
#define DEFAULT_SESSION_BPS 80000.0

static uint64_t to_us(double us)
{
	if (!(us > 0))
		return 0;
	if (us > MAX_INTERVAL_US)
		us = MAX_INTERVAL_US;
	return (uint64_t)(us + 0.5);
}

uint64_t sl__rtcp_interval_us(const struct sl_rtcp_bw *bw, unsigned members,
			      unsigned senders, int we_sent,
			      double avg_size, int initial)
{
	double session, rs, rr, share, rtcp_bw, t;
	double min_s = initial ? MIN_INTERVAL_S / 2 : MIN_INTERVAL_S;
	unsigned n;
	int rs_given = bw && bw->rs_bps >= 0;
	int rr_given = bw && bw->rr_bps >= 0;

	session = bw && bw->session_bps ? bw->session_bps
					: DEFAULT_SESSION_BPS;
	/* RFC 3556 §2: a modifier that is absent takes its default. */
	rs = rs_given ? bw->rs_bps : session / 80;
	rr = rr_given ? bw->rr_bps : session * 3 / 80;
	/* RFC 3556 §2: RS = RR = 0 turns RTCP off. */
	if (rs + rr <= 0)
		return 0;
	/* The caller counts itself; be robust to a count that does not. */
	if (members == 0)
		members = 1;
	if (we_sent && senders == 0)
		senders = 1;
	if (senders > members)
		senders = members;
	/* §6.3.1: with separate S and R the senders' 25% becomes S/(S+R);
	 * keep the default exact so the "<= 25%" boundary is. */
	share = rs_given || rr_given ? rs / (rs + rr) : SENDER_SHARE_DEFAULT;
	rtcp_bw = (rs + rr) / 8; /* octets per second */
	n = members;
	/* §6.3.1: "If the number of senders is greater than zero and less
	 * than or equal to 25% of the total number of members", senders
	 * and receivers share their own parts of the bandwidth; otherwise
	 * everyone shares all of it. With R = 0 the senders are never
	 * above S/(S+R), so a receiver always gets the zero share. */
	if (!we_sent && rr <= 0)
		return 0; /* RR = 0: receivers do not report at all */
	if (senders > 0 && (double)senders <= members * share) {
		if (we_sent) {
			rtcp_bw *= share;
			n = senders;
		} else {
			rtcp_bw *= 1 - share;
			n = members - senders;
		}
	}
	if (!(rtcp_bw > 0))
		return 0;
	t = avg_size * n / rtcp_bw;
	if (!(t >= min_s)) /* also catches a NaN average size */
		t = min_s;
	return to_us(t * 1e6);
}

uint64_t sl__rtcp_randomize(uint64_t td_us, double rnd)
{
	/* A.7: uniform in [0.5, 1.5] times the deterministic interval. */
	if (!(rnd >= 0))
		rnd = 0;
	if (rnd > 1)
		rnd = 1;
	return to_us((double)td_us * (rnd + 0.5) / COMPENSATION);
}
