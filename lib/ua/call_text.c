/*
 * lib/ua/call_text.c: the variable-size parts of a line - who the call
 * is with (URIs, display names, Call-ID, callee), the TLS name of its
 * target, its session descriptions and its call instance data - kept in
 * blocks of one store (lib/core/blocks.h) instead of arrays sized for the
 * worst case in every line.
 *
 * A line then costs what its call holds: a few hundred bytes of names and
 * two descriptions of a few hundred bytes, where fixed arrays took 12 KiB
 * whatever the call. The store is reserved at creation for every line at
 * its largest (plus a quarter against fragmentation): address space, not
 * resident memory, so no call is refused for lack of text space that a
 * fixed layout would have had. Exhaustion stays an ordinary SL_ENOMEM.
 *
 * Owns: struct sl_calls @blocks and the blocks its lines hold.
 * Thread: the SIP loop thread.
 * Called by: call.c (creation, line reset), call_in.c, call_out.c,
 * call_api.c, call_media.c (every write of a line's text).
 */
#include <string.h>

#include "call_int.h"
#include "core/blocks.h"
#include "core/log.h"

/* What an unset text points at: never written (its capacity is 0). */
static char empty[1];

/* The most each text may hold, NUL included for the strings. */
static const size_t limit[SL_LT__COUNT] = {
	[SL_LT_CALLEE] = SL_UA_URI_MAX,
	[SL_LT_CALL_ID] = SL_UA_CALL_ID_MAX + 32,
	[SL_LT_PEER] = SL_UA_URI_MAX,
	[SL_LT_PEER_DISPLAY] = SL_CALL_NAME_MAX,
	[SL_LT_LOCAL] = SL_UA_URI_MAX,
	[SL_LT_LOCAL_DISPLAY] = SL_CALL_NAME_MAX,
	[SL_LT_TLS_NAME] = SL_ROUTE_NAME_MAX,
	[SL_LT_LOCAL_SDP] = SL_CALL_SDP_MAX + 1,
	[SL_LT_REMOTE_SDP] = SL_CALL_SDP_MAX + 1,
	[SL_LT_IDATA] = SL_CALL_IDATA_MAX + 1
};

enum {
	/* A line at its largest: every text full, plus two digest copies
	 * of requests (call.c). */
	LINE_WORST = SL_UA_URI_MAX * 3 + SL_UA_CALL_ID_MAX + 32 +
		     SL_CALL_NAME_MAX * 2 + SL_ROUTE_NAME_MAX +
		     2 * (SL_CALL_SDP_MAX + SL_BLOCK_UNIT) +
		     SL_CALL_IDATA_MAX + SL_BLOCK_UNIT +
		     2 * SL_UA_REQ_COPY_MAX,
	EXTRA_COPIES = 16,            /* out-of-dialog requests' copies */
	BLOCK_MAX = SL_UA_REQ_COPY_MAX > SL_CALL_SDP_MAX + 1 ?
		    SL_UA_REQ_COPY_MAX : SL_CALL_SDP_MAX + SL_BLOCK_UNIT
};

int sl__line_text_create(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;
	size_t reserve = (size_t)c->n_lines * LINE_WORST / 4 * 5 +
			 EXTRA_COPIES * (size_t)SL_UA_REQ_COPY_MAX;

	return sl__blocks_create(&c->blocks, reserve, BLOCK_MAX) < 0 ?
	       SL_ENOMEM : 0;
}

void sl__line_text_destroy(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;

	sl__blocks_destroy(c->blocks);
	c->blocks = NULL;
}

/* The field of text @which, and its length when it has one. */
static char **field(struct sl_line *ln, enum sl_line_text which,
		    size_t **len)
{
	*len = NULL;
	switch (which) {
	case SL_LT_CALLEE:
		return &ln->callee;
	case SL_LT_CALL_ID:
		return &ln->call_id;
	case SL_LT_PEER:
		return &ln->peer;
	case SL_LT_PEER_DISPLAY:
		return &ln->peer_display;
	case SL_LT_LOCAL:
		return &ln->local;
	case SL_LT_LOCAL_DISPLAY:
		return &ln->local_display;
	case SL_LT_TLS_NAME:
		return (char **)&ln->target.tls_name;
	case SL_LT_LOCAL_SDP:
		*len = &ln->local_len;
		return &ln->local_sdp;
	case SL_LT_REMOTE_SDP:
		*len = &ln->remote_len;
		return &ln->remote_sdp;
	case SL_LT_IDATA:
		*len = &ln->idata_len;
		return (char **)&ln->idata;
	default:
		return NULL;
	}
}

void sl__line_text_init(struct sl_line *ln)
{
	for (int i = 0; i < SL_LT__COUNT; i++) {
		size_t *len;
		char **f = field(ln, (enum sl_line_text)i, &len);

		*f = empty;
		if (len)
			*len = 0;
		ln->text_cap[i] = 0;
	}
	/* No TLS name is NULL for the transport, not "". */
	ln->target.tls_name = NULL;
}

void sl__line_text_free(struct sl_line *ln)
{
	struct sl_calls *c = ln->ua ? ln->ua->calls : NULL;

	for (int i = 0; i < SL_LT__COUNT; i++) {
		size_t *len;
		char **f = field(ln, (enum sl_line_text)i, &len);

		if (ln->text_cap[i] && c)
			sl__blocks_put(c->blocks, *f, ln->text_cap[i]);
		ln->text_cap[i] = 0;
	}
	sl__line_text_init(ln);
}

int sl__line_text_set(struct sl_ua *ua, struct sl_line *ln,
		      enum sl_line_text which, const void *p, size_t len)
{
	struct sl_calls *c = ua->calls;
	size_t *lenp;
	char **f;
	void *blk;
	int cap;

	if ((unsigned)which >= SL_LT__COUNT || (len && !p))
		return SL_EINVAL;
	f = field(ln, which, &lenp);
	if (len + 1 > limit[which])
		return SL_ETOOBIG;
	if (!len) {
		if (ln->text_cap[which])
			sl__blocks_put(c->blocks, *f, ln->text_cap[which]);
		ln->text_cap[which] = 0;
		*f = which == SL_LT_TLS_NAME ? NULL : empty;
		if (lenp)
			*lenp = 0;
		return 0;
	}
	if (len + 1 > ln->text_cap[which]) {
		/* The new block first: @p may lie in the old one, and a
		 * failure must leave the old text in place. */
		cap = sl__blocks_get(c->blocks, len + 1, &blk);
		if (cap < 0) {
			sl_log_warn(SL_CALL_LOG, "line %u: no room for %zu "
				    "bytes of call state", ln->idx, len);
			return SL_ENOMEM;
		}
		memcpy(blk, p, len);
		if (ln->text_cap[which])
			sl__blocks_put(c->blocks, *f, ln->text_cap[which]);
		ln->text_cap[which] = (uint16_t)cap;
		*f = blk;
	} else {
		memmove(*f, p, len);
	}
	(*f)[len] = '\0';
	if (lenp)
		*lenp = len;
	return 0;
}

int sl__line_text_str(struct sl_ua *ua, struct sl_line *ln,
		      enum sl_line_text which, const char *s)
{
	return sl__line_text_set(ua, ln, which, s, s ? strlen(s) : 0);
}

int sl__line_target_set(struct sl_ua *ua, struct sl_line *ln,
			const struct sl_route_target *tg)
{
	ln->target.tp = tg->tp;
	ln->target.addr = tg->addr;
	ln->target.flow = tg->flow;
	ln->have_target = 1;
	/* RFC 5922: the name a TLS server's certificate must carry. */
	return sl__line_text_str(ua, ln, SL_LT_TLS_NAME,
				 tg->tp == SL_TP_TLS ? tg->tls_name : NULL);
}

void sl__line_target_get(const struct sl_line *ln,
			 struct sl_route_target *out)
{
	memset(out, 0, sizeof(*out));
	out->tp = ln->target.tp;
	out->addr = ln->target.addr;
	out->flow = ln->target.flow;
	if (ln->target.tls_name) {
		size_t n = strlen(ln->target.tls_name);

		if (n >= sizeof(out->tls_name))
			n = sizeof(out->tls_name) - 1;
		memcpy(out->tls_name, ln->target.tls_name, n);
		memcpy(out->name, ln->target.tls_name, n);
	}
}
