/*
 * lib/media/jbuf.h: the adaptive playout (jitter) buffer of one received
 * RTP stream.
 *
 * Packets go in as they arrive (any order, duplicates, late); the playout
 * side takes one packet's worth of audio at a time, in sequence order, at
 * its own (device) clock. Between the two the buffer
 *  - reorders by sequence number (16-bit, wrap-around) and drops
 *    duplicates and packets whose playout time has passed (late);
 *  - measures the interarrival jitter (RFC 3550 §6.4.1 estimator on the
 *    arrival time versus the RTP timestamp) and keeps a target depth of
 *    about twice the jitter plus one packet, clamped to [min_ms, max_ms],
 *    growing at once on a spike and shrinking slowly;
 *  - reports a gap as SL_JB_LOST (the caller conceals: the codec's PLC or
 *    FEC from the next packet, which the frame carries when it is here);
 *  - compensates clock drift and depth changes a frame at a time: when
 *    the depth stays above target it drops one frame (preferring silence:
 *    CN or tiny payloads; only once the packet that would play next has
 *    waited half a packet plus twice the jitter, so a clean stream does
 *    not cycle drop/insert), when it runs dry it asks for one concealed
 *    frame (SL_JB_LOST with @inserted set) instead of stalling; a depth
 *    above max_ms (a consumer that fell behind) is cut back to the
 *    target at once;
 *  - restarts itself on a marker bit after silence, an SSRC change (the
 *    caller calls sl__jbuf_reset()) or a jump of more than max_ms.
 *
 * Owns: its packet slots, inside the one block the owner gives it (sized
 * by sl__jbuf_size() at call set-up; nothing allocated afterwards).
 * Thread: the media thread that owns the stream; no locks.
 */
#ifndef SL_MEDIA_JBUF_H
#define SL_MEDIA_JBUF_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct sl_jbuf_config - sizing and behaviour.
 * @clock_rate:  the RTP clock (8000 for PCMU and G.722, 48000 opus).
 * @ptime_ms:    the expected packet duration (until packets say).
 * @min_ms, @max_ms: bounds of the target depth (e.g. 20 and 200).
 * @slots:       packets it can hold (>= max_ms / ptime + 4).
 * @max_payload: the largest payload kept (bytes; larger ones are
 *               refused as SL_JB_TOOBIG).
 */
struct sl_jbuf_config {
	uint32_t clock_rate;
	unsigned ptime_ms;
	unsigned min_ms;
	unsigned max_ms;
	unsigned slots;
	size_t max_payload;
};

/** What sl__jbuf_put() did with a packet. */
enum sl_jbuf_put_result {
	SL_JB_STORED = 0,
	SL_JB_DUPLICATE = 1,
	SL_JB_LATE = 2,        /* its playout time has passed */
	SL_JB_TOOBIG = 3,
	SL_JB_OVERFLOW = 4     /* no slot free: the oldest was dropped */
};

/** What sl__jbuf_get() hands out. */
enum sl_jbuf_kind {
	SL_JB_FRAME = 0,       /* a packet to decode */
	SL_JB_LOST = 1,        /* conceal @samples (PLC / FEC) */
	SL_JB_EMPTY = 2        /* not playing yet (filling, or idle): play
				* silence or comfort noise */
};

/**
 * struct sl_jbuf_frame - one playout step.
 * @payload, @len:  the packet (FRAME), valid until the next get/put/reset.
 * @ts:             its RTP timestamp (FRAME and LOST: the missing one).
 * @samples:        duration in RTP clock units (FRAME: from the next
 *                  packet's timestamp or the last known duration).
 * @marker, @pt:    the packet's marker bit and payload type (FRAME).
 * @next, @next_len: LOST: the packet after the gap when it is here (for
 *                  in-band FEC), else NULL.
 * @inserted:       LOST: 1 when the frame is a drift/underrun insertion
 *                  rather than a real gap (not counted as lost).
 */
struct sl_jbuf_frame {
	enum sl_jbuf_kind kind;
	const uint8_t *payload;
	size_t len;
	uint32_t ts;
	uint32_t samples;
	int marker;
	uint8_t pt;
	const uint8_t *next;
	size_t next_len;
	int inserted;
};

/** Counters and gauges for the call statistics. */
struct sl_jbuf_stats {
	uint64_t received;      /* packets put */
	uint64_t played;        /* FRAMEs handed out */
	uint64_t lost;          /* gaps reported (not insertions) */
	uint64_t late;
	uint64_t duplicate;
	uint64_t overflow;
	uint64_t concealed;     /* LOST frames handed out, insertions too */
	uint64_t drift_dropped; /* frames dropped to shrink the depth */
	unsigned depth_ms;      /* buffered now */
	unsigned target_ms;     /* what it aims for */
	double jitter_ms;       /* RFC 3550 estimate */
};

struct sl_jbuf;

/** Bytes of the block sl__jbuf_init() needs for @cfg; 0: bad config. */
size_t sl__jbuf_size(const struct sl_jbuf_config *cfg);

/**
 * sl__jbuf_init() - lays out a buffer in @mem (sl__jbuf_size() bytes,
 * aligned for any type).
 * Return: the buffer, or NULL when @cfg is invalid (zero rate, min > max,
 * too few slots).
 */
struct sl_jbuf *sl__jbuf_init(void *mem, const struct sl_jbuf_config *cfg);

/** Forgets every packet and restarts adaptation (SSRC change). */
void sl__jbuf_reset(struct sl_jbuf *jb);

/**
 * sl__jbuf_put() - offers one received packet; @arrival_us is the local
 * monotonic arrival time. The payload is copied.
 * Return: an enum sl_jbuf_put_result.
 */
int sl__jbuf_put(struct sl_jbuf *jb, uint16_t seq, uint32_t ts, int marker,
		 uint8_t pt, const uint8_t *payload, size_t len,
		 uint64_t arrival_us);

/**
 * sl__jbuf_get() - the next playout step at local time @now_us; the
 * caller calls it whenever it needs the next packet's worth of audio.
 * Return: the frame's kind (also in @out->kind).
 */
int sl__jbuf_get(struct sl_jbuf *jb, uint64_t now_us,
		 struct sl_jbuf_frame *out);

/** Copies the counters into @st. */
void sl__jbuf_stats(const struct sl_jbuf *jb, struct sl_jbuf_stats *st);

#endif /* SL_MEDIA_JBUF_H */
