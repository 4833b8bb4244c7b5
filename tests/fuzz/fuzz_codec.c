/*
 * tests/fuzz/fuzz_codec.c: libFuzzer harness for everything a codec reads
 * from the peer - RTP payloads through decode, decode_fec and plc, and SDP
 * fmtp values through fmtp_parse (codecs/, via sipline/codec.h).
 *
 * Input: byte 0 picks a registered codec (modulo the count), byte 1 says
 * where the fmtp text ends (modulo the rest); the fmtp text comes next,
 * then payloads, each prefixed by one length byte. Invariants that abort:
 * decode, plc and decode_fec never write past the PCM buffer they are
 * given (ASan) and return either a sample count within it or a negative
 * error; fmtp_format of whatever fmtp_parse produced fits the buffer it
 * says it fits and parses back without error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipline/codec.h"
#include "sipline/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { PCM_CAP = 5760 };        /* 120 ms at 48 kHz */

static void check_count(int r, size_t cap)
{
	if (r > (int)cap)
		abort();
}

static void fmtp_round_trip(const struct sl_codec *c, const uint8_t *p,
			    size_t n, struct sl_codec_params *cp)
{
	char out[512];
	int len;

	if (!c->fmtp_parse)
		return;
	(void)c->fmtp_parse(cp, (const char *)p, n);
	if (!c->fmtp_format)
		return;
	len = c->fmtp_format(cp, out, sizeof(out));
	if (len < 0)
		return;
	if ((size_t)len >= sizeof(out))
		abort();
	if (c->fmtp_parse(cp, out, (size_t)len) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sl_codec *list[SL_CODEC_MAX];
	struct sl_codec_params cp;
	static int16_t pcm[PCM_CAP];
	const struct sl_codec *c;
	size_t n, fmtp_len, at;
	void *state;

	if (size < 2)
		return 0;
	n = sl_codec_list(list, SL_CODEC_MAX);
	if (n == 0 || n > SL_CODEC_MAX)
		abort();
	c = list[data[0] % n];
	fmtp_len = (size - 2) ? data[1] % (size - 2 + 1) : 0;
	memset(&cp, 0, sizeof(cp));
	fmtp_round_trip(c, data + 2, fmtp_len, &cp);

	state = aligned_alloc(64, (c->state_size + 63) / 64 * 64 + 64);
	if (!state)
		return 0;
	memset(state, 0, c->state_size);
	if (c->init && c->init(state, &cp) < 0) {
		free(state);
		return 0;
	}
	at = 2 + fmtp_len;
	while (at < size) {
		size_t len = data[at++];
		const uint8_t *pl = data + at;

		if (len > size - at)
			len = size - at;
		at += len;
		check_count(c->decode(state, pl, len, pcm, PCM_CAP), PCM_CAP);
		if (c->plc)
			check_count(c->plc(state, pcm, 960), PCM_CAP);
		if (c->decode_fec && len)
			check_count(c->decode_fec(state, pl, len, pcm, 960),
				    PCM_CAP);
	}
	if (c->fini)
		c->fini(state);
	free(state);
	return 0;
}
