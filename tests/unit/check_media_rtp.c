/*
 * tests/unit/check_media_rtp.c: RTP/RTCP wire formats and the RFC 3550
 * arithmetic (lib/media/rtp.c, rtcp.c, rtcp_interval.c, tel_event.c,
 * emodel.c). Expected values are worked out by hand in the comments.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check_main.h"
#include "media/rtp.h"
#include "sipline/error.h"

#define N_(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* A malformed vector: name, length, bytes. */
#define BAD(n, l, ...) \
	{ .name = (n), .b = { __VA_ARGS__ }, .len = (l), .rc = SL_EPARSE }

/* ---- RTP parse ---- */

struct rtp_vec {
	const char *name;
	uint8_t b[80];
	size_t len;
	int rc;
	/* expected fields when rc == 0 */
	uint8_t pt;
	int marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t cc;
	int has_ext;
	uint16_t ext_profile;
	size_t ext_off, ext_len;
	size_t pl_off, pl_len;
};

/* 12-byte header bodies used below: seq 0x1234, ts 0x000000a0, SSRC
 * 0xdeadbeef. */
#define HDR_TAIL 0x12, 0x34, 0x00, 0x00, 0x00, 0xa0, 0xde, 0xad, 0xbe, 0xef

static const struct rtp_vec rtp_vecs[] = {
	{ "pcmu", { 0x80, 0x00, HDR_TAIL, 0xff, 0xfe, 0x7f, 0x00 }, 16, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 0, 0, 0, 0, 0, 12, 4 },
	{ "pcma marker", { 0x80, 0x88, HDR_TAIL, 0xd5, 0xd5 }, 14, 0,
	  8, 1, 0x1234, 0xa0, 0xdeadbeef, 0, 0, 0, 0, 0, 12, 2 },
	{ "pt 127 marker", { 0x80, 0xff, HDR_TAIL, 1 }, 13, 0,
	  127, 1, 0x1234, 0xa0, 0xdeadbeef, 0, 0, 0, 0, 0, 12, 1 },
	{ "header only", { 0x80, 0x00, HDR_TAIL }, 12, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 0, 0, 0, 0, 0, 12, 0 },
	{ "two csrc", { 0x82, 0x00, HDR_TAIL, 0, 0, 0, 1, 0, 0, 0, 2,
			0xaa, 0xbb, 0xcc }, 23, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 2, 0, 0, 0, 0, 20, 3 },
	{ "one csrc, no payload", { 0x81, 0x00, HDR_TAIL, 0, 0, 0, 9 }, 16,
	  0, 0, 0, 0x1234, 0xa0, 0xdeadbeef, 1, 0, 0, 0, 0, 16, 0 },
	{ "one-byte extension", { 0x90, 0x60, HDR_TAIL, 0xbe, 0xde, 0, 1,
				  0x10, 0xaa, 0, 0, 0x11, 0x22 }, 22, 0,
	  96, 0, 0x1234, 0xa0, 0xdeadbeef, 0, 1, 0xbede, 16, 4, 20, 2 },
	{ "empty extension", { 0x90, 0x00, HDR_TAIL, 0x10, 0x00, 0, 0,
			       0x55 }, 17, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 0, 1, 0x1000, 16, 0, 16, 1 },
	{ "padding 3", { 0xa0, 0x00, HDR_TAIL, 1, 2, 3, 0, 0, 3 }, 18, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 0, 0, 0, 0, 0, 12, 3 },
	{ "padding 1", { 0xa0, 0x00, HDR_TAIL, 1, 2, 1 }, 15, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 0, 0, 0, 0, 0, 12, 2 },
	{ "padding is the whole payload", { 0xa0, 0x00, HDR_TAIL, 0, 0, 0,
					    4 }, 16, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 0, 0, 0, 0, 0, 12, 0 },
	/* V=2 P X CC=1: CSRC, 1-word extension, 2 bytes payload, 2 pad. */
	{ "csrc+ext+padding", { 0xb1, 0xe5, HDR_TAIL, 0, 0, 0, 7,
				0x00, 0x01, 0, 1, 9, 9, 9, 9,
				0x44, 0x55, 0, 2 }, 28, 0,
	  101, 1, 0x1234, 0xa0, 0xdeadbeef, 1, 1, 0x0001, 20, 4, 24, 2 },
	{ "fifteen csrc", { 0x8f, 0x00, HDR_TAIL }, 12 + 60 + 1, 0,
	  0, 0, 0x1234, 0xa0, 0xdeadbeef, 15, 0, 0, 0, 0, 72, 1 },

	BAD("empty", 0, 0),
	BAD("one byte", 1, 0x80),
	BAD("eleven bytes", 11, 0x80, 0x00, 0x12, 0x34, 0, 0, 0, 0xa0, 0xde,
	    0xad, 0xbe),
	BAD("version 0", 13, 0x00, 0x00, HDR_TAIL, 1),
	BAD("version 1", 13, 0x40, 0x00, HDR_TAIL, 1),
	BAD("version 3", 13, 0xc0, 0x00, HDR_TAIL, 1),
	BAD("padding count 0", 14, 0xa0, 0x00, HDR_TAIL, 1, 0),
	BAD("padding past payload", 16, 0xa0, 0x00, HDR_TAIL, 1, 2, 3, 5),
	/* Header only, P set: the pad count would be the SSRC's last byte. */
	BAD("padding into header", 12, 0xa0, 0x00, HDR_TAIL),
	BAD("padding into extension", 20, 0xb0, 0x00, HDR_TAIL, 0, 1, 0, 1,
	    0, 0, 0, 4),
	BAD("padding into csrc", 16, 0xa1, 0x00, HDR_TAIL, 0, 0, 0, 1),
	BAD("extension header cut", 14, 0x90, 0x00, HDR_TAIL, 0xbe, 0xde),
	BAD("extension overrun", 20, 0x90, 0x00, HDR_TAIL, 0xbe, 0xde, 0, 2,
	    1, 2, 3, 4),
	BAD("extension length ffff", 16, 0x90, 0x00, HDR_TAIL, 0xbe, 0xde,
	    0xff, 0xff),
	BAD("extension after csrc overrun", 18, 0x91, 0x00, HDR_TAIL, 0, 0, 0,
	    1, 0xbe, 0xde),
	BAD("cc overrun", 16, 0x82, 0x00, HDR_TAIL, 0, 0, 0, 1),
	BAD("cc 15 one byte short", 12 + 59, 0x8f, 0x00, HDR_TAIL),
};

START_TEST(rtp_parse_vector)
{
	const struct rtp_vec *v = &rtp_vecs[_i];
	struct sl_rtp_hdr h;
	/* An exact-size copy, so ASan sees any read past the end. */
	uint8_t *pkt = malloc(v->len ? v->len : 1);
	int rc;

	ck_assert_ptr_nonnull(pkt);
	memcpy(pkt, v->b, v->len);
	rc = sl__rtp_parse(pkt, v->len, &h);

	ck_assert_msg(rc == v->rc, "%s: rc %d want %d", v->name, rc, v->rc);
	if (rc != 0) {
		free(pkt);
		return;
	}
	ck_assert_uint_eq(h.pt, v->pt);
	ck_assert_int_eq(h.marker, v->marker);
	ck_assert_uint_eq(h.seq, v->seq);
	ck_assert_uint_eq(h.ts, v->ts);
	ck_assert_uint_eq(h.ssrc, v->ssrc);
	ck_assert_uint_eq(h.cc, v->cc);
	ck_assert_uint_eq(h.ext_profile, v->ext_profile);
	if (v->has_ext) {
		ck_assert_ptr_eq(h.ext, pkt + v->ext_off);
		ck_assert_uint_eq(h.ext_len, v->ext_len);
	} else {
		ck_assert_ptr_null(h.ext);
		ck_assert_uint_eq(h.ext_len, 0);
	}
	ck_assert_msg(h.payload == pkt + v->pl_off, "%s: payload at %td",
		      v->name, h.payload - pkt);
	ck_assert_msg(h.payload_len == v->pl_len, "%s: payload_len %zu",
		      v->name, h.payload_len);
	free(pkt);
}
END_TEST

START_TEST(rtp_parse_csrc_values)
{
	static const uint8_t p[] = { 0x82, 0x00, HDR_TAIL, 0x01, 0x02, 0x03,
				     0x04, 0xf0, 0xe0, 0xd0, 0xc0 };
	struct sl_rtp_hdr h;

	ck_assert_int_eq(sl__rtp_parse(p, sizeof(p), &h), 0);
	ck_assert_uint_eq(h.cc, 2);
	ck_assert_uint_eq(h.csrc[0], 0x01020304);
	ck_assert_uint_eq(h.csrc[1], 0xf0e0d0c0);
	ck_assert_int_eq(sl__rtp_parse(NULL, 12, &h), SL_EINVAL);
	ck_assert_int_eq(sl__rtp_parse(p, sizeof(p), NULL), SL_EINVAL);
}
END_TEST

START_TEST(rtp_parse_never_reads_past_len)
{
	/* Every prefix of a valid packet either parses inside the prefix
	 * or is refused; under ASan a read past the copy would trap. */
	static const uint8_t full[] = { 0xb1, 0xe5, HDR_TAIL, 0, 0, 0, 7,
					0x00, 0x01, 0, 1, 9, 9, 9, 9,
					0x44, 0x55, 0, 2 };

	for (size_t n = 0; n <= sizeof(full); n++) {
		uint8_t copy[sizeof(full)];
		uint8_t *p = copy + sizeof(full) - n;
		struct sl_rtp_hdr h;
		int rc;

		memcpy(p, full, n);
		rc = sl__rtp_parse(p, n, &h);
		if (rc == 0) {
			ck_assert(h.payload >= p);
			ck_assert(h.payload + h.payload_len <= p + n);
		} else {
			ck_assert_int_eq(rc, SL_EPARSE);
		}
	}
}
END_TEST

START_TEST(rtp_build_round_trip)
{
	static const struct {
		uint8_t pt;
		int marker;
		uint16_t seq;
		uint32_t ts, ssrc;
	} c[] = {
		{ 0, 0, 0, 0, 0 },
		{ 8, 1, 1, 160, 0x12345678 },
		{ 96, 0, 65535, 0xffffffff, 0xffffffff },
		{ 101, 1, 0x8000, 0x80000000, 0x80000001 },
		{ 127, 1, 0xabcd, 0x01020304, 0xcafef00d },
	};
	uint8_t buf[16];

	for (int k = 0; k < N_(c); k++) {
		struct sl_rtp_hdr h;

		memset(buf, 0xee, sizeof(buf));
		ck_assert_int_eq(sl__rtp_write_hdr(buf, 12, c[k].pt,
						   c[k].marker, c[k].seq,
						   c[k].ts, c[k].ssrc), 12);
		ck_assert_uint_eq(buf[0], 0x80);
		ck_assert_uint_eq(buf[12], 0xee);
		ck_assert_int_eq(sl__rtp_parse(buf, 12, &h), 0);
		ck_assert_uint_eq(h.pt, c[k].pt);
		ck_assert_int_eq(h.marker, c[k].marker);
		ck_assert_uint_eq(h.seq, c[k].seq);
		ck_assert_uint_eq(h.ts, c[k].ts);
		ck_assert_uint_eq(h.ssrc, c[k].ssrc);
		ck_assert_uint_eq(h.cc, 0);
		ck_assert_uint_eq(h.payload_len, 0);
	}
	/* Marker is any non-zero int. */
	ck_assert_int_eq(sl__rtp_write_hdr(buf, 12, 0, 42, 0, 0, 0), 12);
	ck_assert_uint_eq(buf[1], 0x80);
	/* Exact bytes: PT 0, seq 0x1234, ts 0xa0, SSRC 0xdeadbeef. */
	{
		static const uint8_t want[] = { 0x80, 0x00, HDR_TAIL };

		sl__rtp_write_hdr(buf, sizeof(buf), 0, 0, 0x1234, 0xa0,
				  0xdeadbeef);
		ck_assert_mem_eq(buf, want, 12);
	}
	ck_assert_int_eq(sl__rtp_write_hdr(buf, 11, 0, 0, 0, 0, 0),
			 SL_ENOSPC);
	ck_assert_int_eq(sl__rtp_write_hdr(buf, 12, 128, 0, 0, 0, 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__rtp_write_hdr(NULL, 12, 0, 0, 0, 0, 0),
			 SL_EINVAL);
}
END_TEST

START_TEST(rtp_is_rtcp_demux)
{
	/* RFC 5761 §4: second octet 192-223 is RTCP. */
	uint8_t p[2] = { 0x80, 0 };

	for (int b = 0; b < 256; b++) {
		p[1] = (uint8_t)b;
		ck_assert_int_eq(sl__rtp_is_rtcp(p, 2), b >= 192 && b <= 223);
	}
	p[1] = 200;
	ck_assert_int_eq(sl__rtp_is_rtcp(p, 1), 0);
	ck_assert_int_eq(sl__rtp_is_rtcp(p, 0), 0);
	ck_assert_int_eq(sl__rtp_is_rtcp(NULL, 2), 0);
}
END_TEST

/* ---- receiver statistics ---- */

/* Starts a source at @first and feeds @first and @first + 1, which ends
 * probation: the source is valid with base_seq = first + 1. */
static void start_valid(struct sl_rtp_source *s, uint16_t first)
{
	sl__rtp_source_init(s, 0x11223344, first);
	ck_assert_int_eq(sl__rtp_source_update(s, first, 0, 0), 0);
	ck_assert_int_eq(s->valid, 0);
	ck_assert_int_eq(sl__rtp_source_update(s, (uint16_t)(first + 1), 160,
					       160), 1);
	ck_assert_int_eq(s->valid, 1);
	ck_assert_uint_eq(s->base_seq, (uint16_t)(first + 1));
	ck_assert_uint_eq(s->received, 1);
}

START_TEST(stats_probation)
{
	struct sl_rtp_source s;

	sl__rtp_source_init(&s, 7, 10);
	ck_assert_uint_eq(s.ssrc, 7);
	ck_assert_uint_eq(s.probation, 2);
	ck_assert_int_eq(sl__rtp_source_update(&s, 10, 0, 0), 0);
	/* Not sequential: probation starts over from 12. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 12, 0, 0), 0);
	ck_assert_int_eq(s.valid, 0);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 0);
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 0);
	ck_assert_int_eq(sl__rtp_source_update(&s, 13, 0, 0), 1);
	ck_assert_int_eq(s.valid, 1);
	ck_assert_uint_eq(s.base_seq, 13);
	ck_assert_uint_eq(sl__rtp_source_ext_max(&s), 13);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 0);
}
END_TEST

START_TEST(stats_probation_across_wrap)
{
	struct sl_rtp_source s;

	/* A.1's "seq == max_seq + 1" is computed in int there and so
	 * misses 65535 -> 0; ours must not. */
	sl__rtp_source_init(&s, 7, 65535);
	ck_assert_int_eq(sl__rtp_source_update(&s, 65535, 0, 0), 0);
	ck_assert_int_eq(sl__rtp_source_update(&s, 0, 0, 0), 1);
	ck_assert_int_eq(s.valid, 1);
	ck_assert_uint_eq(sl__rtp_source_ext_max(&s), 0);
	/* First packet was seq 0 on init too: max_seq = 0 - 1 wraps. */
	sl__rtp_source_init(&s, 7, 0);
	ck_assert_uint_eq(s.max_seq, 65535);
	ck_assert_int_eq(sl__rtp_source_update(&s, 0, 0, 0), 0);
	ck_assert_int_eq(sl__rtp_source_update(&s, 1, 0, 0), 1);
	ck_assert_uint_eq(s.base_seq, 1);
}
END_TEST

START_TEST(stats_loss_reorder_wrap)
{
	struct sl_rtp_source s;
	uint16_t seq;
	int fed = 0;

	/* Valid from 65501 (base). Then 65502 .. 65535, 0 .. 64, i.e. up
	 * to extended 65536 + 64 = 65600, with 65510..65514 and 5..9 lost
	 * (10 packets) and two pairs delivered swapped (65530/65531 right
	 * before the wrap, 20/21 after it).
	 * expected = 65600 - 65501 + 1 = 100; received = 100 - 10 = 90;
	 * lost = 10; fraction = 256 * 10 / 100 = 25.6 -> 25. */
	start_valid(&s, 65500);
	for (uint32_t e = 65502; e <= 65600; e++) {
		seq = (uint16_t)e;
		if ((seq >= 65510 && seq <= 65514) || (seq >= 5 && seq <= 9))
			continue;
		if (seq == 65530 || seq == 20)
			continue; /* sent after its successor */
		ck_assert_int_eq(sl__rtp_source_update(&s, seq, 0, 0), 1);
		fed++;
		if (seq == 65531 || seq == 21) {
			ck_assert_int_eq(sl__rtp_source_update(&s,
					 (uint16_t)(seq - 1), 0, 0), 1);
			fed++;
		}
	}
	ck_assert_int_eq(fed, 89);
	ck_assert_uint_eq(s.received, 90);
	ck_assert_uint_eq(s.cycles, 65536);
	ck_assert_uint_eq(s.max_seq, 64);
	ck_assert_uint_eq(sl__rtp_source_ext_max(&s), 65600);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 10);
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 25);
	/* Nothing new since: fraction 0, cumulative loss stays. */
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 0);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 10);

	/* Next interval: 65 .. 104 (40 expected), 4 lost (70..73):
	 * 256 * 4 / 40 = 25.6 -> 25 again; cumulative lost 14. */
	for (uint32_t e = 65601; e <= 65640; e++) {
		seq = (uint16_t)e;
		if (seq >= 70 && seq <= 73)
			continue;
		sl__rtp_source_update(&s, seq, 0, 0);
	}
	ck_assert_uint_eq(sl__rtp_source_ext_max(&s), 65640);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 14);
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 25);

	/* 70 arrives late (34 behind, inside MAX_MISORDER): counted, max
	 * unchanged. Interval: expected 0, received 1 -> lost_interval -1
	 * -> fraction 0; cumulative 13. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 70, 0, 0), 1);
	ck_assert_uint_eq(sl__rtp_source_ext_max(&s), 65640);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 13);
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 0);
}
END_TEST

START_TEST(stats_duplicates_make_lost_negative)
{
	struct sl_rtp_source s;

	/* Base 101; 102..110 each twice: expected 10, received 1 + 18 = 19,
	 * lost = -9 (§6.4.1 keeps the sign); fraction 0. */
	start_valid(&s, 100);
	for (uint16_t q = 102; q <= 110; q++) {
		ck_assert_int_eq(sl__rtp_source_update(&s, q, 0, 0), 1);
		ck_assert_int_eq(sl__rtp_source_update(&s, q, 0, 0), 1);
	}
	ck_assert_int_eq(sl__rtp_source_lost(&s), -9);
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 0);
}
END_TEST

START_TEST(stats_everything_lost_is_255)
{
	struct sl_rtp_source s;

	/* Base 1001; after a first report only 1100 arrives: interval
	 * expected 99, received 1 -> 256 * 98 / 99 = 253.4 -> 253. An
	 * interval with nothing received cannot come from arrivals (max
	 * only moves on one), so move max by hand: 100 expected, none
	 * received -> 256/256, which 8 bits cannot hold: 255. */
	start_valid(&s, 1000);
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 0);
	ck_assert_int_eq(sl__rtp_source_update(&s, 1100, 0, 0), 1);
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 253);
	s.max_seq = 1200;
	ck_assert_uint_eq(sl__rtp_source_fraction(&s), 255);
}
END_TEST

START_TEST(stats_restart_and_jump)
{
	struct sl_rtp_source s;

	start_valid(&s, 5000); /* base 5001 */
	for (uint16_t q = 5002; q <= 5010; q++)
		sl__rtp_source_update(&s, q, 0, 0);
	/* A jump of 25000 (> MAX_DROPOUT 3000, < 65536 - MAX_MISORDER):
	 * dropped, remembered as a possible restart. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 30000, 0, 0), 0);
	ck_assert_uint_eq(s.bad_seq, 30001);
	/* The old stream goes on: 5011 is in order. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 5011, 0, 0), 1);
	ck_assert_uint_eq(sl__rtp_source_ext_max(&s), 5011);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 0);
	/* 40000 then 40001: the sender restarted; re-sync at 40001. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 40000, 0, 0), 0);
	ck_assert_int_eq(sl__rtp_source_update(&s, 40001, 0, 0), 1);
	ck_assert_uint_eq(s.base_seq, 40001);
	ck_assert_uint_eq(s.received, 1);
	ck_assert_uint_eq(sl__rtp_source_ext_max(&s), 40001);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 0);
	/* A jump just inside MAX_DROPOUT (2999) is an ordinary gap. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 43000, 0, 0), 1);
	ck_assert_int_eq(sl__rtp_source_lost(&s), 2998);
	/* A jump of exactly MAX_DROPOUT is not. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 46000, 0, 0), 0);
	ck_assert_uint_eq(s.bad_seq, 46001);
	/* 99 behind is a late packet; 100 behind (udelta = 65536 - 100,
	 * A.1's "<= RTP_SEQ_MOD - MAX_MISORDER") is a jump. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 42901, 0, 0), 1);
	ck_assert_int_eq(sl__rtp_source_update(&s, 42900, 0, 0), 0);
	ck_assert_uint_eq(s.bad_seq, 42901);
}
END_TEST

START_TEST(stats_lost_clamps_to_24_bits)
{
	struct sl_rtp_source s;

	memset(&s, 0, sizeof(s));
	s.valid = 1;
	s.base_seq = 0;
	s.max_seq = 0;
	s.cycles = 0x10000000; /* expected 0x10000001, nothing received */
	ck_assert_int_eq(sl__rtp_source_lost(&s), 0x7fffff);
	s.cycles = 0;
	s.received = 0x10000000; /* expected 1: lost -0x0fffffff */
	ck_assert_int_eq(sl__rtp_source_lost(&s), -0x800000);
	s.received = 0x800001; /* lost = 1 - 0x800001 = -0x800000 exactly */
	ck_assert_int_eq(sl__rtp_source_lost(&s), -0x800000);
	s.received = 0;
	s.cycles = 0x7f0000;
	s.max_seq = 0xfffe; /* expected 0x7fffff: the largest that fits */
	ck_assert_int_eq(sl__rtp_source_lost(&s), 0x7fffff);
}
END_TEST

START_TEST(stats_jitter_hand_computed)
{
	struct sl_rtp_source s;
	struct sl_rtcp_block b;

	/* 8 kHz, 20 ms packets: timestamps step 160; arrivals in RTP
	 * units. A.8: D = transit(i) - transit(i-1), J += (|D| - J)/16.
	 *  seq ts   arrival transit  D    J
	 *  1   0    1000    -        -    (probation, not counted)
	 *  2   160  1160    1000     -    0 (first counted packet)
	 *  3   320  1360    1040     40   0 + 40/16 = 2.5
	 *  4   480  1480    1000    -40   2.5 + 37.5/16 = 4.84375
	 *  5   640  1640    1000     0    4.84375 - 4.84375/16 = 4.541015625
	 *  6   800  1960    1160    160   4.541015625 + 155.458984375/16
	 *                                 = 14.2572021484375
	 * Every step is exact in binary, so the comparison is exact. */
	sl__rtp_source_init(&s, 1, 1);
	ck_assert_int_eq(sl__rtp_source_update(&s, 1, 0, 1000), 0);
	ck_assert_int_eq(sl__rtp_source_update(&s, 2, 160, 1160), 1);
	ck_assert(s.jitter == 0.0);
	sl__rtp_source_update(&s, 3, 320, 1360);
	ck_assert(s.jitter == 2.5);
	sl__rtp_source_update(&s, 4, 480, 1480);
	ck_assert(s.jitter == 4.84375);
	sl__rtp_source_update(&s, 5, 640, 1640);
	ck_assert(s.jitter == 4.541015625);
	sl__rtp_source_update(&s, 6, 800, 1960);
	ck_assert(s.jitter == 14.2572021484375);
	sl__rtcp_block_from(&s, 0, &b);
	ck_assert_uint_eq(b.jitter, 14);
}
END_TEST

START_TEST(stats_jitter_across_clock_wraps)
{
	struct sl_rtp_source s;

	/* Timestamp and arrival both wrap 2^32 with a constant transit:
	 * D = 0 every time, jitter stays 0. Then one packet 80 units late
	 * across the wrap: J = 80/16 = 5. */
	sl__rtp_source_init(&s, 1, 100);
	sl__rtp_source_update(&s, 100, 0xfffffe00u, 0x7ffffe00u);
	sl__rtp_source_update(&s, 101, 0xfffffea0u, 0x7ffffea0u);
	sl__rtp_source_update(&s, 102, 0xffffff40u, 0x7fffff40u);
	sl__rtp_source_update(&s, 103, 0xffffffe0u, 0x7fffffe0u);
	sl__rtp_source_update(&s, 104, 0x00000080u, 0x80000080u);
	ck_assert(s.jitter == 0.0);
	sl__rtp_source_update(&s, 105, 0x00000120u, 0x80000170u);
	ck_assert(s.jitter == 5.0);
	/* Arrival itself wraps while the timestamp does not. */
	sl__rtp_source_init(&s, 1, 100);
	sl__rtp_source_update(&s, 100, 1000, 0xffffff00u);
	sl__rtp_source_update(&s, 101, 1160, 0xffffffa0u);
	sl__rtp_source_update(&s, 102, 1320, 0x00000040u);
	ck_assert(s.jitter == 0.0);
}
END_TEST

START_TEST(stats_restart_does_not_spike_jitter)
{
	struct sl_rtp_source s;

	start_valid(&s, 10);
	sl__rtp_source_update(&s, 12, 320, 320);
	ck_assert(s.jitter == 0.0);
	/* The sender restarts with new sequence and timestamp bases: the
	 * first packet after the re-sync sets transit only. */
	ck_assert_int_eq(sl__rtp_source_update(&s, 20000, 900000, 480), 0);
	ck_assert_int_eq(sl__rtp_source_update(&s, 20001, 900160, 640), 1);
	ck_assert(s.jitter == 0.0);
	sl__rtp_source_update(&s, 20002, 900320, 800);
	ck_assert(s.jitter == 0.0);
}
END_TEST

/* ---- RTCP ---- */

static int blocks_eq(const struct sl_rtcp_block *a,
		     const struct sl_rtcp_block *b)
{
	return a->ssrc == b->ssrc && a->fraction == b->fraction &&
	       a->lost == b->lost && a->ext_max == b->ext_max &&
	       a->jitter == b->jitter && a->lsr == b->lsr &&
	       a->dlsr == b->dlsr;
}

START_TEST(rtcp_sr_sdes_bye_round_trip)
{
	static const struct sl_rtcp_block blk[2] = {
		{ 0x01020304, 25, 10, 65600, 14, 0xb7052000, 0x00054000 },
		{ 0xa0b0c0d0, 255, -5, 0x00020003, 0, 0, 0 },
	};
	static const struct sl_rtcp_sender sr = {
		0xe63a1b2c80000000ull, 0x12345678, 1000, 160000
	};
	uint8_t buf[256];
	struct sl_rtcp_info i;
	int n;

	memset(buf, 0xee, sizeof(buf));
	/* SR 8 + 20 + 2*24 = 76; SDES 8 + (2 + 9 + 1 -> 12) = 20; BYE 8. */
	n = sl__rtcp_build(buf, sizeof(buf), 0xcafe0001, &sr, blk, 2,
			   "user@host", 1);
	ck_assert_int_eq(n, 104);
	ck_assert_uint_eq(buf[104], 0xee);
	/* SR header: V=2 RC=2, PT 200, length 76/4 - 1 = 18. */
	ck_assert_uint_eq(buf[0], 0x82);
	ck_assert_uint_eq(buf[1], 200);
	ck_assert_uint_eq(buf[2], 0);
	ck_assert_uint_eq(buf[3], 18);
	/* Second block's lost -5 as 24-bit two's complement. */
	ck_assert_uint_eq(buf[28 + 24 + 4], 255);
	ck_assert_uint_eq(buf[28 + 24 + 5], 0xff);
	ck_assert_uint_eq(buf[28 + 24 + 6], 0xff);
	ck_assert_uint_eq(buf[28 + 24 + 7], 0xfb);
	/* SDES: 0x81 202 length 4; CNAME item; null + pad to 32 bits. */
	ck_assert_uint_eq(buf[76], 0x81);
	ck_assert_uint_eq(buf[77], 202);
	ck_assert_uint_eq(buf[79], 4);
	ck_assert_uint_eq(buf[84], 1);
	ck_assert_uint_eq(buf[85], 9);
	ck_assert_mem_eq(buf + 86, "user@host", 9);
	ck_assert_uint_eq(buf[95], 0);
	/* BYE: 0x81 203 length 1, our SSRC. */
	ck_assert_uint_eq(buf[96], 0x81);
	ck_assert_uint_eq(buf[97], 203);
	ck_assert_uint_eq(buf[99], 1);

	ck_assert_int_eq(sl__rtcp_parse(buf, (size_t)n, &i), 0);
	ck_assert_uint_eq(i.ssrc, 0xcafe0001);
	ck_assert_int_eq(i.has_sr, 1);
	ck_assert(i.sr.ntp == sr.ntp);
	ck_assert_uint_eq(i.sr.rtp_ts, sr.rtp_ts);
	ck_assert_uint_eq(i.sr.packets, sr.packets);
	ck_assert_uint_eq(i.sr.octets, sr.octets);
	ck_assert_uint_eq(i.n_blocks, 2);
	ck_assert(blocks_eq(&i.blocks[0], &blk[0]));
	ck_assert(blocks_eq(&i.blocks[1], &blk[1]));
	ck_assert_ptr_eq(i.cname, buf + 86);
	ck_assert_uint_eq(i.cname_len, 9);
	ck_assert_int_eq(i.bye, 1);
}
END_TEST

START_TEST(rtcp_rr_round_trip_every_cname_length)
{
	char cname[256];
	uint8_t buf[2048];
	struct sl_rtcp_block blk[SL_RTCP_MAX_BLOCKS];
	struct sl_rtcp_info i;

	for (int k = 0; k < SL_RTCP_MAX_BLOCKS; k++) {
		blk[k].ssrc = 0x100u + (uint32_t)k;
		blk[k].fraction = (uint8_t)(k * 8);
		blk[k].lost = k % 2 ? -k * 1000 : k * 200000;
		blk[k].ext_max = 0x10000u * (uint32_t)k + 7;
		blk[k].jitter = (uint32_t)k * 3;
		blk[k].lsr = 0x10001u * (uint32_t)k;
		blk[k].dlsr = (uint32_t)k << 16;
	}
	for (size_t len = 0; len <= 255; len++) {
		unsigned nb = (unsigned)(len % 32);
		size_t want;
		int n;

		memset(cname, 'a' + (int)(len % 26), len);
		cname[len] = '\0';
		/* RR 8 + 24 nb; SDES 8 + ((2 + len + 1 + 3) & ~3). */
		want = 8 + 24 * nb + 8 + ((2 + len + 1 + 3) & ~(size_t)3);
		n = sl__rtcp_build(buf, sizeof(buf), 0x77, NULL, blk, nb,
				   cname, 0);
		ck_assert_int_eq(n, (int)want);
		ck_assert_uint_eq(buf[1], 201);
		ck_assert_uint_eq(buf[0], 0x80 | nb);
		ck_assert_int_eq(sl__rtcp_parse(buf, want, &i), 0);
		ck_assert_uint_eq(i.ssrc, 0x77);
		ck_assert_int_eq(i.has_sr, 0);
		ck_assert_int_eq(i.bye, 0);
		ck_assert_uint_eq(i.n_blocks, nb);
		for (unsigned k = 0; k < nb; k++)
			ck_assert(blocks_eq(&i.blocks[k], &blk[k]));
		ck_assert_ptr_nonnull(i.cname);
		ck_assert_uint_eq(i.cname_len, len);
		ck_assert_mem_eq(i.cname, cname, len);
		/* One byte short of room: ENOSPC, for every length. */
		ck_assert_int_eq(sl__rtcp_build(buf, want - 1, 0x77, NULL, blk,
						nb, cname, 0), SL_ENOSPC);
	}
}
END_TEST

START_TEST(rtcp_build_errors_and_lost_clamp)
{
	char big[257];
	uint8_t buf[256];
	struct sl_rtcp_block blk = { 1, 0, 0x1000000, 2, 3, 4, 5 };
	struct sl_rtcp_block neg = { 1, 0, -0x1000000, 2, 3, 4, 5 };
	struct sl_rtcp_info i;
	int n;

	memset(big, 'x', 256);
	big[256] = '\0';
	ck_assert_int_eq(sl__rtcp_build(buf, sizeof(buf), 1, NULL, &blk, 32,
					"c", 0), SL_EINVAL);
	ck_assert_int_eq(sl__rtcp_build(buf, sizeof(buf), 1, NULL, NULL, 1,
					"c", 0), SL_EINVAL);
	ck_assert_int_eq(sl__rtcp_build(buf, sizeof(buf), 1, NULL, NULL, 0,
					NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl__rtcp_build(NULL, 64, 1, NULL, NULL, 0, "c", 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl__rtcp_build(buf, sizeof(buf), 1, NULL, NULL, 0,
					big, 0), SL_EINVAL);
	/* RR 8 + SDES 8 + 4 + BYE 8 = 28: 27 is too small. */
	ck_assert_int_eq(sl__rtcp_build(buf, 27, 1, NULL, NULL, 0, "c", 1),
			 SL_ENOSPC);
	ck_assert_int_eq(sl__rtcp_build(buf, 28, 1, NULL, NULL, 0, "c", 1),
			 28);
	/* Out-of-range lost values clamp to the 24-bit signed range. */
	n = sl__rtcp_build(buf, sizeof(buf), 1, NULL, &blk, 1, "c", 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sl__rtcp_parse(buf, (size_t)n, &i), 0);
	ck_assert_int_eq(i.blocks[0].lost, 0x7fffff);
	n = sl__rtcp_build(buf, sizeof(buf), 1, NULL, &neg, 1, "c", 0);
	ck_assert_int_eq(sl__rtcp_parse(buf, (size_t)n, &i), 0);
	ck_assert_int_eq(i.blocks[0].lost, -0x800000);
}
END_TEST

struct rtcp_vec {
	const char *name;
	uint8_t b[120];
	size_t len;
	int rc;
	uint32_t ssrc;
	int has_sr;
	unsigned n_blocks;
	int bye;
	const char *cname;     /* NULL: none expected */
};

/* An RR with no blocks from SSRC 0x11111111, and an SDES chunk for it
 * with CNAME "ab" (2 + 2 + null = 5, padded to 8). */
#define RR0 0x80, 201, 0, 1, 0x11, 0x11, 0x11, 0x11
#define SDES_AB 0x81, 202, 0, 3, 0x11, 0x11, 0x11, 0x11, 1, 2, 'a', 'b', \
		0, 0, 0, 0
/* A report block (24 bytes). */
#define BLK(s) 0, 0, 0, s, 25, 0, 0, 10, 0, 1, 0, 0x40, 0, 0, 0, 14, \
	       0, 0, 0, 0, 0, 0, 0, 0

static const struct rtcp_vec rtcp_vecs[] = {
	{ "rr + sdes", { RR0, SDES_AB }, 24, 0, 0x11111111, 0, 0, 0, "ab" },
	{ "rr alone", { RR0 }, 8, 0, 0x11111111, 0, 0, 0, NULL },
	{ "rr 1 block", { 0x81, 201, 0, 7, 0x11, 0x11, 0x11, 0x11, BLK(9) },
	  32, 0, 0x11111111, 0, 1, 0, NULL },
	{ "sr 0 blocks + bye", { 0x80, 200, 0, 6, 0, 0, 0, 5,
				 0xe6, 0, 0, 0, 0x80, 0, 0, 0,
				 0, 0, 1, 0, 0, 0, 0, 50, 0, 0, 0x1f, 0x40,
				 0x81, 203, 0, 1, 0, 0, 0, 5 },
	  36, 0, 5, 1, 0, 1, NULL },
	/* SR with 4 bytes of profile-specific extension after the
	 * (zero) blocks: accepted, extension ignored. */
	{ "sr with extension", { 0x80, 200, 0, 7, 0, 0, 0, 5,
				 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				 0, 0, 0, 0, 0, 0, 0, 0, 0xde, 0xad, 0, 0 },
	  32, 0, 5, 1, 0, 0, NULL },
	{ "lone bye", { 0x81, 203, 0, 1, 0, 0, 0, 9 }, 8, 0, 9, 0, 0, 1,
	  NULL },
	{ "bye with reason", { 0x81, 203, 0, 3, 0, 0, 0, 9, 5, 'b', 'y',
			       'e', '!', 0, 0, 0 }, 16, 0, 9, 0, 0, 1, NULL },
	{ "bye reason fills", { 0x81, 203, 0, 2, 0, 0, 0, 9, 3, 'b', 'y',
				'e' }, 12, 0, 9, 0, 0, 1, NULL },
	{ "rr + bye", { RR0, 0x81, 203, 0, 1, 0x11, 0x11, 0x11, 0x11 }, 16,
	  0, 0x11111111, 0, 0, 1, NULL },
	{ "app and xr skipped", { RR0, 0x80, 204, 0, 2, 0x11, 0x11, 0x11,
				  0x11, 'n', 'a', 'm', 'e',
				  0x80, 207, 0, 1, 0x11, 0x11, 0x11, 0x11,
				  SDES_AB }, 44, 0, 0x11111111, 0, 0, 0,
	  "ab" },
	{ "unknown pt 250", { RR0, 0x80, 250, 0, 0, SDES_AB }, 28, 0,
	  0x11111111, 0, 0, 0, "ab" },
	/* CNAME of somebody else (a mixer's CSRC) first, then ours. */
	{ "sdes two chunks", { RR0, 0x82, 202, 0, 5, 0, 0, 0, 2, 1, 1, 'z',
			       0, 0x11, 0x11, 0x11, 0x11, 2, 1, 'n', 1, 2,
			       'a', 'b', 0 }, 32, 0, 0x11111111, 0, 0, 0,
	  "ab" },
	/* Two CNAMEs for the same SSRC: the first one counts. */
	{ "sdes two cnames", { RR0, 0x81, 202, 0, 3, 0x11, 0x11, 0x11, 0x11,
			       1, 2, 'a', 'b', 1, 1, 'c', 0 }, 24, 0,
	  0x11111111, 0, 0, 0, "ab" },
	/* A BYE without SSRCs but with a reason: no sender to name. */
	{ "lone bye, reason only", { 0x80, 203, 0, 1, 3, 'b', 'y', 'e' }, 8,
	  0, 0, 0, 0, 1, NULL },
	{ "sdes no chunks", { RR0, 0x80, 202, 0, 0 }, 12, 0, 0x11111111, 0,
	  0, 0, NULL },
	/* Null item then exactly a word boundary, two null octets. */
	{ "sdes double null", { RR0, 0x81, 202, 0, 2, 0x11, 0x11, 0x11,
				0x11, 0, 0, 0, 0 }, 20, 0, 0x11111111, 0, 0,
	  0, NULL },
	{ "padding in last packet", { RR0, 0xa1, 203, 0, 2, 0x11, 0x11,
				      0x11, 0x11, 0, 0, 0, 4 }, 20, 0,
	  0x11111111, 0, 0, 1, NULL },
	{ "padded lone rr", { 0xa0, 201, 0, 2, 0x11, 0x11, 0x11, 0x11,
			      0, 0, 0, 4 }, 12, 0, 0x11111111, 0, 0, 0,
	  NULL },
	/* A second RR from the same sender adds blocks (§6.4.2), a report
	 * from someone else does not. */
	{ "rr continuation", { 0x81, 201, 0, 7, 0x11, 0x11, 0x11, 0x11,
			       BLK(1), 0x81, 201, 0, 7, 0x22, 0x22, 0x22,
			       0x22, BLK(2), 0x81, 201, 0, 7, 0x11, 0x11,
			       0x11, 0x11, BLK(3) }, 96, 0, 0x11111111, 0, 2,
	  0, NULL },
	/* An empty CNAME is still a CNAME. */
	{ "sdes empty cname", { RR0, 0x81, 202, 0, 2, 0x11, 0x11, 0x11,
				0x11, 1, 0, 0, 0 }, 20, 0, 0x11111111, 0, 0, 0,
	  "" },

	BAD("empty", 0, 0),
	BAD("3 bytes", 3, 0x80, 201, 0),
	BAD("4 bytes", 4, 0x80, 201, 0, 0),
	BAD("first is sdes", 24, SDES_AB, RR0),
	BAD("first is app", 12, 0x80, 204, 0, 2, 0, 0, 0, 1, 'n', 'a', 'm',
	    'e'),
	BAD("first is xr", 8, 0x80, 207, 0, 1, 0, 0, 0, 1),
	BAD("version 1", 8, 0x40, 201, 0, 1, 0x11, 0x11, 0x11, 0x11),
	BAD("version 0 second", 24, RR0, 0x01, 202, 0, 3, 0x11, 0x11, 0x11,
	    0x11, 1, 2, 'a', 'b', 0, 0, 0, 0),
	BAD("length past end", 8, 0x80, 201, 0, 2, 0x11, 0x11, 0x11, 0x11),
	BAD("length ffff", 8, 0x80, 201, 0xff, 0xff, 0x11, 0x11, 0x11, 0x11),
	BAD("trailing bytes", 10, RR0, 0, 0),
	BAD("trailing word", 12, RR0, 0, 0, 0, 0),
	BAD("rr count overrun", 8, 0x81, 201, 0, 1, 0x11, 0x11, 0x11, 0x11),
	BAD("rr 2 blocks room for 1", 32, 0x82, 201, 0, 7, 0x11, 0x11, 0x11,
	    0x11, BLK(1)),
	BAD("rr without ssrc", 12, 0x80, 201, 0, 0, RR0),
	BAD("sr shorter than sender info", 8, 0x80, 200, 0, 1, 0, 0, 0, 5),
	BAD("sr 1 block, room for none", 28, 0x81, 200, 0, 6, 0, 0, 0, 5,
	    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
	BAD("padding not last", 24, 0xa0, 201, 0, 1, 0x11, 0x11, 0x11, 4,
	    SDES_AB),
	BAD("padding count 0", 20, RR0, 0xa1, 203, 0, 2, 0x11, 0x11, 0x11,
	    0x11, 0, 0, 0, 0),
	BAD("padding past body", 20, RR0, 0xa1, 203, 0, 2, 0x11, 0x11, 0x11,
	    0x11, 0, 0, 0, 9),
	/* Padding 4 leaves the BYE no room for its one SSRC. */
	BAD("padding eats bye ssrc", 16, RR0, 0xa1, 203, 0, 1, 0x11, 0x11,
	    0x11, 4),
	BAD("sdes without null item", 20, RR0, 0x81, 202, 0, 2, 0x11, 0x11,
	    0x11, 0x11, 1, 2, 'a', 'b'),
	BAD("sdes item overrun", 24, RR0, 0x81, 202, 0, 3, 0x11, 0x11, 0x11,
	    0x11, 1, 9, 'a', 'b', 0, 0, 0, 0),
	/* Type octet of an item in the last byte, no length octet. */
	BAD("sdes item header cut", 20, RR0, 0x81, 202, 0, 2, 0x11, 0x11,
	    0x11, 0x11, 1, 1, 'a', 5),
	BAD("sdes 2 chunks, room for 1", 24, RR0, 0x82, 202, 0, 3, 0x11,
	    0x11, 0x11, 0x11, 1, 2, 'a', 'b', 0, 0, 0, 0),
	BAD("sdes chunk ssrc cut", 12, RR0, 0x81, 202, 0, 0),
	/* The null item ends the chunk at byte 13, so the chunk runs to
	 * 16, but P padding (2) trims the body to 14. */
	BAD("sdes pad past body", 24, RR0, 0xa1, 202, 0, 3, 0x11, 0x11, 0x11,
	    0x11, 1, 2, 'a', 'b', 0, 0, 0, 2),
	BAD("bye count overrun", 16, RR0, 0x82, 203, 0, 1, 0x11, 0x11, 0x11,
	    0x11),
	BAD("bye reason overrun", 20, RR0, 0x81, 203, 0, 2, 0x11, 0x11, 0x11,
	    0x11, 4, 'b', 'y', 'e'),
	BAD("lone bye count 0", 4, 0x80, 203, 0, 0),
};

START_TEST(rtcp_parse_vector)
{
	const struct rtcp_vec *v = &rtcp_vecs[_i];
	struct sl_rtcp_info i;
	/* An exact-size copy, so ASan sees any read past the end. */
	uint8_t *pkt = malloc(v->len ? v->len : 1);
	int rc;

	ck_assert_ptr_nonnull(pkt);
	memcpy(pkt, v->b, v->len);
	rc = sl__rtcp_parse(pkt, v->len, &i);

	ck_assert_msg(rc == v->rc, "%s: rc %d want %d", v->name, rc, v->rc);
	if (rc != 0) {
		free(pkt);
		return;
	}
	ck_assert_msg(i.ssrc == v->ssrc, "%s: ssrc %x", v->name, i.ssrc);
	ck_assert_int_eq(i.has_sr, v->has_sr);
	ck_assert_msg(i.n_blocks == v->n_blocks, "%s: blocks %u", v->name,
		      i.n_blocks);
	ck_assert_int_eq(i.bye, v->bye);
	if (v->cname) {
		ck_assert_ptr_nonnull(i.cname);
		ck_assert(i.cname >= pkt && i.cname <= pkt + v->len);
		ck_assert_uint_eq(i.cname_len, strlen(v->cname));
		ck_assert_mem_eq(i.cname, v->cname, i.cname_len);
	} else {
		ck_assert_ptr_null(i.cname);
	}
	free(pkt);
}
END_TEST

START_TEST(rtcp_parse_fields_by_hand)
{
	/* "rr continuation": blocks about SSRC 1 then 3, values from BLK:
	 * fraction 25, lost 10, ext_max 0x00010040, jitter 14. */
	const struct rtcp_vec *v = NULL;
	struct sl_rtcp_info i;

	for (int k = 0; k < N_(rtcp_vecs); k++)
		if (!strcmp(rtcp_vecs[k].name, "rr continuation"))
			v = &rtcp_vecs[k];
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(sl__rtcp_parse(v->b, v->len, &i), 0);
	ck_assert_uint_eq(i.blocks[0].ssrc, 1);
	ck_assert_uint_eq(i.blocks[1].ssrc, 3);
	ck_assert_uint_eq(i.blocks[1].fraction, 25);
	ck_assert_int_eq(i.blocks[1].lost, 10);
	ck_assert_uint_eq(i.blocks[1].ext_max, 0x00010040);
	ck_assert_uint_eq(i.blocks[1].jitter, 14);
	ck_assert_uint_eq(i.blocks[1].lsr, 0);

	/* "sr 0 blocks + bye": NTP 0xe6000000.80000000, RTP ts 256,
	 * 50 packets, 8000 octets. */
	for (int k = 0; k < N_(rtcp_vecs); k++)
		if (!strcmp(rtcp_vecs[k].name, "sr 0 blocks + bye"))
			v = &rtcp_vecs[k];
	ck_assert_int_eq(sl__rtcp_parse(v->b, v->len, &i), 0);
	ck_assert(i.sr.ntp == 0xe600000080000000ull);
	ck_assert_uint_eq(i.sr.rtp_ts, 256);
	ck_assert_uint_eq(i.sr.packets, 50);
	ck_assert_uint_eq(i.sr.octets, 8000);
	ck_assert_int_eq(sl__rtcp_parse(NULL, 8, &i), SL_EINVAL);
	ck_assert_int_eq(sl__rtcp_parse(v->b, v->len, NULL), SL_EINVAL);
}
END_TEST

START_TEST(rtcp_more_than_31_blocks_are_dropped_not_overrun)
{
	/* Two RR packets from one sender with 31 blocks each: the first
	 * 31 are kept, the rest ignored, the packet still accepted. */
	static uint8_t buf[2 * (8 + 31 * 24)];
	struct sl_rtcp_info i;
	size_t off = 0;

	for (int p = 0; p < 2; p++) {
		buf[off] = 0x80 | 31;
		buf[off + 1] = 201;
		buf[off + 2] = 0;
		buf[off + 3] = (8 + 31 * 24) / 4 - 1;
		buf[off + 7] = 0x42;
		for (int k = 0; k < 31; k++)
			buf[off + 8 + 24 * k + 3] = (uint8_t)(p * 31 + k);
		off += 8 + 31 * 24;
	}
	ck_assert_int_eq(sl__rtcp_parse(buf, off, &i), 0);
	ck_assert_uint_eq(i.n_blocks, SL_RTCP_MAX_BLOCKS);
	ck_assert_uint_eq(i.blocks[30].ssrc, 30);
}
END_TEST

START_TEST(rtcp_parse_prefixes_refused)
{
	/* SR with 1 block (52) + SDES "cn" (16) + BYE (8) = 76. A prefix
	 * ending on a packet boundary (52, 68) is itself a valid compound;
	 * every other one is refused (lengths no longer add up), and
	 * parsing never reads past it (ASan). */
	static const struct sl_rtcp_block blk = { 9, 1, 2, 3, 4, 5, 6 };
	static const struct sl_rtcp_sender sr = { 1, 2, 3, 4 };
	uint8_t buf[128];
	int n = sl__rtcp_build(buf, sizeof(buf), 1, &sr, &blk, 1, "cn", 1);

	ck_assert_int_eq(n, 76);
	for (int len = 0; len < n; len++) {
		uint8_t copy[128];
		uint8_t *p = copy + sizeof(copy) - len;
		struct sl_rtcp_info i;

		memcpy(p, buf, (size_t)len);
		ck_assert_int_eq(sl__rtcp_parse(p, (size_t)len, &i),
				 len == 52 || len == 68 ? 0 : SL_EPARSE);
	}
}
END_TEST

START_TEST(rtt_rfc3550_example)
{
	/* RFC 3550 §6.4.1 figure 2: A = 0xb710:8000 (46864.500 s),
	 * LSR = 0xb705:2000 (46853.125 s), DLSR = 0x0005:4000 (5.250 s):
	 * RTT = 46864.500 - 46853.125 - 5.250 = 6.125 s. */
	struct sl_rtcp_block b = { 0 };
	uint64_t ntp_now = (uint64_t)0xb7108000u << 16;

	ck_assert_uint_eq(sl__ntp_middle(ntp_now), 0xb7108000u);
	b.lsr = 0xb7052000u;
	b.dlsr = 0x00054000u;
	ck_assert_int_eq(sl__rtcp_rtt_us(&b, ntp_now), 6125000);
	/* No SR seen by the peer yet. */
	b.lsr = 0;
	ck_assert_int_eq(sl__rtcp_rtt_us(&b, ntp_now), -1);
	/* A report that claims more delay than has elapsed. */
	b.lsr = 0xb7052000u;
	b.dlsr = 0x000c0000u; /* 12 s > 11.375 s */
	ck_assert_int_eq(sl__rtcp_rtt_us(&b, ntp_now), -1);
	/* Exactly zero. */
	b.dlsr = 0x000b6000u;
	ck_assert_int_eq(sl__rtcp_rtt_us(&b, ntp_now), 0);
	/* Across the 32-bit wrap of the middle word: LSR 0xffff:0000,
	 * A 0x0002:0000, DLSR 1 s -> 3 - 1 = 2 s. */
	b.lsr = 0xffff0000u;
	b.dlsr = 0x00010000u;
	ck_assert_int_eq(sl__rtcp_rtt_us(&b, (uint64_t)0x00020000u << 16),
			 2000000);
	/* 1/65536 s = 15.2587890625 us, rounded to 15; 3/65536 s =
	 * 45.776 us, rounded to 46. */
	b.lsr = 0x00010000u;
	b.dlsr = 0;
	ck_assert_int_eq(sl__rtcp_rtt_us(&b, (uint64_t)0x00010001u << 16),
			 15);
	ck_assert_int_eq(sl__rtcp_rtt_us(&b, (uint64_t)0x00010003u << 16),
			 46);
}
END_TEST

START_TEST(ntp_helpers)
{
	uint64_t now, unix_s;

	ck_assert_uint_eq(sl__ntp_middle(0x0123456789abcdefull), 0x456789ab);
	ck_assert_uint_eq(sl__ntp_middle(0), 0);
	/* Seconds since 1900 = Unix seconds + 2208988800 (mod 2^32). */
	unix_s = (uint64_t)time(NULL);
	now = sl__ntp_now();
	ck_assert_uint_le((uint32_t)((now >> 32) -
				     (uint32_t)(unix_s + 2208988800u)), 2);
}
END_TEST

START_TEST(block_from_source)
{
	struct sl_rtp_source s;
	struct sl_rtcp_block b;

	/* Base 101, 102..200 with 10 lost: expected 100, lost 10,
	 * fraction 25. SR middle 0xb7052000 arrived at t = 1 s; the report
	 * goes out at 6.25 s: DLSR = 5.25 s = 0x0005:4000. */
	start_valid(&s, 100);
	for (uint16_t q = 102; q <= 200; q++)
		if (q < 150 || q >= 160)
			sl__rtp_source_update(&s, q, 0, 0);
	s.lsr = 0xb7052000u;
	s.lsr_arrival_us = 1000000;
	sl__rtcp_block_from(&s, 6250000, &b);
	ck_assert_uint_eq(b.ssrc, 0x11223344);
	ck_assert_uint_eq(b.fraction, 25);
	ck_assert_int_eq(b.lost, 10);
	ck_assert_uint_eq(b.ext_max, 200);
	ck_assert_uint_eq(b.lsr, 0xb7052000u);
	ck_assert_uint_eq(b.dlsr, 0x00054000u);
	/* The fraction moved the prior counters on. */
	sl__rtcp_block_from(&s, 6250000, &b);
	ck_assert_uint_eq(b.fraction, 0);
	ck_assert_int_eq(b.lost, 10);
	/* No SR yet: LSR and DLSR are 0. A clock before the arrival gives
	 * DLSR 0 rather than a wrap. */
	s.lsr = 0;
	sl__rtcp_block_from(&s, 9000000, &b);
	ck_assert_uint_eq(b.lsr, 0);
	ck_assert_uint_eq(b.dlsr, 0);
	s.lsr = 5;
	sl__rtcp_block_from(&s, 10, &b);
	ck_assert_uint_eq(b.dlsr, 0);
	/* 1 us -> 65536/1e6 units, truncated to 0; 1 ms -> 65.536 -> 65;
	 * more than 65536 s saturates. */
	s.lsr_arrival_us = 0;
	sl__rtcp_block_from(&s, 1000, &b);
	ck_assert_uint_eq(b.dlsr, 65);
	sl__rtcp_block_from(&s, 70000ull * 1000000, &b);
	ck_assert_uint_eq(b.dlsr, UINT32_MAX);
}
END_TEST

/* ---- RTCP interval ---- */

struct ivl_vec {
	const char *name;
	struct sl_rtcp_bw bw;
	unsigned members, senders;
	int we_sent;
	double avg;
	int initial;
	uint64_t want_us;
};

/* Default session bandwidth: 80 kbit/s (G.711 + headers); RTCP 5% =
 * 4000 bit/s = 500 octets/s, a quarter for senders. */
static const struct ivl_vec ivl_vecs[] = {
	/* 100 * 2 / 500 = 0.4 s -> the 5 s minimum. */
	{ "default two party", { 0, -1, -1 }, 2, 1, 1, 100, 0, 5000000 },
	{ "default initial", { 0, -1, -1 }, 2, 1, 1, 100, 1, 2500000 },
	/* 1 sender of 100 (<= 25%), we do not send: 75% of 500 = 375 B/s
	 * shared by 99 receivers: 100 * 99 / 375 = 26.4 s. */
	{ "receiver among 100", { 0, -1, -1 }, 100, 1, 0, 100, 0, 26400000 },
	/* Same, we are the sender: 125 B/s, n = 1: 0.8 s -> 5 s. */
	{ "sender among 100", { 0, -1, -1 }, 100, 1, 1, 100, 0, 5000000 },
	/* 50 senders of 100 (> 25%): all share 500 B/s: 100*100/500. */
	{ "half send", { 0, -1, -1 }, 100, 50, 0, 100, 0, 20000000 },
	/* Exactly 25%: 2 of 8 -> split: 1000 * 6 / 375 = 16 s (the rule
	 * is continuous there: together would also give 16 s). */
	{ "25% boundary", { 0, -1, -1 }, 8, 2, 0, 1000, 0, 16000000 },
	/* 2 of 7 (28.6%): together: 1000 * 7 / 500 = 14 s. */
	{ "above 25%", { 0, -1, -1 }, 7, 2, 0, 1000, 0, 14000000 },
	/* No senders: §6.3.1's split needs "greater than zero", so all
	 * 100 share 500 B/s: 20 s (A.7's code would say 26.67 s). */
	{ "no senders", { 0, -1, -1 }, 100, 0, 0, 100, 0, 20000000 },
	/* b=AS:16 -> 16000 bit/s, RTCP 800 bit/s = 100 B/s; 2 senders
	 * of 2: together, 300 * 2 / 100 = 6 s; initial halves only the
	 * minimum. */
	{ "b=AS 16k", { 16000, -1, -1 }, 2, 2, 1, 300, 0, 6000000 },
	{ "b=AS 16k initial", { 16000, -1, -1 }, 2, 2, 1, 300, 1, 6000000 },
	/* b=AS:16, small packets: 60 * 2 / 100 = 1.2 s -> 2.5 s initial. */
	{ "b=AS 16k small initial", { 16000, -1, -1 }, 2, 2, 1, 60, 1,
	  2500000 },
	/* b=RS:800 b=RR:800 -> 200 B/s, senders' share 1/2. 1 of 4
	 * senders (<= 50%): receivers 100 B/s for 3: 400 * 3 / 100. */
	{ "RS=RR=800 receiver", { 64000, 800, 800 }, 4, 1, 0, 400, 0,
	  12000000 },
	/* The sender: 100 B/s for 1: 4 s -> 5 s minimum. */
	{ "RS=RR=800 sender", { 64000, 800, 800 }, 4, 1, 1, 400, 0,
	  5000000 },
	/* 3 of 4 send (> 50%): together 200 B/s for 4: 8 s. */
	{ "RS=RR=800 most send", { 64000, 800, 800 }, 4, 3, 1, 400, 0,
	  8000000 },
	/* RFC 3556: both zero turns RTCP off. */
	{ "RS=RR=0", { 64000, 0, 0 }, 2, 1, 1, 100, 0, 0 },
	{ "RS=RR=0 initial", { 64000, 0, 0 }, 2, 0, 0, 100, 1, 0 },
	/* RR = 0: receivers never report; a sender gets all of RS:
	 * share 1, 100 B/s for 1 sender: 600 / 100 = 6 s. */
	{ "RR=0 receiver", { 64000, 800, 0 }, 2, 1, 0, 600, 0, 0 },
	{ "RR=0 sender", { 64000, 800, 0 }, 2, 1, 1, 600, 0, 6000000 },
	/* ... even when nobody sends (no 25% split to zero it out). */
	{ "RR=0 no senders", { 64000, 800, 0 }, 2, 0, 0, 600, 0, 0 },
	/* RS = 0: share 0, senders always above it: everyone shares RR,
	 * 100 B/s for 2: 600 * 2 / 100 = 12 s. */
	{ "RS=0 sender", { 64000, 0, 800 }, 2, 1, 1, 600, 0, 12000000 },
	/* Only b=RR:2000 given: RS defaults to 80000/80 = 1000: 375 B/s,
	 * senders' share 1/3; 1 of 10: receivers 250 B/s for 9:
	 * 200 * 9 / 250 = 7.2 s. */
	{ "only RR given", { 0, -1, 2000 }, 10, 1, 0, 200, 0, 7200000 },
	/* Only b=RS:4000 given, b=AS:80: RR default 3000; 875 B/s, share
	 * 4/7; 1 of 2 (<= 57%): sender 500 B/s alone: 3000/500 = 6 s. */
	{ "only RS given", { 80000, 4000, -1 }, 2, 1, 1, 3000, 0, 6000000 },
	/* Nobody counted, no packet size yet: the minimum. */
	{ "zero members", { 0, -1, -1 }, 0, 0, 0, 0, 0, 5000000 },
	/* Zero members counts as one (us): 10000 * 1 / 500 = 20 s. */
	{ "zero members, big packets", { 0, -1, -1 }, 0, 0, 0, 10000, 0,
	  20000000 },
	{ "NaN size", { 0, -1, -1 }, 2, 1, 1, NAN, 0, 5000000 },
	{ "huge size capped", { 0, -1, -1 }, 2, 1, 1, 1e300, 0,
	  1000000000000000ull },
};

START_TEST(interval_vector)
{
	const struct ivl_vec *v = &ivl_vecs[_i];
	uint64_t got = sl__rtcp_interval_us(&v->bw, v->members, v->senders,
					    v->we_sent, v->avg, v->initial);

	ck_assert_msg(got == v->want_us, "%s: %llu us, want %llu", v->name,
		      (unsigned long long)got,
		      (unsigned long long)v->want_us);
}
END_TEST

START_TEST(interval_null_bw_is_default)
{
	ck_assert_uint_eq(sl__rtcp_interval_us(NULL, 100, 1, 0, 100, 0),
			  26400000);
}
END_TEST

START_TEST(interval_randomize)
{
	/* A.7: td * [0.5, 1.5] / (e - 3/2), e - 3/2 = 1.21828182845...
	 * 5 s * 0.5 / 1.2182818 = 2.052070 s; * 1.0 -> 4.104141 s;
	 * * 1.5 -> 6.156211 s. */
	ck_assert_uint_eq(sl__rtcp_randomize(5000000, 0.0), 2052070);
	ck_assert_uint_eq(sl__rtcp_randomize(5000000, 0.5), 4104141);
	ck_assert_uint_eq(sl__rtcp_randomize(5000000, 1.0), 6156211);
	/* Out-of-range draws are clamped; disabled stays disabled. */
	ck_assert_uint_eq(sl__rtcp_randomize(5000000, -3.0), 2052070);
	ck_assert_uint_eq(sl__rtcp_randomize(5000000, 7.0), 6156211);
	ck_assert_uint_eq(sl__rtcp_randomize(5000000, NAN), 2052070);
	ck_assert_uint_eq(sl__rtcp_randomize(0, 0.7), 0);
	/* The average over a uniform draw is td / (e - 3/2). */
	{
		double sum = 0;

		for (int k = 0; k < 1000; k++)
			sum += (double)sl__rtcp_randomize(1000000,
							  (k + 0.5) / 1000);
		ck_assert_double_eq_tol(sum / 1000, 1e6 / 1.2182818284590452,
					1.0);
	}
}
END_TEST

/* ---- RFC 4733 ---- */

START_TEST(tel_event_digit_codes)
{
	static const char digits[] = "0123456789*#ABCD!";
	static const char bad[] = "EeFfxX /:@[`{+-.,;\001\177";

	for (int k = 0; k < 17; k++) {
		ck_assert_int_eq(sl__tel_event_code(digits[k]), k);
		ck_assert_int_eq(sl__tel_event_digit((uint8_t)k), digits[k]);
	}
	ck_assert_int_eq(sl__tel_event_code('a'), 12);
	ck_assert_int_eq(sl__tel_event_code('b'), 13);
	ck_assert_int_eq(sl__tel_event_code('c'), 14);
	ck_assert_int_eq(sl__tel_event_code('d'), 15);
	for (size_t k = 0; k < sizeof(bad) - 1; k++)
		ck_assert_msg(sl__tel_event_code(bad[k]) == -1, "%d",
			      bad[k]);
	ck_assert_int_eq(sl__tel_event_code('\0'), -1);
	ck_assert_int_eq(sl__tel_event_code((char)0xff), -1);
	for (int k = 17; k < 256; k++)
		ck_assert(sl__tel_event_digit((uint8_t)k) == (char)-1);
}
END_TEST

struct tev_vec {
	uint8_t b[8];
	size_t len;
	int rc;
	uint8_t event;
	int end;
	uint8_t volume;
	uint16_t duration;
};

static const struct tev_vec tev_vecs[] = {
	/* Digit 1, E, volume 10, duration 800 (100 ms at 8 kHz). */
	{ { 0x01, 0x8a, 0x03, 0x20 }, 4, 0, 1, 1, 10, 800 },
	/* '#', not end, volume 63, duration 0xffff. */
	{ { 0x0b, 0x3f, 0xff, 0xff }, 4, 0, 11, 0, 63, 0xffff },
	/* Reserved bit set: ignored. */
	{ { 0x05, 0x4a, 0x00, 0xa0 }, 4, 0, 5, 0, 10, 160 },
	{ { 0x10, 0xc0, 0x00, 0x00 }, 4, 0, 16, 1, 0, 0 },
	/* A second event in the packet is ignored. */
	{ { 0x0f, 0x80, 0x01, 0x40, 0x0e, 0x80, 0x01, 0x40 }, 8, 0,
	  15, 1, 0, 320 },
	{ .b = { 0x11, 0x0a, 0x00, 0xa0 }, .len = 4, .rc = SL_EPARSE },
	{ .b = { 0xff, 0x0a, 0x00, 0xa0 }, .len = 4, .rc = SL_EPARSE },
	{ .b = { 0x01, 0x8a, 0x03 }, .len = 3, .rc = SL_EPARSE },
	{ .b = { 0 }, .len = 0, .rc = SL_EPARSE },
};

START_TEST(tel_event_parse_vector)
{
	const struct tev_vec *v = &tev_vecs[_i];
	struct sl_tel_event e;
	int rc = sl__tel_event_parse(v->b, v->len, &e);

	ck_assert_int_eq(rc, v->rc);
	if (rc)
		return;
	ck_assert_uint_eq(e.event, v->event);
	ck_assert_int_eq(e.end, v->end);
	ck_assert_uint_eq(e.volume, v->volume);
	ck_assert_uint_eq(e.duration, v->duration);
}
END_TEST

START_TEST(tel_event_round_trip)
{
	uint8_t buf[4];
	struct sl_tel_event e, back;

	for (int ev = 0; ev <= 16; ev++) {
		for (int end = 0; end <= 1; end++) {
			e.event = (uint8_t)ev;
			e.end = end;
			e.volume = (uint8_t)((ev * 7) % 64);
			e.duration = (uint16_t)(ev * 4000 + 160);
			ck_assert_int_eq(sl__tel_event_write(buf, 4, &e), 4);
			ck_assert_uint_eq(buf[1] & 0x40, 0);
			ck_assert_int_eq(sl__tel_event_parse(buf, 4, &back),
					 0);
			ck_assert_uint_eq(back.event, e.event);
			ck_assert_int_eq(back.end, e.end);
			ck_assert_uint_eq(back.volume, e.volume);
			ck_assert_uint_eq(back.duration, e.duration);
		}
	}
	e.end = 5; /* any non-zero: the E bit */
	sl__tel_event_write(buf, 4, &e);
	ck_assert_uint_eq(buf[1] & 0x80, 0x80);
	ck_assert_int_eq(sl__tel_event_write(buf, 3, &e), SL_ENOSPC);
	e.volume = 64;
	ck_assert_int_eq(sl__tel_event_write(buf, 4, &e), SL_EINVAL);
	e.volume = 10;
	e.event = 17;
	ck_assert_int_eq(sl__tel_event_write(buf, 4, &e), SL_EINVAL);
	ck_assert_int_eq(sl__tel_event_write(NULL, 4, &e), SL_EINVAL);
	ck_assert_int_eq(sl__tel_event_parse(NULL, 4, &e), SL_EINVAL);
}
END_TEST

/* ---- E-model ---- */

START_TEST(emodel_hand_computed)
{
	/* R = 93.2, MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6
	 *   = 1 + 3.262 + 93.2 * 33.2 * 6.8 * 7e-6 = 4.262 + 0.147286
	 *   = 4.409286. */
	ck_assert_double_eq_tol(sl__emodel_mos("PCMU", 0, 0), 4.409286,
				1e-6);
	/* 20 ms: Id = 0.48, R = 92.72 -> 4.399802. */
	ck_assert_double_eq_tol(sl__emodel_mos("PCMA", 20, 0), 4.399802,
				1e-6);
	/* 1% loss: Ie,eff = 95 * 1 / (1 + 25.1) = 3.639847, R = 89.560153,
	 * MOS = 1 + 3.134605 + 89.560153 * 29.560153 * 10.439847 * 7e-6
	 *     = 4.328075. */
	ck_assert_double_eq_tol(sl__emodel_mos("pcmu", 0, 1), 4.328075,
				1e-6);
	/* 200 ms: Id = 0.024 * 200 + 0.11 * 22.7 = 7.297, R = 85.903,
	 * MOS = 1 + 3.006605 + 85.903 * 25.903 * 14.097 * 7e-6 = 4.226180. */
	ck_assert_double_eq_tol(sl__emodel_mos("G722", 200, 0), 4.226180,
				1e-6);
	/* Opus 1%: 95 / 21 = 4.523810, R = 88.676190 -> 4.305234. */
	ck_assert_double_eq_tol(sl__emodel_mos("opus", 0, 1), 4.305234,
				1e-6);
	/* Unknown codec: Ie 10, R = 83.2 -> 4.138996. */
	ck_assert_double_eq_tol(sl__emodel_mos("GSM", 0, 0), 4.138996, 1e-6);
	ck_assert_double_eq_tol(sl__emodel_mos(NULL, 0, 0), 4.138996, 1e-6);
	ck_assert_double_eq_tol(sl__emodel_mos("PCM", 0, 0), 4.138996, 1e-6);
	ck_assert_double_eq_tol(sl__emodel_mos("PCMUX", 0, 0), 4.138996,
				1e-6);
	/* 100% loss: Ie,eff = 9500 / 125.1 = 75.939, R = 17.261 ->
	 * 1 + 0.604126 - 0.427264 = 1.176862. */
	ck_assert_double_eq_tol(sl__emodel_mos("PCMU", 0, 100), 1.176862,
				1e-6);
}
END_TEST

START_TEST(emodel_monotonic_and_clamped)
{
	double prev = 5;

	for (double loss = 0; loss <= 100; loss += 0.5) {
		double m = sl__emodel_mos("PCMU", 40, loss);

		ck_assert(m < prev);
		ck_assert(m >= 1.0 && m <= 4.5);
		prev = m;
	}
	prev = 5;
	for (double d = 0; d <= 700; d += 5) {
		double m = sl__emodel_mos("opus", d, 0.5);

		ck_assert(m < prev);
		prev = m;
	}
	/* Far past any usable delay: R < 0, MOS floor 1.0. */
	ck_assert(sl__emodel_mos("PCMU", 2000, 0) == 1.0);
	ck_assert(sl__emodel_mos("PCMU", 800, 100) == 1.0);
	ck_assert(sl__emodel_mos("PCMU", 1e9, 50) == 1.0);
	/* R just above 0 (826.1 ms: Id = 19.826 + 71.368, R = 2.006): eq.
	 * B-4 gives 0.990 there, clamped to 1.0. */
	ck_assert(sl__emodel_mos("PCMU", 826.1, 0) == 1.0);
	/* Out-of-range inputs are clamped to 0 and 100. */
	ck_assert(sl__emodel_mos("PCMU", -5, -1) ==
		  sl__emodel_mos("PCMU", 0, 0));
	ck_assert(sl__emodel_mos("PCMU", NAN, NAN) ==
		  sl__emodel_mos("PCMU", 0, 0));
	ck_assert(sl__emodel_mos("PCMU", 0, 250) ==
		  sl__emodel_mos("PCMU", 0, 100));
}
END_TEST

Suite *check_media_rtp_suite(void);

Suite *check_media_rtp_suite(void)
{
	Suite *s = suite_create("media_rtp");
	TCase *tc;

	tc = tcase_create("rtp");
	tcase_add_loop_test(tc, rtp_parse_vector, 0, N_(rtp_vecs));
	tcase_add_test(tc, rtp_parse_csrc_values);
	tcase_add_test(tc, rtp_parse_never_reads_past_len);
	tcase_add_test(tc, rtp_build_round_trip);
	tcase_add_test(tc, rtp_is_rtcp_demux);
	suite_add_tcase(s, tc);

	tc = tcase_create("stats");
	tcase_add_test(tc, stats_probation);
	tcase_add_test(tc, stats_probation_across_wrap);
	tcase_add_test(tc, stats_loss_reorder_wrap);
	tcase_add_test(tc, stats_duplicates_make_lost_negative);
	tcase_add_test(tc, stats_everything_lost_is_255);
	tcase_add_test(tc, stats_restart_and_jump);
	tcase_add_test(tc, stats_lost_clamps_to_24_bits);
	tcase_add_test(tc, stats_jitter_hand_computed);
	tcase_add_test(tc, stats_jitter_across_clock_wraps);
	tcase_add_test(tc, stats_restart_does_not_spike_jitter);
	suite_add_tcase(s, tc);

	tc = tcase_create("rtcp");
	tcase_add_test(tc, rtcp_sr_sdes_bye_round_trip);
	tcase_add_test(tc, rtcp_rr_round_trip_every_cname_length);
	tcase_add_test(tc, rtcp_build_errors_and_lost_clamp);
	tcase_add_loop_test(tc, rtcp_parse_vector, 0, N_(rtcp_vecs));
	tcase_add_test(tc, rtcp_parse_fields_by_hand);
	tcase_add_test(tc, rtcp_more_than_31_blocks_are_dropped_not_overrun);
	tcase_add_test(tc, rtcp_parse_prefixes_refused);
	tcase_add_test(tc, rtt_rfc3550_example);
	tcase_add_test(tc, ntp_helpers);
	tcase_add_test(tc, block_from_source);
	suite_add_tcase(s, tc);

	tc = tcase_create("interval");
	tcase_add_loop_test(tc, interval_vector, 0, N_(ivl_vecs));
	tcase_add_test(tc, interval_null_bw_is_default);
	tcase_add_test(tc, interval_randomize);
	suite_add_tcase(s, tc);

	tc = tcase_create("tel_event");
	tcase_add_test(tc, tel_event_digit_codes);
	tcase_add_loop_test(tc, tel_event_parse_vector, 0, N_(tev_vecs));
	tcase_add_test(tc, tel_event_round_trip);
	suite_add_tcase(s, tc);

	tc = tcase_create("emodel");
	tcase_add_test(tc, emodel_hand_computed);
	tcase_add_test(tc, emodel_monotonic_and_clamped);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_media_rtp_suite)
