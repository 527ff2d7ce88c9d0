/*
 * pollcpu.c: scenario poll-cpu.  `watchrun --backend poll` left idle on
 * trees of a growing number of files: the CPU that polling costs while
 * nothing changes, which should grow in proportion to the files.  The
 * floor (floor -p: a statx of every entry at each interval, nothing else)
 * is measured the same way on the same trees, taking turns with it.
 */
#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wbench.h"

/* The pollers measured, watchrun first. */
static const int poll_ids[2] = { T_WR_POLL, T_FLOOR_POLL };

/* One tree's repetitions by one poller. */
struct pollrun {
	double		 pct[MAXREPS];	/* CPU % of one core */
	double		 us[MAXREPS];	/* µs per file per pass */
	long		 ndirs;
	int		 n;
	int		 failed;
};

/* One repetition of tool id on tree of P->files files; a row in fp. */
static void
poll_rep(struct bench *b, int id, const char *tree, long files,
    uint64_t every, struct pollrun *P, FILE *fp)
{
	const struct opts *o = &b->o;
	struct proc p;
	struct run r;
	struct tmeas m0, m1;
	uint64_t t0, t1;
	unsigned long long ns;
	size_t base;

	run_new(b, &r, "poll", tree);
	pathf(r.probe, "%s/probe.txt", tree);
	if (!start_ready(b, &p, id, &r, 60 * SEC, fp)) {
		P->failed = 1;
		run_done(&r);
		return;
	}
	/* Past the first pass after ready, which may still be settling. */
	nap(b, every + (o->smoke ? 100 * MS : SEC));
	read_err(&p);
	base = p.nst;
	procfs_measure(b, p.pid, &m0, 1);
	t0 = now_ns();
	nap(b, (uint64_t)o->poll_idle_s * SEC);
	procfs_measure(b, p.pid, &m1, 1);
	t1 = now_ns();
	read_stamps(&p);
	ns = m1.sched_ns > m0.sched_ns ? m1.sched_ns - m0.sched_ns : 0;
	P->pct[P->n] = (double)ns / (double)(t1 - t0) * 100;
	P->us[P->n] = (double)ns / 1e3 / (double)files /
	    ((double)(t1 - t0) / (double)every);
	fprintf(fp, "| %s | %ld | %ld | %d | %.1f | %.2f | %llu | %llu | %zu | "
	    "%.2f |\n", tools[id].name, files, P->ndirs, P->n + 1,
	    (double)ns / 1e6,
	    P->pct[P->n], m1.ticks - m0.ticks, (m1.vol + m1.invol) -
	    (m0.vol + m0.invol), p.nst - base, (double)m1.rss_kb / 1024);
	if (p.nst != base)
		fprintf(b->notes, "- %ld files: %zu runs while nothing "
		    "changed.\n", files, p.nst - base);
	P->n++;
	proc_stop(b, &p);
	proc_free(&p);
	run_done(&r);
}

/* The median of P's repetitions, or 0 when it has none. */
static double
med_pct(const struct pollrun *P)
{
	return P->n > 0 ? stats_of(P->pct, (size_t)P->n).med : 0;
}

void
scen_poll_cpu(struct bench *b, FILE *fp)
{
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct pollrun (*P)[3], *pr;
	struct stats s, su;
	struct load ld;
	char tree[3][PATH_MAX];
	uint64_t every;
	double made, fl;
	int i, k, kk, rep, run[2];

	fprintf(fp, "## poll-cpu: idle CPU of `--backend poll` per tree "
	    "size\n\n");
	if (backend_skip(b, fp) || !use_tool(b, T_WR_POLL, NULL))
		return;
	run[0] = 1;
	run[1] = use_tool(b, T_FLOOR_POLL, NULL);
	load_mark(&ld);
	every = poll_every_ns(b);
	P = xcalloc(2, sizeof(*P));
	made = (double)now_ns();
	for (i = 0; i < 3; i++) {
		pathf(tree[i], "%s/poll%ld", b->workdir, o->poll_files[i]);
		P[0][i].ndirs = P[1][i].ndirs = make_filled(tree[i],
		    o->poll_files[i], 100);
	}
	made = ((double)now_ns() - made) / 1e9;
	fprintf(fp, "Trees of %ld, %ld and %ld files, 100 to a directory "
	    "(made in %.1f s on the temporary directory, %s), each watched "
	    "by `watchrun --backend poll=%s -w $D -d 0 -- $STAMP $OUT` and "
	    "by the floor of polling, `floor -p %llu -w $D` (a statx(2) of "
	    "every directory and entry at each interval, nothing else): "
	    "brought to ready, left one interval and %s more, then nothing "
	    "happens for %d s.  CPU = on-CPU time of the poller (for "
	    "watchrun, with its guardian; schedstat, every thread) over "
	    "that wall time; CPU ticks = utime+stime; 'µs per file per "
	    "pass' divides the CPU by the files and by the passes the "
	    "interval allows.  %d repetitions, the sizes and the two "
	    "pollers taking turns.\n\n"
	    "| poller | files | directories | rep | CPU ms (schedstat) | CPU "
	    "%% of one core | CPU ticks | wake-ups | runs | RSS MiB |\n"
	    "|---|---|---|---|---|---|---|---|---|---|\n", o->poll_files[0],
	    o->poll_files[1], o->poll_files[2], made, fs_name(b->workdir),
	    o->poll_every, (unsigned long long)(every / MS),
	    o->smoke ? "0.1 s" : "1 s", o->poll_idle_s, o->reps);
	for (rep = 0; rep < o->reps; rep++)
		for (kk = 0; kk < 6; kk++) {
			i = rep % 2 == 0 ? kk / 2 : 2 - kk / 2;
			k = (kk + rep) % 2;
			pr = &P[k][i];
			if (!run[k] || pr->failed)
				continue;
			/* The smoke test only checks that the floor runs. */
			if (k == 1 && o->smoke && i != 0)
				continue;
			progress(b, "poll-cpu: %s, %ld files, rep %d",
			    tools[poll_ids[k]].name, o->poll_files[i],
			    rep + 1);
			poll_rep(b, poll_ids[k], tree[i], o->poll_files[i],
			    every, pr, fp);
		}
	fprintf(fp, "\n| poller | files | reps | CPU %% of one core | %% per "
	    "10,000 files | µs per file per pass | × floor |\n"
	    "|---|---|---|---|---|---|---|\n");
	for (k = 0; k < 2; k++)
		for (i = 0; i < 3; i++) {
			pr = &P[k][i];
			if (!run[k] || (pr->n == 0 && !pr->failed))
				continue;
			if (pr->n == 0) {
				fprintf(fp, "| %s | %ld | FAILED: did not get "
				    "ready |\n", tools[poll_ids[k]].name,
				    o->poll_files[i]);
				continue;
			}
			s = stats_of(pr->pct, (size_t)pr->n);
			su = stats_of(pr->us, (size_t)pr->n);
			fl = med_pct(&P[1][i]);
			fprintf(fp, "| %s | %ld | %d | %.2f (%.2f–%.2f) | %.3f "
			    "| %.3f | ", tools[poll_ids[k]].name,
			    o->poll_files[i], pr->n, s.med, s.min, s.max,
			    s.med * 10000 / (double)o->poll_files[i], su.med);
			if (fl > 0)
				fprintf(fp, "%.2f |\n", s.med / fl);
			else
				fprintf(fp, "– |\n");
		}
	for (i = 0; i < 3; i++)
		if (o->poll_files[i] == 20000 && P[0][i].n > 0) {
			tg->pc = 1;
			tg->pc_pct = med_pct(&P[0][i]);
			tg->pc_floor_pct = med_pct(&P[1][i]);
		}
	for (k = 0; k < 2; k++)
		if (med_pct(&P[k][0]) > 0 && P[k][2].n > 0)
			fprintf(fp, "\n%s: from %ld to %ld files (%.0f times "
			    "as many) the CPU grew %.2f times; linear growth "
			    "would be %.0f.\n", tools[poll_ids[k]].name, o->poll_files[0],
			    o->poll_files[2], (double)o->poll_files[2] /
			    (double)o->poll_files[0], med_pct(&P[k][2]) /
			    med_pct(&P[k][0]), (double)o->poll_files[2] /
			    (double)o->poll_files[0]);
	free(P);
	for (i = 0; i < 3; i++)
		rm_tree(tree[i]);
	load_report(b, fp, &ld);
}
