/*
 * lib/txn/stateless.c: answers sent without a transaction (RFC 3261
 * §8.2.1-8.2.2, §8.2.6, §17.2.3's 503 when no slot is free).
 *
 * Owns: nothing; responses are built in the layer's scratch buffer and
 * sent once.
 * Thread: the SIP loop thread only.
 * Called by: table.c for requests that fail sl_msg_check_request() before a
 * transaction exists; server.c for a 503 when the server pool is full; the
 * UA for anything it answers statelessly. Requests that do not parse at
 * all are the transport's to answer (it has their bytes, we do not).
 */
#include <string.h>

#include "txn_int.h"
#include "transport/tp_response.h"

static uint64_t fnv1a64(uint64_t h, struct sl_slice s)
{
	for (size_t i = 0; i < s.len; i++) {
		h ^= (unsigned char)s.p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * The To tag of a stateless response (§8.2.6.2): derived from the request
 * (Call-ID, From tag, CSeq, branch) and the layer's secret, so that a
 * retransmitted request gets the same tag (§8.2.7) and a peer cannot
 * predict it.
 */
static void stateless_tag(const struct sl_txn_layer *l, const struct sl_msg *m,
			  char tag[17])
{
	static const char hex[] = "0123456789abcdef";
	struct sl_slice seq = { (const char *)&m->cseq.seq,
				sizeof(m->cseq.seq) };
	uint64_t h = 0xcbf29ce484222325ull ^ l->secret;

	h = fnv1a64(h, m->call_id);
	h = fnv1a64(h, m->from.tag);
	h = fnv1a64(h, seq);
	h = fnv1a64(h, m->cseq.method);
	h = fnv1a64(h, m->vias[0].branch);
	for (int i = 0; i < 16; i++)
		tag[i] = hex[(h >> (60 - 4 * i)) & 0xf];
	tag[16] = '\0';
}

/* Starts a response to @rx in the scratch buffer, with a To tag when one
 * is needed (§8.2.6.2). */
static int begin(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
		 int status, const char *reason, struct sl_builder *b)
{
	char tag[17];

	if (!rx->msg.is_request || rx->msg.method == SL_METHOD_ACK ||
	    !rx->msg.n_vias || !rx->msg.vias || status < 100 || status > 699)
		return SL_EINVAL;
	tag[0] = '\0';
	if (!rx->msg.to.tag.len && status > 100)
		stateless_tag(l, &rx->msg, tag);
	sl_build_init(b, l->scratch, l->cfg.msg_buf_size);
	return sl__tp_build_response(b, rx, status, reason, tag, 0);
}

/* Ends the response and sends it to the §18.2.2 destination. */
static int finish_send(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
		       struct sl_builder *b)
{
	struct sl_tp_dest dst;
	int n, rc;

	n = sl_build_finish(b, NULL, NULL, 0);
	if (n < 0)
		return n;
	rc = sl__tp_response_dest(rx, &dst);
	if (rc < 0)
		return rc;
	return sl__txn_io_send(l, &dst, l->scratch, (size_t)n);
}

int sl__txn_reply_stateless(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
			    int status, const char *reason,
			    const struct sl_txn_hdr *hdrs, unsigned n_hdrs)
{
	struct sl_builder b;
	int rc;

	if (!l || !rx || (n_hdrs && !hdrs))
		return SL_EINVAL;
	for (unsigned i = 0; i < n_hdrs; i++)
		if (!hdrs[i].name || !hdrs[i].value)
			return SL_EINVAL;
	rc = begin(l, rx, status, reason, &b);
	if (rc < 0)
		return rc;
	for (unsigned i = 0; i < n_hdrs; i++)
		sl_build_header(&b, hdrs[i].name, hdrs[i].value);
	return finish_send(l, rx, &b);
}

static int supported(const struct sl_check_opts *opts, struct sl_slice tag)
{
	if (!opts)
		return 0;
	for (unsigned i = 0; i < opts->n_supported; i++)
		if (opts->supported[i] && sl_slice_ieq(tag, opts->supported[i]))
			return 1;
	return 0;
}

/* §8.2.2.3: a 420 lists every Require tag we lack in Unsupported. */
static void add_unsupported(struct sl_txn_layer *l, const struct sl_msg *m,
			    struct sl_builder *b)
{
	static const struct sl_slice name = { "Unsupported", 11 };

	for (uint16_t i = m->first[SL_HDR_REQUIRE];
	     i != SL_HDR_NONE && i < m->n_hdrs; i = m->hdrs[i].next) {
		struct sl_slice tag;

		if (sl_token_decode(m->hdrs[i].value, &tag) != 0 ||
		    supported(l->cfg.check, tag))
			continue;
		sl_build_header_slice(b, name, tag);
	}
}

int sl__txn_reject(struct sl_txn_layer *l, const struct sl_rxbuf *rx,
		   const struct sl_parse_error *err)
{
	struct sl_builder b;
	const char *reason;
	int rc;

	if (!l || !rx || !err || err->status < 400 || err->status > 699)
		return SL_EINVAL;
	/* The checker's phrase names the problem ("Bad Contact header"). */
	reason = err->reason && err->reason[0] ? err->reason : NULL;
	rc = begin(l, rx, err->status, reason, &b);
	if (rc < 0)
		return rc;
	if (err->status == 420)
		add_unsupported(l, &rx->msg, &b);
	return finish_send(l, rx, &b);
}
