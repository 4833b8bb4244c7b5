/*
 * tests/unit/check_sip_msg.c: the message splitter, header tables, request
 * checks and look-up by name (lib/sip/msg_*.c).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sip/msg_int.h"

static const char invite[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds"
	";rport\r\n"
	"v: SIP/2.0/TCP proxy.example.com:5061;branch=z9hG4bK2,"
	" SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bK3;received=192.0.2.1\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:bob@biloxi.example.com>\r\n"
	"From: \"Alice, A.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
	"X-Custom: first\r\n"
	"Subject: lunch\r\n"
	" today\r\n"
	"x-custom: second\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"v=0\n";

static const char ok200[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
	"To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\r\n"
	"f: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
	"i: a84b4c76e66710@pc33.atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"m: <sip:bob@192.0.2.4>, \"X, Y\" <sip:x@y.example>;q=0.5\r\n"
	"l: 0\r\n"
	"\r\n";

struct parsed {
	_Alignas(max_align_t) unsigned char mem[32768];
	struct sl_arena arena;
	struct sl_msg msg;
	struct sl_parse_error err;
};

static int parse(struct parsed *p, const char *text, size_t len,
		 unsigned flags)
{
	sl_arena_init(&p->arena, p->mem, sizeof(p->mem));
	return sl_msg_parse(&p->msg, text, len, &p->arena, NULL, flags,
			    &p->err);
}

static struct parsed P;

START_TEST(invite_fields)
{
	struct sl_msg *m = &P.msg;

	ck_assert_int_eq(parse(&P, invite, strlen(invite), 0), 0);
	ck_assert_int_eq(m->is_request, 1);
	ck_assert_int_eq(m->method, SL_METHOD_INVITE);
	ck_assert(sl_slice_eq(m->method_name, "INVITE"));
	ck_assert(sl_slice_eq(m->ruri_text, "sip:bob@biloxi.example.com"));
	ck_assert_int_eq(m->ruri.scheme, SL_URI_SIP);
	ck_assert(sl_slice_eq(m->ruri.host, "biloxi.example.com"));
	ck_assert(sl_slice_eq(m->version, "SIP/2.0"));
	ck_assert_uint_eq(m->n_vias, 3);
	ck_assert(sl_slice_eq(m->vias[0].branch, "z9hG4bK776asdhds"));
	ck_assert_int_eq(m->vias[0].rport, 0);
	ck_assert(sl_slice_eq(m->vias[1].transport, "TCP"));
	ck_assert_uint_eq(m->vias[1].port, 5061);
	ck_assert(sl_slice_eq(m->vias[2].host, "2001:db8::1"));
	ck_assert(sl_slice_eq(m->vias[2].received, "192.0.2.1"));
	ck_assert_int_eq(m->max_forwards, 70);
	ck_assert(sl_slice_eq(m->from.tag, "1928301774"));
	ck_assert(sl_slice_eq(m->from.display, "Alice, A."));
	ck_assert_uint_eq(m->to.tag.len, 0);
	ck_assert(sl_slice_eq(m->call_id,
			      "a84b4c76e66710@pc33.atlanta.example.com"));
	ck_assert_uint_eq(m->cseq.seq, 314159);
	ck_assert(sl_slice_eq(m->cseq.method, "INVITE"));
	ck_assert_int_eq(m->content_length, 4);
	ck_assert(sl_slice_eq(m->content_type, "application/sdp"));
	ck_assert(sl_slice_eq(m->body, "v=0\n"));
	ck_assert_uint_eq(m->len, strlen(invite));
}
END_TEST

START_TEST(headers_by_name_and_id)
{
	struct sl_msg *m = &P.msg;
	struct sl_slice v;
	int i;

	ck_assert_int_eq(parse(&P, invite, strlen(invite), 0), 0);
	/* Unknown headers are kept verbatim and found in any case. */
	i = sl_msg_find(m, "X-CUSTOM", &v);
	ck_assert_int_ge(i, 0);
	ck_assert(sl_slice_eq(v, "first"));
	i = sl_msg_find_next(m, i, &v);
	ck_assert_int_ge(i, 0);
	ck_assert(sl_slice_eq(v, "second"));
	ck_assert(sl_slice_eq(m->hdrs[i].name, "x-custom"));
	ck_assert_int_eq(sl_msg_find_next(m, i, &v), SL_ENOTFOUND);
	/* A compact name finds the long form and vice versa. */
	ck_assert_int_ge(sl_msg_find(m, "v", &v), 0);
	ck_assert_int_ge(sl_msg_find(m, "i", &v), 0);
	ck_assert(sl_slice_eq(v, "a84b4c76e66710@pc33.atlanta.example.com"));
	/* Folded values span the line break; decoders see white space. */
	ck_assert_int_ge(sl_msg_find(m, "subject", &v), 0);
	ck_assert(sl_slice_eq(v, "lunch\r\n today"));
	ck_assert_int_eq(sl_msg_find(m, "Nope", &v), SL_ENOTFOUND);
	ck_assert_int_eq(sl_msg_find(NULL, "To", &v), SL_EINVAL);
	ck_assert_int_eq(sl_msg_find_next(m, 999, &v), SL_EINVAL);
	/* Three Via values from two lines, chained in order. */
	i = m->first[SL_HDR_VIA];
	ck_assert_int_ne(i, SL_HDR_NONE);
	ck_assert_int_ne(m->hdrs[i].next, SL_HDR_NONE);
	ck_assert_int_ne(m->hdrs[m->hdrs[i].next].next, SL_HDR_NONE);
}
END_TEST

START_TEST(response_and_list_split)
{
	struct sl_msg *m = &P.msg;
	struct sl_contact c;
	uint16_t i;

	ck_assert_int_eq(parse(&P, ok200, strlen(ok200), SL_PARSE_STREAM), 0);
	ck_assert_int_eq(m->is_request, 0);
	ck_assert_int_eq(m->status, 200);
	ck_assert(sl_slice_eq(m->reason, "OK"));
	ck_assert(sl_slice_eq(m->to.tag, "a6c85cf"));
	ck_assert_int_eq(m->content_length, 0);
	ck_assert_uint_eq(m->body.len, 0);
	i = m->first[SL_HDR_CONTACT];
	ck_assert(sl_slice_eq(m->hdrs[i].value, "<sip:bob@192.0.2.4>"));
	i = m->hdrs[i].next;
	/* The comma inside the quoted display name does not split. */
	ck_assert(sl_slice_eq(m->hdrs[i].value,
			      "\"X, Y\" <sip:x@y.example>;q=0.5"));
	ck_assert_int_eq(sl_contact_decode(m->hdrs[i].value, &c), 0);
	ck_assert_int_eq(c.q, 500);
	ck_assert_int_eq(m->hdrs[i].next, SL_HDR_NONE);
}
END_TEST

/* Each bad message, the status a UA answers and a word of the reason. */
struct bad_case {
	const char *name;
	const char *text;
	unsigned flags;
	int code;
	int status;
	const char *reason_has;
};

#define HDRS_ \
	"Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n" \
	"To: <sip:b@example.com>\r\n" \
	"From: <sip:a@example.com>;tag=1\r\n" \
	"Call-ID: c1\r\n" \
	"CSeq: 1 OPTIONS\r\n"
#define RL_ "OPTIONS sip:b@example.com SIP/2.0\r\n"

static const struct bad_case bad_cases[] = {
	{ "double SP in request line",
	  "OPTIONS  sip:b@example.com SIP/2.0\r\n" HDRS_ "\r\n", 0,
	  SL_EPARSE, 400, "Request-Line" },
	{ "trailing SP after version",
	  "OPTIONS sip:b@example.com SIP/2.0 \r\n" HDRS_ "\r\n", 0,
	  SL_EPARSE, 400, "version" },
	{ "angle brackets around Request-URI",
	  "OPTIONS <sip:b@example.com> SIP/2.0\r\n" HDRS_ "\r\n", 0,
	  SL_EPARSE, 400, "Request-URI" },
	{ "headers in Request-URI",
	  "OPTIONS sip:b@example.com?Route=%3Csip:x%3E SIP/2.0\r\n" HDRS_
	  "\r\n", 0, SL_EPARSE, 400, "Request-URI" },
	{ "unknown version", "OPTIONS sip:b@example.com SIP/7.0\r\n" HDRS_
	  "\r\n", 0, SL_EUNSUPP, 505, "Version" },
	{ "garbage version", "OPTIONS sip:b@example.com HTTP/1.1\r\n" HDRS_
	  "\r\n", 0, SL_EPARSE, 400, "version" },
	{ "missing Via", RL_
	  "To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
	  "Call-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 400,
	  "Missing Via" },
	{ "missing To", RL_
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "From: <sip:a@example.com>;tag=1\r\nCall-ID: c1\r\n"
	  "CSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 400, "Missing To" },
	{ "missing From", RL_
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "To: <sip:b@example.com>\r\nCall-ID: c1\r\n"
	  "CSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 400, "Missing From" },
	{ "missing Call-ID", RL_
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
	  "CSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 400, "Missing Call-ID" },
	{ "missing CSeq", RL_
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
	  "Call-ID: c1\r\n\r\n", 0, SL_EPARSE, 400, "Missing CSeq" },
	{ "two To headers", RL_ HDRS_ "To: <sip:c@example.com>\r\n\r\n", 0,
	  SL_EPARSE, 400, "Multiple To" },
	{ "CSeq method mismatch",
	  "INVITE sip:b@example.com SIP/2.0\r\n" HDRS_ "\r\n", 0,
	  SL_EPARSE, 400, "CSeq method" },
	{ "CSeq too large", RL_
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
	  "Call-ID: c1\r\nCSeq: 36893488147419103232 OPTIONS\r\n\r\n", 0,
	  SL_EPARSE, 400, "CSeq" },
	{ "bad Call-ID", RL_
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
	  "Call-ID: a b\r\nCSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 400,
	  "Call-ID" },
	{ "Max-Forwards over 255", RL_ HDRS_ "Max-Forwards: 300\r\n\r\n", 0,
	  SL_EPARSE, 400, "Max-Forwards" },
	{ "negative Content-Length", RL_ HDRS_ "Content-Length: -999\r\n\r\n",
	  0, SL_EPARSE, 400, "Content-Length" },
	{ "Content-Length past the end", RL_ HDRS_
	  "Content-Length: 10\r\n\r\nabc", 0, SL_EPARSE, 400,
	  "larger than message" },
	{ "conflicting Content-Length", RL_ HDRS_
	  "Content-Length: 3\r\nl: 2\r\n\r\nabc", 0, SL_EPARSE, 400,
	  "Content-Length" },
	{ "stream without Content-Length", RL_ HDRS_ "\r\n", SL_PARSE_STREAM,
	  SL_EPARSE, 400, "Missing Content-Length" },
	{ "stream without blank line", RL_ HDRS_, SL_PARSE_STREAM,
	  SL_EPARSE, 400, "blank line" },
	{ "header without colon", RL_ HDRS_ "Bogus header\r\n\r\n", 0,
	  SL_EPARSE, 400, "header line" },
	{ "continuation first", RL_ " folded\r\n" HDRS_ "\r\n", 0,
	  SL_EPARSE, 400, "Continuation" },
	{ "control byte in value", RL_ HDRS_ "X-A: a\001b\r\n\r\n", 0,
	  SL_EPARSE, 400, "Control" },
	{ "bad Via", RL_
	  "Via: SIP/2.0/UDP\r\n"
	  "To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
	  "Call-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 400, "Via" },
	{ "unterminated display name", RL_
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "To: \"Bob <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
	  "Call-ID: c1\r\nCSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 400, "To" },
	{ "response with big code", "SIP/2.0 4294967301 better not\r\n" HDRS_
	  "\r\n", 0, SL_EPARSE, 0, "status" },
	{ "response without To", "SIP/2.0 200 OK\r\n"
	  "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
	  "From: <sip:a@example.com>;tag=1\r\nCall-ID: c1\r\n"
	  "CSeq: 1 OPTIONS\r\n\r\n", 0, SL_EPARSE, 0, "Missing To" },
	{ "empty", "\r\n\r\n", 0, SL_EPARSE, 0, "Empty" },
};

START_TEST(bad_messages_are_rejected_with_status)
{
	const struct bad_case *c = &bad_cases[_i];
	int rc = parse(&P, c->text, strlen(c->text), c->flags);

	ck_assert_msg(rc == c->code, "%s: rc %d (%s), want %d", c->name, rc,
		      P.err.reason, c->code);
	ck_assert_msg(P.err.status == c->status, "%s: status %d want %d",
		      c->name, P.err.status, c->status);
	ck_assert_msg(strstr(P.err.reason, c->reason_has) != NULL,
		      "%s: reason '%s' lacks '%s'", c->name, P.err.reason,
		      c->reason_has);
	ck_assert_uint_le(P.err.offset, strlen(c->text));
}
END_TEST

START_TEST(datagram_tolerances)
{
	static const char dbl[] = RL_ HDRS_ "Content-Length: 0\r\n\r\n"
		RL_ HDRS_ "Content-Length: 0\r\n\r\n";
	static const char nocl[] = "\r\n\r\n" RL_ HDRS_ "\r\nbody";
	static const char noblank[] = RL_ HDRS_;
	static const char lf_only[] =
		"OPTIONS sip:b@example.com SIP/2.0\n"
		"Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\n"
		"To: <sip:b@example.com>\nFrom: <sip:a@example.com>;tag=1\n"
		"Call-ID: c1\nCSeq: 1 OPTIONS\n\n";
	static const char noreason[] = "SIP/2.0 100 \r\n" HDRS_ "\r\n";

	/* Two requests in one datagram: the first one is the message. */
	ck_assert_int_eq(parse(&P, dbl, strlen(dbl), 0), 0);
	ck_assert_uint_eq(P.msg.len, strlen(dbl) / 2);
	/* Leading CRLFs are skipped; without Content-Length the body is the
	 * rest of the datagram. */
	ck_assert_int_eq(parse(&P, nocl, strlen(nocl), 0), 0);
	ck_assert(sl_slice_eq(P.msg.body, "body"));
	ck_assert_int_eq(P.msg.content_length, -1);
	ck_assert_int_eq(parse(&P, noblank, strlen(noblank), 0), 0);
	ck_assert_int_eq(parse(&P, lf_only, strlen(lf_only), 0), 0);
	ck_assert(sl_slice_eq(P.msg.call_id, "c1"));
	ck_assert_int_eq(parse(&P, noreason, strlen(noreason), 0), 0);
	ck_assert_int_eq(P.msg.status, 100);
	ck_assert_uint_eq(P.msg.reason.len, 0);
}
END_TEST

START_TEST(limits_are_enforced)
{
	struct sl_parse_limits lim;
	struct sl_parse_error err;
	static char big[70000];
	size_t n;

	sl_parse_limits_init(&lim);
	ck_assert_uint_eq(lim.max_msg_size, 65535);
	ck_assert_uint_eq(lim.max_headers, 256);
	lim.max_headers = 4;
	sl_arena_init(&P.arena, P.mem, sizeof(P.mem));
	ck_assert_int_eq(sl_msg_parse(&P.msg, invite, strlen(invite), &P.arena,
				      &lim, 0, &err), SL_ELIMIT);
	ck_assert_int_eq(err.status, 513);

	sl_parse_limits_init(&lim);
	lim.max_vias = 2;
	sl_arena_init(&P.arena, P.mem, sizeof(P.mem));
	ck_assert_int_eq(sl_msg_parse(&P.msg, invite, strlen(invite), &P.arena,
				      &lim, 0, &err), SL_ELIMIT);
	ck_assert_str_eq(err.reason, "Too Many Via Headers");

	sl_parse_limits_init(&lim);
	lim.max_line_len = 40;
	sl_arena_init(&P.arena, P.mem, sizeof(P.mem));
	ck_assert_int_eq(sl_msg_parse(&P.msg, invite, strlen(invite), &P.arena,
				      &lim, 0, &err), SL_ELIMIT);

	n = strlen(invite);
	memcpy(big, invite, n);
	memset(big + n, 'x', sizeof(big) - n);
	ck_assert_int_eq(parse(&P, big, sizeof(big), 0), SL_ETOOBIG);
	ck_assert_int_eq(P.err.status, 513);
	ck_assert_int_eq(sl_msg_parse(NULL, invite, n, &P.arena, NULL, 0, NULL),
			 SL_EINVAL);
}
END_TEST

START_TEST(arena_exhaustion_is_reported_not_overrun)
{
	_Alignas(max_align_t) unsigned char mem[4096 + 64];
	struct sl_arena a;
	struct sl_msg m;
	int ok = 0;

	for (size_t cap = 0; cap <= 4096; cap += 8) {
		int rc;

		memset(mem, 0xa5, sizeof(mem));
		sl_arena_init(&a, mem, cap);
		rc = sl_msg_parse(&m, invite, strlen(invite), &a, NULL, 0,
				  NULL);
		ck_assert_msg(rc == 0 || rc == SL_ENOMEM, "cap %zu rc %d",
			      cap, rc);
		ok += rc == 0;
		for (size_t i = cap; i < sizeof(mem); i++)
			if (mem[i] != 0xa5)
				ck_abort_msg("cap %zu: byte %zu written", cap,
					     i);
	}
	ck_assert_int_gt(ok, 0);
}
END_TEST

START_TEST(every_prefix_is_handled)
{
	/* A truncated datagram is either a shorter valid message or an
	 * error; never a read past what was given. */
	for (size_t n = 0; n <= strlen(invite); n++) {
		char *copy = malloc(n ? n : 1);
		int rc;

		memcpy(copy, invite, n);
		rc = parse(&P, copy, n, 0);
		ck_assert(rc == 0 || rc == SL_EPARSE || rc == SL_EUNSUPP);
		if (rc == 0)
			ck_assert_uint_le(P.msg.len, n);
		free(copy);
	}
}
END_TEST

START_TEST(request_checks)
{
	static const char *const sup[] = { "100rel", "timer" };
	struct sl_check_opts opts = { sup, 2 };
	struct sl_parse_error err;
	struct sl_slice tag;
	static const char mf0[] = RL_ HDRS_ "Max-Forwards: 0\r\n\r\n";
	static const char req[] = RL_ HDRS_ "Require: timer, foo\r\n\r\n";
	static const char ack[] =
		"ACK sip:b@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\n"
		"To: <sip:b@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\n"
		"Call-ID: c1\r\nCSeq: 1 ACK\r\nRequire: foo\r\n\r\n";
	static const char scheme[] =
		"OPTIONS http://example.com/ SIP/2.0\r\n" HDRS_ "\r\n";
	static const char expires[] = RL_ HDRS_
		"Expires: 1000000000000000000000000\r\n\r\n";
	static const char contact[] = RL_ HDRS_
		"Contact: <sip:a@b>;expires=280297596632815\r\n\r\n";

	ck_assert_int_eq(parse(&P, invite, strlen(invite), 0), 0);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), 0);
	ck_assert_int_eq(parse(&P, mf0, strlen(mf0), 0), 0);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), SL_ELIMIT);
	ck_assert_int_eq(err.status, 483);
	ck_assert_int_eq(parse(&P, req, strlen(req), 0), 0);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), SL_EUNSUPP);
	ck_assert_int_eq(err.status, 420);
	ck_assert_int_eq(sl_msg_first_unsupported(&P.msg, &opts, &tag), 1);
	ck_assert(sl_slice_eq(tag, "foo"));
	ck_assert_int_eq(parse(&P, ack, strlen(ack), 0), 0);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), 0);
	ck_assert_int_eq(parse(&P, scheme, strlen(scheme), 0), 0);
	ck_assert_int_eq(P.msg.ruri.scheme, SL_URI_OTHER);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), SL_EUNSUPP);
	ck_assert_int_eq(err.status, 416);
	ck_assert_int_eq(parse(&P, expires, strlen(expires), 0), 0);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), SL_EPARSE);
	ck_assert_int_eq(err.status, 400);
	ck_assert_str_eq(err.reason, "Bad Expires header");
	ck_assert_int_eq(parse(&P, contact, strlen(contact), 0), 0);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), SL_EPARSE);
	ck_assert_str_eq(err.reason, "Bad Contact header");
	ck_assert_int_eq(parse(&P, ok200, strlen(ok200), 0), 0);
	ck_assert_int_eq(sl_msg_check_request(&P.msg, &opts, &err), SL_EINVAL);
}
END_TEST

START_TEST(get_header_from_raw)
{
	char out[64];

	ck_assert_int_eq(sl_msg_get_header(invite, strlen(invite), "Subject",
					   out, sizeof(out)), 11);
	ck_assert_str_eq(out, "lunch today");
	ck_assert_int_eq(sl_msg_get_header(invite, strlen(invite), "CSeq",
					   out, sizeof(out)), 13);
	ck_assert_str_eq(out, "314159 INVITE");
	ck_assert_int_eq(sl_msg_get_header(invite, strlen(invite), "CSeq",
					   out, 5), SL_ENOSPC);
	ck_assert_int_eq(sl_msg_get_header(invite, strlen(invite), "Nope",
					   out, sizeof(out)), SL_ENOTFOUND);
	ck_assert_int_eq(sl_msg_get_header("junk", 4, "To", out, sizeof(out)),
			 SL_EPARSE);
}
END_TEST

START_TEST(header_and_method_tables)
{
	ck_assert_int_eq(sl__hdr_bucket_overflows(), 0);
	for (int id = 1; id < SL_HDR__COUNT; id++) {
		const char *n = sl_hdr_name((enum sl_hdr_id)id);
		char upper[64];
		size_t i;

		ck_assert_int_eq(sl_hdr_id_from_name(n, strlen(n)), id);
		for (i = 0; n[i] && i < sizeof(upper) - 1; i++)
			upper[i] = (char)((n[i] >= 'a' && n[i] <= 'z')
					  ? n[i] - 32 : n[i]);
		ck_assert_int_eq(sl_hdr_id_from_name(upper, i), id);
	}
	ck_assert_int_eq(sl_hdr_id_from_name("v", 1), SL_HDR_VIA);
	ck_assert_int_eq(sl_hdr_id_from_name("M", 1), SL_HDR_CONTACT);
	ck_assert_int_eq(sl_hdr_id_from_name("x", 1), SL_HDR_SESSION_EXPIRES);
	ck_assert_int_eq(sl_hdr_id_from_name("q", 1), SL_HDR_OTHER);
	ck_assert_int_eq(sl_hdr_id_from_name("Viaa", 4), SL_HDR_OTHER);
	ck_assert_str_eq(sl_hdr_name(SL_HDR_OTHER), "");
	ck_assert_str_eq(sl_hdr_name((enum sl_hdr_id)999), "");
	for (int mth = SL_METHOD_INVITE; mth < SL_METHOD_OTHER; mth++) {
		const char *n = sl_method_name((enum sl_method)mth);

		ck_assert_int_eq(sl_method_from_name(n, strlen(n)), mth);
	}
	ck_assert_int_eq(sl_method_from_name("invite", 6), SL_METHOD_OTHER);
	ck_assert_int_eq(sl_method_from_name("FOO", 3), SL_METHOD_OTHER);
}
END_TEST

static Suite *sip_msg_suite(void)
{
	Suite *s = suite_create("sip_msg");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, invite_fields);
	tcase_add_test(tc, headers_by_name_and_id);
	tcase_add_test(tc, response_and_list_split);
	tcase_add_loop_test(tc, bad_messages_are_rejected_with_status, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, datagram_tolerances);
	tcase_add_test(tc, limits_are_enforced);
	tcase_add_test(tc, arena_exhaustion_is_reported_not_overrun);
	tcase_add_test(tc, every_prefix_is_handled);
	tcase_add_test(tc, request_checks);
	tcase_add_test(tc, get_header_from_raw);
	tcase_add_test(tc, header_and_method_tables);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(sip_msg_suite)
