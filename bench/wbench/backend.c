/*
 * backend.c: scenarios backend-startup and backend-latency.  watchrun's
 * --backend choices on wide trees of directories on a private tmpfs:
 * time to ready and RSS with inotify and with fanotify on a smaller and a
 * larger tree, and the save-to-run latency of inotify, fanotify and poll
 * on the same tree, in the same run.
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
 * Whether the backend scenarios cannot run at all here: says why in fp
 * and returns 1 when watchrun has no --backend or is not chosen.
 */
int
backend_skip(struct bench *b, FILE *fp)
{
	b->tg.bk_asked = 1;
	if (!selected(b, T_WR_INOTIFY)) {
		fprintf(fp, "Skipped: watchrun is not among the tools chosen "
		    "(-t).\n");
		return 1;
	}
	if (!b->has_backend) {
		fprintf(fp, "Skipped: this watchrun has no `--backend` option "
		    "(`watchrun --help` does not name it).\n");
		progress(b, "backend scenarios skipped: no --backend");
		return 1;
	}
	return 0;
}

/*
 * The directory the trees go in: a private tmpfs mounted at
 * workdir/label, or where that is not allowed a plain directory there,
 * which fp is told of.  Returns 1 for the tmpfs.  bk_fs_done() removes it.
 */
static int
bk_fs(struct bench *b, const char *label, char *dir, FILE *fp)
{
	char why[256];

	pathf(dir, "%s/%s", b->workdir, label);
	if (tmpfs_mount(b, dir, why, sizeof(why)) == 0)
		return 1;
	make_dir(dir);
	fprintf(fp, "The trees are on the benchmark's temporary directory "
	    "(%s), not on a private tmpfs (%s).\n\n", fs_name(dir), why);
	return 0;
}

static void
bk_fs_done(struct bench *b, const char *dir, int tmpfs)
{
	if (tmpfs)
		tmpfs_umount(b);
	else
		rm_tree(dir);
}

/* Which of inotify, fanotify, poll can run on tree of ndirs; why not. */
static void
bk_can(struct bench *b, const char *tree, long ndirs, int *can,
    char (*why)[256])
{
	static const int ids[3] = { T_WR_INOTIFY, T_WR_FANOTIFY, T_WR_POLL };
	int k;

	for (k = 0; k < 3; k++) {
		can[k] = selected(b, ids[k]);
		snprintf(why[k], sizeof(why[k]), "not chosen (-t)");
	}
	if (can[0])
		can[0] = limits_room(b, ndirs, why[0], sizeof(why[0]));
	if (can[1])
		can[1] = fanotify_usable(tree, why[1], sizeof(why[1]));
}

void
scen_backend_startup(struct bench *b, FILE *fp)
{
	static const int ids[2] = { T_WR_INOTIFY, T_WR_FANOTIFY };
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct start (*S)[2];
	struct stats s, sr, sc;
	struct tmeas m;
	struct load ld;
	char fsdir[PATH_MAX], tree[2][PATH_MAX], probe[2][PATH_MAX];
	char file[1][PATH_MAX], why[2][3][256];
	double made[2], ready;
	int can[2][3], tmpfs, ntrees, i, k, kk, rep;

	fprintf(fp, "## backend-startup: start-up with inotify and with "
	    "fanotify on %ld and on %ld directories\n\n", o->bk_dirs[0],
	    o->bk_dirs[1]);
	if (backend_skip(b, fp))
		return;
	load_mark(&ld);
	tmpfs = bk_fs(b, "bkstart", fsdir, fp);
	ntrees = tmpfs ? 2 : 1;
	for (i = 0; i < ntrees; i++) {
		pathf(tree[i], "%s/t%ld", fsdir, o->bk_dirs[i]);
		pathf(probe[i], "%s/probe.txt", tree[i]);
		progress(b, "backend-startup: making %ld directories",
		    o->bk_dirs[i]);
		made[i] = (double)now_ns();
		make_wide(tree[i], o->bk_dirs[i], file, 1);
		made[i] = ((double)now_ns() - made[i]) / 1e9;
		bk_can(b, tree[i], o->bk_dirs[i], can[i], why[i]);
	}
	S = xcalloc(2, sizeof(*S));
	/* The two backends take turns, and so do the trees. */
	for (rep = 0; rep < o->reps_d; rep++)
		for (i = 0; i < ntrees; i++)
			for (kk = 0; kk < 2; kk++) {
				k = rep % 2 == 0 ? kk : 1 - kk;
				if (!can[i][k] || S[i][k].failed ||
				    (S[i][k].slow && S[i][k].n >= 2))
					continue;
				progress(b, "backend-startup: %s on %ld "
				    "directories, rep %d", tools[ids[k]].name,
				    o->bk_dirs[i], rep + 1);
				if (!start_one(b, ids[k], tree[i], probe[i],
				    &m, &ready, NULL)) {
					S[i][k].failed = 1;
					continue;
				}
				S[i][k].ready[S[i][k].n] = ready;
				S[i][k].rss[S[i][k].n] = (double)m.rss_kb;
				S[i][k].cpu[S[i][k].n] = (double)m.cticks /
				    (double)b->clk_tck;
				S[i][k].watches = m.watches;
				S[i][k].procs = m.procs;
				S[i][k].n++;
				if (ready > 5000)
					S[i][k].slow = 1;
			}
	limits_restore(b);

	fprintf(fp, "Wide trees of directories (each holds up to 100, breadth "
	    "first; no files), made with mkdirat(2) in %.1f s", made[0]);
	if (ntrees > 1)
		fprintf(fp, " and %.1f s", made[1]);
	fprintf(fp, ", on "
	    "%s.  `watchrun --backend inotify` and `--backend fanotify`, "
	    "each `-w $D -d 0 -- $STAMP $OUT` with the stamp file outside "
	    "that filesystem; 'ready' = spawn to its ready line; RSS = VmRSS "
	    "of watchrun and its guardian once ready; watches / marks from "
	    "/proc/PID/fdinfo (inotify watches, fanotify marks).  %d "
	    "repetitions, the backends taking turns (one needing over 5 s "
	    "gets 2); medians with min–max.\n\n"
	    "| directories | backend | reps | ready ms | RSS MiB | watches / "
	    "marks | start-up CPU s | procs |\n"
	    "|---|---|---|---|---|---|---|---|\n", tmpfs ? "a private tmpfs "
	    "mounted for them" : "the temporary directory", o->reps_d);
	for (i = 0; i < ntrees; i++)
		for (k = 0; k < 2; k++) {
			if (!can[i][k]) {
				fprintf(fp, "| %ld | %s | skipped: %s |\n",
				    o->bk_dirs[i], tools[ids[k]].name,
				    why[i][k]);
				continue;
			}
			if (S[i][k].n == 0) {
				fprintf(fp, "| %ld | %s | FAILED: did not get "
				    "ready |\n", o->bk_dirs[i],
				    tools[ids[k]].name);
				fail(b, "backend-startup: %s did not get "
				    "ready on %ld directories",
				    tools[ids[k]].name, o->bk_dirs[i]);
				continue;
			}
			s = stats_of(S[i][k].ready, (size_t)S[i][k].n);
			sr = stats_of(S[i][k].rss, (size_t)S[i][k].n);
			sc = stats_of(S[i][k].cpu, (size_t)S[i][k].n);
			fprintf(fp, "| %ld | %s | %d | %.0f (%.0f–%.0f) | "
			    "%.2f (%.2f–%.2f) | %lld | %.2f | %zu |\n",
			    o->bk_dirs[i], tools[ids[k]].name, S[i][k].n,
			    s.med, s.min, s.max, sr.med / 1024, sr.min / 1024,
			    sr.max / 1024, S[i][k].watches, sc.med,
			    S[i][k].procs);
			if (k == 1) {
				tg->bk_fan[i] = 1;
				tg->bk_dirs[i] = o->bk_dirs[i];
				tg->bk_ready[i] = s.med;
				tg->bk_rss[i] = sr.med / 1024;
			}
		}
	if (ntrees == 1)
		fprintf(fp, "\nThe tree of %ld directories is left out: it is "
		    "made only on a private tmpfs.\n", o->bk_dirs[1]);
	if (tg->bk_fan[0] && tg->bk_fan[1])
		fprintf(fp, "\nWith fanotify, %.0f times the directories take "
		    "%.2f times as long to be ready and %.2f times the RSS.\n",
		    (double)o->bk_dirs[1] / (double)o->bk_dirs[0],
		    tg->bk_ready[1] / tg->bk_ready[0],
		    tg->bk_rss[1] / tg->bk_rss[0]);
	free(S);
	bk_fs_done(b, fsdir, tmpfs);
	load_report(b, fp, &ld);
}

void
scen_backend_latency(struct bench *b, FILE *fp)
{
	static const int ids[3] = { T_WR_INOTIFY, T_WR_FANOTIFY, T_WR_POLL };
	const struct opts *o = &b->o;
	struct lat L[3];
	struct trials tr;
	struct load ld;
	struct run r;
	char fsdir[PATH_MAX], tree[PATH_MAX], files[10][PATH_MAX];
	char why[3][256];
	uint64_t every;
	int can[3], run[3] = { 0 }, tmpfs, k, round, rounds, n;

	fprintf(fp, "## backend-latency: one save, time to the command's "
	    "start, per backend\n\n");
	if (backend_skip(b, fp))
		return;
	load_mark(&ld);
	every = poll_every_ns(b);
	tmpfs = bk_fs(b, "bklat", fsdir, fp);
	pathf(tree, "%s/tree", fsdir);
	progress(b, "backend-latency: making %ld directories", o->bk_dirs[0]);
	make_wide(tree, o->bk_dirs[0], files, 10);
	bk_can(b, tree, o->bk_dirs[0], can, why);
	rounds = o->trials >= 20 ? 2 : 1;
	fprintf(fp, "The method of scenario latency on a wide tree of %ld "
	    "directories (as in scenario backend-startup, on %s) with a file "
	    "in 10 directories spread over it: each trial rewrites the next "
	    "of them and takes the stamp's CLOCK_MONOTONIC minus the time "
	    "just before the open.  %d trials per backend (taking turns in "
	    "%d blocks, each a fresh process with %d warm-up trials first); "
	    "'no run' = none within 3 s (3 s + 3 × the interval for poll).  "
	    "Poll checks the tree every %s: its latency includes the wait "
	    "for the next pass.\n\n"
	    "| tool | trials | median ms | p90 ms | min ms | max ms | no run "
	    "| runs/change | ready ms |\n|---|---|---|---|---|---|---|---|---|"
	    "\n", o->bk_dirs[0], tmpfs ? "a private tmpfs" :
	    "the temporary directory", o->trials, rounds, o->warmup,
	    o->poll_every);
	memset(L, 0, sizeof(L));
	for (k = 0; k < 3; k++)
		L[k].v = xcalloc((size_t)o->trials, sizeof(double));
	for (round = 0; round < rounds; round++)
		for (k = 0; k < 3; k++) {
			if (!can[k] || (round > 0 && !run[k]))
				continue;
			n = o->trials / rounds + (round < o->trials % rounds);
			progress(b, "backend-latency: %s (%d trials)",
			    tools[ids[k]].name, n);
			run_new(b, &r, "bklat", tree);
			pathf(r.probe, "%s/probe.txt", tree);
			tr.scen = "backend-latency";
			tr.files = files;
			tr.nfiles = 10;
			tr.n = n;
			tr.norun = 3 * SEC + (ids[k] == T_WR_POLL ? 3 * every :
			    0);
			tr.timeout = 60 * SEC;
			run[k] = latency_trials(b, ids[k], &r, &tr, &L[k], fp);
			run_done(&r);
		}
	limits_restore(b);
	for (k = 0; k < 3; k++) {
		if (!can[k]) {
			fprintf(fp, "| %s | skipped: %s |\n",
			    tools[ids[k]].name, why[k]);
			continue;
		}
		if (!run[k])
			continue;
		lat_row(fp, ids[k], &L[k], NULL, 0);
		if (L[k].n == 0)
			fail(b, "backend-latency: %s produced no run",
			    tools[ids[k]].name);
	}
	if (can[0] && can[1] && L[0].n > 0 && L[1].n > 0) {
		b->tg.bk_lat = 1;
		for (k = 0; k < 2; k++)
			b->tg.bk_lat_ms[k] = stats_of(L[k].v, L[k].n).med;
	}
	for (k = 0; k < 3; k++)
		free(L[k].v);
	bk_fs_done(b, fsdir, tmpfs);
	load_report(b, fp, &ld);
}
