/*
 * inwatch_recover.c: recovery for the inotify backend, when the kernel's
 * records cannot be followed one by one.  Owns the rescan after a queue
 * overflow and the watches lost to unmounts.
 *
 * On a queue overflow every directory is walked again: new ones are
 * watched, renamed ones found by their watch descriptor, vanished ones
 * dropped, and files changed since the queue was last empty are reported.
 * A filesystem unmounted below a root takes its watches with it; what the
 * mount covered is watched instead, with one warning per unmount.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "log.h"
#include "scan.h"
#include "tree.h"
#include "watch.h"
#include "inwatch_int.h"
#include "xmalloc.h"

/* File times are taken from a coarse clock: look back this far (ns). */
#define RESCAN_SLACK_NS	50000000LL

void
inwatch_report_changed(struct inwatch *w, int dirfd, const char *name,
    const char *path, size_t plen, int isdir)
{
	if (scan_changed_since(dirfd, name, w->since))
		inwatch_emit(w, path, plen, IN_Q_OVERFLOW |
		    (isdir ? IN_ISDIR : 0), 0);
}

/* Walks every root again after an overflow; see the top of the file. */
static void
rescan(struct inwatch *w)
{
	struct tnode *n;
	size_t i, k, nwds;
	int *wds, wd;

	w->rescanning = 1;
	w->since = w->drained_at - RESCAN_SLACK_NS;
	w->nmoves = 0;
	tree_clear_marks(w->tree);
	/* Some of their closes may be among the events dropped. */
	tree_clear_own_reads(w->tree);
	for (i = 0; i < w->nroots; i++) {
		if (w->roots[i].wd == -1)
			continue;
		wd = inwatch_add(w, w->roots[i].path,
		    w->kmask & ~IN_DONT_FOLLOW);
		/* Gone or replaced: swept below. */
		if (wd != w->roots[i].wd || inwatch_root_gone(&w->roots[i]))
			continue;
		if ((n = tree_lookup(w->tree, wd)) == NULL)
			continue;
		tree_set_mark(n, 1);
		inwatch_push(w, wd);
		inwatch_walk(w, 0);
	}
	nwds = tree_unmarked(w->tree, &wds);
	for (k = 0; k < nwds; k++) {
		if ((n = tree_lookup(w->tree, wds[k])) == NULL)
			continue;
		if (tree_parent(n) == NULL)
			inwatch_lose_root(w, n, "disappeared");
		else
			tree_remove(w->tree, n, inwatch_drop_watch, w);
	}
	free(wds);
	w->rescanning = 0;
}

void
inwatch_overflow(struct inwatch *w)
{
	log_warnx("inotify event queue overflow: rescanning to catch up "
	    "(a larger fs.inotify.max_queued_events, now %ld, makes it rarer)",
	    events_limit("max_queued_events"));
	inwatch_emit(w, "", 0, IN_Q_OVERFLOW, 0);
	rescan(w);
}

/*
 * The directory a mount covered, as far as can be told once it is gone:
 * the nearest of node and its ancestors whose path still leads somewhere.
 * Returns an allocated path.
 */
static char *
mount_point(struct inwatch *w, struct tnode *node)
{
	struct stat sb;
	struct tnode *n;
	char *p;
	size_t len;

	for (n = node; tree_parent(n) != NULL; n = tree_parent(n)) {
		p = tree_path(w->tree, n, NULL, 0, 1, &len);
		if (stat(p, &sb) == 0)
			return xmemdup(p, len);
	}
	p = tree_path(w->tree, node, NULL, 0, 1, &len);
	return xmemdup(p, len);
}

/*
 * A filesystem under the trees was unmounted: each of its watches gets
 * IN_UNMOUNT, in no useful order, then IN_IGNORED.  Each is remembered,
 * so that at the end of the drain one warning names the shallowest, and
 * once a watch is gone, whatever the mount covered is watched instead.
 */
void
inwatch_unmounted(struct inwatch *w, struct tnode *node)
{
	struct remount *r;
	const char *name;
	size_t len;

	w->remounts = xreallocarray(w->remounts, w->nremounts + 1,
	    sizeof(*w->remounts));
	r = &w->remounts[w->nremounts++];
	name = tree_name(node, &len);
	r->parent = tree_wd(tree_parent(node));
	r->name = xmemdup(name, len);
	r->path = mount_point(w, node);
	r->warned = 0;
}

static int
shorter_path(const void *a, const void *b)
{
	const struct remount *x = a, *y = b;
	size_t lx = strlen(x->path), ly = strlen(y->path);

	return lx < ly ? -1 : lx > ly;
}

static int
under(const char *path, const char *top)
{
	return top != NULL && strncmp(path, top, strlen(top)) == 0;
}

void
inwatch_rewatch_unmounted(struct inwatch *w)
{
	struct remount *r;
	struct tnode *parent, *child;
	size_t i, k, len;
	char *v;

	if (w->nremounts == 0)
		return;
	qsort(w->remounts, w->nremounts, sizeof(*w->remounts), shorter_path);
	for (i = 0; i < w->nremounts; i++) {
		r = &w->remounts[i];
		if (r->warned || under(r->path, w->unmounted))
			continue;
		for (k = 0; k < i && !under(r->path, w->remounts[k].path); k++)
			;
		if (k < i)
			continue;
		free(w->unmounted);
		w->unmounted = xstrdup(r->path);
		v = log_vis(r->path, strlen(r->path));
		log_warnx("the filesystem under %s was unmounted; watching "
		    "what it covered instead", v);
		free(v);
	}
	for (i = 0; i < w->nremounts;) {
		r = &w->remounts[i];
		r->warned = 1;
		len = strlen(r->name);
		parent = tree_lookup(w->tree, r->parent);
		/* Its IGNORED has not come yet: try again after the next drain. */
		if (parent != NULL && tree_child(w->tree, parent, r->name,
		    len) != NULL) {
			i++;
			continue;
		}
		/* Not new: it was there all along, under the mount. */
		if (parent != NULL &&
		    (child = inwatch_add_dir(w, parent, r->name, len)) != NULL) {
			inwatch_push(w, tree_wd(child));
			inwatch_walk(w, 0);
		}
		free(r->name);
		free(r->path);
		w->remounts[i] = w->remounts[--w->nremounts];
	}
}
