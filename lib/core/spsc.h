/*
 * lib/core/spsc.h: a bounded lock-free single-producer single-consumer
 * ring of fixed-size elements (C11 atomics), the only thing that crosses
 * between the SIP loop, the media thread(s) and the device threads.
 *
 * The producer owns `head`, the consumer owns `tail`; each reads the
 * other's index with acquire and publishes its own with release, so an
 * element is fully written before the consumer can see it. Indexes run
 * freely and are masked on use (capacity is a power of two), so full and
 * empty need no spare slot. Nothing blocks and nothing allocates: a full
 * ring refuses, an empty one returns 0.
 *
 * Owns: nothing; the storage (cap * elem bytes) is given by the owner at
 * start-up.
 * Thread: sl__spsc_push*() from the one producer thread, sl__spsc_pop*()
 * from the one consumer thread; sl__spsc_count() from either (a snapshot).
 */
#ifndef SL_CORE_SPSC_H
#define SL_CORE_SPSC_H

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

struct sl_spsc {
	_Atomic size_t head;            /* next slot to write (producer) */
	char pad_[64 - sizeof(size_t)]; /* keep head and tail apart */
	_Atomic size_t tail;            /* next slot to read (consumer) */
	char pad2_[64 - sizeof(size_t)];
	size_t mask;                    /* cap - 1 */
	size_t elem;                    /* bytes per element */
	unsigned char *mem;             /* cap * elem bytes */
};

/** Prepares @q over @mem (@cap elements of @elem bytes; @cap a power of
 * two >= 2). Return: 0, or -1 when @cap is not a power of two. */
static inline int sl__spsc_init(struct sl_spsc *q, void *mem, size_t cap,
				size_t elem)
{
	if (cap < 2 || (cap & (cap - 1)))
		return -1;
	atomic_init(&q->head, 0);
	atomic_init(&q->tail, 0);
	q->mask = cap - 1;
	q->elem = elem;
	q->mem = mem;
	return 0;
}

/** Elements waiting (exact for the consumer, a lower bound of free room
 * for the producer). */
static inline size_t sl__spsc_count(struct sl_spsc *q)
{
	size_t h = atomic_load_explicit(&q->head, memory_order_acquire);
	size_t t = atomic_load_explicit(&q->tail, memory_order_acquire);

	return h - t;
}

/** Producer: copies up to @n elements from @src. Return: elements taken
 * (fewer than @n when the ring fills). */
static inline size_t sl__spsc_push_n(struct sl_spsc *q, const void *src,
				     size_t n)
{
	size_t h = atomic_load_explicit(&q->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&q->tail, memory_order_acquire);
	size_t room = q->mask + 1 - (h - t);
	const unsigned char *s = src;

	if (n > room)
		n = room;
	for (size_t done = 0; done < n;) {
		size_t at = (h + done) & q->mask;
		size_t run = q->mask + 1 - at;

		if (run > n - done)
			run = n - done;
		memcpy(q->mem + at * q->elem, s + done * q->elem,
		       run * q->elem);
		done += run;
	}
	atomic_store_explicit(&q->head, h + n, memory_order_release);
	return n;
}

/** Consumer: moves up to @n elements into @dst. Return: elements moved. */
static inline size_t sl__spsc_pop_n(struct sl_spsc *q, void *dst, size_t n)
{
	size_t t = atomic_load_explicit(&q->tail, memory_order_relaxed);
	size_t h = atomic_load_explicit(&q->head, memory_order_acquire);
	unsigned char *d = dst;

	if (n > h - t)
		n = h - t;
	for (size_t done = 0; done < n;) {
		size_t at = (t + done) & q->mask;
		size_t run = q->mask + 1 - at;

		if (run > n - done)
			run = n - done;
		memcpy(d + done * q->elem, q->mem + at * q->elem,
		       run * q->elem);
		done += run;
	}
	atomic_store_explicit(&q->tail, t + n, memory_order_release);
	return n;
}

/** One element each way. Return: 1 moved, 0 full/empty. */
static inline int sl__spsc_push(struct sl_spsc *q, const void *src)
{
	return (int)sl__spsc_push_n(q, src, 1);
}

static inline int sl__spsc_pop(struct sl_spsc *q, void *dst)
{
	return (int)sl__spsc_pop_n(q, dst, 1);
}

#endif /* SL_CORE_SPSC_H */
