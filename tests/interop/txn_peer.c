/*
 * tests/interop/txn_peer.c: a minimal SIP user agent made of the loop
 * (lib/core), the transports (transport/) and the transaction layer
 * (lib/txn), for interop runs against SIPp (tests/interop/sipp-txn.sh,
 * tests/interop/netns-loss.sh) and the transaction benchmark
 * (tools/bench/txn-bench.sh). A test program: it uses internal headers.
 *
 *   txn_peer uas --udp IP:PORT [--tcp IP:PORT]
 *	answers OPTIONS 200, INVITE 180 then 200, BYE 200, CANCEL 200/481
 *	(RFC 3261 §9.2), anything else 501. The UA core retransmits its 2xx
 *	from T1 doubling up to T2 until the ACK (or a BYE) comes, and gives
 *	the call up after 64*T1 (§13.3.1.4), counted as a failure.
 *	Runs until SIGTERM/SIGINT; exit 0, or 1 when a call went unacked.
 *   txn_peer uac --target IP:PORT --transport udp|tcp
 *		  --method OPTIONS|INVITE --count N [--rate R]
 *	sends N transactions (for INVITE a call: INVITE, the ACK for the 2xx
 *	-- again for every retransmitted 2xx --, then BYE), R per second,
 *	and prints "txn_peer: N passed, M failed"; exit 1 on any failure.
 *   txn_peer freeport
 *	prints a port free for both UDP and TCP on 127.0.0.1 (for scripts
 *	that must give SIPp a port).
 *
 * Common options: --max-seconds S (wall-clock limit; reaching it is a
 * failure, exit 2), --t1 MS, --pool N (transactions per direction),
 * --verbose. Port 0 binds an ephemeral port; every bound address is
 * printed as "txn_peer: listening udp|tcp IP:PORT". Both roles print
 * their counters and their CPU time (getrusage) when they exit.
 *
 * Thread: one; the loop is driven by main() (application-driven mode),
 * signals arrive through a signalfd the loop watches.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/loop.h"
#include "core/timer.h"
#include "sipline/build.h"
#include "sipline/headers.h"
#include "sipline/log.h"
#include "transport/transport.h"
#include "txn/txn.h"

#define PEER_USER "txn_peer"

enum {
	MAX_MSG = 16384,          /* our datagrams and requests are small */
	MSG_CAP = 4096,           /* requests and ACKs we build */
	CALL_ID_MAX = 128,        /* longer Call-IDs are not tracked */
	DEFAULT_POOL = 4096,
	DEFAULT_MAX_SECONDS = 120,
	MAX_FAIL_LOGS = 10        /* failures described on stderr */
};

enum role { ROLE_UAS, ROLE_UAC };

/* ---- the UAS side's calls ---- */

/*
 * struct call - one INVITE the UAS answered 2xx, until its ACK (or a BYE)
 * arrives or 64*T1 pass. Found by the server transaction's user pointer
 * or by Call-ID (the ACK for a 2xx has a branch of its own, so the layer
 * hands it up without a transaction, RFC 3261 §17).
 */
struct call {
	int used;
	uint32_t txn;                 /* the INVITE server transaction */
	uint32_t interval_ms;         /* 2xx retransmission interval */
	uint32_t gap_ms;              /* the timer's delay as armed */
	uint32_t waited_ms;           /* since the 2xx */
	size_t call_id_len;
	char call_id[CALL_ID_MAX];
	char tag[24];
	struct sl_timer retx;
	struct call *hnext;           /* hash chain or free list */
	struct peer *p;
};

/* ---- the UAC side's jobs ---- */

enum job_state {
	JOB_IDLE = 0,
	JOB_REQUEST,                  /* OPTIONS or INVITE sent */
	JOB_BYE,                      /* INVITE answered 2xx, BYE sent */
	JOB_DONE
};

/* struct job - one transaction (OPTIONS) or call (INVITE) of the UAC. */
struct job {
	enum job_state state;
	int result;                   /* 0 pending, 1 passed, -1 failed */
	unsigned n;
	uint32_t txn;                 /* the transaction being waited on */
	uint32_t inv_txn;             /* the INVITE's, for its 2xx copies */
	char tag[24];                 /* From tag */
	char ack_branch[40];          /* the same for every ACK copy */
};

struct counters {
	uint64_t requests, invites, options, byes, cancels, others;
	uint64_t acks, acks_unmatched, retx_2xx, unacked, busy;
	uint64_t respond_errors, timeouts, transport_errors, server_txns;
	uint64_t provisionals, acks_sent, acks_resent, send_errors;
	uint64_t pool_waits;
};

struct peer {
	enum role role;
	/* options */
	const char *udp_bind, *tcp_bind, *target;
	enum sl_tp transport;
	enum sl_method method;
	unsigned count;
	double rate;
	unsigned max_seconds;
	uint32_t t1_ms, t2_ms;
	uint32_t pool;
	int verbose;

	struct sl_loop *loop;
	struct sl_tpmgr *tp;
	struct sl_txn_layer *txn;
	int sigfd;
	int done;
	int exit_code;
	uint64_t start_us;
	struct sl_timer deadline;
	struct sl_timer tick;

	/* UAS */
	struct call *calls;
	uint32_t n_calls;
	struct call **buckets;
	uint32_t n_buckets;           /* a power of two */
	struct call *free_calls;

	/* UAC */
	struct sl_addr target_addr;
	char target_text[80];         /* host:port as given */
	struct job *jobs;
	unsigned started, finished, passed, failed;
	unsigned fail_logs;

	struct counters c;
};

/* ======================================================================
 * small helpers
 * ====================================================================== */

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* "IP:PORT" or "[IPv6]:PORT" into @a. Return 0 or -1. */
static int parse_hostport(const char *s, struct sl_addr *a)
{
	const char *colon = strrchr(s, ':');
	unsigned long port;

	if (!colon || colon == s || parse_uint(colon + 1, 65535, &port) < 0)
		return -1;
	return sl__addr_set(a, s, (size_t)(colon - s), (uint16_t)port) < 0 ?
		-1 : 0;
}

static uint64_t cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_utime.tv_sec * 1000000u +
	       (uint64_t)ru.ru_utime.tv_usec +
	       (uint64_t)ru.ru_stime.tv_sec * 1000000u +
	       (uint64_t)ru.ru_stime.tv_usec;
}

static uint32_t fnv1a(const char *p, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 16777619u;
	}
	return h;
}

/* Copies the first value of header @id of @m into @b (sticky error when
 * it is missing). */
static void copy_hdr(struct sl_builder *b, const struct sl_msg *m,
		     enum sl_hdr_id id)
{
	if (m->first[id] == SL_HDR_NONE || m->first[id] >= m->n_hdrs) {
		if (!b->err)
			b->err = SL_EINVAL;
		return;
	}
	sl_build_header_copy(b, &m->hdrs[m->first[id]]);
}

/* Our address for a Via sent-by and a Contact over @tp. */
static int local_hostport(struct peer *p, enum sl_tp tp, char *host,
			  size_t cap, uint16_t *port)
{
	struct sl_addr a;
	int fam = sl__addr_family(&p->target_addr);

	if (p->role == ROLE_UAS || fam == 0)
		fam = AF_INET;
	if (sl__tpmgr_local_for(p->tp, tp, fam, &a) < 0 &&
	    sl__tpmgr_local_for(p->tp, SL_TP_UDP, fam, &a) < 0)
		return -1;
	if (sl__addr_host(&a, host, cap) < 0)
		return -1;
	*port = sl__addr_port(&a);
	return 0;
}

/* "<sip:txn_peer@host:port[;transport=tcp]>" for the local address a
 * request came in on. */
static void contact_for(const struct sl_rxbuf *rx, char *out, size_t cap)
{
	char host[64];
	int v6 = sl__addr_family(&rx->local) == AF_INET6;

	if (sl__addr_host(&rx->local, host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	snprintf(out, cap, "<sip:%s@%s%s%s:%u%s>", PEER_USER, v6 ? "[" : "",
		 host, v6 ? "]" : "", sl__addr_port(&rx->local),
		 rx->tp == SL_TP_UDP ? "" : ";transport=tcp");
}

static void stop(struct peer *p, int code)
{
	p->done = 1;
	if (code > p->exit_code)
		p->exit_code = code;
}

/* ======================================================================
 * UAS
 * ====================================================================== */

static struct call **bucket_of(struct peer *p, const char *cid, size_t len)
{
	return &p->buckets[fnv1a(cid, len) & (p->n_buckets - 1)];
}

static struct call *call_find(struct peer *p, struct sl_slice cid)
{
	struct call *c;

	if (cid.len == 0 || cid.len > CALL_ID_MAX)
		return NULL;
	for (c = *bucket_of(p, cid.p, cid.len); c; c = c->hnext)
		if (c->call_id_len == cid.len &&
		    memcmp(c->call_id, cid.p, cid.len) == 0)
			return c;
	return NULL;
}

/* Ends call @c: stops its timer, forgets it. */
static void call_free(struct peer *p, struct call *c)
{
	struct call **pp = bucket_of(p, c->call_id, c->call_id_len);

	sl__loop_timer_stop(p->loop, &c->retx);
	/* The transaction may outlive the call: it must not hand a reused
	 * slot back to us. */
	sl__txn_set_user(p->txn, c->txn, NULL);
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	}
	c->used = 0;
	c->hnext = p->free_calls;
	p->free_calls = c;
}

/* §13.3.1.4: the 2xx again, T1 doubling up to T2, for 64*T1 in all --
 * over TCP too: the RFC makes no exception, as a proxy on the way may
 * forward it over UDP. */
static void call_retx_fired(struct sl_timer *t, void *arg)
{
	struct call *c = arg;
	struct peer *p = c->p;
	uint32_t limit = 64 * p->t1_ms;

	(void)t;
	c->waited_ms += c->gap_ms;
	if (c->waited_ms >= limit) {
		p->c.unacked++;
		fprintf(stderr, "txn_peer: call %.*s: no ACK within %u ms\n",
			(int)c->call_id_len, c->call_id, limit);
		call_free(p, c);
		return;
	}
	if (sl__txn_retransmit(p->txn, c->txn) == 0)
		p->c.retx_2xx++;
	c->interval_ms = c->interval_ms * 2 < p->t2_ms ?
		c->interval_ms * 2 : p->t2_ms;
	c->gap_ms = c->interval_ms < limit - c->waited_ms ? c->interval_ms :
		limit - c->waited_ms;
	if (sl__loop_timer_start(p->loop, &c->retx, c->gap_ms) < 0)
		call_free(p, c);
}

static int respond(struct peer *p, uint32_t txn, int status,
		   const char *tag, const struct sl_txn_hdr *hdrs,
		   unsigned n_hdrs, const char *ctype, const char *body)
{
	struct sl_txn_response r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.status = status;
	r.to_tag = tag;
	r.flags = SL_BUILD_COPY_RECORD_ROUTE;
	r.hdrs = hdrs;
	r.n_hdrs = n_hdrs;
	r.content_type = ctype;
	r.body = body;
	r.body_len = body ? strlen(body) : 0;
	rc = sl__txn_respond(p->txn, txn, &r);
	if (rc < 0) {
		p->c.respond_errors++;
		if (p->verbose)
			fprintf(stderr, "txn_peer: %d not sent: %s\n", status,
				sl_strerror(rc));
	}
	return rc;
}

static const char SDP_ANSWER[] =
	"v=0\r\n"
	"o=- 2 2 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 6002 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

static void uas_invite(struct peer *p, uint32_t txn, struct sl_rxbuf *rx)
{
	struct sl_slice cid = rx->msg.call_id;
	char contact[128];
	struct sl_txn_hdr hdrs[1] = { { "Contact", contact } };
	struct call *c = p->free_calls;

	if (!c || cid.len == 0 || cid.len > CALL_ID_MAX) {
		p->c.busy++;
		respond(p, txn, c ? 400 : 503, "tp-busy", NULL, 0, NULL,
			NULL);
		return;
	}
	p->free_calls = c->hnext;
	memset(c, 0, sizeof(*c));
	c->used = 1;
	c->p = p;
	c->txn = txn;
	memcpy(c->call_id, cid.p, cid.len);
	c->call_id_len = cid.len;
	if (sl__txn_tag(p->txn, c->tag, sizeof(c->tag)) < 0)
		snprintf(c->tag, sizeof(c->tag), "tp%u", txn);
	sl__timer_init(&c->retx, call_retx_fired, c);
	{
		struct call **b = bucket_of(p, c->call_id, c->call_id_len);

		c->hnext = *b;
		*b = c;
	}
	sl__txn_set_user(p->txn, txn, c);
	contact_for(rx, contact, sizeof(contact));
	if (respond(p, txn, 180, c->tag, hdrs, 1, NULL, NULL) < 0 ||
	    respond(p, txn, 200, c->tag, hdrs, 1, "application/sdp",
		    SDP_ANSWER) < 0) {
		call_free(p, c);
		return;
	}
	c->interval_ms = p->t1_ms;
	c->gap_ms = p->t1_ms;
	if (sl__loop_timer_start(p->loop, &c->retx, c->gap_ms) < 0)
		call_free(p, c);
}

static void uas_request(void *arg, uint32_t txn, void *user,
			struct sl_rxbuf *rx, uint32_t cancel_target)
{
	static const struct sl_txn_hdr allow[] = {
		{ "Allow", "INVITE, ACK, BYE, CANCEL, OPTIONS" },
		{ "Accept", "application/sdp" }
	};
	struct peer *p = arg;
	struct call *c;

	(void)user;
	p->c.requests++;
	p->c.server_txns++;
	switch (rx->msg.method) {
	case SL_METHOD_INVITE:
		p->c.invites++;
		uas_invite(p, txn, rx);
		break;
	case SL_METHOD_OPTIONS:
		p->c.options++;
		respond(p, txn, 200, "tp-options", allow, 2, NULL, NULL);
		break;
	case SL_METHOD_BYE:
		/* A BYE also ends the 2xx retransmissions: its ACK may have
		 * been lost and will not be needed any more. */
		p->c.byes++;
		c = call_find(p, rx->msg.call_id);
		if (c)
			call_free(p, c);
		respond(p, txn, 200, "tp-bye", NULL, 0, NULL, NULL);
		break;
	case SL_METHOD_CANCEL:
		/* §9.2: every INVITE here is answered at once, so a CANCEL
		 * only gets its own 200 (or 481 when nothing matches). */
		p->c.cancels++;
		respond(p, txn, cancel_target ? 200 : 481, "tp-cancel", NULL,
			0, NULL, NULL);
		break;
	default:
		p->c.others++;
		respond(p, txn, 501, "tp-other", allow, 1, NULL, NULL);
		break;
	}
}

static void uas_ack(void *arg, uint32_t txn, void *user, struct sl_rxbuf *rx)
{
	struct peer *p = arg;
	struct call *c = user;

	(void)txn;
	if (!c)
		c = call_find(p, rx->msg.call_id);
	if (!c || !c->used) {
		/* A copy after the call ended, or an ACK for a non-2xx
		 * the layer did not absorb: nothing to stop. */
		p->c.acks_unmatched++;
		return;
	}
	p->c.acks++;
	call_free(p, c);
}

/* ======================================================================
 * UAC
 * ====================================================================== */

static void job_log(struct peer *p, const struct job *j, const char *what,
		    int n)
{
	if (p->fail_logs >= MAX_FAIL_LOGS && !p->verbose)
		return;
	p->fail_logs++;
	fprintf(stderr, "txn_peer: %s %u failed: %s %d\n",
		sl_method_name(p->method), j->n, what, n);
}

static void job_end(struct peer *p, struct job *j, int ok)
{
	if (j->result)
		return;
	j->result = ok ? 1 : -1;
	j->state = JOB_DONE;
	if (ok)
		p->passed++;
	else
		p->failed++;
	p->finished++;
	if (p->finished == p->count)
		stop(p, p->failed ? 1 : 0);
}

static void call_id_of(const struct job *j, char *out, size_t cap)
{
	snprintf(out, cap, "tp-%ld-%u@txn-peer", (long)getpid(), j->n);
}

static const char SDP_OFFER[] =
	"v=0\r\n"
	"o=- 1 1 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 6000 RTP/AVP 0\r\n"
	"a=rtpmap:0 PCMU/8000\r\n";

/* The first request of job @j: OPTIONS or INVITE to the target. */
static int build_first(struct peer *p, struct job *j, char *buf, size_t cap)
{
	struct sl_builder b;
	const char *m = sl_method_name(p->method);
	const char *tparam = p->transport == SL_TP_UDP ? "" :
		";transport=tcp";
	char host[64], branch[40], ruri[160], from[160], cid[96];
	uint16_t port;
	int inv = p->method == SL_METHOD_INVITE;

	if (local_hostport(p, p->transport, host, sizeof(host), &port) < 0 ||
	    sl__txn_branch(p->txn, branch, sizeof(branch)) < 0)
		return SL_EINVAL;
	snprintf(ruri, sizeof(ruri), "sip:service@%s%s", p->target_text,
		 tparam);
	snprintf(from, sizeof(from), "sip:%s@%s:%u%s", PEER_USER, host, port,
		 tparam);
	call_id_of(j, cid, sizeof(cid));
	sl_build_init(&b, buf, cap);
	sl_build_request_line(&b, m, ruri);
	sl_build_via(&b, sl__tp_name(p->transport), host, port, branch, 1);
	sl_build_header_uint(&b, "Max-Forwards", 70);
	sl_build_name_addr_header(&b, "From", NULL, from, j->tag);
	sl_build_name_addr_header(&b, "To", NULL, ruri, NULL);
	sl_build_call_id(&b, cid);
	sl_build_cseq(&b, 1, m);
	sl_build_name_addr_header(&b, "Contact", NULL, from, NULL);
	sl_build_header(&b, "User-Agent", "sipline txn_peer");
	if (inv)
		return sl_build_finish(&b, "application/sdp", SDP_OFFER,
				       sizeof(SDP_OFFER) - 1);
	return sl_build_finish(&b, NULL, NULL, 0);
}

/*
 * An in-dialog request after 2xx @m to the INVITE: the ACK (CSeq number
 * of the INVITE, §13.2.2.4) or the BYE (the next number). To the 2xx's
 * Contact; From, To (with the tag) and Call-ID from the 2xx. This UA has
 * no Record-Route handling: the peers it meets add none.
 */
static int build_in_dialog(struct peer *p, const struct sl_msg *m,
			   const char *method, uint32_t cseq,
			   const char *branch, char *buf, size_t cap)
{
	struct sl_builder b;
	struct sl_contact ct;
	struct sl_slice v;
	char host[64], ruri[256];
	uint16_t port;

	if (local_hostport(p, p->transport, host, sizeof(host), &port) < 0)
		return SL_EINVAL;
	if (sl_msg_find(m, "Contact", &v) >= 0 &&
	    sl_contact_decode(v, &ct) == 0 && !ct.star &&
	    ct.addr.uri_text.len > 0 && ct.addr.uri_text.len < sizeof(ruri)) {
		memcpy(ruri, ct.addr.uri_text.p, ct.addr.uri_text.len);
		ruri[ct.addr.uri_text.len] = '\0';
	} else {
		snprintf(ruri, sizeof(ruri), "sip:service@%s",
			 p->target_text);
	}
	sl_build_init(&b, buf, cap);
	sl_build_request_line(&b, method, ruri);
	sl_build_via(&b, sl__tp_name(p->transport), host, port, branch, 1);
	sl_build_header_uint(&b, "Max-Forwards", 70);
	copy_hdr(&b, m, SL_HDR_FROM);
	copy_hdr(&b, m, SL_HDR_TO);
	copy_hdr(&b, m, SL_HDR_CALL_ID);
	sl_build_cseq(&b, cseq, method);
	sl_build_header(&b, "User-Agent", "sipline txn_peer");
	return sl_build_finish(&b, NULL, NULL, 0);
}

/* Where the INVITE went (its connection over TCP). */
static void invite_dest(struct peer *p, const struct job *j,
			struct sl_tp_dest *dst)
{
	struct sl_txn_info info;

	if (sl__txn_info(p->txn, j->inv_txn, &info) == 0) {
		*dst = info.dst;
		return;
	}
	memset(dst, 0, sizeof(*dst));
	dst->tp = p->transport;
	dst->addr = p->target_addr;
}

static int send_ack(struct peer *p, struct job *j, const struct sl_msg *m)
{
	char buf[MSG_CAP];
	struct sl_tp_dest dst;
	int n = build_in_dialog(p, m, "ACK", m->cseq.seq, j->ack_branch, buf,
				sizeof(buf));

	if (n < 0)
		return n;
	invite_dest(p, j, &dst);
	n = sl__txn_send(p->txn, &dst, buf, (size_t)n);
	if (n < 0)
		p->c.send_errors++;
	return n;
}

static int send_bye(struct peer *p, struct job *j, const struct sl_msg *m)
{
	char buf[MSG_CAP], branch[40];
	struct sl_tp_dest dst;
	uint32_t id = 0;
	int n;

	if (sl__txn_branch(p->txn, branch, sizeof(branch)) < 0)
		return SL_EINVAL;
	n = build_in_dialog(p, m, "BYE", m->cseq.seq + 1, branch, buf,
			    sizeof(buf));
	if (n < 0)
		return n;
	invite_dest(p, j, &dst);
	n = sl__txn_request(p->txn, buf, (size_t)n, &dst, j, &id);
	if (n < 0)
		return n;
	j->txn = id;
	j->state = JOB_BYE;
	return 0;
}

static void uac_response(void *arg, uint32_t txn, void *user,
			 struct sl_rxbuf *rx)
{
	struct peer *p = arg;
	struct job *j = user;
	int status = rx->msg.status;
	int rc;

	if (!j)
		return;
	if (status < 200) {
		p->c.provisionals++;
		return;
	}
	if (txn == j->inv_txn && status < 300) {
		/* Every 2xx to the INVITE, first or retransmitted, gets
		 * the same ACK (§13.2.2.4). */
		rc = send_ack(p, j, &rx->msg);
		if (j->state != JOB_REQUEST) {
			p->c.acks_resent++;
			return;
		}
		p->c.acks_sent++;
		if (rc < 0) {
			job_log(p, j, "ACK not sent, error", rc);
			job_end(p, j, 0);
			return;
		}
		rc = send_bye(p, j, &rx->msg);
		if (rc < 0) {
			job_log(p, j, "BYE not sent, error", rc);
			job_end(p, j, 0);
		}
		return;
	}
	if (txn != j->txn || j->result)
		return;
	if (status >= 300) {
		job_log(p, j, j->state == JOB_BYE ? "BYE answered" :
			"answered", status);
		job_end(p, j, 0);
		return;
	}
	job_end(p, j, 1);
}

static void uac_timeout(void *arg, uint32_t txn, void *user, char timer)
{
	struct peer *p = arg;
	struct job *j = user;

	p->c.timeouts++;
	if (j && txn == j->txn && !j->result) {
		job_log(p, j, timer == 'B' ? "Timer B, ms" : "Timer F, ms",
			(int)(64 * p->t1_ms));
		job_end(p, j, 0);
	}
}

static void on_transport_error(void *arg, uint32_t txn, void *user, int err)
{
	struct peer *p = arg;
	struct job *j = user;

	p->c.transport_errors++;
	if (p->role == ROLE_UAC && j && txn == j->txn && !j->result) {
		job_log(p, j, "transport error", err);
		job_end(p, j, 0);
	}
}

static void uac_terminated(void *arg, uint32_t txn, void *user)
{
	struct peer *p = arg;
	struct job *j = user;

	/* Ended with no final response and no report: a failure too. */
	if (j && txn == j->txn && !j->result) {
		job_log(p, j, "ended without an answer, state", j->state);
		job_end(p, j, 0);
	}
}

/* Starts job @j. Return 0, 1 when the pools are full (try later), or -1
 * when it failed. */
static int job_start(struct peer *p, struct job *j)
{
	char buf[MSG_CAP];
	struct sl_tp_dest dst;
	uint32_t id = 0;
	int n;

	if (!j->tag[0] && sl__txn_tag(p->txn, j->tag, sizeof(j->tag)) < 0)
		return -1;
	if (!j->ack_branch[0] &&
	    sl__txn_branch(p->txn, j->ack_branch, sizeof(j->ack_branch)) < 0)
		return -1;
	n = build_first(p, j, buf, sizeof(buf));
	if (n < 0) {
		job_log(p, j, "request not built, error", n);
		return -1;
	}
	memset(&dst, 0, sizeof(dst));
	dst.tp = p->transport;
	dst.addr = p->target_addr;
	n = sl__txn_request(p->txn, buf, (size_t)n, &dst, j, &id);
	if (n == SL_ENOMEM) {
		p->c.pool_waits++;
		return 1;
	}
	if (n < 0) {
		p->c.send_errors++;
		job_log(p, j, "request not sent, error", n);
		return -1;
	}
	j->txn = id;
	j->inv_txn = p->method == SL_METHOD_INVITE ? id : 0;
	j->state = JOB_REQUEST;
	return 0;
}

/* The rate ticker: starts every job due by now (job k is due k/rate
 * seconds after the start), then sleeps until the next one is. */
static void tick_fired(struct sl_timer *t, void *arg)
{
	struct peer *p = arg;
	uint64_t elapsed_us = sl__loop_now_us(p->loop) - p->start_us;
	double due_f = (double)elapsed_us / 1e6 * p->rate + 1.0;
	unsigned due = due_f >= (double)p->count ? p->count :
		(unsigned)due_f;
	uint64_t next_us, wait_ms = 1;

	(void)t;
	while (p->started < due && !p->done) {
		struct job *j = &p->jobs[p->started];
		int rc = job_start(p, j);

		if (rc == 1)
			break;          /* pools full: again in 1 ms */
		p->started++;
		if (rc < 0)
			job_end(p, j, 0);
	}
	if (p->started >= p->count || p->done)
		return;
	if (p->started >= due) {
		next_us = (uint64_t)((double)p->started / p->rate * 1e6);
		if (next_us > elapsed_us)
			wait_ms = (next_us - elapsed_us + 999) / 1000;
	}
	sl__loop_timer_start(p->loop, &p->tick, wait_ms);
}

/* ======================================================================
 * set-up, signals, reporting
 * ====================================================================== */

static void sig_readable(void *arg, int fd, unsigned events)
{
	struct peer *p = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		fprintf(stderr, "txn_peer: signal %u, stopping\n",
			si.ssi_signo);
		/* A UAC stopped early has unfinished jobs: a failure. */
		stop(p, p->role == ROLE_UAC && p->finished < p->count ? 1 : 0);
	}
}

static void deadline_fired(struct sl_timer *t, void *arg)
{
	struct peer *p = arg;

	(void)t;
	fprintf(stderr, "txn_peer: --max-seconds %u reached\n",
		p->max_seconds);
	stop(p, 2);
}

static int add_bind(struct sl_tp_config *tc, enum sl_tp tp, const char *hp,
		    char *hostbuf, size_t cap)
{
	const char *colon = strrchr(hp, ':');
	unsigned long port;
	size_t hl;

	if (!colon || parse_uint(colon + 1, 65535, &port) < 0)
		return -1;
	hl = (size_t)(colon - hp);
	if (hl >= 2 && hp[0] == '[' && hp[hl - 1] == ']') {
		hp++;
		hl -= 2;
	}
	if (hl == 0 || hl >= cap)
		return -1;
	memcpy(hostbuf, hp, hl);
	hostbuf[hl] = '\0';
	tc->binds[tc->n_binds].tp = tp;
	tc->binds[tc->n_binds].host = hostbuf;
	tc->binds[tc->n_binds].port = (uint16_t)port;
	tc->n_binds++;
	return 0;
}

static void tp_recv(void *arg, struct sl_rxbuf *rx)
{
	struct peer *p = arg;

	sl__txn_recv(p->txn, rx);
}

static void tp_closed(void *arg, uint32_t flow, int err)
{
	struct peer *p = arg;

	sl__txn_flow_closed(p->txn, flow, err);
}

static int io_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		   size_t len)
{
	struct peer *p = arg;

	return sl__tp_send(p->tp, dst, buf, len);
}

static void print_listening(struct peer *p)
{
	for (unsigned i = 0; i < SL_TP_MAX_BINDS; i++) {
		struct sl_addr a;
		char host[64];
		enum sl_tp tp;

		if (sl__tpmgr_local(p->tp, i, &a) < 0)
			break;
		if (sl__addr_host(&a, host, sizeof(host)) < 0)
			continue;
		tp = i == 0 ? SL_TP_UDP : SL_TP_TCP;
		printf("txn_peer: listening %s %s%s%s:%u\n",
		       tp == SL_TP_UDP ? "udp" : "tcp",
		       sl__addr_family(&a) == AF_INET6 ? "[" : "", host,
		       sl__addr_family(&a) == AF_INET6 ? "]" : "",
		       sl__addr_port(&a));
	}
	fflush(stdout);
}

static int setup(struct peer *p)
{
	static char udp_host[64], tcp_host[64];
	struct sl_loop_config lc;
	struct sl_tp_config tc;
	struct sl_txn_config xc;
	struct sl_tp_handlers h;
	sigset_t set;
	int rc;

	memset(&lc, 0, sizeof(lc));
	lc.max_timers = 4 * p->pool + 1024;
	lc.max_fds = 1024;
	rc = sl__loop_create(&p->loop, &lc);
	if (rc < 0)
		return rc;

	sl__tp_config_init(&tc);
	tc.max_msg_size = MAX_MSG;
	/* Each server transaction holds its request's buffer (txn.h). */
	tc.rx_buffers = p->pool + 256;
	tc.max_conns = 256;
	if (add_bind(&tc, SL_TP_UDP, p->udp_bind, udp_host,
		     sizeof(udp_host)) < 0)
		return SL_EINVAL;
	if (p->tcp_bind && add_bind(&tc, SL_TP_TCP, p->tcp_bind, tcp_host,
				    sizeof(tcp_host)) < 0)
		return SL_EINVAL;
	memset(&h, 0, sizeof(h));
	h.recv = tp_recv;
	h.flow_closed = tp_closed;
	h.arg = p;
	rc = sl__tpmgr_create(&p->tp, p->loop, &tc, &h);
	if (rc < 0)
		return rc;

	sl__txn_config_init(&xc);
	xc.t1_ms = p->t1_ms;
	xc.t2_ms = p->t2_ms;
	xc.max_client_txns = p->pool;
	xc.max_server_txns = p->pool;
	xc.io.send = io_send;
	xc.io.arg = p;
	xc.tu.arg = p;
	xc.tu.transport_error = on_transport_error;
	if (p->role == ROLE_UAS) {
		xc.tu.request = uas_request;
		xc.tu.ack = uas_ack;
	} else {
		xc.tu.response = uac_response;
		xc.tu.timeout = uac_timeout;
		xc.tu.terminated = uac_terminated;
	}
	rc = sl__txn_create(&p->txn, p->loop, &xc);
	if (rc < 0)
		return rc;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return SL_EIO;
	p->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (p->sigfd < 0)
		return SL_EIO;
	rc = sl__loop_watch(p->loop, p->sigfd, SL_IO_READ, sig_readable, p);
	if (rc < 0)
		return rc;
	p->start_us = sl__loop_update_time(p->loop);
	sl__timer_init(&p->deadline, deadline_fired, p);
	return sl__loop_timer_start(p->loop, &p->deadline,
				    (uint64_t)p->max_seconds * 1000u);
}

static int setup_role(struct peer *p)
{
	if (p->role == ROLE_UAS) {
		uint32_t n = p->pool, b = 1;

		p->calls = calloc(n, sizeof(*p->calls));
		while (b < n)
			b <<= 1;
		p->buckets = calloc(b, sizeof(*p->buckets));
		if (!p->calls || !p->buckets)
			return SL_ENOMEM;
		p->n_calls = n;
		p->n_buckets = b;
		for (uint32_t i = n; i-- > 0;) {
			p->calls[i].hnext = p->free_calls;
			p->free_calls = &p->calls[i];
		}
		return 0;
	}
	p->jobs = calloc(p->count, sizeof(*p->jobs));
	if (!p->jobs)
		return SL_ENOMEM;
	for (unsigned i = 0; i < p->count; i++)
		p->jobs[i].n = i;
	sl__timer_init(&p->tick, tick_fired, p);
	return sl__loop_timer_start(p->loop, &p->tick, 0);
}

static void report(struct peer *p)
{
	const struct counters *c = &p->c;
	uint64_t cpu = cpu_us();
	double secs = (double)(sl__loop_update_time(p->loop) - p->start_us) /
		1e6;

	if (p->role == ROLE_UAS) {
		printf("txn_peer: uas requests=%llu invite=%llu options=%llu "
		       "bye=%llu cancel=%llu other=%llu ack=%llu "
		       "ack_unmatched=%llu retx_2xx=%llu unacked=%llu "
		       "busy=%llu respond_errors=%llu transport_errors=%llu\n",
		       (unsigned long long)c->requests,
		       (unsigned long long)c->invites,
		       (unsigned long long)c->options,
		       (unsigned long long)c->byes,
		       (unsigned long long)c->cancels,
		       (unsigned long long)c->others,
		       (unsigned long long)c->acks,
		       (unsigned long long)c->acks_unmatched,
		       (unsigned long long)c->retx_2xx,
		       (unsigned long long)c->unacked,
		       (unsigned long long)c->busy,
		       (unsigned long long)c->respond_errors,
		       (unsigned long long)c->transport_errors);
	} else {
		printf("txn_peer: uac %s over %s started=%u provisional=%llu "
		       "ack=%llu ack_resent=%llu timeouts=%llu "
		       "transport_errors=%llu send_errors=%llu "
		       "pool_waits=%llu\n", sl_method_name(p->method),
		       sl__tp_name(p->transport), p->started,
		       (unsigned long long)c->provisionals,
		       (unsigned long long)c->acks_sent,
		       (unsigned long long)c->acks_resent,
		       (unsigned long long)c->timeouts,
		       (unsigned long long)c->transport_errors,
		       (unsigned long long)c->send_errors,
		       (unsigned long long)c->pool_waits);
	}
	printf("txn_peer: server_txns=%llu cpu_us=%llu wall_s=%.3f\n",
	       (unsigned long long)c->server_txns, (unsigned long long)cpu,
	       secs);
	if (p->role == ROLE_UAC)
		printf("txn_peer: %u passed, %u failed\n", p->passed,
		       p->failed + (p->count - p->finished));
	fflush(stdout);
}

/* ======================================================================
 * freeport and the command line
 * ====================================================================== */

/* A port on 127.0.0.1 that is free for both UDP and TCP right now. */
static int freeport(void)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sl_addr a;
		int t = socket(AF_INET, SOCK_STREAM, 0);
		int u = socket(AF_INET, SOCK_DGRAM, 0);
		int ok = 0;

		if (t < 0 || u < 0)
			return 1;
		sl__addr_set(&a, "127.0.0.1", 9, 0);
		if (bind(t, &a.u.sa, a.len) == 0) {
			a.len = sizeof(a.u);
			ok = getsockname(t, &a.u.sa, &a.len) == 0 &&
			     bind(u, &a.u.sa, a.len) == 0;
		}
		close(t);
		close(u);
		if (ok) {
			printf("%u\n", sl__addr_port(&a));
			return 0;
		}
	}
	return 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: txn_peer uas --udp IP:PORT [--tcp IP:PORT] "
		"[common]\n"
		"       txn_peer uac --target IP:PORT --transport udp|tcp\n"
		"                    --method OPTIONS|INVITE --count N "
		"[--rate R] [--local IP] [common]\n"
		"       txn_peer freeport\n"
		"common: --max-seconds S --t1 MS --pool N --verbose\n");
}

static int parse_args(struct peer *p, int argc, char **argv)
{
	static char local_udp[80], local_tcp[80];
	const char *local = "127.0.0.1";
	unsigned long v;

	if (argc < 2)
		return -1;
	if (strcmp(argv[1], "uas") == 0)
		p->role = ROLE_UAS;
	else if (strcmp(argv[1], "uac") == 0)
		p->role = ROLE_UAC;
	else
		return -1;
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i], *a = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--verbose") == 0) {
			p->verbose = 1;
			continue;
		}
		if (!a)
			return -1;
		i++;
		if (strcmp(o, "--udp") == 0) {
			p->udp_bind = a;
		} else if (strcmp(o, "--tcp") == 0) {
			p->tcp_bind = a;
		} else if (strcmp(o, "--target") == 0) {
			p->target = a;
		} else if (strcmp(o, "--local") == 0) {
			local = a;
		} else if (strcmp(o, "--transport") == 0) {
			if (strcmp(a, "udp") == 0)
				p->transport = SL_TP_UDP;
			else if (strcmp(a, "tcp") == 0)
				p->transport = SL_TP_TCP;
			else
				return -1;
		} else if (strcmp(o, "--method") == 0) {
			p->method = sl_method_from_name(a, strlen(a));
			if (p->method != SL_METHOD_OPTIONS &&
			    p->method != SL_METHOD_INVITE)
				return -1;
		} else if (strcmp(o, "--count") == 0) {
			if (parse_uint(a, 10000000, &v) < 0 || v == 0)
				return -1;
			p->count = (unsigned)v;
		} else if (strcmp(o, "--rate") == 0) {
			if (parse_uint(a, 1000000, &v) < 0 || v == 0)
				return -1;
			p->rate = (double)v;
		} else if (strcmp(o, "--max-seconds") == 0) {
			if (parse_uint(a, 86400, &v) < 0 || v == 0)
				return -1;
			p->max_seconds = (unsigned)v;
		} else if (strcmp(o, "--t1") == 0) {
			if (parse_uint(a, 60000, &v) < 0 || v == 0)
				return -1;
			p->t1_ms = (uint32_t)v;
		} else if (strcmp(o, "--pool") == 0) {
			if (parse_uint(a, SL_TXN_POOL_MAX, &v) < 0 || v == 0)
				return -1;
			p->pool = (uint32_t)v;
		} else {
			return -1;
		}
	}
	/* T2 stays 8*T1 as with the defaults. */
	p->t2_ms = 8 * p->t1_ms;
	if (p->role == ROLE_UAS)
		return p->udp_bind ? 0 : -1;
	if (!p->target || !p->method || !p->count ||
	    parse_hostport(p->target, &p->target_addr) < 0 ||
	    strlen(p->target) >= sizeof(p->target_text))
		return -1;
	snprintf(p->target_text, sizeof(p->target_text), "%s", p->target);
	/* The UAC binds ephemeral ports on the local address: UDP always
	 * (the transports need one to send), TCP for its Via. */
	snprintf(local_udp, sizeof(local_udp), "%s:0", local);
	snprintf(local_tcp, sizeof(local_tcp), "%s:0", local);
	p->udp_bind = local_udp;
	if (p->transport == SL_TP_TCP)
		p->tcp_bind = local_tcp;
	return 0;
}

int main(int argc, char **argv)
{
	static struct peer peer;
	struct peer *p = &peer;
	int rc;

	if (argc == 2 && strcmp(argv[1], "freeport") == 0)
		return freeport();
	p->rate = 50;
	p->max_seconds = DEFAULT_MAX_SECONDS;
	p->t1_ms = SL_TXN_T1_DEFAULT_MS;
	p->pool = DEFAULT_POOL;
	p->method = SL_METHOD_NONE;
	p->sigfd = -1;
	if (parse_args(p, argc, argv) < 0) {
		usage();
		return 64;
	}
	sl_log_set_level(p->verbose ? SL_LOG_DEBUG : SL_LOG_WARN);
	rc = setup(p);
	if (rc == 0)
		rc = setup_role(p);
	if (rc < 0) {
		fprintf(stderr, "txn_peer: set-up failed: %s\n",
			sl_strerror(rc));
		return 1;
	}
	print_listening(p);
	while (!p->done) {
		rc = sl__loop_step(p->loop, -1);
		if (rc < 0) {
			fprintf(stderr, "txn_peer: loop: %s\n",
				sl_strerror(rc));
			stop(p, 1);
		}
	}
	if (p->role == ROLE_UAS && p->c.unacked)
		stop(p, 1);
	report(p);
	sl__txn_destroy(p->txn);
	sl__tpmgr_destroy(p->tp);
	sl__loop_unwatch(p->loop, p->sigfd);
	close(p->sigfd);
	sl__loop_destroy(p->loop);
	free(p->calls);
	free(p->buckets);
	free(p->jobs);
	return p->exit_code;
}
