/*
 * transport/transport.h: the SIP transports (RFC 3261 §18, RFC 3581,
 * RFC 5626 §4.4.1) as the layers above see them.
 *
 * The transport manager owns the sockets (UDP, TCP, TLS over TCP with
 * mbedtls), the connections, and a pool of receive buffers sized at
 * creation. Each received message is framed (streams), parsed into the
 * buffer's own arena, and handed up as a struct sl_rxbuf; a layer that
 * keeps it (a server transaction keeps its request) takes a reference.
 * Received requests get the RFC 3581 / §18.2.1 source facts (received,
 * rport) recorded beside the untouched bytes, and
 * sl__tp_response_dest() applies §18.2.2 to answer them.
 *
 * Thread: the SIP loop thread only.
 */
#ifndef SL_TRANSPORT_H
#define SL_TRANSPORT_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "sipline/msg.h"

struct sl_loop;
struct sl_tpmgr;

enum sl_tp {
	SL_TP_UDP = 0,
	SL_TP_TCP = 1,
	SL_TP_TLS = 2,
	SL_TP__COUNT
};

/** "UDP", "TCP", "TLS" (as in a Via's transport). */
const char *sl__tp_name(enum sl_tp tp);

/** Reliable (stream) transports do no retransmission (RFC 3261 §17). */
static inline int sl__tp_reliable(enum sl_tp tp)
{
	return tp != SL_TP_UDP;
}

/* ---- addresses ---- */

/** struct sl_addr - an IPv4 or IPv6 socket address. */
struct sl_addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len;
};

/** Numeric host ("192.0.2.1", "2001:db8::1", bracketed or not) and port.
 * Return: 0 or SL_EINVAL (not a numeric address). */
int sl__addr_set(struct sl_addr *a, const char *host, size_t host_len,
		 uint16_t port);
/** The address without port, IPv6 without brackets. Return: length or
 * SL_ENOSPC. */
int sl__addr_host(const struct sl_addr *a, char *buf, size_t cap);
uint16_t sl__addr_port(const struct sl_addr *a);
void sl__addr_set_port(struct sl_addr *a, uint16_t port);
int sl__addr_family(const struct sl_addr *a);
/** 1 when family, address and port are equal. */
int sl__addr_equal(const struct sl_addr *a, const struct sl_addr *b);

/* ---- received messages ---- */

/**
 * struct sl_rxbuf - one received message and its parsed view.
 * @refs:  owners; the transport holds one while delivering. Release with
 *         sl__rxbuf_unref().
 * @tp, @src, @local, @flow: where it came from: the transport, the peer's
 *         address, our address, and the connection id (0 for UDP).
 * @msg:   the parsed message; its slices point into @data.
 * @received_differs: §18.2.1: the top Via's sent-by host is not the
 *         source address (a "received" parameter belongs in responses).
 * @data:  the bytes as they arrived (@len of them).
 */
struct sl_rxbuf {
	uint32_t refs;
	uint32_t len;
	enum sl_tp tp;
	struct sl_addr src;
	struct sl_addr local;
	uint32_t flow;
	int received_differs;
	struct sl_msg msg;
	struct sl_tpmgr *owner;
	char *data;
	struct sl_arena arena;
};

void sl__rxbuf_ref(struct sl_rxbuf *rx);
void sl__rxbuf_unref(struct sl_rxbuf *rx);

/* ---- sending ---- */

/**
 * struct sl_tp_dest - where a message goes.
 * @tp:   transport.
 * @addr: the peer's address (numeric; server location happens above).
 * @flow: a connection to reuse when still open (0: find one to @addr or
 *        open one). Set by sl__tp_send() to the connection used.
 * @tls_name: for TLS, the name the peer's certificate must carry (the SIP
 *        domain or SRV target; RFC 5922); NULL only when verification is
 *        switched off.
 */
struct sl_tp_dest {
	enum sl_tp tp;
	struct sl_addr addr;
	uint32_t flow;
	const char *tls_name;
};

/* ---- the manager ---- */

/** One listening/sending socket to open at creation. */
struct sl_tp_bind {
	enum sl_tp tp;
	const char *host;   /* numeric; "0.0.0.0" or "::" for any */
	uint16_t port;      /* 0: an ephemeral port */
};

enum { SL_TP_MAX_BINDS = 8 };

struct sl_tp_config {
	struct sl_tp_bind binds[SL_TP_MAX_BINDS];
	unsigned n_binds;
	size_t max_msg_size;       /* default 65535; larger input: 513 or
				    * the connection closed */
	uint32_t rx_buffers;       /* pool size; default 64 */
	size_t rx_buffer_size;     /* bytes per buffer; default 65535 + 1 */
	uint32_t max_conns;        /* TCP/TLS connections; default 64 */
	uint32_t tcp_idle_ms;      /* close an unused connection; 0: 300 s */
	uint32_t connect_timeout_ms; /* default 5000 */
	int dscp;                  /* -1: leave; else 0..63 on every socket */
	/* TLS (mbedtls) */
	const char *tls_ca_file;
	const char *tls_ca_path;
	const char *tls_cert_file; /* our certificate (server; client opt.) */
	const char *tls_key_file;
	const char *tls_ciphers;   /* mbedtls names, ':'-separated; NULL:
				    * library defaults */
	int tls_verify;            /* 1 (default): verify peers; 0 only when
				    * switched off explicitly */
	struct sl_parse_limits limits;
};

/** Defaults: one UDP bind on 127.0.0.1 port 0 is NOT added; n_binds = 0. */
void sl__tp_config_init(struct sl_tp_config *cfg);

/** A received, parsed message. The callee takes a reference to keep it. */
typedef void (*sl_tp_recv_cb)(void *arg, struct sl_rxbuf *rx);

/** A connection closed or failed (@err: SL_ETRANSPORT, SL_ETIMEOUT...);
 * transactions using @flow treat it as a transport error. */
typedef void (*sl_tp_flow_cb)(void *arg, uint32_t flow, int err);

/** A received request that failed to parse, already answered statelessly
 * when it could be (its status and reason), or dropped. For logging and
 * tests. */
typedef void (*sl_tp_reject_cb)(void *arg, const struct sl_parse_error *err,
				const struct sl_addr *src);

/**
 * sl_tp_unreachable_cb - the network said @dst cannot be reached over @tp
 * (UDP: an ICMP or ICMPv6 port, host or network unreachable for a
 * datagram we sent there; @err SL_ETRANSPORT). Transactions sending to
 * @dst treat it as a transport error (RFC 3261 §8.1.3.1, §17.1.4: like a
 * 503), as flow_closed does for a stream. Runs from the loop, never
 * inside sl__tp_send().
 */
typedef void (*sl_tp_unreachable_cb)(void *arg, enum sl_tp tp,
				     const struct sl_addr *dst, int err);

struct sl_tp_handlers {
	sl_tp_recv_cb recv;
	sl_tp_flow_cb flow_closed;
	sl_tp_reject_cb rejected;
	sl_tp_unreachable_cb unreachable;
	void *arg;
};

int sl__tpmgr_create(struct sl_tpmgr **out, struct sl_loop *loop,
		     const struct sl_tp_config *cfg,
		     const struct sl_tp_handlers *h);
void sl__tpmgr_destroy(struct sl_tpmgr *m);

/** The bound address of the @index-th bind (port resolved when 0 was
 * asked). Return: 0 or SL_EINVAL. */
int sl__tpmgr_local(const struct sl_tpmgr *m, unsigned index,
		    struct sl_addr *out);

/** The first bound address for @tp and address family (AF_INET/AF_INET6),
 * for a Via sent-by and a Contact. Return: 0 or SL_ENOTFOUND. */
int sl__tpmgr_local_for(const struct sl_tpmgr *m, enum sl_tp tp, int family,
			struct sl_addr *out);

/**
 * sl__tpmgr_rebind() - re-opens listening socket @index (UDP socket, or TCP
 * / TLS listener) on @host, e.g. when the address it was bound to left
 * the machine: the old socket is closed (with, for TCP/TLS, every
 * connection from its address: flow_closed reports them), then a new one
 * is bound on @host at the same port, or at an ephemeral port when that
 * one is taken there. Afterwards sl__tpmgr_local() and
 * sl__tpmgr_local_for() give the new address, so Via and Contact follow.
 * @host: numeric; NULL or "" for any address ("0.0.0.0" or "::").
 * @family: AF_INET or AF_INET6 (@host must be of it).
 * Return: 0; SL_EINVAL (bad index, host or family); SL_ETRANSPORT when no
 * socket could be bound (then the entry has none until the next rebind:
 * sends that need it fail with SL_ETRANSPORT); the loop's errors.
 */
int sl__tpmgr_rebind(struct sl_tpmgr *m, unsigned index, const char *host,
		     int family);

/**
 * sl__tp_send() - sends one complete message.
 * Return: 0 when handed to the socket (or queued on a connecting stream);
 * SL_ETRANSPORT when it cannot be sent (no socket for the family, connect
 * refused, connection closed), SL_ETOOBIG over max_msg_size (or the UDP
 * limit), SL_ENOMEM when the connection table is full.
 */
int sl__tp_send(struct sl_tpmgr *m, struct sl_tp_dest *dst, const char *buf,
		size_t len);

/**
 * sl__tp_connect() - finds the connection sl__tp_send() would use for @dst
 * (TCP or TLS), or starts one now, and gives our end of it: the address
 * and ephemeral port the kernel picked at connect(). A UA without a
 * listener of that transport puts it in the Via sent-by and Contact of a
 * request built afterwards (RFC 3261 §18.1.1: the response comes back on
 * the same connection). Sets dst->flow; a send to @dst then reuses it.
 * Return: 0; SL_EINVAL (UDP, NULL); SL_ETRANSPORT, SL_ENOMEM as
 * sl__tp_send().
 */
int sl__tp_connect(struct sl_tpmgr *m, struct sl_tp_dest *dst,
		   struct sl_addr *local);

/**
 * sl__tpmgr_conn_local() - our end of a live TCP/TLS connection to @peer
 * over @tp (the one numbered @flow when that is live, else any, incoming
 * or outgoing), without opening one. For requests inside a dialog whose
 * connection a UA without a listener opened.
 * Return: 0; SL_ENOTFOUND.
 */
int sl__tpmgr_conn_local(struct sl_tpmgr *m, enum sl_tp tp,
			 const struct sl_addr *peer, uint32_t flow,
			 struct sl_addr *out);

/**
 * sl__tp_response_dest() - where a response to @req goes (RFC 3261 §18.2.2
 * with RFC 3581): the same connection for reliable transports, else maddr,
 * else the source address with the rport or sent-by port.
 */
int sl__tp_response_dest(const struct sl_rxbuf *req, struct sl_tp_dest *dst);

/**
 * sl__tp_keepalive() - RFC 5626 §4.4.1 CRLF keep-alive towards @dst
 * every @interval_ms (UDP: "\r\n\r\n" without expecting a pong; TCP/TLS:
 * ping, and a missing pong within 10 s closes the flow, reported through
 * flow_closed). 0 stops it. Return: 0, SL_ENOMEM, SL_ETRANSPORT.
 */
int sl__tp_keepalive(struct sl_tpmgr *m, const struct sl_tp_dest *dst,
		     uint32_t interval_ms);

#endif /* SL_TRANSPORT_H */
