/*
 * inwatch_root.c: the roots of the inotify backend.  Owns the list of
 * roots as given: adding one (its watch, then the walk below it), taking
 * one away, and losing one that was deleted, moved away or unmounted,
 * with the warning that says so.
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

int
inwatch_root(struct inwatch *w, const char *path)
{
	struct stat sb;
	struct tnode *n;
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
	if ((wd = events_add(w->ifd, path, w->kmask & ~IN_DONT_FOLLOW)) ==
	    -1) {
		if (errno == ENOSPC) {
			inwatch_add_failed(w, path, len, errno);
			return 0;
		}
		inwatch_warn_path(path, len, "cannot watch ", errno);
		return -1;
	}
	w->roots = xreallocarray(w->roots, w->nroots + 1, sizeof(*w->roots));
	w->roots[w->nroots].path = xstrdup(path);
	w->roots[w->nroots].wd = wd;
	w->nroots++;
	if (tree_lookup(w->tree, wd) != NULL) {
		w->roots[w->nroots - 1].wd = -1;
		log_warnx("%s: already watched as part of another root", path);
		return 0;
	}
	n = tree_add(w->tree, NULL, path, len, wd);
	inwatch_push(w, tree_wd(n));
	inwatch_walk(w, w->opts.existing ? IN_CREATE : 0);
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
	free(w->roots[i].path);
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
}
