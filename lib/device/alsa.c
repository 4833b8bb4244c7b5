/*
 * lib/device/alsa.c: the "alsa" audio driver (alsa-lib PCM devices).
 *
 * Owns: one struct adev per open(): a capture and a playback PCM handle,
 * one thread each, and their frame buffers.
 * Thread: list/open/close on the engine's owner thread. The capture
 * thread alone uses the capture handle (snd_pcm_wait, then snd_pcm_readi
 * of one frame, pushed to the port); the playback thread alone uses the
 * playback handle (a frame taken from the port, snd_pcm_writei). Waits
 * are bounded, so close() only sets a flag, joins, and then drops and
 * closes the handles itself: no handle is ever used by two threads.
 * Called by: lib/media through struct sl_audio_driver.
 *
 * Format: SND_PCM_FORMAT_S16 (the host's int16), one channel, the port
 * rate exactly; period = one frame, buffer = buffer_ms. A "hw:" device
 * that refuses that is retried as "plughw:", which converts.
 * Over/underruns (-EPIPE) and suspends (-ESTRPIPE) go through
 * snd_pcm_recover() and are counted in the port's xruns counter.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <alsa/asoundlib.h>

#include "core/log.h"
#include "core/mem.h"
#include "device/port.h"
#include "sipline/device.h"
#include "sipline/error.h"

enum {
	MAX_LIST = 128,         /* devices scanned to resolve an index */
	MAX_HINTS = 4096        /* bound on the hint walk */
};

/* Slack a device may run ahead of real time before we pace it. */
#define PACE_SLACK_NS 100000000LL

struct adev;

/* One direction. */
struct adir {
	struct adev *dev;
	snd_pcm_t *pcm;
	int capture;
	int started;                    /* thread running */
	int failed;                     /* unrecoverable error logged */
	char name[96];
	int16_t *buf;                   /* one frame */
	size_t pend_off, pend_n;        /* playback: frame part not written */
	struct timespec t0;             /* pacing reference */
	unsigned long long frames;      /* moved since t0 */
	pthread_t thread;
};

struct adev {
	struct sl_audio_port *port;
	unsigned rate;
	unsigned frame;                 /* samples */
	long frame_ns;
	long long buffer_ns;
	int wait_ms;                    /* snd_pcm_wait() bound */
	snd_pcm_uframes_t buffer;       /* frames asked for */
	_Atomic int stop;
	struct adir dir[2];             /* [0] capture, [1] playback */
};

/* Copies @s into @dst, newlines (alsa-lib descriptions have two lines)
 * turned into ", ". */
static void copy_desc(char *dst, size_t cap, const char *s)
{
	size_t j = 0;

	for (size_t i = 0; s && s[i] && j + 1 < cap; i++) {
		if (s[i] == '\n') {
			if (j + 3 > cap)
				break;
			dst[j++] = ',';
			dst[j++] = ' ';
		} else {
			dst[j++] = s[i];
		}
	}
	dst[j] = '\0';
}

/* The PCM devices alsa-lib's configuration names (snd_device_name_hint),
 * "default" first. The hint strings are malloc()ed by alsa-lib and must
 * go back with free(). */
static int alsa_list(struct sl_audio_dev_info *out, size_t cap)
{
	void **hints = NULL;
	int n = 0;

	if (!out && cap)
		return SL_EINVAL;
	if (snd_device_name_hint(-1, "pcm", &hints) < 0 || !hints)
		return SL_EIO;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < MAX_HINTS && hints[i]; i++) {
			char *name = snd_device_name_get_hint(hints[i], "NAME");
			char *desc, *io;
			int is_def;

			if (!name)
				continue;
			is_def = strcmp(name, "default") == 0;
			if ((pass == 0) != is_def) {
				free(name);
				continue;
			}
			if ((size_t)n < cap) {
				struct sl_audio_dev_info *d = &out[n];

				desc = snd_device_name_get_hint(hints[i],
								"DESC");
				io = snd_device_name_get_hint(hints[i],
							      "IOID");
				memset(d, 0, sizeof(*d));
				d->index = n;
				snprintf(d->name, sizeof(d->name), "%s", name);
				copy_desc(d->description,
					  sizeof(d->description), desc);
				/* No IOID: both directions. */
				d->capture = !io || strcmp(io, "Input") == 0;
				d->playback = !io || strcmp(io, "Output") == 0;
				d->is_default = is_def;
				free(desc);
				free(io);
			}
			free(name);
			n++;
		}
	}
	snd_device_name_free_hint(hints);
	return n;
}

/* The device name to open for @cfg_name: "" and NULL are "default", a
 * number an index into alsa_list(). */
static int resolve(const char *cfg_name, int capture, char *out,
		   size_t cap)
{
	struct sl_audio_dev_info *list;
	int idx, n, rc = SL_ENOTFOUND;

	if (!cfg_name || !cfg_name[0]) {
		snprintf(out, cap, "default");
		return 0;
	}
	idx = sl__audio_parse_index(cfg_name);
	if (idx < 0) {
		if (strlen(cfg_name) >= cap)
			return SL_EINVAL;
		snprintf(out, cap, "%s", cfg_name);
		return 0;
	}
	list = sl__calloc(MAX_LIST, sizeof(*list));
	if (!list)
		return SL_ENOMEM;
	n = alsa_list(list, MAX_LIST);
	if (n < 0) {
		rc = n;
	} else if (idx < n && idx < MAX_LIST &&
		   (capture ? list[idx].capture : list[idx].playback)) {
		snprintf(out, cap, "%s", list[idx].name);
		rc = 0;
	}
	sl__free(list);
	return rc;
}

/* hw/sw parameters for one handle. */
static int setup(struct adev *d, snd_pcm_t *pcm, int capture)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t period = d->frame, buffer = d->buffer;
	int rc, dir = 0;

	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	if ((rc = snd_pcm_hw_params_any(pcm, hw)) < 0 ||
	    (rc = snd_pcm_hw_params_set_access(pcm, hw,
			SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (rc = snd_pcm_hw_params_set_format(pcm, hw,
					       SND_PCM_FORMAT_S16)) < 0 ||
	    (rc = snd_pcm_hw_params_set_channels(pcm, hw, 1)) < 0 ||
	    (rc = snd_pcm_hw_params_set_rate(pcm, hw, d->rate, 0)) < 0 ||
	    (rc = snd_pcm_hw_params_set_period_size_near(pcm, hw, &period,
							 &dir)) < 0 ||
	    (rc = snd_pcm_hw_params_set_buffer_size_near(pcm, hw,
							 &buffer)) < 0 ||
	    (rc = snd_pcm_hw_params(pcm, hw)) < 0)
		return rc;
	snd_pcm_hw_params_get_period_size(hw, &period, &dir);
	snd_pcm_hw_params_get_buffer_size(hw, &buffer);
	if ((rc = snd_pcm_sw_params_current(pcm, sw)) < 0 ||
	    (rc = snd_pcm_sw_params_set_avail_min(pcm, sw, period)) < 0 ||
	    /* Playback starts once two periods are queued, so the first
	     * write does not underrun at once. */
	    (rc = snd_pcm_sw_params_set_start_threshold(pcm, sw,
			capture ? 1 : (2 * period < buffer ? 2 * period :
				       buffer))) < 0 ||
	    (rc = snd_pcm_sw_params(pcm, sw)) < 0)
		return rc;
	return snd_pcm_prepare(pcm);
}

static int open_dir(struct adev *d, struct adir *a)
{
	snd_pcm_stream_t stream = a->capture ? SND_PCM_STREAM_CAPTURE :
					       SND_PCM_STREAM_PLAYBACK;
	int rc;

	for (int attempt = 0; attempt < 2; attempt++) {
		rc = snd_pcm_open(&a->pcm, a->name, stream, 0);
		if (rc < 0) {
			sl_log_warn("device", "alsa %s: %s", a->name,
				    snd_strerror(rc));
			return rc == -ENOENT || rc == -ENODEV ? SL_ENOTFOUND :
								SL_EIO;
		}
		rc = setup(d, a->pcm, a->capture);
		if (rc == 0)
			return 0;
		sl_log_warn("device", "alsa %s: S16 mono %u Hz: %s",
			    a->name, d->rate, snd_strerror(rc));
		snd_pcm_close(a->pcm);
		a->pcm = NULL;
		/* A raw card does not convert: let the plug layer do it. */
		if (attempt > 0 || strncmp(a->name, "hw:", 3) != 0 ||
		    strlen(a->name) + 4 >= sizeof(a->name))
			break;
		memmove(a->name + 4, a->name, strlen(a->name) + 1);
		memcpy(a->name, "plug", 4);
	}
	return SL_EIO;
}

static long long since_ns(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (long long)(now.tv_sec - t0->tv_sec) * 1000000000LL +
	       (now.tv_nsec - t0->tv_nsec);
}

static void sleep_ns(long long ns)
{
	struct timespec t = { .tv_sec = (time_t)(ns / 1000000000LL),
			      .tv_nsec = (long)(ns % 1000000000LL) };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR)
		;
}

/*
 * Counts @n frames moved and, when the device is further ahead of real
 * time than its buffer allows, sleeps it back. A sound card blocks and
 * never trips this; PCMs that never block (alsa-lib's "null" and "file"
 * plugins, broken drivers) would otherwise spin a core and flood the
 * rings. The slack grows by 0.1% of the running time so a card whose
 * clock is fast is never slowed down.
 */
static void pace(struct adev *d, struct adir *a, size_t n)
{
	unsigned long long f;
	long long media_ns, real_ns, ahead;

	a->frames += n;
	f = a->frames;
	media_ns = (long long)(f / d->rate) * 1000000000LL +
		   (long long)(f % d->rate) * 1000000000LL / d->rate;
	real_ns = since_ns(&a->t0);
	ahead = media_ns - real_ns;
	if (ahead > d->buffer_ns + PACE_SLACK_NS + real_ns / 1000)
		sleep_ns(ahead - d->buffer_ns);
}

/* After an error from wait/read/write: recover, or wait a frame. */
static void recover(struct adev *d, struct adir *a, int err)
{
	int rc;

	if (err == -EPIPE || err == -ESTRPIPE)
		sl__audio_port_count_xrun(d->port);
	rc = snd_pcm_recover(a->pcm, err, 1);
	if (rc == 0 && a->capture)
		rc = snd_pcm_start(a->pcm);
	if (rc == 0) {
		a->failed = 0;
		return;
	}
	if (!a->failed)
		sl_log_error("device", "alsa %s: %s", a->name,
			     snd_strerror(err));
	a->failed = 1;
	/* The device is gone or stuck: keep the engine's clock going with
	 * silence (capture) and try again a frame later. */
	if (a->capture) {
		memset(a->buf, 0, d->frame * sizeof(*a->buf));
		sl_audio_port_capture(d->port, a->buf, d->frame);
	}
	sleep_ns(d->frame_ns);
	snd_pcm_prepare(a->pcm);
	if (a->capture)
		snd_pcm_start(a->pcm);
}

static void *capture_run(void *arg)
{
	struct adir *a = arg;
	struct adev *d = a->dev;

	clock_gettime(CLOCK_MONOTONIC, &a->t0);
	snd_pcm_start(a->pcm);
	while (!atomic_load_explicit(&d->stop, memory_order_acquire)) {
		snd_pcm_sframes_t r = snd_pcm_wait(a->pcm, d->wait_ms);

		if (r == 0)
			continue;       /* timed out: look at the flag */
		if (r < 0) {
			recover(d, a, (int)r);
			continue;
		}
		/* Some plugins leave the buffer as it was: no stale data. */
		memset(a->buf, 0, d->frame * sizeof(*a->buf));
		r = snd_pcm_readi(a->pcm, a->buf, d->frame);
		if (r == -EAGAIN)
			continue;
		if (r < 0) {
			recover(d, a, (int)r);
			continue;
		}
		sl_audio_port_capture(d->port, a->buf, (size_t)r);
		pace(d, a, (size_t)r);
	}
	return NULL;
}

static void *playback_run(void *arg)
{
	struct adir *a = arg;
	struct adev *d = a->dev;

	clock_gettime(CLOCK_MONOTONIC, &a->t0);
	while (!atomic_load_explicit(&d->stop, memory_order_acquire)) {
		snd_pcm_sframes_t r = snd_pcm_wait(a->pcm, d->wait_ms);

		if (r == 0)
			continue;
		if (r < 0) {
			recover(d, a, (int)r);
			continue;
		}
		if (a->pend_n == 0) {
			/* Silence on underrun, so the card keeps running. */
			sl_audio_port_playback(d->port, a->buf, d->frame);
			a->pend_off = 0;
			a->pend_n = d->frame;
		}
		r = snd_pcm_writei(a->pcm, a->buf + a->pend_off, a->pend_n);
		if (r == -EAGAIN)
			continue;
		if (r < 0) {
			recover(d, a, (int)r);
			continue;
		}
		a->pend_off += (size_t)r;
		a->pend_n -= (size_t)r;
		pace(d, a, (size_t)r);
	}
	return NULL;
}

/* Joins the threads, then closes the handles (this thread only). */
static void release(struct adev *d)
{
	atomic_store_explicit(&d->stop, 1, memory_order_release);
	for (int i = 0; i < 2; i++)
		if (d->dir[i].started)
			pthread_join(d->dir[i].thread, NULL);
	for (int i = 0; i < 2; i++) {
		if (!d->dir[i].pcm)
			continue;
		snd_pcm_drop(d->dir[i].pcm);
		snd_pcm_close(d->dir[i].pcm);
	}
	sl__free(d);
}

static int alsa_open(const struct sl_audio_dev_config *cfg,
		     struct sl_audio_port *port, void **dev)
{
	struct adev *d;
	unsigned frame, buffer_ms;
	int rc;

	if (!cfg || !port || !dev)
		return SL_EINVAL;
	rc = sl__audio_cfg_check(cfg, port);
	if (rc < 0)
		return rc;
	frame = sl__audio_port_frame(port);
	d = sl__calloc(1, sizeof(*d) + 2 * (size_t)frame * sizeof(int16_t));
	if (!d)
		return SL_ENOMEM;
	buffer_ms = cfg->buffer_ms ? cfg->buffer_ms :
				     sl__audio_port_buffer_ms(port);
	d->port = port;
	d->rate = sl__audio_port_rate(port);
	d->frame = frame;
	d->frame_ns = (long)sl__audio_port_frame_ms(port) * 1000000L;
	d->buffer = (snd_pcm_uframes_t)d->rate * buffer_ms / 1000;
	d->buffer_ns = (long long)buffer_ms * 1000000LL;
	/* Long enough for a period to complete, short enough for close. */
	d->wait_ms = (int)buffer_ms + 20;
	atomic_init(&d->stop, 0);
	for (int i = 0; i < 2; i++) {
		struct adir *a = &d->dir[i];

		a->dev = d;
		a->capture = i == 0;
		a->buf = (int16_t *)(d + 1) + (size_t)i * frame;
		rc = resolve(a->capture ? cfg->capture : cfg->playback,
			     a->capture, a->name, sizeof(a->name));
		if (rc == 0)
			rc = open_dir(d, a);
		if (rc < 0) {
			release(d);
			return rc;
		}
	}
	for (int i = 0; i < 2; i++) {
		struct adir *a = &d->dir[i];

		if (pthread_create(&a->thread, NULL,
				   a->capture ? capture_run : playback_run,
				   a) != 0) {
			release(d);
			return SL_ENOMEM;
		}
		a->started = 1;
		pthread_setname_np(a->thread, a->capture ? "sl-alsa-rec" :
							  "sl-alsa-play");
	}
	*dev = d;
	return 0;
}

static void alsa_close(void *dev)
{
	if (dev)
		release(dev);
}

static const struct sl_audio_driver alsa_driver = {
	.name = "alsa",
	.list = alsa_list,
	.open = alsa_open,
	.close = alsa_close,
};

const struct sl_audio_driver *const sl_audio_driver_alsa = &alsa_driver;
