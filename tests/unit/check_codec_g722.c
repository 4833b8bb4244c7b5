/*
 * tests/unit/check_codec_g722.c: the G.722 codec (codecs/g722/g722.c),
 * bit for bit against libspandsp, used here only as a test reference.
 *
 * Two references, both at 64 kbit/s, unpacked octets:
 *
 *  - "spandsp": g722_encode()/g722_decode() as any user calls them
 *    (options 0: 16 kHz PCM). Our PCM mapping is the same as its one
 *    (16-bit linear in and out, sub-bands at half that scale), so the
 *    octets and samples must be identical, except where spandsp 0.0.6
 *    leaves the ITU reference: its transmit QMF does not limit the
 *    sub-band signals to 15 bits, and its receive QMF wraps instead of
 *    saturating. The tests accept exactly those two differences: octets
 *    are compared up to the first pair whose sub-band signal needed the
 *    limit, and a decoded sample may be the 16-bit wrap of the value that
 *    we saturate. (A third one, in FILTEZ, needs a predictor driven to
 *    its limits; only the octet-run streams get there, and they are
 *    judged by the ITU reference alone.)
 *
 *  - "ITU": spandsp's ADPCM alone (its itu_test_mode, the mode it runs the
 *    ITU test sequences in), with its FILTEZ put right after every step
 *    (itu_filtez), inside the ITU reference's QMF written here from its
 *    qmf_tx()/qmf_rx() in their own form (interleaved 24-tap delay line,
 *    doubled coefficients, 32-bit saturating shifts). The two bands are
 *    independent, so one spandsp encoder codes the lower band and another
 *    the upper band. This one must match everywhere, overloads included.
 *
 * Our codec always runs in 20 ms packets and the references in one call
 * (or one octet per call), so every comparison also checks state
 * continuity across packets.
 */
#include <check.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp/telephony.h>
#include <spandsp/g722.h>
#include <spandsp/private/g722.h> /* itu_test_mode */

#include "check_main.h"
#include "codecs/codec_int.h"
#include "sipline/error.h"

enum {
	RATE = 16000,
	PACKET = 320,           /* 20 ms of PCM, 160 octets */
	MAX_SAMPLES = 2 * RATE  /* the longest test signal */
};

/* ---- test signals ---- */

static uint32_t rng_state;

static uint32_t rng(void)
{
	/* xorshift32: seeded, so every run sees the same "random" data. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static int16_t clip16(double v)
{
	if (v > 32767.0)
		return 32767;
	if (v < -32768.0)
		return -32768;
	return (int16_t)lrint(v);
}

enum sig_kind {
	SIG_SILENCE, SIG_SINE, SIG_SWEEP, SIG_NOISE, SIG_CLIPPED, SIG_SQUARE,
	SIG_NYQUIST, SIG_EXTREMES, SIG_STEPS, SIG_MIX
};

struct signal {
	const char *name;
	enum sig_kind kind;
	double freq_hz;
	double amp;             /* peak, before any clipping */
	size_t n;               /* samples at 16 kHz */
};

static const struct signal signals[] = {
	{ "silence", SIG_SILENCE, 0, 0, RATE / 2 },
	{ "sine 200 Hz full scale", SIG_SINE, 200, 32767, RATE / 2 },
	{ "sine 1 kHz full scale", SIG_SINE, 1000, 32767, RATE / 2 },
	{ "sine 3.4 kHz full scale", SIG_SINE, 3400, 32767, RATE / 2 },
	{ "sine 4.5 kHz full scale", SIG_SINE, 4500, 32767, RATE / 2 },
	{ "sine 7 kHz full scale", SIG_SINE, 7000, 32767, RATE / 2 },
	{ "sine 440 Hz low", SIG_SINE, 440, 300, RATE / 2 },
	{ "sine 5 kHz low", SIG_SINE, 5000, 12, RATE / 2 },
	{ "sine 1 kHz +-1", SIG_SINE, 1000, 1.4, RATE / 2 },
	{ "sweep 20 Hz - 7.99 kHz", SIG_SWEEP, 7990, 24000, 2 * RATE },
	{ "white noise full scale", SIG_NOISE, 0, 32768, RATE },
	{ "white noise low", SIG_NOISE, 0, 64, RATE },
	{ "clipped sine 250 Hz", SIG_CLIPPED, 250, 8 * 32767.0, RATE / 2 },
	{ "clipped sine 1.7 kHz", SIG_CLIPPED, 1700, 8 * 32767.0, RATE / 2 },
	{ "clipped sine 5.3 kHz", SIG_CLIPPED, 5300, 8 * 32767.0, RATE / 2 },
	{ "square 500 Hz full scale", SIG_SQUARE, 500, 0, RATE / 2 },
	{ "alternating +max/-max", SIG_NYQUIST, 0, 0, RATE / 4 },
	{ "random +max/-max", SIG_EXTREMES, 0, 0, RATE / 2 },
	{ "steps max/min/zero", SIG_STEPS, 0, 0, RATE / 2 },
	{ "two tones and noise", SIG_MIX, 0, 9000, RATE },
};
static const int n_signals = (int)(sizeof(signals) / sizeof(signals[0]));

static void make_signal(const struct signal *s, uint32_t seed, int16_t *x)
{
	const double w = 2.0 * M_PI * s->freq_hz / RATE;
	double phase = 0.0;

	rng_state = seed;
	for (size_t i = 0; i < s->n; i++) {
		double t = (double)i;

		switch (s->kind) {
		case SIG_SILENCE:
			x[i] = 0;
			break;
		case SIG_SINE:
		case SIG_CLIPPED:
			x[i] = clip16(s->amp * sin(w * t));
			break;
		case SIG_SWEEP:
			/* Linear chirp from 20 Hz to freq_hz over n. */
			phase += 2.0 * M_PI * (20.0 + (s->freq_hz - 20.0) * t /
					       (double)s->n) / RATE;
			x[i] = clip16(s->amp * sin(phase));
			break;
		case SIG_NOISE:
			x[i] = clip16(((double)(rng() & 0xffff) - 32768.0) *
				      s->amp / 32768.0);
			break;
		case SIG_SQUARE:
			x[i] = (i * 2 * 500 / RATE) % 2 ? 32767 : -32768;
			break;
		case SIG_NYQUIST:
			x[i] = i % 2 ? 32767 : -32768;
			break;
		case SIG_EXTREMES:
			x[i] = rng() & 1 ? 32767 : -32768;
			break;
		case SIG_STEPS: {
			static const int16_t lv[3] = { 32767, -32768, 0 };

			x[i] = lv[(i / 997) % 3];
			break;
		}
		case SIG_MIX:
			x[i] = clip16(s->amp * (sin(2 * M_PI * 700 * t / RATE) +
						sin(2 * M_PI * 6100 * t / RATE)) +
				      (double)(int)(rng() % 2001) - 1000.0);
			break;
		}
	}
}

/* ---- the ITU reference's QMF, in its own form ---- */

/* coef_qmf of the reference: h0..h23 times 2. */
static const int32_t itu_coef[24] = {
	3 * 2, -11 * 2, -11 * 2, 53 * 2, 12 * 2, -156 * 2,
	32 * 2, 362 * 2, -210 * 2, -805 * 2, 951 * 2, 3876 * 2,
	3876 * 2, 951 * 2, -805 * 2, -210 * 2, 362 * 2, 32 * 2,
	-156 * 2, 12 * 2, 53 * 2, -11 * 2, -11 * 2, 3 * 2
};

static int32_t l_sat(int64_t v)
{
	if (v > INT32_MAX)
		return INT32_MAX;
	if (v < INT32_MIN)
		return INT32_MIN;
	return (int32_t)v;
}

static int16_t itu_limit(int32_t v)
{
	return (int16_t)(v > 16383 ? 16383 : v < -16384 ? -16384 : v);
}

/*
 * qmf_tx for @npairs pairs of @x: the delay line holds the newest input
 * first, the pair's second sample at [0] ("xin0") and its first at [1]
 * ("xin1"). Returns the index of the first pair whose sub-band value
 * needed LIMIT, or -1.
 */
static long itu_qmf_tx(const int16_t *x, size_t npairs, int16_t *xl,
		       int16_t *xh)
{
	int32_t delay[24] = { 0 };
	long first_limited = -1;

	for (size_t k = 0; k < npairs; k++) {
		int32_t acca = 0, accb = 0, lo, hi;

		delay[1] = x[2 * k];
		delay[0] = x[2 * k + 1];
		for (int i = 0; i < 24; i += 2) {
			acca = l_sat((int64_t)acca + itu_coef[i] * delay[i]);
			accb = l_sat((int64_t)accb +
				     itu_coef[i + 1] * delay[i + 1]);
		}
		memmove(delay + 2, delay, 22 * sizeof(delay[0]));
		lo = l_sat(2 * (int64_t)l_sat((int64_t)acca + accb)) >> 16;
		hi = l_sat(2 * (int64_t)l_sat((int64_t)acca - accb)) >> 16;
		if (first_limited < 0 &&
		    (lo != itu_limit(lo) || hi != itu_limit(hi)))
			first_limited = (long)k;
		xl[k] = itu_limit(lo);
		xh[k] = itu_limit(hi);
	}
	return first_limited;
}

/*
 * qmf_rx for @nsteps sub-band pairs: out = extract_h(L_shl(acc, 4)); also
 * gives the unsaturated acc >> 11 in @raw, to know spandsp 0.0.6's wrap.
 */
static void itu_qmf_rx(const int16_t *rl, const int16_t *rh, size_t nsteps,
		       int16_t *out, int32_t *raw)
{
	int32_t delay[24] = { 0 };

	for (size_t k = 0; k < nsteps; k++) {
		int32_t acca = 0, accb = 0;

		delay[1] = rl[k] + rh[k];
		delay[0] = rl[k] - rh[k];
		for (int i = 0; i < 24; i += 2) {
			acca += delay[i] * itu_coef[i];
			accb += delay[i + 1] * itu_coef[i + 1];
		}
		memmove(delay + 2, delay, 22 * sizeof(delay[0]));
		out[2 * k] = (int16_t)(l_sat((int64_t)acca * 16) >> 16);
		out[2 * k + 1] = (int16_t)(l_sat((int64_t)accb * 16) >> 16);
		raw[2 * k] = acca >> 12;        /* = (acca / 2) >> 11 */
		raw[2 * k + 1] = accb >> 12;
	}
}

/* ---- the references ---- */

static g722_encode_state_t *spandsp_enc(int itu_mode)
{
	g722_encode_state_t *e = g722_encode_init(NULL, 64000, 0);

	ck_assert_ptr_nonnull(e);
	e->itu_test_mode = itu_mode;
	return e;
}

static g722_decode_state_t *spandsp_dec(int itu_mode)
{
	g722_decode_state_t *d = g722_decode_init(NULL, 64000, 0);

	ck_assert_ptr_nonnull(d);
	d->itu_test_mode = itu_mode;
	return d;
}

/* spandsp as shipped, one call. */
static void ref_spandsp_encode(const int16_t *x, size_t n, uint8_t *out)
{
	g722_encode_state_t *e = spandsp_enc(0);

	ck_assert_int_eq(g722_encode(e, out, x, (int)n), (int)(n / 2));
	g722_encode_free(e);
}

static void ref_spandsp_decode(const uint8_t *in, size_t len, int16_t *pcm)
{
	g722_decode_state_t *d = spandsp_dec(0);

	ck_assert_int_eq(g722_decode(d, pcm, in, (int)len), (int)(2 * len));
	g722_decode_free(d);
}

/* ITU basic operators add() and mult(), 16-bit saturating. */
static int bo_sat(int32_t v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int)v;
}

static int bo_mult(int a, int b)
{
	return bo_sat(((int32_t)a * b) >> 15);
}

/*
 * spandsp 0.0.6 sums FILTEZ's six products in 32 bits and saturates once;
 * the reference's filtez() saturates after every tap (szl = add(szl, wd),
 * oldest tap first), which differs once the partial sums overflow (long
 * runs of large codes get there). Called after each octet spandsp codes,
 * this redoes SZ and then PREDIC (S = SP + SZ; FILTEP from the new A1, A2,
 * R(n) and R(n-1)) the reference's way, so the next step starts from the
 * reference's state. After spandsp's Block 4, d[1..6] hold D(n)..D(n-5)
 * and b[0..5] the matching new coefficients.
 */
static void itu_filtez(g722_band_t *b, int16_t r_prev)
{
	int sz = 0, sp;

	for (int i = 5; i >= 0; i--)
		sz = bo_sat(sz + bo_mult(bo_sat(2 * b->d[i + 1]), b->b[i]));
	sp = bo_sat(bo_mult(b->a[0], bo_sat(2 * b->r)) +
		    bo_mult(b->a[1], bo_sat(2 * r_prev)));
	b->sz = (int16_t)sz;
	b->s = (int16_t)bo_sat(sp + sz);
}

/*
 * The ITU reference encoder: our QMF above around spandsp's ADPCM, one
 * sample per call so FILTEZ can be put right in between. In its test mode
 * spandsp codes amp >> 1 in both bands, hence the doubling (exact: the
 * limited sub-band values fit 15 bits); the bands are independent, so
 * encoder lo's band 0 gives IL and encoder hi's band 1 gives IH. Returns
 * itu_qmf_tx's first limited pair.
 */
static long ref_itu_encode(const int16_t *x, size_t n, uint8_t *out)
{
	static int16_t xl[MAX_SAMPLES / 2], xh[MAX_SAMPLES / 2];
	g722_encode_state_t *lo = spandsp_enc(1), *hi = spandsp_enc(1);
	size_t np = n / 2;
	long limited = itu_qmf_tx(x, np, xl, xh);

	for (size_t k = 0; k < np; k++) {
		int16_t in_l = (int16_t)(xl[k] * 2), in_h = (int16_t)(xh[k] * 2);
		int16_t r_lo = lo->band[0].r, r_hi = hi->band[1].r;
		uint8_t cl, ch;

		ck_assert_int_eq(g722_encode(lo, &cl, &in_l, 1), 1);
		ck_assert_int_eq(g722_encode(hi, &ch, &in_h, 1), 1);
		itu_filtez(&lo->band[0], r_lo);
		itu_filtez(&hi->band[1], r_hi);
		out[k] = (uint8_t)((ch & 0xc0) | (cl & 0x3f));
	}
	g722_encode_free(lo);
	g722_encode_free(hi);
	return limited;
}

static void ref_itu_decode(const uint8_t *in, size_t len, int16_t *pcm,
			   int32_t *raw)
{
	static int16_t rl[MAX_SAMPLES], rh[MAX_SAMPLES];
	g722_decode_state_t *d = spandsp_dec(1);

	ck_assert_uint_le(len, MAX_SAMPLES);
	for (size_t k = 0; k < len; k++) {
		int16_t r_lo = d->band[0].r, r_hi = d->band[1].r, sub[2];

		/* Test mode gives RL << 1, RH << 1 for each octet. */
		ck_assert_int_eq(g722_decode(d, sub, in + k, 1), 2);
		itu_filtez(&d->band[0], r_lo);
		itu_filtez(&d->band[1], r_hi);
		rl[k] = (int16_t)(sub[0] / 2);
		rh[k] = (int16_t)(sub[1] / 2);
	}
	itu_qmf_rx(rl, rh, len, pcm, raw);
	g722_decode_free(d);
}

/* ---- our codec ---- */

static const struct sl_codec *codec = &sl__codec_g722;

static void *new_state(void)
{
	void *st = calloc(1, codec->state_size);

	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(codec->init(st, NULL), 0);
	return st;
}

/* Encodes @n samples in @chunk-sample packets (the last may be short). */
static void our_encode(void *st, const int16_t *x, size_t n, size_t chunk,
		       uint8_t *out)
{
	for (size_t i = 0; i < n; i += chunk) {
		size_t m = n - i < chunk ? n - i : chunk;

		ck_assert_int_eq(codec->encode(st, x + i, m, out + i / 2,
					       m / 2), (int)(m / 2));
	}
}

static void our_decode(void *st, const uint8_t *in, size_t len,
		       size_t chunk, int16_t *pcm)
{
	for (size_t i = 0; i < len; i += chunk) {
		size_t m = len - i < chunk ? len - i : chunk;

		ck_assert_int_eq(codec->decode(st, in + i, m, pcm + 2 * i,
					       2 * m), (int)(2 * m));
	}
}

/*
 * Checks a decoded stream: ours equals the ITU reference everywhere, and,
 * if @shipped, spandsp equals it or, where the reference saturated, holds
 * its 16-bit wrap (spandsp 0.0.6). Returns how many samples saturated.
 */
static size_t check_decoded(const char *what, const uint8_t *in, size_t len,
			    const int16_t *ours, int shipped)
{
	static int16_t itu[2 * MAX_SAMPLES], sp[2 * MAX_SAMPLES];
	static int32_t raw[2 * MAX_SAMPLES];
	size_t saturated = 0;

	ref_itu_decode(in, len, itu, raw);
	ref_spandsp_decode(in, len, sp);
	for (size_t i = 0; i < 2 * len; i++) {
		int16_t wrapped = (int16_t)(uint16_t)(uint32_t)raw[i];

		ck_assert_msg(ours[i] == itu[i],
			      "%s: sample %zu: ours %d, ITU reference %d",
			      what, i, ours[i], itu[i]);
		if (!shipped)
			continue;
		if (raw[i] == itu[i]) {
			ck_assert_msg(sp[i] == itu[i],
				      "%s: sample %zu: spandsp %d, ours %d",
				      what, i, sp[i], ours[i]);
			continue;
		}
		saturated++;
		ck_assert_msg(sp[i] == itu[i] || sp[i] == wrapped,
			      "%s: sample %zu: spandsp %d, neither %d nor "
			      "the wrap %d of %d", what, i, sp[i], itu[i],
			      wrapped, raw[i]);
	}
	return saturated;
}

/* ---- tests ---- */

START_TEST(codec_object_describes_g722)
{
	ck_assert_str_eq(codec->name, "G722");
	ck_assert_uint_eq(codec->clock_rate, 8000); /* RFC 3551 §4.5.2 */
	ck_assert_uint_eq(codec->sample_rate, 16000);
	ck_assert_uint_eq(codec->channels, 1);
	ck_assert_int_eq(codec->static_pt, 9);
	ck_assert_uint_eq(codec->min_ptime_ms, 10);
	ck_assert_uint_eq(codec->max_ptime_ms, 60);
	ck_assert_uint_gt(codec->state_size, 0);
	ck_assert_uint_le(codec->state_size, 512);
	ck_assert_ptr_nonnull(codec->init);
	ck_assert_ptr_nonnull(codec->encode);
	ck_assert_ptr_nonnull(codec->decode);
	ck_assert_ptr_null(codec->plc);
	ck_assert_ptr_null(codec->decode_fec);
	ck_assert_ptr_null(codec->set_bitrate);
}
END_TEST

/* (1) encoder, and (2) the decoder on the encoder's own output. */
START_TEST(signal_matches_references)
{
	static int16_t x[MAX_SAMPLES], ours_pcm[MAX_SAMPLES];
	static uint8_t ours[MAX_SAMPLES / 2], itu[MAX_SAMPLES / 2],
		       sp[MAX_SAMPLES / 2];
	const struct signal *s = &signals[_i];
	size_t np = s->n / 2, cmp;
	long limited;
	void *st = new_state();

	ck_assert_uint_le(s->n, MAX_SAMPLES);
	make_signal(s, 0x2545f491u + (uint32_t)_i, x);
	our_encode(st, x, s->n, PACKET, ours);
	limited = ref_itu_encode(x, s->n, itu);
	ref_spandsp_encode(x, s->n, sp);

	for (size_t k = 0; k < np; k++)
		ck_assert_msg(ours[k] == itu[k],
			      "%s: octet %zu: ours %02x, ITU reference %02x",
			      s->name, k, ours[k], itu[k]);
	/* spandsp codes the unlimited sub-band value: equal up to the
	 * first pair that needed LIMIT, which only overloads reach. */
	cmp = limited < 0 ? np : (size_t)limited;
	for (size_t k = 0; k < cmp; k++)
		ck_assert_msg(ours[k] == sp[k],
			      "%s: octet %zu: ours %02x, spandsp %02x",
			      s->name, k, ours[k], sp[k]);
	if (s->kind == SIG_CLIPPED || s->kind == SIG_SQUARE)
		ck_assert_msg(limited >= 0, "%s: expected an overload",
			      s->name);

	our_decode(st, ours, np, PACKET / 2, ours_pcm);
	check_decoded(s->name, ours, np, ours_pcm, 1);
	free(st);
}
END_TEST

/* Every signal that never needs LIMIT gives the same octets from the
 * shipped spandsp and from us, start to end. */
START_TEST(unlimited_signals_match_spandsp_exactly)
{
	static int16_t x[MAX_SAMPLES], xl[MAX_SAMPLES / 2], xh[MAX_SAMPLES / 2];
	static uint8_t ours[MAX_SAMPLES / 2], sp[MAX_SAMPLES / 2];
	size_t total = 0;

	for (int i = 0; i < n_signals; i++) {
		const struct signal *s = &signals[i];
		void *st;

		make_signal(s, 0x2545f491u + (uint32_t)i, x);
		if (itu_qmf_tx(x, s->n / 2, xl, xh) >= 0)
			continue;
		st = new_state();
		our_encode(st, x, s->n, PACKET, ours);
		ref_spandsp_encode(x, s->n, sp);
		ck_assert_msg(memcmp(ours, sp, s->n / 2) == 0, "%s", s->name);
		total += s->n;
		free(st);
	}
	/* Full-scale sines, noise and the sweep are among them. */
	ck_assert_uint_ge(total, 8 * RATE);
}
END_TEST

/* The signal table is at least ten seconds of audio. */
START_TEST(signals_last_ten_seconds)
{
	size_t total = 0;

	for (int i = 0; i < n_signals; i++)
		total += signals[i].n;
	ck_assert_uint_ge(total, 10 * RATE);
}
END_TEST

/* (2) the decoder on seeded random octets. */
START_TEST(random_octets_match_references)
{
	static uint8_t in[RATE];
	static int16_t ours[2 * RATE];
	void *st = new_state();

	rng_state = 0x9e3779b9u + (uint32_t)_i;
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(rng() >> 24);
	our_decode(st, in, sizeof(in), PACKET / 2, ours);
	/* Random codes overdrive the receive QMF now and then, so the
	 * saturation is exercised too. */
	ck_assert_uint_gt(check_decoded("random octets", in, sizeof(in), ours,
					1), 0);
	free(st);
}
END_TEST

/* Every octet is valid: each value repeated, then all values in a row,
 * through the same decoder (the state runs to its limits). */
START_TEST(every_octet_value_decodes)
{
	static uint8_t in[256 * 64 + 256 * 4];
	static int16_t ours[2 * sizeof(in)];
	size_t n = 0;
	void *st = new_state();

	for (int v = 0; v < 256; v++)
		for (int r = 0; r < 64; r++)
			in[n++] = (uint8_t)v;
	for (int r = 0; r < 4; r++)
		for (int v = 0; v < 256; v++)
			in[n++] = (uint8_t)(r % 2 ? 255 - v : v);
	our_decode(st, in, n, 160, ours);
	check_decoded("every octet", in, n, ours, 1);
	free(st);
}
END_TEST

/*
 * Long runs of one octet, with strays, drive the predictor to its limits:
 * the zero-predictor sum overflows 16 bits and the reference's per-tap
 * saturation decides the output. The shipped spandsp leaves the reference
 * there (see itu_filtez), so only the ITU reference judges these.
 */
START_TEST(octet_runs_match_itu_reference)
{
	static uint8_t in[20000];
	static int16_t ours[2 * sizeof(in)];
	size_t n = 0;
	void *st = new_state();

	rng_state = 0x5bd1e995u + (uint32_t)_i;
	while (n < sizeof(in)) {
		uint8_t v = (uint8_t)rng();
		size_t run = rng() % 4 == 0 ? 1 : 1 + rng() % 200;

		while (run-- > 0 && n < sizeof(in))
			in[n++] = rng() % 8 == 0 ? (uint8_t)rng() : v;
	}
	our_decode(st, in, n, PACKET / 2, ours);
	check_decoded("octet runs", in, n, ours, 0);
	free(st);
}
END_TEST

/* (3) packet boundaries: any even split gives the one-call result, for
 * both directions. */
START_TEST(packet_splits_do_not_matter)
{
	static const size_t chunks[] = { 2, 4, 22, 24, 26, 160, 318, 320,
					 322, 480, 960, 1000 };
	static int16_t x[RATE], pcm_one[RATE], pcm[RATE];
	static uint8_t one[RATE / 2], split[RATE / 2];
	void *st;

	make_signal(&signals[19], 77, x); /* two tones and noise */
	st = new_state();
	our_encode(st, x, RATE, RATE, one);
	our_decode(st, one, RATE / 2, RATE / 2, pcm_one);
	free(st);
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		st = new_state();
		our_encode(st, x, RATE, chunks[c], split);
		ck_assert_msg(memcmp(one, split, sizeof(one)) == 0,
			      "encode in %zu-sample packets", chunks[c]);
		our_decode(st, one, RATE / 2, chunks[c] / 2, pcm);
		ck_assert_msg(memcmp(pcm_one, pcm, sizeof(pcm)) == 0,
			      "decode in %zu-octet packets", chunks[c] / 2);
		free(st);
	}
}
END_TEST

/* One state block holds both directions; they must not touch each other
 * and init must restart both. */
START_TEST(directions_are_independent_and_init_resets)
{
	static int16_t x[RATE], pcm_a[RATE], pcm_b[RATE];
	static uint8_t a[RATE / 2], b[RATE / 2], junk[RATE / 2];
	void *enc = new_state(), *dec = new_state(), *both = new_state();

	make_signal(&signals[2], 1, x);
	our_encode(enc, x, RATE, PACKET, a);
	our_decode(dec, a, RATE / 2, PACKET / 2, pcm_a);
	for (size_t i = 0; i < RATE; i += PACKET) {
		ck_assert_int_eq(codec->encode(both, x + i, PACKET, b + i / 2,
					       PACKET / 2), PACKET / 2);
		ck_assert_int_eq(codec->decode(both, a + i / 2, PACKET / 2,
					       pcm_b + i, PACKET), PACKET);
	}
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_mem_eq(pcm_a, pcm_b, sizeof(pcm_a));

	/* A used state, re-initialised, behaves like a fresh one. */
	our_encode(both, x, RATE, PACKET, junk);
	ck_assert_int_eq(codec->init(both, NULL), 0);
	our_encode(both, x, RATE, PACKET, b);
	our_decode(both, a, RATE / 2, PACKET / 2, pcm_b);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_mem_eq(pcm_a, pcm_b, sizeof(pcm_a));
	free(enc);
	free(dec);
	free(both);
}
END_TEST

/* The PCM mapping: a mid-level tone comes back at the same level, in the
 * lower band and in the upper band. */
static double energy(const int16_t *x, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	return e;
}

START_TEST(level_is_kept)
{
	static const double freqs[] = { 1000, 6000 };
	static int16_t x[RATE], y[RATE];
	static uint8_t bits[RATE / 2];

	for (size_t f = 0; f < 2; f++) {
		void *st = new_state();
		double ratio;

		for (size_t i = 0; i < RATE; i++)
			x[i] = clip16(16000 * sin(2 * M_PI * freqs[f] *
						  (double)i / RATE));
		our_encode(st, x, RATE, PACKET, bits);
		our_decode(st, bits, RATE / 2, PACKET / 2, y);
		/* Skip the first 100 ms: adaptation and QMF delay. */
		ratio = energy(y + RATE / 10, RATE - RATE / 5) /
			energy(x + RATE / 10, RATE - RATE / 5);
		ck_assert_msg(ratio > 0.7 && ratio < 1.4,
			      "%.0f Hz: energy ratio %f", freqs[f], ratio);
		free(st);
	}
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
	int16_t pcm[4] = { 0 };
	uint8_t out[2] = { 0 };
	void *st = new_state();

	ck_assert_int_eq(codec->init(NULL, NULL), SL_EINVAL);

	ck_assert_int_eq(codec->encode(NULL, pcm, 4, out, 2), SL_EINVAL);
	ck_assert_int_eq(codec->encode(st, NULL, 4, out, 2), SL_EINVAL);
	ck_assert_int_eq(codec->encode(st, pcm, 4, NULL, 2), SL_EINVAL);
	ck_assert_int_eq(codec->encode(st, pcm, 3, out, 2), SL_EINVAL);
	/* More octets than an int return can count (64-bit size_t only;
	 * on 32 bits every even n fits). */
	if (SIZE_MAX / 2 > INT_MAX)
		ck_assert_int_eq(codec->encode(st, pcm, SIZE_MAX - 1, out,
					       SIZE_MAX), SL_EINVAL);
	ck_assert_int_eq(codec->encode(st, pcm, 4, out, 1), SL_ENOSPC);
	ck_assert_int_eq(codec->encode(st, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(codec->encode(st, pcm, 4, out, 2), 2);

	ck_assert_int_eq(codec->decode(NULL, out, 2, pcm, 4), SL_EINVAL);
	ck_assert_int_eq(codec->decode(st, NULL, 2, pcm, 4), SL_EINVAL);
	ck_assert_int_eq(codec->decode(st, out, 2, NULL, 4), SL_EINVAL);
	ck_assert_int_eq(codec->decode(st, out, (size_t)INT_MAX / 2 + 1, pcm,
				       SIZE_MAX), SL_EINVAL);
	ck_assert_int_eq(codec->decode(st, out, 2, pcm, 3), SL_ENOSPC);
	ck_assert_int_eq(codec->decode(st, NULL, 0, NULL, 0), 0);
	ck_assert_int_eq(codec->decode(st, out, 2, pcm, 4), 4);
	free(st);
}
END_TEST

/* A refused call leaves the state as it was. */
START_TEST(refused_calls_do_not_advance_state)
{
	static int16_t x[RATE];
	static uint8_t a[RATE / 2], b[RATE / 2];
	void *fresh = new_state(), *st = new_state();

	make_signal(&signals[10], 5, x);
	our_encode(fresh, x, RATE, PACKET, a);
	ck_assert_int_eq(codec->encode(st, x, PACKET, b, PACKET / 2 - 1),
			 SL_ENOSPC);
	ck_assert_int_eq(codec->encode(st, x, PACKET + 1, b, PACKET),
			 SL_EINVAL);
	our_encode(st, x, RATE, PACKET, b);
	ck_assert_mem_eq(a, b, sizeof(a));
	free(fresh);
	free(st);
}
END_TEST

static Suite *check_codec_g722_suite(void)
{
	Suite *s = suite_create("codec_g722");
	TCase *tc = tcase_create("spandsp");
	TCase *api = tcase_create("api");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, codec_object_describes_g722);
	tcase_add_test(tc, signals_last_ten_seconds);
	tcase_add_loop_test(tc, signal_matches_references, 0, n_signals);
	tcase_add_test(tc, unlimited_signals_match_spandsp_exactly);
	tcase_add_loop_test(tc, random_octets_match_references, 0, 8);
	tcase_add_test(tc, every_octet_value_decodes);
	tcase_add_loop_test(tc, octet_runs_match_itu_reference, 0, 6);
	suite_add_tcase(s, tc);

	tcase_set_timeout(api, 30);
	tcase_add_test(api, packet_splits_do_not_matter);
	tcase_add_test(api, directions_are_independent_and_init_resets);
	tcase_add_test(api, level_is_kept);
	tcase_add_test(api, bad_arguments_are_refused);
	tcase_add_test(api, refused_calls_do_not_advance_state);
	suite_add_tcase(s, api);
	return s;
}

SL_CHECK_MAIN(check_codec_g722_suite)
