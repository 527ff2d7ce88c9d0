/*
 * spawn.c: running the tools.  Starts one in its own session with its
 * stderr on a pipe and its stamp file watched, waits for its ready line,
 * its runs or a quiet spell, and stops its whole process tree; also runs
 * short commands and captures their output.
 */
#include <sys/inotify.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

/*
 * Runs argv with stdout and stderr into buf (NUL-terminated, first size-1
 * bytes), stdout into outfile instead when that is not NULL; returns the
 * wait status, or -1 when it could not start.
 */
int
capture(const struct bench *b, char *const argv[], char *buf, size_t size,
    const char *outfile)
{
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	int p[2], st, fd;

	if (pipe2(p, O_CLOEXEC) == -1)
		err(1, "pipe2");
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		signals_child(b);
		if ((fd = open("/dev/null", O_RDONLY)) != -1)
			dup2(fd, 0);
		if (outfile != NULL && (fd = open(outfile, O_WRONLY | O_CREAT |
		    O_TRUNC, 0644)) != -1)
			dup2(fd, 1);
		else
			dup2(p[1], 1);
		dup2(p[1], 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	while ((n = read(p[0], buf + len, size - 1 - len)) > 0 ||
	    (n == -1 && errno == EINTR))
		if (n > 0 && (len += (size_t)n) == size - 1)
			break;
	buf[len] = '\0';
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return st;
}

/* Reaps what it can; returns 1 while children remain. */
static int
reap(struct proc *p)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		if (p != NULL && pid == p->pid) {
			p->dead = 1;
			p->status = st;
		}
	return pid == 0;
}

/*
 * Stops everything this program started: the tool's process group, then
 * every descendant, SIGTERM first and SIGKILL after 2 s.  Orphans come
 * back to us (we are a child subreaper), so waiting until no child is left
 * means that nothing is left.
 */
void
kill_all(struct bench *b, struct proc *p)
{
	pid_t pids[MAXPIDS];
	uint64_t deadline;
	size_t n, i;
	int sig;

	for (sig = SIGTERM;; sig = SIGKILL) {
		if (p != NULL)
			(void)kill(-p->pid, sig);
		n = procfs_descendants(b, b->mainpid, pids, MAXPIDS);
		for (i = 1; i < n; i++)
			(void)kill(pids[i], sig);
		deadline = now_ns() + 2 * SEC;
		while (reap(p) && now_ns() < deadline) {
			struct timespec ts = { 0, 1000000 };

			(void)nanosleep(&ts, NULL);
		}
		if (!reap(p) || sig == SIGKILL)
			break;
	}
}

/*
 * A new run directory NNN-label under base, with its tree there, or at
 * tree when that is not NULL.
 */
void
run_new_in(struct bench *b, struct run *r, const char *base,
    const char *label, const char *tree)
{
	pathf(r->dir, "%s/%03d-%s", base, ++b->runseq, label);
	make_dir(r->dir);
	if (tree != NULL)
		pathf(r->tree, "%s", tree);
	else
		pathf(r->tree, "%s/tree", r->dir);
	pathf(r->out, "%s/out.txt", r->dir);
	pathf(r->conf, "%s/direvent.conf", r->dir);
	r->probe[0] = '\0';
}

void
run_new(struct bench *b, struct run *r, const char *label, const char *tree)
{
	run_new_in(b, r, b->workdir, label, tree);
}

void
run_done(struct run *r)
{
	rm_tree(r->dir);
}

static void
parse_stamp(struct proc *p, const char *line)
{
	unsigned long long ns;
	struct stamp *s;
	char count[32];
	long nargs;

	if (sscanf(line, "%llu %ld %31s", &ns, &nargs, count) != 3)
		return;
	if (p->nst == p->stsize) {
		p->stsize = p->stsize == 0 ? 256 : p->stsize * 2;
		p->st = xrealloc(p->st, p->stsize, sizeof(*p->st));
	}
	s = &p->st[p->nst++];
	s->ns = ns;
	s->nargs = nargs;
	s->count = strcmp(count, "-") == 0 ? -1 : strtol(count, NULL, 10);
}

void
read_stamps(struct proc *p)
{
	char buf[8192];
	ssize_t n, i;

	while ((n = pread(p->outfd, buf, sizeof(buf), p->off)) > 0) {
		p->off += n;
		for (i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (p->npart < sizeof(p->part) - 1)
					p->part[p->npart++] = buf[i];
				continue;
			}
			p->part[p->npart] = '\0';
			parse_stamp(p, p->part);
			p->npart = 0;
		}
	}
}

void
read_err(struct proc *p)
{
	ssize_t n;
	int st;

	while (p->errfd != -1) {
		if (p->errsize - p->errlen < 4096) {
			p->errsize = p->errsize * 2 + 8192;
			p->err = xrealloc(p->err, p->errsize, 1);
			p->err[p->errlen] = '\0';
		}
		n = read(p->errfd, p->err + p->errlen, p->errsize - 1 -
		    p->errlen);
		if (n > 0) {
			p->errlen += (size_t)n;
			p->err[p->errlen] = '\0';
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		close(p->errfd);
		p->errfd = -1;
	}
	if (!p->dead && waitpid(p->pid, &st, WNOHANG) == p->pid) {
		p->dead = 1;
		p->status = st;
	}
}

/* Waits for its stderr or stamp file to change, until deadline at most. */
void
pump(struct bench *b, struct proc *p, uint64_t deadline)
{
	struct pollfd pfd[3];
	struct timespec ts;
	uint64_t t = now_ns(), left;
	char buf[4096];

	left = deadline > t ? deadline - t : 0;
	/* With stderr closed, look for its death now and then. */
	if (p->errfd == -1 && left > 20 * MS)
		left = 20 * MS;
	ts.tv_sec = (time_t)(left / SEC);
	ts.tv_nsec = (long)(left % SEC);
	pfd[0].fd = p->errfd;
	pfd[0].events = POLLIN;
	pfd[1].fd = p->ino;
	pfd[1].events = POLLIN;
	pfd[2].fd = b->sigfd;
	pfd[2].events = POLLIN;
	pfd[2].revents = 0;
	if (ppoll(pfd, 3, &ts, NULL) == -1 && errno != EINTR)
		err(1, "ppoll");
	if (pfd[2].revents & POLLIN)
		check_interrupted(b);
	if (pfd[1].revents & POLLIN)
		while (read(p->ino, buf, sizeof(buf)) > 0)
			;
	read_err(p);
	read_stamps(p);
}

/* Starts tool id on the run's tree; p->spawned is the time of the fork. */
void
proc_start(struct bench *b, struct proc *p, int id, const struct run *r)
{
	const struct tool *t = &tools[id];
	char *av[16], text[3 * PATH_MAX + 256];
	int pfd[2], fd, i;

	memset(p, 0, sizeof(*p));
	p->t = t;
	p->probe = r->probe;
	p->errfd = -1;
	if ((p->outfd = open(r->out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", r->out);
	if ((p->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		err(1, "inotify_init1");
	if (inotify_add_watch(p->ino, r->out, IN_MODIFY) == -1)
		err(1, "inotify_add_watch %s", r->out);
	if (id == T_DIREVENT) {
		snprintf(text, sizeof(text), "watcher {\n\tpath \"%s\" "
		    "recursive;\n\tevent (create, write);\n\tcommand \"%s %s "
		    "$file\";\n}\n", r->tree, b->stampbin, r->out);
		write_file(r->conf, text);
	}
	for (i = 0; t->argv[i] != NULL; i++)
		av[i] = tool_subst(b, t->argv[i], r);
	av[i] = NULL;
	if (pipe2(pfd, O_CLOEXEC) == -1)
		err(1, "pipe2");
	/* Room for bursts of run reports while nobody reads. */
	(void)fcntl(pfd[0], F_SETPIPE_SZ, 1 << 20);
	p->spawned = now_ns();
	if ((p->pid = fork()) == -1)
		err(1, "fork");
	if (p->pid == 0) {
		signals_child(b);
		(void)setsid();
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		dup2(pfd[1], 2);
		execvp(av[0], av);
		dprintf(2, "wbench: exec %s: %s\n", av[0], strerror(errno));
		_exit(127);
	}
	b->live = p;
	close(pfd[1]);
	p->errfd = pfd[0];
	(void)fcntl(p->errfd, F_SETFL, O_NONBLOCK);
	while (i-- > 0)
		free(av[i]);
}

/* Stops the tool and all it started, and reads the last of its stderr. */
void
proc_stop(struct bench *b, struct proc *p)
{
	uint64_t deadline;

	read_err(p);
	kill_all(b, p);
	b->live = NULL;
	deadline = now_ns() + SEC;
	while (p->errfd != -1 && now_ns() < deadline)
		pump(b, p, deadline);
	if (p->errfd != -1)
		close(p->errfd);
	p->errfd = -1;
	close(p->ino);
	close(p->outfd);
}

void
proc_free(struct proc *p)
{
	free(p->err);
	free(p->st);
	p->err = NULL;
	p->st = NULL;
}

/* The last line of its stderr, for a failure message. */
const char *
last_err(struct proc *p, char *buf, size_t size)
{
	const char *s = p->err != NULL ? p->err : "";
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '\n')
		len--;
	while (len > 0 && s[len - 1] != '\n')
		len--;
	snprintf(buf, size, "%s", s + len);
	first_line(buf);
	if (p->dead && buf[0] == '\0')
		snprintf(buf, size, "exited with status %d",
		    WIFEXITED(p->status) ? WEXITSTATUS(p->status) :
		    128 + WTERMSIG(p->status));
	else if (buf[0] == '\0')
		snprintf(buf, size, "no ready signal in time");
	return buf;
}

/* How many times needle is in its stderr so far. */
size_t
count_text(const struct proc *p, const char *needle)
{
	const char *s = p->err;
	size_t n = 0;

	if (s == NULL)
		return 0;
	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Waits for n stamps in all; returns 0 at the deadline or its death. */
int
wait_stamps(struct bench *b, struct proc *p, size_t n, uint64_t deadline)
{
	for (;;) {
		if (p->nst >= n)
			return 1;
		if (p->dead || now_ns() >= deadline)
			return 0;
		pump(b, p, deadline);
	}
}

/* Waits for needle n times on stderr; 0 at the deadline or its death. */
int
wait_text(struct bench *b, struct proc *p, const char *needle, size_t n,
    uint64_t deadline)
{
	for (;;) {
		if (count_text(p, needle) >= n)
			return 1;
		if (p->dead || now_ns() >= deadline)
			return 0;
		pump(b, p, deadline);
	}
}

/* Waits until no new run has come for quiet ns, or the deadline. */
void
wait_quiet(struct bench *b, struct proc *p, uint64_t quiet,
    uint64_t deadline)
{
	size_t seen = p->nst;
	uint64_t since = now_ns(), t;

	for (;;) {
		t = now_ns();
		if (p->nst != seen) {
			seen = p->nst;
			since = t;
		}
		if (t - since >= quiet || t >= deadline || p->dead)
			return;
		pump(b, p, since + quiet < deadline ? since + quiet :
		    deadline);
	}
}

static void
append_probe(const char *path)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", path);
	if (write(fd, "p", 1) != 1)
		err(1, "write %s", path);
	close(fd);
}

/*
 * Waits for the tool to be ready: its ready line, or for tools without
 * one, its first run while a file in the deepest directory is appended
 * to every 50 ms (debounce + 100 ms for tools with a trailing debounce,
 * which repeated probes would keep postponing).  p->ready is the time of
 * the line or of the run.  Returns 0 when it did not get ready in time.
 */
static int
wait_ready(struct bench *b, struct proc *p, uint64_t timeout)
{
	const struct tool *t = p->t;
	uint64_t deadline = p->spawned + timeout, next, every;

	if (t->ready != NULL) {
		for (;;) {
			if (p->err != NULL && strstr(p->err, t->ready)) {
				p->ready = now_ns();
				return 1;
			}
			if (p->dead || now_ns() >= deadline)
				return 0;
			pump(b, p, deadline);
		}
	}
	every = t->deb_ms > 0 ? (uint64_t)(t->deb_ms + 100) * MS : 50 * MS;
	next = now_ns();
	for (;;) {
		if (p->nst > 0) {
			p->ready = p->st[0].ns;
			break;
		}
		if (p->dead || now_ns() >= deadline)
			return 0;
		if (now_ns() >= next) {
			append_probe(p->probe);
			next += every;
		}
		pump(b, p, next < deadline ? next : deadline);
	}
	/* Let the runs the probes caused pass. */
	wait_quiet(b, p, 300 * MS + 2 * (uint64_t)t->deb_ms * MS,
	    now_ns() + 10 * SEC);
	return 1;
}

/*
 * Starts tool id on the run's tree and waits until it is ready; on
 * failure notes why in the table fp, or in the notes when fp is NULL, and
 * returns 0.
 */
int
start_ready(struct bench *b, struct proc *p, int id, const struct run *r,
    uint64_t timeout, FILE *fp)
{
	char why[256];

	(void)limits_check(b, tools[id].name, "when starting");
	proc_start(b, p, id, r);
	if (wait_ready(b, p, timeout))
		return 1;
	(void)limits_check(b, tools[id].name, "when it failed to start:");
	last_err(p, why, sizeof(why));
	proc_stop(b, p);
	if (fp != NULL)
		fprintf(fp, "| %s | FAILED: %s |\n", tools[id].name, why);
	else
		fprintf(b->notes, "- %s did not get ready: %s\n",
		    tools[id].name, why);
	if (!tools[id].peer)
		fail(b, "%s did not get ready: %s", tools[id].name, why);
	else
		progress(b, "%s did not get ready: %s", tools[id].name, why);
	proc_free(p);
	return 0;
}

/* Marks p's runs and " exited " lines so far, its own CPU and reads. */
void
own_mark(struct proc *p, struct own *m)
{
	char path[64];

	m->nst = p->nst;
	m->exited = count_text(p, " exited ");
	own_cpu(p->pid, &m->ticks, &m->ns);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/io", (int)p->pid,
	    (int)p->pid);
	m->syscr = read_key(path, "syscr:");
}

/*
 * Waits for the first run after mark m0 and for its " exited " report,
 * then until no run has come for 300 ms, 30 s after from at most; marks
 * again into m1.
 */
void
own_after_run(struct bench *b, struct proc *p, const struct own *m0,
    uint64_t from, struct own *m1)
{
	(void)wait_stamps(b, p, m0->nst + 1, from + 30 * SEC);
	(void)wait_text(b, p, " exited ", m0->exited + 1, from + 30 * SEC);
	wait_quiet(b, p, 300 * MS, from + 30 * SEC);
	own_mark(p, m1);
}
