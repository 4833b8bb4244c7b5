/*
 * lib/device/port.h: struct sl_audio_port, the engine's end of an audio
 * device, and the driver look-up shared by the engine and the drivers.
 *
 * A port holds three lock-free SPSC rings of int16 samples, all sized at
 * creation:
 *   capture   device capture thread -> media thread   (>= 200 ms)
 *   playback  media thread -> device playback thread  (>= 200 ms)
 *   feed      application thread -> "app" device thread (100 ms)
 * plus C11-atomic counters and the global mic/speaker gains, which are
 * applied digitally where samples leave a ring: mic volume and mute as
 * the media thread reads capture, speaker volume and mute as the device
 * takes playback, so a change is heard within one frame.
 *
 * Owns: the rings' storage and the "app" feed resamplers (8, 16, 32 and
 * 48 kHz to the port rate, made at creation; a rate equal to the port's
 * is copied instead).
 * Thread: each function names its thread. Rates: 8000..48000 Hz.
 *
 * Typical engine use:
 *   drv = sl__audio_driver_find(cfg->audio_driver);
 *   rate = cfg->device_rate ? cfg->device_rate :
 *          sl__audio_driver_default_rate(drv);
 *   port = sl__audio_port_create(rate, frame_ms, 0);
 *   drv->open(&dev_cfg, port, &dev);   (dev_cfg.rate 0 or the same rate)
 *   media thread, every frame:
 *     while (sl__audio_port_capture_avail(port) >= frame)
 *             sl__audio_port_read_capture(port, mic, frame); ...
 *     sl__audio_port_write_playback(port, spk, frame);
 *   drv->close(dev); sl__audio_port_destroy(port);
 * The port's rate, frame and buffer are the device's: a driver uses them
 * and refuses a configuration that says otherwise (sl__audio_cfg_check).
 */
#ifndef SL_DEVICE_PORT_H
#define SL_DEVICE_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/device.h"

/** Mute flags for sl__audio_port_set_gain(); the same values as
 * SL_MUTE_IN / SL_MUTE_OUT of sipline/media.h. */
enum {
	SL_AUDIO_MUTE_SPK = 1,  /* speaker: play silence */
	SL_AUDIO_MUTE_MIC = 2   /* microphone: capture reads silence */
};

/** Unity volume (sl_media_set_volume()'s scale is 0..255). */
enum { SL_AUDIO_VOL_UNITY = 255 };

/**
 * struct sl_audio_counters - a snapshot of a port's counters (samples at
 * the port rate unless said). Each counts from creation and wraps at
 * ULONG_MAX (74 hours at 16 kHz on a 32-bit target): compare by
 * difference. Every counter has one writer.
 */
struct sl_audio_counters {
	unsigned long captured;         /* delivered by the capture device */
	unsigned long capture_dropped;  /* of those, lost: capture ring full */
	unsigned long read;             /* taken by the media thread */
	unsigned long written;          /* queued by the media thread */
	unsigned long played;           /* taken by the playback device */
	unsigned long underrun;         /* silence played: ring empty */
	unsigned long fed;              /* "app": accepted, caller's rate */
	unsigned long feed_dropped;     /* "app": refused, caller's rate */
	unsigned long xruns;            /* device over/underruns recovered */
};

/**
 * sl__audio_port_create() - a port for a device at @rate Hz (8000..48000)
 * with @frame_ms frames (5, 10 or 20; 0: 10) and a device buffer of
 * @buffer_ms (>= 2 frames; 0: 4 frames; at most 1000). rate * frame_ms
 * must be a whole number of samples per frame (44100 Hz at 5 ms is not).
 * The capture and playback rings hold at least 200 ms and two device
 * buffers, rounded up to a power of two.
 * Return: the port, or NULL (bad argument, out of memory).
 * Thread: the engine's owner thread, at start-up.
 */
struct sl_audio_port *sl__audio_port_create(unsigned rate, unsigned frame_ms,
					    unsigned buffer_ms);

/** Frees @port once no device uses it (close the device first). NULL is
 * ignored. */
void sl__audio_port_destroy(struct sl_audio_port *port);

/** The port's rate (Hz), frame length (samples and ms) and device buffer
 * (ms) as fixed at creation. Thread: any. */
unsigned sl__audio_port_rate(const struct sl_audio_port *port);
unsigned sl__audio_port_frame(const struct sl_audio_port *port);
unsigned sl__audio_port_frame_ms(const struct sl_audio_port *port);
unsigned sl__audio_port_buffer_ms(const struct sl_audio_port *port);

/**
 * sl__audio_port_read_capture() - moves up to @n captured samples into
 * @pcm, with the mic volume and mute applied.
 * Return: samples moved (<= @n; 0 when none wait).
 * Thread: the media thread (the capture ring's consumer).
 */
size_t sl__audio_port_read_capture(struct sl_audio_port *port, int16_t *pcm,
				   size_t n);

/** Captured samples waiting. Thread: the media thread. */
size_t sl__audio_port_capture_avail(struct sl_audio_port *port);

/**
 * sl__audio_port_write_playback() - queues up to @n samples for the
 * speaker (speaker volume and mute are applied when the device takes
 * them).
 * Return: samples queued (fewer than @n when the ring is full).
 * Thread: the media thread (the playback ring's producer).
 */
size_t sl__audio_port_write_playback(struct sl_audio_port *port,
				     const int16_t *pcm, size_t n);

/** Room in the playback ring (a lower bound). Thread: the media thread. */
size_t sl__audio_port_playback_room(struct sl_audio_port *port);

/**
 * sl__audio_port_set_gain() - mic and speaker volume, 0..255 (255:
 * unchanged; larger values count as 255), and SL_AUDIO_MUTE_* flags.
 * The three are published together as one atomic word.
 * Thread: any.
 */
void sl__audio_port_set_gain(struct sl_audio_port *port, unsigned mic_vol,
			     unsigned spk_vol, unsigned mute_flags);

/**
 * sl__audio_port_feed() - the application's PCM for the "app" capture
 * device: @n samples at @rate (8000, 16000, 32000 or 48000) converted to
 * the port rate and queued, up to 100 ms at the port rate. What does not
 * fit is refused (counted in feed_dropped).
 * Return: samples taken from @pcm (<= @n, at most INT_MAX), or SL_EINVAL
 * (NULL with @n > 0, unsupported rate), SL_ESTATE (the capture device is
 * not "app").
 * Thread: one application thread at a time (the feed ring's producer).
 */
int sl__audio_port_feed(struct sl_audio_port *port, const int16_t *pcm,
			size_t n, unsigned rate);

/** Copies the counters. Thread: any (each field is read atomically; the
 * set is not one instant). */
void sl__audio_port_counters(struct sl_audio_port *port,
			     struct sl_audio_counters *out);

/* ---- for drivers (lib/device/) ---- */

/** The "app" device: @on 1 at open, 0 at close; feeding is refused while
 * no "app" device is open. Thread: the driver's opener. */
void sl__audio_port_set_app(struct sl_audio_port *port, int on);

/** Takes up to @n fed samples into @pcm. Return: samples taken.
 * Thread: the "app" device thread (the feed ring's consumer). */
size_t sl__audio_port_feed_take(struct sl_audio_port *port, int16_t *pcm,
				size_t n);

/** Counts one device over/underrun. Thread: any device thread (an
 * atomic add: the ALSA capture and playback threads both count). */
void sl__audio_port_count_xrun(struct sl_audio_port *port);

/* ---- driver look-up (lib/device/devices.c) ---- */

/** The built-in driver named @name ("virtual", "alsa"), or NULL (unknown,
 * or "alsa" in a build without ALSA). "" and NULL mean "virtual".
 * Thread: any. */
const struct sl_audio_driver *sl__audio_driver_find(const char *name);

/** The rate a driver prefers when the configuration says 0: 48000 for
 * "alsa", 16000 otherwise. Thread: any. */
unsigned sl__audio_driver_default_rate(const struct sl_audio_driver *drv);

/**
 * sl__audio_cfg_check() - checks @cfg against the port a driver was given:
 * cfg->rate and cfg->frame_ms must be 0 or equal the port's (the port's
 * values are the ones used), cfg->buffer_ms 0 or >= 2 frames.
 * Return: 0 or SL_EINVAL.
 */
int sl__audio_cfg_check(const struct sl_audio_dev_config *cfg,
			const struct sl_audio_port *port);

/**
 * sl__audio_parse_index() - a device name that is a decimal number
 * ("0".."9999") selects by index.
 * Return: the index, or -1 when @name is not one.
 */
int sl__audio_parse_index(const char *name);

#endif /* SL_DEVICE_PORT_H */
