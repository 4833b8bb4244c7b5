/*
 * tools/bench/harness.h: the parse benchmark harness shared by sipline-bench
 * and the comparison programs of tools/bench/compare/.
 *
 * The harness owns everything but the parser: it loads a corpus (one message
 * per file) into read-only heap buffers, runs a workload over it for a fixed
 * time, counts heap allocations, and prints the one result line. A workload
 * is a pair of callbacks: parse() turns one message into a struct
 * bench_fields of values read from the parser's own result, release() frees
 * whatever parse() made. Between the two the harness reads every field, so
 * each parser pays for producing the same values and nothing is optimised
 * away.
 *
 * Thread: single-threaded; the allocation counter is not atomic.
 */
#ifndef SIPLINE_BENCH_HARNESS_H
#define SIPLINE_BENCH_HARNESS_H

#include <stddef.h>
#include <stdint.h>

/** A value read from a parser's result: @len bytes at @p (not NUL-ended). */
struct bench_str {
	const char *p;
	size_t len;
};

/**
 * struct bench_fields - what the workload reads from every message.
 * Absent values are empty strings; @call_id2 is only for parsers that split
 * the Call-ID at '@' (the dump joins the two halves).
 */
struct bench_fields {
	int method;                 /* parser's own method id; 0 response */
	int status;                 /* 100..699, 0 for a request */
	struct bench_str method_name;
	struct bench_str ruri_host;
	struct bench_str via_branch; /* top Via */
	struct bench_str via_host;   /* top Via sent-by host */
	struct bench_str from_tag;
	struct bench_str to_tag;
	struct bench_str call_id;
	struct bench_str call_id2;
	uint32_t cseq;
	struct bench_str cseq_method;
	struct bench_str contact_host; /* first Contact, decoded */
	long content_length;         /* -1 when absent */
	struct bench_str body;
};

/**
 * struct bench_workload - one parser's way of doing the workload.
 * @name:    printed in error messages ("sipline", "libosip2"...).
 * @ctx:     passed back to each callback.
 * @parse:   parses @len bytes at @buf (read-only) and fills @f with values
 *           read from the result. Returns 0, or -1 with *why set to a
 *           static or @ctx-owned reason when the message was rejected (the
 *           harness still calls release()).
 * @release: frees what parse() made (for arena parsers: resets the arena).
 */
struct bench_workload {
	const char *name;
	void *ctx;
	int (*parse)(void *ctx, const char *buf, size_t len,
		     struct bench_fields *f, const char **why);
	void (*release)(void *ctx);
};

/** bench_str_c() - a bench_str for a C string (NULL gives an empty one). */
struct bench_str bench_str_c(const char *s);

/**
 * bench_main() - the whole program after the program name (and, for
 * sipline-bench, after the "parse" subcommand).
 * @prog: name for messages and usage.
 * @argc, @argv: the remaining arguments: [--seconds S] [--min-passes N]
 *        [--dump] [--keep-going] DIR...
 *
 * Return: the exit status: 0 done, 1 a directory could not be read or a
 * message failed to parse, 2 a usage error.
 */
int bench_main(const char *prog, int argc, char **argv,
	       const struct bench_workload *w);

#endif /* SIPLINE_BENCH_HARNESS_H */
