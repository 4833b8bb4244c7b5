/*
 * lib/ua/network.c: reacting to a change of the local network (B3): every
 * listening socket bound to an address that left the machine is re-bound
 * (on "any" address of its family, at the same port when it is free
 * there: sl__tpmgr_rebind()), the address the UA writes into Via and
 * Contact is taken afresh, the registration is renewed at once over a new
 * flow, and the call engine re-INVITEs the active calls
 * (sl__ua_calls_network_changed()).
 *
 * Owns: nothing of its own; it rewrites the listen entries of ua->cfg
 * it re-binds.
 * Thread: the public function from any thread (marshalled).
 * Called by: the application (its own netlink or connectivity monitor).
 *
 * Sockets bound to "any" keep working across an address change, and our
 * address is computed per message (sl__ua_local_for()), so they need
 * nothing. A socket bound to a specific address cannot follow it to a new
 * one (which would it be?): it moves to "any", where whatever address the
 * machine has next serves. A configured local_ip equal to the vanished
 * address is dropped with it, so Via and Contact stop naming it.
 */
#include <string.h>
#include <sys/socket.h>

#include "ua_int.h"
#include "core/log.h"

enum { IFS_MAX = 64 };

/* The machine's addresses (or the test's list). Return: how many, or a
 * negative error. */
static int interfaces(struct sl_ua *ua, struct sl_net_if *ifs, unsigned cap)
{
	if (ua->hooks.interfaces)
		return ua->hooks.interfaces(ua->hooks.interfaces_arg, ifs,
					    cap);
	return sl_net_interfaces(ifs, cap);
}

/* 1 when numeric @host is one of @n addresses of @ifs. Compared as
 * addresses, so "::1" and "0:0::1" are the same. */
static int host_present(const char *host, const struct sl_net_if *ifs,
			int n)
{
	struct sl_addr a, b;
	char x[64], y[64];

	if (sl__addr_set(&a, host, strlen(host), 0) != 0 ||
	    sl__addr_host(&a, x, sizeof(x)) < 0)
		return 1;
	for (int i = 0; i < n; i++)
		if (sl__addr_set(&b, ifs[i].addr, strlen(ifs[i].addr),
				 0) == 0 && sl__addr_family(&a) ==
		    sl__addr_family(&b) &&
		    sl__addr_host(&b, y, sizeof(y)) > 0 && !strcmp(x, y))
			return 1;
	return 0;
}

/* Re-binds listen entry @i, whose address @host vanished, on "any". */
static void rebind(struct sl_ua *ua, unsigned i, const char *host)
{
	struct sl_listen *l = &ua->cfg.listen[i];
	struct sl_addr a;
	int family, rc;

	if (sl__addr_set(&a, host, strlen(host), 0) != 0)
		return;
	family = sl__addr_family(&a);
	rc = sl__tpmgr_rebind(ua->tp, i, NULL, family);
	if (rc < 0) {
		sl_log_error(SL_UA_LOG, "listening address %s is gone and "
			     "its socket could not be re-bound: %s", host,
			     sl_strerror(rc));
		return;
	}
	sl_log_info(SL_UA_LOG, "listening address %s is gone: listen "
		    "entry %u re-bound on any address", host, i);
	if (!strcmp(ua->cfg.local_ip, host))
		ua->cfg.local_ip[0] = '\0';
	l->host[0] = '\0';
	l->ipv6 = family == AF_INET6;
}

static int changed_on_loop(void *arg)
{
	struct sl_ua *ua = arg;
	struct sl_net_if ifs[IFS_MAX];
	char host[sizeof(ua->cfg.listen[0].host)];
	int n = -1;

	if (ua->shutting_down)
		return SL_ESTATE;
	for (unsigned i = 0; i < ua->cfg.n_listen; i++) {
		const char *h = ua->cfg.listen[i].host;

		if (!h[0])
			continue;
		if (n < 0) {
			n = interfaces(ua, ifs, IFS_MAX);
			if (n < 0) {
				/* Nothing to compare with: leave them. */
				sl_log_warn(SL_UA_LOG, "interfaces unknown: "
					    "%s", sl_strerror(n));
				break;
			}
			if (n > IFS_MAX)
				n = IFS_MAX;
		}
		if (host_present(h, ifs, n))
			continue;
		/* The entry is rewritten by rebind(): keep the text. */
		memcpy(host, h, sizeof(host));
		rebind(ua, i, host);
	}
	sl__ua_reg_network_changed(ua);
	sl__ua_calls_network_changed(ua);
	return 0;
}

int sl_ua_network_changed(struct sl_ua *ua)
{
	return sl__ua_call(ua, changed_on_loop, ua);
}
