/*
 * inwatch_move.c: rename pairing for the inotify backend.  Owns the
 * directories that left their parent and have not arrived yet.  A
 * directory renamed inside the trees is paired by cookie, MOVED_FROM with
 * MOVED_TO, and keeps its watches, its subtree's paths following it; one
 * that leaves is forgotten, with everything below it, on its MOVE_SELF or
 * at the end of the next drain.  What happens in a directory meanwhile,
 * in limbo, is reported by nobody.
 */
#include <sys/inotify.h>

#include <stdint.h>
#include <stdlib.h>

#include "events.h"
#include "tree.h"
#include "watch.h"
#include "inwatch_int.h"
#include "xmalloc.h"

void
inwatch_moved_from(struct inwatch *w, struct tnode *parent,
    const struct event *ev)
{
	struct tnode *child;

	if ((child = tree_child(w->tree, parent, ev->name, ev->namelen)) == NULL)
		return;
	if (w->nmoves == w->movesize) {
		w->movesize = w->movesize == 0 ? 8 : w->movesize * 2;
		w->moves = xreallocarray(w->moves, w->movesize,
		    sizeof(*w->moves));
	}
	w->moves[w->nmoves].cookie = ev->cookie;
	w->moves[w->nmoves].wd = tree_wd(child);
	w->moves[w->nmoves].drain = w->drains;
	w->nmoves++;
}

int
inwatch_moved_to(struct inwatch *w, struct tnode *parent,
    const struct event *ev)
{
	struct tnode *n;
	const char *path;
	size_t i, plen;

	for (i = 0; i < w->nmoves; i++)
		if (w->moves[i].cookie == ev->cookie)
			break;
	if (i == w->nmoves)
		return 0;
	n = tree_lookup(w->tree, w->moves[i].wd);
	w->moves[i] = w->moves[--w->nmoves];
	if (n == NULL || tree_within(parent, n))
		return 0;
	n = tree_move(w->tree, n, parent, ev->name, ev->namelen);
	path = tree_path(w->tree, n, NULL, 0, 1, &plen);
	if (w->opts.ignore != NULL &&
	    w->opts.ignore(w->opts.ignore_arg, path, plen))
		tree_remove(w->tree, n, inwatch_drop_watch, w);
	return 1;
}

/*
 * The kernel queues a rename's MOVE_SELF after its MOVED_FROM and
 * MOVED_TO: a directory that gets it while its move is pending left the
 * trees.
 */
int
inwatch_left(struct inwatch *w, struct tnode *node)
{
	size_t i;

	for (i = 0; i < w->nmoves; i++)
		if (w->moves[i].wd == tree_wd(node)) {
			w->moves[i] = w->moves[--w->nmoves];
			tree_remove(w->tree, node, inwatch_drop_watch, w);
			return 1;
		}
	return 0;
}

/*
 * What happens in a directory in limbo, if it left the trees, is no
 * longer ours to report; if it moved within them, its MOVED_TO comes
 * next and ends the wait.
 */
int
inwatch_in_limbo(const struct inwatch *w, const struct tnode *node)
{
	struct tnode *m;
	size_t i;

	for (i = 0; i < w->nmoves; i++)
		if ((m = tree_lookup(w->tree, w->moves[i].wd)) != NULL &&
		    tree_within(node, m))
			return 1;
	return 0;
}

/*
 * A directory that left its parent in an earlier drain, and neither
 * arrived anywhere nor got its MOVE_SELF (see inwatch_left()), is
 * forgotten.  Not in the same drain: the rename may be queueing its
 * MOVED_TO on another CPU right now, and the MOVE_SELF that follows makes
 * sure of a next one.
 */
void
inwatch_settle_moves(struct inwatch *w)
{
	struct tnode *n;
	size_t i = 0;

	while (i < w->nmoves) {
		if (w->moves[i].drain == w->drains) {
			i++;
			continue;
		}
		if ((n = tree_lookup(w->tree, w->moves[i].wd)) != NULL)
			tree_remove(w->tree, n, inwatch_drop_watch, w);
		w->moves[i] = w->moves[--w->nmoves];
	}
}
