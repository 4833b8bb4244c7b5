/*
 * include/sipline/ua.h: the user agent - creation, account, registration,
 * running, events and signalling access.
 *
 * One struct sl_ua is one SIP user agent with one account. Everything it
 * does happens on its loop thread; every function here may be called from
 * any thread, including from inside an event callback: a call made off the
 * loop thread is handed to the loop and waits for its result, a call made
 * on it runs directly. Calls, lines and headers are named by integer ids
 * that never repeat while the UA lives.
 *
 * One rule for applications with several UAs: an event callback of one UA
 * that calls into another UA waits for that UA's loop; if that UA's
 * callback calls back into the first at the same time, both wait forever.
 * Hand such work to a thread of your own instead.
 *
 * Thread: any, unless a function says otherwise.
 */
#ifndef SIPLINE_UA_H
#define SIPLINE_UA_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/event.h"
#include "sipline/media.h"
#include "sipline/net.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sl_ua;

enum sl_transport {
	SL_TRANSPORT_UDP = 0,
	SL_TRANSPORT_TCP = 1,
	SL_TRANSPORT_TLS = 2
};

/** How the UA runs: its own loop thread, or inside the application's. */
enum sl_run_mode {
	SL_RUN_THREAD = 0,  /* default */
	SL_RUN_APP = 1      /* poll sl_ua_fd(), call sl_ua_step() */
};

enum sl_event_mode {
	SL_EVENTS_CALLBACK = 0, /* default */
	SL_EVENTS_QUEUE = 1
};

/** RFC 3262 reliable provisional responses. */
enum sl_prack_mode {
	SL_PRACK_NEVER = 0,          /* no 100rel anywhere */
	SL_PRACK_SUPPORTED_BODY = 1, /* Supported; reliable 18x when it has
				      * a body and the peer supports it */
	SL_PRACK_SUPPORTED = 2,      /* Supported; every 18x reliable when
				      * the peer supports it */
	SL_PRACK_REQUIRED = 3        /* Require: 100rel */
};

enum { SL_UA_MAX_LISTEN = 8 };

/** One socket to listen on. @host "" means any address of @family. */
struct sl_listen {
	enum sl_transport transport;
	char host[64];     /* numeric address; "" = any */
	uint16_t port;     /* 0 = an ephemeral port (see sl_ua_local_addr) */
	int ipv6;          /* with host "": bind "::" instead of "0.0.0.0" */
};

/**
 * struct sl_ua_config - everything fixed at creation. Fill it with
 * sl_ua_config_init() and change what differs, so fields added later get
 * their defaults and never break callers. Strings are copied.
 */
struct sl_ua_config {
	struct sl_listen listen[SL_UA_MAX_LISTEN];
	unsigned n_listen;          /* default: one UDP on any, port 5060 */
	char local_ip[64];          /* address for Via/Contact/SDP; "" = the
				     * listening or outgoing address */
	unsigned max_lines;         /* call slots; default 8 (1..16384) */
	char user_agent[128];       /* User-Agent/Server; default
				     * "sipline/<version>" */
	int log_level;              /* enum sl_log_level; default WARN;
				     * process-wide (sipline/log.h), set at
				     * creation */
	char log_file[256];         /* "" = stderr or the log callback;
				     * process-wide too */

	/* TLS */
	char tls_ca_file[256];
	char tls_ca_path[256];
	char tls_cert_file[256];
	char tls_key_file[256];
	char tls_ciphers[256];      /* "" = mbedtls defaults */
	int tls_verify;             /* default 1 */

	/* timers and limits */
	uint32_t t1_ms, t2_ms, t4_ms; /* 500, 4000, 5000 */
	size_t max_msg_size;        /* default 65535 (1024..1 MiB) */
	unsigned max_transactions;  /* per direction; 0 (default):
				     * min(32768, 16 * max_lines + 256),
				     * room for every line's INVITE and
				     * BYE server transactions to linger
				     * their 64*T1 after the call */
	unsigned event_queue;       /* event slots (both modes); 256
				     * (8..65536): SIP-message events use
				     * at most this many, 2 * max_lines + 8
				     * more are kept for the others */

	enum sl_run_mode run_mode;
	enum sl_event_mode event_mode;
	sl_event_cb event_cb;       /* required in SL_EVENTS_CALLBACK */
	void *event_arg;
	int sip_message_events;     /* bit 0: SL_EV_SIP_RECEIVED, bit 1:
				     * SL_EV_SIP_SENT; default 0 */

	enum sl_ip_pref ip_pref;
	char dns_servers[128];      /* "" = /etc/resolv.conf; else a
				     * comma-separated list "ip[:port]"
				     * (IPv6: "[ip]:port" or bare) */

	/* call behaviour */
	enum sl_prack_mode prack;   /* default SL_PRACK_SUPPORTED_BODY */
	int early_media;            /* answer-side 183 with SDP; default 1 */
	uint32_t session_expires;   /* RFC 4028 seconds; 0 = off; 1800 */
	uint32_t min_se;            /* >= 90; default 90 */
	char audio_codecs[256];     /* offer order, e.g. "PCMU,PCMA,G722";
				     * default "PCMU,PCMA,telephone-event" */
	char video_codecs[128];     /* default "" (no video) */
	uint16_t rtp_port_min;      /* media ports for SDP; 16384 */
	uint16_t rtp_port_max;      /* 32767 */
	int sip_dscp;               /* DSCP on signalling sockets, 0..63
				     * (e.g. 24 = CS3); -1 (default): leave
				     * the system's */

	/* Media: the RTP engine, audio devices, DTMF and RTCP (defaults
	 * and ranges in sipline/media.h). With media.enabled the codec
	 * names of audio_codecs must be registered codecs (sipline/
	 * codec.h; an optional "/rate" picks one clock rate, "L16/16000"),
	 * rtp_port_min..rtp_port_max is where RTP/RTCP sockets are bound,
	 * and sl_ua_create() starts the media thread(s) and opens the
	 * audio device. Bad values make sl_ua_create() fail with
	 * SL_EINVAL (the log names the field). */
	struct sl_media_config media;
};

/** sl_ua_config_init() - fills @cfg with the defaults above. */
void sl_ua_config_init(struct sl_ua_config *cfg);

/**
 * sl_ua_create() - creates and starts a UA: binds every listening socket,
 * sizes every pool from @cfg, and (SL_RUN_THREAD) starts its loop thread.
 * In SL_RUN_APP mode the creating thread is the loop thread until another
 * thread calls sl_ua_step().
 * @out: set to the new UA (NULL on failure).
 * @cfg: the configuration.
 *
 * Return: 0; SL_EINVAL for a bad field (the log says which; also a TLS
 * file that cannot be read, callback mode without event_cb, or an audio
 * codec that is not registered); SL_ETRANSPORT when a socket cannot be
 * bound; SL_ENOMEM; SL_EIO or SL_EFAIL when the system refuses an fd or
 * the thread; SL_ENOTFOUND or SL_EIO when the audio device (media) cannot
 * be opened.
 * Thread: any.
 */
int sl_ua_create(struct sl_ua **out, const struct sl_ua_config *cfg);

/**
 * sl_ua_destroy() - unregisters, ends every call (CANCEL or BYE), waits at
 * most @wait_ms for that to finish, then frees everything. It never blocks
 * longer than @wait_ms plus a few milliseconds, whatever the network does
 * (with @wait_ms 0 the unregistration and BYEs are still sent once).
 * Events still queued are delivered, then in callback mode a last
 * SL_EV_DESTROYED, on the calling thread, before it returns. From the
 * moment it starts, calls from other threads return SL_ESTATE; once it
 * has returned @ua is gone and must not be used.
 * Return: 0; SL_EINVAL for NULL; SL_ESTATE when called from the UA's own
 * event callback or loop thread in SL_RUN_THREAD mode, or from inside
 * sl_ua_step() (the loop cannot free itself from inside: use another
 * thread), or when another sl_ua_destroy() is under way.
 * Thread: any but the loop thread in SL_RUN_THREAD mode; in SL_RUN_APP
 * mode the thread that steps (outside sl_ua_step()) or any thread once
 * none steps any more - it runs the loop itself while it waits.
 */
int sl_ua_destroy(struct sl_ua *ua, unsigned wait_ms);

/** sl_version() is in sipline/version.h. */

/* ---- application-driven mode (SL_RUN_APP) ---- */

/** The fd to poll for reading. Return: fd or SL_ESTATE in thread mode. */
int sl_ua_fd(struct sl_ua *ua);

/** Milliseconds until sl_ua_step() has timer work (-1: none). */
int sl_ua_timeout_ms(struct sl_ua *ua);

/** Runs what is ready (I/O, timers, queued calls, event callbacks)
 * without waiting. The calling thread is the loop thread while it runs
 * (and afterwards until another thread steps). Return: 0; SL_ESTATE in
 * thread mode, during sl_ua_destroy(), from inside a step (a callback),
 * or while another thread steps. */
int sl_ua_step(struct sl_ua *ua);

/* ---- events in SL_EVENTS_QUEUE mode ---- */

/** An fd readable while events wait. Return: fd, or SL_ESTATE in callback
 * mode. */
int sl_ua_event_fd(struct sl_ua *ua);

/**
 * sl_ua_event_next() - takes the oldest waiting event.
 * @ev: filled; its pointers stay valid until the next call.
 * Return: 1 when an event was taken, 0 when none waits, SL_ESTATE in
 * callback mode, SL_EINVAL for NULL.
 * Thread: any one thread at a time; it is handed to the loop, so in
 * SL_RUN_APP mode call it from the thread that steps.
 */
int sl_ua_event_next(struct sl_ua *ua, struct sl_event *ev);

/**
 * sl_ua_events_dropped() - how many events the queue had to drop so far
 * (SIP-message events first; see sipline/event.h), in either mode.
 * Return: the count (saturating at INT32_MAX); SL_EINVAL; SL_ESTATE
 * during destruction.
 */
int sl_ua_events_dropped(struct sl_ua *ua);

/* ---- the account ---- */

/**
 * struct sl_account - who the UA is. Fill with sl_account_init().
 * @registrar: "sip:host[:port]" or "" for no REGISTER at all.
 * @outbound_proxy: "sip:host[:port][;transport=..]" or "".
 * @expires: requested registration lifetime (1..3600; default 3600).
 * @reg_retries: refresh attempts before SL_EV_REGISTRATION_FAILED
 *               (default 3), with back-off from @reg_retry_ms (default
 *               5000) doubling to 60 s; after the failure event the UA
 *               keeps trying every @reg_recover_ms (default 30000) so it
 *               recovers by itself when the network returns.
 * @instance_id: RFC 5626 +sip.instance URN ("" = none); @reg_id: reg-id
 *               (0 = none).
 * @rport: request RFC 3581 rport (default 1).
 * @ims_tags: add +g.3gpp.icsi-ref (ims.icsi.mmtel) and +g.3gpp.smsip to
 *               Contact (default 0).
 * @escape_user: characters of the user part to %-escape besides the ones
 *               RFC 3261 requires (e.g. "#" for some PBXs).
 * @keepalive_ms: CRLF keep-alive to the registrar / proxy flow (RFC 5626
 *               §4.4.1); default 15000; 0 = off; at least 1000. Over UDP
 *               it always runs (no answer expected); over TCP/TLS only
 *               when the registrar's 2xx has "Require: outbound" (a flow
 *               whose ping gets no pong within 10 s is closed, and the
 *               UA registers again over a new one).
 * @transport: transport for outgoing requests when the registrar / proxy
 *               URI names none (sips: URIs force TLS).
 *
 * Registration timing: a binding granted for E seconds is refreshed after
 * max(E/2, E-5) s. A 423 is answered with the Min-Expires asked (even
 * above 3600). A 401/407 is answered once per new challenge (digest MD5 or
 * SHA-256, with the nonce cached so refreshes need no new challenge); a
 * challenge refusing the credentials just sent ends the registration with
 * SL_EV_REGISTRATION_FAILED and no automatic retry (sl_ua_register()
 * starts again). A timeout, a transport error, 408 or 5xx is retried
 * reg_retries times with back-off (a 503's Retry-After when longer); a
 * definite refusal (other 4xx, 6xx) is reported at once. After the
 * failure event the UA tries again every reg_recover_ms, without another
 * failure event, until a success (SL_EV_REGISTERED).
 */
struct sl_account {
	char user[128];
	char display_name[128];
	char auth_user[128];
	char password[128];
	char domain[128];
	char registrar[256];
	char outbound_proxy[256];
	uint32_t expires;
	unsigned reg_retries;
	uint32_t reg_retry_ms;
	uint32_t reg_recover_ms;
	char instance_id[128];
	unsigned reg_id;
	int rport;
	int ims_tags;
	char escape_user[32];
	uint32_t keepalive_ms;
	enum sl_transport transport;
};

void sl_account_init(struct sl_account *acc);

/**
 * sl_ua_set_account() - sets (or replaces) the account. Registration does
 * not start until sl_ua_register(). A replaced account's registration is
 * dropped without a word to the registrar (call sl_ua_unregister() first
 * to remove it) and its cached credentials are forgotten. @registrar and
 * @outbound_proxy may be given as a bare "host[:port]".
 * Return: 0; SL_EINVAL (empty user or domain, bad URI, a field out of
 * range or without its NUL; the log says which).
 */
int sl_ua_set_account(struct sl_ua *ua, const struct sl_account *acc);

/** Changes the display name used from the next request on (NULL: none).
 * Return: 0; SL_EINVAL (controls, too long); SL_ESTATE without an
 * account. */
int sl_ua_set_display_name(struct sl_ua *ua, const char *display_name);

/**
 * sl_ua_register() - sends REGISTER and keeps the registration refreshed
 * (see struct sl_account for the timing). Result: SL_EV_REGISTERED (after
 * each success, refreshes included) or SL_EV_REGISTRATION_FAILED. Calling
 * it while registered refreshes now; while a REGISTER is in flight it does
 * nothing.
 * Return: 0 when started; SL_ESTATE without an account, when no registrar
 * is set, or during sl_ua_destroy().
 */
int sl_ua_register(struct sl_ua *ua);

/**
 * sl_ua_unregister() - removes the registration (Expires: 0, the Contact
 * last registered) and waits at most @wait_ms (0 = don't wait) for the
 * answer; SL_EV_UNREGISTERED follows either way. Retries and recovery
 * stop. On the loop thread inside a callback nothing can be waited for:
 * the request is sent and SL_ETIMEOUT returned unless it already ended.
 * Return: 0; SL_ETIMEOUT when the wait ran out (the request goes on);
 * SL_ESTATE without a registrar, or when nothing is registered or being
 * registered.
 */
int sl_ua_unregister(struct sl_ua *ua, unsigned wait_ms);

/**
 * sl_ua_network_changed() - the local address changed: our address is
 * taken afresh (sockets bound to "any" keep working; a listener bound
 * to an address that vanished is re-bound on "any" at the same port, or
 * an ephemeral one when that is taken, and its TCP/TLS connections are
 * closed), the registration is renewed at once over a new flow, and
 * active calls are re-INVITEd with the new address.
 * Return: 0; SL_ESTATE during sl_ua_destroy().
 */
int sl_ua_network_changed(struct sl_ua *ua);

/** The bound address of listen entry @index as "ip:port" ("[ip]:port" for
 * IPv6), with the port the system chose for port 0. Return: length or
 * SL_EINVAL / SL_ENOSPC. */
int sl_ua_local_addr(struct sl_ua *ua, unsigned index, char *out,
		     size_t cap);

/* ---- network interfaces ---- */

struct sl_net_if {
	char name[32];
	char addr[64];     /* numeric */
	int ipv6;
	int loopback;
};

/**
 * sl_net_interfaces() - the machine's interfaces with their IPv4 and IPv6
 * addresses (one entry per address).
 * Return: how many were found (may exceed @cap: only @cap are written;
 * @out may be NULL when @cap is 0), SL_EINVAL, or SL_EIO.
 * Thread: any; it needs no UA.
 */
int sl_net_interfaces(struct sl_net_if *out, unsigned cap);

/* ---- custom headers (F1) ---- */

enum sl_header_dir {
	SL_HDR_DIR_REQUEST = 1,
	SL_HDR_DIR_RESPONSE = 2,
	SL_HDR_DIR_BOTH = 3
};

/**
 * sl_ua_add_header() - adds a header to outgoing messages (after their
 * last header), whoever builds them: requests, responses, ACK, CANCEL,
 * retransmissions. Up to 32 rules (added and modified together).
 * @session: only this call's messages (0: every message).
 * @method:  only this method ("INVITE"...; NULL: all); for a response,
 *           the method of its CSeq.
 * @dir:     requests, responses or both.
 * Return: an id (> 0, never reused) for sl_ua_remove_header(); SL_EINVAL
 * for a name that is not a token, a value with CR/LF or other controls or
 * of 512 bytes or more, a bad @dir, @method or @session, or a header the
 * transaction and dialog layers depend on (Via, From, To, Call-ID, CSeq,
 * Content-Length, Content-Type, in any spelling); SL_ENOMEM when the
 * table is full.
 */
int sl_ua_add_header(struct sl_ua *ua, int session, const char *method,
		     enum sl_header_dir dir, const char *name,
		     const char *value);

/** sl_ua_modify_header() - replaces the value of header @name where it
 * appears in matching outgoing messages: one line with @value at the
 * place of the first occurrence, the other occurrences removed. Same
 * arguments and return as add. */
int sl_ua_modify_header(struct sl_ua *ua, int session, const char *method,
			enum sl_header_dir dir, const char *name,
			const char *value);

/** Removes an added or modified header rule. Return: 0, SL_ENOTFOUND or
 * SL_EINVAL (NULL). */
int sl_ua_remove_header(struct sl_ua *ua, int id);

/** Clears every added (@modified 0) or modified (@modified 1) rule.
 * Return: 0 or SL_EINVAL. */
int sl_ua_clear_headers(struct sl_ua *ua, int modified);

/**
 * sl_ua_accept_mime() - accepts @content_type ("type/subtype", no
 * parameters; compared case-insensitively) in requests of @method (NULL:
 * every method) besides the defaults (application/sdp in INVITE, ACK,
 * UPDATE and PRACK, multipart/mixed in INVITE, message/sipfrag and
 * application/simple-message-summary in NOTIFY, text/plain in MESSAGE,
 * application/dtmf-relay and application/media_control+xml in INFO);
 * a request with any other body gets 415 with Accept (and one with a
 * Content-Encoding other than identity 415 with Accept-Encoding).
 * Return: 0 (also when already accepted); SL_EINVAL; SL_ENOMEM after 32
 * additions.
 */
int sl_ua_accept_mime(struct sl_ua *ua, const char *method,
		      const char *content_type);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_UA_H */
