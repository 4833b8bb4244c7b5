/*
 * tools/audiocheck/wav.c: just enough RIFF/WAVE for the audio check:
 * 16-bit PCM (format 1, or WAVE_FORMAT_EXTENSIBLE with a PCM subtype),
 * any rate, any number of channels (averaged to mono). A data chunk
 * whose size is 0 or past the end of the file (a recording never
 * finalised) is read to the end of the file, and said so.
 *
 * Owns: the sample buffers it returns (signal_free()).
 * Thread: single-threaded program.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audiocheck.h"

enum { MAX_BYTES = 256 * 1024 * 1024 };

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static unsigned long le32(const unsigned char *p)
{
	return (unsigned long)p[0] | (unsigned long)p[1] << 8 |
	       (unsigned long)p[2] << 16 | (unsigned long)p[3] << 24;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		fprintf(stderr, AC_NAME ": %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got;

		if (n == cap) {
			unsigned char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > MAX_BYTES) {
				fprintf(stderr, AC_NAME ": %s: too large\n",
					path);
				break;
			}
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				fprintf(stderr, AC_NAME ": %s: read error\n",
					path);
			else {
				fclose(f);
				*len = n;
				return buf;
			}
			break;
		}
	}
	fclose(f);
	free(buf);
	return NULL;
}

int wav_read(const char *path, struct signal *out)
{
	size_t len, pos = 12;
	unsigned char *b = slurp(path, &len);
	unsigned channels = 0, bits = 0, rate = 0;
	const unsigned char *data = NULL;
	size_t data_len = 0;

	memset(out, 0, sizeof(*out));
	if (!b)
		return -1;
	if (len < 12 || memcmp(b, "RIFF", 4) || memcmp(b + 8, "WAVE", 4)) {
		fprintf(stderr, AC_NAME ": %s: not a RIFF/WAVE file\n", path);
		free(b);
		return -1;
	}
	while (pos + 8 <= len && !data) {
		unsigned long sz = le32(b + pos + 4);
		const unsigned char *c = b + pos + 8;
		size_t avail = len - pos - 8;

		if (!memcmp(b + pos, "fmt ", 4) && sz >= 16 && sz <= avail) {
			unsigned fmt = le16(c);

			channels = le16(c + 2);
			rate = (unsigned)le32(c + 4);
			bits = le16(c + 14);
			/* Extensible: the subtype GUID starts with the
			 * format code. */
			if (fmt == 0xfffe && sz >= 26)
				fmt = le16(c + 24);
			if (fmt != 1) {
				fprintf(stderr, AC_NAME ": %s: not PCM "
					"(format %u)\n", path, fmt);
				free(b);
				return -1;
			}
		} else if (!memcmp(b + pos, "data", 4)) {
			data = c;
			data_len = sz;
			if (sz == 0 || sz > avail) {
				if (sz == 0)
					fprintf(stderr, AC_NAME ": %s: data "
						"size 0 (not finalised?), "
						"reading to the end\n", path);
				data_len = avail;
			}
			break;
		}
		pos += 8 + sz + (sz & 1);
	}
	if (!data || !channels || !rate || bits != 16 || rate > 384000) {
		fprintf(stderr, AC_NAME ": %s: need 16-bit PCM with a fmt "
			"and a data chunk\n", path);
		free(b);
		return -1;
	}
	out->n = data_len / (2u * channels);
	out->rate = rate;
	out->x = malloc((out->n ? out->n : 1) * sizeof(float));
	if (!out->x) {
		free(b);
		return -1;
	}
	for (size_t i = 0; i < out->n; i++) {
		long sum = 0;

		for (unsigned ch = 0; ch < channels; ch++)
			sum += (int16_t)le16(data + 2 * (i * channels + ch));
		out->x[i] = (float)((double)sum / channels / 32768.0);
	}
	free(b);
	return 0;
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, unsigned long v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)((v >> (8 * i)) & 0xff);
}

int wav_write(const char *path, const struct signal *s)
{
	unsigned char h[44];
	FILE *f = fopen(path, "wb");
	unsigned long data = (unsigned long)s->n * 2;
	int ok;

	if (!f) {
		fprintf(stderr, AC_NAME ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	memcpy(h, "RIFF", 4);
	put32(h + 4, 36 + data);
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, 1);
	put16(h + 22, 1);
	put32(h + 24, s->rate);
	put32(h + 28, s->rate * 2ul);
	put16(h + 32, 2);
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, data);
	ok = fwrite(h, 1, sizeof(h), f) == sizeof(h);
	for (size_t i = 0; ok && i < s->n; i++) {
		double v = s->x[i] * 32768.0;
		unsigned char p[2];

		if (v > 32767)
			v = 32767;
		if (v < -32768)
			v = -32768;
		put16(p, (unsigned)(uint16_t)(int16_t)(v < 0 ? v - 0.5 :
							 v + 0.5));
		ok = fwrite(p, 1, 2, f) == 2;
	}
	if (fclose(f) != 0)
		ok = 0;
	if (!ok)
		fprintf(stderr, AC_NAME ": %s: write error\n", path);
	return ok ? 0 : -1;
}

void signal_free(struct signal *s)
{
	free(s->x);
	s->x = NULL;
	s->n = 0;
}
