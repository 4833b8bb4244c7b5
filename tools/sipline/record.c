/*
 * tools/sipline/record.c: --record, one WAV file per call of what the
 * call received (16-bit mono PCM at the codec's rate).
 *
 * Why not the "wav:" playback device: the library's device mixes every
 * call and its file is only complete when the device closes, at UA
 * destruction; a script wants each call's file whole when that call's
 * "closed" event is printed. So each line has a recorder:
 *  - the call's audio hook (sl_call_set_audio_cb, SL_DIR_RECEIVED) runs
 *    on the media thread and must not block: it copies the frame into
 *    the line's single-producer/single-consumer ring (C11 acquire/release
 *    on the two indices; a full ring drops the samples and counts them);
 *  - the writer thread drains every ring into its file every 20 ms;
 *  - rec_finish() (main thread, on the call's end) closes the hook with
 *    a flag and an in-hook counter (both seq_cst: either the hook sees
 *    the flag or rec_finish sees it inside), takes what is left, writes
 *    the RIFF sizes and closes the file before the event is printed.
 * The mutex of a slot is shared by the writer and the main thread only,
 * never taken on the media thread.
 *
 * Owns: the recorders (one per line) and the writer thread.
 * Thread: hook on the media thread; writer thread; the rest main.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "sipline/error.h"
#include "sipline/media.h"

enum {
	RING_SAMPLES = 1 << 16,  /* 4 s at 16 kHz, 1.3 s at 48 kHz: far more
				  * than the writer's 20 ms period */
	WRITE_PERIOD_MS = 20,
	CHUNK = 2048,            /* samples converted per fwrite */
	WAV_HEADER = 44
};

struct rec {
	/* shared with the hook (media thread) */
	atomic_int open;
	atomic_int busy;          /* hooks running now */
	atomic_int session;
	atomic_uint rate;         /* of the first frame; 0 until then */
	atomic_size_t head;       /* written by the hook */
	atomic_size_t tail;       /* written by the drainer */
	atomic_ulong dropped;     /* ring full or another rate */
	int16_t *ring;            /* RING_SAMPLES */

	/* writer and main thread, under @lock */
	pthread_mutex_t lock;
	FILE *f;
	int failed;               /* a write error: logged once */
	unsigned long written;    /* samples in the file */
	char path[256];
};

static struct rec *recs;
static unsigned n_recs;
static pthread_t writer;
static int writer_on;
static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcond = PTHREAD_COND_INITIALIZER;
static int wstop;

/* The media thread's hook: never blocks, never allocates. */
static void on_audio(void *arg, int session, unsigned dir,
		     const int16_t *pcm, size_t n, unsigned rate)
{
	struct rec *r = arg;
	unsigned want = 0;
	size_t head, tail, room;

	if (dir != SL_DIR_RECEIVED || !n)
		return;
	atomic_fetch_add(&r->busy, 1);
	if (!atomic_load(&r->open) || atomic_load(&r->session) != session)
		goto out;
	if (!atomic_compare_exchange_strong(&r->rate, &want, rate) &&
	    want != rate) {
		/* A re-INVITE changed the codec's rate: a WAV file has one
		 * rate, the first one stays. */
		atomic_fetch_add(&r->dropped, n);
		goto out;
	}
	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	room = RING_SAMPLES - (head - tail);
	if (n > room) {
		atomic_fetch_add(&r->dropped, n - room);
		n = room;
	}
	for (size_t i = 0; i < n; i++)
		r->ring[(head + i) & (RING_SAMPLES - 1)] = pcm[i];
	atomic_store_explicit(&r->head, head + n, memory_order_release);
out:
	atomic_fetch_sub(&r->busy, 1);
}

static void put_le16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)(v >> 8);
}

static void put_le32(unsigned char *p, unsigned long v)
{
	p[0] = (unsigned char)(v & 0xff);
	p[1] = (unsigned char)((v >> 8) & 0xff);
	p[2] = (unsigned char)((v >> 16) & 0xff);
	p[3] = (unsigned char)((v >> 24) & 0xff);
}

/* Writes what the ring holds to the file. Caller holds r->lock. */
static void drain(struct rec *r)
{
	unsigned char buf[CHUNK * 2];
	size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	while (tail != head) {
		size_t n = head - tail;

		if (n > CHUNK)
			n = CHUNK;
		for (size_t i = 0; i < n; i++) {
			int16_t s = r->ring[(tail + i) & (RING_SAMPLES - 1)];

			put_le16(buf + 2 * i, (unsigned)(uint16_t)s);
		}
		if (r->f && !r->failed) {
			if (fwrite(buf, 2, n, r->f) != n) {
				r->failed = 1;
				fprintf(stderr, AGENT_NAME ": %s: %s\n",
					r->path, strerror(errno));
			} else {
				r->written += n;
			}
		}
		tail += n;
		atomic_store_explicit(&r->tail, tail, memory_order_release);
	}
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wlock);
	while (!wstop) {
		struct timespec ts;

		pthread_mutex_unlock(&wlock);
		for (unsigned i = 0; i < n_recs; i++) {
			pthread_mutex_lock(&recs[i].lock);
			if (recs[i].f)
				drain(&recs[i]);
			pthread_mutex_unlock(&recs[i].lock);
		}
		pthread_mutex_lock(&wlock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += WRITE_PERIOD_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!wstop)
			pthread_cond_timedwait(&wcond, &wlock, &ts);
	}
	pthread_mutex_unlock(&wlock);
	return NULL;
}

int rec_init(unsigned max_lines)
{
	recs = calloc(max_lines, sizeof(*recs));
	if (!recs) {
		fprintf(stderr, AGENT_NAME ": out of memory\n");
		return -1;
	}
	n_recs = max_lines;
	for (unsigned i = 0; i < n_recs; i++)
		pthread_mutex_init(&recs[i].lock, NULL);
	if (pthread_create(&writer, NULL, writer_main, NULL) != 0) {
		fprintf(stderr, AGENT_NAME ": cannot start the recorder\n");
		return -1;
	}
	writer_on = 1;
	return 0;
}

int rec_busy(const char *path)
{
	for (unsigned i = 0; i < n_recs; i++) {
		int on;

		pthread_mutex_lock(&recs[i].lock);
		on = recs[i].f && !strcmp(recs[i].path, path);
		pthread_mutex_unlock(&recs[i].lock);
		if (on)
			return 1;
	}
	return 0;
}

int rec_attach(struct sl_ua *ua, unsigned line, int session,
	       const char *path)
{
	static const unsigned char zero[WAV_HEADER];
	struct rec *r;
	FILE *f;
	int rc;

	if (line >= n_recs)
		return -1;
	r = &recs[line];
	if (!r->ring) {
		r->ring = malloc(RING_SAMPLES * sizeof(int16_t));
		if (!r->ring) {
			emit_error(session, "record", "out of memory");
			return -1;
		}
	}
	f = fopen(path, "wb");
	if (!f) {
		emit_error(session, "record", strerror(errno));
		return -1;
	}
	/* The header is written with its sizes when the call ends. */
	if (fwrite(zero, 1, sizeof(zero), f) != sizeof(zero)) {
		emit_error(session, "record", strerror(errno));
		fclose(f);
		return -1;
	}
	pthread_mutex_lock(&r->lock);
	r->f = f;
	r->failed = 0;
	r->written = 0;
	snprintf(r->path, sizeof(r->path), "%s", path);
	/* The hook is closed (open 0, busy 0): nothing touches the ring. */
	atomic_store(&r->head, 0);
	atomic_store(&r->tail, 0);
	atomic_store(&r->rate, 0);
	atomic_store(&r->dropped, 0);
	atomic_store(&r->session, session);
	atomic_store(&r->open, 1);
	pthread_mutex_unlock(&r->lock);
	rc = sl_call_set_audio_cb(ua, session, SL_DIR_RECEIVED, on_audio, r);
	if (rc < 0) {
		emit_error(session, "record", sl_strerror(rc));
		rec_finish(line, NULL, 0, NULL);
		return -1;
	}
	return 0;
}

/* RIFF/WAVE header for @samples of 16-bit mono at @rate. */
static int write_header(FILE *f, unsigned rate, unsigned long samples)
{
	unsigned char h[WAV_HEADER];
	unsigned long data = samples * 2;

	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + data);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);
	put_le16(h + 20, 1);              /* PCM */
	put_le16(h + 22, 1);              /* mono */
	put_le32(h + 24, rate);
	put_le32(h + 28, rate * 2ul);
	put_le16(h + 32, 2);
	put_le16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data);
	if (fseek(f, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof(h), f) !=
	    sizeof(h))
		return -1;
	return 0;
}

long rec_finish(unsigned line, char *path_out, size_t cap,
		unsigned *rate_out)
{
	struct rec *r;
	struct timespec pause = { 0, 100000 };
	unsigned rate;
	long n;

	if (line >= n_recs)
		return -1;
	r = &recs[line];
	pthread_mutex_lock(&r->lock);
	if (!r->f) {
		pthread_mutex_unlock(&r->lock);
		return -1;
	}
	pthread_mutex_unlock(&r->lock);
	atomic_store(&r->open, 0);
	/* A hook that saw the recorder open finishes its frame (a copy of
	 * at most a few ms of audio); bounded at one second all the same. */
	for (int i = 0; i < 10000 && atomic_load(&r->busy); i++)
		nanosleep(&pause, NULL);
	pthread_mutex_lock(&r->lock);
	drain(r);
	rate = atomic_load(&r->rate);
	if (!rate)
		rate = 8000;    /* nothing arrived: an empty file */
	if (!r->failed && write_header(r->f, rate, r->written) < 0) {
		r->failed = 1;
		fprintf(stderr, AGENT_NAME ": %s: %s\n", r->path,
			strerror(errno));
	}
	if (fclose(r->f) != 0 && !r->failed) {
		r->failed = 1;
		fprintf(stderr, AGENT_NAME ": %s: %s\n", r->path,
			strerror(errno));
	}
	r->f = NULL;
	n = r->failed ? -1 : (long)r->written;
	if (path_out && cap)
		snprintf(path_out, cap, "%s", r->path);
	if (rate_out)
		*rate_out = rate;
	pthread_mutex_unlock(&r->lock);
	if (atomic_load(&r->dropped))
		fprintf(stderr, AGENT_NAME ": %s: %lu samples not recorded "
			"(ring full or rate changed)\n", r->path,
			atomic_load(&r->dropped));
	return n;
}

void rec_shutdown(void)
{
	if (writer_on) {
		pthread_mutex_lock(&wlock);
		wstop = 1;
		pthread_cond_signal(&wcond);
		pthread_mutex_unlock(&wlock);
		pthread_join(writer, NULL);
		writer_on = 0;
	}
	for (unsigned i = 0; i < n_recs; i++) {
		if (recs[i].f)
			rec_finish(i, NULL, 0, NULL);
		free(recs[i].ring);
		pthread_mutex_destroy(&recs[i].lock);
	}
	free(recs);
	recs = NULL;
	n_recs = 0;
}
