/*
 * tools/bench/compare/bench_re.c: the sipline-bench parse workload done with
 * libre (baresip's library), for make bench-compare.
 *
 * sip_msg_decode() takes a reference on a struct mbuf and slices it without
 * writing, but it needs that mbuf: the message is copied into one mbuf kept
 * for the whole run (the cheapest legal use; baresip allocates a new one per
 * datagram), and the copy is part of its measured cost. Values are pointer
 * and length pairs like sipline's. libre keeps only the first Via decoded
 * and no sent-by host, so the host is cut out of the sent-by text here; the
 * first Contact is decoded with sip_addr_decode().
 *
 * Thread: single-threaded tool. Built and run only by tools/bench/compare.sh.
 */
#include <string.h>

/* libre's headers expect the build system to say what libc has. */
#define HAVE_INTTYPES_H 1
#define HAVE_STDBOOL_H 1
#define HAVE_INET6 1
#include <stdbool.h>
#include <stdint.h>
#include <re.h>

#include "harness.h"

struct re_ctx {
	struct mbuf *mb;
	struct sip_msg *msg;
	struct sip_addr contact;
};

static struct bench_str pl_str(const struct pl *pl)
{
	struct bench_str s = { pl->p, pl->l };

	return s;
}

/* Host of a sent-by "host[:port]" or "[v6]:port". */
static struct bench_str sentby_host(const struct pl *sb)
{
	struct bench_str s = { sb->p, 0 };
	size_t i;

	if (sb->l > 0 && sb->p[0] == '[') {
		for (i = 1; i < sb->l && sb->p[i] != ']'; i++)
			;
		s.p = sb->p + 1;
		s.len = i - 1;
		return s;
	}
	for (i = 0; i < sb->l && sb->p[i] != ':'; i++)
		;
	s.len = i;
	return s;
}

static int re_parse(void *ctx, const char *buf, size_t len,
		    struct bench_fields *f, const char **why)
{
	struct re_ctx *x = ctx;
	struct sip_msg *msg;
	const struct sip_hdr *h;

	x->msg = NULL;
	mbuf_rewind(x->mb);
	if (mbuf_write_mem(x->mb, (const uint8_t *)buf, len) != 0) {
		*why = "mbuf_write_mem failed";
		return -1;
	}
	mbuf_set_pos(x->mb, 0);
	if (sip_msg_decode(&msg, x->mb) != 0) {
		*why = "sip_msg_decode failed";
		return -1;
	}
	x->msg = msg;
	if (msg->req) {
		f->method_name = pl_str(&msg->met);
		f->ruri_host = pl_str(&msg->uri.host);
	} else {
		f->status = msg->scode;
	}
	f->via_branch = pl_str(&msg->via.branch);
	f->via_host = sentby_host(&msg->via.sentby);
	f->from_tag = pl_str(&msg->from.tag);
	f->to_tag = pl_str(&msg->to.tag);
	f->call_id = pl_str(&msg->callid);
	f->cseq = msg->cseq.num;
	f->cseq_method = pl_str(&msg->cseq.met);
	h = sip_msg_hdr(msg, SIP_HDR_CONTACT);
	/* "Contact: *" (REGISTER removing all bindings) has no address. */
	if (h != NULL && pl_strcmp(&h->val, "*") != 0) {
		if (sip_addr_decode(&x->contact, &h->val) != 0) {
			*why = "sip_addr_decode failed on Contact";
			return -1;
		}
		f->contact_host = pl_str(&x->contact.uri.host);
	}
	if (pl_isset(&msg->clen))
		f->content_length = (long)pl_u32(&msg->clen);
	f->body.p = (const char *)mbuf_buf(msg->mb);
	f->body.len = mbuf_get_left(msg->mb);
	return 0;
}

static void re_release(void *ctx)
{
	struct re_ctx *x = ctx;

	x->msg = mem_deref(x->msg);
}

int main(int argc, char **argv)
{
	struct re_ctx x;
	struct bench_workload w = { "libre", &x, re_parse, re_release };
	int rc;

	memset(&x, 0, sizeof(x));
	x.mb = mbuf_alloc(65536);
	if (x.mb == NULL)
		return 1;
	rc = bench_main("bench-libre", argc - 1, argv + 1, &w);
	mem_deref(x.mb);
	return rc;
}
