/*
 * instructions.c: scenario instructions.  Instruction counts of the
 * per-event path under callgrind, on bench/replay (watchrun's objects fed
 * a synthesized inotify stream): matching with 1 and 100 rules, the
 * ignore filter with and without git's rules, and one check of git's
 * rules against PCRE2.  These do not depend on the machine's noise.
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

/* Room for replay's argv: valgrind's 4, replay's 5, args, NULL. */
#define NAV		24

/*
 * Puts "replay -n DIRS -m EVENTS ARGS..." into av from av[i] on, with the
 * numbers in n and m (32 bytes each), and a NULL after; NAV in all.
 */
static void
replay_argv(struct bench *b, char **av, int i, char *n, char *m,
    char *const args[])
{
	int k;

	snprintf(n, 32, "%d", b->o.replay_dirs);
	snprintf(m, 32, "%d", b->o.replay_events);
	av[i++] = b->replaybin;
	av[i++] = "-n";
	av[i++] = n;
	av[i++] = "-m";
	av[i++] = m;
	for (k = 0; args[k] != NULL && i < NAV - 1; k++)
		av[i++] = args[k];
	av[i] = NULL;
}

/*
 * Runs replay -n DIRS -m EVENTS ARGS... under callgrind, counting inside
 * fn; returns the instructions, or 0 with why in note.
 */
static unsigned long long
callgrind(struct bench *b, const char *fn, char *const args[], char *note,
    size_t notesize)
{
	char out[PATH_MAX], log[PATH_MAX], tog[128], fileopt[PATH_MAX + 32];
	char n[32], m[32], line[512], buf[4096];
	char *av[NAV];
	unsigned long long v = 0;
	FILE *fp;
	int st;

	pathf(out, "%s/callgrind.out", b->workdir);
	pathf(log, "%s/callgrind.log", b->workdir);
	snprintf(tog, sizeof(tog), "--toggle-collect=%s", fn);
	snprintf(fileopt, sizeof(fileopt), "--callgrind-out-file=%s", out);
	av[0] = "valgrind";
	av[1] = "--tool=callgrind";
	av[2] = fileopt;
	av[3] = tog;
	replay_argv(b, av, 4, n, m, args);
	st = capture(b, av, buf, sizeof(buf), log);
	if (st != 0) {
		first_line(buf);
		snprintf(note, notesize, "valgrind failed: %.200s",
		    buf);
		return 0;
	}
	if ((fp = fopen(log, "re")) != NULL) {
		if (fgets(line, sizeof(line), fp) != NULL) {
			first_line(line);
			snprintf(note, notesize, "%.200s", line);
		}
		fclose(fp);
	}
	if ((fp = fopen(out, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "totals:", 7) == 0 ||
		    (v == 0 && strncmp(line, "summary:", 8) == 0))
			v = strtoull(strchr(line, ':') + 1, NULL, 10);
	fclose(fp);
	unlink(out);
	return v;
}

/*
 * Runs replay natively with args; returns its output line in buf, or
 * NULL after saying why in fp.
 */
static char *
replay_native(struct bench *b, char *const args[], char *buf, size_t size,
    FILE *fp)
{
	char n[32], m[32], *av[NAV];

	replay_argv(b, av, 0, n, m, args);
	if (capture(b, av, buf, size, NULL) != 0) {
		first_line(buf);
		fprintf(fp, "FAILED: replay: %s\n\n", buf);
		fail(b, "replay: %s", buf);
		return NULL;
	}
	first_line(buf);
	return buf;
}

/* The number after key= in s, or -1. */
static double
field(const char *s, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), " %s=", key);
	if (s == NULL || (p = strstr(s, k)) == NULL)
		return -1;
	return strtod(p + strlen(k), NULL);
}

void
scen_instructions(struct bench *b, FILE *fp)
{
	static const struct {
		char		*args[8];
		const char	*what;
	} cfg[] = {
		{ { "-r", "1", NULL }, "1 rule: `\\.c$` WRITE\\|CREATE" },
		{ { "-r", "100", NULL }, "100 rules: `\\.ext0$` … `\\.ext98$` "
		    "WRITE\\|CREATE, then `\\.c$` WRITE\\|CREATE" },
		{ { "-r", "100", "-M", NULL }, "100 rules: `\\.ext0$` … "
		    "`\\.ext98$` DELETE, then `\\.c$` WRITE\\|CREATE" },
		{ { "-r", "100", "-s", "dir", NULL }, "100 rules: "
		    "`(^\\|/)dir0/` … `(^\\|/)dir98/` WRITE\\|CREATE (no "
		    "literal prefix or suffix), then `\\.c$` WRITE\\|CREATE" },
	};
	static const char *const fwhat[3] = {
		"none (no filter passed to `watch_new()`)",
		"the default list (a plain directory)",
		"the default list and git's rules (a git work tree with the "
		"50-line `.gitignore` of scenario gitignore)",
	};
	static const char *const mwhat[4] = {
		"`gitignore_check_name()` (src/gitignore.c)",
		"PCRE2, one expression per line, tried from the last line up "
		"(`*.o` → `(?:^\\|/)[^/]*\\.o$`)",
		"PCRE2 as above, with `*lit` lines as the literal suffix "
		"(`*.o` → `\\.o$`, which match.c decides by a byte "
		"comparison)",
		"PCRE2, one alternation of the 49 ignoring lines and one of "
		"the negation",
	};
	static char *const mfn[4] = { "bench_gitignore", "bench_pcre2_each",
	    "bench_pcre2_lit", "bench_pcre2_one" };
	static const char *const mkey[4] = { "gitignore_ns", "pcre2_each_ns",
	    "pcre2_lit_ns", "pcre2_one_ns" };
	char fbuf[3][1024], mbuf[1024], note[256], vg[128], fnote[3][256];
	char *fargs[3][6] = {
		{ "-r", "1", "-F", NULL },
		{ "-r", "1", NULL },
		{ "-r", "1", "-g", b->gifile, NULL },
	};
	char *margs[] = { "-B", "-g", b->gifile, "-k", "1", NULL };
	char *nmargs[] = { "-B", "-g", b->gifile, NULL };
	char *vv[] = { "valgrind", "--version", NULL };
	char *line[3];
	unsigned long long whole[4], disp[4], fw[3], ff[3], fd[3], mi[4];
	size_t k, ncfg = sizeof(cfg) / sizeof(cfg[0]);
	double delivered[3], filtered[3], paths;
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct load ld;

	load_mark(&ld);
	fprintf(fp, "## instructions: instruction counts of the per-event path "
	    "(callgrind)\n\n");
	if (access(b->replaybin, X_OK) != 0) {
		fprintf(fp, "Skipped: %s is not built.\n", b->replaybin);
		fail(b, "replay is not built (%s)", b->replaybin);
		return;
	}
	progress(b, "instruction counts: replay");
	for (k = 0; k < 3; k++) {
		if ((line[k] = replay_native(b, fargs[k], fbuf[k],
		    sizeof(fbuf[k]), fp)) == NULL) {
			load_report(b, fp, &ld);
			return;
		}
		delivered[k] = field(line[k], "delivered");
		filtered[k] = field(line[k], "filtered");
	}
	if (delivered[0] != delivered[1] || delivered[0] != delivered[2])
		fail(b, "replay: %.0f, %.0f and %.0f records delivered "
		    "without a filter, with the default list and with git's "
		    "rules",
		    delivered[0], delivered[1], delivered[2]);
	tg->instr_jit = strstr(line[1], "jit=yes") != NULL;
	fprintf(fp, "`bench/replay` (linked with watchrun's objects) makes a "
	    "real tree of %d directories, watches it with `watch_root()`, "
	    "and feeds a synthesized stream of %d inotify records (watch "
	    "descriptors 1..%d, CLOSE_WRITE / CREATE / MODIFY of "
	    "`file<k>.c` or `x<k>.h`, names padded to 16 bytes, cut into "
	    "64 KiB reads) through `watch_feed()` into `dispatch_event()`, "
	    "with the ignore filter of `src/ignore.c` (`ignore_new(rs, "
	    "matcher, 1, 1)`: the default list, and git's rules where the "
	    "tree is a git work tree), as `app.c` wires them.  MODIFY is not "
	    "among the rules' events, so it stops at the watch layer; %.0f "
	    "records reach the filter and the dispatcher.  'whole path' = "
	    "everything inside `replay_feed` (decode, watch-descriptor "
	    "lookup, path building, ignore filter, match, batch, debounce); "
	    "'match + debounce' = inside `dispatch_event` only; 'filter' = "
	    "inside the filter callback (`ignore_path()`).  Instructions (Ir) "
	    "per record, from `valgrind --tool=callgrind "
	    "--toggle-collect=FUNCTION`; these do not depend on machine "
	    "noise.  PCRE2 JIT: %s.  Native run: `%s`.\n\n",
	    o->replay_dirs, o->replay_events, o->replay_dirs, delivered[1],
	    tg->instr_jit ? "yes" : "no", line[1]);
	if (!in_path("valgrind")) {
		fprintf(fp, "Skipped: valgrind is not installed.\n");
		progress(b, "instruction counts skipped: no valgrind");
		load_report(b, fp, &ld);
		return;
	}
	(void)capture(b, vv, vg, sizeof(vg), NULL);
	first_line(vg);
	fprintf(fp, "In a plain directory (the default list only):\n\n"
	    "| rules | whole path Ir/record | match + debounce Ir/record | "
	    "match + debounce ÷ 1 rule |\n|---|---|---|---|\n");
	for (k = 0; k < ncfg; k++) {
		/* The smoke test needs each code path once, not each shape. */
		if (o->smoke && k == 2) {
			whole[k] = disp[k] = 0;
			continue;
		}
		progress(b, "instruction counts: %s under callgrind",
		    cfg[k].what);
		note[0] = '\0';
		whole[k] = callgrind(b, "replay_feed", cfg[k].args, note,
		    sizeof(note));
		disp[k] = callgrind(b, "dispatch_event", cfg[k].args, note,
		    sizeof(note));
		if (whole[k] == 0 || disp[k] == 0) {
			fprintf(fp, "| %s | FAILED: %s |\n", cfg[k].what,
			    note);
			fail(b, "callgrind: %s", note);
			continue;
		}
		fprintf(fp, "| %s | %.0f | %.0f | %.2f |\n", cfg[k].what,
		    (double)whole[k] / o->replay_events,
		    (double)disp[k] / o->replay_events,
		    disp[0] ? (double)disp[k] / (double)disp[0] : 0.0);
	}
	if (disp[0] > 0 && disp[1] > 0) {
		tg->instr = 1;
		tg->instr_r1 = (double)disp[0] / o->replay_events;
		tg->instr_r100 = (double)disp[1] / o->replay_events;
		tg->instr_dir = disp[3] > 0 ? (double)disp[3] /
		    o->replay_events : 0;
	}

	/* What the ignore filter costs, with and without git's rules. */
	fprintf(fp, "\nThe ignore filter, with the one rule `\\.c$`; the "
	    "same %.0f records reach the dispatcher in each row, and the "
	    "filter is asked about each of them (%.0f calls; 'filter' counts "
	    "only these, not the directories of the first scan):\n\n"
	    "| ignore filter | whole path Ir/record | filter Ir/record | "
	    "filter Ir per call | match + debounce Ir/record | "
	    "whole path ÷ the default list's | native ns/record |\n"
	    "|---|---|---|---|---|---|---|\n", delivered[1], filtered[1]);
	for (k = 0; k < 3; k++) {
		progress(b, "instruction counts: filter %s under callgrind",
		    k == 0 ? "none" : k == 1 ? "default" : "git");
		note[0] = '\0';
		fw[k] = callgrind(b, "replay_feed", fargs[k], note,
		    sizeof(note));
		fd[k] = callgrind(b, "dispatch_event", fargs[k], note,
		    sizeof(note));
		ff[k] = k == 0 ? 0 : callgrind(b, "replay_filter", fargs[k],
		    note, sizeof(note));
		if (fw[k] == 0 || fd[k] == 0 || (k > 0 && ff[k] == 0)) {
			snprintf(fnote[k], sizeof(fnote[k]), "%s", note);
			fail(b, "callgrind: %s", note);
			fw[k] = 0;
		}
	}
	for (k = 0; k < 3; k++) {
		if (fw[k] == 0) {
			fprintf(fp, "| %s | FAILED: %s |\n", fwhat[k],
			    fnote[k]);
			continue;
		}
		fprintf(fp, "| %s | %.0f | ", fwhat[k],
		    (double)fw[k] / o->replay_events);
		if (k == 0)
			fprintf(fp, "- | - | ");
		else
			fprintf(fp, "%.0f | %.0f | ",
			    (double)ff[k] / o->replay_events,
			    filtered[k] > 0 ? (double)ff[k] / filtered[k] :
			    0);
		fprintf(fp, "%.0f | ", (double)fd[k] / o->replay_events);
		if (fw[1] > 0)
			fprintf(fp, "%.2f", (double)fw[k] / (double)fw[1]);
		else
			fprintf(fp, "-");
		fprintf(fp, " | %.1f |\n", field(line[k], "ns_per_event"));
	}
	if (fw[1] > 0 && fw[2] > 0) {
		tg->gi_ir = 1;
		for (k = 0; k < 3; k++) {
			tg->gi_whole[k] = (double)fw[k] / o->replay_events;
			tg->gi_filter[k] = (double)ff[k] / o->replay_events;
		}
	}

	/* One check of git's rules: the matcher against PCRE2. */
	progress(b, "instruction counts: one check of git's rules");
	if (replay_native(b, nmargs, mbuf, sizeof(mbuf), fp) != NULL) {
		paths = field(mbuf, "paths");
		fprintf(fp, "\nOne check of git's rules on one path, the 50 "
		    "lines of the `.gitignore` against each of the %.0f "
		    "paths the stream delivers (`replay -B`; none of them is "
		    "ignored, so no check ends at an early match; the four "
		    "agree on %.0f probe paths that the lines do ignore or "
		    "keep first).  Ir "
		    "per check under callgrind; ns per check natively, the "
		    "best of 5 passes of %.0f rounds.  Native run: "
		    "`%s`.\n\n"
		    "| how | Ir per check | ÷ gitignore.c | native ns per "
		    "check |\n|---|---|---|---|\n", paths,
		    field(mbuf, "probes"), field(mbuf, "rounds"), mbuf);
		for (k = 0; k < 4; k++) {
			note[0] = '\0';
			mi[k] = callgrind(b, mfn[k], margs, note,
			    sizeof(note));
			if (mi[k] == 0 || paths <= 0) {
				fprintf(fp, "| %s | FAILED: %s |\n", mwhat[k],
				    note);
				fail(b, "callgrind: %s", note);
				continue;
			}
			/* Five passes of one round each. */
			fprintf(fp, "| %s | %.0f | %.1f | %.1f |\n", mwhat[k],
			    (double)mi[k] / 5 / paths, mi[0] > 0 ?
			    (double)mi[k] / (double)mi[0] : 0,
			    field(mbuf, mkey[k]));
		}
	}
	fprintf(fp, "\n%s.\n", vg);
	load_report(b, fp, &ld);
}

