/*
 * startup.c: scenario startup.  Every tool started on one large tree of
 * directories and on an empty one: time to ready, RSS and PSS of its
 * process tree, bytes per directory, watches, start-up CPU.  start_one()
 * serves the gitignore and backend scenarios too.
 */
#include <sys/types.h>

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
 * Starts tool id on tree, waits for it to be ready (60 s at most, retried
 * twice after a failure once the inotify limits are back), measures its
 * process tree into m, stops it; *ready is spawn to ready in ms.  On
 * failure says why in fp (in the notes when fp is NULL); returns 0.
 */
int
start_one(struct bench *b, int id, const char *tree, const char *probe,
    struct tmeas *m, double *ready, FILE *fp)
{
	struct proc p;
	struct run r;
	long long v[3];
	uint64_t deadline;
	int tries = 0, failed = b->failures;

	run_new(b, &r, "start", tree);
	pathf(r.probe, "%s", probe);
	while (!start_ready(b, &p, id, &r, 60 * SEC, fp)) {
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
			nap(b, 100 * MS);
			limits_read(v);
		} while (memcmp(v, b->limits0, sizeof(v)) != 0 &&
		    now_ns() < deadline);
		nap(b, SEC);
		fprintf(b->notes, "- %s: a start failed (see above); "
		    "retried.\n", tools[id].name);
	}
	/* Only a start that failed every time is a failure. */
	b->failures = failed;
	*ready = (double)(p.ready - p.spawned) / 1e6;
	procfs_measure(b, p.pid, m, 1);
	proc_stop(b, &p);
	proc_free(&p);
	(void)unlink(probe);
	run_done(&r);
	return 1;
}

void
scen_startup(struct bench *b, FILE *fp)
{
	static const int ids[] = { T_WATCHRUN, T_FLOOR, T_FLOOR_G,
	    T_INOTIFYWAIT, T_FSWATCH, T_DIREVENT, T_ENTR };
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
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
	pathf(big, "%s/big", b->workdir);
	pathf(empty, "%s/empty", b->workdir);
	made = (double)now_ns();
	ndirs = make_big(big, o->big, deep);
	made = ((double)now_ns() - made) / 1e9;
	make_dir(empty);
	pathf(probe, "%s/probe.txt", deep);
	pathf(eprobe, "%s/probe.txt", empty);
	for (rep = 0; rep < o->reps_d; rep++)
		for (k = 0; k < NITEMS(ids); k++) {
			id = ids[k];
			if ((rep == 0 && !use_tool(b, id, NULL)) ||
			    (rep > 0 && !(selected(b, id) && b->avail[id])))
				continue;
			/* A tool that needs seconds gets two repetitions. */
			if (S[id].failed || (S[id].slow && S[id].n >= 2))
				continue;
			progress(b, "startup: %s, rep %d", tools[id].name,
			    rep + 1);
			if (!start_one(b, id, empty, eprobe, &m, &ready,
			    NULL)) {
				S[id].failed = 1;
				continue;
			}
			S[id].empty[S[id].n] = (double)m.rss_kb;
			if (!start_one(b, id, big, probe, &m, &ready, NULL)) {
				S[id].failed = 1;
				continue;
			}
			S[id].ready[S[id].n] = ready;
			S[id].rss[S[id].n] = (double)m.rss_kb;
			S[id].pss[S[id].n] = (double)m.pss_kb;
			S[id].cpu[S[id].n] = (double)m.cticks /
			    (double)b->clk_tck;
			S[id].watches = m.watches;
			S[id].procs = m.procs;
			S[id].n++;
			if (ready > 5000)
				S[id].slow = 1;
		}

	fprintf(fp, "## startup: start-up on a %dx%dx%d tree (%ld "
	    "directories)\n\n"
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
	    o->big[0], o->big[1], o->big[2], ndirs, ndirs, o->big[0],
	    o->big[0], o->big[1], o->big[0], o->big[1], o->big[2], made,
	    o->reps_d);
	if (S[T_FLOOR].n > 0)
		fmed = stats_of(S[T_FLOOR].ready, (size_t)S[T_FLOOR].n).med;
	for (k = 0; k < NITEMS(ids); k++) {
		id = ids[k];
		if (!selected(b, id))
			continue;
		if (!b->avail[id]) {
			fprintf(fp, "| %s | skipped: %s |\n", tools[id].name,
			    b->skipwhy[id]);
			continue;
		}
		if (S[id].n == 0) {
			fprintf(fp, "| %s | FAILED: did not get ready |\n",
			    tools[id].name);
			if (!tools[id].peer)
				fail(b, "startup: %s did not get ready",
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
			tg->start = fmed > 0;
			tg->start_wr = s.med;
			tg->start_floor = fmed;
			tg->start_rss = sr.med / 1024;
			tg->start_bpd = bpd;
		}
		if (id == T_INOTIFYWAIT) {
			tg->start_inw = 1;
			tg->start_inwv = s.med;
		}
		if (tools[id].peer && (tg->start_peers == 0 ||
		    sr.med / 1024 < tg->start_peer_rss)) {
			tg->start_peers++;
			tg->start_peer_rss = sr.med / 1024;
			tg->start_peer_name = tools[id].name;
		}
	}
	if (S[T_FLOOR_G].n > 0 && S[T_WATCHRUN].n > 0)
		fprintf(fp, "\nAgainst floor -g (getdents64 walk, no stat) "
		    "watchrun's ready ratio is %.2f.\n", tg->start_wr /
		    stats_of(S[T_FLOOR_G].ready, (size_t)S[T_FLOOR_G].n).med);
	free(S);
	rm_tree(big);
	rm_tree(empty);
	load_report(b, fp, &ld);
}
