/*
 * lib/ua/netif.c: the machine's network interfaces and their addresses
 * (A3), from getifaddrs(3).
 *
 * Owns: nothing (getifaddrs' list lives only during the call).
 * Thread: any; it touches no UA.
 * Called by: the application (an interface picker, a network monitor).
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ua_int.h"
#include "core/log.h"

int sl_net_interfaces(struct sl_net_if *out, unsigned cap)
{
	struct ifaddrs *list, *ifa;
	unsigned n = 0;

	if (!out && cap)
		return SL_EINVAL;
	if (getifaddrs(&list) != 0) {
		sl_log_warn(SL_UA_LOG, "getifaddrs failed");
		return SL_EIO;
	}
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		const struct sockaddr *sa = ifa->ifa_addr;
		struct sl_net_if *e;
		const void *bin;
		int family;

		if (!sa || (sa->sa_family != AF_INET &&
			    sa->sa_family != AF_INET6))
			continue;
		family = sa->sa_family;
		if (n >= cap || n >= INT32_MAX) {
			n += n < INT32_MAX;
			continue;
		}
		e = &out[n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s",
			 ifa->ifa_name ? ifa->ifa_name : "");
		bin = family == AF_INET ?
		      (const void *)&((const struct sockaddr_in *)
				      (const void *)sa)->sin_addr :
		      (const void *)&((const struct sockaddr_in6 *)
				      (const void *)sa)->sin6_addr;
		if (!inet_ntop(family, bin, e->addr, sizeof(e->addr)))
			e->addr[0] = '\0';
		e->ipv6 = family == AF_INET6;
		e->loopback = (ifa->ifa_flags & IFF_LOOPBACK) != 0;
	}
	freeifaddrs(list);
	return (int)n;
}
