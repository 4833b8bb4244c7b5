/*
 * tools/bench/harness.c: corpus loading, timing, allocation counting and
 * reporting for the parse benchmarks (see harness.h).
 *
 * Owns: the loaded corpus (heap buffers, one per message, exactly the file's
 * size so that a sanitizer build catches a parser reading past the end) and
 * the process-wide malloc/calloc/realloc/free wrappers.
 * Thread: single-threaded.
 * Called by: tools/bench/bench.c (sipline-bench parse) and the programs of
 * tools/bench/compare/, so every parser is measured by the same code.
 *
 * Allocation counting: this file defines malloc, calloc, realloc and free
 * and forwards them to glibc's __libc_* entry points. The executable's
 * definitions take precedence over libc's for every caller in the process,
 * the statically linked libsipline.a and the shared competitor libraries
 * alike. Sanitizer builds keep their own allocator (ASan must see every
 * allocation), so there the count is reported as "n/a".
 */
#include "harness.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BENCH_COUNT_ALLOCS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
	__has_feature(thread_sanitizer)
#define BENCH_COUNT_ALLOCS 0
#endif
#endif
#ifndef BENCH_COUNT_ALLOCS
#define BENCH_COUNT_ALLOCS 1
#endif

/* ---- allocation counting ---- */

static int counting;            /* count only inside the timed loop */
static unsigned long n_allocs;  /* malloc + calloc + realloc calls */

#if BENCH_COUNT_ALLOCS
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

void *malloc(size_t size)
{
	if (counting)
		n_allocs++;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	if (counting)
		n_allocs++;
	return __libc_calloc(n, size);
}

/* A realloc is one more trip to the allocator, whatever it does. */
void *realloc(void *p, size_t size)
{
	if (counting)
		n_allocs++;
	return __libc_realloc(p, size);
}

void free(void *p)
{
	__libc_free(p);
}
#endif

/* ---- corpus ---- */

struct bench_msg {
	char *path;
	const char *buf;
	size_t len;
	int excluded;       /* rejected in the check pass under --keep-going */
};

struct corpus {
	struct bench_msg *msgs;
	size_t n;
	size_t cap;
};

static int cmp_msg(const void *a, const void *b)
{
	const struct bench_msg *x = a, *y = b;

	return strcmp(x->path, y->path);
}

static int corpus_add(struct corpus *c, char *path, char *buf, size_t len)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct bench_msg *m = realloc(c->msgs, cap * sizeof(*m));

		if (m == NULL)
			return -1;
		c->msgs = m;
		c->cap = cap;
	}
	c->msgs[c->n].path = path;
	c->msgs[c->n].buf = buf;
	c->msgs[c->n].len = len;
	c->msgs[c->n].excluded = 0;
	c->n++;
	return 0;
}

/* Reads one file whole; 1 when it is not a regular file, -1 on error. */
static int read_file(const char *path, char **out, size_t *out_len)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	/* Exactly the message's size, no NUL after it: a parser that reads
	 * one byte too far trips ASan in a sanitizer build. */
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (buf == NULL) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(buf);
			close(fd);
			return -1;
		}
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*out_len = got;
	return 0;
}

static int corpus_load_dir(struct corpus *c, const char *prog, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		fprintf(stderr, "%s: %s: %s\n", prog, dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t need = strlen(dir) + strlen(de->d_name) + 2;
		char *path, *buf;
		size_t len;
		int rc;

		if (de->d_name[0] == '.')
			continue;
		path = malloc(need);
		if (path == NULL)
			goto nomem;
		snprintf(path, need, "%s/%s", dir, de->d_name);
		rc = read_file(path, &buf, &len);
		if (rc == 1) {
			free(path);
			continue;
		}
		if (rc < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, path,
				strerror(errno));
			free(path);
			closedir(d);
			return -1;
		}
		if (corpus_add(c, path, buf, len) != 0) {
			free(buf);
			free(path);
			goto nomem;
		}
	}
	closedir(d);
	return 0;
nomem:
	fprintf(stderr, "%s: out of memory\n", prog);
	closedir(d);
	return -1;
}

static void corpus_free(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->msgs[i].path);
		free((void *)c->msgs[i].buf);
	}
	free(c->msgs);
}

/* ---- the workload ---- */

struct bench_str bench_str_c(const char *s)
{
	struct bench_str r = { s, s ? strlen(s) : 0 };

	return r;
}

/* Everything read ends up here, so no field read can be optimised away. */
static volatile uint64_t sink;

/* Reads a value: its length and its first and last bytes. */
static inline uint64_t take(uint64_t acc, struct bench_str s)
{
	acc = acc * 31 + s.len;
	if (s.len > 0)
		acc += (unsigned char)s.p[0] + (unsigned char)s.p[s.len - 1];
	return acc;
}

static inline uint64_t take_fields(const struct bench_fields *f)
{
	uint64_t acc = (uint64_t)f->method * 1000 + (uint64_t)f->status;

	acc = take(acc, f->method_name);
	acc = take(acc, f->ruri_host);
	acc = take(acc, f->via_branch);
	acc = take(acc, f->via_host);
	acc = take(acc, f->from_tag);
	acc = take(acc, f->to_tag);
	acc = take(acc, f->call_id);
	acc = take(acc, f->call_id2);
	acc = acc * 31 + f->cseq;
	acc = take(acc, f->cseq_method);
	acc = take(acc, f->contact_host);
	acc = acc * 31 + (uint64_t)f->content_length;
	return take(acc, f->body);
}

/* One message through parse, read, release. */
static inline int run_one(const struct bench_workload *w,
			  const struct bench_msg *m, uint64_t *acc,
			  struct bench_fields *f, const char **why)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->content_length = -1;
	*why = "rejected";
	rc = w->parse(w->ctx, m->buf, m->len, f, why);
	if (rc == 0)
		*acc += take_fields(f);
	w->release(w->ctx);
	return rc;
}

static uint64_t run_pass(const struct bench_workload *w,
			 const struct corpus *c)
{
	uint64_t acc = 0;
	struct bench_fields f;
	const char *why;

	for (size_t i = 0; i < c->n; i++) {
		if (c->msgs[i].excluded)
			continue;
		/* Checked before timing, so a failure here cannot happen
		 * unless a parser is not deterministic; it would only lower
		 * the sink, never the count. */
		(void)run_one(w, &c->msgs[i], &acc, &f, &why);
	}
	return acc;
}

/* What every parser must find in every corpus message. */
static const char *check_fields(const struct bench_fields *f)
{
	if (f->status == 0 && f->method_name.len == 0)
		return "no method and no status";
	if (f->via_branch.len == 0)
		return "no top Via branch";
	if (f->via_host.len == 0)
		return "no top Via host";
	if (f->from_tag.len == 0)
		return "no From tag";
	if (f->call_id.len == 0)
		return "no Call-ID";
	if (f->cseq_method.len == 0)
		return "no CSeq method";
	if (f->content_length >= 0 &&
	    f->body.len != (size_t)f->content_length)
		return "body length differs from Content-Length";
	return NULL;
}

/* Parses every message once, outside the timing. */
static int check_pass(const char *prog, const struct bench_workload *w,
		      struct corpus *c, int keep_going, size_t *n_excluded)
{
	uint64_t acc = 0;
	struct bench_fields f;
	const char *why;

	*n_excluded = 0;
	for (size_t i = 0; i < c->n; i++) {
		const char *bad_field;
		int rc;

		memset(&f, 0, sizeof(f));
		f.content_length = -1;
		why = "rejected";
		rc = w->parse(w->ctx, c->msgs[i].buf, c->msgs[i].len, &f, &why);
		if (rc == 0) {
			bad_field = check_fields(&f);
			if (bad_field != NULL) {
				why = bad_field;
				rc = -1;
			} else {
				acc += take_fields(&f);
			}
		}
		w->release(w->ctx);
		if (rc == 0)
			continue;
		fprintf(stderr, "%s: %s: %s: %s\n", prog, c->msgs[i].path,
			w->name, why);
		if (!keep_going)
			return -1;
		c->msgs[i].excluded = 1;
		(*n_excluded)++;
	}
	sink = acc;
	return 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- --dump: the values read, one message a line ---- */

static void put_str(struct bench_str s, int host)
{
	/* Hosts are compared without IPv6 brackets: parsers differ there. */
	if (host && s.len >= 2 && s.p[0] == '[' && s.p[s.len - 1] == ']') {
		s.p++;
		s.len -= 2;
	}
	putchar('\t');
	if (s.len == 0)
		putchar('-');
	else
		fwrite(s.p, 1, s.len, stdout);
}

static void dump_fields(const char *path, const struct bench_fields *f)
{
	const char *base = strrchr(path, '/');

	fputs(base ? base + 1 : path, stdout);
	if (f->status)
		printf("\t%d", f->status);
	else
		put_str(f->method_name, 0);
	put_str(f->ruri_host, 1);
	put_str(f->via_branch, 0);
	put_str(f->via_host, 1);
	put_str(f->from_tag, 0);
	put_str(f->to_tag, 0);
	putchar('\t');
	fwrite(f->call_id.p, 1, f->call_id.len, stdout);
	if (f->call_id2.len) {
		putchar('@');
		fwrite(f->call_id2.p, 1, f->call_id2.len, stdout);
	}
	printf("\t%lu", (unsigned long)f->cseq);
	put_str(f->cseq_method, 0);
	put_str(f->contact_host, 1);
	printf("\t%ld\t%zu\n", f->content_length, f->body.len);
}

static int dump(const char *prog, const struct bench_workload *w,
		const struct corpus *c)
{
	int bad = 0;

	for (size_t i = 0; i < c->n; i++) {
		struct bench_fields f;
		const char *why = "rejected";

		memset(&f, 0, sizeof(f));
		f.content_length = -1;
		if (w->parse(w->ctx, c->msgs[i].buf, c->msgs[i].len, &f,
			     &why) == 0)
			dump_fields(c->msgs[i].path, &f);
		else {
			fprintf(stderr, "%s: %s: %s: %s\n", prog,
				c->msgs[i].path, w->name, why);
			bad = 1;
		}
		w->release(w->ctx);
	}
	return bad;
}

/* ---- main ---- */

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--seconds S] [--min-passes N] [--dump] "
		"[--keep-going] DIR...\n"
		"  Parses every file of each DIR (one SIP message per file)\n"
		"  repeatedly for at least S seconds (default 1) and N passes\n"
		"  (default 20) and prints\n"
		"  parse: <msgs/s> msgs/s, <ns> ns/msg, <allocs> allocs/msg\n"
		"  --dump        print the values read, one message a line\n"
		"  --keep-going  report rejected messages, time the others\n",
		prog);
}

/* A positive decimal number no larger than @max; -1 when malformed. */
static double parse_positive(const char *s, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > max)
		return -1;
	return v;
}

int bench_main(const char *prog, int argc, char **argv,
	       const struct bench_workload *w)
{
	double seconds = 1.0, v;
	unsigned long min_passes = 20, passes = 0;
	int do_dump = 0, keep_going = 0, i, rc = 1;
	struct corpus c = { NULL, 0, 0 };
	size_t n_excluded, n_msgs;
	uint64_t t0, t, elapsed, warm_until, acc = 0;
	double msgs, per_s, ns;

	for (i = 0; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--dump") == 0) {
			do_dump = 1;
		} else if (strcmp(a, "--keep-going") == 0) {
			keep_going = 1;
		} else if (strcmp(a, "--seconds") == 0 && i + 1 < argc) {
			v = parse_positive(argv[++i], 3600);
			if (v < 0) {
				usage(prog);
				return 2;
			}
			seconds = v;
		} else if (strcmp(a, "--min-passes") == 0 && i + 1 < argc) {
			v = parse_positive(argv[++i], 1e9);
			if (v < 0 || v != (unsigned long)v) {
				usage(prog);
				return 2;
			}
			min_passes = (unsigned long)v;
		} else {
			usage(prog);
			return 2;
		}
	}
	if (i == argc) {
		usage(prog);
		return 2;
	}
	for (; i < argc; i++)
		if (corpus_load_dir(&c, prog, argv[i]) != 0)
			goto out;
	if (c.n == 0) {
		fprintf(stderr, "%s: no message files found\n", prog);
		goto out;
	}
	qsort(c.msgs, c.n, sizeof(c.msgs[0]), cmp_msg);

	if (do_dump) {
		rc = dump(prog, w, &c);
		goto out;
	}
	if (check_pass(prog, w, &c, keep_going, &n_excluded) != 0)
		goto out;
	n_msgs = c.n - n_excluded;
	if (n_msgs == 0) {
		fprintf(stderr, "%s: no message parsed\n", prog);
		goto out;
	}

	/* Warm caches, branch predictors and the CPU clock first. */
	warm_until = now_ns() + (uint64_t)(seconds * 0.25e9);
	do
		acc += run_pass(w, &c);
	while (now_ns() < warm_until);

	n_allocs = 0;
	counting = 1;
	t0 = now_ns();
	do {
		acc += run_pass(w, &c);
		passes++;
		t = now_ns();
	} while (t - t0 < (uint64_t)(seconds * 1e9) || passes < min_passes);
	counting = 0;
	sink = acc;

	elapsed = t - t0;
	msgs = (double)passes * (double)n_msgs;
	per_s = msgs * 1e9 / (double)elapsed;
	ns = (double)elapsed / msgs;
	if (BENCH_COUNT_ALLOCS)
		printf("parse: %.0f msgs/s, %.0f ns/msg, %.2f allocs/msg",
		       per_s, ns, (double)n_allocs / msgs);
	else
		printf("parse: %.0f msgs/s, %.0f ns/msg, n/a allocs/msg",
		       per_s, ns);
	if (n_excluded)
		printf(" (%zu of %zu msgs rejected, left out)", n_excluded,
		       c.n);
	putchar('\n');
	rc = 0;
out:
	corpus_free(&c);
	return rc;
}
