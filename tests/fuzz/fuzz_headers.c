/*
 * tests/fuzz/fuzz_headers.c: libFuzzer harness for the typed header
 * decoders of sipline/headers.h (lib/sip/params.c, via.c, auth_hdr.c,
 * hdr_misc.c).
 *
 * Input: the first byte picks the decoder (modulo the table size: 0 param
 * walk, 1 param find, 2 uint, 3 token, 4 Via, 5 auth, 6 CSeq + RAck,
 * 7 Event + Subscription-State, 8 Replaces, 9 Session-Expires, 10 Reason,
 * 11 Retry-After, 12 Timestamp, 13 media type); the rest is the header
 * value, passed in place so the sanitizers see any read past its end.
 * Beyond "no crash", the harness checks what every decoder promises: the
 * return code is 0 or SL_EPARSE, and on success every output slice lies
 * inside the value (zero-copy, bounded); parameter walks always advance and
 * end.
 */
#include <stddef.h>
#include <stdint.h>

#include "sipline/error.h"
#include "sipline/headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sl_slice in;

static void inside(struct sl_slice s)
{
	if (s.len && (s.p < in.p || s.p + s.len > in.p + in.len))
		__builtin_trap();
}

static void rc_ok(int rc)
{
	if (rc != 0 && rc != SL_EPARSE)
		__builtin_trap();
}

static void walk_params(struct sl_slice params)
{
	struct sl_slice n, v;
	int hv, rc;

	while ((rc = sl_param_next(&params, &n, &v, &hv)) == 1) {
		inside(n);
		inside(v);
		inside(params);
		if (n.len == 0 || (!hv && v.len))
			__builtin_trap();
	}
	if (rc != 0 && rc != SL_EPARSE)
		__builtin_trap();
}

static void run_param_next(void)
{
	struct sl_slice cur = in, n, v;
	size_t left = in.len;
	int rc;

	while ((rc = sl_param_next(&cur, &n, &v, NULL)) == 1) {
		inside(n);
		inside(v);
		inside(cur);
		/* each parameter consumes at least its name */
		if (cur.len >= left)
			__builtin_trap();
		left = cur.len;
	}
	rc_ok(rc);
}

static void run_param_find(void)
{
	struct sl_slice v;
	static const char *names[] = { "branch", "tag", "lr", "x" };

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (sl_param_find(in, names[i], &v) == 1)
			inside(v);
}

static void run_uint(void)
{
	uint32_t u;

	rc_ok(sl_uint_decode(in, UINT32_MAX, &u));
	if (sl_uint_decode(in, 255, &u) == 0 && u > 255)
		__builtin_trap();
}

static void run_token(void)
{
	struct sl_slice t;

	if (sl_token_decode(in, &t) == 0) {
		inside(t);
		if (t.len == 0)
			__builtin_trap();
	}
}

static void run_via(void)
{
	struct sl_via v;
	int rc = sl_via_decode(in, &v);

	rc_ok(rc);
	if (rc)
		return;
	inside(v.proto_name);
	inside(v.proto_version);
	inside(v.transport);
	inside(v.host);
	inside(v.params);
	inside(v.branch);
	inside(v.received);
	inside(v.maddr);
	if (v.host.len == 0 || v.ttl > 255 || v.rport > 65535)
		__builtin_trap();
	walk_params(v.params);
}

static void run_auth(void)
{
	struct sl_auth a;
	int rc = sl_auth_decode(in, &a);

	rc_ok(rc);
	if (rc)
		return;
	inside(a.scheme);
	inside(a.realm);
	inside(a.domain);
	inside(a.nonce);
	inside(a.opaque);
	inside(a.algorithm);
	inside(a.qop);
	inside(a.username);
	inside(a.uri);
	inside(a.response);
	inside(a.cnonce);
	inside(a.nc);
	inside(a.userhash);
	inside(a.charset);
	inside(a.params);
}

static void run_cseq(void)
{
	struct sl_cseq cs;
	struct sl_rack r;

	if (sl_cseq_decode(in, &cs) == 0) {
		inside(cs.method);
		if (cs.seq > 0x7fffffffu)
			__builtin_trap();
	}
	if (sl_rack_decode(in, &r) == 0) {
		inside(r.method);
		if (r.rseq == 0)
			__builtin_trap();
	}
}

static void run_event(void)
{
	struct sl_event_header e;
	struct sl_subscription_state s;

	if (sl_event_decode(in, &e) == 0) {
		inside(e.package);
		inside(e.id);
		inside(e.params);
	}
	if (sl_subscription_state_decode(in, &s) == 0) {
		inside(s.state);
		inside(s.reason);
		inside(s.params);
		if (s.expires < -1 || s.retry_after < -1)
			__builtin_trap();
	}
}

static void run_replaces(void)
{
	struct sl_replaces r;
	int rc = sl_replaces_decode(in, &r);

	rc_ok(rc);
	if (rc)
		return;
	inside(r.call_id);
	inside(r.to_tag);
	inside(r.from_tag);
	inside(r.params);
	if (r.to_tag.len == 0 || r.from_tag.len == 0)
		__builtin_trap();
}

static void run_session_expires(void)
{
	struct sl_session_expires s;

	if (sl_session_expires_decode(in, &s) == 0) {
		inside(s.refresher);
		inside(s.params);
	}
}

static void run_reason(void)
{
	struct sl_reason r;

	if (sl_reason_decode(in, &r) == 0) {
		inside(r.protocol);
		inside(r.text);
		inside(r.params);
		if (r.cause < -1)
			__builtin_trap();
	}
}

static void run_retry_after(void)
{
	struct sl_retry_after r;

	if (sl_retry_after_decode(in, &r) == 0) {
		inside(r.comment);
		inside(r.params);
	}
}

static void run_timestamp(void)
{
	struct sl_timestamp t;

	if (sl_timestamp_decode(in, &t) == 0) {
		inside(t.value);
		inside(t.delay);
		if (t.value.len == 0)
			__builtin_trap();
	}
}

static void run_media_type(void)
{
	struct sl_media_type m;

	if (sl_media_type_decode(in, &m) == 0) {
		inside(m.type);
		inside(m.subtype);
		inside(m.params);
	}
}

static void (*const runners[])(void) = {
	run_param_next, run_param_find, run_uint, run_token,
	run_via, run_auth, run_cseq, run_event,
	run_replaces, run_session_expires, run_reason, run_retry_after,
	run_timestamp, run_media_type,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	in.p = (const char *)data + 1;
	in.len = size - 1;
	runners[data[0] % (sizeof(runners) / sizeof(runners[0]))]();
	return 0;
}
