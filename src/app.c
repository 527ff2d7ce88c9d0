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
#include "rules.h"
#include "runner.h"
#include "sched.h"
#include "watch.h"
#include "xmalloc.h"

/* What a run was started for, for its report. */
struct run {
	char		*first;		/* its batch's first path, escaped */
	size_t		 count;		/* the paths in its batch */
};

struct app {
	const struct app_opts *o;
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
	struct loop_src	 src_inotify;
	struct loop_src	 src_signal;
	struct loop_timer sched_timer;
	struct loop_timer pace_timer;
	struct pace	 pace;
	int		 paused;	/* inotify out of the loop for a pace */
	int		 stopping;
	int		 status;
};

static int
is_ignored(void *arg, const char *path, size_t len)
{
	struct app *a = arg;

	return ignore_path(a->ignore, path, len, NULL);
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
	(void)write(STDOUT_FILENO, seq, sizeof(seq) - 1);
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
	if (run->count > 0) {
		p = batch_path(b, 0, &len);
		run->first = log_vis(p, len);
	}
	if (a->o->clear && isatty(STDOUT_FILENO))
		clear_terminal();
	if (runner_start(a->runner, i, b) == -1)
		(void)sched_exited(a->sched, i, W_EXITCODE(127, 0), a->now);
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
	got = watch_read(a->watch);
	/* Whatever was queued when the read began has been read now. */
	sched_drained(a->sched, began);
	if (!after_read(a))
		return;
	next = pace_after_read(&a->pace, a->now, got);
	if ((next != 0) != a->paused) {
		if (loop_pause(a->loop, &a->src_inotify, next != 0) == -1)
			err(1, "epoll_ctl");
		a->paused = next != 0;
	}
	loop_timer_at(a->loop, &a->pace_timer, next != 0 ? next : LOOP_NEVER);
}

static void
on_inotify(struct loop_src *src, uint32_t events)
{
	(void)events;
	read_events(src->arg);
}

static void
on_pace(struct loop_timer *t, uint64_t now)
{
	(void)now;
	read_events(t->arg);
}

static void
on_sched_timer(struct loop_timer *t, uint64_t now)
{
	struct app *a = t->arg;

	a->now = now;
	schedule(a);
}

/* The command line of rule, escaped, for a report. */
static char *
command_text(const struct rule *rule)
{
	char *s, *v;
	size_t i, len = 0;

	if (rule->command != NULL)
		return log_vis(rule->command, strlen(rule->command));
	for (i = 0; rule->argv[i] != NULL; i++)
		len += strlen(rule->argv[i]) + 1;
	s = xmalloc(len);
	for (i = 0, len = 0; rule->argv[i] != NULL; i++) {
		if (i > 0)
			s[len++] = ' ';
		memcpy(s + len, rule->argv[i], strlen(rule->argv[i]));
		len += strlen(rule->argv[i]);
	}
	v = log_vis(s, len);
	free(s);
	return v;
}

static void
report(struct app *a, size_t i, int status, uint64_t ran, int timed_out)
{
	const struct run *run = &a->runs[i];
	const char *abbrev;
	char *cmd, what[64], paths[64];

	if (a->o->quiet)
		return;
	if (WIFEXITED(status))
		snprintf(what, sizeof(what), "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status)) {
		abbrev = sigabbrev_np(WTERMSIG(status));
		snprintf(what, sizeof(what), "killed by SIG%s",
		    abbrev != NULL ? abbrev : "?");
	} else
		return;
	paths[0] = '\0';
	if (run->count > 1)
		snprintf(paths, sizeof(paths), " and %zu more", run->count - 1);
	cmd = command_text(&a->rules[i]);
	log_info("%s: %s%s%s%s%s: %s%s after %llu.%03llus",
	    a->rules[i].origin, cmd, run->first != NULL ? " (" : "",
	    run->first != NULL ? run->first : "", paths,
	    run->first != NULL ? ")" : "", timed_out ? "timed out, " : "",
	    what, (unsigned long long)(ran / 1000000),
	    (unsigned long long)(ran % 1000000 / 1000));
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
	size_t i;

	add_src(a, &a->src_inotify, watch_fd(a->watch), on_inotify);
	add_src(a, &a->src_signal, a->sigfd, on_signal);
	if (!a->o->quiet)
		log_info("ready, watching %zu %s", watch_dirs(a->watch),
		    log_dirs(watch_dirs(a->watch)));
	if (notify_send("READY=1") == -1)
		warn("sd_notify");
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
	char msg[256];
	size_t i, failed = 0;

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.rules = o->rs->rules;
	a.nrules = o->print ? 0 : o->rs->nrules;
	setup_signals(&a);
	a.loop = loop_new();
	loop_timer_init(&a.sched_timer, on_sched_timer, &a);
	loop_timer_init(&a.pace_timer, on_pace, &a);
	a.matcher = matcher_new();
	a.ignore = ignore_new(o->rs, a.matcher, !o->no_default_ignores,
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
	wo.sink = on_pevent;
	wo.sink_arg = &a;
	if ((a.watch = watch_new(&wo)) == NULL)
		errx(1, "inotify_init1: %s", events_strerror(errno, msg,
		    sizeof(msg)));
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
	matcher_free(a.matcher);
	loop_free(a.loop);
	close(a.sigfd);
	/* The mask stays: a late SIGINT must not kill us on the way out. */
	return a.status;
}
