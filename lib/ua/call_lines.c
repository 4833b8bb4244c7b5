/*
 * lib/ua/call_lines.c: the indexes of the line pool - which lines are
 * free (a bitmap: the lowest free line is taken, as applications and
 * tests expect line 0 for the first call) and which line holds a session
 * (an open-addressing hash, linear probing with backward-shift
 * deletion), so taking a line and finding a call cost O(1) (O(n/64) for
 * the bitmap) instead of a walk over every line: with thousands of lines
 * that walk, per message, was most of the work.
 *
 * Owns: struct sl_calls @free_bits and @sess (allocated with the
 * engine).
 * Thread: the SIP loop thread.
 * Called by: call.c (line pool, lookups).
 */
#include <string.h>

#include "call_int.h"
#include "core/mem.h"

int sl__lines_index_create(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;
	size_t words = (c->n_lines + 63) / 64;
	uint32_t cap = 16;

	/* Half full at most: probes stay short. */
	while (cap < 2 * c->n_lines)
		cap *= 2;
	c->free_bits = sl__calloc(words, sizeof(uint64_t));
	c->sess = sl__calloc(cap, sizeof(uint32_t));
	if (!c->free_bits || !c->sess) {
		sl__lines_index_destroy(ua);
		return SL_ENOMEM;
	}
	c->sess_mask = cap - 1;
	for (unsigned i = 0; i < c->n_lines; i++)
		c->free_bits[i / 64] |= 1ull << (i % 64);
	return 0;
}

void sl__lines_index_destroy(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;

	sl__free(c->free_bits);
	sl__free(c->sess);
	c->free_bits = NULL;
	c->sess = NULL;
}

struct sl_line *sl__lines_take(struct sl_ua *ua)
{
	struct sl_calls *c = ua->calls;
	size_t words = (c->n_lines + 63) / 64;

	for (size_t w = 0; w < words; w++) {
		unsigned i;

		if (!c->free_bits[w])
			continue;
		i = (unsigned)(w * 64) +
		    (unsigned)__builtin_ctzll(c->free_bits[w]);
		if (i >= c->n_lines)
			return NULL;
		c->free_bits[w] &= ~(1ull << (i % 64));
		return &c->lines[i];
	}
	return NULL;
}

void sl__lines_hold(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_calls *c = ua->calls;

	c->free_bits[ln->idx / 64] &= ~(1ull << (ln->idx % 64));
}

void sl__lines_give(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_calls *c = ua->calls;

	if (c && c->free_bits)
		c->free_bits[ln->idx / 64] |= 1ull << (ln->idx % 64);
}

static uint32_t slot_of(const struct sl_calls *c, int session)
{
	/* Sessions count up: a multiplicative hash spreads neighbours. */
	return ((uint32_t)session * 2654435761u) & c->sess_mask;
}

void sl__lines_session_add(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_calls *c = ua->calls;
	uint32_t i = slot_of(c, ln->session);

	while (c->sess[i])
		i = (i + 1) & c->sess_mask;
	c->sess[i] = ln->idx + 1;
}

void sl__lines_session_del(struct sl_ua *ua, struct sl_line *ln)
{
	struct sl_calls *c = ua->calls;
	uint32_t i, j;

	if (!c || !c->sess || ln->session <= 0)
		return;
	for (i = slot_of(c, ln->session); c->sess[i];
	     i = (i + 1) & c->sess_mask)
		if (c->sess[i] == ln->idx + 1)
			break;
	if (!c->sess[i])
		return;
	/* Backward shift: each later entry of the run moves into the hole
	 * when its home slot does not lie between the hole and itself. */
	c->sess[i] = 0;
	for (j = (i + 1) & c->sess_mask; c->sess[j];
	     j = (j + 1) & c->sess_mask) {
		uint32_t home = slot_of(c, c->lines[c->sess[j] - 1].session);

		if (((j - home) & c->sess_mask) >= ((j - i) & c->sess_mask)) {
			c->sess[i] = c->sess[j];
			c->sess[j] = 0;
			i = j;
		}
	}
}

struct sl_line *sl__lines_by_session(struct sl_ua *ua, int session)
{
	struct sl_calls *c = ua->calls;

	if (!c || !c->sess || session <= 0)
		return NULL;
	for (uint32_t i = slot_of(c, session); c->sess[i];
	     i = (i + 1) & c->sess_mask) {
		struct sl_line *ln = &c->lines[c->sess[i] - 1];

		if (ln->session == session)
			return ln;
	}
	return NULL;
}
