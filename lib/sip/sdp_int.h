/*
 * lib/sip/sdp_int.h: helpers shared by the SDP files of lib/sip
 * (sdp_parse.c, sdp_util.c, sdp_write.c, sdp_build.c, sdp_offer_answer.c).
 * Nothing outside them includes it.
 *
 * Thread: pure; any thread.
 */
#ifndef SL_SIP_SDP_INT_H
#define SL_SIP_SDP_INT_H

#include <string.h>

#include "sipline/sdp.h"

/*
 * RFC 4566 §9 token-char: visible ASCII except the separators below. It is
 * wider than the SIP token of charset.h ('#', '$', '&', '^', '{', '|', '}'
 * are allowed), so it is its own test.
 */
static inline int sl__sdp_tokc(unsigned char c)
{
	if (c <= 0x20 || c >= 0x7f)
		return 0;
	return !(c == '"' || c == '(' || c == ')' || c == ',' || c == '/' ||
		 c == ':' || c == ';' || c == '<' || c == '=' || c == '>' ||
		 c == '?' || c == '@' || c == '[' || c == '\\' || c == ']');
}

/* 1 when the two slices hold the same bytes. */
static inline int sl__sdp_same(struct sl_slice a, struct sl_slice b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* A slice over a NUL-terminated string (empty for NULL). */
static inline struct sl_slice sl__sdp_str(const char *s)
{
	struct sl_slice r = { s, s ? strlen(s) : 0 };
	return r;
}

/*
 * Fills the session-level lines of a description we send from @s: o=, s=,
 * c= (IN IP4 or IN IP6 by the address), t=0 0. Resets @sdp first.
 * Returns 0 or SL_EINVAL (no address). In sdp_build.c.
 */
int sl__sdp_session(struct sl_sdp *sdp, const struct sl_sdp_session_cfg *s);

#endif /* SL_SIP_SDP_INT_H */
