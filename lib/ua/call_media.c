/*
 * lib/ua/call_media.c: the session descriptions of a call (RFC 3264 via
 * sipline/sdp.h): offers and answers from the configured codec lists,
 * hold and resume directions (RFC 3264 §8.4, RFC 6337), the codec names
 * events report, and the INVITE body with call instance data
 * (multipart/mixed, RFC 2046 §5.1; wire format in call_int.h).
 *
 * Audio codecs are the registered ones (sipline/codec.h) named by
 * sl_ua_config.audio_codecs, with the payload types and a=fmtp values of
 * the media configuration (sl__media_codecs_resolve(), checked once at
 * sl_ua_create()); a=ptime, a=maxptime, a=rtcp-mux (RFC 5761) and the
 * RFC 3556 b=AS/RS/RR lines come from sl_ua_config.media. The RTP port
 * of an audio stream is a socket pair bound for it (call_stream.c) when
 * media runs; video, and audio without a media engine, keep a port
 * computed from the line so the signalling stays complete.
 *
 * Owns: nothing beyond the line's description copies and the engine's
 * scratch descriptions.
 * Thread: the SIP loop thread.
 * Called by: call.c, call_out.c, call_in.c, prack.c; ua.c
 * (sl__media_codecs_resolve() while checking the configuration).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "media_int.h"
#include "core/log.h"
#include "sip/charset.h"

static const char IDATA_TYPE[] = "application/vnd.sipline.instance-data";

/* Well-known payload types (RFC 3551) and our dynamic choices; for audio
 * only the dynamic choices and the fallback fmtp are used (the registry
 * says the rest). */
static const struct {
	const char *name;
	uint32_t rate;
	uint16_t channels;
	int pt;                 /* -1: dynamic */
	const char *fmtp;
} known[] = {
	{ "PCMU", 8000, 0, 0, NULL },
	{ "GSM", 8000, 0, 3, NULL },
	{ "G723", 8000, 0, 4, NULL },
	{ "PCMA", 8000, 0, 8, NULL },
	{ "G722", 8000, 0, 9, NULL },
	{ "L16", 44100, 2, 10, NULL },
	{ "G729", 8000, 0, 18, "annexb=no" },
	{ "telephone-event", 8000, 0, 101, "0-16" },
	{ "opus", 48000, 2, 111, NULL },
	{ "iLBC", 8000, 0, -1, "mode=30" },
	{ "speex", 8000, 0, -1, NULL },
	{ "H264", 90000, 0, -1, "profile-level-id=42e01f" },
	{ "VP8", 90000, 0, -1, NULL },
	{ "VP9", 90000, 0, -1, NULL },
	{ "H263", 90000, 0, 34, NULL }
};

enum { N_KNOWN = sizeof(known) / sizeof(known[0]) };

static int known_index(const char *name, size_t len, uint32_t rate)
{
	for (unsigned i = 0; i < N_KNOWN; i++)
		if (strlen(known[i].name) == len &&
		    !strncasecmp(known[i].name, name, len) &&
		    (!rate || known[i].rate == rate))
			return (int)i;
	return -1;
}

/* ---- the audio codec table (sl_ua_config.audio_codecs) ---- */

static int bad_codecs(const char *what, const char *p, size_t n)
{
	sl_log_error(SL_CALL_LOG, "sl_ua_create: %s: \"%.*s\"", what,
		     (int)(n > 64 ? 64 : n), p);
	return SL_EINVAL;
}

/* Trims blanks around [*p, *p + *n). */
static void trim(const char **p, size_t *n)
{
	while (*n && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*n)--;
	}
	while (*n && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
		(*n)--;
}

/* "name[/rate]" in [p, p + n): the name's length and the rate (0: none).
 * Return: 0; SL_EINVAL. */
static int name_rate(const char *p, size_t n, size_t *nlen, uint32_t *rate)
{
	const char *slash = memchr(p, '/', n);
	uint32_t r = 0;

	*nlen = slash ? (size_t)(slash - p) : n;
	*rate = 0;
	if (!*nlen || *nlen >= SL_MEDIA_NAME_MAX)
		return SL_EINVAL;
	for (size_t i = 0; i < *nlen; i++)
		if (!sl__ch(p[i], SL_CH_TOKEN))
			return SL_EINVAL;
	if (!slash)
		return 0;
	for (const char *d = slash + 1; d < p + n; d++) {
		if (*d < '0' || *d > '9' || r > 1000000)
			return SL_EINVAL;
		r = r * 10 + (uint32_t)(*d - '0');
	}
	if (!r)
		return SL_EINVAL;
	*rate = r;
	return 0;
}

/* 1 when list item "name[/rate]" [p, p + n) names codec entry @c. */
static int item_names(const char *p, size_t n, const struct sl_media_codec *c)
{
	size_t nl;
	uint32_t rate;

	if (name_rate(p, n, &nl, &rate) < 0)
		return 0;
	return strlen(c->name) == nl && !strncasecmp(c->name, p, nl) &&
	       (!rate || rate == c->clock_rate);
}

/* The override for @c in payload_types "name[/rate]=pt,...": the pt, -1
 * when none, SL_EINVAL for a bad list. */
static int pt_override(const char *list, const struct sl_media_codec *c)
{
	const char *p = list;
	int found = -1;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *eq = memchr(p, '=', n);
		const char *name = p, *num;
		size_t nn, vn, nl;
		uint32_t rate;
		unsigned v = 0;

		if (!eq)
			return bad_codecs("media.payload_types", p, n);
		nn = (size_t)(eq - p);
		num = eq + 1;
		vn = n - nn - 1;
		trim(&name, &nn);
		trim(&num, &vn);
		if (name_rate(name, nn, &nl, &rate) < 0 || !vn || vn > 3)
			return bad_codecs("media.payload_types", p, n);
		for (size_t i = 0; i < vn; i++) {
			if (num[i] < '0' || num[i] > '9')
				return bad_codecs("media.payload_types", p, n);
			v = v * 10 + (unsigned)(num[i] - '0');
		}
		/* RFC 3551 §3: the dynamic range. */
		if (v < 96 || v > 127)
			return bad_codecs("media.payload_types", p, n);
		if (found < 0 && item_names(name, nn, c))
			found = (int)v;
		if (!e)
			break;
		p = e + 1;
	}
	return found;
}

/* The fmtp override for @c in "name[/rate]:params|...": 1 and copied
 * into @out, 0 when none, SL_EINVAL for a bad list. */
static int fmtp_override(const char *list, const struct sl_media_codec *c,
			 char *out, size_t cap)
{
	const char *p = list;
	int found = 0;

	while (*p) {
		const char *e = strchr(p, '|');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *colon = memchr(p, ':', n);
		const char *name = p, *v;
		size_t nn, vn, nl;
		uint32_t rate;

		if (!colon)
			return bad_codecs("media.fmtp", p, n);
		nn = (size_t)(colon - p);
		v = colon + 1;
		vn = n - nn - 1;
		trim(&name, &nn);
		trim(&v, &vn);
		if (name_rate(name, nn, &nl, &rate) < 0 || !vn ||
		    vn >= cap)
			return bad_codecs("media.fmtp", p, n);
		for (size_t i = 0; i < vn; i++)
			if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
				return bad_codecs("media.fmtp", p, n);
		if (!found && item_names(name, nn, c)) {
			memcpy(out, v, vn);
			out[vn] = '\0';
			found = 1;
		}
		if (!e)
			break;
		p = e + 1;
	}
	return found;
}

static int pt_taken(const struct sl_media_codecs *t, unsigned upto, int pt)
{
	for (unsigned i = 0; i < upto; i++)
		if (t->c[i].pt == pt)
			return 1;
	return 0;
}

int sl__media_codecs_resolve(const struct sl_ua_config *cfg,
			     struct sl_media_codecs *out)
{
	const struct sl_media_config *mc = &cfg->media;
	const char *p = cfg->audio_codecs;
	int next = 96, rc;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *item = p;
		struct sl_media_codec *c;
		char name[SL_MEDIA_NAME_MAX];
		size_t nl;
		uint32_t rate;
		int k;

		trim(&item, &n);
		if (!n)
			goto next;
		if (out->n >= SL_MEDIA_CODECS_MAX)
			return bad_codecs("too many audio_codecs", item, n);
		if (name_rate(item, n, &nl, &rate) < 0)
			return bad_codecs("bad audio_codecs entry", item, n);
		memcpy(name, item, nl);
		name[nl] = '\0';
		c = &out->c[out->n];
		c->codec = sl_codec_find(name, rate);
		if (!c->codec)
			return bad_codecs("audio codec not registered", item,
					  n);
		snprintf(c->name, sizeof(c->name), "%s", c->codec->name);
		c->clock_rate = c->codec->clock_rate;
		c->channels = c->codec->channels > 1 ? c->codec->channels : 0;
		/* A static type unless overridden, then our usual dynamic
		 * choice (101 for telephone-event, 111 for opus), then the
		 * first free one. */
		rc = pt_override(mc->payload_types, c);
		if (rc == SL_EINVAL)
			return rc;
		k = known_index(c->name, strlen(c->name), c->clock_rate);
		if (rc >= 0)
			c->pt = (uint8_t)rc;
		else if (c->codec->static_pt >= 0 &&
			 c->codec->static_pt <= 127)
			c->pt = (uint8_t)c->codec->static_pt;
		else if (k >= 0 && known[k].pt >= 96 &&
			 !pt_taken(out, out->n, known[k].pt))
			c->pt = (uint8_t)known[k].pt;
		else {
			while (next <= 127 &&
			       (pt_taken(out, out->n, next) || next == 101 ||
				next == 111))
				next++;
			if (next > 127)
				return bad_codecs("no payload type left", item,
						  n);
			c->pt = (uint8_t)next++;
		}
		if (pt_taken(out, out->n, c->pt))
			return bad_codecs("payload type used twice", item, n);
		rc = fmtp_override(mc->fmtp, c, c->fmtp, sizeof(c->fmtp));
		if (rc < 0)
			return rc;
		if (!rc && c->codec->fmtp_format) {
			struct sl_codec_params cp;
			int fl;

			memset(&cp, 0, sizeof(cp));
			cp.bitrate = mc->audio_bitrate;
			cp.ptime_ms = mc->ptime_ms;
			fl = c->codec->fmtp_format(&cp, c->fmtp,
						   sizeof(c->fmtp));
			if (fl <= 0 || (size_t)fl >= sizeof(c->fmtp))
				c->fmtp[0] = '\0';
		} else if (!rc && k >= 0 && known[k].fmtp) {
			snprintf(c->fmtp, sizeof(c->fmtp), "%s",
				 known[k].fmtp);
		}
		out->n++;
next:
		if (!e)
			break;
		p = e + 1;
	}
	if (!out->n)
		return bad_codecs("no audio codec", cfg->audio_codecs,
				  strlen(cfg->audio_codecs));
	/* A stream needs one codec besides telephone-event and CN. */
	for (unsigned i = 0; i < out->n; i++)
		if (strcasecmp(out->c[i].name, "telephone-event") &&
		    strcasecmp(out->c[i].name, "CN"))
			return 0;
	return bad_codecs("audio_codecs without a voice codec",
			  cfg->audio_codecs, strlen(cfg->audio_codecs));
}

/* ---- the SDP codec lists ---- */

static int pt_used(const struct sl_calls *c, int pt)
{
	for (unsigned i = 0; i < c->n_acodecs; i++)
		if (c->acodecs[i].pt == pt)
			return 1;
	for (unsigned i = 0; i < c->n_vcodecs; i++)
		if (c->vcodecs[i].pt == pt)
			return 1;
	return pt == 101 || pt == 111;
}

/* Splits the comma-separated video list into codecs. */
static void parse_list(struct sl_calls *c, const char *list,
		       struct sl_sdp_codec *out, unsigned *n, size_t *o,
		       uint32_t def_rate, int *next_pt)
{
	const char *p = list;

	while (*p && *n < 16) {
		const char *e = p;
		size_t len;
		char *name;
		int k = -1;

		while (*e && *e != ',')
			e++;
		len = (size_t)(e - p);
		while (len && *p == ' ') {
			p++;
			len--;
		}
		while (len && p[len - 1] == ' ')
			len--;
		if (len && *o + len + 1 <= sizeof(c->codec_names)) {
			name = c->codec_names + *o;
			memcpy(name, p, len);
			name[len] = '\0';
			*o += len + 1;
			k = known_index(name, len, 0);
			out[*n].name = name;
			out[*n].clock_rate = k >= 0 ? known[k].rate
					     : def_rate;
			out[*n].channels = k >= 0 ? known[k].channels : 0;
			out[*n].fmtp = k >= 0 ? known[k].fmtp : NULL;
			if (k >= 0 && known[k].pt >= 0) {
				out[*n].pt = (uint8_t)known[k].pt;
			} else {
				while (*next_pt < 127 && pt_used(c, *next_pt))
					(*next_pt)++;
				out[*n].pt = (uint8_t)(*next_pt)++;
			}
			(*n)++;
		}
		if (!*e)
			break;
		p = e + 1;
	}
}

static void codecs_ready(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;
	size_t o = 0;
	int next = 96;

	if (c->codecs_ready)
		return;
	c->n_acodecs = 0;
	c->n_vcodecs = 0;
	if (ua->media) {
		const struct sl_media_codecs *t = &ua->media->codecs;

		for (unsigned i = 0; i < t->n && i < 16; i++) {
			struct sl_sdp_codec *a = &c->acodecs[c->n_acodecs++];

			a->name = t->c[i].name;
			a->clock_rate = t->c[i].clock_rate;
			a->channels = t->c[i].channels;
			a->pt = t->c[i].pt;
			a->fmtp = t->c[i].fmtp[0] ? t->c[i].fmtp : NULL;
		}
	}
	parse_list(c, ua->cfg.video_codecs, c->vcodecs, &c->n_vcodecs, &o,
		   90000, &next);
	c->codecs_ready = 1;
}

/* Our address for o= and c=. */
static int sdp_address(struct sl_ua *ua, struct sl_line *ln,
		       const struct sl_addr *peer, char *out, size_t cap)
{
	struct sl_addr a;
	enum sl_tp tp = ln->have_target ? ln->target.tp : SL_TP_UDP;

	if (ua->cfg.local_ip[0])
		return sl__ua_strcpy(out, cap, ua->cfg.local_ip);
	if (peer && sl__ua_local_for(ua, tp, peer, NULL, &a) == 0 &&
	    sl__addr_host(&a, out, cap) > 0)
		return 0;
	return sl__ua_strcpy(out, cap, "127.0.0.1");
}

/* A port for signalling-only streams (no media engine, or video). */
static uint16_t rtp_port(struct sl_ua *ua, const struct sl_line *ln,
			 unsigned stream)
{
	uint32_t lo = ua->cfg.rtp_port_min, hi = ua->cfg.rtp_port_max;
	uint32_t span = hi > lo ? hi - lo + 1 : 1;
	uint32_t off = (ln->idx * 4u + stream * 2u) % span;

	return (uint16_t)((lo + off) & ~1u);
}

/* The media entries we offer or accept. */
static int media_cfgs(struct sl_ua *ua, struct sl_line *ln, const char *addr,
		      struct sl_sdp_media_cfg *m, int answer, size_t *count)
{
	struct sl_calls *c = ua->calls;
	const struct sl_media_config *mc = &ua->cfg.media;
	size_t n = 0;
	int rc;

	codecs_ready(ua);
	memset(m, 0, 2 * sizeof(*m));
	if (c->n_acodecs && (ln->want_audio || !answer)) {
		uint16_t port = 0;

		if (ln->want_audio && ua->media && ua->media->eng) {
			rc = sl__stream_port(ua, ln, addr, &port);
			if (rc < 0)
				return rc;
		} else if (ln->want_audio) {
			port = rtp_port(ua, ln, 0);
		}
		m[n].type = SL_SDP_MEDIA_AUDIO;
		m[n].port = port;
		m[n].codecs = c->acodecs;
		m[n].n_codecs = c->n_acodecs;
		m[n].ptime = mc->ptime_ms ? mc->ptime_ms : 20;
		m[n].maxptime = mc->maxptime_ms;
		/* RFC 5761 §5.1.1: both sockets stay bound until the
		 * answer says whether the peer multiplexes. */
		m[n].rtcp_mux = mc->rtcp_mux;
		n++;
	}
	if (c->n_vcodecs && (ln->want_video || (!answer &&
						ln->offered_video))) {
		m[n].type = SL_SDP_MEDIA_VIDEO;
		m[n].port = ln->want_video ? rtp_port(ua, ln, 1) : 0;
		m[n].codecs = c->vcodecs;
		m[n].n_codecs = c->n_vcodecs;
		n++;
	}
	*count = n;
	return 0;
}

/* RFC 3556 b=AS (kbit/s), b=RS and b=RR (bit/s) on our enabled audio
 * sections, when configured. */
static void add_bandwidth(struct sl_ua *ua, struct sl_sdp *sdp)
{
	const struct sl_media_config *mc = &ua->cfg.media;
	static const char as[] = "AS", rs[] = "RS", rr[] = "RR";

	for (size_t i = 0; i < sdp->n_media; i++) {
		struct sl_sdp_media *m = &sdp->media[i];

		if (m->type != SL_SDP_MEDIA_AUDIO || !m->port)
			continue;
		m->n_bw = 0;
		if (mc->rtcp_as_kbps) {
			m->bw[m->n_bw].type.p = as;
			m->bw[m->n_bw].type.len = 2;
			m->bw[m->n_bw++].value = mc->rtcp_as_kbps;
		}
		if (mc->rtcp_rs_bps >= 0) {
			m->bw[m->n_bw].type.p = rs;
			m->bw[m->n_bw].type.len = 2;
			m->bw[m->n_bw++].value = (uint32_t)mc->rtcp_rs_bps;
		}
		if (mc->rtcp_rr_bps >= 0) {
			m->bw[m->n_bw].type.p = rr;
			m->bw[m->n_bw].type.len = 2;
			m->bw[m->n_bw++].value = (uint32_t)mc->rtcp_rr_bps;
		}
	}
}

int sl__media_offer(struct sl_ua *ua, struct sl_line *ln,
		    const struct sl_addr *peer)
{
	struct sl_calls *c = ua->calls;
	struct sl_sdp_media_cfg m[2];
	struct sl_sdp_session_cfg s;
	char addr[64], ver[16];
	size_t n = 0;
	int rc;

	rc = sdp_address(ua, ln, peer, addr, sizeof(addr));
	if (rc < 0)
		return rc;
	rc = media_cfgs(ua, ln, addr, m, 0, &n);
	if (rc < 0)
		return rc;
	if (!n)
		return SL_EINVAL;
	if (!ln->sdp_id[0])
		snprintf(ln->sdp_id, sizeof(ln->sdp_id), "%u%06d",
			 ln->idx + 1, ln->session);
	snprintf(ver, sizeof(ver), "%u", ln->sdp_version++);
	memset(&s, 0, sizeof(s));
	s.username = "sipline";
	s.sess_id = ln->sdp_id;
	s.sess_version = ver;
	s.address = addr;
	rc = sl_sdp_build_offer(&c->sdp_a, &s, m, n);
	if (rc < 0)
		return rc;
	add_bandwidth(ua, &c->sdp_a);
	if (ln->hold) {
		const struct sl_sdp *remote = NULL;

		if (ln->remote_len &&
		    sl_sdp_parse(&c->sdp_b, ln->remote_sdp, ln->remote_len,
				 NULL) == 0)
			remote = &c->sdp_b;
		sl_sdp_hold(&c->sdp_a, remote);
	}
	/* Written in the scratch, then kept in a block its size
	 * (call_text.c). */
	rc = sl_sdp_write(&c->sdp_a, c->sdp_out, sizeof(c->sdp_out));
	if (rc < 0)
		return rc;
	if (sl__line_text_set(ua, ln, SL_LT_LOCAL_SDP, c->sdp_out,
			      (size_t)rc) < 0)
		return SL_ENOMEM;
	if (ln->want_video && c->n_vcodecs)
		ln->offered_video = 1;
	if (ua->media)
		sl__stream_offered(ua, ln);
	return rc;
}

int sl__media_answer(struct sl_ua *ua, struct sl_line *ln,
		     const struct sl_addr *peer)
{
	struct sl_calls *c = ua->calls;
	struct sl_sdp_media_cfg m[2];
	struct sl_sdp_session_cfg s;
	char addr[64], ver[16];
	size_t n = 0;
	int rc, acc, want;

	if (sl_sdp_parse(&c->sdp_a, ln->remote_sdp, ln->remote_len,
			 NULL) < 0)
		return SL_EPARSE;
	rc = sdp_address(ua, ln, peer, addr, sizeof(addr));
	if (rc < 0)
		return rc;
	/* No socket is bound for an offer without audio. */
	want = ln->want_audio;
	if (want) {
		int audio = 0;

		for (size_t i = 0; i < c->sdp_a.n_media; i++)
			if (c->sdp_a.media[i].type == SL_SDP_MEDIA_AUDIO &&
			    c->sdp_a.media[i].port)
				audio = 1;
		ln->want_audio = audio;
	}
	rc = media_cfgs(ua, ln, addr, m, 1, &n);
	ln->want_audio = want;
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		m[i].dir = ln->hold ? SL_SDP_DIR_SENDONLY : SL_SDP_DIR_NONE;
	if (!ln->sdp_id[0])
		snprintf(ln->sdp_id, sizeof(ln->sdp_id), "%u%06d",
			 ln->idx + 1, ln->session);
	snprintf(ver, sizeof(ver), "%u", ln->sdp_version++);
	memset(&s, 0, sizeof(s));
	s.username = "sipline";
	s.sess_id = ln->sdp_id;
	s.sess_version = ver;
	s.address = addr;
	acc = sl_sdp_answer(&c->sdp_b, &c->sdp_a, &s, m, n);
	if (acc < 0)
		return acc;
	if (acc == 0)
		return 0;
	add_bandwidth(ua, &c->sdp_b);
	/* A held call answers a re-offer on hold: sendonly at most. */
	rc = sl_sdp_write(&c->sdp_b, c->sdp_out, sizeof(c->sdp_out));
	if (rc < 0)
		return rc;
	if (sl__line_text_set(ua, ln, SL_LT_LOCAL_SDP, c->sdp_out,
			      (size_t)rc) < 0)
		return SL_ENOMEM;
	ln->we_offered = 0;
	if (ua->media)
		sl__stream_answered(ua, ln);
	return acc;
}

int sl__media_remote(struct sl_ua *ua, struct sl_line *ln,
		     struct sl_slice body)
{
	struct sl_calls *c = ua->calls;

	if (!body.len || body.len > SL_CALL_SDP_MAX ||
	    sl_sdp_parse(&c->sdp_c, body.p, body.len, NULL) < 0)
		return SL_EPARSE;
	if (sl__line_text_set(ua, ln, SL_LT_REMOTE_SDP, body.p, body.len) < 0)
		return SL_ENOMEM;
	if (ln->offer_out) {
		/* Our offer, the peer's answer. */
		ln->we_offered = 1;
		if (ln->local_len &&
		    sl_sdp_parse(&c->sdp_a, ln->local_sdp, ln->local_len,
				 NULL) == 0 &&
		    sl_sdp_check_answer(&c->sdp_a, &c->sdp_c, NULL) < 0)
			sl_log_info(SL_CALL_LOG, "line %u: answer does not "
				    "fit our offer", ln->idx);
		if (ua->media) {
			/* The exchange is complete: media follows it now
			 * (early media, an answer in an ACK). */
			sl__stream_answered(ua, ln);
			sl__stream_sync(ua, ln);
		}
	}
	return 0;
}

static const char *keep(char *store, size_t cap, size_t *o,
			struct sl_slice s)
{
	char *p;

	if (*o + s.len + 1 > cap)
		return NULL;
	p = store + *o;
	memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	*o += s.len + 1;
	return p;
}

/* "ip:port" or "[ip6]:port" of a negotiated stream, where our RTP goes
 * (the answered event names it before the media thread has started). */
static const char *remote_rtp(const struct sl_sdp_stream *st, char *store,
			      size_t cap, size_t *o)
{
	char text[96];
	int n, v6;

	if (!st->remote_addr.len || !st->remote_port)
		return NULL;
	v6 = memchr(st->remote_addr.p, ':', st->remote_addr.len) != NULL;
	n = snprintf(text, sizeof(text), v6 ? "[%.*s]:%u" : "%.*s:%u",
		     (int)st->remote_addr.len, st->remote_addr.p,
		     (unsigned)st->remote_port);
	if (n < 0 || (size_t)n >= sizeof(text))
		return NULL;
	return keep(store, cap, o, (struct sl_slice){ text, (size_t)n });
}

static void add_name(struct sl_event *ev, enum sl_sdp_media_type type,
		     const char *name)
{
	if (!name)
		return;
	if (type == SL_SDP_MEDIA_AUDIO &&
	    ev->n_audio_codecs < SL_EVENT_MAX_CODECS)
		ev->audio_codecs[ev->n_audio_codecs++] = name;
	else if (type == SL_SDP_MEDIA_VIDEO &&
		 ev->n_video_codecs < SL_EVENT_MAX_CODECS)
		ev->video_codecs[ev->n_video_codecs++] = name;
}

void sl__media_fill(struct sl_ua *ua, struct sl_line *ln,
		    struct sl_event *ev, char *store, size_t cap)
{
	struct sl_calls *c = ua->calls;
	struct sl_sdp *remote = &c->sdp_b, *local = &c->sdp_a;
	size_t o = 0;

	if (!ln->remote_len ||
	    sl_sdp_parse(remote, ln->remote_sdp, ln->remote_len, NULL) < 0)
		return;
	if (ln->local_len &&
	    sl_sdp_parse(local, ln->local_sdp, ln->local_len, NULL) == 0 &&
	    local->n_media == remote->n_media) {
		const struct sl_sdp *off = ln->we_offered ? local : remote;
		const struct sl_sdp *ans = ln->we_offered ? remote : local;

		for (size_t i = 0; i < remote->n_media; i++) {
			struct sl_sdp_stream st;

			if (sl_sdp_negotiated(off, ans, ln->we_offered, i,
					      &st) < 0 || !st.active)
				continue;
			if (st.type == SL_SDP_MEDIA_AUDIO)
				ev->has_audio = 1;
			if (st.type == SL_SDP_MEDIA_VIDEO)
				ev->has_video = 1;
			if (!ev->direction || st.type == SL_SDP_MEDIA_AUDIO)
				ev->direction = sl_sdp_dir_name(st.dir);
			add_name(ev, st.type,
				 keep(store, cap, &o, st.encoding));
			if (st.type == SL_SDP_MEDIA_AUDIO && !ev->remote_rtp)
				ev->remote_rtp = remote_rtp(&st, store, cap,
							    &o);
		}
		return;
	}
	/* Only the peer's offer is known: what it offers. */
	for (size_t i = 0; i < remote->n_media; i++) {
		const struct sl_sdp_media *m = &remote->media[i];

		if (!m->port)
			continue;
		if (m->type == SL_SDP_MEDIA_AUDIO)
			ev->has_audio = 1;
		if (m->type == SL_SDP_MEDIA_VIDEO)
			ev->has_video = 1;
		if (!ev->direction)
			ev->direction = sl_sdp_dir_name(
				sl_sdp_media_dir(remote, i));
		for (size_t f = 0; f < m->n_fmt; f++) {
			struct sl_sdp_rtpmap r;

			if (sl_sdp_fmt_rtpmap(&m->fmt[f], &r) < 0 ||
			    sl_slice_ieq(r.name, "telephone-event"))
				continue;
			add_name(ev, m->type, keep(store, cap, &o, r.name));
		}
	}
}

int sl__media_remote_holds(struct sl_ua *ua, const struct sl_line *ln)
{
	struct sl_calls *c = ua->calls;
	struct sl_sdp *r = &c->sdp_c;
	int any = 0, held = 0;

	if (!ln->remote_len ||
	    sl_sdp_parse(r, ln->remote_sdp, ln->remote_len, NULL) < 0)
		return 0;
	for (size_t i = 0; i < r->n_media; i++) {
		enum sl_sdp_dir d;

		if (!r->media[i].port)
			continue;
		d = sl_sdp_media_dir(r, i);
		any = 1;
		/* The peer no longer receives from us: it holds us (its
		 * sendonly or inactive offer; recvonly is our own hold
		 * answered). */
		if (d == SL_SDP_DIR_INACTIVE || d == SL_SDP_DIR_SENDONLY)
			held = 1;
		else if (d == SL_SDP_DIR_RECVONLY && !ln->hold)
			held = 1;
		else
			return 0;
	}
	return any && held;
}

/* ---- multipart/mixed ---- */

/* Finds @needle (@nlen bytes) in [@p, @e). */
static const char *find_bytes(const char *p, const char *e,
			      const char *needle, size_t nlen)
{
	if (!nlen || (size_t)(e - p) < nlen)
		return NULL;
	for (const char *q = p; q + nlen <= e; q++)
		if (*q == *needle && !memcmp(q, needle, nlen))
			return q;
	return NULL;
}

/* The Content-Type of a part's headers [@p, @e), unfolded lines. */
static struct sl_slice part_type(const char *p, const char *e)
{
	struct sl_slice none = { NULL, 0 };

	while (p < e) {
		const char *eol = find_bytes(p, e, "\r\n", 2);
		const char *colon;
		struct sl_slice name, v;

		if (!eol)
			eol = e;
		colon = memchr(p, ':', (size_t)(eol - p));
		if (colon) {
			name.p = p;
			name.len = (size_t)(colon - p);
			v.p = colon + 1;
			v.len = (size_t)(eol - v.p);
			while (v.len && (*v.p == ' ' || *v.p == '\t')) {
				v.p++;
				v.len--;
			}
			while (name.len && name.p[name.len - 1] == ' ')
				name.len--;
			if (sl_slice_ieq(name, "Content-Type") ||
			    sl_slice_ieq(name, "c"))
				return v;
		}
		p = eol + 2;
	}
	return none;
}

static int type_is(struct sl_slice ct, const char *type)
{
	struct sl_media_type mt;
	const char *slash = strchr(type, '/');
	struct sl_slice t = { type, (size_t)(slash - type) };
	struct sl_slice s = { slash + 1, strlen(slash + 1) };

	if (!ct.len || sl_media_type_decode(ct, &mt) < 0)
		return 0;
	return sl_slice_ieq2(mt.type, t) && sl_slice_ieq2(mt.subtype, s);
}

int sl__media_split(const struct sl_msg *m, struct sl_slice *sdp,
		    struct sl_slice *idata)
{
	struct sl_media_type mt;
	struct sl_slice bnd;
	char delim[80];
	size_t dlen;
	const char *p, *e;
	unsigned guard = 0;

	sdp->p = idata->p = NULL;
	sdp->len = idata->len = 0;
	if (!m->body.len)
		return 0;
	if (type_is(m->content_type, "application/sdp")) {
		*sdp = m->body;
		return 0;
	}
	if (!type_is(m->content_type, "multipart/mixed"))
		return 0;
	if (sl_media_type_decode(m->content_type, &mt) < 0 ||
	    !sl_param_find(mt.params, "boundary", &bnd) || !bnd.len)
		return SL_EPARSE;
	if (bnd.len >= 2 && bnd.p[0] == '"' && bnd.p[bnd.len - 1] == '"') {
		bnd.p++;
		bnd.len -= 2;
	}
	if (!bnd.len || bnd.len + 4 > sizeof(delim))
		return SL_EPARSE;
	delim[0] = '-';
	delim[1] = '-';
	memcpy(delim + 2, bnd.p, bnd.len);
	dlen = bnd.len + 2;
	p = m->body.p;
	e = m->body.p + m->body.len;
	/* Preamble up to the first delimiter. */
	p = find_bytes(p, e, delim, dlen);
	if (!p)
		return SL_EPARSE;
	while (p && guard++ < 64) {
		const char *hs, *he, *next, *be;
		struct sl_slice ct, body;

		p += dlen;
		if (e - p >= 2 && p[0] == '-' && p[1] == '-')
			return 0;            /* the close delimiter */
		hs = find_bytes(p, e, "\r\n", 2);
		if (!hs)
			return SL_EPARSE;
		hs += 2;
		/* A part without headers starts with its blank line. */
		if (e - hs >= 2 && hs[0] == '\r' && hs[1] == '\n') {
			he = hs;
			body.p = hs + 2;
		} else {
			he = find_bytes(hs, e, "\r\n\r\n", 4);
			if (!he)
				return SL_EPARSE;
			body.p = he + 4;
		}
		next = find_bytes(body.p, e, delim, dlen);
		if (!next)
			return SL_EPARSE;
		be = next;
		if (be - body.p >= 2 && be[-2] == '\r' && be[-1] == '\n')
			be -= 2;
		body.len = (size_t)(be - body.p);
		ct = part_type(hs, he);
		if (!sdp->len && type_is(ct, "application/sdp"))
			*sdp = body;
		else if (!idata->len && type_is(ct, IDATA_TYPE))
			*idata = body;
		p = next;
	}
	return SL_EPARSE;
}

int sl__media_invite_body(struct sl_ua *ua, struct sl_line *ln, char *out,
			  size_t cap, const char **ctype)
{
	struct sl_calls *c = ua->calls;
	char delim[48];
	size_t o = 0, dl;
	int has_sdp = !ln->no_sdp && ln->local_len;
	unsigned tries = 0;

	*ctype = NULL;
	if (!ln->idata_len) {
		if (!has_sdp)
			return 0;
		if (ln->local_len > cap)
			return SL_ENOSPC;
		memcpy(out, ln->local_sdp, ln->local_len);
		*ctype = "application/sdp";
		return (int)ln->local_len;
	}
	/* A delimiter found in neither part (RFC 2046 §5.1.1). */
	do {
		snprintf(delim, sizeof(delim), "--sipline-idata-%u",
			 c->boundary_seq++);
		dl = strlen(delim);
	} while (++tries < 16 &&
		 (find_bytes((const char *)ln->idata,
			     (const char *)ln->idata + ln->idata_len, delim,
			     dl) ||
		  (has_sdp && find_bytes(ln->local_sdp,
					 ln->local_sdp + ln->local_len,
					 delim, dl))));
	if (tries >= 16)
		return SL_EFAIL;
#define PUT(s, n) do { \
		if (o + (n) > cap) \
			return SL_ENOSPC; \
		memcpy(out + o, (s), (n)); \
		o += (n); \
	} while (0)
#define PUTS(s) PUT((s), strlen(s))
	if (has_sdp) {
		PUT(delim, dl);
		PUTS("\r\nContent-Type: application/sdp\r\n\r\n");
		PUT(ln->local_sdp, ln->local_len);
		PUTS("\r\n");
	}
	PUT(delim, dl);
	PUTS("\r\nContent-Type: ");
	PUTS(IDATA_TYPE);
	PUTS("\r\nContent-Transfer-Encoding: binary\r\n\r\n");
	PUT(ln->idata, ln->idata_len);
	PUTS("\r\n");
	PUT(delim, dl);
	PUTS("--\r\n");
#undef PUTS
#undef PUT
	/* The builder copies the type before the next call. */
	snprintf(c->mp_type, sizeof(c->mp_type),
		 "multipart/mixed;boundary=%s", delim + 2);
	*ctype = c->mp_type;
	return (int)o;
}
