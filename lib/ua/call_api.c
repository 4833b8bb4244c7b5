/*
 * lib/ua/call_api.c: the public functions of sipline/call.h.
 *
 * Owns: nothing; each function packs its arguments, runs on the UA's loop
 * through sl__ua_call() (directly when already on it) and works on the
 * line the session id names.
 * Thread: any (the *_on_loop halves run on the SIP loop thread).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "call_int.h"
#include "core/log.h"
#include "core/mem.h"

/* ---- the public API (marshalled onto the loop) ---- */

/* The shape of every per-session call: check the UA and the id, then run
 * @fn on the loop with the arguments packed (media_api.c and info.c use
 * it too, with their own arguments in @x->ext). */
int sl__calls_on_session(struct sl_call_args *x, int (*fn)(void *arg))
{
	if (!x->ua)
		return SL_EINVAL;
	if (x->session <= 0)
		return SL_ESESSION;
	return sl__ua_call(x->ua, fn, x);
}

static int on_session(struct sl_ua *ua, int session, int a, int b,
		      const char *str, int (*fn)(void *arg))
{
	struct sl_call_args x = { ua, session, a, b, str, NULL, NULL };

	return sl__calls_on_session(&x, fn);
}

int sl__calls_find(struct sl_call_args *x, struct sl_line **out)
{
	struct sl_line *ln = sl__calls_by_session(x->ua, x->session);

	if (!ln)
		return SL_ESESSION;
	*out = ln;
	return 0;
}

static int make_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_ua *ua = x->ua;
	const struct sl_call_params *p = x->p;
	struct sl_line *ln;
	int rc;

	if (!ua->acct.set)
		return SL_ESTATE;
	if (!sl__calls_dlg(ua))
		return SL_ENOMEM;
	ln = sl__calls_new_line(ua);
	if (!ln)
		return SL_ENOMEM;
	ln->outgoing = 1;
	ln->want_audio = p->audio;
	ln->want_video = p->video;
	ln->no_sdp = p->no_sdp;
	rc = sl__line_text_str(ua, ln, SL_LT_CALLEE, p->callee);
	if (rc == 0 && p->instance_data && p->instance_len)
		rc = sl__line_text_set(ua, ln, SL_LT_IDATA, p->instance_data,
				       p->instance_len);
	if (rc == 0)
		rc = sl__call_out_start(ua, ln);
	if (rc < 0) {
		sl__calls_line_reset(ln);
		return rc;
	}
	return ln->session;
}

int sl_call_make(struct sl_ua *ua, const struct sl_call_params *p)
{
	struct sl_call_args x = { ua, 0, 0, 0, NULL, p, NULL };

	if (!ua || !p || !p->callee || !p->callee[0] ||
	    strlen(p->callee) >= SL_UA_URI_MAX || !sl__ua_text_ok(p->callee))
		return SL_EINVAL;
	if ((!p->audio && !p->video && !p->no_sdp) ||
	    (p->instance_len && !p->instance_data) ||
	    p->instance_len > SL_CALL_IDATA_MAX)
		return SL_EINVAL;
	return sl__ua_call(ua, make_on_loop, &x);
}

static int answer_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	if (ln->state != SL_LINE_RINGING)
		return SL_ESTATE;
	return sl__call_in_answer(x->ua, ln, x->a);
}

int sl_call_answer(struct sl_ua *ua, int session, int video)
{
	return on_session(ua, session, video, 0, NULL, answer_on_loop);
}

static int reject_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	if (ln->state != SL_LINE_RINGING)
		return SL_ESTATE;
	return sl__call_in_reject(x->ua, ln, x->a ? x->a : 486, NULL);
}

int sl_call_reject(struct sl_ua *ua, int session, int code)
{
	if (code && (code < 400 || code > 699))
		return SL_EINVAL;
	return on_session(ua, session, code, 0, NULL, reject_on_loop);
}

static int hangup_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	return sl__calls_hangup(x->ua, ln);
}

int sl_call_hangup(struct sl_ua *ua, int session)
{
	return on_session(ua, session, 0, 0, NULL, hangup_on_loop);
}

static int hold_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	if (ln->reinv != SL_REINV_NONE || ln->glare_kind != SL_REINV_NONE)
		return SL_ESTATE;
	if (x->a) {
		if (ln->state != SL_LINE_CONNECTED &&
		    ln->state != SL_LINE_REMOTE_HELD)
			return SL_ESTATE;
		return sl__calls_reinvite(x->ua, ln, SL_REINV_HOLD);
	}
	if (ln->state != SL_LINE_HELD)
		return SL_ESTATE;
	return sl__calls_reinvite(x->ua, ln, SL_REINV_UNHOLD);
}

int sl_call_hold(struct sl_ua *ua, int session)
{
	return on_session(ua, session, 1, 0, NULL, hold_on_loop);
}

int sl_call_unhold(struct sl_ua *ua, int session)
{
	return on_session(ua, session, 0, 0, NULL, hold_on_loop);
}

static int media_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	if (ln->state == SL_LINE_RINGING || ln->state == SL_LINE_EARLY) {
		/* RFC 3311 §5.1: an UPDATE in the early dialog, once the
		 * INVITE's exchange is complete and the peer allows it. */
		if (!ln->dlg || !ln->early_oa || ln->offer_out ||
		    !ln->peer_update)
			return SL_ESTATE;
	} else if (ln->state != SL_LINE_CONNECTED &&
		   ln->state != SL_LINE_HELD &&
		   ln->state != SL_LINE_REMOTE_HELD) {
		return SL_ESTATE;
	}
	if (ln->reinv != SL_REINV_NONE || ln->glare_kind != SL_REINV_NONE)
		return SL_ESTATE;
	ln->want_audio = x->a;
	ln->want_video = x->b;
	return sl__calls_reinvite(x->ua, ln, SL_REINV_MEDIA);
}

int sl_call_update_media(struct sl_ua *ua, int session, int audio, int video)
{
	if (!audio && !video)
		return SL_EINVAL;
	return on_session(ua, session, audio != 0, video != 0, NULL,
			  media_on_loop);
}

static int uri_ok(const char *s)
{
	struct sl_uri u;

	return s && s[0] && strlen(s) < SL_UA_URI_MAX && sl__ua_text_ok(s) &&
	       sl_uri_parse(s, strlen(s), &u) == 0;
}

static int forward_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	if (rc < 0)
		return rc;
	if (ln->state != SL_LINE_RINGING)
		return SL_ESTATE;
	return sl__call_in_reject(x->ua, ln, 302, x->s);
}

int sl_call_forward(struct sl_ua *ua, int session, const char *target)
{
	if (!uri_ok(target))
		return SL_EINVAL;
	return on_session(ua, session, 0, 0, target, forward_on_loop);
}

static int fwd_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_calls *c = x->ua->calls;

	c->fwd_mode = (enum sl_forward_mode)x->a;
	c->fwd_target[0] = '\0';
	if (x->s)
		sl__ua_strcpy(c->fwd_target, sizeof(c->fwd_target), x->s);
	return 0;
}

int sl_ua_set_forwarding(struct sl_ua *ua, enum sl_forward_mode mode,
			 const char *target)
{
	struct sl_call_args x = { ua, 0, (int)mode, 0, target, NULL,
				  NULL };

	if (!ua || (unsigned)mode > SL_FORWARD_BUSY)
		return SL_EINVAL;
	if (mode != SL_FORWARD_OFF && !uri_ok(target))
		return SL_EINVAL;
	if (mode == SL_FORWARD_OFF)
		x.s = NULL;
	return sl__ua_call(ua, fwd_on_loop, &x);
}

static int dnd_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_calls *c = x->ua->calls;

	c->dnd = x->a;
	c->dnd_decline = x->b;
	return 0;
}

int sl_ua_set_dnd(struct sl_ua *ua, int on, int decline)
{
	struct sl_call_args x = { ua, 0, on != 0, decline != 0, NULL, NULL,
				  NULL };

	if (!ua)
		return SL_EINVAL;
	return sl__ua_call(ua, dnd_on_loop, &x);
}

static int line_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_line *ln;
	int rc = sl__calls_find(x, &ln);

	return rc < 0 ? rc : (int)ln->idx;
}

int sl_call_line(struct sl_ua *ua, int session)
{
	return on_session(ua, session, 0, 0, NULL, line_on_loop);
}

static int state_on_loop(void *arg)
{
	struct sl_call_args *x = arg;
	struct sl_calls *c = x->ua->calls;

	if (x->a < 0 || (unsigned)x->a >= c->n_lines)
		return SL_ELINE;
	if (x->b)
		return c->lines[x->a].session;
	return (int)c->lines[x->a].state;
}

int sl_line_state(struct sl_ua *ua, int line)
{
	struct sl_call_args x = { ua, 0, line, 0, NULL, NULL, NULL };

	if (!ua)
		return SL_EINVAL;
	return sl__ua_call(ua, state_on_loop, &x);
}

int sl_line_session(struct sl_ua *ua, int line)
{
	struct sl_call_args x = { ua, 0, line, 1, NULL, NULL, NULL };

	if (!ua)
		return SL_EINVAL;
	return sl__ua_call(ua, state_on_loop, &x);
}
