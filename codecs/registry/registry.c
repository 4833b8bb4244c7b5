/*
 * codecs/registry/registry.c: the process-wide codec registry
 * (sipline/codec.h) and the telephone-event pseudo-codec.
 *
 * Owns: the table of registered codecs (pointers to objects that callers
 * keep alive for the life of the process).
 * Thread: sl_codec_register() from any thread, serialised by a mutex
 * (registration happens at start-up, never on the media path); lookups
 * from any thread without a lock: a slot is written before the count that
 * makes it visible is published with release ordering, and readers load
 * the count with acquire ordering, so a reader sees only complete slots.
 * Slots are never changed or removed once published.
 *
 * The built-ins come first, in a fixed order that SDP offers and
 * sl_codec_list() show: PCMU, PCMA, G722, L16 (8000, 16000, 44100, 48000),
 * opus, telephone-event, CN. They are in the table from program start (a
 * static initialiser), so no init call is needed before a lookup.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "../codec_int.h"
#include "sipline/error.h"

/* ---- telephone-event (RFC 4733) ----
 *
 * The engine builds and reads RFC 4733 payloads itself (lib/media/rtp.h),
 * so this entry exists to be offered in SDP and found by name. Audio never
 * flows through it: encode and decode refuse. */

static int te_encode(void *state, const int16_t *pcm, size_t n,
		     uint8_t *out, size_t cap)
{
	(void)state;
	(void)pcm;
	(void)n;
	(void)out;
	(void)cap;
	return SL_EUNSUPP;
}

static int te_decode(void *state, const uint8_t *in, size_t len,
		     int16_t *pcm, size_t cap)
{
	(void)state;
	(void)in;
	(void)len;
	(void)pcm;
	(void)cap;
	return SL_EUNSUPP;
}

/* The events we send and understand: DTMF 0-9 * # A-D and flash (16),
 * RFC 4733 §3.2. */
static int te_fmtp_format(const struct sl_codec_params *p, char *out,
			  size_t cap)
{
	static const char events[] = "0-16";

	(void)p;
	if (!out || cap < sizeof(events))
		return SL_ENOSPC;
	memcpy(out, events, sizeof(events));
	return (int)(sizeof(events) - 1);
}

const struct sl_codec sl__codec_tel_event = {
	.name = "telephone-event",
	.clock_rate = 8000,
	.sample_rate = 8000,
	.channels = 1,
	.static_pt = -1,
	.min_ptime_ms = 10,
	.max_ptime_ms = 60,
	.state_size = 0,
	.encode = te_encode,
	.decode = te_decode,
	.fmtp_format = te_fmtp_format,
};

/* ---- the table ---- */

#define BUILTINS \
	&sl__codec_pcmu, &sl__codec_pcma, &sl__codec_g722, \
	&sl__codec_l16_8k, &sl__codec_l16_16k, &sl__codec_l16_44k, \
	&sl__codec_l16_48k, &sl__codec_opus, &sl__codec_tel_event, \
	&sl__codec_cn

enum {
	N_BUILTIN = sizeof((const struct sl_codec *[]){ BUILTINS }) /
		    sizeof(const struct sl_codec *),
	NAME_MAX_LEN = 31,      /* fits struct sl_call_stats.codec[32] */
	PTIME_MAX_MS = 120      /* the longest RTP audio packet (RFC 7587) */
};

_Static_assert((int)N_BUILTIN < (int)SL_CODEC_MAX,
	       "no room left for applications");

static const struct sl_codec *slots[SL_CODEC_MAX] = { BUILTINS };
static atomic_size_t count = N_BUILTIN;
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;

/* ASCII only: codec names are SDP tokens, never localised. */
static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int name_ieq(const char *a, const char *b)
{
	size_t i;

	for (i = 0; a[i] && b[i]; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return a[i] == b[i];
}

/* An encoding name is an SDP token (RFC 4566 §9, "token"): it appears as
 * "name/rate" in a=rtpmap, so '/' and white space cannot be part of it. */
static int token_char(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != 0 && strchr("!#$%&'*+-.^_`{|}~", c) != NULL;
}

static int valid_name(const char *name)
{
	size_t i;

	if (!name || !name[0])
		return 0;
	for (i = 0; name[i]; i++)
		if (i >= NAME_MAX_LEN || !token_char((unsigned char)name[i]))
			return 0;
	return 1;
}

static int valid_codec(const struct sl_codec *c)
{
	if (!c || !valid_name(c->name) || !c->encode || !c->decode)
		return 0;
	if (!c->clock_rate || !c->sample_rate || !c->channels)
		return 0;
	if (c->min_ptime_ms == 0 || c->max_ptime_ms < c->min_ptime_ms ||
	    c->max_ptime_ms > PTIME_MAX_MS)
		return 0;
	/* Static payload types are 0..95 (RFC 3551 §6); the rest are
	 * dynamic and assigned per session. */
	return c->static_pt >= -1 && c->static_pt <= 95;
}

static const struct sl_codec *find_in(const char *name, uint32_t clock_rate,
				      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct sl_codec *c = slots[i];

		if ((clock_rate == 0 || c->clock_rate == clock_rate) &&
		    name_ieq(c->name, name))
			return c;
	}
	return NULL;
}

int sl_codec_register(const struct sl_codec *c)
{
	size_t n;
	int rc = 0;

	if (!valid_codec(c))
		return SL_EINVAL;
	pthread_mutex_lock(&reg_lock);
	/* Only registrations change the count, and they hold the lock. */
	n = atomic_load_explicit(&count, memory_order_relaxed);
	if (find_in(c->name, c->clock_rate, n)) {
		rc = SL_EEXIST;
	} else if (n >= SL_CODEC_MAX) {
		rc = SL_ELIMIT;
	} else {
		slots[n] = c;
		atomic_store_explicit(&count, n + 1, memory_order_release);
	}
	pthread_mutex_unlock(&reg_lock);
	return rc;
}

const struct sl_codec *sl_codec_find(const char *name, uint32_t clock_rate)
{
	if (!name)
		return NULL;
	return find_in(name, clock_rate,
		       atomic_load_explicit(&count, memory_order_acquire));
}

size_t sl_codec_list(const struct sl_codec **out, size_t cap)
{
	size_t n = atomic_load_explicit(&count, memory_order_acquire);

	for (size_t i = 0; out && i < n && i < cap; i++)
		out[i] = slots[i];
	return n;
}
