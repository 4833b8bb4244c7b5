/*
 * tests/unit/dlg_env.h: two user agents for the dialog tests (lib/dialog):
 * A (192.0.2.1) and B (192.0.2.2), each a real transaction layer and a
 * dialog table, on one loop and virtual clock, joined by the
 * fault-injecting network of txn_fault.c (no loss, 1 ms each way, so
 * messages arrive in the order they were sent).
 *
 * Each UA's transaction callbacks do what a UA core does with the dialog
 * layer: requests and ACKs go through sl__dlg_recv_request(), responses
 * through sl__dlg_uac_response() (a set's request) or
 * sl__dlg_recv_response() (a dialog's), timeouts through
 * sl__dlg_request_failed(); optionally every 2xx to an INVITE is ACKed and
 * a FORKED dialog gets its BYE. Everything is recorded for the tests;
 * received requests are kept (one reference each) so a test can answer
 * them later.
 *
 * check_dialog*.c include dlg_env.c directly (the Makefile builds a unit
 * test from one source file and the static library).
 *
 * Thread: the test thread, which also steps the loop.
 */
#ifndef SL_TEST_DLG_ENV_H
#define SL_TEST_DLG_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "dialog/dialog.h"
#include "txn_fault.h"

enum {
	ENV_MAX_EV = 128,
	ENV_MAX_SENT = 256,
	ENV_MAX_MAP = 128
};

/* What a client transaction of a UA belongs to. */
enum env_kind { ENV_K_NONE = 0, ENV_K_SET, ENV_K_DLG, ENV_K_RAW };

struct env_map {
	uint32_t txn;
	enum env_kind kind;
	uint32_t id;              /* set or dialog */
	enum sl_method method;
	uint32_t cseq;
};

/* A request (or ACK) the UA received, kept with one reference. */
struct env_rq {
	uint32_t txn;
	enum sl_method method;
	uint32_t cseq;
	int verdict;              /* sl__dlg_recv_request()'s result */
	uint32_t id;              /* the dialog it matched or made */
	uint32_t cancel_target;
	struct sl_rxbuf *rx;
};

/* A response (or a timeout: status 408) to one of the UA's requests. */
struct env_rs {
	uint32_t txn;
	int status;
	enum sl_method method;
	enum env_kind kind;
	uint32_t id;              /* the set or dialog the request had */
	int verdict;              /* the dialog layer's result */
	uint32_t dlg;             /* sets: the dialog sl__dlg_uac_response()
				   * reported */
	uint64_t at_ms;
	char text[2048];          /* the response, NUL-terminated */
};

struct env_term {
	uint32_t id;
	enum sl_dlg_end why;
	int status;
};

struct env_sent {
	uint64_t at_ms;
	char *buf;
	size_t len;
};

struct env;

struct ua {
	struct env *env;
	const char *name;
	const char *host;         /* our address (Via sent-by) */
	const char *peer;         /* the other UA's address */
	const char *contact;      /* our Contact URI */
	int index;                /* network side */
	struct sl_txn_layer *txn;
	struct sl_dlg_table *dlg;

	int auto_ack;             /* ACK every 2xx to an INVITE (default 1) */
	int auto_bye_forked;      /* BYE a FORKED dialog (default 1) */
	int auto_end_set;         /* end a set when its INVITE transaction
				   * terminates (default 1) */
	int auto_answer;          /* answer a new INVITE 180 then 200, and
				   * every request in a dialog 200 */
	int fixed_random;         /* the dialog layer's random source gives
				   * @rnd */
	uint32_t rnd;

	struct env_map map[ENV_MAX_MAP];
	unsigned n_map;
	struct env_rq rq[ENV_MAX_EV];
	unsigned n_rq;
	struct env_rq ack[ENV_MAX_EV];
	unsigned n_ack;
	struct env_rs rs[ENV_MAX_EV];
	unsigned n_rs;
	struct env_term term[ENV_MAX_EV];
	unsigned n_term;
	uint32_t no_ack[ENV_MAX_EV];
	unsigned n_no_ack;
	struct env_sent sent[ENV_MAX_SENT];
	unsigned n_sent;
	int last_err;             /* the first error an automatic action got */
};

struct env {
	struct sl_vclock vc;
	struct sl_loop *loop;
	struct tf_net net;
	struct ua a, b;
};

/**
 * env_up() - sets both UAs up. @ca, @cb: dialog configurations (NULL:
 * sl__dlg_config_init() defaults); their random and ev fields are
 * replaced. Aborts the test on failure.
 */
void env_up(struct env *e, const struct sl_dlg_config *ca,
	    const struct sl_dlg_config *cb);

/** Tears everything down; asserts that no receive buffer leaked. */
void env_down(struct env *e);

/** Runs the loop @ms of virtual time forward. */
void env_run(struct env *e, uint64_t ms);

/** The Via a UA puts on its requests (a new branch each time). */
struct sl_dlg_via ua_via(const struct ua *u);

/** The destination of the UA's requests (the peer's address). */
struct sl_tp_dest ua_dst(const struct ua *u);

/**
 * ua_invite() - a dialog set for an INVITE from @u to the other UA, sent
 * with @extra headers (may be NULL/0). @p NULL: defaults (alice or bob,
 * our Contact). Return: the set id (asserts success).
 */
uint32_t ua_invite(struct ua *u, const struct sl_dlg_uac_params *p,
		   const struct sl_txn_hdr *extra, unsigned n_extra);

/** Sends @method in dialog @id; Return: sl__dlg_send_request()'s result;
 * *@txn set on success. */
int ua_send(struct ua *u, uint32_t id, const char *method,
	    const struct sl_txn_hdr *extra, unsigned n_extra, uint32_t *txn);

/** Starts a client transaction for bytes built elsewhere, recorded as
 * belonging to dialog @id (kind ENV_K_DLG when @id, else ENV_K_RAW). */
uint32_t ua_send_raw(struct ua *u, uint32_t id, const char *buf, size_t len);

/** The last request of @method @u received, or NULL. */
struct env_rq *ua_last_rq(struct ua *u, enum sl_method method);

/** The last response @u got for a request of @method, or NULL. */
struct env_rs *ua_last_rs(struct ua *u, enum sl_method method);

/** How many requests of @method @u received (SL_METHOD_NONE: all). */
unsigned ua_count_rq(const struct ua *u, enum sl_method method);

/** How many responses with @status @u got (0: all). */
unsigned ua_count_rs(const struct ua *u, int status);

/** How many messages @u sent that start with @prefix. */
unsigned ua_count_sent(const struct ua *u, const char *prefix);

/** The last message @u sent that starts with @prefix, or NULL. */
const struct env_sent *ua_last_sent(const struct ua *u, const char *prefix);

/** The last termination reported for @id, or NULL. */
const struct env_term *ua_term(const struct ua *u, uint32_t id);

/** sl__dlg_uas_create() for request @rq with local tag @tag (NULL: new);
 * asserts success. Return: the dialog id. */
uint32_t ua_uas(struct ua *u, const struct env_rq *rq, const char *tag);

/** sl__dlg_respond() with @status on @rq's transaction in dialog @id. */
int ua_respond(struct ua *u, uint32_t id, const struct env_rq *rq,
	       int status);

/** The state of dialog @id (SL_DLG_STATE_FREE when it is gone). */
enum sl_dlg_state ua_state(struct ua *u, uint32_t id);

/** Parses a sent message: @out is valid until the next call. */
void env_parse(const struct env_sent *s, struct sl_msg *out);

/** The n-th (0-based) value of header @name of @m as a string in a static
 * buffer ("" when absent). */
const char *env_hdr_n(const struct sl_msg *m, const char *name, int n);

/** The Request-URI of @m as a string in a static buffer. */
const char *env_ruri(const struct sl_msg *m);

/** A one-UA setup (only A): a txn layer on the recording transport of
 * tf_env, for tests that need no peer. */
struct solo {
	struct tf_env te;
	struct sl_dlg_table *dlg;
	struct env_term term[ENV_MAX_EV];
	unsigned n_term;
};

void solo_up(struct solo *s, const struct sl_dlg_config *c);
void solo_down(struct solo *s);

#endif /* SL_TEST_DLG_ENV_H */
