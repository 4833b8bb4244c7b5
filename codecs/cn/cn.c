/*
 * codecs/cn/cn.c: CN, RTP comfort noise (RFC 3389), static payload
 * type 13 at 8000 Hz (RFC 3551 §4.5.3 and Table 4).
 *
 * Owns: the noise generator of one call (struct cn_state in the state
 * block: the level last received and the generator's seed).
 * Thread: the media thread of the call.
 *
 * A CN payload (§3) is one byte of noise level, 0..127 meaning 0 to
 * -127 dBov, then optional reflection coefficients of a spectral model.
 * We send the level alone (a valid payload, "model order 0") and ignore
 * the coefficients we receive: the noise we make is white. 0 dBov is the
 * level of a full-scale square wave (§3.1), an RMS of 32767 here.
 *
 * decode() takes a SID payload and fills the whole buffer it is given
 * (@cap samples: the engine asks for exactly the frame it needs); plc()
 * keeps producing noise at the last level between SID packets, which is
 * what §4 asks of a receiver until the next packet arrives. The noise is
 * deterministic for a given state: a 32-bit linear congruential
 * generator seeded by init().
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "../codec_int.h"
#include "sipline/error.h"

enum {
	CN_LEVEL_MAX = 127,     /* -127 dBov: the quietest level coded */
	CN_SEED = 0x2545F491    /* any non-zero start; fixed for tests */
};

/* 0 dBov on the 16-bit scale (§3.1: a full-scale square wave). */
#define CN_REF_RMS 32767.0
/* The RMS of a sum of four uniform values in [-32768, 32767]:
 * 32768 * sqrt(4 / 3). Summing four makes the noise close to Gaussian
 * (a softer sound than uniform noise) with peaks at 3.5 sigma, so no
 * level quieter than -11 dBov ever clips. */
#define CN_SUM_RMS 37837.2

struct cn_state {
	uint32_t seed;
	uint32_t gain_q16;      /* output = sum * gain_q16 / 65536 */
	uint8_t level;          /* the last level received, -dBov */
};

static uint32_t gain_for(unsigned level)
{
	double rms = CN_REF_RMS * pow(10.0, -(double)level / 20.0);

	return (uint32_t)lround(rms / CN_SUM_RMS * 65536.0);
}

static int cn_init(void *state, const struct sl_codec_params *p)
{
	struct cn_state *st = state;

	(void)p;
	if (!st)
		return SL_EINVAL;
	st->seed = CN_SEED;
	st->level = CN_LEVEL_MAX;
	st->gain_q16 = gain_for(CN_LEVEL_MAX);
	return 0;
}

/* Top 16 bits of the next LCG value (Numerical Recipes constants), as a
 * signed value: the low bits of an LCG repeat with short periods. */
static inline int32_t next_uniform(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return (int32_t)(*seed >> 16) - 32768;
}

static void make_noise(struct cn_state *st, int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int64_t sum = next_uniform(&st->seed);
		int64_t v;

		sum += next_uniform(&st->seed);
		sum += next_uniform(&st->seed);
		sum += next_uniform(&st->seed);
		v = sum * st->gain_q16 / 65536;
		if (v > INT16_MAX)
			v = INT16_MAX;
		else if (v < INT16_MIN)
			v = INT16_MIN;
		pcm[i] = (int16_t)v;
	}
}

/* Sends the frame's level; an all-zero frame is the quietest level. */
static int cn_encode(void *state, const int16_t *pcm, size_t n,
		     uint8_t *out, size_t cap)
{
	double energy = 0.0;
	long level = CN_LEVEL_MAX;

	(void)state;
	if ((n && !pcm) || !out)
		return SL_EINVAL;
	if (cap < 1)
		return SL_ENOSPC;
	for (size_t i = 0; i < n; i++)
		energy += (double)pcm[i] * pcm[i];
	if (energy > 0.0) {
		double rms = sqrt(energy / (double)n);

		level = lround(20.0 * log10(CN_REF_RMS / rms));
		if (level < 0)
			level = 0;      /* a full-scale square wave is 0 */
		if (level > CN_LEVEL_MAX)
			level = CN_LEVEL_MAX;
	}
	out[0] = (uint8_t)level;
	return 1;
}

static int cn_decode(void *state, const uint8_t *in, size_t len,
		     int16_t *pcm, size_t cap)
{
	struct cn_state *st = state;
	uint8_t level;

	if (!st || (len && !in) || (cap && !pcm) || cap > INT32_MAX)
		return SL_EINVAL;
	if (len < 1)
		return SL_EPARSE;
	/* The top bit is reserved and sent as 0 (§3); a sender that sets
	 * it still means the level in the low seven bits. */
	level = in[0] & 0x7F;
	if (level != st->level) {
		st->level = level;
		st->gain_q16 = gain_for(level);
	}
	make_noise(st, pcm, cap);
	return (int)cap;
}

static int cn_plc(void *state, int16_t *pcm, size_t n)
{
	struct cn_state *st = state;

	if (!st || (n && !pcm) || n > INT32_MAX)
		return SL_EINVAL;
	make_noise(st, pcm, n);
	return (int)n;
}

const struct sl_codec sl__codec_cn = {
	.name = "CN",
	.clock_rate = 8000,
	.sample_rate = 8000,
	.channels = 1,
	.static_pt = 13,
	.min_ptime_ms = 10,
	.max_ptime_ms = 60,
	.state_size = sizeof(struct cn_state),
	.init = cn_init,
	.encode = cn_encode,
	.decode = cn_decode,
	.plc = cn_plc,
};
