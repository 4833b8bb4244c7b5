/*
 * lib/sip/msg_int.h: internals shared by the message splitter, the framer
 * and the request checks (lib/sip/msg_*.c, framer.c). Not for other modules.
 *
 * Thread: pure; any thread.
 */
#ifndef SL_SIP_MSG_INT_H
#define SL_SIP_MSG_INT_H

#include "scan.h"
#include "sipline/msg.h"

/* Defaults of struct sl_parse_limits. */
enum {
	SL_MAX_MSG_SIZE_DEFAULT = 65535,
	SL_MAX_LINE_LEN_DEFAULT = 8192,
	SL_MAX_HEADERS_DEFAULT = 256,
	SL_MAX_VIAS_DEFAULT = 70  /* Max-Forwards 70: as many hops */
};

/* Bucket of a header name from its length and its first and last bytes,
 * which the splitter knows without another pass over the name. */
static inline unsigned sl__hdr_bucket(size_t len, unsigned char first,
				      unsigned char last)
{
	return ((unsigned)len * 7u + sl__lower(first) * 3u +
		sl__lower(last)) & 0xffu;
}

void sl__hdr_tables_init(void);
enum sl_hdr_id sl__hdr_lookup(const char *p, size_t len);
int sl__hdr_is_list(enum sl_hdr_id id);

/* Number of SL_HDR_LIST names the lookup table cannot find (tests: 0). */
int sl__hdr_bucket_overflows(void);

/* Limits with zero fields replaced by the defaults. */
void sl__limits_resolve(const struct sl_parse_limits *in,
			struct sl_parse_limits *out);

#endif /* SL_SIP_MSG_INT_H */
