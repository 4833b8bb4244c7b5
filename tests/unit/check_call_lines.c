/*
 * tests/unit/check_call_lines.c: the line pool's indexes and texts
 * (lib/ua/call_lines.c, call_text.c) and the dialog's user number
 * (lib/dialog/table.c sl__dlg_set_user()): lines are taken lowest index
 * first and given back; a session hash under random adds and deletes
 * (backward-shift deletion) always agrees with a reference table; line
 * texts grow, shrink, clear and fail without losing the old value; a
 * dialog set's number passes to the dialogs its responses make.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ua_peer.c"
#include "ua/call_int.h"
#include "core/blocks.h"
#include "check_main.h"

enum { LINES = 300 };

static struct sl_ua *U;
static size_t MEM_BEFORE;

static void setup(void)
{
	struct sl_ua_config c;

	MEM_BEFORE = mem_now();
	ua_test_config(&c, SL_RUN_APP);
	c.max_lines = LINES;
	U = ua_app(&c);
}

static void teardown(void)
{
	ck_assert_int_eq(sl_ua_destroy(U, 0), 0);
	ck_assert_uint_eq(mem_now(), MEM_BEFORE);
}

START_TEST(lowest_free_line_first)
{
	struct sl_line *a, *b, *c;

	a = sl__calls_new_line(U);
	b = sl__calls_new_line(U);
	c = sl__calls_new_line(U);
	ck_assert_uint_eq(a->idx, 0);
	ck_assert_uint_eq(b->idx, 1);
	ck_assert_uint_eq(c->idx, 2);
	ck_assert_int_lt(a->session, b->session);
	sl__calls_line_reset(b);
	sl__calls_line_reset(a);
	/* The lowest free one, whatever the order they came back in. */
	ck_assert_uint_eq(sl__calls_new_line(U)->idx, 0);
	ck_assert_uint_eq(sl__calls_new_line(U)->idx, 1);
	ck_assert_uint_eq(sl__calls_new_line(U)->idx, 3);
	/* Every line busy: none. */
	for (unsigned i = 4; i < LINES; i++)
		ck_assert_ptr_nonnull(sl__calls_new_line(U));
	ck_assert_ptr_null(sl__calls_new_line(U));
	sl__calls_line_reset(&((struct sl_calls *)U->calls)->lines[LINES - 1]);
	ck_assert_uint_eq(sl__calls_new_line(U)->idx, LINES - 1);
}
END_TEST

START_TEST(session_hash_random)
{
	struct sl_calls *c = U->calls;
	struct sl_line *held[LINES];
	int sessions[LINES];
	unsigned n = 0, seed = 12345;

	/* Random takes and releases: every live session is found on its
	 * line, every released one is gone. */
	for (int round = 0; round < 20000; round++) {
		unsigned r = (unsigned)rand_r(&seed);

		if (n < LINES && (n == 0 || r % 3 != 0)) {
			struct sl_line *ln = sl__calls_new_line(U);

			ck_assert_ptr_nonnull(ln);
			held[n] = ln;
			sessions[n] = ln->session;
			n++;
		} else {
			unsigned k = r % n;
			int gone = sessions[k];

			sl__calls_line_reset(held[k]);
			held[k] = held[n - 1];
			sessions[k] = sessions[n - 1];
			n--;
			ck_assert_ptr_null(sl__calls_by_session(U, gone));
		}
		if (round % 97 == 0)
			for (unsigned k = 0; k < n; k++)
				ck_assert_ptr_eq(sl__calls_by_session(
					U, sessions[k]), held[k]);
	}
	for (unsigned k = 0; k < n; k++)
		ck_assert_ptr_eq(sl__calls_by_session(U, sessions[k]),
				 held[k]);
	ck_assert_ptr_null(sl__calls_by_session(U, 0));
	ck_assert_ptr_null(sl__calls_by_session(U, -1));
	ck_assert_ptr_null(sl__calls_by_session(U, c->next_session));
}
END_TEST

START_TEST(line_texts)
{
	struct sl_calls *c = U->calls;
	struct sl_line *ln = sl__calls_new_line(U);
	struct sl_blocks_stats st0, st;
	char big[SL_CALL_SDP_MAX + 1];

	ck_assert_int_eq(sl__blocks_stats(c->blocks, &st0), 0);
	ck_assert_str_eq(ln->peer, "");
	ck_assert_uint_eq(ln->remote_len, 0);
	ck_assert_ptr_null(ln->target.tls_name);
	ck_assert_int_eq(sl__line_text_str(U, ln, SL_LT_PEER,
					   "sip:bob@example.com"), 0);
	ck_assert_str_eq(ln->peer, "sip:bob@example.com");
	/* Shorter: the same block; from its own text too. */
	ck_assert_int_eq(sl__line_text_set(U, ln, SL_LT_PEER, ln->peer + 4,
					   3), 0);
	ck_assert_str_eq(ln->peer, "bob");
	memset(big, 'v', sizeof(big));
	ck_assert_int_eq(sl__line_text_set(U, ln, SL_LT_REMOTE_SDP, big,
					   SL_CALL_SDP_MAX), 0);
	ck_assert_uint_eq(ln->remote_len, SL_CALL_SDP_MAX);
	ck_assert_int_eq(ln->remote_sdp[SL_CALL_SDP_MAX], '\0');
	ck_assert_int_eq(sl__line_text_set(U, ln, SL_LT_REMOTE_SDP, big,
					   sizeof(big)), SL_ETOOBIG);
	ck_assert_uint_eq(ln->remote_len, SL_CALL_SDP_MAX);
	ck_assert_int_eq(sl__line_text_set(U, ln, SL_LT_PEER, "x", 0), 0);
	ck_assert_str_eq(ln->peer, "");
	ck_assert_int_eq(sl__line_text_set(U, ln, SL_LT__COUNT, "x", 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl__line_text_set(U, ln, SL_LT_PEER, NULL, 3),
			 SL_EINVAL);
	ck_assert_int_eq(sl__blocks_stats(c->blocks, &st), 0);
	ck_assert_uint_gt(st.in_use, st0.in_use);
	/* The line gives every block back when it is reset. */
	sl__calls_line_reset(ln);
	ck_assert_int_eq(sl__blocks_stats(c->blocks, &st), 0);
	ck_assert_uint_eq(st.in_use, st0.in_use);
	ck_assert_str_eq(ln->remote_sdp, "");
}
END_TEST

START_TEST(dialog_user_number)
{
	struct sl_dlg_table *t = sl__calls_dlg(U);
	struct sl_dlg_uac_params p;
	uint32_t set;

	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:alice@example.com";
	p.remote_uri = "sip:bob@example.com";
	p.contact = "sip:alice@127.0.0.1";
	ck_assert_int_eq(sl__dlg_uac_create(t, &p, &set), 0);
	ck_assert_uint_eq(sl__dlg_user(t, set), 0);
	ck_assert_int_eq(sl__dlg_set_user(t, set, 42), 0);
	ck_assert_uint_eq(sl__dlg_user(t, set), 42);
	ck_assert_int_eq(sl__dlg_set_user(NULL, set, 1), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_set_user(t, set + 1000, 1), SL_ENOTFOUND);
	ck_assert_uint_eq(sl__dlg_user(NULL, set), 0);
	ck_assert_int_eq(sl__dlg_terminate(t, set), 0);
	ck_assert_uint_eq(sl__dlg_user(t, set), 0);
}
END_TEST

static Suite *check_call_lines_suite(void)
{
	Suite *s = suite_create("call_lines");
	TCase *tc = tcase_create("lines");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, lowest_free_line_first);
	tcase_add_test(tc, session_hash_random);
	tcase_add_test(tc, line_texts);
	tcase_add_test(tc, dialog_user_number);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_call_lines_suite)
