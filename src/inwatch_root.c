/*
 * inwatch_root.c: the roots of the inotify backend.  Owns the list of
 * roots as given: adding one (its watch, then the walk below it), taking
 * one away, and losing one that was deleted, moved away or unmounted,
 * with the warning that says so.  Also owns the watch on each root's
 * parent directory: a root deleted while it is some process's current
 * directory, or replaced by a rename, gets no DELETE_SELF until that
 * process leaves it, but its parent reports the entry gone at once.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "tree.h"
#include "watch.h"
#include "inwatch.h"
#include "inwatch_int.h"
#include "xmalloc.h"

/*
 * Watches the parent of root r, found from where r really is, for what
 * says that r's entry there went (PARENT_EVENTS).  IN_MASK_ADD, since the
 * parent may be watched already as part of a tree, with the same watch
 * descriptor: the tree's events stay, and those it did not ask for are
 * dropped by the mask of inwatch_emit().  Without a parent ("/"), or one
 * that cannot be watched, only the root's own watch says it is gone.
 */
static void
watch_parent(struct inwatch *w, struct root *r)
{
	char *real, *parent;
	size_t off;
	int pwd;

	if ((real = realpath(r->path, NULL)) == NULL)
		return;
	off = (size_t)(strrchr(real, '/') - real);
	if (real[off + 1] == '\0') {
		free(real);
		return;
	}
	parent = off == 0 ? xstrdup("/") : xmemdup(real, off);
	pwd = events_add(w->ifd, parent, PARENT_EVENTS | IN_ONLYDIR |
	    IN_DONT_FOLLOW | IN_MASK_ADD);
	free(parent);
	if (pwd == -1) {
		free(real);
		return;
	}
	r->real = real;
	r->nameoff = off + 1;
	r->pwd = pwd;
	w->nparents++;
}

/* Stops watching r's parent for r, unless it is watched for more. */
static void
unwatch_parent(struct inwatch *w, struct root *r)
{
	int pwd = r->pwd;

	if (pwd == -1)
		return;
	r->pwd = -1;
	w->nparents--;
	/* EINVAL when the kernel dropped it already. */
	if (!inwatch_is_parent(w, pwd) && tree_lookup(w->tree, pwd) == NULL)
		(void)events_rm(w->ifd, pwd);
}

int
inwatch_is_parent(const struct inwatch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].pwd == wd)
			return 1;
	return 0;
}

int
inwatch_root(struct inwatch *w, const char *path)
{
	struct stat sb;
	struct tnode *n;
	struct root *r;
	size_t len = strlen(path);
	int wd;

	if (stat(path, &sb) == -1) {
		inwatch_warn_path(path, len, "", errno);
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		inwatch_warn_path(path, len, "", ENOTDIR);
		return -1;
	}
	/* A root given as a symlink is followed: the user named it. */
	if ((wd = inwatch_add(w, path, w->kmask & ~IN_DONT_FOLLOW)) == -1) {
		if (errno == ENOSPC) {
			inwatch_add_failed(w, path, len, errno);
			return 0;
		}
		inwatch_warn_path(path, len, "cannot watch ", errno);
		return -1;
	}
	w->roots = xreallocarray(w->roots, w->nroots + 1, sizeof(*w->roots));
	r = &w->roots[w->nroots++];
	memset(r, 0, sizeof(*r));
	r->path = xstrdup(path);
	r->wd = wd;
	r->dev = sb.st_dev;
	r->ino = sb.st_ino;
	r->pwd = -1;
	if (tree_lookup(w->tree, wd) != NULL) {
		r->wd = -1;
		log_warnx("%s: already watched as part of another root", path);
		return 0;
	}
	n = tree_add(w->tree, NULL, path, len, wd);
	inwatch_push(w, tree_wd(n));
	inwatch_walk(w, w->opts.existing ? IN_CREATE : 0);
	/*
	 * After the walk, so that the tree's watches are numbered 1..N in a
	 * fresh instance, as bench/replay.c expects.  The walk grew no roots.
	 */
	watch_parent(w, &w->roots[w->nroots - 1]);
	return 0;
}

int
inwatch_unroot(struct inwatch *w, const char *path)
{
	struct tnode *n;
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (strcmp(w->roots[i].path, path) == 0)
			break;
	if (i == w->nroots)
		return -1;
	if (w->roots[i].wd != -1 &&
	    (n = tree_lookup(w->tree, w->roots[i].wd)) != NULL)
		tree_remove(w->tree, n, inwatch_drop_watch, w);
	unwatch_parent(w, &w->roots[i]);
	free(w->roots[i].path);
	free(w->roots[i].real);
	w->roots[i] = w->roots[--w->nroots];
	return 0;
}

static struct root *
root_of(struct inwatch *w, int wd)
{
	size_t i;

	for (i = 0; i < w->nroots; i++)
		if (w->roots[i].wd == wd)
			return &w->roots[i];
	return NULL;
}

void
inwatch_lose_root(struct inwatch *w, struct tnode *n, const char *why)
{
	struct root *r;
	char *v;

	if ((r = root_of(w, tree_wd(n))) != NULL) {
		v = log_vis(r->path, strlen(r->path));
		log_warnx("%s %s; no longer watched", v, why);
		free(v);
		r->wd = -1;
	}
	tree_remove(w->tree, n, inwatch_drop_watch, w);
	/* After: the tree may hold the parent, through a followed link. */
	if (r != NULL)
		unwatch_parent(w, r);
}

int
inwatch_root_gone(const struct root *r)
{
	struct stat sb;

	if (stat(r->path, &sb) == -1)
		return errno == ENOENT || errno == ENOTDIR;
	/* A root given as "." leads to it even once it is deleted. */
	return sb.st_nlink == 0 || sb.st_dev != r->dev || sb.st_ino != r->ino;
}

void
inwatch_parent_record(struct inwatch *w, const struct event *ev)
{
	struct root *r;
	struct tnode *n;
	char *path;
	size_t i, plen;

	for (i = 0; i < w->nroots; i++) {
		r = &w->roots[i];
		if (r->pwd != ev->wd)
			continue;
		if (ev->mask & IN_IGNORED) {
			/* The parent went, and its watch with it. */
			r->pwd = -1;
			w->nparents--;
			continue;
		}
		if (ev->namelen == 0 ||
		    strcmp(ev->name, r->real + r->nameoff) != 0 ||
		    (n = tree_lookup(w->tree, r->wd)) == NULL ||
		    !inwatch_root_gone(r))
			continue;
		/* What its own watch would have said, had it been told. */
		path = tree_path(w->tree, n, NULL, 0, 1, &plen);
		inwatch_emit(w, path, plen, IN_DELETE_SELF | IN_ISDIR, 0);
		inwatch_emit(w, path, plen, IN_IGNORED | IN_ISDIR, 0);
		inwatch_lose_root(w, n, "was deleted");
	}
}
