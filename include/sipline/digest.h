/*
 * include/sipline/digest.h: Digest authentication, client side
 * (RFC 3261 §22, RFC 2617 §3, RFC 7616 §3, RFC 8760).
 *
 * Pure functions that answer a challenge (a WWW-Authenticate or
 * Proxy-Authenticate value decoded with sl_auth_decode()) with the value of
 * an Authorization or Proxy-Authorization header, plus a small per-realm
 * cache that remembers nonces so later requests can be authenticated
 * without a round trip, and that tells a stale nonce from a wrong password.
 *
 * Supported algorithms: MD5, MD5-sess, SHA-256, SHA-256-sess (names are
 * case-insensitive; a challenge without "algorithm" means MD5). Quality of
 * protection: "auth", "auth-int", or none (RFC 2069 compatibility). The
 * userhash parameter of RFC 7616 §3.4.4 is honoured.
 *
 * Conventions shared by every function here:
 * - A challenge parameter is present when its slice's p is not NULL, even
 *   if it is empty (opaque="" is echoed as opaque=""). Values are read as
 *   sl_auth_decode() leaves them: without quotes, escapes as written; the
 *   hash input is the unescaped value (unq() of RFC 7616 §3.4).
 * - Header values are written to a caller buffer followed by a NUL; the
 *   return value is their length, not counting the NUL.
 * - Nothing is allocated. Passwords, H(A1) and other intermediate hashes
 *   never reach a log, and stack copies of them are wiped before return.
 *
 * Thread: every function is reentrant. A struct sl_digest_cache is used by
 * one thread at a time (the SIP loop in the UA); it belongs to its caller.
 */
#ifndef SIPLINE_DIGEST_H
#define SIPLINE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/error.h"
#include "sipline/slice.h"
#include "sipline/headers.h"
#include "sipline/msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Digest algorithms (RFC 7616 §3.3, RFC 8760 §2.1); 0 is never used. */
enum sl_digest_alg {
	SL_DIGEST_MD5 = 1,
	SL_DIGEST_MD5_SESS,
	SL_DIGEST_SHA256,
	SL_DIGEST_SHA256_SESS
};

/** The quality of protection chosen for a response. */
enum sl_digest_qop {
	SL_DIGEST_QOP_NONE = 0,  /* RFC 2069: no qop, cnonce or nc sent */
	SL_DIGEST_QOP_AUTH,
	SL_DIGEST_QOP_AUTH_INT
};

/** Flags of sl_digest_cache_challenge() and sl_digest_find_sent(). */
enum sl_digest_flags {
	/* The challenge came in Proxy-Authenticate (a 407), so it is
	 * answered in Proxy-Authorization (RFC 3261 §22.3). */
	SL_DIGEST_PROXY = 1u << 0
};

/** Sizes of the strings a cache entry can hold, in bytes (unescaped). */
enum {
	SL_DIGEST_REALM_MAX = 128,
	SL_DIGEST_NONCE_MAX = 192,
	SL_DIGEST_OPAQUE_MAX = 192,
	SL_DIGEST_CNONCE_MAX = 64,
	/* Consecutive stale=true challenges answered before the cache gives
	 * up on a realm: a server that calls every nonce stale must not keep
	 * us sending requests for ever. */
	SL_DIGEST_MAX_STALE = 3,
	/* Length of a cnonce made by sl_digest_make_cnonce(): 128 random
	 * bits as lowercase hex. */
	SL_DIGEST_CNONCE_LEN = 32
};

/**
 * struct sl_digest_cred - whose credentials these are.
 * @username: the user name, UTF-8, not empty; no control character other
 *            than HT. '"' and '\' are fine: they are escaped when written.
 * @password: the password, any bytes up to the NUL (may be empty).
 * @realm:    NULL or "" to answer any realm; else only challenges whose
 *            realm is exactly this string (others get SL_ENOTFOUND), so a
 *            password is never offered to a realm it was not made for.
 *
 * Owner: the caller; only read during a call.
 */
struct sl_digest_cred {
	const char *username;
	const char *password;
	const char *realm;
};

/**
 * struct sl_digest_req - the request being authenticated.
 * @method:   the request's method, a token ("REGISTER", "INVITE"...). For
 *            ACK and CANCEL use the method of the request line itself.
 * @uri:      the digest-uri: the Request-URI exactly as it is sent
 *            (RFC 3261 §22.4); not empty, no space or control character.
 * @body:     the message body, used for qop=auth-int only; NULL when
 *            @body_len is 0. An empty body hashes as H("").
 * @body_len: its length in bytes.
 * @nc:       the nonce count (1 for the first request with a nonce). Used
 *            with a qop only, then it must be non-zero. The cache functions
 *            ignore it and keep their own count.
 * @cnonce:   the client nonce, visible ASCII, not empty; used with a qop
 *            only (see sl_digest_make_cnonce()). The cache functions make
 *            one when this is NULL.
 *
 * Owner: the caller; only read during a call.
 */
struct sl_digest_req {
	const char *method;
	const char *uri;
	const void *body;
	size_t body_len;
	uint32_t nc;
	const char *cnonce;
};

/**
 * sl_digest_alg_from_name() - the algorithm named by a challenge's
 * "algorithm" parameter, ASCII case-insensitively.
 * @name: the parameter's value; an empty slice (absent) means MD5.
 *
 * Return: an enum sl_digest_alg; SL_EUNSUPP for any other name
 * (SHA-512-256 included).
 * Thread: any.
 */
int sl_digest_alg_from_name(struct sl_slice name);

/**
 * sl_digest_alg_name() - the canonical name ("MD5", "MD5-sess", "SHA-256",
 * "SHA-256-sess"), as written in credentials.
 * Return: a static string; "" for a value outside the enum. Never NULL.
 * Thread: any.
 */
const char *sl_digest_alg_name(enum sl_digest_alg alg);

/**
 * sl_digest_qop_choose() - the qop to answer a challenge's "qop" list with:
 * "auth" when it is offered, else "auth-int" when offered, else none. The
 * list is comma separated with optional white space; values are compared
 * case-insensitively and unknown ones ignored.
 * @qop: the challenge's qop value; absent or empty means none offered.
 *
 * Return: an enum sl_digest_qop; SL_EUNSUPP when a list is given but holds
 * neither "auth" nor "auth-int".
 * Thread: any.
 */
int sl_digest_qop_choose(struct sl_slice qop);

/**
 * sl_digest_authorize() - answers one challenge: writes a complete
 * Authorization / Proxy-Authorization header value, e.g.
 *
 *   Digest username="Mufasa", realm="testrealm@host.com",
 *   nonce="dcd98b...", uri="/dir/index.html", response="6629fa...",
 *   algorithm=MD5, cnonce="0a4f113b", opaque="5ccc06...", qop=auth,
 *   nc=00000001
 *
 * on one line, quoting exactly what RFC 7616 §3.4 quotes (algorithm, qop
 * and nc are tokens). "algorithm" is always written, under its canonical
 * name. cnonce, qop and nc are left out when the challenge offers no qop
 * (RFC 2069); opaque appears when the challenge has one; "userhash=true"
 * is added, and the username replaced by H(username ":" realm), when the
 * challenge asks for it (RFC 7616 §3.4.4).
 *
 * @chal: a decoded WWW-Authenticate / Proxy-Authenticate value. It must be
 *        a Digest challenge with a realm and a nonce.
 * @cred: the credentials (see struct sl_digest_cred).
 * @req:  the request (see struct sl_digest_req); @req->nc and @req->cnonce
 *        are used as given.
 * @out:  where the value goes, NUL-terminated.
 * @cap:  size of @out in bytes.
 *
 * Return: the value's length; SL_EINVAL for NULL pointers or a malformed
 * argument (see the structs; nc 0 or no cnonce when a qop is chosen);
 * SL_EUNSUPP for a scheme other than Digest, an unknown algorithm, a qop
 * list without auth or auth-int, or a -sess algorithm without qop (RFC 2617
 * sends a cnonce only along with a qop); SL_EPARSE for a challenge without
 * realm or nonce, or whose realm, nonce or opaque holds a control
 * character; SL_ENOTFOUND when @cred->realm restricts the credentials to
 * another realm; SL_ENOSPC when @cap is too small (then out[0] is '\0'
 * when @cap > 0); SL_EFAIL when the hash library fails.
 * Thread: any.
 */
int sl_digest_authorize(const struct sl_auth *chal,
			const struct sl_digest_cred *cred,
			const struct sl_digest_req *req, char *out, size_t cap);

/**
 * sl_digest_choose() - picks the challenge to answer among several, e.g.
 * the WWW-Authenticate values of one 401.
 * @chals: the decoded challenges, in the order of the message.
 * @n:     their count.
 * @realm: NULL or "" for any realm; else only challenges for this realm.
 *
 * Only Digest challenges that sl_digest_authorize() can answer count. The
 * strongest algorithm wins (SHA-256 and SHA-256-sess over MD5 and
 * MD5-sess), so a downgrade to MD5 needs the server to offer nothing
 * else; between equals the first one listed, since a server lists its
 * challenges in order of preference (multiple challenges: RFC 8760 §2.4,
 * RFC 7616 §3.7).
 *
 * A response may carry challenges for several realms (one per proxy of a
 * forked request, RFC 3261 §22.3); call once per realm to answer each.
 *
 * Return: the index of the chosen challenge; SL_EINVAL when @chals is NULL
 * and @n is not 0, or @n exceeds INT32_MAX; SL_ENOTFOUND when answerable challenges exist but none
 * for @realm; SL_EUNSUPP when none can be answered at all.
 * Thread: any.
 */
int sl_digest_choose(const struct sl_auth *chals, size_t n, const char *realm);

/**
 * sl_digest_make_cnonce() - a fresh client nonce: SL_DIGEST_CNONCE_LEN
 * lowercase hex characters from 128 bits of getrandom(), NUL-terminated.
 * @out: at least SL_DIGEST_CNONCE_LEN + 1 bytes.
 * @cap: size of @out.
 *
 * The kernel's pool is asked without blocking, so the SIP loop never waits
 * on it at boot.
 * Return: SL_DIGEST_CNONCE_LEN; SL_EINVAL for NULL @out; SL_ENOSPC when
 * @cap is too small; SL_EAGAIN while the kernel's random pool is not yet
 * initialised; SL_EIO when getrandom() fails otherwise.
 * Thread: any.
 */
int sl_digest_make_cnonce(char *out, size_t cap);

/**
 * sl_digest_header_name() - "Proxy-Authorization" when @flags has
 * SL_DIGEST_PROXY, else "Authorization". Never NULL.
 * Thread: any.
 */
const char *sl_digest_header_name(unsigned flags);

/**
 * sl_digest_find_sent() - the credentials a request carried for the realm
 * of a challenge: what sl_digest_cache_challenge() wants as @sent when
 * that request was challenged.
 * @req:   the parsed request that was challenged (as it was sent).
 * @chal:  the decoded challenge from the 401/407.
 * @flags: SL_DIGEST_PROXY to look in Proxy-Authorization (answering a
 *         Proxy-Authenticate), else Authorization.
 * @out:   filled with the decoded credentials when found; slices into
 *         @req's buffer.
 *
 * Realms are compared after unescaping, byte for byte. Values that do not
 * decode or are not Digest are skipped.
 * Return: 1 found; 0 not found; SL_EINVAL for NULL pointers.
 * Thread: any.
 */
int sl_digest_find_sent(const struct sl_msg *req, const struct sl_auth *chal,
			unsigned flags, struct sl_auth *out);

/* ---- per-realm nonce cache ---- */

/**
 * struct sl_digest_entry - what the cache knows about one realm. The
 * caller provides an array of them; fields may be read (for logging: the
 * realm and nonce are not secrets) but only sl_digest_cache_* writes them.
 * Strings are stored unescaped and without a NUL.
 */
struct sl_digest_entry {
	char realm[SL_DIGEST_REALM_MAX];
	char nonce[SL_DIGEST_NONCE_MAX];
	char opaque[SL_DIGEST_OPAQUE_MAX];
	char cnonce[SL_DIGEST_CNONCE_MAX]; /* -sess session cnonce */
	uint16_t realm_len;
	uint16_t nonce_len;
	uint16_t opaque_len;
	uint8_t cnonce_len;       /* 0 until the first -sess answer */
	uint8_t live;             /* 1 when the slot holds a realm */
	uint8_t proxy;            /* answered in Proxy-Authorization */
	uint8_t alg;              /* enum sl_digest_alg */
	uint8_t qop;              /* enum sl_digest_qop chosen */
	uint8_t userhash;         /* the server asked for userhash */
	uint8_t has_opaque;       /* echo opaque (maybe empty) */
	uint8_t verified;         /* a request with these creds was accepted */
	uint8_t stale_count;      /* stale=true in a row, see MAX_STALE */
	uint32_t nc;              /* next nonce count to send, from 1 */
	uint32_t used;            /* LRU stamp */
};

/**
 * struct sl_digest_cache - a fixed set of realms with their nonces, for
 * one set of credentials (one account). Entries are keyed by (realm,
 * proxy): a registrar and a proxy with the same realm are two entries.
 * When every slot is taken, a new realm replaces the least recently used.
 *
 * Rules (RFC 2617 §3.2.1-3.2.3, RFC 7616 §3.4-3.5, RFC 3261 §22.2-22.3):
 * 1. A challenge for an unknown realm is recorded; its nonce gets nc 1.
 * 2. Each sl_digest_cache_authorize() answers with the entry's nonce and
 *    the next nc, so an entry also pre-authenticates new requests to its
 *    realm without waiting for a 401/407.
 * 3. When the challenged request carried no credentials for the realm
 *    (@sent NULL), the challenge just refreshes the entry: never an
 *    authentication failure. The count continues when the nonce is the
 *    one already cached.
 * 4. stale=true: the server accepted the digest but not the nonce. The
 *    new nonce replaces the old one, nc restarts at 1, and the caller
 *    retries with the same credentials. More than SL_DIGEST_MAX_STALE in a
 *    row (without a success in between) is SL_EAUTH.
 * 5. stale=false after we answered: when the credentials that were
 *    refused carried an older nonce than the cached one, only the nonce
 *    is refreshed (another request had moved on). When they carried the
 *    cached nonce: if credentials for this realm were accepted before
 *    (sl_digest_cache_accepted()), the server most likely expired the
 *    nonce without saying stale, so one retry with the new nonce is
 *    allowed; otherwise the password is wrong: the entry is dropped and
 *    SL_EAUTH returned, instead of looping on 401s.
 * So the UA must call sl_digest_cache_accepted() whenever a request that
 * carried an entry's credentials gets a final response other than 401 or
 * 407; without it, rule 5 reports SL_EAUTH at the first nonce expiry
 * that the server does not flag as stale.
 */
struct sl_digest_cache {
	struct sl_digest_entry *slots;
	size_t n_slots;
	uint32_t clock;           /* last LRU stamp handed out */
};

/**
 * sl_digest_cache_init() - lays a cache over @slots, all empty.
 * @c:     the cache, overwritten.
 * @slots: @n entries owned by the caller; they must outlive the cache.
 * @n:     at least 1.
 * Return: 0; SL_EINVAL for NULL pointers, @n 0 or above INT32_MAX.
 * Thread: any.
 */
int sl_digest_cache_init(struct sl_digest_cache *c,
			 struct sl_digest_entry *slots, size_t n);

/**
 * sl_digest_cache_clear() - forgets every realm (for example after the
 * account's credentials change). NULL is ignored.
 * Thread: the cache's thread.
 */
void sl_digest_cache_clear(struct sl_digest_cache *c);

/**
 * sl_digest_cache_challenge() - records a challenge from a 401/407 (pick
 * it with sl_digest_choose() first) and decides, by the rules of struct
 * sl_digest_cache, whether to retry.
 * @c:     the cache.
 * @chal:  the decoded challenge.
 * @flags: SL_DIGEST_PROXY for a Proxy-Authenticate.
 * @sent:  the credentials for this realm that the challenged request
 *         carried (sl_digest_find_sent()), or NULL when it carried none.
 *         One for another realm counts as none.
 *
 * On any error the cache is left as it was, except for SL_EAUTH.
 * Return: the entry's index (>= 0): retry the request with
 * sl_digest_cache_authorize(); SL_EAUTH when the credentials were refused
 * (the entry is dropped: report the failure, do not retry); SL_EINVAL for
 * NULL pointers; SL_EUNSUPP, SL_EPARSE as sl_digest_authorize() for a
 * challenge it could not answer; SL_ENOSPC when the realm, nonce or opaque
 * is longer than an entry holds.
 * Thread: the cache's thread.
 */
int sl_digest_cache_challenge(struct sl_digest_cache *c,
			      const struct sl_auth *chal, unsigned flags,
			      const struct sl_auth *sent);

/**
 * sl_digest_cache_authorize() - sl_digest_authorize() with a cached
 * entry's realm, nonce, opaque, algorithm and qop, and its next nonce
 * count, which then advances.
 * @c:    the cache.
 * @idx:  an entry index from sl_digest_cache_challenge(),
 *        sl_digest_cache_find() or sl_digest_cache_next().
 * @cred: the credentials.
 * @req:  the request; @req->nc is ignored. @req->cnonce is used when not
 *        NULL, else a fresh one is made. For the -sess algorithms the
 *        cnonce of the first answer to a nonce is kept and reused for
 *        every later request with that nonce, since H(A1) binds it
 *        (RFC 2617 §3.2.2.2).
 * @out, @cap: as sl_digest_authorize().
 *
 * The header to write it in is sl_digest_header_name() of the entry's
 * proxy flag (SL_DIGEST_PROXY when c->slots[idx].proxy).
 * Return: the value's length; SL_EINVAL for NULL pointers, an index that
 * is out of range or not live, or a bad argument; SL_ENOTFOUND when
 * @cred->realm is another realm; SL_ENOSPC; SL_ELIMIT when the nonce count
 * is exhausted (2^32 - 1 requests: wait for a new challenge); SL_EAGAIN or
 * SL_EIO from sl_digest_make_cnonce(); SL_EFAIL when hashing fails.
 * Nothing changes in the entry on error.
 * Thread: the cache's thread.
 */
int sl_digest_cache_authorize(struct sl_digest_cache *c, int idx,
			      const struct sl_digest_cred *cred,
			      const struct sl_digest_req *req,
			      char *out, size_t cap);

/**
 * sl_digest_cache_accepted() - a request carrying entry @idx's
 * credentials got a final response other than 401/407: the credentials
 * are good (rule 5) and the stale count restarts.
 * Return: 0; SL_EINVAL for NULL, an index out of range or not live.
 * Thread: the cache's thread.
 */
int sl_digest_cache_accepted(struct sl_digest_cache *c, int idx);

/**
 * sl_digest_cache_forget() - drops entry @idx.
 * Return: 0; SL_EINVAL for NULL or an index out of range.
 * Thread: the cache's thread.
 */
int sl_digest_cache_forget(struct sl_digest_cache *c, int idx);

/**
 * sl_digest_cache_find() - the entry for a realm.
 * @realm: the realm, unescaped (as struct sl_digest_entry stores it).
 * @flags: SL_DIGEST_PROXY for the Proxy-Authorization entry.
 * Return: its index; SL_ENOTFOUND; SL_EINVAL for NULL pointers.
 * Thread: the cache's thread.
 */
int sl_digest_cache_find(const struct sl_digest_cache *c, const char *realm,
			 unsigned flags);

/**
 * sl_digest_cache_next() - iterates over live entries, e.g. to
 * pre-authenticate a new request for every realm of the account:
 *
 *	for (i = sl_digest_cache_next(c, -1); i >= 0;
 *	     i = sl_digest_cache_next(c, i))
 *
 * @prev: the previous index, or -1 to start.
 * Return: the next live index after @prev; SL_ENOTFOUND at the end;
 * SL_EINVAL for NULL.
 * Thread: the cache's thread.
 */
int sl_digest_cache_next(const struct sl_digest_cache *c, int prev);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_DIGEST_H */
