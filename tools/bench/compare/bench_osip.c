/*
 * tools/bench/compare/bench_osip.c: the sipline-bench parse workload done
 * with GNU oSIP (libosipparser2), for make bench-compare.
 *
 * osip_message_parse() copies the input into its own heap buffer before it
 * rewrites it (it replaces line folds in place), so the caller's buffer stays
 * read-only without a copy of ours; that copy is part of its measured cost.
 * The values are NUL-terminated strings, read with strlen(); the CSeq number
 * and Content-Length arrive as text and are converted, as a caller must.
 *
 * Thread: single-threaded tool. Built and run only by tools/bench/compare.sh.
 */
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "harness.h"

struct osip_ctx {
	osip_message_t *sip;
};

static int osip_parse(void *ctx, const char *buf, size_t len,
		      struct bench_fields *f, const char **why)
{
	struct osip_ctx *x = ctx;
	osip_message_t *sip;
	osip_via_t *via = NULL;
	osip_contact_t *contact = NULL;
	osip_generic_param_t *p = NULL;
	osip_body_t *body = NULL;

	x->sip = NULL;
	if (osip_message_init(&sip) != 0) {
		*why = "osip_message_init failed";
		return -1;
	}
	x->sip = sip;
	if (osip_message_parse(sip, buf, len) != 0) {
		*why = "osip_message_parse failed";
		return -1;
	}
	if (MSG_IS_REQUEST(sip)) {
		f->method_name = bench_str_c(sip->sip_method);
		if (sip->req_uri != NULL)
			f->ruri_host = bench_str_c(sip->req_uri->host);
	} else {
		f->status = sip->status_code;
	}
	if (osip_message_get_via(sip, 0, &via) >= 0 && via != NULL) {
		f->via_host = bench_str_c(via->host);
		if (osip_via_param_get_byname(via, "branch", &p) >= 0 &&
		    p != NULL)
			f->via_branch = bench_str_c(p->gvalue);
	}
	p = NULL;
	if (sip->from != NULL && osip_from_get_tag(sip->from, &p) >= 0 &&
	    p != NULL)
		f->from_tag = bench_str_c(p->gvalue);
	p = NULL;
	if (sip->to != NULL && osip_to_get_tag(sip->to, &p) >= 0 &&
	    p != NULL)
		f->to_tag = bench_str_c(p->gvalue);
	if (sip->call_id != NULL) {
		/* oSIP splits the Call-ID at '@'. */
		f->call_id = bench_str_c(sip->call_id->number);
		f->call_id2 = bench_str_c(sip->call_id->host);
	}
	if (sip->cseq != NULL) {
		if (sip->cseq->number != NULL)
			f->cseq = (uint32_t)strtoul(sip->cseq->number, NULL,
						    10);
		f->cseq_method = bench_str_c(sip->cseq->method);
	}
	if (osip_message_get_contact(sip, 0, &contact) >= 0 &&
	    contact != NULL && contact->url != NULL)
		f->contact_host = bench_str_c(contact->url->host);
	if (sip->content_length != NULL &&
	    sip->content_length->value != NULL)
		f->content_length = strtol(sip->content_length->value, NULL,
					   10);
	if (osip_message_get_body(sip, 0, &body) >= 0 && body != NULL) {
		f->body.p = body->body;
		f->body.len = body->length;
	}
	return 0;
}

static void osip_release(void *ctx)
{
	struct osip_ctx *x = ctx;

	if (x->sip != NULL)
		osip_message_free(x->sip);
	x->sip = NULL;
}

int main(int argc, char **argv)
{
	struct osip_ctx x = { NULL };
	struct bench_workload w = {
		"libosip2", &x, osip_parse, osip_release
	};

	parser_init();
	return bench_main("bench-libosip2", argc - 1, argv + 1, &w);
}
