/*
 * tools/bench/bench.c: sipline-bench, the parser benchmark (make bench).
 *
 *   sipline-bench parse [--seconds S] [--min-passes N] [--dump]
 *                       [--keep-going] DIR...
 *   sipline-bench uas [...]   (the call benchmark's callee: uas.c)
 *   sipline-bench media [...] (the media engine benchmark: media_bench.c)
 *
 * Workload per message (the same one the programs of tools/bench/compare/
 * run with other parsers): sl_msg_parse() from the read-only buffer with an
 * arena over a stack buffer, then read the method or status code, the
 * Request-URI host, the top Via branch and sent-by host, the From and To
 * tags, the Call-ID, the CSeq number and method, the first Contact's host
 * (decoded with sl_contact_decode()), the Content-Length and the body; then
 * release (an O(1) arena reset). Timing, allocation counting and the result
 * line live in harness.c.
 *
 * Thread: single-threaded tool.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "sipline/error.h"
#include "sipline/headers.h"
#include "sipline/msg.h"

#include "harness.h"
#include "media_bench.h"
#include "uas.h"

/* Room for the header table and the Vias of any message of the corpus. */
enum { ARENA_BYTES = 32768 };

struct sipline_ctx {
	struct sl_arena arena;
	struct sl_parse_limits lim;
	struct sl_msg msg;
	char why[256];       /* the last rejection, for the error line */
};

static struct bench_str str(struct sl_slice s)
{
	struct bench_str r = { s.p, s.len };

	return r;
}

static int sipline_parse(void *ctx, const char *buf, size_t len,
			 struct bench_fields *f, const char **why)
{
	struct sipline_ctx *x = ctx;
	struct sl_msg *m = &x->msg;
	struct sl_parse_error err = { 0, 0, NULL, 0 };
	struct sl_contact contact;
	uint16_t ci;
	int rc;

	rc = sl_msg_parse(m, buf, len, &x->arena, &x->lim, 0, &err);
	if (rc < 0) {
		snprintf(x->why, sizeof(x->why), "%s at byte %zu (%s)",
			 err.reason ? err.reason : sl_strerror(rc),
			 err.offset, sl_err_name(rc));
		*why = x->why;
		return -1;
	}
	if (m->is_request) {
		f->method = (int)m->method;
		f->method_name = str(m->method_name);
		f->ruri_host = str(m->ruri.host);
	} else {
		f->status = m->status;
	}
	if (m->n_vias > 0) {
		f->via_branch = str(m->vias[0].branch);
		f->via_host = str(m->vias[0].host);
	}
	f->from_tag = str(m->from.tag);
	f->to_tag = str(m->to.tag);
	f->call_id = str(m->call_id);
	f->cseq = m->cseq.seq;
	f->cseq_method = str(m->cseq.method);
	ci = m->first[SL_HDR_CONTACT];
	if (ci != SL_HDR_NONE) {
		rc = sl_contact_decode(m->hdrs[ci].value, &contact);
		if (rc < 0) {
			snprintf(x->why, sizeof(x->why),
				 "bad Contact at byte %zu (%s)",
				 (size_t)(m->hdrs[ci].value.p - buf),
				 sl_err_name(rc));
			*why = x->why;
			return -1;
		}
		if (!contact.star)
			f->contact_host = str(contact.addr.uri.host);
	}
	f->content_length = m->content_length;
	f->body = str(m->body);
	return 0;
}

static void sipline_release(void *ctx)
{
	struct sipline_ctx *x = ctx;

	sl_arena_reset(&x->arena);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sipline-bench parse [--seconds S] [--min-passes N] "
		"[--dump] [--keep-going] DIR...\n"
		"       sipline-bench uas [--listen IP:PORT] [--lines N] "
		"...\n"
		"       sipline-bench media [--steps N,N,...] ...\n");
}

int main(int argc, char **argv)
{
	/* The arena lives on this stack frame for the whole run. */
	alignas(max_align_t) unsigned char arena_mem[ARENA_BYTES];
	struct sipline_ctx x;
	struct bench_workload w = {
		"sipline", &x, sipline_parse, sipline_release
	};

	if (argc >= 2 && !strcmp(argv[1], "uas"))
		return bench_uas_main(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "media"))
		return bench_media_main(argc - 2, argv + 2);
	if (argc < 2 || strcmp(argv[1], "parse") != 0) {
		usage();
		return 2;
	}
	memset(&x, 0, sizeof(x));
	sl_arena_init(&x.arena, arena_mem, sizeof(arena_mem));
	sl_parse_limits_init(&x.lim);
	return bench_main("sipline-bench parse", argc - 2, argv + 2, &w);
}
