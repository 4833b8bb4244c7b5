/*
 * tests/unit/check_main.h: the main() every unit test binary shares.
 *
 * Each tests/unit/check_<module>.c defines one suite function and ends with
 * SL_CHECK_MAIN(that_function). Tests run forked (Check's default) so a
 * crash fails one test, not the binary, and each has Check's timeout.
 */
#ifndef SL_CHECK_MAIN_H
#define SL_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

#define SL_CHECK_MAIN(suite_fn)                                        \
	int main(void)                                                 \
	{                                                              \
		SRunner *sr = srunner_create(suite_fn());              \
		int failed;                                            \
		srunner_run_all(sr, CK_NORMAL);                        \
		failed = srunner_ntests_failed(sr);                    \
		srunner_free(sr);                                      \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;           \
	}

#endif /* SL_CHECK_MAIN_H */
