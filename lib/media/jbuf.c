/*
 * lib/media/jbuf.c: the adaptive playout (jitter) buffer of one received
 * RTP stream (contract in lib/media/jbuf.h).
 *
 * Owns: a struct sl_jbuf and its packet slots, laid out in the one block
 * its owner passes to sl__jbuf_init(); nothing is allocated afterwards.
 * Thread: the media thread that owns the stream; no locks.
 * Called by: the media engine, sl__jbuf_put() per received packet and
 * sl__jbuf_get() per playout step (at the device clock).
 * RFC 3550 §6.4.1 and A.8 (interarrival jitter), A.1 (sequence number
 * extension and probation after a large jump); RFC 3551 §4.1 (marker bit
 * on the first packet of a talkspurt); RFC 3389 (CN, payload type 13).
 *
 * Layout. Slot i holds the packet whose extended sequence number s has
 * s % slots == i. Only s in [next_seq, next_seq + slots) is ever held,
 * so the mapping never collides; a played slot keeps its number so a
 * copy that turns up later is told apart from a late packet.
 * Sequence numbers and timestamps are extended to 64 bits against the
 * newest packet (16-bit and 32-bit wrap), so every comparison below is a
 * plain integer comparison.
 *
 * Depth. The buffered audio ahead of the playout point, in RTP clock
 * units: the duration of every held packet (from its successor's
 * timestamp, else the last measured duration) plus one duration for
 * each missing sequence number before the newest packet, a run of
 * missing numbers never counting more than the timestamps around it
 * span (numbers an RFC 4733 sender spent on events take no time). It
 * counts packets, not the timestamp span, so a silence gap inside the
 * buffer (DTX, CN) is not mistaken for buffered audio.
 *
 * Adaptation, per playout step:
 *  - target = 2 * jitter + one packet, clamped to [min, max]; it rises
 *    at once (jitter spike, late packet) and decays towards that value
 *    with an 8 s time constant;
 *  - the depth is smoothed (1/16 per step); once the smoothed depth has
 *    stayed half a packet above target for 0.5 s, and the real depth did
 *    not fall below two packets meanwhile (so the drop cannot starve), one
 *    frame is dropped: at once if it is silence (CN, tiny payload), else
 *    after 1 s at the latest - and only at a step where the packet that
 *    then plays arrived half a packet (plus jitter) earlier, so the drop
 *    cannot make the next one late (drop_is_safe());
 *  - when the real depth exceeds max_ms (playout fell behind arrival, or
 *    a burst came after a stall) it is cut back to the target at once,
 *    oldest first: a frame at a time would take seconds, and everything
 *    above max_ms is delay nobody asked for;
 *  - when the smoothed depth falls a whole packet below target (the
 *    target jumped) a concealment frame is inserted after 100 ms, or at
 *    once after a silence frame;
 *  - when the buffer runs dry a concealment frame is inserted instead of
 *    advancing; if the next packet then is missing while later ones
 *    arrived, the insertion stood in for it (counted lost, not concealed
 *    twice). After a silence frame, or max_ms of dryness, it stops
 *    concealing and refills (SL_JB_EMPTY) to the target.
 *
 * "lost" counts sequence numbers that playout passed without their
 * packet: reported as SL_JB_LOST, covered by a preceding insertion, or
 * skipped when playout resumes after a refill or on overflow. A restart
 * (jump, marker after silence) skips nothing: numbering starts afresh.
 * Packets flushed by a restart or a reset, or cut when the depth went
 * past max_ms, count as drift_dropped, so
 * received = played + drift_dropped + overflow + late + duplicate +
 * too big + still held, always.
 */
#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

#include "media/jbuf.h"

enum {
	ST_IDLE = 0,    /* nothing since init/reset */
	ST_FILL = 1,    /* filling to the target; get says EMPTY */
	ST_PLAY = 2
};

enum {
	SLOT_FREE = 0,
	SLOT_HELD = 1,
	SLOT_PLAYED = 2  /* played, dropped or flushed; seq kept for dups */
};

/* Limits on the configuration (beyond the contract's own rules), so the
 * 64-bit arithmetic and the 16-bit sequence window always hold. */
enum {
	MAX_RATE = 1000000,
	MAX_PTIME_MS = 1000,
	MAX_DEPTH_MS = 60000,
	MAX_SLOTS = 16384,          /* well inside half the 16-bit space */
	MAX_PAYLOAD = 65536,
	MAX_FRAME_MS = 120,         /* longest packet accepted as such */
	MISORDER = 100,             /* RFC 3550 A.1 MAX_MISORDER */
	CN_PT = 13                  /* RFC 3551 static comfort noise */
};

/* Adaptation time constants, in milliseconds of playout. */
#define TARGET_DECAY_MS 8000.0
#define DROP_HOLD_MS    500
#define DROP_GRACE_MS   1000
#define INSERT_HOLD_MS  100

struct jb_slot {
	int64_t seq;            /* extended; meaningful unless SLOT_FREE */
	int64_t ts;             /* extended */
	int64_t dur;            /* RTP units; see the file comment */
	uint64_t arr_us;        /* when it arrived (local clock) */
	uint32_t len;
	uint8_t state;
	uint8_t marker;
	uint8_t pt;
};

struct sl_jbuf {
	struct sl_jbuf_config cfg;
	struct jb_slot *slot;
	uint8_t *data;          /* slots * max_payload bytes */

	/* The configuration in RTP clock units. */
	int64_t min_rtp;
	int64_t max_rtp;
	int64_t max_dur;        /* longest plausible packet duration */
	int64_t ptime_rtp;
	int64_t hold_rtp;       /* DROP_HOLD_MS */
	int64_t grace_rtp;      /* DROP_GRACE_MS */
	int64_t ins_rtp;        /* INSERT_HOLD_MS */

	int state;
	int played;             /* a frame went out since the (re)start */
	int64_t next_seq;       /* next sequence number to play */
	int64_t floor_seq;      /* the start may not move back below */
	int64_t max_seq;        /* newest sequence number stored */
	int64_t max_ts;         /* and its timestamp */
	int64_t play_ts;        /* timestamp of the playout point */
	int64_t dur;            /* last measured packet duration */
	int64_t held_dur;       /* sum of the held slots' dur */
	unsigned n_held;
	int64_t dry_rtp;        /* concealed so far in this dry spell */
	unsigned credit;        /* insertions that may stand for a gap */
	uint64_t fill_start_us; /* arrival that began the current fill */
	int last_small;         /* the last frame out was silence */
	uint32_t avg_len16;     /* payload length average, x16 */
	int32_t bad_seq;        /* A.1 probation after a far jump back */

	/* RFC 3550 A.8 jitter, kept in double RTP units. */
	uint64_t base_us;
	int64_t base_ts;
	double last_transit;
	int have_transit;
	double jitter;

	double target;          /* RTP units, within [min_rtp, max_rtp] */
	double level_f;         /* smoothed depth */
	int64_t run_rtp;        /* time the depth stayed above target */
	int64_t run_min;        /* lowest real depth during that run */
	int64_t under_rtp;      /* time the depth stayed below target */

	struct sl_jbuf_stats st;
};

static size_t align_up(size_t n, size_t a)
{
	return (n + a - 1) / a * a;
}

static int config_ok(const struct sl_jbuf_config *cfg)
{
	uint64_t ptime_rtp;

	if (!cfg || cfg->clock_rate == 0 || cfg->clock_rate > MAX_RATE)
		return 0;
	if (cfg->ptime_ms == 0 || cfg->ptime_ms > MAX_PTIME_MS)
		return 0;
	ptime_rtp = (uint64_t)cfg->clock_rate * cfg->ptime_ms / 1000;
	if (ptime_rtp == 0)
		return 0;
	if (cfg->min_ms > cfg->max_ms || cfg->max_ms == 0 ||
	    cfg->max_ms > MAX_DEPTH_MS)
		return 0;
	if (cfg->slots < cfg->max_ms / cfg->ptime_ms + 4 ||
	    cfg->slots > MAX_SLOTS)
		return 0;
	if (cfg->max_payload == 0 || cfg->max_payload > MAX_PAYLOAD)
		return 0;
	return 1;
}

static size_t head_size(void)
{
	return align_up(sizeof(struct sl_jbuf), alignof(max_align_t));
}

size_t sl__jbuf_size(const struct sl_jbuf_config *cfg)
{
	size_t slots;

	if (!config_ok(cfg))
		return 0;
	/* Bounded by MAX_SLOTS * (sizeof slot + MAX_PAYLOAD), about 1 GiB:
	 * no overflow even with a 32-bit size_t. */
	slots = align_up((size_t)cfg->slots * sizeof(struct jb_slot),
			 alignof(max_align_t));
	return head_size() + slots + (size_t)cfg->slots * cfg->max_payload;
}

static int64_t ms_to_rtp(const struct sl_jbuf *jb, unsigned ms)
{
	return (int64_t)jb->cfg.clock_rate * ms / 1000;
}

static unsigned rtp_to_ms(const struct sl_jbuf *jb, double rtp)
{
	if (rtp <= 0)
		return 0;
	return (unsigned)(rtp * 1000.0 / jb->cfg.clock_rate + 0.5);
}

static struct jb_slot *slot_of(struct sl_jbuf *jb, int64_t seq)
{
	return &jb->slot[(uint64_t)seq % jb->cfg.slots];
}

static uint8_t *data_of(struct sl_jbuf *jb, const struct jb_slot *s)
{
	return jb->data + (size_t)(s - jb->slot) * jb->cfg.max_payload;
}

/* The slot holding @seq, or NULL. */
static struct jb_slot *held(struct sl_jbuf *jb, int64_t seq)
{
	struct jb_slot *s = slot_of(jb, seq);

	return s->state == SLOT_HELD && s->seq == seq ? s : NULL;
}

/* Extends @seq against @ref: the nearest value with those low 16 bits. */
static int64_t ext_seq(int64_t ref, uint16_t seq)
{
	int32_t d = (uint16_t)(seq - (uint16_t)ref);

	if (d >= 32768)
		d -= 65536;
	return ref + d;
}

static int64_t ext_ts(int64_t ref, uint32_t ts)
{
	int64_t d = (uint32_t)(ts - (uint32_t)ref);

	if (d >= ((int64_t)1 << 31))
		d -= (int64_t)1 << 32;
	return ref + d;
}

/* The depth (see the file comment). A run of missing numbers counts a
 * packet duration each, but never more than the timestamps around it
 * span: numbers the sender spent on other payload types of the stream
 * (RFC 4733 events while its audio paused, §2.5.1.1) take no time of
 * their own, and counting them as audio would make the depth look a
 * packet or two deeper per digit and drop real audio to "catch up". */
static int64_t level(const struct sl_jbuf *jb)
{
	int64_t span = jb->max_seq + 1 - jb->next_seq;
	int64_t lvl, t, miss = 0;

	if (jb->n_held == 0 || span <= 0)
		return 0;
	if (span == (int64_t)jb->n_held)
		return jb->held_dur;
	/* Bounded by the held span (< 2 * slots, see sl__jbuf_put()). */
	lvl = jb->held_dur;
	t = jb->play_ts;
	for (int64_t q = jb->next_seq; q <= jb->max_seq; q++) {
		const struct jb_slot *s = &jb->slot[(uint64_t)q %
						    jb->cfg.slots];

		if (s->state != SLOT_HELD || s->seq != q) {
			miss++;
			continue;
		}
		if (miss) {
			int64_t gap = s->ts - t;

			lvl += gap > 0 && gap < miss * jb->dur ?
			       gap : miss * jb->dur;
			miss = 0;
		}
		t = s->ts + s->dur;
	}
	return lvl;
}

static double target_base(const struct sl_jbuf *jb)
{
	return 2.0 * jb->jitter + (double)jb->dur;
}

static void target_clamp(struct sl_jbuf *jb)
{
	if (jb->target > (double)jb->max_rtp)
		jb->target = (double)jb->max_rtp;
	if (jb->target < (double)jb->min_rtp)
		jb->target = (double)jb->min_rtp;
}

/* Fast up: a spike moves the target at once. */
static void target_up(struct sl_jbuf *jb, double want)
{
	if (want > jb->target) {
		jb->target = want;
		target_clamp(jb);
	}
}

/* Slow down: one playout step of exponential decay towards the base. */
static void target_decay(struct sl_jbuf *jb, int64_t step)
{
	double base = target_base(jb);

	if (jb->target > base)
		jb->target -= (jb->target - base) * (double)step * 1000.0 /
			      (TARGET_DECAY_MS * jb->cfg.clock_rate);
	if (jb->target < base)
		jb->target = base;
	target_clamp(jb);
}

/* Silence: comfort noise or a payload far below the stream's usual size
 * (DTX frames, SID). Dropping or stretching those is inaudible. */
static int is_small(const struct sl_jbuf *jb, const struct jb_slot *s)
{
	return s->pt == CN_PT || s->len <= 2 ||
	       (uint64_t)s->len * 4 * 16 <= jb->avg_len16;
}

/* Takes the head slot out of the buffer (played, dropped or flushed). */
static void retire(struct sl_jbuf *jb, struct jb_slot *s)
{
	s->state = SLOT_PLAYED;
	jb->held_dur -= s->dur;
	jb->n_held--;
}

/* Passes the head position, whatever it holds; @counter counts a held
 * packet (drift_dropped, overflow), a missing one counts as lost. */
static void skip_head(struct sl_jbuf *jb, uint64_t *counter)
{
	struct jb_slot *s = held(jb, jb->next_seq);

	if (s) {
		retire(jb, s);
		(*counter)++;
		jb->play_ts = s->ts + s->dur;
	} else {
		jb->st.lost++;
		jb->play_ts += jb->dur;
	}
	jb->next_seq++;
}

static void flush(struct sl_jbuf *jb)
{
	for (int64_t q = jb->next_seq; q <= jb->max_seq && jb->n_held; q++) {
		struct jb_slot *s = held(jb, q);

		if (s) {
			retire(jb, s);
			jb->st.drift_dropped++;
		}
	}
	jb->held_dur = 0;
	jb->n_held = 0;
}

static void adapt_reset(struct sl_jbuf *jb)
{
	jb->run_rtp = 0;
	jb->run_min = INT64_MAX;
	jb->under_rtp = 0;
}

/* Everything a new stream forgets; the counters stay (they are the
 * call's). */
static void forget(struct sl_jbuf *jb)
{
	memset(jb->slot, 0, (size_t)jb->cfg.slots * sizeof(*jb->slot));
	jb->state = ST_IDLE;
	jb->played = 0;
	jb->next_seq = jb->max_seq = jb->floor_seq = 0;
	jb->max_ts = jb->play_ts = 0;
	jb->dur = jb->ptime_rtp;
	jb->held_dur = 0;
	jb->n_held = 0;
	jb->dry_rtp = 0;
	jb->credit = 0;
	jb->fill_start_us = 0;
	jb->last_small = 0;
	jb->avg_len16 = 0;
	jb->bad_seq = -1;
	jb->have_transit = 0;
	jb->jitter = 0;
	jb->target = (double)jb->dur;
	target_clamp(jb);
	jb->level_f = 0;
	adapt_reset(jb);
}

struct sl_jbuf *sl__jbuf_init(void *mem, const struct sl_jbuf_config *cfg)
{
	struct sl_jbuf *jb = mem;
	size_t slots;

	if (!mem || !config_ok(cfg))
		return NULL;
	memset(jb, 0, sizeof(*jb));
	jb->cfg = *cfg;
	jb->slot = (struct jb_slot *)((char *)mem + head_size());
	slots = align_up((size_t)cfg->slots * sizeof(struct jb_slot),
			 alignof(max_align_t));
	jb->data = (uint8_t *)mem + head_size() + slots;
	jb->min_rtp = ms_to_rtp(jb, cfg->min_ms);
	jb->max_rtp = ms_to_rtp(jb, cfg->max_ms);
	jb->ptime_rtp = ms_to_rtp(jb, cfg->ptime_ms);
	jb->max_dur = ms_to_rtp(jb, cfg->ptime_ms > MAX_FRAME_MS ?
				    cfg->ptime_ms : MAX_FRAME_MS);
	jb->hold_rtp = ms_to_rtp(jb, DROP_HOLD_MS);
	jb->grace_rtp = ms_to_rtp(jb, DROP_GRACE_MS);
	jb->ins_rtp = ms_to_rtp(jb, INSERT_HOLD_MS);
	forget(jb);
	return jb;
}

void sl__jbuf_reset(struct sl_jbuf *jb)
{
	if (!jb)
		return;
	/* Counted, so every packet put stays accounted for. */
	flush(jb);
	forget(jb);
}

/* A timestamp step from a packet to its successor that can be the
 * first one's duration (not a silence gap, not garbage). */
static int dur_ok(const struct sl_jbuf *jb, int64_t d,
		  const struct jb_slot *next)
{
	return d > 0 && d <= jb->max_dur && !next->marker;
}

/* RFC 3550 A.8, in arrival order, on every packet that is not a copy. */
static void jitter_update(struct sl_jbuf *jb, int64_t ts, uint64_t arr_us)
{
	double arr = (double)(int64_t)(arr_us - jb->base_us) *
		     jb->cfg.clock_rate / 1e6;
	double transit = arr - (double)(ts - jb->base_ts);

	if (jb->have_transit) {
		double d = fabs(transit - jb->last_transit);

		jb->jitter += (d - jb->jitter) / 16.0;
	}
	jb->last_transit = transit;
	jb->have_transit = 1;
	target_up(jb, target_base(jb));
}

static void store(struct sl_jbuf *jb, int64_t seq, int64_t ts, int marker,
		  uint8_t pt, const uint8_t *payload, size_t len,
		  uint64_t arr_us)
{
	struct jb_slot *s = slot_of(jb, seq);
	struct jb_slot *nx = held(jb, seq + 1);
	struct jb_slot *pv = slot_of(jb, seq - 1);

	s->seq = seq;
	s->ts = ts;
	s->arr_us = arr_us;
	s->len = (uint32_t)len;
	s->marker = marker ? 1 : 0;
	s->pt = pt;
	s->state = SLOT_HELD;
	if (len)
		memcpy(data_of(jb, s), payload, len);

	/* The predecessor, still held or just played, gives the measured
	 * packet duration; a held one learns its own. */
	if (pv->state != SLOT_FREE && pv->seq == seq - 1 &&
	    dur_ok(jb, ts - pv->ts, s)) {
		jb->dur = ts - pv->ts;
		if (pv->state == SLOT_HELD) {
			jb->held_dur += jb->dur - pv->dur;
			pv->dur = jb->dur;
		}
	}
	s->dur = jb->dur;
	if (nx && dur_ok(jb, nx->ts - ts, nx)) {
		s->dur = nx->ts - ts;
		jb->dur = s->dur;
	}
	jb->held_dur += s->dur;
	jb->n_held++;
	if (seq > jb->max_seq) {
		jb->max_seq = seq;
		jb->max_ts = ts;
	}
	jb->avg_len16 += (uint32_t)len - (jb->avg_len16 + 8) / 16;
}

/* Starts playout afresh at this packet: first packet, jump, talkspurt. */
static void restart(struct sl_jbuf *jb, int64_t seq, int64_t ts,
		    uint64_t arr_us)
{
	flush(jb);
	/* The old playout passed everything below its point: nothing of
	 * that may become the new start. */
	jb->floor_seq = jb->state == ST_IDLE ? 0 : jb->next_seq;
	jb->state = ST_FILL;
	jb->played = 0;
	jb->next_seq = seq;
	jb->max_seq = seq;
	jb->max_ts = ts;
	jb->play_ts = ts;
	jb->dry_rtp = 0;
	jb->credit = 0;
	jb->fill_start_us = arr_us;
	jb->bad_seq = -1;
	adapt_reset(jb);
}

int sl__jbuf_put(struct sl_jbuf *jb, uint16_t seq, uint32_t ts, int marker,
		 uint8_t pt, const uint8_t *payload, size_t len,
		 uint64_t arrival_us)
{
	int64_t es, et, expect;
	int result = SL_JB_STORED;

	jb->st.received++;
	if (len > jb->cfg.max_payload || (len && !payload))
		return SL_JB_TOOBIG;

	if (jb->state == ST_IDLE) {
		/* Offsets keep extended numbers positive when older packets
		 * turn up later. */
		es = ((int64_t)1 << 32) + seq;
		et = ((int64_t)1 << 40) + ts;
		jb->base_us = arrival_us;
		jb->base_ts = et;
		restart(jb, es, et, arrival_us);
		jitter_update(jb, et, arrival_us);
		store(jb, es, et, marker, pt, payload, len, arrival_us);
		return SL_JB_STORED;
	}

	es = ext_seq(jb->max_seq, seq);
	et = ext_ts(jb->max_ts, ts);

	if (es > jb->max_seq) {
		int64_t d = es - jb->max_seq;
		int64_t off;

		expect = jb->max_ts + d * jb->dur;
		off = et > expect ? et - expect : expect - et;
		if ((d - 1) * jb->dur > jb->max_rtp || off > jb->max_rtp ||
		    es - jb->next_seq >= 2 * (int64_t)jb->cfg.slots) {
			/* A jump: the old timeline says nothing about this
			 * one, neither its playout point nor its transit.
			 * (The last test bounds the overflow loop below
			 * when durations are tiny.) */
			restart(jb, es, et, arrival_us);
			jb->have_transit = 0;
		} else if (marker && et - expect >= jb->dur / 2 &&
			   jb->n_held == 0) {
			/* First packet of a talkspurt with nothing left to
			 * play: the cheapest moment to re-anchor. */
			restart(jb, es, et, arrival_us);
		} else {
			while (es - jb->next_seq >= (int64_t)jb->cfg.slots) {
				uint64_t before = jb->st.overflow;

				skip_head(jb, &jb->st.overflow);
				if (jb->st.overflow != before)
					result = SL_JB_OVERFLOW;
			}
		}
		if (jb->state == ST_FILL && jb->n_held == 0)
			jb->fill_start_us = arrival_us;
		jitter_update(jb, et, arrival_us);
		store(jb, es, et, marker, pt, payload, len, arrival_us);
		return result;
	}

	if (es >= jb->next_seq) {
		if (held(jb, es)) {
			jb->st.duplicate++;
			return SL_JB_DUPLICATE;
		}
		jitter_update(jb, et, arrival_us);
		store(jb, es, et, marker, pt, payload, len, arrival_us);
		return SL_JB_STORED;
	}

	/* Behind the playout point. */
	if (jb->state == ST_FILL && !jb->played && es >= jb->floor_seq &&
	    jb->max_seq - es < (int64_t)jb->cfg.slots) {
		/* Nothing played yet: an earlier packet overtaken by a later
		 * one becomes the new start. */
		jb->next_seq = es;
		jb->play_ts = et;
		jitter_update(jb, et, arrival_us);
		store(jb, es, et, marker, pt, payload, len, arrival_us);
		return SL_JB_STORED;
	}
	if (jb->next_seq - es <= (int64_t)jb->cfg.slots + MISORDER) {
		struct jb_slot *s = slot_of(jb, es);

		if (s->state == SLOT_PLAYED && s->seq == es) {
			jb->st.duplicate++;
			return SL_JB_DUPLICATE;
		}
		jb->st.late++;
		/* It missed by this much: the depth was that much short.
		 * A straggler no depth within max_ms would have saved (an
		 * old talkspurt's, a stray) says nothing about the network
		 * now: it moves neither the jitter nor the target (the RTCP
		 * statistics of media/rtp.h still count it). */
		expect = jb->play_ts - et;
		if (expect < jb->dur)
			expect = jb->dur;
		if (expect <= jb->max_rtp) {
			jitter_update(jb, et, arrival_us);
			target_up(jb, jb->target + (double)expect);
		}
		return SL_JB_LATE;
	}
	/* Far behind: a sender that restarted its numbering, or a stray.
	 * Two in sequence make it a restart (RFC 3550 A.1 probation). */
	if (jb->bad_seq >= 0 && seq == (uint16_t)jb->bad_seq) {
		restart(jb, es, et, arrival_us);
		jb->have_transit = 0;
		jitter_update(jb, et, arrival_us);
		store(jb, es, et, marker, pt, payload, len, arrival_us);
		return SL_JB_STORED;
	}
	jb->bad_seq = (uint16_t)(seq + 1);
	jb->st.late++;
	return SL_JB_LATE;
}

static int emit_frame(struct sl_jbuf *jb, struct jb_slot *s,
		      struct sl_jbuf_frame *out)
{
	retire(jb, s);
	out->kind = SL_JB_FRAME;
	out->payload = data_of(jb, s);
	out->len = s->len;
	out->ts = (uint32_t)s->ts;
	out->samples = (uint32_t)s->dur;
	out->marker = s->marker;
	out->pt = s->pt;
	jb->next_seq++;
	jb->play_ts = s->ts + s->dur;
	jb->credit = 0;
	jb->played = 1;
	jb->last_small = is_small(jb, s);
	jb->st.played++;
	return SL_JB_FRAME;
}

static int emit_insert(struct sl_jbuf *jb, struct sl_jbuf_frame *out)
{
	out->kind = SL_JB_LOST;
	out->ts = (uint32_t)jb->play_ts;
	out->samples = (uint32_t)jb->dur;
	out->inserted = 1;
	jb->st.concealed++;
	return SL_JB_LOST;
}

/* The head is missing and a later packet is here: a real gap. */
static int emit_gap(struct sl_jbuf *jb, struct sl_jbuf_frame *out)
{
	struct jb_slot *nx = held(jb, jb->next_seq + 1);
	int64_t samples = jb->dur;

	/* Spread the timestamp span up to the next packet over the missing
	 * numbers when it looks like audio, not a silence gap. */
	for (int64_t q = jb->next_seq + 1; q <= jb->max_seq; q++) {
		struct jb_slot *s = held(jb, q);

		if (s) {
			int64_t d = (s->ts - jb->play_ts) / (q - jb->next_seq);

			if (d > 0 && d <= jb->max_dur && !s->marker)
				samples = d;
			break;
		}
	}
	out->kind = SL_JB_LOST;
	out->ts = (uint32_t)jb->play_ts;
	out->samples = (uint32_t)samples;
	if (nx) {
		out->next = data_of(jb, nx);
		out->next_len = nx->len;
	}
	jb->next_seq++;
	jb->play_ts += samples;
	jb->credit = 0;
	jb->played = 1;
	jb->st.lost++;
	jb->st.concealed++;
	return SL_JB_LOST;
}

/* Whether the next held packet after the missing head starts no later
 * than the playout point (a plausible step, not a jump back). */
static int covered(struct sl_jbuf *jb)
{
	for (int64_t q = jb->next_seq + 1; q <= jb->max_seq; q++) {
		const struct jb_slot *s = held(jb, q);

		if (s)
			return s->ts <= jb->play_ts &&
			       jb->play_ts - s->ts <= jb->max_dur;
	}
	return 0;
}

/* Leaves FILL: skips what cannot be played (missing head) or would only
 * add delay (beyond target plus a packet). */
static void start_playing(struct sl_jbuf *jb)
{
	while (jb->n_held && !held(jb, jb->next_seq))
		skip_head(jb, &jb->st.drift_dropped);
	while (jb->n_held > 1 &&
	       (double)level(jb) > jb->target + (double)jb->dur) {
		skip_head(jb, &jb->st.drift_dropped);
		while (jb->n_held && !held(jb, jb->next_seq))
			skip_head(jb, &jb->st.drift_dropped);
	}
	jb->state = ST_PLAY;
	jb->dry_rtp = 0;
	jb->credit = 0;
	jb->level_f = (double)level(jb);
	adapt_reset(jb);
}

/* The buffer ran dry while playing. */
static int dry(struct sl_jbuf *jb, struct sl_jbuf_frame *out)
{
	if (jb->last_small || jb->dry_rtp >= jb->max_rtp) {
		/* Silence before, or a long outage: comfort noise until
		 * the next packets rebuild the target depth. */
		jb->state = ST_FILL;
		jb->credit = 0;
		return SL_JB_EMPTY;
	}
	jb->dry_rtp += jb->dur;
	jb->credit++;
	return emit_insert(jb, out);
}

/* The depth went past max_ms: drops the oldest audio until it is back
 * at the target (keeping one packet), then whatever missing numbers
 * lead to the next packet, so playout goes on with real audio. Each
 * pass passes one sequence number, within the held span. */
static void shrink(struct sl_jbuf *jb)
{
	while (jb->n_held > 1 && (double)level(jb) > jb->target)
		skip_head(jb, &jb->st.drift_dropped);
	while (jb->n_held && !held(jb, jb->next_seq))
		skip_head(jb, &jb->st.drift_dropped);
	jb->credit = 0;
	jb->level_f = (double)level(jb);
	adapt_reset(jb);
}

/* Whether dropping the head at @now_us leaves the next step a safe
 * margin: the packet that then plays has been here half a packet plus
 * twice the jitter, so the one after it (due a packet later) is not
 * expected just as the step comes. Counting held packets alone does not
 * see that: a buffer whose packets land just before each step holds one
 * packet more than its target right after one insertion, and dropping it
 * would only make the next packet late again. Half a packet, because
 * both ends work in device frames: a send or a step that meets its
 * device's frame edge moves by a whole frame (10 ms), which the RFC 3550
 * estimate hardly sees. */
static int drop_is_safe(struct sl_jbuf *jb, uint64_t now_us)
{
	const struct jb_slot *nx = held(jb, jb->next_seq + 1);
	double need_us = ((double)jb->dur / 2 + 2 * jb->jitter) * 1e6 /
			 jb->cfg.clock_rate;

	return nx && now_us >= nx->arr_us &&
	       (double)(now_us - nx->arr_us) >= need_us;
}

/*
 * One adaptation step on the depth @lvl (> 0) at this playout step, at
 * local time @now_us.
 * Return: 1 to drop the head, -1 to insert, 0 to play on.
 */
static int adapt(struct sl_jbuf *jb, int64_t lvl, uint64_t now_us)
{
	struct jb_slot *head = held(jb, jb->next_seq);
	int64_t step = jb->dur;
	double tgt;

	target_decay(jb, step);
	tgt = jb->target;
	jb->level_f += ((double)lvl - jb->level_f) / 16.0;

	if (jb->level_f > tgt + (double)jb->dur / 2) {
		jb->run_rtp += step;
		if (lvl < jb->run_min)
			jb->run_min = lvl;
	} else {
		jb->run_rtp = 0;
		jb->run_min = INT64_MAX;
	}
	if (jb->level_f + (double)jb->dur <= tgt)
		jb->under_rtp += step;
	else
		jb->under_rtp = 0;

	if (head && jb->n_held >= 2 && jb->run_rtp >= jb->hold_rtp &&
	    jb->run_min >= 2 * jb->dur &&
	    (is_small(jb, head) || jb->run_rtp >= jb->grace_rtp) &&
	    drop_is_safe(jb, now_us)) {
		jb->level_f -= (double)head->dur;
		adapt_reset(jb);
		return 1;
	}
	if (jb->under_rtp > 0 &&
	    (jb->last_small || jb->under_rtp >= jb->ins_rtp)) {
		jb->level_f += (double)jb->dur;
		adapt_reset(jb);
		return -1;
	}
	return 0;
}

int sl__jbuf_get(struct sl_jbuf *jb, uint64_t now_us,
		 struct sl_jbuf_frame *out)
{
	struct jb_slot *s;
	int64_t lvl;
	int act;

	memset(out, 0, sizeof(*out));
	out->kind = SL_JB_EMPTY;
	if (jb->state == ST_IDLE)
		return SL_JB_EMPTY;

	if (jb->state == ST_FILL) {
		double wait_us = jb->target * 1e6 / jb->cfg.clock_rate;

		if (jb->n_held == 0)
			return SL_JB_EMPTY;
		/* A lone packet (a CN, a short talkspurt) plays after the
		 * target's time even if the depth never gets there. */
		if ((double)level(jb) < jb->target &&
		    (double)(int64_t)(now_us - jb->fill_start_us) < wait_us)
			return SL_JB_EMPTY;
		start_playing(jb);
	}

	lvl = level(jb);
	if (jb->n_held == 0)
		return dry(jb, out);
	jb->dry_rtp = 0;
	if (lvl > jb->max_rtp) {
		shrink(jb);
		lvl = level(jb);
	}

	act = adapt(jb, lvl, now_us);
	if (act < 0)
		return emit_insert(jb, out);
	if (act > 0) {
		/* The head, known held: passed without being heard. */
		skip_head(jb, &jb->st.drift_dropped);
		if (jb->n_held == 0)
			return dry(jb, out);
	}

	/* Each pass either returns or passes one missing number; the head
	 * is found within the held span. */
	for (unsigned i = 0; i <= jb->cfg.slots; i++) {
		s = held(jb, jb->next_seq);
		if (s)
			return emit_frame(jb, s, out);
		if (covered(jb)) {
			/* Numbers that take no time: the playout point has
			 * already reached the next packet's timestamp (the
			 * sender spent them on RFC 4733 events, §2.5.1.1,
			 * and insertions filled the pause). Passing them
			 * as gaps would add a packet of delay each. */
			jb->st.lost++;
			jb->next_seq++;
			continue;
		}
		if (jb->credit == 0)
			return emit_gap(jb, out);
		/* The insertion just played stood in for this packet. */
		jb->credit--;
		jb->st.lost++;
		jb->next_seq++;
		jb->play_ts += jb->dur;
	}
	return SL_JB_EMPTY;
}

void sl__jbuf_stats(const struct sl_jbuf *jb, struct sl_jbuf_stats *st)
{
	*st = jb->st;
	st->depth_ms = rtp_to_ms(jb, (double)level(jb));
	st->target_ms = rtp_to_ms(jb, jb->target);
	st->jitter_ms = jb->jitter * 1000.0 / jb->cfg.clock_rate;
}
