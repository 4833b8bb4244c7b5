/*
 * transport/udp.c: SIP over UDP (RFC 3261 §18.1.1, §18.2.1; RFC 3581).
 *
 * Owns: the UDP sockets of the binds (struct sl_tp_sock slots of the
 * manager).
 * Thread: the SIP loop thread only.
 * Called by: tpmgr.c (open, close, send); the loop (readable sockets).
 *
 * Each datagram is received straight into a pooled receive buffer (no
 * copy) together with the address it was sent to (IP_PKTINFO), so a
 * wildcard bind still knows which local address the peer used. A
 * datagram larger than max_msg_size is answered 513 when its headers can
 * be read (RFC 3261 §18.1.1 tells the sender to use a stream instead).
 *
 * ICMP errors (Linux IP_RECVERR / IPV6_RECVERR): a datagram to a closed
 * port, or to a host or network that cannot be reached, comes back as an
 * entry on the socket's error queue naming the datagram's destination.
 * Each one is reported through the unreachable handler, so the
 * transactions sending there fail at once with a transport error (RFC
 * 3261 §18.4, §17.1.4) instead of after Timer B or F. The kernel also
 * keeps the last such error pending on the socket, where the next
 * sendto() (to any destination) would pick it up: sl__udp_send() sends
 * again once when that happens.
 */
#include <errno.h>
#include <time.h>               /* before linux/errqueue.h, which uses it */
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "tp_int.h"

enum {
	BURST = 32,  /* datagrams read per wake-up, so TCP gets its turn */
	/* Socket receive buffer asked for: a burst of calls (or a moment
	 * the loop is busy elsewhere) queues requests in the kernel, and
	 * the default of about 200 KB holds only a couple of hundred; a
	 * datagram dropped there costs a retransmission T1 later. The
	 * kernel caps it at net.core.rmem_max and commits it only as
	 * datagrams wait. */
	RCVBUF = 2 * 1024 * 1024
};

/* Datagrams made only of CR and LF are RFC 5626-style keep-alives (or
 * noise): nothing to parse, nothing to answer. */
static int only_crlf(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

/* The local address the datagram was sent to, from IP(V6)_PKTINFO. */
static void local_from_cmsg(struct msghdr *mh, struct sl_addr *local)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    local->u.sa.sa_family == AF_INET) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local->u.in.sin_addr = pi.ipi_addr;
		} else if (cm->cmsg_level == IPPROTO_IPV6 &&
			   cm->cmsg_type == IPV6_PKTINFO &&
			   local->u.sa.sa_family == AF_INET6) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			local->u.in6.sin6_addr = pi.ipi6_addr;
		}
	}
}

/* The errno values of ICMP errors that say a destination cannot be
 * reached; others (fragmentation needed: path MTU) are not about it. */
static int unreachable_errno(int e)
{
	return e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH;
}

/* The ICMP error in the control data of an error-queue message, or 0. */
static int icmp_error(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		struct sock_extended_err ee;

		if (!((cm->cmsg_level == IPPROTO_IP &&
		       cm->cmsg_type == IP_RECVERR) ||
		      (cm->cmsg_level == IPPROTO_IPV6 &&
		       cm->cmsg_type == IPV6_RECVERR)) ||
		    cm->cmsg_len < CMSG_LEN(sizeof(ee)))
			continue;
		memcpy(&ee, CMSG_DATA(cm), sizeof(ee));
		if ((ee.ee_origin == SO_EE_ORIGIN_ICMP ||
		     ee.ee_origin == SO_EE_ORIGIN_ICMP6) &&
		    unreachable_errno((int)ee.ee_errno))
			return (int)ee.ee_errno;
	}
	return 0;
}

/* Empties the error queue of @fd (level-triggered polling would report
 * it again and again otherwise), reporting each unreachable destination.
 * Runs from the loop only. */
static void read_errors(struct sl_tpmgr *m, int fd)
{
	for (int i = 0; i < BURST; i++) {
		union {
			char buf[CMSG_SPACE(sizeof(struct sock_extended_err) +
					    sizeof(struct sockaddr_in6)) +
				 CMSG_SPACE(sizeof(struct sock_extended_err) +
					    sizeof(struct sockaddr_in6))];
			struct cmsghdr align;
		} ctl;
		struct sl_addr dst;
		struct msghdr mh;
		struct iovec iov;
		char byte, host[64];
		int err;

		memset(&mh, 0, sizeof(mh));
		memset(&dst, 0, sizeof(dst));
		/* The returned payload is the datagram we sent: not needed. */
		iov.iov_base = &byte;
		iov.iov_len = 1;
		/* ip(7): msg_name is the destination of that datagram. */
		mh.msg_name = &dst.u;
		mh.msg_namelen = sizeof(dst.u);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			if (errno == EINTR)
				continue;
			return;     /* EAGAIN: the queue is empty */
		}
		dst.len = mh.msg_namelen;
		err = icmp_error(&mh);
		if (!err || sl__addr_port(&dst) == 0)
			continue;
		if (sl__addr_host(&dst, host, sizeof(host)) < 0)
			host[0] = '\0';
		sl_log_info(SL_TP_LOG, "UDP to %s port %u: %s (ICMP)", host,
			    sl__addr_port(&dst), strerror(err));
		if (m->h.unreachable)
			m->h.unreachable(m->h.arg, SL_TP_UDP, &dst,
					 SL_ETRANSPORT);
	}
}

static void udp_readable(void *arg, int fd, unsigned events)
{
	struct sl_tp_sock *s = arg;
	struct sl_tpmgr *m = s->m;

	if (events & SL_IO_ERROR) {
		read_errors(m, fd);
		/* A handler may have rebound (closed) this socket. */
		if (s->fd != fd)
			return;
	}
	for (int i = 0; i < BURST; i++) {
		union {
			char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				 CMSG_SPACE(sizeof(struct in_pktinfo))];
			struct cmsghdr align;
		} ctl;
		struct sl_rxbuf *rx = sl__tp_rx_get(m);
		struct msghdr mh;
		struct iovec iov;
		ssize_t n;
		size_t cap = m->cfg.rx_buffer_size;
		int oversized;

		if (!rx) {
			char byte;

			/* Pool exhausted: the datagram is read and thrown
			 * away, or level-triggered polling would spin. */
			if (recv(fd, &byte, 1, MSG_TRUNC | MSG_DONTWAIT) < 0)
				break;
			m->stats.rx_dropped_nobuf++;
			if (m->stats.rx_dropped_nobuf == 1 ||
			    m->stats.rx_dropped_nobuf % 1000 == 0)
				sl_log_warn(SL_TP_LOG, "receive buffers "
					    "exhausted: %llu datagrams dropped",
					    (unsigned long long)
					    m->stats.rx_dropped_nobuf);
			continue;
		}
		memset(&mh, 0, sizeof(mh));
		iov.iov_base = rx->data;
		iov.iov_len = cap;
		mh.msg_name = &rx->src.u;
		mh.msg_namelen = sizeof(rx->src.u);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
		/* MSG_TRUNC: the real length, even past the buffer. */
		n = recvmsg(fd, &mh, MSG_TRUNC | MSG_DONTWAIT);
		if (n < 0) {
			int e = errno;

			sl__rxbuf_unref(rx);
			/* The pending copy of an ICMP error the error queue
			 * holds too (read_errors() reports it): the
			 * datagrams behind it are still there. */
			if (unreachable_errno(e))
				continue;
			if (e != EAGAIN && e != EWOULDBLOCK && e != EINTR)
				sl_log_debug(SL_TP_LOG, "UDP receive: %s",
					     strerror(e));
			break;
		}
		rx->src.len = mh.msg_namelen;
		rx->local = s->local;
		local_from_cmsg(&mh, &rx->local);
		rx->tp = SL_TP_UDP;
		rx->flow = 0;
		oversized = (size_t)n > m->cfg.max_msg_size;
		rx->len = (uint32_t)((size_t)n < cap ? (size_t)n : cap);
		if (only_crlf(rx->data, rx->len)) {
			m->stats.rx_keepalives++;
			sl__rxbuf_unref(rx);
			continue;
		}
		sl__tp_dispatch(m, rx, 0, oversized);
	}
}

int sl__udp_open(struct sl_tpmgr *m, struct sl_tp_sock *s,
		 const struct sl_addr *bind_addr)
{
	int family = sl__addr_family(bind_addr), on = 1, fd, rc;
	char host[64];

	if (sl__addr_host(bind_addr, host, sizeof(host)) < 0)
		host[0] = '\0';
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		sl_log_error(SL_TP_LOG, "UDP socket for %s: %s", host,
			     strerror(errno));
		return SL_ETRANSPORT;
	}
	/* "::" and "0.0.0.0" binds on the same port must coexist. */
	if (family == AF_INET6) {
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on,
				 sizeof(on));
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
				sizeof(on));
	} else {
		rc = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
	}
	if (rc != 0)
		sl_log_debug(SL_TP_LOG, "UDP %s: no PKTINFO: %s", host,
			     strerror(errno));
	/* ICMP errors for our datagrams onto the error queue (see the top
	 * of the file); without it Linux drops them on unconnected
	 * sockets. */
	on = 1;
	if (family == AF_INET6)
		rc = setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on,
				sizeof(on));
	else
		rc = setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on));
	if (rc != 0)
		sl_log_debug(SL_TP_LOG, "UDP %s: ICMP errors not read: %s",
			     host, strerror(errno));
	on = RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &on, sizeof(on)) != 0)
		sl_log_debug(SL_TP_LOG, "UDP %s: receive buffer left as it "
			     "is: %s", host, strerror(errno));
	s->tp = SL_TP_UDP;
	return sl__tp_sock_bind(m, s, fd, bind_addr, host, 0, udp_readable);
}

void sl__udp_close(struct sl_tpmgr *m, struct sl_tp_sock *s)
{
	if (s->fd < 0)
		return;
	sl__loop_unwatch(m->loop, s->fd);
	close(s->fd);
	s->fd = -1;
}

int sl__udp_send(struct sl_tpmgr *m, const struct sl_addr *to,
		 const char *buf, size_t len)
{
	int family = sl__addr_family(to);
	const struct sl_tp_sock *s = NULL;
	ssize_t n;

	for (unsigned i = 0; i < m->n_socks; i++) {
		if (m->socks[i].fd >= 0 && m->socks[i].tp == SL_TP_UDP &&
		    sl__addr_family(&m->socks[i].local) == family) {
			s = &m->socks[i];
			break;
		}
	}
	if (!s || sl__addr_port(to) == 0)
		return SL_ETRANSPORT;
	/* IPv4 caps a datagram at 65507 payload bytes, IPv6 at 65527. */
	if (len > (size_t)SL_TP_UDP_MAX_PAYLOAD + (family == AF_INET6 ? 20 : 0))
		return SL_ETOOBIG;
	for (int tries = 0, stale = 0; tries < 3; tries++) {
		n = sendto(s->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL,
			   &to->u.sa, to->len);
		if (n >= 0)
			return 0;
		/* The error an earlier datagram's ICMP left pending, maybe
		 * for another destination: this call cleared it, the next
		 * one says what is true of @to. The error queue keeps the
		 * report for its real destination. */
		if (unreachable_errno(errno) && !stale) {
			stale = 1;
			continue;
		}
		if (errno != EINTR)
			break;
	}
	if (errno == EMSGSIZE)
		return SL_ETOOBIG;
	/* A full socket buffer or a local packet filter loses this datagram
	 * the way the network could have: reporting it as a transport error
	 * would end a transaction that its own retransmissions would have
	 * carried through, so it counts as sent-and-lost. */
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
	    errno == EPERM) {
		m->stats.tx_udp_dropped++;
		sl_log_debug(SL_TP_LOG, "UDP send of %zu bytes dropped: %s",
			     len, strerror(errno));
		return 0;
	}
	sl_log_debug(SL_TP_LOG, "UDP send of %zu bytes: %s", len,
		     strerror(errno));
	return SL_ETRANSPORT;
}
