/*
 * tests/unit/check_sip_framer.c: the stream framer (lib/sip/framer.c):
 * every message split at every byte offset, keep-alives, back-to-back
 * messages and every error.
 */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "sipline/msg.h"

static const char msg1[] =
	"INVITE sip:bob@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
	"To: <sip:bob@example.com>\r\n"
	"From: <sip:a@example.com>;tag=1\r\n"
	"Call-ID: c1\r\n"
	"CSeq: 1 INVITE\r\n"
	"Content-Type: text/plain\r\n"
	"content-length  :   5\r\n"
	"\r\n"
	"hello";

static const char msg2[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/TCP h.example.com;branch=z9hG4bK1\r\n"
	"To: <sip:bob@example.com>;tag=2\r\n"
	"From: <sip:a@example.com>;tag=1\r\n"
	"Call-ID: c1\r\n"
	"CSeq: 1 INVITE\r\n"
	"l: 0\r\n"
	"\r\n";

/* Feeds @text growing one byte at a time, as a slow peer would. */
static size_t feed_bytewise(const char *text, size_t len, int *result)
{
	struct sl_framer f;
	size_t out = 0;

	sl_framer_reset(&f);
	for (size_t n = 1; n <= len; n++) {
		int rc = sl_framer_feed(&f, text, n, NULL, &out);

		if (rc != SL_FRAME_NEED_MORE) {
			*result = rc;
			return n;
		}
	}
	*result = SL_FRAME_NEED_MORE;
	return len;
}

START_TEST(bytewise_finds_exact_end)
{
	int rc;

	ck_assert_uint_eq(feed_bytewise(msg1, strlen(msg1), &rc),
			  strlen(msg1));
	ck_assert_int_eq(rc, SL_FRAME_MESSAGE);
	ck_assert_uint_eq(feed_bytewise(msg2, strlen(msg2), &rc),
			  strlen(msg2));
	ck_assert_int_eq(rc, SL_FRAME_MESSAGE);
}
END_TEST

START_TEST(split_at_every_offset)
{
	char stream[1024];
	size_t l1 = strlen(msg1), l2 = strlen(msg2);

	memcpy(stream, msg1, l1);
	memcpy(stream + l1, msg2, l2);
	for (size_t cut = 1; cut < l1 + l2; cut++) {
		struct sl_framer f;
		size_t out = 0;
		int rc;

		sl_framer_reset(&f);
		rc = sl_framer_feed(&f, stream, cut, NULL, &out);
		if (cut < l1) {
			ck_assert_int_eq(rc, SL_FRAME_NEED_MORE);
			rc = sl_framer_feed(&f, stream, l1 + l2, NULL, &out);
		}
		ck_assert_int_eq(rc, SL_FRAME_MESSAGE);
		ck_assert_uint_eq(out, l1);
		sl_framer_reset(&f);
		rc = sl_framer_feed(&f, stream + l1, l2, NULL, &out);
		ck_assert_int_eq(rc, SL_FRAME_MESSAGE);
		ck_assert_uint_eq(out, l2);
	}
}
END_TEST

START_TEST(keepalives)
{
	struct sl_framer f;
	size_t out = 0;

	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, "\r\n\r\nINVITE", 10, NULL, &out),
			 SL_FRAME_KEEPALIVE);
	ck_assert_uint_eq(out, 4);
	ck_assert_int_eq(sl_framer_feed(&f, "\r\nSIP", 5, NULL, &out),
			 SL_FRAME_KEEPALIVE);
	ck_assert_uint_eq(out, 2);
	ck_assert_int_eq(sl_framer_feed(&f, "\r", 1, NULL, &out),
			 SL_FRAME_NEED_MORE);
	ck_assert_int_eq(sl_framer_feed(&f, "\n", 1, NULL, &out),
			 SL_FRAME_KEEPALIVE);
	ck_assert_uint_eq(out, 1);
	ck_assert_int_eq(sl_framer_feed(&f, "", 0, NULL, &out),
			 SL_FRAME_NEED_MORE);
}
END_TEST

START_TEST(errors)
{
	static const char nocl[] = "OPTIONS sip:a@b SIP/2.0\r\nTo: x\r\n\r\n";
	static const char negcl[] =
		"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n";
	static const char twocl[] =
		"OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nContent-Length: 2\r\n\r\nab";
	static const char samecl[] =
		"OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\nContent-Length: 2\r\n\r\nab";
	static const char hugecl[] =
		"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 4000000000\r\n\r\n";
	struct sl_parse_limits lim;
	struct sl_framer f;
	size_t out = 0;
	char longline[200];

	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, nocl, strlen(nocl), NULL, &out),
			 SL_EPARSE);
	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, negcl, strlen(negcl), NULL, &out),
			 SL_EPARSE);
	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, twocl, strlen(twocl), NULL, &out),
			 SL_EPARSE);
	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, samecl, strlen(samecl), NULL,
					&out), SL_FRAME_MESSAGE);
	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, hugecl, strlen(hugecl), NULL,
					&out), SL_ETOOBIG);

	sl_parse_limits_init(&lim);
	lim.max_line_len = 64;
	memset(longline, 'a', sizeof(longline));
	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, longline, sizeof(longline), &lim,
					&out), SL_EPARSE);
	lim.max_line_len = 0;
	lim.max_msg_size = 100;
	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, msg1, strlen(msg1), &lim, &out),
			 SL_ETOOBIG);
	ck_assert_int_eq(sl_framer_feed(NULL, msg1, 3, NULL, &out), SL_EINVAL);
	ck_assert_int_eq(sl_framer_feed(&f, NULL, 3, NULL, &out), SL_EINVAL);
}
END_TEST

START_TEST(framed_message_parses_as_stream)
{
	_Alignas(max_align_t) unsigned char mem[16384];
	struct sl_arena a;
	struct sl_msg m;
	struct sl_framer f;
	size_t out = 0;

	sl_framer_reset(&f);
	ck_assert_int_eq(sl_framer_feed(&f, msg1, strlen(msg1), NULL, &out),
			 SL_FRAME_MESSAGE);
	sl_arena_init(&a, mem, sizeof(mem));
	ck_assert_int_eq(sl_msg_parse(&m, msg1, out, &a, NULL, SL_PARSE_STREAM,
				      NULL), 0);
	ck_assert(sl_slice_eq(m.body, "hello"));
}
END_TEST

static Suite *sip_framer_suite(void)
{
	Suite *s = suite_create("sip_framer");
	TCase *tc = tcase_create("framer");

	tcase_add_test(tc, bytewise_finds_exact_end);
	tcase_add_test(tc, split_at_every_offset);
	tcase_add_test(tc, keepalives);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, framed_message_parses_as_stream);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(sip_framer_suite)
