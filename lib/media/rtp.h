/*
 * lib/media/rtp.h: RTP and RTCP wire formats and the RFC 3550 arithmetic
 * around them - packet parse/build (RTP §5.1, SR/RR/SDES/BYE §6.4-6.6,
 * compound packets), the receiver statistics of §6.4.1 and appendix A.3/
 * A.8 (extended highest sequence, cumulative and fraction lost,
 * interarrival jitter), round-trip time from LSR/DLSR, the report
 * interval of §6.3 and appendix A.7 with the RFC 3556 bandwidth
 * modifiers, the RFC 4733 telephone-event payload, and the ITU-T G.107
 * E-model MOS estimate.
 *
 * Parsers take an end (length), never read past it, never write into the
 * input and point into it (zero-copy). Nothing here allocates, locks or
 * blocks: it all runs on the media thread's per-packet path.
 *
 * Thread: any (pure functions over caller-owned structs).
 */
#ifndef SL_MEDIA_RTP_H
#define SL_MEDIA_RTP_H

#include <stddef.h>
#include <stdint.h>

/* ---- RTP (RFC 3550 §5.1) ---- */

enum { SL_RTP_HDR = 12, SL_RTP_MAX_CSRC = 15 };

/** struct sl_rtp_hdr - a parsed RTP header; payload points into the
 * packet, after CSRCs and the extension, without padding. */
struct sl_rtp_hdr {
	uint8_t pt;
	int marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t cc;
	uint32_t csrc[SL_RTP_MAX_CSRC];
	uint16_t ext_profile;          /* 0 when no extension */
	const uint8_t *ext;            /* extension data (ext_len bytes) */
	size_t ext_len;
	const uint8_t *payload;
	size_t payload_len;
};

/** Parses an RTP packet. Return: 0, or SL_EPARSE (not version 2, too
 * short, bad padding, extension past the end). */
int sl__rtp_parse(const uint8_t *pkt, size_t len, struct sl_rtp_hdr *h);

/** Writes a 12-byte header (no CSRC, no extension) into @out (@cap >=
 * 12). Return: 12, or SL_ENOSPC. */
int sl__rtp_write_hdr(uint8_t *out, size_t cap, uint8_t pt, int marker,
		      uint16_t seq, uint32_t ts, uint32_t ssrc);

/** 1 when the first two bytes look like RTCP (RFC 5761 §4: PT 192..223
 * in the second byte), so rtcp-mux can demultiplex. */
int sl__rtp_is_rtcp(const uint8_t *pkt, size_t len);

/* ---- receiver statistics (RFC 3550 §6.4.1, A.1, A.3, A.8) ---- */

/**
 * struct sl_rtp_source - what a receiver keeps about one sender. Fields
 * are the RFC's (appendix A.1) plus what the reports need.
 */
struct sl_rtp_source {
	uint32_t ssrc;
	uint16_t max_seq;
	uint32_t cycles;         /* shifted count of seq wraps (<< 16) */
	uint32_t base_seq;
	uint32_t bad_seq;
	uint32_t probation;
	uint32_t received;
	uint32_t expected_prior;
	uint32_t received_prior;
	int64_t transit;         /* last transit, in RTP clock units */
	double jitter;           /* in RTP clock units */
	uint32_t lsr;            /* middle 32 bits of the last SR's NTP */
	uint64_t lsr_arrival_us; /* when that SR arrived (local) */
	int valid;               /* passed probation */
};

/** Starts tracking @ssrc from a first packet with @seq (A.1 init). */
void sl__rtp_source_init(struct sl_rtp_source *s, uint32_t ssrc,
			 uint16_t seq);

/** Feeds one packet (A.1 update_seq, then A.8 jitter with @arrival in
 * RTP clock units). Return: 1 counted, 0 dropped (probation, a jump
 * being confirmed, or a duplicate-looking restart). */
int sl__rtp_source_update(struct sl_rtp_source *s, uint16_t seq,
			  uint32_t rtp_ts, uint32_t arrival);

/** Extended highest sequence number received (cycles + max_seq). */
uint32_t sl__rtp_source_ext_max(const struct sl_rtp_source *s);

/** Cumulative packets lost (A.3; clamped to the 24-bit signed range). */
int32_t sl__rtp_source_lost(const struct sl_rtp_source *s);

/** Fraction lost since the previous call (A.3, 8-bit fixed point); also
 * moves the "prior" counters on. */
uint8_t sl__rtp_source_fraction(struct sl_rtp_source *s);

/* ---- RTCP (RFC 3550 §6.4-6.6) ---- */

enum { SL_RTCP_SR = 200, SL_RTCP_RR = 201, SL_RTCP_SDES = 202,
       SL_RTCP_BYE = 203, SL_RTCP_APP = 204, SL_RTCP_MAX_BLOCKS = 31 };

/** One report block (§6.4.1). */
struct sl_rtcp_block {
	uint32_t ssrc;
	uint8_t fraction;
	int32_t lost;            /* 24-bit signed */
	uint32_t ext_max;
	uint32_t jitter;
	uint32_t lsr;
	uint32_t dlsr;           /* 1/65536 s */
};

/** The sender info of an SR (§6.4.1). */
struct sl_rtcp_sender {
	uint64_t ntp;            /* NTP timestamp, 32.32 fixed point */
	uint32_t rtp_ts;
	uint32_t packets;
	uint32_t octets;
};

/** What one compound packet said (the parts sipline uses). */
struct sl_rtcp_info {
	uint32_t ssrc;           /* the sender of the SR/RR */
	int has_sr;
	struct sl_rtcp_sender sr;
	unsigned n_blocks;
	struct sl_rtcp_block blocks[SL_RTCP_MAX_BLOCKS];
	const uint8_t *cname;    /* SDES CNAME of @ssrc, into the packet */
	size_t cname_len;
	int bye;                 /* a BYE for @ssrc (or any SSRC) */
};

/** Parses a compound RTCP packet (§6.1: version 2, lengths adding up,
 * first packet SR or RR, though a lone BYE is accepted). Unknown packet
 * types are skipped. Return: 0 or SL_EPARSE. */
int sl__rtcp_parse(const uint8_t *pkt, size_t len, struct sl_rtcp_info *i);

/** Builds a compound SR (when @sr is not NULL) or RR with @n blocks, an
 * SDES with @cname, and a BYE when @bye. Return: bytes written, or
 * SL_ENOSPC / SL_EINVAL (@n > 31, CNAME > 255 bytes). */
int sl__rtcp_build(uint8_t *out, size_t cap, uint32_t ssrc,
		   const struct sl_rtcp_sender *sr,
		   const struct sl_rtcp_block *blocks, unsigned n,
		   const char *cname, int bye);

/** Fills a report block about @s at local time @now_us (fraction lost
 * moves the prior counters; DLSR from lsr_arrival_us). */
void sl__rtcp_block_from(struct sl_rtp_source *s, uint64_t now_us,
			 struct sl_rtcp_block *b);

/** Round-trip time in microseconds from a report block about us received
 * when our NTP clock read @ntp_now (§6.4.1: A - LSR - DLSR); -1 when the
 * block has no LSR yet or the result is negative. */
int64_t sl__rtcp_rtt_us(const struct sl_rtcp_block *b, uint64_t ntp_now);

/** The middle 32 bits of a 64-bit NTP timestamp. */
uint32_t sl__ntp_middle(uint64_t ntp);

/** Wall-clock time as a 64-bit NTP timestamp (seconds since 1900). */
uint64_t sl__ntp_now(void);

/**
 * struct sl_rtcp_bw - session bandwidth inputs of §6.3 and RFC 3556.
 * @session_bps: b=AS in bit/s (0: the codec's rate plus headers).
 * @rs_bps, @rr_bps: b=RS and b=RR in bit/s; -1: not given (then 1.25%
 *               and 3.75% of the session bandwidth, §6.2).
 */
struct sl_rtcp_bw {
	uint32_t session_bps;
	int32_t rs_bps;
	int32_t rr_bps;
};

/** The deterministic part of the §6.3.1 interval in microseconds for
 * @members (@senders of them sending, @we_sent), average RTCP packet
 * size @avg_size bytes, @initial for the first report (halved minimum).
 * The caller multiplies by a random factor in [0.5, 1.5] and divides by
 * e - 3/2 (A.7) with sl__rtcp_randomize(). RS = RR = 0 disables RTCP
 * (returns 0). */
uint64_t sl__rtcp_interval_us(const struct sl_rtcp_bw *bw, unsigned members,
			      unsigned senders, int we_sent,
			      double avg_size, int initial);

/** @td_us times a factor from @rnd (uniform in [0, 1)) in [0.5, 1.5],
 * divided by e - 3/2 (A.7 "compensation"). */
uint64_t sl__rtcp_randomize(uint64_t td_us, double rnd);

/* ---- RFC 4733 telephone-event payload ---- */

/** One telephone-event payload (§2.3). @event 0-15 (0-9, *=10, #=11,
 * A-D=12-15) or 16 (flash). @volume 0-63 (-dBm0). */
struct sl_tel_event {
	uint8_t event;
	int end;
	uint8_t volume;
	uint16_t duration;       /* RTP clock units */
};

/** Parses a 4-byte payload (further events in the same packet are
 * ignored). Return: 0 or SL_EPARSE. */
int sl__tel_event_parse(const uint8_t *p, size_t len, struct sl_tel_event *e);

/** Writes 4 bytes. Return: 4 or SL_ENOSPC. */
int sl__tel_event_write(uint8_t *out, size_t cap, const struct sl_tel_event *e);

/** '0'-'9', '*', '#', 'A'-'D' (either case), '!' (flash) to the event
 * code and back. Return: the code / character, or -1 for anything else. */
int sl__tel_event_code(char digit);
char sl__tel_event_digit(uint8_t code);

/* ---- ITU-T G.107 E-model ---- */

/**
 * sl__emodel_mos() - an estimated conversational MOS (1.0 - 4.5) from the
 * simplified E-model: R = 93.2 - Id(one-way delay) - Ie,eff(codec, loss,
 * burst) (G.107 §7 with default values; Ie and Bpl per codec from
 * G.113 appendix I: PCMU/PCMA Ie 0 Bpl 25.1 (with PLC), G722 Ie 0 Bpl 25
 * [wideband scale reduced to narrowband, noted in the code], opus Ie
 * 0/Bpl 20, unknown Ie 10 Bpl 10), then MOS from R (G.107 annex B).
 * @codec: the codec's SDP name; @delay_ms one-way mouth-to-ear estimate
 * (RTT/2 plus jitter buffer plus packetization); @loss_pct 0-100.
 */
double sl__emodel_mos(const char *codec, double delay_ms, double loss_pct);

#endif /* SL_MEDIA_RTP_H */
