/* tests/unit/check_sip_date.c: the Date header decoder (lib/sip/date.c). */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "sipline/headers.h"

struct date_vector {
	const char *text;
	int want_rc;
	int64_t want_time;
};

static const struct date_vector date_vectors[] = {
	{ "Sat, 13 Nov 2010 23:29:00 GMT", 0, 1289690940 },
	{ "Thu, 01 Jan 1970 00:00:00 GMT", 0, 0 },
	{ "Thu, 21 Feb 2002 13:02:03 GMT", 0, 1014296523 }, /* RFC 3261 */
	{ "Tue, 29 Feb 2000 12:00:00 GMT", 0, 951825600 },  /* 400-year leap */
	{ "Sun, 31 Dec 2034 23:59:60 GMT", 0, 2051222400 },
	{ "  Mon, 01 Mar 2100 00:00:00 GMT  ", 0, 4107542400 },
	{ "Fri, 01 Jan 2010 16:00:00 EST", SL_EPARSE, 0 },  /* RFC 4475 */
	{ "Mon, 29 Feb 2100 00:00:00 GMT", SL_EPARSE, 0 },  /* not leap */
	{ "Mon, 31 Apr 2020 00:00:00 GMT", SL_EPARSE, 0 },
	{ "Mon, 00 Apr 2020 00:00:00 GMT", SL_EPARSE, 0 },
	{ "Mon, 01 Apr 2020 24:00:00 GMT", SL_EPARSE, 0 },
	{ "Mon, 01 Apr 2020 23:60:00 GMT", SL_EPARSE, 0 },
	{ "Mon, 1 Apr 2020 23:00:00 GMT", SL_EPARSE, 0 },
	{ "Mon 01 Apr 2020 23:00:00 GMT", SL_EPARSE, 0 },
	{ "Xyz, 01 Apr 2020 23:00:00 GMT", SL_EPARSE, 0 },
	{ "Mon, 01 Abc 2020 23:00:00 GMT", SL_EPARSE, 0 },
	{ "Mon, 01 Apr 2020 23:00:00 GMTX", SL_EPARSE, 0 },
	{ "Mon, 01 Apr 2020 23:00:00", SL_EPARSE, 0 },
	{ "", SL_EPARSE, 0 },
};

START_TEST(date_vector_decodes)
{
	const struct date_vector *v = &date_vectors[_i];
	struct sl_slice s = { v->text, strlen(v->text) };
	int64_t t = -1;

	ck_assert_int_eq(sl_date_decode(s, &t), v->want_rc);
	if (v->want_rc == 0)
		ck_assert_msg(t == v->want_time, "%s: %lld", v->text,
			      (long long)t);
}
END_TEST

START_TEST(date_bad_arguments)
{
	struct sl_slice s = { NULL, 3 };
	int64_t t;

	ck_assert_int_eq(sl_date_decode(s, &t), SL_EINVAL);
	s.p = "x";
	s.len = 1;
	ck_assert_int_eq(sl_date_decode(s, NULL), SL_EINVAL);
}
END_TEST

static Suite *sip_date_suite(void)
{
	Suite *s = suite_create("sip_date");
	TCase *tc = tcase_create("date");

	tcase_add_loop_test(tc, date_vector_decodes, 0,
			    sizeof(date_vectors) / sizeof(date_vectors[0]));
	tcase_add_test(tc, date_bad_arguments);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(sip_date_suite)
