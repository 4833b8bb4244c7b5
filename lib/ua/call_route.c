/*
 * lib/ua/call_route.c: where a call's in-dialog requests go (RFC 3261
 * §12.2.1.1: the first route of the route set, else the remote target)
 * and how they get there when that hop is a host name: RFC 3263 §4
 * server location with the §4.3 fail-over, through the router
 * (lib/txn/route.h) for requests with a transaction, through the locator
 * for the ACK of a 2xx (which has none).
 *
 * A numeric hop is sent to at once (sl__calls_dest()). For a name the
 * request is built in full (CSeq, credentials, body) into a send slot,
 * and the router sends it to each located target in turn with a fresh
 * top Via (transport, our address towards the target, a new branch): the
 * same request again, as §4.3 asks. The caller gets a stand-in id for the
 * transaction at once, so the line (and info.c) treats the request like
 * any other: the router's responses and failures are reported under that
 * id, and so are the transaction's later events once the router hands it
 * over (sl__calls_route_txn() translates). The target that answered is
 * kept in the line (its hop cache), so the ACK of a 2xx and the next
 * requests reach the same server without a new lookup while the hop
 * stays the same; an ACK for a hop not yet located waits for a lookup.
 *
 * Owns: struct sl_calls_routed (c->routed): ROUTED_SENDS send slots with
 * their request copies and HOP_LOOKUPS locator requests, allocated with
 * the call engine.
 * Thread: the SIP loop thread.
 * Called by: call.c (sending, the transaction seam, re-INVITE ACKs),
 * call_out.c (the ACK of the INVITE's 2xx).
 */
#include <stdio.h>
#include <string.h>

#include "call_int.h"
#include "core/log.h"
#include "core/mem.h"

enum {
	ROUTED_SENDS = 8,   /* in-dialog requests to host names at once */
	HOP_LOOKUPS = 8,    /* ACKs waiting for their hop to be located */
	/* Stand-in ids live in 1..PH_MAX: a transaction id never does
	 * (lib/txn/txn_int.h: (generation << 16) | index, generation never
	 * 0), so the two cannot be mistaken for each other. */
	PH_MAX = 0xffff
};

/* One request through the router; @ph 0: free. */
struct routed {
	uint32_t ph;                  /* the stand-in transaction id */
	uint32_t send;                /* the router send while it runs */
	uint32_t real;                /* the transaction once handed over */
	struct sl_line *ln;
	int session;                  /* the call it belongs to */
	uint32_t hop;                 /* hash of the hop it was sent to */
	size_t len;
	char buf[SL_TXN_MSG_BUF_DEFAULT]; /* the request, dummy top Via */
};

/* One lookup of a hop for an ACK; @loc 0: free. */
struct hop_lookup {
	uint32_t loc;
	struct sl_line *ln;
	int session;
	uint32_t hop;
	void (*then)(struct sl_ua *ua, struct sl_line *ln);
};

struct sl_calls_routed {
	struct sl_ua *ua;
	struct routed r[ROUTED_SENDS];
	struct hop_lookup h[HOP_LOOKUPS];
	uint32_t next_ph;
	char tls_name[SL_ROUTE_NAME_MAX];  /* dst.tls_name of a cached hop */
};

static struct sl_calls_routed *R(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;

	return c ? c->routed : NULL;
}

int sl__calls_routed_create(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;
	struct sl_calls_routed *r = sl__calloc(1, sizeof(*r));

	if (!r)
		return SL_ENOMEM;
	r->ua = ua;
	c->routed = r;
	return 0;
}

void sl__calls_routed_destroy(struct sl_ua *ua)
{
	struct sl_calls_routed *r = R(ua);

	if (!r)
		return;
	/* The locator goes after the call engine (ua.c teardown); its
	 * requests are ours to release. */
	for (unsigned i = 0; i < HOP_LOOKUPS; i++)
		if (r->h[i].loc && ua->loc)
			sl__locate_release(ua->loc, r->h[i].loc);
	sl__free(r);
	((struct sl_calls *)ua->calls)->routed = NULL;
}

/* FNV-1a of the hop's text: which hop a cached target belongs to. */
static uint32_t hop_hash(struct sl_slice s)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < s.len; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 16777619u;
	}
	return h ? h : 1;
}

static uint16_t default_port(enum sl_tp tp)
{
	return tp == SL_TP_TLS ? 5061 : 5060;
}

/* The dialog's next hop as a URI and its locator query. Return: 0; an
 * error when the dialog has none or it is no usable SIP URI. */
static int next_hop(struct sl_ua *ua, struct sl_line *ln,
		    struct sl_slice *hop, struct sl_uri *u,
		    struct sl_locate_query *q)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);

	if (!t || !ln->dlg || sl__dlg_next_hop(t, ln->dlg, hop) < 0 ||
	    sl_uri_parse(hop->p, hop->len, u) < 0)
		return SL_ENOTFOUND;
	return sl__locate_query_from_uri(u, q);
}

int sl__calls_dest(struct sl_ua *ua, struct sl_line *ln,
		   struct sl_tp_dest *dst, char *host, size_t cap,
		   uint16_t *port)
{
	struct sl_calls_routed *r = R(ua);
	struct sl_locate_query q;
	struct sl_slice hop;
	struct sl_uri u;
	struct sl_addr local, a;
	int rc;

	memset(dst, 0, sizeof(*dst));
	dst->tp = ln->have_target ? ln->target.tp : SL_TP_UDP;
	if (ln->have_target) {
		dst->addr = ln->target.addr;
		dst->flow = ln->target.flow;
		dst->tls_name = ln->target.tls_name ? ln->target.tls_name
				: "";
	}
	rc = next_hop(ua, ln, &hop, &u, &q);
	if (rc == 0) {
		enum sl_tp tp = q.has_tp ? q.tp : q.secure ? SL_TP_TLS
				: dst->tp;
		uint16_t p = q.port ? q.port : default_port(tp);

		if (sl__addr_set(&a, q.host.p, q.host.len, p) == 0) {
			/* A numeric hop is used as it is; the INVITE's
			 * connection only when it goes to the same place. */
			if (!ln->have_target ||
			    !sl__addr_equal(&a, &ln->target.addr) ||
			    tp != ln->target.tp)
				dst->flow = 0;
			dst->addr = a;
			dst->tp = tp;
		} else if (ln->have_hop && ln->hop == hop_hash(hop) && r) {
			/* A name located for an earlier request of the
			 * dialog (RFC 3263 §4.3 leaves reusing it to us). */
			dst->tp = ln->hop_tp;
			dst->addr = ln->hop_addr;
			dst->flow = ln->hop_flow;
			if (q.host.len >= sizeof(r->tls_name))
				return SL_EINVAL;
			memcpy(r->tls_name, q.host.p, q.host.len);
			r->tls_name[q.host.len] = '\0';
			dst->tls_name = r->tls_name;
		} else {
			/* §12.2.1.1 with RFC 3263: a name is located, never
			 * replaced by where the INVITE went. */
			return SL_EAGAIN;
		}
	} else if (!ln->have_target) {
		return SL_ETRANSPORT;
	}
	rc = sl__ua_local_for(ua, dst->tp, &dst->addr, NULL, &local);
	if (rc < 0)
		return rc;
	if (sl__addr_host(&local, host, cap) < 0)
		return SL_ENOSPC;
	*port = sl__addr_port(&local);
	return 0;
}

int sl__calls_hop_is_name(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_locate_query q;
	struct sl_slice hop;
	struct sl_uri u;
	struct sl_addr a;

	return next_hop(ua, ln, &hop, &u, &q) == 0 &&
	       sl__addr_set(&a, q.host.p, q.host.len, 0) != 0;
}

/* Keeps @tg as the located target of @ln's current hop @hop. */
static void hop_keep(struct sl_line *ln, uint32_t hop,
		     const struct sl_route_target *tg)
{
	ln->have_hop = 1;
	ln->hop = hop;
	ln->hop_tp = tg->tp;
	ln->hop_addr = tg->addr;
	ln->hop_flow = tg->flow;
}

/* ---- requests through the router ---- */

static struct routed *by_ph(struct sl_calls_routed *r, uint32_t ph)
{
	for (unsigned i = 0; ph && i < ROUTED_SENDS; i++)
		if (r->r[i].ph == ph)
			return &r->r[i];
	return NULL;
}

/* The line of @q when its call is still the one that sent it. */
static struct sl_line *live_line(struct routed *q)
{
	return q->ln && q->ln->session == q->session ? q->ln : NULL;
}

/* A new stand-in id, not in use. */
static uint32_t new_ph(struct sl_calls_routed *r)
{
	for (unsigned tries = 0; tries < PH_MAX; tries++) {
		uint32_t ph = r->next_ph % PH_MAX + 1;

		r->next_ph = ph;
		if (!by_ph(r, ph))
			return ph;
	}
	return 0;
}

/* The request of @q with its top Via replaced by one for @rb. */
static int routed_build(void *arg, uint32_t id,
			const struct sl_route_build *rb, char *buf,
			size_t cap)
{
	struct routed *q = arg;
	struct sl_line *ln = live_line(q);
	struct sl_ua *ua;
	const char *via, *eol;
	char line[256], host[64];
	struct sl_builder b;
	struct sl_addr local;
	size_t head, tail, vstart, vlen;
	int rc;

	(void)id;
	if (!ln)
		return SL_ESTATE;
	ua = ln->ua;
	rc = sl__ua_local_for(ua, rb->target->tp, &rb->target->addr,
			      rb->local, &local);
	if (rc < 0)
		return rc;
	if (sl__addr_host(&local, host, sizeof(host)) < 0)
		return SL_EFAIL;
	/* The builder writes headers after a start line only: a stand-in
	 * one goes first and is left out. */
	sl_build_init(&b, line, sizeof(line));
	sl_build_request_line(&b, "X", "sip:x");
	vstart = b.len;
	sl_build_via(&b, sl__tp_name(rb->target->tp), host,
		     sl__addr_port(&local), rb->branch,
		     ua->acct.set ? ua->acct.a.rport : 1);
	if (b.err)
		return b.err;
	/* The dialog layer wrote the Via right after the request line. */
	via = memchr(q->buf, '\n', q->len);
	if (!via || (size_t)(q->len - (size_t)(via + 1 - q->buf)) < 5 ||
	    memcmp(via + 1, "Via: ", 5))
		return SL_EFAIL;
	via++;
	eol = memchr(via, '\n', q->len - (size_t)(via - q->buf));
	if (!eol)
		return SL_EFAIL;
	eol++;
	head = (size_t)(via - q->buf);
	tail = q->len - (size_t)(eol - q->buf);
	vlen = b.len - vstart;
	if (head + vlen + tail > cap)
		return SL_ENOSPC;
	memcpy(buf, q->buf, head);
	memcpy(buf + head, line + vstart, vlen);
	memcpy(buf + head + vlen, eol, tail);
	return (int)(head + vlen + tail);
}

static void routed_free(struct routed *q)
{
	q->ph = 0;
	q->send = 0;
	q->real = 0;
	q->ln = NULL;
}

static void routed_cb(void *arg, uint32_t id, const struct sl_route_event *ev)
{
	struct routed *q = arg;
	struct sl_line *ln = live_line(q);
	struct sl_ua *ua;
	uint32_t ph = q->ph;

	if (!ph || q->send != id)
		return;
	if (ev->final)
		q->send = 0;
	if (!ln) {
		/* The call is gone: the transaction finishes alone. */
		routed_free(q);
		return;
	}
	ua = ln->ua;
	if (ev->type == SL_ROUTE_EV_RESPONSE) {
		if (ev->target)
			hop_keep(ln, q->hop, ev->target);
		if (ev->final)
			q->real = ev->txn;
		sl__ua_calls_txn_response(ua, ph, ln, ev->rx);
		return;
	}
	/* No target answered: the transaction's end, under its stand-in. */
	sl_log_info(SL_CALL_LOG, "line %u: in-dialog request not delivered "
		    "to any located target: %s", ln->idx,
		    sl_strerror(ev->err));
	sl__ua_calls_txn_failed(ua, ph, ln, ev->err == SL_ETIMEOUT ?
				SL_ETIMEOUT : SL_ETRANSPORT, ev->timer);
	routed_free(q);
	if (ln->session)
		sl__ua_calls_txn_terminated(ua, ph, ln);
}

int sl__calls_route_request(struct sl_ua *ua, struct sl_line *ln,
			    const char *buf, size_t len, uint32_t *txn)
{
	struct sl_calls_routed *r = R(ua);
	struct sl_locate_query lq;
	struct sl_route_req req;
	struct routed *q = NULL;
	struct sl_slice hop;
	struct sl_uri u;
	int rc;

	if (!r || len > sizeof(r->r[0].buf))
		return r ? SL_ETOOBIG : SL_ESTATE;
	rc = next_hop(ua, ln, &hop, &u, &lq);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < ROUTED_SENDS && !q; i++)
		if (!r->r[i].ph)
			q = &r->r[i];
	if (!q) {
		sl_log_warn(SL_CALL_LOG, "line %u: all %u routed send slots "
			    "busy", ln->idx, (unsigned)ROUTED_SENDS);
		return SL_ENOMEM;
	}
	memcpy(q->buf, buf, len);
	q->len = len;
	q->ln = ln;
	q->session = ln->session;
	q->hop = hop_hash(hop);
	q->real = 0;
	memset(&req, 0, sizeof(req));
	req.uri = &u;
	req.build = routed_build;
	req.cb = routed_cb;
	req.arg = q;
	req.user = ln;
	q->ph = new_ph(r);
	if (!q->ph)
		return SL_ENOMEM;
	rc = sl__route_send(ua->router, &req, &q->send);
	if (rc < 0) {
		routed_free(q);
		return rc;
	}
	*txn = q->ph;
	return 0;
}

uint32_t sl__calls_route_txn(struct sl_ua *ua, uint32_t txn)
{
	struct sl_calls_routed *r = R(ua);

	for (unsigned i = 0; r && txn && i < ROUTED_SENDS; i++)
		if (r->r[i].ph && r->r[i].real == txn)
			return r->r[i].ph;
	return txn;
}

void sl__calls_route_done(struct sl_ua *ua, uint32_t txn)
{
	struct sl_calls_routed *r = R(ua);
	struct routed *q = r ? by_ph(r, txn) : NULL;

	if (q && !q->send)
		routed_free(q);
}

/* ---- ACKs to a hop not yet located ---- */

static void lookup_done(void *arg, uint32_t id, int err, unsigned n)
{
	struct hop_lookup *h = arg;
	struct sl_locate_target tg;
	struct sl_route_target rt;
	struct sl_line *ln = h->ln;
	struct sl_ua *ua;
	void (*then)(struct sl_ua *, struct sl_line *) = h->then;

	(void)n;
	if (h->loc != id || !ln)
		return;
	ua = ln->ua;
	h->loc = 0;
	if (err < 0 || ln->session != h->session) {
		if (err < 0)
			sl_log_info(SL_CALL_LOG, "line %u: ACK hop not "
				    "located: %s", ln->idx, sl_strerror(err));
		return;
	}
	if (sl__locate_next(ua->loc, id, &tg) == 0) {
		memset(&rt, 0, sizeof(rt));
		rt.tp = tg.tp;
		rt.addr = tg.addr;
		hop_keep(ln, h->hop, &rt);
	}
	sl__locate_release(ua->loc, id);
	if (ln->have_hop && ln->hop == h->hop && then)
		then(ua, ln);
}

int sl__calls_hop_lookup(struct sl_ua *ua, struct sl_line *ln,
			 void (*then)(struct sl_ua *ua, struct sl_line *ln))
{
	struct sl_calls_routed *r = R(ua);
	struct sl_locate_query q;
	struct hop_lookup *h = NULL;
	struct sl_slice hop;
	struct sl_uri u;
	int rc;

	if (!r || !ua->loc)
		return SL_ESTATE;
	rc = next_hop(ua, ln, &hop, &u, &q);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < HOP_LOOKUPS; i++) {
		if (r->h[i].loc && r->h[i].ln == ln &&
		    r->h[i].hop == hop_hash(hop))
			return 0;     /* already on its way */
		if (!r->h[i].loc && !h)
			h = &r->h[i];
	}
	if (!h)
		return SL_ENOMEM;
	h->ln = ln;
	h->session = ln->session;
	h->hop = hop_hash(hop);
	h->then = then;
	rc = sl__locate_start(ua->loc, &q, lookup_done, h, &h->loc);
	if (rc < 0)
		h->loc = 0;
	return rc;
}

/* ---- the ACK of a 2xx to our re-INVITE ---- */

static void reinv_ack_again(struct sl_ua *ua, struct sl_line *ln)
{
	sl__calls_reinv_ack(ua, ln, 0);
}

void sl__calls_reinv_ack(struct sl_ua *ua, struct sl_line *ln, int fresh)
{
	struct sl_tp_dest dst;
	struct sl_dlg_via via;
	char host[64];
	uint16_t port;
	int rc;

	if (fresh || !ln->ack_branch[0])
		sl__txn_branch(ua->txn, ln->ack_branch,
			       sizeof(ln->ack_branch));
	rc = sl__calls_dest(ua, ln, &dst, host, sizeof(host), &port);
	if (rc == SL_EAGAIN) {
		/* A target refresh named a new host: locate it first. */
		if (sl__calls_hop_lookup(ua, ln, reinv_ack_again) < 0)
			sl_log_warn(SL_CALL_LOG, "line %u: no ACK: its hop "
				    "cannot be located", ln->idx);
		return;
	}
	if (rc < 0)
		return;
	memset(&via, 0, sizeof(via));
	via.transport = sl__tp_name(dst.tp);
	via.host = host;
	via.port = port;
	via.branch = ln->ack_branch;
	via.rport = ua->acct.set ? ua->acct.a.rport : 1;
	sl__calls_send_ack(ua, ln, ln->dlg, &via, NULL, NULL, 0, &dst);
}
