/*
 * lib/device/resample.c: sample-rate conversion over speexdsp.
 *
 * Owns: the struct sl_resampler and its speexdsp state.
 * Thread: see resample.h; created at set-up, run by one thread.
 * Called by: lib/media (codec <-> device rate), lib/device/port.c (the
 * "app" feed) and lib/device/virtual.c ("wav:" capture).
 *
 * speexdsp counts in spx_uint32_t; calls are split so that no count ever
 * exceeds it, whatever size_t holds.
 */
#include "device/resample.h"

#include <speex/speex_resampler.h>
#include <string.h>

#include "core/mem.h"

struct sl_resampler {
	unsigned in_rate;
	unsigned out_rate;
	SpeexResamplerState *st;        /* NULL: passthrough */
};

/* The largest run handed to speexdsp in one call. */
enum { RUN_MAX = 1u << 20 };

struct sl_resampler *sl__resampler_create(unsigned in_rate,
					  unsigned out_rate, int quality)
{
	struct sl_resampler *r;
	int err = 0;

	if (in_rate < 1000 || in_rate > 192000 || out_rate < 1000 ||
	    out_rate > 192000 || quality < 0 || quality > 10)
		return NULL;
	r = sl__calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	if (in_rate == out_rate)
		return r;
	r->st = speex_resampler_init(1, in_rate, out_rate, quality, &err);
	if (!r->st || err != RESAMPLER_ERR_SUCCESS) {
		if (r->st)
			speex_resampler_destroy(r->st);
		sl__free(r);
		return NULL;
	}
	return r;
}

void sl__resampler_destroy(struct sl_resampler *r)
{
	if (!r)
		return;
	if (r->st)
		speex_resampler_destroy(r->st);
	sl__free(r);
}

size_t sl__resampler_run(struct sl_resampler *r, const int16_t *in,
			 size_t in_n, int16_t *out, size_t out_cap,
			 size_t *consumed)
{
	size_t used = 0, made = 0;

	if (!r->st) {
		made = in_n < out_cap ? in_n : out_cap;
		if (made)
			memmove(out, in, made * sizeof(*out));
		*consumed = made;
		return made;
	}
	/* Bounded: each pass uses input or makes output, or stops. */
	while (used < in_n && made < out_cap) {
		spx_uint32_t ilen = (spx_uint32_t)(in_n - used > RUN_MAX ?
						   RUN_MAX : in_n - used);
		spx_uint32_t olen = (spx_uint32_t)(out_cap - made > RUN_MAX ?
						   RUN_MAX : out_cap - made);

		speex_resampler_process_int(r->st, 0, in + used, &ilen,
					    out + made, &olen);
		used += ilen;
		made += olen;
		if (ilen == 0 && olen == 0)
			break;
	}
	*consumed = used;
	return made;
}

void sl__resampler_reset(struct sl_resampler *r)
{
	if (r && r->st)
		speex_resampler_reset_mem(r->st);
}

unsigned sl__resampler_in_rate(const struct sl_resampler *r)
{
	return r->in_rate;
}

unsigned sl__resampler_out_rate(const struct sl_resampler *r)
{
	return r->out_rate;
}

size_t sl__resampler_out_max(const struct sl_resampler *r, size_t in_n)
{
	return (size_t)(((unsigned long long)in_n * r->out_rate +
			 r->in_rate - 1) / r->in_rate) + 1;
}
