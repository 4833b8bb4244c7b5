/*
 * tests/unit/check_dns.c: DNS wire format, the stub resolver and RFC 3263
 * server location (transport/dns_wire.c, dns.c, locate.c).
 *
 * The resolver and locator run on a real loop driven by a virtual clock,
 * against tests/unit/dns_responder.c on 127.0.0.1: time only moves when a
 * test advances it, so every retransmission and timeout is checked at its
 * exact moment, and nothing sleeps. Each test's teardown checks that the
 * query and request pools are back to empty.
 */
#include <check.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check_main.h"
#include "core/clock.h"
#include "core/loop.h"
#include "sipline/error.h"
#include "sipline/log.h"
#include "sipline/uri.h"
#include "transport/dns.h"
#include "transport/dns_wire.h"
#include "transport/locate.h"

/*
 * The Makefile builds each check_*.c alone against the library, so the
 * responder is compiled into this binary here.
 */
#include "dns_responder.c"

/* ==== wire: encoding ==== */

START_TEST(encode_query_bytes)
{
	static const uint8_t want[] = {
		0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
		0, 33, 0, 1
	};
	uint8_t buf[SL_DNS_QUERY_MAX];
	int n;

	n = sl__dns_encode_query(buf, sizeof(buf), 0xbeef, SL_DNS_T_SRV,
				 "example.com", 11);
	ck_assert_int_eq(n, (int)sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	/* A final dot is the same name. */
	n = sl__dns_encode_query(buf, sizeof(buf), 0xbeef, SL_DNS_T_SRV,
				 "example.com.", 12);
	ck_assert_int_eq(n, (int)sizeof(want));
	ck_assert_mem_eq(buf, want, sizeof(want));
	/* Every shorter buffer is too small, never overrun. */
	for (size_t cap = 0; cap < sizeof(want); cap++)
		ck_assert_int_eq(sl__dns_encode_query(buf, cap, 1, 1,
						      "example.com", 11),
				 SL_ENOSPC);
}
END_TEST

struct name_vec {
	const char *name;
	int rc;             /* 0: valid */
};

static char long_label[80], long_name[300], max_name[300];

static void make_long_names(void)
{
	memset(long_label, 'a', 64);
	long_label[64] = '\0';
	/* 4 x 63 + 3 dots = 255 characters: over the 253 limit. */
	for (int i = 0, o = 0; i < 4; i++) {
		memset(long_name + o, 'b', 63);
		o += 63;
		long_name[o++] = i < 3 ? '.' : '\0';
	}
	/* 3 x 63 + 61 + 3 dots = 253: the largest valid name. */
	for (int i = 0, o = 0; i < 4; i++) {
		int l = i < 3 ? 63 : 61;

		memset(max_name + o, 'c', (size_t)l);
		o += l;
		max_name[o++] = i < 3 ? '.' : '\0';
	}
}

START_TEST(encode_query_names)
{
	const struct name_vec v[] = {
		{ "a", 0 },
		{ "_sip._udp.example.com", 0 },
		{ "sip-1.EXAMPLE.org.", 0 },
		{ max_name, 0 },
		{ "", SL_EINVAL },
		{ ".", SL_EINVAL },
		{ "a..b", SL_EINVAL },
		{ ".a", SL_EINVAL },
		{ "a b", SL_EINVAL },
		{ "a\xc3\xa9.com", SL_EINVAL },
		{ "a.b..", SL_EINVAL },
		{ long_label, SL_EINVAL },
		{ long_name, SL_EINVAL },
	};
	uint8_t buf[SL_DNS_QUERY_MAX];

	make_long_names();
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int n = sl__dns_encode_query(buf, sizeof(buf), 7,
					     SL_DNS_T_A, v[i].name,
					     strlen(v[i].name));

		if (v[i].rc)
			ck_assert_msg(n == v[i].rc, "'%s': %d", v[i].name, n);
		else
			ck_assert_msg(n > 0, "'%s': %d", v[i].name, n);
	}
	ck_assert_int_eq(sl__dns_encode_query(NULL, 10, 1, 1, "a", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dns_encode_query(buf, 10, 1, 1, NULL, 1),
			 SL_EINVAL);
}
END_TEST

START_TEST(put_name_root_and_limits)
{
	uint8_t buf[8];
	size_t off = 0;

	ck_assert_int_eq(sl__dns_put_name(buf, sizeof(buf), &off, ".", 1), 0);
	ck_assert_uint_eq(off, 1);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(sl__dns_put_name(buf, sizeof(buf), &off, "", 0), 0);
	ck_assert_uint_eq(off, 2);
	/* "abcde" needs 7 bytes; 6 are left: nothing written. */
	ck_assert_int_eq(sl__dns_put_name(buf, sizeof(buf), &off, "abcde", 5),
			 SL_ENOSPC);
	ck_assert_uint_eq(off, 2);
	off = 9;
	ck_assert_int_eq(sl__dns_put_name(buf, sizeof(buf), &off, "", 0),
			 SL_ENOSPC);
	ck_assert_int_eq(sl__dns_put_name(NULL, 1, &off, "", 0), SL_EINVAL);
}
END_TEST

START_TEST(query_round_trip)
{
	uint8_t buf[SL_DNS_QUERY_MAX];
	struct sl_dns_msg m;
	struct sl_dns_iter it;
	struct sl_dns_rr rr;
	char text[SL_DNS_TEXT_CAP];
	int n = sl__dns_encode_query(buf, sizeof(buf), 0x4242,
				     SL_DNS_T_NAPTR, "Sip.Example.COM", 15);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, (size_t)n), 0);
	ck_assert_uint_eq(m.id, 0x4242);
	ck_assert_uint_eq(m.flags, SL_DNS_F_RD);
	ck_assert_uint_eq(m.n_question, 1);
	ck_assert_uint_eq(m.q_type, SL_DNS_T_NAPTR);
	ck_assert_uint_eq(m.q_class, SL_DNS_CLASS_IN);
	ck_assert_int_eq(sl__dns_name_text(&m, m.q_name, text, sizeof(text)),
			 15);
	ck_assert_str_eq(text, "Sip.Example.COM");
	ck_assert_int_eq(sl__dns_name_eq(&m, m.q_name, "sip.example.com.",
					 16), 1);
	ck_assert_int_eq(sl__dns_name_eq(&m, m.q_name, "sip.example.co", 14),
			 0);
	ck_assert_uint_eq(m.rr_off, (size_t)n);
	sl__dns_iter_init(&it, &m);
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 0);
	ck_assert_int_eq(sl__dns_msg_parse(NULL, buf, 1), SL_EINVAL);
	ck_assert_int_eq(sl__dns_msg_parse(&m, NULL, 1), SL_EINVAL);
}
END_TEST

START_TEST(text_eq_cases)
{
	ck_assert_int_eq(sl__dns_text_eq("a.", 2, "A", 1), 1);
	ck_assert_int_eq(sl__dns_text_eq("a.B", 3, "A.b.", 4), 1);
	ck_assert_int_eq(sl__dns_text_eq("", 0, ".", 1), 1);
	ck_assert_int_eq(sl__dns_text_eq("ab", 2, "a", 1), 0);
	ck_assert_int_eq(sl__dns_text_eq("a-b", 3, "a_b", 3), 0);
}
END_TEST

/* ==== wire: decoding hand-made and malformed responses ==== */

enum { NA = 1 };  /* "not checked" for rc fields */

/*
 * Each vector is a response to "a.b" type A: the header (counts and flags
 * from the vector), the question at offsets 12-20, then @rest from offset
 * 21 (where the first record starts).
 */
struct wire_vec {
	const char *what;
	uint16_t flags;
	uint16_t an;
	uint8_t rest[48];
	size_t rest_len;
	int parse_rc;
	int rr_rc;        /* the first sl__dns_rr_next() */
	int owner_rc;     /* sl__dns_name_text() of its owner */
};

#define REST(...) .rest = { __VA_ARGS__ }, \
	.rest_len = sizeof((uint8_t[]){ __VA_ARGS__ })
#define RESP 0x8180
#define TC 0x0200
/* owner = pointer to the question, type, class IN, TTL 60 */
#define OWN_T(t) 0xc0, 0x0c, 0, (t), 0, 1, 0, 0, 0, 60

static const struct wire_vec wire_vecs[] = {
	{ "A, owner compressed", RESP, 1,
	  REST(OWN_T(1), 0, 4, 127, 0, 0, 1), 0, 1, 3 },
	{ "no records", RESP, 0, REST(0), 0, 0, NA },
	{ "count larger than packet", RESP, 2,
	  REST(OWN_T(1), 0, 4, 127, 0, 0, 1), SL_EPARSE, NA, NA },
	{ "count larger, truncated (TC)", RESP | TC, 2,
	  REST(OWN_T(1), 0, 4, 127, 0, 0, 1), 0, 1, 3 },
	{ "half a record, TC", RESP | TC, 1,
	  REST(0xc0, 0x0c, 0, 1, 0), 0, 0, NA },
	{ "RDATA length past the end", RESP, 1,
	  REST(OWN_T(1), 0, 16, 127, 0, 0, 1), SL_EPARSE, NA, NA },
	{ "frame shorter than 10 bytes", RESP, 1,
	  REST(0xc0, 0x0c, 0, 1, 0, 1, 0, 0), SL_EPARSE, NA, NA },
	{ "pointer to itself", RESP, 1,
	  REST(0xc0, 21, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4),
	  0, 1, SL_EPARSE },
	{ "pointer forward", RESP, 1,
	  REST(0xc0, 23, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4),
	  0, 1, SL_EPARSE },
	{ "pointer past the end", RESP, 1,
	  REST(0xc0, 0xff, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4),
	  0, 1, SL_EPARSE },
	{ "label then pointer back to its own start", RESP, 1,
	  REST(1, 'x', 0xc0, 21, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4),
	  0, 1, SL_EPARSE },
	{ "pointer cut in half", RESP, 1, REST(0xc0), SL_EPARSE, NA, NA },
	{ "label past the end", RESP, 1, REST(5, 'a'), SL_EPARSE, NA, NA },
	{ "extended label type 0x40", RESP, 1,
	  REST(0x41, 'a', 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 0),
	  SL_EPARSE, NA, NA },
	{ "reserved label type 0x80", RESP, 1,
	  REST(0x81, 'a', 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 0),
	  SL_EPARSE, NA, NA },
	{ "owner with a space", RESP, 1,
	  REST(3, 'a', ' ', 'b', 0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
	       1, 2, 3, 4), 0, 1, SL_EPARSE },
	{ "A with 5 bytes", RESP, 1,
	  REST(OWN_T(1), 0, 5, 127, 0, 0, 1, 9), 0, SL_EPARSE, 3 },
	{ "AAAA with 4 bytes", RESP, 1,
	  REST(OWN_T(28), 0, 4, 127, 0, 0, 1), 0, SL_EPARSE, 3 },
	{ "SRV shorter than 7", RESP, 1,
	  REST(OWN_T(33), 0, 6, 0, 1, 0, 1, 0, 1), 0, SL_EPARSE, 3 },
	{ "SRV target past its RDATA", RESP, 1,
	  REST(OWN_T(33), 0, 8, 0, 1, 0, 1, 0x13, 0xc4, 3, 'a', 'b', 'c',
	       0), 0, SL_EPARSE, 3 },
	{ "SRV target ends before its RDATA", RESP, 1,
	  REST(OWN_T(33), 0, 11, 0, 1, 0, 1, 0x13, 0xc4, 1, 'a', 0, 0, 0),
	  0, SL_EPARSE, 3 },
	{ "SRV target compressed", RESP, 1,
	  REST(OWN_T(33), 0, 8, 0, 1, 0, 1, 0x13, 0xc4, 0xc0, 12),
	  0, 1, 3 },
	{ "NAPTR string past its RDATA", RESP, 1,
	  REST(OWN_T(35), 0, 9, 0, 1, 0, 1, 9, 'a', 0, 0, 0),
	  0, SL_EPARSE, 3 },
	{ "NAPTR without replacement", RESP, 1,
	  REST(OWN_T(35), 0, 7, 0, 1, 0, 1, 0, 0, 0), 0, SL_EPARSE, 3 },
	{ "NAPTR minimal", RESP, 1,
	  REST(OWN_T(35), 0, 8, 0, 1, 0, 1, 0, 0, 0, 0), 0, 1, 3 },
	{ "CNAME compressed", RESP, 1,
	  REST(OWN_T(5), 0, 2, 0xc0, 12), 0, 1, 3 },
	{ "CNAME with trailing byte", RESP, 1,
	  REST(OWN_T(5), 0, 3, 0xc0, 12, 0), 0, SL_EPARSE, 3 },
	{ "unknown type 99 skipped whole", RESP, 1,
	  REST(OWN_T(99), 0, 3, 1, 2, 3), 0, 1, 3 },
};

static size_t build_vec(const struct wire_vec *v, uint8_t *buf)
{
	static const uint8_t q[] = { 1, 'a', 1, 'b', 0, 0, 1, 0, 1 };

	memset(buf, 0, SL_DNS_HEADER_LEN);
	buf[0] = 0x12;
	buf[1] = 0x34;
	buf[2] = (uint8_t)(v->flags >> 8);
	buf[3] = (uint8_t)v->flags;
	buf[5] = 1;
	buf[6] = (uint8_t)(v->an >> 8);
	buf[7] = (uint8_t)v->an;
	memcpy(buf + 12, q, sizeof(q));
	memcpy(buf + 21, v->rest, v->rest_len);
	return 21 + v->rest_len;
}

START_TEST(wire_vector)
{
	const struct wire_vec *v = &wire_vecs[_i];
	uint8_t buf[128];
	size_t len = build_vec(v, buf);
	struct sl_dns_msg m;
	struct sl_dns_iter it;
	struct sl_dns_rr rr;
	char text[SL_DNS_TEXT_CAP];
	int rc;

	rc = sl__dns_msg_parse(&m, buf, len);
	ck_assert_msg(rc == v->parse_rc, "%s: parse %d", v->what, rc);
	if (rc < 0)
		return;
	ck_assert_int_eq(m.id, 0x1234);
	ck_assert_int_eq(m.q_type, 1);
	sl__dns_iter_init(&it, &m);
	rc = sl__dns_rr_next(&m, &it, &rr);
	if (v->rr_rc != NA)
		ck_assert_msg(rc == v->rr_rc, "%s: rr %d", v->what, rc);
	if (rc == 0)
		return;
	/* The walk moved past the record whatever its RDATA was. */
	ck_assert_uint_eq(it.index, 1);
	ck_assert_uint_le(rr.rdata + rr.rdlen, len);
	if (v->owner_rc != NA) {
		rc = sl__dns_name_text(&m, rr.name, text, sizeof(text));
		ck_assert_msg(rc == v->owner_rc, "%s: owner %d", v->what, rc);
		if (rc == 3)
			ck_assert_str_eq(text, "a.b");
	}
	/* Whatever happened, the next call ends cleanly. */
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 0);
}
END_TEST

START_TEST(decode_truncated_counts_cut)
{
	const struct wire_vec *v = &wire_vecs[3];
	uint8_t buf[128];
	size_t len = build_vec(v, buf);
	struct sl_dns_msg m;

	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, len), 0);
	ck_assert_uint_eq(m.n_answer, 1);
	/* A header alone, and less than a header. */
	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, SL_DNS_HEADER_LEN - 1),
			 SL_EPARSE);
	buf[5] = 0;
	buf[7] = 0;
	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, SL_DNS_HEADER_LEN), 0);
	/* Two questions are refused; a question cut short too. */
	buf[5] = 2;
	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, len), SL_EPARSE);
	buf[5] = 1;
	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, 19), SL_EPARSE);
	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, 14), SL_EPARSE);
}
END_TEST

START_TEST(decode_srv_fields)
{
	const struct wire_vec *v = &wire_vecs[21];
	uint8_t buf[128];
	size_t len = build_vec(v, buf);
	struct sl_dns_msg m;
	struct sl_dns_iter it;
	struct sl_dns_rr rr;
	char text[SL_DNS_TEXT_CAP];

	ck_assert_int_eq(sl__dns_msg_parse(&m, buf, len), 0);
	sl__dns_iter_init(&it, &m);
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 1);
	ck_assert_int_eq(rr.section, SL_DNS_ANSWER);
	ck_assert_uint_eq(rr.type, SL_DNS_T_SRV);
	ck_assert_uint_eq(rr.cls, SL_DNS_CLASS_IN);
	ck_assert_uint_eq(rr.ttl, 60);
	ck_assert_uint_eq(rr.u.srv.priority, 1);
	ck_assert_uint_eq(rr.u.srv.weight, 1);
	ck_assert_uint_eq(rr.u.srv.port, 5060);
	ck_assert_int_eq(sl__dns_name_text(&m, rr.u.srv.target, text,
					   sizeof(text)), 3);
	ck_assert_str_eq(text, "a.b");
}
END_TEST

/* Names built to hit the length, jump and buffer limits exactly. */
START_TEST(name_limits)
{
	static uint8_t buf[600];
	struct sl_dns_msg m = { 0 };
	char text[SL_DNS_TEXT_CAP];
	size_t o = 0, seg[4];

	/* seg k: a 63-byte label, then a pointer to seg k-1 (seg 0 ends). */
	for (int k = 0; k < 4; k++) {
		seg[k] = o;
		buf[o++] = 63;
		memset(buf + o, 'a' + k, 63);
		o += 63;
		if (k == 0) {
			buf[o++] = 0;
		} else {
			buf[o++] = 0xc0 | (uint8_t)(seg[k - 1] >> 8);
			buf[o++] = (uint8_t)seg[k - 1];
		}
	}
	m.p = buf;
	m.len = o;
	/* 3 labels: 192 wire bytes + 1, 191 characters. */
	ck_assert_int_eq(sl__dns_name_text(&m, seg[2], text, sizeof(text)),
			 191);
	ck_assert_int_eq(text[63], '.');
	ck_assert_int_eq(text[64], 'b');
	/* 4 labels: 256 wire bytes, over the 255 limit. */
	ck_assert_int_eq(sl__dns_name_text(&m, seg[3], text, sizeof(text)),
			 SL_EPARSE);
	/* A buffer one short of the text and its NUL. */
	ck_assert_int_eq(sl__dns_name_text(&m, seg[2], text, 191),
			 SL_ENOSPC);
	ck_assert_int_eq(sl__dns_name_text(&m, seg[2], text, 192), 191);
	ck_assert_int_eq(sl__dns_name_text(&m, seg[2], text, 0), SL_EINVAL);

	/* A chain of pointers, each to the one before: the root at 0. */
	o = 0;
	buf[o++] = 0;
	for (int k = 0; k < 200; k++) {
		size_t to = k == 0 ? 0 : o - 2;

		buf[o++] = 0xc0 | (uint8_t)(to >> 8);
		buf[o++] = (uint8_t)to;
	}
	m.len = o;
	/* 100 jumps: fine, the root. 150 jumps: too many. */
	ck_assert_int_eq(sl__dns_name_text(&m, 1 + 2 * 99, text,
					   sizeof(text)), 0);
	ck_assert_str_eq(text, "");
	ck_assert_int_eq(sl__dns_name_text(&m, 1 + 2 * 149, text,
					   sizeof(text)), SL_EPARSE);
	ck_assert_int_eq(sl__dns_name_text(&m, o, text, sizeof(text)),
			 SL_EPARSE);
}
END_TEST

/* ==== wire: answers made by the responder ==== */

static const struct dns_zone_entry zone[] = {
	/* SRV: two targets, priorities 10 and 20 */
	{ DNS_Z_SRV, "_sip._udp.srv.example.com", 0, "a.srv.example.com",
	  10, 0, 5070, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.srv.example.com", 0, "b.srv.example.com",
	  20, 0, 5080, NULL, NULL },
	{ DNS_Z_A, "a.srv.example.com", 0, "127.0.0.2", 0, 0, 0, NULL, NULL },
	{ DNS_Z_AAAA, "a.srv.example.com", 0, "::2", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "b.srv.example.com", 0, "127.0.0.3", 0, 0, 0, NULL, NULL },
	/* no SRV: A and AAAA of the host */
	{ DNS_Z_A, "plain.example.com", 0, "127.0.0.4", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "plain.example.com", 0, "127.0.0.14", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_AAAA, "plain.example.com", 0, "2001:db8::4", 0, 0, 0, NULL,
	  NULL },
	/* sips: only _sips._tcp */
	{ DNS_Z_SRV, "_sips._tcp.tls.example.com", 0, "t.tls.example.com",
	  0, 0, 5071, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.tls.example.com", 0, "u.tls.example.com",
	  0, 0, 5072, NULL, NULL },
	{ DNS_Z_A, "t.tls.example.com", 0, "127.0.0.5", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "u.tls.example.com", 0, "127.0.0.6", 0, 0, 0, NULL, NULL },
	/* transport=tcp */
	{ DNS_Z_SRV, "_sip._tcp.tcp.example.com", 0, "t.tcp.example.com",
	  0, 0, 5073, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.tcp.example.com", 0, "u.tcp.example.com",
	  0, 0, 5074, NULL, NULL },
	{ DNS_Z_A, "t.tcp.example.com", 0, "127.0.0.7", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "u.tcp.example.com", 0, "127.0.0.8", 0, 0, 0, NULL, NULL },
	/* NAPTR: order 10 (UDP pref 40, TCP pref 50), order 20 TLS */
	{ DNS_Z_NAPTR, "naptr.example.com", 0, "_sip._tcp.naptr.example.com",
	  10, 50, 0, "s", "SIP+D2T" },
	{ DNS_Z_NAPTR, "naptr.example.com", 0, "_sip._udp.naptr.example.com",
	  10, 40, 0, "S", "sip+d2u" },
	{ DNS_Z_NAPTR, "naptr.example.com", 0,
	  "_sips._tcp.alt.example.com", 20, 10, 0, "s", "SIPS+D2T" },
	{ DNS_Z_NAPTR, "naptr.example.com", 0, "ignored.example.com",
	  5, 10, 0, "u", "E2U+sip" },
	{ DNS_Z_SRV, "_sip._tcp.naptr.example.com", 0, "t.naptr.example.com",
	  0, 0, 5075, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.naptr.example.com", 0, "u.naptr.example.com",
	  0, 0, 5076, NULL, NULL },
	{ DNS_Z_SRV, "_sips._tcp.alt.example.com", 0,
	  "s.naptr.example.com", 0, 0, 5077, NULL, NULL },
	/* what a client that skipped NAPTR would find */
	{ DNS_Z_SRV, "_sips._tcp.naptr.example.com", 0,
	  "wrong.naptr.example.com", 0, 0, 5099, NULL, NULL },
	{ DNS_Z_A, "wrong.naptr.example.com", 0, "127.0.0.99", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_A, "t.naptr.example.com", 0, "127.0.0.9", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_A, "u.naptr.example.com", 0, "127.0.0.10", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_A, "s.naptr.example.com", 0, "127.0.0.11", 0, 0, 0, NULL,
	  NULL },
	/* weights: three targets at one priority */
	{ DNS_Z_SRV, "_sip._udp.w.example.com", 0, "w1.example.com",
	  1, 10, 5001, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.w.example.com", 0, "w2.example.com",
	  1, 20, 5002, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.w.example.com", 0, "w0.example.com",
	  1, 0, 5000, NULL, NULL },
	{ DNS_Z_A, "w0.example.com", 0, "127.0.1.0", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "w1.example.com", 0, "127.0.1.1", 0, 0, 0, NULL, NULL },
	{ DNS_Z_A, "w2.example.com", 0, "127.0.1.2", 0, 0, 0, NULL, NULL },
	/* "." target: no SIP over UDP here */
	{ DNS_Z_SRV, "_sip._udp.dot.example.com", 0, ".", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_A, "dot.example.com", 0, "127.0.0.12", 0, 0, 0, NULL, NULL },
	/* CNAMEs */
	{ DNS_Z_CNAME, "cname.example.com", 0, "plain.example.com", 0, 0, 0,
	  NULL, NULL },
	{ DNS_Z_CNAME, "loop1.example.com", 0, "loop2.example.com", 0, 0, 0,
	  NULL, NULL },
	{ DNS_Z_CNAME, "loop2.example.com", 0, "loop1.example.com", 0, 0, 0,
	  NULL, NULL },
	/* a target without addresses, and behaviours */
	{ DNS_Z_SRV, "_sip._udp.half.example.com", 0, "none.example.com",
	  1, 0, 5090, NULL, NULL },
	{ DNS_Z_SRV, "_sip._udp.half.example.com", 0, "b.srv.example.com",
	  2, 0, 5091, NULL, NULL },
	{ DNS_Z_DROP, "dead.example.com", 0, NULL, 0, 0, 0, NULL, NULL },
	{ DNS_Z_DROP, "quiet.example.com", SL_DNS_T_NAPTR, NULL, 0, 0, 0,
	  NULL, NULL },
	{ DNS_Z_A, "quiet.example.com", 0, "127.0.0.13", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_NXDOMAIN, "gone.example.com", 0, NULL, 0, 0, 0, NULL, NULL },
	{ DNS_Z_SERVFAIL, "fail.example.com", 0, NULL, 0, 0, 0, NULL, NULL },
	{ DNS_Z_TRUNCATED, "tc.example.com", 0, NULL, 0, 0, 0, NULL, NULL },
	{ DNS_Z_TC_PARTIAL, "tcp.part.example.com", 0, NULL, 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_A, "tcp.part.example.com", 0, "127.0.0.15", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_GARBAGE, "junk.example.com", 0, NULL, 0, 0, 0, NULL, NULL },
	{ DNS_Z_WRONG_ID, "spoof.example.com", 0, NULL, 0, 0, 0, NULL, NULL },
	{ DNS_Z_BARE_REFUSED, "refused.example.com", 0, NULL, 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_A, "addr-dead.example.com", 0, "127.0.0.16", 0, 0, 0, NULL,
	  NULL },
	{ DNS_Z_DROP, "addr-dead.example.com", SL_DNS_T_A, NULL, 0, 0, 0,
	  NULL, NULL },
	{ DNS_Z_DROP, "addr-dead.example.com", SL_DNS_T_AAAA, NULL, 0, 0, 0,
	  NULL, NULL },
	{ DNS_Z_A, "spoof.example.com", 0, "127.0.0.66", 0, 0, 0, NULL,
	  NULL },
};

static const unsigned n_zone = sizeof(zone) / sizeof(zone[0]);

/* The responder's answer to a query, parsed (no sockets involved). */
static size_t ask_offline(const char *name, uint16_t type, uint8_t *out,
			  size_t cap, struct sl_dns_msg *m)
{
	struct dns_responder r;
	uint8_t q[SL_DNS_QUERY_MAX];
	int n = sl__dns_encode_query(q, sizeof(q), 0x0102, type, name,
				     strlen(name));
	size_t len;

	ck_assert_int_gt(n, 0);
	memset(&r, 0, sizeof(r));
	r.zone = zone;
	r.n_zone = n_zone;
	len = dns_responder_answer(&r, q, (size_t)n, out, cap);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(sl__dns_msg_parse(m, out, len), 0);
	return len;
}

START_TEST(decode_srv_answer)
{
	uint8_t buf[SL_DNS_UDP_MAX];
	struct sl_dns_msg m;
	struct sl_dns_iter it;
	struct sl_dns_rr rr;
	char text[SL_DNS_TEXT_CAP];

	ask_offline("_sip._udp.srv.example.com", SL_DNS_T_SRV, buf,
		    sizeof(buf), &m);
	ck_assert_uint_eq(m.id, 0x0102);
	ck_assert(m.flags & SL_DNS_F_QR);
	ck_assert_uint_eq(sl__dns_rcode(m.flags), SL_DNS_R_NOERROR);
	ck_assert_uint_eq(m.n_answer, 2);
	sl__dns_iter_init(&it, &m);
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 1);
	ck_assert_uint_eq(rr.type, SL_DNS_T_SRV);
	ck_assert_uint_eq(rr.u.srv.priority, 10);
	ck_assert_uint_eq(rr.u.srv.port, 5070);
	ck_assert_int_eq(sl__dns_name_eq(&m, rr.name,
					 "_SIP._UDP.srv.example.com", 25), 1);
	ck_assert_int_eq(sl__dns_name_text(&m, rr.u.srv.target, text,
					   sizeof(text)), 17);
	ck_assert_str_eq(text, "a.srv.example.com");
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 1);
	ck_assert_uint_eq(rr.u.srv.priority, 20);
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 0);
}
END_TEST

START_TEST(decode_naptr_and_aaaa)
{
	uint8_t buf[SL_DNS_UDP_MAX];
	struct sl_dns_msg m;
	struct sl_dns_iter it;
	struct sl_dns_rr rr;
	char text[SL_DNS_TEXT_CAP];
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 4 };

	ask_offline("naptr.example.com", SL_DNS_T_NAPTR, buf, sizeof(buf),
		    &m);
	ck_assert_uint_eq(m.n_answer, 4);
	sl__dns_iter_init(&it, &m);
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 1);
	ck_assert_uint_eq(rr.type, SL_DNS_T_NAPTR);
	ck_assert_uint_eq(rr.u.naptr.order, 10);
	ck_assert_uint_eq(rr.u.naptr.preference, 50);
	ck_assert(sl_slice_eq(rr.u.naptr.flags, "s"));
	ck_assert(sl_slice_eq(rr.u.naptr.services, "SIP+D2T"));
	ck_assert_uint_eq(rr.u.naptr.regexp.len, 0);
	ck_assert_int_gt(sl__dns_name_text(&m, rr.u.naptr.replacement, text,
					   sizeof(text)), 0);
	ck_assert_str_eq(text, "_sip._tcp.naptr.example.com");

	ask_offline("plain.example.com", SL_DNS_T_AAAA, buf, sizeof(buf),
		    &m);
	ck_assert_uint_eq(m.n_answer, 1);
	sl__dns_iter_init(&it, &m);
	ck_assert_int_eq(sl__dns_rr_next(&m, &it, &rr), 1);
	ck_assert_uint_eq(rr.type, SL_DNS_T_AAAA);
	ck_assert_mem_eq(rr.u.aaaa, v6, 16);
}
END_TEST

static int count_rr(void *arg, const struct sl_dns_msg *m,
		    const struct sl_dns_rr *rr)
{
	int *n = arg;

	(void)m;
	(void)rr;
	++*n;
	return 0;
}

static int stop_at_first(void *arg, const struct sl_dns_msg *m,
			 const struct sl_dns_rr *rr)
{
	(void)m;
	*(uint8_t *)arg = rr->u.a[3];
	return 1;
}

START_TEST(each_answer_follows_cnames)
{
	uint8_t buf[SL_DNS_UDP_MAX];
	struct sl_dns_msg m;
	int n = 0;
	uint8_t last = 0;

	ask_offline("cname.example.com", SL_DNS_T_A, buf, sizeof(buf), &m);
	ck_assert_uint_eq(m.n_answer, 3);  /* the CNAME and two A */
	ck_assert_int_eq(sl__dns_each_answer(&m, "cname.example.com.", 18,
					     SL_DNS_T_A, count_rr, &n), 2);
	ck_assert_int_eq(n, 2);
	ck_assert_int_eq(sl__dns_each_answer(&m, "cname.example.com", 17,
					     SL_DNS_T_A, stop_at_first,
					     &last), 1);
	ck_assert_uint_eq(last, 4);
	/* The CNAME itself when asked for. */
	ck_assert_int_eq(sl__dns_each_answer(&m, "cname.example.com", 17,
					     SL_DNS_T_CNAME, count_rr, &n), 1);
	/* Another owner: nothing. */
	ck_assert_int_eq(sl__dns_each_answer(&m, "x.example.com", 13,
					     SL_DNS_T_A, count_rr, &n), 0);
	ck_assert_int_eq(sl__dns_each_answer(&m, "x", 1, SL_DNS_T_A, NULL,
					     NULL), SL_EINVAL);

	/* A loop of CNAMEs ends (the responder stops after 8 links). */
	ask_offline("loop1.example.com", SL_DNS_T_A, buf, sizeof(buf), &m);
	ck_assert_uint_ge(m.n_answer, 2);
	ck_assert_int_eq(sl__dns_each_answer(&m, "loop1.example.com", 17,
					     SL_DNS_T_A, count_rr, &n), 0);
}
END_TEST

/* ==== RFC 2782 ordering ==== */

/* A scripted random source: returns the values given, in turn. */
struct script {
	const uint32_t *v;
	unsigned n, i;
};

static uint32_t scripted(void *arg)
{
	struct script *s = arg;

	return s->v[s->i++ % s->n];
}

/* A seeded xorshift32, for distributions. */
static uint32_t xorshift(void *arg)
{
	uint32_t *s = arg;

	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void order_ports(struct sl_srv_rec *r, unsigned n, char *out)
{
	for (unsigned i = 0; i < n; i++)
		out[i] = (char)('0' + r[i].port % 10);
	out[n] = '\0';
}

START_TEST(srv_priority_first)
{
	struct sl_srv_rec r[] = {
		{ 30, 5, 5003, 0 }, { 10, 0, 5001, 1 }, { 20, 9, 5002, 2 },
		{ 10, 0, 5004, 3 },
	};
	static const uint32_t zero[] = { 0 };
	struct script s = { zero, 1, 0 };
	char got[8];

	sl__srv_order(r, 4, scripted, &s);
	order_ports(r, 4, got);
	/* Zero weights at one priority keep their order (random 0). */
	ck_assert_str_eq(got, "1423");
	ck_assert_uint_eq(r[1].index, 3);
	sl__srv_order(NULL, 4, scripted, &s);
	sl__srv_order(r, 0, scripted, &s);
}
END_TEST

START_TEST(srv_weights_scripted)
{
	/*
	 * Weights 10 (port 1), 20 (port 2), 0 (port 0): the zero first in
	 * the running sums: [0:0, 1:10, 2:30]. Random 15 % 31 = 15 picks
	 * port 2; then [0:0, 1:10], random 0 picks port 0; port 1 last.
	 * Second round: 40 % 31 = 9 picks port 1; then [0:0, 2:20],
	 * 21 % 21 = 0 picks port 0.
	 */
	static const uint32_t seq[] = { 15, 0, 40, 21 };
	struct script s = { seq, 4, 0 };
	struct sl_srv_rec a[] = {
		{ 1, 10, 5001, 0 }, { 1, 20, 5002, 1 }, { 1, 0, 5000, 2 },
	};
	struct sl_srv_rec b[3];
	char got[8];

	memcpy(b, a, sizeof(a));
	sl__srv_order(a, 3, scripted, &s);
	order_ports(a, 3, got);
	ck_assert_str_eq(got, "201");
	sl__srv_order(b, 3, scripted, &s);
	order_ports(b, 3, got);
	ck_assert_str_eq(got, "102");
	ck_assert_uint_eq(s.i, 4);   /* one draw per choice but the last */
}
END_TEST

START_TEST(srv_weights_distribution)
{
	/* Weights 10 and 90: the first pick is the heavy one with chance
	 * 90/101 (random in [0, 100], heavy when > 10). */
	uint32_t seed = 12345, again = 12345;
	unsigned heavy = 0, runs = 20000;
	char first[8], second[8];

	for (unsigned i = 0; i < runs; i++) {
		struct sl_srv_rec r[] = {
			{ 5, 10, 5001, 0 }, { 5, 90, 5009, 1 },
		};

		sl__srv_order(r, 2, xorshift, &seed);
		heavy += r[0].port == 5009;
	}
	ck_assert_uint_gt(heavy, runs * 85 / 100);
	ck_assert_uint_lt(heavy, runs * 93 / 100);
	/* The same seed, the same orders. */
	seed = 99;
	again = 99;
	for (unsigned i = 0; i < 50; i++) {
		struct sl_srv_rec a[] = {
			{ 1, 1, 5001, 0 }, { 1, 2, 5002, 1 },
			{ 1, 3, 5003, 2 }, { 1, 0, 5004, 3 },
		};
		struct sl_srv_rec b[4];

		memcpy(b, a, sizeof(a));
		sl__srv_order(a, 4, xorshift, &seed);
		sl__srv_order(b, 4, xorshift, &again);
		order_ports(a, 4, first);
		order_ports(b, 4, second);
		ck_assert_str_eq(first, second);
	}
}
END_TEST

/* ==== the loop, the responder, the resolver and the locator ==== */

enum { TIMEOUT_MS = 1000, ATTEMPTS = 2 };

static struct sl_vclock vc;
static struct sl_loop *loop;
static struct dns_responder resp;
static struct sl_dns *dns;
static struct sl_locator *lc;
static uint32_t rng_seed;

static void make_dns(unsigned max_queries)
{
	struct sl_dns_config cfg;

	sl__dns_config_init(&cfg);
	ck_assert_int_eq(sl__dns_config_add_server(&cfg, "127.0.0.1",
						   resp.port), 0);
	cfg.timeout_ms = TIMEOUT_MS;
	cfg.attempts = ATTEMPTS;
	cfg.max_queries = max_queries;
	ck_assert_int_eq(sl__dns_create(&dns, loop, &cfg), 0);
}

static void make_locator(enum sl_ip_pref pref, unsigned max_requests)
{
	struct sl_locate_config cfg;

	sl__locate_config_init(&cfg);
	cfg.ip_pref = pref;
	cfg.max_requests = max_requests;
	cfg.rand = xorshift;
	cfg.rand_arg = &rng_seed;
	ck_assert_int_eq(sl__locator_create(&lc, loop, dns, &cfg), 0);
}

static void setup(void)
{
	struct sl_loop_config lcfg = { 0 };

	sl__vclock_init(&vc, 1000000);
	lcfg.clock = &vc.clock;
	ck_assert_int_eq(sl__loop_create(&loop, &lcfg), 0);
	ck_assert_int_eq(dns_responder_start(&resp, loop, zone, n_zone), 0);
	rng_seed = 2463534242u;
	make_dns(16);
	make_locator(SL_IP_PREFER_V4, 8);
}

static void teardown(void)
{
	/* Every test gives back what it took. */
	if (lc)
		ck_assert_uint_eq(sl__locate_active(lc), 0);
	if (dns)
		ck_assert_uint_eq(sl__dns_in_flight(dns), 0);
	sl__locator_destroy(lc);
	lc = NULL;
	sl__dns_destroy(dns);
	dns = NULL;
	dns_responder_stop(&resp);
	sl__loop_destroy(loop);
	loop = NULL;
}

/* Runs the loop until *@flag is set; I/O only, the clock stands still.
 * Bounded: a missing answer fails the test instead of hanging it. */
static void run_until(const int *flag)
{
	for (int i = 0; i < 400 && !*flag; i++)
		ck_assert_int_ge(sl__loop_step(loop, 5), 0);
	ck_assert_msg(*flag, "no outcome");
}

/* Lets queued I/O (queries reaching the responder) happen. */
static void settle(void)
{
	for (int i = 0; i < 6; i++)
		sl__loop_step(loop, 1);
}

static void advance_ms(uint64_t ms)
{
	sl__vclock_advance(&vc, ms * 1000);
	sl__loop_step(loop, 0);
	settle();
}

/* ---- resolver ---- */

struct answer {
	int done;
	int err;
	int calls;
	unsigned n_answer;
	uint16_t flags;
	uint8_t a[4];
	uint64_t at_us;
};

static int first_a(void *arg, const struct sl_dns_msg *m,
		   const struct sl_dns_rr *rr)
{
	(void)m;
	memcpy(arg, rr->u.a, 4);
	return 1;
}

static void on_answer(void *arg, int err, const struct sl_dns_msg *m)
{
	struct answer *a = arg;

	a->done = 1;
	a->calls++;
	a->err = err;
	a->at_us = vc.now_us;
	if (m) {
		char name[SL_DNS_TEXT_CAP];

		a->n_answer = m->n_answer;
		a->flags = m->flags;
		ck_assert_int_gt(sl__dns_name_text(m, m->q_name, name,
						   sizeof(name)), 0);
		sl__dns_each_answer(m, name, strlen(name), SL_DNS_T_A, first_a,
				    a->a);
	}
}

static int query(const char *name, uint16_t type, struct answer *a)
{
	memset(a, 0, sizeof(*a));
	return sl__dns_query(dns, name, strlen(name), type, on_answer, a,
			     NULL);
}

START_TEST(resolve_a)
{
	struct answer a;

	ck_assert_int_eq(query("plain.example.com", SL_DNS_T_A, &a), 0);
	ck_assert_int_eq(a.done, 0);  /* never inside the call */
	ck_assert_uint_eq(sl__dns_in_flight(dns), 1);
	run_until(&a.done);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(a.n_answer, 2);
	ck_assert_uint_eq(a.a[0], 127);
	ck_assert_uint_eq(a.a[3], 4);
	ck_assert_uint_eq(sl__dns_in_flight(dns), 0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A,
					      "plain.example.com"), 1);
}
END_TEST

START_TEST(resolve_nxdomain_and_nodata)
{
	struct answer a;

	ck_assert_int_eq(query("gone.example.com", SL_DNS_T_A, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, SL_ENOTFOUND);
	ck_assert_uint_eq(sl__dns_rcode(a.flags), SL_DNS_R_NXDOMAIN);
	/* Unknown names are NXDOMAIN too. */
	ck_assert_int_eq(query("nowhere.example.com", SL_DNS_T_A, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, SL_ENOTFOUND);
	/* A name with records, none of the type: NOERROR, no answer. */
	ck_assert_int_eq(query("b.srv.example.com", SL_DNS_T_AAAA, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(a.n_answer, 0);
}
END_TEST

START_TEST(resolve_timeout_after_retries)
{
	struct answer a;
	uint64_t t0 = vc.now_us;

	ck_assert_int_eq(query("dead.example.com", SL_DNS_T_A, &a), 0);
	settle();
	ck_assert_uint_eq(resp.n_queries, 1);
	advance_ms(TIMEOUT_MS - 1);
	ck_assert_int_eq(a.done, 0);
	ck_assert_uint_eq(resp.n_queries, 1);
	advance_ms(1);                 /* attempt 2 */
	ck_assert_int_eq(a.done, 0);
	ck_assert_uint_eq(resp.n_queries, 2);
	advance_ms(TIMEOUT_MS - 1);
	ck_assert_int_eq(a.done, 0);
	advance_ms(1);
	ck_assert_int_eq(a.done, 1);
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(a.err, SL_ETIMEOUT);
	ck_assert_uint_eq(a.at_us - t0, 2 * TIMEOUT_MS * 1000);
	ck_assert_uint_eq(resp.n_queries, ATTEMPTS);
	advance_ms(10 * TIMEOUT_MS);
	ck_assert_int_eq(a.calls, 1);
}
END_TEST

START_TEST(resolve_second_server)
{
	struct dns_responder mute;
	struct sl_dns_config cfg;
	struct answer a;

	/* Server 1 says nothing; server 2 is the zone. */
	ck_assert_int_eq(dns_responder_start(&mute, loop, zone, n_zone), 0);
	mute.mute = 1;
	sl__dns_destroy(dns);
	sl__dns_config_init(&cfg);
	sl__dns_config_add_server(&cfg, "127.0.0.1", mute.port);
	sl__dns_config_add_server(&cfg, "127.0.0.1", resp.port);
	cfg.timeout_ms = TIMEOUT_MS;
	ck_assert_int_eq(sl__dns_create(&dns, loop, &cfg), 0);

	ck_assert_int_eq(query("b.srv.example.com", SL_DNS_T_A, &a), 0);
	settle();
	ck_assert_uint_eq(mute.n_queries, 1);
	ck_assert_uint_eq(resp.n_queries, 0);
	ck_assert_int_eq(a.done, 0);
	advance_ms(TIMEOUT_MS);
	run_until(&a.done);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(a.a[3], 3);
	ck_assert_uint_eq(resp.n_queries, 1);
	dns_responder_stop(&mute);
}
END_TEST

START_TEST(resolve_servfail_tries_all)
{
	struct answer a;

	ck_assert_int_eq(query("fail.example.com", SL_DNS_T_A, &a), 0);
	/* No timer needed: each SERVFAIL moves on at once. */
	run_until(&a.done);
	ck_assert_int_eq(a.err, SL_EFAIL);
	ck_assert_uint_eq(resp.n_queries, ATTEMPTS);
}
END_TEST

START_TEST(resolve_refused_without_question)
{
	struct answer a;

	/* Servers may drop the question from an error answer; the id alone
	 * ties it to the query, and it moves on at once. */
	ck_assert_int_eq(query("refused.example.com", SL_DNS_T_A, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, SL_EFAIL);
	ck_assert_uint_eq(resp.n_queries, ATTEMPTS);
	ck_assert_uint_eq(a.at_us, vc.now_us);
}
END_TEST

START_TEST(resolve_truncated)
{
	struct answer a;

	/* TC without records: a failure of the server. */
	ck_assert_int_eq(query("tc.example.com", SL_DNS_T_A, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, SL_EFAIL);
	/* TC with a record and a count one too high: what came is used. */
	ck_assert_int_eq(query("tcp.part.example.com", SL_DNS_T_A, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, 0);
	ck_assert(a.flags & SL_DNS_F_TC);
	ck_assert_uint_eq(a.n_answer, 1);
	ck_assert_uint_eq(a.a[3], 15);
}
END_TEST

START_TEST(resolve_ignores_junk_and_wrong_ids)
{
	struct answer a;

	ck_assert_int_eq(query("junk.example.com", SL_DNS_T_A, &a), 0);
	settle();
	ck_assert_int_eq(a.done, 0);
	advance_ms(TIMEOUT_MS);
	advance_ms(TIMEOUT_MS);
	ck_assert_int_eq(a.err, SL_ETIMEOUT);
	ck_assert_uint_eq(resp.n_queries, 2);

	ck_assert_int_eq(query("spoof.example.com", SL_DNS_T_A, &a), 0);
	settle();
	ck_assert_int_eq(a.done, 0);
	advance_ms(TIMEOUT_MS);
	advance_ms(TIMEOUT_MS);
	ck_assert_int_eq(a.err, SL_ETIMEOUT);
}
END_TEST

START_TEST(resolve_unreachable_server)
{
	struct sl_dns_config cfg;
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct answer a;
	int fd;

	/* A port nobody listens on: ICMP port unreachable, at once. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &slen), 0);
	close(fd);
	sl__dns_destroy(dns);
	sl__dns_config_init(&cfg);
	sl__dns_config_add_server(&cfg, "127.0.0.1", ntohs(sin.sin_port));
	ck_assert_int_eq(sl__dns_create(&dns, loop, &cfg), 0);

	ck_assert_int_eq(query("plain.example.com", SL_DNS_T_A, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, SL_ETRANSPORT);
	ck_assert_uint_eq(a.at_us, vc.now_us);  /* no timeout waited */

	/* With a live second server, it answers without any wait. */
	sl__dns_destroy(dns);
	sl__dns_config_add_server(&cfg, "127.0.0.1", resp.port);
	ck_assert_int_eq(sl__dns_create(&dns, loop, &cfg), 0);
	ck_assert_int_eq(query("plain.example.com", SL_DNS_T_A, &a), 0);
	run_until(&a.done);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(a.a[3], 4);
	ck_assert_uint_eq(a.at_us, vc.now_us);
}
END_TEST

START_TEST(resolve_pool_and_cancel)
{
	struct answer a, b, c;
	uint32_t h1, h2;

	sl__dns_destroy(dns);
	make_dns(2);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(sl__dns_query(dns, "plain.example.com", 17,
				       SL_DNS_T_A, on_answer, &a, &h1), 0);
	ck_assert_int_eq(sl__dns_query(dns, "b.srv.example.com", 17,
				       SL_DNS_T_A, on_answer, &b, &h2), 0);
	ck_assert_uint_gt(h1, 0);
	ck_assert_uint_ne(h1, h2);
	ck_assert_int_eq(query("x.example.com", SL_DNS_T_A, &c),
			 SL_ENOMEM);
	sl__dns_cancel(dns, h1);
	sl__dns_cancel(dns, h1);      /* twice: ignored */
	sl__dns_cancel(dns, 0);
	ck_assert_uint_eq(sl__dns_in_flight(dns), 1);
	run_until(&b.done);
	settle();
	ck_assert_int_eq(a.done, 0);  /* cancelled: never called */
	ck_assert_int_eq(b.err, 0);
	/* The freed slot gives a new handle. */
	ck_assert_int_eq(sl__dns_query(dns, "plain.example.com", 17,
				       SL_DNS_T_A, on_answer, &a, &h2), 0);
	ck_assert_uint_ne(h2, h1);
	run_until(&a.done);
}
END_TEST

START_TEST(resolve_bad_arguments)
{
	struct answer a;
	struct sl_dns_config cfg;
	struct sl_dns *d;

	ck_assert_int_eq(query("bad name", SL_DNS_T_A, &a), SL_EINVAL);
	ck_assert_int_eq(query("", SL_DNS_T_A, &a), SL_EINVAL);
	ck_assert_int_eq(query(".", SL_DNS_T_A, &a), SL_EINVAL);
	ck_assert_int_eq(sl__dns_query(dns, "a", 1, 1, NULL, NULL, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dns_query(NULL, "a", 1, 1, on_answer, &a,
				       NULL), SL_EINVAL);
	ck_assert_uint_eq(sl__dns_in_flight(dns), 0);
	sl__dns_config_init(&cfg);
	cfg.timeout_ms = 0;
	ck_assert_int_eq(sl__dns_create(&d, loop, &cfg), SL_EINVAL);
	sl__dns_config_init(&cfg);
	ck_assert_int_eq(sl__dns_create(NULL, loop, &cfg), SL_EINVAL);
	ck_assert_int_eq(sl__dns_create(&d, NULL, &cfg), SL_EINVAL);
	ck_assert_int_eq(sl__dns_config_add_server(&cfg, "dns.example", 0),
			 SL_EINVAL);
	for (int i = 0; i < SL_DNS_MAX_SERVERS; i++)
		ck_assert_int_eq(sl__dns_config_add_server(&cfg, "::1", 0), 0);
	ck_assert_int_eq(sl__dns_config_add_server(&cfg, "::1", 0),
			 SL_ELIMIT);
	sl__dns_cancel(NULL, 1);
	sl__dns_destroy(NULL);
}
END_TEST

START_TEST(resolve_loop_fd_limit)
{
	struct sl_loop_config lcfg = { 0 };
	struct sl_dns_config cfg;
	struct sl_loop *small;
	struct sl_dns *d;
	struct answer a, b;
	uint32_t h;

	/* A loop that can watch one fd: the second query cannot get a
	 * socket watched, which is the pool running out. */
	lcfg.clock = &vc.clock;
	lcfg.max_fds = 1;
	ck_assert_int_eq(sl__loop_create(&small, &lcfg), 0);
	sl__dns_config_init(&cfg);
	sl__dns_config_add_server(&cfg, "127.0.0.1", resp.port);
	ck_assert_int_eq(sl__dns_create(&d, small, NULL), 0);
	sl__dns_destroy(d);
	ck_assert_int_eq(sl__dns_create(&d, small, &cfg), 0);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_int_eq(sl__dns_query(d, "a.example.com", 13, SL_DNS_T_A,
				       on_answer, &a, &h), 0);
	ck_assert_int_eq(sl__dns_query(d, "b.example.com", 13, SL_DNS_T_A,
				       on_answer, &b, NULL), SL_ENOMEM);
	ck_assert_uint_eq(sl__dns_in_flight(d), 1);
	/* Destroying with a query in flight closes it, no callback. */
	sl__dns_destroy(d);
	sl__loop_destroy(small);
	ck_assert_int_eq(a.done, 0);
}
END_TEST

START_TEST(resolve_random_ids)
{
	struct answer a;
	unsigned same = 0;

	/* Six queries, six ids from getrandom(): equal neighbours would be
	 * a 1 in 65536 chance each, all equal is a counter or a constant. */
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(query("plain.example.com", SL_DNS_T_A, &a),
				 0);
		run_until(&a.done);
		ck_assert_int_eq(a.err, 0);
	}
	ck_assert_uint_eq(resp.n_queries, 6);
	for (int i = 1; i < 6; i++)
		same += resp.log[i].id == resp.log[i - 1].id ||
			resp.log[i].id == (uint16_t)(resp.log[i - 1].id + 1);
	ck_assert_uint_le(same, 1);
}
END_TEST

static char *write_temp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/check_dns_XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (int)strlen(text));
	close(fd);
	return path;
}

START_TEST(resolv_conf_lines)
{
	char text[1200];
	struct sl_addr a[SL_DNS_MAX_SERVERS];
	char host[64];
	char *path;
	int n;

	snprintf(text, sizeof(text),
		 "# generated\n"
		 "search example.com\n"
		 "nameserver 192.0.2.53\n"
		 "  nameserver\t2001:db8::53  # v6\n"
		 "nameserver fe80::1%%eth0\n"
		 "nameserver dns.example.com\n"
		 "nameservers 192.0.2.9\n"
		 "nameserver\n"
		 ";nameserver 192.0.2.8\n"
		 "nameserver 198.51.100.1;comment\n"
		 "options timeout:1\n"
		 "nameserver %0300d\n"
		 "nameserver 203.0.113.7\n"
		 "nameserver 203.0.113.8\n",
		 7);
	path = write_temp(text);
	n = sl__dns_read_resolv_conf(path, a, SL_DNS_MAX_SERVERS);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(a[0].u.sa.sa_family, AF_INET);
	ck_assert_uint_eq(ntohs(a[0].u.in.sin_port), 53);
	inet_ntop(AF_INET, &a[0].u.in.sin_addr, host, sizeof(host));
	ck_assert_str_eq(host, "192.0.2.53");
	ck_assert_int_eq(a[1].u.sa.sa_family, AF_INET6);
	inet_ntop(AF_INET6, &a[1].u.in6.sin6_addr, host, sizeof(host));
	ck_assert_str_eq(host, "2001:db8::53");
	inet_ntop(AF_INET, &a[2].u.in.sin_addr, host, sizeof(host));
	ck_assert_str_eq(host, "198.51.100.1");
	inet_ntop(AF_INET, &a[3].u.in.sin_addr, host, sizeof(host));
	ck_assert_str_eq(host, "203.0.113.7");
	/* Fewer slots than lines. */
	ck_assert_int_eq(sl__dns_read_resolv_conf(path, a, 1), 1);
	unlink(path);
	ck_assert_int_eq(sl__dns_read_resolv_conf("/nonexistent/resolv",
						  a, 4), SL_EIO);
	ck_assert_int_eq(sl__dns_read_resolv_conf(NULL, a, 4), SL_EINVAL);
}
END_TEST

struct logged {
	int n;
	char line[160];
};

static void capture_log(void *arg, enum sl_log_level level,
			const char *module, const char *line)
{
	struct logged *l = arg;

	(void)level;
	if (strcmp(module, "dns") != 0)
		return;
	l->n++;
	snprintf(l->line, sizeof(l->line), "%s", line);
}

START_TEST(resolv_conf_used_at_creation)
{
	struct sl_dns_config cfg;
	const struct sl_addr *s;
	struct sl_dns *d;
	struct logged lg = { 0, "" };
	char *path = write_temp("nameserver 127.0.0.1\nnameserver ::1\n");

	sl__dns_config_init(&cfg);
	cfg.resolv_conf = path;
	ck_assert_int_eq(sl__dns_create(&d, loop, &cfg), 0);
	ck_assert_uint_eq(sl__dns_servers(d, &s), 2);
	ck_assert_int_eq(s[1].u.sa.sa_family, AF_INET6);
	sl__dns_destroy(d);
	unlink(path);
	/* Nothing usable: 127.0.0.1, as the C library does, and a word in
	 * the log. */
	path = write_temp("# empty\n");
	cfg.resolv_conf = path;
	sl_log_set_callback(capture_log, &lg);
	ck_assert_int_eq(sl__dns_create(&d, loop, &cfg), 0);
	sl_log_set_callback(NULL, NULL);
	ck_assert_int_eq(lg.n, 1);
	ck_assert_ptr_nonnull(strstr(lg.line, "no nameserver"));
	ck_assert_uint_eq(sl__dns_servers(d, &s), 1);
	ck_assert_uint_eq(ntohl(s[0].u.in.sin_addr.s_addr), INADDR_LOOPBACK);
	ck_assert_uint_eq(ntohs(s[0].u.in.sin_port), 53);
	sl__dns_destroy(d);
	unlink(path);
}
END_TEST

/* ---- locate ---- */

struct located {
	int done;
	int calls;
	int err;
	unsigned n;
	uint32_t id;
	uint64_t at_us;
};

static void on_located(void *arg, uint32_t id, int err, unsigned n)
{
	struct located *l = arg;

	l->done = 1;
	l->calls++;
	l->err = err;
	l->n = n;
	l->at_us = vc.now_us;
	/* Started without an id out-parameter: learn it here. */
	if (l->id == 0)
		l->id = id;
	ck_assert_uint_eq(id, l->id);
}

/* Starts locating @uri; the id lands in l->id. */
static int start_uri(const char *uri, struct located *l)
{
	struct sl_uri u;
	struct sl_locate_query q;
	int rc;

	memset(l, 0, sizeof(*l));
	ck_assert_int_eq(sl_uri_parse(uri, strlen(uri), &u), 0);
	rc = sl__locate_query_from_uri(&u, &q);
	if (rc < 0)
		return rc;
	return sl__locate_start(lc, &q, on_located, l, &l->id);
}

static void locate_ok(const char *uri, struct located *l)
{
	ck_assert_int_eq(start_uri(uri, l), 0);
	ck_assert_int_eq(l->done, 0);
	run_until(&l->done);
	ck_assert_msg(l->err == 0, "%s: %s", uri, sl_err_name(l->err));
	ck_assert_uint_gt(l->n, 0);
}

/* The next target as "TP host port name". */
static const char *next_text(const struct located *l, char *buf, size_t cap)
{
	struct sl_locate_target t;
	char host[INET6_ADDRSTRLEN];
	uint16_t port;
	int rc = sl__locate_next(lc, l->id, &t);

	if (rc < 0) {
		snprintf(buf, cap, "%s", sl_err_name(rc));
		return buf;
	}
	if (t.addr.u.sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &t.addr.u.in.sin_addr, host, sizeof(host));
		port = ntohs(t.addr.u.in.sin_port);
		ck_assert_uint_eq(t.addr.len, sizeof(struct sockaddr_in));
	} else {
		inet_ntop(AF_INET6, &t.addr.u.in6.sin6_addr, host,
			  sizeof(host));
		port = ntohs(t.addr.u.in6.sin6_port);
		ck_assert_uint_eq(t.addr.len, sizeof(struct sockaddr_in6));
	}
	snprintf(buf, cap, "%s %s %u %s", t.tp == SL_TP_UDP ? "UDP" :
		 t.tp == SL_TP_TCP ? "TCP" : "TLS", host, port, t.name);
	return buf;
}

/* Checks the whole target list, then the cursor's end and release. */
static void expect_targets(struct located *l, const char *const *want,
			   unsigned n)
{
	char buf[300];

	ck_assert_uint_eq(l->n, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_str_eq(next_text(l, buf, sizeof(buf)), want[i]);
	ck_assert_str_eq(next_text(l, buf, sizeof(buf)), "SL_ENOTFOUND");
	sl__locate_release(lc, l->id);
	ck_assert_str_eq(next_text(l, buf, sizeof(buf)), "SL_EHANDLE");
}

START_TEST(locate_numeric_ipv4)
{
	static const char *const want[] = { "UDP 192.0.2.1 5060 192.0.2.1" };
	struct located l;

	ck_assert_int_eq(start_uri("sip:alice@192.0.2.1", &l), 0);
	/* Delivered from the loop, not from inside start. */
	ck_assert_int_eq(l.done, 0);
	ck_assert_int_eq(sl__locate_next(lc, l.id, NULL), SL_EHANDLE);
	{
		struct sl_locate_target t;

		ck_assert_int_eq(sl__locate_next(lc, l.id, &t), SL_ESTATE);
		ck_assert_int_eq(sl__locate_get(lc, l.id, 0, &t), SL_ESTATE);
	}
	run_until(&l.done);
	ck_assert_int_eq(l.err, 0);
	expect_targets(&l, want, 1);
	ck_assert_uint_eq(resp.n_queries, 0);  /* no DNS at all */
}
END_TEST

START_TEST(locate_numeric_ipv6)
{
	static const char *const want[] = {
		"TLS 2001:db8::1 5070 2001:db8::1"
	};
	static const char *const want_tcp[] = { "TCP ::1 5060 ::1" };
	struct located l;

	locate_ok("sips:bob@[2001:db8::1]:5070", &l);
	expect_targets(&l, want, 1);
	locate_ok("sip:[::1];transport=TCP", &l);
	expect_targets(&l, want_tcp, 1);
	ck_assert_uint_eq(resp.n_queries, 0);
}
END_TEST

START_TEST(locate_numeric_family_excluded)
{
	struct located l;

	sl__locator_set_ip_pref(lc, SL_IP_V6_ONLY);
	ck_assert_int_eq(start_uri("sip:192.0.2.1", &l), 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ENOTFOUND);
	ck_assert_uint_eq(sl__locate_active(lc), 0);
	sl__locator_set_ip_pref(lc, SL_IP_V4_ONLY);
	ck_assert_int_eq(start_uri("sip:[::1]", &l), 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ENOTFOUND);
	ck_assert_int_eq(sl__locator_set_ip_pref(lc, (enum sl_ip_pref)7),
			 SL_EINVAL);
}
END_TEST

START_TEST(locate_explicit_port)
{
	static const char *const want[] = {
		"UDP 127.0.0.4 5090 plain.example.com",
		"UDP 127.0.0.14 5090 plain.example.com",
		"UDP 2001:db8::4 5090 plain.example.com",
	};
	struct located l;

	locate_ok("sip:plain.example.com:5090", &l);
	expect_targets(&l, want, 3);
	/* A/AAAA only: no NAPTR, no SRV. */
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR, NULL), 0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A, NULL), 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_AAAA, NULL), 1);
}
END_TEST

START_TEST(locate_srv_two_priorities)
{
	static const char *const want[] = {
		"UDP 127.0.0.2 5070 a.srv.example.com",
		"UDP ::2 5070 a.srv.example.com",
		"UDP 127.0.0.3 5080 b.srv.example.com",
	};
	struct located l;
	struct sl_locate_target t;

	locate_ok("sip:srv.example.com", &l);
	/* The list can be read whole without moving the cursor. */
	ck_assert_int_eq(sl__locate_get(lc, l.id, 2, &t), 0);
	ck_assert_str_eq(t.name, "b.srv.example.com");
	ck_assert_uint_eq(ntohs(t.addr.u.in.sin_port), 5080);
	ck_assert_int_eq(sl__locate_get(lc, l.id, 3, &t), SL_ENOTFOUND);
	ck_assert_int_eq(sl__locate_get(lc, l.id, 0, NULL), SL_EHANDLE);
	ck_assert_int_eq(sl__locate_get(lc, l.id + 1, 0, &t), SL_EHANDLE);
	expect_targets(&l, want, 3);
	ck_assert_int_eq(sl__locate_get(lc, l.id, 0, &t), SL_EHANDLE);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR,
					      "srv.example.com"), 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 3);
}
END_TEST

START_TEST(locate_no_srv_uses_host)
{
	static const char *const want[] = {
		"UDP 127.0.0.4 5060 plain.example.com",
		"UDP 127.0.0.14 5060 plain.example.com",
		"UDP 2001:db8::4 5060 plain.example.com",
	};
	static const char *const want_tls[] = {
		"TLS 127.0.0.4 5061 plain.example.com",
		"TLS 127.0.0.14 5061 plain.example.com",
		"TLS 2001:db8::4 5061 plain.example.com",
	};
	struct located l;

	locate_ok("sip:plain.example.com", &l);
	expect_targets(&l, want, 3);
	locate_ok("sips:plain.example.com", &l);
	expect_targets(&l, want_tls, 3);
}
END_TEST

START_TEST(locate_sips_uses_sips_tcp)
{
	static const char *const want[] = {
		"TLS 127.0.0.5 5071 t.tls.example.com",
	};
	struct located l;
	struct sl_locate_target t;

	locate_ok("sips:tls.example.com", &l);
	ck_assert_int_eq(sl__locate_next(lc, l.id, &t), 0);
	ck_assert_str_eq(t.domain, "tls.example.com");
	sl__locate_release(lc, l.id);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV,
					      "_sips._tcp.tls.example.com"),
			  1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 1);
	/* With transport=tcp a sips: URI is still TLS, on _sips._tcp. */
	locate_ok("sips:tls.example.com;transport=tcp", &l);
	expect_targets(&l, want, 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 2);
	/* A sip: URI may use TLS too: UDP first, then TLS. */
	locate_ok("sip:tls.example.com", &l);
	{
		static const char *const both[] = {
			"UDP 127.0.0.6 5072 u.tls.example.com",
			"TLS 127.0.0.5 5071 t.tls.example.com",
		};

		expect_targets(&l, both, 2);
	}
}
END_TEST

START_TEST(locate_transport_param_tcp)
{
	static const char *const want[] = {
		"TCP 127.0.0.7 5073 t.tcp.example.com",
	};
	struct located l;

	locate_ok("sip:tcp.example.com;transport=tcp", &l);
	expect_targets(&l, want, 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR, NULL), 0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV,
					      "_sip._tcp.tcp.example.com"), 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 1);
}
END_TEST

START_TEST(locate_naptr_order_and_preference)
{
	static const char *const want[] = {
		"UDP 127.0.0.10 5076 u.naptr.example.com",
		"TCP 127.0.0.9 5075 t.naptr.example.com",
	};
	static const char *const want_sips[] = {
		"TLS 127.0.0.11 5077 s.naptr.example.com",
	};
	struct located l;

	locate_ok("sip:naptr.example.com", &l);
	expect_targets(&l, want, 2);
	/* Order 20 (SIPS+D2T) was shut out by order 10; the E2U record is
	 * not for us. */
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV,
					      "_sips._tcp.naptr.example.com"),
			  0);
	/* sips: keeps only SIPS+D2T, whose order (20) is then the lowest
	 * usable one; its replacement is followed. */
	locate_ok("sips:naptr.example.com", &l);
	expect_targets(&l, want_sips, 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR,
					      "naptr.example.com"), 2);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV,
					      "_sips._tcp.naptr.example.com"),
			  0);
}
END_TEST

START_TEST(locate_without_naptr)
{
	struct sl_locate_config cfg;
	struct located l;

	sl__locator_destroy(lc);
	sl__locate_config_init(&cfg);
	cfg.use_naptr = 0;
	cfg.transports = SL_TP_BIT(SL_TP_TCP);
	ck_assert_int_eq(sl__locator_create(&lc, loop, dns, &cfg), 0);
	locate_ok("sip:naptr.example.com", &l);
	{
		static const char *const want[] = {
			"TCP 127.0.0.9 5075 t.naptr.example.com",
		};

		expect_targets(&l, want, 1);
	}
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR, NULL), 0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 1);
	/* No UDP: transport=udp is refused, and plain hosts go TCP. */
	ck_assert_int_eq(start_uri("sip:x.example.com;transport=udp", &l),
			 SL_EUNSUPP);
	locate_ok("sip:b.srv.example.com", &l);
	{
		static const char *const want[] = {
			"TCP 127.0.0.3 5060 b.srv.example.com",
		};

		expect_targets(&l, want, 1);
	}
	/* No TLS: sips: is refused. */
	ck_assert_int_eq(start_uri("sips:x.example.com", &l), SL_EUNSUPP);
}
END_TEST

START_TEST(locate_prefer_v6_and_only)
{
	static const char *const v6[] = {
		"UDP 2001:db8::4 5060 plain.example.com",
		"UDP 127.0.0.4 5060 plain.example.com",
		"UDP 127.0.0.14 5060 plain.example.com",
	};
	static const char *const v4only[] = {
		"UDP 127.0.0.4 5060 plain.example.com",
		"UDP 127.0.0.14 5060 plain.example.com",
	};
	static const char *const v6only[] = {
		"UDP 2001:db8::4 5060 plain.example.com",
	};
	struct located l;

	ck_assert_int_eq(sl__locator_set_ip_pref(lc, SL_IP_PREFER_V6), 0);
	locate_ok("sip:plain.example.com", &l);
	expect_targets(&l, v6, 3);
	sl__locator_set_ip_pref(lc, SL_IP_V4_ONLY);
	resp.n_queries = 0;
	locate_ok("sip:plain.example.com", &l);
	expect_targets(&l, v4only, 2);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_AAAA, NULL), 0);
	sl__locator_set_ip_pref(lc, SL_IP_V6_ONLY);
	resp.n_queries = 0;
	locate_ok("sip:plain.example.com", &l);
	expect_targets(&l, v6only, 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A, NULL), 0);
	/* SRV targets with only A records: nothing under v6-only. */
	ck_assert_int_eq(start_uri("sip:tcp.example.com;transport=tcp", &l),
			 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ENOTFOUND);
}
END_TEST

START_TEST(locate_nxdomain)
{
	struct located l;

	ck_assert_int_eq(start_uri("sip:nowhere.example.com", &l), 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ENOTFOUND);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(l.calls, 1);
	ck_assert_uint_eq(sl__locate_active(lc), 0);
	/* NXDOMAIN on the A lookup of an explicit port too. */
	ck_assert_int_eq(start_uri("sip:gone.example.com:5060", &l), 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ENOTFOUND);
}
END_TEST

START_TEST(locate_dot_target_means_absent)
{
	struct located l;

	ck_assert_int_eq(start_uri("sip:dot.example.com;transport=udp", &l),
			 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ENOTFOUND);
	/* No fall back to the host's A record. */
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A, NULL), 0);
}
END_TEST

START_TEST(locate_cname_and_missing_target)
{
	static const char *const want[] = {
		"UDP 127.0.0.4 5062 cname.example.com",
		"UDP 127.0.0.14 5062 cname.example.com",
		"UDP 2001:db8::4 5062 cname.example.com",
	};
	static const char *const half[] = {
		"UDP 127.0.0.3 5091 b.srv.example.com",
	};
	struct located l;

	locate_ok("sip:cname.example.com:5062", &l);
	expect_targets(&l, want, 3);
	/* The first SRV target has no address: the second one is used. */
	locate_ok("sip:half.example.com;transport=udp", &l);
	expect_targets(&l, half, 1);
}
END_TEST

START_TEST(locate_timeout_when_server_silent)
{
	struct located l;
	uint64_t t0 = vc.now_us;

	resp.mute = 1;
	ck_assert_int_eq(start_uri("sip:dead.example.com", &l), 0);
	settle();
	ck_assert_uint_eq(resp.n_queries, 1);          /* NAPTR */
	advance_ms(TIMEOUT_MS);
	ck_assert_uint_eq(resp.n_queries, 2);          /* NAPTR again */
	advance_ms(TIMEOUT_MS);
	ck_assert_int_eq(l.done, 0);
	/* NAPTR gave up: the three SRV names, twice each. */
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 3);
	advance_ms(TIMEOUT_MS);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_SRV, NULL), 6);
	advance_ms(TIMEOUT_MS - 1);
	ck_assert_int_eq(l.done, 0);
	advance_ms(1);
	ck_assert_int_eq(l.done, 1);
	ck_assert_int_eq(l.calls, 1);
	ck_assert_int_eq(l.err, SL_ETIMEOUT);
	ck_assert_uint_eq(l.at_us - t0, 4 * TIMEOUT_MS * 1000);
	/* Nothing answered at all: no A/AAAA queries after that. */
	ck_assert_uint_eq(resp.n_queries, 8);
	ck_assert_uint_eq(sl__dns_in_flight(dns), 0);
	advance_ms(10 * TIMEOUT_MS);
	ck_assert_int_eq(l.calls, 1);
}
END_TEST

START_TEST(locate_address_timeout)
{
	struct located l;

	/* The server answers, but never the address queries. */
	ck_assert_int_eq(start_uri("sip:addr-dead.example.com:5060", &l), 0);
	settle();
	advance_ms(TIMEOUT_MS);
	ck_assert_int_eq(l.done, 0);
	advance_ms(TIMEOUT_MS);
	ck_assert_int_eq(l.done, 1);
	ck_assert_int_eq(l.err, SL_ETIMEOUT);
	ck_assert_uint_eq(resp.n_queries, 4);
}
END_TEST

START_TEST(locate_target_list_is_bounded)
{
	static struct dns_zone_entry many[2 * SL_LOCATE_MAX_TARGETS + 3];
	static char addr[2 * SL_LOCATE_MAX_TARGETS][20];
	struct located l;
	struct sl_locate_target t;
	unsigned n = 0;

	/* Two SRV targets with 16 addresses each: the list keeps the first
	 * host's 16 even when they arrive last. */
	many[n++] = (struct dns_zone_entry){ DNS_Z_SRV,
		"_sip._udp.many.example.com", 0, "h1.example.com", 1, 0,
		5060, NULL, NULL };
	many[n++] = (struct dns_zone_entry){ DNS_Z_SRV,
		"_sip._udp.many.example.com", 0, "h2.example.com", 2, 0,
		5060, NULL, NULL };
	/* h1's answer comes a timeout late, after h2 filled the list. */
	many[n++] = (struct dns_zone_entry){ DNS_Z_DROP_FIRST,
		"h1.example.com", SL_DNS_T_A, NULL, 0, 0, 0, NULL, NULL };
	for (unsigned i = 0; i < 2 * SL_LOCATE_MAX_TARGETS; i++) {
		snprintf(addr[i], sizeof(addr[i]), "127.0.%u.%u", 1 + i / 16,
			 i % 16);
		many[n++] = (struct dns_zone_entry){ DNS_Z_A,
			i < SL_LOCATE_MAX_TARGETS ? "h1.example.com" :
			"h2.example.com", 0, addr[i], 0, 0, 0, NULL, NULL };
	}
	dns_responder_stop(&resp);
	ck_assert_int_eq(dns_responder_start(&resp, loop, many, n), 0);
	sl__locator_destroy(lc);
	sl__dns_destroy(dns);
	make_dns(16);
	make_locator(SL_IP_V4_ONLY, 4);
	ck_assert_int_eq(start_uri("sip:many.example.com;transport=udp", &l),
			 0);
	for (int i = 0; i < 50 && dns_responder_count(&resp, SL_DNS_T_A,
						       NULL) < 2; i++)
		settle();
	settle();
	ck_assert_int_eq(l.done, 0);
	advance_ms(TIMEOUT_MS);
	run_until(&l.done);
	ck_assert_int_eq(l.err, 0);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A,
					      "h1.example.com"), 2);
	ck_assert_uint_eq(l.n, SL_LOCATE_MAX_TARGETS);
	for (unsigned i = 0; i < SL_LOCATE_MAX_TARGETS; i++) {
		ck_assert_int_eq(sl__locate_next(lc, l.id, &t), 0);
		ck_assert_str_eq(t.name, "h1.example.com");
		ck_assert_uint_eq(ntohl(t.addr.u.in.sin_addr.s_addr) & 0xff,
				  i);
	}
	ck_assert_int_eq(sl__locate_next(lc, l.id, &t), SL_ENOTFOUND);
	sl__locate_release(lc, l.id);
}
END_TEST

START_TEST(locate_unreachable_server)
{
	struct sl_dns_config cfg;
	struct located l;
	uint16_t port = resp.port;

	/* The responder gone, its port answers with ICMP: no waiting. */
	dns_responder_stop(&resp);
	sl__locator_destroy(lc);
	sl__dns_destroy(dns);
	sl__dns_config_init(&cfg);
	sl__dns_config_add_server(&cfg, "127.0.0.1", port);
	ck_assert_int_eq(sl__dns_create(&dns, loop, &cfg), 0);
	make_locator(SL_IP_PREFER_V4, 2);
	ck_assert_int_eq(start_uri("sip:plain.example.com", &l), 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ETRANSPORT);
	ck_assert_uint_eq(l.at_us, vc.now_us);
	/* The same when the SRV stage is the first. */
	ck_assert_int_eq(start_uri("sip:plain.example.com;transport=tcp",
				   &l), 0);
	run_until(&l.done);
	ck_assert_int_eq(l.err, SL_ETRANSPORT);
}
END_TEST

START_TEST(locate_default_random_source)
{
	struct sl_locate_config cfg;
	struct located l;
	char buf[300];
	unsigned seen = 0;

	sl__locator_destroy(lc);
	sl__locate_config_init(&cfg);
	ck_assert_int_eq(sl__locator_create(&lc, loop, dns, &cfg), 0);
	locate_ok("sip:w.example.com;transport=udp", &l);
	ck_assert_uint_eq(l.n, 3);
	/* Some order of the three, each once. */
	for (int i = 0; i < 3; i++) {
		const char *t = next_text(&l, buf, sizeof(buf));

		ck_assert_ptr_nonnull(strstr(t, " w"));
		seen |= 1u << (strstr(t, " w")[2] - '0');
	}
	ck_assert_uint_eq(seen, 7);
	sl__locate_release(lc, l.id);
}
END_TEST

START_TEST(locate_host_forms)
{
	static const char *const v6[] = { "UDP ::1 5060 ::1" };
	static const char *const dot[] = {
		"UDP 127.0.0.3 5060 b.srv.example.com",
	};
	struct sl_locate_query q;
	struct located l;

	/* A bracketed literal given directly, and a name with a final dot
	 * (the dot is not part of the name asked or reported). */
	memset(&q, 0, sizeof(q));
	memset(&l, 0, sizeof(l));
	q.host.p = "[::1]";
	q.host.len = 5;
	ck_assert_int_eq(sl__locate_start(lc, &q, on_located, &l, &l.id), 0);
	run_until(&l.done);
	expect_targets(&l, v6, 1);
	memset(&l, 0, sizeof(l));
	q.host.p = "b.srv.example.com.";
	q.host.len = 18;
	q.port = 5060;
	ck_assert_int_eq(sl__locate_start(lc, &q, on_located, &l, &l.id), 0);
	run_until(&l.done);
	expect_targets(&l, dot, 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_A,
					      "b.srv.example.com"), 1);
	/* The id out-parameter may be NULL: the callback has it too. */
	memset(&l, 0, sizeof(l));
	q.host.p = "192.0.2.1";
	q.host.len = 9;
	ck_assert_int_eq(sl__locate_start(lc, &q, on_located, &l, NULL), 0);
	run_until(&l.done);
	ck_assert_uint_gt(l.id, 0);
	sl__locate_release(lc, l.id);
}
END_TEST

START_TEST(locate_naptr_dropped_then_a)
{
	static const char *const want[] = {
		"UDP 127.0.0.13 5060 quiet.example.com",
	};
	struct located l;

	/* A server that answers everything but NAPTR: after the NAPTR
	 * timeouts, SRV (NXDOMAIN) then A as usual. */
	ck_assert_int_eq(start_uri("sip:quiet.example.com", &l), 0);
	settle();
	advance_ms(TIMEOUT_MS);
	advance_ms(TIMEOUT_MS);
	run_until(&l.done);
	ck_assert_int_eq(l.err, 0);
	expect_targets(&l, want, 1);
	ck_assert_uint_eq(dns_responder_count(&resp, SL_DNS_T_NAPTR, NULL), 2);
}
END_TEST

START_TEST(locate_failover_cursor)
{
	/*
	 * Weights w1 10, w2 20, w0 0 at one priority; running sums with the
	 * zero first: w0 0, w1 10, w2 30. The seeded xorshift32 (seed
	 * 2463534242) draws 723471715 (% 31 = 8: w1), then 2497366906
	 * (% 21 = 13 over w0 0, w2 20: w2), and w0 is left.
	 */
	static const char *const want[] = {
		"UDP 127.0.1.1 5001 w1.example.com",
		"UDP 127.0.1.2 5002 w2.example.com",
		"UDP 127.0.1.0 5000 w0.example.com",
	};
	struct located l;

	locate_ok("sip:w.example.com;transport=udp", &l);
	ck_assert_uint_eq(l.n, 3);
	/* The cursor moves on each failure and ends with ENOTFOUND. */
	expect_targets(&l, want, 3);
}
END_TEST

START_TEST(locate_release_while_running)
{
	struct located l;

	ck_assert_int_eq(start_uri("sip:srv.example.com", &l), 0);
	ck_assert_uint_eq(sl__locate_active(lc), 1);
	ck_assert_uint_gt(sl__dns_in_flight(dns), 0);
	sl__locate_release(lc, l.id);
	ck_assert_uint_eq(sl__locate_active(lc), 0);
	ck_assert_uint_eq(sl__dns_in_flight(dns), 0);
	settle();
	ck_assert_int_eq(l.done, 0);
	sl__locate_release(lc, l.id);
	sl__locate_release(lc, 0);
	sl__locate_release(NULL, 1);
	/* Numeric: released before its deferred callback. */
	ck_assert_int_eq(start_uri("sip:192.0.2.1", &l), 0);
	sl__locate_release(lc, l.id);
	settle();
	ck_assert_int_eq(l.done, 0);
}
END_TEST

START_TEST(locate_pool_exhaustion)
{
	struct located a, b, c;

	sl__locator_destroy(lc);
	make_locator(SL_IP_PREFER_V4, 2);
	ck_assert_int_eq(start_uri("sip:192.0.2.1", &a), 0);
	ck_assert_int_eq(start_uri("sip:192.0.2.2", &b), 0);
	ck_assert_int_eq(start_uri("sip:192.0.2.3", &c), SL_ENOMEM);
	run_until(&b.done);
	run_until(&a.done);
	sl__locate_release(lc, a.id);
	ck_assert_int_eq(start_uri("sip:192.0.2.3", &c), 0);
	ck_assert_uint_ne(c.id, a.id);   /* ids are not reused soon */
	run_until(&c.done);
	sl__locate_release(lc, b.id);
	sl__locate_release(lc, c.id);

	/* A resolver with one query slot: a locate whose stages need more
	 * waits for its own queries to answer. */
	sl__locator_destroy(lc);
	sl__dns_destroy(dns);
	make_dns(1);
	make_locator(SL_IP_PREFER_V4, 2);
	locate_ok("sip:plain.example.com:5060", &a);
	ck_assert_uint_eq(a.n, 3);
	sl__locate_release(lc, a.id);
	/* The pool held by someone else: ENOMEM at the start. */
	{
		struct answer q;

		ck_assert_int_eq(query("dead.example.com", SL_DNS_T_A, &q), 0);
		ck_assert_int_eq(start_uri("sip:plain.example.com", &a),
				 SL_ENOMEM);
		ck_assert_int_eq(start_uri("sip:plain.example.com;"
					   "transport=tcp", &a), SL_ENOMEM);
		ck_assert_int_eq(start_uri("sip:plain.example.com:5060", &a),
				 SL_ENOMEM);
		ck_assert_uint_eq(sl__locate_active(lc), 0);
		advance_ms(TIMEOUT_MS);
		advance_ms(TIMEOUT_MS);
		ck_assert_int_eq(q.err, SL_ETIMEOUT);
	}
}
END_TEST

struct uri_case {
	const char *uri;
	int rc;
	const char *host;
	uint16_t port;
	int secure;
	int has_tp;
	enum sl_tp tp;
};

static const struct uri_case uri_cases[] = {
	{ "sip:example.com", 0, "example.com", 0, 0, 0, SL_TP_UDP },
	{ "sips:example.com:5081", 0, "example.com", 5081, 1, 0, SL_TP_UDP },
	{ "sip:example.com;transport=TCP", 0, "example.com", 0, 0, 1,
	  SL_TP_TCP },
	{ "sip:example.com;transport=tls", 0, "example.com", 0, 0, 1,
	  SL_TP_TLS },
	{ "sip:a@[2001:db8::1]:5070;transport=udp", 0, "2001:db8::1", 5070,
	  0, 1, SL_TP_UDP },
	{ "sip:example.com;maddr=192.0.2.9", 0, "192.0.2.9", 0, 0, 0,
	  SL_TP_UDP },
	{ "sip:example.com;transport=sctp", SL_EUNSUPP, NULL, 0, 0, 0, 0 },
	{ "sip:example.com;transport=ws", SL_EUNSUPP, NULL, 0, 0, 0, 0 },
	{ "tel:+15551234567", SL_EUNSUPP, NULL, 0, 0, 0, 0 },
};

START_TEST(query_from_uri)
{
	const struct uri_case *c = &uri_cases[_i];
	struct sl_uri u;
	struct sl_locate_query q;

	ck_assert_int_eq(sl_uri_parse(c->uri, strlen(c->uri), &u), 0);
	ck_assert_int_eq(sl__locate_query_from_uri(&u, &q), c->rc);
	if (c->rc)
		return;
	ck_assert_msg(sl_slice_eq(q.host, c->host), "%s: host %.*s", c->uri,
		      (int)q.host.len, q.host.p);
	ck_assert_uint_eq(q.port, c->port);
	ck_assert_int_eq(q.secure, c->secure);
	ck_assert_int_eq(q.has_tp, c->has_tp);
	if (c->has_tp)
		ck_assert_int_eq(q.tp, c->tp);
}
END_TEST

START_TEST(locate_bad_arguments)
{
	struct sl_locate_query q;
	struct sl_locate_config cfg;
	struct sl_locator *x;
	struct located l;

	memset(&q, 0, sizeof(q));
	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(sl__locate_start(lc, &q, on_located, &l, &l.id),
			 SL_EINVAL);
	q.host.p = "bad host";
	q.host.len = 8;
	ck_assert_int_eq(sl__locate_start(lc, &q, on_located, &l, &l.id),
			 SL_EINVAL);
	q.host.p = "ok.example.com";
	q.host.len = 14;
	ck_assert_int_eq(sl__locate_start(lc, &q, NULL, &l, &l.id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__locate_start(NULL, &q, on_located, &l, &l.id),
			 SL_EINVAL);
	q.secure = 1;
	q.has_tp = 1;
	q.tp = SL_TP_UDP;
	ck_assert_int_eq(sl__locate_start(lc, &q, on_located, &l, &l.id),
			 SL_EUNSUPP);
	q.secure = 0;
	q.tp = (enum sl_tp)9;
	ck_assert_int_eq(sl__locate_start(lc, &q, on_located, &l, &l.id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__locate_query_from_uri(NULL, &q), SL_EINVAL);
	ck_assert_uint_eq(sl__locate_active(lc), 0);

	sl__locate_config_init(&cfg);
	cfg.transports = 0;
	ck_assert_int_eq(sl__locator_create(&x, loop, dns, &cfg), SL_EINVAL);
	sl__locate_config_init(&cfg);
	cfg.ip_pref = (enum sl_ip_pref)9;
	ck_assert_int_eq(sl__locator_create(&x, loop, dns, &cfg), SL_EINVAL);
	ck_assert_int_eq(sl__locator_create(&x, NULL, dns, NULL), SL_EINVAL);
	/* Without a resolver: numeric hosts only. */
	ck_assert_int_eq(sl__locator_create(&x, loop, NULL, NULL), 0);
	q.tp = SL_TP_UDP;
	q.has_tp = 0;
	ck_assert_int_eq(sl__locate_start(x, &q, on_located, &l, &l.id),
			 SL_EUNSUPP);
	sl__locator_destroy(x);
	sl__locator_destroy(NULL);
}
END_TEST

Suite *check_dns_suite(void);

Suite *check_dns_suite(void)
{
	Suite *s = suite_create("dns");
	TCase *wire = tcase_create("wire");
	TCase *srv = tcase_create("srv_order");
	TCase *res = tcase_create("resolver");
	TCase *loc = tcase_create("locate");

	tcase_add_test(wire, encode_query_bytes);
	tcase_add_test(wire, encode_query_names);
	tcase_add_test(wire, put_name_root_and_limits);
	tcase_add_test(wire, query_round_trip);
	tcase_add_test(wire, text_eq_cases);
	tcase_add_loop_test(wire, wire_vector, 0,
			    sizeof(wire_vecs) / sizeof(wire_vecs[0]));
	tcase_add_test(wire, decode_truncated_counts_cut);
	tcase_add_test(wire, decode_srv_fields);
	tcase_add_test(wire, name_limits);
	tcase_add_test(wire, decode_srv_answer);
	tcase_add_test(wire, decode_naptr_and_aaaa);
	tcase_add_test(wire, each_answer_follows_cnames);
	suite_add_tcase(s, wire);

	tcase_add_test(srv, srv_priority_first);
	tcase_add_test(srv, srv_weights_scripted);
	tcase_add_test(srv, srv_weights_distribution);
	suite_add_tcase(s, srv);

	tcase_add_checked_fixture(res, setup, teardown);
	tcase_add_test(res, resolve_a);
	tcase_add_test(res, resolve_nxdomain_and_nodata);
	tcase_add_test(res, resolve_timeout_after_retries);
	tcase_add_test(res, resolve_second_server);
	tcase_add_test(res, resolve_servfail_tries_all);
	tcase_add_test(res, resolve_refused_without_question);
	tcase_add_test(res, resolve_truncated);
	tcase_add_test(res, resolve_ignores_junk_and_wrong_ids);
	tcase_add_test(res, resolve_unreachable_server);
	tcase_add_test(res, resolve_pool_and_cancel);
	tcase_add_test(res, resolve_bad_arguments);
	tcase_add_test(res, resolve_loop_fd_limit);
	tcase_add_test(res, resolve_random_ids);
	tcase_add_test(res, resolv_conf_lines);
	tcase_add_test(res, resolv_conf_used_at_creation);
	suite_add_tcase(s, res);

	tcase_add_checked_fixture(loc, setup, teardown);
	tcase_add_test(loc, locate_numeric_ipv4);
	tcase_add_test(loc, locate_numeric_ipv6);
	tcase_add_test(loc, locate_numeric_family_excluded);
	tcase_add_test(loc, locate_explicit_port);
	tcase_add_test(loc, locate_srv_two_priorities);
	tcase_add_test(loc, locate_no_srv_uses_host);
	tcase_add_test(loc, locate_sips_uses_sips_tcp);
	tcase_add_test(loc, locate_transport_param_tcp);
	tcase_add_test(loc, locate_naptr_order_and_preference);
	tcase_add_test(loc, locate_without_naptr);
	tcase_add_test(loc, locate_prefer_v6_and_only);
	tcase_add_test(loc, locate_nxdomain);
	tcase_add_test(loc, locate_dot_target_means_absent);
	tcase_add_test(loc, locate_cname_and_missing_target);
	tcase_add_test(loc, locate_timeout_when_server_silent);
	tcase_add_test(loc, locate_address_timeout);
	tcase_add_test(loc, locate_target_list_is_bounded);
	tcase_add_test(loc, locate_unreachable_server);
	tcase_add_test(loc, locate_default_random_source);
	tcase_add_test(loc, locate_host_forms);
	tcase_add_test(loc, locate_naptr_dropped_then_a);
	tcase_add_test(loc, locate_failover_cursor);
	tcase_add_test(loc, locate_release_while_running);
	tcase_add_test(loc, locate_pool_exhaustion);
	tcase_add_loop_test(loc, query_from_uri, 0,
			    sizeof(uri_cases) / sizeof(uri_cases[0]));
	tcase_add_test(loc, locate_bad_arguments);
	suite_add_tcase(s, loc);
	return s;
}

SL_CHECK_MAIN(check_dns_suite)
