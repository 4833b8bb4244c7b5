/*
 * lib/core/log.h: the library's internal logging macros.
 *
 * Thread: any. Formatting happens only when the level passes, so a disabled
 * debug line costs one atomic load.
 */
#ifndef SL_CORE_LOG_H
#define SL_CORE_LOG_H

#include "sipline/log.h"

#if defined(__GNUC__)
#define SL_PRINTF_(f, a) __attribute__((format(printf, f, a)))
#else
#define SL_PRINTF_(f, a)
#endif

void sl__log(enum sl_log_level level, const char *module, const char *fmt, ...)
	SL_PRINTF_(3, 4);

#define sl_log_error(mod, ...) sl__log(SL_LOG_ERROR, mod, __VA_ARGS__)
#define sl_log_warn(mod, ...)  sl__log(SL_LOG_WARN, mod, __VA_ARGS__)
#define sl_log_info(mod, ...)  sl__log(SL_LOG_INFO, mod, __VA_ARGS__)
#define sl_log_debug(mod, ...) sl__log(SL_LOG_DEBUG, mod, __VA_ARGS__)

#endif /* SL_CORE_LOG_H */
