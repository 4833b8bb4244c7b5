/*
 * include/sipline/message.h: requests outside any call - an instant
 * message (MESSAGE, RFC 3428) or a capability query (OPTIONS, RFC 3261
 * §11) sent to any SIP address, with the account's digest credentials.
 *
 * Each function returns at once with a request id (> 0, never reused
 * while the UA lives); the outcome comes later as one SL_EV_REQUEST_RESULT
 * event (sipline/event.h) carrying that id in @request_id:
 *  - @code: the final response's status (200 for a delivered MESSAGE,
 *    415 for a body type the peer refuses, 401/407 when the credentials
 *    were refused...), or 0 when no final response came (no answer within
 *    64*T1, the host could not be located or reached); @reason then says
 *    why ("timed out", "transport error"...);
 *  - @reason: the response's reason phrase;
 *  - @raw, @raw_len: the final response (NULL when @code is 0).
 * A 401/407 is answered once per new challenge with the same request and
 * credentials (CSeq one more, to the server that challenged), so it is
 * reported only when the credentials were refused or could not be made.
 * The request goes to the outbound proxy when the account has one, else
 * to @to_uri located with RFC 3263 (NAPTR, SRV, A/AAAA, with fail-over).
 *
 * Incoming MESSAGE requests arrive as SL_EV_MESSAGE (text/plain by
 * default; sl_ua_accept_mime() adds types); OPTIONS is answered by the UA
 * itself.
 *
 * Thread: any, including from inside an event callback (sipline/ua.h);
 * the result event comes on the UA's event path like every other event.
 */
#ifndef SIPLINE_MESSAGE_H
#define SIPLINE_MESSAGE_H

#include <stddef.h>

#include "sipline/ua.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
	SL_MESSAGE_BODY_MAX = 2048, /* bytes of a MESSAGE body (RFC 3428
				     * §8 advises 1300 without
				     * congestion control) */
	SL_REQUESTS_MAX = 8         /* requests of this header in flight
				     * at once, per UA */
};

/**
 * sl_ua_send_message() - sends a MESSAGE (RFC 3428) outside any call.
 * @ua:           the UA (an account must be set).
 * @to_uri:       the recipient: "bob" (a user at the account's domain),
 *                "bob@host", or a full sip:/sips: URI ("tel:" numbers
 *                become "sip:<number>@<domain>;user=phone"); it is both
 *                the Request-URI and the To header.
 * @content_type: the body's type, "type/subtype" with optional
 *                parameters (e.g. "text/plain;charset=UTF-8"); fewer
 *                than 96 bytes, no CR, LF or other control characters.
 * @body, @len:   the body, 1..SL_MESSAGE_BODY_MAX bytes of any value;
 *                copied before the function returns.
 * Return: the request id (> 0); SL_EINVAL for a NULL @ua, @to_uri,
 * @content_type or @body, an empty or overlong body, a bad content type
 * or a recipient that is not a usable SIP URI; SL_ESTATE without an
 * account or during sl_ua_destroy(); SL_ENOMEM when SL_REQUESTS_MAX
 * requests are already in flight; SL_ENOMEM / SL_EUNSUPP /
 * SL_ETRANSPORT when the request cannot be started (no send slot, a
 * transport the UA does not have).
 * Thread: any.
 * Result: SL_EV_REQUEST_RESULT with this id (see above).
 */
int sl_ua_send_message(struct sl_ua *ua, const char *to_uri,
		       const char *content_type, const void *body,
		       size_t len);

/**
 * sl_ua_send_options() - sends an OPTIONS (RFC 3261 §11) outside any call,
 * e.g. to learn whether a peer is reachable and what it supports (the
 * response's Allow, Accept and Supported headers are in the result's
 * @raw). It carries Accept: application/sdp and our Allow.
 * @ua:     the UA (an account must be set).
 * @to_uri: as for sl_ua_send_message().
 * Return: the request id (> 0); SL_EINVAL for a NULL @ua or @to_uri or a
 * recipient that is not a usable SIP URI; SL_ESTATE without an account
 * or during sl_ua_destroy(); SL_ENOMEM when SL_REQUESTS_MAX requests are
 * in flight; SL_EUNSUPP / SL_ETRANSPORT when it cannot be started.
 * Thread: any.
 * Result: SL_EV_REQUEST_RESULT with this id.
 */
int sl_ua_send_options(struct sl_ua *ua, const char *to_uri);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_MESSAGE_H */
