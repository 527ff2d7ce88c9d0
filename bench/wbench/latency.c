/*
 * latency.c: scenarios latency and debounce.  One save of an existing
 * file, and the time until the command starts, per tool, with no
 * debounce and with a 50 ms one; the trial loop serves the backends too.
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
 * Starts tool id on the run's tree, then o.warmup + tr->n trials, each
 * rewriting the next of tr->files and waiting for the run it causes and
 * for a quiet spell after it; stores each measured trial's latency in L.
 * Returns 0 when the tool did not start or died, after saying so in fp.
 */
int
latency_trials(struct bench *b, int id, const struct run *r,
    const struct trials *tr, struct lat *L, FILE *fp)
{
	const struct opts *o = &b->o;
	struct proc p;
	size_t base;
	uint64_t t0, quiet;
	int trial, ok = 0;
	const char *path;

	if (!start_ready(b, &p, id, r, tr->timeout, fp))
		return 0;
	L->ready_ms[L->nready++] = (double)(p.ready - p.spawned) / 1e6;
	quiet = o->lat_quiet + 2 * (uint64_t)tools[id].deb_ms * MS;
	for (trial = -o->warmup; trial < tr->n; trial++) {
		path = tr->files[(size_t)(trial + o->warmup) % tr->nfiles];
		base = p.nst;
		t0 = now_ns();
		rewrite(path);
		if (!wait_stamps(b, &p, base + 1, t0 + tr->norun)) {
			if (p.dead)
				break;
			if (trial >= 0)
				L->noruns++;
			continue;
		}
		wait_quiet(b, &p, quiet, t0 + 10 * SEC);
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
			fail(b, "%s: %s exited", tr->scen, tools[id].name);
	} else
		ok = 1;
	proc_stop(b, &p);
	proc_free(&p);
	return ok;
}

/* ntrials trials of tool id on a fresh tree of 10 directories. */
static int
latency_tool(struct bench *b, const char *scen, int id, struct lat *L,
    int ntrials, FILE *fp)
{
	char files[10][PATH_MAX], deepest[PATH_MAX];
	struct trials tr;
	struct run r;
	int k, ok;

	run_new(b, &r, "latency", NULL);
	make_flat(r.tree, 10, "d", 1, deepest);
	pathf(r.probe, "%s/probe.txt", deepest);
	for (k = 0; k < 10; k++)
		pathf(files[k], "%s/d%02d/f.txt", r.tree, k);
	tr.scen = scen;
	tr.files = files;
	tr.nfiles = 10;
	tr.n = ntrials;
	tr.norun = 3 * SEC;
	tr.timeout = 20 * SEC;
	ok = latency_trials(b, id, &r, &tr, L, fp);
	run_done(&r);
	return ok;
}

/* One row of a latency table, each latency less offset ms. */
void
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

void
scen_latency(struct bench *b, FILE *fp)
{
	static const int ids[] = { T_WATCHRUN, T_FLOOR, T_FLOOR_G,
	    T_INOTIFYWAIT, T_FSWATCH, T_DIREVENT, T_ENTR };
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct lat *L;
	struct stats s, f;
	struct load ld;
	int run[NTOOLS] = { 0 };
	size_t k;
	int id, round, rounds, n;

	load_mark(&ld);
	L = xcalloc(NTOOLS, sizeof(*L));
	for (id = 0; id < NTOOLS; id++)
		L[id].v = xcalloc((size_t)o->trials, sizeof(double));
	/*
	 * watchrun and the floors take turns, a block of trials each, so
	 * that a change in the machine's load does not favour one of them.
	 */
	rounds = o->trials >= 20 ? 2 : 1;
	fprintf(fp, "## latency: one save, time to the command's start\n\n"
	    "Tree of 10 directories with one file each.  Each trial rewrites "
	    "one existing file (open O_TRUNC, write, close); latency = the "
	    "stamp's CLOCK_MONOTONIC minus the time taken just before the "
	    "open.  %d trials per tool (watchrun and the floors take turns "
	    "in %d blocks, each a fresh process with %d warm-up trials "
	    "first); after each run the benchmark waits until no run has "
	    "come for %.0f ms (+ twice the tool's debounce); 'no run' = none "
	    "within 3 s; runs/change = every run of that trial.  'ready' is "
	    "the spawn-to-ready time on this small tree (first probe run for "
	    "tools without a ready line).\n\n", o->trials, rounds, o->warmup,
	    (double)o->lat_quiet / 1e6);
	fprintf(fp, "| tool | trials | median ms | p90 ms | min ms | max ms | "
	    "no run | runs/change | median ÷ floor | p90 ÷ median | "
	    "ready ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (round = 0; round < rounds; round++)
		for (k = 0; k < NITEMS(ids); k++) {
			id = ids[k];
			if (tools[id].peer && round > 0)
				continue;
			if (round == 0 ? !use_tool(b, id, fp) : !run[id])
				continue;
			n = tools[id].peer ? o->trials : o->trials / rounds +
			    (round < o->trials % rounds);
			progress(b, "latency: %s (%d trials)", tools[id].name,
			    n);
			run[id] = latency_tool(b, "latency", id, &L[id], n, fp);
		}
	memset(&f, 0, sizeof(f));
	if (run[T_FLOOR])
		f = stats_of(L[T_FLOOR].v, L[T_FLOOR].n);
	for (k = 0; k < NITEMS(ids); k++) {
		id = ids[k];
		if (!run[id])
			continue;
		lat_row(fp, id, &L[id], &f, 0);
		if (L[id].n == 0 && !tools[id].peer)
			fail(b, "latency: %s produced no run", tools[id].name);
	}
	if (run[T_WATCHRUN] && L[T_WATCHRUN].n > 0) {
		s = stats_of(L[T_WATCHRUN].v, L[T_WATCHRUN].n);
		tg->lat = f.n > 0;
		tg->lat_wr_med = s.med;
		tg->lat_wr_p90 = s.p90;
		tg->lat_floor_med = f.med;
		tg->lat_floor_p90 = f.p90;
		tg->lat_floor_max = f.max;
		if (run[T_FLOOR_G] && L[T_FLOOR_G].n > 0)
			fprintf(fp, "\nThe floor is `floor` (nftw walk); "
			    "against `floor -g` (getdents64 walk, the same "
			    "read and fork+exec loop) watchrun's median ratio "
			    "is %.2f.\n", s.med / stats_of(L[T_FLOOR_G].v,
			    L[T_FLOOR_G].n).med);
	}
	for (id = 0; id < NTOOLS; id++)
		free(L[id].v);
	free(L);
	tg->lat_load = load_report(b, fp, &ld);
}

/* With a trailing debounce: the run should start D after the save. */
void
scen_debounce(struct bench *b, FILE *fp)
{
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct lat L;
	struct stats s;
	struct load ld;
	size_t k;
	int id = T_WATCHRUN_D50;

	load_mark(&ld);
	memset(&L, 0, sizeof(L));
	L.v = xcalloc((size_t)o->trials, sizeof(double));
	fprintf(fp, "## debounce: 50 ms trailing debounce, run start minus "
	    "50 ms\n\n"
	    "The trials of scenario latency (%d of them, after %d warm-up "
	    "trials) with `-d 50ms`; the figures are latency - "
	    "50 ms, the delay past the quiet period (target: at most "
	    "2 ms).\n\n"
	    "| tool | trials | median ms | p90 ms | min ms | max ms | no run "
	    "| runs/change | ready ms |\n|---|---|---|---|---|---|---|---|---|"
	    "\n", o->trials, o->warmup);
	if (use_tool(b, id, fp)) {
		progress(b, "debounce: %s (%d trials)", tools[id].name,
		    o->trials);
		if (latency_tool(b, "debounce", id, &L, o->trials, fp)) {
			lat_row(fp, id, &L, NULL, 50.0);
			for (k = 0; k < L.n; k++)
				L.v[k] -= 50.0;
			s = stats_of(L.v, L.n);
			if (s.n > 0) {
				tg->deb = 1;
				tg->deb_med = s.med;
				tg->deb_p90 = s.p90;
				tg->deb_max = s.max;
			} else
				fail(b, "debounce: %s produced no run",
				    tools[id].name);
		}
	}
	free(L.v);
	load_report(b, fp, &ld);
}
