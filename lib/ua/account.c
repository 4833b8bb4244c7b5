/*
 * lib/ua/account.c: the account - defaults, checks, the display name, and
 * the identity the UA writes into messages: the address-of-record, the
 * escaped user part (RFC 3261 §19.1.2, §25.1), our address towards a peer
 * and the Contact with its RFC 5626 instance and reg-id and the 3GPP
 * feature tags (3GPP TS 24.229 §5.1.1.2, RFC 3840).
 *
 * Owns: struct sl_ua_acct inside the UA.
 * Thread: public functions from any thread (marshalled); the rest on the
 * loop thread.
 * Called by: the application; register.c, options.c and the call engine
 * for the identity helpers.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ua_int.h"
#include "core/log.h"
#include "sip/charset.h"

enum {
	MIN_RETRY_MS = 100,
	MIN_RECOVER_MS = 1000,
	MIN_KEEPALIVE_MS = 1000,
	MAX_RETRIES = 100
};

void sl_account_init(struct sl_account *acc)
{
	if (!acc)
		return;
	memset(acc, 0, sizeof(*acc));
	acc->expires = SL_UA_EXPIRES_MAX;
	acc->reg_retries = 3;
	acc->reg_retry_ms = 5000;
	acc->reg_recover_ms = 30000;
	acc->rport = 1;
	acc->keepalive_ms = 15000;
	acc->transport = SL_TRANSPORT_UDP;
}

/* ---- checks ---- */

#define FIELD_OK(acc, f) (memchr((acc)->f, '\0', sizeof((acc)->f)) != NULL)

static int bad(const char *field)
{
	sl_log_error(SL_UA_LOG, "sl_ua_set_account: bad field %s", field);
	return SL_EINVAL;
}

/*
 * A server URI: "sip:host[:port][;params]", "sips:..." or a bare
 * "host[:port]" (taken as sip:), without a user part. Written back
 * normalised into @uri (size @cap). Return: 0 or SL_EINVAL.
 */
static int server_uri(char *uri, size_t cap)
{
	char tmp[SL_UA_URI_MAX];
	struct sl_uri u;
	int n;

	if (!uri[0])
		return 0;
	if (strncmp(uri, "sip:", 4) && strncmp(uri, "sips:", 5)) {
		n = snprintf(tmp, sizeof(tmp), "sip:%s", uri);
		if (n < 0 || (size_t)n >= sizeof(tmp) || (size_t)n >= cap)
			return SL_EINVAL;
		memcpy(uri, tmp, (size_t)n + 1);
	}
	if (sl_uri_parse(uri, strlen(uri), &u) < 0 ||
	    (u.scheme != SL_URI_SIP && u.scheme != SL_URI_SIPS) ||
	    !u.host.len || u.headers.len)
		return SL_EINVAL;
	return 0;
}

/* "example.com" or "example.com:5080" or an address. */
static int domain_ok(const char *domain)
{
	char tmp[SL_UA_URI_MAX];
	struct sl_uri u;
	int n;

	if (!domain[0])
		return 0;
	n = snprintf(tmp, sizeof(tmp), "sip:%s", domain);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return 0;
	return sl_uri_parse(tmp, (size_t)n, &u) == 0 && !u.has_user &&
	       u.host.len && !u.params.len && !u.headers.len;
}

/* An RFC 5626 instance id goes inside <"..."> in a Contact parameter. */
static int instance_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' ||
		    c == '>' || c == '\\')
			return 0;
	}
	return 1;
}

static int escape_set_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return 0;
	return 1;
}

/* Checks @in into @out (normalised server URIs). */
static int check_account(const struct sl_account *in, struct sl_account *out)
{
	*out = *in;
	if (!FIELD_OK(in, user) || !FIELD_OK(in, display_name) ||
	    !FIELD_OK(in, auth_user) || !FIELD_OK(in, password) ||
	    !FIELD_OK(in, domain) || !FIELD_OK(in, registrar) ||
	    !FIELD_OK(in, outbound_proxy) || !FIELD_OK(in, instance_id) ||
	    !FIELD_OK(in, escape_user))
		return bad("a string without its NUL");
	if (!out->user[0] || !sl__ua_text_ok(out->user))
		return bad("user");
	if (!sl__ua_text_ok(out->display_name))
		return bad("display_name");
	if (!sl__ua_text_ok(out->auth_user))
		return bad("auth_user");
	if (!domain_ok(out->domain))
		return bad("domain");
	if (server_uri(out->registrar, sizeof(out->registrar)) < 0)
		return bad("registrar");
	if (server_uri(out->outbound_proxy, sizeof(out->outbound_proxy)) < 0)
		return bad("outbound_proxy");
	if (out->expires < 1 || out->expires > SL_UA_EXPIRES_MAX)
		return bad("expires");
	if (out->reg_retries > MAX_RETRIES)
		return bad("reg_retries");
	if (out->reg_retry_ms < MIN_RETRY_MS)
		return bad("reg_retry_ms");
	if (out->reg_recover_ms < MIN_RECOVER_MS)
		return bad("reg_recover_ms");
	if (!instance_ok(out->instance_id))
		return bad("instance_id");
	if (out->reg_id > INT32_MAX)
		return bad("reg_id");
	if (!escape_set_ok(out->escape_user))
		return bad("escape_user");
	if (out->keepalive_ms && out->keepalive_ms < MIN_KEEPALIVE_MS)
		return bad("keepalive_ms");
	if ((unsigned)out->transport > SL_TRANSPORT_TLS)
		return bad("transport");
	out->rport = out->rport != 0;
	out->ims_tags = out->ims_tags != 0;
	return 0;
}

/* ---- the identity ---- */

int sl__ua_escape_user(const char *user, const char *extra, char *out,
		       size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const char *p = user; *p; p++) {
		unsigned char c = (unsigned char)*p;
		int esc = !sl__ch(c, SL_CH_USER) ||
			  (extra && strchr(extra, c));

		if (o + (esc ? 3 : 1) >= cap) {
			if (cap)
				out[0] = '\0';
			return SL_ENOSPC;
		}
		if (esc) {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	if (o >= cap)
		return SL_ENOSPC;
	out[o] = '\0';
	return (int)o;
}

static int make_identity(struct sl_ua_acct *ac)
{
	int n;

	n = sl__ua_escape_user(ac->a.user, ac->a.escape_user, ac->user_esc,
			       sizeof(ac->user_esc));
	if (n < 0)
		return n;
	n = snprintf(ac->aor, sizeof(ac->aor), "sip:%s@%s", ac->user_esc,
		     ac->a.domain);
	if (n < 0 || (size_t)n >= sizeof(ac->aor))
		return SL_EINVAL;
	return 0;
}

int sl__ua_aor(const struct sl_ua *ua, char *out, size_t cap)
{
	if (!ua->acct.set)
		return SL_ESTATE;
	return sl__ua_strcpy(out, cap, ua->acct.aor);
}

const char *sl__ua_display(const struct sl_ua *ua)
{
	return ua->acct.set ? ua->acct.a.display_name : "";
}

static int unspecified(const struct sl_addr *a)
{
	if (sl__addr_family(a) == AF_INET)
		return a->u.in.sin_addr.s_addr == htonl(INADDR_ANY);
	if (sl__addr_family(a) == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&a->u.in6.sin6_addr);
	return 0;
}

/* The address the kernel would send from to reach @peer: a connected
 * datagram socket sends nothing, it only asks the routing table. */
static int route_source(const struct sl_addr *peer, struct sl_addr *out)
{
	int fd = socket(sl__addr_family(peer), SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int rc = SL_ETRANSPORT;

	if (fd < 0)
		return rc;
	out->len = sizeof(out->u);
	if (connect(fd, &peer->u.sa, peer->len) == 0 &&
	    getsockname(fd, &out->u.sa, &out->len) == 0)
		rc = 0;
	else
		sl_log_debug(SL_UA_LOG, "no route to the peer: %s",
			     strerror(errno));
	close(fd);
	return rc;
}

/* No listener of stream transport @tp: our end of a connection to @peer
 * (RFC 3261 §18.1.1), the one a request of the dialog went over, or for
 * TCP a new one (the send that follows reuses it). TLS needs the name to
 * check, which is not known here: only an open connection serves. */
static int local_from_conn(struct sl_ua *ua, enum sl_tp tp,
			   const struct sl_addr *peer, struct sl_addr *out)
{
	struct sl_tp_dest dst;
	int rc;

	if (sl__tpmgr_conn_local(ua->tp, tp, peer, 0, out) == 0)
		return 0;
	if (tp != SL_TP_TCP) {
		sl_log_warn(SL_UA_LOG, "no %s listener and no connection to "
			    "the peer: add a %s listener", sl__tp_name(tp),
			    sl__tp_name(tp));
		return SL_ETRANSPORT;
	}
	memset(&dst, 0, sizeof(dst));
	dst.tp = tp;
	dst.addr = *peer;
	rc = sl__tp_connect(ua->tp, &dst, out);
	if (rc < 0)
		sl_log_info(SL_UA_LOG, "TCP (no listener): connection to the "
			    "peer failed: %s", sl_strerror(rc));
	return rc;
}

int sl__ua_local_for(struct sl_ua *ua, enum sl_tp tp,
		     const struct sl_addr *peer, const struct sl_addr *bound,
		     struct sl_addr *out)
{
	struct sl_addr b, a;
	int family = sl__addr_family(peer);
	uint16_t port;

	if (!bound) {
		if (sl__tpmgr_local_for(ua->tp, tp, family, &b) < 0 &&
		    !(sl__tp_reliable(tp) &&
		      local_from_conn(ua, tp, peer, &b) == 0))
			return SL_ETRANSPORT;
		bound = &b;
	}
	port = sl__addr_port(bound);
	*out = *bound;
	if (ua->cfg.local_ip[0] &&
	    sl__addr_set(&a, ua->cfg.local_ip, strlen(ua->cfg.local_ip),
			 port) == 0 && sl__addr_family(&a) == family) {
		*out = a;
		return 0;
	}
	if (!unspecified(bound))
		return 0;
	if (route_source(peer, &a) < 0)
		return SL_ETRANSPORT;
	sl__addr_set_port(&a, port);
	*out = a;
	return 0;
}

int sl__ua_contact(const struct sl_ua *ua, enum sl_tp tp,
		   const struct sl_addr *local, int reg, char *out,
		   size_t cap)
{
	const struct sl_account *a = &ua->acct.a;
	char host[64];
	size_t o;
	int n;

	if (!ua->acct.set)
		return SL_ESTATE;
	if (sl__addr_host(local, host, sizeof(host)) < 0)
		return SL_EINVAL;
	n = snprintf(out, cap, sl__addr_family(local) == AF_INET6 ?
		     "<sip:%s@[%s]:%u%s>" : "<sip:%s@%s:%u%s>",
		     ua->acct.user_esc, host, sl__addr_port(local),
		     tp == SL_TP_TCP ? ";transport=tcp" :
		     tp == SL_TP_TLS ? ";transport=tls" : "");
	if (n < 0 || (size_t)n >= cap)
		goto nospc;
	o = (size_t)n;
	if (reg && a->instance_id[0]) {
		n = snprintf(out + o, cap - o, ";+sip.instance=\"<%s>\"",
			     a->instance_id);
		if (n < 0 || (size_t)n >= cap - o)
			goto nospc;
		o += (size_t)n;
		if (a->reg_id) {
			n = snprintf(out + o, cap - o, ";reg-id=%u",
				     a->reg_id);
			if (n < 0 || (size_t)n >= cap - o)
				goto nospc;
			o += (size_t)n;
		}
	}
	if (a->ims_tags) {
		/* The MMTel ICSI as TS 24.229 writes it (escaped URN inside
		 * a quoted feature tag), and SMS over IP. */
		n = snprintf(out + o, cap - o, "%s",
			     ";+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-"
			     "service.ims.icsi.mmtel\";+g.3gpp.smsip");
		if (n < 0 || (size_t)n >= cap - o)
			goto nospc;
		o += (size_t)n;
	}
	return (int)o;
nospc:
	if (cap)
		out[0] = '\0';
	return SL_ENOSPC;
}

/* ---- public ---- */

struct set_args {
	struct sl_ua *ua;
	const struct sl_account *acc;
};

static int set_on_loop(void *arg)
{
	struct set_args *s = arg;
	struct sl_ua *ua = s->ua;
	struct sl_ua_acct ac;
	int rc;

	memset(&ac, 0, sizeof(ac));
	ac.a = *s->acc;
	rc = make_identity(&ac);
	if (rc < 0)
		return bad("user/domain (too long once escaped)");
	/* A new account starts from scratch: the old registration is
	 * dropped (not unregistered) and its credentials forgotten. */
	sl__ua_reg_reset(ua);
	sl__ua_auth_reset(ua);
	ac.set = 1;
	ua->acct = ac;
	return 0;
}

int sl_ua_set_account(struct sl_ua *ua, const struct sl_account *acc)
{
	struct sl_account checked;
	struct set_args s = { ua, &checked };
	int rc;

	if (!ua || !acc)
		return SL_EINVAL;
	rc = check_account(acc, &checked);
	if (rc < 0)
		return rc;
	return sl__ua_call(ua, set_on_loop, &s);
}

struct name_args {
	struct sl_ua *ua;
	const char *name;
};

static int name_on_loop(void *arg)
{
	struct name_args *n = arg;
	struct sl_ua *ua = n->ua;

	if (!ua->acct.set)
		return SL_ESTATE;
	return sl__ua_strcpy(ua->acct.a.display_name,
			     sizeof(ua->acct.a.display_name), n->name) < 0 ?
	       SL_EINVAL : 0;
}

int sl_ua_set_display_name(struct sl_ua *ua, const char *display_name)
{
	struct name_args n = { ua, display_name ? display_name : "" };

	if (!ua)
		return SL_EINVAL;
	if (strlen(n.name) >= sizeof(((struct sl_account *)0)->display_name)
	    || !sl__ua_text_ok(n.name))
		return SL_EINVAL;
	return sl__ua_call(ua, name_on_loop, &n);
}
