/*
 * lib/core/arena.c: the bump allocator behind per-message parsing.
 *
 * Owns: nothing; the memory belongs to the caller.
 * Thread: whichever thread owns the arena.
 */
#include <stdalign.h>
#include <stddef.h>

#include "sipline/msg.h"

void sl_arena_init(struct sl_arena *a, void *mem, size_t cap)
{
	a->base = mem;
	a->cap = mem ? cap : 0;
	a->used = 0;
}

void sl_arena_reset(struct sl_arena *a)
{
	a->used = 0;
}

void *sl_arena_alloc(struct sl_arena *a, size_t size)
{
	const size_t align = alignof(max_align_t);
	uintptr_t base = (uintptr_t)a->base;
	size_t off = (size_t)(((base + a->used + align - 1) & ~(uintptr_t)(align - 1)) - base);

	if (!a->base || off > a->cap || size > a->cap - off)
		return NULL;
	a->used = off + size;
	return a->base + off;
}
