/*
 * lib/media/stats.c: a stream's struct sl_call_stats - computed from
 * the stream's counters, the RFC 3550 receiver statistics, the jitter
 * buffer (late, duplicate, and discarded: overflow and drift drops) and
 * RTCP, and published to any thread without a lock.
 *
 * Publication is a seqlock: the one writer makes the sequence odd,
 * stores the words, makes it even again; a reader copies between two
 * reads of an even, unchanged sequence and retries otherwise. The words
 * are relaxed atomics (a reader may overlap a writer; it then discards
 * what it read), and the fences order them against the sequence
 * (H. Boehm, "Can seqlocks get along with programming language memory
 * models?", 2012).
 *
 * MOS: the G.107 E-model (sl__emodel_mos) with the one-way delay
 * estimated as half the RTCP round trip plus the jitter buffer depth
 * plus one packet time, and the loss we see on our receive side.
 *
 * Owns: nothing beyond each slot's struct sl_stats_pub.
 * Thread: sl__ms_* on the stream's media thread (the writer; the SIP
 * loop writes the first copy before handing the stream over);
 * sl__stats_read() on any thread.
 */
#include <string.h>

#include "media/engine_int.h"

enum { PUBLISH_US = 100000, READ_TRIES = 1000 };

void sl__stats_publish(struct sl_stats_pub *pub,
		       const struct sl_call_stats *st)
{
	uint64_t w[SL_ME_STATS_WORDS];
	unsigned seq = atomic_load_explicit(&pub->seq, memory_order_relaxed);

	memset(w, 0, sizeof(w));
	memcpy(w, st, sizeof(*st));
	atomic_store_explicit(&pub->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	for (size_t i = 0; i < SL_ME_STATS_WORDS; i++)
		atomic_store_explicit(&pub->w[i], w[i], memory_order_relaxed);
	atomic_store_explicit(&pub->seq, seq + 2, memory_order_release);
}

int sl__stats_read(struct sl_stats_pub *pub, struct sl_call_stats *out)
{
	uint64_t w[SL_ME_STATS_WORDS];

	for (int tries = 0; tries < READ_TRIES; tries++) {
		unsigned s1 = atomic_load_explicit(&pub->seq,
						   memory_order_acquire);
		unsigned s2;

		if (s1 & 1)
			continue;
		for (size_t i = 0; i < SL_ME_STATS_WORDS; i++)
			w[i] = atomic_load_explicit(&pub->w[i],
						    memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&pub->seq, memory_order_relaxed);
		if (s1 == s2) {
			memcpy(out, w, sizeof(*out));
			return 0;
		}
	}
	return -1;
}

static void copy_name(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

void sl__ms_stats_fill(struct sl_mstream *s, struct sl_call_stats *st,
		       uint64_t now)
{
	struct sl_jbuf_stats js;
	double delay, loss = 0;
	int64_t lost = 0, expected;

	memset(st, 0, sizeof(*st));
	memset(&js, 0, sizeof(js));
	if (s->jb)
		sl__jbuf_stats(s->jb, &js);
	copy_name(st->codec, sizeof(st->codec), s->codec->name);
	st->payload_type = s->p.pt_tx;
	st->clock_rate = s->codec->clock_rate;
	copy_name(st->remote_rtp, sizeof(st->remote_rtp), s->remote_str);
	st->tx_packets = s->tx_packets;
	st->tx_bytes = s->tx_bytes;
	st->rx_packets = s->rx_packets;
	st->rx_bytes = s->rx_bytes;
	if (s->have_src) {
		lost = sl__rtp_source_lost(&s->src);
		st->jitter_ms = s->src.jitter * 1000.0 /
				s->codec->clock_rate;
	}
	st->lost = lost;
	st->late = js.late;
	st->duplicate = js.duplicate;
	/* Audio that arrived in time and was still never heard: counted
	 * apart from "lost", which RFC 3550 defines by sequence numbers. */
	st->discarded = js.overflow + js.drift_dropped;
	st->concealed = s->concealed;
	st->rtt_ms = s->rtcp.rtt_ms;
	st->jb_delay_ms = js.depth_ms;
	st->remote_loss_pct = s->rtcp.remote_loss_pct;
	expected = (int64_t)(s->have_src ? s->src.received : 0) + lost;
	if (expected > 0 && lost > 0)
		loss = (double)lost * 100.0 / (double)expected;
	delay = (st->rtt_ms > 0 ? st->rtt_ms / 2 : 0) + js.depth_ms +
		s->ptime_ms;
	st->mos = sl__emodel_mos(s->codec->name, delay, loss);
	if (s->media_start_us && now > s->media_start_us)
		st->duration_s = (unsigned)((now - s->media_start_us) /
					    1000000u);
}

void sl__ms_stats_tick(struct sl_mstream *s, uint64_t now, int force)
{
	struct sl_call_stats st;

	if (!force && now < s->next_pub_us)
		return;
	s->next_pub_us = now + PUBLISH_US;
	sl__ms_stats_fill(s, &st, now);
	sl__stats_publish(&s->pub, &st);
}
