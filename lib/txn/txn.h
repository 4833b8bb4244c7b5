/*
 * lib/txn/txn.h: the transaction layer (RFC 3261 §17 with RFC 6026) as the
 * dialog and UA layers see it.
 *
 * A struct sl_txn_layer owns two pools of transaction slots (client and
 * server), sized at creation together with a hash table for matching; after
 * sl__txn_create() nothing is allocated. Each slot embeds its timers (two
 * at most are armed at once) on the loop's heap, a buffer of msg_buf_size
 * bytes (a client's request, then its ACK; a server's last response), and,
 * for a server transaction, one reference on the received request.
 *
 * The layer talks to the network only through struct sl_txn_io, so a test
 * (or a proxy) can plug in any transport, and to its user only through the
 * callbacks of struct sl_txn_tu.
 *
 * Transactions are named by ids (uint32_t, never 0) that are not reused
 * for a long time: an id kept after its transaction ended is answered with
 * SL_ENOTFOUND, never mistaken for a later transaction in the same slot.
 *
 * Callbacks run on the loop thread, from inside sl__txn_recv(), a timer, or
 * (only for the terminated callback, see below) an API call. Every API
 * function may be called from inside a callback, including for the
 * transaction being reported. No callback is made for a transaction before
 * its id has been handed out (returned by sl__txn_request() or passed to the
 * request callback).
 *
 * Who owns what: the layer owns its slots and their buffers; the caller
 * owns every buffer it passes in (copied before the call returns); a
 * struct sl_rxbuf given to a callback is valid for the duration of the call
 * (take a reference with sl__rxbuf_ref() to keep it).
 *
 * Memory note: a server transaction holds its request's receive buffer until
 * it terminates (64*T1 after the final response over UDP), so the
 * transport's rx_buffers should exceed max_server_txns.
 *
 * Thread: the SIP loop thread only (or before the loop runs).
 */
#ifndef SL_TXN_H
#define SL_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/build.h"
#include "sipline/msg.h"
#include "transport/transport.h"

struct sl_loop;
struct sl_txn_layer;

/* ---- configuration ---- */

/**
 * struct sl_txn_io - how the layer sends (a transport manager, or a test's
 * fake network).
 * @send: sends one complete message to @dst. May set dst->flow to the
 *        connection it used; the layer keeps @dst per transaction so
 *        retransmissions and the ACK reuse it. Return 0 when handed to the
 *        network, a negative enum sl_err (SL_ETRANSPORT...) when not. It
 *        must not feed anything back into the layer before it returns
 *        (received messages come later, from the loop).
 * @arg:  passed to @send.
 */
struct sl_txn_io {
	int (*send)(void *arg, struct sl_tp_dest *dst, const char *buf,
		    size_t len);
	void *arg;
};

/**
 * struct sl_txn_tu - the transaction user's callbacks (NULL: not called).
 * Every one gets @arg, the transaction id and its user pointer
 * (sl__txn_set_user(), or the one given to sl__txn_request()).
 *
 * @request:  a request created a server transaction @txn. For a CANCEL,
 *            @cancel_target is the INVITE server transaction it refers to
 *            (RFC 3261 §9.2), or 0 when there is none (the TU should then
 *            answer 481). The TU answers with sl__txn_respond(); an INVITE
 *            left unanswered for trying_ms gets a 100 (Trying) from the
 *            layer.
 * @ack:      an ACK that belongs to no transaction the layer answers for:
 *            an ACK for a 2xx (its own transaction, §17), with @txn 0, or
 *            one matched to an INVITE server transaction in the Accepted
 *            state (RFC 6026 §8.6), with that @txn. ACKs for non-2xx
 *            responses are absorbed by their transaction.
 * @response: a response for client transaction @txn: every provisional,
 *            the final response once, and in the Accepted state every 2xx
 *            (retransmissions and forked 2xx, RFC 6026 §8.4): the TU sends
 *            the ACK for a 2xx itself.
 * @timeout:  the transaction timed out: @timer is 'B' or 'F' (no final
 *            response; an RFC 3261 §8.1.3.1 408 for the TU) or 'H' (a
 *            non-2xx final response was never acknowledged).
 * @transport_error: a send failed or the connection closed (@err:
 *            SL_ETRANSPORT, SL_ETIMEOUT...) during a retransmission, an
 *            ACK, a 100 (Trying) or after sl__txn_flow_closed().
 * @terminated: the transaction ended and its id is dead. Made for every
 *            transaction whose id was handed out, last of all its
 *            callbacks, except after sl__txn_abort(). It may run inside
 *            sl__txn_respond() (a response over TCP ends a non-INVITE
 *            transaction at once) and inside sl__txn_recv().
 * @arg:      passed to every callback.
 */
struct sl_txn_tu {
	void (*request)(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx, uint32_t cancel_target);
	void (*ack)(void *arg, uint32_t txn, void *user, struct sl_rxbuf *rx);
	void (*response)(void *arg, uint32_t txn, void *user,
			 struct sl_rxbuf *rx);
	void (*timeout)(void *arg, uint32_t txn, void *user, char timer);
	void (*transport_error)(void *arg, uint32_t txn, void *user, int err);
	void (*terminated)(void *arg, uint32_t txn, void *user);
	void *arg;
};

/**
 * struct sl_txn_config - fill with sl__txn_config_init(), then set io, tu
 * and what differs. Zero in a number means its default.
 * @t1_ms, @t2_ms, @t4_ms: RFC 3261 §17.1.1.1 timers; 500, 4000, 5000.
 * @td_ms:     Timer D over unreliable transports (at least 32 s); 32000.
 * @trying_ms: an INVITE not answered by the TU within this gets a 100
 *             (Trying) (§17.2.1); 200.
 * @max_client_txns, @max_server_txns: pool sizes (1..32768); 32 each.
 * @msg_buf_size: bytes per slot for a request copy or a last response;
 *             8192. Longer messages are refused (SL_ETOOBIG).
 * @check:     option tags the UA supports, for sl_msg_check_request() on
 *             every request that would create a transaction (a failure is
 *             answered statelessly, §8.2.2); NULL: none supported. The
 *             pointed-to data must outlive the layer.
 * @no_check:  1: skip that check (the TU does its own).
 * @seed:      seed for branches and tags (sl__txn_branch(), sl__txn_tag());
 *             0: from the kernel (getrandom). Tests set it to be
 *             repeatable.
 */
struct sl_txn_config {
	uint32_t t1_ms;
	uint32_t t2_ms;
	uint32_t t4_ms;
	uint32_t td_ms;
	uint32_t trying_ms;
	uint32_t max_client_txns;
	uint32_t max_server_txns;
	size_t msg_buf_size;
	const struct sl_check_opts *check;
	int no_check;
	uint64_t seed;
	struct sl_txn_io io;
	struct sl_txn_tu tu;
};

enum {
	SL_TXN_T1_DEFAULT_MS = 500,
	SL_TXN_T2_DEFAULT_MS = 4000,
	SL_TXN_T4_DEFAULT_MS = 5000,
	SL_TXN_TD_DEFAULT_MS = 32000,
	SL_TXN_TRYING_DEFAULT_MS = 200,
	SL_TXN_POOL_DEFAULT = 32,
	SL_TXN_POOL_MAX = 32768,
	SL_TXN_MSG_BUF_DEFAULT = 8192,
	SL_TXN_MSG_BUF_MIN = 512,
	SL_TXN_BRANCH_MAX = 96,      /* our own branch parameters */
	SL_TXN_METHOD_MAX = 32       /* our own method names */
};

/** sl__txn_config_init() - zeroes @cfg and fills the defaults above. */
void sl__txn_config_init(struct sl_txn_config *cfg);

/**
 * sl__txn_create() - makes a transaction layer on @loop.
 * @out:  set to the layer on success.
 * @loop: the SIP loop whose timer heap and clock the layer uses; it needs
 *        room for two armed timers per transaction.
 * @cfg:  configuration; copied.
 * Return: 0; SL_EINVAL for NULL pointers, a NULL io.send, T2 < T1, pool
 * sizes out of range or msg_buf_size below SL_TXN_MSG_BUF_MIN; SL_ENOMEM
 * when the pools cannot be allocated.
 */
int sl__txn_create(struct sl_txn_layer **out, struct sl_loop *loop,
		   const struct sl_txn_config *cfg);

/**
 * sl__txn_destroy() - stops every timer, drops every request reference and
 * frees the layer. No callback is made. NULL is ignored. Not from inside
 * one of the layer's callbacks.
 */
void sl__txn_destroy(struct sl_txn_layer *l);

/* ---- identifiers ---- */

/**
 * sl__txn_branch() - a new branch parameter: "z9hG4bK" and 22 characters
 * from the layer's generator (RFC 3261 §8.1.1.7), NUL-terminated.
 * Return: its length; SL_EINVAL for NULL; SL_ENOSPC when @cap < 30.
 */
int sl__txn_branch(struct sl_txn_layer *l, char *out, size_t cap);

/**
 * sl__txn_tag() - a new From/To tag: 16 characters (64 random bits,
 * §19.3), NUL-terminated.
 * Return: its length; SL_EINVAL; SL_ENOSPC when @cap < 17.
 */
int sl__txn_tag(struct sl_txn_layer *l, char *out, size_t cap);

/* ---- client transactions ---- */

/**
 * sl__txn_request() - starts a client transaction and sends its request.
 * @buf, @len: the complete request, built by the caller (its top Via has a
 *        branch with the "z9hG4bK" magic cookie, from sl__txn_branch(),
 *        of at most SL_TXN_BRANCH_MAX bytes). Copied into the slot, which
 *        retransmits it over UDP (Timers A and E).
 * @dst:  where it goes; copied, its tls_name too (< 256 bytes, else
 *        SL_EINVAL). Over a reliable transport (dst->tp not UDP) nothing
 *        is retransmitted.
 * @user: handed back with every callback of this transaction.
 * @id:   set to the transaction's id on success.
 *
 * An INVITE makes an INVITE client transaction (§17.1.1, RFC 6026), any
 * other method but ACK a non-INVITE one (§17.1.2). A CANCEL is an ordinary
 * non-INVITE request: build it with sl__txn_build_cancel().
 *
 * Return: 0; SL_EINVAL for NULL pointers, bytes that do not parse as a
 * request, an ACK (sent with sl__txn_send() instead, it has no
 * transaction), or a top Via without a magic-cookie branch; SL_ETOOBIG when
 * @len exceeds msg_buf_size; SL_EEXIST when a client transaction with the
 * same branch and method exists; SL_ENOMEM when the pool (or the loop's
 * timer heap) is full; the send error (SL_ETRANSPORT...) when the first
 * send fails: then no transaction exists and no callback is made.
 */
int sl__txn_request(struct sl_txn_layer *l, const char *buf, size_t len,
		    const struct sl_tp_dest *dst, void *user, uint32_t *id);

/**
 * sl__txn_build_cancel() - builds the CANCEL for INVITE client transaction
 * @invite (RFC 3261 §9.1): its Request-URI, Call-ID, From, To, the CSeq
 * number with method CANCEL, its top Via only (same branch), its Route
 * headers and Max-Forwards 70. Send it with sl__txn_request() to the same
 * destination (sl__txn_info() gives it).
 * Return: the length written to @out; SL_EINVAL for NULL pointers;
 * SL_ENOTFOUND for an unknown id; SL_ESTATE unless @invite is an INVITE
 * client transaction in the Proceeding state (§9.1: a CANCEL waits for a
 * provisional response); SL_ENOSPC when @cap is too small.
 */
int sl__txn_build_cancel(struct sl_txn_layer *l, uint32_t invite, char *out,
			 size_t cap);

/**
 * sl__txn_send() - sends a message outside any transaction (the ACK for a
 * 2xx, §13.2.2.4, or a 2xx retransmitted by the UA core when it keeps its
 * own copy) through the layer's io.
 * Return: 0 or the io's error; SL_EINVAL for NULL pointers or @len 0.
 */
int sl__txn_send(struct sl_txn_layer *l, struct sl_tp_dest *dst,
		 const char *buf, size_t len);

/* ---- server transactions ---- */

/** struct sl_txn_hdr - one extra header of a response (name: value). */
struct sl_txn_hdr {
	const char *name;
	const char *value;
};

/**
 * struct sl_txn_response - a response the layer builds from the request.
 * @status:  100..699.
 * @reason:  NULL for the standard phrase.
 * @to_tag:  the UAS tag added to To when the request has none (§8.2.6.2;
 *           every response but 100 needs one); NULL/"" for none.
 * @flags:   enum sl_build_response_flags (SL_BUILD_COPY_RECORD_ROUTE for a
 *           response that creates a dialog).
 * @hdrs, @n_hdrs: extra headers (Contact, Allow, Require...), in order.
 * @content_type, @body, @body_len: the body, as sl_build_finish() takes.
 */
struct sl_txn_response {
	int status;
	const char *reason;
	const char *to_tag;
	unsigned flags;
	const struct sl_txn_hdr *hdrs;
	unsigned n_hdrs;
	const char *content_type;
	const void *body;
	size_t body_len;
};

/**
 * sl__txn_respond() - builds a response to server transaction @id's request
 * (status line, the top Via with RFC 3581 received/rport, the other Vias,
 * From, To with the tag, Call-ID, CSeq, then @r's headers and body) and
 * passes it to the transaction, which sends it to the §18.2.2 destination
 * and keeps it for retransmission.
 *
 * What the transaction does with it (§17.2.1, §17.2.2, RFC 6026 §8.5-8.7):
 * a provisional moves a non-INVITE from Trying to Proceeding; a 300-699
 * to an INVITE enters Completed (Timers G, H); a 2xx to an INVITE enters
 * Accepted (Timer L), where further 2xx are sent as given (the TU
 * retransmits its 2xx, see also sl__txn_retransmit()); a final response to
 * a non-INVITE enters Completed (Timer J, 0 over TCP/TLS, so the
 * transaction may terminate before this returns).
 *
 * Return: 0 when sent; SL_EINVAL for NULL pointers, a bad status or a
 * response the builder refuses (bad tag, header or body); SL_ENOTFOUND for
 * an unknown id; SL_ESTATE for a client transaction, a response after a
 * final one (any response in Completed, Confirmed or Terminated, or a non-
 * 2xx in Accepted); SL_ENOSPC when it does not fit in msg_buf_size; the
 * send error (SL_ETRANSPORT...) when it could not be sent: then the
 * transaction has terminated (terminated callback made) unless it is in the
 * Accepted state, which only reports the error.
 */
int sl__txn_respond(struct sl_txn_layer *l, uint32_t id,
		    const struct sl_txn_response *r);

/**
 * sl__txn_respond_raw() - as sl__txn_respond() with a response the caller
 * built completely (its status line must read "SIP/2.0 NNN"): for a UA
 * that builds its own 2xx, or a proxy forwarding one. Copied.
 * Return: as sl__txn_respond(); SL_EINVAL when @buf does not start with a
 * status line; SL_ETOOBIG when @len exceeds msg_buf_size.
 */
int sl__txn_respond_raw(struct sl_txn_layer *l, uint32_t id, const char *buf,
			size_t len);

/**
 * sl__txn_retransmit() - sends server transaction @id's last response again
 * (the UA core's 2xx retransmissions, §13.3.1.4, in the Accepted state).
 * Return: 0; SL_EINVAL; SL_ENOTFOUND; SL_ESTATE for a client transaction or
 * when nothing was sent yet; the send error (the transaction stays).
 */
int sl__txn_retransmit(struct sl_txn_layer *l, uint32_t id);

/* ---- received messages ---- */

/** What sl__txn_recv() did with a message (all success). */
enum sl_txn_rx {
	SL_TXN_RX_MATCHED = 0,  /* fed to an existing transaction */
	SL_TXN_RX_NEW,          /* a new server transaction; TU told */
	SL_TXN_RX_ACK,          /* an ACK passed to the TU's ack callback */
	SL_TXN_RX_REJECTED,     /* answered statelessly (check failed, or
				 * the server pool is full: 503) */
	SL_TXN_RX_STRAY         /* a response matching no transaction:
				 * dropped (RFC 6026 §7.1 for a UA) */
};

/**
 * sl__txn_recv() - feeds a received, parsed message to the layer: requests
 * are matched to server transactions (§17.2.3, with the RFC 2543 rules for
 * branches without the magic cookie), responses to client transactions
 * (§17.1.3). The layer takes its own reference when it keeps @rx.
 * Return: an enum sl_txn_rx; SL_EINVAL for NULL or a message without a
 * top Via or CSeq.
 */
int sl__txn_recv(struct sl_txn_layer *l, struct sl_rxbuf *rx);

/**
 * sl__txn_flow_closed() - the transport lost connection @flow: every
 * transaction sending over it (reliable transports only) reports a
 * transport error with @err and terminates.
 * Return: how many transactions ended; SL_EINVAL for NULL or @flow 0.
 */
int sl__txn_flow_closed(struct sl_txn_layer *l, uint32_t flow, int err);

/**
 * sl__txn_dest_unreachable() - the transport learnt that @dst cannot be
 * reached over @tp, an unreliable transport (an ICMP unreachable for a
 * datagram sent there; transport.h, sl_tp_unreachable_cb): what
 * sl__txn_flow_closed() is for a stream. Every transaction still sending
 * to @dst - a client one without a final response, a server one
 * answering - reports a transport error with @err and terminates, so a
 * fail-over sender tries its next target at once (RFC 3261 §8.1.3.1,
 * §17.1.4, §17.2.4).
 * Return: how many transactions ended; SL_EINVAL for NULL or a reliable
 * @tp.
 */
int sl__txn_dest_unreachable(struct sl_txn_layer *l, enum sl_tp tp,
			     const struct sl_addr *dst, int err);

/* ---- looking transactions up ---- */

enum sl_txn_kind {
	SL_TXN_CLIENT_INVITE = 0,
	SL_TXN_CLIENT_NON_INVITE,
	SL_TXN_SERVER_INVITE,
	SL_TXN_SERVER_NON_INVITE
};

enum sl_txn_state {
	SL_TXN_STATE_NONE = 0,   /* a free slot */
	SL_TXN_STATE_CALLING,    /* INVITE client */
	SL_TXN_STATE_TRYING,     /* non-INVITE client and server */
	SL_TXN_STATE_PROCEEDING,
	SL_TXN_STATE_COMPLETED,
	SL_TXN_STATE_CONFIRMED,  /* INVITE server */
	SL_TXN_STATE_ACCEPTED,   /* INVITE client and server, RFC 6026 */
	SL_TXN_STATE_TERMINATED
};

/** "Calling", "Trying"...; "?" for values out of range. Never NULL. */
const char *sl__txn_state_name(enum sl_txn_state s);

/**
 * struct sl_txn_info - what sl__txn_info() reports.
 * @request: server transactions: the request (valid while the transaction
 *           lives; take a reference to keep it longer); NULL for clients.
 * @dst:     where the request (client) or the responses (server) go.
 * @last_status: the last response received (client) or sent (server); 0.
 */
struct sl_txn_info {
	enum sl_txn_kind kind;
	enum sl_txn_state state;
	enum sl_method method;
	int last_status;
	int reliable;
	void *user;
	struct sl_rxbuf *request;
	struct sl_tp_dest dst;
};

/** Return: 0; SL_EINVAL for NULL; SL_ENOTFOUND for an unknown id. */
int sl__txn_info(struct sl_txn_layer *l, uint32_t id, struct sl_txn_info *out);

/** Sets the user pointer callbacks get. Return: 0, SL_EINVAL, SL_ENOTFOUND. */
int sl__txn_set_user(struct sl_txn_layer *l, uint32_t id, void *user);

/**
 * sl__txn_match() - the transaction a received message belongs to, without
 * feeding it: a response's client transaction (§17.1.3) or a request's
 * server transaction (§17.2.3; an ACK finds its INVITE).
 * Return: 0 with *@id set; SL_EINVAL; SL_ENOTFOUND.
 */
int sl__txn_match(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
		  uint32_t *id);

/**
 * sl__txn_cancel_target() - the INVITE server transaction a received CANCEL
 * refers to (§9.2: the §17.2.3 rules without the method).
 * Return: 0 with *@id set; SL_EINVAL for NULL or a request that is not a
 * CANCEL; SL_ENOTFOUND.
 */
int sl__txn_cancel_target(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
			  uint32_t *id);

/**
 * sl__txn_abort() - ends a transaction at once, without any callback
 * (the TU gives up an INVITE whose CANCEL got no answer, §9.1, or shuts
 * down). Its id dies; its slot returns to the pool.
 * Return: 0; SL_EINVAL; SL_ENOTFOUND.
 */
int sl__txn_abort(struct sl_txn_layer *l, uint32_t id);

/**
 * struct sl_txn_stats - pool use, for tests and diagnostics.
 * @client_used, @server_used: slots in use now.
 * @client_high, @server_high: the most ever in use at once.
 * @client_cap, @server_cap: the pool sizes.
 * @rejected_503: requests refused because the server pool was full.
 * @stray: responses that matched no transaction.
 */
struct sl_txn_stats {
	uint32_t client_used, server_used;
	uint32_t client_high, server_high;
	uint32_t client_cap, server_cap;
	uint64_t rejected_503;
	uint64_t stray;
};

/** Return: 0 or SL_EINVAL. */
int sl__txn_stats(const struct sl_txn_layer *l, struct sl_txn_stats *out);

/* ---- stateless answers (lib/txn/stateless.c) ---- */

/**
 * sl__txn_reply_stateless() - answers request @rx without a transaction
 * (§8.2.6): the response goes to the §18.2.2 destination once and is not
 * kept. When the request has no To tag and @status > 100 one is derived
 * from the request and a per-layer secret, so a retransmitted request gets
 * the same tag (§8.2.7).
 * @reason: NULL for the standard phrase.
 * @hdrs, @n_hdrs: extra headers.
 * Return: 0; SL_EINVAL for NULL pointers, a response or an ACK as @rx, a
 * bad status or header; SL_ENOSPC when it does not fit in msg_buf_size;
 * the send error.
 */
int sl__txn_reply_stateless(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
			    int status, const char *reason,
			    const struct sl_txn_hdr *hdrs, unsigned n_hdrs);

/**
 * sl__txn_reject() - answers a request that failed sl_msg_check_request()
 * with the failure @err describes (§8.2.1-8.2.2): 416, 483, 400 with
 * err->reason as the phrase, or 420 with one Unsupported header per
 * Require tag not in the configured option tags. An ACK is never answered.
 * Return: 0 when sent; SL_EINVAL for NULL pointers, an ACK, a response, or
 * an @err without a 4xx-6xx status; the errors of
 * sl__txn_reply_stateless().
 */
int sl__txn_reject(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
		   const struct sl_parse_error *err);

#endif /* SL_TXN_H */
