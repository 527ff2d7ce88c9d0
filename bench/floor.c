/*
 * floor.c: the least a watcher can do, as the floor watchrun is measured
 * against.  floor [-g] -w DIR -d 0 -- CMD [ARG...]: adds one inotify watch
 * per directory below DIR (with nftw(3), or with -g by reading each
 * directory with getdents64(2) and no stat), prints "ready" on stderr,
 * then for every read(2) that returns events fork+execs CMD once and
 * waits for it.  No matching, no debounce, no scan of new directories.
 * With -n COUNT it runs nothing: it reads until COUNT events (or an
 * overflow) have come, then prints its own CPU time and exits, the cost
 * of merely reading inotify at the rate the events came.
 *
 * floor -p MS -w DIR is the floor of polling instead: it lists DIR's tree
 * once, prints "ready", then every MS milliseconds opens each directory
 * with O_PATH and statx(2)es it and each of its entries, what any poller
 * that compares stat data must do to see a file change, and nothing else
 * (no comparison, no listing again), until it is killed.
 */
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MASK	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | \
		    IN_DELETE | IN_ONLYDIR)

static int ifd;
static long nwatches;

static int
visit(const char *p, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)f;
	if (type == FTW_D && inotify_add_watch(ifd, p, MASK) >= 0)
		nwatches++;
	return 0;
}

/* Depth first, one open directory at a time, paths in one buffer. */
static void
walk(char *path, size_t len, size_t size, char *buf)
{
	struct dirent64 *d;
	ssize_t n, at;
	size_t nl;
	int fd;
	char *names = NULL;
	size_t nnames = 0, namesz = 0, i;

	if (inotify_add_watch(ifd, path, MASK) >= 0)
		nwatches++;
	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	while ((n = getdents64(fd, buf, 32768)) > 0)
		for (at = 0; at < n; at += d->d_reclen) {
			d = (struct dirent64 *)(buf + at);
			if (d->d_type != DT_DIR ||
			    strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			nl = strlen(d->d_name) + 1;
			if (nnames + nl > namesz) {
				namesz = (nnames + nl) * 2;
				if ((names = realloc(names, namesz)) == NULL)
					err(1, "realloc");
			}
			memcpy(names + nnames, d->d_name, nl);
			nnames += nl;
		}
	close(fd);
	for (i = 0; i < nnames; i += strlen(names + i) + 1) {
		nl = strlen(names + i);
		if (len + 1 + nl + 1 > size)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, names + i, nl + 1);
		walk(path, len + 1 + nl, size, buf);
		path[len] = '\0';
	}
	free(names);
}

/* CPU time so far: utime+stime in us, and on-CPU ns from schedstat. */
static void
cpu_now(long long *us, unsigned long long *ns)
{
	struct rusage ru;
	FILE *fp;

	getrusage(RUSAGE_SELF, &ru);
	*us = (long long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
	    ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
	*ns = 0;
	if ((fp = fopen("/proc/self/schedstat", "re")) != NULL) {
		if (fscanf(fp, "%llu", ns) != 1)
			*ns = 0;
		fclose(fp);
	}
}

/*
 * Reads until limit events have come; reports the CPU that took, from
 * the first read on.
 */
static int
count_only(char *buf, size_t size, long limit)
{
	struct inotify_event *ev;
	unsigned long long ns0, ns1;
	long long us0, us1;
	long events = 0, reads = 0, overflows = 0;
	ssize_t len;
	char *p;

	cpu_now(&us0, &ns0);
	while (events < limit && overflows == 0) {
		if ((len = read(ifd, buf, size)) <= 0)
			err(1, "read");
		reads++;
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				overflows++;
			else
				events++;
		}
	}
	cpu_now(&us1, &ns1);
	fprintf(stderr, "floor: %ld events in %ld reads; utime+stime %lld us; "
	    "on-CPU %llu ns; %ld overflows\n", events, reads, us1 - us0,
	    ns1 - ns0, overflows);
	return overflows > 0;
}

/* The tree as floor -p polls it: each directory and its entries' names. */
struct polldir {
	char		*path;
	char		*names;		/* NUL-terminated, one after another */
	size_t		 len;
};

struct polltree {
	struct polldir	*dirs;
	size_t		 n, size;
	long		 entries;
};

/* Lists path's tree into t, depth first. */
static void
poll_list(struct polltree *t, const char *path, char *buf)
{
	struct dirent64 *d;
	struct polldir *pd;
	ssize_t n, at;
	size_t nl, i, first, size = 0;
	char *sub;
	int fd;

	if ((fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (t->n == t->size) {
		t->size = t->size ? t->size * 2 : 64;
		if ((t->dirs = reallocarray(t->dirs, t->size,
		    sizeof(*t->dirs))) == NULL)
			err(1, "reallocarray");
	}
	first = t->n++;
	pd = &t->dirs[first];
	if ((pd->path = strdup(path)) == NULL)
		err(1, "strdup");
	pd->names = NULL;
	pd->len = 0;
	while ((n = getdents64(fd, buf, 32768)) > 0)
		for (at = 0; at < n; at += d->d_reclen) {
			d = (struct dirent64 *)(buf + at);
			if (strcmp(d->d_name, ".") == 0 ||
			    strcmp(d->d_name, "..") == 0)
				continue;
			nl = strlen(d->d_name) + 1;
			if (pd->len + nl > size) {
				size = (pd->len + nl) * 2;
				if ((pd->names = realloc(pd->names, size)) ==
				    NULL)
					err(1, "realloc");
			}
			memcpy(pd->names + pd->len, d->d_name, nl);
			pd->len += nl;
			t->entries++;
		}
	close(fd);
	for (i = 0; i < t->dirs[first].len; i += nl + 1) {
		pd = &t->dirs[first];
		nl = strlen(pd->names + i);
		if (asprintf(&sub, "%s/%s", pd->path, pd->names + i) == -1)
			err(1, "asprintf");
		if ((fd = open(sub, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC)) != -1) {
			close(fd);
			poll_list(t, sub, buf);
		}
		free(sub);
	}
}

/* One pass: what a stat-comparing poller cannot do without. */
static void
poll_pass(const struct polltree *t)
{
	const unsigned mask = STATX_TYPE | STATX_MODE | STATX_INO |
	    STATX_SIZE | STATX_MTIME | STATX_CTIME;
	struct statx sx;
	size_t i, at;
	int fd;

	for (i = 0; i < t->n; i++) {
		if ((fd = open(t->dirs[i].path, O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			continue;
		(void)statx(fd, "", AT_EMPTY_PATH, mask, &sx);
		for (at = 0; at < t->dirs[i].len;
		    at += strlen(t->dirs[i].names + at) + 1)
			(void)statx(fd, t->dirs[i].names + at,
			    AT_SYMLINK_NOFOLLOW, mask, &sx);
		close(fd);
	}
}

static void
poll_only(const char *dir, long every_ms, char *buf)
{
	struct polltree t = { NULL, 0, 0, 0 };
	struct timespec next;

	poll_list(&t, dir, buf);
	fprintf(stderr, "floor: ready, polling %zu directories, %ld entries\n",
	    t.n, t.entries);
	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		next.tv_sec += every_ms / 1000;
		next.tv_nsec += every_ms % 1000 * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
		    NULL) != 0)
			;
		poll_pass(&t);
	}
}

int
main(int argc, char *argv[])
{
	static char buf[65536] __attribute__((aligned(8)));
	static char path[8192];
	const char *dir = ".";
	char **cmd;
	ssize_t len;
	pid_t pid;
	long limit = 0, every_ms = 0;
	int c, getdents = 0;

	while ((c = getopt(argc, argv, "gn:p:w:d:")) != -1) {
		if (c == 'w')
			dir = optarg;
		else if (c == 'g')
			getdents = 1;
		else if (c == 'n')
			limit = strtol(optarg, NULL, 10);
		else if (c == 'p')
			every_ms = strtol(optarg, NULL, 10);
	}
	if (every_ms > 0)
		poll_only(dir, every_ms, buf);
	cmd = argv + optind;
	if (*cmd == NULL && limit <= 0)
		errx(2, "usage: floor [-g] -w dir -d 0 -- command [arg ...]\n"
		    "       floor [-g] -w dir -n count\n"
		    "       floor -p ms -w dir");
	if ((ifd = inotify_init1(IN_CLOEXEC)) == -1)
		err(1, "inotify_init1");
	if (getdents) {
		snprintf(path, sizeof(path), "%s", dir);
		walk(path, strlen(path), sizeof(path), buf);
	} else
		nftw(dir, visit, 64, FTW_PHYS);
	fprintf(stderr, "floor: ready, watching %ld directories\n", nwatches);
	if (limit > 0)
		return count_only(buf, sizeof(buf), limit);
	for (;;) {
		if ((len = read(ifd, buf, sizeof(buf))) <= 0)
			err(1, "read");
		if ((pid = fork()) == 0) {
			execvp(cmd[0], cmd);
			_exit(127);
		}
		waitpid(pid, NULL, 0);
	}
}
