/*
 * lib/media/sockets.c: RTP/RTCP socket pairs for a call - an even RTP
 * port and, without rtcp-mux, the odd port above it for RTCP (RFC 3550
 * §11, RFC 3551 §8), searched from a rotating start so back-to-back
 * calls do not reuse the pair the previous call just closed (its late
 * packets would land in the new call). Audio DSCP (RFC 4594: EF = 46) is
 * set on both, and both are non-blocking: the media thread never waits
 * on a socket.
 *
 * Owns: the sockets until sl__media_stream_start() takes them (or
 * sl__media_sockets_close() closes them).
 * Thread: SIP loop (call set-up).
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "media/engine_int.h"
#include "sipline/error.h"

/* @dscp -1: leave the marking alone (the default); 0..63 otherwise. */
static void set_dscp(int fd, int family, int dscp)
{
	int tos;

	if (dscp < 0 || dscp > 63)
		return;
	tos = dscp << 2;        /* DSCP is the top six bits of the byte */
	/* Best effort: a kernel or policy that refuses still carries the
	 * call, only without the marking. */
	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos,
			       sizeof(tos)) < 0)
			sl_log_debug("media", "IPV6_TCLASS: %s",
				     strerror(errno));
	} else if (setsockopt(fd, IPPROTO_IP, IP_TOS, &tos,
			      sizeof(tos)) < 0) {
		sl_log_debug("media", "IP_TOS: %s", strerror(errno));
	}
}

/* Received packets say which of our addresses they were sent to: the
 * stream connects its RTP socket only when that is the address the
 * route to the peer picks (stream.c). Without it, it never connects. */
static void want_pktinfo(int fd, int family)
{
	int on = 1;

	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on,
			       sizeof(on)) < 0)
			sl_log_debug("media", "IPV6_RECVPKTINFO: %s",
				     strerror(errno));
	} else if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on,
			      sizeof(on)) < 0) {
		sl_log_debug("media", "IP_PKTINFO: %s", strerror(errno));
	}
}

/* Binds a UDP socket at @local with port @port. Return: the fd, -1 when
 * the port is taken (try another), or SL_ETRANSPORT. */
static int bind_one(const struct sockaddr_storage *local, socklen_t len,
		    uint16_t port, int dscp)
{
	struct sockaddr_storage a = *local;
	int fd, e;

	if (a.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&a)->sin_port = htons(port);
	fd = socket(a.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0)
		return SL_ETRANSPORT;
	if (bind(fd, (struct sockaddr *)&a, len) == 0) {
		set_dscp(fd, a.ss_family, dscp);
		return fd;
	}
	e = errno;
	close(fd);
	if (e == EADDRINUSE || e == EACCES)
		return -1;
	sl_log_warn("media", "bind RTP port %u: %s", (unsigned)port,
		    strerror(e));
	return SL_ETRANSPORT;
}

int sl__media_sockets_open(struct sl_media_engine *eng,
			   const struct sockaddr *local, socklen_t len,
			   uint16_t port_min, uint16_t port_max, int mux,
			   int fds[2], uint16_t *port)
{
	struct sockaddr_storage a;
	uint32_t lo, pairs;

	if (!eng || !local || !fds || !port || port_min == 0 ||
	    port_min > port_max || len > sizeof(a) ||
	    (local->sa_family == AF_INET &&
	     len < sizeof(struct sockaddr_in)) ||
	    (local->sa_family == AF_INET6 &&
	     len < sizeof(struct sockaddr_in6)) ||
	    (local->sa_family != AF_INET && local->sa_family != AF_INET6))
		return SL_EINVAL;
	fds[0] = -1;
	fds[1] = -1;
	memset(&a, 0, sizeof(a));
	memcpy(&a, local, len);
	lo = (uint32_t)port_min + (port_min & 1);     /* first even port */
	/* Pairs whose RTP port (and RTCP port above it) fit the range. */
	if (lo + (mux ? 0 : 1) > port_max)
		return SL_ELIMIT;
	pairs = (port_max - lo - (mux ? 0 : 1)) / 2 + 1;
	for (uint32_t i = 0; i < pairs; i++) {
		uint32_t k = (eng->port_next + i) % pairs;
		uint16_t p = (uint16_t)(lo + 2 * k);
		int r, c = -1;

		r = bind_one(&a, len, p, eng->cfg.audio_dscp);
		if (r == SL_ETRANSPORT)
			return r;
		if (r < 0)
			continue;
		want_pktinfo(r, a.ss_family);
		if (!mux) {
			c = bind_one(&a, len, (uint16_t)(p + 1),
				     eng->cfg.audio_dscp);
			if (c < 0) {
				close(r);
				if (c == SL_ETRANSPORT)
					return c;
				continue;
			}
		}
		eng->port_next = k + 1;
		fds[0] = r;
		fds[1] = c;
		*port = p;
		return 0;
	}
	return SL_ELIMIT;
}

void sl__media_sockets_close(int fds[2])
{
	if (!fds)
		return;
	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}
