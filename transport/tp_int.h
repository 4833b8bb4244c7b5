/*
 * transport/tp_int.h: internals shared by the transport files (tpmgr.c,
 * udp.c, tcp.c, tls.c, tp_response.c, addr.c). Nothing outside transport/
 * includes it except the transport unit test.
 *
 * Owns: the layout of struct sl_tpmgr and of its connection slots.
 * Thread: the SIP loop thread only.
 *
 * Memory: everything is carved at sl__tpmgr_create() from one block sized
 * by the config: the receive buffers with their parse arenas, one input
 * and one output buffer per connection slot, the keep-alive table and the
 * stateless-answer buffer. Only mbedtls allocates later, when a TLS
 * connection is set up (its record buffers), never per message.
 */
#ifndef SL_TP_INT_H
#define SL_TP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/timer.h"
#include "sipline/msg.h"
#include "transport.h"

#define SL_TP_LOG "tp"

enum {
	SL_TP_ARENA_SIZE = 16 * 1024,    /* parse arena per receive buffer */
	SL_TP_PONG_TIMEOUT_MS = 10000,   /* RFC 5626 §4.4.1 */
	SL_TP_UDP_MAX_PAYLOAD = 65507,   /* 65535 - IPv4 and UDP headers */
	SL_TP_PORT_DEFAULT = 5060,
	SL_TP_PORT_TLS_DEFAULT = 5061,
	SL_TP_TLS_NAME_MAX = 255         /* a DNS name (RFC 1035 §2.3.4) */
};

/** 1 when the address (not the port) of @a and @b is the same. */
int sl__addr_same_host(const struct sl_addr *a, const struct sl_addr *b);

/* ---- counters ---- */

/** struct sl_tp_stats - what the manager counted since creation. */
struct sl_tp_stats {
	uint64_t rx_msgs;           /* messages parsed and delivered */
	uint64_t rx_keepalives;     /* CRLF pings/pongs and empty datagrams */
	uint64_t rx_dropped_nobuf;  /* no free receive buffer */
	uint64_t rx_bad;            /* failed to parse (answered or not) */
	uint64_t rx_oversized;      /* over max_msg_size */
	uint64_t tx_msgs;           /* messages handed to a socket or queue */
	uint64_t tx_errors;         /* sends refused or failed */
	uint64_t tx_udp_dropped;    /* datagrams the kernel would not take
				     * now (full buffer, local filter) */
	uint64_t stateless_answers; /* 400/513... sent by the transport */
	uint64_t conns_opened;      /* outgoing connections started */
	uint64_t conns_accepted;    /* incoming connections taken */
	uint64_t conns_refused;     /* incoming, no free slot */
	uint64_t conns_closed;
	uint32_t rx_in_use;         /* receive buffers referenced now */
	uint32_t rx_high_water;     /* most ever referenced at once */
	uint32_t conns_in_use;
};

/** Copies the counters. Return: 0 or SL_EINVAL. */
int sl__tpmgr_stats(const struct sl_tpmgr *m, struct sl_tp_stats *out);

/* ---- connections (TCP and TLS) ---- */

enum sl_conn_state {
	SL_CONN_FREE = 0,
	SL_CONN_CONNECTING,   /* non-blocking connect() in progress */
	SL_CONN_HANDSHAKE,    /* TLS handshake in progress */
	SL_CONN_OPEN,
	SL_CONN_CLOSED        /* fd closed; flow_closed not yet reported */
};

struct sl_tls_conn;

/**
 * struct sl_tp_conn - one TCP or TLS connection slot.
 * @id:       the flow id handed up (never 0; not reused while the
 *            manager lives, short of 2^32 connections).
 * @in:       bytes received and not yet framed (@in_len of them; the
 *            capacity is m->in_cap, one more than max_msg_size so a full
 *            buffer always makes the framer decide).
 * @out:      bytes waiting for the socket (@out_len, capacity m->out_cap).
 * @tls_pending: length of the last TLS write that asked to be repeated
 *            (mbedtls wants the same length again), 0 when none.
 * @tls_name: the name the peer's certificate was checked against
 *            (outgoing TLS), "" otherwise.
 * @last_us:  the loop time of the last byte sent or received.
 * @life:     connect/handshake timeout, then idle timeout.
 * @reap:     fires at once after a close to report it from the loop, so
 *            flow_closed never runs inside sl__tp_send().
 * @ka_timer, @pong_timer, @ka_interval_ms: RFC 5626 keep-alive.
 */
struct sl_tp_conn {
	uint32_t id;
	enum sl_tp tp;
	enum sl_conn_state state;
	int fd;
	int incoming;
	int close_err;
	unsigned events;              /* what the loop watches now */
	struct sl_addr peer;
	struct sl_addr local;
	struct sl_framer framer;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len;
	size_t tls_pending;
	char tls_name[SL_TP_TLS_NAME_MAX + 1];
	uint64_t last_us;
	struct sl_timer life;
	struct sl_timer reap;
	struct sl_timer ka_timer;
	struct sl_timer pong_timer;
	uint32_t ka_interval_ms;
	struct sl_tls_conn *tls;
	struct sl_tpmgr *m;
};

/* ---- sockets from the binds ---- */

struct sl_tp_sock {
	enum sl_tp tp;
	int fd;                       /* -1 when unused */
	struct sl_addr local;
	struct sl_tpmgr *m;
};

/* ---- UDP keep-alive (RFC 5626 §4.4.1 CRLF, no pong on datagrams) ---- */

struct sl_tp_udp_ka {
	int used;
	struct sl_addr addr;
	uint32_t interval_ms;
	struct sl_timer timer;
	struct sl_tpmgr *m;
};

struct sl_tls;

/** struct sl_tpmgr - the transport manager; see transport.h. */
struct sl_tpmgr {
	struct sl_loop *loop;
	struct sl_tp_config cfg;      /* resolved: no zero defaults left */
	struct sl_tp_handlers h;
	struct sl_parse_limits lim;   /* cfg.limits with cfg.max_msg_size */

	struct sl_tp_sock socks[SL_TP_MAX_BINDS];
	unsigned n_socks;

	struct sl_rxbuf *rx;          /* cfg.rx_buffers of them */
	uint32_t *rx_free;            /* stack of free indices */
	uint32_t n_rx_free;

	struct sl_tp_conn *conns;     /* cfg.max_conns slots */
	uint32_t next_flow;
	size_t in_cap;
	size_t out_cap;

	struct sl_tp_udp_ka *udp_ka;  /* cfg.max_conns entries */

	char *tx;                     /* stateless answers are built here */
	size_t tx_cap;

	struct sl_tls *tls;           /* NULL when TLS could not be set up */
	struct sl_tp_stats stats;
	void *mem;                    /* the one block everything lives in */
};

/* ---- tpmgr.c ---- */

/** A free receive buffer with one reference, or NULL (counted). */
struct sl_rxbuf *sl__tp_rx_get(struct sl_tpmgr *m);

/**
 * sl__tp_dispatch() - parses rx->data (rx->len bytes) and hands the message
 * up, or answers/drops it when it does not parse; then drops the
 * transport's reference.
 * @parse_flags: SL_PARSE_STREAM for TCP/TLS.
 * @oversized: the datagram was larger than max_msg_size (UDP): answered
 *             513 when its headers can be read, never delivered.
 */
void sl__tp_dispatch(struct sl_tpmgr *m, struct sl_rxbuf *rx,
		     unsigned parse_flags, int oversized);

/**
 * sl__tp_answer() - answers the request in @rx statelessly with @status
 * and @reason (a request that failed to parse, or an oversized one), to
 * where sl__tp_response_dest() says. Works on a partly parsed message: it
 * needs the header table with Via, From, To, Call-ID and CSeq.
 * Return: 0 sent; SL_EINVAL (an ACK, a response, headers missing),
 * SL_EPARSE (no readable top Via), or the builder's or sender's error.
 */
int sl__tp_answer(struct sl_tpmgr *m, struct sl_rxbuf *rx, int status,
		  const char *reason);

/** Sets DSCP (IP_TOS / IPV6_TCLASS) on @fd when configured. */
void sl__tp_set_dscp(const struct sl_tpmgr *m, int fd, int family);

/**
 * sl__tp_sock_bind() - the steps every listening socket shares once it is
 * created with its own options: DSCP, bind, listen (@backlog > 0, streams),
 * reading back the bound address into s->local, and watching @fd for
 * reading with @cb. On success s->fd and s->m are set; on failure @fd is
 * closed. @host names the address in log lines.
 * Return: 0, SL_ETRANSPORT, or the loop's error.
 */
int sl__tp_sock_bind(struct sl_tpmgr *m, struct sl_tp_sock *s, int fd,
		     const struct sl_addr *bind_addr, const char *host,
		     int backlog, void (*cb)(void *arg, int fd,
					     unsigned events));

/* ---- udp.c ---- */

int sl__udp_open(struct sl_tpmgr *m, struct sl_tp_sock *s,
		 const struct sl_addr *bind_addr);
void sl__udp_close(struct sl_tpmgr *m, struct sl_tp_sock *s);
int sl__udp_send(struct sl_tpmgr *m, const struct sl_addr *to,
		 const char *buf, size_t len);

/* ---- tcp.c (TCP and TLS connections) ---- */

int sl__tcp_listen(struct sl_tpmgr *m, struct sl_tp_sock *s,
		   const struct sl_addr *bind_addr);
void sl__tcp_close_listener(struct sl_tpmgr *m, struct sl_tp_sock *s);
/** Sends on a connection for @dst (found by flow, by address, or opened).
 * Sets dst->flow. Return as sl__tp_send(). */
int sl__tcp_send(struct sl_tpmgr *m, struct sl_tp_dest *dst, const char *buf,
		 size_t len);
/** The open (or opening) connection with flow id @flow, or NULL. */
struct sl_tp_conn *sl__tcp_find_flow(struct sl_tpmgr *m, uint32_t flow);
/** Finds the connection for @dst as sl__tcp_send() would, without opening
 * one. */
struct sl_tp_conn *sl__tcp_find(struct sl_tpmgr *m,
				const struct sl_tp_dest *dst);
/** Closes @c now and reports flow_closed(@err) from the loop shortly. */
void sl__tcp_close_conn(struct sl_tp_conn *c, int err);
/** Queues or writes @len bytes on @c. Return: 0 or SL_ETRANSPORT. */
int sl__tcp_write(struct sl_tp_conn *c, const char *buf, size_t len);
/** Closes every connection without reporting (destroy). */
void sl__tcp_shutdown(struct sl_tpmgr *m);
/** Starts or stops (@interval_ms 0) the keep-alive of @c. */
int sl__tcp_keepalive(struct sl_tp_conn *c, uint32_t interval_ms);

/* ---- tls.c (mbedtls) ---- */

/** Seeds the generator, loads the CAs, our certificate and key and the
 * cipher list of m->cfg. Return: 0; SL_EIO (a file unreadable); SL_EINVAL
 * (unknown ciphersuite, certificate without key, key not matching);
 * SL_ENOMEM; SL_EFAIL (mbedtls refused its set-up). */
int sl__tls_create(struct sl_tpmgr *m, struct sl_tls **out);
void sl__tls_destroy(struct sl_tls *t);
/** 1 when a server certificate and key are loaded. */
int sl__tls_can_serve(const struct sl_tls *t);
/**
 * sl__tls_conn_start() - sets up the TLS session of @c.
 * @server: 1 for an accepted connection.
 * @name:   the name the server certificate must carry (client side);
 *          also sent as SNI, except an address literal, which is
 *          checked against the certificate's iPAddress entries instead.
 *          NULL only when verification is off.
 * Return: 0, SL_ENOMEM, SL_EINVAL.
 */
int sl__tls_conn_start(struct sl_tls *t, struct sl_tp_conn *c, int server,
		       const char *name);
void sl__tls_conn_free(struct sl_tp_conn *c);
/** Return: 0 done; SL_EAGAIN (see sl__tls_wants_write()); SL_EAUTH when
 * the peer's certificate was refused; SL_ETRANSPORT otherwise. */
int sl__tls_handshake(struct sl_tp_conn *c);
/** Return: bytes read (> 0), 0 when the peer closed, SL_EAGAIN, or
 * SL_ETRANSPORT. */
int sl__tls_read(struct sl_tp_conn *c, char *buf, size_t cap);
/** Return: bytes taken (> 0), SL_EAGAIN, or SL_ETRANSPORT. */
int sl__tls_write(struct sl_tp_conn *c, const char *buf, size_t len);
/** 1 when the last TLS call stopped because the socket was not writable. */
int sl__tls_wants_write(const struct sl_tp_conn *c);
/** 1 when decrypted bytes wait inside mbedtls. */
int sl__tls_pending(const struct sl_tp_conn *c);
/** 1 when the peer sent a certificate that verified (server side). */
int sl__tls_peer_verified(const struct sl_tp_conn *c);

/* ---- for tests ---- */

/** struct sl_tp_flow_info - what a test may ask about a flow. */
struct sl_tp_flow_info {
	enum sl_tp tp;
	enum sl_conn_state state;
	int incoming;
	struct sl_addr peer;
	struct sl_addr local;
	int peer_cert_verified;   /* TLS: the peer's certificate verified */
	size_t out_queued;        /* bytes in the write queue */
};

/** Return: 0, or SL_ENOTFOUND when no connection has id @flow. */
int sl__tpmgr_flow_info(const struct sl_tpmgr *m, uint32_t flow,
			struct sl_tp_flow_info *out);

#endif /* SL_TP_INT_H */
