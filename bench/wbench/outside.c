/*
 * outside.c: scenario fanotify-outside.  A fanotify filesystem mark sees
 * every change on the filesystem, inside the roots or not: with a small
 * root watched, a writer elsewhere on the same (private tmpfs)
 * filesystem makes many files, and watchrun's own CPU per such event is
 * what the backend pays to find them outside; inotify, which never sees
 * them, runs beside it as the baseline.
 */
#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wbench.h"

/*
 * One repetition of tool id: watching root, while files new files are
 * written into a fresh set of 20 directories below elsewhere; then one
 * save inside root, whose run says that every earlier event has been
 * read (a fanotify group's events come in order).  Appends its CPU per
 * outside event to c and a row to fp; returns 0 when it did not start.
 */
static int
outside_rep(struct bench *b, int id, const char *root, const char *elsewhere,
    const char *sentinel, struct cpu *c, FILE *fp)
{
	struct proc p;
	struct run r;
	char dir[PATH_MAX];
	struct own m0, m1;
	long files = b->o.events / 2, events = files * 2, reads = -1;
	uint64_t w0, w1;

	run_new(b, &r, "outside", root);
	pathf(r.probe, "%s/probe.txt", root);
	pathf(dir, "%s/w%03d", elsewhere, b->runseq);
	make_flat(dir, 20, "s", 0, NULL);
	if (!start_ready(b, &p, id, &r, 20 * SEC, fp)) {
		rm_tree(dir);
		run_done(&r);
		return 0;
	}
	own_mark(&p, &m0);
	w0 = now_ns();
	write_files(dir, files);
	w1 = now_ns();
	rewrite(sentinel);
	own_after_run(b, &p, &m0, w1, &m1);
	if (m0.syscr >= 0 && m1.syscr >= 0)
		reads = (long)(m1.syscr - m0.syscr);
	c->us[c->n] = (double)(m1.ticks - m0.ticks) / (double)b->clk_tck *
	    1e6 / (double)events;
	c->on[c->n] = (double)(m1.ns - m0.ns) / 1e3 / (double)events;
	c->rate[c->n] = (double)events / ((double)(w1 - w0) / 1e9);
	fprintf(fp, "| %s | %d | %ld | %ld | %.0f | %.0f | %.1f | %.3f | "
	    "%.3f | ", tools[id].name, c->n + 1, files, events,
	    (double)(w1 - w0) / 1e6, c->rate[c->n], (double)(m1.ticks -
	    m0.ticks) / (double)b->clk_tck * 1e3, c->us[c->n], c->on[c->n]);
	if (reads >= 0)
		fprintf(fp, "%ld | ", reads);
	else
		fprintf(fp, "- | ");
	fprintf(fp, "%zu |\n", p.nst - m0.nst);
	if (p.nst == m0.nst)
		fail(b, "fanotify-outside: %s produced no run for the save in "
		    "its root", tools[id].name);
	c->n++;
	proc_stop(b, &p);
	proc_free(&p);
	rm_tree(dir);
	run_done(&r);
	return 1;
}

void
scen_fanotify_outside(struct bench *b, FILE *fp)
{
	static const int ids[2] = { T_WR_FANOTIFY, T_WR_INOTIFY };
	const struct opts *o = &b->o;
	struct cpu *C;
	struct stats s, sn;
	struct load ld;
	char fsdir[PATH_MAX], root[PATH_MAX], elsewhere[PATH_MAX];
	char sentinel[PATH_MAX], why[256];
	int rep, k, kk, ok[2];

	fprintf(fp, "## fanotify-outside: CPU per event elsewhere on the "
	    "watched filesystem\n\n");
	if (backend_skip(b, fp))
		return;
	pathf(fsdir, "%s/outside", b->workdir);
	if (tmpfs_mount(b, fsdir, why, sizeof(why)) == -1) {
		fprintf(fp, "Skipped: it needs a private tmpfs: %s.\n", why);
		progress(b, "fanotify-outside skipped: %s", why);
		return;
	}
	load_mark(&ld);
	pathf(root, "%s/root", fsdir);
	pathf(elsewhere, "%s/elsewhere", fsdir);
	make_flat(root, 10, "d", 1, NULL);
	make_dir(elsewhere);
	pathf(sentinel, "%s/d00/f.txt", root);
	fprintf(fp, "A private tmpfs holds a root of 10 directories, watched "
	    "by `watchrun --backend fanotify -w $D -d 0 -- $STAMP $OUT` "
	    "(its mark covers the whole filesystem), and beside the root a "
	    "directory it does not watch.  Each repetition: %ld new files "
	    "written round-robin into 20 fresh directories there (%ld "
	    "events, counting a create and a close-write for each), then "
	    "one save inside the root; once its run has started and ended, "
	    "every earlier event has been read, and watchrun's own CPU "
	    "(utime+stime, on-CPU from schedstat) is divided by the outside "
	    "events.  The same with `--backend inotify`, which never sees "
	    "them: its figure is the cost of the one save and its run, "
	    "spread over the same count.  %d repetitions, the backends "
	    "taking turns.\n\n"
	    "| backend | rep | files outside | events outside | write ms | "
	    "events/s | CPU ms | µs/event (utime+stime) | µs/event (on-CPU) "
	    "| read(2) calls | runs |\n"
	    "|---|---|---|---|---|---|---|---|---|---|---|\n",
	    (long)(o->events / 2), (long)(o->events / 2) * 2, o->reps);
	ok[0] = selected(b, ids[0]) && fanotify_usable(root, why,
	    sizeof(why));
	if (!ok[0])
		fprintf(fp, "| %s | skipped: %s |\n", tools[ids[0]].name, why);
	ok[1] = selected(b, ids[1]);
	C = xcalloc(2, sizeof(*C));
	for (rep = 0; rep < o->reps; rep++)
		for (kk = 0; kk < 2; kk++) {
			k = rep % 2 == 0 ? kk : 1 - kk;
			if (!ok[k])
				continue;
			progress(b, "fanotify-outside: %s, rep %d",
			    tools[ids[k]].name, rep + 1);
			ok[k] = outside_rep(b, ids[k], root, elsewhere,
			    sentinel, &C[k], fp);
		}
	for (k = 0; k < 2; k++) {
		if (C[k].n == 0)
			continue;
		s = stats_of(C[k].us, (size_t)C[k].n);
		sn = stats_of(C[k].on, (size_t)C[k].n);
		fprintf(fp, "| %s | median (min–max) | | | | | | %.3f "
		    "(%.3f–%.3f) | %.3f (%.3f–%.3f) | | |\n",
		    tools[ids[k]].name, s.med, s.min, s.max, sn.med, sn.min,
		    sn.max);
	}
	free(C);
	tmpfs_umount(b);
	load_report(b, fp, &ld);
}
