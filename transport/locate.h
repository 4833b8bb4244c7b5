/*
 * transport/locate.h: locating SIP servers (RFC 3263 §4) - from a SIP or
 * SIPS URI's host, port, transport parameter and scheme to an ordered list
 * of (transport, address, name) targets, and a cursor the transaction
 * layer moves along when a target fails.
 *
 * The steps, RFC 3263 §4.1 and §4.2:
 *  - a numeric host (IPv4, IPv6 with or without brackets) is the one
 *    target: no DNS. Transport: the parameter, else UDP for sip: and TLS
 *    for sips:. Port: the URI's, else 5060 (5061 for TLS).
 *  - a name with an explicit port: A/AAAA of the name, transport as above.
 *  - a name with a transport parameter but no port: the SRV records of
 *    _sip._udp / _sip._tcp / _sips._tcp (sips: or transport=tls) for that
 *    transport.
 *  - otherwise NAPTR first (use_naptr, default on): records with flag "s"
 *    and service SIP+D2U, SIP+D2T or SIPS+D2T (sips: only SIPS+D2T) for a
 *    supported transport, lowest order first then preference; only the
 *    lowest order that has a usable record is kept (RFC 3403 §4). Their
 *    replacements are the SRV names. Without usable NAPTR records: SRV
 *    queries for each supported transport (_sip._udp, _sip._tcp and
 *    _sips._tcp for sip:; _sips._tcp alone for sips:), asked in parallel
 *    and used in that order.
 *  - SRV records: by priority, then RFC 2782 weighted random order within
 *    a priority (an injectable random source makes it repeatable); a
 *    target "." alone means the service is not offered. Then A/AAAA of
 *    each target, at the SRV port.
 *  - no SRV records at all: A/AAAA of the host at 5060 (UDP for sip:, or
 *    TCP when UDP is not supported) or 5061 (TLS for sips:).
 *  - addresses of one host come in the preferred family first; with
 *    SL_IP_V4_ONLY / SL_IP_V6_ONLY the other family is not even asked.
 *  - CNAMEs are followed inside an answer (what a recursive server sends);
 *    no new query is made for a dangling CNAME.
 *  - a NAPTR query that times out is treated as "no NAPTR" (some home
 *    routers drop NAPTR queries). When the SRV queries then time out too
 *    and no server has answered anything during the request, the server
 *    is taken to be dead and the request fails with SL_ETIMEOUT (after
 *    two rounds of timeouts, NAPTR then SRV) instead of trying A/AAAA as
 *    well. An unreachable server (ICMP) fails the request at once.
 *
 * SRV records' additional-section addresses are not used: each target is
 * looked up (the same server answers, so it costs a round trip only).
 *
 * Thread: the SIP loop thread only.
 */
#ifndef SL_TRANSPORT_LOCATE_H
#define SL_TRANSPORT_LOCATE_H

#include <stdint.h>

#include "sipline/net.h"
#include "sipline/slice.h"
#include "sipline/uri.h"
#include "transport.h"

struct sl_loop;
struct sl_dns;
struct sl_locator;

enum {
	SL_LOCATE_MAX_HOSTS = 8,     /* SRV targets kept per request */
	SL_LOCATE_MAX_TARGETS = 16,  /* addresses kept per request */
	SL_LOCATE_MAX_SRV = 4        /* SRV names asked per request */
};

/** The bit of @tp in sl_locate_config.transports. */
#define SL_TP_BIT(tp) (1u << (tp))

/**
 * struct sl_locate_config - fill with sl__locate_config_init().
 * @max_requests: resolutions alive at once (running or holding their
 *                list for fail-over); default 16.
 * @ip_pref:      address family order or restriction.
 * @transports:   SL_TP_BIT()s of the transports we can use; default all.
 * @use_naptr:    1 (default): start with NAPTR; 0: go to SRV directly.
 * @rand, @rand_arg: the random source for SRV weights (any 32-bit value);
 *                NULL: an internal generator seeded with getrandom().
 */
struct sl_locate_config {
	uint32_t max_requests;
	enum sl_ip_pref ip_pref;
	unsigned transports;
	int use_naptr;
	uint32_t (*rand)(void *arg);
	void *rand_arg;
};

void sl__locate_config_init(struct sl_locate_config *cfg);

/**
 * struct sl_locate_query - what to locate.
 * @host:   a domain name or a numeric address (IPv6 with or without
 *          brackets); copied by sl__locate_start().
 * @port:   0 when the URI has none.
 * @secure: 1 for a sips: URI (TLS only).
 * @has_tp, @tp: the URI's transport parameter, when present.
 */
struct sl_locate_query {
	struct sl_slice host;
	uint16_t port;
	int secure;
	int has_tp;
	enum sl_tp tp;
};

/**
 * sl__locate_query_from_uri() - the query for a sip: or sips: URI: its
 * maddr parameter when present (RFC 3263 §4), else its host; its port; its
 * transport parameter ("udp", "tcp", "tls", any case). The slices point
 * into the URI's text.
 * Return: 0; SL_EINVAL for NULL or a URI without a host; SL_EUNSUPP for
 * other schemes and other transports (sctp, ws...).
 */
int sl__locate_query_from_uri(const struct sl_uri *u,
			      struct sl_locate_query *q);

/**
 * struct sl_locate_target - one place to send a request.
 * @name:   the SRV target, or the host looked up (for a numeric host: the
 *          address text); NUL-terminated, valid until the request is
 *          released.
 * @domain: the URI's host (RFC 5922 §4: the identity a TLS server's
 *          certificate is checked against); same lifetime.
 */
struct sl_locate_target {
	enum sl_tp tp;
	struct sl_addr addr;
	const char *name;
	const char *domain;
};

/**
 * sl_locate_cb - a resolution ended; called once, on the loop thread,
 * never inside sl__locate_start().
 * @err: 0: @n_targets (>= 1) targets are ready: read them with
 *       sl__locate_next(), release the request with sl__locate_release()
 *       when done. Otherwise the request is already released and @id is
 *       dead: SL_ENOTFOUND (the name does not exist or has no usable
 *       record, or the service is declared absent by a "." SRV target, or
 *       a numeric host of a family ip_pref excludes); SL_ETIMEOUT (no
 *       answer); SL_ETRANSPORT (server unreachable); SL_EFAIL (the server
 *       answered with an error); SL_ENOMEM (the resolver's pool ran out).
 * The callback may call any function here, including release.
 */
typedef void (*sl_locate_cb)(void *arg, uint32_t id, int err,
			     unsigned n_targets);

/**
 * sl__locator_create() - a locator using @dns (may be NULL when only
 * numeric hosts will ever be located).
 * Return: 0; SL_EINVAL (NULL @out or @loop, bad ip_pref, no transport);
 * SL_ENOMEM.
 */
int sl__locator_create(struct sl_locator **out, struct sl_loop *loop,
		       struct sl_dns *dns, const struct sl_locate_config *cfg);

/** Releases every request (no callbacks) and frees @lc. Destroy the
 * locator before its resolver: releasing cancels queries. */
void sl__locator_destroy(struct sl_locator *lc);

/** Changes the address family preference for requests started later.
 * Return: 0 or SL_EINVAL. */
int sl__locator_set_ip_pref(struct sl_locator *lc, enum sl_ip_pref pref);

/**
 * sl__locate_start() - starts locating @q; the outcome comes through @cb.
 * @id: set to the request id (> 0; ids do not repeat soon).
 * Return: 0; SL_EINVAL (NULL, empty or overlong host, bad transport);
 * SL_EUNSUPP (the transport asked for is not in config.transports, sips:
 * with transport=udp, or a name with no resolver); SL_ENOMEM (no free
 * request, or the resolver's pool is full); SL_ETRANSPORT (no name server
 * could be sent to).
 */
int sl__locate_start(struct sl_locator *lc, const struct sl_locate_query *q,
		     sl_locate_cb cb, void *arg, uint32_t *id);

/**
 * sl__locate_next() - the fail-over cursor: the first target on the first
 * call, then the next one each time the transaction layer gives up on the
 * previous one (transport error, timeout, 503).
 * Return: 0 with @out filled; SL_ENOTFOUND when every target was handed
 * out; SL_ESTATE while still resolving; SL_EHANDLE for an unknown id.
 */
int sl__locate_next(struct sl_locator *lc, uint32_t id,
		    struct sl_locate_target *out);

/**
 * sl__locate_get() - the @index-th target (0-based, in list order) without
 * moving the cursor, e.g. to log the whole list from the callback.
 * Return: 0; SL_ENOTFOUND past the end; SL_ESTATE while still resolving;
 * SL_EHANDLE for an unknown id.
 */
int sl__locate_get(struct sl_locator *lc, uint32_t id, unsigned index,
		   struct sl_locate_target *out);

/** Frees the request, cancelling its queries when it is still running (no
 * callback then). Unknown ids are ignored. */
void sl__locate_release(struct sl_locator *lc, uint32_t id);

/** Requests alive (tests check it is back to 0). */
unsigned sl__locate_active(const struct sl_locator *lc);

/* ---- RFC 2782 ordering, shared with the tests ---- */

struct sl_srv_rec {
	uint16_t priority;
	uint16_t weight;
	uint16_t port;
	uint16_t index;      /* the caller's: where the record came from */
};

/**
 * sl__srv_order() - orders @n records in place: ascending priority; within
 * one priority, RFC 2782's weighted random selection (zero weights first
 * in the running sum, a uniform number in [0, sum], the first record
 * whose running sum reaches it, repeated over the rest).
 */
void sl__srv_order(struct sl_srv_rec *r, unsigned n,
		   uint32_t (*rand)(void *arg), void *arg);

#endif /* SL_TRANSPORT_LOCATE_H */
