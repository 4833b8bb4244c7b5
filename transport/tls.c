/*
 * transport/tls.c: TLS for SIP connections with mbedtls 2.28 (RFC 3261
 * §26.3.1, RFC 5922 certificate names, RFC 2818 §3.1 and RFC 9525 for
 * servers named by an address, RFC 5246 TLS 1.2).
 *
 * Owns: struct sl_tls: the random generator, the trusted CAs, our own
 * certificate and key, one client and one server configuration, and one
 * TLS session slot per connection slot (mbedtls allocates its record
 * buffers when a session is set up and frees them when it ends).
 * Thread: the SIP loop thread only.
 * Called by: tcp.c, which drives the non-blocking handshake, reads and
 * writes from the loop; tpmgr.c (create, destroy).
 *
 * Peers are verified by default: a client requires the server's chain to
 * lead to tls_ca_file / tls_ca_path and its certificate to carry the
 * expected name. A host name goes to mbedtls_ssl_set_hostname(), which
 * checks it against the dNSName entries (the CN when there is no
 * subjectAltName) and sends it as SNI. An address literal cannot go that
 * way: mbedtls 2.28 compares dNSName entries only, so a certificate made
 * for an address never matched. For one, no SNI is sent (RFC 6066 §3
 * forbids addresses there) and a verify callback requires an iPAddress
 * entry holding the same 4 or 16 bytes (RFC 2818 §3.1, RFC 5280
 * §4.2.1.6). Like RFC 9525 (an IP-ID matches iPAddress only), it never
 * falls back to the CN, nor takes an address written as a dNSName. A
 * miss sets the same CN_MISMATCH flag a wrong host name gets, so both
 * fail the handshake and are logged alike. A server asks for a client
 * certificate when it has CAs and refuses one that does not verify. Only
 * tls_verify == 0 turns checks off.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>

#include "core/mem.h"
#include "core/log.h"
#include "tp_int.h"

enum {
	MAX_SUITES = 64,
	MAX_SUITE_NAME = 80
};

struct sl_tls_conn {
	mbedtls_ssl_context ssl;
	int want_write;     /* the last call stopped on a full socket */
	int in_use;
	size_t ip_len;      /* 4 or 16 when the expected name is an address
			     * literal, 0 for a host name */
	unsigned char ip[16];   /* that address, network byte order */
};

struct sl_tls {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt ca;
	mbedtls_x509_crt own;
	mbedtls_pk_context key;
	mbedtls_ssl_config client;
	mbedtls_ssl_config server;
	int has_ca;
	int has_own;
	int verify;
	int suites[MAX_SUITES + 1];   /* 0-terminated; kept by mbedtls */
	struct sl_tls_conn *conns;    /* one per connection slot */
	struct sl_tpmgr *m;
};

static void log_mbedtls(enum sl_log_level level, const char *what, int err)
{
	char buf[160];

	mbedtls_strerror(err, buf, sizeof(buf));
	sl__log(level, SL_TP_LOG, "%s: %s (-0x%04x)", what, buf,
		(unsigned)-err);
}

/* mbedtls' reasons for @flags on one line of @cap bytes in @out: it ends
 * each with '\n', which a log line must not carry. */
static void verify_text(char *out, size_t cap, uint32_t flags)
{
	char raw[256];
	size_t o = 0;
	int n = mbedtls_x509_crt_verify_info(raw, sizeof(raw), "", flags);

	for (int i = 0; i < n && o + 3 < cap; i++) {
		if (raw[i] != '\n') {
			out[o++] = raw[i];
		} else if (i + 1 < n) {
			out[o++] = ';';
			out[o++] = ' ';
		}
	}
	out[o] = '\0';
}

/* "NAME:NAME:..." -> mbedtls ciphersuite ids. */
static int parse_suites(struct sl_tls *t, const char *list)
{
	const char *p = list;
	unsigned n = 0;

	while (*p) {
		const char *e = strchr(p, ':');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char name[MAX_SUITE_NAME];
		int id;

		if (len == 0 || len >= sizeof(name) || n >= MAX_SUITES) {
			sl_log_error(SL_TP_LOG, "tls_ciphers: bad list \"%s\"",
				     list);
			return SL_EINVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		id = mbedtls_ssl_get_ciphersuite_id(name);
		if (id == 0) {
			sl_log_error(SL_TP_LOG, "tls_ciphers: unknown "
				     "ciphersuite \"%s\"", name);
			return SL_EINVAL;
		}
		t->suites[n++] = id;
		p += len;
		if (*p == ':')
			p++;
	}
	if (n == 0) {
		sl_log_error(SL_TP_LOG, "tls_ciphers: empty list");
		return SL_EINVAL;
	}
	t->suites[n] = 0;
	return 0;
}

static int load_files(struct sl_tls *t, const struct sl_tp_config *cfg)
{
	int rc;

	if (cfg->tls_ca_file) {
		rc = mbedtls_x509_crt_parse_file(&t->ca, cfg->tls_ca_file);
		if (rc < 0) {
			sl_log_error(SL_TP_LOG, "tls_ca_file %s unreadable",
				     cfg->tls_ca_file);
			log_mbedtls(SL_LOG_ERROR, "CA file", rc);
			return SL_EIO;
		}
	}
	if (cfg->tls_ca_path) {
		rc = mbedtls_x509_crt_parse_path(&t->ca, cfg->tls_ca_path);
		if (rc < 0) {
			sl_log_error(SL_TP_LOG, "tls_ca_path %s unreadable",
				     cfg->tls_ca_path);
			log_mbedtls(SL_LOG_ERROR, "CA path", rc);
			return SL_EIO;
		}
	}
	/* A positive result counts certificates that did not parse while
	 * others did; any that parsed make the chain usable. */
	t->has_ca = t->ca.version != 0;
	if (!cfg->tls_cert_file != !cfg->tls_key_file) {
		sl_log_error(SL_TP_LOG, "tls_cert_file and tls_key_file go "
			     "together");
		return SL_EINVAL;
	}
	if (!cfg->tls_cert_file)
		return 0;
	rc = mbedtls_x509_crt_parse_file(&t->own, cfg->tls_cert_file);
	if (rc != 0) {
		sl_log_error(SL_TP_LOG, "tls_cert_file %s unreadable",
			     cfg->tls_cert_file);
		if (rc < 0)
			log_mbedtls(SL_LOG_ERROR, "certificate", rc);
		return SL_EIO;
	}
	rc = mbedtls_pk_parse_keyfile(&t->key, cfg->tls_key_file, NULL);
	if (rc != 0) {
		sl_log_error(SL_TP_LOG, "tls_key_file %s unreadable",
			     cfg->tls_key_file);
		log_mbedtls(SL_LOG_ERROR, "key", rc);
		return SL_EIO;
	}
	rc = mbedtls_pk_check_pair(&t->own.pk, &t->key);
	if (rc != 0) {
		sl_log_error(SL_TP_LOG, "tls_key_file %s does not match %s",
			     cfg->tls_key_file, cfg->tls_cert_file);
		return SL_EINVAL;
	}
	t->has_own = 1;
	return 0;
}

static int setup_conf(struct sl_tls *t, mbedtls_ssl_config *conf,
		      int endpoint)
{
	int rc, mode;

	rc = mbedtls_ssl_config_defaults(conf, endpoint,
					 MBEDTLS_SSL_TRANSPORT_STREAM,
					 MBEDTLS_SSL_PRESET_DEFAULT);
	if (rc != 0) {
		log_mbedtls(SL_LOG_ERROR, "TLS defaults", rc);
		return SL_EFAIL;
	}
	mbedtls_ssl_conf_rng(conf, mbedtls_ctr_drbg_random, &t->drbg);
	/* TLS 1.2 at least: older versions are broken (RFC 8996). */
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	if (endpoint == MBEDTLS_SSL_IS_CLIENT)
		mode = t->verify ? MBEDTLS_SSL_VERIFY_REQUIRED
				 : MBEDTLS_SSL_VERIFY_NONE;
	else
		/* A client certificate is asked for and checked when it
		 * comes (sl__tls_handshake() refuses a bad one); SIP
		 * clients often have none. */
		mode = t->verify && t->has_ca ? MBEDTLS_SSL_VERIFY_OPTIONAL
					      : MBEDTLS_SSL_VERIFY_NONE;
	mbedtls_ssl_conf_authmode(conf, mode);
	if (t->has_ca)
		mbedtls_ssl_conf_ca_chain(conf, &t->ca, NULL);
	if (t->has_own) {
		rc = mbedtls_ssl_conf_own_cert(conf, &t->own, &t->key);
		if (rc != 0) {
			log_mbedtls(SL_LOG_ERROR, "own certificate", rc);
			return SL_EFAIL;
		}
	}
	if (t->suites[0])
		mbedtls_ssl_conf_ciphersuites(conf, t->suites);
	return 0;
}

int sl__tls_create(struct sl_tpmgr *m, struct sl_tls **out)
{
	static const unsigned char pers[] = "sipline-tls";
	const struct sl_tp_config *cfg = &m->cfg;
	struct sl_tls *t;
	int rc;

	*out = NULL;
	/* Creation time only, like the rest of the transport's memory. */
	t = sl__calloc(1, sizeof(*t));
	if (!t)
		return SL_ENOMEM;
	t->conns = sl__calloc(cfg->max_conns, sizeof(*t->conns));
	if (!t->conns) {
		sl__free(t);
		return SL_ENOMEM;
	}
	t->m = m;
	t->verify = cfg->tls_verify != 0;
	mbedtls_entropy_init(&t->entropy);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_x509_crt_init(&t->own);
	mbedtls_pk_init(&t->key);
	mbedtls_ssl_config_init(&t->client);
	mbedtls_ssl_config_init(&t->server);
	rc = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
				   pers, sizeof(pers) - 1);
	if (rc != 0) {
		log_mbedtls(SL_LOG_ERROR, "TLS random generator", rc);
		rc = SL_EFAIL;
		goto fail;
	}
	if (cfg->tls_ciphers && (rc = parse_suites(t, cfg->tls_ciphers)) != 0)
		goto fail;
	if ((rc = load_files(t, cfg)) != 0)
		goto fail;
	if (!t->verify)
		sl_log_warn(SL_TP_LOG, "TLS peer verification is OFF");
	else if (!t->has_ca)
		sl_log_info(SL_TP_LOG, "no TLS CA configured: outgoing TLS "
			    "connections will fail verification");
	if ((rc = setup_conf(t, &t->client, MBEDTLS_SSL_IS_CLIENT)) != 0 ||
	    (rc = setup_conf(t, &t->server, MBEDTLS_SSL_IS_SERVER)) != 0)
		goto fail;
	*out = t;
	return 0;
fail:
	sl__tls_destroy(t);
	return rc;
}

void sl__tls_destroy(struct sl_tls *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->m->cfg.max_conns; i++)
		if (t->conns[i].in_use)
			mbedtls_ssl_free(&t->conns[i].ssl);
	mbedtls_ssl_config_free(&t->client);
	mbedtls_ssl_config_free(&t->server);
	mbedtls_pk_free(&t->key);
	mbedtls_x509_crt_free(&t->own);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	sl__free(t->conns);
	sl__free(t);
}

int sl__tls_can_serve(const struct sl_tls *t)
{
	return t && t->has_own;
}

/* ---- the socket under a session ---- */

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct sl_tp_conn *c = ctx;
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (errno == EPIPE || errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct sl_tp_conn *c = ctx;
	ssize_t n = recv(c->fd, buf, len, MSG_DONTWAIT);

	if (n >= 0)
		return (int)n;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_RECV_FAILED;
}

/* ---- address literals as names (RFC 2818 §3.1, RFC 9525) ---- */

/* The address @name spells ("192.0.2.1", "2001:db8::1" or "[2001:db8::1]")
 * into @ip. Return: 4 or 16, or 0 when @name is a host name. */
static size_t ip_literal(const char *name, unsigned char ip[16])
{
	char buf[INET6_ADDRSTRLEN];
	size_t len = strlen(name);

	if (inet_pton(AF_INET, name, ip) == 1)
		return 4;
	if (inet_pton(AF_INET6, name, ip) == 1)
		return 16;
	/* The bracketed form of a SIP URI host; a zone id ("%eth0") is
	 * no part of a certificate, so such a name stays a host name
	 * and fails the check. */
	if (len < 3 || name[0] != '[' || name[len - 1] != ']' ||
	    len - 2 >= sizeof(buf))
		return 0;
	memcpy(buf, name + 1, len - 2);
	buf[len - 2] = '\0';
	return inet_pton(AF_INET6, buf, ip) == 1 ? 16 : 0;
}

/* 1 when a subjectAltName iPAddress entry of @crt holds exactly the @len
 * bytes at @ip. mbedtls 2.28 keeps every GeneralName of the extension in
 * crt->subject_alt_names: buf.tag is the raw tag byte ([7] primitive,
 * 0x87, for iPAddress) and buf.p/len the octets after the length. The
 * list comes from a certificate mbedtls already parsed out of its
 * fixed-size input buffer, so the walk is bounded. */
static int san_has_ip(const mbedtls_x509_crt *crt, const unsigned char *ip,
		      size_t len)
{
	const unsigned char tag = MBEDTLS_ASN1_CONTEXT_SPECIFIC |
				  MBEDTLS_X509_SAN_IP_ADDRESS;
	const mbedtls_x509_sequence *cur;

	if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME))
		return 0;
	for (cur = &crt->subject_alt_names; cur; cur = cur->next)
		if (cur->buf.tag == tag && cur->buf.len == len &&
		    cur->buf.p && memcmp(cur->buf.p, ip, len) == 0)
			return 1;
	return 0;
}

/* mbedtls verify callback, run once per certificate of the chain while
 * the handshake verifies it (client, verification on, address literal
 * expected). Depth 0 is the server's own certificate. A miss is flagged
 * as the name mismatch it is; mbedtls then fails the handshake with
 * MBEDTLS_ERR_X509_CERT_VERIFY_FAILED and a bad_certificate alert, as for
 * a wrong host name. Returning 0 keeps the other flags as they were. */
static int verify_ip(void *ctx, mbedtls_x509_crt *crt, int depth,
		     uint32_t *flags)
{
	const struct sl_tls_conn *tc = ctx;

	if (depth == 0 && !san_has_ip(crt, tc->ip, tc->ip_len))
		*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	return 0;
}

/* ---- sessions ---- */

int sl__tls_conn_start(struct sl_tls *t, struct sl_tp_conn *c, int server,
		       const char *name)
{
	struct sl_tls_conn *tc = &t->conns[c - t->m->conns];
	int rc;

	if (!server && !name && t->verify)
		return SL_EINVAL;
	mbedtls_ssl_init(&tc->ssl);
	tc->in_use = 1;
	tc->want_write = 0;
	c->tls = tc;
	rc = mbedtls_ssl_setup(&tc->ssl, server ? &t->server : &t->client);
	if (rc != 0) {
		log_mbedtls(SL_LOG_WARN, "TLS session", rc);
		sl__tls_conn_free(c);
		return SL_ENOMEM;
	}
	tc->ip_len = !server && name ? ip_literal(name, tc->ip) : 0;
	/* Always, even with checks off: it is the SNI as well, and a
	 * NULL here clears any name left from before. An address is
	 * neither a valid SNI nor something mbedtls 2.28 can match, so
	 * NULL for it (an explicit NULL also tells later mbedtls versions
	 * that the name check is done elsewhere): verify_ip() checks it. */
	if (!server) {
		rc = mbedtls_ssl_set_hostname(&tc->ssl,
					      tc->ip_len ? NULL : name);
		if (rc != 0) {
			log_mbedtls(SL_LOG_WARN, "TLS host name", rc);
			sl__tls_conn_free(c);
			return SL_EINVAL;
		}
		if (tc->ip_len && t->verify)
			mbedtls_ssl_set_verify(&tc->ssl, verify_ip, tc);
	}
	mbedtls_ssl_set_bio(&tc->ssl, c, bio_send, bio_recv, NULL);
	return 0;
}

void sl__tls_conn_free(struct sl_tp_conn *c)
{
	struct sl_tls_conn *tc = c->tls;

	if (!tc)
		return;
	mbedtls_ssl_free(&tc->ssl);
	tc->in_use = 0;
	c->tls = NULL;
}

/* Maps a WANT_READ / WANT_WRITE result; 1 when it was one of them. */
static int would_block(struct sl_tls_conn *tc, int rc)
{
	if (rc == MBEDTLS_ERR_SSL_WANT_READ) {
		tc->want_write = 0;
		return 1;
	}
	if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) {
		tc->want_write = 1;
		return 1;
	}
	return 0;
}

int sl__tls_handshake(struct sl_tp_conn *c)
{
	const struct sl_tls *t = c->m->tls;
	struct sl_tls_conn *tc = c->tls;
	char info[256];
	uint32_t flags;
	int rc;

	if (!tc)
		return SL_ETRANSPORT;
	rc = mbedtls_ssl_handshake(&tc->ssl);
	if (would_block(tc, rc))
		return SL_EAGAIN;
	tc->want_write = 0;
	if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
		flags = mbedtls_ssl_get_verify_result(&tc->ssl);
		verify_text(info, sizeof(info), flags);
		sl_log_warn(SL_TP_LOG, "TLS flow %u: certificate of the peer "
			    "refused (expected name \"%s\"): %s", c->id,
			    c->tls_name, info);
		return SL_EAUTH;
	}
	if (rc != 0) {
		log_mbedtls(SL_LOG_WARN, "TLS handshake", rc);
		return SL_ETRANSPORT;
	}
	/* The server asked for a client certificate without requiring
	 * one: a certificate that came must still have verified. */
	if (c->incoming && t->verify && t->has_ca &&
	    mbedtls_ssl_get_peer_cert(&tc->ssl) &&
	    (flags = mbedtls_ssl_get_verify_result(&tc->ssl)) != 0) {
		verify_text(info, sizeof(info), flags);
		sl_log_warn(SL_TP_LOG, "TLS flow %u: client certificate "
			    "refused: %s", c->id, info);
		return SL_EAUTH;
	}
	return 0;
}

int sl__tls_read(struct sl_tp_conn *c, char *buf, size_t cap)
{
	struct sl_tls_conn *tc = c->tls;
	int rc;

	if (!tc)
		return SL_ETRANSPORT;
	rc = mbedtls_ssl_read(&tc->ssl, (unsigned char *)buf, cap);
	if (rc > 0) {
		tc->want_write = 0;
		return rc;
	}
	if (would_block(tc, rc))
		return SL_EAGAIN;
	if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return 0;
	log_mbedtls(SL_LOG_DEBUG, "TLS read", rc);
	return SL_ETRANSPORT;
}

int sl__tls_write(struct sl_tp_conn *c, const char *buf, size_t len)
{
	struct sl_tls_conn *tc = c->tls;
	int rc;

	if (!tc)
		return SL_ETRANSPORT;
	rc = mbedtls_ssl_write(&tc->ssl, (const unsigned char *)buf, len);
	if (rc >= 0) {
		tc->want_write = 0;
		return rc;
	}
	if (would_block(tc, rc))
		return SL_EAGAIN;
	log_mbedtls(SL_LOG_DEBUG, "TLS write", rc);
	return SL_ETRANSPORT;
}

int sl__tls_wants_write(const struct sl_tp_conn *c)
{
	return c->tls && c->tls->want_write;
}

int sl__tls_pending(const struct sl_tp_conn *c)
{
	return c->tls && mbedtls_ssl_get_bytes_avail(&c->tls->ssl) > 0;
}

int sl__tls_peer_verified(const struct sl_tp_conn *c)
{
	return c->tls && mbedtls_ssl_get_peer_cert(&c->tls->ssl) &&
	       mbedtls_ssl_get_verify_result(&c->tls->ssl) == 0;
}
