/*
 * tests/unit/dlg_env.c: two user agents for the dialog tests (see
 * dlg_env.h): transaction layers and dialog tables on the virtual clock,
 * joined by the network of txn_fault.c, with a UA core's glue recorded.
 *
 * Thread: the test thread.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "dlg_env.h"
#include "txn_fault.c"

/* ---- the UA core's glue ---- */

static struct env_map *map_find(struct ua *u, uint32_t txn)
{
	for (unsigned i = 0; i < u->n_map; i++)
		if (u->map[i].txn == txn)
			return &u->map[i];
	return NULL;
}

static void map_add(struct ua *u, uint32_t txn, enum env_kind kind,
		    uint32_t id, const char *buf, size_t len)
{
	struct env_map *m;
	struct sl_msg msg;

	ck_assert_uint_lt(u->n_map, ENV_MAX_MAP);
	m = &u->map[u->n_map++];
	m->txn = txn;
	m->kind = kind;
	m->id = id;
	ck_assert_int_eq(tf_parse(buf, len, &msg), 0);
	m->method = msg.method;
	m->cseq = msg.cseq.seq;
}

static void note_err(struct ua *u, int rc)
{
	if (rc < 0 && !u->last_err)
		u->last_err = rc;
}

static void send_ack(struct ua *u, uint32_t id)
{
	struct sl_dlg_via via = ua_via(u);
	struct sl_tp_dest dst = ua_dst(u);

	note_err(u, sl__dlg_send_ack(u->dlg, id, &via, NULL, NULL, 0, &dst));
}

static void ua_on_request(void *arg, uint32_t txn, void *user,
		       struct sl_rxbuf *rx, uint32_t cancel_target)
{
	struct ua *u = arg;
	struct env_rq *r;

	(void)user;
	ck_assert_uint_lt(u->n_rq, ENV_MAX_EV);
	r = &u->rq[u->n_rq++];
	memset(r, 0, sizeof(*r));
	r->txn = txn;
	r->method = rx->msg.method;
	r->cseq = rx->msg.cseq.seq;
	r->cancel_target = cancel_target;
	sl__rxbuf_ref(rx);
	r->rx = rx;
	r->verdict = sl__dlg_recv_request(u->dlg, txn, rx, &r->id);
	if (!u->auto_answer)
		return;
	if (r->verdict == SL_DLG_RX_OUTSIDE && r->method == SL_METHOD_INVITE) {
		struct sl_dlg_uas_params p = { .contact = u->contact };
		struct sl_txn_response ring = { .status = 180 };
		struct sl_txn_response ok = { .status = 200 };
		uint32_t id;

		note_err(u, sl__dlg_uas_create(u->dlg, txn, rx, &p, &id));
		note_err(u, sl__dlg_respond(u->dlg, id, txn, &ring));
		note_err(u, sl__dlg_respond(u->dlg, id, txn, &ok));
	} else if (r->verdict == SL_DLG_RX_IN_DIALOG &&
		   r->method != SL_METHOD_CANCEL) {
		struct sl_txn_response ok = { .status = 200 };

		note_err(u, sl__dlg_respond(u->dlg, r->id, txn, &ok));
	}
}

static void ua_on_ack(void *arg, uint32_t txn, void *user, struct sl_rxbuf *rx)
{
	struct ua *u = arg;
	struct env_rq *r;

	(void)user;
	ck_assert_uint_lt(u->n_ack, ENV_MAX_EV);
	r = &u->ack[u->n_ack++];
	memset(r, 0, sizeof(*r));
	r->txn = txn;
	r->method = rx->msg.method;
	r->cseq = rx->msg.cseq.seq;
	r->verdict = sl__dlg_recv_request(u->dlg, txn, rx, &r->id);
}

static struct env_rs *add_rs(struct ua *u, uint32_t txn, int status)
{
	struct env_map *m = map_find(u, txn);
	struct env_rs *r;

	ck_assert_uint_lt(u->n_rs, ENV_MAX_EV);
	r = &u->rs[u->n_rs++];
	memset(r, 0, sizeof(*r));
	r->txn = txn;
	r->status = status;
	r->at_ms = tf_now_ms(&u->env->vc);
	if (m) {
		r->kind = m->kind;
		r->id = m->id;
		r->method = m->method;
	}
	return r;
}

static void ua_on_response(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx)
{
	struct ua *u = arg;
	struct env_rs *r = add_rs(u, txn, rx->msg.status);
	int invite_2xx = rx->msg.status >= 200 && rx->msg.status < 300 &&
			 r->method == SL_METHOD_INVITE;
	size_t n = rx->len < sizeof(r->text) - 1 ? rx->len :
		sizeof(r->text) - 1;

	(void)user;
	memcpy(r->text, rx->data, n);
	r->text[n] = '\0';
	if (r->kind == ENV_K_SET) {
		r->verdict = sl__dlg_uac_response(u->dlg, r->id, rx, &r->dlg);
		if (u->auto_ack && invite_2xx &&
		    (r->verdict == SL_DLG_UAC_CONFIRMED ||
		     r->verdict == SL_DLG_UAC_RETRANSMIT ||
		     r->verdict == SL_DLG_UAC_FORKED))
			send_ack(u, r->dlg);
		if (u->auto_bye_forked && r->verdict == SL_DLG_UAC_FORKED) {
			uint32_t bye;

			note_err(u, ua_send(u, r->dlg, "BYE", NULL, 0, &bye));
		}
	} else if (r->kind == ENV_K_DLG) {
		r->verdict = sl__dlg_recv_response(u->dlg, r->id, rx);
		if (u->auto_ack && invite_2xx &&
		    (r->verdict == SL_DLG_RESP_OK ||
		     r->verdict == SL_DLG_RESP_RETRANSMIT))
			send_ack(u, r->id);
	}
}

static void ua_on_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	struct ua *u = arg;
	struct env_map *m = map_find(u, txn);
	struct env_rs *r;

	(void)user;
	if (timer == 'H')
		return;
	r = add_rs(u, txn, 408);
	if (m && m->kind == ENV_K_DLG)
		r->verdict = sl__dlg_request_failed(u->dlg, m->id, m->method,
						    m->cseq, 408);
}

static void ua_on_tperr(void *arg, uint32_t txn, void *user, int err)
{
	(void)arg;
	(void)txn;
	(void)user;
	(void)err;
}

static void ua_on_terminated(void *arg, uint32_t txn, void *user)
{
	struct ua *u = arg;
	struct env_map *m = map_find(u, txn);

	(void)user;
	if (m && m->kind == ENV_K_SET && u->auto_end_set)
		sl__dlg_terminate(u->dlg, m->id);
	if (m)
		m->txn = 0;
}

static void on_dlg_end(void *arg, uint32_t id, enum sl_dlg_end why,
		       int status)
{
	struct ua *u = arg;
	struct env_term *t;

	ck_assert_uint_lt(u->n_term, ENV_MAX_EV);
	t = &u->term[u->n_term++];
	t->id = id;
	t->why = why;
	t->status = status;
	/* The id is dead when we hear of it. */
	ck_assert_int_eq(sl__dlg_info(u->dlg, id, &(struct sl_dlg_info){ 0 }),
			 SL_ENOTFOUND);
}

static void on_no_ack(void *arg, uint32_t id, uint32_t cseq)
{
	struct ua *u = arg;

	(void)cseq;
	ck_assert_uint_lt(u->n_no_ack, ENV_MAX_EV);
	u->no_ack[u->n_no_ack++] = id;
}

static uint32_t ua_random(void *arg)
{
	struct ua *u = arg;

	if (u->fixed_random)
		return u->rnd;
	u->rnd = u->rnd * 1103515245u + 12345u;
	return u->rnd >> 8;
}

static int io_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		   size_t len)
{
	struct ua *u = arg;
	struct env_sent *s;

	ck_assert_uint_lt(u->n_sent, ENV_MAX_SENT);
	s = &u->sent[u->n_sent++];
	s->at_ms = tf_now_ms(&u->env->vc);
	s->buf = malloc(len + 1);
	ck_assert_ptr_nonnull(s->buf);
	memcpy(s->buf, buf, len);
	s->buf[len] = '\0';
	s->len = len;
	return tf_net_send(&u->env->net.side[u->index], dst, buf, len);
}

static void ua_up(struct env *e, struct ua *u, int index,
		  const struct sl_dlg_config *c)
{
	struct sl_txn_config xc;
	struct sl_dlg_config dc;

	memset(u, 0, sizeof(*u));
	u->env = e;
	u->index = index;
	u->name = index ? "bob" : "alice";
	u->host = index ? "192.0.2.2" : "192.0.2.1";
	u->peer = index ? "192.0.2.1" : "192.0.2.2";
	u->contact = index ? "sip:bob@192.0.2.2:5060" :
		"sip:alice@192.0.2.1:5060";
	u->auto_ack = 1;
	u->auto_bye_forked = 1;
	u->auto_end_set = 1;
	u->rnd = index ? 77 : 11;

	sl__txn_config_init(&xc);
	xc.seed = index ? 2 : 1;
	xc.io.send = io_send;
	xc.io.arg = u;
	xc.tu.request = ua_on_request;
	xc.tu.ack = ua_on_ack;
	xc.tu.response = ua_on_response;
	xc.tu.timeout = ua_on_timeout;
	xc.tu.transport_error = ua_on_tperr;
	xc.tu.terminated = ua_on_terminated;
	xc.tu.arg = u;
	ck_assert_int_eq(sl__txn_create(&u->txn, e->loop, &xc), 0);
	e->net.layer[index] = u->txn;

	if (c)
		dc = *c;
	else
		sl__dlg_config_init(&dc);
	dc.random = ua_random;
	dc.random_arg = u;
	dc.ev.terminated = on_dlg_end;
	dc.ev.no_ack = on_no_ack;
	dc.ev.arg = u;
	ck_assert_int_eq(sl__dlg_create(&u->dlg, e->loop, u->txn, &dc), 0);
}

void env_up(struct env *e, const struct sl_dlg_config *ca,
	    const struct sl_dlg_config *cb)
{
	struct sl_loop_config lc = { 0 };
	struct tf_net_config nc = { .seed = 7, .min_delay_ms = 1,
				    .max_delay_ms = 1, .max_in_flight = 512 };

	memset(e, 0, sizeof(*e));
	sl__vclock_init(&e->vc, 0);
	lc.clock = &e->vc.clock;
	lc.max_timers = 8192;
	ck_assert_int_eq(sl__loop_create(&e->loop, &lc), 0);
	ck_assert_int_eq(tf_net_init(&e->net, e->loop, &nc), 0);
	ua_up(e, &e->a, 0, ca);
	ua_up(e, &e->b, 1, cb);
}

static void ua_down(struct ua *u)
{
	for (unsigned i = 0; i < u->n_rq; i++)
		sl__rxbuf_unref(u->rq[i].rx);
	u->n_rq = 0;
	sl__dlg_destroy(u->dlg);
	u->dlg = NULL;
	sl__txn_destroy(u->txn);
	u->txn = NULL;
	for (unsigned i = 0; i < u->n_sent; i++)
		free(u->sent[i].buf);
	u->n_sent = 0;
}

void env_down(struct env *e)
{
	ua_down(&e->a);
	ua_down(&e->b);
	ck_assert_uint_eq(tf_net_free(&e->net), 0);
	sl__loop_destroy(e->loop);
	e->loop = NULL;
}

void env_run(struct env *e, uint64_t ms)
{
	tf_run_until(e->loop, &e->vc, tf_now_ms(&e->vc) + ms);
}

/* ---- actions ---- */

struct sl_dlg_via ua_via(const struct ua *u)
{
	struct sl_dlg_via v = { .transport = "UDP", .host = u->host,
				.port = 5060, .rport = 1 };

	return v;
}

struct sl_tp_dest ua_dst(const struct ua *u)
{
	struct sl_tp_dest d;

	memset(&d, 0, sizeof(d));
	d.tp = SL_TP_UDP;
	ck_assert_int_eq(sl__addr_set(&d.addr, u->peer, strlen(u->peer),
				      5060), 0);
	return d;
}

uint32_t ua_invite(struct ua *u, const struct sl_dlg_uac_params *p,
		   const struct sl_txn_hdr *extra, unsigned n_extra)
{
	struct sl_dlg_uac_params def;
	struct sl_dlg_req r = { .method = "INVITE", .hdrs = extra,
				.n_hdrs = n_extra };
	struct sl_dlg_via via = ua_via(u);
	struct sl_tp_dest dst = ua_dst(u);
	static char buf[8192];
	uint32_t set, txn;
	int n;

	if (!p) {
		memset(&def, 0, sizeof(def));
		def.local_uri = u->index ? "sip:bob@example.com" :
			"sip:alice@example.com";
		def.local_display = u->index ? "Bob" : "Alice";
		def.remote_uri = u->index ? "sip:alice@example.com" :
			"sip:bob@example.com";
		def.target = u->index ? "sip:alice@192.0.2.1" :
			"sip:bob@192.0.2.2";
		def.contact = u->contact;
		p = &def;
	}
	ck_assert_int_eq(sl__dlg_uac_create(u->dlg, p, &set), 0);
	r.method = p->method ? p->method : "INVITE";
	n = sl__dlg_build_request(u->dlg, set, &via, &r, buf, sizeof(buf),
				  NULL);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sl__txn_request(u->txn, buf, (size_t)n, &dst, NULL,
					 &txn), 0);
	map_add(u, txn, ENV_K_SET, set, buf, (size_t)n);
	return set;
}

int ua_send(struct ua *u, uint32_t id, const char *method,
	    const struct sl_txn_hdr *extra, unsigned n_extra, uint32_t *txn)
{
	struct sl_dlg_req r = { .method = method, .hdrs = extra,
				.n_hdrs = n_extra };
	struct sl_dlg_via via = ua_via(u);
	struct sl_tp_dest dst = ua_dst(u);
	int rc;

	rc = sl__dlg_send_request(u->dlg, id, &via, &r, &dst, NULL, txn);
	if (rc == 0) {
		struct sl_dlg_info di;
		struct env_map *m;

		ck_assert_uint_lt(u->n_map, ENV_MAX_MAP);
		m = &u->map[u->n_map++];
		m->txn = *txn;
		m->kind = ENV_K_DLG;
		m->id = id;
		m->method = sl_method_from_name(method, strlen(method));
		ck_assert_int_eq(sl__dlg_info(u->dlg, id, &di), 0);
		m->cseq = di.local_cseq;
	}
	return rc;
}

uint32_t ua_send_raw(struct ua *u, uint32_t id, const char *buf, size_t len)
{
	struct sl_tp_dest dst = ua_dst(u);
	uint32_t txn;

	ck_assert_int_eq(sl__txn_request(u->txn, buf, len, &dst, NULL, &txn),
			 0);
	map_add(u, txn, id ? ENV_K_DLG : ENV_K_RAW, id, buf, len);
	return txn;
}

struct env_rq *ua_last_rq(struct ua *u, enum sl_method method)
{
	for (unsigned i = u->n_rq; i-- > 0;)
		if (u->rq[i].method == method)
			return &u->rq[i];
	return NULL;
}

struct env_rs *ua_last_rs(struct ua *u, enum sl_method method)
{
	for (unsigned i = u->n_rs; i-- > 0;)
		if (u->rs[i].method == method)
			return &u->rs[i];
	return NULL;
}

unsigned ua_count_rq(const struct ua *u, enum sl_method method)
{
	unsigned n = 0;

	for (unsigned i = 0; i < u->n_rq; i++)
		n += method == SL_METHOD_NONE || u->rq[i].method == method;
	return n;
}

unsigned ua_count_rs(const struct ua *u, int status)
{
	unsigned n = 0;

	for (unsigned i = 0; i < u->n_rs; i++)
		n += status == 0 || u->rs[i].status == status;
	return n;
}

unsigned ua_count_sent(const struct ua *u, const char *prefix)
{
	size_t len = strlen(prefix);
	unsigned n = 0;

	for (unsigned i = 0; i < u->n_sent; i++)
		n += u->sent[i].len >= len &&
		     memcmp(u->sent[i].buf, prefix, len) == 0;
	return n;
}

const struct env_sent *ua_last_sent(const struct ua *u, const char *prefix)
{
	size_t len = strlen(prefix);

	for (unsigned i = u->n_sent; i-- > 0;)
		if (u->sent[i].len >= len &&
		    memcmp(u->sent[i].buf, prefix, len) == 0)
			return &u->sent[i];
	return NULL;
}

const struct env_term *ua_term(const struct ua *u, uint32_t id)
{
	for (unsigned i = u->n_term; i-- > 0;)
		if (u->term[i].id == id)
			return &u->term[i];
	return NULL;
}

uint32_t ua_uas(struct ua *u, const struct env_rq *rq, const char *tag)
{
	struct sl_dlg_uas_params p = { .contact = u->contact,
				       .local_tag = tag };
	uint32_t id;

	ck_assert_ptr_nonnull(rq);
	ck_assert_int_eq(sl__dlg_uas_create(u->dlg, rq->txn, rq->rx, &p, &id),
			 0);
	return id;
}

int ua_respond(struct ua *u, uint32_t id, const struct env_rq *rq,
	       int status)
{
	struct sl_txn_response r = { .status = status };

	ck_assert_ptr_nonnull(rq);
	return sl__dlg_respond(u->dlg, id, rq->txn, &r);
}

enum sl_dlg_state ua_state(struct ua *u, uint32_t id)
{
	struct sl_dlg_info info;

	if (sl__dlg_info(u->dlg, id, &info) < 0)
		return SL_DLG_STATE_FREE;
	return info.state;
}

/* ---- looking at messages ---- */

void env_parse(const struct env_sent *s, struct sl_msg *out)
{
	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(tf_parse(s->buf, s->len, out), 0);
}

const char *env_hdr_n(const struct sl_msg *m, const char *name, int n)
{
	static char out[1024];
	struct sl_slice v;
	int i = sl_msg_find(m, name, &v);

	out[0] = '\0';
	while (i >= 0 && n-- > 0)
		i = sl_msg_find_next(m, i, &v);
	if (i >= 0)
		sl_slice_copy(v, out, sizeof(out));
	return out;
}

const char *env_ruri(const struct sl_msg *m)
{
	static char out[1024];

	sl_slice_copy(m->ruri_text, out, sizeof(out));
	return out;
}

/* ---- one UA alone ---- */

static void solo_end(void *arg, uint32_t id, enum sl_dlg_end why, int status)
{
	struct solo *s = arg;

	ck_assert_uint_lt(s->n_term, ENV_MAX_EV);
	s->term[s->n_term].id = id;
	s->term[s->n_term].why = why;
	s->term[s->n_term].status = status;
	s->n_term++;
}

void solo_up(struct solo *s, const struct sl_dlg_config *c)
{
	struct sl_dlg_config dc;

	memset(s, 0, sizeof(*s));
	tf_env_init(&s->te, NULL);
	if (c)
		dc = *c;
	else
		sl__dlg_config_init(&dc);
	dc.ev.terminated = solo_end;
	dc.ev.arg = s;
	ck_assert_int_eq(sl__dlg_create(&s->dlg, s->te.loop, s->te.l, &dc), 0);
}

void solo_down(struct solo *s)
{
	sl__dlg_destroy(s->dlg);
	ck_assert_uint_eq(tf_env_done(&s->te), 0);
}
