/*
 * tools/audiocheck/dsp.c: the signal processing of the comparison - a
 * radix-2 FFT, band-limited interpolation (windowed sinc), resampling,
 * and the cross-correlation that finds where the sent signal sits in the
 * received one.
 *
 * Owns: the buffers it allocates and frees within each call, and the
 * signals resample() returns.
 * Thread: single-threaded program.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audiocheck.h"

#define PI 3.14159265358979323846

enum { HALF_TAPS = 48 };    /* interpolation kernel, input samples per
			     * side at cutoff 1 */

void fft(double *re, double *im, size_t n, int inverse)
{
	/* Bit reversal, then butterflies (Cooley-Tukey, iterative). */
	for (size_t i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			double t = re[i];

			re[i] = re[j];
			re[j] = t;
			t = im[i];
			im[i] = im[j];
			im[j] = t;
		}
	}
	for (size_t len = 2; len <= n; len <<= 1) {
		double ang = 2 * PI / (double)len * (inverse ? 1 : -1);
		double wr = cos(ang), wi = sin(ang);

		for (size_t i = 0; i < n; i += len) {
			double cr = 1, ci = 0;

			for (size_t k = 0; k < len / 2; k++) {
				size_t a = i + k, b = i + k + len / 2;
				double xr = re[b] * cr - im[b] * ci;
				double xi = re[b] * ci + im[b] * cr;
				double t;

				re[b] = re[a] - xr;
				im[b] = im[a] - xi;
				re[a] += xr;
				im[a] += xi;
				t = cr * wr - ci * wi;
				ci = cr * wi + ci * wr;
				cr = t;
			}
		}
	}
}

/* Blackman window over [-1, 1]. */
static double window(double u)
{
	if (u <= -1 || u >= 1)
		return 0;
	return 0.42 + 0.5 * cos(PI * u) + 0.08 * cos(2 * PI * u);
}

double interp(const float *x, size_t n, double t, double cut)
{
	double half = HALF_TAPS / cut, sum = 0;
	long lo = (long)floor(t - half), hi = (long)ceil(t + half);

	if (lo < 0)
		lo = 0;
	if (hi > (long)n - 1)
		hi = (long)n - 1;
	for (long k = lo; k <= hi; k++) {
		double d = t - (double)k;
		double s = d == 0 ? 1 : sin(PI * cut * d) / (PI * cut * d);

		sum += x[k] * cut * s * window(d / half);
	}
	return sum;
}

int resample(const struct signal *in, unsigned rate, struct signal *out)
{
	double step = (double)in->rate / rate;
	/* Below the lower Nyquist, with room for the kernel's roll-off. */
	double cut = rate < in->rate ? 0.94 * rate / in->rate : 1.0;

	out->rate = rate;
	out->n = (size_t)((double)in->n / step);
	out->x = malloc((out->n ? out->n : 1) * sizeof(float));
	if (!out->x)
		return -1;
	for (size_t i = 0; i < out->n; i++)
		out->x[i] = (float)interp(in->x, in->n, (double)i * step,
					  cut);
	return 0;
}

int xcorr_peak(const struct signal *s, const struct signal *r,
	       size_t min_overlap, double *lag, double *peak_norm)
{
	size_t n = 1;
	double *ar, *ai, *br, *bi, best = -1;
	long best_d = 0, ns = (long)s->n, nr = (long)r->n;
	double es = 0, er = 0;

	while (n < s->n + r->n)
		n <<= 1;
	ar = calloc(n, sizeof(double));
	ai = calloc(n, sizeof(double));
	br = calloc(n, sizeof(double));
	bi = calloc(n, sizeof(double));
	if (!ar || !ai || !br || !bi) {
		free(ar);
		free(ai);
		free(br);
		free(bi);
		return -1;
	}
	for (size_t i = 0; i < r->n; i++) {
		ar[i] = r->x[i];
		er += ar[i] * ar[i];
	}
	for (size_t i = 0; i < s->n; i++) {
		br[i] = s->x[i];
		es += br[i] * br[i];
	}
	fft(ar, ai, n, 0);
	fft(br, bi, n, 0);
	/* R * conj(S): its inverse at d is sum r[i + d] s[i]. */
	for (size_t i = 0; i < n; i++) {
		double re = ar[i] * br[i] + ai[i] * bi[i];
		double im = ai[i] * br[i] - ar[i] * bi[i];

		ar[i] = re;
		ai[i] = im;
	}
	fft(ar, ai, n, 1);
	for (long d = -(ns - 1); d <= nr - 1; d++) {
		long lo = d > 0 ? d : 0;
		long hi = (d + ns < nr ? d + ns : nr);
		double v;

		if (hi - lo < (long)min_overlap)
			continue;
		v = ar[(size_t)(d < 0 ? (long)n + d : d)] / (double)n;
		if (v > best) {
			best = v;
			best_d = d;
		}
	}
	if (best <= 0) {
		free(ar);
		free(ai);
		free(br);
		free(bi);
		return -1;
	}
	{
		/* A parabola through the peak and its neighbours. */
		size_t im1 = (size_t)((best_d - 1) < 0 ? (long)n + best_d - 1
				      : best_d - 1);
		size_t ip1 = (size_t)((best_d + 1) < 0 ? (long)n + best_d + 1
				      : best_d + 1);
		double y0 = ar[im1] / (double)n, y2 = ar[ip1] / (double)n;
		double den = y0 - 2 * best + y2;

		*lag = (double)best_d;
		if (den < 0) {
			double off = 0.5 * (y0 - y2) / den;

			if (off > -1 && off < 1)
				*lag += off;
		}
	}
	*peak_norm = es > 0 && er > 0 ? best / sqrt(es * er) : 0;
	free(ar);
	free(ai);
	free(br);
	free(bi);
	return 0;
}
