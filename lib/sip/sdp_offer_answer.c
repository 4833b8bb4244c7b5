/*
 * lib/sip/sdp_offer_answer.c: the RFC 3264 offer/answer rules as pure
 * functions over struct sl_sdp: making an answer (§6), checking a peer's
 * answer against our offer (§6, §6.1), the direction rules (§5.1, §6.1) and
 * the outcome per stream once both sides are known (codec and payload types
 * each way, telephone-event (RFC 4733), remote RTP and RTCP addresses
 * (RFC 3605, RFC 5761), SDES keys (RFC 4568)).
 *
 * Owns: nothing; results point into the descriptions and configurations.
 * Thread: pure; any thread.
 * Called by: lib/ua for every offer received and answer received.
 *
 * Codecs are identified by (encoding name case-insensitively, clock rate,
 * channels), from a=rtpmap or, for static payload types without one, from
 * the RFC 3551 table. Payload type numbers are only labels: the offerer's
 * are kept in the answer, and each side sends with the numbers the other
 * side's description gives.
 */
#include <string.h>

#include "sdp_int.h"
#include "sipline/error.h"
#include "sipline/sdp.h"

/* RFC 3551 §6 static payload types (G722 is 8000 on the wire, §4.5.2). */
static const struct {
	uint8_t pt;
	uint8_t channels;
	uint32_t clock_rate;
	const char *name;
} static_pts[] = {
	{ 0, 1, 8000, "PCMU" },   { 3, 1, 8000, "GSM" },
	{ 4, 1, 8000, "G723" },   { 5, 1, 8000, "DVI4" },
	{ 6, 1, 16000, "DVI4" },  { 7, 1, 8000, "LPC" },
	{ 8, 1, 8000, "PCMA" },   { 9, 1, 8000, "G722" },
	{ 10, 2, 44100, "L16" },  { 11, 1, 44100, "L16" },
	{ 12, 1, 8000, "QCELP" }, { 13, 1, 8000, "CN" },
	{ 14, 1, 90000, "MPA" },  { 15, 1, 8000, "G728" },
	{ 16, 1, 11025, "DVI4" }, { 17, 1, 22050, "DVI4" },
	{ 18, 1, 8000, "G729" },  { 25, 1, 90000, "CelB" },
	{ 26, 1, 90000, "JPEG" }, { 28, 1, 90000, "nv" },
	{ 31, 1, 90000, "H261" }, { 32, 1, 90000, "MPV" },
	{ 33, 1, 90000, "MP2T" }, { 34, 1, 90000, "H263" },
};

int sl_sdp_fmt_rtpmap(const struct sl_sdp_fmt *f, struct sl_sdp_rtpmap *out)
{
	if (!f || !out)
		return SL_EINVAL;
	if (f->has_rtpmap) {
		out->name = f->encoding;
		out->clock_rate = f->clock_rate;
		out->channels = f->channels ? f->channels : 1;
		return 0;
	}
	for (size_t i = 0; i < sizeof(static_pts) / sizeof(static_pts[0]);
	     i++) {
		if (f->pt == static_pts[i].pt) {
			out->name = sl__sdp_str(static_pts[i].name);
			out->clock_rate = static_pts[i].clock_rate;
			out->channels = static_pts[i].channels;
			return 0;
		}
	}
	return SL_ENOTFOUND;
}

static int same_codec(const struct sl_sdp_rtpmap *a,
		      const struct sl_sdp_rtpmap *b)
{
	return sl_slice_ieq2(a->name, b->name) &&
	       a->clock_rate == b->clock_rate && a->channels == b->channels;
}

static int cfg_codec_is(const struct sl_sdp_codec *c,
			const struct sl_sdp_rtpmap *r)
{
	struct sl_sdp_rtpmap x = { sl__sdp_str(c->name), c->clock_rate,
				   (uint16_t)(c->channels ? c->channels : 1) };

	return same_codec(&x, r);
}

static int is_te(struct sl_slice name)
{
	return sl_slice_ieq(name, "telephone-event");
}

/*
 * Formats that ride along with a real codec and never carry the call on
 * their own: comfort noise (RFC 3389), redundancy (RFC 2198), FEC (RFC 5109,
 * RFC 8627) and retransmission (RFC 4588).
 */
static int is_aux(struct sl_slice name)
{
	return is_te(name) || sl_slice_ieq(name, "CN") ||
	       sl_slice_ieq(name, "red") || sl_slice_ieq(name, "rtx") ||
	       sl_slice_ieq(name, "ulpfec") || sl_slice_ieq(name, "flexfec") ||
	       sl_slice_ieq(name, "flexfec-03");
}

/* ---- directions ---- */

static int can_send(enum sl_sdp_dir d)
{
	return d == SL_SDP_DIR_NONE || d == SL_SDP_DIR_SENDRECV ||
	       d == SL_SDP_DIR_SENDONLY;
}

static int can_recv(enum sl_sdp_dir d)
{
	return d == SL_SDP_DIR_NONE || d == SL_SDP_DIR_SENDRECV ||
	       d == SL_SDP_DIR_RECVONLY;
}

static enum sl_sdp_dir make_dir(int send, int recv)
{
	if (send && recv)
		return SL_SDP_DIR_SENDRECV;
	if (send)
		return SL_SDP_DIR_SENDONLY;
	if (recv)
		return SL_SDP_DIR_RECVONLY;
	return SL_SDP_DIR_INACTIVE;
}

enum sl_sdp_dir sl_sdp_dir_answer(enum sl_sdp_dir offered,
				  enum sl_sdp_dir want)
{
	return make_dir(can_recv(offered) && can_send(want),
			can_send(offered) && can_recv(want));
}

enum sl_sdp_dir sl_sdp_dir_effective(enum sl_sdp_dir local,
				     enum sl_sdp_dir remote)
{
	return make_dir(can_send(local) && can_recv(remote),
			can_recv(local) && can_send(remote));
}

/* ---- making an answer ---- */

/* The profiles we run: plain and secure RTP, with or without feedback. */
static int proto_supported(struct sl_slice proto)
{
	return sl_slice_ieq(proto, "RTP/AVP") ||
	       sl_slice_ieq(proto, "RTP/AVPF") ||
	       sl_slice_ieq(proto, "RTP/SAVP") ||
	       sl_slice_ieq(proto, "RTP/SAVPF");
}

static int content_matches(const struct sl_sdp_media *om,
			   const struct sl_sdp_media_cfg *c)
{
	if (!c->content)
		return om->content.len == 0;
	return sl_slice_ieq(om->content, c->content);
}

/*
 * The configuration entry for an offered stream: the first unused one of
 * its type, preferring one whose content matches (so "slides" goes to the
 * screen-sharing entry whatever the m= line order). -1 when none is left.
 */
static int pick_cfg(const struct sl_sdp_media *om,
		    const struct sl_sdp_media_cfg *media, size_t n_media,
		    const int *used, size_t n_used)
{
	int first = -1;

	if (om->type == SL_SDP_MEDIA_OTHER)
		return -1;
	for (size_t j = 0; j < n_media && j < 0x7fffffff; j++) {
		int taken = 0;

		if (media[j].type != om->type)
			continue;
		for (size_t k = 0; k < n_used; k++)
			taken |= used[k] == (int)j;
		if (taken)
			continue;
		if (content_matches(om, &media[j]))
			return (int)j;
		if (first < 0)
			first = (int)j;
	}
	return first;
}

struct pick {
	size_t fmt;                    /* index in the offered m= line */
	const struct sl_sdp_codec *c;  /* our matching codec */
	struct sl_sdp_rtpmap r;        /* the offered format resolved */
};

/* The first offered format with codec @c, not picked already. */
static int find_offered(const struct sl_sdp_media *om,
			const struct sl_sdp_codec *c, const struct pick *picks,
			size_t n_picks, struct sl_sdp_rtpmap *r)
{
	for (size_t k = 0; k < om->n_fmt; k++) {
		int taken = 0;

		if (sl_sdp_fmt_rtpmap(&om->fmt[k], r) != 0 ||
		    !cfg_codec_is(c, r))
			continue;
		for (size_t i = 0; i < n_picks; i++)
			taken |= picks[i].fmt == k;
		if (!taken)
			return (int)k;
	}
	return -1;
}

/*
 * telephone-event: one format, at the clock rate of the codec we answer
 * with (Chrome offers it at 48000 and 8000), else 8000, else the first.
 */
static int pick_te(const struct sl_sdp_media *m, uint32_t clock,
		   struct sl_sdp_rtpmap *out)
{
	int best = -1, rank = 0;

	for (size_t k = 0; k < m->n_fmt; k++) {
		struct sl_sdp_rtpmap r;
		int rk;

		if (sl_sdp_fmt_rtpmap(&m->fmt[k], &r) != 0 || !is_te(r.name))
			continue;
		rk = r.clock_rate == clock ? 3 : r.clock_rate == 8000 ? 2 : 1;
		if (rk > rank) {
			rank = rk;
			best = (int)k;
			*out = r;
		}
	}
	return best;
}

/* Our crypto line for the first offered suite we have (RFC 4568 §7.1.1:
 * the offer lists them in preference order). */
static int pick_crypto(const struct sl_sdp_media *om,
		       const struct sl_sdp_media_cfg *c, size_t *offered)
{
	for (size_t k = 0; k < om->n_crypto; k++)
		for (size_t j = 0; j < c->n_crypto; j++)
			if (sl_slice_ieq2(om->crypto[k].suite,
					  c->crypto[j].suite)) {
				*offered = k;
				return (int)j;
			}
	return -1;
}

static void add_fmt(struct sl_sdp_media *am, const struct sl_sdp_fmt *of,
		    const struct sl_sdp_rtpmap *r,
		    const struct sl_sdp_codec *c)
{
	struct sl_sdp_fmt *f = &am->fmt[am->n_fmt++];

	memset(f, 0, sizeof(*f));
	f->id = of->id;
	f->pt = of->pt;
	f->has_rtpmap = 1;
	/* the offerer's spelling; for a bare static pt, ours */
	f->encoding = of->has_rtpmap ? of->encoding : sl__sdp_str(c->name);
	f->clock_rate = r->clock_rate;
	f->channels = of->has_rtpmap ? of->channels :
		      (uint16_t)(r->channels > 1 ? r->channels : 0);
	if (c->fmtp) {
		f->has_fmtp = 1;
		f->fmtp = sl__sdp_str(c->fmtp);
	}
}

/* Fills the accepted stream @am for offered @om with @c. 1 accepted, 0 no. */
static int answer_stream(struct sl_sdp_media *am,
			 const struct sl_sdp_media *om, enum sl_sdp_dir odir,
			 const struct sl_sdp_media_cfg *c)
{
	struct pick picks[SL_SDP_MAX_FMT];
	size_t n_picks = 0, n_main = 0, off_crypto = 0;
	const struct sl_sdp_codec *te = NULL;
	struct sl_sdp_rtpmap ter;
	int srtp_offer = sl_sdp_media_is_srtp(om), cr = -1, tek;
	uint32_t main_clock = 0;

	if (!proto_supported(om->proto) || !c->codecs ||
	    (c->n_crypto && !c->crypto))
		return 0;
	if (srtp_offer && c->srtp == SL_SDP_SRTP_OFF)
		return 0;
	if (srtp_offer || (c->srtp != SL_SDP_SRTP_OFF && om->n_crypto)) {
		cr = pick_crypto(om, c, &off_crypto);
		if (cr < 0 && srtp_offer)
			return 0;
	}
	if (cr < 0 && c->srtp == SL_SDP_SRTP_MANDATORY)
		return 0;
	for (size_t j = 0; j < c->n_codecs && n_picks < SL_SDP_MAX_FMT; j++) {
		const struct sl_sdp_codec *cc = &c->codecs[j];
		struct sl_sdp_rtpmap r;
		int k;

		if (!cc->name)
			continue;
		if (is_te(sl__sdp_str(cc->name))) {
			if (!te)
				te = cc;
			continue;
		}
		if (c->max_codecs && n_picks >= c->max_codecs)
			continue;
		k = find_offered(om, cc, picks, n_picks, &r);
		if (k < 0)
			continue;
		picks[n_picks].fmt = (size_t)k;
		picks[n_picks].c = cc;
		picks[n_picks].r = r;
		n_picks++;
		n_main += !is_aux(r.name);
	}
	if (n_main == 0)
		return 0;
	for (size_t i = 0; i < n_picks; i++)
		add_fmt(am, &om->fmt[picks[i].fmt], &picks[i].r, picks[i].c);
	for (size_t i = 0; i < n_picks; i++) {
		if (!is_aux(picks[i].r.name)) {
			main_clock = picks[i].r.clock_rate;
			break;
		}
	}
	tek = te ? pick_te(om, main_clock, &ter) : -1;
	if (tek >= 0 && am->n_fmt < SL_SDP_MAX_FMT) {
		/* our fmtp from the entry at that clock rate, if we have one */
		for (size_t j = 0; j < c->n_codecs; j++)
			if (c->codecs[j].name &&
			    is_te(sl__sdp_str(c->codecs[j].name)) &&
			    c->codecs[j].clock_rate == ter.clock_rate)
				te = &c->codecs[j];
		add_fmt(am, &om->fmt[tek], &ter, te);
	}
	am->port = c->port;
	am->ptime = c->ptime;
	am->maxptime = c->maxptime;
	am->dir = sl_sdp_dir_answer(odir, c->dir);
	if (c->rtcp_port) {
		am->has_rtcp = 1;
		am->rtcp_port = c->rtcp_port;
	}
	am->rtcp_mux = om->rtcp_mux && c->rtcp_mux;
	if (cr >= 0) {
		am->crypto[0] = c->crypto[cr];
		am->crypto[0].tag = om->crypto[off_crypto].tag;
		am->n_crypto = 1;
	}
	am->content = om->content;
	return 1;
}

int sl_sdp_answer(struct sl_sdp *answer, const struct sl_sdp *offer,
		  const struct sl_sdp_session_cfg *s,
		  const struct sl_sdp_media_cfg *media, size_t n_media)
{
	int used[SL_SDP_MAX_MEDIA];
	size_t n_used = 0;
	int rc;

	if (!answer || !offer || (n_media && !media) ||
	    offer->n_media > SL_SDP_MAX_MEDIA)
		return SL_EINVAL;
	rc = sl__sdp_session(answer, s);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < offer->n_media; i++) {
		const struct sl_sdp_media *om = &offer->media[i];
		struct sl_sdp_media *am = &answer->media[i];
		int j = -1;

		memset(am, 0, sizeof(*am));
		am->type = om->type;
		am->media = om->media;
		am->proto = om->proto;
		am->attr_first = answer->attr_used;
		am->extra_first = answer->extra_used;
		am->mid = om->mid; /* BUNDLE needs it on rejected lines too */
		answer->n_media++;
		if (om->port != 0 && om->n_fmt <= SL_SDP_MAX_FMT)
			j = pick_cfg(om, media, n_media, used, n_used);
		if (j >= 0 && answer_stream(am, om, sl_sdp_media_dir(offer, i),
					    &media[j])) {
			used[n_used++] = j;
			continue;
		}
		/* rejected (§6): port 0 and one of the offered formats */
		am->n_fmt = 0;
		if (om->n_fmt > 0) {
			am->fmt[0].id = om->fmt[0].id;
			am->fmt[0].pt = om->fmt[0].pt;
			am->n_fmt = 1;
		}
	}
	return (int)n_used;
}

/* ---- checking an answer ---- */

static int fmt_offered(const struct sl_sdp_media *om,
		       const struct sl_sdp_fmt *af, const char **why)
{
	struct sl_sdp_rtpmap ra, ro;
	int k, ra_ok;

	if (!sl_sdp_media_is_rtp(om)) {
		for (size_t i = 0; i < om->n_fmt; i++)
			if (sl__sdp_same(om->fmt[i].id, af->id))
				return 1;
		return 0;
	}
	ra_ok = sl_sdp_fmt_rtpmap(af, &ra) == 0;
	k = sl_sdp_media_find_pt(om, af->pt);
	if (k >= 0) {
		if (ra_ok && sl_sdp_fmt_rtpmap(&om->fmt[k], &ro) == 0 &&
		    !same_codec(&ra, &ro)) {
			*why = "payload type reused for another codec";
			return 0;
		}
		return 1;
	}
	/* a renumbered codec: RFC 3264 §6.1 only says SHOULD keep the pt */
	for (size_t i = 0; ra_ok && i < om->n_fmt; i++)
		if (sl_sdp_fmt_rtpmap(&om->fmt[i], &ro) == 0 &&
		    same_codec(&ra, &ro))
			return 1;
	return 0;
}

static const char *check_stream(const struct sl_sdp *offer,
				const struct sl_sdp *answer, size_t i)
{
	const struct sl_sdp_media *om = &offer->media[i];
	const struct sl_sdp_media *am = &answer->media[i];
	enum sl_sdp_dir od, ad;
	const char *why = NULL;
	int common = 0;

	if (!sl_slice_ieq2(om->media, am->media))
		return "media type differs from the offer";
	if (am->port == 0)
		return NULL;
	if (om->port == 0)
		return "stream offered with port 0 was accepted";
	if (!sl_slice_ieq2(om->proto, am->proto))
		return "transport differs from the offer";
	if (am->n_fmt > SL_SDP_MAX_FMT || om->n_fmt > SL_SDP_MAX_FMT)
		return "too many formats";
	for (size_t k = 0; k < am->n_fmt; k++) {
		common |= fmt_offered(om, &am->fmt[k], &why);
		if (why)
			return why;
	}
	if (!common)
		return "no offered format in the answer";
	od = sl_sdp_media_dir(offer, i);
	ad = sl_sdp_media_dir(answer, i);
	if ((can_send(ad) && !can_recv(od)) || (can_recv(ad) && !can_send(od)))
		return "direction not allowed by the offer";
	if (am->n_crypto > 1)
		return "more than one a=crypto in the answer";
	if (am->n_crypto == 1) {
		int found = 0;

		for (size_t k = 0; k < om->n_crypto && k < SL_SDP_MAX_CRYPTO;
		     k++)
			found |= om->crypto[k].tag == am->crypto[0].tag &&
				 sl_slice_ieq2(om->crypto[k].suite,
					       am->crypto[0].suite);
		if (!found)
			return "a=crypto does not match the offer";
	} else if (sl_sdp_media_is_srtp(om)) {
		return "missing a=crypto";
	}
	return NULL;
}

int sl_sdp_check_answer(const struct sl_sdp *offer,
			const struct sl_sdp *answer, const char **reason)
{
	const char *why = NULL;

	if (!offer || !answer)
		return SL_EINVAL;
	if (offer->n_media > SL_SDP_MAX_MEDIA ||
	    answer->n_media > SL_SDP_MAX_MEDIA)
		why = "too many m= lines";
	else if (offer->n_media != answer->n_media)
		why = "m= line count differs from the offer";
	for (size_t i = 0; !why && i < offer->n_media; i++)
		why = check_stream(offer, answer, i);
	if (reason)
		*reason = why;
	return why ? SL_EPARSE : 0;
}

/* ---- the outcome ---- */

/* The format of @m with codec @r, preferring payload type @pt. */
static int find_codec(const struct sl_sdp_media *m,
		      const struct sl_sdp_rtpmap *r, int pt)
{
	struct sl_sdp_rtpmap x;
	int k = sl_sdp_media_find_pt(m, pt);

	if (k >= 0 && sl_sdp_fmt_rtpmap(&m->fmt[k], &x) == 0 &&
	    same_codec(&x, r))
		return k;
	for (size_t i = 0; i < m->n_fmt; i++)
		if (sl_sdp_fmt_rtpmap(&m->fmt[i], &x) == 0 &&
		    same_codec(&x, r))
			return (int)i;
	return -1;
}

static void remote_addrs(const struct sl_sdp *remote, size_t i,
			 const struct sl_sdp_media *lm,
			 struct sl_sdp_stream *out)
{
	const struct sl_sdp_media *rm = &remote->media[i];
	const struct sl_sdp_conn *c;

	if (sl_sdp_media_conn(remote, i, &c) == 0) {
		out->remote_addr = c->address;
		out->remote_addrtype = c->addrtype;
	}
	out->remote_port = rm->port;
	out->ptime = rm->ptime;
	out->rtcp_mux = lm->rtcp_mux && rm->rtcp_mux;
	out->remote_rtcp_addr = out->remote_addr;
	if (out->rtcp_mux) {
		out->remote_rtcp_port = rm->port;
	} else if (rm->has_rtcp) {
		out->remote_rtcp_port = rm->rtcp_port;
		if (rm->rtcp_addr.present)
			out->remote_rtcp_addr = rm->rtcp_addr.address;
	} else {
		/* RFC 3550 §11: the next port up (0 past 65535: none) */
		out->remote_rtcp_port = (uint16_t)(rm->port + 1u);
	}
}

static void srtp_keys(const struct sl_sdp_media *om,
		      const struct sl_sdp_media *am, int we_offered,
		      struct sl_sdp_stream *out)
{
	if (am->n_crypto < 1 || am->n_crypto > SL_SDP_MAX_CRYPTO)
		return;
	for (size_t k = 0; k < om->n_crypto && k < SL_SDP_MAX_CRYPTO; k++) {
		if (om->crypto[k].tag != am->crypto[0].tag)
			continue;
		out->srtp = 1;
		out->crypto_local = we_offered ? om->crypto[k] : am->crypto[0];
		out->crypto_remote = we_offered ? am->crypto[0] : om->crypto[k];
		return;
	}
}

int sl_sdp_negotiated(const struct sl_sdp *offer, const struct sl_sdp *answer,
		      int we_offered, size_t index, struct sl_sdp_stream *out)
{
	const struct sl_sdp *local, *remote;
	const struct sl_sdp_media *om, *am, *lm, *rm;
	struct sl_sdp_rtpmap r, te;
	int ka = -1, kl, kr;

	if (!offer || !answer || !out)
		return SL_EINVAL;
	memset(out, 0, sizeof(*out));
	out->index = index;
	out->pt_send = out->pt_recv = -1;
	out->te_send_pt = out->te_recv_pt = -1;
	if (index >= offer->n_media || index >= answer->n_media ||
	    index >= SL_SDP_MAX_MEDIA)
		return SL_ENOTFOUND;
	local = we_offered ? offer : answer;
	remote = we_offered ? answer : offer;
	om = &offer->media[index];
	am = &answer->media[index];
	lm = &local->media[index];
	rm = &remote->media[index];
	out->type = om->type;
	out->dir = sl_sdp_dir_effective(sl_sdp_media_dir(local, index),
					sl_sdp_media_dir(remote, index));
	if (om->port == 0 || am->port == 0 || !sl_sdp_media_is_rtp(am) ||
	    am->n_fmt > SL_SDP_MAX_FMT || om->n_fmt > SL_SDP_MAX_FMT)
		return 0;
	/* the answer's first real codec that was offered (§6.1 allows the
	 * answer to list formats the offer did not) */
	for (size_t k = 0; k < am->n_fmt && ka < 0; k++) {
		const char *why = NULL;

		if (sl_sdp_fmt_rtpmap(&am->fmt[k], &r) != 0 ||
		    is_aux(r.name) || !fmt_offered(om, &am->fmt[k], &why))
			continue;
		ka = (int)k;
	}
	if (ka < 0)
		return 0;
	kl = find_codec(lm, &r, am->fmt[ka].pt);
	kr = find_codec(rm, &r, am->fmt[ka].pt);
	if (kl < 0 || kr < 0)
		return 0;
	out->active = 1;
	out->encoding = r.name;
	out->clock_rate = r.clock_rate;
	out->channels = r.channels;
	out->pt_send = rm->fmt[kr].pt;
	out->pt_recv = lm->fmt[kl].pt;
	out->fmtp_send = rm->fmt[kr].fmtp;
	out->fmtp_recv = lm->fmt[kl].fmtp;
	if (pick_te(am, r.clock_rate, &te) >= 0) {
		kl = pick_te(lm, r.clock_rate, &te);
		kr = pick_te(rm, r.clock_rate, &te);
		out->te_send_pt = kr >= 0 ? rm->fmt[kr].pt : -1;
		out->te_recv_pt = kl >= 0 ? lm->fmt[kl].pt : -1;
	}
	remote_addrs(remote, index, lm, out);
	srtp_keys(om, am, we_offered, out);
	return 0;
}
