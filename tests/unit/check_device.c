/*
 * tests/unit/check_device.c: the audio device layer (lib/device): port
 * rings, gains and counters, the resampler, WAV files, the virtual
 * devices and the ALSA driver over alsa-lib's null and file plugins
 * (tests/data/alsa-test.conf), so no sound card is needed.
 *
 * Devices run in real time on their own threads; the test thread plays
 * the media thread. Waits are bounded polls on counters and rings, never
 * a sleep standing in for a condition.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "core/mem.h"
#include "device/port.h"
#include "device/resample.h"
#include "device/wav.h"
#include "sipline/device.h"
#include "sipline/error.h"

#define TWO_PI 6.28318530717958647692
#define WAIT_MS 8000            /* bound on every wait for a device */

/* ---- helpers ---- */

static char tmp_dir[64];

static void tmp_setup(void)
{
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/sl-dev-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
}

static void tmp_teardown(void)
{
	DIR *d = opendir(tmp_dir);
	struct dirent *e;
	char path[PATH_MAX];

	/* The directory only holds files the test made, no folders. */
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmp_dir, e->d_name);
		ck_assert_int_eq(unlink(path), 0);
	}
	closedir(d);
	ck_assert_int_eq(rmdir(tmp_dir), 0);
}

static const char *tpath(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s/%s", tmp_dir, name);
	return buf;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Yields a millisecond between two looks at a condition. */
static void nap(void)
{
	struct timespec t = { 0, 1000000 };

	nanosleep(&t, NULL);
}

/* Reads capture until @n samples arrived or WAIT_MS passed. */
static size_t collect(struct sl_audio_port *p, int16_t *out, size_t n)
{
	long long end = now_ms() + WAIT_MS;
	size_t got = 0;

	while (got < n && now_ms() < end) {
		got += sl__audio_port_read_capture(p, out + got, n - got);
		if (got < n)
			nap();
	}
	return got;
}

static void counters(struct sl_audio_port *p, struct sl_audio_counters *c)
{
	sl__audio_port_counters(p, c);
}

/* Waits until the playback device took @n samples from the engine. */
static int wait_played(struct sl_audio_port *p, unsigned long n)
{
	long long end = now_ms() + WAIT_MS;
	struct sl_audio_counters c;

	for (;;) {
		counters(p, &c);
		if (c.played >= n)
			return 1;
		if (now_ms() >= end)
			return 0;
		nap();
	}
}

static void gen_tone(int16_t *out, size_t n, double freq, unsigned rate,
		     double dbfs)
{
	double amp = 32767.0 * pow(10.0, dbfs / 20.0);

	for (size_t i = 0; i < n; i++)
		out[i] = (int16_t)lrint(amp * sin(TWO_PI * freq * i / rate));
}

/* Upward zero crossings per second over @n samples. */
static double freq_of(const int16_t *pcm, size_t n, unsigned rate)
{
	size_t ups = 0;

	for (size_t i = 1; i < n; i++)
		if (pcm[i - 1] < 0 && pcm[i] >= 0)
			ups++;
	return (double)ups * rate / (double)n;
}

static double rms_dbfs(const int16_t *pcm, size_t n)
{
	double s = 0.0;

	for (size_t i = 0; i < n; i++)
		s += (double)pcm[i] * pcm[i];
	return 20.0 * log10(sqrt(s / (double)n) / 32767.0);
}

/* Goertzel power of @freq in @pcm (relative units). */
static double power_at(const int16_t *pcm, size_t n, double freq,
		       unsigned rate)
{
	double k = 2.0 * cos(TWO_PI * freq / rate), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = pcm[i] + k * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/*
 * Drops runs of 4 or more zero samples (silence a starved test thread let
 * a device insert between fed frames), so pitch and level are measured on
 * the signal alone. Return: samples kept.
 */
static size_t squeeze_gaps(int16_t *pcm, size_t n)
{
	size_t w = 0, i = 0;

	while (i < n) {
		size_t run = 0;

		while (i + run < n && pcm[i + run] == 0)
			run++;
		if (run >= 4) {
			i += run;
			continue;
		}
		if (run == 0)
			run = 1;
		memmove(pcm + w, pcm + i, run * sizeof(*pcm));
		w += run;
		i += run;
	}
	return w;
}

/* A non-zero pattern: silence inserted by a device stands out. */
static int16_t pat(size_t i)
{
	return (int16_t)((i * 37) % 20000 + 1);
}

static void write_file(const char *path, const void *b, size_t n)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static size_t read_file(const char *path, void *b, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(b, 1, cap, f);
	fclose(f);
	return n;
}

static struct sl_audio_dev_config dev_cfg(const char *cap, const char *play)
{
	struct sl_audio_dev_config c;

	memset(&c, 0, sizeof(c));
	c.capture = cap;
	c.playback = play;
	return c;
}

/* ---- port ---- */

static const struct {
	unsigned rate, frame_ms, buffer_ms;
	int ok;
	unsigned frame;
} create_vec[] = {
	{ 16000, 0, 0, 1, 160 },
	{ 8000, 5, 10, 1, 40 },
	{ 48000, 20, 1000, 1, 960 },
	{ 44100, 10, 0, 1, 441 },
	{ 32000, 20, 40, 1, 640 },
	{ 7999, 10, 0, 0, 0 },
	{ 48001, 10, 0, 0, 0 },
	{ 0, 10, 0, 0, 0 },
	{ 16000, 15, 0, 0, 0 },
	{ 44100, 5, 0, 0, 0 },          /* 220.5 samples */
	{ 11025, 10, 0, 0, 0 },         /* 110.25 samples */
	{ 16000, 10, 19, 0, 0 },        /* buffer under two frames */
	{ 16000, 10, 1001, 0, 0 },
};

START_TEST(port_create_checks_arguments)
{
	struct sl_audio_port *p = sl__audio_port_create(create_vec[_i].rate,
		create_vec[_i].frame_ms, create_vec[_i].buffer_ms);
	static int16_t big[65536];
	size_t cap, room;

	if (!create_vec[_i].ok) {
		ck_assert_ptr_null(p);
		return;
	}
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(sl__audio_port_rate(p), create_vec[_i].rate);
	ck_assert_uint_eq(sl__audio_port_frame(p), create_vec[_i].frame);
	ck_assert_uint_eq(sl__audio_port_frame_ms(p) * create_vec[_i].rate,
			  create_vec[_i].frame * 1000);
	/* Both rings hold >= 200 ms and a power of two. */
	cap = sl_audio_port_capture(p, big, 65536);
	ck_assert_uint_ge(cap * 1000, 200 * (size_t)create_vec[_i].rate);
	ck_assert_uint_eq(cap & (cap - 1), 0);
	room = sl__audio_port_playback_room(p);
	ck_assert_uint_ge(room * 1000, 200 * (size_t)create_vec[_i].rate);
	ck_assert_uint_eq(room & (room - 1), 0);
	cap = sl__audio_port_write_playback(p, big, 65536);
	ck_assert_uint_eq(cap, room < 65536 ? room : 65536);
	ck_assert_uint_eq(sl__audio_port_playback_room(p), room - cap);
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(port_capture_keeps_oldest_and_counts_drops)
{
	struct sl_audio_port *p = sl__audio_port_create(8000, 10, 0);
	int16_t in[3000], out[3000];
	struct sl_audio_counters c;
	size_t took;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 3000; i++)
		in[i] = pat(i);
	took = sl_audio_port_capture(p, in, 3000);
	ck_assert_uint_eq(took, 2048);  /* 200 ms at 8 kHz, rounded up */
	ck_assert_uint_eq(sl__audio_port_capture_avail(p), 2048);
	counters(p, &c);
	ck_assert_uint_eq(c.captured, 3000);
	ck_assert_uint_eq(c.capture_dropped, 952);
	ck_assert_uint_eq(sl__audio_port_read_capture(p, out, 100), 100);
	ck_assert_uint_eq(sl__audio_port_read_capture(p, out + 100, 3000),
			  1948);
	ck_assert_mem_eq(out, in, 2048 * sizeof(int16_t));
	ck_assert_uint_eq(sl__audio_port_read_capture(p, out, 10), 0);
	ck_assert_uint_eq(sl__audio_port_capture_avail(p), 0);
	counters(p, &c);
	ck_assert_uint_eq(c.read, 2048);
	/* Room again after reading: FIFO order continues across the wrap. */
	ck_assert_uint_eq(sl_audio_port_capture(p, in + 2048, 952), 952);
	ck_assert_uint_eq(sl__audio_port_read_capture(p, out, 952), 952);
	ck_assert_mem_eq(out, in + 2048, 952 * sizeof(int16_t));
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(port_playback_underrun_is_silence)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	int16_t in[200], out[160];
	struct sl_audio_counters c;
	size_t room;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 200; i++)
		in[i] = pat(i);
	room = sl__audio_port_playback_room(p);
	ck_assert_uint_eq(room, 4096);
	ck_assert_uint_eq(sl__audio_port_write_playback(p, in, 100), 100);
	ck_assert_uint_eq(sl__audio_port_playback_room(p), room - 100);
	memset(out, 0x55, sizeof(out));
	ck_assert_uint_eq(sl_audio_port_playback(p, out, 160), 100);
	ck_assert_mem_eq(out, in, 100 * sizeof(int16_t));
	for (size_t i = 100; i < 160; i++)
		ck_assert_int_eq(out[i], 0);
	ck_assert_uint_eq(sl_audio_port_playback(p, out, 160), 0);
	counters(p, &c);
	ck_assert_uint_eq(c.written, 100);
	ck_assert_uint_eq(c.played, 100);
	ck_assert_uint_eq(c.underrun, 220);
	sl__audio_port_destroy(p);
}
END_TEST

static const struct {
	unsigned mic, spk, mute;
	int cap_scale, play_scale;      /* expected volume, 0..255 */
} gain_vec[] = {
	{ 255, 255, 0, 255, 255 },
	{ 128, 255, 0, 128, 255 },
	{ 255, 64, 0, 255, 64 },
	{ 0, 1, 0, 0, 1 },
	{ 300, 1000, 0, 255, 255 },     /* above unity counts as unity */
	{ 200, 200, SL_AUDIO_MUTE_MIC, 0, 200 },
	{ 200, 200, SL_AUDIO_MUTE_SPK, 200, 0 },
	{ 255, 255, SL_AUDIO_MUTE_MIC | SL_AUDIO_MUTE_SPK, 0, 0 },
	{ 255, 255, 4, 255, 255 },      /* unknown flag ignored */
};

START_TEST(port_gains_and_mute)
{
	static const int16_t in[] = { 0, 1000, -1000, 32767, -32768, 12345,
				      -7, 255 };
	enum { N = sizeof(in) / sizeof(in[0]) };
	struct sl_audio_port *p = sl__audio_port_create(8000, 10, 0);
	int16_t out[N];

	ck_assert_ptr_nonnull(p);
	sl__audio_port_set_gain(p, gain_vec[_i].mic, gain_vec[_i].spk,
				gain_vec[_i].mute);
	ck_assert_uint_eq(sl_audio_port_capture(p, in, N), N);
	ck_assert_uint_eq(sl__audio_port_read_capture(p, out, N), N);
	for (int i = 0; i < N; i++) {
		double want = in[i] * gain_vec[_i].cap_scale / 255.0;

		ck_assert_int_le(abs(out[i] - (int)lrint(want)), 1);
		if (gain_vec[_i].cap_scale == 255)
			ck_assert_int_eq(out[i], in[i]);
	}
	ck_assert_uint_eq(sl__audio_port_write_playback(p, in, N), N);
	ck_assert_uint_eq(sl_audio_port_playback(p, out, N), N);
	for (int i = 0; i < N; i++) {
		double want = in[i] * gain_vec[_i].play_scale / 255.0;

		ck_assert_int_le(abs(out[i] - (int)lrint(want)), 1);
		if (gain_vec[_i].play_scale == 255)
			ck_assert_int_eq(out[i], in[i]);
	}
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(port_feed_needs_app_and_checks_args)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	int16_t in[4000], out[4000];
	struct sl_audio_counters c;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 4000; i++)
		in[i] = pat(i);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 10, 16000), SL_ESTATE);
	sl__audio_port_set_app(p, 1);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 10, 44100), SL_EINVAL);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 10, 0), SL_EINVAL);
	ck_assert_int_eq(sl__audio_port_feed(p, NULL, 10, 16000), SL_EINVAL);
	ck_assert_int_eq(sl__audio_port_feed(NULL, in, 10, 16000), SL_EINVAL);
	ck_assert_int_eq(sl__audio_port_feed(p, NULL, 0, 16000), 0);
	/* At the port rate: copied; 100 ms (1600 samples) at most. */
	ck_assert_int_eq(sl__audio_port_feed(p, in, 1000, 16000), 1000);
	ck_assert_int_eq(sl__audio_port_feed(p, in + 1000, 3000, 16000), 600);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 10, 16000), 0);
	counters(p, &c);
	ck_assert_uint_eq(c.fed, 1600);
	ck_assert_uint_eq(c.feed_dropped, 2400 + 10);
	ck_assert_uint_eq(sl__audio_port_feed_take(p, out, 4000), 1600);
	ck_assert_mem_eq(out, in, 1600 * sizeof(int16_t));
	sl__audio_port_set_app(p, 0);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 10, 16000), SL_ESTATE);
	sl__audio_port_destroy(p);
}
END_TEST

static const unsigned feed_rates[] = { 8000, 16000, 32000, 48000 };

/* Each feed rate lands at the port rate with its pitch and level, and
 * the 100 ms limit holds whatever the caller's rate. */
START_TEST(port_feed_resamples)
{
	unsigned rate = feed_rates[_i];
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	static int16_t in[48000], out[2000];
	size_t got;
	int taken;

	ck_assert_ptr_nonnull(p);
	sl__audio_port_set_app(p, 1);
	gen_tone(in, rate, 1000.0, rate, -6.0);
	taken = sl__audio_port_feed(p, in, rate, rate);
	/* 1600 samples at 16 kHz, in the caller's samples (the filter
	 * holds a few more). */
	ck_assert_int_ge(taken, (int)(rate / 10));
	ck_assert_int_le(taken, (int)(rate / 10 + rate / 100));
	got = sl__audio_port_feed_take(p, out, 2000);
	ck_assert_uint_eq(got, 1600);
	ck_assert_double_eq_tol(freq_of(out + 200, 1400, 16000), 1000.0,
				12.0);
	ck_assert_double_eq_tol(rms_dbfs(out + 200, 1400), -9.03, 0.3);
	sl__audio_port_destroy(p);
}
END_TEST

/* Every allocation of creation may fail; nothing leaks when one does. */
START_TEST(port_create_allocation_failures)
{
	size_t base = sl__mem_in_use();
	int made = 0;

	for (unsigned nth = 1; nth <= 8; nth++) {
		struct sl_audio_port *p;

		sl__mem_fail_after(nth);
		p = sl__audio_port_create(44100, 10, 0);
		sl__mem_fail_after(0);
		if (!p) {
			ck_assert_uint_eq(sl__mem_in_use(), base);
			continue;
		}
		made++;
		sl__audio_port_destroy(p);
		ck_assert_uint_eq(sl__mem_in_use(), base);
	}
	/* One block and four feed resamplers: the sixth try succeeds. */
	ck_assert_int_eq(made, 3);
}
END_TEST

/* ---- resampler ---- */

START_TEST(resampler_rejects_bad_arguments)
{
	ck_assert_ptr_null(sl__resampler_create(999, 8000, 3));
	ck_assert_ptr_null(sl__resampler_create(8000, 192001, 3));
	ck_assert_ptr_null(sl__resampler_create(8000, 16000, 11));
	ck_assert_ptr_null(sl__resampler_create(8000, 16000, -1));
	sl__resampler_destroy(NULL);
	sl__resampler_reset(NULL);
}
END_TEST

START_TEST(resampler_passthrough_copies)
{
	struct sl_resampler *r = sl__resampler_create(16000, 16000, 3);
	int16_t in[300], out[300];
	size_t used;

	ck_assert_ptr_nonnull(r);
	for (size_t i = 0; i < 300; i++)
		in[i] = pat(i);
	ck_assert_uint_eq(sl__resampler_run(r, in, 300, out, 300, &used), 300);
	ck_assert_uint_eq(used, 300);
	ck_assert_mem_eq(out, in, sizeof(in));
	ck_assert_uint_eq(sl__resampler_run(r, in, 300, out, 120, &used), 120);
	ck_assert_uint_eq(used, 120);
	ck_assert_uint_eq(sl__resampler_in_rate(r), 16000);
	ck_assert_uint_eq(sl__resampler_out_rate(r), 16000);
	ck_assert_uint_ge(sl__resampler_out_max(r, 160), 160);
	sl__resampler_destroy(r);
}
END_TEST

/* 1 kHz at 8 kHz, up to 48 kHz and back: pitch and level survive, and
 * integer ratios make exactly in * ratio samples per frame. */
START_TEST(resampler_round_trip_keeps_tone)
{
	struct sl_resampler *up = sl__resampler_create(8000, 48000,
				       SL_RESAMPLE_QUALITY_VOIP);
	struct sl_resampler *down = sl__resampler_create(48000, 8000,
				       SL_RESAMPLE_QUALITY_VOIP);
	static int16_t in[8000], mid[48000], back[8000];
	size_t n_mid = 0, n_back = 0;

	ck_assert_ptr_nonnull(up);
	ck_assert_ptr_nonnull(down);
	ck_assert_uint_ge(sl__resampler_out_max(up, 160), 960);
	gen_tone(in, 8000, 1000.0, 8000, -6.0);
	for (size_t off = 0; off < 8000; off += 160) {
		size_t used, made, used2, made2;

		made = sl__resampler_run(up, in + off, 160, mid + n_mid, 960,
					 &used);
		ck_assert_uint_eq(used, 160);
		ck_assert_uint_eq(made, 960);
		made2 = sl__resampler_run(down, mid + n_mid, made,
					  back + n_back, 160, &used2);
		ck_assert_uint_eq(used2, made);
		ck_assert_uint_eq(made2, 160);
		n_mid += made;
		n_back += made2;
	}
	ck_assert_double_eq_tol(freq_of(mid + 2400, 43200, 48000), 1000.0,
				2.0);
	ck_assert_double_eq_tol(rms_dbfs(mid + 2400, 43200),
				rms_dbfs(in, 8000), 0.5);
	ck_assert_double_eq_tol(freq_of(back + 400, 7200, 8000), 1000.0, 2.0);
	ck_assert_double_eq_tol(rms_dbfs(back + 400, 7200),
				rms_dbfs(in, 8000), 0.5);
	sl__resampler_destroy(up);
	sl__resampler_destroy(down);
}
END_TEST

START_TEST(resampler_stops_at_out_cap)
{
	struct sl_resampler *r = sl__resampler_create(8000, 48000, 3);
	int16_t in[160], out[960];
	size_t used, made, total_in = 0, total_out = 0;

	ck_assert_ptr_nonnull(r);
	gen_tone(in, 160, 440.0, 8000, -10.0);
	made = sl__resampler_run(r, in, 160, out, 100, &used);
	ck_assert_uint_le(made, 100);
	ck_assert_uint_lt(used, 160);
	total_in = used;
	total_out = made;
	/* The rest on a second call: nothing lost. */
	made = sl__resampler_run(r, in + used, 160 - used, out + total_out,
				 960 - total_out, &used);
	total_in += used;
	total_out += made;
	ck_assert_uint_eq(total_in, 160);
	ck_assert_uint_eq(total_out, 960);
	sl__resampler_reset(r);
	sl__resampler_destroy(r);
}
END_TEST

/* ---- WAV ---- */

START_TEST(wav_write_read_round_trip)
{
	char path[128];
	struct sl_wav_writer w;
	struct sl_wav_reader r;
	static int16_t in[20000], out[20000];
	uint8_t hdr[44];

	tpath(path, sizeof(path), "rt.wav");
	for (size_t i = 0; i < 20000; i++)
		in[i] = (int16_t)((i * 7919) & 0xffff);
	in[0] = -32768;
	in[1] = 32767;
	ck_assert_int_eq(sl__wav_writer_open(&w, path, 16000), 0);
	ck_assert_int_eq(sl__wav_write(&w, in, 100), 0);
	/* Open but not closed: sizes still 0, the reader takes the rest of
	 * the file. */
	ck_assert_int_eq(sl__wav_reader_open(&r, path), 0);
	ck_assert_uint_eq(r.frames, 100);
	ck_assert_int_eq(r.truncated, 1);
	sl__wav_reader_close(&r);
	/* Past a second of audio the header is refreshed. */
	ck_assert_int_eq(sl__wav_write(&w, in + 100, 16000), 0);
	ck_assert_uint_eq(read_file(path, hdr, 44), 44);
	ck_assert_uint_eq(hdr[40] | hdr[41] << 8 | hdr[42] << 16, 32200);
	ck_assert_int_eq(sl__wav_write(&w, in + 16100, 3900), 0);
	ck_assert_int_eq(sl__wav_write(&w, in, 0), 0);
	ck_assert_int_eq(sl__wav_writer_close(&w), 0);
	ck_assert_uint_eq(read_file(path, hdr, 44), 44);
	ck_assert_mem_eq(hdr, "RIFF", 4);
	ck_assert_uint_eq(hdr[4] | hdr[5] << 8 | hdr[6] << 16, 40036);
	ck_assert_mem_eq(hdr + 8, "WAVEfmt ", 8);
	ck_assert_uint_eq(hdr[24] | hdr[25] << 8, 16000);
	ck_assert_uint_eq(hdr[40] | hdr[41] << 8 | hdr[42] << 16, 40000);

	ck_assert_int_eq(sl__wav_reader_open(&r, path), 0);
	ck_assert_uint_eq(r.rate, 16000);
	ck_assert_uint_eq(r.channels, 1);
	ck_assert_uint_eq(r.frames, 20000);
	ck_assert_int_eq(r.truncated, 0);
	ck_assert_int_eq(sl__wav_read(&r, out, 333), 333);
	ck_assert_int_eq(sl__wav_read(&r, out + 333, 20000), 20000 - 333);
	ck_assert_int_eq(sl__wav_read(&r, out, 10), 0);
	ck_assert_mem_eq(out, in, sizeof(in));
	sl__wav_rewind(&r);
	ck_assert_int_eq(sl__wav_read(&r, out, 2), 2);
	ck_assert_int_eq(out[0], -32768);
	ck_assert_int_eq(out[1], 32767);
	sl__wav_reader_close(&r);
	sl__wav_reader_close(&r);       /* twice is harmless */
}
END_TEST

START_TEST(wav_writer_errors)
{
	struct sl_wav_writer w;
	char path[128];

	ck_assert_int_eq(sl__wav_writer_open(&w, "/nonexistent-dir/x.wav",
					     8000), SL_ENOTFOUND);
	tpath(path, sizeof(path), "w.wav");
	ck_assert_int_eq(sl__wav_writer_open(&w, path, 999), SL_EINVAL);
	ck_assert_int_eq(sl__wav_writer_open(&w, NULL, 8000), SL_EINVAL);
	ck_assert_int_eq(sl__wav_writer_open(NULL, path, 8000), SL_EINVAL);
	ck_assert_int_eq(sl__wav_writer_open(&w, tmp_dir, 8000), SL_EIO);
	ck_assert_int_eq(sl__wav_writer_close(NULL), SL_EINVAL);
}
END_TEST

/* The 4 GiB RIFF limit and write errors stick, and close reports them. */
START_TEST(wav_writer_limit_and_io_errors)
{
	static const int16_t pcm[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	struct sl_wav_writer w;
	struct sl_wav_reader r;
	char path[128];
	int full;

	tpath(path, sizeof(path), "lim.wav");
	ck_assert_int_eq(sl__wav_writer_open(&w, path, 8000), 0);
	/* Pretend almost 4 GiB went out already. */
	w.bytes = 0xffffffffu - 36 - 5;
	ck_assert_int_eq(sl__wav_write(&w, pcm, 10), SL_ELIMIT);
	ck_assert_uint_eq(w.bytes, 0xffffffffu - 36 - 1);
	ck_assert_int_eq(sl__wav_write(&w, pcm, 1), SL_ELIMIT);
	ck_assert_int_eq(sl__wav_writer_close(&w), SL_ELIMIT);
	/* The two samples that fitted are in the file (its header claims
	 * more than the file holds: read as truncated). */
	ck_assert_int_eq(sl__wav_reader_open(&r, path), 0);
	ck_assert_int_eq(r.truncated, 1);
	ck_assert_uint_eq(r.frames, 2);
	sl__wav_reader_close(&r);

	/* A full disk: /dev/full refuses every write. */
	ck_assert_int_eq(sl__wav_writer_open(&w, "/dev/full", 8000), SL_EIO);
	ck_assert_int_eq(sl__wav_writer_open(&w, path, 8000), 0);
	full = open("/dev/full", O_WRONLY);
	ck_assert_int_ge(full, 0);
	ck_assert_int_ge(dup2(full, w.fd), 0);
	close(full);
	ck_assert_int_eq(sl__wav_write(&w, pcm, 10), SL_EIO);
	ck_assert_int_eq(sl__wav_write(&w, pcm, 10), SL_EIO);
	ck_assert_int_eq(sl__wav_writer_close(&w), SL_EIO);
}
END_TEST

/*
 * A WAV file described field by field, so one table covers good files and
 * each way a header can be wrong.
 */
struct wav_vec {
	const char *name;
	const char *riff, *wave;        /* NULL: "RIFF", "WAVE" */
	int junk;                       /* LIST chunks before "fmt " */
	unsigned junk_len;
	int no_fmt;
	unsigned fmt_len;               /* 0: 16 */
	unsigned tag, ch, rate, bits, align;
	unsigned ext_sub;               /* extensible SubFormat tag */
	int data_first;                 /* "data" before "fmt " */
	int no_data;
	unsigned data_len, data_real;
	unsigned cut;                   /* keep only this many bytes */
	int want;
	unsigned frames;
	int truncated;
};

static const struct wav_vec wav_vecs[] = {
	{ "mono", .tag = 1, .ch = 1, .rate = 8000, .bits = 16, .align = 2,
	  .data_len = 8, .data_real = 8, .want = 0, .frames = 4 },
	{ "stereo after odd LIST", .junk = 1, .junk_len = 5, .tag = 1,
	  .ch = 2, .rate = 44100, .bits = 16, .align = 4, .data_len = 8,
	  .data_real = 8, .want = 0, .frames = 2 },
	{ "fmt 18 bytes", .fmt_len = 18, .tag = 1, .ch = 1, .rate = 16000,
	  .bits = 16, .align = 2, .data_len = 4, .data_real = 4, .want = 0,
	  .frames = 2 },
	{ "extensible PCM", .fmt_len = 40, .tag = 0xfffe, .ext_sub = 1,
	  .ch = 1, .rate = 48000, .bits = 16, .align = 2, .data_len = 6,
	  .data_real = 6, .want = 0, .frames = 3 },
	{ "odd data length", .tag = 1, .ch = 1, .rate = 8000, .bits = 16,
	  .align = 2, .data_len = 3, .data_real = 3, .want = 0, .frames = 1 },
	{ "empty data", .tag = 1, .ch = 1, .rate = 8000, .bits = 16,
	  .align = 2, .want = 0, .frames = 0 },
	{ "data longer than file", .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .data_len = 100, .data_real = 10,
	  .want = 0, .frames = 5, .truncated = 1 },
	{ "data size 0, still written", .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .data_len = 0, .data_real = 6, .want = 0,
	  .frames = 3, .truncated = 1 },
	{ "RIFX", .riff = "RIFX", .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .want = SL_EPARSE },
	{ "not WAVE", .wave = "AVI ", .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .want = SL_EPARSE },
	{ "RF64", .riff = "RF64", .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .want = SL_EUNSUPP },
	{ "fmt too short", .fmt_len = 14, .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .want = SL_EPARSE },
	{ "float", .tag = 3, .ch = 1, .rate = 8000, .bits = 32, .align = 4,
	  .want = SL_EUNSUPP },
	{ "A-law", .tag = 6, .ch = 1, .rate = 8000, .bits = 8, .align = 1,
	  .want = SL_EUNSUPP },
	{ "8-bit PCM", .tag = 1, .ch = 1, .rate = 8000, .bits = 8,
	  .align = 1, .want = SL_EUNSUPP },
	{ "24-bit PCM", .tag = 1, .ch = 1, .rate = 8000, .bits = 24,
	  .align = 3, .want = SL_EUNSUPP },
	{ "no channels", .tag = 1, .ch = 0, .rate = 8000, .bits = 16,
	  .align = 0, .want = SL_EPARSE },
	{ "six channels", .tag = 1, .ch = 6, .rate = 8000, .bits = 16,
	  .align = 12, .want = SL_EUNSUPP },
	{ "rate 0", .tag = 1, .ch = 1, .rate = 0, .bits = 16, .align = 2,
	  .want = SL_EPARSE },
	{ "rate 500", .tag = 1, .ch = 1, .rate = 500, .bits = 16,
	  .align = 2, .want = SL_EUNSUPP },
	{ "rate 192001", .tag = 1, .ch = 1, .rate = 192001, .bits = 16,
	  .align = 2, .want = SL_EUNSUPP },
	{ "bad block align", .tag = 1, .ch = 1, .rate = 8000, .bits = 16,
	  .align = 4, .want = SL_EPARSE },
	{ "data before fmt", .data_first = 1, .tag = 1, .ch = 1,
	  .rate = 8000, .bits = 16, .align = 2, .data_len = 4,
	  .data_real = 4, .want = SL_EPARSE },
	{ "no fmt", .no_fmt = 1, .data_len = 4, .data_real = 4,
	  .want = SL_EPARSE },
	{ "no data", .no_data = 1, .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .want = SL_EPARSE },
	{ "cut in RIFF header", .tag = 1, .ch = 1, .rate = 8000, .bits = 16,
	  .align = 2, .cut = 10, .want = SL_EPARSE },
	{ "cut in chunk header", .tag = 1, .ch = 1, .rate = 8000,
	  .bits = 16, .align = 2, .cut = 16, .want = SL_EPARSE },
	{ "cut in fmt body", .tag = 1, .ch = 1, .rate = 8000, .bits = 16,
	  .align = 2, .cut = 30, .want = SL_EPARSE },
	{ "LIST past the end", .junk = 1, .junk_len = 1000, .tag = 1,
	  .ch = 1, .rate = 8000, .bits = 16, .align = 2, .cut = 30,
	  .want = SL_EPARSE },
	{ "too many chunks", .junk = SL_WAV_MAX_CHUNKS, .junk_len = 2,
	  .tag = 1, .ch = 1, .rate = 8000, .bits = 16, .align = 2,
	  .data_len = 2, .data_real = 2, .want = SL_EPARSE },
	{ "extensible float", .fmt_len = 40, .tag = 0xfffe, .ext_sub = 3,
	  .ch = 1, .rate = 8000, .bits = 16, .align = 2, .want = SL_EUNSUPP },
	{ "extensible too short", .fmt_len = 18, .tag = 0xfffe,
	  .ext_sub = 1, .ch = 1, .rate = 8000, .bits = 16, .align = 2,
	  .want = SL_EPARSE },
};

struct wbuf {
	uint8_t b[2048];
	size_t n;
};

static void wb_put(struct wbuf *w, const void *p, size_t n)
{
	ck_assert_uint_le(w->n + n, sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void wb_u16(struct wbuf *w, unsigned v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	wb_put(w, b, 2);
}

static void wb_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	wb_put(w, b, 4);
}

static void wb_fmt(struct wbuf *w, const struct wav_vec *v)
{
	unsigned len = v->fmt_len ? v->fmt_len : 16;
	struct wbuf f = { .n = 0 };

	wb_u16(&f, v->tag);
	wb_u16(&f, v->ch);
	wb_u32(&f, v->rate);
	wb_u32(&f, v->rate * v->align);
	wb_u16(&f, v->align);
	wb_u16(&f, v->bits);
	if (len >= 18)
		wb_u16(&f, len - 18);           /* cbSize */
	if (len >= 40) {
		wb_u16(&f, v->bits);            /* valid bits */
		wb_u32(&f, 4);                  /* channel mask */
		wb_u16(&f, v->ext_sub);         /* GUID, first two bytes */
		wb_put(&f, "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00"
			   "\x38\x9b\x71", 14);
	}
	wb_put(w, "fmt ", 4);
	wb_u32(w, len);
	wb_put(w, f.b, len);
}

static void wb_data(struct wbuf *w, const struct wav_vec *v)
{
	wb_put(w, "data", 4);
	wb_u32(w, v->data_len);
	for (unsigned i = 0; i < v->data_real; i++)
		wb_put(w, (const uint8_t[]){ (uint8_t)(i * 3 + 1) }, 1);
}

START_TEST(wav_reader_header_table)
{
	const struct wav_vec *v = &wav_vecs[_i];
	struct wbuf w = { .n = 0 };
	struct sl_wav_reader r;
	char path[128];
	int rc;

	wb_put(&w, v->riff ? v->riff : "RIFF", 4);
	wb_u32(&w, 0);
	wb_put(&w, v->wave ? v->wave : "WAVE", 4);
	for (int i = 0; i < v->junk; i++) {
		wb_put(&w, "LIST", 4);
		wb_u32(&w, v->junk_len);
		for (unsigned k = 0; k < v->junk_len + (v->junk_len & 1) &&
				     k < 8; k++)
			wb_put(&w, "x", 1);
	}
	if (v->data_first)
		wb_data(&w, v);
	if (!v->no_fmt)
		wb_fmt(&w, v);
	if (!v->no_data && !v->data_first)
		wb_data(&w, v);
	tpath(path, sizeof(path), "t.wav");
	write_file(path, w.b, v->cut ? v->cut : w.n);
	rc = sl__wav_reader_open(&r, path);
	ck_assert_msg(rc == v->want, "%s: got %s, want %s", v->name,
		      sl_err_name(rc), sl_err_name(v->want));
	if (rc < 0)
		return;
	ck_assert_uint_eq(r.frames, v->frames);
	ck_assert_int_eq(r.truncated, v->truncated);
	ck_assert_uint_eq(r.rate, v->rate);
	if (v->frames) {
		int16_t out[8];
		int n = sl__wav_read(&r, out, 8);

		ck_assert_int_eq(n, (int)v->frames);
		/* Bytes 1, 4, 7, 10 ...: the first frame's samples. */
		if (v->ch == 1)
			ck_assert_int_eq(out[0], 1 | 4 << 8);
		else
			ck_assert_int_eq(out[0], ((1 | 4 << 8) +
						  (7 | 10 << 8)) / 2);
	}
	sl__wav_reader_close(&r);
}
END_TEST

START_TEST(wav_reader_file_errors)
{
	struct sl_wav_reader r;
	char path[128];

	ck_assert_int_eq(sl__wav_reader_open(&r, "/nonexistent/x.wav"),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__wav_reader_open(&r, tmp_dir), SL_EIO);
	ck_assert_int_eq(sl__wav_reader_open(&r, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__wav_reader_open(NULL, tmp_dir), SL_EINVAL);
	tpath(path, sizeof(path), "empty.wav");
	write_file(path, "", 0);
	ck_assert_int_eq(sl__wav_reader_open(&r, path), SL_EPARSE);
}
END_TEST

START_TEST(wav_stereo_mixes_down)
{
	static const int16_t lr[] = { 1000, 3000, -32768, -32768, 32767,
				      32767, -5, 4 };
	struct wbuf w = { .n = 0 };
	struct sl_wav_reader r;
	int16_t out[4];
	char path[128];

	wb_put(&w, "RIFF\0\0\0\0WAVEfmt ", 16);
	wb_u32(&w, 16);
	wb_u16(&w, 1);
	wb_u16(&w, 2);
	wb_u32(&w, 8000);
	wb_u32(&w, 32000);
	wb_u16(&w, 4);
	wb_u16(&w, 16);
	wb_put(&w, "data", 4);
	wb_u32(&w, sizeof(lr));
	for (size_t i = 0; i < 8; i++)
		wb_u16(&w, (uint16_t)lr[i]);
	tpath(path, sizeof(path), "st.wav");
	write_file(path, w.b, w.n);
	ck_assert_int_eq(sl__wav_reader_open(&r, path), 0);
	ck_assert_uint_eq(r.channels, 2);
	ck_assert_int_eq(sl__wav_read(&r, out, 4), 4);
	ck_assert_int_eq(out[0], 2000);
	ck_assert_int_eq(out[1], -32768);
	ck_assert_int_eq(out[2], 32767);
	ck_assert_int_eq(out[3], 0);
	sl__wav_reader_close(&r);
}
END_TEST

/* ---- virtual devices ---- */

START_TEST(virtual_list_and_lookup)
{
	struct sl_audio_dev_info info[8];
	int n = sl_audio_list("virtual", info, 8);

	ck_assert_int_eq(n, 5);
	ck_assert_str_eq(info[0].name, "null");
	ck_assert_int_eq(info[0].is_default, 1);
	ck_assert_int_eq(info[0].capture, 1);
	ck_assert_int_eq(info[0].playback, 1);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(info[i].index, i);
		ck_assert_uint_gt(strlen(info[i].description), 0);
	}
	ck_assert_int_eq(info[2].playback, 0);  /* app */
	ck_assert_int_eq(sl_audio_list("virtual", info, 2), 5);
	ck_assert_int_eq(sl_audio_list("virtual", NULL, 0), 5);
	ck_assert_int_eq(sl_audio_list("virtual", NULL, 3), SL_EINVAL);
	ck_assert_int_eq(sl_audio_list(NULL, info, 8), SL_EINVAL);
	ck_assert_int_eq(sl_audio_list("oss", info, 8), SL_ENOTFOUND);
	ck_assert_ptr_eq(sl__audio_driver_find("virtual"),
			 &sl_audio_driver_virtual);
	ck_assert_ptr_eq(sl__audio_driver_find(""), &sl_audio_driver_virtual);
	ck_assert_ptr_eq(sl__audio_driver_find(NULL),
			 &sl_audio_driver_virtual);
	ck_assert_ptr_eq(sl__audio_driver_find("alsa"), sl_audio_driver_alsa);
	ck_assert_ptr_null(sl__audio_driver_find("pulse"));
	ck_assert_uint_eq(sl__audio_driver_default_rate(
				  &sl_audio_driver_virtual), 16000);
	if (sl_audio_driver_alsa)
		ck_assert_uint_eq(sl__audio_driver_default_rate(
					  sl_audio_driver_alsa), 48000);
	ck_assert_int_eq(sl__audio_parse_index("12"), 12);
	ck_assert_int_eq(sl__audio_parse_index("12345"), -1);
	ck_assert_int_eq(sl__audio_parse_index("1a"), -1);
	ck_assert_int_eq(sl__audio_parse_index(""), -1);
}
END_TEST

static const struct {
	const char *cap, *play;
	unsigned rate, frame_ms, buffer_ms;
	int want;
} vopen_vec[] = {
	{ NULL, NULL, 0, 0, 0, 0 },
	{ "", "", 16000, 10, 40, 0 },
	{ "0", "0", 0, 0, 0, 0 },
	{ "1", "3", 0, 0, 0, 0 },
	{ "2", "loopback", 0, 0, 0, 0 },
	{ "tone:440", "null", 0, 0, 0, 0 },
	{ "tone:350+440@-13", "null", 0, 0, 0, 0 },
	{ "tone:1000@-6.5", "null", 0, 0, 0, 0 },
	{ "tone:7999@+0", "null", 0, 0, 0, 0 },
	{ "tone:1000@-120", "null", 0, 0, 0, 0 },
	{ "nosuch", "null", 0, 0, 0, SL_ENOTFOUND },
	{ "null", "nosuch", 0, 0, 0, SL_ENOTFOUND },
	{ "null", "tone:440", 0, 0, 0, SL_ENOTFOUND },
	{ "null", "app", 0, 0, 0, SL_ENOTFOUND },
	{ "null", "1", 0, 0, 0, SL_ENOTFOUND },
	{ "5", "null", 0, 0, 0, SL_ENOTFOUND },
	{ "wav:", "null", 0, 0, 0, SL_ENOTFOUND },
	{ "null", "wav:", 0, 0, 0, SL_ENOTFOUND },
	{ "wav:/nonexistent/a.wav", "null", 0, 0, 0, SL_ENOTFOUND },
	{ "null", "wav:/nonexistent/a.wav", 0, 0, 0, SL_ENOTFOUND },
	{ "tone:", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:0", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:8000", "null", 0, 0, 0, SL_EINVAL },  /* Nyquist */
	{ "tone:440+", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:440+880+1000", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:440@3", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:440@-", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:440@-121", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:440@-1.", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:440x", "null", 0, 0, 0, SL_EINVAL },
	{ "tone:1234567", "null", 0, 0, 0, SL_EINVAL },
	{ "null", "null", 8000, 0, 0, SL_EINVAL },     /* not the port's */
	{ "null", "null", 0, 20, 0, SL_EINVAL },
	{ "null", "null", 0, 0, 10, SL_EINVAL },
};

START_TEST(virtual_open_names)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg(vopen_vec[_i].cap,
						 vopen_vec[_i].play);
	void *dev = NULL;
	int rc;

	ck_assert_ptr_nonnull(p);
	cfg.rate = vopen_vec[_i].rate;
	cfg.frame_ms = vopen_vec[_i].frame_ms;
	cfg.buffer_ms = vopen_vec[_i].buffer_ms;
	rc = sl_audio_driver_virtual.open(&cfg, p, &dev);
	ck_assert_msg(rc == vopen_vec[_i].want, "%s/%s: got %s",
		      vopen_vec[_i].cap ? vopen_vec[_i].cap : "NULL",
		      vopen_vec[_i].play ? vopen_vec[_i].play : "NULL",
		      sl_err_name(rc));
	if (rc == 0) {
		ck_assert_ptr_nonnull(dev);
		sl_audio_driver_virtual.close(dev);
	}
	ck_assert_int_eq(sl_audio_driver_virtual.open(NULL, p, &dev),
			 SL_EINVAL);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, NULL, &dev),
			 SL_EINVAL);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, NULL),
			 SL_EINVAL);
	sl_audio_driver_virtual.close(NULL);
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(virtual_tone_has_pitch_and_level)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg("tone:1000@-6", NULL);
	static int16_t pcm[8000];
	void *dev;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	ck_assert_uint_eq(collect(p, pcm, 8000), 8000);
	sl_audio_driver_virtual.close(dev);
	/* 1000 Hz: 500 upward crossings in 0.5 s; a -6 dBFS peak is
	 * -9.03 dBFS RMS. */
	ck_assert_double_eq_tol(freq_of(pcm, 8000, 16000), 1000.0, 4.0);
	ck_assert_double_eq_tol(rms_dbfs(pcm, 8000), -9.03, 0.1);
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(virtual_dual_tone)
{
	struct sl_audio_port *p = sl__audio_port_create(8000, 20, 0);
	struct sl_audio_dev_config cfg = dev_cfg("tone:350+440@-13", NULL);
	static int16_t pcm[4000];
	double p350, p440, p1000;
	void *dev;

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	ck_assert_uint_eq(collect(p, pcm, 4000), 4000);
	sl_audio_driver_virtual.close(dev);
	p350 = power_at(pcm, 4000, 350, 8000);
	p440 = power_at(pcm, 4000, 440, 8000);
	p1000 = power_at(pcm, 4000, 1000, 8000);
	ck_assert_double_eq_tol(p350 / p440, 1.0, 0.05);
	ck_assert_double_gt(p350, 1000.0 * p1000);
	/* Two tones of -16.0 dBFS RMS each add up to -13.0. */
	ck_assert_double_eq_tol(rms_dbfs(pcm, 4000), -13.0, 0.15);
	sl__audio_port_destroy(p);
}
END_TEST

static void make_wav(const char *path, unsigned rate, const int16_t *pcm,
		     size_t n)
{
	struct sl_wav_writer w;

	ck_assert_int_eq(sl__wav_writer_open(&w, path, rate), 0);
	ck_assert_int_eq(sl__wav_write(&w, pcm, n), 0);
	ck_assert_int_eq(sl__wav_writer_close(&w), 0);
}

START_TEST(virtual_wav_capture_reproduces_file)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	static int16_t file[3000], pcm[4000];
	char path[128], name[160];
	struct sl_audio_dev_config cfg;
	void *dev;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 3000; i++)
		file[i] = pat(i);
	make_wav(tpath(path, sizeof(path), "in.wav"), 16000, file, 3000);
	snprintf(name, sizeof(name), "wav:%s", path);
	cfg = dev_cfg(name, "null");
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	ck_assert_uint_eq(collect(p, pcm, 4000), 4000);
	sl_audio_driver_virtual.close(dev);
	ck_assert_mem_eq(pcm, file, sizeof(file));
	for (size_t i = 3000; i < 4000; i++)
		ck_assert_int_eq(pcm[i], 0);
	sl__audio_port_destroy(p);
}
END_TEST

/* Files longer and shorter than a frame start over seamlessly. */
static const size_t loop_lens[] = { 1000, 70, 1 };

START_TEST(virtual_wav_capture_loops)
{
	size_t len = loop_lens[_i];
	struct sl_audio_port *p = sl__audio_port_create(16000, 5, 0);
	static int16_t file[1000], pcm[3500];
	char path[128], name[160];
	struct sl_audio_dev_config cfg;
	void *dev;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < len; i++)
		file[i] = pat(i);
	make_wav(tpath(path, sizeof(path), "loop.wav"), 16000, file, len);
	snprintf(name, sizeof(name), "wav:%s", path);
	cfg = dev_cfg(name, NULL);
	cfg.loop = 1;
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	ck_assert_uint_eq(collect(p, pcm, 3500), 3500);
	sl_audio_driver_virtual.close(dev);
	for (size_t i = 0; i < 3500; i++)
		ck_assert_int_eq(pcm[i], file[i % len]);
	sl__audio_port_destroy(p);
}
END_TEST

/* An 8 kHz file on a 16 kHz device: converted, then silence. */
START_TEST(virtual_wav_capture_resamples)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	static int16_t file[4000], pcm[9600];
	char path[128], name[160];
	struct sl_audio_dev_config cfg;
	void *dev;

	ck_assert_ptr_nonnull(p);
	gen_tone(file, 4000, 500.0, 8000, -6.0);
	make_wav(tpath(path, sizeof(path), "8k.wav"), 8000, file, 4000);
	snprintf(name, sizeof(name), "wav:%s", path);
	cfg = dev_cfg(name, NULL);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	ck_assert_uint_eq(collect(p, pcm, 9600), 9600);
	sl_audio_driver_virtual.close(dev);
	ck_assert_double_eq_tol(freq_of(pcm + 400, 7200, 16000), 500.0, 4.0);
	ck_assert_double_eq_tol(rms_dbfs(pcm + 400, 7200), -9.03, 0.3);
	for (size_t i = 8400; i < 9600; i++)
		ck_assert_int_eq(pcm[i], 0);
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(virtual_open_allocation_failures)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	static int16_t file[800];
	char path[128], name[160];
	struct sl_audio_dev_config cfg;
	size_t base;
	void *dev;
	int rc;

	ck_assert_ptr_nonnull(p);
	make_wav(tpath(path, sizeof(path), "8k.wav"), 8000, file, 800);
	snprintf(name, sizeof(name), "wav:%s", path);
	cfg = dev_cfg(name, NULL);
	base = sl__mem_in_use();
	for (unsigned nth = 1; nth <= 3; nth++) {
		sl__mem_fail_after(nth);
		rc = sl_audio_driver_virtual.open(&cfg, p, &dev);
		sl__mem_fail_after(0);
		/* The device block, then the file's resampler. */
		ck_assert_int_eq(rc, nth <= 2 ? SL_ENOMEM : 0);
		if (rc == 0)
			sl_audio_driver_virtual.close(dev);
		ck_assert_uint_eq(sl__mem_in_use(), base);
	}
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(virtual_loopback_returns_playback)
{
	static const char *const sinks[] = { "null", "loopback" };
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg("loopback", sinks[_i]);
	static int16_t in[2000], pcm[3000];
	void *dev;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 2000; i++)
		in[i] = pat(i);
	/* Queued before the device starts: its first frames play it. */
	ck_assert_uint_eq(sl__audio_port_write_playback(p, in, 2000), 2000);
	sl__audio_port_set_gain(p, 255, 255, 0);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	ck_assert_uint_eq(collect(p, pcm, 3000), 3000);
	sl_audio_driver_virtual.close(dev);
	ck_assert_mem_eq(pcm, in, sizeof(in));
	for (size_t i = 2000; i < 3000; i++)
		ck_assert_int_eq(pcm[i], 0);
	sl__audio_port_destroy(p);
}
END_TEST

/* The file holds, in order, exactly what the engine queued, with the
 * device's underrun silence between (counted). */
START_TEST(virtual_wav_playback_writes_what_was_played)
{
	enum { TOTAL = 16000 };
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	static int16_t in[TOTAL], out[TOTAL * 3];
	struct sl_audio_counters c;
	struct sl_wav_reader r;
	char path[128], name[160];
	struct sl_audio_dev_config cfg;
	size_t sent, k = 0, zeros = 0;
	long long end;
	void *dev;
	int n;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < TOTAL; i++)
		in[i] = pat(i);
	snprintf(name, sizeof(name), "wav:%s",
		 tpath(path, sizeof(path), "out.wav"));
	cfg = dev_cfg(NULL, name);
	sent = sl__audio_port_write_playback(p, in, TOTAL);
	ck_assert_uint_eq(sent, 4096);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	end = now_ms() + WAIT_MS;
	while (sent < TOTAL && now_ms() < end) {
		sent += sl__audio_port_write_playback(p, in + sent,
						      TOTAL - sent);
		nap();
	}
	ck_assert_uint_eq(sent, TOTAL);
	ck_assert(wait_played(p, TOTAL));
	sl_audio_driver_virtual.close(dev);
	counters(p, &c);
	ck_assert_uint_eq(c.played, TOTAL);

	ck_assert_int_eq(sl__wav_reader_open(&r, path), 0);
	ck_assert_int_eq(r.truncated, 0);
	ck_assert_uint_eq(r.rate, 16000);
	ck_assert_uint_eq(r.frames, c.played + c.underrun);
	ck_assert_uint_le(r.frames, TOTAL * 3);
	n = sl__wav_read(&r, out, TOTAL * 3);
	ck_assert_int_eq(n, (int)r.frames);
	sl__wav_reader_close(&r);
	ck_assert_mem_eq(out, in, 4096 * sizeof(int16_t));
	for (int i = 0; i < n; i++) {
		if (out[i] == 0) {
			zeros++;
			continue;
		}
		ck_assert_uint_lt(k, TOTAL);
		ck_assert_int_eq(out[i], in[k]);
		k++;
	}
	ck_assert_uint_eq(k, TOTAL);
	ck_assert_uint_eq(zeros, c.underrun);
	sl__audio_port_destroy(p);
}
END_TEST

/* The application feeds a tone at its rate; the "app" device captures it
 * at the device rate, in real time. */
START_TEST(virtual_app_feed)
{
	enum { N = 16000 };
	unsigned rate = feed_rates[_i];
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg("app", NULL);
	static int16_t in[48000], pcm[N];
	size_t fed = 0, got = 0, total = rate, first = 0, kept;
	struct sl_audio_counters c0, c;
	long long end;
	void *dev;
	int rc;

	ck_assert_ptr_nonnull(p);
	gen_tone(in, total, 1000.0, rate, -6.0);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 10, rate), SL_ESTATE);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	end = now_ms() + WAIT_MS;
	while (got < N && now_ms() < end) {
		if (fed < total) {
			rc = sl__audio_port_feed(p, in + fed,
						 total - fed < rate / 100 ?
						 total - fed : rate / 100,
						 rate);
			ck_assert_int_ge(rc, 0);
			fed += (size_t)rc;
		}
		got += sl__audio_port_read_capture(p, pcm + got, N - got);
		nap();
	}
	ck_assert_uint_eq(fed, total);
	ck_assert_uint_eq(got, N);
	/* Overflow: a second at once is cut to about 100 ms. */
	counters(p, &c0);
	rc = sl__audio_port_feed(p, in, rate, rate);
	ck_assert_int_lt(rc, (int)rate);
	ck_assert_int_ge(rc, (int)(rate / 20));
	counters(p, &c);
	ck_assert_uint_eq(c.feed_dropped - c0.feed_dropped,
			  rate - (unsigned)rc);
	ck_assert_uint_eq(c.fed, total + (unsigned)rc);
	sl_audio_driver_virtual.close(dev);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 10, rate), SL_ESTATE);

	/* Skip the silence before the first feed, then check the tone. */
	while (first < N && pcm[first] == 0)
		first++;
	ck_assert_uint_lt(first, 4000);
	kept = squeeze_gaps(pcm + first, N - first);
	ck_assert_uint_ge(kept, 8400);
	ck_assert_double_eq_tol(freq_of(pcm + first + 400, 8000, 16000),
				1000.0, 6.0);
	ck_assert_double_eq_tol(rms_dbfs(pcm + first + 400, 8000), -9.03,
				0.5);
	sl__audio_port_destroy(p);
}
END_TEST

/* At the device rate, a feed within 100 ms comes out unchanged. */
START_TEST(virtual_app_feed_exact)
{
	struct sl_audio_port *p = sl__audio_port_create(16000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg("2", NULL);
	static int16_t in[1500], pcm[4000];
	size_t first = 0;
	void *dev;

	ck_assert_ptr_nonnull(p);
	for (size_t i = 0; i < 1500; i++)
		in[i] = pat(i);
	ck_assert_int_eq(sl_audio_driver_virtual.open(&cfg, p, &dev), 0);
	ck_assert_int_eq(sl__audio_port_feed(p, in, 1500, 16000), 1500);
	ck_assert_uint_eq(collect(p, pcm, 4000), 4000);
	sl_audio_driver_virtual.close(dev);
	while (first < 4000 && pcm[first] == 0)
		first++;
	ck_assert_uint_le(first, 2500);
	ck_assert_mem_eq(pcm + first, in, sizeof(in));
	for (size_t i = first + 1500; i < 4000; i++)
		ck_assert_int_eq(pcm[i], 0);
	sl__audio_port_destroy(p);
}
END_TEST

/* ---- ALSA over alsa-lib's null and file plugins ---- */

static char alsa_out[128], alsa_in[128];

static void alsa_setup(void)
{
	char conf[PATH_MAX];

	tmp_setup();
	ck_assert_ptr_nonnull(realpath("tests/data/alsa-test.conf", conf));
	/* Before any alsa-lib call: the test configuration replaces the
	 * system's. */
	ck_assert_int_eq(setenv("ALSA_CONFIG_PATH", conf, 1), 0);
	ck_assert_int_eq(setenv("SL_ALSA_TEST_OUT", tpath(alsa_out,
			 sizeof(alsa_out), "alsa-out.raw"), 1), 0);
	ck_assert_int_eq(setenv("SL_ALSA_TEST_IN", tpath(alsa_in,
			 sizeof(alsa_in), "alsa-in.raw"), 1), 0);
}

START_TEST(alsa_lists_test_devices)
{
	struct sl_audio_dev_info info[16];
	int n, seen = 0;

	if (!sl_audio_driver_alsa)
		return;                 /* a NO_ALSA build */
	n = sl_audio_list("alsa", info, 16);
	ck_assert_int_ge(n, 3);
	ck_assert_int_le(n, 16);
	ck_assert_str_eq(info[0].name, "default");
	ck_assert_int_eq(info[0].is_default, 1);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(info[i].index, i);
		if (strcmp(info[i].name, "sltest_null") == 0 ||
		    strcmp(info[i].name, "sltest_file") == 0) {
			ck_assert_int_eq(info[i].is_default, 0);
			ck_assert_int_eq(info[i].capture, 1);
			ck_assert_int_eq(info[i].playback, 1);
			ck_assert_ptr_nonnull(strstr(info[i].description,
						     "sipline test"));
			seen++;
		}
	}
	ck_assert_int_eq(seen, 2);
	ck_assert_int_eq(sl_audio_list("alsa", NULL, 0), n);
	ck_assert_int_eq(sl_audio_list("alsa", info, 1), n);
	ck_assert_str_eq(info[0].name, "default");
}
END_TEST

static const struct {
	const char *cap, *play;
	unsigned rate;
	int want;
} aopen_vec[] = {
	{ NULL, NULL, 0, 0 },                   /* "default" */
	{ "0", "0", 0, 0 },                     /* "default" by index */
	{ "sltest_null", "sltest_null", 8000, 0 },
	{ "sltest_nosuch", "sltest_null", 0, SL_ENOTFOUND },
	{ "sltest_null", "sltest_nosuch", 0, SL_ENOTFOUND },
	{ "99", "sltest_null", 0, SL_ENOTFOUND },
	{ "sltest_null", "sltest_null", 16000, SL_EINVAL },
};

START_TEST(alsa_open_names)
{
	struct sl_audio_port *p = sl__audio_port_create(8000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg(aopen_vec[_i].cap,
						 aopen_vec[_i].play);
	void *dev = NULL;
	int rc;

	if (!sl_audio_driver_alsa) {
		sl__audio_port_destroy(p);
		return;
	}
	ck_assert_ptr_nonnull(p);
	cfg.rate = aopen_vec[_i].rate;
	rc = sl_audio_driver_alsa->open(&cfg, p, &dev);
	ck_assert_msg(rc == aopen_vec[_i].want, "%s/%s: got %s",
		      aopen_vec[_i].cap ? aopen_vec[_i].cap : "NULL",
		      aopen_vec[_i].play ? aopen_vec[_i].play : "NULL",
		      sl_err_name(rc));
	if (rc == 0)
		sl_audio_driver_alsa->close(dev);
	ck_assert_int_eq(sl_audio_driver_alsa->open(&cfg, NULL, &dev),
			 SL_EINVAL);
	sl_audio_driver_alsa->close(NULL);
	sl__audio_port_destroy(p);
}
END_TEST

START_TEST(alsa_open_by_index)
{
	struct sl_audio_port *p = sl__audio_port_create(8000, 10, 0);
	struct sl_audio_dev_info info[16];
	struct sl_audio_dev_config cfg;
	char idx[16];
	void *dev;
	int n, i;

	if (!sl_audio_driver_alsa) {
		sl__audio_port_destroy(p);
		return;
	}
	n = sl_audio_list("alsa", info, 16);
	for (i = 0; i < n && strcmp(info[i].name, "sltest_null"); i++)
		;
	ck_assert_int_lt(i, n);
	snprintf(idx, sizeof(idx), "%d", i);
	cfg = dev_cfg(idx, idx);
	/* The device block, then the list that resolves the index. */
	sl__mem_fail_after(2);
	ck_assert_int_eq(sl_audio_driver_alsa->open(&cfg, p, &dev),
			 SL_ENOMEM);
	sl__mem_fail_after(0);
	ck_assert_int_eq(sl_audio_driver_alsa->open(&cfg, p, &dev), 0);
	sl_audio_driver_alsa->close(dev);
	sl__audio_port_destroy(p);
}
END_TEST

/* Playback through the file plugin: the file gets what the engine
 * queued, first thing. */
START_TEST(alsa_playback_to_file)
{
	enum { N = 2000 };
	struct sl_audio_port *p = sl__audio_port_create(8000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg("sltest_null",
						 "sltest_file");
	static int16_t in[N], out[N];
	void *dev;

	if (!sl_audio_driver_alsa) {
		sl__audio_port_destroy(p);
		return;
	}
	for (size_t i = 0; i < N; i++)
		in[i] = pat(i);
	ck_assert_uint_eq(sl__audio_port_write_playback(p, in, N), N);
	ck_assert_int_eq(sl_audio_driver_alsa->open(&cfg, p, &dev), 0);
	ck_assert(wait_played(p, N));
	sl_audio_driver_alsa->close(dev);
	ck_assert_uint_eq(read_file(alsa_out, out, sizeof(out)), sizeof(out));
	ck_assert_mem_eq(out, in, sizeof(in));
	sl__audio_port_destroy(p);
}
END_TEST

/* Capture through the file plugin's infile. */
START_TEST(alsa_capture_from_file)
{
	enum { N = 2000 };      /* within the 2048-sample ring: no drops */
	struct sl_audio_port *p = sl__audio_port_create(8000, 10, 0);
	struct sl_audio_dev_config cfg = dev_cfg("sltest_file",
						 "sltest_null");
	static int16_t in[N], pcm[N];
	void *dev;

	if (!sl_audio_driver_alsa) {
		sl__audio_port_destroy(p);
		return;
	}
	for (size_t i = 0; i < N; i++)
		in[i] = pat(i);
	write_file(alsa_in, in, sizeof(in));
	ck_assert_int_eq(sl_audio_driver_alsa->open(&cfg, p, &dev), 0);
	ck_assert_uint_eq(collect(p, pcm, N), N);
	sl_audio_driver_alsa->close(dev);
	ck_assert_mem_eq(pcm, in, sizeof(in));
	sl__audio_port_destroy(p);
}
END_TEST

/* ---- suite ---- */

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static Suite *check_device_suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc;

	tc = tcase_create("port");
	tcase_add_loop_test(tc, port_create_checks_arguments, 0,
			    N_OF(create_vec));
	tcase_add_test(tc, port_capture_keeps_oldest_and_counts_drops);
	tcase_add_test(tc, port_playback_underrun_is_silence);
	tcase_add_loop_test(tc, port_gains_and_mute, 0, N_OF(gain_vec));
	tcase_add_test(tc, port_feed_needs_app_and_checks_args);
	tcase_add_test(tc, port_create_allocation_failures);
	tcase_add_loop_test(tc, port_feed_resamples, 0, N_OF(feed_rates));
	suite_add_tcase(s, tc);

	tc = tcase_create("resampler");
	tcase_add_test(tc, resampler_rejects_bad_arguments);
	tcase_add_test(tc, resampler_passthrough_copies);
	tcase_add_test(tc, resampler_round_trip_keeps_tone);
	tcase_add_test(tc, resampler_stops_at_out_cap);
	suite_add_tcase(s, tc);

	tc = tcase_create("wav");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_add_test(tc, wav_write_read_round_trip);
	tcase_add_test(tc, wav_writer_errors);
	tcase_add_test(tc, wav_writer_limit_and_io_errors);
	tcase_add_loop_test(tc, wav_reader_header_table, 0, N_OF(wav_vecs));
	tcase_add_test(tc, wav_reader_file_errors);
	tcase_add_test(tc, wav_stereo_mixes_down);
	suite_add_tcase(s, tc);

	tc = tcase_create("virtual");
	tcase_add_checked_fixture(tc, tmp_setup, tmp_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, virtual_list_and_lookup);
	tcase_add_loop_test(tc, virtual_open_names, 0, N_OF(vopen_vec));
	tcase_add_test(tc, virtual_tone_has_pitch_and_level);
	tcase_add_test(tc, virtual_dual_tone);
	tcase_add_test(tc, virtual_wav_capture_reproduces_file);
	tcase_add_loop_test(tc, virtual_wav_capture_loops, 0, N_OF(loop_lens));
	tcase_add_test(tc, virtual_wav_capture_resamples);
	tcase_add_test(tc, virtual_open_allocation_failures);
	tcase_add_loop_test(tc, virtual_loopback_returns_playback, 0, 2);
	tcase_add_test(tc, virtual_wav_playback_writes_what_was_played);
	tcase_add_loop_test(tc, virtual_app_feed, 0, N_OF(feed_rates));
	tcase_add_test(tc, virtual_app_feed_exact);
	suite_add_tcase(s, tc);

	tc = tcase_create("alsa");
	tcase_add_checked_fixture(tc, alsa_setup, tmp_teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, alsa_lists_test_devices);
	tcase_add_loop_test(tc, alsa_open_names, 0, N_OF(aopen_vec));
	tcase_add_test(tc, alsa_open_by_index);
	tcase_add_test(tc, alsa_playback_to_file);
	tcase_add_test(tc, alsa_capture_from_file);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_device_suite)
