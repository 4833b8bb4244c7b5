/*
 * lib/core/mem.h: the only way sipline code outside lib/core gets heap
 * memory, and only when an object is created (STYLE.md §3: pools and
 * arenas sized at start-up, nothing allocated per message or per packet).
 *
 * Going through one place lets the library report its memory figure and
 * lets tests make creation fail at the Nth allocation, so every
 * creation path's cleanup is exercised.
 *
 * Thread: any (counters are atomic).
 */
#ifndef SL_CORE_MEM_H
#define SL_CORE_MEM_H

#include <stddef.h>

/** Zeroed memory for @n objects of @size bytes; NULL when out of memory,
 * on overflow of @n * @size, or when a test asked creation to fail. */
void *sl__calloc(size_t n, size_t size);

/** Releases memory from sl__calloc(); NULL is ignored. */
void sl__free(void *p);

/** Bytes currently held through sl__calloc(). */
size_t sl__mem_in_use(void);

/** Test hook: make the @nth next sl__calloc() fail (1 = the next one);
 * 0 switches failing off. */
void sl__mem_fail_after(unsigned nth);

#endif /* SL_CORE_MEM_H */
