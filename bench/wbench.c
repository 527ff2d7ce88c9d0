/*
 * wbench.c: the benchmark driver.  Runs watchrun, the floor watcher and
 * the peers found on PATH on the same freshly made trees, measures
 * latency, bursts, CPU per event, start-up and idle cost, counts the
 * instructions of the per-event path under callgrind, and writes one
 * markdown report of what it measured in this run, and nothing else.
 */
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
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

#define MS		1000000ULL	/* in ns */
#define SEC		1000000000ULL
#define MAXPIDS		4096
#define MAXREPS		1000
#ifdef __clang__
#define COMPILER	"clang " __clang_version__
#else
#define COMPILER	"gcc " __VERSION__
#endif

/* Peers' command lines, as in the peers harness (shared/peers). */
#define INOTIFYWAIT_SH	"inotifywait -m -r -e " \
			"close_write,moved_to,create,delete --format " \
			"\"%w%f\" \"$1\" | while IFS= read -r p; do " \
			"\"$2\" \"$3\" \"$p\"; done"
#define FSWATCH_SH	"fswatch -r -o --latency 0.1 --allow-overflow " \
			"--event Created --event Updated --event Removed " \
			"--event Renamed --event MovedFrom --event MovedTo " \
			"--event Overflow \"$1\" | xargs -I{} \"$2\" \"$3\""
#define ENTR_SH		"while :; do find \"$1\" | entr -n -d \"$2\" " \
			"\"$3\"; [ $? -eq 2 ] || sleep 0.1; done"

enum {
	T_WATCHRUN,
	T_WATCHRUN_D50,
	T_WATCHRUN_DEF,
	T_FLOOR,
	T_FLOOR_G,
	T_FLOOR_READ,
	T_INOTIFYWAIT,
	T_FSWATCH,
	T_DIREVENT,
	T_ENTR,
	NTOOLS
};

/*
 * A tool and how to run it.  In argv, "$WATCHRUN", "$FLOOR", "$D",
 * "$STAMP", "$OUT" and "$CONF" are replaced by the run's paths, and
 * "$EVENTS" by the event count of scenario c.
 */
struct tool {
	const char	*name;
	const char	*need;		/* programs needed on PATH */
	const char	*ready;		/* on stderr when ready, or NULL */
	int		 deb_ms;	/* trailing debounce */
	int		 peer;
	const char	*pkg;		/* its Debian package */
	const char	*vers[3];	/* prints the version */
	const char	*argv[12];
	const char	*note;
};

static const struct tool tools[NTOOLS] = {
	[T_WATCHRUN] = { "watchrun", NULL, ": ready, ", 0, 0, NULL,
	    { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "-w", "$D", "-d", "0", "--", "$STAMP", "$OUT" },
	    "debounce 0: runs after each inotify read" },
	[T_WATCHRUN_D50] = { "watchrun -d 50ms", NULL, ": ready, ", 50, 0, NULL,
	    { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "-w", "$D", "-d", "50ms", "--", "$STAMP", "$OUT" },
	    "50 ms trailing debounce" },
	[T_WATCHRUN_DEF] = { "watchrun (default)", NULL, ": ready, ",
	    100, 0, NULL,
	    { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "-w", "$D", "--", "$STAMP", "$OUT" },
	    "default debounce (100ms) and events" },
	[T_FLOOR] = { "floor", NULL, ": ready, ", 0, 0, NULL, { NULL },
	    { "$FLOOR", "-w", "$D", "-d", "0", "--", "$STAMP", "$OUT" },
	    "bench/floor.c: nftw(3) walk, one fork+exec per read(2)" },
	[T_FLOOR_G] = { "floor -g", NULL, ": ready, ", 0, 0, NULL, { NULL },
	    { "$FLOOR", "-g", "-w", "$D", "-d", "0", "--", "$STAMP", "$OUT" },
	    "bench/floor.c: getdents64(2) walk without stat, as floor "
	    "otherwise" },
	[T_FLOOR_READ] = { "floor -n", NULL, ": ready, ", 0, 0, NULL, { NULL },
	    { "$FLOOR", "-w", "$D", "-n", "$EVENTS" },
	    "bench/floor.c -n: reads the events and counts them, runs "
	    "nothing, then reports its own CPU: the cost of reading inotify "
	    "at that event rate (scenario c)" },
	[T_INOTIFYWAIT] = { "inotifywait", "inotifywait sh",
	    "Watches established", 0, 1, "inotify-tools",
	    { "inotifywait", "--help" },
	    { "sh", "-c", INOTIFYWAIT_SH, "inotifywait-loop", "$D", "$STAMP",
	    "$OUT" },
	    "one run per event line, through a shell loop; ready line "
	    "'Watches established.'" },
	[T_FSWATCH] = { "fswatch", "fswatch xargs sh", NULL, 0, 1, "fswatch",
	    { "fswatch", "--version" },
	    { "sh", "-c", FSWATCH_SH, "fswatch-pipe", "$D", "$STAMP", "$OUT" },
	    "one run per batch (-o) through xargs; no ready line: probed" },
	[T_DIREVENT] = { "direvent", "direvent", NULL, 0, 1, "direvent",
	    { "direvent", "--version" },
	    { "direvent", "-f", "$CONF" },
	    "foreground, private config; 'write' is IN_MODIFY and "
	    "IN_CLOSE_WRITE; no ready line: probed" },
	[T_ENTR] = { "entr", "entr find sh", NULL, 50, 1, "entr",
	    { "entr" },
	    { "sh", "-c", ENTR_SH, "entr-loop", "$D", "$STAMP", "$OUT" },
	    "restarted by a shell loop when a directory changes; 50 ms "
	    "built-in quiet period; no ready line: its first run" },
};

struct opts {
	const char	*watchrun;
	const char	*bindir;
	const char	*out;		/* "-" for stdout */
	const char	*include;	/* notes copied into the report */
	const char	*only;		/* tools to run, by name */
	const char	*scenarios;
	int		 smoke;
	int		 verbose;
	int		 peers;
	int		 keep;
	int		 trials;
	int		 warmup;
	int		 reps;
	int		 reps_d;
	int		 reps_g;
	int		 idle_s;
	int		 burst_files;
	int		 events;
	int		 cp_files;
	int		 big[3];
	int		 replay_dirs;
	int		 replay_events;
	uint64_t	 quiet;		/* no-run wait in scenario b */
	uint64_t	 lat_quiet;	/* and in scenario a */
};

struct stamp {
	uint64_t	 ns;
	long		 nargs;
	long		 count;		/* WATCHRUN_COUNT, or -1 */
};

/* A running tool: its process, its stderr and its stamp file. */
struct proc {
	const struct tool *t;
	pid_t		 pid;
	int		 errfd;
	int		 ino;		/* inotify on the stamp file */
	int		 outfd;
	char		*err;		/* all its stderr so far */
	size_t		 errlen;
	size_t		 errsize;
	off_t		 off;
	char		 part[256];
	size_t		 npart;
	struct stamp	*st;
	size_t		 nst;
	size_t		 stsize;
	uint64_t	 spawned;
	uint64_t	 ready;
	int		 dead;
	int		 status;
	const char	*probe;
};

/* Where one run of one tool keeps its files. */
struct run {
	char		 dir[PATH_MAX];
	char		 tree[PATH_MAX];
	char		 out[PATH_MAX];
	char		 conf[PATH_MAX];
	char		 probe[PATH_MAX];
};

struct stats {
	size_t		 n;
	double		 med;
	double		 p90;
	double		 min;
	double		 max;
};

struct tmeas {
	size_t		 procs;
	size_t		 threads;
	long long	 rss_kb;
	long long	 pss_kb;
	unsigned long long ticks;	/* utime + stime */
	unsigned long long cticks;	/* with reaped children's */
	unsigned long long sched_ns;
	unsigned long long vol;
	unsigned long long invol;
	long long	 watches;
};

struct load {
	unsigned long long busy;
	double		 self;
	uint64_t	 t;
};

enum { S_HEAD, S_TARGETS, S_A, S_B, S_C, S_D, S_E, S_G, S_I, NSECT };

struct section {
	char		*buf;
	size_t		 len;
	FILE		*fp;
};

/* What the targets table needs; a flag says whether it was measured. */
struct targets {
	int		 a;
	double		 a_wr_med, a_wr_p90, a_floor_med, a_floor_p90;
	double		 a_floor_max, a_load;
	int		 a50;
	double		 a50_med, a50_p90, a50_max;
	int		 b, b_reps, b_one, b_cnt_ok, b_delay_n;
	double		 b_delay_med, b_delay_max;
	long		 b_cnt_min, b_cnt_max;
	size_t		 b_runs_min, b_runs_max;
	int		 c, c_reps, c_over, c_tmpfs, c_floor;
	double		 c_us_med, c_us_max, c_tmpfs_med, c_floor_med;
	double		 c_tmpfs_floor;
	int		 cp, cp_reps, cp_over;
	int		 d, d_inw, d_peers;
	double		 d_wr, d_floor, d_inwv, d_rss, d_bpd, d_peer_rss;
	const char	*d_peer_name;
	int		 e;
	unsigned long long e_wake;
	int		 i, i_jit;
	double		 i_r1, i_r100, i_dir;
	int		 g_cpu[2];		/* per filesystem */
	const char	*g_fs[2];
	double		 g_on[2][2];		/* [fs][git] on-CPU µs/event */
	double		 g_ratio[2];		/* median of the pairs' ratios */
	int		 g_pairs[2];
	double		 g_rate[2][2];		/* [fs] min, max events/s */
	int		 g_start;
	double		 g_ready[2];		/* [git] median ms */
	double		 g_start_ratio;
	int		 g_start_pairs;
	long		 g_dirs;
	int		 gi;			/* the filter's instruction counts */
	double		 gi_whole[3];		/* none, default, git */
	double		 gi_filter[3];
};

static struct opts o;
static struct section sect[NSECT];
static struct targets tg;
static char workdir[PATH_MAX];
static char shmdir[PATH_MAX];
static char stampbin[PATH_MAX], floorbin[PATH_MAX], replaybin[PATH_MAX];
static char gifile[PATH_MAX];	/* gitignore50, for replay -g */
static int avail[NTOOLS];
static char skipwhy[NTOOLS][128];
static char version[NTOOLS][160];
static struct proc *live;
static pid_t mainpid;
static long clk_tck;
static int failures;
static volatile sig_atomic_t interrupted;

static void	 progress(const char *, ...)
		    __attribute__((__format__(__printf__, 1, 2)));
static void	 fail(const char *, ...)
		    __attribute__((__format__(__printf__, 1, 2)));
static void	 pathf(char *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static void	 verdict(FILE *, int, int, const char *, const char *, ...)
		    __attribute__((__format__(__printf__, 5, 6)));

static const char *fs_name(const char *);

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec;
}

static void
on_signal(int sig)
{
	interrupted = sig;
}

static void
check_interrupted(void)
{
	if (interrupted)
		errx(1, "interrupted by signal %d", (int)interrupted);
}

static void
nap(uint64_t ns)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ns / SEC);
	ts.tv_nsec = (long)(ns % SEC);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		check_interrupted();
	check_interrupted();
}

static void
progress(const char *fmt, ...)
{
	va_list ap;

	if (!o.verbose)
		return;
	va_start(ap, fmt);
	fputs("wbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("wbench: FAILED: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	failures++;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if ((p = calloc(n, size)) == NULL)
		err(1, "calloc");
	return p;
}

static void *
xrealloc(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		err(1, "reallocarray");
	return p;
}

static char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		err(1, "strdup");
	return p;
}

static void
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

/* Statistics: median, p90 (nearest rank), min and max. */

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stats
stats_of(const double *v, size_t n)
{
	struct stats s;
	double *c;

	memset(&s, 0, sizeof(s));
	s.n = n;
	if (n == 0)
		return s;
	c = xcalloc(n, sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), dcmp);
	s.med = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	s.p90 = c[(9 * n + 9) / 10 - 1];
	s.min = c[0];
	s.max = c[n - 1];
	free(c);
	return s;
}

/* Files and trees. */

static void
make_dir(const char *path)
{
	if (mkdir(path, 0755) == -1)
		err(1, "mkdir %s", path);
}

static void
write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1)
		err(1, "%s", path);
	if (write(fd, text, len) != (ssize_t)len)
		err(1, "write %s", path);
	close(fd);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	(void)remove(path);
	return 0;
}

static void
rm_tree(const char *path)
{
	(void)nftw(path, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

/* n directories d00.. below root, each with one file f.txt. */
static void
make_flat(const char *root, int n, const char *prefix, int withfile,
    char *deepest)
{
	char path[PATH_MAX];
	int i;

	make_dir(root);
	for (i = 0; i < n; i++) {
		pathf(path, "%s/%s%02d", root, prefix, i);
		make_dir(path);
		if (deepest != NULL)
			pathf(deepest, "%s", path);
		if (withfile) {
			pathf(path, "%s/%s%02d/f.txt", root, prefix, i);
			write_file(path, "x\n");
		}
	}
}

/* a x b x c directories below root, one file in each leaf. */
static long
make_big(const char *root, const int *shape, char *deepest)
{
	char path[PATH_MAX];
	long n = 1;
	int i, j, k;

	make_dir(root);
	for (i = 0; i < shape[0]; i++) {
		pathf(path, "%s/d%02d", root, i);
		make_dir(path);
		n++;
		for (j = 0; j < shape[1]; j++) {
			pathf(path, "%s/d%02d/d%02d", root, i, j);
			make_dir(path);
			n++;
			for (k = 0; k < shape[2]; k++) {
				pathf(path, "%s/d%02d/d%02d/d%02d", root, i,
				    j, k);
				make_dir(path);
				pathf(deepest, "%s", path);
				pathf(path, "%s/d%02d/d%02d/d%02d/f.txt", root,
				    i, j, k);
				write_file(path, "x\n");
				n++;
			}
		}
	}
	return n;
}

/* Processes, from /proc. */

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
static long long
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

/* Stores root and every live descendant of it in out[]; returns how many. */
static size_t
descendants(pid_t root, pid_t *out, size_t max)
{
	static pid_t *pid, *ppid;
	static size_t size;
	struct pinfo pi;
	struct dirent *e;
	size_t n = 0, i, k, m = 0;
	DIR *d;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (n == size) {
			size = size == 0 ? 1024 : size * 2;
			pid = xrealloc(pid, size, sizeof(*pid));
			ppid = xrealloc(ppid, size, sizeof(*ppid));
		}
		pid[n] = (pid_t)atoi(e->d_name);
		if (read_stat(pid[n], &pi) == -1)
			continue;
		ppid[n++] = pi.ppid;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		if (pid[i] == root)
			out[m++] = root;
	for (k = 0; k < m; k++)
		for (i = 0; i < n && m < max; i++)
			if (ppid[i] == out[k])
				out[m++] = pid[i];
	return m;
}

static long long
count_watches(pid_t pid)
{
	char path[PATH_MAX], link[64], line[128];
	struct dirent *e;
	long long w = 0;
	ssize_t n;
	FILE *fp;
	DIR *d;

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
		if (strcmp(link, "anon_inode:inotify") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
		    e->d_name);
		if ((fp = fopen(path, "re")) == NULL)
			continue;
		while (fgets(line, sizeof(line), fp) != NULL)
			if (strncmp(line, "inotify wd:", 11) == 0)
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
static void
measure(pid_t root, struct tmeas *m, int full)
{
	pid_t pids[MAXPIDS];
	char path[PATH_MAX];
	struct pinfo pi;
	struct dirent *e;
	size_t n, i;
	long long v;
	DIR *d;

	memset(m, 0, sizeof(*m));
	n = descendants(root, pids, MAXPIDS);
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
static void
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

/* CPU the rest of the machine used: busy time minus ours and our children's. */

static void
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
static long long limits0[3];
static FILE *notes;
static char *notes_buf;
static size_t notes_len;

static void
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
static int
limits_check(const char *tool, const char *when)
{
	long long v[3];
	int i, changed = 0;

	limits_read(v);
	for (i = 0; i < 3; i++)
		if (v[i] != limits0[i]) {
			fprintf(notes, "- WARNING: fs.inotify.%s was "
			    "%lld, not %lld, %s %s; another process changed "
			    "it.\n", limit_names[i], v[i], limits0[i], when,
			    tool);
			changed = 1;
		}
	return changed;
}

/* Says how busy the rest of the machine was; returns it, in cores. */
static double
load_report(FILE *fp, const struct load *a)
{
	struct load b;
	double others, secs;

	load_mark(&b);
	secs = (double)(b.t - a->t) / 1e9;
	others = ((double)(b.busy - a->busy) / (double)clk_tck -
	    (b.self - a->self)) / secs;
	if (others < 0)
		others = 0;
	fprintf(fp, "\nThis scenario took %.1f s; other processes on the "
	    "machine (not the benchmark, not the tools) used %.2f of %ld CPU "
	    "cores on average meanwhile.\n", secs, others,
	    sysconf(_SC_NPROCESSORS_ONLN));
	fflush(notes);
	if (notes_len > 0) {
		fprintf(fp, "\n%s", notes_buf);
		rewind(notes);
		notes_len = 0;
		notes_buf[0] = '\0';
	}
	return others;
}

/* Killing and reaping. */

/* Reaps what it can; returns 1 while children remain. */
static int
reap(struct proc *p)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (p != NULL && pid == p->pid) {
			p->dead = 1;
			p->status = st;
		}
	return pid == 0;
}

/*
 * Stops everything this program started: the tool's process group, then
 * every descendant, SIGTERM first and SIGKILL after 2 s.  Orphans come
 * back to us (we are a child subreaper), so waiting until no child is left
 * means that nothing is left.
 */
static void
kill_all(struct proc *p)
{
	pid_t pids[MAXPIDS];
	uint64_t deadline;
	size_t n, i;
	int sig;

	for (sig = SIGTERM;; sig = SIGKILL) {
		if (p != NULL)
			(void)kill(-p->pid, sig);
		n = descendants(mainpid, pids, MAXPIDS);
		for (i = 1; i < n; i++)
			(void)kill(pids[i], sig);
		deadline = now_ns() + 2 * SEC;
		while (reap(p) && now_ns() < deadline) {
			struct timespec ts = { 0, 1000000 };

			(void)nanosleep(&ts, NULL);
		}
		if (!reap(p) || sig == SIGKILL)
			break;
	}
}

static void
cleanup(void)
{
	if (getpid() != mainpid)
		return;
	kill_all(live);
	live = NULL;
	if (workdir[0] != '\0' && !o.keep)
		rm_tree(workdir);
	if (shmdir[0] != '\0' && !o.keep)
		rm_tree(shmdir);
}

/* Running a tool. */

static int
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

static char *
subst(const char *tok, const struct run *r)
{
	if (strcmp(tok, "$WATCHRUN") == 0)
		return xstrdup(o.watchrun);
	if (strcmp(tok, "$FLOOR") == 0)
		return xstrdup(floorbin);
	if (strcmp(tok, "$STAMP") == 0)
		return xstrdup(stampbin);
	if (r != NULL && strcmp(tok, "$D") == 0)
		return xstrdup(r->tree);
	if (r != NULL && strcmp(tok, "$OUT") == 0)
		return xstrdup(r->out);
	if (r != NULL && strcmp(tok, "$CONF") == 0)
		return xstrdup(r->conf);
	if (strcmp(tok, "$EVENTS") == 0) {
		char n[32];

		snprintf(n, sizeof(n), "%d", o.events / 2 * 2);
		return xstrdup(n);
	}
	return xstrdup(tok);
}

/*
 * Runs argv with stdout and stderr into buf (NUL-terminated, first size-1
 * bytes); returns the wait status, or -1 when it could not start.
 */
static int
capture(char *const argv[], char *buf, size_t size, const char *outfile)
{
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	int p[2], st, fd;

	if (pipe2(p, O_CLOEXEC) == -1)
		err(1, "pipe2");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, 0);
		if (outfile != NULL && (fd = open(outfile, O_WRONLY | O_CREAT |
		    O_TRUNC, 0644)) != -1)
			dup2(fd, 1);
		else
			dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, size - 1 - len)) > 0 ||
	    (n == -1 && errno == EINTR))
		if (n > 0 && (len += (size_t)n) == size - 1)
			break;
	buf[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return st;
}

static void
first_line(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

static void
tool_version(int id)
{
	const struct tool *t = &tools[id];
	char *av[4], buf[4096], deb[128];
	int i, st;

	if (t->vers[0] == NULL) {
		snprintf(version[id], sizeof(version[id]),
		    "bench/floor.c, built with this tree");
		return;
	}
	for (i = 0; i < 3 && t->vers[i] != NULL; i++)
		av[i] = subst(t->vers[i], NULL);
	av[i] = NULL;
	(void)capture(av, buf, sizeof(buf), NULL);
	while (i-- > 0)
		free(av[i]);
	first_line(buf);
	deb[0] = '\0';
	if (t->pkg != NULL) {
		char *dq[] = { "dpkg-query", "-W", "-f=${Version}", NULL,
		    NULL };

		dq[3] = xstrdup(t->pkg);
		st = capture(dq, deb, sizeof(deb), NULL);
		free(dq[3]);
		if (st != 0)
			deb[0] = '\0';
		first_line(deb);
	}
	if (deb[0] != '\0')
		snprintf(version[id], sizeof(version[id]),
		    "%.80s (Debian %.20s %.40s)", buf, t->pkg, deb);
	else
		snprintf(version[id], sizeof(version[id]), "%.150s", buf);
}

static void
run_new_in(struct run *r, const char *base, const char *label,
    const char *tree)
{
	static int seq;

	pathf(r->dir, "%s/%03d-%s", base, ++seq, label);
	make_dir(r->dir);
	if (tree != NULL)
		pathf(r->tree, "%s", tree);
	else
		pathf(r->tree, "%s/tree", r->dir);
	pathf(r->out, "%s/out.txt", r->dir);
	pathf(r->conf, "%s/direvent.conf", r->dir);
	r->probe[0] = '\0';
}

static void
run_new(struct run *r, const char *label, const char *tree)
{
	run_new_in(r, workdir, label, tree);
}

static void
run_done(struct run *r)
{
	rm_tree(r->dir);
}

static void
parse_stamp(struct proc *p, const char *line)
{
	unsigned long long ns;
	struct stamp *s;
	char count[32];
	long nargs;

	if (sscanf(line, "%llu %ld %31s", &ns, &nargs, count) != 3)
		return;
	if (p->nst == p->stsize) {
		p->stsize = p->stsize == 0 ? 256 : p->stsize * 2;
		p->st = xrealloc(p->st, p->stsize, sizeof(*p->st));
	}
	s = &p->st[p->nst++];
	s->ns = ns;
	s->nargs = nargs;
	s->count = strcmp(count, "-") == 0 ? -1 : strtol(count, NULL, 10);
}

static void
read_stamps(struct proc *p)
{
	char buf[8192];
	ssize_t n, i;

	while ((n = pread(p->outfd, buf, sizeof(buf), p->off)) > 0) {
		p->off += n;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (p->npart < sizeof(p->part) - 1)
					p->part[p->npart++] = buf[i];
				continue;
			}
			p->part[p->npart] = '\0';
			parse_stamp(p, p->part);
			p->npart = 0;
		}
	}
}

static void
read_err(struct proc *p)
{
	ssize_t n;
	int st;

	while (p->errfd != -1) {
		if (p->errsize - p->errlen < 4096) {
			p->errsize = p->errsize * 2 + 8192;
			p->err = xrealloc(p->err, p->errsize, 1);
			p->err[p->errlen] = '\0';
		}
		n = read(p->errfd, p->err + p->errlen, p->errsize - 1 -
		    p->errlen);
		if (n > 0) {
			p->errlen += (size_t)n;
			p->err[p->errlen] = '\0';
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		close(p->errfd);
		p->errfd = -1;
	}
	if (!p->dead && waitpid(p->pid, &st, WNOHANG) == p->pid) {
		p->dead = 1;
		p->status = st;
	}
}

/* Waits for its stderr or stamp file to change, until deadline at most. */
static void
pump(struct proc *p, uint64_t deadline)
{
	struct pollfd pfd[2];
	struct timespec ts;
	uint64_t t = now_ns(), left;
	char buf[4096];

	left = deadline > t ? deadline - t : 0;
	/* With stderr closed, look for its death now and then. */
	if (p->errfd == -1 && left > 20 * MS)
		left = 20 * MS;
	ts.tv_sec = (time_t)(left / SEC);
	ts.tv_nsec = (long)(left % SEC);
	pfd[0].fd = p->errfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = p->ino;
	pfd[1].events = POLLIN;
	if (ppoll(pfd, 2, &ts, NULL) == -1 && errno != EINTR)
		err(1, "ppoll");
	check_interrupted();
	if (pfd[1].revents & POLLIN)
		while (read(p->ino, buf, sizeof(buf)) > 0)
			;
	read_err(p);
	read_stamps(p);
}

static void
proc_start(struct proc *p, int id, const struct run *r)
{
	const struct tool *t = &tools[id];
	char *av[16], text[3 * PATH_MAX + 256];
	int pfd[2], fd, i;

	memset(p, 0, sizeof(*p));
	p->t = t;
	p->probe = r->probe;
	p->errfd = -1;
	if ((p->outfd = open(r->out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", r->out);
	if ((p->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		err(1, "inotify_init1");
	if (inotify_add_watch(p->ino, r->out, IN_MODIFY) == -1)
		err(1, "inotify_add_watch %s", r->out);
	if (id == T_DIREVENT) {
		snprintf(text, sizeof(text), "watcher {\n\tpath \"%s\" "
		    "recursive;\n\tevent (create, write);\n\tcommand \"%s %s "
		    "$file\";\n}\n", r->tree, stampbin, r->out);
		write_file(r->conf, text);
	}
	for (i = 0; t->argv[i] != NULL; i++)
		av[i] = subst(t->argv[i], r);
	av[i] = NULL;
	if (pipe2(pfd, O_CLOEXEC) == -1)
		err(1, "pipe2");
	/* Room for bursts of run reports while nobody reads. */
	(void)fcntl(pfd[0], F_SETPIPE_SZ, 1 << 20);
	p->spawned = now_ns();
	if ((p->pid = fork()) == -1)
		err(1, "fork");
	if (p->pid == 0) {
		(void)setsid();
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		dup2(pfd[1], 2);
		execvp(av[0], av);
		dprintf(2, "wbench: exec %s: %s\n", av[0], strerror(errno));
		_exit(127);
	}
	live = p;
	close(pfd[1]);
	p->errfd = pfd[0];
	(void)fcntl(p->errfd, F_SETFL, O_NONBLOCK);
	while (i-- > 0)
		free(av[i]);
}

static void
proc_stop(struct proc *p)
{
	uint64_t deadline;

	read_err(p);
	kill_all(p);
	live = NULL;
	deadline = now_ns() + SEC;
	while (p->errfd != -1 && now_ns() < deadline)
		pump(p, deadline);
	if (p->errfd != -1)
		close(p->errfd);
	p->errfd = -1;
	close(p->ino);
	close(p->outfd);
}

static void
proc_free(struct proc *p)
{
	free(p->err);
	free(p->st);
	p->err = NULL;
	p->st = NULL;
}

/* The last line of its stderr, for a failure message. */
static const char *
last_err(struct proc *p, char *buf, size_t size)
{
	const char *s = p->err != NULL ? p->err : "";
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '\n')
		len--;
	while (len > 0 && s[len - 1] != '\n')
		len--;
	snprintf(buf, size, "%s", s + len);
	first_line(buf);
	if (p->dead && buf[0] == '\0')
		snprintf(buf, size, "exited with status %d",
		    WIFEXITED(p->status) ? WEXITSTATUS(p->status) :
		    128 + WTERMSIG(p->status));
	else if (buf[0] == '\0')
		snprintf(buf, size, "no ready signal in time");
	return buf;
}

static size_t
count_text(const struct proc *p, const char *needle)
{
	const char *s = p->err;
	size_t n = 0;

	if (s == NULL)
		return 0;
	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static int
wait_stamps(struct proc *p, size_t n, uint64_t deadline)
{
	for (;;) {
		if (p->nst >= n)
			return 1;
		if (p->dead || now_ns() >= deadline)
			return 0;
		pump(p, deadline);
	}
}

static int
wait_text(struct proc *p, const char *needle, size_t n, uint64_t deadline)
{
	for (;;) {
		if (count_text(p, needle) >= n)
			return 1;
		if (p->dead || now_ns() >= deadline)
			return 0;
		pump(p, deadline);
	}
}

/* Waits until no new run has come for quiet ns, or the deadline. */
static void
wait_quiet(struct proc *p, uint64_t quiet, uint64_t deadline)
{
	size_t seen = p->nst;
	uint64_t since = now_ns(), t;

	for (;;) {
		t = now_ns();
		if (p->nst != seen) {
			seen = p->nst;
			since = t;
		}
		if (t - since >= quiet || t >= deadline || p->dead)
			return;
		pump(p, since + quiet < deadline ? since + quiet : deadline);
	}
}

static void
append_probe(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", path);
	if (write(fd, "p", 1) != 1)
		err(1, "write %s", path);
	close(fd);
}

/*
 * Waits for the tool to be ready: its ready line, or for tools without
 * one, its first run while a file in the deepest directory is appended
 * to every 50 ms (debounce + 100 ms for tools with a trailing debounce,
 * which repeated probes would keep postponing).  p->ready is the time of
 * the line or of the run.  Returns 0 when it did not get ready in time.
 */
static int
wait_ready(struct proc *p, uint64_t timeout)
{
	const struct tool *t = p->t;
	uint64_t deadline = p->spawned + timeout, next, every;

	if (t->ready != NULL) {
		for (;;) {
			if (p->err != NULL && strstr(p->err, t->ready)) {
				p->ready = now_ns();
				return 1;
			}
			if (p->dead || now_ns() >= deadline)
				return 0;
			pump(p, deadline);
		}
	}
	every = t->deb_ms > 0 ? (uint64_t)(t->deb_ms + 100) * MS : 50 * MS;
	next = now_ns();
	for (;;) {
		if (p->nst > 0) {
			p->ready = p->st[0].ns;
			break;
		}
		if (p->dead || now_ns() >= deadline)
			return 0;
		if (now_ns() >= next) {
			append_probe(p->probe);
			next += every;
		}
		pump(p, next < deadline ? next : deadline);
	}
	/* Let the runs the probes caused pass. */
	wait_quiet(p, 300 * MS + 2 * (uint64_t)t->deb_ms * MS,
	    now_ns() + 10 * SEC);
	return 1;
}

/*
 * Starts tool id on the run's tree and waits until it is ready; on
 * failure notes why in the section and returns 0.
 */
static int
start_ready(struct proc *p, int id, const struct run *r, uint64_t timeout,
    FILE *fp)
{
	char why[256];

	(void)limits_check(tools[id].name, "when starting");
	proc_start(p, id, r);
	if (wait_ready(p, timeout))
		return 1;
	(void)limits_check(tools[id].name, "when it failed to start:");
	last_err(p, why, sizeof(why));
	proc_stop(p);
	if (fp != NULL)
		fprintf(fp, "| %s | FAILED: %s |\n", tools[id].name, why);
	else
		fprintf(notes, "- %s did not get ready: %s\n", tools[id].name,
		    why);
	if (!tools[id].peer)
		fail("%s did not get ready: %s", tools[id].name, why);
	else
		progress("%s did not get ready: %s", tools[id].name, why);
	proc_free(p);
	return 0;
}

static int
selected(int id)
{
	const char *s = o.only, *e;
	size_t len = strlen(tools[id].name);

	if (tools[id].peer && !o.peers)
		return 0;
	if (s == NULL)
		return 1;
	/* By name; "watchrun" covers its variants. */
	while (*s != '\0') {
		e = s + strcspn(s, ",");
		if ((size_t)(e - s) <= len &&
		    strncmp(s, tools[id].name, (size_t)(e - s)) == 0 &&
		    (tools[id].name[e - s] == '\0' ||
		    tools[id].name[e - s] == ' '))
			return 1;
		s = *e ? e + 1 : e;
	}
	return 0;
}

/* Whether to run tool id here; says so when it is missing. */
static int
use_tool(int id, FILE *fp)
{
	if (!selected(id))
		return 0;
	if (!avail[id]) {
		if (fp != NULL)
			fprintf(fp, "| %s | skipped: %s |\n", tools[id].name,
			    skipwhy[id]);
		progress("%s skipped: %s", tools[id].name, skipwhy[id]);
		return 0;
	}
	return 1;
}

/* Scenario a: latency of one save. */

struct lat {
	double		*v;
	size_t		 n;
	size_t		 noruns;
	size_t		 runs;
	double		 ready_ms[8];
	size_t		 nready;
};

static int
latency_tool(int id, struct lat *L, int ntrials, FILE *fp)
{
	struct proc p;
	struct run r;
	char path[PATH_MAX];
	size_t base;
	uint64_t t0, quiet;
	int trial, fd, ok = 0;

	run_new(&r, "latency", NULL);
	make_flat(r.tree, 10, "d", 1, path);
	pathf(r.probe, "%s/probe.txt", path);
	if (!start_ready(&p, id, &r, 20 * SEC, fp)) {
		run_done(&r);
		return 0;
	}
	L->ready_ms[L->nready++] = (double)(p.ready - p.spawned) / 1e6;
	quiet = o.lat_quiet + 2 * (uint64_t)tools[id].deb_ms * MS;
	for (trial = -o.warmup; trial < ntrials; trial++) {
		pathf(path, "%s/d%02d/f.txt", r.tree, (trial + o.warmup) % 10);
		base = p.nst;
		t0 = now_ns();
		if ((fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)) == -1)
			err(1, "%s", path);
		if (write(fd, "change\n", 7) != 7)
			err(1, "write %s", path);
		close(fd);
		if (!wait_stamps(&p, base + 1, t0 + 3 * SEC)) {
			if (p.dead)
				break;
			if (trial >= 0)
				L->noruns++;
			continue;
		}
		wait_quiet(&p, quiet, t0 + 10 * SEC);
		if (trial < 0)
			continue;
		L->v[L->n++] = (double)(p.st[base].ns - t0) / 1e6;
		L->runs += p.nst - base;
	}
	if (p.dead) {
		char why[256];

		fprintf(fp, "| %s | FAILED: exited during the trials: %s |\n",
		    tools[id].name, last_err(&p, why, sizeof(why)));
		if (!tools[id].peer)
			fail("scenario a: %s exited", tools[id].name);
	} else
		ok = 1;
	proc_stop(&p);
	proc_free(&p);
	run_done(&r);
	return ok;
}

static void
lat_row(FILE *fp, int id, const struct lat *L, const struct stats *f,
    double offset)
{
	struct stats s, rd;
	double *v;
	size_t i;

	v = xcalloc(L->n + 1, sizeof(*v));
	for (i = 0; i < L->n; i++)
		v[i] = L->v[i] - offset;
	s = stats_of(v, L->n);
	free(v);
	rd = stats_of(L->ready_ms, L->nready);
	fprintf(fp, "| %s | %zu | %.3f | %.3f | %.3f | %.3f | %zu | %.2f | ",
	    tools[id].name, s.n, s.med, s.p90, s.min, s.max, L->noruns,
	    L->n ? (double)L->runs / (double)L->n : 0.0);
	if (f != NULL) {
		if (f->n > 0 && s.n > 0)
			fprintf(fp, "%.2f | ", s.med / f->med);
		else
			fprintf(fp, "- | ");
		fprintf(fp, "%.2f | ", s.n ? s.p90 / s.med : 0.0);
	}
	fprintf(fp, "%.0f |\n", rd.med);
}

static void
scenario_a(void)
{
	static const int ids[] = { T_WATCHRUN, T_FLOOR, T_FLOOR_G,
	    T_INOTIFYWAIT, T_FSWATCH, T_DIREVENT, T_ENTR };
	FILE *fp = sect[S_A].fp;
	struct lat *L;
	struct stats s, f;
	struct load ld;
	int run[NTOOLS] = { 0 };
	size_t k;
	int id, round, rounds, n;

	load_mark(&ld);
	L = xcalloc(NTOOLS, sizeof(*L));
	for (id = 0; id < NTOOLS; id++)
		L[id].v = xcalloc((size_t)o.trials, sizeof(double));
	/*
	 * watchrun and the floors take turns, a block of trials each, so
	 * that a change in the machine's load does not favour one of them.
	 */
	rounds = o.trials >= 20 ? 2 : 1;
	fprintf(fp, "## a) Latency: one save, time to the command's start\n\n"
	    "Tree of 10 directories with one file each.  Each trial rewrites "
	    "one existing file (open O_TRUNC, write, close); latency = the "
	    "stamp's CLOCK_MONOTONIC minus the time taken just before the "
	    "open.  %d trials per tool (watchrun and the floors take turns "
	    "in %d blocks, each a fresh process with %d warm-up trials "
	    "first); after each run the benchmark waits until no run has "
	    "come for %.0f ms (+ twice the tool's debounce); 'no run' = none "
	    "within 3 s; runs/change = every run of that trial.  'ready' is "
	    "the spawn-to-ready time on this small tree (first probe run for "
	    "tools without a ready line).\n\n", o.trials, rounds, o.warmup,
	    (double)o.lat_quiet / 1e6);
	fprintf(fp, "| tool | trials | median ms | p90 ms | min ms | max ms | "
	    "no run | runs/change | median ÷ floor | p90 ÷ median | "
	    "ready ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (round = 0; round < rounds; round++)
		for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			id = ids[k];
			if (tools[id].peer && round > 0)
				continue;
			if (round == 0 ? !use_tool(id, fp) : !run[id])
				continue;
			n = tools[id].peer ? o.trials : o.trials / rounds +
			    (round < o.trials % rounds);
			progress("a) latency: %s (%d trials)", tools[id].name,
			    n);
			run[id] = latency_tool(id, &L[id], n, fp);
		}
	memset(&f, 0, sizeof(f));
	if (run[T_FLOOR])
		f = stats_of(L[T_FLOOR].v, L[T_FLOOR].n);
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		id = ids[k];
		if (!run[id])
			continue;
		lat_row(fp, id, &L[id], &f, 0);
		if (L[id].n == 0 && !tools[id].peer)
			fail("scenario a: %s produced no run", tools[id].name);
	}
	if (run[T_WATCHRUN] && L[T_WATCHRUN].n > 0) {
		s = stats_of(L[T_WATCHRUN].v, L[T_WATCHRUN].n);
		tg.a = f.n > 0;
		tg.a_wr_med = s.med;
		tg.a_wr_p90 = s.p90;
		tg.a_floor_med = f.med;
		tg.a_floor_p90 = f.p90;
		tg.a_floor_max = f.max;
		if (run[T_FLOOR_G] && L[T_FLOOR_G].n > 0)
			fprintf(fp, "\nThe floor is `floor` (nftw walk); "
			    "against `floor -g` (getdents64 walk, the same "
			    "read and fork+exec loop) watchrun's median ratio "
			    "is %.2f.\n", s.med / stats_of(L[T_FLOOR_G].v,
			    L[T_FLOOR_G].n).med);
	}

	/* With a trailing debounce: the run should start D after the save. */
	fprintf(fp, "\n### a') Debounce 50 ms: run start minus 50 ms\n\n"
	    "The same trials with `-d 50ms`; the figures are latency - "
	    "50 ms, the delay past the quiet period (target: at most "
	    "2 ms).\n\n"
	    "| tool | trials | median ms | p90 ms | min ms | max ms | no run "
	    "| runs/change | ready ms |\n|---|---|---|---|---|---|---|---|---|"
	    "\n");
	id = T_WATCHRUN_D50;
	if (use_tool(id, fp)) {
		progress("a) latency: %s (%d trials)", tools[id].name,
		    o.trials);
		if (latency_tool(id, &L[id], o.trials, fp)) {
			lat_row(fp, id, &L[id], NULL, 50.0);
			for (k = 0; k < L[id].n; k++)
				L[id].v[k] -= 50.0;
			s = stats_of(L[id].v, L[id].n);
			if (s.n > 0) {
				tg.a50 = 1;
				tg.a50_med = s.med;
				tg.a50_p90 = s.p90;
				tg.a50_max = s.max;
			} else
				fail("scenario a: %s produced no run",
				    tools[id].name);
		}
	}
	for (id = 0; id < NTOOLS; id++)
		free(L[id].v);
	free(L);
	tg.a_load = load_report(fp, &ld);
}

/* Scenario b: a burst of new files. */

struct burst {
	double		 runs[MAXREPS];
	double		 first[MAXREPS];	/* after the last file */
	double		 last[MAXREPS];
	double		 count[MAXREPS];
	double		 write_ms[MAXREPS];
	double		 cpu[MAXREPS];
	int		 n;
	int		 ncount;
	int		 nfirst;
};

static int
burst_rep(int id, struct burst *B, FILE *fp)
{
	struct proc p;
	struct run r;
	struct tmeas m0, m1;
	char path[PATH_MAX];
	uint64_t t0, t1;
	size_t base, i;
	int k, fd, rep = B->n;

	run_new(&r, "burst", NULL);
	make_flat(r.tree, 20, "s", 0, path);
	pathf(r.probe, "%s/probe.txt", path);
	if (!start_ready(&p, id, &r, 20 * SEC, rep == 0 ? fp : NULL)) {
		run_done(&r);
		return 0;
	}
	base = p.nst;
	measure(p.pid, &m0, 0);
	t0 = now_ns();
	for (k = 0; k < o.burst_files; k++) {
		pathf(path, "%s/s%02d/b%05d.txt", r.tree, k % 20, k);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644)) == -1)
			err(1, "%s", path);
		if (write(fd, "x\n", 2) != 2)
			err(1, "write %s", path);
		close(fd);
	}
	t1 = now_ns();
	(void)wait_stamps(&p, base + 1, t1 + 30 * SEC);
	wait_quiet(&p, o.quiet + 2 * (uint64_t)tools[id].deb_ms * MS,
	    t1 + 60 * SEC);
	measure(p.pid, &m1, 0);
	B->runs[rep] = (double)(p.nst - base);
	B->write_ms[rep] = (double)(t1 - t0) / 1e6;
	B->cpu[rep] = (double)(m1.cticks - m0.cticks) / (double)clk_tck;
	for (i = base; i < p.nst; i++)
		if (p.st[i].ns >= t1)
			break;
	if (i < p.nst) {
		B->first[B->nfirst++] = (double)(p.st[i].ns - t1) / 1e6;
		B->last[rep] = (double)(p.st[p.nst - 1].ns - t1) / 1e6;
	} else
		B->last[rep] = -1;
	if (p.nst > base && p.st[p.nst - 1].count >= 0)
		B->count[B->ncount++] = (double)p.st[p.nst - 1].count;
	B->n++;
	proc_stop(&p);
	proc_free(&p);
	run_done(&r);
	if (B->runs[rep] == 0 && !tools[id].peer)
		fail("scenario b: %s produced no run", tools[id].name);
	return 1;
}

static void
scenario_b(void)
{
	static const int ids[] = { T_WATCHRUN_DEF, T_FLOOR, T_INOTIFYWAIT,
	    T_FSWATCH, T_DIREVENT, T_ENTR };
	FILE *fp = sect[S_B].fp;
	struct burst *B;
	struct stats s;
	struct load ld;
	size_t k;
	int id, rep, i;

	load_mark(&ld);
	fprintf(fp, "## b) Burst: %d new files in 20 directories\n\n"
	    "%d new files written round-robin into 20 existing "
	    "subdirectories as fast as the benchmark can (open, write 2 "
	    "bytes, close); then it waits for a run (30 s at most) and until "
	    "no run has come for %.1f s.  'run start after last file' = the "
	    "stamp of the first run that started after the last close "
	    "returned, minus that time.  WATCHRUN_COUNT is from the last "
	    "run's stamp (watchrun only).  CPU = utime+stime of the tool's "
	    "process tree, reaped commands included.  %d repetitions, each "
	    "on a fresh tree and a fresh tool process; medians with "
	    "min–max.\n\n"
	    "| tool | reps | runs | run start after last file ms | last run "
	    "after ms | WATCHRUN_COUNT | write ms | CPU s |\n"
	    "|---|---|---|---|---|---|---|---|\n", o.burst_files,
	    o.burst_files, (double)o.quiet / 1e9, o.reps);
	B = xcalloc(1, sizeof(*B));
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		id = ids[k];
		if (!use_tool(id, fp))
			continue;
		progress("b) burst: %s", tools[id].name);
		memset(B, 0, sizeof(*B));
		for (rep = 0; rep < o.reps; rep++)
			if (!burst_rep(id, B, fp))
				break;
		if (B->n == 0)
			continue;
		s = stats_of(B->runs, (size_t)B->n);
		fprintf(fp, "| %s | %d | %.0f (%.0f–%.0f) | ", tools[id].name,
		    B->n, s.med, s.min, s.max);
		if (id == T_WATCHRUN_DEF) {
			tg.b = 1;
			tg.b_reps = B->n;
			tg.b_runs_min = (size_t)s.min;
			tg.b_runs_max = (size_t)s.max;
			for (i = 0; i < B->n; i++)
				tg.b_one += B->runs[i] == 1;
		}
		s = stats_of(B->first, (size_t)B->nfirst);
		if (s.n > 0)
			fprintf(fp, "%.1f (%.1f–%.1f) | ", s.med, s.min, s.max);
		else
			fprintf(fp, "- | ");
		if (id == T_WATCHRUN_DEF) {
			tg.b_delay_med = s.med;
			tg.b_delay_max = s.max;
			tg.b_delay_n = (int)s.n;
		}
		s = stats_of(B->last, (size_t)B->n);
		fprintf(fp, "%.1f (%.1f–%.1f) | ", s.med, s.min, s.max);
		s = stats_of(B->count, (size_t)B->ncount);
		if (s.n > 0)
			fprintf(fp, "%.0f (%.0f–%.0f) | ", s.med, s.min, s.max);
		else
			fprintf(fp, "- | ");
		if (id == T_WATCHRUN_DEF) {
			tg.b_cnt_min = s.n ? (long)s.min : -1;
			tg.b_cnt_max = s.n ? (long)s.max : -1;
			for (i = 0; i < B->ncount; i++)
				tg.b_cnt_ok += B->count[i] == o.burst_files;
		}
		s = stats_of(B->write_ms, (size_t)B->n);
		fprintf(fp, "%.0f (%.0f–%.0f) | ", s.med, s.min, s.max);
		s = stats_of(B->cpu, (size_t)B->n);
		fprintf(fp, "%.2f (%.2f–%.2f) |\n", s.med, s.min, s.max);
	}
	free(B);
	load_report(fp, &ld);
}

/*
 * The .gitignore of scenario g and of replay -g: 50 lines as GitHub's C
 * and Node templates have them, and the shapes gitignore.c tells apart
 * (a basename, "*lit", "lit*", a glob on the basename, an anchored path,
 * "**", directories only, a negation).  None of them matches a path of
 * the trees or of the event streams: the same events flow with and
 * without it.
 */
static const char gitignore50[] =
    "*.o\n*.a\n*.so\n*.so.*\n*.ko\n*.obj\n*.elf\n*.lo\n*.la\n*.lib\n"
    "*.dll\n*.dylib\n*.exe\n*.out\n*.app\n*.i*86\n*.x86_64\n*.hex\n"
    "*.gch\n*.pch\n*.d\n*.su\n*.idb\n*.pdb\n*.dSYM/\n*.mod*\n*.cmd\n"
    ".tmp_versions/\nmodules.order\nModule.symvers\n[Dd]ebug/\n"
    "[Rr]elease/\nbuild/\ndist/\nnode_modules/\njspm_packages/\n"
    "bower_components/\n.npm\n.eslintcache\n*.tsbuildinfo\n*.log\n"
    "npm-debug.log*\nyarn-error.log*\n!important.log\n.DS_Store\n.env\n"
    ".env.*.local\n/coverage\n.nyc_output/\n**/tmp/\n";

/*
 * Writes the .gitignore at the top of tree; with git, makes the tree a
 * git work tree (git init, or a bare .git directory without git).
 */
static void
make_gitignored(const char *tree, int git)
{
	char path[PATH_MAX], buf[512];
	char *av[] = { "git", "-c", "init.defaultBranch=main", "init", "-q",
	    NULL, NULL };

	pathf(path, "%s/.gitignore", tree);
	write_file(path, gitignore50);
	if (!git)
		return;
	if (in_path("git")) {
		av[5] = xstrdup(tree);
		if (capture(av, buf, sizeof(buf), NULL) != 0) {
			first_line(buf);
			errx(1, "git init %s: %s", tree, buf);
		}
		free(av[5]);
		return;
	}
	pathf(path, "%s/.git", tree);
	make_dir(path);
	pathf(path, "%s/.git/info", tree);
	make_dir(path);
}

/* Scenario c: watchrun's own CPU per event, and overflow. */

/* Writes n new files round-robin into the 20 directories of tree. */
static void
write_files(const char *tree, long n)
{
	char path[PATH_MAX];
	long k;
	int fd;

	for (k = 0; k < n; k++) {
		pathf(path, "%s/s%02ld/c%06ld.txt", tree, k % 20, k);
		if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644)) == -1)
			err(1, "%s", path);
		if (write(fd, "x\n", 2) != 2)
			err(1, "write %s", path);
		close(fd);
	}
}

struct cpu {
	double		 us[MAXREPS];	/* utime+stime per event */
	double		 on[MAXREPS];	/* on-CPU (schedstat) per event */
	double		 rate[MAXREPS];	/* events (files) written per second */
	int		 n;
	int		 over;
};

/*
 * One repetition under base: watchrun (or with reader set, floor -n) on
 * a fresh tree of 20 directories while the writer creates o.events / 2
 * files, or while cp -r copies src when src is not NULL.  With git 0 the
 * tree has gitignore50 as its .gitignore; with git 1 it is also a git
 * work tree (scenario g).  Appends its CPU per event (per copied file for
 * cp) to c.  Returns 0 when the tool did not start.
 */
static int
cpu_rep(const char *base, const char *src, int reader, int git,
    struct cpu *c, FILE *fp)
{
	struct proc p;
	struct run r;
	char path[PATH_MAX], dst[PATH_MAX], why[256], *s;
	unsigned long long t0, t1, n0, n1, cpu_us = 0, on_ns = 0;
	long long sc0, sc1;
	uint64_t w0, w1;
	size_t b, ex, over;
	long files = src != NULL ? o.cp_files : o.events / 2, count, events;
	long reads = -1;
	int id = reader ? T_FLOOR_READ : T_WATCHRUN_DEF;
	const char *label = reader ? "floor -n" : git < 0 ? "watchrun" :
	    git ? "watchrun, git work tree" : "watchrun, plain directory";

	run_new_in(&r, base, src != NULL ? "cp" : "cpu", NULL);
	make_flat(r.tree, 20, "s", 0, path);
	if (git >= 0)
		make_gitignored(r.tree, git);
	pathf(dst, "%s/copy", r.tree);
	if (!start_ready(&p, id, &r, 20 * SEC, fp)) {
		run_done(&r);
		return 0;
	}
	b = p.nst;
	ex = count_text(&p, " exited ");
	own_cpu(p.pid, &t0, &n0);
	pathf(path, "/proc/%d/task/%d/io", (int)p.pid, (int)p.pid);
	sc0 = read_key(path, "syscr:");
	w0 = now_ns();
	if (src != NULL) {
		char *cp[] = { "cp", "-r", NULL, dst, NULL };

		cp[2] = xstrdup(src);
		if (capture(cp, why, sizeof(why), NULL) != 0)
			errx(1, "cp -r %s %s failed: %s", src, dst, why);
		free(cp[2]);
	} else
		write_files(r.tree, files);
	w1 = now_ns();
	events = src != NULL ? files : files * 2;
	if (reader) {
		/* It exits once it has read them all, and says what it cost. */
		while (!p.dead && now_ns() < w1 + 30 * SEC)
			pump(&p, w1 + 30 * SEC);
		over = 0;
		count = -1;
		if (p.err != NULL && (s = strstr(p.err, " events in ")) !=
		    NULL) {
			while (s > p.err && s[-1] != '\n')
				s--;
			if (sscanf(s, "floor: %ld events in %ld reads; "
			    "utime+stime %llu us; on-CPU %llu ns; %zu "
			    "overflows", &events, &reads, &cpu_us, &on_ns,
			    &over) != 5 || events == 0)
				reads = -1;
		}
		if (!p.dead || reads < 0) {
			fprintf(fp, "| %s | floor -n | FAILED: %s |\n",
			    fs_name(base), last_err(&p, why, sizeof(why)));
			proc_stop(&p);
			proc_free(&p);
			run_done(&r);
			return 1;
		}
		c->us[c->n] = (double)cpu_us / (double)events;
		c->on[c->n] = (double)on_ns / 1e3 / (double)events;
	} else {
		(void)wait_stamps(&p, b + 1, w1 + 30 * SEC);
		(void)wait_text(&p, " exited ", ex + 1, w1 + 30 * SEC);
		wait_quiet(&p, 300 * MS, w1 + 30 * SEC);
		own_cpu(p.pid, &t1, &n1);
		sc1 = read_key(path, "syscr:");
		if (sc0 >= 0 && sc1 >= 0)
			reads = (long)(sc1 - sc0);
		over = count_text(&p, "overflow");
		count = p.nst > b ? p.st[p.nst - 1].count : -1;
		c->us[c->n] = (double)(t1 - t0) / (double)clk_tck * 1e6 /
		    (double)(src != NULL ? files : events);
		c->on[c->n] = (double)(n1 - n0) / 1e3 /
		    (double)(src != NULL ? files : events);
		cpu_us = (t1 - t0) * 1000000ULL / (unsigned long long)clk_tck;
	}
	c->over += over > 0;
	c->rate[c->n] = (double)(src != NULL ? files : events) /
	    ((double)(w1 - w0) / 1e9);
	fprintf(fp, "| %s | %s | %d | %ld | %.0f | %.0f | %.1f | %.2f | "
	    "%.2f | ", fs_name(base), label, c->n + 1, src != NULL ? files : events, (double)(w1 - w0) / 1e6,
	    (double)(src != NULL ? files : events) /
	    ((double)(w1 - w0) / 1e9), (double)cpu_us / 1e3, c->us[c->n],
	    c->on[c->n]);
	if (reads >= 0)
		fprintf(fp, "%ld | ", reads);
	else
		fprintf(fp, "- | ");
	if (reader)
		fprintf(fp, "- | - | %zu |\n", over);
	else
		fprintf(fp, "%zu | %ld | %zu |\n", p.nst - b, count, over);
	if (!reader && p.nst == b)
		fail("scenario %c: watchrun produced no run%s",
		    git >= 0 ? 'g' : 'c', src != NULL ? " for cp -r" : "");
	c->n++;
	proc_stop(&p);
	proc_free(&p);
	run_done(&r);
	return 1;
}

static void
cpu_summary(FILE *fp, const char *fs, const char *tool, const struct cpu *c)
{
	struct stats s, sn;

	s = stats_of(c->us, (size_t)c->n);
	sn = stats_of(c->on, (size_t)c->n);
	fprintf(fp, "| %s | %s | median (min–max) | | | | | %.2f (%.2f–%.2f) "
	    "| %.2f (%.2f–%.2f) | | | | |\n", fs, tool, s.med, s.min, s.max,
	    sn.med, sn.min, sn.max);
}

static void
scenario_c(void)
{
	static const char head[] = "| filesystem | tool | rep | %s | %s "
	    "ms | %s/s | CPU ms | µs/%s (utime+stime) | µs/%s (on-CPU) | "
	    "read(2) calls | runs | WATCHRUN_COUNT | overflow |\n"
	    "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
	FILE *fp = sect[S_C].fp;
	struct cpu *W, *F;
	char shm[PATH_MAX], src[PATH_MAX], path[PATH_MAX];
	const char *bases[2];
	struct load ld;
	int rep, nbase = 1, i, d, f, cpdirs = 100, per, floor;

	load_mark(&ld);
	W = xcalloc(2, sizeof(*W));
	F = xcalloc(2, sizeof(*F));
	bases[0] = workdir;
	/* Where the temp dir is a disk, also on tmpfs: a faster writer. */
	pathf(shm, "/dev/shm/wbench.XXXXXX");
	if (strcmp(fs_name(workdir), "tmpfs") != 0 &&
	    strcmp(fs_name("/dev/shm"), "tmpfs") == 0 &&
	    mkdtemp(shm) != NULL) {
		pathf(shmdir, "%s", shm);
		bases[nbase++] = shmdir;
	}
	floor = selected(T_FLOOR_READ) && avail[T_FLOOR_READ];
	fprintf(fp, "## c) CPU per event and queue overflow\n\n"
	    "watchrun with its default debounce (100ms) and events (`%s`).  "
	    "Each repetition, on a fresh tree of 20 directories: %d new "
	    "files written round-robin as fast as the benchmark can (each "
	    "is IN_CREATE + IN_CLOSE_WRITE with the default events: %d "
	    "events); the run's stamp and its 'exited' report are awaited, "
	    "then watchrun's own CPU (utime+stime of the watchrun process, "
	    "from /proc/PID/stat, 10 ms ticks; not its commands, not its "
	    "guardian) and its on-CPU time (/proc/PID/schedstat) are divided "
	    "by the events; read(2) calls are from /proc/PID/task/PID/io "
	    "(inotify, timer and signal reads together, not its commands'). "
	    " 'overflow' = lines of "
	    "watchrun's stderr that say so.  After each watchrun repetition "
	    "the same writing is done with `floor -n` watching instead: it "
	    "only reads and counts the events, and reports its own CPU, "
	    "which is what reading inotify costs at that event rate: a "
	    "watcher pays it before doing anything.  The first rows are on "
	    "the benchmark's temporary directory (%s); where that is not "
	    "tmpfs, everything is repeated on /dev/shm (tmpfs), where the "
	    "writer is much faster and the events are read in larger "
	    "batches.\n\n", "watchrun -w $D -- $STAMP $OUT", o.events / 2,
	    o.events / 2 * 2, fs_name(workdir));
	fprintf(fp, head, "events", "write", "events", "event", "event");
	if (!use_tool(T_WATCHRUN_DEF, fp)) {
		load_report(fp, &ld);
		return;
	}
	for (i = 0; i < nbase; i++) {
		for (rep = 0; rep < o.reps; rep++) {
			progress("c) %d events on %s: watchrun, rep %d",
			    o.events, fs_name(bases[i]), rep + 1);
			if (!cpu_rep(bases[i], NULL, 0, -1, &W[i], fp))
				break;
			if (!floor)
				continue;
			progress("c) %d events on %s: floor -n, rep %d",
			    o.events, fs_name(bases[i]), rep + 1);
			(void)cpu_rep(bases[i], NULL, 1, -1, &F[i], fp);
		}
		if (W[i].n > 0)
			cpu_summary(fp, fs_name(bases[i]), "watchrun", &W[i]);
		if (F[i].n > 0)
			cpu_summary(fp, fs_name(bases[i]), "floor -n", &F[i]);
	}
	if (W[0].n > 0) {
		tg.c = 1;
		tg.c_reps = W[0].n;
		tg.c_over = W[0].over;
		tg.c_us_med = stats_of(W[0].us, (size_t)W[0].n).med;
		tg.c_us_max = stats_of(W[0].us, (size_t)W[0].n).max;
		if (F[0].n > 0) {
			tg.c_floor = 1;
			tg.c_floor_med = stats_of(F[0].us, (size_t)F[0].n).med;
		}
	}
	if (nbase > 1 && W[1].n > 0) {
		tg.c_tmpfs = 1;
		tg.c_tmpfs_med = stats_of(W[1].us, (size_t)W[1].n).med;
		if (F[1].n > 0)
			tg.c_tmpfs_floor = stats_of(F[1].us,
			    (size_t)F[1].n).med;
	}

	/* cp -r of a tree into the watched tree, while watchrun watches. */
	per = o.cp_files / cpdirs > 0 ? o.cp_files / cpdirs : 1;
	if (o.cp_files < cpdirs) {
		cpdirs = 1;
		per = o.cp_files;
	}
	o.cp_files = cpdirs * per;
	pathf(src, "%s/cpsrc", workdir);
	make_dir(src);
	for (d = 0; d < cpdirs; d++) {
		pathf(path, "%s/p%03d", src, d);
		make_dir(path);
		for (f = 0; f < per; f++) {
			pathf(path, "%s/p%03d/f%04d.txt", src, d, f);
			write_file(path, "copied\n");
		}
	}
	fprintf(fp, "\n### c') `cp -r` of a %d-file tree into the watched "
	    "tree\n\n"
	    "The source (%d directories of %d files, outside the watched "
	    "tree) is copied with `cp -r SRC $D/copy` while watchrun "
	    "watches; max_queued_events is %lld.  CPU is watchrun's own, "
	    "from just before cp starts until its run has ended, here per "
	    "copied file (each file is two events; each new directory one, "
	    "plus a scan).\n\n", o.cp_files, cpdirs, per,
	    read_key("/proc/sys/fs/inotify/max_queued_events", ""));
	fprintf(fp, head, "files", "cp", "files", "file", "file");
	memset(W, 0, sizeof(*W));
	for (rep = 0; rep < o.reps; rep++) {
		progress("c) cp -r of %d files: watchrun, rep %d", o.cp_files,
		    rep + 1);
		if (!cpu_rep(workdir, src, 0, -1, W, fp))
			break;
	}
	if (W->n > 0) {
		tg.cp = 1;
		tg.cp_reps = W->n;
		tg.cp_over = W->over;
	}
	free(W);
	free(F);
	rm_tree(src);
	if (shmdir[0] != '\0') {
		rm_tree(shmdir);
		shmdir[0] = '\0';
	}
	load_report(fp, &ld);
}

/* Scenario d: start-up on a large tree. */

struct start {
	double		 ready[MAXREPS];
	double		 rss[MAXREPS];
	double		 empty[MAXREPS];
	double		 pss[MAXREPS];
	double		 cpu[MAXREPS];
	long long	 watches;
	size_t		 procs;
	int		 n;
	int		 slow;
	int		 failed;
};

static int
start_one(int id, const char *tree, const char *probe, struct tmeas *m,
    double *ready, FILE *fp)
{
	struct proc p;
	struct run r;
	long long v[3];
	uint64_t deadline;
	int tries = 0, failed = failures;

	run_new(&r, "start", tree);
	pathf(r.probe, "%s", probe);
	while (!start_ready(&p, id, &r, 60 * SEC, fp)) {
		(void)unlink(probe);
		/*
		 * Retry twice, once the limits are back (a test elsewhere may
		 * have lowered them); the report lists every retry.
		 */
		if (++tries > 2) {
			run_done(&r);
			return 0;
		}
		deadline = now_ns() + 30 * SEC;
		do {
			nap(100 * MS);
			limits_read(v);
		} while (memcmp(v, limits0, sizeof(v)) != 0 &&
		    now_ns() < deadline);
		nap(SEC);
		fprintf(notes, "- %s: a start failed (see above); "
		    "retried.\n", tools[id].name);
	}
	/* Only a start that failed every time is a failure. */
	failures = failed;
	*ready = (double)(p.ready - p.spawned) / 1e6;
	measure(p.pid, m, 1);
	proc_stop(&p);
	proc_free(&p);
	(void)unlink(probe);
	run_done(&r);
	return 1;
}

static void
scenario_d(void)
{
	static const int ids[] = { T_WATCHRUN, T_FLOOR, T_FLOOR_G,
	    T_INOTIFYWAIT, T_FSWATCH, T_DIREVENT, T_ENTR };
	FILE *fp = sect[S_D].fp;
	struct start *S;
	struct stats s, sr, se;
	struct tmeas m;
	struct load ld;
	char big[PATH_MAX], empty[PATH_MAX], deep[PATH_MAX], probe[PATH_MAX];
	char eprobe[PATH_MAX];
	double ready, fmed = 0, bpd, made;
	long ndirs;
	size_t k;
	int id, rep;

	load_mark(&ld);
	S = xcalloc(NTOOLS, sizeof(*S));
	pathf(big, "%s/big", workdir);
	pathf(empty, "%s/empty", workdir);
	made = (double)now_ns();
	ndirs = make_big(big, o.big, deep);
	made = ((double)now_ns() - made) / 1e9;
	make_dir(empty);
	pathf(probe, "%s/probe.txt", deep);
	pathf(eprobe, "%s/probe.txt", empty);
	for (rep = 0; rep < o.reps_d; rep++)
		for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
			id = ids[k];
			if ((rep == 0 && !use_tool(id, NULL)) ||
			    (rep > 0 && !(selected(id) && avail[id])))
				continue;
			/* A tool that needs seconds gets two repetitions. */
			if (S[id].failed || (S[id].slow && S[id].n >= 2))
				continue;
			progress("d) start-up: %s, rep %d", tools[id].name,
			    rep + 1);
			if (!start_one(id, empty, eprobe, &m, &ready, NULL)) {
				S[id].failed = 1;
				continue;
			}
			S[id].empty[S[id].n] = (double)m.rss_kb;
			if (!start_one(id, big, probe, &m, &ready, NULL)) {
				S[id].failed = 1;
				continue;
			}
			S[id].ready[S[id].n] = ready;
			S[id].rss[S[id].n] = (double)m.rss_kb;
			S[id].pss[S[id].n] = (double)m.pss_kb;
			S[id].cpu[S[id].n] = (double)m.cticks /
			    (double)clk_tck;
			S[id].watches = m.watches;
			S[id].procs = m.procs;
			S[id].n++;
			if (ready > 5000)
				S[id].slow = 1;
		}

	fprintf(fp, "## d) Start-up on a %dx%dx%d tree (%ld directories)\n\n"
	    "%ld directories (the root, %d, %d x %d and %d x %d x %d leaves, "
	    "one small file in each leaf; made in %.1f s), shared by every "
	    "tool.  'ready' = spawn to the tool's ready line (watchrun, "
	    "floor, inotifywait), or to its first run while a file in the "
	    "deepest directory is appended to every 50 ms (others; this "
	    "includes one event-to-run latency and the probe interval).  "
	    "RSS = VmRSS summed over the tool's whole process tree (watchrun "
	    "and its guardian; the peers' shells and pipes), read once "
	    "ready; PSS likewise, from smaps_rollup.  'bytes/dir' = (RSS - "
	    "RSS of the same tool started on an empty directory) / "
	    "directories.  Watches are counted from /proc/PID/fdinfo.  %d "
	    "repetitions, the tools taking turns (a tool needing over 5 s "
	    "gets 2); medians with min–max.\n\n"
	    "| tool | reps | ready ms | ready ÷ floor | RSS MiB | empty-dir "
	    "RSS MiB | bytes/dir | PSS MiB | watches | start-up CPU s | "
	    "procs |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
	    o.big[0], o.big[1], o.big[2], ndirs, ndirs, o.big[0], o.big[0],
	    o.big[1], o.big[0], o.big[1], o.big[2], made, o.reps_d);
	if (S[T_FLOOR].n > 0)
		fmed = stats_of(S[T_FLOOR].ready, (size_t)S[T_FLOOR].n).med;
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		id = ids[k];
		if (!selected(id))
			continue;
		if (!avail[id]) {
			fprintf(fp, "| %s | skipped: %s |\n", tools[id].name,
			    skipwhy[id]);
			continue;
		}
		if (S[id].n == 0) {
			fprintf(fp, "| %s | FAILED: did not get ready |\n",
			    tools[id].name);
			if (!tools[id].peer)
				fail("scenario d: %s did not get ready",
				    tools[id].name);
			continue;
		}
		s = stats_of(S[id].ready, (size_t)S[id].n);
		sr = stats_of(S[id].rss, (size_t)S[id].n);
		se = stats_of(S[id].empty, (size_t)S[id].n);
		bpd = (sr.med - se.med) * 1024.0 / (double)ndirs;
		fprintf(fp, "| %s | %d | %.0f (%.0f–%.0f) | ", tools[id].name,
		    S[id].n, s.med, s.min, s.max);
		if (fmed > 0)
			fprintf(fp, "%.2f", s.med / fmed);
		else
			fprintf(fp, "-");
		fprintf(fp, " | %.2f (%.2f–%.2f) | %.2f | %.0f | ",
		    sr.med / 1024, sr.min / 1024, sr.max / 1024, se.med / 1024,
		    bpd);
		se = stats_of(S[id].pss, (size_t)S[id].n);
		fprintf(fp, "%.2f | %lld | ", se.med / 1024, S[id].watches);
		se = stats_of(S[id].cpu, (size_t)S[id].n);
		fprintf(fp, "%.2f | %zu |\n", se.med, S[id].procs);
		if (id == T_WATCHRUN) {
			tg.d = fmed > 0;
			tg.d_wr = s.med;
			tg.d_floor = fmed;
			tg.d_rss = sr.med / 1024;
			tg.d_bpd = bpd;
		}
		if (id == T_INOTIFYWAIT) {
			tg.d_inw = 1;
			tg.d_inwv = s.med;
		}
		if (tools[id].peer && (tg.d_peers == 0 ||
		    sr.med / 1024 < tg.d_peer_rss)) {
			tg.d_peers++;
			tg.d_peer_rss = sr.med / 1024;
			tg.d_peer_name = tools[id].name;
		}
	}
	if (S[T_FLOOR_G].n > 0 && S[T_WATCHRUN].n > 0)
		fprintf(fp, "\nAgainst floor -g (getdents64 walk, no stat) "
		    "watchrun's ready ratio is %.2f.\n", tg.d_wr /
		    stats_of(S[T_FLOOR_G].ready, (size_t)S[T_FLOOR_G].n).med);
	free(S);
	rm_tree(big);
	rm_tree(empty);
	load_report(fp, &ld);
}

/* Scenario e: idle cost. */

static void
scenario_e(void)
{
	static const int ids[] = { T_WATCHRUN, T_FLOOR, T_INOTIFYWAIT,
	    T_FSWATCH, T_DIREVENT, T_ENTR };
	FILE *fp = sect[S_E].fp;
	struct proc p;
	struct run r;
	struct tmeas m0, m1;
	struct load ld;
	char deep[PATH_MAX];
	unsigned long long wake;
	size_t k, base;
	int id;

	load_mark(&ld);
	fprintf(fp, "## e) Idle: %d s of nothing\n\n"
	    "Tree of 10 directories; the tool is brought to ready, left 1 s "
	    "to settle, then nothing happens for %d s.  Wake-ups = voluntary "
	    "+ involuntary context switches summed over every thread of every "
	    "process of the tool's tree (/proc/PID/task/TID/status); CPU "
	    "from schedstat (ns) and from utime+stime (10 ms ticks).\n\n"
	    "| tool | wake-ups | voluntary | involuntary | CPU ms (schedstat) "
	    "| CPU ticks | runs | RSS MiB | procs | threads |\n"
	    "|---|---|---|---|---|---|---|---|---|---|\n", o.idle_s,
	    o.idle_s);
	for (k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		id = ids[k];
		if (!use_tool(id, fp))
			continue;
		progress("e) idle: %s", tools[id].name);
		run_new(&r, "idle", NULL);
		make_flat(r.tree, 10, "d", 1, deep);
		pathf(r.probe, "%s/probe.txt", deep);
		if (!start_ready(&p, id, &r, 20 * SEC, fp)) {
			run_done(&r);
			continue;
		}
		nap(o.smoke ? 200 * MS : SEC);
		read_err(&p);
		base = p.nst;
		measure(p.pid, &m0, 1);
		nap((uint64_t)o.idle_s * SEC);
		measure(p.pid, &m1, 1);
		read_stamps(&p);
		wake = (m1.vol + m1.invol) - (m0.vol + m0.invol);
		fprintf(fp, "| %s | %llu | %llu | %llu | %.3f | %llu | %zu | "
		    "%.2f | %zu | %zu |\n", tools[id].name, wake,
		    m1.vol - m0.vol, m1.invol - m0.invol,
		    (double)(m1.sched_ns - m0.sched_ns) / 1e6,
		    m1.ticks - m0.ticks, p.nst - base,
		    (double)m1.rss_kb / 1024, m1.procs, m1.threads);
		if (id == T_WATCHRUN) {
			tg.e = 1;
			tg.e_wake = wake;
		}
		proc_stop(&p);
		proc_free(&p);
		run_done(&r);
	}
	load_report(fp, &ld);
}

/*
 * Scenario g: git's ignore rules.  The same trees and the same events,
 * once in a plain directory and once in a git work tree, both with the
 * 50-line .gitignore at the top; the runs take turns, so that the
 * machine's drift falls on both alike.
 */

/* Renames from to to, both paths in the benchmark's directory. */
static void
move(const char *from, const char *to)
{
	if (rename(from, to) == -1)
		err(1, "rename %s %s", from, to);
}

/* Median of b[k] / a[k] over the pairs. */
static double
pair_ratio(const double *a, const double *b, int n)
{
	double r[MAXREPS];
	int k;

	for (k = 0; k < n; k++)
		r[k] = a[k] > 0 ? b[k] / a[k] : 0;
	return stats_of(r, (size_t)n).med;
}

static void
gi_list(FILE *fp)
{
	const char *s, *e;

	for (s = gitignore50; *s != '\0'; s = e + 1) {
		e = strchr(s, '\n');
		fprintf(fp, "%s`%.*s`", s == gitignore50 ? "" : " ",
		    (int)(e - s), s);
	}
}

static void
scenario_g(void)
{
	static const char head[] = "| filesystem | tree | rep | events | "
	    "write ms | events/s | CPU ms | µs/event (utime+stime) | "
	    "µs/event (on-CPU) | read(2) calls | runs | WATCHRUN_COUNT | "
	    "overflow |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
	static const char *const tree_name[2] = { "plain directory",
	    "git work tree" };
	FILE *fp = sect[S_G].fp;
	struct cpu (*W)[2];
	struct start *S;
	struct stats s[2], sr, sc;
	struct tmeas m;
	struct load ld;
	char shm[PATH_MAX], home[PATH_MAX], big[PATH_MAX], deep[PATH_MAX];
	char probe[PATH_MAX], dotgit[PATH_MAX], parked[PATH_MAX];
	char *oldhome, *oldxdg;
	const char *bases[2];
	double ready, made;
	long ndirs;
	int nbase = 1, i, rep, k, g, ok;

	load_mark(&ld);
	fprintf(fp, "## g) git's ignore rules: the same trees in a plain "
	    "directory and in a git work tree\n\n"
	    "Both trees have the same 50-line `.gitignore` at the top (the "
	    "shapes of GitHub's C and Node templates): ");
	gi_list(fp);
	fprintf(fp, ".  None of its lines matches a path of the trees or "
	    "of the events, so the same events reach the rules in both; in "
	    "the git work tree (`git init`; its `.git` is ignored by the "
	    "default list and never watched) watchrun reads the `.gitignore` "
	    "of every directory it scans and checks every event's path "
	    "against them, in the plain directory it reads none.  HOME and "
	    "XDG_CONFIG_HOME point to an empty directory, so that no global "
	    "excludes file adds patterns.  The two take turns (plain first "
	    "in odd repetitions, git first in even ones); a ratio is git ÷ "
	    "plain, and 'median of the pairs' is the median of each "
	    "repetition's own ratio.\n\n");
	if (!use_tool(T_WATCHRUN_DEF, fp)) {
		load_report(fp, &ld);
		return;
	}
	pathf(home, "%s/home", workdir);
	make_dir(home);
	oldhome = getenv("HOME") != NULL ? xstrdup(getenv("HOME")) : NULL;
	oldxdg = getenv("XDG_CONFIG_HOME") != NULL ?
	    xstrdup(getenv("XDG_CONFIG_HOME")) : NULL;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);

	/* CPU per event, as in scenario c. */
	W = xcalloc(2, sizeof(*W));
	bases[0] = workdir;
	pathf(shm, "/dev/shm/wbench.XXXXXX");
	if (strcmp(fs_name(workdir), "tmpfs") != 0 &&
	    strcmp(fs_name("/dev/shm"), "tmpfs") == 0 &&
	    mkdtemp(shm) != NULL) {
		pathf(shmdir, "%s", shm);
		bases[nbase++] = shmdir;
	}
	fprintf(fp, "### g1) CPU per event\n\n"
	    "As scenario c: `watchrun -w $D -- $STAMP $OUT` on a fresh tree "
	    "of 20 directories while %d new files are written round-robin "
	    "(%d events); watchrun's own CPU per event.  %d repetitions of "
	    "each tree, on the benchmark's temporary directory (%s)%s.\n\n",
	    o.events / 2, o.events / 2 * 2, o.reps_g, fs_name(workdir),
	    nbase > 1 ? " and on /dev/shm (tmpfs)" : "");
	fprintf(fp, "%s", head);
	for (i = 0; i < nbase; i++) {
		for (rep = 0, ok = 1; ok && rep < o.reps_g; rep++)
			for (k = 0; ok && k < 2; k++) {
				g = rep % 2 == 0 ? k : 1 - k;
				progress("g) %d events on %s: %s, rep %d",
				    o.events, fs_name(bases[i]), tree_name[g],
				    rep + 1);
				ok = cpu_rep(bases[i], NULL, 0, g, &W[i][g],
				    fp);
			}
		for (g = 0; g < 2; g++)
			if (W[i][g].n > 0)
				cpu_summary(fp, fs_name(bases[i]), g ?
				    "watchrun, git work tree" :
				    "watchrun, plain directory", &W[i][g]);
	}
	fprintf(fp, "\n| filesystem | pairs | plain µs/event (on-CPU) | git "
	    "µs/event (on-CPU) | ratio of the medians | median of the pairs "
	    "| same, utime+stime | writer's events/s |\n"
	    "|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < nbase; i++) {
		k = W[i][0].n < W[i][1].n ? W[i][0].n : W[i][1].n;
		if (k == 0)
			continue;
		s[0] = stats_of(W[i][0].on, (size_t)W[i][0].n);
		s[1] = stats_of(W[i][1].on, (size_t)W[i][1].n);
		tg.g_cpu[i] = 1;
		tg.g_fs[i] = fs_name(bases[i]);
		tg.g_on[i][0] = s[0].med;
		tg.g_on[i][1] = s[1].med;
		tg.g_pairs[i] = k;
		tg.g_ratio[i] = pair_ratio(W[i][0].on, W[i][1].on, k);
		tg.g_rate[i][0] = tg.g_rate[i][1] = W[i][0].rate[0];
		for (g = 0; g < 2; g++)
			for (rep = 0; rep < W[i][g].n; rep++) {
				if (W[i][g].rate[rep] < tg.g_rate[i][0])
					tg.g_rate[i][0] = W[i][g].rate[rep];
				if (W[i][g].rate[rep] > tg.g_rate[i][1])
					tg.g_rate[i][1] = W[i][g].rate[rep];
			}
		fprintf(fp, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | "
		    "%.0f–%.0f |\n", fs_name(bases[i]), k, s[0].med, s[1].med,
		    s[0].med > 0 ? s[1].med / s[0].med : 0, tg.g_ratio[i],
		    pair_ratio(W[i][0].us, W[i][1].us, k), tg.g_rate[i][0],
		    tg.g_rate[i][1]);
	}
	fprintf(fp, "\nThe CPU per event follows the writer's rate (see c): "
	    "where that rate varied more than twofold between the runs on "
	    "one filesystem, the runs there measure the disk's stalls more "
	    "than the tree, and the target below counts that filesystem as "
	    "not comparable in this run rather than met or missed.\n");
	free(W);
	if (shmdir[0] != '\0') {
		rm_tree(shmdir);
		shmdir[0] = '\0';
	}

	/* Start-up on the large tree, its .git moved in and out. */
	S = xcalloc(2, sizeof(*S));
	pathf(big, "%s/gbig", workdir);
	pathf(dotgit, "%s/.git", big);
	pathf(parked, "%s/gbig.git", workdir);
	made = (double)now_ns();
	ndirs = make_big(big, o.big, deep);
	make_gitignored(big, 1);
	made = ((double)now_ns() - made) / 1e9;
	move(dotgit, parked);
	pathf(probe, "%s/probe.txt", deep);
	/* One start of each first, unmeasured: the caches warm alike. */
	for (rep = -1, ok = 1; ok && rep < o.reps_d; rep++)
		for (k = 0; ok && k < 2; k++) {
			g = rep < 0 || rep % 2 == 0 ? k : 1 - k;
			if (g)
				move(parked, dotgit);
			progress("g) start-up on %ld directories: %s, %s",
			    ndirs, tree_name[g], rep < 0 ? "warm-up" :
			    "rep");
			ok = start_one(T_WATCHRUN, big, probe, &m, &ready,
			    NULL);
			if (g)
				move(dotgit, parked);
			if (!ok) {
				S[g].failed = 1;
				fail("scenario g: watchrun did not get ready "
				    "in the %s", tree_name[g]);
				break;
			}
			if (rep < 0)
				continue;
			S[g].ready[S[g].n] = ready;
			S[g].rss[S[g].n] = (double)m.rss_kb;
			S[g].cpu[S[g].n] = (double)m.cticks /
			    (double)clk_tck;
			S[g].watches = m.watches;
			S[g].n++;
		}
	fprintf(fp, "\n### g2) Start-up on a %dx%dx%d tree (%ld "
	    "directories)\n\n"
	    "The tree of scenario d (made anew, with the .gitignore at the "
	    "top, in %.1f s), watched by `watchrun -w $D -d 0 -- $STAMP "
	    "$OUT`; 'ready' = spawn to its ready line; RSS of watchrun and "
	    "its guardian once ready.  The git work tree is the same tree "
	    "with its `.git` moved back in.  One unmeasured start of each "
	    "first, then %d repetitions of each.\n\n"
	    "| tree | reps | ready ms | ready ÷ plain (median of the pairs) "
	    "| RSS MiB | start-up CPU s | watches |\n"
	    "|---|---|---|---|---|---|---|\n", o.big[0], o.big[1], o.big[2],
	    ndirs, made, o.reps_d);
	k = S[0].n < S[1].n ? S[0].n : S[1].n;
	for (g = 0; g < 2; g++) {
		if (S[g].n == 0) {
			fprintf(fp, "| %s | FAILED: did not get ready |\n",
			    tree_name[g]);
			continue;
		}
		s[g] = stats_of(S[g].ready, (size_t)S[g].n);
		sr = stats_of(S[g].rss, (size_t)S[g].n);
		sc = stats_of(S[g].cpu, (size_t)S[g].n);
		fprintf(fp, "| %s | %d | %.0f (%.0f–%.0f) | ", tree_name[g],
		    S[g].n, s[g].med, s[g].min, s[g].max);
		if (g == 0 || k == 0)
			fprintf(fp, "1.00");
		else
			fprintf(fp, "%.2f (%.2f)", s[1].med / s[0].med,
			    pair_ratio(S[0].ready, S[1].ready, k));
		fprintf(fp, " | %.2f (%.2f–%.2f) | %.2f | %lld |\n",
		    sr.med / 1024, sr.min / 1024, sr.max / 1024, sc.med,
		    S[g].watches);
	}
	if (k > 0) {
		tg.g_start = 1;
		tg.g_ready[0] = s[0].med;
		tg.g_ready[1] = s[1].med;
		tg.g_start_ratio = pair_ratio(S[0].ready, S[1].ready, k);
		tg.g_start_pairs = k;
		tg.g_dirs = ndirs;
		if (S[1].watches < S[0].watches)
			fail("scenario g: %lld watches in the plain tree, "
			    "only %lld in the git work tree", S[0].watches,
			    S[1].watches);
		else if (S[1].watches > S[0].watches)
			fprintf(fp, "\nThe git work tree has %lld watch%s "
			    "more, not on its directories: watchrun watches "
			    "the directories of the ignore files outside the "
			    "tree too (`.git/info`, the global file's), to "
			    "read them again when they change.\n",
			    S[1].watches - S[0].watches,
			    S[1].watches - S[0].watches == 1 ? "" : "es");
	}
	free(S);
	rm_tree(big);
	rm_tree(parked);
	if (oldhome != NULL)
		setenv("HOME", oldhome, 1);
	else
		unsetenv("HOME");
	if (oldxdg != NULL)
		setenv("XDG_CONFIG_HOME", oldxdg, 1);
	else
		unsetenv("XDG_CONFIG_HOME");
	free(oldhome);
	free(oldxdg);
	load_report(fp, &ld);
}

/* Instruction counts of the per-event path, under callgrind. */

/*
 * Runs replay -n DIRS -m EVENTS ARGS... under callgrind, counting inside
 * fn; returns the instructions, or 0 with why in note.
 */
static unsigned long long
callgrind(const char *fn, char *const args[], char *note, size_t notesize)
{
	char out[PATH_MAX], log[PATH_MAX], tog[128], fileopt[PATH_MAX + 32];
	char n[32], m[32], line[512], buf[4096];
	char *av[24];
	unsigned long long v = 0;
	FILE *fp;
	int i = 0, k, st;

	pathf(out, "%s/callgrind.out", workdir);
	pathf(log, "%s/callgrind.log", workdir);
	snprintf(tog, sizeof(tog), "--toggle-collect=%s", fn);
	snprintf(fileopt, sizeof(fileopt), "--callgrind-out-file=%s", out);
	snprintf(n, sizeof(n), "%d", o.replay_dirs);
	snprintf(m, sizeof(m), "%d", o.replay_events);
	av[i++] = "valgrind";
	av[i++] = "--tool=callgrind";
	av[i++] = fileopt;
	av[i++] = tog;
	av[i++] = replaybin;
	av[i++] = "-n";
	av[i++] = n;
	av[i++] = "-m";
	av[i++] = m;
	for (k = 0; args[k] != NULL && i < 23; k++)
		av[i++] = args[k];
	av[i] = NULL;
	st = capture(av, buf, sizeof(buf), log);
	if (st != 0) {
		first_line(buf);
		snprintf(note, notesize, "valgrind failed: %.200s",
		    buf);
		return 0;
	}
	if ((fp = fopen(log, "re")) != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL) {
			first_line(line);
			snprintf(note, notesize, "%.200s", line);
		}
		fclose(fp);
	}
	if ((fp = fopen(out, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "totals:", 7) == 0 ||
		    (v == 0 && strncmp(line, "summary:", 8) == 0))
			v = strtoull(strchr(line, ':') + 1, NULL, 10);
	fclose(fp);
	unlink(out);
	return v;
}

/*
 * Runs replay natively with args; returns its output line in buf, or
 * NULL after saying why in fp.
 */
static char *
replay_native(char *const args[], char *buf, size_t size, FILE *fp)
{
	char n[32], m[32], *av[24];
	int i = 0, k;

	snprintf(n, sizeof(n), "%d", o.replay_dirs);
	snprintf(m, sizeof(m), "%d", o.replay_events);
	av[i++] = replaybin;
	av[i++] = "-n";
	av[i++] = n;
	av[i++] = "-m";
	av[i++] = m;
	for (k = 0; args[k] != NULL && i < 23; k++)
		av[i++] = args[k];
	av[i] = NULL;
	if (capture(av, buf, size, NULL) != 0) {
		first_line(buf);
		fprintf(fp, "FAILED: replay: %s\n\n", buf);
		fail("replay: %s", buf);
		return NULL;
	}
	first_line(buf);
	return buf;
}

/* The number after key= in s, or -1. */
static double
field(const char *s, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), " %s=", key);
	if (s == NULL || (p = strstr(s, k)) == NULL)
		return -1;
	return strtod(p + strlen(k), NULL);
}

static void
scenario_i(void)
{
	static const struct {
		char		*args[8];
		const char	*what;
	} cfg[] = {
		{ { "-r", "1", NULL }, "1 rule: `\\.c$` WRITE\\|CREATE" },
		{ { "-r", "100", NULL }, "100 rules: `\\.ext0$` … `\\.ext98$` "
		    "WRITE\\|CREATE, then `\\.c$` WRITE\\|CREATE" },
		{ { "-r", "100", "-M", NULL }, "100 rules: `\\.ext0$` … "
		    "`\\.ext98$` DELETE, then `\\.c$` WRITE\\|CREATE" },
		{ { "-r", "100", "-s", "dir", NULL }, "100 rules: "
		    "`(^\\|/)dir0/` … `(^\\|/)dir98/` WRITE\\|CREATE (no "
		    "literal prefix or suffix), then `\\.c$` WRITE\\|CREATE" },
	};
	static const char *const fwhat[3] = {
		"none (no filter passed to `watch_new()`)",
		"the default list (a plain directory)",
		"the default list and git's rules (a git work tree with the "
		"50-line `.gitignore` of scenario g)",
	};
	static const char *const mwhat[4] = {
		"`gitignore_check_name()` (src/gitignore.c)",
		"PCRE2, one expression per line, tried from the last line up "
		"(`*.o` → `(?:^\\|/)[^/]*\\.o$`)",
		"PCRE2 as above, with `*lit` lines as the literal suffix "
		"(`*.o` → `\\.o$`, which match.c decides by a byte "
		"comparison)",
		"PCRE2, one alternation of the 49 ignoring lines and one of "
		"the negation",
	};
	static char *const mfn[4] = { "bench_gitignore", "bench_pcre2_each",
	    "bench_pcre2_lit", "bench_pcre2_one" };
	static const char *const mkey[4] = { "gitignore_ns", "pcre2_each_ns",
	    "pcre2_lit_ns", "pcre2_one_ns" };
	FILE *fp = sect[S_I].fp;
	char fbuf[3][1024], mbuf[1024], note[256], vg[128], fnote[3][256];
	char *fargs[3][6] = {
		{ "-r", "1", "-F", NULL },
		{ "-r", "1", NULL },
		{ "-r", "1", "-g", gifile, NULL },
	};
	char *margs[] = { "-B", "-g", gifile, "-k", "1", NULL };
	char *nmargs[] = { "-B", "-g", gifile, NULL };
	char *vv[] = { "valgrind", "--version", NULL };
	char *line[3];
	unsigned long long whole[4], disp[4], fw[3], ff[3], fd[3], mi[4];
	size_t k, ncfg = sizeof(cfg) / sizeof(cfg[0]);
	double delivered[3], filtered[3], paths;
	struct load ld;

	load_mark(&ld);
	fprintf(fp, "## Instruction counts of the per-event path "
	    "(callgrind)\n\n");
	if (access(replaybin, X_OK) != 0) {
		fprintf(fp, "Skipped: %s is not built.\n", replaybin);
		fail("replay is not built (%s)", replaybin);
		return;
	}
	progress("instruction counts: replay");
	for (k = 0; k < 3; k++) {
		if ((line[k] = replay_native(fargs[k], fbuf[k],
		    sizeof(fbuf[k]), fp)) == NULL) {
			load_report(fp, &ld);
			return;
		}
		delivered[k] = field(line[k], "delivered");
		filtered[k] = field(line[k], "filtered");
	}
	if (delivered[0] != delivered[1] || delivered[0] != delivered[2])
		fail("replay: %.0f, %.0f and %.0f records delivered without a "
		    "filter, with the default list and with git's rules",
		    delivered[0], delivered[1], delivered[2]);
	tg.i_jit = strstr(line[1], "jit=yes") != NULL;
	fprintf(fp, "`bench/replay` (linked with watchrun's objects) makes a "
	    "real tree of %d directories, watches it with `watch_root()`, "
	    "and feeds a synthesized stream of %d inotify records (watch "
	    "descriptors 1..%d, CLOSE_WRITE / CREATE / MODIFY of "
	    "`file<k>.c` or `x<k>.h`, names padded to 16 bytes, cut into "
	    "64 KiB reads) through `watch_feed()` into `dispatch_event()`, "
	    "with the ignore filter of `src/ignore.c` (`ignore_new(rs, "
	    "matcher, 1, 1)`: the default list, and git's rules where the "
	    "tree is a git work tree), as `app.c` wires them.  MODIFY is not "
	    "among the rules' events, so it stops at the watch layer; %.0f "
	    "records reach the filter and the dispatcher.  'whole path' = "
	    "everything inside `replay_feed` (decode, watch-descriptor "
	    "lookup, path building, ignore filter, match, batch, debounce); "
	    "'match + debounce' = inside `dispatch_event` only; 'filter' = "
	    "inside the filter callback (`ignore_path()`).  Instructions (Ir) "
	    "per record, from `valgrind --tool=callgrind "
	    "--toggle-collect=FUNCTION`; these do not depend on machine "
	    "noise.  PCRE2 JIT: %s.  Native run: `%s`.\n\n",
	    o.replay_dirs, o.replay_events, o.replay_dirs, delivered[1],
	    tg.i_jit ? "yes" : "no", line[1]);
	if (!in_path("valgrind")) {
		fprintf(fp, "Skipped: valgrind is not installed.\n");
		progress("instruction counts skipped: no valgrind");
		load_report(fp, &ld);
		return;
	}
	(void)capture(vv, vg, sizeof(vg), NULL);
	first_line(vg);
	fprintf(fp, "In a plain directory (the default list only):\n\n"
	    "| rules | whole path Ir/record | match + debounce Ir/record | "
	    "match + debounce ÷ 1 rule |\n|---|---|---|---|\n");
	for (k = 0; k < ncfg; k++) {
		/* The smoke test needs each code path once, not each shape. */
		if (o.smoke && k == 2) {
			whole[k] = disp[k] = 0;
			continue;
		}
		progress("instruction counts: %s under callgrind",
		    cfg[k].what);
		note[0] = '\0';
		whole[k] = callgrind("replay_feed", cfg[k].args, note,
		    sizeof(note));
		disp[k] = callgrind("dispatch_event", cfg[k].args, note,
		    sizeof(note));
		if (whole[k] == 0 || disp[k] == 0) {
			fprintf(fp, "| %s | FAILED: %s |\n", cfg[k].what,
			    note);
			fail("callgrind: %s", note);
			continue;
		}
		fprintf(fp, "| %s | %.0f | %.0f | %.2f |\n", cfg[k].what,
		    (double)whole[k] / o.replay_events,
		    (double)disp[k] / o.replay_events,
		    disp[0] ? (double)disp[k] / (double)disp[0] : 0.0);
	}
	if (disp[0] > 0 && disp[1] > 0) {
		tg.i = 1;
		tg.i_r1 = (double)disp[0] / o.replay_events;
		tg.i_r100 = (double)disp[1] / o.replay_events;
		tg.i_dir = disp[3] > 0 ? (double)disp[3] / o.replay_events : 0;
	}

	/* What the ignore filter costs, with and without git's rules. */
	fprintf(fp, "\nThe ignore filter, with the one rule `\\.c$`; the "
	    "same %.0f records reach the dispatcher in each row, and the "
	    "filter is asked about each of them (%.0f calls; 'filter' counts "
	    "only these, not the directories of the first scan):\n\n"
	    "| ignore filter | whole path Ir/record | filter Ir/record | "
	    "filter Ir per call | match + debounce Ir/record | "
	    "whole path ÷ the default list's | native ns/record |\n"
	    "|---|---|---|---|---|---|---|\n", delivered[1], filtered[1]);
	for (k = 0; k < 3; k++) {
		progress("instruction counts: filter %s under callgrind",
		    k == 0 ? "none" : k == 1 ? "default" : "git");
		note[0] = '\0';
		fw[k] = callgrind("replay_feed", fargs[k], note, sizeof(note));
		fd[k] = callgrind("dispatch_event", fargs[k], note,
		    sizeof(note));
		ff[k] = k == 0 ? 0 : callgrind("replay_filter", fargs[k],
		    note, sizeof(note));
		if (fw[k] == 0 || fd[k] == 0 || (k > 0 && ff[k] == 0)) {
			snprintf(fnote[k], sizeof(fnote[k]), "%s", note);
			fail("callgrind: %s", note);
			fw[k] = 0;
		}
	}
	for (k = 0; k < 3; k++) {
		if (fw[k] == 0) {
			fprintf(fp, "| %s | FAILED: %s |\n", fwhat[k],
			    fnote[k]);
			continue;
		}
		fprintf(fp, "| %s | %.0f | ", fwhat[k],
		    (double)fw[k] / o.replay_events);
		if (k == 0)
			fprintf(fp, "- | - | ");
		else
			fprintf(fp, "%.0f | %.0f | ",
			    (double)ff[k] / o.replay_events,
			    filtered[k] > 0 ? (double)ff[k] / filtered[k] :
			    0);
		fprintf(fp, "%.0f | ", (double)fd[k] / o.replay_events);
		if (fw[1] > 0)
			fprintf(fp, "%.2f", (double)fw[k] / (double)fw[1]);
		else
			fprintf(fp, "-");
		fprintf(fp, " | %.1f |\n", field(line[k], "ns_per_event"));
	}
	if (fw[1] > 0 && fw[2] > 0) {
		tg.gi = 1;
		for (k = 0; k < 3; k++) {
			tg.gi_whole[k] = (double)fw[k] / o.replay_events;
			tg.gi_filter[k] = (double)ff[k] / o.replay_events;
		}
	}

	/* One check of git's rules: the matcher against PCRE2. */
	progress("instruction counts: one check of git's rules");
	if (replay_native(nmargs, mbuf, sizeof(mbuf), fp) != NULL) {
		paths = field(mbuf, "paths");
		fprintf(fp, "\nOne check of git's rules on one path, the 50 "
		    "lines of the `.gitignore` against each of the %.0f "
		    "paths the stream delivers (`replay -B`; none of them is "
		    "ignored, so no check ends at an early match; the four "
		    "agree on %.0f probe paths that the lines do ignore or "
		    "keep first).  Ir "
		    "per check under callgrind; ns per check natively, the "
		    "best of 5 passes of %.0f rounds.  Native run: "
		    "`%s`.\n\n"
		    "| how | Ir per check | ÷ gitignore.c | native ns per check "
		    "|\n|---|---|---|---|\n", paths, field(mbuf, "probes"),
		    field(mbuf, "rounds"), mbuf);
		for (k = 0; k < 4; k++) {
			note[0] = '\0';
			mi[k] = callgrind(mfn[k], margs, note, sizeof(note));
			if (mi[k] == 0 || paths <= 0) {
				fprintf(fp, "| %s | FAILED: %s |\n", mwhat[k],
				    note);
				fail("callgrind: %s", note);
				continue;
			}
			/* Five passes of one round each. */
			fprintf(fp, "| %s | %.0f | %.1f | %.1f |\n", mwhat[k],
			    (double)mi[k] / 5 / paths, mi[0] > 0 ?
			    (double)mi[k] / (double)mi[0] : 0,
			    field(mbuf, mkey[k]));
		}
	}
	fprintf(fp, "\n%s.\n", vg);
	load_report(fp, &ld);
}

/* The report. */

static void
sect_open(void)
{
	int i;

	for (i = 0; i < NSECT; i++)
		if ((sect[i].fp = open_memstream(&sect[i].buf,
		    &sect[i].len)) == NULL)
			err(1, "open_memstream");
}

static void
read_line(const char *path, const char *key, char *buf, size_t size)
{
	char line[512];
	size_t klen = strlen(key);
	FILE *fp;

	snprintf(buf, size, "?");
	if ((fp = fopen(path, "re")) == NULL)
		return;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, key, klen) == 0) {
			first_line(line);
			snprintf(buf, size, "%s", line + klen);
			break;
		}
	fclose(fp);
}

static const char *
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

static void
cmdline(FILE *fp, int id)
{
	const struct tool *t = &tools[id];
	const char *a;
	int i;

	for (i = 0; t->argv[i] != NULL; i++) {
		a = t->argv[i];
		if (i > 0)
			fputc(' ', fp);
		if (strcmp(a, "$WATCHRUN") == 0)
			fputs("watchrun", fp);
		else if (strcmp(a, "$FLOOR") == 0)
			fputs("floor", fp);
		else if (strpbrk(a, " \"$|;") != NULL && a[0] != '$')
			fprintf(fp, "'%s'", a);
		else
			fputs(a, fp);
	}
}

/* The commit and the changed files, when the run starts. */
static char src_commit[128], src_dirty[1024];

static void
source_state(void)
{
	char *gv[] = { "git", "rev-parse", "--short", "HEAD", NULL };
	char *gs[] = { "git", "status", "--porcelain", "--untracked-files=no",
	    NULL };
	char buf[8192], *line, *next;
	size_t len = 0;

	if (capture(gv, src_commit, sizeof(src_commit), NULL) != 0)
		snprintf(src_commit, sizeof(src_commit), "unknown");
	first_line(src_commit);
	if (capture(gs, buf, sizeof(buf), NULL) != 0)
		return;
	for (line = buf; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			*next++ = '\0';
		if (strlen(line) <= 3)
			continue;
		if (len + strlen(line + 3) + 8 >= sizeof(src_dirty)) {
			snprintf(src_dirty + len, sizeof(src_dirty) - len,
			    ", ...");
			break;
		}
		len += (size_t)snprintf(src_dirty + len, sizeof(src_dirty) -
		    len, "%s%s", len > 0 ? ", " : "", line + 3);
	}
}

static void
write_head(int argc, char *argv[], uint64_t started, time_t wall)
{
	FILE *fp = sect[S_HEAD].fp;
	struct utsname u;
	struct rlimit rl;
	char model[256], mem[64], os[256], la0[64];
	char when[64];
	int i, id;

	read_line("/proc/cpuinfo", "model name\t: ", model, sizeof(model));
	read_line("/proc/meminfo", "MemTotal:", mem, sizeof(mem));
	read_line("/etc/os-release", "PRETTY_NAME=", os, sizeof(os));
	if (os[0] == '"') {
		memmove(os, os + 1, strlen(os));
		os[strcspn(os, "\"")] = '\0';
	}
	read_line("/proc/loadavg", "", la0, sizeof(la0));
	uname(&u);
	getrlimit(RLIMIT_NOFILE, &rl);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", gmtime(&wall));

	fprintf(fp, "# watchrun performance\n\n"
	    "## How to reproduce\n\n"
	    "`make bench` builds watchrun, `bench/floor`, `bench/stamp`, "
	    "`bench/replay` and `bench/wbench`, runs every scenario below "
	    "(about 15 minutes on 2 cores) and rewrites this file; every "
	    "figure in it was measured in the run it describes.  "
	    "inotifywait, fswatch, direvent and entr are compared where "
	    "installed, and valgrind gives the instruction counts; a missing "
	    "tool is skipped with a line saying so.  `make bench-smoke` runs "
	    "a 10-second version that only checks that every scenario still "
	    "works (part of `make check`; it asserts no target).  Sizes and "
	    "repetitions are options: `%s/wbench -h`, passed as "
	    "`make bench BENCH_FLAGS='-n 100'`.  The machine is shared and "
	    "noisy: compare tools within one run, as ratios, and treat "
	    "differences under ~30%% in times as noise; the figures for other "
	    "processes' CPU after each scenario tell how quiet it was.\n\n"
	    "## This run\n\n", "build/bench");
	fprintf(fp, "- date: %s; the run took %.0f s\n", when,
	    (double)(now_ns() - started) / 1e9);
	fprintf(fp, "- machine: %s, %ld cores, %.1f GiB RAM, kernel %s %s, "
	    "%s\n", model, sysconf(_SC_NPROCESSORS_ONLN),
	    strtod(mem, NULL) / (1024.0 * 1024.0), u.sysname, u.release, os);
	fprintf(fp, "- temporary trees: %s (%s)\n", workdir,
	    fs_name(workdir));
	fprintf(fp, "- inotify: max_user_watches=%lld max_user_instances=%lld "
	    "max_queued_events=%lld; RLIMIT_NOFILE %llu\n",
	    read_key("/proc/sys/fs/inotify/max_user_watches", ""),
	    read_key("/proc/sys/fs/inotify/max_user_instances", ""),
	    read_key("/proc/sys/fs/inotify/max_queued_events", ""),
	    (unsigned long long)rl.rlim_cur);
	fprintf(fp, "- load average at the end: %s\n", la0);
	fprintf(fp, "- source: commit %s", src_commit);
	if (src_dirty[0] != '\0')
		fprintf(fp, " with uncommitted changes to %s", src_dirty);
	fprintf(fp, " when the run started; built with %s\n", COMPILER);
	fprintf(fp, "- invocation:");
	for (i = 0; i < argc; i++)
		fprintf(fp, " %s", argv[i]);
	fprintf(fp, "%s\n\n", o.smoke ? " (smoke mode: tiny sizes; not "
	    "for comparison)" : "");
	fprintf(fp, "### Tools and command lines\n\n`$D` = the watched "
	    "tree, `$STAMP` = `bench/stamp` (appends `<CLOCK_MONOTONIC ns> "
	    "<number of args> <$WATCHRUN_COUNT or ->` to its first argument "
	    "in one write), `$OUT` = the stamp file, outside `$D`.  Each "
	    "tool is started in its own session; after each run its process "
	    "group and every descendant get SIGTERM, then SIGKILL 2 s later "
	    "(the benchmark is a child subreaper, so nothing escapes).\n\n");
	for (id = 0; id < NTOOLS; id++) {
		if (!selected(id))
			continue;
		fprintf(fp, "- **%s**: ", tools[id].name);
		if (!avail[id]) {
			fprintf(fp, "skipped: %s\n", skipwhy[id]);
			continue;
		}
		fprintf(fp, "%s; `", version[id]);
		cmdline(fp, id);
		fprintf(fp, "`");
		if (id == T_DIREVENT)
			fprintf(fp, " with `$CONF` = `watcher { path \"$D\" "
			    "recursive; event (create, write); command "
			    "\"$STAMP $OUT $file\"; }`");
		fprintf(fp, "; %s\n", tools[id].note);
	}
	fprintf(fp, "\n");
}

static void
verdict(FILE *fp, int measured, int met, const char *target,
    const char *fmt, ...)
{
	va_list ap;

	fprintf(fp, "| %s | ", target);
	if (!measured) {
		fprintf(fp, "not measured in this run | - |\n");
		return;
	}
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fprintf(fp, " | %s |\n", met ? "met" : "**missed**");
}

/* The targets of the gitignore issue: within 1.2 x of no .gitignore. */
static void
write_targets_g(FILE *fp)
{
	char what[256];
	int i, met, any = 0;
	double r;

	fprintf(fp, "## Targets (git's ignore rules)\n\nWith a 50-line "
	    ".gitignore in a git work tree against the same tree and events "
	    "in a plain directory, measured side by side in this run "
	    "(scenario g, and the instruction counts).\n\n"
	    "| target | measured | |\n|---|---|---|\n");
	snprintf(what, sizeof(what), "%d events: watchrun's own CPU per "
	    "event in a git work tree ≤ 1.2 × in a plain directory",
	    o.events / 2 * 2);
	fprintf(fp, "| %s | ", what);
	for (i = 0, met = 1; i < 2; i++) {
		if (!tg.g_cpu[i])
			continue;
		fprintf(fp, "%s%s: %.2f vs %.2f µs on-CPU (medians), %.2f × "
		    "(median of %d pairs' ratios)", any ? "; " : "",
		    tg.g_fs[i], tg.g_on[i][1], tg.g_on[i][0], tg.g_ratio[i],
		    tg.g_pairs[i]);
		any = 1;
	}
	if (!any)
		fprintf(fp, "not measured in this run | - |\n");
	else {
		fprintf(fp, " | ");
		for (i = 0, any = 0; i < 2; i++) {
			if (!tg.g_cpu[i])
				continue;
			met = tg.g_ratio[i] <= 1.2;
			if (tg.g_rate[i][1] > 2 * tg.g_rate[i][0])
				fprintf(fp, "%snot comparable on %s (the "
				    "writer's rate varied %.1f×; %s 1.2 × "
				    "by the pairs)", any ? ", " : "",
				    tg.g_fs[i],
				    tg.g_rate[i][1] / tg.g_rate[i][0],
				    met ? "within" : "above");
			else
				fprintf(fp, "%s%s on %s", any ? ", " : "",
				    met ? "met" : "**missed**", tg.g_fs[i]);
			any = 1;
		}
		fprintf(fp, " |\n");
	}
	r = tg.gi ? tg.gi_whole[2] / tg.gi_whole[1] : 0;
	verdict(fp, tg.gi, r <= 1.2, "the per-event path with git's rules ≤ "
	    "1.2 × without (callgrind, Ir per record inside replay_feed)",
	    "%.0f vs %.0f Ir: %.2f × (the filter alone: %.0f Ir per record "
	    "with git's rules, %.0f with the default list only; no filter "
	    "at all: %.0f Ir for the whole path)", tg.gi_whole[2],
	    tg.gi_whole[1], r, tg.gi_filter[2], tg.gi_filter[1],
	    tg.gi_whole[0]);
	snprintf(what, sizeof(what), "start-up on %ld directories: ready in "
	    "a git work tree ≤ 1.2 × in a plain directory", tg.g_start ?
	    tg.g_dirs : 1 + (long)o.big[0] + (long)o.big[0] * o.big[1] +
	    (long)o.big[0] * o.big[1] * o.big[2]);
	verdict(fp, tg.g_start, tg.g_start_ratio <= 1.2, what, "%.0f vs "
	    "%.0f ms (medians): %.2f × (median of %d pairs' ratios)",
	    tg.g_ready[1], tg.g_ready[0], tg.g_start_ratio,
	    tg.g_start_pairs);
	fprintf(fp, "\n");
}

static void
write_targets(void)
{
	FILE *fp = sect[S_TARGETS].fp;
	char what[256];
	double r;

	fprintf(fp, "## Targets (issue 4)\n\nEach measured in this run; "
	    "ratios are against the floor measured in the same run.  A "
	    "target is met when the figure in the middle column satisfies "
	    "it.\n\n| target | measured | |\n|---|---|---|\n");
	r = tg.a ? tg.a_wr_med / tg.a_floor_med : 0;
	verdict(fp, tg.a, r <= 1.15, "latency, debounce 0, argv command: "
	    "median ≤ 1.15 × floor", "%.3f ms vs floor %.3f ms: %.2f ×",
	    tg.a_wr_med, tg.a_floor_med, r);
	r = tg.a ? tg.a_wr_p90 / tg.a_wr_med : 0;
	verdict(fp, tg.a, r <= 1.5, "latency, debounce 0: p90 ≤ 1.5 × median",
	    "p90 %.3f ms: %.2f × median (the floor's own p90: %.2f × its "
	    "median; other processes used %.2f cores meanwhile)", tg.a_wr_p90,
	    r, tg.a ? tg.a_floor_p90 / tg.a_floor_med : 0, tg.a_load);
	verdict(fp, tg.a50, tg.a50_max <= 2.0, "debounce 50 ms: the run "
	    "starts ≤ D + 2 ms after the save, in every trial",
	    "max %.3f ms past 50 ms (median %.3f, p90 %.3f); without a "
	    "debounce the floor's own latency was %.3f ms median, %.3f ms "
	    "max", tg.a50_max, tg.a50_med, tg.a50_p90, tg.a_floor_med,
	    tg.a_floor_max);
	snprintf(what, sizeof(what), "burst of %d new files: exactly 1 run",
	    o.burst_files);
	verdict(fp, tg.b, tg.b_one == tg.b_reps, what, "%d of %d "
	    "repetitions had 1 run (%zu–%zu runs)", tg.b_one, tg.b_reps,
	    tg.b_runs_min, tg.b_runs_max);
	if (tg.b && tg.b_delay_n < tg.b_reps)
		verdict(fp, 1, 0, "burst: the run starts ≤ debounce + 5 ms "
		    "(105 ms) after the last file", "%d of %d repetitions had "
		    "no run after the last file", tg.b_reps - tg.b_delay_n,
		    tg.b_reps);
	else
		verdict(fp, tg.b, tg.b_delay_max <= 105.0, "burst: the run "
		    "starts ≤ debounce + 5 ms (105 ms) after the last file",
		    "max %.1f ms (median %.1f)", tg.b_delay_max,
		    tg.b_delay_med);
	snprintf(what, sizeof(what), "burst: every path in the batch "
	    "(WATCHRUN_COUNT = %d)", o.burst_files);
	verdict(fp, tg.b, tg.b_cnt_ok == tg.b_reps, what, "%ld–%ld; %d of %d "
	    "repetitions exact", tg.b_cnt_min, tg.b_cnt_max, tg.b_cnt_ok,
	    tg.b_reps);
	snprintf(what, sizeof(what), "%d events: watchrun's own CPU "
	    "(utime+stime) ≤ 3 µs per event", o.events / 2 * 2);
	if (!tg.c)
		verdict(fp, 0, 0, what, "-");
	else {
		fprintf(fp, "| %s | %.2f µs median (max %.2f, %d "
		    "repetitions) on %s", what, tg.c_us_med, tg.c_us_max,
		    tg.c_reps, fs_name(workdir));
		if (tg.c_floor)
			fprintf(fp, ", where merely reading the events "
			    "(floor -n) took %.2f µs", tg.c_floor_med);
		if (tg.c_tmpfs)
			fprintf(fp, "; on tmpfs %.2f µs (floor -n: %.2f)",
			    tg.c_tmpfs_med, tg.c_tmpfs_floor);
		fprintf(fp, " | %s |\n", tg.c_us_med <= 3.0 ? "met" :
		    tg.c_tmpfs && tg.c_tmpfs_med <= 3.0 ?
		    "**missed** on the disk, met on tmpfs" : "**missed**");
	}
	snprintf(what, sizeof(what), "no queue overflow during the %d "
	    "events", o.events / 2 * 2);
	verdict(fp, tg.c, tg.c_over == 0, what, "%d of %d repetitions "
	    "overflowed", tg.c_over, tg.c_reps);
	snprintf(what, sizeof(what), "no queue overflow during `cp -r` of "
	    "%d files", o.cp_files);
	verdict(fp, tg.cp, tg.cp_over == 0, what, "%d of %d repetitions "
	    "overflowed", tg.cp_over, tg.cp_reps);
	snprintf(what, sizeof(what), "start-up on %ld directories: ready ≤ "
	    "1.15 × floor", 1 + (long)o.big[0] + (long)o.big[0] * o.big[1] +
	    (long)o.big[0] * o.big[1] * o.big[2]);
	r = tg.d ? tg.d_wr / tg.d_floor : 0;
	verdict(fp, tg.d, r <= 1.15, what, "%.0f ms vs floor %.0f ms: "
	    "%.2f ×", tg.d_wr, tg.d_floor, r);
	verdict(fp, tg.d && tg.d_inw, tg.d_wr <= tg.d_inwv, "start-up: "
	    "ready ≤ inotifywait", "%.0f ms vs %.0f ms", tg.d_wr, tg.d_inwv);
	verdict(fp, tg.d, tg.d_rss <= 4.0, "start-up: RSS once ready ≤ 4 MiB",
	    "%.2f MiB (watchrun and its guardian)", tg.d_rss);
	verdict(fp, tg.d, tg.d_bpd <= 120.0, "start-up: ≤ 120 bytes per "
	    "directory above the empty-directory baseline", "%.0f bytes",
	    tg.d_bpd);
	verdict(fp, tg.d && tg.d_peers > 0, tg.d_rss * 2 <= tg.d_peer_rss,
	    "start-up: RSS less than half of every peer's", "%.2f MiB vs "
	    "%.2f MiB (%s, the smallest peer)", tg.d_rss, tg.d_peer_rss,
	    tg.d_peer_name != NULL ? tg.d_peer_name : "-");
	r = tg.i ? tg.i_r100 / tg.i_r1 : 0;
	if (!tg.i)
		verdict(fp, 0, 0, "matching: 100 rules ≤ 2 × 1 rule", "-");
	else {
		fprintf(fp, "| matching: 100 rules ≤ 2 × 1 rule (instructions "
		    "in dispatch_event per record) | %.0f vs %.0f Ir: %.1f × "
		    "with `\\.ext<k>$` rules", tg.i_r100, tg.i_r1, r);
		if (tg.i_dir > 0)
			fprintf(fp, "; %.0f Ir, %.1f × with `(^\\|/)dir<k>/` "
			    "rules (no literal prefix or suffix)", tg.i_dir,
			    tg.i_dir / tg.i_r1);
		fprintf(fp, " | %s |\n", r > 2.0 ? "**missed**" :
		    tg.i_dir / tg.i_r1 > 2.0 ? "met with literal suffixes; "
		    "**missed** without" : "met");
	}
	verdict(fp, tg.i, tg.i_jit, "PCRE2 JIT where available", "%s",
	    tg.i_jit ? "JIT available and used by match.c" : "no JIT");
	verdict(fp, tg.e, tg.e_wake == 0, "idle: 0 wake-ups", "%llu "
	    "context switches in %d s", tg.e_wake, o.idle_s);
	fprintf(fp, "\n");
	write_targets_g(fp);
}

static int
write_report(void)
{
	char tmp[PATH_MAX], *text;
	size_t i, len;
	FILE *fp, *inc;
	int c;

	for (i = 0; i < NSECT; i++)
		if (fflush(sect[i].fp) == EOF)
			return -1;
	if (strcmp(o.out, "-") == 0) {
		fp = stdout;
		tmp[0] = '\0';
	} else {
		pathf(tmp, "%s.tmp", o.out);
		if ((fp = fopen(tmp, "we")) == NULL) {
			warn("%s", tmp);
			return -1;
		}
	}
	for (i = 0; i < NSECT; i++) {
		text = sect[i].buf;
		len = sect[i].len;
		if (len == 0)
			continue;
		fwrite(text, 1, len, fp);
		fputc('\n', fp);
		if (i == S_TARGETS && o.include != NULL) {
			if ((inc = fopen(o.include, "re")) == NULL) {
				warn("%s", o.include);
				continue;
			}
			while ((c = fgetc(inc)) != EOF)
				fputc(c, fp);
			fclose(inc);
			fputc('\n', fp);
		}
	}
	if (fflush(fp) == EOF || ferror(fp)) {
		warn("%s", tmp[0] ? tmp : "stdout");
		return -1;
	}
	if (tmp[0] != '\0') {
		if (fclose(fp) == EOF || rename(tmp, o.out) == -1) {
			warn("%s", o.out);
			return -1;
		}
	}
	return 0;
}

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: wbench [-kPv] [--smoke] "
	    "[-b bindir] "
	    "[-i notes.md] [-o report.md|-] [-s scenarios]\n"
	    "\t[-t tools] [-w watchrun] [-n trials] [-r reps] [-R reps_d] "
	    "[-G reps_g]\n\t[-I idle_s] [-T AxBxC] [-E events] "
	    "[-C cp_files]\n"
	    "scenarios: a latency, b burst, c CPU per event, d start-up, "
	    "e idle,\n\tg git's ignore rules, i instruction counts "
	    "(default: abcdegi)\n"
	    "tools: watchrun floor inotifywait fswatch direvent entr "
	    "(default: all)\n");
	exit(status);
}

static int
num(const char *s, int min, int max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		errx(2, "%s %s: not a number in %d..%d", what, s, min, max);
	return (int)v;
}

static void
find_tools(void)
{
	char need[128], *w, *save = NULL;
	int id;

	for (id = 0; id < NTOOLS; id++) {
		avail[id] = 1;
		if (tools[id].need == NULL) {
			const char *bin = tools[id].argv[0][1] == 'W' ?
			    o.watchrun : floorbin;

			if (access(bin, X_OK) != 0) {
				avail[id] = 0;
				snprintf(skipwhy[id], sizeof(skipwhy[id]),
				    "%.80s: %.40s", bin, strerror(errno));
			}
		} else {
			snprintf(need, sizeof(need), "%s", tools[id].need);
			for (w = strtok_r(need, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				if (!in_path(w)) {
					avail[id] = 0;
					snprintf(skipwhy[id],
					    sizeof(skipwhy[id]),
					    "%s is not installed", w);
					break;
				}
		}
		if (avail[id] && selected(id))
			tool_version(id);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "smoke", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction sa;
	char tmpl[PATH_MAX], *p;
	const char *tmpdir;
	uint64_t started = now_ns();
	time_t wall = time(NULL);
	int c, set_n = 0, set_r = 0, set_R = 0, set_I = 0, set_E = 0;
	int set_C = 0, set_T = 0, set_G = 0;

	o.scenarios = "abcdegi";
	o.peers = 1;
	o.verbose = -1;
	while ((c = getopt_long(argc, argv, "b:C:E:G:hI:i:kn:o:PR:r:s:T:t:vw:",
	    lopts, NULL)) != -1) {
		switch (c) {
		case 'S':
			o.smoke = 1;
			break;
		case 'b':
			o.bindir = optarg;
			break;
		case 'C':
			o.cp_files = num(optarg, 1, 10000000, "-C");
			set_C = 1;
			break;
		case 'E':
			o.events = num(optarg, 2, 100000000, "-E");
			set_E = 1;
			break;
		case 'G':
			o.reps_g = num(optarg, 1, MAXREPS, "-G");
			set_G = 1;
			break;
		case 'I':
			o.idle_s = num(optarg, 1, 3600, "-I");
			set_I = 1;
			break;
		case 'i':
			o.include = optarg;
			break;
		case 'k':
			o.keep = 1;
			break;
		case 'n':
			o.trials = num(optarg, 1, 10000, "-n");
			set_n = 1;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'P':
			o.peers = 0;
			break;
		case 'R':
			o.reps_d = num(optarg, 1, MAXREPS, "-R");
			set_R = 1;
			break;
		case 'r':
			o.reps = num(optarg, 1, MAXREPS, "-r");
			set_r = 1;
			break;
		case 's':
			o.scenarios = optarg;
			break;
		case 'T':
			if (sscanf(optarg, "%dx%dx%d", &o.big[0], &o.big[1],
			    &o.big[2]) != 3 || o.big[0] < 1 || o.big[0] > 99 ||
			    o.big[1] < 1 || o.big[1] > 99 || o.big[2] < 1 ||
			    o.big[2] > 99)
				errx(2, "-T %s: want AxBxC, each 1..99",
				    optarg);
			set_T = 1;
			break;
		case 't':
			o.only = optarg;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'w':
			o.watchrun = optarg;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc)
		usage(2);
	if (o.verbose == -1)
		o.verbose = !o.smoke;
	if (o.smoke) {
		/* Small enough for make check; watchrun and floor only. */
		o.peers = 0;
		o.warmup = 1;
		o.trials = set_n ? o.trials : 5;
		o.reps = set_r ? o.reps : 1;
		o.reps_d = set_R ? o.reps_d : 1;
		o.reps_g = set_G ? o.reps_g : 1;
		o.idle_s = set_I ? o.idle_s : 1;
		o.burst_files = 200;
		o.events = set_E ? o.events : 1000;
		o.cp_files = set_C ? o.cp_files : 100;
		if (!set_T)
			o.big[0] = o.big[1] = o.big[2] = 4;
		o.replay_dirs = 20;
		o.replay_events = 200;
		o.quiet = 300 * MS;
		o.lat_quiet = 50 * MS;
	} else {
		o.warmup = 3;
		o.trials = set_n ? o.trials : 50;
		o.reps = set_r ? o.reps : 3;
		o.reps_d = set_R ? o.reps_d : 5;
		o.reps_g = set_G ? o.reps_g : 5;
		o.idle_s = set_I ? o.idle_s : 10;
		o.burst_files = 2000;
		o.events = set_E ? o.events : 100000;
		o.cp_files = set_C ? o.cp_files : 20000;
		if (!set_T) {
			o.big[0] = o.big[1] = 20;
			o.big[2] = 50;
		}
		o.replay_dirs = 1000;
		o.replay_events = 20000;
		o.quiet = 1500 * MS;
		o.lat_quiet = 150 * MS;
	}
	if (o.watchrun == NULL)
		o.watchrun = "./watchrun";
	if (o.bindir == NULL)
		o.bindir = "bench";
	/* Absolute: tools run with other working directories. */
	if (strchr(o.watchrun, '/') != NULL) {
		if ((p = realpath(o.watchrun, NULL)) == NULL)
			err(1, "%s", o.watchrun);
		o.watchrun = p;
	}
	if ((p = realpath(o.bindir, NULL)) == NULL)
		err(1, "%s", o.bindir);
	pathf(stampbin, "%s/stamp", p);
	pathf(floorbin, "%s/floor", p);
	pathf(replaybin, "%s/replay", p);
	free(p);
	if (access(stampbin, X_OK) != 0)
		err(1, "%s", stampbin);
	if (o.out == NULL)
		o.out = o.smoke ? "-" : "doc/performance.md";

	clk_tck = sysconf(_SC_CLK_TCK);
	mainpid = getpid();
	/* Orphans of the tools come back to us, to be killed and reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		err(1, "PR_SET_CHILD_SUBREAPER");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* The tools' environment must not say how watchrun is run. */
	for (c = 0; environ[c] != NULL;)
		if (strncmp(environ[c], "WATCHRUN_", 9) == 0 ||
		    strncmp(environ[c], "NOTIFY_SOCKET=", 14) == 0) {
			char name[128];

			snprintf(name, sizeof(name), "%.*s",
			    (int)strcspn(environ[c], "="), environ[c]);
			unsetenv(name);
		} else
			c++;

	if ((tmpdir = getenv("TMPDIR")) == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	pathf(tmpl, "%s/wbench.XXXXXX", tmpdir);
	if (mkdtemp(tmpl) == NULL)
		err(1, "mkdtemp %s", tmpl);
	pathf(workdir, "%s", tmpl);
	atexit(cleanup);

	source_state();
	pathf(gifile, "%s/gitignore50", workdir);
	write_file(gifile, gitignore50);
	limits_read(limits0);
	if ((notes = open_memstream(&notes_buf, &notes_len)) == NULL)
		err(1, "open_memstream");
	find_tools();
	if (!avail[T_WATCHRUN])
		errx(1, "%s", skipwhy[T_WATCHRUN]);
	sect_open();
	if (strchr(o.scenarios, 'a'))
		scenario_a();
	if (strchr(o.scenarios, 'b'))
		scenario_b();
	if (strchr(o.scenarios, 'c'))
		scenario_c();
	if (strchr(o.scenarios, 'd'))
		scenario_d();
	if (strchr(o.scenarios, 'e'))
		scenario_e();
	if (strchr(o.scenarios, 'g'))
		scenario_g();
	if (strchr(o.scenarios, 'i'))
		scenario_i();
	write_head(argc, argv, started, wall);
	write_targets();
	if (write_report() == -1) {
		fail("the report could not be written");
		return 1;
	}
	if (failures > 0) {
		warnx("%d failure%s; report in %s", failures,
		    failures == 1 ? "" : "s", o.out);
		return 1;
	}
	if (o.smoke)
		fprintf(stderr, "wbench: smoke: every scenario ran (%.0f s); "
		    "report in %s\n", (double)(now_ns() - started) / 1e9,
		    o.out);
	else
		progress("report written to %s", o.out);
	return 0;
}
