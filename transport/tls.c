/*
 * transport/tls.c: TLS for SIP connections with mbedtls 2.28 (RFC 3261
 * §26.3.1, RFC 5922 certificate names, RFC 5246 TLS 1.2).
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
 * expected name (set with mbedtls_ssl_set_hostname(), which is also the
 * SNI). A server asks for a client certificate when it has CAs and
 * refuses one that does not verify. Only tls_verify == 0 turns checks off.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
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
	/* Always, even with checks off: it is the SNI as well, and a
	 * NULL here clears any name left from before. */
	if (!server) {
		rc = mbedtls_ssl_set_hostname(&tc->ssl, name);
		if (rc != 0) {
			log_mbedtls(SL_LOG_WARN, "TLS host name", rc);
			sl__tls_conn_free(c);
			return SL_EINVAL;
		}
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
		if (mbedtls_x509_crt_verify_info(info, sizeof(info), "",
						 flags) < 0)
			info[0] = '\0';
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
		if (mbedtls_x509_crt_verify_info(info, sizeof(info), "",
						 flags) < 0)
			info[0] = '\0';
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
