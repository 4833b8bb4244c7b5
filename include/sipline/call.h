/*
 * include/sipline/call.h: calls on lines.
 *
 * A UA has max_lines call slots. A call is named by its session id (> 0),
 * which never repeats while the UA lives: once a call has ended, its id is
 * rejected with SL_ESESSION, even after its line holds a new call. Line
 * numbers run from 0 to max_lines - 1.
 *
 * Errors every operation below may return besides the ones it names:
 * SL_EINVAL (NULL UA, bad argument), SL_ESESSION (unknown or ended
 * session), SL_ESTATE (not in this state), SL_ENOMEM (the transaction or
 * dialog pool is full: size them with max_transactions / max_lines) and
 * SL_ETRANSPORT (the request could not be sent).
 *
 * Line states: SL_LINE_IDLE; incoming: RINGING -> ANSWERING -> CONNECTED;
 * outgoing: CALLING -> EARLY (1xx) -> CONNECTED; then HELD / REMOTE_HELD
 * (both: HELD), and CLOSING until the call is gone. Every operation below
 * returns SL_ESTATE in a state where it makes no sense (answering a call
 * that is connected, holding one that is ringing).
 *
 * Thread: any (see sipline/ua.h).
 */
#ifndef SIPLINE_CALL_H
#define SIPLINE_CALL_H

#include <stddef.h>

#include "sipline/ua.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sl_line_state {
	SL_LINE_IDLE = 0,
	SL_LINE_RINGING = 1,      /* incoming, not answered */
	SL_LINE_ANSWERING = 2,    /* we sent 2xx, waiting for ACK */
	SL_LINE_CALLING = 3,      /* outgoing, no 1xx yet */
	SL_LINE_EARLY = 4,        /* outgoing, 1xx received */
	SL_LINE_CONNECTED = 5,
	SL_LINE_HELD = 6,         /* we hold the peer */
	SL_LINE_REMOTE_HELD = 7,  /* the peer holds us */
	SL_LINE_CLOSING = 8       /* CANCEL or BYE in progress */
};

/** "idle", "ringing", ...; never NULL. */
const char *sl_line_state_name(enum sl_line_state s);

/**
 * struct sl_call_params - a new outgoing call. Fill with
 * sl_call_params_init().
 * @callee:   "alice" (a user at the account's domain) or a full
 *            sip:/sips:/tel: URI.
 * @audio, @video: media to offer (default audio only).
 * @no_sdp:   send the INVITE without an offer (the offer comes in the 2xx;
 *            our answer goes in the ACK).
 * @instance_data, @instance_len: opaque call instance data (C8), 1..1024
 *            bytes of any value, delivered to the callee with
 *            SL_EV_INCOMING. On the wire the INVITE body becomes
 *            "multipart/mixed;boundary=sipline-idata-<N>" (RFC 2046) with
 *            two parts: "Content-Type: application/sdp" holding the offer
 *            (left out with @no_sdp), then "Content-Type:
 *            application/vnd.sipline.instance-data" with
 *            "Content-Transfer-Encoding: binary" holding the bytes as they
 *            are; N is chosen so the delimiter occurs in neither part
 *            (lib/ua/call_int.h has the exact layout). NULL = none, and
 *            then the INVITE is byte-for-byte what it would be without
 *            this feature.
 */
struct sl_call_params {
	const char *callee;
	int audio;
	int video;
	int no_sdp;
	const void *instance_data;
	size_t instance_len;
};

void sl_call_params_init(struct sl_call_params *p);

/**
 * sl_call_make() - starts an outgoing call on a free line.
 * Return: the session id (> 0); SL_EINVAL (no callee, bad URI);
 * SL_ENOMEM when every line is busy; SL_ESTATE before an account is set.
 */
int sl_call_make(struct sl_ua *ua, const struct sl_call_params *p);

/** Answers a ringing call (200 with our SDP answer); @video 0 rejects an
 * offered video stream. While a reliable 18x with a session description
 * awaits its PRACK (RFC 3262 §3), or our early UPDATE its answer, the 200
 * goes once that arrives (0 is returned at once; the line stays ringing
 * until then). Video taken in an early-media answer and refused now is
 * dropped by an UPDATE before the 200 when the peer allows UPDATE.
 * Return: 0, SL_ESESSION, SL_ESTATE (also for a second answer while the
 * first waits). */
int sl_call_answer(struct sl_ua *ua, int session, int video);

/** Rejects a ringing call with @code (400..699; default 486 when 0). */
int sl_call_reject(struct sl_ua *ua, int session, int code);

/** Ends a call: CANCEL before the answer (with Reason), BYE after. */
int sl_call_hangup(struct sl_ua *ua, int session);

/** Puts the peer on hold (re-INVITE sendonly, or inactive when the peer
 * holds us) / takes it off (sendrecv). */
int sl_call_hold(struct sl_ua *ua, int session);
int sl_call_unhold(struct sl_ua *ua, int session);

/** Changes the media set (add or remove audio / video): by re-INVITE in
 * a call, by UPDATE (RFC 3311 §5.1) in the early dialog of a ringing or
 * early call once the INVITE's offer/answer exchange is complete (a
 * reliable 18x and its PRACK) and the peer allows UPDATE; SL_ESTATE
 * otherwise. */
int sl_call_update_media(struct sl_ua *ua, int session, int audio, int video);

/**
 * sl_call_send_info() - sends an INFO request in the established call
 * @session (RFC 6086, legacy usage: no Info-Package), e.g.
 * application/media_control+xml to ask for a video key frame. DTMF goes
 * with sl_call_send_dtmf() (sipline/media.h) instead.
 * @content_type: "type/subtype[;params]" of @body; required when @len >
 *                0, ignored for an empty INFO.
 * @body, @len:   the body (copied; at most 4096 bytes).
 * The outcome raises no event: a refusal or a timeout is only logged,
 * except that a 481 or 408 ends the call (RFC 5057), reported as
 * SL_EV_CLOSED. At most 8 INFO requests of a call are in flight at once.
 * Return: 0 (sent).
 * Errors: SL_EINVAL (NULL @ua, @body NULL with @len, @len too large, a
 * bad @content_type), SL_ESESSION, SL_ESTATE (not connected / held),
 * SL_ENOMEM (8 INFO requests in flight, or the transaction pool is
 * full), SL_ETRANSPORT.
 * Thread: any.
 */
int sl_call_send_info(struct sl_ua *ua, int session, const char *content_type,
		      const void *body, size_t len);

/** Redirects a ringing call: 302 with Contact @target. */
int sl_call_forward(struct sl_ua *ua, int session, const char *target);

/** Call forwarding for new incoming calls. */
enum sl_forward_mode {
	SL_FORWARD_OFF = 0,
	SL_FORWARD_ALWAYS = 1,
	SL_FORWARD_BUSY = 2       /* when every line is busy */
};

int sl_ua_set_forwarding(struct sl_ua *ua, enum sl_forward_mode mode,
			 const char *target);

/** Do-not-disturb: new calls get 480 (or 603 with @decline). */
int sl_ua_set_dnd(struct sl_ua *ua, int on, int decline);

/** The line of a call (>= 0) or SL_ESESSION. */
int sl_call_line(struct sl_ua *ua, int session);

/** The state of @line (enum sl_line_state) or SL_ELINE. */
int sl_line_state(struct sl_ua *ua, int line);

/** The session on @line (> 0), 0 when idle, or SL_ELINE. */
int sl_line_session(struct sl_ua *ua, int line);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_CALL_H */
