/*
 * procfs.c: what the benchmark reads from /proc: a process tree and its
 * resources (RSS, PSS, CPU, context switches, inotify watches and
 * fanotify marks), the machine's busy time, and the inotify limits.
 */
#include <sys/resource.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

struct pinfo {
	pid_t		 ppid;
	char		 state;
	unsigned long long utime, stime;
	long long	 cutime, cstime;
	long		 threads;
};

static int
read_stat(pid_t pid, struct pinfo *pi)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu "
	    "%llu %lld %lld %*d %*d %ld", &pi->state, &ppid, &pi->utime,
	    &pi->stime, &pi->cutime, &pi->cstime, &pi->threads) != 7)
		return -1;
	pi->ppid = ppid;
	return 0;
}

/* The number after "key" in a "Key: value" file, or -1. */
long long
read_key(const char *path, const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	long long v = -1;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, klen) == 0) {
			v = strtoll(line + klen, NULL, 10);
			break;
		}
	fclose(fp);
	return v;
}

static unsigned long long
read_first(const char *path)
{
	unsigned long long v = 0;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return 0;
	if (fscanf(fp, "%llu", &v) != 1)
		v = 0;
	fclose(fp);
	return v;
}

/*
 * Stores root and every live descendant of it in out[], max at most;
 * returns how many.  The tables of all processes stay in b for next time.
 */
size_t
procfs_descendants(struct bench *b, pid_t root, pid_t *out, size_t max)
{
	struct pinfo pi;
	struct dirent *e;
	size_t n = 0, i, k, m = 0;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (n == b->scan_size) {
			b->scan_size = b->scan_size == 0 ? 1024 :
			    b->scan_size * 2;
			b->scan_pid = xrealloc(b->scan_pid, b->scan_size,
			    sizeof(*b->scan_pid));
			b->scan_ppid = xrealloc(b->scan_ppid, b->scan_size,
			    sizeof(*b->scan_ppid));
		}
		b->scan_pid[n] = (pid_t)atoi(e->d_name);
		if (read_stat(b->scan_pid[n], &pi) == -1)
			continue;
		b->scan_ppid[n++] = pi.ppid;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		if (b->scan_pid[i] == root)
			out[m++] = root;
	for (k = 0; k < m; k++)
		for (i = 0; i < n && m < max; i++)
			if (b->scan_ppid[i] == out[k])
				out[m++] = b->scan_pid[i];
	return m;
}

/*
 * The inotify watches and fanotify marks of pid, from the fdinfo of its
 * inotify and fanotify descriptors.
 */
static long long
count_watches(pid_t pid)
{
	char path[PATH_MAX], link[64], line[128];
	struct dirent *e;
	long long w = 0;
	ssize_t n;
	FILE *fp;
	DIR *d;
	int fan;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		fan = strcmp(link, "anon_inode:[fanotify]") == 0;
		if (!fan && strcmp(link, "anon_inode:inotify") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
		    e->d_name);
		if ((fp = fopen(path, "re")) == NULL)
			continue;
		while (fgets(line, sizeof(line), fp) != NULL)
			if (fan ? strncmp(line, "fanotify ", 9) == 0 &&
			    strncmp(line, "fanotify flags:", 15) != 0 :
			    strncmp(line, "inotify wd:", 11) == 0)
				w++;
		fclose(fp);
	}
	closedir(d);
	return w;
}

/*
 * Sums over root and its descendants: RSS, CPU and, when full, PSS,
 * inotify watches and, over every thread, context switches and on-CPU
 * time.
 */
void
procfs_measure(struct bench *b, pid_t root, struct tmeas *m, int full)
{
	pid_t pids[MAXPIDS];
	char path[PATH_MAX];
	struct pinfo pi;
	struct dirent *e;
	size_t n, i;
	long long v;
	DIR *d;

	memset(m, 0, sizeof(*m));
	n = procfs_descendants(b, root, pids, MAXPIDS);
	for (i = 0; i < n; i++) {
		if (read_stat(pids[i], &pi) == -1 || pi.state == 'Z')
			continue;
		m->procs++;
		m->threads += (size_t)pi.threads;
		m->ticks += pi.utime + pi.stime;
		m->cticks += pi.utime + pi.stime +
		    (unsigned long long)(pi.cutime + pi.cstime);
		pathf(path, "/proc/%d/status", (int)pids[i]);
		if ((v = read_key(path, "VmRSS:")) > 0)
			m->rss_kb += v;
		if (!full)
			continue;
		pathf(path, "/proc/%d/smaps_rollup", (int)pids[i]);
		if ((v = read_key(path, "Pss:")) > 0)
			m->pss_kb += v;
		m->watches += count_watches(pids[i]);
		pathf(path, "/proc/%d/task", (int)pids[i]);
		if ((d = opendir(path)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			pathf(path, "/proc/%d/task/%s/status", (int)pids[i],
			    e->d_name);
			if ((v = read_key(path, "voluntary_ctxt_switches:")) >
			    0)
				m->vol += (unsigned long long)v;
			if ((v = read_key(path,
			    "nonvoluntary_ctxt_switches:")) > 0)
				m->invol += (unsigned long long)v;
			pathf(path, "/proc/%d/task/%s/schedstat", (int)pids[i],
			    e->d_name);
			m->sched_ns += read_first(path);
		}
		closedir(d);
	}
}

/* The process's own CPU: utime + stime in ticks, and on-CPU ns. */
void
own_cpu(pid_t pid, unsigned long long *ticks, unsigned long long *ns)
{
	char path[64];
	struct pinfo pi;

	*ticks = 0;
	if (read_stat(pid, &pi) == 0)
		*ticks = pi.utime + pi.stime;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	*ns = read_first(path);
}

/* The machine's busy ticks, and ours and our children's CPU in s. */
void
load_mark(struct load *l)
{
	unsigned long long v[8] = { 0 };
	struct rusage ru, rc;
	FILE *fp;

	if ((fp = fopen("/proc/stat", "re")) != NULL) {
		if (fscanf(fp, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
		    &v[7]) != 8)
			memset(v, 0, sizeof(v));
		fclose(fp);
	}
	l->busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	getrusage(RUSAGE_SELF, &ru);
	getrusage(RUSAGE_CHILDREN, &rc);
	l->self = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	    rc.ru_utime.tv_sec + rc.ru_stime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec +
	    rc.ru_utime.tv_usec + rc.ru_stime.tv_usec) / 1e6;
	l->t = now_ns();
}

/*
 * The inotify limits are system-wide: a test elsewhere that lowers them
 * for a while makes a tool fail or fall short.  Every start compares them
 * with their values when the benchmark began, and each scenario lists
 * the times they differed in its notes, with any start that failed.
 */
static const char *const limit_names[3] = { "max_user_watches",
    "max_user_instances", "max_queued_events" };

void
limits_read(long long *v)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < 3; i++) {
		pathf(path, "/proc/sys/fs/inotify/%s", limit_names[i]);
		v[i] = read_key(path, "");
	}
}

/* Returns 1, noting it for the report, when a limit is not as it was. */
int
limits_check(struct bench *b, const char *tool, const char *when)
{
	long long v[3];
	int i, changed = 0;

	limits_read(v);
	for (i = 0; i < 3; i++)
		if (v[i] != b->limits0[i]) {
			fprintf(b->notes, "- WARNING: fs.inotify.%s was "
			    "%lld, not %lld, %s %s; another process changed "
			    "it.\n", limit_names[i], v[i], b->limits0[i], when,
			    tool);
			changed = 1;
		}
	return changed;
}

static int
write_watches(long long v)
{
	FILE *fp;
	int ok;

	if ((fp = fopen("/proc/sys/fs/inotify/max_user_watches", "we")) ==
	    NULL)
		return -1;
	ok = fprintf(fp, "%lld\n", v) > 0;
	return fclose(fp) == 0 && ok ? 0 : -1;
}

/*
 * Makes room for n more inotify watches: returns 1 when the limit leaves
 * n + 20,000 (for the user's other watchers), raising it by as much for
 * the run when allowed (the full benchmark, as root), and 0 with why set
 * otherwise.  limits_restore() or the exit puts it back.
 */
int
limits_room(struct bench *b, long n, char *why, size_t size)
{
	long long v[3], want;

	limits_read(v);
	if (v[0] >= n + 20000LL)
		return 1;
	if (v[0] < 0) {
		snprintf(why, size, "fs.inotify.max_user_watches cannot be "
		    "read");
		return 0;
	}
	want = v[0] + n + 20000LL;
	if (b->o.smoke || geteuid() != 0) {
		snprintf(why, size, "%ld directories need "
		    "fs.inotify.max_user_watches ≥ %lld, and it is %lld; the "
		    "full benchmark run as root raises it for the run", n,
		    n + 20000LL, v[0]);
		return 0;
	}
	if (write_watches(want) == -1) {
		snprintf(why, size, "raising fs.inotify.max_user_watches "
		    "from %lld to %lld: %s", v[0], want, strerror(errno));
		return 0;
	}
	if (b->watches_saved == -1)
		b->watches_saved = v[0];
	b->limits0[0] = want;
	fprintf(b->notes, "- fs.inotify.max_user_watches was raised from "
	    "%lld to %lld for this scenario, and put back after it.\n",
	    b->watches_saved, want);
	return 1;
}

/* Puts back a limit limits_room() raised, unless another process moved it. */
void
limits_restore(struct bench *b)
{
	long long v[3];

	if (b->watches_saved == -1)
		return;
	limits_read(v);
	if (v[0] != b->limits0[0])
		warnx("fs.inotify.max_user_watches is %lld, not the %lld set "
		    "for the benchmark; left as it is", v[0], b->limits0[0]);
	else if (write_watches(b->watches_saved) == -1)
		warn("restoring fs.inotify.max_user_watches to %lld",
		    b->watches_saved);
	b->limits0[0] = b->watches_saved;
	b->watches_saved = -1;
}
