/*
 * lib/core/blocks.h: a store of variable-sized byte blocks carved from one
 * region reserved at creation (STYLE.md §3: sized at start-up), for state
 * whose size varies from one object to the next - a dialog's strings and
 * route set, a call's session descriptions and names.
 *
 * Each block belongs to a size class, a multiple of SL_BLOCK_UNIT bytes up
 * to the store's largest block. A freed block goes back on its class's
 * list (last in, first out, so the memory most recently used is reused
 * first); a class with an empty list cuts a new block from the region's
 * unused end. Nothing is ever returned to the system and nothing is
 * allocated after creation. The region is zeroed memory from sl__calloc(),
 * whose pages the kernel commits only when first written: a reserve sized
 * for the worst case costs address space, while resident memory follows
 * the bytes actually cut. Blocks carry no header: the owner keeps each
 * block's capacity (what sl__blocks_get() returned) and gives it back to
 * sl__blocks_put().
 *
 * Exhaustion is an ordinary error (SL_ENOMEM): no class list has a block
 * and the region's end is reached. Classes never merge, so a reserve well
 * above the worst-case live total (owner's choice) absorbs fragmentation.
 *
 * Thread: the owner's thread only (no locking).
 */
#ifndef SL_CORE_BLOCKS_H
#define SL_CORE_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

struct sl_blocks;

enum {
	SL_BLOCK_UNIT = 64,          /* class granularity, bytes */
	SL_BLOCK_MAX_LIMIT = 65536   /* largest block a store may offer */
};

/** struct sl_blocks_stats - what a store counted. */
struct sl_blocks_stats {
	size_t reserve;              /* bytes of the region */
	size_t cut;                  /* bytes cut from it so far (the most
				      * that can be resident) */
	size_t in_use;               /* bytes in blocks handed out now */
	size_t high_water;           /* the most @in_use ever was */
	uint64_t failures;           /* sl__blocks_get() that found none */
};

/**
 * sl__blocks_create() - a store with a region of @reserve bytes (rounded
 * up to SL_BLOCK_UNIT) whose blocks hold at most @max_block bytes.
 * Return: 0 and *@out; SL_EINVAL (NULL @out, @max_block 0 or above
 * SL_BLOCK_MAX_LIMIT, @reserve below @max_block); SL_ENOMEM.
 */
int sl__blocks_create(struct sl_blocks **out, size_t reserve,
		      size_t max_block);

/** Frees the store and its region; every block dies with it. NULL is
 * ignored. */
void sl__blocks_destroy(struct sl_blocks *b);

/**
 * sl__blocks_get() - a block of at least @len bytes (1..max_block), its
 * contents undefined.
 * @out: set to the block.
 * Return: its capacity (a multiple of SL_BLOCK_UNIT, >= @len); SL_EINVAL
 * for NULL pointers, @len 0 or above max_block; SL_ENOMEM when none is
 * left (counted in the stats).
 */
int sl__blocks_get(struct sl_blocks *b, size_t len, void **out);

/** sl__blocks_put() - gives back block @p of capacity @cap (what
 * sl__blocks_get() returned). NULL @p is ignored. */
void sl__blocks_put(struct sl_blocks *b, void *p, size_t cap);

/** Copies the counters. Return: 0 or SL_EINVAL. */
int sl__blocks_stats(const struct sl_blocks *b, struct sl_blocks_stats *out);

#endif /* SL_CORE_BLOCKS_H */
