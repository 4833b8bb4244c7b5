/*
 * tests/unit/check_media_jbuf.c: the adaptive jitter buffer
 * (lib/media/jbuf.c).
 *
 * A deterministic network model (its own seeded PRNG: loss with
 * Gilbert-Elliott bursts, reordering, duplicates, uniform or exponential
 * jitter, periodic delay spikes, sender clock drift in ppm) feeds a
 * simulated sender into the buffer, and a simulated device clock takes
 * one packet's worth of audio at a time, as the media engine does. Every
 * packet carries its index, so the run checks order and content of
 * everything played and can name what was lost, dropped or late.
 * Set JBUF_VERBOSE=1 to print each run's counters.
 */
#include <check.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "media/jbuf.h"

/* ---- PRNG (splitmix64) ---- */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* ---- the network model ---- */

enum jit_dist { JIT_NONE, JIT_UNIFORM, JIT_EXP };

struct net {
	uint64_t seed;
	unsigned n;              /* packets sent */
	uint32_t rate;           /* RTP clock */
	unsigned ptime_ms;
	unsigned min_ms, max_ms;
	double loss;             /* independent loss (good state) */
	double burst_enter;      /* Gilbert: good -> bad (all lost) */
	double burst_leave;      /* Gilbert: bad -> good */
	double reorder;          /* a packet held back ... */
	unsigned reorder_depth;  /* ... by 1..depth packet times */
	enum jit_dist jit;
	double jitter_ms;        /* uniform width or exponential mean */
	double dup;              /* a copy follows within 30 ms */
	double drift_ppm;        /* sender clock faster by this much */
	unsigned spike_every_ms; /* a stall: nothing gets through ... */
	unsigned spike_ms;       /* ... for this long, then a burst */
	unsigned cn_every;       /* every Nth packet is a 1-byte CN */
	unsigned tail_clean;     /* the last packets are never lost */
	unsigned change_at;      /* from this packet on ... */
	unsigned change_ptime_ms;/* ... packets last this long */
	uint16_t seq0;
	uint32_t ts0;
	unsigned phase_us;       /* device clock offset */
};

struct pkt {
	uint64_t send_us;        /* receiver time */
	uint32_t ts;
	uint32_t samples;
	uint16_t seq;
	uint8_t pt;
	uint8_t len;
	int lost;
	int put_rc;              /* first copy's result, -1: never put */
	int played;
};

struct ev {
	uint64_t at_us;
	unsigned idx;
	unsigned copy;
};

struct run {
	struct sl_jbuf_stats st;
	unsigned lost_inj, dup_inj;
	unsigned frames, gaps, inserted, empties_playing;
	unsigned api_err;           /* a frame breaking the contract */
	unsigned order_err, data_err, ts_err, samples_err;
	unsigned fec_ok, fec_bad;
	unsigned never_played;      /* stored, then dropped or flushed */
	unsigned dropped_small;     /* of those, CN ones */
	unsigned put_late, put_dup, put_overflow;
	unsigned max_depth_ms, max_target_ms, min_target_ms;
	double depth_first, depth_last;  /* mean depth, first/last minute */
	unsigned run_ms;
};

static int verbose(void)
{
	const char *v = getenv("JBUF_VERBOSE");

	return v && *v && *v != '0';
}

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->at_us != y->at_us)
		return x->at_us < y->at_us ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return (int)x->copy - (int)y->copy;
}

static void fill_payload(uint8_t *p, unsigned len, unsigned idx)
{
	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(idx * 31u + i * 7u + (idx >> 8));
	if (len >= 4) {
		p[0] = (uint8_t)(idx >> 24);
		p[1] = (uint8_t)(idx >> 16);
		p[2] = (uint8_t)(idx >> 8);
		p[3] = (uint8_t)idx;
	}
}

static void default_net(struct net *m)
{
	memset(m, 0, sizeof(*m));
	m->seed = 1;
	m->n = 3000;
	m->rate = 8000;
	m->ptime_ms = 20;
	m->min_ms = 20;
	m->max_ms = 200;
	m->seq0 = 1000;
	m->ts0 = 123456;
	m->phase_us = 10000;
	m->tail_clean = 20;
}

static struct sl_jbuf *make_jbuf(const struct net *m, void **mem)
{
	struct sl_jbuf_config cfg = {
		.clock_rate = m->rate,
		.ptime_ms = m->ptime_ms,
		.min_ms = m->min_ms,
		.max_ms = m->max_ms,
		.slots = m->max_ms / m->ptime_ms + 8,
		.max_payload = 200,
	};
	size_t sz = sl__jbuf_size(&cfg);
	struct sl_jbuf *jb;

	ck_assert_uint_gt(sz, 0);
	*mem = malloc(sz);
	ck_assert_ptr_nonnull(*mem);
	jb = sl__jbuf_init(*mem, &cfg);
	ck_assert_ptr_nonnull(jb);
	return jb;
}

/* Packet timing and fate from the model. */
static struct pkt *make_packets(const struct net *m, uint64_t *rng)
{
	struct pkt *p = calloc(m->n, sizeof(*p));
	double t_us = 0;
	uint32_t ts = m->ts0;
	int bad = 0;

	ck_assert_ptr_nonnull(p);
	for (unsigned k = 0; k < m->n; k++) {
		unsigned ptime = m->change_at && k >= m->change_at ?
				 m->change_ptime_ms : m->ptime_ms;
		uint32_t spp = m->rate / 1000 * ptime;
		int cn = m->cn_every && k % m->cn_every == 0 && k > 0;

		p[k].send_us = (uint64_t)llround(t_us);
		p[k].ts = ts;
		p[k].samples = spp;
		p[k].seq = (uint16_t)(m->seq0 + k);
		p[k].pt = cn ? 13 : 0;
		p[k].len = cn ? 1 : 160;
		p[k].put_rc = -1;
		if (k + m->tail_clean < m->n) {
			if (bad) {
				p[k].lost = 1;
				if (rng_unit(rng) < m->burst_leave)
					bad = 0;
			} else if (rng_unit(rng) < m->loss) {
				p[k].lost = 1;
			} else if (m->burst_enter > 0 &&
				   rng_unit(rng) < m->burst_enter) {
				p[k].lost = 1;
				bad = 1;
			}
		}
		/* The sender's ptime elapses faster on our clock when its
		 * crystal runs fast. */
		t_us += ptime * 1000.0 / (1.0 + m->drift_ppm * 1e-6);
		ts += spp;
	}
	return p;
}

static uint64_t delay_us(const struct net *m, const struct pkt *p,
			 uint64_t *rng)
{
	double d = 5000;   /* one-way base delay */

	if (m->jit == JIT_UNIFORM)
		d += rng_unit(rng) * m->jitter_ms * 1000;
	else if (m->jit == JIT_EXP)
		d += -log(1.0 - rng_unit(rng)) * m->jitter_ms * 1000;
	/* The first packets keep their order: one overtaken at the very
	 * start is not a loss the buffer could know about. */
	if (m->reorder > 0 && rng_unit(rng) < m->reorder &&
	    (uint16_t)(p->seq - m->seq0) >= 3)
		d += (1 + rng_next(rng) % m->reorder_depth) *
		     m->ptime_ms * 1000.0 + 1000;
	if (m->spike_every_ms) {
		uint64_t per = m->spike_every_ms * 1000ull;
		uint64_t in = p->send_us % per;

		/* Stalled in the window at the end of each period: held
		 * until it reopens. */
		if (in >= per - m->spike_ms * 1000ull)
			d += (double)(per - in);
	}
	return p->send_us + (uint64_t)d;
}

static void check_frame(const struct net *m, struct pkt *p, unsigned *last,
			int *have_last, const struct sl_jbuf_frame *f,
			struct run *r)
{
	unsigned idx;
	uint8_t want[200];

	if (f->len == 1) {
		/* CN: find it by timestamp. */
		idx = m->n;
		for (unsigned k = 0; k < m->n; k++)
			if (p[k].ts == f->ts && p[k].len == 1)
				idx = k;
	} else if (f->len >= 4) {
		idx = (unsigned)f->payload[0] << 24 |
		      (unsigned)f->payload[1] << 16 |
		      (unsigned)f->payload[2] << 8 | f->payload[3];
	} else {
		idx = m->n;
	}
	if (idx >= m->n) {
		r->data_err++;
		return;
	}
	if (*have_last && idx <= *last)
		r->order_err++;
	*last = idx;
	*have_last = 1;
	fill_payload(want, p[idx].len, idx);
	if (f->len != p[idx].len || memcmp(want, f->payload, f->len) != 0 ||
	    f->pt != p[idx].pt)
		r->data_err++;
	if (f->ts != p[idx].ts)
		r->ts_err++;
	if (f->samples != p[idx].samples)
		r->samples_err++;
	if (p[idx].played)
		r->order_err++;
	p[idx].played = 1;
}

/*
 * Runs the model through a fresh buffer; @p (optional) receives the
 * packet table for the caller to inspect (caller frees).
 */
static void simulate(const struct net *m, struct run *r, struct pkt **pout)
{
	uint64_t rng = m->seed * 0x2545f4914f6cdd1dULL + 7;
	struct pkt *p;
	struct ev *ev;
	unsigned n_ev = 0, e = 0, last = 0;
	int have_last = 0, started = 0;
	void *mem;
	struct sl_jbuf *jb = make_jbuf(m, &mem);
	uint64_t now, end_us;
	struct sl_jbuf_stats st_end;
	double sum_first = 0, sum_last = 0;
	unsigned cnt_first = 0, cnt_last = 0;

	memset(r, 0, sizeof(*r));
	r->min_target_ms = ~0u;
	p = make_packets(m, &rng);
	ev = calloc(2 * (size_t)m->n, sizeof(*ev));
	ck_assert_ptr_nonnull(ev);
	for (unsigned k = 0; k < m->n; k++) {
		if (p[k].lost) {
			r->lost_inj++;
			continue;
		}
		ev[n_ev++] = (struct ev){ delay_us(m, &p[k], &rng), k, 0 };
		if (m->dup > 0 && rng_unit(&rng) < m->dup) {
			ev[n_ev] = ev[n_ev - 1];
			ev[n_ev].at_us += rng_next(&rng) % 30000;
			ev[n_ev++].copy = 1;
			r->dup_inj++;
		}
	}
	qsort(ev, n_ev, sizeof(*ev), cmp_ev);
	end_us = (n_ev ? ev[n_ev - 1].at_us : 0) + 1000000;

	now = m->phase_us;
	while (now < end_us) {
		struct sl_jbuf_frame f;
		struct sl_jbuf_stats st;
		uint32_t adv;
		int kind;

		for (; e < n_ev && ev[e].at_us <= now; e++) {
			struct pkt *q = &p[ev[e].idx];
			uint8_t buf[200];
			int rc;

			fill_payload(buf, q->len, ev[e].idx);
			rc = sl__jbuf_put(jb, q->seq, q->ts,
					  ev[e].idx == 0, q->pt, buf, q->len,
					  ev[e].at_us);
			if (q->put_rc < 0)
				q->put_rc = rc;
			r->put_late += rc == SL_JB_LATE;
			r->put_dup += rc == SL_JB_DUPLICATE;
			r->put_overflow += rc == SL_JB_OVERFLOW;
		}
		sl__jbuf_stats(jb, &st);
		st_end = st;
		if (started) {
			if (st.depth_ms > r->max_depth_ms)
				r->max_depth_ms = st.depth_ms;
			if (now < 60000000) {
				sum_first += st.depth_ms;
				cnt_first++;
			}
			if (now + 60000000 >= end_us - 1000000 &&
			    now < end_us - 1000000) {
				sum_last += st.depth_ms;
				cnt_last++;
			}
		}
		if (st.target_ms > r->max_target_ms)
			r->max_target_ms = st.target_ms;
		if (started && st.target_ms < r->min_target_ms)
			r->min_target_ms = st.target_ms;

		kind = sl__jbuf_get(jb, now, &f);
		r->api_err += kind != (int)f.kind;
		/* Everything arrived and the buffer ran dry: the stream is
		 * over, so what follows is not concealment. */
		if (e == n_ev && st.depth_ms == 0 &&
		    (kind == SL_JB_EMPTY || (kind == SL_JB_LOST && f.inserted)))
			break;
		adv = m->rate / 1000 * m->ptime_ms;
		if (kind == SL_JB_FRAME) {
			started = 1;
			r->frames++;
			check_frame(m, p, &last, &have_last, &f, r);
			/* The device plays what the decoder gives. */
			adv = p[last].samples;
		} else if (kind == SL_JB_LOST) {
			r->api_err += f.payload != NULL;
			if (f.inserted) {
				r->inserted++;
				r->api_err += f.next != NULL;
			} else {
				r->gaps++;
			}
			if (f.next) {
				unsigned idx = (unsigned)f.next[0] << 24 |
					       (unsigned)f.next[1] << 16 |
					       (unsigned)f.next[2] << 8 |
					       f.next[3];

				/* FEC: the packet right after the gap. */
				if (f.next_len == 160 && idx < m->n &&
				    p[idx].ts == f.ts + f.samples)
					r->fec_ok++;
				else if (f.next_len != 1)
					r->fec_bad++;
			}
			adv = f.samples;
		} else {
			r->api_err += kind != SL_JB_EMPTY;
			if (started)
				r->empties_playing++;
		}
		if (adv == 0) {
			r->api_err++;
			break;
		}
		now += (uint64_t)adv * 1000000 / m->rate;
	}
	if (now < end_us)
		r->st = st_end;
	else
		sl__jbuf_stats(jb, &r->st);
	r->run_ms = (unsigned)(now / 1000);
	r->depth_first = cnt_first ? sum_first / cnt_first : 0;
	r->depth_last = cnt_last ? sum_last / cnt_last : 0;
	for (unsigned k = 0; k < m->n; k++) {
		if ((p[k].put_rc == SL_JB_STORED ||
		     p[k].put_rc == SL_JB_OVERFLOW) && !p[k].played) {
			r->never_played++;
			r->dropped_small += p[k].len == 1;
		}
	}
	if (verbose())
		printf("seed %llu: rx %llu played %llu lost %llu (inj %u) "
		       "late %llu dup %llu (inj %u) ovf %llu conc %llu "
		       "ins %u gaps %u drop %llu never %u empty %u "
		       "depth %.1f..%.1f max %u tgt %u [%u..%u] jit %.2f "
		       "order %u data %u ts %u smp %u fec %u/%u\n",
		       (unsigned long long)m->seed,
		       (unsigned long long)r->st.received,
		       (unsigned long long)r->st.played,
		       (unsigned long long)r->st.lost, r->lost_inj,
		       (unsigned long long)r->st.late,
		       (unsigned long long)r->st.duplicate, r->dup_inj,
		       (unsigned long long)r->st.overflow,
		       (unsigned long long)r->st.concealed, r->inserted,
		       r->gaps, (unsigned long long)r->st.drift_dropped,
		       r->never_played, r->empties_playing, r->depth_first,
		       r->depth_last, r->max_depth_ms, r->st.target_ms,
		       r->min_target_ms, r->max_target_ms, r->st.jitter_ms,
		       r->order_err, r->data_err, r->ts_err, r->samples_err,
		       r->fec_ok, r->fec_bad);
	free(ev);
	free(mem);
	if (pout)
		*pout = p;
	else
		free(p);
}

/* What every run must satisfy, whatever the impairments. */
static void check_invariants(const struct net *m, const struct run *r)
{
	ck_assert_uint_eq(r->api_err, 0);
	ck_assert_uint_eq(r->order_err, 0);
	ck_assert_uint_eq(r->data_err, 0);
	ck_assert_uint_eq(r->ts_err, 0);
	ck_assert_uint_eq(r->fec_bad, 0);
	ck_assert_uint_eq(r->st.played, r->frames);
	ck_assert_uint_eq(r->st.concealed, r->gaps + r->inserted);
	ck_assert_uint_eq(r->st.late, r->put_late);
	ck_assert_uint_eq(r->st.duplicate, r->put_dup);
	ck_assert_uint_eq(r->st.received, m->n - r->lost_inj + r->dup_inj);
	/* Every packet is played, dropped (depth, overflow, restart),
	 * late, or a copy. */
	ck_assert_uint_eq(r->st.received,
			  r->st.played + r->st.drift_dropped + r->st.overflow +
			  r->st.late + r->st.duplicate);
	ck_assert_uint_eq(r->never_played,
			  r->st.drift_dropped + r->st.overflow);
	ck_assert_uint_le(r->max_target_ms, m->max_ms);
	ck_assert_uint_ge(r->min_target_ms, m->min_ms);
}

START_TEST(clean_network_plays_everything_at_min_delay)
{
	struct net m;
	struct run r;

	default_net(&m);
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_eq(r.st.played, m.n);
	ck_assert_uint_eq(r.st.lost, 0);
	ck_assert_uint_eq(r.st.late, 0);
	ck_assert_uint_eq(r.st.concealed, 0);
	ck_assert_uint_eq(r.st.drift_dropped, 0);
	ck_assert_uint_eq(r.empties_playing, 0);
	ck_assert_uint_eq(r.samples_err, 0);
	ck_assert_uint_eq(r.st.target_ms, 20);
	ck_assert_uint_eq(r.max_depth_ms, 20);
	ck_assert(r.st.jitter_ms < 0.01);
}
END_TEST

START_TEST(clean_network_48k_with_a_deeper_floor)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.rate = 48000;
	m.min_ms = 60;
	m.ts0 = 0xfffff000u;    /* wraps within the first packets */
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_eq(r.st.played, m.n);
	ck_assert_uint_eq(r.st.lost + r.st.late + r.st.concealed, 0);
	ck_assert_uint_eq(r.st.drift_dropped, 0);
	ck_assert_uint_eq(r.samples_err, 0);
	ck_assert_uint_eq(r.st.target_ms, 60);
	ck_assert_uint_eq(r.max_depth_ms, 60);
	ck_assert(r.depth_first >= 59.9 && r.depth_first <= 60.1);
}
END_TEST

START_TEST(jitter_raises_the_target_and_late_stays_rare)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.jit = JIT_UNIFORM;
	m.jitter_ms = 60;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	/* Uniform 0-60 ms: RFC 3550 J is about 20 ms. */
	ck_assert(r.st.jitter_ms > 15 && r.st.jitter_ms < 25);
	ck_assert_uint_ge(r.st.target_ms, 50);
	ck_assert_uint_le(r.st.target_ms, 80);
	/* Nothing was lost on the wire: every gap is a late packet (not
	 * every late packet a gap: one that the first packet overtook was
	 * never expected). */
	ck_assert_uint_le(r.st.lost, r.st.late);
	ck_assert_uint_le(r.st.late - r.st.lost, 2);
	ck_assert_uint_le(r.st.late, m.n / 100);
	ck_assert_uint_le(r.st.concealed, m.n / 50);
	ck_assert_uint_eq(r.empties_playing, 0);
}
END_TEST

START_TEST(exponential_jitter_late_bounded)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.jit = JIT_EXP;
	m.jitter_ms = 15;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_le(r.st.lost, r.st.late);
	ck_assert_uint_le(r.st.late - r.st.lost, 2);
	ck_assert_uint_le(r.st.late, m.n * 3 / 100);
	ck_assert_uint_ge(r.st.target_ms, 40);
}
END_TEST

START_TEST(random_loss_counted_exactly_at_min_depth)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.loss = 0.05;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_gt(r.lost_inj, 100);
	ck_assert_uint_eq(r.st.lost, r.lost_inj);
	ck_assert_uint_eq(r.st.late, 0);
	ck_assert_uint_eq(r.st.played, m.n - r.lost_inj);
	/* At one packet of depth the gap is never seen before its turn:
	 * an insertion stands in for each lost packet, once. */
	ck_assert_uint_eq(r.st.concealed, r.st.lost);
	ck_assert_uint_eq(r.gaps, 0);
	ck_assert_uint_eq(r.st.drift_dropped, 0);
}
END_TEST

START_TEST(burst_loss_reported_with_the_next_packet_for_fec)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.min_ms = 60;
	m.loss = 0.03;
	m.burst_enter = 0.01;
	m.burst_leave = 0.5;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_gt(r.lost_inj, 100);
	ck_assert_uint_eq(r.st.lost, r.lost_inj);
	ck_assert_uint_eq(r.st.late, 0);
	ck_assert_uint_eq(r.st.played, m.n - r.lost_inj);
	/* With 60 ms buffered most gaps are known in time: a LOST each, the
	 * one before a received packet carrying it for FEC. Bursts longer
	 * than the depth run the buffer dry: insertions stand in for those
	 * packets. Either way one concealed frame per lost packet. */
	ck_assert_uint_gt(r.gaps, r.lost_inj / 2);
	ck_assert_uint_eq(r.gaps + r.inserted, r.lost_inj);
	ck_assert_uint_eq(r.st.concealed, r.lost_inj);
	ck_assert_uint_gt(r.fec_ok, r.gaps / 2);
	ck_assert_uint_eq(r.st.drift_dropped, 0);
}
END_TEST

START_TEST(reordering_within_depth_is_undone)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.min_ms = 60;
	m.reorder = 0.1;
	m.reorder_depth = 2;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_eq(r.st.played, m.n);
	ck_assert_uint_eq(r.st.lost, 0);
	ck_assert_uint_eq(r.st.late, 0);
	ck_assert_uint_eq(r.gaps, 0);
}
END_TEST

START_TEST(duplicates_counted_and_played_once)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.dup = 0.05;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_gt(r.dup_inj, 100);
	ck_assert_uint_eq(r.st.duplicate, r.dup_inj);
	ck_assert_uint_eq(r.st.played, m.n);
	ck_assert_uint_eq(r.st.lost + r.st.late + r.st.concealed, 0);
}
END_TEST

/* +/-300 ppm for 10 minutes: the sender gains or loses 9 packets. */
START_TEST(drift_fast_sender_drops_frames)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.n = 30000;
	m.drift_ppm = 300;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_eq(r.st.lost + r.st.late + r.st.concealed, 0);
	ck_assert_uint_ge(r.st.drift_dropped, 8);
	ck_assert_uint_le(r.st.drift_dropped, 10);
	ck_assert_uint_eq(r.st.played, m.n - r.st.drift_dropped);
	ck_assert_uint_le(r.max_depth_ms, 40);
	/* A drop waits for a step where it is safe (half a packet of
	 * margin left, see drop_is_safe()): the mean depth may creep up by
	 * that much, never more. */
	ck_assert(r.depth_last <= r.depth_first + 10);
}
END_TEST

START_TEST(drift_slow_sender_inserts_frames)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.n = 30000;
	m.drift_ppm = -300;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_eq(r.st.lost + r.st.late + r.st.drift_dropped, 0);
	ck_assert_uint_eq(r.st.played, m.n);
	ck_assert_uint_ge(r.inserted, 8);
	ck_assert_uint_le(r.inserted, 10);
	ck_assert_uint_eq(r.st.concealed, r.inserted);
	ck_assert_uint_eq(r.empties_playing, 0);
	ck_assert_uint_le(r.max_depth_ms, 40);
}
END_TEST

/* Drift under jitter: the delay neither grows nor starves. */
START_TEST(drift_with_jitter_keeps_depth_bounded)
{
	static const double ppm[] = { 300, -300 };
	struct net m;
	struct run r;

	for (unsigned i = 0; i < 2; i++) {
		default_net(&m);
		m.seed = 11 + i;
		m.n = 30000;
		m.drift_ppm = ppm[i];
		m.jit = JIT_UNIFORM;
		m.jitter_ms = 30;
		m.loss = 0.01;
		simulate(&m, &r, NULL);
		check_invariants(&m, &r);
		ck_assert_uint_le(r.st.lost, r.lost_inj + r.st.late);
		ck_assert_uint_le(r.lost_inj + r.st.late - r.st.lost, 2);
		ck_assert(fabs(r.depth_last - r.depth_first) <= 15);
		ck_assert_uint_le(r.max_depth_ms, m.max_ms);
		ck_assert_uint_le(r.st.late, m.n / 100);
		ck_assert_uint_eq(r.empties_playing, 0);
		if (ppm[i] > 0)
			ck_assert_uint_ge(r.st.drift_dropped, 9);
		else
			ck_assert_uint_ge(r.inserted, 9);
	}
}
END_TEST

START_TEST(sequence_and_timestamp_wrap)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.n = 1000;
	m.seq0 = 65500;
	m.ts0 = 0xffffffffu - 5000;
	m.min_ms = 60;
	m.reorder = 0.05;
	m.reorder_depth = 2;
	m.loss = 0.02;
	m.dup = 0.02;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_eq(r.st.lost, r.lost_inj);
	ck_assert_uint_eq(r.st.late, 0);
	ck_assert_uint_eq(r.st.played, m.n - r.lost_inj);
	ck_assert_uint_eq(r.st.duplicate, r.dup_inj);
}
END_TEST

START_TEST(variable_packet_durations)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.n = 1500;
	m.change_at = 500;
	m.change_ptime_ms = 40;
	m.max_ms = 300;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	/* Every frame says its own duration (but the first 40 ms one,
	 * played before its successor showed its length), the device clock
	 * follows, and the longer packets cost no loss, drop or insertion. */
	ck_assert_uint_eq(r.samples_err, 1);
	ck_assert_uint_eq(r.st.played, m.n);
	ck_assert_uint_eq(r.st.lost + r.st.late + r.st.concealed, 0);
	ck_assert_uint_eq(r.st.drift_dropped, 0);
	ck_assert_uint_eq(r.st.target_ms, 40);
}
END_TEST

/* Depth above target after a stall is shed on silence frames first. */
START_TEST(drops_prefer_silence)
{
	struct net m;
	struct run r;
	struct pkt *p;

	default_net(&m);
	m.n = 1500;
	m.cn_every = 10;
	m.spike_every_ms = 10000;
	m.spike_ms = 150;
	simulate(&m, &r, &p);
	check_invariants(&m, &r);
	ck_assert_uint_ge(r.st.drift_dropped, 3);
	ck_assert_uint_eq(r.dropped_small, r.st.drift_dropped);
	ck_assert_uint_eq(r.st.lost + r.st.late, 0);
	free(p);
}
END_TEST

/* A 60 ms stall every second: the depth grows once to cover it and
 * stays; dropping it again would starve at the next stall. */
START_TEST(periodic_stalls_settle)
{
	struct net m;
	struct run r;

	default_net(&m);
	m.spike_every_ms = 1000;
	m.spike_ms = 60;
	simulate(&m, &r, NULL);
	check_invariants(&m, &r);
	ck_assert_uint_eq(r.st.played, m.n);
	ck_assert_uint_eq(r.st.lost + r.st.late, 0);
	ck_assert_uint_le(r.inserted, 4);
	ck_assert_uint_le(r.st.drift_dropped, 1);
	ck_assert_uint_ge(r.depth_last, 60);
}
END_TEST

START_TEST(never_out_of_order_over_many_seeds)
{
	struct net m;
	struct run r;

	for (unsigned seed = 1; seed <= 60; seed++) {
		uint64_t g = seed * 977;

		default_net(&m);
		m.seed = seed;
		m.n = 1500;
		m.rate = seed % 3 ? 8000 : 48000;
		m.min_ms = (unsigned)(rng_next(&g) % 4) * 20;
		m.max_ms = 100 + (unsigned)(rng_next(&g) % 4) * 100;
		m.loss = rng_unit(&g) * 0.1;
		m.burst_enter = rng_unit(&g) * 0.02;
		m.burst_leave = 0.3 + rng_unit(&g) * 0.5;
		m.reorder = rng_unit(&g) * 0.2;
		m.reorder_depth = 1 + (unsigned)(rng_next(&g) % 5);
		m.jit = (enum jit_dist)(rng_next(&g) % 3);
		m.jitter_ms = rng_unit(&g) * 80;
		m.dup = rng_unit(&g) * 0.1;
		m.drift_ppm = (rng_unit(&g) - 0.5) * 2000;
		if (seed % 4 == 0) {
			m.spike_every_ms = 7000;
			m.spike_ms = 100 + (unsigned)(rng_next(&g) % 400);
		}
		m.cn_every = seed % 5 == 0 ? 7 : 0;
		m.seq0 = (uint16_t)rng_next(&g);
		m.ts0 = (uint32_t)rng_next(&g);
		m.phase_us = (unsigned)(rng_next(&g) % 20000);
		simulate(&m, &r, NULL);
		check_invariants(&m, &r);
	}
}
END_TEST

/* ---- direct scenarios ---- */

static const struct sl_jbuf_config cfg8k = {
	.clock_rate = 8000, .ptime_ms = 20, .min_ms = 20, .max_ms = 200,
	.slots = 16, .max_payload = 160,
};

static _Alignas(max_align_t) uint8_t arena[64 * 1024];

static struct sl_jbuf *fresh(const struct sl_jbuf_config *cfg)
{
	size_t sz = sl__jbuf_size(cfg);

	ck_assert_uint_gt(sz, 0);
	ck_assert_uint_le(sz, sizeof(arena));
	memset(arena, 0xa5, sz);
	return sl__jbuf_init(arena, cfg);
}

/* Puts packet @seq of a 20 ms 8 kHz stream that began at (seq0, ts0);
 * the payload's first two bytes carry the sequence number. */
static int put(struct sl_jbuf *jb, uint16_t seq, uint32_t ts, int marker,
	       uint64_t at_us)
{
	uint8_t pl[160];

	memset(pl, 0x55, sizeof(pl));
	pl[0] = (uint8_t)(seq >> 8);
	pl[1] = (uint8_t)seq;
	return sl__jbuf_put(jb, seq, ts, marker, 0, pl, sizeof(pl), at_us);
}

static int get(struct sl_jbuf *jb, uint64_t now, struct sl_jbuf_frame *f)
{
	int k = sl__jbuf_get(jb, now, f);

	ck_assert_int_eq(k, (int)f->kind);
	return k;
}

static uint16_t frame_seq(const struct sl_jbuf_frame *f)
{
	ck_assert_int_eq(f->kind, SL_JB_FRAME);
	return (uint16_t)(f->payload[0] << 8 | f->payload[1]);
}

START_TEST(invalid_configs_refused)
{
	static const struct sl_jbuf_config bad[] = {
		{ 0, 20, 20, 200, 16, 160 },         /* no clock */
		{ 8000, 0, 20, 200, 16, 160 },       /* no ptime */
		{ 8000, 20, 300, 200, 16, 160 },     /* min > max */
		{ 8000, 20, 20, 200, 13, 160 },      /* < max/ptime + 4 */
		{ 8000, 20, 20, 200, 16, 0 },        /* no payload */
		{ 8000, 20, 0, 0, 16, 160 },         /* no depth */
		{ 8000, 20, 20, 200, 100000, 160 },  /* absurd slots */
		{ 8000, 20, 20, 200, 16, 1 << 20 },  /* absurd payload */
		{ 100, 5, 20, 200, 44, 160 },        /* ptime < 1 tick */
		{ 8000, 20, 20, 1000000, 50004, 160 }, /* absurd depth */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_uint_eq(sl__jbuf_size(&bad[i]), 0);
		ck_assert_ptr_null(sl__jbuf_init(arena, &bad[i]));
	}
	ck_assert_uint_eq(sl__jbuf_size(NULL), 0);
	ck_assert_ptr_null(sl__jbuf_init(arena, NULL));
	ck_assert_ptr_null(sl__jbuf_init(NULL, &cfg8k));
	/* The boundary itself is fine: 200 / 20 + 4 slots. */
	{
		struct sl_jbuf_config c = cfg8k;

		c.slots = 14;
		ck_assert_uint_gt(sl__jbuf_size(&c), 14 * 160);
		ck_assert_ptr_nonnull(sl__jbuf_init(arena, &c));
		c.min_ms = 0;
		ck_assert_ptr_nonnull(sl__jbuf_init(arena, &c));
	}
}
END_TEST

START_TEST(payload_size_limit)
{
	struct sl_jbuf *jb = fresh(&cfg8k);
	uint8_t big[161] = { 0 };
	struct sl_jbuf_stats st;

	ck_assert_int_eq(sl__jbuf_put(jb, 1, 160, 0, 0, big, 161, 1000),
			 SL_JB_TOOBIG);
	ck_assert_int_eq(sl__jbuf_put(jb, 2, 320, 0, 0, big, 160, 2000),
			 SL_JB_STORED);
	ck_assert_int_eq(sl__jbuf_put(jb, 3, 480, 0, 0, NULL, 5, 3000),
			 SL_JB_TOOBIG);
	ck_assert_int_eq(sl__jbuf_put(jb, 4, 640, 0, 0, NULL, 0, 4000),
			 SL_JB_STORED);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.received, 4);
}
END_TEST

START_TEST(empty_until_filled_then_in_order)
{
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf *jb;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;

	c.min_ms = 60;
	jb = fresh(&c);
	ck_assert_int_eq(get(jb, 0, &f), SL_JB_EMPTY);
	/* 101 overtakes 100 before anything played: 100 still leads. */
	ck_assert_int_eq(put(jb, 101, 1160, 0, 1000), SL_JB_STORED);
	ck_assert_int_eq(get(jb, 2000, &f), SL_JB_EMPTY);
	ck_assert_int_eq(put(jb, 100, 1000, 0, 3000), SL_JB_STORED);
	ck_assert_int_eq(get(jb, 4000, &f), SL_JB_EMPTY);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.depth_ms, 40);
	ck_assert_uint_eq(st.target_ms, 60);
	ck_assert_int_eq(put(jb, 102, 1320, 0, 5000), SL_JB_STORED);
	ck_assert_int_eq(get(jb, 6000, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 100);
	ck_assert_uint_eq(f.ts, 1000);
	ck_assert_uint_eq(f.samples, 160);
	ck_assert_uint_eq(f.len, 160);
	ck_assert_int_eq(get(jb, 26000, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 101);
	/* 100 again: a copy of what played, not a late packet. */
	ck_assert_int_eq(put(jb, 100, 1000, 0, 27000), SL_JB_DUPLICATE);
	ck_assert_int_eq(put(jb, 102, 1320, 0, 27000), SL_JB_DUPLICATE);
	ck_assert_int_eq(get(jb, 46000, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 102);
	ck_assert_uint_eq(f.samples, 160);  /* no successor: last known */
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.duplicate, 2);
	ck_assert_uint_eq(st.played, 3);
}
END_TEST

START_TEST(a_lone_packet_plays_after_the_target_time)
{
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf *jb;
	struct sl_jbuf_frame f;

	c.min_ms = 100;
	jb = fresh(&c);
	ck_assert_int_eq(put(jb, 7, 70, 1, 1000000), SL_JB_STORED);
	ck_assert_int_eq(get(jb, 1050000, &f), SL_JB_EMPTY);
	ck_assert_int_eq(get(jb, 1099999, &f), SL_JB_EMPTY);
	ck_assert_int_eq(get(jb, 1100000, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 7);
	ck_assert_int_eq(f.marker, 1);
}
END_TEST

START_TEST(gap_reports_lost_with_ts_and_next)
{
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf *jb;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint64_t t = 0;

	c.min_ms = 80;
	jb = fresh(&c);
	put(jb, 10, 1600, 0, t += 20000);
	put(jb, 11, 1760, 0, t += 20000);
	/* 12 and 13 lost */
	put(jb, 14, 2240, 0, t += 60000);
	ck_assert_int_eq(get(jb, t, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 10);
	ck_assert_int_eq(get(jb, t += 20000, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 11);
	ck_assert_int_eq(get(jb, t += 20000, &f), SL_JB_LOST);
	ck_assert_int_eq(f.inserted, 0);
	ck_assert_uint_eq(f.ts, 1920);
	ck_assert_uint_eq(f.samples, 160);
	ck_assert_ptr_null(f.next);
	ck_assert_int_eq(get(jb, t += 20000, &f), SL_JB_LOST);
	ck_assert_uint_eq(f.ts, 2080);
	ck_assert_ptr_nonnull(f.next);
	ck_assert_uint_eq(f.next_len, 160);
	ck_assert_uint_eq(f.next[1], 14);
	/* 12 turns up after its turn. */
	ck_assert_int_eq(put(jb, 12, 1920, 0, t + 1000), SL_JB_LATE);
	ck_assert_int_eq(get(jb, t += 20000, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 14);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.lost, 2);
	ck_assert_uint_eq(st.concealed, 2);
	ck_assert_uint_eq(st.late, 1);
	/* The late packet made the target jump. */
	ck_assert_uint_ge(st.target_ms, 100);
}
END_TEST

START_TEST(dry_buffer_inserts_then_goes_idle)
{
	struct sl_jbuf *jb = fresh(&cfg8k);
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint64_t t = 1000;
	unsigned ins = 0;

	put(jb, 1, 160, 1, t);
	ck_assert_int_eq(get(jb, t, &f), SL_JB_FRAME);
	/* The sender stops without a CN: conceal up to max_ms, then say
	 * EMPTY and wait for the next packets. */
	for (int i = 0; i < 30; i++) {
		int k = get(jb, t += 20000, &f);

		if (k == SL_JB_LOST) {
			ck_assert_int_eq(f.inserted, 1);
			ck_assert_uint_eq(f.ts, 320);
			ck_assert_uint_eq(f.samples, 160);
			ins++;
		} else {
			ck_assert_int_eq(k, SL_JB_EMPTY);
		}
	}
	ck_assert_uint_eq(ins, 10);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_uint_eq(st.concealed, 10);
	/* It resumes in sequence: nothing was lost, just late. The 600 ms
	 * transit jump raised the target, so it refills first. */
	ck_assert_int_eq(put(jb, 2, 320, 0, t + 1), SL_JB_STORED);
	for (int i = 0; i < 20 && get(jb, t += 20000, &f) == SL_JB_EMPTY;
	     i++)
		put(jb, (uint16_t)(3 + i), 480 + 160u * i, 0, t + 1);
	ck_assert_uint_eq(frame_seq(&f), 2);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.lost + st.late, 0);
	ck_assert_uint_gt(st.target_ms, 20);
}
END_TEST

START_TEST(silence_then_marker_restarts_without_concealment)
{
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf *jb;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint8_t cn = 40;
	uint64_t t = 0;
	uint16_t seq = 0;
	uint32_t ts = 0;

	c.min_ms = 40;
	jb = fresh(&c);
	for (int i = 0; i < 20; i++) {
		if (i != 17)    /* lost: a LOST when its turn comes */
			put(jb, seq, ts, i == 0, t + 5000);
		seq++;
		ts += 160;
		get(jb, t += 20000, &f);
	}
	/* A CN packet opens the silence, then nothing for 2 s. */
	ck_assert_int_eq(sl__jbuf_put(jb, seq++, ts, 0, 13, &cn, 1,
				      t + 5000), SL_JB_STORED);
	ts += 160;
	for (int i = 0; i < 100; i++) {
		int k = get(jb, t += 20000, &f);

		ck_assert_int_ne(k, SL_JB_LOST);
		if (k == SL_JB_FRAME && f.pt == 13)
			ck_assert_uint_eq(f.len, 1);
	}
	ck_assert_int_eq(f.kind, SL_JB_EMPTY);
	/* The talkspurt: seq continues, ts jumped 2 s, marker set. */
	ts += 16000;
	ck_assert_int_eq(put(jb, seq, ts, 1, t + 5000), SL_JB_STORED);
	/* The old talkspurt's lost packet turns up: the new start may not
	 * move back to it. */
	ck_assert_int_eq(put(jb, 17, 17 * 160, 0, t + 6000), SL_JB_LATE);
	ck_assert_int_eq(get(jb, t += 20000, &f), SL_JB_EMPTY);
	put(jb, (uint16_t)(seq + 1), ts + 160, 0, t + 5000);
	ck_assert_int_eq(get(jb, t += 20000, &f), SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), seq);
	ck_assert_int_eq(f.marker, 1);
	ck_assert_uint_eq(f.ts, ts);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.concealed, 1);
	ck_assert_uint_eq(st.lost, 1);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.drift_dropped, 0);
	ck_assert_uint_eq(st.played, 21);
}
END_TEST

/* Plays a steady stream of @n packets from (seq, ts) at one packet of
 * depth; returns the time after it. */
static uint64_t steady(struct sl_jbuf *jb, uint16_t seq, uint32_t ts,
		       unsigned n, uint64_t t)
{
	struct sl_jbuf_frame f;

	for (unsigned i = 0; i < n; i++) {
		put(jb, (uint16_t)(seq + i), ts + 160 * i, i == 0, t + 5000);
		t += 20000;
		get(jb, t, &f);
		ck_assert_int_eq(f.kind, i == 0 ? f.kind : SL_JB_FRAME);
		if (f.kind == SL_JB_FRAME)
			ck_assert_uint_eq(frame_seq(&f), (uint16_t)(seq + i));
	}
	return t;
}

START_TEST(timestamp_and_sequence_jumps_restart)
{
	struct sl_jbuf *jb = fresh(&cfg8k);
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint64_t t;

	t = steady(jb, 500, 8000, 50, 0);
	/* Same numbering, timestamp 10 s ahead, no marker. */
	t = steady(jb, 550, 8000 + 50 * 160 + 80000, 50, t);
	/* A sequence jump of 1000 with timestamps to match. */
	t = steady(jb, 1600, 8000 + 1100 * 160 + 80000, 50, t);
	/* Numbering restarts far behind: one stray is late, the second in
	 * sequence confirms the restart (RFC 3550 A.1). */
	ck_assert_int_eq(put(jb, 200, 500000, 0, t + 5000), SL_JB_LATE);
	t += 20000;
	get(jb, t, &f);
	steady(jb, 201, 500160, 50, t);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.played, 200);
	ck_assert_uint_eq(st.lost, 0);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.drift_dropped, 0);
}
END_TEST

/* Packet i of a 20 ms stream arrives at 20000 * i + 5000 + @late_us[i]
 * and the device asks at every multiple of 20 ms. */
struct script {
	struct sl_jbuf *jb;
	uint64_t t;             /* last get */
	unsigned next;          /* next packet to send */
	unsigned n;
	int64_t extra[400];     /* added delay; < 0: never sent */
	int marker[400];
	uint32_t ts_gap[400];   /* silence before it (timestamp units) */
	struct sl_jbuf_stats before;  /* stats before the last get */
};

/* Delivers what has arrived by the next device tick and takes a step. */
static int tick(struct script *sc, struct sl_jbuf_frame *f)
{
	uint32_t gap = 0;

	sc->t += 20000;
	for (unsigned i = 0; i < sc->n; i++) {
		uint64_t at;

		gap += sc->ts_gap[i];
		at = 20000ull * i + 5000 + (uint64_t)(sc->extra[i] < 0 ?
						      0 : sc->extra[i]);
		if (sc->extra[i] < 0 || at > sc->t || at <= sc->t - 20000)
			continue;
		put(sc->jb, (uint16_t)(5000 + i), 160 * i + gap,
		    sc->marker[i], at);
	}
	sl__jbuf_stats(sc->jb, &sc->before);
	return get(sc->jb, sc->t, f);
}

START_TEST(target_rises_at_once_and_decays_slowly)
{
	static struct script sc;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	unsigned peak;

	memset(&sc, 0, sizeof(sc));
	sc.jb = fresh(&cfg8k);
	sc.n = 400;
	/* 100 ms stall: 100..104 arrive together with 105. */
	for (unsigned i = 100; i < 105; i++)
		sc.extra[i] = (105 - i) * 20000;
	while (sc.t < 20000ull * 100 + 5000)
		tick(&sc, &f);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert_uint_eq(st.target_ms, 20);
	/* The stalled packet's put alone moves the target. */
	put(sc.jb, 5100, 16000, 0, 20000ull * 105 + 5000);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert_uint_ge(st.target_ms, 30);
	while (sc.t < 20000ull * 106 + 5000)
		tick(&sc, &f);
	sl__jbuf_stats(sc.jb, &st);
	peak = st.target_ms;
	/* A second on, the jitter estimate has all but forgotten the
	 * stall; the target keeps most of it. */
	while (sc.t < 20000ull * 156)
		tick(&sc, &f);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert(st.jitter_ms < 3);
	ck_assert_uint_ge(st.target_ms, 20 + (peak - 20) * 8 / 10);
	ck_assert_uint_lt(st.target_ms, peak);
	while (sc.t < 20000ull * 399)
		tick(&sc, &f);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert_uint_le(st.target_ms, 20 + (peak - 20) / 2);
	ck_assert_uint_eq(st.lost + st.late, 0);
}
END_TEST

START_TEST(late_packet_deepens_the_buffer)
{
	static struct script sc;
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	int proactive = 0;

	c.min_ms = 40;
	memset(&sc, 0, sizeof(sc));
	sc.jb = fresh(&c);
	sc.n = 400;
	sc.extra[50] = 50000;    /* misses its turn by a packet */
	sc.extra[80] = 50000;    /* the same again, a bit later */
	while (sc.t < 20000ull * 55)
		tick(&sc, &f);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.lost, 1);
	ck_assert_uint_ge(st.target_ms, 60);
	/* Within 100 ms or so the depth follows the target: a concealed
	 * frame while packets were waiting, not because it ran dry. */
	for (int i = 0; i < 10; i++)
		if (tick(&sc, &f) == SL_JB_LOST && f.inserted &&
		    sc.before.depth_ms >= 40)
			proactive++;
	ck_assert_int_eq(proactive, 1);
	while (sc.t < 20000ull * 410)
		tick(&sc, &f);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.lost, 1);
	/* Later, the target decays and a frame goes again. */
	ck_assert_uint_eq(st.played + st.drift_dropped, 399);
	ck_assert_uint_le(st.drift_dropped, 1);
}
END_TEST

/* A short silence (shorter than max_ms), no CN: the marker bit says the
 * talkspurt is new, so it refills instead of playing at one packet. */
START_TEST(marker_after_short_silence_refills)
{
	static struct script sc;
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	int k;

	c.min_ms = 40;
	memset(&sc, 0, sizeof(sc));
	sc.jb = fresh(&c);
	sc.n = 300;
	for (unsigned i = 100; i < 103; i++)
		sc.extra[i] = -1;       /* silence: not sent ... */
	sc.marker[103] = 1;             /* ... then a talkspurt */
	sc.ts_gap[103] = 800;           /* with 100 ms more silence */
	while (sc.t < 20000ull * 103)
		tick(&sc, &f);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert_uint_eq(st.concealed, 2);     /* ticks 102 and 103 */
	ck_assert_uint_eq(st.lost, 0);
	/* 103 has arrived: a restart, one packet is not the target. */
	k = tick(&sc, &f);
	ck_assert_uint_eq(sc.before.depth_ms, 20);
	ck_assert_int_eq(k, SL_JB_EMPTY);
	k = tick(&sc, &f);
	ck_assert_int_eq(k, SL_JB_FRAME);
	ck_assert_uint_eq(frame_seq(&f), 5103);
	ck_assert_int_eq(f.marker, 1);
	while (sc.t < 20000ull * 301)
		ck_assert_int_eq(tick(&sc, &f), SL_JB_FRAME);
	sl__jbuf_stats(sc.jb, &st);
	ck_assert_uint_eq(st.concealed, 2);
	ck_assert_uint_eq(st.lost + st.late + st.drift_dropped, 0);
	ck_assert_uint_eq(st.played, 297);
}
END_TEST

START_TEST(ssrc_change_reset)
{
	struct sl_jbuf *jb = fresh(&cfg8k);
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint64_t t;

	t = steady(jb, 40000, 77, 100, 0);
	/* Two packets of the old stream still buffered at the switch. */
	put(jb, 40100, 77 + 100 * 160, 0, t + 5000);
	put(jb, 40101, 77 + 101 * 160, 0, t + 6000);
	sl__jbuf_reset(jb);
	ck_assert_int_eq(get(jb, t += 20000, &f), SL_JB_EMPTY);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.depth_ms, 0);
	ck_assert(st.jitter_ms == 0);
	/* The new source numbers from just below the old one: nothing
	 * about it is a duplicate or late. */
	steady(jb, 39990, 3000000000u, 100, t);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.played, 200);
	ck_assert_uint_eq(st.received, 202);
	ck_assert_uint_eq(st.drift_dropped, 2);     /* forgotten at reset */
	ck_assert_uint_eq(st.late + st.duplicate + st.lost, 0);
}
END_TEST

START_TEST(overflow_drops_the_oldest)
{
	struct sl_jbuf *jb = fresh(&cfg8k);
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint16_t first = 0;

	/* Nobody plays: the 17th, 18th and 19th packets push out the
	 * oldest three. */
	for (uint16_t i = 0; i < 19; i++) {
		int rc = put(jb, 300 + i, 160u * i, 0, 1000u * i);

		ck_assert_int_eq(rc, i < 16 ? SL_JB_STORED : SL_JB_OVERFLOW);
	}
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.overflow, 3);
	ck_assert_uint_eq(st.depth_ms, 16 * 20);
	ck_assert_int_eq(put(jb, 301, 160, 0, 20000), SL_JB_LATE);
	/* Playout starts at the target, shedding the excess (the target
	 * rose: arrivals 1 ms apart for 20 ms packets, one late). */
	ck_assert_int_eq(get(jb, 30000, &f), SL_JB_FRAME);
	first = frame_seq(&f);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_gt(first, 303);
	ck_assert_uint_eq(st.drift_dropped, first - 303u);
	ck_assert_uint_le(st.depth_ms + 20, st.target_ms + 20);
	ck_assert_uint_eq(st.lost, 0);
}
END_TEST

/* Playout stalls (a slow media thread) while packets keep arriving in
 * time: once the depth is past max_ms, one step cuts it back to the
 * target, oldest first, and playout goes on in sequence from there. */
START_TEST(depth_past_max_cut_to_target_at_once)
{
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf *jb;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint64_t t = 1000000;
	uint16_t seq = 1000, last = 0, s;
	unsigned target;

	c.slots = 32;
	jb = fresh(&c);
	for (unsigned i = 0; i < 50; i++, seq++, t += 20000) {
		put(jb, seq, 160u * seq, 0, t);
		if (get(jb, t + 10000, &f) == SL_JB_FRAME)
			last = frame_seq(&f);
	}
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(last, seq - 1);
	ck_assert_uint_eq(st.drift_dropped, 0);
	/* 400 ms without a playout step; arrivals stay regular. */
	for (unsigned i = 0; i < 20; i++, seq++, t += 20000)
		put(jb, seq, 160u * seq, 0, t);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.depth_ms, 400);
	target = st.target_ms;
	ck_assert_uint_lt(target, 100);
	ck_assert_int_eq(get(jb, t, &f), SL_JB_FRAME);
	s = frame_seq(&f);
	sl__jbuf_stats(jb, &st);
	/* Everything between the last frame played and this one was
	 * dropped, none of it lost, and what is left is the target less
	 * the frame just handed out. */
	ck_assert_uint_eq(st.drift_dropped, (unsigned)(s - last - 1));
	ck_assert_uint_gt(st.drift_dropped, 10);
	ck_assert_uint_le(st.depth_ms + 20, target);
	ck_assert_uint_eq(st.lost + st.late + st.overflow, 0);
	ck_assert_uint_eq(st.received, st.played + st.drift_dropped +
			  st.depth_ms / 20);
	for (unsigned i = 1; i <= st.depth_ms / 20; i++) {
		t += 20000;
		ck_assert_int_eq(get(jb, t, &f), SL_JB_FRAME);
		ck_assert_uint_eq(frame_seq(&f), (uint16_t)(s + i));
	}
}
END_TEST

/* The same with a gap in the buffer: passing the missing number counts
 * it lost, never dropped. */
START_TEST(depth_past_max_cut_counts_gaps_lost)
{
	struct sl_jbuf_config c = cfg8k;
	struct sl_jbuf *jb;
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	uint64_t t = 1000000;
	uint16_t seq = 1000;

	c.slots = 32;
	jb = fresh(&c);
	for (unsigned i = 0; i < 50; i++, seq++, t += 20000) {
		put(jb, seq, 160u * seq, 0, t);
		get(jb, t + 10000, &f);
	}
	/* 400 ms without playout, the second packet of it never comes. */
	for (unsigned i = 0; i < 20; i++, seq++, t += 20000)
		if (i != 1)
			put(jb, seq, 160u * seq, 0, t);
	ck_assert_int_eq(get(jb, t, &f), SL_JB_FRAME);
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.lost, 1);
	ck_assert_uint_eq(st.received, st.played + st.drift_dropped +
			  st.depth_ms / 20);
	ck_assert_uint_le(st.depth_ms + 20, st.target_ms);
}
END_TEST

/* Packets land just before each playout step; now and then one comes
 * half a millisecond late. The first time, the buffer runs dry and an
 * insertion stands in; from then on the packets wait a whole packet
 * before they play, and the frame the insertion added must stay: were
 * it dropped, the next late one would run the buffer dry again, an
 * insertion and a drop every couple of seconds. */
START_TEST(insertion_margin_is_kept)
{
	struct sl_jbuf *jb = fresh(&cfg8k);
	struct sl_jbuf_frame f;
	struct sl_jbuf_stats st;
	unsigned frames = 0;
	uint16_t want = 100;
	uint64_t t = 1000000;   /* the step clock: every 20 ms */
	unsigned k = 0;         /* packets put */

	for (unsigned j = 0; j < 1000; j++, t += 20000) {
		/* Packet k is due at 20 ms * k - 0.2 ms; every 100th comes
		 * 0.5 ms late, just after its step. */
		while (k < 1000) {
			uint64_t at = 1000000 + 20000ull * k - 200;

			if (k % 100 == 50)
				at += 500;
			if (at > t)
				break;
			put(jb, (uint16_t)(100 + k), 160u * k, k == 0, at);
			k++;
		}
		if (get(jb, t, &f) == SL_JB_FRAME) {
			ck_assert_uint_eq(frame_seq(&f), want);
			want++;
			frames++;
		}
	}
	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.concealed, 1);
	ck_assert_uint_eq(st.drift_dropped, 0);
	ck_assert_uint_eq(st.lost + st.late, 0);
	ck_assert_uint_ge(frames, 990);
}
END_TEST

START_TEST(stats_and_reset_on_a_fresh_buffer)
{
	struct sl_jbuf *jb = fresh(&cfg8k);
	struct sl_jbuf_stats st;
	struct sl_jbuf_frame f;

	sl__jbuf_stats(jb, &st);
	ck_assert_uint_eq(st.received + st.played + st.lost, 0);
	ck_assert_uint_eq(st.target_ms, 20);
	ck_assert_uint_eq(st.depth_ms, 0);
	sl__jbuf_reset(jb);
	sl__jbuf_reset(NULL);
	ck_assert_int_eq(get(jb, 5, &f), SL_JB_EMPTY);
	ck_assert_ptr_null(f.payload);
}
END_TEST

/* Whatever a peer sends and whenever the device asks: no crash (ASan,
 * UBSan), every frame within bounds, every packet accounted for. */
START_TEST(hostile_input_keeps_the_invariants)
{
	static const uint32_t rates[] = { 8000, 16000, 48000, 90000 };
	uint64_t g = 0x5eed;

	for (unsigned round = 0; round < 40; round++) {
		struct sl_jbuf_config c = {
			.clock_rate = rates[round % 4],
			.ptime_ms = 10 + (unsigned)(rng_next(&g) % 4) * 10,
			.min_ms = (unsigned)(rng_next(&g) % 3) * 20,
			.max_ms = 60 + (unsigned)(rng_next(&g) % 4) * 60,
			.max_payload = 1 + (size_t)(rng_next(&g) % 200),
		};
		struct sl_jbuf *jb;
		uint64_t t = rng_next(&g) % 1000000000;
		uint64_t toobig = 0, bad = 0;
		uint16_t seq = (uint16_t)rng_next(&g);
		uint32_t ts = (uint32_t)rng_next(&g);
		uint8_t pl[256];
		struct sl_jbuf_stats st;

		c.slots = c.max_ms / c.ptime_ms + 4 +
			  (unsigned)(rng_next(&g) % 8);
		jb = fresh(&c);
		ck_assert_ptr_nonnull(jb);
		for (unsigned op = 0; op < 5000; op++) {
			uint64_t r = rng_next(&g);
			struct sl_jbuf_frame f;
			size_t len = (size_t)(r >> 8) % (c.max_payload + 3);
			int rc, k;

			t += (r >> 20) % 30000;
			if (r % 97 == 0)
				t += (r >> 24) % 5000000;
			switch (r % 8) {
			case 0: /* anything at all */
				seq = (uint16_t)(r >> 32);
				ts = (uint32_t)(r >> 16);
				break;
			case 1: /* small step back or forward */
				seq = (uint16_t)(seq + (r >> 32) % 9 - 4);
				ts += (uint32_t)((r >> 40) % 2000) - 1000;
				break;
			default: /* in order, variable duration */
				seq++;
				ts += (uint32_t)((r >> 32) % 2000);
				break;
			}
			memset(pl, (int)op, sizeof(pl));
			if (r % 3 != 0) {
				rc = sl__jbuf_put(jb, seq, ts, (r >> 50) & 1,
						  (uint8_t)(r >> 52) & 0x7f, pl,
						  len, t);
				bad += rc < SL_JB_STORED || rc > SL_JB_OVERFLOW;
				toobig += rc == SL_JB_TOOBIG;
			}
			if (r % 5 != 0) {
				k = sl__jbuf_get(jb, t, &f);
				bad += k != (int)f.kind;
				if (k == SL_JB_FRAME)
					bad += f.len > c.max_payload ||
					       !f.payload || f.samples == 0;
				else if (k == SL_JB_LOST)
					bad += f.samples == 0 || f.payload ||
					       (f.inserted && f.next) ||
					       f.next_len > c.max_payload;
				else
					bad += k != SL_JB_EMPTY || f.payload;
			}
			if (r % 1009 == 0)
				sl__jbuf_reset(jb);
			sl__jbuf_stats(jb, &st);
			bad += st.target_ms < c.min_ms ||
			       st.target_ms > c.max_ms;
			/* Held and missing packets, each at most 120 ms. */
			bad += st.depth_ms > 2 * c.slots * 120;
			bad += st.played + st.drift_dropped + st.overflow +
			       st.late + st.duplicate + toobig > st.received;
			bad += st.played + st.drift_dropped + st.overflow +
			       st.late + st.duplicate + toobig + c.slots <
			       st.received;
		}
		ck_assert_uint_eq(bad, 0);
		ck_assert_uint_gt(toobig, 0);
		ck_assert_uint_gt(st.played, 100);
	}
}
END_TEST

static Suite *check_media_jbuf_suite(void)
{
	Suite *s = suite_create("media_jbuf");
	TCase *api = tcase_create("api");
	TCase *net = tcase_create("network");

	tcase_add_test(api, invalid_configs_refused);
	tcase_add_test(api, payload_size_limit);
	tcase_add_test(api, empty_until_filled_then_in_order);
	tcase_add_test(api, a_lone_packet_plays_after_the_target_time);
	tcase_add_test(api, gap_reports_lost_with_ts_and_next);
	tcase_add_test(api, dry_buffer_inserts_then_goes_idle);
	tcase_add_test(api, silence_then_marker_restarts_without_concealment);
	tcase_add_test(api, timestamp_and_sequence_jumps_restart);
	tcase_add_test(api, target_rises_at_once_and_decays_slowly);
	tcase_add_test(api, late_packet_deepens_the_buffer);
	tcase_add_test(api, marker_after_short_silence_refills);
	tcase_add_test(api, ssrc_change_reset);
	tcase_add_test(api, overflow_drops_the_oldest);
	tcase_add_test(api, depth_past_max_cut_to_target_at_once);
	tcase_add_test(api, depth_past_max_cut_counts_gaps_lost);
	tcase_add_test(api, insertion_margin_is_kept);
	tcase_add_test(api, stats_and_reset_on_a_fresh_buffer);
	tcase_add_test(api, hostile_input_keeps_the_invariants);
	suite_add_tcase(s, api);

	tcase_set_timeout(net, 120);
	tcase_add_test(net, clean_network_plays_everything_at_min_delay);
	tcase_add_test(net, clean_network_48k_with_a_deeper_floor);
	tcase_add_test(net, jitter_raises_the_target_and_late_stays_rare);
	tcase_add_test(net, exponential_jitter_late_bounded);
	tcase_add_test(net, random_loss_counted_exactly_at_min_depth);
	tcase_add_test(net, burst_loss_reported_with_the_next_packet_for_fec);
	tcase_add_test(net, reordering_within_depth_is_undone);
	tcase_add_test(net, duplicates_counted_and_played_once);
	tcase_add_test(net, drift_fast_sender_drops_frames);
	tcase_add_test(net, drift_slow_sender_inserts_frames);
	tcase_add_test(net, drift_with_jitter_keeps_depth_bounded);
	tcase_add_test(net, sequence_and_timestamp_wrap);
	tcase_add_test(net, variable_packet_durations);
	tcase_add_test(net, drops_prefer_silence);
	tcase_add_test(net, periodic_stalls_settle);
	tcase_add_test(net, never_out_of_order_over_many_seeds);
	suite_add_tcase(s, net);
	return s;
}

SL_CHECK_MAIN(check_media_jbuf_suite)
