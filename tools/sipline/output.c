/*
 * tools/sipline/output.c: the agent's events on standard output, one per
 * line, flushed at once so a script reading a pipe sees each as it
 * happens.
 *
 * With --json each line is one JSON object (RFC 8259) whose first members
 * are "event" (the name) and "t" (unix time in seconds, millisecond
 * fraction); strings are escaped (quote, backslash, controls) and bytes
 * that are not UTF-8 become U+FFFD, so a peer's odd From or MESSAGE body
 * never makes a line unreadable. Without --json the line reads
 * "HH:MM:SS.mmm EVENT key=value ...", a value quoted when it holds a
 * space, a quote or a control.
 *
 * Owns: the one line being built (static buffer).
 * Thread: main thread only.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"

enum {
	OUT_CAP = 65536,      /* one event line; a MESSAGE body escaped is
			       * at most 6 x 2048 bytes */
	OUT_RESERVE = 32      /* kept for the closing of the line */
};

struct evout {
	char buf[OUT_CAP];
	size_t len;
	int truncated;
	const char *name;
};

static struct evout cur;
static int json_mode;
static void (*listener)(void *, const char *);
static void *listener_arg;

void out_set_json(int json)
{
	json_mode = json;
}

void out_set_listener(void (*fn)(void *arg, const char *name), void *arg)
{
	listener = fn;
	listener_arg = arg;
}

/* Appends @n bytes when they fit before the reserve; else marks the line
 * truncated. Return: 0 or -1. */
static int put(struct evout *e, const char *p, size_t n)
{
	if (e->len + n + OUT_RESERVE > sizeof(e->buf)) {
		e->truncated = 1;
		return -1;
	}
	memcpy(e->buf + e->len, p, n);
	e->len += n;
	return 0;
}

static int putc1(struct evout *e, char c)
{
	return put(e, &c, 1);
}

/* Length of the valid UTF-8 sequence at @p (RFC 3629 §4), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t need;
	unsigned min;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	{
		unsigned v = c & (0x7f >> need);

		for (size_t i = 1; i < need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			v = (v << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if (v < min || (v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
			return 0;
	}
	return need;
}

/* @s as the inside of a JSON string. */
static void put_json_chars(struct evout *e, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t k;

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			if (put(e, esc, 2) < 0)
				return;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4],
					hex[c & 15] };
			const char *sh = NULL;

			if (c == '\n')
				sh = "\\n";
			else if (c == '\r')
				sh = "\\r";
			else if (c == '\t')
				sh = "\\t";
			if (sh ? put(e, sh, 2) < 0 : put(e, esc, 6) < 0)
				return;
			i++;
			continue;
		}
		k = utf8_len(p + i, n - i);
		if (!k) {
			if (put(e, "\\ufffd", 6) < 0)
				return;
			i++;
			continue;
		}
		if (put(e, s + i, k) < 0)
			return;
		i += k;
	}
}

/* A text-mode value: bare when it is one plain word, else quoted with
 * C-like escapes. */
static void put_text_value(struct evout *e, const char *s, size_t n)
{
	int plain = n > 0;

	for (size_t i = 0; i < n && plain; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= ' ' || c == '"' || c == '\\' || c == 0x7f)
			plain = 0;
	}
	if (plain) {
		put(e, s, n);
		return;
	}
	putc1(e, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			if (put(e, esc, 2) < 0)
				return;
		} else if (c == '\n') {
			if (put(e, "\\n", 2) < 0)
				return;
		} else if (c == '\r') {
			if (put(e, "\\r", 2) < 0)
				return;
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
			if (put(e, esc, 4) < 0)
				return;
		} else if (putc1(e, (char)c) < 0) {
			return;
		}
	}
	putc1(e, '"');
}

/* The member separator and key; in text mode " key=". */
static void put_key(struct evout *e, const char *key)
{
	if (json_mode) {
		put(e, ",\"", 2);
		put_json_chars(e, key, strlen(key));
		put(e, "\":", 2);
	} else {
		putc1(e, ' ');
		put(e, key, strlen(key));
		putc1(e, '=');
	}
}

struct evout *ev_begin(const char *name)
{
	struct timespec ts;
	char tbuf[64];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	cur.len = 0;
	cur.truncated = 0;
	cur.name = name;
	if (json_mode) {
		put(&cur, "{\"event\":\"", 10);
		put_json_chars(&cur, name, strlen(name));
		n = snprintf(tbuf, sizeof(tbuf), "\",\"t\":%lld.%03ld",
			     (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	} else {
		struct tm tm;
		time_t secs = ts.tv_sec;

		localtime_r(&secs, &tm);
		n = snprintf(tbuf, sizeof(tbuf), "%02d:%02d:%02d.%03ld %s",
			     tm.tm_hour, tm.tm_min, tm.tm_sec,
			     ts.tv_nsec / 1000000, name);
	}
	if (n > 0 && (size_t)n < sizeof(tbuf))
		put(&cur, tbuf, (size_t)n);
	return &cur;
}

void ev_strn(struct evout *e, const char *key, const char *val, size_t len)
{
	if (!val)
		return;
	put_key(e, key);
	if (json_mode) {
		putc1(e, '"');
		put_json_chars(e, val, len);
		putc1(e, '"');
	} else {
		put_text_value(e, val, len);
	}
}

void ev_str(struct evout *e, const char *key, const char *val)
{
	if (val)
		ev_strn(e, key, val, strlen(val));
}

void ev_int(struct evout *e, const char *key, long long val)
{
	char v[32];
	int n = snprintf(v, sizeof(v), "%lld", val);

	put_key(e, key);
	put(e, v, (size_t)n);
}

void ev_dbl(struct evout *e, const char *key, double val)
{
	char v[48];
	int n;

	/* JSON has no NaN or infinity. */
	if (val != val || val > 1e300 || val < -1e300)
		n = snprintf(v, sizeof(v), "null");
	else
		n = snprintf(v, sizeof(v), "%.3f", val);
	put_key(e, key);
	if (n > 0 && (size_t)n < sizeof(v))
		put(e, v, (size_t)n);
}

void ev_json(struct evout *e, const char *key, const char *json)
{
	put_key(e, key);
	put(e, json, strlen(json));
}

/*
 * The members of a flat object (no nesting: the library's statistics),
 * each as a field of the event; "session" is skipped, the event has it
 * already. A string value keeps its JSON escapes in JSON mode and loses
 * its quotes in text mode.
 */
void ev_splice(struct evout *e, const char *obj, size_t len)
{
	const char *p = obj, *end = obj + len;

	while (p < end && *p != '{')
		p++;
	while (p < end) {
		const char *k, *ke, *v, *ve;
		int quoted = 0;

		while (p < end && *p != '"' && *p != '}')
			p++;
		if (p >= end || *p == '}')
			return;
		k = ++p;
		while (p < end && *p != '"')
			p++;
		ke = p;
		if (p < end)
			p++;
		while (p < end && (*p == ':' || *p == ' '))
			p++;
		v = p;
		if (p < end && *p == '"') {
			quoted = 1;
			p++;
			while (p < end && *p != '"') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			if (p < end)
				p++;
		} else {
			while (p < end && *p != ',' && *p != '}')
				p++;
		}
		ve = p;
		if ((size_t)(ke - k) == 7 && !memcmp(k, "session", 7))
			continue;
		if (json_mode) {
			put(e, ",\"", 2);
			put(e, k, (size_t)(ke - k));
			put(e, "\":", 2);
			put(e, v, (size_t)(ve - v));
		} else {
			putc1(e, ' ');
			put(e, k, (size_t)(ke - k));
			putc1(e, '=');
			if (quoted)
				put_text_value(e, v + 1, (size_t)(ve - v - 2));
			else
				put(e, v, (size_t)(ve - v));
		}
	}
}

void ev_end(struct evout *e)
{
	if (e->truncated) {
		if (json_mode)
			memcpy(e->buf + e->len, ",\"truncated\":true", 17);
		else
			memcpy(e->buf + e->len, " truncated=1", 12);
		e->len += json_mode ? 17 : 12;
	}
	if (json_mode)
		e->buf[e->len++] = '}';
	e->buf[e->len++] = '\n';
	fwrite(e->buf, 1, e->len, stdout);
	fflush(stdout);
	if (listener)
		listener(listener_arg, e->name);
}

void emit_error(int session, const char *what, const char *why)
{
	struct evout *e = ev_begin("error");

	if (session > 0)
		ev_int(e, "session", session);
	ev_str(e, "command", what);
	ev_str(e, "reason", why);
	ev_end(e);
}

int json_get(const char *obj, size_t len, const char *key, char *out,
	     size_t cap)
{
	size_t klen = strlen(key);
	const char *end = obj + len;

	for (const char *p = obj; p + klen + 3 <= end; p++) {
		const char *v;
		size_t n = 0;

		if (p[0] != '"' || memcmp(p + 1, key, klen) ||
		    p[klen + 1] != '"' || p[klen + 2] != ':')
			continue;
		v = p + klen + 3;
		if (v < end && *v == '"') {
			v++;
			while (v + n < end && v[n] != '"')
				n++;
		} else {
			while (v + n < end && v[n] != ',' && v[n] != '}')
				n++;
		}
		if (n >= cap)
			n = cap - 1;
		memcpy(out, v, n);
		out[n] = '\0';
		return 0;
	}
	return -1;
}
