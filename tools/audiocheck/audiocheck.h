/*
 * tools/audiocheck/audiocheck.h: what the files of sipline-audiocheck
 * share: mono float signals, a tiny WAV reader/writer, and the signal
 * processing the comparison needs.
 *
 * Owns: nothing (a header).
 * Thread: single-threaded program.
 */
#ifndef SIPLINE_AUDIOCHECK_H
#define SIPLINE_AUDIOCHECK_H

#include <stddef.h>

#define AC_NAME "sipline-audiocheck"

/* A mono signal, samples in [-1, 1). */
struct signal {
	float *x;
	size_t n;
	unsigned rate;
};

/* wav.c */

/** wav_read() - reads a 16-bit PCM WAV file (any rate, channels mixed
 * down to mono). Return: 0, or -1 with the reason printed. */
int wav_read(const char *path, struct signal *out);

/** wav_write() - writes @s as 16-bit mono PCM. Return: 0 or -1. */
int wav_write(const char *path, const struct signal *s);

void signal_free(struct signal *s);

/* gen.c */

/** gen_signal() - the demo's test signal (16 kHz, deterministic). */
int gen_signal(struct signal *out);

/* dsp.c */

/** fft() - in-place complex FFT of @n (a power of two) points;
 * @inverse: the unscaled inverse. */
void fft(double *re, double *im, size_t n, int inverse);

/** interp() - @x (band-limited) at fractional position @t, windowed-sinc
 * with cutoff @cut (fraction of @x's Nyquist, <= 1). */
double interp(const float *x, size_t n, double t, double cut);

/** resample() - @in at @rate (new signal in @out). Return: 0 or -1. */
int resample(const struct signal *in, unsigned rate, struct signal *out);

/** xcorr_peak() - the lag d maximising sum r[i] * s[i - d] (the sent
 * signal @s found at offset d in the received @r), among lags whose
 * overlap is at least @min_overlap samples; fractional, by a parabola
 * through the peak. Return: 0 or -1 (no memory, nothing overlaps). */
int xcorr_peak(const struct signal *s, const struct signal *r,
	       size_t min_overlap, double *lag, double *peak_norm);

/* compare.c */

struct verdict_limits {
	const char *codec;
	double min_snr_db;        /* waveform SNR after alignment */
	double frame_min_db;      /* a 20 ms frame below this is damaged */
	double max_lsd_db;        /* log-spectral distance */
	double min_coverage;      /* of the sent signal's active part */
	const char *why;
};

/** compare() - prints the comparison of @sent and @recv and the verdict
 * for @codec (NULL: the generic limits). Return: 0 intact, 1 not. */
int compare(const struct signal *sent, const struct signal *recv,
	    const char *codec);

#endif /* SIPLINE_AUDIOCHECK_H */
