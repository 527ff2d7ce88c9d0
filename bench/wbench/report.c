/*
 * report.c: the markdown report.  Each scenario writes its own section
 * into memory as it runs; the head (machine, source, tools) and the
 * targets tables are written last, from the figures in b->tg, and the
 * whole is put in place by one rename.
 */
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/utsname.h>

#include <err.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

#ifdef __clang__
#define COMPILER	"clang " __clang_version__
#else
#define COMPILER	"gcc " __VERSION__
#endif

static void	 verdict(FILE *, int, int, const char *, const char *, ...)
		    __attribute__((__format__(__printf__, 5, 6)));

static void
sect_open(struct section *s)
{
	if ((s->fp = open_memstream(&s->buf, &s->len)) == NULL)
		err(1, "open_memstream");
}

/* Opens the head, the targets, b->nsect scenario sections and the notes. */
void
report_open(struct bench *b)
{
	size_t i;

	sect_open(&b->head);
	sect_open(&b->targets);
	for (i = 0; i < b->nsect; i++)
		sect_open(&b->sect[i]);
	if ((b->notes = open_memstream(&b->notes_buf, &b->notes_len)) ==
	    NULL)
		err(1, "open_memstream");
}

/*
 * Says in fp how busy the rest of the machine was since a, and copies
 * the notes gathered meanwhile; returns the load, in cores.
 */
double
load_report(struct bench *b, FILE *fp, const struct load *a)
{
	struct load l;
	double others, secs;

	load_mark(&l);
	secs = (double)(l.t - a->t) / 1e9;
	others = ((double)(l.busy - a->busy) / (double)b->clk_tck -
	    (l.self - a->self)) / secs;
	if (others < 0)
		others = 0;
	fprintf(fp, "\nThis scenario took %.1f s; other processes on the "
	    "machine (not the benchmark, not the tools) used %.2f of %ld CPU "
	    "cores on average meanwhile.\n", secs, others,
	    sysconf(_SC_NPROCESSORS_ONLN));
	fflush(b->notes);
	if (b->notes_len > 0) {
		fprintf(fp, "\n%s", b->notes_buf);
		rewind(b->notes);
		b->notes_len = 0;
		b->notes_buf[0] = '\0';
	}
	return others;
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

/* The commit and the changed files, when the run starts. */
void
source_state(struct bench *b)
{
	char *gv[] = { "git", "rev-parse", "--short", "HEAD", NULL };
	char *gs[] = { "git", "status", "--porcelain", "--untracked-files=no",
	    NULL };
	char buf[8192], *line, *next;
	size_t len = 0, size = sizeof(b->src_dirty);

	if (capture(b, gv, b->src_commit, sizeof(b->src_commit), NULL) != 0)
		snprintf(b->src_commit, sizeof(b->src_commit), "unknown");
	first_line(b->src_commit);
	if (capture(b, gs, buf, sizeof(buf), NULL) != 0)
		return;
	for (line = buf; *line != '\0'; line = next) {
		next = line + strcspn(line, "\n");
		if (*next == '\n')
			*next++ = '\0';
		if (strlen(line) <= 3)
			continue;
		if (len + strlen(line + 3) + 8 >= size) {
			snprintf(b->src_dirty + len, size - len, ", ...");
			break;
		}
		len += (size_t)snprintf(b->src_dirty + len, size - len,
		    "%s%s", len > 0 ? ", " : "", line + 3);
	}
}

void
write_head(struct bench *b, int argc, char *argv[], uint64_t started,
    time_t wall)
{
	FILE *fp = b->head.fp;
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
	    "(about 15 minutes on 2 cores, more with the backend scenarios) "
	    "and rewrites this file; every "
	    "figure in it was measured in the run it describes.  "
	    "inotifywait, fswatch, direvent and entr are compared where "
	    "installed, and valgrind gives the instruction counts; a missing "
	    "tool is skipped with a line saying so.  `make bench-smoke` runs "
	    "a 10-second version that only checks that every scenario still "
	    "works (part of `make check`; it asserts no target).  Each "
	    "section below is named after its scenario: `%s/wbench -l` lists "
	    "them, and `-s NAME,NAME` runs only those.  Sizes and "
	    "repetitions are options: `%s/wbench -h`, passed as "
	    "`make bench BENCH_FLAGS='-n 100'`.  The machine is shared and "
	    "noisy: compare tools within one run, as ratios, and treat "
	    "differences under ~30%% in times as noise; the figures for other "
	    "processes' CPU after each scenario tell how quiet it was.\n\n"
	    "## This run\n\n", "build/bench", "build/bench");
	fprintf(fp, "- date: %s; the run took %.0f s\n", when,
	    (double)(now_ns() - started) / 1e9);
	fprintf(fp, "- machine: %s, %ld cores, %.1f GiB RAM, kernel %s %s, "
	    "%s\n", model, sysconf(_SC_NPROCESSORS_ONLN),
	    strtod(mem, NULL) / (1024.0 * 1024.0), u.sysname, u.release, os);
	fprintf(fp, "- temporary trees: %s (%s)\n", b->workdir,
	    fs_name(b->workdir));
	fprintf(fp, "- inotify: max_user_watches=%lld max_user_instances=%lld "
	    "max_queued_events=%lld; RLIMIT_NOFILE %llu\n",
	    read_key("/proc/sys/fs/inotify/max_user_watches", ""),
	    read_key("/proc/sys/fs/inotify/max_user_instances", ""),
	    read_key("/proc/sys/fs/inotify/max_queued_events", ""),
	    (unsigned long long)rl.rlim_cur);
	fprintf(fp, "- load average at the end: %s\n", la0);
	fprintf(fp, "- source: commit %s", b->src_commit);
	if (b->src_dirty[0] != '\0')
		fprintf(fp, " with uncommitted changes to %s", b->src_dirty);
	fprintf(fp, " when the run started; built with %s\n", COMPILER);
	fprintf(fp, "- invocation:");
	for (i = 0; i < argc; i++)
		fprintf(fp, " %s", argv[i]);
	fprintf(fp, "%s\n\n", b->o.smoke ? " (smoke mode: tiny sizes; not "
	    "for comparison)" : "");
	fprintf(fp, "### Tools and command lines\n\n`$D` = the watched "
	    "tree, `$STAMP` = `bench/stamp` (appends `<CLOCK_MONOTONIC ns> "
	    "<number of args> <$WATCHRUN_COUNT or ->` to its first argument "
	    "in one write), `$OUT` = the stamp file, outside `$D`.  Each "
	    "tool is started in its own session; after each run its process "
	    "group and every descendant get SIGTERM, then SIGKILL 2 s later "
	    "(the benchmark is a child subreaper, so nothing escapes).\n\n");
	for (id = 0; id < NTOOLS; id++) {
		if (!selected(b, id))
			continue;
		fprintf(fp, "- **%s**: ", tools[id].name);
		if (!b->avail[id]) {
			fprintf(fp, "skipped: %s\n", b->skipwhy[id]);
			continue;
		}
		fprintf(fp, "%s; `", b->version[id]);
		tool_cmdline(b, fp, id);
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
write_targets_gi(const struct bench *b, FILE *fp)
{
	const struct targets *tg = &b->tg;
	const struct opts *o = &b->o;
	char what[256];
	int i, met, any = 0;
	double r;

	fprintf(fp, "## Targets (git's ignore rules)\n\nWith a 50-line "
	    ".gitignore in a git work tree against the same tree and events "
	    "in a plain directory, measured side by side in this run "
	    "(scenarios gitignore and instructions).\n\n"
	    "| target | measured | |\n|---|---|---|\n");
	snprintf(what, sizeof(what), "%d events: watchrun's own CPU per "
	    "event in a git work tree ≤ 1.2 × in a plain directory",
	    o->events / 2 * 2);
	fprintf(fp, "| %s | ", what);
	for (i = 0, met = 1; i < 2; i++) {
		if (!tg->gi_cpu[i])
			continue;
		fprintf(fp, "%s%s: %.2f vs %.2f µs on-CPU (medians), %.2f × "
		    "(median of %d pairs' ratios)", any ? "; " : "",
		    tg->gi_fs[i], tg->gi_on[i][1], tg->gi_on[i][0],
		    tg->gi_ratio[i], tg->gi_pairs[i]);
		any = 1;
	}
	if (!any)
		fprintf(fp, "not measured in this run | - |\n");
	else {
		fprintf(fp, " | ");
		for (i = 0, any = 0; i < 2; i++) {
			if (!tg->gi_cpu[i])
				continue;
			met = tg->gi_ratio[i] <= 1.2;
			if (tg->gi_rate[i][1] > 2 * tg->gi_rate[i][0])
				fprintf(fp, "%snot comparable on %s (the "
				    "writer's rate varied %.1f×; %s 1.2 × "
				    "by the pairs)", any ? ", " : "",
				    tg->gi_fs[i],
				    tg->gi_rate[i][1] / tg->gi_rate[i][0],
				    met ? "within" : "above");
			else
				fprintf(fp, "%s%s on %s", any ? ", " : "",
				    met ? "met" : "**missed**", tg->gi_fs[i]);
			any = 1;
		}
		fprintf(fp, " |\n");
	}
	r = tg->gi_ir ? tg->gi_whole[2] / tg->gi_whole[1] : 0;
	verdict(fp, tg->gi_ir, r <= 1.2, "the per-event path with git's "
	    "rules ≤ 1.2 × without (callgrind, Ir per record inside "
	    "replay_feed)",
	    "%.0f vs %.0f Ir: %.2f × (the filter alone: %.0f Ir per record "
	    "with git's rules, %.0f with the default list only; no filter "
	    "at all: %.0f Ir for the whole path)", tg->gi_whole[2],
	    tg->gi_whole[1], r, tg->gi_filter[2], tg->gi_filter[1],
	    tg->gi_whole[0]);
	snprintf(what, sizeof(what), "start-up on %ld directories: ready in "
	    "a git work tree ≤ 1.2 × in a plain directory", tg->gi_start ?
	    tg->gi_dirs : 1 + (long)o->big[0] + (long)o->big[0] * o->big[1] +
	    (long)o->big[0] * o->big[1] * o->big[2]);
	verdict(fp, tg->gi_start, tg->gi_start_ratio <= 1.2, what, "%.0f vs "
	    "%.0f ms (medians): %.2f × (median of %d pairs' ratios)",
	    tg->gi_ready[1], tg->gi_ready[0], tg->gi_start_ratio,
	    tg->gi_start_pairs);
	fprintf(fp, "\n");
}

/* The targets of the backends: fanotify start-up, poll's idle cost. */
static void
write_targets_bk(const struct bench *b, FILE *fp)
{
	const struct targets *tg = &b->tg;
	char what[256];
	int i;

	fprintf(fp, "## Targets (backends)\n\nwatchrun's `--backend` "
	    "choices, measured in this run (scenarios backend-startup, "
	    "backend-latency, poll-cpu and fanotify-outside)%s.\n\n"
	    "| target | measured | |\n|---|---|---|\n", b->has_backend ? "" :
	    "; this watchrun has no `--backend` option, so none was");
	for (i = 0; i < 2; i++) {
		snprintf(what, sizeof(what), "fanotify: ready < 1 s on %ld "
		    "directories", tg->bk_fan[i] ? tg->bk_dirs[i] :
		    b->o.bk_dirs[i]);
		verdict(fp, tg->bk_fan[i], tg->bk_ready[i] < 1000, what,
		    "%.0f ms (median)", tg->bk_ready[i]);
	}
	/* Independent of the tree: 1 MiB is a byte per directory of 1M. */
	verdict(fp, tg->bk_fan[0] && tg->bk_fan[1], tg->bk_rss[0] <= 8 &&
	    tg->bk_rss[1] <= 8 && tg->bk_rss[1] <= tg->bk_rss[0] + 1,
	    "fanotify: RSS once ready ≤ 8 MiB, the larger tree's at most "
	    "1 MiB above the smaller's", "%.2f MiB on %ld directories, "
	    "%.2f MiB on %ld (watchrun and its guardian)", tg->bk_rss[0],
	    tg->bk_dirs[0], tg->bk_rss[1], tg->bk_dirs[1]);
	/* The same tree, the same trials, in turns: a ratio of medians. */
	verdict(fp, tg->bk_lat, tg->bk_lat_ms[1] <= 1.3 * tg->bk_lat_ms[0],
	    "fanotify: save-to-run latency ≤ 1.3 × inotify's, same tree, "
	    "same run", "%.3f ms vs %.3f ms: %.2f ×", tg->bk_lat_ms[1],
	    tg->bk_lat_ms[0], tg->bk_lat_ms[0] > 0 ? tg->bk_lat_ms[1] /
	    tg->bk_lat_ms[0] : 0);
	snprintf(what, sizeof(what), "poll (every %s): idle CPU ≤ 2%% of one "
	    "core with 20,000 files", b->o.poll_every);
	if (tg->pc_floor_pct > 0)
		verdict(fp, tg->pc, tg->pc_pct <= 2.0, what, "%.2f%%; the "
		    "floor of polling (a statx of every entry, nothing else) "
		    "%.2f%% on the same tree: %.2f × the floor", tg->pc_pct,
		    tg->pc_floor_pct, tg->pc_pct / tg->pc_floor_pct);
	else
		verdict(fp, tg->pc, tg->pc_pct <= 2.0, what, "%.2f%%",
		    tg->pc_pct);
	fprintf(fp, "\n");
}

void
write_targets(struct bench *b)
{
	const struct targets *tg = &b->tg;
	const struct opts *o = &b->o;
	FILE *fp = b->targets.fp;
	char what[256];
	double r;

	fprintf(fp, "## Targets (issue 4)\n\nEach measured in this run; "
	    "ratios are against the floor measured in the same run.  A "
	    "target is met when the figure in the middle column satisfies "
	    "it.\n\n| target | measured | |\n|---|---|---|\n");
	r = tg->lat ? tg->lat_wr_med / tg->lat_floor_med : 0;
	verdict(fp, tg->lat, r <= 1.15, "latency, debounce 0, argv command: "
	    "median ≤ 1.15 × floor", "%.3f ms vs floor %.3f ms: %.2f ×",
	    tg->lat_wr_med, tg->lat_floor_med, r);
	r = tg->lat ? tg->lat_wr_p90 / tg->lat_wr_med : 0;
	verdict(fp, tg->lat, r <= 1.5, "latency, debounce 0: p90 ≤ 1.5 × "
	    "median", "p90 %.3f ms: %.2f × median (the floor's own p90: "
	    "%.2f × its median; other processes used %.2f cores meanwhile)",
	    tg->lat_wr_p90, r, tg->lat ? tg->lat_floor_p90 /
	    tg->lat_floor_med : 0, tg->lat_load);
	if (tg->lat)
		verdict(fp, tg->deb, tg->deb_max <= 2.0, "debounce 50 ms: the "
		    "run starts ≤ D + 2 ms after the save, in every trial",
		    "max %.3f ms past 50 ms (median %.3f, p90 %.3f); without "
		    "a debounce the floor's own latency was %.3f ms median, "
		    "%.3f ms max", tg->deb_max, tg->deb_med, tg->deb_p90,
		    tg->lat_floor_med, tg->lat_floor_max);
	else
		verdict(fp, tg->deb, tg->deb_max <= 2.0, "debounce 50 ms: the "
		    "run starts ≤ D + 2 ms after the save, in every trial",
		    "max %.3f ms past 50 ms (median %.3f, p90 %.3f)",
		    tg->deb_max, tg->deb_med, tg->deb_p90);
	snprintf(what, sizeof(what), "burst of %d new files: exactly 1 run",
	    o->burst_files);
	verdict(fp, tg->burst, tg->burst_one == tg->burst_reps, what, "%d of "
	    "%d repetitions had 1 run (%zu–%zu runs)", tg->burst_one,
	    tg->burst_reps, tg->burst_runs_min, tg->burst_runs_max);
	if (tg->burst && tg->burst_delay_n < tg->burst_reps)
		verdict(fp, 1, 0, "burst: the run starts ≤ debounce + 5 ms "
		    "(105 ms) after the last file", "%d of %d repetitions had "
		    "no run after the last file", tg->burst_reps -
		    tg->burst_delay_n, tg->burst_reps);
	else
		verdict(fp, tg->burst, tg->burst_delay_max <= 105.0, "burst: "
		    "the run starts ≤ debounce + 5 ms (105 ms) after the last "
		    "file", "max %.1f ms (median %.1f)", tg->burst_delay_max,
		    tg->burst_delay_med);
	snprintf(what, sizeof(what), "burst: every path in the batch "
	    "(WATCHRUN_COUNT = %d)", o->burst_files);
	verdict(fp, tg->burst, tg->burst_cnt_ok == tg->burst_reps, what,
	    "%ld–%ld; %d of %d repetitions exact", tg->burst_cnt_min,
	    tg->burst_cnt_max, tg->burst_cnt_ok, tg->burst_reps);
	snprintf(what, sizeof(what), "%d events: watchrun's own CPU "
	    "(utime+stime) ≤ 3 µs per event", o->events / 2 * 2);
	if (!tg->cpu)
		verdict(fp, 0, 0, what, "-");
	else {
		fprintf(fp, "| %s | %.2f µs median (max %.2f, %d "
		    "repetitions) on %s", what, tg->cpu_us_med,
		    tg->cpu_us_max, tg->cpu_reps, fs_name(b->workdir));
		if (tg->cpu_floor)
			fprintf(fp, ", where merely reading the events "
			    "(floor -n) took %.2f µs", tg->cpu_floor_med);
		if (tg->cpu_tmpfs)
			fprintf(fp, "; on tmpfs %.2f µs (floor -n: %.2f)",
			    tg->cpu_tmpfs_med, tg->cpu_tmpfs_floor);
		fprintf(fp, " | %s |\n", tg->cpu_us_med <= 3.0 ? "met" :
		    tg->cpu_tmpfs && tg->cpu_tmpfs_med <= 3.0 ?
		    "**missed** on the disk, met on tmpfs" : "**missed**");
	}
	snprintf(what, sizeof(what), "no queue overflow during the %d "
	    "events", o->events / 2 * 2);
	verdict(fp, tg->cpu, tg->cpu_over == 0, what, "%d of %d repetitions "
	    "overflowed", tg->cpu_over, tg->cpu_reps);
	snprintf(what, sizeof(what), "no queue overflow during `cp -r` of "
	    "%d files", o->cp_files);
	verdict(fp, tg->cp, tg->cp_over == 0, what, "%d of %d repetitions "
	    "overflowed", tg->cp_over, tg->cp_reps);
	snprintf(what, sizeof(what), "start-up on %ld directories: ready ≤ "
	    "1.15 × floor", 1 + (long)o->big[0] + (long)o->big[0] *
	    o->big[1] + (long)o->big[0] * o->big[1] * o->big[2]);
	r = tg->start ? tg->start_wr / tg->start_floor : 0;
	verdict(fp, tg->start, r <= 1.15, what, "%.0f ms vs floor %.0f ms: "
	    "%.2f ×", tg->start_wr, tg->start_floor, r);
	verdict(fp, tg->start && tg->start_inw, tg->start_wr <=
	    tg->start_inwv, "start-up: ready ≤ inotifywait", "%.0f ms vs "
	    "%.0f ms", tg->start_wr, tg->start_inwv);
	verdict(fp, tg->start, tg->start_rss <= 4.0, "start-up: RSS once "
	    "ready ≤ 4 MiB", "%.2f MiB (watchrun and its guardian)",
	    tg->start_rss);
	verdict(fp, tg->start, tg->start_bpd <= 120.0, "start-up: ≤ 120 "
	    "bytes per directory above the empty-directory baseline",
	    "%.0f bytes", tg->start_bpd);
	verdict(fp, tg->start && tg->start_peers > 0, tg->start_rss * 2 <=
	    tg->start_peer_rss, "start-up: RSS less than half of every "
	    "peer's", "%.2f MiB vs %.2f MiB (%s, the smallest peer)",
	    tg->start_rss, tg->start_peer_rss, tg->start_peer_name != NULL ?
	    tg->start_peer_name : "-");
	r = tg->instr ? tg->instr_r100 / tg->instr_r1 : 0;
	if (!tg->instr)
		verdict(fp, 0, 0, "matching: 100 rules ≤ 2 × 1 rule", "-");
	else {
		fprintf(fp, "| matching: 100 rules ≤ 2 × 1 rule (instructions "
		    "in dispatch_event per record) | %.0f vs %.0f Ir: %.1f × "
		    "with `\\.ext<k>$` rules", tg->instr_r100, tg->instr_r1,
		    r);
		if (tg->instr_dir > 0)
			fprintf(fp, "; %.0f Ir, %.1f × with `(^\\|/)dir<k>/` "
			    "rules (no literal prefix or suffix)",
			    tg->instr_dir, tg->instr_dir / tg->instr_r1);
		fprintf(fp, " | %s |\n", r > 2.0 ? "**missed**" :
		    tg->instr_dir / tg->instr_r1 > 2.0 ? "met with literal "
		    "suffixes; **missed** without" : "met");
	}
	verdict(fp, tg->instr, tg->instr_jit, "PCRE2 JIT where available",
	    "%s", tg->instr_jit ? "JIT available and used by match.c" :
	    "no JIT");
	verdict(fp, tg->idle, tg->idle_wake == 0, "idle: 0 wake-ups", "%llu "
	    "context switches in %d s", tg->idle_wake, o->idle_s);
	fprintf(fp, "\n");
	write_targets_gi(b, fp);
	if (tg->bk_asked)
		write_targets_bk(b, fp);
}

static void
copy_file(FILE *fp, const char *path)
{
	FILE *inc;
	int c;

	if ((inc = fopen(path, "re")) == NULL) {
		warn("%s", path);
		return;
	}
	while ((c = fgetc(inc)) != EOF)
		fputc(c, fp);
	fclose(inc);
	fputc('\n', fp);
}

static void
put_section(FILE *fp, const struct section *s)
{
	if (s->len == 0)
		return;
	fwrite(s->buf, 1, s->len, fp);
	fputc('\n', fp);
}

/*
 * Writes the head, the targets, the notes file of -i and every scenario's
 * section to b->o.out, through a temporary file and a rename; returns -1
 * after a warning when that fails.
 */
int
write_report(struct bench *b)
{
	char tmp[PATH_MAX];
	size_t i;
	FILE *fp;

	if (fflush(b->head.fp) == EOF || fflush(b->targets.fp) == EOF)
		return -1;
	for (i = 0; i < b->nsect; i++)
		if (fflush(b->sect[i].fp) == EOF)
			return -1;
	if (strcmp(b->o.out, "-") == 0) {
		fp = stdout;
		tmp[0] = '\0';
	} else {
		pathf(tmp, "%s.tmp", b->o.out);
		if ((fp = fopen(tmp, "we")) == NULL) {
			warn("%s", tmp);
			return -1;
		}
	}
	put_section(fp, &b->head);
	put_section(fp, &b->targets);
	if (b->targets.len > 0 && b->o.include != NULL)
		copy_file(fp, b->o.include);
	for (i = 0; i < b->nsect; i++)
		put_section(fp, &b->sect[i]);
	if (fflush(fp) == EOF || ferror(fp)) {
		warn("%s", tmp[0] ? tmp : "stdout");
		return -1;
	}
	if (tmp[0] != '\0') {
		if (fclose(fp) == EOF || rename(tmp, b->o.out) == -1) {
			warn("%s", b->o.out);
			return -1;
		}
	}
	return 0;
}
