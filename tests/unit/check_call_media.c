/*
 * tests/unit/check_call_media.c: calls with media, end to end (lib/ua/
 * call_stream.c, call_media.c, media_api.c and info.c over lib/media, the
 * codecs and the virtual audio devices): UAs in one process call each
 * other over 127.0.0.1, each with its own loop thread and queued events
 * (tests/unit/media_env.c).
 *
 *  - audio: for PCMU, PCMA, G722 and opus, at 0 % and 5 % injected
 *    receive loss, A plays a speech-like test signal ("wav:" capture)
 *    and B records ("wav:" playback), and the other way round at the
 *    same time; after the call the recordings are aligned with the sent
 *    signals by cross-correlation and compared (SNR, or a log-spectral
 *    distance for opus);
 *  - DTMF by RFC 4733 and by INFO arrives once per digit, in order, and a
 *    key sent both ways counts once; INFO with other body types;
 *  - hold and resume change what flows; a media timeout fires when the
 *    peer's RTP stops (and not while the call is held);
 *  - statistics (sl_call_stats_json(), SL_EV_MEDIA_STATS before
 *    SL_EV_CLOSED) are well-formed JSON with sane values, also for a
 *    stream removed and added back mid-call.
 * The SDP, the error returns and the configuration checks are in
 * tests/unit/check_media_api.c.
 *
 * Waits are bounded: the event fds are polled with a deadline; the only
 * waits for time to pass are the call lengths the audio needs (real time:
 * the media engine and the virtual devices run on the real clock).
 * MEDIA_DEBUG=1 traces events and SIP, MEDIA_BLOCKS=1 the alignment of
 * each 20 ms of audio, MEDIA_KEEP=1 keeps the WAV files.
 */
#include <complex.h>
#include <dirent.h>

#include "media_env.c"
#include "device/wav.h"
#include "check_main.h"

#define PI 3.14159265358979323846

static char dir[64];

/* ---- test signals ---- */

enum {
	LEAD_MS = 1200,         /* silence first: the call sets up meanwhile */
	SPEECH_MS = 2400,
	TONES_MS = 800,
	TAIL_MS = 300,
	SIGNAL_MS = LEAD_MS + SPEECH_MS + TONES_MS + TAIL_MS
};

/* A resonance's gain at @hz: @peak at @fc, half of it @bw away. */
static double formant(double hz, double fc, double bw, double peak)
{
	double d = (hz - fc) / bw;

	return peak / (1 + d * d);
}

/*
 * A speech-like signal at @rate: a voiced sound (harmonics of a gliding
 * F0 up to 3.2 kHz, shaped by three fixed formants) under a syllabic
 * envelope (about four syllables a second with short pauses), then a
 * sequence of four tones (@tone_hz); about -16 dBFS RMS while active,
 * well inside G.711's range. @f0 and the tones differ between the two
 * directions, so audio crossing over between calls or UAs shows.
 */
static int16_t *make_signal(unsigned rate, double f0,
			    const double tone_hz[4], size_t *n)
{
	size_t len = (size_t)rate * SIGNAL_MS / 1000;
	int16_t *x = calloc(len, sizeof(*x));
	double ph[40] = { 0 }, tph = 0;

	ck_assert_ptr_nonnull(x);
	for (size_t i = 0; i < len; i++) {
		double t = (double)i / rate, v = 0;
		double ts = t - LEAD_MS / 1000.0;

		if (ts >= 0 && ts < SPEECH_MS / 1000.0) {
			/* F0 glides +-15 % over 1.3 s (intonation). */
			double f = f0 * (1 + 0.15 * sin(2 * PI * ts / 1.3));
			/* 250 ms syllables: 190 ms voiced, 60 ms pause. */
			double u = fmod(ts, 0.25);
			double env = u < 0.19 ? sin(PI * u / 0.19) : 0;

			env = env * env;
			for (int k = 1; k < 40 && k * f < 3200; k++) {
				double hz = k * f;
				double g = formant(hz, 500, 150, 0.35) +
					   formant(hz, 1500, 250, 0.25) +
					   formant(hz, 2500, 300, 0.12) + 0.02;

				ph[k] += 2 * PI * hz / rate;
				v += g * sin(ph[k]);
			}
			v *= 5000 * env;
		} else if (ts >= SPEECH_MS / 1000.0 &&
			   ts < (SPEECH_MS + TONES_MS) / 1000.0) {
			/* 150 ms tones, 50 ms apart, with 5 ms ramps. */
			double u = ts - SPEECH_MS / 1000.0;
			int k = (int)(u / 0.2);
			double w = u - k * 0.2;
			double ramp = w < 0.005 ? w / 0.005
				      : w > 0.145 ? (0.15 - w) / 0.005 : 1;

			if (k < 4 && w < 0.15) {
				tph += 2 * PI * tone_hz[k] / rate;
				v = 6000 * ramp * sin(tph);
			}
		}
		x[i] = (int16_t)lrint(v);
	}
	*n = len;
	return x;
}

static void write_wav(const char *path, const int16_t *x, size_t n,
		      unsigned rate)
{
	struct sl_wav_writer w;

	ck_assert_int_eq(sl__wav_writer_open(&w, path, rate), 0);
	ck_assert_int_eq(sl__wav_write(&w, x, n), 0);
	ck_assert_int_eq(sl__wav_writer_close(&w), 0);
}

static double *read_wav(const char *path, unsigned want_rate, size_t *n)
{
	struct sl_wav_reader r;
	int16_t buf[4096];
	double *x;
	size_t cap, len = 0;
	int k;

	ck_assert_int_eq(sl__wav_reader_open(&r, path), 0);
	ck_assert_uint_eq(r.rate, want_rate);
	cap = (size_t)r.frames + 1;
	x = calloc(cap, sizeof(*x));
	ck_assert_ptr_nonnull(x);
	while ((k = sl__wav_read(&r, buf, 4096)) > 0)
		for (int i = 0; i < k && len < cap; i++)
			x[len++] = buf[i];
	sl__wav_reader_close(&r);
	*n = len;
	return x;
}

/* ---- analysis ---- */

/* In-place iterative radix-2 FFT of @n (a power of two) points; @inv
 * gives the unscaled inverse. */
static void fft(double complex *a, size_t n, int inv)
{
	for (size_t i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			double complex t = a[i];

			a[i] = a[j];
			a[j] = t;
		}
	}
	for (size_t len = 2; len <= n; len <<= 1) {
		double ang = 2 * PI / (double)len * (inv ? 1 : -1);
		double complex wl = cexp(I * ang);

		for (size_t i = 0; i < n; i += len) {
			double complex w = 1;

			for (size_t k = 0; k < len / 2; k++) {
				double complex u = a[i + k];
				double complex v = a[i + k + len / 2] * w;

				a[i + k] = u + v;
				a[i + k + len / 2] = u - v;
				w *= wl;
			}
		}
	}
}

/* The lag L in [@lo, @hi] maximising sum x[i] * y[i + L] (FFT cross-
 * correlation). */
static long best_lag(const double *x, size_t nx, const double *y, size_t ny,
		     long lo, long hi)
{
	size_t n = 1;
	double complex *a, *b;
	double best = -INFINITY;
	long lag = 0;

	while (n < nx + ny)
		n <<= 1;
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	ck_assert(a && b);
	for (size_t i = 0; i < nx; i++)
		a[i] = x[i];
	for (size_t i = 0; i < ny; i++)
		b[i] = y[i];
	fft(a, n, 0);
	fft(b, n, 0);
	for (size_t i = 0; i < n; i++)
		a[i] = conj(a[i]) * b[i];
	fft(a, n, 1);
	for (long l = lo; l <= hi; l++) {
		double v = creal(a[(size_t)(l >= 0 ? l : (long)n + l)]);

		if (v > best) {
			best = v;
			lag = l;
		}
	}
	free(a);
	free(b);
	return lag;
}

enum {
	BLOCK_MS = 200,         /* alignment blocks */
	SLIP_MS = 60,           /* how far a block may move (3 packets) */
	QUANTUM_MS = 10,        /* playout moves by whole device frames */
	PHASE = 2               /* samples a codec may shift (G.722 QMF) */
};

/* sum x[s..s+n) y[s+lag..) / sqrt(sum y^2): the correlation of a block
 * at @lag, normalised by y's energy so a louder stretch does not win. */
static double block_corr(const double *x, const double *y, size_t ny,
			 size_t s, size_t n, long lag)
{
	double xy = 0, yy = 0;

	for (size_t i = s; i < s + n; i++) {
		long j = (long)i + lag;

		if (j < 0 || (size_t)j >= ny)
			continue;
		xy += x[i] * y[j];
		yy += y[j] * y[j];
	}
	return xy / sqrt(yy + 1);
}

/*
 * The lag of each BLOCK_MS block of x[@from, @to) in y. The jitter
 * buffer may add or drop a device frame when the media threads are late
 * (a busy machine, clock drift), which moves the rest of the recording
 * by whole frames: a block's lag is the global @lag plus a multiple of
 * QUANTUM_MS within SLIP_MS, give or take PHASE samples. Whole frames
 * only, because a voiced sound matches itself a pitch period away too;
 * a block keeps its predecessor's lag unless another fits clearly
 * better, and a nearly silent block (nothing to match) keeps it anyway.
 * Return: the number of blocks.
 */
static size_t block_lags(const double *x, const double *y, size_t ny,
			 long lag, size_t from, size_t to, unsigned rate,
			 long *lags, size_t cap)
{
	size_t blk = (size_t)rate * BLOCK_MS / 1000, nb = 0;
	long q = (long)rate * QUANTUM_MS / 1000;
	long steps = SLIP_MS / QUANTUM_MS, prev = lag;
	double emax = 0;

	for (size_t s = from; s + blk <= to; s += blk) {
		double e = 0;

		for (size_t i = s; i < s + blk; i++)
			e += x[i] * x[i];
		if (e > emax)
			emax = e;
	}
	for (size_t s = from; s + blk <= to && nb < cap; s += blk) {
		double e = 0, best, keep;
		long best_l = prev;

		for (size_t i = s; i < s + blk; i++)
			e += x[i] * x[i];
		keep = best = block_corr(x, y, ny, s, blk, prev);
		if (e >= emax * 0.05) {
			for (long k = -steps; k <= steps; k++)
				for (long d = -PHASE; d <= PHASE; d++) {
					long l = lag + k * q + d;
					double v = block_corr(x, y, ny, s, blk,
							      l);

					if (v > best) {
						best = v;
						best_l = l;
					}
				}
			/* Hysteresis: a move must be worth it. */
			if (best < keep + 0.05 * fabs(keep))
				best_l = prev;
		}
		lags[nb++] = best_l;
		prev = best_l;
	}
	return nb;
}

enum {
	SUB_MS = 20,            /* measurement unit: one packet */
	MAX_SUBS = 400,
	SKIP_BELOW_DB = 15      /* a unit this bad where the delay moved is
				 * the jump itself, not the codec */
};

/*
 * struct align - where each SUB_MS unit of x[@from, ...) is in y: the
 * better of the lags of its block and the two next to it. Where the
 * playout moved (a frame added or dropped) one unit holds the jump and
 * matches neither side: it is left out (@skip) and counted, so one
 * adjustment of the jitter buffer does not read as codec noise, while
 * the test still bounds how often it happens (@changes).
 */
struct align {
	size_t from, unit, n;
	long lag[MAX_SUBS];
	double sig[MAX_SUBS];   /* energy of g * x in the unit */
	double err[MAX_SUBS];   /* energy of y - g * x */
	char skip[MAX_SUBS];    /* 1: a jump, 2: a dropout */
	unsigned skipped;
	unsigned dropped;
	unsigned changes;       /* block-to-block moves of the playout */
};

/*
 * 1 when y is (nearly) silent where x speaks: the device played silence
 * because the media thread was late (an underrun on a busy machine), not
 * a codec's error. Only looked for without injected loss, where nothing
 * else can make a gap.
 */
static int is_dropout(const double *y, size_t ny, size_t s, size_t n,
		      long lag, double sig)
{
	double yy = 0;

	if (sig <= 0)
		return 0;
	for (size_t i = s; i < s + n; i++) {
		long j = (long)i + lag;

		if (j >= 0 && (size_t)j < ny)
			yy += y[j] * y[j];
	}
	return yy < sig * 0.01;
}

static void unit_energy(const double *x, const double *y, size_t ny,
			size_t s, size_t len, long lag, double g, double *sig,
			double *err)
{
	*sig = 0;
	*err = 0;
	for (size_t i = s; i < s + len; i++) {
		long j = (long)i + lag;
		double d = j >= 0 && (size_t)j < ny ? y[j] - g * x[i]
			   : -g * x[i];

		*sig += g * x[i] * g * x[i];
		*err += d * d;
	}
}

/* The least-squares gain of one unit (for the MEDIA_BLOCKS trace). */
static double unit_gain(const double *x, const double *y, size_t ny,
			size_t s, size_t n, long lag)
{
	double xx = 0, xy = 0;

	for (size_t i = s; i < s + n; i++) {
		long j = (long)i + lag;

		if (j >= 0 && (size_t)j < ny) {
			xx += x[i] * x[i];
			xy += x[i] * y[j];
		}
	}
	return xx > 0 ? xy / xx : 0;
}

static void align_units(const double *x, const double *y, size_t ny,
			const long *blags, size_t nb, size_t from,
			unsigned rate, int waveform, int dropouts,
			struct align *a)
{
	size_t blk = (size_t)rate * BLOCK_MS / 1000;
	double xx = 0, xy = 0, g;

	memset(a, 0, sizeof(*a));
	a->from = from;
	a->unit = (size_t)rate * SUB_MS / 1000;
	/* One gain for the whole recording (a codec may scale slightly). */
	for (size_t b = 0; b < nb; b++)
		for (size_t i = from + b * blk; i < from + (b + 1) * blk; i++) {
			long j = (long)i + blags[b];

			if (j >= 0 && (size_t)j < ny) {
				xx += x[i] * x[i];
				xy += x[i] * y[j];
			}
		}
	g = xx > 0 ? xy / xx : 1;
	for (size_t b = 1; b < nb; b++)
		if (labs(blags[b] - blags[b - 1]) > PHASE)
			a->changes++;
	for (size_t b = 0; b < nb; b++) {
		long cand[3] = { blags[b], blags[b ? b - 1 : b],
				 blags[b + 1 < nb ? b + 1 : b] };
		int moved = labs(cand[1] - cand[0]) > PHASE ||
			    labs(cand[2] - cand[0]) > PHASE;

		for (size_t u = 0; u < blk / a->unit && a->n < MAX_SUBS;
		     u++) {
			size_t s = from + b * blk + u * a->unit, k = a->n++;

			a->err[k] = INFINITY;
			for (int c = 0; c < 3; c++) {
				double sg, er;

				unit_energy(x, y, ny, s, a->unit, cand[c], g,
					    &sg, &er);
				if (er < a->err[k]) {
					a->err[k] = er;
					a->sig[k] = sg;
					a->lag[k] = cand[c];
				}
			}
			if (waveform && moved && a->sig[k] > 0 &&
			    10 * log10(a->sig[k] / (a->err[k] + 1e-9)) <
			    SKIP_BELOW_DB) {
				a->skip[k] = 1;
				a->skipped++;
			} else if (dropouts && is_dropout(y, ny, s, a->unit,
							  a->lag[k],
							  a->sig[k])) {
				a->skip[k] = 2;
				a->dropped++;
			}
		}
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * SNR in dB over the units kept. @trim_pct: that share of the units that
 * add the most error is left out too: without injected loss nothing but
 * timing makes a unit go bad (a media thread the machine starved for a
 * moment repeats a frame), while a codec fault spoils every unit and
 * still shows.
 */
static double snr_db(const struct align *a, unsigned trim_pct)
{
	double sig = 0, err = 0, cut = INFINITY, v[MAX_SUBS];
	size_t n = 0, k_trim, cutn = 0;

	for (size_t k = 0; k < a->n; k++)
		if (!a->skip[k])
			v[n++] = a->err[k];
	k_trim = n * trim_pct / 100;
	if (k_trim) {
		qsort(v, n, sizeof(v[0]), cmp_double);
		cut = v[n - k_trim];
	}
	for (size_t k = 0; k < a->n; k++) {
		if (a->skip[k])
			continue;
		if (a->err[k] >= cut && cutn < k_trim) {
			cutn++;
			continue;
		}
		sig += a->sig[k];
		err += a->err[k];
	}
	return err > 0 ? 10 * log10(sig / err) : 99;
}

/*
 * Mean log-spectral distance in dB between x and y over the units kept:
 * 20 ms Hann-windowed frames with half overlap (each at its unit's lag),
 * bins from 100 Hz to 3.6 kHz (where the test signal lives), each power
 * floored 40 dB under the frame's strongest bin of x so near-empty bins
 * do not dominate; frames where x is within 30 dB of its loudest frame
 * only.
 */
static double lsd_db(const double *x, const double *y, size_t ny,
		     const struct align *a, unsigned rate)
{
	size_t to = a->from + a->n * a->unit, fl = 1;
	double complex *fa, *fb;
	double sum = 0, emax = 0;
	unsigned frames = 0;
	size_t k0, k1;

	while (fl < rate / 50)
		fl <<= 1;
	fa = calloc(fl, sizeof(*fa));
	fb = calloc(fl, sizeof(*fb));
	ck_assert(fa && fb);
	k0 = (size_t)(100.0 * fl / rate);
	k1 = (size_t)(3600.0 * fl / rate);
	for (size_t s = a->from; s + fl <= to; s += fl / 2) {
		double e = 0;

		for (size_t i = 0; i < fl; i++)
			e += x[s + i] * x[s + i];
		if (e > emax)
			emax = e;
	}
	for (size_t s = a->from; s + fl <= to; s += fl / 2) {
		size_t u = (s + fl / 2 - a->from) / a->unit;
		double e = 0, pmax = 0, d = 0;
		long j0;

		if (u >= a->n || a->skip[u])
			continue;
		j0 = (long)s + a->lag[u];
		if (j0 < 0 || (size_t)j0 + fl > ny)
			continue;
		for (size_t i = 0; i < fl; i++) {
			double w = 0.5 - 0.5 * cos(2 * PI * i / fl);

			fa[i] = w * x[s + i];
			fb[i] = w * y[(size_t)j0 + i];
			e += x[s + i] * x[s + i];
		}
		if (e < emax * 1e-3)
			continue;
		fft(fa, fl, 0);
		fft(fb, fl, 0);
		for (size_t k = k0; k < k1; k++) {
			double p = cabs(fa[k]) * cabs(fa[k]);

			if (p > pmax)
				pmax = p;
		}
		for (size_t k = k0; k < k1; k++) {
			double px = cabs(fa[k]) * cabs(fa[k]) + pmax * 1e-4;
			double py = cabs(fb[k]) * cabs(fb[k]) + pmax * 1e-4;
			double l = 10 * log10(px / py);

			d += l * l;
		}
		sum += sqrt(d / (double)(k1 - k0));
		frames++;
	}
	free(fa);
	free(fb);
	ck_assert_uint_gt(frames, 20);
	return sum / frames;
}

/* ---- audio end to end ---- */

enum metric { SNR, LSD };

/*
 * One codec at one loss rate. Thresholds, with why (measured on a busy
 * two-core box: G.711 36-37.5 dB, G.722 31-36 dB, opus 1.3-1.9 dB without
 * loss; G.711 9-20 dB, G.722 8.5-12 dB, opus 2.5-2.9 dB with 5 %):
 *  - PCMU, PCMA: log-PCM keeps about 38 dB SQNR over a wide range of
 *    speech levels (G.711's design point); at the device's own rate the
 *    path adds nothing else, so 30 dB leaves room for timing and still
 *    catches a wrong segment or table. 5 % loss: each lost 20 ms packet
 *    is concealed by repeating and fading the previous one, whose error
 *    is about the signal's own energy in that packet: 5 % of the packets
 *    cost roughly 10 * log10(1 / 0.05 ... 1 / 0.1) = 10..13 dB, less when
 *    the losses fall on the loud syllables: 6 dB.
 *  - G722: sub-band ADPCM at 64 kbit/s; its adaptive quantisers trail
 *    level changes and the QMF pair adds its own error, about 30-35 dB
 *    on this signal: 25 dB. 5 % loss: as G.711, but the decoder's
 *    predictors also need a few packets to settle after a gap: 5 dB.
 *  - opus: perceptual (MDCT/LPC), not waveform-matching, so a
 *    log-spectral distance: a faithful decode stays within 1-2 dB per
 *    bin on average: 4 dB. 5 % loss: PLC (and FEC when the peer asks for
 *    it) rebuilds the spectrum of a lost frame from its neighbours, not
 *    exactly: 6 dB.
 */
struct audio_case {
	const char *codec;       /* audio_codecs */
	const char *name;        /* the codec as events name it */
	unsigned rate;           /* device rate: the codec's own */
	unsigned loss;           /* permille, injected at both receivers */
	enum metric metric;
	double limit;            /* SNR >= limit, or LSD <= limit */
};

static const struct audio_case audio_cases[] = {
	{ "PCMU,telephone-event", "PCMU", 8000, 0, SNR, 30 },
	{ "PCMA,telephone-event", "PCMA", 8000, 0, SNR, 30 },
	{ "G722,telephone-event", "G722", 16000, 0, SNR, 25 },
	{ "opus,telephone-event", "opus", 48000, 0, LSD, 4 },
	{ "PCMU,telephone-event", "PCMU", 8000, 50, SNR, 6 },
	{ "PCMA,telephone-event", "PCMA", 8000, 50, SNR, 6 },
	{ "G722,telephone-event", "G722", 16000, 50, SNR, 5 },
	{ "opus,telephone-event", "opus", 48000, 50, LSD, 6 },
};

enum { N_AUDIO = sizeof(audio_cases) / sizeof(audio_cases[0]) };

struct audio_side_arg {
	const struct audio_case *c;
	char capture[128];
	char playback[128];
};

static void audio_tweak(struct sl_ua_config *cfg, const void *arg)
{
	const struct audio_side_arg *a = arg;

	copy_str(cfg->audio_codecs, sizeof(cfg->audio_codecs), a->c->codec);
	copy_str(cfg->media.capture_dev, sizeof(cfg->media.capture_dev),
		 a->capture);
	copy_str(cfg->media.playback_dev, sizeof(cfg->media.playback_dev),
		 a->playback);
	cfg->media.device_rate = a->c->rate;
	cfg->media.device_frame_ms = 10;
	cfg->max_lines = 1;
}

static struct side audio_a[N_AUDIO], audio_b[N_AUDIO];

/* The recording of one direction against what was sent. */
/*
 * The recording of one direction against what was sent. Return: 0 when
 * it passes; 1 when it fails on a run the machine disturbed and @retry
 * allows another go; otherwise a failure fails the test. Disturbed: the
 * receiver concealed frames the injected loss does not explain
 * (@extra_concealed, from its statistics: its media thread or device
 * starved of CPU), the playout moved more than twice, more than 5 % was
 * left out, or the delay grew past 150 ms.
 */
static int check_direction(const struct audio_case *c, const char *what,
			   const char *sent_path, const char *rec_path,
			   double start_diff_ms, double extra_concealed,
			   int retry)
{
	size_t nx, ny, from, to;
	double *x = read_wav(sent_path, c->rate, &nx);
	double *y = read_wav(rec_path, c->rate, &ny);
	struct align *a = calloc(1, sizeof(*a));
	long lag, lags[64];
	size_t nb;
	double v, delay;
	int ok, disturbed;

	ck_assert_ptr_nonnull(a);
	ck_assert_uint_gt(ny, c->rate * 3u);
	/* The recording starts when the receiver's device opened and the
	 * signal when the sender's did: the lag may have either sign. */
	lag = best_lag(x, nx, y, ny, -(long)c->rate, 2 * (long)c->rate);
	from = (size_t)c->rate * LEAD_MS / 1000;
	to = (size_t)c->rate * (SIGNAL_MS - TAIL_MS) / 1000;
	nb = block_lags(x, y, ny, lag, from, to, c->rate, lags, 64);
	ck_assert_uint_gt(nb, 10);
	align_units(x, y, ny, lags, nb, from, c->rate, c->metric == SNR,
		    !c->loss, a);
	if (getenv("MEDIA_BLOCKS"))
		for (size_t k = 0; k < a->n; k++)
			fprintf(stderr, "  %4zu ms: lag %+.2f ms, SNR %5.1f "
				"dB, signal %.3g error %.3g gain %.4f%s\n",
				k * SUB_MS, 1000.0 * a->lag[k] / c->rate,
				10 * log10(a->sig[k] / (a->err[k] + 1e-9)),
				a->sig[k], a->err[k],
				unit_gain(x, y, ny, from + k * a->unit,
					  a->unit, a->lag[k]),
				a->skip[k] == 1 ? " (jump, left out)" :
				a->skip[k] == 2 ? " (dropout, left out)" : "");
	/* Without loss the worst 5 % of the units are timing, not codec
	 * (see snr_db()); with loss every unit counts. */
	v = c->metric == SNR ? snr_db(a, c->loss ? 0 : 5)
	    : lsd_db(x, y, ny, a, c->rate);
	/* Mouth to ear: the lag plus how much later the receiver's device
	 * started than the sender's (about; both measured here). */
	delay = 1000.0 * lag / c->rate + start_diff_ms;
	if (getenv("MEDIA_BLOCKS"))
		fprintf(stderr, "  %s vs %s: lag %.4f ms\n", sent_path,
			rec_path, 1000.0 * lag / c->rate);
	fprintf(stderr, "audio %-4s loss %2u.%u%% %s: delay ~%.0f ms, %u "
		"playout moves, %u+%u of %zu units left out (jumps+"
		"dropouts), %s %.1f dB (limit %s %.0f dB; every unit %.1f "
		"dB)\n", c->name, c->loss / 10, c->loss % 10, what, delay,
		a->changes, a->skipped, a->dropped, a->n,
		c->metric == SNR ? "SNR" : "LSD", v,
		c->metric == SNR ? ">=" : "<=", c->limit,
		c->metric == SNR ? snr_db(a, 0) : v);
	ok = c->metric == SNR ? v >= c->limit : v <= c->limit;
	/* What timing glitches take away stays a small part of the
	 * signal (a tenth): more is a playout bug, not a busy machine. */
	ok = ok && (a->skipped + a->dropped) * 10 <= a->n && a->changes <= 4;
	disturbed = extra_concealed > 0 || a->changes > 2 ||
		    (a->skipped + a->dropped) * 20 > a->n || delay > 150;
	if (!ok && retry && disturbed) {
		fprintf(stderr, "audio %s %s: disturbed run (%.0f frames "
			"concealed beyond the loss), once more\n", c->name,
			what, extra_concealed);
	} else {
		if (c->metric == SNR)
			ck_assert_msg(v >= c->limit, "%s %s: SNR %.1f dB < "
				      "%.0f", c->name, what, v, c->limit);
		else
			ck_assert_msg(v <= c->limit, "%s %s: LSD %.1f dB > "
				      "%.0f", c->name, what, v, c->limit);
		ck_assert_msg((a->skipped + a->dropped) * 10 <= a->n,
			      "%s %s: %u + %u of %zu units left out",
			      c->name, what, a->skipped, a->dropped, a->n);
		ck_assert_msg(a->changes <= 4, "%s %s: playout moved %u "
			      "times", c->name, what, a->changes);
	}
	free(a);
	free(x);
	free(y);
	return !ok;
}

/* The cases [@first, @first + @n) at once, a pair of UAs each (a UA has
 * one audio device), then their recordings checked. Return: 1 when a
 * disturbed run failed and @retry allowed another go. */
static int audio_round(unsigned first, unsigned n, int retry)
{
	struct audio_side_arg aa[N_AUDIO], ba[N_AUDIO];
	int as[N_AUDIO], bs[N_AUDIO];
	double start_a[N_AUDIO], start_b[N_AUDIO];
	double extra_a[N_AUDIO], extra_b[N_AUDIO];
	uint64_t t0, t1;
	int again = 0;

	n_sides = 0;
	t0 = now_ms();
	for (unsigned i = first; i < first + n; i++) {
		const struct audio_case *c = &audio_cases[i];
		char an[16], bn[16];

		aa[i].c = ba[i].c = c;
		snprintf(aa[i].capture, sizeof(aa[i].capture),
			 "wav:%s/a_%u.wav", dir, c->rate);
		snprintf(aa[i].playback, sizeof(aa[i].playback),
			 "wav:%s/rec_a%u.wav", dir, i);
		snprintf(ba[i].capture, sizeof(ba[i].capture),
			 "wav:%s/b_%u.wav", dir, c->rate);
		snprintf(ba[i].playback, sizeof(ba[i].playback),
			 "wav:%s/rec_b%u.wav", dir, i);
		snprintf(an, sizeof(an), "a%u", i);
		snprintf(bn, sizeof(bn), "b%u", i);
		side_make(&audio_a[i], an, audio_tweak, &aa[i]);
		side_make(&audio_b[i], bn, audio_tweak, &ba[i]);
		start_a[i] = audio_a[i].created_ms;
		start_b[i] = audio_b[i].created_ms;
	}
	t1 = now_ms();
	for (unsigned i = first; i < first + n; i++)
		connect_ab(&audio_a[i], &audio_b[i], &as[i], &bs[i]);
	for (unsigned i = first; i < first + n; i++) {
		const struct rec *r;

		r = wait_ev(&audio_a[i], SL_EV_MEDIA_STARTED, as[i], 3000);
		ck_assert_ptr_nonnull(r);
		ck_assert_str_eq(r->codec, audio_cases[i].name);
		ck_assert_ptr_nonnull(strstr(r->remote_rtp, "127.0.0.1:"));
		ck_assert_ptr_nonnull(wait_ev(&audio_b[i], SL_EV_MEDIA_STARTED,
					      bs[i], 3000));
	}
	/* Media runs before the first signal leaves its silence (else the
	 * start of the speech is lost: a starved machine, once more), and
	 * the calls outlast the last signal (plus the path's delay). */
	if (now_ms() - t0 >= LEAD_MS - 100) {
		fprintf(stderr, "audio: set-up took %u ms%s\n",
			(unsigned)(now_ms() - t0), retry ? ", once more" : "");
		ck_assert_msg(retry, "set-up slower than the lead-in");
		again = 1;
	}
	/* Loss starts with the speech, so it hits what is measured. */
	if (now_ms() - t0 < LEAD_MS - 100)
		run_ms((unsigned)(LEAD_MS - 100 - (now_ms() - t0)));
	for (unsigned i = first; i < first + n; i++)
		if (audio_cases[i].loss) {
			set_loss(audio_a[i].ua, audio_cases[i].loss, 1000 + i);
			set_loss(audio_b[i].ua, audio_cases[i].loss, 2000 + i);
		}
	run_ms((unsigned)(SIGNAL_MS + 400 - (now_ms() - t1)));
	for (unsigned i = first; i < first + n; i++)
		hangup_ab(&audio_a[i], &audio_b[i], as[i], bs[i]);
	for (unsigned i = first; i < first + n; i++) {
		const struct audio_case *c = &audio_cases[i];
		const struct rec *st;
		double rx, lost;

		st = stats_before_closed(&audio_a[i], as[i]);
		check_stats_json(st->body, st->body_len, c->name, 1);
		if (getenv("MEDIA_DEBUG"))
			fprintf(stderr, "%s\n", st->body);
		if (c->loss)
			ck_assert_msg(json_num(st->body, "lost") >= 3,
				      "%s A: lost %.0f", c->name,
				      json_num(st->body, "lost"));
		else
			ck_assert_msg(json_num(st->body, "lost") == 0,
				      "%s A: lost %.0f", c->name,
				      json_num(st->body, "lost"));
		/* Frames concealed beyond the lost ones (and the one or two
		 * a stream's start may cost): the machine starved it. */
		extra_a[i] = json_num(st->body, "concealed") -
			     json_num(st->body, "lost") - 2;
		st = stats_before_closed(&audio_b[i], bs[i]);
		check_stats_json(st->body, st->body_len, c->name, 1);
		extra_b[i] = json_num(st->body, "concealed") -
			     json_num(st->body, "lost") - 2;
		rx = json_num(st->body, "rx_packets");
		lost = json_num(st->body, "lost");
		if (getenv("MEDIA_DEBUG"))
			fprintf(stderr, "%s\n", st->body);
		/* Injected loss shows in the counters (5 % of ~225
		 * packets: a handful at least), none without it. */
		if (c->loss)
			ck_assert_msg(lost >= 3, "%s: lost %.0f of %.0f",
				      c->name, lost, rx + lost);
		else
			ck_assert_msg(lost == 0, "%s: lost %.0f", c->name,
				      lost);
		side_destroy(&audio_a[i]);
		side_destroy(&audio_b[i]);
	}
	for (unsigned i = first; i < first + n && !again; i++) {
		const struct audio_case *c = &audio_cases[i];
		char sent[160], rec[160];

		snprintf(sent, sizeof(sent), "%s/a_%u.wav", dir, c->rate);
		snprintf(rec, sizeof(rec), "%s/rec_b%u.wav", dir, i);
		again |= check_direction(c, "A->B", sent, rec,
					 start_b[i] - start_a[i], extra_b[i],
					 retry);
		snprintf(sent, sizeof(sent), "%s/b_%u.wav", dir, c->rate);
		snprintf(rec, sizeof(rec), "%s/rec_a%u.wav", dir, i);
		again |= check_direction(c, "B->A", sent, rec,
					 start_a[i] - start_b[i], extra_a[i],
					 retry);
	}
	return again;
}

START_TEST(audio_codecs_end_to_end)
{
	static const unsigned rates[] = { 8000, 16000, 48000 };
	static const double tones_a[4] = { 440, 1000, 1800, 2800 };
	static const double tones_b[4] = { 550, 1250, 2100, 3050 };
	char path[160];

	/* The two test signals at each rate. */
	for (unsigned r = 0; r < 3; r++) {
		size_t n;
		int16_t *x;

		x = make_signal(rates[r], 140, tones_a, &n);
		snprintf(path, sizeof(path), "%s/a_%u.wav", dir, rates[r]);
		write_wav(path, x, n, rates[r]);
		free(x);
		x = make_signal(rates[r], 215, tones_b, &n);
		snprintf(path, sizeof(path), "%s/b_%u.wav", dir, rates[r]);
		write_wav(path, x, n, rates[r]);
		free(x);
	}
	/* Two codecs at a time (four UAs, each with its device and media
	 * threads: more starve a two-core box now and then). Real-time audio
	 * on a shared machine can be starved anyway: a round whose failure
	 * shows the marks of that runs once more. */
	for (unsigned i = 0; i < N_AUDIO; i += 2)
		if (audio_round(i, 2, 1))
			audio_round(i, 2, 0);
}
END_TEST

/* ---- signalling: DTMF, INFO, hold, timeout, statistics ---- */

static void sig_tweak_a(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	copy_str(cfg->media.capture_dev, sizeof(cfg->media.capture_dev),
		 "tone:800@-20");
	cfg->media.media_timeout_ms = 1000;
}

static void sig_tweak_b(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	copy_str(cfg->media.capture_dev, sizeof(cfg->media.capture_dev),
		 "tone:600@-20");
}

static void setup_sig(void)
{
	n_sides = 0;
	side_make(&A, "alice", sig_tweak_a, NULL);
	side_make(&B, "bob", sig_tweak_b, NULL);
}

static void teardown_sig(void)
{
	sides_reset();
}

/* The digits of @s's SL_EV_DTMF events of @session, from event @from. */
static void digits_of(const struct side *s, int session, unsigned from,
		      const char *method, char *out, size_t cap)
{
	size_t o = 0;

	for (unsigned i = from; i < s->n && o + 1 < cap; i++)
		if (s->ev[i].type == SL_EV_DTMF &&
		    s->ev[i].session == session &&
		    (!method || !strcmp(s->ev[i].dtmf_method, method)))
			out[o++] = s->ev[i].digit;
	out[o] = '\0';
}

/* Waits until @s has @n DTMF events of @session after @from, then a
 * little longer so a duplicate would show. */
static void wait_digits(struct side *s, int session, unsigned from,
			size_t n, unsigned ms)
{
	uint64_t end = now_ms() + ms;
	char got[64];

	for (;;) {
		digits_of(s, session, from, NULL, got, sizeof(got));
		if (strlen(got) >= n || now_ms() >= end)
			break;
		pump(20);
	}
	run_ms(400);
}

struct stats_snap {
	uint64_t rx, tx;
};

static struct stats_snap snap(struct sl_ua *ua, int session)
{
	struct sl_call_stats st;
	struct stats_snap s;

	ck_assert_int_eq(sl_call_stats(ua, session, &st), 0);
	s.rx = st.rx_packets;
	s.tx = st.tx_packets;
	return s;
}

START_TEST(dtmf_both_methods)
{
	unsigned from;
	char got[64];
	const struct rec *r;
	int as, bs;

	connect_ab(&A, &B, &as, &bs);
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_MEDIA_STARTED, bs, 3000));
	/* RFC 4733 */
	from = B.n;
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "1234567890*#ABCD",
					   SL_DTMF_RFC4733), 0);
	wait_digits(&B, bs, from, 16, 8000);
	digits_of(&B, bs, from, NULL, got, sizeof(got));
	ck_assert_str_eq(got, "1234567890*#ABCD");
	digits_of(&B, bs, from, "rfc4733", got, sizeof(got));
	ck_assert_str_eq(got, "1234567890*#ABCD");
	r = wait_ev(&B, SL_EV_DTMF, bs, 0);
	ck_assert_uint_ge(r->duration_ms, 60);
	ck_assert_uint_le(r->duration_ms, 200);
	/* INFO, the configured default of neither side */
	from = B.n;
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "9a0!", SL_DTMF_INFO),
			 0);
	wait_digits(&B, bs, from, 4, 5000);
	digits_of(&B, bs, from, NULL, got, sizeof(got));
	ck_assert_str_eq(got, "9A0!");
	digits_of(&B, bs, from, "info", got, sizeof(got));
	ck_assert_str_eq(got, "9A0!");
	for (unsigned i = from; i < B.n; i++)
		if (B.ev[i].type == SL_EV_DTMF)
			ck_assert_uint_eq(B.ev[i].duration_ms, 100);
	/* One key press sent both ways counts once; the next press of the
	 * same key (after the window) counts again. */
	from = B.n;
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "5", SL_DTMF_INFO), 0);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "5", SL_DTMF_RFC4733),
			 0);
	wait_digits(&B, bs, from, 1, 3000);
	run_ms(600);
	digits_of(&B, bs, from, NULL, got, sizeof(got));
	ck_assert_str_eq(got, "5");
	from = B.n;
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "5", SL_DTMF_RFC4733),
			 0);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "5", SL_DTMF_INFO), 0);
	wait_digits(&B, bs, from, 1, 3000);
	run_ms(600);
	digits_of(&B, bs, from, NULL, got, sizeof(got));
	ck_assert_str_eq(got, "5");
	/* The other direction, by the default method. */
	from = A.n;
	ck_assert_int_eq(sl_call_send_dtmf(B.ua, bs, "#7", SL_DTMF_DEFAULT),
			 0);
	wait_digits(&A, as, from, 2, 3000);
	digits_of(&A, as, from, "rfc4733", got, sizeof(got));
	ck_assert_str_eq(got, "#7");
	hangup_ab(&A, &B, as, bs);
}
END_TEST

#define RELAY "application/dtmf-relay"

START_TEST(info_other_types)
{
	static const char xml[] = "<?xml version=\"1.0\"?><media_control>"
				  "<vc_primitive><to_encoder>"
				  "<picture_fast_update/></to_encoder>"
				  "</vc_primitive></media_control>";
	static const char relay[] = "signal = 11\nDURATION= 160\n";
	static const struct {
		const char *type;
		const char *body;
		char digit;         /* 0: no event */
		unsigned ms;
	} relays[] = {
		{ RELAY, "Signal=5\r\nDuration=160\r\n", '5', 160 },
		{ RELAY, "Signal= *\r\n", '*', 250 },
		{ RELAY, "signal=11\nduration=100", '#', 100 },
		{ RELAY, "Signal=16\r\nDuration=abc\r\n", '!', 250 },
		{ RELAY, "Signal=12", 'A', 250 },
		{ RELAY, "Signal=d\r\nDuration=40\r\n", 'D', 40 },
		{ RELAY, "Duration=100\r\n", 0, 0 },
		{ RELAY, "Signal=x\r\n", 0, 0 },
		{ RELAY, "Signal=99\r\n", 0, 0 },
		{ RELAY, "Signal=\r\nDuration=100\r\n", 0, 0 },
		{ RELAY, "no equals sign at all", 0, 0 },
		{ RELAY, "\r\n\r\n\n", 0, 0 },
		{ RELAY, "Signal=7\r\nDuration=99999999\r\n", '7', 10000 },
		{ "application/dtmf", "3\r\n", '3', 250 },
		{ "application/dtmf", "10", '*', 250 },
		{ "application/dtmf", "42", 0, 0 },
	};
	const struct rec *r;
	unsigned from, n;
	int as, bs;

	connect_ab(&A, &B, &as, &bs);
	ck_assert_int_eq(sl_call_send_info(A.ua, as,
					   "application/media_control+xml",
					   xml, strlen(xml)), 0);
	r = wait_ev(&B, SL_EV_INFO, bs, 3000);
	ck_assert_ptr_nonnull(r);
	ck_assert_str_eq(r->content_type, "application/media_control+xml");
	ck_assert_uint_eq(r->body_len, strlen(xml));
	ck_assert_mem_eq(r->body, xml, strlen(xml));
	/* An empty INFO (no event, 200), and a type B refuses (415: only
	 * logged, the call goes on). */
	ck_assert_int_eq(sl_call_send_info(A.ua, as, NULL, NULL, 0), 0);
	ck_assert_int_eq(sl_call_send_info(A.ua, as, "text/x-unknown", "hi",
					   2), 0);
	run_ms(300);
	ck_assert_int_eq(count(&B, SL_EV_INFO, bs), 1);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CONNECTED);
	/* A dtmf-relay body with odd spacing, case and a number. */
	ck_assert_int_eq(sl_call_send_info(A.ua, as, "application/dtmf-relay",
					   relay, strlen(relay)), 0);
	r = wait_ev(&B, SL_EV_DTMF, bs, 3000);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->digit, '#');
	ck_assert_uint_eq(r->duration_ms, 160);
	ck_assert_str_eq(r->dtmf_method, "info");
	/* What peers send, good and bad: each gets 200, the good ones an
	 * event, in order. */
	ck_assert_int_eq(sl_ua_accept_mime(B.ua, "INFO", "application/dtmf"),
			 0);
	from = B.n;
	for (unsigned i = 0; i < sizeof(relays) / sizeof(relays[0]); i++) {
		ck_assert_int_eq(sl_call_send_info(A.ua, as, relays[i].type,
						   relays[i].body,
						   strlen(relays[i].body)),
				 0);
		run_ms(60);
	}
	run_ms(300);
	n = 0;
	for (unsigned i = from; i < B.n; i++) {
		if (B.ev[i].type != SL_EV_DTMF)
			continue;
		while (n < sizeof(relays) / sizeof(relays[0]) &&
		       !relays[n].digit)
			n++;
		ck_assert_uint_lt(n, sizeof(relays) / sizeof(relays[0]));
		ck_assert_int_eq(B.ev[i].digit, relays[n].digit);
		ck_assert_uint_eq(B.ev[i].duration_ms, relays[n].ms);
		n++;
	}
	while (n < sizeof(relays) / sizeof(relays[0]) && !relays[n].digit)
		n++;
	ck_assert_uint_eq(n, sizeof(relays) / sizeof(relays[0]));
	ck_assert_int_eq(count(&B, SL_EV_INFO, bs), 1);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CONNECTED);
	hangup_ab(&A, &B, as, bs);
}
END_TEST

START_TEST(hold_timeout_stats)
{
	struct stats_snap a0, a1, b0, b1;
	char json[1024];
	const struct rec *st;
	int as, bs, n;

	connect_ab(&A, &B, &as, &bs);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_MEDIA_STARTED, as, 3000));
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_MEDIA_STARTED, bs, 3000));
	run_ms(500);
	/* Statistics mid-call. */
	n = sl_call_stats_json(A.ua, as, json, sizeof(json));
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(strlen(json), (size_t)n);
	check_stats_json(json, (size_t)n, "PCMU", 1);
	ck_assert_int_eq((int)json_num(json, "session"), as);
	ck_assert_int_eq((int)json_num(json, "payload_type"), 0);
	ck_assert_int_eq((int)json_num(json, "clock_rate"), 8000);
	/* Hold: nothing flows either way (the holder keeps its microphone
	 * to itself, the held side is recvonly), and the short media
	 * timeout of A stays quiet. */
	ck_assert_int_eq(sl_call_hold(A.ua, as), 0);
	for (int i = 0; i < 100 && sl_line_state(A.ua, 0) != SL_LINE_HELD;
	     i++)
		pump(20);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_HELD);
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_REMOTE_HOLD, bs, 3000));
	run_ms(300);
	a0 = snap(A.ua, as);
	b0 = snap(B.ua, bs);
	run_ms(1500);
	a1 = snap(A.ua, as);
	b1 = snap(B.ua, bs);
	ck_assert_uint_eq(a1.tx, a0.tx);
	ck_assert_uint_eq(a1.rx, a0.rx);
	ck_assert_uint_eq(b1.tx, b0.tx);
	ck_assert_uint_eq(b1.rx, b0.rx);
	ck_assert_int_eq(count(&A, SL_EV_MEDIA_TIMEOUT, as), 0);
	/* Resume: both ways again. */
	ck_assert_int_eq(sl_call_unhold(A.ua, as), 0);
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_REMOTE_UNHOLD, bs, 3000));
	run_ms(500);
	a0 = snap(A.ua, as);
	b0 = snap(B.ua, bs);
	run_ms(300);
	a1 = snap(A.ua, as);
	b1 = snap(B.ua, bs);
	ck_assert_uint_gt(a1.tx, a0.tx);
	ck_assert_uint_gt(a1.rx, a0.rx);
	ck_assert_uint_gt(b1.tx, b0.tx);
	ck_assert_uint_gt(b1.rx, b0.rx);
	ck_assert_int_eq(count(&A, SL_EV_MEDIA_TIMEOUT, as), 0);
	/* The peer's RTP stops reaching A (every packet dropped on A's
	 * receive path): the timeout fires once, after about 1 s. */
	set_loss(A.ua, 1000, 1);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_MEDIA_TIMEOUT, as, 4000));
	run_ms(300);
	ck_assert_int_eq(count(&A, SL_EV_MEDIA_TIMEOUT, as), 1);
	ck_assert_int_eq(count(&B, SL_EV_MEDIA_TIMEOUT, bs), 0);
	set_loss(A.ua, 0, 1);
	/* The end: statistics, then closed, on both sides. */
	hangup_ab(&A, &B, as, bs);
	st = stats_before_closed(&A, as);
	ck_assert_str_eq(st->codec, "PCMU");
	ck_assert_str_eq(st->content_type, "application/json");
	check_stats_json(st->body, st->body_len, "PCMU", 1);
	st = stats_before_closed(&B, bs);
	check_stats_json(st->body, st->body_len, "PCMU", 1);
	ck_assert(json_num(st->body, "duration_s") >= 3);
	/* The session is gone. */
	ck_assert_int_eq(sl_call_stats_json(A.ua, as, json, sizeof(json)),
			 SL_ESESSION);
}
END_TEST

static void video_tweak(struct sl_ua_config *cfg, const void *arg)
{
	(void)arg;
	memcpy(cfg->video_codecs, "VP8", 4);
}

/* Audio removed by a re-INVITE (port 0) and added back: the stream stops
 * with its statistics mid-call, a new one starts on new sockets. */
START_TEST(audio_removed_and_back)
{
	const struct rec *r;
	unsigned port1, port2;
	int as, bs;

	sides_reset();
	side_make(&A, "alice", video_tweak, NULL);
	side_make(&B, "bob", video_tweak, NULL);
	connect_ab(&A, &B, &as, &bs);
	ck_assert_ptr_nonnull(wait_ev(&A, SL_EV_MEDIA_STARTED, as, 3000));
	ck_assert_ptr_nonnull(wait_ev(&B, SL_EV_MEDIA_STARTED, bs, 3000));
	port1 = sdp_port(A.sdp);
	ck_assert_uint_ne(port1, 0);
	run_ms(300);
	ck_assert_int_eq(sl_call_update_media(A.ua, as, 0, 1), 0);
	r = wait_ev(&A, SL_EV_MEDIA_STATS, as, 3000);
	ck_assert_ptr_nonnull(r);
	check_stats_json(r->body, r->body_len, "PCMU", 1);
	r = wait_ev(&B, SL_EV_MEDIA_STATS, bs, 3000);
	ck_assert_ptr_nonnull(r);
	check_stats_json(r->body, r->body_len, "PCMU", 1);
	ck_assert_uint_eq(sdp_port(A.sdp), 0);
	ck_assert_int_eq(count(&A, SL_EV_CLOSED, as), 0);
	ck_assert_int_eq(sl_line_state(A.ua, 0), SL_LINE_CONNECTED);
	ck_assert_int_eq(sl_call_send_dtmf(A.ua, as, "1", SL_DTMF_RFC4733),
			 SL_ESTATE);
	/* Back: a second stream, a second report at the end. */
	ck_assert_int_eq(sl_call_update_media(A.ua, as, 1, 0), 0);
	ck_assert_ptr_nonnull(wait_nth(&A, SL_EV_MEDIA_STARTED, as, 1, 3000));
	ck_assert_ptr_nonnull(wait_nth(&B, SL_EV_MEDIA_STARTED, bs, 1, 3000));
	port2 = sdp_port(A.sdp);
	ck_assert_uint_ne(port2, 0);
	run_ms(300);
	hangup_ab(&A, &B, as, bs);
	ck_assert_int_eq(count(&A, SL_EV_MEDIA_STATS, as), 2);
	ck_assert_int_eq(count(&B, SL_EV_MEDIA_STATS, bs), 2);
	r = wait_nth(&A, SL_EV_MEDIA_STATS, as, 1, 0);
	ck_assert_ptr_nonnull(r);
	check_stats_json(r->body, r->body_len, "PCMU", 1);
}
END_TEST

/* ---- the suite ---- */

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/sl_media_XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	n_sides = 0;
}

static void remove_dir(void)
{
	DIR *d;
	struct dirent *e;

	sides_reset();
	if (getenv("MEDIA_KEEP"))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[sizeof(dir) + sizeof(e->d_name) + 1];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static Suite *check_call_media_suite(void)
{
	Suite *s = suite_create("call_media");
	TCase *audio = tcase_create("audio");
	TCase *sig = tcase_create("signalling");

	tcase_add_checked_fixture(audio, make_dir, remove_dir);
	tcase_set_timeout(audio, 120);
	tcase_add_test(audio, audio_codecs_end_to_end);
	suite_add_tcase(s, audio);

	tcase_add_checked_fixture(sig, setup_sig, teardown_sig);
	tcase_set_timeout(sig, 30);
	tcase_add_test(sig, dtmf_both_methods);
	tcase_add_test(sig, info_other_types);
	tcase_add_test(sig, hold_timeout_stats);
	tcase_add_test(sig, audio_removed_and_back);
	suite_add_tcase(s, sig);
	return s;
}

SL_CHECK_MAIN(check_call_media_suite)
