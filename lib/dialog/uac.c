/*
 * lib/dialog/uac.c: the UAC side of dialog creation (RFC 3261 §12.1.2,
 * §13.2.2.4; RFC 6026 §8.4; RFC 6228; RFC 6665 §4.1.2.4): dialog sets,
 * early and confirmed dialogs made from the responses to a set's request,
 * forking, and a NOTIFY that arrives before its SUBSCRIBE's 2xx.
 *
 * Owns: nothing beyond the slots it fills (table.c owns the pool).
 * Thread: the SIP loop thread only.
 * Called by: the UA (sl__dlg_uac_create(), sl__dlg_uac_response()); rx.c
 * (sl__dlg_uac_notify()).
 *
 * Forking (§13.2.2.4): each To tag is its own dialog. For an INVITE the
 * first 2xx confirms its dialog (made on the spot when no 1xx came with
 * that tag) and ends every other early dialog of the set, as a phone
 * keeps one call; a 2xx with yet another tag afterwards still makes a
 * confirmed dialog, flagged FORKED, since the UA must ACK every 2xx and
 * then end that dialog with a BYE. A SUBSCRIBE or REFER may make several
 * dialogs (one per notifier), so their 2xx never end the others.
 */
#include <string.h>

#include "dialog_int.h"

/* A Call-ID we choose: 32 characters from the layer's generator, 190
 * bits, unique without a host part (§8.1.1.4). */
enum { CALL_ID_LEN = 32 };

int sl__dlg_uac_create(struct sl_dlg_table *t,
		       const struct sl_dlg_uac_params *p, uint32_t *set)
{
	char call_id[CALL_ID_LEN + 1], tag[24];
	struct sl_dlg_vals v;
	enum sl_method m = SL_METHOD_INVITE;
	struct sl_dlg *d;
	int rc;

	if (set)
		*set = 0;
	if (!t || !p || !set || !p->local_uri || !p->remote_uri ||
	    !p->contact || (p->n_routes && !p->routes) ||
	    p->n_routes > t->cfg.max_routes || p->cseq >= (1u << 31))
		return SL_EINVAL;
	if (p->method)
		m = sl_method_from_name(p->method, strlen(p->method));
	if (m != SL_METHOD_INVITE && m != SL_METHOD_SUBSCRIBE &&
	    m != SL_METHOD_REFER)
		return SL_EINVAL;
	memset(&v, 0, sizeof(v));
	for (unsigned i = 0; i < p->n_routes; i++) {
		if (!p->routes[i])
			return SL_EINVAL;
		t->route_src[i].p = p->routes[i];
		t->route_src[i].len = strlen(p->routes[i]);
	}
	if (p->call_id) {
		v.s[SL_DLG_S_CALL_ID].p = p->call_id;
		v.s[SL_DLG_S_CALL_ID].len = strlen(p->call_id);
	} else {
		sl__txn_tag(t->txn, call_id, sizeof(call_id));
		sl__txn_tag(t->txn, call_id + 16, sizeof(call_id) - 16);
		v.s[SL_DLG_S_CALL_ID].p = call_id;
		v.s[SL_DLG_S_CALL_ID].len = CALL_ID_LEN;
	}
	if (p->local_tag) {
		v.s[SL_DLG_S_LOCAL_TAG].p = p->local_tag;
		v.s[SL_DLG_S_LOCAL_TAG].len = strlen(p->local_tag);
	} else {
		rc = sl__txn_tag(t->txn, tag, sizeof(tag));
		v.s[SL_DLG_S_LOCAL_TAG].p = tag;
		v.s[SL_DLG_S_LOCAL_TAG].len = rc > 0 ? (size_t)rc : 0;
	}
	if (!v.s[SL_DLG_S_CALL_ID].len || !v.s[SL_DLG_S_LOCAL_TAG].len)
		return SL_EINVAL;
	v.s[SL_DLG_S_LOCAL_URI].p = p->local_uri;
	v.s[SL_DLG_S_LOCAL_URI].len = strlen(p->local_uri);
	if (p->local_display) {
		v.s[SL_DLG_S_LOCAL_DISPLAY].p = p->local_display;
		v.s[SL_DLG_S_LOCAL_DISPLAY].len = strlen(p->local_display);
	}
	v.s[SL_DLG_S_REMOTE_URI].p = p->remote_uri;
	v.s[SL_DLG_S_REMOTE_URI].len = strlen(p->remote_uri);
	if (p->remote_display) {
		v.s[SL_DLG_S_REMOTE_DISPLAY].p = p->remote_display;
		v.s[SL_DLG_S_REMOTE_DISPLAY].len = strlen(p->remote_display);
	}
	v.s[SL_DLG_S_TARGET].p = p->target ? p->target : p->remote_uri;
	v.s[SL_DLG_S_TARGET].len = strlen(v.s[SL_DLG_S_TARGET].p);
	v.s[SL_DLG_S_CONTACT].p = p->contact;
	v.s[SL_DLG_S_CONTACT].len = strlen(p->contact);
	v.routes = t->route_src;
	v.n_routes = p->n_routes;

	d = sl__dlg_alloc(t);
	if (!d)
		return SL_ENOMEM;
	rc = sl__dlg_store(d, &v);
	if (rc < 0) {
		sl__dlg_free(d);
		return rc;
	}
	d->state = SL_DLG_STATE_SET;
	d->method = (uint8_t)m;
	d->flags = SL_DLG_F_UAC;
	if (p->flags & SL_DLG_UAC_SECURE)
		d->flags |= SL_DLG_F_SECURE;
	/* The first request built takes local_cseq + 1 (§8.1.1.5). */
	d->local_cseq = p->cseq ? p->cseq - 1 : 0;
	/* In the key hash so a NOTIFY racing its SUBSCRIBE's 2xx finds it. */
	sl__dlg_hash_insert(d);
	*set = d->id;
	sl_log_debug(SL_DLG_LOG, "%08x set for %s", (unsigned)d->id,
		     sl_method_name(m));
	return 0;
}

/* ---- dialogs from responses ---- */

/* Replaces @v's remote target with @m's Contact when it has a usable one.
 * Return: 1 replaced, 0 none, SL_EPARSE unusable. */
static int take_contact(const struct sl_msg *m, struct sl_dlg_vals *v)
{
	struct sl_slice uri;
	int rc = sl__dlg_msg_contact(m, &uri);

	if (rc == SL_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	v->s[SL_DLG_S_TARGET] = uri;
	return 1;
}

/*
 * Makes a dialog in @state from response @m to set @s's request (@s NULL:
 * the set is gone, everything comes from the response) (§12.1.2).
 */
static int make_dialog(struct sl_dlg_table *t, struct sl_dlg *s,
		       const struct sl_msg *m, enum sl_dlg_state state,
		       struct sl_dlg **out)
{
	enum sl_method method = sl_method_from_name(m->cseq.method.p,
						    m->cseq.method.len);
	struct sl_dlg_vals v;
	struct sl_dlg *d;
	int rc, n;

	if (s) {
		sl__dlg_vals_of(s, &v);
	} else {
		memset(&v, 0, sizeof(v));
		v.s[SL_DLG_S_LOCAL_URI] = m->from.uri_text;
		v.s[SL_DLG_S_LOCAL_DISPLAY] = m->from.display;
		v.display |= 1u << SL_DLG_S_LOCAL_DISPLAY;
	}
	v.s[SL_DLG_S_CALL_ID] = m->call_id;
	v.s[SL_DLG_S_LOCAL_TAG] = m->from.tag;
	v.s[SL_DLG_S_REMOTE_TAG] = m->to.tag;
	v.s[SL_DLG_S_REMOTE_URI] = m->to.uri_text;
	v.s[SL_DLG_S_REMOTE_DISPLAY] = m->to.display;
	v.display |= 1u << SL_DLG_S_REMOTE_DISPLAY;
	/* The remote target is the Contact (§12.1.2). A 2xx must have one;
	 * a 1xx without one keeps the Request-URI until a later one. */
	rc = take_contact(m, &v);
	if (rc < 0 || (rc == 0 && (m->status >= 200 || !s)))
		return SL_EINVAL;
	/* §12.1.2: the route set is the Record-Route in reverse order, and
	 * empty without one, preloaded routes or not. */
	n = sl__dlg_msg_record_route(t, m, 1);
	if (n < 0)
		return n == SL_EPARSE ? SL_EINVAL : n;
	v.routes = t->route_src;
	v.n_routes = (unsigned)n;

	d = sl__dlg_alloc(t);
	if (!d)
		return SL_ENOMEM;
	rc = sl__dlg_store(d, &v);
	if (rc < 0) {
		sl__dlg_free(d);
		return rc;
	}
	d->state = (uint8_t)state;
	d->method = (uint8_t)method;
	d->set = s ? s->id : 0;
	d->user = s ? s->user : 0;
	d->flags = SL_DLG_F_UAC | (s ? (s->flags & SL_DLG_F_SECURE) : 0);
	/* §12.1.2: the local sequence number is the request's. */
	d->local_cseq = m->cseq.seq;
	if (method == SL_METHOD_INVITE) {
		d->flags |= SL_DLG_F_INVITE_USAGE;
		d->invite_cseq = m->cseq.seq;
		/* Early: our INVITE has no final response yet (§14). */
		if (state == SL_DLG_STATE_EARLY)
			d->pending_invite = m->cseq.seq;
	} else {
		d->sub_usages = 1;
	}
	sl__dlg_hash_insert(d);
	sl_log_debug(SL_DLG_LOG, "%08x %s from a %d (set %08x)",
		     (unsigned)d->id, sl__dlg_state_name(state), m->status,
		     (unsigned)d->set);
	*out = d;
	return 0;
}

/* §13.2.2.4: an early dialog's 2xx confirms it; the route set and remote
 * target are taken again from the 2xx. */
static int confirm(struct sl_dlg_table *t, struct sl_dlg *d,
		   const struct sl_msg *m)
{
	struct sl_dlg_vals v;
	int rc, n;

	sl__dlg_vals_of(d, &v);
	rc = take_contact(m, &v);
	if (rc <= 0)
		return SL_EINVAL;
	n = sl__dlg_msg_record_route(t, m, 1);
	if (n < 0)
		return n == SL_EPARSE ? SL_EINVAL : n;
	v.routes = t->route_src;
	v.n_routes = (unsigned)n;
	rc = sl__dlg_store(d, &v);
	if (rc < 0)
		return rc;
	d->state = SL_DLG_STATE_CONFIRMED;
	d->invite_cseq = m->cseq.seq;
	d->pending_invite = 0;
	return 0;
}

/* Ends, one at a time, every early dialog of set @set but @keep. Each end
 * makes a callback that may change the table, so the bucket is searched
 * again after each. */
static void end_early(struct sl_dlg_table *t, uint32_t set,
		      struct sl_slice call_id, struct sl_slice ltag,
		      uint32_t keep, enum sl_dlg_end why, int status)
{
	for (uint32_t guard = 0; guard <= t->n_slots; guard++) {
		struct sl_dlg *d = NULL;

		while ((d = sl__dlg_key_next(t, call_id, ltag, d)) != NULL)
			if (d->set == set && d->id != keep &&
			    d->state == SL_DLG_STATE_EARLY)
				break;
		if (!d)
			return;
		sl__dlg_end(d, why, status);
	}
}

/* The set's checks: same Call-ID, our tag in From, the set's method. */
static int matches_set(const struct sl_dlg *s, const struct sl_msg *m)
{
	struct sl_slice cid = sl__dlg_str(s, SL_DLG_S_CALL_ID);
	struct sl_slice tag = sl__dlg_str(s, SL_DLG_S_LOCAL_TAG);

	return s->state == SL_DLG_STATE_SET &&
	       m->call_id.len == cid.len &&
	       memcmp(m->call_id.p, cid.p, cid.len) == 0 &&
	       m->from.tag.len == tag.len &&
	       memcmp(m->from.tag.p, tag.p, tag.len) == 0 &&
	       sl_method_from_name(m->cseq.method.p, m->cseq.method.len) ==
	       (enum sl_method)s->method;
}

static int provisional(struct sl_dlg_table *t, struct sl_dlg *s,
		       const struct sl_msg *m, enum sl_method method,
		       uint32_t *id)
{
	struct sl_dlg *d;
	struct sl_dlg_vals v;
	int rc;

	/* §12.1: only a 101-199 with a To tag to an INVITE makes one. */
	if (m->status == 100 || !m->to.tag.len || method != SL_METHOD_INVITE)
		return SL_DLG_UAC_NONE;
	d = sl__dlg_lookup(t, m->call_id, m->from.tag, m->to.tag);
	if (d) {
		if (d->state != SL_DLG_STATE_EARLY)
			return SL_DLG_UAC_NONE;     /* a late 1xx */
		*id = d->id;
		if (m->status == 199) {
			/* RFC 6228 §8: this fork is gone. */
			sl__dlg_end(d, SL_DLG_END_EARLY_ENDED, 199);
			return SL_DLG_UAC_EARLY_ENDED;
		}
		sl__dlg_vals_of(d, &v);
		if (take_contact(m, &v) == 1) {
			rc = sl__dlg_store(d, &v);
			if (rc < 0)
				return rc;
		}
		return SL_DLG_UAC_EARLY;
	}
	/* After the first 2xx the other forks' early dialogs are over. */
	if (!s || (s->flags & SL_DLG_F_SET_CONFIRMED) || m->status == 199)
		return SL_DLG_UAC_NONE;
	rc = make_dialog(t, s, m, SL_DLG_STATE_EARLY, &d);
	if (rc < 0)
		return rc;
	*id = d->id;
	return SL_DLG_UAC_EARLY_NEW;
}

static int success(struct sl_dlg_table *t, struct sl_dlg *s,
		   const struct sl_msg *m, enum sl_method method,
		   uint32_t *id)
{
	struct sl_dlg *d;
	uint32_t set;
	int rc;

	if (!m->to.tag.len)
		return SL_EINVAL;
	d = sl__dlg_lookup(t, m->call_id, m->from.tag, m->to.tag);
	if (d && d->state == SL_DLG_STATE_CONFIRMED) {
		*id = d->id;
		/* §13.2.2.4: every 2xx of an INVITE gets its ACK again. */
		return method == SL_METHOD_INVITE ? SL_DLG_UAC_RETRANSMIT :
			SL_DLG_UAC_CONFIRMED;
	}
	if (method != SL_METHOD_INVITE) {
		/* RFC 6665 §4.1.2.4: each notifier is a dialog of its own. */
		rc = make_dialog(t, s, m, SL_DLG_STATE_CONFIRMED, &d);
		if (rc < 0)
			return rc;
		*id = d->id;
		return SL_DLG_UAC_CONFIRMED;
	}
	if (d)
		rc = confirm(t, d, m);
	else
		rc = make_dialog(t, s, m, SL_DLG_STATE_CONFIRMED, &d);
	if (rc < 0)
		return rc;
	*id = d->id;
	if (!s || (s->flags & SL_DLG_F_SET_CONFIRMED)) {
		/* §13.2.2.4: ACK it, then BYE it; the call is elsewhere. */
		d->flags |= SL_DLG_F_FORKED;
		sl_log_info(SL_DLG_LOG, "%08x: 2xx from another fork",
			    (unsigned)d->id);
		return SL_DLG_UAC_FORKED;
	}
	s->flags |= SL_DLG_F_SET_CONFIRMED;
	set = s->id;
	end_early(t, set, m->call_id, m->from.tag, d->id,
		  SL_DLG_END_FORK_LOST, 0);
	return SL_DLG_UAC_CONFIRMED;
}

int sl__dlg_uac_response(struct sl_dlg_table *t, uint32_t set,
			 const struct sl_rxbuf *rx, uint32_t *id)
{
	const struct sl_msg *m;
	enum sl_method method;
	struct sl_dlg *s = NULL;

	if (id)
		*id = 0;
	if (!t || !rx || !id || rx->msg.is_request)
		return SL_EINVAL;
	m = &rx->msg;
	method = sl_method_from_name(m->cseq.method.p, m->cseq.method.len);
	if (set) {
		s = sl__dlg_get(t, set);
		if (!s)
			return SL_ENOTFOUND;
		if (!matches_set(s, m))
			return SL_EINVAL;
	} else if (method != SL_METHOD_INVITE &&
		   method != SL_METHOD_SUBSCRIBE &&
		   method != SL_METHOD_REFER) {
		return SL_EINVAL;
	}
	if (m->status < 200)
		return provisional(t, s, m, method, id);
	if (m->status < 300)
		return success(t, s, m, method, id);
	if (!s)
		return SL_DLG_UAC_NONE;
	/* §12.3: a non-2xx final response ends the early dialogs. */
	end_early(t, set, m->call_id, m->from.tag, 0, SL_DLG_END_REJECTED,
		  m->status);
	return SL_DLG_UAC_FAILED;
}

/* ---- a NOTIFY before the 2xx (RFC 6665 §4.1.2.4) ---- */

struct sl_dlg *sl__dlg_uac_notify(struct sl_dlg_table *t,
				  const struct sl_msg *m, int *err)
{
	struct sl_dlg *s = NULL, *d;
	struct sl_dlg_vals v;
	int rc, n;

	*err = 0;
	while ((s = sl__dlg_key_next(t, m->call_id, m->to.tag, s)) != NULL)
		if (s->state == SL_DLG_STATE_SET &&
		    (s->method == SL_METHOD_SUBSCRIBE ||
		     s->method == SL_METHOD_REFER))
			break;
	if (!s)
		return NULL;
	sl__dlg_vals_of(s, &v);
	v.s[SL_DLG_S_REMOTE_TAG] = m->from.tag;
	v.s[SL_DLG_S_REMOTE_URI] = m->from.uri_text;
	v.s[SL_DLG_S_REMOTE_DISPLAY] = m->from.display;
	v.display |= 1u << SL_DLG_S_REMOTE_DISPLAY;
	rc = take_contact(m, &v);
	if (rc <= 0) {
		*err = SL_EPARSE;
		return NULL;
	}
	/* A request we receive: its Record-Route in order, as a UAS takes
	 * it (§12.1.1). */
	n = sl__dlg_msg_record_route(t, m, 0);
	if (n < 0) {
		*err = n;
		return NULL;
	}
	v.routes = t->route_src;
	v.n_routes = (unsigned)n;
	d = sl__dlg_alloc(t);
	if (!d) {
		*err = SL_ENOMEM;
		return NULL;
	}
	rc = sl__dlg_store(d, &v);
	if (rc < 0) {
		sl__dlg_free(d);
		*err = rc;
		return NULL;
	}
	d->state = SL_DLG_STATE_CONFIRMED;
	d->method = s->method;
	d->set = s->id;
	d->user = s->user;
	d->flags = SL_DLG_F_UAC | (s->flags & SL_DLG_F_SECURE);
	d->local_cseq = s->local_cseq;
	d->sub_usages = 1;
	sl__dlg_hash_insert(d);
	sl_log_debug(SL_DLG_LOG, "%08x confirmed by a NOTIFY (set %08x)",
		     (unsigned)d->id, (unsigned)s->id);
	return d;
}
