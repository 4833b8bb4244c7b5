/*
 * tests/unit/txn_fault.h: test plumbing for the transaction layer
 * (lib/txn): hand-made receive buffers, a transport that records what it
 * is given, a fault-injecting network between two layers, and a driver
 * for the loop's virtual clock.
 *
 * Each check_txn*.c binary includes txn_fault.c directly (the Makefile
 * builds a unit test from one source file and the static library).
 *
 * Thread: the test thread, which also steps the loop.
 */
#ifndef SL_TEST_TXN_FAULT_H
#define SL_TEST_TXN_FAULT_H

#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/loop.h"
#include "txn/txn.h"

/* ---- receive buffers made by hand ---- */

/**
 * struct tf_rxlist - every receive buffer a test made. The test holds one
 * reference on each (the transport's); a buffer whose count is back to 1
 * is no longer used by the layer and may be freed (tf_rx_gc()).
 */
struct tf_rx;
struct tf_rxlist {
	struct tf_rx *head;
	unsigned n;
};

/**
 * tf_rx_new() - parses @len bytes into a new receive buffer from
 * @src_host:@src_port over @tp (connection @flow), with the §18.2.1
 * received facts filled in as the transport would. refs is 1.
 * Return: the buffer, or NULL when the bytes do not parse.
 */
struct sl_rxbuf *tf_rx_new(struct tf_rxlist *list, const char *buf,
			   size_t len, enum sl_tp tp, const char *src_host,
			   uint16_t src_port, uint32_t flow);

/** Frees the buffers nobody but the test references. Return: how many. */
unsigned tf_rx_gc(struct tf_rxlist *list);

/** Frees every buffer. Return: how many still had other references (a
 * leak in the layer: tests assert 0). */
unsigned tf_rx_free_all(struct tf_rxlist *list);

/* ---- a transport that records ---- */

/** struct tf_sent - one message handed to the recording transport. */
struct tf_sent {
	uint64_t at_ms;           /* virtual time of the send */
	struct sl_tp_dest dst;
	char *buf;                /* NUL-terminated copy */
	size_t len;
};

/**
 * struct tf_rec - the recording transport: plug tf_rec_send with the
 * struct as arg into struct sl_txn_io.
 * @fail_next: when non-zero, the next send returns it (then it resets).
 * @fail_all:  when non-zero, every send returns it.
 * @flow:      written into dst->flow by every send (0: left alone).
 */
struct tf_rec {
	const struct sl_vclock *clock;
	struct tf_sent *v;
	unsigned n, cap;
	int fail_next;
	int fail_all;
	uint32_t flow;
};

int tf_rec_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		size_t len);
void tf_rec_clear(struct tf_rec *r);
void tf_rec_free(struct tf_rec *r);

/** Start line of sent message @i ("INVITE", "SIP/2.0 180"...): its first
 * @n bytes compared to @prefix. Return 1 when equal. */
int tf_sent_is(const struct tf_rec *r, unsigned i, const char *prefix);

/* ---- the virtual clock driver ---- */

/** Milliseconds of virtual time. */
uint64_t tf_now_ms(const struct sl_vclock *vc);

/**
 * tf_run_until() - moves the virtual clock to @ms (absolute), stopping at
 * every timer deadline on the way and stepping the loop there, so timers
 * fire at their exact times and in order.
 * Return: how many steps ran (bounded by 1,000,000).
 */
unsigned tf_run_until(struct sl_loop *loop, struct sl_vclock *vc,
		      uint64_t ms);

/** Advances to the next timer deadline and steps. Return: 0, or -1 when
 * no timer is armed. */
int tf_run_next(struct sl_loop *loop, struct sl_vclock *vc);

/* ---- the fault-injecting network ---- */

/**
 * struct tf_net_config - what the network does to each message.
 * @drop_pct:  chance of losing a message.
 * @dup_pct:   chance of delivering it twice.
 * @min_delay_ms, @max_delay_ms: each copy is delivered after a uniform
 *             delay in this range, so messages overtake one another.
 * @max_in_flight: packet pool; a full pool drops (counted).
 */
struct tf_net_config {
	uint64_t seed;
	unsigned drop_pct;
	unsigned dup_pct;
	unsigned min_delay_ms;
	unsigned max_delay_ms;
	unsigned max_in_flight;
};

struct tf_pkt;
struct tf_net;

/** One end of the network: the io arg of one layer. */
struct tf_side {
	struct tf_net *net;
	int index;                /* 0 or 1; delivers to the other */
	const char *host;         /* the address its messages come from */
	uint16_t port;
};

struct tf_net_stats {
	uint64_t sent, dropped, duplicated, delivered, pool_full,
		 unparsable;
};

struct tf_net {
	struct sl_loop *loop;
	struct tf_net_config cfg;
	uint64_t rng;
	struct sl_txn_layer *layer[2];
	struct tf_side side[2];
	struct tf_pkt *pkts;
	struct tf_pkt *free_pkts;
	struct tf_rxlist rx;
	struct tf_net_stats stats;
};

/** Sets the network up between two (later attached) layers. Return: 0 or
 * -1 when out of memory. */
int tf_net_init(struct tf_net *n, struct sl_loop *loop,
		const struct tf_net_config *cfg);

/** The io send of side @arg (a struct tf_side). */
int tf_net_send(void *arg, struct sl_tp_dest *dst, const char *buf,
		size_t len);

/** Frees the packets and receive buffers. Return: tf_rx_free_all(). */
unsigned tf_net_free(struct tf_net *n);

/* ---- messages ---- */

/**
 * struct tf_req - a request for tf_request(); NULL/0 fields take the
 * defaults shown.
 */
struct tf_req {
	const char *method;       /* "INVITE" */
	const char *ruri;         /* "sip:bob@192.0.2.2" */
	const char *transport;    /* "UDP" */
	const char *via_host;     /* "192.0.2.1:5060" */
	const char *branch;       /* "z9hG4bKtest1" ("" for no branch) */
	const char *call_id;      /* "call-1@192.0.2.1" */
	const char *from_tag;     /* "ftag1" */
	const char *to_tag;       /* none */
	unsigned cseq;            /* 1 */
	const char *cseq_method;  /* the method */
	const char *extra;        /* header lines, each ending in CRLF */
};

/** Writes a request. Return: its length (aborts the test if too long). */
size_t tf_request(char *buf, size_t cap, const struct tf_req *r);

/** A response to request text @req built by sl_build_response() with
 * @to_tag (NULL: none). Return: its length (aborts on failure). */
size_t tf_response(char *out, size_t cap, const char *req, size_t req_len,
		   int status, const char *to_tag);

/** Parses @len bytes into @m with a static arena (one view at a time).
 * Return: sl_msg_parse()'s result. */
int tf_parse(const char *buf, size_t len, struct sl_msg *m);

/** The value of the first header @name of @m as a NUL-terminated string
 * in a static buffer ("" when absent). */
const char *tf_hdr(const struct sl_msg *m, const char *name);

/* ---- a layer on a recording transport, with its TU recorded ---- */

enum tf_ev_type {
	TF_EV_REQUEST = 0,
	TF_EV_ACK,
	TF_EV_RESPONSE,
	TF_EV_TIMEOUT,
	TF_EV_TPERR,
	TF_EV_TERMINATED,
	TF_EV__COUNT
};

struct tf_ev {
	enum tf_ev_type type;
	uint32_t txn;
	void *user;
	uint64_t at_ms;
	int status;               /* responses */
	enum sl_method method;    /* requests, ACKs */
	uint32_t cancel_target;
	char timer;
	int err;
};

enum { TF_MAX_EV = 512 };

/**
 * struct tf_env - one layer, its loop on a virtual clock, the recording
 * transport and the TU's events.
 * @auto_status: when set, every new request is answered with it from the
 *               request callback (to_tag "srv").
 * @on_event:    called after each event is recorded (may be NULL).
 */
struct tf_env {
	struct sl_vclock vc;
	struct sl_loop *loop;
	struct sl_txn_layer *l;
	struct sl_txn_config cfg;
	struct tf_rec rec;
	struct tf_rxlist rx;
	struct tf_ev ev[TF_MAX_EV];
	unsigned n_ev;
	int auto_status;
	void (*on_event)(struct tf_env *e, const struct tf_ev *ev);
	void *ctx;
};

/** Sets everything up; @cfg NULL means sl__txn_config_init() defaults
 * (its io and tu are replaced). Aborts the test on failure. */
void tf_env_init(struct tf_env *e, const struct sl_txn_config *cfg);

/** Destroys the layer and loop; returns the receive buffers leaked. */
unsigned tf_env_done(struct tf_env *e);

/** A received message from the peer (192.0.2.1:5060 over @tp). */
struct sl_rxbuf *tf_env_rx(struct tf_env *e, const char *buf, size_t len,
			   enum sl_tp tp);

/** Feeds text @buf to the layer. Return: sl__txn_recv()'s result. */
int tf_env_feed(struct tf_env *e, const char *buf, size_t len,
		enum sl_tp tp);

unsigned tf_env_count(const struct tf_env *e, enum tf_ev_type type);

/** The last event of @type, or NULL. */
const struct tf_ev *tf_env_last(const struct tf_env *e, enum tf_ev_type type);

#endif /* SL_TEST_TXN_FAULT_H */
