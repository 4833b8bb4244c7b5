/*
 * tests/unit/check_dialog_edge.c: the dialog layer's edges (lib/dialog):
 * messages a well-behaved peer would not send, fed by hand to one UA on a
 * recording transport (responses without a To tag or Contact, a Contact
 * of "*", a Record-Route that does not decode, display names with
 * quoted-pairs and control characters, a NOTIFY that cannot make its
 * dialog), SUBSCRIBE dialogs with several notifiers, secure dialogs,
 * CSeq exhaustion, unusual route sets, the built-in random source, and a
 * re-INVITE whose 2xx is retransmitted.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "dlg_env.c"

static struct env E;
static struct solo S;

static const struct sl_dlg_via VIA = { "UDP", "192.0.2.99", 5060, NULL, 1 };

/* A set for @method from alice to bob on the solo UA; its request is
 * built into @req. */
static uint32_t solo_set(const char *method, unsigned flags, char *req,
			 size_t cap, size_t *len)
{
	struct sl_dlg_uac_params p;
	struct sl_dlg_req r = { .method = method };
	uint32_t set;
	int n;

	memset(&p, 0, sizeof(p));
	p.method = method;
	p.local_uri = "sip:alice@example.com";
	p.remote_uri = "sip:bob@example.com";
	p.contact = "sip:alice@192.0.2.99";
	p.call_id = "edge-call@192.0.2.99";
	p.local_tag = "atag";
	p.flags = flags;
	ck_assert_int_eq(sl__dlg_uac_create(S.dlg, &p, &set), 0);
	n = sl__dlg_build_request(S.dlg, set, &VIA, &r, req, cap, NULL);
	ck_assert_int_gt(n, 0);
	*len = (size_t)n;
	return set;
}

/* A response to request text @req: @status, To tag @tag (NULL: none),
 * then @extra header lines (each ending in CRLF, may be NULL). */
static struct sl_rxbuf *resp(const char *req, size_t len, int status,
			     const char *tag, const char *extra)
{
	static unsigned char mem[32 * 1024];
	char out[4096];
	struct sl_arena arena;
	struct sl_builder b;
	struct sl_msg m;
	struct sl_rxbuf *rx;
	int n;

	sl_arena_init(&arena, mem, sizeof(mem));
	ck_assert_int_eq(sl_msg_parse(&m, req, len, &arena, NULL, 0, NULL), 0);
	sl_build_init(&b, out, sizeof(out));
	sl_build_response(&b, &m, status, NULL, tag, 0);
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(n, 0);
	if (extra) {
		/* Extra lines go before the blank line. */
		char tmp[4096];
		size_t head = (size_t)n - 2, el = strlen(extra);

		ck_assert_uint_lt((size_t)n + el, sizeof(tmp));
		memcpy(tmp, out, head);
		memcpy(tmp + head, extra, el);
		memcpy(tmp + head + el, "\r\n", 2);
		n = (int)(head + el + 2);
		memcpy(out, tmp, (size_t)n);
	}
	rx = tf_rx_new(&S.te.rx, out, (size_t)n, SL_TP_UDP, "192.0.2.2", 5060,
		       0);
	ck_assert_ptr_nonnull(rx);
	return rx;
}

/* Text @buf as a request the solo UA's transaction layer received;
 * *@txn set to its server transaction (0 for an ACK). */
static struct sl_rxbuf *solo_rx(const char *buf, enum sl_tp tp, uint32_t *txn)
{
	struct sl_rxbuf *rx = tf_rx_new(&S.te.rx, buf, strlen(buf), tp,
					"192.0.2.1", 5060, 0);

	ck_assert_ptr_nonnull(rx);
	*txn = 0;
	if (sl__txn_recv(S.te.l, rx) == SL_TXN_RX_NEW)
		*txn = tf_env_last(&S.te, TF_EV_REQUEST)->txn;
	return rx;
}

/* ---- UAC responses a good peer would not send ---- */

START_TEST(uac_odd_responses)
{
	char req[4096];
	size_t len;
	uint32_t set, id, early;
	struct sl_rxbuf *rx;
	struct sl_dlg_info info;

	solo_up(&S, NULL);
	set = solo_set("INVITE", 0, req, sizeof(req), &len);
	/* 100 and a 1xx without a tag: nothing. */
	rx = resp(req, len, 100, NULL, NULL);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_DLG_UAC_NONE);
	rx = resp(req, len, 180, NULL, NULL);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_DLG_UAC_NONE);
	/* A 1xx with a tag and no Contact: early, target = Request-URI. */
	rx = resp(req, len, 180, "t1", NULL);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &early),
			 SL_DLG_UAC_EARLY_NEW);
	ck_assert_int_eq(sl__dlg_info(S.dlg, early, &info), 0);
	ck_assert_str_eq(info.remote_target.p, "sip:bob@example.com");
	/* A 1xx with a bad Contact leaves the target. */
	rx = resp(req, len, 183, "t1", "Contact: *\r\n");
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_DLG_UAC_EARLY);
	ck_assert_uint_eq(id, early);
	ck_assert_int_eq(sl__dlg_info(S.dlg, early, &info), 0);
	ck_assert_str_eq(info.remote_target.p, "sip:bob@example.com");
	/* A 2xx without a To tag or a usable Contact makes nothing. */
	rx = resp(req, len, 200, NULL, "Contact: <sip:bob@192.0.2.2>\r\n");
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_EINVAL);
	rx = resp(req, len, 200, "t2", NULL);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_EINVAL);
	rx = resp(req, len, 200, "t1", "Contact: *\r\n");
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_EINVAL);
	ck_assert_uint_eq(id, 0);
	ck_assert_int_eq(sl__dlg_info(S.dlg, early, &info), 0);
	ck_assert_int_eq(info.state, SL_DLG_STATE_EARLY);
	/* A Record-Route that does not decode. */
	rx = resp(req, len, 200, "t1", "Contact: <sip:bob@192.0.2.2>\r\n"
		  "Record-Route: <sip:p1.example.com;lr\r\n");
	if (rx)
		ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
				 SL_EINVAL);
	rx = resp(req, len, 200, "t1", "Contact: <sip:bob@192.0.2.2>\r\n");
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_DLG_UAC_CONFIRMED);
	/* Requests in that dialog: an UPDATE whose Contact is "*" keeps
	 * the target; a CANCEL skips the CSeq rules; a request without
	 * an RSeq is no reliable provisional. */
	{
		static const char fmt[] =
			"%s sip:alice@192.0.2.99 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK%s\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:bob@example.com>;tag=t1\r\n"
			"To: <sip:alice@example.com>;tag=atag\r\n"
			"Call-ID: edge-call@192.0.2.99\r\n"
			"CSeq: %u %s\r\n"
			"%s"
			"Content-Length: 0\r\n\r\n";
		char b2[2048];
		uint32_t txn, got;
		struct sl_rxbuf *q;

		snprintf(b2, sizeof(b2), fmt, "UPDATE", "u1", 5u, "UPDATE",
			 "Contact: *\r\n");
		q = solo_rx(b2, SL_TP_UDP, &txn);
		ck_assert_int_eq(sl__dlg_recv_request(S.dlg, txn, q, &got),
				 SL_DLG_RX_IN_DIALOG);
		ck_assert_uint_eq(got, id);
		ck_assert_int_eq(sl__dlg_info(S.dlg, id, &info), 0);
		ck_assert_str_eq(info.remote_target.p, "sip:bob@192.0.2.2");
		ck_assert_uint_eq(info.remote_cseq, 5);
		snprintf(b2, sizeof(b2), fmt, "CANCEL", "u2", 1u, "CANCEL", "");
		q = solo_rx(b2, SL_TP_UDP, &txn);
		ck_assert_int_eq(sl__dlg_recv_request(S.dlg, txn, q, &got),
				 SL_DLG_RX_IN_DIALOG);
		ck_assert_int_eq(sl__dlg_rseq_check(S.dlg, id,
						    resp(req, len, 183, "t1",
							 NULL)),
				 SL_EINVAL);
		ck_assert_int_eq(sl__dlg_rseq_check(S.dlg, id, q), SL_EINVAL);
		/* An answer that cannot be sent is the caller's error. */
		snprintf(b2, sizeof(b2), fmt, "INFO", "u3", 1u, "INFO", "");
		q = solo_rx(b2, SL_TP_UDP, &txn);
		S.te.rec.fail_next = SL_ETRANSPORT;
		ck_assert_int_eq(sl__dlg_recv_request(S.dlg, txn, q, &got),
				 SL_ETRANSPORT);
	}
	/* A late 1xx for the confirmed dialog: nothing. */
	rx = resp(req, len, 180, "t1", NULL);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
			 SL_DLG_UAC_NONE);
	/* Without a set: only a dialog-creating method's 2xx counts. */
	rx = resp(req, len, 486, "t3", NULL);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, 0, rx, &id),
			 SL_DLG_UAC_NONE);
	{
		char opt[4096];
		size_t olen;
		uint32_t oset;
		struct sl_dlg_uac_params p;
		struct sl_dlg_req r = { .method = "SUBSCRIBE" };
		int n;

		memset(&p, 0, sizeof(p));
		p.method = "SUBSCRIBE";
		p.local_uri = "sip:alice@example.com";
		p.remote_uri = "sip:bob@example.com";
		p.contact = "sip:alice@192.0.2.99";
		ck_assert_int_eq(sl__dlg_uac_create(S.dlg, &p, &oset), 0);
		n = sl__dlg_build_request(S.dlg, oset, &VIA, &r, opt,
					  sizeof(opt), NULL);
		ck_assert_int_gt(n, 0);
		olen = (size_t)n;
		/* Another set's response. */
		rx = resp(opt, olen, 202, "x", "Contact: <sip:b@h>\r\n");
		ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set, rx, &id),
				 SL_EINVAL);
		/* With no set, an OPTIONS 2xx makes no dialog. */
		{
			struct tf_req tr;
			char o[2048];
			size_t on;

			memset(&tr, 0, sizeof(tr));
			tr.method = "OPTIONS";
			on = tf_request(o, sizeof(o), &tr);
			rx = resp(o, on, 200, "x", "Contact: <sip:b@h>\r\n");
			ck_assert_int_eq(sl__dlg_uac_response(S.dlg, 0, rx,
							      &id),
					 SL_EINVAL);
		}
	}
	solo_down(&S);
}
END_TEST

/* SUBSCRIBE: no early dialogs; each notifier's 2xx is a dialog. */
START_TEST(subscribe_two_notifiers)
{
	char req[4096];
	size_t len;
	uint32_t set, d1, d2, id;
	struct sl_dlg_info info;

	solo_up(&S, NULL);
	set = solo_set("SUBSCRIBE", SL_DLG_UAC_SECURE, req, sizeof(req), &len);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 180, "n1", NULL),
					      &id), SL_DLG_UAC_NONE);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 202, "n1",
						   "Contact: <sip:n1@h>\r\n"),
					      &d1), SL_DLG_UAC_CONFIRMED);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 200, "n2",
						   "Contact: <sip:n2@h>\r\n"),
					      &d2), SL_DLG_UAC_CONFIRMED);
	ck_assert_uint_ne(d1, d2);
	/* The same 202 again: the same dialog, nothing to ACK. */
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 202, "n1",
						   "Contact: <sip:n1@h>\r\n"),
					      &id), SL_DLG_UAC_CONFIRMED);
	ck_assert_uint_eq(id, d1);
	ck_assert_int_eq(sl__dlg_info(S.dlg, d2, &info), 0);
	ck_assert_int_eq(info.method, SL_METHOD_SUBSCRIBE);
	ck_assert_uint_eq(info.sub_usages, 1);
	ck_assert_uint_eq(info.flags & SL_DLG_F_INVITE_USAGE, 0);
	/* The set's TLS + SIPS made both secure. */
	ck_assert_uint_eq(info.flags & SL_DLG_F_SECURE, SL_DLG_F_SECURE);
	/* No ACK in a SUBSCRIBE dialog. */
	ck_assert_int_eq(sl__dlg_build_ack(S.dlg, d1, &VIA, NULL, NULL, 0,
					   req, sizeof(req)), SL_ESTATE);
	ck_assert_int_eq(sl__dlg_usage_del(S.dlg, d1), 1);
	ck_assert_uint_eq(S.n_term, 1);
	ck_assert_int_eq(S.term[0].why, SL_DLG_END_USAGES);
	ck_assert_int_eq(sl__dlg_usage_add(S.dlg, d2), 0);
	ck_assert_int_eq(sl__dlg_usage_del(S.dlg, d2), 0);
	ck_assert_int_eq(sl__dlg_usage_del(S.dlg, d2), 1);
	/* A failure after the dialogs: the set has no early ones. */
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 489, "n3", NULL),
					      &id), SL_DLG_UAC_FAILED);
	solo_down(&S);
}
END_TEST

/* ---- UAS requests a good peer would not send ---- */

static const char INVITE_FMT[] =
	"INVITE %s SIP/2.0\r\n"
	"Via: SIP/2.0/%s 192.0.2.1:5060;branch=z9hG4bK%s\r\n"
	"Max-Forwards: 70\r\n"
	"From: \"Bo\\\"b\\\\ \\\x01x\" <sip:bob@example.com>;tag=%s\r\n"
	"To: <sip:alice@example.com>\r\n"
	"Call-ID: uas-edge@192.0.2.1\r\n"
	"CSeq: 7 INVITE\r\n"
	"%s"
	"Content-Length: 0\r\n\r\n";

START_TEST(uas_odd_requests)
{
	char buf[2048], out[2048];
	struct sl_dlg_uas_params up = { .contact = "sip:alice@192.0.2.99" };
	struct sl_dlg_req r = { .method = "BYE" };
	struct sl_dlg_info info;
	struct sl_txn_response ok = { .status = 200 };
	struct sl_rxbuf *rx;
	struct sl_msg m;
	uint32_t txn, id;
	int n;

	solo_up(&S, NULL);
	/* Contact: * is no target. */
	snprintf(buf, sizeof(buf), INVITE_FMT, "sip:alice@example.com", "UDP",
		 "e1", "f1", "Contact: *\r\n");
	rx = solo_rx(buf, SL_TP_UDP, &txn);
	ck_assert_int_eq(sl__dlg_uas_create(S.dlg, txn, rx, &up, &id),
			 SL_EPARSE);
	/* A Record-Route that does not decode. */
	snprintf(buf, sizeof(buf), INVITE_FMT, "sip:alice@example.com", "UDP",
		 "e2", "f2", "Contact: <sip:bob@192.0.2.1>\r\n"
		 "Record-Route: sip:p1 x y\r\n");
	rx = tf_rx_new(&S.te.rx, buf, strlen(buf), SL_TP_UDP, "192.0.2.1",
		       5060, 0);
	ck_assert_int_eq(sl__dlg_uas_create(S.dlg, 0, rx, &up, &id),
			 SL_EPARSE);
	/* Over TLS to a SIPS URI: secure. The display name's quoted-pairs
	 * are undone and its control character dropped. */
	snprintf(buf, sizeof(buf), INVITE_FMT, "sips:alice@example.com",
		 "TLS", "e3", "f3", "Contact: <sips:bob@192.0.2.1>\r\n");
	rx = tf_rx_new(&S.te.rx, buf, strlen(buf), SL_TP_TLS, "192.0.2.1",
		       5061, 9);
	ck_assert_ptr_nonnull(rx);
	ck_assert_int_eq(sl__txn_recv(S.te.l, rx), SL_TXN_RX_NEW);
	txn = tf_env_last(&S.te, TF_EV_REQUEST)->txn;
	ck_assert_int_eq(sl__dlg_uas_create(S.dlg, txn, rx, &up, &id), 0);
	ck_assert_int_eq(sl__dlg_info(S.dlg, id, &info), 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_SECURE, SL_DLG_F_SECURE);
	ck_assert_uint_eq(info.remote_cseq, 7);
	ck_assert_int_eq(sl__dlg_respond(S.dlg, id, txn, &ok), 0);
	n = sl__dlg_build_request(S.dlg, id, &VIA, &r, out, sizeof(out),
				  NULL);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(tf_parse(out, (size_t)n, &m), 0);
	ck_assert_str_eq(tf_hdr(&m, "To"),
			 "\"Bo\\\"b\\\\ x\" <sip:bob@example.com>;tag=f3");
	ck_assert_str_eq(env_ruri(&m), "sips:bob@192.0.2.1");
	solo_down(&S);
}
END_TEST

/* NOTIFY for a pending SUBSCRIBE that cannot make its dialog. */
START_TEST(notify_cannot_make_dialog)
{
	static const char fmt[] =
		"NOTIFY sip:alice@192.0.2.99 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK%s\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:bob@example.com>;tag=%s\r\n"
		"To: <sip:alice@example.com>;tag=atag\r\n"
		"Call-ID: edge-call@192.0.2.99\r\n"
		"CSeq: 1 NOTIFY\r\n"
		"Event: dialog\r\n"
		"Subscription-State: active\r\n"
		"%s"
		"Content-Length: 0\r\n\r\n";
	struct sl_dlg_config c;
	char req[4096], buf[2048];
	struct sl_dlg_stats st;
	struct sl_rxbuf *rx;
	uint32_t set, txn, id, made;
	size_t len;

	sl__dlg_config_init(&c);
	c.max_dialogs = 2;
	solo_up(&S, &c);
	set = solo_set("SUBSCRIBE", 0, req, sizeof(req), &len);
	/* Without a Contact: no dialog, so a 481. */
	snprintf(buf, sizeof(buf), fmt, "n1", "b1", "");
	rx = solo_rx(buf, SL_TP_UDP, &txn);
	ck_assert_int_eq(sl__dlg_recv_request(S.dlg, txn, rx, &id),
			 SL_DLG_RX_ANSWERED);
	ck_assert(tf_sent_is(&S.te.rec, S.te.rec.n - 1, "SIP/2.0 481"));
	/* The first one is made; the pool is then full: 503. */
	snprintf(buf, sizeof(buf), fmt, "n2", "b2",
		 "Contact: <sip:bob@192.0.2.2>\r\n");
	rx = solo_rx(buf, SL_TP_UDP, &txn);
	ck_assert_int_eq(sl__dlg_recv_request(S.dlg, txn, rx, &made),
			 SL_DLG_RX_NEW);
	snprintf(buf, sizeof(buf), fmt, "n3", "b3",
		 "Contact: <sip:bob2@192.0.2.2>\r\n");
	rx = solo_rx(buf, SL_TP_UDP, &txn);
	ck_assert_int_eq(sl__dlg_recv_request(S.dlg, txn, rx, &id),
			 SL_DLG_RX_ANSWERED);
	ck_assert(tf_sent_is(&S.te.rec, S.te.rec.n - 1, "SIP/2.0 503"));
	ck_assert_int_eq(sl__dlg_stats(S.dlg, &st), 0);
	ck_assert_uint_eq(st.rejected_503, 1);
	ck_assert_uint_eq(st.answered_481, 1);
	/* A NOTIFY for an INVITE set makes nothing: 481. */
	ck_assert_int_eq(sl__dlg_terminate(S.dlg, set), 0);
	ck_assert_int_eq(sl__dlg_terminate(S.dlg, made), 0);
	set = solo_set("INVITE", 0, req, sizeof(req), &len);
	snprintf(buf, sizeof(buf), fmt, "n4", "b4",
		 "Contact: <sip:bob@192.0.2.2>\r\n");
	rx = solo_rx(buf, SL_TP_UDP, &txn);
	ck_assert_int_eq(sl__dlg_recv_request(S.dlg, txn, rx, &id),
			 SL_DLG_RX_ANSWERED);
	ck_assert(tf_sent_is(&S.te.rec, S.te.rec.n - 1, "SIP/2.0 481"));
	(void)set;
	solo_down(&S);
}
END_TEST

/* ---- numbers, routes, randomness ---- */

START_TEST(cseq_limit)
{
	struct sl_dlg_uac_params p;
	struct sl_dlg_req r = { .method = "INVITE" };
	char buf[4096];
	uint32_t set, cseq;

	solo_up(&S, NULL);
	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:a@example.com";
	p.remote_uri = "sip:b@example.com";
	p.contact = "sip:a@192.0.2.99";
	p.cseq = 0x7fffffffu;
	ck_assert_int_eq(sl__dlg_uac_create(S.dlg, &p, &set), 0);
	ck_assert_int_gt(sl__dlg_build_request(S.dlg, set, &VIA, &r, buf,
					       sizeof(buf), &cseq), 0);
	ck_assert_uint_eq(cseq, 0x7fffffffu);
	/* §8.1.1.5: 2^31 is out of range. */
	ck_assert_int_eq(sl__dlg_build_request(S.dlg, set, &VIA, &r, buf,
					       sizeof(buf), &cseq), SL_ELIMIT);
	solo_down(&S);
}
END_TEST

/* Preloaded routes: a strict router with headers only, and a URI that
 * does not parse (sent on as a Route, never rewritten). */
START_TEST(odd_routes)
{
	const char *strict[] = { "sip:strict.example.com?X=1",
				 "sip:next.example.com;lr" };
	const char *broken[] = { "sip:[::1" };
	struct sl_dlg_uac_params p;
	struct sl_dlg_req r = { .method = "INVITE" };
	struct sl_msg m;
	char buf[4096];
	uint32_t set;
	int n;

	solo_up(&S, NULL);
	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:a@example.com";
	p.remote_uri = "sip:b@example.com";
	p.contact = "sip:a@192.0.2.99";
	p.routes = strict;
	p.n_routes = 2;
	ck_assert_int_eq(sl__dlg_uac_create(S.dlg, &p, &set), 0);
	n = sl__dlg_build_request(S.dlg, set, &VIA, &r, buf, sizeof(buf),
				  NULL);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(tf_parse(buf, (size_t)n, &m), 0);
	ck_assert_str_eq(env_ruri(&m), "sip:strict.example.com");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 0),
			 "<sip:next.example.com;lr>");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 1), "<sip:b@example.com>");
	p.routes = broken;
	p.n_routes = 1;
	ck_assert_int_eq(sl__dlg_uac_create(S.dlg, &p, &set), 0);
	n = sl__dlg_build_request(S.dlg, set, &VIA, &r, buf, sizeof(buf),
				  NULL);
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(buf, "INVITE sip:b@example.com SIP/2.0"));
	ck_assert_ptr_nonnull(strstr(buf, "Route: <sip:[::1>\r\n"));
	/* A header name the builder refuses: nothing used up. */
	{
		struct sl_txn_hdr bad = { "Bad Name", "x" };
		uint32_t cseq;

		r.hdrs = &bad;
		r.n_hdrs = 1;
		ck_assert_int_eq(sl__dlg_build_request(S.dlg, set, &VIA, &r,
						       buf, sizeof(buf),
						       NULL), SL_EINVAL);
		r.hdrs = NULL;
		r.n_hdrs = 0;
		ck_assert_int_gt(sl__dlg_build_request(S.dlg, set, &VIA, &r,
						       buf, sizeof(buf),
						       &cseq), 0);
		ck_assert_uint_eq(cseq, 2);
	}
	solo_down(&S);
}
END_TEST

/* Without an injected source the table's own generator is used: the
 * back-off stays in its ranges and a seed repeats it. */
START_TEST(builtin_random)
{
	struct sl_dlg_config c;
	char req[4096];
	size_t len;
	uint32_t set, id;
	int first[8];

	sl__dlg_config_init(&c);
	c.seed = 1234;
	for (int round = 0; round < 2; round++) {
		solo_up(&S, &c);
		set = solo_set("INVITE", 0, req, sizeof(req), &len);
		ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
				 resp(req, len, 200, "x",
				      "Contact: <sip:b@h>\r\n"), &id),
				 SL_DLG_UAC_CONFIRMED);
		for (int i = 0; i < 8; i++) {
			int v = sl__dlg_glare_backoff(S.dlg, id);

			ck_assert_int_ge(v, 210);
			ck_assert_int_le(v, 400);
			if (round == 0)
				first[i] = v;
			else
				ck_assert_int_eq(v, first[i]);
		}
		solo_down(&S);
	}
	/* Seed 0: from the kernel. */
	c.seed = 0;
	solo_up(&S, &c);
	set = solo_set("INVITE", 0, req, sizeof(req), &len);
	(void)set;
	solo_down(&S);
}
END_TEST

/* ---- a re-INVITE's 2xx retransmitted (§13.2.2.4, §13.3.1.4) ---- */

START_TEST(reinvite_2xx_retransmitted)
{
	struct env_rq *inv;
	uint32_t set, a, b, txn;
	struct sl_txn_response ringing = { .status = 180 };

	env_up(&E, NULL, NULL);
	set = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	b = ua_uas(&E.b, inv, "bt");
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 200), 0);
	env_run(&E, 5);
	a = ua_last_rs(&E.a, SL_METHOD_INVITE)->dlg;
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, inv->txn, &ringing), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->status, 180);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RESP_OK);
	/* The 200; A's ACK is lost; B resends; A ACKs again. */
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 200), 0);
	E.net.cfg.drop_pct = 100;
	env_run(&E, 3);
	E.net.cfg.drop_pct = 0;
	ck_assert_uint_eq(ua_count_sent(&E.a, "ACK "), 2);
	env_run(&E, 600);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RESP_RETRANSMIT);
	ck_assert_uint_eq(ua_count_sent(&E.a, "ACK "), 3);
	ck_assert_ptr_nonnull(strstr(ua_last_sent(&E.a, "ACK ")->buf,
				     "CSeq: 2 ACK\r\n"));
	ck_assert_uint_eq(E.b.n_ack, 2);
	ck_assert_int_eq(E.b.ack[1].verdict, SL_DLG_RX_ACK);
	env_run(&E, 40000);
	ck_assert_uint_eq(E.b.n_no_ack, 0);
	(void)set;
	env_down(&E);
}
END_TEST

/* Pools and text that run out in the middle of things. */
START_TEST(exhaustion_midway)
{
	struct sl_dlg_config c;
	struct sl_dlg_uac_params p;
	char req[4096], longuri[300];
	size_t len;
	uint32_t set, id;

	sl__dlg_config_init(&c);
	c.max_dialogs = 2;
	c.text_size = SL_DLG_TEXT_MIN;
	solo_up(&S, &c);
	/* A set whose own text does not fit. */
	memset(&p, 0, sizeof(p));
	memset(longuri, 'u', sizeof(longuri) - 1);
	longuri[sizeof(longuri) - 1] = '\0';
	memcpy(longuri, "sip:", 4);
	p.local_uri = longuri;
	p.remote_uri = "sip:b@example.com";
	p.remote_display = "Bob";
	p.contact = "sip:a@192.0.2.99";
	ck_assert_int_eq(sl__dlg_uac_create(S.dlg, &p, &set), SL_ETOOBIG);
	/* One set and one early dialog fill the pool: the second fork's
	 * early dialog and a 2xx from a third cannot be made. */
	set = solo_set("INVITE", 0, req, sizeof(req), &len);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 180, "f1", NULL),
					      &id), SL_DLG_UAC_EARLY_NEW);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 180, "f2", NULL),
					      &id), SL_ENOMEM);
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 200, "f3",
						   "Contact: <sip:b@h>\r\n"),
					      &id), SL_ENOMEM);
	/* A confirming 2xx whose route set does not fit the text. */
	{
		static const char head[] =
			"Contact: <sip:b@h>\r\nRecord-Route: <sip:";
		char rr[600];
		size_t hl = sizeof(head) - 1;

		memset(rr, 0, sizeof(rr));
		memcpy(rr, head, hl);
		memset(rr + hl, 'r', 250);
		memcpy(rr + hl + 250, ";lr>\r\n", 7);
		ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
						      resp(req, len, 200,
							   "f1", rr),
						      &id), SL_ETOOBIG);
	}
	/* Still early; the usage counter has a ceiling. */
	ck_assert_int_eq(sl__dlg_uac_response(S.dlg, set,
					      resp(req, len, 183, "f1", NULL),
					      &id), SL_DLG_UAC_EARLY);
	for (int i = 0; i < 65535; i++)
		ck_assert_int_eq(sl__dlg_usage_add(S.dlg, id), 0);
	ck_assert_int_eq(sl__dlg_usage_add(S.dlg, id), SL_ELIMIT);
	/* A dialog set cannot answer requests. */
	{
		struct sl_txn_response ok = { .status = 200 };

		ck_assert_int_eq(sl__dlg_respond(S.dlg, set, 1, &ok),
				 SL_ESTATE);
	}
	solo_down(&S);
}
END_TEST

/* The UAS's 2xx retransmission stops when its transaction is gone. */
START_TEST(uas_2xx_txn_gone)
{
	struct env_rq *inv;
	uint32_t b;

	env_up(&E, NULL, NULL);
	E.a.auto_ack = 0;
	ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	b = ua_uas(&E.b, inv, "bt");
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 200), 0);
	ck_assert_int_eq(sl__txn_abort(E.b.txn, inv->txn), 0);
	env_run(&E, 40000);
	ck_assert_uint_eq(ua_count_sent(&E.b, "SIP/2.0 200"), 1);
	ck_assert_uint_eq(E.b.n_no_ack, 0);
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	env_down(&E);
}
END_TEST

Suite *check_dialog_edge_suite(void);

Suite *check_dialog_edge_suite(void)
{
	Suite *s = suite_create("dialog_edge");
	TCase *tc = tcase_create("peers");

	tcase_add_test(tc, uac_odd_responses);
	tcase_add_test(tc, subscribe_two_notifiers);
	tcase_add_test(tc, uas_odd_requests);
	tcase_add_test(tc, notify_cannot_make_dialog);
	tcase_add_test(tc, reinvite_2xx_retransmitted);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, cseq_limit);
	tcase_add_test(tc, odd_routes);
	tcase_add_test(tc, builtin_random);
	tcase_add_test(tc, exhaustion_midway);
	tcase_add_test(tc, uas_2xx_txn_gone);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_dialog_edge_suite)
