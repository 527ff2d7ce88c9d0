/*
 * worktree.c: finding git work trees and reading their ignore files.
 *
 * An event path is a root's path joined with the path below it; git's
 * patterns speak of paths from the top of the work tree.  Each root
 * keeps the prefix its event paths start with and the path of the root
 * within its work tree, so that the one becomes the other by swapping
 * prefixes; for the usual root "." at the top of a work tree both are
 * empty and an event path is checked as it is, with no copy.
 *
 * The global excludes file is found as git finds it: core.excludesFile
 * from the system, global and repository config files, the last one set
 * winning, else $XDG_CONFIG_HOME/git/ignore.  Only that key of the config
 * files is read; include directives are not followed.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "gitignore.h"
#include "worktree.h"
#include "xmalloc.h"

/* Larger ignore or config files are not read: nobody writes those. */
#define MAX_FILE	(16 * 1024 * 1024)

struct wt {
	char		*top;		/* real path of the work tree's top */
	struct gitignore *gi;
};

struct wroot {
	char		*prefix;	/* what its event paths start with */
	size_t		 prefixlen;
	char		*within;	/* its path in the work tree, "" or "a/" */
	size_t		 withinlen;
	struct wt	*wt;		/* NULL: not in a work tree */
};

/*
 * An ignore file outside the trees (the global one, info/exclude, a
 * .gitignore above a root): watched through its directory, read again
 * when it changes.
 */
struct outfile {
	struct wt	*wt;
	int		 level;
	char		*dir;		/* GITIGNORE_DIR: in the work tree */
	char		*path;
	const char	*name;		/* in path: its last component */
	int		 wd;		/* its directory's watch, or -1 */
};

struct worktrees {
	struct wt	**wts;
	size_t		 nwts;
	struct outfile	*outs;
	size_t		 nouts;
	int		 ifd;		/* watches the outfiles; -1 until one */
	char		*evbuf;
	struct wroot	*roots;
	size_t		 nroots;
	char		*buf;		/* a path converted */
	size_t		 bufsize;
};

struct worktrees *
worktrees_new(void)
{
	struct worktrees *ws;

	ws = xcalloc(1, sizeof(*ws));
	ws->ifd = -1;
	return ws;
}

void
worktrees_free(struct worktrees *ws)
{
	size_t i;

	if (ws == NULL)
		return;
	for (i = 0; i < ws->nwts; i++) {
		free(ws->wts[i]->top);
		gitignore_free(ws->wts[i]->gi);
		free(ws->wts[i]);
	}
	free(ws->wts);
	for (i = 0; i < ws->nroots; i++) {
		free(ws->roots[i].prefix);
		free(ws->roots[i].within);
	}
	free(ws->roots);
	for (i = 0; i < ws->nouts; i++) {
		free(ws->outs[i].dir);
		free(ws->outs[i].path);
	}
	free(ws->outs);
	if (ws->ifd != -1)
		close(ws->ifd);
	free(ws->evbuf);
	free(ws->buf);
	free(ws);
}

int
worktrees_any(const struct worktrees *ws)
{
	return ws->nwts > 0;
}

/*
 * Reads the file name (relative to dirfd, or absolute) whole into an
 * allocated buffer; returns its length, or -1 with errno set.
 */
static ssize_t
read_file(int dirfd, const char *name, char **bufp)
{
	char *buf = NULL;
	size_t len = 0, size = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) ==
	    -1)
		return -1;
	for (;;) {
		if (len == size) {
			if (size >= MAX_FILE) {
				errno = EFBIG;
				n = -1;
				break;
			}
			size = size == 0 ? 4096 : size * 2;
			buf = xreallocarray(buf, size, 1);
		}
		if ((n = read(fd, buf + len, size - len)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
	}
	saved = errno;
	close(fd);
	if (n == -1) {
		free(buf);
		errno = saved;
		return -1;
	}
	*bufp = buf;
	return (ssize_t)len;
}

static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, a[0] != '\0' &&
	    a[strlen(a) - 1] == '/' ? "" : "/", b) == -1)
		abort();
	return s;
}

/* The real path of the nearest directory at or above real with a .git. */
static char *
find_top(const char *real)
{
	struct stat sb;
	char *dir, *git, *slash;

	dir = xstrdup(real);
	for (;;) {
		git = join(dir, ".git");
		if (lstat(git, &sb) == 0 && (S_ISDIR(sb.st_mode) ||
		    S_ISREG(sb.st_mode))) {
			free(git);
			return dir;
		}
		free(git);
		if ((slash = strrchr(dir, '/')) == NULL || dir[1] == '\0')
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
	free(dir);
	return NULL;
}

/* Drops white space at both ends of the len bytes at s; returns s. */
static char *
trim(char *s, size_t *lenp)
{
	size_t len = *lenp;

	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	*lenp = len;
	return s;
}

/*
 * The $GIT_DIR of the work tree at top: top/.git, or where a .git file's
 * "gitdir:" line points.  Then, when it has a commondir file, the common
 * directory instead, where info/exclude and config live.
 */
static char *
git_dir(const char *top)
{
	struct stat sb;
	char *git, *buf, *line, *dir, *common, *nl;
	ssize_t n;
	size_t len;

	git = join(top, ".git");
	if (stat(git, &sb) == 0 && S_ISREG(sb.st_mode)) {
		if ((n = read_file(AT_FDCWD, git, &buf)) <= 0) {
			free(git);
			return NULL;
		}
		free(git);
		line = buf;
		if ((nl = memchr(buf, '\n', (size_t)n)) != NULL)
			len = (size_t)(nl - buf);
		else
			len = (size_t)n;
		if (len < 7 || strncmp(line, "gitdir:", 7) != 0) {
			free(buf);
			return NULL;
		}
		len -= 7;
		line = trim(line + 7, &len);
		line[len] = '\0';
		git = line[0] == '/' ? xstrdup(line) : join(top, line);
		free(buf);
	}
	common = join(git, "commondir");
	if ((n = read_file(AT_FDCWD, common, &buf)) > 0) {
		len = (size_t)n;
		line = trim(buf, &len);
		line[len] = '\0';
		dir = line[0] == '/' ? xstrdup(line) : join(git, line);
		free(git);
		git = dir;
		free(buf);
	}
	free(common);
	return git;
}

/*
 * The value of core.excludesFile in the git config file at path, when it
 * sets it: stores it (allocated) in *valuep, replacing what was there.
 */
static void
config_excludes(const char *path, char **valuep)
{
	char *buf, *line, *end, *eq, *key, *val;
	size_t len, klen, vlen;
	ssize_t n;
	int in_core = 0;

	if ((n = read_file(AT_FDCWD, path, &buf)) <= 0)
		return;
	buf = xreallocarray(buf, (size_t)n + 1, 1);
	buf[n] = '\0';
	for (line = buf; line != NULL && *line != '\0'; line = end) {
		if ((end = strchr(line, '\n')) != NULL)
			*end++ = '\0';
		len = strlen(line);
		line = trim(line, &len);
		line[len] = '\0';
		if (len == 0 || line[0] == '#' || line[0] == ';')
			continue;
		if (line[0] == '[') {
			in_core = strncasecmp(line, "[core]", 6) == 0;
			continue;
		}
		if (!in_core || (eq = strchr(line, '=')) == NULL)
			continue;
		klen = (size_t)(eq - line);
		key = trim(line, &klen);
		if (klen != 12 || strncasecmp(key, "excludesfile", 12) != 0)
			continue;
		vlen = strlen(eq + 1);
		val = trim(eq + 1, &vlen);
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		free(*valuep);
		*valuep = xmemdup(val, vlen);
	}
	free(buf);
}

/* Expands a leading "~/" as git does. */
static char *
expand_home(char *path)
{
	const char *home = getenv("HOME");
	char *s;

	if (strncmp(path, "~/", 2) != 0 || home == NULL)
		return path;
	s = join(home, path + 2);
	free(path);
	return s;
}

/* Where the global excludes file is, as git finds it; NULL for none. */
static char *
global_excludes(const char *gitdir)
{
	const char *home = getenv("HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	char *value = NULL, *p, *xdgdir;

	config_excludes("/etc/gitconfig", &value);
	if (xdg != NULL && xdg[0] != '\0')
		xdgdir = join(xdg, "git");
	else if (home != NULL)
		xdgdir = join(home, ".config/git");
	else
		xdgdir = NULL;
	if (xdgdir != NULL) {
		p = join(xdgdir, "config");
		config_excludes(p, &value);
		free(p);
	}
	if (home != NULL) {
		p = join(home, ".gitconfig");
		config_excludes(p, &value);
		free(p);
	}
	if (gitdir != NULL) {
		p = join(gitdir, "config");
		config_excludes(p, &value);
		free(p);
	}
	if (value == NULL && xdgdir != NULL)
		value = join(xdgdir, "ignore");
	free(xdgdir);
	return value != NULL ? expand_home(value) : NULL;
}


static void
load(struct gitignore *gi, int level, const char *dir, size_t dirlen,
    int dirfd, const char *name, const char *source)
{
	char *buf;
	ssize_t n;

	if ((n = read_file(dirfd, name, &buf)) < 0)
		return;
	(void)gitignore_set_file(gi, level, dir, dirlen, buf, (size_t)n,
	    source);
	free(buf);
}

/* What a save of an ignore file looks like, however it is made. */
#define OUT_EVENTS	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			    IN_CREATE | IN_DELETE)

/*
 * Reads the ignore file at path (absolute), outside the trees, and
 * watches its directory so that a change is read again.
 */
static void
outside(struct worktrees *ws, struct wt *wt, int level, const char *dir,
    size_t dirlen, const char *path)
{
	struct outfile *of;
	const char *slash;
	char *d;

	load(wt->gi, level, dir, dirlen, AT_FDCWD, path, path);
	if (ws->ifd == -1 && (ws->ifd = events_open()) == -1)
		return;
	ws->outs = xreallocarray(ws->outs, ws->nouts + 1, sizeof(*ws->outs));
	of = &ws->outs[ws->nouts++];
	of->wt = wt;
	of->level = level;
	of->dir = xmemdup(dir != NULL ? dir : "", dir != NULL ? dirlen : 0);
	of->path = xstrdup(path);
	slash = strrchr(of->path, '/');
	of->name = slash != NULL ? slash + 1 : of->path;
	d = slash != NULL && slash > of->path ?
	    xmemdup(of->path, (size_t)(slash - of->path)) : xstrdup("/");
	/* A directory that is not there now: read at the next start. */
	of->wd = events_add(ws->ifd, d, OUT_EVENTS | IN_ONLYDIR);
	free(d);
}

int
worktrees_fd(const struct worktrees *ws)
{
	return ws->ifd;
}

int
worktrees_reread(struct worktrees *ws)
{
	struct outfile *of;
	struct event ev;
	ssize_t n;
	size_t off, i;
	int changed = 0;

	if (ws->evbuf == NULL && posix_memalign((void **)&ws->evbuf, 16,
	    EVENTS_BUFSIZE) != 0)
		abort();
	while ((n = read(ws->ifd, ws->evbuf, EVENTS_BUFSIZE)) > 0) {
		off = 0;
		while (events_next(ws->evbuf, (size_t)n, &off, &ev) == 1)
			for (i = 0; i < ws->nouts; i++) {
				of = &ws->outs[i];
				if (ev.wd != of->wd || ev.namelen == 0 ||
				    strcmp(ev.name, of->name) != 0)
					continue;
				/* Gone: its patterns go too. */
				(void)gitignore_set_file(of->wt->gi, of->level,
				    of->dir, strlen(of->dir), NULL, 0, of->path);
				load(of->wt->gi, of->level, of->dir,
				    strlen(of->dir), AT_FDCWD, of->path,
				    of->path);
				changed = 1;
			}
	}
	return changed;
}

static struct wt *
work_tree(struct worktrees *ws, char *top)
{
	struct wt *wt;
	char *gitdir, *global, *p;
	size_t i;

	for (i = 0; i < ws->nwts; i++)
		if (strcmp(ws->wts[i]->top, top) == 0) {
			free(top);
			return ws->wts[i];
		}
	wt = xcalloc(1, sizeof(*wt));
	wt->top = top;
	wt->gi = gitignore_new();
	gitdir = git_dir(top);
	if ((global = global_excludes(gitdir)) != NULL) {
		outside(ws, wt, GITIGNORE_GLOBAL, NULL, 0, global);
		free(global);
	}
	if (gitdir != NULL) {
		p = join(gitdir, "info/exclude");
		outside(ws, wt, GITIGNORE_INFO, NULL, 0, p);
		free(p);
	}
	free(gitdir);
	ws->wts = xreallocarray(ws->wts, ws->nwts + 1, sizeof(*ws->wts));
	ws->wts[ws->nwts++] = wt;
	return wt;
}

void
worktrees_add_root(struct worktrees *ws, const char *root)
{
	struct wroot *r;
	char *real, *top, *p, *dir;
	size_t toplen, at;

	ws->roots = xreallocarray(ws->roots, ws->nroots + 1,
	    sizeof(*ws->roots));
	r = &ws->roots[ws->nroots++];
	memset(r, 0, sizeof(*r));
	if (strcmp(root, ".") == 0)
		r->prefix = xstrdup("");
	else
		r->prefix = join(root, "");
	r->prefixlen = strlen(r->prefix);
	r->within = xstrdup("");
	if ((real = realpath(root, NULL)) == NULL)
		return;
	if ((top = find_top(real)) == NULL) {
		free(real);
		return;
	}
	toplen = strlen(top);
	if (strcmp(real, top) != 0) {
		free(r->within);
		r->within = join(real + toplen + (top[toplen - 1] != '/'), "");
	}
	r->withinlen = strlen(r->within);
	free(real);
	r->wt = work_tree(ws, top);
	/*
	 * The .gitignore files above the root, from the top down: those of
	 * "", "a/", "a/b/" for the root a/b/c/ (its own is read by its scan).
	 */
	for (at = 0; at < r->withinlen; at++) {
		if (at > 0 && r->within[at - 1] != '/')
			continue;
		dir = xmemdup(r->within, at);
		p = join(r->wt->top, dir);
		if (asprintf(&real, "%s.gitignore", p) == -1)
			abort();
		outside(ws, r->wt, GITIGNORE_DIR, dir, at, real);
		free(real);
		free(p);
		free(dir);
	}
}

/* The root whose event paths path starts with, the longest such. */
static struct wroot *
root_of(struct worktrees *ws, const char *path, size_t len)
{
	struct wroot *best = NULL;
	size_t i;

	for (i = 0; i < ws->nroots; i++)
		if (ws->roots[i].prefixlen <= len &&
		    memcmp(ws->roots[i].prefix, path,
		    ws->roots[i].prefixlen) == 0 && (best == NULL ||
		    ws->roots[i].prefixlen > best->prefixlen))
			best = &ws->roots[i];
	return best;
}

/*
 * The path in the work tree of the event path at path, len bytes, in
 * *outp and *outlenp (borrowed until the next call); NULL when it lies in
 * no work tree, or is a root itself.
 */
static struct wroot *
convert(struct worktrees *ws, const char *path, size_t len,
    const char **outp, size_t *outlenp)
{
	struct wroot *r;
	size_t rest;

	if ((r = root_of(ws, path, len)) == NULL || r->wt == NULL)
		return NULL;
	rest = len - r->prefixlen;
	/* The root itself: "./" for the root ".". */
	if (rest == 0 || (r->prefixlen == 0 && len == 2 &&
	    memcmp(path, "./", 2) == 0))
		return NULL;
	if (r->withinlen == 0) {
		*outp = path + r->prefixlen;
		*outlenp = rest;
		return r;
	}
	if (r->withinlen + rest + 1 > ws->bufsize) {
		ws->bufsize = (r->withinlen + rest + 1) * 2;
		free(ws->buf);
		ws->buf = xmalloc(ws->bufsize);
	}
	memcpy(ws->buf, r->within, r->withinlen);
	memcpy(ws->buf + r->withinlen, path + r->prefixlen, rest);
	ws->buf[r->withinlen + rest] = '\0';
	*outp = ws->buf;
	*outlenp = r->withinlen + rest;
	return r;
}

int
worktrees_read_dir(struct worktrees *ws, int dirfd, const char *path,
    size_t len)
{
	struct wroot *r;
	const char *dir = "";
	char *source, *buf;
	size_t dirlen = 0;
	ssize_t n;
	int isroot;

	if (ws->nwts == 0)
		return 0;
	if ((r = convert(ws, path, len, &dir, &dirlen)) == NULL) {
		/* A root: its own .gitignore, in its place in the tree. */
		if ((r = root_of(ws, path, len)) == NULL || r->wt == NULL)
			return 0;
		dir = r->within;
		dirlen = r->withinlen;
	}
	isroot = len == 2 && memcmp(path, "./", 2) == 0;
	if (asprintf(&source, "%.*s.gitignore", isroot ? 0 : (int)len,
	    path) == -1)
		abort();
	if ((n = read_file(dirfd, ".gitignore", &buf)) < 0) {
		n = gitignore_set_file(r->wt->gi, GITIGNORE_DIR, dir, dirlen,
		    NULL, 0, source);
		free(source);
		return 0;
	}
	(void)gitignore_set_file(r->wt->gi, GITIGNORE_DIR, dir, dirlen, buf,
	    (size_t)n, source);
	free(buf);
	free(source);
	return 1;
}

int
worktrees_check(struct worktrees *ws, const char *path, size_t len, int full,
    struct gitignore_why *why)
{
	struct wroot *r;
	const char *p;
	size_t plen;
	int isdir = len > 0 && path[len - 1] == '/';

	if (why != NULL)
		memset(why, 0, sizeof(*why));
	if (ws->nwts == 0 || (r = convert(ws, path, len, &p, &plen)) == NULL)
		return 0;
	return full ? gitignore_check(r->wt->gi, p, plen, isdir, why) :
	    gitignore_check_name(r->wt->gi, p, plen, isdir, why);
}
