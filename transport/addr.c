/*
 * transport/addr.c: numeric socket addresses (struct sl_addr) and the
 * transport names a Via carries (RFC 3261 §18, §20.42).
 *
 * Owns: nothing; every function works on the caller's struct.
 * Thread: pure functions; any thread.
 * Called by: the transports, the response routing of tp_response.c, and
 * the layers above when they turn a Via or a URI host into a destination.
 *
 * Only numeric hosts are accepted: server location (RFC 3263) happens
 * above the transports, so nothing here ever blocks on a resolver.
 */
#include <arpa/inet.h>
#include <string.h>

#include "sipline/error.h"
#include "tp_int.h"

const char *sl__tp_name(enum sl_tp tp)
{
	switch (tp) {
	case SL_TP_UDP:
		return "UDP";
	case SL_TP_TCP:
		return "TCP";
	case SL_TP_TLS:
		return "TLS";
	default:
		return "";
	}
}

int sl__addr_set(struct sl_addr *a, const char *host, size_t host_len,
		 uint16_t port)
{
	/* INET6_ADDRSTRLEN plus room for a zone would still be refused by
	 * inet_pton, so anything longer is not a numeric address. */
	char tmp[INET6_ADDRSTRLEN + 1];

	if (!a || !host)
		return SL_EINVAL;
	if (host_len >= 2 && host[0] == '[' && host[host_len - 1] == ']') {
		host++;
		host_len -= 2;
	}
	if (host_len == 0 || host_len >= sizeof(tmp))
		return SL_EINVAL;
	/* inet_pton wants a C string; the host may be a slice of a
	 * received message, which is never written. */
	memcpy(tmp, host, host_len);
	tmp[host_len] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, tmp, &a->u.in.sin_addr) == 1) {
		a->u.in.sin_family = AF_INET;
		a->u.in.sin_port = htons(port);
		a->len = sizeof(a->u.in);
		return 0;
	}
	if (inet_pton(AF_INET6, tmp, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->u.in6.sin6_port = htons(port);
		a->len = sizeof(a->u.in6);
		return 0;
	}
	memset(a, 0, sizeof(*a));
	return SL_EINVAL;
}

int sl__addr_host(const struct sl_addr *a, char *buf, size_t cap)
{
	char tmp[INET6_ADDRSTRLEN];
	const char *s = NULL;
	size_t n;

	if (!a || !buf)
		return SL_EINVAL;
	if (a->u.sa.sa_family == AF_INET)
		s = inet_ntop(AF_INET, &a->u.in.sin_addr, tmp, sizeof(tmp));
	else if (a->u.sa.sa_family == AF_INET6)
		s = inet_ntop(AF_INET6, &a->u.in6.sin6_addr, tmp, sizeof(tmp));
	if (!s)
		return SL_EINVAL;
	n = strlen(tmp);
	if (n + 1 > cap) {
		if (cap)
			buf[0] = '\0';
		return SL_ENOSPC;
	}
	memcpy(buf, tmp, n + 1);
	return (int)n;
}

uint16_t sl__addr_port(const struct sl_addr *a)
{
	if (!a)
		return 0;
	if (a->u.sa.sa_family == AF_INET)
		return ntohs(a->u.in.sin_port);
	if (a->u.sa.sa_family == AF_INET6)
		return ntohs(a->u.in6.sin6_port);
	return 0;
}

void sl__addr_set_port(struct sl_addr *a, uint16_t port)
{
	if (!a)
		return;
	if (a->u.sa.sa_family == AF_INET)
		a->u.in.sin_port = htons(port);
	else if (a->u.sa.sa_family == AF_INET6)
		a->u.in6.sin6_port = htons(port);
}

int sl__addr_family(const struct sl_addr *a)
{
	return a ? a->u.sa.sa_family : AF_UNSPEC;
}

/* 1 when the addresses (not the ports) are equal. */
static int same_ip(const struct sl_addr *a, const struct sl_addr *b)
{
	if (a->u.sa.sa_family != b->u.sa.sa_family)
		return 0;
	if (a->u.sa.sa_family == AF_INET)
		return a->u.in.sin_addr.s_addr == b->u.in.sin_addr.s_addr;
	if (a->u.sa.sa_family == AF_INET6)
		return memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr,
			      sizeof(a->u.in6.sin6_addr)) == 0 &&
		       a->u.in6.sin6_scope_id == b->u.in6.sin6_scope_id;
	return 0;
}

int sl__addr_equal(const struct sl_addr *a, const struct sl_addr *b)
{
	if (!a || !b)
		return 0;
	return same_ip(a, b) && sl__addr_port(a) == sl__addr_port(b);
}

int sl__addr_same_host(const struct sl_addr *a, const struct sl_addr *b)
{
	if (!a || !b)
		return 0;
	return same_ip(a, b);
}
