/*
 * lib/dialog/dialog.h: dialogs (RFC 3261 §12, §13.2.2.4, §13.3.1.4, §14,
 * §15; RFC 3262 and RFC 3311 CSeq and target-refresh rules; RFC 5057
 * usages; RFC 6026 2xx handling; RFC 6228 199; RFC 6665 §4.1.2.4) as the
 * UA layer sees them.
 *
 * A struct sl_dlg_table owns a pool of slots sized at creation (one
 * sl__calloc(), nothing allocated afterwards) and two hash tables: one
 * keyed by Call-ID and local tag (the §12.2.2 lookup compares the remote
 * tag inside the chain, so the forks of one request share a bucket), one
 * keyed by id. A slot holds one of two things:
 *
 * - a *dialog* (role UAC or UAS; state Init, Early or Confirmed), with its
 *   §12 state copied into the slot's text area (text_size bytes): Call-ID,
 *   tags, local and remote URIs, remote target, route set, our Contact;
 *   the local and remote CSeq numbers; its usages (RFC 5057: the INVITE
 *   usage and a count of subscription usages); a timer for the 2xx
 *   retransmissions of the UAS (§13.3.1.4);
 * - a *dialog set* (UAC): what a dialog-creating request (INVITE,
 *   SUBSCRIBE, REFER) we send is built from, before and while responses
 *   make dialogs out of it. Every early or confirmed dialog made from its
 *   responses is a slot of its own with its own id (one per To tag, so
 *   forks are separate dialogs); the set remembers whether a 2xx already
 *   confirmed one (§13.2.2.4 forking). The UA ends the set when the
 *   request's client transaction terminates (sl__dlg_terminate()).
 *
 * How the UA drives it (every message passes through the UA's transaction
 * callbacks, struct sl_txn_tu):
 *
 *   UAC  sl__dlg_uac_create() -> set; sl__dlg_send_request() (or
 *        sl__dlg_build_request() + sl__txn_request()) sends the INVITE;
 *        each response -> sl__dlg_uac_response() -> early/confirmed dialog
 *        ids; sl__dlg_send_ack() for each 2xx.
 *   UAS  a request with no To tag -> sl__dlg_uas_create() (reserves the
 *        slot, 503 when the pool is full); sl__dlg_respond() sends the
 *        responses: a 1xx with our tag makes it early, a 2xx confirmed,
 *        300-699 ends it; the layer retransmits the 2xx until the ACK.
 *   Both requests received -> sl__dlg_recv_request() (§12.2.2: the 481,
 *        500 and 491 answers are sent here); requests sent in a dialog ->
 *        sl__dlg_send_request(); their responses -> sl__dlg_recv_response()
 *        (timeouts -> sl__dlg_request_failed()).
 *
 * When a dialog ends (§12.3, §15, RFC 5057; struct sl_dlg_events
 * @terminated says why): an early one at a 300-699 to the request that
 * made it, at another fork's 2xx (INVITE) or at a 199 with its tag; any
 * one when its last usage ends: the INVITE usage at the final response to
 * our BYE (or its timeout) or at our 2xx to the peer's BYE, or at a
 * usage-ending response to a request of it (408, a timeout...); a
 * subscription usage when the UA drops it (sl__dlg_usage_del()); and the
 * whole dialog at a dialog-ending response (481, 404...) to any request
 * in it. sl__dlg_response_effect() has the list.
 *
 * Ids: every slot gets a uint32_t id (never 0) from a counter, so an id
 * does not repeat while the table lives (the counter wraps after 2^32 - 1
 * slots, skipping ids in use). An id kept after its slot ended is answered
 * with SL_ENOTFOUND, never mistaken for a later slot. No pointer into the
 * table is handed out, except the text slices of struct sl_dlg_info (valid
 * until the next call that changes that dialog).
 *
 * Callbacks (struct sl_dlg_events) run on the loop thread, from inside a
 * call of this API or the 2xx retransmission timer; the slot they report
 * on is already in its new state (a terminated dialog's id is dead). Every
 * function here may be called from inside them, except sl__dlg_destroy().
 *
 * Who owns what: the table owns its slots and their text; the caller owns
 * every buffer it passes in (copied before the call returns). The
 * transaction layer and the loop given at creation must outlive the table.
 *
 * Thread: the SIP loop thread only (or before the loop runs).
 */
#ifndef SL_DIALOG_H
#define SL_DIALOG_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/msg.h"
#include "sipline/slice.h"
#include "transport/transport.h"
#include "txn/txn.h"

struct sl_loop;
struct sl_dlg_table;

/* ---- configuration ---- */

/** Why a dialog ended (struct sl_dlg_events @terminated). */
enum sl_dlg_end {
	SL_DLG_END_REJECTED = 0,  /* a 300-699 to the request that made it
				   * (§12.3): received (UAC) or sent (UAS) */
	SL_DLG_END_FORK_LOST,     /* early: another fork's 2xx confirmed the
				   * INVITE (§13.2.2.4) */
	SL_DLG_END_EARLY_ENDED,   /* early: a 199 with its tag (RFC 6228) */
	SL_DLG_END_BYE_SENT,      /* our BYE got a final response or timed
				   * out (§15.1.1) */
	SL_DLG_END_BYE_RECEIVED,  /* we sent a 2xx to the peer's BYE
				   * (§15.1.2) */
	SL_DLG_END_RESPONSE,      /* a response to a request in it ended the
				   * dialog or its last usage (RFC 5057, see
				   * sl__dlg_response_effect()) */
	SL_DLG_END_USAGES         /* sl__dlg_usage_del() removed the last
				   * usage */
};

/** "rejected", "fork-lost"...; "?" out of range. Never NULL. */
const char *sl__dlg_end_name(enum sl_dlg_end why);

/**
 * struct sl_dlg_events - the UA's callbacks (NULL: not called); each gets
 * @arg.
 * @terminated: dialog @id ended for reason @why; @status is the SIP status
 *          that ended it (0 when none, 408 for a timeout). Made for every
 *          dialog that ends, except through sl__dlg_terminate() and
 *          sl__dlg_destroy(); never for a dialog set.
 * @no_ack: we retransmitted the 2xx to the peer's INVITE in dialog @id for
 *          64*T1 without an ACK (§13.3.1.4): the dialog is confirmed but
 *          the session should be ended with a BYE. @cseq is the INVITE's.
 */
struct sl_dlg_events {
	void (*terminated)(void *arg, uint32_t id, enum sl_dlg_end why,
			   int status);
	void (*no_ack)(void *arg, uint32_t id, uint32_t cseq);
	void *arg;
};

/**
 * struct sl_dlg_config - fill with sl__dlg_config_init(), then set what
 * differs. Zero in a number means its default.
 * @max_dialogs: slots (dialogs and dialog sets together): 1..65536; 32.
 * @text_size:  the most bytes of text a slot may hold (Call-ID, tags,
 *              URIs, display names, remote target, route set, our
 *              Contact, each with a NUL); 256..65535; 2048. State that
 *              does not fit is refused with SL_ETOOBIG. Each slot takes a
 *              block of what it holds from a store reserved at this size
 *              (resident memory follows the text actually kept).
 * @max_routes: route set entries per dialog: 1..255; 16.
 * @msg_buf_size: the scratch buffer sl__dlg_send_request() and
 *              sl__dlg_send_ack() build into; SL_TXN_MSG_BUF_MIN or more;
 *              SL_TXN_MSG_BUF_DEFAULT.
 * @t1_ms, @t2_ms: the UAS's 2xx retransmission interval (§13.3.1.4: T1
 *              doubling up to T2, for 64*T1): 500 and 4000, like the
 *              transaction layer's.
 * @random:     a random source for the Retry-After of §14.2 and the
 *              back-off of §14.1 (tests inject one); NULL: a generator
 *              seeded with @seed (0: from the kernel).
 * @random_arg: passed to @random.
 * @ev:         the callbacks.
 */
struct sl_dlg_config {
	uint32_t max_dialogs;
	size_t text_size;
	uint32_t max_routes;
	size_t msg_buf_size;
	uint32_t t1_ms;
	uint32_t t2_ms;
	uint32_t (*random)(void *arg);
	void *random_arg;
	uint64_t seed;
	struct sl_dlg_events ev;
};

enum {
	SL_DLG_POOL_DEFAULT = 32,
	SL_DLG_POOL_MAX = 65536,
	SL_DLG_TEXT_DEFAULT = 2048,
	SL_DLG_TEXT_MIN = 256,
	SL_DLG_TEXT_MAX = 65535,
	SL_DLG_ROUTES_DEFAULT = 16,
	SL_DLG_ROUTES_MAX = 255,
	SL_DLG_MAX_FORWARDS = 70,    /* RFC 3261 §8.1.1.6 */
	SL_DLG_MAX_HDRS = 32,        /* extra headers per request/response */
	SL_DLG_RETRY_AFTER_MAX = 10  /* §14.2: seconds */
};

/** sl__dlg_config_init() - zeroes @cfg and fills the defaults above. */
void sl__dlg_config_init(struct sl_dlg_config *cfg);

/**
 * sl__dlg_create() - makes a dialog table.
 * @out:  set to the table on success (NULL on failure).
 * @loop: the SIP loop (its clock and timer heap: one timer per dialog).
 * @txn:  the transaction layer the table answers requests through
 *        (sl__txn_respond()) and sends with (sl__txn_request(),
 *        sl__txn_send()); its tags and branches come from it too.
 * @cfg:  the configuration; copied.
 * Return: 0; SL_EINVAL for NULL pointers or sizes out of range; SL_ENOMEM
 * when the pool cannot be allocated.
 */
int sl__dlg_create(struct sl_dlg_table **out, struct sl_loop *loop,
		   struct sl_txn_layer *txn, const struct sl_dlg_config *cfg);

/**
 * sl__dlg_destroy() - stops every timer and frees the table. No callback
 * is made. NULL is ignored. Not from inside one of its callbacks.
 */
void sl__dlg_destroy(struct sl_dlg_table *t);

/* ---- dialog sets and UAC dialogs (§12.1.2, §13.2.2.4) ---- */

/** Flags of struct sl_dlg_uac_params. */
enum sl_dlg_uac_flags {
	/* The request goes over TLS to a SIPS Request-URI: its dialogs are
	 * secure (§12.1.2). */
	SL_DLG_UAC_SECURE = 1u << 0
};

/**
 * struct sl_dlg_uac_params - a dialog-creating request we send.
 * @method:        "INVITE" (NULL), "SUBSCRIBE" or "REFER": the method of
 *                 the request and of every resend (an authenticated one
 *                 after a 401/407, §22.2).
 * @local_uri, @local_display: From (our address of record); the display
 *                 name may be NULL.
 * @remote_uri, @remote_display: To.
 * @target:        the Request-URI; NULL: @remote_uri.
 * @contact:       our Contact URI (the remote target the peer will use).
 * @routes, @n_routes: a preloaded route set (an outbound proxy,
 *                 Service-Route, §8.1.2): URIs, first hop first. Replaced
 *                 by the Record-Route of each dialog's responses.
 * @call_id:       NULL: a new one; a retry after a redirect may reuse the
 *                 old one (§8.1.3.4).
 * @local_tag:     NULL: a new one.
 * @cseq:          the first CSeq number (below 2^31); 0: 1.
 * @flags:         enum sl_dlg_uac_flags.
 */
struct sl_dlg_uac_params {
	const char *method;
	const char *local_uri;
	const char *local_display;
	const char *remote_uri;
	const char *remote_display;
	const char *target;
	const char *contact;
	const char *const *routes;
	unsigned n_routes;
	const char *call_id;
	const char *local_tag;
	uint32_t cseq;
	unsigned flags;
};

/**
 * sl__dlg_uac_create() - makes a dialog set for a request we are about to
 * send; build the request with sl__dlg_build_request() (or send it with
 * sl__dlg_send_request()).
 * @set: set to the set's id.
 * Return: 0; SL_EINVAL for NULL pointers, a NULL URI or contact, a
 * method other than INVITE, SUBSCRIBE, REFER, or more than max_routes
 * routes; SL_ETOOBIG when the text does not fit text_size; SL_ENOMEM when
 * the pool is full.
 */
int sl__dlg_uac_create(struct sl_dlg_table *t,
		       const struct sl_dlg_uac_params *p, uint32_t *set);

/** What sl__dlg_uac_response() did (all success). */
enum sl_dlg_uac {
	SL_DLG_UAC_NONE = 0,     /* nothing to do with dialogs: a 100, a
				  * 1xx without a To tag, a 1xx after the
				  * first 2xx, a 199 for an unknown tag */
	SL_DLG_UAC_EARLY_NEW,    /* a 101-199 with a new To tag made early
				  * dialog *id */
	SL_DLG_UAC_EARLY,        /* a 101-199 for early dialog *id (its
				  * remote target follows the Contact) */
	SL_DLG_UAC_EARLY_ENDED,  /* a 199 ended early dialog *id (RFC 6228;
				  * terminated callback made) */
	SL_DLG_UAC_CONFIRMED,    /* a 2xx confirmed (or made) dialog *id:
				  * ACK it. For an INVITE, the first 2xx:
				  * every other early dialog of the set
				  * ended (FORK_LOST) */
	SL_DLG_UAC_RETRANSMIT,   /* the 2xx again for confirmed dialog *id:
				  * send the same ACK again (§13.2.2.4) */
	SL_DLG_UAC_FORKED,       /* an INVITE's 2xx from another fork after
				  * the first: confirmed dialog *id was made
				  * only so the UA can ACK it and end it with
				  * a BYE (§13.2.2.4) */
	SL_DLG_UAC_FAILED        /* a 300-699: the set's early dialogs ended
				  * (REJECTED); the set remains for a retry
				  * (401/407, 3xx) until sl__dlg_terminate() */
};

/**
 * sl__dlg_uac_response() - a response to set @set's request (§12.1.2,
 * §13.2.2.4, RFC 6026 §8.4: every 2xx the INVITE client transaction passes
 * up, forked or retransmitted, comes here).
 * @set: the dialog set; 0 when it has already ended (then a 2xx makes a
 *       FORKED dialog from the response alone, anything else is NONE).
 * @rx:  the response.
 * @id:  set to the dialog concerned (0 for NONE and FAILED).
 *
 * A new dialog takes from the response: the remote tag and URI (To), the
 * route set (Record-Route, reversed), the remote target (Contact) and the
 * local CSeq (the request's number); the rest comes from the set.
 *
 * Return: an enum sl_dlg_uac; SL_EINVAL for NULL pointers, a request, a
 * response whose Call-ID, From tag or CSeq method is not the set's, or a
 * 2xx without a To tag or usable Contact; SL_ENOTFOUND for a stale @set;
 * SL_ENOMEM when a dialog is needed and the pool is full; SL_ETOOBIG when
 * its state does not fit text_size or max_routes (then nothing changed).
 */
int sl__dlg_uac_response(struct sl_dlg_table *t, uint32_t set,
			 const struct sl_rxbuf *rx, uint32_t *id);

/* ---- UAS dialogs (§12.1.1, §13.3.1.4) ---- */

/**
 * struct sl_dlg_uas_params - our side of a dialog the peer creates.
 * @contact:   our Contact URI, added to every 101-299 response to a
 *             dialog-creating or target refresh request.
 * @local_tag: NULL: a new one.
 */
struct sl_dlg_uas_params {
	const char *contact;
	const char *local_tag;
};

/**
 * sl__dlg_uas_create() - reserves a dialog for request @rx (INVITE,
 * SUBSCRIBE or REFER, without a To tag) of server transaction @txn, in the
 * Init state: the remote tag and URI (From), the local URI (To), the route
 * set (Record-Route, in order), the remote target (Contact) and the remote
 * CSeq come from @rx. It becomes a dialog when sl__dlg_respond() sends a
 * 101-199 (INVITE only) or a 2xx for @txn.
 * @id: set to its id.
 * Return: 0; SL_EINVAL for NULL pointers, a response, another method, a
 * To tag; SL_EPARSE when @rx has no usable Contact or a Record-Route
 * that does not decode (the UA answers 400);
 * SL_EEXIST when @p's local tag makes the ID of an existing dialog;
 * SL_ETOOBIG when the state does not fit; SL_ENOMEM when the pool is full:
 * then @txn has been answered 503 (Service Unavailable).
 */
int sl__dlg_uas_create(struct sl_dlg_table *t, uint32_t txn,
		       const struct sl_rxbuf *rx,
		       const struct sl_dlg_uas_params *p, uint32_t *id);

/**
 * sl__dlg_respond() - answers server transaction @txn, a request of dialog
 * @id (the one that created it, or one sl__dlg_recv_request() matched to
 * it), through sl__txn_respond() with: To tagged with our local tag; our
 * Contact on a 101-299 to INVITE, UPDATE, SUBSCRIBE or REFER (unless @r
 * has one); and, for the request that creates the dialog, the request's
 * Record-Route copied (§12.1.1). @r's to_tag is ignored.
 *
 * What it does to the dialog: for the creating request, a 101-199 to an
 * INVITE makes it Early, a 2xx Confirmed, a 300-699 ends it (REJECTED).
 * A 2xx to an INVITE starts its retransmission (§13.3.1.4: T1 doubling to
 * T2 through sl__txn_retransmit()) until the ACK, or @no_ack after 64*T1.
 * A 2xx to a BYE ends the INVITE usage (and the dialog when no other usage
 * is left: BYE_RECEIVED).
 *
 * A caller's BYE in an early dialog (§15) ends it once answered 2xx; the
 * INVITE is then answered 487 with sl__txn_respond(), as the dialog's id
 * is dead.
 *
 * Return: 0; SL_EINVAL for NULL pointers or more than SL_DLG_MAX_HDRS
 * headers; SL_ENOTFOUND for a stale @id or @txn; SL_ESTATE when @id is a
 * dialog set or @txn is not a server transaction; SL_ETOOBIG when our
 * Contact does not fit the scratch area; the errors of sl__txn_respond()
 * (then nothing changed).
 */
int sl__dlg_respond(struct sl_dlg_table *t, uint32_t id, uint32_t txn,
		    const struct sl_txn_response *r);

/* ---- requests we send (§12.2.1.1) ---- */

/**
 * struct sl_dlg_via - the top Via of a request we build.
 * @transport: "UDP", "TCP", "TLS"...
 * @host, @port: the sent-by (port 0: omitted).
 * @branch:    NULL: a new one from sl__txn_branch(); a fail-over attempt
 *             (lib/txn/route.h) passes the one it was given.
 * @rport:     non-zero: add ";rport" (RFC 3581).
 */
struct sl_dlg_via {
	const char *transport;
	const char *host;
	uint16_t port;
	const char *branch;
	int rport;
};

/**
 * struct sl_dlg_req - a request within a dialog (or a set's request).
 * @method: "INVITE", "BYE", "UPDATE", "PRACK", "INFO"... (not ACK, which
 *          sl__dlg_build_ack() builds, nor CANCEL: sl__txn_build_cancel()
 *          copies the INVITE, CSeq number included, §9.1).
 * @cseq:   0: the next local CSeq number (§12.2.1.1: one more than the
 *          last); else a number already used (a fail-over resend of the
 *          same request, RFC 3263 §4.3).
 * @hdrs, @n_hdrs: extra headers (RAck, Event, Authorization...), in order.
 * @content_type, @body, @body_len: the body, as sl_build_finish() takes.
 */
struct sl_dlg_req {
	const char *method;
	uint32_t cseq;
	const struct sl_txn_hdr *hdrs;
	unsigned n_hdrs;
	const char *content_type;
	const void *body;
	size_t body_len;
};

/**
 * sl__dlg_build_request() - writes a complete request of dialog (or set)
 * @id into @out (§12.2.1.1): the Request-URI and Route headers from the
 * remote target and route set (the route set as Route headers when its
 * first URI has "lr"; a strict router's URI as Request-URI, without
 * headers and method parameter, the rest of the route set then the remote
 * target as Route headers otherwise), the Via, Max-Forwards 70, From with
 * the local tag, To with the remote tag (none for a set), Call-ID, CSeq,
 * our Contact for INVITE, UPDATE, SUBSCRIBE, NOTIFY and REFER (unless
 * @r has one), @r's headers and body.
 *
 * Effects: the local CSeq number advances (§12.2.1.1: an empty one starts
 * at 1); an INVITE becomes our pending INVITE until its final response is
 * fed back (sl__dlg_recv_response(), sl__dlg_request_failed()) and is the
 * one sl__dlg_build_ack() acknowledges; a BYE puts the dialog in the
 * BYE-sent state (§15.1.1), where the INVITE usage's requests other than
 * BYE are refused: it ends at the BYE's final response (other than
 * 401/407) or timeout.
 *
 * @cseq_out: set to the CSeq number used (may be NULL).
 * Return: the length written; SL_EINVAL for NULL pointers, ACK, CANCEL, a
 * set's request with another method than the set's, a @cseq not yet used,
 * or parts the builder refuses; SL_ENOTFOUND for a stale @id; SL_ESTATE
 * after our BYE (other than a BYE again); SL_ENOSPC when @cap is too
 * small.
 */
int sl__dlg_build_request(struct sl_dlg_table *t, uint32_t id,
			  const struct sl_dlg_via *via,
			  const struct sl_dlg_req *r, char *out, size_t cap,
			  uint32_t *cseq_out);

/**
 * sl__dlg_send_request() - sl__dlg_build_request() into the table's
 * scratch buffer, then sl__txn_request() to @dst (find it from
 * sl__dlg_next_hop()). Refuses an INVITE while an INVITE transaction is in
 * progress on the dialog in either direction (§14.1). When the
 * transaction cannot be started, the INVITE or BYE is not pending.
 * @user: the transaction's user pointer.
 * @txn:  set to the client transaction's id.
 * Return: 0; the errors of sl__dlg_build_request() (SL_ENOSPC: the
 * request does not fit msg_buf_size); SL_ESTATE for an INVITE while one is
 * in progress; the errors of sl__txn_request().
 */
int sl__dlg_send_request(struct sl_dlg_table *t, uint32_t id,
			 const struct sl_dlg_via *via,
			 const struct sl_dlg_req *r,
			 const struct sl_tp_dest *dst, void *user,
			 uint32_t *txn);

/**
 * sl__dlg_build_ack() - the ACK for the 2xx to our last INVITE in dialog
 * @id (§13.2.2.4): built like any request in the dialog, with the
 * INVITE's CSeq number and method ACK, no Contact. Building it with the
 * same @via (branch included) gives the same bytes, for the ACK of a
 * retransmitted 2xx.
 * @body, @body_len, @content_type: the answer when the 2xx had the offer.
 * Return: the length; SL_EINVAL for NULL pointers or refused parts;
 * SL_ENOTFOUND; SL_ESTATE for a set or a dialog without an INVITE of ours
 * (a UAS dialog before its first re-INVITE); SL_ENOSPC.
 */
int sl__dlg_build_ack(struct sl_dlg_table *t, uint32_t id,
		      const struct sl_dlg_via *via, const char *content_type,
		      const void *body, size_t body_len, char *out,
		      size_t cap);

/**
 * sl__dlg_send_ack() - sl__dlg_build_ack() into the scratch buffer, then
 * sl__txn_send() to @dst (the ACK for a 2xx has no transaction, §17.1.1.3).
 * Return: 0; the errors of sl__dlg_build_ack() and of the send.
 */
int sl__dlg_send_ack(struct sl_dlg_table *t, uint32_t id,
		     const struct sl_dlg_via *via, const char *content_type,
		     const void *body, size_t body_len,
		     struct sl_tp_dest *dst);

/**
 * sl__dlg_next_hop() - the URI the requests of dialog @id go to (RFC 3261
 * §8.1.2, §12.2.1.1; resolve it with RFC 3263): the first route of the
 * route set, or the remote target when it is empty. NUL-terminated.
 * Return: 0 with @uri set (valid until the next call that changes the
 * dialog); SL_EINVAL; SL_ENOTFOUND.
 */
int sl__dlg_next_hop(struct sl_dlg_table *t, uint32_t id,
		     struct sl_slice *uri);

/* ---- requests we receive (§12.2.2, §14.2) ---- */

/** What sl__dlg_recv_request() did (all success). */
enum sl_dlg_rx {
	SL_DLG_RX_OUTSIDE = 0,   /* no To tag (or a CANCEL that matches no
				  * dialog): not for a dialog; the UA deals
				  * with it (sl__dlg_uas_create()...) */
	SL_DLG_RX_IN_DIALOG,     /* a request of dialog *id: the UA answers
				  * it with sl__dlg_respond(); the remote
				  * CSeq and, for a target refresh, the
				  * remote target have been updated */
	SL_DLG_RX_ACK,           /* an ACK of dialog *id (the 2xx
				  * retransmissions stopped) */
	SL_DLG_RX_ABSORBED,      /* an ACK matching no dialog: dropped */
	SL_DLG_RX_ANSWERED,      /* answered here: 481 (no such dialog),
				  * 500 (CSeq out of order), 491 (an INVITE
				  * while ours is pending), 500 with
				  * Retry-After (an INVITE while the peer's
				  * previous one is unanswered) */
	SL_DLG_RX_NEW            /* a NOTIFY for our pending SUBSCRIBE or
				  * REFER made confirmed dialog *id (RFC 6665
				  * §4.1.2.4): answer it */
};

/**
 * sl__dlg_recv_request() - a request from server transaction @txn (0 for
 * an ACK the transaction layer passed without one) goes through §12.2.2:
 * a request with a To tag is matched by Call-ID, To tag (local) and From
 * tag (remote) to an early or confirmed dialog; none: 481, except an ACK
 * (dropped) and a CANCEL (the transaction layer matches it, §9.2). In a
 * dialog: a CSeq number lower than the remote one gets a 500; else the
 * remote CSeq takes it, a target refresh (INVITE, UPDATE, SUBSCRIBE,
 * NOTIFY) with a Contact replaces the remote target, and an INVITE is
 * checked for §14.2 glare: 491 while our INVITE is pending, 500 with a
 * Retry-After of 0-10 s while the peer's previous INVITE has no final
 * response yet. ACK and CANCEL skip the CSeq rules (they carry the
 * INVITE's number).
 * @id: set to the dialog (0 when none).
 * Return: an enum sl_dlg_rx; SL_EINVAL for NULL pointers, a response, or
 * a request other than ACK with @txn 0; the error of sl__txn_respond()
 * when an answer could not be sent.
 */
int sl__dlg_recv_request(struct sl_dlg_table *t, uint32_t txn,
			 const struct sl_rxbuf *rx, uint32_t *id);

/* ---- responses to our requests (§12.2.1.2, RFC 5057) ---- */

/** What a response does to a dialog (RFC 5057 §5.1 as read here). */
enum sl_dlg_effect {
	SL_DLG_EFFECT_NONE = 0,  /* the transaction only */
	SL_DLG_EFFECT_USAGE,     /* ends the usage the request belongs to */
	SL_DLG_EFFECT_DIALOG     /* ends the dialog and every usage */
};

/**
 * sl__dlg_response_effect() - the effect of final response @status to a
 * request of method @m within a dialog:
 *  - DIALOG: 404, 410, 416, 481, 482, 484, 485, 502, 604 (the peer or
 *    the path to it says the dialog cannot exist);
 *  - USAGE: 403, 408 (and a transaction timeout, fed as 408), 480, 489;
 *    405 and 501 to the methods that make or refresh a usage (INVITE,
 *    SUBSCRIBE, NOTIFY, REFER);
 *  - NONE: everything else (1xx, 2xx, 3xx, 401, 407, 483, 491, 500,
 *    503...).
 * This refines RFC 3261 §12.2.1.2 (481 and 408 end the dialog): a 408 may
 * come from a proxy, so it ends the usage; for a dialog with the INVITE
 * usage only that is the dialog.
 * Return: an enum sl_dlg_effect.
 */
enum sl_dlg_effect sl__dlg_response_effect(int status, enum sl_method m);

/** What sl__dlg_recv_response() did (all success). */
enum sl_dlg_resp {
	SL_DLG_RESP_OK = 0,      /* nothing the UA must act on */
	SL_DLG_RESP_RETRANSMIT,  /* the 2xx to our INVITE again: send the
				  * same ACK again */
	SL_DLG_RESP_GLARE,       /* 491 to our INVITE: retry after
				  * sl__dlg_glare_backoff() (§14.1) */
	SL_DLG_RESP_USAGE_ENDED, /* a subscription usage ended (SUBSCRIBE,
				  * NOTIFY, REFER): the UA drops it and calls
				  * sl__dlg_usage_del() */
	SL_DLG_RESP_TERMINATED   /* the dialog ended (callback made) */
};

/**
 * sl__dlg_recv_response() - a response to a request we sent in dialog @id
 * (§12.2.1.2): a 2xx to a target refresh (INVITE, UPDATE, SUBSCRIBE,
 * NOTIFY) replaces the remote target with its Contact; a final response
 * ends our pending INVITE; a final response to our BYE other than 401/407
 * ends the INVITE usage; other final responses act per
 * sl__dlg_response_effect() (the INVITE usage covers INVITE, UPDATE,
 * PRACK, INFO, BYE; MESSAGE and OPTIONS belong to no usage).
 * Return: an enum sl_dlg_resp; SL_EINVAL for NULL pointers, a request,
 * or a response whose Call-ID or From tag is not the dialog's;
 * SL_ENOTFOUND for a stale @id; SL_ESTATE for a set.
 */
int sl__dlg_recv_response(struct sl_dlg_table *t, uint32_t id,
			  const struct sl_rxbuf *rx);

/**
 * sl__dlg_request_failed() - a request of method @m (with CSeq number
 * @cseq; 0 for an INVITE: the one pending) in dialog @id got no response:
 * a timeout (@status 408, §8.1.3.1) or a transport error (@status 503).
 * Same effects as a received response with that status.
 * Return: as sl__dlg_recv_response(); SL_EINVAL for a status out of
 * 300..699.
 */
int sl__dlg_request_failed(struct sl_dlg_table *t, uint32_t id,
			   enum sl_method m, uint32_t cseq, int status);

/**
 * sl__dlg_glare_backoff() - how long to wait before retrying an INVITE
 * that got a 491 in dialog @id (§14.1), in units of 10 ms: 210..400 (2.1
 * to 4 s) when we chose the dialog's Call-ID (we sent the request that
 * made it), 0..200 (0 to 2 s) otherwise.
 * Return: the delay (>= 0); SL_EINVAL; SL_ENOTFOUND.
 */
int sl__dlg_glare_backoff(struct sl_dlg_table *t, uint32_t id);

/* ---- reliable provisional responses (RFC 3262) ---- */

/**
 * sl__dlg_rseq_check() - UAC: whether reliable provisional @rx of early
 * dialog @id is new (RFC 3262 §4): the first one sets the expected RSeq,
 * each later one must be one more; a repeat or a gap is not PRACKed.
 * Return: 1 new (PRACK it: RAck "rseq cseq INVITE"), 0 a retransmission
 * or out of order (ignore it); SL_EINVAL for NULL or a response without a
 * valid RSeq; SL_ENOTFOUND.
 */
int sl__dlg_rseq_check(struct sl_dlg_table *t, uint32_t id,
		       const struct sl_rxbuf *rx);

/**
 * sl__dlg_rseq_next() - UAS: the RSeq of our next reliable provisional
 * response in dialog @id (RFC 3262 §3: starts at a random value in
 * 1..2^31-1, then one more each time).
 * Return: 0 with *@rseq set; SL_EINVAL; SL_ENOTFOUND.
 */
int sl__dlg_rseq_next(struct sl_dlg_table *t, uint32_t id, uint32_t *rseq);

/* ---- usages (RFC 5057) ---- */

/**
 * sl__dlg_usage_add() - dialog @id carries one more subscription usage
 * (a SUBSCRIBE or REFER inside it succeeded); a dialog made by SUBSCRIBE
 * or REFER starts with one, one made by INVITE with the INVITE usage.
 * Return: 0; SL_EINVAL; SL_ENOTFOUND; SL_ESTATE for a set; SL_ELIMIT at
 * 65535 usages.
 */
int sl__dlg_usage_add(struct sl_dlg_table *t, uint32_t id);

/**
 * sl__dlg_usage_del() - one subscription usage of dialog @id ended; when
 * none is left (and no INVITE usage) the dialog ends (USAGES).
 * Return: 0; 1 when the dialog ended; SL_EINVAL; SL_ENOTFOUND; SL_ESTATE
 * for a set or a dialog without a subscription usage.
 */
int sl__dlg_usage_del(struct sl_dlg_table *t, uint32_t id);

/* ---- looking dialogs up ---- */

enum sl_dlg_state {
	SL_DLG_STATE_FREE = 0,   /* not in use (never reported) */
	SL_DLG_STATE_SET,        /* a UAC dialog set */
	SL_DLG_STATE_INIT,       /* UAS: reserved, no 1xx/2xx sent yet */
	SL_DLG_STATE_EARLY,
	SL_DLG_STATE_CONFIRMED
};

/** "set", "init", "early", "confirmed"; "?" out of range. Never NULL. */
const char *sl__dlg_state_name(enum sl_dlg_state s);

/** Flags of struct sl_dlg_info. */
enum sl_dlg_flags {
	SL_DLG_F_UAC = 1u << 0,        /* we sent the creating request, so
					* we chose the Call-ID */
	SL_DLG_F_SECURE = 1u << 1,     /* §12.1.1, §12.1.2 */
	SL_DLG_F_FORKED = 1u << 2,     /* made by SL_DLG_UAC_FORKED: ACK and
					* BYE it */
	SL_DLG_F_BYE_SENT = 1u << 3,
	SL_DLG_F_BYE_RECEIVED = 1u << 4,
	SL_DLG_F_INVITE_USAGE = 1u << 5,
	SL_DLG_F_SET_CONFIRMED = 1u << 6, /* a set: a 2xx came */
	SL_DLG_F_INVITE_PENDING = 1u << 7 /* an INVITE transaction is in
					   * progress in either direction:
					   * no INVITE now (§14.1) */
};

/**
 * struct sl_dlg_info - a snapshot of one slot. The slices are
 * NUL-terminated text in the slot, valid until the next call that changes
 * it; empty when absent (the remote tag of a set, an empty route set...).
 * @set:         the set a UAC dialog came from (0 for UAS dialogs, sets,
 *               and FORKED dialogs made after their set ended).
 * @local_cseq:  the last number we used (0: none yet).
 * @remote_cseq: the last number the peer used (0: none yet).
 * @invite_cseq: the number of our last INVITE (what the ACK carries).
 * @sub_usages:  subscription usages (RFC 5057).
 */
struct sl_dlg_info {
	enum sl_dlg_state state;
	unsigned flags;
	enum sl_method method;
	uint32_t set;
	uint32_t local_cseq;
	uint32_t remote_cseq;
	uint32_t invite_cseq;
	unsigned sub_usages;
	unsigned n_routes;
	struct sl_slice call_id;
	struct sl_slice local_tag;
	struct sl_slice remote_tag;
	struct sl_slice local_uri;
	struct sl_slice remote_uri;
	struct sl_slice remote_target;
	struct sl_slice contact;
};

/** Return: 0; SL_EINVAL for NULL; SL_ENOTFOUND for a stale id. */
int sl__dlg_info(struct sl_dlg_table *t, uint32_t id,
		 struct sl_dlg_info *out);

/**
 * sl__dlg_set_contact() - our Contact URI in dialog or set @id becomes
 * @contact (a new address, RFC 5626 flow, GRUU): the next target refresh
 * request or 2xx tells the peer (§12.2).
 * Return: 0; SL_EINVAL for NULL or ""; SL_ENOTFOUND; SL_ETOOBIG.
 */
int sl__dlg_set_contact(struct sl_dlg_table *t, uint32_t id,
			const char *contact);

/**
 * sl__dlg_route() - route set entry @i (0 = first hop) of dialog @id, a
 * NUL-terminated URI valid until the next call that changes the dialog.
 * Return: 0; SL_EINVAL; SL_ENOTFOUND for a stale id or @i out of range.
 */
int sl__dlg_route(struct sl_dlg_table *t, uint32_t id, unsigned i,
		  struct sl_slice *uri);

/**
 * sl__dlg_find() - the early or confirmed dialog with this dialog ID
 * (§12: Call-ID, local tag, remote tag; byte comparison), e.g. for a
 * Replaces header (RFC 3891).
 * Return: 0 with *@id set; SL_EINVAL; SL_ENOTFOUND.
 */
int sl__dlg_find(struct sl_dlg_table *t, struct sl_slice call_id,
		 struct sl_slice local_tag, struct sl_slice remote_tag,
		 uint32_t *id);

/**
 * sl__dlg_set_user() - stores @user (the UA's own number for the slot,
 * e.g. its call's line) in dialog or set @id. The dialogs a set's
 * responses make start with the set's number, so the UA finds its call
 * from any of them in O(1) (sl__dlg_user()).
 * Return: 0; SL_EINVAL; SL_ENOTFOUND for a stale id.
 */
int sl__dlg_set_user(struct sl_dlg_table *t, uint32_t id, uint32_t user);

/** sl__dlg_user() - the number stored in dialog or set @id; 0 for none or
 * a stale id. */
uint32_t sl__dlg_user(struct sl_dlg_table *t, uint32_t id);

/**
 * sl__dlg_terminate() - ends dialog or set @id now, without a callback
 * (the UA gave up; a set whose transaction terminated). Its timer stops,
 * its id dies. The dialogs of a set are not affected.
 * Return: 0; SL_EINVAL; SL_ENOTFOUND.
 */
int sl__dlg_terminate(struct sl_dlg_table *t, uint32_t id);

/**
 * struct sl_dlg_stats - pool use and answers, for tests and diagnostics.
 * @used, @high, @cap: slots in use now, the most ever, the pool size.
 * @rejected_503: requests answered 503 because the pool was full.
 * @answered_481, @answered_491, @answered_500: §12.2.2 and §14.2 answers
 *               (500: out of order and overlapping INVITEs).
 * @absorbed_ack: ACKs that matched no dialog.
 */
struct sl_dlg_stats {
	uint32_t used, high, cap;
	uint64_t rejected_503;
	uint64_t answered_481;
	uint64_t answered_491;
	uint64_t answered_500;
	uint64_t absorbed_ack;
};

/** Return: 0 or SL_EINVAL. */
int sl__dlg_stats(const struct sl_dlg_table *t, struct sl_dlg_stats *out);

#endif /* SL_DIALOG_H */
