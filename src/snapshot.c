/*
 * snapshot.c: the polled trees as last seen, and what changed since.
 *
 * Entries live in one array and name each other by index: a parent, a
 * list of children, and chains in two hash tables, one by (parent, name)
 * for listings, one by (device, inode) for moves.  Names sit in one
 * arena.  A poll walks each tree depth first, through descriptors: a
 * directory is listed again only when its modification time moved (or
 * was too recent to trust), and every entry is looked at once.
 *
 * A file that changed is pending until two looks, settle apart, agree;
 * then it is reported.  An entry missing from its directory is only
 * marked vanished: if its inode turns up at a new name in the same poll,
 * with the same birth time (the modification time where the filesystem
 * keeps none), it moved.  What is still vanished at the end of the poll
 * was deleted.  The events of one poll are reported at its end:
 * deletions first, then moves of entries whose names others took, then
 * the rest, in the order found.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "snapshot.h"
#include "xmalloc.h"

#define NONE		SNAP_NONE
/* source(): the inode is a directory already polled elsewhere. */
#define DUP		(SNAP_NONE - 1)

/*
 * File times come from a coarse clock: an entry made in the same tick as
 * a directory's last change, after it was listed, leaves its time as it
 * was; one listed within this of that time is listed again (ns).
 */
#define RACY_NS		50000000LL
/* A time further ahead than this is wrong rather than recent (ns). */
#define FUTURE_NS	1000000000LL

/* Rounds of deletions and rules changes that end one poll, at most. */
#define MAX_ROUNDS	8

/* Bytes of dead names in the arena that make a compaction worth it. */
#define ARENA_SLACK	65536

/* Zeroed room after a path: PCRE2's JIT may read a few bytes past it. */
#define PATH_PAD	16

/* entry.flags */
#define E_DIR		0x0001	/* a directory */
#define E_LINK		0x0002	/* reached through a followed symlink */
#define E_NOWALK	0x0004	/* a directory reached twice: not walked */
#define E_NEW		0x0008	/* found, not reported yet */
#define E_REPLACES	0x0010	/* new where another was not reported gone */
#define E_VANISHED	0x0020	/* gone from its name in this poll */
#define E_DISPLACED	0x0040	/* its name holds another file now */
#define E_TAKEN		0x0080	/* ...of its kind: no DELETE for it */
#define E_LISTED	0x0100	/* listed once at least */
#define E_RELIST	0x0200	/* to be listed at its next visit */
#define E_QUIET		0x0400	/* its next listing records, reports nothing */
#define E_PUSHED	0x0800	/* on the stack of directories to visit */
#define E_WARNED	0x1000	/* said it cannot be read */
#define E_SEEN		0x2000	/* in the listing being read; doomed */
#define E_FREE		0x4000

struct entry {
	struct snap_stat st;		/* as last reported or recorded */
	int64_t		 listed;	/* a directory: when it was listed, or
					   for one never listed, its parent */
	uint32_t	 parent;	/* NONE: a root */
	uint32_t	 child;		/* first child */
	uint32_t	 next;		/* sibling; link of the free lists */
	uint32_t	 prev;		/* sibling, or the last one: attach() */
	uint32_t	 hnext;		/* chain by (parent, name) */
	uint32_t	 inext;		/* chain by (dev, ino) */
	uint32_t	 name;		/* offset in the arena */
	uint32_t	 namelen;
	uint32_t	 pend;		/* index in pending, or NONE */
	uint32_t	 gen;		/* the pass that last looked at it */
	uint32_t	 flags;
};

/* A file that changed and has yet to settle. */
struct pending {
	uint32_t	 id;
	struct snap_stat seen;		/* at the last look that saw a change */
	uint64_t	 at;		/* ...made then */
};

/*
 * A name of the directory being visited whose file is new to it: one its
 * listing names and the snapshot does not, or one that holds another
 * file than displaced now.  Names sit in a scratch arena.
 */
struct fresh {
	size_t		 off;
	size_t		 len;
	unsigned char	 type;
	uint32_t	 displaced;	/* NONE, or the entry it held */
};

enum phase { PHASE_GONE, PHASE_DISPLACED, PHASE_REST, NPHASES };

struct qevent {
	size_t		 off;		/* of the path in qbuf */
	size_t		 len;
	uint32_t	 mask;
	uint32_t	 cookie;
	enum phase	 phase;
};

/* What a listing does with the names it finds new. */
enum mode {
	REPORT,		/* reports them, files once they settle */
	QUIET,		/* records them */
	EXISTING	/* reports them as created, at once */
};

struct snap {
	struct snap_opts o;
	size_t		 rules_len;
	struct entry	*e;
	size_t		 ne;		/* used, live or free */
	size_t		 esize;
	uint32_t	 freelist;
	uint32_t	 freed;		/* in this pass: reused from the next */
	size_t		 nlive;
	size_t		 ndirs;
	char		*names;
	size_t		 nnames;
	size_t		 namesize;
	size_t		 wasted;
	uint32_t	*byname;	/* chain heads, a power of two */
	uint32_t	*byino;
	size_t		 nbuckets;
	struct pending	*pend;
	size_t		 npend;
	size_t		 pendsize;
	uint32_t	*roots;
	size_t		 nroots;
	size_t		 rootsize;
	uint32_t	*vanished;
	size_t		 nvanished;
	size_t		 vansize;
	uint32_t	*stack;		/* directories to visit */
	size_t		 nstack;
	size_t		 stacksize;
	uint32_t	*rules;		/* directories whose rules changed */
	size_t		 nrules;
	size_t		 rulessize;
	uint32_t	 listing;	/* the directory being listed */
	uint32_t	 current;	/* ...whose new names arrive */
	int64_t		 quiet_before;	/* QUIET: for files born before this */
	struct fresh	*fresh;
	size_t		 nfresh;
	size_t		 freshsize;
	char		*freshbuf;
	size_t		 nfreshbuf;
	size_t		 freshbufsize;
	struct qevent	*q;
	size_t		 nq;
	size_t		 qsize;
	char		*qbuf;
	size_t		 nqbuf;
	size_t		 qbufsize;
	char		*path;		/* the walk's directory, and a name */
	size_t		 pathlen;	/* of the directory */
	size_t		 pathsize;
	char		*pbuf;		/* a path built from an entry up */
	size_t		 pbufsize;
	uint32_t	 gen;
	uint32_t	 cookie;
	uint64_t	 now;
	int64_t		 wall;
	size_t		 unscanned;
};

static void	 visit(struct snap *, uint32_t, int, enum mode);
static void	 fresh_add(struct snap *, const char *, size_t, unsigned char,
		    uint32_t);

/*
 * Returns p, with room for need elements of each bytes; *size is the
 * room there was and becomes the room there is.  New room is zeroed.
 */
static void *
grow(void *p, size_t *size, size_t need, size_t each)
{
	size_t n = *size;
	char *q;

	if (need <= n)
		return p;
	if (n == 0)
		n = 16;
	while (n < need)
		n *= 2;
	q = xreallocarray(p, n, each);
	memset(q + *size * each, 0, (n - *size) * each);
	*size = n;
	return q;
}

static const char *
name_of(const struct snap *s, uint32_t id)
{
	return s->names + s->e[id].name;
}

/* Copies a name (which must not lie in the arena) into the arena. */
static uint32_t
name_add(struct snap *s, const char *name, size_t len)
{
	size_t off = s->nnames;

	s->names = grow(s->names, &s->namesize, off + len + 1, 1);
	memcpy(s->names + off, name, len);
	s->names[off + len] = '\0';
	s->nnames += len + 1;
	return (uint32_t)off;
}

static int
name_is(const struct snap *s, uint32_t id, const char *name, size_t len)
{
	return s->e[id].namelen == len &&
	    memcmp(name_of(s, id), name, len) == 0;
}

static int
walked_dir(const struct snap *s, uint32_t id)
{
	return (s->e[id].flags & (E_DIR | E_NOWALK)) == E_DIR;
}

/* Whether a is b or lies below it. */
static int
within(const struct snap *s, uint32_t a, uint32_t b)
{
	for (; a != NONE; a = s->e[a].parent)
		if (a == b)
			return 1;
	return 0;
}

static int
is_rules(const struct snap *s, uint32_t id)
{
	return s->o.rules_name != NULL && !(s->e[id].flags & E_DIR) &&
	    s->e[id].parent != NONE &&
	    name_is(s, id, s->o.rules_name, s->rules_len);
}

static void
push(uint32_t **v, size_t *n, size_t *size, uint32_t id)
{
	*v = grow(*v, size, *n + 1, sizeof(**v));
	(*v)[(*n)++] = id;
}

static void
rules_changed(struct snap *s, uint32_t dir)
{
	if (dir != NONE)
		push(&s->rules, &s->nrules, &s->rulessize, dir);
}

/* The hash tables. */

static uint32_t
name_hash(uint32_t parent, const char *name, size_t len)
{
	return hash_bytes(name, len) ^ (parent * 2654435761u);
}

static uint32_t
ino_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = (ino ^ (dev << 32 | dev >> 32)) * 0x9e3779b97f4a7c15ull;

	return (uint32_t)(h >> 32);
}

static uint32_t *
name_head(struct snap *s, uint32_t id)
{
	return &s->byname[name_hash(s->e[id].parent, name_of(s, id),
	    s->e[id].namelen) & (s->nbuckets - 1)];
}

static uint32_t *
ino_head(struct snap *s, const struct snap_stat *st)
{
	return &s->byino[ino_hash(st->dev, st->ino) & (s->nbuckets - 1)];
}

/* Whether id is in the table by name: below a parent, and not vanished. */
static int
attached(const struct snap *s, uint32_t id)
{
	return s->e[id].parent != NONE && !(s->e[id].flags & E_VANISHED);
}

static void
rehash(struct snap *s)
{
	size_t i, n = s->nbuckets == 0 ? 64 : s->nbuckets * 2;
	uint32_t *h;

	free(s->byname);
	free(s->byino);
	s->byname = xreallocarray(NULL, n, sizeof(*s->byname));
	s->byino = xreallocarray(NULL, n, sizeof(*s->byino));
	memset(s->byname, 0xff, n * sizeof(*s->byname));
	memset(s->byino, 0xff, n * sizeof(*s->byino));
	s->nbuckets = n;
	for (i = 0; i < s->ne; i++) {
		if (s->e[i].flags & E_FREE)
			continue;
		h = ino_head(s, &s->e[i].st);
		s->e[i].inext = *h;
		*h = (uint32_t)i;
		if (attached(s, (uint32_t)i)) {
			h = name_head(s, (uint32_t)i);
			s->e[i].hnext = *h;
			*h = (uint32_t)i;
		}
	}
}

/* Removes id from the chain at *h, linked through the field at off. */
static void
unchain(struct snap *s, uint32_t *h, uint32_t id, size_t off)
{
	uint32_t *link;

	for (link = h; *link != NONE;
	    link = (uint32_t *)((char *)&s->e[*link] + off))
		if (*link == id) {
			*link = *(uint32_t *)((char *)&s->e[id] + off);
			return;
		}
}

static uint32_t
lookup(const struct snap *s, uint32_t parent, const char *name, size_t len)
{
	uint32_t id;

	id = s->byname[name_hash(parent, name, len) & (s->nbuckets - 1)];
	for (; id != NONE; id = s->e[id].hnext)
		if (s->e[id].parent == parent && name_is(s, id, name, len))
			return id;
	return NONE;
}

/*
 * Puts id last among the children of parent, and in the table by name.
 * The first child's prev is the last child.
 */
static void
attach(struct snap *s, uint32_t id, uint32_t parent)
{
	struct entry *e = &s->e[id];
	uint32_t first = s->e[parent].child, *h;

	e->parent = parent;
	e->next = NONE;
	if (first == NONE) {
		s->e[parent].child = id;
		e->prev = id;
	} else {
		e->prev = s->e[first].prev;
		s->e[e->prev].next = id;
		s->e[first].prev = id;
	}
	h = name_head(s, id);
	e->hnext = *h;
	*h = id;
}

/* Takes id out of its parent's children and the table by name. */
static void
detach(struct snap *s, uint32_t id)
{
	struct entry *e = &s->e[id];
	uint32_t *first = &s->e[e->parent].child;

	unchain(s, name_head(s, id), id, offsetof(struct entry, hnext));
	if (*first == id) {
		*first = e->next;
		if (e->next != NONE)
			s->e[e->next].prev = e->prev;
	} else {
		s->e[e->prev].next = e->next;
		s->e[e->next != NONE ? e->next : *first].prev = e->prev;
	}
	e->next = e->prev = NONE;
}

/* Pending files. */

static void
pend(struct snap *s, uint32_t id, const struct snap_stat *st)
{
	struct pending *p;

	if (s->e[id].pend == NONE) {
		s->pend = grow(s->pend, &s->pendsize, s->npend + 1,
		    sizeof(*s->pend));
		s->e[id].pend = (uint32_t)s->npend++;
	}
	p = &s->pend[s->e[id].pend];
	p->id = id;
	p->seen = *st;
	p->at = s->now;
}

static void
unpend(struct snap *s, uint32_t id)
{
	uint32_t i = s->e[id].pend;

	if (i == NONE)
		return;
	s->pend[i] = s->pend[--s->npend];
	if (i < s->npend)
		s->e[s->pend[i].id].pend = i;
	s->e[id].pend = NONE;
}

/* Entries. */

static uint32_t
entry_new(struct snap *s, uint32_t parent, const char *name, size_t len,
    const struct snap_stat *st, uint32_t flags)
{
	struct entry *e;
	uint32_t id, *h;

	if (s->nlive + 1 > s->nbuckets)
		rehash(s);
	if (s->freelist != NONE) {
		id = s->freelist;
		s->freelist = s->e[id].next;
	} else {
		s->e = grow(s->e, &s->esize, s->ne + 1, sizeof(*s->e));
		id = (uint32_t)s->ne++;
	}
	e = &s->e[id];
	memset(e, 0, sizeof(*e));
	e->st = *st;
	e->child = e->next = e->prev = e->hnext = e->inext = NONE;
	e->pend = NONE;
	e->gen = s->gen;
	e->flags = flags;
	e->name = name_add(s, name, len);
	e->namelen = (uint32_t)len;
	s->nlive++;
	if (walked_dir(s, id))
		s->ndirs++;
	h = ino_head(s, st);
	s->e[id].inext = *h;
	*h = id;
	if (parent != NONE)
		attach(s, id, parent);
	else
		s->e[id].parent = NONE;
	return id;
}

/* Frees id and what lies below it; reports nothing. */
static void
free_subtree(struct snap *s, uint32_t id)
{
	struct entry *e;

	while (s->e[id].child != NONE)
		free_subtree(s, s->e[id].child);
	unpend(s, id);
	unchain(s, ino_head(s, &s->e[id].st), id,
	    offsetof(struct entry, inext));
	if (attached(s, id))
		detach(s, id);
	if (walked_dir(s, id))
		s->ndirs--;
	e = &s->e[id];
	s->wasted += e->namelen + 1;
	s->nlive--;
	e->flags = E_FREE;
	e->next = s->freed;
	s->freed = id;
}

/* Paths. */

/* The length of what a root's name puts before the paths below it. */
static size_t
prefix_len(const struct snap *s, uint32_t root)
{
	const struct entry *e = &s->e[root];

	if (e->namelen == 1 && name_of(s, root)[0] == '.')
		return 0;
	if (name_of(s, root)[e->namelen - 1] == '/')
		return e->namelen;
	return e->namelen + 1;
}

static void
put_prefix(const struct snap *s, uint32_t root, char *buf)
{
	size_t plen = prefix_len(s, root);

	if (plen == 0)
		return;
	memcpy(buf, name_of(s, root), s->e[root].namelen);
	buf[plen - 1] = '/';
}

/*
 * Builds in s->pbuf the path of id, as inotify's backend names it: the
 * root as given, joined with the path below it, with a trailing '/' for
 * a directory ("./" for the root "." itself).  Returns its length.
 */
static size_t
entry_path(struct snap *s, uint32_t id)
{
	uint32_t p, root;
	size_t total, at, plen;
	int isdir = (s->e[id].flags & E_DIR) != 0;

	for (root = id; s->e[root].parent != NONE; root = s->e[root].parent)
		;
	plen = prefix_len(s, root);
	total = plen;
	if (id != root) {
		total += isdir - 1;
		for (p = id; p != root; p = s->e[p].parent)
			total += s->e[p].namelen + 1;
	} else if (plen == 0)
		total = 2;
	s->pbuf = grow(s->pbuf, &s->pbufsize, total + 1 + PATH_PAD, 1);
	s->pbuf[total] = '\0';
	if (id == root && plen == 0) {
		memcpy(s->pbuf, "./", 2);
		return total;
	}
	at = total;
	if (id != root && isdir)
		s->pbuf[--at] = '/';
	for (p = id; p != root; p = s->e[p].parent) {
		at -= s->e[p].namelen;
		memcpy(s->pbuf + at, name_of(s, p), s->e[p].namelen);
		if (s->e[p].parent != root)
			s->pbuf[--at] = '/';
	}
	put_prefix(s, root, s->pbuf);
	return total;
}

/*
 * Writes the path of the entry name in the walk's directory after it in
 * s->path, without making it the walk's; returns its length.
 */
static size_t
child_path(struct snap *s, const char *name, size_t len, int isdir)
{
	size_t total = s->pathlen + len + (isdir != 0);

	s->path = grow(s->path, &s->pathsize, total + 1 + PATH_PAD, 1);
	memcpy(s->path + s->pathlen, name, len);
	if (isdir)
		s->path[total - 1] = '/';
	s->path[total] = '\0';
	return total;
}

static void
set_pathlen(struct snap *s, size_t len)
{
	s->pathlen = len;
	s->path[len] = '\0';
}

/* Makes the walk's directory id, whose path is built from scratch. */
static void
walk_from(struct snap *s, uint32_t id)
{
	size_t len;

	if (s->e[id].parent == NONE) {
		len = prefix_len(s, id);
		s->path = grow(s->path, &s->pathsize, len + 1 + PATH_PAD, 1);
		put_prefix(s, id, s->path);
	} else {
		len = entry_path(s, id);
		s->path = grow(s->path, &s->pathsize, len + 1 + PATH_PAD, 1);
		memcpy(s->path, s->pbuf, len);
	}
	set_pathlen(s, len);
}

/* The walk directory's own path, for the root "." too. */
static const char *
dir_path(const struct snap *s, size_t *lenp)
{
	static const char dot[PATH_PAD] = "./";

	if (s->pathlen == 0) {
		*lenp = 2;
		return dot;
	}
	*lenp = s->pathlen;
	return s->path;
}

static int
ignored_child(struct snap *s, const char *name, size_t len, int isdir)
{
	size_t plen = child_path(s, name, len, isdir);

	return s->o.ops->ignored(s->o.arg, s->path, plen);
}

/* Events. */

static void
queue(struct snap *s, const char *path, size_t len, uint32_t mask,
    uint32_t cookie, enum phase phase)
{
	struct qevent *q;

	s->qbuf = grow(s->qbuf, &s->qbufsize, s->nqbuf + len + 1 + PATH_PAD,
	    1);
	memcpy(s->qbuf + s->nqbuf, path, len);
	s->qbuf[s->nqbuf + len] = '\0';
	s->q = grow(s->q, &s->qsize, s->nq + 1, sizeof(*s->q));
	q = &s->q[s->nq++];
	q->off = s->nqbuf;
	q->len = len;
	q->mask = mask;
	q->cookie = cookie;
	q->phase = phase;
	s->nqbuf += len + 1;
}

/* Queues an event for id, with ISDIR added for a directory. */
static void
queue_entry(struct snap *s, uint32_t id, uint32_t mask, uint32_t cookie,
    enum phase phase)
{
	size_t len = entry_path(s, id);

	if (s->e[id].flags & E_DIR)
		mask |= IN_ISDIR;
	queue(s, s->pbuf, len, mask, cookie, phase);
}

static size_t
flush(struct snap *s)
{
	const struct qevent *q;
	size_t i, n = s->nq;
	int phase;

	for (phase = 0; phase < NPHASES; phase++)
		for (i = 0; i < s->nq; i++) {
			q = &s->q[i];
			if ((int)q->phase == phase)
				s->o.ops->event(s->o.arg, s->qbuf + q->off,
				    q->len, q->mask, q->cookie);
		}
	s->nq = 0;
	s->nqbuf = 0;
	return n;
}

/* Comparing. */

static int
same_file(const struct snap_stat *a, const struct snap_stat *b)
{
	return a->dev == b->dev && a->ino == b->ino &&
	    (a->mode & S_IFMT) == (b->mode & S_IFMT);
}

static int
same_state(const struct snap_stat *a, const struct snap_stat *b)
{
	return a->size == b->size && a->mtime == b->mtime &&
	    a->ctime == b->ctime && a->mode == b->mode;
}

/* Whether b, of the same inode as a, is the same file, not a reuse. */
static int
same_birth(const struct snap_stat *a, const struct snap_stat *b)
{
	if (a->btime != 0 && b->btime != 0)
		return a->btime == b->btime;
	return a->mtime == b->mtime;
}

static int
racy_time(const struct snap *s, int64_t t)
{
	return t >= s->wall - RACY_NS && t <= s->wall + FUTURE_NS;
}

/* Reports what settled in id, now st, and makes st its state. */
static void
commit(struct snap *s, uint32_t id, const struct snap_stat *st)
{
	struct entry *e = &s->e[id];
	uint32_t mask;
	int content;

	if (e->flags & E_NEW) {
		mask = IN_CREATE;
		if (S_ISREG(st->mode))
			mask |= IN_CLOSE_WRITE | (st->size > 0 ? IN_MODIFY : 0);
	} else {
		content = st->size != e->st.size || st->mtime != e->st.mtime;
		mask = content ? IN_CLOSE_WRITE | IN_MODIFY : 0;
		if (st->mode != e->st.mode ||
		    (!content && st->ctime != e->st.ctime))
			mask |= IN_ATTRIB;
	}
	e->st = *st;
	e->flags &= ~(E_NEW | E_REPLACES);
	unpend(s, id);
	if (mask == 0)
		return;
	queue_entry(s, id, mask, 0, PHASE_REST);
	if (is_rules(s, id))
		rules_changed(s, s->e[id].parent);
}

/* A directory's look: attributes, and whether to list it again. */
static void
look_dir(struct snap *s, uint32_t id, const struct snap_stat *st)
{
	struct entry *e = &s->e[id];
	int attrib;

	attrib = st->mode != e->st.mode ||
	    (st->ctime != e->st.ctime && st->mtime == e->st.mtime);
	if (st->mtime != e->st.mtime)
		e->flags |= E_RELIST;
	e->st = *st;
	if (attrib)
		queue_entry(s, id, IN_ATTRIB, 0, PHASE_REST);
}

/*
 * Compares id with st, what its name holds now.  Returns -1 when that is
 * another file (for the caller to replace id), 0 otherwise.
 */
static int
look(struct snap *s, uint32_t id, const struct snap_stat *st)
{
	struct entry *e = &s->e[id];
	struct pending *p;

	if (!same_file(&e->st, st))
		return -1;
	e->gen = s->gen;
	if (e->flags & E_DIR) {
		look_dir(s, id, st);
		return 0;
	}
	if (e->pend == NONE) {
		if (!same_state(&e->st, st))
			pend(s, id, st);
		return 0;
	}
	p = &s->pend[e->pend];
	if (!same_state(&p->seen, st)) {
		/* Still changing. */
		pend(s, id, st);
		return 0;
	}
	if (s->now - p->at >= s->o.settle)
		commit(s, id, st);
	return 0;
}

/* The name of id holds nothing now, or another file. */
static void
gone(struct snap *s, uint32_t id)
{
	if (s->e[id].flags & E_VANISHED)
		return;
	detach(s, id);
	s->e[id].flags &= ~(E_DISPLACED | E_TAKEN);
	s->e[id].flags |= E_VANISHED;
	push(&s->vanished, &s->nvanished, &s->vansize, id);
}

/* Whether id is still where the snapshot has it. */
static int
still_there(struct snap *s, uint32_t id)
{
	struct snap_stat st;
	size_t len;

	len = entry_path(s, id);
	if (s->e[id].flags & E_DIR)
		s->pbuf[--len] = '\0';
	if (s->o.ops->stat_path(s->o.arg, s->pbuf,
	    (s->e[id].flags & E_LINK) != 0, &st) == -1)
		return errno != ENOENT && errno != ENOTDIR;
	return st.dev == s->e[id].st.dev && st.ino == s->e[id].st.ino;
}

/*
 * The entry that st, new at a name in dir, moved from: one vanished in
 * this poll, or one no longer where it was.  Returns NONE when it is new
 * or another link to a file, DUP when it is a directory polled already
 * (a loop through a symlink, a bind mount, a root).
 */
static uint32_t
source(struct snap *s, uint32_t dir, const struct snap_stat *st,
    uint32_t flags)
{
	const struct entry *e;
	uint32_t id, present = NONE;

	for (id = *ino_head(s, st); id != NONE; id = s->e[id].inext) {
		e = &s->e[id];
		if (e->st.dev != st->dev || e->st.ino != st->ino ||
		    !same_file(&e->st, st) || (e->flags & E_NEW))
			continue;
		if ((flags & E_DIR) &&
		    (e->parent == NONE || within(s, dir, id)))
			return DUP;
		if ((e->flags & E_LINK) != (flags & E_LINK) ||
		    !same_birth(&e->st, st))
			continue;
		if (e->flags & E_VANISHED)
			return id;
		if (present == NONE)
			present = id;
	}
	if (present == NONE)
		return NONE;
	if (still_there(s, present))
		return (flags & E_DIR) ? DUP : NONE;
	return present;
}

/* Moves id to the name in dir, whose state is st. */
static void
move(struct snap *s, uint32_t id, uint32_t dir, const char *name, size_t len,
    const struct snap_stat *st)
{
	struct entry *e;
	struct pending *p;
	enum phase phase;
	uint32_t cookie, from = s->e[id].parent, oldname = s->e[id].name;
	size_t oldlen = s->e[id].namelen;
	int present = !(s->e[id].flags & E_VANISHED);

	phase = s->e[id].flags & E_DISPLACED ? PHASE_DISPLACED : PHASE_REST;
	if (++s->cookie == 0)
		s->cookie = 1;
	cookie = s->cookie;
	queue_entry(s, id, IN_MOVED_FROM, cookie, phase);
	if (is_rules(s, id))
		rules_changed(s, from);
	if (present)
		detach(s, id);
	s->e[id].flags &= ~(E_VANISHED | E_DISPLACED | E_TAKEN);
	s->wasted += oldlen + 1;
	s->e[id].name = name_add(s, name, len);
	s->e[id].namelen = (uint32_t)len;
	attach(s, id, dir);
	/*
	 * It left a name its directory's listing matched: what that name
	 * holds now is to be found, right away if it is the directory whose
	 * new names are arriving (the old bytes stay in the arena until a
	 * compaction).
	 */
	if (present) {
		s->e[from].flags |= E_RELIST;
		if (from == s->current && lookup(s, from, s->names + oldname,
		    oldlen) == NONE)
			fresh_add(s, s->names + oldname, oldlen, DT_UNKNOWN,
			    NONE);
	}
	queue_entry(s, id, IN_MOVED_TO, cookie, phase);
	if (s->e[id].flags & E_DIR)
		queue_entry(s, id, IN_MOVE_SELF, 0, phase);
	if (is_rules(s, id))
		rules_changed(s, dir);
	/* A rename sets the ctime: no change of attributes of its own. */
	e = &s->e[id];
	if (e->st.size == st->size && e->st.mtime == st->mtime &&
	    e->st.mode == st->mode)
		e->st.ctime = st->ctime;
	if (e->pend != NONE) {
		p = &s->pend[e->pend];
		if (p->seen.size == st->size && p->seen.mtime == st->mtime &&
		    p->seen.mode == st->mode)
			p->seen.ctime = st->ctime;
	}
	(void)look(s, id, st);
}

/*
 * A name new to dir (open as dfd), listed as type (a DT_* value): pairs
 * it with the entry it moved from, or adds it as mode says.  Returns its
 * entry, or NONE when it is ignored or gone already; *movedp says
 * whether it moved there.
 */
static uint32_t
arrive(struct snap *s, uint32_t dir, int dfd, const char *name, size_t len,
    unsigned char type, enum mode mode, int *movedp)
{
	const struct snap_ops *ops = s->o.ops;
	struct snap_stat st, target;
	uint32_t id, m, flags = 0;
	int isdir, known;

	*movedp = 0;
	/* An ignored name costs no stat when the listing says what it is. */
	known = type != DT_UNKNOWN && !(type == DT_LNK && s->o.follow);
	if (known && ignored_child(s, name, len, type == DT_DIR))
		return NONE;
	if (ops->stat_at(s->o.arg, dfd, name, 0, &st) == -1)
		return NONE;
	if (S_ISLNK(st.mode) && s->o.follow &&
	    ops->stat_at(s->o.arg, dfd, name, 1, &target) == 0 &&
	    S_ISDIR(target.mode)) {
		st = target;
		flags |= E_LINK;
	}
	isdir = S_ISDIR(st.mode);
	if (isdir)
		flags |= E_DIR;
	if ((!known || (type == DT_DIR) != isdir) &&
	    ignored_child(s, name, len, isdir))
		return NONE;
	/*
	 * Where the filter changed its mind, a name unknown to a listing
	 * may have been ignored until now, or be new: born before the last
	 * listing, it is the former.
	 */
	if (mode == QUIET && (st.btime != 0 ? st.btime : st.ctime) >=
	    s->quiet_before - RACY_NS)
		mode = REPORT;
	if ((m = source(s, dir, &st, flags)) != NONE && m != DUP) {
		move(s, m, dir, name, len, &st);
		*movedp = 1;
		return m;
	}
	if (m == DUP)
		flags |= E_NOWALK;
	if (mode == REPORT && !isdir)
		flags |= E_NEW;
	if (mode == QUIET && isdir)
		flags |= E_QUIET;
	id = entry_new(s, dir, name, len, &st, flags);
	if (flags & E_QUIET)
		s->e[id].listed = s->quiet_before;
	switch (mode) {
	case REPORT:
		if (isdir)
			queue_entry(s, id, IN_CREATE, 0, PHASE_REST);
		else
			pend(s, id, &st);
		break;
	case EXISTING:
		queue_entry(s, id, IN_CREATE |
		    (S_ISREG(st.mode) ? IN_CLOSE_WRITE : 0), 0, PHASE_REST);
		break;
	case QUIET:
		break;
	}
	return id;
}

/* What n, arrived at the name of old (vanished), makes of old. */
static void
took(struct snap *s, uint32_t old, uint32_t n)
{
	if (n == NONE || !(s->e[old].flags & E_VANISHED))
		return;
	/* Its kind still there, as after a rename over it: no DELETE. */
	if ((s->e[n].flags & E_DIR) == (s->e[old].flags & E_DIR)) {
		s->e[old].flags |= E_TAKEN;
		if (s->e[n].flags & E_NEW)
			s->e[n].flags |= E_REPLACES;
	}
}

static void
push_dir(struct snap *s, uint32_t id)
{
	if (id == NONE || !walked_dir(s, id) || (s->e[id].flags & E_PUSHED))
		return;
	s->e[id].flags |= E_PUSHED;
	push(&s->stack, &s->nstack, &s->stacksize, id);
}

/* The name of id holds another file: the newcomer is to arrive. */
static void
displace(struct snap *s, uint32_t id)
{
	fresh_add(s, name_of(s, id), s->e[id].namelen, DT_UNKNOWN, id);
	gone(s, id);
	s->e[id].flags |= E_DISPLACED;
}

/*
 * As displace(), the newcomer arriving at once, in dir (open as dfd),
 * for a directory that was found replaced as it was entered.
 */
static void
replaced(struct snap *s, uint32_t dir, int dfd, uint32_t id, enum mode mode)
{
	size_t len = s->e[id].namelen;
	uint32_t n;
	char *name;
	int moved;

	name = xmemdup(name_of(s, id), len + 1);
	gone(s, id);
	s->e[id].flags |= E_DISPLACED;
	n = arrive(s, dir, dfd, name, len, DT_UNKNOWN, mode, &moved);
	free(name);
	took(s, id, n);
	push_dir(s, n);
}

static void
cannot_read(struct snap *s, uint32_t id, int err)
{
	size_t len;

	if (err == EMFILE || err == ENFILE)
		s->unscanned++;
	if (s->e[id].flags & E_WARNED)
		return;
	s->e[id].flags |= E_WARNED;
	len = entry_path(s, id);
	s->o.ops->cannot_read(s->o.arg, s->pbuf, len, err);
}

/* Notes a name new to the directory being visited. */
static void
fresh_add(struct snap *s, const char *name, size_t len, unsigned char type,
    uint32_t displaced)
{
	s->freshbuf = grow(s->freshbuf, &s->freshbufsize,
	    s->nfreshbuf + len + 1, 1);
	memcpy(s->freshbuf + s->nfreshbuf, name, len);
	s->freshbuf[s->nfreshbuf + len] = '\0';
	s->fresh = grow(s->fresh, &s->freshsize, s->nfresh + 1,
	    sizeof(*s->fresh));
	s->fresh[s->nfresh].off = s->nfreshbuf;
	s->fresh[s->nfresh].len = len;
	s->fresh[s->nfresh].type = type;
	s->fresh[s->nfresh].displaced = displaced;
	s->nfresh++;
	s->nfreshbuf += len + 1;
}

static int
on_name(void *arg, int dirfd, const char *name, size_t len,
    unsigned char type)
{
	struct snap *s = arg;
	uint32_t id;

	(void)dirfd;
	if ((id = lookup(s, s->listing, name, len)) != NONE)
		s->e[id].flags |= E_SEEN;
	else
		fresh_add(s, name, len, type, NONE);
	return 0;
}

/*
 * Lists directory id (open as fd, the walk's directory): what is missing
 * vanishes, what is new is noted to arrive.
 */
static void
list_dir(struct snap *s, uint32_t id, int fd)
{
	const struct snap_ops *ops = s->o.ops;
	const char *path;
	uint32_t c, next;
	size_t len;
	int err;

	if (!(s->e[id].flags & E_LISTED) && ops->dir_hook != NULL) {
		path = dir_path(s, &len);
		ops->dir_hook(s->o.arg, fd, path, len);
	}
	s->listing = id;
	err = ops->list(s->o.arg, fd, on_name, s) == -1 ? errno : 0;
	s->listing = NONE;
	if (err != 0) {
		for (c = s->e[id].child; c != NONE; c = s->e[c].next)
			s->e[c].flags &= ~E_SEEN;
		s->nfresh = s->nfreshbuf = 0;
		s->e[id].flags |= E_RELIST;
		cannot_read(s, id, err);
		return;
	}
	for (c = s->e[id].child; c != NONE; c = next) {
		next = s->e[c].next;
		if (s->e[c].flags & E_SEEN)
			s->e[c].flags &= ~E_SEEN;
		else
			gone(s, c);
	}
	s->e[id].flags |= E_LISTED;
	s->e[id].flags &= ~(E_RELIST | E_QUIET | E_WARNED);
	s->e[id].listed = s->wall;
	/* Listed in the tick of its last change: a later one may hide. */
	if (racy_time(s, s->e[id].st.mtime))
		s->e[id].flags |= E_RELIST;
}

/*
 * Looks at id, in dir (open as dfd), unless it is a directory to walk.
 * A newcomer at its name is noted to arrive, or arrives at once (in mode)
 * when the arrivals of dir are over.
 */
static void
look_at(struct snap *s, uint32_t dir, int dfd, uint32_t id, int now,
    enum mode mode)
{
	struct snap_stat st;

	if (s->o.ops->stat_at(s->o.arg, dfd, name_of(s, id),
	    (s->e[id].flags & E_LINK) != 0, &st) == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)
			gone(s, id);
		return;
	}
	if (look(s, id, &st) == 0)
		return;
	if (now)
		replaced(s, dir, dfd, id, mode);
	else
		displace(s, id);
}

/* Looks at directory id, in dir (open as dfd), and walks it. */
static void
enter(struct snap *s, uint32_t dir, int dfd, uint32_t id, enum mode mode)
{
	const struct snap_ops *ops = s->o.ops;
	struct snap_stat st;
	size_t pathlen = s->pathlen;
	int fd, err;

	fd = ops->open_at(s->o.arg, dfd, name_of(s, id),
	    (s->e[id].flags & E_LINK) != 0);
	if (fd == -1) {
		err = errno;
		if (err == ENOENT)
			gone(s, id);
		else if (err == ENOTDIR || err == ELOOP)
			look_at(s, dir, dfd, id, 1, mode);
		else
			cannot_read(s, id, err);
		return;
	}
	if (s->e[id].gen != s->gen) {
		if (ops->stat_fd(s->o.arg, fd, &st) == -1) {
			cannot_read(s, id, errno);
			ops->close(s->o.arg, fd);
			return;
		}
		if (look(s, id, &st) == -1) {
			ops->close(s->o.arg, fd);
			replaced(s, dir, dfd, id, mode);
			return;
		}
	}
	set_pathlen(s, child_path(s, name_of(s, id), s->e[id].namelen, 1));
	visit(s, id, fd, mode);
	set_pathlen(s, pathlen);
	ops->close(s->o.arg, fd);
}

/*
 * Walks directory id, open as fd, whose path is the walk's: lists it if
 * need be, looks at what it held, then lets what is new to it arrive (so
 * that every file that left one of its names is known by then), then
 * walks its directories.  mode is for the listings of directories never
 * listed.
 */
static void
visit(struct snap *s, uint32_t id, int fd, enum mode mode)
{
	const struct fresh *f;
	enum mode lmode;
	int64_t quiet_before;
	uint32_t c, next, n;
	size_t base, i;
	int moved;

	lmode = REPORT;
	if (s->e[id].flags & E_QUIET)
		lmode = QUIET;
	else if (!(s->e[id].flags & E_LISTED))
		lmode = mode;
	quiet_before = s->e[id].flags & (E_LISTED | E_QUIET) ?
	    s->e[id].listed : INT64_MAX;
	s->nfresh = s->nfreshbuf = 0;
	if (!(s->e[id].flags & E_LISTED) || (s->e[id].flags & E_RELIST))
		list_dir(s, id, fd);
	base = s->nstack;
	for (c = s->e[id].child; c != NONE; c = next) {
		next = s->e[c].next;
		if (walked_dir(s, c))
			push_dir(s, c);
		else if (s->e[c].gen != s->gen)
			look_at(s, id, fd, c, 0, lmode);
	}
	/* A move out of one of its names notes that name too: see move(). */
	s->current = id;
	s->quiet_before = quiet_before;
	for (i = 0; i < s->nfresh; i++) {
		f = &s->fresh[i];
		n = arrive(s, id, fd, s->freshbuf + f->off, f->len, f->type,
		    lmode, &moved);
		if (f->displaced != NONE)
			took(s, f->displaced, n);
		push_dir(s, n);
	}
	s->current = NONE;
	for (i = base; i < s->nstack; i++) {
		c = s->stack[i];
		s->e[c].flags &= ~E_PUSHED;
		/* What replaces c arrives here, not where a visit was. */
		s->quiet_before = quiet_before;
		if (s->e[c].parent == id &&
		    !(s->e[c].flags & (E_VANISHED | E_FREE)))
			enter(s, id, fd, c, mode);
	}
	s->nstack = base;
}

/* Queues the deletion of id (top: the entry that vanished) and below. */
static void
queue_deletes(struct snap *s, uint32_t id, int top)
{
	uint32_t c, isdir = s->e[id].flags & E_DIR ? IN_ISDIR : 0;
	size_t len;

	for (c = s->e[id].child; c != NONE; c = s->e[c].next)
		queue_deletes(s, c, 0);
	/* Never reported, unless in the place of one never reported gone. */
	if ((s->e[id].flags & (E_NEW | E_REPLACES)) == E_NEW)
		return;
	len = entry_path(s, id);
	if (isdir)
		queue(s, s->pbuf, len, IN_DELETE_SELF | isdir, 0, PHASE_GONE);
	if (!top || !(s->e[id].flags & E_TAKEN))
		queue(s, s->pbuf, len, IN_DELETE | isdir, 0, PHASE_GONE);
	if (top && is_rules(s, id))
		rules_changed(s, s->e[id].parent);
}

/* What vanished and did not turn up elsewhere was deleted. */
static void
resolve(struct snap *s)
{
	uint32_t id;
	size_t i;

	/* Every path is built before anything is freed. */
	for (i = 0; i < s->nvanished; i++) {
		id = s->vanished[i];
		if ((s->e[id].flags & (E_VANISHED | E_SEEN | E_FREE)) !=
		    E_VANISHED)
			continue;
		queue_deletes(s, id, 1);
		s->e[id].flags |= E_SEEN;
	}
	for (i = 0; i < s->nvanished; i++) {
		id = s->vanished[i];
		if ((s->e[id].flags & (E_SEEN | E_FREE)) == E_SEEN)
			free_subtree(s, id);
	}
	s->nvanished = 0;
}

/* Drops what the filter now ignores below id, the walk's directory. */
static void
drop_ignored(struct snap *s, uint32_t id)
{
	size_t pathlen = s->pathlen, plen;
	uint32_t c, next;

	for (c = s->e[id].child; c != NONE; c = next) {
		next = s->e[c].next;
		plen = child_path(s, name_of(s, c), s->e[c].namelen,
		    s->e[c].flags & E_DIR);
		if (s->o.ops->ignored(s->o.arg, s->path, plen)) {
			free_subtree(s, c);
			continue;
		}
		if (walked_dir(s, c)) {
			s->e[c].flags |= E_RELIST | E_QUIET;
			set_pathlen(s, plen);
			drop_ignored(s, c);
			set_pathlen(s, pathlen);
		}
	}
}

/*
 * The rules file in directory id changed: tells the hook, drops what the
 * filter now ignores below, and walks it, recording what it no longer
 * ignores.
 */
static void
reread_rules(struct snap *s, uint32_t id)
{
	char *path;
	size_t len;
	int fd;

	len = entry_path(s, id);
	path = xmemdup(s->pbuf, len + 1 + PATH_PAD);
	fd = s->o.ops->open_path(s->o.arg, path);
	if (fd != -1 && s->o.ops->dir_hook != NULL)
		s->o.ops->dir_hook(s->o.arg, fd, path, len);
	free(path);
	if (fd == -1)
		return;
	walk_from(s, id);
	drop_ignored(s, id);
	s->e[id].flags |= E_RELIST | E_QUIET;
	visit(s, id, fd, QUIET);
	s->o.ops->close(s->o.arg, fd);
}

static void
reread_all_rules(struct snap *s)
{
	uint32_t *dirs = s->rules, id;
	size_t i, k, n = s->nrules;

	s->rules = NULL;
	s->nrules = s->rulessize = 0;
	for (i = 0; i < n; i++) {
		id = dirs[i];
		for (k = 0; k < i && dirs[k] != id; k++)
			;
		if (k == i && (s->e[id].flags & (E_DIR | E_VANISHED |
		    E_FREE)) == E_DIR)
			reread_rules(s, id);
	}
	free(dirs);
}

static void
compact_names(struct snap *s)
{
	char *old = s->names;
	size_t i;

	s->names = NULL;
	s->nnames = s->namesize = s->wasted = 0;
	for (i = 0; i < s->ne; i++)
		if (!(s->e[i].flags & E_FREE))
			s->e[i].name = name_add(s, old + s->e[i].name,
			    s->e[i].namelen);
	free(old);
}

static void
begin(struct snap *s, uint64_t now, int64_t wall)
{
	uint32_t id;
	size_t i;

	s->now = now;
	s->wall = wall;
	if (++s->gen == 0) {
		for (i = 0; i < s->ne; i++)
			s->e[i].gen = 0;
		s->gen = 1;
	}
	while ((id = s->freed) != NONE) {
		s->freed = s->e[id].next;
		s->e[id].next = s->freelist;
		s->freelist = id;
	}
	if (s->wasted > ARENA_SLACK && s->wasted > s->nnames / 2)
		compact_names(s);
}

static size_t
end(struct snap *s)
{
	int round;

	for (round = 0;; round++) {
		resolve(s);
		if (s->nrules == 0 || round == MAX_ROUNDS)
			break;
		reread_all_rules(s);
	}
	s->nrules = 0;
	return flush(s);
}

struct snap *
snap_new(const struct snap_opts *opts)
{
	struct snap *s;

	s = xcalloc(1, sizeof(*s));
	s->o = *opts;
	if (s->o.rules_name != NULL)
		s->rules_len = strlen(s->o.rules_name);
	s->freelist = s->freed = s->listing = s->current = NONE;
	rehash(s);
	return s;
}

void
snap_free(struct snap *s)
{
	if (s == NULL)
		return;
	free(s->e);
	free(s->names);
	free(s->byname);
	free(s->byino);
	free(s->pend);
	free(s->roots);
	free(s->vanished);
	free(s->stack);
	free(s->rules);
	free(s->fresh);
	free(s->freshbuf);
	free(s->q);
	free(s->qbuf);
	free(s->path);
	free(s->pbuf);
	free(s);
}

/* Whether st is a directory in the snapshot already. */
static int
dir_known(struct snap *s, const struct snap_stat *st)
{
	uint32_t id;

	for (id = *ino_head(s, st); id != NONE; id = s->e[id].inext)
		if ((s->e[id].flags & E_DIR) && same_file(&s->e[id].st, st))
			return 1;
	return 0;
}

int
snap_add_root(struct snap *s, const char *path, int existing, uint64_t now,
    int64_t wall, uint32_t *idp)
{
	const struct snap_ops *ops = s->o.ops;
	struct snap_stat st;
	uint32_t id;
	int fd, err;

	if ((fd = ops->open_path(s->o.arg, path)) == -1)
		return -1;
	err = 0;
	if (ops->stat_fd(s->o.arg, fd, &st) == -1)
		err = errno;
	else if (!S_ISDIR(st.mode))
		err = ENOTDIR;
	else if (dir_known(s, &st))
		err = EEXIST;
	if (err != 0) {
		ops->close(s->o.arg, fd);
		errno = err;
		return -1;
	}
	begin(s, now, wall);
	id = entry_new(s, NONE, path, strlen(path), &st, E_DIR);
	push(&s->roots, &s->nroots, &s->rootsize, id);
	walk_from(s, id);
	visit(s, id, fd, existing ? EXISTING : QUIET);
	ops->close(s->o.arg, fd);
	(void)end(s);
	*idp = id;
	return 0;
}

static void
forget_root(struct snap *s, uint32_t id)
{
	size_t i;

	for (i = 0; i < s->nroots && s->roots[i] != id; i++)
		;
	if (i == s->nroots)
		return;
	memmove(s->roots + i, s->roots + i + 1,
	    (s->nroots - i - 1) * sizeof(*s->roots));
	s->nroots--;
	free_subtree(s, id);
}

void
snap_drop_root(struct snap *s, uint32_t id)
{
	forget_root(s, id);
}

/* Root id is gone (err as for snap_ops' lost): reports it, forgets it. */
static void
lose(struct snap *s, uint32_t id, int err)
{
	uint32_t c;
	char *path;

	for (c = s->e[id].child; c != NONE; c = s->e[c].next)
		queue_deletes(s, c, 0);
	queue_entry(s, id, IN_DELETE_SELF, 0, PHASE_GONE);
	queue_entry(s, id, IN_IGNORED, 0, PHASE_GONE);
	path = xstrdup(name_of(s, id));
	forget_root(s, id);
	s->o.ops->lost(s->o.arg, id, path, err);
	free(path);
}

/* Polls root id; returns -1 when it is gone. */
static int
poll_root(struct snap *s, uint32_t id)
{
	const struct snap_ops *ops = s->o.ops;
	struct snap_stat st;
	int fd, err;

	if ((fd = ops->open_path(s->o.arg, name_of(s, id))) == -1) {
		lose(s, id, errno);
		return -1;
	}
	err = 0;
	if (ops->stat_fd(s->o.arg, fd, &st) == -1)
		err = errno;
	else if (look(s, id, &st) == -1)
		err = -1;
	if (err != 0) {
		ops->close(s->o.arg, fd);
		lose(s, id, err == -1 ? 0 : err);
		return -1;
	}
	walk_from(s, id);
	visit(s, id, fd, REPORT);
	ops->close(s->o.arg, fd);
	return 0;
}

size_t
snap_poll(struct snap *s, uint64_t now, int64_t wall)
{
	size_t i = 0;

	begin(s, now, wall);
	s->unscanned = 0;
	while (i < s->nroots)
		if (poll_root(s, s->roots[i]) == 0)
			i++;
	return end(s);
}

size_t
snap_settle(struct snap *s, uint64_t now, int64_t wall)
{
	struct snap_stat st;
	uint32_t id;
	size_t i;

	begin(s, now, wall);
	for (i = 0; i < s->npend; i++)
		if (s->pend[i].at + s->o.settle <= now)
			push(&s->stack, &s->nstack, &s->stacksize,
			    s->pend[i].id);
	for (i = 0; i < s->nstack; i++) {
		id = s->stack[i];
		if (s->e[id].pend == NONE || s->e[id].gen == s->gen)
			continue;
		(void)entry_path(s, id);
		/* Gone or replaced: the next poll finds where to. */
		if (s->o.ops->stat_path(s->o.arg, s->pbuf, 0, &st) == -1 ||
		    look(s, id, &st) == -1)
			s->pend[s->e[id].pend].at = now;
	}
	s->nstack = 0;
	return end(s);
}

uint64_t
snap_settle_due(const struct snap *s)
{
	uint64_t due = UINT64_MAX;
	size_t i;

	for (i = 0; i < s->npend; i++)
		if (s->pend[i].at + s->o.settle < due)
			due = s->pend[i].at + s->o.settle;
	return due;
}

size_t
snap_refilter(struct snap *s, uint64_t now, int64_t wall)
{
	uint32_t id;
	size_t i;

	for (i = 0; i < s->nroots; i++) {
		id = s->roots[i];
		walk_from(s, id);
		drop_ignored(s, id);
		s->e[id].flags |= E_RELIST | E_QUIET;
	}
	return snap_poll(s, now, wall);
}

size_t
snap_dirs(const struct snap *s)
{
	return s->ndirs;
}

size_t
snap_roots(const struct snap *s)
{
	return s->nroots;
}

size_t
snap_unscanned(const struct snap *s)
{
	return s->unscanned;
}
