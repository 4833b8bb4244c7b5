/*
 * lib/ua/auth.c: the account's digest credentials (RFC 3261 §22.2-22.4,
 * RFC 7616, RFC 8760) on top of sipline/digest.h: challenges from 401/407
 * responses go into a per-account cache of realms and nonces, and every
 * later request to those realms carries an answer computed from it
 * (pre-authentication, so a refresh does not cost a 401 round trip).
 *
 * Requests built elsewhere (the dialog layer's) get their credentials
 * spliced in before the blank line (sl__ua_auth_add()), and a compact copy
 * of what a request carried (sl__ua_auth_keep()) stands in for the whole
 * request when its 401/407 is judged, or gives an ACK its INVITE's
 * credentials (sl__ua_auth_reuse()).
 *
 * Owns: struct sl_ua_auth (the cache and its entries) inside the UA.
 * Thread: the SIP loop thread only.
 * Called by: register.c and the call engine (INVITE, BYE, re-INVITE,
 * UPDATE, PRACK, requests outside a dialog; lib/ua/call.c).
 */
#include <string.h>

#include "ua_int.h"
#include "core/log.h"

enum { MAX_CHALLENGES = 8 };

void sl__ua_auth_init(struct sl_ua *ua)
{
	sl_digest_cache_init(&ua->auth.cache, ua->auth.slots,
			     SL_UA_AUTH_REALMS);
}

void sl__ua_auth_reset(struct sl_ua *ua)
{
	sl_digest_cache_clear(&ua->auth.cache);
}

static void credentials(const struct sl_ua *ua, struct sl_digest_cred *c)
{
	const struct sl_account *a = &ua->acct.a;

	c->username = a->auth_user[0] ? a->auth_user : a->user;
	c->password = a->password;
	c->realm = NULL;
}

int sl__ua_auth_challenge(struct sl_ua *ua, const struct sl_msg *resp,
			  const char *sent, size_t sent_len)
{
	unsigned char mem[16 * 1024];
	struct sl_auth chals[MAX_CHALLENGES];
	struct sl_arena arena;
	struct sl_msg req;
	unsigned flags = resp->status == 407 ? SL_DIGEST_PROXY : 0;
	enum sl_hdr_id id = flags ? SL_HDR_PROXY_AUTHENTICATE
				  : SL_HDR_WWW_AUTHENTICATE;
	int have_req, answered = 0, err = SL_EPARSE;
	size_t n = 0;

	if (!ua->acct.set)
		return SL_ESTATE;
	for (uint16_t i = resp->first[id]; i != SL_HDR_NONE &&
	     n < MAX_CHALLENGES; i = resp->hdrs[i].next)
		if (sl_auth_decode(resp->hdrs[i].value, &chals[n]) == 0)
			n++;
	if (!n)
		return SL_EPARSE;
	sl_arena_init(&arena, mem, sizeof(mem));
	have_req = sent && sl_msg_parse(&req, sent, sent_len, &arena, NULL, 0,
					NULL) == 0;

	/* One answer per realm (RFC 3261 §22.3: a forked request may be
	 * challenged by several proxies). */
	for (size_t i = 0; i < n; i++) {
		char realm[SL_DIGEST_REALM_MAX];
		struct sl_auth sent_cred;
		int idx, found = 0, rc;
		int seen = 0;

		for (size_t k = 0; k < i; k++)
			if (chals[k].realm.len == chals[i].realm.len &&
			    (!chals[i].realm.len ||
			     !memcmp(chals[k].realm.p, chals[i].realm.p,
				     chals[i].realm.len)))
				seen = 1;
		if (seen || sl_slice_copy(chals[i].realm, realm,
					  sizeof(realm)) < 0)
			continue;
		idx = sl_digest_choose(chals, n, realm);
		if (idx < 0) {
			err = idx;
			continue;
		}
		if (have_req)
			found = sl_digest_find_sent(&req, &chals[idx], flags,
						    &sent_cred) == 1;
		rc = sl_digest_cache_challenge(&ua->auth.cache, &chals[idx],
					       flags,
					       found ? &sent_cred : NULL);
		if (rc == SL_EAUTH) {
			sl_log_warn(SL_UA_LOG, "credentials refused for realm "
				    "\"%s\"", realm);
			return SL_EAUTH;
		}
		if (rc < 0) {
			err = rc;
			continue;
		}
		answered++;
	}
	return answered ? 0 : err;
}

int sl__ua_auth_write(struct sl_ua *ua, struct sl_builder *b,
		      const char *method, const char *ruri, const void *body,
		      size_t body_len, unsigned *used)
{
	struct sl_digest_cache *c = &ua->auth.cache;
	struct sl_digest_cred cred;
	struct sl_digest_req req;
	char value[SL_UA_AUTH_VALUE_MAX];

	if (used)
		*used = 0;
	if (!ua->acct.set)
		return b->err;
	credentials(ua, &cred);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.uri = ruri;
	req.body = body;
	req.body_len = body_len;
	for (int i = sl_digest_cache_next(c, -1); i >= 0;
	     i = sl_digest_cache_next(c, i)) {
		int n = sl_digest_cache_authorize(c, i, &cred, &req, value,
						  sizeof(value));

		if (n < 0) {
			sl_log_warn(SL_UA_LOG, "no digest answer for realm "
				    "%.*s: %s", (int)c->slots[i].realm_len,
				    c->slots[i].realm, sl_strerror(n));
			continue;
		}
		sl_build_header(b, sl_digest_header_name(
				c->slots[i].proxy ? SL_DIGEST_PROXY : 0),
				value);
		if (used && i < 32)
			*used |= 1u << i;
	}
	return b->err;
}

void sl__ua_auth_accepted(struct sl_ua *ua, unsigned used)
{
	for (int i = 0; i < SL_UA_AUTH_REALMS && i < 32; i++)
		if (used & (1u << i))
			sl_digest_cache_accepted(&ua->auth.cache, i);
}

/* ---- credentials in requests built elsewhere ---- */

/*
 * The parts of complete request @buf the digest needs: its method and
 * Request-URI (copied NUL-terminated) and where its header block ends
 * (@hend: the offset of the blank line, just after the last header's
 * CRLF). Every request we build has one line per header, no folding.
 */
static int request_parts(const char *buf, size_t len, char *method,
			 size_t mcap, char *ruri, size_t ucap, size_t *hend)
{
	const char *eol = len >= 2 ? memmem(buf, len, "\r\n", 2) : NULL;
	const char *sp1, *sp2, *blank;

	if (!eol)
		return SL_EPARSE;
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (!sp1)
		return SL_EPARSE;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp1 == buf || sp2 == sp1 + 1)
		return SL_EPARSE;
	if ((size_t)(sp1 - buf) >= mcap || (size_t)(sp2 - sp1 - 1) >= ucap)
		return SL_ETOOBIG;
	blank = memmem(eol, len - (size_t)(eol - buf), "\r\n\r\n", 4);
	if (!blank)
		return SL_EPARSE;
	memcpy(method, buf, (size_t)(sp1 - buf));
	method[sp1 - buf] = '\0';
	memcpy(ruri, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	ruri[sp2 - sp1 - 1] = '\0';
	*hend = (size_t)(blank - buf) + 2;
	return 0;
}

/* The id of the header on the line starting at @p (up to @end). */
static enum sl_hdr_id line_id(const char *p, const char *end)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *e;

	if (!colon)
		return SL_HDR_OTHER;
	e = colon;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	return sl_hdr_id_from_name(p, (size_t)(e - p));
}

/*
 * sl__ua_auth_add() - the request in @buf (@len bytes of @cap, built by
 * the dialog layer or any other builder) gets an Authorization /
 * Proxy-Authorization header for each realm the cache knows, just
 * before its blank line, computed over its own method, Request-URI and
 * body (RFC 3261 §22.4: the digest-uri is the Request-URI as sent).
 * ACK and CANCEL are left alone: they are never challenged (§22.1); the
 * ACK of a 2xx takes its INVITE's credentials (sl__ua_auth_reuse()).
 * @used: the cache entries used (for sl__ua_auth_accepted()); may be NULL.
 * Return: the new length; SL_ENOSPC when they do not fit @cap (@buf is
 * unchanged then); SL_EPARSE for bytes that are not a request.
 */
int sl__ua_auth_add(struct sl_ua *ua, char *buf, size_t len, size_t cap,
		    unsigned *used)
{
	char method[SL_UA_METHOD_MAX], ruri[2 * SL_UA_URI_MAX];
	char lines[SL_UA_AUTH_REALMS * (SL_UA_AUTH_VALUE_MAX + 32) +
		   sizeof(method) + sizeof(ruri) + 16];
	struct sl_builder b;
	size_t hend, start, n;
	int rc;

	if (used)
		*used = 0;
	rc = request_parts(buf, len, method, sizeof(method), ruri,
			   sizeof(ruri), &hend);
	if (rc == SL_ETOOBIG) {
		/* A remote target longer than any we could answer for:
		 * the request goes without credentials. */
		sl_log_warn(SL_UA_LOG, "Request-URI too long for a digest");
		return (int)len;
	}
	if (rc < 0)
		return rc;
	if (!ua->acct.set || !strcmp(method, "ACK") ||
	    !strcmp(method, "CANCEL") ||
	    sl_digest_cache_next(&ua->auth.cache, -1) < 0)
		return (int)len;
	sl_build_init(&b, lines, sizeof(lines));
	sl_build_request_line(&b, method, ruri);
	start = b.len;
	rc = sl__ua_auth_write(ua, &b, method, ruri,
			       len > hend + 2 ? buf + hend + 2 : NULL,
			       len - hend - 2, used);
	if (rc < 0) {
		if (used)
			*used = 0;
		return rc;
	}
	n = b.len - start;
	if (len + n > cap) {
		if (used)
			*used = 0;
		return SL_ENOSPC;
	}
	memmove(buf + hend + n, buf + hend, len - hend);
	memcpy(buf + hend, lines + start, n);
	return (int)(len + n);
}

/*
 * sl__ua_auth_keep() - what sl__ua_auth_challenge() needs of a request
 * to judge the 401/407 it gets (its credentials, digest.h rules 3-5),
 * in little room: every header line of @req but Content-Length, then
 * "Content-Length: 0" and the blank line; the body is left out.
 * Return: the copy's length; SL_ENOSPC; SL_EPARSE.
 */
int sl__ua_auth_keep(const char *req, size_t len, char *out, size_t cap)
{
	static const char tail[] = "Content-Length: 0\r\n\r\n";
	char method[SL_UA_METHOD_MAX], ruri[2 * SL_UA_URI_MAX];
	const char *p = req, *end;
	size_t hend, o = 0;
	int rc;

	rc = request_parts(req, len, method, sizeof(method), ruri,
			   sizeof(ruri), &hend);
	if (rc < 0)
		return rc == SL_ETOOBIG ? SL_ENOSPC : rc;
	end = req + hend;
	while (p < end) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		size_t n;

		if (!eol)
			return SL_EPARSE;
		n = (size_t)(eol - p) + 2;
		if (p == req || line_id(p, eol) != SL_HDR_CONTENT_LENGTH) {
			if (o + n + sizeof(tail) > cap)
				return SL_ENOSPC;
			memcpy(out + o, p, n);
			o += n;
		}
		p = eol + 2;
	}
	memcpy(out + o, tail, sizeof(tail) - 1);
	return (int)(o + sizeof(tail) - 1);
}

/*
 * sl__ua_auth_reuse() - copies the Authorization and Proxy-Authorization
 * lines of request @from (a whole request or a sl__ua_auth_keep() copy)
 * into the request in @buf, before its blank line: the ACK of a 2xx
 * carries the credentials of its INVITE (§22.1), byte for byte.
 * Return: the new length (@len when @from has none); SL_ENOSPC (@buf
 * unchanged); SL_EPARSE.
 */
int sl__ua_auth_reuse(const char *from, size_t from_len, char *buf,
		      size_t len, size_t cap)
{
	char method[SL_UA_METHOD_MAX], ruri[2 * SL_UA_URI_MAX];
	size_t hend, fend, o;
	const char *p, *end;
	int rc;

	rc = request_parts(buf, len, method, sizeof(method), ruri,
			   sizeof(ruri), &hend);
	if (rc < 0)
		return rc == SL_ETOOBIG ? SL_EPARSE : rc;
	rc = request_parts(from, from_len, method, sizeof(method), ruri,
			   sizeof(ruri), &fend);
	if (rc < 0)
		return rc == SL_ETOOBIG ? SL_EPARSE : rc;
	/* Two passes: the room needed, then the copy. */
	for (int pass = 0; pass < 2; pass++) {
		o = 0;
		p = from;
		end = from + fend;
		while (p < end) {
			const char *eol = memmem(p, (size_t)(end - p),
						 "\r\n", 2);
			enum sl_hdr_id id;
			size_t n;

			if (!eol)
				return SL_EPARSE;
			n = (size_t)(eol - p) + 2;
			id = p == from ? SL_HDR_OTHER : line_id(p, eol);
			if (id == SL_HDR_AUTHORIZATION ||
			    id == SL_HDR_PROXY_AUTHORIZATION) {
				if (pass)
					memcpy(buf + hend + o, p, n);
				o += n;
			}
			p = eol + 2;
		}
		if (!pass) {
			if (!o)
				return (int)len;
			if (len + o > cap)
				return SL_ENOSPC;
			memmove(buf + hend + o, buf + hend, len - hend);
		}
	}
	return (int)(len + o);
}
