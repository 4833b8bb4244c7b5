/*
 * lib/txn/route.h: sending a request to a SIP or SIPS URI - RFC 3263 §4
 * server location tied to RFC 3261 §17 client transactions, with the
 * RFC 3263 §4.3 fail-over from one located target to the next.
 *
 * The caller names the next hop (RFC 3261 §8.1.2: the outbound proxy, the
 * first Route, or the Request-URI) and gives a build callback. The router
 * locates the hop asynchronously (transport/locate.h: NAPTR, SRV, A/AAAA;
 * numeric hosts and explicit ports skip the steps the RFC skips), then for
 * each target in turn asks the callback for the request's bytes - every
 * attempt is a new transaction, so it needs a new Via (transport, sent-by)
 * and a new branch - and starts a client transaction with
 * sl__txn_request(). The send moves to the next target when the current
 * one fails with a transport error, a Timer B/F timeout, or a 503 (Service
 * Unavailable) response, and reports the outcome once: the final response
 * (with the target that gave it), or the last error when no target is
 * left.
 *
 * Ownership: the router owns a pool of send slots and one scratch buffer,
 * allocated by sl__router_create(); nothing is allocated afterwards. A send
 * holds one locator request (the target list and its cursor) while it
 * runs. When it ends with a final response, the transaction is handed to
 * the caller (see struct sl_route_req @user).
 *
 * Wiring: the transaction layer has one set of TU callbacks. The caller's
 * TU callbacks pass each client-transaction event to the
 * sl__route_on_*() hooks first; a hook returns 1 when the event belonged
 * to the router (consumed), 0 when it is the caller's own.
 *
 * Callbacks run on the loop thread, from inside a hook, a locator callback
 * or a loop timer - never inside sl__route_send(). Every function here may
 * be called from inside them.
 *
 * Thread: the SIP loop thread only (or before the loop runs).
 */
#ifndef SL_TXN_ROUTE_H
#define SL_TXN_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/uri.h"
#include "transport/locate.h"
#include "transport/transport.h"
#include "txn.h"

struct sl_loop;
struct sl_router;

enum {
	SL_ROUTE_NAME_MAX = 256,      /* a DNS name as text, with its NUL */
	SL_ROUTE_SENDS_DEFAULT = 16,
	SL_ROUTE_SENDS_MAX = 4096
};

/**
 * struct sl_route_target - one place a request went, self-contained (copy
 * it by value to keep it, e.g. for a dialog's later requests).
 * @tp:       the transport.
 * @addr:     the peer's address and port.
 * @flow:     the connection used (TCP/TLS), once the first send opened or
 *            found one; 0 for UDP or before.
 * @name:     the SRV target or host that was looked up (the address text
 *            for a numeric host), for logs.
 * @tls_name: the name a TLS server's certificate must carry: the URI's
 *            host (RFC 5922 §4). Always filled; used for TLS only.
 */
struct sl_route_target {
	enum sl_tp tp;
	struct sl_addr addr;
	uint32_t flow;
	char name[SL_ROUTE_NAME_MAX];
	char tls_name[SL_ROUTE_NAME_MAX];
};

/**
 * sl__route_target_dest() - the transport destination of @t: its transport,
 * address and flow, and for TLS its tls_name (a pointer into @t, so @t
 * must outlive the use of @out; NULL for UDP and TCP).
 * Return: 0; SL_EINVAL for NULL.
 */
int sl__route_target_dest(const struct sl_route_target *t,
			  struct sl_tp_dest *out);

/**
 * struct sl_route_build - what the build callback writes a request for.
 * @target:  where this attempt goes (its @tp names the Via transport).
 * @local:   our address for the Via sent-by: sl__tpmgr_local_for() for the
 *           target's transport and address family; for TCP/TLS without
 *           such a listener, our end of the connection the router opened
 *           (sl__tp_connect(); @target's flow names it); NULL when the
 *           router has no transport manager or a UDP target has no
 *           socket (the callback then picks another address or fails).
 * @branch:  a new branch from sl__txn_branch(), NUL-terminated.
 * @attempt: 1 for the first target, 2 for the second...
 */
struct sl_route_build {
	const struct sl_route_target *target;
	const struct sl_addr *local;
	const char *branch;
	unsigned attempt;
};

/**
 * sl_route_build_cb - writes the complete request for one attempt into
 * @buf (@cap bytes: the router's msg_buf_size) with @b->branch in its top
 * Via. Called once per target tried, on the loop thread.
 * Return: the request's length (1..@cap); a negative enum sl_err ends the
 * send with that error (reported through the send's callback). It must
 * not cancel its own send.
 */
typedef int (*sl_route_build_cb)(void *arg, uint32_t id,
				 const struct sl_route_build *b, char *buf,
				 size_t cap);

enum sl_route_ev_type {
	SL_ROUTE_EV_RESPONSE = 0,   /* a provisional or final response */
	SL_ROUTE_EV_FAILED          /* the send ended without a response */
};

/**
 * struct sl_route_event - what a send's callback reports.
 * @type:    see enum sl_route_ev_type.
 * @final:   1 when this is the send's last event (a final response, or any
 *           failure): the send's id is dead when the callback runs, and
 *           its slot is back in the pool.
 * @rx:      RESPONSE: the response (valid during the call; take a
 *           reference with sl__rxbuf_ref() to keep it). NULL for FAILED.
 * @txn:     RESPONSE: the client transaction that got it. After a final
 *           response it belongs to the caller (struct sl_route_req
 *           @user). 0 for FAILED. Its destination (sl__txn_info()) keeps
 *           a TLS name pointing into the router's slot, which a later
 *           send may overwrite: build the caller's own requests (ACK for
 *           a 2xx, CANCEL, in-dialog) on a copy of @target with
 *           sl__route_target_dest().
 * @err:     FAILED: why the last target failed or nothing was tried:
 *           SL_ETIMEOUT (Timer B or F: @timer says which), SL_ETRANSPORT
 *           (or another error the transport or transaction layer gave),
 *           a locator error (SL_ENOTFOUND, SL_ETIMEOUT, SL_ETRANSPORT,
 *           SL_EFAIL, SL_ENOMEM: then @attempt is 0), the build
 *           callback's error, or sl__txn_request()'s (SL_ENOMEM when the
 *           transaction pool is full, SL_EINVAL for bytes it refuses).
 *           0 for RESPONSE.
 * @timer:   'B' or 'F' when the last failure was a timeout, else 0.
 * @target:  the target that answered (RESPONSE) or was tried last
 *           (FAILED; NULL when none was): valid during the call.
 * @attempt: how many targets were tried so far (1 for the first).
 */
struct sl_route_event {
	enum sl_route_ev_type type;
	int final;
	struct sl_rxbuf *rx;
	uint32_t txn;
	int err;
	char timer;
	const struct sl_route_target *target;
	unsigned attempt;
};

/** sl_route_cb - a send's events, on the loop thread. */
typedef void (*sl_route_cb)(void *arg, uint32_t id,
			    const struct sl_route_event *ev);

/**
 * struct sl_route_req - one request to send.
 * @uri:   the next hop (sip: or sips:); its host, port, maddr and
 *         transport parameters are used (sl__locate_query_from_uri()).
 *         The URI's text need only live during sl__route_send().
 * @pin:   instead of @uri: send to this target only (no DNS, no
 *         fail-over), over its flow when that is still open - for
 *         requests that must follow an earlier one (a dialog's requests
 *         over its flow, RFC 5626 §5). Copied.
 * @build: writes each attempt's bytes (required).
 * @cb:    gets the send's events (required).
 * @arg:   passed to @build and @cb.
 * @user:  the user pointer the transaction gets once the send hands it
 *         over (after a final response, or sl__route_cancel() with a
 *         @txn out-parameter): later events of that transaction (2xx
 *         retransmissions in the Accepted state, RFC 6026 §8.4, transport
 *         errors, terminated) reach the caller's own TU callbacks with it,
 *         and the hooks return 0 for them.
 */
struct sl_route_req {
	const struct sl_uri *uri;
	const struct sl_route_target *pin;
	sl_route_build_cb build;
	sl_route_cb cb;
	void *arg;
	void *user;
};

/**
 * struct sl_router_config - fill with sl__router_config_init().
 * @max_sends:    sends in progress at once (1..SL_ROUTE_SENDS_MAX);
 *                SL_ROUTE_SENDS_DEFAULT. Each holds a locator request,
 *                so the locator's max_requests should be at least this.
 * @msg_buf_size: the scratch buffer the build callback writes into
 *                (SL_TXN_MSG_BUF_MIN or more); SL_TXN_MSG_BUF_DEFAULT.
 *                Keep it at most the layer's msg_buf_size.
 */
struct sl_router_config {
	uint32_t max_sends;
	size_t msg_buf_size;
};

void sl__router_config_init(struct sl_router_config *cfg);

/**
 * sl__router_create() - a router over @txn.
 * @loop: the SIP loop (a pinned send arms one timer on its heap).
 * @txn:  the transaction layer requests go through.
 * @lc:   the locator; NULL when only pinned sends will be made.
 * @tp:   the transport manager that gives local addresses for the Via
 *        (sl__tpmgr_local_for()); NULL: the build callback gets none.
 * @cfg:  NULL for the defaults; copied.
 * Return: 0 and *@out; SL_EINVAL for a NULL @out, @loop or @txn, or a
 * size out of range; SL_ENOMEM.
 */
int sl__router_create(struct sl_router **out, struct sl_loop *loop,
		      struct sl_txn_layer *txn, struct sl_locator *lc,
		      struct sl_tpmgr *tp, const struct sl_router_config *cfg);

/**
 * sl__router_destroy() - releases every send's locator request and frees
 * the router. No callback is made and the transaction layer is not
 * touched: destroy the layer first (that makes no callback either), since
 * its transactions may still name the router's slots as their user, and
 * destroy the locator after the router. NULL is ignored. Not from inside
 * one of the router's callbacks.
 */
void sl__router_destroy(struct sl_router *r);

/**
 * sl__route_send() - starts sending a request.
 * @req: what and where; see struct sl_route_req.
 * @id:  set to the send's id (> 0; not reused soon) on success.
 *
 * Locating (or, for @pin, the first attempt) runs from the loop, so every
 * outcome arrives through req->cb, never inside this call: RESPONSE
 * events for each provisional response of the target being tried, then
 * one final event - a final response, or FAILED.
 *
 * Fail-over (RFC 3263 §4.3): the next target is tried when the current one
 * gives a transport error (the first send, a retransmission, a connection
 * that failed or closed), a Timer B/F timeout, or a 503 response - unless
 * it was the last target, when the 503 is delivered as the final response.
 * A target that has already sent a 101-199 response (which may have made
 * an early dialog at the caller) is kept: its 503 is delivered and its
 * errors end the send. Other final responses are delivered as they come.
 *
 * Return: 0; SL_EINVAL for NULL pointers, a NULL build or cb, neither or
 * both of uri and pin; SL_EUNSUPP for a URI the locator cannot use (not
 * sip:/sips:, an unknown transport, a name without a resolver, no
 * locator); SL_ENOMEM when every send slot is in use, the locator has no
 * free request or the loop's timer heap is full; the locator's other
 * errors (SL_EINVAL for a host DNS cannot carry, SL_ETRANSPORT).
 */
int sl__route_send(struct sl_router *r, const struct sl_route_req *req,
		   uint32_t *id);

/**
 * sl__route_cancel() - ends send @id at once; its callback is not called
 * again.
 * @txn: NULL: the transaction in progress, if any, is aborted
 *       (sl__txn_abort(): no more callbacks, later responses are strays).
 *       Non-NULL: it is handed over to the caller instead - its user
 *       pointer becomes the send's @user - and its id stored here (0 when
 *       none was in progress), e.g. to CANCEL an INVITE (RFC 3261 §9.1).
 * Return: 0; SL_EINVAL for NULL @r; SL_ENOTFOUND for an unknown or ended
 * send.
 */
int sl__route_cancel(struct sl_router *r, uint32_t id, uint32_t *txn);

/**
 * sl__route_target() - the target send @id is trying now (copied).
 * Return: 0; SL_EINVAL for NULL; SL_ENOTFOUND for an unknown or ended
 * send; SL_ESTATE while it is still being located.
 */
int sl__route_target(const struct sl_router *r, uint32_t id,
		     struct sl_route_target *out);

/** Sends in progress (tests check it is back to 0). */
unsigned sl__router_active(const struct sl_router *r);

/* ---- hooks for the transaction layer's TU callbacks ---- */

/**
 * sl__route_on_response(), sl__route_on_timeout(),
 * sl__route_on_transport_error(), sl__route_on_terminated() - pass the
 * TU callback of the same name here first (same arguments).
 * Return: 1 when the transaction is one the router started and has not
 * handed over (the event is consumed: do nothing more with it); 0 when it
 * is not (also for a NULL @r).
 */
int sl__route_on_response(struct sl_router *r, uint32_t txn, void *user,
			  struct sl_rxbuf *rx);
int sl__route_on_timeout(struct sl_router *r, uint32_t txn, void *user,
			 char timer);
int sl__route_on_transport_error(struct sl_router *r, uint32_t txn,
				 void *user, int err);
int sl__route_on_terminated(struct sl_router *r, uint32_t txn, void *user);

#endif /* SL_TXN_ROUTE_H */
