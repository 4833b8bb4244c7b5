/*
 * tests/unit/check_codec.c: the codec registry (codecs/registry) and the
 * built-in codecs L16, CN, opus and telephone-event (G.711 has its own
 * file, check_codec_g711.c; G.722 its own too).
 *
 * Check forks each test, so every test starts from the built-ins alone;
 * the registry tests still only assume what they registered themselves,
 * so the suite also passes in one process (CK_FORK=no, for TSan).
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sipline/codec.h"
#include "sipline/error.h"

enum { N_BUILTIN = 10 };

/* ---- a codec for registration tests ---- */

static int fake_encode(void *state, const int16_t *pcm, size_t n,
		       uint8_t *out, size_t cap)
{
	(void)state;
	(void)pcm;
	(void)out;
	return n <= cap ? (int)n : SL_ENOSPC;
}

static int fake_decode(void *state, const uint8_t *in, size_t len,
		       int16_t *pcm, size_t cap)
{
	(void)state;
	(void)in;
	(void)pcm;
	return len <= cap ? (int)len : SL_ENOSPC;
}

static struct sl_codec fake(const char *name, uint32_t rate)
{
	struct sl_codec c = {
		.name = name,
		.clock_rate = rate,
		.sample_rate = rate,
		.channels = 1,
		.static_pt = -1,
		.min_ptime_ms = 10,
		.max_ptime_ms = 60,
		.encode = fake_encode,
		.decode = fake_decode,
	};
	return c;
}

/* ---- registry ---- */

static const struct {
	const char *name;
	uint32_t rate;
	int pt;
	uint8_t channels;
} builtins[N_BUILTIN] = {
	{ "PCMU", 8000, 0, 1 },
	{ "PCMA", 8000, 8, 1 },
	{ "G722", 8000, 9, 1 },
	{ "L16", 8000, -1, 1 },
	{ "L16", 16000, -1, 1 },
	{ "L16", 44100, 11, 1 },
	{ "L16", 48000, -1, 1 },
	{ "opus", 48000, -1, 2 },
	{ "telephone-event", 8000, -1, 1 },
	{ "CN", 8000, 13, 1 },
};

START_TEST(builtins_come_first_in_a_fixed_order)
{
	const struct sl_codec *out[SL_CODEC_MAX + 1] = { 0 };
	size_t n = sl_codec_list(out, SL_CODEC_MAX);

	ck_assert_uint_ge(n, N_BUILTIN);
	for (size_t i = 0; i < N_BUILTIN; i++) {
		ck_assert_ptr_nonnull(out[i]);
		ck_assert_str_eq(out[i]->name, builtins[i].name);
		ck_assert_uint_eq(out[i]->clock_rate, builtins[i].rate);
		ck_assert_int_eq(out[i]->static_pt, builtins[i].pt);
		ck_assert_uint_eq(out[i]->channels, builtins[i].channels);
		ck_assert_ptr_nonnull(out[i]->encode);
		ck_assert_ptr_nonnull(out[i]->decode);
		/* Each passes the registration rules: refused only as a
		 * duplicate, never as invalid. */
		ck_assert_int_eq(sl_codec_register(out[i]), SL_EEXIST);
	}
	ck_assert_uint_eq(sl_codec_find("G722", 0)->sample_rate, 16000);
}
END_TEST

START_TEST(list_copies_at_most_cap)
{
	const struct sl_codec *out[4] = { 0 };
	const struct sl_codec *marker = (const void *)out;
	size_t n;

	out[3] = marker;
	n = sl_codec_list(out, 3);
	ck_assert_uint_ge(n, N_BUILTIN);
	ck_assert_ptr_eq(out[3], marker);
	ck_assert_str_eq(out[2]->name, "G722");
	ck_assert_uint_eq(sl_codec_list(NULL, 0), n);
	ck_assert_uint_eq(sl_codec_list(NULL, 5), n);
}
END_TEST

START_TEST(find_ignores_case_and_matches_rate)
{
	const struct sl_codec *c;

	ck_assert_ptr_eq(sl_codec_find("pcmu", 8000),
			 sl_codec_find("PCMU", 0));
	ck_assert_ptr_nonnull(sl_codec_find("Opus", 48000));
	ck_assert_ptr_nonnull(sl_codec_find("OPUS", 0));
	ck_assert_ptr_nonnull(sl_codec_find("Telephone-Event", 8000));
	ck_assert_ptr_nonnull(sl_codec_find("cn", 8000));
	c = sl_codec_find("l16", 16000);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->sample_rate, 16000);
	ck_assert_uint_eq(sl_codec_find("L16", 44100)->clock_rate, 44100);
	ck_assert_uint_eq(sl_codec_find("L16", 0)->clock_rate, 8000);
	ck_assert_ptr_null(sl_codec_find("L16", 22050));
	ck_assert_ptr_null(sl_codec_find("PCMU", 16000));
	ck_assert_ptr_null(sl_codec_find("opus", 8000));
	ck_assert_ptr_null(sl_codec_find(NULL, 0));
	ck_assert_ptr_null(sl_codec_find("", 0));
	ck_assert_ptr_null(sl_codec_find("PCM", 0));
	ck_assert_ptr_null(sl_codec_find("PCMUX", 0));
	ck_assert_ptr_null(sl_codec_find("PCMU ", 0));
	ck_assert_ptr_null(sl_codec_find("GSM", 0));
}
END_TEST

static struct sl_codec app_a, app_b, app_c, app_dup;

START_TEST(register_adds_after_builtins)
{
	const struct sl_codec *out[SL_CODEC_MAX];
	size_t n0 = sl_codec_list(NULL, 0), n;

	app_a = fake("x-test", 16000);
	app_b = fake("X-TEST", 32000);   /* same name, other rate: fine */
	app_dup = fake("x-Test", 16000);
	app_c = fake("PCMU", 16000);     /* a built-in name at a new rate */
	ck_assert_int_eq(sl_codec_register(&app_a), 0);
	ck_assert_int_eq(sl_codec_register(&app_b), 0);
	ck_assert_int_eq(sl_codec_register(&app_dup), SL_EEXIST);
	ck_assert_int_eq(sl_codec_register(&app_a), SL_EEXIST);
	ck_assert_int_eq(sl_codec_register(&app_c), 0);
	n = sl_codec_list(out, SL_CODEC_MAX);
	ck_assert_uint_eq(n, n0 + 3);
	ck_assert_ptr_eq(out[n0], &app_a);
	ck_assert_ptr_eq(out[n0 + 1], &app_b);
	ck_assert_ptr_eq(out[n0 + 2], &app_c);
	ck_assert_ptr_eq(sl_codec_find("X-Test", 16000), &app_a);
	ck_assert_ptr_eq(sl_codec_find("x-test", 32000), &app_b);
	ck_assert_ptr_eq(sl_codec_find("x-test", 0), &app_a);
	/* The built-in keeps its place ahead of the newcomer. */
	ck_assert_ptr_ne(sl_codec_find("PCMU", 0), &app_c);
	ck_assert_ptr_eq(sl_codec_find("PCMU", 16000), &app_c);
	/* A codec equal to a built-in, as a new object: still a duplicate. */
	app_dup = *sl_codec_find("PCMA", 8000);
	ck_assert_int_eq(sl_codec_register(&app_dup), SL_EEXIST);
}
END_TEST

enum bad_kind {
	BAD_NAME_NULL, BAD_NAME_EMPTY, BAD_NAME_SLASH, BAD_NAME_SPACE,
	BAD_NAME_LONG, BAD_NAME_CTRL, BAD_NO_ENCODE, BAD_NO_DECODE,
	BAD_CLOCK_0, BAD_SAMPLE_0, BAD_CHANNELS_0, BAD_MIN_PTIME_0,
	BAD_PTIME_ORDER, BAD_PTIME_BIG, BAD_PT_DYNAMIC, BAD_PT_NEG,
	N_BAD
};

/* Registered objects must stay unchanged: not the scratch one. */
static struct sl_codec longest;

START_TEST(register_refuses_bad_codecs)
{
	static struct sl_codec c;

	c = fake("x-bad", 8000);
	switch ((enum bad_kind)_i) {
	case BAD_NAME_NULL: c.name = NULL; break;
	case BAD_NAME_EMPTY: c.name = ""; break;
	case BAD_NAME_SLASH: c.name = "x/8000"; break;
	case BAD_NAME_SPACE: c.name = "x bad"; break;
	case BAD_NAME_LONG: c.name = "abcdefghijklmnopqrstuvwxyz012345";
		break;
	case BAD_NAME_CTRL: c.name = "x\tbad"; break;
	case BAD_NO_ENCODE: c.encode = NULL; break;
	case BAD_NO_DECODE: c.decode = NULL; break;
	case BAD_CLOCK_0: c.clock_rate = 0; break;
	case BAD_SAMPLE_0: c.sample_rate = 0; break;
	case BAD_CHANNELS_0: c.channels = 0; break;
	case BAD_MIN_PTIME_0: c.min_ptime_ms = 0; break;
	case BAD_PTIME_ORDER: c.min_ptime_ms = 40; c.max_ptime_ms = 20;
		break;
	case BAD_PTIME_BIG: c.max_ptime_ms = 200; break;
	case BAD_PT_DYNAMIC: c.static_pt = 96; break;
	case BAD_PT_NEG: c.static_pt = -2; break;
	case N_BAD: break;
	}
	ck_assert_int_eq(sl_codec_register(&c), SL_EINVAL);
	ck_assert_ptr_null(sl_codec_find("x-bad", 0));
	ck_assert_int_eq(sl_codec_register(NULL), SL_EINVAL);
	/* The longest accepted name is 31 bytes. */
	if (_i == 0) {
		longest = fake("abcdefghijklmnopqrstuvwxyz01234", 8000);
		ck_assert_int_eq(sl_codec_register(&longest), 0);
	}
}
END_TEST

static char names[SL_CODEC_MAX + 4][8];
static struct sl_codec many[SL_CODEC_MAX + 4];

START_TEST(register_stops_at_the_limit)
{
	size_t n = sl_codec_list(NULL, 0);
	size_t k = 0;
	int rc = 0;

	for (k = 0; k < SL_CODEC_MAX + 4; k++) {
		snprintf(names[k], sizeof(names[k]), "x%zu", k);
		many[k] = fake(names[k], 8000);
		rc = sl_codec_register(&many[k]);
		if (rc)
			break;
	}
	ck_assert_int_eq(rc, SL_ELIMIT);
	ck_assert_uint_eq(k, SL_CODEC_MAX - n);
	ck_assert_uint_eq(sl_codec_list(NULL, 0), SL_CODEC_MAX);
	/* Full: a duplicate is still reported as one. */
	ck_assert_int_eq(sl_codec_register(&many[0]), SL_EEXIST);
	ck_assert_ptr_eq(sl_codec_find("X0", 8000), &many[0]);
	ck_assert_ptr_null(sl_codec_find(names[k], 0));
	/* Every registered one is found, including the last slot. */
	for (size_t i = 0; i < k; i++)
		ck_assert_ptr_eq(sl_codec_find(names[i], 8000), &many[i]);
}
END_TEST

/* Few enough that, with the tests above, the registry still has room
 * when tests share one process (CK_FORK=no, as under TSan). */
enum { THREADS = 4, PER_THREAD = 4 };

static struct sl_codec thr_codecs[THREADS][PER_THREAD];
static char thr_names[THREADS][PER_THREAD][8];

static void *register_some(void *arg)
{
	intptr_t t = (intptr_t)arg;
	intptr_t bad = 0;

	for (int i = 0; i < PER_THREAD; i++) {
		const struct sl_codec *seen[SL_CODEC_MAX];
		size_t n;

		if (sl_codec_register(&thr_codecs[t][i]) != 0)
			bad++;
		/* Readers during registration see only whole entries. */
		n = sl_codec_list(seen, SL_CODEC_MAX);
		for (size_t j = 0; j < n && j < SL_CODEC_MAX; j++)
			if (!seen[j] || !seen[j]->name)
				bad++;
		if (sl_codec_find(thr_names[t][i], 8000) != &thr_codecs[t][i])
			bad++;
	}
	return (void *)bad;
}

START_TEST(register_from_threads)
{
	pthread_t th[THREADS];
	const struct sl_codec *out[SL_CODEC_MAX];
	size_t n0 = sl_codec_list(NULL, 0), n;

	for (int t = 0; t < THREADS; t++)
		for (int i = 0; i < PER_THREAD; i++) {
			snprintf(thr_names[t][i], sizeof(thr_names[t][i]),
				 "t%d-%d", t, i);
			thr_codecs[t][i] = fake(thr_names[t][i], 8000);
		}
	for (intptr_t t = 0; t < THREADS; t++)
		ck_assert_int_eq(pthread_create(&th[t], NULL, register_some,
						(void *)t), 0);
	for (int t = 0; t < THREADS; t++) {
		void *bad;

		ck_assert_int_eq(pthread_join(th[t], &bad), 0);
		ck_assert_ptr_null(bad);
	}
	n = sl_codec_list(out, SL_CODEC_MAX);
	ck_assert_uint_eq(n, n0 + THREADS * PER_THREAD);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			ck_assert_ptr_ne(out[i], out[j]);
}
END_TEST

/* ---- L16 ---- */

START_TEST(l16_is_big_endian_and_round_trips)
{
	static const int16_t pcm[5] = { 0x1234, -2, 32767, -32768, 0 };
	static const uint8_t want[10] = { 0x12, 0x34, 0xFF, 0xFE, 0x7F, 0xFF,
					  0x80, 0x00, 0x00, 0x00 };
	static const uint32_t rates[4] = { 8000, 16000, 44100, 48000 };
	uint8_t b[11];
	int16_t back[6];

	for (int r = 0; r < 4; r++) {
		const struct sl_codec *c = sl_codec_find("L16", rates[r]);

		ck_assert_ptr_nonnull(c);
		ck_assert_uint_eq(c->sample_rate, rates[r]);
		ck_assert_uint_eq(c->channels, 1);
		ck_assert_int_eq(c->static_pt, rates[r] == 44100 ? 11 : -1);
		ck_assert_int_eq(c->encode(NULL, pcm, 5, b, sizeof(b)), 10);
		ck_assert_mem_eq(b, want, sizeof(want));
		ck_assert_int_eq(c->decode(NULL, b, 10, back, 6), 5);
		ck_assert_mem_eq(back, pcm, sizeof(pcm));
		/* Errors: short buffers, a half sample, NULLs. */
		ck_assert_int_eq(c->encode(NULL, pcm, 5, b, 9), SL_ENOSPC);
		ck_assert_int_eq(c->decode(NULL, b, 10, back, 4), SL_ENOSPC);
		ck_assert_int_eq(c->decode(NULL, b, 9, back, 6), SL_EPARSE);
		ck_assert_int_eq(c->encode(NULL, NULL, 5, b, 10), SL_EINVAL);
		ck_assert_int_eq(c->decode(NULL, b, 10, NULL, 6), SL_EINVAL);
		ck_assert_int_eq(c->decode(NULL, b, 0, back, 0), 0);
	}
}
END_TEST

/* ---- CN ---- */

static double dbov(const int16_t *pcm, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += (double)pcm[i] * pcm[i];
	return 20.0 * log10(sqrt(e / (double)n) / 32767.0);
}

static void *new_state(const struct sl_codec *c,
		       const struct sl_codec_params *p)
{
	void *st = calloc(1, c->state_size ? c->state_size : 1);

	ck_assert_ptr_nonnull(st);
	if (c->init)
		ck_assert_int_eq(c->init(st, p), 0);
	return st;
}

START_TEST(cn_decode_makes_noise_at_the_level)
{
	const struct sl_codec *cn = sl_codec_find("CN", 8000);
	static int16_t pcm[8000];
	void *st;

	ck_assert_ptr_nonnull(cn);
	ck_assert_int_eq(cn->static_pt, 13);
	st = new_state(cn, NULL);
	for (unsigned level = 10; level <= 80; level += 5) {
		uint8_t sid[1] = { (uint8_t)level };
		double got;

		ck_assert_int_eq(cn->decode(st, sid, 1, pcm, 8000), 8000);
		got = dbov(pcm, 8000);
		ck_assert_msg(fabs(got + level) <= 2.0, "level %u: %.2f dBov",
			      level, got);
		/* Concealment continues at the same level. */
		ck_assert_int_eq(cn->plc(st, pcm, 4000), 4000);
		got = dbov(pcm, 4000);
		ck_assert_msg(fabs(got + level) <= 2.0, "plc %u: %.2f dBov",
			      level, got);
	}
	free(st);
}
END_TEST

START_TEST(cn_decode_details)
{
	const struct sl_codec *cn = sl_codec_find("CN", 8000);
	void *a = new_state(cn, NULL), *b = new_state(cn, NULL);
	/* Level 40 with a spectral model (ignored); the reserved top bit
	 * set (masked). */
	static const uint8_t with_model[5] = { 40, 0x80, 0x7F, 0x01, 0x55 };
	static const uint8_t top_bit[1] = { 0x80 | 40 };
	int16_t x[160], y[160];

	ck_assert_int_eq(cn->decode(a, with_model, 5, x, 160), 160);
	ck_assert_int_eq(cn->decode(b, top_bit, 1, y, 160), 160);
	/* Same seed, same level: the same noise. */
	ck_assert_mem_eq(x, y, sizeof(x));
	ck_assert_double_lt(fabs(dbov(x, 160) + 40), 3.0);
	/* Not a constant: noise. */
	ck_assert_int_ne(x[0], x[1]);
	ck_assert_int_eq(cn->decode(a, with_model, 0, x, 160), SL_EPARSE);
	ck_assert_int_eq(cn->decode(a, with_model, 1, NULL, 160), SL_EINVAL);
	ck_assert_int_eq(cn->decode(a, NULL, 1, x, 160), SL_EINVAL);
	ck_assert_int_eq(cn->decode(a, with_model, 1, x, 0), 0);
	ck_assert_int_eq(cn->plc(a, NULL, 10), SL_EINVAL);
	/* Level 127 is silence on a 16-bit scale. */
	x[0] = 1;
	ck_assert_int_eq(cn->decode(a, (const uint8_t[]){ 127 }, 1, x, 160),
			 160);
	for (int i = 0; i < 160; i++)
		ck_assert_int_eq(x[i], 0);
	free(a);
	free(b);
}
END_TEST

START_TEST(cn_encode_measures_the_level)
{
	const struct sl_codec *cn = sl_codec_find("CN", 8000);
	static int16_t pcm[800], noise[8000];
	void *st = new_state(cn, NULL), *dec = new_state(cn, NULL);
	uint8_t out[4];

	/* A sine of amplitude A has RMS A / sqrt(2). */
	for (int amp = 30000; amp >= 10; amp /= 3) {
		double want = -20.0 * log10(amp / sqrt(2.0) / 32767.0);

		for (int i = 0; i < 800; i++)
			pcm[i] = (int16_t)lround(amp * sin(2 * M_PI * 440.0 *
							   i / 8000.0));
		ck_assert_int_eq(cn->encode(st, pcm, 800, out, sizeof(out)),
				 1);
		ck_assert_msg(fabs(out[0] - want) <= 1.0,
			      "amp %d: %u want %.1f", amp, out[0], want);
		/* And what the far end makes of it is as loud. */
		ck_assert_int_eq(cn->decode(dec, out, 1, noise, 8000), 8000);
		ck_assert_msg(fabs(dbov(noise, 8000) + want) <= 2.0,
			      "amp %d: noise %.2f dBov", amp,
			      dbov(noise, 8000));
	}
	/* Full scale is 0; silence the quietest. */
	for (int i = 0; i < 800; i++)
		pcm[i] = i & 1 ? 32767 : -32767;
	ck_assert_int_eq(cn->encode(st, pcm, 800, out, 1), 1);
	ck_assert_uint_eq(out[0], 0);
	memset(pcm, 0, sizeof(pcm));
	ck_assert_int_eq(cn->encode(st, pcm, 800, out, 1), 1);
	ck_assert_uint_eq(out[0], 127);
	ck_assert_int_eq(cn->encode(st, pcm, 800, out, 0), SL_ENOSPC);
	ck_assert_int_eq(cn->encode(st, NULL, 800, out, 1), SL_EINVAL);
	free(st);
	free(dec);
}
END_TEST

/* ---- telephone-event ---- */

START_TEST(telephone_event_is_sdp_only)
{
	const struct sl_codec *te = sl_codec_find("telephone-event", 8000);
	int16_t pcm[160] = { 0 };
	uint8_t b[16];
	char fmtp[8];
	struct sl_codec_params p = { 0 };

	ck_assert_ptr_nonnull(te);
	ck_assert_int_eq(te->static_pt, -1);
	ck_assert_int_eq(te->encode(NULL, pcm, 160, b, sizeof(b)), SL_EUNSUPP);
	ck_assert_int_eq(te->decode(NULL, b, 4, pcm, 160), SL_EUNSUPP);
	ck_assert_ptr_nonnull(te->fmtp_format);
	ck_assert_int_eq(te->fmtp_format(&p, fmtp, sizeof(fmtp)), 4);
	ck_assert_str_eq(fmtp, "0-16");
	ck_assert_int_eq(te->fmtp_format(&p, fmtp, 4), SL_ENOSPC);
}
END_TEST

/* ---- opus ---- */

enum { FS = 48000, F20 = 960, SECS_FRAMES = 50 };

static const struct sl_codec *opus(void)
{
	const struct sl_codec *c = sl_codec_find("opus", 48000);

	ck_assert_ptr_nonnull(c);
	return c;
}

static void tone(int16_t *pcm, size_t n, size_t start, double hz, double amp)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = (int16_t)lround(amp * sin(2 * M_PI * hz *
						   (double)(start + i) / FS));
}

START_TEST(opus_description)
{
	const struct sl_codec *c = opus();

	ck_assert_uint_eq(c->clock_rate, 48000);
	ck_assert_uint_eq(c->sample_rate, 48000);
	ck_assert_uint_eq(c->channels, 2);
	ck_assert_int_eq(c->static_pt, -1);
	ck_assert_uint_eq(c->min_ptime_ms, 10);
	ck_assert_uint_eq(c->max_ptime_ms, 60);
	ck_assert_ptr_nonnull(c->plc);
	ck_assert_ptr_nonnull(c->decode_fec);
	ck_assert_ptr_nonnull(c->set_bitrate);
	ck_assert_ptr_nonnull(c->fmtp_parse);
	ck_assert_ptr_nonnull(c->fmtp_format);
}
END_TEST

/* A 1 kHz tone through encoder and decoder: after lining the output up
 * with the input (the codec's delay), the error is well below the
 * signal and the output's period is 1 ms. */
START_TEST(opus_tone_survives)
{
	const struct sl_codec *c = opus();
	struct sl_codec_params p = { .bitrate = 32000 };
	void *st = new_state(c, &p);
	enum { N = SECS_FRAMES * F20 };
	int16_t *in = malloc(N * sizeof(*in));
	int16_t *out = malloc(N * sizeof(*out));
	uint8_t pkt[1500];
	size_t got = 0, best_lag = 0, from = N / 2, len = N / 2 - 2000;
	double best = -1e300, sig = 0, err = 0, hz;
	int crossings = 0;

	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);
	tone(in, N, 0, 1000.0, 12000.0);
	for (size_t f = 0; f < SECS_FRAMES; f++) {
		int nb = c->encode(st, in + f * F20, F20, pkt, sizeof(pkt));
		int ns;

		ck_assert_int_gt(nb, 2);
		ns = c->decode(st, pkt, (size_t)nb, out + got, N - got);
		ck_assert_int_eq(ns, F20);
		got += (size_t)ns;
	}
	/* The lag with the best correlation, within 40 ms. */
	for (size_t lag = 0; lag < 1920; lag++) {
		double r = 0;

		for (size_t i = from; i < from + len; i++)
			r += (double)in[i] * out[i + lag];
		if (r > best) {
			best = r;
			best_lag = lag;
		}
	}
	for (size_t i = from; i < from + len; i++) {
		double d = (double)out[i + best_lag] - in[i];

		sig += (double)in[i] * in[i];
		err += d * d;
	}
	ck_assert_msg(10.0 * log10(sig / err) > 10.0, "SNR %.1f dB (lag %zu)",
		      10.0 * log10(sig / err), best_lag);
	for (size_t i = from + 1; i < from + len; i++)
		if (out[i - 1] < 0 && out[i] >= 0)
			crossings++;
	hz = crossings * (double)FS / (double)len;
	ck_assert_msg(fabs(hz - 1000.0) < 20.0, "%.1f Hz", hz);
	free(in);
	free(out);
	free(st);
}
END_TEST

/* Packets of every ptime decode to their duration, 30 and 50 ms
 * included (10 ms frames joined). */
START_TEST(opus_every_ptime)
{
	static const unsigned ms[] = { 10, 20, 30, 40, 50, 60 };
	const struct sl_codec *c = opus();
	void *st = new_state(c, NULL);
	int16_t in[2880], out[5760];
	uint8_t pkt[4000];

	for (size_t k = 0; k < sizeof(ms) / sizeof(*ms); k++) {
		size_t n = ms[k] * 48;

		for (int rep = 0; rep < 5; rep++) {
			int nb;

			tone(in, n, (size_t)rep * n, 440.0, 8000.0);
			nb = c->encode(st, in, n, pkt, sizeof(pkt));
			ck_assert_msg(nb > 2, "%u ms: %d", ms[k], nb);
			ck_assert_int_eq(c->decode(st, pkt, (size_t)nb, out,
						   5760), (int)n);
		}
	}
	/* Not a whole number of 10 ms, or beyond 60 ms: refused. */
	ck_assert_int_eq(c->encode(st, in, 1000, pkt, sizeof(pkt)),
			 SL_EINVAL);
	ck_assert_int_eq(c->encode(st, in, 0, pkt, sizeof(pkt)), SL_EINVAL);
	ck_assert_int_eq(c->encode(st, out, 3360, pkt, sizeof(pkt)),
			 SL_EINVAL);
	free(st);
}
END_TEST

START_TEST(opus_loss_paths)
{
	const struct sl_codec *c = opus();
	struct sl_codec_params p = { .fec = 1, .bitrate = 32000 };
	void *st = new_state(c, &p);
	int16_t in[F20], out[F20 * 2];
	uint8_t pkt[8][1500];
	int len[8];
	double e = 0;

	for (int f = 0; f < 8; f++) {
		tone(in, F20, (size_t)f * F20, 300.0, 10000.0);
		len[f] = c->encode(st, in, F20, pkt[f], sizeof(pkt[f]));
		ck_assert_int_gt(len[f], 2);
	}
	for (int f = 0; f < 4; f++)
		ck_assert_int_eq(c->decode(st, pkt[f], (size_t)len[f], out,
					   F20), F20);
	/* Packet 4 lost: rebuilt from packet 5's FEC, then 5 itself. */
	ck_assert_int_eq(c->decode_fec(st, pkt[5], (size_t)len[5], out, F20),
			 F20);
	for (int i = 0; i < F20; i++)
		e += (double)out[i] * out[i];
	ck_assert_double_gt(e, 0.0);
	ck_assert_int_eq(c->decode(st, pkt[5], (size_t)len[5], out, F20),
			 F20);
	/* Packet 6 lost with nothing after it: concealment. */
	ck_assert_int_eq(c->plc(st, out, F20), F20);
	ck_assert_int_eq(c->plc(st, out, 480), 480);
	ck_assert_int_eq(c->decode(st, pkt[7], (size_t)len[7], out, F20),
			 F20);
	/* Sizes that are not whole 2.5 ms blocks, or too long. */
	ck_assert_int_eq(c->plc(st, out, 100), SL_EINVAL);
	ck_assert_int_eq(c->plc(st, out, 0), SL_EINVAL);
	ck_assert_int_eq(c->decode_fec(st, pkt[7], (size_t)len[7], out, 500),
			 SL_EINVAL);
	ck_assert_int_eq(c->decode_fec(st, NULL, 0, out, F20), SL_EINVAL);
	ck_assert_int_eq(c->plc(st, out, 5880), SL_EINVAL);
	free(st);
}
END_TEST

START_TEST(opus_decode_errors)
{
	const struct sl_codec *c = opus();
	void *st = new_state(c, NULL);
	void *raw = calloc(1, c->state_size);
	/* Code 3 with a frame count of 0: no valid Opus packet. */
	static const uint8_t bad[2] = { 0x03, 0x00 };
	int16_t in[F20] = { 0 }, out[F20];
	uint8_t pkt[1500];
	int nb;

	ck_assert_ptr_nonnull(raw);
	ck_assert_int_eq(c->decode(st, bad, 2, out, F20), SL_EPARSE);
	ck_assert_int_eq(c->decode(st, bad, 0, out, F20), SL_EPARSE);
	ck_assert_int_eq(c->decode(st, NULL, 2, out, F20), SL_EINVAL);
	tone(in, F20, 0, 1000.0, 5000.0);
	nb = c->encode(st, in, F20, pkt, sizeof(pkt));
	ck_assert_int_gt(nb, 0);
	/* 20 ms does not fit in 10 ms of room. */
	ck_assert_int_eq(c->decode(st, pkt, (size_t)nb, out, 480), SL_ENOSPC);
	ck_assert_int_eq(c->encode(st, in, F20, pkt, 0), SL_ENOSPC);
	ck_assert_int_eq(c->encode(st, NULL, F20, pkt, 10), SL_EINVAL);
	/* A state block init() never saw. */
	ck_assert_int_eq(c->encode(raw, in, F20, pkt, sizeof(pkt)),
			 SL_ESTATE);
	ck_assert_int_eq(c->decode(raw, pkt, (size_t)nb, out, F20),
			 SL_ESTATE);
	ck_assert_int_eq(c->plc(raw, out, F20), SL_ESTATE);
	ck_assert_int_eq(c->set_bitrate(raw, 20000), SL_ESTATE);
	ck_assert_int_eq(c->init(NULL, NULL), SL_EINVAL);
	ck_assert_int_eq(c->init((char *)raw + 1, NULL), SL_EINVAL);
	free(raw);
	free(st);
}
END_TEST

/* Average packet size over @frames 20 ms frames of a tone. */
static double avg_bytes(const struct sl_codec *c, void *st, int frames)
{
	int16_t in[F20];
	uint8_t pkt[1500];
	double total = 0;

	for (int f = 0; f < frames; f++) {
		int nb;

		tone(in, F20, (size_t)f * F20, 700.0, 9000.0);
		nb = c->encode(st, in, F20, pkt, sizeof(pkt));
		ck_assert_int_ge(nb, 0);
		total += nb;
	}
	return total / frames;
}

START_TEST(opus_bitrate_control)
{
	const struct sl_codec *c = opus();
	struct sl_codec_params p = { .bitrate = 12000 };
	struct sl_codec_params capped = { .bitrate = 64000,
					  .maxaveragebitrate = 10000 };
	struct sl_codec_params cbr = { .bitrate = 32000, .cbr = 1 };
	void *st = new_state(c, &p), *st2 = new_state(c, &capped);
	void *st3 = new_state(c, &cbr);
	double low, high, lim;
	int16_t in[F20];
	uint8_t pkt[1500];

	low = avg_bytes(c, st, 25);
	ck_assert_int_eq(c->set_bitrate(st, 64000), 0);
	high = avg_bytes(c, st, 25);
	ck_assert_msg(high > 2.5 * low, "12k %.1f, 64k %.1f", low, high);
	/* 64000 asked, 10000 allowed by the peer: 25 bytes a packet. */
	lim = avg_bytes(c, st2, 25);
	ck_assert_msg(lim < 40.0, "capped %.1f bytes", lim);
	ck_assert_int_eq(c->set_bitrate(st2, 64000), 0);
	lim = avg_bytes(c, st2, 25);
	ck_assert_msg(lim < 40.0, "capped after set %.1f bytes", lim);
	/* cbr=1: every packet is 32000 / 8 / 50 = 80 bytes. */
	for (int f = 0; f < 10; f++) {
		tone(in, F20, (size_t)f * F20, 500.0, (f % 3) * 6000.0);
		ck_assert_int_eq(c->encode(st3, in, F20, pkt, sizeof(pkt)),
				 80);
	}
	ck_assert_int_eq(c->set_bitrate(st, 5999), SL_EINVAL);
	ck_assert_int_eq(c->set_bitrate(st, 510001), SL_EINVAL);
	ck_assert_int_eq(c->set_bitrate(st, 0), SL_EINVAL);
	ck_assert_int_eq(c->set_bitrate(st, 6000), 0);
	ck_assert_int_eq(c->set_bitrate(st, 510000), 0);
	ck_assert_int_eq(c->set_bitrate(NULL, 24000), SL_EINVAL);
	free(st);
	free(st2);
	free(st3);
}
END_TEST

START_TEST(opus_dtx_sends_nothing_in_silence)
{
	const struct sl_codec *c = opus();
	struct sl_codec_params p = { .dtx = 1 };
	void *st = new_state(c, &p);
	int16_t in[F20] = { 0 };
	uint8_t pkt[1500];
	int empty = 0;

	for (int f = 0; f < 50; f++) {
		int nb = c->encode(st, in, F20, pkt, sizeof(pkt));

		ck_assert_int_ge(nb, 0);
		empty += nb == 0;
	}
	ck_assert_int_gt(empty, 20);
	free(st);
}
END_TEST

START_TEST(opus_fmtp_parse)
{
	const struct sl_codec *c = opus();
	struct sl_codec_params p = { 0 };
	static const char all[] =
		"useinbandfec=1; usedtx=1;maxplaybackrate=16000;"
		"sprop-stereo=1;stereo=1 ; cbr=1;maxaveragebitrate=20000;"
		"minptime=10;foo=bar;x-flag";
	/* The value ends at 'len': the rest must not be read. */
	static const char prefix[] = "usedtx=0;usedtx=1";

	ck_assert_int_eq(c->fmtp_parse(&p, all, strlen(all)), 0);
	ck_assert_int_eq(p.fec, 1);
	ck_assert_int_eq(p.dtx, 1);
	ck_assert_int_eq(p.cbr, 1);
	ck_assert_int_eq(p.stereo, 1);
	ck_assert_uint_eq(p.maxplaybackrate, 16000);
	ck_assert_uint_eq(p.maxaveragebitrate, 20000);
	ck_assert_uint_eq(p.ptime_ms, 0);

	memset(&p, 0, sizeof(p));
	ck_assert_int_eq(c->fmtp_parse(&p, prefix, 8), 0);
	ck_assert_int_eq(p.dtx, 0);
	ck_assert_int_eq(c->fmtp_parse(&p, prefix, 17), 0);
	ck_assert_int_eq(p.dtx, 1);
	ck_assert_int_eq(c->fmtp_parse(&p, prefix, 16), 0);
	ck_assert_int_eq(p.dtx, 0);     /* "usedtx=" empty: ignored */
}
END_TEST

static const struct {
	const char *fmtp;
	int fec;
	uint32_t maxplaybackrate;
	uint32_t maxaveragebitrate;
	unsigned ptime_ms;
} fmtp_vectors[] = {
	{ "UseInbandFEC=1", 1, 0, 0, 0 },
	{ "useinbandfec=2", 0, 0, 0, 0 },
	{ "useinbandfec = 1", 1, 0, 0, 0 },
	{ "useinbandfec=yes", 0, 0, 0, 0 },
	{ "useinbandfec", 0, 0, 0, 0 },
	{ "=1;;;=;", 0, 0, 0, 0 },
	{ "", 0, 0, 0, 0 },
	{ "maxaveragebitrate=abc", 0, 0, 0, 0 },
	{ "maxaveragebitrate=99999999999", 0, 0, 0, 0 },
	{ "maxaveragebitrate=600000", 0, 0, 510000, 0 },
	{ "maxaveragebitrate=1000", 0, 0, 6000, 0 },
	{ "maxaveragebitrate=0", 0, 0, 0, 0 },
	{ "maxaveragebitrate=-5", 0, 0, 0, 0 },
	{ "maxplaybackrate=100000", 0, 48000, 0, 0 },
	{ "maxplaybackrate=4000", 0, 8000, 0, 0 },
	{ "maxplaybackrate=8000;useinbandfec=1", 1, 8000, 0, 0 },
	{ "minptime=30", 0, 0, 0, 30 },
	{ "minptime=25", 0, 0, 0, 30 },
	{ "minptime=100", 0, 0, 0, 60 },
	{ "minptime=10", 0, 0, 0, 0 },
	{ "ptime=40", 0, 0, 0, 40 },
	{ "ptime=40;minptime=60", 0, 0, 0, 60 },
	{ "ptime=15", 0, 0, 0, 20 },
	{ "sprop-stereo=1;useinbandfec=1;", 1, 0, 0, 0 },
	{ ";useinbandfec=1", 1, 0, 0, 0 },
	{ "useinbandfec=1=1", 0, 0, 0, 0 },
	{ "\tuseinbandfec=1\t", 1, 0, 0, 0 },
};

START_TEST(opus_fmtp_vectors)
{
	const struct sl_codec *c = opus();
	struct sl_codec_params p = { 0 };
	const char *f = fmtp_vectors[_i].fmtp;
	/* Copy without a NUL so a read past the end trips ASan. */
	size_t len = strlen(f);
	char *buf = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(buf);
	memcpy(buf, f, len);
	ck_assert_int_eq(c->fmtp_parse(&p, buf, len), 0);
	ck_assert_msg(p.fec == fmtp_vectors[_i].fec, "%s: fec", f);
	ck_assert_msg(p.maxplaybackrate == fmtp_vectors[_i].maxplaybackrate,
		      "%s: maxplaybackrate %u", f, p.maxplaybackrate);
	ck_assert_msg(p.maxaveragebitrate ==
		      fmtp_vectors[_i].maxaveragebitrate,
		      "%s: maxaveragebitrate %u", f, p.maxaveragebitrate);
	ck_assert_msg(p.ptime_ms == fmtp_vectors[_i].ptime_ms,
		      "%s: ptime %u", f, p.ptime_ms);
	free(buf);
}
END_TEST

START_TEST(opus_fmtp_format_round_trips)
{
	const struct sl_codec *c = opus();
	struct sl_codec_params p = { .fec = 1, .dtx = 1, .cbr = 1,
				     .maxplaybackrate = 16000,
				     .maxaveragebitrate = 20000 };
	struct sl_codec_params q = { 0 }, none = { 0 };
	char out[128];
	int len;

	len = c->fmtp_format(&p, out, sizeof(out));
	ck_assert_int_gt(len, 0);
	ck_assert_uint_eq(strlen(out), (size_t)len);
	ck_assert_str_eq(out, "minptime=10;useinbandfec=1;usedtx=1;cbr=1;"
			 "maxplaybackrate=16000;maxaveragebitrate=20000");
	ck_assert_int_eq(c->fmtp_parse(&q, out, (size_t)len), 0);
	ck_assert_int_eq(q.fec, p.fec);
	ck_assert_int_eq(q.dtx, p.dtx);
	ck_assert_int_eq(q.cbr, p.cbr);
	ck_assert_uint_eq(q.maxplaybackrate, p.maxplaybackrate);
	ck_assert_uint_eq(q.maxaveragebitrate, p.maxaveragebitrate);
	ck_assert_uint_eq(q.ptime_ms, 0);
	/* Room for the text and its NUL, and one byte less. */
	ck_assert_int_eq(c->fmtp_format(&p, out, (size_t)len + 1), len);
	ck_assert_int_eq(c->fmtp_format(&p, out, (size_t)len), SL_ENOSPC);
	ck_assert_int_eq(c->fmtp_format(&p, out, 0), SL_ENOSPC);
	ck_assert_int_eq(c->fmtp_format(&none, out, sizeof(out)), 11);
	ck_assert_str_eq(out, "minptime=10");
	ck_assert_int_eq(c->fmtp_format(NULL, out, sizeof(out)), SL_EINVAL);
	ck_assert_int_eq(c->fmtp_parse(NULL, "cbr=1", 5), SL_EINVAL);
	ck_assert_int_eq(c->fmtp_parse(&q, NULL, 5), SL_EINVAL);
	ck_assert_int_eq(c->fmtp_parse(&q, NULL, 0), 0);
}
END_TEST

static Suite *codec_suite(void)
{
	Suite *s = suite_create("codec");
	TCase *reg = tcase_create("registry");
	TCase *pcm = tcase_create("l16_cn_te");
	TCase *op = tcase_create("opus");

	tcase_add_test(reg, builtins_come_first_in_a_fixed_order);
	tcase_add_test(reg, list_copies_at_most_cap);
	tcase_add_test(reg, find_ignores_case_and_matches_rate);
	tcase_add_test(reg, register_adds_after_builtins);
	tcase_add_loop_test(reg, register_refuses_bad_codecs, 0, N_BAD);
	tcase_add_test(reg, register_from_threads);
	tcase_add_test(reg, register_stops_at_the_limit);   /* fills it */
	suite_add_tcase(s, reg);

	tcase_add_test(pcm, l16_is_big_endian_and_round_trips);
	tcase_add_test(pcm, cn_decode_makes_noise_at_the_level);
	tcase_add_test(pcm, cn_decode_details);
	tcase_add_test(pcm, cn_encode_measures_the_level);
	tcase_add_test(pcm, telephone_event_is_sdp_only);
	suite_add_tcase(s, pcm);

	tcase_set_timeout(op, 30);
	tcase_add_test(op, opus_description);
	tcase_add_test(op, opus_tone_survives);
	tcase_add_test(op, opus_every_ptime);
	tcase_add_test(op, opus_loss_paths);
	tcase_add_test(op, opus_decode_errors);
	tcase_add_test(op, opus_bitrate_control);
	tcase_add_test(op, opus_dtx_sends_nothing_in_silence);
	tcase_add_test(op, opus_fmtp_parse);
	tcase_add_loop_test(op, opus_fmtp_vectors, 0,
			    sizeof(fmtp_vectors) / sizeof(*fmtp_vectors));
	tcase_add_test(op, opus_fmtp_format_round_trips);
	suite_add_tcase(s, op);
	return s;
}

SL_CHECK_MAIN(codec_suite)
