/*
 * lib/core/mem.c: start-up allocation with accounting (see mem.h).
 *
 * Owns: the counters. Each block carries its size in a header so
 * sl__mem_in_use() stays exact without a table.
 * Thread: any.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "mem.h"

struct block_head {
	alignas(max_align_t) size_t size;
};

static atomic_size_t in_use;
static atomic_uint fail_countdown;

void *sl__calloc(size_t n, size_t size)
{
	struct block_head *h;
	unsigned left;
	size_t total;

	left = atomic_load(&fail_countdown);
	while (left > 0) {
		if (atomic_compare_exchange_weak(&fail_countdown, &left,
						 left - 1)) {
			if (left == 1)
				return NULL;
			break;
		}
	}
	if (size && n > (SIZE_MAX - sizeof(*h)) / size)
		return NULL;
	total = n * size;
	h = calloc(1, sizeof(*h) + total);
	if (!h)
		return NULL;
	h->size = total;
	atomic_fetch_add(&in_use, total);
	return h + 1;
}

void sl__free(void *p)
{
	struct block_head *h;

	if (!p)
		return;
	h = (struct block_head *)p - 1;
	atomic_fetch_sub(&in_use, h->size);
	free(h);
}

size_t sl__mem_in_use(void)
{
	return atomic_load(&in_use);
}

void sl__mem_fail_after(unsigned nth)
{
	atomic_store(&fail_countdown, nth);
}
