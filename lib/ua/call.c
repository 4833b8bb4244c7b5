/*
 * lib/ua/call.c: lines and their call state machines - the UA core's
 * seam (the sl__ua_calls_*() functions
 * of lib/ua/ua_int.h) and the plumbing the other call files share:
 * session ids, the state-change function, events, in-dialog sending
 * (RFC 3261 §12.2.1.1), BYE (§15) and our re-INVITE / UPDATE machine
 * (§14, RFC 3311) with the §14.1 glare retry; digest credentials on every
 * request a line sends (§22: pre-authentication from the account's cache,
 * the answer to a 401/407 with CSeq one more, the INVITE's credentials on
 * the ACK of its 2xx, none on CANCEL), and requests outside a dialog
 * (OPTIONS, MESSAGE...; §8.1) with the same digest handling.
 *
 * Owns: struct sl_calls (ua->calls) inside struct calls_priv: the line
 * pool and each line's struct line_auth, sized from max_lines by
 * sl__ua_calls_create(), the out-of-dialog request slots; the dialog
 * table.
 * Thread: public functions from any thread (marshalled with
 * sl__ua_call()); everything else on the SIP loop thread.
 * Called by: ua.c, options.c, headers.c, network.c through the seam;
 * call_api.c for the public sipline/call.h functions.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "media_int.h"
#include "core/blocks.h"
#include "core/log.h"
#include "core/mem.h"

enum {
	REQ_SLOTS = 8,                /* out-of-dialog requests at once */
	REQ_BODY_MAX = 2048           /* bytes of such a request's body */
};

/*
 * struct auth_sent - what one request of ours carried (RFC 3261 §22): a
 * copy of its headers (sl__ua_auth_keep()), to judge the 401/407 it may
 * get (digest.h rules 3-5) and, for an INVITE, to give the ACK of its
 * 2xx the same credentials (§22.1).
 * @txn:    its client transaction; 0 when not known (the router's
 *          INVITE), then any response of that kind is taken for it.
 * @used:   cache entries whose credentials it carried.
 * @rounds: 401/407 answered in a row for the request being sent;
 *          SL_UA_AUTH_MAX_ROUNDS at most, so a server that keeps
 *          challenging cannot keep us sending.
 * @retry:  the next request of this kind is the answer to a challenge
 *          (@rounds goes on instead of restarting).
 * @copy, @cap, @len: the copy, in a block of the engine's store (@cap 0:
 *          none), so a line pays for the requests it really sends.
 */
struct auth_sent {
	uint32_t txn;
	unsigned used;
	unsigned rounds;
	int retry;
	size_t len;
	char *copy;
	unsigned cap;
};

/* A line's two kinds of request: our INVITE, re-INVITE or UPDATE (one at
 * a time), and the rest (BYE, PRACK, INFO...). */
struct line_auth {
	struct auth_sent inv;
	struct auth_sent req;
};

/* An out-of-dialog request (sl__ua_request()); @id 0: free. */
struct ood_req {
	uint32_t id;
	uint32_t send;                /* the router send in flight */
	struct sl_ua *ua;
	char method[SL_UA_METHOD_MAX];
	char ruri[SL_UA_URI_MAX];
	char call_id[SL_UA_CALL_ID_MAX];
	char tag[SL_UA_TAG_MAX];
	uint32_t cseq;
	char ctype[SL_UA_MIME_MAX];
	char body[REQ_BODY_MAX];
	size_t body_len;
	struct sl_route_target pin;   /* the server that challenged */
	int have_pin;
	struct auth_sent auth;
	void (*cb)(void *arg, uint32_t id, int status, int err,
		   const struct sl_rxbuf *rx);
	void *arg;
};

/*
 * struct calls_priv - the engine's state: struct sl_calls (first, so
 * ua->calls points at both) and what only this file uses, allocated with
 * it by sl__ua_calls_create().
 */
struct calls_priv {
	struct sl_calls pub;
	struct line_auth *auth;       /* one per line */
	struct ood_req reqs[REQ_SLOTS];
	uint32_t next_req;
	char keep[SL_UA_REQ_COPY_MAX]; /* scratch: a copy being made */
};

static struct calls_priv *priv(struct sl_ua *ua)
{
	return (struct calls_priv *)ua->calls;
}

/* ---- names ---- */

const char *sl_line_state_name(enum sl_line_state s)
{
	static const char *const names[] = {
		"idle", "ringing", "answering", "calling", "early",
		"connected", "held", "remote-held", "closing"
	};

	if ((unsigned)s < sizeof(names) / sizeof(names[0]))
		return names[s];
	return "?";
}

void sl_call_params_init(struct sl_call_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof(*p));
	p->audio = 1;
}

/* ---- the engine ---- */

struct sl_calls *sl__calls(struct sl_ua *ua)
{
	return ua->calls;
}

static void dlg_terminated(void *arg, uint32_t id, enum sl_dlg_end why,
			   int status)
{
	struct sl_ua *ua = arg;
	struct sl_line *ln = sl__calls_by_dlg(ua, id);

	if (!ln)
		return;
	ln->dlg = 0;
	switch (why) {
	case SL_DLG_END_BYE_SENT:
	case SL_DLG_END_BYE_RECEIVED:
	case SL_DLG_END_REJECTED:
	case SL_DLG_END_FORK_LOST:
	case SL_DLG_END_EARLY_ENDED:
		/* Our own code closes these lines where it knows why. */
		return;
	default:
		break;
	}
	if (ln->state == SL_LINE_IDLE)
		return;
	sl__calls_close(ua, ln, status == 408 ? SL_CLOSE_TIMEOUT
			: SL_CLOSE_ERROR, status, "dialog ended", NULL);
}

static void dlg_no_ack(void *arg, uint32_t id, uint32_t cseq)
{
	struct sl_ua *ua = arg;
	struct sl_line *ln = sl__calls_by_dlg(ua, id);

	(void)cseq;
	if (!ln || ln->state != SL_LINE_ANSWERING)
		return;
	/* §13.3.1.4: confirmed but never acknowledged - end it with BYE. */
	if (sl__calls_bye(ua, ln, SL_CLOSE_NO_ACK) < 0)
		sl__calls_close(ua, ln, SL_CLOSE_NO_ACK, 0, "no ACK", NULL);
}

struct sl_dlg_table *sl__calls_dlg(struct sl_ua *ua)
{
	return ua->calls ? ((struct sl_calls *)ua->calls)->dlg : NULL;
}

/* The dialog table, sized from max_lines; made once the transaction layer
 * exists (ua.c creates the call engine after it). */
static int make_dlg(struct sl_ua *ua, struct sl_calls *c)
{
	struct sl_dlg_config dc;

	if (!ua->txn)
		return SL_ESTATE;
	sl__dlg_config_init(&dc);
	dc.max_dialogs = 2 * c->n_lines + 8;
	dc.msg_buf_size = SL_TXN_MSG_BUF_DEFAULT;
	dc.t1_ms = ua->cfg.t1_ms;
	dc.t2_ms = ua->cfg.t2_ms;
	dc.seed = ua->hooks.seed;
	dc.ev.terminated = dlg_terminated;
	dc.ev.no_ack = dlg_no_ack;
	dc.ev.arg = ua;
	if (sl__dlg_create(&c->dlg, ua->loop, ua->txn, &dc) < 0) {
		sl_log_error(SL_CALL_LOG, "cannot make the dialog table");
		c->dlg = NULL;
		return SL_ENOMEM;
	}
	return 0;
}

static void glare_fire(struct sl_timer *t, void *arg);

/* Gives the copy of @s back to the store. */
static void auth_drop(struct sl_ua *ua, struct auth_sent *s)
{
	if (s->cap && ua->calls)
		sl__blocks_put(((struct sl_calls *)ua->calls)->blocks,
			       s->copy, s->cap);
	s->copy = NULL;
	s->cap = 0;
	s->len = 0;
}

void sl__calls_line_reset(struct sl_line *ln)
{
	unsigned idx = ln->idx;
	struct sl_ua *ua = ln->ua;

	if (ua->calls && priv(ua)->auth) {
		auth_drop(ua, &priv(ua)->auth[idx].inv);
		auth_drop(ua, &priv(ua)->auth[idx].req);
		memset(&priv(ua)->auth[idx], 0, sizeof(struct line_auth));
	}
	/* Sockets, stream and DTMF timer of the call go first. */
	sl__stream_line_reset(ln);
	sl__line_text_free(ln);
	if (ua->calls)
		sl__lines_session_del(ua, ln);
	memset(ln, 0, sizeof(*ln));
	ln->idx = idx;
	ln->ua = ua;
	sl__line_text_init(ln);
	if (ua->calls)
		sl__lines_give(ua, ln);
	sl__timer_init(&ln->glare, glare_fire, ln);
	sl__st_timer_init(ln);
	sl__prack_timer_init(ln);
}

int sl__ua_calls_create(struct sl_ua *ua)
{
	struct calls_priv *pv;
	struct sl_calls *c;
	unsigned n = ua->cfg.max_lines ? ua->cfg.max_lines : 1;

	pv = sl__calloc(1, sizeof(*pv));
	if (!pv)
		return SL_ENOMEM;
	c = &pv->pub;
	c->lines = sl__calloc(n, sizeof(*c->lines));
	pv->auth = sl__calloc(n, sizeof(*pv->auth));
	if (!c->lines || !pv->auth)
		goto fail;
	c->ua = ua;
	c->n_lines = n;
	c->next_session = 1;
	/* A line is wired when first taken (sl__calls_new_line()): the
	 * zeroed pages of lines never used stay uncommitted, and a zeroed
	 * line reads as idle to every walk over the lines. */
	for (unsigned i = 0; i < REQ_SLOTS; i++)
		pv->reqs[i].ua = ua;
	if (make_dlg(ua, c) < 0)
		goto fail;
	ua->calls = c;
	if (sl__line_text_create(ua) < 0 || sl__lines_index_create(ua) < 0 ||
	    sl__calls_routed_create(ua) < 0) {
		sl__lines_index_destroy(ua);
		sl__line_text_destroy(ua);
		sl__dlg_destroy(c->dlg);
		ua->calls = NULL;
		goto fail;
	}
	return 0;
fail:
	sl__free(pv->auth);
	sl__free(c->lines);
	sl__free(pv);
	return SL_ENOMEM;
}

static void line_timers_stop(struct sl_ua *ua, struct sl_line *ln)
{
	sl__loop_timer_stop(ua->loop, &ln->glare);
	sl__st_stop(ua, ln);
	sl__prack_stop(ua, ln);
}

void sl__ua_calls_destroy(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;

	if (!c)
		return;
	for (unsigned i = 0; i < c->n_lines && ua->loop; i++)
		line_timers_stop(ua, &c->lines[i]);
	sl__calls_routed_destroy(ua);
	sl__dlg_destroy(c->dlg);
	/* Every block of the lines and copies goes with the store. */
	sl__line_text_destroy(ua);
	sl__lines_index_destroy(ua);
	sl__free(priv(ua)->auth);
	sl__free(c->lines);
	sl__free(priv(ua));
	ua->calls = NULL;
}

struct sl_line *sl__calls_new_line(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;
	struct sl_line *ln = sl__lines_take(ua);

	if (!ln)
		return NULL;
	ln->idx = (unsigned)(ln - c->lines);
	ln->ua = ua;
	sl__calls_line_reset(ln);
	/* The reset filed it as free: it is taken. */
	sl__lines_hold(ua, ln);
	/* Session ids never repeat while the UA lives. */
	ln->session = c->next_session++;
	if (c->next_session <= 0)
		c->next_session = 1;
	sl__lines_session_add(ua, ln);
	return ln;
}

struct sl_line *sl__calls_by_dlg(struct sl_ua *ua, uint32_t dlg)
{
	struct sl_calls *c = ua->calls;
	uint32_t u;

	if (!c || !dlg)
		return NULL;
	/* The dialog carries its line (sl__dlg_set_user(), inherited from
	 * the line's dialog set): no walk over the lines. */
	u = sl__dlg_user(c->dlg, dlg);
	if (u && u <= c->n_lines && c->lines[u - 1].session &&
	    c->lines[u - 1].dlg == dlg)
		return &c->lines[u - 1];
	return NULL;
}

struct sl_line *sl__calls_by_user(struct sl_ua *ua, void *user)
{
	struct sl_calls *c = ua->calls;
	struct sl_line *ln = user;

	if (!c || !user || ln < c->lines || ln >= c->lines + c->n_lines)
		return NULL;
	return ln;
}

struct sl_line *sl__calls_by_session(struct sl_ua *ua, int session)
{
	return sl__lines_by_session(ua, session);
}

void sl__calls_set_state(struct sl_ua *ua, struct sl_line *ln,
			 enum sl_line_state s)
{
	(void)ua;
	if (ln->state == s)
		return;
	sl_log_debug(SL_CALL_LOG, "line %u session %d: %s -> %s", ln->idx,
		     ln->session, sl_line_state_name(ln->state),
		     sl_line_state_name(s));
	ln->state = s;
	/* Media follows the state (call_stream.c). */
	sl__stream_sync(ua, ln);
}

/* HELD, REMOTE_HELD or CONNECTED from the two hold flags. */
void sl__calls_settle(struct sl_ua *ua, struct sl_line *ln)
{
	enum sl_line_state s = SL_LINE_CONNECTED;

	if (ln->hold)
		s = SL_LINE_HELD;
	else if (ln->remote_hold)
		s = SL_LINE_REMOTE_HELD;
	sl__calls_set_state(ua, ln, s);
	/* A new exchange may change media without changing the state. */
	sl__stream_sync(ua, ln);
}

const char *sl__calls_cstr(struct sl_slice s, char *out, size_t cap)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (n)
		memcpy(out, s.p, n);
	out[n] = '\0';
	return out;
}

int sl__calls_has_tag(const struct sl_msg *m, enum sl_hdr_id id,
		      const char *tag)
{
	uint16_t i = m->first[id];
	unsigned guard = 0;

	for (; i != SL_HDR_NONE && guard < m->n_hdrs; i = m->hdrs[i].next) {
		struct sl_slice v = m->hdrs[i].value;
		size_t a = 0;

		guard++;
		/* Values may still hold commas when not split. */
		while (a < v.len) {
			size_t b = a;
			struct sl_slice t;

			while (b < v.len && v.p[b] != ',')
				b++;
			t.p = v.p + a;
			t.len = b - a;
			while (t.len && (*t.p == ' ' || *t.p == '\t')) {
				t.p++;
				t.len--;
			}
			while (t.len && (t.p[t.len - 1] == ' ' ||
					 t.p[t.len - 1] == '\t'))
				t.len--;
			if (sl_slice_ieq(t, tag))
				return 1;
			a = b + 1;
		}
	}
	return 0;
}

/* ---- events ---- */

void sl__calls_event_init(const struct sl_line *ln, struct sl_event *ev,
			  enum sl_event_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->session = ln->session;
	ev->line = (int)ln->idx;
	ev->reason = "";
	ev->call_id = ln->call_id[0] ? ln->call_id : NULL;
	if (ln->outgoing) {
		ev->from = ln->local;
		ev->from_display = ln->local_display;
		ev->to = ln->peer;
		ev->to_display = ln->peer_display;
	} else {
		ev->from = ln->peer;
		ev->from_display = ln->peer_display;
		ev->to = ln->local;
		ev->to_display = ln->local_display;
	}
}

int sl__calls_emit(struct sl_ua *ua, struct sl_event *ev)
{
	int rc = sl__ua_emit(ua, ev);

	if (rc < 0)
		sl_log_warn(SL_CALL_LOG, "event %s lost: %s",
			    sl_event_name(ev->type), sl_strerror(rc));
	return rc;
}

void sl__calls_close(struct sl_ua *ua, struct sl_line *ln,
		     enum sl_close_reason why, int code, const char *reason,
		     const struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_event ev;
	char rs[128];

	if (!ln->session || ln->state == SL_LINE_IDLE)
		return;
	sl__calls_event_init(ln, &ev, SL_EV_CLOSED);
	ev.close_reason = why;
	ev.code = code;
	ev.reason = reason ? reason : sl_close_reason_name(why);
	if (rx) {
		ev.raw = rx->msg.buf;
		ev.raw_len = rx->msg.len;
		if (!reason && rx->msg.reason.len)
			ev.reason = sl__calls_cstr(rx->msg.reason, rs,
						   sizeof(rs));
	}
	line_timers_stop(ua, ln);
	if (ln->send) {
		sl__route_cancel(ua->router, ln->send, NULL);
		ln->send = 0;
	}
	if (t) {
		if (ln->dlg)
			sl__dlg_terminate(t, ln->dlg);
		if (ln->set)
			sl__dlg_terminate(t, ln->set);
	}
	sl_log_info(SL_CALL_LOG, "line %u session %d closed: %s %d",
		    ln->idx, ln->session, sl_close_reason_name(why), code);
	/* The stream stops; SL_EV_MEDIA_STATS goes before SL_EV_CLOSED. */
	sl__stream_end(ua, ln);
	sl__calls_emit(ua, &ev);
	/* The session id dies with the call: the line forgets it. */
	sl__calls_line_reset(ln);
	sl__ua_shutdown_check(ua);
}

/* ---- sending in a dialog ---- */

int sl__calls_contact(struct sl_ua *ua, enum sl_tp tp,
		      const struct sl_addr *peer,
		      const struct sl_addr *bound, char *out, size_t cap)
{
	struct sl_addr local;
	char c[SL_UA_CONTACT_MAX];
	const char *p, *e;
	int rc;

	rc = sl__ua_local_for(ua, tp, peer, bound, &local);
	if (rc < 0)
		return rc;
	rc = sl__ua_contact(ua, tp, &local, 0, c, sizeof(c));
	if (rc < 0)
		return rc;
	/* The dialog layer wants the URI; sl__ua_contact() gives <URI>. */
	p = c;
	e = c + rc;
	if (*p == '<') {
		const char *gt = memchr(p, '>', (size_t)(e - p));

		p++;
		if (gt)
			e = gt;
	}
	if ((size_t)(e - p) + 1 > cap)
		return SL_ENOSPC;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return (int)(e - p);
}

/* ---- digest credentials (RFC 3261 §22) ---- */

/* The kind of request a method is, for its struct auth_sent. */
static struct auth_sent *auth_slot(struct sl_line *ln, enum sl_method m)
{
	struct line_auth *a = &priv(ln->ua)->auth[ln->idx];

	return m == SL_METHOD_INVITE || m == SL_METHOD_UPDATE ? &a->inv
	       : &a->req;
}

static enum sl_method request_method(const char *buf, size_t len)
{
	const char *sp = memchr(buf, ' ', len);

	return sp ? sl_method_from_name(buf, (size_t)(sp - buf))
		  : SL_METHOD_OTHER;
}

/* Adds the cached credentials to request @buf and remembers what it
 * carried in @s. Return: the new length (@len when nothing could be
 * added: the request goes as it is, and a challenge will tell). */
static size_t auth_add(struct sl_ua *ua, struct auth_sent *s, char *buf,
		       size_t len, size_t cap)
{
	unsigned used = 0;
	int n = sl__ua_auth_add(ua, buf, len, cap, &used);
	int k;

	if (n < 0) {
		sl_log_warn(SL_CALL_LOG, "no credentials added: %s",
			    sl_strerror(n));
		n = (int)len;
	}
	if (!s->retry)
		s->rounds = 0;
	s->retry = 0;
	s->used = used;
	s->txn = 0;
	k = sl__ua_auth_keep(buf, (size_t)n, priv(ua)->keep,
			     sizeof(priv(ua)->keep));
	s->len = 0;
	if (k > 0 && (unsigned)k > s->cap) {
		void *blk;
		int got = sl__blocks_get(sl__calls(ua)->blocks, (size_t)k,
					 &blk);

		if (got > 0) {
			auth_drop(ua, s);
			s->copy = blk;
			s->cap = (unsigned)got;
		}
	}
	/* Without the copy, a refusal looks like a first challenge: the
	 * round limit still ends it. */
	if (k > 0 && (unsigned)k <= s->cap) {
		memcpy(s->copy, priv(ua)->keep, (size_t)k);
		s->len = (size_t)k;
	}
	return (size_t)n;
}

/* A 401/407 to the request @s describes (when @txn is its transaction):
 * the challenge goes into the cache. Return: 0 to send it again; <0 to
 * give up (SL_EAUTH: the credentials were refused; SL_ELIMIT: too many
 * rounds; SL_EUNSUPP, SL_EPARSE: nothing we can answer). */
static int auth_challenged(struct sl_ua *ua, struct auth_sent *s,
			   uint32_t txn, const struct sl_rxbuf *rx)
{
	int mine = !s->txn || s->txn == txn;
	int rc;

	if (s->rounds >= SL_UA_AUTH_MAX_ROUNDS)
		return SL_ELIMIT;
	rc = sl__ua_auth_challenge(ua, &rx->msg, mine && s->len ? s->copy
				   : NULL, mine ? s->len : 0);
	if (rc < 0) {
		sl_log_info(SL_CALL_LOG, "%d to %.*s not answered: %s",
			    rx->msg.status, (int)rx->msg.cseq.method.len,
			    rx->msg.cseq.method.p, sl_strerror(rc));
		return rc;
	}
	s->rounds++;
	s->retry = 1;
	return 0;
}

int sl__calls_auth_add(struct sl_ua *ua, struct sl_line *ln, char *buf,
		       size_t len, size_t cap)
{
	enum sl_method m = request_method(buf, len);

	if (m == SL_METHOD_ACK || m == SL_METHOD_CANCEL)
		return (int)len;
	return (int)auth_add(ua, auth_slot(ln, m), buf, len, cap);
}

int sl__calls_auth_retry(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 const struct sl_rxbuf *rx)
{
	const struct sl_slice cm = rx->msg.cseq.method;
	enum sl_method m = sl_method_from_name(cm.p, cm.len);

	if (m == SL_METHOD_ACK || m == SL_METHOD_CANCEL)
		return SL_EINVAL;
	return auth_challenged(ua, auth_slot(ln, m), txn, rx);
}

void sl__calls_auth_final(struct sl_ua *ua, struct sl_line *ln,
			  uint32_t txn, const struct sl_rxbuf *rx)
{
	const struct sl_slice cm = rx->msg.cseq.method;
	struct auth_sent *s = auth_slot(ln, sl_method_from_name(cm.p,
								 cm.len));

	if (s->txn && s->txn != txn)
		return;
	/* digest.h rule 5: the server took these credentials. */
	sl__ua_auth_accepted(ua, s->used);
	s->rounds = 0;
}

int sl__calls_send_ack(struct sl_ua *ua, struct sl_line *ln, uint32_t dlg,
		       const struct sl_dlg_via *via, const char *ctype,
		       const void *body, size_t len, struct sl_tp_dest *dst)
{
	struct auth_sent *s = auth_slot(ln, SL_METHOD_INVITE);
	char buf[SL_TXN_MSG_BUF_DEFAULT];
	int n, k;

	n = sl__dlg_build_ack(sl__calls_dlg(ua), dlg, via, ctype, body, len,
			      buf, sizeof(buf));
	if (n < 0)
		return n;
	/* §22.1: the ACK of a 2xx cannot be challenged; it carries the
	 * credentials of its INVITE. */
	if (s->len) {
		k = sl__ua_auth_reuse(s->copy, s->len, buf, (size_t)n,
				      sizeof(buf));
		if (k > 0)
			n = k;
	}
	return sl__txn_send(ua->txn, dst, buf, (size_t)n);
}

int sl__calls_send(struct sl_ua *ua, struct sl_line *ln, const char *method,
		   const struct sl_txn_hdr *hdrs, unsigned n_hdrs,
		   const char *ctype, const void *body, size_t len,
		   uint32_t *txn)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	enum sl_method m = sl_method_from_name(method, strlen(method));
	struct sl_txn_hdr all[SL_DLG_MAX_HDRS];
	char buf[SL_TXN_MSG_BUF_DEFAULT];
	struct auth_sent *s = auth_slot(ln, m);
	struct sl_dlg_info info;
	struct sl_tp_dest dst;
	struct sl_dlg_via via;
	struct sl_dlg_req r;
	char host[64];
	uint16_t port;
	unsigned n = 0;
	int rc, routed;

	if (!t || !ln->dlg)
		return SL_ESTATE;
	if (n_hdrs + 4 > SL_DLG_MAX_HDRS)
		return SL_EINVAL;
	/* §14.1: no INVITE while one is in progress in either direction
	 * (we build and send ourselves, so the rule of
	 * sl__dlg_send_request() is applied here). */
	if (m == SL_METHOD_INVITE && sl__dlg_info(t, ln->dlg, &info) == 0 &&
	    (info.flags & SL_DLG_F_INVITE_PENDING))
		return SL_ESTATE;
	/* A host-name hop is located by the router (call_route.c, RFC
	 * 3263 with fail-over); the request is built now with a Via it
	 * replaces per target. */
	routed = sl__calls_hop_is_name(ua, ln);
	if (routed) {
		memcpy(host, "routed.invalid", sizeof("routed.invalid"));
		port = 0;
		dst.tp = SL_TP_UDP;
	} else {
		rc = sl__calls_dest(ua, ln, &dst, host, sizeof(host), &port);
		if (rc < 0)
			return rc;
	}
	if (ua->cfg.user_agent[0]) {
		all[n].name = "User-Agent";
		all[n++].value = ua->cfg.user_agent;
	}
	if (m == SL_METHOD_INVITE || m == SL_METHOD_UPDATE) {
		all[n].name = "Allow";
		all[n++].value = ua->allow;
		if (ua->supported[0]) {
			all[n].name = "Supported";
			all[n++].value = ua->supported;
		}
	}
	for (unsigned i = 0; i < n_hdrs; i++)
		all[n++] = hdrs[i];
	memset(&via, 0, sizeof(via));
	via.transport = sl__tp_name(dst.tp);
	via.host = host;
	via.port = port;
	via.rport = ua->acct.set ? ua->acct.a.rport : 1;
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.hdrs = all;
	r.n_hdrs = n;
	r.content_type = ctype;
	r.body = body;
	r.body_len = len;
	rc = sl__dlg_build_request(t, ln->dlg, &via, &r, buf, sizeof(buf),
				   NULL);
	if (rc >= 0) {
		/* §22.2-22.3: the credentials of every realm we know, so the
		 * request is not challenged again. */
		size_t bl = auth_add(ua, s, buf, (size_t)rc, sizeof(buf));

		rc = routed ? sl__calls_route_request(ua, ln, buf, bl, txn)
			    : sl__txn_request(ua->txn, buf, bl, &dst, ln, txn);
		if (rc < 0 && m == SL_METHOD_INVITE)
			/* Nothing went out: the dialog must not wait for
			 * an answer to it (§14.1). A BYE stays "sent": the
			 * only thing left to do in the dialog is a BYE. */
			sl__dlg_request_failed(t, ln->dlg, m, 0, 503);
	}
	if (rc < 0) {
		sl_log_warn(SL_CALL_LOG, "line %u: %s not sent: %s", ln->idx,
			    method, sl_strerror(rc));
		return rc;
	}
	s->txn = *txn;
	return rc;
}

int sl__calls_bye(struct sl_ua *ua, struct sl_line *ln,
		  enum sl_close_reason why)
{
	int rc;

	sl__st_stop(ua, ln);
	rc = sl__calls_send(ua, ln, "BYE", NULL, 0, NULL, NULL, 0,
			    &ln->bye_txn);
	if (rc < 0)
		return rc;
	ln->closing = why;
	sl__calls_set_state(ua, ln, SL_LINE_CLOSING);
	return 0;
}

/* ---- our re-INVITE / UPDATE (§14.1, RFC 3311) ---- */

int sl__calls_reinvite(struct sl_ua *ua, struct sl_line *ln,
		       enum sl_reinv_kind kind)
{
	struct sl_txn_hdr h[4];
	char stbuf[96];
	unsigned n;
	int len = 0, rc;
	int update = 0;
	const char *ct = NULL;

	if (ln->reinv != SL_REINV_NONE || ln->reinv_txn)
		return SL_ESTATE;
	/* RFC 3311 §5.1: no re-INVITE in an early dialog; UPDATE, for a
	 * new offer only (no session timer runs yet). */
	if (ln->state == SL_LINE_RINGING || ln->state == SL_LINE_EARLY) {
		if (kind != SL_REINV_MEDIA)
			return SL_ESTATE;
		update = 1;
	}
	n = update ? 0 : sl__st_request_hdrs(ua, ln, h, stbuf,
					     sizeof(stbuf));
	if (kind == SL_REINV_REFRESH && ln->peer_update) {
		/* RFC 4028 §7.4: an UPDATE without a body refreshes too. */
		update = 1;
	} else if (kind == SL_REINV_REFRESH) {
		/* The same description again: version unchanged. */
		len = (int)ln->local_len;
		ct = "application/sdp";
		ln->offer_out = 1;
	} else {
		int save_hold = ln->hold;

		if (kind == SL_REINV_HOLD)
			ln->hold = 1;
		else if (kind == SL_REINV_UNHOLD)
			ln->hold = 0;
		len = sl__media_offer(ua, ln, ln->have_target ?
				      &ln->target.addr : NULL);
		ln->hold = save_hold;
		if (len < 0)
			return len;
		ct = "application/sdp";
		ln->offer_out = 1;
	}
	if (kind == SL_REINV_NETWORK && ln->have_target) {
		char c[SL_UA_URI_MAX];

		if (sl__calls_contact(ua, ln->target.tp, &ln->target.addr,
				      NULL, c, sizeof(c)) > 0)
			sl__dlg_set_contact(sl__calls_dlg(ua), ln->dlg, c);
	}
	rc = sl__calls_send(ua, ln, update ? "UPDATE" : "INVITE", h, n, ct,
			    len ? ln->local_sdp : NULL, (size_t)len,
			    &ln->reinv_txn);
	if (rc < 0) {
		ln->offer_out = 0;
		return rc;
	}
	ln->reinv = kind;
	ln->reinv_update = update;
	return 0;
}

static void glare_fire(struct sl_timer *t, void *arg)
{
	struct sl_line *ln = arg;
	enum sl_reinv_kind k = ln->glare_kind;

	(void)t;
	ln->glare_kind = SL_REINV_NONE;
	if (ln->session && ln->cancelled && ln->state == SL_LINE_CLOSING) {
		/* §9.1: the CANCELled INVITE never got its final answer. */
		if (ln->inv_txn)
			sl__txn_abort(ln->ua->txn, ln->inv_txn);
		ln->inv_txn = 0;
		sl__calls_close(ln->ua, ln, SL_CLOSE_CANCELLED, 0, NULL, NULL);
		return;
	}
	if (!ln->session || k == SL_REINV_NONE)
		return;
	if (ln->state != SL_LINE_CONNECTED && ln->state != SL_LINE_HELD &&
	    ln->state != SL_LINE_REMOTE_HELD)
		return;
	if (sl__calls_reinvite(ln->ua, ln, k) < 0)
		sl_log_info(SL_CALL_LOG, "line %u: glare retry not sent",
			    ln->idx);
}

/* A response to our re-INVITE / UPDATE. */
static void reinv_response(struct sl_ua *ua, struct sl_line *ln,
			   uint32_t txn, struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	enum sl_reinv_kind k = ln->reinv;
	int rc;

	if (m->status < 200) {
		if (t && ln->dlg)
			sl__dlg_recv_response(t, ln->dlg, rx);
		return;
	}
	rc = t && ln->dlg ? sl__dlg_recv_response(t, ln->dlg, rx) : 0;
	if (rc == SL_DLG_RESP_RETRANSMIT) {
		sl__calls_reinv_ack(ua, ln, 0);
		return;
	}
	if (txn != ln->reinv_txn)
		return;
	ln->reinv_txn = 0;
	ln->reinv = SL_REINV_NONE;
	if (m->status == 401 || m->status == 407) {
		ln->offer_out = 0;
		if (rc != SL_DLG_RESP_TERMINATED && ln->dlg &&
		    sl__calls_auth_retry(ua, ln, txn, rx) == 0) {
			/* §22.2: the same request again, with credentials.
			 * The peer never saw the refused offer: the new
			 * one keeps its version (RFC 3264 §8). */
			if (k != SL_REINV_REFRESH && ln->sdp_version)
				ln->sdp_version--;
			if (sl__calls_reinvite(ua, ln, k) == 0)
				return;
		}
		sl_log_info(SL_CALL_LOG, "line %u: re-INVITE not authorized "
			    "(%d)", ln->idx, m->status);
		return;
	}
	sl__calls_auth_final(ua, ln, txn, rx);
	if (m->status < 300) {
		struct sl_slice sdp, idata;

		if (!ln->reinv_update)
			sl__calls_reinv_ack(ua, ln, 1);
		if (sl__media_split(m, &sdp, &idata) == 0 && sdp.len &&
		    ln->offer_out)
			sl__media_remote(ua, ln, sdp);
		ln->offer_out = 0;
		if (k == SL_REINV_HOLD)
			ln->hold = 1;
		else if (k == SL_REINV_UNHOLD)
			ln->hold = 0;
		else if (k == SL_REINV_MEDIA)
			ln->offered_video = ln->offered_video || ln->want_video;
		if (ln->state == SL_LINE_RINGING ||
		    ln->state == SL_LINE_EARLY) {
			/* An early UPDATE: the call is still being set up;
			 * the 2xx and the ACK of the INVITE leave this
			 * exchange as it is. */
			ln->early_oa = 1;
			return;
		}
		if (ln->remote_len)
			ln->remote_hold = sl__media_remote_holds(ua, ln);
		sl__st_on_2xx(ua, ln, m);
		if (ln->state != SL_LINE_CLOSING)
			sl__calls_settle(ua, ln);
		return;
	}
	ln->offer_out = 0;
	if (rc == SL_DLG_RESP_GLARE && t) {
		int d = sl__dlg_glare_backoff(t, ln->dlg);

		/* §14.1: try again after the random wait. */
		ln->glare_kind = k;
		sl__loop_timer_start(ua->loop, &ln->glare,
				     d > 0 ? (uint64_t)d * 10 : 0);
		return;
	}
	if (rc == SL_DLG_RESP_TERMINATED || !ln->dlg ||
	    m->status == 481 || m->status == 408) {
		sl__calls_close(ua, ln, m->status == 408 ? SL_CLOSE_TIMEOUT
				: SL_CLOSE_ERROR, m->status, NULL, rx);
		return;
	}
	if (k == SL_REINV_REFRESH && ln->reinv_update &&
	    (m->status == 405 || m->status == 501)) {
		ln->peer_update = 0;
		sl__calls_reinvite(ua, ln, SL_REINV_REFRESH);
		return;
	}
	if (k == SL_REINV_REFRESH && m->status == 422 &&
	    sl__st_on_422(ua, ln, m)) {
		sl__calls_reinvite(ua, ln, SL_REINV_REFRESH);
		return;
	}
	sl_log_info(SL_CALL_LOG, "line %u: re-INVITE refused with %d",
		    ln->idx, m->status);
}

/* ---- the seam: transaction events ---- */

static struct sl_line *line_of_txn(struct sl_ua *ua, uint32_t txn,
				   void *user)
{
	struct sl_line *ln = sl__calls_by_user(ua, user);

	if (!ln || !ln->session)
		return NULL;
	if (txn == ln->inv_txn || txn == ln->cancel_txn ||
	    txn == ln->bye_txn || txn == ln->reinv_txn ||
	    txn == ln->prack_txn)
		return ln;
	return NULL;
}

/* A response to our BYE: the call ends at its final response (§15.1.1),
 * unless it asks for credentials we have (§22.2: the BYE again). */
static void bye_response(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			 struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	int st = rx->msg.status;
	enum sl_close_reason why = ln->closing ? ln->closing
				   : SL_CLOSE_LOCAL_BYE;

	if (st < 200)
		return;
	ln->bye_txn = 0;
	if (st == 401 || st == 407) {
		if (sl__calls_auth_retry(ua, ln, txn, rx) == 0 &&
		    sl__calls_send(ua, ln, "BYE", NULL, 0, NULL, NULL, 0,
				   &ln->bye_txn) == 0)
			return;
		/* Refused: the dialog is over for us all the same. */
		sl__calls_close(ua, ln, why, st, NULL, rx);
		return;
	}
	sl__calls_auth_final(ua, ln, txn, rx);
	if (t && ln->dlg)
		sl__dlg_recv_response(t, ln->dlg, rx);
	sl__calls_close(ua, ln, why, 0, NULL, NULL);
}

/* A 401/407 to our PRACK: the same RAck again, with credentials (the
 * RAck comes from the copy the refused PRACK left). */
static void prack_again(struct sl_ua *ua, struct sl_line *ln, uint32_t txn,
			struct sl_rxbuf *rx)
{
	struct auth_sent *s = auth_slot(ln, SL_METHOD_PRACK);
	unsigned char mem[8192];
	struct sl_arena arena;
	struct sl_msg msg;
	struct sl_slice v;
	struct sl_txn_hdr h;
	char rack[64];

	if (!s->len || s->txn != txn ||
	    sl__calls_auth_retry(ua, ln, txn, rx) < 0)
		return;
	sl_arena_init(&arena, mem, sizeof(mem));
	if (sl_msg_parse(&msg, s->copy, s->len, &arena, NULL, 0, NULL) < 0 ||
	    sl_msg_find(&msg, "RAck", &v) < 0 ||
	    sl_slice_copy(v, rack, sizeof(rack)) < 0)
		return;
	h.name = "RAck";
	h.value = rack;
	/* RFC 3262 §5: a PRACK that answered an offer does so again. */
	if (sl__calls_send(ua, ln, "PRACK", &h, 1,
			   ln->prack_answer ? "application/sdp" : NULL,
			   ln->prack_answer ? ln->local_sdp : NULL,
			   ln->prack_answer ? ln->local_len : 0,
			   &ln->prack_txn) < 0)
		sl_log_warn(SL_CALL_LOG, "line %u: PRACK not sent again",
			    ln->idx);
}

int sl__ua_calls_txn_response(struct sl_ua *ua, uint32_t txn, void *user,
			      struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_line *ln;

	if (!sl__calls_by_user(ua, user))
		return 0;
	txn = sl__calls_route_txn(ua, txn);
	if (sl__info_on_response(ua, sl__calls_by_user(ua, user), txn, rx))
		return 1;
	ln = line_of_txn(ua, txn, user);
	if (!ln) {
		struct sl_line *l2 = sl__calls_by_user(ua, user);

		/* The 2xx to our re-INVITE again (RFC 6026 §8.4: its
		 * transaction passes every one up): the same ACK again. */
		if (l2->session && l2->dlg && t && rx->msg.status >= 200 &&
		    rx->msg.status < 300 &&
		    sl_slice_eq(rx->msg.cseq.method, "INVITE") &&
		    sl__dlg_recv_response(t, l2->dlg, rx) ==
		    SL_DLG_RESP_RETRANSMIT)
			sl__calls_reinv_ack(ua, l2, 0);
		/* Otherwise a stale transaction of an ended call: a late
		 * 2xx to our INVITE is still ACKed and ended by the dialog
		 * layer's FORKED path in call_out.c. */
		return 1;
	}
	if (txn == ln->inv_txn && ln->outgoing) {
		sl__call_out_response(ua, ln, txn, rx);
	} else if (txn == ln->bye_txn) {
		bye_response(ua, ln, txn, rx);
	} else if (txn == ln->reinv_txn) {
		reinv_response(ua, ln, txn, rx);
		sl__call_in_answer_resume(ua, ln);
	} else if (txn == ln->prack_txn) {
		if (t && ln->dlg)
			sl__dlg_recv_response(t, ln->dlg, rx);
		if (rx->msg.status >= 200) {
			ln->prack_txn = 0;
			if (rx->msg.status == 401 || rx->msg.status == 407)
				prack_again(ua, ln, txn, rx);
			else
				sl__calls_auth_final(ua, ln, txn, rx);
		}
	}
	return 1;
}

int sl__ua_calls_txn_failed(struct sl_ua *ua, uint32_t txn, void *user,
			    int err, char timer)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_line *ln;
	int status = err == SL_ETIMEOUT ? 408 : 503;

	(void)timer;
	if (!sl__calls_by_user(ua, user))
		return 0;
	txn = sl__calls_route_txn(ua, txn);
	if (sl__info_on_failed(ua, sl__calls_by_user(ua, user), txn, status))
		return 1;
	ln = line_of_txn(ua, txn, user);
	if (!ln)
		return 1;
	if (txn == ln->bye_txn) {
		ln->bye_txn = 0;
		sl__calls_close(ua, ln, ln->closing ? ln->closing
				: SL_CLOSE_LOCAL_BYE, status, NULL, NULL);
		return 1;
	}
	if (txn == ln->inv_txn && ln->outgoing && ln->state != SL_LINE_IDLE &&
	    ln->state != SL_LINE_CONNECTED && ln->state != SL_LINE_HELD &&
	    ln->state != SL_LINE_REMOTE_HELD) {
		/* A CANCELled INVITE that never got its final response. */
		sl__calls_close(ua, ln, ln->cancelled ? SL_CLOSE_CANCELLED
				: SL_CLOSE_TIMEOUT, status, NULL, NULL);
		return 1;
	}
	if (txn == ln->reinv_txn || txn == ln->prack_txn) {
		enum sl_method m = txn == ln->prack_txn ? SL_METHOD_PRACK
				   : ln->reinv_update ? SL_METHOD_UPDATE
				   : SL_METHOD_INVITE;
		int rc = 0;

		if (t && ln->dlg)
			rc = sl__dlg_request_failed(t, ln->dlg, m, 0, status);
		if (txn == ln->prack_txn) {
			ln->prack_txn = 0;
			return 1;
		}
		ln->reinv_txn = 0;
		ln->reinv = SL_REINV_NONE;
		ln->offer_out = 0;
		if (rc == SL_DLG_RESP_TERMINATED || status == 408)
			sl__calls_close(ua, ln, SL_CLOSE_TIMEOUT, status,
					NULL, NULL);
		else
			sl__call_in_answer_resume(ua, ln);
	}
	return 1;
}

void sl__ua_calls_txn_terminated(struct sl_ua *ua, uint32_t txn,
				 void *user)
{
	struct sl_line *ln;

	txn = sl__calls_route_txn(ua, txn);
	sl__calls_route_done(ua, txn);
	ln = line_of_txn(ua, txn, user);
	if (!ln)
		return;
	if (txn == ln->inv_txn && ln->outgoing) {
		ln->inv_txn = 0;
		/* The set ends with its transaction (dialog.h). */
		if (ln->set && sl__calls_dlg(ua))
			sl__dlg_terminate(sl__calls_dlg(ua), ln->set);
		ln->set = 0;
	} else if (txn == ln->cancel_txn) {
		ln->cancel_txn = 0;
	} else if (txn == ln->inv_txn) {
		ln->inv_txn = 0;
	}
}

/* ---- the seam: requests ---- */

int sl__ua_calls_request(struct sl_ua *ua, uint32_t txn,
			 struct sl_rxbuf *rx, uint32_t cancel_target)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	const struct sl_msg *m = &rx->msg;
	struct sl_line *ln;
	uint32_t id = 0;
	int rc;

	if (!t)
		return 0;
	if (m->method == SL_METHOD_CANCEL)
		return sl__call_in_cancel(ua, txn, rx, cancel_target);
	rc = sl__dlg_recv_request(t, txn, rx, &id);
	switch (rc) {
	case SL_DLG_RX_OUTSIDE:
		if (m->method == SL_METHOD_INVITE)
			return sl__call_in_invite(ua, txn, rx);
		return 0;
	case SL_DLG_RX_IN_DIALOG:
		ln = sl__calls_by_dlg(ua, id);
		if (!ln) {
			/* A dialog of ours without a call (a FORKED one
			 * being ended): 481 as §12.2.2 would. */
			struct sl_txn_response r;

			memset(&r, 0, sizeof(r));
			r.status = m->method == SL_METHOD_BYE ? 200 : 481;
			sl__dlg_respond(t, id, txn, &r);
			return 1;
		}
		if (m->method == SL_METHOD_INFO)
			sl__info_on_request(ua, ln, txn, rx);
		else
			sl__call_in_request(ua, ln, txn, rx);
		return 1;
	case SL_DLG_RX_ACK:
		ln = sl__calls_by_dlg(ua, id);
		if (ln)
			sl__call_in_ack(ua, ln, rx);
		return 1;
	case SL_DLG_RX_ABSORBED:
	case SL_DLG_RX_ANSWERED:
		return 1;
	default:
		return 0;
	}
}

void sl__ua_calls_ack(struct sl_ua *ua, uint32_t txn, struct sl_rxbuf *rx)
{
	struct sl_dlg_table *t = sl__calls_dlg(ua);
	struct sl_line *ln;
	uint32_t id = 0;

	if (!t)
		return;
	if (sl__dlg_recv_request(t, txn, rx, &id) != SL_DLG_RX_ACK)
		return;
	ln = sl__calls_by_dlg(ua, id);
	if (ln)
		sl__call_in_ack(ua, ln, rx);
}

/* ---- the seam: life cycle ---- */

int sl__calls_hangup(struct sl_ua *ua, struct sl_line *ln)
{
	switch (ln->state) {
	case SL_LINE_RINGING:
		return sl__call_in_reject(ua, ln, 603, NULL);
	case SL_LINE_ANSWERING:
		/* §15: no BYE before the ACK; sent when it comes. */
		ln->bye_pending = 1;
		return 0;
	case SL_LINE_CALLING:
	case SL_LINE_EARLY:
		return sl__call_out_hangup(ua, ln);
	case SL_LINE_CONNECTED:
	case SL_LINE_HELD:
	case SL_LINE_REMOTE_HELD:
		return sl__calls_bye(ua, ln, SL_CLOSE_LOCAL_BYE);
	default:
		return SL_ESTATE;
	}
}


int sl__ua_calls_shutdown(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;

	if (!c)
		return 0;
	for (unsigned i = 0; i < c->n_lines; i++) {
		struct sl_line *ln = &c->lines[i];

		if (ln->state == SL_LINE_IDLE || ln->state == SL_LINE_CLOSING)
			continue;
		if (sl__calls_hangup(ua, ln) < 0)
			sl__calls_close(ua, ln, SL_CLOSE_LOCAL_BYE, 0,
					"shutdown", NULL);
	}
	return sl__ua_calls_busy(ua);
}

int sl__ua_calls_busy(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;

	if (!c)
		return 0;
	for (unsigned i = 0; i < c->n_lines; i++)
		if (c->lines[i].state != SL_LINE_IDLE)
			return 1;
	return 0;
}

void sl__ua_calls_network_changed(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;

	if (!c)
		return;
	for (unsigned i = 0; i < c->n_lines; i++) {
		struct sl_line *ln = &c->lines[i];

		if (ln->state == SL_LINE_CONNECTED ||
		    ln->state == SL_LINE_HELD ||
		    ln->state == SL_LINE_REMOTE_HELD)
			sl__calls_reinvite(ua, ln, SL_REINV_NETWORK);
	}
}

int sl__ua_calls_session(struct sl_ua *ua, const struct sl_msg *msg)
{
	struct sl_calls *c = ua->calls;

	if (!c || !msg || !msg->call_id.len)
		return 0;
	for (unsigned i = 0; i < c->n_lines; i++) {
		struct sl_line *ln = &c->lines[i];

		if (ln->session && ln->call_id[0] &&
		    sl_slice_eq(msg->call_id, ln->call_id))
			return ln->session;
	}
	return 0;
}

unsigned sl__ua_calls_methods(const struct sl_ua *ua)
{
	(void)ua;
	return (1u << SL_METHOD_INVITE) | (1u << SL_METHOD_ACK) |
	       (1u << SL_METHOD_CANCEL) | (1u << SL_METHOD_BYE) |
	       (1u << SL_METHOD_INFO) | (1u << SL_METHOD_UPDATE) |
	       (1u << SL_METHOD_PRACK);
}

/* ---- requests outside a dialog (OPTIONS, MESSAGE...) ---- */

static void req_route(void *arg, uint32_t id,
		      const struct sl_route_event *ev);

static int req_build(void *arg, uint32_t id, const struct sl_route_build *rb,
		     char *buf, size_t cap)
{
	struct ood_req *q = arg;
	struct sl_ua *ua = q->ua;
	const char *disp = sl__ua_display(ua);
	struct sl_builder b;
	int n;

	(void)id;
	sl_build_init(&b, buf, cap);
	n = sl__ua_build_start(ua, &b, rb, q->method, q->ruri, 1, NULL);
	if (n < 0)
		return n;
	sl_build_name_addr_header(&b, "From", disp[0] ? disp : NULL,
				  ua->acct.aor, q->tag);
	sl_build_name_addr_header(&b, "To", NULL, q->ruri, NULL);
	sl_build_call_id(&b, q->call_id);
	/* A fail-over attempt is the same request (RFC 3263 §4.3); a new
	 * send (an answer to a challenge) takes the next number (§22.1). */
	sl_build_cseq(&b, rb->attempt > 1 ? q->cseq : ++q->cseq, q->method);
	if (!strcmp(q->method, "OPTIONS")) {
		sl_build_header(&b, "Accept", "application/sdp");
		sl_build_header(&b, "Allow", ua->allow);
	}
	n = sl_build_finish(&b, q->body_len ? q->ctype : NULL,
			    q->body_len ? q->body : NULL, q->body_len);
	if (n < 0)
		return n;
	return (int)auth_add(ua, &q->auth, buf, (size_t)n, cap);
}

static int req_send(struct sl_ua *ua, struct ood_req *q)
{
	struct sl_route_req req;
	char hop[SL_UA_URI_MAX];
	struct sl_uri u;
	int rc;

	memset(&req, 0, sizeof(req));
	req.build = req_build;
	req.cb = req_route;
	req.arg = q;
	if (q->have_pin) {
		req.pin = &q->pin;
	} else {
		rc = sl__ua_next_hop(ua, q->ruri, hop, sizeof(hop));
		if (rc < 0)
			return rc;
		if (sl_uri_parse(hop, strlen(hop), &u) < 0)
			return SL_EINVAL;
		req.uri = &u;
	}
	return sl__route_send(ua->router, &req, &q->send);
}

static void req_done(struct ood_req *q, int status, int err,
		     const struct sl_rxbuf *rx)
{
	void (*cb)(void *, uint32_t, int, int, const struct sl_rxbuf *) =
		q->cb;
	void *arg = q->arg;
	uint32_t id = q->id;

	q->id = 0;
	q->send = 0;
	auth_drop(q->ua, &q->auth);
	if (cb)
		cb(arg, id, status, err, rx);
}

static void req_route(void *arg, uint32_t id, const struct sl_route_event *ev)
{
	struct ood_req *q = arg;
	struct sl_ua *ua = q->ua;
	int st;

	if (!q->id || q->send != id || !ev->final)
		return;
	q->send = 0;
	if (ev->type != SL_ROUTE_EV_RESPONSE) {
		req_done(q, 0, ev->err, NULL);
		return;
	}
	st = ev->rx->msg.status;
	if (st != 401 && st != 407) {
		sl__ua_auth_accepted(ua, q->auth.used);
		req_done(q, st, 0, ev->rx);
		return;
	}
	/* §22.2: again with credentials, to the server that asked. */
	if (auth_challenged(ua, &q->auth, 0, ev->rx) == 0) {
		if (ev->target) {
			q->pin = *ev->target;
			q->have_pin = 1;
		}
		if (req_send(ua, q) == 0)
			return;
	}
	req_done(q, st, 0, ev->rx);
}

/**
 * sl__ua_request() - sends request @method (a method sipline knows:
 * OPTIONS, MESSAGE, INFO...; not INVITE, ACK, CANCEL, REGISTER, which
 * have their own modules) to @ruri outside any dialog
 * (RFC 3261 §8.1): From the account's address with a new tag, To @ruri,
 * a new Call-ID, the credentials of every realm the digest cache knows;
 * a 401/407 is answered by the same request with credentials, CSeq one
 * more, to the server that challenged (§22.2), at most
 * SL_UA_AUTH_MAX_ROUNDS times in a row.
 * @ctype, @body, @len: the body (@len 0: none); copied.
 * @cb: called once, on the loop thread, after this function returned:
 *      @status is the final response's code (401/407 when the
 *      credentials were refused), or 0 with @err when none came.
 * Return: the request's id (> 0); SL_EINVAL for a bad argument;
 * SL_ESTATE without an account; SL_ENOMEM when REQ_SLOTS requests are
 * in flight; the router's errors.
 * Thread: the SIP loop thread.
 */
int sl__ua_request(struct sl_ua *ua, const char *method, const char *ruri,
		   const char *ctype, const void *body, size_t len,
		   void (*cb)(void *arg, uint32_t id, int status, int err,
			      const struct sl_rxbuf *rx),
		   void *arg)
{
	struct calls_priv *pv = ua && ua->calls ? priv(ua) : NULL;
	enum sl_method m;
	struct ood_req *q = NULL;
	char a[SL_UA_TAG_MAX], b[SL_UA_TAG_MAX];
	int rc;

	if (!pv || !method || !ruri || (len && (!body || !ctype)) ||
	    len > REQ_BODY_MAX || strlen(method) >= SL_UA_METHOD_MAX ||
	    strlen(ruri) >= SL_UA_URI_MAX ||
	    (ctype && strlen(ctype) >= SL_UA_MIME_MAX))
		return SL_EINVAL;
	m = sl_method_from_name(method, strlen(method));
	if (m == SL_METHOD_INVITE || m == SL_METHOD_ACK ||
	    m == SL_METHOD_CANCEL || m == SL_METHOD_REGISTER ||
	    m == SL_METHOD_OTHER)
		return SL_EINVAL;
	if (!ua->acct.set)
		return SL_ESTATE;
	for (unsigned i = 0; i < REQ_SLOTS && !q; i++)
		if (!pv->reqs[i].id)
			q = &pv->reqs[i];
	if (!q)
		return SL_ENOMEM;
	auth_drop(ua, &q->auth);
	memset(q, 0, sizeof(*q));
	q->ua = ua;
	memcpy(q->method, method, strlen(method) + 1);
	memcpy(q->ruri, ruri, strlen(ruri) + 1);
	if (len) {
		memcpy(q->ctype, ctype, strlen(ctype) + 1);
		memcpy(q->body, body, len);
		q->body_len = len;
	}
	sl__ua_token(ua, q->tag, sizeof(q->tag));
	sl__ua_token(ua, a, sizeof(a));
	sl__ua_token(ua, b, sizeof(b));
	snprintf(q->call_id, sizeof(q->call_id), "%s%s", a, b);
	q->cb = cb;
	q->arg = arg;
	if (++pv->next_req == 0 || pv->next_req > INT32_MAX)
		pv->next_req = 1;
	q->id = pv->next_req;
	rc = req_send(ua, q);
	if (rc < 0) {
		q->id = 0;
		auth_drop(ua, &q->auth);
		return rc;
	}
	return (int)q->id;
}
