/*
 * include/sipline/build.h: composing SIP requests and responses into a
 * caller's buffer (RFC 3261 §7, §8.1.1, §8.2.6, §12.1.1, §20).
 *
 * A struct sl_builder writes one message, in order: a start line
 * (sl_build_request_line(), sl_build_status_line() or sl_build_response()),
 * any number of header fields, then sl_build_finish() which adds
 * Content-Type, Content-Length, the blank line and the body. Nothing is
 * allocated: every byte goes into the buffer given to sl_build_init(), and
 * nothing is ever written at or past buf + cap.
 *
 * Errors are sticky. The first failing call records its code in
 * struct sl_builder.err; every later call does nothing and returns that
 * same code, and sl_build_finish() returns it too. So a caller may chain
 * the calls and look at one result at the end:
 *
 *	struct sl_builder b;
 *	sl_build_init(&b, buf, sizeof(buf));
 *	sl_build_request_line(&b, "OPTIONS", "sip:bob@example.com");
 *	sl_build_via(&b, "UDP", "192.0.2.1", 5060, "z9hG4bK776asdhds", 1);
 *	...
 *	n = sl_build_finish(&b, NULL, NULL, 0);   (n < 0: nothing to send)
 *
 * Header injection is impossible through this API: header names must be
 * RFC 3261 tokens, and no caller-supplied text may contain NUL, CR, LF or
 * another control character except HT (SL_EINVAL). Content-Length is always
 * written by sl_build_finish() and may not be added by hand.
 *
 * Thread: every function is reentrant; one builder is used by one thread at
 * a time. The builder and its buffer belong to the caller.
 */
#ifndef SIPLINE_BUILD_H
#define SIPLINE_BUILD_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/error.h"
#include "sipline/slice.h"
#include "sipline/msg.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct sl_builder - state of one message being written.
 * @buf:   the caller's buffer; the message starts at buf[0].
 * @cap:   its size in bytes.
 * @len:   bytes written so far (the message length after a successful
 *         sl_build_finish()).
 * @err:   0, or the first error (negative enum sl_err); sticky.
 * @state: internal: which part of the message comes next.
 * @flags: internal: what has been written (a Content-Type header...).
 *
 * Fields may be read at any time; only the sl_build_* functions write them.
 */
struct sl_builder {
	char *buf;
	size_t cap;
	size_t len;
	int err;
	unsigned state;
	unsigned flags;
};

/** Flags of sl_build_response(). */
enum sl_build_response_flags {
	/* Copy every Record-Route value of the request, in order: required
	 * in a response that creates a dialog (RFC 3261 §12.1.1), e.g. a
	 * 18x or 2xx to INVITE or a 2xx to SUBSCRIBE. */
	SL_BUILD_COPY_RECORD_ROUTE = 1u << 0
};

/**
 * sl_build_init() - starts a message in @buf.
 * @b:   the builder, overwritten.
 * @buf: where the message goes; may be NULL only when @cap is 0.
 * @cap: size of @buf in bytes.
 *
 * Return: 0; SL_EINVAL when @b is NULL, or when @buf is NULL with a
 * non-zero @cap (then also recorded in b->err).
 * Thread: any.
 */
int sl_build_init(struct sl_builder *b, char *buf, size_t cap);

/**
 * sl_build_request_line() - writes "METHOD Request-URI SIP/2.0".
 * @method: the method, an RFC 3261 token ("INVITE"; case is kept as given
 *          since methods are case-sensitive).
 * @uri:    the Request-URI: a scheme ("sip:") followed by characters other
 *          than SP, controls, '<', '>', '"' and non-ASCII bytes (which a
 *          URI must escape). Not otherwise parsed.
 *
 * Must be the first call after sl_build_init().
 * Return: 0; SL_EINVAL for NULL pointers or malformed @method/@uri;
 * SL_ESTATE when a start line was already written; SL_ENOSPC when the
 * buffer is full; or the earlier sticky error.
 * Thread: any.
 */
int sl_build_request_line(struct sl_builder *b, const char *method,
			  const char *uri);

/**
 * sl_build_request_line_slice() - sl_build_request_line() with slices, for
 * values taken from a parsed message (an ACK or CANCEL reuses the
 * Request-URI of the request it refers to, RFC 3261 §9.1, §17.1.1.3).
 * An empty slice may have p == NULL; a non-empty one may not.
 * Return and thread: as sl_build_request_line().
 */
int sl_build_request_line_slice(struct sl_builder *b, struct sl_slice method,
				struct sl_slice uri);

/**
 * sl_build_status_line() - writes "SIP/2.0 code reason".
 * @code:   100..699.
 * @reason: the reason phrase (UTF-8 text, SP and HT allowed, may be
 *          empty), or NULL for sl_status_phrase(@code).
 *
 * Must be the first call after sl_build_init().
 * Return: 0; SL_EINVAL for a code out of range or a reason containing a
 * control character; SL_ESTATE when a start line was already written;
 * SL_ENOSPC; or the earlier sticky error.
 * Thread: any.
 */
int sl_build_status_line(struct sl_builder *b, int code, const char *reason);

/**
 * sl_build_header() - writes "name: value".
 * @name:  the header name, a non-empty token (any header, long or compact
 *         form, written as given). Content-Length ("l") is refused: it is
 *         written by sl_build_finish().
 * @value: the value, written verbatim; may be empty. UTF-8 text, SP and HT
 *         are allowed; NUL, CR, LF and other controls are not.
 *
 * A Content-Type header ("c") written here is remembered, so that
 * sl_build_finish() neither adds a second one nor refuses a body without
 * its own content type.
 *
 * Return: 0; SL_EINVAL for NULL pointers, a name that is not a token or is
 * Content-Length, or a value with a control character; SL_ESTATE before the
 * start line or after sl_build_finish(); SL_ENOSPC; or the sticky error.
 * Thread: any.
 */
int sl_build_header(struct sl_builder *b, const char *name, const char *value);

/**
 * sl_build_header_slice() - sl_build_header() with slices. An empty slice
 * may have p == NULL; a non-empty one may not (SL_EINVAL).
 * Return and thread: as sl_build_header().
 */
int sl_build_header_slice(struct sl_builder *b, struct sl_slice name,
			  struct sl_slice value);

/**
 * sl_build_header_uint() - writes "name: <decimal value>" (Max-Forwards,
 * Expires, Min-Expires, RSeq...).
 * @name: as for sl_build_header().
 * Return and thread: as sl_build_header().
 */
int sl_build_header_uint(struct sl_builder *b, const char *name,
			 uint32_t value);

/**
 * sl_build_header_copy() - copies a header of a parsed message.
 * @h: a header from struct sl_msg.hdrs; its name is written as it was
 *     received, its value with every folded line break (CRLF, or a bare LF
 *     as sl_msg_parse() accepts, followed by SP/HT, with any white space
 *     around it) replaced by one SP, so the copy is on one line. Other
 *     bytes are copied verbatim: the parser has checked them, and a quoted
 *     string may hold escaped controls (RFC 4475 §3.1.1.9).
 *
 * The message @h came from must still be valid.
 * Return: 0; SL_EINVAL for NULL, a name that is not a token or is
 * Content-Length, or a value holding a CR or LF that is not folding or a
 * NUL without a '\' just before it (the test sl_msg_parse() applies to
 * control bytes); SL_ESTATE; SL_ENOSPC; or the sticky error.
 * Thread: any.
 */
int sl_build_header_copy(struct sl_builder *b, const struct sl_hdr *h);

/**
 * sl_build_via() - writes "Via: SIP/2.0/TRANSPORT host[:port];branch=B"
 * followed by ";rport" when asked (RFC 3261 §8.1.1.7, §18.1.1, RFC 3581).
 * @transport: "UDP", "TCP", "TLS", "WS"...: a token.
 * @host:      a host name, IPv4 address or IPv6 address (with or without
 *             brackets; brackets are added when missing).
 * @port:      0 to omit the port.
 * @branch:    the branch parameter, a non-empty token (the transaction
 *             layer makes it, with the "z9hG4bK" magic cookie).
 * @rport:     non-zero to add an empty rport parameter (RFC 3581 §3).
 *
 * Return: 0; SL_EINVAL for NULL pointers or a malformed transport, host or
 * branch; SL_ESTATE; SL_ENOSPC; or the sticky error.
 * Thread: any.
 */
int sl_build_via(struct sl_builder *b, const char *transport, const char *host,
		 uint16_t port, const char *branch, int rport);

/**
 * sl_build_name_addr_header() - writes a name-addr header: From, To,
 * Contact, Route, Record-Route, Refer-To... (RFC 3261 §20, §25.1):
 * "name: "display" <uri>;tag=TAG".
 * @name:    the header name (as for sl_build_header()).
 * @display: the display name, or NULL/"" for none. Always written as a
 *           quoted string, with '"' and '\' escaped as quoted-pairs; UTF-8
 *           allowed, controls other than HT are not.
 * @uri:     the URI, written inside '<' '>' (same characters as the
 *           Request-URI of sl_build_request_line()).
 * @tag:     the tag parameter, a token, or NULL/"" for none.
 *
 * Return: 0; SL_EINVAL for NULL @b/@name/@uri or malformed parts; SL_ESTATE;
 * SL_ENOSPC; or the sticky error.
 * Thread: any.
 */
int sl_build_name_addr_header(struct sl_builder *b, const char *name,
			      const char *display, const char *uri,
			      const char *tag);

/**
 * sl_build_name_addr_params() - as sl_build_name_addr_header(), with
 * header parameters instead of a tag, e.g. a Contact with
 * ";expires=3600;+sip.instance=\"<urn:uuid:...>\"".
 * @params: NULL/"" for none, else text starting with ';' written verbatim
 *          after '>' (UTF-8 text; no controls other than HT).
 * Return and thread: as sl_build_name_addr_header().
 */
int sl_build_name_addr_params(struct sl_builder *b, const char *name,
			      const char *display, const char *uri,
			      const char *params);

/**
 * sl_build_cseq() - writes "CSeq: seq METHOD" (RFC 3261 §8.1.1.5).
 * @seq:    below 2^31.
 * @method: a token.
 * Return: 0; SL_EINVAL for a bad @seq or @method; SL_ESTATE; SL_ENOSPC; or
 * the sticky error.
 * Thread: any.
 */
int sl_build_cseq(struct sl_builder *b, uint32_t seq, const char *method);

/**
 * sl_build_call_id() - writes "Call-ID: id" (RFC 3261 §8.1.1.4, §20.8).
 * @call_id: word [ "@" word ] as RFC 3261 §25.1 defines them.
 * Return: 0; SL_EINVAL for a malformed @call_id; SL_ESTATE; SL_ENOSPC; or
 * the sticky error.
 * Thread: any.
 */
int sl_build_call_id(struct sl_builder *b, const char *call_id);

/**
 * sl_build_finish() - ends the message: Content-Type (when a body is given
 * with @content_type), "Content-Length: N" (always, 0 without a body), the
 * blank line and the body.
 * @content_type: the body's media type ("application/sdp"), or NULL when
 *                there is no body or a Content-Type header was already
 *                written with sl_build_header().
 * @body:         the body, or NULL when @body_len is 0.
 * @body_len:     its length in bytes.
 *
 * RFC 3261 §20.15 requires a Content-Type with every non-empty body, so a
 * body without one (here or earlier) is refused, as is a second one.
 * When room is left after the message, a NUL is written after it (not
 * counted in the length) so the buffer can be logged as a string.
 *
 * Return: the message length (b->len) on success; SL_EINVAL for a body
 * without a content type, two content types, @body NULL with a non-zero
 * @body_len or a @content_type with a control character; SL_ESTATE before
 * the start line or when called twice; SL_ENOSPC when the buffer is too
 * small; SL_ETOOBIG when the length would not fit in an int; or the sticky
 * error of an earlier call.
 * Thread: any.
 */
int sl_build_finish(struct sl_builder *b, const char *content_type,
		    const void *body, size_t body_len);

/**
 * sl_build_response() - starts a response to a parsed request as RFC 3261
 * §8.2.6 requires: the status line, then copies of every Via (in order),
 * From, To, Call-ID and CSeq of the request, values verbatim except that
 * folded lines are joined (see sl_build_header_copy()).
 * @req:    the parsed request (must still be valid).
 * @code:   100..699.
 * @reason: the reason phrase, or NULL for sl_status_phrase(@code).
 * @to_tag: the UAS's tag, a token, or NULL/"". It is added to To as
 *          ";tag=" when the request's To has no tag and @code > 100. A UAS
 *          MUST tag every response but 100 that way (§8.2.6.2), so pass one
 *          unless the response is 100 Trying.
 * @flags:  enum sl_build_response_flags.
 *
 * A 100 Trying also copies the request's Timestamp header (§8.2.6.1).
 * Afterwards the caller adds any other headers (Contact, Allow,
 * WWW-Authenticate...) and must call sl_build_finish().
 *
 * Return: 0; SL_EINVAL for NULL pointers, a response or an ACK as @req
 * (ACK is never answered), a request without Via/From/To/Call-ID/CSeq, a
 * bad @code, @reason or @to_tag, or a copied value that
 * sl_build_header_copy() would refuse; SL_ESTATE when the builder already
 * holds a start line; SL_ENOSPC; or the sticky error.
 * Thread: any.
 */
int sl_build_response(struct sl_builder *b, const struct sl_msg *req,
		      int code, const char *reason, const char *to_tag,
		      unsigned flags);

/**
 * sl_status_phrase() - the standard reason phrase of a status code: every
 * code of RFC 3261 §21 and of the extensions in the IANA registry that a
 * UA meets (199, 202, 204, 412, 417, 422, 428, 429, 430, 433, 439, 440,
 * 469, 470, 489, 494, 580, 607, 608).
 * @code: any int.
 *
 * Return: a static, plain-ASCII string; never NULL. A code not in the table
 * gets the name of its class as RFC 3261 §21 titles it ("Provisional",
 * "Successful", "Redirection", "Request Failure", "Server Failure",
 * "Global Failure"), a code outside 100..699 gets "Unknown".
 * Thread: any.
 */
const char *sl_status_phrase(int code);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_BUILD_H */
