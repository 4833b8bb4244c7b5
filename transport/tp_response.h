/*
 * transport/tp_response.h: the Via facts of a response to a received
 * request (RFC 3261 §18.2.1, RFC 3581 §4), shared by the transport's own
 * stateless answers and the transaction layer's responses, so both write
 * "received" and "rport" the same way.
 *
 * Thread: the SIP loop thread (pure functions of their arguments).
 */
#ifndef SL_TP_RESPONSE_H
#define SL_TP_RESPONSE_H

#include "sipline/build.h"
#include "transport.h"

/**
 * sl__tp_build_response_via() - fixes the top Via of a response being
 * built to @rx's request: fills in a valueless "rport" with the source
 * port (RFC 3581 §4) and adds ";received=<source address>" when
 * rx->received_differs or the request asked for rport (§18.2.1, RFC 3581
 * §4; an existing received value is replaced). Any transport.
 * @b:  a builder on which sl_build_response(b, &rx->msg, ...) has just
 *      succeeded: the top Via is the line after the status line, as
 *      sipline/build.h documents. Call it before sl_build_finish(); other
 *      headers may already have been added.
 * @rx: the request the response answers.
 *
 * The Via line is edited in place in b->buf (later bytes move).
 * Return: 0 (also when nothing needed changing); SL_EINVAL for NULL or a
 * builder whose second line is not a Via; SL_EPARSE when that Via does not
 * decode; SL_ENOSPC when the buffer has no room (recorded in b->err, as a
 * builder error is); or b's earlier sticky error.
 */
int sl__tp_build_response_via(struct sl_builder *b, const struct sl_rxbuf *rx);

/**
 * sl__tp_build_response() - sl_build_response(b, &rx->msg, code, reason,
 * to_tag, flags) followed by sl__tp_build_response_via(b, rx): the start
 * of every response a UA sends to a received request. The caller adds its
 * headers and calls sl_build_finish().
 * Return: as the two functions.
 */
int sl__tp_build_response(struct sl_builder *b, const struct sl_rxbuf *rx,
			  int code, const char *reason, const char *to_tag,
			  unsigned flags);

/**
 * sl__tp_top_via() - the top Via of a received message, from the decoded
 * array, or decoded from the header table when the parse stopped before
 * the Vias were decoded (a request being rejected).
 * Return: 0 or SL_EPARSE (missing or undecodable).
 */
int sl__tp_top_via(const struct sl_msg *msg, struct sl_via *out);

/**
 * sl__tp_received_differs() - §18.2.1: 1 when the sent-by host of @via is
 * a name, or an address other than @src's.
 */
int sl__tp_received_differs(const struct sl_via *via,
			    const struct sl_addr *src);

#endif /* SL_TP_RESPONSE_H */
