/*
 * tests/fuzz/fuzz_msg.c: libFuzzer target for the message splitter, the
 * request checks and, through the header table, every typed decoder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sipline/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_all(const struct sl_msg *m)
{
	for (unsigned i = 0; i < m->n_hdrs; i++) {
		struct sl_slice v = m->hdrs[i].value;
		union {
			struct sl_contact c;
			struct sl_name_addr na;
			struct sl_auth a;
			struct sl_event_header e;
			struct sl_subscription_state ss;
			struct sl_replaces r;
			struct sl_rack ra;
			struct sl_session_expires se;
			struct sl_reason re;
			struct sl_retry_after rt;
			struct sl_timestamp ts;
			struct sl_media_type mt;
			struct sl_slice tok;
		} u;
		uint32_t n;

		switch (m->hdrs[i].id) {
		case SL_HDR_CONTACT:
			(void)sl_contact_decode(v, &u.c);
			break;
		case SL_HDR_ROUTE:
		case SL_HDR_RECORD_ROUTE:
		case SL_HDR_REFER_TO:
		case SL_HDR_REFERRED_BY:
		case SL_HDR_P_ASSERTED_IDENTITY:
			if (sl_name_addr_decode(v, &u.na) == 0) {
				struct sl_slice h;

				if (sl_uri_header(&u.na.uri, "Replaces", &h)) {
					char buf[256];
					int len = sl_uri_unescape(h, buf,
								  sizeof(buf));
					struct sl_replaces r;

					if (len > 0)
						(void)sl_replaces_decode(
							(struct sl_slice){
								buf,
								(size_t)len },
							&r);
				}
			}
			break;
		case SL_HDR_WWW_AUTHENTICATE:
		case SL_HDR_AUTHORIZATION:
		case SL_HDR_PROXY_AUTHENTICATE:
		case SL_HDR_PROXY_AUTHORIZATION:
			(void)sl_auth_decode(v, &u.a);
			break;
		case SL_HDR_EVENT:
			(void)sl_event_decode(v, &u.e);
			break;
		case SL_HDR_SUBSCRIPTION_STATE:
			(void)sl_subscription_state_decode(v, &u.ss);
			break;
		case SL_HDR_REPLACES:
			(void)sl_replaces_decode(v, &u.r);
			break;
		case SL_HDR_RACK:
			(void)sl_rack_decode(v, &u.ra);
			break;
		case SL_HDR_SESSION_EXPIRES:
			(void)sl_session_expires_decode(v, &u.se);
			break;
		case SL_HDR_REASON:
			(void)sl_reason_decode(v, &u.re);
			break;
		case SL_HDR_RETRY_AFTER:
			(void)sl_retry_after_decode(v, &u.rt);
			break;
		case SL_HDR_TIMESTAMP:
			(void)sl_timestamp_decode(v, &u.ts);
			break;
		case SL_HDR_CONTENT_TYPE:
		case SL_HDR_ACCEPT:
			(void)sl_media_type_decode(v, &u.mt);
			break;
		case SL_HDR_DATE: {
			int64_t t;

			(void)sl_date_decode(v, &t);
			break;
		}
		case SL_HDR_EXPIRES:
		case SL_HDR_MIN_EXPIRES:
		case SL_HDR_RSEQ:
		case SL_HDR_MIN_SE:
			(void)sl_uint_decode(v, 0xffffffffu, &n);
			break;
		default:
			(void)sl_token_decode(v, &u.tok);
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(max_align_t) unsigned char mem[32768];
	static const char *const sup[] = { "100rel", "timer", "replaces" };
	struct sl_check_opts opts = { sup, 3 };
	const char *text = (const char *)data;
	struct sl_parse_error err;
	struct sl_arena arena;
	struct sl_msg m;
	char out[128];

	for (unsigned flags = 0; flags <= SL_PARSE_STREAM; flags++) {
		sl_arena_init(&arena, mem, sizeof(mem));
		if (sl_msg_parse(&m, text, size, &arena, NULL, flags, &err)) {
			if (!err.reason || err.offset > size)
				abort();
			continue;
		}
		if (m.len > size || m.buf < text ||
		    m.buf + m.len > text + size)
			abort();
		decode_all(&m);
		if (m.is_request)
			(void)sl_msg_check_request(&m, &opts, &err);
		(void)sl_msg_find(&m, "X-Unknown", NULL);
	}
	(void)sl_msg_get_header(text, size, "Subject", out, sizeof(out));
	return 0;
}
