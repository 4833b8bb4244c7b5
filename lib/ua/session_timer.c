/*
 * lib/ua/session_timer.c: session timers (RFC 4028) - Session-Expires
 * and Min-SE (never below 90 s) on our INVITEs, 422 with Min-SE and the
 * retry with the larger interval (§8.2), the refresher chosen per §9
 * (uac / uas), refreshes by re-INVITE or, when the peer allows it, by an
 * offerless UPDATE (§7.4), and a BYE when the session lapses (§10).
 *
 * Owns: the line's RFC 4028 fields and its timer.
 * Thread: the SIP loop thread.
 * Called by: call.c, call_out.c, call_in.c.
 */
#include <stdio.h>
#include <string.h>

#include "call_int.h"
#include "core/log.h"

static uint32_t floor_se(const struct sl_ua *ua, const struct sl_line *ln)
{
	uint32_t m = ln->min_se > ua->cfg.min_se ? ln->min_se
		     : ua->cfg.min_se;

	return m < SL_CALL_MIN_SE ? SL_CALL_MIN_SE : m;
}

static int in_dialog(const struct sl_line *ln)
{
	return ln->state == SL_LINE_CONNECTED || ln->state == SL_LINE_HELD ||
	       ln->state == SL_LINE_REMOTE_HELD;
}

unsigned sl__st_request_hdrs(struct sl_ua *ua, struct sl_line *ln,
			     struct sl_txn_hdr *h, char *buf, size_t cap)
{
	uint32_t se, mn = floor_se(ua, ln);
	int a;

	if (!ua->cfg.session_expires || cap < 64)
		return 0;
	se = ln->se ? ln->se : ua->cfg.session_expires;
	if (se < mn)
		se = mn;
	ln->se = se;
	if (in_dialog(ln))
		a = snprintf(buf, cap / 2, "%u;refresher=%s", se,
			     ln->refresher_us ? "uac" : "uas");
	else
		a = snprintf(buf, cap / 2, "%u", se);
	if (a < 0)
		return 0;
	snprintf(buf + cap / 2, cap / 2, "%u", mn);
	h[0].name = "Session-Expires";
	h[0].value = buf;
	h[1].name = "Min-SE";
	h[1].value = buf + cap / 2;
	return 2;
}

int sl__st_on_request(struct sl_ua *ua, struct sl_line *ln,
		      const struct sl_msg *m)
{
	uint16_t i = m->first[SL_HDR_SESSION_EXPIRES];
	uint16_t j = m->first[SL_HDR_MIN_SE];
	struct sl_session_expires se;
	uint32_t their_min = 0;

	if (!ua->cfg.session_expires) {
		ln->se = 0;
		return 0;
	}
	ln->peer_timer = sl__calls_has_tag(m, SL_HDR_SUPPORTED, "timer") ||
			 sl__calls_has_tag(m, SL_HDR_REQUIRE, "timer");
	if (j != SL_HDR_NONE &&
	    sl_uint_decode(m->hdrs[j].value, 0xffffffffu, &their_min) == 0 &&
	    their_min > ln->min_se)
		ln->min_se = their_min;
	ln->min_se = floor_se(ua, ln);
	if (i == SL_HDR_NONE ||
	    sl_session_expires_decode(m->hdrs[i].value, &se) < 0) {
		/* §9: we may ask for a timer only from a UAC that has one. */
		if (!ln->peer_timer) {
			ln->se = 0;
			return 0;
		}
		ln->se = ua->cfg.session_expires < ln->min_se ? ln->min_se
			 : ua->cfg.session_expires;
		ln->refresher_us = 0;
		return 0;
	}
	if (se.delta < ln->min_se)
		return 422;
	ln->se = se.delta;
	if (sl_slice_ieq(se.refresher, "uac"))
		ln->refresher_us = 0;
	else if (sl_slice_ieq(se.refresher, "uas"))
		ln->refresher_us = 1;
	else
		ln->refresher_us = !ln->peer_timer;
	return 0;
}

unsigned sl__st_response_hdrs(struct sl_ua *ua, struct sl_line *ln,
			      const struct sl_msg *req,
			      struct sl_txn_hdr *h, char *buf, size_t cap)
{
	unsigned n = 0;

	(void)req;
	if (!ua->cfg.session_expires || !ln->se || cap < 48)
		return 0;
	snprintf(buf, cap, "%u;refresher=%s", ln->se,
		 ln->refresher_us ? "uas" : "uac");
	h[n].name = "Session-Expires";
	h[n++].value = buf;
	if (ln->peer_timer) {
		h[n].name = "Require";
		h[n++].value = "timer";
	}
	return n;
}

void sl__st_on_2xx(struct sl_ua *ua, struct sl_line *ln,
		   const struct sl_msg *m)
{
	uint16_t i = m->first[SL_HDR_SESSION_EXPIRES];
	struct sl_session_expires se;

	ln->st_refresh_sent = 0;
	if (!ua->cfg.session_expires)
		return;
	if (i == SL_HDR_NONE ||
	    sl_session_expires_decode(m->hdrs[i].value, &se) < 0) {
		/* §7.2: no Session-Expires in the 2xx - no expiry. */
		ln->se = 0;
		sl__st_stop(ua, ln);
		return;
	}
	ln->se = se.delta;
	ln->refresher_us = !sl_slice_ieq(se.refresher, "uas");
	sl__st_arm(ua, ln);
}

int sl__st_on_422(struct sl_ua *ua, struct sl_line *ln,
		  const struct sl_msg *m)
{
	uint16_t j = m->first[SL_HDR_MIN_SE];
	uint32_t v;

	(void)ua;
	if (j == SL_HDR_NONE ||
	    sl_uint_decode(m->hdrs[j].value, 0xffffffffu, &v) < 0 ||
	    v < SL_CALL_MIN_SE || (ln->se && v <= ln->min_se && v <= ln->se))
		return 0;
	ln->min_se = v;
	if (ln->se < v)
		ln->se = v;
	return 1;
}

void sl__st_arm(struct sl_ua *ua, struct sl_line *ln)
{
	uint64_t ms;

	sl__st_stop(ua, ln);
	if (!ln->se || !ua->cfg.session_expires)
		return;
	if (ln->refresher_us) {
		/* §10: refresh at half the interval. */
		ms = (uint64_t)ln->se * 500;
	} else {
		/* §10: BYE before the end, by min(32, SE/3) seconds. */
		uint32_t m = ln->se / 3 < 32 ? ln->se / 3 : 32;

		ms = (uint64_t)(ln->se - m) * 1000;
	}
	sl__loop_timer_start(ua->loop, &ln->st_timer, ms);
}

void sl__st_stop(struct sl_ua *ua, struct sl_line *ln)
{
	sl__loop_timer_stop(ua->loop, &ln->st_timer);
}

static void st_fire(struct sl_timer *tm, void *arg)
{
	struct sl_line *ln = arg;
	struct sl_ua *ua = ln->ua;
	uint32_t m;

	(void)tm;
	if (!ln->session || !in_dialog(ln))
		return;
	if (ln->refresher_us && !ln->st_refresh_sent) {
		/* Our refresh; if its 2xx never comes the session lapses
		 * at the non-refresher's deadline. */
		m = ln->se / 3 < 32 ? ln->se / 3 : 32;
		ln->st_refresh_sent = 1;
		if (sl__calls_reinvite(ua, ln, SL_REINV_REFRESH) < 0)
			sl_log_info(SL_CALL_LOG, "line %u: refresh deferred",
				    ln->idx);
		sl__loop_timer_start(ua->loop, &ln->st_timer,
				     (uint64_t)(ln->se / 2 - (m < ln->se / 2 ?
							     m : 0)) * 1000);
		return;
	}
	sl_log_info(SL_CALL_LOG, "line %u: session expired", ln->idx);
	if (sl__calls_bye(ua, ln, SL_CLOSE_SESSION_TIMER) < 0)
		sl__calls_close(ua, ln, SL_CLOSE_SESSION_TIMER, 0, NULL, NULL);
}

void sl__st_timer_init(struct sl_line *ln)
{
	sl__timer_init(&ln->st_timer, st_fire, ln);
}
