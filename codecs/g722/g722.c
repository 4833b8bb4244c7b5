/*
 * codecs/g722/g722.c: ITU-T G.722 (7 kHz audio coding within 64 kbit/s),
 * 64 kbit/s mode (decoder mode 1) only, as the RTP "G722" payload (RFC 3551
 * §4.5.2: static type 9, RTP clock 8000 although the audio runs at 16000).
 *
 * Owns: nothing outside the caller's state block (struct g722_state).
 * Thread: the media thread that owns the call; no shared state.
 * Called by: the media engine through sl__codec_g722 (sipline/codec.h).
 *
 * The algorithm is the fixed-point one of the ITU-T reference code (the
 * G.722 blocks as the G.191 STL programs them, function names in
 * brackets below): a 24-tap QMF splits the
 * 16 kHz input into two 8 kHz sub-bands; the lower band is coded with a
 * 6-bit ADPCM quantiser (Blocks 1L-4L), the upper band with a 2-bit one
 * (Blocks 1H-4H); both share the adaptive pole/zero predictor of Block 4.
 * Every saturation and truncation of the reference that can change a
 * value is kept (those that provably cannot are listed at Block 4), so
 * the output is bit-exact with it. Integer only, no allocation, no
 * recursion; the state is a few hundred bytes inside the caller's block.
 *
 * PCM mapping. Our PCM is plain signed 16-bit linear at 16 kHz, exactly
 * the 16-bit words the ITU reference reads and writes (the standard's
 * 14-bit uniform samples, left-justified: the two low bits are simply
 * more resolution). The transmit QMF has a DC gain of 1/2 in that scale,
 * so the sub-band signals it hands to the ADPCM coders are 15-bit
 * (xL, xH = sum >> 14, limited to -16384..16383); the receive QMF has a
 * gain of 2 back (sum >> 11, saturated to 16 bits). Sample order, as in
 * the reference's drivers: of each input pair, the older pcm[2k] is its
 * xin1 and the newer pcm[2k+1] its xin0; the decoder writes its xout1,
 * then xout2.
 *
 * Octet format: bits 7-6 the upper-band index IH, bits 5-0 the lower-band
 * index IL (the reference's (IH << 6) + IL), one octet per pair of 16 kHz
 * samples; RFC 3551 sends them in order, no packing.
 *
 * Right shifts of negative values are arithmetic (as on every compiler
 * sipline supports); left shifts of possibly negative values are written
 * as multiplications, which C defines.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../codec_int.h"
#include "sipline/error.h"

/* ---- the standard's tables ---- */

/*
 * Transmit / receive QMF coefficients (the reference's coef_qmf, halved
 * and split into its even and odd taps), in the order they multiply the
 * newest sample first: HE goes with the second (newer) sample of each
 * input pair, HO with the first. The sum of HE plus HO is 8192.
 */
static const int16_t qmf_he[12] = {
	3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11
};
static const int16_t qmf_ho[12] = {
	-11, 53, -156, 362, -805, 3876, 951, -210, 32, 12, -11, 3
};

/*
 * QUANTL decision levels (the reference's q6; its times 8 is folded into
 * the >> 12 below): the magnitude interval is the first m (1..29) whose
 * level times DETL exceeds |EL|, else 30. Padded with zeros to 32 entries
 * for quantl(), which counts levels and so counts q6[0], q6[30] and q6[31]
 * always.
 */
static const int32_t q6[32] = {
	0, 35, 72, 110, 150, 190, 233, 276, 323, 370,
	422, 473, 530, 587, 650, 714, 786, 858, 940, 1023,
	1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919,
	0, 0
};

/* IL for interval m (1..30): [0] positive, [1] negative EL (misil). */
static const uint8_t il_of[2][31] = {
	{ 0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
	  46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32 },
	{ 0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
	  18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4 }
};

/*
 * Inverse quantiser outputs, already signed and scaled by 8 (the
 * reference's shl(oq, 3)), indexed by the code itself. qm6: the 6-bit
 * decoder of mode 1 (invqbl: oq6, ril6, risi6); qm4: the 4-bit one the
 * predictor always uses (invqal: oq4, ril4, risil, by IL >> 2); qm2: the
 * upper band (invqah: oq2, ih2, sih).
 */
static const int16_t qm6[64] = {
	-136, -136, -136, -136, -24808, -21904, -19008, -16704,
	-14984, -13512, -12280, -11192, -10232, -9360, -8576, -7856,
	-7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576,
	-3168, -2776, -2400, -2032, -1688, -1360, -1040, -728,
	24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192,
	10232, 9360, 8576, 7856, 7192, 6576, 6000, 5456,
	4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032,
	1688, 1360, 1040, 728, 432, 136, -432, -136
};
static const int16_t qm4[16] = {
	0, -20456, -12896, -8968, -6288, -4240, -2584, -1200,
	20456, 12896, 8968, 6288, 4240, 2584, 1200, 0
};
static const int16_t qm2[4] = { -7408, -1616, 7408, 1616 };

/* LOGSCL scale factor multipliers W(IL4) by IL >> 2 (logscl: wl, ril4). */
static const int16_t wl4[16] = {
	-60, 3042, 1198, 538, 334, 172, 58, -30,
	3042, 1198, 538, 334, 172, 58, -30, -60
};
/* LOGSCH multipliers W(IH) (logsch: wh, ih2). */
static const int16_t wh2[4] = { 798, -214, 798, -214 };

/*
 * The top octave of the reference's ILA antilog table plus one, i.e.
 * 2^(11 + i/32) rounded. Every other entry of ILA, plus one, is one of
 * these shifted right (the last, 4095 + 1, one shifted left), so
 * SCALEL/SCALEH read DET = (ILA(x) + 1) << 2 as ilb[x & 31] shifted by the
 * octave x >> 5. Checked against the full table for every NB while
 * writing this file.
 */
static const int16_t ilb[32] = {
	2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383,
	2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
	2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371,
	3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008
};

/* ---- state ---- */

/*
 * One ADPCM band, encoder or decoder (the two are kept in step by
 * construction: both run Blocks 2-4 on the same indices). Names follow the
 * standard: S, SZ predictor outputs; NB log scale factor; DET scale
 * factor; A1, A2 pole and B1..B6 zero coefficients; D(n-k), P(n-k),
 * R(n-k) the delayed quantised difference, partial and full
 * reconstructed signals.
 */
struct g722_band {
	int16_t s;
	int16_t sz;
	int16_t nb;
	int16_t det;
	int16_t a1, a2;
	int16_t b[7];           /* b[1..6] */
	int16_t d[7];           /* d[1..6] = D(n-1)..D(n-6) */
	int16_t p1, p2;
	int16_t r1, r2;
};

enum {
	QMF_HIST = 11,          /* past steps each QMF branch still needs */
	CHUNK = 160             /* steps per pass (20 ms; bounds the stack);
				 * a multiple of 8 for the QMF blocks */
};
_Static_assert(CHUNK % 8 == 0, "qmf_split() pads to blocks of 8 steps");

/* The transmit QMF history is kept split into the two polyphase branches:
 * the first and the second sample of each of the last 11 input pairs. */
struct g722_enc {
	int16_t first[QMF_HIST];  /* oldest first */
	int16_t second[QMF_HIST];
	struct g722_band lo, hi;
};

struct g722_dec {
	int16_t dif[QMF_HIST];  /* RL - RH of the last 11 steps */
	int16_t sum[QMF_HIST];  /* RL + RH of the last 11 steps */
	struct g722_band lo, hi;
};

struct g722_state {
	struct g722_enc enc;
	struct g722_dec dec;
};

/* ---- fixed-point helpers (ITU basic operators) ---- */

static inline int sat16(int32_t x)
{
	if (x > 32767)
		return 32767;
	if (x < -32768)
		return -32768;
	return (int)x;
}

/* The reference's mult(), (a * b) >> 15, for operands that are never both
 * -32768 (its only overflow): every caller multiplies by DET > 0. */
static inline int mul15(int a, int b)
{
	return (a * b) >> 15;
}

/* LIMIT (Block 6L/6H): the 15-bit range of the sub-band signals. */
static inline int limit15(int x)
{
	if (x > 16383)
		return 16383;
	if (x < -16384)
		return -16384;
	return x;
}

/* ---- Blocks 2 to 4, shared by both bands, encoder and decoder ---- */

static void band_reset(struct g722_band *b, int det)
{
	memset(b, 0, sizeof(*b));
	b->det = (int16_t)det;
}

/*
 * SCALEL / SCALEH: DET from the log scale factor NB. @octave is 8 for
 * the lower band (ILA index NB >> 6 plus 64) and 10 for the upper band
 * (index NB >> 6); NB never exceeds 18432 / 22528, so the shift is at
 * most one place left and DET at most 16384 (ILA's top entry 4095, plus
 * one, times 4).
 */
static inline int scale(int nb, int octave)
{
	int wd1 = (nb >> 6) & 31;
	int sh = octave - (nb >> 11);
	int wd3 = sh < 0 ? ilb[wd1] << -sh : ilb[wd1] >> sh;

	return wd3 << 2;
}

/* LOGSCL + SCALEL (Block 3L), from IL >> 2. */
static inline void adapt_scale_lo(struct g722_band *b, int ril)
{
	int nb = ((b->nb * 127) >> 7) + wl4[ril]; /* mult(NB, 32512) */

	if (nb < 0)
		nb = 0;
	else if (nb > 18432)
		nb = 18432;
	b->nb = (int16_t)nb;
	b->det = (int16_t)scale(nb, 8);
}

/* LOGSCH + SCALEH (Block 3H). */
static inline void adapt_scale_hi(struct g722_band *b, int ih)
{
	int nb = ((b->nb * 127) >> 7) + wh2[ih];

	if (nb < 0)
		nb = 0;
	else if (nb > 22528)
		nb = 22528;
	b->nb = (int16_t)nb;
	b->det = (int16_t)scale(nb, 10);
}

/*
 * The ranges that let Block 4 skip most of the reference's saturations
 * (each proven from the clamps the reference does apply):
 *   DET <= 16384, |qm4| <= 20456, |qm2| <= 7408, so |D| <= 10228 and 2 D
 *     fits 16 bits; no product here meets -32768 * -32768;
 *   B * 32640 >> 15 lies in -32640..32639 and UPZERO adds at most 128
 *     either way, so B never leaves 16 bits;
 *   |A2| <= 12288 and |A1| <= 15360 + 12288 = 27648 (UPPOL1's clamp), so
 *     UPPOL2's sum stays within 256 + 128 + 12192 and UPPOL1's within
 *     192 + 27540.
 * What remains saturating: PARREC, RECONS, 4 A1 in UPPOL2, its negation,
 * 2 R and the sum in FILTEP, PREDIC, and FILTEZ's running sum.
 */

/* FILTEZ the reference's way: oldest tap first, saturating after every
 * addition. Only needed when a partial sum leaves 16 bits. */
static int filtez_saturating(const struct g722_band *b)
{
	int sz = 0;

	for (int i = 6; i > 0; i--)
		sz = sat16(sz + ((b->d[i] * 2 * b->b[i]) >> 15));
	return sz;
}

/*
 * Block 4: PARREC, RECONS, UPZERO, UPPOL2, UPPOL1, FILTEZ, FILTEP,
 * PREDIC, in the reference's order, with the quantised difference @dq of
 * this step. Leaves the next prediction in b->s.
 */
static void predict(struct g722_band *b, int dq)
{
	int p0 = sat16(dq + b->sz);
	int r0 = sat16(b->s + dq);
	int wd1, wd2, wd3, apl1, apl2, diff1, diff2, sz, sp;
	uint32_t over = 0;

	/* UPPOL2 (uses the old A1), then UPPOL1 (uses the new A2). The
	 * sign tests are data-dependent coin flips, so they are done with
	 * masks (-1 where the signs differ) rather than branches. */
	diff1 = (p0 ^ b->p1) >> 31;
	diff2 = (p0 ^ b->p2) >> 31;
	wd1 = sat16(b->a1 * 4);
	wd2 = sat16((wd1 ^ ~diff1) - ~diff1); /* equal signs: -WD1 */
	wd2 >>= 7;
	wd3 = 128 + diff2 * 256;
	apl2 = wd2 + wd3 + ((b->a2 * 32512) >> 15);
	if (apl2 > 12288)
		apl2 = 12288;
	else if (apl2 < -12288)
		apl2 = -12288;

	apl1 = 192 + diff1 * 384 + ((b->a1 * 32640) >> 15);
	wd3 = 15360 - apl2;
	if (apl1 > wd3)
		apl1 = wd3;
	else if (apl1 < -wd3)
		apl1 = -wd3;

	b->p2 = b->p1;
	b->p1 = (int16_t)p0;
	b->a1 = (int16_t)apl1;
	b->a2 = (int16_t)apl2;

	/* UPZERO (sign-sign LMS, leak 32640/32768; a zero DQ only leaks),
	 * the delay line shift, and FILTEZ on the new values, oldest tap
	 * first, written out tap by tap. @over collects every partial sum
	 * offset into 0..65535: any bit above means one left 16 bits and
	 * the reference would have saturated there. */
	wd1 = dq == 0 ? 0 : 128;
	sz = 0;
#define G722_TAP(i, d_new)						\
	do {								\
		int bi = (((b->d[i] ^ dq) >> 31) | 1) * wd1 +		\
			 ((b->b[i] * 32640) >> 15);			\
		b->b[i] = (int16_t)bi;					\
		sz += ((d_new) * 2 * bi) >> 15;				\
		over |= (uint32_t)(sz + 32768);				\
	} while (0)
	G722_TAP(6, b->d[5]);
	G722_TAP(5, b->d[4]);
	G722_TAP(4, b->d[3]);
	G722_TAP(3, b->d[2]);
	G722_TAP(2, b->d[1]);
	G722_TAP(1, dq);
#undef G722_TAP
	b->d[6] = b->d[5];
	b->d[5] = b->d[4];
	b->d[4] = b->d[3];
	b->d[3] = b->d[2];
	b->d[2] = b->d[1];
	b->d[1] = (int16_t)dq;
	if (over > 0xffff)
		sz = filtez_saturating(b);

	/* FILTEP on R(n-1) = this step's R and R(n-2). */
	b->r2 = b->r1;
	b->r1 = (int16_t)r0;
	sp = sat16(((b->a1 * sat16(b->r1 * 2)) >> 15) +
		   ((b->a2 * sat16(b->r2 * 2)) >> 15));

	b->sz = (int16_t)sz;
	b->s = (int16_t)sat16(sp + sz); /* PREDIC */
}

/* ---- encoder ---- */

/*
 * QUANTL (Block 1L): the 6-bit index of EL for scale factor @det. The
 * reference scans the levels upwards for the first one above |EL|; since
 * they grow with m, that interval is one plus the number of levels 1..29
 * at or below |EL|. Counting all 32 table entries (three zeros always
 * count) gives 32 independent compares that compilers vectorise, where a
 * scan or a binary search is a chain of dependent multiplies.
 */
static inline int quantl(int el, int det)
{
	int wd = el >= 0 ? el : ~el; /* the reference's 32767 - (EL & 32767) */
	int n = 0;

	for (int i = 0; i < 32; i++)
		n += ((q6[i] * det) >> 12) <= wd;
	return il_of[el < 0][n - 3 + 1];
}

/* QUANTH (Block 1H): the 2-bit index of EH. */
static inline int quanth(int eh, int det)
{
	int wd = eh >= 0 ? eh : ~eh;
	int big = wd >= ((564 * det) >> 12);

	/* The reference's misih: 3 / 2 for a small / large positive EH,
	 * 1 / 0 for a negative one. */
	return 3 - big - 2 * (eh < 0);
}

static int encode_pair(struct g722_enc *e, int xl, int xh)
{
	struct g722_band *lo = &e->lo, *hi = &e->hi;
	int il, ih, dq;

	/* Lower band: SUBTRA, QUANTL, INVQAL, LOGSCL, SCALEL, Block 4. */
	il = quantl(sat16(xl - lo->s), lo->det);
	dq = mul15(lo->det, qm4[il >> 2]);
	adapt_scale_lo(lo, il >> 2);
	predict(lo, dq);

	/* Upper band: SUBTRA, QUANTH, INVQAH, LOGSCH, SCALEH, Block 4. */
	ih = quanth(sat16(xh - hi->s), hi->det);
	dq = mul15(hi->det, qm2[ih]);
	adapt_scale_hi(hi, ih);
	predict(hi, dq);

	return (ih << 6) | il;
}

/*
 * Transmit QMF for @np steps: A (the second samples with HE) and B (the
 * first samples with HO) over 12 taps each; the reference scales
 * (A + B) * 4 >> 16, i.e. >> 14 with our coefficients, and limits the
 * result to 15 bits. @first and @second hold QMF_HIST steps of history,
 * then the new ones, zero-padded by the caller to a multiple of 8: eight
 * steps at a time, a fixed-width inner loop that compilers turn into SIMD
 * code even at -O2.
 */
static void qmf_split(const int16_t *first, const int16_t *second,
		      size_t np, int16_t *xl, int16_t *xh)
{
	for (size_t k = 0; k < np; k += 8) {
		int32_t a[8] = { 0 }, b[8] = { 0 };

		for (int i = 0; i < 12; i++) {
			const int16_t *s2 = second + QMF_HIST - i + k;
			const int16_t *s1 = first + QMF_HIST - i + k;
			int32_t ce = qmf_he[i], co = qmf_ho[i];

			for (int j = 0; j < 8; j++) {
				a[j] += ce * s2[j];
				b[j] += co * s1[j];
			}
		}
		for (size_t j = 0; j < 8 && k + j < np; j++) {
			xl[k + j] = (int16_t)limit15((a[j] + b[j]) >> 14);
			xh[k + j] = (int16_t)limit15((a[j] - b[j]) >> 14);
		}
	}
}

static int g722_encode(void *state, const int16_t *pcm, size_t n,
		       uint8_t *out, size_t cap)
{
	struct g722_enc *e;
	int16_t first[QMF_HIST + CHUNK], second[QMF_HIST + CHUNK];
	int16_t xl[CHUNK], xh[CHUNK];
	size_t done = 0;

	if (state == NULL || (n > 0 && (pcm == NULL || out == NULL)))
		return SL_EINVAL;
	/* One octet per two samples: a packet is always whole pairs. */
	if (n % 2 != 0 || n / 2 > INT_MAX)
		return SL_EINVAL;
	if (cap < n / 2)
		return SL_ENOSPC;
	e = &((struct g722_state *)state)->enc;

	while (done < n / 2) {
		const int16_t *in = pcm + 2 * done;
		size_t np = n / 2 - done;

		if (np > CHUNK)
			np = CHUNK;
		memcpy(first, e->first, sizeof(e->first));
		memcpy(second, e->second, sizeof(e->second));
		for (size_t k = 0; k < np; k++) {
			first[QMF_HIST + k] = in[2 * k];
			second[QMF_HIST + k] = in[2 * k + 1];
		}
		for (size_t k = np; k % 8 != 0; k++) {
			first[QMF_HIST + k] = 0;
			second[QMF_HIST + k] = 0;
		}
		qmf_split(first, second, np, xl, xh);
		memcpy(e->first, first + np, sizeof(e->first));
		memcpy(e->second, second + np, sizeof(e->second));
		for (size_t k = 0; k < np; k++)
			out[done + k] = (uint8_t)encode_pair(e, xl[k], xh[k]);
		done += np;
	}
	return (int)(n / 2);
}

/* ---- decoder ---- */

static inline void decode_octet(struct g722_dec *d, int code, int16_t *dif,
				int16_t *sum)
{
	struct g722_band *lo = &d->lo, *hi = &d->hi;
	int il = code & 0x3f, ih = code >> 6;
	int rl, rh, dq;

	/* Lower band, mode 1: INVQBL with all six bits, RECONS, LIMIT
	 * (the reference's 16-bit saturation before LIMIT changes nothing
	 * LIMIT keeps); the predictor runs on the 4-bit INVQAL value like
	 * the encoder's. */
	rl = limit15(lo->s + mul15(lo->det, qm6[il]));
	dq = mul15(lo->det, qm4[il >> 2]);
	adapt_scale_lo(lo, il >> 2);
	predict(lo, dq);

	/* Upper band: INVQAH, RECONS, LIMIT. */
	dq = mul15(hi->det, qm2[ih]);
	rh = limit15(hi->s + dq);
	adapt_scale_hi(hi, ih);
	predict(hi, dq);

	/* Both fit 16 bits: |RL|, |RH| <= 16384. */
	*dif = (int16_t)(rl - rh);
	*sum = (int16_t)(rl + rh);
}

/*
 * Receive QMF: each step gives two samples, the first from the RL - RH
 * branch with HE, the second from RL + RH with HO; the reference scales by
 * (x * 2) << 4 >> 16 with saturation, i.e. >> 11 saturated to 16 bits.
 * @dif and @sum hold QMF_HIST steps of history, then the new ones,
 * zero-padded to a multiple of 8 like qmf_split()'s.
 */
static void qmf_merge(const int16_t *dif, const int16_t *sum, size_t np,
		      int16_t *pcm)
{
	for (size_t k = 0; k < np; k += 8) {
		int32_t a[8] = { 0 }, b[8] = { 0 };

		for (int i = 0; i < 12; i++) {
			const int16_t *d = dif + QMF_HIST - i + k;
			const int16_t *s = sum + QMF_HIST - i + k;
			int32_t ce = qmf_he[i], co = qmf_ho[i];

			for (int j = 0; j < 8; j++) {
				a[j] += ce * d[j];
				b[j] += co * s[j];
			}
		}
		for (size_t j = 0; j < 8 && k + j < np; j++) {
			pcm[2 * (k + j)] = (int16_t)sat16(a[j] >> 11);
			pcm[2 * (k + j) + 1] = (int16_t)sat16(b[j] >> 11);
		}
	}
}

static int g722_decode(void *state, const uint8_t *in, size_t len,
		       int16_t *pcm, size_t cap)
{
	struct g722_dec *d;
	int16_t dif[QMF_HIST + CHUNK], sum[QMF_HIST + CHUNK];
	size_t done = 0;

	if (state == NULL || (len > 0 && (in == NULL || pcm == NULL)))
		return SL_EINVAL;
	if (len > INT_MAX / 2)
		return SL_EINVAL;
	if (cap / 2 < len)
		return SL_ENOSPC;
	d = &((struct g722_state *)state)->dec;

	while (done < len) {
		size_t np = len - done;

		if (np > CHUNK)
			np = CHUNK;
		memcpy(dif, d->dif, sizeof(d->dif));
		memcpy(sum, d->sum, sizeof(d->sum));
		for (size_t k = 0; k < np; k++)
			decode_octet(d, in[done + k], &dif[QMF_HIST + k],
				     &sum[QMF_HIST + k]);
		for (size_t k = np; k % 8 != 0; k++) {
			dif[QMF_HIST + k] = 0;
			sum[QMF_HIST + k] = 0;
		}
		qmf_merge(dif, sum, np, pcm + 2 * done);
		memcpy(d->dif, dif + np, sizeof(d->dif));
		memcpy(d->sum, sum + np, sizeof(d->sum));
		done += np;
	}
	return (int)(2 * len);
}

/* ---- the codec object ---- */

/* The reset values of the reference (lsbcod/hsbcod with rs = 1): DETL =
 * 32, DETH = 8, all else 0.
 * The engine hands a zeroed block; init sets both directions anyway so a
 * re-init restarts the call cleanly. */
static int g722_init(void *state, const struct sl_codec_params *p)
{
	struct g722_state *st = state;

	(void)p; /* 64 kbit/s only: nothing to negotiate */
	if (st == NULL)
		return SL_EINVAL;
	memset(st, 0, sizeof(*st));
	band_reset(&st->enc.lo, 32);
	band_reset(&st->enc.hi, 8);
	band_reset(&st->dec.lo, 32);
	band_reset(&st->dec.hi, 8);
	return 0;
}

const struct sl_codec sl__codec_g722 = {
	.name = "G722",
	/* RFC 3551 §4.5.2: the RTP clock says 8000 for historical
	 * reasons; the audio is 16 kHz. */
	.clock_rate = 8000,
	.sample_rate = 16000,
	.channels = 1,
	.static_pt = 9,
	.min_ptime_ms = 10,
	.max_ptime_ms = 60,
	.state_size = sizeof(struct g722_state),
	.init = g722_init,
	.fini = NULL,
	.encode = g722_encode,
	.decode = g722_decode,
	.plc = NULL,            /* the engine repeats and fades */
	.decode_fec = NULL,
	.set_bitrate = NULL,    /* 64 kbit/s only */
	.fmtp_parse = NULL,
	.fmtp_format = NULL,
};
