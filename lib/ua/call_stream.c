/*
 * lib/ua/call_stream.c: a call's RTP stream as the SIP side runs it - the
 * socket pair bound for the port in our SDP, the engine stream started,
 * updated and stopped from the negotiated descriptions (RFC 3264 §6-8:
 * codec and payload types each way, RFC 4733 telephone-event, RFC 3389
 * CN, direction and hold, RFC 3605 a=rtcp, RFC 5761 rtcp-mux, RFC 3556
 * bandwidth), and the engine's events turned into UA events.
 *
 * Owns: struct sl_ua_media (ua->media) and its struct sl_line_media per
 * line; the sockets of a line until its stream starts (the engine owns
 * them afterwards).
 * Thread: the SIP loop thread.
 * Called by: call.c (state changes, close, line reset), call_media.c
 * (ports, completed exchanges), ua.c (creation, the engine's event fd),
 * media_api.c and info.c.
 *
 * When media flows: the UAC plays from the answer to its offer on (a 183
 * with SDP gives early media, RFC 3261 §13.2.1) and sends from the 2xx
 * on; the UAS from its 2xx on (an unanswered phone never sends its
 * microphone); until CLOSING (BYE or CANCEL sent) or the end. Hold: a
 * call we hold neither sends nor plays (our a=sendonly allows music on
 * hold, which a phone does not have: the microphone stays private); a
 * call the peer holds still plays what it
 * sends (its music on hold) and sends nothing.
 *
 * Event order at the end of a call: SL_EV_MEDIA_STATS, then SL_EV_CLOSED.
 * The statistics are those the engine published last (at most 100 ms
 * old, engine.h), or the final ones when the stream had stopped already
 * (CLOSING, BYE in flight); the engine's SL_MEV_STOPPED arriving after
 * the call is gone is dropped. A stream stopped mid-call (audio removed
 * by a re-INVITE) reports its statistics when it has stopped.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "media_int.h"
#include "core/log.h"
#include "core/mem.h"

#define SL_MEDIA_LOG "media"

enum {
	DTMF_SLACK_MS = 300           /* one key press by both methods:
				       * RFC 4733 reports at the tone's
				       * end, INFO at its start, plus
				       * network and jitter-buffer delay */
};

/* ---- per-line state ---- */

/* A zeroed slot (@ua NULL) was never used: no sockets, no stream, no
 * timer. Slots are made ready when a call first needs them, so the pages
 * of lines never used stay untouched (as the lines themselves). */
static void lm_clear(struct sl_ua *ua, struct sl_line_media *lm,
		     unsigned idx)
{
	memset(lm, 0, sizeof(*lm));
	lm->ua = ua;
	lm->idx = idx;
	lm->fds[0] = lm->fds[1] = -1;
	lm->stream = -1;
	lm->stopped_id = -1;
	lm->scale_in = lm->scale_out = 100;
	sl__timer_init(&lm->dtmf_timer, sl__info_dtmf_timer, lm);
}

static void close_fds(struct sl_line_media *lm)
{
	if (lm->fds[0] >= 0 || lm->fds[1] >= 0)
		sl__media_sockets_close(lm->fds);
	lm->fds[0] = lm->fds[1] = -1;
}

/* Everything @lm holds goes back (no events). */
static void lm_release(struct sl_ua *ua, struct sl_line_media *lm)
{
	struct sl_ua_media *m = ua->media;

	if (!lm->ua)
		return;
	if (lm->stream >= 0 && m->eng &&
	    sl__media_stream_stop(m->eng, lm->stream) < 0)
		sl_log_warn(SL_MEDIA_LOG, "line %u: stream %d not stopped",
			    lm->idx, lm->stream);
	lm->stream = -1;
	close_fds(lm);
	if (ua->loop)
		sl__loop_timer_stop(ua->loop, &lm->dtmf_timer);
}

struct sl_line_media *sl__stream_lm(struct sl_ua *ua,
				    const struct sl_line *ln)
{
	struct sl_line_media *lm = &ua->media->lines[ln->idx];

	/* The state follows the call: a line reused without a reset (an
	 * INVITE dropped half-way) starts clean. */
	if (!lm->ua || lm->session != ln->session) {
		lm_release(ua, lm);
		lm_clear(ua, lm, ln->idx);
		lm->session = ln->session;
	}
	return lm;
}

int sl__ua_media_create(struct sl_ua *ua)
{
	struct sl_ua_media *m;
	unsigned n = ua->cfg.max_lines ? ua->cfg.max_lines : 1;
	char tok[24];
	int rc;

	m = sl__calloc(1, sizeof(*m));
	if (!m)
		return SL_ENOMEM;
	m->lines = sl__calloc(n, sizeof(*m->lines));
	if (!m->lines) {
		sl__free(m);
		return SL_ENOMEM;
	}
	m->n_lines = n;
	m->efd = -1;
	rc = sl__media_codecs_resolve(&ua->cfg, &m->codecs);
	if (rc < 0) {
		sl__free(m->lines);
		sl__free(m);
		return rc;
	}
	/* RFC 7022 §4.2: a random CNAME, the same for every stream of
	 * this UA. */
	if (sl__ua_token(ua, tok, sizeof(tok)) <= 0)
		snprintf(tok, sizeof(tok), "%p", (void *)ua);
	snprintf(m->cname, sizeof(m->cname), "sipline-%s", tok);
	ua->media = m;
	return 0;
}

void sl__ua_media_destroy(struct sl_ua *ua)
{
	struct sl_ua_media *m = ua->media;

	if (!m)
		return;
	for (unsigned i = 0; i < m->n_lines; i++) {
		struct sl_line_media *lm = &m->lines[i];

		if (!lm->ua)
			continue;
		/* The engine is gone and took its streams' sockets. */
		lm->stream = -1;
		close_fds(lm);
		if (ua->loop)
			sl__loop_timer_stop(ua->loop, &lm->dtmf_timer);
	}
	sl__free(m->lines);
	sl__free(m);
	ua->media = NULL;
}

void sl__stream_line_reset(struct sl_line *ln)
{
	struct sl_ua *ua = ln->ua;
	struct sl_line_media *lm;

	if (!ua || !ua->media || ln->idx >= ua->media->n_lines)
		return;
	lm = &ua->media->lines[ln->idx];
	if (!lm->ua)
		return;
	lm_release(ua, lm);
	lm_clear(ua, lm, ln->idx);
}

/* ---- ports ---- */

int sl__stream_port(struct sl_ua *ua, struct sl_line *ln, const char *host,
		    uint16_t *port)
{
	struct sl_ua_media *m = ua->media;
	struct sl_line_media *lm;
	struct sockaddr_storage ss;
	socklen_t len;
	int rc;

	if (!m || !m->eng)
		return SL_ESTATE;
	lm = sl__stream_lm(ua, ln);
	if (lm->stream >= 0 || lm->fds[0] >= 0) {
		*port = lm->port;
		return 0;
	}
	/* Bound to the wildcard of our SDP address's family: local_ip may
	 * be an address outside this box (a NAT's). */
	memset(&ss, 0, sizeof(ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;

		a6->sin6_family = AF_INET6;
		a6->sin6_addr = in6addr_any;
		len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;

		a4->sin_family = AF_INET;
		a4->sin_addr.s_addr = htonl(INADDR_ANY);
		len = sizeof(*a4);
	}
	/* A pair even when we offer rtcp-mux: the answer may refuse it
	 * (RFC 5761 §5.1.1). */
	rc = sl__media_sockets_open(m->eng, (struct sockaddr *)&ss, len,
				    ua->cfg.rtp_port_min,
				    ua->cfg.rtp_port_max, 0, lm->fds,
				    &lm->port);
	if (rc < 0) {
		lm->fds[0] = lm->fds[1] = -1;
		lm->port = 0;
		sl_log_warn(SL_MEDIA_LOG, "line %u: no RTP port in %u-%u: %s",
			    ln->idx, ua->cfg.rtp_port_min,
			    ua->cfg.rtp_port_max, sl_strerror(rc));
		return rc;
	}
	*port = lm->port;
	return 0;
}

void sl__stream_offered(struct sl_ua *ua, struct sl_line *ln)
{
	sl__stream_lm(ua, ln)->pair_ok = 0;
}

void sl__stream_answered(struct sl_ua *ua, struct sl_line *ln)
{
	sl__stream_lm(ua, ln)->pair_ok = 1;
}

/* ---- the negotiated stream ---- */

static void copy_slice(struct sl_slice s, char *out, size_t cap)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (n)
		memcpy(out, s.p, n);
	out[n] = '\0';
}

/* "ip:port" / "[ip6]:port" of @ss. */
static void addr_text(const struct sockaddr_storage *ss, char *out,
		      size_t cap)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;

		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(out, cap, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const void *)ss;

		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(out, cap, "%s:%u", host, ntohs(a->sin_port));
	}
}

/* @addr (a c= address) and @port into @ss. Return: its length, 0 when
 * the address is not numeric (an FQDN in c=: not resolved here). Sets
 * *@null for 0.0.0.0 / :: (the RFC 2543 hold). */
static socklen_t make_addr(struct sl_slice addr, uint16_t port,
			   struct sockaddr_storage *ss, int *null)
{
	struct sl_addr a;

	if (sl__addr_set(&a, addr.p, addr.len, port) < 0)
		return 0;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &a.u, a.len);
	if (a.u.sa.sa_family == AF_INET)
		*null = a.u.in.sin_addr.s_addr == htonl(INADDR_ANY);
	else
		*null = !memcmp(&a.u.in6.sin6_addr, &in6addr_any,
				sizeof(in6addr_any));
	return a.len;
}

/* The b= value of @type for media section @i (media level, else session
 * level); -1 when absent. */
static int64_t bw_of(const struct sl_sdp *sdp, size_t i, const char *type)
{
	const struct sl_sdp_media *m = &sdp->media[i];

	for (size_t k = 0; k < m->n_bw; k++)
		if (sl_slice_ieq(m->bw[k].type, type))
			return m->bw[k].value;
	for (size_t k = 0; k < sdp->n_bw; k++)
		if (sl_slice_ieq(sdp->bw[k].type, type))
			return sdp->bw[k].value;
	return -1;
}

/* The CN payload type of section @i of our description, -1: none. */
static int cn_pt(const struct sl_sdp *sdp, size_t i)
{
	const struct sl_sdp_media *m = &sdp->media[i];

	for (size_t f = 0; f < m->n_fmt; f++) {
		struct sl_sdp_rtpmap r;

		if (sl_sdp_fmt_rtpmap(&m->fmt[f], &r) == 0 &&
		    sl_slice_ieq(r.name, "CN") && m->fmt[f].pt >= 0)
			return m->fmt[f].pt;
	}
	return -1;
}

static unsigned pick_ptime(const struct sl_codec *c, uint32_t peer,
			   unsigned ours)
{
	unsigned lo = c->min_ptime_ms ? c->min_ptime_ms : 10;
	unsigned hi = c->max_ptime_ms ? c->max_ptime_ms : 60;
	unsigned p = peer ? (unsigned)peer : ours;

	/* RFC 3264 §5.1: a=ptime is how the peer wants to receive; one we
	 * cannot make falls back to ours, kept within the codec's range. */
	if (p % 10 || p < lo || p > hi)
		p = ours;
	if (p < lo)
		p = lo;
	if (p > hi)
		p = hi;
	return p;
}

/*
 * The parameters the line's last exchange gives for its audio stream.
 * Return: 1 with @p filled; 0 when there is no active audio stream (none
 * negotiated, port 0, a codec we do not have); <0 when a description does
 * not parse.
 */
static int build_params(struct sl_ua *ua, struct sl_line *ln,
			struct sl_line_media *lm, struct sl_stream_params *p)
{
	struct sl_ua_media *m = ua->media;
	const struct sl_media_config *mc = &ua->cfg.media;
	struct sl_sdp *local = &m->sdp_local, *remote = &m->sdp_remote;
	const struct sl_sdp *off, *ans;
	struct sl_sdp_stream st;
	char name[SL_MEDIA_NAME_MAX];
	size_t i, n;
	int found = 0, null = 0, rtcp_null = 0, we_hold;
	uint32_t as_kbps;
	int64_t v;

	if (!ln->local_len || !ln->remote_len ||
	    sl_sdp_parse(local, ln->local_sdp, ln->local_len, NULL) < 0 ||
	    sl_sdp_parse(remote, ln->remote_sdp, ln->remote_len, NULL) < 0)
		return SL_EPARSE;
	off = ln->we_offered ? local : remote;
	ans = ln->we_offered ? remote : local;
	n = local->n_media < remote->n_media ? local->n_media
	    : remote->n_media;
	for (i = 0; i < n; i++) {
		if (local->media[i].type != SL_SDP_MEDIA_AUDIO)
			continue;
		if (sl_sdp_negotiated(off, ans, ln->we_offered, i, &st) < 0)
			return SL_EPARSE;
		found = 1;
		break;
	}
	if (!found || !st.active || st.srtp)
		return 0;
	copy_slice(st.encoding, name, sizeof(name));
	memset(p, 0, sizeof(*p));
	p->codec = sl_codec_find(name, st.clock_rate);
	if (!p->codec) {
		sl_log_warn(SL_MEDIA_LOG, "line %u: no codec %s/%u", ln->idx,
			    name, st.clock_rate);
		return 0;
	}
	p->session = ln->session;
	p->rtp_fd = p->rtcp_fd = -1;
	p->remote_len = make_addr(st.remote_addr, st.remote_port,
				  &p->remote_rtp, &null);
	if (!p->remote_len) {
		sl_log_warn(SL_MEDIA_LOG, "line %u: media address %.*s is "
			    "not numeric", ln->idx, (int)st.remote_addr.len,
			    st.remote_addr.p);
		return 0;
	}
	if (!make_addr(st.remote_rtcp_addr.len ? st.remote_rtcp_addr
		       : st.remote_addr, st.remote_rtcp_port,
		       &p->remote_rtcp, &rtcp_null))
		p->remote_rtcp = p->remote_rtp;
	p->pt_tx = (uint8_t)st.pt_send;
	p->pt_rx = (uint8_t)st.pt_recv;
	/* The peer's fmtp says how it wants to receive: it sets up our
	 * encoder (RFC 7587 §7 for opus). */
	if (p->codec->fmtp_parse && st.fmtp_send.len)
		p->codec->fmtp_parse(&p->cp, st.fmtp_send.p,
				     st.fmtp_send.len);
	p->cp.ptime_ms = pick_ptime(p->codec, st.ptime,
				    mc->ptime_ms ? mc->ptime_ms : 20);
	p->cp.bitrate = lm->bitrate ? lm->bitrate : mc->audio_bitrate;
	p->te_pt_tx = st.te_send_pt;
	p->te_pt_rx = st.te_recv_pt;
	p->cn_pt = cn_pt(local, i);
	p->send = st.dir == SL_SDP_DIR_SENDRECV ||
		  st.dir == SL_SDP_DIR_SENDONLY;
	p->recv = st.dir == SL_SDP_DIR_SENDRECV ||
		  st.dir == SL_SDP_DIR_RECVONLY;
	/* Who holds: our own offer says so in its direction (we write
	 * sendonly / inactive only to hold, RFC 3264 §8.4); an answer of
	 * ours follows ln->hold. */
	if (ln->we_offered) {
		enum sl_sdp_dir d = sl_sdp_media_dir(local, i);

		we_hold = d == SL_SDP_DIR_SENDONLY ||
			  d == SL_SDP_DIR_INACTIVE;
	} else {
		we_hold = ln->hold;
	}
	if (we_hold)
		p->send = p->recv = 0;
	/* Early media is the callee's to send; our packets would only
	 * queue up in a socket nobody reads until the answer. */
	if (null || ln->state == SL_LINE_EARLY)
		p->send = 0;
	p->rtcp_mux = st.rtcp_mux;
	/* RFC 3556: the call's values (sl_call_set_rtcp_bandwidth()), else
	 * the configured ones; the peer's where we set none. */
	as_kbps = lm->rtcp_set ? lm->rtcp_as_kbps : mc->rtcp_as_kbps;
	v = as_kbps ? (int64_t)as_kbps : bw_of(remote, i, "AS");
	if (v > 0)
		p->bw.session_bps = (uint32_t)(v * 1000 > UINT32_MAX ?
					       UINT32_MAX : v * 1000);
	p->bw.rs_bps = lm->rtcp_set ? lm->rtcp_rs_bps : mc->rtcp_rs_bps;
	if (p->bw.rs_bps < 0 && (v = bw_of(remote, i, "RS")) >= 0)
		p->bw.rs_bps = (int32_t)(v > INT32_MAX ? INT32_MAX : v);
	p->bw.rr_bps = lm->rtcp_set ? lm->rtcp_rr_bps : mc->rtcp_rr_bps;
	if (p->bw.rr_bps < 0 && (v = bw_of(remote, i, "RR")) >= 0)
		p->bw.rr_bps = (int32_t)(v > INT32_MAX ? INT32_MAX : v);
	snprintf(p->cname, sizeof(p->cname), "%s", m->cname);
	return 1;
}

static int params_equal(const struct sl_stream_params *a,
			const struct sl_stream_params *b)
{
	return a->remote_len == b->remote_len &&
	       !memcmp(&a->remote_rtp, &b->remote_rtp, a->remote_len) &&
	       !memcmp(&a->remote_rtcp, &b->remote_rtcp, a->remote_len) &&
	       a->codec == b->codec && a->pt_tx == b->pt_tx &&
	       a->pt_rx == b->pt_rx &&
	       a->cp.bitrate == b->cp.bitrate &&
	       a->cp.ptime_ms == b->cp.ptime_ms && a->cp.fec == b->cp.fec &&
	       a->cp.dtx == b->cp.dtx && a->cp.cbr == b->cp.cbr &&
	       a->cp.stereo == b->cp.stereo &&
	       a->cp.maxplaybackrate == b->cp.maxplaybackrate &&
	       a->cp.maxaveragebitrate == b->cp.maxaveragebitrate &&
	       a->te_pt_tx == b->te_pt_tx && a->te_pt_rx == b->te_pt_rx &&
	       a->cn_pt == b->cn_pt && a->send == b->send &&
	       a->recv == b->recv && a->rtcp_mux == b->rtcp_mux &&
	       a->bw.session_bps == b->bw.session_bps &&
	       a->bw.rs_bps == b->bw.rs_bps && a->bw.rr_bps == b->bw.rr_bps;
}

void sl__stream_apply_controls(struct sl_ua *ua, struct sl_line_media *lm)
{
	struct sl_media_engine *eng = ua->media->eng;

	if (!eng || lm->stream < 0)
		return;
	if (lm->mute)
		sl__media_stream_control(eng, lm->stream, SL_MCTL_MUTE,
					 lm->mute, 0, NULL, NULL);
	if (lm->scale_in != 100 || lm->scale_out != 100)
		sl__media_stream_control(eng, lm->stream, SL_MCTL_SCALING,
					 lm->scale_in, lm->scale_out, NULL,
					 NULL);
	if (lm->audio_cb)
		sl__media_stream_control(eng, lm->stream, SL_MCTL_AUDIO_CB,
					 lm->audio_dirs, 0,
					 (void (*)(void))lm->audio_cb,
					 lm->audio_arg);
	if (lm->rtp_cb)
		sl__media_stream_control(eng, lm->stream, SL_MCTL_RTP_CB,
					 lm->rtp_dirs, 0,
					 (void (*)(void))lm->rtp_cb,
					 lm->rtp_arg);
}

static void remember(struct sl_line_media *lm,
		     const struct sl_stream_params *p)
{
	int fd0 = lm->cur.rtp_fd, fd1 = lm->cur.rtcp_fd;

	lm->cur = *p;
	lm->cur.rtp_fd = fd0;
	lm->cur.rtcp_fd = fd1;
	snprintf(lm->codec, sizeof(lm->codec), "%s", p->codec->name);
	addr_text(&p->remote_rtp, lm->remote_rtp, sizeof(lm->remote_rtp));
}

static void start(struct sl_ua *ua, struct sl_line *ln,
		  struct sl_line_media *lm, struct sl_stream_params *p)
{
	int rc;

	if (lm->fds[0] < 0) {
		sl_log_warn(SL_MEDIA_LOG, "line %u: no socket for the stream",
			    ln->idx);
		return;
	}
	p->rtp_fd = lm->fds[0];
	p->rtcp_fd = p->rtcp_mux ? -1 : lm->fds[1];
	rc = sl__media_stream_start(ua->media->eng, p);
	if (rc < 0) {
		sl_log_warn(SL_MEDIA_LOG, "line %u: stream not started: %s",
			    ln->idx, sl_strerror(rc));
		return;
	}
	/* The engine owns what it took; the RTCP socket a multiplexed
	 * stream does not use goes now. */
	if (p->rtcp_mux && lm->fds[1] >= 0) {
		int spare[2] = { lm->fds[1], -1 };

		sl__media_sockets_close(spare);
	}
	lm->fds[0] = lm->fds[1] = -1;
	lm->stream = rc;
	lm->cur.rtp_fd = p->rtp_fd;
	lm->cur.rtcp_fd = p->rtcp_fd;
	remember(lm, p);
	lm->ran = 1;
	lm->started_ev = 0;
	sl_log_info(SL_MEDIA_LOG, "line %u session %d: stream %d %s/%u pt "
		    "%u/%u to %s%s%s", ln->idx, ln->session, rc,
		    p->codec->name, p->codec->clock_rate, p->pt_tx, p->pt_rx,
		    lm->remote_rtp, p->send ? " send" : "",
		    p->recv ? " recv" : "");
	sl__stream_apply_controls(ua, lm);
}

/* Stops the running stream, keeping the counters it published last. */
static void stop(struct sl_ua *ua, struct sl_line_media *lm)
{
	struct sl_media_engine *eng = ua->media->eng;
	int rc;

	if (lm->stream < 0 || !eng)
		return;
	if (sl__media_stream_stats(eng, lm->stream, &lm->final) == 0)
		lm->have_final = 1;
	rc = sl__media_stream_stop(eng, lm->stream);
	if (rc < 0)
		sl_log_warn(SL_MEDIA_LOG, "line %u: stream %d not stopped: %s",
			    lm->idx, lm->stream, sl_strerror(rc));
	lm->stopping = 1;
	lm->stopped_id = lm->stream;
	lm->stream = -1;
}

void sl__stream_sync(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_ua_media *m = ua->media;
	struct sl_line_media *lm;
	struct sl_stream_params p;
	int rc;

	if (!m || !m->eng || !ln->session)
		return;
	lm = sl__stream_lm(ua, ln);
	switch (ln->state) {
	case SL_LINE_EARLY:
	case SL_LINE_ANSWERING:
	case SL_LINE_CONNECTED:
	case SL_LINE_HELD:
	case SL_LINE_REMOTE_HELD:
		break;
	case SL_LINE_CLOSING:
		/* BYE or CANCEL sent: the session is over (§15). */
		stop(ua, lm);
		close_fds(lm);
		return;
	default:
		return;
	}
	/* A new offer of ours awaits its answer: the stream keeps the last
	 * completed exchange meanwhile (RFC 3264 §8). */
	if (!lm->pair_ok)
		return;
	rc = build_params(ua, ln, lm, &p);
	if (rc < 0) {
		sl_log_warn(SL_MEDIA_LOG, "line %u: descriptions do not "
			    "parse", ln->idx);
		return;
	}
	if (rc == 0) {
		/* Audio removed or refused (port 0). */
		if (lm->stream >= 0)
			stop(ua, lm);
		close_fds(lm);
		return;
	}
	if (lm->stream < 0) {
		start(ua, ln, lm, &p);
		return;
	}
	p.rtp_fd = lm->cur.rtp_fd;
	p.rtcp_fd = lm->cur.rtcp_fd;
	if (lm->rearm && ln->state == SL_LINE_CONNECTED && p.recv) {
		struct sl_stream_params q = p;

		/* A timeout suppressed earlier (early media, hold) left the
		 * engine's timer spent (it reports once): receiving off,
		 * then on, starts its wait again. */
		q.recv = 0;
		lm->rearm = 0;
		if (sl__media_stream_update(m->eng, lm->stream, &q) < 0)
			sl_log_warn(SL_MEDIA_LOG, "line %u: media timeout not "
				    "re-armed", ln->idx);
		lm->cur.recv = 0;
	}
	if (params_equal(&p, &lm->cur))
		return;
	rc = sl__media_stream_update(m->eng, lm->stream, &p);
	if (rc < 0) {
		sl_log_warn(SL_MEDIA_LOG, "line %u: stream %d not updated: %s",
			    ln->idx, lm->stream, sl_strerror(rc));
		return;
	}
	remember(lm, &p);
	sl_log_info(SL_MEDIA_LOG, "line %u session %d: stream %d now %s pt "
		    "%u/%u to %s%s%s", ln->idx, ln->session, lm->stream,
		    p.codec->name, p.pt_tx, p.pt_rx, lm->remote_rtp,
		    p.send ? " send" : "", p.recv ? " recv" : "");
}

/* ---- events ---- */

static void emit_stats(struct sl_ua *ua, struct sl_line *ln,
		       struct sl_line_media *lm)
{
	struct sl_call_stats s;
	struct sl_event ev;
	char json[1024];
	int n;

	if (lm->have_final) {
		s = lm->final;
	} else {
		/* Nothing published yet: what we know ourselves. */
		memset(&s, 0, sizeof(s));
		snprintf(s.codec, sizeof(s.codec), "%s", lm->codec);
		s.payload_type = lm->cur.pt_tx;
		s.clock_rate = lm->cur.codec ? lm->cur.codec->clock_rate : 0;
		snprintf(s.remote_rtp, sizeof(s.remote_rtp), "%s",
			 lm->remote_rtp);
		s.rtt_ms = -1;
	}
	n = sl__media_stats_json(ln->session, &s, json, sizeof(json));
	if (n < 0) {
		sl_log_warn(SL_MEDIA_LOG, "line %u: statistics too long",
			    ln->idx);
		return;
	}
	sl__calls_event_init(ln, &ev, SL_EV_MEDIA_STATS);
	ev.content_type = "application/json";
	ev.body = json;
	ev.body_len = (size_t)n;
	ev.codec = s.codec;
	ev.payload_type = s.payload_type;
	ev.remote_rtp = s.remote_rtp;
	sl__calls_emit(ua, &ev);
}

void sl__stream_end(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_line_media *lm;

	if (!ua->media || !ln->session)
		return;
	lm = sl__stream_lm(ua, ln);
	stop(ua, lm);
	close_fds(lm);
	if (lm->ran && !lm->stats_sent) {
		emit_stats(ua, ln, lm);
		lm->stats_sent = 1;
	}
}

void sl__stream_dtmf_in(struct sl_ua *ua, struct sl_line *ln, char digit,
			unsigned duration_ms, enum sl_dtmf_src src)
{
	struct sl_line_media *lm = sl__stream_lm(ua, ln);
	uint64_t now = sl__ua_now_ms(ua);
	unsigned win = duration_ms > lm->dtmf_dur ? duration_ms
		       : lm->dtmf_dur;
	struct sl_event ev;

	if (lm->dtmf_digit == digit && lm->dtmf_src != src &&
	    now - lm->dtmf_ms <= (uint64_t)win + DTMF_SLACK_MS) {
		/* The same key press by the other method: counted once,
		 * and the next press of that key is a new one. */
		lm->dtmf_digit = 0;
		sl_log_debug(SL_MEDIA_LOG, "line %u: digit %c by both "
			     "methods, reported once", ln->idx, digit);
		return;
	}
	lm->dtmf_digit = digit;
	lm->dtmf_src = src;
	lm->dtmf_ms = now;
	lm->dtmf_dur = duration_ms;
	sl__calls_event_init(ln, &ev, SL_EV_DTMF);
	ev.digit = digit;
	ev.dtmf_method = src == SL_DTMF_SRC_INFO ? "info" : "rfc4733";
	ev.duration_ms = duration_ms;
	sl__calls_emit(ua, &ev);
}

static void on_engine(void *arg, const struct sl_media_ev *mev)
{
	struct sl_ua *ua = arg;
	struct sl_line *ln = sl__calls_by_session(ua, mev->session);
	struct sl_line_media *lm;
	struct sl_event ev;

	/* A call that ended already: its stream's last words are moot. */
	if (!ln)
		return;
	lm = sl__stream_lm(ua, ln);
	switch (mev->type) {
	case SL_MEV_STARTED:
		if (mev->stream != lm->stream || lm->started_ev)
			return;
		lm->started_ev = 1;
		sl__calls_event_init(ln, &ev, SL_EV_MEDIA_STARTED);
		ev.codec = lm->codec;
		ev.payload_type = lm->cur.pt_tx;
		ev.remote_rtp = lm->remote_rtp;
		sl__calls_emit(ua, &ev);
		return;
	case SL_MEV_DTMF:
		if (mev->stream != lm->stream || !sl__dtmf_digit_ok(mev->digit))
			return;
		sl__stream_dtmf_in(ua, ln, mev->digit, mev->duration_ms,
				   SL_DTMF_SRC_RFC4733);
		return;
	case SL_MEV_TIMEOUT:
		if (mev->stream != lm->stream)
			return;
		/* A held call is quiet by design (either side's hold), and
		 * a 183 promises no early media. The engine reports once;
		 * the timer is armed again when the call is connected and
		 * unheld (sl__stream_sync()). */
		if (ln->state != SL_LINE_CONNECTED || ln->hold ||
		    ln->remote_hold || !lm->cur.recv) {
			lm->rearm = 1;
			sl_log_debug(SL_MEDIA_LOG, "line %u: no RTP while "
				     "%s", ln->idx,
				     sl_line_state_name(ln->state));
			return;
		}
		sl_log_info(SL_MEDIA_LOG, "line %u session %d: no RTP",
			    ln->idx, ln->session);
		sl__calls_event_init(ln, &ev, SL_EV_MEDIA_TIMEOUT);
		ev.reason = "no RTP";
		ev.codec = lm->codec;
		ev.remote_rtp = lm->remote_rtp;
		sl__calls_emit(ua, &ev);
		return;
	case SL_MEV_STOPPED:
		if (lm->stopping && mev->stream == lm->stopped_id) {
			lm->final = mev->stats;
			lm->have_final = 1;
			lm->stopping = 0;
			lm->stopped_id = -1;
		} else if (mev->stream == lm->stream) {
			/* The engine ended it by itself. */
			lm->final = mev->stats;
			lm->have_final = 1;
			lm->stream = -1;
			sl_log_warn(SL_MEDIA_LOG, "line %u: stream ended by "
				    "the engine", ln->idx);
		} else {
			return;
		}
		/* Mid-call (audio removed): the report goes now; at the
		 * end of the call sl__stream_end() sends it. */
		if (ln->state != SL_LINE_CLOSING && lm->stream < 0 &&
		    lm->ran && !lm->stats_sent) {
			emit_stats(ua, ln, lm);
			lm->ran = 0;
			lm->have_final = 0;
		}
		return;
	case SL_MEV_LATCHED:
		sl_log_info(SL_MEDIA_LOG, "line %u: RTP source of the peer "
			    "changed (latched)", ln->idx);
		return;
	default:
		return;
	}
}

void sl__stream_engine_events(struct sl_ua *ua)
{
	if (ua->media && ua->media->eng)
		sl__media_engine_drain(ua->media->eng, on_engine, ua);
}
