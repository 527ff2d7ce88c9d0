/*
 * cpu.c: scenarios cpu-per-event and copy.  watchrun's own CPU per event
 * while a writer creates many files (beside floor -n, which only reads
 * them), on the temporary directory and on tmpfs; and while cp -r copies
 * a tree into the watched one, whether the queue overflows.  The
 * repetition serves scenario gitignore too.
 */
#include <sys/types.h>

#include <err.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

/*
 * Where the temporary directory is a disk, a directory on /dev/shm
 * (tmpfs), kept in b->shmdir until shm_done(); or NULL.
 */
const char *
shm_base(struct bench *b)
{
	char shm[PATH_MAX];

	pathf(shm, "/dev/shm/wbench.XXXXXX");
	if (strcmp(fs_name(b->workdir), "tmpfs") != 0 &&
	    strcmp(fs_name("/dev/shm"), "tmpfs") == 0 &&
	    mkdtemp(shm) != NULL) {
		pathf(b->shmdir, "%s", shm);
		return b->shmdir;
	}
	return NULL;
}

void
shm_done(struct bench *b)
{
	if (b->shmdir[0] != '\0') {
		rm_tree(b->shmdir);
		b->shmdir[0] = '\0';
	}
}

/*
 * One repetition under base: watchrun (or with reader set, floor -n) on
 * a fresh tree of 20 directories while the writer creates o.events / 2
 * files, or while cp -r copies src when src is not NULL.  With git 0 the
 * tree has gitignore50 as its .gitignore; with git 1 it is also a git
 * work tree (scenario gitignore); with git -1 neither.  Appends its CPU
 * per event (per copied file for cp) to c and a row to fp.  Returns 0
 * when the tool did not start.
 */
int
cpu_rep(struct bench *b, const char *base, const char *src, int reader,
    int git, struct cpu *c, FILE *fp)
{
	const struct opts *o = &b->o;
	struct proc p;
	struct run r;
	char path[PATH_MAX], dst[PATH_MAX], why[256], *s;
	unsigned long long cpu_us = 0, on_ns = 0;
	struct own m0, m1;
	uint64_t w0, w1;
	size_t over;
	long files = src != NULL ? o->cp_files : o->events / 2, count, events;
	long reads = -1;
	int id = reader ? T_FLOOR_READ : T_WATCHRUN_DEF;
	const char *label = reader ? "floor -n" : git < 0 ? "watchrun" :
	    git ? "watchrun, git work tree" : "watchrun, plain directory";

	run_new_in(b, &r, base, src != NULL ? "cp" : "cpu", NULL);
	make_flat(r.tree, 20, "s", 0, path);
	if (git >= 0)
		make_gitignored(b, r.tree, git);
	pathf(dst, "%s/copy", r.tree);
	if (!start_ready(b, &p, id, &r, 20 * SEC, fp)) {
		run_done(&r);
		return 0;
	}
	own_mark(&p, &m0);
	w0 = now_ns();
	if (src != NULL) {
		char *cp[] = { "cp", "-r", NULL, dst, NULL };

		cp[2] = xstrdup(src);
		if (capture(b, cp, why, sizeof(why), NULL) != 0)
			errx(1, "cp -r %s %s failed: %s", src, dst, why);
		free(cp[2]);
	} else
		write_files(r.tree, files);
	w1 = now_ns();
	events = src != NULL ? files : files * 2;
	if (reader) {
		/* It exits once it has read them all, and says what it cost. */
		while (!p.dead && now_ns() < w1 + 30 * SEC)
			pump(b, &p, w1 + 30 * SEC);
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
			proc_stop(b, &p);
			proc_free(&p);
			run_done(&r);
			return 1;
		}
		c->us[c->n] = (double)cpu_us / (double)events;
		c->on[c->n] = (double)on_ns / 1e3 / (double)events;
	} else {
		own_after_run(b, &p, &m0, w1, &m1);
		if (m0.syscr >= 0 && m1.syscr >= 0)
			reads = (long)(m1.syscr - m0.syscr);
		over = count_text(&p, "overflow");
		count = p.nst > m0.nst ? p.st[p.nst - 1].count : -1;
		c->us[c->n] = (double)(m1.ticks - m0.ticks) /
		    (double)b->clk_tck * 1e6 /
		    (double)(src != NULL ? files : events);
		c->on[c->n] = (double)(m1.ns - m0.ns) / 1e3 /
		    (double)(src != NULL ? files : events);
		cpu_us = (m1.ticks - m0.ticks) * 1000000ULL /
		    (unsigned long long)b->clk_tck;
	}
	c->over += over > 0;
	c->rate[c->n] = (double)(src != NULL ? files : events) /
	    ((double)(w1 - w0) / 1e9);
	fprintf(fp, "| %s | %s | %d | %ld | %.0f | %.0f | %.1f | %.2f | "
	    "%.2f | ", fs_name(base), label, c->n + 1, src != NULL ? files :
	    events, (double)(w1 - w0) / 1e6,
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
		fprintf(fp, "%zu | %ld | %zu |\n", p.nst - m0.nst, count,
		    over);
	if (!reader && p.nst == m0.nst)
		fail(b, "%s: watchrun produced no run%s", git >= 0 ?
		    "gitignore" : src != NULL ? "copy" : "cpu-per-event",
		    src != NULL ? " for cp -r" : "");
	c->n++;
	proc_stop(b, &p);
	proc_free(&p);
	run_done(&r);
	return 1;
}

/* The summary row of a tool's repetitions. */
void
cpu_summary(FILE *fp, const char *fs, const char *tool, const struct cpu *c)
{
	struct stats s, sn;

	s = stats_of(c->us, (size_t)c->n);
	sn = stats_of(c->on, (size_t)c->n);
	fprintf(fp, "| %s | %s | median (min–max) | | | | | %.2f (%.2f–%.2f) "
	    "| %.2f (%.2f–%.2f) | | | | |\n", fs, tool, s.med, s.min, s.max,
	    sn.med, sn.min, sn.max);
}

static const char cpu_head[] = "| filesystem | tool | rep | %s | %s "
    "ms | %s/s | CPU ms | µs/%s (utime+stime) | µs/%s (on-CPU) | "
    "read(2) calls | runs | WATCHRUN_COUNT | overflow |\n"
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

void
scen_cpu(struct bench *b, FILE *fp)
{
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct cpu *W, *F;
	const char *bases[2];
	struct load ld;
	int rep, nbase = 1, i, floor;

	load_mark(&ld);
	W = xcalloc(2, sizeof(*W));
	F = xcalloc(2, sizeof(*F));
	bases[0] = b->workdir;
	/* Where the temp dir is a disk, also on tmpfs: a faster writer. */
	if ((bases[1] = shm_base(b)) != NULL)
		nbase++;
	floor = selected(b, T_FLOOR_READ) && b->avail[T_FLOOR_READ];
	fprintf(fp, "## cpu-per-event: CPU per event and queue overflow\n\n"
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
	    "batches.\n\n", "watchrun -w $D -- $STAMP $OUT", o->events / 2,
	    o->events / 2 * 2, fs_name(b->workdir));
	fprintf(fp, cpu_head, "events", "write", "events", "event", "event");
	if (!use_tool(b, T_WATCHRUN_DEF, fp)) {
		free(W);
		free(F);
		shm_done(b);
		load_report(b, fp, &ld);
		return;
	}
	for (i = 0; i < nbase; i++) {
		for (rep = 0; rep < o->reps; rep++) {
			progress(b, "cpu-per-event: %d events on %s: "
			    "watchrun, rep %d", o->events, fs_name(bases[i]),
			    rep + 1);
			if (!cpu_rep(b, bases[i], NULL, 0, -1, &W[i], fp))
				break;
			if (!floor)
				continue;
			progress(b, "cpu-per-event: %d events on %s: "
			    "floor -n, rep %d", o->events, fs_name(bases[i]),
			    rep + 1);
			(void)cpu_rep(b, bases[i], NULL, 1, -1, &F[i], fp);
		}
		if (W[i].n > 0)
			cpu_summary(fp, fs_name(bases[i]), "watchrun", &W[i]);
		if (F[i].n > 0)
			cpu_summary(fp, fs_name(bases[i]), "floor -n", &F[i]);
	}
	if (W[0].n > 0) {
		tg->cpu = 1;
		tg->cpu_reps = W[0].n;
		tg->cpu_over = W[0].over;
		tg->cpu_us_med = stats_of(W[0].us, (size_t)W[0].n).med;
		tg->cpu_us_max = stats_of(W[0].us, (size_t)W[0].n).max;
		if (F[0].n > 0) {
			tg->cpu_floor = 1;
			tg->cpu_floor_med = stats_of(F[0].us,
			    (size_t)F[0].n).med;
		}
	}
	if (nbase > 1 && W[1].n > 0) {
		tg->cpu_tmpfs = 1;
		tg->cpu_tmpfs_med = stats_of(W[1].us, (size_t)W[1].n).med;
		if (F[1].n > 0)
			tg->cpu_tmpfs_floor = stats_of(F[1].us,
			    (size_t)F[1].n).med;
	}
	free(W);
	free(F);
	shm_done(b);
	load_report(b, fp, &ld);
}

/* cp -r of a tree into the watched tree, while watchrun watches. */
void
scen_copy(struct bench *b, FILE *fp)
{
	struct opts *o = &b->o;
	struct cpu *W;
	char src[PATH_MAX], path[PATH_MAX];
	struct load ld;
	int rep, d, f, cpdirs = 100, per;

	load_mark(&ld);
	per = o->cp_files / cpdirs > 0 ? o->cp_files / cpdirs : 1;
	if (o->cp_files < cpdirs) {
		cpdirs = 1;
		per = o->cp_files;
	}
	o->cp_files = cpdirs * per;
	fprintf(fp, "## copy: `cp -r` of a %d-file tree into the watched "
	    "tree\n\n"
	    "The source (%d directories of %d files, outside the watched "
	    "tree) is copied with `cp -r SRC $D/copy` while watchrun "
	    "(`watchrun -w $D -- $STAMP $OUT`, as in scenario "
	    "cpu-per-event) watches; max_queued_events is %lld.  CPU is "
	    "watchrun's own, from just before cp starts until its run has "
	    "ended, here per copied file (each file is two events; each new "
	    "directory one, plus a scan).\n\n", o->cp_files, cpdirs, per,
	    read_key("/proc/sys/fs/inotify/max_queued_events", ""));
	fprintf(fp, cpu_head, "files", "cp", "files", "file", "file");
	if (!use_tool(b, T_WATCHRUN_DEF, fp)) {
		load_report(b, fp, &ld);
		return;
	}
	pathf(src, "%s/cpsrc", b->workdir);
	make_dir(src);
	for (d = 0; d < cpdirs; d++) {
		pathf(path, "%s/p%03d", src, d);
		make_dir(path);
		for (f = 0; f < per; f++) {
			pathf(path, "%s/p%03d/f%04d.txt", src, d, f);
			write_file(path, "copied\n");
		}
	}
	W = xcalloc(1, sizeof(*W));
	for (rep = 0; rep < o->reps; rep++) {
		progress(b, "copy: cp -r of %d files: watchrun, rep %d",
		    o->cp_files, rep + 1);
		if (!cpu_rep(b, b->workdir, src, 0, -1, W, fp))
			break;
	}
	if (W->n > 0) {
		b->tg.cp = 1;
		b->tg.cp_reps = W->n;
		b->tg.cp_over = W->over;
	}
	free(W);
	rm_tree(src);
	load_report(b, fp, &ld);
}
