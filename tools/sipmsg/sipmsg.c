/*
 * tools/sipmsg/sipmsg.c: parse SIP messages from files and say what a UA
 * would make of them (RFC 3261 §7, §8.2, §18.3).
 *
 *   sipmsg [--json] [--stream] [--supported TAGS] [FILE...]
 *
 * Each FILE (standard input when there is none, or for "-") is one datagram
 * message, or with --stream a byte stream holding any number of messages,
 * cut with the stream framer. Every message is parsed with sl_msg_parse();
 * a request that parses then goes through sl_msg_check_request(), as a UA
 * would before making a transaction. One line per message: "OK ..." with
 * the fields every layer relies on, or "ERR ..." with the status the UA
 * would answer, the reason, and the byte offset of the problem. --json
 * prints one JSON object per line instead.
 *
 * Exit status: 0 when every message was accepted, 1 when one was refused,
 * 2 on a usage error or a file that cannot be read.
 *
 * Owns: the input buffer and the parse arena, for the process's lifetime.
 * Thread: single-threaded program; uses only the public API.
 */
#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sipline/error.h"
#include "sipline/headers.h"
#include "sipline/msg.h"

/* Bigger inputs are refused as unreadable: a SIP message is at most 64 KiB
 * and a captured stream of several megabytes is already unusual. */
enum { MAX_INPUT = 16 * 1024 * 1024, MAX_TAGS = 32 };

static const char usage[] =
	"usage: sipmsg [--json] [--stream] [--supported TAGS] [FILE...]\n"
	"\n"
	"Parses each FILE (standard input when none is given, or for \"-\")\n"
	"as one SIP message received in a datagram, checks requests the way\n"
	"a UA does, and prints one line per message:\n"
	"  OK <file>: <method|code> call-id=.. cseq=<n method> from-tag=..\n"
	"     to-tag=.. via-branch=.. body=<bytes>\n"
	"  ERR <file>: <status> <reason> at offset <n>: <error>\n"
	"where <status> is what a UA would answer (0: nothing).\n"
	"\n"
	"  --json            one JSON object per message and line\n"
	"  --stream          each FILE is a TCP/TLS byte stream that may hold\n"
	"                    several messages (Content-Length required)\n"
	"  --supported TAGS  comma-separated option tags the UA supports, for\n"
	"                    Require (default: 100rel,timer,replaces,path)\n"
	"  --help            this text\n"
	"\n"
	"With --stream, <file>#<n> numbers the messages from 1; the JSON\n"
	"\"index\" counts from 0 and \"at\" is the message's byte offset.\n"
	"\n"
	"Exit status: 0 all accepted, 1 a message was refused, 2 usage error\n"
	"or unreadable file.\n";

struct options {
	int json;
	int stream;
	struct sl_check_opts check;
	const char *tags[MAX_TAGS];
	char tag_buf[1024];
};

/* What one message came to; printed by print_text() or print_json(). */
struct report {
	const char *file;
	unsigned index;          /* message number in the file */
	size_t at;               /* its first byte's offset in the file */
	int rc;                  /* 0 accepted, else a negative sl_err */
	int parsed;              /* the view in @msg is complete */
	const struct sl_msg *msg;
	struct sl_parse_error err;
	struct sl_slice unsupported;
};

static struct {
	alignas(max_align_t) unsigned char mem[256 * 1024];
	struct sl_arena arena;
	struct sl_msg msg;
} P;

/* ---- output escaping ---- */

/*
 * Length of the well-formed UTF-8 sequence at @p (2 to 4 bytes), or 0 when
 * it is not one: RFC 3629 forbids overlong forms, surrogates and code
 * points above U+10FFFF.
 */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	unsigned long cp, min;
	size_t len;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1fu;
		min = 0x80;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0fu;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0u) != 0x80u)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* A JSON string: control characters escaped, valid UTF-8 kept as it is,
 * any other byte >= 0x80 written as \u00XX (its Latin-1 reading). */
static void json_str(FILE *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	putc('"', o);
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		size_t k;

		switch (c) {
		case '"':
			fputs("\\\"", o);
			continue;
		case '\\':
			fputs("\\\\", o);
			continue;
		case '\b':
			fputs("\\b", o);
			continue;
		case '\f':
			fputs("\\f", o);
			continue;
		case '\n':
			fputs("\\n", o);
			continue;
		case '\r':
			fputs("\\r", o);
			continue;
		case '\t':
			fputs("\\t", o);
			continue;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(o, "\\u%04x", c);
		} else if (c < 0x80) {
			putc((int)c, o);
		} else if ((k = utf8_seq(p + i, n - i)) != 0) {
			fwrite(p + i, 1, k, o);
			i += k - 1;
		} else {
			fprintf(o, "\\u%04x", c);
		}
	}
	putc('"', o);
}

static void json_slice(FILE *o, const char *key, struct sl_slice s)
{
	fprintf(o, ",\"%s\":", key);
	json_str(o, s.p ? s.p : "", s.p ? s.len : 0);
}

/* Text output: readable and terminal-safe; anything that is neither
 * printable ASCII nor valid UTF-8 is written as \xNN. */
static void text_str(FILE *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (p[i] >= 0x20 && p[i] < 0x7f) {
			putc(p[i], o);
		} else if (p[i] >= 0x80 && (k = utf8_seq(p + i, n - i)) != 0) {
			fwrite(p + i, 1, k, o);
			i += k - 1;
		} else {
			fprintf(o, "\\x%02x", p[i]);
		}
	}
}

static void text_slice(FILE *o, const char *key, struct sl_slice s)
{
	fprintf(o, " %s=", key);
	text_str(o, s.p ? s.p : "", s.p ? s.len : 0);
}

/* ---- one message ---- */

static struct sl_slice top_branch(const struct sl_msg *m)
{
	struct sl_slice none = { NULL, 0 };

	return m->n_vias ? m->vias[0].branch : none;
}

static void print_text(const struct options *o, const struct report *r)
{
	const struct sl_msg *m = r->msg;

	fputs(r->rc == 0 ? "OK " : "ERR ", stdout);
	text_str(stdout, r->file, strlen(r->file));
	if (o->stream)
		printf("#%u", r->index + 1);
	fputs(":", stdout);
	if (r->rc != 0) {
		printf(" %d %s at offset %zu: %s", r->err.status,
		       r->err.reason && r->err.reason[0] ? r->err.reason
							 : "Bad message",
		       r->err.offset, sl_strerror(r->rc));
		if (r->unsupported.len)
			text_slice(stdout, "unsupported", r->unsupported);
		putchar('\n');
		return;
	}
	putchar(' ');
	if (m->is_request)
		text_str(stdout, m->method_name.p, m->method_name.len);
	else
		printf("%d", m->status);
	text_slice(stdout, "call-id", m->call_id);
	printf(" cseq=%lu ", (unsigned long)m->cseq.seq);
	text_str(stdout, m->cseq.method.p ? m->cseq.method.p : "",
		 m->cseq.method.len);
	text_slice(stdout, "from-tag", m->from.tag);
	text_slice(stdout, "to-tag", m->to.tag);
	text_slice(stdout, "via-branch", top_branch(m));
	printf(" body=%zu\n", m->body.len);
}

static void print_json(const struct report *r)
{
	const struct sl_msg *m = r->msg;

	fputs("{\"file\":", stdout);
	json_str(stdout, r->file, strlen(r->file));
	printf(",\"index\":%u,\"at\":%zu,\"ok\":%s,\"status\":%d", r->index,
	       r->at, r->rc == 0 ? "true" : "false",
	       r->rc == 0 ? 0 : r->err.status);
	if (r->rc != 0) {
		const char *reason = r->err.reason ? r->err.reason : "";
		const char *what = sl_strerror(r->rc);

		fputs(",\"error\":", stdout);
		json_str(stdout, what, strlen(what));
		printf(",\"error_code\":\"%s\",\"reason\":",
		       sl_err_name(r->rc));
		json_str(stdout, reason, strlen(reason));
		printf(",\"offset\":%zu", r->err.offset);
		if (r->unsupported.len)
			json_slice(stdout, "unsupported", r->unsupported);
	}
	if (r->parsed) {
		if (m->is_request) {
			fputs(",\"kind\":\"request\"", stdout);
			json_slice(stdout, "method", m->method_name);
			json_slice(stdout, "ruri", m->ruri_text);
		} else {
			printf(",\"kind\":\"response\",\"code\":%d", m->status);
			json_slice(stdout, "reason_phrase", m->reason);
		}
		json_slice(stdout, "call_id", m->call_id);
		printf(",\"cseq\":%lu", (unsigned long)m->cseq.seq);
		json_slice(stdout, "cseq_method", m->cseq.method);
		json_slice(stdout, "from_tag", m->from.tag);
		json_slice(stdout, "to_tag", m->to.tag);
		json_slice(stdout, "via_branch", top_branch(m));
		printf(",\"vias\":%u,\"max_forwards\":%d,\"body_len\":%zu,"
		       "\"length\":%zu", (unsigned)m->n_vias, m->max_forwards,
		       m->body.len, m->len);
	}
	fputs("}\n", stdout);
}

/*
 * Parses @len bytes at @buf (the message at offset @at of the file) the way
 * a UA receiving it would, and fills @r. Error offsets are made relative to
 * the file. Return: 0 accepted, 1 refused.
 */
static int examine(const struct options *o, struct report *r,
		   const char *file, unsigned index, size_t at,
		   const char *buf, size_t len, unsigned flags)
{
	memset(r, 0, sizeof(*r));
	r->file = file;
	r->index = index;
	r->at = at;
	r->msg = &P.msg;
	sl_arena_init(&P.arena, P.mem, sizeof(P.mem));
	r->rc = sl_msg_parse(&P.msg, buf, len, &P.arena, NULL, flags,
			     &r->err);
	if (r->rc == 0) {
		r->parsed = 1;
		if (P.msg.is_request) {
			r->rc = sl_msg_check_request(&P.msg, &o->check,
						     &r->err);
			if (r->rc < 0 && r->err.status == 420)
				sl_msg_first_unsupported(&P.msg, &o->check,
							 &r->unsupported);
		}
	}
	if (r->rc > 0)
		r->rc = 0;
	if (r->rc != 0)
		r->err.offset += at;
	return r->rc != 0;
}

static void emit(const struct options *o, const struct report *r)
{
	if (o->json)
		print_json(r);
	else
		print_text(o, r);
}

/* Refusal of bytes the framer cannot cut into a message. */
static void stream_failure(struct report *r, int code, const char *reason)
{
	r->rc = code;
	r->parsed = 0;
	r->unsupported.len = 0;
	r->err.code = code;
	r->err.status = 0;
	r->err.reason = reason;
	r->err.offset = r->at;
}

static int only_line_ends(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/*
 * Cuts a stream into messages with the framer (RFC 3261 §18.3) and reports
 * each. After a framing error the rest cannot be resynchronised, just as a
 * TCP connection would be closed. Return: 0 all accepted, 1 one refused.
 */
static int stream_messages(const struct options *o, const char *file,
			   const char *buf, size_t len)
{
	struct sl_framer fr;
	struct report r;
	size_t off = 0;
	unsigned index = 0;
	int bad = 0;

	sl_framer_reset(&fr);
	while (off < len) {
		size_t n = 0;
		int rc = sl_framer_feed(&fr, buf + off, len - off, NULL, &n);

		if ((rc == SL_FRAME_MESSAGE || rc == SL_FRAME_KEEPALIVE) &&
		    (n == 0 || n > len - off)) {
			memset(&r, 0, sizeof(r));
			r.file = file;
			r.index = index;
			r.at = off;
			r.msg = &P.msg;
			stream_failure(&r, SL_EFAIL, "Framer made no progress");
			emit(o, &r);
			return 1;
		}
		if (rc == SL_FRAME_KEEPALIVE) {
			off += n;
		} else if (rc == SL_FRAME_MESSAGE) {
			bad |= examine(o, &r, file, index++, off, buf + off, n,
				       SL_PARSE_STREAM);
			emit(o, &r);
			off += n;
		} else {
			if (rc == SL_FRAME_NEED_MORE &&
			    only_line_ends(buf + off, len - off))
				break;
			/* The parser usually says more precisely what is
			 * wrong with the bytes the framer refused. */
			if (!examine(o, &r, file, index, off, buf + off,
				     len - off, SL_PARSE_STREAM) ||
			    rc == SL_FRAME_NEED_MORE)
				stream_failure(&r, rc == SL_FRAME_NEED_MORE
						   ? SL_EAGAIN : rc,
					       rc == SL_FRAME_NEED_MORE
						   ? "Incomplete message"
						   : "Framing error");
			emit(o, &r);
			return 1;
		}
		sl_framer_reset(&fr);
	}
	return bad;
}

/* ---- input ---- */

/* Reads all of @f into a malloc'd buffer (@len may be 0). */
static int read_all(FILE *f, char **out, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);
	char *bigger;

	if (!buf)
		return SL_ENOMEM;
	for (;;) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (n < cap) {
			if (ferror(f)) {
				free(buf);
				return SL_EIO;
			}
			break;
		}
		if (cap >= MAX_INPUT) {
			free(buf);
			return SL_ETOOBIG;
		}
		bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			return SL_ENOMEM;
		}
		buf = bigger;
		cap *= 2;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Return: 0 all accepted, 1 one refused, 2 unreadable. */
static int one_file(const struct options *o, const char *path)
{
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	int rc, bad;

	if (!f) {
		fprintf(stderr, "sipmsg: cannot read '%s': %s\n", path,
			strerror(errno));
		return 2;
	}
	errno = 0;
	rc = read_all(f, &buf, &len);
	if (rc < 0) {
		fprintf(stderr, "sipmsg: cannot read '%s': %s\n", path,
			rc == SL_EIO && errno ? strerror(errno)
					      : sl_strerror(rc));
		if (!is_stdin)
			fclose(f);
		return 2;
	}
	if (!is_stdin)
		fclose(f);
	if (o->stream) {
		bad = stream_messages(o, name, buf, len);
	} else {
		struct report r;

		bad = examine(o, &r, name, 0, 0, buf, len, 0);
		emit(o, &r);
	}
	free(buf);
	return bad;
}

/* ---- options ---- */

static int set_supported(struct options *o, const char *list)
{
	size_t n = strlen(list);
	char *p = o->tag_buf;

	if (n >= sizeof(o->tag_buf))
		return -1;
	memcpy(o->tag_buf, list, n + 1);
	o->check.n_supported = 0;
	while (*p) {
		char *comma = strchr(p, ',');

		if (comma)
			*comma = '\0';
		if (*p) {
			if (o->check.n_supported >= MAX_TAGS)
				return -1;
			o->tags[o->check.n_supported++] = p;
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	int first = argc, status = 0, files = 0;

	memset(&o, 0, sizeof(o));
	o.check.supported = o.tags;
	set_supported(&o, "100rel,timer,replaces,path");

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			first = i + 1;
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			first = i;
			break;
		}
		if (strcmp(a, "--json") == 0) {
			o.json = 1;
		} else if (strcmp(a, "--stream") == 0) {
			o.stream = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if (strcmp(a, "--supported") == 0 && i + 1 < argc) {
			if (set_supported(&o, argv[++i]) != 0) {
				fprintf(stderr, "sipmsg: too many or too long "
					"option tags (see --help)\n");
				return 2;
			}
		} else {
			fprintf(stderr, "sipmsg: unknown option '%s' "
				"(see --help)\n", a);
			return 2;
		}
	}

	for (int i = first; i < argc; i++) {
		int rc = one_file(&o, argv[i]);

		files++;
		if (rc > status)
			status = rc;
	}
	if (files == 0)
		status = one_file(&o, "-");
	if (fflush(stdout) != 0) {
		fprintf(stderr, "sipmsg: write error: %s\n", strerror(errno));
		return 2;
	}
	return status;
}
