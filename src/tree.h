/*
 * tree.h: the watch tree.  Owns one node per watched directory, stored as
 * (parent, name, watch descriptor) so that renaming a directory is one
 * node's change, a table from watch descriptor to node, and the buffer in
 * which paths are built on demand.  Makes no system calls.
 */
#ifndef WATCHRUN_TREE_H
#define WATCHRUN_TREE_H

struct tree;
struct tnode;

/* Called with each watch descriptor a removal drops. */
typedef void	 tree_drop_cb(void *arg, int wd);

struct tree	*tree_new(void);
void		 tree_free(struct tree *);	/* NULL is a no-op */

/*
 * Adds a node for watch descriptor wd, named by the len bytes at name,
 * below parent, or as a root when parent is NULL (the name is then the
 * root path as given, without trailing slashes).  wd must not be in the
 * tree yet.  Returns the node, owned by the tree.
 */
struct tnode	*tree_add(struct tree *, struct tnode *parent, const char *name,
		    size_t len, int wd);

/* Returns the node of wd, or NULL. */
struct tnode	*tree_lookup(const struct tree *, int wd);

/*
 * Returns parent's child named by the len bytes at name, or NULL.  Walks
 * every node: for renames, not for every event.
 */
struct tnode	*tree_child(const struct tree *, const struct tnode *parent,
		    const char *name, size_t len);

/*
 * Moves node below newparent under a new name; the subtree follows.  The
 * node may move in memory: use the returned pointer.  newparent must not
 * lie inside node's subtree.
 */
struct tnode	*tree_move(struct tree *, struct tnode *, struct tnode *newparent,
		    const char *name, size_t len);

/*
 * Removes node and its whole subtree, calling drop(arg, wd) for each
 * removed node, deepest first.  drop may be NULL.
 */
void		 tree_remove(struct tree *, struct tnode *, tree_drop_cb *drop,
		    void *arg);

/*
 * Stores in *wdsp (allocated, owned by the caller) the watch descriptors
 * of the nodes below n, shallower ones first, and returns how many.
 * Walks every node.
 */
size_t		 tree_below(const struct tree *, const struct tnode *n,
		    int **wdsp);

/*
 * Builds the path of the entry named by the len bytes at name inside node,
 * or of node itself when len is 0, with a trailing '/' for directories.
 * Returns a NUL-terminated string owned by the tree, valid until the next
 * call (the caller may change bytes within it meanwhile), and stores its
 * length in *lenp.
 */
char		*tree_path(struct tree *, const struct tnode *, const char *name,
		    size_t len, int isdir, size_t *lenp);

/* Whether a is b or lies inside b's subtree. */
int		 tree_within(const struct tnode *a, const struct tnode *b);

int		 tree_wd(const struct tnode *);
struct tnode	*tree_parent(const struct tnode *);
const char	*tree_name(const struct tnode *, size_t *lenp);
size_t		 tree_count(const struct tree *);
size_t		 tree_roots(const struct tree *);

/* A mark bit per node, for the sweep after a rescan. */
void		 tree_set_mark(struct tnode *, int);
int		 tree_mark(const struct tnode *);
void		 tree_clear_marks(struct tree *);

/*
 * Small counts per node for the watch layer: how many of its own reads
 * have yet to show their close, of the directory (TREE_READ_DIR) and of
 * a file in it (TREE_READ_RULES).  Counting saturates at 255 and stops
 * at 0.
 */
#define TREE_READ_DIR	0
#define TREE_READ_RULES	1
#define TREE_READS	2
unsigned	 tree_own_reads(const struct tnode *, int which);
void		 tree_count_own_read(struct tnode *, int which, int delta);
void		 tree_clear_own_reads(struct tree *);

/*
 * Stores in *wdsp (allocated, owned by the caller) the watch descriptors
 * of every unmarked node and returns how many.
 */
size_t		 tree_unmarked(const struct tree *, int **wdsp);

#endif
