/*
 * tools/sipline/signals.c: SIGINT and SIGTERM as a readable fd
 * (signalfd), so the main loop handles them like any other input and no
 * code runs in a signal handler.
 *
 * The signals are blocked before any thread starts (the UA's loop and
 * media threads, the recorder's writer inherit the mask), so only the
 * signalfd ever takes them. SIGPIPE is ignored: a reader of our events
 * that went away shows as a write error, not a death.
 *
 * Owns: the signalfd (for the process's lifetime).
 * Thread: main thread.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "agent.h"

int signals_init(void)
{
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
		fprintf(stderr, AGENT_NAME ": cannot block signals\n");
		return -1;
	}
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		perror(AGENT_NAME ": signalfd");
	return fd;
}

int signals_read(int fd)
{
	struct signalfd_siginfo si;
	ssize_t n = read(fd, &si, sizeof(si));

	if (n != (ssize_t)sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}
