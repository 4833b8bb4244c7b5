/*
 * lib/sip/digest.h: the hash primitives of Digest authentication, shared by
 * lib/sip/digest.c (the RFC 7616 computations) and lib/sip/digest_hash.c
 * (their only link to mbedtls).
 *
 * A struct sl__dhash streams bytes into MD5 or SHA-256 and ends as lowercase
 * hex, the form every Digest value takes (RFC 7616 §3.4.1). Errors are
 * sticky so callers chain updates and look at the result once, and the
 * context is wiped at the end whatever happened, since it may have seen a
 * password.
 *
 * Thread: reentrant; one context per call.
 */
#ifndef SL_SIP_DIGEST_H
#define SL_SIP_DIGEST_H

#include <stddef.h>

#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>

/* Sizes of a binary and a hex digest, for the largest hash supported. */
enum {
	SL__DHASH_MAX = 32,
	SL__DHASH_HEX_MAX = 2 * SL__DHASH_MAX
};

struct sl__dhash {
	int sha256;     /* 1 SHA-256, 0 MD5 */
	int err;        /* 0, or the first error (SL_EFAIL) */
	union {
		mbedtls_md5_context md5;
		mbedtls_sha256_context sha256;
	} u;
};

/** Starts a hash: SHA-256 when @sha256, else MD5. */
void sl__dhash_start(struct sl__dhash *h, int sha256);

/** Adds @n bytes (nothing after an error; @p may be NULL when @n is 0). */
void sl__dhash_update(struct sl__dhash *h, const void *p, size_t n);

/**
 * Ends the hash: writes its lowercase hex form at @hex (32 or 64 chars, no
 * NUL; @hex holds SL__DHASH_HEX_MAX) and wipes the context.
 * Returns the hex length, or SL_EFAIL when mbedtls failed (the context is
 * wiped then too, and @hex is zeroed).
 */
int sl__dhash_finish(struct sl__dhash *h, char *hex);

/** Hex length of a hash: 64 for SHA-256, 32 for MD5. */
static inline size_t sl__dhash_hex_len(int sha256)
{
	return sha256 ? 64 : 32;
}

/** Overwrites @n bytes at @p in a way the compiler may not drop. */
void sl__digest_wipe(void *p, size_t n);

#endif /* SL_SIP_DIGEST_H */
