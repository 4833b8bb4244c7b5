/*
 * lib/sip/sdp_util.c: the read accessors of sipline/sdp.h over a parsed or
 * built struct sl_sdp (effective direction and connection, attribute
 * lookup, proto classes, names of enums).
 *
 * Owns: nothing. Thread: pure; any thread.
 * Called by: lib/ua, the other SDP files, tools.
 */
#include <string.h>

#include "scan.h"
#include "sdp_int.h"
#include "sipline/error.h"
#include "sipline/sdp.h"

enum sl_sdp_dir sl_sdp_media_dir(const struct sl_sdp *sdp, size_t i)
{
	if (!sdp || i >= sdp->n_media || i >= SL_SDP_MAX_MEDIA)
		return SL_SDP_DIR_INACTIVE;
	if (sdp->media[i].dir != SL_SDP_DIR_NONE)
		return sdp->media[i].dir;
	if (sdp->dir != SL_SDP_DIR_NONE)
		return sdp->dir;
	return SL_SDP_DIR_SENDRECV;
}

int sl_sdp_media_conn(const struct sl_sdp *sdp, size_t i,
		      const struct sl_sdp_conn **out)
{
	if (!sdp || !out || i >= sdp->n_media || i >= SL_SDP_MAX_MEDIA)
		return SL_EINVAL;
	if (sdp->media[i].conn.present)
		*out = &sdp->media[i].conn;
	else if (sdp->conn.present)
		*out = &sdp->conn;
	else
		return SL_ENOTFOUND;
	return 0;
}

int sl_sdp_attr_find(const struct sl_sdp *sdp, int media, const char *name,
		     size_t from, struct sl_slice *value)
{
	size_t first, n;

	if (!sdp || !name || media < -1 ||
	    (media >= 0 && (size_t)media >= sdp->n_media))
		return SL_EINVAL;
	if (media < 0) {
		first = 0;
		n = sdp->n_attr;
	} else {
		first = sdp->media[media].attr_first;
		n = sdp->media[media].n_attr;
	}
	if (first > SL_SDP_MAX_ATTR || n > SL_SDP_MAX_ATTR - first)
		return SL_EINVAL;
	for (size_t i = from; i < n; i++) {
		const struct sl_sdp_attr *a = &sdp->attr[first + i];

		if (sl_slice_ieq(a->name, name)) {
			if (value)
				*value = a->value;
			return i > 0x7fffffff ? SL_ELIMIT : (int)i;
		}
	}
	return SL_ENOTFOUND;
}

/* 1 when one of the '/'-separated parts of @proto equals @part. */
static int proto_has(struct sl_slice proto, const char *part, int last)
{
	const char *p = proto.p, *end = proto.p + proto.len;

	while (p < end) {
		const char *q = memchr(p, '/', (size_t)(end - p));
		const char *e = q ? q : end;

		if ((!last || !q) && sl_slice_ieq(sl__slice(p, e), part))
			return 1;
		p = q ? q + 1 : end;
	}
	return 0;
}

int sl_sdp_media_is_rtp(const struct sl_sdp_media *m)
{
	return m && proto_has(m->proto, "RTP", 0);
}

int sl_sdp_media_is_srtp(const struct sl_sdp_media *m)
{
	return sl_sdp_media_is_rtp(m) && (proto_has(m->proto, "SAVP", 1) ||
					  proto_has(m->proto, "SAVPF", 1));
}

int sl_sdp_media_find_pt(const struct sl_sdp_media *m, int pt)
{
	if (!m || pt < 0)
		return SL_ENOTFOUND;
	for (size_t i = 0; i < m->n_fmt && i < SL_SDP_MAX_FMT; i++)
		if (m->fmt[i].pt == pt)
			return (int)i;
	return SL_ENOTFOUND;
}

const char *sl_sdp_dir_name(enum sl_sdp_dir dir)
{
	switch (dir) {
	case SL_SDP_DIR_SENDRECV:
		return "sendrecv";
	case SL_SDP_DIR_SENDONLY:
		return "sendonly";
	case SL_SDP_DIR_RECVONLY:
		return "recvonly";
	case SL_SDP_DIR_INACTIVE:
		return "inactive";
	default:
		return "";
	}
}

static const char *const media_names[] = {
	"", "audio", "video", "text", "application", "message", "image"
};

const char *sl_sdp_media_type_name(enum sl_sdp_media_type type)
{
	if ((unsigned)type >= sizeof(media_names) / sizeof(media_names[0]))
		return "";
	return media_names[type];
}

enum sl_sdp_media_type sl_sdp_media_type_from(struct sl_slice token)
{
	for (size_t i = 1; i < sizeof(media_names) / sizeof(media_names[0]);
	     i++)
		if (sl_slice_ieq(token, media_names[i]))
			return (enum sl_sdp_media_type)i;
	return SL_SDP_MEDIA_OTHER;
}
