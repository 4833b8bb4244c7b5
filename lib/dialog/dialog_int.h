/*
 * lib/dialog/dialog_int.h: internals shared by the dialog layer's files
 * (table.c, uac.c, uas.c, request.c, rx.c). Nothing outside lib/dialog
 * includes it.
 *
 * Owns: the layout of struct sl_dlg_table and of its slots.
 * Thread: the SIP loop thread only.
 *
 * Rules every file keeps:
 * - After any callback (ours or the transaction layer's, which may call
 *   back into the UA and from there into us), a slot pointer is re-checked
 *   with dlg_alive() before it is touched again.
 * - Text is written into a slot only through sl__dlg_store(), which
 *   builds the new text in the table's scratch area first, so the new
 *   values may be slices of the slot's own old text.
 */
#ifndef SL_DIALOG_INT_H
#define SL_DIALOG_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/loop.h"
#include "core/timer.h"
#include "dialog.h"

#define SL_DLG_LOG "dialog"

/** The strings of a slot besides its route set. */
enum sl_dlg_str_id {
	SL_DLG_S_CALL_ID = 0,
	SL_DLG_S_LOCAL_TAG,
	SL_DLG_S_REMOTE_TAG,
	SL_DLG_S_LOCAL_URI,
	SL_DLG_S_LOCAL_DISPLAY,
	SL_DLG_S_REMOTE_URI,
	SL_DLG_S_REMOTE_DISPLAY,
	SL_DLG_S_TARGET,           /* remote target; a set: Request-URI */
	SL_DLG_S_CONTACT,          /* ours */
	SL_DLG_S__COUNT
};

/** struct sl_dlg_str - @len bytes at text + @off, followed by a NUL. */
struct sl_dlg_str {
	uint16_t off;
	uint16_t len;
};

/**
 * struct sl_dlg - one slot: a dialog or a dialog set.
 * @id:        the live id, 0 while free.
 * @next:      key-hash chain while in use, free list while free (index+1;
 *             0 ends the list).
 * @id_next:   id-hash chain (index+1).
 * @hash:      the hash of Call-ID and local tag.
 * @state:     enum sl_dlg_state.
 * @method:    the creating request's method (enum sl_method).
 * @flags:     enum sl_dlg_flags.
 * @set:       UAC dialogs: their set's id.
 * @local_cseq, @remote_cseq: §12 sequence numbers (0: empty).
 * @invite_cseq: our last INVITE's number (what the ACK carries).
 * @pending_invite: the number of our INVITE that has no final response
 *             yet (0: none), for §14.1 glare.
 * @acked_cseq: the INVITE number our last ACK carried (a later 2xx with
 *             it is a retransmission).
 * @bye_cseq:  our BYE's number (0: none sent).
 * @peer_invite_txn: the server transaction of the peer's last INVITE
 *             (§14.2: pending while it is in Proceeding).
 * @create_txn: UAS: the server transaction of the creating request.
 * @sub_usages: RFC 5057 subscription usages.
 * @rseq_rx:   UAC: the last RSeq PRACKed (0: none, RFC 3262 §4).
 * @rseq_tx:   UAS: the last RSeq handed out (0: none).
 * @t_2xx, @txn_2xx, @cseq_2xx, @retx_ms, @waited_ms: the UAS's 2xx
 *             retransmission (§13.3.1.4).
 * @s:         the strings, in @text.
 * @routes:    the route set (max_routes entries), in @text.
 * @user:      the UA's number for the slot (sl__dlg_set_user()); a
 *             dialog made from a set starts with the set's.
 * @text:      a block of the table's store (@text_cap bytes, at most
 *             text_size; a shared empty string while nothing is stored);
 *             @text_used of them hold the strings.
 */
struct sl_dlg {
	uint32_t id;
	uint32_t index;
	uint32_t next;
	uint32_t id_next;
	uint32_t hash;
	uint8_t state;
	uint8_t method;
	uint8_t hashed;            /* in the key hash */
	uint8_t has_remote_cseq;   /* §12: the remote number is not empty */
	uint16_t n_routes;
	unsigned flags;
	uint32_t set;
	uint32_t local_cseq;
	uint32_t remote_cseq;
	uint32_t invite_cseq;
	uint32_t pending_invite;
	uint32_t acked_cseq;
	uint32_t bye_cseq;
	uint32_t peer_invite_txn;
	uint32_t create_txn;
	uint16_t sub_usages;
	uint32_t rseq_rx;
	uint32_t rseq_tx;
	struct sl_timer t_2xx;
	uint32_t txn_2xx;
	uint32_t cseq_2xx;
	uint32_t retx_ms;
	uint32_t waited_ms;
	struct sl_dlg_table *tab;
	uint32_t user;
	struct sl_dlg_str s[SL_DLG_S__COUNT];
	struct sl_dlg_str *routes;
	char *text;
	uint16_t text_used;
	uint32_t text_cap;
};

/**
 * struct sl_dlg_table - the table: config, pool, hash tables, scratch.
 * @buckets:    key hash (Call-ID, local tag): index+1 of the first slot.
 * @id_buckets: id hash: index+1 of the first slot.
 * @scratch:    text_size bytes where sl__dlg_store() builds new text.
 * @uri_buf:    text_size bytes for a strict router's Request-URI.
 * @route_src:  max_routes slices: a route set being stored.
 * @route_tmp:  max_routes entries: the offsets of a route set being stored.
 * @msg:        msg_buf_size bytes: requests sl__dlg_send_*() build.
 * @text:       the store the slots' text blocks come from (reserved for
 *              every slot at text_size, so resident memory follows what
 *              dialogs hold, not what they could).
 */
struct sl_dlg_table {
	struct sl_loop *loop;
	struct sl_txn_layer *txn;
	struct sl_dlg_config cfg;
	struct sl_dlg *slots;
	uint32_t n_slots;
	uint32_t free_head;           /* released slots (index + 1) */
	uint32_t fresh;               /* slots never used start here */
	struct sl_dlg_str *routes_base; /* max_routes entries per slot */
	uint32_t *buckets;
	uint32_t *id_buckets;
	uint32_t bucket_mask;
	uint32_t next_id;
	char *scratch;
	char *uri_buf;
	struct sl_slice *route_src;
	struct sl_dlg_str *route_tmp;
	char *msg;
	struct sl_blocks *text;
	uint64_t rng;
	struct sl_dlg_stats stats;
	void *mem;
};

/* ---- table.c: slots, ids, hashes, text ---- */

static inline int sl__dlg_alive(const struct sl_dlg *d, uint32_t id)
{
	return d->id == id;
}

static inline int sl__dlg_is_dialog(const struct sl_dlg *d)
{
	return d->state == SL_DLG_STATE_EARLY ||
	       d->state == SL_DLG_STATE_CONFIRMED;
}

/** A free slot with a new id, in the id hash (not the key hash), state
 * SL_DLG_STATE_FREE and everything else zero; NULL when the pool is
 * full. */
struct sl_dlg *sl__dlg_alloc(struct sl_dlg_table *t);

/** Stops the timer, leaves both hashes, frees the slot (its id dies). */
void sl__dlg_free(struct sl_dlg *d);

/** The live slot with @id, or NULL. */
struct sl_dlg *sl__dlg_get(struct sl_dlg_table *t, uint32_t id);

/** Files @d under its Call-ID and local tag (both stored already). */
void sl__dlg_hash_insert(struct sl_dlg *d);

/** The hash of a Call-ID and local tag. */
uint32_t sl__dlg_key_hash(struct sl_slice call_id, struct sl_slice ltag);

/**
 * The next slot (after @after, NULL: the first) in the key hash with this
 * Call-ID and local tag, whatever its remote tag and state; NULL at the
 * end. Callers filter.
 */
struct sl_dlg *sl__dlg_key_next(struct sl_dlg_table *t,
				struct sl_slice call_id,
				struct sl_slice ltag, struct sl_dlg *after);

/** The early or confirmed dialog with this dialog ID, or NULL. */
struct sl_dlg *sl__dlg_lookup(struct sl_dlg_table *t, struct sl_slice call_id,
			      struct sl_slice ltag, struct sl_slice rtag);

/** String @i of @d as a slice (NUL-terminated in the slot). */
struct sl_slice sl__dlg_str(const struct sl_dlg *d, enum sl_dlg_str_id i);

/** Route @i of @d. */
struct sl_slice sl__dlg_route_str(const struct sl_dlg *d, unsigned i);

/**
 * struct sl_dlg_vals - the text of a slot to store.
 * @s:       each string (empty slices for none).
 * @display: bit i: string i is a display name from a message: its
 *           quoted-pairs are undone and control characters dropped.
 * @routes, @n_routes: the route set.
 */
struct sl_dlg_vals {
	struct sl_slice s[SL_DLG_S__COUNT];
	unsigned display;
	const struct sl_slice *routes;
	unsigned n_routes;
};

/** Fills @v with @d's current text (to change a few values). */
void sl__dlg_vals_of(const struct sl_dlg *d, struct sl_dlg_vals *v);

/**
 * sl__dlg_store() - replaces @d's text with @v's (built in the scratch
 * area first, so @v may point into @d->text).
 * Return: 0; SL_ETOOBIG when it does not fit text_size or max_routes
 * (then @d is unchanged).
 */
int sl__dlg_store(struct sl_dlg *d, const struct sl_dlg_vals *v);

/** Ends dialog @d: frees it, then makes the terminated callback. */
void sl__dlg_end(struct sl_dlg *d, enum sl_dlg_end why, int status);

/** A random number from the configured source. */
uint32_t sl__dlg_random(struct sl_dlg_table *t);

/** Ends the INVITE usage of @d; ends @d when no usage is left.
 * Return: 1 when @d ended (callback made), 0 when it lives on. */
int sl__dlg_end_invite_usage(struct sl_dlg *d, enum sl_dlg_end why,
			     int status);

/* ---- message helpers (table.c) ---- */

/** The URI of the first Contact of @m. Return: 0; SL_ENOTFOUND; SL_EPARSE
 * (unparsable or "*"). */
int sl__dlg_msg_contact(const struct sl_msg *m, struct sl_slice *uri);

/**
 * The URIs of @m's Record-Route values into the table's route_src, in
 * order or reversed (§12.1.1 vs §12.1.2).
 * Return: how many; SL_ETOOBIG past max_routes; SL_EPARSE for a value
 * that does not decode.
 */
int sl__dlg_msg_record_route(struct sl_dlg_table *t, const struct sl_msg *m,
			     int reverse);

/** 1 when one of @hdrs is a Contact (long or compact name). */
int sl__dlg_has_contact(const struct sl_txn_hdr *hdrs, unsigned n);

/** 1 for methods whose requests refresh the remote target (RFC 3261
 * §12.2, RFC 3311, RFC 6665). */
int sl__dlg_target_refresh(enum sl_method m);

/** 1 for methods of the INVITE usage (RFC 5057). */
int sl__dlg_invite_usage_method(enum sl_method m);

/* ---- uac.c ---- */

/**
 * A NOTIFY with a To tag that matched no dialog: when it belongs to a
 * pending SUBSCRIBE or REFER set, makes the confirmed dialog (RFC 6665
 * §4.1.2.4). Return: the new dialog, NULL when there is no such set; sets
 * *@err when one was found but the dialog could not be made.
 */
struct sl_dlg *sl__dlg_uac_notify(struct sl_dlg_table *t,
				  const struct sl_msg *m, int *err);

/* ---- request.c ---- */

/** §14.2: the peer's last INVITE of @d has no final response from us yet
 * (its server transaction is in Proceeding). */
int sl__dlg_peer_invite_pending(struct sl_dlg *d);

/* ---- uas.c ---- */

/** The ACK for the 2xx of INVITE number @cseq came: stop retransmitting. */
void sl__dlg_ack_received(struct sl_dlg *d, uint32_t cseq);

#endif /* SL_DIALOG_INT_H */
