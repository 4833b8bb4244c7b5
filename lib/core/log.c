/*
 * lib/core/log.c: the process-wide log sink (callback, file or stderr).
 *
 * Owns: the log FILE (when set) and the callback pointer.
 * Thread: any. The threshold is an atomic so the fast "is this level on?"
 * check takes no lock; changing the sink takes a mutex because it is rare and
 * a line must never be written to a FILE being closed. The media path never
 * logs per packet, so this lock is never on it.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sipline/error.h"
#include "log.h"

static _Atomic int log_level = SL_LOG_WARN;
static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static sl_log_cb sink_cb;
static void *sink_arg;
static FILE *sink_file;

static const char *const level_names[] = {
	"none", "error", "warn", "info", "debug", "trace"
};

int sl_log_set_level(enum sl_log_level level)
{
	if ((int)level < SL_LOG_NONE || level > SL_LOG_TRACE)
		return SL_EINVAL;
	atomic_store_explicit(&log_level, (int)level, memory_order_relaxed);
	return 0;
}

enum sl_log_level sl_log_get_level(void)
{
	return (enum sl_log_level)atomic_load_explicit(&log_level,
						       memory_order_relaxed);
}

int sl_log_set_callback(sl_log_cb cb, void *arg)
{
	pthread_mutex_lock(&sink_lock);
	sink_cb = cb;
	sink_arg = arg;
	pthread_mutex_unlock(&sink_lock);
	return 0;
}

int sl_log_set_file(const char *path)
{
	FILE *f = 0;

	if (path) {
		f = fopen(path, "a");
		if (!f)
			return SL_EIO;
		setvbuf(f, 0, _IOLBF, 0);
	}
	pthread_mutex_lock(&sink_lock);
	if (sink_file)
		fclose(sink_file);
	sink_file = f;
	pthread_mutex_unlock(&sink_lock);
	return 0;
}

int sl_log_level_parse(const char *text)
{
	if (!text || !*text)
		return SL_EINVAL;
	if (text[0] >= '0' && text[0] <= '5' && text[1] == '\0')
		return text[0] - '0';
	for (int i = 0; i <= SL_LOG_TRACE; i++)
		if (strcmp(text, level_names[i]) == 0)
			return i;
	if (strcmp(text, "warning") == 0)
		return SL_LOG_WARN;
	return SL_EINVAL;
}

void sl__log(enum sl_log_level level, const char *module, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if ((int)level > atomic_load_explicit(&log_level, memory_order_relaxed) ||
	    level == SL_LOG_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!module)
		module = "sipline";

	pthread_mutex_lock(&sink_lock);
	if (sink_cb) {
		sl_log_cb cb = sink_cb;
		void *arg = sink_arg;

		/* No lock is held while user code runs: the callback may
		 * change the sink or log itself. */
		pthread_mutex_unlock(&sink_lock);
		cb(arg, level, module, line);
		return;
	} else {
		struct timespec ts;
		FILE *out = sink_file ? sink_file : stderr;

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(out, "%lld.%03ld %-5s %s: %s\n", (long long)ts.tv_sec,
			ts.tv_nsec / 1000000L, level_names[level], module, line);
	}
	pthread_mutex_unlock(&sink_lock);
}
