/*
 * tests/unit/check_sip_digest.c: Digest authentication, client side
 * (lib/sip/digest.c, lib/sip/digest_hash.c; sipline/digest.h).
 *
 * Responses are checked against the examples of RFC 2617 §3.5 and
 * RFC 7616 §3.9.1, and against vectors computed once, independently, with
 * Python's hashlib (the script is quoted next to the table). Every
 * expected value is the complete header value, byte for byte, and is also
 * decoded back with sl_auth_decode() to check each field.
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sipline/digest.h"
#include "sipline/error.h"
#include "sipline/headers.h"
#include "sipline/msg.h"

#define N_(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct sl_slice S(const char *text)
{
	struct sl_slice s = { text, text ? strlen(text) : 0 };
	return s;
}

static void decode(const char *text, struct sl_auth *a)
{
	int rc = sl_auth_decode(S(text), a);

	ck_assert_msg(rc == 0, "sl_auth_decode(%s) = %s", text,
		      sl_err_name(rc));
}

/* The unescaped text of a quoted-string's content (quoted-pairs undone). */
static const char *unq(struct sl_slice s, char *buf, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < s.len && n + 1 < cap; i++) {
		if (s.p[i] == '\\' && i + 1 < s.len)
			i++;
		buf[n++] = s.p[i];
	}
	buf[n] = '\0';
	return buf;
}

static void ck_unq(struct sl_slice got, const char *want, const char *what,
		   const char *ref)
{
	char buf[512];

	if (!want) {
		ck_assert_msg(got.p == NULL, "%s: %s should be absent", ref,
			      what);
		return;
	}
	ck_assert_msg(got.p != NULL, "%s: %s is absent", ref, what);
	ck_assert_msg(strcmp(unq(got, buf, sizeof(buf)), want) == 0,
		      "%s: %s is \"%s\", want \"%s\"", ref, what, buf, want);
}

/* ------------------------------------------------------------ vectors */

struct vec {
	const char *ref;
	const char *chal;       /* the WWW-Authenticate value */
	const char *user;
	const char *pass;
	const char *method;
	const char *uri;
	const char *body;       /* NULL: none */
	uint32_t nc;
	const char *cnonce;
	const char *response;   /* expected response */
	const char *want;       /* the complete expected header value */
};

/*
 * Vectors marked "hashlib" were computed with this Python 3 script (run
 * once; nothing here calls it):
 *
 *   import hashlib
 *   def H(a, s):
 *       return hashlib.new(a, s if isinstance(s, bytes)
 *                          else s.encode()).hexdigest()
 *   def resp(a, user, realm, pw, method, uri, nonce, nc, cnonce, qop,
 *            sess=False, body=b""):
 *       ha1 = H(a, f"{user}:{realm}:{pw}")
 *       if sess: ha1 = H(a, f"{ha1}:{nonce}:{cnonce}")
 *       ha2 = (H(a, f"{method}:{uri}:{H(a, body)}") if qop == "auth-int"
 *              else H(a, f"{method}:{uri}"))
 *       if qop: return H(a, f"{ha1}:{nonce}:{nc:08x}:{cnonce}:{qop}:{ha2}")
 *       return H(a, f"{ha1}:{nonce}:{ha2}")
 *
 * with a = "md5" or "sha256" and the arguments of each row; userhash rows
 * also print H(a, f"{user}:{realm}").
 */
#define SDP "v=0\r\no=alice 2890844526 2890844526 IN IP4 192.0.2.1\r\n" \
	"s=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0\r\n"

#define RFC7616_CHAL(alg) \
	"Digest\r\n    realm=\"http-auth@example.org\",\r\n" \
	"    qop=\"auth, auth-int\",\r\n    algorithm=" alg ",\r\n" \
	"    nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\",\r\n" \
	"    opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

static const struct vec vecs[] = {
	{ "RFC 2617 §3.5",
	  "Digest\r\n realm=\"testrealm@host.com\",\r\n"
	  " qop=\"auth,auth-int\",\r\n"
	  " nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n"
	  " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
	  "Mufasa", "Circle Of Life", "GET", "/dir/index.html", NULL, 1,
	  "0a4f113b", "6629fae49393a05397450978507c4ef1",
	  "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	  "uri=\"/dir/index.html\", "
	  "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, "
	  "cnonce=\"0a4f113b\", "
	  "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, "
	  "nc=00000001" },
	{ "RFC 7616 §3.9.1 SHA-256",
	  RFC7616_CHAL("SHA-256"),
	  "Mufasa", "Circle of Life", "GET", "/dir/index.html", NULL, 1,
	  RFC7616_CNONCE,
	  "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	  "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "uri=\"/dir/index.html\", response=\"753927fa0e85d155564e2e272a2"
	  "8d1802ca10daf4496794697cf8db5856cb6c1\", algorithm=SHA-256, "
	  "cnonce=\"" RFC7616_CNONCE "\", "
	  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", "
	  "qop=auth, nc=00000001" },
	{ "RFC 7616 §3.9.1 MD5",
	  RFC7616_CHAL("MD5"),
	  "Mufasa", "Circle of Life", "GET", "/dir/index.html", NULL, 1,
	  RFC7616_CNONCE, "8ca523f5e9506fed4657c9700eebdbec",
	  "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "uri=\"/dir/index.html\", "
	  "response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, "
	  "cnonce=\"" RFC7616_CNONCE "\", "
	  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", "
	  "qop=auth, nc=00000001" },
	/* hashlib: resp("md5", "alice", "atlanta.example.com", "zanzibar",
	 * "REGISTER", "sip:atlanta.example.com",
	 * "ea9c8e88df84f1cec4341ae6cbe5a359", 1, "0a4f113b", "auth", True) */
	{ "hashlib MD5-sess",
	  "Digest realm=\"atlanta.example.com\", algorithm=MD5-sess, "
	  "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", qop=\"auth\"",
	  "alice", "zanzibar", "REGISTER", "sip:atlanta.example.com", NULL, 1,
	  "0a4f113b", "0d6d0fb03ce6ca1c415791733c9b995b",
	  "Digest username=\"alice\", realm=\"atlanta.example.com\", "
	  "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", "
	  "uri=\"sip:atlanta.example.com\", "
	  "response=\"0d6d0fb03ce6ca1c415791733c9b995b\", "
	  "algorithm=MD5-sess, cnonce=\"0a4f113b\", qop=auth, "
	  "nc=00000001" },
	/* hashlib: resp("sha256", "bob", "biloxi.example.com", "secret",
	 * "INVITE", "sip:bob@biloxi.example.com",
	 * "dcd98b7102dd2f0e8b11d0f600bfb0c093", 2, "a1b2c3d4e5", "auth",
	 * True); the algorithm name in odd case */
	{ "hashlib SHA-256-sess",
	  "Digest realm=\"biloxi.example.com\", algorithm=sha-256-SESS, "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", qop=\"auth\"",
	  "bob", "secret", "INVITE", "sip:bob@biloxi.example.com", NULL, 2,
	  "a1b2c3d4e5",
	  "589ccd08b2248b8c72b3f097da52a2b2fb2a48184a722c94a001ba2dfdb6baa6",
	  "Digest username=\"bob\", realm=\"biloxi.example.com\", "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	  "uri=\"sip:bob@biloxi.example.com\", response=\"589ccd08b2248b8c72"
	  "b3f097da52a2b2fb2a48184a722c94a001ba2dfdb6baa6\", "
	  "algorithm=SHA-256-sess, cnonce=\"a1b2c3d4e5\", qop=auth, "
	  "nc=00000002" },
	/* hashlib: resp("md5", "alice", "atlanta.example.com", "zanzibar",
	 * "INVITE", "sip:bob@biloxi.example.com",
	 * "ea9c8e88df84f1cec4341ae6cbe5a359", 1, "0a4f113b", "auth-int",
	 * body=SDP) */
	{ "hashlib MD5 auth-int with a body",
	  "Digest realm=\"atlanta.example.com\", "
	  "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", qop=\"auth-int\"",
	  "alice", "zanzibar", "INVITE", "sip:bob@biloxi.example.com", SDP, 1,
	  "0a4f113b", "e1f32f07ae434bd691ed7d8389f329c6",
	  "Digest username=\"alice\", realm=\"atlanta.example.com\", "
	  "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", "
	  "uri=\"sip:bob@biloxi.example.com\", "
	  "response=\"e1f32f07ae434bd691ed7d8389f329c6\", algorithm=MD5, "
	  "cnonce=\"0a4f113b\", qop=auth-int, nc=00000001" },
	/* hashlib: resp("sha256", "alice", "atlanta.example.com",
	 * "zanzibar", "BYE", "sip:bob@192.0.2.4",
	 * "ea9c8e88df84f1cec4341ae6cbe5a359", 3, "0a4f113b", "auth-int",
	 * body=b"") -- an unknown qop value next to auth-int is ignored */
	{ "hashlib SHA-256 auth-int, empty body",
	  "Digest realm=\"atlanta.example.com\", algorithm=SHA-256, "
	  "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", qop=\"x-foo , "
	  "AUTH-INT\"",
	  "alice", "zanzibar", "BYE", "sip:bob@192.0.2.4", NULL, 3,
	  "0a4f113b",
	  "34a486ee7d5f543471a2ad6456fa84c56dee09ad56ad53b24da4ac59eb15a824",
	  "Digest username=\"alice\", realm=\"atlanta.example.com\", "
	  "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", "
	  "uri=\"sip:bob@192.0.2.4\", response=\"34a486ee7d5f543471a2ad645"
	  "6fa84c56dee09ad56ad53b24da4ac59eb15a824\", algorithm=SHA-256, "
	  "cnonce=\"0a4f113b\", qop=auth-int, nc=00000003" },
	/* hashlib: resp("md5", "bob", "biloxi.com", "zanzibar", "INVITE",
	 * "sip:bob@biloxi.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093", 0, "",
	 * None) -- RFC 2069: no qop, so no cnonce and no nc */
	{ "hashlib RFC 2069 (no qop)",
	  "Digest realm=\"biloxi.com\", "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"",
	  "bob", "zanzibar", "INVITE", "sip:bob@biloxi.com", NULL, 0, NULL,
	  "bf57e4e0d0bffc0fbaedce64d59add5e",
	  "Digest username=\"bob\", realm=\"biloxi.com\", "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	  "uri=\"sip:bob@biloxi.com\", "
	  "response=\"bf57e4e0d0bffc0fbaedce64d59add5e\", algorithm=MD5" },
	/* RFC 7616 §3.4.4: H(A1) uses the plain name, so the response is
	 * the §3.9.1 one; the username is hashlib
	 * H("sha256", "Mufasa:http-auth@example.org") */
	{ "RFC 7616 §3.4.4 userhash, SHA-256",
	  "Digest realm=\"http-auth@example.org\", qop=\"auth\", "
	  "algorithm=SHA-256, "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "userhash=true",
	  "Mufasa", "Circle of Life", "GET", "/dir/index.html", NULL, 1,
	  RFC7616_CNONCE,
	  "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	  "Digest username=\"a947aad205e80e429958a387394944c6b496301e79f89d"
	  "35a4cc23b6ee12b5b6\", realm=\"http-auth@example.org\", "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "uri=\"/dir/index.html\", response=\"753927fa0e85d155564e2e272a2"
	  "8d1802ca10daf4496794697cf8db5856cb6c1\", algorithm=SHA-256, "
	  "cnonce=\"" RFC7616_CNONCE "\", qop=auth, nc=00000001, "
	  "userhash=true" },
	/* username: hashlib H("md5", "Mufasa:http-auth@example.org") */
	{ "RFC 7616 §3.4.4 userhash, MD5",
	  "Digest realm=\"http-auth@example.org\", qop=\"auth\", "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "userhash=\"TRUE\"",
	  "Mufasa", "Circle of Life", "GET", "/dir/index.html", NULL, 1,
	  RFC7616_CNONCE, "8ca523f5e9506fed4657c9700eebdbec",
	  "Digest username=\"4238f3a16167373febb9bc4d43db9cc4\", "
	  "realm=\"http-auth@example.org\", "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "uri=\"/dir/index.html\", "
	  "response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, "
	  "cnonce=\"" RFC7616_CNONCE "\", qop=auth, nc=00000001, "
	  "userhash=true" },
	/* hashlib: resp("md5", 'a"b\\c', 'r"x', "pw", "OPTIONS",
	 * "sip:r.example", 'n\\o"nce', 0x1a2b, 'c"n', "auth"): hashes see
	 * the unescaped text, the value escapes '"' and '\' again */
	{ "hashlib quoted-pairs everywhere",
	  "Digest realm=\"r\\\"x\", nonce=\"n\\\\o\\\"nce\", qop=auth, "
	  "userhash=false",
	  "a\"b\\c", "pw", "OPTIONS", "sip:r.example", NULL, 0x1a2b, "c\"n",
	  "78e62a92e7dcbef2d6fa2c3256bd73df",
	  "Digest username=\"a\\\"b\\\\c\", realm=\"r\\\"x\", "
	  "nonce=\"n\\\\o\\\"nce\", uri=\"sip:r.example\", "
	  "response=\"78e62a92e7dcbef2d6fa2c3256bd73df\", algorithm=MD5, "
	  "cnonce=\"c\\\"n\", qop=auth, nc=00001a2b" },
	/* hashlib: resp("md5", "bob", "biloxi.com", "zanzibar", "REGISTER",
	 * "sip:biloxi.com", "abc123", 1, "deadbeef", "auth") -- tokens
	 * where quoted strings belong (seen from old servers), and an
	 * empty opaque that must be echoed */
	{ "hashlib token values, empty opaque",
	  "DIGEST realm=biloxi.com, nonce=abc123, algorithm=md5, qop=auth, "
	  "opaque=\"\"",
	  "bob", "zanzibar", "REGISTER", "sip:biloxi.com", NULL, 1,
	  "deadbeef", "1af323d341d2d606a7ac599a4132f2a7",
	  "Digest username=\"bob\", realm=\"biloxi.com\", nonce=\"abc123\", "
	  "uri=\"sip:biloxi.com\", "
	  "response=\"1af323d341d2d606a7ac599a4132f2a7\", algorithm=MD5, "
	  "cnonce=\"deadbeef\", opaque=\"\", qop=auth, nc=00000001" },
};

static void fill_req(struct sl_digest_req *r, const struct vec *v)
{
	memset(r, 0, sizeof(*r));
	r->method = v->method;
	r->uri = v->uri;
	r->body = v->body;
	r->body_len = v->body ? strlen(v->body) : 0;
	r->nc = v->nc;
	r->cnonce = v->cnonce;
}

START_TEST(vector_exact)
{
	const struct vec *v = &vecs[_i];
	struct sl_digest_cred cred = { v->user, v->pass, NULL };
	struct sl_digest_req req;
	struct sl_auth chal;
	char out[1024];
	int n;

	decode(v->chal, &chal);
	fill_req(&req, v);
	n = sl_digest_authorize(&chal, &cred, &req, out, sizeof(out));
	ck_assert_msg(n >= 0, "%s: %s", v->ref, sl_err_name(n));
	ck_assert_msg(strcmp(out, v->want) == 0, "%s:\n got %s\nwant %s",
		      v->ref, out, v->want);
	ck_assert_int_eq(n, (int)strlen(v->want));
}
END_TEST

/* The value decodes back with the same fields. */
START_TEST(vector_round_trip)
{
	const struct vec *v = &vecs[_i];
	struct sl_digest_cred cred = { v->user, v->pass, NULL };
	struct sl_digest_req req;
	struct sl_auth chal, got;
	char out[1024], realm[256], nonce[256], opaque[256], nc[16];
	int qop;

	decode(v->chal, &chal);
	fill_req(&req, v);
	ck_assert_int_ge(sl_digest_authorize(&chal, &cred, &req, out,
					     sizeof(out)), 0);
	decode(out, &got);
	ck_assert_msg(sl_slice_eq(got.scheme, "Digest"), "%s", v->ref);
	unq(chal.realm, realm, sizeof(realm));
	unq(chal.nonce, nonce, sizeof(nonce));
	ck_unq(got.realm, realm, "realm", v->ref);
	ck_unq(got.nonce, nonce, "nonce", v->ref);
	ck_unq(got.opaque, chal.opaque.p ?
		unq(chal.opaque, opaque, sizeof(opaque)) : NULL, "opaque",
	       v->ref);
	ck_unq(got.uri, v->uri, "uri", v->ref);
	ck_unq(got.response, v->response, "response", v->ref);
	ck_assert_int_eq(sl_digest_alg_from_name(got.algorithm),
			 sl_digest_alg_from_name(chal.algorithm));
	if (!sl_slice_ieq(chal.userhash, "true"))
		ck_unq(got.username, v->user, "username", v->ref);
	else
		ck_assert_msg(sl_slice_eq(got.userhash, "true"), "%s",
			      v->ref);
	qop = sl_digest_qop_choose(chal.qop);
	if (qop == SL_DIGEST_QOP_NONE) {
		ck_unq(got.qop, NULL, "qop", v->ref);
		ck_unq(got.nc, NULL, "nc", v->ref);
		ck_unq(got.cnonce, NULL, "cnonce", v->ref);
		return;
	}
	ck_unq(got.qop, qop == SL_DIGEST_QOP_AUTH ? "auth" : "auth-int",
	       "qop", v->ref);
	snprintf(nc, sizeof(nc), "%08x", (unsigned)v->nc);
	ck_unq(got.nc, nc, "nc", v->ref);
	ck_unq(got.cnonce, v->cnonce, "cnonce", v->ref);
	/* qop, nc and algorithm are tokens, never quoted (RFC 7616 §3.4) */
	ck_assert_ptr_null(strstr(out, "qop=\""));
	ck_assert_ptr_null(strstr(out, "nc=\""));
	ck_assert_ptr_null(strstr(out, "algorithm=\""));
}
END_TEST

/* Any cap short of the value plus its NUL is SL_ENOSPC with nothing
 * written past the end (each buffer is exactly cap bytes on the heap, so
 * ASan sees an overrun), and out[0] is left '\0'. */
START_TEST(vector_every_short_cap)
{
	const struct vec *v = &vecs[_i];
	struct sl_digest_cred cred = { v->user, v->pass, NULL };
	struct sl_digest_req req;
	struct sl_auth chal;
	size_t need = strlen(v->want) + 1;

	decode(v->chal, &chal);
	fill_req(&req, v);
	for (size_t cap = 0; cap <= need; cap++) {
		char *buf = malloc(cap ? cap : 1);
		int rc;

		ck_assert_ptr_nonnull(buf);
		memset(buf, 'x', cap ? cap : 1);
		rc = sl_digest_authorize(&chal, &cred, &req, buf, cap);
		if (cap < need) {
			ck_assert_msg(rc == SL_ENOSPC, "%s cap %zu: %s",
				      v->ref, cap, sl_err_name(rc));
			if (cap)
				ck_assert_int_eq(buf[0], '\0');
		} else {
			ck_assert_int_eq(rc, (int)need - 1);
			ck_assert_str_eq(buf, v->want);
		}
		free(buf);
	}
}
END_TEST

/* ---------------------------------------------------- names and qop */

START_TEST(algorithm_names)
{
	static const struct {
		const char *name;
		int want;
	} t[] = {
		{ "", SL_DIGEST_MD5 },
		{ "MD5", SL_DIGEST_MD5 },
		{ "md5", SL_DIGEST_MD5 },
		{ "MD5-sess", SL_DIGEST_MD5_SESS },
		{ "MD5-SESS", SL_DIGEST_MD5_SESS },
		{ "SHA-256", SL_DIGEST_SHA256 },
		{ "sha-256", SL_DIGEST_SHA256 },
		{ "SHA-256-sess", SL_DIGEST_SHA256_SESS },
		{ "SHA-512-256", SL_EUNSUPP },
		{ "SHA-512-256-sess", SL_EUNSUPP },
		{ "SHA256", SL_EUNSUPP },
		{ "MD5 ", SL_EUNSUPP },
		{ "AKAv1-MD5", SL_EUNSUPP },
	};

	for (int i = 0; i < N_(t); i++)
		ck_assert_msg(sl_digest_alg_from_name(S(t[i].name)) ==
			      t[i].want, "algorithm \"%s\"", t[i].name);
	ck_assert_str_eq(sl_digest_alg_name(SL_DIGEST_MD5), "MD5");
	ck_assert_str_eq(sl_digest_alg_name(SL_DIGEST_MD5_SESS), "MD5-sess");
	ck_assert_str_eq(sl_digest_alg_name(SL_DIGEST_SHA256), "SHA-256");
	ck_assert_str_eq(sl_digest_alg_name(SL_DIGEST_SHA256_SESS),
			 "SHA-256-sess");
	ck_assert_str_eq(sl_digest_alg_name((enum sl_digest_alg)0), "");
	ck_assert_str_eq(sl_digest_alg_name((enum sl_digest_alg)99), "");
	ck_assert_str_eq(sl_digest_header_name(0), "Authorization");
	ck_assert_str_eq(sl_digest_header_name(SL_DIGEST_PROXY),
			 "Proxy-Authorization");
}
END_TEST

START_TEST(qop_choice)
{
	static const struct {
		const char *qop;
		int want;
	} t[] = {
		{ NULL, SL_DIGEST_QOP_NONE },
		{ "", SL_DIGEST_QOP_NONE },
		{ " , ,", SL_DIGEST_QOP_NONE },
		{ "auth", SL_DIGEST_QOP_AUTH },
		{ "auth-int", SL_DIGEST_QOP_AUTH_INT },
		{ "auth,auth-int", SL_DIGEST_QOP_AUTH },
		{ "auth-int, auth", SL_DIGEST_QOP_AUTH },
		{ " AUTH-INT ,\r\n\tx-token", SL_DIGEST_QOP_AUTH_INT },
		{ "Auth", SL_DIGEST_QOP_AUTH },
		{ "x-token", SL_EUNSUPP },
		{ "authx, auth-intx", SL_EUNSUPP },
	};

	for (int i = 0; i < N_(t); i++)
		ck_assert_msg(sl_digest_qop_choose(S(t[i].qop)) == t[i].want,
			      "qop \"%s\"", t[i].qop ? t[i].qop : "(absent)");
}
END_TEST

/* -------------------------------------------------------- refusals */

enum bad {
	BAD_NULL_CHAL, BAD_NULL_CRED, BAD_NULL_REQ, BAD_NULL_OUT,
	BAD_NULL_USER, BAD_EMPTY_USER, BAD_USER_LF, BAD_NULL_PASS,
	BAD_NULL_METHOD, BAD_EMPTY_METHOD, BAD_METHOD_SPACE, BAD_NULL_URI,
	BAD_EMPTY_URI, BAD_URI_CRLF, BAD_URI_SPACE, BAD_BODY_NULL_LEN,
	BAD_NC_ZERO, BAD_NULL_CNONCE, BAD_EMPTY_CNONCE, BAD_CNONCE_SPACE,
	BAD_CNONCE_UTF8, BAD_REALM_CTRL_RESTRICT,
	UNSUPP_SCHEME, UNSUPP_ALG, UNSUPP_SHA512, UNSUPP_QOP, UNSUPP_SESS_NOQOP,
	PARSE_NO_NONCE, PARSE_NO_REALM, PARSE_REALM_CTRL, PARSE_OPAQUE_CTRL,
	NOTFOUND_REALM, N_BAD
};

static const struct {
	const char *chal;   /* NULL: the default */
	int want;
} bad_rows[N_BAD] = {
	[BAD_NULL_CHAL] = { NULL, SL_EINVAL },
	[BAD_NULL_CRED] = { NULL, SL_EINVAL },
	[BAD_NULL_REQ] = { NULL, SL_EINVAL },
	[BAD_NULL_OUT] = { NULL, SL_EINVAL },
	[BAD_NULL_USER] = { NULL, SL_EINVAL },
	[BAD_EMPTY_USER] = { NULL, SL_EINVAL },
	[BAD_USER_LF] = { NULL, SL_EINVAL },
	[BAD_NULL_PASS] = { NULL, SL_EINVAL },
	[BAD_NULL_METHOD] = { NULL, SL_EINVAL },
	[BAD_EMPTY_METHOD] = { NULL, SL_EINVAL },
	[BAD_METHOD_SPACE] = { NULL, SL_EINVAL },
	[BAD_NULL_URI] = { NULL, SL_EINVAL },
	[BAD_EMPTY_URI] = { NULL, SL_EINVAL },
	[BAD_URI_CRLF] = { NULL, SL_EINVAL },
	[BAD_URI_SPACE] = { NULL, SL_EINVAL },
	[BAD_BODY_NULL_LEN] = { NULL, SL_EINVAL },
	[BAD_NC_ZERO] = { NULL, SL_EINVAL },
	[BAD_NULL_CNONCE] = { NULL, SL_EINVAL },
	[BAD_EMPTY_CNONCE] = { NULL, SL_EINVAL },
	[BAD_CNONCE_SPACE] = { NULL, SL_EINVAL },
	[BAD_CNONCE_UTF8] = { NULL, SL_EINVAL },
	[BAD_REALM_CTRL_RESTRICT] = { NULL, SL_EINVAL },
	[UNSUPP_SCHEME] = { "Basic realm=\"x\"", SL_EUNSUPP },
	[UNSUPP_ALG] = { "Digest realm=\"x\", nonce=\"n\", algorithm=SHA-1",
			 SL_EUNSUPP },
	[UNSUPP_SHA512] = { "Digest realm=\"x\", nonce=\"n\", qop=auth, "
			    "algorithm=SHA-512-256", SL_EUNSUPP },
	[UNSUPP_QOP] = { "Digest realm=\"x\", nonce=\"n\", qop=\"x-int\"",
			 SL_EUNSUPP },
	[UNSUPP_SESS_NOQOP] = { "Digest realm=\"x\", nonce=\"n\", "
				"algorithm=MD5-sess", SL_EUNSUPP },
	[PARSE_NO_NONCE] = { "Digest realm=\"x\", qop=auth", SL_EPARSE },
	[PARSE_NO_REALM] = { "Digest nonce=\"n\", qop=auth", SL_EPARSE },
	[PARSE_REALM_CTRL] = { "Digest realm=\"a\\\x01\", nonce=\"n\"",
			       SL_EPARSE },
	[PARSE_OPAQUE_CTRL] = { "Digest realm=\"a\", nonce=\"n\", "
				"opaque=\"\\\x7f\"", SL_EPARSE },
	[NOTFOUND_REALM] = { NULL, SL_ENOTFOUND },
};

START_TEST(refusals)
{
	const char *text = bad_rows[_i].chal ? bad_rows[_i].chal :
		"Digest realm=\"biloxi.com\", nonce=\"abc\", qop=\"auth\"";
	struct sl_digest_cred cred = { "bob", "zanzibar", NULL };
	struct sl_digest_req req = { "REGISTER", "sip:biloxi.com", NULL, 0, 1,
				     "c0ffee" };
	struct sl_digest_cred *pc = &cred;
	struct sl_digest_req *pr = &req;
	struct sl_auth chal, *pa = &chal;
	char out[512], *po = out;
	int rc;

	decode(text, &chal);
	switch ((enum bad)_i) {
	case BAD_NULL_CHAL: pa = NULL; break;
	case BAD_NULL_CRED: pc = NULL; break;
	case BAD_NULL_REQ: pr = NULL; break;
	case BAD_NULL_OUT: po = NULL; break;
	case BAD_NULL_USER: cred.username = NULL; break;
	case BAD_EMPTY_USER: cred.username = ""; break;
	case BAD_USER_LF: cred.username = "bob\r\nX-Evil: 1"; break;
	case BAD_NULL_PASS: cred.password = NULL; break;
	case BAD_NULL_METHOD: req.method = NULL; break;
	case BAD_EMPTY_METHOD: req.method = ""; break;
	case BAD_METHOD_SPACE: req.method = "REG ISTER"; break;
	case BAD_NULL_URI: req.uri = NULL; break;
	case BAD_EMPTY_URI: req.uri = ""; break;
	case BAD_URI_CRLF: req.uri = "sip:a\r\nb"; break;
	case BAD_URI_SPACE: req.uri = "sip:a b"; break;
	case BAD_BODY_NULL_LEN: req.body_len = 3; break;
	case BAD_NC_ZERO: req.nc = 0; break;
	case BAD_NULL_CNONCE: req.cnonce = NULL; break;
	case BAD_EMPTY_CNONCE: req.cnonce = ""; break;
	case BAD_CNONCE_SPACE: req.cnonce = "ab cd"; break;
	case BAD_CNONCE_UTF8: req.cnonce = "ab\xc3\xa9"; break;
	case BAD_REALM_CTRL_RESTRICT: cred.realm = "bil\noxi.com"; break;
	case NOTFOUND_REALM: cred.realm = "atlanta.com"; break;
	default: break;
	}
	memset(out, 'x', sizeof(out));
	rc = sl_digest_authorize(pa, pc, pr, po, sizeof(out));
	ck_assert_msg(rc == bad_rows[_i].want, "row %d: %s, want %s", _i,
		      sl_err_name(rc), sl_err_name(bad_rows[_i].want));
	if (po)
		ck_assert_int_eq(out[0], '\0');
}
END_TEST

/* What RFC 2069 mode does not need is not checked; the realm restriction
 * lets the named realm through. */
START_TEST(lenient_where_harmless)
{
	struct sl_digest_cred cred = { "bob", "", "biloxi.com" };
	struct sl_digest_req req = { "INVITE", "sip:bob@biloxi.com", NULL, 0,
				     0, NULL };
	struct sl_auth chal;
	char out[512];

	decode("Digest realm=\"biloxi.com\", nonce=\"n\", qop=\"\"", &chal);
	ck_assert_int_gt(sl_digest_authorize(&chal, &cred, &req, out,
					     sizeof(out)), 0);
	ck_assert_ptr_null(strstr(out, "cnonce"));
	ck_assert_ptr_null(strstr(out, "nc="));
	/* HT inside a user name is quoted-string text */
	cred.username = "bob\tsmith";
	ck_assert_int_gt(sl_digest_authorize(&chal, &cred, &req, out,
					     sizeof(out)), 0);
	ck_assert_ptr_nonnull(strstr(out, "username=\"bob\tsmith\""));
}
END_TEST

/* ------------------------------------------------ several challenges */

START_TEST(choose_strongest)
{
	static const char *const texts[] = {
		"Basic realm=\"biloxi.com\"",
		"Digest realm=\"biloxi.com\", nonce=\"1\", qop=auth",
		"Digest realm=\"biloxi.com\", nonce=\"2\", qop=auth, "
		"algorithm=SHA-512-256",
		"Digest realm=\"biloxi.com\", nonce=\"3\", qop=auth, "
		"algorithm=SHA-256",
		"Digest realm=\"biloxi.com\", nonce=\"4\", qop=auth, "
		"algorithm=SHA-256-sess",
		"Digest realm=\"atlanta.com\", nonce=\"5\", qop=auth, "
		"algorithm=MD5-sess",
	};
	struct sl_auth a[6];

	for (int i = 0; i < N_(texts); i++)
		decode(texts[i], &a[i]);
	/* SHA-256 over MD5; the first of equal strength (the server's
	 * order); SHA-512-256 and Basic skipped */
	ck_assert_int_eq(sl_digest_choose(a, 6, NULL), 3);
	ck_assert_int_eq(sl_digest_choose(a, 6, ""), 3);
	ck_assert_int_eq(sl_digest_choose(a + 4, 2, NULL), 0);
	ck_assert_int_eq(sl_digest_choose(a, 3, NULL), 1);
	ck_assert_int_eq(sl_digest_choose(a, 6, "atlanta.com"), 5);
	ck_assert_int_eq(sl_digest_choose(a, 6, "biloxi.com"), 3);
	ck_assert_int_eq(sl_digest_choose(a, 6, "chicago.com"), SL_ENOTFOUND);
	ck_assert_int_eq(sl_digest_choose(a, 1, NULL), SL_EUNSUPP);
	ck_assert_int_eq(sl_digest_choose(a + 2, 1, "biloxi.com"),
			 SL_EUNSUPP);
	ck_assert_int_eq(sl_digest_choose(a, 0, NULL), SL_EUNSUPP);
	ck_assert_int_eq(sl_digest_choose(NULL, 0, NULL), SL_EUNSUPP);
	ck_assert_int_eq(sl_digest_choose(NULL, 2, NULL), SL_EINVAL);
}
END_TEST

/* --------------------------------------------------------- cnonce */

START_TEST(cnonce_made)
{
	char a[SL_DIGEST_CNONCE_LEN + 1], b[SL_DIGEST_CNONCE_LEN + 1];

	ck_assert_int_eq(sl_digest_make_cnonce(a, sizeof(a)),
			 SL_DIGEST_CNONCE_LEN);
	ck_assert_int_eq(sl_digest_make_cnonce(b, sizeof(b)),
			 SL_DIGEST_CNONCE_LEN);
	ck_assert_uint_eq(strlen(a), SL_DIGEST_CNONCE_LEN);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"),
			  SL_DIGEST_CNONCE_LEN);
	/* 128 random bits: two equal values mean the source is broken */
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(sl_digest_make_cnonce(a, SL_DIGEST_CNONCE_LEN),
			 SL_ENOSPC);
	ck_assert_int_eq(a[0], '\0');
	ck_assert_int_eq(sl_digest_make_cnonce(a, 0), SL_ENOSPC);
	ck_assert_int_eq(sl_digest_make_cnonce(NULL, 64), SL_EINVAL);
}
END_TEST

/* ------------------------------------------------- credentials sent */

START_TEST(find_sent_in_request)
{
	static const char msg_text[] =
		"REGISTER sip:biloxi.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKnashds7\r\n"
		"Max-Forwards: 70\r\n"
		"To: <sip:bob@biloxi.com>\r\n"
		"From: <sip:bob@biloxi.com>;tag=456248\r\n"
		"Call-ID: 843817637684230@998sdasdh09\r\n"
		"CSeq: 1827 REGISTER\r\n"
		"Authorization: Basic Ym9iOnphbnppYmFy\r\n"
		"Authorization: Digest username=\"bob\", realm=\"atlanta.com\","
		" nonce=\"a1\", uri=\"sip:biloxi.com\", response=\"00\"\r\n"
		"Authorization: Digest username=\"bob\", realm=\"biloxi.com\","
		" nonce=\"b1\", uri=\"sip:biloxi.com\", response=\"01\"\r\n"
		"Proxy-Authorization: Digest username=\"bob\", "
		"realm=\"proxy.biloxi.com\", nonce=\"p1\", "
		"uri=\"sip:biloxi.com\", response=\"02\"\r\n"
		"Content-Length: 0\r\n\r\n";
	unsigned char mem[16384];
	struct sl_arena arena;
	struct sl_msg msg;
	struct sl_auth chal, sent;

	sl_arena_init(&arena, mem, sizeof(mem));
	ck_assert_int_eq(sl_msg_parse(&msg, msg_text, sizeof(msg_text) - 1,
				      &arena, NULL, 0, NULL), 0);

	decode("Digest realm=\"biloxi.com\", nonce=\"b2\"", &chal);
	ck_assert_int_eq(sl_digest_find_sent(&msg, &chal, 0, &sent), 1);
	ck_assert(sl_slice_eq(sent.nonce, "b1"));
	ck_assert_int_eq(sl_digest_find_sent(&msg, &chal, SL_DIGEST_PROXY,
					     &sent), 0);
	ck_assert_ptr_null(sent.nonce.p);

	decode("Digest realm=\"proxy.biloxi.com\", nonce=\"p2\"", &chal);
	ck_assert_int_eq(sl_digest_find_sent(&msg, &chal, SL_DIGEST_PROXY,
					     &sent), 1);
	ck_assert(sl_slice_eq(sent.nonce, "p1"));
	ck_assert_int_eq(sl_digest_find_sent(&msg, &chal, 0, &sent), 0);

	/* realms compare unescaped */
	decode("Digest realm=\"atl\\anta.com\", nonce=\"x\"", &chal);
	ck_assert_int_eq(sl_digest_find_sent(&msg, &chal, 0, &sent), 1);
	ck_assert(sl_slice_eq(sent.nonce, "a1"));

	decode("Digest realm=\"chicago.com\", nonce=\"x\"", &chal);
	ck_assert_int_eq(sl_digest_find_sent(&msg, &chal, 0, &sent), 0);
	ck_assert_int_eq(sl_digest_find_sent(NULL, &chal, 0, &sent),
			 SL_EINVAL);
	ck_assert_int_eq(sl_digest_find_sent(&msg, NULL, 0, &sent),
			 SL_EINVAL);
	ck_assert_int_eq(sl_digest_find_sent(&msg, &chal, 0, NULL),
			 SL_EINVAL);
}
END_TEST

/* ------------------------------------------------------------ cache */

#define REALM "atlanta.example.com"
#define CH(extra) "Digest realm=\"" REALM "\", qop=\"auth\"" extra

static const struct sl_digest_cred alice = { "alice", "zanzibar", NULL };

static struct sl_digest_req reg_req(const char *cnonce)
{
	struct sl_digest_req r = { "REGISTER", "sip:atlanta.example.com",
				   NULL, 0, 0, cnonce };
	return r;
}

/* Answers entry @idx into @out and decodes it into @sent. */
static void cache_answer(struct sl_digest_cache *c, int idx, char *out,
			 size_t cap, struct sl_auth *sent, const char *cnonce)
{
	struct sl_digest_req r = reg_req(cnonce);
	int rc = sl_digest_cache_authorize(c, idx, &alice, &r, out, cap);

	ck_assert_msg(rc > 0, "cache_authorize: %s", sl_err_name(rc));
	decode(out, sent);
}

static void ck_sent(const struct sl_auth *a, const char *nonce,
		    const char *nc)
{
	ck_assert_msg(sl_slice_eq(a->nonce, nonce), "nonce \"%.*s\", want %s",
		      (int)a->nonce.len, a->nonce.p, nonce);
	ck_assert_msg(sl_slice_eq(a->nc, nc), "nc \"%.*s\", want %s",
		      (int)a->nc.len, a->nc.p, nc);
}

START_TEST(cache_counts_and_preauthenticates)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_digest_req r = reg_req("0a4f113b");
	struct sl_auth chal, sent;
	char out[512], direct[512];
	int idx;

	ck_assert_int_eq(sl_digest_cache_init(&c, slots, 2), 0);
	ck_assert_int_eq(sl_digest_cache_next(&c, -1), SL_ENOTFOUND);
	decode(CH(", nonce=\"n1\", opaque=\"op\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	ck_assert_int_ge(idx, 0);
	ck_assert_int_eq(slots[idx].proxy, 0);

	/* each answer is sl_digest_authorize() with the next count */
	for (uint32_t nc = 1; nc <= 3; nc++) {
		r.nc = nc;
		ck_assert_int_gt(sl_digest_authorize(&chal, &alice, &r, direct,
						     sizeof(direct)), 0);
		cache_answer(&c, idx, out, sizeof(out), &sent, "0a4f113b");
		ck_assert_str_eq(out, direct);
	}
	ck_sent(&sent, "n1", "00000003");
	ck_assert(sl_slice_eq(sent.opaque, "op"));

	ck_assert_int_eq(sl_digest_cache_find(&c, REALM, 0), idx);
	ck_assert_int_eq(sl_digest_cache_find(&c, REALM, SL_DIGEST_PROXY),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl_digest_cache_find(&c, "atlanta.example.co", 0),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl_digest_cache_next(&c, -1), idx);
	ck_assert_int_eq(sl_digest_cache_next(&c, idx), SL_ENOTFOUND);

	/* the count is 8 hex digits: at its end the entry needs a new
	 * challenge */
	slots[idx].nc = 0xffffffffu;
	cache_answer(&c, idx, out, sizeof(out), &sent, "0a4f113b");
	ck_sent(&sent, "n1", "ffffffff");
	r.nc = 0;
	ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, &alice, &r, out,
						   sizeof(out)), SL_ELIMIT);
}
END_TEST

START_TEST(cache_stale_retries_with_new_nonce)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_auth chal, sent;
	char out[512];
	int idx;

	sl_digest_cache_init(&c, slots, 2);
	decode(CH(", nonce=\"n1\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_sent(&sent, "n1", "00000002");

	decode(CH(", nonce=\"n2\", stale=TRUE"), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent), idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_sent(&sent, "n2", "00000001");
}
END_TEST

START_TEST(cache_wrong_password_is_eauth)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_auth chal, sent;
	char out[512];
	int idx;

	sl_digest_cache_init(&c, slots, 2);
	decode(CH(", nonce=\"n1\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");

	/* a fresh nonce but not stale: the answer itself was refused */
	decode(CH(", nonce=\"n2\", stale=false"), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent),
			 SL_EAUTH);
	ck_assert_int_eq(sl_digest_cache_find(&c, REALM, 0), SL_ENOTFOUND);
	ck_assert_int_eq(slots[idx].live, 0);

	/* the same nonce challenged again after we answered it */
	decode(CH(", nonce=\"n1\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent),
			 SL_EAUTH);
}
END_TEST

START_TEST(cache_unflagged_expiry_after_success)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_auth chal, sent;
	char out[512];
	int idx;

	sl_digest_cache_init(&c, slots, 2);
	decode(CH(", nonce=\"n1\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_assert_int_eq(sl_digest_cache_accepted(&c, idx), 0);

	/* a later pre-authenticated request meets an expired nonce that the
	 * server does not flag stale: one retry, since these credentials
	 * worked before */
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_sent(&sent, "n1", "00000002");
	decode(CH(", nonce=\"n2\""), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent), idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_sent(&sent, "n2", "00000001");

	/* and only one */
	decode(CH(", nonce=\"n3\""), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent),
			 SL_EAUTH);
}
END_TEST

START_TEST(cache_challenge_without_our_credentials)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_auth chal, sent, other;
	char out[512], other_text[512];
	int idx;

	sl_digest_cache_init(&c, slots, 2);
	decode(CH(", nonce=\"n1\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");

	/* a request sent without credentials is challenged with the same
	 * nonce: the count goes on */
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL), idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_sent(&sent, "n1", "00000002");

	/* credentials for another realm are no credentials for this one */
	snprintf(other_text, sizeof(other_text), "Digest username=\"alice\", "
		 "realm=\"other.example.com\", nonce=\"n1\", uri=\"sip:x\", "
		 "response=\"00\"");
	decode(other_text, &other);
	decode(CH(", nonce=\"n2\""), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &other),
			 idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_sent(&sent, "n2", "00000001");
}
END_TEST

START_TEST(cache_refused_old_nonce_refreshes)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_auth chal, sent_a, sent;
	char out_a[512], out[512];
	int idx;

	sl_digest_cache_init(&c, slots, 2);
	decode(CH(", nonce=\"n1\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out_a, sizeof(out_a), &sent_a, "c1");
	/* meanwhile another exchange moved the realm to n2 */
	decode(CH(", nonce=\"n2\""), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL), idx);
	/* the request that carried n1 is refused: not our password's fault
	 * as far as we can tell; take the newest nonce */
	decode(CH(", nonce=\"n3\""), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent_a),
			 idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_sent(&sent, "n3", "00000001");
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent),
			 SL_EAUTH);
}
END_TEST

START_TEST(cache_stale_loop_is_bounded)
{
	struct sl_digest_entry slots[1];
	struct sl_digest_cache c;
	struct sl_auth chal, sent;
	char out[512], text[128];
	int idx, i;

	sl_digest_cache_init(&c, slots, 1);
	decode(CH(", nonce=\"n0\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	for (i = 1; i <= SL_DIGEST_MAX_STALE; i++) {
		cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
		snprintf(text, sizeof(text), CH(", nonce=\"n%d\", stale=true"),
			 i);
		decode(text, &chal);
		ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0,
							   &sent), idx);
	}
	/* a success in between restarts the count */
	ck_assert_int_eq(sl_digest_cache_accepted(&c, idx), 0);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	decode(CH(", nonce=\"m1\", stale=true"), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent), idx);
	for (i = 2; i <= SL_DIGEST_MAX_STALE; i++) {
		cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
		snprintf(text, sizeof(text), CH(", nonce=\"m%d\", stale=true"),
			 i);
		decode(text, &chal);
		ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0,
							   &sent), idx);
	}
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	decode(CH(", nonce=\"last\", stale=true"), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent),
			 SL_EAUTH);
	ck_assert_int_eq(sl_digest_cache_next(&c, -1), SL_ENOTFOUND);
}
END_TEST

START_TEST(cache_lru_and_proxy_entries)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_auth a, b, d, sent;
	char out[512];
	int ia, ib, id, ip;

	sl_digest_cache_init(&c, slots, 2);
	decode("Digest realm=\"a.example\", nonce=\"1\", qop=auth", &a);
	decode("Digest realm=\"b.example\", nonce=\"2\", qop=auth", &b);
	decode("Digest realm=\"d.example\", nonce=\"3\", qop=auth", &d);
	ia = sl_digest_cache_challenge(&c, &a, 0, NULL);
	ib = sl_digest_cache_challenge(&c, &b, 0, NULL);
	ck_assert_int_ne(ia, ib);
	/* using a makes b the least recently used */
	cache_answer(&c, ia, out, sizeof(out), &sent, "c1");
	id = sl_digest_cache_challenge(&c, &d, 0, NULL);
	ck_assert_int_eq(id, ib);
	ck_assert_int_eq(sl_digest_cache_find(&c, "b.example", 0),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl_digest_cache_find(&c, "a.example", 0), ia);
	ck_assert_int_eq(sl_digest_cache_find(&c, "d.example", 0), id);

	/* the same realm behind a 407 is an entry of its own */
	sl_digest_cache_clear(&c);
	ck_assert_int_eq(sl_digest_cache_next(&c, -1), SL_ENOTFOUND);
	ia = sl_digest_cache_challenge(&c, &a, 0, NULL);
	ip = sl_digest_cache_challenge(&c, &a, SL_DIGEST_PROXY, NULL);
	ck_assert_int_ne(ia, ip);
	ck_assert_int_eq(slots[ip].proxy, 1);
	ck_assert_int_eq(sl_digest_cache_find(&c, "a.example",
					      SL_DIGEST_PROXY), ip);
	ck_assert_int_eq(sl_digest_cache_find(&c, "a.example", 0), ia);
	ck_assert_int_eq(sl_digest_cache_forget(&c, ia), 0);
	ck_assert_int_eq(sl_digest_cache_find(&c, "a.example", 0),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl_digest_cache_next(&c, -1), ip);
}
END_TEST

/* -sess binds H(A1) to the first cnonce (RFC 2617 §3.2.2.2): the cache
 * keeps it for the nonce's life. Vectors: hashlib resp("md5", "alice",
 * "atlanta.example.com", "zanzibar", "REGISTER",
 * "sip:atlanta.example.com", "ea9c8e88df84f1cec4341ae6cbe5a359", nc,
 * "0a4f113b", "auth", True) for nc 1 and 2. */
START_TEST(cache_sess_keeps_cnonce)
{
	struct sl_digest_entry slots[1];
	struct sl_digest_cache c;
	struct sl_auth chal, sent;
	char out[512];
	int idx;

	sl_digest_cache_init(&c, slots, 1);
	decode(CH(", algorithm=MD5-sess, "
		  "nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, "0a4f113b");
	ck_assert(sl_slice_eq(sent.response,
			      "0d6d0fb03ce6ca1c415791733c9b995b"));
	cache_answer(&c, idx, out, sizeof(out), &sent, "ignored");
	ck_assert(sl_slice_eq(sent.cnonce, "0a4f113b"));
	ck_assert(sl_slice_eq(sent.response,
			      "83592776de5d8dff57e13ba4d8c0a579"));
	/* a new nonce starts a new session */
	decode(CH(", algorithm=MD5-sess, nonce=\"fresh\", stale=true"), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent), idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c3");
	ck_assert(sl_slice_eq(sent.cnonce, "c3"));
	ck_sent(&sent, "fresh", "00000001");
	/* a cnonce longer than the entry keeps is refused up front */
	decode(CH(", algorithm=MD5-sess, nonce=\"again\", stale=true"),
	       &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, &sent), idx);
	{
		char big[SL_DIGEST_CNONCE_MAX + 2];
		struct sl_digest_req r = reg_req(big);

		memset(big, 'c', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, &alice, &r,
							   out, sizeof(out)),
				 SL_EINVAL);
	}
	ck_assert_int_eq(slots[idx].cnonce_len, 0);
}
END_TEST

START_TEST(cache_makes_cnonce_and_handles_no_qop)
{
	struct sl_digest_entry slots[1];
	struct sl_digest_cache c;
	struct sl_auth chal, sent, sent2;
	char out[512], out2[512];
	int idx;

	sl_digest_cache_init(&c, slots, 1);
	decode(CH(", nonce=\"n1\""), &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, NULL);
	cache_answer(&c, idx, out2, sizeof(out2), &sent2, NULL);
	ck_assert_uint_eq(sent.cnonce.len, SL_DIGEST_CNONCE_LEN);
	ck_assert_uint_eq(sent2.cnonce.len, SL_DIGEST_CNONCE_LEN);
	ck_assert(!sl_slice_ieq2(sent.cnonce, sent2.cnonce));

	/* RFC 2069 realm: nothing counted, nothing made */
	decode("Digest realm=\"old.example\", nonce=\"n\"", &chal);
	sl_digest_cache_clear(&c);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	cache_answer(&c, idx, out, sizeof(out), &sent, NULL);
	cache_answer(&c, idx, out2, sizeof(out2), &sent2, NULL);
	ck_assert_str_eq(out, out2);
	ck_assert_ptr_null(sent.cnonce.p);
	ck_assert_ptr_null(sent.nc.p);
	ck_assert_uint_eq(slots[idx].nc, 1);
}
END_TEST

/* Errors change nothing. */
START_TEST(cache_refusals)
{
	struct sl_digest_entry slots[2];
	struct sl_digest_cache c;
	struct sl_digest_req r = reg_req("c1");
	struct sl_digest_cred restricted = { "alice", "zanzibar", "x.example" };
	struct sl_auth chal, sent;
	char out[512], text[600], small[16];
	int idx;

	ck_assert_int_eq(sl_digest_cache_init(NULL, slots, 2), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_init(&c, NULL, 2), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_init(&c, slots, 0), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_init(&c, slots, 2), 0);
	sl_digest_cache_clear(NULL);

	decode(CH(", nonce=\"n1\""), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(NULL, &chal, 0, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, NULL, 0, NULL),
			 SL_EINVAL);
	decode(CH(", nonce=\"n1\", algorithm=SHA-1"), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL),
			 SL_EUNSUPP);
	decode(CH(""), &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL),
			 SL_EPARSE);
	/* longer than an entry holds */
	snprintf(text, sizeof(text), "Digest realm=\"%0*d\", nonce=\"n\"",
		 SL_DIGEST_REALM_MAX + 1, 0);
	decode(text, &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL),
			 SL_ENOSPC);
	snprintf(text, sizeof(text), CH(", nonce=\"%0*d\""),
		 SL_DIGEST_NONCE_MAX + 1, 0);
	decode(text, &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL),
			 SL_ENOSPC);
	snprintf(text, sizeof(text), CH(", nonce=\"n\", opaque=\"%0*d\""),
		 SL_DIGEST_OPAQUE_MAX + 1, 0);
	decode(text, &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL),
			 SL_ENOSPC);
	/* exactly full fits */
	snprintf(text, sizeof(text), CH(", nonce=\"%0*d\""),
		 SL_DIGEST_NONCE_MAX, 0);
	decode(text, &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	ck_assert_int_ge(idx, 0);
	ck_assert_int_eq(sl_digest_cache_next(&c, idx), SL_ENOTFOUND);

	ck_assert_int_eq(sl_digest_cache_authorize(&c, -1, &alice, &r, out,
						   sizeof(out)), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_authorize(&c, 2, &alice, &r, out,
						   sizeof(out)), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_authorize(&c, !idx, &alice, &r, out,
						   sizeof(out)), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_authorize(NULL, idx, &alice, &r,
						   out, sizeof(out)),
			 SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, NULL, &r, out,
						   sizeof(out)), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, &alice, NULL,
						   out, sizeof(out)),
			 SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, &alice, &r, NULL,
						   sizeof(out)), SL_EINVAL);
	r.cnonce = "a b";
	ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, &alice, &r, out,
						   sizeof(out)), SL_EINVAL);
	r.cnonce = "c1";
	ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, &restricted, &r,
						   out, sizeof(out)),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl_digest_cache_authorize(&c, idx, &alice, &r, small,
						   sizeof(small)), SL_ENOSPC);
	ck_assert_int_eq(small[0], '\0');
	/* none of that used up a count */
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_assert(sl_slice_eq(sent.nc, "00000001"));

	ck_assert_int_eq(sl_digest_cache_accepted(&c, !idx), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_accepted(&c, 5), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_accepted(NULL, idx), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_forget(&c, 2), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_forget(&c, -1), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_forget(NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_find(&c, NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_find(NULL, "x", 0), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_next(&c, -2), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_next(NULL, -1), SL_EINVAL);
	ck_assert_int_eq(sl_digest_cache_next(&c, 7), SL_ENOTFOUND);
}
END_TEST

/* A realm cached unescaped is written escaped again, and found by its
 * plain text. */
START_TEST(cache_escaped_realm)
{
	struct sl_digest_entry slots[1];
	struct sl_digest_cache c;
	struct sl_auth chal, sent;
	char out[512], realm[64];
	int idx;

	sl_digest_cache_init(&c, slots, 1);
	decode("Digest realm=\"we\\\"ird\", nonce=\"n\\\\1\", qop=auth",
	       &chal);
	idx = sl_digest_cache_challenge(&c, &chal, 0, NULL);
	ck_assert_int_eq(sl_digest_cache_find(&c, "we\"ird", 0), idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_assert_ptr_nonnull(strstr(out, "realm=\"we\\\"ird\""));
	ck_assert_ptr_nonnull(strstr(out, "nonce=\"n\\\\1\""));
	ck_assert_str_eq(unq(sent.realm, realm, sizeof(realm)), "we\"ird");
	/* the challenge text escapes what it need not: same realm */
	decode("Digest realm=\"\\we\\\"ird\", nonce=\"n\\\\1\", qop=auth",
	       &chal);
	ck_assert_int_eq(sl_digest_cache_challenge(&c, &chal, 0, NULL), idx);
	cache_answer(&c, idx, out, sizeof(out), &sent, "c1");
	ck_assert(sl_slice_eq(sent.nc, "00000002"));
}
END_TEST

Suite *check_sip_digest_suite(void);

Suite *check_sip_digest_suite(void)
{
	Suite *s = suite_create("sip_digest");
	TCase *tc = tcase_create("compute");
	TCase *tk = tcase_create("cache");

	tcase_add_loop_test(tc, vector_exact, 0, N_(vecs));
	tcase_add_loop_test(tc, vector_round_trip, 0, N_(vecs));
	tcase_add_loop_test(tc, vector_every_short_cap, 0, N_(vecs));
	tcase_add_test(tc, algorithm_names);
	tcase_add_test(tc, qop_choice);
	tcase_add_loop_test(tc, refusals, 0, N_BAD);
	tcase_add_test(tc, lenient_where_harmless);
	tcase_add_test(tc, choose_strongest);
	tcase_add_test(tc, cnonce_made);
	tcase_add_test(tc, find_sent_in_request);
	suite_add_tcase(s, tc);

	tcase_add_test(tk, cache_counts_and_preauthenticates);
	tcase_add_test(tk, cache_stale_retries_with_new_nonce);
	tcase_add_test(tk, cache_wrong_password_is_eauth);
	tcase_add_test(tk, cache_unflagged_expiry_after_success);
	tcase_add_test(tk, cache_challenge_without_our_credentials);
	tcase_add_test(tk, cache_refused_old_nonce_refreshes);
	tcase_add_test(tk, cache_stale_loop_is_bounded);
	tcase_add_test(tk, cache_lru_and_proxy_entries);
	tcase_add_test(tk, cache_sess_keeps_cnonce);
	tcase_add_test(tk, cache_makes_cnonce_and_handles_no_qop);
	tcase_add_test(tk, cache_refusals);
	tcase_add_test(tk, cache_escaped_realm);
	suite_add_tcase(s, tk);
	return s;
}

SL_CHECK_MAIN(check_sip_digest_suite)
