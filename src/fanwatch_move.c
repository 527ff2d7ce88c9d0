/*
 * fanwatch_move.c: renames for the fanotify backend.  Owns reporting a
 * rename as inotify does, a MOVED_FROM and a MOVED_TO sharing a cookie,
 * one side alone when the other lies outside the trees or is ignored;
 * what was learnt below a directory renamed, rewritten or forgotten, and
 * a directory moved in walked for what it holds; and, before Linux 5.17,
 * the MOVED_FROM waiting for the MOVED_TO that may follow it.
 */
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>

#include "dcache.h"
#include "fanrec.h"
#include "watch.h"
#include "fanwatch_int.h"

/* A side of a rename, inside the trees or not. */
struct side {
	int		 inside;
	int		 gone;		/* its directory: see DCACHE_GONE */
	size_t		 root;
	struct pbuf	*path;		/* NULL when not inside */
};

static uint32_t
next_cookie(struct fanwatch *w)
{
	if (++w->cookie == 0)
		w->cookie = 1;
	return w->cookie;
}

/*
 * Resolves one side of a rename, the entry name in the directory dir,
 * into *s, its path into pb when it lies inside the trees.
 */
static void
resolve_side(struct fanwatch *w, const struct fanrec_obj *dir, int isdir,
    struct pbuf *pb, struct side *s)
{
	struct dir d;

	s->inside = 0;
	s->gone = 0;
	s->path = NULL;
	if (dir->key == NULL || dir->name == NULL)
		return;
	if (fanwatch_resolve(w, dir->key, dir->keylen, &d) != DCACHE_INSIDE) {
		s->gone = d.state == DCACHE_GONE;
		return;
	}
	fanwatch_pb_make(pb, w->dirpath.s, d.plen, dir->name, dir->namelen,
	    isdir);
	s->root = d.root;
	s->path = pb;
	s->inside = !fanwatch_ignored(w, pb->s, pb->len);
}

/* The directory at from moved to to (either may be outside): follows. */
static void
dir_moved(struct fanwatch *w, const struct side *from, const struct side *to,
    const struct fanrec_obj *obj, int pid)
{
	w->stale = 1;
	if (from->inside && to->inside) {
		(void)dcache_moved(w->dirs, from->path->s, from->path->len,
		    to->path->s, to->path->len, to->root);
		(void)dcache_drop_below(w->hooked, from->path->s,
		    from->path->len);
		/* As inotify's watch on it reports, after the rename. */
		fanwatch_emit(w, to->path->s, to->path->len,
		    IN_MOVE_SELF | IN_ISDIR, 0, pid);
		return;
	}
	if (from->inside)
		fanwatch_forget_below(w, from->path->s, from->path->len);
	if (!to->inside)
		return;
	/* What was known of it and below it, outside, no longer holds. */
	(void)dcache_drop_state(w->dirs, DCACHE_OUTSIDE);
	(void)dcache_drop_state(w->dirs, DCACHE_IGNORED);
	if (obj->key != NULL)
		(void)dcache_put(w->dirs, obj->key, obj->keylen,
		    DCACHE_INSIDE, to->root, to->path->s, to->path->len);
	fanwatch_walk(w, to->root, to->path->s, to->path->len, WALK_MOVED, pid);
}

/* The entry name of side s is the filter's rules file: they changed. */
static void
side_rules(struct fanwatch *w, const struct side *s, const char *name,
    size_t namelen)
{
	if (s->inside && fanwatch_is_rules_file(w, name))
		fanwatch_rules_changed(w, s->root, s->path->s,
		    s->path->len - namelen);
}

static void
emit_side(struct fanwatch *w, const struct side *s, uint32_t mask,
    uint32_t cookie, int pid)
{
	if (s->path != NULL)
		fanwatch_emit(w, s->path->s, s->path->len, mask, cookie, pid);
}

int
fanwatch_on_rename(struct fanwatch *w, const struct fanrec *ev)
{
	struct side from, to;
	uint32_t cookie, dirbit = ev->mask & FAN_ONDIR ? IN_ISDIR : 0;

	(void)fanwatch_ends_root(w, ev);
	resolve_side(w, &ev->dir, dirbit != 0, &w->ev[0], &from);
	if (from.gone)
		return 0;
	resolve_side(w, &ev->to, dirbit != 0, &w->ev[1], &to);
	if (to.gone)
		return 0;
	cookie = next_cookie(w);
	emit_side(w, &from, IN_MOVED_FROM | dirbit, cookie, ev->pid);
	emit_side(w, &to, IN_MOVED_TO | dirbit, cookie, ev->pid);
	if (dirbit)
		dir_moved(w, &from, &to, &ev->obj, ev->pid);
	else {
		side_rules(w, &from, ev->dir.name, ev->dir.namelen);
		side_rules(w, &to, ev->to.name, ev->to.namelen);
	}
	return 1;
}

/*
 * Without FAN_RENAME (before Linux 5.17) a rename comes as a MOVED_FROM
 * and a MOVED_TO in a row.  The MOVED_FROM is reported as it comes and
 * kept until the next event says whether its MOVED_TO follows; a
 * directory whose MOVED_TO does not follow left the trees.
 */
void
fanwatch_settle_from(struct fanwatch *w)
{
	if (w->hasfrom && w->fromdir)
		fanwatch_forget_below(w, w->from.s, w->from.len);
	w->hasfrom = 0;
}

void
fanwatch_on_move_half(struct fanwatch *w, const struct fanrec *ev)
{
	struct side from = { 0, 0, 0, NULL }, to;
	uint32_t dirbit = ev->mask & FAN_ONDIR ? IN_ISDIR : 0, cookie;
	int paired;

	if (ev->mask & FAN_MOVED_FROM) {
		fanwatch_settle_from(w);
		(void)fanwatch_ends_root(w, ev);
		resolve_side(w, &ev->dir, dirbit != 0, &w->from, &from);
		w->fromcookie = next_cookie(w);
		emit_side(w, &from, IN_MOVED_FROM | dirbit, w->fromcookie,
		    ev->pid);
		if (!dirbit)
			side_rules(w, &from, ev->dir.name, ev->dir.namelen);
		w->hasfrom = from.inside;
		w->fromdir = dirbit != 0;
		w->frompid = ev->pid;
		w->fromroot = from.root;
		return;
	}
	paired = w->hasfrom && w->frompid == ev->pid &&
	    w->fromdir == (dirbit != 0);
	if (!paired)
		fanwatch_settle_from(w);
	resolve_side(w, &ev->dir, dirbit != 0, &w->ev[1], &to);
	cookie = paired ? w->fromcookie : next_cookie(w);
	emit_side(w, &to, IN_MOVED_TO | dirbit, cookie, ev->pid);
	if (paired) {
		from.inside = 1;
		from.root = w->fromroot;
		from.path = &w->from;
		w->hasfrom = 0;
	}
	if (dirbit)
		dir_moved(w, &from, &to, &ev->obj, ev->pid);
	else
		side_rules(w, &to, ev->dir.name, ev->dir.namelen);
}
