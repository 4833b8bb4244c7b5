/*
 * codecs/g711/g711.c: PCMU and PCMA, ITU-T G.711 (RFC 3551 §4.5.14).
 *
 * Owns: nothing; both codecs are stateless (state_size 0).
 * Thread: the media thread of a call; every function is pure.
 *
 * Bit-exact with the ITU-T G.191 reference (STL g711.c) on 16-bit input:
 *  - mu-law: the 14-bit magnitude plus the bias 33 (132 on the 16-bit
 *    scale) is coded as a segment (the position of its top bit, 0..7)
 *    and the four bits under it, all inverted; 0xFF is +0, 0x7F is -0.
 *  - A-law: the 12-bit magnitude (16-bit >> 4 here, its low bit never
 *    matters) is coded as segment and mantissa, segments 0 and 1 sharing
 *    one step size, then the even bits are inverted (XOR 0x55).
 * Negative samples take their magnitude as ~x (one's complement), as the
 * STL does, so -32768 maps like +32767 and the code is symmetric.
 *
 * Decoding is a 256-entry table (the interval mid-points of G.711 Tables
 * 1a and 2a on the 16-bit scale). Encoding is computed: the segment is
 * the top set bit, found with one count-leading-zeros instruction, which
 * is as fast as a table lookup without the 8 or 16 KiB of cache. The
 * test (tests/unit/check_codec_g711.c) compares all 256 codes and all
 * 65536 samples against a separate table-search implementation.
 *
 * Packet loss: plc is NULL, so the engine repeats and fades the last frame
 * (G.711 Appendix I's idea, without its pitch search).
 */
#include <stddef.h>
#include <stdint.h>

#include "../codec_int.h"
#include "sipline/error.h"

static const int16_t ulaw_dec[256] = {
	-32124, -31100, -30076, -29052, -28028, -27004, -25980, -24956,
	-23932, -22908, -21884, -20860, -19836, -18812, -17788, -16764,
	-15996, -15484, -14972, -14460, -13948, -13436, -12924, -12412,
	-11900, -11388, -10876, -10364, -9852, -9340, -8828, -8316,
	-7932, -7676, -7420, -7164, -6908, -6652, -6396, -6140,
	-5884, -5628, -5372, -5116, -4860, -4604, -4348, -4092,
	-3900, -3772, -3644, -3516, -3388, -3260, -3132, -3004,
	-2876, -2748, -2620, -2492, -2364, -2236, -2108, -1980,
	-1884, -1820, -1756, -1692, -1628, -1564, -1500, -1436,
	-1372, -1308, -1244, -1180, -1116, -1052, -988, -924,
	-876, -844, -812, -780, -748, -716, -684, -652,
	-620, -588, -556, -524, -492, -460, -428, -396,
	-372, -356, -340, -324, -308, -292, -276, -260,
	-244, -228, -212, -196, -180, -164, -148, -132,
	-120, -112, -104, -96, -88, -80, -72, -64,
	-56, -48, -40, -32, -24, -16, -8, 0,
	32124, 31100, 30076, 29052, 28028, 27004, 25980, 24956,
	23932, 22908, 21884, 20860, 19836, 18812, 17788, 16764,
	15996, 15484, 14972, 14460, 13948, 13436, 12924, 12412,
	11900, 11388, 10876, 10364, 9852, 9340, 8828, 8316,
	7932, 7676, 7420, 7164, 6908, 6652, 6396, 6140,
	5884, 5628, 5372, 5116, 4860, 4604, 4348, 4092,
	3900, 3772, 3644, 3516, 3388, 3260, 3132, 3004,
	2876, 2748, 2620, 2492, 2364, 2236, 2108, 1980,
	1884, 1820, 1756, 1692, 1628, 1564, 1500, 1436,
	1372, 1308, 1244, 1180, 1116, 1052, 988, 924,
	876, 844, 812, 780, 748, 716, 684, 652,
	620, 588, 556, 524, 492, 460, 428, 396,
	372, 356, 340, 324, 308, 292, 276, 260,
	244, 228, 212, 196, 180, 164, 148, 132,
	120, 112, 104, 96, 88, 80, 72, 64,
	56, 48, 40, 32, 24, 16, 8, 0,
};

static const int16_t alaw_dec[256] = {
	-5504, -5248, -6016, -5760, -4480, -4224, -4992, -4736,
	-7552, -7296, -8064, -7808, -6528, -6272, -7040, -6784,
	-2752, -2624, -3008, -2880, -2240, -2112, -2496, -2368,
	-3776, -3648, -4032, -3904, -3264, -3136, -3520, -3392,
	-22016, -20992, -24064, -23040, -17920, -16896, -19968, -18944,
	-30208, -29184, -32256, -31232, -26112, -25088, -28160, -27136,
	-11008, -10496, -12032, -11520, -8960, -8448, -9984, -9472,
	-15104, -14592, -16128, -15616, -13056, -12544, -14080, -13568,
	-344, -328, -376, -360, -280, -264, -312, -296,
	-472, -456, -504, -488, -408, -392, -440, -424,
	-88, -72, -120, -104, -24, -8, -56, -40,
	-216, -200, -248, -232, -152, -136, -184, -168,
	-1376, -1312, -1504, -1440, -1120, -1056, -1248, -1184,
	-1888, -1824, -2016, -1952, -1632, -1568, -1760, -1696,
	-688, -656, -752, -720, -560, -528, -624, -592,
	-944, -912, -1008, -976, -816, -784, -880, -848,
	5504, 5248, 6016, 5760, 4480, 4224, 4992, 4736,
	7552, 7296, 8064, 7808, 6528, 6272, 7040, 6784,
	2752, 2624, 3008, 2880, 2240, 2112, 2496, 2368,
	3776, 3648, 4032, 3904, 3264, 3136, 3520, 3392,
	22016, 20992, 24064, 23040, 17920, 16896, 19968, 18944,
	30208, 29184, 32256, 31232, 26112, 25088, 28160, 27136,
	11008, 10496, 12032, 11520, 8960, 8448, 9984, 9472,
	15104, 14592, 16128, 15616, 13056, 12544, 14080, 13568,
	344, 328, 376, 360, 280, 264, 312, 296,
	472, 456, 504, 488, 408, 392, 440, 424,
	88, 72, 120, 104, 24, 8, 56, 40,
	216, 200, 248, 232, 152, 136, 184, 168,
	1376, 1312, 1504, 1440, 1120, 1056, 1248, 1184,
	1888, 1824, 2016, 1952, 1632, 1568, 1760, 1696,
	688, 656, 752, 720, 560, 528, 624, 592,
	944, 912, 1008, 976, 816, 784, 880, 848,
};

/* Index of the top set bit of @v (v > 0). */
static inline unsigned top_bit(uint32_t v)
{
#if defined(__GNUC__)
	return 31u - (unsigned)__builtin_clz(v);
#else
	unsigned b = 0;

	while (v >>= 1)
		b++;
	return b;
#endif
}

static inline uint8_t ulaw_enc(int16_t x)
{
	uint32_t mag = x < 0 ? (uint32_t)~x : (uint32_t)x;  /* 0..32767 */
	uint8_t mask = x < 0 ? 0x7F : 0xFF;
	uint32_t m = (mag >> 2) + 33;           /* biased 14-bit: 33..8224 */
	unsigned seg;

	if (m > 0x1FFF)
		m = 0x1FFF;                     /* clip into segment 7 */
	seg = top_bit(m) - 5;                   /* m >= 32: 0..7 */
	return (uint8_t)(((seg << 4) | ((m >> (seg + 1)) & 0x0F)) ^ mask);
}

static inline uint8_t alaw_enc(int16_t x)
{
	uint32_t m = (x < 0 ? (uint32_t)~x : (uint32_t)x) >> 4;  /* 0..2047 */
	uint8_t mask = x < 0 ? 0x55 : 0xD5;
	unsigned seg;

	if (m < 16)
		return (uint8_t)(m ^ mask);     /* segment 0: step 1 */
	seg = top_bit(m) - 3;                   /* 1..7 */
	return (uint8_t)(((seg << 4) | ((m >> (seg - 1)) & 0x0F)) ^ mask);
}

/* One sample per byte each way, so both laws share the loops; @enc is a
 * constant at every call, which the compiler inlines. */
static inline int g711_encode(const int16_t *pcm, size_t n, uint8_t *out,
			      size_t cap, uint8_t (*enc)(int16_t))
{
	if (n > INT32_MAX || (n && (!pcm || !out)))
		return SL_EINVAL;
	if (n > cap)
		return SL_ENOSPC;
	for (size_t i = 0; i < n; i++)
		out[i] = enc(pcm[i]);
	return (int)n;
}

static inline int g711_decode(const uint8_t *in, size_t len, int16_t *pcm,
			      size_t cap, const int16_t table[256])
{
	if (len > INT32_MAX || (len && (!in || !pcm)))
		return SL_EINVAL;
	if (len > cap)
		return SL_ENOSPC;
	for (size_t i = 0; i < len; i++)
		pcm[i] = table[in[i]];
	return (int)len;
}

static int pcmu_encode(void *state, const int16_t *pcm, size_t n,
		       uint8_t *out, size_t cap)
{
	(void)state;
	return g711_encode(pcm, n, out, cap, ulaw_enc);
}

static int pcmu_decode(void *state, const uint8_t *in, size_t len,
		       int16_t *pcm, size_t cap)
{
	(void)state;
	return g711_decode(in, len, pcm, cap, ulaw_dec);
}

static int pcma_encode(void *state, const int16_t *pcm, size_t n,
		       uint8_t *out, size_t cap)
{
	(void)state;
	return g711_encode(pcm, n, out, cap, alaw_enc);
}

static int pcma_decode(void *state, const uint8_t *in, size_t len,
		       int16_t *pcm, size_t cap)
{
	(void)state;
	return g711_decode(in, len, pcm, cap, alaw_dec);
}

const struct sl_codec sl__codec_pcmu = {
	.name = "PCMU",
	.clock_rate = 8000,
	.sample_rate = 8000,
	.channels = 1,
	.static_pt = 0,
	.min_ptime_ms = 10,
	.max_ptime_ms = 60,
	.state_size = 0,
	.encode = pcmu_encode,
	.decode = pcmu_decode,
};

const struct sl_codec sl__codec_pcma = {
	.name = "PCMA",
	.clock_rate = 8000,
	.sample_rate = 8000,
	.channels = 1,
	.static_pt = 8,
	.min_ptime_ms = 10,
	.max_ptime_ms = 60,
	.state_size = 0,
	.encode = pcma_encode,
	.decode = pcma_decode,
};
