/*
 * tests/unit/check_sip_headers.c: the typed header decoders of
 * sipline/headers.h except name-addr and Contact (lib/sip/params.c, via.c,
 * auth_hdr.c, hdr_misc.c).
 *
 * Every decoder gets a vector table: the value as the splitter hands it
 * over (trimmed, folding kept), the expected return code and, on success,
 * the expected fields. Vectors from RFCs name their section in @ref so a
 * failure says where the text came from. Each test also checks that every
 * output slice points into the input (zero-copy, nothing past the end).
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "sipline/error.h"
#include "sipline/headers.h"

#define N_(a) ((int)(sizeof(a) / sizeof((a)[0])))

static struct sl_slice S(const char *text)
{
	struct sl_slice s = { text, strlen(text) };
	return s;
}

/* want NULL means "empty" */
static void ck_slice(struct sl_slice got, const char *want, const char *what,
		     const char *ref)
{
	size_t n = want ? strlen(want) : 0;

	ck_assert_msg(got.len == n && (n == 0 || memcmp(got.p, want, n) == 0),
		      "%s: %s is \"%.*s\", want \"%s\"", ref, what,
		      (int)got.len, got.p ? got.p : "", want ? want : "");
}

/* A non-empty output slice must lie inside the input. */
static void ck_inside(struct sl_slice s, struct sl_slice in, const char *what,
		      const char *ref)
{
	if (s.len == 0)
		return;
	ck_assert_msg(s.p >= in.p && s.p + s.len <= in.p + in.len,
		      "%s: %s points outside the input", ref, what);
}

/* ---------------------------------------------------------------- params */

struct param_want {
	const char *name;
	const char *value;
	int has_value;
};

struct param_vec {
	const char *ref;
	const char *text;
	int n;          /* parameters taken before the end or the error */
	int last_rc;    /* 0 (end of list) or SL_EPARSE */
	struct param_want p[5];
};

static const struct param_vec param_vecs[] = {
	{ "empty", "", 0, 0, { { 0 } } },
	{ "only white space", "  \r\n ", 0, 0, { { 0 } } },
	{ "flag", "lr", 1, 0, { { "lr", NULL, 0 } } },
	{ "one value", "transport=tcp", 1, 0,
	  { { "transport", "tcp", 1 } } },
	{ "leading ';' skipped", ";branch=z9hG4bK776", 1, 0,
	  { { "branch", "z9hG4bK776", 1 } } },
	{ "mixed", "a=1;b;c=\"q s\"", 3, 0,
	  { { "a", "1", 1 }, { "b", NULL, 0 }, { "c", "q s", 1 } } },
	{ "RFC 4475 3.1.1.1 LWS around '='", "  branch  =   z9hG4bK9ikj8  ",
	  1, 0, { { "branch", "z9hG4bK9ikj8", 1 } } },
	{ "RFC 4475 3.1.1.1 folded value", "branch=\r\n z9hG4bK30239", 1, 0,
	  { { "branch", "z9hG4bK30239", 1 } } },
	{ "LWS around ';'", "a = 1 ;\r\n b=2\t;\tc", 3, 0,
	  { { "a", "1", 1 }, { "b", "2", 1 }, { "c", NULL, 0 } } },
	{ "IPv6 reference value", "maddr=[2001:db8::1];ttl=1", 2, 0,
	  { { "maddr", "[2001:db8::1]", 1 }, { "ttl", "1", 1 } } },
	{ "RFC 5118 4.5 bare IPv6", "received=2001:db8::9:255", 1, 0,
	  { { "received", "2001:db8::9:255", 1 } } },
	{ "escapes kept", "x=\"a\\\"b\"", 1, 0, { { "x", "a\\\"b", 1 } } },
	{ "empty quoted", "e=\"\";f", 2, 0,
	  { { "e", NULL, 1 }, { "f", NULL, 0 } } },
	{ "URI paramchar values", "user=phone;x=a/b:c;y=%41&$+", 3, 0,
	  { { "user", "phone", 1 }, { "x", "a/b:c", 1 },
	    { "y", "%41&$+", 1 } } },
	{ "token characters in names", "x-foo.bar!~*=1", 1, 0,
	  { { "x-foo.bar!~*", "1", 1 } } },
	{ "lone ';'", ";", 0, SL_EPARSE, { { 0 } } },
	{ "RFC 4475 3.1.2.1 ';;'", "a;;b", 1, SL_EPARSE, { { "a", NULL, 0 } } },
	{ "trailing ';'", "a=1;", 1, SL_EPARSE, { { "a", "1", 1 } } },
	{ "no name", "=1", 0, SL_EPARSE, { { 0 } } },
	{ "no value after '='", "a=", 0, SL_EPARSE, { { 0 } } },
	{ "blank value", "a= ;b", 0, SL_EPARSE, { { 0 } } },
	{ "unterminated quote", "a=\"open", 0, SL_EPARSE, { { 0 } } },
	{ "bare CRLF in quote", "a=\"x\r\ny\"", 0, SL_EPARSE, { { 0 } } },
	{ "space instead of ';'", "a=1 b=2", 0, SL_EPARSE, { { 0 } } },
	{ "comma", "a=1,b=2", 0, SL_EPARSE, { { 0 } } },
	{ "angle brackets", "a=<x>", 0, SL_EPARSE, { { 0 } } },
	{ "two words", "a b", 0, SL_EPARSE, { { 0 } } },
	{ "junk after quote", "a=\"x\"y", 0, SL_EPARSE, { { 0 } } },
	{ "second one bad", "a=1;@", 1, SL_EPARSE, { { "a", "1", 1 } } },
	{ "control character", "a=b\x01", 0, SL_EPARSE, { { 0 } } },
};

START_TEST(param_next_vectors)
{
	const struct param_vec *v = &param_vecs[_i];
	struct sl_slice in = S(v->text), cur = in, n, val;
	int hv, rc, taken = 0;

	while ((rc = sl_param_next(&cur, &n, &val, &hv)) == 1) {
		ck_assert_msg(taken < v->n, "%s: too many parameters", v->ref);
		ck_slice(n, v->p[taken].name, "name", v->ref);
		ck_slice(val, v->p[taken].value, "value", v->ref);
		ck_assert_int_eq(hv, v->p[taken].has_value);
		ck_inside(n, in, "name", v->ref);
		ck_inside(val, in, "value", v->ref);
		taken++;
	}
	ck_assert_msg(rc == v->last_rc, "%s: rc %d, want %d", v->ref, rc,
		      v->last_rc);
	ck_assert_msg(taken == v->n, "%s: %d taken, want %d", v->ref, taken,
		      v->n);
	if (rc == 0)
		ck_assert_uint_eq(cur.len, 0);
}
END_TEST

START_TEST(param_next_has_value_optional_and_einval)
{
	struct sl_slice cur = S("a=1"), n, v, bad = { NULL, 3 };

	ck_assert_int_eq(sl_param_next(&cur, &n, &v, NULL), 1);
	ck_slice(v, "1", "value", "NULL has_value");
	ck_assert_int_eq(sl_param_next(NULL, &n, &v, NULL), SL_EINVAL);
	cur = S("a");
	ck_assert_int_eq(sl_param_next(&cur, NULL, &v, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_param_next(&cur, &n, NULL, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_param_next(&bad, &n, &v, NULL), SL_EINVAL);
	bad.len = 0;
	ck_assert_int_eq(sl_param_next(&bad, &n, &v, NULL), 0);
}
END_TEST

START_TEST(param_find_by_name)
{
	struct sl_slice p = S("transport=TCP;LR;maddr=[::1];x=\"q v\"");
	struct sl_slice v = S("untouched");

	ck_assert_int_eq(sl_param_find(p, "lr", &v), 1);
	ck_assert_uint_eq(v.len, 0);
	ck_assert_int_eq(sl_param_find(p, "TRANSPORT", &v), 1);
	ck_slice(v, "TCP", "transport", "find");
	ck_assert_int_eq(sl_param_find(p, "maddr", &v), 1);
	ck_slice(v, "[::1]", "maddr", "find");
	ck_assert_int_eq(sl_param_find(p, "x", &v), 1);
	ck_slice(v, "q v", "x", "find");
	ck_assert_int_eq(sl_param_find(p, "x", NULL), 1);
	ck_assert_int_eq(sl_param_find(p, "ttl", &v), 0);
	ck_assert_int_eq(sl_param_find(p, "l", &v), 0);
	ck_assert_int_eq(sl_param_find(p, NULL, &v), 0);
	/* the walk stops at a malformed parameter */
	ck_assert_int_eq(sl_param_find(S("a=1;;b=2"), "b", &v), 0);
	ck_assert_int_eq(sl_param_find(S("a=1;;b=2"), "a", &v), 1);
	ck_assert_int_eq(sl_param_find(S(""), "a", &v), 0);
}
END_TEST

/* ---------------------------------------------------------- uint, token */

struct uint_vec {
	const char *ref;
	const char *text;
	uint32_t max;
	int rc;
	uint32_t want;
};

static const struct uint_vec uint_vecs[] = {
	{ "zero", "0", 100, 0, 0 },
	{ "Max-Forwards", "70", 255, 0, 70 },
	{ "white space around", "  70 \t", 255, 0, 70 },
	{ "folded", "\r\n 60", UINT32_MAX, 0, 60 },
	{ "RFC 4475 3.1.1.1 leading zeros", "0068", 255, 0, 68 },
	{ "many leading zeros", "000000000000000000000070", 255, 0, 70 },
	{ "all zeros", "0000000000000000", 5, 0, 0 },
	{ "Content-Length", "150", UINT32_MAX, 0, 150 },
	{ "equal to max", "255", 255, 0, 255 },
	{ "32-bit max", "4294967295", UINT32_MAX, 0, UINT32_MAX },
	{ "10 digits", "1000000000", UINT32_MAX, 0, 1000000000u },
	{ "above max", "256", 255, SL_EPARSE, 0 },
	{ "RFC 4475 3.1.2.4 Max-Forwards: 300", "300", 255, SL_EPARSE, 0 },
	{ "RFC 4475 3.1.2.4 Expires",
	  "1000000000000000000000000000000000000000000000000000000",
	  UINT32_MAX, SL_EPARSE, 0 },
	{ "RFC 4475 3.1.2.4 expires param", "280297596632815", UINT32_MAX,
	  SL_EPARSE, 0 },
	{ "2**32", "4294967296", UINT32_MAX, SL_EPARSE, 0 },
	{ "11 digits", "10000000000", UINT32_MAX, SL_EPARSE, 0 },
	{ "empty", "", 10, SL_EPARSE, 0 },
	{ "blank", "   ", 10, SL_EPARSE, 0 },
	{ "minus", "-1", 10, SL_EPARSE, 0 },
	{ "plus", "+1", 10, SL_EPARSE, 0 },
	{ "two numbers", "1 2", 10, SL_EPARSE, 0 },
	{ "trailing letter", "1a", 10, SL_EPARSE, 0 },
	{ "hex", "0x10", 100, SL_EPARSE, 0 },
	{ "decimal point", "1.5", 10, SL_EPARSE, 0 },
};

START_TEST(uint_vectors)
{
	const struct uint_vec *v = &uint_vecs[_i];
	uint32_t out = 12345;
	int rc = sl_uint_decode(S(v->text), v->max, &out);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc == 0)
		ck_assert_msg(out == v->want, "%s: %u, want %u", v->ref,
			      (unsigned)out, (unsigned)v->want);
}
END_TEST

struct token_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *want;
};

static const struct token_vec token_vecs[] = {
	{ "method", "INVITE", 0, "INVITE" },
	{ "trimmed", " \t100rel\r\n ", 0, "100rel" },
	{ "RFC 4475 3.1.1.2 odd method",
	  "!interesting-Method0123456789_*+`.%indeed'~", 0,
	  "!interesting-Method0123456789_*+`.%indeed'~" },
	{ "event package with dot", "presence.winfo", 0, "presence.winfo" },
	{ "empty", "", SL_EPARSE, NULL },
	{ "blank", "  ", SL_EPARSE, NULL },
	{ "two tokens", "timer 100rel", SL_EPARSE, NULL },
	{ "list not split", "a,b", SL_EPARSE, NULL },
	{ "quoted", "\"x\"", SL_EPARSE, NULL },
	{ "separator", "a/b", SL_EPARSE, NULL },
};

START_TEST(token_vectors)
{
	const struct token_vec *v = &token_vecs[_i];
	struct sl_slice in = S(v->text), out;
	int rc = sl_token_decode(in, &out);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc == 0) {
		ck_slice(out, v->want, "token", v->ref);
		ck_inside(out, in, "token", v->ref);
	}
}
END_TEST

START_TEST(uint_token_einval)
{
	struct sl_slice bad = { NULL, 2 }, none = { NULL, 0 }, out;
	uint32_t u;

	ck_assert_int_eq(sl_uint_decode(S("1"), 5, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_uint_decode(bad, 5, &u), SL_EINVAL);
	ck_assert_int_eq(sl_uint_decode(none, 5, &u), SL_EPARSE);
	ck_assert_int_eq(sl_token_decode(S("a"), NULL), SL_EINVAL);
	ck_assert_int_eq(sl_token_decode(bad, &out), SL_EINVAL);
	ck_assert_int_eq(sl_token_decode(none, &out), SL_EPARSE);
}
END_TEST

/* ------------------------------------------------------------------- Via */

struct via_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *name, *version, *transport, *host;
	enum sl_host_type host_type;
	uint16_t port;
	const char *branch, *received, *maddr;
	int32_t rport;
	int16_t ttl;
	const char *params;
};

#define VIA_OK_(ref, text, tr, host, ht, port, br, rcv, ma, rp, ttl, prm) \
	{ ref, text, 0, "SIP", "2.0", tr, host, ht, port, br, rcv, ma, rp,  \
	  ttl, prm }
#define VIA_BAD_(ref, text) \
	{ ref, text, SL_EPARSE, NULL, NULL, NULL, NULL, SL_HOST_NONE, 0,    \
	  NULL, NULL, NULL, 0, 0, NULL }

static const struct via_vec via_vecs[] = {
	VIA_OK_("RFC 3261 24.2", "SIP/2.0/UDP pc33.atlanta.com;branch="
		"z9hG4bKnashds8", "UDP", "pc33.atlanta.com", SL_HOST_NAME, 0,
		"z9hG4bKnashds8", NULL, NULL, -1, -1, "branch=z9hG4bKnashds8"),
	VIA_OK_("RFC 3261 24.2 received", "SIP/2.0/UDP pc33.atlanta.com;"
		"branch=z9hG4bKnashds8;received=192.0.2.1", "UDP",
		"pc33.atlanta.com", SL_HOST_NAME, 0, "z9hG4bKnashds8",
		"192.0.2.1", NULL, -1, -1,
		"branch=z9hG4bKnashds8;received=192.0.2.1"),
	VIA_OK_("RFC 3665 3.1 port", "SIP/2.0/TCP client.atlanta.example.com"
		":5060;branch=z9hG4bK74bf9", "TCP",
		"client.atlanta.example.com", SL_HOST_NAME, 5060,
		"z9hG4bK74bf9", NULL, NULL, -1, -1, "branch=z9hG4bK74bf9"),
	VIA_OK_("RFC 3261 20.42 LWS around ':' and ';'",
		"SIP / 2.0 / UDP first.example.com: 4000;ttl=16\r\n "
		";maddr=224.2.0.1 ;branch=z9hG4bKa7c6a8dlze.1", "UDP",
		"first.example.com", SL_HOST_NAME, 4000, "z9hG4bKa7c6a8dlze.1",
		NULL, "224.2.0.1", -1, 16, "ttl=16\r\n ;maddr=224.2.0.1 "
		";branch=z9hG4bKa7c6a8dlze.1"),
	VIA_OK_("RFC 3261 20.42 received", "SIP/2.0/UDP 192.0.2.1:5060 "
		";received=192.0.2.207 ;branch=z9hG4bK77asjd", "UDP",
		"192.0.2.1", SL_HOST_IPV4, 5060, "z9hG4bK77asjd",
		"192.0.2.207", NULL, -1, -1,
		"received=192.0.2.207 ;branch=z9hG4bK77asjd"),
	VIA_OK_("RFC 3261 20.42 received, no LWS", "SIP/2.0/UDP 192.0.2.1:5060;"
		"received=192.0.2.207;branch=z9hG4bK0a9idfnee", "UDP",
		"192.0.2.1", SL_HOST_IPV4, 5060, "z9hG4bK0a9idfnee",
		"192.0.2.207", NULL, -1, -1,
		"received=192.0.2.207;branch=z9hG4bK0a9idfnee"),
	VIA_OK_("RFC 4475 3.1.1.1 wsinv Via", "SIP  /   2.0\r\n /UDP\r\n    "
		"192.0.2.2;branch=390skdjuw", "UDP", "192.0.2.2",
		SL_HOST_IPV4, 0, "390skdjuw", NULL, NULL, -1, -1,
		"branch=390skdjuw"),
	VIA_OK_("RFC 4475 3.1.1.1 wsinv Via with rport", "SIP  /   2.0\r\n "
		"/UDP\r\n    192.0.2.2;rport;branch=390skdjuw", "UDP",
		"192.0.2.2", SL_HOST_IPV4, 0, "390skdjuw", NULL, NULL, 0, -1,
		"rport;branch=390skdjuw"),
	VIA_OK_("RFC 4475 3.1.1.1 wsinv v: first", "SIP  / 2.0  / TCP     "
		"spindle.example.com   ;\r\n  branch  =   z9hG4bK9ikj8", "TCP",
		"spindle.example.com", SL_HOST_NAME, 0, "z9hG4bK9ikj8", NULL,
		NULL, -1, -1, "branch  =   z9hG4bK9ikj8"),
	VIA_OK_("RFC 4475 3.1.1.1 wsinv v: second", "SIP  /    2.0   / UDP  "
		"192.168.255.111   ; branch=\r\n z9hG4bK30239", "UDP",
		"192.168.255.111", SL_HOST_IPV4, 0, "z9hG4bK30239", NULL, NULL,
		-1, -1, "branch=\r\n z9hG4bK30239"),
	VIA_OK_("RFC 4475 3.1.1.2 intmeth branch", "SIP/2.0/TCP host1."
		"example.com;branch=z9hG4bK-.!%66*_+`'~", "TCP",
		"host1.example.com", SL_HOST_NAME, 0, "z9hG4bK-.!%66*_+`'~",
		NULL, NULL, -1, -1, "branch=z9hG4bK-.!%66*_+`'~"),
	VIA_OK_("RFC 4475 3.1.1.10 SCTP", "SIP/2.0/SCTP t2.example.com;"
		"branch=z9hG4bKklasjdhf", "SCTP", "t2.example.com",
		SL_HOST_NAME, 0, "z9hG4bKklasjdhf", NULL, NULL, -1, -1,
		"branch=z9hG4bKklasjdhf"),
	VIA_OK_("RFC 4475 3.1.1.10 UNKNOWN transport", "SIP/2.0/UNKNOWN "
		"t4.example.com;branch=z9hG4bKasd0f3en", "UNKNOWN",
		"t4.example.com", SL_HOST_NAME, 0, "z9hG4bKasd0f3en", NULL,
		NULL, -1, -1, "branch=z9hG4bKasd0f3en"),
	VIA_OK_("RFC 7118 WS", "SIP/2.0/WS df7jal23ls0d.invalid;branch="
		"z9hG4bK56sdasks", "WS", "df7jal23ls0d.invalid", SL_HOST_NAME,
		0, "z9hG4bK56sdasks", NULL, NULL, -1, -1,
		"branch=z9hG4bK56sdasks"),
	VIA_OK_("RFC 4475 3.3.10 bcast sent-by", "SIP/2.0/UDP 255.255.255.255"
		";branch=z9hG4bK1saber23", "UDP", "255.255.255.255",
		SL_HOST_IPV4, 0, "z9hG4bK1saber23", NULL, NULL, -1, -1,
		"branch=z9hG4bK1saber23"),
	VIA_OK_("RFC 2543 style, no branch", "SIP/2.0/UDP 192.0.2.15",
		"UDP", "192.0.2.15", SL_HOST_IPV4, 0, NULL, NULL, NULL, -1, -1,
		NULL),
	VIA_OK_("RFC 5118 4.1 IPv6 sent-by", "SIP/2.0/UDP [2001:db8::9:1];"
		"branch=z9hG4bKas3-111", "UDP", "2001:db8::9:1", SL_HOST_IPV6,
		0, "z9hG4bKas3-111", NULL, NULL, -1, -1,
		"branch=z9hG4bKas3-111"),
	VIA_OK_("RFC 5118 4.5 bracketed received", "SIP/2.0/UDP "
		"[2001:db8::9:1];received=[2001:db8::9:255];branch="
		"z9hG4bKas3-111", "UDP", "2001:db8::9:1", SL_HOST_IPV6, 0,
		"z9hG4bKas3-111", "2001:db8::9:255", NULL, -1, -1,
		"received=[2001:db8::9:255];branch=z9hG4bKas3-111"),
	VIA_OK_("RFC 5118 4.5 bare received", "SIP/2.0/UDP [2001:db8::9:1];"
		"received=2001:db8::9:255;branch=z9hG4bKas3", "UDP",
		"2001:db8::9:1", SL_HOST_IPV6, 0, "z9hG4bKas3",
		"2001:db8::9:255", NULL, -1, -1,
		"received=2001:db8::9:255;branch=z9hG4bKas3"),
	VIA_OK_("RFC 5118 4.3 IPv6 with port", "SIP/2.0/UDP [2001:db8::9:1]"
		":6050;branch=z9hG4bKas3-111", "UDP", "2001:db8::9:1",
		SL_HOST_IPV6, 6050, "z9hG4bKas3-111", NULL, NULL, -1, -1,
		"branch=z9hG4bKas3-111"),
	VIA_OK_("RFC 5118 4.8 IPv4-mapped", "SIP/2.0/UDP [::ffff:192.0.2.10]"
		":19823;branch=z9hG4bKbh19", "UDP", "::ffff:192.0.2.10",
		SL_HOST_IPV6, 19823, "z9hG4bKbh19", NULL, NULL, -1, -1,
		"branch=z9hG4bKbh19"),
	VIA_OK_("RFC 3581 rport value", "SIP/2.0/UDP 10.1.1.1:4540;received="
		"192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff", "UDP",
		"10.1.1.1", SL_HOST_IPV4, 4540, "z9hG4bKkjshdyff", "192.0.2.1",
		NULL, 9988, -1, "received=192.0.2.1;rport=9988;branch="
		"z9hG4bKkjshdyff"),
	VIA_OK_("RFC 3581 rport request", "SIP/2.0/UDP 10.1.1.1:4540;rport;"
		"branch=z9hG4bKkjshdyff", "UDP", "10.1.1.1", SL_HOST_IPV4,
		4540, "z9hG4bKkjshdyff", NULL, NULL, 0, -1,
		"rport;branch=z9hG4bKkjshdyff"),
	VIA_OK_("RFC 2543 maddr ttl folded", "SIP/2.0/UDP sip.example.com;"
		"branch=7c337f30d7ce.1\r\n  ;maddr=239.128.16.254;ttl=16",
		"UDP", "sip.example.com", SL_HOST_NAME, 0, "7c337f30d7ce.1",
		NULL, "239.128.16.254", -1, 16, "branch=7c337f30d7ce.1\r\n  "
		";maddr=239.128.16.254;ttl=16"),
	VIA_OK_("ttl 0 and IPv6 maddr", "SIP/2.0/UDP h.example.com;ttl=0;"
		"maddr=[ff02::1]", "UDP", "h.example.com", SL_HOST_NAME, 0,
		NULL, NULL, "ff02::1", -1, 0, "ttl=0;maddr=[ff02::1]"),
	VIA_OK_("ttl 255, maddr name", "SIP/2.0/UDP h.example.com;ttl=255;"
		"maddr=mcast.example.net", "UDP", "h.example.com",
		SL_HOST_NAME, 0, NULL, NULL, "mcast.example.net", -1, 255,
		"ttl=255;maddr=mcast.example.net"),
	VIA_OK_("names case-insensitive", "SIP/2.0/UDP h.example.com;BRANCH="
		"z9hG4bKx;Received=1.2.3.4;RPort=5;TTL=1", "UDP",
		"h.example.com", SL_HOST_NAME, 0, "z9hG4bKx", "1.2.3.4", NULL,
		5, 1, "BRANCH=z9hG4bKx;Received=1.2.3.4;RPort=5;TTL=1"),
	VIA_OK_("extension parameters kept", "SIP/2.0/TLS h.example.com:5061;"
		"branch=z9hG4bKx;alias;keep=30;foo=\"bar baz\"", "TLS",
		"h.example.com", SL_HOST_NAME, 5061, "z9hG4bKx", NULL, NULL, -1,
		-1, "branch=z9hG4bKx;alias;keep=30;foo=\"bar baz\""),
	VIA_OK_("lower-case transport, FQDN dot", "SIP/2.0/udp "
		"host.example.com.:65535", "udp", "host.example.com.",
		SL_HOST_NAME, 65535, NULL, NULL, NULL, -1, -1, NULL),
	VIA_OK_("tabs everywhere", "SIP \t/\t 2.0 \t /\tUDP\t192.0.2.1\t;"
		"foo=BaR;bar=\"BaZ\"", "UDP", "192.0.2.1", SL_HOST_IPV4, 0,
		NULL, NULL, NULL, -1, -1, "foo=BaR;bar=\"BaZ\""),
	VIA_OK_("trailing white space", "SIP/2.0/UDP 192.0.2.1 ; branch=x  ",
		"UDP", "192.0.2.1", SL_HOST_IPV4, 0, "x", NULL, NULL, -1, -1,
		"branch=x"),
	{ "RFC 4475 3.1.2.16 badvers (syntax is fine)",
	  "SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw", 0, "SIP", "7.0",
	  "UDP", "c.example.com", SL_HOST_NAME, 0, "z9hG4bKkdjuw", NULL, NULL,
	  -1, -1, "branch=z9hG4bKkdjuw" },

	VIA_BAD_("empty", ""),
	VIA_BAD_("blank", "  "),
	VIA_BAD_("no host", "SIP/2.0/UDP"),
	VIA_BAD_("no host, white space", "SIP/2.0/UDP  "),
	VIA_BAD_("no host, params", "SIP/2.0/UDP ;branch=z9hG4bKx"),
	VIA_BAD_("no transport", "SIP/2.0 pc33.atlanta.com"),
	VIA_BAD_("empty version", "SIP//UDP h.example.com"),
	VIA_BAD_("no protocol name", "/2.0/UDP h.example.com"),
	VIA_BAD_("no LWS before sent-by", "SIP/2.0/UDP;branch=x"),
	VIA_BAD_("transport glued to host", "SIP/2.0/UDP:5060"),
	VIA_BAD_("four parts", "SIP/2.0/UDP/X h.example.com"),
	VIA_BAD_("port 0", "SIP/2.0/UDP h.example.com:0"),
	VIA_BAD_("port 65536", "SIP/2.0/UDP h.example.com:65536"),
	VIA_BAD_("port 6 digits", "SIP/2.0/UDP h.example.com:050600"),
	VIA_BAD_("empty port", "SIP/2.0/UDP h.example.com:"),
	VIA_BAD_("port letters", "SIP/2.0/UDP h.example.com:abc"),
	VIA_BAD_("negative port", "SIP/2.0/UDP h.example.com:-1"),
	VIA_BAD_("two ports", "SIP/2.0/UDP h.example.com:5060:5061"),
	VIA_BAD_("junk after sent-by", "SIP/2.0/UDP h.example.com junk"),
	VIA_BAD_("junk after params", "SIP/2.0/UDP h.example.com;branch=z9 x"),
	VIA_BAD_("RFC 4475 3.1.2.1 badinv01 ';;'", "SIP/2.0/UDP 192.0.2.15;;"),
	VIA_BAD_("trailing ';'", "SIP/2.0/UDP 192.0.2.15;"),
	VIA_BAD_("';;' before the first parameter", "SIP/2.0/UDP "
		 "192.0.2.15;;branch=z9hG4bKx"),
	VIA_BAD_("'; ;' before the first parameter", "SIP/2.0/UDP "
		 "192.0.2.15; ;branch=z9hG4bKx"),
	VIA_BAD_("trailing ';' after param", "SIP/2.0/UDP h.example.com;"
		 "branch=z9hG4bKx;"),
	VIA_BAD_("comma inside", "SIP/2.0/UDP h.example.com;branch=a,b"),
	VIA_BAD_("RFC 2543 comment", "SIP/2.0/UDP h.example.com (comment)"),
	VIA_BAD_("bad label", "SIP/2.0/UDP -bad.example.com"),
	VIA_BAD_("numeric top label", "SIP/2.0/UDP 192.0.2.256"),
	VIA_BAD_("RFC 5118 unbracketed IPv6 sent-by",
		 "SIP/2.0/UDP 2001:db8::9:1;branch=z9hG4bKas3"),
	VIA_BAD_("unterminated IPv6 reference", "SIP/2.0/UDP [2001:db8::9:1"),
	VIA_BAD_("RFC 5118 4.4-like ':::'", "SIP/2.0/UDP [2001:db8:::192.0.2.1]"
		 ";branch=z9hG4bKas3"),
	VIA_BAD_("ttl 256", "SIP/2.0/UDP h.example.com;ttl=256"),
	VIA_BAD_("ttl 4 digits", "SIP/2.0/UDP h.example.com;ttl=0016"),
	VIA_BAD_("ttl empty", "SIP/2.0/UDP h.example.com;ttl="),
	VIA_BAD_("ttl no value", "SIP/2.0/UDP h.example.com;ttl"),
	VIA_BAD_("ttl letters", "SIP/2.0/UDP h.example.com;ttl=ab"),
	VIA_BAD_("ttl quoted", "SIP/2.0/UDP h.example.com;ttl=\"5\""),
	VIA_BAD_("received host name", "SIP/2.0/UDP h.example.com;received="
		 "host.example.com"),
	VIA_BAD_("received bad IPv4", "SIP/2.0/UDP h.example.com;received="
		 "192.0.2.256"),
	VIA_BAD_("received bracketed IPv4", "SIP/2.0/UDP h.example.com;"
		 "received=[192.0.2.1]"),
	VIA_BAD_("received bad IPv6", "SIP/2.0/UDP h.example.com;received="
		 "2001:db8:::1"),
	VIA_BAD_("received half bracket", "SIP/2.0/UDP h.example.com;"
		 "received=[2001:db8::1"),
	VIA_BAD_("received no value", "SIP/2.0/UDP h.example.com;received"),
	VIA_BAD_("received quoted", "SIP/2.0/UDP h.example.com;received="
		 "\"192.0.2.1\""),
	VIA_BAD_("maddr bad host", "SIP/2.0/UDP h.example.com;maddr=bad_host"),
	VIA_BAD_("maddr bad IPv6", "SIP/2.0/UDP h.example.com;maddr=[zz::1]"),
	VIA_BAD_("maddr no value", "SIP/2.0/UDP h.example.com;maddr"),
	VIA_BAD_("rport 0", "SIP/2.0/UDP h.example.com;rport=0"),
	VIA_BAD_("rport 65536", "SIP/2.0/UDP h.example.com;rport=65536"),
	VIA_BAD_("rport letters", "SIP/2.0/UDP h.example.com;rport=x"),
	VIA_BAD_("rport quoted", "SIP/2.0/UDP h.example.com;rport=\"5060\""),
	VIA_BAD_("branch quoted", "SIP/2.0/UDP h.example.com;branch="
		 "\"z9hG4bKx\""),
	VIA_BAD_("branch not a token", "SIP/2.0/UDP h.example.com;branch=a:b"),
	VIA_BAD_("branch no value", "SIP/2.0/UDP h.example.com;branch"),
	VIA_BAD_("two branches", "SIP/2.0/UDP h.example.com;branch=z9hG4bKa;"
		 "branch=z9hG4bKb"),
	VIA_BAD_("two received", "SIP/2.0/UDP h.example.com;received=1.2.3.4;"
		 "RECEIVED=1.2.3.5"),
	VIA_BAD_("two rport", "SIP/2.0/UDP h.example.com;rport;rport=5"),
	VIA_BAD_("two ttl", "SIP/2.0/UDP h.example.com;ttl=1;ttl=1"),
	VIA_BAD_("two maddr", "SIP/2.0/UDP h.example.com;maddr=a.b;maddr=a.b"),
	VIA_BAD_("control character", "SIP/2.0/UDP h.example.com;branch=a\x01"),
};

START_TEST(via_vectors)
{
	const struct via_vec *v = &via_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_via via;
	int rc = sl_via_decode(in, &via);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(via.proto_name, v->name, "protocol", v->ref);
	ck_slice(via.proto_version, v->version, "version", v->ref);
	ck_slice(via.transport, v->transport, "transport", v->ref);
	ck_slice(via.host, v->host, "host", v->ref);
	ck_assert_msg(via.host_type == v->host_type, "%s: host type %d",
		      v->ref, (int)via.host_type);
	ck_assert_msg(via.port == v->port, "%s: port %u", v->ref,
		      (unsigned)via.port);
	ck_slice(via.branch, v->branch, "branch", v->ref);
	ck_slice(via.received, v->received, "received", v->ref);
	ck_slice(via.maddr, v->maddr, "maddr", v->ref);
	ck_assert_msg(via.rport == v->rport, "%s: rport %d", v->ref,
		      (int)via.rport);
	ck_assert_msg(via.ttl == v->ttl, "%s: ttl %d", v->ref, (int)via.ttl);
	ck_slice(via.params, v->params, "params", v->ref);
	ck_inside(via.proto_name, in, "protocol", v->ref);
	ck_inside(via.transport, in, "transport", v->ref);
	ck_inside(via.host, in, "host", v->ref);
	ck_inside(via.branch, in, "branch", v->ref);
	ck_inside(via.received, in, "received", v->ref);
	ck_inside(via.maddr, in, "maddr", v->ref);
	ck_inside(via.params, in, "params", v->ref);
}
END_TEST

START_TEST(via_long_branch)
{
	/* RFC 4475 3.1.1.7 longreq: a very long branch is still a token */
	static char text[4096];
	struct sl_via via;
	size_t n;

	n = (size_t)snprintf(text, sizeof(text),
			     "SIP/2.0/UDP 192.0.2.15;branch=z9hG4bK");
	memset(text + n, 'a', sizeof(text) - n - 1);
	text[sizeof(text) - 1] = '\0';
	ck_assert_int_eq(sl_via_decode(S(text), &via), 0);
	ck_assert_uint_eq(via.branch.len, sizeof(text) - 1 - n + 7);
}
END_TEST

START_TEST(via_nul_byte_rejected)
{
	const char buf[] = "SIP/2.0/UDP h.exa\0mple.com";
	struct sl_slice v = { buf, sizeof(buf) - 1 };
	struct sl_via via;

	ck_assert_int_eq(sl_via_decode(v, &via), SL_EPARSE);
}
END_TEST

START_TEST(via_not_nul_terminated)
{
	/* the value ends at len even when more bytes follow in the buffer */
	const char buf[] = "SIP/2.0/UDP h.example.com:5060;branch=z9hG4bKx;"
			   "ttl=999";
	struct sl_slice v = { buf, sizeof(buf) - 1 - 8 };
	struct sl_via via;

	ck_assert_int_eq(sl_via_decode(v, &via), 0);
	ck_slice(via.branch, "z9hG4bKx", "branch", "cut buffer");
	ck_assert_int_eq(via.ttl, -1);
	v.len = 28; /* "SIP/2.0/UDP h.example.com:50" */
	ck_assert_int_eq(sl_via_decode(v, &via), 0);
	ck_assert_uint_eq(via.port, 50);
}
END_TEST

/* ------------------------------------------------------------------ auth */

struct auth_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *scheme, *realm, *domain, *nonce, *opaque, *algorithm;
	const char *qop, *username, *uri, *response, *cnonce, *nc;
	const char *userhash, *charset;
	int stale;
	const char *params; /* NULL: everything after the scheme */
};

static const struct auth_vec auth_vecs[] = {
	{ "RFC 3261 20.44 challenge",
	  "Digest realm=\"atlanta.com\", domain=\"sip:boxesbybob.com\", "
	  "qop=\"auth\", nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", "
	  "opaque=\"\", stale=FALSE, algorithm=MD5", 0,
	  "Digest", "atlanta.com", "sip:boxesbybob.com",
	  "f84f1cec41e6cbe5aea9c8e88d359", NULL, "MD5", "auth", NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "RFC 3261 20.7 credentials",
	  "Digest username=\"Alice\", realm=\"atlanta.com\", "
	  "nonce=\"84a4cc6f3082121f32b42a2187831a9e\", "
	  "response=\"7587245234b3434cc3412213e5f113a5432\"", 0,
	  "Digest", "atlanta.com", NULL, "84a4cc6f3082121f32b42a2187831a9e",
	  NULL, NULL, NULL, "Alice", NULL,
	  "7587245234b3434cc3412213e5f113a5432", NULL, NULL, NULL, NULL, 0,
	  NULL },
	{ "RFC 3665 3.2 Proxy-Authorization",
	  "Digest username=\"alice\", realm=\"atlanta.example.com\", "
	  "nonce=\"wf84f1ceczx41ae6cbe5aea9c8e88d359\", opaque=\"\", "
	  "uri=\"sip:bob@biloxi.example.com\", "
	  "response=\"42ce3cef44b22f50c6a6071bc8\"", 0,
	  "Digest", "atlanta.example.com", NULL,
	  "wf84f1ceczx41ae6cbe5aea9c8e88d359", NULL, NULL, NULL, "alice",
	  "sip:bob@biloxi.example.com", "42ce3cef44b22f50c6a6071bc8", NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "RFC 2617 3.5 challenge qop list",
	  "Digest\r\n realm=\"testrealm@host.com\",\r\n "
	  "qop=\"auth,auth-int\",\r\n "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n "
	  "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", 0,
	  "Digest", "testrealm@host.com", NULL,
	  "dcd98b7102dd2f0e8b11d0f600bfb0c093",
	  "5ccc069c403ebaf9f0171e9517f40e41", NULL, "auth,auth-int", NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, 0,
	  "realm=\"testrealm@host.com\",\r\n qop=\"auth,auth-int\",\r\n "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\",\r\n "
	  "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"" },
	{ "RFC 2617 3.5 credentials",
	  "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
	  "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
	  "uri=\"/dir/index.html\", qop=auth, nc=00000001, "
	  "cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\","
	  " opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", 0,
	  "Digest", "testrealm@host.com", NULL,
	  "dcd98b7102dd2f0e8b11d0f600bfb0c093",
	  "5ccc069c403ebaf9f0171e9517f40e41", NULL, "auth", "Mufasa",
	  "/dir/index.html", "6629fae49393a05397450978507c4ef1", "0a4f113b",
	  "00000001", NULL, NULL, 0, NULL },
	{ "RFC 7616 3.9.1 first of two challenges (SHA-256)",
	  "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	  "algorithm=SHA-256, "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"", 0,
	  "Digest", "http-auth@example.org", NULL,
	  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
	  "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", "SHA-256",
	  "auth, auth-int", NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
	  NULL },
	{ "RFC 7616 3.9.1 second of two challenges (MD5)",
	  "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
	  "algorithm=MD5, "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"", 0,
	  "Digest", "http-auth@example.org", NULL,
	  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
	  "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", "MD5",
	  "auth, auth-int", NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
	  NULL },
	{ "RFC 7616 3.9.1 credentials",
	  "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
	  "uri=\"/dir/index.html\", algorithm=SHA-256, "
	  "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
	  "nc=00000001, "
	  "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
	  "qop=auth, response=\"753927fa0e85d155564e2e272a28d1802ca10daf44967"
	  "94697cf8db5856cb6c1\", "
	  "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"", 0,
	  "Digest", "http-auth@example.org", NULL,
	  "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
	  "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", "SHA-256", "auth",
	  "Mufasa", "/dir/index.html",
	  "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
	  "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "00000001", NULL,
	  NULL, 0, NULL },
	{ "RFC 7616 3.9.2 challenge with charset and userhash",
	  "Digest realm=\"api@example.org\", qop=\"auth\", "
	  "algorithm=SHA-512-256, "
	  "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", "
	  "opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", "
	  "charset=UTF-8, userhash=true", 0,
	  "Digest", "api@example.org", NULL,
	  "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
	  "HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", "SHA-512-256",
	  "auth", NULL, NULL, NULL, NULL, NULL, "true", "UTF-8", 0, NULL },
	{ "RFC 7616 3.9.2 credentials with hashed user",
	  "Digest username=\"488869477bf257147b804c45308cd62ac4e25eb717b12b"
	  "298c79e62dcea254ec\", realm=\"api@example.org\", "
	  "uri=\"/doe.json\", algorithm=SHA-512-256, "
	  "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", "
	  "nc=00000001, "
	  "cnonce=\"NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v\", qop=auth, "
	  "response=\"ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025"
	  "f607a79dd\", opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\""
	  ", userhash=true", 0,
	  "Digest", "api@example.org", NULL,
	  "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
	  "HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", "SHA-512-256",
	  "auth",
	  "488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec",
	  "/doe.json",
	  "ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd",
	  "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", "00000001", "true",
	  NULL, 0, NULL },
	{ "RFC 7616 3.4.4 username* kept in params",
	  "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "
	  "realm=\"api@example.org\", nonce=\"n\"", 0,
	  "Digest", "api@example.org", NULL, "n", NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "stale=TRUE", "Digest realm=\"r\", nonce=\"n2\", stale=TRUE", 0,
	  "Digest", "r", NULL, "n2", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 1, NULL },
	{ "stale=true", "Digest stale=true, realm=\"r\"", 0,
	  "Digest", "r", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 1, NULL },
	{ "stale quoted", "Digest realm=\"r\",stale=\"True\"", 0,
	  "Digest", "r", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 1, NULL },
	{ "stale other value", "Digest realm=\"r\", stale=maybe", 0,
	  "Digest", "r", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "LWS around '=' and ','",
	  "digest realm = \"a\" ,  nonce= \"b\"\t,\r\n\talgorithm =MD5", 0,
	  "digest", "a", NULL, "b", NULL, "MD5", NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "names case-insensitive", "Digest REALM=\"r\", Nonce=\"n\", "
	  "QOP=auth-int, Algorithm=MD5-sess", 0,
	  "Digest", "r", NULL, "n", NULL, "MD5-sess", "auth-int", NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "escapes kept", "Digest realm=\"a\\\"b\", nonce=\"x\"", 0,
	  "Digest", "a\\\"b", NULL, "x", NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "unknown parameters kept", "Digest realm=\"r\", foo=bar, "
	  "baz=\"q, v\", nonce=\"n\"", 0,
	  "Digest", "r", NULL, "n", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "RFC 4475 3.3.7 regaut01 unknown scheme",
	  "NoOneKnowsThisScheme opaque-data=here", 0,
	  "NoOneKnowsThisScheme", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, 0, "opaque-data=here" },
	{ "RFC 2617 2 Basic challenge", "Basic realm=\"WallyWorld\"", 0,
	  "Basic", "WallyWorld", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "RFC 2617 2 Basic credentials (token68)",
	  "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", 0,
	  "Basic", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, 0, "QWxhZGRpbjpvcGVuIHNlc2FtZQ==" },
	{ "bare scheme", "Negotiate", 0,
	  "Negotiate", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, 0, NULL },
	{ "sixteen unknown parameters",
	  "Foo a=1, b=1, c=1, d=1, e=1, f=1, g=1, h=1, i=1, j=1, k=1, l=1, "
	  "m=1, n=1, o=1, p=1", 0,
	  "Foo", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },

	{ "empty", "", SL_EPARSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "Digest without parameters", "Digest", SL_EPARSE, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0,
	  NULL },
	{ "Digest and blanks", "Digest   ", SL_EPARSE, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "no '='", "Digest realm", SL_EPARSE, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "no value", "Digest realm=", SL_EPARSE, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "trailing comma", "Digest realm=\"r\",", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "empty element", "Digest realm=\"r\",, nonce=\"n\"", SL_EPARSE,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "leading comma", "Digest , realm=\"r\"", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "missing comma", "Digest realm=\"r\" nonce=\"n\"", SL_EPARSE, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, 0, NULL },
	{ "duplicate realm", "Digest realm=\"r\", realm=\"s\"", SL_EPARSE,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "duplicate nonce, other case", "Digest nonce=\"a\", NONCE=\"b\"",
	  SL_EPARSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "duplicate unknown", "Digest foo=1, realm=\"r\", Foo=2", SL_EPARSE,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "duplicate stale", "Digest stale=true, stale=false", SL_EPARSE,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "duplicate userhash", "Digest userhash=true, userhash=false",
	  SL_EPARSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "seventeen unknown parameters",
	  "Foo a=1, b=1, c=1, d=1, e=1, f=1, g=1, h=1, i=1, j=1, k=1, l=1, "
	  "m=1, n=1, o=1, p=1, q=1", SL_EPARSE, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "unterminated quote", "Digest realm=\"r", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "unquoted with space", "Digest realm=a b", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "unquoted URI", "Digest uri=sip:bob@example.com", SL_EPARSE, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, 0, NULL },
	{ "two challenges in one value",
	  "Digest realm=\"a\", nonce=\"n\", Basic realm=\"b\"", SL_EPARSE,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
	{ "quoted scheme", "\"Digest\" realm=\"a\"", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "no space after scheme", "Digestrealm=\"a\"", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "scheme then comma", "Digest, realm=\"a\"", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "no name", "Digest =\"a\"", SL_EPARSE, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "token68 with space", "Basic QWxh ZGRp", SL_EPARSE, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, 0, NULL },
	{ "token68 for Digest", "Digest QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
	  SL_EPARSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "semicolon separators", "Digest realm=\"a\"; nonce=\"b\"",
	  SL_EPARSE, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, NULL, NULL, 0, NULL },
	{ "control character in quote", "Digest realm=\"a\x01\"", SL_EPARSE,
	  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	  NULL, NULL, NULL, 0, NULL },
};

START_TEST(auth_vectors)
{
	const struct auth_vec *v = &auth_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_auth a;
	int rc = sl_auth_decode(in, &a);
	const char *after;

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(a.scheme, v->scheme, "scheme", v->ref);
	ck_slice(a.realm, v->realm, "realm", v->ref);
	ck_slice(a.domain, v->domain, "domain", v->ref);
	ck_slice(a.nonce, v->nonce, "nonce", v->ref);
	ck_slice(a.opaque, v->opaque, "opaque", v->ref);
	ck_slice(a.algorithm, v->algorithm, "algorithm", v->ref);
	ck_slice(a.qop, v->qop, "qop", v->ref);
	ck_slice(a.username, v->username, "username", v->ref);
	ck_slice(a.uri, v->uri, "uri", v->ref);
	ck_slice(a.response, v->response, "response", v->ref);
	ck_slice(a.cnonce, v->cnonce, "cnonce", v->ref);
	ck_slice(a.nc, v->nc, "nc", v->ref);
	ck_slice(a.userhash, v->userhash, "userhash", v->ref);
	ck_slice(a.charset, v->charset, "charset", v->ref);
	ck_assert_msg(a.stale == v->stale, "%s: stale %d", v->ref, a.stale);
	if (v->params) {
		ck_slice(a.params, v->params, "params", v->ref);
	} else {
		/* everything after the scheme and its white space */
		after = v->text + strlen(v->scheme);
		while (*after == ' ' || *after == '\t' || *after == '\r' ||
		       *after == '\n')
			after++;
		ck_slice(a.params, after, "params", v->ref);
	}
	ck_inside(a.scheme, in, "scheme", v->ref);
	ck_inside(a.realm, in, "realm", v->ref);
	ck_inside(a.nonce, in, "nonce", v->ref);
	ck_inside(a.response, in, "response", v->ref);
	ck_inside(a.params, in, "params", v->ref);
}
END_TEST

START_TEST(auth_opaque_present_but_empty)
{
	/* opaque="" must be echoed back: it is empty, not absent; the slice
	 * still points at the closing quote so a caller can tell */
	struct sl_auth a;
	const char *t = "Digest realm=\"r\", opaque=\"\"";

	ck_assert_int_eq(sl_auth_decode(S(t), &a), 0);
	ck_assert_uint_eq(a.opaque.len, 0);
	ck_assert_ptr_eq(a.opaque.p, t + strlen(t) - 1);
}
END_TEST

/* ---------------------------------------------------------- CSeq, RAck */

struct cseq_vec {
	const char *ref;
	const char *text;
	int rc;
	uint32_t seq;
	const char *method;
};

static const struct cseq_vec cseq_vecs[] = {
	{ "RFC 3261 20.16", "4711 INVITE", 0, 4711, "INVITE" },
	{ "RFC 4475 3.1.1.1 wsinv", "0009\r\n  INVITE", 0, 9, "INVITE" },
	{ "zero", "0 INVITE", 0, 0, "INVITE" },
	{ "31-bit max", "2147483647 ACK", 0, 2147483647u, "ACK" },
	{ "leading zeros", "00000000000000000001 BYE", 0, 1, "BYE" },
	{ "RFC 4475 3.1.1.2 intmeth", "139122385 !interesting-Method"
	  "0123456789_*+`.%indeed'~", 0, 139122385,
	  "!interesting-Method0123456789_*+`.%indeed'~" },
	{ "RFC 4475 3.1.1.5 escaped method", "14398234 RE%47IST%45R", 0,
	  14398234, "RE%47IST%45R" },
	{ "blanks around", "  17 \t BYE  ", 0, 17, "BYE" },
	{ "2**31", "2147483648 INVITE", SL_EPARSE, 0, NULL },
	{ "RFC 4475 3.1.2.5 scalarlg", "36893488147419103232 INVITE",
	  SL_EPARSE, 0, NULL },
	{ "RFC 4475 3.1.2.4 scalar02", "9292394834772304023312 OPTIONS",
	  SL_EPARSE, 0, NULL },
	{ "empty", "", SL_EPARSE, 0, NULL },
	{ "no number", "INVITE", SL_EPARSE, 0, NULL },
	{ "no method", "1", SL_EPARSE, 0, NULL },
	{ "no method, blank", "1  ", SL_EPARSE, 0, NULL },
	{ "no LWS", "1INVITE", SL_EPARSE, 0, NULL },
	{ "negative", "-1 INVITE", SL_EPARSE, 0, NULL },
	{ "fraction", "1.5 INVITE", SL_EPARSE, 0, NULL },
	{ "extra word", "1 INVITE extra", SL_EPARSE, 0, NULL },
	{ "method not a token", "1 <INVITE>", SL_EPARSE, 0, NULL },
	{ "method with slash", "1 INV/ITE", SL_EPARSE, 0, NULL },
};

START_TEST(cseq_vectors)
{
	const struct cseq_vec *v = &cseq_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_cseq cs;
	int rc = sl_cseq_decode(in, &cs);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_assert_msg(cs.seq == v->seq, "%s: seq %u", v->ref,
		      (unsigned)cs.seq);
	ck_slice(cs.method, v->method, "method", v->ref);
	ck_inside(cs.method, in, "method", v->ref);
}
END_TEST

struct rack_vec {
	const char *ref;
	const char *text;
	int rc;
	uint32_t rseq, cseq;
	const char *method;
};

static const struct rack_vec rack_vecs[] = {
	{ "RFC 3262 7.2", "776656 1 INVITE", 0, 776656, 1, "INVITE" },
	{ "CSeq 0", "1 0 INVITE", 0, 1, 0, "INVITE" },
	{ "32-bit max", "4294967295 4294967295 INVITE", 0, UINT32_MAX,
	  UINT32_MAX, "INVITE" },
	{ "folded", "776656\r\n 1\r\n\tINVITE", 0, 776656, 1, "INVITE" },
	{ "RSeq 0", "0 1 INVITE", SL_EPARSE, 0, 0, NULL },
	{ "RSeq 2**32", "4294967296 1 INVITE", SL_EPARSE, 0, 0, NULL },
	{ "CSeq 2**32", "1 4294967296 INVITE", SL_EPARSE, 0, 0, NULL },
	{ "no CSeq", "1 INVITE", SL_EPARSE, 0, 0, NULL },
	{ "no method", "1 2", SL_EPARSE, 0, 0, NULL },
	{ "no LWS", "1 2INVITE", SL_EPARSE, 0, 0, NULL },
	{ "extra", "1 2 INVITE x", SL_EPARSE, 0, 0, NULL },
	{ "empty", "", SL_EPARSE, 0, 0, NULL },
	{ "letters", "a b INVITE", SL_EPARSE, 0, 0, NULL },
};

START_TEST(rack_vectors)
{
	const struct rack_vec *v = &rack_vecs[_i];
	struct sl_rack r;
	int rc = sl_rack_decode(S(v->text), &r);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_assert_msg(r.rseq == v->rseq, "%s: rseq %u", v->ref,
		      (unsigned)r.rseq);
	ck_assert_msg(r.cseq == v->cseq, "%s: cseq %u", v->ref,
		      (unsigned)r.cseq);
	ck_slice(r.method, v->method, "method", v->ref);
}
END_TEST

/* --------------------------------------------- Event, Subscription-State */

struct event_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *package, *id, *params;
};

static const struct event_vec event_vecs[] = {
	{ "RFC 6665 presence", "presence", 0, "presence", NULL, NULL },
	{ "RFC 4235 dialog with id", "dialog;id=1234", 0, "dialog", "1234",
	  "id=1234" },
	{ "RFC 3515 refer", "refer;id=93809824", 0, "refer", "93809824",
	  "id=93809824" },
	{ "RFC 3857 template", "presence.winfo", 0, "presence.winfo", NULL,
	  NULL },
	{ "RFC 3842", "message-summary", 0, "message-summary", NULL, NULL },
	{ "RFC 6080 params", "ua-profile;profile-type=device;vendor=\"acme\"",
	  0, "ua-profile", NULL, "profile-type=device;vendor=\"acme\"" },
	{ "LWS", "conference ; id = x ;\r\n other", 0, "conference", "x",
	  "id = x ;\r\n other" },
	{ "ID upper case", "reg;ID=7", 0, "reg", "7", "ID=7" },
	{ "empty", "", SL_EPARSE, NULL, NULL, NULL },
	{ "leading dot", ".presence", SL_EPARSE, NULL, NULL, NULL },
	{ "trailing dot", "presence.", SL_EPARSE, NULL, NULL, NULL },
	{ "empty part", "pres..ence", SL_EPARSE, NULL, NULL, NULL },
	{ "trailing ';'", "presence;", SL_EPARSE, NULL, NULL, NULL },
	{ "';;'", "presence;;id=1", SL_EPARSE, NULL, NULL, NULL },
	{ "no ';'", "presence id=1", SL_EPARSE, NULL, NULL, NULL },
	{ "id without value", "presence;id", SL_EPARSE, NULL, NULL, NULL },
	{ "id quoted", "presence;id=\"x\"", SL_EPARSE, NULL, NULL, NULL },
	{ "id not a token", "presence;id=a:b", SL_EPARSE, NULL, NULL, NULL },
	{ "two ids", "presence;id=1;id=2", SL_EPARSE, NULL, NULL, NULL },
	{ "not a token", "pres/ence", SL_EPARSE, NULL, NULL, NULL },
};

START_TEST(event_vectors)
{
	const struct event_vec *v = &event_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_event_header e;
	int rc = sl_event_decode(in, &e);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(e.package, v->package, "package", v->ref);
	ck_slice(e.id, v->id, "id", v->ref);
	ck_slice(e.params, v->params, "params", v->ref);
	ck_inside(e.package, in, "package", v->ref);
	ck_inside(e.id, in, "id", v->ref);
	ck_inside(e.params, in, "params", v->ref);
}
END_TEST

struct substate_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *state, *reason;
	int64_t expires, retry_after;
	const char *params;
};

static const struct substate_vec substate_vecs[] = {
	{ "RFC 6665 active", "active;expires=3600", 0, "active", NULL, 3600,
	  -1, "expires=3600" },
	{ "pending", "pending", 0, "pending", NULL, -1, -1, NULL },
	{ "terminated timeout", "terminated;reason=timeout", 0, "terminated",
	  "timeout", -1, -1, "reason=timeout" },
	{ "terminated retry", "terminated;reason=noresource;retry-after=3600",
	  0, "terminated", "noresource", -1, 3600,
	  "reason=noresource;retry-after=3600" },
	{ "zero values", "terminated;reason=giveup;retry-after=0;expires=0", 0,
	  "terminated", "giveup", 0, 0,
	  "reason=giveup;retry-after=0;expires=0" },
	{ "32-bit max", "active;expires=4294967295", 0, "active", NULL,
	  4294967295LL, -1, "expires=4294967295" },
	{ "LWS and case", "Active ; EXPIRES = 600 ; x-foo=bar", 0, "Active",
	  NULL, 600, -1, "EXPIRES = 600 ; x-foo=bar" },
	{ "empty", "", SL_EPARSE, NULL, NULL, 0, 0, NULL },
	{ "expires no value", "active;expires", SL_EPARSE, NULL, NULL, 0, 0,
	  NULL },
	{ "expires letters", "active;expires=abc", SL_EPARSE, NULL, NULL, 0,
	  0, NULL },
	{ "expires 2**32", "active;expires=4294967296", SL_EPARSE, NULL,
	  NULL, 0, 0, NULL },
	{ "expires quoted", "active;expires=\"60\"", SL_EPARSE, NULL, NULL, 0,
	  0, NULL },
	{ "two expires", "active;expires=1;expires=2", SL_EPARSE, NULL, NULL,
	  0, 0, NULL },
	{ "two reasons", "terminated;reason=a;reason=b", SL_EPARSE, NULL,
	  NULL, 0, 0, NULL },
	{ "two retry-after", "terminated;retry-after=1;retry-after=1",
	  SL_EPARSE, NULL, NULL, 0, 0, NULL },
	{ "reason quoted", "terminated;reason=\"timeout\"", SL_EPARSE, NULL,
	  NULL, 0, 0, NULL },
	{ "reason no value", "terminated;reason", SL_EPARSE, NULL, NULL, 0, 0,
	  NULL },
	{ "no ';'", "active expires=1", SL_EPARSE, NULL, NULL, 0, 0, NULL },
	{ "no state", ";expires=1", SL_EPARSE, NULL, NULL, 0, 0, NULL },
	{ "negative retry", "active;retry-after=-1", SL_EPARSE, NULL, NULL, 0,
	  0, NULL },
};

START_TEST(substate_vectors)
{
	const struct substate_vec *v = &substate_vecs[_i];
	struct sl_subscription_state s;
	int rc = sl_subscription_state_decode(S(v->text), &s);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(s.state, v->state, "state", v->ref);
	ck_slice(s.reason, v->reason, "reason", v->ref);
	ck_assert_msg(s.expires == v->expires, "%s: expires %lld", v->ref,
		      (long long)s.expires);
	ck_assert_msg(s.retry_after == v->retry_after, "%s: retry %lld",
		      v->ref, (long long)s.retry_after);
	ck_slice(s.params, v->params, "params", v->ref);
}
END_TEST

/* -------------------------------------------------------------- Replaces */

struct replaces_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *call_id, *to_tag, *from_tag;
	int early_only;
};

static const struct replaces_vec replaces_vecs[] = {
	{ "RFC 3891 6.1", "98732@sip.example.com;from-tag=r33th4x0r;"
	  "to-tag=ff87ff", 0, "98732@sip.example.com", "ff87ff", "r33th4x0r",
	  0 },
	{ "RFC 3891 6.1 early-only", "12adf2f34456gs5;to-tag=12345;"
	  "from-tag=54321;early-only", 0, "12adf2f34456gs5", "12345", "54321",
	  1 },
	{ "RFC 3891 7 (unescaped Refer-To)", "425928@bobster.example.org;"
	  "to-tag=7743;from-tag=6472", 0, "425928@bobster.example.org",
	  "7743", "6472", 0 },
	{ "word characters", "a(b)<c>:d\\e\"f/g[h]i?j{k}@x!y;to-tag=1;"
	  "from-tag=2", 0, "a(b)<c>:d\\e\"f/g[h]i?j{k}@x!y", "1", "2", 0 },
	{ "LWS and case, extension", "id@host ; TO-TAG = a ; From-Tag=b ;"
	  "x=1 ; Early-Only", 0, "id@host", "a", "b", 1 },
	{ "empty", "", SL_EPARSE, NULL, NULL, NULL, 0 },
	{ "no to-tag", "id@host;from-tag=b", SL_EPARSE, NULL, NULL, NULL, 0 },
	{ "no from-tag", "id@host;to-tag=a", SL_EPARSE, NULL, NULL, NULL, 0 },
	{ "no tags", "id@host", SL_EPARSE, NULL, NULL, NULL, 0 },
	{ "early-only with value", "id;to-tag=a;from-tag=b;early-only=1",
	  SL_EPARSE, NULL, NULL, NULL, 0 },
	{ "two to-tags", "id;to-tag=a;from-tag=b;to-tag=c", SL_EPARSE, NULL,
	  NULL, NULL, 0 },
	{ "two from-tags", "id;to-tag=a;from-tag=b;from-tag=c", SL_EPARSE,
	  NULL, NULL, NULL, 0 },
	{ "two early-only", "id;to-tag=a;from-tag=b;early-only;early-only",
	  SL_EPARSE, NULL, NULL, NULL, 0 },
	{ "no call-id", ";to-tag=a;from-tag=b", SL_EPARSE, NULL, NULL, NULL,
	  0 },
	{ "empty host part", "id@;to-tag=a;from-tag=b", SL_EPARSE, NULL, NULL,
	  NULL, 0 },
	{ "empty local part", "@host;to-tag=a;from-tag=b", SL_EPARSE, NULL,
	  NULL, NULL, 0 },
	{ "two '@'", "a@b@c;to-tag=a;from-tag=b", SL_EPARSE, NULL, NULL, NULL,
	  0 },
	{ "to-tag no value", "id;to-tag;from-tag=b", SL_EPARSE, NULL, NULL,
	  NULL, 0 },
	{ "to-tag quoted", "id;to-tag=\"a\";from-tag=b", SL_EPARSE, NULL,
	  NULL, NULL, 0 },
	{ "space in call-id", "a b;to-tag=1;from-tag=2", SL_EPARSE, NULL,
	  NULL, NULL, 0 },
	{ "trailing ';'", "id;to-tag=a;from-tag=b;", SL_EPARSE, NULL, NULL,
	  NULL, 0 },
};

START_TEST(replaces_vectors)
{
	const struct replaces_vec *v = &replaces_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_replaces r;
	int rc = sl_replaces_decode(in, &r);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(r.call_id, v->call_id, "call-id", v->ref);
	ck_slice(r.to_tag, v->to_tag, "to-tag", v->ref);
	ck_slice(r.from_tag, v->from_tag, "from-tag", v->ref);
	ck_assert_int_eq(r.early_only, v->early_only);
	ck_inside(r.call_id, in, "call-id", v->ref);
	ck_inside(r.params, in, "params", v->ref);
}
END_TEST

/* ------------------------------------------------------- Session-Expires */

struct se_vec {
	const char *ref;
	const char *text;
	int rc;
	uint32_t delta;
	const char *refresher, *params;
};

static const struct se_vec se_vecs[] = {
	{ "RFC 4028 4", "1800;refresher=uas", 0, 1800, "uas",
	  "refresher=uas" },
	{ "no refresher", "4000", 0, 4000, NULL, NULL },
	{ "case", "90;REFRESHER=UAC", 0, 90, "UAC", "REFRESHER=UAC" },
	{ "LWS and generic", "1800 ; refresher = uac ; x=y", 0, 1800, "uac",
	  "refresher = uac ; x=y" },
	{ "32-bit max", "4294967295", 0, UINT32_MAX, NULL, NULL },
	{ "empty", "", SL_EPARSE, 0, NULL, NULL },
	{ "letters", "abc", SL_EPARSE, 0, NULL, NULL },
	{ "negative", "-5", SL_EPARSE, 0, NULL, NULL },
	{ "2**32", "4294967296", SL_EPARSE, 0, NULL, NULL },
	{ "bad refresher", "1800;refresher=both", SL_EPARSE, 0, NULL, NULL },
	{ "refresher no value", "1800;refresher", SL_EPARSE, 0, NULL, NULL },
	{ "refresher quoted", "1800;refresher=\"uac\"", SL_EPARSE, 0, NULL,
	  NULL },
	{ "two refreshers", "1800;refresher=uac;refresher=uas", SL_EPARSE, 0,
	  NULL, NULL },
	{ "no ';'", "1800 uac", SL_EPARSE, 0, NULL, NULL },
	{ "trailing ';'", "1800;", SL_EPARSE, 0, NULL, NULL },
};

START_TEST(se_vectors)
{
	const struct se_vec *v = &se_vecs[_i];
	struct sl_session_expires s;
	int rc = sl_session_expires_decode(S(v->text), &s);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_assert_msg(s.delta == v->delta, "%s: delta %u", v->ref,
		      (unsigned)s.delta);
	ck_slice(s.refresher, v->refresher, "refresher", v->ref);
	ck_slice(s.params, v->params, "params", v->ref);
}
END_TEST

/* ---------------------------------------------------------------- Reason */

struct reason_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *protocol;
	int cause;
	const char *text_want, *params;
};

static const struct reason_vec reason_vecs[] = {
	{ "RFC 3326 2", "SIP;cause=200;text=\"Call completed elsewhere\"", 0,
	  "SIP", 200, "Call completed elsewhere",
	  "cause=200;text=\"Call completed elsewhere\"" },
	{ "RFC 3326 2 Q.850", "Q.850;cause=16;text=\"Terminated\"", 0,
	  "Q.850", 16, "Terminated", "cause=16;text=\"Terminated\"" },
	{ "RFC 3326 LWS", "SIP ;cause=580;text=\"Precondition Failure\"", 0,
	  "SIP", 580, "Precondition Failure",
	  "cause=580;text=\"Precondition Failure\"" },
	{ "cause only", "Q.850;cause=31", 0, "Q.850", 31, NULL, "cause=31" },
	{ "RFC 4411 preemption", "preemption ;cause=1 ;text=\"UA Preemption\"",
	  0, "preemption", 1, "UA Preemption",
	  "cause=1 ;text=\"UA Preemption\"" },
	{ "protocol only", "SIP", 0, "SIP", -1, NULL, NULL },
	{ "escapes in text", "SIP;text=\"a \\\"b\\\"\"", 0, "SIP", -1,
	  "a \\\"b\\\"", "text=\"a \\\"b\\\"\"" },
	{ "empty text, extension", "SIP;text=\"\";x-ext=1", 0, "SIP", -1, NULL,
	  "text=\"\";x-ext=1" },
	{ "empty", "", SL_EPARSE, NULL, 0, NULL, NULL },
	{ "cause letters", "SIP;cause=abc", SL_EPARSE, NULL, 0, NULL, NULL },
	{ "cause no value", "SIP;cause", SL_EPARSE, NULL, 0, NULL, NULL },
	{ "cause quoted", "SIP;cause=\"200\"", SL_EPARSE, NULL, 0, NULL, NULL },
	{ "cause too big", "SIP;cause=99999999999", SL_EPARSE, NULL, 0, NULL,
	  NULL },
	{ "text unquoted", "SIP;text=unquoted", SL_EPARSE, NULL, 0, NULL,
	  NULL },
	{ "text no value", "SIP;text", SL_EPARSE, NULL, 0, NULL, NULL },
	{ "two causes", "SIP;cause=1;cause=2", SL_EPARSE, NULL, 0, NULL, NULL },
	{ "two texts", "SIP;text=\"a\";text=\"b\"", SL_EPARSE, NULL, 0, NULL,
	  NULL },
	{ "no ';'", "SIP cause=200", SL_EPARSE, NULL, 0, NULL, NULL },
	{ "no protocol", ";cause=200", SL_EPARSE, NULL, 0, NULL, NULL },
};

START_TEST(reason_vectors)
{
	const struct reason_vec *v = &reason_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_reason r;
	int rc = sl_reason_decode(in, &r);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(r.protocol, v->protocol, "protocol", v->ref);
	ck_assert_msg(r.cause == v->cause, "%s: cause %d", v->ref, r.cause);
	ck_slice(r.text, v->text_want, "text", v->ref);
	ck_slice(r.params, v->params, "params", v->ref);
	ck_inside(r.text, in, "text", v->ref);
}
END_TEST

/* ----------------------------------------------------------- Retry-After */

struct retry_vec {
	const char *ref;
	const char *text;
	int rc;
	uint32_t seconds;
	const char *comment;
	int64_t duration;
	const char *params;
};

static const struct retry_vec retry_vecs[] = {
	{ "RFC 3261 20.33 duration", "18000;duration=3600", 0, 18000, NULL,
	  3600, "duration=3600" },
	{ "RFC 3261 20.33 comment", "120 (I'm in a meeting)", 0, 120,
	  "I'm in a meeting", -1, NULL },
	{ "seconds only", "3600", 0, 3600, NULL, -1, NULL },
	{ "nested comment and params", "300 (a (nested (comment)) here)"
	  ";duration=60;x", 0, 300, "a (nested (comment)) here", 60,
	  "duration=60;x" },
	{ "comment SWS trimmed, no space before", "5( spaced )", 0, 5,
	  "spaced", -1, NULL },
	{ "quoted-pair in comment", "60 (esc \\) paren)", 0, 60,
	  "esc \\) paren", -1, NULL },
	{ "folded comment", "60\r\n (on\r\n call)", 0, 60, "on\r\n call", -1,
	  NULL },
	{ "depth 8", "1 (1(2(3(4(5(6(7(8)7)6)5)4)3)2)1)", 0, 1,
	  "1(2(3(4(5(6(7(8)7)6)5)4)3)2)1", -1, NULL },
	{ "UTF-8 in comment", "1 (r\xc3\xa9union)", 0, 1, "r\xc3\xa9union", -1,
	  NULL },
	{ "empty", "", SL_EPARSE, 0, NULL, 0, NULL },
	{ "RFC 4475 3.1.2.5 scalarlg", "949302838503028349304023988",
	  SL_EPARSE, 0, NULL, 0, NULL },
	{ "comment first", "(comment) 5", SL_EPARSE, 0, NULL, 0, NULL },
	{ "unterminated comment", "120 (unterminated", SL_EPARSE, 0, NULL, 0,
	  NULL },
	{ "extra ')'", "120 (a))", SL_EPARSE, 0, NULL, 0, NULL },
	{ "two comments", "120 (a) (b)", SL_EPARSE, 0, NULL, 0, NULL },
	{ "junk", "120 junk", SL_EPARSE, 0, NULL, 0, NULL },
	{ "duration no value", "120;duration", SL_EPARSE, 0, NULL, 0, NULL },
	{ "duration letters", "120;duration=x", SL_EPARSE, 0, NULL, 0, NULL },
	{ "two durations", "120;duration=1;duration=2", SL_EPARSE, 0, NULL, 0,
	  NULL },
	{ "depth 9", "1 (1(2(3(4(5(6(7(8(9)8)7)6)5)4)3)2)1)", SL_EPARSE, 0,
	  NULL, 0, NULL },
	{ "control character", "1 (a\x01)", SL_EPARSE, 0, NULL, 0, NULL },
	{ "escaped CR", "1 (a\\\r)", SL_EPARSE, 0, NULL, 0, NULL },
	{ "escape at end", "1 (a\\", SL_EPARSE, 0, NULL, 0, NULL },
};

START_TEST(retry_vectors)
{
	const struct retry_vec *v = &retry_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_retry_after r;
	int rc = sl_retry_after_decode(in, &r);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_assert_msg(r.seconds == v->seconds, "%s: seconds %u", v->ref,
		      (unsigned)r.seconds);
	ck_slice(r.comment, v->comment, "comment", v->ref);
	ck_assert_msg(r.duration == v->duration, "%s: duration %lld", v->ref,
		      (long long)r.duration);
	ck_slice(r.params, v->params, "params", v->ref);
	ck_inside(r.comment, in, "comment", v->ref);
}
END_TEST

/* ------------------------------------------------------------- Timestamp */

struct ts_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *value, *delay;
};

static const struct ts_vec ts_vecs[] = {
	{ "integer", "54", 0, "54", NULL },
	{ "RFC 3261 20.38", "54.3", 0, "54.3", NULL },
	{ "empty fraction", "54.", 0, "54.", NULL },
	{ "with delay", "54.3 0.9", 0, "54.3", "0.9" },
	{ "integer delay", "54 1", 0, "54", "1" },
	{ "folded, delay without lead digit", "54\r\n .5", 0, "54", ".5" },
	{ "delay with empty fraction", "54 5.", 0, "54", "5." },
	{ "trailing blanks", "54.3 0.9  ", 0, "54.3", "0.9" },
	{ "empty", "", SL_EPARSE, NULL, NULL },
	{ "no integer part", ".5", SL_EPARSE, NULL, NULL },
	{ "letters", "a", SL_EPARSE, NULL, NULL },
	{ "lone dot delay", "54 .", SL_EPARSE, NULL, NULL },
	{ "two dots", "54.3.2", SL_EPARSE, NULL, NULL },
	{ "three numbers", "54 0.9 1", SL_EPARSE, NULL, NULL },
	{ "comma", "54,3", SL_EPARSE, NULL, NULL },
	{ "trailing letter", "54x", SL_EPARSE, NULL, NULL },
	{ "letter delay", "54 x", SL_EPARSE, NULL, NULL },
};

START_TEST(ts_vectors)
{
	const struct ts_vec *v = &ts_vecs[_i];
	struct sl_timestamp t;
	int rc = sl_timestamp_decode(S(v->text), &t);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(t.value, v->value, "value", v->ref);
	ck_slice(t.delay, v->delay, "delay", v->ref);
}
END_TEST

/* ------------------------------------------------------------ media type */

struct mt_vec {
	const char *ref;
	const char *text;
	int rc;
	const char *type, *subtype, *params;
};

static const struct mt_vec mt_vecs[] = {
	{ "SDP", "application/sdp", 0, "application", "sdp", NULL },
	{ "RFC 4475 3.1.1.11 multipart",
	  "multipart/mixed;boundary=unique-boundary-1", 0, "multipart",
	  "mixed", "boundary=unique-boundary-1" },
	{ "quoted charset", "text/plain; charset=\"UTF-8\"", 0, "text",
	  "plain", "charset=\"UTF-8\"" },
	{ "SLASH with LWS", "application / sdp", 0, "application", "sdp",
	  NULL },
	{ "folded", "application\r\n /\r\n sdp ;\r\n x=1", 0, "application",
	  "sdp", "x=1" },
	{ "Accept any", "*/*", 0, "*", "*", NULL },
	{ "Accept range q", "application/*;q=0.5", 0, "application", "*",
	  "q=0.5" },
	{ "RFC 3420 sipfrag", "message/sipfrag;version=2.0", 0, "message",
	  "sipfrag", "version=2.0" },
	{ "RFC 4662 related", "multipart/related;type=\"application/rlmi+xml\""
	  ";start=\"<nXYxAE@pres.vancouver.example.com>\";boundary="
	  "\"50UBfW7LSCVLtggUPznf\"", 0, "multipart", "related",
	  "type=\"application/rlmi+xml\";start=\"<nXYxAE@pres.vancouver."
	  "example.com>\";boundary=\"50UBfW7LSCVLtggUPznf\"" },
	{ "plus in subtype", "application/pidf+xml", 0, "application",
	  "pidf+xml", NULL },
	{ "empty", "", SL_EPARSE, NULL, NULL, NULL },
	{ "no subtype", "application", SL_EPARSE, NULL, NULL, NULL },
	{ "empty subtype", "application/", SL_EPARSE, NULL, NULL, NULL },
	{ "empty type", "/sdp", SL_EPARSE, NULL, NULL, NULL },
	{ "three parts", "application/sdp/x", SL_EPARSE, NULL, NULL, NULL },
	{ "trailing ';'", "application/sdp;", SL_EPARSE, NULL, NULL, NULL },
	{ "space for slash", "application sdp", SL_EPARSE, NULL, NULL, NULL },
	{ "param with space", "application/sdp;charset=a b", SL_EPARSE, NULL,
	  NULL, NULL },
	{ "param angle", "text/plain;charset=<x>", SL_EPARSE, NULL, NULL,
	  NULL },
};

START_TEST(mt_vectors)
{
	const struct mt_vec *v = &mt_vecs[_i];
	struct sl_slice in = S(v->text);
	struct sl_media_type m;
	int rc = sl_media_type_decode(in, &m);

	ck_assert_msg(rc == v->rc, "%s: rc %d, want %d", v->ref, rc, v->rc);
	if (rc != 0)
		return;
	ck_slice(m.type, v->type, "type", v->ref);
	ck_slice(m.subtype, v->subtype, "subtype", v->ref);
	ck_slice(m.params, v->params, "params", v->ref);
	ck_inside(m.params, in, "params", v->ref);
}
END_TEST

/* ---------------------------------------------- argument checks for all */

START_TEST(decoders_reject_null)
{
	struct sl_slice ok = S("1 INVITE"), bad = { NULL, 4 };
	struct sl_slice none = { NULL, 0 };
	struct sl_via via;
	struct sl_auth a;
	struct sl_cseq cs;
	struct sl_rack ra;
	struct sl_event_header e;
	struct sl_subscription_state ss;
	struct sl_replaces rp;
	struct sl_session_expires se;
	struct sl_reason rs;
	struct sl_retry_after rt;
	struct sl_timestamp ts;
	struct sl_media_type mt;

	ck_assert_int_eq(sl_via_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_auth_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_cseq_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_rack_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_event_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_subscription_state_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_replaces_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_session_expires_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_reason_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_retry_after_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_timestamp_decode(ok, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_media_type_decode(ok, NULL), SL_EINVAL);

	ck_assert_int_eq(sl_via_decode(bad, &via), SL_EINVAL);
	ck_assert_int_eq(sl_auth_decode(bad, &a), SL_EINVAL);
	ck_assert_int_eq(sl_cseq_decode(bad, &cs), SL_EINVAL);
	ck_assert_int_eq(sl_rack_decode(bad, &ra), SL_EINVAL);
	ck_assert_int_eq(sl_event_decode(bad, &e), SL_EINVAL);
	ck_assert_int_eq(sl_subscription_state_decode(bad, &ss), SL_EINVAL);
	ck_assert_int_eq(sl_replaces_decode(bad, &rp), SL_EINVAL);
	ck_assert_int_eq(sl_session_expires_decode(bad, &se), SL_EINVAL);
	ck_assert_int_eq(sl_reason_decode(bad, &rs), SL_EINVAL);
	ck_assert_int_eq(sl_retry_after_decode(bad, &rt), SL_EINVAL);
	ck_assert_int_eq(sl_timestamp_decode(bad, &ts), SL_EINVAL);
	ck_assert_int_eq(sl_media_type_decode(bad, &mt), SL_EINVAL);

	/* an empty slice with p == NULL is legal and simply not a value */
	ck_assert_int_eq(sl_via_decode(none, &via), SL_EPARSE);
	ck_assert_int_eq(sl_auth_decode(none, &a), SL_EPARSE);
	ck_assert_int_eq(sl_cseq_decode(none, &cs), SL_EPARSE);
	ck_assert_int_eq(sl_rack_decode(none, &ra), SL_EPARSE);
	ck_assert_int_eq(sl_event_decode(none, &e), SL_EPARSE);
	ck_assert_int_eq(sl_subscription_state_decode(none, &ss), SL_EPARSE);
	ck_assert_int_eq(sl_replaces_decode(none, &rp), SL_EPARSE);
	ck_assert_int_eq(sl_session_expires_decode(none, &se), SL_EPARSE);
	ck_assert_int_eq(sl_reason_decode(none, &rs), SL_EPARSE);
	ck_assert_int_eq(sl_retry_after_decode(none, &rt), SL_EPARSE);
	ck_assert_int_eq(sl_timestamp_decode(none, &ts), SL_EPARSE);
	ck_assert_int_eq(sl_media_type_decode(none, &mt), SL_EPARSE);
}
END_TEST

START_TEST(absent_fields_have_their_defaults)
{
	/* defaults are set even when decoding fails, so a caller that
	 * ignores the code never reads stack garbage */
	struct sl_via via;
	struct sl_subscription_state ss;
	struct sl_reason rs;
	struct sl_retry_after rt;

	memset(&via, 0x5a, sizeof(via));
	ck_assert_int_eq(sl_via_decode(S("junk"), &via), SL_EPARSE);
	ck_assert_int_eq(via.rport, -1);
	ck_assert_int_eq(via.ttl, -1);
	ck_assert_uint_eq(via.branch.len, 0);
	memset(&ss, 0x5a, sizeof(ss));
	ck_assert_int_eq(sl_subscription_state_decode(S("active"), &ss), 0);
	ck_assert_int_eq(ss.expires, -1);
	ck_assert_int_eq(ss.retry_after, -1);
	ck_assert_uint_eq(ss.reason.len, 0);
	memset(&rs, 0x5a, sizeof(rs));
	ck_assert_int_eq(sl_reason_decode(S("SIP"), &rs), 0);
	ck_assert_int_eq(rs.cause, -1);
	memset(&rt, 0x5a, sizeof(rt));
	ck_assert_int_eq(sl_retry_after_decode(S("5"), &rt), 0);
	ck_assert_int_eq(rt.duration, -1);
	ck_assert_uint_eq(rt.comment.len, 0);
}
END_TEST

static Suite *sip_headers_suite(void)
{
	Suite *s = suite_create("sip_headers");
	TCase *tc;

	tc = tcase_create("params");
	tcase_add_loop_test(tc, param_next_vectors, 0, N_(param_vecs));
	tcase_add_test(tc, param_next_has_value_optional_and_einval);
	tcase_add_test(tc, param_find_by_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("scalars");
	tcase_add_loop_test(tc, uint_vectors, 0, N_(uint_vecs));
	tcase_add_loop_test(tc, token_vectors, 0, N_(token_vecs));
	tcase_add_test(tc, uint_token_einval);
	suite_add_tcase(s, tc);

	tc = tcase_create("via");
	tcase_add_loop_test(tc, via_vectors, 0, N_(via_vecs));
	tcase_add_test(tc, via_long_branch);
	tcase_add_test(tc, via_not_nul_terminated);
	tcase_add_test(tc, via_nul_byte_rejected);
	suite_add_tcase(s, tc);

	tc = tcase_create("auth");
	tcase_add_loop_test(tc, auth_vectors, 0, N_(auth_vecs));
	tcase_add_test(tc, auth_opaque_present_but_empty);
	suite_add_tcase(s, tc);

	tc = tcase_create("cseq_rack");
	tcase_add_loop_test(tc, cseq_vectors, 0, N_(cseq_vecs));
	tcase_add_loop_test(tc, rack_vectors, 0, N_(rack_vecs));
	suite_add_tcase(s, tc);

	tc = tcase_create("events");
	tcase_add_loop_test(tc, event_vectors, 0, N_(event_vecs));
	tcase_add_loop_test(tc, substate_vectors, 0, N_(substate_vecs));
	tcase_add_loop_test(tc, replaces_vectors, 0, N_(replaces_vecs));
	suite_add_tcase(s, tc);

	tc = tcase_create("misc");
	tcase_add_loop_test(tc, se_vectors, 0, N_(se_vecs));
	tcase_add_loop_test(tc, reason_vectors, 0, N_(reason_vecs));
	tcase_add_loop_test(tc, retry_vectors, 0, N_(retry_vecs));
	tcase_add_loop_test(tc, ts_vectors, 0, N_(ts_vecs));
	tcase_add_loop_test(tc, mt_vectors, 0, N_(mt_vecs));
	suite_add_tcase(s, tc);

	tc = tcase_create("arguments");
	tcase_add_test(tc, decoders_reject_null);
	tcase_add_test(tc, absent_fields_have_their_defaults);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(sip_headers_suite)
