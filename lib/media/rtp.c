/*
 * lib/media/rtp.c: the RTP fixed header (RFC 3550 §5.1, §5.3.1), the
 * RFC 5761 §4 RTP/RTCP demultiplexing test, and the per-source receiver
 * statistics of RFC 3550 appendix A.1 (sequence validation with
 * probation, wrap and restart), A.3 (expected and lost packets) and A.8
 * (interarrival jitter).
 *
 * Owns: nothing; every function works on caller-owned bytes and structs.
 * Thread: any (the media thread calls these per packet: no allocation,
 * no lock, no blocking call).
 * Called by: the media engine (lib/media) and lib/media/rtcp.c.
 */
#include <string.h>

#include "core/bytes.h"
#include "media/rtp.h"
#include "sipline/error.h"

/* RFC 3550 A.1 constants. */
enum {
	SEQ_MOD = 1 << 16,
	MAX_DROPOUT = 3000,
	MAX_MISORDER = 100,
	MIN_SEQUENTIAL = 2
};

/* The 24-bit signed range of the "cumulative number of packets lost"
 * field (§6.4.1). */
#define LOST_MAX 0x7fffff
#define LOST_MIN (-0x800000)

int sl__rtp_parse(const uint8_t *pkt, size_t len, struct sl_rtp_hdr *h)
{
	size_t off, end;
	unsigned cc;

	if (!pkt || !h)
		return SL_EINVAL;
	memset(h, 0, sizeof(*h));
	if (len < SL_RTP_HDR || pkt[0] >> 6 != 2)
		return SL_EPARSE;
	cc = pkt[0] & 0x0f;
	h->marker = pkt[1] >> 7;
	h->pt = pkt[1] & 0x7f;
	h->seq = sl__get_be16(pkt + 2);
	h->ts = sl__get_be32(pkt + 4);
	h->ssrc = sl__get_be32(pkt + 8);
	off = SL_RTP_HDR;
	if (len - off < 4u * cc)
		return SL_EPARSE;
	h->cc = (uint8_t)cc;
	for (unsigned k = 0; k < cc; k++, off += 4)
		h->csrc[k] = sl__get_be32(pkt + off);
	if (pkt[0] & 0x10) {
		size_t words;

		/* §5.3.1: 16-bit profile, 16-bit length in 32-bit words
		 * not counting this 4-byte header. */
		if (len - off < 4)
			return SL_EPARSE;
		h->ext_profile = sl__get_be16(pkt + off);
		words = sl__get_be16(pkt + off + 2);
		off += 4;
		if (len - off < 4 * words)
			return SL_EPARSE;
		h->ext = pkt + off;
		h->ext_len = 4 * words;
		off += 4 * words;
	}
	end = len;
	if (pkt[0] & 0x20) {
		/* §5.1: the last octet counts the padding, itself included,
		 * so 0 is malformed, and padding may not eat the header. */
		size_t pad = pkt[len - 1];

		if (pad == 0 || pad > len - off)
			return SL_EPARSE;
		end = len - pad;
	}
	h->payload = pkt + off;
	h->payload_len = end - off;
	return 0;
}

int sl__rtp_write_hdr(uint8_t *out, size_t cap, uint8_t pt, int marker,
		      uint16_t seq, uint32_t ts, uint32_t ssrc)
{
	if (!out || pt > 127)
		return SL_EINVAL;
	if (cap < SL_RTP_HDR)
		return SL_ENOSPC;
	out[0] = 0x80; /* V=2, no padding, no extension, no CSRC */
	out[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	sl__put_be16(out + 2, seq);
	sl__put_be32(out + 4, ts);
	sl__put_be32(out + 8, ssrc);
	return SL_RTP_HDR;
}

int sl__rtp_is_rtcp(const uint8_t *pkt, size_t len)
{
	/* RFC 5761 §4: RTCP packet types 192-223 would be RTP payload
	 * types 64-95 with the marker set, which the RTP/AVP profile keeps
	 * unused, so the second octet alone tells the two apart. */
	return pkt && len >= 2 && pkt[1] >= 192 && pkt[1] <= 223;
}

/* A.1 init_seq(): a fresh base at @seq. */
static void init_seq(struct sl_rtp_source *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = SEQ_MOD + 1; /* never equal to a 16-bit seq */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void sl__rtp_source_init(struct sl_rtp_source *s, uint32_t ssrc,
			 uint16_t seq)
{
	memset(s, 0, sizeof(*s));
	s->ssrc = ssrc;
	init_seq(s, seq);
	/* A.1: the first packet must be fed to sl__rtp_source_update() as
	 * well; it then looks like the successor of max_seq and starts the
	 * probation count. */
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = MIN_SEQUENTIAL;
	s->valid = 0;
}

/* A.1 update_seq(). Return: 1 when the packet counts as received. */
static int update_seq(struct sl_rtp_source *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* The RFC's "seq == max_seq + 1" compares in int and so
		 * never matches across 65535 -> 0; compare in 16 bits. */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->valid = 1;
				s->received++;
				return 1;
			}
		} else {
			s->probation = MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return 0;
	}
	if (udelta < MAX_DROPOUT) {
		/* In order, with a permissible gap. */
		if (seq < s->max_seq)
			s->cycles += SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= SEQ_MOD - MAX_MISORDER) {
		/* A very large jump: the sender may have restarted. Two
		 * sequential packets after the jump re-sync us. */
		if (seq == s->bad_seq) {
			init_seq(s, seq);
		} else {
			s->bad_seq = (uint32_t)(seq + 1) & (SEQ_MOD - 1);
			return 0;
		}
	}
	/* else: a duplicate or a reordered packet; counted, as in A.1. */
	s->received++;
	return 1;
}

int sl__rtp_source_update(struct sl_rtp_source *s, uint16_t seq,
			  uint32_t rtp_ts, uint32_t arrival)
{
	/* A.8: transit time in RTP units; both clocks wrap at 2^32, so the
	 * difference is taken modulo 2^32 and read as signed. */
	int32_t transit = (int32_t)(arrival - rtp_ts);
	int32_t d;

	if (!update_seq(s, seq))
		return 0;
	if (s->received == 1) {
		/* First packet of a (re)started sequence: nothing to
		 * compare with yet, and the old transit belongs to a clock
		 * that may have been reset. */
		s->transit = transit;
		return 1;
	}
	d = (int32_t)((uint32_t)transit - (uint32_t)(int32_t)s->transit);
	s->transit = transit;
	/* |d| as a double: -INT32_MIN does not fit in an int32_t. */
	s->jitter += ((d < 0 ? -(double)d : (double)d) - s->jitter) / 16.0;
	return 1;
}

uint32_t sl__rtp_source_ext_max(const struct sl_rtp_source *s)
{
	return s->cycles + s->max_seq;
}

/* A.3 expected packets since the base, as a signed count so a restart
 * or a stale base never turns into 4 billion. */
static int64_t expected(const struct sl_rtp_source *s)
{
	return (int64_t)sl__rtp_source_ext_max(s) - s->base_seq + 1;
}

int32_t sl__rtp_source_lost(const struct sl_rtp_source *s)
{
	int64_t lost;

	if (!s->valid)
		return 0;
	/* Duplicates can make this negative; §6.4.1 keeps the sign. */
	lost = expected(s) - s->received;
	if (lost > LOST_MAX)
		return LOST_MAX;
	if (lost < LOST_MIN)
		return LOST_MIN;
	return (int32_t)lost;
}

uint8_t sl__rtp_source_fraction(struct sl_rtp_source *s)
{
	int64_t want, exp_interval, rcv_interval, lost_interval;

	if (!s->valid)
		return 0;
	want = expected(s);
	exp_interval = want - (int64_t)s->expected_prior;
	s->expected_prior = (uint32_t)want;
	rcv_interval = (int64_t)s->received - s->received_prior;
	s->received_prior = s->received;
	lost_interval = exp_interval - rcv_interval;
	if (exp_interval <= 0 || lost_interval <= 0)
		return 0;
	/* 8-bit fixed point, truncated; a whole interval lost is 256/256,
	 * which the 8-bit field cannot hold: report 255. */
	if (lost_interval >= exp_interval)
		return 255;
	return (uint8_t)((lost_interval << 8) / exp_interval);
}
