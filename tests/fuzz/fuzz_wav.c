/*
 * tests/fuzz/fuzz_wav.c: libFuzzer harness for the WAV (RIFF) reader the
 * virtual "wav:" capture device and the agent's --play use
 * (lib/device/wav.c). A WAV file named on a command line is untrusted
 * input like any packet.
 *
 * Input: the whole file. It is put in a memfd and opened by its
 * /proc/self/fd path, so the reader runs exactly as on a real file.
 * Invariants that abort: open returns 0 or one of its documented errors;
 * on success the format is inside the documented ranges, reads never
 * return more samples than asked, and reading stops within the frame
 * count the header claims (or sooner, for a truncated file); a rewind
 * reads the same first block again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "device/wav.h"
#include "sipline/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { BLOCK = 512 };

static int file_of(const uint8_t *data, size_t size, char *path, size_t cap)
{
	int fd = memfd_create("fuzz_wav", 0);

	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

static int allowed_error(int r)
{
	return r == SL_EIO || r == SL_EPARSE || r == SL_EUNSUPP;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int16_t a[BLOCK], b[BLOCK];
	struct sl_wav_reader r;
	char path[64];
	uint64_t total = 0;
	int fd, first, again, n;

	fd = file_of(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	n = sl__wav_reader_open(&r, path);
	if (n < 0) {
		if (!allowed_error(n))
			abort();
		close(fd);
		return 0;
	}
	if (r.channels < 1 || r.channels > 2 || r.rate < 1000 ||
	    r.rate > 192000)
		abort();
	first = sl__wav_read(&r, a, BLOCK);
	if (first > BLOCK)
		abort();
	for (n = first; n > 0; n = sl__wav_read(&r, b, BLOCK)) {
		if (n > BLOCK)
			abort();
		total += (uint64_t)n;
		if (total > r.frames + BLOCK)
			abort();
	}
	sl__wav_rewind(&r);
	again = sl__wav_read(&r, b, BLOCK);
	if (first >= 0 && (again != first ||
			   memcmp(a, b, (size_t)first * sizeof(a[0]))))
		abort();
	sl__wav_reader_close(&r);
	close(fd);
	return 0;
}
