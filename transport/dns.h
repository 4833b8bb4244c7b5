/*
 * transport/dns.h: a small non-blocking DNS stub resolver on the SIP loop.
 *
 * Queries go over UDP to the configured name servers (or the "nameserver"
 * lines of a resolv.conf file), one socket per query from a pool sized at
 * creation, each with a random id (getrandom) and a kernel-chosen random
 * source port; the socket is connected, so the kernel drops datagrams from
 * anyone but the server asked. A query that is not answered within
 * timeout_ms is sent again to the next server, up to attempts passes over
 * the list. Answers are checked (id, question, QR) and handed to the
 * caller parsed but not copied.
 *
 * Not done: TCP fallback. A truncated (TC) answer that still carries
 * answer records is delivered as it is (RFC 2181 §9 allows using it); one
 * without any answer counts as a failure of that server. Also not done:
 * EDNS0, the "search"/"domain"/"options" lines of resolv.conf, DNSSEC.
 *
 * Thread: the SIP loop thread only (creation and destruction too, or
 * before the loop runs).
 */
#ifndef SL_TRANSPORT_DNS_H
#define SL_TRANSPORT_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "dns_wire.h"
#include "transport.h"

struct sl_loop;
struct sl_dns;

enum { SL_DNS_MAX_SERVERS = 4 };

/**
 * struct sl_dns_config - fill with sl__dns_config_init(), then change.
 * @servers, @n_servers: name servers to ask, in order. When n_servers is
 *              0 they come from @resolv_conf at creation.
 * @resolv_conf: a resolv.conf path (NULL: "/etc/resolv.conf"); only its
 *              "nameserver" lines are read. When it names none (or cannot
 *              be read) 127.0.0.1 is used, as the C library does.
 * @max_queries: queries in flight at once (the pool); default 16.
 * @timeout_ms: wait for an answer before asking again; default 2000.
 * @attempts:   passes over the server list; default 2.
 */
struct sl_dns_config {
	struct sl_addr servers[SL_DNS_MAX_SERVERS];
	unsigned n_servers;
	const char *resolv_conf;
	uint32_t max_queries;
	uint32_t timeout_ms;
	uint32_t attempts;
};

void sl__dns_config_init(struct sl_dns_config *cfg);

/**
 * sl__dns_config_add_server() - appends a numeric server address.
 * @host: "192.0.2.53" or "2001:db8::53" (NUL-terminated); @port: 0 for 53.
 * Return: 0; SL_EINVAL when @host is not numeric; SL_ELIMIT when
 * SL_DNS_MAX_SERVERS are configured.
 */
int sl__dns_config_add_server(struct sl_dns_config *cfg, const char *host,
			      uint16_t port);

/**
 * sl__dns_read_resolv_conf() - the "nameserver" addresses of a resolv.conf
 * file, port 53, in file order; at most @cap of them. Lines it cannot use
 * (other keywords, comments, scoped IPv6 addresses, overlong lines) are
 * skipped.
 * Return: how many were stored (0 when none); SL_EIO when the file cannot
 * be opened; SL_EINVAL for NULL.
 */
int sl__dns_read_resolv_conf(const char *path, struct sl_addr *out,
			     unsigned cap);

/**
 * sl__dns_create() - a resolver on @loop.
 * Return: 0 and *@out; SL_EINVAL for NULL or a zero timeout/attempts;
 * SL_ENOMEM.
 */
int sl__dns_create(struct sl_dns **out, struct sl_loop *loop,
		   const struct sl_dns_config *cfg);

/** Cancels every query in flight (no callbacks) and frees @d. Not from
 * inside a callback of @d. */
void sl__dns_destroy(struct sl_dns *d);

/** The servers in use (after resolv.conf was read). */
unsigned sl__dns_servers(const struct sl_dns *d, const struct sl_addr **out);

/**
 * sl_dns_cb - the outcome of one query, called once on the loop thread.
 * @err: 0: the server answered NOERROR (@m is the answer; it may hold no
 *       record of the type asked: "no data"); SL_ENOTFOUND: NXDOMAIN (@m
 *       is the answer); SL_ETIMEOUT: no server answered; SL_EFAIL: the
 *       servers answered SERVFAIL, REFUSED or another error, or only a
 *       truncated empty answer; SL_ETRANSPORT: the servers could not be
 *       reached (ICMP unreachable, send refused). @m is NULL then.
 * @m:   valid only during the call (it points into the resolver's receive
 *       buffer).
 * The query's handle is already free; the callback may start or cancel
 * other queries but must not destroy the resolver.
 */
typedef void (*sl_dns_cb)(void *arg, int err, const struct sl_dns_msg *m);

/**
 * sl__dns_query() - asks for the @qtype records of @name (text, an
 * optional final '.'). The answer always comes through @cb, never before
 * this function returns.
 * @handle: set to the query's handle (> 0) for sl__dns_cancel(); may be
 *          NULL.
 * Return: 0; SL_EINVAL for a bad name or NULL; SL_ENOMEM when max_queries
 * are in flight or the loop cannot watch another socket; SL_ETRANSPORT
 * when no server could be sent to.
 */
int sl__dns_query(struct sl_dns *d, const char *name, size_t len,
		  uint16_t qtype, sl_dns_cb cb, void *arg, uint32_t *handle);

/** Abandons a query in flight; its callback will not run. Unknown or
 * finished handles are ignored. */
void sl__dns_cancel(struct sl_dns *d, uint32_t handle);

/** Queries in flight (tests check it is back to 0). */
unsigned sl__dns_in_flight(const struct sl_dns *d);

#endif /* SL_TRANSPORT_DNS_H */
