/*
 * include/sipline/codec.h: the audio codec plug-in interface and the
 * codec registry.
 *
 * A codec is a table of functions (struct sl_codec) over one state block
 * whose size the codec declares; the media engine allocates that block
 * once per call at call set-up (never per packet) and runs encode, decode
 * and plc on the call's media thread only. A state block holds both the
 * encoder and the decoder of one call, so a codec needs no locking.
 *
 * Built in (codecs/): PCMU, PCMA (G.711), G722, L16 (8/16/44.1/48 kHz,
 * mono), opus (libopus), telephone-event (RFC 4733, handled by the engine,
 * listed here so SDP can offer it) and CN (RFC 3389).
 *
 * Thread: sl_codec_register() from any thread, before the UA that uses
 * the codec is created; lookups from any thread. Codec functions: the
 * media thread that owns the call (fmtp functions: any thread).
 */
#ifndef SIPLINE_CODEC_H
#define SIPLINE_CODEC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * struct sl_codec_params - the negotiated parameters of one codec
 * instance. Fields a codec does not use are ignored; 0 means "the codec's
 * default" everywhere.
 * @bitrate:     target bits per second (opus; ignored by fixed-rate codecs).
 * @ptime_ms:    packet duration, a multiple of 10 from 10 to 60.
 * @fec:         opus useinbandfec (1: use and send in-band FEC).
 * @dtx:         opus usedtx.
 * @cbr:         opus cbr.
 * @stereo:      opus stereo (the peer prefers stereo); sipline itself
 *               captures and plays mono.
 * @maxplaybackrate: opus maxplaybackrate (Hz).
 * @maxaveragebitrate: opus maxaveragebitrate (bit/s).
 */
struct sl_codec_params {
	uint32_t bitrate;
	unsigned ptime_ms;
	int fec;
	int dtx;
	int cbr;
	int stereo;
	uint32_t maxplaybackrate;
	uint32_t maxaveragebitrate;
};

/**
 * struct sl_codec - one codec. Every function returns a negative enum
 * sl_err on failure.
 * @name:        the SDP encoding name ("PCMU", "opus"); matched without
 *               regard to case.
 * @clock_rate:  the RTP clock rate (G.722: 8000, RFC 3551 §4.5.2).
 * @sample_rate: the PCM rate encode takes and decode gives (G.722:
 *               16000). PCM is always signed 16-bit mono, host order.
 * @channels:    the SDP channel count (opus: 2; others 1).
 * @static_pt:   the RFC 3551 payload type, or -1 for a dynamic one.
 * @min_ptime_ms, @max_ptime_ms: the packet durations it supports.
 * @state_size:  bytes of one state block (encoder and decoder).
 * @init:        prepares @state (state_size bytes, zeroed) for @p.
 *               NULL: nothing to prepare.
 * @fini:        releases what init took (opus frees nothing: its state
 *               lives inside @state). NULL: nothing.
 * @encode:      encodes @n samples (one packet's worth at sample_rate)
 *               into @out (@cap bytes). Return: bytes written.
 * @decode:      decodes one payload. Return: samples written into @pcm
 *               (room for @cap samples).
 * @plc:         conceals one lost packet of @n samples. NULL: the engine
 *               repeats the last frame with a fade-out.
 * @decode_fec:  rebuilds a lost packet of @n samples from the in-band FEC
 *               in the packet after it (@next, @next_len). NULL: none.
 * @set_bitrate: changes the encoder's rate mid-call. NULL: fixed rate.
 * @fmtp_parse:  reads an SDP fmtp value (@len bytes, not NUL-terminated)
 *               into @p; unknown parameters are ignored. NULL: none.
 * @fmtp_format: writes the fmtp value sipline offers for @p. Return: its
 *               length (0: no fmtp line). NULL: none.
 */
struct sl_codec {
	const char *name;
	uint32_t clock_rate;
	uint32_t sample_rate;
	uint8_t channels;
	int static_pt;
	unsigned min_ptime_ms;
	unsigned max_ptime_ms;
	size_t state_size;
	int (*init)(void *state, const struct sl_codec_params *p);
	void (*fini)(void *state);
	int (*encode)(void *state, const int16_t *pcm, size_t n,
		      uint8_t *out, size_t cap);
	int (*decode)(void *state, const uint8_t *in, size_t len,
		      int16_t *pcm, size_t cap);
	int (*plc)(void *state, int16_t *pcm, size_t n);
	int (*decode_fec)(void *state, const uint8_t *next, size_t next_len,
			  int16_t *pcm, size_t n);
	int (*set_bitrate)(void *state, uint32_t bps);
	int (*fmtp_parse)(struct sl_codec_params *p, const char *fmtp,
			  size_t len);
	int (*fmtp_format)(const struct sl_codec_params *p, char *out,
			   size_t cap);
};

enum { SL_CODEC_MAX = 32 };    /* registry slots, built-ins included */

/**
 * sl_codec_register() - adds @c to the process-wide registry, so SDP can
 * offer it (list its name in sl_ua_config.audio_codecs) and calls can use
 * it. @c must stay valid for the life of the process.
 * Return: 0 on success.
 * Errors: SL_EINVAL - @c is NULL, has no name, encode or decode, a zero
 * rate or bad ptimes; SL_EEXIST - a codec with the same name and clock
 * rate is registered already; SL_ELIMIT - SL_CODEC_MAX codecs are
 * registered.
 * Thread: any; not concurrently with sl_ua_create().
 */
int sl_codec_register(const struct sl_codec *c);

/**
 * sl_codec_find() - the codec called @name (case-insensitive) with RTP
 * clock @clock_rate (0: any).
 * Return: the codec, or NULL when none matches.
 * Thread: any.
 */
const struct sl_codec *sl_codec_find(const char *name, uint32_t clock_rate);

/**
 * sl_codec_list() - copies up to @cap registered codecs into @out, in
 * registration order (built-ins first).
 * Return: how many are registered (may exceed @cap).
 * Thread: any.
 */
size_t sl_codec_list(const struct sl_codec **out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_CODEC_H */
