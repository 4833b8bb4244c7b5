/*
 * lib/ua/network.c: reacting to a change of the local network (B3): the
 * address the UA writes into Via and Contact is taken afresh, the
 * registration is renewed at once over a new flow, and the call engine
 * re-INVITEs the active calls (sl__ua_calls_network_changed()).
 *
 * Owns: nothing of its own.
 * Thread: the public function from any thread (marshalled).
 * Called by: the application (its own netlink or connectivity monitor).
 *
 * Sockets bound to "any" keep working across an address change, and our
 * address is computed per message (sl__ua_local_for()), so nothing needs
 * re-binding there. A socket bound to a specific address that vanished
 * cannot be re-bound without transport support (see the note in the
 * report of lib/ua): it is logged.
 */
#include <string.h>

#include "ua_int.h"
#include "core/log.h"

/* 1 when @host is an address of this machine now. */
static int host_present(const char *host)
{
	struct sl_net_if ifs[32];
	int n = sl_net_interfaces(ifs, 32);

	if (n < 0)
		return 1;
	for (int i = 0; i < n && i < 32; i++)
		if (!strcmp(ifs[i].addr, host))
			return 1;
	return 0;
}

static int changed_on_loop(void *arg)
{
	struct sl_ua *ua = arg;

	if (ua->shutting_down)
		return SL_ESTATE;
	for (unsigned i = 0; i < ua->cfg.n_listen; i++) {
		const char *h = ua->cfg.listen[i].host;

		if (h[0] && !host_present(h))
			sl_log_warn(SL_UA_LOG, "listening address %s is gone; "
				    "its socket stays bound to it", h);
	}
	sl__ua_reg_network_changed(ua);
	sl__ua_calls_network_changed(ua);
	return 0;
}

int sl_ua_network_changed(struct sl_ua *ua)
{
	return sl__ua_call(ua, changed_on_loop, ua);
}
