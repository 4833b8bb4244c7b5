/*
 * lib/sip/hdr_misc.c: the small typed header decoders: CSeq (RFC 3261
 * §20.16), RAck (RFC 3262 §7.2), Event and Subscription-State (RFC 6665
 * §8.4), Replaces (RFC 3891 §6.1), Session-Expires (RFC 4028 §4), Reason
 * (RFC 3326 §2), Retry-After (RFC 3261 §20.33), Timestamp (§20.38) and
 * media types for Content-Type / Accept (§20.15, §20.1).
 *
 * Owns: nothing; every output is a slice of the caller's value.
 * Thread: pure; any thread.
 * Called by: the message splitter's eager decoding (CSeq) and the layers
 * that need the others (lib/txn, lib/dialog, lib/ua).
 *
 * Most of these are "leading element *( SEMI param )": the element is taken
 * here, the list is walked with sl_param_next(), and each parameter a
 * decoder interprets must appear at most once (a second "to-tag" or
 * "expires" would leave layers disagreeing on which one counts).
 */
#include <stdint.h>
#include <string.h>

#include "scan.h"
#include "sipline/error.h"
#include "sipline/headers.h"

/* Nesting limit of Retry-After comments: the walk is iterative, the bound
 * only keeps silly input short. */
enum { MAX_COMMENT_DEPTH = 8 };

/* Significant digits taken before a number is compared with its maximum,
 * so the running value fits in 64 bits whatever the peer sends. */
enum { MAX_SIG_DIGITS = 10 };

static const uint32_t CSEQ_MAX = 0x7fffffffu; /* RFC 3261 §8.1.1.5 */

/* 1*DIGIT with any number of leading zeros, value <= @max.
 * Return 1 taken, 0 no digit here, -1 too large. */
static int take_num(struct sl_cur *c, uint32_t max, uint32_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;
	unsigned n = 0;
	int any = 0;

	while (p < c->end && *p == '0') {
		p++;
		any = 1;
	}
	while (p < c->end && *p >= '0' && *p <= '9') {
		if (++n > MAX_SIG_DIGITS)
			return -1;
		v = v * 10 + (uint64_t)(*p++ - '0');
	}
	if (!n && !any)
		return 0;
	if (v > max)
		return -1;
	c->p = p;
	*out = (uint32_t)v;
	return 1;
}

/* LWS that the grammar requires: at least one white space character. */
static int take_lws(struct sl_cur *c)
{
	if (sl__eof(c) || !sl__ch((unsigned char)*c->p, SL_CH_WS))
		return 0;
	sl__skip_ws(c);
	return 1;
}

/* A parameter value the grammar makes a token: present, unquoted, token
 * characters only (sl_param_next() also lets URI characters through). */
static int token_value(struct sl_slice v, int hv)
{
	return hv && !sl__was_quoted(v) && sl__all_class(v, SL_CH_TOKEN);
}

/* delta-seconds as a parameter value. */
static int delta_value(struct sl_slice v, int hv, int64_t *out)
{
	uint32_t d;

	if (!hv || sl__was_quoted(v) || sl_uint_decode(v, UINT32_MAX, &d) < 0)
		return SL_EPARSE;
	*out = d;
	return 0;
}

/* Generic walk for decoders with no parameter of their own. */
static int check_params(struct sl_slice params)
{
	struct sl_slice n, v;
	int rc;

	while ((rc = sl_param_next(&params, &n, &v, NULL)) == 1)
		;
	return rc;
}

/* The start every decoder shares: arguments checked, @out cleared, an empty
 * value refused, and a cursor past leading white space. */
static int begin(struct sl_slice v, void *out, size_t size, struct sl_cur *c)
{
	if (!out || (!v.p && v.len))
		return SL_EINVAL;
	memset(out, 0, size);
	if (v.len == 0)
		return SL_EPARSE;
	*c = sl__cur(v);
	sl__skip_ws(c);
	return 0;
}

int sl_cseq_decode(struct sl_slice v, struct sl_cseq *cs)
{
	struct sl_cur c;
	int rc;

	if ((rc = begin(v, cs, sizeof(*cs), &c)) != 0)
		return rc;
	/* RFC 4475 §3.1.2.4: "CSeq: 36893488147419103232 INVITE" is refused */
	if (take_num(&c, CSEQ_MAX, &cs->seq) != 1 || !take_lws(&c) ||
	    !sl__take_token(&c, &cs->method))
		return SL_EPARSE;
	sl__skip_ws(&c);
	return sl__eof(&c) ? 0 : SL_EPARSE;
}

int sl_rack_decode(struct sl_slice v, struct sl_rack *r)
{
	struct sl_cur c;
	int rc;

	if ((rc = begin(v, r, sizeof(*r), &c)) != 0)
		return rc;
	/* RSeq runs 1..2**32-1 (RFC 3262 §7.1); the CSeq number is the
	 * request's, any 32-bit value including 0 */
	if (take_num(&c, UINT32_MAX, &r->rseq) != 1 || r->rseq == 0 ||
	    !take_lws(&c) || take_num(&c, UINT32_MAX, &r->cseq) != 1 ||
	    !take_lws(&c) || !sl__take_token(&c, &r->method))
		return SL_EPARSE;
	sl__skip_ws(&c);
	return sl__eof(&c) ? 0 : SL_EPARSE;
}

/* event-type = event-package *( "." event-template ): a token whose
 * dot-separated parts are not empty (token-nodot, RFC 6665 §8.4). */
static int is_event_type(struct sl_slice t)
{
	if (t.p[0] == '.' || t.p[t.len - 1] == '.')
		return 0;
	for (size_t i = 1; i < t.len; i++)
		if (t.p[i] == '.' && t.p[i - 1] == '.')
			return 0;
	return 1;
}

/* The shape Event, Subscription-State and Reason share: a token, then
 * an optional parameter list. */
static int token_then_params(struct sl_slice v, struct sl_slice *token,
			     struct sl_slice *params)
{
	struct sl_cur c;

	if (v.len == 0)
		return SL_EPARSE;
	c = sl__cur(v);
	sl__skip_ws(&c);
	if (!sl__take_token(&c, token))
		return SL_EPARSE;
	return sl__take_params(&c, params);
}

int sl_event_decode(struct sl_slice v, struct sl_event_header *e)
{
	struct sl_slice rest, n, val;
	unsigned seen = 0;
	int hv, rc;

	if (!e || (!v.p && v.len))
		return SL_EINVAL;
	memset(e, 0, sizeof(*e));
	rc = token_then_params(v, &e->package, &e->params);
	if (rc < 0 || !is_event_type(e->package))
		return SL_EPARSE;
	rest = e->params;
	while ((rc = sl_param_next(&rest, &n, &val, &hv)) == 1) {
		if (!sl_slice_ieq(n, "id"))
			continue;
		if (sl__param_once(&seen, 1) < 0 || !token_value(val, hv))
			return SL_EPARSE;
		e->id = val;
	}
	return rc;
}

int sl_subscription_state_decode(struct sl_slice v,
				 struct sl_subscription_state *s)
{
	struct sl_slice rest, n, val;
	unsigned seen = 0;
	int hv, rc;

	if (!s || (!v.p && v.len))
		return SL_EINVAL;
	memset(s, 0, sizeof(*s));
	s->expires = -1;
	s->retry_after = -1;
	/* substate-value: active / pending / terminated / extension token */
	rc = token_then_params(v, &s->state, &s->params);
	if (rc < 0)
		return rc;
	rest = s->params;
	while ((rc = sl_param_next(&rest, &n, &val, &hv)) == 1) {
		if (sl_slice_ieq(n, "reason")) {
			if (sl__param_once(&seen, 1) < 0 || !token_value(val, hv))
				return SL_EPARSE;
			s->reason = val;
		} else if (sl_slice_ieq(n, "expires")) {
			if (sl__param_once(&seen, 2) < 0 ||
			    delta_value(val, hv, &s->expires) < 0)
				return SL_EPARSE;
		} else if (sl_slice_ieq(n, "retry-after")) {
			if (sl__param_once(&seen, 4) < 0 ||
			    delta_value(val, hv, &s->retry_after) < 0)
				return SL_EPARSE;
		}
	}
	return rc;
}

int sl_replaces_decode(struct sl_slice v, struct sl_replaces *r)
{
	struct sl_slice rest, n, val;
	struct sl_cur c;
	const char *id;
	unsigned seen = 0;
	int hv, rc;

	if ((rc = begin(v, r, sizeof(*r), &c)) != 0)
		return rc;
	/* callid = word [ "@" word ] (RFC 3261 §25.1 Call-ID) */
	id = c.p;
	if (!sl__take_class(&c, SL_CH_WORD, NULL))
		return SL_EPARSE;
	if (c.p < c.end && *c.p == '@') {
		c.p++;
		if (!sl__take_class(&c, SL_CH_WORD, NULL))
			return SL_EPARSE;
	}
	r->call_id = sl__slice(id, c.p);
	rc = sl__take_params(&c, &r->params);
	if (rc < 0)
		return rc;
	rest = r->params;
	while ((rc = sl_param_next(&rest, &n, &val, &hv)) == 1) {
		if (sl_slice_ieq(n, "to-tag")) {
			if (sl__param_once(&seen, 1) < 0 || !token_value(val, hv))
				return SL_EPARSE;
			r->to_tag = val;
		} else if (sl_slice_ieq(n, "from-tag")) {
			if (sl__param_once(&seen, 2) < 0 || !token_value(val, hv))
				return SL_EPARSE;
			r->from_tag = val;
		} else if (sl_slice_ieq(n, "early-only")) {
			/* early-flag has no value */
			if (sl__param_once(&seen, 4) < 0 || hv)
				return SL_EPARSE;
			r->early_only = 1;
		}
	}
	if (rc < 0)
		return rc;
	/* RFC 3891 §6.1: both tags are mandatory */
	return (seen & 3) == 3 ? 0 : SL_EPARSE;
}

int sl_session_expires_decode(struct sl_slice v, struct sl_session_expires *s)
{
	struct sl_slice rest, n, val;
	struct sl_cur c;
	unsigned seen = 0;
	int hv, rc;

	if ((rc = begin(v, s, sizeof(*s), &c)) != 0)
		return rc;
	if (take_num(&c, UINT32_MAX, &s->delta) != 1)
		return SL_EPARSE;
	rc = sl__take_params(&c, &s->params);
	if (rc < 0)
		return rc;
	rest = s->params;
	while ((rc = sl_param_next(&rest, &n, &val, &hv)) == 1) {
		if (!sl_slice_ieq(n, "refresher"))
			continue;
		/* refresher-param = "refresher" EQUAL ("uas" / "uac") */
		if (sl__param_once(&seen, 1) < 0 || !hv || sl__was_quoted(val) ||
		    !(sl_slice_ieq(val, "uac") || sl_slice_ieq(val, "uas")))
			return SL_EPARSE;
		s->refresher = val;
	}
	return rc;
}

int sl_reason_decode(struct sl_slice v, struct sl_reason *r)
{
	struct sl_slice rest, n, val;
	unsigned seen = 0;
	uint32_t cause;
	int hv, rc;

	if (!r || (!v.p && v.len))
		return SL_EINVAL;
	memset(r, 0, sizeof(*r));
	r->cause = -1;
	/* protocol = "SIP" / "Q.850" / token */
	rc = token_then_params(v, &r->protocol, &r->params);
	if (rc < 0)
		return rc;
	rest = r->params;
	while ((rc = sl_param_next(&rest, &n, &val, &hv)) == 1) {
		if (sl_slice_ieq(n, "cause")) {
			/* cause = 1*DIGIT */
			if (sl__param_once(&seen, 1) < 0 || !hv || sl__was_quoted(val) ||
			    sl_uint_decode(val, INT32_MAX, &cause) < 0)
				return SL_EPARSE;
			r->cause = (int)cause;
		} else if (sl_slice_ieq(n, "text")) {
			/* reason-text = "text" EQUAL quoted-string */
			if (sl__param_once(&seen, 2) < 0 || !hv || !sl__was_quoted(val))
				return SL_EPARSE;
			r->text = val;
		}
	}
	return rc;
}

/*
 * comment = LPAREN *( ctext / quoted-pair / comment ) RPAREN, taken with a
 * depth counter instead of recursion. @out is the text between the outer
 * parentheses, trimmed (the SWS of LPAREN / RPAREN).
 */
static int take_comment(struct sl_cur *c, struct sl_slice *out)
{
	const char *p = c->p + 1, *s = p;
	int depth = 1;

	while (p < c->end) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '\\') {
			/* quoted-pair: any octet but CR and LF */
			if (p + 1 >= c->end || p[1] == '\r' || p[1] == '\n')
				return SL_EPARSE;
			p += 2;
			continue;
		}
		if (ch == '(') {
			if (++depth > MAX_COMMENT_DEPTH)
				return SL_EPARSE;
		} else if (ch == ')') {
			if (--depth == 0) {
				*out = sl__trim(sl__slice(s, p));
				c->p = p + 1;
				return 0;
			}
		} else if (!sl__ch(ch, SL_CH_TEXT | SL_CH_WS)) {
			return SL_EPARSE; /* control characters */
		}
		p++;
	}
	return SL_EPARSE; /* unbalanced */
}

int sl_retry_after_decode(struct sl_slice v, struct sl_retry_after *r)
{
	struct sl_slice rest, n, val;
	struct sl_cur c;
	unsigned seen = 0;
	int hv, rc;

	if (!r || (!v.p && v.len))
		return SL_EINVAL;
	memset(r, 0, sizeof(*r));
	r->duration = -1;
	if (v.len == 0)
		return SL_EPARSE;
	c = sl__cur(v);
	sl__skip_ws(&c);
	/* RFC 4475 §3.1.2.5 sends 949302838503028349304023988: refused */
	if (take_num(&c, UINT32_MAX, &r->seconds) != 1)
		return SL_EPARSE;
	sl__skip_ws(&c);
	if (c.p < c.end && *c.p == '(' && take_comment(&c, &r->comment) < 0)
		return SL_EPARSE;
	rc = sl__take_params(&c, &r->params);
	if (rc < 0)
		return rc;
	rest = r->params;
	while ((rc = sl_param_next(&rest, &n, &val, &hv)) == 1) {
		if (!sl_slice_ieq(n, "duration"))
			continue;
		if (sl__param_once(&seen, 1) < 0 ||
		    delta_value(val, hv, &r->duration) < 0)
			return SL_EPARSE;
	}
	return rc;
}

/* 1*DIGIT [ "." *DIGIT ] when @lead_digit, else *DIGIT [ "." *DIGIT ] with
 * at least one digit somewhere (an empty or lone "." delay says nothing).
 * Return 1 taken, 0 not there. */
static int take_decimal(struct sl_cur *c, int lead_digit, struct sl_slice *out)
{
	const char *s = c->p;
	int lead = sl__take_class(c, SL_CH_DIGIT, NULL);
	int frac = 0;

	if (lead_digit && !lead) {
		c->p = s;
		return 0;
	}
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		frac = sl__take_class(c, SL_CH_DIGIT, NULL);
	}
	if (!lead && !frac) {
		c->p = s;
		return 0;
	}
	*out = sl__slice(s, c->p);
	return 1;
}

int sl_timestamp_decode(struct sl_slice v, struct sl_timestamp *t)
{
	struct sl_cur c;
	int rc;

	if ((rc = begin(v, t, sizeof(*t), &c)) != 0)
		return rc;
	if (!take_decimal(&c, 1, &t->value))
		return SL_EPARSE;
	if (sl__eof(&c))
		return 0;
	/* [ LWS delay ] */
	if (!take_lws(&c))
		return SL_EPARSE;
	if (sl__eof(&c))
		return 0;
	if (!take_decimal(&c, 0, &t->delay))
		return SL_EPARSE;
	sl__skip_ws(&c);
	return sl__eof(&c) ? 0 : SL_EPARSE;
}

int sl_media_type_decode(struct sl_slice v, struct sl_media_type *m)
{
	struct sl_cur c;
	int rc;

	if ((rc = begin(v, m, sizeof(*m), &c)) != 0)
		return rc;
	/* m-type SLASH m-subtype; "*" is a token character (media-range) */
	if (!sl__take_token(&c, &m->type) || !sl__take_sep(&c, '/') ||
	    !sl__take_token(&c, &m->subtype))
		return SL_EPARSE;
	rc = sl__take_params(&c, &m->params);
	if (rc < 0)
		return rc;
	return check_params(m->params);
}
