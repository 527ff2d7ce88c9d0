/*
 * app.c: the loop context and the glue between the stages.  Data flows
 * one way: the watch layer hands over path events (already filtered by the
 * ignore patterns), the dispatcher matches them against the rules and
 * collects them into batches, and a rule whose quiet period is over is
 * handed to the runner with its batch.
 *
 * The debounce timer is armed lazily: a later deadline never re-arms it,
 * so a storm of events costs no timer system call per event; when the
 * timer fires early it is simply armed again for what is now due.
 *
 * Reads are paced during a storm.  Each inotify record would otherwise
 * wake us on its own, and at thousands of records a second the wake-ups,
 * not the work, cost the most.  Once reads keep coming many times a pace,
 * inotify is taken out of epoll and read when the pace timer fires
 * instead, a pace's worth of records at once, for as long as that is
 * worth a timer: a paced read that brings only a few records goes back
 * to reading at once.  The pace is a tenth of the shortest debounce, at
 * most 1 ms, so no quiet period is stretched by more than that; with a
 * debounce of 0 (and for --print) there is no pacing, and a lone save is
 * read at once.
 */
#include <sys/inotify.h>
#include <sys/signalfd.h>

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
#include "debounce.h"
#include "dispatch.h"
#include "events.h"
#include "log.h"
#include "loop.h"
#include "match.h"
#include "notify.h"
#include "ownout.h"
#include "rules.h"
#include "runner.h"
#include "watch.h"
#include "xmalloc.h"

#define PACE_MAX_US	1000
/* Reads in a row, each less than pace / PACE_SPLIT after the last. */
#define PACE_STREAK	4
#define PACE_SPLIT	8
/* A paced read that brings fewer records ends the pacing. */
#define PACE_MIN_RECORDS 8

/* Per rule: its quiet period ended while its command was running. */
struct rstate {
	int		 due;
};

struct app {
	const struct app_opts *o;
	const struct rule *rules;
	size_t		 nrules;
	struct loop	*loop;
	struct watch	*watch;
	struct matcher	*matcher;
	struct dispatch	*dispatch;
	struct runner	*runner;
	struct ownout	*own;		/* NULL: no output file to spare */
	struct rstate	*st;
	size_t		*due;		/* scratch for debounce_due() */
	int		 sigfd;
	int		 debfd;
	uint64_t	 armed;
	uint64_t	 now;
	struct loop_src	 src_inotify;
	struct loop_src	 src_signal;
	struct loop_src	 src_debounce;
	struct loop_src	 src_runner;
	struct loop_src	 src_pace;
	int		 pacefd;	/* -1: no pacing */
	uint64_t	 pace;		/* microseconds */
	uint64_t	 last_read;
	unsigned	 streak;	/* reads in quick succession */
	int		 status;
	uint32_t	 print_events;	/* --print: -e without ISDIR */
	int		 print_dironly;	/* --print: ISDIR was in -e */
	size_t		 printed;
};

static int
is_ignored(void *arg, const char *path, size_t len)
{
	struct app *a = arg;
	const struct ruleset *rs = a->o->rs;
	size_t i;

	for (i = 0; i < rs->nignores; i++)
		if (match_exec(a->matcher, rs->ignores[i], path, len))
			return 1;
	return 0;
}

static void
stop(struct app *a, int status)
{
	a->status = status;
	loop_stop(a->loop);
}

static void
print_event(struct app *a, const struct pevent *pev)
{
	/* -e as in a rule: ISDIR keeps directories only. */
	if (!(pev->mask & (a->print_events | IN_Q_OVERFLOW)))
		return;
	if (a->print_dironly && !(pev->mask & IN_ISDIR))
		return;
	if (!a->o->print_dir_reads && dispatch_dir_read(pev))
		return;
	if (a->o->print_re != NULL && pev->len > 0 &&
	    !match_exec(a->matcher, a->o->print_re, pev->path, pev->len))
		return;
	if (a->o->json)
		log_event_json(stdout, pev->path, pev->len, pev->mask,
		    pev->cookie);
	else
		log_event_text(stdout, pev->path, pev->len, pev->mask);
	a->printed++;
}

static void
on_pevent(void *arg, const struct pevent *pev)
{
	struct app *a = arg;

	if (a->own != NULL && ownout_is(a->own, pev))
		return;
	if (a->o->print)
		print_event(a, pev);
	else
		dispatch_event(a->dispatch, pev, a->now);
}

static void
rearm(struct app *a)
{
	uint64_t next = dispatch_next(a->dispatch);

	/* A later deadline can wait: the timer fires early and re-arms. */
	if (next == a->armed || (next > a->armed && a->armed != DEBOUNCE_NEVER))
		return;
	if (loop_timer_set(a->debfd, next) == -1)
		warn("timerfd_settime");
	a->armed = next;
}

static void
try_run(struct app *a, size_t i)
{
	struct batch *b = dispatch_batch(a->dispatch, i);

	if (batch_count(b) == 0 && !batch_overflow(b))
		return;
	if (runner_busy(a->runner, i)) {
		switch (a->o->on_busy) {
		case BUSY_RESTART:
			runner_stop(a->runner, i);
			/* FALLTHROUGH */
		case BUSY_QUEUE:
			a->st[i].due = 1;
			break;
		case BUSY_IGNORE:
			batch_clear(b);
			break;
		}
		return;
	}
	a->st[i].due = 0;
	dispatch_cancel(a->dispatch, i);
	if (runner_start(a->runner, i, b) == 0 && a->o->on_busy == BUSY_IGNORE)
		dispatch_mute(a->dispatch, i, 1);
	batch_clear(b);
}

static void
run_due(struct app *a)
{
	size_t i, n;

	n = dispatch_due(a->dispatch, a->now, a->due);
	for (i = 0; i < n; i++)
		try_run(a, a->due[i]);
	rearm(a);
}

/* Handles what a read brought; returns 0 when watchrun is stopping. */
static int
after_read(struct app *a)
{
	if (a->o->print && fflush(stdout) == EOF) {
		/* Nobody reads what we print any more. */
		stop(a, errno == EPIPE ? 0 : 1);
		return 0;
	}
	if (a->o->print && a->o->once && a->printed > 0) {
		stop(a, 0);
		return 0;
	}
	if (watch_roots(a->watch) == 0) {
		log_warnx("no directory left to watch");
		stop(a, 1);
		return 0;
	}
	if (!a->o->print)
		run_due(a);
	return 1;
}

/* Takes inotify out of epoll for a pace, or puts it back. */
static void
pace_reads(struct app *a, int on)
{
	if (loop_pause(a->loop, &a->src_inotify, on) == -1)
		err(1, "epoll_ctl");
	if (loop_timer_set(a->pacefd, on ? a->now + a->pace : UINT64_MAX) == -1)
		err(1, "timerfd_settime");
	a->streak = 0;
}

static void
on_inotify(struct loop_src *src, uint32_t events)
{
	struct app *a = src->arg;

	(void)events;
	a->now = loop_now();
	(void)watch_read(a->watch);
	if (!after_read(a) || a->pacefd == -1)
		return;
	if (a->now - a->last_read < a->pace / PACE_SPLIT)
		a->streak++;
	else
		a->streak = 0;
	a->last_read = a->now;
	if (a->streak >= PACE_STREAK)
		pace_reads(a, 1);
}

static void
on_pace(struct loop_src *src, uint32_t events)
{
	struct app *a = src->arg;
	size_t got;

	(void)events;
	a->now = loop_now();
	got = watch_read(a->watch);
	if (!after_read(a))
		return;
	a->last_read = a->now;
	if (got >= PACE_MIN_RECORDS) {
		/* Re-arming also clears the expiration that woke us. */
		if (loop_timer_set(a->pacefd, a->now + a->pace) == -1)
			err(1, "timerfd_settime");
	} else
		pace_reads(a, 0);
}

static void
on_debounce(struct loop_src *src, uint32_t events)
{
	struct app *a = src->arg;

	(void)events;
	(void)loop_timer_read(a->debfd);
	a->armed = DEBOUNCE_NEVER;
	a->now = loop_now();
	run_due(a);
}

static void
on_runner_timer(struct loop_src *src, uint32_t events)
{
	struct app *a = src->arg;

	(void)events;
	runner_timer(a->runner);
}

static void
on_done(void *arg, size_t i, int status)
{
	struct app *a = arg;

	if (a->o->once) {
		stop(a, WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status));
		return;
	}
	dispatch_mute(a->dispatch, i, 0);
	/* Still within its quiet period: the debounce timer will run it. */
	if (a->st[i].due && !dispatch_pending(a->dispatch, i)) {
		a->now = loop_now();
		try_run(a, i);
	}
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
	if (reap && a->runner != NULL)
		runner_reap(a->runner);
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

int
app_run(const struct app_opts *o)
{
	struct app a;
	struct watch_opts wo;
	struct runner_opts ro;
	char msg[256];
	size_t i, failed = 0;

	memset(&a, 0, sizeof(a));
	a.o = o;
	a.rules = o->rs->rules;
	a.nrules = o->print ? 0 : o->rs->nrules;
	a.armed = DEBOUNCE_NEVER;
	a.pacefd = -1;
	setup_signals(&a);
	a.loop = loop_new();
	a.matcher = matcher_new();
	a.own = ownout_new();
	a.st = xcalloc(a.nrules, sizeof(*a.st));
	a.due = xcalloc(a.nrules, sizeof(*a.due));
	a.dispatch = dispatch_new(a.rules, a.nrules, a.matcher);
	dispatch_set_max_paths(a.dispatch, o->max_paths);
	if (!o->print) {
		/* Early, while watchrun is small: this forks the guardian. */
		memset(&ro, 0, sizeof(ro));
		ro.stop_us = o->stop_us;
		ro.quiet = o->quiet;
		ro.done = on_done;
		ro.done_arg = &a;
		a.runner = runner_new(a.rules, a.nrules, &ro);
		if ((a.debfd = loop_timer_new()) == -1)
			err(1, "timerfd_create");
		a.pace = shortest_debounce(a.rules, a.nrules) / 10;
		if (a.pace > PACE_MAX_US)
			a.pace = PACE_MAX_US;
		if (a.pace > 0 && (a.pacefd = loop_timer_new()) == -1)
			err(1, "timerfd_create");
	}
	memset(&wo, 0, sizeof(wo));
	a.print_events = o->print_mask & ~(uint32_t)IN_ISDIR;
	a.print_dironly = (o->print_mask & IN_ISDIR) != 0;
	if (a.print_events == 0)
		a.print_events = IN_ALL_EVENTS | IN_IGNORED | IN_UNMOUNT;
	wo.mask = o->print ? a.print_events | IN_Q_OVERFLOW :
	    dispatch_events(a.dispatch);
	wo.follow = o->follow;
	wo.ignore = is_ignored;
	wo.ignore_arg = &a;
	wo.sink = on_pevent;
	wo.sink_arg = &a;
	if ((a.watch = watch_new(&wo)) == NULL)
		errx(1, "inotify_init1: %s", events_strerror(errno, msg,
		    sizeof(msg)));
	for (i = 0; i < o->rs->nroots; i++)
		if (watch_root(a.watch, o->rs->roots[i]) == -1)
			failed++;
	watch_started(a.watch);
	a.status = 0;
	if (watch_unwatched(a.watch) > 0) {
		log_warnx("inotify watch limit reached: %zu %s watched, %zu "
		    "left unwatched (fs.inotify.max_user_watches=%ld); raise "
		    "it with 'sysctl fs.inotify.max_user_watches=N'%s",
		    watch_dirs(a.watch), log_dirs(watch_dirs(a.watch)),
		    watch_unwatched(a.watch),
		    events_limit("max_user_watches"), o->partial ? "" :
		    ", or pass --partial to watch only what fits");
		if (!o->partial)
			a.status = 1;
	}
	if (watch_unscanned(a.watch) > 0) {
		log_warnx("%zu %s could not be read for want of open "
		    "files%s", watch_unscanned(a.watch),
		    log_dirs(watch_unscanned(a.watch)), o->partial ? "" :
		    "; raise ulimit -n, or pass --partial to watch only what "
		    "could be read");
		if (!o->partial)
			a.status = 1;
	}
	if (failed > 0 || watch_roots(a.watch) == 0)
		a.status = 1;
	if (a.status == 0) {
		add_src(&a, &a.src_inotify, watch_fd(a.watch), on_inotify);
		add_src(&a, &a.src_signal, a.sigfd, on_signal);
		if (a.runner != NULL) {
			add_src(&a, &a.src_debounce, a.debfd, on_debounce);
			add_src(&a, &a.src_runner, runner_timer_fd(a.runner),
			    on_runner_timer);
		}
		if (a.pacefd != -1)
			add_src(&a, &a.src_pace, a.pacefd, on_pace);
		if (!o->quiet)
			log_info("ready, watching %zu %s", watch_dirs(a.watch),
			    log_dirs(watch_dirs(a.watch)));
		if (notify_send("READY=1") == -1)
			warn("sd_notify");
		if (loop_run(a.loop) == -1)
			err(1, "epoll_wait");
		(void)notify_send("STOPPING=1");
	}
	if (a.runner != NULL)
		runner_shutdown(a.runner);
	if (o->print)
		fflush(stdout);
	runner_free(a.runner);
	watch_free(a.watch);
	ownout_free(a.own);
	dispatch_free(a.dispatch);
	free(a.st);
	free(a.due);
	matcher_free(a.matcher);
	loop_free(a.loop);
	if (a.debfd > 0)
		close(a.debfd);
	if (a.pacefd != -1)
		close(a.pacefd);
	close(a.sigfd);
	/* The mask stays: a late SIGINT must not kill us on the way out. */
	return a.status;
}
