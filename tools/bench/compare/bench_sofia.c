/*
 * tools/bench/compare/bench_sofia.c: the sipline-bench parse workload done
 * with Sofia-SIP (libsofia-sip-ua), for make bench-compare.
 *
 * msg_make() copies the input into a buffer of the message's home (Sofia
 * writes NULs into what it parses), then extracts and decodes every header;
 * that copy is part of its measured cost and the caller's buffer stays
 * read-only. A message with a header Sofia could not decode (sip_error) is
 * counted as rejected. Values are NUL-terminated strings, read with
 * strlen().
 *
 * Thread: single-threaded tool. Built and run only by tools/bench/compare.sh.
 */
#include <stdio.h>
#include <string.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/su.h>

#include "harness.h"

struct sofia_ctx {
	msg_mclass_t const *mclass;
	msg_t *msg;
	char why[128];
};

static int sofia_parse(void *ctx, const char *buf, size_t len,
		       struct bench_fields *f, const char **why)
{
	struct sofia_ctx *x = ctx;
	sip_t *sip;

	x->msg = msg_make(x->mclass, 0, buf, (ssize_t)len);
	if (x->msg == NULL) {
		*why = "msg_make failed";
		return -1;
	}
	sip = sip_object(x->msg);
	if (msg_has_error(x->msg) || sip == NULL) {
		*why = "msg_make: message has an error";
		return -1;
	}
	if (sip->sip_error != NULL) {
		snprintf(x->why, sizeof(x->why), "bad header %s",
			 sip->sip_error->er_name ? sip->sip_error->er_name :
			 "(unnamed)");
		*why = x->why;
		return -1;
	}
	if (sip->sip_request != NULL) {
		f->method = sip->sip_request->rq_method;
		f->method_name =
			bench_str_c(sip->sip_request->rq_method_name);
		f->ruri_host = bench_str_c(sip->sip_request->rq_url->url_host);
	} else if (sip->sip_status != NULL) {
		f->status = sip->sip_status->st_status;
	}
	if (sip->sip_via != NULL) {
		f->via_branch = bench_str_c(sip->sip_via->v_branch);
		f->via_host = bench_str_c(sip->sip_via->v_host);
	}
	if (sip->sip_from != NULL)
		f->from_tag = bench_str_c(sip->sip_from->a_tag);
	if (sip->sip_to != NULL)
		f->to_tag = bench_str_c(sip->sip_to->a_tag);
	if (sip->sip_call_id != NULL)
		f->call_id = bench_str_c(sip->sip_call_id->i_id);
	if (sip->sip_cseq != NULL) {
		f->cseq = sip->sip_cseq->cs_seq;
		f->cseq_method = bench_str_c(sip->sip_cseq->cs_method_name);
	}
	if (sip->sip_contact != NULL)
		f->contact_host =
			bench_str_c(sip->sip_contact->m_url->url_host);
	if (sip->sip_content_length != NULL)
		f->content_length = (long)sip->sip_content_length->l_length;
	if (sip->sip_payload != NULL) {
		f->body.p = sip->sip_payload->pl_data;
		f->body.len = sip->sip_payload->pl_len;
	}
	return 0;
}

static void sofia_release(void *ctx)
{
	struct sofia_ctx *x = ctx;

	if (x->msg != NULL)
		msg_destroy(x->msg);
	x->msg = NULL;
}

int main(int argc, char **argv)
{
	struct sofia_ctx x;
	struct bench_workload w = {
		"sofia-sip", &x, sofia_parse, sofia_release
	};
	int rc;

	memset(&x, 0, sizeof(x));
	su_init();
	x.mclass = sip_default_mclass();
	rc = bench_main("bench-sofia-sip", argc - 1, argv + 1, &w);
	su_deinit();
	return rc;
}
