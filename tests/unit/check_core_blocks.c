/*
 * tests/unit/check_core_blocks.c: the block store (lib/core/blocks.c):
 * capacities by class, reuse of a freed block (last in, first out, per
 * class), blocks that never overlap, exhaustion as SL_ENOMEM, the
 * counters, and every argument error.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "core/blocks.h"
#include "core/mem.h"
#include "sipline/error.h"
#include "check_main.h"

static const struct {
	size_t len;
	int cap;
} caps[] = {
	{ 1, 64 }, { 63, 64 }, { 64, 64 }, { 65, 128 }, { 300, 320 },
	{ 4095, 4096 }, { 4096, 4096 }
};

START_TEST(capacity_by_class)
{
	struct sl_blocks *b;
	void *p;
	int cap;

	ck_assert_int_eq(sl__blocks_create(&b, 64 * 1024, 4096), 0);
	cap = sl__blocks_get(b, caps[_i].len, &p);
	ck_assert_int_eq(cap, caps[_i].cap);
	ck_assert_ptr_nonnull(p);
	memset(p, 0x5a, (size_t)cap);
	sl__blocks_put(b, p, (size_t)cap);
	sl__blocks_destroy(b);
}
END_TEST

START_TEST(reuse_and_no_overlap)
{
	struct sl_blocks *b;
	struct sl_blocks_stats st;
	unsigned char *p[16];
	void *q, *r;
	int cap[16];

	ck_assert_int_eq(sl__blocks_create(&b, 16 * 1024, 1024), 0);
	for (int i = 0; i < 16; i++) {
		void *v;

		cap[i] = sl__blocks_get(b, (size_t)(i % 4 + 1) * 60, &v);
		ck_assert_int_gt(cap[i], 0);
		p[i] = v;
		memset(p[i], i, (size_t)cap[i]);
	}
	/* Every block still holds what was written into it. */
	for (int i = 0; i < 16; i++)
		for (int k = 0; k < cap[i]; k++)
			ck_assert_uint_eq(p[i][k], (unsigned)i);
	ck_assert_int_eq(sl__blocks_stats(b, &st), 0);
	ck_assert_uint_eq(st.in_use, st.cut);
	/* A freed block is the next one of its class; other classes do
	 * not take it. */
	sl__blocks_put(b, p[5], (size_t)cap[5]);
	sl__blocks_put(b, p[1], (size_t)cap[1]);
	ck_assert_int_eq(sl__blocks_get(b, 100, &q), 128);
	ck_assert_ptr_eq(q, p[1]);
	ck_assert_int_eq(sl__blocks_get(b, 128, &r), 128);
	ck_assert_ptr_eq(r, p[5]);
	ck_assert_int_eq(sl__blocks_get(b, 200, &q), 256);
	ck_assert(q != p[1] && q != p[5]);
	ck_assert_int_eq(sl__blocks_stats(b, &st), 0);
	ck_assert_uint_eq(st.high_water, st.in_use);
	sl__blocks_destroy(b);
}
END_TEST

START_TEST(exhaustion_enomem)
{
	struct sl_blocks *b;
	struct sl_blocks_stats st;
	void *p, *keep = NULL;
	int n = 0, cap;

	ck_assert_int_eq(sl__blocks_create(&b, 1000, 256), 0);
	/* 1000 rounds to 1024: four 256-byte blocks. */
	while ((cap = sl__blocks_get(b, 256, &p)) > 0) {
		keep = p;
		n++;
		ck_assert_int_lt(n, 100);
	}
	ck_assert_int_eq(cap, SL_ENOMEM);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(sl__blocks_get(b, 64, &p), SL_ENOMEM);
	ck_assert_int_eq(sl__blocks_stats(b, &st), 0);
	ck_assert_uint_eq(st.failures, 2);
	ck_assert_uint_eq(st.reserve, 1024);
	/* One back: one more can be had, of that class only. */
	sl__blocks_put(b, keep, 256);
	ck_assert_int_eq(sl__blocks_get(b, 64, &p), SL_ENOMEM);
	ck_assert_int_eq(sl__blocks_get(b, 250, &p), 256);
	ck_assert_ptr_eq(p, keep);
	sl__blocks_destroy(b);
}
END_TEST

START_TEST(argument_errors)
{
	struct sl_blocks *b = (void *)1;
	struct sl_blocks_stats st;
	void *p;
	size_t before = sl__mem_in_use();

	ck_assert_int_eq(sl__blocks_create(NULL, 4096, 64), SL_EINVAL);
	ck_assert_int_eq(sl__blocks_create(&b, 4096, 0), SL_EINVAL);
	ck_assert_ptr_null(b);
	ck_assert_int_eq(sl__blocks_create(&b, 4096, SL_BLOCK_MAX_LIMIT + 1),
			 SL_EINVAL);
	ck_assert_int_eq(sl__blocks_create(&b, 100, 4096), SL_EINVAL);
	sl__mem_fail_after(2);
	ck_assert_int_eq(sl__blocks_create(&b, 4096, 64), SL_ENOMEM);
	sl__mem_fail_after(0);
	ck_assert_uint_eq(sl__mem_in_use(), before);
	ck_assert_int_eq(sl__blocks_create(&b, 4096, 100), 0);
	ck_assert_int_eq(sl__blocks_get(NULL, 1, &p), SL_EINVAL);
	ck_assert_int_eq(sl__blocks_get(b, 1, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__blocks_get(b, 0, &p), SL_EINVAL);
	/* max_block rounds up to the unit: 128. */
	ck_assert_int_eq(sl__blocks_get(b, 129, &p), SL_EINVAL);
	ck_assert_int_eq(sl__blocks_get(b, 128, &p), 128);
	sl__blocks_put(b, NULL, 64);
	sl__blocks_put(NULL, p, 128);
	ck_assert_int_eq(sl__blocks_stats(NULL, &st), SL_EINVAL);
	ck_assert_int_eq(sl__blocks_stats(b, NULL), SL_EINVAL);
	sl__blocks_put(b, p, 128);
	ck_assert_int_eq(sl__blocks_stats(b, &st), 0);
	ck_assert_uint_eq(st.in_use, 0);
	sl__blocks_destroy(b);
	sl__blocks_destroy(NULL);
	ck_assert_uint_eq(sl__mem_in_use(), before);
}
END_TEST

static Suite *check_core_blocks_suite(void)
{
	Suite *s = suite_create("core_blocks");
	TCase *tc = tcase_create("blocks");

	tcase_add_loop_test(tc, capacity_by_class, 0,
			    sizeof(caps) / sizeof(caps[0]));
	tcase_add_test(tc, reuse_and_no_overlap);
	tcase_add_test(tc, exhaustion_enomem);
	tcase_add_test(tc, argument_errors);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_core_blocks_suite)
