/*
 * lib/device/virtual.c: the "virtual" audio driver, devices for boxes
 * without a sound card (names in sipline/device.h).
 *
 * Owns: one struct vdev per open(): its thread, the "wav:" file and its
 * resampler, and the frame buffers.
 * Thread: open/close on the engine's owner thread. Each open device runs
 * one thread that keeps real time with an absolute monotonic deadline,
 * one frame per frame_ms. Every tick it first takes a frame of playback
 * from the port (the playback ring's consumer) and hands it to the sink,
 * then makes a frame of capture (the capture ring's producer), so
 * "loopback" capture is exactly the frame just played. File reads and
 * writes happen on this thread, never on the media thread.
 * Called by: lib/media through struct sl_audio_driver.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "device/port.h"
#include "device/resample.h"
#include "device/wav.h"
#include "sipline/device.h"
#include "sipline/error.h"

enum src_kind { SRC_NULL, SRC_TONE, SRC_WAV, SRC_APP, SRC_LOOPBACK };
enum sink_kind { SINK_NULL, SINK_WAV, SINK_LOOPBACK };

enum {
	IN_CHUNK = 512,         /* "wav:" capture: file frames per read */
	CATCH_UP_FRAMES = 8     /* further behind than this: resynchronise */
};

#define TONE_LEVEL_DEFAULT (-10.0)      /* dBFS, when the name gives none */
#define TWO_PI 6.28318530717958647692

struct vdev {
	struct sl_audio_port *port;
	unsigned rate;
	unsigned frame;                 /* samples per tick */
	long frame_ns;
	enum src_kind src;
	enum sink_kind sink;
	/* "tone:" */
	int n_tones;
	double amp;                     /* peak of each tone, in samples */
	double step[2];                 /* radians per sample */
	double phase[2];
	/* "wav:" capture */
	struct sl_wav_reader rd;
	struct sl_resampler *rs;        /* file rate -> device rate */
	int loop;
	int ended;
	size_t in_len, in_pos;
	int16_t *in_buf;                /* IN_CHUNK */
	/* "wav:" playback */
	struct sl_wav_writer wr;
	int wr_open;
	int wr_failed;                  /* logged once */
	int16_t *cap_buf;               /* frame */
	int16_t *play_buf;              /* frame */
	pthread_t thread;
	_Atomic int stop;
};

/* What list() shows; a decimal device name is an index into it. */
static const struct {
	const char *name;
	const char *desc;
	int capture, playback;
} vlist[] = {
	{ "null", "silence (capture), discards (playback)", 1, 1 },
	{ "tone:1000@-10", "sine or dual tone: tone:F1[+F2][@LEVEL_DBFS]",
	  1, 0 },
	{ "app", "PCM fed by the application (sl_media_feed_pcm)", 1, 0 },
	{ "loopback", "capture what playback plays", 1, 1 },
	{ "wav:PATH", "WAV file: wav:/path/to/file.wav (16-bit PCM)", 1, 1 },
};
enum { N_VLIST = sizeof(vlist) / sizeof(vlist[0]) };

static int vlist_devices(struct sl_audio_dev_info *out, size_t cap)
{
	for (size_t i = 0; i < N_VLIST && i < cap; i++) {
		struct sl_audio_dev_info *d = &out[i];

		memset(d, 0, sizeof(*d));
		d->index = (int)i;
		snprintf(d->name, sizeof(d->name), "%s", vlist[i].name);
		snprintf(d->description, sizeof(d->description), "%s",
			 vlist[i].desc);
		d->capture = vlist[i].capture;
		d->playback = vlist[i].playback;
		d->is_default = i == 0;
	}
	return N_VLIST;
}

/* Takes a run of decimal digits (at most @max_digits) from *@s. */
static int take_uint(const char **s, unsigned max_digits, unsigned *v)
{
	const char *p = *s;
	unsigned n = 0, k = 0;

	while (*p >= '0' && *p <= '9') {
		if (++k > max_digits)
			return -1;
		n = n * 10 + (unsigned)(*p++ - '0');
	}
	if (k == 0)
		return -1;
	*s = p;
	*v = n;
	return 0;
}

/*
 * "F1[+F2][@LEVEL_DBFS]": frequencies in whole Hz below half the rate,
 * LEVEL as [-+]digits[.digits], -120..0; each tone peaks at LEVEL
 * relative to full scale (a 0 dBFS sine just reaches +/-32767).
 */
static int parse_tone(struct vdev *d, const char *spec)
{
	const char *p = spec;
	double level = TONE_LEVEL_DEFAULT;
	unsigned f[2];

	for (d->n_tones = 0; d->n_tones < 2; d->n_tones++) {
		unsigned *fi = &f[d->n_tones];

		if (d->n_tones == 1) {
			if (*p != '+')
				break;
			p++;
		}
		if (take_uint(&p, 6, fi) < 0 || *fi == 0 ||
		    2 * *fi >= d->rate)
			return SL_EINVAL;
	}
	if (*p == '@') {
		unsigned whole, frac = 0, scale = 1;
		int neg = 0;

		p++;
		if (*p == '-' || *p == '+')
			neg = *p++ == '-';
		if (take_uint(&p, 3, &whole) < 0)
			return SL_EINVAL;
		if (*p == '.') {
			const char *q = ++p;

			if (take_uint(&p, 3, &frac) < 0)
				return SL_EINVAL;
			while (q++ < p)
				scale *= 10;
		}
		level = whole + (double)frac / scale;
		if (neg)
			level = -level;
		if (level > 0.0 || level < -120.0)
			return SL_EINVAL;
	}
	if (*p)
		return SL_EINVAL;
	d->amp = 32767.0 * pow(10.0, level / 20.0);
	for (int i = 0; i < d->n_tones; i++) {
		d->step[i] = TWO_PI * f[i] / d->rate;
		d->phase[i] = 0.0;
	}
	return 0;
}

static void gen_tone(struct vdev *d, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		double v = 0.0;

		for (int t = 0; t < d->n_tones; t++) {
			v += d->amp * sin(d->phase[t]);
			d->phase[t] += d->step[t];
			if (d->phase[t] >= TWO_PI)
				d->phase[t] -= TWO_PI;
		}
		v = v >= 0 ? v + 0.5 : v - 0.5;
		if (v > 32767.0)
			v = 32767.0;
		if (v < -32768.0)
			v = -32768.0;
		out[i] = (int16_t)v;
	}
}

/*
 * Refills in_buf from the file, starting over at its end when looping
 * (several times for files shorter than a chunk). Return: samples, 0 at
 * the end without loop or on a read error.
 */
static size_t wav_refill(struct vdev *d)
{
	size_t have = 0;

	for (int k = 0; have < IN_CHUNK && k < 16; k++) {
		int r = sl__wav_read(&d->rd, d->in_buf + have,
				     IN_CHUNK - have);

		if (r < 0) {
			sl_log_warn("device", "wav capture: read failed, "
				    "silence from now on");
			break;
		}
		if (r == 0) {
			if (!d->loop || d->rd.frames == 0)
				break;
			sl__wav_rewind(&d->rd);
			continue;
		}
		have += (size_t)r;
	}
	return have;
}

/* A frame of the "wav:" file at the device rate: the file, then (unless
 * looping) silence once the resampler's tail is out. */
static void wav_fill(struct vdev *d, int16_t *out, size_t n)
{
	size_t made = 0;

	/* Bounded: a pass refills a chunk or converts one. */
	for (int pass = 0; made < n && pass < 64; pass++) {
		size_t used = 0;

		if (d->in_pos == d->in_len) {
			d->in_len = d->ended ? 0 : wav_refill(d);
			if (d->in_len == 0) {
				/* Zeros push the filter's tail out. */
				d->ended = 1;
				memset(d->in_buf, 0,
				       IN_CHUNK * sizeof(*d->in_buf));
				d->in_len = IN_CHUNK;
			}
			d->in_pos = 0;
		}
		made += sl__resampler_run(d->rs, d->in_buf + d->in_pos,
					  d->in_len - d->in_pos, out + made,
					  n - made, &used);
		d->in_pos += used;
	}
	if (made < n)
		memset(out + made, 0, (n - made) * sizeof(*out));
}

static void tick(struct vdev *d)
{
	int rc;

	sl_audio_port_playback(d->port, d->play_buf, d->frame);
	if (d->sink == SINK_WAV && !d->wr_failed) {
		rc = sl__wav_write(&d->wr, d->play_buf, d->frame);
		if (rc < 0) {
			d->wr_failed = 1;
			sl_log_warn("device", "wav playback: %s; no more is "
				    "written", sl_strerror(rc));
		}
	}
	switch (d->src) {
	case SRC_NULL:
		memset(d->cap_buf, 0, d->frame * sizeof(*d->cap_buf));
		break;
	case SRC_TONE:
		gen_tone(d, d->cap_buf, d->frame);
		break;
	case SRC_WAV:
		wav_fill(d, d->cap_buf, d->frame);
		break;
	case SRC_APP: {
		size_t got = sl__audio_port_feed_take(d->port, d->cap_buf,
						      d->frame);

		memset(d->cap_buf + got, 0,
		       (d->frame - got) * sizeof(*d->cap_buf));
		break;
	}
	case SRC_LOOPBACK:
		memcpy(d->cap_buf, d->play_buf,
		       d->frame * sizeof(*d->cap_buf));
		break;
	}
	sl_audio_port_capture(d->port, d->cap_buf, d->frame);
}

static void ts_add_ns(struct timespec *t, long ns)
{
	t->tv_nsec += ns;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static long long ts_diff_ns(const struct timespec *a,
			    const struct timespec *b)
{
	return (long long)(a->tv_sec - b->tv_sec) * 1000000000LL +
	       (a->tv_nsec - b->tv_nsec);
}

static void *run(void *arg)
{
	struct vdev *d = arg;
	struct timespec next, now;

	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load_explicit(&d->stop, memory_order_acquire)) {
		tick(d);
		ts_add_ns(&next, d->frame_ns);
		clock_gettime(CLOCK_MONOTONIC, &now);
		/* Suspended or starved for long: start a new time line
		 * rather than burst the missed frames out at once. */
		if (ts_diff_ns(&now, &next) >
		    (long long)CATCH_UP_FRAMES * d->frame_ns)
			next = now;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
	}
	return NULL;
}

/* The name to open: NULL and "" are "null"; a number picks from vlist
 * (SL_ENOTFOUND when out of range or not of that direction). */
static int resolve(const char *name, int capture, const char **out)
{
	int i;

	if (!name || !name[0]) {
		*out = "null";
		return 0;
	}
	i = sl__audio_parse_index(name);
	if (i < 0) {
		*out = name;
		return 0;
	}
	if (i >= N_VLIST ||
	    !(capture ? vlist[i].capture : vlist[i].playback))
		return SL_ENOTFOUND;
	*out = vlist[i].name;
	return 0;
}

static int open_capture(struct vdev *d, const char *name, int loop)
{
	int rc;

	if (strcmp(name, "null") == 0) {
		d->src = SRC_NULL;
	} else if (strcmp(name, "app") == 0) {
		d->src = SRC_APP;
	} else if (strcmp(name, "loopback") == 0) {
		d->src = SRC_LOOPBACK;
	} else if (strncmp(name, "tone:", 5) == 0) {
		d->src = SRC_TONE;
		rc = parse_tone(d, name + 5);
		if (rc < 0) {
			sl_log_warn("device", "bad tone \"%s\"", name);
			return rc;
		}
	} else if (strncmp(name, "wav:", 4) == 0 && name[4]) {
		d->src = SRC_WAV;
		d->loop = loop;
		rc = sl__wav_reader_open(&d->rd, name + 4);
		if (rc < 0)
			return rc;
		d->rs = sl__resampler_create(d->rd.rate, d->rate,
					     SL_RESAMPLE_QUALITY_HIGH);
		if (!d->rs) {
			sl__wav_reader_close(&d->rd);
			return SL_ENOMEM;
		}
	} else {
		sl_log_warn("device", "no virtual capture device \"%s\"",
			    name);
		return SL_ENOTFOUND;
	}
	return 0;
}

static int open_playback(struct vdev *d, const char *name)
{
	int rc;

	if (strcmp(name, "null") == 0) {
		d->sink = SINK_NULL;
	} else if (strcmp(name, "loopback") == 0) {
		d->sink = SINK_LOOPBACK;
	} else if (strncmp(name, "wav:", 4) == 0 && name[4]) {
		d->sink = SINK_WAV;
		rc = sl__wav_writer_open(&d->wr, name + 4, d->rate);
		if (rc < 0)
			return rc;
		d->wr_open = 1;
	} else {
		sl_log_warn("device", "no virtual playback device \"%s\"",
			    name);
		return SL_ENOTFOUND;
	}
	return 0;
}

/* Releases what open_capture()/open_playback() took. */
static void release(struct vdev *d)
{
	if (d->src == SRC_WAV) {
		sl__resampler_destroy(d->rs);
		sl__wav_reader_close(&d->rd);
	}
	if (d->wr_open)
		sl__wav_writer_close(&d->wr);
	sl__free(d);
}

static int vopen(const struct sl_audio_dev_config *cfg,
		 struct sl_audio_port *port, void **dev)
{
	const char *cap, *play;
	struct vdev *d;
	size_t frame;
	int rc;

	if (!cfg || !port || !dev)
		return SL_EINVAL;
	rc = sl__audio_cfg_check(cfg, port);
	if (rc < 0)
		return rc;
	if (resolve(cfg->capture, 1, &cap) < 0 ||
	    resolve(cfg->playback, 0, &play) < 0)
		return SL_ENOTFOUND;
	frame = sl__audio_port_frame(port);
	d = sl__calloc(1, sizeof(*d) + (2 * frame + IN_CHUNK) *
			  sizeof(int16_t));
	if (!d)
		return SL_ENOMEM;
	d->port = port;
	d->rate = sl__audio_port_rate(port);
	d->frame = (unsigned)frame;
	d->frame_ns = (long)sl__audio_port_frame_ms(port) * 1000000L;
	d->cap_buf = (int16_t *)(d + 1);
	d->play_buf = d->cap_buf + frame;
	d->in_buf = d->play_buf + frame;
	d->rd.fd = -1;
	atomic_init(&d->stop, 0);
	rc = open_capture(d, cap, cfg->loop);
	if (rc == 0)
		rc = open_playback(d, play);
	if (rc < 0) {
		release(d);
		return rc;
	}
	if (d->src == SRC_APP) {
		/* No thread consumes the feed ring yet: drop what an earlier
		 * "app" device left, then accept feeding. */
		while (sl__audio_port_feed_take(port, d->cap_buf, frame) > 0)
			;
		sl__audio_port_set_app(port, 1);
	}
	if (pthread_create(&d->thread, NULL, run, d) != 0) {
		if (d->src == SRC_APP)
			sl__audio_port_set_app(port, 0);
		release(d);
		return SL_ENOMEM;
	}
	pthread_setname_np(d->thread, "sl-vaudio");
	*dev = d;
	return 0;
}

static void vclose(void *dev)
{
	struct vdev *d = dev;

	if (!d)
		return;
	/* The thread checks the flag once per frame. */
	atomic_store_explicit(&d->stop, 1, memory_order_release);
	pthread_join(d->thread, NULL);
	if (d->src == SRC_APP)
		sl__audio_port_set_app(d->port, 0);
	release(d);
}

const struct sl_audio_driver sl_audio_driver_virtual = {
	.name = "virtual",
	.list = vlist_devices,
	.open = vopen,
	.close = vclose,
};
