/*
 * codecs/opus/opus.c: Opus through libopus, "opus/48000/2" in SDP
 * (RFC 6716, RTP payload RFC 7587).
 *
 * Owns: one call's OpusEncoder, OpusDecoder and OpusRepacketizer, all
 * built in place inside the state block the engine allocates at call
 * set-up (opus_*_init, never opus_*_create), so nothing here allocates.
 * Thread: encode, decode, plc, decode_fec and set_bitrate on the call's
 * media thread; fmtp_parse and fmtp_format are pure (any thread).
 *
 * SDP says 2 channels (RFC 7587 §7: always "opus/48000/2"); sipline
 * captures and plays mono, so the encoder and decoder are mono at 48 kHz
 * and a stereo stream from the peer is downmixed by the decoder.
 *
 * Packet durations: Opus codes frames of 2.5 to 60 ms; 10, 20, 40 and 60
 * ms packets are one opus_encode() call. 30 and 50 ms (a=ptime values some
 * gateways negotiate) are 10 ms frames joined into one code-3 packet by
 * the repacketizer, since RFC 7587 §4.2 puts exactly one Opus packet in
 * an RTP payload. Frames of one packet must share a TOC configuration,
 * so the first frame's bandwidth is held for the rest of the packet; if
 * the encoder still changes mode inside one (not seen in testing), the
 * packet carries the frames before the change and the receiver conceals
 * the rest.
 *
 * With DTX (usedtx=1) an encoded packet of two bytes or less carries no
 * audio (libopus's DTX marker); encode() then returns 0, "nothing to
 * send", and the engine skips the packet (RFC 7587 §3.1.3).
 */
#include <opus/opus.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../codec_int.h"
#include "sipline/error.h"

enum {
	OPUS_RATE_HZ = 48000,
	FRAME_10MS = 480,               /* samples at 48 kHz */
	FRAME_2_5MS = 120,
	MAX_FRAME = 5760,               /* 120 ms, the longest Opus packet */
	MAX_SUBFRAMES = 6,              /* 10 ms frames in a 60 ms packet */
	SUBFRAME_MAX_BYTES = 1275,      /* RFC 6716 §3.2.1 */
	SCRATCH_BYTES = 4000,           /* 5 x 10 ms frames at 510 kbit/s */
	MAX_PACKET_BYTES = 3 * 1275,    /* 60 ms at 510 kbit/s, and more */
	BITRATE_DEFAULT = 24000,        /* wideband speech with headroom */
	BITRATE_MIN = 6000,             /* RFC 7587 §6.1 maxaveragebitrate */
	BITRATE_MAX = 510000,
	FEC_LOSS_PERC = 10,             /* what the encoder budgets LBRR for */
	PTIME_DEFAULT_MS = 20,
	PTIME_MAX_MS = 60,
	ALIGN = 16,                     /* for libopus's float state */
	/* A fixed size the engine can allocate before any call: libopus
	 * 1.3 on x86-64 needs 43572 + 18228 + 496 bytes for a mono encoder,
	 * decoder and repacketizer; init() refuses a library that needs
	 * more than this (SL_ENOMEM) rather than overrun the block. */
	OPUS_STATE_BYTES = 96 * 1024
};

struct opus_state {
	uint32_t enc_off;               /* from the state block's start */
	uint32_t dec_off;
	uint32_t rp_off;
	uint32_t max_bitrate;           /* the peer's maxaveragebitrate */
	int dtx;
	int ready;                      /* init() succeeded */
	unsigned char scratch[SCRATCH_BYTES];  /* 10 ms frames to join */
};

static OpusEncoder *enc_of(struct opus_state *st)
{
	return (OpusEncoder *)(void *)((unsigned char *)st + st->enc_off);
}

static OpusDecoder *dec_of(struct opus_state *st)
{
	return (OpusDecoder *)(void *)((unsigned char *)st + st->dec_off);
}

static OpusRepacketizer *rp_of(struct opus_state *st)
{
	return (OpusRepacketizer *)(void *)((unsigned char *)st + st->rp_off);
}

static int map_err(int rc)
{
	switch (rc) {
	case OPUS_BAD_ARG:
		return SL_EINVAL;
	case OPUS_BUFFER_TOO_SMALL:
		return SL_ENOSPC;
	case OPUS_INVALID_PACKET:
		return SL_EPARSE;
	default:
		return SL_EFAIL;
	}
}

/* Offset of the first ALIGN-aligned address at or after @base + @off. */
static size_t align_off(uintptr_t base, size_t off)
{
	uintptr_t a = base + off;

	return off + ((ALIGN - a % ALIGN) % ALIGN);
}

static uint32_t clamp_u32(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* RFC 7587 §6.1: the receiver's maxplaybackrate says which audio
 * bandwidth is worth coding. */
static opus_int32 bandwidth_for(uint32_t maxplaybackrate)
{
	if (maxplaybackrate == 0 || maxplaybackrate > 24000)
		return OPUS_BANDWIDTH_FULLBAND;
	if (maxplaybackrate > 16000)
		return OPUS_BANDWIDTH_SUPERWIDEBAND;
	if (maxplaybackrate > 12000)
		return OPUS_BANDWIDTH_WIDEBAND;
	if (maxplaybackrate > 8000)
		return OPUS_BANDWIDTH_MEDIUMBAND;
	return OPUS_BANDWIDTH_NARROWBAND;
}

static int ctl_rc(int rc)
{
	return rc == OPUS_OK ? 0 : map_err(rc);
}

static int opus_init(void *state, const struct sl_codec_params *p)
{
	static const struct sl_codec_params defaults;
	struct opus_state *st = state;
	int es = opus_encoder_get_size(1);
	int ds = opus_decoder_get_size(1);
	int rs = opus_repacketizer_get_size();
	uintptr_t base = (uintptr_t)state;
	size_t off;
	uint32_t bitrate;
	OpusEncoder *enc;
	int rc;

	if (!st || base % _Alignof(struct opus_state))
		return SL_EINVAL;
	if (!p)
		p = &defaults;
	if (es <= 0 || ds <= 0 || rs <= 0)
		return SL_EFAIL;
	off = align_off(base, sizeof(*st));
	st->enc_off = (uint32_t)off;
	off = align_off(base, off + (size_t)es);
	st->dec_off = (uint32_t)off;
	off = align_off(base, off + (size_t)ds);
	st->rp_off = (uint32_t)off;
	if (off + (size_t)rs > OPUS_STATE_BYTES)
		return SL_ENOMEM;

	enc = enc_of(st);
	if (opus_encoder_init(enc, OPUS_RATE_HZ, 1,
			      OPUS_APPLICATION_VOIP) != OPUS_OK ||
	    opus_decoder_init(dec_of(st), OPUS_RATE_HZ, 1) != OPUS_OK)
		return SL_EFAIL;
	opus_repacketizer_init(rp_of(st));

	/* maxaveragebitrate is the most the peer wants to receive; our own
	 * target never goes above it. */
	st->max_bitrate = p->maxaveragebitrate
			  ? clamp_u32(p->maxaveragebitrate, BITRATE_MIN,
				      BITRATE_MAX)
			  : BITRATE_MAX;
	bitrate = p->bitrate ? p->bitrate : BITRATE_DEFAULT;
	bitrate = clamp_u32(bitrate, BITRATE_MIN, st->max_bitrate);
	st->dtx = p->dtx != 0;

	rc = ctl_rc(opus_encoder_ctl(enc,
		OPUS_SET_BITRATE((opus_int32)bitrate)));
	if (!rc)
		rc = ctl_rc(opus_encoder_ctl(enc,
			OPUS_SET_VBR(p->cbr ? 0 : 1)));
	if (!rc)
		rc = ctl_rc(opus_encoder_ctl(enc,
			OPUS_SET_INBAND_FEC(p->fec ? 1 : 0)));
	/* In-band FEC is only coded when the encoder expects loss. */
	if (!rc)
		rc = ctl_rc(opus_encoder_ctl(enc,
			OPUS_SET_PACKET_LOSS_PERC(p->fec ? FEC_LOSS_PERC : 0)));
	if (!rc)
		rc = ctl_rc(opus_encoder_ctl(enc,
			OPUS_SET_DTX(st->dtx)));
	if (!rc)
		rc = ctl_rc(opus_encoder_ctl(enc,
			OPUS_SET_MAX_BANDWIDTH(
				bandwidth_for(p->maxplaybackrate))));
	if (rc)
		return rc;
	st->ready = 1;
	return 0;
}

/* libopus's encoders accept these frame sizes directly (RFC 6716 §2.1.4;
 * 2.5 and 5 ms are CELT-only). */
static int direct_frame(size_t n)
{
	return n == 120 || n == 240 || n == 480 || n == 960 || n == 1920 ||
	       n == 2880;
}

/*
 * 30 and 50 ms: 10 ms frames joined into one packet. The first frame's
 * audio bandwidth is held for the others (frames of one packet share a
 * TOC configuration, and bandwidth is what the encoder changes most
 * often), then handed back to the encoder's own choice. Returns bytes
 * written, 0 for a DTX period, or a negative enum sl_err.
 */
static int encode_joined(struct opus_state *st, const int16_t *pcm,
			 size_t n, uint8_t *out, opus_int32 cap)
{
	OpusEncoder *enc = enc_of(st);
	OpusRepacketizer *rp = opus_repacketizer_init(rp_of(st));
	size_t frames = n / FRAME_10MS;
	opus_int32 per = (opus_int32)(SCRATCH_BYTES / frames);
	size_t used = 0;
	int joined = 1;
	int silent = 1;
	int rc = 0;

	if (per > SUBFRAME_MAX_BYTES)
		per = SUBFRAME_MAX_BYTES;
	for (size_t i = 0; i < frames; i++) {
		unsigned char *f = st->scratch + used;

		rc = opus_encode(enc, pcm + i * FRAME_10MS, FRAME_10MS, f,
				 per);
		if (rc < 0)
			break;
		if (i == 0) {
			int bw = opus_packet_get_bandwidth(f);

			if (bw > 0)
				opus_encoder_ctl(enc, OPUS_SET_BANDWIDTH(bw));
		}
		/* Every frame is encoded, joined or not, so the encoder's
		 * history stays continuous. */
		if (joined && opus_repacketizer_cat(rp, f, rc) != OPUS_OK)
			joined = 0;
		used += (size_t)rc;
		if (rc > 2)
			silent = 0;
	}
	opus_encoder_ctl(enc, OPUS_SET_BANDWIDTH(OPUS_AUTO));
	if (rc < 0)
		return map_err(rc);
	if (st->dtx && silent)
		return 0;
	rc = opus_repacketizer_out(rp, out, cap);
	return rc < 0 ? map_err(rc) : rc;
}

static int opus_enc(void *state, const int16_t *pcm, size_t n,
		    uint8_t *out, size_t cap)
{
	struct opus_state *st = state;
	opus_int32 max = cap > MAX_PACKET_BYTES ? MAX_PACKET_BYTES
						 : (opus_int32)cap;
	int rc;

	if (!st || !pcm || !out)
		return SL_EINVAL;
	if (!st->ready)
		return SL_ESTATE;
	if (cap == 0)
		return SL_ENOSPC;
	if (n && n % FRAME_10MS == 0 && n / FRAME_10MS <= MAX_SUBFRAMES &&
	    !direct_frame(n))
		return encode_joined(st, pcm, n, out, max);
	if (!direct_frame(n))
		return SL_EINVAL;
	rc = opus_encode(enc_of(st), pcm, (int)n, out, max);
	if (rc < 0)
		return map_err(rc);
	return st->dtx && rc <= 2 ? 0 : rc;
}

static int opus_dec(void *state, const uint8_t *in, size_t len,
		    int16_t *pcm, size_t cap)
{
	struct opus_state *st = state;
	int frame = cap > MAX_FRAME ? MAX_FRAME : (int)cap;
	int rc;

	if (!st || !in || !pcm || len > INT32_MAX)
		return SL_EINVAL;
	if (!st->ready)
		return SL_ESTATE;
	/* libopus would take an empty payload for a loss and conceal a
	 * whole @cap of audio; an empty RTP payload (a keep-alive) is no
	 * Opus packet (RFC 6716 §3.1: at least the TOC byte). */
	if (len == 0)
		return SL_EPARSE;
	rc = opus_decode(dec_of(st), in, (opus_int32)len, pcm, frame, 0);
	return rc < 0 ? map_err(rc) : rc;
}

/* Concealment and FEC must produce exactly the missing duration, a whole
 * number of 2.5 ms blocks. */
static int conceal_size_ok(size_t n)
{
	return n && n <= MAX_FRAME && n % FRAME_2_5MS == 0;
}

static int opus_plc(void *state, int16_t *pcm, size_t n)
{
	struct opus_state *st = state;
	int rc;

	if (!st || !pcm || !conceal_size_ok(n))
		return SL_EINVAL;
	if (!st->ready)
		return SL_ESTATE;
	rc = opus_decode(dec_of(st), NULL, 0, pcm, (int)n, 0);
	return rc < 0 ? map_err(rc) : rc;
}

/* libopus falls back to concealment when @next carries no LBRR data, so
 * this always yields @n samples for a valid packet. */
static int opus_fec(void *state, const uint8_t *next, size_t next_len,
		    int16_t *pcm, size_t n)
{
	struct opus_state *st = state;
	int rc;

	if (!st || !next || !next_len || next_len > INT32_MAX || !pcm ||
	    !conceal_size_ok(n))
		return SL_EINVAL;
	if (!st->ready)
		return SL_ESTATE;
	rc = opus_decode(dec_of(st), next, (opus_int32)next_len, pcm, (int)n,
			 1);
	return rc < 0 ? map_err(rc) : rc;
}

/* Out of 6000..510000: SL_EINVAL. Above the peer's maxaveragebitrate:
 * held at that. */
static int opus_set_bitrate(void *state, uint32_t bps)
{
	struct opus_state *st = state;
	OpusEncoder *enc;

	if (!st || bps < BITRATE_MIN || bps > BITRATE_MAX)
		return SL_EINVAL;
	if (!st->ready)
		return SL_ESTATE;
	if (bps > st->max_bitrate)
		bps = st->max_bitrate;
	enc = enc_of(st);
	return ctl_rc(opus_encoder_ctl(enc,
		OPUS_SET_BITRATE((opus_int32)bps)));
}

/* ---- fmtp (RFC 7587 §6.1) ---- */

struct span {
	const char *p;
	size_t len;
};

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static struct span trim(const char *a, const char *b)
{
	struct span s;

	while (a < b && is_space(*a))
		a++;
	while (b > a && is_space(b[-1]))
		b--;
	s.p = a;
	s.len = (size_t)(b - a);
	return s;
}

static int name_is(struct span s, const char *lit)
{
	size_t i;

	for (i = 0; i < s.len; i++) {
		char a = s.p[i], b = lit[i];

		if (!b)
			return 0;
		if (a >= 'A' && a <= 'Z')
			a = (char)(a + ('a' - 'A'));
		if (a != b)
			return 0;
	}
	return lit[i] == '\0';
}

/* A decimal of 1..9 digits (anything longer is no value we use). */
static int take_num(struct span v, uint32_t *out)
{
	uint32_t n = 0;

	if (v.len == 0 || v.len > 9)
		return 0;
	for (size_t i = 0; i < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return 0;
		n = n * 10 + (uint32_t)(v.p[i] - '0');
	}
	*out = n;
	return 1;
}

static void take_bool(struct span v, int *out)
{
	if (v.len == 1 && (v.p[0] == '0' || v.p[0] == '1'))
		*out = v.p[0] == '1';
}

/* The next multiple of 10 ms, at most PTIME_MAX_MS. */
static unsigned ptime_up(uint32_t ms)
{
	uint32_t r = (ms + 9) / 10 * 10;

	return r > PTIME_MAX_MS ? PTIME_MAX_MS : (unsigned)r;
}

static void take_param(struct sl_codec_params *p, struct span name,
		       struct span val, uint32_t *minptime)
{
	uint32_t n;

	if (name_is(name, "useinbandfec"))
		take_bool(val, &p->fec);
	else if (name_is(name, "usedtx"))
		take_bool(val, &p->dtx);
	else if (name_is(name, "cbr"))
		take_bool(val, &p->cbr);
	else if (name_is(name, "stereo"))
		take_bool(val, &p->stereo);
	else if (name_is(name, "maxplaybackrate") && take_num(val, &n) && n)
		p->maxplaybackrate = clamp_u32(n, 8000, OPUS_RATE_HZ);
	else if (name_is(name, "maxaveragebitrate") && take_num(val, &n) &&
		 n)
		p->maxaveragebitrate = clamp_u32(n, BITRATE_MIN, BITRATE_MAX);
	else if (name_is(name, "minptime") && take_num(val, &n) && n)
		*minptime = n;
	else if (name_is(name, "ptime") && take_num(val, &n) && n)
		p->ptime_ms = ptime_up(n);
	/* sprop-stereo, sprop-maxcapturerate and the unknown: ignored (we
	 * decode to mono whatever the peer sends). */
}

/*
 * "name=value" pairs separated by ';', white space allowed around each
 * piece. Malformed pairs and values are skipped: an fmtp line never makes
 * a call fail. Fields of @p not named in @fmtp are left as they are.
 */
static int opus_fmtp_parse(struct sl_codec_params *p, const char *fmtp,
			   size_t len)
{
	const char *s = fmtp, *end;
	uint32_t minptime = 0;

	if (!p || (!fmtp && len))
		return SL_EINVAL;
	end = fmtp ? fmtp + len : fmtp;
	while (s < end) {
		const char *e = memchr(s, ';', (size_t)(end - s));
		const char *eq;

		if (!e)
			e = end;
		eq = memchr(s, '=', (size_t)(e - s));
		if (eq)
			take_param(p, trim(s, eq), trim(eq + 1, e), &minptime);
		s = e < end ? e + 1 : end;
	}
	/* minptime: the shortest packet the peer wants (RFC 7587 §6.1). */
	if (minptime) {
		unsigned cur = p->ptime_ms ? p->ptime_ms : PTIME_DEFAULT_MS;

		if (cur < minptime)
			p->ptime_ms = ptime_up(minptime);
	}
	return 0;
}

struct out_buf {
	char *p;
	size_t len;
	size_t cap;
	int full;
};

static void put(struct out_buf *b, const char *s, size_t n)
{
	if (b->full || b->cap - b->len <= n) {
		b->full = 1;                    /* keep room for the NUL */
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void put_str(struct out_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void put_uint(struct out_buf *b, uint32_t v)
{
	char d[10];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v && i);
	put(b, d + i, sizeof(d) - i);
}

/*
 * What we offer: minptime=10 (the shortest we decode well), then only the
 * parameters that differ from RFC 7587's defaults. stereo stays at its
 * default 0: we play mono. @out is NUL-terminated; the return value is the
 * length without the NUL, or SL_ENOSPC.
 */
static int opus_fmtp_format(const struct sl_codec_params *p, char *out,
			    size_t cap)
{
	struct out_buf b = { out, 0, cap, 0 };

	if (!p || (!out && cap))
		return SL_EINVAL;
	put_str(&b, "minptime=10");
	if (p->fec)
		put_str(&b, ";useinbandfec=1");
	if (p->dtx)
		put_str(&b, ";usedtx=1");
	if (p->cbr)
		put_str(&b, ";cbr=1");
	if (p->maxplaybackrate) {
		put_str(&b, ";maxplaybackrate=");
		put_uint(&b, p->maxplaybackrate);
	}
	if (p->maxaveragebitrate) {
		put_str(&b, ";maxaveragebitrate=");
		put_uint(&b, p->maxaveragebitrate);
	}
	if (b.full || b.len > INT32_MAX)
		return SL_ENOSPC;
	out[b.len] = '\0';
	return (int)b.len;
}

const struct sl_codec sl__codec_opus = {
	.name = "opus",
	.clock_rate = OPUS_RATE_HZ,
	.sample_rate = OPUS_RATE_HZ,
	.channels = 2,
	.static_pt = -1,
	.min_ptime_ms = 10,
	.max_ptime_ms = PTIME_MAX_MS,
	.state_size = OPUS_STATE_BYTES,
	.init = opus_init,
	.encode = opus_enc,
	.decode = opus_dec,
	.plc = opus_plc,
	.decode_fec = opus_fec,
	.set_bitrate = opus_set_bitrate,
	.fmtp_parse = opus_fmtp_parse,
	.fmtp_format = opus_fmtp_format,
};
