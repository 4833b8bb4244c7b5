/*
 * transport/dns.c: the non-blocking stub resolver (RFC 1035 §4.2.1,
 * §7.3; RFC 5452 for the spoofing defences).
 *
 * Owns: the query pool (sized at creation), one UDP socket per query in
 * flight, one receive buffer shared by all queries.
 * Thread: the SIP loop thread only.
 * Called by: transport/locate.c (RFC 3263 server location).
 *
 * A query walks the server list: attempt k goes to server k % n, and each
 * attempt waits timeout_ms on a loop timer. While the same server is asked
 * again the socket and id stay, so a late answer to an earlier attempt is
 * still taken; moving to another server opens a new socket (new random
 * port) with a new random id. The socket is connect()ed, so only the
 * server's datagrams reach it and an ICMP "port unreachable" comes back
 * as ECONNREFUSED, which moves on at once instead of waiting.
 */
#include "core/mem.h"
#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "core/loop.h"
#include "sip/charset.h"
#include "sipline/error.h"

enum {
	DEFAULT_MAX_QUERIES = 16,
	DEFAULT_TIMEOUT_MS = 2000,
	DEFAULT_ATTEMPTS = 2,
	MAX_ATTEMPTS = 16,
	/* Larger than 512 so that a server ignoring the UDP limit is still
	 * heard; one buffer serves every query (callbacks are serial). */
	RX_CAP = 4096,
	/* Datagrams read per wake-up, so one busy socket cannot hog the
	 * loop. */
	MAX_READS = 8,
	RESOLV_LINE_CAP = 256
};

static const char mod[] = "dns";

struct query {
	struct sl_dns *d;
	uint32_t handle;          /* 0: the slot is free */
	uint32_t gen;             /* bumped per use; part of the handle */
	int fd;                   /* -1: none */
	int fd_server;            /* server the socket is connected to */
	uint16_t id;
	uint16_t qtype;
	uint16_t wire_len;
	uint16_t name_len;
	unsigned tries;           /* attempts sent so far */
	int err;                  /* reported when the attempts run out */
	struct sl_timer timer;
	sl_dns_cb cb;
	void *arg;
	char name[SL_DNS_TEXT_CAP];
	uint8_t wire[SL_DNS_QUERY_MAX];
};

struct sl_dns {
	struct sl_loop *loop;
	struct sl_addr servers[SL_DNS_MAX_SERVERS];
	unsigned n_servers;
	uint32_t timeout_ms;
	unsigned max_tries;       /* attempts * n_servers */
	uint32_t cap;
	uint32_t in_flight;
	uint64_t rng;             /* fallback when getrandom() fails */
	struct query *queries;    /* cap slots */
	uint8_t rx[RX_CAP];
};

/* ---- addresses and configuration ---- */

static int addr_from_text(struct sl_addr *a, const char *host, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &a->u.in.sin_addr) == 1) {
		a->u.in.sin_family = AF_INET;
		a->u.in.sin_port = htons(port);
		a->len = sizeof(a->u.in);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons(port);
		a->len = sizeof(a->u.in6);
		return 0;
	}
	return SL_EINVAL;
}

void sl__dns_config_init(struct sl_dns_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_queries = DEFAULT_MAX_QUERIES;
	cfg->timeout_ms = DEFAULT_TIMEOUT_MS;
	cfg->attempts = DEFAULT_ATTEMPTS;
}

int sl__dns_config_add_server(struct sl_dns_config *cfg, const char *host,
			      uint16_t port)
{
	if (!cfg || !host)
		return SL_EINVAL;
	if (cfg->n_servers >= SL_DNS_MAX_SERVERS)
		return SL_ELIMIT;
	if (addr_from_text(&cfg->servers[cfg->n_servers], host,
			   port ? port : 53) < 0)
		return SL_EINVAL;
	cfg->n_servers++;
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One resolv.conf line: 1 when it is "nameserver <numeric address>". */
static int resolv_line(const char *line, size_t len, struct sl_addr *out)
{
	static const char kw[] = "nameserver";
	char host[INET6_ADDRSTRLEN];
	size_t i = 0, start;

	while (i < len && is_blank(line[i]))
		i++;
	if (len - i < sizeof(kw) || memcmp(line + i, kw, sizeof(kw) - 1) ||
	    !is_blank(line[i + sizeof(kw) - 1]))
		return 0;
	i += sizeof(kw) - 1;
	while (i < len && is_blank(line[i]))
		i++;
	start = i;
	while (i < len && !is_blank(line[i]) && line[i] != '#' &&
	       line[i] != ';')
		i++;
	/* A scoped address (fe80::1%eth0) is skipped: no interface ids. */
	if (i == start || i - start >= sizeof(host))
		return 0;
	memcpy(host, line + start, i - start);
	host[i - start] = '\0';
	return addr_from_text(out, host, 53) == 0;
}

int sl__dns_read_resolv_conf(const char *path, struct sl_addr *out,
			     unsigned cap)
{
	char line[RESOLV_LINE_CAP];
	unsigned n = 0;
	int skipping = 0;
	FILE *f;

	if (!path || (!out && cap))
		return SL_EINVAL;
	f = fopen(path, "r");
	if (!f)
		return SL_EIO;
	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		int whole = len > 0 && line[len - 1] == '\n';

		/* The tail of an overlong line is no line of its own. */
		if (!skipping && n < cap && resolv_line(line, len, &out[n]))
			n++;
		skipping = !whole;
	}
	fclose(f);
	return (int)n;
}

/* ---- the pool ---- */

static uint16_t random_id(struct sl_dns *d)
{
	uint16_t id;

	if (getrandom(&id, sizeof(id), GRND_NONBLOCK) == (ssize_t)sizeof(id))
		return id;
	/* Early boot without entropy yet: xorshift64 seeded at creation.
	 * Weaker, but the random source port still protects the query. */
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return (uint16_t)(d->rng >> 32);
}

static struct query *find(struct sl_dns *d, uint32_t handle)
{
	struct query *q;

	if (!handle)
		return NULL;
	q = &d->queries[(handle - 1) % d->cap];
	return q->handle == handle ? q : NULL;
}

static void close_socket(struct query *q)
{
	if (q->fd < 0)
		return;
	sl__loop_unwatch(q->d->loop, q->fd);
	close(q->fd);
	q->fd = -1;
	q->fd_server = -1;
}

static void release(struct query *q)
{
	sl__loop_timer_stop(q->d->loop, &q->timer);
	close_socket(q);
	q->handle = 0;
	q->cb = NULL;
	q->arg = NULL;
	q->d->in_flight--;
}

/* Frees the slot first, so the callback may reuse it. */
static void complete(struct query *q, int err, const struct sl_dns_msg *m)
{
	sl_dns_cb cb = q->cb;
	void *arg = q->arg;

	release(q);
	cb(arg, err, m);
}

static void on_readable(void *arg, int fd, unsigned events);

static int open_socket(struct query *q, unsigned server)
{
	const struct sl_addr *a = &q->d->servers[server];
	int fd, rc;

	close_socket(q);
	fd = socket(a->u.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
	if (fd < 0)
		return SL_ETRANSPORT;
	if (connect(fd, &a->u.sa, a->len) < 0) {
		close(fd);
		return SL_ETRANSPORT;
	}
	rc = sl__loop_watch(q->d->loop, fd, SL_IO_READ, on_readable, q);
	if (rc < 0) {
		close(fd);
		return rc == SL_ELIMIT ? SL_ENOMEM : SL_ETRANSPORT;
	}
	q->fd = fd;
	q->fd_server = (int)server;
	/* A new socket gets a new id as well (RFC 5452 §9.2). */
	q->id = random_id(q->d);
	q->wire[0] = (uint8_t)(q->id >> 8);
	q->wire[1] = (uint8_t)q->id;
	return 0;
}

/*
 * Sends the next attempt and arms its timer. Return: 0, or the error of
 * the last attempt that could not be sent when none is left (nothing is
 * called back here; the caller decides).
 */
static int send_next(struct query *q)
{
	struct sl_dns *d = q->d;
	int rc = SL_ETRANSPORT;

	sl__loop_timer_stop(d->loop, &q->timer);
	while (q->tries < d->max_tries) {
		unsigned server = q->tries % d->n_servers;

		q->tries++;
		if (q->fd < 0 || q->fd_server != (int)server) {
			rc = open_socket(q, server);
			if (rc < 0) {
				q->err = SL_ETRANSPORT;
				continue;
			}
		}
		if (send(q->fd, q->wire, q->wire_len, 0) != q->wire_len) {
			/* ECONNREFUSED left by an earlier ICMP error, or no
			 * route: this server is out for this attempt. */
			sl_log_debug(mod, "send to server %u: %s", server,
				     strerror(errno));
			rc = SL_ETRANSPORT;
			q->err = SL_ETRANSPORT;
			close_socket(q);
			continue;
		}
		rc = sl__loop_timer_start(d->loop, &q->timer, d->timeout_ms);
		if (rc < 0)
			return rc;
		return 0;
	}
	return rc;
}

/* The current attempt failed: on to the next one, or report. */
static void next_attempt(struct query *q)
{
	if (send_next(q) < 0)
		complete(q, q->err, NULL);
}

static void on_timeout(struct sl_timer *t, void *arg)
{
	struct query *q = arg;

	(void)t;
	sl_log_debug(mod, "%.*s type %u: attempt %u timed out",
		     (int)q->name_len, q->name, q->qtype, q->tries);
	next_attempt(q);
}

/*
 * One datagram on @q's socket. Return: 1 when it settled the attempt (the
 * query completed or moved on: the socket may be gone), 0 when it was
 * ignored.
 */
static int take_answer(struct query *q, const uint8_t *p, size_t len)
{
	struct sl_dns_msg m;
	unsigned rcode;

	if (sl__dns_msg_parse(&m, p, len) < 0 || m.id != q->id ||
	    !(m.flags & SL_DNS_F_QR) || sl__dns_opcode(m.flags) != 0)
		return 0;
	rcode = sl__dns_rcode(m.flags);
	if (m.n_question == 0 && rcode != SL_DNS_R_NOERROR &&
	    rcode != SL_DNS_R_NXDOMAIN) {
		/* FORMERR and friends may come without the question. */
		q->err = SL_EFAIL;
		next_attempt(q);
		return 1;
	}
	if (m.n_question != 1 || m.q_type != q->qtype ||
	    m.q_class != SL_DNS_CLASS_IN ||
	    !sl__dns_name_eq(&m, m.q_name, q->name, q->name_len))
		return 0;
	switch (rcode) {
	case SL_DNS_R_NOERROR:
		if ((m.flags & SL_DNS_F_TC) && m.n_answer == 0) {
			sl_log_debug(mod, "%.*s: truncated, no answer",
				     (int)q->name_len, q->name);
			q->err = SL_EFAIL;
			next_attempt(q);
			return 1;
		}
		complete(q, 0, &m);
		return 1;
	case SL_DNS_R_NXDOMAIN:
		complete(q, SL_ENOTFOUND, &m);
		return 1;
	default:
		sl_log_debug(mod, "%.*s: rcode %u", (int)q->name_len,
			     q->name, rcode);
		q->err = SL_EFAIL;
		next_attempt(q);
		return 1;
	}
}

static void on_readable(void *arg, int fd, unsigned events)
{
	struct query *q = arg;
	struct sl_dns *d = q->d;

	(void)events;
	for (int i = 0; i < MAX_READS; i++) {
		ssize_t n = recv(fd, d->rx, sizeof(d->rx), 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				return;
			/* ICMP unreachable on the connected socket. */
			sl_log_debug(mod, "%.*s: %s", (int)q->name_len,
				     q->name, strerror(errno));
			q->err = SL_ETRANSPORT;
			close_socket(q);
			next_attempt(q);
			return;
		}
		if (take_answer(q, d->rx, (size_t)n))
			return;
	}
}

/* ---- the public side ---- */

int sl__dns_create(struct sl_dns **out, struct sl_loop *loop,
		   const struct sl_dns_config *cfg)
{
	struct sl_dns_config def;
	struct sl_dns *d;
	uint32_t cap;
	int n;

	if (!out || !loop)
		return SL_EINVAL;
	*out = NULL;
	if (!cfg) {
		sl__dns_config_init(&def);
		cfg = &def;
	}
	if (cfg->timeout_ms == 0 || cfg->attempts == 0 ||
	    cfg->attempts > MAX_ATTEMPTS ||
	    cfg->n_servers > SL_DNS_MAX_SERVERS)
		return SL_EINVAL;
	cap = cfg->max_queries ? cfg->max_queries : DEFAULT_MAX_QUERIES;
	/* The one allocation: the resolver and its pool, at creation. */
	d = sl__calloc(1, sizeof(*d));
	if (!d)
		return SL_ENOMEM;
	d->queries = sl__calloc(cap, sizeof(*d->queries));
	if (!d->queries) {
		sl__free(d);
		return SL_ENOMEM;
	}
	d->loop = loop;
	d->cap = cap;
	d->timeout_ms = cfg->timeout_ms;
	if (cfg->n_servers) {
		memcpy(d->servers, cfg->servers,
		       cfg->n_servers * sizeof(cfg->servers[0]));
		d->n_servers = cfg->n_servers;
	} else {
		const char *path = cfg->resolv_conf ? cfg->resolv_conf :
				   "/etc/resolv.conf";

		n = sl__dns_read_resolv_conf(path, d->servers,
					     SL_DNS_MAX_SERVERS);
		if (n > 0) {
			d->n_servers = (unsigned)n;
		} else {
			sl_log_warn(mod, "no nameserver in %s; using "
				    "127.0.0.1", path);
			addr_from_text(&d->servers[0], "127.0.0.1", 53);
			d->n_servers = 1;
		}
	}
	d->max_tries = cfg->attempts * d->n_servers;
	if (getrandom(&d->rng, sizeof(d->rng), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(d->rng))
		d->rng = (uintptr_t)d ^ sl__loop_now_us(loop);
	d->rng |= 1; /* xorshift must not start at 0 */
	for (uint32_t i = 0; i < cap; i++) {
		d->queries[i].d = d;
		d->queries[i].fd = -1;
		d->queries[i].fd_server = -1;
		sl__timer_init(&d->queries[i].timer, on_timeout,
			       &d->queries[i]);
	}
	*out = d;
	return 0;
}

void sl__dns_destroy(struct sl_dns *d)
{
	if (!d)
		return;
	for (uint32_t i = 0; i < d->cap; i++)
		if (d->queries[i].handle)
			release(&d->queries[i]);
	sl__free(d->queries);
	sl__free(d);
}

unsigned sl__dns_servers(const struct sl_dns *d, const struct sl_addr **out)
{
	if (!d)
		return 0;
	if (out)
		*out = d->servers;
	return d->n_servers;
}

int sl__dns_query(struct sl_dns *d, const char *name, size_t len,
		  uint16_t qtype, sl_dns_cb cb, void *arg, uint32_t *handle)
{
	struct query *q = NULL;
	uint32_t idx;
	int rc;

	if (handle)
		*handle = 0;
	if (!d || !name || !cb)
		return SL_EINVAL;
	if (len && name[len - 1] == '.')
		len--;
	if (len == 0 || len >= SL_DNS_TEXT_CAP)
		return SL_EINVAL;
	for (idx = 0; idx < d->cap; idx++) {
		if (!d->queries[idx].handle) {
			q = &d->queries[idx];
			break;
		}
	}
	if (!q)
		return SL_ENOMEM;
	rc = sl__dns_encode_query(q->wire, sizeof(q->wire), 0, qtype, name,
				  len);
	if (rc < 0)
		return rc;
	q->wire_len = (uint16_t)rc;
	memcpy(q->name, name, len);
	q->name[len] = '\0';
	q->name_len = (uint16_t)len;
	q->qtype = qtype;
	q->tries = 0;
	q->err = SL_ETIMEOUT;
	q->cb = cb;
	q->arg = arg;
	/* handle - 1 = gen * cap + idx, so the slot is found by division;
	 * handles repeat only after 2^32 / cap uses of one slot. */
	q->gen++;
	if ((uint64_t)q->gen * d->cap + idx + 1 > UINT32_MAX)
		q->gen = 0;
	q->handle = q->gen * d->cap + idx + 1;
	d->in_flight++;
	rc = send_next(q);
	if (rc < 0) {
		release(q);
		return rc;
	}
	if (handle)
		*handle = q->handle;
	return 0;
}

void sl__dns_cancel(struct sl_dns *d, uint32_t handle)
{
	struct query *q;

	if (!d)
		return;
	q = find(d, handle);
	if (q)
		release(q);
}

unsigned sl__dns_in_flight(const struct sl_dns *d)
{
	return d ? d->in_flight : 0;
}
