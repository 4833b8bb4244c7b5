/*
 * tests/fuzz/fuzz_dns.c: libFuzzer harness for the DNS wire decoder
 * (transport/dns_wire.c), fed arbitrary responses.
 *
 * Whole input: one DNS message. Invariants that abort: every record's
 * RDATA and every character string lies inside the input; the walk yields
 * no more records than the counts; an expanded name is NUL-terminated,
 * holds only host-name characters, compares equal to the wire name it came
 * from, and encodes back (sl__dns_put_name) to a name that expands to the
 * same text; sl__dns_each_answer() never reports more records than there
 * are answers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/dns_wire.h"
#include "sipline/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void inside(struct sl_slice s, const uint8_t *p, size_t size)
{
	const uint8_t *b = (const uint8_t *)s.p;

	if (s.len && (b < p || s.len > size || (size_t)(b - p) > size - s.len))
		abort();
}

static int ok_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* Expands the name at @off and checks what came out. */
static void check_name(const struct sl_dns_msg *m, size_t off)
{
	char text[SL_DNS_TEXT_CAP], again[SL_DNS_TEXT_CAP];
	uint8_t wire[SL_DNS_WIRE_NAME_MAX + 1];
	struct sl_dns_msg w;
	size_t woff = 0;
	int n = sl__dns_name_text(m, off, text, sizeof(text));

	if (n == SL_EPARSE)
		return;
	if (n < 0 || n >= (int)sizeof(text) || text[n] != '\0')
		abort();
	for (int i = 0; i < n; i++)
		if (!ok_char(text[i]))
			abort();
	if (n > 0 && !sl__dns_name_eq(m, off, text, (size_t)n))
		abort();
	/* Re-encode and expand again: the same text. */
	if (sl__dns_put_name(wire, sizeof(wire), &woff, text, (size_t)n) < 0)
		abort();
	memset(&w, 0, sizeof(w));
	w.p = wire;
	w.len = woff;
	if (sl__dns_name_text(&w, 0, again, sizeof(again)) != n ||
	    memcmp(text, again, (size_t)n) != 0)
		abort();
	/* A buffer one byte short is refused, not overrun. */
	if (n > 0 && sl__dns_name_text(m, off, again, (size_t)n) != SL_ENOSPC)
		abort();
}

static int count_cb(void *arg, const struct sl_dns_msg *m,
		    const struct sl_dns_rr *rr)
{
	(void)m;
	if (rr->section != SL_DNS_ANSWER)
		abort();
	++*(unsigned *)arg;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t types[] = { SL_DNS_T_A, SL_DNS_T_AAAA,
					  SL_DNS_T_SRV, SL_DNS_T_NAPTR,
					  SL_DNS_T_CNAME };
	struct sl_dns_msg m;
	struct sl_dns_iter it;
	struct sl_dns_rr rr;
	uint32_t total, seen = 0;
	char qname[SL_DNS_TEXT_CAP];
	int rc, qlen = -1;

	if (!data || sl__dns_msg_parse(&m, data, size) < 0)
		return 0;
	if (m.rr_off > size)
		abort();
	if (m.n_question) {
		check_name(&m, m.q_name);
		qlen = sl__dns_name_text(&m, m.q_name, qname, sizeof(qname));
	}
	total = (uint32_t)m.n_answer + m.n_authority + m.n_additional;
	sl__dns_iter_init(&it, &m);
	/* Bounded: every call moves the walk on or ends it. */
	while ((rc = sl__dns_rr_next(&m, &it, &rr)) != 0) {
		if (++seen > total)
			abort();
		if (rc < 0)
			continue;
		if (rr.rdata > size || rr.rdlen > size - rr.rdata)
			abort();
		check_name(&m, rr.name);
		switch (rr.type) {
		case SL_DNS_T_SRV:
			check_name(&m, rr.u.srv.target);
			break;
		case SL_DNS_T_CNAME:
			check_name(&m, rr.u.cname.target);
			break;
		case SL_DNS_T_NAPTR:
			inside(rr.u.naptr.flags, data, size);
			inside(rr.u.naptr.services, data, size);
			inside(rr.u.naptr.regexp, data, size);
			check_name(&m, rr.u.naptr.replacement);
			break;
		default:
			break;
		}
	}
	if (qlen > 0) {
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
			unsigned n = 0;

			rc = sl__dns_each_answer(&m, qname, (size_t)qlen,
						 types[i], count_cb, &n);
			if (rc < 0 || (unsigned)rc != n || n > m.n_answer)
				abort();
		}
	}
	return 0;
}
