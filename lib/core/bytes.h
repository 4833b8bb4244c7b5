/*
 * lib/core/bytes.h: big-endian (network order) loads and stores, shared
 * by every wire format sipline reads or writes byte by byte - DNS, RTP,
 * RTCP. Bytes are assembled explicitly, so unaligned input and either
 * host byte order are fine.
 *
 * Thread: any (pure functions).
 */
#ifndef SL_CORE_BYTES_H
#define SL_CORE_BYTES_H

#include <stdint.h>

static inline uint16_t sl__get_be16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t sl__get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void sl__put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void sl__put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif /* SL_CORE_BYTES_H */
