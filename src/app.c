/*
 * app.c: the loop context and the glue between the stages.  Data flows
 * one way: the watch layer hands over path events (already filtered by
 * the ignore patterns), changes to watchrun's own output are dropped, and
 * the printer prints the rest, or the dispatcher collects them into the
 * rules' batches and tells the scheduler; what the scheduler says is due
 * is carried out here, with the runner.  Nothing here decides a rule's
 * life: that is the scheduler's.
 */
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "app.h"
#include "batch.h"
#include "dispatch.h"
#include "events.h"
#include "ignore.h"
#include "log.h"
#include "loop.h"
#include "match.h"
#include "notify.h"
#include "ownout.h"
#include "pace.h"
#include "print.h"
#include "report.h"
#include "rules.h"
#include "rulesfile.h"
#include "runner.h"
#include "sched.h"
#include "watch.h"
#include "xmalloc.h"

/* How long a save of the rules file has to settle before it is read. */
#define RELOAD_DELAY	100000

/* What a run was started for, for its report. */
struct run {
	char		*first;		/* its batch's first path, escaped */
	size_t		 count;		/* the paths in its batch */
	int		 stopped;	/* watchrun stopped it */
};

struct app {
	const struct app_opts *o;
	const struct ruleset *rs;	/* o->rs, or one read again */
	struct ruleset	*owned;		/* the one read again, if any */
	const struct rule *rules;
	size_t		 nrules;
	struct loop	*loop;
	struct watch	*watch;
	struct matcher	*matcher;
	struct ignore	*ignore;
	struct dispatch	*dispatch;
	struct sched	*sched;
	struct runner	*runner;
	struct printer	*printer;
	struct ownout	*own;		/* NULL: no output file to spare */
	struct run	*runs;		/* per rule */
	int		 sigfd;
	uint64_t	 now;
	struct loop_src	 src_watch;	/* fd -1: not in the loop */
	struct loop_timer poll_timer;	/* the next poll of polled roots */
	struct loop_src	 src_signal;
	struct loop_timer sched_timer;
	struct loop_timer pace_timer;
	struct rulesfile *rulesfile;	/* NULL: rules not from a file */
	struct loop_src	 src_rulesfile;
	struct loop_src	 src_ignorefiles;
	struct loop_timer reload_timer;
	struct pace	 pace;
	int		 paused;	/* src_watch out of the loop for a pace */
	int		 stopping;
	int		 status;
	int		 color;		/* colour the run reports */
	int		 bell;		/* ring the terminal's bell on a failure */
	uint64_t	 watchdog_us;	/* systemd's watchdog interval; 0: none */
	struct loop_timer watchdog_timer;
	char		*last_run;	/* the status line's end, or NULL */
};

static int
is_ignored(void *arg, const char *path, size_t len)
{
	struct app *a = arg;

	return ignore_path(a->ignore, path, len, NULL);
}

static int
read_dir_rules(void *arg, int dirfd, const char *path, size_t len)
{
	struct app *a = arg;

	return ignore_read_dir(a->ignore, dirfd, path, len);
}

/* Whether the process pid that made a change belongs to rule's command. */
static int
writer_of(void *arg, size_t rule, int pid)
{
	struct app *a = arg;

	if (a->runner == NULL)
		return SCHED_WRITER_UNKNOWN;
	switch (runner_owns(a->runner, rule, pid)) {
	case 1:
		return SCHED_WRITER_OWN;
	case 0:
		return SCHED_WRITER_OTHER;
	default:
		return SCHED_WRITER_UNKNOWN;
	}
}

static void
stop(struct app *a, int status)
{
	if (!a->stopping)
		a->status = status;
	a->stopping = 1;
	loop_stop(a->loop);
}

static void
on_pevent(void *arg, const struct pevent *pev)
{
	struct app *a = arg;

	if (a->own != NULL && ownout_is(a->own, pev))
		return;
	if (a->printer != NULL)
		print_event(a->printer, pev);
	else
		dispatch_event(a->dispatch, pev, a->now);
}

/* Clears the terminal (and its scrollback) for -c. */
static void
clear_terminal(void)
{
	static const char seq[] = "\033[H\033[2J\033[3J";

	fflush(stdout);
	/* Best effort: a terminal that takes no input cannot be cleared. */
	if (write(STDOUT_FILENO, seq, sizeof(seq) - 1) == -1)
		return;
}

static void
start_run(struct app *a, size_t i)
{
	struct batch *b = dispatch_batch(a->dispatch, i);
	struct run *run = &a->runs[i];
	const char *p;
	size_t len;

	free(run->first);
	run->first = NULL;
	run->count = batch_count(b);
	run->stopped = 0;
	if (run->count > 0) {
		p = batch_path(b, 0, &len);
		run->first = log_vis(p, len);
	}
	if (a->o->clear && isatty(STDOUT_FILENO))
		clear_terminal();
	if (runner_start(a->runner, i, b) == -1)
		(void)sched_exited(a->sched, i, W_EXITCODE(127, 0), a->now);
	else
		sched_started(a->sched, i, loop_now());
	batch_clear(b);
}

/* Carries out what the scheduler says is due now, and arms its timer. */
static void
schedule(struct app *a)
{
	const struct sched_action *acts;
	size_t i, n;

	acts = sched_poll(a->sched, a->now, &n);
	for (i = 0; i < n && !a->stopping; i++)
		switch (acts[i].what) {
		case SCHED_START:
			start_run(a, acts[i].rule);
			break;
		case SCHED_STOP:
			a->runs[acts[i].rule].stopped = 1;
			runner_stop(a->runner, acts[i].rule);
			break;
		case SCHED_SIGNAL:
			runner_signal(a->runner, acts[i].rule, a->o->signal);
			batch_clear(dispatch_batch(a->dispatch,
			    acts[i].rule));
			break;
		case SCHED_EXIT:
			stop(a, acts[i].status);
			break;
		}
	if (!a->stopping)
		loop_timer_at(a->loop, &a->sched_timer, sched_next(a->sched));
}

/* Handles what a read brought; returns 0 when watchrun is stopping. */
static int
after_read(struct app *a)
{
	if (a->printer != NULL && print_flush(a->printer) == -1) {
		/* Nobody reads what we print any more. */
		stop(a, errno == EPIPE ? 0 : 1);
		return 0;
	}
	if (a->printer != NULL && a->o->once && print_count(a->printer) > 0) {
		stop(a, 0);
		return 0;
	}
	if (watch_roots(a->watch) == 0) {
		log_warnx("no directory left to watch");
		stop(a, 1);
		return 0;
	}
	if (a->printer == NULL)
		schedule(a);
	return 1;
}

/*
 * Reads every event queued, then follows the pace: the next read comes
 * when inotify is readable, or when the pace timer fires.
 */
static void
read_events(struct app *a)
{
	uint64_t began, next;
	size_t got;

	began = a->now = loop_now();
	got = watch_read(a->watch, a->now);
	/* What was changed before then has been read now. */
	sched_drained(a->sched, watch_seen(a->watch, began));
	if (!after_read(a))
		return;
	loop_timer_at(a->loop, &a->poll_timer, watch_due(a->watch));
	if (a->src_watch.fd == -1)
		return;
	next = pace_after_read(&a->pace, a->now, got);
	if ((next != 0) != a->paused) {
		if (loop_pause(a->loop, &a->src_watch, next != 0) == -1)
			err(1, "epoll_ctl");
		a->paused = next != 0;
	}
	loop_timer_at(a->loop, &a->pace_timer, next != 0 ? next : LOOP_NEVER);
}

static void
on_watch(struct loop_src *src, uint32_t events)
{
	(void)events;
	read_events(src->arg);
}

/* A root added may have opened a backend: wait on what there is now. */
static void
follow_watch_fd(struct app *a)
{
	int fd = watch_fd(a->watch);

	if (fd == a->src_watch.fd)
		return;
	if (a->src_watch.fd != -1 && loop_del(a->loop, &a->src_watch) == -1)
		err(1, "epoll_ctl");
	a->src_watch.fd = fd;
	a->src_watch.cb = on_watch;
	a->src_watch.arg = a;
	a->paused = 0;
	if (fd != -1 && loop_add(a->loop, &a->src_watch) == -1)
		err(1, "epoll_ctl");
}

static void
on_poll(struct loop_timer *t, uint64_t now)
{
	(void)now;
	read_events(t->arg);
}

static void
on_pace(struct loop_timer *t, uint64_t now)
{
	(void)now;
	read_events(t->arg);
}

/*
 * A batch's time is up: what is queued is read first (and scheduled with
 * it), since a deadline that passed while watchrun waited for the CPU
 * must not cut off the changes that came before it could look.
 */
static void
on_sched_timer(struct loop_timer *t, uint64_t now)
{
	struct app *a = t->arg;

	a->now = now;
	if (a->printer == NULL)
		read_events(a);
	else
		schedule(a);
}

/*
 * Tells systemd what is watched, and how the last run ended; state, if
 * not NULL, goes in the same datagram, before it.
 */
static void
send_status(struct app *a, const char *state)
{
	char *status, *msg, *what;

	if (!notify_wanted())
		return;
	what = watch_summary(a->watch);
	status = report_status(what, watch_roots(a->watch), a->last_run);
	free(what);
	msg = xasprintf("%s%sSTATUS=%s", state != NULL ? state : "",
	    state != NULL ? "\n" : "", status);
	if (notify_send(msg) == -1)
		warn("sd_notify");
	free(msg);
	free(status);
}

/*
 * Reports a run's end: a line on standard error, the bell for a failure
 * with --bell, and systemd's status line.
 */
static void
report(struct app *a, size_t i, int status, uint64_t ran, int timed_out)
{
	const struct run *run = &a->runs[i];
	struct report_run rr;
	struct tm tm;
	time_t t;
	char *cmd, *line;

	cmd = rules_command_text(&a->rules[i]);
	memset(&rr, 0, sizeof(rr));
	rr.origin = a->rules[i].origin;
	rr.command = cmd;
	rr.first = run->first;
	rr.count = run->count;
	rr.status = status;
	rr.timed_out = timed_out;
	rr.stopped = run->stopped || a->stopping;
	rr.ran = ran;
	if (!a->o->quiet && (line = report_line(&rr, a->color)) != NULL) {
		log_info("%s", line);
		free(line);
	}
	if (a->bell && report_outcome(&rr) == REPORT_FAILED)
		(void)write(STDERR_FILENO, "\a", 1);
	t = time(NULL);
	if (!a->stopping && notify_wanted() && localtime_r(&t, &tm) != NULL &&
	    (line = report_last(&rr, &tm)) != NULL) {
		free(a->last_run);
		a->last_run = line;
		send_status(a, NULL);
	}
	free(cmd);
}

static void
on_done(void *arg, size_t i, int status, uint64_t ran)
{
	struct app *a = arg;
	int timed_out;

	timed_out = sched_exited(a->sched, i, status, loop_now());
	report(a, i, status, ran, timed_out);
}

static void
on_signal(struct loop_src *src, uint32_t events)
{
	struct app *a = src->arg;
	struct signalfd_siginfo si;
	int reap = 0;

	(void)events;
	while (read(a->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap = 1;
		else
			stop(a, 0);
	}
	if (!reap || a->runner == NULL || a->stopping)
		return;
	runner_reap(a->runner);
	/*
	 * A no-loop rule whose command ended collects again once what the
	 * command changed has been read: read it now, not at the next event.
	 */
	if (sched_settling(a->sched))
		read_events(a);
	else {
		a->now = loop_now();
		schedule(a);
	}
}

static void
setup_signals(struct app *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		err(1, "sigprocmask");
	/* A closed stderr or stdout must not kill us with commands running. */
	signal(SIGPIPE, SIG_IGN);
	if ((a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(1, "signalfd");
}

static uint64_t
shortest_debounce(const struct rule *rules, size_t nrules)
{
	uint64_t d = 0;
	size_t i;

	for (i = 0; i < nrules; i++)
		if (i == 0 || rules[i].debounce_us < d)
			d = rules[i].debounce_us;
	return d;
}

static void
add_src(struct app *a, struct loop_src *src, int fd, loop_cb *cb)
{
	src->fd = fd;
	src->cb = cb;
	src->arg = a;
	if (loop_add(a->loop, src) == -1)
		err(1, "epoll_ctl");
}

static void
make_stages(struct app *a)
{
	const struct app_opts *o = a->o;
	struct sched_opts so;
	struct runner_opts ro;
	size_t i;

	memset(&so, 0, sizeof(so));
	so.on_busy = o->on_busy;
	so.max_wait = o->max_wait;
	so.run_timeout = o->run_timeout;
	so.wait_timeout = o->wait_timeout;
	so.jobs = o->jobs;
	so.once = o->once;
	a->sched = sched_new(&so, a->nrules);
	for (i = 0; i < a->nrules; i++)
		sched_set_rule(a->sched, i, a->rules[i].debounce_us,
		    o->no_loop || a->rules[i].no_loop);
	a->dispatch = dispatch_new(a->rules, a->nrules, a->matcher, a->sched);
	dispatch_set_writer(a->dispatch, writer_of, a);
	dispatch_set_max_paths(a->dispatch, o->max_paths);
	a->runs = xcalloc(a->nrules, sizeof(*a->runs));
	if (o->print) {
		a->printer = print_new(o->print_mask, o->print_dir_reads,
		    o->print_re, a->matcher, o->json);
		pace_init(&a->pace, 0);
		return;
	}
	/* Early, while watchrun is small: this forks the guardian. */
	memset(&ro, 0, sizeof(ro));
	ro.stop_us = o->stop_us;
	ro.stop_signal = o->stop_signal;
	ro.done = on_done;
	ro.done_arg = a;
	a->runner = runner_new(a->loop, a->rules, a->nrules, &ro);
	pace_init(&a->pace, shortest_debounce(a->rules, a->nrules));
}

/* Reads the rules file as the command line composed it at the start. */
static struct ruleset *
read_rules(struct app *a, int *nerrorsp)
{
	const struct app_opts *o = a->o;
	struct ruleset *rs;
	size_t i;
	int n;

	rs = xcalloc(1, sizeof(*rs));
	n = rules_load(rs, o->rules_file, o->default_debounce, stderr);
	for (i = 0; i < o->nextra_roots; i++)
		rules_add_root(rs, o->extra_roots[i]);
	for (i = 0; i < o->nextra_ignores; i++)
		if (rules_add_ignore(rs, "-x", o->extra_ignores[i], stderr) ==
		    -1)
			n++;
	if (rs->nroots == 0)
		rules_add_root(rs, ".");
	*nerrorsp = n;
	return rs;
}

static int
has_root(const struct ruleset *rs, const char *root)
{
	size_t i;

	for (i = 0; i < rs->nroots; i++)
		if (strcmp(rs->roots[i], root) == 0)
			return 1;
	return 0;
}

/* Whether both have the same ignore patterns, in the same order. */
static int
same_ignores(const struct ruleset *x, const struct ruleset *y)
{
	size_t i;

	if (x->nignores != y->nignores)
		return 0;
	for (i = 0; i < x->nignores; i++)
		if (strcmp(match_source(x->ignores[i]),
		    match_source(y->ignores[i])) != 0)
			return 0;
	return 1;
}

/*
 * Rule i of the old rules is rule map[i] of nrs, or SIZE_MAX: each old
 * rule is paired with the first new one that does the same.  Returns how
 * many were paired.
 */
static size_t
pair_rules(const struct app *a, const struct ruleset *nrs, size_t *map)
{
	char *taken;
	size_t i, j, kept = 0;

	taken = xcalloc(nrs->nrules + 1, 1);
	for (i = 0; i < a->nrules; i++) {
		map[i] = SIZE_MAX;
		for (j = 0; j < nrs->nrules; j++)
			if (!taken[j] && rules_same(&a->rules[i],
			    &nrs->rules[j])) {
				taken[j] = 1;
				map[i] = j;
				kept++;
				break;
			}
	}
	free(taken);
	return kept;
}

/* The rules file changed: takes its new rules, or keeps the old ones. */
static void
reload(struct app *a)
{
	struct ruleset *nrs;
	struct dispatch *nd;
	struct run *runs;
	struct batch *b;
	size_t i, kept, *map, *fresh;
	int nerrors, refilter;
	char *msg;

	nrs = read_rules(a, &nerrors);
	if (nerrors > 0 || nrs->nrules == 0) {
		if (nerrors == 0)
			log_warnx("%s: no rules to run; the rules stay as "
			    "they were", a->o->rules_file);
		else
			log_warnx("%s: %d error%s; the rules stay as they "
			    "were", a->o->rules_file, nerrors,
			    nerrors == 1 ? "" : "s");
		rules_free(nrs);
		free(nrs);
		return;
	}
	msg = xasprintf("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)loop_now());
	(void)notify_send(msg);
	free(msg);
	a->now = loop_now();
	map = xcalloc(a->nrules + 1, sizeof(*map));
	kept = pair_rules(a, nrs, map);
	/* The trees: roots gone, roots new, and what the ignores allow. */
	for (i = 0; i < a->rs->nroots; i++)
		if (!has_root(nrs, a->rs->roots[i]))
			(void)watch_unroot(a->watch, a->rs->roots[i]);
	refilter = !same_ignores(a->rs, nrs);
	ignore_set_rules(a->ignore, nrs);
	for (i = 0; i < nrs->nroots; i++)
		if (!has_root(a->rs, nrs->roots[i]))
			(void)watch_root(a->watch, nrs->roots[i]);
	follow_watch_fd(a);
	loop_timer_at(a->loop, &a->poll_timer, watch_due(a->watch));
	/* The rules: those that stay keep their batch, state and command. */
	a->sched = sched_remap(a->sched, map, nrs->nrules);
	fresh = xcalloc(nrs->nrules + 1, sizeof(*fresh));
	for (i = 0; i < nrs->nrules; i++) {
		sched_set_rule(a->sched, i, nrs->rules[i].debounce_us,
		    a->o->no_loop || nrs->rules[i].no_loop);
		fresh[i] = 1;
	}
	nd = dispatch_new(nrs->rules, nrs->nrules, a->matcher, a->sched);
	dispatch_set_writer(nd, writer_of, a);
	dispatch_set_max_paths(nd, a->o->max_paths);
	runs = xcalloc(nrs->nrules + 1, sizeof(*runs));
	for (i = 0; i < a->nrules; i++) {
		if (map[i] == SIZE_MAX) {
			free(a->runs[i].first);
			continue;
		}
		b = dispatch_swap_batch(a->dispatch, i, NULL);
		batch_free(dispatch_swap_batch(nd, map[i], b));
		runs[map[i]] = a->runs[i];
		fresh[map[i]] = 0;
	}
	dispatch_free(a->dispatch);
	a->dispatch = nd;
	free(a->runs);
	a->runs = runs;
	runner_remap(a->runner, nrs->rules, nrs->nrules, map);
	watch_set_mask(a->watch, dispatch_events(nd));
	if (refilter)
		watch_refilter(a->watch);
	/* A new rule that runs at the start runs now. */
	for (i = 0; i < nrs->nrules; i++)
		if (fresh[i] && (a->o->initial || nrs->rules[i].initial))
			sched_force(a->sched, i, a->now);
	if (!a->o->quiet)
		log_info("%s: rules read again: %zu kept, %zu new, %zu gone",
		    a->o->rules_file, kept, nrs->nrules - kept,
		    a->nrules - kept);
	if (a->owned != NULL) {
		rules_free(a->owned);
		free(a->owned);
	}
	a->owned = nrs;
	a->rs = nrs;
	a->rules = nrs->rules;
	a->nrules = nrs->nrules;
	pace_init(&a->pace, shortest_debounce(a->rules, a->nrules));
	free(map);
	free(fresh);
	send_status(a, "READY=1");
	schedule(a);
}

/* systemd's watchdog: the loop still turns. */
static void
on_watchdog(struct loop_timer *t, uint64_t now)
{
	struct app *a = t->arg;

	(void)notify_send("WATCHDOG=1");
	loop_timer_at(a->loop, &a->watchdog_timer, now + a->watchdog_us / 2);
}

static void
on_reload_timer(struct loop_timer *t, uint64_t now)
{
	(void)now;
	reload(t->arg);
}

static void
on_rulesfile(struct loop_src *src, uint32_t events)
{
	struct app *a = src->arg;

	(void)events;
	/* An editor's save comes in several steps: read once they are done. */
	if (rulesfile_changed(a->rulesfile))
		loop_timer_at(a->loop, &a->reload_timer, loop_now() +
		    RELOAD_DELAY);
}

/* An ignore file outside the trees changed: the trees follow. */
static void
on_ignorefiles(struct loop_src *src, uint32_t events)
{
	struct app *a = src->arg;

	(void)events;
	if (ignore_reread(a->ignore))
		watch_refilter(a->watch);
}

/* Warns of what the start could not watch; returns 0, or 1 to give up. */
static int
check_start(struct app *a, size_t failed)
{
	const struct app_opts *o = a->o;
	int status = 0;

	if (watch_unwatched(a->watch) > 0) {
		log_warnx("inotify watch limit reached: %zu %s watched, %zu "
		    "left unwatched (fs.inotify.max_user_watches=%ld); raise "
		    "it with 'sysctl fs.inotify.max_user_watches=N'%s",
		    watch_dirs(a->watch), log_dirs(watch_dirs(a->watch)),
		    watch_unwatched(a->watch),
		    events_limit("max_user_watches"), o->partial ? "" :
		    ", or pass --partial to watch only what fits");
		if (!o->partial)
			status = 1;
	}
	if (watch_unscanned(a->watch) > 0) {
		log_warnx("%zu %s could not be read for want of open "
		    "files%s", watch_unscanned(a->watch),
		    log_dirs(watch_unscanned(a->watch)), o->partial ? "" :
		    "; raise ulimit -n, or pass --partial to watch only what "
		    "could be read");
		if (!o->partial)
			status = 1;
	}
	if (failed > 0 || watch_roots(a->watch) == 0)
		status = 1;
	return status;
}

/* Watching has begun: says so, and starts what runs at the start. */
static void
ready(struct app *a)
{
	char *what;
	size_t i;

	a->src_watch.fd = -1;
	follow_watch_fd(a);
	loop_timer_at(a->loop, &a->poll_timer, watch_due(a->watch));
	add_src(a, &a->src_signal, a->sigfd, on_signal);
	if (ignore_fd(a->ignore) != -1)
		add_src(a, &a->src_ignorefiles, ignore_fd(a->ignore),
		    on_ignorefiles);
	if (a->o->rules_file != NULL && a->printer == NULL &&
	    (a->rulesfile = rulesfile_new(a->o->rules_file)) != NULL)
		add_src(a, &a->src_rulesfile, rulesfile_fd(a->rulesfile),
		    on_rulesfile);
	if (!a->o->quiet) {
		what = watch_summary(a->watch);
		log_info("ready, watching %s", what);
		free(what);
	}
	send_status(a, "READY=1");
	if (a->watchdog_us > 0)
		loop_timer_at(a->loop, &a->watchdog_timer, loop_now() +
		    a->watchdog_us / 2);
	if (a->printer != NULL)
		return;
	a->now = loop_now();
	sched_ready(a->sched, a->now);
	for (i = 0; i < a->nrules; i++)
		if (a->o->initial || a->rules[i].initial)
			sched_force(a->sched, i, a->now);
	/* What --existing found, and the initial runs. */
	schedule(a);
}

int
app_run(const struct app_opts *o)
{
	struct app a;
	struct watch_opts wo;
	size_t i, failed = 0;

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.rs = o->rs;
	a.rules = o->rs->rules;
	a.nrules = o->print ? 0 : o->rs->nrules;
	setup_signals(&a);
	/* Before the runner copies the environment that commands get. */
	a.watchdog_us = notify_watchdog();
	a.color = report_color_wanted(o->color, isatty(STDERR_FILENO),
	    getenv("NO_COLOR"), getenv("TERM"));
	a.bell = o->bell && isatty(STDERR_FILENO);
	a.loop = loop_new();
	loop_timer_init(&a.sched_timer, on_sched_timer, &a);
	loop_timer_init(&a.pace_timer, on_pace, &a);
	loop_timer_init(&a.poll_timer, on_poll, &a);
	loop_timer_init(&a.reload_timer, on_reload_timer, &a);
	loop_timer_init(&a.watchdog_timer, on_watchdog, &a);
	a.matcher = matcher_new();
	a.ignore = ignore_new(a.rs, a.matcher, !o->no_default_ignores,
	    !o->no_vcs_ignore);
	a.own = ownout_new();
	make_stages(&a);
	memset(&wo, 0, sizeof(wo));
	wo.mask = a.printer != NULL ? print_events(a.printer) :
	    dispatch_events(a.dispatch);
	wo.follow = o->follow;
	wo.existing = o->existing && !o->print;
	wo.ignore = is_ignored;
	wo.ignore_arg = &a;
	if (ignore_uses_vcs(a.ignore)) {
		wo.dir_hook = read_dir_rules;
		wo.rules_name = ".gitignore";
	}
	wo.sink = on_pevent;
	wo.sink_arg = &a;
	wo.kind = o->backend;
	wo.poll_interval = o->poll_interval;
	a.watch = watch_new(&wo);
	a.now = loop_now();
	for (i = 0; i < o->rs->nroots; i++)
		if (watch_root(a.watch, o->rs->roots[i]) == -1)
			failed++;
	watch_started(a.watch);
	a.status = check_start(&a, failed);
	if (a.status == 0) {
		ready(&a);
		if (!a.stopping && loop_run(a.loop) == -1)
			err(1, "epoll_wait");
		(void)notify_send("STOPPING=1");
	}
	if (a.runner != NULL)
		runner_shutdown(a.runner);
	if (a.printer != NULL)
		(void)print_flush(a.printer);
	loop_timer_at(a.loop, &a.sched_timer, LOOP_NEVER);
	loop_timer_at(a.loop, &a.pace_timer, LOOP_NEVER);
	loop_timer_at(a.loop, &a.poll_timer, LOOP_NEVER);
	loop_timer_at(a.loop, &a.reload_timer, LOOP_NEVER);
	loop_timer_at(a.loop, &a.watchdog_timer, LOOP_NEVER);
	rulesfile_free(a.rulesfile);
	runner_free(a.runner);
	watch_free(a.watch);
	ownout_free(a.own);
	ignore_free(a.ignore);
	print_free(a.printer);
	dispatch_free(a.dispatch);
	sched_free(a.sched);
	for (i = 0; i < a.nrules; i++)
		free(a.runs[i].first);
	free(a.runs);
	free(a.last_run);
	matcher_free(a.matcher);
	loop_free(a.loop);
	if (a.owned != NULL) {
		rules_free(a.owned);
		free(a.owned);
	}
	close(a.sigfd);
	/* The mask stays: a late SIGINT must not kill us on the way out. */
	return a.status;
}
