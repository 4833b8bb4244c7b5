/*
 * tests/unit/check_codec_g711.c: PCMU and PCMA (codecs/g711/g711.c)
 * against ITU-T G.711.
 *
 * The reference below is written from the tables of the Recommendation
 * (Table 1a for A-law, Table 2a for mu-law): each of the 128 magnitude
 * intervals is built from its segment's start and step, a sample is
 * quantised by counting the decision values at or below it, and a code
 * decodes to its interval's mid-point. It shares nothing with the
 * bit-twiddling of the codec. Inputs are 16-bit two's complement and, as
 * in the ITU-T G.191 software library, a negative sample's magnitude is
 * its one's complement (-x - 1), so -32768 codes like 32767.
 * Every one of the 256 codes and 65536 samples is compared, and anchors
 * from published tables pin the reference itself.
 */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sipline/codec.h"
#include "sipline/error.h"

/* ---- the reference ---- */

struct law {
	int32_t lo[128];        /* interval lower decision value */
	int32_t out[128];       /* reconstruction value, 16-bit scale */
};

static struct law mu, al;

/*
 * mu-law, Table 2a on the 14-bit scale (outputs up to 8031). Segment s
 * (0..7) has 16 intervals of width 2 << s starting at (32 << s) - 33;
 * the very first interval is [0, 1) with output 0, every other outputs
 * its mid-point. The 16-bit scale is 4 times the 14-bit one.
 */
static void build_mu(void)
{
	for (int j = 0; j < 128; j++) {
		int s = j / 16, i = j % 16;
		int32_t step = 2 << s;
		int32_t lo = (32 << s) - 33 + i * step;

		mu.lo[j] = j == 0 ? 0 : lo;
		mu.out[j] = j == 0 ? 0 : 4 * (lo + step / 2);
	}
}

/*
 * A-law, Table 1a on the 13-bit scale (magnitudes 0..4095, outputs up to
 * 4032). Segments 1 and 2 of the Recommendation (our 0 and 1) are 32
 * intervals of width 2 from 0; segment s >= 1 here starts at 16 << s with
 * width 1 << s. The 16-bit scale is 8 times the 13-bit one.
 */
static void build_al(void)
{
	for (int j = 0; j < 128; j++) {
		int s = j / 16, i = j % 16;
		int32_t step = s == 0 ? 2 : 1 << s;
		int32_t lo = (s == 0 ? 0 : 16 << s) + i * step;

		al.lo[j] = lo;
		al.out[j] = 8 * (lo + step / 2);
	}
}

/* Index of the interval holding magnitude @m: the decision values at or
 * below it, counted one by one. */
static int interval(const struct law *l, int32_t m)
{
	int j = 0;

	for (int k = 1; k < 128; k++)
		if (l->lo[k] <= m)
			j = k;
	return j;
}

static int32_t magnitude(int x)
{
	return x < 0 ? -x - 1 : x;
}

/* mu-law: the code is the inverted (sign, interval); sign 1 = positive
 * before inversion is 0, so +0 is 0xFF and -0 is 0x7F. */
static uint8_t ref_ulaw_enc(int x)
{
	int j = interval(&mu, magnitude(x) / 4);

	return (uint8_t)(x < 0 ? 0x7F - j : 0xFF - j);
}

static int ref_ulaw_dec(uint8_t b)
{
	int j = 0x7F - (b & 0x7F);

	return b & 0x80 ? mu.out[j] : -mu.out[j];
}

/* A-law: sign bit 1 = positive, then the even bits inverted (0x55). */
static uint8_t ref_alaw_enc(int x)
{
	int j = interval(&al, magnitude(x) / 8);

	return (uint8_t)((x < 0 ? j : 0x80 | j) ^ 0x55);
}

static int ref_alaw_dec(uint8_t b)
{
	int v = b ^ 0x55;
	int out = al.out[v & 0x7F];

	return v & 0x80 ? out : -out;
}

static void setup(void)
{
	build_mu();
	build_al();
}

static const struct sl_codec *pcmu(void)
{
	const struct sl_codec *c = sl_codec_find("PCMU", 8000);

	ck_assert_ptr_nonnull(c);
	return c;
}

static const struct sl_codec *pcma(void)
{
	const struct sl_codec *c = sl_codec_find("PCMA", 8000);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* ---- anchors: the reference against published values ---- */

struct anchor {
	uint8_t code;
	int value;
};

/* G.711 Table 2a (x4 to 16 bits) and the widely printed ulaw2linear
 * table: 0x00 -32124, 0x01 -31100, 0x0F -16764, 0x10 -15996, 0x70 -120,
 * 0x7E -8, 0x7F 0 (negative zero), 0x80 32124, 0xFF 0. */
static const struct anchor ulaw_anchors[] = {
	{ 0x00, -32124 }, { 0x01, -31100 }, { 0x0F, -16764 },
	{ 0x10, -15996 }, { 0x70, -120 }, { 0x7E, -8 }, { 0x7F, 0 },
	{ 0x80, 32124 }, { 0x8F, 16764 }, { 0xEF, 132 }, { 0xFE, 8 },
	{ 0xFF, 0 },
};

/* G.711 Table 1a (x8 to 16 bits) and the printed alaw2linear table:
 * 0x55 -8, 0xD5 8, 0x00 -5504, 0x80 5504, 0x2A -32256, 0xAA 32256,
 * 0x01 -5248, 0x02 -6016, 0x54 -24, 0xD4 24, 0x45 -264 (first code of
 * the third segment), 0x75 -528. */
static const struct anchor alaw_anchors[] = {
	{ 0x55, -8 }, { 0xD5, 8 }, { 0x54, -24 }, { 0xD4, 24 },
	{ 0x00, -5504 }, { 0x80, 5504 }, { 0x2A, -32256 }, { 0xAA, 32256 },
	{ 0x45, -264 }, { 0xC5, 264 }, { 0x75, -528 }, { 0xF5, 528 },
	{ 0x01, -5248 }, { 0x02, -6016 },
};

START_TEST(reference_matches_published_anchors)
{
	for (size_t i = 0; i < sizeof(ulaw_anchors) / sizeof(*ulaw_anchors);
	     i++)
		ck_assert_msg(ref_ulaw_dec(ulaw_anchors[i].code) ==
			      ulaw_anchors[i].value, "mu 0x%02X",
			      ulaw_anchors[i].code);
	for (size_t i = 0; i < sizeof(alaw_anchors) / sizeof(*alaw_anchors);
	     i++)
		ck_assert_msg(ref_alaw_dec(alaw_anchors[i].code) ==
			      alaw_anchors[i].value, "A 0x%02X",
			      alaw_anchors[i].code);
	/* Encoder anchors: zero, the two extremes, the smallest steps. */
	ck_assert_uint_eq(ref_ulaw_enc(0), 0xFF);
	ck_assert_uint_eq(ref_ulaw_enc(-1), 0x7F);
	ck_assert_uint_eq(ref_ulaw_enc(32767), 0x80);
	ck_assert_uint_eq(ref_ulaw_enc(-32768), 0x00);
	ck_assert_uint_eq(ref_ulaw_enc(4), 0xFE);
	ck_assert_uint_eq(ref_alaw_enc(0), 0xD5);
	ck_assert_uint_eq(ref_alaw_enc(-1), 0x55);
	ck_assert_uint_eq(ref_alaw_enc(32767), 0xAA);
	ck_assert_uint_eq(ref_alaw_enc(-32768), 0x2A);
	ck_assert_uint_eq(ref_alaw_enc(16), 0xD4);
	ck_assert_uint_eq(ref_alaw_enc(15), 0xD5);
}
END_TEST

/* ---- the codec against the reference ---- */

START_TEST(ulaw_decodes_all_256_codes)
{
	uint8_t in[256];
	int16_t out[256];

	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	ck_assert_int_eq(pcmu()->decode(NULL, in, 256, out, 256), 256);
	for (int i = 0; i < 256; i++)
		ck_assert_msg(out[i] == ref_ulaw_dec((uint8_t)i),
			      "mu 0x%02X: %d, want %d", i, out[i],
			      ref_ulaw_dec((uint8_t)i));
}
END_TEST

START_TEST(alaw_decodes_all_256_codes)
{
	uint8_t in[256];
	int16_t out[256];

	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	ck_assert_int_eq(pcma()->decode(NULL, in, 256, out, 256), 256);
	for (int i = 0; i < 256; i++)
		ck_assert_msg(out[i] == ref_alaw_dec((uint8_t)i),
			      "A 0x%02X: %d, want %d", i, out[i],
			      ref_alaw_dec((uint8_t)i));
}
END_TEST

static int16_t *all_samples(void)
{
	int16_t *pcm = malloc(65536 * sizeof(*pcm));

	ck_assert_ptr_nonnull(pcm);
	for (int i = 0; i < 65536; i++)
		pcm[i] = (int16_t)(i - 32768);
	return pcm;
}

START_TEST(ulaw_encodes_all_65536_samples)
{
	int16_t *pcm = all_samples();
	uint8_t *out = malloc(65536);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(pcmu()->encode(NULL, pcm, 65536, out, 65536),
			 65536);
	for (int i = 0; i < 65536; i++)
		ck_assert_msg(out[i] == ref_ulaw_enc(pcm[i]),
			      "mu %d: 0x%02X, want 0x%02X", pcm[i], out[i],
			      ref_ulaw_enc(pcm[i]));
	free(out);
	free(pcm);
}
END_TEST

START_TEST(alaw_encodes_all_65536_samples)
{
	int16_t *pcm = all_samples();
	uint8_t *out = malloc(65536);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(pcma()->encode(NULL, pcm, 65536, out, 65536),
			 65536);
	for (int i = 0; i < 65536; i++)
		ck_assert_msg(out[i] == ref_alaw_enc(pcm[i]),
			      "A %d: 0x%02X, want 0x%02X", pcm[i], out[i],
			      ref_alaw_enc(pcm[i]));
	free(out);
	free(pcm);
}
END_TEST

/* ---- properties ---- */

/* decode then encode gives the code back (mu-law's -0, 0x7F, decodes to
 * 0, which is +0). */
START_TEST(codes_survive_a_round_trip)
{
	const struct sl_codec *laws[2] = { pcmu(), pcma() };

	for (int l = 0; l < 2; l++) {
		uint8_t in[256], again[256];
		int16_t pcm[256];

		for (int i = 0; i < 256; i++)
			in[i] = (uint8_t)i;
		ck_assert_int_eq(laws[l]->decode(NULL, in, 256, pcm, 256),
				 256);
		ck_assert_int_eq(laws[l]->encode(NULL, pcm, 256, again, 256),
				 256);
		for (int i = 0; i < 256; i++) {
			uint8_t want = (uint8_t)i;

			if (l == 0 && i == 0x7F)
				want = 0xFF;
			ck_assert_msg(again[i] == want, "%s 0x%02X -> 0x%02X",
				      laws[l]->name, i, again[i]);
		}
	}
}
END_TEST

/* Encoding is monotonic in the sample and the decoded value is never
 * further from the input than half the widest step (plus the clip). */
START_TEST(quantisation_is_monotonic_and_bounded)
{
	const struct sl_codec *laws[2] = { pcmu(), pcma() };
	int16_t *pcm = all_samples();
	uint8_t *code = malloc(65536);
	int16_t *back = malloc(65536 * sizeof(*back));

	ck_assert_ptr_nonnull(code);
	ck_assert_ptr_nonnull(back);
	for (int l = 0; l < 2; l++) {
		int prev = -40000;

		ck_assert_int_eq(laws[l]->encode(NULL, pcm, 65536, code,
						 65536), 65536);
		ck_assert_int_eq(laws[l]->decode(NULL, code, 65536, back,
						 65536), 65536);
		for (int i = 0; i < 65536; i++) {
			int err = abs(back[i] - pcm[i]);

			ck_assert_int_ge(back[i], prev);
			prev = back[i];
			/* mu-law clips above 32124 + 512, A-law at 32256
			 * + 512; within range the error is half a step. */
			ck_assert_msg(err <= 1024, "%s %d -> %d",
				      laws[l]->name, pcm[i], back[i]);
			if (abs(pcm[i]) < 30000)
				ck_assert_msg(err <= 528, "%s %d -> %d",
					      laws[l]->name, pcm[i], back[i]);
		}
	}
	free(back);
	free(code);
	free(pcm);
}
END_TEST

START_TEST(descriptions_and_errors)
{
	const struct sl_codec *u = pcmu(), *a = pcma();
	int16_t pcm[4] = { 0 };
	uint8_t b[4] = { 0 };

	ck_assert_int_eq(u->static_pt, 0);
	ck_assert_int_eq(a->static_pt, 8);
	ck_assert_uint_eq(u->clock_rate, 8000);
	ck_assert_uint_eq(a->sample_rate, 8000);
	ck_assert_uint_eq(u->state_size, 0);
	ck_assert_ptr_null(u->plc);
	ck_assert_ptr_null(a->plc);
	/* Short output buffers and missing buffers. */
	ck_assert_int_eq(u->encode(NULL, pcm, 4, b, 3), SL_ENOSPC);
	ck_assert_int_eq(a->encode(NULL, pcm, 4, b, 3), SL_ENOSPC);
	ck_assert_int_eq(u->decode(NULL, b, 4, pcm, 3), SL_ENOSPC);
	ck_assert_int_eq(a->decode(NULL, b, 4, pcm, 3), SL_ENOSPC);
	ck_assert_int_eq(u->encode(NULL, NULL, 4, b, 4), SL_EINVAL);
	ck_assert_int_eq(a->encode(NULL, pcm, 4, NULL, 4), SL_EINVAL);
	ck_assert_int_eq(u->decode(NULL, NULL, 4, pcm, 4), SL_EINVAL);
	ck_assert_int_eq(a->decode(NULL, b, 4, NULL, 4), SL_EINVAL);
	/* Nothing in, nothing out. */
	ck_assert_int_eq(u->encode(NULL, pcm, 0, b, 0), 0);
	ck_assert_int_eq(a->decode(NULL, b, 0, pcm, 0), 0);
}
END_TEST

static Suite *codec_g711_suite(void)
{
	Suite *s = suite_create("codec_g711");
	TCase *tc = tcase_create("g711");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, reference_matches_published_anchors);
	tcase_add_test(tc, ulaw_decodes_all_256_codes);
	tcase_add_test(tc, alaw_decodes_all_256_codes);
	tcase_add_test(tc, ulaw_encodes_all_65536_samples);
	tcase_add_test(tc, alaw_encodes_all_65536_samples);
	tcase_add_test(tc, codes_survive_a_round_trip);
	tcase_add_test(tc, quantisation_is_monotonic_and_bounded);
	tcase_add_test(tc, descriptions_and_errors);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(codec_g711_suite)
