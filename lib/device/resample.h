/*
 * lib/device/resample.h: a sample-rate converter for 16-bit mono PCM,
 * over the speexdsp resampler.
 *
 * The media engine keeps one per call and direction (codec rate <-> device
 * rate); the virtual "wav:" device and the "app" feed use it too. All the
 * memory is taken by sl__resampler_create() at set-up; running it never
 * allocates (speexdsp's speex_resampler_set_rate() may reallocate its
 * filter, so a rate change means another resampler, never a set_rate).
 * Equal rates make a passthrough that copies.
 *
 * Owns: one SpeexResamplerState (none for a passthrough).
 * Thread: create/destroy at set-up on the owner's thread; run/reset on the
 * one thread that uses it (the media or device thread).
 */
#ifndef SL_DEVICE_RESAMPLE_H
#define SL_DEVICE_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

/** Qualities (speexdsp's scale 0..10). */
enum {
	SL_RESAMPLE_QUALITY_FAST = 1,
	SL_RESAMPLE_QUALITY_VOIP = 3,   /* speexdsp's VOIP setting */
	SL_RESAMPLE_QUALITY_HIGH = 5    /* files and application feeds */
};

struct sl_resampler;

/**
 * sl__resampler_create() - a converter from @in_rate to @out_rate Hz
 * (each 1000..192000) at @quality 0..10.
 * Return: the converter, or NULL (bad rate or quality, out of memory).
 */
struct sl_resampler *sl__resampler_create(unsigned in_rate,
					  unsigned out_rate, int quality);

/** Frees @r; NULL is ignored. */
void sl__resampler_destroy(struct sl_resampler *r);

/**
 * sl__resampler_run() - converts up to @in_n samples of @in into at most
 * @out_cap samples of @out. The filter delays its output by a few
 * samples (speexdsp's input latency, zero for a passthrough); integer
 * ratios produce exactly in_n * out_rate / in_rate samples per call once
 * @out_cap allows it.
 * @consumed: receives the input samples used (fewer than @in_n when @out
 *            filled up; the caller passes the rest again).
 * Return: samples written to @out.
 * Thread: the converter's one user; no allocation, no lock.
 */
size_t sl__resampler_run(struct sl_resampler *r, const int16_t *in,
			 size_t in_n, int16_t *out, size_t out_cap,
			 size_t *consumed);

/** Forgets the filter history (a new stream starts). No allocation. */
void sl__resampler_reset(struct sl_resampler *r);

/** The rates given at creation. */
unsigned sl__resampler_in_rate(const struct sl_resampler *r);
unsigned sl__resampler_out_rate(const struct sl_resampler *r);

/** An output size that always holds the conversion of @in_n samples
 * (rounded up, plus one for the fractional phase). */
size_t sl__resampler_out_max(const struct sl_resampler *r, size_t in_n);

#endif /* SL_DEVICE_RESAMPLE_H */
