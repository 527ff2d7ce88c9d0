/*
 * guard.c: the guardian process.  PR_SET_PDEATHSIG reaches only a
 * command's first process; the shell's children would survive a SIGKILL
 * of watchrun.  The guardian knows every live command group and, when the
 * pipe from watchrun reaches end of file without watchrun having said
 * that the groups are gone, sends them the stop signal and then SIGKILL.
 * It runs in its own session so that a signal to watchrun's process group
 * or terminal does not take it down first.  A command that leaves its group
 * (setsid) and whose parent then exits is beyond its reach; see CAVEATS
 * in watchrun(1).
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "guard.h"
#include "xmalloc.h"

struct guard {
	pid_t	 pid;
	int	 fd;		/* write end */
};

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int
any_alive(const pid_t *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (kill(-g[i], 0) == 0)
			return 1;
	return 0;
}

/* A stopped group would hold a stop signal until SIGKILL: wake it. */
static void
signal_all(const pid_t *g, size_t n, int sig)
{
	size_t i;

	for (i = 0; i < n; i++) {
		(void)kill(-g[i], sig);
		if (sig != SIGKILL)
			(void)kill(-g[i], SIGCONT);
	}
}

static void __attribute__((__noreturn__))
guardian(int fd, uint64_t stop_us, int stop_signal)
{
	pid_t *groups = NULL, rec;
	size_t n = 0, size = 0, i;
	uint64_t waited;
	ssize_t r;
	int null;

	(void)setsid();
	/* Hold no one's pipe or terminal open: keep only our own pipe. */
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(null, 0);
		(void)dup2(null, 1);
		(void)dup2(null, 2);
		if (null > 2 && null != fd)
			(void)close(null);
	}
	if (fd > 3)
		(void)close_range(3, (unsigned int)fd - 1, 0);
	(void)close_range((unsigned int)fd + 1, ~0U, 0);
	for (;;) {
		r = read(fd, &rec, sizeof(rec));
		if (r == -1 && errno == EINTR)
			continue;
		if (r != (ssize_t)sizeof(rec))
			break;
		if (rec > 0) {
			if (n == size) {
				size = size == 0 ? 8 : size * 2;
				groups = xreallocarray(groups, size,
				    sizeof(*groups));
			}
			groups[n++] = rec;
		} else
			for (i = 0; i < n; i++)
				if (groups[i] == -rec) {
					groups[i] = groups[--n];
					break;
				}
	}
	if (n > 0) {
		signal_all(groups, n, stop_signal);
		for (waited = 0; waited < stop_us && any_alive(groups, n);
		    waited += 10000)
			nap_ms(10);
		signal_all(groups, n, SIGKILL);
	}
	free(groups);
	_exit(0);
}

struct guard *
guard_start(uint64_t stop_us, int stop_signal)
{
	struct guard *g;
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return NULL;
	switch ((pid = fork())) {
	case -1:
		close(p[0]);
		close(p[1]);
		return NULL;
	case 0:
		close(p[1]);
		guardian(p[0], stop_us, stop_signal);
		/* NOTREACHED */
	}
	close(p[0]);
	g = xcalloc(1, sizeof(*g));
	g->pid = pid;
	g->fd = p[1];
	return g;
}

static void
send_rec(struct guard *g, pid_t rec)
{
	ssize_t r;

	if (g == NULL || g->fd == -1)
		return;
	/* Four bytes are below PIPE_BUF: the write is whole or not at all. */
	while ((r = write(g->fd, &rec, sizeof(rec))) == -1 && errno == EINTR)
		;
	if (r == -1) {
		warn("guardian pipe");
		close(g->fd);
		g->fd = -1;
	}
}

void
guard_add(struct guard *g, pid_t pgid)
{
	send_rec(g, pgid);
}

void
guard_del(struct guard *g, pid_t pgid)
{
	send_rec(g, -pgid);
}

pid_t
guard_pid(const struct guard *g)
{
	return g == NULL ? -1 : g->pid;
}

void
guard_stop(struct guard *g)
{
	if (g == NULL)
		return;
	if (g->fd != -1)
		close(g->fd);
	while (waitpid(g->pid, NULL, 0) == -1 && errno == EINTR)
		;
	free(g);
}
