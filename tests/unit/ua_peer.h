/*
 * tests/unit/ua_peer.h: plumbing for the UA tests (lib/ua): a scripted
 * SIP peer on a UDP socket of 127.0.0.1 (it reads what the UA sends and
 * answers what the test says), a UA factory with the test hooks of
 * lib/ua/ua_int.h (virtual clock), drivers for an application-driven UA,
 * and an event recorder.
 *
 * Each check_ua*.c includes ua_peer.c directly (the Makefile builds a unit
 * test from one source file and the static library).
 *
 * Thread: the peer and the drivers on the test thread; the recorder from
 * any thread (a mutex guards it).
 */
#ifndef SL_TEST_UA_PEER_H
#define SL_TEST_UA_PEER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "ua/ua_int.h"

/* ---- the scripted peer ---- */

enum { PEER_BUF = 65536, PEER_ARENA = 32768 };

/**
 * struct peer - one UDP socket on 127.0.0.1 (ephemeral port).
 * @buf, @len, @msg: the last SIP message received (parsed; NUL after it).
 * @from:        where it came from.
 * @keepalives:  CRLF keep-alives received (skipped by peer_poll()).
 */
struct peer {
	int fd;
	uint16_t port;
	char buf[PEER_BUF];
	size_t len;
	struct sockaddr_in from;
	struct sl_msg msg;
	unsigned char arena[PEER_ARENA];
	unsigned keepalives;
	unsigned n_msgs;
};

void peer_open(struct peer *p);
void peer_close(struct peer *p);

/** Waits up to @timeout_ms (real time) for a SIP message. Return: 1 when
 * one arrived (in p->msg), 0 when none. */
int peer_poll(struct peer *p, int timeout_ms);

/** Sends @text (NUL-terminated) to @to. */
void peer_send(struct peer *p, const struct sockaddr_in *to,
	       const char *text);

/** Answers the last request with @status, To tag "peer", then the header
 * lines @extra (each ending in CRLF; may be NULL) and an empty body. */
void peer_reply(struct peer *p, int status, const char *extra);

/** The value of the first header @name of the last message ("" when
 * absent), NUL-terminated in a static buffer. */
const char *peer_hdr(const struct peer *p, const char *name);

/** 1 when the last message contains @needle. */
int peer_has(const struct peer *p, const char *needle);

/** 1 when the last message is a request with this method. */
int peer_is(const struct peer *p, const char *method);

/* ---- the event recorder ---- */

struct rec_ev {
	enum sl_event_type type;
	int code;
	uint32_t expires;
	char reason[64];
	char from[128];
	char content_type[64];
	char body[256];
	size_t raw_len;
};

enum { REC_MAX = 4096 };

struct rec {
	pthread_mutex_t mu;
	unsigned n;
	struct rec_ev ev[REC_MAX];
	unsigned count[32];          /* per type */
	/* What the callback does besides recording (tests set it). */
	void (*also)(struct rec *r, const struct sl_event *ev);
	struct sl_ua *ua;
};

extern struct rec REC;

void rec_reset(void);
/** The event callback (arg unused). */
void rec_cb(void *arg, const struct sl_event *ev);
/** Records @ev (queue-mode drains call it too). */
void rec_add(const struct sl_event *ev);
unsigned rec_count(enum sl_event_type t);
/** The last event of type @t (a copy), or a zeroed one. */
struct rec_ev rec_last(enum sl_event_type t);

/* ---- the UA under test ---- */

/** A config for 127.0.0.1 UDP port 0, callback mode into the recorder,
 * run mode @mode. */
void ua_test_config(struct sl_ua_config *c, enum sl_run_mode mode);

/** An account "alice" at example.com registering at @peer. */
void ua_test_account(struct sl_account *a, const struct peer *peer);

/** The UA's UDP address (listen entry 0) for the peer to send to. */
void ua_addr(struct sl_ua *ua, struct sockaddr_in *out);

/* Application-driven mode on a virtual clock. */
extern struct sl_vclock VC;

/** Creates an application-driven UA on VC (set to 1000 s). */
struct sl_ua *ua_app(const struct sl_ua_config *c);

/** Steps @ua until idle a few times in a row (real I/O on loopback). */
void pump(struct sl_ua *ua);

/** Steps @ua until the peer has a SIP message. Return: 1, or 0 when none
 * came within a bounded number of steps. */
int wait_peer(struct peer *p, struct sl_ua *ua);

/** Steps until @cond holds (bounded). */
#define PUMP_UNTIL(ua, cond)                                           \
	do {                                                           \
		for (int i_ = 0; i_ < 2000 && !(cond); i_++) {         \
			sl_ua_step(ua);                                \
			if (!(cond))                                   \
				usleep_poll(1);                        \
		}                                                      \
	} while (0)

/** A 1 ms wait in poll(), so loopback I/O completes (not a sleep: it
 * returns as soon as the ms is over; nothing waits for a timer). */
void usleep_poll(int ms);

/** Virtual milliseconds since VC started. */
uint64_t vnow_ms(void);

/**
 * advance() - moves VC forward by @ms, stopping at every timer deadline
 * on the way and stepping the UA there. When @p is not NULL, stops early
 * as soon as the peer has a SIP message (return 1), else returns 0.
 */
int advance(struct sl_ua *ua, uint64_t ms, struct peer *p);

/** Real (monotonic) milliseconds, for checking bounded waits. */
uint64_t wall_ms(void);

/** Checks that every byte sl__calloc() handed out came back. */
size_t mem_now(void);

#endif /* SL_TEST_UA_PEER_H */
