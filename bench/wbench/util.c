/*
 * util.c: what every file of the benchmark driver uses: the clock, naps
 * that an interrupt ends, the signals read from a signalfd, progress and
 * failure messages, allocation that dies on failure, and paths.
 */
#include <sys/signalfd.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

/*
 * SIGINT, SIGTERM and SIGHUP are blocked and read from b->sigfd, so that
 * no handler needs a global flag; the mask from before goes to children.
 */
void
signals_init(struct bench *b)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, &b->mask0) == -1)
		err(1, "sigprocmask");
	if ((b->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(1, "signalfd");
}

/* In a child before exec: blocked signals would survive the exec. */
void
signals_child(const struct bench *b)
{
	(void)sigprocmask(SIG_SETMASK, &b->mask0, NULL);
}

/* Exits, cleaning up through on_exit, when a signal has come. */
void
check_interrupted(struct bench *b)
{
	struct signalfd_siginfo si;

	if (read(b->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		errx(1, "interrupted by signal %d", (int)si.ssi_signo);
}

/* Sleeps ns, or exits at once on a signal. */
void
nap(struct bench *b, uint64_t ns)
{
	struct pollfd pfd;
	struct timespec ts;
	uint64_t deadline = now_ns() + ns, t;
	int n;

	pfd.fd = b->sigfd;
	pfd.events = POLLIN;
	while ((t = now_ns()) < deadline) {
		ts.tv_sec = (time_t)((deadline - t) / SEC);
		ts.tv_nsec = (long)((deadline - t) % SEC);
		if ((n = ppoll(&pfd, 1, &ts, NULL)) == -1 && errno != EINTR)
			err(1, "ppoll");
		if (n > 0)
			check_interrupted(b);
	}
}

void
progress(const struct bench *b, const char *fmt, ...)
{
	va_list ap;

	if (!b->o.verbose)
		return;
	va_start(ap, fmt);
	fputs("wbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void
fail(struct bench *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("wbench: FAILED: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	b->failures++;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		err(1, "calloc");
	return p;
}

void *
xrealloc(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		err(1, "reallocarray");
	return p;
}

char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		err(1, "strdup");
	return p;
}

/* Formats a path into buf, PATH_MAX bytes; dies rather than truncate. */
void
pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		errx(1, "path too long");
}

void
first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

int
in_path(const char *name)
{
	char path[PATH_MAX], *dirs, *d, *save = NULL;
	const char *env;
	int found = 0;

	if ((env = getenv("PATH")) == NULL)
		env = "/usr/bin:/bin";
	dirs = xstrdup(env);
	for (d = strtok_r(dirs, ":", &save); d != NULL && !found;
	    d = strtok_r(NULL, ":", &save)) {
		pathf(path, "%s/%s", *d ? d : ".", name);
		found = access(path, X_OK) == 0;
	}
	free(dirs);
	return found;
}

const char *
fs_name(const char *path)
{
	struct statfs sf;

	if (statfs(path, &sf) == -1)
		return "?";
	switch ((unsigned long)sf.f_type) {
	case 0xEF53:
		return "ext4";
	case 0x01021994:
		return "tmpfs";
	case 0x58465342:
		return "xfs";
	case 0x9123683E:
		return "btrfs";
	case 0x794c7630:
		return "overlayfs";
	default:
		return "other";
	}
}

/*
 * Parses a duration as watchrun takes it ("100ms", "1s", "1.5s", "2m");
 * returns 0 and sets *ns, or -1.
 */
int
duration_ns(const char *s, uint64_t *ns)
{
	static const struct {
		const char	*unit;
		double		 ns;
	} units[] = { { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	    { "m", 60e9 }, { "h", 3600e9 } };
	char *end;
	double v;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtod(s, &end);
	for (i = 0; i < NITEMS(units); i++)
		if (strcmp(end, units[i].unit) == 0) {
			if (v * units[i].ns > 86400e9)
				return -1;
			*ns = (uint64_t)(v * units[i].ns);
			return 0;
		}
	return -1;
}

/* The interval of --backend poll= in ns (main.c checked it: not 0). */
uint64_t
poll_every_ns(const struct bench *b)
{
	uint64_t ns = SEC;

	(void)duration_ns(b->o.poll_every, &ns);
	return ns;
}
