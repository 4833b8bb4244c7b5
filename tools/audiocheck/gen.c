/*
 * tools/audiocheck/gen.c: the demo's test signal, 16 kHz mono, 4.5 s,
 * the same bytes on every machine (no random numbers, no clock).
 *
 *   0.00-0.40 s  silence: the sender's file starts with its UA, the call
 *                a moment later, so nothing that matters is lost then;
 *   0.40-2.90 s  speech-like: eight syllables of a voiced sound - the
 *                harmonics of a gliding fundamental (100-160 Hz, an
 *                intonation contour) shaped by vowel formants (/a/, /i/,
 *                /u/, /e/, /o/) and a -6 dB/octave tilt, under a syllabic
 *                envelope (raised-cosine attack and decay, ~4 syllables
 *                per second, short pauses);
 *   2.90-4.25 s  a tone sequence: 530, 1070, 2030, 2970 Hz and a DTMF-
 *                like 770+1336 Hz pair, 220 ms each with 50 ms gaps and
 *                10 ms ramps. No tone has a whole number of cycles in
 *                m x 10 ms (m = 1..6; at worst 0.1 cycle off): moved by
 *                whole packets a tone no longer matches itself, so the
 *                comparison cannot mistake a gap in it for a packet
 *                shift;
 *   4.25-4.50 s  silence.
 * Everything stays below 3.3 kHz, so a narrowband codec (G.711, 300-3400
 * Hz) can carry all of it and a comparison measures the codec and the
 * path, not the band limit. Peak level -6 dBFS.
 *
 * Owns: the buffer it returns.
 * Thread: single-threaded program.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audiocheck.h"

#define RATE 16000
#define TWO_PI 6.28318530717958647692
#define TOP_HZ 3300.0

enum { MAX_HARM = 40 };

struct vowel {
	double f[3];    /* formant centres, Hz */
	double bw[3];   /* half bandwidths, Hz */
};

static const struct vowel vowels[] = {
	{ { 730, 1090, 2440 }, { 90, 110, 170 } },   /* a */
	{ { 270, 2290, 3010 }, { 60, 100, 170 } },   /* i */
	{ { 300, 870, 2240 }, { 60, 90, 170 } },     /* u */
	{ { 530, 1840, 2480 }, { 80, 110, 170 } },   /* e */
	{ { 570, 840, 2410 }, { 80, 90, 170 } },     /* o */
};

/* The vowel's spectral envelope at @f (linear amplitude). */
static double formant_gain(const struct vowel *v, double f)
{
	double g = 0;

	for (int i = 0; i < 3; i++) {
		double d = (f - v->f[i]) / v->bw[i];

		g += (i == 0 ? 1.0 : i == 1 ? 0.7 : 0.4) / (1.0 + d * d);
	}
	/* Glottal tilt, -6 dB per octave above 100 Hz. */
	return (0.05 + g) * (100.0 / (f > 100.0 ? f : 100.0));
}

/* Raised-cosine ramps of @ramp seconds at both ends of [0, @len). */
static double envelope(double t, double len, double ramp)
{
	if (t < 0 || t >= len)
		return 0;
	if (t < ramp)
		return 0.5 - 0.5 * cos(M_PI * t / ramp);
	if (len - t < ramp)
		return 0.5 - 0.5 * cos(M_PI * (len - t) / ramp);
	return 1;
}

static void speech(float *x, size_t start, size_t len)
{
	static const double syl_len[8] = {
		0.24, 0.20, 0.28, 0.22, 0.26, 0.18, 0.30, 0.24
	};
	double phase[MAX_HARM + 1];
	double peak = 0;
	size_t pos = start;

	memset(phase, 0, sizeof(phase));
	for (int s = 0; s < 8; s++) {
		const struct vowel *v = &vowels[s % 5];
		size_t n = (size_t)(syl_len[s] * RATE);

		for (size_t i = 0; i < n && pos + i < start + len; i++) {
			double t = (double)(pos + i - start) / RATE;
			double ts = (double)i / RATE;
			/* Intonation: a slow glide and a fall per
			 * syllable. */
			double f0 = 130 + 30 * sin(TWO_PI * 0.6 * t) -
				    25 * ts / syl_len[s];
			double e = envelope(ts, syl_len[s], 0.05);
			double y = 0;

			for (int k = 1; k <= MAX_HARM; k++) {
				double f = k * f0;

				phase[k] += TWO_PI * f / RATE;
				if (phase[k] > TWO_PI)
					phase[k] -= TWO_PI;
				if (f >= TOP_HZ)
					continue;
				y += formant_gain(v, f) * sin(phase[k]);
			}
			x[pos + i] = (float)(e * y);
		}
		pos += n + (size_t)(0.06 * RATE);   /* a pause */
	}
	for (size_t i = start; i < start + len; i++)
		if (fabs(x[i]) > peak)
			peak = fabs(x[i]);
	if (peak > 0)
		for (size_t i = start; i < start + len; i++)
			x[i] = (float)(x[i] * 0.5 / peak);
}

static void tones(float *x, size_t start)
{
	static const double tone[5][2] = {
		{ 530, 0 }, { 1070, 0 }, { 2030, 0 }, { 2970, 0 },
		{ 770, 1336 }
	};
	const double len = 0.22, gap = 0.05;

	for (int k = 0; k < 5; k++) {
		size_t s = start + (size_t)(k * (len + gap) * RATE);
		size_t n = (size_t)(len * RATE);

		for (size_t i = 0; i < n; i++) {
			double t = (double)i / RATE;
			double y = sin(TWO_PI * tone[k][0] * t);

			if (tone[k][1] > 0)
				y = 0.5 * (y + sin(TWO_PI * tone[k][1] * t));
			x[s + i] = (float)(0.35 * envelope(t, len, 0.01) * y);
		}
	}
}

int gen_signal(struct signal *out)
{
	size_t n = (size_t)(4.5 * RATE);

	out->x = calloc(n, sizeof(float));
	if (!out->x)
		return -1;
	out->n = n;
	out->rate = RATE;
	speech(out->x, (size_t)(0.40 * RATE), (size_t)(2.50 * RATE));
	tones(out->x, (size_t)(2.90 * RATE));
	return 0;
}
