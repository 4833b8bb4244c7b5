/*
 * lib/ua/ua_int.h: the inside of a struct sl_ua, shared by the files of
 * lib/ua (ua.c, events.c, register.c, account.c, options.c, headers.c,
 * auth.c, network.c, netif.c) and by the call engine built on them.
 * Nothing outside lib/ua includes it, except the ua unit tests.
 *
 * Owns: the layout of struct sl_ua and the internal API a UA module uses:
 *  - sending: requests go through the router (ua->router, lib/txn/route.h)
 *    with a build callback that starts with sl__ua_build_start() (request
 *    line, Via, Max-Forwards, Route to the outbound proxy, User-Agent) and
 *    adds the account's identity (sl__ua_aor(), sl__ua_contact()) and
 *    credentials (sl__ua_auth_write()). Responses go out with
 *    sl__ua_respond() (Server, a To tag). Every message leaving the UA,
 *    whoever built it (the transaction layer's ACKs, CANCELs and 100s, the
 *    dialog layer's requests), passes through the UA's io (ua.c), which
 *    applies the custom header rules (headers.c) and reports it as
 *    SL_EV_SIP_SENT: no builder has to remember either;
 *  - events: fill a struct sl_event with pointers that need only live
 *    during the call and pass it to sl__ua_emit(); it is copied;
 *  - the call engine's seam: the sl__ua_calls_*() functions below are
 *    called by the UA core at fixed points (creation, incoming requests,
 *    client transaction events, network change, shutdown). lib/ua/
 *    calls_none.c implements them for a UA without calls; the call engine
 *    replaces that file.
 *
 * Thread: every sl__ua_*() function runs on the SIP loop thread (or before
 * the loop runs), except sl__ua_call(), sl__ua_kick() and sl__ua_wait().
 * The public functions marshal onto the loop with sl__ua_call().
 */
#ifndef SL_UA_INT_H
#define SL_UA_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/timer.h"
#include "txn/route.h"
#include "txn/txn.h"
#include "transport/transport.h"
#include "sipline/build.h"
#include "sipline/digest.h"
#include "sipline/event.h"
#include "sipline/msg.h"
#include "sipline/ua.h"

#define SL_UA_LOG "ua"

enum {
	SL_UA_MAX_LINES = 16384,     /* config bound on max_lines (the
				      * dialog pool holds 2 per line) */
	SL_UA_HDR_RULES = 32,        /* custom header rules at once */
	SL_UA_HDR_NAME_MAX = 64,     /* bytes of a rule's header name */
	SL_UA_HDR_VALUE_MAX = 512,   /* bytes of a rule's value */
	SL_UA_METHOD_MAX = 32,       /* bytes of a method name */
	SL_UA_MIME_EXTRA = 32,       /* sl_ua_accept_mime() entries */
	SL_UA_MIME_MAX = 96,         /* bytes of a media type */
	SL_UA_URI_MAX = 512,         /* URIs the UA writes */
	SL_UA_CONTACT_MAX = 768,     /* a Contact value with its params */
	SL_UA_TAG_MAX = 32,
	SL_UA_CALL_ID_MAX = 96,
	SL_UA_AUTH_VALUE_MAX = 1024, /* one Authorization value */
	SL_UA_AUTH_REALMS = 4,       /* digest cache entries per account */
	SL_UA_REQ_COPY_MAX = 4096,   /* the last REGISTER kept for digest */
	SL_UA_EV_RESERVE_MIN = 8,    /* event slots kept for non-SIP events */
	SL_UA_EXPIRES_MAX = 3600,
	SL_UA_RETRY_MAX_MS = 60000,  /* back-off ceiling (sipline/ua.h) */
	SL_UA_423_MAX = 2,           /* 423 answers followed in a row */
	SL_UA_AUTH_MAX_ROUNDS = 4    /* 401/407 answered in a row */
};

/* ---- test hooks ---- */

/**
 * struct sl_ua_hooks - what a test may inject at creation
 * (sl__ua_create_ex()). Zero fields keep the normal behaviour.
 * @clock:   the loop's clock (a struct sl_vclock for fast-forwarded
 *           time); NULL: the monotonic clock. The bounded waits of
 *           sl_ua_destroy() and sl_ua_unregister() always use real time.
 * @send:    replaces the transport manager's send under the UA's io (it
 *           gets the bytes after the header rules); @send_arg is its arg.
 * @seed:    the transaction layer's seed (branches, tags), for
 *           repeatable runs; 0: random.
 * @interfaces: replaces sl_net_interfaces() where the UA asks which
 *           addresses the machine has (sl_ua_network_changed()), so a
 *           test can make an address vanish; @interfaces_arg is its arg.
 */
struct sl_ua_hooks {
	const struct sl_clock *clock;
	int (*send)(void *arg, struct sl_tp_dest *dst, const char *buf,
		    size_t len);
	void *send_arg;
	uint64_t seed;
	int (*interfaces)(void *arg, struct sl_net_if *out, unsigned cap);
	void *interfaces_arg;
};

/** sl_ua_create() with test hooks (@h NULL: none). Thread: any. */
int sl__ua_create_ex(struct sl_ua **out, const struct sl_ua_config *cfg,
		     const struct sl_ua_hooks *h);

/* ---- events (events.c) ---- */

struct sl_ua_ev_slot;

/** struct sl_ua_ring - a byte ring freed in allocation order. */
struct sl_ua_ring {
	unsigned char *mem;
	size_t cap;
	size_t head;                  /* next allocation */
	size_t tail;                  /* oldest live allocation */
	size_t used;
};

/**
 * struct sl_ua_events - the event queue of both delivery modes. Events
 * are copied into a slot (the struct) and a payload ring (every string,
 * the raw message, the body), in FIFO order; callback mode drains the
 * queue from a zero-delay loop timer, so a callback never runs inside the
 * UA code that raised the event, and queue mode drains it through
 * sl_ua_event_next(). Payloads of SIP-message events go to ring[1], the
 * others to ring[0]. The event handed to the application (@held) stays
 * allocated until it is released.
 * @general:  slots SIP-message events may use; the rest (@n_slots -
 *            @general) is kept for the other events.
 */
struct sl_ua_events {
	struct sl_ua_ev_slot *slots;
	unsigned n_slots;
	unsigned general;
	unsigned used;                /* slots queued or held */
	unsigned n_sipmsg;            /* SIP-message events queued */
	struct sl_ua_ev_slot *head;   /* oldest queued */
	struct sl_ua_ev_slot *tail;
	struct sl_ua_ev_slot *free;   /* released slots */
	unsigned fresh;               /* slots never used start here */
	struct sl_ua_ev_slot *held;   /* handed out, released at the next
				       * sl_ua_event_next() / after the
				       * callback */
	struct sl_ua_ring ring[2];
	int efd;                      /* queue mode: readable while events
				       * wait; -1 otherwise */
	int efd_set;                  /* the eventfd counter is non-zero */
	struct sl_timer flush;        /* callback mode */
	uint64_t dropped;             /* SIP-message events dropped */
	uint64_t lost;                /* other events dropped (a queue the
				       * application never drains) */
	uint64_t stripped;            /* events delivered without raw */
};

int sl__ua_events_init(struct sl_ua *ua);
void sl__ua_events_free(struct sl_ua *ua);

/**
 * sl__ua_emit() - queues a copy of @ev: every string, @raw, @body and
 * @instance_data are copied (@body is kept as a pointer into the copy of
 * @raw when it lies inside it). NULL strings stay NULL, except @reason,
 * which becomes "". SL_EV_SIP_SENT / SL_EV_SIP_RECEIVED are dropped first
 * when the queue is full (event.h).
 * Return: 0; SL_ENOMEM when the event was dropped.
 */
int sl__ua_emit(struct sl_ua *ua, const struct sl_event *ev);

/** SL_EV_SIP_SENT / SL_EV_SIP_RECEIVED for @buf when switched on. */
void sl__ua_emit_sip(struct sl_ua *ua, enum sl_event_type type,
		     const char *buf, size_t len);

/**
 * sl__ua_emit_status() - a UA-wide event (session 0, line -1) with @code,
 * @reason (NULL: the response's phrase, or "" without one) and @rx's
 * bytes as raw (may be NULL).
 */
int sl__ua_emit_status(struct sl_ua *ua, enum sl_event_type type, int code,
		       const char *reason, const struct sl_rxbuf *rx,
		       uint32_t expires);

/** Delivers what is queued, in callback mode (the flush timer's job;
 * sl_ua_destroy() calls it after the loop stopped). */
void sl__ua_events_flush(struct sl_ua *ua);

/* ---- custom headers (headers.c) ---- */

enum sl_ua_hdr_kind {
	SL_UA_HDR_ADD = 0,
	SL_UA_HDR_MODIFY = 1
};

struct sl_ua_hdr_rule {
	int id;                       /* > 0; 0: free */
	enum sl_ua_hdr_kind kind;
	int session;                  /* 0: every message */
	unsigned dir;                 /* enum sl_header_dir bits */
	char method[SL_UA_METHOD_MAX];/* "": every method */
	char name[SL_UA_HDR_NAME_MAX];
	char value[SL_UA_HDR_VALUE_MAX];
	enum sl_hdr_id hid;           /* SL_HDR_OTHER for unknown names */
};

struct sl_ua_hdrs {
	struct sl_ua_hdr_rule rules[SL_UA_HDR_RULES];
	unsigned n;                   /* rules in use */
	int next_id;
	char *out;                    /* the rewritten message */
	size_t out_cap;
	void *arena;                  /* parse arena for the rewrite */
	size_t arena_cap;
};

/**
 * sl__ua_hdr_apply() - applies the rules matching message @buf (its
 * method, direction and, through sl__ua_calls_session(), its call) and
 * returns where the bytes to send are: @buf itself when no rule matched,
 * else the rewritten copy in ua->hdrs.out.
 * Return: 0 with @out and @out_len set; SL_ETOOBIG when the rewritten
 * message would not fit; SL_EPARSE when @buf does not parse (it is sent
 * unchanged then: the caller decides).
 */
int sl__ua_hdr_apply(struct sl_ua *ua, const char *buf, size_t len,
		     const char **out, size_t *out_len);

/* ---- accepted body types (options.c) ---- */

struct sl_ua_mime {
	struct {
		char method[SL_UA_METHOD_MAX]; /* "": every method */
		char type[SL_UA_MIME_MAX];
	} extra[SL_UA_MIME_EXTRA];
	unsigned n;
};

/** 1 when a body of @content_type may come in a request of @method. */
int sl__ua_mime_ok(const struct sl_ua *ua, struct sl_slice method,
		   struct sl_slice content_type);

/* ---- the account (account.c) ---- */

struct sl_ua_acct {
	int set;                      /* sl_ua_set_account() succeeded */
	struct sl_account a;
	char user_esc[3 * sizeof(((struct sl_account *)0)->user)];
	char aor[SL_UA_URI_MAX];      /* sip:user@domain */
};

/** The address-of-record "sip:user@domain" (escaped user). Return: its
 * length; SL_ESTATE without an account; SL_ENOSPC. */
int sl__ua_aor(const struct sl_ua *ua, char *out, size_t cap);

/** The display name ("" when none). */
const char *sl__ua_display(const struct sl_ua *ua);

/**
 * sl__ua_local_for() - our address towards @peer over @tp, for a Via
 * sent-by and a Contact: the bound socket's port, and as host config
 * local_ip, else the bound address, else (bound to any) the source
 * address the kernel routes to @peer from.
 * @bound: the socket's address (NULL: looked up with sl__tpmgr_local_for).
 * Return: 0; SL_ETRANSPORT when no socket serves @tp and @peer's family.
 */
int sl__ua_local_for(struct sl_ua *ua, enum sl_tp tp,
		     const struct sl_addr *peer, const struct sl_addr *bound,
		     struct sl_addr *out);

/**
 * sl__ua_contact() - our Contact value for messages over @tp from
 * @local: "<sip:user@host:port;transport=tcp>" followed, when @reg is
 * set (REGISTER) or the account asks for them on every Contact, by
 * ";+sip.instance=..;reg-id=N" (RFC 5626) and the 3GPP feature tags
 * (ims_tags). A sips: Request-URI is not considered: TLS gives
 * ";transport=tls".
 * Return: its length; SL_ESTATE without an account; SL_ENOSPC.
 */
int sl__ua_contact(const struct sl_ua *ua, enum sl_tp tp,
		   const struct sl_addr *local, int reg, char *out,
		   size_t cap);

/**
 * sl__ua_escape_user() - the RFC 3261 §25.1 user part of @user: every
 * character outside unreserved / user-unreserved, and every character of
 * @extra, %-escaped.
 * Return: its length; SL_ENOSPC.
 */
int sl__ua_escape_user(const char *user, const char *extra, char *out,
		       size_t cap);

/* ---- building and answering (ua.c, options.c) ---- */

/**
 * sl__ua_build_start() - the first lines of a request the router asks for
 * (@rb from the build callback): request line, Via (the target's
 * transport, our address towards it, @rb->branch, rport per the account),
 * Max-Forwards 70, a Route to the outbound proxy when @route_proxy is set
 * and the account has one, and User-Agent.
 * @local: set to the Via address (for the Contact) when not NULL.
 * Return: 0 or the builder's / sl__ua_local_for()'s error.
 */
int sl__ua_build_start(struct sl_ua *ua, struct sl_builder *b,
		       const struct sl_route_build *rb, const char *method,
		       const char *ruri, int route_proxy,
		       struct sl_addr *local);

/**
 * sl__ua_next_hop() - the URI a request outside a dialog goes to
 * (RFC 3261 §8.1.2): the outbound proxy when set, else @ruri; copied to
 * @out NUL-terminated, with ";transport=tcp" / ";transport=tls" added
 * for the account's transport when the sip: URI names none.
 * Return: its length; SL_ENOSPC.
 */
int sl__ua_next_hop(const struct sl_ua *ua, const char *ruri, char *out,
		    size_t cap);

/**
 * sl__ua_respond() - answers server transaction @txn: sl__txn_respond()
 * with a fresh To tag (when the request has none), a Server header and
 * @hdrs after it.
 * Return: as sl__txn_respond(); SL_EINVAL for more than 14 headers.
 */
int sl__ua_respond(struct sl_ua *ua, uint32_t txn, int status,
		   const char *reason, const struct sl_txn_hdr *hdrs,
		   unsigned n_hdrs, const char *content_type,
		   const void *body, size_t body_len);

/** The Allow value ("INVITE, ACK, ..."), for OPTIONS and 405. */
const char *sl__ua_allow(const struct sl_ua *ua);

/** Writes the Accept value for @method (every accepted type when @method
 * is empty) into @out. Return: its length; SL_ENOSPC. */
int sl__ua_accept(const struct sl_ua *ua, struct sl_slice method, char *out,
		  size_t cap);

/**
 * sl__ua_on_request() - an incoming request (the transaction layer's
 * request callback): the UA core's checks (501, 405, 415, 481 for a CANCEL
 * without its INVITE), then the call engine, then OPTIONS / MESSAGE and
 * the 481 for in-dialog requests nobody claimed.
 */
void sl__ua_on_request(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx,
		       uint32_t cancel_target);

/* ---- digest authentication (auth.c) ---- */

struct sl_ua_auth {
	struct sl_digest_entry slots[SL_UA_AUTH_REALMS];
	struct sl_digest_cache cache;
};

void sl__ua_auth_init(struct sl_ua *ua);

/** Forgets every realm (the account changed). */
void sl__ua_auth_reset(struct sl_ua *ua);

/**
 * sl__ua_auth_challenge() - a 401/407 @resp answered request @sent (the
 * bytes as they were sent): its challenges go into the account's digest
 * cache.
 * Return: 0: send the request again (sl__ua_auth_write() now has the
 * credentials); SL_EAUTH when the credentials were refused; SL_EUNSUPP
 * when no challenge can be answered (not Digest, an unknown algorithm);
 * SL_EPARSE for a response without a usable challenge; SL_ESTATE without
 * an account.
 */
int sl__ua_auth_challenge(struct sl_ua *ua, const struct sl_msg *resp,
			  const char *sent, size_t sent_len);

/**
 * sl__ua_auth_write() - writes an Authorization / Proxy-Authorization
 * header for each realm the cache knows (RFC 3261 §22.2-22.3, pre-
 * authenticating after the first challenge).
 * @ruri: the Request-URI as sent (the digest-uri).
 * @used: set to a bit mask of the cache entries used (may be NULL), for
 *        sl__ua_auth_accepted().
 * Return: 0 or the builder's error (a digest failure only skips its
 * realm, logged).
 */
int sl__ua_auth_write(struct sl_ua *ua, struct sl_builder *b,
		      const char *method, const char *ruri, const void *body,
		      size_t body_len, unsigned *used);

/** A request carrying the credentials of @used got a final response other
 * than 401/407 (digest.h rule 5). */
void sl__ua_auth_accepted(struct sl_ua *ua, unsigned used);

/* Credentials in requests built outside register.c (lib/ua/auth.c has the
 * full comments): splice them into a built request, keep a compact copy of
 * what a request carried, and give a 2xx ACK its INVITE's credentials. */
int sl__ua_auth_add(struct sl_ua *ua, char *buf, size_t len, size_t cap,
		    unsigned *used);
int sl__ua_auth_keep(const char *req, size_t len, char *out, size_t cap);
int sl__ua_auth_reuse(const char *from, size_t from_len, char *buf,
		      size_t len, size_t cap);

/* A request outside any dialog (MESSAGE, OPTIONS...) with digest retries;
 * @cb reports its outcome once, later, on the loop thread (lib/ua/call.c
 * has the full comment). Return: an id (> 0) or a negative enum sl_err. */
int sl__ua_request(struct sl_ua *ua, const char *method, const char *ruri,
		   const char *ctype, const void *body, size_t len,
		   void (*cb)(void *arg, uint32_t id, int status, int err,
			      const struct sl_rxbuf *rx),
		   void *arg);

/* ---- registration (register.c) ---- */

enum sl_ua_reg_state {
	SL_UA_REG_IDLE = 0,          /* nothing registered, nothing planned */
	SL_UA_REG_SENDING,           /* a REGISTER is in flight */
	SL_UA_REG_REGISTERED,        /* refresh timer armed */
	SL_UA_REG_WAITING,           /* retry or recovery timer armed */
	SL_UA_REG_UNREGISTERING      /* Expires: 0 in flight */
};

/**
 * struct sl_ua_reg - the account's registration (RFC 3261 §10.2).
 * @send:     the router send in flight (0: none).
 * @bound:    the registrar holds our binding as far as we know.
 * @failed:   SL_EV_REGISTRATION_FAILED was reported since the last
 *            success (recovery mode: the timer uses reg_recover_ms).
 * @stopped:  an authentication failure: no automatic recovery.
 * @attempts: failed attempts in a row (back-off).
 * @expires:  the lifetime asked next (423 may raise it).
 * @granted:  the lifetime the registrar granted last.
 * @pin, @have_pin: the target of the last success: refreshes and the
 *            unregister go there (same flow, same NAT binding).
 * @ka_on, @ka_dst: the keep-alive started on that flow.
 * @contact:  the Contact of the last REGISTER (the unregister removes it).
 * @last, @last_len: the REGISTER sent last (for the digest cache).
 * @auth_used: cache entries whose credentials that REGISTER carried.
 * @unreg_seq, @unreg_done: unregistrations started / finished (waiters).
 * @next_ms:  loop time (ms) the timer fires at, for tests and logs.
 */
struct sl_ua_reg {
	enum sl_ua_reg_state state;
	uint32_t send;
	int bound;
	int failed;
	int stopped;
	int unreg;                   /* the request in flight has Expires 0 */
	unsigned attempts;
	unsigned n_423;
	unsigned n_auth;
	uint32_t expires;
	uint32_t granted;
	uint32_t cseq;
	char call_id[SL_UA_CALL_ID_MAX];
	char contact[SL_UA_CONTACT_MAX];
	struct sl_timer timer;
	struct sl_route_target pin;
	int have_pin;
	int ka_on;
	struct sl_tp_dest ka_dst;
	char last[SL_UA_REQ_COPY_MAX];
	size_t last_len;
	unsigned auth_used;
	uint64_t next_ms;
	_Atomic uint32_t unreg_seq;
	_Atomic uint32_t unreg_done;
};

void sl__ua_reg_init(struct sl_ua *ua);

/** Drops the registration without a word to the registrar (account
 * replaced): timers stopped, the send cancelled, keep-alive stopped. */
void sl__ua_reg_reset(struct sl_ua *ua);

/** The UA is going down: unregister when bound, stop everything else.
 * Return: 1 when an unregistration is in flight (destroy waits). */
int sl__ua_reg_shutdown(struct sl_ua *ua);

/** 1 while a REGISTER of ours is in flight. */
int sl__ua_reg_busy(const struct sl_ua *ua);

/** The local address changed: forget the flow, register again now when a
 * registration is wanted. */
void sl__ua_reg_network_changed(struct sl_ua *ua);

/** Connection @flow closed (TCP/TLS): when it carried the registration,
 * register again over a new one. */
void sl__ua_reg_flow_closed(struct sl_ua *ua, uint32_t flow);

/* ---- the call engine's seam (calls_none.c until lines exist) ---- */

/** Creation, before the loop runs, once the transaction layer, router
 * and transport exist (ua->txn, ua->router, ua->tp): allocate the line
 * pool from ua->cfg.max_lines (and the dialog table). Allow and Supported
 * are computed right after it (sl__ua_calls_methods()).
 * Return: 0 or SL_ENOMEM. */
int sl__ua_calls_create(struct sl_ua *ua);

/** Destruction, after the loop stopped: free what create allocated. */
void sl__ua_calls_destroy(struct sl_ua *ua);

/** sl_ua_destroy() began: CANCEL or BYE every call. Return: 1 while
 * calls are still ending (destroy waits, then frees regardless). */
int sl__ua_calls_shutdown(struct sl_ua *ua);

/** 1 while calls remain (ending ones included). */
int sl__ua_calls_busy(struct sl_ua *ua);

/**
 * sl__ua_calls_request() - an incoming request the UA core let through
 * (method allowed, body type acceptable): INVITE, in-dialog requests,
 * CANCEL with its @cancel_target, and anything else the engine wants.
 * Return: 1 when the engine answered or keeps it, 0 to let the core go
 * on (OPTIONS, MESSAGE out of dialog, 481 for unclaimed in-dialog
 * requests).
 */
int sl__ua_calls_request(struct sl_ua *ua, uint32_t txn,
			 struct sl_rxbuf *rx, uint32_t cancel_target);

/** An ACK outside any transaction (for a 2xx, §17.1.1.3). */
void sl__ua_calls_ack(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx);

/**
 * Client/server transaction events whose user pointer the router did not
 * claim (the engine's own transactions: sends after the router handed
 * them over, in-dialog requests). Return: 1 when consumed.
 */
int sl__ua_calls_txn_response(struct sl_ua *ua, uint32_t txn, void *user,
			      struct sl_rxbuf *rx);
int sl__ua_calls_txn_failed(struct sl_ua *ua, uint32_t txn, void *user,
			    int err, char timer);
void sl__ua_calls_txn_terminated(struct sl_ua *ua, uint32_t txn,
				 void *user);

/** The network changed: re-INVITE (or UPDATE) every active call with the
 * new Contact and SDP address (B3). */
void sl__ua_calls_network_changed(struct sl_ua *ua);

/** The session id a message belongs to (for session-filtered header
 * rules), or 0. */
int sl__ua_calls_session(struct sl_ua *ua, const struct sl_msg *msg);

/** Extra Allow methods the engine handles (bits: 1u << enum sl_method). */
unsigned sl__ua_calls_methods(const struct sl_ua *ua);

/* ---- the UA ---- */

struct sl_ua_media;

/**
 * struct sl_ua - one user agent. Created by sl__ua_create_ex(); every
 * field is touched on the loop thread only, except those marked atomic.
 */
struct sl_ua {
	struct sl_ua_config cfg;      /* copied, defaults resolved */
	struct sl_loop *loop;
	struct sl_tpmgr *tp;
	struct sl_dns *dns;
	struct sl_locator *loc;
	struct sl_txn_layer *txn;
	struct sl_router *router;
	struct sl_ua_hooks hooks;

	_Atomic int destroying;       /* sl_ua_destroy() has begun */
	_Atomic int stepping;         /* a thread is inside sl_ua_step() */
	_Atomic int in_callback;      /* an event callback runs */
	_Atomic uint32_t kick;        /* futex word of API waiters */
	_Atomic int shutdown_done;    /* set by the loop: destroy may go on */
	int shutting_down;            /* loop side of destroying */

	struct sl_ua_acct acct;
	struct sl_ua_reg reg;
	struct sl_ua_auth auth;
	struct sl_ua_events ev;
	struct sl_ua_hdrs hdrs;
	struct sl_ua_mime mime;

	unsigned allow_mask;          /* 1u << enum sl_method */
	char allow[160];
	const char *supported_tags[8];
	unsigned n_supported;
	char supported[128];
	struct sl_check_opts check;

	void *calls;                  /* the call engine's state */
	struct sl_ua_media *media;    /* RTP streams, codecs, DTMF
				       * (lib/ua/media_int.h) */
};

/**
 * sl__ua_call() - runs @fn(@arg) on the loop thread and returns its result
 * (sl__loop_call()); SL_EINVAL for a NULL @ua, SL_ESTATE once
 * sl_ua_destroy() has begun.
 * Thread: any.
 */
int sl__ua_call(struct sl_ua *ua, sl_call_fn fn, void *arg);

/** Wakes the threads in sl__ua_wait() to look again. Thread: any. */
void sl__ua_kick(struct sl_ua *ua);

/**
 * sl__ua_wait() - waits at most @wait_ms of real time until @done(@arg)
 * returns non-zero. Off the loop thread it sleeps between kicks; on it
 * (application-driven mode, outside sl_ua_step()) it steps the loop; inside
 * a callback it cannot wait and only looks once. @done must be safe from
 * any thread (it reads atomics).
 * Return: 0 when done, SL_ETIMEOUT otherwise.
 * Thread: any.
 */
int sl__ua_wait(struct sl_ua *ua, int (*done)(struct sl_ua *ua, void *arg),
		void *arg, unsigned wait_ms);

/** The loop time in milliseconds. */
uint64_t sl__ua_now_ms(const struct sl_ua *ua);

/** A new token (To/From tag, Call-ID part) of @cap - 1 characters at most
 * from the transaction layer's generator. Return: its length. */
int sl__ua_token(struct sl_ua *ua, char *out, size_t cap);

/** Checks whether shutdown work is over and tells sl_ua_destroy(). */
void sl__ua_shutdown_check(struct sl_ua *ua);

/** 1 when @s holds no byte below 0x20 (but HT) and no DEL. */
int sl__ua_text_ok(const char *s);

/** Copies NUL-terminated @src into @dst (@cap bytes). Return: its length
 * or SL_ENOSPC (then @dst is ""). */
int sl__ua_strcpy(char *dst, size_t cap, const char *src);

#endif /* SL_UA_INT_H */
