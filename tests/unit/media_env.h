/*
 * tests/unit/media_env.h: the helpers of tests/unit/media_env.c (which a
 * media test binary includes): UAs on 127.0.0.1 with their own loop
 * threads and queued events, their events recorded, bounded waits,
 * calls, receive loss on a UA's engine, and a JSON checker.
 */
#ifndef SL_TEST_MEDIA_ENV_H
#define SL_TEST_MEDIA_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "ua/media_int.h"
#include "sipline/call.h"
#include "sipline/log.h"

enum {
	MAX_REC = 512,
	MAX_SIDES = 20,
	BODY_MAX = 1536
};

/* ---- UAs and their events ---- */

struct rec {
	enum sl_event_type type;
	int session;
	int line;
	int code;
	enum sl_close_reason close_reason;
	char digit;
	char dtmf_method[16];
	unsigned duration_ms;
	char codec[32];
	int payload_type;
	char remote_rtp[64];
	char content_type[96];
	char body[BODY_MAX];
	size_t body_len;
	uint64_t at_ms;
};

struct side {
	struct sl_ua *ua;
	char name[16];
	char uri[128];
	struct rec ev[MAX_REC];
	unsigned n;
	/* The last INVITE / 200 body we sent (SDP), when captured. */
	char sdp[4096];
	size_t sdp_len;
	double created_ms;      /* when sl_ua_create() returned (devices run) */
};

typedef void (*tweak_fn)(struct sl_ua_config *c, const void *arg);

/* Every UA made by side_make() (sides_reset() destroys them). */
extern struct side *sides[MAX_SIDES];
extern unsigned n_sides;
/* The two UAs most tests use. */
extern struct side A, B;

uint64_t now_ms(void);
double now_fms(void);
void copy_str(char *out, size_t cap, const char *s);
/** Polls every UA's event fd for at most @ms and records what came. */
void pump(int ms);
/** Lets @ms of real time pass, recording events meanwhile. */
void run_ms(unsigned ms);
/** How many events of @type (of @session; 0: any) @s has. */
int count(const struct side *s, enum sl_event_type type, int session);
/** The @nth (0-based) event of @type of @session (0: any), waiting at
 * most @ms for it; NULL when it did not come. */
const struct rec *wait_nth(struct side *s, enum sl_event_type type,
			   int session, int nth, unsigned ms);
const struct rec *wait_ev(struct side *s, enum sl_event_type type,
			  int session, unsigned ms);
/** A UA on 127.0.0.1:0, own loop thread, queued events, SIP-sent events
 * on (the SDP it sends is kept). */
void base_config(struct sl_ua_config *cfg);
/** Creates @s as user @user (@tw changes the configuration first). */
void side_make(struct side *s, const char *user, tweak_fn tw,
	       const void *arg);
void side_destroy(struct side *s);
void sides_reset(void);
/** A calls B and B answers: both connected. */
void connect_ab(struct side *a, struct side *b, int *as, int *bs);
/** Hangs up from A; both closed. */
void hangup_ab(struct side *a, struct side *b, int as, int bs);
/** Receive loss on @ua's engine (sl__media_engine_rx_loss()). */
void set_loss(struct sl_ua *ua, unsigned permille, uint32_t seed);
/** 1 when @s is one JSON object (the subset statistics use). */
int json_ok(const char *s, size_t n);
/** The number / string after "key": (NAN / "" when absent). */
double json_num(const char *json, const char *key);
const char *json_str(const char *json, const char *key, char *out,
		     size_t cap);
/** The statistics document with every key and sane values. */
void check_stats_json(const char *json, size_t len, const char *codec,
		      int need_rx);
/** @session's SL_EV_MEDIA_STATS: exactly one, before its SL_EV_CLOSED. */
const struct rec *stats_before_closed(const struct side *s, int session);
/** The port of the first m=audio line of @sdp. */
unsigned sdp_port(const char *sdp);

#endif /* SL_TEST_MEDIA_ENV_H */
