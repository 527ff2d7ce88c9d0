/*
 * idle.c: scenario idle.  Each tool ready on a small tree and then left
 * alone: its wake-ups (context switches), CPU and RSS while nothing
 * happens.
 */
#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "wbench.h"

void
scen_idle(struct bench *b, FILE *fp)
{
	static const int ids[] = { T_WATCHRUN, T_FLOOR, T_INOTIFYWAIT,
	    T_FSWATCH, T_DIREVENT, T_ENTR };
	const struct opts *o = &b->o;
	struct proc p;
	struct run r;
	struct tmeas m0, m1;
	struct load ld;
	char deep[PATH_MAX];
	unsigned long long wake;
	size_t k, base;
	int id;

	load_mark(&ld);
	fprintf(fp, "## idle: %d s of nothing\n\n"
	    "Tree of 10 directories; the tool is brought to ready, left 1 s "
	    "to settle, then nothing happens for %d s.  Wake-ups = voluntary "
	    "+ involuntary context switches summed over every thread of every "
	    "process of the tool's tree (/proc/PID/task/TID/status); CPU "
	    "from schedstat (ns) and from utime+stime (10 ms ticks).\n\n"
	    "| tool | wake-ups | voluntary | involuntary | CPU ms (schedstat) "
	    "| CPU ticks | runs | RSS MiB | procs | threads |\n"
	    "|---|---|---|---|---|---|---|---|---|---|\n", o->idle_s,
	    o->idle_s);
	for (k = 0; k < NITEMS(ids); k++) {
		id = ids[k];
		if (!use_tool(b, id, fp))
			continue;
		progress(b, "idle: %s", tools[id].name);
		run_new(b, &r, "idle", NULL);
		make_flat(r.tree, 10, "d", 1, deep);
		pathf(r.probe, "%s/probe.txt", deep);
		if (!start_ready(b, &p, id, &r, 20 * SEC, fp)) {
			run_done(&r);
			continue;
		}
		nap(b, o->smoke ? 200 * MS : SEC);
		read_err(&p);
		base = p.nst;
		procfs_measure(b, p.pid, &m0, 1);
		nap(b, (uint64_t)o->idle_s * SEC);
		procfs_measure(b, p.pid, &m1, 1);
		read_stamps(&p);
		wake = (m1.vol + m1.invol) - (m0.vol + m0.invol);
		fprintf(fp, "| %s | %llu | %llu | %llu | %.3f | %llu | %zu | "
		    "%.2f | %zu | %zu |\n", tools[id].name, wake,
		    m1.vol - m0.vol, m1.invol - m0.invol,
		    (double)(m1.sched_ns - m0.sched_ns) / 1e6,
		    m1.ticks - m0.ticks, p.nst - base,
		    (double)m1.rss_kb / 1024, m1.procs, m1.threads);
		if (id == T_WATCHRUN) {
			b->tg.idle = 1;
			b->tg.idle_wake = wake;
		}
		proc_stop(b, &p);
		proc_free(&p);
		run_done(&r);
	}
	load_report(b, fp, &ld);
}
