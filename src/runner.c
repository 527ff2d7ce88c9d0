/*
 * runner.c: starting, stopping and reaping commands.
 *
 * A command starts with clone(CLONE_VM | CLONE_VFORK), as posix_spawn(3)
 * does: no page tables are copied, which keeps the start fast whatever
 * watchrun's size, and the child only makes system calls before exec.
 * The child takes a process group of its own (the parent sets it too, to
 * close the race), asks for SIGKILL if watchrun dies, gets the default
 * disposition for every signal watchrun ignores, an empty signal mask and
 * /dev/null as standard input.  Every descriptor of watchrun's is
 * close-on-exec.  A failed exec leaves its errno where the parent, which
 * sleeps until then, reads it.
 */
#include <sys/inotify.h>
#include <sys/mman.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <paths.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "guard.h"
#include "log.h"
#include "loop.h"
#include "mask.h"
#include "rules.h"
#include "runner.h"
#include "xmalloc.h"

#define CHILD_STACK	(256 * 1024)
#define NEVER		UINT64_MAX
/* After SIGKILL, how long shutdown still waits for stragglers. */
#define KILL_GRACE_US	2000000

extern char **environ;

struct job {
	pid_t		 pid;		/* also the pgid; 0 when idle */
	pid_t		 last;		/* the last job's group, while alive */
	uint64_t	 started;
	uint64_t	 kill_at;	/* NEVER unless stopping */
};

/* A group whose first process ended while others in it live on. */
struct linger {
	pid_t		 pgid;
	uint64_t	 kill_at;
};

struct runner {
	struct loop	*loop;
	const struct rule *rules;
	size_t		 nrules;
	struct runner_opts opts;
	struct job	*jobs;
	size_t		 nlive;
	struct linger	*lingering;
	size_t		 nlinger;
	size_t		 lingersize;
	char	       **baseenv;	/* environ without WATCHRUN_* */
	size_t		 nbaseenv;
	size_t		 baseenvbytes;
	int		 ignored[NSIG];	/* signals to reset in children */
	int		 nignored;
	int		 devnull;
	struct loop_timer kill_timer;	/* the earliest kill_at */
	void		*stack;
	long		 argmax;
	struct guard	*guard;
};

/* Stands in a template for the batch's paths, one argument each. */
static char	 paths_here[] = "{}";

/* What the child needs; it writes err back before it exits. */
struct spawn {
	const char	*file;		/* execve this, or search PATH */
	char	       **tmpl;		/* the arguments, paths_here for paths */
	char	       **paths;
	size_t		 npaths;
	char	       **argv;		/* built from tmpl and paths */
	char	       **envp;
	int		 devnull;
	const int	*ignored;
	int		 nignored;
	pid_t		 parent;
	int		 err;
};

/*
 * Builds s->argv from the template, each paths_here replaced by the first
 * s->npaths paths.  Only stores pointers: the child calls it too.
 */
static void
fill_argv(struct spawn *s)
{
	size_t i, k, n = 0;

	for (i = 0; s->tmpl[i] != NULL; i++) {
		if (s->tmpl[i] != paths_here)
			s->argv[n++] = s->tmpl[i];
		else
			for (k = 0; k < s->npaths; k++)
				s->argv[n++] = s->paths[k];
	}
	s->argv[n] = NULL;
}

static int
child_main(void *arg)
{
	struct spawn *s = arg;
	struct sigaction dfl;
	sigset_t none;
	int i;

	(void)setpgid(0, 0);
	/* If watchrun dies now or later, so does this process. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != s->parent)
		_exit(127);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	for (i = 0; i < s->nignored; i++)
		(void)sigaction(s->ignored[i], &dfl, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (s->devnull != -1)
		(void)dup2(s->devnull, STDIN_FILENO);
	for (;;) {
		if (s->file != NULL)
			execve(s->file, s->argv, s->envp);
		else
			execvpe(s->argv[0], s->argv, s->envp);
		/* Too big after all: pass half as many paths and retry. */
		if (errno != E2BIG || s->npaths == 0)
			break;
		s->npaths /= 2;
		fill_argv(s);
	}
	s->err = errno;
	_exit(errno == ENOENT ? 127 : 126);
}

static int
is_ours(const char *entry)
{
	return strncmp(entry, "WATCHRUN_", 9) == 0 ||
	    strncmp(entry, "NOTIFY_SOCKET=", 14) == 0;
}

static void	 on_kill_timer(struct loop_timer *, uint64_t);

struct runner *
runner_new(struct loop *loop, const struct rule *rules, size_t nrules,
    const struct runner_opts *opts)
{
	struct runner *r;
	struct sigaction sa;
	size_t i, n;
	int sig;

	r = xcalloc(1, sizeof(*r));
	r->loop = loop;
	r->rules = rules;
	r->nrules = nrules;
	r->opts = *opts;
	r->jobs = xcalloc(nrules, sizeof(*r->jobs));
	for (i = 0; i < nrules; i++)
		r->jobs[i].kill_at = NEVER;
	for (n = 0; environ != NULL && environ[n] != NULL; n++)
		;
	r->baseenv = xcalloc(n + 1, sizeof(*r->baseenv));
	for (i = 0; i < n; i++)
		if (!is_ours(environ[i])) {
			r->baseenv[r->nbaseenv++] = environ[i];
			r->baseenvbytes += strlen(environ[i]) + 1 +
			    sizeof(char *);
		}
	for (sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			r->ignored[r->nignored++] = sig;
	r->devnull = open(_PATH_DEVNULL, O_RDONLY | O_CLOEXEC);
	loop_timer_init(&r->kill_timer, on_kill_timer, r);
	r->stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (r->stack == MAP_FAILED)
		err(1, "mmap");
	r->argmax = sysconf(_SC_ARG_MAX);
	if (r->argmax <= 0)
		r->argmax = 131072;
	/*
	 * Descriptors inherited from whoever started us are no business of
	 * the commands either.
	 */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1)
		warn("close_range");
	/* Orphans of our commands become our children, to be reaped and stopped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		warn("prctl PR_SET_CHILD_SUBREAPER");
	if ((r->guard = guard_start(opts->stop_us, opts->stop_signal)) == NULL)
		warn("cannot start the guardian process");
	return r;
}

void
runner_free(struct runner *r)
{
	if (r == NULL)
		return;
	guard_stop(r->guard);
	loop_timer_at(r->loop, &r->kill_timer, LOOP_NEVER);
	free(r->jobs);
	free(r->lingering);
	free(r->baseenv);
	if (r->devnull != -1)
		close(r->devnull);
	munmap(r->stack, CHILD_STACK);
	free(r);
}

int
runner_owns(const struct runner *r, size_t rule, int pid)
{
	const struct job *j = &r->jobs[rule];
	pid_t pgid;

	if ((pgid = getpgid(pid)) == -1)
		return -1;
	return (j->pid != 0 && pgid == j->pid) ||
	    (j->last != 0 && pgid == j->last);
}

int
runner_busy(const struct runner *r, size_t rule)
{
	return r->jobs[rule].pid != 0;
}

size_t
runner_live(const struct runner *r)
{
	return r->nlive;
}

static char *
env_entry(const char *name, const char *value, size_t len)
{
	size_t nl = strlen(name);
	char *s;

	s = xmalloc(nl + 1 + len + 1);
	memcpy(s, name, nl);
	s[nl] = '=';
	memcpy(s + nl + 1, value, len);
	s[nl + 1 + len] = '\0';
	return s;
}

/* Builds the environment for a run; the entries past nbaseenv are owned. */
static char **
build_env(struct runner *r, const struct rule *rule, const struct batch *b,
    size_t *nownedp)
{
	char **env, buf[256];
	const char *last = "";
	size_t n, lastlen = 0, count = 0;
	uint32_t mask = 0;

	env = xcalloc(r->nbaseenv + 8, sizeof(*env));
	memcpy(env, r->baseenv, r->nbaseenv * sizeof(*env));
	n = r->nbaseenv;
	if (b != NULL) {
		count = batch_count(b);
		if ((last = batch_last(b, &lastlen, &mask)) == NULL) {
			/* No path: after an overflow, or a first run (-i). */
			last = "";
			lastlen = 0;
			mask = batch_overflow(b) ? IN_Q_OVERFLOW : 0;
		}
	}
	env[n++] = env_entry("WATCHRUN_PATH", last, lastlen);
	mask_format(mask, buf, sizeof(buf));
	env[n++] = env_entry("WATCHRUN_EVENTS", buf, strlen(buf));
	snprintf(buf, sizeof(buf), "%zu", count);
	env[n++] = env_entry("WATCHRUN_COUNT", buf, strlen(buf));
	env[n++] = env_entry("WATCHRUN_RULE", rule->origin,
	    strlen(rule->origin));
	if (b != NULL && batch_overflow(b))
		env[n++] = xstrdup("WATCHRUN_OVERFLOW=1");
	if (b != NULL && batch_truncated(b))
		env[n++] = xstrdup("WATCHRUN_TRUNCATED=1");
	env[n] = NULL;
	*nownedp = n - r->nbaseenv;
	return env;
}

static void
arm(struct runner *r)
{
	uint64_t next = NEVER;
	size_t i;

	for (i = 0; i < r->nrules; i++)
		if (r->jobs[i].pid != 0 && r->jobs[i].kill_at < next)
			next = r->jobs[i].kill_at;
	for (i = 0; i < r->nlinger; i++)
		if (r->lingering[i].kill_at < next)
			next = r->lingering[i].kill_at;
	loop_timer_at(r->loop, &r->kill_timer, next);
}

/*
 * Makes s's template for rule: sh -c COMMAND watchrun PATHS for a shell
 * command; for a command of its own, its arguments, each one that is
 * exactly "{}" standing for the paths.  Returns how many times the paths
 * are passed, and adds the bytes of the rest to *usedp.
 */
static size_t
make_template(const struct rule *rule, struct spawn *s, size_t *usedp)
{
	size_t i, n, slots = 0;

	if (rule->command != NULL) {
		s->tmpl = xcalloc(6, sizeof(*s->tmpl));
		s->tmpl[0] = "sh";
		s->tmpl[1] = "-c";
		s->tmpl[2] = rule->command;
		s->tmpl[3] = "watchrun";	/* $0 */
		s->tmpl[4] = paths_here;
		*usedp += strlen(rule->command) + 16 + 4 * sizeof(char *);
		s->file = _PATH_BSHELL;
		return 1;
	}
	for (n = 0; rule->argv[n] != NULL; n++)
		;
	s->tmpl = xcalloc(n + 1, sizeof(*s->tmpl));
	for (i = 0; i < n; i++) {
		if (strcmp(rule->argv[i], "{}") == 0) {
			s->tmpl[i] = paths_here;
			slots++;
		} else {
			s->tmpl[i] = rule->argv[i];
			*usedp += strlen(rule->argv[i]) + 1 + sizeof(char *);
		}
	}
	s->file = strchr(rule->argv[0], '/') != NULL ? rule->argv[0] : NULL;
	return slots;
}

int
runner_start(struct runner *r, size_t idx, const struct batch *b)
{
	const struct rule *rule = &r->rules[idx];
	struct spawn s;
	char **env, *v;
	size_t i, n, slots, nowned, total, used, need, plen;
	pid_t pid;

	env = build_env(r, rule, b, &nowned);
	used = r->baseenvbytes + 2 * sizeof(char *);
	for (i = r->nbaseenv; env[i] != NULL; i++)
		used += strlen(env[i]) + 1 + sizeof(char *);
	memset(&s, 0, sizeof(s));
	slots = make_template(rule, &s, &used);
	total = b != NULL && slots > 0 ? batch_count(b) : 0;
	s.paths = xcalloc(total + 1, sizeof(*s.paths));
	/* Pass as many paths as fit; WATCHRUN_COUNT keeps the truth. */
	for (i = 0; i < total; i++) {
		/* exec(2) takes char *const[]; nothing writes these. */
		s.paths[i] = (char *)(uintptr_t)batch_path(b, i, &plen);
		need = slots * (plen + 1 + sizeof(char *));
		if (used + need + 4096 > (size_t)r->argmax)
			break;
		used += need;
	}
	s.npaths = i;
	for (n = 0; s.tmpl[n] != NULL; n++)
		;
	s.argv = xcalloc(n + slots * s.npaths + 1, sizeof(*s.argv));
	fill_argv(&s);
	s.envp = env;
	s.devnull = r->devnull;
	s.ignored = r->ignored;
	s.nignored = r->nignored;
	s.parent = getpid();
	pid = clone(child_main, (char *)r->stack + CHILD_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, &s);
	if (pid == -1) {
		log_warnx("%s: cannot start a process: %s", rule->origin,
		    strerror(errno));
	} else {
		(void)setpgid(pid, pid);
		guard_add(r->guard, pid);
		r->jobs[idx].pid = pid;
		r->jobs[idx].last = pid;
		r->jobs[idx].started = loop_now();
		r->jobs[idx].kill_at = NEVER;
		r->nlive++;
		if (s.err != 0) {
			v = log_vis(s.tmpl[0], strlen(s.tmpl[0]));
			log_warnx("%s: cannot run %s: %s", rule->origin,
			    rule->command != NULL ? _PATH_BSHELL : v,
			    strerror(s.err));
			free(v);
		}
	}
	for (i = 0; i < nowned; i++)
		free(env[r->nbaseenv + i]);
	free(env);
	free(s.tmpl);
	free(s.paths);
	free(s.argv);
	return pid == -1 ? -1 : 0;
}

static void
term_group(const struct runner *r, pid_t pgid)
{
	(void)kill(-pgid, r->opts.stop_signal);
	/* A stopped process would never act on the stop signal. */
	(void)kill(-pgid, SIGCONT);
}

void
runner_stop(struct runner *r, size_t idx)
{
	struct job *j = &r->jobs[idx];

	if (j->pid == 0 || j->kill_at != NEVER)
		return;
	term_group(r, j->pid);
	j->kill_at = loop_now() + r->opts.stop_us;
	arm(r);
}

static void
linger(struct runner *r, pid_t pgid, uint64_t kill_at)
{
	if (r->nlinger == r->lingersize) {
		r->lingersize = r->lingersize == 0 ? 8 : r->lingersize * 2;
		r->lingering = xreallocarray(r->lingering, r->lingersize,
		    sizeof(*r->lingering));
	}
	r->lingering[r->nlinger].pgid = pgid;
	r->lingering[r->nlinger].kill_at = kill_at;
	r->nlinger++;
}

void
runner_remap(struct runner *r, const struct rule *rules, size_t nrules,
    const size_t *map)
{
	struct job *jobs;
	size_t i;

	jobs = xcalloc(nrules, sizeof(*jobs));
	for (i = 0; i < nrules; i++)
		jobs[i].kill_at = NEVER;
	for (i = 0; i < r->nrules; i++) {
		if (r->jobs[i].pid == 0)
			continue;
		if (map[i] != SIZE_MAX) {
			jobs[map[i]] = r->jobs[i];
			continue;
		}
		/* Its rule is gone: stop it, and see it go as a group. */
		if (r->jobs[i].kill_at == NEVER) {
			term_group(r, r->jobs[i].pid);
			r->jobs[i].kill_at = loop_now() + r->opts.stop_us;
		}
		linger(r, r->jobs[i].pid, r->jobs[i].kill_at);
		r->nlive--;
	}
	free(r->jobs);
	r->jobs = jobs;
	r->rules = rules;
	r->nrules = nrules;
	arm(r);
}

void
runner_signal(struct runner *r, size_t idx, int sig)
{
	if (r->jobs[idx].pid != 0)
		(void)kill(-r->jobs[idx].pid, sig);
}

static void
on_kill_timer(struct loop_timer *t, uint64_t now)
{
	struct runner *r = t->arg;
	size_t i;

	for (i = 0; i < r->nrules; i++)
		if (r->jobs[i].pid != 0 && r->jobs[i].kill_at <= now) {
			(void)kill(-r->jobs[i].pid, SIGKILL);
			r->jobs[i].kill_at = NEVER;
		}
	for (i = 0; i < r->nlinger; i++)
		if (r->lingering[i].kill_at <= now) {
			(void)kill(-r->lingering[i].pgid, SIGKILL);
			r->lingering[i].kill_at = NEVER;
		}
	arm(r);
}

/* Whether any process is left in group pgid. */
static int
group_alive(pid_t pgid)
{
	return kill(-pgid, 0) == 0 || errno == EPERM;
}

/* Group pgid is gone: its number may be given to another. */
static void
forget_group(struct runner *r, pid_t pgid)
{
	size_t i;

	for (i = 0; i < r->nrules; i++)
		if (r->jobs[i].last == pgid)
			r->jobs[i].last = 0;
}

void
runner_reap(struct runner *r)
{
	struct job *j;
	size_t i, idx;
	uint64_t ran;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == guard_pid(r->guard)) {
			log_warnx("the guardian process exited");
			continue;
		}
		for (idx = 0; idx < r->nrules; idx++)
			if (r->jobs[idx].pid == pid)
				break;
		if (idx == r->nrules)
			continue;	/* an adopted orphan */
		j = &r->jobs[idx];
		ran = loop_now() - j->started;
		if (group_alive(pid))
			linger(r, pid, j->kill_at);
		else {
			guard_del(r->guard, pid);
			j->last = 0;
		}
		j->pid = 0;
		j->kill_at = NEVER;
		r->nlive--;
		if (r->opts.done != NULL)
			r->opts.done(r->opts.done_arg, idx, status, ran);
	}
	for (i = 0; i < r->nlinger;) {
		if (!group_alive(r->lingering[i].pgid)) {
			guard_del(r->guard, r->lingering[i].pgid);
			forget_group(r, r->lingering[i].pgid);
			r->lingering[i] = r->lingering[--r->nlinger];
		} else
			i++;
	}
	arm(r);
}

/*
 * Stores in *pidsp (allocated) the pids of our children other than the
 * guardian: commands and adopted orphans.  Returns how many.
 */
static size_t
children(struct runner *r, pid_t **pidsp)
{
	char path[64];
	pid_t *pids = NULL;
	size_t n = 0, size = 0;
	long v;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children",
	    (long)getpid());
	if ((fp = fopen(path, "re")) != NULL) {
		while (fscanf(fp, "%ld", &v) == 1) {
			if ((pid_t)v == guard_pid(r->guard))
				continue;
			if (n == size) {
				size = size == 0 ? 16 : size * 2;
				pids = xreallocarray(pids, size, sizeof(*pids));
			}
			pids[n++] = (pid_t)v;
		}
		fclose(fp);
	}
	*pidsp = pids;
	return n;
}

/* Sends every group and child the stop signal (stop), or SIGKILL. */
static void
signal_everything(struct runner *r, int stop)
{
	pid_t *pids;
	size_t i, n;

	for (i = 0; i < r->nrules; i++)
		if (r->jobs[i].pid != 0) {
			if (stop)
				term_group(r, r->jobs[i].pid);
			else
				(void)kill(-r->jobs[i].pid, SIGKILL);
		}
	for (i = 0; i < r->nlinger; i++) {
		if (stop)
			term_group(r, r->lingering[i].pgid);
		else
			(void)kill(-r->lingering[i].pgid, SIGKILL);
	}
	n = children(r, &pids);
	for (i = 0; i < n; i++) {
		(void)kill(pids[i], stop ? r->opts.stop_signal : SIGKILL);
		if (stop)
			(void)kill(pids[i], SIGCONT);
	}
	free(pids);
}

static int
anything_left(struct runner *r)
{
	pid_t *pids;
	size_t n;

	if (r->nlive > 0 || r->nlinger > 0)
		return 1;
	n = children(r, &pids);
	free(pids);
	return n > 0;
}

void
runner_shutdown(struct runner *r)
{
	struct timespec ts;
	sigset_t wake;
	uint64_t now, kill_at, give_up;
	int killed = 0;

	sigemptyset(&wake);
	sigaddset(&wake, SIGCHLD);
	sigaddset(&wake, SIGINT);
	now = loop_now();
	kill_at = now + r->opts.stop_us;
	give_up = kill_at + KILL_GRACE_US;
	signal_everything(r, 1);
	for (;;) {
		runner_reap(r);
		if (!anything_left(r))
			break;
		now = loop_now();
		if (!killed && now >= kill_at) {
			signal_everything(r, 0);
			killed = 1;
		} else if (killed) {
			/* Orphans adopted since the last round. */
			signal_everything(r, 0);
			if (now >= give_up) {
				log_warnx("some processes did not exit");
				break;
			}
		}
		ts.tv_sec = 0;
		ts.tv_nsec = 20 * 1000000L;
		/*
		 * SIGCHLD and SIGINT are blocked: wait for one here rather
		 * than spin.  A second interrupt does not wait any longer.
		 */
		if (sigtimedwait(&wake, NULL, &ts) == SIGINT && !killed) {
			signal_everything(r, 0);
			killed = 1;
		}
	}
}
