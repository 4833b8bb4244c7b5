/*
 * tests/unit/check_sip_torture.c: the RFC 4475 and RFC 5118 torture
 * messages through sl_msg_parse() and sl_msg_check_request() (lib/sip).
 *
 * Each file of tests/data/torture/ is read into a buffer of exactly its size
 * (so ASan sees any read past the message), parsed the way a UA receiving it
 * would, and compared with its vector in vectors/torture.h: the stage that
 * refuses it and the status the UA would answer, or, for an accepted
 * message, the fields every layer relies on. A failure names the file and
 * the RFC section. Tests run from the repository root.
 */
#include <check.h>
#include <dirent.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sipline/error.h"
#include "sipline/headers.h"
#include "sipline/msg.h"
#include "vectors/torture.h"

static const char *const supported[] = TORTURE_SUPPORTED;

static const struct sl_check_opts check_opts = {
	.supported = supported,
	.n_supported = sizeof(supported) / sizeof(supported[0]),
};

/* Arena and view of the message under test; one per forked test. */
static struct {
	alignas(max_align_t) unsigned char mem[65536];
	struct sl_arena arena;
	struct sl_msg msg;
	struct sl_parse_error err;
} T;

/* Reads a torture file into a malloc'd buffer of exactly its size. */
static char *read_file(const char *name, size_t *len)
{
	char path[256];
	FILE *f;
	long size;
	char *buf;

	snprintf(path, sizeof(path), "%s%s", TORTURE_DIR, name);
	f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "%s: cannot open (run from the repo root)",
		      path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	ck_assert_int_gt(size, 0);
	ck_assert_int_eq(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)size);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return buf;
}

static int slice_is(struct sl_slice s, const char *want)
{
	size_t n = strlen(want);

	return s.len == n && (n == 0 || memcmp(s.p, want, n) == 0);
}

/* Asserts a slice's bytes, printing both sides on failure. */
#define CHECK_SLICE(v, what, s, want)                                       \
	ck_assert_msg(slice_is((s), (want)),                               \
		      "%s (%s): %s is '%.*s', want '%s'", (v)->file,       \
		      (v)->section, (what), (int)(s).len,                  \
		      (s).p ? (s).p : "", (want))

#define CHECK_INT(v, what, got, want)                                       \
	ck_assert_msg((long long)(got) == (long long)(want),               \
		      "%s (%s): %s is %lld, want %lld", (v)->file,         \
		      (v)->section, (what), (long long)(got),              \
		      (long long)(want))

static int count_values(const struct sl_msg *m, const char *name)
{
	struct sl_slice val;
	int n = 0;
	int i = sl_msg_find(m, name, &val);

	while (i >= 0 && n <= (int)m->n_hdrs) {
		n++;
		i = sl_msg_find_next(m, i, &val);
	}
	return n;
}

static void check_optional(const struct torture_vector *v,
			   const struct sl_msg *m)
{
	struct sl_slice val;

	if (v->ruri_host) {
		CHECK_SLICE(v, "Request-URI host", m->ruri.host, v->ruri_host);
		CHECK_INT(v, "Request-URI port", m->ruri.port, v->ruri_port);
	}
	if (v->via_host)
		CHECK_SLICE(v, "top Via host", m->vias[0].host, v->via_host);
	if (v->hdr_name) {
		ck_assert_msg(sl_msg_find(m, v->hdr_name, &val) >= 0,
			      "%s (%s): no header '%s'", v->file, v->section,
			      v->hdr_name);
		CHECK_SLICE(v, v->hdr_name, val, v->hdr_value);
	}
	if (v->n_contacts > 0)
		CHECK_INT(v, "Contact values", count_values(m, "Contact"),
			  v->n_contacts);
	if (v->contact != 0) {
		struct sl_contact c;
		int rc;

		ck_assert_msg(sl_msg_find(m, "Contact", &val) >= 0,
			      "%s (%s): no Contact", v->file, v->section);
		rc = sl_contact_decode(val, &c);
		ck_assert_msg(v->contact > 0 ? rc == 0 : rc < 0,
			      "%s (%s): sl_contact_decode('%.*s') = %d, "
			      "want %s", v->file, v->section, (int)val.len,
			      val.p, rc, v->contact > 0 ? "0" : "an error");
	}
}

static void check_accepted(const struct torture_vector *v,
			   const struct sl_msg *m, const char *buf,
			   size_t len)
{
	size_t want_len = v->msg_len ? v->msg_len : len;

	/* A vector marked T_ACCEPT must say what to expect. */
	ck_assert_msg(v->call_id && v->cseq_method && v->branch &&
		      v->from_tag && v->to_tag && v->n_vias > 0,
		      "%s: incomplete vector", v->file);

	ck_assert_ptr_eq(m->buf, buf);
	CHECK_INT(v, "message length", m->len, want_len);
	CHECK_INT(v, "is_request", m->is_request, v->is_request);
	CHECK_INT(v, "method id", m->method, v->method_id);
	if (v->is_request)
		CHECK_SLICE(v, "method", m->method_name, v->method);
	else
		CHECK_INT(v, "status code", m->status, v->code);
	CHECK_SLICE(v, "version", m->version, "SIP/2.0");
	CHECK_SLICE(v, "Call-ID", m->call_id, v->call_id);
	CHECK_INT(v, "CSeq number", m->cseq.seq, v->cseq);
	CHECK_SLICE(v, "CSeq method", m->cseq.method, v->cseq_method);
	CHECK_INT(v, "Via count", m->n_vias, v->n_vias);
	ck_assert_ptr_nonnull(m->vias);
	CHECK_SLICE(v, "top Via branch", m->vias[0].branch, v->branch);
	CHECK_SLICE(v, "From tag", m->from.tag, v->from_tag);
	CHECK_SLICE(v, "To tag", m->to.tag, v->to_tag);
	CHECK_INT(v, "Content-Length", m->content_length, v->content_length);
	CHECK_INT(v, "Max-Forwards", m->max_forwards, v->max_forwards);
	CHECK_INT(v, "body length", m->body.len, v->body_len);
	if (m->body.len > 0)
		ck_assert_msg(m->body.p == buf + m->len - m->body.len,
			      "%s (%s): body is not the message's last %zu "
			      "bytes", v->file, v->section, m->body.len);
	check_optional(v, m);
}

START_TEST(torture_vector_behaves)
{
	const struct torture_vector *v = &torture_vectors[_i];
	size_t len;
	char *buf = read_file(v->file, &len);
	int rc;

	CHECK_INT(v, "file size", len, v->file_size);
	sl_arena_init(&T.arena, T.mem, sizeof(T.mem));
	memset(&T.err, 0, sizeof(T.err));
	rc = sl_msg_parse(&T.msg, buf, len, &T.arena, NULL, v->flags, &T.err);

	if (v->verdict == T_REJECT_PARSE) {
		ck_assert_msg(rc < 0, "%s (%s): parsed, want rejected with "
			      "%d", v->file, v->section, v->status);
		ck_assert_msg(T.err.status == v->status,
			      "%s (%s): rejected with status %d (%s at %zu, "
			      "%s), want %d", v->file, v->section,
			      T.err.status, T.err.reason ? T.err.reason : "?",
			      T.err.offset, sl_err_name(rc), v->status);
		CHECK_INT(v, "error code", T.err.code, rc);
		ck_assert_msg(T.err.reason && T.err.reason[0],
			      "%s (%s): no reason phrase", v->file,
			      v->section);
		ck_assert_msg(T.err.offset <= len, "%s (%s): offset %zu past "
			      "the end", v->file, v->section, T.err.offset);
		free(buf);
		return;
	}

	ck_assert_msg(rc == 0, "%s (%s): rejected by the parser: status %d "
		      "(%s at offset %zu, %s), want accepted", v->file,
		      v->section, T.err.status,
		      T.err.reason ? T.err.reason : "?", T.err.offset,
		      sl_err_name(rc));
	if (T.msg.is_request) {
		memset(&T.err, 0, sizeof(T.err));
		rc = sl_msg_check_request(&T.msg, &check_opts, &T.err);
	}

	if (v->verdict == T_REJECT_CHECK) {
		struct sl_slice tag;

		ck_assert_msg(T.msg.is_request, "%s: not a request", v->file);
		ck_assert_msg(rc < 0, "%s (%s): passed the request checks, "
			      "want %d", v->file, v->section, v->status);
		CHECK_INT(v, "check status", T.err.status, v->status);
		ck_assert_msg(T.err.reason && T.err.reason[0],
			      "%s (%s): no reason phrase", v->file,
			      v->section);
		if (v->unsupported) {
			ck_assert_int_eq(sl_msg_first_unsupported(&T.msg,
								  &check_opts,
								  &tag), 1);
			CHECK_SLICE(v, "unsupported tag", tag,
				    v->unsupported);
		}
		free(buf);
		return;
	}

	ck_assert_msg(rc == 0, "%s (%s): refused by the request checks: "
		      "status %d (%s), want accepted", v->file, v->section,
		      T.err.status, T.err.reason ? T.err.reason : "?");
	check_accepted(v, &T.msg, buf, len);
	free(buf);
}
END_TEST

/* Every message file has an expectation, so none is silently skipped. */
START_TEST(every_file_has_a_vector)
{
	DIR *d = opendir(TORTURE_DIR);
	struct dirent *e;
	int files = 0;

	ck_assert_msg(d != NULL, "cannot open %s (run from the repo root)",
		      TORTURE_DIR);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		int found = 0;

		if (n < 5 || strcmp(e->d_name + n - 4, ".sip") != 0)
			continue;
		files++;
		for (int i = 0; i < n_torture_vectors && !found; i++)
			found = strcmp(torture_vectors[i].file, e->d_name) == 0;
		ck_assert_msg(found, "%s%s has no vector in torture.h",
			      TORTURE_DIR, e->d_name);
	}
	closedir(d);
	/* RFC 4475 has 49 messages, RFC 5118 has 12. */
	ck_assert_int_eq(files, 61);
}
END_TEST

/* Parsing is a pure function of the bytes: a second pass gives the same. */
START_TEST(parse_twice_same_view)
{
	const struct torture_vector *v = &torture_vectors[_i];
	static alignas(max_align_t) unsigned char mem2[65536];
	struct sl_arena a2;
	struct sl_msg m2;
	struct sl_parse_error e2;
	size_t len;
	char *buf = read_file(v->file, &len);
	int rc1, rc2;

	sl_arena_init(&T.arena, T.mem, sizeof(T.mem));
	sl_arena_init(&a2, mem2, sizeof(mem2));
	memset(&T.err, 0, sizeof(T.err));
	memset(&e2, 0, sizeof(e2));
	rc1 = sl_msg_parse(&T.msg, buf, len, &T.arena, NULL, v->flags,
			   &T.err);
	rc2 = sl_msg_parse(&m2, buf, len, &a2, NULL, v->flags, &e2);
	CHECK_INT(v, "second result", rc2, rc1);
	if (rc1 < 0) {
		CHECK_INT(v, "second status", e2.status, T.err.status);
		CHECK_INT(v, "second offset", e2.offset, T.err.offset);
	} else {
		CHECK_INT(v, "second length", m2.len, T.msg.len);
		CHECK_INT(v, "second header count", m2.n_hdrs, T.msg.n_hdrs);
		CHECK_INT(v, "second Via count", m2.n_vias, T.msg.n_vias);
		ck_assert(m2.call_id.p == T.msg.call_id.p);
		ck_assert(m2.body.p == T.msg.body.p);
	}
	free(buf);
}
END_TEST

Suite *check_sip_torture_suite(void);

Suite *check_sip_torture_suite(void)
{
	Suite *s = suite_create("sip_torture");
	TCase *tc = tcase_create("rfc4475_rfc5118");

	tcase_add_loop_test(tc, torture_vector_behaves, 0, n_torture_vectors);
	tcase_add_loop_test(tc, parse_twice_same_view, 0, n_torture_vectors);
	tcase_add_test(tc, every_file_has_a_vector);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_sip_torture_suite)
