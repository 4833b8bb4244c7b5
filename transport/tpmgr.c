/*
 * transport/tpmgr.c: the transport manager (RFC 3261 §18): creation from
 * the config, the receive buffer pool and its references, the receive
 * dispatch (parse, deliver, or reject statelessly), send routing and the
 * keep-alive entry point (RFC 5626 §4.4.1).
 *
 * Owns: struct sl_tpmgr and the one memory block sized at creation that
 * holds the receive buffers, their parse arenas, the connection slots and
 * their buffers, the UDP keep-alive table and the stateless-answer buffer.
 * Thread: the SIP loop thread only.
 * Called by: the transaction layer (send, response routing, keep-alive)
 * and the UA (creation); udp.c and tcp.c hand received bytes back here.
 *
 * A received buffer carries one reference while it is delivered; a layer
 * that keeps the message takes its own with sl__rxbuf_ref(). When the pool
 * is empty, new input is dropped and counted, never queued.
 */
#include <assert.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/log.h"
#include "tp_int.h"
#include "tp_response.h"

enum {
	ALIGN = 16,
	DEFAULT_MAX_MSG = 65535,
	DEFAULT_RX_BUFFERS = 64,
	DEFAULT_MAX_CONNS = 64,
	DEFAULT_IDLE_MS = 300000,
	DEFAULT_CONNECT_MS = 5000
};

void sl__tp_config_init(struct sl_tp_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_msg_size = DEFAULT_MAX_MSG;
	cfg->rx_buffers = DEFAULT_RX_BUFFERS;
	cfg->rx_buffer_size = DEFAULT_MAX_MSG + 1;
	cfg->max_conns = DEFAULT_MAX_CONNS;
	cfg->tcp_idle_ms = DEFAULT_IDLE_MS;
	cfg->connect_timeout_ms = DEFAULT_CONNECT_MS;
	cfg->dscp = -1;
	cfg->tls_verify = 1;
	sl_parse_limits_init(&cfg->limits);
}

static void udp_ka_fire(struct sl_timer *t, void *arg);

/* ---- creation ---- */

/* Zero fields become defaults; the receive buffers must hold one byte more
 * than the largest message, so an oversized datagram is seen as such. */
static int resolve_config(const struct sl_tp_config *in,
			  struct sl_tp_config *out)
{
	*out = *in;
	if (out->n_binds > SL_TP_MAX_BINDS || out->dscp < -1 ||
	    out->dscp > 63)
		return SL_EINVAL;
	if (!out->max_msg_size)
		out->max_msg_size = DEFAULT_MAX_MSG;
	if (out->max_msg_size > (size_t)UINT32_MAX - 1)
		return SL_EINVAL;
	if (!out->rx_buffers)
		out->rx_buffers = DEFAULT_RX_BUFFERS;
	if (out->rx_buffer_size < out->max_msg_size + 1)
		out->rx_buffer_size = out->max_msg_size + 1;
	if (out->rx_buffer_size > UINT32_MAX)
		return SL_EINVAL;
	if (!out->max_conns)
		out->max_conns = DEFAULT_MAX_CONNS;
	if (!out->tcp_idle_ms)
		out->tcp_idle_ms = DEFAULT_IDLE_MS;
	if (!out->connect_timeout_ms)
		out->connect_timeout_ms = DEFAULT_CONNECT_MS;
	return 0;
}

/* Zero fields of cfg->limits mean the parser's defaults; the header table
 * is bounded as the parser bounds it (SL_HDR_NONE is not an index). */
static void resolve_limits(const struct sl_tp_config *cfg,
			   struct sl_parse_limits *lim)
{
	struct sl_parse_limits d;

	sl_parse_limits_init(&d);
	*lim = cfg->limits;
	lim->max_msg_size = cfg->max_msg_size;
	if (!lim->max_line_len)
		lim->max_line_len = d.max_line_len;
	if (!lim->max_headers)
		lim->max_headers = d.max_headers;
	if (lim->max_headers > SL_HDR_NONE - 1)
		lim->max_headers = SL_HDR_NONE - 1;
	if (!lim->max_vias)
		lim->max_vias = d.max_vias;
}

/* A bump layout over the one block: offsets first, memory second. */
struct layout {
	size_t size;
	int overflow;
};

static size_t take(struct layout *l, size_t n, size_t each)
{
	size_t off = (l->size + ALIGN - 1) & ~(size_t)(ALIGN - 1);

	if (each && n > (SIZE_MAX - off) / each) {
		l->overflow = 1;
		return 0;
	}
	l->size = off + n * each;
	return off;
}

/* The arena must hold a full header table and every Via the limits
 * allow; 16 KiB is the floor. */
static size_t arena_size(const struct sl_parse_limits *lim)
{
	size_t n = (size_t)lim->max_headers * sizeof(struct sl_hdr) +
		   (size_t)lim->max_vias * sizeof(struct sl_via) + 4 * ALIGN;

	return n < SL_TP_ARENA_SIZE ? SL_TP_ARENA_SIZE : n;
}

static int alloc_pools(struct sl_tpmgr *m)
{
	const struct sl_tp_config *c = &m->cfg;
	struct layout l = { 0, 0 };
	size_t o_rx, o_free, o_conns, o_ka, o_data, o_arena, o_in, o_out, o_tx;
	size_t asz = arena_size(&m->lim);
	unsigned char *base;

	m->in_cap = c->max_msg_size + 1;
	m->out_cap = c->max_msg_size;
	m->tx_cap = c->max_msg_size;
	o_rx = take(&l, c->rx_buffers, sizeof(struct sl_rxbuf));
	o_free = take(&l, c->rx_buffers, sizeof(uint32_t));
	o_conns = take(&l, c->max_conns, sizeof(struct sl_tp_conn));
	o_ka = take(&l, c->max_conns, sizeof(struct sl_tp_udp_ka));
	o_data = take(&l, c->rx_buffers, c->rx_buffer_size);
	o_arena = take(&l, c->rx_buffers, asz);
	o_in = take(&l, c->max_conns, m->in_cap);
	o_out = take(&l, c->max_conns, m->out_cap);
	o_tx = take(&l, 1, m->tx_cap);
	if (l.overflow)
		return SL_ENOMEM;
	/* The one allocation of the transports: everything after this is
	 * carved from it. calloc leaves untouched pages uncommitted, so a
	 * generous configuration costs address space until it is used. */
	m->mem = sl__calloc(1, l.size);
	if (!m->mem)
		return SL_ENOMEM;
	base = m->mem;
	m->rx = (struct sl_rxbuf *)(void *)(base + o_rx);
	m->rx_free = (uint32_t *)(void *)(base + o_free);
	m->conns = (struct sl_tp_conn *)(void *)(base + o_conns);
	m->udp_ka = (struct sl_tp_udp_ka *)(void *)(base + o_ka);
	m->tx = (char *)(base + o_tx);
	for (uint32_t i = 0; i < c->rx_buffers; i++) {
		struct sl_rxbuf *rx = &m->rx[i];

		rx->owner = m;
		rx->data = (char *)(base + o_data + i * c->rx_buffer_size);
		sl_arena_init(&rx->arena, base + o_arena + i * asz, asz);
		/* LIFO: the most recently used buffer is reused first,
		 * while it is still warm in the cache. */
		m->rx_free[i] = c->rx_buffers - 1 - i;
	}
	m->n_rx_free = c->rx_buffers;
	for (uint32_t i = 0; i < c->max_conns; i++) {
		struct sl_tp_conn *cn = &m->conns[i];

		cn->m = m;
		cn->fd = -1;
		cn->in = (char *)(base + o_in + i * m->in_cap);
		cn->out = (char *)(base + o_out + i * m->out_cap);
		/* Idle timers from the start, so stopping one on any path
		 * (destroy after a failed create) is always safe. */
		sl__timer_init(&cn->life, NULL, NULL);
		sl__timer_init(&cn->reap, NULL, NULL);
		sl__timer_init(&cn->ka_timer, NULL, NULL);
		sl__timer_init(&cn->pong_timer, NULL, NULL);
		m->udp_ka[i].m = m;
		sl__timer_init(&m->udp_ka[i].timer, udp_ka_fire,
			       &m->udp_ka[i]);
	}
	return 0;
}

static int open_bind(struct sl_tpmgr *m, const struct sl_tp_bind *b,
		     struct sl_tp_sock *s)
{
	struct sl_addr a;

	s->fd = -1;
	s->m = m;
	s->tp = b->tp;
	if (!b->host || sl__addr_set(&a, b->host, strlen(b->host),
				     b->port) != 0) {
		sl_log_error(SL_TP_LOG, "bind %s: not a numeric address",
			     b->host ? b->host : "(null)");
		return SL_EINVAL;
	}
	switch (b->tp) {
	case SL_TP_UDP:
		return sl__udp_open(m, s, &a);
	case SL_TP_TLS:
		if (!m->tls || !sl__tls_can_serve(m->tls)) {
			sl_log_error(SL_TP_LOG, "TLS bind %s:%u needs "
				     "tls_cert_file and tls_key_file",
				     b->host, b->port);
			return SL_EINVAL;
		}
		return sl__tcp_listen(m, s, &a);
	case SL_TP_TCP:
		return sl__tcp_listen(m, s, &a);
	default:
		return SL_EINVAL;
	}
}

static void close_socks(struct sl_tpmgr *m)
{
	for (unsigned i = 0; i < m->n_socks; i++) {
		struct sl_tp_sock *s = &m->socks[i];

		if (s->fd < 0)
			continue;
		if (s->tp == SL_TP_UDP)
			sl__udp_close(m, s);
		else
			sl__tcp_close_listener(m, s);
	}
	m->n_socks = 0;
}

int sl__tpmgr_create(struct sl_tpmgr **out, struct sl_loop *loop,
		     const struct sl_tp_config *cfg,
		     const struct sl_tp_handlers *h)
{
	struct sl_tpmgr *m;
	int rc;

	if (out)
		*out = NULL;
	if (!out || !loop || !cfg)
		return SL_EINVAL;
	m = sl__calloc(1, sizeof(*m));
	if (!m)
		return SL_ENOMEM;
	m->loop = loop;
	m->next_flow = 1;
	if (h)
		m->h = *h;
	rc = resolve_config(cfg, &m->cfg);
	if (rc)
		goto fail;
	/* One limit for every transport: the framer, the parser and the
	 * datagram check all read m->lim. */
	resolve_limits(&m->cfg, &m->lim);
	rc = alloc_pools(m);
	if (rc)
		goto fail;
	rc = sl__tls_create(m, &m->tls);
	if (rc)
		goto fail;
	for (unsigned i = 0; i < m->cfg.n_binds; i++) {
		rc = open_bind(m, &m->cfg.binds[i], &m->socks[i]);
		m->n_socks = i + 1;
		if (rc)
			goto fail;
	}
	/* The bind strings belong to the caller; only the resolved
	 * addresses are kept. */
	for (unsigned i = 0; i < m->cfg.n_binds; i++)
		m->cfg.binds[i].host = NULL;
	*out = m;
	return 0;
fail:
	sl__tpmgr_destroy(m);
	return rc;
}

void sl__tpmgr_destroy(struct sl_tpmgr *m)
{
	if (!m)
		return;
	if (m->udp_ka)
		for (uint32_t i = 0; i < m->cfg.max_conns; i++)
			sl__loop_timer_stop(m->loop, &m->udp_ka[i].timer);
	if (m->conns)
		sl__tcp_shutdown(m);
	close_socks(m);
	if (m->tls)
		sl__tls_destroy(m->tls);
	if (m->rx && m->n_rx_free != m->cfg.rx_buffers)
		sl_log_warn(SL_TP_LOG, "destroyed with %u receive buffers "
			    "still referenced",
			    (unsigned)(m->cfg.rx_buffers - m->n_rx_free));
	sl__free(m->mem);
	sl__free(m);
}

int sl__tpmgr_local(const struct sl_tpmgr *m, unsigned index,
		    struct sl_addr *out)
{
	if (!m || !out || index >= m->n_socks || m->socks[index].fd < 0)
		return SL_EINVAL;
	*out = m->socks[index].local;
	return 0;
}

int sl__tpmgr_local_for(const struct sl_tpmgr *m, enum sl_tp tp, int family,
			struct sl_addr *out)
{
	if (!m || !out)
		return SL_ENOTFOUND;
	for (unsigned i = 0; i < m->n_socks; i++) {
		const struct sl_tp_sock *s = &m->socks[i];

		if (s->fd >= 0 && s->tp == tp &&
		    sl__addr_family(&s->local) == family) {
			*out = s->local;
			return 0;
		}
	}
	return SL_ENOTFOUND;
}

/* Closes every connection whose local address is @host's (not port):
 * its address is gone, so is the connection; flow_closed tells the
 * layers above (a registration over it registers again). */
static void close_conns_from(struct sl_tpmgr *m, const struct sl_addr *host)
{
	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		struct sl_tp_conn *c = &m->conns[i];

		if ((c->state == SL_CONN_CONNECTING ||
		     c->state == SL_CONN_HANDSHAKE ||
		     c->state == SL_CONN_OPEN) &&
		    sl__addr_same_host(&c->local, host))
			sl__tcp_close_conn(c, SL_ETRANSPORT);
	}
}

int sl__tpmgr_rebind(struct sl_tpmgr *m, unsigned index, const char *host,
		     int family)
{
	struct sl_tp_sock *s;
	struct sl_tp_bind b;
	struct sl_addr old, a;
	uint16_t port;
	int rc;

	if (!m || index >= m->n_socks ||
	    (family != AF_INET && family != AF_INET6))
		return SL_EINVAL;
	if (!host || !host[0])
		host = family == AF_INET6 ? "::" : "0.0.0.0";
	if (sl__addr_set(&a, host, strlen(host), 0) != 0 ||
	    sl__addr_family(&a) != family)
		return SL_EINVAL;
	s = &m->socks[index];
	old = s->local;
	port = s->fd >= 0 ? sl__addr_port(&old) : m->cfg.binds[index].port;
	/* The old socket goes first: on "any" the same port would collide
	 * with it (no SO_REUSEPORT: two sockets must never share a port). */
	if (s->fd >= 0) {
		if (s->tp == SL_TP_UDP)
			sl__udp_close(m, s);
		else
			sl__tcp_close_listener(m, s);
		if (s->tp != SL_TP_UDP)
			close_conns_from(m, &old);
	}
	b.tp = s->tp;
	b.host = host;
	b.port = port;
	rc = open_bind(m, &b, s);
	if (rc == SL_ETRANSPORT && port) {
		/* The port is taken on the new address: any port will do,
		 * the UA advertises what it got. */
		sl_log_warn(SL_TP_LOG, "%s port %u not free on %s: taking "
			    "another", sl__tp_name(s->tp), port, host);
		b.port = 0;
		rc = open_bind(m, &b, s);
	}
	if (rc < 0) {
		sl_log_error(SL_TP_LOG, "%s listener %u not re-bound on %s: "
			     "%s", sl__tp_name(s->tp), index, host,
			     sl_strerror(rc));
		return rc;
	}
	m->cfg.binds[index].port = sl__addr_port(&s->local);
	return 0;
}

int sl__tpmgr_stats(const struct sl_tpmgr *m, struct sl_tp_stats *out)
{
	if (!m || !out)
		return SL_EINVAL;
	*out = m->stats;
	return 0;
}

void sl__tp_set_dscp(const struct sl_tpmgr *m, int fd, int family)
{
	int tos, rc;

	if (m->cfg.dscp < 0)
		return;
	/* DSCP is the upper six bits of the TOS / traffic class octet. */
	tos = m->cfg.dscp << 2;
	if (family == AF_INET6)
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
				sizeof(tos));
	else
		rc = setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	if (rc != 0)
		sl_log_warn(SL_TP_LOG, "DSCP %d not set: %s", m->cfg.dscp,
			    strerror(errno));
}

/* ---- receive buffers ---- */

struct sl_rxbuf *sl__tp_rx_get(struct sl_tpmgr *m)
{
	struct sl_rxbuf *rx;

	if (m->n_rx_free == 0)
		return NULL;
	rx = &m->rx[m->rx_free[--m->n_rx_free]];
	rx->refs = 1;
	rx->len = 0;
	rx->flow = 0;
	rx->received_differs = 0;
	m->stats.rx_in_use++;
	if (m->stats.rx_in_use > m->stats.rx_high_water)
		m->stats.rx_high_water = m->stats.rx_in_use;
	return rx;
}

void sl__rxbuf_ref(struct sl_rxbuf *rx)
{
	if (rx)
		rx->refs++;
}

void sl__rxbuf_unref(struct sl_rxbuf *rx)
{
	struct sl_tpmgr *m;

	if (!rx)
		return;
	assert(rx->refs > 0);
	if (rx->refs == 0 || --rx->refs > 0)
		return;
	m = rx->owner;
	if (!m)
		return; /* a buffer a test or another layer made by hand */
#ifndef NDEBUG
	/* A message used after its last reference reads as garbage, not
	 * as the next peer's bytes. */
	memset(rx->data, 0xdd, rx->len);
#endif
	sl_arena_reset(&rx->arena);
	m->rx_free[m->n_rx_free++] = (uint32_t)(rx - m->rx);
	m->stats.rx_in_use--;
}

/* ---- receive dispatch ---- */

static void log_reject(const struct sl_rxbuf *rx,
		       const struct sl_parse_error *err, int answered)
{
	char host[64];

	if (sl__addr_host(&rx->src, host, sizeof(host)) < 0)
		host[0] = '\0';
	sl_log_info(SL_TP_LOG, "%s message from %s port %u (%u bytes) "
		    "rejected: %s at offset %zu%s%d", sl__tp_name(rx->tp),
		    host, sl__addr_port(&rx->src), rx->len, err->reason,
		    err->offset, answered ? ", answered " : ", dropped ",
		    answered ? err->status : 0);
}

static void reject(struct sl_tpmgr *m, struct sl_rxbuf *rx,
		   struct sl_parse_error *err)
{
	int answered = 0;

	m->stats.rx_bad++;
	/* A bad response is dropped (§18.1.2); a bad request gets its
	 * status when there is enough of it to answer. */
	if (err->status && rx->msg.is_request &&
	    sl__tp_answer(m, rx, err->status, err->reason) == 0) {
		answered = 1;
		m->stats.stateless_answers++;
	}
	if (!answered)
		err->status = 0;
	log_reject(rx, err, answered);
	if (m->h.rejected)
		m->h.rejected(m->h.arg, err, &rx->src);
}

void sl__tp_dispatch(struct sl_tpmgr *m, struct sl_rxbuf *rx,
		     unsigned parse_flags, int oversized)
{
	struct sl_parse_limits lim = m->lim;
	struct sl_parse_error err;
	struct sl_via via;
	int rc;

	sl_arena_reset(&rx->arena);
	rx->received_differs = 0;
	/* An oversized datagram is parsed only to answer it 513: the limit
	 * is lifted so the parser reads its headers. */
	if (oversized)
		lim.max_msg_size = rx->len;
	rc = sl_msg_parse(&rx->msg, rx->data, rx->len, &rx->arena, &lim,
			  parse_flags, &err);
	if (oversized) {
		m->stats.rx_oversized++;
		err.code = SL_ETOOBIG;
		err.status = 513;
		err.reason = "Message Too Large";
		err.offset = m->lim.max_msg_size;
		rc = SL_ETOOBIG;
	}
	if (rc == 0) {
		if (rx->msg.is_request && sl__tp_top_via(&rx->msg, &via) == 0)
			rx->received_differs =
				sl__tp_received_differs(&via, &rx->src);
		m->stats.rx_msgs++;
		if (m->h.recv)
			m->h.recv(m->h.arg, rx);
	} else {
		reject(m, rx, &err);
	}
	sl__rxbuf_unref(rx);
}

/* ---- sending ---- */

int sl__tp_send(struct sl_tpmgr *m, struct sl_tp_dest *dst, const char *buf,
		size_t len)
{
	int rc;

	if (!m || !dst || !buf || len == 0)
		return SL_EINVAL;
	if (len > m->cfg.max_msg_size) {
		m->stats.tx_errors++;
		sl_log_warn(SL_TP_LOG, "not sending %zu bytes: over "
			    "max_msg_size %zu", len, m->cfg.max_msg_size);
		return SL_ETOOBIG;
	}
	switch (dst->tp) {
	case SL_TP_UDP:
		dst->flow = 0;
		rc = sl__udp_send(m, &dst->addr, buf, len);
		break;
	case SL_TP_TCP:
	case SL_TP_TLS:
		rc = sl__tcp_send(m, dst, buf, len);
		break;
	default:
		return SL_EINVAL;
	}
	if (rc < 0)
		m->stats.tx_errors++;
	else
		m->stats.tx_msgs++;
	return rc;
}

/* ---- keep-alive ---- */

static const char ping[] = "\r\n\r\n";

static void udp_ka_fire(struct sl_timer *t, void *arg)
{
	struct sl_tp_udp_ka *k = arg;

	(void)t;
	/* No pong on datagrams: a lost ping is simply the next one. */
	if (sl__udp_send(k->m, &k->addr, ping, sizeof(ping) - 1) < 0)
		sl_log_debug(SL_TP_LOG, "UDP keep-alive not sent");
	if (sl__loop_timer_start(k->m->loop, &k->timer, k->interval_ms))
		sl_log_warn(SL_TP_LOG, "UDP keep-alive stopped: timer heap "
			    "full");
}

static int udp_keepalive(struct sl_tpmgr *m, const struct sl_addr *to,
			 uint32_t interval_ms)
{
	struct sl_tp_udp_ka *k = NULL, *free_k = NULL;

	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		struct sl_tp_udp_ka *e = &m->udp_ka[i];

		if (e->used && sl__addr_equal(&e->addr, to)) {
			k = e;
			break;
		}
		if (!e->used && !free_k)
			free_k = e;
	}
	if (interval_ms == 0) {
		if (k) {
			sl__loop_timer_stop(m->loop, &k->timer);
			k->used = 0;
		}
		return 0;
	}
	if (!k) {
		struct sl_addr local;

		if (!free_k)
			return SL_ENOMEM;
		if (sl__tpmgr_local_for(m, SL_TP_UDP, sl__addr_family(to),
					&local) != 0)
			return SL_ETRANSPORT;
		k = free_k;
		k->used = 1;
		k->addr = *to;
	}
	k->interval_ms = interval_ms;
	if (sl__loop_timer_start(m->loop, &k->timer, interval_ms)) {
		k->used = 0;
		return SL_ENOMEM;
	}
	return 0;
}

int sl__tp_keepalive(struct sl_tpmgr *m, const struct sl_tp_dest *dst,
		     uint32_t interval_ms)
{
	struct sl_tp_conn *c;

	if (!m || !dst)
		return SL_EINVAL;
	switch (dst->tp) {
	case SL_TP_UDP:
		return udp_keepalive(m, &dst->addr, interval_ms);
	case SL_TP_TCP:
	case SL_TP_TLS:
		c = sl__tcp_find(m, dst);
		if (!c)
			return interval_ms ? SL_ETRANSPORT : 0;
		return sl__tcp_keepalive(c, interval_ms);
	default:
		return SL_EINVAL;
	}
}

int sl__tp_sock_bind(struct sl_tpmgr *m, struct sl_tp_sock *s, int fd,
		     const struct sl_addr *bind_addr, const char *host,
		     int backlog, void (*cb)(void *arg, int fd,
					     unsigned events))
{
	const char *name = sl__tp_name(s->tp);
	int rc;

	sl__tp_set_dscp(m, fd, sl__addr_family(bind_addr));
	if (bind(fd, &bind_addr->u.sa, bind_addr->len) != 0 ||
	    (backlog > 0 && listen(fd, backlog) != 0)) {
		sl_log_error(SL_TP_LOG, "%s bind %s port %u: %s", name, host,
			     sl__addr_port(bind_addr), strerror(errno));
		close(fd);
		return SL_ETRANSPORT;
	}
	s->local = *bind_addr;
	s->local.len = sizeof(s->local.u);
	if (getsockname(fd, &s->local.u.sa, &s->local.len) != 0) {
		close(fd);
		return SL_ETRANSPORT;
	}
	rc = sl__loop_watch(m->loop, fd, SL_IO_READ, cb, s);
	if (rc < 0) {
		sl_log_error(SL_TP_LOG, "%s %s: loop refused the socket: %s",
			     name, host, sl_strerror(rc));
		close(fd);
		return rc;
	}
	s->fd = fd;
	s->m = m;
	sl_log_info(SL_TP_LOG, "%s listening on %s port %u", name, host,
		    sl__addr_port(&s->local));
	return 0;
}
