/*
 * burst.c: scenario burst.  A burst of new files in 20 directories, as
 * fast as the benchmark can write them: how many runs, when the run
 * starts after the last file, whether it names every file, and the CPU
 * of the tool's process tree.
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
burst_rep(struct bench *b, int id, struct burst *B, FILE *fp)
{
	const struct opts *o = &b->o;
	struct proc p;
	struct run r;
	struct tmeas m0, m1;
	char path[PATH_MAX];
	uint64_t t0, t1;
	size_t base, i;
	int k, rep = B->n;

	run_new(b, &r, "burst", NULL);
	make_flat(r.tree, 20, "s", 0, path);
	pathf(r.probe, "%s/probe.txt", path);
	if (!start_ready(b, &p, id, &r, 20 * SEC, rep == 0 ? fp : NULL)) {
		run_done(&r);
		return 0;
	}
	base = p.nst;
	procfs_measure(b, p.pid, &m0, 0);
	t0 = now_ns();
	for (k = 0; k < o->burst_files; k++) {
		pathf(path, "%s/s%02d/b%05d.txt", r.tree, k % 20, k);
		touch_new(path);
	}
	t1 = now_ns();
	(void)wait_stamps(b, &p, base + 1, t1 + 30 * SEC);
	wait_quiet(b, &p, o->quiet + 2 * (uint64_t)tools[id].deb_ms * MS,
	    t1 + 60 * SEC);
	procfs_measure(b, p.pid, &m1, 0);
	B->runs[rep] = (double)(p.nst - base);
	B->write_ms[rep] = (double)(t1 - t0) / 1e6;
	B->cpu[rep] = (double)(m1.cticks - m0.cticks) / (double)b->clk_tck;
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
	proc_stop(b, &p);
	proc_free(&p);
	run_done(&r);
	if (B->runs[rep] == 0 && !tools[id].peer)
		fail(b, "burst: %s produced no run", tools[id].name);
	return 1;
}

void
scen_burst(struct bench *b, FILE *fp)
{
	static const int ids[] = { T_WATCHRUN_DEF, T_FLOOR, T_INOTIFYWAIT,
	    T_FSWATCH, T_DIREVENT, T_ENTR };
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct burst *B;
	struct stats s;
	struct load ld;
	size_t k;
	int id, rep, i;

	load_mark(&ld);
	fprintf(fp, "## burst: %d new files in 20 directories\n\n"
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
	    "|---|---|---|---|---|---|---|---|\n", o->burst_files,
	    o->burst_files, (double)o->quiet / 1e9, o->reps);
	B = xcalloc(1, sizeof(*B));
	for (k = 0; k < NITEMS(ids); k++) {
		id = ids[k];
		if (!use_tool(b, id, fp))
			continue;
		progress(b, "burst: %s", tools[id].name);
		memset(B, 0, sizeof(*B));
		for (rep = 0; rep < o->reps; rep++)
			if (!burst_rep(b, id, B, fp))
				break;
		if (B->n == 0)
			continue;
		s = stats_of(B->runs, (size_t)B->n);
		fprintf(fp, "| %s | %d | %.0f (%.0f–%.0f) | ", tools[id].name,
		    B->n, s.med, s.min, s.max);
		if (id == T_WATCHRUN_DEF) {
			tg->burst = 1;
			tg->burst_reps = B->n;
			tg->burst_runs_min = (size_t)s.min;
			tg->burst_runs_max = (size_t)s.max;
			for (i = 0; i < B->n; i++)
				tg->burst_one += B->runs[i] == 1;
		}
		s = stats_of(B->first, (size_t)B->nfirst);
		if (s.n > 0)
			fprintf(fp, "%.1f (%.1f–%.1f) | ", s.med, s.min, s.max);
		else
			fprintf(fp, "- | ");
		if (id == T_WATCHRUN_DEF) {
			tg->burst_delay_med = s.med;
			tg->burst_delay_max = s.max;
			tg->burst_delay_n = (int)s.n;
		}
		s = stats_of(B->last, (size_t)B->n);
		fprintf(fp, "%.1f (%.1f–%.1f) | ", s.med, s.min, s.max);
		s = stats_of(B->count, (size_t)B->ncount);
		if (s.n > 0)
			fprintf(fp, "%.0f (%.0f–%.0f) | ", s.med, s.min, s.max);
		else
			fprintf(fp, "- | ");
		if (id == T_WATCHRUN_DEF) {
			tg->burst_cnt_min = s.n ? (long)s.min : -1;
			tg->burst_cnt_max = s.n ? (long)s.max : -1;
			for (i = 0; i < B->ncount; i++)
				tg->burst_cnt_ok += B->count[i] ==
				    o->burst_files;
		}
		s = stats_of(B->write_ms, (size_t)B->n);
		fprintf(fp, "%.0f (%.0f–%.0f) | ", s.med, s.min, s.max);
		s = stats_of(B->cpu, (size_t)B->n);
		fprintf(fp, "%.2f (%.2f–%.2f) |\n", s.med, s.min, s.max);
	}
	free(B);
	load_report(b, fp, &ld);
}
