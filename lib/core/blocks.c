/*
 * lib/core/blocks.c: the block store of blocks.h - per-class free lists
 * over one region, new blocks cut from its unused end.
 *
 * Owns: struct sl_blocks, its free-list heads and its region (one
 * sl__calloc() each, at creation).
 * Thread: the owner's only.
 *
 * A free block's first bytes hold the link to the next free block of its
 * class (an offset into the region plus one, 0 ending the list), so the
 * lists cost nothing beyond the blocks themselves. In debug builds a
 * block given back is filled with 0xdd first, so a use after it was
 * freed reads as garbage rather than as the next owner's data.
 */
#include <assert.h>
#include <string.h>

#include "core/blocks.h"
#include "core/mem.h"
#include "sipline/error.h"

struct sl_blocks {
	unsigned char *mem;           /* the region */
	size_t reserve;
	size_t cut;                   /* bytes cut from the front */
	size_t max_block;
	unsigned n_classes;
	size_t *free;                 /* per class: offset + 1 of the first
				       * free block; 0: none */
	size_t in_use;
	size_t high_water;
	uint64_t failures;
};

static size_t round_unit(size_t n)
{
	return (n + SL_BLOCK_UNIT - 1) / SL_BLOCK_UNIT * SL_BLOCK_UNIT;
}

int sl__blocks_create(struct sl_blocks **out, size_t reserve,
		      size_t max_block)
{
	struct sl_blocks *b;

	if (out)
		*out = NULL;
	if (!out || !max_block || max_block > SL_BLOCK_MAX_LIMIT ||
	    reserve < max_block || reserve > SIZE_MAX - SL_BLOCK_UNIT)
		return SL_EINVAL;
	b = sl__calloc(1, sizeof(*b));
	if (!b)
		return SL_ENOMEM;
	b->max_block = round_unit(max_block);
	b->n_classes = (unsigned)(b->max_block / SL_BLOCK_UNIT);
	b->reserve = round_unit(reserve);
	b->free = sl__calloc(b->n_classes, sizeof(*b->free));
	b->mem = sl__calloc(1, b->reserve);
	if (!b->free || !b->mem) {
		sl__blocks_destroy(b);
		return SL_ENOMEM;
	}
	*out = b;
	return 0;
}

void sl__blocks_destroy(struct sl_blocks *b)
{
	if (!b)
		return;
	sl__free(b->mem);
	sl__free(b->free);
	sl__free(b);
}

int sl__blocks_get(struct sl_blocks *b, size_t len, void **out)
{
	size_t cap, cls, off;

	if (!b || !out || !len || len > b->max_block)
		return SL_EINVAL;
	cap = round_unit(len);
	cls = cap / SL_BLOCK_UNIT - 1;
	if (b->free[cls]) {
		off = b->free[cls] - 1;
		memcpy(&b->free[cls], b->mem + off, sizeof(size_t));
	} else if (b->reserve - b->cut >= cap) {
		off = b->cut;
		b->cut += cap;
	} else {
		b->failures++;
		return SL_ENOMEM;
	}
	b->in_use += cap;
	if (b->in_use > b->high_water)
		b->high_water = b->in_use;
	*out = b->mem + off;
	return (int)cap;
}

void sl__blocks_put(struct sl_blocks *b, void *p, size_t cap)
{
	unsigned char *q = p;
	size_t off, cls;

	if (!b || !p)
		return;
	/* Our own invariant: a block of ours, with the capacity we gave. */
	assert(q >= b->mem && q + cap <= b->mem + b->cut);
	assert(cap && cap % SL_BLOCK_UNIT == 0 && cap <= b->max_block);
	if (q < b->mem || q + cap > b->mem + b->cut || !cap ||
	    cap % SL_BLOCK_UNIT || cap > b->max_block)
		return;
	off = (size_t)(q - b->mem);
	cls = cap / SL_BLOCK_UNIT - 1;
#ifndef NDEBUG
	memset(q, 0xdd, cap);
#endif
	memcpy(q, &b->free[cls], sizeof(size_t));
	b->free[cls] = off + 1;
	b->in_use -= cap;
}

int sl__blocks_stats(const struct sl_blocks *b, struct sl_blocks_stats *out)
{
	if (!b || !out)
		return SL_EINVAL;
	out->reserve = b->reserve;
	out->cut = b->cut;
	out->in_use = b->in_use;
	out->high_water = b->high_water;
	out->failures = b->failures;
	return 0;
}
