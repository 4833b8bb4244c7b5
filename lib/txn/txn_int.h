/*
 * lib/txn/txn_int.h: internals shared by the transaction layer's files
 * (table.c, client.c, server.c, stateless.c). Nothing outside lib/txn
 * includes it.
 *
 * Owns: the layout of struct sl_txn_layer and of its slots.
 * Thread: the SIP loop thread only.
 *
 * Rules every file keeps:
 * - A slot is touched only while its id is the one the caller started
 *   with: after any TU callback, check sl__txn_alive() before going on,
 *   since the TU may have aborted it (or the terminated callback freed it).
 * - The scratch buffer and arena are used for one message at a time and
 *   never across a callback.
 */
#ifndef SL_TXN_INT_H
#define SL_TXN_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/log.h"
#include "core/timer.h"
#include "txn.h"

#define SL_TXN_LOG "txn"

/* The RFC 3261 §8.1.1.7 magic cookie that marks a §17.2.3 branch. */
#define SL_TXN_COOKIE "z9hG4bK"
#define SL_TXN_COOKIE_LEN 7

enum {
	SL_TXN_ARENA_SIZE = 32 * 1024,  /* parse view of our own messages */
	SL_TXN_MAX_FORWARDS = 70        /* RFC 3261 §8.1.1.6 */
};

/**
 * struct sl_txn - one transaction slot.
 * @id:      the live id ((gen << 16) | index), 0 while the slot is free.
 * @gen:     bumped on every allocation (never 0), so ids do not repeat.
 * @next:    hash chain while in use, free list while free.
 * @hash:    the key's hash (branch, or Call-ID and CSeq for RFC 2543).
 * @retx_ms: current interval of Timer A, E or G.
 * @t_retx:  Timer A, E, G, or the 100 (Trying) delay (INVITE server in
 *           Proceeding).
 * @t_main:  Timer B, F, H, then D, I, J, K, L or M: the states that need
 *           one of the second group have stopped the first.
 * @branch, @method_name: client key, copied because @buf changes from
 *           the request to the ACK.
 * @req:     server: the request, one reference held.
 * @resp_to_tag: server, RFC 2543 matching: the To tag of the final
 *           response (a slice of @buf or of @req).
 * @buf, @len: client: the request, then (INVITE, Completed) its ACK;
 *           server: the last response sent (len 0: none yet).
 */
struct sl_txn {
	uint32_t id;
	uint16_t gen;
	uint16_t index;
	struct sl_txn_layer *layer;
	struct sl_txn *next;
	uint32_t hash;
	uint8_t kind;            /* enum sl_txn_kind */
	uint8_t state;           /* enum sl_txn_state */
	uint8_t reliable;        /* no retransmissions (TCP, TLS) */
	uint8_t rfc2543;         /* server: branch without the cookie */
	uint8_t answered;        /* server: the TU has responded */
	uint8_t branch_len;
	uint8_t method_name_len;
	enum sl_method method;
	int last_status;
	uint32_t retx_ms;
	void *user;
	struct sl_tp_dest dst;      /* dst.tls_name points at tls_name */
	char tls_name[256];         /* the caller's name, kept for the
				     * retransmissions and the ACK */
	struct sl_timer t_retx;
	struct sl_timer t_main;
	char branch[SL_TXN_BRANCH_MAX];
	char method_name[SL_TXN_METHOD_MAX];
	struct sl_rxbuf *req;
	struct sl_slice resp_to_tag;
	char *buf;
	size_t len;
};

/**
 * struct sl_txn_layer - the layer: its config, pools, table and scratch.
 * Slots [0, max_client_txns) are client slots, the rest server slots.
 */
struct sl_txn_layer {
	struct sl_loop *loop;
	struct sl_txn_config cfg;     /* defaults resolved */
	struct sl_txn *slots;
	uint32_t n_slots;
	struct sl_txn *free_client;
	struct sl_txn *free_server;
	struct sl_txn **buckets;
	uint32_t bucket_mask;
	char *bufs;                   /* n_slots * msg_buf_size */
	char *scratch;                /* msg_buf_size: messages being built */
	unsigned char *arena_mem;     /* SL_TXN_ARENA_SIZE */
	struct sl_arena arena;
	uint64_t rng;
	uint64_t secret;              /* keys the stateless To tags */
	struct sl_txn_stats stats;
	void *mem;                    /* the one allocation */
};

/* ---- table.c: slots, ids, hash table, states ---- */

struct sl_txn *sl__txn_alloc(struct sl_txn_layer *l, int server);
/** Stops the timers, leaves the table, drops the request, frees the slot
 * (its id dies). No callback. */
void sl__txn_free(struct sl_txn *t);
struct sl_txn *sl__txn_get(struct sl_txn_layer *l, uint32_t id);
void sl__txn_table_insert(struct sl_txn *t);

static inline int sl__txn_alive(const struct sl_txn *t, uint32_t id)
{
	return t->id == id;
}

static inline int sl__txn_is_server(const struct sl_txn *t)
{
	return t->kind == SL_TXN_SERVER_INVITE ||
	       t->kind == SL_TXN_SERVER_NON_INVITE;
}

/** Moves @t to @to (asserting the transition is one the RFCs allow) and
 * logs it. */
void sl__txn_set_state(struct sl_txn *t, enum sl_txn_state to);

/** Enters Terminated: frees the slot, then makes the terminated callback
 * (last use of @t). */
void sl__txn_terminate(struct sl_txn *t);

/** Reports @err through transport_error, then terminates @t. */
void sl__txn_fail(struct sl_txn *t, int err);

/** Arms @tm (a timer of @t) @ms from now. Return: 0 or SL_ENOMEM. */
int sl__txn_arm(struct sl_txn *t, struct sl_timer *tm, uint64_t ms);
void sl__txn_disarm(struct sl_txn *t, struct sl_timer *tm);

/** Sends through the io. Return: 0 or the io's error. */
int sl__txn_io_send(struct sl_txn_layer *l, struct sl_tp_dest *dst,
		    const char *buf, size_t len);

/** Parses one of our own messages into the scratch arena (valid until the
 * next call). Return: 0 or the parser's error. */
int sl__txn_parse_own(struct sl_txn_layer *l, const char *buf, size_t len,
		      struct sl_msg *out);

/** The hash of a branch (client transactions file under it). */
uint32_t sl__txn_hash_branch(struct sl_slice branch);

/** The hash a server transaction created by request @m files under. */
uint32_t sl__txn_key_hash(const struct sl_msg *m);

/** 1 when @branch starts with the magic cookie. */
int sl__txn_has_cookie(struct sl_slice branch);

/** Matching (§17.1.3, §17.2.3, §9.2); NULL when nothing matches. */
struct sl_txn *sl__txn_match_response(struct sl_txn_layer *l,
				      const struct sl_msg *m);
struct sl_txn *sl__txn_match_request(struct sl_txn_layer *l,
				     const struct sl_msg *m);
struct sl_txn *sl__txn_match_cancel(struct sl_txn_layer *l,
				    const struct sl_msg *m);
/** A client transaction with this branch and method. */
struct sl_txn *sl__txn_find_client(struct sl_txn_layer *l,
				   struct sl_slice branch,
				   struct sl_slice method);

/** Random text from [0-9A-Za-z] (the layer's generator). */
void sl__txn_random_text(struct sl_txn_layer *l, char *out, size_t n);

/* ---- client.c ---- */

/** Feeds a response matched to client transaction @t. */
void sl__txn_client_recv(struct sl_txn *t, struct sl_rxbuf *rx);

/* ---- server.c ---- */

/** Feeds a request matched to server transaction @t. */
void sl__txn_server_recv(struct sl_txn *t, struct sl_rxbuf *rx);

/** Makes a server transaction for a new request and tells the TU.
 * Return: an enum sl_txn_rx or a negative error. */
int sl__txn_server_new(struct sl_txn_layer *l, struct sl_rxbuf *rx);

#endif /* SL_TXN_INT_H */
