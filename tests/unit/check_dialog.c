/*
 * tests/unit/check_dialog.c: dialog creation and ending (lib/dialog,
 * RFC 3261 §12.1, §12.3, §13.2.2.4, §13.3.1.4, §15; RFC 6026; RFC 6228;
 * RFC 3262): the table's configuration, ids and pool; a UAC and a UAS,
 * each a real transaction layer on the virtual clock (dlg_env.c), make
 * early dialogs from a 180 with a tag and confirm them with a 200; the
 * UAS retransmits its 2xx until the ACK; forks make separate dialogs, the
 * first 2xx wins and a later one is ACKed and sent a BYE; non-2xx final
 * responses and BYE end dialogs on both sides; stale ids are refused;
 * full pools give SL_ENOMEM and 503.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "dlg_env.c"

static struct env E;

/* A's INVITE reached B, which reserved a dialog and answered 180. */
static void ringing(uint32_t *set, uint32_t *a_dlg, uint32_t *b_dlg)
{
	struct env_rq *inv;
	struct env_rs *rs;

	*set = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_ptr_nonnull(inv);
	ck_assert_int_eq(inv->verdict, SL_DLG_RX_OUTSIDE);
	*b_dlg = ua_uas(&E.b, inv, "bobtag");
	ck_assert_int_eq(ua_state(&E.b, *b_dlg), SL_DLG_STATE_INIT);
	ck_assert_int_eq(ua_respond(&E.b, *b_dlg, inv, 180), 0);
	ck_assert_int_eq(ua_state(&E.b, *b_dlg), SL_DLG_STATE_EARLY);
	env_run(&E, 5);
	rs = ua_last_rs(&E.a, SL_METHOD_INVITE);
	ck_assert_ptr_nonnull(rs);
	ck_assert_int_eq(rs->status, 180);
	ck_assert_int_eq(rs->verdict, SL_DLG_UAC_EARLY_NEW);
	*a_dlg = rs->dlg;
	ck_assert_int_eq(ua_state(&E.a, *a_dlg), SL_DLG_STATE_EARLY);
}

/* ... then 200, ACKed by A. */
static void answered(uint32_t *set, uint32_t *a_dlg, uint32_t *b_dlg)
{
	struct env_rs *rs;

	ringing(set, a_dlg, b_dlg);
	ck_assert_int_eq(ua_respond(&E.b, *b_dlg,
				    ua_last_rq(&E.b, SL_METHOD_INVITE), 200),
			 0);
	env_run(&E, 10);
	rs = ua_last_rs(&E.a, SL_METHOD_INVITE);
	ck_assert_int_eq(rs->status, 200);
	ck_assert_int_eq(rs->verdict, SL_DLG_UAC_CONFIRMED);
	ck_assert_uint_eq(rs->dlg, *a_dlg);
	ck_assert_int_eq(ua_state(&E.a, *a_dlg), SL_DLG_STATE_CONFIRMED);
	ck_assert_int_eq(ua_state(&E.b, *b_dlg), SL_DLG_STATE_CONFIRMED);
	ck_assert_uint_eq(E.b.n_ack, 1);
	ck_assert_int_eq(E.b.ack[0].verdict, SL_DLG_RX_ACK);
	ck_assert_uint_eq(E.b.ack[0].id, *b_dlg);
}

/* ---- configuration ---- */

START_TEST(config_and_create)
{
	struct sl_dlg_config c;
	struct sl_dlg_table *t = (struct sl_dlg_table *)&c;
	struct solo s;
	struct sl_dlg_stats st;

	memset(&c, 0xff, sizeof(c));
	sl__dlg_config_init(&c);
	ck_assert_uint_eq(c.max_dialogs, SL_DLG_POOL_DEFAULT);
	ck_assert_uint_eq(c.text_size, SL_DLG_TEXT_DEFAULT);
	ck_assert_uint_eq(c.max_routes, SL_DLG_ROUTES_DEFAULT);
	ck_assert_uint_eq(c.msg_buf_size, SL_TXN_MSG_BUF_DEFAULT);
	ck_assert_uint_eq(c.t1_ms, 500);
	ck_assert_uint_eq(c.t2_ms, 4000);
	ck_assert_ptr_null(c.random);
	ck_assert_ptr_null(c.ev.terminated);
	sl__dlg_config_init(NULL);

	solo_up(&s, NULL);
	ck_assert_int_eq(sl__dlg_create(NULL, s.te.loop, s.te.l, &c),
			 SL_EINVAL);
	ck_assert_int_eq(sl__dlg_create(&t, NULL, s.te.l, &c), SL_EINVAL);
	ck_assert_ptr_null(t);
	ck_assert_int_eq(sl__dlg_create(&t, s.te.loop, NULL, &c), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_create(&t, s.te.loop, s.te.l, NULL),
			 SL_EINVAL);
	{
		static const struct {
			uint32_t max_dialogs;
			size_t text_size;
			uint32_t max_routes;
			size_t msg_buf_size;
			uint32_t t1, t2;
		} bad[] = {
			{ SL_DLG_POOL_MAX + 1, 0, 0, 0, 0, 0 },
			{ 0, SL_DLG_TEXT_MIN - 1, 0, 0, 0, 0 },
			{ 0, SL_DLG_TEXT_MAX + 1, 0, 0, 0, 0 },
			{ 0, 0, SL_DLG_ROUTES_MAX + 1, 0, 0, 0 },
			{ 0, 0, 0, SL_TXN_MSG_BUF_MIN - 1, 0, 0 },
			{ 0, 0, 0, 0, 5000, 4000 },
			{ 0, 0, 0, 0, 60001, 70000 },
		};

		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(&c, 0, sizeof(c));
			c.max_dialogs = bad[i].max_dialogs;
			c.text_size = bad[i].text_size;
			c.max_routes = bad[i].max_routes;
			c.msg_buf_size = bad[i].msg_buf_size;
			c.t1_ms = bad[i].t1;
			c.t2_ms = bad[i].t2;
			ck_assert_int_eq(sl__dlg_create(&t, s.te.loop, s.te.l,
							&c), SL_EINVAL);
		}
	}
	/* Zeroes take the defaults; the largest sizes are accepted. */
	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(sl__dlg_create(&t, s.te.loop, s.te.l, &c), 0);
	ck_assert_int_eq(sl__dlg_stats(t, &st), 0);
	ck_assert_uint_eq(st.cap, SL_DLG_POOL_DEFAULT);
	ck_assert_uint_eq(st.used, 0);
	ck_assert_int_eq(sl__dlg_stats(NULL, &st), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_stats(t, NULL), SL_EINVAL);
	sl__dlg_destroy(t);
	c.max_routes = SL_DLG_ROUTES_MAX;
	c.text_size = SL_DLG_TEXT_MAX;
	c.max_dialogs = 4;
	ck_assert_int_eq(sl__dlg_create(&t, s.te.loop, s.te.l, &c), 0);
	sl__dlg_destroy(t);
	/* Creation fails cleanly when memory does. */
	sl__mem_fail_after(1);
	ck_assert_int_eq(sl__dlg_create(&t, s.te.loop, s.te.l, &c),
			 SL_ENOMEM);
	ck_assert_ptr_null(t);
	sl__mem_fail_after(0);
	sl__dlg_destroy(NULL);
	solo_down(&s);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(sl__dlg_state_name(SL_DLG_STATE_SET), "set");
	ck_assert_str_eq(sl__dlg_state_name(SL_DLG_STATE_INIT), "init");
	ck_assert_str_eq(sl__dlg_state_name(SL_DLG_STATE_EARLY), "early");
	ck_assert_str_eq(sl__dlg_state_name(SL_DLG_STATE_CONFIRMED),
			 "confirmed");
	ck_assert_str_eq(sl__dlg_state_name((enum sl_dlg_state)42), "?");
	ck_assert_str_eq(sl__dlg_end_name(SL_DLG_END_REJECTED), "rejected");
	ck_assert_str_eq(sl__dlg_end_name(SL_DLG_END_FORK_LOST), "fork-lost");
	ck_assert_str_eq(sl__dlg_end_name(SL_DLG_END_USAGES), "usages");
	ck_assert_str_eq(sl__dlg_end_name((enum sl_dlg_end)-1), "?");
	ck_assert_str_eq(sl__dlg_end_name((enum sl_dlg_end)99), "?");
}
END_TEST

/* ---- UAC sets ---- */

START_TEST(uac_create_errors)
{
	struct solo s;
	struct sl_dlg_uac_params p;
	const char *routes[] = { "sip:p1.example.com;lr", NULL };
	struct sl_dlg_info info;
	uint32_t set;

	solo_up(&s, NULL);
	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:alice@example.com";
	p.remote_uri = "sip:bob@example.com";
	p.contact = "sip:alice@192.0.2.1";
	ck_assert_int_eq(sl__dlg_uac_create(NULL, &p, &set), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, NULL, &set), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, NULL), SL_EINVAL);
	p.contact = NULL;
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	ck_assert_uint_eq(set, 0);
	p.contact = "sip:alice@192.0.2.1";
	p.method = "OPTIONS";
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	p.method = "invite";            /* methods are case-sensitive */
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	p.method = NULL;
	p.cseq = 1u << 31;
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	p.cseq = 0;
	p.routes = routes;
	p.n_routes = 2;                 /* the second is NULL */
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	p.routes = NULL;
	p.n_routes = 1;
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	p.routes = routes;
	p.n_routes = SL_DLG_ROUTES_DEFAULT + 1;
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	p.n_routes = 1;
	p.call_id = "";
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), SL_EINVAL);
	p.call_id = NULL;

	/* Generated Call-ID and tag; the first CSeq is 1. */
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), 0);
	ck_assert_uint_gt(set, 0);
	ck_assert_int_eq(sl__dlg_info(s.dlg, set, &info), 0);
	ck_assert_int_eq(info.state, SL_DLG_STATE_SET);
	ck_assert_int_eq(info.method, SL_METHOD_INVITE);
	ck_assert_uint_eq(info.flags & SL_DLG_F_UAC, SL_DLG_F_UAC);
	ck_assert_uint_eq(info.call_id.len, 32);
	ck_assert_uint_eq(info.local_tag.len, 16);
	ck_assert_uint_eq(info.remote_tag.len, 0);
	ck_assert_str_eq(info.remote_target.p, "sip:bob@example.com");
	ck_assert_str_eq(info.contact.p, "sip:alice@192.0.2.1");
	ck_assert_uint_eq(info.n_routes, 1);
	ck_assert_uint_eq(info.local_cseq, 0);
	solo_down(&s);
}
END_TEST

/* A set's request: preloaded route, no To tag, CSeq from the params, each
 * resend one more (§8.1.1, §12.2.1.1 for the Route). */
START_TEST(uac_set_request)
{
	struct solo s;
	struct sl_dlg_uac_params p;
	const char *routes[] = { "sip:proxy.example.com;lr" };
	struct sl_dlg_via via = { "TCP", "192.0.2.1", 5070, "z9hG4bKset1",
				  1 };
	struct sl_dlg_req r = { .method = "INVITE" };
	struct sl_msg m;
	char buf[4096];
	uint32_t set, cseq;
	int n;

	solo_up(&s, NULL);
	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:alice@example.com";
	p.local_display = "Alice \"A\" Smith";
	p.remote_uri = "sip:bob@example.com";
	p.target = "sip:bob@192.0.2.2:5080";
	p.contact = "sip:alice@192.0.2.1:5070;transport=tcp";
	p.routes = routes;
	p.n_routes = 1;
	p.call_id = "abc123@example.com";
	p.local_tag = "atag";
	p.cseq = 41;
	ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), 0);
	n = sl__dlg_build_request(s.dlg, set, &via, &r, buf, sizeof(buf),
				  &cseq);
	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq(cseq, 41);
	ck_assert_int_eq(tf_parse(buf, (size_t)n, &m), 0);
	ck_assert_str_eq(env_ruri(&m), "sip:bob@192.0.2.2:5080");
	ck_assert_str_eq(env_hdr_n(&m, "Via", 0),
			 "SIP/2.0/TCP 192.0.2.1:5070;branch=z9hG4bKset1;rport");
	ck_assert_str_eq(env_hdr_n(&m, "Max-Forwards", 0), "70");
	ck_assert_str_eq(env_hdr_n(&m, "Route", 0),
			 "<sip:proxy.example.com;lr>");
	ck_assert_str_eq(env_hdr_n(&m, "From", 0),
			 "\"Alice \\\"A\\\" Smith\" <sip:alice@example.com>"
			 ";tag=atag");
	ck_assert_str_eq(env_hdr_n(&m, "To", 0), "<sip:bob@example.com>");
	ck_assert_str_eq(env_hdr_n(&m, "Call-ID", 0), "abc123@example.com");
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "41 INVITE");
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 0),
			 "<sip:alice@192.0.2.1:5070;transport=tcp>");
	/* A resend (after a 407) takes the next number. */
	ck_assert_int_gt(sl__dlg_build_request(s.dlg, set, &via, &r, buf,
					       sizeof(buf), &cseq), 0);
	ck_assert_uint_eq(cseq, 42);
	/* The set's method only; never ACK or CANCEL. */
	r.method = "BYE";
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set, &via, &r, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	r.method = "ACK";
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set, &via, &r, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	r.method = "CANCEL";
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set, &via, &r, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	/* A set has no 2xx to ACK. */
	ck_assert_int_eq(sl__dlg_build_ack(s.dlg, set, &via, NULL, NULL, 0,
					   buf, sizeof(buf)), SL_ESTATE);
	/* Too small a buffer: nothing is used up. */
	r.method = "INVITE";
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set, &via, &r, buf, 64,
					       NULL), SL_ENOSPC);
	ck_assert_int_gt(sl__dlg_build_request(s.dlg, set, &via, &r, buf,
					       sizeof(buf), &cseq), 0);
	ck_assert_uint_eq(cseq, 43);
	/* Argument checks. */
	ck_assert_int_eq(sl__dlg_build_request(NULL, set, &via, &r, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set, NULL, &r, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set, &via, NULL, buf,
					       sizeof(buf), NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set, &via, &r, NULL,
					       sizeof(buf), NULL), SL_EINVAL);
	ck_assert_int_eq(sl__dlg_build_request(s.dlg, set + 1, &via, &r, buf,
					       sizeof(buf), NULL),
			 SL_ENOTFOUND);
	solo_down(&s);
}
END_TEST

/* ---- a call: 180 with a tag, 200, ACK, BYE ---- */

START_TEST(call_early_confirmed_bye)
{
	struct sl_dlg_info ai, bi;
	struct env_rq *bye;
	struct env_rs *rs;
	struct sl_msg m;
	uint32_t set, a, b, txn;

	env_up(&E, NULL, NULL);
	ringing(&set, &a, &b);
	/* §12.1.2 at A, from the 180. */
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &ai), 0);
	ck_assert_uint_eq(ai.set, set);
	ck_assert_str_eq(ai.remote_tag.p, "bobtag");
	ck_assert_str_eq(ai.remote_target.p, "sip:bob@192.0.2.2:5060");
	ck_assert_str_eq(ai.remote_uri.p, "sip:bob@example.com");
	ck_assert_str_eq(ai.local_uri.p, "sip:alice@example.com");
	ck_assert_uint_eq(ai.local_cseq, 1);
	ck_assert_uint_eq(ai.remote_cseq, 0);
	ck_assert_uint_eq(ai.n_routes, 0);
	ck_assert_uint_eq(ai.flags & (SL_DLG_F_UAC | SL_DLG_F_INVITE_USAGE),
			  SL_DLG_F_UAC | SL_DLG_F_INVITE_USAGE);
	/* §12.1.1 at B, from the INVITE. */
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &bi), 0);
	ck_assert_uint_eq(bi.set, 0);
	ck_assert_str_eq(bi.local_tag.p, "bobtag");
	ck_assert_str_eq(bi.remote_tag.p, ai.local_tag.p);
	ck_assert_str_eq(bi.call_id.p, ai.call_id.p);
	ck_assert_str_eq(bi.remote_target.p, "sip:alice@192.0.2.1:5060");
	ck_assert_uint_eq(bi.remote_cseq, 1);
	ck_assert_uint_eq(bi.local_cseq, 0);
	ck_assert_uint_eq(bi.flags & SL_DLG_F_UAC, 0);
	/* The 180 carried our tag and Contact. */
	rs = ua_last_rs(&E.a, SL_METHOD_INVITE);
	ck_assert_ptr_nonnull(strstr(rs->text, ";tag=bobtag"));
	ck_assert_ptr_nonnull(strstr(rs->text,
				     "Contact: <sip:bob@192.0.2.2:5060>"));
	/* Lookups by dialog ID, on both sides. */
	{
		uint32_t id;

		ck_assert_int_eq(sl__dlg_find(E.a.dlg, ai.call_id,
					      ai.local_tag, ai.remote_tag,
					      &id), 0);
		ck_assert_uint_eq(id, a);
		ck_assert_int_eq(sl__dlg_find(E.b.dlg, bi.call_id,
					      bi.local_tag, bi.remote_tag,
					      &id), 0);
		ck_assert_uint_eq(id, b);
		ck_assert_int_eq(sl__dlg_find(E.b.dlg, bi.call_id,
					      bi.remote_tag, bi.local_tag,
					      &id), SL_ENOTFOUND);
		ck_assert_int_eq(sl__dlg_find(NULL, bi.call_id, bi.local_tag,
					      bi.remote_tag, &id), SL_EINVAL);
	}

	ck_assert_int_eq(ua_respond(&E.b, b, ua_last_rq(&E.b,
							SL_METHOD_INVITE),
				    200), 0);
	env_run(&E, 10);
	ck_assert_int_eq(ua_state(&E.a, a), SL_DLG_STATE_CONFIRMED);
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	/* The ACK: A's request of the dialog with the INVITE's CSeq. */
	env_parse(ua_last_sent(&E.a, "ACK "), &m);
	ck_assert_str_eq(env_ruri(&m), "sip:bob@192.0.2.2:5060");
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "1 ACK");
	ck_assert_ptr_nonnull(strstr(env_hdr_n(&m, "To", 0), ";tag=bobtag"));
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 0), "");
	ck_assert_uint_eq(E.b.n_ack, 1);
	ck_assert_int_eq(E.b.ack[0].verdict, SL_DLG_RX_ACK);
	/* The ACK stopped B's 2xx retransmissions. */
	env_run(&E, 40000);
	ck_assert_uint_eq(ua_count_sent(&E.b, "SIP/2.0 200"), 1);
	ck_assert_uint_eq(E.b.n_no_ack, 0);
	/* The INVITE transaction ended, and with it A's set. */
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, set, &ai), SL_ENOTFOUND);
	ck_assert_int_eq(ua_state(&E.a, a), SL_DLG_STATE_CONFIRMED);

	/* BYE from the caller: CSeq 2, then both sides end. */
	ck_assert_int_eq(ua_send(&E.a, a, "BYE", NULL, 0, &txn), 0);
	env_parse(ua_last_sent(&E.a, "BYE "), &m);
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "2 BYE");
	ck_assert_str_eq(env_hdr_n(&m, "Contact", 0), "");
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a, &ai), 0);
	ck_assert_uint_eq(ai.flags & SL_DLG_F_BYE_SENT, SL_DLG_F_BYE_SENT);
	/* After BYE the session's requests are refused. */
	ck_assert_int_eq(ua_send(&E.a, a, "INFO", NULL, 0, &txn), SL_ESTATE);
	env_run(&E, 5);
	bye = ua_last_rq(&E.b, SL_METHOD_BYE);
	ck_assert_ptr_nonnull(bye);
	ck_assert_int_eq(bye->verdict, SL_DLG_RX_IN_DIALOG);
	ck_assert_uint_eq(bye->id, b);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, b, &bi), 0);
	ck_assert_uint_eq(bi.remote_cseq, 2);
	ck_assert_uint_eq(bi.flags & SL_DLG_F_BYE_RECEIVED,
			  SL_DLG_F_BYE_RECEIVED);
	ck_assert_int_eq(ua_respond(&E.b, b, bye, 200), 0);
	ck_assert_ptr_nonnull(ua_term(&E.b, b));
	ck_assert_int_eq(ua_term(&E.b, b)->why, SL_DLG_END_BYE_RECEIVED);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_BYE)->verdict,
			 SL_DLG_RESP_TERMINATED);
	ck_assert_ptr_nonnull(ua_term(&E.a, a));
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_BYE_SENT);
	ck_assert_int_eq(ua_term(&E.a, a)->status, 200);
	ck_assert_int_eq(E.a.last_err, 0);
	ck_assert_int_eq(E.b.last_err, 0);
	env_down(&E);
}
END_TEST

/* The callee hangs up: a BYE from the UAS, with its CSeq starting at 1. */
START_TEST(bye_from_callee)
{
	struct env_rq *bye;
	struct sl_msg m;
	uint32_t set, a, b, txn;

	env_up(&E, NULL, NULL);
	answered(&set, &a, &b);
	ck_assert_int_eq(ua_send(&E.b, b, "BYE", NULL, 0, &txn), 0);
	env_parse(ua_last_sent(&E.b, "BYE "), &m);
	/* §12.2.1.1: an empty local number starts here. */
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "1 BYE");
	ck_assert_str_eq(env_ruri(&m), "sip:alice@192.0.2.1:5060");
	ck_assert_ptr_nonnull(strstr(env_hdr_n(&m, "From", 0),
				     ";tag=bobtag"));
	env_run(&E, 5);
	bye = ua_last_rq(&E.a, SL_METHOD_BYE);
	ck_assert_int_eq(bye->verdict, SL_DLG_RX_IN_DIALOG);
	ck_assert_uint_eq(bye->id, a);
	ck_assert_int_eq(ua_respond(&E.a, a, bye, 200), 0);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_BYE_RECEIVED);
	env_run(&E, 5);
	ck_assert_int_eq(ua_term(&E.b, b)->why, SL_DLG_END_BYE_SENT);
	env_down(&E);
}
END_TEST

/* §15.1.1: a BYE that times out ends the dialog (Timer F: a 408). */
START_TEST(bye_timeout_ends)
{
	uint32_t set, a, b, txn;

	env_up(&E, NULL, NULL);
	answered(&set, &a, &b);
	/* B loses its dialog; its answers would be 481. Make it silent
	 * instead: drop everything from now on. */
	E.net.cfg.drop_pct = 100;
	ck_assert_int_eq(ua_send(&E.a, a, "BYE", NULL, 0, &txn), 0);
	env_run(&E, 31000);
	ck_assert_int_eq(ua_state(&E.a, a), SL_DLG_STATE_CONFIRMED);
	env_run(&E, 2000);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_BYE)->status, 408);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_BYE)->verdict,
			 SL_DLG_RESP_TERMINATED);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_BYE_SENT);
	ck_assert_int_eq(ua_term(&E.a, a)->status, 408);
	env_down(&E);
}
END_TEST

/* §15: the caller may end an early dialog with a BYE. */
START_TEST(bye_in_early_dialog)
{
	struct sl_txn_response terminated = { .status = 487 };
	struct env_rq *inv, *bye;
	uint32_t set, a, b, txn;

	env_up(&E, NULL, NULL);
	ringing(&set, &a, &b);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_int_eq(ua_send(&E.a, a, "BYE", NULL, 0, &txn), 0);
	env_run(&E, 5);
	bye = ua_last_rq(&E.b, SL_METHOD_BYE);
	ck_assert_int_eq(bye->verdict, SL_DLG_RX_IN_DIALOG);
	ck_assert_uint_eq(bye->id, b);
	ck_assert_int_eq(ua_respond(&E.b, b, bye, 200), 0);
	ck_assert_int_eq(ua_term(&E.b, b)->why, SL_DLG_END_BYE_RECEIVED);
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 487), SL_ENOTFOUND);
	ck_assert_int_eq(sl__txn_respond(E.b.txn, inv->txn, &terminated), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_BYE_SENT);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->status, 487);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_UAC_FAILED);
	ck_assert_uint_eq(E.a.n_term, 1);
	env_down(&E);
}
END_TEST

/* ---- the 2xx retransmission (§13.3.1.4, RFC 6026) ---- */

START_TEST(uas_2xx_until_ack)
{
	static const uint64_t want[] = { 0, 500, 1500, 3500, 7500, 11500,
					 15500, 19500, 23500, 27500, 31500 };
	struct env_rq *inv;
	uint32_t set, a, b;
	uint64_t t0;
	unsigned k = 0;

	env_up(&E, NULL, NULL);
	E.a.auto_ack = 0;
	ringing(&set, &a, &b);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	t0 = tf_now_ms(&E.vc);
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 200), 0);
	env_run(&E, 40000);
	/* T1 doubling to T2, for 64*T1. */
	for (unsigned i = 0; i < E.b.n_sent; i++) {
		if (strncmp(E.b.sent[i].buf, "SIP/2.0 200", 11) != 0)
			continue;
		ck_assert_uint_lt(k, sizeof(want) / sizeof(want[0]));
		ck_assert_uint_eq(E.b.sent[i].at_ms - t0, want[k]);
		k++;
	}
	ck_assert_uint_eq(k, sizeof(want) / sizeof(want[0]));
	ck_assert_uint_eq(E.b.n_no_ack, 1);
	ck_assert_uint_eq(E.b.no_ack[0], b);
	/* The dialog is still confirmed: the UA ends it with a BYE. */
	ck_assert_int_eq(ua_state(&E.b, b), SL_DLG_STATE_CONFIRMED);
	/* A saw the 2xx every time; the repeats are retransmissions. */
	ck_assert_uint_eq(ua_count_rs(&E.a, 200), k);
	ck_assert_int_eq(E.a.rs[E.a.n_rs - 1].verdict,
			 SL_DLG_UAC_RETRANSMIT);
	env_down(&E);
}
END_TEST

/* The ACK for a retransmitted 2xx is sent again (§13.2.2.4). */
START_TEST(uac_acks_every_2xx)
{
	struct env_rq *inv;
	uint32_t set, a, b;

	env_up(&E, NULL, NULL);
	E.net.cfg.drop_pct = 0;
	ringing(&set, &a, &b);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	/* The first ACK is lost: B resends the 200, A ACKs again. */
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 200), 0);
	E.net.cfg.drop_pct = 100;
	env_run(&E, 3);
	E.net.cfg.drop_pct = 0;
	ck_assert_uint_eq(ua_count_sent(&E.a, "ACK "), 1);
	ck_assert_uint_eq(E.b.n_ack, 0);
	env_run(&E, 600);
	ck_assert_uint_eq(ua_count_sent(&E.a, "ACK "), 2);
	ck_assert_int_eq(E.a.rs[E.a.n_rs - 1].verdict,
			 SL_DLG_UAC_RETRANSMIT);
	ck_assert_uint_eq(E.b.n_ack, 1);
	ck_assert_int_eq(E.b.ack[0].verdict, SL_DLG_RX_ACK);
	env_run(&E, 40000);
	ck_assert_uint_eq(ua_count_sent(&E.b, "SIP/2.0 200"), 2);
	ck_assert_uint_eq(E.b.n_no_ack, 0);
	env_down(&E);
}
END_TEST

/* ---- forking (§13.2.2.4) ---- */

START_TEST(forking_first_2xx_wins)
{
	struct env_rq *inv;
	struct sl_dlg_info info;
	uint32_t set, b1, b2, a1, a2, a3;
	unsigned n;

	env_up(&E, NULL, NULL);
	set = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	/* Two UASs behind a forking proxy, each with its own tag. */
	b1 = ua_uas(&E.b, inv, "fork1");
	b2 = ua_uas(&E.b, inv, "fork2");
	ck_assert_uint_ne(b1, b2);
	{
		/* One dialog ID, one dialog. */
		struct sl_dlg_uas_params up = { .contact = E.b.contact,
					       .local_tag = "fork2" };
		uint32_t dup;

		ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn,
						    inv->rx, &up, &dup),
				 SL_EEXIST);
	}
	ck_assert_int_eq(ua_respond(&E.b, b1, inv, 180), 0);
	ck_assert_int_eq(ua_respond(&E.b, b2, inv, 180), 0);
	env_run(&E, 5);
	ck_assert_uint_eq(E.a.n_rs, 2);
	ck_assert_int_eq(E.a.rs[0].verdict, SL_DLG_UAC_EARLY_NEW);
	ck_assert_int_eq(E.a.rs[1].verdict, SL_DLG_UAC_EARLY_NEW);
	a1 = E.a.rs[0].dlg;
	a2 = E.a.rs[1].dlg;
	ck_assert_uint_ne(a1, a2);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, a2, &info), 0);
	ck_assert_str_eq(info.remote_tag.p, "fork2");
	ck_assert_uint_eq(info.set, set);
	/* Another 180 of the first fork: the same dialog. */
	ck_assert_int_eq(ua_respond(&E.b, b1, inv, 180), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[2].verdict, SL_DLG_UAC_EARLY);
	ck_assert_uint_eq(E.a.rs[2].dlg, a1);

	/* The first 200 confirms fork 1; fork 2's early dialog ends. */
	ck_assert_int_eq(ua_respond(&E.b, b1, inv, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[3].verdict, SL_DLG_UAC_CONFIRMED);
	ck_assert_uint_eq(E.a.rs[3].dlg, a1);
	ck_assert_int_eq(ua_state(&E.a, a1), SL_DLG_STATE_CONFIRMED);
	ck_assert_int_eq(ua_state(&E.a, a2), SL_DLG_STATE_FREE);
	ck_assert_int_eq(ua_term(&E.a, a2)->why, SL_DLG_END_FORK_LOST);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, set, &info), 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_SET_CONFIRMED,
			  SL_DLG_F_SET_CONFIRMED);

	/* Fork 2 answers too: a dialog only to ACK and BYE. */
	n = E.a.n_rs;
	ck_assert_int_eq(ua_respond(&E.b, b2, inv, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[n].verdict, SL_DLG_UAC_FORKED);
	a3 = E.a.rs[n].dlg;
	ck_assert_uint_ne(a3, a2);
	ck_assert_uint_gt(a3, a2);
	ck_assert_uint_eq(E.b.n_ack, 2);
	ck_assert_uint_eq(E.b.ack[1].id, b2);
	ck_assert_int_eq(E.b.ack[1].verdict, SL_DLG_RX_ACK);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_BYE)->verdict,
			 SL_DLG_RX_IN_DIALOG);
	ck_assert_uint_eq(ua_last_rq(&E.b, SL_METHOD_BYE)->id, b2);
	ck_assert_int_eq(ua_respond(&E.b, b2, ua_last_rq(&E.b,
							 SL_METHOD_BYE),
				    200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_term(&E.a, a3)->why, SL_DLG_END_BYE_SENT);
	ck_assert_int_eq(ua_term(&E.b, b2)->why, SL_DLG_END_BYE_RECEIVED);
	/* The call goes on with fork 1. */
	ck_assert_int_eq(ua_state(&E.a, a1), SL_DLG_STATE_CONFIRMED);
	ck_assert_int_eq(ua_state(&E.b, b1), SL_DLG_STATE_CONFIRMED);
	ck_assert_int_eq(E.a.last_err, 0);
	env_down(&E);
}
END_TEST

/* A 2xx with a tag no 1xx had, and a 1xx after the 2xx. */
START_TEST(forking_2xx_without_1xx)
{
	struct env_rq *inv;
	struct sl_rxbuf *rx;
	char buf[4096];
	uint32_t set, b1, b2, a1, id;
	size_t n;

	env_up(&E, NULL, NULL);
	set = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	b1 = ua_uas(&E.b, inv, "early1");
	b2 = ua_uas(&E.b, inv, "direct2");
	ck_assert_int_eq(ua_respond(&E.b, b1, inv, 183), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[0].verdict, SL_DLG_UAC_EARLY_NEW);
	a1 = E.a.rs[0].dlg;
	/* The 200 comes from the other fork: a new confirmed dialog; the
	 * early one ends. */
	ck_assert_int_eq(ua_respond(&E.b, b2, inv, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[1].verdict, SL_DLG_UAC_CONFIRMED);
	ck_assert_uint_ne(E.a.rs[1].dlg, a1);
	ck_assert_int_eq(ua_term(&E.a, a1)->why, SL_DLG_END_FORK_LOST);
	/* A 1xx from a third fork now makes nothing (the transaction layer
	 * drops it in Accepted; fed by hand here). */
	n = tf_response(buf, sizeof(buf), inv->rx->data, inv->rx->len, 180,
			"late");
	rx = tf_rx_new(&E.net.rx, buf, n, SL_TP_UDP, "192.0.2.2", 5060, 0);
	ck_assert_ptr_nonnull(rx);
	ck_assert_int_eq(sl__dlg_uac_response(E.a.dlg, set, rx, &id),
			 SL_DLG_UAC_NONE);
	ck_assert_uint_eq(id, 0);
	env_down(&E);
}
END_TEST

/* The set is gone when another fork's 2xx comes: still ACK and BYE. */
START_TEST(forking_after_set_ended)
{
	struct env_rq *inv;
	struct sl_dlg_info info;
	uint32_t set, b1, b2;

	env_up(&E, NULL, NULL);
	set = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	b1 = ua_uas(&E.b, inv, "one");
	b2 = ua_uas(&E.b, inv, "two");
	ck_assert_int_eq(ua_respond(&E.b, b1, inv, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[0].verdict, SL_DLG_UAC_CONFIRMED);
	/* The UA ends the set early (its own choice) ... */
	ck_assert_int_eq(sl__dlg_terminate(E.a.dlg, set), 0);
	/* ... so the response is fed with set 0. */
	E.a.map[0].id = 0;
	ck_assert_int_eq(ua_respond(&E.b, b2, inv, 200), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[1].verdict, SL_DLG_UAC_FORKED);
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, E.a.rs[1].dlg, &info), 0);
	ck_assert_uint_eq(info.set, 0);
	ck_assert_uint_eq(info.flags & SL_DLG_F_FORKED, SL_DLG_F_FORKED);
	ck_assert_uint_eq(E.b.n_ack, 2);
	ck_assert_uint_eq(ua_count_rq(&E.b, SL_METHOD_BYE), 1);
	ck_assert_uint_eq(ua_last_rq(&E.b, SL_METHOD_BYE)->id, b2);
	env_down(&E);
}
END_TEST

/* RFC 6228: a 199 ends the early dialog with its tag. */
START_TEST(early_dialog_199)
{
	struct env_rq *inv;
	struct sl_txn_response r = { .status = 199, .to_tag = "f2" };
	uint32_t set, b1, b2, a1, a2;

	env_up(&E, NULL, NULL);
	set = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	b1 = ua_uas(&E.b, inv, "f1");
	b2 = ua_uas(&E.b, inv, "f2");
	ck_assert_int_eq(ua_respond(&E.b, b1, inv, 180), 0);
	ck_assert_int_eq(ua_respond(&E.b, b2, inv, 180), 0);
	env_run(&E, 5);
	a1 = E.a.rs[0].dlg;
	a2 = E.a.rs[1].dlg;
	ck_assert_int_eq(sl__txn_respond(E.b.txn, inv->txn, &r), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[2].verdict, SL_DLG_UAC_EARLY_ENDED);
	ck_assert_uint_eq(E.a.rs[2].dlg, a2);
	ck_assert_int_eq(ua_term(&E.a, a2)->why, SL_DLG_END_EARLY_ENDED);
	ck_assert_int_eq(ua_state(&E.a, a1), SL_DLG_STATE_EARLY);
	/* Again for a tag that is gone: nothing. */
	ck_assert_int_eq(sl__txn_respond(E.b.txn, inv->txn, &r), 0);
	env_run(&E, 5);
	ck_assert_int_eq(E.a.rs[3].verdict, SL_DLG_UAC_NONE);
	(void)set;
	env_down(&E);
}
END_TEST

/* ---- §12.3: a non-2xx final response ends the early dialogs ---- */

START_TEST(rejected_ends_early)
{
	struct env_rq *inv;
	struct sl_dlg_info info;
	struct sl_dlg_via via;
	struct sl_dlg_req r = { .method = "INVITE" };
	char buf[4096];
	uint32_t set, a, b, cseq;

	env_up(&E, NULL, NULL);
	E.a.auto_end_set = 0;
	ringing(&set, &a, &b);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 486), 0);
	ck_assert_int_eq(ua_term(&E.b, b)->why, SL_DLG_END_REJECTED);
	ck_assert_int_eq(ua_term(&E.b, b)->status, 486);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_UAC_FAILED);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_REJECTED);
	ck_assert_int_eq(ua_term(&E.a, a)->status, 486);
	/* The set stays for a retry, one CSeq further. */
	ck_assert_int_eq(sl__dlg_info(E.a.dlg, set, &info), 0);
	ck_assert_int_eq(info.state, SL_DLG_STATE_SET);
	via = ua_via(&E.a);
	ck_assert_int_gt(sl__dlg_build_request(E.a.dlg, set, &via, &r, buf,
					       sizeof(buf), &cseq), 0);
	ck_assert_uint_eq(cseq, 2);
	ck_assert_int_eq(sl__dlg_terminate(E.a.dlg, set), 0);
	ck_assert_int_eq(sl__dlg_terminate(E.a.dlg, set), SL_ENOTFOUND);
	env_down(&E);
}
END_TEST

/* CANCEL (§9): 487 to the INVITE ends the early dialogs; the CANCEL
 * copies the INVITE's CSeq number. */
START_TEST(cancel_ends_early)
{
	struct env_rq *inv, *cancel;
	struct sl_txn_response ok = { .status = 200 };
	struct sl_msg m;
	char buf[4096];
	uint32_t set, a, b, inv_txn = 0;
	int n;

	env_up(&E, NULL, NULL);
	ringing(&set, &a, &b);
	for (unsigned i = 0; i < E.a.n_map; i++)
		if (E.a.map[i].kind == ENV_K_SET)
			inv_txn = E.a.map[i].txn;
	n = sl__txn_build_cancel(E.a.txn, inv_txn, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(tf_parse(buf, (size_t)n, &m), 0);
	ck_assert_str_eq(env_hdr_n(&m, "CSeq", 0), "1 CANCEL");
	ua_send_raw(&E.a, 0, buf, (size_t)n);
	env_run(&E, 5);
	cancel = ua_last_rq(&E.b, SL_METHOD_CANCEL);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_int_eq(cancel->verdict, SL_DLG_RX_OUTSIDE);
	ck_assert_uint_eq(cancel->cancel_target, inv->txn);
	ck_assert_int_eq(sl__txn_respond(E.b.txn, cancel->txn, &ok), 0);
	ck_assert_int_eq(ua_respond(&E.b, b, inv, 487), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_REJECTED);
	ck_assert_int_eq(ua_term(&E.a, a)->status, 487);
	ck_assert_int_eq(ua_term(&E.b, b)->why, SL_DLG_END_REJECTED);
	env_down(&E);
}
END_TEST

/* ---- many calls through a lossy network ---- */

/* 30 calls and their BYEs with 10% loss, duplicates and reordering: every
 * call gets confirmed on both sides, and every dialog, set and receive
 * buffer is gone at the end. */
START_TEST(lossy_network_calls)
{
	struct sl_dlg_config c;
	struct sl_dlg_stats sa, sb;
	uint32_t confirmed[64];
	unsigned n_conf = 0, n_bye = 0;

	sl__dlg_config_init(&c);
	c.max_dialogs = 64;
	env_up(&E, &c, &c);
	E.net.cfg.drop_pct = 10;
	E.net.cfg.dup_pct = 10;
	E.net.cfg.min_delay_ms = 1;
	E.net.cfg.max_delay_ms = 40;
	E.b.auto_answer = 1;
	for (int i = 0; i < 30; i++) {
		ua_invite(&E.a, NULL, NULL, 0);
		env_run(&E, 20);
	}
	/* Past Timer M and L (64*T1): the INVITE transactions are gone, so
	 * the BYEs find room in the transaction pools (32 each). */
	env_run(&E, 35000);
	for (unsigned i = 0; i < E.a.n_rs; i++)
		if (E.a.rs[i].kind == ENV_K_SET &&
		    E.a.rs[i].verdict == SL_DLG_UAC_CONFIRMED)
			confirmed[n_conf++] = E.a.rs[i].dlg;
	ck_assert_uint_eq(n_conf, 30);
	ck_assert_int_eq(sl__dlg_stats(E.b.dlg, &sb), 0);
	ck_assert_uint_eq(sb.used, 30);
	for (unsigned i = 0; i < n_conf; i++) {
		uint32_t txn;

		ck_assert_int_eq(ua_state(&E.a, confirmed[i]),
				 SL_DLG_STATE_CONFIRMED);
		ck_assert_int_eq(ua_send(&E.a, confirmed[i], "BYE", NULL, 0,
					 &txn), 0);
		n_bye++;
		env_run(&E, 10);
	}
	env_run(&E, 70000);
	ck_assert_int_eq(sl__dlg_stats(E.a.dlg, &sa), 0);
	ck_assert_int_eq(sl__dlg_stats(E.b.dlg, &sb), 0);
	ck_assert_uint_eq(sa.used, 0);
	ck_assert_uint_eq(sb.used, 0);
	ck_assert_uint_eq(E.b.n_no_ack, 0);
	for (unsigned i = 0; i < n_conf; i++) {
		ck_assert_ptr_nonnull(ua_term(&E.a, confirmed[i]));
		ck_assert_int_eq(ua_term(&E.a, confirmed[i])->why,
				 SL_DLG_END_BYE_SENT);
		ck_assert_int_eq(ua_term(&E.a, confirmed[i])->status, 200);
	}
	ck_assert_uint_eq(E.b.n_term, 30);
	ck_assert_int_eq(E.a.last_err, 0);
	ck_assert_int_eq(E.b.last_err, 0);
	ck_assert_uint_gt(E.net.stats.dropped, 0);
	ck_assert_uint_gt(E.net.stats.duplicated, 0);
	(void)n_bye;
	env_down(&E);
}
END_TEST

/* ---- ids ---- */

START_TEST(stale_ids)
{
	struct sl_dlg_info info;
	struct sl_slice s;
	struct sl_dlg_via via;
	struct sl_dlg_req r = { .method = "INFO" };
	struct sl_txn_response resp = { .status = 200 };
	char buf[2048];
	uint32_t set, a, b, old, txn, rseq;

	env_up(&E, NULL, NULL);
	answered(&set, &a, &b);
	old = b;
	ck_assert_int_eq(sl__dlg_terminate(E.b.dlg, b), 0);
	via = ua_via(&E.b);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, old, &info), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_build_request(E.b.dlg, old, &via, &r, buf,
					       sizeof(buf), NULL),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_build_ack(E.b.dlg, old, &via, NULL, NULL, 0,
					   buf, sizeof(buf)), SL_ENOTFOUND);
	ck_assert_int_eq(ua_send(&E.b, old, "INFO", NULL, 0, &txn),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_respond(E.b.dlg, old,
					 ua_last_rq(&E.b,
						    SL_METHOD_INVITE)->txn,
					 &resp), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_next_hop(E.b.dlg, old, &s), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_route(E.b.dlg, old, 0, &s), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_glare_backoff(E.b.dlg, old), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_usage_add(E.b.dlg, old), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_usage_del(E.b.dlg, old), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_rseq_next(E.b.dlg, old, &rseq),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_set_contact(E.b.dlg, old, "sip:x@y"),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_request_failed(E.b.dlg, old,
						SL_METHOD_INFO, 1, 408),
			 SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_terminate(E.b.dlg, old), SL_ENOTFOUND);
	ck_assert_int_eq(sl__dlg_info(E.b.dlg, 0, &info), SL_ENOTFOUND);
	/* No terminated callback for sl__dlg_terminate(). */
	ck_assert_ptr_null(ua_term(&E.b, old));
	/* A's INFO now gets a 481, which ends A's dialog too. */
	ck_assert_int_eq(ua_send(&E.a, a, "INFO", NULL, 0, &txn), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rq(&E.b, SL_METHOD_INFO)->verdict,
			 SL_DLG_RX_ANSWERED);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INFO)->status, 481);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INFO)->verdict,
			 SL_DLG_RESP_TERMINATED);
	ck_assert_int_eq(ua_term(&E.a, a)->why, SL_DLG_END_RESPONSE);
	ck_assert_int_eq(ua_term(&E.a, a)->status, 481);
	env_down(&E);
}
END_TEST

/* Ids never repeat, even when the same slot is used again and again. */
START_TEST(ids_never_repeat)
{
	struct sl_dlg_config c;
	struct sl_dlg_uac_params p;
	struct sl_dlg_stats st;
	struct solo s;
	uint32_t prev = 0, set;

	sl__dlg_config_init(&c);
	c.max_dialogs = 1;
	solo_up(&s, &c);
	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:a@example.com";
	p.remote_uri = "sip:b@example.com";
	p.contact = "sip:a@192.0.2.1";
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &set), 0);
		ck_assert_uint_gt(set, prev);
		ck_assert_int_eq(sl__dlg_uac_create(s.dlg, &p, &prev),
				 SL_ENOMEM);
		ck_assert_int_eq(sl__dlg_terminate(s.dlg, set), 0);
		prev = set;
	}
	ck_assert_int_eq(sl__dlg_stats(s.dlg, &st), 0);
	ck_assert_uint_eq(st.used, 0);
	ck_assert_uint_eq(st.high, 1);
	solo_down(&s);
}
END_TEST

/* ---- pools ---- */

/* A full pool: the UAS answers 503; the UAC gets SL_ENOMEM. */
START_TEST(pool_exhaustion)
{
	struct sl_dlg_config ca, cb;
	struct sl_dlg_uac_params p;
	struct sl_dlg_stats st;
	struct sl_dlg_uas_params up = { .contact = "sip:bob@192.0.2.2" };
	struct env_rq *inv;
	uint32_t set1, set2, b1, id, extra;

	sl__dlg_config_init(&ca);
	ca.max_dialogs = 3;
	sl__dlg_config_init(&cb);
	cb.max_dialogs = 1;
	env_up(&E, &ca, &cb);
	set1 = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	b1 = ua_uas(&E.b, ua_last_rq(&E.b, SL_METHOD_INVITE), "b1");
	set2 = ua_invite(&E.a, NULL, NULL, 0);
	env_run(&E, 5);
	inv = ua_last_rq(&E.b, SL_METHOD_INVITE);
	ck_assert_int_eq(sl__dlg_uas_create(E.b.dlg, inv->txn, inv->rx, &up,
					    &id), SL_ENOMEM);
	ck_assert_uint_eq(id, 0);
	ck_assert_int_eq(sl__dlg_stats(E.b.dlg, &st), 0);
	ck_assert_uint_eq(st.rejected_503, 1);
	ck_assert_uint_eq(st.used, 1);
	env_run(&E, 5);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->status, 503);
	ck_assert_int_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->verdict,
			 SL_DLG_UAC_FAILED);
	ck_assert_uint_eq(ua_last_rs(&E.a, SL_METHOD_INVITE)->id, set2);

	/* A: two sets and one early dialog fill its pool of 3. */
	ck_assert_int_eq(ua_respond(&E.b, b1, &E.b.rq[0], 180), 0);
	env_run(&E, 5);
	ck_assert_int_eq(ua_state(&E.a, ua_last_rs(&E.a,
						   SL_METHOD_INVITE)->dlg),
			 SL_DLG_STATE_EARLY);
	memset(&p, 0, sizeof(p));
	p.local_uri = "sip:a@example.com";
	p.remote_uri = "sip:b@example.com";
	p.contact = "sip:a@192.0.2.1";
	ck_assert_int_eq(sl__dlg_uac_create(E.a.dlg, &p, &extra), SL_ENOMEM);
	(void)set1;
	env_down(&E);
}
END_TEST

Suite *check_dialog_suite(void);

Suite *check_dialog_suite(void)
{
	Suite *s = suite_create("dialog");
	TCase *tc = tcase_create("table");

	tcase_add_test(tc, config_and_create);
	tcase_add_test(tc, names);
	tcase_add_test(tc, ids_never_repeat);
	tcase_add_test(tc, uac_create_errors);
	tcase_add_test(tc, uac_set_request);
	suite_add_tcase(s, tc);

	tc = tcase_create("create");
	tcase_add_test(tc, call_early_confirmed_bye);
	tcase_add_test(tc, bye_from_callee);
	tcase_add_test(tc, bye_timeout_ends);
	tcase_add_test(tc, bye_in_early_dialog);
	tcase_add_test(tc, uas_2xx_until_ack);
	tcase_add_test(tc, uac_acks_every_2xx);
	tcase_add_test(tc, rejected_ends_early);
	tcase_add_test(tc, cancel_ends_early);
	suite_add_tcase(s, tc);

	tc = tcase_create("forking");
	tcase_add_test(tc, forking_first_2xx_wins);
	tcase_add_test(tc, forking_2xx_without_1xx);
	tcase_add_test(tc, forking_after_set_ended);
	tcase_add_test(tc, early_dialog_199);
	suite_add_tcase(s, tc);

	tc = tcase_create("network");
	tcase_add_test(tc, lossy_network_calls);
	suite_add_tcase(s, tc);

	tc = tcase_create("ids");
	tcase_add_test(tc, stale_ids);
	tcase_add_test(tc, pool_exhaustion);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(check_dialog_suite)
