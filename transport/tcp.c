/*
 * transport/tcp.c: SIP over TCP and TLS connections (RFC 3261 §18 and
 * §18.3 framing, RFC 5626 §4.4.1 CRLF keep-alive, RFC 5923-style reuse of
 * an open connection to the same address and transport).
 *
 * Owns: the listening stream sockets and the connection slots of the
 * manager (struct sl_tp_conn): their fds, framers, input and output
 * buffers and timers. TLS sessions belong to tls.c, attached per slot.
 * Thread: the SIP loop thread only.
 * Called by: tpmgr.c (send, keep-alive, shutdown); the loop (I/O, timers).
 *
 * Life of a connection: CONNECTING (non-blocking connect, bounded by
 * connect_timeout_ms, which also bounds the TLS handshake) -> HANDSHAKE
 * (TLS) -> OPEN -> CLOSED (fd gone; the flow_closed report follows from a
 * zero-delay timer so it never runs inside sl__tp_send()) -> FREE.
 *
 * Input is read into the slot's buffer and cut into messages by
 * sl_framer_feed(); each message is copied into a pooled receive buffer
 * (the slot's buffer keeps the bytes of the next one). Output that the
 * socket does not take at once waits in the slot's fixed write queue; a
 * queue that would overflow closes the connection, since a peer that does
 * not read would otherwise hold the memory forever.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "tp_int.h"

enum {
	ACCEPT_BURST = 16,
	READ_ROUNDS = 256,    /* reads per wake-up, each makes progress */
	LISTEN_BACKLOG = 16
};

static const char pong[] = "\r\n";
static const char ping[] = "\r\n\r\n";

static void conn_io(void *arg, int fd, unsigned events);
static void life_fire(struct sl_timer *t, void *arg);
static void reap_fire(struct sl_timer *t, void *arg);
static void ka_fire(struct sl_timer *t, void *arg);
static void pong_fire(struct sl_timer *t, void *arg);

static const char *peer_text(const struct sl_tp_conn *c, char *buf,
			     size_t cap)
{
	if (sl__addr_host(&c->peer, buf, cap) < 0)
		buf[0] = '\0';
	return buf;
}

/* ---- slots ---- */

static int live(const struct sl_tp_conn *c)
{
	return c->state == SL_CONN_CONNECTING ||
	       c->state == SL_CONN_HANDSHAKE || c->state == SL_CONN_OPEN;
}

static uint32_t new_flow_id(struct sl_tpmgr *m)
{
	for (;;) {
		uint32_t id = m->next_flow++;
		int used = 0;

		if (id == 0)
			continue;
		/* After 2^32 connections an id could come round while its
		 * old owner is still open: skip those. */
		for (uint32_t i = 0; i < m->cfg.max_conns && !used; i++)
			used = m->conns[i].state != SL_CONN_FREE &&
			       m->conns[i].id == id;
		if (!used)
			return id;
	}
}

static struct sl_tp_conn *conn_alloc(struct sl_tpmgr *m, enum sl_tp tp)
{
	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		struct sl_tp_conn *c = &m->conns[i];

		if (c->state != SL_CONN_FREE)
			continue;
		c->id = new_flow_id(m);
		c->tp = tp;
		c->fd = -1;
		c->incoming = 0;
		c->close_err = 0;
		c->events = 0;
		memset(&c->peer, 0, sizeof(c->peer));
		memset(&c->local, 0, sizeof(c->local));
		sl_framer_reset(&c->framer);
		c->in_len = 0;
		c->out_len = 0;
		c->tls_pending = 0;
		c->tls_name[0] = '\0';
		c->last_us = sl__loop_now_us(m->loop);
		c->ka_interval_ms = 0;
		c->tls = NULL;
		sl__timer_init(&c->life, life_fire, c);
		sl__timer_init(&c->reap, reap_fire, c);
		sl__timer_init(&c->ka_timer, ka_fire, c);
		sl__timer_init(&c->pong_timer, pong_fire, c);
		/* Not FREE from here on, so a second alloc won't take it. */
		c->state = SL_CONN_CONNECTING;
		m->stats.conns_in_use++;
		return c;
	}
	return NULL;
}

/* Gives back a slot that never got a socket into the loop, and so was
 * never seen by anyone: no report. */
static void conn_discard(struct sl_tp_conn *c)
{
	if (c->tls)
		sl__tls_conn_free(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = SL_CONN_FREE;
	c->m->stats.conns_in_use--;
}

static void stop_timers(struct sl_tp_conn *c)
{
	struct sl_loop *l = c->m->loop;

	sl__loop_timer_stop(l, &c->life);
	sl__loop_timer_stop(l, &c->ka_timer);
	sl__loop_timer_stop(l, &c->pong_timer);
}

static void reap(struct sl_tp_conn *c)
{
	struct sl_tpmgr *m = c->m;
	uint32_t id = c->id;
	int err = c->close_err;

	c->state = SL_CONN_FREE;
	m->stats.conns_in_use--;
	if (m->h.flow_closed)
		m->h.flow_closed(m->h.arg, id, err);
}

static void reap_fire(struct sl_timer *t, void *arg)
{
	(void)t;
	reap(arg);
}

void sl__tcp_close_conn(struct sl_tp_conn *c, int err)
{
	struct sl_tpmgr *m = c->m;

	if (!live(c))
		return;
	stop_timers(c);
	if (c->fd >= 0) {
		sl__loop_unwatch(m->loop, c->fd);
		close(c->fd);
		c->fd = -1;
	}
	if (c->tls)
		sl__tls_conn_free(c);
	c->state = SL_CONN_CLOSED;
	c->close_err = err;
	c->in_len = 0;
	c->out_len = 0;
	c->tls_pending = 0;
	m->stats.conns_closed++;
	/* Reported from the loop, not from inside whatever call closed it
	 * (a send from a transaction, a delivery callback). */
	if (sl__loop_timer_start(m->loop, &c->reap, 0) != 0)
		reap(c);
}

void sl__tcp_shutdown(struct sl_tpmgr *m)
{
	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		struct sl_tp_conn *c = &m->conns[i];

		if (c->state == SL_CONN_FREE)
			continue;
		stop_timers(c);
		sl__loop_timer_stop(m->loop, &c->reap);
		if (c->fd >= 0) {
			sl__loop_unwatch(m->loop, c->fd);
			close(c->fd);
			c->fd = -1;
		}
		if (c->tls)
			sl__tls_conn_free(c);
		c->state = SL_CONN_FREE;
	}
	m->stats.conns_in_use = 0;
}

/* What the loop should watch: reading always, writing while connecting,
 * while bytes wait, or while TLS needs the socket writable. */
static void update_events(struct sl_tp_conn *c)
{
	unsigned want = SL_IO_READ;

	if (!live(c) || c->fd < 0)
		return;
	if (c->state == SL_CONN_CONNECTING || c->out_len ||
	    (c->tls && sl__tls_wants_write(c)))
		want |= SL_IO_WRITE;
	if (want != c->events &&
	    sl__loop_modify(c->m->loop, c->fd, want) == 0)
		c->events = want;
}

static void arm_life(struct sl_tp_conn *c, uint32_t ms)
{
	if (sl__loop_timer_start(c->m->loop, &c->life, ms) != 0)
		sl_log_warn(SL_TP_LOG, "flow %u: no timer left for its "
			    "timeout", c->id);
}

/* ---- writing ---- */

static void consume_out(struct sl_tp_conn *c, size_t n)
{
	memmove(c->out, c->out + n, c->out_len - n);
	c->out_len -= n;
}

/* One write of up to @len bytes. Return: bytes taken, SL_EAGAIN, or
 * SL_ETRANSPORT. */
static int write_some(struct sl_tp_conn *c, const char *buf, size_t len)
{
	ssize_t n;

	if (c->tls)
		return sl__tls_write(c, buf, len);
	for (;;) {
		n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return SL_EAGAIN;
		sl_log_debug(SL_TP_LOG, "flow %u: send: %s", c->id,
			     strerror(errno));
		return SL_ETRANSPORT;
	}
}

/* Writes the queue until the socket pushes back. Return: 0, or
 * SL_ETRANSPORT after closing @c. */
static int flush(struct sl_tp_conn *c)
{
	/* Each round takes at least one byte or stops. */
	while (c->out_len) {
		/* mbedtls wants a repeated write with the same length. */
		size_t len = c->tls_pending ? c->tls_pending : c->out_len;
		int n = write_some(c, c->out, len);

		if (n == SL_EAGAIN) {
			if (c->tls)
				c->tls_pending = len;
			break;
		}
		if (n < 0) {
			sl__tcp_close_conn(c, SL_ETRANSPORT);
			return SL_ETRANSPORT;
		}
		c->tls_pending = 0;
		consume_out(c, (size_t)n);
		c->last_us = sl__loop_now_us(c->m->loop);
	}
	update_events(c);
	return 0;
}

int sl__tcp_write(struct sl_tp_conn *c, const char *buf, size_t len)
{
	struct sl_tpmgr *m = c->m;
	size_t off = 0;
	char host[64];

	if (!live(c))
		return SL_ETRANSPORT;
	/* Straight to the socket when nothing is queued before it. */
	if (c->state == SL_CONN_OPEN && c->out_len == 0) {
		while (off < len) {
			int n = write_some(c, buf + off, len - off);

			if (n == SL_EAGAIN) {
				if (c->tls)
					c->tls_pending = len - off;
				break;
			}
			if (n < 0) {
				sl__tcp_close_conn(c, SL_ETRANSPORT);
				return SL_ETRANSPORT;
			}
			off += (size_t)n;
		}
	}
	if (off < len) {
		if (len - off > m->out_cap - c->out_len) {
			sl_log_warn(SL_TP_LOG, "%s flow %u to %s port %u: "
				    "write queue full (%zu bytes waiting, "
				    "%zu more), closing", sl__tp_name(c->tp),
				    c->id, peer_text(c, host, sizeof(host)),
				    sl__addr_port(&c->peer), c->out_len,
				    len - off);
			sl__tcp_close_conn(c, SL_ETRANSPORT);
			return SL_ETRANSPORT;
		}
		memcpy(c->out + c->out_len, buf + off, len - off);
		c->out_len += len - off;
	}
	c->last_us = sl__loop_now_us(m->loop);
	update_events(c);
	return 0;
}

/* ---- reading and framing ---- */

static void consume_in(struct sl_tp_conn *c, size_t n)
{
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	sl_framer_reset(&c->framer);
}

static void deliver(struct sl_tp_conn *c, size_t len)
{
	struct sl_tpmgr *m = c->m;
	struct sl_rxbuf *rx = sl__tp_rx_get(m);

	if (!rx) {
		m->stats.rx_dropped_nobuf++;
		sl_log_warn(SL_TP_LOG, "flow %u: receive buffers exhausted, "
			    "message of %zu bytes dropped", c->id, len);
		return;
	}
	memcpy(rx->data, c->in, len);
	rx->len = (uint32_t)len;
	rx->tp = c->tp;
	rx->src = c->peer;
	rx->local = c->local;
	rx->flow = c->id;
	sl__tp_dispatch(m, rx, SL_PARSE_STREAM, 0);
}

/* Cuts every complete message out of the input. Return: 0, or an error
 * after closing @c. */
static int frame(struct sl_tp_conn *c)
{
	struct sl_tpmgr *m = c->m;
	char host[64];

	/* Each round consumes at least one byte or returns. */
	while (c->state == SL_CONN_OPEN && c->in_len) {
		size_t n = 0;
		int rc = sl_framer_feed(&c->framer, c->in, c->in_len, &m->lim,
					&n);

		if (rc == SL_FRAME_NEED_MORE)
			return 0;
		if (rc == SL_FRAME_KEEPALIVE) {
			m->stats.rx_keepalives++;
			consume_in(c, n);
			if (n == 4) {
				/* RFC 5626 §4.4.1: a ping gets a pong. */
				if (sl__tcp_write(c, pong, sizeof(pong) - 1))
					return SL_ETRANSPORT;
			} else if (n == 2) {
				sl__loop_timer_stop(m->loop, &c->pong_timer);
			}
			continue;
		}
		if (rc == SL_FRAME_MESSAGE) {
			deliver(c, n);
			/* The callback may have closed the connection. */
			if (c->state != SL_CONN_OPEN)
				return SL_ETRANSPORT;
			consume_in(c, n);
			continue;
		}
		if (rc == SL_ETOOBIG)
			m->stats.rx_oversized++;
		else
			m->stats.rx_bad++;
		sl_log_warn(SL_TP_LOG, "%s flow %u from %s port %u: %s input "
			    "(%zu bytes buffered), closing",
			    sl__tp_name(c->tp), c->id,
			    peer_text(c, host, sizeof(host)),
			    sl__addr_port(&c->peer),
			    rc == SL_ETOOBIG ? "oversized" : "unframeable",
			    c->in_len);
		sl__tcp_close_conn(c, SL_ETRANSPORT);
		return rc < 0 ? rc : SL_EPARSE;
	}
	return 0;
}

/* One read into the free part of the input buffer. Return: bytes read,
 * 0 at end of stream, SL_EAGAIN, or SL_ETRANSPORT. */
static int read_some(struct sl_tp_conn *c)
{
	size_t room = c->m->in_cap - c->in_len;
	ssize_t n;

	if (c->tls)
		return sl__tls_read(c, c->in + c->in_len, room);
	for (;;) {
		n = recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return SL_EAGAIN;
		sl_log_debug(SL_TP_LOG, "flow %u: recv: %s", c->id,
			     strerror(errno));
		return SL_ETRANSPORT;
	}
}

static void read_input(struct sl_tp_conn *c)
{
	for (int round = 0; round < READ_ROUNDS; round++) {
		size_t room;
		int n;

		if (c->state != SL_CONN_OPEN)
			return;
		/* The framer always decides once the buffer is full (it
		 * holds max_msg_size + 1), so there is room here. */
		room = c->m->in_cap - c->in_len;
		n = read_some(c);
		if (n == SL_EAGAIN)
			return;
		if (n <= 0) {
			char host[64];

			sl_log_debug(SL_TP_LOG, "%s flow %u from %s port %u: "
				     "%s", sl__tp_name(c->tp), c->id,
				     peer_text(c, host, sizeof(host)),
				     sl__addr_port(&c->peer),
				     n == 0 ? "closed by peer" : "read error");
			sl__tcp_close_conn(c, SL_ETRANSPORT);
			return;
		}
		c->in_len += (size_t)n;
		c->last_us = sl__loop_now_us(c->m->loop);
		if (frame(c) < 0)
			return;
		/* A short TCP read drained the socket; TLS may still hold
		 * decrypted bytes that no poll would announce. */
		if (!c->tls && (size_t)n < room)
			return;
	}
}

/* ---- connection set-up ---- */

static void opened(struct sl_tp_conn *c)
{
	c->state = SL_CONN_OPEN;
	c->last_us = sl__loop_now_us(c->m->loop);
	arm_life(c, c->m->cfg.tcp_idle_ms);
	if (c->out_len && flush(c) < 0)
		return;
	update_events(c);
	/* Application data may have come with the handshake's last
	 * records and sit decrypted inside mbedtls already. */
	if (c->tls && sl__tls_pending(c))
		read_input(c);
}

static void handshake(struct sl_tp_conn *c)
{
	int rc = sl__tls_handshake(c);
	char host[64];

	if (rc == SL_EAGAIN) {
		update_events(c);
		return;
	}
	if (rc < 0) {
		sl_log_warn(SL_TP_LOG, "TLS flow %u with %s port %u: handshake "
			    "failed%s", c->id,
			    peer_text(c, host, sizeof(host)),
			    sl__addr_port(&c->peer),
			    rc == SL_EAUTH ? " (certificate refused)" : "");
		sl__tcp_close_conn(c, rc == SL_EAUTH ? SL_EAUTH
						     : SL_ETRANSPORT);
		return;
	}
	sl_log_debug(SL_TP_LOG, "TLS flow %u with %s: handshake done", c->id,
		     peer_text(c, host, sizeof(host)));
	opened(c);
}

static void connected(struct sl_tp_conn *c)
{
	c->local.len = sizeof(c->local.u);
	if (getsockname(c->fd, &c->local.u.sa, &c->local.len) != 0)
		memset(&c->local, 0, sizeof(c->local));
	if (c->tls) {
		c->state = SL_CONN_HANDSHAKE;
		handshake(c);
		return;
	}
	opened(c);
}

static void conn_io(void *arg, int fd, unsigned events)
{
	struct sl_tp_conn *c = arg;
	char host[64];

	(void)fd;
	if (c->state == SL_CONN_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(events & (SL_IO_WRITE | SL_IO_ERROR)))
			return;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			err = errno;
		if (err) {
			sl_log_info(SL_TP_LOG, "%s connect to %s port %u: %s",
				    sl__tp_name(c->tp),
				    peer_text(c, host, sizeof(host)),
				    sl__addr_port(&c->peer), strerror(err));
			sl__tcp_close_conn(c, SL_ETRANSPORT);
			return;
		}
		connected(c);
		return;
	}
	if (c->state == SL_CONN_HANDSHAKE) {
		handshake(c);
		return;
	}
	if (c->state != SL_CONN_OPEN)
		return;
	if ((events & SL_IO_WRITE) && c->out_len && flush(c) < 0)
		return;
	/* TLS may need the socket writable to go on reading (an alert or
	 * a handshake message to send first): a read call finishes that. */
	if ((events & (SL_IO_READ | SL_IO_ERROR)) ||
	    ((events & SL_IO_WRITE) && !c->out_len && sl__tls_wants_write(c)))
		read_input(c);
	/* A hang-up or socket error with nothing left to read. */
	if ((events & SL_IO_ERROR) && c->state == SL_CONN_OPEN) {
		int err = 0;
		socklen_t len = sizeof(err);

		(void)getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		sl_log_debug(SL_TP_LOG, "flow %u: socket error: %s", c->id,
			     err ? strerror(err) : "hang-up");
		sl__tcp_close_conn(c, SL_ETRANSPORT);
		return;
	}
	update_events(c);
}

static void set_stream_opts(struct sl_tpmgr *m, int fd, int family)
{
	int on = 1;

	/* SIP messages are small and latency matters more than packing. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	sl__tp_set_dscp(m, fd, family);
}

static int conn_watch(struct sl_tp_conn *c, unsigned events)
{
	int rc = sl__loop_watch(c->m->loop, c->fd, events, conn_io, c);

	if (rc == 0)
		c->events = events;
	return rc;
}

/* Opens a connection for @dst. Return: 0 with *out set, SL_ENOMEM (no
 * slot), SL_EINVAL (no TLS name while verifying), SL_ETRANSPORT. */
static int conn_open(struct sl_tpmgr *m, const struct sl_tp_dest *dst,
		     struct sl_tp_conn **out)
{
	int family = sl__addr_family(&dst->addr), rc;
	struct sl_tp_conn *c;
	char host[64];
	size_t name_len = dst->tls_name ? strlen(dst->tls_name) : 0;

	if ((family != AF_INET && family != AF_INET6) ||
	    sl__addr_port(&dst->addr) == 0)
		return SL_ETRANSPORT;
	if (dst->tp == SL_TP_TLS) {
		if (!m->tls)
			return SL_ETRANSPORT;
		/* RFC 5922: the certificate is checked against the name
		 * the request was meant for; without one, only a
		 * configuration that switched checks off may connect. */
		if (name_len > SL_TP_TLS_NAME_MAX ||
		    (m->cfg.tls_verify && name_len == 0)) {
			/* A response whose flow closed: there is no name to
			 * check a new connection against (RFC 5922 §4). */
			if (name_len == 0 && dst->flow)
				return SL_ETRANSPORT;
			sl_log_error(SL_TP_LOG, "TLS to %s port %u: %s",
				     sl__addr_host(&dst->addr, host,
						   sizeof(host)) < 0 ? "?"
								     : host,
				     sl__addr_port(&dst->addr),
				     name_len ? "name too long"
					      : "no name to verify");
			return SL_EINVAL;
		}
	}
	c = conn_alloc(m, dst->tp);
	if (!c) {
		sl_log_warn(SL_TP_LOG, "connection table full (%u): not "
			    "connecting", m->cfg.max_conns);
		return SL_ENOMEM;
	}
	c->peer = dst->addr;
	c->fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		sl_log_error(SL_TP_LOG, "stream socket: %s", strerror(errno));
		conn_discard(c);
		return SL_ETRANSPORT;
	}
	set_stream_opts(m, c->fd, family);
	if (dst->tp == SL_TP_TLS) {
		if (name_len)
			memcpy(c->tls_name, dst->tls_name, name_len + 1);
		rc = sl__tls_conn_start(m->tls, c, 0,
					name_len ? dst->tls_name : NULL);
		if (rc) {
			conn_discard(c);
			return rc;
		}
	}
	rc = connect(c->fd, &dst->addr.u.sa, dst->addr.len);
	if (rc != 0 && errno != EINPROGRESS) {
		sl_log_info(SL_TP_LOG, "%s connect to %s port %u: %s",
			    sl__tp_name(c->tp),
			    peer_text(c, host, sizeof(host)),
			    sl__addr_port(&c->peer), strerror(errno));
		conn_discard(c);
		return SL_ETRANSPORT;
	}
	/* connect() has bound the socket (address and ephemeral port) even
	 * while it is in progress: sl__tp_connect() hands this out before
	 * the connection is up. */
	c->local.len = sizeof(c->local.u);
	if (getsockname(c->fd, &c->local.u.sa, &c->local.len) != 0)
		memset(&c->local, 0, sizeof(c->local));
	if (conn_watch(c, SL_IO_READ | SL_IO_WRITE) != 0) {
		conn_discard(c);
		return SL_ETRANSPORT;
	}
	m->stats.conns_opened++;
	sl_log_debug(SL_TP_LOG, "%s flow %u: connecting to %s port %u",
		     sl__tp_name(c->tp), c->id,
		     peer_text(c, host, sizeof(host)),
		     sl__addr_port(&c->peer));
	/* The timeout covers the TLS handshake as well. */
	arm_life(c, m->cfg.connect_timeout_ms);
	*out = c;
	if (rc == 0)
		connected(c);
	return 0;
}

/* ---- finding and sending ---- */

struct sl_tp_conn *sl__tcp_find_flow(struct sl_tpmgr *m, uint32_t flow)
{
	if (!flow)
		return NULL;
	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		struct sl_tp_conn *c = &m->conns[i];

		if (live(c) && c->id == flow)
			return c;
	}
	return NULL;
}

struct sl_tp_conn *sl__tcp_find(struct sl_tpmgr *m,
				const struct sl_tp_dest *dst)
{
	struct sl_tp_conn *c = sl__tcp_find_flow(m, dst->flow);

	if (c && c->tp == dst->tp)
		return c;
	/* RFC 3261 §18: reuse an open connection to the same address,
	 * port and transport. A TLS connection is reused only for the name
	 * its certificate was checked against (an accepted one has none),
	 * unless checks are off. */
	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		c = &m->conns[i];
		if (!live(c) || c->tp != dst->tp ||
		    !sl__addr_equal(&c->peer, &dst->addr))
			continue;
		if (c->tp == SL_TP_TLS && m->cfg.tls_verify &&
		    (c->incoming || !dst->tls_name ||
		     strcasecmp(c->tls_name, dst->tls_name) != 0))
			continue;
		return c;
	}
	return NULL;
}

int sl__tcp_send(struct sl_tpmgr *m, struct sl_tp_dest *dst, const char *buf,
		 size_t len)
{
	struct sl_tp_conn *c = sl__tcp_find(m, dst);
	int rc;

	/* A flow that closed is replaced by a new connection to the
	 * address (RFC 5626 §4.4.1 leaves recovery to the sender). */
	if (!c) {
		rc = conn_open(m, dst, &c);
		if (rc)
			return rc;
	}
	dst->flow = c->id;
	return sl__tcp_write(c, buf, len);
}

int sl__tp_connect(struct sl_tpmgr *m, struct sl_tp_dest *dst,
		   struct sl_addr *local)
{
	struct sl_tp_conn *c;
	int rc;

	if (!m || !dst || !local || !sl__tp_reliable(dst->tp) ||
	    dst->tp >= SL_TP__COUNT)
		return SL_EINVAL;
	c = sl__tcp_find(m, dst);
	if (!c) {
		rc = conn_open(m, dst, &c);
		if (rc)
			return rc;
	}
	/* connected() may have run inside conn_open() and failed it. */
	if (!live(c) || sl__addr_port(&c->local) == 0)
		return SL_ETRANSPORT;
	dst->flow = c->id;
	*local = c->local;
	return 0;
}

int sl__tpmgr_conn_local(struct sl_tpmgr *m, enum sl_tp tp,
			 const struct sl_addr *peer, uint32_t flow,
			 struct sl_addr *out)
{
	struct sl_tp_conn *c;

	if (!m || !peer || !out)
		return SL_ENOTFOUND;
	c = sl__tcp_find_flow(m, flow);
	if (c && c->tp == tp && sl__addr_port(&c->local) != 0) {
		*out = c->local;
		return 0;
	}
	/* Any connection to the peer will do: only our address is asked,
	 * and every connection from this host to it starts from it. */
	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		c = &m->conns[i];
		if (live(c) && c->tp == tp &&
		    sl__addr_equal(&c->peer, peer) &&
		    sl__addr_port(&c->local) != 0) {
			*out = c->local;
			return 0;
		}
	}
	return SL_ENOTFOUND;
}

/* ---- timers ---- */

static void life_fire(struct sl_timer *t, void *arg)
{
	struct sl_tp_conn *c = arg;
	struct sl_tpmgr *m = c->m;
	uint64_t now, idle_us, quiet;
	char host[64];

	(void)t;
	if (c->state == SL_CONN_CONNECTING || c->state == SL_CONN_HANDSHAKE) {
		sl_log_info(SL_TP_LOG, "%s flow %u to %s port %u: %s timed out",
			    sl__tp_name(c->tp), c->id,
			    peer_text(c, host, sizeof(host)),
			    sl__addr_port(&c->peer),
			    c->state == SL_CONN_CONNECTING ? "connect"
							   : "handshake");
		sl__tcp_close_conn(c, SL_ETIMEOUT);
		return;
	}
	if (c->state != SL_CONN_OPEN)
		return;
	/* Activity only stamps last_us; the timer is re-armed here for
	 * what is left, so a busy connection never touches the heap. */
	now = sl__loop_now_us(m->loop);
	idle_us = (uint64_t)m->cfg.tcp_idle_ms * 1000;
	quiet = now > c->last_us ? now - c->last_us : 0;
	if (quiet >= idle_us) {
		sl_log_info(SL_TP_LOG, "%s flow %u with %s port %u: idle for "
			    "%u ms, closing", sl__tp_name(c->tp), c->id,
			    peer_text(c, host, sizeof(host)),
			    sl__addr_port(&c->peer), m->cfg.tcp_idle_ms);
		sl__tcp_close_conn(c, SL_ETIMEOUT);
		return;
	}
	arm_life(c, (idle_us - quiet + 999) / 1000);
}

static void ka_fire(struct sl_timer *t, void *arg)
{
	struct sl_tp_conn *c = arg;
	struct sl_tpmgr *m = c->m;

	(void)t;
	if (!c->ka_interval_ms)
		return;
	if (c->state == SL_CONN_OPEN) {
		if (sl__tcp_write(c, ping, sizeof(ping) - 1) != 0)
			return;
		/* The first unanswered ping sets the deadline. */
		if (!sl__timer_armed(&c->pong_timer) &&
		    sl__loop_timer_start(m->loop, &c->pong_timer,
					 SL_TP_PONG_TIMEOUT_MS) != 0)
			sl_log_warn(SL_TP_LOG, "flow %u: no timer for the "
				    "pong", c->id);
	}
	if (sl__loop_timer_start(m->loop, &c->ka_timer, c->ka_interval_ms))
		sl_log_warn(SL_TP_LOG, "flow %u: keep-alive stopped, timer "
			    "heap full", c->id);
}

static void pong_fire(struct sl_timer *t, void *arg)
{
	struct sl_tp_conn *c = arg;
	char host[64];

	(void)t;
	sl_log_warn(SL_TP_LOG, "%s flow %u with %s port %u: no keep-alive "
		    "pong within %d ms, closing", sl__tp_name(c->tp), c->id,
		    peer_text(c, host, sizeof(host)), sl__addr_port(&c->peer),
		    SL_TP_PONG_TIMEOUT_MS);
	sl__tcp_close_conn(c, SL_ETIMEOUT);
}

int sl__tcp_keepalive(struct sl_tp_conn *c, uint32_t interval_ms)
{
	struct sl_loop *l = c->m->loop;

	c->ka_interval_ms = interval_ms;
	if (!interval_ms) {
		sl__loop_timer_stop(l, &c->ka_timer);
		sl__loop_timer_stop(l, &c->pong_timer);
		return 0;
	}
	return sl__loop_timer_start(l, &c->ka_timer, interval_ms) ? SL_ENOMEM
								  : 0;
}

/* ---- listening ---- */

static void accept_ready(void *arg, int fd, unsigned events)
{
	struct sl_tp_sock *s = arg;
	struct sl_tpmgr *m = s->m;

	(void)events;
	for (int i = 0; i < ACCEPT_BURST; i++) {
		struct sl_addr peer;
		struct sl_tp_conn *c;
		int cfd;

		peer.len = sizeof(peer.u);
		cfd = accept4(fd, &peer.u.sa, &peer.len,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				sl_log_warn(SL_TP_LOG, "accept: %s",
					    strerror(errno));
			return;
		}
		c = conn_alloc(m, s->tp);
		if (!c) {
			m->stats.conns_refused++;
			sl_log_warn(SL_TP_LOG, "connection table full (%u): "
				    "incoming %s connection refused",
				    m->cfg.max_conns, sl__tp_name(s->tp));
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->incoming = 1;
		c->peer = peer;
		c->local.len = sizeof(c->local.u);
		if (getsockname(cfd, &c->local.u.sa, &c->local.len) != 0)
			c->local = s->local;
		set_stream_opts(m, cfd, sl__addr_family(&peer));
		if (s->tp == SL_TP_TLS &&
		    sl__tls_conn_start(m->tls, c, 1, NULL) != 0) {
			conn_discard(c);
			continue;
		}
		if (conn_watch(c, SL_IO_READ) != 0) {
			conn_discard(c);
			continue;
		}
		m->stats.conns_accepted++;
		if (s->tp == SL_TP_TLS) {
			c->state = SL_CONN_HANDSHAKE;
			arm_life(c, m->cfg.connect_timeout_ms);
		} else {
			c->state = SL_CONN_OPEN;
			arm_life(c, m->cfg.tcp_idle_ms);
		}
	}
}

int sl__tcp_listen(struct sl_tpmgr *m, struct sl_tp_sock *s,
		   const struct sl_addr *bind_addr)
{
	int family = sl__addr_family(bind_addr), on = 1, fd;
	char host[64];

	if (sl__addr_host(bind_addr, host, sizeof(host)) < 0)
		host[0] = '\0';
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sl_log_error(SL_TP_LOG, "%s socket for %s: %s",
			     sl__tp_name(s->tp), host, strerror(errno));
		return SL_ETRANSPORT;
	}
	/* A restarted phone must get its port back at once, not after
	 * TIME_WAIT. */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (family == AF_INET6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
				 sizeof(on));
	return sl__tp_sock_bind(m, s, fd, bind_addr, host, LISTEN_BACKLOG,
				accept_ready);
}

void sl__tcp_close_listener(struct sl_tpmgr *m, struct sl_tp_sock *s)
{
	if (s->fd < 0)
		return;
	sl__loop_unwatch(m->loop, s->fd);
	close(s->fd);
	s->fd = -1;
}

/* ---- tests ---- */

int sl__tpmgr_flow_info(const struct sl_tpmgr *m, uint32_t flow,
			struct sl_tp_flow_info *out)
{
	if (!m || !out || !flow)
		return SL_ENOTFOUND;
	for (uint32_t i = 0; i < m->cfg.max_conns; i++) {
		const struct sl_tp_conn *c = &m->conns[i];

		if (c->state == SL_CONN_FREE || c->id != flow)
			continue;
		out->tp = c->tp;
		out->state = c->state;
		out->incoming = c->incoming;
		out->peer = c->peer;
		out->local = c->local;
		out->peer_cert_verified = c->tls ? sl__tls_peer_verified(c)
						 : 0;
		out->out_queued = c->out_len;
		return 0;
	}
	return SL_ENOTFOUND;
}
