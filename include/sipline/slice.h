/*
 * include/sipline/slice.h: a read-only view of bytes owned by someone else.
 *
 * Parsed values are slices of the receive buffer: never NUL-terminated,
 * never written through. The owner of the bytes is the owner of the buffer
 * the slice was cut from.
 *
 * Thread: pure functions; any thread.
 */
#ifndef SIPLINE_SLICE_H
#define SIPLINE_SLICE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct sl_slice - @len bytes at @p; an empty slice may have p == NULL. */
struct sl_slice {
	const char *p;
	size_t len;
};

/** sl_slice_eq() - 1 when @s equals the NUL-terminated @lit byte for byte. */
int sl_slice_eq(struct sl_slice s, const char *lit);

/** sl_slice_ieq() - as sl_slice_eq(), ASCII case-insensitively. */
int sl_slice_ieq(struct sl_slice s, const char *lit);

/** sl_slice_ieq2() - 1 when two slices are equal ASCII case-insensitively. */
int sl_slice_ieq2(struct sl_slice a, struct sl_slice b);

/**
 * sl_slice_copy() - copies @s into @out as a NUL-terminated string.
 * Return: its length, or SL_ENOSPC when @cap < s.len + 1 (nothing written
 * but out[0] = '\0' when cap > 0).
 */
int sl_slice_copy(struct sl_slice s, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_SLICE_H */
