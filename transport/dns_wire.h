/*
 * transport/dns_wire.h: the DNS message format (RFC 1035 §4) as far as
 * SIP server location needs it: queries are encoded, responses are read
 * in place.
 *
 * Decoding never copies the message and never writes into it: a parsed
 * response (struct sl_dns_msg) is the received bytes plus the header
 * fields and the offsets of its sections, records are read one at a time
 * with an iterator, and a (possibly compressed) name is expanded into a
 * caller's buffer only when it is needed. Every read is bounded by the
 * message length; compression pointers must point strictly before the
 * run of labels they end, so following them always terminates (no loop,
 * no recursion). Record types decoded: A, AAAA, CNAME, SRV (RFC 2782),
 * NAPTR (RFC 3403); others are skipped over.
 *
 * Thread: pure functions; any thread.
 */
#ifndef SL_TRANSPORT_DNS_WIRE_H
#define SL_TRANSPORT_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/slice.h"

enum {
	SL_DNS_HEADER_LEN = 12,
	SL_DNS_UDP_MAX = 512,     /* RFC 1035 §4.2.1, no EDNS */
	SL_DNS_LABEL_MAX = 63,
	SL_DNS_WIRE_NAME_MAX = 255, /* RFC 1035 §2.3.4, labels + lengths */
	SL_DNS_TEXT_CAP = 254,    /* a name as text: 253 characters + NUL */
	/* The largest query we encode: header, name, type and class. */
	SL_DNS_QUERY_MAX = SL_DNS_HEADER_LEN + SL_DNS_WIRE_NAME_MAX + 4,
	SL_DNS_MAX_CNAME = 8      /* CNAME links followed inside a response */
};

enum sl_dns_type {
	SL_DNS_T_A = 1,
	SL_DNS_T_CNAME = 5,
	SL_DNS_T_AAAA = 28,
	SL_DNS_T_SRV = 33,
	SL_DNS_T_NAPTR = 35
};

enum { SL_DNS_CLASS_IN = 1 };

/* Header flag bits (RFC 1035 §4.1.1). */
enum sl_dns_flag {
	SL_DNS_F_QR = 0x8000,
	SL_DNS_F_AA = 0x0400,
	SL_DNS_F_TC = 0x0200,
	SL_DNS_F_RD = 0x0100,
	SL_DNS_F_RA = 0x0080
};

enum sl_dns_rcode {
	SL_DNS_R_NOERROR = 0,
	SL_DNS_R_FORMERR = 1,
	SL_DNS_R_SERVFAIL = 2,
	SL_DNS_R_NXDOMAIN = 3,
	SL_DNS_R_NOTIMP = 4,
	SL_DNS_R_REFUSED = 5
};

enum sl_dns_section {
	SL_DNS_ANSWER = 0,
	SL_DNS_AUTHORITY = 1,
	SL_DNS_ADDITIONAL = 2
};

static inline unsigned sl__dns_rcode(uint16_t flags)
{
	return flags & 0x000fu;
}

static inline unsigned sl__dns_opcode(uint16_t flags)
{
	return (flags >> 11) & 0x000fu;
}

/**
 * struct sl_dns_msg - a parsed message; everything points into @p.
 * @p, @len:   the message as received (owned by the caller).
 * @n_answer, @n_authority, @n_additional: record counts. For a truncated
 *             message (TC) they are cut down to the records that arrived
 *             whole.
 * @q_name:    offset of the question's name (valid when n_question is 1).
 * @rr_off:    offset of the first resource record.
 */
struct sl_dns_msg {
	const uint8_t *p;
	size_t len;
	uint16_t id;
	uint16_t flags;
	uint16_t n_question;
	uint16_t n_answer;
	uint16_t n_authority;
	uint16_t n_additional;
	uint16_t q_type;
	uint16_t q_class;
	size_t q_name;
	size_t rr_off;
};

/**
 * struct sl_dns_rr - one resource record. Names are offsets into the
 * message; expand them with sl__dns_name_text(). Character strings are
 * slices of the message.
 */
struct sl_dns_rr {
	enum sl_dns_section section;
	uint16_t type;
	uint16_t cls;
	uint32_t ttl;
	size_t name;       /* owner name */
	size_t rdata;      /* offset of the RDATA */
	uint16_t rdlen;
	union {
		uint8_t a[4];
		uint8_t aaaa[16];
		struct {
			uint16_t priority;
			uint16_t weight;
			uint16_t port;
			size_t target;
		} srv;
		struct {
			uint16_t order;
			uint16_t preference;
			struct sl_slice flags;
			struct sl_slice services;
			struct sl_slice regexp;
			size_t replacement;
		} naptr;
		struct {
			size_t target;
		} cname;
	} u;
};

/** struct sl_dns_iter - position of a walk over a message's records. */
struct sl_dns_iter {
	size_t off;
	uint32_t index;   /* records read so far, over all sections */
};

/**
 * sl__dns_encode_query() - writes a standard query (RD set) for one name.
 * @buf, @cap: output.
 * @id:        the message id.
 * @qtype:     an enum sl_dns_type (any 16-bit type is accepted).
 * @name, @len: the name as text, labels separated by '.', an optional
 *             final '.'; each label 1-63 characters of letters, digits,
 *             '-' and '_', 253 characters at most in all.
 * Return: the message length; SL_EINVAL for a bad name or NULL;
 * SL_ENOSPC when @cap is too small.
 */
int sl__dns_encode_query(uint8_t *buf, size_t cap, uint16_t id,
			 uint16_t qtype, const char *name, size_t len);

/**
 * sl__dns_put_name() - writes @name (text, as for sl__dns_encode_query(),
 * or "" / "." for the root) uncompressed at @buf[*off] and advances *off.
 * Return: 0; SL_EINVAL for a bad name; SL_ENOSPC when it does not fit.
 */
int sl__dns_put_name(uint8_t *buf, size_t cap, size_t *off, const char *name,
		     size_t len);

/**
 * sl__dns_msg_parse() - reads a message's header and question and checks
 * that every record's frame (name, type, class, TTL, RDATA length) lies
 * inside it.
 * Return: 0; SL_EPARSE when the message is shorter than its counts say
 * (unless TC is set: then the counts are cut to what arrived), holds more
 * than one question, or a name is malformed; SL_EINVAL for NULL.
 */
int sl__dns_msg_parse(struct sl_dns_msg *m, const uint8_t *p, size_t len);

/** Starts a walk at the first record of @m. */
void sl__dns_iter_init(struct sl_dns_iter *it, const struct sl_dns_msg *m);

/**
 * sl__dns_rr_next() - reads the next record (answers, then authority, then
 * additional) and decodes the RDATA of the types this file knows.
 * Return: 1 with @rr filled; 0 at the end; SL_EPARSE when this record's
 * RDATA is malformed for its type (the walk has moved past it: call again
 * for the next one) or the frame is broken (the walk is at its end).
 */
int sl__dns_rr_next(const struct sl_dns_msg *m, struct sl_dns_iter *it,
		    struct sl_dns_rr *rr);

/**
 * sl__dns_name_text() - expands the name at @off into text: labels joined
 * by '.', no final dot, the root as "". Compression pointers are followed
 * only backwards, at most 127 times, and the expanded name must fit the
 * 255-byte limit.
 * Return: the text length (NUL written after it); SL_EPARSE for a
 * malformed name or one with a byte that cannot be in a host name (only
 * letters, digits, '-' and '_' are kept); SL_ENOSPC when @cap is too
 * small (SL_DNS_TEXT_CAP always suffices).
 */
int sl__dns_name_text(const struct sl_dns_msg *m, size_t off, char *out,
		      size_t cap);

/**
 * sl__dns_name_eq() - 1 when the name at @off equals @name (text, optional
 * final '.'), ASCII case-insensitively; 0 when not or when malformed.
 */
int sl__dns_name_eq(const struct sl_dns_msg *m, size_t off, const char *name,
		    size_t len);

/** 1 when two text names are equal ignoring case and a final '.'. */
int sl__dns_text_eq(const char *a, size_t alen, const char *b, size_t blen);

/** Called for each matching answer; return non-zero to stop the walk. */
typedef int (*sl_dns_rr_fn)(void *arg, const struct sl_dns_msg *m,
			    const struct sl_dns_rr *rr);

/**
 * sl__dns_each_answer() - calls @fn for every well-formed answer record of
 * @type owned by @name or by the name a chain of CNAME records in the same
 * answer section leads to from it (at most SL_DNS_MAX_CNAME links).
 * Records with malformed RDATA are skipped.
 * Return: how many records were passed to @fn; SL_EINVAL for NULL.
 */
int sl__dns_each_answer(const struct sl_dns_msg *m, const char *name,
			size_t len, uint16_t type, sl_dns_rr_fn fn, void *arg);

#endif /* SL_TRANSPORT_DNS_WIRE_H */
