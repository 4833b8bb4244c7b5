/*
 * lib/sip/sdp_write.c: the text form of a struct sl_sdp (RFC 4566 §5 line
 * order, CRLF endings) and field-by-field comparison of two descriptions.
 *
 * Owns: nothing; writes into the caller's buffer.
 * Thread: pure; any thread.
 * Called by: lib/ua to put offers and answers into INVITE, 200, UPDATE,
 * PRACK and ACK bodies; tests and the fuzz harness for round trips.
 *
 * The writer checks what it writes instead of trusting it: a CR or LF in a
 * slice would inject lines into a SIP body, and a blank inside a token
 * would shift the fields of the line for the peer.
 */
#include <string.h>

#include "sdp_int.h"
#include "sipline/error.h"
#include "sipline/sdp.h"

struct out {
	char *buf;
	size_t len;
	size_t cap;      /* room for text; one byte less than the buffer */
	int rc;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->rc)
		return;
	if (n > o->cap - o->len) {
		o->rc = SL_ENOSPC;
		return;
	}
	if (n)
		memcpy(o->buf + o->len, s, n);
	o->len += n;
}

static void put_s(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void bad(struct out *o)
{
	if (!o->rc)
		o->rc = SL_EINVAL;
}

/* Free text: anything but CR, LF and NUL. */
static void put_text(struct out *o, struct sl_slice s)
{
	if (s.len && !s.p) {
		bad(o);
		return;
	}
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] == '\r' || s.p[i] == '\n' || s.p[i] == '\0') {
			bad(o);
			return;
		}
	put(o, s.p, s.len);
}

/* A field of a blank-separated line: non-empty, no blank, no control. */
static void put_field(struct out *o, struct sl_slice s)
{
	if (s.len == 0 || !s.p) {
		bad(o);
		return;
	}
	for (size_t i = 0; i < s.len; i++)
		if ((unsigned char)s.p[i] <= 0x20 || s.p[i] == 0x7f) {
			bad(o);
			return;
		}
	put(o, s.p, s.len);
}

/* An RFC 4566 token (attribute names, media, encoding names...). */
static void put_tok(struct out *o, struct sl_slice s)
{
	if (s.len == 0 || !s.p) {
		bad(o);
		return;
	}
	for (size_t i = 0; i < s.len; i++)
		if (!sl__sdp_tokc((unsigned char)s.p[i])) {
			bad(o);
			return;
		}
	put(o, s.p, s.len);
}

/* o= session id and version: digits only (RFC 4566 §5.2). */
static void put_digits(struct out *o, struct sl_slice s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] < '0' || s.p[i] > '9') {
			bad(o);
			return;
		}
	put_field(o, s);
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put(o, tmp + sizeof(tmp) - n, n);
}

static void put_crlf(struct out *o)
{
	put(o, "\r\n", 2);
}

/* ---- lines ---- */

static void put_conn(struct out *o, const struct sl_sdp_conn *c)
{
	put_field(o, c->nettype);
	put(o, " ", 1);
	put_field(o, c->addrtype);
	put(o, " ", 1);
	put_field(o, c->address);
	if (sl_slice_ieq(c->addrtype, "IP4")) {
		if (c->ttl > 255)
			bad(o);
		if (c->ttl || c->num) {
			put(o, "/", 1);
			put_u64(o, c->ttl);
		}
		if (c->num) {
			put(o, "/", 1);
			put_u64(o, c->num);
		}
	} else if (sl_slice_ieq(c->addrtype, "IP6")) {
		if (c->ttl)
			bad(o);
		if (c->num) {
			put(o, "/", 1);
			put_u64(o, c->num);
		}
	} else if (c->ttl || c->num) {
		bad(o);
	}
}

static void put_c_line(struct out *o, const struct sl_sdp_conn *c)
{
	if (!c->present)
		return;
	put_s(o, "c=");
	put_conn(o, c);
	put_crlf(o);
}

static void put_bws(struct out *o, const struct sl_sdp_bw *bw, size_t n)
{
	if (n > SL_SDP_MAX_BW) {
		bad(o);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		put_s(o, "b=");
		put_tok(o, bw[i].type);
		put(o, ":", 1);
		put_u64(o, bw[i].value);
		put_crlf(o);
	}
}

static void put_text_line(struct out *o, const char *prefix,
			  struct sl_slice s)
{
	if (s.len == 0)
		return;
	put_s(o, prefix);
	put_text(o, s);
	put_crlf(o);
}

/*
 * Kept lines fall in three groups that the writer puts at their RFC 4566
 * places: e= and p= after u=, t= and r= after the first t=, the others
 * (z=, k=, unknown types) after those.
 */
static int line_group(char type)
{
	if (type == 'e' || type == 'p')
		return 0;
	if (type == 't' || type == 'r')
		return 1;
	return 2;
}

static int range_ok(size_t first, size_t n, size_t cap)
{
	return first <= cap && n <= cap - first;
}

/*
 * A kept line must read back as a kept line: not a type the parser decodes
 * itself, and in a media section not a session-only type.
 */
static int extra_type_ok(char type, int media)
{
	if (type < 'a' || type > 'z' || strchr("vosiucbma", type))
		return 0;
	return !media || !strchr("eptrz", type);
}

static void put_extras(struct out *o, const struct sl_sdp *sdp, size_t first,
		       size_t n, int group)
{
	for (size_t i = first; i < first + n; i++) {
		const struct sl_sdp_line *l = &sdp->extra[i];

		if (group >= 0 && line_group(l->type) != group)
			continue;
		if (!extra_type_ok(l->type, group < 0)) {
			bad(o);
			return;
		}
		put(o, &l->type, 1);
		put(o, "=", 1);
		put_text(o, l->value);
		put_crlf(o);
	}
}

static void put_attrs(struct out *o, const struct sl_sdp *sdp, size_t first,
		      size_t n)
{
	for (size_t i = first; i < first + n; i++) {
		const struct sl_sdp_attr *a = &sdp->attr[i];

		put_s(o, "a=");
		put_tok(o, a->name);
		if (a->has_value) {
			put(o, ":", 1);
			put_text(o, a->value);
		} else if (a->value.len) {
			bad(o);
		}
		put_crlf(o);
	}
}

static void put_dir(struct out *o, enum sl_sdp_dir d)
{
	if (d == SL_SDP_DIR_NONE)
		return;
	if (d < SL_SDP_DIR_NONE || d > SL_SDP_DIR_INACTIVE) {
		bad(o);
		return;
	}
	put_s(o, "a=");
	put_s(o, sl_sdp_dir_name(d));
	put_crlf(o);
}

static void put_fmt_id(struct out *o, const struct sl_sdp_fmt *f, int rtp)
{
	if (rtp) {
		if (f->pt < 0 || f->pt > 127)
			bad(o);
		else
			put_u64(o, (uint64_t)f->pt);
	} else {
		put_tok(o, f->id);
	}
}

static void put_formats(struct out *o, const struct sl_sdp_media *m, int rtp)
{
	for (size_t i = 0; i < m->n_fmt; i++) {
		const struct sl_sdp_fmt *f = &m->fmt[i];

		if (f->has_rtpmap) {
			/* rtpmap only exists for RTP payload types */
			if (!rtp || f->clock_rate == 0) {
				bad(o);
				return;
			}
			put_s(o, "a=rtpmap:");
			put_fmt_id(o, f, rtp);
			put(o, " ", 1);
			put_tok(o, f->encoding);
			put(o, "/", 1);
			put_u64(o, f->clock_rate);
			if (f->channels) {
				put(o, "/", 1);
				put_u64(o, f->channels);
			}
			put_crlf(o);
		}
		if (f->has_fmtp) {
			put_s(o, "a=fmtp:");
			put_fmt_id(o, f, rtp);
			if (f->fmtp.len) {
				put(o, " ", 1);
				put_text(o, f->fmtp);
			}
			put_crlf(o);
		}
	}
}

static void put_media(struct out *o, const struct sl_sdp *sdp,
		      const struct sl_sdp_media *m)
{
	int rtp = sl_sdp_media_is_rtp(m);

	if (m->n_fmt > SL_SDP_MAX_FMT || m->n_crypto > SL_SDP_MAX_CRYPTO ||
	    !range_ok(m->attr_first, m->n_attr, sdp->attr_used) ||
	    !range_ok(m->extra_first, m->n_extra, sdp->extra_used) ||
	    (m->n_fmt == 0 && m->port != 0)) {
		bad(o);
		return;
	}
	put_s(o, "m=");
	put_tok(o, m->media);
	put(o, " ", 1);
	put_u64(o, m->port);
	if (m->n_ports) {
		put(o, "/", 1);
		put_u64(o, m->n_ports);
	}
	put(o, " ", 1);
	put_field(o, m->proto);
	for (size_t i = 0; i < m->n_fmt; i++) {
		put(o, " ", 1);
		put_fmt_id(o, &m->fmt[i], rtp);
	}
	put_crlf(o);
	put_text_line(o, "i=", m->info);
	put_c_line(o, &m->conn);
	put_bws(o, m->bw, m->n_bw);
	put_extras(o, sdp, m->extra_first, m->n_extra, -1);
	if (m->mid.len) {
		put_s(o, "a=mid:");
		put_tok(o, m->mid);
		put_crlf(o);
	}
	put_formats(o, m, rtp);
	if (m->ptime) {
		put_s(o, "a=ptime:");
		put_u64(o, m->ptime);
		put_crlf(o);
	}
	if (m->maxptime) {
		put_s(o, "a=maxptime:");
		put_u64(o, m->maxptime);
		put_crlf(o);
	}
	put_dir(o, m->dir);
	if (m->has_rtcp) {
		put_s(o, "a=rtcp:");
		put_u64(o, m->rtcp_port);
		if (m->rtcp_addr.present) {
			if (m->rtcp_addr.ttl || m->rtcp_addr.num)
				bad(o);
			put(o, " ", 1);
			put_conn(o, &m->rtcp_addr);
		}
		put_crlf(o);
	}
	if (m->rtcp_mux)
		put_s(o, "a=rtcp-mux\r\n");
	for (size_t i = 0; i < m->n_crypto; i++) {
		const struct sl_sdp_crypto *c = &m->crypto[i];

		if (c->tag > 999999999)
			bad(o);
		put_s(o, "a=crypto:");
		put_u64(o, c->tag);
		put(o, " ", 1);
		put_tok(o, c->suite);
		put(o, " ", 1);
		put_field(o, c->key_params);
		if (c->session_params.len) {
			put(o, " ", 1);
			put_text(o, c->session_params);
		}
		put_crlf(o);
	}
	if (m->content.len) {
		put_s(o, "a=content:");
		put_field(o, m->content);
		put_crlf(o);
	}
	put_attrs(o, sdp, m->attr_first, m->n_attr);
}

int sl_sdp_write(const struct sl_sdp *sdp, char *buf, size_t cap)
{
	struct out o = { buf, 0, cap ? cap - 1 : 0, 0 };
	const struct sl_sdp_origin *og;

	if (!sdp || !buf)
		return SL_EINVAL;
	if (cap == 0)
		return SL_ENOSPC;
	if (sdp->n_media > SL_SDP_MAX_MEDIA ||
	    sdp->attr_used > SL_SDP_MAX_ATTR ||
	    sdp->extra_used > SL_SDP_MAX_EXTRA ||
	    !range_ok(0, sdp->n_attr, sdp->attr_used) ||
	    !range_ok(0, sdp->n_extra, sdp->extra_used))
		return SL_EINVAL;
	og = &sdp->origin;
	put_s(&o, "v=0\r\no=");
	put_field(&o, og->username);
	put(&o, " ", 1);
	put_digits(&o, og->sess_id);
	put(&o, " ", 1);
	put_digits(&o, og->sess_version);
	put(&o, " ", 1);
	put_field(&o, og->nettype);
	put(&o, " ", 1);
	put_field(&o, og->addrtype);
	put(&o, " ", 1);
	put_field(&o, og->address);
	put_crlf(&o);
	/* s= is written even when empty (RFC 3264 §10 examples do that) */
	put_s(&o, "s=");
	put_text(&o, sdp->name);
	put_crlf(&o);
	put_text_line(&o, "i=", sdp->info);
	put_text_line(&o, "u=", sdp->uri);
	put_extras(&o, sdp, 0, sdp->n_extra, 0);
	put_c_line(&o, &sdp->conn);
	put_bws(&o, sdp->bw, sdp->n_bw);
	put_s(&o, "t=");
	put_u64(&o, sdp->t_start);
	put(&o, " ", 1);
	put_u64(&o, sdp->t_stop);
	put_crlf(&o);
	put_extras(&o, sdp, 0, sdp->n_extra, 1);
	put_extras(&o, sdp, 0, sdp->n_extra, 2);
	put_dir(&o, sdp->dir);
	put_attrs(&o, sdp, 0, sdp->n_attr);
	for (size_t i = 0; i < sdp->n_media && !o.rc; i++)
		put_media(&o, sdp, &sdp->media[i]);
	if (o.rc)
		return o.rc;
	if (o.len > 0x7fffffff)
		return SL_ENOSPC;
	buf[o.len] = '\0';
	return (int)o.len;
}

/* ---- comparison ---- */

static int conn_eq(const struct sl_sdp_conn *a, const struct sl_sdp_conn *b)
{
	if (a->present != b->present)
		return 0;
	if (!a->present)
		return 1;
	return sl__sdp_same(a->nettype, b->nettype) &&
	       sl__sdp_same(a->addrtype, b->addrtype) &&
	       sl__sdp_same(a->address, b->address) && a->ttl == b->ttl &&
	       a->num == b->num;
}

static int bws_eq(const struct sl_sdp_bw *a, size_t na,
		  const struct sl_sdp_bw *b, size_t nb)
{
	if (na != nb || na > SL_SDP_MAX_BW)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (!sl__sdp_same(a[i].type, b[i].type) ||
		    a[i].value != b[i].value)
			return 0;
	return 1;
}

static int attrs_eq(const struct sl_sdp *a, size_t fa, size_t na,
		    const struct sl_sdp *b, size_t fb, size_t nb)
{
	if (na != nb || !range_ok(fa, na, SL_SDP_MAX_ATTR) ||
	    !range_ok(fb, nb, SL_SDP_MAX_ATTR))
		return 0;
	for (size_t i = 0; i < na; i++) {
		const struct sl_sdp_attr *x = &a->attr[fa + i];
		const struct sl_sdp_attr *y = &b->attr[fb + i];

		if (!sl__sdp_same(x->name, y->name) ||
		    !sl__sdp_same(x->value, y->value) ||
		    !x->has_value != !y->has_value)
			return 0;
	}
	return 1;
}

/* Compares the kept lines of one group, in order, skipping the others. */
static int extras_eq(const struct sl_sdp *a, size_t fa, size_t na,
		     const struct sl_sdp *b, size_t fb, size_t nb, int group)
{
	size_t i = 0, j = 0;

	if (!range_ok(fa, na, SL_SDP_MAX_EXTRA) ||
	    !range_ok(fb, nb, SL_SDP_MAX_EXTRA))
		return 0;
	for (;;) {
		while (i < na && line_group(a->extra[fa + i].type) != group)
			i++;
		while (j < nb && line_group(b->extra[fb + j].type) != group)
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (a->extra[fa + i].type != b->extra[fb + j].type ||
		    !sl__sdp_same(a->extra[fa + i].value,
				  b->extra[fb + j].value))
			return 0;
		i++;
		j++;
	}
}

static int fmt_eq(const struct sl_sdp_fmt *x, const struct sl_sdp_fmt *y)
{
	if ((x->pt >= 0) != (y->pt >= 0))
		return 0;
	if (x->pt >= 0 ? x->pt != y->pt : !sl__sdp_same(x->id, y->id))
		return 0;
	if (!x->has_rtpmap != !y->has_rtpmap || !x->has_fmtp != !y->has_fmtp)
		return 0;
	if (x->has_rtpmap && (!sl__sdp_same(x->encoding, y->encoding) ||
			      x->clock_rate != y->clock_rate ||
			      x->channels != y->channels))
		return 0;
	return !x->has_fmtp || sl__sdp_same(x->fmtp, y->fmtp);
}

static int crypto_eq(const struct sl_sdp_crypto *x,
		     const struct sl_sdp_crypto *y)
{
	return x->tag == y->tag && sl__sdp_same(x->suite, y->suite) &&
	       sl__sdp_same(x->key_params, y->key_params) &&
	       sl__sdp_same(x->session_params, y->session_params);
}

static int media_eq(const struct sl_sdp *a, const struct sl_sdp_media *x,
		    const struct sl_sdp *b, const struct sl_sdp_media *y)
{
	if (x->type != y->type || !sl__sdp_same(x->media, y->media) ||
	    x->port != y->port || x->n_ports != y->n_ports ||
	    !sl__sdp_same(x->proto, y->proto) || x->n_fmt != y->n_fmt ||
	    x->n_fmt > SL_SDP_MAX_FMT || !sl__sdp_same(x->info, y->info) ||
	    !conn_eq(&x->conn, &y->conn) ||
	    !bws_eq(x->bw, x->n_bw, y->bw, y->n_bw) || x->dir != y->dir ||
	    x->ptime != y->ptime || x->maxptime != y->maxptime ||
	    !x->has_rtcp != !y->has_rtcp || !x->rtcp_mux != !y->rtcp_mux ||
	    x->n_crypto != y->n_crypto || x->n_crypto > SL_SDP_MAX_CRYPTO ||
	    !sl__sdp_same(x->mid, y->mid) ||
	    !sl__sdp_same(x->content, y->content))
		return 0;
	if (x->has_rtcp && (x->rtcp_port != y->rtcp_port ||
			    !conn_eq(&x->rtcp_addr, &y->rtcp_addr)))
		return 0;
	for (size_t i = 0; i < x->n_fmt; i++)
		if (!fmt_eq(&x->fmt[i], &y->fmt[i]))
			return 0;
	for (size_t i = 0; i < x->n_crypto; i++)
		if (!crypto_eq(&x->crypto[i], &y->crypto[i]))
			return 0;
	return attrs_eq(a, x->attr_first, x->n_attr, b, y->attr_first,
			y->n_attr) &&
	       extras_eq(a, x->extra_first, x->n_extra, b, y->extra_first,
			 y->n_extra, 2) &&
	       extras_eq(a, x->extra_first, x->n_extra, b, y->extra_first,
			 y->n_extra, 1) &&
	       extras_eq(a, x->extra_first, x->n_extra, b, y->extra_first,
			 y->n_extra, 0);
}

int sl_sdp_equal(const struct sl_sdp *a, const struct sl_sdp *b)
{
	const struct sl_sdp_origin *x, *y;

	if (!a || !b)
		return 0;
	x = &a->origin;
	y = &b->origin;
	if (!sl__sdp_same(x->username, y->username) ||
	    !sl__sdp_same(x->sess_id, y->sess_id) ||
	    !sl__sdp_same(x->sess_version, y->sess_version) ||
	    !sl__sdp_same(x->nettype, y->nettype) ||
	    !sl__sdp_same(x->addrtype, y->addrtype) ||
	    !sl__sdp_same(x->address, y->address))
		return 0;
	if (!sl__sdp_same(a->name, b->name) ||
	    !sl__sdp_same(a->info, b->info) || !sl__sdp_same(a->uri, b->uri) ||
	    !conn_eq(&a->conn, &b->conn) ||
	    !bws_eq(a->bw, a->n_bw, b->bw, b->n_bw) ||
	    a->t_start != b->t_start || a->t_stop != b->t_stop ||
	    a->dir != b->dir || a->n_media != b->n_media ||
	    a->n_media > SL_SDP_MAX_MEDIA)
		return 0;
	if (!attrs_eq(a, 0, a->n_attr, b, 0, b->n_attr))
		return 0;
	for (int g = 0; g < 3; g++)
		if (!extras_eq(a, 0, a->n_extra, b, 0, b->n_extra, g))
			return 0;
	for (size_t i = 0; i < a->n_media; i++)
		if (!media_eq(a, &a->media[i], b, &b->media[i]))
			return 0;
	return 1;
}
