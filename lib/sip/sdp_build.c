/*
 * lib/sip/sdp_build.c: filling a struct sl_sdp to send: the add functions,
 * our offer from a session and per-stream configuration, and the hold and
 * resume directions (RFC 3264 §5, §8.4; RFC 6337 §5).
 *
 * Owns: nothing; the slices it stores point at the caller's strings.
 * Thread: pure; any thread.
 * Called by: lib/ua when it makes an offer (INVITE, re-INVITE, UPDATE) and
 * by sdp_offer_answer.c for the session lines of an answer.
 */
#include <string.h>

#include "sdp_int.h"
#include "sipline/error.h"
#include "sipline/sdp.h"

void sl_sdp_init(struct sl_sdp *sdp)
{
	if (sdp)
		memset(sdp, 0, sizeof(*sdp));
}

int sl__sdp_session(struct sl_sdp *sdp, const struct sl_sdp_session_cfg *s)
{
	struct sl_slice addrtype;

	if (!sdp || !s || !s->address || !s->address[0])
		return SL_EINVAL;
	sl_sdp_init(sdp);
	addrtype = sl__sdp_str(strchr(s->address, ':') ? "IP6" : "IP4");
	sdp->origin.username = sl__sdp_str(s->username ? s->username : "-");
	sdp->origin.sess_id = sl__sdp_str(s->sess_id ? s->sess_id : "0");
	sdp->origin.sess_version =
		sl__sdp_str(s->sess_version ? s->sess_version : "0");
	sdp->origin.nettype = sl__sdp_str("IN");
	sdp->origin.addrtype = addrtype;
	sdp->origin.address = sl__sdp_str(s->address);
	sdp->name = sl__sdp_str(s->name ? s->name : "-");
	sdp->conn.nettype = sdp->origin.nettype;
	sdp->conn.addrtype = addrtype;
	sdp->conn.address = sdp->origin.address;
	sdp->conn.present = 1;
	return 0;
}

int sl_sdp_add_media(struct sl_sdp *sdp, const char *media, uint16_t port,
		     const char *proto)
{
	struct sl_sdp_media *m;

	if (!sdp || !media || !proto || sdp->n_media > SL_SDP_MAX_MEDIA)
		return SL_EINVAL;
	if (sdp->n_media == SL_SDP_MAX_MEDIA)
		return SL_ELIMIT;
	m = &sdp->media[sdp->n_media];
	memset(m, 0, sizeof(*m));
	m->media = sl__sdp_str(media);
	m->type = sl_sdp_media_type_from(m->media);
	m->port = port;
	m->proto = sl__sdp_str(proto);
	m->attr_first = sdp->attr_used;
	m->extra_first = sdp->extra_used;
	return (int)sdp->n_media++;
}

int sl_sdp_add_codec(struct sl_sdp *sdp, size_t mi,
		     const struct sl_sdp_codec *c)
{
	struct sl_sdp_media *m;
	struct sl_sdp_fmt *f;

	if (!sdp || !c || !c->name || !c->name[0] || c->pt > 127 ||
	    c->clock_rate == 0 || mi >= sdp->n_media ||
	    mi >= SL_SDP_MAX_MEDIA)
		return SL_EINVAL;
	m = &sdp->media[mi];
	if (sl_sdp_media_find_pt(m, c->pt) >= 0)
		return SL_EEXIST;
	if (m->n_fmt >= SL_SDP_MAX_FMT)
		return SL_ELIMIT;
	f = &m->fmt[m->n_fmt];
	memset(f, 0, sizeof(*f));
	f->pt = (int16_t)c->pt;
	f->has_rtpmap = 1;
	f->encoding = sl__sdp_str(c->name);
	f->clock_rate = c->clock_rate;
	f->channels = c->channels > 1 ? c->channels : 0;
	if (c->fmtp) {
		f->has_fmtp = 1;
		f->fmtp = sl__sdp_str(c->fmtp);
	}
	return (int)m->n_fmt++;
}

int sl_sdp_add_attr(struct sl_sdp *sdp, int media, const char *name,
		    const char *value)
{
	size_t pos;

	if (!sdp || !name || !name[0] || media < -1 ||
	    (media >= 0 && (size_t)media >= sdp->n_media) ||
	    sdp->attr_used > SL_SDP_MAX_ATTR)
		return SL_EINVAL;
	if (sdp->attr_used == SL_SDP_MAX_ATTR)
		return SL_ELIMIT;
	pos = media < 0 ? sdp->n_attr :
			  sdp->media[media].attr_first +
				  sdp->media[media].n_attr;
	if (pos > sdp->attr_used)
		return SL_EINVAL;
	/* the pool keeps sections in order: open a slot at the end of this
	 * section and move the later sections up by one */
	memmove(&sdp->attr[pos + 1], &sdp->attr[pos],
		(sdp->attr_used - pos) * sizeof(sdp->attr[0]));
	for (size_t j = (size_t)(media + 1); j < sdp->n_media; j++)
		sdp->media[j].attr_first++;
	sdp->attr[pos].name = sl__sdp_str(name);
	sdp->attr[pos].value = sl__sdp_str(value);
	sdp->attr[pos].has_value = value != NULL;
	sdp->attr_used++;
	if (media < 0)
		sdp->n_attr++;
	else
		sdp->media[media].n_attr++;
	return 0;
}

int sl_sdp_add_crypto(struct sl_sdp *sdp, size_t mi,
		      const struct sl_sdp_crypto *c)
{
	struct sl_sdp_media *m;

	if (!sdp || !c || c->tag == 0 || c->tag > 999999999 ||
	    c->suite.len == 0 || c->key_params.len == 0 ||
	    mi >= sdp->n_media || mi >= SL_SDP_MAX_MEDIA)
		return SL_EINVAL;
	m = &sdp->media[mi];
	if (m->n_crypto >= SL_SDP_MAX_CRYPTO)
		return SL_ELIMIT;
	m->crypto[m->n_crypto++] = *c;
	return 0;
}

static int offer_stream(struct sl_sdp *sdp, const struct sl_sdp_media_cfg *c)
{
	struct sl_sdp_media *m;
	const char *proto = c->proto;
	int mi, rc;

	if (c->type == SL_SDP_MEDIA_OTHER || !c->codecs || c->n_codecs == 0 ||
	    (c->n_crypto && !c->crypto))
		return SL_EINVAL;
	if (!proto)
		proto = c->srtp == SL_SDP_SRTP_MANDATORY ? "RTP/SAVP" :
							   "RTP/AVP";
	mi = sl_sdp_add_media(sdp, sl_sdp_media_type_name(c->type), c->port,
			      proto);
	if (mi < 0)
		return mi;
	for (size_t i = 0; i < c->n_codecs; i++) {
		rc = sl_sdp_add_codec(sdp, (size_t)mi, &c->codecs[i]);
		if (rc == SL_EEXIST)
			return SL_EINVAL;
		if (rc < 0)
			return rc;
	}
	m = &sdp->media[mi];
	m->ptime = c->ptime;
	m->maxptime = c->maxptime;
	m->dir = c->dir == SL_SDP_DIR_NONE ? SL_SDP_DIR_SENDRECV : c->dir;
	if (c->rtcp_port) {
		m->has_rtcp = 1;
		m->rtcp_port = c->rtcp_port;
	}
	m->rtcp_mux = c->rtcp_mux != 0;
	if (c->srtp != SL_SDP_SRTP_OFF) {
		for (size_t i = 0; i < c->n_crypto; i++) {
			rc = sl_sdp_add_crypto(sdp, (size_t)mi, &c->crypto[i]);
			if (rc < 0)
				return rc;
		}
	}
	m->content = sl__sdp_str(c->content);
	m->mid = sl__sdp_str(c->mid);
	return 0;
}

int sl_sdp_build_offer(struct sl_sdp *sdp, const struct sl_sdp_session_cfg *s,
		       const struct sl_sdp_media_cfg *media, size_t n_media)
{
	int rc;

	if (!sdp || (n_media && !media))
		return SL_EINVAL;
	rc = sl__sdp_session(sdp, s);
	if (rc < 0)
		return rc;
	if (n_media > SL_SDP_MAX_MEDIA)
		return SL_ELIMIT;
	for (size_t i = 0; i < n_media; i++) {
		rc = offer_stream(sdp, &media[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

enum sl_sdp_dir sl_sdp_hold_dir(enum sl_sdp_dir remote)
{
	/* RFC 6337 §5.3: if the peer already holds us (it only sends, or
	 * nothing flows), our hold leaves nothing flowing at all */
	if (remote == SL_SDP_DIR_SENDONLY || remote == SL_SDP_DIR_INACTIVE)
		return SL_SDP_DIR_INACTIVE;
	return SL_SDP_DIR_SENDONLY;
}

int sl_sdp_hold(struct sl_sdp *local, const struct sl_sdp *remote)
{
	if (!local || local->n_media > SL_SDP_MAX_MEDIA)
		return SL_EINVAL;
	local->dir = SL_SDP_DIR_NONE;
	for (size_t i = 0; i < local->n_media; i++) {
		enum sl_sdp_dir r = SL_SDP_DIR_NONE;

		if (local->media[i].port == 0)
			continue;
		if (remote && i < remote->n_media)
			r = sl_sdp_media_dir(remote, i);
		local->media[i].dir = sl_sdp_hold_dir(r);
	}
	return 0;
}

int sl_sdp_resume(struct sl_sdp *local)
{
	if (!local || local->n_media > SL_SDP_MAX_MEDIA)
		return SL_EINVAL;
	local->dir = SL_SDP_DIR_NONE;
	for (size_t i = 0; i < local->n_media; i++)
		if (local->media[i].port != 0)
			local->media[i].dir = SL_SDP_DIR_SENDRECV;
	return 0;
}
