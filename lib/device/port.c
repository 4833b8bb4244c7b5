/*
 * lib/device/port.c: struct sl_audio_port, the rings between a device
 * and the media engine (see port.h and sipline/device.h).
 *
 * Owns: one block holding the port, its three rings' storage and the
 * feed scratch buffer; the "app" feed resamplers.
 * Thread: capture ring: device capture thread -> media thread; playback
 * ring: media thread -> device playback thread; feed ring: application
 * thread -> "app" device thread. Gains and counters are C11 atomics.
 * Nothing here blocks, locks or allocates after sl__audio_port_create().
 */
#include "device/port.h"

#include <limits.h>
#include <stdatomic.h>
#include <string.h>

#include "core/mem.h"
#include "core/spsc.h"
#include "device/resample.h"
#include "sipline/error.h"

/* The rates sl__audio_port_feed() accepts (sl_media_feed_pcm()). */
static const unsigned feed_rates[] = { 8000, 16000, 32000, 48000 };
enum { N_FEED_RATES = sizeof(feed_rates) / sizeof(feed_rates[0]) };

/* Feed conversion goes through this many output samples at a time. */
enum { FEED_CHUNK = 480 };

struct sl_audio_port {
	struct sl_spsc cap;             /* device -> media */
	struct sl_spsc play;            /* media -> device */
	struct sl_spsc feed;            /* application -> "app" device */
	unsigned rate;
	unsigned frame;                 /* samples per frame */
	unsigned frame_ms;
	unsigned buffer_ms;
	size_t feed_limit;              /* 100 ms at the port rate */
	_Atomic uint32_t gain;          /* mic | spk << 8 | mute << 16 */
	_Atomic int app_open;
	_Atomic unsigned long captured, capture_dropped, read, written;
	_Atomic unsigned long played, underrun, fed, feed_dropped, xruns;
	/* Application thread only. */
	struct sl_resampler *feed_rs[N_FEED_RATES];
	unsigned feed_rate;             /* rate of the previous feed, or 0 */
	int16_t feed_tmp[FEED_CHUNK];
};

static size_t pow2_at_least(size_t n)
{
	size_t p = 2;

	while (p < n)
		p <<= 1;
	return p;
}

static unsigned long count_load(_Atomic unsigned long *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

static void count_add(_Atomic unsigned long *c, size_t n)
{
	atomic_fetch_add_explicit(c, (unsigned long)n, memory_order_relaxed);
}

struct sl_audio_port *sl__audio_port_create(unsigned rate, unsigned frame_ms,
					    unsigned buffer_ms)
{
	struct sl_audio_port *p;
	size_t ring, feed_cap, ring_ms;
	unsigned char *mem;

	if (frame_ms == 0)
		frame_ms = 10;
	if (buffer_ms == 0)
		buffer_ms = 4 * frame_ms;
	if (rate < 8000 || rate > 48000 ||
	    (frame_ms != 5 && frame_ms != 10 && frame_ms != 20) ||
	    (rate * frame_ms) % 1000 != 0 || buffer_ms < 2 * frame_ms ||
	    buffer_ms > 1000)
		return NULL;
	/* 200 ms, and room for two device buffers of a slow consumer. */
	ring_ms = 2 * (size_t)buffer_ms > 200 ? 2 * (size_t)buffer_ms : 200;
	ring = pow2_at_least((size_t)rate * ring_ms / 1000);
	feed_cap = pow2_at_least((size_t)rate / 10);
	p = sl__calloc(1, sizeof(*p) + (2 * ring + feed_cap) * sizeof(int16_t));
	if (!p)
		return NULL;
	mem = (unsigned char *)(p + 1);
	sl__spsc_init(&p->cap, mem, ring, sizeof(int16_t));
	sl__spsc_init(&p->play, mem + ring * sizeof(int16_t), ring,
		      sizeof(int16_t));
	sl__spsc_init(&p->feed, mem + 2 * ring * sizeof(int16_t), feed_cap,
		      sizeof(int16_t));
	p->rate = rate;
	p->frame = rate * frame_ms / 1000;
	p->frame_ms = frame_ms;
	p->buffer_ms = buffer_ms;
	p->feed_limit = rate / 10;
	atomic_init(&p->gain, SL_AUDIO_VOL_UNITY | SL_AUDIO_VOL_UNITY << 8);
	atomic_init(&p->app_open, 0);
	for (int i = 0; i < N_FEED_RATES; i++) {
		if (feed_rates[i] == rate)
			continue;       /* copied as is */
		p->feed_rs[i] = sl__resampler_create(feed_rates[i], rate,
						     SL_RESAMPLE_QUALITY_HIGH);
		if (!p->feed_rs[i]) {
			sl__audio_port_destroy(p);
			return NULL;
		}
	}
	return p;
}

void sl__audio_port_destroy(struct sl_audio_port *port)
{
	if (!port)
		return;
	for (int i = 0; i < N_FEED_RATES; i++)
		sl__resampler_destroy(port->feed_rs[i]);
	sl__free(port);
}

unsigned sl__audio_port_rate(const struct sl_audio_port *port)
{
	return port->rate;
}

unsigned sl__audio_port_frame(const struct sl_audio_port *port)
{
	return port->frame;
}

unsigned sl__audio_port_frame_ms(const struct sl_audio_port *port)
{
	return port->frame_ms;
}

unsigned sl__audio_port_buffer_ms(const struct sl_audio_port *port)
{
	return port->buffer_ms;
}

/*
 * Scales @n samples by @vol/255 in place (0: silence, 255: untouched).
 * Q15 gain, rounded to nearest; never louder than the input, so no
 * saturation is needed.
 */
static void apply_gain(int16_t *pcm, size_t n, unsigned vol, int mute)
{
	int32_t q;

	if (mute || vol == 0) {
		memset(pcm, 0, n * sizeof(*pcm));
		return;
	}
	if (vol >= SL_AUDIO_VOL_UNITY)
		return;
	q = (int32_t)((vol * 32768u + SL_AUDIO_VOL_UNITY / 2) /
		      SL_AUDIO_VOL_UNITY);
	for (size_t i = 0; i < n; i++)
		pcm[i] = (int16_t)(((int32_t)pcm[i] * q + (1 << 14)) >> 15);
}

size_t sl_audio_port_capture(struct sl_audio_port *port, const int16_t *pcm,
			     size_t n)
{
	size_t took = sl__spsc_push_n(&port->cap, pcm, n);

	count_add(&port->captured, n);
	if (took < n)
		count_add(&port->capture_dropped, n - took);
	return took;
}

size_t sl_audio_port_playback(struct sl_audio_port *port, int16_t *pcm,
			      size_t n)
{
	size_t got = sl__spsc_pop_n(&port->play, pcm, n);
	uint32_t g = atomic_load_explicit(&port->gain, memory_order_relaxed);

	if (got < n) {
		memset(pcm + got, 0, (n - got) * sizeof(*pcm));
		count_add(&port->underrun, n - got);
	}
	count_add(&port->played, got);
	apply_gain(pcm, got, (g >> 8) & 0xff,
		   (g >> 16) & SL_AUDIO_MUTE_SPK);
	return got;
}

size_t sl__audio_port_read_capture(struct sl_audio_port *port, int16_t *pcm,
				   size_t n)
{
	size_t got = sl__spsc_pop_n(&port->cap, pcm, n);
	uint32_t g = atomic_load_explicit(&port->gain, memory_order_relaxed);

	count_add(&port->read, got);
	apply_gain(pcm, got, g & 0xff, (g >> 16) & SL_AUDIO_MUTE_MIC);
	return got;
}

size_t sl__audio_port_capture_avail(struct sl_audio_port *port)
{
	return sl__spsc_count(&port->cap);
}

size_t sl__audio_port_write_playback(struct sl_audio_port *port,
				     const int16_t *pcm, size_t n)
{
	size_t took = sl__spsc_push_n(&port->play, pcm, n);

	count_add(&port->written, took);
	return took;
}

size_t sl__audio_port_playback_room(struct sl_audio_port *port)
{
	return port->play.mask + 1 - sl__spsc_count(&port->play);
}

void sl__audio_port_set_gain(struct sl_audio_port *port, unsigned mic_vol,
			     unsigned spk_vol, unsigned mute_flags)
{
	uint32_t g;

	if (mic_vol > SL_AUDIO_VOL_UNITY)
		mic_vol = SL_AUDIO_VOL_UNITY;
	if (spk_vol > SL_AUDIO_VOL_UNITY)
		spk_vol = SL_AUDIO_VOL_UNITY;
	mute_flags &= SL_AUDIO_MUTE_SPK | SL_AUDIO_MUTE_MIC;
	g = (uint32_t)mic_vol | (uint32_t)spk_vol << 8 |
	    (uint32_t)mute_flags << 16;
	atomic_store_explicit(&port->gain, g, memory_order_relaxed);
}

/* Room left under the 100 ms feed limit (producer side: a lower bound). */
static size_t feed_room(struct sl_audio_port *port)
{
	size_t used = sl__spsc_count(&port->feed);

	return used >= port->feed_limit ? 0 : port->feed_limit - used;
}

int sl__audio_port_feed(struct sl_audio_port *port, const int16_t *pcm,
			size_t n, unsigned rate)
{
	struct sl_resampler *rs = NULL;
	size_t taken = 0;
	int i;

	if (!port || (!pcm && n))
		return SL_EINVAL;
	for (i = 0; i < N_FEED_RATES; i++)
		if (feed_rates[i] == rate)
			break;
	if (i == N_FEED_RATES)
		return SL_EINVAL;
	if (!atomic_load_explicit(&port->app_open, memory_order_acquire))
		return SL_ESTATE;
	if (n > INT_MAX)
		n = INT_MAX;
	rs = port->feed_rs[i];
	if (rate != port->feed_rate) {
		/* A new source: do not mix in the old one's filter tail. */
		sl__resampler_reset(rs);
		port->feed_rate = rate;
	}
	/* Bounded: each pass takes input or makes output, or stops. */
	while (taken < n) {
		size_t room = feed_room(port), used = 0, made;

		if (room == 0)
			break;
		if (!rs) {
			made = sl__spsc_push_n(&port->feed, pcm + taken,
					       n - taken < room ? n - taken :
					       room);
			used = made;
		} else {
			made = sl__resampler_run(rs, pcm + taken, n - taken,
						 port->feed_tmp,
						 room < FEED_CHUNK ? room :
						 FEED_CHUNK, &used);
			sl__spsc_push_n(&port->feed, port->feed_tmp, made);
		}
		taken += used;
		if (used == 0 && made == 0)
			break;
	}
	count_add(&port->fed, taken);
	if (taken < n)
		count_add(&port->feed_dropped, n - taken);
	return (int)taken;
}

void sl__audio_port_counters(struct sl_audio_port *port,
			     struct sl_audio_counters *out)
{
	out->captured = count_load(&port->captured);
	out->capture_dropped = count_load(&port->capture_dropped);
	out->read = count_load(&port->read);
	out->written = count_load(&port->written);
	out->played = count_load(&port->played);
	out->underrun = count_load(&port->underrun);
	out->fed = count_load(&port->fed);
	out->feed_dropped = count_load(&port->feed_dropped);
	out->xruns = count_load(&port->xruns);
}

void sl__audio_port_set_app(struct sl_audio_port *port, int on)
{
	atomic_store_explicit(&port->app_open, on ? 1 : 0,
			      memory_order_release);
}

size_t sl__audio_port_feed_take(struct sl_audio_port *port, int16_t *pcm,
				size_t n)
{
	return sl__spsc_pop_n(&port->feed, pcm, n);
}

void sl__audio_port_count_xrun(struct sl_audio_port *port)
{
	count_add(&port->xruns, 1);
}
