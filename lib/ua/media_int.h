/*
 * lib/ua/media_int.h: the call engine's side of media - the codec table
 * SDP offers, each line's RTP stream (sockets, engine stream, controls
 * kept across restarts), DTMF in both directions and SIP INFO, and the
 * hooks call.c calls at fixed points of a call's life. Nothing outside
 * lib/ua includes it (the call unit tests do).
 *
 * Owns: struct sl_ua_media (ua->media), allocated once at sl_ua_create()
 * (sl__ua_media_create()) with one struct sl_line_media per line; the
 * media engine itself when media.enabled.
 * Thread: the SIP loop thread, except sl_media_feed_pcm() (media_api.c).
 *
 * Who does what:
 *  - call_media.c resolves sl_ua_config.audio_codecs against the codec
 *    registry (sl__media_codecs_resolve(), also the check at creation)
 *    and writes SDP with the ports sl__stream_port() opened;
 *  - call_stream.c turns a completed offer/answer into struct
 *    sl_stream_params and starts, updates or stops the engine's stream
 *    (sl__stream_sync(), idempotent: call.c calls it at every state
 *    change and call_media.c when an answer to our offer arrives), and
 *    turns engine events into UA events;
 *  - media_api.c holds the public functions of sipline/media.h and the
 *    statistics JSON writer;
 *  - info.c sends and receives INFO (RFC 6086) and DTMF over INFO.
 */
#ifndef SL_UA_MEDIA_INT_H
#define SL_UA_MEDIA_INT_H

#include "call_int.h"
#include "media/engine.h"
#include "sipline/media.h"

enum {
	SL_MEDIA_CODECS_MAX = 16,     /* entries of audio_codecs */
	SL_MEDIA_NAME_MAX = 32,       /* a codec name */
	SL_MEDIA_FMTP_MAX = 160,      /* one a=fmtp value */
	SL_DTMF_PENDING_MAX = 32,     /* digits queued for INFO */
	SL_DTMF_GAP_MS = 50,          /* between two digits (media.h) */
	SL_INFO_BODY_MAX = 4096,      /* sl_call_send_info() body */
	SL_INFO_TXNS = 8              /* INFO requests in flight per line */
};

/** One codec we offer, resolved from cfg.audio_codecs. */
struct sl_media_codec {
	const struct sl_codec *codec; /* from the registry */
	char name[SL_MEDIA_NAME_MAX]; /* as the registry spells it */
	uint32_t clock_rate;
	uint16_t channels;            /* 0: mono (nothing written) */
	uint8_t pt;
	char fmtp[SL_MEDIA_FMTP_MAX]; /* "": no a=fmtp */
};

struct sl_media_codecs {
	struct sl_media_codec c[SL_MEDIA_CODECS_MAX];
	unsigned n;
};

/** How a DTMF digit came in (duplicate suppression). */
enum sl_dtmf_src {
	SL_DTMF_SRC_NONE = 0,
	SL_DTMF_SRC_RFC4733 = 1,
	SL_DTMF_SRC_INFO = 2
};

/**
 * struct sl_line_media - the media of one line. It is not cleared by a
 * plain memset: sl__stream_line_reset() releases what it holds (sockets,
 * the stream, the INFO timer) and then clears it. A zeroed slot (@ua
 * NULL) was never used; sl__stream_lm() makes it ready on first use.
 * @session:  the call this state belongs to (0: none yet).
 * @fds, @port: sockets bound for the port in our SDP, not yet handed to
 *            the engine (-1: none); @port stays while a stream runs.
 * @stream:   the engine's stream id, -1: none.
 * @pair_ok:  ln->local_sdp and ln->remote_sdp are a completed exchange
 *            (set when an answer is received or written, cleared when a
 *            new offer of ours goes out).
 * @stopping: a stream of this call was stopped; its SL_MEV_STOPPED is
 *            awaited (@stopped_id); @final then holds its last counters.
 * @ran:      a stream ran during the call: SL_EV_MEDIA_STATS is due.
 * @cur:      the parameters the engine has (valid while @stream >= 0).
 * @mute ... @rtp_arg: controls the application set (sipline/media.h),
 *            applied again to every new stream of the call.
 * @dtmf_*:   the last DTMF digit reported, for duplicate suppression.
 * @info_*:   INFO requests in flight and the DTMF-over-INFO queue.
 */
struct sl_line_media {
	struct sl_ua *ua;
	unsigned idx;
	int session;
	int fds[2];
	uint16_t port;
	int stream;
	int pair_ok;
	int stopping;
	int stopped_id;
	int ran;
	int stats_sent;
	int have_final;
	struct sl_call_stats final;
	struct sl_stream_params cur;
	char codec[SL_MEDIA_NAME_MAX];
	char remote_rtp[64];
	int started_ev;               /* SL_EV_MEDIA_STARTED sent */
	int rearm;                    /* a media timeout was suppressed */

	unsigned mute;
	unsigned scale_in, scale_out;
	uint32_t bitrate;             /* 0: not set by the application */
	int rtcp_set;                 /* sl_call_set_rtcp_bandwidth() */
	uint32_t rtcp_as_kbps;        /* its values, as in the config */
	int32_t rtcp_rs_bps, rtcp_rr_bps;
	unsigned audio_dirs;
	sl_audio_frame_cb audio_cb;
	void *audio_arg;
	unsigned rtp_dirs;
	sl_rtp_packet_cb rtp_cb;
	void *rtp_arg;

	char dtmf_digit;              /* 0: nothing to match */
	enum sl_dtmf_src dtmf_src;
	uint64_t dtmf_ms;
	unsigned dtmf_dur;

	uint32_t info_txn[SL_INFO_TXNS];   /* 0: free */
	uint32_t info_cseq[SL_INFO_TXNS];
	uint32_t dtmf_txn;            /* the DTMF INFO in flight, 0: none */
	char dtmf_cur;                /* its digit */
	uint64_t dtmf_sent_ms;
	unsigned dtmf_retry;          /* 401/407 answered for it */
	char dtmf_q[SL_DTMF_PENDING_MAX];
	unsigned dtmf_head, dtmf_n;
	unsigned dtmf_len_ms;         /* tone length for INFO digits */
	struct sl_timer dtmf_timer;
};

/** struct sl_ua_media - ua->media. */
struct sl_ua_media {
	struct sl_media_engine *eng;  /* NULL: media disabled */
	int efd;                      /* the engine's event fd, watched */
	struct sl_line_media *lines;
	unsigned n_lines;
	struct sl_media_codecs codecs;
	char cname[64];
	struct sl_sdp sdp_local;      /* scratch: the pair a stream is */
	struct sl_sdp sdp_remote;     /* built from (call_stream.c) */
};

/* ---- call_media.c ---- */

/**
 * sl__media_codecs_resolve() - cfg->audio_codecs ("name[/rate],...") as
 * registered codecs with their payload types (static, else
 * media.payload_types, else our usual choice, else the first free one
 * from 96) and a=fmtp values (media.fmtp, else the codec's own
 * fmtp_format()).
 * Return: 0; SL_EINVAL (an unknown codec, bad payload_types or fmtp, more
 * than SL_MEDIA_CODECS_MAX entries), logged once with the cause.
 */
int sl__media_codecs_resolve(const struct sl_ua_config *cfg,
			     struct sl_media_codecs *out);

/* ---- call_stream.c ---- */

/** Creation (ua.c, before the call engine): the per-line state, the
 * CNAME and the codec table; the engine is made by ua.c afterwards.
 * Return: 0, SL_ENOMEM, SL_EINVAL. */
int sl__ua_media_create(struct sl_ua *ua);

/** Destruction (ua.c, loop stopped): sockets never started closed, the
 * DTMF timers stopped, everything freed (the engine is gone already). */
void sl__ua_media_destroy(struct sl_ua *ua);

/** The engine's event fd turned readable: drain it (ua.c's watch). */
void sl__stream_engine_events(struct sl_ua *ua);

/** The media state of @ln (never NULL once the UA exists). */
struct sl_line_media *sl__stream_lm(struct sl_ua *ua,
				    const struct sl_line *ln);

/**
 * sl__stream_port() - the RTP port to write in our SDP for @ln's audio:
 * the running stream's, the sockets already bound for it, or a new pair
 * bound in [rtp_port_min, rtp_port_max] on @host's family. Without an
 * engine (media disabled) a port computed from the line number.
 * Return: 0 and *@port; SL_ELIMIT / SL_ETRANSPORT from the binding.
 */
int sl__stream_port(struct sl_ua *ua, struct sl_line *ln, const char *host,
		    uint16_t *port);

/** Our new offer went into ln->local_sdp / an answer completed the
 * exchange (received: @we_offered 1, written: 0). */
void sl__stream_offered(struct sl_ua *ua, struct sl_line *ln);
void sl__stream_answered(struct sl_ua *ua, struct sl_line *ln);

/**
 * sl__stream_sync() - makes the engine's stream match the line: started
 * or updated from the last completed exchange while the call may carry
 * media (EARLY with an answer, ANSWERING, CONNECTED, HELD, REMOTE_HELD),
 * stopped when audio was removed or the call is CLOSING. Does nothing
 * when nothing changed.
 */
void sl__stream_sync(struct sl_ua *ua, struct sl_line *ln);

/** The call on @ln ends (sl__calls_close(), before SL_EV_CLOSED): the
 * stream stops and SL_EV_MEDIA_STATS goes out when one ran. */
void sl__stream_end(struct sl_ua *ua, struct sl_line *ln);

/** @ln is being cleared (sl__calls_line_reset()): releases sockets, the
 * stream and the DTMF timer, then clears the state. */
void sl__stream_line_reset(struct sl_line *ln);

/**
 * sl__stream_dtmf_in() - a received digit: SL_EV_DTMF unless the same
 * digit came by the other method within its duration (RFC 4733 and INFO
 * both from one key press count once).
 */
void sl__stream_dtmf_in(struct sl_ua *ua, struct sl_line *ln, char digit,
			unsigned duration_ms, enum sl_dtmf_src src);

/** Applies the application's controls of @lm to its running stream. */
void sl__stream_apply_controls(struct sl_ua *ua, struct sl_line_media *lm);

/* ---- media_api.c ---- */

/** The statistics document of sipline/media.h into @buf (NUL-terminated).
 * Return: its length; SL_ENOSPC. */
int sl__media_stats_json(int session, const struct sl_call_stats *s,
			 char *buf, size_t cap);

/** 1 when @c is a DTMF digit of sipline/media.h ("0"-"9", "*", "#",
 * "A"-"D", "!"). */
int sl__dtmf_digit_ok(char c);

/* ---- info.c ---- */

/** An INFO in @ln's dialog (call.c's request seam): 200, then SL_EV_DTMF
 * (application/dtmf-relay, application/dtmf) or SL_EV_INFO. */
void sl__info_on_request(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 struct sl_rxbuf *rx);

/** A response to / failure of a client transaction of line @ln (NULL:
 * not a line's). Return: 1 when it was one of our INFO requests. */
int sl__info_on_response(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 struct sl_rxbuf *rx);
int sl__info_on_failed(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
		       int status);

/** Queues @n digits to go as INFO, @duration_ms each. Return: 0;
 * SL_ELIMIT when more than SL_DTMF_PENDING_MAX would wait. */
int sl__info_dtmf_queue(struct sl_ua *ua, struct sl_line *ln,
			const char *digits, size_t n, unsigned duration_ms);

/** The DTMF timer's callback (armed per line, set up by call_stream.c). */
void sl__info_dtmf_timer(struct sl_timer *t, void *arg);

#endif /* SL_UA_MEDIA_INT_H */
