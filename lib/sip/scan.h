/*
 * lib/sip/scan.h: the cursor helpers every SIP decoder is built from.
 *
 * A cursor is a pair (p, end); each take-function consumes one piece (white
 * space, a token, a quoted string, a character) and advances p, or leaves it
 * alone and returns 0 when the piece is not there. Nothing reads past end,
 * nothing relies on a NUL, nothing writes.
 *
 * Thread: pure; any thread.
 */
#ifndef SL_SIP_SCAN_H
#define SL_SIP_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "charset.h"
#include "sipline/error.h"
#include "sipline/slice.h"

struct sl_cur {
	const char *p;
	const char *end;
};

static inline struct sl_cur sl__cur(struct sl_slice s)
{
	/* An empty slice may have p == NULL; NULL + 0 is undefined in C. */
	struct sl_cur c = { s.p, s.p ? s.p + s.len : s.p };
	return c;
}

static inline struct sl_slice sl__slice(const char *a, const char *b)
{
	struct sl_slice s = { a, (size_t)(b - a) };
	return s;
}

static inline int sl__eof(const struct sl_cur *c)
{
	return c->p >= c->end;
}

/** Skips SP, HT, CR, LF (folding is already known to be well-formed). */
static inline void sl__skip_ws(struct sl_cur *c)
{
	while (c->p < c->end && sl__ch((unsigned char)*c->p, SL_CH_WS))
		c->p++;
}

/** Takes the character @ch, skipping white space around it. 1 if taken. */
static inline int sl__take_sep(struct sl_cur *c, char ch)
{
	const char *save = c->p;

	sl__skip_ws(c);
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		sl__skip_ws(c);
		return 1;
	}
	c->p = save;
	return 0;
}

/** Takes a run of characters of class @cls (at least one). 1 if taken. */
static inline int sl__take_class(struct sl_cur *c, unsigned cls,
				 struct sl_slice *out)
{
	const char *s = c->p;

	while (c->p < c->end && sl__ch((unsigned char)*c->p, cls))
		c->p++;
	if (c->p == s)
		return 0;
	if (out)
		*out = sl__slice(s, c->p);
	return 1;
}

static inline int sl__take_token(struct sl_cur *c, struct sl_slice *out)
{
	return sl__take_class(c, SL_CH_TOKEN, out);
}

/**
 * Takes a quoted-string: '"' (qdtext / quoted-pair)* '"'. @out excludes the
 * quotes and keeps escapes as written. Returns 1 taken, 0 no quote here,
 * -1 unterminated or containing a bare CR/LF that is not folding.
 */
int sl__take_quoted(struct sl_cur *c, struct sl_slice *out);

/**
 * Takes a decimal number of at most @max_digits digits whose value is
 * <= @max. Returns 1 taken, 0 no digit here, -1 too large.
 */
int sl__take_uint(struct sl_cur *c, unsigned max_digits, unsigned long max,
		  unsigned long *out);

/* ---- parameter lists (used by every decoder with ";name=value") ---- */

/** sl_param_next() returns values without their quotes; the byte before a
 * value is '"' exactly when it was quoted ('=' or white space otherwise). */
static inline int sl__was_quoted(struct sl_slice v)
{
	return v.p && v.p[-1] == '"';
}

/** 1 when @s is non-empty and every byte is of class @cls. */
static inline int sl__all_class(struct sl_slice s, unsigned cls)
{
	for (size_t i = 0; i < s.len; i++)
		if (!sl__ch((unsigned char)s.p[i], cls))
			return 0;
	return s.len > 0;
}

/** Marks parameter @bit as seen; SL_EPARSE when it was already. */
static inline int sl__param_once(unsigned *seen, unsigned bit)
{
	if (*seen & bit)
		return SL_EPARSE;
	*seen |= bit;
	return 0;
}

/**
 * After a header's leading element: the end, or SEMI and a non-empty
 * parameter list. @params is set to the list without the ';'. Returns 0 or
 * SL_EPARSE (a ';' not followed by a parameter, or junk).
 */
int sl__take_params(struct sl_cur *c, struct sl_slice *params);

/** Trims white space (SP HT CR LF) at both ends. */
static inline struct sl_slice sl__trim(struct sl_slice s)
{
	const char *a = s.p, *b = s.p ? s.p + s.len : s.p;

	while (a < b && sl__ch((unsigned char)*a, SL_CH_WS))
		a++;
	while (b > a && sl__ch((unsigned char)b[-1], SL_CH_WS))
		b--;
	return sl__slice(a, b);
}

#endif /* SL_SIP_SCAN_H */

/*
 * Host and port, shared by the URI and Via decoders (RFC 3261 §25.1,
 * RFC 5118): hostname / IPv4address / "[" IPv6address "]".
 */
#include "sipline/uri.h"

/**
 * Takes a host. @host excludes the brackets of an IPv6 reference. A name
 * must be labels of alphanumerics and '-' (not at a label's ends) separated
 * by '.', with an optional final '.'; the last label must not start with a
 * digit unless the whole host is a dotted-quad IPv4 address (four decimal
 * parts of at most 3 digits, each <= 255). Returns 1 taken, 0 no host
 * character here, -1 malformed (cursor unchanged).
 */
int sl__take_host(struct sl_cur *c, struct sl_slice *host,
		  enum sl_host_type *type);

/** Takes ":" port (1-5 digits, 1..65535). 1 taken, 0 no ':', -1 bad. */
int sl__take_port(struct sl_cur *c, uint16_t *port);

/** 1 when @s is a valid IPv6address (RFC 3513 text form, with an optional
 * trailing dotted-quad). */
int sl__is_ipv6(struct sl_slice s);

/** 1 when @s is a valid dotted-quad IPv4 address. */
int sl__is_ipv4(struct sl_slice s);
