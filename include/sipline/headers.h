/*
 * include/sipline/headers.h: typed decoders for SIP header values
 * (RFC 3261 §20, §25.1 and the extension RFCs named per decoder).
 *
 * Each decoder takes one header value (one element of a list header, as
 * struct sl_hdr holds it) and fills a struct of slices into that value.
 * Folded line breaks (CRLF + SP/HT) count as white space. Quoted strings are
 * returned without their quotes and with escapes as written.
 *
 * Return convention for every decoder: 0 on success, SL_EPARSE when the
 * value does not match its grammar, SL_EINVAL for NULL pointers.
 *
 * Thread: pure functions; any thread.
 */
#ifndef SIPLINE_HEADERS_H
#define SIPLINE_HEADERS_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/error.h"
#include "sipline/slice.h"
#include "sipline/uri.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- generic parameters: ";name[=value]" lists ---- */

/**
 * sl_param_next() - takes the next parameter from a parameter list.
 * @cur:   the remaining list; a leading ';' and white space are skipped.
 *         Advanced past the parameter taken.
 * @name:  set to the parameter name.
 * @value: set to its value without quotes (empty when it has none).
 * @has_value: set to 1 when '=' was present (may be NULL).
 *
 * Return: 1 when a parameter was taken, 0 at the end of the list, SL_EPARSE
 * on a malformed parameter.
 */
int sl_param_next(struct sl_slice *cur, struct sl_slice *name,
		  struct sl_slice *value, int *has_value);

/**
 * sl_param_find() - finds a parameter by name (case-insensitive).
 * Return: 1 found (value set, empty without '='), 0 not found.
 */
int sl_param_find(struct sl_slice params, const char *name,
		  struct sl_slice *value);

/**
 * sl_uint_decode() - a decimal unsigned value (Expires, Min-Expires, RSeq,
 * Max-Forwards, Content-Length, Min-SE...), white space around allowed.
 * @max: the largest value accepted.
 * @out: set to the value.
 * Return: 0; SL_EPARSE when not all digits or greater than @max.
 */
int sl_uint_decode(struct sl_slice v, uint32_t max, uint32_t *out);

/**
 * sl_token_decode() - one token (an element of Allow, Supported, Require,
 * Proxy-Require, Unsupported, Allow-Events...). @out is the trimmed token.
 */
int sl_token_decode(struct sl_slice v, struct sl_slice *out);

/* ---- Via (RFC 3261 §20.42, RFC 3581) ---- */

/**
 * struct sl_via - one Via value.
 * @transport: "UDP", "TCP", "TLS", "SCTP", "WS"... as written.
 * @host:      sent-by host (IPv6 without brackets), @port 0 when absent.
 * @params:    all parameters (without the leading ';').
 * @branch, @received, @maddr: parameter values (empty when absent).
 * @rport:     -1 absent, 0 present without a value, else the value.
 * @ttl:       -1 absent, else 0..255.
 */
struct sl_via {
	struct sl_slice proto_name;
	struct sl_slice proto_version;
	struct sl_slice transport;
	struct sl_slice host;
	enum sl_host_type host_type;
	uint16_t port;
	struct sl_slice params;
	struct sl_slice branch;
	struct sl_slice received;
	struct sl_slice maddr;
	int32_t rport;
	int16_t ttl;
};

int sl_via_decode(struct sl_slice v, struct sl_via *via);

/* ---- name-addr / addr-spec headers ---- */

/**
 * struct sl_name_addr - From, To, Route, Record-Route, Refer-To,
 * Referred-By, P-Asserted-Identity, Contact (see struct sl_contact).
 * @display:  display name: quoted without the quotes (escapes as written) or
 *            the token sequence; empty when absent.
 * @display_quoted: 1 when the display name was a quoted string.
 * @uri_text: the URI as written (inside '<' '>' when present).
 * @uri:      the decoded URI.
 * @params:   header parameters after the URI (or after '>'), without ';'.
 *            Without '<' '>', parameters after the URI are header
 *            parameters (RFC 3261 §20).
 * @tag:      the "tag" parameter's value, empty when absent.
 */
struct sl_name_addr {
	struct sl_slice display;
	struct sl_slice uri_text;
	struct sl_uri uri;
	struct sl_slice params;
	struct sl_slice tag;
	uint8_t display_quoted;
	uint8_t angle;           /* the URI was inside '<' '>' */
};

int sl_name_addr_decode(struct sl_slice v, struct sl_name_addr *na);

/**
 * struct sl_contact - one Contact value (RFC 3261 §20.10).
 * @star:    1 for "*" (then nothing else is set).
 * @expires: -1 absent, else the parameter's value.
 * @q:       -1 absent, else the q-value in thousandths (0..1000).
 */
struct sl_contact {
	struct sl_name_addr addr;
	int star;
	int64_t expires;
	int q;
};

int sl_contact_decode(struct sl_slice v, struct sl_contact *c);

/* ---- CSeq, RAck, RSeq (RFC 3261 §20.16, RFC 3262) ---- */

struct sl_cseq {
	uint32_t seq;
	struct sl_slice method;
};

/** CSeq: the number must fit in 31 bits (RFC 3261 §8.1.1.5). */
int sl_cseq_decode(struct sl_slice v, struct sl_cseq *cs);

struct sl_rack {
	uint32_t rseq;
	uint32_t cseq;
	struct sl_slice method;
};

int sl_rack_decode(struct sl_slice v, struct sl_rack *r);

/* ---- Digest authentication (RFC 3261 §20.27, RFC 2617, RFC 7616) ---- */

/**
 * struct sl_auth - WWW-Authenticate, Proxy-Authenticate (challenge) or
 * Authorization, Proxy-Authorization (credentials). Every parameter the
 * RFCs define; empty slices for absent ones. Quoted values come without
 * their quotes. @stale is 1 for stale=true (any case).
 * @params: every parameter as written, for auth-params not listed here.
 */
struct sl_auth {
	struct sl_slice scheme;      /* "Digest" */
	struct sl_slice realm;
	struct sl_slice domain;
	struct sl_slice nonce;
	struct sl_slice opaque;
	struct sl_slice algorithm;
	struct sl_slice qop;         /* challenge: list; credentials: one */
	struct sl_slice username;
	struct sl_slice uri;
	struct sl_slice response;
	struct sl_slice cnonce;
	struct sl_slice nc;
	struct sl_slice userhash;    /* RFC 7616 */
	struct sl_slice charset;     /* RFC 7616 */
	struct sl_slice params;
	int stale;
};

int sl_auth_decode(struct sl_slice v, struct sl_auth *a);

/* ---- Events (RFC 6665), REFER (RFC 3515, RFC 3892), Replaces (RFC 3891) ---- */

struct sl_event_header {
	struct sl_slice package;     /* "presence", "dialog", "refer"... */
	struct sl_slice id;          /* the "id" parameter, empty when absent */
	struct sl_slice params;
};

int sl_event_decode(struct sl_slice v, struct sl_event_header *e);

struct sl_subscription_state {
	struct sl_slice state;       /* "active", "pending", "terminated" */
	struct sl_slice reason;
	int64_t expires;             /* -1 absent */
	int64_t retry_after;         /* -1 absent */
	struct sl_slice params;
};

int sl_subscription_state_decode(struct sl_slice v,
				 struct sl_subscription_state *s);

/**
 * struct sl_replaces - Replaces header (or the unescaped Replaces embedded
 * in a Refer-To URI).
 */
struct sl_replaces {
	struct sl_slice call_id;
	struct sl_slice to_tag;
	struct sl_slice from_tag;
	int early_only;
	struct sl_slice params;
};

int sl_replaces_decode(struct sl_slice v, struct sl_replaces *r);

/* ---- Session timers (RFC 4028) ---- */

struct sl_session_expires {
	uint32_t delta;              /* seconds */
	struct sl_slice refresher;   /* "uac", "uas" or empty */
	struct sl_slice params;
};

int sl_session_expires_decode(struct sl_slice v, struct sl_session_expires *s);

/* ---- Reason (RFC 3326), Retry-After, Timestamp, Content-Type ---- */

struct sl_reason {
	struct sl_slice protocol;    /* "SIP", "Q.850" */
	int cause;                   /* -1 absent */
	struct sl_slice text;        /* unquoted */
	struct sl_slice params;
};

int sl_reason_decode(struct sl_slice v, struct sl_reason *r);

struct sl_retry_after {
	uint32_t seconds;
	struct sl_slice comment;     /* without the parentheses */
	int64_t duration;            /* -1 absent */
	struct sl_slice params;
};

int sl_retry_after_decode(struct sl_slice v, struct sl_retry_after *r);

struct sl_timestamp {
	struct sl_slice value;       /* e.g. "54.3" */
	struct sl_slice delay;       /* empty when absent */
};

int sl_timestamp_decode(struct sl_slice v, struct sl_timestamp *t);

/** Content-Type / media-range: "type/subtype;params". */
struct sl_media_type {
	struct sl_slice type;
	struct sl_slice subtype;
	struct sl_slice params;
};

int sl_media_type_decode(struct sl_slice v, struct sl_media_type *m);

/**
 * sl_date_decode() - a Date value (RFC 3261 §20.17): an RFC 1123 date that
 * is always in GMT, e.g. "Sat, 13 Nov 2010 23:29:00 GMT".
 * @unix_time: set to seconds since 1970-01-01 00:00:00 UTC.
 *
 * The week day must be one of the seven names (it is not checked against
 * the date); any other zone than "GMT" is SL_EPARSE (RFC 4475 baddate).
 */
int sl_date_decode(struct sl_slice v, int64_t *unix_time);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_HEADERS_H */
