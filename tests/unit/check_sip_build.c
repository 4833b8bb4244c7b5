/*
 * tests/unit/check_sip_build.c: the message builder (lib/sip/build.c):
 * exact output of every function, refusal of injected names and values,
 * sticky errors, overflow at every buffer size, the reason-phrase table,
 * responses made from a request (RFC 3261 §8.2.6), and round trips through
 * sl_msg_parse().
 */
#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check_main.h"
#include "sipline/build.h"
#include "sipline/msg.h"

#define CANARY 0xa5
#define SLACK 32

static struct sl_slice sl(const char *s)
{
	struct sl_slice r = { s, strlen(s) };

	return r;
}

static struct sl_slice sln(const char *s, size_t n)
{
	struct sl_slice r = { s, n };

	return r;
}

/* A builder over buf with a request line already written. */
static void start_request(struct sl_builder *b, char *buf, size_t cap)
{
	ck_assert_int_eq(sl_build_init(b, buf, cap), 0);
	ck_assert_int_eq(sl_build_request_line(b, "OPTIONS", "sip:x@y"), 0);
}

static const char rl[] = "OPTIONS sip:x@y SIP/2.0\r\n";

/* Asserts that the builder holds exactly rl plus @want. */
static void assert_after_rl(const struct sl_builder *b, const char *want)
{
	size_t n = strlen(rl);

	ck_assert_uint_eq(b->len, n + strlen(want));
	ck_assert_int_eq(memcmp(b->buf, rl, n), 0);
	ck_assert_int_eq(memcmp(b->buf + n, want, strlen(want)), 0);
}

/* ---- init and start lines ---- */

START_TEST(init_checks_arguments)
{
	struct sl_builder b;
	char buf[8];

	ck_assert_int_eq(sl_build_init(NULL, buf, sizeof(buf)), SL_EINVAL);
	ck_assert_int_eq(sl_build_init(&b, NULL, 10), SL_EINVAL);
	ck_assert_int_eq(b.err, SL_EINVAL);
	ck_assert_int_eq(sl_build_request_line(&b, "BYE", "sip:a"), SL_EINVAL);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), SL_EINVAL);

	/* An empty buffer is legal; nothing fits into it. */
	ck_assert_int_eq(sl_build_init(&b, NULL, 0), 0);
	ck_assert_int_eq(sl_build_request_line(&b, "BYE", "sip:a"),
			 SL_ENOSPC);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), SL_ENOSPC);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(request_line_exact)
{
	struct sl_builder b;
	char buf[128];

	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_request_line(&b, "INVITE",
		"sip:bob@biloxi.example.com;transport=tcp?Subject=x"), 0);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), (int)b.len);
	ck_assert_str_eq(buf,
		"INVITE sip:bob@biloxi.example.com;transport=tcp?Subject=x "
		"SIP/2.0\r\nContent-Length: 0\r\n\r\n");

	/* extension methods and other schemes pass unchanged */
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_request_line_slice(&b, sl("NEWMETHOD"),
						     sl("tel:+1-201-555-0123")),
			 0);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), (int)b.len);
	ck_assert_str_eq(buf, "NEWMETHOD tel:+1-201-555-0123 SIP/2.0\r\n"
			 "Content-Length: 0\r\n\r\n");
}
END_TEST

struct bad_rl {
	const char *method;
	size_t method_len;
	const char *uri;
	size_t uri_len;
};

#define S_(lit) lit, sizeof(lit) - 1

static const struct bad_rl bad_rls[] = {
	{ S_(""), S_("sip:a@b") },
	{ S_("IN VITE"), S_("sip:a@b") },
	{ S_("INVITE\r\nX"), S_("sip:a@b") },
	{ S_("INV\0TE"), S_("sip:a@b") },
	{ S_("INVITE:"), S_("sip:a@b") },
	{ S_("INVITE"), S_("") },
	{ S_("INVITE"), S_("sip:") },
	{ S_("INVITE"), S_("a@b") },
	{ S_("INVITE"), S_(":a@b") },
	{ S_("INVITE"), S_("1sip:a@b") },
	{ S_("INVITE"), S_("sip:a@b SIP/2.0\r\nVia: x") },
	{ S_("INVITE"), S_("sip:a@b\r\n") },
	{ S_("INVITE"), S_("sip:a@b\n") },
	{ S_("INVITE"), S_("sip:a\0@b") },
	{ S_("INVITE"), S_("sip:a@b\t") },
	{ S_("INVITE"), S_("sip:a@b>") },
	{ S_("INVITE"), S_("sip:<a@b") },
	{ S_("INVITE"), S_("sip:\"a\"@b") },
	{ S_("INVITE"), S_("sip:\xc3\xa9@b") },
	{ S_("INVITE"), S_("sip:a@b\x7f") },
};

START_TEST(request_line_rejects)
{
	const struct bad_rl *v = &bad_rls[_i];
	struct sl_builder b;
	char buf[128];

	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_request_line_slice(&b,
				sln(v->method, v->method_len),
				sln(v->uri, v->uri_len)), SL_EINVAL);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(b.err, SL_EINVAL);
	/* sticky: a good call afterwards changes nothing */
	ck_assert_int_eq(sl_build_header(&b, "To", "x"), SL_EINVAL);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), SL_EINVAL);
	ck_assert_uint_eq(b.len, 0);
}
END_TEST

START_TEST(request_line_null_arguments)
{
	struct sl_builder b;
	char buf[64];
	struct sl_slice null_len = { NULL, 3 };

	ck_assert_int_eq(sl_build_request_line(NULL, "A", "sip:a"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_request_line(&b, NULL, "sip:a"), SL_EINVAL);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_request_line(&b, "A", NULL), SL_EINVAL);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_request_line_slice(&b, null_len,
						     sl("sip:a")), SL_EINVAL);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_request_line_slice(&b, sl("A"), null_len),
			 SL_EINVAL);
}
END_TEST

START_TEST(start_line_order_enforced)
{
	struct sl_builder b;
	char buf[128];

	/* headers and finish need a start line */
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_header(&b, "To", "x"), SL_ESTATE);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), SL_ESTATE);

	/* only one start line */
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_status_line(&b, 200, NULL), SL_ESTATE);
	assert_after_rl(&b, "");
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_request_line(&b, "A", "sip:a"), SL_ESTATE);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_status_line(&b, 200, NULL), 0);
	ck_assert_int_eq(sl_build_request_line(&b, "A", "sip:a"), SL_ESTATE);

	/* nothing after finish */
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0),
			 (int)strlen(rl) + 21);
	ck_assert_int_eq(sl_build_header(&b, "To", "x"), SL_ESTATE);
	ck_assert_uint_eq(b.len, strlen(rl) + 21);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_gt(sl_build_finish(&b, NULL, NULL, 0), 0);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), SL_ESTATE);
}
END_TEST

START_TEST(status_line_exact)
{
	static const struct {
		int code;
		const char *reason;
		const char *want;
	} v[] = {
		{ 200, NULL, "SIP/2.0 200 OK\r\n" },
		{ 180, NULL, "SIP/2.0 180 Ringing\r\n" },
		{ 699, NULL, "SIP/2.0 699 Global Failure\r\n" },
		{ 100, "Trying hard", "SIP/2.0 100 Trying hard\r\n" },
		{ 486, "", "SIP/2.0 486 \r\n" },
		{ 603, "Abgelehnt \xc3\xa4\tx", "SIP/2.0 603 Abgelehnt "
						 "\xc3\xa4\tx\r\n" },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sl_builder b;

		ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
		ck_assert_int_eq(sl_build_status_line(&b, v[i].code,
						      v[i].reason), 0);
		ck_assert_uint_eq(b.len, strlen(v[i].want));
		ck_assert_int_eq(memcmp(buf, v[i].want, b.len), 0);
	}
}
END_TEST

START_TEST(status_line_rejects)
{
	static const struct {
		int code;
		const char *reason;
	} v[] = {
		{ 99, NULL }, { 700, NULL }, { 0, NULL }, { -200, NULL },
		{ 1000, "OK" }, { 200, "OK\r\nVia: evil" }, { 200, "OK\n" },
		{ 200, "O\rK" }, { 200, "\x01" }, { 200, "OK\x7f" },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sl_builder b;

		ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
		ck_assert_int_eq(sl_build_status_line(&b, v[i].code,
						      v[i].reason), SL_EINVAL);
		ck_assert_uint_eq(b.len, 0);
		ck_assert_int_eq(b.err, SL_EINVAL);
	}
	ck_assert_int_eq(sl_build_status_line(NULL, 200, NULL), SL_EINVAL);
}
END_TEST

/* ---- generic headers ---- */

START_TEST(header_exact)
{
	struct sl_builder b;
	char buf[256];

	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header(&b, "Subject",
					 "Hi there \xe2\x98\x83"), 0);
	ck_assert_int_eq(sl_build_header(&b, "Supported", ""), 0);
	ck_assert_int_eq(sl_build_header_slice(&b, sl("X-Custom.1~"),
					       sln("abcdef", 3)), 0);
	ck_assert_int_eq(sl_build_header_slice(&b, sl("k"), sln(NULL, 0)), 0);
	ck_assert_int_eq(sl_build_header_uint(&b, "Max-Forwards", 70), 0);
	ck_assert_int_eq(sl_build_header_uint(&b, "Expires", 0), 0);
	ck_assert_int_eq(sl_build_header_uint(&b, "RSeq", UINT32_MAX), 0);
	ck_assert_int_eq(sl_build_header(&b, "User-Agent", "a\tb  c"), 0);
	assert_after_rl(&b,
		"Subject: Hi there \xe2\x98\x83\r\n"
		"Supported: \r\n"
		"X-Custom.1~: abc\r\n"
		"k: \r\n"
		"Max-Forwards: 70\r\n"
		"Expires: 0\r\n"
		"RSeq: 4294967295\r\n"
		"User-Agent: a\tb  c\r\n");
}
END_TEST

struct bad_hdr {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

static const struct bad_hdr bad_hdrs[] = {
	/* names that are not tokens */
	{ S_(""), S_("x") },
	{ S_("To:"), S_("x") },
	{ S_("To "), S_("x") },
	{ S_(" To"), S_("x") },
	{ S_("To\r\nVia"), S_("x") },
	{ S_("To\n"), S_("x") },
	{ S_("T\0o"), S_("x") },
	{ S_("X\tY"), S_("x") },
	{ S_("X@Y"), S_("x") },
	{ S_("X\xc3\xa9"), S_("x") },
	/* values that would end the line or hide bytes */
	{ S_("Subject"), S_("hi\r\nVia: SIP/2.0/UDP evil") },
	{ S_("Subject"), S_("hi\r\n\r\nbody") },
	{ S_("Subject"), S_("hi\n") },
	{ S_("Subject"), S_("hi\r") },
	{ S_("Subject"), S_("\r\n continued") },
	{ S_("Subject"), S_("h\0i") },
	{ S_("Subject"), S_("\x01") },
	{ S_("Subject"), S_("\x1b[31m") },
	{ S_("Subject"), S_("del\x7f") },
	/* the length is finish's alone, in any spelling */
	{ S_("Content-Length"), S_("0") },
	{ S_("content-length"), S_("0") },
	{ S_("CONTENT-LENGTH"), S_("0") },
	{ S_("l"), S_("0") },
	{ S_("L"), S_("0") },
};

START_TEST(header_injection_rejected)
{
	const struct bad_hdr *v = &bad_hdrs[_i];
	struct sl_builder b;
	char buf[256];

	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header_slice(&b, sln(v->name, v->name_len),
					       sln(v->value, v->value_len)),
			 SL_EINVAL);
	assert_after_rl(&b, "");
	ck_assert_int_eq(sl_build_header(&b, "To", "x"), SL_EINVAL);
	ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0), SL_EINVAL);
	assert_after_rl(&b, "");

	/* the same name through the other name-taking functions */
	if (memchr(v->name, '\0', v->name_len) == NULL) {
		int only_value = strcmp(v->name, "Subject") == 0;

		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_header_uint(&b, v->name, 1),
				 only_value ? 0 : SL_EINVAL);
		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_name_addr_header(&b, v->name, NULL,
							   "sip:a", NULL),
				 only_value ? 0 : SL_EINVAL);
	}
	/* and the value as a C string where it has no NUL */
	if (memchr(v->value, '\0', v->value_len) == NULL &&
	    strcmp(v->name, "Subject") == 0) {
		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_header(&b, v->name, v->value),
				 SL_EINVAL);
		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_name_addr_header(&b, "To", v->value,
							   "sip:a", NULL),
				 SL_EINVAL);
		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_finish(&b, v->value, "x", 1),
				 SL_EINVAL);
		ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
		ck_assert_int_eq(sl_build_status_line(&b, 200, v->value),
				 SL_EINVAL);
		ck_assert_uint_eq(b.len, 0);
	}
}
END_TEST

START_TEST(header_null_arguments)
{
	struct sl_builder b;
	char buf[128];

	ck_assert_int_eq(sl_build_header(NULL, "To", "x"), SL_EINVAL);
	ck_assert_int_eq(sl_build_header_slice(NULL, sl("To"), sl("x")),
			 SL_EINVAL);
	ck_assert_int_eq(sl_build_header_uint(NULL, "To", 1), SL_EINVAL);
	ck_assert_int_eq(sl_build_header_copy(NULL, NULL), SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header(&b, NULL, "x"), SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header(&b, "To", NULL), SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header_slice(&b, sln(NULL, 2), sl("x")),
			 SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header_slice(&b, sl("To"), sln(NULL, 2)),
			 SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header_uint(&b, NULL, 1), SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header_copy(&b, NULL), SL_EINVAL);
	assert_after_rl(&b, "");
}
END_TEST

START_TEST(header_copy_unfolds)
{
	static const struct {
		const char *name;
		const char *value;
		const char *want;
	} v[] = {
		{ "Subject", "a\r\n b", "Subject: a b\r\n" },
		{ "Subject", "a \t\r\n\t  b", "Subject: a b\r\n" },
		{ "Subject", "a\r\n b\r\n\tc", "Subject: a b c\r\n" },
		{ "Subject", "a\r\n \r\n b", "Subject: a b\r\n" },
		{ "Subject", "a  b\tc", "Subject: a  b\tc\r\n" },
		{ "f", "\"A\r\n B\" <sip:a@b>;tag=1",
		  "f: \"A B\" <sip:a@b>;tag=1\r\n" },
		{ "X-Empty", "", "X-Empty: \r\n" },
		/* untrimmed: a trailing fold is white space too */
		{ "Subject", "a\r\n ", "Subject: a \r\n" },
		/* the parser takes a bare LF for CRLF */
		{ "Subject", "a\n b", "Subject: a b\r\n" },
		{ "Subject", "a \n\t\n b", "Subject: a b\r\n" },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sl_builder b;
		struct sl_hdr h = { sl(v[i].name), sl(v[i].value), 0,
				    SL_HDR_NONE };

		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_header_copy(&b, &h), 0);
		assert_after_rl(&b, v[i].want);
	}
	{
		/* controls escaped in a quoted string go through verbatim
		 * (RFC 4475 §3.1.1.9 intmeth) */
		static const char v2[] = "\"BEL:\\\x07 NUL:\\\0 DEL:\\\x7f\" "
					 "<sip:a@b>";
		static const char w2[] = "To: \"BEL:\\\x07 NUL:\\\0 "
					 "DEL:\\\x7f\" <sip:a@b>\r\n";
		struct sl_builder b;
		struct sl_hdr h = { sl("To"), sln(v2, sizeof(v2) - 1), 0,
				    SL_HDR_NONE };

		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_header_copy(&b, &h), 0);
		ck_assert_uint_eq(b.len, strlen(rl) + sizeof(w2) - 1);
		ck_assert_int_eq(memcmp(buf + strlen(rl), w2, sizeof(w2) - 1),
				 0);
	}
}
END_TEST

START_TEST(header_copy_rejects)
{
	static const struct bad_hdr v[] = {
		{ S_("Subject"), S_("a\r\nb") },     /* CRLF without WS */
		{ S_("Subject"), S_("a\rb") },
		{ S_("Subject"), S_("a\nb") },
		{ S_("Subject"), S_("a\r \nb") },
		{ S_("Subject"), S_("a\r\n") },
		{ S_("Subject"), S_("a\r") },
		{ S_("Subject"), S_("a\n") },
		{ S_("Subject"), S_("a\0b") },
		{ S_("Subject"), S_("\0") },
		{ S_("Sub ject"), S_("a") },
		{ S_("Content-Length"), S_("0") },
		{ S_("l"), S_("0") },
	};
	char buf[256];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sl_builder b;
		struct sl_hdr h = { sln(v[i].name, v[i].name_len),
				    sln(v[i].value, v[i].value_len), 0,
				    SL_HDR_NONE };

		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_header_copy(&b, &h), SL_EINVAL);
		assert_after_rl(&b, "");
	}
	{
		struct sl_builder b;
		struct sl_hdr h = { sln(NULL, 1), sl("x"), 0, SL_HDR_NONE };

		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_header_copy(&b, &h), SL_EINVAL);
		h.name = sl("To");
		h.value = sln(NULL, 1);
		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_header_copy(&b, &h), SL_EINVAL);
	}
}
END_TEST

/* ---- typed headers ---- */

static const struct {
	const char *transport;
	const char *host;
	uint16_t port;
	const char *branch;
	int rport;
	int rc;
	const char *want;
} via_vectors[] = {
	{ "UDP", "192.0.2.1", 5060, "z9hG4bK776asdhds", 1, 0,
	  "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport\r\n" },
	{ "TCP", "pc33.atlanta.example.com", 0, "z9hG4bKnashds8", 0, 0,
	  "Via: SIP/2.0/TCP pc33.atlanta.example.com"
	  ";branch=z9hG4bKnashds8\r\n" },
	{ "TLS", "2001:db8::1", 5061, "z9hG4bK1", 0, 0,
	  "Via: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bK1\r\n" },
	{ "WS", "[::1]", 0, "z9hG4bK2", 1, 0,
	  "Via: SIP/2.0/WS [::1];branch=z9hG4bK2;rport\r\n" },
	{ "UDP", "host.", 65535, "b", 0, 0,
	  "Via: SIP/2.0/UDP host.:65535;branch=b\r\n" },
	{ "", "h", 0, "b", 0, SL_EINVAL, NULL },
	{ "U DP", "h", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP/X", "h", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "a b", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "h\r\nVia: x", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "1.2.3.4:5060", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "[::1", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "[::1]:5060", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "[host]", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "-bad-.com", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "h_1", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "h", 0, "", 0, SL_EINVAL, NULL },
	{ "UDP", "h", 0, NULL, 0, SL_EINVAL, NULL },
	{ NULL, "h", 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", NULL, 0, "b", 0, SL_EINVAL, NULL },
	{ "UDP", "h", 0, "b;received=1.2.3.4", 0, SL_EINVAL, NULL },
	{ "UDP", "h", 0, "b\r\n", 0, SL_EINVAL, NULL },
};

START_TEST(via_vector)
{
	struct sl_builder b;
	char buf[256];

	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_via(&b, via_vectors[_i].transport,
				      via_vectors[_i].host,
				      via_vectors[_i].port,
				      via_vectors[_i].branch,
				      via_vectors[_i].rport),
			 via_vectors[_i].rc);
	assert_after_rl(&b, via_vectors[_i].want ? via_vectors[_i].want : "");
	ck_assert_int_eq(sl_build_via(NULL, "UDP", "h", 0, "b", 0), SL_EINVAL);
}
END_TEST

static const struct {
	const char *name;
	const char *display;
	const char *uri;
	const char *tag;
	int rc;
	const char *want;
} na_vectors[] = {
	{ "From", "Alice", "sip:alice@atlanta.example.com", "1928301774", 0,
	  "From: \"Alice\" <sip:alice@atlanta.example.com>"
	  ";tag=1928301774\r\n" },
	{ "To", NULL, "sip:bob@biloxi.example.com", NULL, 0,
	  "To: <sip:bob@biloxi.example.com>\r\n" },
	{ "To", "", "sip:bob@b", "", 0, "To: <sip:bob@b>\r\n" },
	{ "From", "Al \"Big\" \\ Co", "sips:a@b", "t", 0,
	  "From: \"Al \\\"Big\\\" \\\\ Co\" <sips:a@b>;tag=t\r\n" },
	{ "f", "\"", "tel:+15551234", NULL, 0,
	  "f: \"\\\"\" <tel:+15551234>\r\n" },
	{ "From", "J\xc3\xbcrgen\tM.", "sip:j@b;user=phone", "a-b.c!%*_+`'~",
	  0, "From: \"J\xc3\xbcrgen\tM.\" <sip:j@b;user=phone>"
	  ";tag=a-b.c!%*_+`'~\r\n" },
	{ "Contact", NULL, "sip:a@[2001:db8::1]:5060;transport=tcp", NULL, 0,
	  "Contact: <sip:a@[2001:db8::1]:5060;transport=tcp>\r\n" },
	{ "From", "A\r\nVia: x", "sip:a@b", NULL, SL_EINVAL, NULL },
	{ "From", "A\n", "sip:a@b", NULL, SL_EINVAL, NULL },
	{ "From", "\x01", "sip:a@b", NULL, SL_EINVAL, NULL },
	{ "From", NULL, "sip:a@b>;tag=evil", NULL, SL_EINVAL, NULL },
	{ "From", NULL, "sip:a@b\r\n", NULL, SL_EINVAL, NULL },
	{ "From", NULL, "sip:a b", NULL, SL_EINVAL, NULL },
	{ "From", NULL, "", NULL, SL_EINVAL, NULL },
	{ "From", NULL, NULL, NULL, SL_EINVAL, NULL },
	{ "From", NULL, "sip:a@b", "t;x=y", SL_EINVAL, NULL },
	{ "From", NULL, "sip:a@b", "t\r\n", SL_EINVAL, NULL },
	{ "From", NULL, "sip:a@b", "t t", SL_EINVAL, NULL },
	{ "Fr om", NULL, "sip:a@b", NULL, SL_EINVAL, NULL },
	{ NULL, NULL, "sip:a@b", NULL, SL_EINVAL, NULL },
};

START_TEST(name_addr_vector)
{
	struct sl_builder b;
	char buf[256];

	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_name_addr_header(&b, na_vectors[_i].name,
						   na_vectors[_i].display,
						   na_vectors[_i].uri,
						   na_vectors[_i].tag),
			 na_vectors[_i].rc);
	assert_after_rl(&b, na_vectors[_i].want ? na_vectors[_i].want : "");
}
END_TEST

START_TEST(name_addr_params)
{
	struct sl_builder b;
	char buf[256];

	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_name_addr_params(&b, "Contact", "Bob",
		"sip:bob@192.0.2.4", ";expires=3600;+sip.instance="
		"\"<urn:uuid:00000000-0000-1000-8000-000A95A0E128>\""), 0);
	ck_assert_int_eq(sl_build_name_addr_params(&b, "Route", NULL,
		"sip:p1.example.com;lr", NULL), 0);
	ck_assert_int_eq(sl_build_name_addr_params(&b, "Route", NULL,
		"sip:p2.example.com;lr", ""), 0);
	assert_after_rl(&b,
		"Contact: \"Bob\" <sip:bob@192.0.2.4>;expires=3600;"
		"+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-"
		"000A95A0E128>\"\r\n"
		"Route: <sip:p1.example.com;lr>\r\n"
		"Route: <sip:p2.example.com;lr>\r\n");

	static const char *const bad[] = {
		"expires=3600", ";a\r\nVia: x", ";a\n", ";\x01",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_name_addr_params(&b, "Contact", NULL,
							   "sip:a", bad[i]),
				 SL_EINVAL);
		assert_after_rl(&b, "");
	}
	ck_assert_int_eq(sl_build_name_addr_params(NULL, "Contact", NULL,
						   "sip:a", NULL), SL_EINVAL);
	ck_assert_int_eq(sl_build_name_addr_header(NULL, "To", NULL,
						   "sip:a", NULL), SL_EINVAL);
}
END_TEST

START_TEST(cseq_and_call_id)
{
	static const struct {
		uint32_t seq;
		const char *method;
		int rc;
		const char *want;
	} cs[] = {
		{ 1, "INVITE", 0, "CSeq: 1 INVITE\r\n" },
		{ 0, "REGISTER", 0, "CSeq: 0 REGISTER\r\n" },
		{ 0x7fffffffu, "X-EXT", 0, "CSeq: 2147483647 X-EXT\r\n" },
		{ 0x80000000u, "INVITE", SL_EINVAL, NULL },
		{ UINT32_MAX, "INVITE", SL_EINVAL, NULL },
		{ 1, "", SL_EINVAL, NULL },
		{ 1, NULL, SL_EINVAL, NULL },
		{ 1, "INVITE\r\nVia: x", SL_EINVAL, NULL },
		{ 1, "INV ITE", SL_EINVAL, NULL },
	};
	static const struct {
		const char *id;
		int rc;
	} ids[] = {
		{ "a84b4c76e66710@pc33.atlanta.example.com", 0 },
		{ "f81d4fae-7dec-11d0-a765-00a0c91e6bf6", 0 },
		{ "x()<>:\\\"/[]?{}", 0 },
		{ "", SL_EINVAL },
		{ NULL, SL_EINVAL },
		{ "a b", SL_EINVAL },
		{ "a@b@c", SL_EINVAL },
		{ "@b", SL_EINVAL },
		{ "a@", SL_EINVAL },
		{ "a\r\nVia: x", SL_EINVAL },
		{ "a;b", SL_EINVAL },
		{ "a\t", SL_EINVAL },
	};
	struct sl_builder b;
	char buf[256];

	for (size_t i = 0; i < sizeof(cs) / sizeof(cs[0]); i++) {
		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_cseq(&b, cs[i].seq, cs[i].method),
				 cs[i].rc);
		assert_after_rl(&b, cs[i].want ? cs[i].want : "");
	}
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		char want[128] = "";

		start_request(&b, buf, sizeof(buf));
		ck_assert_int_eq(sl_build_call_id(&b, ids[i].id), ids[i].rc);
		if (ids[i].rc == 0) {
			strcat(want, "Call-ID: ");
			strcat(want, ids[i].id);
			strcat(want, "\r\n");
		}
		assert_after_rl(&b, want);
	}
	ck_assert_int_eq(sl_build_cseq(NULL, 1, "A"), SL_EINVAL);
	ck_assert_int_eq(sl_build_call_id(NULL, "a"), SL_EINVAL);
}
END_TEST

/* ---- finish ---- */

START_TEST(finish_cases)
{
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n";
	struct sl_builder b;
	char buf[256];
	int n;

	start_request(&b, buf, sizeof(buf));
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_eq(n, (int)b.len);
	assert_after_rl(&b, "Content-Length: 0\r\n\r\n");
	ck_assert_int_eq(buf[n], '\0');

	start_request(&b, buf, sizeof(buf));
	n = sl_build_finish(&b, "application/sdp", sdp, strlen(sdp));
	ck_assert_int_eq(n, (int)b.len);
	assert_after_rl(&b, "Content-Type: application/sdp\r\n"
			"Content-Length: 31\r\n\r\n"
			"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n");

	/* a type without a body is allowed, and a body may hold NULs */
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_gt(sl_build_finish(&b, "text/plain", NULL, 0), 0);
	assert_after_rl(&b, "Content-Type: text/plain\r\n"
			"Content-Length: 0\r\n\r\n");
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_gt(sl_build_finish(&b, "application/octet-stream",
					 "a\0b", 3), 0);
	ck_assert_int_eq(memcmp(buf + b.len - 3, "a\0b", 3), 0);

	/* a Content-Type header written before counts as the type */
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header(&b, "c", "text/plain"), 0);
	ck_assert_int_gt(sl_build_finish(&b, NULL, "hi", 2), 0);
	assert_after_rl(&b, "c: text/plain\r\nContent-Length: 2\r\n\r\nhi");

	/* errors */
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_finish(&b, NULL, "hi", 2), SL_EINVAL);
	assert_after_rl(&b, "");
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_finish(&b, "text/plain", NULL, 2), SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_finish(&b, "", "hi", 2), SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_finish(&b, "text/plain\r\nX: y", "hi", 2),
			 SL_EINVAL);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header(&b, "Content-Type", "text/plain"), 0);
	ck_assert_int_eq(sl_build_finish(&b, "text/plain", "hi", 2),
			 SL_EINVAL);
	ck_assert_int_eq(sl_build_finish(NULL, NULL, NULL, 0), SL_EINVAL);

	/* exact fit: no NUL after the message */
	{
		char exact[64];
		size_t n_exact = strlen(rl) + 21;

		memset(exact, CANARY, sizeof(exact));
		ck_assert_int_eq(sl_build_init(&b, exact, n_exact), 0);
		ck_assert_int_eq(sl_build_request_line(&b, "OPTIONS",
						       "sip:x@y"), 0);
		ck_assert_int_eq(sl_build_finish(&b, NULL, NULL, 0),
				 (int)n_exact);
		ck_assert_int_eq((unsigned char)exact[n_exact], CANARY);
	}
}
END_TEST

/* ---- sticky errors ---- */

/* Calls every writing function; each must return @want and write nothing. */
static void assert_all_refused(struct sl_builder *b, int want)
{
	size_t len = b->len;
	struct sl_hdr h = { { "To", 2 }, { "x", 1 }, 0, SL_HDR_NONE };

	ck_assert_int_eq(sl_build_request_line(b, "A", "sip:a"), want);
	ck_assert_int_eq(sl_build_request_line_slice(b, sl("A"), sl("sip:a")),
			 want);
	ck_assert_int_eq(sl_build_status_line(b, 200, NULL), want);
	ck_assert_int_eq(sl_build_header(b, "To", "x"), want);
	ck_assert_int_eq(sl_build_header_slice(b, sl("To"), sl("x")), want);
	ck_assert_int_eq(sl_build_header_uint(b, "Expires", 1), want);
	ck_assert_int_eq(sl_build_header_copy(b, &h), want);
	ck_assert_int_eq(sl_build_via(b, "UDP", "h", 0, "b", 1), want);
	ck_assert_int_eq(sl_build_name_addr_header(b, "To", "A", "sip:a", "t"),
			 want);
	ck_assert_int_eq(sl_build_name_addr_params(b, "To", "A", "sip:a",
						   ";x"), want);
	ck_assert_int_eq(sl_build_cseq(b, 1, "A"), want);
	ck_assert_int_eq(sl_build_call_id(b, "a@b"), want);
	ck_assert_int_eq(sl_build_response(b, NULL, 200, NULL, NULL, 0), want);
	ck_assert_int_eq(sl_build_finish(b, "a/b", "x", 1), want);
	ck_assert_int_eq(b->err, want);
	ck_assert_uint_eq(b->len, len);
}

START_TEST(errors_are_sticky)
{
	struct sl_builder b;
	char buf[64];

	/* overflow */
	ck_assert_int_eq(sl_build_init(&b, buf, 30), 0);
	ck_assert_int_eq(sl_build_request_line(&b, "OPTIONS", "sip:x@y"), 0);
	ck_assert_int_eq(sl_build_header(&b, "Subject", "0123456789"),
			 SL_ENOSPC);
	assert_all_refused(&b, SL_ENOSPC);

	/* invalid argument */
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_header(&b, "Subject", "\n"), SL_EINVAL);
	assert_all_refused(&b, SL_EINVAL);

	/* state */
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_cseq(&b, 1, "A"), SL_ESTATE);
	assert_all_refused(&b, SL_ESTATE);

	/* NULL builder */
	ck_assert_int_eq(sl_build_response(NULL, NULL, 200, NULL, NULL, 0),
			 SL_EINVAL);
}
END_TEST

/* ---- overflow at every size ---- */

static const char invite_sdp[] = "v=0\r\no=alice 2890844526 2890844526 "
				 "IN IP4 192.0.2.101\r\ns=-\r\n";

/* Every function, a body: what a real INVITE looks like. */
static int build_invite(struct sl_builder *b, char *buf, size_t cap)
{
	struct sl_hdr ua = { sl("User-Agent"), sl("sipline\r\n 0.1"), 0,
			     SL_HDR_NONE };

	sl_build_init(b, buf, cap);
	sl_build_request_line_slice(b, sl("INVITE"),
				    sl("sip:bob@biloxi.example.com"));
	sl_build_via(b, "UDP", "2001:db8::9", 5060, "z9hG4bK74bf9", 1);
	sl_build_via(b, "TCP", "proxy.example.com", 0, "z9hG4bK0", 0);
	sl_build_header_uint(b, "Max-Forwards", 70);
	sl_build_name_addr_header(b, "From", "Alice \"A\"",
				  "sip:alice@atlanta.example.com",
				  "9fxced76sl");
	sl_build_name_addr_header(b, "To", NULL, "sip:bob@biloxi.example.com",
				  NULL);
	sl_build_call_id(b, "3848276298220188511@atlanta.example.com");
	sl_build_cseq(b, 314159, "INVITE");
	sl_build_name_addr_params(b, "Contact", NULL,
				  "sip:alice@192.0.2.101", ";expires=60");
	sl_build_header(b, "Allow", "INVITE, ACK, BYE");
	sl_build_header_slice(b, sl("Supported"), sl("timer"));
	sl_build_header_copy(b, &ua);
	return sl_build_finish(b, "application/sdp", invite_sdp,
			       strlen(invite_sdp));
}

/* Runs @fn at every cap below the full size: each must fail with
 * SL_ENOSPC without touching a byte at or past cap. */
static void overflow_loop(int (*fn)(struct sl_builder *, char *, size_t,
				    const void *), const void *arg)
{
	static char full[2048], buf[2048 + SLACK];
	struct sl_builder b;
	int n = fn(&b, full, sizeof(full), arg);

	ck_assert_int_gt(n, 0);
	for (size_t cap = 0; cap <= (size_t)n + 1; cap++) {
		int rc;

		memset(buf, CANARY, sizeof(buf));
		rc = fn(&b, buf, cap, arg);
		if (cap < (size_t)n) {
			ck_assert_int_eq(rc, SL_ENOSPC);
			ck_assert_int_eq(b.err, SL_ENOSPC);
			ck_assert_uint_le(b.len, cap);
			/* what was written is a prefix of the message */
			ck_assert_int_eq(memcmp(buf, full, b.len), 0);
		} else {
			ck_assert_int_eq(rc, n);
			ck_assert_int_eq(memcmp(buf, full, (size_t)n), 0);
		}
		/* nothing written past the accepted bytes but the NUL after
		 * a complete message that has room for it */
		for (size_t i = b.len; i < sizeof(buf); i++) {
			if (rc > 0 && cap > (size_t)n && i == (size_t)n)
				ck_assert_int_eq(buf[i], '\0');
			else
				ck_assert_int_eq((unsigned char)buf[i],
						 CANARY);
		}
	}
}

static int invite_fn(struct sl_builder *b, char *buf, size_t cap,
		     const void *arg)
{
	(void)arg;
	return build_invite(b, buf, cap);
}

START_TEST(overflow_every_size_request)
{
	char buf[2048];
	struct sl_builder b;

	ck_assert_int_gt(build_invite(&b, buf, sizeof(buf)), 0);
	ck_assert_ptr_nonnull(strstr(buf, "Via: SIP/2.0/UDP [2001:db8::9]:5060"
				     ";branch=z9hG4bK74bf9;rport\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "User-Agent: sipline 0.1\r\n"));
	ck_assert_ptr_nonnull(strstr(buf, "From: \"Alice \\\"A\\\"\" "));
	overflow_loop(invite_fn, NULL);
}
END_TEST

/* ---- a hand-made request view, for responses without the parser ---- */

struct fake {
	struct sl_msg m;
	struct sl_hdr h[24];
};

static void fake_init(struct fake *f, enum sl_method method)
{
	memset(f, 0, sizeof(*f));
	f->m.is_request = 1;
	f->m.method = method;
	f->m.hdrs = f->h;
	for (int i = 0; i < SL_HDR__COUNT; i++)
		f->m.first[i] = SL_HDR_NONE;
	f->m.max_forwards = -1;
	f->m.content_length = -1;
}

static void fake_add(struct fake *f, enum sl_hdr_id id, const char *name,
		     const char *value)
{
	uint16_t i = f->m.n_hdrs++;

	f->h[i].name = sl(name);
	f->h[i].value = sl(value);
	f->h[i].id = (uint16_t)id;
	f->h[i].next = SL_HDR_NONE;
	if (f->m.first[id] == SL_HDR_NONE) {
		f->m.first[id] = i;
	} else {
		uint16_t j = f->m.first[id];

		while (f->h[j].next != SL_HDR_NONE)
			j = f->h[j].next;
		f->h[j].next = i;
	}
}

/* An INVITE as RFC 3665 §3.1 shows it after two proxies, with the views
 * the parser would fill for To. */
static void fake_invite(struct fake *f, int to_tagged)
{
	fake_init(f, SL_METHOD_INVITE);
	fake_add(f, SL_HDR_VIA, "Via",
		 "SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4");
	fake_add(f, SL_HDR_MAX_FORWARDS, "Max-Forwards", "68");
	fake_add(f, SL_HDR_VIA, "v",
		 "SIP/2.0/UDP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1;"
		 "received=192.0.2.111");
	fake_add(f, SL_HDR_RECORD_ROUTE, "Record-Route",
		 "<sip:ss2.biloxi.example.com;lr>");
	fake_add(f, SL_HDR_VIA, "Via",
		 "SIP/2.0/UDP client.atlanta.example.com:5060;"
		 "branch=z9hG4bK74bf9;received=192.0.2.101");
	fake_add(f, SL_HDR_RECORD_ROUTE, "Record-Route",
		 "<sip:ss1.atlanta.example.com;lr>");
	fake_add(f, SL_HDR_FROM, "From",
		 "Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl");
	if (to_tagged) {
		fake_add(f, SL_HDR_TO, "t",
			 "Bob <sip:bob@biloxi.example.com>;tag=314159");
		f->m.to.tag = sl("314159");
	} else {
		fake_add(f, SL_HDR_TO, "t", "Bob <sip:bob@biloxi.example.com>");
	}
	fake_add(f, SL_HDR_CALL_ID, "i",
		 "2xTb9vxSit55XU7p8@atlanta.example.com");
	fake_add(f, SL_HDR_CSEQ, "CSeq", "1 INVITE");
	fake_add(f, SL_HDR_TIMESTAMP, "Timestamp", "54.3 0.5");
	fake_add(f, SL_HDR_CONTACT, "Contact",
		 "<sip:alice@client.example.com>");
}

static const char vias_out[] =
	"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4\r\n"
	"Via: SIP/2.0/UDP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1;"
	"received=192.0.2.111\r\n"
	"Via: SIP/2.0/UDP client.atlanta.example.com:5060;"
	"branch=z9hG4bK74bf9;received=192.0.2.101\r\n"
	"From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\r\n";
static const char rest_out[] =
	"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com\r\n"
	"CSeq: 1 INVITE\r\n";
static const char rr_out[] =
	"Record-Route: <sip:ss2.biloxi.example.com;lr>\r\n"
	"Record-Route: <sip:ss1.atlanta.example.com;lr>\r\n";

/* Builds the response and compares it with the concatenation of parts. */
static void assert_response(const struct sl_msg *req, int code,
			    const char *reason, const char *tag,
			    unsigned flags, const char *const *parts)
{
	struct sl_builder b;
	char buf[2048], want[2048] = "";
	int n;

	for (size_t i = 0; parts[i]; i++)
		strcat(want, parts[i]);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, req, code, reason, tag, flags),
			 0);
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_str_eq(buf, want);
}

START_TEST(response_copies_and_tags)
{
	struct fake f;

	fake_invite(&f, 0);
	/* 180: To gets the tag; Timestamp is not copied */
	assert_response(&f.m, 180, NULL, "a6c85cf", 0,
			(const char *const[]){ "SIP/2.0 180 Ringing\r\n",
			vias_out,
			"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n",
			rest_out, "Content-Length: 0\r\n\r\n", NULL });
	/* 100: no tag even when given, Timestamp copied (§8.2.6.1) */
	assert_response(&f.m, 100, NULL, "a6c85cf", 0,
			(const char *const[]){ "SIP/2.0 100 Trying\r\n",
			vias_out, "To: Bob <sip:bob@biloxi.example.com>\r\n",
			rest_out, "Timestamp: 54.3 0.5\r\n",
			"Content-Length: 0\r\n\r\n", NULL });
	/* 101: a tag (code > 100), no Timestamp */
	assert_response(&f.m, 101, "Early", "x", 0,
			(const char *const[]){ "SIP/2.0 101 Early\r\n",
			vias_out,
			"To: Bob <sip:bob@biloxi.example.com>;tag=x\r\n",
			rest_out, "Content-Length: 0\r\n\r\n", NULL });
	/* no tag given: To copied as is */
	assert_response(&f.m, 200, NULL, NULL, 0,
			(const char *const[]){ "SIP/2.0 200 OK\r\n",
			vias_out, "To: Bob <sip:bob@biloxi.example.com>\r\n",
			rest_out, "Content-Length: 0\r\n\r\n", NULL });
	assert_response(&f.m, 200, NULL, "", 0,
			(const char *const[]){ "SIP/2.0 200 OK\r\n",
			vias_out, "To: Bob <sip:bob@biloxi.example.com>\r\n",
			rest_out, "Content-Length: 0\r\n\r\n", NULL });
	/* Record-Route on request, in order */
	assert_response(&f.m, 200, NULL, "a6c85cf", SL_BUILD_COPY_RECORD_ROUTE,
			(const char *const[]){ "SIP/2.0 200 OK\r\n",
			vias_out,
			"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n",
			rest_out, rr_out, "Content-Length: 0\r\n\r\n", NULL });

	/* the request already carries a tag: never a second one */
	fake_invite(&f, 1);
	assert_response(&f.m, 200, "Fine", "other", 0,
			(const char *const[]){ "SIP/2.0 200 Fine\r\n",
			vias_out,
			"To: Bob <sip:bob@biloxi.example.com>;tag=314159\r\n",
			rest_out, "Content-Length: 0\r\n\r\n", NULL });
}
END_TEST

START_TEST(response_then_headers_and_body)
{
	struct fake f;
	struct sl_builder b;
	char buf[2048];
	const char *tail;

	fake_init(&f, SL_METHOD_OPTIONS);
	fake_add(&f, SL_HDR_VIA, "Via", "SIP/2.0/TCP h;branch=z9hG4bK1");
	fake_add(&f, SL_HDR_FROM, "f", "<sip:a@b>;tag=1");
	fake_add(&f, SL_HDR_TO, "t", "sip:c@d");
	fake_add(&f, SL_HDR_CALL_ID, "i", "x");
	fake_add(&f, SL_HDR_CSEQ, "CSeq", "7 OPTIONS");
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "9", 0), 0);
	ck_assert_int_eq(sl_build_header(&b, "Allow", "INVITE, OPTIONS"), 0);
	ck_assert_int_gt(sl_build_finish(&b, "application/sdp", "v=0\r\n", 5),
			 0);
	tail = "SIP/2.0 200 OK\r\n"
	       "Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
	       "From: <sip:a@b>;tag=1\r\n"
	       "To: sip:c@d;tag=9\r\n"
	       "Call-ID: x\r\n"
	       "CSeq: 7 OPTIONS\r\n"
	       "Allow: INVITE, OPTIONS\r\n"
	       "Content-Type: application/sdp\r\n"
	       "Content-Length: 5\r\n\r\nv=0\r\n";
	ck_assert_str_eq(buf, tail);
}
END_TEST

START_TEST(response_unfolds_values)
{
	struct fake f;

	fake_init(&f, SL_METHOD_BYE);
	fake_add(&f, SL_HDR_VIA, "Via", "SIP/2.0/UDP a.example.com\r\n"
		 "  ;branch=z9hG4bK1");
	fake_add(&f, SL_HDR_VIA, "Via", "SIP/2.0/UDP b.example.com;\r\n\t"
		 "branch=z9hG4bK2");
	fake_add(&f, SL_HDR_FROM, "From", "\"A\r\n B\"\r\n <sip:a@b>;tag=1");
	fake_add(&f, SL_HDR_TO, "To", "<sip:c@d>;\r\n tag=2");
	f.m.to.tag = sl("2");
	fake_add(&f, SL_HDR_CALL_ID, "Call-ID", "abc");
	fake_add(&f, SL_HDR_CSEQ, "CSeq", "2\r\n BYE");
	assert_response(&f.m, 200, NULL, "z", 0,
			(const char *const[]){ "SIP/2.0 200 OK\r\n",
			"Via: SIP/2.0/UDP a.example.com ;branch=z9hG4bK1\r\n",
			"Via: SIP/2.0/UDP b.example.com; branch=z9hG4bK2\r\n",
			"From: \"A B\" <sip:a@b>;tag=1\r\n",
			"To: <sip:c@d>; tag=2\r\n",
			"Call-ID: abc\r\n", "CSeq: 2 BYE\r\n",
			"Content-Length: 0\r\n\r\n", NULL });
}
END_TEST

START_TEST(response_rejects)
{
	struct fake f;
	struct sl_builder b;
	char buf[2048];
	static const enum sl_hdr_id mandatory[] = {
		SL_HDR_VIA, SL_HDR_FROM, SL_HDR_TO, SL_HDR_CALL_ID, SL_HDR_CSEQ
	};

	/* each mandatory header missing: refused before any byte */
	for (size_t i = 0; i < 5; i++) {
		fake_invite(&f, 0);
		f.m.first[mandatory[i]] = SL_HDR_NONE;
		ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
		ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t",
						   0), SL_EINVAL);
		ck_assert_uint_eq(b.len, 0);
	}

	/* not answerable, bad arguments */
	static const struct {
		int is_request;
		enum sl_method method;
		int code;
		const char *reason;
		const char *tag;
		unsigned flags;
	} v[] = {
		{ 0, SL_METHOD_NONE, 200, NULL, "t", 0 },
		{ 1, SL_METHOD_ACK, 200, NULL, "t", 0 },
		{ 1, SL_METHOD_INVITE, 99, NULL, "t", 0 },
		{ 1, SL_METHOD_INVITE, 700, NULL, "t", 0 },
		{ 1, SL_METHOD_INVITE, 200, "O\r\nK", "t", 0 },
		{ 1, SL_METHOD_INVITE, 200, NULL, "t;x", 0 },
		{ 1, SL_METHOD_INVITE, 200, NULL, "t\r\nVia: x", 0 },
		{ 1, SL_METHOD_INVITE, 100, NULL, "t t", 0 },
		{ 1, SL_METHOD_INVITE, 200, NULL, "t", 2 },
		{ 1, SL_METHOD_INVITE, 200, NULL, "t", 0x80000000u },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		fake_invite(&f, 0);
		f.m.is_request = v[i].is_request;
		f.m.method = v[i].method;
		ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
		ck_assert_int_eq(sl_build_response(&b, &f.m, v[i].code,
						   v[i].reason, v[i].tag,
						   v[i].flags), SL_EINVAL);
		ck_assert_uint_eq(b.len, 0);
	}

	/* broken tables: a loop, an index out of range, no table */
	fake_invite(&f, 0);
	f.h[4].next = 0;        /* third Via points back at the first */
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t", 0),
			 SL_EINVAL);
	ck_assert_uint_eq(b.len, 0);
	fake_invite(&f, 0);
	f.h[4].next = 200;
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t", 0),
			 SL_EINVAL);
	fake_invite(&f, 0);
	f.m.hdrs = NULL;
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t", 0),
			 SL_EINVAL);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, NULL, 200, NULL, "t", 0),
			 SL_EINVAL);

	/* values that are not folding-clean */
	static const struct bad_rl bad_values[] = {
		{ S_("CSeq"), S_("1 INVITE\r\nVia: x") },
		{ S_("CSeq"), S_("1 INVITE\n") },
		{ S_("CSeq"), S_("1\rINVITE") },
		{ S_("CSeq"), S_("1 INV\0ITE") },
	};
	for (size_t i = 0; i < sizeof(bad_values) / sizeof(bad_values[0]);
	     i++) {
		fake_invite(&f, 0);
		f.h[9].value = sln(bad_values[i].uri, bad_values[i].uri_len);
		ck_assert_int_eq(f.h[9].id, SL_HDR_CSEQ);
		ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
		ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t",
						   0), SL_EINVAL);
		ck_assert_uint_eq(b.len, 0);
	}
	/* a bad Record-Route matters only when it is copied */
	fake_invite(&f, 0);
	f.h[3].value = sl("<sip:x>\n");
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t", 0), 0);
	ck_assert_int_eq(sl_build_init(&b, buf, sizeof(buf)), 0);
	ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t",
					   SL_BUILD_COPY_RECORD_ROUTE),
			 SL_EINVAL);

	/* only on a fresh builder */
	fake_invite(&f, 0);
	start_request(&b, buf, sizeof(buf));
	ck_assert_int_eq(sl_build_response(&b, &f.m, 200, NULL, "t", 0),
			 SL_ESTATE);
}
END_TEST

static int response_fn(struct sl_builder *b, char *buf, size_t cap,
		       const void *arg)
{
	sl_build_init(b, buf, cap);
	sl_build_response(b, arg, 200, NULL, "a6c85cf",
			  SL_BUILD_COPY_RECORD_ROUTE);
	sl_build_name_addr_header(b, "Contact", NULL, "sip:bob@192.0.2.4",
				  NULL);
	return sl_build_finish(b, "application/sdp", "v=0\r\n", 5);
}

START_TEST(overflow_every_size_response)
{
	struct fake f;

	fake_invite(&f, 0);
	overflow_loop(response_fn, &f.m);
}
END_TEST

/* ---- reason phrases ---- */

static const struct {
	int code;
	const char *phrase;
} phrase_vectors[] = {
	{ 100, "Trying" }, { 180, "Ringing" },
	{ 181, "Call Is Being Forwarded" }, { 182, "Queued" },
	{ 183, "Session Progress" }, { 199, "Early Dialog Terminated" },
	{ 200, "OK" }, { 202, "Accepted" }, { 204, "No Notification" },
	{ 300, "Multiple Choices" }, { 301, "Moved Permanently" },
	{ 302, "Moved Temporarily" }, { 305, "Use Proxy" },
	{ 380, "Alternative Service" }, { 400, "Bad Request" },
	{ 401, "Unauthorized" }, { 402, "Payment Required" },
	{ 403, "Forbidden" }, { 404, "Not Found" },
	{ 405, "Method Not Allowed" }, { 406, "Not Acceptable" },
	{ 407, "Proxy Authentication Required" },
	{ 408, "Request Timeout" }, { 410, "Gone" },
	{ 412, "Conditional Request Failed" },
	{ 413, "Request Entity Too Large" }, { 414, "Request-URI Too Long" },
	{ 415, "Unsupported Media Type" }, { 416, "Unsupported URI Scheme" },
	{ 417, "Unknown Resource-Priority" }, { 420, "Bad Extension" },
	{ 421, "Extension Required" }, { 422, "Session Interval Too Small" },
	{ 423, "Interval Too Brief" }, { 428, "Use Identity Header" },
	{ 429, "Provide Referrer Identity" }, { 430, "Flow Failed" },
	{ 433, "Anonymity Disallowed" },
	{ 439, "First Hop Lacks Outbound Support" },
	{ 440, "Max-Breadth Exceeded" }, { 469, "Bad Info Package" },
	{ 470, "Consent Needed" }, { 480, "Temporarily Unavailable" },
	{ 481, "Call/Transaction Does Not Exist" }, { 482, "Loop Detected" },
	{ 483, "Too Many Hops" }, { 484, "Address Incomplete" },
	{ 485, "Ambiguous" }, { 486, "Busy Here" },
	{ 487, "Request Terminated" }, { 488, "Not Acceptable Here" },
	{ 489, "Bad Event" }, { 491, "Request Pending" },
	{ 493, "Undecipherable" }, { 494, "Security Agreement Required" },
	{ 500, "Server Internal Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Server Time-out" }, { 505, "Version Not Supported" },
	{ 513, "Message Too Large" }, { 580, "Precondition Failure" },
	{ 600, "Busy Everywhere" }, { 603, "Decline" },
	{ 604, "Does Not Exist Anywhere" }, { 606, "Not Acceptable" },
	{ 607, "Unwanted" }, { 608, "Rejected" },
	/* class defaults and out of range */
	{ 101, "Provisional" }, { 299, "Successful" }, { 399, "Redirection" },
	{ 409, "Request Failure" }, { 599, "Server Failure" },
	{ 699, "Global Failure" }, { 99, "Unknown" }, { 700, "Unknown" },
	{ 0, "Unknown" }, { -1, "Unknown" }, { 2147483647, "Unknown" },
	{ -2147483647 - 1, "Unknown" },
};

START_TEST(status_phrase_vector)
{
	ck_assert_str_eq(sl_status_phrase(phrase_vectors[_i].code),
			 phrase_vectors[_i].phrase);
}
END_TEST

START_TEST(status_phrases_are_plain_ascii)
{
	for (int code = -1000; code <= 1000; code++) {
		const char *p = sl_status_phrase(code);

		ck_assert_ptr_nonnull(p);
		ck_assert_uint_gt(strlen(p), 0);
		for (; *p; p++)
			ck_assert(*p >= 0x20 && *p < 0x7f);
	}
}
END_TEST

/* ---- round trips through sl_msg_parse() ---- */

static max_align_t arena_a[2048], arena_b[2048];

static void parse_ok(const char *buf, size_t len, max_align_t *mem,
		     size_t mem_len, struct sl_msg *m)
{
	struct sl_arena a;
	struct sl_parse_error e;
	int rc;

	sl_arena_init(&a, mem, mem_len);
	rc = sl_msg_parse(m, buf, len, &a, NULL, SL_PARSE_STREAM, &e);
	ck_assert_msg(rc == 0, "parse: %s (%s) at %zu in:\n%.*s",
		      sl_err_name(rc), e.reason, e.offset, (int)len, buf);
	ck_assert_uint_eq(m->len, len);
}

#define PARSE_A(buf, len, m) parse_ok(buf, len, arena_a, sizeof(arena_a), m)
#define PARSE_B(buf, len, m) parse_ok(buf, len, arena_b, sizeof(arena_b), m)

#define ck_slice(s, want) do {                                          \
	struct sl_slice s_ = (s);                                       \
	const char *w_ = (want);                                        \
	ck_assert_msg(s_.len == strlen(w_) &&                           \
		      (s_.len == 0 || memcmp(s_.p, w_, s_.len) == 0),   \
		      "%s is \"%.*s\", want \"%s\"", #s, (int)s_.len,   \
		      s_.p ? s_.p : "", w_);                            \
} while (0)

/* Number of values with header id @id. */
static unsigned count_hdrs(const struct sl_msg *m, enum sl_hdr_id id)
{
	unsigned n = 0;

	for (uint16_t i = m->first[id]; i != SL_HDR_NONE; i = m->hdrs[i].next)
		n++;
	return n;
}

START_TEST(roundtrip_request)
{
	static char buf[2048];
	struct sl_builder b;
	struct sl_msg m;
	struct sl_slice v;
	int n = build_invite(&b, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	PARSE_A(buf, (size_t)n, &m);
	ck_assert_int_eq(m.is_request, 1);
	ck_assert_int_eq(m.method, SL_METHOD_INVITE);
	ck_slice(m.method_name, "INVITE");
	ck_slice(m.ruri_text, "sip:bob@biloxi.example.com");
	ck_assert_int_eq(m.ruri.scheme, SL_URI_SIP);
	ck_slice(m.ruri.user, "bob");
	ck_slice(m.ruri.host, "biloxi.example.com");
	ck_slice(m.version, "SIP/2.0");

	ck_assert_uint_eq(m.n_vias, 2);
	ck_slice(m.vias[0].transport, "UDP");
	ck_slice(m.vias[0].host, "2001:db8::9");
	ck_assert_int_eq(m.vias[0].host_type, SL_HOST_IPV6);
	ck_assert_uint_eq(m.vias[0].port, 5060);
	ck_slice(m.vias[0].branch, "z9hG4bK74bf9");
	ck_assert_int_eq(m.vias[0].rport, 0);
	ck_slice(m.vias[1].transport, "TCP");
	ck_slice(m.vias[1].host, "proxy.example.com");
	ck_assert_int_eq(m.vias[1].host_type, SL_HOST_NAME);
	ck_assert_uint_eq(m.vias[1].port, 0);
	ck_slice(m.vias[1].branch, "z9hG4bK0");
	ck_assert_int_eq(m.vias[1].rport, -1);

	ck_assert_int_eq(m.from.display_quoted, 1);
	ck_slice(m.from.display, "Alice \\\"A\\\"");
	ck_slice(m.from.uri_text, "sip:alice@atlanta.example.com");
	ck_slice(m.from.uri.user, "alice");
	ck_slice(m.from.tag, "9fxced76sl");
	ck_slice(m.to.display, "");
	ck_slice(m.to.uri_text, "sip:bob@biloxi.example.com");
	ck_slice(m.to.tag, "");
	ck_slice(m.call_id, "3848276298220188511@atlanta.example.com");
	ck_assert_uint_eq(m.cseq.seq, 314159);
	ck_slice(m.cseq.method, "INVITE");
	ck_assert_int_eq(m.max_forwards, 70);
	ck_assert_int_eq(m.content_length, (long)strlen(invite_sdp));
	ck_slice(m.content_type, "application/sdp");
	ck_slice(m.body, invite_sdp);

	ck_assert_int_ge(sl_msg_find(&m, "Contact", &v), 0);
	ck_slice(v, "<sip:alice@192.0.2.101>;expires=60");
	ck_assert_int_ge(sl_msg_find(&m, "User-Agent", &v), 0);
	ck_slice(v, "sipline 0.1");
	ck_assert_int_ge(sl_msg_find(&m, "Supported", &v), 0);
	ck_slice(v, "timer");
	ck_assert_uint_eq(count_hdrs(&m, SL_HDR_ALLOW), 3);
	ck_assert_uint_eq(count_hdrs(&m, SL_HDR_CONTENT_LENGTH), 1);
}
END_TEST

START_TEST(roundtrip_display_names)
{
	/* display as given, and as the parser reports it: escapes kept */
	static const struct {
		const char *display;
		const char *parsed;
	} v[] = {
		{ "Alice", "Alice" },
		{ "Alice \"Al\" Smith", "Alice \\\"Al\\\" Smith" },
		{ "back\\slash", "back\\\\slash" },
		{ "\\\"", "\\\\\\\"" },
		{ "\"", "\\\"" },
		{ "J\xc3\xbcrgen M\xc3\xbcller",
		  "J\xc3\xbcrgen M\xc3\xbcller" },
		{ "a\tb", "a\tb" },
		{ "<sip:evil@x>;tag=1, f: x", "<sip:evil@x>;tag=1, f: x" },
		{ " ", " " },
	};
	static char buf[1024];

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sl_builder b;
		struct sl_msg m;
		int n;

		sl_build_init(&b, buf, sizeof(buf));
		sl_build_request_line(&b, "MESSAGE", "sip:b@example.com");
		sl_build_via(&b, "UDP", "192.0.2.1", 5060, "z9hG4bK9", 1);
		sl_build_name_addr_header(&b, "From", v[i].display,
					  "sip:a@example.com", "t1");
		sl_build_name_addr_header(&b, "To", v[i].display,
					  "sip:b@example.com", NULL);
		sl_build_call_id(&b, "c1");
		sl_build_cseq(&b, 1, "MESSAGE");
		n = sl_build_finish(&b, "text/plain", "hi", 2);
		ck_assert_int_gt(n, 0);
		PARSE_A(buf, (size_t)n, &m);
		ck_assert_int_eq(m.from.display_quoted, 1);
		ck_slice(m.from.display, v[i].parsed);
		ck_slice(m.from.uri_text, "sip:a@example.com");
		ck_slice(m.from.tag, "t1");
		ck_slice(m.to.display, v[i].parsed);
		ck_slice(m.to.tag, "");
		ck_assert_uint_eq(count_hdrs(&m, SL_HDR_FROM), 1);
		ck_slice(m.body, "hi");
		ck_slice(m.content_type, "text/plain");
	}
}
END_TEST

/* A request through two proxies, with compact names, list values, folded
 * lines and a body: what a UAS really gets. */
static const char folded_invite[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4, "
	"SIP/2.0/UDP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1\r\n"
	" ;received=192.0.2.111\r\n"
	"v: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9"
	";rport=5066;received=192.0.2.101\r\n"
	"Max-Forwards: 68\r\n"
	"Record-Route: <sip:ss2.biloxi.example.com;lr>,\r\n"
	"\t<sip:ss1.atlanta.example.com;lr>\r\n"
	"f: \"Alice\r\n Liddell\" <sip:alice@atlanta.example.com>"
	";tag=9fxced76sl\r\n"
	"t: Bob\r\n\t<sip:bob@biloxi.example.com>\r\n"
	"i: 2xTb9vxSit55XU7p8@atlanta.example.com\r\n"
	"CSeq: 1\r\n INVITE\r\n"
	"Timestamp: 54.3\r\n"
	"Contact: <sip:alice@client.atlanta.example.com;transport=tcp>\r\n"
	"c: application/sdp\r\n"
	"l: 5\r\n"
	"\r\n"
	"v=0\r\n";

static const char folded_vias[] =
	"Via: SIP/2.0/UDP ss2.biloxi.example.com:5060;branch=z9hG4bK721e4\r\n"
	"Via: SIP/2.0/UDP ss1.atlanta.example.com;branch=z9hG4bK2d4790.1 "
	";received=192.0.2.111\r\n"
	"Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9"
	";rport=5066;received=192.0.2.101\r\n"
	"From: \"Alice Liddell\" <sip:alice@atlanta.example.com>"
	";tag=9fxced76sl\r\n";

static const char folded_rest[] =
	"Call-ID: 2xTb9vxSit55XU7p8@atlanta.example.com\r\n"
	"CSeq: 1 INVITE\r\n";

/* Builds a response to @req_text and returns its length; @out gets the
 * parsed response (in arena_b). */
static int respond(const char *req_text, size_t req_len, int code,
		   const char *tag, unsigned flags, char *buf, size_t cap,
		   struct sl_msg *out)
{
	struct sl_msg req;
	struct sl_builder b;
	int n;

	PARSE_A(req_text, req_len, &req);
	ck_assert_int_eq(sl_build_init(&b, buf, cap), 0);
	ck_assert_int_eq(sl_build_response(&b, &req, code, NULL, tag, flags),
			 0);
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(n, 0);
	PARSE_B(buf, (size_t)n, out);
	ck_assert_int_eq(out->is_request, 0);
	ck_assert_int_eq(out->status, code);
	ck_slice(out->reason, sl_status_phrase(code));
	return n;
}

START_TEST(response_from_parsed_request)
{
	static char buf[2048], want[2048];
	struct sl_msg r;
	struct sl_slice v;
	int n;

	/* 180 with a tag, Record-Route copied: exact text */
	n = respond(folded_invite, sizeof(folded_invite) - 1, 180, "a6c85cf",
		    SL_BUILD_COPY_RECORD_ROUTE, buf, sizeof(buf), &r);
	want[0] = '\0';
	strcat(want, "SIP/2.0 180 Ringing\r\n");
	strcat(want, folded_vias);
	strcat(want, "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n");
	strcat(want, folded_rest);
	strcat(want, "Record-Route: <sip:ss2.biloxi.example.com;lr>\r\n"
		     "Record-Route: <sip:ss1.atlanta.example.com;lr>\r\n"
		     "Content-Length: 0\r\n\r\n");
	ck_assert_int_eq(n, (int)strlen(want));
	ck_assert_str_eq(buf, want);

	/* and field by field, as the UAC will read it */
	ck_assert_uint_eq(r.n_vias, 3);
	ck_slice(r.vias[0].host, "ss2.biloxi.example.com");
	ck_assert_uint_eq(r.vias[0].port, 5060);
	ck_slice(r.vias[0].branch, "z9hG4bK721e4");
	ck_assert_int_eq(r.vias[0].rport, -1);
	ck_slice(r.vias[1].host, "ss1.atlanta.example.com");
	ck_slice(r.vias[1].branch, "z9hG4bK2d4790.1");
	ck_slice(r.vias[1].received, "192.0.2.111");
	ck_slice(r.vias[2].transport, "TCP");
	ck_slice(r.vias[2].host, "client.atlanta.example.com");
	ck_assert_uint_eq(r.vias[2].port, 5060);
	ck_assert_int_eq(r.vias[2].rport, 5066);
	ck_slice(r.vias[2].received, "192.0.2.101");
	ck_slice(r.from.display, "Alice Liddell");
	ck_slice(r.from.tag, "9fxced76sl");
	ck_slice(r.to.display, "Bob");
	ck_slice(r.to.uri_text, "sip:bob@biloxi.example.com");
	ck_slice(r.to.tag, "a6c85cf");
	ck_slice(r.call_id, "2xTb9vxSit55XU7p8@atlanta.example.com");
	ck_assert_uint_eq(r.cseq.seq, 1);
	ck_slice(r.cseq.method, "INVITE");
	ck_assert_uint_eq(count_hdrs(&r, SL_HDR_RECORD_ROUTE), 2);
	ck_assert_uint_eq(count_hdrs(&r, SL_HDR_TIMESTAMP), 0);
	ck_assert_uint_eq(count_hdrs(&r, SL_HDR_CONTACT), 0);
	ck_assert_uint_eq(count_hdrs(&r, SL_HDR_MAX_FORWARDS), 0);
	ck_assert_int_eq(r.content_length, 0);
	ck_slice(r.body, "");

	/* 100 Trying: no tag, Timestamp back, no Record-Route */
	respond(folded_invite, sizeof(folded_invite) - 1, 100, "a6c85cf", 0,
		buf, sizeof(buf), &r);
	ck_slice(r.to.tag, "");
	ck_assert_uint_eq(count_hdrs(&r, SL_HDR_RECORD_ROUTE), 0);
	ck_assert_int_ge(sl_msg_find(&r, "Timestamp", &v), 0);
	ck_slice(v, "54.3");
	ck_assert_uint_eq(r.n_vias, 3);

	/* 486 without a tag argument: To as it came */
	respond(folded_invite, sizeof(folded_invite) - 1, 486, NULL, 0,
		buf, sizeof(buf), &r);
	ck_slice(r.to.tag, "");
	ck_assert_uint_eq(count_hdrs(&r, SL_HDR_TIMESTAMP), 0);
}
END_TEST

START_TEST(response_keeps_existing_to_tag)
{
	static const char bye[] =
		"BYE sip:alice@client.atlanta.example.com SIP/2.0\n"
		"Via: SIP/2.0/TCP 192.0.2.4;branch=z9hG4bKnashds7\n"
		"Max-Forwards: 70\n"
		"From: Bob <sip:bob@biloxi.example.com>;tag=8321234356\n"
		"To: Alice <sip:alice@atlanta.example.com>\n"
		"  ;tag=9fxced76sl\n"
		"Call-ID: 3848276298220188511@atlanta.example.com\n"
		"CSeq: 1 BYE\n"
		"Content-Length: 0\n"
		"\n";
	static char buf[1024];
	struct sl_msg r;

	/* bare-LF lines with a fold: the parser accepts them, so must we */
	respond(bye, sizeof(bye) - 1, 200, "other", 0, buf, sizeof(buf), &r);
	ck_slice(r.to.tag, "9fxced76sl");
	ck_assert_ptr_nonnull(strstr(buf, "\r\nTo: Alice <sip:alice@atlanta."
				     "example.com> ;tag=9fxced76sl\r\n"));
	ck_assert_ptr_null(strstr(buf, "other"));
	ck_slice(r.from.tag, "8321234356");
	ck_slice(r.cseq.method, "BYE");
	ck_assert_uint_eq(r.n_vias, 1);
}
END_TEST

START_TEST(response_to_escaped_controls)
{
	/* RFC 4475 §3.1.1.9 intmeth: a valid To with escaped BEL, NUL and
	 * DEL in the display name must be answerable. */
	static const char req[] =
		"OPTIONS sip:x@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bK-d87543\r\n"
		"From: <sip:a@example.com>;tag=1\r\n"
		"To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" "
		"<sip:x@example.com>\r\n"
		"Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\r\n"
		"CSeq: 139122385 OPTIONS\r\n"
		"Max-Forwards: 255\r\n"
		"Content-Length: 0\r\n"
		"\r\n";
	static const char to_out[] =
		"To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f\" <sip:x@example.com>"
		";tag=z\r\n";
	static char buf[1024];
	struct sl_msg r;
	int n;

	n = respond(req, sizeof(req) - 1, 200, "z", 0, buf, sizeof(buf), &r);
	ck_assert_ptr_nonnull(memmem(buf, (size_t)n, to_out,
				     sizeof(to_out) - 1));
	ck_slice(r.to.tag, "z");
	ck_slice(r.call_id, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
	ck_assert_uint_eq(r.to.display.len, 20);
}
END_TEST

START_TEST(response_every_status_code)
{
	static char buf[2048];

	for (size_t i = 0; i < sizeof(phrase_vectors) /
			       sizeof(phrase_vectors[0]); i++) {
		int code = phrase_vectors[i].code;
		struct sl_msg r;

		if (code < 100 || code > 699)
			continue;
		respond(folded_invite, sizeof(folded_invite) - 1, code, "t9",
			0, buf, sizeof(buf), &r);
		ck_slice(r.reason, phrase_vectors[i].phrase);
		ck_slice(r.to.tag, code > 100 ? "t9" : "");
		ck_assert_uint_eq(r.n_vias, 3);
	}
}
END_TEST

START_TEST(roundtrip_status_line_and_headers)
{
	static char buf[1024];
	struct sl_builder b;
	struct sl_msg m;
	struct sl_slice v;
	int n;

	sl_build_init(&b, buf, sizeof(buf));
	sl_build_status_line(&b, 401, NULL);
	sl_build_via(&b, "TLS", "[2001:db8::2]", 5061, "z9hG4bKx", 0);
	sl_build_name_addr_header(&b, "From", NULL, "sips:a@example.com",
				  "f1");
	sl_build_name_addr_header(&b, "To", "B", "sips:b@example.com", "t1");
	sl_build_call_id(&b, "abc@def");
	sl_build_cseq(&b, 2, "REGISTER");
	sl_build_header(&b, "WWW-Authenticate", "Digest realm=\"example.com\""
			", nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", "
			"qop=\"auth\", algorithm=SHA-256");
	sl_build_header_uint(&b, "Min-Expires", 3600);
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(n, 0);
	PARSE_A(buf, (size_t)n, &m);
	ck_assert_int_eq(m.is_request, 0);
	ck_assert_int_eq(m.status, 401);
	ck_slice(m.reason, "Unauthorized");
	ck_assert_uint_eq(m.n_vias, 1);
	ck_slice(m.vias[0].transport, "TLS");
	ck_slice(m.vias[0].host, "2001:db8::2");
	ck_assert_uint_eq(m.vias[0].port, 5061);
	ck_slice(m.to.display, "B");
	ck_slice(m.to.tag, "t1");
	ck_assert_int_eq(m.to.uri.scheme, SL_URI_SIPS);
	ck_assert_uint_eq(m.cseq.seq, 2);
	ck_slice(m.cseq.method, "REGISTER");
	ck_assert_int_eq(m.max_forwards, -1);
	ck_assert_int_eq(m.content_length, 0);
	ck_slice(m.content_type, "");
	ck_assert_int_ge(sl_msg_find(&m, "Min-Expires", &v), 0);
	ck_slice(v, "3600");
	ck_assert_int_ge(sl_msg_find(&m, "WWW-Authenticate", &v), 0);
	ck_assert_uint_gt(v.len, 0);
}
END_TEST

Suite *check_sip_build_suite(void);

Suite *check_sip_build_suite(void)
{
	Suite *s = suite_create("sip_build");
	TCase *tc;

	tc = tcase_create("start_lines");
	tcase_add_test(tc, init_checks_arguments);
	tcase_add_test(tc, request_line_exact);
	tcase_add_loop_test(tc, request_line_rejects, 0,
			    sizeof(bad_rls) / sizeof(bad_rls[0]));
	tcase_add_test(tc, request_line_null_arguments);
	tcase_add_test(tc, start_line_order_enforced);
	tcase_add_test(tc, status_line_exact);
	tcase_add_test(tc, status_line_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("headers");
	tcase_add_test(tc, header_exact);
	tcase_add_loop_test(tc, header_injection_rejected, 0,
			    sizeof(bad_hdrs) / sizeof(bad_hdrs[0]));
	tcase_add_test(tc, header_null_arguments);
	tcase_add_test(tc, header_copy_unfolds);
	tcase_add_test(tc, header_copy_rejects);
	tcase_add_loop_test(tc, via_vector, 0,
			    sizeof(via_vectors) / sizeof(via_vectors[0]));
	tcase_add_loop_test(tc, name_addr_vector, 0,
			    sizeof(na_vectors) / sizeof(na_vectors[0]));
	tcase_add_test(tc, name_addr_params);
	tcase_add_test(tc, cseq_and_call_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("finish_and_errors");
	tcase_add_test(tc, finish_cases);
	tcase_add_test(tc, errors_are_sticky);
	tcase_add_test(tc, overflow_every_size_request);
	tcase_add_test(tc, overflow_every_size_response);
	suite_add_tcase(s, tc);

	tc = tcase_create("responses");
	tcase_add_test(tc, response_copies_and_tags);
	tcase_add_test(tc, response_then_headers_and_body);
	tcase_add_test(tc, response_unfolds_values);
	tcase_add_test(tc, response_rejects);
	suite_add_tcase(s, tc);

	tc = tcase_create("status_phrases");
	tcase_add_loop_test(tc, status_phrase_vector, 0,
			    sizeof(phrase_vectors) / sizeof(phrase_vectors[0]));
	tcase_add_test(tc, status_phrases_are_plain_ascii);
	suite_add_tcase(s, tc);

	tc = tcase_create("round_trips");
	tcase_add_test(tc, roundtrip_request);
	tcase_add_test(tc, roundtrip_display_names);
	tcase_add_test(tc, roundtrip_status_line_and_headers);
	tcase_add_test(tc, response_from_parsed_request);
	tcase_add_test(tc, response_keeps_existing_to_tag);
	tcase_add_test(tc, response_to_escaped_controls);
	tcase_add_test(tc, response_every_status_code);
	suite_add_tcase(s, tc);

	return s;
}

SL_CHECK_MAIN(check_sip_build_suite)
