/*
 * transport/locate.c: RFC 3263 §4 server location (NAPTR, SRV, A/AAAA),
 * RFC 2782 SRV ordering, and the fail-over cursor.
 *
 * Owns: the request pool (max_requests slots, allocated at creation); each
 * slot holds its hosts, addresses and the DNS queries it has in flight.
 * Thread: the SIP loop thread only.
 * Called by: the transaction layer (sl__locate_start, then
 * sl__locate_next on each failure), through transport/dns.c's callbacks.
 *
 * A request moves through stages: NAPTR (one query), SRV (one query per
 * SRV name, in parallel), ADDR (A and/or AAAA per host, at most MAX_PEND
 * in flight, issued in host order), then DONE with its address list
 * sorted by (host order, family preference, arrival). Each stage ends when
 * its last query answers. Results that arrive out of order are placed by
 * that key, so a full list keeps the best targets, not the fastest.
 */
#include "core/mem.h"
#include "locate.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/log.h"
#include "core/loop.h"
#include "dns.h"
#include "sipline/error.h"

enum {
	DEFAULT_MAX_REQUESTS = 16,
	MAX_PEND = 6,          /* DNS queries in flight per request */
	SRV_TMP = 32,          /* SRV records considered per answer */
	NAPTR_TMP = 16,        /* NAPTR records considered per answer */
	PORT_SIP = 5060,
	PORT_SIPS = 5061
};

enum stage { ST_FREE = 0, ST_DEFER, ST_NAPTR, ST_SRV, ST_ADDR, ST_DONE };
enum kind { K_NAPTR, K_SRV, K_A, K_AAAA };

static const char mod[] = "locate";

struct req;

struct pend {
	struct req *r;
	uint32_t handle;       /* the DNS query; 0: free */
	uint8_t kind;
	uint8_t index;         /* SRV name or host */
};

struct host {
	char name[SL_DNS_TEXT_CAP];
	uint16_t port;
	uint8_t tp;
};

struct addr_rec {
	struct sl_addr addr;
	uint8_t host;
	uint8_t rank;          /* 0: the preferred family */
};

struct srvq {
	char name[SL_DNS_TEXT_CAP];
	uint8_t tp;
	uint8_t n_hosts;       /* hosts it gave (in its range of hosts[]) */
	uint8_t dot;           /* answered with the "." target */
};

struct req {
	struct sl_locator *lc;
	uint32_t id;           /* 0: free */
	uint32_t gen;
	uint8_t stage;
	uint8_t starting;      /* inside sl__locate_start(): no callback */
	uint8_t secure;
	uint8_t has_tp;        /* a transport parameter was given */
	uint8_t tp;            /* then: its transport (TLS for sips:) */
	uint8_t ip_pref;
	uint8_t answered;      /* a server has answered something */
	uint8_t n_srv;
	uint8_t n_hosts;
	uint8_t n_addrs;
	uint8_t cursor;
	uint8_t n_pend;
	uint16_t port;         /* the URI's, 0: none */
	uint16_t next_q;       /* next address query to issue */
	int err;               /* the most telling failure so far */
	int sync_err;          /* a failure inside sl__locate_start() */
	struct sl_timer timer; /* defers the numeric host's callback */
	sl_locate_cb cb;
	void *arg;
	char domain[SL_DNS_TEXT_CAP];
	struct srvq srv[SL_LOCATE_MAX_SRV];
	struct host hosts[SL_LOCATE_MAX_HOSTS];
	struct addr_rec addrs[SL_LOCATE_MAX_TARGETS];
	struct pend pend[MAX_PEND];
};

struct sl_locator {
	struct sl_loop *loop;
	struct sl_dns *dns;
	enum sl_ip_pref ip_pref;
	unsigned transports;
	int use_naptr;
	uint32_t (*rand)(void *arg);
	void *rand_arg;
	uint64_t rng;          /* the internal generator's state */
	uint32_t cap;
	uint32_t active;
	struct req *reqs;
};

/* ---- configuration ---- */

void sl__locate_config_init(struct sl_locate_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_requests = DEFAULT_MAX_REQUESTS;
	cfg->ip_pref = SL_IP_PREFER_V4;
	cfg->transports = SL_TP_BIT(SL_TP_UDP) | SL_TP_BIT(SL_TP_TCP) |
			  SL_TP_BIT(SL_TP_TLS);
	cfg->use_naptr = 1;
}

int sl__locate_query_from_uri(const struct sl_uri *u,
			      struct sl_locate_query *q)
{
	struct sl_slice v;

	if (!u || !q)
		return SL_EINVAL;
	memset(q, 0, sizeof(*q));
	if (u->scheme != SL_URI_SIP && u->scheme != SL_URI_SIPS)
		return SL_EUNSUPP;
	q->host = u->host;
	q->port = u->port;
	q->secure = u->scheme == SL_URI_SIPS;
	if (sl_uri_param(u, "maddr", &v) == 1 && v.len)
		q->host = v;
	if (!q->host.len)
		return SL_EINVAL;
	if (sl_uri_param(u, "transport", &v) == 1) {
		q->has_tp = 1;
		if (sl_slice_ieq(v, "udp"))
			q->tp = SL_TP_UDP;
		else if (sl_slice_ieq(v, "tcp"))
			q->tp = SL_TP_TCP;
		else if (sl_slice_ieq(v, "tls"))
			q->tp = SL_TP_TLS;
		else
			return SL_EUNSUPP;
	}
	return 0;
}

/* ---- RFC 2782 ordering ---- */

/* Moves r[from] to r[to] (to <= from), shifting the ones between up. */
static void rotate_in(struct sl_srv_rec *r, unsigned to, unsigned from)
{
	struct sl_srv_rec t = r[from];

	memmove(&r[to + 1], &r[to], (from - to) * sizeof(*r));
	r[to] = t;
}

void sl__srv_order(struct sl_srv_rec *r, unsigned n,
		   uint32_t (*rand)(void *arg), void *arg)
{
	unsigned a = 0;

	if (!r || !rand)
		return;
	/* Stable insertion sort by priority: n is small (SRV_TMP). */
	for (unsigned i = 1; i < n; i++) {
		unsigned j = i;

		while (j > 0 && r[j - 1].priority > r[i].priority)
			j--;
		if (j != i)
			rotate_in(r, j, i);
	}
	while (a < n) {
		unsigned b = a, z = a;

		while (b < n && r[b].priority == r[a].priority)
			b++;
		/* Zero weights first, so they get a small chance (RFC 2782,
		 * "Weight"); their relative order is kept. */
		for (unsigned i = a; i < b; i++)
			if (r[i].weight == 0)
				rotate_in(r, z++, i);
		for (unsigned pos = a; pos + 1 < b; pos++) {
			uint32_t sum = 0, run = 0, pick;
			unsigned i;

			for (i = pos; i < b; i++)
				sum += r[i].weight;
			pick = rand(arg) % (sum + 1);
			for (i = pos; i < b; i++) {
				run += r[i].weight;
				if (run >= pick)
					break;
			}
			/* pick <= sum, so i < b here. */
			if (i != pos)
				rotate_in(r, pos, i);
		}
		a = b;
	}
}

static uint32_t internal_rand(void *arg)
{
	struct sl_locator *lc = arg;

	/* xorshift64*: weights need spread, not secrecy. */
	lc->rng ^= lc->rng >> 12;
	lc->rng ^= lc->rng << 25;
	lc->rng ^= lc->rng >> 27;
	return (uint32_t)((lc->rng * 2685821657736338717ull) >> 32);
}

/* ---- requests ---- */

static struct req *find(struct sl_locator *lc, uint32_t id)
{
	struct req *r;

	if (!lc || !id)
		return NULL;
	r = &lc->reqs[(id - 1) % lc->cap];
	return r->id == id ? r : NULL;
}

static void release_req(struct req *r)
{
	for (unsigned i = 0; i < MAX_PEND; i++) {
		if (r->pend[i].handle) {
			sl__dns_cancel(r->lc->dns, r->pend[i].handle);
			r->pend[i].handle = 0;
		}
	}
	sl__loop_timer_stop(r->lc->loop, &r->timer);
	r->n_pend = 0;
	r->id = 0;
	r->stage = ST_FREE;
	r->cb = NULL;
	r->arg = NULL;
	r->lc->active--;
}

/*
 * The end of a request: on failure the slot is freed before the callback
 * (the id is dead), on success it stays for the cursor. Inside
 * sl__locate_start() nothing is called back: start returns the error.
 */
static void deliver(struct req *r, int err)
{
	sl_locate_cb cb = r->cb;
	void *arg = r->arg;
	uint32_t id = r->id;
	unsigned n = r->n_addrs;

	if (r->starting) {
		r->sync_err = err ? err : SL_EFAIL;
		return;
	}
	if (err)
		release_req(r);
	else
		r->stage = ST_DONE;
	cb(arg, id, err, err ? 0 : n);
}

/* Keeps the failure that says most about why nothing was found. */
static void note_err(struct req *r, int err)
{
	static const int rank[] = { SL_ETIMEOUT, SL_ENOMEM, SL_ETRANSPORT,
				    SL_EFAIL, SL_ENOTFOUND };
	int have = -1, got = -1;

	/* Anything else (SL_EINVAL for a name too long...) is a failure. */
	if (err != SL_ETIMEOUT && err != SL_ENOMEM && err != SL_ETRANSPORT &&
	    err != SL_ENOTFOUND)
		err = SL_EFAIL;
	for (int i = 0; i < (int)(sizeof(rank) / sizeof(rank[0])); i++) {
		if (rank[i] == r->err)
			have = i;
		if (rank[i] == err)
			got = i;
	}
	if (got > have)
		r->err = err;
}

static int family_for(const struct req *r, unsigned f)
{
	switch (r->ip_pref) {
	case SL_IP_V4_ONLY:
		return AF_INET;
	case SL_IP_V6_ONLY:
		return AF_INET6;
	case SL_IP_PREFER_V6:
		return f == 0 ? AF_INET6 : AF_INET;
	default:
		return f == 0 ? AF_INET : AF_INET6;
	}
}

static unsigned n_families(const struct req *r)
{
	return r->ip_pref == SL_IP_V4_ONLY || r->ip_pref == SL_IP_V6_ONLY ?
	       1 : 2;
}

static unsigned rank_of(const struct req *r, int family)
{
	return family_for(r, 0) == family ? 0 : 1;
}

static int family_allowed(const struct req *r, int family)
{
	for (unsigned f = 0; f < n_families(r); f++)
		if (family_for(r, f) == family)
			return 1;
	return 0;
}

/* RFC 3263 §4.1 without SRV: UDP for sip:, TLS over TCP for sips:. */
static uint8_t default_tp(const struct req *r)
{
	unsigned mask = r->lc->transports;

	if (r->secure)
		return SL_TP_TLS;
	if (r->has_tp)
		return r->tp;
	if (mask & SL_TP_BIT(SL_TP_UDP))
		return SL_TP_UDP;
	if (mask & SL_TP_BIT(SL_TP_TCP))
		return SL_TP_TCP;
	return SL_TP_TLS;
}

static uint16_t default_port(uint8_t tp)
{
	return tp == SL_TP_TLS ? PORT_SIPS : PORT_SIP;
}

/* Inserts by (host, rank), after equal keys; a full list drops its last. */
static void add_addr(struct req *r, const struct sl_addr *a, unsigned host,
		     unsigned rank)
{
	unsigned pos = r->n_addrs;

	while (pos > 0 && (r->addrs[pos - 1].host > host ||
			   (r->addrs[pos - 1].host == host &&
			    r->addrs[pos - 1].rank > rank)))
		pos--;
	if (pos >= SL_LOCATE_MAX_TARGETS)
		return;
	if (r->n_addrs == SL_LOCATE_MAX_TARGETS)
		r->n_addrs--;
	memmove(&r->addrs[pos + 1], &r->addrs[pos],
		(r->n_addrs - pos) * sizeof(r->addrs[0]));
	r->addrs[pos].addr = *a;
	r->addrs[pos].host = (uint8_t)host;
	r->addrs[pos].rank = (uint8_t)rank;
	r->n_addrs++;
}

static void on_dns(void *arg, int err, const struct sl_dns_msg *m);

static int issue(struct req *r, enum kind kind, unsigned index,
		 const char *name, uint16_t type)
{
	struct pend *p = NULL;
	int rc;

	for (unsigned i = 0; i < MAX_PEND; i++) {
		if (!r->pend[i].handle) {
			p = &r->pend[i];
			break;
		}
	}
	if (!p)
		return SL_ENOMEM;
	p->r = r;
	p->kind = (uint8_t)kind;
	p->index = (uint8_t)index;
	rc = sl__dns_query(r->lc->dns, name, strlen(name), type, on_dns, p,
			   &p->handle);
	if (rc < 0) {
		p->handle = 0;
		return rc;
	}
	r->n_pend++;
	return 0;
}

/* ---- the address stage ---- */

static void finish(struct req *r)
{
	if (r->n_addrs == 0) {
		deliver(r, r->err ? r->err : SL_ENOTFOUND);
		return;
	}
	r->cursor = 0;
	deliver(r, 0);
}

/* Issues address queries in host order while there is room. */
static void pump(struct req *r)
{
	unsigned nf = n_families(r);
	unsigned total = r->n_hosts * nf;

	while (r->next_q < total && r->n_pend < MAX_PEND) {
		unsigned h = r->next_q / nf;
		int family = family_for(r, r->next_q % nf);
		int rc;

		rc = issue(r, family == AF_INET ? K_A : K_AAAA, h,
			   r->hosts[h].name, family == AF_INET ?
			   SL_DNS_T_A : SL_DNS_T_AAAA);
		/* A full resolver pool frees up as our queries answer. */
		if (rc == SL_ENOMEM && r->n_pend > 0)
			break;
		r->next_q++;
		if (rc < 0)
			note_err(r, rc);
	}
	if (r->n_pend == 0 && r->next_q >= total)
		finish(r);
}

static void start_addr(struct req *r)
{
	r->stage = ST_ADDR;
	r->next_q = 0;
	pump(r);
}

struct addr_walk {
	struct req *r;
	unsigned host;
	int family;
};

static int take_addr(void *arg, const struct sl_dns_msg *m,
		     const struct sl_dns_rr *rr)
{
	struct addr_walk *w = arg;
	struct sl_addr a;

	(void)m;
	memset(&a, 0, sizeof(a));
	if (w->family == AF_INET) {
		a.u.in.sin_family = AF_INET;
		memcpy(&a.u.in.sin_addr, rr->u.a, 4);
		a.u.in.sin_port = htons(w->r->hosts[w->host].port);
		a.len = sizeof(a.u.in);
	} else {
		a.u.in6.sin6_family = AF_INET6;
		memcpy(&a.u.in6.sin6_addr, rr->u.aaaa, 16);
		a.u.in6.sin6_port = htons(w->r->hosts[w->host].port);
		a.len = sizeof(a.u.in6);
	}
	add_addr(w->r, &a, w->host, rank_of(w->r, w->family));
	return 0;
}

static void addr_done(struct req *r, unsigned host, int family, int err,
		      const struct sl_dns_msg *m)
{
	if (err == 0) {
		struct addr_walk w = { r, host, family };
		const char *name = r->hosts[host].name;

		if (sl__dns_each_answer(m, name, strlen(name),
					family == AF_INET ? SL_DNS_T_A :
					SL_DNS_T_AAAA, take_addr, &w) <= 0)
			note_err(r, SL_ENOTFOUND); /* no data */
	} else {
		note_err(r, err);
	}
	pump(r);
}

/* ---- the SRV stage ---- */

/* RFC 3263 §4.2: no SRV (or an explicit port): the host itself. */
static void add_fallback_host(struct req *r)
{
	struct host *h = &r->hosts[0];

	memcpy(h->name, r->domain, sizeof(h->name));
	h->tp = default_tp(r);
	h->port = r->port ? r->port : default_port(h->tp);
	r->n_hosts = 1;
}

/* Every SRV name has answered: gather the hosts, then addresses. */
static void srv_stage_end(struct req *r)
{
	unsigned lim, n = 0, dot = 0;

	lim = r->n_srv ? SL_LOCATE_MAX_HOSTS / r->n_srv : 0;
	/* Each SRV name filled its own range of hosts[]: close the gaps,
	 * keeping the names' order. */
	for (unsigned g = 0; g < r->n_srv; g++) {
		dot |= r->srv[g].dot;
		for (unsigned i = 0; i < r->srv[g].n_hosts; i++) {
			unsigned from = g * lim + i;

			if (from != n)
				r->hosts[n] = r->hosts[from];
			n++;
		}
	}
	r->n_hosts = (uint8_t)n;
	if (n == 0) {
		if (dot) {
			/* RFC 2782: "decidedly not available". */
			deliver(r, SL_ENOTFOUND);
			return;
		}
		if (!r->answered && (r->err == SL_ETIMEOUT ||
				     r->err == SL_ETRANSPORT)) {
			deliver(r, r->err);
			return;
		}
		add_fallback_host(r);
	}
	r->err = 0;
	start_addr(r);
}

struct srv_walk {
	struct sl_srv_rec rec[SRV_TMP];
	size_t target[SRV_TMP];
	unsigned n;
	unsigned dot;
};

static int take_srv(void *arg, const struct sl_dns_msg *m,
		    const struct sl_dns_rr *rr)
{
	struct srv_walk *w = arg;
	char t[2];

	/* The root target: the service is not offered here. */
	if (sl__dns_name_text(m, rr->u.srv.target, t, sizeof(t)) == 0) {
		w->dot = 1;
		return 0;
	}
	if (w->n >= SRV_TMP)
		return 1;
	w->rec[w->n].priority = rr->u.srv.priority;
	w->rec[w->n].weight = rr->u.srv.weight;
	w->rec[w->n].port = rr->u.srv.port;
	w->rec[w->n].index = (uint16_t)w->n;
	w->target[w->n] = rr->u.srv.target;
	w->n++;
	return 0;
}

static void srv_done(struct req *r, unsigned g, int err,
		     const struct sl_dns_msg *m)
{
	struct sl_locator *lc = r->lc;
	struct srvq *s = &r->srv[g];

	if (err == 0) {
		struct srv_walk w;
		unsigned lim = SL_LOCATE_MAX_HOSTS / r->n_srv;

		w.n = 0;
		w.dot = 0;
		sl__dns_each_answer(m, s->name, strlen(s->name), SL_DNS_T_SRV,
				    take_srv, &w);
		s->dot = (uint8_t)(w.dot && w.n == 0);
		sl__srv_order(w.rec, w.n, lc->rand, lc->rand_arg);
		for (unsigned i = 0; i < w.n && s->n_hosts < lim; i++) {
			struct host *h = &r->hosts[g * lim + s->n_hosts];

			if (w.rec[i].port == 0 ||
			    sl__dns_name_text(m, w.target[w.rec[i].index],
					      h->name, sizeof(h->name)) <= 0)
				continue;
			h->port = w.rec[i].port;
			h->tp = s->tp;
			s->n_hosts++;
		}
	} else if (err != SL_ENOTFOUND) {
		note_err(r, err);
	}
	if (r->n_pend == 0)
		srv_stage_end(r);
}

static void start_srv(struct req *r)
{
	int rc = 0;

	r->stage = ST_SRV;
	for (unsigned g = 0; g < r->n_srv; g++) {
		rc = issue(r, K_SRV, g, r->srv[g].name, SL_DNS_T_SRV);
		if (rc < 0)
			note_err(r, rc);
	}
	if (r->n_pend == 0) {
		/* Nothing could be asked: a dead resolver fails here,
		 * names that are too long fall back to A/AAAA. */
		if (rc == SL_ENOMEM || rc == SL_ETRANSPORT)
			deliver(r, rc);
		else
			srv_stage_end(r);
	}
}

static void add_srv_name(struct req *r, uint8_t tp)
{
	const char *prefix = tp == SL_TP_UDP ? "_sip._udp." :
			     tp == SL_TP_TCP && !r->secure ? "_sip._tcp." :
			     "_sips._tcp.";
	size_t pl = strlen(prefix), dl = strlen(r->domain);
	struct srvq *s;

	if (r->n_srv >= SL_LOCATE_MAX_SRV || pl + dl >= SL_DNS_TEXT_CAP)
		return;
	s = &r->srv[r->n_srv++];
	memcpy(s->name, prefix, pl);
	memcpy(s->name + pl, r->domain, dl + 1);
	s->tp = tp;
	s->n_hosts = 0;
	s->dot = 0;
}

/* RFC 3263 §4.1 when NAPTR gave nothing: one SRV name per transport. */
static void build_srv_names(struct req *r)
{
	unsigned mask = r->lc->transports;

	r->n_srv = 0;
	if (r->has_tp) {
		add_srv_name(r, r->tp);
		return;
	}
	if (r->secure) {
		add_srv_name(r, SL_TP_TLS);
		return;
	}
	for (uint8_t tp = 0; tp < SL_TP__COUNT; tp++)
		if (mask & SL_TP_BIT(tp))
			add_srv_name(r, tp);
}

/* ---- the NAPTR stage ---- */

struct naptr_rec {
	uint16_t order;
	uint16_t pref;
	uint8_t tp;
	size_t repl;
};

struct naptr_walk {
	const struct req *r;
	struct naptr_rec rec[NAPTR_TMP];
	unsigned n;
};

static int take_naptr(void *arg, const struct sl_dns_msg *m,
		      const struct sl_dns_rr *rr)
{
	struct naptr_walk *w = arg;
	struct sl_slice sv = rr->u.naptr.services;
	unsigned mask = w->r->lc->transports;
	char t[2];
	int tp;

	if (!sl_slice_ieq(rr->u.naptr.flags, "s"))
		return 0;
	if (sl_slice_ieq(sv, "SIPS+D2T"))
		tp = SL_TP_TLS;
	else if (sl_slice_ieq(sv, "SIP+D2T") && !w->r->secure)
		tp = SL_TP_TCP;
	else if (sl_slice_ieq(sv, "SIP+D2U") && !w->r->secure)
		tp = SL_TP_UDP;
	else
		return 0;
	if (!(mask & SL_TP_BIT(tp)) ||
	    sl__dns_name_text(m, rr->u.naptr.replacement, t, sizeof(t)) ==
	    0 || w->n >= NAPTR_TMP)
		return 0;
	w->rec[w->n].order = rr->u.naptr.order;
	w->rec[w->n].pref = rr->u.naptr.preference;
	w->rec[w->n].tp = (uint8_t)tp;
	w->rec[w->n].repl = rr->u.naptr.replacement;
	w->n++;
	return 0;
}

static void naptr_done(struct req *r, int err, const struct sl_dns_msg *m)
{
	r->n_srv = 0;
	if (err == 0) {
		struct naptr_walk w;

		w.r = r;
		w.n = 0;
		sl__dns_each_answer(m, r->domain, strlen(r->domain),
				    SL_DNS_T_NAPTR, take_naptr, &w);
		/* Stable insertion sort by (order, preference). */
		for (unsigned i = 1; i < w.n; i++) {
			struct naptr_rec t = w.rec[i];
			unsigned j = i;

			while (j > 0 && (w.rec[j - 1].order > t.order ||
					 (w.rec[j - 1].order == t.order &&
					  w.rec[j - 1].pref > t.pref))) {
				w.rec[j] = w.rec[j - 1];
				j--;
			}
			w.rec[j] = t;
		}
		for (unsigned i = 0; i < w.n && r->n_srv < SL_LOCATE_MAX_SRV;
		     i++) {
			struct srvq *s = &r->srv[r->n_srv];

			/* RFC 3403 §4: a lower order that has a usable
			 * record shuts out the higher ones. */
			if (w.rec[i].order != w.rec[0].order)
				break;
			if (sl__dns_name_text(m, w.rec[i].repl, s->name,
					      sizeof(s->name)) <= 0)
				continue;
			s->tp = w.rec[i].tp;
			s->n_hosts = 0;
			s->dot = 0;
			r->n_srv++;
		}
	} else if (err != SL_ENOTFOUND) {
		note_err(r, err);
	}
	if (r->n_srv == 0) {
		/* An unreachable server fails at once. A silent one may be
		 * a forwarder that drops NAPTR queries (some home routers
		 * do): on to SRV, whose timeouts then decide. */
		if (!r->answered && err == SL_ETRANSPORT) {
			deliver(r, err);
			return;
		}
		build_srv_names(r);
	}
	start_srv(r);
}

static void on_dns(void *arg, int err, const struct sl_dns_msg *m)
{
	struct pend *p = arg;
	struct req *r = p->r;
	unsigned kind = p->kind, index = p->index;

	p->handle = 0;
	r->n_pend--;
	if (m || err == SL_EFAIL)
		r->answered = 1;
	switch (kind) {
	case K_NAPTR:
		naptr_done(r, err, m);
		break;
	case K_SRV:
		srv_done(r, index, err, m);
		break;
	case K_A:
		addr_done(r, index, AF_INET, err, m);
		break;
	default:
		addr_done(r, index, AF_INET6, err, m);
		break;
	}
}

/* ---- numeric hosts ---- */

static void on_defer(struct sl_timer *t, void *arg)
{
	struct req *r = arg;

	(void)t;
	deliver(r, r->n_addrs ? 0 : SL_ENOTFOUND);
}

/* 1 when @r->domain is an address literal (then @a holds it). */
static int numeric_host(const struct req *r, struct sl_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, r->domain, &a->u.in.sin_addr) == 1) {
		a->u.in.sin_family = AF_INET;
		a->len = sizeof(a->u.in);
		return 1;
	}
	if (inet_pton(AF_INET6, r->domain, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->len = sizeof(a->u.in6);
		return 1;
	}
	return 0;
}

static int start_numeric(struct req *r, struct sl_addr *a)
{
	struct host *h = &r->hosts[0];
	uint16_t port;

	memcpy(h->name, r->domain, sizeof(h->name));
	h->tp = default_tp(r);
	h->port = r->port ? r->port : default_port(h->tp);
	r->n_hosts = 1;
	port = htons(h->port);
	if (a->u.sa.sa_family == AF_INET)
		a->u.in.sin_port = port;
	else
		a->u.in6.sin6_port = port;
	/* A v4 literal under SL_IP_V6_ONLY (or the reverse) is no target;
	 * that comes through the callback like any other "not found". */
	if (family_allowed(r, a->u.sa.sa_family))
		add_addr(r, a, 0, 0);
	r->stage = ST_DEFER;
	return sl__loop_timer_start(r->lc->loop, &r->timer, 0);
}

/* ---- the public side ---- */

int sl__locator_create(struct sl_locator **out, struct sl_loop *loop,
		       struct sl_dns *dns, const struct sl_locate_config *cfg)
{
	struct sl_locate_config def;
	struct sl_locator *lc;
	uint32_t cap;

	if (!out || !loop)
		return SL_EINVAL;
	*out = NULL;
	if (!cfg) {
		sl__locate_config_init(&def);
		cfg = &def;
	}
	if ((unsigned)cfg->ip_pref > SL_IP_V6_ONLY ||
	    !(cfg->transports & (SL_TP_BIT(SL_TP__COUNT) - 1)))
		return SL_EINVAL;
	cap = cfg->max_requests ? cfg->max_requests : DEFAULT_MAX_REQUESTS;
	/* The one allocation: the locator and its request pool. */
	lc = sl__calloc(1, sizeof(*lc));
	if (!lc)
		return SL_ENOMEM;
	lc->reqs = sl__calloc(cap, sizeof(*lc->reqs));
	if (!lc->reqs) {
		sl__free(lc);
		return SL_ENOMEM;
	}
	lc->loop = loop;
	lc->dns = dns;
	lc->ip_pref = cfg->ip_pref;
	lc->transports = cfg->transports & (SL_TP_BIT(SL_TP__COUNT) - 1);
	lc->use_naptr = cfg->use_naptr;
	lc->cap = cap;
	if (cfg->rand) {
		lc->rand = cfg->rand;
		lc->rand_arg = cfg->rand_arg;
	} else {
		if (getrandom(&lc->rng, sizeof(lc->rng), GRND_NONBLOCK) !=
		    (ssize_t)sizeof(lc->rng))
			lc->rng = (uintptr_t)lc ^ sl__loop_now_us(loop);
		lc->rng |= 1;
		lc->rand = internal_rand;
		lc->rand_arg = lc;
	}
	for (uint32_t i = 0; i < cap; i++) {
		lc->reqs[i].lc = lc;
		sl__timer_init(&lc->reqs[i].timer, on_defer, &lc->reqs[i]);
	}
	*out = lc;
	return 0;
}

void sl__locator_destroy(struct sl_locator *lc)
{
	if (!lc)
		return;
	for (uint32_t i = 0; i < lc->cap; i++)
		if (lc->reqs[i].id)
			release_req(&lc->reqs[i]);
	sl__free(lc->reqs);
	sl__free(lc);
}

int sl__locator_set_ip_pref(struct sl_locator *lc, enum sl_ip_pref pref)
{
	if (!lc || (unsigned)pref > SL_IP_V6_ONLY)
		return SL_EINVAL;
	lc->ip_pref = pref;
	return 0;
}

/* Copies the host, without the brackets of an IPv6 reference. */
static int take_host(struct req *r, struct sl_slice host)
{
	const char *p = host.p;
	size_t len = host.len;

	if (!p || !len)
		return SL_EINVAL;
	if (len >= 2 && p[0] == '[' && p[len - 1] == ']') {
		p++;
		len -= 2;
	}
	if (len && p[len - 1] == '.')
		len--;
	if (len == 0 || len >= SL_DNS_TEXT_CAP || memchr(p, '\0', len))
		return SL_EINVAL;
	memcpy(r->domain, p, len);
	r->domain[len] = '\0';
	return 0;
}

static int check_transport(const struct sl_locator *lc,
			   const struct sl_locate_query *q, uint8_t *tp)
{
	unsigned mask = lc->transports;

	if (q->secure) {
		/* sips: is TLS whatever the parameter says, but never UDP
		 * (RFC 3261 §26.2.2). */
		if (q->has_tp && q->tp == SL_TP_UDP)
			return SL_EUNSUPP;
		*tp = SL_TP_TLS;
	} else if (q->has_tp) {
		if ((unsigned)q->tp >= SL_TP__COUNT)
			return SL_EINVAL;
		*tp = (uint8_t)q->tp;
	} else {
		return 0;
	}
	return (mask & SL_TP_BIT(*tp)) ? 0 : SL_EUNSUPP;
}

int sl__locate_start(struct sl_locator *lc, const struct sl_locate_query *q,
		     sl_locate_cb cb, void *arg, uint32_t *id)
{
	struct req *r = NULL;
	struct sl_addr a;
	uint32_t idx;
	uint8_t tp = 0;
	int rc;

	if (id)
		*id = 0;
	if (!lc || !q || !cb)
		return SL_EINVAL;
	rc = check_transport(lc, q, &tp);
	if (rc < 0)
		return rc;
	for (idx = 0; idx < lc->cap; idx++) {
		if (!lc->reqs[idx].id) {
			r = &lc->reqs[idx];
			break;
		}
	}
	if (!r)
		return SL_ENOMEM;
	/* Clear everything after the fixed fields; the timer is idle. */
	r->stage = ST_FREE;
	r->secure = (uint8_t)(q->secure != 0);
	r->has_tp = (uint8_t)(q->has_tp != 0);
	r->tp = tp;
	r->ip_pref = (uint8_t)lc->ip_pref;
	r->answered = 0;
	r->n_srv = r->n_hosts = r->n_addrs = r->cursor = r->n_pend = 0;
	r->port = q->port;
	r->next_q = 0;
	r->err = 0;
	r->sync_err = 0;
	r->cb = cb;
	r->arg = arg;
	rc = take_host(r, q->host);
	if (rc < 0)
		return rc;
	if (!numeric_host(r, &a)) {
		uint8_t wire[SL_DNS_WIRE_NAME_MAX];
		size_t off = 0;

		/* A name DNS cannot carry fails here, not in a callback. */
		if (sl__dns_put_name(wire, sizeof(wire), &off, r->domain,
				     strlen(r->domain)) < 0)
			return SL_EINVAL;
		if (!lc->dns)
			return SL_EUNSUPP;
	}
	/* The slot is taken from here on. */
	r->gen++;
	if ((uint64_t)r->gen * lc->cap + idx + 1 > UINT32_MAX)
		r->gen = 0;
	r->id = r->gen * lc->cap + idx + 1;
	lc->active++;
	r->starting = 1;
	if (numeric_host(r, &a)) {
		rc = start_numeric(r, &a);
		r->starting = 0;
		if (rc < 0) {
			release_req(r);
			return rc;
		}
		if (id)
			*id = r->id;
		return 0;
	}
	/*
	 * RFC 3263 §4.2: an explicit port means A/AAAA only; a transport
	 * parameter means SRV for that transport; neither means NAPTR (or
	 * the SRV names of every transport we support).
	 */
	if (q->port) {
		add_fallback_host(r);
		start_addr(r);
	} else if (r->has_tp || !lc->use_naptr) {
		build_srv_names(r);
		start_srv(r);
	} else {
		r->stage = ST_NAPTR;
		rc = issue(r, K_NAPTR, 0, r->domain, SL_DNS_T_NAPTR);
		if (rc < 0)
			r->sync_err = rc;
	}
	r->starting = 0;
	if (r->sync_err) {
		rc = r->sync_err;
		release_req(r);
		return rc;
	}
	sl_log_debug(mod, "%u: locating %s", r->id, r->domain);
	if (id)
		*id = r->id;
	return 0;
}

static void fill_target(const struct req *r, unsigned index,
			struct sl_locate_target *out)
{
	const struct addr_rec *a = &r->addrs[index];

	out->tp = (enum sl_tp)r->hosts[a->host].tp;
	out->addr = a->addr;
	out->name = r->hosts[a->host].name;
	out->domain = r->domain;
}

int sl__locate_next(struct sl_locator *lc, uint32_t id,
		    struct sl_locate_target *out)
{
	struct req *r = find(lc, id);

	if (!r || !out)
		return SL_EHANDLE;
	if (r->stage != ST_DONE)
		return SL_ESTATE;
	if (r->cursor >= r->n_addrs)
		return SL_ENOTFOUND;
	fill_target(r, r->cursor++, out);
	return 0;
}

int sl__locate_get(struct sl_locator *lc, uint32_t id, unsigned index,
		   struct sl_locate_target *out)
{
	struct req *r = find(lc, id);

	if (!r || !out)
		return SL_EHANDLE;
	if (r->stage != ST_DONE)
		return SL_ESTATE;
	if (index >= r->n_addrs)
		return SL_ENOTFOUND;
	fill_target(r, index, out);
	return 0;
}

void sl__locate_release(struct sl_locator *lc, uint32_t id)
{
	struct req *r = find(lc, id);

	if (r)
		release_req(r);
}

unsigned sl__locate_active(const struct sl_locator *lc)
{
	return lc ? lc->active : 0;
}
