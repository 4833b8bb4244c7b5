/*
 * lib/sip/digest.c: Digest authentication, client side, of
 * sipline/digest.h (RFC 3261 §22.2-22.4, RFC 2617 §3.2, RFC 7616 §3.3-3.5,
 * RFC 8760 §2).
 *
 * Owns: nothing; a struct sl_digest_cache and its entries belong to the
 * caller (the UA keeps one per account).
 * Thread: reentrant; a cache is used by one thread at a time.
 * Called by: lib/ua on 401/407 and when pre-authenticating a request;
 * applications building their own requests.
 *
 * Three layers: reading a challenge into struct chal (every check that can
 * refuse it), answer() that hashes and writes one credentials value, and
 * the cache that keeps a realm's nonce between requests. Values from a
 * decoded challenge still hold their quoted-pair escapes; struct val says
 * so, and every use (hash, compare, copy, write) goes through the unescaped
 * bytes, which are what RFC 7616 §3.4 hashes as unq(value).
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "digest.h"
#include "scan.h"
#include "sipline/digest.h"

#define LOG_MOD "auth"

/* ---- values that may hold quoted-pairs ---- */

struct val {
	struct sl_slice s;
	int esc;        /* 1: s is quoted-string content, escapes as written */
};

static struct val val_of(const char *p, size_t len, int esc)
{
	struct val v = { { p, len }, esc };
	return v;
}

static struct val val_str(const char *s)
{
	return val_of(s, s ? strlen(s) : 0, 0);
}

/* Takes the next unescaped byte at *i; 0 at the end. A '\' with nothing
 * after it stays a literal byte, which cannot come from sl_auth_decode(). */
static int val_next(struct val v, size_t *i, unsigned char *ch)
{
	if (*i >= v.s.len)
		return 0;
	if (v.esc && v.s.p[*i] == '\\' && *i + 1 < v.s.len)
		(*i)++;
	*ch = (unsigned char)v.s.p[(*i)++];
	return 1;
}

/* 1 when the value can be written back in a quoted string that the
 * builder accepts: no control character but HT (a quoted-pair may carry
 * one, and folding inside a challenge value is not worth keeping). */
static int val_clean(struct val v)
{
	unsigned char ch;
	size_t i = 0;

	while (val_next(v, &i, &ch))
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return 0;
	return 1;
}

/* Byte-for-byte equality of the unescaped values. */
static int val_eq(struct val a, struct val b)
{
	unsigned char ca, cb;
	size_t i = 0, j = 0;

	for (;;) {
		int ha = val_next(a, &i, &ca), hb = val_next(b, &j, &cb);

		if (!ha || !hb)
			return ha == hb;
		if (ca != cb)
			return 0;
	}
}

/* Copies the unescaped value to @dst. Return its length or SL_ENOSPC. */
static int val_copy(struct val v, char *dst, size_t cap)
{
	unsigned char ch;
	size_t i = 0, n = 0;

	while (val_next(v, &i, &ch)) {
		if (n == cap)
			return SL_ENOSPC;
		dst[n++] = (char)ch;
	}
	return (int)n;
}

/* Hashes the unescaped value, in runs between escapes. */
static void hash_val(struct sl__dhash *h, struct val v)
{
	size_t i = 0, run = 0;

	if (!v.esc) {
		sl__dhash_update(h, v.s.p, v.s.len);
		return;
	}
	while (i < v.s.len) {
		if (v.s.p[i] == '\\' && i + 1 < v.s.len) {
			sl__dhash_update(h, v.s.p + run, i - run);
			run = i + 1;    /* the escaped byte opens the next run */
			i += 2;
			continue;
		}
		i++;
	}
	sl__dhash_update(h, v.s.p + run, v.s.len - run);
}

static void hash_str(struct sl__dhash *h, const char *s)
{
	sl__dhash_update(h, s, strlen(s));
}

/* ---- output ---- */

struct out {
	char *buf;
	size_t cap;
	size_t len;
	int err;
};

/* Keeps one byte for the NUL; the first shortage is sticky. */
static void put(struct out *o, const char *p, size_t n)
{
	if (o->err)
		return;
	if (o->cap == 0 || n > o->cap - 1 - o->len) {
		o->err = SL_ENOSPC;
		return;
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* A quoted-string with '"' and '\' as quoted-pairs (RFC 3261 §25.1). */
static void put_quoted(struct out *o, struct val v)
{
	unsigned char ch;
	size_t i = 0;

	put(o, "\"", 1);
	while (val_next(v, &i, &ch)) {
		char c = (char)ch;

		if (ch == '"' || ch == '\\')
			put(o, "\\", 1);
		put(o, &c, 1);
	}
	put(o, "\"", 1);
}

static void put_param_quoted(struct out *o, const char *name, struct val v)
{
	put_str(o, ", ");
	put_str(o, name);
	put(o, "=", 1);
	put_quoted(o, v);
}

/* ---- names ---- */

static int alg_is_sess(int alg)
{
	return alg == SL_DIGEST_MD5_SESS || alg == SL_DIGEST_SHA256_SESS;
}

static int alg_is_sha256(int alg)
{
	return alg == SL_DIGEST_SHA256 || alg == SL_DIGEST_SHA256_SESS;
}

int sl_digest_alg_from_name(struct sl_slice name)
{
	if (name.len == 0)
		return SL_DIGEST_MD5;   /* RFC 7616 §3.3: absent means MD5 */
	if (sl_slice_ieq(name, "MD5"))
		return SL_DIGEST_MD5;
	if (sl_slice_ieq(name, "MD5-sess"))
		return SL_DIGEST_MD5_SESS;
	if (sl_slice_ieq(name, "SHA-256"))
		return SL_DIGEST_SHA256;
	if (sl_slice_ieq(name, "SHA-256-sess"))
		return SL_DIGEST_SHA256_SESS;
	return SL_EUNSUPP;
}

const char *sl_digest_alg_name(enum sl_digest_alg alg)
{
	switch (alg) {
	case SL_DIGEST_MD5:
		return "MD5";
	case SL_DIGEST_MD5_SESS:
		return "MD5-sess";
	case SL_DIGEST_SHA256:
		return "SHA-256";
	case SL_DIGEST_SHA256_SESS:
		return "SHA-256-sess";
	}
	return "";
}

static const char *qop_name(int qop)
{
	return qop == SL_DIGEST_QOP_AUTH_INT ? "auth-int" : "auth";
}

int sl_digest_qop_choose(struct sl_slice qop)
{
	struct sl_cur c = sl__cur(qop);
	int auth = 0, auth_int = 0, elements = 0;

	/* qop-options = "qop" EQUAL LDQUOT qop-value *("," qop-value) RDQUOT
	 * (RFC 3261 §25.1); empty elements are tolerated */
	while (!sl__eof(&c)) {
		const char *s;
		struct sl_slice v;

		sl__skip_ws(&c);
		s = c.p;
		while (c.p < c.end && *c.p != ',')
			c.p++;
		v = sl__trim(sl__slice(s, c.p));
		if (c.p < c.end)
			c.p++;
		if (v.len == 0)
			continue;
		elements++;
		if (sl_slice_ieq(v, "auth"))
			auth = 1;
		else if (sl_slice_ieq(v, "auth-int"))
			auth_int = 1;
	}
	if (elements == 0)
		return SL_DIGEST_QOP_NONE;
	/* auth is preferred: auth-int would hash the body of every request */
	if (auth)
		return SL_DIGEST_QOP_AUTH;
	if (auth_int)
		return SL_DIGEST_QOP_AUTH_INT;
	return SL_EUNSUPP;
}

const char *sl_digest_header_name(unsigned flags)
{
	return (flags & SL_DIGEST_PROXY) ? "Proxy-Authorization" :
					   "Authorization";
}

/* ---- reading a challenge ---- */

struct chal {
	struct val realm;
	struct val nonce;
	struct val opaque;
	int has_opaque;
	int alg;        /* enum sl_digest_alg */
	int qop;        /* enum sl_digest_qop */
	int userhash;
};

static int chal_read(const struct sl_auth *a, struct chal *ch)
{
	int rc;

	if (!sl_slice_ieq(a->scheme, "Digest"))
		return SL_EUNSUPP;
	rc = sl_digest_alg_from_name(a->algorithm);
	if (rc < 0)
		return rc;
	ch->alg = rc;
	rc = sl_digest_qop_choose(a->qop);
	if (rc < 0)
		return rc;
	ch->qop = rc;
	/* H(A1) of a -sess algorithm binds a cnonce, and RFC 2617 §3.2.2
	 * sends a cnonce only along with a qop */
	if (alg_is_sess(ch->alg) && ch->qop == SL_DIGEST_QOP_NONE)
		return SL_EUNSUPP;
	if (!a->realm.p || !a->nonce.p)
		return SL_EPARSE;
	ch->realm = val_of(a->realm.p, a->realm.len, 1);
	ch->nonce = val_of(a->nonce.p, a->nonce.len, 1);
	ch->has_opaque = a->opaque.p != NULL;
	ch->opaque = val_of(a->opaque.p, a->opaque.len, 1);
	if (!val_clean(ch->realm) || !val_clean(ch->nonce) ||
	    !val_clean(ch->opaque))
		return SL_EPARSE;
	/* userhash = "true" / "false" (RFC 7616 §3.3); anything else is
	 * false, as for stale */
	ch->userhash = sl_slice_ieq(a->userhash, "true");
	return 0;
}

/* ---- checking the caller's arguments ---- */

/* Quoted-string text: UTF-8 and HT welcome, other controls refused, so
 * no caller string can end the header line. */
static int text_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return 0;
	}
	return 1;
}

/* No space and no control: the Request-URI as sl_build_request_line()
 * takes it (its own checks decide what else is allowed). */
static int word_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static int args_ok(const struct sl_digest_cred *cred,
		   const struct sl_digest_req *req)
{
	if (!cred || !req || !cred->username || !cred->password ||
	    !req->method || !req->uri)
		return 0;
	if (!*cred->username || !text_ok(cred->username))
		return 0;
	if (cred->realm && !text_ok(cred->realm))
		return 0;
	if (!sl__all_class(val_str(req->method).s, SL_CH_TOKEN))
		return 0;
	if (!*req->uri || !word_ok(req->uri))
		return 0;
	return req->body || req->body_len == 0;
}

/* cnonce: visible ASCII, as struct sl_digest_req promises peers. */
static int cnonce_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* ---- the computation (RFC 7616 §3.4.1-3.4.4, RFC 2617 §3.2.2) ---- */

/* Secrets and intermediate hashes of one answer, wiped as one block. */
struct work {
	char ha1[SL__DHASH_HEX_MAX];
	char ha2[SL__DHASH_HEX_MAX];
	char body[SL__DHASH_HEX_MAX];
	char resp[SL__DHASH_HEX_MAX];
	char user[SL__DHASH_HEX_MAX];
	char nc[8];
	struct sl__dhash h;
};

static void put_nc(char *out, uint32_t nc)
{
	static const char digits[] = "0123456789abcdef";

	/* nc-value = 8LHEX (RFC 2617 §3.2.2) */
	for (int i = 7; i >= 0; i--) {
		out[i] = digits[nc & 15];
		nc >>= 4;
	}
}

static int hashes(const struct chal *ch, const struct sl_digest_cred *cred,
		  const struct sl_digest_req *req, struct val cnonce,
		  struct work *w)
{
	int sha = alg_is_sha256(ch->alg), rc = 0;
	size_t hl = sl__dhash_hex_len(sha);

	/* A1 = unq(username) ":" unq(realm) ":" passwd */
	sl__dhash_start(&w->h, sha);
	hash_str(&w->h, cred->username);
	sl__dhash_update(&w->h, ":", 1);
	hash_val(&w->h, ch->realm);
	sl__dhash_update(&w->h, ":", 1);
	hash_str(&w->h, cred->password);
	rc |= sl__dhash_finish(&w->h, w->ha1);

	/* -sess: A1 = H(...) ":" unq(nonce) ":" unq(cnonce) */
	if (alg_is_sess(ch->alg)) {
		sl__dhash_start(&w->h, sha);
		sl__dhash_update(&w->h, w->ha1, hl);
		sl__dhash_update(&w->h, ":", 1);
		hash_val(&w->h, ch->nonce);
		sl__dhash_update(&w->h, ":", 1);
		hash_val(&w->h, cnonce);
		rc |= sl__dhash_finish(&w->h, w->ha1);
	}

	/* A2 = Method ":" request-uri [ ":" H(entity-body) ] */
	if (ch->qop == SL_DIGEST_QOP_AUTH_INT) {
		sl__dhash_start(&w->h, sha);
		sl__dhash_update(&w->h, req->body, req->body_len);
		rc |= sl__dhash_finish(&w->h, w->body);
	}
	sl__dhash_start(&w->h, sha);
	hash_str(&w->h, req->method);
	sl__dhash_update(&w->h, ":", 1);
	hash_str(&w->h, req->uri);
	if (ch->qop == SL_DIGEST_QOP_AUTH_INT) {
		sl__dhash_update(&w->h, ":", 1);
		sl__dhash_update(&w->h, w->body, hl);
	}
	rc |= sl__dhash_finish(&w->h, w->ha2);

	/* response = KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" qop
	 * ":" H(A2)), or KD(H(A1), unq(nonce) ":" H(A2)) without a qop */
	sl__dhash_start(&w->h, sha);
	sl__dhash_update(&w->h, w->ha1, hl);
	sl__dhash_update(&w->h, ":", 1);
	hash_val(&w->h, ch->nonce);
	sl__dhash_update(&w->h, ":", 1);
	if (ch->qop != SL_DIGEST_QOP_NONE) {
		sl__dhash_update(&w->h, w->nc, sizeof(w->nc));
		sl__dhash_update(&w->h, ":", 1);
		hash_val(&w->h, cnonce);
		sl__dhash_update(&w->h, ":", 1);
		hash_str(&w->h, qop_name(ch->qop));
		sl__dhash_update(&w->h, ":", 1);
	}
	sl__dhash_update(&w->h, w->ha2, hl);
	rc |= sl__dhash_finish(&w->h, w->resp);

	/* RFC 7616 §3.4.4: username = H(unq(username) ":" unq(realm)),
	 * computed after the rest, which hashes the plain name */
	if (ch->userhash) {
		sl__dhash_start(&w->h, sha);
		hash_str(&w->h, cred->username);
		sl__dhash_update(&w->h, ":", 1);
		hash_val(&w->h, ch->realm);
		rc |= sl__dhash_finish(&w->h, w->user);
	}
	/* each finish returns a positive length or SL_EFAIL */
	return rc < 0 ? SL_EFAIL : 0;
}

static void write_value(const struct chal *ch, const struct work *w,
			const struct sl_digest_cred *cred,
			const struct sl_digest_req *req, struct val cnonce,
			struct out *o)
{
	size_t hl = sl__dhash_hex_len(alg_is_sha256(ch->alg));

	/* the order of the RFC 3261 §22.4 example; quoted exactly where
	 * RFC 7616 §3.4 quotes */
	put_str(o, "Digest username=");
	if (ch->userhash)
		put_quoted(o, val_of(w->user, hl, 0));
	else
		put_quoted(o, val_str(cred->username));
	put_param_quoted(o, "realm", ch->realm);
	put_param_quoted(o, "nonce", ch->nonce);
	put_param_quoted(o, "uri", val_str(req->uri));
	put_param_quoted(o, "response", val_of(w->resp, hl, 0));
	put_str(o, ", algorithm=");
	put_str(o, sl_digest_alg_name((enum sl_digest_alg)ch->alg));
	if (ch->qop != SL_DIGEST_QOP_NONE)
		put_param_quoted(o, "cnonce", cnonce);
	if (ch->has_opaque)
		put_param_quoted(o, "opaque", ch->opaque);
	if (ch->qop != SL_DIGEST_QOP_NONE) {
		put_str(o, ", qop=");
		put_str(o, qop_name(ch->qop));
		put_str(o, ", nc=");
		put(o, w->nc, sizeof(w->nc));
	}
	if (ch->userhash)
		put_str(o, ", userhash=true");
}

/* Hashes and writes one credentials value. @nc and @cnonce matter only
 * when a qop was chosen. */
static int answer(const struct chal *ch, const struct sl_digest_cred *cred,
		  const struct sl_digest_req *req, uint32_t nc,
		  struct val cnonce, char *out, size_t cap)
{
	struct out o = { out, cap, 0, 0 };
	struct work w;
	int rc;

	if (cred->realm && *cred->realm &&
	    !val_eq(ch->realm, val_str(cred->realm)))
		return SL_ENOTFOUND;
	put_nc(w.nc, nc);
	rc = hashes(ch, cred, req, cnonce, &w);
	if (rc == 0) {
		write_value(ch, &w, cred, req, cnonce, &o);
		rc = o.err;
	}
	sl__digest_wipe(&w, sizeof(w));
	if (rc < 0)
		return rc;
	out[o.len] = '\0';
	return (int)o.len;
}

int sl_digest_authorize(const struct sl_auth *chal,
			const struct sl_digest_cred *cred,
			const struct sl_digest_req *req, char *out, size_t cap)
{
	struct chal ch;
	int rc;

	if (out && cap)
		out[0] = '\0';
	if (!chal || !out || !args_ok(cred, req))
		return SL_EINVAL;
	rc = chal_read(chal, &ch);
	if (rc < 0)
		return rc;
	if (ch.qop != SL_DIGEST_QOP_NONE &&
	    (req->nc == 0 || !cnonce_ok(req->cnonce)))
		return SL_EINVAL;
	rc = answer(&ch, cred, req, req->nc, val_str(req->cnonce), out, cap);
	if (rc < 0 && cap)
		out[0] = '\0';
	return rc;
}

/* ---- choosing a challenge (RFC 8760 §2.4, RFC 7616 §3.7) ---- */

int sl_digest_choose(const struct sl_auth *chals, size_t n, const char *realm)
{
	int best = SL_EUNSUPP, best_rank = 0, other_realm = 0;

	if ((!chals && n) || n > (size_t)INT32_MAX)
		return SL_EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct chal ch;
		int rank;

		if (chal_read(&chals[i], &ch) < 0)
			continue;
		if (realm && *realm && !val_eq(ch.realm, val_str(realm))) {
			other_realm = 1;
			continue;
		}
		rank = alg_is_sha256(ch.alg) ? 2 : 1;
		/* strictly greater: the first of equals, the server's pick */
		if (rank > best_rank) {
			best_rank = rank;
			best = (int)i;
		}
	}
	if (best < 0 && other_realm)
		return SL_ENOTFOUND;
	return best;
}

/* ---- cnonce ---- */

int sl_digest_make_cnonce(char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char rnd[SL_DIGEST_CNONCE_LEN / 2];
	size_t got = 0;

	if (!out)
		return SL_EINVAL;
	if (cap < SL_DIGEST_CNONCE_LEN + 1) {
		if (cap)
			out[0] = '\0';
		return SL_ENOSPC;
	}
	/* a handful of tries: only a signal can cut a 16-byte read short */
	for (int tries = 0; got < sizeof(rnd) && tries < 8; tries++) {
		ssize_t r = getrandom(rnd + got, sizeof(rnd) - got,
				      GRND_NONBLOCK);

		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		out[0] = '\0';
		return (r < 0 && errno == EAGAIN) ? SL_EAGAIN : SL_EIO;
	}
	if (got < sizeof(rnd)) {
		out[0] = '\0';
		return SL_EIO;
	}
	for (size_t i = 0; i < sizeof(rnd); i++) {
		out[2 * i] = digits[rnd[i] >> 4];
		out[2 * i + 1] = digits[rnd[i] & 15];
	}
	out[SL_DIGEST_CNONCE_LEN] = '\0';
	return SL_DIGEST_CNONCE_LEN;
}

/* ---- the credentials a request carried ---- */

int sl_digest_find_sent(const struct sl_msg *req, const struct sl_auth *chal,
			unsigned flags, struct sl_auth *out)
{
	enum sl_hdr_id id = (flags & SL_DIGEST_PROXY) ?
		SL_HDR_PROXY_AUTHORIZATION : SL_HDR_AUTHORIZATION;
	struct val realm;
	unsigned i, steps = 0;

	if (!req || !chal || !out || (req->n_hdrs && !req->hdrs))
		return SL_EINVAL;
	realm = val_of(chal->realm.p, chal->realm.len, 1);
	/* the chain is bounded by the table size even if it were cyclic */
	for (i = req->first[id]; i < req->n_hdrs && steps < req->n_hdrs;
	     i = req->hdrs[i].next, steps++) {
		if (sl_auth_decode(req->hdrs[i].value, out) < 0 ||
		    !sl_slice_ieq(out->scheme, "Digest"))
			continue;
		if (val_eq(val_of(out->realm.p, out->realm.len, 1), realm))
			return 1;
	}
	memset(out, 0, sizeof(*out));
	return 0;
}

/* ---- the per-realm cache ---- */

static struct val entry_realm(const struct sl_digest_entry *e)
{
	return val_of(e->realm, e->realm_len, 0);
}

static struct val entry_nonce(const struct sl_digest_entry *e)
{
	return val_of(e->nonce, e->nonce_len, 0);
}

static uint32_t cache_tick(struct sl_digest_cache *c)
{
	/* after 2^32 touches the stamps restart; the order is lost once */
	if (++c->clock == 0) {
		for (size_t i = 0; i < c->n_slots; i++)
			c->slots[i].used = 0;
		c->clock = 1;
	}
	return c->clock;
}

static int live_index(const struct sl_digest_cache *c, int idx)
{
	return c && c->slots && idx >= 0 && (size_t)idx < c->n_slots &&
	       c->slots[idx].live;
}

static int find_entry(const struct sl_digest_cache *c, struct val realm,
		      int proxy)
{
	for (size_t i = 0; i < c->n_slots; i++) {
		const struct sl_digest_entry *e = &c->slots[i];

		if (e->live && e->proxy == proxy &&
		    val_eq(entry_realm(e), realm))
			return (int)i;
	}
	return SL_ENOTFOUND;
}

/* A free slot, else the least recently used one. */
static int slot_for_new(const struct sl_digest_cache *c)
{
	size_t lru = 0;

	for (size_t i = 0; i < c->n_slots; i++) {
		if (!c->slots[i].live)
			return (int)i;
		if (c->slots[i].used < c->slots[lru].used)
			lru = i;
	}
	return (int)lru;
}

int sl_digest_cache_init(struct sl_digest_cache *c,
			 struct sl_digest_entry *slots, size_t n)
{
	if (!c || !slots || n == 0 || n > (size_t)INT32_MAX)
		return SL_EINVAL;
	c->slots = slots;
	c->n_slots = n;
	c->clock = 0;
	sl__digest_wipe(slots, n * sizeof(*slots));
	return 0;
}

void sl_digest_cache_clear(struct sl_digest_cache *c)
{
	if (!c || !c->slots)
		return;
	sl__digest_wipe(c->slots, c->n_slots * sizeof(*c->slots));
	c->clock = 0;
}

/* Fills @e (zeroed by the caller) from a challenge; SL_ENOSPC when a value
 * is longer than an entry holds. */
static int entry_from(struct sl_digest_entry *e, const struct chal *ch,
		      int proxy)
{
	int r, n, o;

	r = val_copy(ch->realm, e->realm, sizeof(e->realm));
	n = val_copy(ch->nonce, e->nonce, sizeof(e->nonce));
	o = val_copy(ch->opaque, e->opaque, sizeof(e->opaque));
	if (r < 0 || n < 0 || o < 0)
		return SL_ENOSPC;
	e->realm_len = (uint16_t)r;
	e->nonce_len = (uint16_t)n;
	e->opaque_len = (uint16_t)o;
	e->has_opaque = (uint8_t)ch->has_opaque;
	e->alg = (uint8_t)ch->alg;
	e->qop = (uint8_t)ch->qop;
	e->userhash = (uint8_t)ch->userhash;
	e->proxy = (uint8_t)proxy;
	e->live = 1;
	e->nc = 1;
	return 0;
}

/* Takes the new challenge's parameters into a live entry. The count (and
 * a -sess session cnonce) go on only while the nonce stays the same. */
static void entry_refresh(struct sl_digest_cache *c,
			  struct sl_digest_entry *e,
			  const struct sl_digest_entry *fresh)
{
	int same = val_eq(entry_nonce(e), entry_nonce(fresh));

	if (!same || e->alg != fresh->alg)
		e->cnonce_len = 0;
	if (!same)
		e->nc = 1;
	memcpy(e->nonce, fresh->nonce, fresh->nonce_len);
	e->nonce_len = fresh->nonce_len;
	memcpy(e->opaque, fresh->opaque, fresh->opaque_len);
	e->opaque_len = fresh->opaque_len;
	e->has_opaque = fresh->has_opaque;
	e->alg = fresh->alg;
	e->qop = fresh->qop;
	e->userhash = fresh->userhash;
	e->used = cache_tick(c);
}

static int entry_refused(struct sl_digest_cache *c, int idx, const char *why)
{
	struct sl_digest_entry *e = &c->slots[idx];

	sl_log_debug(LOG_MOD, "realm \"%.*s\": %s", (int)e->realm_len,
		    e->realm, why);
	sl__digest_wipe(e, sizeof(*e));
	return SL_EAUTH;
}

int sl_digest_cache_challenge(struct sl_digest_cache *c,
			      const struct sl_auth *chal, unsigned flags,
			      const struct sl_auth *sent)
{
	int proxy = (flags & SL_DIGEST_PROXY) != 0;
	struct sl_digest_entry fresh, *e;
	struct chal ch;
	int rc, idx;

	if (!c || !c->slots || !chal)
		return SL_EINVAL;
	rc = chal_read(chal, &ch);
	if (rc < 0)
		return rc;
	memset(&fresh, 0, sizeof(fresh));
	rc = entry_from(&fresh, &ch, proxy);
	if (rc < 0)
		return rc;

	/* rule 1: a realm we did not know */
	idx = find_entry(c, ch.realm, proxy);
	if (idx < 0) {
		idx = slot_for_new(c);
		fresh.used = cache_tick(c);
		c->slots[idx] = fresh;
		sl_log_debug(LOG_MOD, "realm \"%.*s\": new nonce",
			     (int)fresh.realm_len, fresh.realm);
		return idx;
	}
	e = &c->slots[idx];

	/* rule 3: the challenged request did not carry our credentials */
	if (!sent || !sl_slice_ieq(sent->scheme, "Digest") ||
	    !val_eq(val_of(sent->realm.p, sent->realm.len, 1), ch.realm)) {
		entry_refresh(c, e, &fresh);
		return idx;
	}

	/* rule 4: right credentials, old nonce */
	if (chal->stale) {
		uint8_t stale = e->stale_count;

		if (stale >= SL_DIGEST_MAX_STALE)
			return entry_refused(c, idx, "every nonce is stale");
		entry_refresh(c, e, &fresh);
		e->stale_count = (uint8_t)(stale + 1);
		sl_log_debug(LOG_MOD, "realm \"%.*s\": stale nonce, retrying",
			     (int)e->realm_len, e->realm);
		return idx;
	}

	/* rule 5: refused without stale */
	if (!val_eq(val_of(sent->nonce.p, sent->nonce.len, 1),
		    entry_nonce(e))) {
		entry_refresh(c, e, &fresh);
		return idx;
	}
	if (e->verified) {
		entry_refresh(c, e, &fresh);
		e->verified = 0;
		sl_log_debug(LOG_MOD, "realm \"%.*s\": nonce expired, retrying",
			     (int)e->realm_len, e->realm);
		return idx;
	}
	return entry_refused(c, idx, "credentials refused");
}

int sl_digest_cache_authorize(struct sl_digest_cache *c, int idx,
			      const struct sl_digest_cred *cred,
			      const struct sl_digest_req *req,
			      char *out, size_t cap)
{
	char made[SL_DIGEST_CNONCE_LEN + 1];
	struct sl_digest_entry *e;
	struct val cnonce = val_of(NULL, 0, 0);
	struct chal ch;
	int rc, keep = 0;

	if (out && cap)
		out[0] = '\0';
	if (!live_index(c, idx) || !out || !args_ok(cred, req))
		return SL_EINVAL;
	e = &c->slots[idx];
	ch.realm = entry_realm(e);
	ch.nonce = entry_nonce(e);
	ch.opaque = val_of(e->opaque, e->opaque_len, 0);
	ch.has_opaque = e->has_opaque;
	ch.alg = e->alg;
	ch.qop = e->qop;
	ch.userhash = e->userhash;

	if (ch.qop != SL_DIGEST_QOP_NONE) {
		if (e->nc == 0)
			return SL_ELIMIT;  /* the count wrapped: 8 hex digits */
		if (alg_is_sess(ch.alg) && e->cnonce_len) {
			cnonce = val_of(e->cnonce, e->cnonce_len, 0);
		} else if (req->cnonce) {
			if (!cnonce_ok(req->cnonce))
				return SL_EINVAL;
			cnonce = val_str(req->cnonce);
		} else {
			rc = sl_digest_make_cnonce(made, sizeof(made));
			if (rc < 0)
				return rc;
			cnonce = val_of(made, (size_t)rc, 0);
		}
		keep = alg_is_sess(ch.alg) && e->cnonce_len == 0;
		if (keep && cnonce.s.len > sizeof(e->cnonce))
			return SL_EINVAL;
	}
	rc = answer(&ch, cred, req, e->nc, cnonce, out, cap);
	if (rc < 0) {
		if (cap)
			out[0] = '\0';
		return rc;
	}
	if (ch.qop != SL_DIGEST_QOP_NONE)
		e->nc++;        /* 0 after 0xffffffff: exhausted */
	if (keep) {
		memcpy(e->cnonce, cnonce.s.p, cnonce.s.len);
		e->cnonce_len = (uint8_t)cnonce.s.len;
	}
	e->used = cache_tick(c);
	return rc;
}

int sl_digest_cache_accepted(struct sl_digest_cache *c, int idx)
{
	if (!live_index(c, idx))
		return SL_EINVAL;
	c->slots[idx].verified = 1;
	c->slots[idx].stale_count = 0;
	c->slots[idx].used = cache_tick(c);
	return 0;
}

int sl_digest_cache_forget(struct sl_digest_cache *c, int idx)
{
	if (!c || !c->slots || idx < 0 || (size_t)idx >= c->n_slots)
		return SL_EINVAL;
	sl__digest_wipe(&c->slots[idx], sizeof(c->slots[idx]));
	return 0;
}

int sl_digest_cache_find(const struct sl_digest_cache *c, const char *realm,
			 unsigned flags)
{
	if (!c || !c->slots || !realm)
		return SL_EINVAL;
	return find_entry(c, val_str(realm), (flags & SL_DIGEST_PROXY) != 0);
}

int sl_digest_cache_next(const struct sl_digest_cache *c, int prev)
{
	if (!c || !c->slots || prev < -1)
		return SL_EINVAL;
	for (size_t i = (size_t)(prev + 1); i < c->n_slots; i++)
		if (c->slots[i].live)
			return (int)i;
	return SL_ENOTFOUND;
}
