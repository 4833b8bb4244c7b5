/*
 * tools/bench/media_bench.c: `sipline-bench media`, the media engine
 * benchmark of `make bench` (issue 5, "Benchmark").
 *
 *   sipline-bench media [--steps N,N,...] [--warmup-ms MS]
 *                       [--measure-ms MS] [--device-rate HZ]
 *                       [--frame-ms MS] [--max-seconds S] [--nice N]
 *                       [--pin] [--loss PERMILLE]
 *
 * The question: how many concurrent G.711 calls (PCMU, 20 ms packets, so
 * 50 packets/s each way) one media thread carries over loopback with the
 * jitter buffer on and no packet late or lost; what the engine spends per
 * packet; and how that compares with the bare cost of moving a datagram
 * through this machine's kernel, measured in the same run (the machine is
 * shared and noisy, so only ratios against that baseline travel).
 *
 * One process:
 *  - baseline: this thread sends a 172-byte datagram (the size of a PCMU
 *    packet: 12-byte RTP header, 160 bytes of payload) from one loopback
 *    UDP socket to another and reads it back, sendto() + recvfrom(),
 *    timed by its own CPU clock: with one socket pair (warm caches: the
 *    figure the target is stated against; best of three), then cycling
 *    over 1024 pairs (closer to an engine touching thousands of sockets);
 *  - engine under test: sl__media_engine_create() with one media thread
 *    and the virtual "null" capture and playback devices, one PCMU stream
 *    per call on a 127.0.0.1 socket from sl__media_sockets_open(),
 *    rtcp-mux, telephone-event negotiated both ways, the jitter buffer at
 *    the UA defaults (sl_ua_config_init(): 20..200 ms, 10 ms device
 *    frames); the device runs at 8000 Hz unless --device-rate says
 *    otherwise, so the figure is the RTP path, not speexdsp (run with
 *    --device-rate 16000 for the virtual driver's default rate);
 *  - load generator: one thread plays every far end over 20 shared
 *    sockets. Stream i sits in 1 ms phase slot i % 20 and uses that slot's
 *    socket, so every millisecond (absolute clock_nanosleep() deadlines)
 *    one sendmmsg() sends the slot's packets, each stream once per 20 ms,
 *    and recvmmsg() drains what the engine sent, following each stream's
 *    sequence numbers. The batches keep the generator's syscalls few; its
 *    kernel work per datagram is the same as the engine's;
 *  - this thread plays the SIP loop: it opens sockets and starts streams,
 *    drains the engine's events and reads every stream's statistics
 *    (sl__media_stream_stats()).
 *
 * The engine's pools are sized for the last step (--steps, default 250
 * to 3000). The ramp adds streams up to each step, lets them settle for
 * --warmup-ms, then measures --measure-ms. A step holds when, over the
 * window: no stream's statistics count a late or a lost packet, the
 * generator saw no gap, duplicate or reordering in any stream's sequence,
 * the engine sent at least 99% of the packets 50/s per stream calls for
 * (a media thread that falls behind the device clock drops capture
 * frames, so it sends fewer), and no stream's jitter buffer is deeper
 * than the configured jb_max_ms at the end (playout that falls behind
 * arrival piles packets up there; past its slots they are dropped as
 * overflow, which the call statistics count neither as late nor as
 * lost, so the depth is the one visible sign). A failing step is
 * measured once more (the
 * machine is shared); a second failure ends the ramp, and so does the
 * --max-seconds budget (85). --loss makes the engine drop that share of
 * what it receives (sl__media_engine_rx_loss()): a self-check that the
 * harness does see loss, so every step must then fail.
 *
 * Priority (--nice, default -10; 0 leaves everything alone): the run goes
 * to a child process in a session of its own whose scheduler autogroup
 * gets that nice, and the media, device and generator threads get it
 * too, so other sessions' work on a shared machine takes less of the
 * media thread's core; wait% shows what it still lost. The group and
 * its priority end with the child.
 *
 * CPU accounting (2 cores here: the generator competes with the engine):
 * the engine figures use the media thread's own CPU clock only (found by
 * its name, "sl-media0"), so the generator's work, the virtual device's
 * clock thread ("sl-vaudio") and the rest of the machine are reported in
 * their own columns and never charged to the engine. ns/packet is the
 * media thread's CPU time over the RTP packets it moved in the window
 * (received from the generator plus sent to it, as the generator counted
 * them); RTCP, timers, mixing and the per-frame work ride on those
 * packets. The kernel's loopback delivery runs in the sender's context,
 * for the baseline and for the engine alike.
 *
 * Exit status: 0 when the run completed (targets missed or not: these are
 * README figures, not a timed test), 1 when the run itself failed, 2 on
 * a usage error.
 *
 * Thread: this thread (the "SIP loop") and the generator thread, plus the
 * engine's own threads.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "media/engine.h"
#include "media/rtp.h"
#include "sipline/codec.h"
#include "sipline/error.h"
#include "sipline/ua.h"

#include "media_bench.h"

enum {
	SLOTS = 20,                 /* 1 ms phase slots per 20 ms packet */
	SLOT_NS = 1000000,
	PTIME_SAMPLES = 160,        /* PCMU, 20 ms at 8000 Hz */
	PKT_LEN = SL_RTP_HDR + PTIME_SAMPLES,
	PKT_PER_S = 50,
	MAX_STREAMS = 4096,         /* sl__media_engine_create()'s limit */
	SLOT_CAP = MAX_STREAMS / SLOTS + 1,
	RX_BATCH = 64,
	RX_MAX = 1500,
	MAX_STEPS = 32,
	PORT_MIN = 30000,
	PORT_MAX = 59999,
	RAW_PAIRS = 1024,
	RAW_ITERS = 100000,
	SOCK_BUF = 4 << 20,         /* generator socket buffers (bytes) */
	TE_PT = 101,
	START_TRIES = 5000          /* 1 ms waits for a command ring slot */
};

/* ---- clocks ---- */

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec t;

	if (clock_gettime(c, &t) < 0)
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Reads a small /proc file into @buf (NUL-terminated). Return: bytes or
 * -1. */
static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/*
 * A thread of this process, known by its TID only: the engine names its
 * threads but does not hand out their pthread_t. Linux encodes a
 * thread's CPU clock as (~tid << 3) | 6 (per-thread, scheduler clock),
 * exactly what glibc's pthread_getcpuclockid() returns for its own
 * threads; where that is refused, the first field of
 * /proc/self/task/TID/schedstat (run time in ns) says the same.
 */
struct tthread {
	pid_t tid;                  /* 0: not found */
	clockid_t clk;
	int use_clock;
};

static void tthread_init(struct tthread *t, pid_t tid)
{
	struct timespec ts;

	t->tid = tid;
	t->clk = (clockid_t)((~(uint32_t)tid << 3) | 6u);
	t->use_clock = tid > 0 && clock_gettime(t->clk, &ts) == 0;
}

static uint64_t tthread_cpu_ns(const struct tthread *t)
{
	char path[64], buf[128];

	if (t->tid <= 0)
		return 0;
	if (t->use_clock)
		return clock_ns(t->clk);
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat",
		 (int)t->tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

/* Time @t spent runnable but waiting for a CPU (the second field of
 * schedstat), in ns; 0 when unknown. */
static uint64_t tthread_wait_ns(const struct tthread *t)
{
	char path[64], buf[128], *p;

	if (t->tid <= 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat",
		 (int)t->tid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	strtoull(buf, &p, 10);
	return strtoull(p, NULL, 10);
}

/* The TID of this process's thread called @name, 0 when there is none. */
static pid_t find_thread(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		char path[288], comm[64];
		size_t n;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 e->d_name);
		if (read_small(path, comm, sizeof(comm)) <= 0)
			continue;
		n = strcspn(comm, "\n");
		if (n == strlen(name) && memcmp(comm, name, n) == 0)
			found = (pid_t)strtol(e->d_name, NULL, 10);
	}
	closedir(d);
	return found;
}

/* Machine-wide busy time (every CPU, steal included) from /proc/stat, in
 * ns; 0 when unreadable. */
static uint64_t machine_busy_ns(void)
{
	char buf[512], *p = buf, *end;
	uint64_t v[8] = { 0 }, busy = 0;
	long hz = sysconf(_SC_CLK_TCK);

	if (hz <= 0 || read_small("/proc/stat", buf, sizeof(buf)) <= 0 ||
	    strncmp(buf, "cpu ", 4) != 0)
		return 0;
	p += 4;
	/* user nice system idle iowait irq softirq steal guest guest_nice;
	 * guest time is already inside user. */
	for (int i = 0; i < 8; i++) {
		v[i] = strtoull(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	for (int i = 0; i < 8; i++)
		if (i != 3 && i != 4)
			busy += v[i];
	return busy * (1000000000u / (uint64_t)hz);
}

/* ---- the raw UDP baseline ---- */

static int udp_socket(struct sockaddr_in *bound)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		close(fd);
		return -1;
	}
	*bound = a;
	return fd;
}

/*
 * CPU ns of one sendto() + recvfrom() of a PKT_LEN datagram, cycling over
 * @pairs socket pairs, on this thread's CPU clock. The datagram is queued
 * on the receiver before sendto() returns (loopback delivers in the
 * sender's context), so recvfrom() never waits. Return: 0 or -1.
 */
static int raw_udp(unsigned pairs, unsigned iters, double *ns)
{
	int *tx = calloc(pairs, sizeof(int)), *rx = calloc(pairs, sizeof(int));
	struct sockaddr_in *to = calloc(pairs, sizeof(*to)), from, a;
	uint8_t pkt[PKT_LEN], buf[RX_MAX];
	uint64_t t0, t1;
	unsigned opened = 0, bad = 0;
	int rc = -1;

	if (!tx || !rx || !to)
		goto out;
	memset(pkt, 0xd5, sizeof(pkt));
	sl__rtp_write_hdr(pkt, sizeof(pkt), 0, 0, 1, 160, 0x12345678u);
	for (; opened < pairs; opened++) {
		tx[opened] = udp_socket(&a);
		rx[opened] = udp_socket(&to[opened]);
		if (tx[opened] < 0 || rx[opened] < 0) {
			if (tx[opened] >= 0)
				close(tx[opened]);
			if (rx[opened] >= 0)
				close(rx[opened]);
			goto out;
		}
	}
	t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	for (unsigned k = 0; k < iters; k++) {
		unsigned i = k % pairs;
		socklen_t fl = sizeof(from);

		if (sendto(tx[i], pkt, sizeof(pkt), 0,
			   (struct sockaddr *)&to[i], sizeof(to[i])) < 0 ||
		    recvfrom(rx[i], buf, sizeof(buf), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &fl) < 0)
			bad++;
	}
	t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	if (bad == 0 && t1 > t0) {
		*ns = (double)(t1 - t0) / iters;
		rc = 0;
	}
out:
	for (unsigned i = 0; i < opened; i++) {
		close(tx[i]);
		close(rx[i]);
	}
	free(tx);
	free(rx);
	free(to);
	return rc;
}

/* ---- the load generator ---- */

/* One far end. Written by this thread before the stream is published
 * (n_active), then by the generator only. */
struct gstream {
	struct sockaddr_in to;      /* the engine's RTP socket */
	uint32_t ssrc;
	uint16_t seq;
	uint32_t ts;
	int first;                  /* marker on the first packet */
	int have_rx;
	uint16_t rx_seq;            /* highest sequence the engine sent */
};

/* The socket of one phase slot, with its batches. */
struct gsock {
	int fd;
	struct sockaddr_in addr;    /* where the slot's streams send RTP */
	struct mmsghdr tx[SLOT_CAP];
	struct iovec txv[SLOT_CAP];
	uint8_t txb[SLOT_CAP][PKT_LEN];
	struct mmsghdr rx[RX_BATCH];
	struct iovec rxv[RX_BATCH];
	struct sockaddr_in rxa[RX_BATCH];
	uint8_t rxb[RX_BATCH][RX_MAX];
};

/* Counters the generator publishes (one writer, relaxed: sampled). */
struct gcount {
	_Atomic uint64_t sent;      /* RTP packets handed to the kernel */
	_Atomic uint64_t send_fail; /* refused by sendmmsg() */
	_Atomic uint64_t rtp;       /* RTP received from the engine */
	_Atomic uint64_t rtcp;
	_Atomic uint64_t gaps;      /* sequence numbers skipped */
	_Atomic uint64_t disorder;  /* duplicates and reordering */
	_Atomic uint64_t stray;     /* from no known stream */
	_Atomic uint64_t max_lag_ns;/* worst wake-up lateness; reset by
				     * the reader */
};

struct gen {
	struct gsock *socks;        /* SLOTS of them */
	struct gstream *streams;    /* MAX_STREAMS */
	_Atomic int32_t *port_map;  /* engine RTP port -> stream, -1 */
	_Atomic unsigned n_active;  /* streams [0, n) are live */
	_Atomic int stop;
	_Atomic int tid;            /* the generator thread's TID */
	struct gcount c;
	pthread_t thread;
	int started;
};

static void send_slot(struct gen *g, unsigned slot, unsigned n)
{
	struct gsock *k = &g->socks[slot];
	unsigned m = 0, done = 0;

	for (unsigned i = slot; i < n && m < SLOT_CAP; i += SLOTS, m++) {
		struct gstream *s = &g->streams[i];

		sl__rtp_write_hdr(k->txb[m], SL_RTP_HDR, 0, s->first, s->seq,
				  s->ts, s->ssrc);
		s->first = 0;
		s->seq++;
		s->ts += PTIME_SAMPLES;
		k->tx[m].msg_hdr.msg_name = &s->to;
		k->tx[m].msg_hdr.msg_namelen = sizeof(s->to);
	}
	while (done < m) {
		int r = sendmmsg(k->fd, k->tx + done, m - done, 0);

		if (r <= 0) {
			atomic_fetch_add_explicit(&g->c.send_fail, m - done,
						  memory_order_relaxed);
			break;
		}
		done += (unsigned)r;
	}
	atomic_fetch_add_explicit(&g->c.sent, done, memory_order_relaxed);
}

static void rx_one(struct gen *g, const uint8_t *pkt, size_t len,
		   const struct sockaddr_in *from, unsigned n,
		   uint64_t *cnt)
{
	struct sl_rtp_hdr h;
	struct gstream *s;
	uint16_t d;
	int32_t i;

	i = atomic_load_explicit(&g->port_map[ntohs(from->sin_port)],
				 memory_order_relaxed);
	if (i < 0 || (unsigned)i >= n) {
		cnt[4]++;
		return;
	}
	if (sl__rtp_is_rtcp(pkt, len)) {
		cnt[1]++;
		return;
	}
	if (sl__rtp_parse(pkt, len, &h) < 0) {
		cnt[4]++;
		return;
	}
	s = &g->streams[i];
	cnt[0]++;
	if (!s->have_rx) {
		s->have_rx = 1;
		s->rx_seq = h.seq;
		return;
	}
	d = (uint16_t)(h.seq - s->rx_seq);
	if (d == 0 || d >= 0x8000) {
		cnt[3]++;
		return;
	}
	cnt[2] += d - 1u;
	s->rx_seq = h.seq;
}

/* Reads everything waiting on the slots' sockets. */
static void drain_rx(struct gen *g, unsigned n)
{
	uint64_t cnt[5] = { 0 };   /* rtp, rtcp, gaps, disorder, stray */

	for (unsigned j = 0; j < SLOTS; j++) {
		struct gsock *k = &g->socks[j];
		int r;

		do {
			for (unsigned i = 0; i < RX_BATCH; i++)
				k->rx[i].msg_hdr.msg_namelen =
					sizeof(k->rxa[i]);
			r = recvmmsg(k->fd, k->rx, RX_BATCH, MSG_DONTWAIT,
				     NULL);
			for (int i = 0; i < r; i++)
				rx_one(g, k->rxb[i], k->rx[i].msg_len,
				       &k->rxa[i], n, cnt);
		} while (r == RX_BATCH);
	}
	atomic_fetch_add_explicit(&g->c.rtp, cnt[0], memory_order_relaxed);
	atomic_fetch_add_explicit(&g->c.rtcp, cnt[1], memory_order_relaxed);
	atomic_fetch_add_explicit(&g->c.gaps, cnt[2], memory_order_relaxed);
	atomic_fetch_add_explicit(&g->c.disorder, cnt[3],
				  memory_order_relaxed);
	atomic_fetch_add_explicit(&g->c.stray, cnt[4], memory_order_relaxed);
}

static void *gen_main(void *arg)
{
	struct gen *g = arg;
	uint64_t next = mono_ns() + SLOT_NS;
	unsigned slot = 0;

	pthread_setname_np(pthread_self(), "mbench-gen");
	atomic_store(&g->tid, (int)gettid());
	while (!atomic_load_explicit(&g->stop, memory_order_relaxed)) {
		struct timespec ts = {
			(time_t)(next / 1000000000u),
			(long)(next % 1000000000u)
		};
		unsigned n;
		uint64_t now, lag;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				       NULL) == EINTR)
			;
		now = mono_ns();
		lag = now > next ? now - next : 0;
		if (lag > atomic_load_explicit(&g->c.max_lag_ns,
					       memory_order_relaxed))
			atomic_store_explicit(&g->c.max_lag_ns, lag,
					      memory_order_relaxed);
		n = atomic_load_explicit(&g->n_active, memory_order_acquire);
		/* Late wake-ups catch up on the slots they missed: the
		 * packets go out late, as after a network stall. The bound
		 * only keeps one pass short; the rest follow at once. */
		for (unsigned k = 0; k < 2 * SLOTS && next <= now; k++) {
			send_slot(g, slot, n);
			slot = (slot + 1) % SLOTS;
			next += SLOT_NS;
		}
		drain_rx(g, n);
	}
	return NULL;
}

static void gen_fini(struct gen *g)
{
	if (g->started) {
		atomic_store(&g->stop, 1);
		pthread_join(g->thread, NULL);
		g->started = 0;
	}
	if (g->socks)
		for (unsigned j = 0; j < SLOTS; j++)
			if (g->socks[j].fd >= 0)
				close(g->socks[j].fd);
	free(g->socks);
	free(g->streams);
	free(g->port_map);
	g->socks = NULL;
	g->streams = NULL;
	g->port_map = NULL;
}

/* Sockets, batches and the payload (a 400 Hz tone at -20 dBov, encoded
 * once: every packet carries the same 20 ms). Return: 0 or -1. */
static int gen_init(struct gen *g, const struct sl_codec *pcmu)
{
	uint8_t payload[PTIME_SAMPLES];
	int16_t pcm[PTIME_SAMPLES];
	int buf = SOCK_BUF;

	memset(g, 0, sizeof(*g));
	atomic_init(&g->n_active, 0);
	atomic_init(&g->stop, 0);
	atomic_init(&g->tid, 0);
	g->socks = calloc(SLOTS, sizeof(*g->socks));
	g->streams = calloc(MAX_STREAMS, sizeof(*g->streams));
	g->port_map = calloc(65536, sizeof(*g->port_map));
	if (g->socks)
		for (unsigned j = 0; j < SLOTS; j++)
			g->socks[j].fd = -1;
	if (!g->socks || !g->streams || !g->port_map)
		return -1;
	for (unsigned p = 0; p < 65536; p++)
		atomic_init(&g->port_map[p], -1);
	for (unsigned i = 0; i < PTIME_SAMPLES; i++)
		pcm[i] = (int16_t)(3277.0 * sin(2 * M_PI * 400.0 * i / 8000.0));
	/* PCMU is stateless (state_size 0). */
	if (pcmu->state_size ||
	    pcmu->encode(NULL, pcm, PTIME_SAMPLES, payload,
			 sizeof(payload)) != PTIME_SAMPLES)
		return -1;
	for (unsigned j = 0; j < SLOTS; j++) {
		struct gsock *k = &g->socks[j];

		k->fd = udp_socket(&k->addr);
		if (k->fd < 0)
			return -1;
		setsockopt(k->fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
		setsockopt(k->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
		for (unsigned m = 0; m < SLOT_CAP; m++) {
			memcpy(k->txb[m] + SL_RTP_HDR, payload,
			       sizeof(payload));
			k->txv[m].iov_base = k->txb[m];
			k->txv[m].iov_len = PKT_LEN;
			k->tx[m].msg_hdr.msg_iov = &k->txv[m];
			k->tx[m].msg_hdr.msg_iovlen = 1;
		}
		for (unsigned m = 0; m < RX_BATCH; m++) {
			k->rxv[m].iov_base = k->rxb[m];
			k->rxv[m].iov_len = RX_MAX;
			k->rx[m].msg_hdr.msg_iov = &k->rxv[m];
			k->rx[m].msg_hdr.msg_iovlen = 1;
			k->rx[m].msg_hdr.msg_name = &k->rxa[m];
		}
	}
	return 0;
}

/* ---- the engine side ---- */

struct opts {
	unsigned steps[MAX_STEPS];
	unsigned n_steps;
	unsigned warmup_ms;
	unsigned measure_ms;
	unsigned device_rate;
	unsigned frame_ms;
	unsigned max_seconds;
	int nice;                   /* for the engine's and our threads */
	unsigned loss;              /* self-check: injected loss, 1/1000 */
	int pin;
};

struct snap {
	uint64_t t;                 /* monotonic ns */
	uint64_t eng_cpu, dev_cpu, gen_cpu, proc_cpu, busy;
	uint64_t eng_wait;          /* media thread runnable, not running */
	uint64_t sent, rtp, gaps, disorder, send_fail;
};

struct step {
	unsigned n;
	double wall_s;
	double eng_pct, gen_pct, dev_pct, others_pct;
	double wait_pct;            /* media thread waiting for a CPU */
	double ns_pkt;
	double pps;                 /* RTP the engine moved, both ways */
	double short_pct;           /* engine sends missing */
	uint64_t late, lost, concealed, gaps, disorder, send_fail;
	uint64_t discarded;         /* jitter buffer overflow/drift drops */
	double patched_pct;         /* concealed + discarded, % of frames */
	unsigned bad_streams;       /* with late or lost */
	unsigned stats_fail;
	double lag_ms;
	double jb_ms;               /* mean jitter buffer depth at the end */
	unsigned jb_max_ms;         /* deepest jitter buffer at the end */
	unsigned jb_over;           /* streams deeper than jb_max_ms */
	double jitter_ms;           /* mean RFC 3550 jitter at the end */
	int ok;
};

struct bench {
	struct opts o;
	const struct sl_codec *pcmu;
	struct sl_media_engine *eng;
	struct gen g;
	struct tthread media, vdev, gent;
	int niced;                  /* renice() took effect */
	int group_niced;            /* our autogroup's nice set */
	unsigned jb_limit_ms;       /* the configured jb_max_ms */
	int *ids;                   /* engine stream ids */
	unsigned n;                 /* streams started */
	struct sl_call_stats *st0, *st1;
	/* results */
	uint64_t t_start;
	double raw1, rawn;          /* baseline ns: 1 pair, RAW_PAIRS */
	double raw1_end;            /* 1 pair again after the ramp; 0: none */
	struct step best, fail, last;
	int have_best, have_fail, have_last;
	int budget_hit;             /* the time budget ended the ramp */
};

static void drain_events(struct bench *b)
{
	/* Events (media started, latched, timeouts) matter to a UA, not here:
	 * they are only popped so that the engine's ring never fills. */
	sl__media_engine_drain(b->eng, NULL, NULL);
}

/* Plays the SIP loop for @ms: drains events as they come. */
static void loop_for(struct bench *b, unsigned ms)
{
	uint64_t end = mono_ns() + (uint64_t)ms * 1000000u;

	for (;;) {
		struct pollfd pfd = { sl__media_engine_event_fd(b->eng),
				      POLLIN, 0 };
		uint64_t now = mono_ns();

		drain_events(b);
		if (now >= end)
			break;
		poll(&pfd, 1, (int)((end - now + 999999) / 1000000));
	}
}

static int start_stream(struct bench *b, unsigned i)
{
	struct gstream *gs = &b->g.streams[i];
	const struct gsock *k = &b->g.socks[i % SLOTS];
	struct sl_stream_params p;
	struct sockaddr_in lo;
	uint16_t port = 0;
	int fds[2], rc, id = SL_ELIMIT;

	memset(&lo, 0, sizeof(lo));
	lo.sin_family = AF_INET;
	lo.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = sl__media_sockets_open(b->eng, (struct sockaddr *)&lo,
				    sizeof(lo), PORT_MIN, PORT_MAX, 1, fds,
				    &port);
	if (rc < 0)
		return rc;
	memset(gs, 0, sizeof(*gs));
	gs->to = lo;
	gs->to.sin_port = htons(port);
	gs->ssrc = 0x6d620000u + i;
	gs->seq = (uint16_t)(i * 7919u);
	gs->ts = i * 104729u;
	gs->first = 1;
	atomic_store_explicit(&b->g.port_map[port], (int32_t)i,
			      memory_order_relaxed);

	memset(&p, 0, sizeof(p));
	p.session = (int)i + 1;
	p.rtp_fd = fds[0];
	p.rtcp_fd = -1;
	memcpy(&p.remote_rtp, &k->addr, sizeof(k->addr));
	memcpy(&p.remote_rtcp, &k->addr, sizeof(k->addr));
	p.remote_len = sizeof(k->addr);
	p.codec = b->pcmu;
	p.pt_tx = 0;
	p.pt_rx = 0;
	p.cp.ptime_ms = 20;
	p.te_pt_tx = TE_PT;
	p.te_pt_rx = TE_PT;
	p.cn_pt = -1;
	p.send = 1;
	p.recv = 1;
	p.rtcp_mux = 1;
	p.bw.rs_bps = -1;
	p.bw.rr_bps = -1;
	snprintf(p.cname, sizeof(p.cname), "mbench-%u@127.0.0.1", i);
	/* The command ring holds 64 starts: wait for the media thread to
	 * take some when it is full. */
	for (unsigned t = 0; t < START_TRIES; t++) {
		id = sl__media_stream_start(b->eng, &p);
		if (id != SL_ELIMIT)
			break;
		drain_events(b);
		poll(NULL, 0, 1);
	}
	if (id < 0) {
		atomic_store_explicit(&b->g.port_map[port], -1,
				      memory_order_relaxed);
		sl__media_sockets_close(fds);
		return id;
	}
	b->ids[i] = id;
	return 0;
}

static int grow_to(struct bench *b, unsigned n)
{
	while (b->n < n) {
		int rc = start_stream(b, b->n);

		if (rc < 0) {
			fprintf(stderr, "media: stream %u: %s\n", b->n,
				sl_strerror(rc));
			return rc;
		}
		b->n++;
		/* Published after the stream exists: the generator only
		 * sends to streams the engine runs. */
		atomic_store_explicit(&b->g.n_active, b->n,
				      memory_order_release);
		if (b->n % 64 == 0)
			drain_events(b);
	}
	return 0;
}

static void take_snap(struct bench *b, struct snap *s,
		      struct sl_call_stats *st, unsigned *fail)
{
	struct gcount *c = &b->g.c;

	*fail = 0;
	for (unsigned i = 0; i < b->n; i++)
		if (sl__media_stream_stats(b->eng, b->ids[i], &st[i]) < 0) {
			memset(&st[i], 0, sizeof(st[i]));
			(*fail)++;
		}
	s->t = mono_ns();
	s->eng_cpu = tthread_cpu_ns(&b->media);
	s->dev_cpu = tthread_cpu_ns(&b->vdev);
	s->gen_cpu = tthread_cpu_ns(&b->gent);
	s->eng_wait = tthread_wait_ns(&b->media);
	s->proc_cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	s->busy = machine_busy_ns();
	s->sent = atomic_load_explicit(&c->sent, memory_order_relaxed);
	s->rtp = atomic_load_explicit(&c->rtp, memory_order_relaxed);
	s->gaps = atomic_load_explicit(&c->gaps, memory_order_relaxed);
	s->disorder = atomic_load_explicit(&c->disorder,
					   memory_order_relaxed);
	s->send_fail = atomic_load_explicit(&c->send_fail,
					    memory_order_relaxed);
}

static double pct(uint64_t part, double wall_ns)
{
	return wall_ns > 0 ? 100.0 * (double)part / wall_ns : 0;
}

/* One measurement window at the current stream count. */
static void measure(struct bench *b, unsigned warmup_ms, struct step *r)
{
	struct snap a, z;
	unsigned fa, fz;
	double wall, expect;
	uint64_t moved, ours;

	loop_for(b, warmup_ms);
	take_snap(b, &a, b->st0, &fa);
	atomic_store_explicit(&b->g.c.max_lag_ns, 0, memory_order_relaxed);
	loop_for(b, b->o.measure_ms);
	take_snap(b, &z, b->st1, &fz);

	memset(r, 0, sizeof(*r));
	r->n = b->n;
	wall = (double)(z.t - a.t);
	r->wall_s = wall / 1e9;
	r->stats_fail = fa + fz;
	for (unsigned i = 0; i < b->n; i++) {
		const struct sl_call_stats *x = &b->st0[i], *y = &b->st1[i];
		uint64_t late = y->late - x->late;
		int64_t lost = y->lost - x->lost;

		if (!x->codec[0] || !y->codec[0])
			continue;       /* unreadable: counted in stats_fail */
		r->jb_ms += y->jb_delay_ms;
		if (y->jb_delay_ms > r->jb_max_ms)
			r->jb_max_ms = y->jb_delay_ms;
		if (y->jb_delay_ms > b->jb_limit_ms)
			r->jb_over++;
		r->jitter_ms += y->jitter_ms;
		r->late += late;
		r->lost += lost > 0 ? (uint64_t)lost : 0;
		r->concealed += y->concealed - x->concealed;
		r->discarded += y->discarded - x->discarded;
		if (late || lost > 0)
			r->bad_streams++;
	}
	if (b->n > r->stats_fail) {
		r->jb_ms /= b->n - r->stats_fail;
		r->jitter_ms /= b->n - r->stats_fail;
	}
	r->gaps = z.gaps - a.gaps;
	r->disorder = z.disorder - a.disorder;
	r->send_fail = z.send_fail - a.send_fail;
	r->lag_ms = (double)atomic_load_explicit(&b->g.c.max_lag_ns,
						 memory_order_relaxed) / 1e6;
	moved = (z.sent - a.sent) + (z.rtp - a.rtp);
	r->pps = (double)moved / r->wall_s;
	r->ns_pkt = moved ? (double)(z.eng_cpu - a.eng_cpu) / (double)moved
			  : 0;
	expect = (double)PKT_PER_S * b->n * r->wall_s;
	r->short_pct = expect > 0 ?
		100.0 * (1.0 - (double)(z.rtp - a.rtp) / expect) : 0;
	if (r->short_pct < 0)
		r->short_pct = 0;
	r->eng_pct = pct(z.eng_cpu - a.eng_cpu, wall);
	r->gen_pct = pct(z.gen_cpu - a.gen_cpu, wall);
	r->dev_pct = pct(z.dev_cpu - a.dev_cpu, wall);
	r->wait_pct = pct(z.eng_wait - a.eng_wait, wall);
	ours = z.proc_cpu - a.proc_cpu;
	r->others_pct = z.busy > a.busy && z.busy - a.busy > ours ?
		pct(z.busy - a.busy - ours, wall) : 0;
	/* A thread that falls behind shows as frames the playout made up or
	 * threw away, not as late or lost packets: allow 0.5%. */
	r->patched_pct = expect > 0 ?
		100.0 * (double)(r->concealed + r->discarded) / expect : 0;
	r->ok = r->late == 0 && r->lost == 0 && r->gaps == 0 &&
		r->disorder == 0 && r->jb_over == 0 &&
		r->stats_fail == 0 && r->send_fail == 0 &&
		r->short_pct <= 1.0 && r->patched_pct <= 0.5;
}

static void print_head(void)
{
	printf("media: %6s %7s %6s %6s %7s %5s %5s %5s %7s %5s %5s %6s %5s "
	       "%5s %6s %s\n", "calls", "pkt/s", "eng%", "wait%", "ns/pkt",
	       "xraw", "gen%", "dev%", "others%", "late", "lost", "short%",
	       "gaps", "jbmax", "lag_ms", "result");
}

/* Prints one row; @verdict is "ok", or a failure word followed by what
 * failed. */
static void print_step(const struct step *r, double raw, const char *verdict)
{
	char why[96] = "";

	if (!r->ok)
		snprintf(why, sizeof(why), ":%s%s%s%s%s%s%s%s",
			 r->late ? " late" : "", r->lost ? " lost" : "",
			 r->patched_pct > 0.5 ? " concealed" : "",
			 r->short_pct > 1.0 ? " short" : "",
			 r->gaps || r->disorder ? " sequence" : "",
			 r->jb_over ? " jitter-buffer" : "",
			 r->stats_fail ? " stats-unreadable" : "",
			 r->send_fail ? " generator-send" : "");
	printf("media: %6u %7.0f %6.1f %6.1f %7.0f %5.2f %5.1f %5.1f %7.1f "
	       "%5llu %5llu %6.2f %5llu %5u %6.1f %s%s\n", r->n, r->pps,
	       r->eng_pct, r->wait_pct, r->ns_pkt,
	       raw > 0 ? r->ns_pkt / raw : 0, r->gen_pct, r->dev_pct,
	       r->others_pct, (unsigned long long)r->late,
	       (unsigned long long)r->lost, r->short_pct,
	       (unsigned long long)(r->gaps + r->disorder), r->jb_max_ms,
	       r->lag_ms, verdict, why);
	fflush(stdout);
}

/* ---- options ---- */

static int parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
	char *end;
	unsigned long x;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end == s || x < lo || x > hi)
		return -1;
	*v = (unsigned)x;
	return (int)(end - s);
}

/* A whole option value: digits only, in [@lo, @hi]. Return: 0 or -1. */
static int opt_uint(const char *s, unsigned lo, unsigned hi, unsigned *v)
{
	int k = parse_uint(s, lo, hi, v);

	return k < 0 || s[k] ? -1 : 0;
}

static int opt_int(const char *s, int lo, int hi, int *v)
{
	int neg = *s == '-', x;
	unsigned u;

	if (opt_uint(s + neg, 0, 1000, &u) < 0)
		return -1;
	x = neg ? -(int)u : (int)u;
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

static int parse_steps(const char *s, struct opts *o)
{
	o->n_steps = 0;
	while (*s) {
		unsigned v;
		int k = parse_uint(s, 1, MAX_STREAMS, &v);

		if (k < 0 || o->n_steps == MAX_STEPS ||
		    (o->n_steps && v <= o->steps[o->n_steps - 1]))
			return -1;
		o->steps[o->n_steps++] = v;
		s += k;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return o->n_steps ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: sipline-bench media [--steps N,N,...] "
		"[--warmup-ms MS] [--measure-ms MS]\n"
		"                           [--device-rate HZ] "
		"[--frame-ms 5|10|20] [--max-seconds S]\n"
		"                           [--nice N] [--pin] "
		"[--loss PERMILLE]\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const unsigned def_steps[] = {
		250, 500, 1000, 1500, 2000, 2500, 3000
	};

	memset(o, 0, sizeof(*o));
	o->n_steps = sizeof(def_steps) / sizeof(def_steps[0]);
	memcpy(o->steps, def_steps, sizeof(def_steps));
	o->warmup_ms = 1500;
	o->measure_ms = 3000;
	o->device_rate = 8000;
	o->frame_ms = 0;
	o->max_seconds = 85;
	o->nice = -10;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int bad = 0;

		if (strcmp(a, "--pin") == 0) {
			o->pin = 1;
			continue;
		}
		if (!v) {
			usage();
			return -1;
		}
		if (strcmp(a, "--steps") == 0)
			bad = parse_steps(v, o) < 0;
		else if (strcmp(a, "--warmup-ms") == 0)
			bad = opt_uint(v, 200, 60000, &o->warmup_ms) < 0;
		else if (strcmp(a, "--measure-ms") == 0)
			bad = opt_uint(v, 500, 600000, &o->measure_ms) < 0;
		else if (strcmp(a, "--device-rate") == 0)
			bad = opt_uint(v, 8000, 48000, &o->device_rate) < 0;
		else if (strcmp(a, "--frame-ms") == 0)
			bad = opt_uint(v, 5, 20, &o->frame_ms) < 0 ||
			      o->frame_ms % 5 || o->frame_ms == 15;
		else if (strcmp(a, "--loss") == 0)
			bad = opt_uint(v, 0, 1000, &o->loss) < 0;
		else if (strcmp(a, "--nice") == 0)
			bad = opt_int(v, -20, 19, &o->nice) < 0;
		else if (strcmp(a, "--max-seconds") == 0)
			bad = opt_uint(v, 5, 3600, &o->max_seconds) < 0;
		else
			bad = 1;
		if (bad) {
			fprintf(stderr, "media: bad option %s %s\n", a, v);
			usage();
			return -1;
		}
		i++;
	}
	return 0;
}

/* ---- the run ---- */

/* Enough descriptors for every stream's socket and the baseline's pairs. */
static unsigned raise_nofile(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > 1u << 20 ? 1u << 20 : (unsigned)rl.rlim_cur;
}

static void pin_to(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(tid, sizeof(set), &set) < 0)
		fprintf(stderr, "media: pin %d to cpu %d: %s\n", (int)tid,
			cpu, strerror(errno));
}

/* Raises the priority of the threads that keep time - the media
 * thread, the device clock and the generator - above the rest of a busy
 * machine (a phone would run its media thread at a high priority too).
 * Return: 1 done, 0 refused (no CAP_SYS_NICE: the run goes on). */
static int renice(const struct bench *b)
{
	const struct tthread *t[3] = { &b->media, &b->vdev, &b->gent };

	for (int i = 0; i < 3; i++)
		if (t[i]->tid > 0 &&
		    setpriority(PRIO_PROCESS, (id_t)t[i]->tid, b->o.nice) < 0)
			return 0;
	return 1;
}

static int engine_up(struct bench *b, unsigned max_streams)
{
	struct sl_ua_config ucfg;
	struct sl_media_config cfg;
	uint64_t end;
	int rc;

	sl_ua_config_init(&ucfg);
	cfg = ucfg.media;
	snprintf(cfg.audio_driver, sizeof(cfg.audio_driver), "virtual");
	cfg.capture_dev[0] = 0;             /* "null" */
	cfg.playback_dev[0] = 0;
	cfg.media_threads = 1;
	cfg.device_rate = b->o.device_rate;
	if (b->o.frame_ms)
		cfg.device_frame_ms = b->o.frame_ms;
	cfg.max_streams = max_streams;
	b->jb_limit_ms = cfg.jb_max_ms;
	rc = sl__media_engine_create(&cfg, max_streams, &b->eng);
	if (rc < 0) {
		fprintf(stderr, "media: engine: %s\n", sl_strerror(rc));
		return rc;
	}
	/* Self-check of the harness: received packets dropped inside the
	 * engine must show as lost and fail every step. */
	if (b->o.loss)
		sl__media_engine_rx_loss(b->eng, b->o.loss, 1);
	/* The threads name themselves as they start. */
	end = mono_ns() + 2000000000u;
	while ((!b->media.tid || !b->vdev.tid) && mono_ns() < end) {
		if (!b->media.tid)
			tthread_init(&b->media, find_thread("sl-media0"));
		if (!b->vdev.tid)
			tthread_init(&b->vdev, find_thread("sl-vaudio"));
		if (!b->media.tid || !b->vdev.tid)
			poll(NULL, 0, 5);
	}
	if (!b->media.tid) {
		fprintf(stderr, "media: no thread named sl-media0\n");
		return -1;
	}
	return 0;
}

static void print_setup(const struct bench *b, double raw1, double rawn,
			unsigned max_streams)
{
	printf("media: baseline, raw UDP on loopback, %d-byte datagram: "
	       "sendto+recvfrom %.0f ns CPU (1 socket pair, best of 3); "
	       "%.0f ns cycling over %d pairs\n", PKT_LEN, raw1, rawn,
	       RAW_PAIRS);
	printf("media: engine: 1 media thread, virtual null devices at %u Hz "
	       "in %u ms frames, PCMU 20 ms, jitter buffer 20..200 ms, "
	       "rtcp-mux, telephone-event; pools for %u streams\n",
	       b->o.device_rate, b->o.frame_ms ? b->o.frame_ms : 10,
	       max_streams);
	printf("media: generator: 1 thread, %d sockets, calls spread over "
	       "%d 1-ms phase slots, sendmmsg/recvmmsg; %ld CPUs online, "
	       "shared with the generator and the rest of the machine\n",
	       SLOTS, SLOTS, sysconf(_SC_NPROCESSORS_ONLN));
	printf("media: priority: %s; media, device and generator threads "
	       "at nice %d%s%s\n", b->group_niced ?
	       "own session, its scheduler group at the same nice" :
	       "the caller's scheduler group",
	       b->niced ? b->o.nice : 0,
	       b->o.nice && !b->niced ? " (renice refused)" : "",
	       b->o.pin ? "; media thread pinned to cpu 0, generator to 1" :
	       "");
	printf("media: columns: eng%% media thread CPU / wall; wait%% media "
	       "thread runnable but not running; ns/pkt media thread CPU / "
	       "RTP packets moved (in + out);\n"
	       "media: xraw ns/pkt / raw sendto+recvfrom; gen%% generator, "
	       "dev%% virtual device clock, others%% rest of the machine "
	       "(steal included), none charged to the engine;\n"
	       "media: late, lost from the engine's statistics; short%% "
	       "engine sends missing; gaps: sequence gaps, duplicates or "
	       "reordering in what it sent;\n"
	       "media: jbmax deepest jitter buffer (ms) at the end, beyond "
	       "%u ms (jb_max_ms) playout fell behind; lag_ms generator's "
	       "worst wake-up delay\n", b->jb_limit_ms);
}

static void print_fail(const struct step *f)
{
	printf("media: first failing step: %u calls (late %llu and lost %llu "
	       "in %u streams, sequence errors %llu, short %.2f%%, %u "
	       "jitter buffers too deep (deepest %u ms), media thread %.0f%% "
	       "busy and %.0f%% waiting for a CPU, generator lag %.1f ms, "
	       "others %.0f%%)\n", f->n,
	       (unsigned long long)f->late, (unsigned long long)f->lost,
	       f->bad_streams, (unsigned long long)(f->gaps + f->disorder),
	       f->short_pct, f->jb_over, f->jb_max_ms, f->eng_pct,
	       f->wait_pct, f->lag_ms, f->others_pct);
}

static void summary(const struct bench *b)
{
	const struct step *best = &b->best;
	double ratio;

	if (b->raw1_end > 0)
		printf("media: baseline again after the ramp: %.0f ns "
		       "(%+.0f%%: how much the machine drifted)\n", b->raw1_end,
		       100.0 * (b->raw1_end - b->raw1) / b->raw1);
	if (!b->have_best) {
		printf("media: sustained: no step held: target >= 2000 "
		       "calls MISSED\n");
		if (b->have_fail)
			print_fail(&b->fail);
		return;
	}
	ratio = b->raw1 > 0 ? best->ns_pkt / b->raw1 : 0;
	printf("media: sustained %u concurrent calls on one media thread "
	       "(%.0f RTP packets/s, none late or lost)%s: target >= 2000 "
	       "%s\n", best->n, best->pps,
	       b->have_fail ? "" : b->budget_hit ?
	       " - the time budget ended the ramp" :
	       " - every step held, the ramp ended first",
	       best->n >= 2000 ? "MET" : "MISSED");
	printf("media: engine cost %.0f ns CPU per packet at %u calls = "
	       "%.2fx raw UDP send+recv (%.0f ns): target <= 2x %s\n",
	       best->ns_pkt, best->n, ratio, b->raw1,
	       ratio <= 2.0 ? "MET" : "MISSED");
	printf("media: at %u calls the media thread was %.0f%% busy and "
	       "%.0f%% waiting for a CPU; mean jitter %.1f ms, jitter buffer "
	       "%.0f ms deep, %llu frames concealed\n", best->n,
	       best->eng_pct, best->wait_pct, best->jitter_ms, best->jb_ms,
	       (unsigned long long)best->concealed);
	/* The cost per packet falls as the load rises (fewer wake-ups per
	 * packet), so the highest load measured predicts best. It is an
	 * upper bound: a tick's work comes in bursts that must end before
	 * the next frames are due, so the thread needs headroom. */
	if (b->have_last && b->last.ns_pkt > 0)
		printf("media: CPU alone would allow about %.0f calls on a "
		       "whole core (%.0f ns per packet as measured at %u "
		       "calls, %d packets/s per call): an upper bound\n",
		       1e9 / (b->last.ns_pkt * 2 * PKT_PER_S),
		       b->last.ns_pkt, b->last.n, 2 * PKT_PER_S);
	if (b->have_fail)
		print_fail(&b->fail);
}

/* The baseline: best of three on one pair, then the many-pair figure.
 * Return: 0 or -1. */
static int baseline(double *one, double *many)
{
	for (int k = 0; k < 3; k++) {
		double v;

		if (raw_udp(1, RAW_ITERS, &v) < 0)
			return -1;
		if (k == 0 || v < *one)
			*one = v;
	}
	return many ? raw_udp(RAW_PAIRS, RAW_ITERS, many) : 0;
}

static int run(struct bench *b)
{
	unsigned max_streams = b->o.steps[b->o.n_steps - 1], fds;
	uint64_t budget = (uint64_t)b->o.max_seconds * 1000000000u;
	uint64_t per_step = 2ull * (b->o.warmup_ms + b->o.measure_ms) *
			    1000000u;
	struct step r;

	fds = raise_nofile(max_streams + 2 * RAW_PAIRS + 256);
	if (max_streams + 2 * RAW_PAIRS + 64 > fds) {
		fprintf(stderr, "media: %u file descriptors allowed, too few "
			"for %u streams\n", fds, max_streams);
		return -1;
	}
	/* The baseline first, with nothing else of ours running. */
	if (baseline(&b->raw1, &b->rawn) < 0) {
		fprintf(stderr, "media: raw UDP baseline failed\n");
		return -1;
	}
	b->pcmu = sl_codec_find("PCMU", 8000);
	b->ids = calloc(max_streams, sizeof(*b->ids));
	b->st0 = calloc(max_streams, sizeof(*b->st0));
	b->st1 = calloc(max_streams, sizeof(*b->st1));
	if (!b->pcmu || !b->ids || !b->st0 || !b->st1 ||
	    gen_init(&b->g, b->pcmu) < 0) {
		fprintf(stderr, "media: set-up failed (PCMU, memory or "
			"generator sockets)\n");
		return -1;
	}
	if (engine_up(b, max_streams) < 0)
		return -1;
	if (pthread_create(&b->g.thread, NULL, gen_main, &b->g) != 0) {
		fprintf(stderr, "media: generator thread\n");
		return -1;
	}
	b->g.started = 1;
	for (int k = 0; k < 400 && !atomic_load(&b->g.tid); k++)
		poll(NULL, 0, 5);
	tthread_init(&b->gent, (pid_t)atomic_load(&b->g.tid));
	if (b->o.pin) {
		pin_to(b->media.tid, 0);
		pin_to(b->gent.tid, 1);
	}
	if (b->o.nice)
		b->niced = renice(b);
	print_setup(b, b->raw1, b->rawn, max_streams);
	print_head();

	for (unsigned si = 0; si < b->o.n_steps; si++) {
		if (grow_to(b, b->o.steps[si]) < 0)
			return -1;
		measure(b, b->o.warmup_ms, &r);
		if (!r.ok) {
			/* A shared machine: one more window, same load. */
			print_step(&r, b->raw1, "again");
			measure(b, b->o.warmup_ms / 2, &r);
		}
		print_step(&r, b->raw1, r.ok ? "ok" : "FAILED");
		b->last = r;
		b->have_last = 1;
		if (!r.ok) {
			b->fail = r;
			b->have_fail = 1;
			break;
		}
		b->best = r;
		b->have_best = 1;
		if (si + 1 < b->o.n_steps &&
		    mono_ns() - b->t_start + per_step > budget) {
			printf("media: time budget (%u s) spent: ramp "
			       "stopped\n", b->o.max_seconds);
			b->budget_hit = 1;
			break;
		}
	}
	return 0;
}

/* The whole run, in whichever process runs it. Return: the exit status. */
static int bench_run(struct bench *b)
{
	int rc;

	b->t_start = mono_ns();
	rc = run(b);

	/* The generator stops first, so the engine's last packets and its
	 * RTCP BYEs meet closed sockets rather than a reader. */
	atomic_store(&b->g.stop, 1);
	if (b->g.started) {
		pthread_join(b->g.thread, NULL);
		b->g.started = 0;
	}
	if (b->eng)
		sl__media_engine_destroy(b->eng);
	gen_fini(&b->g);
	free(b->ids);
	free(b->st0);
	free(b->st1);
	if (rc < 0)
		return 1;
	/* Once more with the machine as it is now: a drift check. */
	if (baseline(&b->raw1_end, NULL) < 0)
		b->raw1_end = 0;
	summary(b);
	printf("media: run took %.1f s\n",
	       (double)(mono_ns() - b->t_start) / 1e9);
	return 0;
}

/*
 * With autogroup scheduling (Linux's default on desktops and many
 * servers), a thread's nice value only ranks it inside its session's
 * group, and every other session's group gets an equal share of the
 * CPU whatever our threads' nice, so on a busy shared machine the media
 * thread gets half a core at best. The run therefore goes to a child in
 * a session (and group) of its own, whose nice is raised for the run
 * only: the group ends with the child and no other process is touched.
 * Return: the child's exit status, or -1 when no child could be made
 * (then the caller runs in this process).
 */
static int run_in_own_group(struct bench *b)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char v[16];
		int fd, n = snprintf(v, sizeof(v), "%d", b->o.nice);

		if (setsid() >= 0 &&
		    (fd = open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC))
		    >= 0) {
			b->group_niced = write(fd, v, (size_t)n) == n;
			close(fd);
		}
		st = bench_run(b);
		fflush(stdout);
		fflush(stderr);
		_exit(st);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	fprintf(stderr, "media: the run died (signal %d)\n",
		WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return 1;
}

int bench_media_main(int argc, char **argv)
{
	struct bench *b = calloc(1, sizeof(*b));
	int rc = -1;

	if (!b)
		return 1;
	/* Rows appear as they are measured, even through a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_opts(argc, argv, &b->o) < 0) {
		free(b);
		return 2;
	}
	if (b->o.nice < 0)
		rc = run_in_own_group(b);
	if (rc < 0)
		rc = bench_run(b);
	free(b);
	return rc;
}
