/*
 * codecs/l16/l16.c: L16, uncompressed 16-bit linear PCM (RFC 3551
 * §4.5.11), mono, at 8000, 16000, 44100 and 48000 Hz.
 *
 * Owns: nothing; stateless (state_size 0).
 * Thread: the media thread of a call; every function is pure.
 *
 * Samples travel as two's complement, most significant byte first
 * (network order) whatever the host's order. Only L16/44100/1 has a
 * static payload type (11, RFC 3551 Table 4); the other rates are
 * dynamic.
 *
 * Packet sizes: 2 bytes a sample, so 20 ms at 48 kHz is 1920 bytes and
 * no longer fits an Ethernet frame; the two high rates stop at 20 ms to
 * keep IP fragmentation to two fragments at most.
 */
#include <stddef.h>
#include <stdint.h>

#include "../codec_int.h"
#include "sipline/error.h"

static int l16_encode(void *state, const int16_t *pcm, size_t n,
		      uint8_t *out, size_t cap)
{
	(void)state;
	if (n > INT32_MAX / 2 || (n && (!pcm || !out)))
		return SL_EINVAL;
	if (cap / 2 < n)
		return SL_ENOSPC;
	for (size_t i = 0; i < n; i++) {
		uint16_t v = (uint16_t)pcm[i];

		out[2 * i] = (uint8_t)(v >> 8);
		out[2 * i + 1] = (uint8_t)v;
	}
	return (int)(2 * n);
}

static int l16_decode(void *state, const uint8_t *in, size_t len,
		      int16_t *pcm, size_t cap)
{
	size_t n = len / 2;

	(void)state;
	if (len > INT32_MAX || (len && (!in || !pcm)))
		return SL_EINVAL;
	/* A sample split across the payload's end: not L16. */
	if (len & 1)
		return SL_EPARSE;
	if (n > cap)
		return SL_ENOSPC;
	for (size_t i = 0; i < n; i++) {
		uint16_t v = (uint16_t)((unsigned)in[2 * i] << 8 |
					in[2 * i + 1]);

		/* Two's complement on every target we build for; the
		 * conversion is implementation-defined only in theory. */
		pcm[i] = (int16_t)v;
	}
	return (int)n;
}

#define L16_CODEC(rate, pt, max_ms)                     \
	{                                               \
		.name = "L16",                          \
		.clock_rate = (rate),                   \
		.sample_rate = (rate),                  \
		.channels = 1,                          \
		.static_pt = (pt),                      \
		.min_ptime_ms = 10,                     \
		.max_ptime_ms = (max_ms),               \
		.state_size = 0,                        \
		.encode = l16_encode,                   \
		.decode = l16_decode,                   \
	}

const struct sl_codec sl__codec_l16_8k = L16_CODEC(8000, -1, 60);
const struct sl_codec sl__codec_l16_16k = L16_CODEC(16000, -1, 40);
const struct sl_codec sl__codec_l16_44k = L16_CODEC(44100, 11, 20);
const struct sl_codec sl__codec_l16_48k = L16_CODEC(48000, -1, 20);
