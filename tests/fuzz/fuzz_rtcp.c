/*
 * tests/fuzz/fuzz_rtcp.c: libFuzzer harness for the compound RTCP parser
 * and builder, round-trip time and the report interval
 * (lib/media/rtcp.c, lib/media/rtcp_interval.c).
 *
 * Whole input: one compound RTCP packet. Invariants that abort: the
 * parser returns 0 or SL_EPARSE; on success the input is a whole number
 * of 32-bit words, no more than 31 blocks are reported, the CNAME lies
 * inside the input, and what was understood (sender, SR, blocks, CNAME,
 * BYE) builds into a compound that parses back to the same values, while
 * a buffer one byte short is refused. RTT from any block is -1 or
 * non-negative.
 * The first 20 bytes also give the interval inputs: a non-zero interval
 * is never below the (halved) minimum nor above the cap, RS = RR = 0 is
 * always 0, and randomization stays within [0.5, 1.5] / (e - 3/2).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/rtp.h"
#include "sipline/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[8192];

static uint32_t rd32(const uint8_t *p, size_t size, size_t off)
{
	uint32_t v = 0;

	for (size_t k = 0; k < 4; k++)
		v = v << 8 | (off + k < size ? p[off + k] : 0);
	return v;
}

static int same_block(const struct sl_rtcp_block *a,
		      const struct sl_rtcp_block *b)
{
	return a->ssrc == b->ssrc && a->fraction == b->fraction &&
	       a->lost == b->lost && a->ext_max == b->ext_max &&
	       a->jitter == b->jitter && a->lsr == b->lsr &&
	       a->dlsr == b->dlsr;
}

static void check_compound(const uint8_t *data, size_t size)
{
	struct sl_rtcp_info i, back;
	char cname[256];
	size_t cl = 0;
	int rc = sl__rtcp_parse(data, size, &i);
	int n;

	if (rc == SL_EPARSE)
		return;
	if (rc != 0 || size < 8 || size % 4 || i.n_blocks > SL_RTCP_MAX_BLOCKS)
		abort();
	if (i.cname) {
		const uint8_t *c = i.cname;

		if (c < data || (size_t)(c - data) > size ||
		    i.cname_len > size - (size_t)(c - data) ||
		    i.cname_len > 255)
			abort();
		/* The builder takes a C string: stop at an embedded NUL. */
		while (cl < i.cname_len && c[cl])
			cl++;
		memcpy(cname, c, cl);
	}
	cname[cl] = '\0';
	for (unsigned k = 0; k < i.n_blocks; k++) {
		int64_t rtt = sl__rtcp_rtt_us(&i.blocks[k],
					      i.has_sr ? i.sr.ntp : 0);

		if (i.blocks[k].lost > 0x7fffff ||
		    i.blocks[k].lost < -0x800000 || rtt < -1)
			abort();
	}

	n = sl__rtcp_build(out, sizeof(out), i.ssrc,
			   i.has_sr ? &i.sr : NULL, i.blocks, i.n_blocks,
			   cname, i.bye);
	if (n <= 0 || (size_t)n > sizeof(out))
		abort();
	if (sl__rtcp_build(out, (size_t)n - 1, i.ssrc,
			   i.has_sr ? &i.sr : NULL, i.blocks, i.n_blocks,
			   cname, i.bye) != SL_ENOSPC)
		abort();
	if (sl__rtcp_parse(out, (size_t)n, &back) != 0)
		abort();
	if (back.ssrc != i.ssrc || back.has_sr != i.has_sr ||
	    back.n_blocks != i.n_blocks || back.bye != i.bye ||
	    !back.cname || back.cname_len != cl ||
	    memcmp(back.cname, cname, cl))
		abort();
	if (i.has_sr && (back.sr.ntp != i.sr.ntp ||
			 back.sr.rtp_ts != i.sr.rtp_ts ||
			 back.sr.packets != i.sr.packets ||
			 back.sr.octets != i.sr.octets))
		abort();
	for (unsigned k = 0; k < i.n_blocks; k++)
		if (!same_block(&back.blocks[k], &i.blocks[k]))
			abort();
}

static void check_interval(const uint8_t *data, size_t size)
{
	struct sl_rtcp_bw bw;
	uint32_t m = rd32(data, size, 12), f = rd32(data, size, 16);
	unsigned members = m >> 16, senders = m & 0xffff;
	int we_sent = f >> 31, initial = (f >> 30) & 1;
	double avg = (double)((f >> 8) & 0x3fffff) / 4;
	double rnd = (double)(f & 0xff) / 256;
	uint64_t t, r;
	double lo, hi;

	bw.session_bps = rd32(data, size, 0);
	bw.rs_bps = (int32_t)rd32(data, size, 4);
	bw.rr_bps = (int32_t)rd32(data, size, 8);
	if (bw.rs_bps < -1)
		bw.rs_bps = -1;
	if (bw.rr_bps < -1)
		bw.rr_bps = -1;
	t = sl__rtcp_interval_us(&bw, members, senders, we_sent, avg,
				 initial);
	if (bw.rs_bps == 0 && bw.rr_bps == 0 && t != 0)
		abort();
	if (t && (t < (initial ? 2500000u : 5000000u) ||
		  t > 1000000000000000ull))
		abort();
	r = sl__rtcp_randomize(t, rnd);
	lo = (double)t * 0.5 / 1.2182818284590452 - 1;
	hi = (double)t * 1.5 / 1.2182818284590452 + 1;
	if ((double)r < lo || (double)r > hi)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_compound(data, size);
	check_interval(data, size);
	return 0;
}
