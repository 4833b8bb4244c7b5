/*
 * tests/unit/dns_responder.c: the unit tests' authoritative DNS server
 * (see dns_responder.h).
 *
 * Owns: one UDP socket on 127.0.0.1, watched on the test's loop.
 * Thread: the test's loop thread.
 * Called by: tests/unit/check_dns.c.
 *
 * Answers compress the owner name to the question when they are the same
 * (a pointer to offset 12), as real servers do, so the resolver's
 * decompression is exercised on every answer. CNAMEs are chased inside
 * the answer like a recursive server would, at most 8 links.
 */
#include "dns_responder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "transport/dns_wire.h"

enum { MAX_CHASE = 8 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static int ieq(const char *a, const char *b)
{
	return sl__dns_text_eq(a, strlen(a), b, strlen(b));
}

static int is_record(enum dns_zone_kind k)
{
	return k <= DNS_Z_NAPTR;
}

static uint16_t record_type(enum dns_zone_kind k)
{
	switch (k) {
	case DNS_Z_A:
		return SL_DNS_T_A;
	case DNS_Z_AAAA:
		return SL_DNS_T_AAAA;
	case DNS_Z_CNAME:
		return SL_DNS_T_CNAME;
	case DNS_Z_SRV:
		return SL_DNS_T_SRV;
	default:
		return SL_DNS_T_NAPTR;
	}
}

static int put_string(uint8_t *out, size_t cap, size_t *off, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n > 255 || cap - *off < n + 1)
		return -1;
	out[(*off)++] = (uint8_t)n;
	memcpy(out + *off, s, n);
	*off += n;
	return 0;
}

/* One record; the owner is a pointer to the question when it matches. */
static int put_rr(uint8_t *out, size_t cap, size_t *off, const char *qname,
		  const char *owner, const struct dns_zone_entry *e)
{
	size_t rdlen_at, start;
	uint8_t addr[16];

	if (ieq(owner, qname)) {
		if (cap - *off < 2)
			return -1;
		out[(*off)++] = 0xc0;
		out[(*off)++] = SL_DNS_HEADER_LEN;
	} else if (sl__dns_put_name(out, cap, off, owner, strlen(owner)) < 0) {
		return -1;
	}
	if (cap - *off < 10)
		return -1;
	put16(out + *off, record_type(e->kind));
	put16(out + *off + 2, SL_DNS_CLASS_IN);
	memset(out + *off + 4, 0, 4);
	out[*off + 7] = 60; /* TTL */
	rdlen_at = *off + 8;
	*off += 10;
	start = *off;
	switch (e->kind) {
	case DNS_Z_A:
		if (inet_pton(AF_INET, e->data, addr) != 1 || cap - *off < 4)
			return -1;
		memcpy(out + *off, addr, 4);
		*off += 4;
		break;
	case DNS_Z_AAAA:
		if (inet_pton(AF_INET6, e->data, addr) != 1 ||
		    cap - *off < 16)
			return -1;
		memcpy(out + *off, addr, 16);
		*off += 16;
		break;
	case DNS_Z_CNAME:
		if (sl__dns_put_name(out, cap, off, e->data,
				     strlen(e->data)) < 0)
			return -1;
		break;
	case DNS_Z_SRV:
		if (cap - *off < 6)
			return -1;
		put16(out + *off, e->a);
		put16(out + *off + 2, e->b);
		put16(out + *off + 4, e->c);
		*off += 6;
		if (sl__dns_put_name(out, cap, off, e->data,
				     strlen(e->data)) < 0)
			return -1;
		break;
	default: /* NAPTR */
		if (cap - *off < 4)
			return -1;
		put16(out + *off, e->a);
		put16(out + *off + 2, e->b);
		*off += 4;
		if (put_string(out, cap, off, e->flags) < 0 ||
		    put_string(out, cap, off, e->services) < 0 ||
		    put_string(out, cap, off, "") < 0 ||
		    sl__dns_put_name(out, cap, off, e->data,
				     strlen(e->data)) < 0)
			return -1;
		break;
	}
	put16(out + rdlen_at, (uint16_t)(*off - start));
	return 0;
}

static const struct dns_zone_entry *behaviour(struct dns_responder *r,
					      const char *name,
					      uint16_t qtype)
{
	for (unsigned i = 0; i < r->n_zone; i++) {
		const struct dns_zone_entry *e = &r->zone[i];

		if (is_record(e->kind) || !ieq(e->name, name) ||
		    (e->qtype != 0 && e->qtype != qtype))
			continue;
		if (e->kind == DNS_Z_DROP_FIRST) {
			if (i >= 64 || (r->dropped_once >> i) & 1)
				continue;
			r->dropped_once |= (uint64_t)1 << i;
		}
		return e;
	}
	return NULL;
}

static int name_known(const struct dns_responder *r, const char *name)
{
	for (unsigned i = 0; i < r->n_zone; i++)
		if (is_record(r->zone[i].kind) && ieq(r->zone[i].name, name))
			return 1;
	return 0;
}

size_t dns_responder_answer(struct dns_responder *r,
			    const uint8_t *query, size_t len, uint8_t *out,
			    size_t cap)
{
	const struct dns_zone_entry *b;
	struct sl_dns_msg q;
	char qname[SL_DNS_TEXT_CAP], cur[SL_DNS_TEXT_CAP];
	size_t off, qend;
	unsigned an = 0, rcode = SL_DNS_R_NOERROR;
	uint16_t flags;

	if (r->mute || sl__dns_msg_parse(&q, query, len) < 0 ||
	    q.n_question != 1 ||
	    sl__dns_name_text(&q, q.q_name, qname, sizeof(qname)) < 0)
		return 0;
	/* The question is copied as it came (name, type, class). */
	qend = q.rr_off;
	if (cap < qend + 1)
		return 0;
	memcpy(out, query, qend);
	flags = (uint16_t)(SL_DNS_F_QR | SL_DNS_F_AA | SL_DNS_F_RA |
			   (q.flags & SL_DNS_F_RD));
	off = qend;
	b = behaviour(r, qname, q.q_type);
	if (b && (b->kind == DNS_Z_DROP || b->kind == DNS_Z_DROP_FIRST))
		return 0;
	if (b && b->kind == DNS_Z_GARBAGE) {
		/* The right id, a plausible header, then junk. */
		for (size_t i = 2; i < 40 && i < cap; i++)
			out[i] = (uint8_t)(0x5a ^ (i * 37));
		return 40 < cap ? 40 : cap;
	}
	if (b && b->kind == DNS_Z_BARE_REFUSED) {
		memset(out + 2, 0, SL_DNS_HEADER_LEN - 2);
		put16(out + 2, SL_DNS_F_QR | SL_DNS_R_REFUSED);
		return SL_DNS_HEADER_LEN;
	}
	if (b && b->kind == DNS_Z_NXDOMAIN)
		rcode = SL_DNS_R_NXDOMAIN;
	else if (b && b->kind == DNS_Z_SERVFAIL)
		rcode = SL_DNS_R_SERVFAIL;
	else if (b && b->kind == DNS_Z_TRUNCATED)
		flags |= SL_DNS_F_TC;
	if (rcode == SL_DNS_R_NOERROR && !(flags & SL_DNS_F_TC)) {
		int found = 0;

		memcpy(cur, qname, sizeof(cur));
		for (unsigned link = 0; link <= MAX_CHASE && !found; link++) {
			const struct dns_zone_entry *cname = NULL;

			for (unsigned i = 0; i < r->n_zone; i++) {
				const struct dns_zone_entry *e = &r->zone[i];

				if (!is_record(e->kind) || !ieq(e->name, cur))
					continue;
				if (record_type(e->kind) == q.q_type) {
					if (put_rr(out, cap, &off, qname,
						   cur, e) < 0)
						return 0;
					an++;
					found = 1;
				} else if (e->kind == DNS_Z_CNAME && !cname) {
					cname = e;
				}
			}
			if (found || !cname)
				break;
			if (put_rr(out, cap, &off, qname, cur, cname) < 0)
				return 0;
			an++;
			memcpy(cur, cname->data, strlen(cname->data) + 1);
		}
		if (an == 0 && !name_known(r, qname))
			rcode = SL_DNS_R_NXDOMAIN;
	}
	if (b && b->kind == DNS_Z_TC_PARTIAL) {
		flags |= SL_DNS_F_TC;
		an++; /* the record that "did not fit" */
	}
	flags |= (uint16_t)rcode;
	put16(out + 2, flags);
	put16(out + 4, 1);
	put16(out + 6, (uint16_t)an);
	put16(out + 8, 0);
	put16(out + 10, 0);
	if (b && b->kind == DNS_Z_WRONG_ID)
		put16(out, (uint16_t)(q.id + 1));
	return off;
}

unsigned dns_responder_count(const struct dns_responder *r, uint16_t qtype,
			     const char *name)
{
	unsigned n = 0, max = r->n_queries < DNS_RESPONDER_LOG ?
			      r->n_queries : DNS_RESPONDER_LOG;

	for (unsigned i = 0; i < max; i++)
		if ((qtype == 0 || r->log[i].qtype == qtype) &&
		    (!name || ieq(r->log[i].name, name)))
			n++;
	return n;
}

static void on_query(void *arg, int fd, unsigned events)
{
	struct dns_responder *r = arg;
	uint8_t in[SL_DNS_UDP_MAX], out[SL_DNS_UDP_MAX * 2];
	struct sockaddr_storage from;

	(void)events;
	for (int i = 0; i < 16; i++) {
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, in, sizeof(in), 0,
				     (struct sockaddr *)&from, &flen);
		struct sl_dns_msg q;
		size_t len;

		if (n < 0)
			return;
		if (sl__dns_msg_parse(&q, in, (size_t)n) == 0 &&
		    q.n_question == 1) {
			struct dns_query_log *l =
				&r->log[r->n_queries % DNS_RESPONDER_LOG];

			l->id = q.id;
			l->qtype = q.q_type;
			if (sl__dns_name_text(&q, q.q_name, l->name,
					      sizeof(l->name)) < 0)
				l->name[0] = '\0';
		}
		r->n_queries++;
		len = dns_responder_answer(r, in, (size_t)n, out,
					   sizeof(out));
		if (len)
			sendto(fd, out, len, 0, (struct sockaddr *)&from,
			       flen);
	}
}

int dns_responder_start(struct dns_responder *r, struct sl_loop *loop,
			const struct dns_zone_entry *zone, unsigned n_zone)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int rc;

	memset(r, 0, sizeof(*r));
	r->loop = loop;
	r->zone = zone;
	r->n_zone = n_zone;
	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (r->fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(r->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(r->fd, (struct sockaddr *)&sin, &slen) < 0) {
		close(r->fd);
		r->fd = -1;
		return -1;
	}
	r->port = ntohs(sin.sin_port);
	rc = sl__loop_watch(loop, r->fd, SL_IO_READ, on_query, r);
	if (rc < 0) {
		close(r->fd);
		r->fd = -1;
		return rc;
	}
	return 0;
}

void dns_responder_stop(struct dns_responder *r)
{
	if (r->fd < 0)
		return;
	sl__loop_unwatch(r->loop, r->fd);
	close(r->fd);
	r->fd = -1;
}
