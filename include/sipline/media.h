/*
 * include/sipline/media.h: the media side of calls - configuration of
 * the RTP engine and audio devices (struct sl_media_config, inside
 * struct sl_ua_config), DTMF, statistics, mute, volume, and the
 * application's hooks into the audio and RTP of a call.
 *
 * Media runs on the engine's own thread(s), never on the SIP loop: RTP
 * and RTCP sockets, jitter buffers and codecs of a call live there, and
 * the loop and the engine talk only through lock-free queues. The
 * functions below are thread-safe like those of call.h: callable from
 * any thread and from inside event callbacks; they validate the session
 * on the UA's loop and hand the request to the engine without waiting
 * for the media thread. The hooks (sl_audio_frame_cb, sl_rtp_packet_cb)
 * run on the media thread: they must not block and must not call
 * sipline functions other than sl_media_feed_pcm().
 */
#ifndef SIPLINE_MEDIA_H
#define SIPLINE_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sl_ua;

/** How DTMF is sent. */
enum sl_dtmf_method {
	SL_DTMF_DEFAULT = 0,    /* the UA's configured method */
	SL_DTMF_RFC4733 = 1,    /* telephone-event RTP packets */
	SL_DTMF_INFO = 2        /* SIP INFO, application/dtmf-relay */
};

/**
 * struct sl_media_config - filled by sl_ua_config_init() (values below
 * are the defaults).
 * @enabled:      1: calls carry RTP; 0: signalling only (SDP is still
 *                negotiated, no sockets, no engine thread).
 * @audio_driver: "virtual" or "alsa" (see sipline/device.h).
 * @capture_dev, @playback_dev: device names for that driver; "" is the
 *                driver's default ("null" for virtual).
 * @play_loop:    a "wav:" capture file starts over at its end.
 * @device_rate:  device sample rate; 0: the driver's default.
 * @device_frame_ms: device period 5, 10 or 20; 0: 10.
 * @ptime_ms:     packet duration offered, 10..60 step 10; 20.
 * @maxptime_ms:  0: none offered; else 10..60 step 10.
 * @payload_types: dynamic payload type overrides, "name=pt,..."
 *                (96..127), e.g. "opus=111,telephone-event=101".
 * @fmtp:         fmtp strings per codec, "name:params|name:params",
 *                e.g. "opus:useinbandfec=1;usedtx=1".
 * @audio_bitrate: opus target bit/s; 0: the codec's default.
 * @jb_min_ms, @jb_max_ms: jitter buffer depth bounds; 20 and 200.
 * @media_timeout_ms: SL_EV_MEDIA_TIMEOUT after this long without RTP
 *                while the peer should be sending (not on hold, not
 *                sendonly from us); 0: never; 30000.
 * @keepalive_pt, @keepalive_ms: RTP keep-alive packets (an empty payload
 *                of this type) while we send nothing; ms 0: off; 13, 0.
 * @audio_dscp:   DSCP for audio sockets, 0..63 (46 = EF); -1: leave the
 *                system's; -1.
 * @media_threads: engine threads (calls are spread over them); 1.
 * @max_streams:  streams the engine sizes its pools for; 0: max_lines.
 * @dtmf_method:  SL_DTMF_RFC4733 (the default) or SL_DTMF_INFO.
 * @dtmf_duration_ms: tone length 40..2000; 100.
 * @dtmf_local_tone: 1: also play the tone to the local speaker; 0.
 * @rtcp_mux:     offer a=rtcp-mux (RFC 5761); 1.
 * @rtcp_as_kbps, @rtcp_rs_bps, @rtcp_rr_bps: RFC 3556 modifiers put in
 *                our SDP and used for the report interval; 0 / -1 / -1:
 *                not sent (then the RFC 3550 defaults).
 */
struct sl_media_config {
	int enabled;
	char audio_driver[16];
	char capture_dev[256];
	char playback_dev[256];
	int play_loop;
	unsigned device_rate;
	unsigned device_frame_ms;
	unsigned ptime_ms;
	unsigned maxptime_ms;
	char payload_types[128];
	char fmtp[256];
	uint32_t audio_bitrate;
	unsigned jb_min_ms;
	unsigned jb_max_ms;
	unsigned media_timeout_ms;
	int keepalive_pt;
	unsigned keepalive_ms;
	int audio_dscp;
	unsigned media_threads;
	unsigned max_streams;
	enum sl_dtmf_method dtmf_method;
	unsigned dtmf_duration_ms;
	int dtmf_local_tone;
	int rtcp_mux;
	uint32_t rtcp_as_kbps;
	int32_t rtcp_rs_bps;
	int32_t rtcp_rr_bps;
};

/**
 * struct sl_call_stats - one call's media statistics.
 */
struct sl_call_stats {
	char codec[32];
	int payload_type;
	uint32_t clock_rate;
	char remote_rtp[64];
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_packets, rx_bytes;
	int64_t lost;             /* by the RTP sequence (our receive side) */
	uint64_t late;            /* arrived after their playout time */
	uint64_t concealed;       /* frames made up (PLC, FEC, repetition) */
	uint64_t duplicate;
	double jitter_ms;         /* RFC 3550 interarrival jitter */
	double rtt_ms;            /* from RTCP; -1: not known yet */
	unsigned jb_delay_ms;     /* jitter buffer depth now */
	double remote_loss_pct;   /* what the peer's reports say */
	double mos;               /* G.107 E-model estimate, 1.0 - 4.5 */
	unsigned duration_s;      /* since media started */
	uint64_t discarded;       /* received but never played: dropped by
				   * the jitter buffer (overflow, or shrunk
				   * to its target: clock drift, a burst
				   * beyond jb_max_ms, a new talk-spurt) */
};

/**
 * sl_call_stats() - copies the media statistics of @session into @out.
 * Return: 0.
 * Errors: SL_EHANDLE (bad @ua), SL_ESESSION (no such call), SL_ESTATE (no
 * media yet), SL_EINVAL (@out NULL).
 * Thread: any.
 */
int sl_call_stats(struct sl_ua *ua, int session, struct sl_call_stats *out);

/**
 * sl_call_stats_json() - the same statistics as one JSON object (keys:
 * session, codec, payload_type, clock_rate, remote_rtp, tx_packets,
 * tx_bytes, rx_packets, rx_bytes, lost, late, concealed, duplicate,
 * jitter_ms, rtt_ms, jb_delay_ms, remote_loss_pct, mos, duration_s,
 * discarded) into
 * @buf, NUL-terminated. The same document arrives as SL_EV_MEDIA_STATS
 * when the call ends.
 * Return: its length.
 * Errors: as sl_call_stats(); SL_ENOSPC when @cap is too small.
 * Thread: any.
 */
int sl_call_stats_json(struct sl_ua *ua, int session, char *buf, size_t cap);

/**
 * sl_call_send_dtmf() - sends @digits ("0"-"9", "*", "#", "A"-"D", "!"
 * for flash), one after another with a 50 ms gap, by @method. RFC 4733:
 * each tone lasts dtmf_duration_ms, with three end packets, on the
 * payload type the peer negotiated. INFO: one application/dtmf-relay
 * request per digit (Signal=, Duration=).
 * Return: 0 (queued).
 * Errors: SL_EHANDLE, SL_ESESSION, SL_ESTATE (call not established),
 * SL_EINVAL (bad digit or NULL), SL_EUNSUPP (RFC 4733 without
 * telephone-event negotiated), SL_ELIMIT (more than 32 digits pending).
 * Thread: any.
 */
int sl_call_send_dtmf(struct sl_ua *ua, int session, const char *digits,
		      enum sl_dtmf_method method);

/** Mute flags. */
enum { SL_MUTE_IN = 1, SL_MUTE_OUT = 2 };

/**
 * sl_call_mute() - mutes @session's incoming audio (not played), outgoing
 * audio (silence sent, RTP keeps flowing) or both; @flags 0 unmutes.
 * Return: 0. Errors: SL_EHANDLE, SL_ESESSION, SL_EINVAL.
 * Thread: any.
 */
int sl_call_mute(struct sl_ua *ua, int session, unsigned flags);

/**
 * sl_call_set_scaling() - per-call gain, 0..1000 (100 = unchanged), of
 * what is played (@in) and what is sent (@out).
 * Return: 0. Errors: SL_EHANDLE, SL_ESESSION, SL_EINVAL (> 1000).
 * Thread: any.
 */
int sl_call_set_scaling(struct sl_ua *ua, int session, unsigned in,
			unsigned out);

/**
 * sl_call_set_bitrate() - the call's audio encoder rate in bit/s (opus:
 * 6000..510000); fixed-rate codecs refuse.
 * Return: 0. Errors: SL_EHANDLE, SL_ESESSION, SL_ESTATE (no media),
 * SL_EUNSUPP (fixed-rate codec), SL_EINVAL (out of range).
 * Thread: any.
 */
int sl_call_set_bitrate(struct sl_ua *ua, int session, uint32_t bps);

/**
 * sl_call_set_rtcp_bandwidth() - the RFC 3556 bandwidth this call's RTCP
 * report interval follows (RFC 3550 §6.3), instead of the UA's
 * rtcp_as_kbps / rtcp_rs_bps / rtcp_rr_bps: @as_kbps the session
 * bandwidth (0: the peer's b=AS, else the codec's rate plus headers);
 * @rs_bps, @rr_bps the senders' and receivers' RTCP shares in bit/s (-1:
 * the peer's b=RS/b=RR, else 1.25% and 3.75% of the session bandwidth;
 * both 0: no RTCP). A running stream changes its interval at once.
 * Return: 0.
 * Errors: SL_EHANDLE, SL_ESESSION, SL_ESTATE (media disabled), SL_EINVAL
 * (@rs_bps or @rr_bps below -1, @as_kbps above 1000000).
 * Thread: any.
 */
int sl_call_set_rtcp_bandwidth(struct sl_ua *ua, int session,
			       uint32_t as_kbps, int32_t rs_bps,
			       int32_t rr_bps);

/** Directions for the hooks. */
enum { SL_DIR_SENT = 1, SL_DIR_RECEIVED = 2 };

/**
 * sl_audio_frame_cb - one frame of a call's audio: 16-bit mono PCM at
 * @rate, @n samples; @dir is SL_DIR_SENT (what is being encoded) or
 * SL_DIR_RECEIVED (what was decoded, before mixing). Runs on the media
 * thread; must not block.
 */
typedef void (*sl_audio_frame_cb)(void *arg, int session, unsigned dir,
				  const int16_t *pcm, size_t n,
				  unsigned rate);

/** sl_rtp_packet_cb - one RTP packet of a call as sent or received (whole
 * packet, header included). Media thread; must not block. */
typedef void (*sl_rtp_packet_cb)(void *arg, int session, unsigned dir,
				 const uint8_t *pkt, size_t len);

/**
 * sl_call_set_audio_cb() / sl_call_set_rtp_cb() - installs (@cb NULL:
 * removes) a hook for the directions in @dirs (SL_DIR_*).
 * Return: 0. Errors: SL_EHANDLE, SL_ESESSION, SL_EINVAL (@dirs 0 with a
 * callback).
 * Thread: any; the hook takes effect within one frame.
 */
int sl_call_set_audio_cb(struct sl_ua *ua, int session, unsigned dirs,
			 sl_audio_frame_cb cb, void *arg);
int sl_call_set_rtp_cb(struct sl_ua *ua, int session, unsigned dirs,
		       sl_rtp_packet_cb cb, void *arg);

/**
 * sl_media_mute() - mutes the microphone and/or the speaker (all calls):
 * @flags SL_MUTE_OUT (mic), SL_MUTE_IN (speaker), 0: unmute both.
 * sl_media_set_volume() - mic and speaker volume 0..255 (255 unchanged,
 * the default; applied digitally).
 * Return: 0. Errors: SL_EHANDLE, SL_EINVAL, SL_ESTATE (media disabled).
 * Thread: any.
 */
int sl_media_mute(struct sl_ua *ua, unsigned flags);
int sl_media_set_volume(struct sl_ua *ua, unsigned mic, unsigned speaker);

/**
 * sl_media_feed_pcm() - sends PCM from the application instead of the
 * microphone (capture device "app"): @n 16-bit mono samples at @rate
 * (8000, 16000, 32000 or 48000). Up to 100 ms are buffered; when the
 * buffer is full the samples that do not fit are dropped and the return
 * value says how many were taken.
 * Return: samples accepted.
 * Errors: SL_EHANDLE, SL_EINVAL (rate, NULL), SL_ESTATE (the capture
 * device is not "app").
 * Thread: one application thread at a time.
 */
int sl_media_feed_pcm(struct sl_ua *ua, const int16_t *pcm, size_t n,
		      unsigned rate);

/**
 * sl_media_loopback() - @on 1: plays the microphone to the speaker (a
 * device test, calls keep running); 0: stops.
 * Return: 0. Errors: SL_EHANDLE, SL_ESTATE (media disabled).
 * Thread: any.
 */
int sl_media_loopback(struct sl_ua *ua, int on);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_MEDIA_H */
