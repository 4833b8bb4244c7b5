/*
 * lib/core/mpsc.h: a bounded lock-free multi-producer single-consumer queue
 * of small fixed-size messages (the loop's cross-thread call queue).
 *
 * The algorithm is Dmitry Vyukov's bounded MPMC array queue: each cell
 * carries a sequence number telling whether it is free for the producer of
 * lap k or holds the message for the consumer of lap k. Producers claim a
 * position with a CAS on the shared head, write the message, then publish
 * it by storing the cell's sequence (release); the one consumer owns the
 * tail outright, so popping takes no atomic read-modify-write at all.
 * Nothing blocks: a full queue is reported (SL_ENOMEM), never waited on.
 *
 * Owns: nothing; the cell array is given by the owner (the loop allocates
 * it at creation), capacity a power of two >= 2.
 * Thread: sl__mpsc_push() from any thread; sl__mpsc_pop() and
 * sl__mpsc_empty() from the one consumer thread only.
 */
#ifndef SL_CORE_MPSC_H
#define SL_CORE_MPSC_H

#include <stdatomic.h>
#include <stddef.h>

/** struct sl_mpsc_msg - what travels through the queue (by value). */
struct sl_mpsc_msg {
	int (*fn)(void *arg);
	void *arg;
	void *ctx;              /* the producer's completion, or NULL */
};

struct sl_mpsc_cell {
	_Atomic size_t seq;
	struct sl_mpsc_msg msg;
};

/* Enough padding that the producers' head and the consumer's tail sit on
 * different cache lines; plain arrays rather than alignas so the queue can
 * live inside calloc'd memory without an over-aligned type. */
#define SL_MPSC_PAD_ 64

struct sl_mpsc {
	struct sl_mpsc_cell *cells;
	size_t mask;                    /* capacity - 1 */
	char pad0_[SL_MPSC_PAD_];
	_Atomic size_t head;            /* next position producers claim */
	char pad1_[SL_MPSC_PAD_];
	size_t tail;                    /* next position to pop (consumer) */
};

/** Lays a queue over @cells (@cap entries, a power of two >= 2).
 * Return: 0 or SL_EINVAL. */
int sl__mpsc_init(struct sl_mpsc *q, struct sl_mpsc_cell *cells, size_t cap);

/** Appends @m. Return: 0, or SL_ENOMEM when the queue is full. */
int sl__mpsc_push(struct sl_mpsc *q, const struct sl_mpsc_msg *m);

/** Takes the oldest published message into @out. Return: 1, or 0 when
 * there is none (a message still being written by its producer counts as
 * not there yet). */
int sl__mpsc_pop(struct sl_mpsc *q, struct sl_mpsc_msg *out);

/** 1 when sl__mpsc_pop() would find nothing (consumer thread only). */
int sl__mpsc_empty(struct sl_mpsc *q);

#endif /* SL_CORE_MPSC_H */
