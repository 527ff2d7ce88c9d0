/*
 * pollcpu.c: scenario poll-cpu.  `watchrun --backend poll` left idle on
 * trees of a growing number of files: the CPU that polling costs while
 * nothing changes, which should grow in proportion to the files.
 */
#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "wbench.h"

/* One tree's repetitions. */
struct pollrun {
	double		 pct[MAXREPS];	/* CPU % of one core */
	double		 us[MAXREPS];	/* µs per file per pass */
	long		 ndirs;
	int		 n;
	int		 failed;
};

/* One repetition on tree of P->files files; a row in fp. */
static void
poll_rep(struct bench *b, const char *tree, long files, uint64_t every,
    struct pollrun *P, FILE *fp)
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
	if (!start_ready(b, &p, T_WR_POLL, &r, 60 * SEC, fp)) {
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
	fprintf(fp, "| %ld | %ld | %d | %.1f | %.2f | %llu | %llu | %zu | "
	    "%.2f |\n", files, P->ndirs, P->n + 1, (double)ns / 1e6,
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

void
scen_poll_cpu(struct bench *b, FILE *fp)
{
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct pollrun *P;
	struct stats s, su;
	struct load ld;
	char tree[3][PATH_MAX];
	uint64_t every = SEC;
	double made;
	int i, kk, rep;

	fprintf(fp, "## poll-cpu: idle CPU of `--backend poll` per tree "
	    "size\n\n");
	if (backend_skip(b, fp) || !use_tool(b, T_WR_POLL, NULL))
		return;
	load_mark(&ld);
	(void)duration_ns(o->poll_every, &every);
	P = xcalloc(3, sizeof(*P));
	made = (double)now_ns();
	for (i = 0; i < 3; i++) {
		pathf(tree[i], "%s/poll%ld", b->workdir, o->poll_files[i]);
		P[i].ndirs = make_filled(tree[i], o->poll_files[i], 100);
	}
	made = ((double)now_ns() - made) / 1e9;
	fprintf(fp, "Trees of %ld, %ld and %ld files, 100 to a directory "
	    "(made in %.1f s on the temporary directory, %s), each watched "
	    "by `watchrun --backend poll=%s -w $D -d 0 -- $STAMP $OUT`: "
	    "brought to ready, left one interval and %s more, then nothing "
	    "happens for %d s.  CPU = on-CPU time of watchrun and its "
	    "guardian (schedstat, every thread) over that wall time; CPU "
	    "ticks = utime+stime; 'µs per file per pass' divides the CPU by "
	    "the files and by the passes the interval allows.  %d "
	    "repetitions, the sizes taking turns.\n\n"
	    "| files | directories | rep | CPU ms (schedstat) | CPU %% of one "
	    "core | CPU ticks | wake-ups | runs | RSS MiB |\n"
	    "|---|---|---|---|---|---|---|---|---|\n", o->poll_files[0],
	    o->poll_files[1], o->poll_files[2], made, fs_name(b->workdir),
	    o->poll_every, o->smoke ? "0.1 s" : "1 s", o->poll_idle_s,
	    o->reps);
	for (rep = 0; rep < o->reps; rep++)
		for (kk = 0; kk < 3; kk++) {
			i = rep % 2 == 0 ? kk : 2 - kk;
			if (P[i].failed)
				continue;
			progress(b, "poll-cpu: %ld files, rep %d",
			    o->poll_files[i], rep + 1);
			poll_rep(b, tree[i], o->poll_files[i], every, &P[i],
			    fp);
		}
	fprintf(fp, "\n| files | reps | CPU %% of one core | %% per 10,000 "
	    "files | µs per file per pass |\n|---|---|---|---|---|\n");
	for (i = 0; i < 3; i++) {
		if (P[i].n == 0) {
			fprintf(fp, "| %ld | FAILED: did not get ready |\n",
			    o->poll_files[i]);
			continue;
		}
		s = stats_of(P[i].pct, (size_t)P[i].n);
		su = stats_of(P[i].us, (size_t)P[i].n);
		fprintf(fp, "| %ld | %d | %.2f (%.2f–%.2f) | %.3f | %.3f |\n",
		    o->poll_files[i], P[i].n, s.med, s.min, s.max,
		    s.med * 10000 / (double)o->poll_files[i], su.med);
		if (o->poll_files[i] == 20000) {
			tg->pc = 1;
			tg->pc_pct = s.med;
		}
	}
	if (P[0].n > 0 && P[2].n > 0 && stats_of(P[0].pct,
	    (size_t)P[0].n).med > 0)
		fprintf(fp, "\nFrom %ld to %ld files (%.0f times as many) the "
		    "CPU grew %.2f times: linear growth would be %.0f.\n",
		    o->poll_files[0], o->poll_files[2],
		    (double)o->poll_files[2] / (double)o->poll_files[0],
		    stats_of(P[2].pct, (size_t)P[2].n).med /
		    stats_of(P[0].pct, (size_t)P[0].n).med,
		    (double)o->poll_files[2] / (double)o->poll_files[0]);
	free(P);
	for (i = 0; i < 3; i++)
		rm_tree(tree[i]);
	load_report(b, fp, &ld);
}
