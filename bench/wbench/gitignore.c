/*
 * gitignore.c: scenario gitignore.  git's ignore rules: the same trees
 * and the same events, once in a plain directory and once in a git work
 * tree, both with the 50-line .gitignore at the top; the runs take
 * turns, so that the machine's drift falls on both alike.
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

static const char *const tree_name[2] = { "plain directory",
    "git work tree" };

static void
gi_list(FILE *fp)
{
	const char *s, *e;

	for (s = gitignore50; *s != '\0'; s = e + 1) {
		e = strchr(s, '\n');
		fprintf(fp, "%s`%.*s`", s == gitignore50 ? "" : " ",
		    (int)(e - s), s);
	}
}

/* CPU per event, as in scenario cpu-per-event, in both trees. */
static void
gi_cpu(struct bench *b, FILE *fp)
{
	static const char head[] = "| filesystem | tree | rep | events | "
	    "write ms | events/s | CPU ms | µs/event (utime+stime) | "
	    "µs/event (on-CPU) | read(2) calls | runs | WATCHRUN_COUNT | "
	    "overflow |\n"
	    "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct cpu (*W)[2];
	struct stats s[2];
	const char *bases[2];
	int nbase = 1, i, rep, k, g, ok;

	W = xcalloc(2, sizeof(*W));
	bases[0] = b->workdir;
	if ((bases[1] = shm_base(b)) != NULL)
		nbase++;
	fprintf(fp, "### gitignore: CPU per event\n\n"
	    "As scenario cpu-per-event: `watchrun -w $D -- $STAMP $OUT` on a "
	    "fresh tree of 20 directories while %d new files are written "
	    "round-robin (%d events); watchrun's own CPU per event.  %d "
	    "repetitions of each tree, on the benchmark's temporary "
	    "directory (%s)%s.\n\n",
	    o->events / 2, o->events / 2 * 2, o->reps_g, fs_name(b->workdir),
	    nbase > 1 ? " and on /dev/shm (tmpfs)" : "");
	fprintf(fp, "%s", head);
	for (i = 0; i < nbase; i++) {
		for (rep = 0, ok = 1; ok && rep < o->reps_g; rep++)
			for (k = 0; ok && k < 2; k++) {
				g = rep % 2 == 0 ? k : 1 - k;
				progress(b, "gitignore: %d events on %s: %s, "
				    "rep %d", o->events, fs_name(bases[i]),
				    tree_name[g], rep + 1);
				ok = cpu_rep(b, bases[i], NULL, 0, g, &W[i][g],
				    fp);
			}
		for (g = 0; g < 2; g++)
			if (W[i][g].n > 0)
				cpu_summary(fp, fs_name(bases[i]), g ?
				    "watchrun, git work tree" :
				    "watchrun, plain directory", &W[i][g]);
	}
	fprintf(fp, "\n| filesystem | pairs | plain µs/event (on-CPU) | git "
	    "µs/event (on-CPU) | ratio of the medians | median of the pairs "
	    "| same, utime+stime | writer's events/s |\n"
	    "|---|---|---|---|---|---|---|---|\n");
	for (i = 0; i < nbase; i++) {
		k = W[i][0].n < W[i][1].n ? W[i][0].n : W[i][1].n;
		if (k == 0)
			continue;
		s[0] = stats_of(W[i][0].on, (size_t)W[i][0].n);
		s[1] = stats_of(W[i][1].on, (size_t)W[i][1].n);
		tg->gi_cpu[i] = 1;
		tg->gi_fs[i] = fs_name(bases[i]);
		tg->gi_on[i][0] = s[0].med;
		tg->gi_on[i][1] = s[1].med;
		tg->gi_pairs[i] = k;
		tg->gi_ratio[i] = pair_ratio(W[i][0].on, W[i][1].on, k);
		tg->gi_rate[i][0] = tg->gi_rate[i][1] = W[i][0].rate[0];
		for (g = 0; g < 2; g++)
			for (rep = 0; rep < W[i][g].n; rep++) {
				if (W[i][g].rate[rep] < tg->gi_rate[i][0])
					tg->gi_rate[i][0] = W[i][g].rate[rep];
				if (W[i][g].rate[rep] > tg->gi_rate[i][1])
					tg->gi_rate[i][1] = W[i][g].rate[rep];
			}
		fprintf(fp, "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | "
		    "%.0f–%.0f |\n", fs_name(bases[i]), k, s[0].med, s[1].med,
		    s[0].med > 0 ? s[1].med / s[0].med : 0, tg->gi_ratio[i],
		    pair_ratio(W[i][0].us, W[i][1].us, k), tg->gi_rate[i][0],
		    tg->gi_rate[i][1]);
	}
	fprintf(fp, "\nThe CPU per event follows the writer's rate (see "
	    "cpu-per-event): where that rate varied more than twofold "
	    "between the runs on one filesystem, the runs there measure the "
	    "disk's stalls more than the tree, and the target below counts "
	    "that filesystem as not comparable in this run rather than met "
	    "or missed.\n");
	free(W);
	shm_done(b);
}

/* Start-up on the large tree, its .git moved in and out. */
static void
gi_startup(struct bench *b, FILE *fp)
{
	const struct opts *o = &b->o;
	struct targets *tg = &b->tg;
	struct start *S;
	struct stats s[2], sr, sc;
	struct tmeas m;
	char big[PATH_MAX], deep[PATH_MAX], probe[PATH_MAX];
	char dotgit[PATH_MAX], parked[PATH_MAX];
	double ready, made;
	long ndirs;
	int rep, k, g, ok;

	S = xcalloc(2, sizeof(*S));
	pathf(big, "%s/gbig", b->workdir);
	pathf(dotgit, "%s/.git", big);
	pathf(parked, "%s/gbig.git", b->workdir);
	made = (double)now_ns();
	ndirs = make_big(big, o->big, deep);
	make_gitignored(b, big, 1);
	made = ((double)now_ns() - made) / 1e9;
	move(dotgit, parked);
	pathf(probe, "%s/probe.txt", deep);
	/* One start of each first, unmeasured: the caches warm alike. */
	for (rep = -1, ok = 1; ok && rep < o->reps_d; rep++)
		for (k = 0; ok && k < 2; k++) {
			g = rep < 0 || rep % 2 == 0 ? k : 1 - k;
			if (g)
				move(parked, dotgit);
			progress(b, "gitignore: start-up on %ld directories: "
			    "%s, %s", ndirs, tree_name[g], rep < 0 ?
			    "warm-up" : "rep");
			ok = start_one(b, T_WATCHRUN, big, probe, &m, &ready,
			    NULL);
			if (g)
				move(dotgit, parked);
			if (!ok) {
				S[g].failed = 1;
				fail(b, "gitignore: watchrun did not get ready "
				    "in the %s", tree_name[g]);
				break;
			}
			if (rep < 0)
				continue;
			S[g].ready[S[g].n] = ready;
			S[g].rss[S[g].n] = (double)m.rss_kb;
			S[g].cpu[S[g].n] = (double)m.cticks /
			    (double)b->clk_tck;
			S[g].watches = m.watches;
			S[g].n++;
		}
	fprintf(fp, "\n### gitignore: start-up on a %dx%dx%d tree (%ld "
	    "directories)\n\n"
	    "The tree of scenario startup (made anew, with the .gitignore at "
	    "the top, in %.1f s), watched by `watchrun -w $D -d 0 -- $STAMP "
	    "$OUT`; 'ready' = spawn to its ready line; RSS of watchrun and "
	    "its guardian once ready.  The git work tree is the same tree "
	    "with its `.git` moved back in.  One unmeasured start of each "
	    "first, then %d repetitions of each.\n\n"
	    "| tree | reps | ready ms | ready ÷ plain (median of the pairs) "
	    "| RSS MiB | start-up CPU s | watches |\n"
	    "|---|---|---|---|---|---|---|\n", o->big[0], o->big[1],
	    o->big[2], ndirs, made, o->reps_d);
	k = S[0].n < S[1].n ? S[0].n : S[1].n;
	for (g = 0; g < 2; g++) {
		if (S[g].n == 0) {
			fprintf(fp, "| %s | FAILED: did not get ready |\n",
			    tree_name[g]);
			continue;
		}
		s[g] = stats_of(S[g].ready, (size_t)S[g].n);
		sr = stats_of(S[g].rss, (size_t)S[g].n);
		sc = stats_of(S[g].cpu, (size_t)S[g].n);
		fprintf(fp, "| %s | %d | %.0f (%.0f–%.0f) | ", tree_name[g],
		    S[g].n, s[g].med, s[g].min, s[g].max);
		if (g == 0 || k == 0)
			fprintf(fp, "1.00");
		else
			fprintf(fp, "%.2f (%.2f)", s[1].med / s[0].med,
			    pair_ratio(S[0].ready, S[1].ready, k));
		fprintf(fp, " | %.2f (%.2f–%.2f) | %.2f | %lld |\n",
		    sr.med / 1024, sr.min / 1024, sr.max / 1024, sc.med,
		    S[g].watches);
	}
	if (k > 0) {
		tg->gi_start = 1;
		tg->gi_ready[0] = s[0].med;
		tg->gi_ready[1] = s[1].med;
		tg->gi_start_ratio = pair_ratio(S[0].ready, S[1].ready, k);
		tg->gi_start_pairs = k;
		tg->gi_dirs = ndirs;
		if (S[1].watches < S[0].watches)
			fail(b, "gitignore: %lld watches in the plain tree, "
			    "only %lld in the git work tree", S[0].watches,
			    S[1].watches);
		else if (S[1].watches > S[0].watches)
			fprintf(fp, "\nThe git work tree has %lld watch%s "
			    "more, not on its directories: watchrun watches "
			    "the directories of the ignore files outside the "
			    "tree too (`.git/info`, the global file's), to "
			    "read them again when they change.\n",
			    S[1].watches - S[0].watches,
			    S[1].watches - S[0].watches == 1 ? "" : "es");
	}
	free(S);
	rm_tree(big);
	rm_tree(parked);
}

/* Sets name to value, or unsets it when value is NULL. */
static void
env_restore(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

void
scen_gitignore(struct bench *b, FILE *fp)
{
	char home[PATH_MAX], *oldhome, *oldxdg;
	struct load ld;

	load_mark(&ld);
	fprintf(fp, "## gitignore: git's ignore rules, the same trees in a "
	    "plain directory and in a git work tree\n\n"
	    "Both trees have the same 50-line `.gitignore` at the top (the "
	    "shapes of GitHub's C and Node templates): ");
	gi_list(fp);
	fprintf(fp, ".  None of its lines matches a path of the trees or "
	    "of the events, so the same events reach the rules in both; in "
	    "the git work tree (`git init`; its `.git` is ignored by the "
	    "default list and never watched) watchrun reads the `.gitignore` "
	    "of every directory it scans and checks every event's path "
	    "against them, in the plain directory it reads none.  HOME and "
	    "XDG_CONFIG_HOME point to an empty directory, so that no global "
	    "excludes file adds patterns.  The two take turns (plain first "
	    "in odd repetitions, git first in even ones); a ratio is git ÷ "
	    "plain, and 'median of the pairs' is the median of each "
	    "repetition's own ratio.\n\n");
	if (!use_tool(b, T_WATCHRUN_DEF, fp)) {
		load_report(b, fp, &ld);
		return;
	}
	pathf(home, "%s/home", b->workdir);
	make_dir(home);
	oldhome = getenv("HOME") != NULL ? xstrdup(getenv("HOME")) : NULL;
	oldxdg = getenv("XDG_CONFIG_HOME") != NULL ?
	    xstrdup(getenv("XDG_CONFIG_HOME")) : NULL;
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	gi_cpu(b, fp);
	gi_startup(b, fp);
	env_restore("HOME", oldhome);
	env_restore("XDG_CONFIG_HOME", oldxdg);
	free(oldhome);
	free(oldxdg);
	load_report(b, fp, &ld);
}
