/*
 * lib/media/worker.c: the body of a media thread - one epoll over its
 * command eventfd, its frame timerfd and the sockets of the streams it
 * runs; commands from the SIP loop; the per-frame tick.
 *
 * A tick on thread 0 is one mixer pass (lib/media/mix.c): read the
 * device's capture frames (handing copies to other threads' streams and
 * waking those threads), run each of its own streams once - encode and
 * send what the capture made, decode its next playback frames into the
 * mix, timers - and write the mix to the device. When ticks came late
 * (the timerfd counted more than one expiration, or the device ran dry)
 * further passes catch up, a bounded number per wake-up. Other threads
 * run their streams from the rings, on their own tick and whenever
 * thread 0 wakes them with fresh capture.
 *
 * Ticks follow the timerfd, and its expiration count: more than one
 * means ticks came late, which thread 0's passes catch up. Its readiness
 * can queue behind every socket that is ready (level-triggered epoll
 * reports them in turn, a batch at a time), so after each batch the
 * clock is checked too and ticks when the timer is half a frame overdue
 * (tick_due()).
 *
 * A socket is read one datagram per readiness report: epoll is level-
 * triggered, so a socket that holds more is reported again by the next
 * epoll_wait(), and the common case (one packet waiting) costs one
 * recvfrom() instead of a second one that only says EAGAIN.
 *
 * Threads other than 0 arm their timer only while they run streams;
 * thread 0 ticks always (the device needs feeding).
 *
 * Owns: the thread's owned-stream list and scratch buffers.
 * Thread: the media thread itself.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/log.h"
#include "media/engine_int.h"

enum {
	MAX_EVENTS = 256,
	MAX_PASSES = 8          /* mixer passes per tick (catching up) */
};

/* A thread other than 0 ticks only while it runs streams: the device
 * is thread 0's, so an idle thread has nothing to do each frame. */
static void arm_timer(struct sl_mthread *t, int on)
{
	long ns = (long)t->eng->frame_ms * 1000000L;
	struct itimerspec its;

	memset(&its, 0, sizeof(its));
	if (on) {
		its.it_interval.tv_sec = ns / 1000000000L;
		its.it_interval.tv_nsec = ns % 1000000000L;
		its.it_value = its.it_interval;
		t->next_tick_us = sl__me_now_us() +
				  (uint64_t)t->eng->frame_ms * 1000u;
	}
	if (timerfd_settime(t->timerfd, 0, &its, NULL) < 0)
		sl_log_warn("media", "thread %u: timer: %s", t->index,
			    strerror(errno));
}

/* Publishes how many streams the thread runs (thread 0 reads it). */
static void publish_count(struct sl_mthread *t)
{
	unsigned was = atomic_load_explicit(&t->n_streams,
					    memory_order_relaxed);

	atomic_store_explicit(&t->n_streams, t->n_owned,
			      memory_order_relaxed);
	if (t->index != 0 && (was == 0) != (t->n_owned == 0))
		arm_timer(t, t->n_owned != 0);
}

/* The thread's own record of its slots: once a slot is handed back,
 * another thread may be starting a new stream in it, so nothing here
 * may look at the slot itself to decide whether it is ours. */
static void own(struct sl_mthread *t, int slot)
{
	if (t->mine[slot])
		return;
	t->mine[slot] = 1;
	t->owned[t->n_owned++] = slot;
	publish_count(t);
}

static void disown(struct sl_mthread *t, int slot)
{
	if (!t->mine[slot])
		return;
	t->mine[slot] = 0;
	for (unsigned i = 0; i < t->n_owned; i++)
		if (t->owned[i] == slot) {
			t->owned[i] = t->owned[--t->n_owned];
			break;
		}
	publish_count(t);
}

static void watch(struct sl_mthread *t, int fd, int slot, int tag)
{
	struct epoll_event ev;

	if (fd < 0)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = ((uint64_t)slot << 2) | (uint64_t)tag;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		sl_log_warn("media", "epoll add fd %d: %s", fd,
			    strerror(errno));
}

/* Queues SL_MEV_STOPPED for a stopped stream. After a successful push
 * the loop may reuse the slot at once, so it is disowned first and not
 * touched afterwards. Return: 1 queued, 0 ring full (retried next
 * tick). */
static int finish_stop(struct sl_mthread *t, struct sl_mstream *s)
{
	struct sl_me_ev e;

	memset(&e, 0, sizeof(e));
	e.slot = s->idx;
	e.ev.type = SL_MEV_STOPPED;
	e.ev.session = s->p.session;
	e.ev.stream = s->sid;
	sl__ms_stats_fill(s, &e.ev.stats, sl__me_now_us());
	s->stop_pending = 0;
	disown(t, s->idx);
	if (sl__me_event(t, &e))
		return 1;
	s->stop_pending = 1;
	own(t, s->idx);
	return 0;
}

static void do_ctl(struct sl_mstream *s, const struct sl_me_cmd *c)
{
	switch (c->ctl) {
	case SL_MCTL_MUTE:
		s->mute = c->a;
		break;
	case SL_MCTL_SCALING:
		s->scale_in = c->a;
		s->scale_out = c->b;
		break;
	case SL_MCTL_BITRATE:
		if (s->codec->set_bitrate &&
		    s->codec->set_bitrate(s->cst, c->a) < 0)
			sl_log_info("media", "stream %d: bitrate %u refused",
				    s->sid, (unsigned)c->a);
		break;
	case SL_MCTL_AUDIO_CB:
		/* A function pointer travels as void (*)(void) through the
		 * command; it was an sl_audio_frame_cb when it went in. */
		s->audio_cb = (sl_audio_frame_cb)c->fn;
		s->audio_arg = c->arg;
		s->audio_dirs = c->fn ? c->a : 0;
		break;
	case SL_MCTL_RTP_CB:
		s->rtp_cb = (sl_rtp_packet_cb)c->fn;
		s->rtp_arg = c->arg;
		s->rtp_dirs = c->fn ? c->a : 0;
		break;
	}
}

static void do_cmd(struct sl_mthread *t, const struct sl_me_cmd *c)
{
	struct sl_media_engine *e = t->eng;
	struct sl_mstream *s;

	if (c->slot < 0 || (unsigned)c->slot >= e->max_streams)
		return;
	s = &e->streams[c->slot];
	switch (c->type) {
	case SL_ME_CMD_START:
		sl__ms_start(t, s, c);
		own(t, s->idx);
		watch(t, s->p.rtp_fd, s->idx, SL_ME_TAG_RTP);
		if (!s->p.rtcp_mux)
			watch(t, s->p.rtcp_fd, s->idx, SL_ME_TAG_RTCP);
		break;
	case SL_ME_CMD_UPDATE:
		if (s->running)
			sl__ms_update(s, c);
		break;
	case SL_ME_CMD_STOP:
		if (!s->running)
			break;
		sl__ms_stop(s);
		finish_stop(t, s);
		break;
	case SL_ME_CMD_DTMF:
		if (!s->running || sl__ms_dtmf_queue(s, c->digit, c->a) < 0)
			atomic_fetch_sub_explicit(&s->dtmf_pending, 1,
						  memory_order_relaxed);
		break;
	case SL_ME_CMD_CTL:
		if (s->running)
			do_ctl(s, c);
		break;
	}
}

static void drain_cmds(struct sl_mthread *t)
{
	struct sl_me_cmd c;
	uint64_t v;
	ssize_t r;

	r = read(t->cmdfd, &v, sizeof(v));
	(void)r;
	/* Bounded by the ring's size: the loop cannot outrun us forever. */
	for (unsigned i = 0; i < SL_ME_CMD_CAP && sl__spsc_pop(&t->cmd, &c);
	     i++)
		do_cmd(t, &c);
}

/* The streams' audio work on a thread other than 0 (from the rings);
 * @timers adds the once-per-frame duties. */
static void run_streams(struct sl_mthread *t, uint64_t now, int timers)
{
	struct sl_media_engine *e = t->eng;

	/* Backwards: finish_stop() may remove the current entry. */
	for (unsigned i = t->n_owned; i-- > 0;) {
		struct sl_mstream *s = &e->streams[t->owned[i]];

		if (s->stop_pending) {
			finish_stop(t, s);
			continue;
		}
		if (!s->running)
			continue;
		sl__ms_capture(s, now);
		sl__ms_fill_play(s, now);
		if (timers)
			sl__ms_tick(s, now);
	}
}

/* Fresh capture frames are in the rings: threads with streams take
 * them now rather than at their next tick. An idle thread is left to
 * its own timer. */
static void wake_others(struct sl_mthread *t0)
{
	struct sl_media_engine *e = t0->eng;
	uint64_t one = 1;

	for (unsigned i = 1; i < e->n_threads; i++) {
		ssize_t w;

		if (!atomic_load_explicit(&e->thr[i].n_streams,
					  memory_order_relaxed))
			continue;
		w = write(e->thr[i].cmdfd, &one, sizeof(one));
		(void)w;
	}
}

/* Thread 0's tick: mixer passes until the device is fed (normally one),
 * each running every own stream once; the timers run in the first. */
static void tick0(struct sl_mthread *t, uint64_t now)
{
	struct sl_media_engine *e = t->eng;

	for (unsigned pass = 0; pass < MAX_PASSES; pass++) {
		int work = sl__mix_begin(t);

		if (pass == 0 && t->k_cap && e->n_threads > 1)
			wake_others(t);
		if (!work && pass > 0)
			break;
		/* Backwards: finish_stop() may remove the current entry. */
		for (unsigned i = t->n_owned; i-- > 0;) {
			struct sl_mstream *s = &e->streams[t->owned[i]];

			/* Whichever entries sit ahead: a stop that
			 * reorders them only costs a wasted hint. */
			if (i >= 2)
				sl__mix_prefetch(&e->streams[t->owned[i - 2]],
						 0);
			if (i >= 1)
				sl__mix_prefetch(&e->streams[t->owned[i - 1]],
						 1);
			if (s->stop_pending) {
				finish_stop(t, s);
				continue;
			}
			if (!s->running)
				continue;
			if (work)
				sl__mix_stream(t, s, now);
			if (pass == 0)
				sl__ms_tick(s, now);
		}
		sl__mix_end(t);
		if (!work)
			break;
	}
}

/* On the way out: every stream says BYE and closes its sockets; no
 * events, nobody is left to read them. */
static void quit_streams(struct sl_mthread *t)
{
	struct sl_media_engine *e = t->eng;

	for (unsigned i = 0; i < t->n_owned; i++) {
		struct sl_mstream *s = &e->streams[t->owned[i]];

		if (s->running)
			sl__ms_stop(s);
		s->stop_pending = 0;
		t->mine[t->owned[i]] = 0;
	}
	t->n_owned = 0;
	publish_count(t);
}

/*
 * Whether the frame tick is due at @now, given the timerfd's expiration
 * count @v read in this batch (0: none). Ticks keep the timer's phase:
 * the jitter buffers are read at each tick, so a wobbling tick would
 * look like network jitter. Only when the timer's readiness is stuck
 * behind ready sockets for more than half a frame does the clock tick
 * instead; the timer's count, read later, then includes those ticks and
 * is not served twice. Expirations beyond one are ticks that came late:
 * thread 0's passes catch up from the device's counters (playout keeps
 * the device's pace), and timers go by the time anyway.
 * Return: 1 to tick.
 */
static int tick_due(struct sl_mthread *t, uint64_t now, uint64_t v)
{
	uint64_t F = (uint64_t)t->eng->frame_ms * 1000u;
	int counted = t->index == 0 || t->n_owned;  /* an idle thread's
						       * timer is off */

	if (v) {
		uint64_t owed = v > t->clock_ticks ? v - t->clock_ticks : 0;

		t->clock_ticks = 0;
		t->next_tick_us = now + F;
		if (owed > 1 && counted)
			t->late_ticks += owed - 1;
		return owed > 0;
	}
	if (now < t->next_tick_us + F / 2)
		return 0;
	if (counted)
		t->clock_ticks++;
	if (now >= t->next_tick_us + 2 * F) {
		if (counted)
			t->late_ticks += (now - t->next_tick_us) / F - 1;
		t->next_tick_us = now + F;
	} else {
		t->next_tick_us += F;
	}
	return 1;
}

void *sl__me_thread_main(void *arg)
{
	struct sl_mthread *t = arg;
	struct sl_media_engine *e = t->eng;
	struct epoll_event evs[MAX_EVENTS];
	char name[16] = "sl-media0";

	name[8] = (char)('0' + t->index % 10);
	pthread_setname_np(pthread_self(), name);
	t->next_tick_us = sl__me_now_us() + (uint64_t)e->frame_ms * 1000u;
	while (!atomic_load_explicit(&t->quit, memory_order_acquire)) {
		int n = epoll_wait(t->epfd, evs, MAX_EVENTS, -1);
		int tick = 0, woken = 0;
		uint64_t now, expired = 0;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			sl_log_error("media", "epoll_wait: %s",
				     strerror(errno));
			break;
		}
		now = sl__me_now_us();
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			unsigned slot = (unsigned)(tag >> 2);
			struct sl_mstream *s;
			uint64_t v;
			ssize_t r;

			switch (tag & 3) {
			case SL_ME_TAG_CMD:
				drain_cmds(t);
				woken = 1;
				break;
			case SL_ME_TAG_TIMER:
				r = read(t->timerfd, &v, sizeof(v));
				if (r == (ssize_t)sizeof(v))
					expired += v;
				break;
			default:
				/* A stream stopped earlier in this batch
				 * has closed its sockets and may already
				 * belong to another thread. */
				if (slot >= e->max_streams || !t->mine[slot])
					break;
				s = &e->streams[slot];
				if (s->running)
					sl__ms_readable(s, (tag & 3) ==
						SL_ME_TAG_RTCP, now);
				break;
			}
		}
		if (atomic_load_explicit(&t->quit, memory_order_acquire))
			break;
		/* A command read the clock itself (a start sets the time of
		 * the last packet to it): the timers must not see a time
		 * before that. */
		if (woken)
			now = sl__me_now_us();
		tick = tick_due(t, now, expired);
		if (t->index == 0) {
			/* Thread 0's streams are run by the mixer; a
			 * command needs nothing more until the tick. */
			if (tick)
				tick0(t, now);
		} else if (tick || woken) {
			run_streams(t, now, tick);
		}
	}
	quit_streams(t);
	sl_log_debug("media", "thread %u: %llu frame ticks came late, %llu "
		     "device frames played as silence", t->index,
		     (unsigned long long)t->late_ticks,
		     (unsigned long long)t->skipped);
	return NULL;
}
