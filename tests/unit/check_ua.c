/*
 * tests/unit/check_ua.c: the UA's life and its plain API (lib/ua/ua.c,
 * account.c, headers.c, options.c, events.c, netif.c): configuration
 * defaults and every field check, creation and destruction in both run
 * modes without leaks, every NULL and wrong-state return, the account
 * checks, the custom header and MIME tables, the queue mode (eventfd and
 * draining), user-part escaping and the Contact, sl_net_interfaces().
 * Registration, request handling and threads have their own binaries
 * (check_ua_register.c, check_ua_options.c, check_ua_threads.c).
 */
#include <check.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ua_peer.c"
#include "check_main.h"

/* ---- configuration ---- */

START_TEST(config_defaults)
{
	struct sl_ua_config c;

	memset(&c, 0x5a, sizeof(c));
	sl_ua_config_init(&c);
	ck_assert_uint_eq(c.n_listen, 1);
	ck_assert_int_eq(c.listen[0].transport, SL_TRANSPORT_UDP);
	ck_assert_uint_eq(c.listen[0].port, 5060);
	ck_assert_str_eq(c.listen[0].host, "");
	ck_assert_uint_eq(c.max_lines, 8);
	ck_assert(!strncmp(c.user_agent, "sipline/", 8));
	ck_assert_int_eq(c.log_level, SL_LOG_WARN);
	ck_assert_int_eq(c.tls_verify, 1);
	ck_assert_uint_eq(c.t1_ms, 500);
	ck_assert_uint_eq(c.t2_ms, 4000);
	ck_assert_uint_eq(c.t4_ms, 5000);
	ck_assert_uint_eq(c.max_msg_size, 65535);
	ck_assert_uint_eq(c.max_transactions, 0);
	ck_assert_uint_eq(c.event_queue, 256);
	ck_assert_int_eq(c.run_mode, SL_RUN_THREAD);
	ck_assert_int_eq(c.event_mode, SL_EVENTS_CALLBACK);
	ck_assert_ptr_null(c.event_cb);
	ck_assert_int_eq(c.sip_message_events, 0);
	ck_assert_int_eq(c.prack, SL_PRACK_SUPPORTED_BODY);
	ck_assert_int_eq(c.early_media, 1);
	ck_assert_uint_eq(c.session_expires, 1800);
	ck_assert_uint_eq(c.min_se, 90);
	ck_assert_str_eq(c.audio_codecs, "PCMU,PCMA,telephone-event");
	ck_assert_str_eq(c.video_codecs, "");
	ck_assert_uint_eq(c.rtp_port_min, 16384);
	ck_assert_uint_eq(c.rtp_port_max, 32767);
	ck_assert_int_eq(c.sip_dscp, -1);
	sl_ua_config_init(NULL);
}
END_TEST

/* One bad field per row, applied to a good test config. */
static void bad_listen_n0(struct sl_ua_config *c) { c->n_listen = 0; }
static void bad_listen_n9(struct sl_ua_config *c) { c->n_listen = 9; }
static void bad_listen_tp(struct sl_ua_config *c)
{
	c->listen[0].transport = (enum sl_transport)3;
}
static void bad_listen_host(struct sl_ua_config *c)
{
	snprintf(c->listen[0].host, sizeof(c->listen[0].host), "localhost");
}
static void bad_local_ip(struct sl_ua_config *c)
{
	snprintf(c->local_ip, sizeof(c->local_ip), "example.com");
}
static void bad_lines0(struct sl_ua_config *c) { c->max_lines = 0; }
static void bad_lines_big(struct sl_ua_config *c) { c->max_lines = 100000; }
static void bad_ua_crlf(struct sl_ua_config *c)
{
	snprintf(c->user_agent, sizeof(c->user_agent), "x\r\nVia: evil");
}
static void bad_ua_unterminated(struct sl_ua_config *c)
{
	memset(c->user_agent, 'a', sizeof(c->user_agent));
}
static void bad_log_level(struct sl_ua_config *c) { c->log_level = 9; }
static void bad_t1(struct sl_ua_config *c) { c->t1_ms = 0; }
static void bad_t2(struct sl_ua_config *c) { c->t2_ms = 100; }
static void bad_t4(struct sl_ua_config *c) { c->t4_ms = 0; }
static void bad_msg_small(struct sl_ua_config *c) { c->max_msg_size = 100; }
static void bad_msg_big(struct sl_ua_config *c)
{
	c->max_msg_size = 1u << 24;
}
static void bad_txns(struct sl_ua_config *c) { c->max_transactions = 40000; }
static void bad_queue(struct sl_ua_config *c) { c->event_queue = 1; }
static void bad_run(struct sl_ua_config *c)
{
	c->run_mode = (enum sl_run_mode)7;
}
static void bad_evmode(struct sl_ua_config *c)
{
	c->event_mode = (enum sl_event_mode)7;
}
static void bad_no_cb(struct sl_ua_config *c) { c->event_cb = NULL; }
static void bad_sipmsg(struct sl_ua_config *c) { c->sip_message_events = 4; }
static void bad_ippref(struct sl_ua_config *c)
{
	c->ip_pref = (enum sl_ip_pref)4;
}
static void bad_prack(struct sl_ua_config *c)
{
	c->prack = (enum sl_prack_mode)4;
}
static void bad_min_se(struct sl_ua_config *c) { c->min_se = 89; }
static void bad_se(struct sl_ua_config *c) { c->session_expires = 60; }
static void bad_codecs(struct sl_ua_config *c) { c->audio_codecs[0] = 0; }
static void bad_rtp(struct sl_ua_config *c)
{
	c->rtp_port_min = 20000;
	c->rtp_port_max = 10000;
}
static void bad_rtp0(struct sl_ua_config *c) { c->rtp_port_min = 0; }
static void bad_dns(struct sl_ua_config *c)
{
	snprintf(c->dns_servers, sizeof(c->dns_servers), "not-an-ip");
}
static void bad_dns_port(struct sl_ua_config *c)
{
	snprintf(c->dns_servers, sizeof(c->dns_servers), "127.0.0.1:99999");
}
static void bad_dns_v6(struct sl_ua_config *c)
{
	snprintf(c->dns_servers, sizeof(c->dns_servers), "[::1");
}
static void bad_dscp(struct sl_ua_config *c) { c->sip_dscp = 64; }
static void bad_dscp_neg(struct sl_ua_config *c) { c->sip_dscp = -2; }
static void bad_tls_files(struct sl_ua_config *c)
{
	snprintf(c->tls_ca_file, sizeof(c->tls_ca_file), "/nonexistent/ca");
}

static void (*const bad_config[])(struct sl_ua_config *) = {
	bad_listen_n0, bad_listen_n9, bad_listen_tp, bad_listen_host,
	bad_local_ip, bad_lines0, bad_lines_big, bad_ua_crlf,
	bad_ua_unterminated, bad_log_level, bad_t1, bad_t2, bad_t4,
	bad_msg_small, bad_msg_big, bad_txns, bad_queue, bad_run,
	bad_evmode, bad_no_cb, bad_sipmsg, bad_ippref, bad_prack,
	bad_min_se, bad_se, bad_codecs, bad_rtp, bad_rtp0, bad_dns,
	bad_dns_port, bad_dns_v6, bad_tls_files, bad_dscp, bad_dscp_neg
};

START_TEST(config_bad_field)
{
	struct sl_ua_config c;
	struct sl_ua *ua = (struct sl_ua *)&c;
	size_t before = mem_now();

	ua_test_config(&c, SL_RUN_APP);
	bad_config[_i](&c);
	ck_assert_int_eq(sl_ua_create(&ua, &c), SL_EINVAL);
	ck_assert_ptr_null(ua);
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

START_TEST(dns_server_forms)
{
	struct sl_ua_config c;
	struct sl_ua *ua;

	ua_test_config(&c, SL_RUN_APP);
	snprintf(c.dns_servers, sizeof(c.dns_servers),
		 " 127.0.0.1:5353 ,[::1]:53,::1, 192.0.2.1");
	ck_assert_int_eq(sl_ua_create(&ua, &c), 0);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
	/* Five servers: more than the resolver takes. */
	snprintf(c.dns_servers, sizeof(c.dns_servers),
		 "127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4,127.0.0.5");
	ck_assert_int_eq(sl_ua_create(&ua, &c), SL_EINVAL);
}
END_TEST

START_TEST(create_null_args)
{
	struct sl_ua_config c;
	struct sl_ua *ua;

	ua_test_config(&c, SL_RUN_APP);
	ck_assert_int_eq(sl_ua_create(NULL, &c), SL_EINVAL);
	ck_assert_int_eq(sl_ua_create(&ua, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_destroy(NULL, 0), SL_EINVAL);
}
END_TEST

START_TEST(create_port_in_use)
{
	struct sl_ua_config c;
	struct sl_ua *ua = NULL;
	struct peer p;
	size_t before = mem_now();

	peer_open(&p);
	ua_test_config(&c, SL_RUN_APP);
	c.listen[0].port = p.port;
	ck_assert_int_eq(sl_ua_create(&ua, &c), SL_ETRANSPORT);
	ck_assert_ptr_null(ua);
	ck_assert_uint_eq(mem_now(), before);
	peer_close(&p);
}
END_TEST

/* Every allocation failure during creation is SL_ENOMEM and leaks
 * nothing. */
START_TEST(create_out_of_memory)
{
	struct sl_ua_config c;
	size_t before = mem_now();
	int rc = SL_ENOMEM;

	ua_test_config(&c, SL_RUN_APP);
	/* About 80 allocations with the media engine (threads, device,
	 * stream pools): the bound leaves room to grow. */
	for (unsigned n = 1; n < 256 && rc == SL_ENOMEM; n++) {
		struct sl_ua *ua = NULL;

		sl__mem_fail_after(n);
		rc = sl_ua_create(&ua, &c);
		sl__mem_fail_after(0);
		if (rc == 0) {
			ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
			break;
		}
		ck_assert_int_eq(rc, SL_ENOMEM);
		ck_assert_ptr_null(ua);
		ck_assert_uint_eq(mem_now(), before);
	}
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

/* ---- life in both modes ---- */

START_TEST(create_destroy_app)
{
	struct sl_ua_config c;
	struct sl_ua *ua;
	char addr[64];
	size_t before = mem_now();

	rec_reset();
	ua_test_config(&c, SL_RUN_APP);
	ck_assert_int_eq(sl_ua_create(&ua, &c), 0);
	ck_assert_int_ge(sl_ua_fd(ua), 0);
	ck_assert_int_ge(sl_ua_timeout_ms(ua), -1);
	ck_assert_int_eq(sl_ua_step(ua), 0);
	ck_assert_int_gt(sl_ua_local_addr(ua, 0, addr, sizeof(addr)), 0);
	ck_assert(!strncmp(addr, "127.0.0.1:", 10));
	ck_assert_int_eq(sl_ua_local_addr(ua, 1, addr, sizeof(addr)),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_local_addr(ua, 0, addr, 5), SL_ENOSPC);
	ck_assert_int_eq(sl_ua_local_addr(ua, 0, NULL, 5), SL_EINVAL);
	ck_assert_int_eq(sl_ua_event_fd(ua), SL_ESTATE);
	ck_assert_int_eq(sl_ua_destroy(ua, 100), 0);
	/* The last word of callback mode. */
	ck_assert_uint_eq(rec_count(SL_EV_DESTROYED), 1);
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

START_TEST(create_destroy_thread)
{
	struct sl_ua_config c;
	struct sl_ua *ua;
	char addr[64];
	size_t before = mem_now();

	rec_reset();
	ua_test_config(&c, SL_RUN_THREAD);
	c.listen[1] = c.listen[0];
	c.listen[1].transport = SL_TRANSPORT_TCP;
	c.listen[2] = c.listen[0];
	snprintf(c.listen[2].host, sizeof(c.listen[2].host), "::1");
	c.n_listen = 3;
	ck_assert_int_eq(sl_ua_create(&ua, &c), 0);
	ck_assert_int_eq(sl_ua_fd(ua), SL_ESTATE);
	ck_assert_int_eq(sl_ua_timeout_ms(ua), SL_ESTATE);
	ck_assert_int_eq(sl_ua_step(ua), SL_ESTATE);
	ck_assert_int_gt(sl_ua_local_addr(ua, 1, addr, sizeof(addr)), 0);
	ck_assert(!strncmp(addr, "127.0.0.1:", 10));
	ck_assert_int_gt(sl_ua_local_addr(ua, 2, addr, sizeof(addr)), 0);
	ck_assert(!strncmp(addr, "[::1]:", 6));
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
	ck_assert_uint_eq(rec_count(SL_EV_DESTROYED), 1);
	ck_assert_uint_eq(mem_now(), before);
}
END_TEST

/* ---- every public function with a NULL UA ---- */

START_TEST(null_ua)
{
	struct sl_account a;
	struct sl_event ev;
	char buf[32];

	sl_account_init(&a);
	ck_assert_int_eq(sl_ua_fd(NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_timeout_ms(NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_step(NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_event_fd(NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_event_next(NULL, &ev), SL_EINVAL);
	ck_assert_int_eq(sl_ua_events_dropped(NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_set_account(NULL, &a), SL_EINVAL);
	ck_assert_int_eq(sl_ua_set_display_name(NULL, "x"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_register(NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_unregister(NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl_ua_network_changed(NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_local_addr(NULL, 0, buf, sizeof(buf)),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(NULL, 0, NULL, SL_HDR_DIR_BOTH,
					  "X-A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_modify_header(NULL, 0, NULL, SL_HDR_DIR_BOTH,
					     "X-A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_remove_header(NULL, 1), SL_EINVAL);
	ck_assert_int_eq(sl_ua_clear_headers(NULL, 0), SL_EINVAL);
	ck_assert_int_eq(sl_ua_accept_mime(NULL, "MESSAGE", "text/html"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_net_interfaces(NULL, 3), SL_EINVAL);
	sl_account_init(NULL);
}
END_TEST

/* ---- the account ---- */

static void acc_no_user(struct sl_account *a) { a->user[0] = 0; }
static void acc_user_ctl(struct sl_account *a)
{
	snprintf(a->user, sizeof(a->user), "al\nice");
}
static void acc_no_domain(struct sl_account *a) { a->domain[0] = 0; }
static void acc_bad_domain(struct sl_account *a)
{
	snprintf(a->domain, sizeof(a->domain), "exa mple.com");
}
static void acc_domain_user(struct sl_account *a)
{
	snprintf(a->domain, sizeof(a->domain), "bob@example.com");
}
static void acc_bad_registrar(struct sl_account *a)
{
	snprintf(a->registrar, sizeof(a->registrar), "http://example.com");
}
static void acc_registrar_space(struct sl_account *a)
{
	snprintf(a->registrar, sizeof(a->registrar), "sip:exa mple");
}
static void acc_bad_proxy(struct sl_account *a)
{
	snprintf(a->outbound_proxy, sizeof(a->outbound_proxy), "sip:");
}
static void acc_expires0(struct sl_account *a) { a->expires = 0; }
static void acc_expires_big(struct sl_account *a) { a->expires = 3601; }
static void acc_retries(struct sl_account *a) { a->reg_retries = 1000; }
static void acc_retry_ms(struct sl_account *a) { a->reg_retry_ms = 10; }
static void acc_recover(struct sl_account *a) { a->reg_recover_ms = 10; }
static void acc_instance(struct sl_account *a)
{
	snprintf(a->instance_id, sizeof(a->instance_id), "urn:uuid:\"x\"");
}
static void acc_reg_id(struct sl_account *a) { a->reg_id = 0x80000000u; }
static void acc_escape(struct sl_account *a)
{
	snprintf(a->escape_user, sizeof(a->escape_user), "# ");
}
static void acc_keepalive(struct sl_account *a) { a->keepalive_ms = 10; }
static void acc_transport(struct sl_account *a)
{
	a->transport = (enum sl_transport)5;
}
static void acc_display(struct sl_account *a)
{
	snprintf(a->display_name, sizeof(a->display_name), "A\x01");
}
static void acc_unterminated(struct sl_account *a)
{
	memset(a->password, 'p', sizeof(a->password));
}
static void acc_auth_user(struct sl_account *a)
{
	snprintf(a->auth_user, sizeof(a->auth_user), "a\r\n");
}

static void (*const bad_account[])(struct sl_account *) = {
	acc_no_user, acc_user_ctl, acc_no_domain, acc_bad_domain,
	acc_domain_user, acc_bad_registrar, acc_registrar_space,
	acc_bad_proxy, acc_expires0, acc_expires_big, acc_retries,
	acc_retry_ms, acc_recover, acc_instance, acc_reg_id, acc_escape,
	acc_keepalive, acc_transport, acc_display, acc_unterminated,
	acc_auth_user
};

static struct sl_ua *app_ua(void)
{
	struct sl_ua_config c;
	struct sl_ua *ua;

	rec_reset();
	ua_test_config(&c, SL_RUN_APP);
	ck_assert_int_eq(sl_ua_create(&ua, &c), 0);
	return ua;
}

START_TEST(account_bad_field)
{
	struct sl_ua *ua = app_ua();
	struct sl_account a;

	ua_test_account(&a, NULL);
	bad_account[_i](&a);
	ck_assert_int_eq(sl_ua_set_account(ua, &a), SL_EINVAL);
	/* Nothing was set: wrong state stays. */
	ck_assert_int_eq(sl_ua_set_display_name(ua, "x"), SL_ESTATE);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

START_TEST(account_defaults_and_set)
{
	struct sl_ua *ua = app_ua();
	struct sl_account a;
	char aor[128];

	sl_account_init(&a);
	ck_assert_uint_eq(a.expires, 3600);
	ck_assert_uint_eq(a.reg_retries, 3);
	ck_assert_uint_eq(a.reg_retry_ms, 5000);
	ck_assert_uint_eq(a.reg_recover_ms, 30000);
	ck_assert_int_eq(a.rport, 1);
	ck_assert_int_eq(a.ims_tags, 0);
	ck_assert_uint_eq(a.keepalive_ms, 15000);
	ck_assert_int_eq(a.transport, SL_TRANSPORT_UDP);
	ck_assert_int_eq(sl_ua_set_account(ua, NULL), SL_EINVAL);

	ua_test_account(&a, NULL);
	/* A bare host:port registrar is taken as a sip: URI. */
	snprintf(a.registrar, sizeof(a.registrar), "127.0.0.1:5099");
	snprintf(a.user, sizeof(a.user), "al ice#1");
	snprintf(a.escape_user, sizeof(a.escape_user), "#");
	ck_assert_int_eq(sl_ua_set_account(ua, &a), 0);
	ck_assert_str_eq(ua->acct.a.registrar, "sip:127.0.0.1:5099");
	ck_assert_int_gt(sl__ua_aor(ua, aor, sizeof(aor)), 0);
	ck_assert_str_eq(aor, "sip:al%20ice%231@example.com");
	ck_assert_int_eq(sl__ua_aor(ua, aor, 5), SL_ENOSPC);

	ck_assert_int_eq(sl_ua_set_display_name(ua, "Bob \"B\""), 0);
	ck_assert_str_eq(sl__ua_display(ua), "Bob \"B\"");
	ck_assert_int_eq(sl_ua_set_display_name(ua, NULL), 0);
	ck_assert_str_eq(sl__ua_display(ua), "");
	ck_assert_int_eq(sl_ua_set_display_name(ua, "a\nb"), SL_EINVAL);
	{
		char longname[300];

		memset(longname, 'x', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		ck_assert_int_eq(sl_ua_set_display_name(ua, longname),
				 SL_EINVAL);
	}
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

START_TEST(escape_user_rules)
{
	char out[64];

	ck_assert_int_eq(sl__ua_escape_user("alice", "", out, sizeof(out)),
			 5);
	ck_assert_str_eq(out, "alice");
	/* user-unreserved stays; '@', ':', space and controls do not. */
	ck_assert_int_gt(sl__ua_escape_user("a&=+$,;?/b", "", out,
					    sizeof(out)), 0);
	ck_assert_str_eq(out, "a&=+$,;?/b");
	ck_assert_int_gt(sl__ua_escape_user("a@b:c d", "", out,
					    sizeof(out)), 0);
	ck_assert_str_eq(out, "a%40b%3Ac%20d");
	ck_assert_int_gt(sl__ua_escape_user("*100#", "#*", out,
					    sizeof(out)), 0);
	ck_assert_str_eq(out, "%2A100%23");
	ck_assert_int_gt(sl__ua_escape_user("\xc3\xa9", "", out,
					    sizeof(out)), 0);
	ck_assert_str_eq(out, "%C3%A9");
	ck_assert_int_eq(sl__ua_escape_user("abc", "", out, 3), SL_ENOSPC);
	ck_assert_int_eq(sl__ua_escape_user("a b", "", out, 4), SL_ENOSPC);
}
END_TEST

START_TEST(contact_forms)
{
	struct sl_ua *ua = app_ua();
	struct sl_account a;
	struct sl_addr v4, v6;
	char c[512];

	ck_assert_int_eq(sl__addr_set(&v4, "192.0.2.5", 9, 5062), 0);
	ck_assert_int_eq(sl__addr_set(&v6, "2001:db8::5", 11, 5060), 0);
	ck_assert_int_eq(sl__ua_contact(ua, SL_TP_UDP, &v4, 1, c,
					sizeof(c)), SL_ESTATE);
	ua_test_account(&a, NULL);
	ck_assert_int_eq(sl_ua_set_account(ua, &a), 0);
	ck_assert_int_gt(sl__ua_contact(ua, SL_TP_UDP, &v4, 1, c,
					sizeof(c)), 0);
	ck_assert_str_eq(c, "<sip:alice@192.0.2.5:5062>");
	ck_assert_int_gt(sl__ua_contact(ua, SL_TP_TCP, &v6, 0, c,
					sizeof(c)), 0);
	ck_assert_str_eq(c, "<sip:alice@[2001:db8::5]:5060;transport=tcp>");

	snprintf(a.instance_id, sizeof(a.instance_id),
		 "urn:uuid:00000000-0000-1000-8000-000A95A0E128");
	a.reg_id = 1;
	a.ims_tags = 1;
	ck_assert_int_eq(sl_ua_set_account(ua, &a), 0);
	ck_assert_int_gt(sl__ua_contact(ua, SL_TP_TLS, &v4, 1, c,
					sizeof(c)), 0);
	ck_assert_str_eq(c, "<sip:alice@192.0.2.5:5062;transport=tls>"
		";+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-"
		"000A95A0E128>\";reg-id=1"
		";+g.3gpp.icsi-ref=\"urn%3Aurn-7%3A3gpp-service.ims.icsi."
		"mmtel\";+g.3gpp.smsip");
	/* Outside REGISTER: no instance, the feature tags stay. */
	ck_assert_int_gt(sl__ua_contact(ua, SL_TP_UDP, &v4, 0, c,
					sizeof(c)), 0);
	ck_assert(!strstr(c, "sip.instance"));
	ck_assert_ptr_nonnull(strstr(c, "+g.3gpp.smsip"));
	ck_assert_int_eq(sl__ua_contact(ua, SL_TP_UDP, &v4, 1, c, 40),
			 SL_ENOSPC);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

/* ---- wrong state ---- */

START_TEST(wrong_state)
{
	struct sl_ua *ua = app_ua();
	struct sl_account a;
	struct sl_event ev;

	ck_assert_int_eq(sl_ua_register(ua), SL_ESTATE);
	ck_assert_int_eq(sl_ua_unregister(ua, 0), SL_ESTATE);
	ck_assert_int_eq(sl_ua_set_display_name(ua, "x"), SL_ESTATE);
	ck_assert_int_eq(sl_ua_event_next(ua, &ev), SL_ESTATE);
	ck_assert_int_eq(sl_ua_event_next(ua, NULL), SL_EINVAL);
	ck_assert_int_eq(sl_ua_event_fd(ua), SL_ESTATE);
	/* An account without a registrar: no REGISTER at all. */
	ua_test_account(&a, NULL);
	ck_assert_int_eq(sl_ua_set_account(ua, &a), 0);
	ck_assert_int_eq(sl_ua_register(ua), SL_ESTATE);
	ck_assert_int_eq(sl_ua_unregister(ua, 0), SL_ESTATE);
	ck_assert_int_eq(sl_ua_network_changed(ua), 0);
	ck_assert_int_eq(sl_ua_events_dropped(ua), 0);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

/* ---- custom header rules (API side; the wire side is in
 * check_ua_options.c) ---- */

START_TEST(header_rules_api)
{
	struct sl_ua *ua = app_ua();
	char longv[SL_UA_HDR_VALUE_MAX + 1];
	int id1, id2, ids[SL_UA_HDR_RULES];

	id1 = sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH, "X-One", "1");
	ck_assert_int_gt(id1, 0);
	id2 = sl_ua_modify_header(ua, 0, "REGISTER", SL_HDR_DIR_REQUEST,
				  "User-Agent", "phone/2");
	ck_assert_int_gt(id2, id1);
	/* Bad arguments. */
	ck_assert_int_eq(sl_ua_add_header(ua, -1, NULL, SL_HDR_DIR_BOTH,
					  "X-A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, "IN VITE", SL_HDR_DIR_BOTH,
					  "X-A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, "", SL_HDR_DIR_BOTH,
					  "X-A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, (enum sl_header_dir)0,
					  "X-A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, (enum sl_header_dir)4,
					  "X-A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  "X A", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  "X-A:", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  "", "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  "X-A", "1\r\nVia: x"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  NULL, "1"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  "X-A", NULL), SL_EINVAL);
	memset(longv, 'v', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  "X-A", longv), SL_EINVAL);
	/* The headers transactions are made of cannot be touched, in any
	 * spelling. */
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					  "via", "x"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_modify_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					     "i", "x"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_modify_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					     "Content-Length", "0"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_modify_header(ua, 0, NULL, SL_HDR_DIR_BOTH,
					     "CSeq", "1 X"), SL_EINVAL);

	ck_assert_int_eq(sl_ua_remove_header(ua, id1), 0);
	ck_assert_int_eq(sl_ua_remove_header(ua, id1), SL_ENOTFOUND);
	ck_assert_int_eq(sl_ua_remove_header(ua, 0), SL_ENOTFOUND);
	ck_assert_int_eq(sl_ua_remove_header(ua, 9999), SL_ENOTFOUND);

	/* Fill the table: the id of a removed rule never comes back. */
	ids[0] = id2;
	for (unsigned i = 1; i < SL_UA_HDR_RULES; i++) {
		ids[i] = sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH, "X-N",
					  "n");
		ck_assert_int_gt(ids[i], ids[i - 1]);
	}
	ck_assert_int_eq(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH, "X-N",
					  "n"), SL_ENOMEM);
	ck_assert_int_eq(sl_ua_clear_headers(ua, 2), SL_EINVAL);
	ck_assert_int_eq(sl_ua_clear_headers(ua, 0), 0);
	ck_assert_uint_eq(ua->hdrs.n, 1);
	ck_assert_int_eq(sl_ua_remove_header(ua, ids[1]), SL_ENOTFOUND);
	ck_assert_int_eq(sl_ua_clear_headers(ua, 1), 0);
	ck_assert_uint_eq(ua->hdrs.n, 0);
	ck_assert_int_eq(sl_ua_remove_header(ua, id2), SL_ENOTFOUND);
	ck_assert_int_gt(sl_ua_add_header(ua, 0, NULL, SL_HDR_DIR_BOTH, "X-N",
					  "n"), ids[SL_UA_HDR_RULES - 1]);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

START_TEST(accept_mime_api)
{
	struct sl_ua *ua = app_ua();
	struct sl_slice msg = { "MESSAGE", 7 }, info = { "INFO", 4 };
	struct sl_slice html = { "text/html; charset=utf-8", 24 };
	char acc[512];
	int rc = 0;

	ck_assert(!sl__ua_mime_ok(ua, msg, html));
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MESSAGE", "text/html"), 0);
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MESSAGE", "TEXT/HTML"), 0);
	ck_assert(sl__ua_mime_ok(ua, msg, html));
	ck_assert(!sl__ua_mime_ok(ua, info, html));
	ck_assert_int_eq(sl_ua_accept_mime(ua, NULL, "application/x-y"), 0);
	ck_assert_int_gt(sl__ua_accept(ua, info, acc, sizeof(acc)), 0);
	ck_assert_str_eq(acc, "application/dtmf-relay, "
			 "application/media_control+xml, application/x-y");
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MESSAGE", "text"), SL_EINVAL);
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MESSAGE", "text/"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MESSAGE", "/html"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MESSAGE", "text/html;q=1"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MES SAGE", "text/html"),
			 SL_EINVAL);
	ck_assert_int_eq(sl_ua_accept_mime(ua, "MESSAGE", NULL), SL_EINVAL);
	for (int i = 0; i < 64 && rc == 0; i++) {
		char t[32];

		snprintf(t, sizeof(t), "application/x%d", i);
		rc = sl_ua_accept_mime(ua, "INFO", t);
	}
	ck_assert_int_eq(rc, SL_ENOMEM);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

/* ---- queue mode ---- */

static int fd_readable(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, 0) == 1;
}

START_TEST(queue_mode_drain)
{
	struct sl_ua_config c;
	struct sl_ua *ua;
	struct sockaddr_in to;
	struct peer p;
	struct sl_event ev;
	const char *raw1;
	int fd, n = 0, got;
	size_t before = mem_now();

	peer_open(&p);
	ua_test_config(&c, SL_RUN_APP);
	c.event_mode = SL_EVENTS_QUEUE;
	c.event_cb = NULL;
	c.sip_message_events = 3;
	ua = ua_app(&c);
	ua_addr(ua, &to);
	fd = sl_ua_event_fd(ua);
	ck_assert_int_ge(fd, 0);
	ck_assert(!fd_readable(fd));
	ck_assert_int_eq(sl_ua_event_next(ua, &ev), 0);

	for (int i = 0; i < 3; i++) {
		char req[512];

		snprintf(req, sizeof(req),
			 "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
			 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKq%d\r\n"
			 "From: <sip:peer@127.0.0.1>;tag=p%d\r\n"
			 "To: <sip:alice@127.0.0.1>\r\n"
			 "Call-ID: q%d@test\r\nCSeq: 1 OPTIONS\r\n"
			 "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
			 p.port, i, i, i);
		peer_send(&p, &to, req);
		ck_assert(wait_peer(&p, ua));
		ck_assert(!strncmp(p.buf, "SIP/2.0 200", 11));
	}
	pump(ua);
	ck_assert(fd_readable(fd));
	/* Received, sent, three times, in order. */
	ck_assert_int_eq(sl_ua_event_next(ua, &ev), 1);
	ck_assert_int_eq(ev.type, SL_EV_SIP_RECEIVED);
	ck_assert_int_eq(ev.line, -1);
	ck_assert_ptr_nonnull(ev.raw);
	ck_assert(!strncmp(ev.raw, "OPTIONS ", 8));
	raw1 = ev.raw;
	n = 1;
	while ((got = sl_ua_event_next(ua, &ev)) == 1) {
		ck_assert_int_eq(ev.type, n % 2 ? SL_EV_SIP_SENT
					       : SL_EV_SIP_RECEIVED);
		ck_assert_str_eq(ev.reason, "");
		ck_assert_int_eq(ev.raw[ev.raw_len], '\0');
		if (ev.type == SL_EV_SIP_SENT)
			ck_assert(!strncmp(ev.raw, "SIP/2.0 200 OK", 14));
		n++;
	}
	(void)raw1;
	ck_assert_int_eq(got, 0);
	ck_assert_int_eq(n, 6);
	ck_assert(!fd_readable(fd));
	ck_assert_int_eq(sl_ua_events_dropped(ua), 0);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
	ck_assert_uint_eq(mem_now(), before);
	peer_close(&p);
}
END_TEST

/* A queue nobody drains drops SIP-message events (oldest first) but keeps
 * room for the others. */
START_TEST(queue_mode_overflow)
{
	struct sl_ua_config c;
	struct sl_ua *ua;
	struct sl_event ev;
	char raw[600];
	unsigned sip = 0, reg = 0;
	int last_seq = -1, got;

	ua_test_config(&c, SL_RUN_APP);
	c.event_mode = SL_EVENTS_QUEUE;
	c.event_cb = NULL;
	c.event_queue = 16;
	c.max_lines = 1;
	ua = ua_app(&c);
	memset(raw, 'r', sizeof(raw));
	for (int i = 0; i < 200; i++) {
		int n = snprintf(raw, sizeof(raw), "M%d ", i);

		raw[n] = 'r';
		sl__ua_emit_sip(ua, SL_EV_SIP_RECEIVED, raw, sizeof(raw));
		if (i % 50 == 0)
			ck_assert_int_eq(sl__ua_emit_status(
				ua, SL_EV_REGISTERED, 200, "OK", NULL, 60), 0);
	}
	ck_assert_int_gt(sl_ua_events_dropped(ua), 150);
	while ((got = sl_ua_event_next(ua, &ev)) == 1) {
		if (ev.type == SL_EV_REGISTERED) {
			reg++;
			ck_assert_str_eq(ev.reason, "OK");
			ck_assert_uint_eq(ev.expires, 60);
			continue;
		}
		ck_assert_int_eq(ev.type, SL_EV_SIP_RECEIVED);
		ck_assert_uint_eq(ev.raw_len, sizeof(raw));
		sip++;
		{
			int seq = atoi(ev.raw + 1);

			/* Oldest dropped first: what is left is in order and
			 * ends with the newest. */
			ck_assert_int_gt(seq, last_seq);
			last_seq = seq;
		}
	}
	ck_assert_int_eq(got, 0);
	ck_assert_uint_eq(reg, 4);
	ck_assert_uint_gt(sip, 0);
	ck_assert_int_eq(last_seq, 199);
	ck_assert_int_eq(sl_ua_destroy(ua, 0), 0);
}
END_TEST

START_TEST(event_names)
{
	ck_assert_str_eq(sl_event_name(SL_EV_REGISTERED), "registered");
	ck_assert_str_eq(sl_event_name(SL_EV_REGISTRATION_FAILED),
			 "registration-failed");
	ck_assert_str_eq(sl_event_name(SL_EV_SIP_SENT), "sip-sent");
	ck_assert_str_eq(sl_event_name(SL_EV_DESTROYED), "destroyed");
	ck_assert_str_eq(sl_event_name((enum sl_event_type)99), "unknown");
	ck_assert_str_eq(sl_event_name((enum sl_event_type)-1), "unknown");
	for (int t = 0; t <= SL_EV_DESTROYED; t++)
		ck_assert_str_ne(sl_event_name((enum sl_event_type)t),
				 "unknown");
	ck_assert_str_eq(sl_close_reason_name(SL_CLOSE_REMOTE_BYE),
			 "remote-bye");
	ck_assert_str_eq(sl_close_reason_name(SL_CLOSE_ERROR), "error");
	ck_assert_str_eq(sl_close_reason_name((enum sl_close_reason)42),
			 "unknown");
}
END_TEST

START_TEST(net_interfaces_lo)
{
	struct sl_net_if ifs[64];
	int n = sl_net_interfaces(ifs, 64), found = 0;

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sl_net_interfaces(NULL, 0), n);
	for (int i = 0; i < n && i < 64; i++) {
		if (!strcmp(ifs[i].name, "lo") &&
		    !strcmp(ifs[i].addr, "127.0.0.1")) {
			ck_assert_int_eq(ifs[i].loopback, 1);
			ck_assert_int_eq(ifs[i].ipv6, 0);
			found = 1;
		}
	}
	ck_assert(found);
	/* A short array still reports the full count. */
	ck_assert_int_eq(sl_net_interfaces(ifs, 1), n);
}
END_TEST

static Suite *ua_suite(void)
{
	Suite *s = suite_create("ua");
	TCase *tc = tcase_create("config");

	tcase_add_test(tc, config_defaults);
	tcase_add_loop_test(tc, config_bad_field, 0,
			    sizeof(bad_config) / sizeof(bad_config[0]));
	tcase_add_test(tc, create_null_args);
	tcase_add_test(tc, dns_server_forms);
	tcase_add_test(tc, create_port_in_use);
	tcase_add_test(tc, create_out_of_memory);
	suite_add_tcase(s, tc);

	tc = tcase_create("life");
	tcase_add_test(tc, create_destroy_app);
	tcase_add_test(tc, create_destroy_thread);
	tcase_add_test(tc, null_ua);
	tcase_add_test(tc, wrong_state);
	suite_add_tcase(s, tc);

	tc = tcase_create("account");
	tcase_add_loop_test(tc, account_bad_field, 0,
			    sizeof(bad_account) / sizeof(bad_account[0]));
	tcase_add_test(tc, account_defaults_and_set);
	tcase_add_test(tc, escape_user_rules);
	tcase_add_test(tc, contact_forms);
	suite_add_tcase(s, tc);

	tc = tcase_create("tables");
	tcase_add_test(tc, header_rules_api);
	tcase_add_test(tc, accept_mime_api);
	suite_add_tcase(s, tc);

	tc = tcase_create("events");
	tcase_add_test(tc, queue_mode_drain);
	tcase_add_test(tc, queue_mode_overflow);
	tcase_add_test(tc, event_names);
	tcase_add_test(tc, net_interfaces_lo);
	suite_add_tcase(s, tc);
	return s;
}

SL_CHECK_MAIN(ua_suite)
