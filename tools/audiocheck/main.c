/*
 * tools/audiocheck/main.c: sipline-audiocheck, the demo's and the interop
 * tests' judge of received audio.
 *
 *   sipline-audiocheck gen OUT.wav
 *	writes the test signal (gen.c: speech-like syllables and a tone
 *	sequence, 16 kHz mono, 4.5 s, the same bytes every time);
 *   sipline-audiocheck compare SENT.wav RECEIVED.wav [--codec NAME]
 *	finds the sent signal in the received one and prints, one
 *	"key value" per line, rate_hz, delay_ms, gain, snr_db, lsd_db,
 *	coverage and the block counts, then "verdict: intact (...)" or
 *	"verdict: NOT intact (...)" (compare.c explains each measure and
 *	the per-codec limits).
 *
 * Exit status: 0 generated / intact; 1 not intact; 2 usage or a file that
 * cannot be read or written.
 *
 * Owns: the two signals.
 * Thread: single-threaded program.
 */
#include <stdio.h>
#include <string.h>

#include "audiocheck.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: " AC_NAME " gen OUT.wav\n"
		"       " AC_NAME " compare SENT.wav RECEIVED.wav "
		"[--codec NAME]\n"
		"exit: 0 generated / audio intact, 1 not intact, 2 usage or "
		"file error\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct signal a, b;
	const char *codec = NULL;
	int rc;

	if (argc == 3 && !strcmp(argv[1], "gen")) {
		if (gen_signal(&a) < 0)
			return 2;
		rc = wav_write(argv[2], &a);
		signal_free(&a);
		return rc < 0 ? 2 : 0;
	}
	if (argc < 4 || strcmp(argv[1], "compare"))
		return usage();
	for (int i = 4; i < argc; i++) {
		if (!strcmp(argv[i], "--codec") && i + 1 < argc)
			codec = argv[++i];
		else if (!strncmp(argv[i], "--codec=", 8))
			codec = argv[i] + 8;
		else
			return usage();
	}
	if (wav_read(argv[2], &a) < 0)
		return 2;
	if (wav_read(argv[3], &b) < 0) {
		signal_free(&a);
		return 2;
	}
	rc = compare(&a, &b, codec);
	signal_free(&a);
	signal_free(&b);
	return rc;
}
