/*
 * lib/media/engine_int.h: the media engine's private structures, shared by
 * the files of lib/media that implement engine.h (nothing outside
 * lib/media includes this).
 *
 * Ownership, which every field below is grouped by:
 *  - the SIP loop thread owns struct sl_media_engine's set-up fields and
 *    each slot's `l` part (is the slot free, its id, the resources it
 *    handed over);
 *  - one media thread (struct sl_mthread) owns each running stream's
 *    media part: sockets, codec state, jitter buffer, counters. It gets
 *    the stream through a command and gives it back through the
 *    SL_MEV_STOPPED event, so the ring's release/acquire pair orders
 *    every hand-over;
 *  - a few C11 atomics cross threads: the stream id and the statistics
 *    seqlock (read by any thread), the resource set in use (loop reads),
 *    the pending DTMF count, the mix generation that thread 0 (the
 *    device mixer) reads to find the other threads' streams it feeds
 *    (one dense array in the engine, so finding them reads a few cache
 *    lines, not every slot), and each thread's count of streams.
 *
 * Thread 0 owns the device, so its own streams take capture frames and
 * give playback frames directly, inside the mixer's pass over them (no
 * copies, no rings: with one media thread that is every stream). A
 * stream of another thread talks to the device through two per-slot
 * SPSC rings of device frames (capture: thread 0 -> owner, playback:
 * owner -> thread 0). A ring frame carries the generation of the stream
 * it was made for: a slot that is reused never plays or sends a previous
 * call's leftovers, and nobody has to reset a ring that another thread
 * might be touching.
 */
#ifndef SL_MEDIA_ENGINE_INT_H
#define SL_MEDIA_ENGINE_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "core/spsc.h"
#include "device/port.h"
#include "device/resample.h"
#include "media/engine.h"
#include "media/jbuf.h"
#include "media/rtp.h"
#include "sipline/codec.h"
#include "sipline/device.h"
#include "sipline/media.h"

enum {
	SL_ME_MAX_THREADS = 8,
	SL_ME_CMD_CAP = 64,         /* commands in flight per thread */
	SL_ME_EV_CAP = 256,         /* events waiting per thread */
	SL_ME_PCM_FRAMES = 8,       /* device frames per stream PCM ring */
	SL_ME_MAX_PAYLOAD = 2048,   /* largest RTP payload sent or kept */
	SL_ME_RX_CAP = 4096,        /* receive buffer: larger is dropped */
	SL_ME_MAX_DEV_FRAME = 960,  /* 48 kHz x 20 ms */
	SL_ME_MAX_PTIME = 60,
	SL_ME_MAX_RATE = 48000,
	SL_ME_ACC_CAP = 4096,       /* one ptime (<= 2880) + one frame */
	SL_ME_DEC_CAP = 8192,       /* 120 ms of opus at 48 kHz + a frame */
	SL_ME_DEV_CAP = 2048,       /* two device frames and a margin */
	SL_ME_LAST_CAP = 2880,      /* kept for repetition (60 ms at 48k) */
	SL_ME_DTMF_QUEUE = 32,
	SL_ME_MIX_PASS = 4,         /* device frames per mixer pass */
	SL_ME_STATS_WORDS = (sizeof(struct sl_call_stats) + 7) / 8
};

/* Epoll tags: the low two bits say what, the rest the slot. */
enum { SL_ME_TAG_CMD = 0, SL_ME_TAG_TIMER = 1, SL_ME_TAG_RTP = 2,
       SL_ME_TAG_RTCP = 3 };

/* Loop-side slot states. */
enum { SL_ME_FREE = 0, SL_ME_RUNNING = 1, SL_ME_STOPPING = 2 };

/* Commands, SIP loop -> media thread. */
enum sl_me_cmd_type {
	SL_ME_CMD_START = 1,
	SL_ME_CMD_UPDATE = 2,
	SL_ME_CMD_STOP = 3,
	SL_ME_CMD_DTMF = 4,
	SL_ME_CMD_CTL = 5
};

/**
 * struct sl_me_cmd - one command. START and UPDATE carry the parameters
 * and, when the codec changed, the resource set (codec state block and
 * resamplers) the loop prepared; the media thread never allocates.
 */
struct sl_me_cmd {
	enum sl_me_cmd_type type;
	int slot;
	int set;                     /* resource set to use; -1: keep */
	struct sl_resampler *rs_cap; /* device -> codec rate (set >= 0) */
	struct sl_resampler *rs_play;/* codec -> device rate */
	uint32_t ssrc;               /* START: our SSRC, first seq and ts */
	uint16_t seq;
	uint32_t ts;
	uint32_t gen;                /* START: the slot's generation */
	int id;                      /* START: the stream id */
	enum sl_media_ctl ctl;
	uint32_t a, b;
	void (*fn)(void);
	void *arg;
	char digit;
	struct sl_stream_params p;
};

/** struct sl_me_ev - an event as queued: the public part plus the slot
 * the loop frees when it is SL_MEV_STOPPED. */
struct sl_me_ev {
	struct sl_media_ev ev;
	int slot;
};

/** The statistics seqlock: @seq odd while the owner writes; the words
 * are atomics so that a reader racing with the writer is no data race
 * (it retries). */
struct sl_stats_pub {
	_Atomic unsigned seq;
	_Atomic uint64_t w[SL_ME_STATS_WORDS];
};

/** What the SIP loop keeps about a slot (loop thread only). */
struct sl_mslot_loop {
	int state;                   /* SL_ME_FREE / RUNNING / STOPPING */
	uint32_t gen;                /* bumped at each start, never 0 */
	unsigned thread;             /* owner media thread */
	struct sl_stream_params p;   /* as last sent */
	int want;                    /* resource set last handed over */
	struct sl_resampler *rs_cap[2];
	struct sl_resampler *rs_play[2];
	const struct sl_codec *codec_of[2]; /* inited in codec_mem[i] */
};

/** Receive-side RFC 4733 state (one event at a time). */
struct sl_dtmf_rx {
	int active;                  /* an event is being received */
	int emitted;                 /* SL_MEV_DTMF sent for it */
	uint32_t ts;                 /* its RTP timestamp (the dedupe key) */
	uint8_t code;
	uint32_t duration;           /* RTP clock units, largest seen */
	uint64_t last_us;            /* last packet of it */
	int have_done;               /* @done_ts holds a finished event */
	uint32_t done_ts;            /* so its late end packets stay quiet */
};

/** Send-side RFC 4733 state. */
struct sl_dtmf_tx {
	char digit[SL_ME_DTMF_QUEUE];
	uint16_t dur_ms[SL_ME_DTMF_QUEUE];
	unsigned head, n;
	int state;                   /* DTX_IDLE / TONE / GAP */
	uint8_t code;
	uint32_t ev_ts;              /* the event's timestamp */
	uint32_t dur;                /* elapsed, RTP clock units */
	uint32_t target;             /* wanted duration */
	uint32_t gap_left;           /* clock units before the next tone */
	double phase1, phase2;       /* local tone oscillators */
	double f1, f2;
};

struct sl_rtcp_sched {
	uint64_t next_us;            /* 0: RTCP off */
	int initial;
	double avg_size;             /* bytes, with UDP/IP (§6.3.3) */
	int we_sent;                 /* RTP sent since the last report */
	int peer_sent;               /* RTP received since the last one */
	double rtt_ms;               /* -1: unknown */
	double remote_loss_pct;
	uint32_t lsr;                /* the peer's last SR (NTP middle) */
	uint64_t lsr_arrival_us;     /* when it came, 0: none yet */
	uint64_t reports;            /* sent */
	uint64_t received;           /* valid compound packets read */
	uint32_t rng;
};

struct sl_mthread;

/**
 * struct sl_mstream - one stream slot. Pools: every buffer below is part
 * of the slot, sized at engine creation.
 */
struct sl_mstream {
	/* ---- crossing threads ---- */
	_Atomic int id;              /* stream id, -1 when free */
	_Atomic int act;             /* resource set in use (media) */
	_Atomic unsigned dtmf_pending; /* queued digits not yet sent */
	struct sl_stats_pub pub;
	struct sl_spsc cap_ring;     /* thread 0 -> owner, device frames */
	struct sl_spsc play_ring;    /* owner -> thread 0, device frames */
	void *codec_mem[2];          /* state blocks, set 0 and 1 */
	void *jb_mem;
	int idx;                     /* slot index (immutable) */

	/* ---- SIP loop thread ---- */
	struct sl_mslot_loop l;

	/* ---- the owner media thread (sl__ms_start() clears from here) */
	int running;
	int stop_pending;            /* SL_MEV_STOPPED not queued yet */
	int sid;                     /* stream id */
	uint32_t gen;
	struct sl_mthread *thr;
	struct sl_stream_params p;
	const struct sl_codec *codec;
	void *cst;                   /* codec state in use */
	struct sl_resampler *rs_cap, *rs_play;
	unsigned ptime_ms;
	unsigned ptime_samples;      /* at the codec's sample rate */
	uint32_t ptime_clock;        /* RTP clock units per packet */
	unsigned cf;                 /* codec samples per device frame */

	/* sending */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;                 /* timestamp of the next packet */
	int marker_next;             /* next audio packet starts a spurt */
	uint64_t tx_packets, tx_bytes, tx_octets;
	uint64_t last_tx_us;
	uint64_t next_ka_us;         /* next keep-alive */
	struct sockaddr_storage rtp_to, rtcp_to;
	socklen_t rtp_to_len, rtcp_to_len;
	int rtp_to_ok;               /* rtp_to is an address to send to */

	/* latching (RFC 4961) */
	int latched;
	int rtcp_latched;
	struct sockaddr_storage cand;
	socklen_t cand_len;
	unsigned cand_n;

	/* the RTP socket connected to rtp_to (stream.c: sends skip the
	 * route look-up) */
	int connected;
	int connect_off;             /* not for this remote address */
	unsigned conn_n;             /* packets in a row from rtp_to ... */
	uint8_t conn_dst[16];        /* ... to this address of ours */

	/* receiving */
	struct sl_rtp_source src;
	int have_src;
	uint32_t src_clock;          /* clock rate src was measured in */
	uint64_t rx_packets, rx_bytes, rx_dropped;
	uint64_t last_rx_us;
	int timed_out;
	struct sl_jbuf *jb;
	uint32_t loss_rng;
	unsigned loss_epoch;
	unsigned loss_permille;

	/* capture: codec-rate samples waiting for a whole packet (acc) */
	size_t acc_n;

	/* playout: two FIFOs, each [off, off + n) of its array; without a
	 * resampler the codec runs at the device rate and dec alone is
	 * used */
	size_t dec_off, dec_n;       /* decoded, codec rate */
	size_t dev_off, dev_n;       /* resampled, device rate */
	size_t last_n;               /* in last */
	unsigned fade_k;             /* consecutive repeated frames */
	int in_cn;                   /* comfort noise since the last SID */
	uint8_t cn_level;
	uint32_t cn_rng;
	uint64_t concealed;
	unsigned play_target;        /* frames kept in play_ring (streams
				      * of threads other than 0) */

	struct sl_dtmf_rx drx;
	struct sl_dtmf_tx dtx;
	struct sl_rtcp_sched rtcp;

	/* hooks and controls */
	sl_audio_frame_cb audio_cb;
	void *audio_arg;
	unsigned audio_dirs;
	sl_rtp_packet_cb rtp_cb;
	void *rtp_arg;
	unsigned rtp_dirs;
	unsigned mute;               /* SL_MUTE_* */
	unsigned scale_in, scale_out;/* 100: unchanged */

	/* statistics */
	uint64_t start_us;
	uint64_t media_start_us;     /* first packet either way, 0: none */
	uint64_t next_pub_us;
	char remote_str[64];

	/* The sample buffers, last: every tick touches only their ends in
	 * use, and the fields above then share a few cache lines. */
	int16_t acc[SL_ME_ACC_CAP];
	int16_t dec[SL_ME_DEC_CAP];
	int16_t dev[SL_ME_DEV_CAP];
	int16_t last[SL_ME_LAST_CAP];/* the last good frame (repetition) */
};

/** struct sl_mthread - one media thread. */
struct sl_mthread {
	struct sl_media_engine *eng;
	unsigned index;
	pthread_t tid;
	int started;
	int epfd;
	int cmdfd;                   /* eventfd: commands and wake-ups */
	int timerfd;                 /* one tick per device frame */
	struct sl_spsc cmd;          /* loop -> this thread */
	struct sl_spsc ev;           /* this thread -> loop */
	void *cmd_mem, *ev_mem;
	_Atomic int quit;
	_Atomic unsigned n_streams;  /* n_owned as last published (thread 0
				      * wakes only threads that have some) */
	int *owned;                  /* slots this thread runs */
	unsigned n_owned;
	uint8_t *mine;               /* per slot: 1 when in owned[] */
	_Atomic unsigned long ev_dropped;
	uint64_t next_tick_us;       /* when the next frame tick is due */
	uint64_t clock_ticks;        /* ticks made by the clock since the
				      * timerfd was last read */
	uint64_t late_ticks;         /* frame ticks missed (came a whole
				      * frame or more late) */
	/* scratch, this thread only */
	uint8_t pkt[SL_ME_RX_CAP];
	uint8_t out[SL_RTP_HDR + SL_ME_MAX_PAYLOAD];
	unsigned char *frame;        /* one ring element */
	int16_t pcm[SL_ME_MAX_DEV_FRAME];

	/* thread 0: the mixer's pass (sl__mix_begin() .. sl__mix_end()) */
	int *foreign;                /* other threads' slots being mixed */
	unsigned n_foreign;
	unsigned k_cap;              /* capture frames in cap[] */
	unsigned k_out;              /* playback frames made this pass, */
	unsigned k_skip;             /* the first k_skip of them discarded */
	unsigned long underrun_seen; /* the device's underrun counter */
	unsigned long skip_owed;     /* samples the device played as silence
				      * that the streams still have to pass */
	uint64_t skipped;            /* frames passed so (diagnostics) */
	int16_t cap[SL_ME_MIX_PASS][SL_ME_MAX_DEV_FRAME];
	int32_t mix[SL_ME_MIX_PASS][SL_ME_MAX_DEV_FRAME];
};

/** struct sl_media_engine - see engine.h. */
struct sl_media_engine {
	struct sl_media_config cfg;  /* defaults resolved */
	unsigned max_streams;
	unsigned n_threads;
	struct sl_mstream *streams;
	_Atomic uint32_t *mix_gen;   /* per slot, owner -> thread 0: 0 not
				      * mixed, else the tag of its frames */
	struct sl_mthread *thr;
	int evfd;                    /* events wait (any media thread) */
	struct sl_audio_port *port;
	const struct sl_audio_driver *drv;
	void *dev;
	unsigned dev_rate;
	unsigned frame_ms;
	unsigned dev_frame;          /* samples per device frame */
	size_t frame_elem;           /* bytes of one PCM ring element */
	size_t codec_state_max;
	size_t jb_size;
	unsigned jb_slots;
	int app_capture;             /* capture device is "app" */
	_Atomic int loopback;
	_Atomic unsigned loss_permille;
	_Atomic uint32_t loss_seed;
	_Atomic unsigned loss_epoch;

	/* SIP loop thread only */
	unsigned rr;                 /* next thread, round-robin */
	uint32_t port_next;          /* rotating start of the port search */
	unsigned mic_vol, spk_vol, mute;
};

/** A device frame in a PCM ring: its stream's generation, then samples. */
struct sl_me_frame_hdr {
	uint32_t gen;
	uint32_t n;
};

/* ---- helpers every file uses ---- */

static inline uint64_t sl__me_now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/** xorshift32: cheap, deterministic for a seed; never 0 from non-0. */
static inline uint32_t sl__me_rand(uint32_t *s)
{
	uint32_t x = *s ? *s : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return x;
}

/* A hint that @p will be read soon (the mixer runs thousands of streams
 * a tick, each cold in the cache); nothing where the compiler has none. */
#if defined(__GNUC__) || defined(__clang__)
#define SL_ME_PREFETCH(p) __builtin_prefetch(p)
#else
#define SL_ME_PREFETCH(p) ((void)(p))
#endif

static inline int16_t sl__me_sat16(int32_t v)
{
	if (v > 32767)
		return 32767;
	if (v < -32768)
		return -32768;
	return (int16_t)v;
}

/* ---- engine.c / engine_cmd.c / worker.c ---- */

/** Releases resource set @i of slot @s (codec fini, resamplers). Loop
 * thread, once the media thread no longer uses that set. */
void sl__me_drop_set(struct sl_mstream *s, int i);

/** Queues @ev for the loop and wakes it. Return: 1 queued, 0 ring full
 * (counted). Thread: @thr. */
int sl__me_event(struct sl_mthread *thr, const struct sl_me_ev *ev);

/** Emits a public event about @s (its session and stream filled in). */
void sl__me_emit(struct sl_mstream *s, enum sl_media_ev_type type,
		 char digit, unsigned duration_ms);

/** The media thread body. */
void *sl__me_thread_main(void *arg);

/* ---- stream.c: stream life and the receive path ---- */

void sl__ms_start(struct sl_mthread *thr, struct sl_mstream *s,
		  const struct sl_me_cmd *c);
void sl__ms_update(struct sl_mstream *s, const struct sl_me_cmd *c);
/** Stops @s: BYE, sockets closed, final stats; queues SL_MEV_STOPPED
 * (retried by sl__ms_tick() while the event ring is full). */
void sl__ms_stop(struct sl_mstream *s);
/** Reads what waits on @s's RTP (@rtcp 0) or RTCP socket. */
void sl__ms_readable(struct sl_mstream *s, int rtcp, uint64_t now);
/** Per-tick work of one stream (capture, playout, RTCP, timers). */
void sl__ms_tick(struct sl_mstream *s, uint64_t now);
/** Sends one RTP packet with our header; @payload already at
 * thr->out + 12. Return: 0 or -1 (no address, socket refused). */
int sl__ms_send_rtp(struct sl_mstream *s, uint8_t pt, int marker,
		    uint32_t ts, size_t payload_len, uint64_t now);
/** Sends a datagram to the peer's RTCP address. */
void sl__ms_send_rtcp(struct sl_mstream *s, const uint8_t *pkt, size_t len);
/** Codec-derived sizes after a (re)start; resets the pipelines. */
void sl__ms_apply_codec(struct sl_mstream *s);

/* ---- playout.c: jitter buffer to decoded PCM ---- */

void sl__ms_playout_reset(struct sl_mstream *s);
/** Produces one device frame of @s's received audio (with the stream's
 * mute and gain) and returns where it is: inside @s's playout FIFO,
 * writable, valid until the next playout call on @s. */
int16_t *sl__ms_play_next(struct sl_mstream *s, uint64_t now);
/** The same, copied into @out. */
void sl__ms_play_frame(struct sl_mstream *s, int16_t *out, uint64_t now);

/* ---- dtmf_recv.c ---- */

void sl__ms_dtmf_rx_reset(struct sl_mstream *s);
void sl__ms_dtmf_rx(struct sl_mstream *s, const struct sl_rtp_hdr *h,
		    uint64_t now);
void sl__ms_dtmf_rx_tick(struct sl_mstream *s, uint64_t now);

/* ---- dtmf_send.c ---- */

void sl__ms_dtmf_tx_reset(struct sl_mstream *s);
/** Queues a digit. Return: 0, or -1 when the queue is full. */
int sl__ms_dtmf_queue(struct sl_mstream *s, char digit, unsigned dur_ms);
/** Called once per packet time: sends the tone's packet for this slot
 * of time. Return: 1 when the slot was used (no audio), 0 for audio. */
int sl__ms_dtmf_step(struct sl_mstream *s, uint64_t now);
/** Adds the local DTMF tone (device rate) when one is being sent. */
void sl__ms_dtmf_local(struct sl_mstream *s, int16_t *pcm, size_t n,
		       unsigned rate);

/* ---- mix.c: device fan-out, stream send, playback mix ---- */

/**
 * sl__mix_begin() - thread 0 starts a mixer pass: reads up to
 * SL_ME_MIX_PASS capture frames (handing them to the other threads'
 * streams at once) and decides how many playback frames the pass makes:
 * what the device's queue lacks, plus frames the device already played
 * as silence because we were late, which every stream must still pass
 * so that its playout keeps the device's pace.
 * Return: 1 when the pass has work (frames in or out), else 0 (ending
 * such a pass does nothing).
 */
int sl__mix_begin(struct sl_mthread *thr0);
/** Thread 0: fetches into the cache what sl__mix_stream() will read of
 * @s, in two steps: @stage 0 the slot's fields, @stage 1 (a stream
 * later, once those are in) what they point to. */
void sl__mix_prefetch(const struct sl_mstream *s, int stage);
/** Thread 0, inside a pass: one of its own streams takes the pass's
 * capture frames and adds its playback frames to the mix. */
void sl__mix_stream(struct sl_mthread *thr0, struct sl_mstream *s,
		    uint64_t now);
/** Thread 0 ends the pass: the other threads' frames, loopback, and the
 * mix to the device. */
void sl__mix_end(struct sl_mthread *thr0);
/** Owner (not thread 0): encodes and sends what its capture ring holds. */
void sl__ms_capture(struct sl_mstream *s, uint64_t now);
/** Owner: encodes and sends @n device-rate samples of capture. */
void sl__ms_capture_pcm(struct sl_mstream *s, const int16_t *pcm, size_t n,
			uint64_t now);
/** Owner (not thread 0): keeps play_ring at its target depth. */
void sl__ms_fill_play(struct sl_mstream *s, uint64_t now);

/* ---- rtcp_sched.c ---- */

void sl__ms_rtcp_start(struct sl_mstream *s, uint64_t now);
void sl__ms_rtcp_tick(struct sl_mstream *s, uint64_t now);
/** Handles a received compound packet. Return: 0, or -1 when it is not
 * valid RTCP (then it must not move the RTCP address either). */
int sl__ms_rtcp_recv(struct sl_mstream *s, const uint8_t *pkt, size_t len,
		     uint64_t now);
void sl__ms_rtcp_bye(struct sl_mstream *s, uint64_t now);
/** The bandwidth changed: the next report is due per the new interval
 * (none when it disables RTCP). */
void sl__ms_rtcp_reschedule(struct sl_mstream *s, uint64_t now);

/* ---- stats.c ---- */

/** Fills @st from @s's counters (owner thread). */
void sl__ms_stats_fill(struct sl_mstream *s, struct sl_call_stats *st,
		       uint64_t now);
/** Publishes @st under the seqlock (the one writer at a time). */
void sl__stats_publish(struct sl_stats_pub *pub,
		       const struct sl_call_stats *st);
/** Reads a consistent copy. Return: 0, or -1 after too many retries. */
int sl__stats_read(struct sl_stats_pub *pub, struct sl_call_stats *out);
/** Republishes @s's statistics when 100 ms have passed (or @force). */
void sl__ms_stats_tick(struct sl_mstream *s, uint64_t now, int force);

/* ---- keepalive.c ---- */

void sl__ms_keepalive_tick(struct sl_mstream *s, uint64_t now);
void sl__ms_timeout_tick(struct sl_mstream *s, uint64_t now);

#endif /* SL_MEDIA_ENGINE_INT_H */
