/*
 * lib/media/engine.c: the media engine's life - creation (every pool, the
 * audio device, the media threads), destruction, the event side of the
 * engine <-> SIP loop contract (event rings drained on the loop), and the
 * engine-wide controls (mute, volume, loopback, the "app" feed and the
 * test-only receive loss).
 *
 * Owns: struct sl_media_engine and everything hanging from it: stream
 * slots with their codec state blocks, jitter buffer blocks and PCM
 * rings; per thread the command and event rings, epoll, eventfd and
 * timerfd; the audio port and device.
 * Thread: SIP loop (the creator), except sl__me_event() and sl__me_emit()
 * (media threads) and sl__media_engine_feed() (one application thread).
 * Called by: lib/ua; the media threads (lib/media/worker.c) for events.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "media/engine_int.h"
#include "sipline/error.h"

/* Jitter buffer blocks are sized once for the most demanding stream a
 * slot may carry: the highest clock and the shortest packets. */
static const uint32_t jb_clocks[] = { 8000, 16000, 44100, 48000 };
static const unsigned jb_ptimes[] = { 10, 20, 30, 60 };

/* Gives a slot back once its media thread let go of it (SL_MEV_STOPPED
 * drained, or the threads joined). Loop thread. */
static void slot_release(struct sl_mstream *s)
{
	sl__me_drop_set(s, 0);
	sl__me_drop_set(s, 1);
	s->l.state = SL_ME_FREE;
	atomic_store_explicit(&s->id, -1, memory_order_release);
}

int sl__me_event(struct sl_mthread *thr, const struct sl_me_ev *ev)
{
	uint64_t one = 1;
	ssize_t w;

	if (!sl__spsc_push(&thr->ev, ev)) {
		atomic_fetch_add_explicit(&thr->ev_dropped, 1,
					  memory_order_relaxed);
		return 0;
	}
	/* An eventfd write only fails when the counter would overflow,
	 * in which case the loop has a wake-up pending anyway. */
	w = write(thr->eng->evfd, &one, sizeof(one));
	(void)w;
	return 1;
}

void sl__me_emit(struct sl_mstream *s, enum sl_media_ev_type type,
		 char digit, unsigned duration_ms)
{
	struct sl_me_ev e;

	memset(&e, 0, sizeof(e));
	e.slot = s->idx;
	e.ev.type = type;
	e.ev.session = s->p.session;
	e.ev.stream = s->sid;
	e.ev.digit = digit;
	e.ev.duration_ms = duration_ms;
	sl__ms_stats_fill(s, &e.ev.stats, sl__me_now_us());
	sl__me_event(s->thr, &e);
}

/* Fills in defaults and checks ranges. Return: 0 or SL_EINVAL. */
static int resolve_cfg(struct sl_media_config *c)
{
	if (c->jb_min_ms == 0)
		c->jb_min_ms = 20;
	if (c->jb_max_ms == 0)
		c->jb_max_ms = 200;
	if (c->device_frame_ms == 0)
		c->device_frame_ms = 10;
	if (c->media_threads == 0)
		c->media_threads = 1;
	if (c->dtmf_duration_ms == 0)
		c->dtmf_duration_ms = 100;
	if (c->jb_min_ms > c->jb_max_ms || c->jb_max_ms > 5000 ||
	    (c->device_frame_ms != 5 && c->device_frame_ms != 10 &&
	     c->device_frame_ms != 20) ||
	    c->media_threads > SL_ME_MAX_THREADS ||
	    c->audio_dscp < -1 || c->audio_dscp > 63 ||
	    c->keepalive_pt > 127 ||
	    (c->device_rate && (c->device_rate < 8000 ||
				c->device_rate > SL_ME_MAX_RATE)))
		return SL_EINVAL;
	c->capture_dev[sizeof(c->capture_dev) - 1] = 0;
	c->playback_dev[sizeof(c->playback_dev) - 1] = 0;
	c->audio_driver[sizeof(c->audio_driver) - 1] = 0;
	return 0;
}

static size_t codec_state_max(void)
{
	const struct sl_codec *list[SL_CODEC_MAX];
	size_t n = sl_codec_list(list, SL_CODEC_MAX), max = 0;

	if (n > SL_CODEC_MAX)
		n = SL_CODEC_MAX;
	for (size_t i = 0; i < n; i++)
		if (list[i]->state_size > max)
			max = list[i]->state_size;
	return max;
}

static int size_jbuf(struct sl_media_engine *e)
{
	struct sl_jbuf_config jc;

	/* sl__jbuf_init() wants max_ms / ptime + 4 slots; 10 ms packets
	 * are the worst case, and a few more ride out reordering. */
	e->jb_slots = e->cfg.jb_max_ms / 10 + 8;
	e->jb_size = 0;
	for (size_t i = 0; i < sizeof(jb_clocks) / sizeof(jb_clocks[0]); i++)
		for (size_t j = 0;
		     j < sizeof(jb_ptimes) / sizeof(jb_ptimes[0]); j++) {
			size_t z;

			jc = (struct sl_jbuf_config){
				.clock_rate = jb_clocks[i],
				.ptime_ms = jb_ptimes[j],
				.min_ms = e->cfg.jb_min_ms,
				.max_ms = e->cfg.jb_max_ms,
				.slots = e->jb_slots,
				.max_payload = SL_ME_MAX_PAYLOAD
			};
			z = sl__jbuf_size(&jc);
			if (z > e->jb_size)
				e->jb_size = z;
		}
	return e->jb_size ? 0 : SL_EINVAL;
}

static int alloc_slots(struct sl_media_engine *e)
{
	size_t ring_bytes = e->frame_elem * SL_ME_PCM_FRAMES;

	e->streams = sl__calloc(e->max_streams, sizeof(*e->streams));
	e->mix_gen = sl__calloc(e->max_streams, sizeof(*e->mix_gen));
	if (!e->streams || !e->mix_gen)
		return SL_ENOMEM;
	for (unsigned i = 0; i < e->max_streams; i++) {
		struct sl_mstream *s = &e->streams[i];
		void *cap, *play;

		s->idx = (int)i;
		atomic_init(&s->id, -1);
		atomic_init(&s->act, 0);
		atomic_init(&s->dtmf_pending, 0);
		atomic_init(&e->mix_gen[i], 0);
		atomic_init(&s->pub.seq, 0);
		for (size_t w = 0; w < SL_ME_STATS_WORDS; w++)
			atomic_init(&s->pub.w[w], 0);
		if (e->codec_state_max) {
			s->codec_mem[0] = sl__calloc(1, e->codec_state_max);
			s->codec_mem[1] = sl__calloc(1, e->codec_state_max);
			if (!s->codec_mem[0] || !s->codec_mem[1])
				return SL_ENOMEM;
		}
		s->jb_mem = sl__calloc(1, e->jb_size);
		cap = sl__calloc(1, ring_bytes);
		play = sl__calloc(1, ring_bytes);
		if (!s->jb_mem || !cap || !play) {
			sl__free(cap);
			sl__free(play);
			return SL_ENOMEM;
		}
		sl__spsc_init(&s->cap_ring, cap, SL_ME_PCM_FRAMES,
			      e->frame_elem);
		sl__spsc_init(&s->play_ring, play, SL_ME_PCM_FRAMES,
			      e->frame_elem);
	}
	return 0;
}

static void free_slots(struct sl_media_engine *e)
{
	if (!e->streams)
		return;
	for (unsigned i = 0; i < e->max_streams; i++) {
		struct sl_mstream *s = &e->streams[i];

		if (s->l.state != SL_ME_FREE)
			slot_release(s);
		sl__free(s->codec_mem[0]);
		sl__free(s->codec_mem[1]);
		sl__free(s->jb_mem);
		sl__free(s->cap_ring.mem);
		sl__free(s->play_ring.mem);
	}
	sl__free(e->streams);
	e->streams = NULL;
}

static int thread_init(struct sl_media_engine *e, struct sl_mthread *t,
		       unsigned index)
{
	struct epoll_event ev;
	struct itimerspec its;
	long ns = (long)e->frame_ms * 1000000L;

	t->eng = e;
	t->index = index;
	t->epfd = -1;
	t->cmdfd = -1;
	t->timerfd = -1;
	atomic_init(&t->quit, 0);
	atomic_init(&t->n_streams, 0);
	atomic_init(&t->ev_dropped, 0);
	t->cmd_mem = sl__calloc(SL_ME_CMD_CAP, sizeof(struct sl_me_cmd));
	t->ev_mem = sl__calloc(SL_ME_EV_CAP, sizeof(struct sl_me_ev));
	t->owned = sl__calloc(e->max_streams, sizeof(int));
	t->mine = sl__calloc(e->max_streams, 1);
	t->frame = sl__calloc(1, e->frame_elem);
	/* Thread 0 mixes the other threads' streams: a list of them. */
	if (index == 0 && e->n_threads > 1)
		t->foreign = sl__calloc(e->max_streams, sizeof(int));
	if (!t->cmd_mem || !t->ev_mem || !t->owned || !t->mine || !t->frame ||
	    (index == 0 && e->n_threads > 1 && !t->foreign))
		return SL_ENOMEM;
	sl__spsc_init(&t->cmd, t->cmd_mem, SL_ME_CMD_CAP,
		      sizeof(struct sl_me_cmd));
	sl__spsc_init(&t->ev, t->ev_mem, SL_ME_EV_CAP,
		      sizeof(struct sl_me_ev));
	t->epfd = epoll_create1(EPOLL_CLOEXEC);
	t->cmdfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	t->timerfd = timerfd_create(CLOCK_MONOTONIC,
				    TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->epfd < 0 || t->cmdfd < 0 || t->timerfd < 0)
		return SL_ENOMEM;
	/* One tick per device frame: thread 0 mixes at the device's pace
	 * and every thread's timers (RTCP, keep-alive, timeout) have a
	 * frame's resolution. The other threads arm theirs while they run
	 * streams (worker.c): idle, they sleep. */
	memset(&its, 0, sizeof(its));
	its.it_interval.tv_sec = ns / 1000000000L;
	its.it_interval.tv_nsec = ns % 1000000000L;
	its.it_value = its.it_interval;
	if (index == 0 && timerfd_settime(t->timerfd, 0, &its, NULL) < 0)
		return SL_EIO;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.u64 = SL_ME_TAG_CMD;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->cmdfd, &ev) < 0)
		return SL_EIO;
	ev.data.u64 = SL_ME_TAG_TIMER;
	if (epoll_ctl(t->epfd, EPOLL_CTL_ADD, t->timerfd, &ev) < 0)
		return SL_EIO;
	return 0;
}

static void thread_fini(struct sl_mthread *t)
{
	if (t->epfd >= 0)
		close(t->epfd);
	if (t->cmdfd >= 0)
		close(t->cmdfd);
	if (t->timerfd >= 0)
		close(t->timerfd);
	sl__free(t->cmd_mem);
	sl__free(t->ev_mem);
	sl__free(t->owned);
	sl__free(t->mine);
	sl__free(t->frame);
	sl__free(t->foreign);
}

static void stop_threads(struct sl_media_engine *e)
{
	uint64_t one = 1;

	if (!e->thr)
		return;
	for (unsigned i = 0; i < e->n_threads; i++) {
		struct sl_mthread *t = &e->thr[i];
		ssize_t w;

		if (!t->started)
			continue;
		atomic_store_explicit(&t->quit, 1, memory_order_release);
		w = write(t->cmdfd, &one, sizeof(one));
		(void)w;
	}
	for (unsigned i = 0; i < e->n_threads; i++) {
		if (!e->thr[i].started)
			continue;
		pthread_join(e->thr[i].tid, NULL);
		e->thr[i].started = 0;
	}
}

static void engine_free(struct sl_media_engine *e)
{
	stop_threads(e);
	if (e->dev && e->drv && e->drv->close)
		e->drv->close(e->dev);
	e->dev = NULL;
	sl__audio_port_destroy(e->port);
	free_slots(e);
	sl__free(e->mix_gen);
	if (e->thr) {
		for (unsigned i = 0; i < e->n_threads; i++)
			thread_fini(&e->thr[i]);
		sl__free(e->thr);
	}
	if (e->evfd >= 0)
		close(e->evfd);
	sl__free(e);
}

static int open_device(struct sl_media_engine *e)
{
	struct sl_audio_dev_config dc;
	int rc;

	memset(&dc, 0, sizeof(dc));
	dc.capture = e->cfg.capture_dev;
	dc.playback = e->cfg.playback_dev;
	dc.rate = e->dev_rate;
	dc.frame_ms = e->frame_ms;
	dc.loop = e->cfg.play_loop;
	rc = e->drv->open(&dc, e->port, &e->dev);
	if (rc < 0) {
		e->dev = NULL;
		sl_log_warn("media", "audio device %s/%s (%s): %s",
			    e->cfg.capture_dev, e->cfg.playback_dev,
			    e->drv->name, sl_strerror(rc));
		return rc;
	}
	return 0;
}

int sl__media_engine_create(const struct sl_media_config *cfg,
			    unsigned max_streams,
			    struct sl_media_engine **out)
{
	struct sl_media_engine *e;
	int rc;

	if (!cfg || !out || max_streams == 0 || max_streams > 4096)
		return SL_EINVAL;
	*out = NULL;
	e = sl__calloc(1, sizeof(*e));
	if (!e)
		return SL_ENOMEM;
	e->evfd = -1;
	e->cfg = *cfg;
	rc = resolve_cfg(&e->cfg);
	if (rc < 0)
		goto fail;
	e->drv = sl__audio_driver_find(e->cfg.audio_driver);
	if (!e->drv || !e->drv->open) {
		rc = SL_ENOTFOUND;
		goto fail;
	}
	e->max_streams = max_streams;
	e->n_threads = e->cfg.media_threads;
	e->frame_ms = e->cfg.device_frame_ms;
	e->dev_rate = e->cfg.device_rate ? e->cfg.device_rate :
		      sl__audio_driver_default_rate(e->drv);
	e->app_capture = strcmp(e->cfg.capture_dev, "app") == 0;
	e->mic_vol = SL_AUDIO_VOL_UNITY;
	e->spk_vol = SL_AUDIO_VOL_UNITY;
	atomic_init(&e->loopback, 0);
	atomic_init(&e->loss_permille, 0);
	atomic_init(&e->loss_seed, 0);
	atomic_init(&e->loss_epoch, 0);
	if (e->dev_rate < 8000 || e->dev_rate > 48000 ||
	    (e->dev_rate * e->frame_ms) % 1000 != 0) {
		rc = SL_EINVAL;         /* a rate the frame cannot split */
		goto fail;
	}
	/* The arguments are valid now, so only memory can fail. */
	e->port = sl__audio_port_create(e->dev_rate, e->frame_ms, 0);
	if (!e->port) {
		rc = SL_ENOMEM;
		goto fail;
	}
	e->dev_frame = sl__audio_port_frame(e->port);
	if (e->dev_frame == 0 || e->dev_frame > SL_ME_MAX_DEV_FRAME) {
		rc = SL_EINVAL;
		goto fail;
	}
	e->frame_elem = sizeof(struct sl_me_frame_hdr) +
			e->dev_frame * sizeof(int16_t);
	e->codec_state_max = codec_state_max();
	rc = size_jbuf(e);
	if (rc < 0)
		goto fail;
	rc = alloc_slots(e);
	if (rc < 0)
		goto fail;
	e->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	e->thr = sl__calloc(e->n_threads, sizeof(*e->thr));
	if (e->evfd < 0 || !e->thr) {
		rc = SL_ENOMEM;
		goto fail;
	}
	/* Every thread's descriptors read "none" before any is made, so
	 * a failure half way closes only what exists. */
	for (unsigned i = 0; i < e->n_threads; i++) {
		e->thr[i].epfd = -1;
		e->thr[i].cmdfd = -1;
		e->thr[i].timerfd = -1;
	}
	for (unsigned i = 0; i < e->n_threads; i++) {
		rc = thread_init(e, &e->thr[i], i);
		if (rc < 0)
			goto fail;
	}
	if (getrandom(&e->port_next, sizeof(e->port_next), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(e->port_next))
		e->port_next = (uint32_t)sl__me_now_us();
	sl__audio_port_set_gain(e->port, e->mic_vol, e->spk_vol, 0);
	rc = open_device(e);
	if (rc < 0)
		goto fail;
	for (unsigned i = 0; i < e->n_threads; i++) {
		if (pthread_create(&e->thr[i].tid, NULL, sl__me_thread_main,
				   &e->thr[i]) != 0) {
			rc = SL_ENOMEM;
			goto fail;
		}
		e->thr[i].started = 1;
	}
	*out = e;
	return 0;
fail:
	engine_free(e);
	return rc;
}

void sl__media_engine_destroy(struct sl_media_engine *eng)
{
	if (!eng)
		return;
	/* The threads send every running stream's RTCP BYE and close its
	 * sockets as they leave (worker.c); then nobody but us touches the
	 * slots, whatever events are still queued. */
	engine_free(eng);
}

int sl__media_engine_event_fd(struct sl_media_engine *eng)
{
	return eng ? eng->evfd : SL_EINVAL;
}

void sl__media_engine_drain(struct sl_media_engine *eng,
			    void (*cb)(void *arg,
				       const struct sl_media_ev *ev),
			    void *arg)
{
	struct sl_me_ev e;
	uint64_t v;
	ssize_t r;

	if (!eng)
		return;
	/* Reset the counter first: an event queued after this read wakes
	 * the loop again, so none is left behind. */
	r = read(eng->evfd, &v, sizeof(v));
	(void)r;
	for (unsigned i = 0; i < eng->n_threads; i++) {
		struct sl_mthread *t = &eng->thr[i];

		while (sl__spsc_pop(&t->ev, &e)) {
			/* Free the slot before the callback, which may
			 * well start the next stream in it. */
			if (e.ev.type == SL_MEV_STOPPED && e.slot >= 0 &&
			    (unsigned)e.slot < eng->max_streams)
				slot_release(&eng->streams[e.slot]);
			if (cb)
				cb(arg, &e.ev);
		}
	}
}

int sl__media_engine_control(struct sl_media_engine *eng,
			     enum sl_media_global what, uint32_t a,
			     uint32_t b)
{
	if (!eng)
		return SL_EINVAL;
	switch (what) {
	case SL_MG_MUTE:
		if (a & ~(uint32_t)(SL_MUTE_IN | SL_MUTE_OUT))
			return SL_EINVAL;
		eng->mute = a;
		break;
	case SL_MG_VOLUME:
		if (a > 255 || b > 255)
			return SL_EINVAL;
		eng->mic_vol = a;
		eng->spk_vol = b;
		break;
	case SL_MG_LOOPBACK:
		if (a > 1)
			return SL_EINVAL;
		atomic_store_explicit(&eng->loopback, (int)a,
				      memory_order_relaxed);
		return 0;
	default:
		return SL_EINVAL;
	}
	/* SL_MUTE_IN (speaker) and SL_MUTE_OUT (mic) have the values of
	 * SL_AUDIO_MUTE_SPK and SL_AUDIO_MUTE_MIC. */
	sl__audio_port_set_gain(eng->port, eng->mic_vol, eng->spk_vol,
				eng->mute);
	return 0;
}

int sl__media_engine_feed(struct sl_media_engine *eng, const int16_t *pcm,
			  size_t n, unsigned rate)
{
	if (!eng || (!pcm && n))
		return SL_EINVAL;
	if (!eng->app_capture)
		return SL_ESTATE;
	return sl__audio_port_feed(eng->port, pcm, n, rate);
}

int sl__media_engine_rx_loss(struct sl_media_engine *eng, unsigned permille,
			     uint32_t seed)
{
	if (!eng || permille > 1000)
		return SL_EINVAL;
	atomic_store_explicit(&eng->loss_seed, seed, memory_order_relaxed);
	atomic_store_explicit(&eng->loss_permille, permille,
			      memory_order_relaxed);
	/* The epoch makes each stream reseed its generator once, so a run
	 * with the same seed drops the same packets. */
	atomic_fetch_add_explicit(&eng->loss_epoch, 1, memory_order_release);
	return 0;
}
