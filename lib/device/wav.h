/*
 * lib/device/wav.h: WAV (RIFF) files of 16-bit PCM, read and written.
 *
 * Reader: RIFF/WAVE with a PCM (or WAVE_FORMAT_EXTENSIBLE PCM) "fmt "
 * chunk, 16-bit, mono or stereo (stereo is mixed down to mono), any rate
 * from 1000 to 192000 Hz. Other chunks (LIST, fact, bext, ...) are
 * skipped. The walk is bounded (at most SL_WAV_MAX_CHUNKS chunks before
 * "data") and every size is checked against the file's. A "data" chunk
 * that claims more than the file holds (a recording cut short) or that
 * says 0 with samples after it (a file still being written, see below)
 * yields what the file holds, and says so in `truncated`.
 *
 * Writer: 16-bit mono at one rate. The 44-byte header is written first
 * with zero sizes, refreshed about once a second of audio and rewritten
 * with the final sizes on close, so a reader sees a valid file once it
 * is closed and a usable one while it is written.
 *
 * Owns: one file descriptor per reader/writer; the structs belong to the
 * caller (no allocation here).
 * Thread: any, one thread per reader/writer at a time; reads and writes
 * block on the file system, so they belong on a device thread, never on
 * the media thread.
 */
#ifndef SL_DEVICE_WAV_H
#define SL_DEVICE_WAV_H

#include <stddef.h>
#include <stdint.h>

enum { SL_WAV_MAX_CHUNKS = 64 };

/**
 * struct sl_wav_reader - an open WAV file.
 * @rate:      samples per second.
 * @channels:  in the file (1 or 2); reads are always mono.
 * @frames:    sample frames in the data chunk (as far as the file goes).
 * @truncated: 1: the data chunk's size was 0 or beyond the file's end.
 */
struct sl_wav_reader {
	int fd;
	unsigned rate;
	unsigned channels;
	uint64_t frames;
	int truncated;
	uint64_t data_off;      /* file offset of the first sample */
	uint64_t pos;           /* next frame to read */
};

/**
 * sl__wav_reader_open() - opens @path and reads its header.
 * Return: 0, or SL_EINVAL (NULL), SL_ENOTFOUND (no such file), SL_EIO
 * (cannot open or read), SL_EPARSE (not RIFF/WAVE, a chunk cut short,
 * no "fmt " before "data", no "data", bad fmt fields, too many chunks),
 * SL_EUNSUPP (not PCM, not 16-bit, more than two channels, rate out of
 * 1000..192000).
 */
int sl__wav_reader_open(struct sl_wav_reader *r, const char *path);

/**
 * sl__wav_read() - reads up to @n frames from the current position as
 * mono samples (stereo: the mean of the two channels).
 * Return: frames read (0 at the end of the data), or SL_EIO.
 */
int sl__wav_read(struct sl_wav_reader *r, int16_t *pcm, size_t n);

/** Goes back to the first frame. */
void sl__wav_rewind(struct sl_wav_reader *r);

/** Closes the file (a closed or zeroed reader is ignored). */
void sl__wav_reader_close(struct sl_wav_reader *r);

/** struct sl_wav_writer - a WAV file being written (16-bit mono). */
struct sl_wav_writer {
	int fd;
	unsigned rate;
	uint32_t bytes;         /* data bytes written */
	uint32_t since_hdr;     /* samples since the header was refreshed */
	int err;                /* first error met, or 0 */
};

/**
 * sl__wav_writer_open() - creates (or truncates) @path for @rate Hz
 * (1000..192000) and writes a header with zero sizes.
 * Return: 0, or SL_EINVAL, SL_ENOTFOUND (no such directory), SL_EIO.
 */
int sl__wav_writer_open(struct sl_wav_writer *w, const char *path,
			unsigned rate);

/**
 * sl__wav_write() - appends @n samples.
 * Return: 0, or SL_EIO (write failed; later writes fail too), SL_ELIMIT
 * (the 4 GiB RIFF limit: nothing more is written).
 */
int sl__wav_write(struct sl_wav_writer *w, const int16_t *pcm, size_t n);

/**
 * sl__wav_writer_close() - writes the final sizes and closes the file.
 * Return: 0, or the first error the writer met (SL_EIO, SL_ELIMIT).
 */
int sl__wav_writer_close(struct sl_wav_writer *w);

#endif /* SL_DEVICE_WAV_H */
