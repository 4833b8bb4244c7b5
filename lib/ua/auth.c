/*
 * lib/ua/auth.c: the account's digest credentials (RFC 3261 §22.2-22.4,
 * RFC 7616, RFC 8760) on top of sipline/digest.h: challenges from 401/407
 * responses go into a per-account cache of realms and nonces, and every
 * later request to those realms carries an answer computed from it
 * (pre-authentication, so a refresh does not cost a 401 round trip).
 *
 * Owns: struct sl_ua_auth (the cache and its entries) inside the UA.
 * Thread: the SIP loop thread only.
 * Called by: register.c and the call engine (INVITE, BYE... challenged).
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
