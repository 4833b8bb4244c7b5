/* tests/unit/check_core.c: error model, logging and arenas (lib/core). */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "sipline/error.h"
#include "sipline/log.h"
#include "sipline/msg.h"
#include "core/mem.h"

START_TEST(every_code_has_a_name_and_message)
{
	for (int code = SL_ERR__LAST; code < 0; code++) {
		ck_assert_str_ne(sl_strerror(code), "unknown error");
		ck_assert_str_ne(sl_err_name(code), "SL_E?");
		ck_assert_int_eq(strncmp(sl_err_name(code), "SL_E", 4), 0);
	}
	ck_assert_str_eq(sl_strerror(0), "success");
	ck_assert_str_eq(sl_strerror(7), "success");
	ck_assert_str_eq(sl_err_name(SL_EINVAL), "SL_EINVAL");
	ck_assert_str_eq(sl_strerror(SL_ERR__LAST - 1), "unknown error");
	ck_assert_ptr_nonnull(sl_strerror(-100000));
}
END_TEST

START_TEST(codes_the_seeds_name_exist)
{
	/* L2: the results telephony SDK users look for. */
	ck_assert_int_lt(SL_EFAIL, 0);
	ck_assert_int_lt(SL_EINVAL, 0);
	ck_assert_int_lt(SL_EHANDLE, 0);
	ck_assert_int_lt(SL_ELINE, 0);
	ck_assert_int_lt(SL_ESTATE, 0);
	ck_assert_str_eq(sl_strerror(SL_ESTATE), "invalid in the current state");
}
END_TEST

struct captured {
	int n;
	enum sl_log_level level;
	char module[16];
	char line[128];
};

static void capture(void *arg, enum sl_log_level level, const char *module,
		    const char *line)
{
	struct captured *c = arg;

	c->n++;
	c->level = level;
	snprintf(c->module, sizeof(c->module), "%s", module);
	snprintf(c->line, sizeof(c->line), "%s", line);
}

/* The internal entry point; declared here to avoid a private include. */
void sl__log(enum sl_log_level level, const char *module, const char *fmt, ...);

START_TEST(log_levels_filter_and_callback_receives)
{
	struct captured c = { 0 };

	ck_assert_int_eq(sl_log_set_callback(capture, &c), 0);
	ck_assert_int_eq(sl_log_set_level(SL_LOG_INFO), 0);
	sl__log(SL_LOG_DEBUG, "test", "hidden %d", 1);
	ck_assert_int_eq(c.n, 0);
	sl__log(SL_LOG_WARN, "test", "shown %d", 2);
	ck_assert_int_eq(c.n, 1);
	ck_assert_int_eq(c.level, SL_LOG_WARN);
	ck_assert_str_eq(c.module, "test");
	ck_assert_str_eq(c.line, "shown 2");
	ck_assert_int_eq(sl_log_set_level((enum sl_log_level)9), SL_EINVAL);
	ck_assert_int_eq(sl_log_get_level(), SL_LOG_INFO);
	sl_log_set_callback(NULL, NULL);
}
END_TEST

START_TEST(log_to_file_appends_lines)
{
	char path[] = "/tmp/sl_logXXXXXX";
	int fd = mkstemp(path);
	char buf[256] = { 0 };
	FILE *f;

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(sl_log_set_level(SL_LOG_ERROR), 0);
	ck_assert_int_eq(sl_log_set_file(path), 0);
	sl__log(SL_LOG_ERROR, "file", "to the file");
	ck_assert_int_eq(sl_log_set_file(NULL), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	unlink(path);
	ck_assert_ptr_nonnull(strstr(buf, "error file: to the file"));
	ck_assert_int_eq(sl_log_set_file("/nonexistent-dir/x.log"), SL_EIO);
}
END_TEST

START_TEST(log_level_names_parse)
{
	ck_assert_int_eq(sl_log_level_parse("debug"), SL_LOG_DEBUG);
	ck_assert_int_eq(sl_log_level_parse("3"), SL_LOG_INFO);
	ck_assert_int_eq(sl_log_level_parse("warning"), SL_LOG_WARN);
	ck_assert_int_eq(sl_log_level_parse("loud"), SL_EINVAL);
	ck_assert_int_eq(sl_log_level_parse(""), SL_EINVAL);
	ck_assert_int_eq(sl_log_level_parse(NULL), SL_EINVAL);
}
END_TEST

START_TEST(arena_aligns_bounds_and_resets)
{
	_Alignas(16) unsigned char mem[256];
	struct sl_arena a;
	void *p, *q;

	sl_arena_init(&a, mem, sizeof(mem));
	p = sl_arena_alloc(&a, 3);
	q = sl_arena_alloc(&a, 8);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	ck_assert_uint_eq((uintptr_t)q % _Alignof(max_align_t), 0);
	ck_assert_ptr_null(sl_arena_alloc(&a, 1000));
	ck_assert_ptr_null(sl_arena_alloc(&a, (size_t)-1));
	sl_arena_reset(&a);
	ck_assert_ptr_eq(sl_arena_alloc(&a, 3), p);
	sl_arena_init(&a, NULL, 100);
	ck_assert_ptr_null(sl_arena_alloc(&a, 1));
}
END_TEST

START_TEST(mem_accounts_and_fails_on_request)
{
	size_t base = sl__mem_in_use();
	void *a = sl__calloc(10, 100), *b;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(((unsigned char *)a)[999], 0);
	ck_assert_uint_eq(sl__mem_in_use(), base + 1000);
	sl__mem_fail_after(2);
	b = sl__calloc(1, 8);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(sl__calloc(1, 8));
	sl__free(b);
	b = sl__calloc(1, 8);
	ck_assert_ptr_nonnull(b);
	sl__free(b);
	sl__free(a);
	sl__free(NULL);
	ck_assert_uint_eq(sl__mem_in_use(), base);
	ck_assert_ptr_null(sl__calloc((size_t)-1 / 2, 4));
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("core");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_code_has_a_name_and_message);
	tcase_add_test(tc, codes_the_seeds_name_exist);
	tcase_add_test(tc, log_levels_filter_and_callback_receives);
	tcase_add_test(tc, log_to_file_appends_lines);
	tcase_add_test(tc, log_level_names_parse);
	tcase_add_test(tc, arena_aligns_bounds_and_resets);
	tcase_add_test(tc, mem_accounts_and_fails_on_request);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(core_suite)
