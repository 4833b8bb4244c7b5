/*
 * lib/dialog/request.c: the requests we send in a dialog, or a dialog
 * set's request (RFC 3261 §8.1.1, §12.2.1.1, §13.2.2.4, §14.1, §15.1.1).
 *
 * Owns: nothing beyond the CSeq numbers and flags of the slots it builds
 * for; requests go into the caller's buffer or the table's scratch.
 * Thread: the SIP loop thread only.
 * Called by: the UA, directly or from a lib/txn/route.h build callback
 * (which gives the Via and branch of each attempt).
 *
 * Routing (§12.2.1.1): with an empty route set the Request-URI is the
 * remote target and no Route is sent. When the first route has "lr" (a
 * loose router, RFC 3261) the Request-URI is still the remote target and
 * the route set goes out as Route headers, in order. Otherwise the first
 * route is a strict router (RFC 2543): its URI becomes the Request-URI,
 * without the parts a Request-URI may not carry (headers, the method
 * parameter: §19.1.1), and the remaining routes then the remote target go
 * out as Route headers - the strict router replaces the Request-URI with
 * the last Route before it forwards.
 */
#include <string.h>

#include "dialog_int.h"
#include "sipline/build.h"
#include "sipline/headers.h"

static int needs_contact(enum sl_method m)
{
	/* §8.1.1.8 (INVITE), RFC 3311 §5.1, RFC 6665 §4.1.2 and §4.2.2,
	 * RFC 3515 §2.4.1: the requests that carry the sender's target. */
	return m == SL_METHOD_INVITE || m == SL_METHOD_UPDATE ||
	       m == SL_METHOD_SUBSCRIBE || m == SL_METHOD_NOTIFY ||
	       m == SL_METHOD_REFER;
}

/* 1 when route URI @uri names a loose router (";lr"). An unparsable one
 * counts as loose, so it is sent on as a Route rather than rewritten. */
static int is_loose(struct sl_slice uri)
{
	struct sl_slice v;
	struct sl_uri u;

	if (sl_uri_parse(uri.p, uri.len, &u) < 0)
		return 1;
	return sl_uri_param(&u, "lr", &v);
}

static int append(char *buf, size_t cap, size_t *n, const char *p,
		  size_t len)
{
	if (*n + len + 1 > cap)
		return SL_ETOOBIG;
	memcpy(buf + *n, p, len);
	*n += len;
	buf[*n] = '\0';
	return 0;
}

/*
 * A strict router's URI as a Request-URI, into the table's uri_buf:
 * without its headers part and its method parameter (§12.2.1.1, the table
 * of §19.1.1).
 */
static int strict_ruri(struct sl_dlg_table *t, struct sl_slice uri,
		       struct sl_slice *out)
{
	const size_t cap = t->cfg.text_size;
	struct sl_slice cur, name, value;
	struct sl_uri u;
	size_t n = 0, head;
	int rc, has_value;

	if (sl_uri_parse(uri.p, uri.len, &u) < 0) {
		*out = uri;
		return 0;
	}
	if (u.params.len)
		head = (size_t)(u.params.p - uri.p) - 1;    /* before ';' */
	else if (u.headers.len)
		head = (size_t)(u.headers.p - uri.p) - 1;   /* before '?' */
	else
		head = uri.len;
	rc = append(t->uri_buf, cap, &n, uri.p, head);
	cur = u.params;
	for (unsigned guard = 0; rc == 0 && guard < uri.len; guard++) {
		int more = sl_param_next(&cur, &name, &value, &has_value);

		if (more <= 0)
			break;
		if (sl_slice_ieq(name, "method"))
			continue;
		rc = append(t->uri_buf, cap, &n, ";", 1);
		if (rc == 0)
			rc = append(t->uri_buf, cap, &n, name.p, name.len);
		if (rc == 0 && has_value)
			rc = append(t->uri_buf, cap, &n, "=", 1);
		if (rc == 0 && has_value)
			rc = append(t->uri_buf, cap, &n, value.p, value.len);
	}
	if (rc < 0)
		return rc;
	out->p = t->uri_buf;
	out->len = n;
	return 0;
}

static const char *or_null(const struct sl_dlg *d, enum sl_dlg_str_id i)
{
	return d->s[i].len ? sl__dlg_str(d, i).p : NULL;
}

/* What build() writes besides the dialog's own state. */
struct what {
	const char *method;
	enum sl_method id;
	uint32_t cseq;
	const struct sl_dlg_via *via;
	const struct sl_txn_hdr *hdrs;
	unsigned n_hdrs;
	const char *content_type;
	const void *body;
	size_t body_len;
};

static int build(struct sl_dlg *d, const struct what *w, char *out,
		 size_t cap)
{
	struct sl_dlg_table *t = d->tab;
	struct sl_slice ruri = sl__dlg_str(d, SL_DLG_S_TARGET);
	struct sl_slice method = { w->method, strlen(w->method) };
	char branch[SL_TXN_BRANCH_MAX];
	const char *br = w->via->branch;
	struct sl_builder b;
	unsigned first = 0;
	int strict = 0, rc;

	if (d->n_routes && !is_loose(sl__dlg_route_str(d, 0))) {
		strict = 1;
		first = 1;
		rc = strict_ruri(t, sl__dlg_route_str(d, 0), &ruri);
		if (rc < 0)
			return rc;
	}
	if (!br) {
		rc = sl__txn_branch(t->txn, branch, sizeof(branch));
		if (rc < 0)
			return rc;
		br = branch;
	}
	sl_build_init(&b, out, cap);
	sl_build_request_line_slice(&b, method, ruri);
	sl_build_via(&b, w->via->transport, w->via->host, w->via->port, br,
		     w->via->rport);
	sl_build_header_uint(&b, "Max-Forwards", SL_DLG_MAX_FORWARDS);
	for (unsigned i = first; i < d->n_routes; i++)
		sl_build_name_addr_header(&b, "Route", NULL,
					  sl__dlg_route_str(d, i).p, NULL);
	if (strict)
		sl_build_name_addr_header(&b, "Route", NULL,
					  sl__dlg_str(d, SL_DLG_S_TARGET).p,
					  NULL);
	sl_build_name_addr_header(&b, "From",
				  or_null(d, SL_DLG_S_LOCAL_DISPLAY),
				  sl__dlg_str(d, SL_DLG_S_LOCAL_URI).p,
				  sl__dlg_str(d, SL_DLG_S_LOCAL_TAG).p);
	sl_build_name_addr_header(&b, "To",
				  or_null(d, SL_DLG_S_REMOTE_DISPLAY),
				  sl__dlg_str(d, SL_DLG_S_REMOTE_URI).p,
				  or_null(d, SL_DLG_S_REMOTE_TAG));
	sl_build_call_id(&b, sl__dlg_str(d, SL_DLG_S_CALL_ID).p);
	sl_build_cseq(&b, w->cseq, w->method);
	if (needs_contact(w->id) && d->s[SL_DLG_S_CONTACT].len &&
	    !sl__dlg_has_contact(w->hdrs, w->n_hdrs))
		sl_build_name_addr_header(&b, "Contact", NULL,
					  sl__dlg_str(d, SL_DLG_S_CONTACT).p,
					  NULL);
	for (unsigned i = 0; i < w->n_hdrs; i++) {
		if (!w->hdrs[i].name || !w->hdrs[i].value)
			return SL_EINVAL;
		sl_build_header(&b, w->hdrs[i].name, w->hdrs[i].value);
	}
	return sl_build_finish(&b, w->content_type, w->body, w->body_len);
}

static int check_via(const struct sl_dlg_via *via)
{
	return via && via->transport && via->host ? 0 : SL_EINVAL;
}

int sl__dlg_build_request(struct sl_dlg_table *t, uint32_t id,
			  const struct sl_dlg_via *via,
			  const struct sl_dlg_req *r, char *out, size_t cap,
			  uint32_t *cseq_out)
{
	struct what w;
	struct sl_dlg *d;
	int n;

	if (!t || check_via(via) < 0 || !r || !r->method || !out ||
	    r->n_hdrs > SL_DLG_MAX_HDRS || (r->n_hdrs && !r->hdrs))
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	memset(&w, 0, sizeof(w));
	w.method = r->method;
	w.id = sl_method_from_name(r->method, strlen(r->method));
	if (w.id == SL_METHOD_ACK || w.id == SL_METHOD_CANCEL)
		return SL_EINVAL;
	if (d->state == SL_DLG_STATE_INIT)
		return SL_ESTATE;       /* no dialog until we answer */
	if (d->state == SL_DLG_STATE_SET && w.id != d->method)
		return SL_EINVAL;
	/* §15.1.1: after our BYE the session's requests are over; other
	 * usages of the dialog (RFC 5057) go on. */
	if ((d->flags & SL_DLG_F_BYE_SENT) && w.id != SL_METHOD_BYE &&
	    sl__dlg_invite_usage_method(w.id))
		return SL_ESTATE;
	if (r->cseq) {
		if (r->cseq > d->local_cseq)
			return SL_EINVAL;
		w.cseq = r->cseq;
	} else {
		/* §12.2.1.1: one more than the last; an empty local number
		 * (a UAS dialog) starts at 1. 2^31 is out of range
		 * (§8.1.1.5). */
		if (d->local_cseq + 1 >= (1u << 31))
			return SL_ELIMIT;
		w.cseq = d->local_cseq + 1;
	}
	w.via = via;
	w.hdrs = r->hdrs;
	w.n_hdrs = r->n_hdrs;
	w.content_type = r->content_type;
	w.body = r->body;
	w.body_len = r->body_len;
	n = build(d, &w, out, cap);
	if (n < 0)
		return n;
	if (!r->cseq)
		d->local_cseq = w.cseq;
	if (w.id == SL_METHOD_INVITE) {
		d->invite_cseq = w.cseq;
		d->pending_invite = w.cseq;
	}
	if (w.id == SL_METHOD_BYE && d->state != SL_DLG_STATE_SET) {
		d->bye_cseq = w.cseq;
		d->flags |= SL_DLG_F_BYE_SENT;
	}
	if (cseq_out)
		*cseq_out = w.cseq;
	return n;
}

int sl__dlg_peer_invite_pending(struct sl_dlg *d)
{
	struct sl_txn_info info;

	return d->peer_invite_txn &&
	       sl__txn_info(d->tab->txn, d->peer_invite_txn, &info) == 0 &&
	       info.kind == SL_TXN_SERVER_INVITE &&
	       info.state == SL_TXN_STATE_PROCEEDING;
}

int sl__dlg_send_request(struct sl_dlg_table *t, uint32_t id,
			 const struct sl_dlg_via *via,
			 const struct sl_dlg_req *r,
			 const struct sl_tp_dest *dst, void *user,
			 uint32_t *txn)
{
	uint32_t pending, bye_cseq;
	unsigned flags;
	struct sl_dlg *d;
	int n, rc;

	if (!t || !r || !r->method || !dst || !txn)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	/* §14.1: no INVITE while one is in progress in either direction. */
	if (sl_method_from_name(r->method, strlen(r->method)) ==
	    SL_METHOD_INVITE && d->state != SL_DLG_STATE_SET &&
	    (d->pending_invite || sl__dlg_peer_invite_pending(d)))
		return SL_ESTATE;
	pending = d->pending_invite;
	bye_cseq = d->bye_cseq;
	flags = d->flags;
	n = sl__dlg_build_request(t, id, via, r, t->msg, t->cfg.msg_buf_size,
				  NULL);
	if (n < 0)
		return n;
	rc = sl__txn_request(t->txn, t->msg, (size_t)n, dst, user, txn);
	if (rc < 0 && sl__dlg_alive(d, id)) {
		/* Nothing went out: the request is not pending. The CSeq
		 * number stays used, which a gap allows. */
		d->pending_invite = pending;
		d->bye_cseq = bye_cseq;
		d->flags = flags;
	}
	return rc;
}

int sl__dlg_build_ack(struct sl_dlg_table *t, uint32_t id,
		      const struct sl_dlg_via *via, const char *content_type,
		      const void *body, size_t body_len, char *out,
		      size_t cap)
{
	struct what w;
	struct sl_dlg *d;
	int n;

	if (!t || check_via(via) < 0 || !out)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	if (!sl__dlg_is_dialog(d) || !d->invite_cseq)
		return SL_ESTATE;
	memset(&w, 0, sizeof(w));
	/* §13.2.2.4: a request of the dialog, with the INVITE's number. */
	w.method = "ACK";
	w.id = SL_METHOD_ACK;
	w.cseq = d->invite_cseq;
	w.via = via;
	w.content_type = content_type;
	w.body = body;
	w.body_len = body_len;
	n = build(d, &w, out, cap);
	if (n >= 0)
		d->acked_cseq = d->invite_cseq;
	return n;
}

int sl__dlg_send_ack(struct sl_dlg_table *t, uint32_t id,
		     const struct sl_dlg_via *via, const char *content_type,
		     const void *body, size_t body_len,
		     struct sl_tp_dest *dst)
{
	int n;

	if (!t || !dst)
		return SL_EINVAL;
	n = sl__dlg_build_ack(t, id, via, content_type, body, body_len,
			      t->msg, t->cfg.msg_buf_size);
	if (n < 0)
		return n;
	return sl__txn_send(t->txn, dst, t->msg, (size_t)n);
}

int sl__dlg_next_hop(struct sl_dlg_table *t, uint32_t id,
		     struct sl_slice *uri)
{
	struct sl_dlg *d;

	if (!t || !uri)
		return SL_EINVAL;
	d = sl__dlg_get(t, id);
	if (!d)
		return SL_ENOTFOUND;
	*uri = d->n_routes ? sl__dlg_route_str(d, 0) :
		sl__dlg_str(d, SL_DLG_S_TARGET);
	return 0;
}
