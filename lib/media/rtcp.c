/*
 * lib/media/rtcp.c: compound RTCP packets (RFC 3550 §6.1, SR and RR
 * §6.4, SDES CNAME §6.5, BYE §6.6, the validity checks of appendix A.2),
 * report blocks from a receiver's source statistics, round-trip time from
 * LSR/DLSR (§6.4.1) and the NTP timestamp helpers.
 *
 * Owns: nothing; the parser points into the caller's packet and never
 * writes to it, the builder writes only into the caller's buffer.
 * Thread: any (the media thread, per RTCP packet and per report).
 * Called by: the media engine.
 *
 * Strictness: every length is checked against the end before a byte is
 * read; what is wrong in a way that could make us misread a field (bad
 * version, lengths that do not add up, padding anywhere but in the last
 * packet, counts that overrun a packet, an SDES chunk without its null
 * item) rejects the whole compound, as A.2 asks. Packet types we do not
 * use (APP, XR, feedback...) are skipped by their length.
 */
#include <string.h>
#include <time.h>

#include "core/bytes.h"
#include "media/rtp.h"
#include "sipline/error.h"

enum {
	BLOCK_LEN = 24,          /* §6.4.1 report block */
	SENDER_INFO_LEN = 20,    /* NTP (8), RTP ts, packets, octets */
	SDES_CNAME = 1,
	SDES_END = 0
};

/* Seconds from 1900 (NTP era 0) to 1970 (the Unix epoch). */
#define NTP_UNIX_OFFSET 2208988800u

static void get_block(const uint8_t *p, struct sl_rtcp_block *b)
{
	uint32_t lost = (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];

	b->ssrc = sl__get_be32(p);
	b->fraction = p[4];
	/* Sign-extend the 24-bit two's complement count. */
	b->lost = (int32_t)(lost & 0x7fffff) - (int32_t)(lost & 0x800000);
	b->ext_max = sl__get_be32(p + 8);
	b->jitter = sl__get_be32(p + 12);
	b->lsr = sl__get_be32(p + 16);
	b->dlsr = sl__get_be32(p + 20);
}

/*
 * One SR or RR packet: @p its first byte, @body the bytes after the
 * 4-byte header (padding removed), @count its RC field. The first report
 * from the compound's sender fills @i; more RR packets from the same
 * sender (§6.4.2: over 31 sources) add their blocks up to the array's
 * size; reports from anyone else are only checked.
 */
static int parse_report(const uint8_t *p, size_t body, unsigned count,
			int is_sr, int *seen, struct sl_rtcp_info *i)
{
	size_t fixed = 4 + (is_sr ? SENDER_INFO_LEN : 0);
	const uint8_t *q;
	uint32_t ssrc;

	if (body < fixed || (body - fixed) / BLOCK_LEN < count)
		return SL_EPARSE;
	ssrc = sl__get_be32(p + 4);
	if (ssrc != i->ssrc)
		return 0;
	if (!*seen) {
		*seen = 1;
		if (is_sr) {
			i->has_sr = 1;
			i->sr.ntp = (uint64_t)sl__get_be32(p + 8) << 32 |
				    sl__get_be32(p + 12);
			i->sr.rtp_ts = sl__get_be32(p + 16);
			i->sr.packets = sl__get_be32(p + 20);
			i->sr.octets = sl__get_be32(p + 24);
		}
	}
	q = p + 4 + fixed;
	for (unsigned k = 0; k < count && i->n_blocks < SL_RTCP_MAX_BLOCKS;
	     k++, q += BLOCK_LEN)
		get_block(q, &i->blocks[i->n_blocks++]);
	return 0;
}

/* SDES (§6.5): @count chunks of an SSRC and items ending in a null item
 * then zero octets up to the next 32-bit boundary. */
static int parse_sdes(const uint8_t *p, size_t body, unsigned count,
		      struct sl_rtcp_info *i)
{
	size_t q = 4, end = 4 + body;

	for (unsigned c = 0; c < count; c++) {
		uint32_t src;

		if (end - q < 4)
			return SL_EPARSE;
		src = sl__get_be32(p + q);
		q += 4;
		/* Each item moves q forward by at least one byte, so this
		 * ends within the packet. */
		for (;;) {
			size_t ilen;

			if (q >= end)
				return SL_EPARSE; /* no null item */
			if (p[q] == SDES_END) {
				q = (q + 4) & ~(size_t)3;
				if (q > end)
					return SL_EPARSE;
				break;
			}
			if (end - q < 2)
				return SL_EPARSE;
			ilen = p[q + 1];
			if (end - q - 2 < ilen)
				return SL_EPARSE;
			if (p[q] == SDES_CNAME && src == i->ssrc &&
			    !i->cname) {
				i->cname = p + q + 2;
				i->cname_len = ilen;
			}
			q += 2 + ilen;
		}
	}
	return 0;
}

/* BYE (§6.6): @count SSRCs, then an optional length-prefixed reason. */
static int parse_bye(size_t body, const uint8_t *p, unsigned count,
		     struct sl_rtcp_info *i)
{
	size_t ids = 4 * (size_t)count;

	if (body < ids)
		return SL_EPARSE;
	if (body > ids && (size_t)p[4 + ids] + 1 > body - ids)
		return SL_EPARSE;
	i->bye = 1;
	return 0;
}

int sl__rtcp_parse(const uint8_t *pkt, size_t len, struct sl_rtcp_info *i)
{
	size_t off = 0;
	int seen = 0;

	if (!pkt || !i)
		return SL_EINVAL;
	memset(i, 0, sizeof(*i));
	/* A.2: the compound starts with an SR or RR. We also take one that
	 * starts with a BYE (some peers send a bare BYE on hang-up); its
	 * sender is then the BYE's first SSRC (none: 0). */
	if (len < 8 || (pkt[1] != SL_RTCP_SR && pkt[1] != SL_RTCP_RR &&
			pkt[1] != SL_RTCP_BYE))
		return SL_EPARSE;
	if (pkt[1] != SL_RTCP_BYE || (pkt[0] & 0x1f))
		i->ssrc = sl__get_be32(pkt + 4);
	/* Every packet is at least 4 bytes, so at most len/4 rounds. */
	while (off < len) {
		const uint8_t *p = pkt + off;
		size_t plen, body;
		unsigned count;
		int rc = 0;

		if (len - off < 4 || p[0] >> 6 != 2)
			return SL_EPARSE;
		plen = ((size_t)sl__get_be16(p + 2) + 1) * 4;
		if (plen > len - off)
			return SL_EPARSE;
		body = plen - 4;
		if (p[0] & 0x20) {
			/* Padding (its count in the last octet, itself
			 * included) only in the compound's last packet. */
			size_t pad = p[plen - 1];

			if (off + plen != len || pad == 0 || pad > body)
				return SL_EPARSE;
			body -= pad;
		}
		count = p[0] & 0x1f;
		switch (p[1]) {
		case SL_RTCP_SR:
		case SL_RTCP_RR:
			rc = parse_report(p, body, count, p[1] == SL_RTCP_SR,
					  &seen, i);
			break;
		case SL_RTCP_SDES:
			rc = parse_sdes(p, body, count, i);
			break;
		case SL_RTCP_BYE:
			rc = parse_bye(body, p, count, i);
			break;
		default:
			break; /* APP, XR, RTPFB, PSFB...: not ours */
		}
		if (rc < 0)
			return rc;
		off += plen;
	}
	return 0;
}

static void put_block(uint8_t *p, const struct sl_rtcp_block *b)
{
	int32_t lost = b->lost;

	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	sl__put_be32(p, b->ssrc);
	/* Two's complement in 24 bits, after the fraction octet. */
	sl__put_be32(p + 4, (uint32_t)b->fraction << 24 |
		     ((uint32_t)lost & 0xffffff));
	sl__put_be32(p + 8, b->ext_max);
	sl__put_be32(p + 12, b->jitter);
	sl__put_be32(p + 16, b->lsr);
	sl__put_be32(p + 20, b->dlsr);
}

static void put_common(uint8_t *p, unsigned count, uint8_t pt, size_t plen)
{
	p[0] = (uint8_t)(0x80 | count);
	p[1] = pt;
	sl__put_be16(p + 2, (uint16_t)(plen / 4 - 1));
}

int sl__rtcp_build(uint8_t *out, size_t cap, uint32_t ssrc,
		   const struct sl_rtcp_sender *sr,
		   const struct sl_rtcp_block *blocks, unsigned n,
		   const char *cname, int bye)
{
	size_t rep, sdes, cname_len, total, off;

	if (!out || !cname || n > SL_RTCP_MAX_BLOCKS || (n && !blocks))
		return SL_EINVAL;
	cname_len = strnlen(cname, 256);
	if (cname_len > 255)
		return SL_EINVAL;
	rep = 8 + (sr ? SENDER_INFO_LEN : 0) + (size_t)n * BLOCK_LEN;
	/* Header, SSRC, CNAME item (type, length, text), at least one null
	 * octet, rounded up to 32 bits (§6.5). */
	sdes = 8 + ((2 + cname_len + 1 + 3) & ~(size_t)3);
	total = rep + sdes + (bye ? 8 : 0);
	if (cap < total)
		return SL_ENOSPC;

	put_common(out, n, sr ? SL_RTCP_SR : SL_RTCP_RR, rep);
	sl__put_be32(out + 4, ssrc);
	off = 8;
	if (sr) {
		sl__put_be32(out + off, (uint32_t)(sr->ntp >> 32));
		sl__put_be32(out + off + 4, (uint32_t)sr->ntp);
		sl__put_be32(out + off + 8, sr->rtp_ts);
		sl__put_be32(out + off + 12, sr->packets);
		sl__put_be32(out + off + 16, sr->octets);
		off += SENDER_INFO_LEN;
	}
	for (unsigned k = 0; k < n; k++, off += BLOCK_LEN)
		put_block(out + off, &blocks[k]);

	put_common(out + off, 1, SL_RTCP_SDES, sdes);
	sl__put_be32(out + off + 4, ssrc);
	out[off + 8] = SDES_CNAME;
	out[off + 9] = (uint8_t)cname_len;
	memcpy(out + off + 10, cname, cname_len);
	memset(out + off + 10 + cname_len, 0, sdes - 10 - cname_len);
	off += sdes;

	if (bye) {
		put_common(out + off, 1, SL_RTCP_BYE, 8);
		sl__put_be32(out + off + 4, ssrc);
		off += 8;
	}
	return (int)off;
}

void sl__rtcp_block_from(struct sl_rtp_source *s, uint64_t now_us,
			 struct sl_rtcp_block *b)
{
	memset(b, 0, sizeof(*b));
	b->ssrc = s->ssrc;
	b->fraction = sl__rtp_source_fraction(s);
	b->lost = sl__rtp_source_lost(s);
	b->ext_max = sl__rtp_source_ext_max(s);
	/* A.8: the jitter estimate, truncated to an integer. */
	b->jitter = (uint32_t)s->jitter;
	b->lsr = s->lsr;
	if (s->lsr && now_us > s->lsr_arrival_us) {
		uint64_t d = now_us - s->lsr_arrival_us;
		/* Microseconds to 1/65536 s, split so nothing overflows. */
		uint64_t v = ((d / 1000000) << 16) +
			     ((d % 1000000) << 16) / 1000000;

		b->dlsr = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
}

int64_t sl__rtcp_rtt_us(const struct sl_rtcp_block *b, uint64_t ntp_now)
{
	uint32_t a = sl__ntp_middle(ntp_now);
	uint32_t rtt;

	/* §6.4.1: LSR 0 means the peer has had no SR from us yet. */
	if (!b->lsr)
		return -1;
	/* A - LSR - DLSR in 16.16 seconds, modulo 2^32 so the NTP era
	 * boundary does not matter; a "negative" result (clocks stepped,
	 * bogus DLSR) reads as a huge value with the top bit set. */
	rtt = a - b->lsr - b->dlsr;
	if (rtt & 0x80000000u)
		return -1;
	return (int64_t)(((uint64_t)rtt * 1000000 + 32768) >> 16);
}

uint32_t sl__ntp_middle(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

uint64_t sl__ntp_now(void)
{
	struct timespec ts;
	uint64_t sec, frac;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	/* Modulo 2^32 seconds: NTP era 1 (from 2036) wraps as RFC 5905
	 * describes, and only differences of middles are ever used. */
	sec = (uint64_t)((uint32_t)((uint64_t)ts.tv_sec + NTP_UNIX_OFFSET));
	frac = ((uint64_t)ts.tv_nsec << 32) / 1000000000u;
	return sec << 32 | frac;
}
