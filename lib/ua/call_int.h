/*
 * lib/ua/call_int.h: the call engine's private state - lines, their call
 * state machines and the helpers shared by call.c, call_out.c, call_in.c,
 * call_media.c, call_route.c, call_text.c, call_lines.c, prack.c,
 * session_timer.c and message.c (and the media files through
 * media_int.h). Nothing outside lib/ua includes it (the call unit tests
 * do).
 *
 * Owns: struct sl_calls (ua->calls): the line pool (max_lines slots,
 * allocated once by sl__ua_calls_create(), each wired when first used),
 * its indexes (call_lines.c), the block store of the lines' texts
 * (call_text.c), the dialog table, the session id counter and the
 * scratch session descriptions.
 * Thread: the SIP loop thread only.
 *
 * Call instance data (FEATURES.md C8) on the wire: when a call carries
 * instance data, the INVITE body is
 *
 *   Content-Type: multipart/mixed;boundary=sipline-idata-<N>
 *
 *   --sipline-idata-<N>CRLF
 *   Content-Type: application/sdpCRLF
 *   CRLF
 *   <the SDP offer, when the call has one>CRLF
 *   --sipline-idata-<N>CRLF
 *   Content-Type: application/vnd.sipline.instance-dataCRLF
 *   Content-Transfer-Encoding: binaryCRLF
 *   CRLF
 *   <the instance bytes, 1..SL_CALL_IDATA_MAX, any octets>CRLF
 *   --sipline-idata-<N>--CRLF
 *
 * (RFC 2046 §5.1.1): N is a decimal number chosen so that the delimiter
 * occurs in neither part. The SDP part is left out for a call without an
 * offer. A call without instance data sends a plain application/sdp body
 * (or none): byte for byte what it would send without the feature. On
 * receipt any multipart/mixed INVITE body is split at its boundary; the
 * first application/sdp part is the offer and the first
 * application/vnd.sipline.instance-data part is delivered with
 * SL_EV_INCOMING.
 */
#ifndef SL_UA_CALL_INT_H
#define SL_UA_CALL_INT_H

#include "ua_int.h"
#include "dialog/dialog.h"
#include "sipline/call.h"
#include "sipline/sdp.h"

struct sl_blocks;

#define SL_CALL_LOG "call"

enum {
	SL_CALL_SDP_MAX = 4096,       /* one description's text */
	SL_CALL_BRANCH_MAX = 32,      /* our ACK's branch (sl__txn_branch():
				       * 29 characters) */
	SL_CALL_IDATA_MAX = 1024,     /* call instance data bytes */
	SL_CALL_BODY_MAX = SL_CALL_SDP_MAX + SL_CALL_IDATA_MAX + 512,
	SL_CALL_NAME_MAX = 128,       /* display names kept per line */
	SL_CALL_REDIRECTS = 3,        /* 3xx followed per call */
	SL_CALL_422_MAX = 2,          /* 422 retries per INVITE */
	SL_CALL_MIN_SE = 90           /* RFC 4028 §4 floor */
};

/* The variable-size parts of a line, each a block of the engine's store
 * (struct sl_calls @blocks) while set. */
enum sl_line_text {
	SL_LT_CALLEE = 0,
	SL_LT_CALL_ID,
	SL_LT_PEER,
	SL_LT_PEER_DISPLAY,
	SL_LT_LOCAL,
	SL_LT_LOCAL_DISPLAY,
	SL_LT_TLS_NAME,               /* target.tls_name */
	SL_LT_LOCAL_SDP,
	SL_LT_REMOTE_SDP,
	SL_LT_IDATA,
	SL_LT__COUNT
};

/**
 * struct sl_line_target - where a call's peer is: the INVITE's target
 * (UAC) or source (UAS), without the names of a struct sl_route_target
 * (only TLS needs one, kept as the line's SL_LT_TLS_NAME text).
 */
struct sl_line_target {
	enum sl_tp tp;
	uint32_t flow;
	struct sl_addr addr;
	const char *tls_name;         /* NULL: none (UDP, TCP) */
};

/* What an outstanding re-INVITE (or UPDATE) of ours is for. */
enum sl_reinv_kind {
	SL_REINV_NONE = 0,
	SL_REINV_HOLD,
	SL_REINV_UNHOLD,
	SL_REINV_MEDIA,               /* sl_call_update_media() */
	SL_REINV_REFRESH,             /* session timer refresh (RFC 4028) */
	SL_REINV_NETWORK              /* new address (B3) */
};

/**
 * struct sl_line - one call slot. Everything is reset when the call ends
 * (line_free()), except @idx.
 * @session:   the call's session id; 0 when idle.
 * @dlg:       the early or confirmed dialog of the call (0: none yet).
 * @set:       UAC: the dialog set of our INVITE.
 * @send:      UAC: the router send of our INVITE while it runs.
 * @inv_txn:   UAC: our INVITE's client transaction (once known);
 *             UAS: the INVITE's server transaction.
 * @target:    UAC: where the INVITE went; UAS: the INVITE's source. An
 *             in-dialog request goes to the dialog's next hop instead
 *             when that is numeric, and is located (RFC 3263) when it is
 *             a name (call_route.c); @target serves when the dialog has
 *             no hop yet.
 * @local_sdp, @remote_sdp: the last descriptions sent and received.
 * @offer_out: we sent an offer that awaits its answer (in the INVITE, a
 *             re-INVITE, a 2xx).
 */
struct sl_line {
	unsigned idx;
	struct sl_ua *ua;             /* the owner (timer callbacks) */
	int session;
	enum sl_line_state state;
	int outgoing;
	uint32_t dlg;
	uint32_t set;
	uint32_t send;
	uint32_t inv_txn;
	uint32_t inv_cseq;
	uint32_t cancel_txn;
	uint32_t bye_txn;
	uint32_t reinv_txn;           /* our re-INVITE or UPDATE */
	uint32_t prack_txn;
	struct sl_line_target target;
	int have_target;
	/* The located target of the dialog's next hop when that is a host
	 * name (call_route.c): @hop names the hop (a hash of its URI). */
	int have_hop;
	uint32_t hop;
	enum sl_tp hop_tp;
	uint32_t hop_flow;
	struct sl_addr hop_addr;
	char ack_branch[SL_CALL_BRANCH_MAX];

	/* who: NUL-terminated text in blocks of the engine's store, set
	 * with sl__line_text_set() ("" while unset) */
	char *callee;
	char *call_id;
	char *peer;
	char *peer_display;
	char *local;
	char *local_display;

	/* outgoing progress */
	int got_1xx;
	int trying_sent;
	int cancel_pending;           /* hang-up before any 1xx (§9.1) */
	int bye_pending;              /* hang-up before the ACK (§15) */
	int cancelled;                /* CANCEL sent or received */
	unsigned redirects;
	unsigned n_422;
	enum sl_close_reason closing;

	/* media */
	int want_audio, want_video;
	int offered_video;            /* an m=video line exists in our SDP */
	int no_sdp;                   /* INVITE without offer */
	int offer_out;
	int we_offered;               /* the last completed exchange was
				       * our offer and the peer's answer */
	int hold;                     /* we hold the peer */
	int remote_hold;              /* the peer holds us */
	unsigned sdp_version;
	char sdp_id[24];
	/* The descriptions and the instance data, in blocks of the
	 * engine's store too (at most SL_CALL_SDP_MAX and
	 * SL_CALL_IDATA_MAX bytes; sl__line_text_set()). */
	char *local_sdp;
	size_t local_len;
	char *remote_sdp;
	size_t remote_len;
	unsigned char *idata;
	size_t idata_len;
	uint16_t text_cap[SL_LT__COUNT]; /* block capacities (0: none) */
	int peer_update;              /* the peer allows UPDATE */

	/* re-INVITE / UPDATE of ours */
	enum sl_reinv_kind reinv;
	enum sl_reinv_kind glare_kind;
	int reinv_update;             /* the request in flight is UPDATE */
	struct sl_timer glare;

	/* RFC 3262 */
	int peer_100rel;              /* the peer's INVITE supports 100rel */
	uint32_t rseq;                /* UAS: the unacknowledged RSeq (0:
				       * none) */
	uint32_t last_rseq;           /* UAS: the last RSeq sent */
	unsigned rel_tries;
	uint64_t rel_ms;              /* UAS: since the reliable 1xx went
				       * out, at the next firing */
	int pending_183;              /* 183 waits for the 180's PRACK */
	int rel_sdp;                  /* UAS: the unacknowledged reliable
				       * 1xx carries a description (no 2xx
				       * before its PRACK, §3) */
	int answer_pending;           /* UAS: sl_call_answer() waits for
				       * that PRACK */
	int answer_video;
	int early_oa;                 /* an offer/answer exchange completed
				       * in the early dialog (reliable 1xx
				       * and PRACK, or UPDATE): the 2xx and
				       * the ACK carry no new one */
	int prack_answer;             /* UAC: our PRACK in flight carries
				       * the answer (a 401/407 resends it) */
	struct sl_timer rel_timer;

	/* RFC 4028 */
	uint32_t se;                  /* session interval (s); 0: none */
	uint32_t min_se;
	int refresher_us;
	int peer_timer;               /* the peer supports "timer" */
	int st_refresh_sent;          /* our refresh awaits its 2xx */
	struct sl_timer st_timer;
};

/** struct sl_calls - the engine (ua->calls). */
struct sl_calls {
	struct sl_ua *ua;
	struct sl_line *lines;
	unsigned n_lines;
	struct sl_dlg_table *dlg;     /* made at first use (the transaction
				       * layer exists only after
				       * sl__ua_calls_create()) */
	int next_session;
	enum sl_forward_mode fwd_mode;
	char fwd_target[SL_UA_URI_MAX];
	int dnd;
	int dnd_decline;
	unsigned boundary_seq;
	char mp_type[80];             /* the multipart Content-Type */
	int codecs_ready;
	struct sl_sdp_codec acodecs[16]; /* from cfg.audio_codecs */
	struct sl_sdp_codec vcodecs[16]; /* from cfg.video_codecs */
	unsigned n_acodecs, n_vcodecs;
	char codec_names[400];        /* the names the codecs point at */
	char body[SL_CALL_BODY_MAX];  /* scratch: a body being built */
	struct sl_sdp sdp_a;          /* scratch descriptions */
	struct sl_sdp sdp_b;
	struct sl_sdp sdp_c;
	struct sl_calls_routed *routed; /* call_route.c */
	struct sl_blocks *blocks;     /* the lines' texts (call_text.c) */
	uint64_t *free_bits;          /* bit i: line i is free
				       * (call_lines.c) */
	uint32_t *sess;               /* session -> line index + 1 */
	uint32_t sess_mask;
	char sdp_out[SL_CALL_SDP_MAX]; /* scratch: a description written
				       * before it goes into its block */
};

/* ---- call.c: lines, events, plumbing ---- */

struct sl_calls *sl__calls(struct sl_ua *ua);
struct sl_dlg_table *sl__calls_dlg(struct sl_ua *ua);
struct sl_line *sl__calls_new_line(struct sl_ua *ua);
struct sl_line *sl__calls_by_dlg(struct sl_ua *ua, uint32_t dlg);
struct sl_line *sl__calls_by_user(struct sl_ua *ua, void *user);
void sl__calls_set_state(struct sl_ua *ua, struct sl_line *ln,
			 enum sl_line_state s);
/** The state after a media change: HELD, REMOTE_HELD or CONNECTED. */
void sl__calls_settle(struct sl_ua *ua, struct sl_line *ln);
/** Ends the call: SL_EV_CLOSED with @why and @code, timers stopped,
 * dialogs dropped, the line idle. */
void sl__calls_close(struct sl_ua *ua, struct sl_line *ln,
		     enum sl_close_reason why, int code, const char *reason,
		     const struct sl_rxbuf *rx);
/** An event of @type for @ln (session, line, Call-ID, peer filled). */
void sl__calls_event_init(const struct sl_line *ln, struct sl_event *ev,
			  enum sl_event_type type);
int sl__calls_emit(struct sl_ua *ua, struct sl_event *ev);
/* ---- call_lines.c ---- */

/** Makes / frees the free-line bitmap and the session hash. */
int sl__lines_index_create(struct sl_ua *ua);
void sl__lines_index_destroy(struct sl_ua *ua);
/** The lowest free line, taken (NULL: every line is busy). */
struct sl_line *sl__lines_take(struct sl_ua *ua);
/** @ln is free again / taken after all. */
void sl__lines_give(struct sl_ua *ua, struct sl_line *ln);
void sl__lines_hold(struct sl_ua *ua, struct sl_line *ln);
/** Files / unfiles ln->session (> 0) under @ln. */
void sl__lines_session_add(struct sl_ua *ua, struct sl_line *ln);
void sl__lines_session_del(struct sl_ua *ua, struct sl_line *ln);
/** The line of @session, or NULL. */
struct sl_line *sl__lines_by_session(struct sl_ua *ua, int session);

/* ---- call_text.c ---- */

/** Makes / frees the store of the lines' texts (with the engine). */
int sl__line_text_create(struct sl_ua *ua);
void sl__line_text_destroy(struct sl_ua *ua);
/** Points every text of a cleared line at "" (no block). */
void sl__line_text_init(struct sl_line *ln);
/** Gives every block of @ln back (the call ended). */
void sl__line_text_free(struct sl_line *ln);
/**
 * sl__line_text_set() - sets text @which of @ln to @len bytes at @p (a
 * NUL is added; @p may point into the text it replaces). @len 0 clears
 * it (its block goes back).
 * Return: 0; SL_ETOOBIG past the field's limit (SL_UA_URI_MAX for URIs,
 * SL_CALL_NAME_MAX for names, SL_CALL_SDP_MAX, SL_CALL_IDATA_MAX...);
 * SL_ENOMEM when the store is used up (the old text stays).
 */
int sl__line_text_set(struct sl_ua *ua, struct sl_line *ln,
		      enum sl_line_text which, const void *p, size_t len);
/** The same for a NUL-terminated string. */
int sl__line_text_str(struct sl_ua *ua, struct sl_line *ln,
		      enum sl_line_text which, const char *s);
/** Takes target @tg (transport, address, flow, TLS name) for @ln. */
int sl__line_target_set(struct sl_ua *ua, struct sl_line *ln,
			const struct sl_route_target *tg);
/** @ln's target as a struct sl_route_target, for a pinned send. */
void sl__line_target_get(const struct sl_line *ln,
			 struct sl_route_target *out);

/* ---- call_route.c ---- */

struct sl_calls_routed;

/** Allocates / frees the routed send slots (with the call engine). */
int sl__calls_routed_create(struct sl_ua *ua);
void sl__calls_routed_destroy(struct sl_ua *ua);
/** Where requests of @ln's dialog go and the Via for them (§12.2.1.1):
 * the first route or the remote target; a numeric host as it is.
 * Return: 0; SL_EAGAIN when the hop is a host name not located yet (send
 * through sl__calls_route_request(), or sl__calls_hop_lookup() for an
 * ACK); SL_ETRANSPORT when there is nowhere to send. */
int sl__calls_dest(struct sl_ua *ua, struct sl_line *ln,
		   struct sl_tp_dest *dst, char *host, size_t cap,
		   uint16_t *port);
/** 1 when the next hop of @ln's dialog is a host name: requests with a
 * transaction then go through sl__calls_route_request() every time (the
 * RFC 3263 fail-over; the cached target serves ACKs only). */
int sl__calls_hop_is_name(struct sl_ua *ua, struct sl_line *ln);
/** Sends request @buf (built with a dummy top Via) of @ln's dialog to its
 * host-name hop through the router (RFC 3263 with fail-over). @txn: a
 * stand-in id its events come under. Return: 0; SL_ENOMEM (slots);
 * SL_ETOOBIG; the router's errors. */
int sl__calls_route_request(struct sl_ua *ua, struct sl_line *ln,
			    const char *buf, size_t len, uint32_t *txn);
/** The stand-in id of transaction @txn when the router sent it for a
 * line, else @txn itself (the transaction seam translates with it). */
uint32_t sl__calls_route_txn(struct sl_ua *ua, uint32_t txn);
/** Transaction (stand-in) @txn terminated: its slot is free. */
void sl__calls_route_done(struct sl_ua *ua, uint32_t txn);
/** Locates @ln's host-name hop, keeps the target, then calls @then.
 * Return: 0 (started or already under way) or an error. */
int sl__calls_hop_lookup(struct sl_ua *ua, struct sl_line *ln,
			 void (*then)(struct sl_ua *ua, struct sl_line *ln));
/** The ACK of a 2xx to our re-INVITE (@fresh: a new branch; else the one
 * of the first ACK, for a retransmitted 2xx). */
void sl__calls_reinv_ack(struct sl_ua *ua, struct sl_line *ln, int fresh);

/** Our Contact URI towards @peer over @tp (no angle brackets). */
int sl__calls_contact(struct sl_ua *ua, enum sl_tp tp,
		      const struct sl_addr *peer,
		      const struct sl_addr *bound, char *out, size_t cap);
/** Sends request @method in @ln's dialog (user pointer: the line). */
/** Returns @ln to idle: cleared, its timers ready to arm again. */
void sl__calls_line_reset(struct sl_line *ln);

/** The line holding @session, or NULL (ended or never existed). */
struct sl_line *sl__calls_by_session(struct sl_ua *ua, int session);

/** Ends the call on @ln the way its state asks: 603 while ringing, CANCEL
 * before an answer, BYE after (deferred until the ACK while answering). */
int sl__calls_hangup(struct sl_ua *ua, struct sl_line *ln);

int sl__calls_send(struct sl_ua *ua, struct sl_line *ln, const char *method,
		   const struct sl_txn_hdr *hdrs, unsigned n_hdrs,
		   const char *ctype, const void *body, size_t len,
		   uint32_t *txn);

/* Digest for a line's own requests (lib/ua/call.c has the full comments):
 * add the cached credentials, retry after a 401/407, settle the cache on a
 * final response, and send the 2xx ACK with the INVITE's credentials. */
int sl__calls_auth_add(struct sl_ua *ua, struct sl_line *ln, char *buf,
		       size_t len, size_t cap);
int sl__calls_auth_retry(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 const struct sl_rxbuf *rx);
void sl__calls_auth_final(struct sl_ua *ua, struct sl_line *ln,
			  uint32_t txn, const struct sl_rxbuf *rx);
int sl__calls_send_ack(struct sl_ua *ua, struct sl_line *ln, uint32_t dlg,
		       const struct sl_dlg_via *via, const char *ctype,
		       const void *body, size_t len, struct sl_tp_dest *dst);

/** BYE in @ln's dialog; the line goes CLOSING (reason @why). */
int sl__calls_bye(struct sl_ua *ua, struct sl_line *ln,
		  enum sl_close_reason why);
/** Copies slice @s NUL-terminated (truncating). */
const char *sl__calls_cstr(struct sl_slice s, char *out, size_t cap);
/** 1 when the comma-separated header @id of @m lists @tag. */
int sl__calls_has_tag(const struct sl_msg *m, enum sl_hdr_id id,
		      const char *tag);

/* ---- call_api.c: per-session public calls on their way to the loop ---- */

/** struct sl_call_args - a public call's arguments; @ext: the caller's
 * own further arguments (media_api.c, info.c). */
struct sl_call_args {
	struct sl_ua *ua;
	int session;
	int a, b;
	const char *s;
	const struct sl_call_params *p;
	void *ext;
};

/** Checks @x->ua (SL_EINVAL) and @x->session (SL_ESESSION), then runs
 * @fn(@x) on the loop (sl__ua_call()). Thread: any. */
int sl__calls_on_session(struct sl_call_args *x, int (*fn)(void *arg));

/** The line of @x->session in *@out, or SL_ESESSION. Thread: the loop. */
int sl__calls_find(struct sl_call_args *x, struct sl_line **out);

/* ---- call_out.c ---- */

/** The sip:/sips: URI for what the user typed: a full URI, "user@host",
 * "tel:number" or a bare user at the account's domain (escaped).
 * Return: its length; SL_EINVAL when it is no usable SIP URI. */
int sl__calls_resolve_uri(struct sl_ua *ua, const char *in, char *out,
			  size_t cap);
int sl__call_out_start(struct sl_ua *ua, struct sl_line *ln);
void sl__call_out_response(struct sl_ua *ua, struct sl_line *ln,
			   uint32_t txn, struct sl_rxbuf *rx);
int sl__call_out_hangup(struct sl_ua *ua, struct sl_line *ln);

/* ---- call_in.c ---- */

int sl__call_in_invite(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx);
void sl__call_in_request(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 struct sl_rxbuf *rx);
void sl__call_in_ack(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_rxbuf *rx);
int sl__call_in_cancel(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx,
		       uint32_t target);
int sl__call_in_answer(struct sl_ua *ua, struct sl_line *ln, int video);
int sl__call_in_reject(struct sl_ua *ua, struct sl_line *ln, int code,
		       const char *contact);
/** Sends the answer sl_call_answer() deferred (a PRACK or the answer to
 * our early UPDATE was awaited) once nothing holds it any more. */
void sl__call_in_answer_resume(struct sl_ua *ua, struct sl_line *ln);
/** Refuses the ringing INVITE of @ln with @code on our own account (no
 * PRACK came...) and closes the line with @why. */
void sl__call_in_fail(struct sl_ua *ua, struct sl_line *ln, int code,
		      enum sl_close_reason why);
/** Answers the INVITE of @ln (dialog respond) with the UA's headers. */
int sl__call_in_respond(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			int status, const struct sl_txn_hdr *extra,
			unsigned n_extra, const char *ctype,
			const void *body, size_t len);

/* ---- call_media.c ---- */

/** Writes our offer into ln->local_sdp. Return: its length or an error. */
int sl__media_offer(struct sl_ua *ua, struct sl_line *ln,
		    const struct sl_addr *peer);
/** Our answer to the offer in ln->remote_sdp into ln->local_sdp.
 * Return: accepted streams (0: 488); SL_EPARSE for a bad offer. */
int sl__media_answer(struct sl_ua *ua, struct sl_line *ln,
		     const struct sl_addr *peer);
/** Keeps @body (an answer or offer from the peer) in ln->remote_sdp.
 * Return: 0; SL_EPARSE. */
int sl__media_remote(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_slice body);
/** Fills codec names, has_audio/video and direction of @ev from the
 * exchange (negotiated when both sides are known, else the remote's
 * offer). @store keeps the strings during the emit. */
void sl__media_fill(struct sl_ua *ua, struct sl_line *ln,
		    struct sl_event *ev, char *store, size_t cap);
/** 1 when the peer's description holds us (sendonly/inactive audio). */
int sl__media_remote_holds(struct sl_ua *ua, const struct sl_line *ln);
/** The body of a message: its SDP and instance data (multipart/mixed
 * split). Return: 0; SL_EPARSE. */
int sl__media_split(const struct sl_msg *m, struct sl_slice *sdp,
		    struct sl_slice *idata);
/** The INVITE body of @ln (SDP, multipart with instance data, or none)
 * into @out. Return: its length (0: none) and the Content-Type. */
int sl__media_invite_body(struct sl_ua *ua, struct sl_line *ln, char *out,
			  size_t cap, const char **ctype);

/* ---- prack.c ---- */

/** UAC: a reliable 1xx: PRACK it; when it carries an offer (our INVITE
 * had none, RFC 3262 §5) the PRACK carries our answer. Return: 1 when
 * the 1xx was new and completed an offer/answer exchange, 0 otherwise. */
int sl__prack_on_1xx(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_rxbuf *rx);
/** UAS: whether our offer goes in a reliable 1xx (the INVITE had none and
 * 100rel is in use): 180 (it is reliable anyway) or 183 (early media).
 * Return: 180, 183 or 0 (the offer waits for the 2xx). */
int sl__prack_offer_status(struct sl_ua *ua, const struct sl_line *ln);
/** UAS: whether a 18x (@has_body) to @ln goes reliably. */
int sl__prack_reliable(struct sl_ua *ua, const struct sl_line *ln,
		       int has_body);
/** UAS: sends 18x @status reliably or not. */
int sl__prack_send_1xx(struct sl_ua *ua, struct sl_line *ln, int status,
		       const char *ctype, const void *body, size_t len);
/** UAS: a PRACK request in @ln's dialog. */
void sl__prack_on_prack(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			struct sl_rxbuf *rx);
void sl__prack_stop(struct sl_ua *ua, struct sl_line *ln);
void sl__prack_timer_init(struct sl_line *ln);
/** The 100rel headers for our INVITE (0..1 written to @h). */
unsigned sl__prack_invite_hdrs(struct sl_ua *ua, struct sl_txn_hdr *h);

/* ---- session_timer.c ---- */

/** Session-Expires / Min-SE for a request of ours (0..2 to @h);
 * @buf holds the values. */
unsigned sl__st_request_hdrs(struct sl_ua *ua, struct sl_line *ln,
			     struct sl_txn_hdr *h, char *buf, size_t cap);
/** UAS: the INVITE's timer request. Return: 0, or 422 when too small
 * (the caller answers with Min-SE). */
int sl__st_on_request(struct sl_ua *ua, struct sl_line *ln,
		      const struct sl_msg *m);
/** UAS: Session-Expires / Require for our 2xx (0..2). */
unsigned sl__st_response_hdrs(struct sl_ua *ua, struct sl_line *ln,
			      const struct sl_msg *req,
			      struct sl_txn_hdr *h, char *buf, size_t cap);
/** UAC: a 2xx to our INVITE / re-INVITE / UPDATE: arm the timer. */
void sl__st_on_2xx(struct sl_ua *ua, struct sl_line *ln,
		   const struct sl_msg *m);
/** UAC: a 422: take its Min-SE. Return: 1 when a retry makes sense. */
int sl__st_on_422(struct sl_ua *ua, struct sl_line *ln,
		  const struct sl_msg *m);
/** Arms the timer for the current interval and refresher. */
void sl__st_arm(struct sl_ua *ua, struct sl_line *ln);
void sl__st_stop(struct sl_ua *ua, struct sl_line *ln);
void sl__st_timer_init(struct sl_line *ln);
/** Sends a re-INVITE or UPDATE of @kind (call.c's machine). */
int sl__calls_reinvite(struct sl_ua *ua, struct sl_line *ln,
		       enum sl_reinv_kind kind);

#endif /* SL_UA_CALL_INT_H */
