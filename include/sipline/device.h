/*
 * include/sipline/device.h: the audio device plug-in interface.
 *
 * A device driver moves 16-bit mono PCM between a sound card (or a file,
 * a generator, the application) and the media engine. It runs its own
 * thread(s) - the only place where blocking I/O and real-time pacing
 * happen - and talks to the engine only through a struct sl_audio_port:
 * two lock-free single-producer/single-consumer rings, capture (device
 * thread to media thread) and playback (media thread to device thread).
 *
 * Built-in drivers (lib/device/):
 *  - "alsa": alsa-lib PCM devices by name ("default", "hw:0,0",
 *    "plughw:1") or by index into sl_audio_list(); low-latency period
 *    and buffer sizes; xrun recovery.
 *  - "virtual": devices for boxes without a sound card, named by a
 *    string:
 *      capture:  "null" (silence), "tone:F1[+F2][@LEVEL_DBFS]" (a sine or
 *                dual tone), "wav:PATH" (a WAV file, PCM 16-bit, any
 *                rate/mono or stereo; repeats when loop is set, else
 *                silence after its end), "app" (PCM the application
 *                feeds through sl_audio_port_feed()), "loopback" (what
 *                playback last played).
 *      playback: "null" (discards), "wav:PATH" (writes a WAV file whose
 *                header is valid once the device is closed), "loopback".
 *    A virtual device keeps real time with an absolute-deadline clock on
 *    its own thread, one frame per frame_ms.
 *
 * Thread: driver functions from the thread that opens or closes the
 * device (the media engine's owner); port functions as each says.
 */
#ifndef SIPLINE_DEVICE_H
#define SIPLINE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** struct sl_audio_dev_info - one device a driver can open. */
struct sl_audio_dev_info {
	int index;
	char name[96];          /* what to pass to open ("hw:0,0") */
	char description[160];  /* human-readable */
	int capture;            /* 1: can record */
	int playback;           /* 1: can play */
	int is_default;
};

/**
 * struct sl_audio_dev_config - what to open.
 * @capture, @playback: device names (see the drivers above); "" or NULL:
 *              the driver's default ("default" for ALSA, "null" for
 *              virtual). A decimal number selects by index.
 * @rate:       the device's sample rate (8000..48000); 0: 16000 virtual,
 *              48000 ALSA. The engine resamples to each codec's rate.
 * @frame_ms:   frame (ALSA period) length: 5, 10 or 20; 0: 10.
 * @buffer_ms:  ALSA buffer length (>= 2 frames); 0: 4 frames.
 * @loop:       virtual "wav:" capture starts over at its end.
 */
struct sl_audio_dev_config {
	const char *capture;
	const char *playback;
	unsigned rate;
	unsigned frame_ms;
	unsigned buffer_ms;
	int loop;
};

/** The engine's end of a device: opaque to drivers. */
struct sl_audio_port;

/**
 * sl_audio_port_capture() - hands @n captured samples to the engine.
 * When the engine falls behind the ring fills and the oldest unread audio
 * is kept: the samples that did not fit are dropped and counted.
 * Return: samples accepted.
 * Thread: the device's capture thread only (single producer).
 */
size_t sl_audio_port_capture(struct sl_audio_port *port,
			     const int16_t *pcm, size_t n);

/**
 * sl_audio_port_playback() - takes @n samples to play into @pcm. What the
 * engine has not produced yet is filled with silence (an underrun,
 * counted).
 * Return: samples that came from the engine (the rest is silence).
 * Thread: the device's playback thread only (single consumer).
 */
size_t sl_audio_port_playback(struct sl_audio_port *port, int16_t *pcm,
			      size_t n);

/**
 * struct sl_audio_driver - a device driver.
 * @name:   "alsa", "virtual", or the application's own.
 * @list:   fills up to @cap entries. Return: devices found (may exceed
 *          @cap) or a negative enum sl_err.
 * @open:   opens capture and playback per @cfg at cfg->rate, starts the
 *          device thread(s) feeding @port; *@dev receives the instance.
 *          Return: 0 or a negative enum sl_err (SL_ENOTFOUND: no such
 *          device; SL_EIO: the device refused).
 * @close:  stops the threads (bounded: at most one frame plus the time
 *          to close the file or card) and frees the instance.
 */
struct sl_audio_driver {
	const char *name;
	int (*list)(struct sl_audio_dev_info *out, size_t cap);
	int (*open)(const struct sl_audio_dev_config *cfg,
		    struct sl_audio_port *port, void **dev);
	void (*close)(void *dev);
};

/** The built-in drivers; sl_audio_driver_alsa is NULL in a build
 * without ALSA (make NO_ALSA=1). */
extern const struct sl_audio_driver sl_audio_driver_virtual;
extern const struct sl_audio_driver *const sl_audio_driver_alsa;

/**
 * sl_audio_list() - the devices of driver @driver ("alsa" or "virtual").
 * Return: devices found (may exceed @cap) or SL_ENOTFOUND (no such
 * driver), SL_EINVAL, SL_EIO.
 * Thread: any.
 */
int sl_audio_list(const char *driver, struct sl_audio_dev_info *out,
		  size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_DEVICE_H */
