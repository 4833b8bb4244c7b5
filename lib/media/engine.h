/*
 * lib/media/engine.h: the media engine as the SIP side sees it - the
 * contract between lib/ua (the SIP loop thread) and lib/media (the media
 * thread(s)).
 *
 * The engine owns the media threads, the audio device (through a
 * struct sl_audio_port, sipline/device.h), every stream's sockets, codec
 * state, jitter buffer and counters. The SIP loop is the single producer
 * of every command (one SPSC command ring per media thread, then an
 * eventfd wake-up); the media threads are the single producers of events
 * (one SPSC event ring each), which the loop drains when
 * sl__media_engine_event_fd() turns readable. Nothing on the per-packet
 * path locks, allocates or blocks: pools (streams, jitter buffers, codec
 * state, resamplers) are sized at sl__media_engine_create() from
 * max_streams; sl__media_stream_start() only picks free slots.
 *
 * Statistics are read without locking: the media thread republishes a
 * stream's struct sl_call_stats under a sequence counter (a seqlock: odd
 * while writing) at most every 100 ms and when the stream stops; readers
 * retry while it is odd or changed.
 *
 * Thread: every function here runs on the SIP loop thread, except
 * sl__media_engine_feed() (one application thread) and
 * sl__media_stream_stats() (any thread).
 */
#ifndef SL_MEDIA_ENGINE_H
#define SL_MEDIA_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sipline/codec.h"
#include "sipline/media.h"
#include "media/rtp.h"

struct sl_media_engine;

/**
 * struct sl_stream_params - what one call's audio stream does, from the
 * negotiated SDP.
 * @session:      the call's session id (events carry it back).
 * @rtp_fd, @rtcp_fd: from sl__media_sockets_open(); the engine owns them
 *                from sl__media_stream_start() on (closes them at stop).
 *                @rtcp_fd -1 with rtcp-mux.
 * @remote_rtp, @remote_rtcp, @remote_len: the peer's addresses from the
 *                SDP (c=, m= port, a=rtcp); symmetric RTP latches to the
 *                real source of the first valid packets (RFC 4961).
 * @codec, @pt_tx, @pt_rx: the negotiated codec and its payload type in
 *                each direction (they may differ).
 * @cp:           its parameters (ptime, fmtp, bitrate).
 * @te_pt_tx, @te_pt_rx: telephone-event payload types, -1: none.
 * @cn_pt:        CN payload type accepted, -1: none.
 * @send, @recv:  the negotiated direction from our side (hold: send 0 or
 *                both 0).
 * @rtcp_mux:     RTP and RTCP share @rtp_fd.
 * @bw:           RFC 3556 bandwidth for the report interval.
 * @cname:        our SDES CNAME.
 */
struct sl_stream_params {
	int session;
	int rtp_fd;
	int rtcp_fd;
	struct sockaddr_storage remote_rtp;
	struct sockaddr_storage remote_rtcp;
	socklen_t remote_len;
	const struct sl_codec *codec;
	uint8_t pt_tx;
	uint8_t pt_rx;
	struct sl_codec_params cp;
	int te_pt_tx;
	int te_pt_rx;
	int cn_pt;
	int send;
	int recv;
	int rtcp_mux;
	struct sl_rtcp_bw bw;
	char cname[64];
};

/** What the engine tells the loop. */
enum sl_media_ev_type {
	SL_MEV_STARTED = 1,     /* first packet sent or received */
	SL_MEV_DTMF = 2,        /* a received RFC 4733 tone (once per
				 * event, at its end or first packet) */
	SL_MEV_TIMEOUT = 3,     /* media_timeout_ms without RTP */
	SL_MEV_STOPPED = 4,     /* stream stopped; @stats is final */
	SL_MEV_LATCHED = 5      /* the peer's real RTP source changed */
};

struct sl_media_ev {
	enum sl_media_ev_type type;
	int session;
	int stream;
	char digit;
	unsigned duration_ms;
	struct sl_call_stats stats;
};

/**
 * sl__media_engine_create() - starts cfg->media_threads media threads and
 * opens the audio device from @cfg (driver, capture/playback names,
 * rate), with pools for @max_streams streams.
 * Return: 0 and *@out, or SL_EINVAL (bad config), SL_ENOTFOUND /
 * SL_EIO (device), SL_ENOMEM.
 */
int sl__media_engine_create(const struct sl_media_config *cfg,
			    unsigned max_streams,
			    struct sl_media_engine **out);

/** Stops every stream (BYE in RTCP), the threads and the device; frees
 * everything. Bounded: joins threads that wake within one tick. */
void sl__media_engine_destroy(struct sl_media_engine *eng);

/** The fd the loop watches (readable: events wait). */
int sl__media_engine_event_fd(struct sl_media_engine *eng);

/** Pops every waiting event, calling @cb for each, on the loop thread. */
void sl__media_engine_drain(struct sl_media_engine *eng,
			    void (*cb)(void *arg,
				       const struct sl_media_ev *ev),
			    void *arg);

/**
 * sl__media_sockets_open() - binds an RTP socket on an even port of
 * [@port_min, @port_max] at @local (its port ignored) and, unless @mux,
 * the RTCP socket on the next port; sets audio DSCP; non-blocking.
 * Ports are tried from a rotating start so consecutive calls do not
 * reuse the same pair at once.
 * Return: 0 with @fds[0] (RTP), @fds[1] (RTCP or -1) and *@port, or
 * SL_ELIMIT (no free pair), SL_ETRANSPORT.
 */
int sl__media_sockets_open(struct sl_media_engine *eng,
			   const struct sockaddr *local, socklen_t len,
			   uint16_t port_min, uint16_t port_max, int mux,
			   int fds[2], uint16_t *port);

/** Closes sockets that never reached sl__media_stream_start(). */
void sl__media_sockets_close(int fds[2]);

/**
 * sl__media_stream_start() - starts a stream.
 * Return: its stream id (>= 0), or SL_ENOMEM (no free stream), SL_EINVAL
 * (no codec, bad fds, unsupported ptime), SL_ELIMIT (command ring full).
 */
int sl__media_stream_start(struct sl_media_engine *eng,
			   const struct sl_stream_params *p);

/** Applies new parameters (re-INVITE/UPDATE: direction, remote address,
 * codec); the fds in @p are ignored. Return: 0 or SL_EINVAL / SL_ELIMIT. */
int sl__media_stream_update(struct sl_media_engine *eng, int stream,
			    const struct sl_stream_params *p);

/** Stops the stream (RTCP BYE, sockets closed); SL_MEV_STOPPED follows.
 * Return: 0 or SL_EINVAL / SL_ELIMIT. */
int sl__media_stream_stop(struct sl_media_engine *eng, int stream);

/** Sends one RFC 4733 tone of @duration_ms after those queued. Return: 0,
 * SL_EUNSUPP (no telephone-event), SL_ELIMIT. */
int sl__media_stream_dtmf(struct sl_media_engine *eng, int stream,
			  char digit, unsigned duration_ms);

/** Per-stream controls. */
enum sl_media_ctl {
	SL_MCTL_MUTE = 1,       /* a: SL_MUTE_* flags */
	SL_MCTL_SCALING = 2,    /* a: in 0..1000, b: out 0..1000 */
	SL_MCTL_BITRATE = 3,    /* a: bit/s */
	SL_MCTL_AUDIO_CB = 4,   /* a: dirs, fn: sl_audio_frame_cb, arg */
	SL_MCTL_RTP_CB = 5      /* a: dirs, fn: sl_rtp_packet_cb, arg */
};

int sl__media_stream_control(struct sl_media_engine *eng, int stream,
			     enum sl_media_ctl what, uint32_t a, uint32_t b,
			     void (*fn)(void), void *arg);

/** Engine-wide controls: mic/speaker mute (a: SL_MUTE_*), volume (a mic,
 * b speaker, 0..255), loopback (a 0/1). */
enum sl_media_global {
	SL_MG_MUTE = 1,
	SL_MG_VOLUME = 2,
	SL_MG_LOOPBACK = 3
};

int sl__media_engine_control(struct sl_media_engine *eng,
			     enum sl_media_global what, uint32_t a,
			     uint32_t b);

/** Copies the last published statistics of @stream. Return: 0 or
 * SL_EINVAL (no such stream). Thread: any. */
int sl__media_stream_stats(struct sl_media_engine *eng, int stream,
			   struct sl_call_stats *out);

/** Application PCM for the "app" capture device (see
 * sl_media_feed_pcm()). Return: samples taken, SL_ESTATE, SL_EINVAL. */
int sl__media_engine_feed(struct sl_media_engine *eng, const int16_t *pcm,
			  size_t n, unsigned rate);

/**
 * sl__media_engine_rx_loss() - test-only fault injection: every media
 * thread drops @permille / 1000 of the valid RTP packets it receives,
 * before anything counts them (as if lost on the network), drawn from a
 * generator seeded by @seed (and the slot), so a run repeats exactly.
 * @permille 0 stops dropping. Thread: SIP loop.
 * Return: 0 or SL_EINVAL (@permille > 1000).
 */
int sl__media_engine_rx_loss(struct sl_media_engine *eng, unsigned permille,
			     uint32_t seed);

#endif /* SL_MEDIA_ENGINE_H */
