/*
 * transport/tp_response.c: where and how a response to a received request
 * goes: the §18.2.1 "received" fact, RFC 3581 rport, the §18.2.2 response
 * destination, and the transport's stateless answers to requests that do
 * not parse (400, 413, 416, 505, 513...).
 *
 * Owns: nothing; answers are built in the manager's tx buffer.
 * Thread: the SIP loop thread.
 * Called by: tpmgr.c for every received request; lib/txn for the
 * destination and the Via of its responses (tp_response.h).
 */
#include <arpa/inet.h>
#include <string.h>

#include "core/log.h"
#include "sipline/build.h"
#include "sipline/headers.h"
#include "tp_int.h"
#include "tp_response.h"

int sl__tp_top_via(const struct sl_msg *msg, struct sl_via *out)
{
	uint16_t i;

	if (!msg || !out)
		return SL_EINVAL;
	if (msg->vias && msg->n_vias) {
		*out = msg->vias[0];
		return 0;
	}
	/* The parse stopped before the Vias were decoded (or at one of
	 * them): the header table still holds what was split. */
	if (!msg->hdrs)
		return SL_EPARSE;
	i = msg->first[SL_HDR_VIA];
	if (i == SL_HDR_NONE || i >= msg->n_hdrs)
		return SL_EPARSE;
	return sl_via_decode(msg->hdrs[i].value, out) == 0 ? 0 : SL_EPARSE;
}

int sl__tp_received_differs(const struct sl_via *via,
			    const struct sl_addr *src)
{
	struct sl_addr sent_by;

	if (!via || !src)
		return 0;
	/* A name always differs from the packet's address; an address is
	 * compared as a number, so "::1" and "0:0::1" are the same. */
	if (via->host_type != SL_HOST_IPV4 && via->host_type != SL_HOST_IPV6)
		return 1;
	if (sl__addr_set(&sent_by, via->host.p, via->host.len, 0) != 0)
		return 1;
	return !sl__addr_same_host(&sent_by, src);
}

/* ---- the top Via of a response ---- */

static struct sl_slice slice_of(const char *a, const char *b)
{
	struct sl_slice s = { a, (size_t)(b - a) };

	return s;
}

static const char *find_crlf(const char *p, const char *end)
{
	for (; p + 1 < end; p++)
		if (p[0] == '\r' && p[1] == '\n')
			return p;
	return NULL;
}

struct edit {
	size_t off;       /* where, in the builder's buffer */
	size_t del;       /* bytes replaced */
	const char *ins;
	size_t ins_len;
};

/* Replaces @e->del bytes at @e->off with @e->ins. */
static int splice(struct sl_builder *b, const struct edit *e)
{
	if (e->ins_len > e->del && e->ins_len - e->del > b->cap - b->len) {
		/* Recorded as a builder error, so sl_build_finish() refuses
		 * the half-made message as it would for its own ENOSPC. */
		b->err = SL_ENOSPC;
		return SL_ENOSPC;
	}
	memmove(b->buf + e->off + e->ins_len, b->buf + e->off + e->del,
		b->len - e->off - e->del);
	memcpy(b->buf + e->off, e->ins, e->ins_len);
	b->len = b->len - e->del + e->ins_len;
	return 0;
}

static size_t put_u16(char *out, uint16_t v)
{
	char tmp[5];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		out[i++] = tmp[--n];
	return i;
}

int sl__tp_build_response_via(struct sl_builder *b, const struct sl_rxbuf *rx)
{
	char received[16 + INET6_ADDRSTRLEN], rport[8];
	const char *end, *line, *eol;
	struct sl_slice cur, name, value;
	struct sl_via via;
	struct edit ed[2];
	unsigned n_ed = 0;
	int hv, rc, host_len;

	if (!b || !rx)
		return SL_EINVAL;
	if (b->err)
		return b->err;
	if (!b->buf)
		return SL_EINVAL;
	/* sl_build_response() writes the status line, then each Via on a
	 * line of its own, named "Via", unfolded. */
	end = b->buf + b->len;
	line = find_crlf(b->buf, end);
	if (!line)
		return SL_EINVAL;
	line += 2;
	if (end - line < 5 || memcmp(line, "Via: ", 5) != 0)
		return SL_EINVAL;
	line += 5;
	eol = find_crlf(line, end);
	if (!eol)
		return SL_EINVAL;
	if (sl_via_decode(slice_of(line, eol), &via) != 0)
		return SL_EPARSE;
	if (!rx->received_differs && via.rport != 0)
		return 0;

	/* RFC 3581 §4: a valueless rport takes the source port; the
	 * server then also adds received, even when it is the sent-by
	 * address. An existing received value is replaced. */
	memcpy(received, ";received=", 10);
	host_len = sl__addr_host(&rx->src, received + 10,
				 sizeof(received) - 10);
	if (host_len < 0)
		return SL_EINVAL;
	ed[0].off = (size_t)(eol - b->buf);
	ed[0].del = 0;
	ed[0].ins = received;
	ed[0].ins_len = 10 + (size_t)host_len;
	n_ed = 1;
	cur = via.params;
	while ((rc = sl_param_next(&cur, &name, &value, &hv)) == 1) {
		if (sl_slice_ieq(name, "received") && hv) {
			ed[0].off = (size_t)(value.p - b->buf);
			ed[0].del = value.len;
			ed[0].ins = received + 10;
			ed[0].ins_len = (size_t)host_len;
		} else if (sl_slice_ieq(name, "rport") && !hv) {
			rport[0] = '=';
			ed[1].off = (size_t)(name.p + name.len - b->buf);
			ed[1].del = 0;
			ed[1].ins = rport;
			ed[1].ins_len = 1 + put_u16(rport + 1,
						    sl__addr_port(&rx->src));
			n_ed = 2;
		}
	}
	if (rc < 0)
		return SL_EPARSE;
	/* The later edit first, so the earlier offset stays valid. */
	if (n_ed == 2 && ed[1].off > ed[0].off) {
		if ((rc = splice(b, &ed[1])) != 0)
			return rc;
		n_ed = 1;
	}
	for (unsigned i = 0; i < n_ed; i++)
		if ((rc = splice(b, &ed[i])) != 0)
			return rc;
	return 0;
}

int sl__tp_build_response(struct sl_builder *b, const struct sl_rxbuf *rx,
			  int code, const char *reason, const char *to_tag,
			  unsigned flags)
{
	int rc;

	if (!b || !rx)
		return SL_EINVAL;
	rc = sl_build_response(b, &rx->msg, code, reason, to_tag, flags);
	if (rc)
		return rc;
	return sl__tp_build_response_via(b, rx);
}

/* ---- §18.2.2: where a response goes ---- */

int sl__tp_response_dest(const struct sl_rxbuf *req, struct sl_tp_dest *dst)
{
	struct sl_via via;
	uint16_t port;

	if (!req || !dst)
		return SL_EINVAL;
	if (sl__tp_top_via(&req->msg, &via) != 0)
		return SL_EPARSE;
	memset(dst, 0, sizeof(*dst));
	dst->tp = req->tp;
	dst->addr = req->src;
	port = via.port ? via.port
			: (req->tp == SL_TP_TLS ? SL_TP_PORT_TLS_DEFAULT
						: SL_TP_PORT_DEFAULT);
	if (sl__tp_reliable(req->tp)) {
		/* The same connection while it is open; if it closed, a
		 * new one to the received address and the sent-by port. */
		dst->flow = req->flow;
		sl__addr_set_port(&dst->addr, port);
		return 0;
	}
	if (via.maddr.len) {
		/* Server location happens above: only a numeric maddr can
		 * be answered here. */
		if (sl__addr_set(&dst->addr, via.maddr.p, via.maddr.len,
				 port) != 0)
			return SL_EUNSUPP;
		return 0;
	}
	/* The source address is the received address (§18.2.1 adds it
	 * whenever it differs); RFC 3581 §4: with rport, the source port
	 * too, which is what gets through a NAT. */
	if (via.rport < 0)
		sl__addr_set_port(&dst->addr, port);
	return 0;
}

/* ---- stateless answers ---- */

/* FNV-1a, for a To tag that stays the same for a retransmitted request. */
static uint32_t fnv1a(uint32_t h, struct sl_slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 16777619u;
	}
	return h;
}

static struct sl_slice hdr_value(const struct sl_msg *msg, enum sl_hdr_id id)
{
	struct sl_slice none = { NULL, 0 };
	uint16_t i = msg->first[id];

	if (i == SL_HDR_NONE || i >= msg->n_hdrs)
		return none;
	return msg->hdrs[i].value;
}

static void make_tag(const struct sl_msg *msg, const struct sl_via *via,
		     char tag[12])
{
	static const char hex[] = "0123456789abcdef";
	uint32_t h = 2166136261u;

	h = fnv1a(h, hdr_value(msg, SL_HDR_CALL_ID));
	h = fnv1a(h, hdr_value(msg, SL_HDR_FROM));
	h = fnv1a(h, hdr_value(msg, SL_HDR_CSEQ));
	h = fnv1a(h, via->branch);
	tag[0] = 's';
	tag[1] = 'l';
	for (int i = 0; i < 8; i++)
		tag[2 + i] = hex[(h >> (28 - 4 * i)) & 0xf];
	tag[10] = '\0';
}

int sl__tp_answer(struct sl_tpmgr *m, struct sl_rxbuf *rx, int status,
		  const char *reason)
{
	struct sl_msg *msg = &rx->msg;
	struct sl_tp_dest dst;
	struct sl_builder b;
	struct sl_slice to;
	struct sl_via via;
	char tag[12];
	int rc;

	/* ACK is never answered (RFC 3261 §17.2.1); without a header
	 * table there is nothing to copy into a response. */
	if (!msg->is_request || msg->method == SL_METHOD_ACK || !msg->hdrs)
		return SL_EINVAL;
	if (sl__tp_top_via(msg, &via) != 0)
		return SL_EPARSE;
	rx->received_differs = sl__tp_received_differs(&via, &rx->src);
	/* The parse may have stopped before To was decoded; the builder
	 * reads its tag to decide whether to add ours. */
	to = hdr_value(msg, SL_HDR_TO);
	if (!to.p || sl_name_addr_decode(to, &msg->to) != 0)
		memset(&msg->to, 0, sizeof(msg->to));
	make_tag(msg, &via, tag);
	sl_build_init(&b, m->tx, m->tx_cap);
	rc = sl__tp_build_response(&b, rx, status, reason, tag, 0);
	if (rc == 0)
		rc = sl_build_finish(&b, NULL, NULL, 0);
	if (rc < 0)
		return rc;
	rc = sl__tp_response_dest(rx, &dst);
	if (rc < 0)
		return rc;
	rc = sl__tp_send(m, &dst, m->tx, b.len);
	return rc < 0 ? rc : 0;
}
