/*
 * lib/device/wav.c: WAV (RIFF) reader and writer, 16-bit PCM (see wav.h).
 *
 * Owns: the file descriptors of struct sl_wav_reader / sl_wav_writer.
 * Thread: the caller's (a device thread or the opener); blocking I/O.
 * Called by: lib/device/virtual.c ("wav:" devices), tools and tests.
 *
 * Format: RIFF (Microsoft/IBM Multimedia Programming Interface and Data
 * Specifications 1.0, 1991): "RIFF" size "WAVE", then chunks of a
 * four-character id, a little-endian 32-bit size and the body, padded to
 * an even length. The "fmt " body is WAVEFORMAT(EX/EXTENSIBLE). Every
 * number is read byte by byte, so the code does not care about the
 * host's byte order or alignment, and every size a file claims is
 * checked against the file's real size before it is used.
 */
#include "device/wav.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "sipline/error.h"

enum {
	HDR_LEN = 44,                   /* the header the writer makes */
	FMT_PCM = 1,
	FMT_EXTENSIBLE = 0xfffe,
	IO_FRAMES = 256                 /* frames per read system call */
};

/* The largest data chunk a RIFF size field can describe with our header. */
#define WAV_DATA_MAX (0xffffffffu - (HDR_LEN - 8))

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* A little-endian two's complement sample, without relying on how the
 * compiler converts out-of-range unsigned values. */
static int32_t s16(const uint8_t *p)
{
	int32_t v = le16(p);

	return v >= 0x8000 ? v - 0x10000 : v;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Reads exactly @n bytes at @off. Return: 0, SL_EPARSE (the file ends
 * first), SL_EIO. */
static int read_at(int fd, uint64_t off, void *buf, size_t n)
{
	uint8_t *b = buf;
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, b + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return SL_EIO;
		if (r == 0)
			return SL_EPARSE;
		got += (size_t)r;
	}
	return 0;
}

/* Checks a "fmt " body of @len bytes (@len >= 16, at most 40 read). */
static int parse_fmt(struct sl_wav_reader *r, const uint8_t *f, uint32_t len)
{
	unsigned tag = le16(f), ch = le16(f + 2), bits = le16(f + 14);
	uint32_t rate = le32(f + 4);
	unsigned align = le16(f + 12);

	if (tag == FMT_EXTENSIBLE) {
		/* cbSize >= 22, then the SubFormat GUID whose first two
		 * bytes carry the real format tag. */
		if (len < 40 || le16(f + 16) < 22)
			return SL_EPARSE;
		tag = le16(f + 24);
	}
	if (tag != FMT_PCM) {
		sl_log_warn("wav", "format tag %u is not PCM", tag);
		return SL_EUNSUPP;
	}
	if (ch == 0 || rate == 0)
		return SL_EPARSE;
	if (bits != 16) {
		sl_log_warn("wav", "%u-bit samples (16-bit only)", bits);
		return SL_EUNSUPP;
	}
	if (ch > 2 || rate < 1000 || rate > 192000) {
		sl_log_warn("wav", "%u channels at %u Hz unsupported", ch,
			    (unsigned)rate);
		return SL_EUNSUPP;
	}
	if (align != ch * 2)
		return SL_EPARSE;
	r->rate = rate;
	r->channels = ch;
	return 0;
}

/* Walks the chunks of an open file to "fmt " and "data". */
static int parse_header(struct sl_wav_reader *r, uint64_t size)
{
	uint8_t h[12], f[40];
	uint64_t off = 12;
	int have_fmt = 0, rc;

	rc = read_at(r->fd, 0, h, sizeof(h));
	if (rc < 0)
		return rc;
	if (memcmp(h, "RF64", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0)
		return SL_EUNSUPP;
	if (memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
		return SL_EPARSE;
	/* The RIFF size is not trusted (writers that never closed leave 0);
	 * the chunk walk is bounded by the file size instead. */
	for (int i = 0; i < SL_WAV_MAX_CHUNKS; i++) {
		uint64_t body = off + 8, avail;
		uint32_t len;

		if (body > size)
			return SL_EPARSE;       /* no "data" chunk */
		rc = read_at(r->fd, off, h, 8);
		if (rc < 0)
			return rc;
		len = le32(h + 4);
		avail = size - body;
		if (memcmp(h, "fmt ", 4) == 0) {
			if (len < 16 || len > avail)
				return SL_EPARSE;
			rc = read_at(r->fd, body, f, len < 40 ? len : 40);
			if (rc < 0)
				return rc;
			rc = parse_fmt(r, f, len);
			if (rc < 0)
				return rc;
			have_fmt = 1;
		} else if (memcmp(h, "data", 4) == 0) {
			if (!have_fmt)
				return SL_EPARSE;
			if (len > avail || (len == 0 && avail > 0)) {
				r->truncated = 1;
				len = avail > 0xffffffffu ? 0xffffffffu :
				      (uint32_t)avail;
			}
			r->data_off = body;
			r->frames = len / (r->channels * 2);
			return 0;
		}
		off = body + len + (len & 1);
	}
	return SL_EPARSE;
}

int sl__wav_reader_open(struct sl_wav_reader *r, const char *path)
{
	struct stat st;
	int rc;

	if (!r || !path)
		return SL_EINVAL;
	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0) {
		rc = errno == ENOENT || errno == ENOTDIR ? SL_ENOTFOUND :
							   SL_EIO;
		sl_log_warn("wav", "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode))
		rc = SL_EIO;
	else
		rc = parse_header(r, (uint64_t)st.st_size);
	if (rc < 0) {
		sl_log_warn("wav", "%s: %s", path, sl_strerror(rc));
		close(r->fd);
		r->fd = -1;
		return rc;
	}
	if (r->truncated)
		sl_log_info("wav", "%s: data size past the end, reading %llu "
			    "frames", path, (unsigned long long)r->frames);
	return 0;
}

int sl__wav_read(struct sl_wav_reader *r, int16_t *pcm, size_t n)
{
	uint8_t buf[IO_FRAMES * 4];
	size_t done = 0, block = r->channels * 2u;

	if (n > INT32_MAX)
		n = INT32_MAX;
	while (done < n && r->pos < r->frames) {
		size_t want = n - done;
		int rc;

		if (want > IO_FRAMES)
			want = IO_FRAMES;
		if (want > r->frames - r->pos)
			want = (size_t)(r->frames - r->pos);
		rc = read_at(r->fd, r->data_off + r->pos * block, buf,
			     want * block);
		if (rc != 0)
			return SL_EIO;  /* the file shrank or failed */
		for (size_t i = 0; i < want; i++) {
			const uint8_t *s = buf + i * block;
			int32_t v = s16(s);

			if (r->channels == 2)
				v = (v + s16(s + 2)) / 2;
			pcm[done + i] = (int16_t)v;
		}
		done += want;
		r->pos += want;
	}
	return (int)done;
}

void sl__wav_rewind(struct sl_wav_reader *r)
{
	r->pos = 0;
}

void sl__wav_reader_close(struct sl_wav_reader *r)
{
	if (r && r->fd > 0)
		close(r->fd);
	if (r)
		r->fd = -1;
}

/* Writes all of @n bytes at the current offset. */
static int write_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return SL_EIO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Writes the 44-byte header for @bytes of data at offset 0. */
static int write_header(struct sl_wav_writer *w)
{
	uint8_t h[HDR_LEN];

	memcpy(h, "RIFF", 4);
	put32(h + 4, w->bytes + (HDR_LEN - 8));
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 16);
	put16(h + 20, FMT_PCM);
	put16(h + 22, 1);
	put32(h + 24, w->rate);
	put32(h + 28, w->rate * 2);
	put16(h + 32, 2);
	put16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put32(h + 40, w->bytes);
	if (pwrite(w->fd, h, sizeof(h), 0) != (ssize_t)sizeof(h))
		return SL_EIO;
	return 0;
}

int sl__wav_writer_open(struct sl_wav_writer *w, const char *path,
			unsigned rate)
{
	if (!w || !path || rate < 1000 || rate > 192000)
		return SL_EINVAL;
	memset(w, 0, sizeof(*w));
	w->rate = rate;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		sl_log_warn("wav", "%s: %s", path, strerror(errno));
		w->fd = -1;
		return errno == ENOENT || errno == ENOTDIR ? SL_ENOTFOUND :
							     SL_EIO;
	}
	/* The header first, then samples follow at offset 44. */
	if (write_header(w) < 0 || lseek(w->fd, HDR_LEN, SEEK_SET) < 0) {
		close(w->fd);
		w->fd = -1;
		return SL_EIO;
	}
	return 0;
}

int sl__wav_write(struct sl_wav_writer *w, const int16_t *pcm, size_t n)
{
	uint8_t buf[IO_FRAMES * 2];

	if (w->err)
		return w->err;
	if (n > (WAV_DATA_MAX - w->bytes) / 2) {
		n = (WAV_DATA_MAX - w->bytes) / 2;
		w->err = SL_ELIMIT;
	}
	for (size_t done = 0; done < n;) {
		size_t k = n - done < IO_FRAMES ? n - done : IO_FRAMES;

		for (size_t i = 0; i < k; i++)
			put16(buf + 2 * i, (uint16_t)pcm[done + i]);
		if (write_all(w->fd, buf, 2 * k) < 0) {
			w->err = SL_EIO;
			return w->err;
		}
		done += k;
		w->bytes += (uint32_t)(2 * k);
	}
	/* Keep the header near the truth about once a second, so a reader
	 * of a file still being written sees most of it. */
	w->since_hdr += (uint32_t)n;
	if (w->since_hdr >= w->rate) {
		w->since_hdr = 0;
		if (write_header(w) < 0)
			w->err = SL_EIO;
	}
	return w->err;
}

int sl__wav_writer_close(struct sl_wav_writer *w)
{
	int rc;

	if (!w || w->fd < 0)
		return SL_EINVAL;
	rc = write_header(w);
	if (close(w->fd) < 0 && rc == 0)
		rc = SL_EIO;
	w->fd = -1;
	if (w->err)
		rc = w->err;
	return rc;
}
