/*
 * lib/media/stream.c: one RTP stream's life on its media thread and its
 * receive path - start/update/stop, reading the sockets, rtcp-mux
 * demultiplexing (RFC 5761 §4), symmetric RTP latching (RFC 4961),
 * SSRC tracking and receiver statistics (RFC 3550 §6.4.1, A.1, A.8),
 * telephone-event hand-off, and the jitter buffer put; plus sending one
 * RTP or RTCP datagram for the other files.
 *
 * Once latching has settled, the RTP socket is connect()ed to the peer:
 * a send then skips the route look-up and the address copy, about a
 * tenth of its cost, and sends are most of the media thread's work. A
 * connected socket hears only that peer, so it is connected only after
 * CONNECT_AFTER packets in a row from the address we send to, only when
 * the route to the peer leaves from the very address of ours those
 * packets came to (IP_PKTINFO; else the socket, bound to the wildcard,
 * would stop hearing them on a multihomed box), and it is disconnected
 * when the remote address changes and after 300 ms without RTP: a peer
 * that moved (a NAT rebinding) is heard again after that and latched to
 * as before - what it sent meanwhile is lost (unconnected, latching
 * would have lost nothing). Silence (DTX, hold) disconnects too; the
 * next talk-spurt connects again.
 *
 * Owns: a running stream's media part (struct sl_mstream below `l`) and
 * its sockets.
 * Thread: the stream's media thread only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "media/engine_int.h"

/* Packets from a new address needed before we move off an address that
 * has already carried media: one stray packet must not steal the call. */
enum { RELATCH_PACKETS = 3 };

/* Connecting the RTP socket (see above): packets in a row first, and
 * the silence after which it listens to everyone again. */
enum { CONNECT_AFTER = 25 };
#define CONNECTED_IDLE_US 300000u

static int addr_eq(const struct sockaddr_storage *a,
		   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;
		const struct sockaddr_in *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;
		const struct sockaddr_in6 *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr,
			      sizeof(x->sin6_addr)) == 0;
	}
	return 0;
}

/* An address we can send to: a family, a port, not the unspecified
 * address (RFC 3264 §8.4 hold with c=0.0.0.0). */
static int addr_usable(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;

		return x->sin_port && x->sin_addr.s_addr != INADDR_ANY;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;

		return x->sin6_port &&
		       !IN6_IS_ADDR_UNSPECIFIED(&x->sin6_addr);
	}
	return 0;
}

static socklen_t addr_len(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					: sizeof(struct sockaddr_in);
}

static void addr_str(const struct sockaddr_storage *a, char *out,
		     size_t cap)
{
	char ip[INET6_ADDRSTRLEN] = "";
	unsigned port = 0;

	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;

		inet_ntop(AF_INET, &x->sin_addr, ip, sizeof(ip));
		port = ntohs(x->sin_port);
		snprintf(out, cap, "%s:%u", ip, port);
	} else if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;

		inet_ntop(AF_INET6, &x->sin6_addr, ip, sizeof(ip));
		port = ntohs(x->sin6_port);
		snprintf(out, cap, "[%s]:%u", ip, port);
	} else if (cap) {
		out[0] = 0;
	}
}

static void set_port_plus1(struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET) {
		struct sockaddr_in *x = (void *)a;

		x->sin_port = htons((uint16_t)(ntohs(x->sin_port) + 1));
	} else if (a->ss_family == AF_INET6) {
		struct sockaddr_in6 *x = (void *)a;

		x->sin6_port = htons((uint16_t)(ntohs(x->sin6_port) + 1));
	}
}

/* Our address (IPv4 as v4-mapped) of a local socket name. Return: 0,
 * -1 for another family. */
static int addr16(const struct sockaddr_storage *a, uint8_t out[16])
{
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a;

		memset(out, 0, 10);
		out[10] = 0xff;
		out[11] = 0xff;
		memcpy(out + 12, &x->sin_addr, 4);
		return 0;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a;

		memcpy(out, &x->sin6_addr, 16);
		return 0;
	}
	return -1;
}

static void disconnect_rtp(struct sl_mstream *s)
{
	struct sockaddr sa;

	s->conn_n = 0;
	if (!s->connected)
		return;
	s->connected = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNSPEC;
	if (connect(s->p.rtp_fd, &sa, sizeof(sa)) < 0) {
		/* Still connected: it would hear nobody else. */
		sl_log_warn("media", "stream %d: RTP disconnect: %s",
			    s->sid, strerror(errno));
		s->connected = 1;
	}
}

static void connect_rtp(struct sl_mstream *s)
{
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	uint8_t got[16];

	s->conn_n = 0;
	if (connect(s->p.rtp_fd, (const struct sockaddr *)&s->rtp_to,
		    s->rtp_to_len) < 0) {
		sl_log_debug("media", "stream %d: RTP connect: %s", s->sid,
			     strerror(errno));
		s->connect_off = 1;
		return;
	}
	s->connected = 1;
	memset(&local, 0, sizeof(local));
	if (getsockname(s->p.rtp_fd, (struct sockaddr *)&local, &ll) < 0 ||
	    addr16(&local, got) < 0 || memcmp(got, s->conn_dst, 16) != 0) {
		/* The route leaves from another address of ours than the
		 * one the peer sends to: unconnected, the socket hears it. */
		disconnect_rtp(s);
		s->connect_off = 1;
		sl_log_debug("media", "stream %d: RTP stays unconnected",
			     s->sid);
	}
}

/* A valid RTP packet from @from came to our address @dst (NULL: not
 * known): connects once latching has settled. */
static void connect_check(struct sl_mstream *s,
			  const struct sockaddr_storage *from,
			  const uint8_t *dst)
{
	if (s->connected || s->connect_off)
		return;
	if (!dst || !s->latched || s->cand_n || !s->rtp_to_ok ||
	    !addr_eq(from, &s->rtp_to)) {
		s->conn_n = 0;
		return;
	}
	if (s->conn_n && memcmp(dst, s->conn_dst, 16) == 0) {
		s->conn_n++;
	} else {
		memcpy(s->conn_dst, dst, 16);
		s->conn_n = 1;
	}
	if (s->conn_n >= CONNECT_AFTER)
		connect_rtp(s);
}

static void set_remote(struct sl_mstream *s, const struct sl_stream_params *p)
{
	disconnect_rtp(s);
	s->connect_off = 0;
	memset(&s->rtp_to, 0, sizeof(s->rtp_to));
	memset(&s->rtcp_to, 0, sizeof(s->rtcp_to));
	if (p->remote_len) {
		memcpy(&s->rtp_to, &p->remote_rtp, p->remote_len);
		memcpy(&s->rtcp_to, &p->remote_rtcp, p->remote_len);
	}
	if (p->rtcp_mux || !addr_usable(&s->rtcp_to)) {
		s->rtcp_to = s->rtp_to;
		/* RFC 3550 §11: RTCP on the next port when the SDP gave
		 * no a=rtcp. */
		if (!p->rtcp_mux)
			set_port_plus1(&s->rtcp_to);
	}
	s->rtp_to_len = addr_len(&s->rtp_to);
	s->rtcp_to_len = addr_len(&s->rtcp_to);
	s->rtp_to_ok = addr_usable(&s->rtp_to);
	s->latched = 0;
	s->rtcp_latched = 0;
	s->cand_n = 0;
	addr_str(&s->rtp_to, s->remote_str, sizeof(s->remote_str));
}

void sl__ms_apply_codec(struct sl_mstream *s)
{
	struct sl_media_engine *e = s->thr->eng;
	const struct sl_codec *c = s->codec;
	struct sl_jbuf_config jc;

	s->ptime_ms = s->p.cp.ptime_ms;
	s->ptime_samples = c->sample_rate * s->ptime_ms / 1000;
	s->ptime_clock = c->clock_rate * s->ptime_ms / 1000;
	s->cf = c->sample_rate * e->frame_ms / 1000;
	s->acc_n = 0;
	jc = (struct sl_jbuf_config){
		.clock_rate = c->clock_rate,
		.ptime_ms = s->ptime_ms,
		.min_ms = e->cfg.jb_min_ms,
		.max_ms = e->cfg.jb_max_ms,
		.slots = e->jb_slots,
		.max_payload = SL_ME_MAX_PAYLOAD
	};
	s->jb = NULL;
	if (sl__jbuf_size(&jc) && sl__jbuf_size(&jc) <= e->jb_size)
		s->jb = sl__jbuf_init(s->jb_mem, &jc);
	if (!s->jb)
		sl_log_warn("media", "stream %d: no jitter buffer for %s",
			    s->sid, c->name);
	if (s->rs_cap)
		sl__resampler_reset(s->rs_cap);
	if (s->rs_play)
		sl__resampler_reset(s->rs_play);
	sl__ms_playout_reset(s);
}

void sl__ms_start(struct sl_mthread *thr, struct sl_mstream *s,
		  const struct sl_me_cmd *c)
{
	uint64_t now = sl__me_now_us();

	/* Everything from `running` on belongs to the media side; clear
	 * what a previous call left, up to the sample arrays (only read
	 * below the counts cleared here: 30 KB a start saved). */
	memset(&s->running, 0, offsetof(struct sl_mstream, acc) -
			       offsetof(struct sl_mstream, running));
	s->thr = thr;
	s->running = 1;
	s->sid = c->id;
	s->gen = c->gen;
	s->p = c->p;
	s->codec = c->p.codec;
	s->cst = s->codec_mem[c->set];
	s->rs_cap = c->rs_cap;
	s->rs_play = c->rs_play;
	s->ssrc = c->ssrc;
	s->seq = c->seq;
	s->ts = c->ts;
	s->marker_next = 1;
	s->scale_in = 100;
	s->scale_out = 100;
	/* Only a stream of another thread keeps a playback ring (thread 0
	 * decodes its own on demand): three frames ride out a late wake-up
	 * of either thread. */
	s->play_target = 3;
	s->loss_epoch = atomic_load_explicit(&thr->eng->loss_epoch,
					     memory_order_acquire) - 1;
	s->cn_rng = c->ssrc | 1;
	s->start_us = now;
	s->last_rx_us = now;
	s->next_pub_us = now;
	set_remote(s, &s->p);
	sl__ms_apply_codec(s);
	sl__ms_dtmf_rx_reset(s);
	sl__ms_dtmf_tx_reset(s);
	sl__ms_rtcp_start(s, now);
	sl__ms_stats_tick(s, now, 1);
	/* From here thread 0 feeds this stream and mixes what it plays
	 * (through the rings when this is another thread). */
	atomic_store_explicit(&thr->eng->mix_gen[s->idx], s->gen,
			      memory_order_release);
}

void sl__ms_update(struct sl_mstream *s, const struct sl_me_cmd *c)
{
	struct sl_stream_params old = s->p;
	uint64_t now = sl__me_now_us();

	s->p = c->p;
	s->p.rtp_fd = old.rtp_fd;
	s->p.rtcp_fd = old.rtcp_fd;
	s->p.rtcp_mux = old.rtcp_mux;
	if (c->p.remote_len != old.remote_len ||
	    memcmp(&c->p.remote_rtp, &old.remote_rtp, old.remote_len) ||
	    memcmp(&c->p.remote_rtcp, &old.remote_rtcp, old.remote_len))
		set_remote(s, &s->p);
	if (s->p.send && !old.send)
		s->marker_next = 1;
	if (s->p.recv && !old.recv) {
		s->last_rx_us = now;
		s->timed_out = 0;
	}
	if (c->set >= 0) {
		s->codec = c->p.codec;
		s->cst = s->codec_mem[c->set];
		s->rs_cap = c->rs_cap;
		s->rs_play = c->rs_play;
		sl__ms_apply_codec(s);
		s->marker_next = 1;
		/* Tells the loop the other set is free to reuse. */
		atomic_store_explicit(&s->act, c->set, memory_order_release);
	} else if (s->p.cp.ptime_ms != old.cp.ptime_ms) {
		sl__ms_apply_codec(s);
	}
	if (s->p.te_pt_tx < 0)
		sl__ms_dtmf_tx_reset(s);
	/* RFC 3556 values changed (sl_call_set_rtcp_bandwidth(), or the
	 * peer's new b= lines): the next report follows the new interval,
	 * which also switches RTCP off (RS = RR = 0) or back on. */
	if (c->p.bw.session_bps != old.bw.session_bps ||
	    c->p.bw.rs_bps != old.bw.rs_bps || c->p.bw.rr_bps != old.bw.rr_bps)
		sl__ms_rtcp_reschedule(s, now);
}

void sl__ms_stop(struct sl_mstream *s)
{
	struct sl_mthread *t = s->thr;
	uint64_t now = sl__me_now_us();

	sl__ms_dtmf_rx_reset(s);        /* reports a digit cut short */
	sl__ms_rtcp_bye(s, now);
	atomic_store_explicit(&t->eng->mix_gen[s->idx], 0,
			      memory_order_release);
	sl__ms_stats_tick(s, now, 1);
	if (s->p.rtp_fd >= 0) {
		epoll_ctl(t->epfd, EPOLL_CTL_DEL, s->p.rtp_fd, NULL);
		close(s->p.rtp_fd);
	}
	if (s->p.rtcp_fd >= 0) {
		if (!s->p.rtcp_mux)
			epoll_ctl(t->epfd, EPOLL_CTL_DEL, s->p.rtcp_fd, NULL);
		close(s->p.rtcp_fd);
	}
	s->p.rtp_fd = -1;
	s->p.rtcp_fd = -1;
	s->running = 0;
	s->stop_pending = 1;
	sl__ms_dtmf_tx_reset(s);
}

static void media_started(struct sl_mstream *s, uint64_t now)
{
	if (s->media_start_us)
		return;
	s->media_start_us = now;
	sl__me_emit(s, SL_MEV_STARTED, 0, 0);
}

int sl__ms_send_rtp(struct sl_mstream *s, uint8_t pt, int marker,
		    uint32_t ts, size_t payload_len, uint64_t now)
{
	uint8_t *pkt = s->thr->out;
	size_t len = SL_RTP_HDR + payload_len;
	ssize_t w;

	sl__rtp_write_hdr(pkt, SL_RTP_HDR, pt, marker, s->seq, ts, s->ssrc);
	s->seq++;
	if (!s->rtp_to_ok)
		return -1;
	if (s->rtp_cb && (s->rtp_dirs & SL_DIR_SENT))
		s->rtp_cb(s->rtp_arg, s->p.session, SL_DIR_SENT, pkt, len);
	if (s->connected)
		w = send(s->p.rtp_fd, pkt, len, MSG_DONTWAIT);
	else
		w = sendto(s->p.rtp_fd, pkt, len, MSG_DONTWAIT,
			   (const struct sockaddr *)&s->rtp_to,
			   s->rtp_to_len);
	if (w < 0)
		return -1;      /* full socket buffer: a lost packet */
	s->tx_packets++;
	s->tx_bytes += payload_len;
	s->tx_octets += payload_len;
	s->last_tx_us = now;
	s->rtcp.we_sent = 1;
	media_started(s, now);
	return 0;
}

void sl__ms_send_rtcp(struct sl_mstream *s, const uint8_t *pkt, size_t len)
{
	int fd = s->p.rtcp_mux ? s->p.rtp_fd : s->p.rtcp_fd;
	const struct sockaddr_storage *to =
		s->p.rtcp_mux ? &s->rtp_to : &s->rtcp_to;
	ssize_t w;

	if (fd < 0 || !addr_usable(to))
		return;
	if (s->p.rtcp_mux && s->connected)
		w = send(fd, pkt, len, MSG_DONTWAIT);   /* to rtp_to */
	else
		w = sendto(fd, pkt, len, MSG_DONTWAIT,
			   (const struct sockaddr *)to, addr_len(to));
	(void)w;
}

/* RFC 4961: send where the peer's packets come from (a valid source:
 * the receive path only passes IPv4 and IPv6 addresses). */
static void latch(struct sl_mstream *s, const struct sockaddr_storage *from)
{
	if (addr_eq(from, &s->rtp_to)) {
		s->latched = 1;
		s->cand_n = 0;
		return;
	}
	if (s->latched) {
		if (s->cand_n && addr_eq(from, &s->cand)) {
			s->cand_n++;
		} else {
			s->cand = *from;
			s->cand_n = 1;
		}
		if (s->cand_n < RELATCH_PACKETS)
			return;
	}
	s->rtp_to = *from;
	s->rtp_to_len = addr_len(from);
	s->rtp_to_ok = addr_usable(&s->rtp_to);
	s->latched = 1;
	s->cand_n = 0;
	if (s->p.rtcp_mux) {
		s->rtcp_to = s->rtp_to;
		s->rtcp_to_len = s->rtp_to_len;
	} else if (!s->rtcp_latched) {
		/* Until its RTCP arrives, guess the port above (the NAT
		 * usually maps the pair alike). */
		s->rtcp_to = *from;
		set_port_plus1(&s->rtcp_to);
		s->rtcp_to_len = s->rtp_to_len;
	}
	addr_str(&s->rtp_to, s->remote_str, sizeof(s->remote_str));
	sl_log_info("media", "stream %d: latched to %s", s->sid,
		    s->remote_str);
	/* Published before the event, so a reader woken by it sees the
	 * new address. */
	sl__ms_stats_tick(s, sl__me_now_us(), 1);
	sl__me_emit(s, SL_MEV_LATCHED, 0, 0);
}

/* Test-only fault injection: 1 when this packet is to be dropped. */
static int injected_loss(struct sl_mstream *s)
{
	struct sl_media_engine *e = s->thr->eng;
	unsigned epoch = atomic_load_explicit(&e->loss_epoch,
					      memory_order_acquire);

	if (epoch != s->loss_epoch) {
		s->loss_epoch = epoch;
		s->loss_permille = atomic_load_explicit(&e->loss_permille,
							memory_order_relaxed);
		s->loss_rng = atomic_load_explicit(&e->loss_seed,
						   memory_order_relaxed) ^
			      (0x9e3779b9u * (uint32_t)(s->idx + 1));
	}
	return s->loss_permille &&
	       sl__me_rand(&s->loss_rng) % 1000 < s->loss_permille;
}

static void rtp_in(struct sl_mstream *s, const uint8_t *pkt, size_t len,
		   const struct sockaddr_storage *from, const uint8_t *dst,
		   uint64_t now)
{
	struct sl_rtp_hdr h;
	int te, cn, audio;
	uint32_t arrival;

	if (sl__rtp_parse(pkt, len, &h) < 0) {
		s->rx_dropped++;
		return;
	}
	audio = h.pt == s->p.pt_rx;
	te = s->p.te_pt_rx >= 0 && h.pt == (uint8_t)s->p.te_pt_rx;
	cn = s->p.cn_pt >= 0 && h.pt == (uint8_t)s->p.cn_pt;
	/* Keep-alives and unknown types prove nothing about the peer's
	 * media: no latching on them. */
	if (!audio && !te && !cn) {
		s->rx_dropped++;
		return;
	}
	if (injected_loss(s))
		return;
	latch(s, from);
	connect_check(s, from, dst);
	if (s->rtp_cb && (s->rtp_dirs & SL_DIR_RECEIVED))
		s->rtp_cb(s->rtp_arg, s->p.session, SL_DIR_RECEIVED, pkt, len);
	arrival = (uint32_t)(now * s->codec->clock_rate / 1000000u);
	if (!s->have_src || h.ssrc != s->src.ssrc) {
		/* A new sender (or the first): its sequence and timing
		 * start over, and what the old one left must not play. */
		if (s->have_src && s->jb)
			sl__jbuf_reset(s->jb);
		if (s->have_src)
			sl__ms_dtmf_rx_reset(s);
		sl__rtp_source_init(&s->src, h.ssrc, h.seq);
		s->have_src = 1;
		s->src_clock = s->codec->clock_rate;
	} else if (s->src_clock != s->codec->clock_rate) {
		/* Same sender, new codec clock (re-INVITE): the jitter
		 * estimate is in the old units; the counts stay. */
		s->src.jitter = 0;
		s->src.transit = (int32_t)(arrival - h.ts);
		s->src_clock = s->codec->clock_rate;
	}
	if (te) {
		/* Every packet of an RFC 4733 event carries the event's
		 * start time, so its transit says nothing about network
		 * jitter: count its sequence number, keep the estimate. */
		double jitter = s->src.jitter;
		int64_t transit = s->src.transit;

		sl__rtp_source_update(&s->src, h.seq, h.ts, arrival);
		s->src.jitter = jitter;
		s->src.transit = transit;
	} else {
		sl__rtp_source_update(&s->src, h.seq, h.ts, arrival);
	}
	s->rx_packets++;
	s->rx_bytes += h.payload_len;
	s->last_rx_us = now;
	s->timed_out = 0;
	s->rtcp.peer_sent = 1;
	media_started(s, now);
	if (te) {
		sl__ms_dtmf_rx(s, &h, now);
		return;
	}
	if (!s->jb || !s->p.recv)
		return;
	sl__jbuf_put(s->jb, h.seq, h.ts, h.marker, h.pt, h.payload,
		     h.payload_len, now);
}

static void rtcp_in(struct sl_mstream *s, const uint8_t *pkt, size_t len,
		    const struct sockaddr_storage *from, uint64_t now)
{
	if (sl__ms_rtcp_recv(s, pkt, len, now) < 0)
		return;
	if (s->p.rtcp_mux || addr_eq(from, &s->rtcp_to))
		return;
	s->rtcp_to = *from;
	s->rtcp_to_len = addr_len(from);
	s->rtcp_latched = 1;
}

/* Our address a datagram was sent to, from its IP_PKTINFO or
 * IPV6_PKTINFO (sockets.c asks for them on RTP sockets). Return: 0, or
 * -1 when there is none. */
static int pktinfo_dst(struct msghdr *m, uint8_t out[16])
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memset(out, 0, 10);
			out[10] = 0xff;
			out[11] = 0xff;
			memcpy(out + 12, &pi.ipi_addr, 4);
			return 0;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memcpy(out, &pi.ipi6_addr, 16);
			return 0;
		}
	}
	return -1;
}

void sl__ms_readable(struct sl_mstream *s, int rtcp, uint64_t now)
{
	int fd = rtcp ? s->p.rtcp_fd : s->p.rtp_fd;
	uint8_t *buf = s->thr->pkt;
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	uint8_t dst[16];
	int have_dst = 0;
	ssize_t n;

	/* One datagram: epoll is level-triggered and reports the socket
	 * again while more wait (see worker.c). Until the RTP socket is
	 * connected, where each one was sent to decides whether it may
	 * be. */
	if (rtcp || s->connected) {
		n = recvfrom(fd, buf, SL_ME_RX_CAP, MSG_TRUNC | MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl);
	} else {
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		} ctl;
		struct iovec iov = { buf, SL_ME_RX_CAP };
		struct msghdr m;

		memset(&m, 0, sizeof(m));
		m.msg_name = &from;
		m.msg_namelen = fl;
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		n = recvmsg(fd, &m, MSG_TRUNC | MSG_DONTWAIT);
		fl = m.msg_namelen;
		if (n >= 0 && !(m.msg_flags & MSG_CTRUNC))
			have_dst = pktinfo_dst(&m, dst) == 0;
	}
	if (n < 0)
		return;         /* EAGAIN: nothing; errors: ICMP noise */
	if ((size_t)n > SL_ME_RX_CAP) {
		s->rx_dropped++;
		return;
	}
	/* Only an IPv4 or IPv6 source may be latched to or compared;
	 * the kernel filled fl bytes, the rest is cleared for them. */
	if (fl > sizeof(from))
		fl = sizeof(from);
	if ((from.ss_family != AF_INET || fl < sizeof(struct sockaddr_in)) &&
	    (from.ss_family != AF_INET6 ||
	     fl < sizeof(struct sockaddr_in6))) {
		s->rx_dropped++;
		return;
	}
	memset((char *)&from + fl, 0, sizeof(from) - fl);
	if (rtcp || (s->p.rtcp_mux && sl__rtp_is_rtcp(buf, (size_t)n)))
		rtcp_in(s, buf, (size_t)n, &from, now);
	else
		rtp_in(s, buf, (size_t)n, &from, have_dst ? dst : NULL, now);
}

void sl__ms_tick(struct sl_mstream *s, uint64_t now)
{
	if (s->connected && now > s->last_rx_us + CONNECTED_IDLE_US)
		disconnect_rtp(s);
	sl__ms_dtmf_rx_tick(s, now);
	sl__ms_rtcp_tick(s, now);
	sl__ms_keepalive_tick(s, now);
	sl__ms_timeout_tick(s, now);
	sl__ms_stats_tick(s, now, 0);
}
