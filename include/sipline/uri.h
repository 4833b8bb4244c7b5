/*
 * include/sipline/uri.h: SIP, SIPS and TEL URIs (RFC 3261 §19.1, RFC 3966).
 *
 * sl_uri_parse() decodes a URI into slices of the text it was given; escaped
 * characters stay escaped in the slices (sl_uri_unescape() decodes them into
 * a caller's buffer). Other schemes (http:, urn:, ...) parse as
 * SL_URI_OTHER with everything after the colon in @opaque, so a UA can still
 * answer 416 or keep them verbatim.
 *
 * Thread: pure functions; any thread.
 */
#ifndef SIPLINE_URI_H
#define SIPLINE_URI_H

#include <stddef.h>
#include <stdint.h>

#include "sipline/slice.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sl_uri_scheme {
	SL_URI_NONE = 0,
	SL_URI_SIP,
	SL_URI_SIPS,
	SL_URI_TEL,
	SL_URI_OTHER
};

enum sl_host_type {
	SL_HOST_NONE = 0,
	SL_HOST_NAME,  /* a domain name (syntax checked, not resolved) */
	SL_HOST_IPV4,
	SL_HOST_IPV6   /* @host holds the address without the brackets */
};

/**
 * struct sl_uri - a decoded URI; every slice points into the parsed text.
 * @scheme_name: as written ("sip", "SIP", "tel", "http").
 * @user:     SIP/SIPS user part, escaped as written; for TEL, the number
 *            (global "+..." or local) up to the first ';'.
 * @password: SIP/SIPS password (after ':' in userinfo), may be empty.
 * @has_user: 1 when a userinfo part ('@') is present (user may be empty).
 * @host:     host without brackets; empty for TEL and OTHER.
 * @port:     0 when absent.
 * @params:   the parameters after the first ';' (without it) up to '?' or
 *            the end, escaped as written; look one up with sl_uri_param().
 * @headers:  the URI headers after '?' (without it), escaped as written.
 * @opaque:   for SL_URI_OTHER, everything after the first ':'.
 */
struct sl_uri {
	enum sl_uri_scheme scheme;
	enum sl_host_type host_type;
	struct sl_slice scheme_name;
	struct sl_slice user;
	struct sl_slice password;
	struct sl_slice host;
	struct sl_slice params;
	struct sl_slice headers;
	struct sl_slice opaque;
	uint16_t port;
	uint8_t has_user;
	uint8_t has_password;
};

/**
 * sl_uri_parse() - decodes a URI.
 * @p, @len: the URI text (no surrounding '<' '>' and no white space).
 * @uri:     filled on success.
 *
 * Checks the RFC 3261 §25.1 grammar for sip/sips (user and password
 * characters and escapes, host name / IPv4 / IPv6 reference (RFC 5118),
 * port 1-65535 and no more than 5 digits, parameter and header characters)
 * and RFC 3966 for tel (a global number starts with '+' and digits, a local
 * one needs a phone-context parameter).
 *
 * Return: 0; SL_EPARSE when the text is not a valid URI of its scheme (an
 * empty text or one without a scheme too); SL_EINVAL for NULL.
 */
int sl_uri_parse(const char *p, size_t len, struct sl_uri *uri);

/**
 * sl_uri_equal() - RFC 3261 §19.1.4 comparison of two SIP/SIPS URIs (TEL:
 * RFC 3966 §4; other schemes: case-insensitive byte comparison of the
 * scheme and exact comparison of the rest).
 *
 * User and password are compared case-sensitively after unescaping; host
 * case-insensitively; a missing port never equals an explicit one; user,
 * ttl, method, maddr and transport parameters must match when either side
 * has them; other parameters must match only when both have them; headers
 * must match in both directions.
 *
 * Return: 1 when equal, 0 when not.
 */
int sl_uri_equal(const struct sl_uri *a, const struct sl_uri *b);

/**
 * sl_uri_unescape() - decodes %XX escapes of @in into @out, NUL-terminated.
 * Return: the decoded length; SL_ENOSPC when @cap is too small; SL_EPARSE
 * for a '%' not followed by two hex digits.
 */
int sl_uri_unescape(struct sl_slice in, char *out, size_t cap);

/**
 * sl_uri_param() - finds a URI parameter by name (case-insensitive).
 * @value: set to its value (empty for a parameter without '=').
 * Return: 1 found, 0 not found.
 */
int sl_uri_param(const struct sl_uri *uri, const char *name,
		 struct sl_slice *value);

/**
 * sl_uri_header() - finds a URI header (after '?') by name (case-insensitive,
 * compact forms not expanded), e.g. "Replaces" in a Refer-To URI.
 * @value: set to the escaped value; decode it with sl_uri_unescape().
 * Return: 1 found, 0 not found.
 */
int sl_uri_header(const struct sl_uri *uri, const char *name,
		  struct sl_slice *value);

#ifdef __cplusplus
}
#endif

#endif /* SIPLINE_URI_H */
