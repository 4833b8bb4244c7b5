/*
 * tests/unit/dns_responder.h: a tiny authoritative DNS server for the unit
 * tests, on the test's own loop, bound to 127.0.0.1 on an ephemeral UDP
 * port. It answers from a zone table the test gives: records (A, AAAA,
 * CNAME, SRV, NAPTR) and behaviours for a name (NXDOMAIN, silence,
 * SERVFAIL, truncation, garbage), and it logs what it was asked.
 *
 * Thread: the loop thread of the test.
 */
#ifndef SL_TEST_DNS_RESPONDER_H
#define SL_TEST_DNS_RESPONDER_H

#include <stddef.h>
#include <stdint.h>

struct sl_loop;

enum dns_zone_kind {
	/* records: answered when the query's type matches */
	DNS_Z_A,          /* data: "192.0.2.1" */
	DNS_Z_AAAA,       /* data: "2001:db8::1" */
	DNS_Z_CNAME,      /* data: the canonical name */
	DNS_Z_SRV,        /* data: target ("." for none); a, b, c:
			   * priority, weight, port */
	DNS_Z_NAPTR,      /* data: replacement; a, b: order, preference;
			   * flags, services */
	/* behaviours: for queries of @qtype (0: any type) for the name */
	DNS_Z_NXDOMAIN,
	DNS_Z_DROP,       /* never answered */
	DNS_Z_SERVFAIL,
	DNS_Z_TRUNCATED,  /* TC set and no records */
	DNS_Z_TC_PARTIAL, /* TC set, the records, a count one too high */
	DNS_Z_GARBAGE,    /* the right id, then junk */
	DNS_Z_WRONG_ID,   /* a correct answer with another id */
	DNS_Z_BARE_REFUSED, /* REFUSED, header only (no question) */
	DNS_Z_DROP_FIRST  /* the first query is not answered, later ones
			   * are (the entry must be among the first 64) */
};

struct dns_zone_entry {
	enum dns_zone_kind kind;
	const char *name;
	uint16_t qtype;
	const char *data;
	uint16_t a, b, c;
	const char *flags;
	const char *services;
};

enum { DNS_RESPONDER_LOG = 64 };

struct dns_query_log {
	uint16_t id;
	uint16_t qtype;
	char name[256];
};

struct dns_responder {
	struct sl_loop *loop;
	int fd;
	uint16_t port;
	int mute;                   /* 1: drop everything */
	const struct dns_zone_entry *zone;
	unsigned n_zone;
	unsigned n_queries;         /* received, answered or not */
	uint64_t dropped_once;      /* DNS_Z_DROP_FIRST entries used up */
	struct dns_query_log log[DNS_RESPONDER_LOG];
};

/** Binds 127.0.0.1:0 and watches the socket on @loop. Return: 0 or < 0. */
int dns_responder_start(struct dns_responder *r, struct sl_loop *loop,
			const struct dns_zone_entry *zone, unsigned n_zone);

void dns_responder_stop(struct dns_responder *r);

/**
 * dns_responder_answer() - the answer to @query as bytes.
 * Return: its length; 0 when the query gets no answer (DNS_Z_DROP, mute,
 * unparsable query).
 */
size_t dns_responder_answer(struct dns_responder *r,
			    const uint8_t *query, size_t len, uint8_t *out,
			    size_t cap);

/** How many logged queries had @qtype (0: any) and @name (NULL: any). */
unsigned dns_responder_count(const struct dns_responder *r, uint16_t qtype,
			     const char *name);

#endif /* SL_TEST_DNS_RESPONDER_H */
