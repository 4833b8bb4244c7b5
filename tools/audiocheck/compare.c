/*
 * tools/audiocheck/compare.c: did the sent audio arrive intact?
 *
 * 1. Both signals are brought to the lower of their two rates (a
 *    narrowband call is judged in its own band).
 * 2. The delay: the peak of their cross-correlation (FFT), refined to a
 *    fraction of a sample by a parabola. delay_ms is where the sent
 *    signal's time 0 falls in the recording; it is negative when the
 *    recording began after the sender had started playing (--play starts
 *    with the sender's UA, the call a moment later).
 * 3. The sent signal is cut into 20 ms frames on the grid of the
 *    received packets (a recording starts at a packet boundary, so the
 *    grid is the delay modulo 20 ms). Each frame where the sent signal is
 *    active is looked for where the previous one was found (or at the
 *    global delay) moved by whole packets (up to +-60 ms: a jitter buffer
 *    conceals a late packet or drops one to catch up, which moves what
 *    follows by a packet; place_frame()) and compared with the received
 *    audio
 *    interpolated at the best fractional position. A frame whose place is
 *    outside the recording is missing (coverage). delay_drift_ms says
 *    how far the delay moved during the call (reported, not judged:
 *    latency is not damage).
 * 4. One gain for the whole call (least squares), then per frame the SNR;
 *    a frame below the codec's frame limit is damaged (a concealed or
 *    dropped packet, a burst of garbage: a gap reads 0 dB), and so is a
 *    frame found only by a slip (place_frame()). A dropout in the
 *    speech-like part damages every frame it covers; inside a steady
 *    tone, which matches itself a whole number of periods away, it may
 *    show only as the slips into and out of it (two frames or more).
 *    Then:
 *    - snr_db: signal over error energy across the undamaged frames;
 *    - damaged: how many frames were, which may be up to MAX_DAMAGED of
 *      them (an adaptive jitter buffer's ordinary work);
 *    - lsd_db: log-spectral distance (RMS of the dB difference of the
 *      power spectra, 32 ms Hann frames, 100-3400 Hz, over undamaged
 *      audio), which still means something for a codec that does not
 *      keep the waveform (opus).
 * 5. The verdict compares them with the codec's limits (table below).
 *
 * Owns: its scratch buffers.
 * Thread: single-threaded program.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "audiocheck.h"

#define FRAME_S 0.020
#define SEARCH_S 0.060
#define SLIP_S 0.003
/* Frames that may be damaged (a concealed packet, a playout step) before
 * the audio is no longer intact: 3 %, about one per 0.7 s of signal. */
#define MAX_DAMAGED 0.03
#define LSD_LO_HZ 100.0
#define LSD_HI_HZ 3400.0

/*
 * Limits per codec. Measured here (127.0.0.1, no loss, agent to agent)
 * the audio reaches about: PCMU/PCMA 32-40 dB SNR and 0.1 dB LSD, G722
 * 26-37 dB / 0.2 dB, L16 44 dB or more, opus (default rate) 14 dB SNR and
 * 0.3-0.6 dB LSD. The limits leave room for a loaded machine and still
 * fail on what a broken path does: packets lost or repeated in numbers
 * (damaged frames, a gap reads 0 dB), a wrong payload type or byte order
 * (SNR below 0, LSD above 10 dB), a resampling error (a shifted spectrum:
 * LSD of several dB), clipping or a level change (gain).
 *  - G.711: 8-bit log PCM keeps ~38 dB SQNR on speech-level signals.
 *  - G.722: sub-band ADPCM, ~25-35 dB at 64 kbit/s.
 *  - L16: linear PCM; only the engine's resamplers add error.
 *  - opus: a perceptual codec; its waveform may differ (phase) while it
 *    sounds the same, so its SNR limit is low and the spectrum decides.
 * Columns: codec, min SNR (dB), damaged frame below (dB), max LSD (dB),
 * min coverage, why.
 */
static const struct verdict_limits limits[] = {
	{ "PCMU", 25.0, 13.0, 2.0, 0.9, "G.711 u-law keeps ~38 dB SQNR" },
	{ "PCMA", 25.0, 13.0, 2.0, 0.9, "G.711 A-law keeps ~38 dB SQNR" },
	{ "G722", 15.0, 6.0, 3.0, 0.9, "sub-band ADPCM, ~25-30 dB" },
	{ "L16", 35.0, 20.0, 1.0, 0.9, "linear PCM: resampling error only" },
	/* Frames are not judged one by one: a 20 ms opus frame may sit at
	 * a few dB SNR and still sound the same. */
	{ "opus", 5.0, -1000.0, 4.0, 0.9, "perceptual: mostly spectrum" },
	{ NULL, 10.0, 3.0, 4.0, 0.9, "unknown codec: loose limits" },
};

struct frame {
	size_t start;          /* in the sent signal */
	int active, covered, damaged;
	int slipped;           /* found only off the usual moves */
	double pos;            /* its place in the received signal */
	double ss, sr, rr;
};

static const struct verdict_limits *limits_for(const char *codec)
{
	size_t i;

	for (i = 0; limits[i].codec; i++)
		if (codec && !strncasecmp(codec, limits[i].codec,
					  strlen(limits[i].codec)))
			break;
	return &limits[i];
}

/* Sums of s*s, s*r, r*r for the frame at @start with @r read at
 * fractional @pos; @buf (may be NULL) gets the interpolated r. */
static void frame_sums(const struct signal *s, const struct signal *r,
		       size_t start, size_t len, double pos, float *buf,
		       double *ss, double *sr, double *rr)
{
	*ss = *sr = *rr = 0;
	for (size_t i = 0; i < len; i++) {
		double x = s->x[start + i];
		double y = interp(r->x, r->n, pos + (double)i, 1.0);

		if (buf)
			buf[i] = (float)y;
		*ss += x * x;
		*sr += x * y;
		*rr += y * y;
	}
}

/* Residual energy after the best gain for this frame alone. */
static double frame_error(double ss, double sr, double rr)
{
	return ss > 0 ? rr - sr * sr / ss : rr;
}

/* Normalised correlation of frame @f with @r at integer offset @d (-2
 * when it does not fit), and the frame's own-gain SNR there. */
static double corr_at(const struct signal *s, const struct signal *r,
		      const struct frame *f, size_t len, long d, double *snr)
{
	long p0 = (long)f->start + d;
	double c = 0, er = 0, es = 0, e;

	if (p0 < 0 || p0 + (long)len > (long)r->n)
		return -2;
	for (size_t i = 0; i < len; i++) {
		double x = s->x[f->start + i], y = r->x[p0 + (long)i];

		c += x * y;
		er += y * y;
		es += x * x;
	}
	if (snr) {
		e = frame_error(es, c, er);
		*snr = e > 0 ? 10 * log10(es > 0 ? (c * c / es) / e : 0)
			     : 200;
	}
	return er > 0 && es > 0 ? c / sqrt(er * es) : 0;
}

/*
 * Finds frame @f in @r. Playout moves audio by whole packets (a
 * concealed packet inserted, a late one dropped, a gap for RFC 4733
 * events), and packets last a multiple of 10 ms: the usual candidates
 * are the offset of the last frame found (@track, give or take SLIP_S:
 * a device clock catching up by part of a frame) and @track and the
 * global @lag moved by exactly m x 10 ms (|m| <= SEARCH_S / 10 ms),
 * chosen by normalised correlation. When none of them
 * reaches @min_db (the frame's own-gain SNR), every offset within
 * SEARCH_S of @track is tried: a frame found only that way is a slip (a
 * discontinuity: counted as damaged), so a gap in a steady tone, which
 * only shifted copies of the tone could fill, shows as one slip per
 * frame. Then a sixteenth-sample search by residual.
 */
static void place_frame(const struct signal *s, const struct signal *r,
			struct frame *f, size_t len, double lag, double track,
			double min_db)
{
	long step = (long)(s->rate / 100);
	long steps = (long)(SEARCH_S * 100 + 0.5);
	long slip = (long)(SLIP_S * s->rate);
	long wide = (long)(SEARCH_S * s->rate);
	long bases[2] = { lround(track), lround(lag) };
	double frac = track - (double)bases[0];
	double best = -INFINITY, best_err = INFINITY, best_pos = 0, snr;
	long best_at = 0;
	long nominal = (long)f->start + bases[0];

	/* Outside the recording where it should be: not received (the
	 * recording began later or ended sooner), whatever may lie near. */
	if (nominal < 0 || nominal + (long)len > (long)r->n) {
		f->covered = 0;
		return;
	}
	for (int b = 0; b < (bases[0] == bases[1] ? 1 : 2); b++) {
		for (long m = -steps; m <= steps; m++) {
			/* Exactly m packets: give or take even one sample,
			 * a steady tone moved by whole periods could fill a
			 * gap (gen.c's tones are chosen for this). */
			long w = b == 0 && m == 0 ? slip : 0;

			for (long j = -w; j <= w; j++) {
				long d = bases[b] + m * step + j;
				double c = corr_at(s, r, f, len, d, NULL);

				/* Ties go to the smaller move. */
				if (c > best + 1e-12 ||
				    (c >= best - 1e-12 &&
				     labs(d - bases[0]) <
				     labs(best_at - bases[0]))) {
					best = c;
					best_at = d;
				}
			}
		}
	}
	if (best <= -2) {
		f->covered = 0;
		return;
	}
	f->covered = 1;
	corr_at(s, r, f, len, best_at, &snr);
	if (snr < min_db) {
		double wbest = -INFINITY, wsnr;
		long wat = best_at;

		for (long d = bases[0] - wide; d <= bases[0] + wide; d++) {
			double c = corr_at(s, r, f, len, d, NULL);

			if (c > wbest) {
				wbest = c;
				wat = d;
			}
		}
		corr_at(s, r, f, len, wat, &wsnr);
		if (wsnr >= min_db && wat != best_at) {
			best_at = wat;
			f->slipped = 1;
		}
	}
	for (int k = -8; k <= 8; k++) {
		double pos = (double)f->start + (double)best_at + frac +
			     k / 16.0;
		double ss, sr, rr, e;

		if (pos < 0 || pos + (double)len > (double)r->n)
			continue;
		frame_sums(s, r, f->start, len, pos, NULL, &ss, &sr, &rr);
		e = frame_error(ss, sr, rr);
		if (e < best_err) {
			best_err = e;
			best_pos = pos;
		}
	}
	f->pos = best_pos;
}

/* Log-spectral distance over the audio marked @ok. */
static double lsd(const float *s, const float *a, size_t n, unsigned rate,
		  const unsigned char *ok, double g, unsigned *frames)
{
	size_t N = rate >= 16000 ? 512 : 256, hop = N / 2;
	double *re1 = malloc(N * sizeof(double)), *im1 = malloc(N *
		sizeof(double));
	double *re2 = malloc(N * sizeof(double)), *im2 = malloc(N *
		sizeof(double));
	size_t k_lo = (size_t)(LSD_LO_HZ * N / rate);
	size_t k_hi = (size_t)(LSD_HI_HZ * N / rate);
	double total = 0, loudest = 0;

	*frames = 0;
	if (k_hi > N / 2 - 1)
		k_hi = N / 2 - 1;
	if (!re1 || !im1 || !re2 || !im2) {
		free(re1);
		free(im1);
		free(re2);
		free(im2);
		return NAN;
	}
	/* The loudest frame, so quiet ones (a syllable's tail) are left
	 * out: there a codec's constant noise floor is all one sees. */
	for (size_t f = 0; f + N <= n; f += hop) {
		double e = 0;

		for (size_t i = 0; i < N; i++)
			e += (double)s[f + i] * s[f + i];
		if (e > loudest)
			loudest = e;
	}
	for (size_t f = 0; f + N <= n; f += hop) {
		double peak = 0, d2 = 0, floor_p, e = 0;
		int good = 1;

		for (size_t i = 0; i < N && good; i++) {
			good = ok[f + i];
			e += (double)s[f + i] * s[f + i];
		}
		if (!good || e < loudest * 1e-2)
			continue;
		for (size_t i = 0; i < N; i++) {
			double w = 0.5 - 0.5 * cos(2 * M_PI * i / N);

			re1[i] = g * s[f + i] * w;
			re2[i] = a[f + i] * w;
			im1[i] = im2[i] = 0;
		}
		fft(re1, im1, N, 0);
		fft(re2, im2, N, 0);
		for (size_t k = k_lo; k <= k_hi; k++) {
			double p = re1[k] * re1[k] + im1[k] * im1[k];

			if (p > peak)
				peak = p;
		}
		/* 30 dB under the frame's strongest bin: the valleys
		 * between harmonics, where any codec's noise floor lies,
		 * are not what is judged; the spectral envelope is. */
		floor_p = peak * 1e-3 + 1e-20;
		for (size_t k = k_lo; k <= k_hi; k++) {
			double p1 = re1[k] * re1[k] + im1[k] * im1[k];
			double p2 = re2[k] * re2[k] + im2[k] * im2[k];
			double d = 10 * log10((p1 + floor_p) / (p2 + floor_p));

			d2 += d * d;
		}
		total += sqrt(d2 / (double)(k_hi - k_lo + 1));
		(*frames)++;
	}
	free(re1);
	free(im1);
	free(re2);
	free(im2);
	return *frames ? total / *frames : NAN;
}

/* Brings both to the lower rate. Return: 0 or -1. */
static int common_rate(const struct signal *sent, const struct signal *recv,
		       struct signal *s, struct signal *r)
{
	unsigned rate = sent->rate < recv->rate ? sent->rate : recv->rate;

	memset(s, 0, sizeof(*s));
	memset(r, 0, sizeof(*r));
	if (sent->rate != rate) {
		if (resample(sent, rate, s) < 0)
			return -1;
	} else {
		*s = *sent;
		s->x = malloc(sent->n * sizeof(float) + 1);
		if (!s->x)
			return -1;
		memcpy(s->x, sent->x, sent->n * sizeof(float));
	}
	if (recv->rate != rate)
		return resample(recv, rate, r);
	*r = *recv;
	r->x = malloc(recv->n * sizeof(float) + 1);
	if (!r->x)
		return -1;
	memcpy(r->x, recv->x, recv->n * sizeof(float));
	return 0;
}

/* What the frames add up to. */
struct tally {
	size_t active, covered, damaged, slips;
	double gain, snr, worst, lsd, coverage;
	double min_off, max_off;   /* samples, frames found clearly */
	unsigned lsd_frames;
};

/* Where the first second of active signal sits in @r: the delay to
 * start tracking from (the global @lag is the one most of the call had,
 * which may not be the one it began with). Falls back on @lag. */
static double start_lag(const struct signal *s, const struct signal *r,
			const struct frame *fr, size_t nf, double loudest,
			double lag)
{
	struct signal seg;
	double l, norm;
	size_t k = 0;

	while (k < nf && !(fr[k].ss > loudest * 1e-3))
		k++;
	if (k == nf || fr[k].start + s->rate > s->n)
		return lag;
	seg.x = s->x + fr[k].start;
	seg.n = s->rate;
	seg.rate = s->rate;
	/* (The peak's norm is against the whole recording's energy: no
	 * use as a threshold for one second of it.) */
	if (xcorr_peak(&seg, r, seg.n, &l, &norm) < 0)
		return lag;
	return l - (double)fr[k].start;
}

/* Places every active frame, then sums with one gain. */
static int measure(const struct signal *s, const struct signal *r,
		   double lag, const struct verdict_limits *lim,
		   struct tally *t)
{
	size_t F = (size_t)(FRAME_S * s->rate), nf, g0;
	struct frame *fr;
	float *aligned;
	unsigned char *ok;
	double loudest = 0, ss = 0, sr = 0, err = 0, sig = 0, track = lag, fe;
	long L = lround(lag);

	memset(t, 0, sizeof(*t));
	t->worst = INFINITY;
	t->min_off = INFINITY;
	t->max_off = -INFINITY;
	/* The received packet grid, seen from the sent signal. */
	g0 = (size_t)(((-L) % (long)F + (long)F) % (long)F);
	nf = s->n > g0 ? (s->n - g0) / F : 0;
	fr = calloc(nf ? nf : 1, sizeof(*fr));
	aligned = calloc(s->n ? s->n : 1, sizeof(float));
	ok = calloc(s->n ? s->n : 1, 1);
	if (!fr || !aligned || !ok) {
		free(fr);
		free(aligned);
		free(ok);
		return -1;
	}
	for (size_t k = 0; k < nf; k++) {
		double e = 0;

		fr[k].start = g0 + k * F;
		for (size_t i = 0; i < F; i++)
			e += (double)s->x[fr[k].start + i] *
			     s->x[fr[k].start + i];
		fr[k].ss = e;
		if (e > loudest)
			loudest = e;
	}
	track = start_lag(s, r, fr, nf, loudest, lag);
	for (size_t k = 0; k < nf; k++) {
		struct frame *f = &fr[k];

		/* Active: within 30 dB of the loudest frame. */
		f->active = f->ss > loudest * 1e-3;
		if (!f->active)
			continue;
		t->active++;
		place_frame(s, r, f, F, lag, track, lim->frame_min_db);
		if (!f->covered)
			continue;
		t->covered++;
		frame_sums(s, r, f->start, F, f->pos, aligned + f->start,
			   &f->ss, &f->sr, &f->rr);
		ss += f->ss;
		sr += f->sr;
		/* A frame found clearly (15 dB with its own gain) is where
		 * the next one is looked for first, and counts for the
		 * delay's drift. */
		fe = frame_error(f->ss, f->sr, f->rr);
		if (f->ss > 0 && fe < f->ss * 0.03) {
			double off = f->pos - (double)f->start;

			track = off;
			if (off < t->min_off)
				t->min_off = off;
			if (off > t->max_off)
				t->max_off = off;
		}
	}
	t->coverage = t->active ? (double)t->covered / t->active : 0;
	t->gain = ss > 0 ? sr / ss : 0;
	for (size_t k = 0; k < nf; k++) {
		struct frame *f = &fr[k];
		double e, v, g = t->gain;

		if (!f->active || !f->covered)
			continue;
		e = f->rr - 2 * g * f->sr + g * g * f->ss;
		if (e < 1e-20)
			e = 1e-20;
		v = 10 * log10(g * g * f->ss / e + 1e-30);
		if (v < t->worst)
			t->worst = v;
		if (getenv("AC_DEBUG"))
			fprintf(stderr, "frame %zu at %.3f s: offset %.2f "
				"samples, snr %.1f dB\n", k,
				(double)f->start / s->rate,
				f->pos - (double)f->start, v);
		if (f->slipped)
			t->slips++;
		if (v < lim->frame_min_db || f->slipped) {
			f->damaged = 1;
			t->damaged++;
			continue;
		}
		err += e;
		sig += g * g * f->ss;
		memset(ok + f->start, 1, F);
	}
	t->snr = err > 0 ? 10 * log10(sig / err) : -INFINITY;
	t->lsd = lsd(s->x, aligned, s->n, s->rate, ok, t->gain,
		     &t->lsd_frames);
	free(fr);
	free(aligned);
	free(ok);
	return 0;
}

int compare(const struct signal *sent, const struct signal *recv,
	    const char *codec)
{
	const struct verdict_limits *lim = limits_for(codec);
	struct signal s, r;
	struct tally t;
	double lag, norm, damaged_frac;
	int intact = 0;
	char why[256] = "";

	if (common_rate(sent, recv, &s, &r) < 0) {
		fprintf(stderr, AC_NAME ": out of memory\n");
		return 1;
	}
	printf("rate_hz %u\nsent_s %.3f\nreceived_s %.3f\ncodec %s\n",
	       s.rate, (double)s.n / s.rate, (double)r.n / r.rate,
	       codec ? codec : "(not given)");
	if (s.n < s.rate / 2 || r.n < r.rate / 4 ||
	    xcorr_peak(&s, &r, (s.n < r.n ? s.n : r.n) / 2, &lag,
		       &norm) < 0) {
		printf("verdict: NOT intact (the sent signal was not found "
		       "in the recording: too short or silent)\n");
		signal_free(&s);
		signal_free(&r);
		return 1;
	}
	printf("delay_ms %.3f\ncorrelation %.3f\n", lag * 1000.0 / s.rate,
	       norm);
	if (measure(&s, &r, lag, lim, &t) < 0) {
		fprintf(stderr, AC_NAME ": out of memory\n");
		signal_free(&s);
		signal_free(&r);
		return 1;
	}
	damaged_frac = t.covered ? (double)t.damaged / t.covered : 1;
	printf("delay_drift_ms %.1f\n", t.max_off >= t.min_off ?
	       (t.max_off - t.min_off) * 1000.0 / s.rate : 0.0);
	printf("gain %.3f\nsnr_db %.2f\nworst_frame_snr_db %.2f\n"
	       "lsd_db %.3f\ncoverage %.3f\n"
	       "frames %zu active, %zu found, %zu damaged (%zu slips)\n",
	       t.gain, t.snr, t.worst, t.lsd, t.coverage, t.active, t.covered,
	       t.damaged, t.slips);

	if (t.coverage < lim->min_coverage)
		snprintf(why, sizeof(why), "only %.0f%% of the signal "
			 "arrived", t.coverage * 100);
	else if (damaged_frac > MAX_DAMAGED)
		snprintf(why, sizeof(why), "%zu of %zu frames damaged",
			 t.damaged, t.covered);
	else if (t.snr < lim->min_snr_db)
		snprintf(why, sizeof(why), "SNR %.1f dB < %.1f dB", t.snr,
			 lim->min_snr_db);
	else if (t.gain < 0.5 || t.gain > 2.0)
		snprintf(why, sizeof(why), "level changed by %.1f dB",
			 20 * log10(t.gain > 0 ? t.gain : 1e-9));
	else if (!(t.lsd <= lim->max_lsd_db))
		snprintf(why, sizeof(why), "spectral distance %.2f dB > "
			 "%.2f dB", t.lsd, lim->max_lsd_db);
	else
		intact = 1;
	if (intact)
		printf("verdict: intact (%s: SNR %.1f dB >= %.1f, LSD %.2f "
		       "dB <= %.2f, %.0f%% arrived, %zu damaged frames; "
		       "%s)\n", lim->codec ? lim->codec : "any codec", t.snr,
		       lim->min_snr_db, t.lsd, lim->max_lsd_db,
		       t.coverage * 100, t.damaged, lim->why);
	else
		printf("verdict: NOT intact (%s; limits for %s: SNR >= %.1f "
		       "dB, LSD <= %.2f dB, damaged frames <= %.0f%%)\n", why,
		       lim->codec ? lim->codec : "any codec",
		       lim->min_snr_db, lim->max_lsd_db, MAX_DAMAGED * 100);
	signal_free(&s);
	signal_free(&r);
	return intact ? 0 : 1;
}
