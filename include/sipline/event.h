/*
 * include/sipline/event.h: what the UA tells the application.
 *
 * Events are delivered in one of two ways, chosen at UA creation
 * (struct sl_ua_config.event_mode):
 *  - SL_EVENTS_CALLBACK: the callback runs on the UA's loop thread (the
 *    library's own thread, or the application's thread inside
 *    sl_ua_step() in application-driven mode), always after the library
 *    code that raised the event has returned - never inside the sipline
 *    call that caused it. It may call any sipline function, including the
 *    one that ends the call it reports on, but not sl_ua_destroy() or
 *    sl_ua_step(); it should not block. The last event is SL_EV_DESTROYED,
 *    on the thread in sl_ua_destroy().
 *  - SL_EVENTS_QUEUE: events wait in a queue sized at creation; the
 *    application watches sl_ua_event_fd() and drains with
 *    sl_ua_event_next() from any one thread. When the queue is full the
 *    oldest SIP-message events are dropped first and a counter says so
 *    (sl_ua_events_dropped()); call and registration events are never
 *    dropped (their slots are reserved per line) while the application
 *    keeps draining. No SL_EV_DESTROYED in this mode.
 *
 * Every pointer inside a struct sl_event is valid only during the callback
 * or until the next sl_ua_event_next() on the same UA.
 *
 * Thread: see above.
 */
#ifndef SIPLINE_EVENT_H
#define SIPLINE_EVENT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The kinds of event. Values are append-only. */
enum sl_event_type {
	SL_EV_NONE = 0,
	SL_EV_REGISTERED = 1,          /* code, reason, raw; expires (after
					* every success, refreshes too) */
	SL_EV_REGISTRATION_FAILED = 2, /* code (0: no answer), reason, raw */
	SL_EV_UNREGISTERED = 3,        /* code (0: no answer), reason, raw */
	SL_EV_INCOMING = 4,            /* a call arrived on a line */
	SL_EV_TRYING = 5,              /* our INVITE got 100 */
	SL_EV_PROGRESS = 6,            /* 183 (early_media, codecs) */
	SL_EV_RINGING = 7,             /* 180 */
	SL_EV_ANSWERED = 8,            /* 2xx to our INVITE / we answered */
	SL_EV_FAILURE = 9,             /* our INVITE failed: code, reason */
	SL_EV_UPDATED = 10,            /* peer's re-INVITE/UPDATE: media */
	SL_EV_CONNECTED = 11,          /* ACK sent or received */
	SL_EV_FORWARDING = 12,         /* a 3xx redirected our call */
	SL_EV_CLOSED = 13,             /* the call ended: close_reason */
	SL_EV_REMOTE_HOLD = 14,
	SL_EV_REMOTE_UNHOLD = 15,
	SL_EV_SIP_SENT = 16,           /* a message we sent (raw) */
	SL_EV_SIP_RECEIVED = 17,       /* a message we received (raw) */
	SL_EV_MESSAGE = 18,            /* MESSAGE received: from,
					* from_display, to, call_id,
					* content_type, body (inside raw) */
	SL_EV_DESTROYED = 19,          /* sl_ua_destroy() finished */
	SL_EV_REQUEST_RESULT = 20,     /* final answer to sl_ua_send_message()
					* or sl_ua_send_options():
					* request_id, code (0: no answer),
					* reason, raw */
	SL_EV_INFO = 21,               /* INFO received in a call (other than
					* DTMF): content_type, body */
	SL_EV_DTMF = 22,               /* digit, dtmf_method, duration_ms */
	SL_EV_MEDIA_STARTED = 23,      /* a call's RTP stream runs: codec,
					* payload_type, remote_rtp */
	SL_EV_MEDIA_TIMEOUT = 24,      /* no RTP for media_timeout_ms while
					* the peer should be sending */
	SL_EV_MEDIA_STATS = 25         /* body: the call's statistics as
					* JSON (sl_call_stats_json()) */
};

/** Why a call ended (SL_EV_CLOSED). Values are append-only. */
enum sl_close_reason {
	SL_CLOSE_NONE = 0,
	SL_CLOSE_REMOTE_BYE = 1,
	SL_CLOSE_LOCAL_BYE = 2,      /* local hang-up */
	SL_CLOSE_CANCELLED = 3,      /* CANCEL, by either side */
	SL_CLOSE_REJECTED = 4,       /* a final non-2xx; the code says */
	SL_CLOSE_NO_ACK = 5,         /* our 2xx was never acknowledged */
	SL_CLOSE_SESSION_TIMER = 6,  /* RFC 4028 refresh lapsed */
	SL_CLOSE_TRANSPORT = 7,      /* transport error */
	SL_CLOSE_TIMEOUT = 8,        /* no answer (Timer B) or 408 */
	SL_CLOSE_ERROR = 9           /* anything else; reason says */
};

/** "remote-bye", "local-bye", "cancelled", "rejected", "no-ack",
 * "session-timer", "transport", "timeout", "error"; never NULL. */
const char *sl_close_reason_name(enum sl_close_reason r);

/** "registered", "incoming", ... (the agent's JSON names); never NULL. */
const char *sl_event_name(enum sl_event_type t);

enum { SL_EVENT_MAX_CODECS = 8 };

/**
 * struct sl_event - one event. Fields not used by a type are zero/NULL.
 * @session:   the call's session id (> 0), 0 for UA-wide events.
 * @line:      its line (0 .. max_lines - 1), -1 for UA-wide events.
 * @code:      SIP status code when one is involved, else 0.
 * @reason:    reason phrase or a one-line explanation; never NULL.
 * @raw, @raw_len: the SIP message behind the event (may be NULL).
 * @from, @from_display, @to, @to_display: caller and callee (incoming,
 *             message).
 * @call_id:   the Call-ID of the call's dialog.
 * @has_audio, @has_video: offered or negotiated media.
 * @audio_codecs, @video_codecs, @n_audio_codecs, @n_video_codecs: the
 *             codec names offered (incoming) or negotiated.
 * @early_media: 183 with SDP (progress).
 * @direction: "sendrecv", "sendonly", "recvonly", "inactive" (updated,
 *             holds).
 * @close_reason: SL_EV_CLOSED.
 * @expires:   registration expiry in seconds (registered).
 * @instance_data, @instance_len: call instance data (incoming).
 * @content_type, @body, @body_len: MESSAGE or INFO body, stats JSON.
 * @request_id: the id sl_ua_send_message()/sl_ua_send_options() returned.
 * @digit:     '0'-'9', '*', '#', 'A'-'D' or '!' (flash) (dtmf).
 * @dtmf_method: "rfc4733" or "info" (dtmf).
 * @duration_ms: the tone's length (dtmf).
 * @codec:     negotiated audio codec name (media started, stats).
 * @payload_type: its RTP payload type.
 * @remote_rtp: where RTP goes, "ip:port" or "[ip6]:port" (media
 *             started; answered and other call events from the SDP).
 */
struct sl_event {
	enum sl_event_type type;
	int session;
	int line;
	int code;
	const char *reason;
	const char *raw;
	size_t raw_len;
	const char *from;
	const char *from_display;
	const char *to;
	const char *to_display;
	const char *call_id;
	int has_audio;
	int has_video;
	const char *audio_codecs[SL_EVENT_MAX_CODECS];
	const char *video_codecs[SL_EVENT_MAX_CODECS];
	unsigned n_audio_codecs;
	unsigned n_video_codecs;
	int early_media;
	const char *direction;
	enum sl_close_reason close_reason;
	uint32_t expires;
	const void *instance_data;
	size_t instance_len;
	const char *content_type;
	const void *body;
	size_t body_len;
	int request_id;
	char digit;
	const char *dtmf_method;
	unsigned duration_ms;
	const char *codec;
	int payload_type;
	const char *remote_rtp;
};

/** The callback of SL_EVENTS_CALLBACK mode. */
typedef void (*sl_event_cb)(void *arg, const struct sl_event *ev);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_EVENT_H */
