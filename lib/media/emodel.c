/*
 * lib/media/emodel.c: a conversational quality estimate from the ITU-T
 * G.107 E-model, reduced to the terms a phone can measure: one-way delay
 * and packet loss with the codec's equipment impairment.
 *
 * Owns: nothing (pure arithmetic).
 * Thread: any (the media thread, when it refreshes call statistics).
 * Called by: the media engine's statistics.
 *
 * R = Ro - Is - Id - Ie,eff + A with every other G.107 parameter at its
 * default gives Ro - Is = 93.2 and A = 0 (G.107 §7.1, table 1). Id uses
 * the common simplification of the G.107 delay term (Cole and Rosenbluth,
 * "Voice over IP performance monitoring", 2001), a fit of the standard's
 * Idd/Idte/Idle for default echo and loudness values:
 *   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)
 * with d the one-way mouth-to-ear delay in ms and H the step function.
 * Ie,eff (G.107 §7.4, eq. 7-29) with BurstR = 1 (random loss):
 *   Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)
 * and MOS from R (G.107 annex B, eq. B-4), clamped to 1.0 - 4.5.
 */
#include "media/rtp.h"

/* Ro - Is with G.107's default values. */
#define R_DEFAULT 93.2

struct codec_imp {
	const char *name;      /* SDP encoding name, any case */
	double ie;
	double bpl;
};

/*
 * Ie and Bpl per codec, as rtp.h documents them. G.711 with packet loss
 * concealment is G.113 appendix I's entry. G.722 is rated by G.113 on
 * the wideband scale (G.107.1, where R reaches 129); reduced to this
 * narrowband scale it is no worse than G.711, so Ie 0 and a Bpl close
 * to G.711's. Opus gets Ie 0 and a slightly more loss-sensitive Bpl.
 * Anything else gets a cautious Ie 10, Bpl 10.
 */
static const struct codec_imp codecs[] = {
	{ "PCMU", 0.0, 25.1 },
	{ "PCMA", 0.0, 25.1 },
	{ "G722", 0.0, 25.0 },
	{ "opus", 0.0, 20.0 },
};

static const struct codec_imp unknown = { "", 10.0, 10.0 };

/* ASCII case-insensitive equality; locale-independent on purpose. */
static int name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = (char)(*a >= 'A' && *a <= 'Z' ? *a + 32 : *a);
		char y = (char)(*b >= 'A' && *b <= 'Z' ? *b + 32 : *b);

		if (x != y)
			return 0;
	}
	return *a == *b;
}

static const struct codec_imp *lookup(const char *name)
{
	if (!name)
		return &unknown;
	for (size_t k = 0; k < sizeof(codecs) / sizeof(codecs[0]); k++)
		if (name_eq(name, codecs[k].name))
			return &codecs[k];
	return &unknown;
}

double sl__emodel_mos(const char *codec, double delay_ms, double loss_pct)
{
	const struct codec_imp *c = lookup(codec);
	double d = delay_ms > 0 ? delay_ms : 0; /* also maps NaN to 0 */
	double ppl = loss_pct > 0 ? loss_pct : 0;
	double id, ie_eff, r;

	if (ppl > 100)
		ppl = 100;
	id = 0.024 * d;
	if (d > 177.3)
		id += 0.11 * (d - 177.3);
	ie_eff = c->ie + (95.0 - c->ie) * ppl / (ppl + c->bpl);
	r = R_DEFAULT - id - ie_eff;
	if (!(r > 0))
		return 1.0;
	if (r >= 100)
		return 4.5;
	r = 1.0 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
	/* Eq. B-4 dips just under 1 for R below about 6.5. */
	return r < 1.0 ? 1.0 : r;
}
