/*
 * lib/core/mpsc.c: the bounded lock-free MPSC queue (see mpsc.h).
 *
 * Owns: nothing (cells belong to the queue's owner).
 * Thread: push from any thread, pop/empty from the single consumer.
 *
 * Cell sequence protocol for capacity C, position p, cell p % C:
 *   seq == p          the cell is free for the producer claiming p;
 *   seq == p + 1      it holds the message of position p;
 *   seq == p + C      the consumer released it for position p + C.
 * A capacity of 1 would make "holds p" and "free for p + 1" the same
 * value, hence the minimum of 2.
 */
#include <stdatomic.h>
#include <stdint.h>

#include "sipline/error.h"
#include "mpsc.h"

int sl__mpsc_init(struct sl_mpsc *q, struct sl_mpsc_cell *cells, size_t cap)
{
	if (!q || !cells || cap < 2 || (cap & (cap - 1)) != 0)
		return SL_EINVAL;
	q->cells = cells;
	q->mask = cap - 1;
	for (size_t i = 0; i < cap; i++)
		atomic_init(&cells[i].seq, i);
	atomic_init(&q->head, 0);
	q->tail = 0;
	return 0;
}

int sl__mpsc_push(struct sl_mpsc *q, const struct sl_mpsc_msg *m)
{
	size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
	struct sl_mpsc_cell *c;

	/* Each turn either claims a cell, reports full, or sees that another
	 * producer moved the head (lock-free: someone always progresses). */
	for (;;) {
		size_t seq;
		intptr_t diff;

		c = &q->cells[pos & q->mask];
		seq = atomic_load_explicit(&c->seq, memory_order_acquire);
		diff = (intptr_t)(seq - pos);
		if (diff == 0) {
			if (atomic_compare_exchange_weak_explicit(
				    &q->head, &pos, pos + 1,
				    memory_order_relaxed, memory_order_relaxed))
				break;
		} else if (diff < 0) {
			/* The cell still holds the message of the previous
			 * lap: the consumer is a whole queue behind. */
			return SL_ENOMEM;
		} else {
			pos = atomic_load_explicit(&q->head,
						   memory_order_relaxed);
		}
	}
	c->msg = *m;
	atomic_store_explicit(&c->seq, pos + 1, memory_order_release);
	return 0;
}

int sl__mpsc_pop(struct sl_mpsc *q, struct sl_mpsc_msg *out)
{
	size_t pos = q->tail;
	struct sl_mpsc_cell *c = &q->cells[pos & q->mask];
	size_t seq = atomic_load_explicit(&c->seq, memory_order_acquire);

	if (seq != pos + 1)
		return 0;
	*out = c->msg;
	q->tail = pos + 1;
	atomic_store_explicit(&c->seq, pos + q->mask + 1,
			      memory_order_release);
	return 1;
}

int sl__mpsc_empty(struct sl_mpsc *q)
{
	size_t pos = q->tail;
	const struct sl_mpsc_cell *c = &q->cells[pos & q->mask];

	return atomic_load_explicit(&c->seq, memory_order_acquire) != pos + 1;
}
