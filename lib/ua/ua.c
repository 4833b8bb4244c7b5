/*
 * lib/ua/ua.c: the user agent's life - configuration defaults and checks,
 * creation (loop, transport manager, resolver, locator, transaction layer,
 * router, the UA modules), the two run modes (own thread, or the
 * application's loop through sl_ua_fd/timeout/step), destruction bounded in
 * time, the marshalling of public calls onto the loop, and the glue between
 * the layers: received messages up to the transaction layer, its callbacks
 * out to the router, the request dispatcher and the call engine, and every
 * outgoing message through the custom header rules and SL_EV_SIP_SENT.
 *
 * Owns: struct sl_ua and, through it, every lower layer it created.
 * Thread: public functions from any thread (marshalled with sl__ua_call());
 * the static callbacks run on the loop thread.
 * Called by: the application; the other lib/ua files for sl__ua_call(),
 * sl__ua_wait(), sl__ua_kick() and the helpers at the end.
 *
 * Waiting (sl_ua_destroy, sl_ua_unregister with a wait): a thread that is
 * not the loop sleeps on a futex word (ua->kick) that the loop bumps
 * whenever something a waiter may look for changed; the condition itself
 * is read from atomics. The loop never blocks on a waiter. In
 * application-driven mode the application's thread waits by stepping the
 * loop itself, since nobody else would.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "media_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "transport/dns.h"
#include "sipline/version.h"

enum {
	DEFAULT_PORT = 5060,
	DEFAULT_LINES = 8,
	DEFAULT_MAX_MSG = 65535,
	MIN_MAX_MSG = 1024,
	MAX_MAX_MSG = 1 << 20,
	DEFAULT_EVENT_QUEUE = 256,
	MAX_EVENT_QUEUE = 1 << 16,
	MAX_TXNS = 32768,
	TXN_BUF = 8192,              /* per transaction slot (txn.h) */
	MIN_SE = 90,                 /* RFC 4028 §4 */
	DEFAULT_SE = 1800,
	ROUTER_SENDS = 32,
	LOOP_FDS = 256,
	TP_CONNS = 64,
	WAIT_SLICE_MS = 20           /* app mode: longest single step wait */
};

/* ---- configuration ---- */

/* The defaults sipline/media.h lists. */
static void media_defaults(struct sl_media_config *m)
{
	memset(m, 0, sizeof(*m));
	m->enabled = 1;
	memcpy(m->audio_driver, "virtual", sizeof("virtual"));
	m->capture_dev[0] = '\0';    /* the driver's default ("null") */
	m->playback_dev[0] = '\0';
	m->play_loop = 0;
	m->device_rate = 0;          /* the driver's default */
	m->device_frame_ms = 0;      /* 10 */
	m->ptime_ms = 20;
	m->maxptime_ms = 0;
	m->audio_bitrate = 0;
	m->jb_min_ms = 20;
	m->jb_max_ms = 200;
	m->media_timeout_ms = 30000;
	m->keepalive_pt = 13;
	m->keepalive_ms = 0;
	m->audio_dscp = -1;
	m->media_threads = 1;
	m->max_streams = 0;          /* max_lines */
	m->dtmf_method = SL_DTMF_RFC4733;
	m->dtmf_duration_ms = 100;
	m->dtmf_local_tone = 0;
	m->rtcp_mux = 1;
	m->rtcp_as_kbps = 0;
	m->rtcp_rs_bps = -1;
	m->rtcp_rr_bps = -1;
}

void sl_ua_config_init(struct sl_ua_config *cfg)
{
	if (!cfg)
		return;
	memset(cfg, 0, sizeof(*cfg));
	cfg->listen[0].transport = SL_TRANSPORT_UDP;
	cfg->listen[0].port = DEFAULT_PORT;
	cfg->n_listen = 1;
	cfg->max_lines = DEFAULT_LINES;
	snprintf(cfg->user_agent, sizeof(cfg->user_agent), "sipline/%s",
		 sl_version());
	cfg->log_level = SL_LOG_WARN;
	cfg->tls_verify = 1;
	cfg->t1_ms = SL_TXN_T1_DEFAULT_MS;
	cfg->t2_ms = SL_TXN_T2_DEFAULT_MS;
	cfg->t4_ms = SL_TXN_T4_DEFAULT_MS;
	cfg->max_msg_size = DEFAULT_MAX_MSG;
	cfg->max_transactions = 0;   /* 16 * max_lines + 256 at creation,
				      * at most 32768 */
	cfg->event_queue = DEFAULT_EVENT_QUEUE;
	cfg->run_mode = SL_RUN_THREAD;
	cfg->event_mode = SL_EVENTS_CALLBACK;
	cfg->ip_pref = SL_IP_PREFER_V4;
	cfg->prack = SL_PRACK_SUPPORTED_BODY;
	cfg->early_media = 1;
	cfg->session_expires = DEFAULT_SE;
	cfg->min_se = MIN_SE;
	snprintf(cfg->audio_codecs, sizeof(cfg->audio_codecs), "%s",
		 "PCMU,PCMA,telephone-event");
	cfg->rtp_port_min = 16384;
	cfg->rtp_port_max = 32767;
	cfg->sip_dscp = -1;
	media_defaults(&cfg->media);
}

/* 1 when the fixed-size string field @s has a NUL inside @cap bytes. */
static int terminated(const char *s, size_t cap)
{
	return memchr(s, '\0', cap) != NULL;
}

static int numeric_or_empty(const char *host)
{
	struct sl_addr a;

	return host[0] == '\0' ||
	       sl__addr_set(&a, host, strlen(host), 0) == 0;
}

static int dns_servers(const char *list, struct sl_dns_config *dc);
static int check_media(struct sl_ua_config *out);

/* Fails with the log line naming the field. */
static int bad(const char *field)
{
	sl_log_error(SL_UA_LOG, "sl_ua_create: bad config field %s", field);
	return SL_EINVAL;
}

/* Checks @in and writes it with every default resolved into @out. */
static int check_config(const struct sl_ua_config *in,
			struct sl_ua_config *out)
{
	struct sl_dns_config dc;

	*out = *in;
	sl__dns_config_init(&dc);
	if (out->n_listen < 1 || out->n_listen > SL_UA_MAX_LISTEN)
		return bad("n_listen");
	for (unsigned i = 0; i < out->n_listen; i++) {
		const struct sl_listen *l = &out->listen[i];

		if ((unsigned)l->transport > SL_TRANSPORT_TLS)
			return bad("listen.transport");
		if (!terminated(l->host, sizeof(l->host)) ||
		    !numeric_or_empty(l->host))
			return bad("listen.host");
	}
	if (!terminated(out->local_ip, sizeof(out->local_ip)) ||
	    !numeric_or_empty(out->local_ip))
		return bad("local_ip");
	if (out->max_lines < 1 || out->max_lines > SL_UA_MAX_LINES)
		return bad("max_lines");
	if (!terminated(out->user_agent, sizeof(out->user_agent)) ||
	    !sl__ua_text_ok(out->user_agent))
		return bad("user_agent");
	if (out->log_level < SL_LOG_NONE || out->log_level > SL_LOG_TRACE)
		return bad("log_level");
	if (!terminated(out->log_file, sizeof(out->log_file)) ||
	    !terminated(out->tls_ca_file, sizeof(out->tls_ca_file)) ||
	    !terminated(out->tls_ca_path, sizeof(out->tls_ca_path)) ||
	    !terminated(out->tls_cert_file, sizeof(out->tls_cert_file)) ||
	    !terminated(out->tls_key_file, sizeof(out->tls_key_file)) ||
	    !terminated(out->tls_ciphers, sizeof(out->tls_ciphers)))
		return bad("log_file/tls_*");
	if (!out->t1_ms || !out->t4_ms || out->t2_ms < out->t1_ms)
		return bad("t1_ms/t2_ms/t4_ms");
	if (out->max_msg_size < MIN_MAX_MSG || out->max_msg_size > MAX_MAX_MSG)
		return bad("max_msg_size");
	/* A server transaction outlives its call by 64*T1 (Timer L, J:
	 * 32 s), two per call (INVITE, BYE): 16 per line lets every line
	 * take 8 calls in that window, 256 more serve requests outside
	 * calls and refused INVITEs; the pool's own limit caps it. */
	if (!out->max_transactions)
		out->max_transactions = out->max_lines >
					(MAX_TXNS - 256) / 16 ? MAX_TXNS
					: 16 * out->max_lines + 256;
	if (out->max_transactions > MAX_TXNS)
		return bad("max_transactions");
	if (out->event_queue < SL_UA_EV_RESERVE_MIN ||
	    out->event_queue > MAX_EVENT_QUEUE)
		return bad("event_queue");
	if ((unsigned)out->run_mode > SL_RUN_APP)
		return bad("run_mode");
	if ((unsigned)out->event_mode > SL_EVENTS_QUEUE)
		return bad("event_mode");
	if (out->event_mode == SL_EVENTS_CALLBACK && !out->event_cb)
		return bad("event_cb (callback mode needs one)");
	if (out->sip_message_events & ~3)
		return bad("sip_message_events");
	if ((unsigned)out->ip_pref > SL_IP_V6_ONLY)
		return bad("ip_pref");
	if (!terminated(out->dns_servers, sizeof(out->dns_servers)) ||
	    dns_servers(out->dns_servers, &dc) < 0)
		return bad("dns_servers");
	if ((unsigned)out->prack > SL_PRACK_REQUIRED)
		return bad("prack");
	if (out->min_se < MIN_SE ||
	    (out->session_expires && out->session_expires < out->min_se))
		return bad("min_se/session_expires");
	if (!terminated(out->audio_codecs, sizeof(out->audio_codecs)) ||
	    !terminated(out->video_codecs, sizeof(out->video_codecs)) ||
	    !out->audio_codecs[0])
		return bad("audio_codecs/video_codecs");
	if (!out->rtp_port_min || out->rtp_port_max < out->rtp_port_min)
		return bad("rtp_port_min/rtp_port_max");
	if (out->sip_dscp < -1 || out->sip_dscp > 63)
		return bad("sip_dscp");
	return check_media(out);
}

/* 10..60 in steps of 10 (a packet of 10 ms frames). */
static int ptime_ok(unsigned ms)
{
	return ms >= 10 && ms <= 60 && ms % 10 == 0;
}

/* sl_ua_config.media (ranges in sipline/media.h), defaults resolved; the
 * audio codecs must be registered (sipline/codec.h). */
static int check_media(struct sl_ua_config *out)
{
	struct sl_media_config *m = &out->media;
	struct sl_media_codecs t;

	if (m->enabled != 0 && m->enabled != 1)
		return bad("media.enabled");
	if (!terminated(m->audio_driver, sizeof(m->audio_driver)) ||
	    (strcmp(m->audio_driver, "virtual") &&
	     strcmp(m->audio_driver, "alsa")))
		return bad("media.audio_driver");
	if (!terminated(m->capture_dev, sizeof(m->capture_dev)) ||
	    !terminated(m->playback_dev, sizeof(m->playback_dev)) ||
	    !sl__ua_text_ok(m->capture_dev) ||
	    !sl__ua_text_ok(m->playback_dev))
		return bad("media.capture_dev/playback_dev");
	if (m->play_loop != 0 && m->play_loop != 1)
		return bad("media.play_loop");
	if (m->device_rate && (m->device_rate < 8000 ||
			       m->device_rate > 48000))
		return bad("media.device_rate");
	if (m->device_frame_ms != 0 && m->device_frame_ms != 5 &&
	    m->device_frame_ms != 10 && m->device_frame_ms != 20)
		return bad("media.device_frame_ms");
	if (!ptime_ok(m->ptime_ms))
		return bad("media.ptime_ms");
	if (m->maxptime_ms && (!ptime_ok(m->maxptime_ms) ||
			       m->maxptime_ms < m->ptime_ms))
		return bad("media.maxptime_ms");
	if (!terminated(m->payload_types, sizeof(m->payload_types)) ||
	    !terminated(m->fmtp, sizeof(m->fmtp)))
		return bad("media.payload_types/fmtp");
	if (m->audio_bitrate && (m->audio_bitrate < 6000 ||
				 m->audio_bitrate > 510000))
		return bad("media.audio_bitrate");
	if (!m->jb_max_ms || m->jb_max_ms > 5000 ||
	    m->jb_min_ms > m->jb_max_ms)
		return bad("media.jb_min_ms/jb_max_ms");
	if (m->keepalive_pt < 0 || m->keepalive_pt > 127)
		return bad("media.keepalive_pt");
	if (m->audio_dscp < -1 || m->audio_dscp > 63)
		return bad("media.audio_dscp");
	if (m->media_threads < 1 || m->media_threads > 16)
		return bad("media.media_threads");
	if (m->max_streams > 4096)
		return bad("media.max_streams");
	if (m->dtmf_method == SL_DTMF_DEFAULT)
		m->dtmf_method = SL_DTMF_RFC4733;
	if (m->dtmf_method != SL_DTMF_RFC4733 &&
	    m->dtmf_method != SL_DTMF_INFO)
		return bad("media.dtmf_method");
	if (m->dtmf_duration_ms < 40 || m->dtmf_duration_ms > 2000)
		return bad("media.dtmf_duration_ms");
	if (m->dtmf_local_tone != 0 && m->dtmf_local_tone != 1)
		return bad("media.dtmf_local_tone");
	if (m->rtcp_mux != 0 && m->rtcp_mux != 1)
		return bad("media.rtcp_mux");
	if (m->rtcp_rs_bps < -1 || m->rtcp_rr_bps < -1)
		return bad("media.rtcp_rs_bps/rtcp_rr_bps");
	/* Media sockets come in pairs on an even port (RFC 3550 §11). */
	if (m->enabled && (out->rtp_port_max - out->rtp_port_min < 1))
		return bad("rtp_port_min/rtp_port_max (no port pair)");
	/* The codec names, payload types and fmtp (the resolver logs what
	 * is wrong). */
	return sl__media_codecs_resolve(out, &t);
}

/* "ip[:port]" entries, comma-separated, IPv6 as "[addr]:port" or bare. */
static int dns_servers(const char *list, struct sl_dns_config *dc)
{
	const char *p = list;

	while (*p) {
		char host[64];
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *h = p, *colon = NULL;
		size_t hn = n;
		unsigned long port = 0;
		int rc;

		while (hn && (*h == ' ' || *h == '\t')) {
			h++;
			hn--;
		}
		while (hn && (h[hn - 1] == ' ' || h[hn - 1] == '\t'))
			hn--;
		if (hn && h[0] == '[') {
			const char *rb = memchr(h, ']', hn);

			if (!rb)
				return SL_EINVAL;
			if ((size_t)(rb + 1 - h) < hn) {
				if (rb[1] != ':')
					return SL_EINVAL;
				colon = rb + 1;
			}
			hn = (size_t)(rb - h) - 1;
			h++;
		} else {
			const char *c = memchr(h, ':', hn);
			size_t rest = c ? hn - (size_t)(c + 1 - h) : 0;

			/* One colon: a port; more: a bare IPv6 address. */
			if (c && !memchr(c + 1, ':', rest)) {
				colon = c;
				hn = (size_t)(c - h);
			}
		}
		if (colon) {
			const char *d = colon + 1, *end = p + n;

			while (end > d && (end[-1] == ' ' || end[-1] == '\t'))
				end--;
			if (d == end || end - d > 5)
				return SL_EINVAL;
			for (; d < end; d++) {
				if (*d < '0' || *d > '9')
					return SL_EINVAL;
				port = port * 10 + (unsigned long)(*d - '0');
			}
			if (!port || port > 65535)
				return SL_EINVAL;
		}
		if (!hn || hn >= sizeof(host))
			return SL_EINVAL;
		memcpy(host, h, hn);
		host[hn] = '\0';
		rc = sl__dns_config_add_server(dc, host, (uint16_t)port);
		if (rc < 0)
			return rc;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* ---- the glue between the layers (loop thread) ---- */

static void tu_request(void *arg, uint32_t txn, void *user,
		       struct sl_rxbuf *rx, uint32_t cancel_target)
{
	struct sl_ua *ua = arg;

	(void)user;
	sl__ua_on_request(ua, txn, rx, cancel_target);
}

static void tu_ack(void *arg, uint32_t txn, void *user, struct sl_rxbuf *rx)
{
	(void)user;
	sl__ua_calls_ack(arg, txn, rx);
}

static void tu_response(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx)
{
	struct sl_ua *ua = arg;

	if (!sl__route_on_response(ua->router, txn, user, rx))
		sl__ua_calls_txn_response(ua, txn, user, rx);
	sl__ua_shutdown_check(ua);
}

static void tu_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	struct sl_ua *ua = arg;

	if (!sl__route_on_timeout(ua->router, txn, user, timer))
		sl__ua_calls_txn_failed(ua, txn, user, SL_ETIMEOUT, timer);
	sl__ua_shutdown_check(ua);
}

static void tu_transport_error(void *arg, uint32_t txn, void *user, int err)
{
	struct sl_ua *ua = arg;

	if (!sl__route_on_transport_error(ua->router, txn, user, err))
		sl__ua_calls_txn_failed(ua, txn, user, err, 0);
	sl__ua_shutdown_check(ua);
}

static void tu_terminated(void *arg, uint32_t txn, void *user)
{
	struct sl_ua *ua = arg;

	if (!sl__route_on_terminated(ua->router, txn, user))
		sl__ua_calls_txn_terminated(ua, txn, user);
	sl__ua_shutdown_check(ua);
}

static void tp_recv(void *arg, struct sl_rxbuf *rx)
{
	struct sl_ua *ua = arg;
	int rc;

	if (ua->cfg.sip_message_events & 1)
		sl__ua_emit_sip(ua, SL_EV_SIP_RECEIVED, rx->msg.buf,
				rx->msg.len);
	rc = sl__txn_recv(ua->txn, rx);
	if (rc < 0)
		sl_log_debug(SL_UA_LOG, "message dropped by the transaction "
			     "layer: %s", sl_strerror(rc));
}

static void tp_flow_closed(void *arg, uint32_t flow, int err)
{
	struct sl_ua *ua = arg;

	sl__txn_flow_closed(ua->txn, flow, err);
	sl__ua_reg_flow_closed(ua, flow);
}

static void tp_unreachable(void *arg, enum sl_tp tp, const struct sl_addr *dst,
			   int err)
{
	struct sl_ua *ua = arg;

	sl__txn_dest_unreachable(ua->txn, tp, dst, err);
}

static void tp_rejected(void *arg, const struct sl_parse_error *err,
			const struct sl_addr *src)
{
	char host[64];

	(void)arg;
	if (sl__addr_host(src, host, sizeof(host)) < 0)
		memcpy(host, "?", 2);
	sl_log_info(SL_UA_LOG, "bad message from %s:%u: %s (%d)", host,
		    sl__addr_port(src), err->reason ? err->reason : "",
		    err->status);
}

/* The one way out: header rules, the sent event, then the wire. */
static int io_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		   size_t len)
{
	struct sl_ua *ua = arg;
	const char *p = buf;
	size_t n = len;
	int rc;

	if (ua->hdrs.n) {
		rc = sl__ua_hdr_apply(ua, buf, len, &p, &n);
		if (rc == SL_ETOOBIG)
			return rc;
		if (rc < 0) {
			p = buf;
			n = len;
		}
	}
	if (ua->hooks.send)
		rc = ua->hooks.send(ua->hooks.send_arg, dst, p, n);
	else
		rc = sl__tp_send(ua->tp, dst, p, n);
	if (rc == 0 && (ua->cfg.sip_message_events & 2))
		sl__ua_emit_sip(ua, SL_EV_SIP_SENT, p, n);
	return rc;
}

/* ---- creation ---- */

/* Allow and Supported from what this UA handles. */
static void capabilities(struct sl_ua *ua)
{
	static const enum sl_method order[] = {
		SL_METHOD_INVITE, SL_METHOD_ACK, SL_METHOD_CANCEL,
		SL_METHOD_BYE, SL_METHOD_OPTIONS, SL_METHOD_MESSAGE,
		SL_METHOD_INFO, SL_METHOD_UPDATE, SL_METHOD_PRACK,
		SL_METHOD_REFER, SL_METHOD_NOTIFY, SL_METHOD_SUBSCRIBE
	};
	size_t o = 0;

	ua->allow_mask = (1u << SL_METHOD_OPTIONS) |
			 (1u << SL_METHOD_MESSAGE) | sl__ua_calls_methods(ua);
	ua->allow[0] = '\0';
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *m = sl_method_name(order[i]);
		size_t n = strlen(m);

		if (!(ua->allow_mask & (1u << order[i])))
			continue;
		if (o + n + 3 > sizeof(ua->allow))
			break;
		if (o) {
			memcpy(ua->allow + o, ", ", 2);
			o += 2;
		}
		memcpy(ua->allow + o, m, n + 1);
		o += n;
	}

	/* Option tags the call engine implements per configuration; the
	 * transaction layer answers 420 to a Require outside this list. */
	ua->n_supported = 0;
	/* "replaces" (RFC 3891) is advertised once transfer handling lands;
	 * only what the call engine really does is listed. */
	if (ua->allow_mask & (1u << SL_METHOD_INVITE)) {
		if (ua->cfg.prack != SL_PRACK_NEVER)
			ua->supported_tags[ua->n_supported++] = "100rel";
		if (ua->cfg.session_expires)
			ua->supported_tags[ua->n_supported++] = "timer";
	}
	ua->supported[0] = '\0';
	o = 0;
	for (unsigned i = 0; i < ua->n_supported; i++) {
		const char *t = ua->supported_tags[i];
		size_t n = strlen(t);

		if (o) {
			memcpy(ua->supported + o, ", ", 2);
			o += 2;
		}
		memcpy(ua->supported + o, t, n + 1);
		o += n;
	}
	ua->check.supported = ua->supported_tags;
	ua->check.n_supported = ua->n_supported;
}

static int make_transport(struct sl_ua *ua)
{
	static const enum sl_tp map[] = { SL_TP_UDP, SL_TP_TCP, SL_TP_TLS };
	struct sl_tp_handlers h = { tp_recv, tp_flow_closed, tp_rejected,
				    tp_unreachable, ua };
	const struct sl_ua_config *c = &ua->cfg;
	struct sl_tp_config tc;
	int rc;

	sl__tp_config_init(&tc);
	for (unsigned i = 0; i < c->n_listen; i++) {
		const struct sl_listen *l = &c->listen[i];

		tc.binds[i].tp = map[l->transport];
		tc.binds[i].host = l->host[0] ? l->host
				   : l->ipv6 ? "::" : "0.0.0.0";
		tc.binds[i].port = l->port;
	}
	tc.n_binds = c->n_listen;
	tc.max_msg_size = c->max_msg_size;
	/* A server transaction keeps its request's buffer (txn.h). */
	tc.rx_buffers = c->max_transactions + 32;
	tc.max_conns = TP_CONNS;
	tc.tls_ca_file = c->tls_ca_file[0] ? c->tls_ca_file : NULL;
	tc.tls_ca_path = c->tls_ca_path[0] ? c->tls_ca_path : NULL;
	tc.tls_cert_file = c->tls_cert_file[0] ? c->tls_cert_file : NULL;
	tc.tls_key_file = c->tls_key_file[0] ? c->tls_key_file : NULL;
	tc.tls_ciphers = c->tls_ciphers[0] ? c->tls_ciphers : NULL;
	tc.tls_verify = c->tls_verify;
	tc.dscp = c->sip_dscp;
	rc = sl__tpmgr_create(&ua->tp, ua->loop, &tc, &h);
	if (rc == SL_EIO) {
		sl_log_error(SL_UA_LOG, "sl_ua_create: a TLS file cannot be "
			     "read");
		rc = SL_EINVAL;
	}
	return rc;
}

static int make_resolver(struct sl_ua *ua)
{
	struct sl_dns_config dc;
	struct sl_locate_config lc;
	int rc;

	sl__dns_config_init(&dc);
	/* Checked with the rest of the configuration already. */
	dns_servers(ua->cfg.dns_servers, &dc);
	rc = sl__dns_create(&ua->dns, ua->loop, &dc);
	if (rc < 0)
		return rc;
	sl__locate_config_init(&lc);
	lc.max_requests = ROUTER_SENDS + 8;
	lc.ip_pref = (enum sl_ip_pref)ua->cfg.ip_pref;
	return sl__locator_create(&ua->loc, ua->loop, ua->dns, &lc);
}

static int make_txn(struct sl_ua *ua)
{
	struct sl_txn_config xc;
	struct sl_router_config rc;
	int err;

	sl__txn_config_init(&xc);
	xc.t1_ms = ua->cfg.t1_ms;
	xc.t2_ms = ua->cfg.t2_ms;
	xc.t4_ms = ua->cfg.t4_ms;
	xc.max_client_txns = ua->cfg.max_transactions;
	xc.max_server_txns = ua->cfg.max_transactions;
	xc.msg_buf_size = ua->cfg.max_msg_size < TXN_BUF ?
			  ua->cfg.max_msg_size : TXN_BUF;
	xc.check = &ua->check;
	xc.seed = ua->hooks.seed;
	xc.io.send = io_send;
	xc.io.arg = ua;
	xc.tu.request = tu_request;
	xc.tu.ack = tu_ack;
	xc.tu.response = tu_response;
	xc.tu.timeout = tu_timeout;
	xc.tu.transport_error = tu_transport_error;
	xc.tu.terminated = tu_terminated;
	xc.tu.arg = ua;
	err = sl__txn_create(&ua->txn, ua->loop, &xc);
	if (err < 0)
		return err;
	sl__router_config_init(&rc);
	rc.max_sends = ROUTER_SENDS;
	rc.msg_buf_size = xc.msg_buf_size;
	return sl__router_create(&ua->router, ua->loop, ua->txn, ua->loc,
				 ua->tp, &rc);
}

static void media_ready(void *arg, int fd, unsigned events)
{
	(void)fd;
	(void)events;
	sl__stream_engine_events(arg);
}

/* The media state, and with media.enabled the engine (threads, audio
 * device) whose events the loop drains. */
static int make_media(struct sl_ua *ua)
{
	const struct sl_ua_config *c = &ua->cfg;
	struct sl_ua_media *m;
	unsigned streams;
	int rc;

	rc = sl__ua_media_create(ua);
	if (rc < 0 || !c->media.enabled)
		return rc;
	m = ua->media;
	streams = c->media.max_streams ? c->media.max_streams : c->max_lines;
	rc = sl__media_engine_create(&c->media, streams, &m->eng);
	if (rc < 0) {
		m->eng = NULL;
		sl_log_error(SL_UA_LOG, "sl_ua_create: media engine (driver "
			     "%s, capture \"%s\", playback \"%s\"): %s",
			     c->media.audio_driver, c->media.capture_dev,
			     c->media.playback_dev, sl_strerror(rc));
		return rc;
	}
	rc = sl__loop_watch(ua->loop, sl__media_engine_event_fd(m->eng),
			    SL_IO_READ, media_ready, ua);
	if (rc < 0)
		return rc;
	m->efd = sl__media_engine_event_fd(m->eng);
	return 0;
}

static void media_teardown(struct sl_ua *ua)
{
	struct sl_ua_media *m = ua->media;

	if (!m)
		return;
	if (m->efd >= 0 && ua->loop)
		sl__loop_unwatch(ua->loop, m->efd);
	m->efd = -1;
	/* Every stream stops (RTCP BYE) and its sockets close with it. */
	if (m->eng)
		sl__media_engine_destroy(m->eng);
	m->eng = NULL;
	sl__ua_media_destroy(ua);
}

/* Frees what exists, in the order the layers' headers ask for. Runs on
 * the loop thread with the loop stopped (or never started). */
static void teardown(struct sl_ua *ua)
{
	if (ua->loop) {
		sl__loop_timer_stop(ua->loop, &ua->reg.timer);
		sl__loop_timer_stop(ua->loop, &ua->ev.flush);
	}
	media_teardown(ua);
	sl__ua_calls_destroy(ua);
	sl__txn_destroy(ua->txn);
	sl__router_destroy(ua->router);
	sl__locator_destroy(ua->loc);
	sl__dns_destroy(ua->dns);
	sl__tpmgr_destroy(ua->tp);
	sl__ua_events_free(ua);
	sl__free(ua->hdrs.out);
	sl__free(ua->hdrs.arena);
	sl__loop_destroy(ua->loop);
	sl__free(ua);
}

int sl__ua_create_ex(struct sl_ua **out, const struct sl_ua_config *cfg,
		     const struct sl_ua_hooks *h)
{
	struct sl_loop_config lc;
	struct sl_ua_config c;
	struct sl_ua *ua;
	int rc;

	if (out)
		*out = NULL;
	if (!out || !cfg)
		return SL_EINVAL;
	rc = check_config(cfg, &c);
	if (rc < 0)
		return rc;
	ua = sl__calloc(1, sizeof(*ua));
	if (!ua)
		return SL_ENOMEM;
	ua->cfg = c;
	if (h)
		ua->hooks = *h;
	ua->ev.efd = -1;
	atomic_init(&ua->destroying, 0);
	atomic_init(&ua->stepping, 0);
	atomic_init(&ua->in_callback, 0);
	atomic_init(&ua->kick, 0);
	atomic_init(&ua->shutdown_done, 0);

	/* Process-wide, as sipline/log.h says. */
	sl_log_set_level((enum sl_log_level)c.log_level);
	if (c.log_file[0] && sl_log_set_file(c.log_file) < 0)
		sl_log_warn(SL_UA_LOG, "cannot open log file %s", c.log_file);

	memset(&lc, 0, sizeof(lc));
	lc.clock = ua->hooks.clock;
	/* Two timers per transaction, four per connection, the UA's own. */
	lc.max_timers = 4 * c.max_transactions + 4 * TP_CONNS +
			16 * c.max_lines + 4 * ROUTER_SENDS + 256;
	lc.max_fds = LOOP_FDS;
	rc = sl__loop_create(&ua->loop, &lc);
	if (rc < 0)
		goto fail;
	ua->hdrs.out_cap = c.max_msg_size;
	ua->hdrs.out = sl__calloc(1, ua->hdrs.out_cap);
	ua->hdrs.arena_cap = 32 * 1024;
	ua->hdrs.arena = sl__calloc(1, ua->hdrs.arena_cap);
	if (!ua->hdrs.out || !ua->hdrs.arena) {
		rc = SL_ENOMEM;
		goto fail;
	}
	ua->hdrs.next_id = 1;
	rc = sl__ua_events_init(ua);
	if (rc < 0)
		goto fail;
	sl__ua_reg_init(ua);
	sl__ua_auth_init(ua);
	rc = make_transport(ua);
	if (rc < 0)
		goto fail;
	rc = make_resolver(ua);
	if (rc < 0)
		goto fail;
	/* The layer reads ua->check at each request, so the capabilities
	 * may follow it: the call engine needs the layer first. */
	rc = make_txn(ua);
	if (rc < 0)
		goto fail;
	/* Before the lines: resetting a line releases its media. */
	rc = make_media(ua);
	if (rc < 0)
		goto fail;
	rc = sl__ua_calls_create(ua);
	if (rc < 0)
		goto fail;
	capabilities(ua);
	if (c.run_mode == SL_RUN_THREAD) {
		rc = sl__loop_start_thread(ua->loop);
		if (rc < 0)
			goto fail;
	}
	*out = ua;
	return 0;
fail:
	sl_log_error(SL_UA_LOG, "sl_ua_create: %s", sl_strerror(rc));
	teardown(ua);
	return rc;
}

int sl_ua_create(struct sl_ua **out, const struct sl_ua_config *cfg)
{
	return sl__ua_create_ex(out, cfg, NULL);
}

/* ---- marshalling and waiting ---- */

int sl__ua_call(struct sl_ua *ua, sl_call_fn fn, void *arg)
{
	if (!ua)
		return SL_EINVAL;
	if (atomic_load(&ua->destroying))
		return SL_ESTATE;
	return sl__loop_call(ua->loop, fn, arg);
}

void sl__ua_kick(struct sl_ua *ua)
{
	atomic_fetch_add(&ua->kick, 1);
	syscall(SYS_futex, (void *)&ua->kick, FUTEX_WAKE_PRIVATE, INT_MAX,
		NULL, NULL, 0);
}

static uint64_t real_ms(void)
{
	return sl__clock_now_us(sl__clock_monotonic()) / 1000;
}

/* Sleeps until ua->kick moves from @seen or @ms pass. */
static void kick_wait(struct sl_ua *ua, uint32_t seen, uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	syscall(SYS_futex, (void *)&ua->kick, FUTEX_WAIT_PRIVATE, seen, &ts,
		NULL, 0);
}

/* 1 when the calling thread runs (or may run) the loop's work. */
static int on_loop(const struct sl_ua *ua)
{
	return sl__loop_on_thread(ua->loop);
}

int sl__ua_wait(struct sl_ua *ua, int (*done)(struct sl_ua *ua, void *arg),
		void *arg, unsigned wait_ms)
{
	uint64_t until = real_ms() + wait_ms;

	for (;;) {
		uint32_t seen = atomic_load(&ua->kick);
		uint64_t now;

		if (done(ua, arg))
			return 0;
		now = real_ms();
		if (now >= until)
			return SL_ETIMEOUT;
		if (on_loop(ua)) {
			uint64_t left = until - now;

			/* Inside a callback (or the own thread) nothing
			 * would run while we wait. */
			if (ua->cfg.run_mode == SL_RUN_THREAD ||
			    atomic_load(&ua->stepping) ||
			    atomic_load(&ua->in_callback))
				return done(ua, arg) ? 0 : SL_ETIMEOUT;
			atomic_store(&ua->stepping, 1);
			sl__loop_step(ua->loop, left < WAIT_SLICE_MS ?
					(int)left : WAIT_SLICE_MS);
			atomic_store(&ua->stepping, 0);
		} else {
			kick_wait(ua, seen, until - now);
		}
	}
}

uint64_t sl__ua_now_ms(const struct sl_ua *ua)
{
	return sl__loop_now_us(ua->loop) / 1000;
}

/* ---- destruction ---- */

static int shutdown_begin(void *arg)
{
	struct sl_ua *ua = arg;

	ua->shutting_down = 1;
	sl__ua_reg_shutdown(ua);
	sl__ua_calls_shutdown(ua);
	sl__ua_shutdown_check(ua);
	return 0;
}

void sl__ua_shutdown_check(struct sl_ua *ua)
{
	if (!ua->shutting_down || atomic_load(&ua->shutdown_done))
		return;
	if (sl__ua_reg_busy(ua) || sl__ua_calls_busy(ua))
		return;
	atomic_store(&ua->shutdown_done, 1);
	sl__ua_kick(ua);
}

static int shutdown_over(struct sl_ua *ua, void *arg)
{
	(void)arg;
	return atomic_load(&ua->shutdown_done);
}

/* Application-driven mode: the destroying thread runs the loop until the
 * shutdown work is over or the time is up. Another thread stepping at the
 * same time is the application's error (sipline/ua.h); it only delays us
 * here. */
static void app_shutdown(struct sl_ua *ua, unsigned wait_ms)
{
	uint64_t until = real_ms() + wait_ms;
	int posted = 0;

	for (int i = 0; i < 1000000; i++) {
		uint64_t now = real_ms();
		int rc;

		if (!posted)
			posted = sl__loop_post(ua->loop, shutdown_begin,
					       ua) == 0;
		if (posted && atomic_load(&ua->shutdown_done))
			break;
		atomic_store(&ua->stepping, 1);
		rc = sl__loop_step(ua->loop, now >= until ? 0 :
				   until - now < WAIT_SLICE_MS ?
				   (int)(until - now) : WAIT_SLICE_MS);
		atomic_store(&ua->stepping, 0);
		if (rc == SL_ESTATE)
			kick_wait(ua, atomic_load(&ua->kick), 1);
		if (real_ms() >= until && (posted || rc != SL_ESTATE))
			break;
	}
}

int sl_ua_destroy(struct sl_ua *ua, unsigned wait_ms)
{
	struct sl_event ev;

	if (!ua)
		return SL_EINVAL;
	/* On the loop thread inside a callback (or, in own-thread mode, on
	 * the loop thread at all) the loop cannot free itself. */
	if (on_loop(ua) && (ua->cfg.run_mode == SL_RUN_THREAD ||
			    atomic_load(&ua->stepping) ||
			    atomic_load(&ua->in_callback)))
		return SL_ESTATE;
	if (atomic_exchange(&ua->destroying, 1))
		return SL_ESTATE;

	if (ua->cfg.run_mode == SL_RUN_THREAD) {
		if (sl__loop_call(ua->loop, shutdown_begin, ua) >= 0)
			sl__ua_wait(ua, shutdown_over, NULL, wait_ms);
		sl__loop_stop_thread(ua->loop);
	} else {
		app_shutdown(ua, wait_ms);
	}

	/* This thread is the loop thread now and the loop is idle: what is
	 * still queued goes out, then the last word. */
	if (ua->cfg.event_mode == SL_EVENTS_CALLBACK) {
		sl__ua_events_flush(ua);
		memset(&ev, 0, sizeof(ev));
		ev.type = SL_EV_DESTROYED;
		ev.line = -1;
		ev.reason = "";
		atomic_store(&ua->in_callback, 1);
		ua->cfg.event_cb(ua->cfg.event_arg, &ev);
		atomic_store(&ua->in_callback, 0);
	}
	teardown(ua);
	return 0;
}

/* ---- application-driven mode ---- */

int sl_ua_fd(struct sl_ua *ua)
{
	if (!ua)
		return SL_EINVAL;
	if (ua->cfg.run_mode != SL_RUN_APP)
		return SL_ESTATE;
	return sl__loop_fd(ua->loop);
}

int sl_ua_timeout_ms(struct sl_ua *ua)
{
	if (!ua)
		return SL_EINVAL;
	if (ua->cfg.run_mode != SL_RUN_APP)
		return SL_ESTATE;
	return sl__loop_timeout_ms(ua->loop);
}

int sl_ua_step(struct sl_ua *ua)
{
	int expect = 0, rc;

	if (!ua)
		return SL_EINVAL;
	if (ua->cfg.run_mode != SL_RUN_APP || atomic_load(&ua->destroying))
		return SL_ESTATE;
	/* A callback stepping again from inside this step. */
	if (!atomic_compare_exchange_strong(&ua->stepping, &expect, 1))
		return SL_ESTATE;
	rc = sl__loop_step(ua->loop, 0);
	atomic_store(&ua->stepping, 0);
	return rc < 0 ? rc : 0;
}

/* ---- addresses ---- */

struct local_addr_args {
	struct sl_ua *ua;
	unsigned index;
	char *out;
	size_t cap;
};

static int local_addr_on_loop(void *arg)
{
	struct local_addr_args *a = arg;
	struct sl_addr addr;
	char host[64];
	int n;

	if (sl__tpmgr_local(a->ua->tp, a->index, &addr) < 0)
		return SL_EINVAL;
	if (sl__addr_host(&addr, host, sizeof(host)) < 0)
		return SL_EFAIL;
	if (sl__addr_family(&addr) == AF_INET6)
		n = snprintf(a->out, a->cap, "[%s]:%u", host,
			     sl__addr_port(&addr));
	else
		n = snprintf(a->out, a->cap, "%s:%u", host,
			     sl__addr_port(&addr));
	if (n < 0 || (size_t)n >= a->cap) {
		a->out[0] = '\0';
		return SL_ENOSPC;
	}
	return n;
}

int sl_ua_local_addr(struct sl_ua *ua, unsigned index, char *out, size_t cap)
{
	struct local_addr_args a = { ua, index, out, cap };

	if (!ua || !out || !cap)
		return SL_EINVAL;
	return sl__ua_call(ua, local_addr_on_loop, &a);
}

/* ---- helpers for the other files ---- */

int sl__ua_token(struct sl_ua *ua, char *out, size_t cap)
{
	char t[24];
	int n = sl__txn_tag(ua->txn, t, sizeof(t));

	if (n < 0)
		return n;
	if ((size_t)n >= cap)
		n = (int)cap - 1;
	memcpy(out, t, (size_t)n);
	out[n] = '\0';
	return n;
}

int sl__ua_text_ok(const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

int sl__ua_strcpy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap) {
		if (cap)
			dst[0] = '\0';
		return SL_ENOSPC;
	}
	memcpy(dst, src, n + 1);
	return (int)n;
}

int sl__ua_next_hop(const struct sl_ua *ua, const char *ruri, char *out,
		    size_t cap)
{
	static const char *const param[] = {
		[SL_TRANSPORT_TCP] = ";transport=tcp",
		[SL_TRANSPORT_TLS] = ";transport=tls"
	};
	const char *hop = ruri;
	enum sl_transport tp;
	struct sl_uri u;
	struct sl_slice v;
	size_t n, at, pn;

	if (ua->acct.set && ua->acct.a.outbound_proxy[0])
		hop = ua->acct.a.outbound_proxy;
	n = strlen(hop);
	if (n >= cap)
		goto nospc;
	memcpy(out, hop, n + 1);
	/* The account's transport, unless the URI names one or is sips:
	 * (TLS anyway): RFC 3263 §4.1 then uses it instead of NAPTR. */
	tp = ua->acct.set ? ua->acct.a.transport : SL_TRANSPORT_UDP;
	if (tp == SL_TRANSPORT_UDP || sl_uri_parse(out, n, &u) < 0 ||
	    u.scheme != SL_URI_SIP || sl_uri_param(&u, "transport", &v))
		return (int)n;
	pn = strlen(param[tp]);
	if (n + pn >= cap)
		goto nospc;
	/* Parameters end where the URI's headers begin. */
	at = u.headers.len ? (size_t)(u.headers.p - 1 - out) : n;
	memmove(out + at + pn, out + at, n - at + 1);
	memcpy(out + at, param[tp], pn);
	return (int)(n + pn);
nospc:
	if (cap)
		out[0] = '\0';
	return SL_ENOSPC;
}

int sl__ua_build_start(struct sl_ua *ua, struct sl_builder *b,
		       const struct sl_route_build *rb, const char *method,
		       const char *ruri, int route_proxy,
		       struct sl_addr *local)
{
	const struct sl_route_target *t = rb->target;
	struct sl_addr a;
	char host[64];
	int rport = ua->acct.set ? ua->acct.a.rport : 1;
	int rc;

	rc = sl__ua_local_for(ua, t->tp, &t->addr, rb->local, &a);
	if (rc < 0)
		return rc;
	if (sl__addr_host(&a, host, sizeof(host)) < 0)
		return SL_EFAIL;
	if (local)
		*local = a;
	sl_build_request_line(b, method, ruri);
	sl_build_via(b, sl__tp_name(t->tp), host, sl__addr_port(&a),
		     rb->branch, rport);
	sl_build_header_uint(b, "Max-Forwards", 70);
	if (route_proxy && ua->acct.set && ua->acct.a.outbound_proxy[0]) {
		const char *p = ua->acct.a.outbound_proxy;
		struct sl_uri u;
		struct sl_slice v;
		char route[SL_UA_URI_MAX + 8];
		int lr = sl_uri_parse(p, strlen(p), &u) == 0 &&
			 sl_uri_param(&u, "lr", &v);

		/* RFC 3261 §8.1.2: a pre-existing route set; the proxy is
		 * taken to be a loose router. */
		snprintf(route, sizeof(route), "<%s%s>", p, lr ? "" : ";lr");
		sl_build_header(b, "Route", route);
	}
	if (ua->cfg.user_agent[0])
		sl_build_header(b, "User-Agent", ua->cfg.user_agent);
	return b->err;
}
