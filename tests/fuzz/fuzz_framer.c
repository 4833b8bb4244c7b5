/*
 * tests/fuzz/fuzz_framer.c: libFuzzer target for the stream framer. The
 * first byte sets the chunk size bytes arrive in; every framed message is
 * parsed as a stream message, as the TCP/TLS transports will do.
 */
#include <stdint.h>
#include <stdlib.h>

#include "sipline/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(max_align_t) unsigned char mem[32768];
	struct sl_framer f;
	size_t chunk, off = 0, avail;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	sl_framer_reset(&f);
	avail = 0;
	while (off < size) {
		size_t out = 0;
		int rc;

		avail = avail + chunk > size - off ? size - off : avail + chunk;
		rc = sl_framer_feed(&f, (const char *)data + off, avail, NULL,
				    &out);
		if (rc < 0)
			break;
		if (rc == SL_FRAME_NEED_MORE) {
			if (off + avail >= size)
				break;
			continue;
		}
		if (out == 0 || out > avail)
			abort();
		if (rc == SL_FRAME_MESSAGE) {
			struct sl_arena a;
			struct sl_msg m;

			sl_arena_init(&a, mem, sizeof(mem));
			(void)sl_msg_parse(&m, (const char *)data + off, out,
					   &a, NULL, SL_PARSE_STREAM, NULL);
		}
		off += out;
		avail -= out;
		sl_framer_reset(&f);
	}
	return 0;
}
