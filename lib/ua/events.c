/*
 * lib/ua/events.c: what the UA tells the application (sipline/event.h) -
 * the event queue shared by both delivery modes, its payload ring, the
 * callback-mode flush, queue-mode draining with its eventfd, the
 * SIP-message events (switchable per direction), and the event names.
 *
 * Owns: the event slots and the payload ring (allocated at creation from
 * event_queue, max_lines and max_msg_size), the queue-mode eventfd.
 * Thread: sl__ua_emit() and the flush on the loop thread; sl_ua_event_next()
 * and sl_ua_events_dropped() from any thread (marshalled onto the loop);
 * sl_ua_event_fd() from any thread.
 * Called by: every UA module that reports something (sl__ua_emit*());
 * ua.c for creation, destruction and the final flush.
 *
 * Why everything goes through the queue, callbacks included: an event is
 * raised deep inside the UA (a transaction callback, a send); running the
 * application's code there would let it change the very state the UA is
 * in the middle of updating. Events are copied and delivered from a
 * zero-delay timer instead, in order, after the code that raised them has
 * returned.
 *
 * Memory: slots are fixed; the strings, raw message and body of each
 * event go into one allocation of a byte ring, made in queue order, so a
 * ring frees from its tail as events are consumed. SIP-message events
 * have a ring of their own, so dropping the oldest of them always frees
 * the oldest bytes of that ring, and a burst of them can never take the
 * room of the other events (registration, calls), which also keep the
 * slots beyond @general for themselves (event.h). An important event that
 * does not fit is delivered without its raw message (counted), and only
 * dropped (counted and logged) when the application has stopped draining
 * altogether.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ua_int.h"
#include "core/log.h"
#include "core/mem.h"

enum {
	HDR = 8,                       /* ring allocation header */
	NONE = -1
};

#define NO_OFF ((size_t)-1)

struct sl_ua_ev_slot {
	struct sl_event ev;
	struct sl_ua_ev_slot *next;
	size_t off;                    /* ring allocation, or NO_OFF */
	int sipmsg;
};

/* The header in front of each ring allocation. */
struct ring_hdr {
	uint32_t size;                 /* bytes including this header */
	uint32_t live;                 /* 0 once freed (or padding) */
};

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* ---- names ---- */

const char *sl_event_name(enum sl_event_type t)
{
	static const char *const names[] = {
		[SL_EV_NONE] = "none",
		[SL_EV_REGISTERED] = "registered",
		[SL_EV_REGISTRATION_FAILED] = "registration-failed",
		[SL_EV_UNREGISTERED] = "unregistered",
		[SL_EV_INCOMING] = "incoming",
		[SL_EV_TRYING] = "trying",
		[SL_EV_PROGRESS] = "progress",
		[SL_EV_RINGING] = "ringing",
		[SL_EV_ANSWERED] = "answered",
		[SL_EV_FAILURE] = "failure",
		[SL_EV_UPDATED] = "updated",
		[SL_EV_CONNECTED] = "connected",
		[SL_EV_FORWARDING] = "forwarding",
		[SL_EV_CLOSED] = "closed",
		[SL_EV_REMOTE_HOLD] = "remote-hold",
		[SL_EV_REMOTE_UNHOLD] = "remote-unhold",
		[SL_EV_SIP_SENT] = "sip-sent",
		[SL_EV_SIP_RECEIVED] = "sip-received",
		[SL_EV_MESSAGE] = "message",
		[SL_EV_DESTROYED] = "destroyed",
		[SL_EV_REQUEST_RESULT] = "request-result",
		[SL_EV_INFO] = "info",
		[SL_EV_DTMF] = "dtmf",
		[SL_EV_MEDIA_STARTED] = "media-started",
		[SL_EV_MEDIA_TIMEOUT] = "media-timeout",
		[SL_EV_MEDIA_STATS] = "stats"
	};

	if ((unsigned)t >= sizeof(names) / sizeof(names[0]) || !names[t])
		return "unknown";
	return names[t];
}

const char *sl_close_reason_name(enum sl_close_reason r)
{
	static const char *const names[] = {
		[SL_CLOSE_NONE] = "none",
		[SL_CLOSE_REMOTE_BYE] = "remote-bye",
		[SL_CLOSE_LOCAL_BYE] = "local-bye",
		[SL_CLOSE_CANCELLED] = "cancelled",
		[SL_CLOSE_REJECTED] = "rejected",
		[SL_CLOSE_NO_ACK] = "no-ack",
		[SL_CLOSE_SESSION_TIMER] = "session-timer",
		[SL_CLOSE_TRANSPORT] = "transport",
		[SL_CLOSE_TIMEOUT] = "timeout",
		[SL_CLOSE_ERROR] = "error"
	};

	if ((unsigned)r >= sizeof(names) / sizeof(names[0]) || !names[r])
		return "unknown";
	return names[r];
}

/* ---- the ring ---- */

/* Room for @need bytes (a multiple of 8, header included). Return: the
 * allocation's offset or NO_OFF. */
static size_t ring_alloc(struct sl_ua_ring *r, size_t need)
{
	size_t off, pad = 0;
	struct ring_hdr *h;

	if (r->used == 0)
		r->head = r->tail = 0;
	if (need > r->cap || r->used + need > r->cap)
		return NO_OFF;
	if (r->head >= r->tail) {
		if (r->cap - r->head >= need) {
			off = r->head;
		} else {
			/* Wrap: the end of the ring becomes padding. */
			pad = r->cap - r->head;
			if (r->tail < need || r->used + pad + need > r->cap)
				return NO_OFF;
			h = (struct ring_hdr *)(r->mem + r->head);
			h->size = (uint32_t)pad;
			h->live = 0;
			r->used += pad;
			off = 0;
		}
	} else {
		if (r->tail - r->head < need)
			return NO_OFF;
		off = r->head;
	}
	h = (struct ring_hdr *)(r->mem + off);
	h->size = (uint32_t)need;
	h->live = 1;
	r->used += need;
	r->head = off + need;
	if (r->head == r->cap)
		r->head = 0;
	return off;
}

static void ring_free(struct sl_ua_ring *r, size_t off)
{
	struct ring_hdr *h;

	if (off == NO_OFF)
		return;
	h = (struct ring_hdr *)(r->mem + off);
	h->live = 0;
	/* Bounded: each pass removes one allocation. */
	while (r->used) {
		h = (struct ring_hdr *)(r->mem + r->tail);
		if (h->live)
			break;
		r->used -= h->size;
		r->tail += h->size;
		if (r->tail >= r->cap)
			r->tail = 0;
	}
	if (!r->used)
		r->head = r->tail = 0;
}

/* ---- slots ---- */

static void slot_release(struct sl_ua_events *e, struct sl_ua_ev_slot *s)
{
	ring_free(&e->ring[s->sipmsg], s->off);
	s->off = NO_OFF;
	s->next = e->free;
	e->free = s;
	e->used--;
}

/* Unlinks queued slot @s (@prev before it, or NULL for the head). */
static void unlink_slot(struct sl_ua_events *e, struct sl_ua_ev_slot *prev,
			struct sl_ua_ev_slot *s)
{
	if (prev)
		prev->next = s->next;
	else
		e->head = s->next;
	if (e->tail == s)
		e->tail = prev;
	if (s->sipmsg)
		e->n_sipmsg--;
}

/* Drops the oldest queued SIP-message event (its payload is the oldest
 * of the SIP-message ring, unless the application holds an older one).
 * Return: 1 when one was dropped. */
static int drop_sipmsg(struct sl_ua_events *e)
{
	struct sl_ua_ev_slot *prev = NULL, *s = e->head;

	if (!e->n_sipmsg)
		return 0;
	for (; s; prev = s, s = s->next)
		if (s->sipmsg)
			break;
	if (!s)
		return 0;
	unlink_slot(e, prev, s);
	slot_release(e, s);
	e->dropped++;
	return 1;
}

static struct sl_ua_ev_slot *slot_get(struct sl_ua_events *e, int sipmsg)
{
	struct sl_ua_ev_slot *s;
	unsigned limit = sipmsg ? e->general : e->n_slots;

	if (e->used >= limit || (!e->free && e->fresh >= e->n_slots)) {
		if (!drop_sipmsg(e))
			return NULL;
		if (e->used >= limit ||
		    (!e->free && e->fresh >= e->n_slots))
			return NULL;
	}
	/* Released slots first; a slot never used is taken only when none
	 * is, so slots (reserved two per line) cost memory only once a
	 * burst has needed them. */
	if (e->free) {
		s = e->free;
		e->free = s->next;
	} else {
		s = &e->slots[e->fresh++];
	}
	s->next = NULL;
	s->off = NO_OFF;
	s->sipmsg = sipmsg;
	e->used++;
	return s;
}

/* ---- copying an event in ---- */

static size_t str_need(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

struct copier {
	char *p;
};

static const char *put_str(struct copier *c, const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	d = c->p;
	memcpy(d, s, n);
	c->p += n;
	return d;
}

static const void *put_mem(struct copier *c, const void *p, size_t n)
{
	char *d = c->p;

	if (!p || !n)
		return NULL;
	memcpy(d, p, n);
	c->p += n;
	return d;
}

/* 1 when [@p, @p + @n) lies inside [@base, @base + @len). */
static int inside(const void *p, size_t n, const void *base, size_t len)
{
	const char *a = p, *b = base;

	return p && base && a >= b && a + n <= b + len;
}

/* Bytes the copy of @ev takes (without the ring header). */
static size_t payload_need(const struct sl_event *ev, int with_raw)
{
	size_t n = 0;

	n += str_need(ev->reason ? ev->reason : "");
	n += str_need(ev->from) + str_need(ev->from_display);
	n += str_need(ev->to) + str_need(ev->to_display);
	n += str_need(ev->call_id) + str_need(ev->direction);
	n += str_need(ev->content_type) + str_need(ev->dtmf_method);
	n += str_need(ev->codec) + str_need(ev->remote_rtp);
	for (unsigned i = 0; i < ev->n_audio_codecs &&
	     i < SL_EVENT_MAX_CODECS; i++)
		n += str_need(ev->audio_codecs[i]);
	for (unsigned i = 0; i < ev->n_video_codecs &&
	     i < SL_EVENT_MAX_CODECS; i++)
		n += str_need(ev->video_codecs[i]);
	if (ev->instance_data)
		n += ev->instance_len;
	if (with_raw && ev->raw)
		n += ev->raw_len + 1;
	if (ev->body && !(with_raw &&
			  inside(ev->body, ev->body_len, ev->raw,
				 ev->raw_len)))
		n += ev->body_len;
	return n;
}

static void copy_event(struct sl_ua_ev_slot *s, const struct sl_event *src,
		       char *mem, int with_raw)
{
	struct sl_event *d = &s->ev;
	struct copier c = { mem };

	*d = *src;
	d->reason = put_str(&c, src->reason ? src->reason : "");
	d->from = put_str(&c, src->from);
	d->from_display = put_str(&c, src->from_display);
	d->to = put_str(&c, src->to);
	d->to_display = put_str(&c, src->to_display);
	d->call_id = put_str(&c, src->call_id);
	d->direction = put_str(&c, src->direction);
	d->content_type = put_str(&c, src->content_type);
	d->dtmf_method = put_str(&c, src->dtmf_method);
	d->codec = put_str(&c, src->codec);
	d->remote_rtp = put_str(&c, src->remote_rtp);
	d->n_audio_codecs = src->n_audio_codecs < SL_EVENT_MAX_CODECS ?
			    src->n_audio_codecs : SL_EVENT_MAX_CODECS;
	d->n_video_codecs = src->n_video_codecs < SL_EVENT_MAX_CODECS ?
			    src->n_video_codecs : SL_EVENT_MAX_CODECS;
	for (unsigned i = 0; i < d->n_audio_codecs; i++)
		d->audio_codecs[i] = put_str(&c, src->audio_codecs[i]);
	for (unsigned i = 0; i < d->n_video_codecs; i++)
		d->video_codecs[i] = put_str(&c, src->video_codecs[i]);
	d->instance_data = put_mem(&c, src->instance_data, src->instance_len);
	if (!d->instance_data)
		d->instance_len = 0;
	if (with_raw && src->raw) {
		char *raw = c.p;

		memcpy(raw, src->raw, src->raw_len);
		raw[src->raw_len] = '\0';
		c.p += src->raw_len + 1;
		d->raw = raw;
		if (inside(src->body, src->body_len, src->raw, src->raw_len)) {
			d->body = raw + ((const char *)src->body - src->raw);
			return;
		}
	} else {
		d->raw = NULL;
		d->raw_len = 0;
	}
	d->body = put_mem(&c, src->body, src->body_len);
	if (!d->body)
		d->body_len = 0;
}

static void queue_push(struct sl_ua *ua, struct sl_ua_ev_slot *s)
{
	struct sl_ua_events *e = &ua->ev;

	if (e->tail)
		e->tail->next = s;
	else
		e->head = s;
	e->tail = s;
	if (s->sipmsg)
		e->n_sipmsg++;
	if (ua->cfg.event_mode == SL_EVENTS_QUEUE) {
		uint64_t one = 1;

		if (!e->efd_set && write(e->efd, &one, sizeof(one)) ==
		    (ssize_t)sizeof(one))
			e->efd_set = 1;
	} else if (!sl__timer_armed(&e->flush)) {
		if (sl__loop_timer_start(ua->loop, &e->flush, 0) < 0)
			sl_log_error(SL_UA_LOG, "event flush timer: heap "
				     "full");
	}
}

int sl__ua_emit(struct sl_ua *ua, const struct sl_event *ev)
{
	struct sl_ua_events *e = &ua->ev;
	int sipmsg = ev->type == SL_EV_SIP_SENT ||
		     ev->type == SL_EV_SIP_RECEIVED;
	struct sl_ua_ev_slot *s;
	int with_raw = 1;
	size_t need, off;

	s = slot_get(e, sipmsg);
	if (!s)
		goto dropped;
	for (;;) {
		need = align8(HDR + payload_need(ev, with_raw));
		off = ring_alloc(&e->ring[sipmsg], need);
		if (off != NO_OFF)
			break;
		/* The oldest SIP-message events make room for a new one. */
		if (sipmsg && drop_sipmsg(e))
			continue;
		if (sipmsg || !with_raw || !ev->raw) {
			slot_release(e, s);
			goto dropped;
		}
		with_raw = 0;
		e->stripped++;
	}
	s->off = off;
	copy_event(s, ev, (char *)e->ring[sipmsg].mem + off + HDR, with_raw);
	queue_push(ua, s);
	return 0;
dropped:
	if (sipmsg) {
		e->dropped++;
	} else {
		e->lost++;
		sl_log_error(SL_UA_LOG, "event %s lost: the queue is full",
			     sl_event_name(ev->type));
	}
	return SL_ENOMEM;
}

void sl__ua_emit_sip(struct sl_ua *ua, enum sl_event_type type,
		     const char *buf, size_t len)
{
	struct sl_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.line = -1;
	ev.reason = "";
	ev.raw = buf;
	ev.raw_len = len;
	sl__ua_emit(ua, &ev);
}

int sl__ua_emit_status(struct sl_ua *ua, enum sl_event_type type, int code,
		       const char *reason, const struct sl_rxbuf *rx,
		       uint32_t expires)
{
	struct sl_event ev;
	char phrase[128];

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.line = -1;
	ev.code = code;
	ev.expires = expires;
	if (!reason && rx && !rx->msg.is_request) {
		struct sl_slice r = rx->msg.reason;

		if (r.len >= sizeof(phrase))
			r.len = sizeof(phrase) - 1;
		memcpy(phrase, r.p ? r.p : "", r.len);
		phrase[r.len] = '\0';
		reason = phrase;
	}
	ev.reason = reason ? reason : "";
	if (rx) {
		ev.raw = rx->msg.buf;
		ev.raw_len = rx->msg.len;
	}
	return sl__ua_emit(ua, &ev);
}

/* ---- delivery ---- */

void sl__ua_events_flush(struct sl_ua *ua)
{
	struct sl_ua_events *e = &ua->ev;
	unsigned budget = e->used;

	if (ua->cfg.event_mode != SL_EVENTS_CALLBACK)
		return;
	/* Events raised by the callbacks themselves wait for the next
	 * round: the loop gets its turn in between. */
	while (e->head && budget--) {
		struct sl_ua_ev_slot *s = e->head;

		unlink_slot(e, NULL, s);
		s->next = NULL;
		e->held = s;
		atomic_store(&ua->in_callback, 1);
		ua->cfg.event_cb(ua->cfg.event_arg, &s->ev);
		atomic_store(&ua->in_callback, 0);
		e->held = NULL;
		slot_release(e, s);
	}
	if (e->head && !sl__timer_armed(&e->flush))
		sl__loop_timer_start(ua->loop, &e->flush, 0);
}

static void flush_fire(struct sl_timer *t, void *arg)
{
	(void)t;
	sl__ua_events_flush(arg);
}

struct next_args {
	struct sl_ua *ua;
	struct sl_event *out;
};

static int next_on_loop(void *arg)
{
	struct next_args *a = arg;
	struct sl_ua_events *e = &a->ua->ev;
	struct sl_ua_ev_slot *s;

	if (e->held) {
		slot_release(e, e->held);
		e->held = NULL;
	}
	s = e->head;
	if (s) {
		unlink_slot(e, NULL, s);
		s->next = NULL;
		e->held = s;
		*a->out = s->ev;
	}
	if (!e->head && e->efd_set) {
		uint64_t n;

		if (read(e->efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
			sl_log_warn(SL_UA_LOG, "event fd: %s",
				    strerror(errno));
		e->efd_set = 0;
	}
	return s ? 1 : 0;
}

int sl_ua_event_next(struct sl_ua *ua, struct sl_event *ev)
{
	struct next_args a = { ua, ev };

	if (!ua || !ev)
		return SL_EINVAL;
	if (ua->cfg.event_mode != SL_EVENTS_QUEUE)
		return SL_ESTATE;
	return sl__ua_call(ua, next_on_loop, &a);
}

int sl_ua_event_fd(struct sl_ua *ua)
{
	if (!ua)
		return SL_EINVAL;
	if (ua->cfg.event_mode != SL_EVENTS_QUEUE)
		return SL_ESTATE;
	return ua->ev.efd;
}

static int dropped_on_loop(void *arg)
{
	struct sl_ua *ua = arg;
	uint64_t n = ua->ev.dropped + ua->ev.lost;

	return n > INT32_MAX ? INT32_MAX : (int)n;
}

int sl_ua_events_dropped(struct sl_ua *ua)
{
	return sl__ua_call(ua, dropped_on_loop, ua);
}

/* ---- life ---- */

int sl__ua_events_init(struct sl_ua *ua)
{
	struct sl_ua_events *e = &ua->ev;
	const struct sl_ua_config *c = &ua->cfg;
	unsigned reserve = 2 * c->max_lines + SL_UA_EV_RESERVE_MIN;

	e->general = c->event_queue;
	e->n_slots = c->event_queue + reserve;
	e->slots = sl__calloc(e->n_slots, sizeof(*e->slots));
	/* SIP-message events: a few hundred bytes each on average, and
	 * room for one largest message. The others: 1 KiB per reserved
	 * slot and one largest message, for the raw message behind a
	 * registration or call event. */
	e->ring[1].cap = align8((size_t)c->event_queue * 512 +
				c->max_msg_size + 2 * HDR);
	e->ring[0].cap = align8((size_t)reserve * 1024 + c->max_msg_size +
				2 * HDR);
	for (int i = 0; i < 2; i++) {
		e->ring[i].mem = sl__calloc(1, e->ring[i].cap);
		if (!e->ring[i].mem)
			return SL_ENOMEM;
	}
	if (!e->slots)
		return SL_ENOMEM;
	/* Slots are taken in order as first needed (slot_get()): the zeroed
	 * pages of the ones never used stay uncommitted. */
	e->free = NULL;
	e->fresh = 0;
	sl__timer_init(&e->flush, flush_fire, ua);
	if (c->event_mode == SL_EVENTS_QUEUE) {
		e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (e->efd < 0) {
			sl_log_error(SL_UA_LOG, "eventfd: %s",
				     strerror(errno));
			return SL_EIO;
		}
	}
	return 0;
}

void sl__ua_events_free(struct sl_ua *ua)
{
	struct sl_ua_events *e = &ua->ev;

	if (e->efd >= 0)
		close(e->efd);
	e->efd = -1;
	sl__free(e->slots);
	sl__free(e->ring[0].mem);
	sl__free(e->ring[1].mem);
	e->slots = NULL;
	e->ring[0].mem = e->ring[1].mem = NULL;
}
