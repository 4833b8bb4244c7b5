/*
 * lib/media/worker.c: the body of a media thread - one epoll over its
 * command eventfd, its frame timerfd and the sockets of the streams it
 * runs; commands from the SIP loop; the per-frame tick.
 *
 * A tick on thread 0 is: read the device's capture frames and hand them
 * to every stream (sl__mix_capture), run the thread's own streams
 * (encode and send what arrived, decode enough to keep their playback
 * ring full, timers), then mix one frame per playback slot the device
 * freed (sl__mix_playback). Other threads run only the middle part, on
 * their own tick and whenever thread 0 wakes them with fresh capture.
 *
 * Owns: the thread's owned-stream list and scratch buffers.
 * Thread: the media thread itself.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "core/log.h"
#include "media/engine_int.h"

enum { MAX_EVENTS = 64 };

/* The thread's own record of its slots: once a slot is handed back,
 * another thread may be starting a new stream in it, so nothing here
 * may look at the slot itself to decide whether it is ours. */
static void own(struct sl_mthread *t, int slot)
{
	if (t->mine[slot])
		return;
	t->mine[slot] = 1;
	t->owned[t->n_owned++] = slot;
}

static void disown(struct sl_mthread *t, int slot)
{
	if (!t->mine[slot])
		return;
	t->mine[slot] = 0;
	for (unsigned i = 0; i < t->n_owned; i++)
		if (t->owned[i] == slot) {
			t->owned[i] = t->owned[--t->n_owned];
			return;
		}
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

/* The streams' audio work; @timers adds the once-per-frame duties. */
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

static void wake_others(struct sl_mthread *t0)
{
	struct sl_media_engine *e = t0->eng;
	uint64_t one = 1;

	for (unsigned i = 1; i < e->n_threads; i++) {
		ssize_t w = write(e->thr[i].cmdfd, &one, sizeof(one));

		(void)w;
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
}

void *sl__me_thread_main(void *arg)
{
	struct sl_mthread *t = arg;
	struct sl_media_engine *e = t->eng;
	struct epoll_event evs[MAX_EVENTS];
	char name[16] = "sl-media0";

	name[8] = (char)('0' + t->index % 10);
	pthread_setname_np(pthread_self(), name);
	while (!atomic_load_explicit(&t->quit, memory_order_acquire)) {
		int n = epoll_wait(t->epfd, evs, MAX_EVENTS, -1);
		int tick = 0, woken = 0;
		uint64_t now;

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
				(void)r;
				tick = 1;
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
		if (tick && t->index == 0) {
			sl__mix_capture(t);
			if (e->n_threads > 1)
				wake_others(t);
		}
		if (tick || woken)
			run_streams(t, now, tick);
		if (tick && t->index == 0)
			sl__mix_playback(t);
	}
	quit_streams(t);
	return NULL;
}
