/*
 * tests/unit/ua_peer.c: see ua_peer.h.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ua_peer.h"
#include "core/mem.h"
#include "sipline/build.h"
#include "sipline/log.h"

struct rec REC = { .mu = PTHREAD_MUTEX_INITIALIZER };
struct sl_vclock VC;

/* ---- the peer ---- */

void peer_open(struct peer *p)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	memset(p, 0, sizeof(*p));
	p->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(p->fd, 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(p->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(p->fd, (struct sockaddr *)&a, &len), 0);
	p->port = ntohs(a.sin_port);
}

void peer_close(struct peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int peer_poll(struct peer *p, int timeout_ms)
{
	for (int i = 0; i < 64; i++) {
		struct pollfd pfd = { p->fd, POLLIN, 0 };
		socklen_t fl = sizeof(p->from);
		struct sl_arena arena;
		ssize_t n;

		if (poll(&pfd, 1, timeout_ms) <= 0)
			return 0;
		n = recvfrom(p->fd, p->buf, sizeof(p->buf) - 1, 0,
			     (struct sockaddr *)&p->from, &fl);
		if (n <= 0)
			return 0;
		p->buf[n] = '\0';
		if (n <= 4 && strspn(p->buf, "\r\n") == (size_t)n) {
			p->keepalives++;
			continue;
		}
		p->len = (size_t)n;
		sl_arena_init(&arena, p->arena, sizeof(p->arena));
		ck_assert_msg(sl_msg_parse(&p->msg, p->buf, p->len, &arena,
					   NULL, 0, NULL) == 0,
			      "the UA sent something unparsable:\n%s", p->buf);
		p->n_msgs++;
		return 1;
	}
	return 0;
}

void peer_send(struct peer *p, const struct sockaddr_in *to,
	       const char *text)
{
	ssize_t n = sendto(p->fd, text, strlen(text), 0,
			   (const struct sockaddr *)to, sizeof(*to));

	ck_assert_int_eq(n, (ssize_t)strlen(text));
}

void peer_reply(struct peer *p, int status, const char *extra)
{
	static char out[PEER_BUF];
	struct sl_builder b;
	int n;

	ck_assert(p->msg.is_request);
	sl_build_init(&b, out, sizeof(out));
	sl_build_response(&b, &p->msg, status, NULL, "peer", 0);
	if (extra && *extra) {
		/* Extra lines go in verbatim before the blank line. */
		size_t el = strlen(extra);

		ck_assert_int_eq(b.err, 0);
		ck_assert(b.len + el < b.cap);
		memcpy(b.buf + b.len, extra, el);
		b.len += el;
	}
	n = sl_build_finish(&b, NULL, NULL, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(sendto(p->fd, out, (size_t)n, 0,
				(struct sockaddr *)&p->from,
				sizeof(p->from)), n);
}

const char *peer_hdr(const struct peer *p, const char *name)
{
	static char v[2048];
	struct sl_slice s;

	v[0] = '\0';
	if (sl_msg_find(&p->msg, name, &s) >= 0)
		sl_slice_copy(s, v, sizeof(v));
	return v;
}

int peer_has(const struct peer *p, const char *needle)
{
	return strstr(p->buf, needle) != NULL;
}

int peer_is(const struct peer *p, const char *method)
{
	return p->msg.is_request && sl_slice_eq(p->msg.method_name, method);
}

/* ---- the recorder ---- */

void rec_reset(void)
{
	pthread_mutex_lock(&REC.mu);
	REC.n = 0;
	memset(REC.count, 0, sizeof(REC.count));
	REC.also = NULL;
	REC.ua = NULL;
	pthread_mutex_unlock(&REC.mu);
}

static void copy_str(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

void rec_add(const struct sl_event *ev)
{
	struct rec_ev *r;

	pthread_mutex_lock(&REC.mu);
	if ((unsigned)ev->type < 32)
		REC.count[ev->type]++;
	if (REC.n < REC_MAX) {
		r = &REC.ev[REC.n++];
		memset(r, 0, sizeof(*r));
		r->type = ev->type;
		r->code = ev->code;
		r->expires = ev->expires;
		r->raw_len = ev->raw_len;
		copy_str(r->reason, sizeof(r->reason), ev->reason);
		copy_str(r->from, sizeof(r->from), ev->from);
		copy_str(r->content_type, sizeof(r->content_type),
			 ev->content_type);
		if (ev->body)
			snprintf(r->body, sizeof(r->body), "%.*s",
				 (int)ev->body_len, (const char *)ev->body);
	}
	pthread_mutex_unlock(&REC.mu);
}

void rec_cb(void *arg, const struct sl_event *ev)
{
	(void)arg;
	/* Every pointer is readable during the callback (event.h). */
	ck_assert_ptr_nonnull(ev->reason);
	if (ev->raw)
		ck_assert_int_eq(ev->raw[ev->raw_len], '\0');
	rec_add(ev);
	if (REC.also)
		REC.also(&REC, ev);
}

unsigned rec_count(enum sl_event_type t)
{
	unsigned n;

	pthread_mutex_lock(&REC.mu);
	n = REC.count[t];
	pthread_mutex_unlock(&REC.mu);
	return n;
}

struct rec_ev rec_last(enum sl_event_type t)
{
	struct rec_ev e;

	memset(&e, 0, sizeof(e));
	pthread_mutex_lock(&REC.mu);
	for (unsigned i = REC.n; i-- > 0;) {
		if (REC.ev[i].type == t) {
			e = REC.ev[i];
			break;
		}
	}
	pthread_mutex_unlock(&REC.mu);
	return e;
}

/* ---- the UA ---- */

void ua_test_config(struct sl_ua_config *c, enum sl_run_mode mode)
{
	sl_ua_config_init(c);
	c->listen[0].transport = SL_TRANSPORT_UDP;
	snprintf(c->listen[0].host, sizeof(c->listen[0].host), "127.0.0.1");
	c->listen[0].port = 0;
	c->run_mode = mode;
	c->event_cb = rec_cb;
	c->log_level = getenv("SL_TEST_LOG") ?
		       sl_log_level_parse(getenv("SL_TEST_LOG")) :
		       SL_LOG_NONE;
	snprintf(c->dns_servers, sizeof(c->dns_servers), "127.0.0.1:9");
	/* Before any UA sets it: the checks log too. */
	sl_log_set_level((enum sl_log_level)c->log_level);
}

void ua_test_account(struct sl_account *a, const struct peer *peer)
{
	sl_account_init(a);
	snprintf(a->user, sizeof(a->user), "alice");
	snprintf(a->domain, sizeof(a->domain), "example.com");
	snprintf(a->password, sizeof(a->password), "secret");
	snprintf(a->display_name, sizeof(a->display_name), "Alice");
	if (peer)
		snprintf(a->registrar, sizeof(a->registrar),
			 "sip:127.0.0.1:%u", peer->port);
}

void ua_addr(struct sl_ua *ua, struct sockaddr_in *out)
{
	char text[64], *colon;

	ck_assert_int_gt(sl_ua_local_addr(ua, 0, text, sizeof(text)), 0);
	colon = strrchr(text, ':');
	ck_assert_ptr_nonnull(colon);
	*colon = '\0';
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)atoi(colon + 1));
	ck_assert_int_eq(inet_pton(AF_INET, text, &out->sin_addr), 1);
}

struct sl_ua *ua_app(const struct sl_ua_config *c)
{
	struct sl_ua_hooks h;
	struct sl_ua *ua = NULL;

	sl__vclock_init(&VC, 1000000000ull);
	memset(&h, 0, sizeof(h));
	h.clock = &VC.clock;
	h.seed = 42;
	ck_assert_int_eq(sl__ua_create_ex(&ua, c, &h), 0);
	return ua;
}

void usleep_poll(int ms)
{
	poll(NULL, 0, ms);
}

void pump(struct sl_ua *ua)
{
	for (int i = 0; i < 20; i++) {
		sl_ua_step(ua);
		if (i % 5 == 4)
			usleep_poll(1);
	}
}

int wait_peer(struct peer *p, struct sl_ua *ua)
{
	for (int i = 0; i < 500; i++) {
		sl_ua_step(ua);
		if (peer_poll(p, i < 3 ? 0 : 2))
			return 1;
	}
	return 0;
}

uint64_t vnow_ms(void)
{
	return (VC.now_us - 1000000000ull) / 1000;
}

int advance(struct sl_ua *ua, uint64_t ms, struct peer *p)
{
	uint64_t until = VC.now_us + ms * 1000;

	for (int i = 0; i < 1000000 && VC.now_us < until; i++) {
		uint64_t step;
		int t;

		/* What already arrived is handled at the current time. */
		sl_ua_step(ua);
		t = sl_ua_timeout_ms(ua);

		if (t < 0 || VC.now_us + (uint64_t)t * 1000 > until)
			step = until - VC.now_us;
		else
			step = t > 0 ? (uint64_t)t * 1000 : 0;
		sl__vclock_advance(&VC, step);
		sl_ua_step(ua);
		/* Work the timers just armed for "now" (a locator's deferred
		 * answer, a send) before looking at the peer. */
		for (int k = 0; k < 64 && sl_ua_timeout_ms(ua) == 0; k++)
			sl_ua_step(ua);
		if (p && peer_poll(p, 0))
			return 1;
		if (step == 0 && t == 0) {
			/* Work was pending: one more step ran it. */
			continue;
		}
	}
	pump(ua);
	return p ? peer_poll(p, 1) : 0;
}

uint64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

size_t mem_now(void)
{
	return sl__mem_in_use();
}
