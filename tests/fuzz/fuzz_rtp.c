/*
 * tests/fuzz/fuzz_rtp.c: libFuzzer harness for the RTP header parser and
 * builder, the RFC 5761 demultiplexing test, the RFC 4733 payload parser
 * and the RFC 3550 receiver statistics (lib/media/rtp.c, tel_event.c,
 * rtcp.c for the report block).
 *
 * Whole input: one RTP packet. Invariants that abort: the parser returns
 * 0 or SL_EPARSE; on success every slice lies inside the input, the
 * header, CSRCs, extension, payload and padding add up to exactly the
 * input, and the fixed header rebuilt with sl__rtp_write_hdr() equals
 * the input's (bar the P/X/CC bits) and parses back to the same fields.
 * A telephone-event payload that parses has event <= 16 and volume <=
 * 63, maps to a digit and back, and writes back to the same 4 bytes
 * (reserved bit cleared).
 * The same bytes read as 10-byte records (seq, RTP timestamp, arrival)
 * drive a receiver source: the received count moves by what update
 * returns (or restarts at 1 on a re-sync), cumulative loss stays in 24
 * bits, jitter stays finite and within 2^31, and report blocks can be
 * made at any point.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/rtp.h"
#include "sipline/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(const uint8_t *p, size_t n, const uint8_t *data,
		   size_t size)
{
	size_t at = (size_t)(p - data);

	if (p < data || at > size || n > size - at)
		abort();
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void check_tel_event(const uint8_t *p, size_t n)
{
	struct sl_tel_event e;
	uint8_t out[4];
	char digit;
	int rc = sl__tel_event_parse(p, n, &e);

	if (rc == SL_EPARSE)
		return;
	if (rc != 0 || e.event > 16 || e.volume > 63 || n < 4)
		abort();
	digit = sl__tel_event_digit(e.event);
	if (digit == (char)-1 || sl__tel_event_code(digit) != e.event)
		abort();
	if (sl__tel_event_write(out, sizeof(out), &e) != 4)
		abort();
	if (out[0] != p[0] || out[1] != (p[1] & 0xbf) || out[2] != p[2] ||
	    out[3] != p[3])
		abort();
}

static void check_packet(const uint8_t *data, size_t size)
{
	struct sl_rtp_hdr h, back;
	uint8_t out[SL_RTP_HDR];
	size_t off, pad;
	int rc = sl__rtp_parse(data, size, &h);

	if (rc == SL_EPARSE)
		return;
	if (rc != 0 || size < SL_RTP_HDR || data[0] >> 6 != 2)
		abort();
	if (h.cc != (data[0] & 0x0f) || h.pt > 127)
		abort();
	off = SL_RTP_HDR + 4u * h.cc;
	if (data[0] & 0x10) {
		if (!h.ext || h.ext != data + off + 4 || h.ext_len % 4)
			abort();
		inside(h.ext, h.ext_len, data, size);
		off += 4 + h.ext_len;
	} else if (h.ext || h.ext_len || h.ext_profile) {
		abort();
	}
	inside(h.payload, h.payload_len, data, size);
	if (h.payload != data + off)
		abort();
	pad = size - off - h.payload_len;
	if ((data[0] & 0x20) ? pad != data[size - 1] : pad != 0)
		abort();
	for (unsigned k = 0; k < h.cc; k++)
		if (h.csrc[k] != rd32(data + SL_RTP_HDR + 4 * k))
			abort();

	if (sl__rtp_write_hdr(out, sizeof(out), h.pt, h.marker, h.seq, h.ts,
			      h.ssrc) != SL_RTP_HDR)
		abort();
	if (out[0] != 0x80 || memcmp(out + 1, data + 1, SL_RTP_HDR - 1))
		abort();
	if (sl__rtp_parse(out, sizeof(out), &back) != 0 ||
	    back.pt != h.pt || back.marker != h.marker ||
	    back.seq != h.seq || back.ts != h.ts || back.ssrc != h.ssrc ||
	    back.payload_len != 0)
		abort();
	check_tel_event(h.payload, h.payload_len);
}

static void check_stats(const uint8_t *data, size_t size)
{
	struct sl_rtp_source s;
	struct sl_rtcp_block b;
	uint64_t now = 0;

	if (size < 10)
		return;
	sl__rtp_source_init(&s, rd32(data), (uint16_t)(data[0] << 8 |
							 data[1]));
	/* At most 1000 records: bounded work per input. */
	for (size_t off = 0; off + 10 <= size && off < 10000; off += 10) {
		const uint8_t *r = data + off;
		uint16_t seq = (uint16_t)(r[0] << 8 | r[1]);
		uint32_t before = s.received;
		int32_t lost;
		int got = sl__rtp_source_update(&s, seq, rd32(r + 2),
						rd32(r + 6));

		/* A re-sync after a restart starts the count again at 1. */
		if ((got != 0 && got != 1) ||
		    (s.received != before + (uint32_t)got &&
		     !(got && s.received == 1)))
			abort();
		lost = sl__rtp_source_lost(&s);
		if (lost > 0x7fffff || lost < -0x800000)
			abort();
		if (!isfinite(s.jitter) || s.jitter < 0 ||
		    s.jitter > 2147483648.0)
			abort();
		if (r[9] & 1) {
			now += (uint64_t)r[8] << 20;
			if (r[9] & 2) {
				s.lsr = rd32(r + 2);
				s.lsr_arrival_us = now;
			}
			sl__rtcp_block_from(&s, now, &b);
			if (b.ssrc != s.ssrc || b.lost != lost ||
			    b.ext_max != sl__rtp_source_ext_max(&s))
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int mux = size >= 2 && data[1] >= 192 && data[1] <= 223;

	if (sl__rtp_is_rtcp(data, size) != mux)
		abort();
	check_packet(data, size);
	check_stats(data, size);
	return 0;
}
