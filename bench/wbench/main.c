/*
 * main.c: the benchmark driver.  Runs watchrun, the floor watcher and
 * the peers found on PATH on the same freshly made trees, measures
 * latency, bursts, CPU per event, start-up and idle cost, the backends,
 * counts the instructions of the per-event path under callgrind, and
 * writes one markdown report of what it measured in this run, and
 * nothing else.  This file holds the options, the list of scenarios and
 * the run's set-up and clean-up.
 */
#include <sys/prctl.h>
#include <sys/types.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

/* A scenario: its name on the command line and in the report. */
struct scenario {
	const char	*name;
	const char	*what;
	void		(*run)(struct bench *, FILE *);
};

static const struct scenario scenarios[] = {
	{ "latency", "one save, time to the command's start (no debounce)",
	    scen_latency },
	{ "debounce", "the same with a 50 ms debounce: the delay past it",
	    scen_debounce },
	{ "burst", "many new files at once: one run that names them all",
	    scen_burst },
	{ "cpu-per-event", "watchrun's own CPU per event; queue overflow",
	    scen_cpu },
	{ "copy", "cp -r of a tree into the watched one: overflow, CPU",
	    scen_copy },
	{ "startup", "time to ready, RSS and watches on a large tree",
	    scen_startup },
	{ "idle", "wake-ups and CPU while nothing happens", scen_idle },
	{ "gitignore", "a git work tree's ignore rules against a plain "
	    "directory", scen_gitignore },
	{ "instructions", "instruction counts of the per-event path "
	    "(callgrind)", scen_instructions },
	{ "backend-startup", "--backend inotify and fanotify: ready and RSS "
	    "on a smaller and a larger tree", scen_backend_startup },
	{ "backend-latency", "save-to-run latency of each backend on one "
	    "tree", scen_backend_latency },
	{ "poll-cpu", "--backend poll: idle CPU per number of files",
	    scen_poll_cpu },
	{ "fanotify-outside", "--backend fanotify: CPU per event outside "
	    "the roots", scen_fanotify_outside },
};

static void
usage(int status)
{
	fprintf(status ? stderr : stdout, "usage: wbench [-hklPv] [--smoke] "
	    "[-b bindir] [-i notes.md] [-o report.md|-]\n"
	    "\t[-s scenario,...] [-t tools] [-w watchrun] [-n trials] "
	    "[-r reps]\n\t[-R reps_d] [-G reps_g] [-I idle_s] [-T AxBxC] "
	    "[-E events] [-C cp_files]\n"
	    "\t[--backend-dirs=N,M] [--poll-files=A,B,C] "
	    "[--poll-interval=D]\n\t[--poll-idle=S]\n"
	    "scenarios: -l lists them (default: all)\n"
	    "tools: watchrun floor inotifywait fswatch direvent entr "
	    "(default: all)\n");
	exit(status);
}

static void
list_scenarios(void)
{
	size_t i;

	for (i = 0; i < NITEMS(scenarios); i++)
		printf("%-17s %s\n", scenarios[i].name, scenarios[i].what);
	exit(0);
}

/* Marks in chosen[] the scenarios of the comma-separated list s. */
static void
choose(const char *s, int *chosen)
{
	const char *e;
	size_t i, len;
	int all;

	while (*s != '\0') {
		e = s + strcspn(s, ",");
		len = (size_t)(e - s);
		all = len == 3 && strncmp(s, "all", 3) == 0;
		for (i = 0; i < NITEMS(scenarios); i++)
			if (all || (strlen(scenarios[i].name) == len &&
			    strncmp(s, scenarios[i].name, len) == 0))
				break;
		if (i == NITEMS(scenarios))
			errx(2, "-s: no scenario '%.*s'; wbench -l lists them",
			    (int)len, s);
		if (all)
			for (i = 0; i < NITEMS(scenarios); i++)
				chosen[i] = 1;
		else
			chosen[i] = 1;
		s = *e ? e + 1 : e;
	}
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

/* n comma-separated numbers in min..max into v[]. */
static void
nums(const char *s, long *v, int n, long min, long max, const char *what)
{
	char *end;
	int i;

	for (i = 0; i < n; i++) {
		errno = 0;
		v[i] = strtol(s, &end, 10);
		if (errno != 0 || end == s || v[i] < min || v[i] > max ||
		    *end != (i + 1 < n ? ',' : '\0'))
			errx(2, "%s: want %d numbers in %ld..%ld, separated "
			    "by commas", what, n, min, max);
		s = end + 1;
	}
}

/* At exit: stop every tool, put limits back, remove the trees. */
static void
cleanup(int status, void *arg)
{
	struct bench *b = arg;

	(void)status;
	if (getpid() != b->mainpid)
		return;
	kill_all(b, b->live);
	b->live = NULL;
	limits_restore(b);
	tmpfs_umount(b);
	if (b->workdir[0] != '\0' && !b->o.keep)
		rm_tree(b->workdir);
	if (b->shmdir[0] != '\0' && !b->o.keep)
		rm_tree(b->shmdir);
}

/* The sizes that -h does not set: smoke mode's are tiny. */
static void
defaults(struct opts *o, const int *set)
{
	static const long bk_smoke[2] = { 1000, 5000 };
	static const long bk_full[2] = { 100000, 1000000 };
	static const long pf_smoke[3] = { 50, 200, 800 };
	static const long pf_full[3] = { 5000, 20000, 80000 };

	if (o->smoke) {
		/* Small enough for make check; watchrun and floor only. */
		o->peers = 0;
		o->warmup = 1;
		o->trials = set['n'] ? o->trials : 5;
		o->reps = set['r'] ? o->reps : 1;
		o->reps_d = set['R'] ? o->reps_d : 1;
		o->reps_g = set['G'] ? o->reps_g : 1;
		o->idle_s = set['I'] ? o->idle_s : 1;
		o->burst_files = 200;
		o->events = set['E'] ? o->events : 1000;
		o->cp_files = set['C'] ? o->cp_files : 100;
		if (!set['T'])
			o->big[0] = o->big[1] = o->big[2] = 4;
		o->replay_dirs = 20;
		o->replay_events = 200;
		o->quiet = 300 * MS;
		o->lat_quiet = 50 * MS;
		if (!set['D'])
			memcpy(o->bk_dirs, bk_smoke, sizeof(bk_smoke));
		if (!set['F'])
			memcpy(o->poll_files, pf_smoke, sizeof(pf_smoke));
		o->poll_idle_s = set['J'] ? o->poll_idle_s : 1;
		o->poll_every = set['p'] ? o->poll_every : "100ms";
	} else {
		o->warmup = 3;
		o->trials = set['n'] ? o->trials : 50;
		o->reps = set['r'] ? o->reps : 3;
		o->reps_d = set['R'] ? o->reps_d : 5;
		o->reps_g = set['G'] ? o->reps_g : 5;
		o->idle_s = set['I'] ? o->idle_s : 10;
		o->burst_files = 2000;
		o->events = set['E'] ? o->events : 100000;
		o->cp_files = set['C'] ? o->cp_files : 20000;
		if (!set['T']) {
			o->big[0] = o->big[1] = 20;
			o->big[2] = 50;
		}
		o->replay_dirs = 1000;
		o->replay_events = 20000;
		o->quiet = 1500 * MS;
		o->lat_quiet = 150 * MS;
		if (!set['D'])
			memcpy(o->bk_dirs, bk_full, sizeof(bk_full));
		if (!set['F'])
			memcpy(o->poll_files, pf_full, sizeof(pf_full));
		o->poll_idle_s = set['J'] ? o->poll_idle_s : 20;
		o->poll_every = set['p'] ? o->poll_every : "1s";
	}
}

static void
parse_opts(struct bench *b, int argc, char *argv[])
{
	static const struct option lopts[] = {
		{ "smoke", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "backend-dirs", required_argument, NULL, 'D' },
		{ "poll-files", required_argument, NULL, 'F' },
		{ "poll-interval", required_argument, NULL, 'p' },
		{ "poll-idle", required_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts *o = &b->o;
	int set[128] = { 0 };
	int c, list = 0;
	uint64_t ns;

	o->peers = 1;
	o->verbose = -1;
	while ((c = getopt_long(argc, argv, "b:C:E:G:hI:i:kln:o:PR:r:s:T:t:v"
	    "w:", lopts, NULL)) != -1) {
		if (c > 0 && c < 128)
			set[c] = 1;
		switch (c) {
		case 'S':
			o->smoke = 1;
			break;
		case 'b':
			o->bindir = optarg;
			break;
		case 'C':
			o->cp_files = num(optarg, 1, 10000000, "-C");
			break;
		case 'D':
			nums(optarg, o->bk_dirs, 2, 2, 10000000,
			    "--backend-dirs");
			break;
		case 'E':
			o->events = num(optarg, 2, 100000000, "-E");
			break;
		case 'F':
			nums(optarg, o->poll_files, 3, 1, 10000000,
			    "--poll-files");
			break;
		case 'G':
			o->reps_g = num(optarg, 1, MAXREPS, "-G");
			break;
		case 'I':
			o->idle_s = num(optarg, 1, 3600, "-I");
			break;
		case 'i':
			o->include = optarg;
			break;
		case 'J':
			o->poll_idle_s = num(optarg, 1, 3600, "--poll-idle");
			break;
		case 'k':
			o->keep = 1;
			break;
		case 'l':
			list = 1;
			break;
		case 'n':
			o->trials = num(optarg, 1, 10000, "-n");
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'P':
			o->peers = 0;
			break;
		case 'p':
			if (duration_ns(optarg, &ns) == -1 || ns == 0)
				errx(2, "--poll-interval %s: want a duration "
				    "such as 500ms or 1s", optarg);
			o->poll_every = optarg;
			break;
		case 'R':
			o->reps_d = num(optarg, 1, MAXREPS, "-R");
			break;
		case 'r':
			o->reps = num(optarg, 1, MAXREPS, "-r");
			break;
		case 's':
			o->scenarios = optarg;
			break;
		case 'T':
			if (sscanf(optarg, "%dx%dx%d", &o->big[0], &o->big[1],
			    &o->big[2]) != 3 || o->big[0] < 1 ||
			    o->big[0] > 99 || o->big[1] < 1 ||
			    o->big[1] > 99 || o->big[2] < 1 || o->big[2] > 99)
				errx(2, "-T %s: want AxBxC, each 1..99",
				    optarg);
			break;
		case 't':
			o->only = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'w':
			o->watchrun = optarg;
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
	if (list)
		list_scenarios();
	if (o->verbose == -1)
		o->verbose = !o->smoke;
	defaults(o, set);
}

/* Paths, the temporary directory, signals, the environment. */
static void
setup(struct bench *b)
{
	struct opts *o = &b->o;
	char tmpl[PATH_MAX], *p;
	const char *tmpdir;
	int c;

	if (o->watchrun == NULL)
		o->watchrun = "./watchrun";
	if (o->bindir == NULL)
		o->bindir = "bench";
	/* Absolute: tools run with other working directories. */
	if (strchr(o->watchrun, '/') != NULL) {
		if ((p = realpath(o->watchrun, NULL)) == NULL)
			err(1, "%s", o->watchrun);
		o->watchrun = p;
	}
	if ((p = realpath(o->bindir, NULL)) == NULL)
		err(1, "%s", o->bindir);
	pathf(b->stampbin, "%s/stamp", p);
	pathf(b->floorbin, "%s/floor", p);
	pathf(b->replaybin, "%s/replay", p);
	free(p);
	if (access(b->stampbin, X_OK) != 0)
		err(1, "%s", b->stampbin);
	if (o->out == NULL)
		o->out = o->smoke ? "-" : "doc/performance.md";

	b->clk_tck = sysconf(_SC_CLK_TCK);
	b->mainpid = getpid();
	b->watches_saved = -1;
	/* Orphans of the tools come back to us, to be killed and reaped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		err(1, "PR_SET_CHILD_SUBREAPER");
	signals_init(b);
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
	pathf(b->workdir, "%s", tmpl);
	if (on_exit(cleanup, b) != 0)
		errx(1, "on_exit failed");
}

int
main(int argc, char *argv[])
{
	struct bench *b;
	uint64_t started = now_ns();
	time_t wall = time(NULL);
	int chosen[NITEMS(scenarios)] = { 0 };
	size_t i;

	b = xcalloc(1, sizeof(*b));
	parse_opts(b, argc, argv);
	choose(b->o.scenarios != NULL ? b->o.scenarios : "all", chosen);
	setup(b);

	source_state(b);
	pathf(b->gifile, "%s/gitignore50", b->workdir);
	write_file(b->gifile, gitignore50);
	limits_read(b->limits0);
	b->nsect = NITEMS(scenarios);
	b->sect = xcalloc(b->nsect, sizeof(*b->sect));
	report_open(b);
	tools_find(b);
	if (!b->avail[T_WATCHRUN])
		errx(1, "%s", b->skipwhy[T_WATCHRUN]);
	for (i = 0; i < NITEMS(scenarios); i++)
		if (chosen[i])
			scenarios[i].run(b, b->sect[i].fp);
	write_head(b, argc, argv, started, wall);
	write_targets(b);
	if (write_report(b) == -1) {
		fail(b, "the report could not be written");
		return 1;
	}
	if (b->failures > 0) {
		warnx("%d failure%s; report in %s", b->failures,
		    b->failures == 1 ? "" : "s", b->o.out);
		return 1;
	}
	if (b->o.smoke)
		fprintf(stderr, "wbench: smoke: every scenario ran (%.0f s); "
		    "report in %s\n", (double)(now_ns() - started) / 1e9,
		    b->o.out);
	else
		progress(b, "report written to %s", b->o.out);
	return 0;
}
