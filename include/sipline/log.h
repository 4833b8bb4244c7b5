/*
 * include/sipline/log.h: process-wide logging with levels.
 *
 * Lines go to the application's callback when one is set, else to a file
 * opened with sl_log_set_file(), else to stderr. The library logs once where
 * an error is handled, never on the per-packet media path.
 *
 * Thread: every function here may be called from any thread. The callback is
 * called on whichever library thread logs (usually the SIP loop thread); it
 * must not block for long and may call the public API.
 */
#ifndef SIPLINE_LOG_H
#define SIPLINE_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

/** Severity, most severe first. A line is emitted when level <= the set one. */
enum sl_log_level {
	SL_LOG_NONE = 0,  /* as a threshold: log nothing */
	SL_LOG_ERROR = 1,
	SL_LOG_WARN = 2,
	SL_LOG_INFO = 3,
	SL_LOG_DEBUG = 4,
	SL_LOG_TRACE = 5
};

/**
 * typedef sl_log_cb - receives one log line.
 * @arg:   the pointer given to sl_log_set_callback().
 * @level: the line's severity.
 * @module: short module name ("sip", "txn", ...), never NULL.
 * @line:  the NUL-terminated text, without a trailing newline; valid only
 *         during the call.
 */
typedef void (*sl_log_cb)(void *arg, enum sl_log_level level,
			  const char *module, const char *line);

/**
 * sl_log_set_level() - sets the threshold; lines above it are dropped.
 * @level: SL_LOG_NONE .. SL_LOG_TRACE.
 *
 * Return: 0, or SL_EINVAL for a level out of range.
 * Thread: any.
 */
int sl_log_set_level(enum sl_log_level level);

/** sl_log_get_level() - the current threshold. Thread: any. */
enum sl_log_level sl_log_get_level(void);

/**
 * sl_log_set_callback() - sends every line to @cb instead of a file/stderr.
 * @cb:  the callback, or NULL to go back to the file or stderr.
 * @arg: passed to @cb unchanged.
 *
 * Return: 0.
 * Thread: any.
 */
int sl_log_set_callback(sl_log_cb cb, void *arg);

/**
 * sl_log_set_file() - appends log lines to a file.
 * @path: the file to append to, created when missing; NULL closes the
 *        current file and goes back to stderr.
 *
 * Return: 0; SL_EIO when the file cannot be opened (the previous target is
 * kept).
 * Thread: any.
 */
int sl_log_set_file(const char *path);

/**
 * sl_log_level_parse() - reads a level name ("error", "warn", "info",
 * "debug", "trace", "none") or a digit 0-5.
 * @text: NUL-terminated name.
 *
 * Return: the level (>= 0), or SL_EINVAL.
 * Thread: any.
 */
int sl_log_level_parse(const char *text);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_LOG_H */
