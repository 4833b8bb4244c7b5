/*
 * lib/sip/digest_hash.c: MD5 and SHA-256 for Digest authentication
 * (RFC 1321, FIPS 180-4; hex encoding of RFC 7616 §3.4.1), through mbedtls.
 *
 * Owns: nothing; a struct sl__dhash lives on its caller's stack.
 * Thread: reentrant.
 * Called by: lib/sip/digest.c only.
 *
 * The only file of lib/sip that includes mbedtls' hash functions, so a port
 * to another crypto library (or to mbedtls 3, whose names drop "_ret") stays
 * in here.
 */
#include <string.h>

#include <mbedtls/platform_util.h>
#include <mbedtls/version.h>

#include "digest.h"
#include "sipline/error.h"

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define md5_starts(c)          mbedtls_md5_starts(c)
#define md5_update(c, p, n)    mbedtls_md5_update(c, p, n)
#define md5_finish(c, o)       mbedtls_md5_finish(c, o)
#define sha256_starts(c)       mbedtls_sha256_starts(c, 0)
#define sha256_update(c, p, n) mbedtls_sha256_update(c, p, n)
#define sha256_finish(c, o)    mbedtls_sha256_finish(c, o)
#else
#define md5_starts(c)          mbedtls_md5_starts_ret(c)
#define md5_update(c, p, n)    mbedtls_md5_update_ret(c, p, n)
#define md5_finish(c, o)       mbedtls_md5_finish_ret(c, o)
#define sha256_starts(c)       mbedtls_sha256_starts_ret(c, 0)
#define sha256_update(c, p, n) mbedtls_sha256_update_ret(c, p, n)
#define sha256_finish(c, o)    mbedtls_sha256_finish_ret(c, o)
#endif

void sl__digest_wipe(void *p, size_t n)
{
	mbedtls_platform_zeroize(p, n);
}

void sl__dhash_start(struct sl__dhash *h, int sha256)
{
	int rc;

	h->sha256 = sha256 != 0;
	h->err = 0;
	if (h->sha256) {
		mbedtls_sha256_init(&h->u.sha256);
		rc = sha256_starts(&h->u.sha256);
	} else {
		mbedtls_md5_init(&h->u.md5);
		rc = md5_starts(&h->u.md5);
	}
	if (rc != 0)
		h->err = SL_EFAIL;
}

void sl__dhash_update(struct sl__dhash *h, const void *p, size_t n)
{
	int rc;

	if (h->err || n == 0)
		return;
	if (h->sha256)
		rc = sha256_update(&h->u.sha256, p, n);
	else
		rc = md5_update(&h->u.md5, p, n);
	if (rc != 0)
		h->err = SL_EFAIL;
}

int sl__dhash_finish(struct sl__dhash *h, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char bin[SL__DHASH_MAX];
	size_t n = h->sha256 ? 32 : 16;
	int rc = h->err;

	if (rc == 0) {
		if (h->sha256)
			rc = sha256_finish(&h->u.sha256, bin) ? SL_EFAIL : 0;
		else
			rc = md5_finish(&h->u.md5, bin) ? SL_EFAIL : 0;
	}
	/* the free functions zeroize the contexts in mbedtls 2.28 and 3 */
	if (h->sha256)
		mbedtls_sha256_free(&h->u.sha256);
	else
		mbedtls_md5_free(&h->u.md5);
	if (rc != 0) {
		memset(hex, 0, 2 * n);
		mbedtls_platform_zeroize(bin, sizeof(bin));
		return rc;
	}
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = digits[bin[i] >> 4];
		hex[2 * i + 1] = digits[bin[i] & 15];
	}
	mbedtls_platform_zeroize(bin, sizeof(bin));
	return (int)(2 * n);
}
