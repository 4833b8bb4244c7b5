/*
 * tests/unit/check_dialog_rx.c: requests within dialogs (lib/dialog,
 * RFC 3261 §12.2, §14; RFC 3262; RFC 3311; RFC 5057; RFC 6665
 * §4.1.2.4): route sets with loose routers and a strict one, CSeq
 * numbering and the out-of-order 500, remote target refresh, 481 for a
 * request of no dialog, 491 on simultaneous re-INVITEs and the back-off,
 * 500 with Retry-After for overlapping INVITEs, which responses end a
 * usage or the dialog, PRACK sequencing, a NOTIFY ahead of its 2xx. Two
 * real transaction layers on the virtual clock (dlg_env.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "dlg_env.c"

static struct env E;

/* A calls B with @extra headers on the INVITE; B answers 200; A ACKs. */
static void call(const struct sl_txn_hdr *extra, unsigned n_extra,
		 uint32_t *a, uint32_t *b)
{
	struct env_rq *inv;
	struct env_rs *rs;

	ua_invite(&E.a, NULL, extra, n_extra);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_ptr_nonnull(inv);
	*b = ua_uas(&E.b, inv, "bobtag");
	ck_assert_int_eq(ua_respond(&E.b, *b, inv, 200), 0);
	env_run(&E, 5);
	rs = ua_last_rs(&E.a, SL_METHOD_INVITE);
	ck_assert_int_eq(rs->verdict, SL_DLG_UAC_CONFIRMED);
	*a = rs->dlg;
	ck_assert_uint_eq(E.b.n_ack, 1);
}

static struct sl_msg parsed_last(const struct ua *u, const char *prefix)
{
	struct sl_msg m;

	env_parse(ua_last_sent(u, prefix), &m);
	return m;
}

/* ---- route sets (§12.1.1, §12.1.2, §12.2.1.1) ---- */

START_TEST(route_set_loose)
{
	/* As two proxies record-routed the INVITE: p1 first, then p2 on
	 * top of it. */
	static const struct sl_txn_hdr rr[] = {
		{ "Record-Route", "<sip:p2.example.com;lr>" },
		{ "Record-Route", "<sip:p1.example.com;lr;ftag=x>" },
	};
	struct sl_slice s;
	struct sl_msg m;
	uint32_t a, b, txn;

	env_up(&E, NULL, NULL);
	call(rr, 2, &a, &b);
	/* The 200 copied the Record-Route, in order (§12.1.1). */
	m = parsed_last(&E.b, "SIP/2.0 200");
	ck_assert_str_eq(env_hdr_n(&m, "Record-Route", 0),
			 "<sip:p2.example.com;lr>");
	ck_assert_str_eq(env_hdr_n(&m, "Record-Route", 1),
			 "<sip:p1.example.com;lr;ftag=x>");
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 0),
			 "<sip:bob@192.0.2.2:5060>");
	/* B: in order; A: reversed. */
	ck_assert_int_eq(sl__dlg_route(E.b.dlg, b, 0, &s), 0);
	ck_assert_str_eq(s.p, "sip:p2.example.com;lr");
	ck_assert_int_eq(sl__dlg_route(E.b.dlg, b, 1, &s), 0);
	ck_assert_str_eq(s.p, "sip:p1.example.com;lr;ftag=x");
	ck_assert_int_eq(sl__dlg_route(E.b.dlg, b, 2, &s), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_route(E.a.dlg, a, 0, &s), 0);
	ck_assert_str_eq(s.p, "sip:p1.example.com;lr;ftag=x");
	ck_assert_int_eq(sl__dlg_route(E.a.dlg, a, 1, &s), 0);
	ck_assert_str_eq(s.p, "sip:p2.example.com;lr");
	ck_assert_int_eq(sl__dlg_next_hop(E.a.dlg, a, &s), 0);
	ck_assert_str_eq(s.p, "sip:p1.example.com;lr;ftag=x");
	/* The ACK already followed the route set. */
	m = parsed_last(&E.a, "ACK ");
	ck_assert_str_eq(env_ruri(&m), "sip:bob@192.0.2.2:5060");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 0),
			 "<sip:p1.example.com;lr;ftag=x>");
	/* Loose routing: Request-URI = remote target, Route = route set. */
	ck_assert_int_eq(ua_send(&E.a, a, "INFO", NULL, 0, &txn), 0);
	m = parsed_last(&E.a, "INFO ");
	ck_assert_str_eq(env_ruri(&m), "sip:bob@192.0.2.2:5060");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 0),
			 "<sip:p1.example.com;lr;ftag=x>");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 1), "<sip:p2.example.com;lr>");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 2), "");
	ck_assert_str_eq(env_hdr_n(&m, "Max-Forwards", 0), "70");
	ck_assert_ptr_nonnull(strstr(env_hdr_n(&m, "To", 0), ";tag=bobtag"));
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "2 INFO");
	ck_assert_ptr_nonnull(strstr(env_hdr_n(&m, "Via", 0),
				     "SIP/2.0/UDP 192.0.2.1:5060;branch="
				     "z9hG4bK"));
	ck_assert_int_eq(ua_send(&E.b, b, "INFO", NULL, 0, &txn), 0);
	m = parsed_last(&E.b, "INFO ");
	ck_assert_str_eq(env_ruri(&m), "sip:alice@192.0.2.1:5060");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 0), "<sip:p2.example.com;lr>");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 1),
			 "<sip:p1.example.com;lr;ftag=x>");
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "1 INFO");
	env_down(&E);
}
END_TEST

START_TEST(route_set_strict)
{
	/* The proxy next to A is a strict (RFC 2543) router. */
	static const struct sl_txn_hdr rr[] = {
		{ "Record-Route", "<sip:p2.example.com;lr>" },
		{ "Record-Route", "<sip:strict.example.com;transport=udp;"
				  "method=INVITE?Subject=x>" },
	};
	struct sl_slice s;
	struct sl_msg m;
	uint32_t a, b, txn;

	env_up(&E, NULL, NULL);
	call(rr, 2, &a, &b);
	ck_assert_int_eq(sl__dlg_next_hop(E.a.dlg, a, &s), 0);
	ck_assert_str_eq(s.p, "sip:strict.example.com;transport=udp;"
			 "method=INVITE?Subject=x");
	/* §12.2.1.1: the strict router's URI is the Request-URI, without
	 * what a Request-URI may not carry; the remote target goes last. */
	ck_assert_int_eq(ua_send(&E.a, a, "BYE", NULL, 0, &txn), 0);
	m = parsed_last(&E.a, "BYE ");
	ck_assert_str_eq(env_ruri(&m), "sip:strict.example.com;transport=udp");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 0), "<sip:p2.example.com;lr>");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 1),
			 "<sip:bob@192.0.2.2:5060>");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 2), "");
	m = parsed_last(&E.a, "ACK ");
	ck_assert_str_eq(env_ruri(&m), "sip:strict.example.com;transport=udp");
	/* B's first hop is the loose p2: normal loose routing. */
	env_run(&E, 5);
	ck_assert_uint_eq(ua_count_rq(&E.b, SL_METHOD_BYE), 1);
	env_down(&E);
}
END_TEST

/* A strict router that is the only route, without parameters. */
START_TEST(route_set_strict_alone)
{
	static const struct sl_txn_hdr rr[] = {
		{ "Record-Route", "<sip:10.0.0.1:5062>" },
	};
	struct sl_msg m;
	uint32_t a, b, txn;

	env_up(&E, NULL, NULL);
	call(rr, 1, &a, &b);
	ck_assert_int_eq(ua_send(&E.a, a, "INFO", NULL, 0, &txn), 0);
	m = parsed_last(&E.a, "INFO ");
	ck_assert_str_eq(env_ruri(&m), "sip:10.0.0.1:5062");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 0),
			 "<sip:bob@192.0.2.2:5060>");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 1), "");
	env_down(&E);
}
END_TEST

/* Route sets that do not fit are refused, nothing half-stored. */
START_TEST(route_set_limits)
{
	static const struct sl_txn_hdr rr[] = {
		{ "Record-Route", "<sip:p1.example.com;lr>" },
		{ "Record-Route", "<sip:p2.example.com;lr>" },
		{ "Record-Route", "<sip:p3.example.com;lr>" },
	};
	struct sl_dlg_config cb;
	struct sl_dlg_uas_params up = { .contact = "sip:bob@192.0.2.2" };
	struct env_rq *inv;
	uint32_t id;

	sl__dlg_config_init(&cb);
	cb.max_routes = 2;
	env_up(&E, NULL, &cb);
	ua_invite(&E.a, NULL, rr, 3);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, inv->rx, &up,
					    &id), SL_ETOOBIG);
	/* Argument checks of the UAS side. */
	ck_assert_int_eq(sl__dlg_uas_create(NULL, inv->txn, inv->rx, &up,
					    &id), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, NULL, &up,
					    &id), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, inv->rx, NULL,
					    &id), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, inv->rx, &up,
					    NULL), SL_EINVAL);
	env_down(&E);

	/* The text of a dialog is bounded too. */
	sl__dlg_config_init(&cb);
	cb.text_size = SL_DLG_TEXT_MIN;
	env_up(&E, NULL, &cb);
	{
		static char big[300];
		struct sl_txn_hdr h = { "Record-Route", big };

		memset(big, 0, sizeof(big));
		memcpy(big, "<sip:", 5);
		memset(big + 5, 'p', 240);
		memcpy(big + 245, ".example.com;lr>", 17);
		ua_invite(&E.a, NULL, &h, 1);
		env_run(&E, 5);
		inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
		ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn,
						    inv->rx, &up, &id),
				 SL_ETOOBIG);
	}
	env_down(&E);
}
END_TEST

/* ---- CSeq (§12.2.1.1, §12.2.2) ---- */

START_TEST(cseq_rules)
{
	struct sl_dlg_req r = { .method = "INFO" };
	struct sl_dlg_via via;
	struct sl_dlg_info bi;
	struct sl_dlg_stats st;
	struct env_rq *rq;
	char b3[4096], b4[4096], ack[4096];
	uint32_t a, b, txn, c3, c4, c;
	int n3, n4, n;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	ck_assert_int_eq(ua_send(&E.a, a, "INFO", NULL, 0, &txn), 0);
	env_run(&E, 5);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &bi), 0);
	ck_assert_uint_eq(bi.remote_cseq, 2);
	/* Two requests, the later sent first: the earlier is out of order
	 * and gets a 500 (§12.2.2). */
	via = ua_via(&E.a);
	n3 = sl__dlg_build_request(E.a.dlg, a, &via, &r, b3, sizeof(b3), &c3);
	via = ua_via(&E.a);
	n4 = sl__dlg_build_request(E.a.dlg, a, &via, &r, b4, sizeof(b4), &c4);
	ck_assert_uint_eq(c3, 3);
	ck_assert_uint_eq(c4, 4);
	ua_send_raw(&E.a, a, b4, (size_t)n4);
	env_run(&E, 5);
	ua_send_raw(&E.a, a, b3, (size_t)n3);
	env_run(&E, 5);
	rq = ua_last_rq(&E.b, SL_METHOD_INFO);
	ck_assert_uint_eq(rq->cseq, 3);
	ck_assert_int_eq(rq->verdict, SL_DLG_RX_ANSWERED);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INFO)->status, 500);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INFO)->verdict,
			 SL_DLG_RESP_OK);
	ck_assert_int_eq(sl__dlg_stats(E.b.dlg, &st), 0);
	ck_assert_uint_eq(st.answered_500, 1);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &bi), 0);
	ck_assert_uint_eq(bi.remote_cseq, 4);
	/* An equal number is not out of order. */
	via = ua_via(&E.a);
	r.cseq = 4;
	n = sl__dlg_build_request(E.a.dlg, a, &via, &r, b3, sizeof(b3), &c);
	ck_assert_uint_eq(c, 4);
	ua_send_raw(&E.a, a, b3, (size_t)n);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_INFO)->verdict,
			 SL_DLG_RX_IN_DIALOG);
	/* Only numbers already used may be given (a fail-over resend). */
	r.cseq = 5;
	ck_assert_int_eq(sl__dlg_build_request(E.a.dlg, a, &via, &r, b3,
					       sizeof(b3), NULL), SL_EINVAL);
	/* The ACK keeps the INVITE's number and skips the rule. */
	via = ua_via(&E.a);
	n = sl__dlg_build_ack(E.a.dlg, a, &via, NULL, NULL, 0, ack,
			      sizeof(ack));
	ck_assert_int_gt(n, 0);
	ck_assert_ptr_nonnull(strstr(ack, "CSeq: 1 ACK\r\n"));
	ck_assert_int_eq(sl__txn_send(E.a.txn, &(struct sl_tp_dest){
					      .tp = SL_TP_UDP }, ack,
				      (size_t)n), 0);
	env_run(&E, 5);
	ck_assert_uint_eq(E.b.n_ack, 2);
	ck_assert_int_eq(E.b.ack[1].verdict, SL_DLG_RX_ACK);
	/* The numbering goes on from the highest used. */
	ck_assert_int_eq(ua_send(&E.a, a, "INFO", NULL, 0, &txn), 0);
	ck_assert_ptr_nonnull(strstr(ua_last_sent(&E.a, "INFO ")->buf,
				     "CSeq: 5 INFO"));
	env_down(&E);
}
END_TEST

/* ---- target refresh (§12.2.1.2, §12.2.2, RFC 3311) ---- */

START_TEST(target_refresh)
{
	static const struct sl_txn_hdr moved[] = {
		{ "Contact", "<sip:bob@192.0.2.22:5070>" },
	};
	static const struct sl_txn_hdr moved_again[] = {
		{ "m", "<sip:bob@192.0.2.33>;expires=60" },
	};
	struct sl_txn_response ok = { .status = 200, .hdrs = moved,
				      .n_hdrs = 1 };
	struct sl_dlg_info ai;
	struct env_rq *rq;
	struct sl_msg m;
	uint32_t a, b, txn;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	/* A re-INVITE whose 2xx names a new target. */
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	rq = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_int_eq(rq->verdict, SL_DLG_RX_IN_DIALOG);
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, rq->txn, &ok), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RESP_OK);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &ai), 0);
	ck_assert_str_eq(ai.remote_target.p, "sip:bob@192.0.2.22:5070");
	ck_assert_uint_eq(ai.invite_cseq, 2);
	/* One Contact only: ours was not added to the caller's. */
	m = parsed_last(&E.b, "SIP/2.0 200");
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 1), "");
	/* The ACK for the re-INVITE: the new target, CSeq 2. */
	m = parsed_last(&E.a, "ACK ");
	ck_assert_str_eq(env_ruri(&m), "sip:bob@192.0.2.22:5070");
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "2 ACK");
	ck_assert_uint_eq(E.b.n_ack, 2);
	/* A target refresh request (UPDATE) moves it again. */
	ck_assert_int_eq(ua_send(&E.b, b, "UPDATE", moved_again, 1, &txn), 0);
	m = parsed_last(&E.b, "UPDATE ");
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 0),
			 "<sip:bob@192.0.2.33>;expires=60");
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 1), "");
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.a, SL_METHOD_UPDATE)->verdict,
			 SL_DLG_RX_IN_DIALOG);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &ai), 0);
	ck_assert_str_eq(ai.remote_target.p, "sip:bob@192.0.2.33");
	/* Not a target refresh: INFO with a Contact changes nothing. */
	ck_assert_int_eq(ua_send(&E.b, b, "INFO", moved, 1, &txn), 0);
	env_run(&E, 5);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &ai), 0);
	ck_assert_str_eq(ai.remote_target.p, "sip:bob@192.0.2.33");
	ck_assert_int_eq(ua_send(&E.a, a, "INFO", NULL, 0, &txn), 0);
	m = parsed_last(&E.a, "INFO ");
	ck_assert_str_eq(env_ruri(&m), "sip:bob@192.0.2.33");
	/* Our own Contact changes too (RFC 5626 flows, a new address). */
	ck_assert_int_eq(sl__dlg_set_contact(E.a.dlg, a, "sip:alice@10.1.1.1"),
			 0);
	ck_assert_int_eq(sl__dlg_set_contact(E.a.dlg, a, ""), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_set_contact(NULL, a, "sip:x"), SL_EINVAL);
	env_run(&E, 5);
	ck_assert_int_eq(ua_send(&E.a, a, "UPDATE", NULL, 0, &txn), 0);
	m = parsed_last(&E.a, "UPDATE ");
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 0), "<sip:alice@10.1.1.1>");
	env_run(&E, 5);
	rq = ua_last_rq(&E.b, SL_METHOD_UPDATE);
	ck_assert_int_eq(ua_respond(&E.b, b, rq, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &ai), 0);
	ck_assert_str_eq(ai.remote_target.p, "sip:alice@10.1.1.1");
	env_down(&E);
}
END_TEST

/* ---- §12.2.2: requests of no dialog ---- */

START_TEST(unknown_dialog)
{
	char buf[2048];
	struct tf_req req;
	struct sl_dlg_stats st;
	struct env_rq *rq;
	size_t n;
	uint32_t a, b, id;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	/* A request with a To tag nobody has: 481. */
	memset(&req, 0, sizeof(req));
	req.method = "INFO";
	req.to_tag = "nosuchtag";
	req.branch = "z9hG4bKunknown1";
	req.call_id = "other@192.0.2.1";
	req.cseq = 5;
	n = tf_request(buf, sizeof(buf), &req);
	ua_send_raw(&E.a, 0, buf, n);
	/* An ACK of no dialog is dropped, never answered. */
	req.method = "ACK";
	req.branch = "z9hG4bKunknown2";
	n = tf_request(buf, sizeof(buf), &req);
	ck_assert_int_eq(sl__txn_send(E.a.txn, &(struct sl_tp_dest){
					      .tp = SL_TP_UDP }, buf, n), 0);
	/* A CANCEL with a To tag is left to the transaction layer. */
	req.method = "CANCEL";
	req.branch = "z9hG4bKunknown3";
	n = tf_request(buf, sizeof(buf), &req);
	ua_send_raw(&E.a, 0, buf, n);
	/* An ACK without a To tag, and a request without one. */
	req.method = "ACK";
	req.to_tag = NULL;
	req.branch = "z9hG4bKunknown4";
	n = tf_request(buf, sizeof(buf), &req);
	ck_assert_int_eq(sl__txn_send(E.a.txn, &(struct sl_tp_dest){
					      .tp = SL_TP_UDP }, buf, n), 0);
	env_run(&E, 5);
	rq = ua_last_rq(&E.b, SL_METHOD_INFO);
	ck_assert_int_eq(rq->verdict, SL_DLG_RX_ANSWERED);
	ck_assert_uint_eq(rq->id, 0);
	ck_assert_int_eq(ua_count_rs(&E.a, 481), 1);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_CANCEL)->verdict,
			 SL_DLG_RX_OUTSIDE);
	ck_assert_uint_eq(E.b.n_ack, 3);
	ck_assert_int_eq(E.b.ack[1].verdict, SL_DLG_RX_ABSORBED);
	ck_assert_int_eq(E.b.ack[2].verdict, SL_DLG_RX_ABSORBED);
	ck_assert_int_eq(sl__dlg_stats(E.b.dlg, &st), 0);
	ck_assert_uint_eq(st.answered_481, 1);
	ck_assert_uint_eq(st.absorbed_ack, 2);
	/* Our dialog with the tags swapped is not our dialog. */
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	/* Argument checks. */
	ck_assert_int_eq(sl__dlg_recv_request(NULL, 1, rq->rx, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_recv_request(E.b.dlg, 1, NULL, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_recv_request(E.b.dlg, 1, rq->rx, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_recv_request(E.b.dlg, 0, rq->rx, &id),
			 SL_EINVAL);
	env_down(&E);
}
END_TEST

/* ---- §14: glare ---- */

START_TEST(reinvite_glare_491)
{
	struct sl_dlg_info info;
	struct sl_dlg_stats st;
	uint32_t a, b, ta, tb;
	int back;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &info), 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_INVITE_PENDING, 0);
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &ta), 0);
	ck_assert_int_eq(ua_send(&E.b, b, "INVITE", NULL, 0, &tb), 0);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &info), 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_INVITE_PENDING,
			  SL_DLG_F_INVITE_PENDING);
	/* §14.1: not a second one of our own while one is pending. */
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &ta), SL_ESTATE);
	env_run(&E, 10);
	ck_assert_int_eq(ua_last_rq(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RX_ANSWERED);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RX_ANSWERED);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->status, 491);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RESP_GLARE);
	ck_assert_int_eq(ua_last_rs(&E.b, SL_METHOD_INVITE)->status, 491);
	ck_assert_int_eq(ua_last_rs(&E.b, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RESP_GLARE);
	ck_assert_int_eq(sl__dlg_stats(E.a.dlg, &st), 0);
	ck_assert_uint_eq(st.answered_491, 1);
	/* Both dialogs live on. */
	ck_assert_int_eq(ua_state(&E.a, a), SL_DLG_STATE_CONFIRMED);
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	/* §14.1 back-off: A chose the Call-ID: 2.1-4 s; B: 0-2 s. */
	E.a.fixed_random = 1;
	E.b.fixed_random = 1;
	E.a.rnd = E.b.rnd = 0;
	ck_assert_int_eq(sl__dlg_glare_backoff(E.a.dlg, a), 210);
	ck_assert_int_eq(sl__dlg_glare_backoff(E.b.dlg, b), 0);
	E.a.rnd = E.b.rnd = 190;
	ck_assert_int_eq(sl__dlg_glare_backoff(E.a.dlg, a), 400);
	E.a.rnd = E.b.rnd = 200;
	ck_assert_int_eq(sl__dlg_glare_backoff(E.b.dlg, b), 200);
	ck_assert_int_eq(sl__dlg_glare_backoff(E.a.dlg, a), 210 + 9);
	E.a.fixed_random = E.b.fixed_random = 0;
	for (int i = 0; i < 200; i++) {
		back = sl__dlg_glare_backoff(E.a.dlg, a);
		ck_assert_int_ge(back, 210);
		ck_assert_int_le(back, 400);
		back = sl__dlg_glare_backoff(E.b.dlg, b);
		ck_assert_int_ge(back, 0);
		ck_assert_int_le(back, 200);
	}
	ck_assert_int_eq(sl__dlg_glare_backoff(NULL, a), SL_EINVAL);
	/* After the back-off A's retry goes through. */
	env_run(&E, 3000);
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &ta), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RX_IN_DIALOG);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &info), 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_INVITE_PENDING,
			  SL_DLG_F_INVITE_PENDING);
	/* While B holds it unanswered, B may not re-INVITE either. */
	ck_assert_int_eq(ua_send(&E.b, b, "INVITE", NULL, 0, &tb), SL_ESTATE);
	ck_assert_int_eq(ua_respond(&E.b, b, ua_last_rq(&E.b,
							SL_METHOD_INVITE),
				    200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->status, 200);
	ck_assert_int_eq(ua_send(&E.b, b, "INVITE", NULL, 0, &tb), 0);
	env_down(&E);
}
END_TEST

START_TEST(overlapping_invite_500)
{
	struct sl_dlg_req r = { .method = "INVITE" };
	struct sl_dlg_via via;
	struct sl_msg m;
	struct env_rs *rs;
	char buf[4096];
	uint32_t a, b, txn;
	int n;

	env_up(&E, NULL, NULL);
	E.b.fixed_random = 1;
	E.b.rnd = 29;                   /* 29 % 11 = 7 seconds */
	call(NULL, 0, &a, &b);
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RX_IN_DIALOG);
	/* B has not answered; a misbehaving A sends another INVITE (built
	 * by hand: sl__dlg_send_request() would refuse). */
	via = ua_via(&E.a);
	n = sl__dlg_build_request(E.a.dlg, a, &via, &r, buf, sizeof(buf),
				  NULL);
	ck_assert_int_gt(n, 0);
	ua_send_raw(&E.a, a, buf, (size_t)n);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RX_ANSWERED);
	rs = ua_last_rs(&E.a, SL_METHOD_INVITE);
	ck_assert_int_eq(rs->status, 500);
	ck_assert_int_eq(tf_parse(rs->text, strlen(rs->text), &m), 0);
	ck_assert_str_eq(tf_hdr(&m, "Retry-After"), "7");
	ck_assert_int_eq(rs->verdict, SL_DLG_RESP_OK);
	/* The first one is still B's to answer. */
	ck_assert_int_eq(ua_respond(&E.b, b, &E.b.rq[E.b.n_rq - 2], 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_state(&E.a, a), SL_DLG_STATE_CONFIRMED);
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	env_down(&E);
}
END_TEST

/* The Retry-After of §14.2 covers 0-10 s. */
START_TEST(retry_after_range)
{
	struct sl_dlg_req r = { .method = "INVITE" };
	struct sl_dlg_via via;
	struct sl_msg m;
	char buf[4096];
	uint32_t a, b, txn;
	unsigned seen = 0;
	int n;

	env_up(&E, NULL, NULL);
	E.b.fixed_random = 1;
	call(NULL, 0, &a, &b);
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	for (uint32_t v = 0; v < 22; v++) {
		E.b.rnd = v;
		via = ua_via(&E.a);
		n = sl__dlg_build_request(E.a.dlg, a, &via, &r, buf,
					  sizeof(buf), NULL);
		ua_send_raw(&E.a, a, buf, (size_t)n);
		env_run(&E, 5);
		ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->status,
				 500);
		ck_assert_int_eq(tf_parse(ua_last_rs(&E.a,
						     SL_METHOD_INVITE)->text,
					  strlen(ua_last_rs(&E.a,
						SL_METHOD_INVITE)->text), &m),
				 0);
		ck_assert_uint_eq(strtoul(tf_hdr(&m, "Retry-After"), NULL,
					  10), v % 11);
		seen |= 1u << (v % 11);
	}
	ck_assert_uint_eq(seen, 0x7ff);
	env_down(&E);
}
END_TEST

/* ---- RFC 5057: usages and which responses end what ---- */

START_TEST(response_effects)
{
	static const struct {
		int status;
		enum sl_method m;
		enum sl_dlg_effect want;
	} v[] = {
		{ 200, SL_METHOD_INVITE, SL_DLG_EFFECT_NONE },
		{ 180, SL_METHOD_INVITE, SL_DLG_EFFECT_NONE },
		{ 302, SL_METHOD_INVITE, SL_DLG_EFFECT_NONE },
		{ 401, SL_METHOD_INFO, SL_DLG_EFFECT_NONE },
		{ 407, SL_METHOD_BYE, SL_DLG_EFFECT_NONE },
		{ 483, SL_METHOD_INFO, SL_DLG_EFFECT_NONE },
		{ 486, SL_METHOD_INVITE, SL_DLG_EFFECT_NONE },
		{ 488, SL_METHOD_INVITE, SL_DLG_EFFECT_NONE },
		{ 491, SL_METHOD_INVITE, SL_DLG_EFFECT_NONE },
		{ 500, SL_METHOD_UPDATE, SL_DLG_EFFECT_NONE },
		{ 503, SL_METHOD_INFO, SL_DLG_EFFECT_NONE },
		{ 603, SL_METHOD_REFER, SL_DLG_EFFECT_NONE },
		{ 404, SL_METHOD_INFO, SL_DLG_EFFECT_DIALOG },
		{ 410, SL_METHOD_NOTIFY, SL_DLG_EFFECT_DIALOG },
		{ 416, SL_METHOD_INVITE, SL_DLG_EFFECT_DIALOG },
		{ 481, SL_METHOD_INVITE, SL_DLG_EFFECT_DIALOG },
		{ 481, SL_METHOD_SUBSCRIBE, SL_DLG_EFFECT_DIALOG },
		{ 482, SL_METHOD_INFO, SL_DLG_EFFECT_DIALOG },
		{ 484, SL_METHOD_INFO, SL_DLG_EFFECT_DIALOG },
		{ 485, SL_METHOD_INFO, SL_DLG_EFFECT_DIALOG },
		{ 502, SL_METHOD_INFO, SL_DLG_EFFECT_DIALOG },
		{ 604, SL_METHOD_INFO, SL_DLG_EFFECT_DIALOG },
		{ 403, SL_METHOD_SUBSCRIBE, SL_DLG_EFFECT_USAGE },
		{ 408, SL_METHOD_INVITE, SL_DLG_EFFECT_USAGE },
		{ 408, SL_METHOD_NOTIFY, SL_DLG_EFFECT_USAGE },
		{ 480, SL_METHOD_INVITE, SL_DLG_EFFECT_USAGE },
		{ 489, SL_METHOD_SUBSCRIBE, SL_DLG_EFFECT_USAGE },
		{ 405, SL_METHOD_NOTIFY, SL_DLG_EFFECT_USAGE },
		{ 501, SL_METHOD_REFER, SL_DLG_EFFECT_USAGE },
		{ 405, SL_METHOD_INFO, SL_DLG_EFFECT_NONE },
		{ 501, SL_METHOD_MESSAGE, SL_DLG_EFFECT_NONE },
	};

	for (unsigned i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(sl__dlg_response_effect(v[i].status, v[i].m) ==
			      v[i].want, "%d to %s", v[i].status,
			      sl_method_name(v[i].m));
}
END_TEST

/* A 408 (a timeout) to a re-INVITE ends the INVITE usage; with no other
 * usage that is the dialog (RFC 3261 §12.2.1.2, RFC 5057). */
START_TEST(timeout_ends_invite_usage)
{
	struct sl_dlg_info info;
	uint32_t a, b;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	/* A has a subscription in the dialog too (a REFER, say). */
	ck_assert_int_eq(sl__dlg_usage_add(E.a.dlg, a), 0);
	ck_assert_int_eq(sl__dlg_request_failed(E.a.dlg, a, SL_METHOD_INVITE,
						2, 408),
			 SL_DLG_RESP_USAGE_ENDED);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &info), 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_INVITE_USAGE, 0);
	ck_assert_uint_eq(info.sub_usages, 1);
	/* ... a 408 to an INFO again: no INVITE usage left to end. */
	ck_assert_int_eq(sl__dlg_request_failed(E.a.dlg, a, SL_METHOD_INFO, 3,
						408), SL_DLG_RESP_OK);
	/* ... a usage-ending answer to a NOTIFY is the UA's to act on. */
	ck_assert_int_eq(sl__dlg_request_failed(E.a.dlg, a, SL_METHOD_NOTIFY,
						4, 408),
			 SL_DLG_RESP_USAGE_ENDED);
	ck_assert_int_eq(sl__dlg_usage_del(E.a.dlg, a), 1);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_USAGES);
	/* B: the INVITE usage alone; a timeout ends the dialog. */
	ck_assert_int_eq(sl__dlg_request_failed(E.b.dlg, b, SL_METHOD_INVITE,
						1, 408),
			 SL_DLG_RESP_TERMINATED);
	ck_assert_int_eq(ua_term(&E.b, b)->why, SL_DLG_END_RESPONSE);
	ck_assert_int_eq(ua_term(&E.b, b)->status, 408);
	ck_assert_int_eq(sl__dlg_request_failed(E.b.dlg, b, SL_METHOD_INVITE,
						1, 408), SL_ENOTFOUND);
	env_down(&E);
}
END_TEST

/* A real timeout: B stops answering a re-INVITE... the transaction layer's
 * Timer B becomes a 408 that ends A's dialog. */
START_TEST(reinvite_timeout)
{
	uint32_t a, b, txn;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	E.net.cfg.drop_pct = 100;
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
	env_run(&E, 33000);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->status, 408);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_RESP_TERMINATED);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_RESPONSE);
	env_down(&E);
}
END_TEST

/* BYE with a subscription left: the dialog lives on for it; a 401 to the
 * BYE keeps everything for the retry. */
START_TEST(bye_keeps_other_usages)
{
	struct sl_txn_response challenge = { .status = 401 };
	struct sl_dlg_info info;
	struct env_rq *bye;
	uint32_t a, b, txn;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	ck_assert_int_eq(sl__dlg_usage_add(E.b.dlg, b), 0);
	ck_assert_int_eq(ua_send(&E.a, a, "BYE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	bye = ua_last_rq(&E.b, SL_METHOD_BYE);
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, bye->txn, &challenge),
			 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_BYE)->verdict,
			 SL_DLG_RESP_OK);
	ck_assert_int_eq(ua_state(&E.a, a), SL_DLG_STATE_CONFIRMED);
	/* The BYE again (with credentials, in life). */
	ck_assert_int_eq(ua_send(&E.a, a, "BYE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	bye = ua_last_rq(&E.b, SL_METHOD_BYE);
	ck_assert_int_eq(ua_respond(&E.b, b, bye, 200), 0);
	/* B's subscription keeps the dialog. */
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &info), 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_INVITE_USAGE, 0);
	ck_assert_uint_eq(info.sub_usages, 1);
	/* NOTIFY still flows from B after the BYE. */
	ck_assert_int_eq(ua_send(&E.b, b, "NOTIFY", NULL, 0, &txn), 0);
	ck_assert_int_eq(sl__dlg_usage_del(E.b.dlg, b), 1);
	ck_assert_int_eq(ua_term(&E.b, b)->why, SL_DLG_END_USAGES);
	env_run(&E, 5);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_BYE_SENT);
	/* Usage argument checks. */
	ck_assert_int_eq(sl__dlg_usage_add(NULL, a), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_usage_del(NULL, a), SL_EINVAL);
	env_down(&E);
}
END_TEST

/* A dialog set has no usages; a dialog without subscriptions cannot lose
 * one. */
START_TEST(usage_errors)
{
	uint32_t a, b, set;
	struct sl_dlg_uac_params p;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	ck_assert_int_eq(sl__dlg_usage_del(E.a.dlg, a), SL_ESTATE);
	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:a@example.com";
	p.remote_uri = "sip:b@example.com";
	p.contact = "sip:a@192.0.2.1";
	ck_assert_int_eq(sl__dlg_uac_create(E.a.dlg, &p, &set), 0);
	ck_assert_int_eq(sl__dlg_usage_add(E.a.dlg, set), SL_ESTATE);
	ck_assert_int_eq(sl__dlg_usage_del(E.a.dlg, set), SL_ESTATE);
	ck_assert_int_eq(sl__dlg_recv_response(E.a.dlg, set, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_request_failed(E.a.dlg, set,
						SL_METHOD_INFO, 1, 408),
			 SL_ESTATE);
	/* A 503 (transport error) for the pending INVITE, named by 0:
	 * nothing ends, the INVITE is no longer pending. */
	{
		uint32_t txn;

		ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
		ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn),
				 SL_ESTATE);
		ck_assert_int_eq(sl__dlg_request_failed(E.a.dlg, a,
							SL_METHOD_INVITE, 0,
							503), SL_DLG_RESP_OK);
		ck_assert_int_eq(ua_state(&E.a, a), SL_DLG_STATE_CONFIRMED);
		ck_assert_int_eq(sl__txn_abort(E.a.txn, txn), 0);
		ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
	}
	ck_assert_int_eq(sl__dlg_request_failed(E.a.dlg, a, SL_METHOD_INFO,
						1, 200), SL_EINVAL);
	env_down(&E);
}
END_TEST

/* ---- RFC 3262: reliable provisionals and PRACK ---- */

START_TEST(prack_in_early_dialog)
{
	struct sl_txn_hdr rel[2];
	struct sl_txn_response r = { .status = 183, .hdrs = rel,
				     .n_hdrs = 2 };
	struct sl_txn_hdr rack = { "RAck", NULL };
	struct env_rq *inv, *prack;
	struct env_rs *rs;
	struct sl_dlg_info info;
	char rseq_text[16], rack_text[48];
	uint32_t set, a, b, rseq, rseq2, txn;

	env_up(&E, NULL, NULL);
	set = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	b = ua_uas(&E.b, inv, "bobtag");
	/* The UAS numbers its reliable provisionals. */
	ck_assert_int_eq(sl__dlg_rseq_next(E.b.dlg, b, &rseq), 0);
	ck_assert_uint_ge(rseq, 1);
	ck_assert_uint_le(rseq, 1u << 30);
	ck_assert_int_eq(sl__dlg_rseq_next(E.b.dlg, b, &rseq2), 0);
	ck_assert_uint_eq(rseq2, rseq + 1);
	ck_assert_int_eq(sl__dlg_rseq_next(NULL, b, &rseq2), SL_EINVAL);
	snprintf(rseq_text, sizeof(rseq_text), "%u", (unsigned)rseq);
	rel[0].name = "Require";
	rel[0].value = "100rel";
	rel[1].name = "RSeq";
	rel[1].value = rseq_text;
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, inv->txn, &r), 0);
	env_run(&E, 5);
	rs = ua_last_rs(&E.a, SL_METHOD_INVITE);
	ck_assert_int_eq(rs->verdict, SL_DLG_UAC_EARLY_NEW);
	a = rs->dlg;
	/* The UAC's side of RFC 3262 §4. */
	{
		struct sl_rxbuf *rx = tf_rx_new(&E.net.rx, rs->text,
						strlen(rs->text), SL_TP_UDP,
						"192.0.2.2", 5060, 0);

		ck_assert_int_eq(sl__dlg_rseq_check(E.a.dlg, a, rx), 1);
		ck_assert_int_eq(sl__dlg_rseq_check(E.a.dlg, a, rx), 0);
		ck_assert_int_eq(sl__dlg_rseq_check(NULL, a, rx), SL_EINVAL);
		ck_assert_int_eq(sl__dlg_rseq_check(E.a.dlg, a + 1000, rx),
				 SL_ENOTFOUND);
	}
	/* PRACK in the early dialog: the next CSeq; the INVITE's stays
	 * for the ACK. */
	snprintf(rack_text, sizeof(rack_text), "%u 1 INVITE", (unsigned)rseq);
	rack.value = rack_text;
	ck_assert_int_eq(ua_send(&E.a, a, "PRACK", &rack, 1, &txn), 0);
	ck_assert_ptr_nonnull(strstr(ua_last_sent(&E.a, "PRACK ")->buf,
				     "CSeq: 2 PRACK\r\n"));
	env_run(&E, 5);
	prack = ua_last_rq(&E.b, SL_METHOD_PRACK);
	ck_assert_int_eq(prack->verdict, SL_DLG_RX_IN_DIALOG);
	ck_assert_uint_eq(prack->id, b);
	ck_assert_int_eq(ua_respond(&E.b, b, prack, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_PRACK)->verdict,
			 SL_DLG_RESP_OK);
	/* An UPDATE in the early dialog (RFC 3311) from the callee. */
	ck_assert_int_eq(ua_send(&E.b, b, "UPDATE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.a, SL_METHOD_UPDATE)->verdict,
			 SL_DLG_RX_IN_DIALOG);
	ck_assert_uint_eq(ua_last_rq(&E.a, SL_METHOD_UPDATE)->id, a);
	/* A re-INVITE is not allowed while the INVITE is pending. */
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn),
			 SL_ESTATE);
	ck_assert_int_eq(ua_send(&E.b, b, "INVITE", NULL, 0, &txn),
			 SL_ESTATE);
	/* Then the 200: the ACK carries 1, the next request 3. */
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_UAC_CONFIRMED);
	ck_assert_ptr_nonnull(strstr(ua_last_sent(&E.a, "ACK ")->buf,
				     "CSeq: 1 ACK\r\n"));
	ck_assert_uint_eq(E.b.n_ack, 1);
	ck_assert_int_eq(E.b.ack[0].verdict, SL_DLG_RX_ACK);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &info), 0);
	ck_assert_uint_eq(info.local_cseq, 2);
	ck_assert_uint_eq(info.remote_cseq, 1);
	ck_assert_int_eq(ua_send(&E.a, a, "BYE", NULL, 0, &txn), 0);
	ck_assert_ptr_nonnull(strstr(ua_last_sent(&E.a, "BYE ")->buf,
				     "CSeq: 3 BYE\r\n"));
	(void)set;
	env_down(&E);
}
END_TEST

/* ---- RFC 6665 §4.1.2.4: a NOTIFY before the SUBSCRIBE's 2xx ---- */

START_TEST(notify_before_2xx)
{
	struct sl_dlg_uac_params p;
	struct sl_txn_response ok = { .status = 202 };
	static const struct sl_txn_hdr ev[] = {
		{ "Event", "dialog" },
		{ "Subscription-State", "active;expires=60" },
	};
	struct sl_dlg_req req = { .method = "NOTIFY", .hdrs = ev,
				  .n_hdrs = 2 };
	struct sl_dlg_via via;
	struct sl_dlg_info info;
	struct env_rq *sub, *notify;
	struct sl_rxbuf *rx;
	char buf[4096];
	uint32_t set, b, a;
	int n;

	env_up(&E, NULL, NULL);
	memset(&p, 0, sizeof(p));
	p.method = "SUBSCRIBE";
	p.local_uri = "sip:alice@example.com";
	p.remote_uri = "sip:bob@example.com";
	p.target = "sip:bob@192.0.2.2";
	p.contact = E.a.contact;
	set = ua_invite(&E.a, &p, ev, 1);
	env_run(&E, 5);
	sub = ua_last_rq(&E.b, SL_METHOD_SUBSCRIBE);
	ck_assert_int_eq(sub->verdict, SL_DLG_RX_OUTSIDE);
	b = ua_uas(&E.b, sub, "notifier");
	/* B accepts, then notifies at once; the NOTIFY overtakes the 202
	 * (fed to A's transaction layer directly). */
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, sub->txn, &ok), 0);
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	via = ua_via(&E.b);
	n = sl__dlg_build_request(E.b.dlg, b, &via, &req, buf, sizeof(buf),
				  NULL);
	ck_assert_int_gt(n, 0);
	rx = tf_rx_new(&E.net.rx, buf, (size_t)n, SL_TP_UDP, "192.0.2.2",
		       5060, 0);
	ck_assert_ptr_nonnull(rx);
	ck_assert_int_eq(sl__txn_recv(E.a.txn, rx), SL_TXN_RX_NEW);
	notify = ua_last_rq(&E.a, SL_METHOD_NOTIFY);
	ck_assert_int_eq(notify->verdict, SL_DLG_RX_NEW);
	a = notify->id;
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &info), 0);
	ck_assert_int_eq(info.state, SL_DLG_STATE_CONFIRMED);
	ck_assert_uint_eq(info.set, set);
	ck_assert_str_eq(info.remote_tag.p, "notifier");
	ck_assert_str_eq(info.remote_target.p, "sip:bob@192.0.2.2:5060");
	ck_assert_uint_eq(info.remote_cseq, 1);
	ck_assert_uint_eq(info.local_cseq, 1);
	ck_assert_uint_eq(info.sub_usages, 1);
	/* The 202 then finds the dialog made. */
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_SUBSCRIBE)->verdict,
			 SL_DLG_UAC_CONFIRMED);
	ck_assert_uint_eq(ua_last_rs(&E.a, SL_METHOD_SUBSCRIBE)->dlg, a);
	/* Our refresh goes into the dialog, CSeq 2. */
	{
		uint32_t txn;

		ck_assert_int_eq(ua_send(&E.a, a, "SUBSCRIBE", ev, 1, &txn),
				 0);
		ck_assert_ptr_nonnull(strstr(ua_last_sent(&E.a,
							  "SUBSCRIBE ")->buf,
					     "CSeq: 2 SUBSCRIBE\r\n"));
	}
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_SUBSCRIBE)->verdict,
			 SL_DLG_RX_IN_DIALOG);
	env_down(&E);
}
END_TEST

/* ---- argument checks of the in-dialog calls ---- */

START_TEST(rx_argument_checks)
{
	struct sl_txn_response ok = { .status = 200 };
	struct sl_txn_hdr many[SL_DLG_MAX_HDRS + 1];
	struct sl_dlg_via via;
	struct sl_tp_dest dst;
	struct sl_dlg_req r = { .method = "INFO" };
	struct env_rq *inv;
	struct env_rs *rs;
	struct sl_rxbuf *rx;
	struct sl_slice s;
	char buf[2048];
	uint32_t a, b, txn, id;

	env_up(&E, NULL, NULL);
	call(NULL, 0, &a, &b);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	rs = ua_last_rs(&E.a, SL_METHOD_INVITE);
	rx = tf_rx_new(&E.net.rx, rs->text, strlen(rs->text), SL_TP_UDP,
		       "192.0.2.2", 5060, 0);
	ck_assert_ptr_nonnull(rx);
	for (unsigned i = 0; i <= SL_DLG_MAX_HDRS; i++) {
		many[i].name = "X-A";
		many[i].value = "1";
	}
	/* sl__dlg_respond() */
	ck_assert_int_eq(sl__dlg_respond(NULL, b, inv->txn, &ok), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, inv->txn, NULL),
			 SL_EINVAL);
	ok.hdrs = many;
	ok.n_hdrs = SL_DLG_MAX_HDRS + 1;
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, inv->txn, &ok),
			 SL_EINVAL);
	ok.hdrs = NULL;
	ok.n_hdrs = 1;
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, inv->txn, &ok),
			 SL_EINVAL);
	ok.n_hdrs = 0;
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, 0, &ok), SL_ENOTFOUND);
	/* a client transaction is not ours to answer */
	ck_assert_int_eq(ua_send(&E.b, b, "INFO", NULL, 0, &txn), 0);
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, txn, &ok), SL_ESTATE);
	/* the transaction's own refusal: a second final response */
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, inv->txn, &ok), 0);
	ok.status = 486;
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, b, inv->txn, &ok),
			 SL_ESTATE);
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	/* sl__dlg_recv_response() */
	ck_assert_int_eq(sl__dlg_recv_response(NULL, a, rx), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_recv_response(E.a.dlg, a, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_recv_response(E.a.dlg, a, inv->rx),
			 SL_EINVAL);
	/* B's view of the same response: not its From tag. */
	ck_assert_int_eq(sl__dlg_recv_response(E.b.dlg, b, rx), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_recv_response(E.a.dlg, a + 1000, rx),
			 SL_ENOTFOUND);
	/* sl__dlg_uac_response() */
	ck_assert_int_eq(sl__dlg_uac_response(NULL, 0, rx, &id), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uac_response(E.a.dlg, 0, NULL, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uac_response(E.a.dlg, 0, rx, NULL),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uac_response(E.a.dlg, 0, inv->rx, &id),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uac_response(E.a.dlg, 99999, rx, &id),
			 SL_ENOTFOUND);
	/* a dialog is not a set */
	ck_assert_int_eq(sl__dlg_uac_response(E.a.dlg, a, rx, &id),
			 SL_EINVAL);
	/* with the set gone, the same 2xx again is a retransmission */
	ck_assert_int_eq(sl__dlg_uac_response(E.a.dlg, 0, rx, &id),
			 SL_DLG_UAC_RETRANSMIT);
	ck_assert_uint_eq(id, a);
	/* sending */
	via = ua_via(&E.a);
	dst = ua_dst(&E.a);
	ck_assert_int_eq(sl__dlg_send_request(NULL, a, &via, &r, &dst, NULL,
					      &txn), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_send_request(E.a.dlg, a, &via, NULL, &dst,
					      NULL, &txn), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_send_request(E.a.dlg, a, &via, &r, NULL,
					      NULL, &txn), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_send_request(E.a.dlg, a, &via, &r, &dst,
					      NULL, NULL), SL_EINVAL);
	via.host = NULL;
	ck_assert_int_eq(sl__dlg_send_request(E.a.dlg, a, &via, &r, &dst,
					      NULL, &txn), SL_EINVAL);
	via = ua_via(&E.a);
	r.hdrs = many;
	r.n_hdrs = SL_DLG_MAX_HDRS + 1;
	ck_assert_int_eq(sl__dlg_build_request(E.a.dlg, a, &via, &r, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	r.n_hdrs = 2;
	many[1].value = NULL;
	ck_assert_int_eq(sl__dlg_build_request(E.a.dlg, a, &via, &r, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	r.n_hdrs = 0;
	/* the transaction refuses (a malformed branch): nothing pending */
	via.branch = "nocookie";
	r.method = "INVITE";
	ck_assert_int_eq(sl__dlg_send_request(E.a.dlg, a, &via, &r, &dst,
					      NULL, &txn), SL_EINVAL);
	via.branch = NULL;
	ck_assert_int_eq(ua_send(&E.a, a, "INVITE", NULL, 0, &txn), 0);
	ck_assert_int_eq(sl__dlg_send_ack(NULL, a, &via, NULL, NULL, 0, &dst),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_send_ack(E.a.dlg, a, &via, NULL, NULL, 0,
					  NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_build_ack(E.a.dlg, a, NULL, NULL, NULL, 0,
					   buf, sizeof(buf)), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_next_hop(NULL, a, &s), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_next_hop(E.a.dlg, a, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_route(E.a.dlg, a, 0, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_terminate(NULL, a), SL_EINVAL);
	env_down(&E);
}
END_TEST

/* A UAS dialog before its first 1xx/2xx is not a dialog yet. */
START_TEST(uas_init_state)
{
	struct sl_dlg_req r = { .method = "INFO" };
	struct sl_dlg_uas_params up = { .contact = "sip:bob@192.0.2.2" };
	struct sl_dlg_via via;
	struct sl_dlg_info info;
	struct env_rq *inv;
	struct sl_slice s;
	char buf[2048];
	uint32_t b, id;

	env_up(&E, NULL, NULL);
	ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	b = ua_uas(&E.b, inv, NULL);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &info), 0);
	ck_assert_uint_eq(info.local_tag.len, 16);
	via = ua_via(&E.b);
	ck_assert_int_eq(sl__dlg_build_request(E.b.dlg, b, &via, &r, buf,
					       sizeof(buf), NULL), SL_ESTATE);
	ck_assert_int_eq(sl__dlg_build_ack(E.b.dlg, b, &via, NULL, NULL, 0,
					   buf, sizeof(buf)), SL_ESTATE);
	ck_assert_int_eq(sl__dlg_find(E.b.dlg, info.call_id, info.local_tag,
				      info.remote_tag, &id), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_next_hop(E.b.dlg, b, &s), 0);
	ck_assert_str_eq(s.p, "sip:alice@192.0.2.1:5060");
	/* A 100 does not make it a dialog. */
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 100), 0);
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_INIT);
	/* Not for a request with a To tag, a response, another method. */
	{
		struct tf_req req;
		struct sl_rxbuf *rx;
		size_t n;

		memset(&req, 0, sizeof(req));
		req.to_tag = "x";
		req.extra = "Contact: <sip:a@192.0.2.1>\r\n";
		n = tf_request(buf, sizeof(buf), &req);
		rx = tf_rx_new(&E.net.rx, buf, n, SL_TP_UDP, "192.0.2.1",
			       5060, 0);
		ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, rx,
						    &up, &id), SL_EINVAL);
		req.to_tag = NULL;
		req.method = "OPTIONS";
		n = tf_request(buf, sizeof(buf), &req);
		rx = tf_rx_new(&E.net.rx, buf, n, SL_TP_UDP, "192.0.2.1",
			       5060, 0);
		ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, rx,
						    &up, &id), SL_EINVAL);
		/* an INVITE without a Contact: the UA answers 400 */
		req.method = NULL;
		req.extra = NULL;
		n = tf_request(buf, sizeof(buf), &req);
		rx = tf_rx_new(&E.net.rx, buf, n, SL_TP_UDP, "192.0.2.1",
			       5060, 0);
		ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, rx,
						    &up, &id), SL_EPARSE);
		up.contact = NULL;
		ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn,
						    inv->rx, &up, &id),
				 SL_EINVAL);
	}
	env_down(&E);
}
END_TEST

Suite *check_dialog_rx_suite(void);

Suite *check_dialog_rx_suite(void)
{
	Suite *s = suite_create("dialog_rx");
	TCase *tc = tcase_create("routes");

	tcase_add_test(tc, route_set_loose);
	tcase_add_test(tc, route_set_strict);
	tcase_add_test(tc, route_set_strict_alone);
	tcase_add_test(tc, route_set_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("requests");
	tcase_add_test(tc, cseq_rules);
	tcase_add_test(tc, target_refresh);
	tcase_add_test(tc, unknown_dialog);
	tcase_add_test(tc, uas_init_state);
	tcase_add_test(tc, rx_argument_checks);
	suite_add_tcase(s, tc);

	tc = tcase_create("glare");
	tcase_add_test(tc, reinvite_glare_491);
	tcase_add_test(tc, overlapping_invite_500);
	tcase_add_test(tc, retry_after_range);
	suite_add_tcase(s, tc);

	tc = tcase_create("usages");
	tcase_add_test(tc, response_effects);
	tcase_add_test(tc, timeout_ends_invite_usage);
	tcase_add_test(tc, reinvite_timeout);
	tcase_add_test(tc, bye_keeps_other_usages);
	tcase_add_test(tc, usage_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("extensions");
	tcase_add_test(tc, prack_in_early_dialog);
	tcase_add_test(tc, notify_before_2xx);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_dialog_rx_suite)
