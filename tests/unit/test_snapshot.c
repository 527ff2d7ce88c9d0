/*
 * test_snapshot.c: unit tests for the polling snapshot, over a tree kept
 * in memory: what a poll reports for creations, writes that settle,
 * deletions, moves within and across directories, a directory moved with
 * its contents, a file turned directory, an inode reused, names taken by
 * renames; and what it reads: listings skipped when nothing changed,
 * ignored directories never read, the rules hook, lost roots.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mask.h"
#include "snapshot.h"

#define MAXNODES	128
#define MAXFDS		32
#define MAXEVENTS	64
#define MS		1000		/* µs */
#define SETTLE		(100 * MS)

/* A file or directory of the fake tree; node 0 is unused. */
struct fnode {
	char		 name[32];
	int		 parent;	/* 0: detached (a root, or deleted) */
	int		 live;
	int		 target;	/* a symlink's directory, or 0 */
	struct snap_stat st;
};

static struct {
	struct fnode	 n[MAXNODES];
	int		 nn;
	uint64_t	 ino;
	int64_t		 wall;		/* ns */
	uint64_t	 now;		/* µs */
	int		 fd[MAXFDS];	/* fd - 100 -> node, 0: free */
	int		 lists[MAXNODES];
	int		 stats[MAXNODES];
	int		 pathstats;	/* stat_path() calls */
	char		 ev[MAXEVENTS][128];
	uint32_t	 cookie[MAXEVENTS];
	int		 nev;
	char		 hooks[16][64];
	int		 nhooks;
	char		 unread[8][64];
	int		 nunread;
	int		 lost;
	const char	*ignore;	/* paths ending so are ignored */
	int		 unreadable;	/* a node whose listing fails */
} F;

static struct snap *S;

/* The tree. */

static void
tick(int ms)
{
	F.wall += (int64_t)ms * 1000000;
	F.now += (uint64_t)ms * MS;
}

static int
child(int dir, const char *name)
{
	int i;

	for (i = 1; i < F.nn; i++)
		if (F.n[i].live && F.n[i].parent == dir &&
		    strcmp(F.n[i].name, name) == 0)
			return i;
	return 0;
}

/* The node at path ("w/a/b"), the root named by its first component. */
static int
find(const char *path)
{
	char buf[128], *p, *slash;
	int n = 0, i;

	snprintf(buf, sizeof(buf), "%s", path);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	for (i = 1; i < F.nn && n == 0; i++)
		if (F.n[i].live && F.n[i].parent == 0 &&
		    strcmp(F.n[i].name, buf) == 0)
			n = i;
	for (p = slash; p != NULL && n != 0; p = slash) {
		p++;
		if ((slash = strchr(p, '/')) != NULL)
			*slash = '\0';
		if (*p != '\0')
			n = child(n, p);
	}
	return n;
}

static void
changed(int n)
{
	F.n[n].st.mtime = F.n[n].st.ctime = F.wall;
}

/* Makes path, of mode, in its parent (or as a root); returns its node. */
static int
make(const char *path, uint32_t mode, uint64_t ino)
{
	char dir[128];
	const char *slash = strrchr(path, '/');
	struct fnode *f;
	int parent = 0;

	if (slash != NULL) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		parent = find(dir);
		assert_true(parent != 0);
		changed(parent);
	}
	assert_true(F.nn < MAXNODES);
	f = &F.n[F.nn];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s",
	    slash != NULL ? slash + 1 : path);
	f->parent = parent;
	f->live = 1;
	f->st.dev = 1;
	f->st.ino = ino != 0 ? ino : ++F.ino;
	f->st.mode = mode;
	f->st.mtime = f->st.ctime = f->st.btime = F.wall;
	return F.nn++;
}

static int
mkdir_(const char *path)
{
	return make(path, S_IFDIR | 0755, 0);
}

/* Writes size bytes to path, making it if need be. */
static void
write_(const char *path, int64_t size)
{
	int n = find(path);

	if (n == 0)
		n = make(path, S_IFREG | 0644, 0);
	F.n[n].st.size = size;
	changed(n);
}

static void
unlink_node(int n)
{
	int i;

	for (i = 1; i < F.nn; i++)
		if (F.n[i].live && F.n[i].parent == n)
			unlink_node(i);
	F.n[n].live = 0;
}

static void
rm(const char *path)
{
	int n = find(path);

	assert_true(n != 0);
	if (F.n[n].parent != 0)
		changed(F.n[n].parent);
	unlink_node(n);
}

/* rename(2): what to names is replaced. */
static void
mv(const char *from, const char *to)
{
	char dir[128];
	const char *slash = strrchr(to, '/');
	int n = find(from), old = find(to), parent;

	assert_true(n != 0);
	if (slash != NULL) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - to), to);
		parent = find(dir);
		assert_true(parent != 0);
		changed(parent);
	} else
		parent = 0;	/* a root renamed */
	if (old != 0)
		unlink_node(old);
	if (F.n[n].parent != 0)
		changed(F.n[n].parent);
	F.n[n].parent = parent;
	snprintf(F.n[n].name, sizeof(F.n[n].name), "%s",
	    slash != NULL ? slash + 1 : to);
	F.n[n].st.ctime = F.wall;
}

/* The operations. */

static int
new_fd(int n)
{
	int i;

	for (i = 0; i < MAXFDS; i++)
		if (F.fd[i] == 0) {
			F.fd[i] = n;
			return 100 + i;
		}
	fail_msg("out of fake descriptors");
	return -1;
}

static int
node_of(int fd)
{
	assert_true(fd >= 100 && fd < 100 + MAXFDS && F.fd[fd - 100] != 0);
	return F.fd[fd - 100];
}

/* Follows a symlink when asked; fails as the system calls would. */
static int
resolve(int n, int follow, int wantdir)
{
	if (n == 0) {
		errno = ENOENT;
		return -1;
	}
	if (follow && F.n[n].target != 0)
		n = F.n[n].target;
	if (wantdir && !S_ISDIR(F.n[n].st.mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return n;
}

static int
op_open_path(void *arg, const char *path)
{
	int n;

	(void)arg;
	if ((n = resolve(find(path), 1, 1)) == -1)
		return -1;
	return new_fd(n);
}

static int
op_open_at(void *arg, int dirfd, const char *name, int follow)
{
	int n;

	(void)arg;
	if ((n = resolve(child(node_of(dirfd), name), follow, 1)) == -1)
		return -1;
	return new_fd(n);
}

static void
op_close(void *arg, int fd)
{
	(void)arg;
	(void)node_of(fd);
	F.fd[fd - 100] = 0;
}

static int
stat_node(int n, struct snap_stat *st)
{
	if (n == -1)
		return -1;
	F.stats[n]++;
	*st = F.n[n].st;
	return 0;
}

static int
op_stat_fd(void *arg, int fd, struct snap_stat *st)
{
	(void)arg;
	return stat_node(node_of(fd), st);
}

static int
op_stat_at(void *arg, int dirfd, const char *name, int follow,
    struct snap_stat *st)
{
	(void)arg;
	return stat_node(resolve(child(node_of(dirfd), name), follow, 0), st);
}

static int
op_stat_path(void *arg, const char *path, int follow, struct snap_stat *st)
{
	(void)arg;
	F.pathstats++;
	return stat_node(resolve(find(path), follow, 0), st);
}

static int
op_list(void *arg, int fd, snap_name_fn *fn, void *fnarg)
{
	int dir = node_of(fd), i;
	unsigned char type;

	(void)arg;
	if (dir == F.unreadable) {
		errno = EACCES;
		return -1;
	}
	F.lists[dir]++;
	for (i = 1; i < F.nn; i++) {
		if (!F.n[i].live || F.n[i].parent != dir)
			continue;
		type = S_ISDIR(F.n[i].st.mode) ? DT_DIR :
		    S_ISLNK(F.n[i].st.mode) ? DT_LNK : DT_REG;
		(void)fn(fnarg, fd, F.n[i].name, strlen(F.n[i].name), type);
	}
	return 0;
}

static int
op_ignored(void *arg, const char *path, size_t len)
{
	size_t n = F.ignore != NULL ? strlen(F.ignore) : 0;

	(void)arg;
	assert_int_equal(strlen(path), len);
	return n > 0 && len >= n && memcmp(path + len - n, F.ignore, n) == 0;
}

static void
op_dir_hook(void *arg, int fd, const char *path, size_t len)
{
	(void)arg;
	(void)node_of(fd);
	assert_int_equal(strlen(path), len);
	assert_true(F.nhooks < 16);
	snprintf(F.hooks[F.nhooks++], sizeof(F.hooks[0]), "%s", path);
}

static void
op_event(void *arg, const char *path, size_t len, uint32_t mask,
    uint32_t cookie)
{
	char names[96];

	(void)arg;
	assert_int_equal(strlen(path), len);
	assert_true(F.nev < MAXEVENTS);
	(void)mask_format(mask, names, sizeof(names));
	snprintf(F.ev[F.nev], sizeof(F.ev[0]), "%s %s", names, path);
	F.cookie[F.nev++] = cookie;
}

static void
op_cannot_read(void *arg, const char *path, size_t len, int err)
{
	(void)arg;
	(void)len;
	assert_int_equal(err, EACCES);
	assert_true(F.nunread < 8);
	snprintf(F.unread[F.nunread++], sizeof(F.unread[0]), "%s", path);
}

static void
op_lost(void *arg, uint32_t id, const char *path, int err)
{
	(void)arg;
	(void)id;
	(void)path;
	(void)err;
	F.lost++;
}

static const struct snap_ops ops = {
	.open_path = op_open_path,
	.open_at = op_open_at,
	.close = op_close,
	.stat_fd = op_stat_fd,
	.stat_at = op_stat_at,
	.stat_path = op_stat_path,
	.list = op_list,
	.ignored = op_ignored,
	.dir_hook = op_dir_hook,
	.event = op_event,
	.cannot_read = op_cannot_read,
	.lost = op_lost,
};

/* Driving it. */

static int
setup(void **state)
{
	struct snap_opts o;

	(void)state;
	memset(&F, 0, sizeof(F));
	F.nn = 1;
	F.wall = 1700000000LL * 1000000000LL;
	F.now = 1000000000;
	memset(&o, 0, sizeof(o));
	o.ops = &ops;
	o.settle = SETTLE;
	o.rules_name = ".gitignore";
	S = snap_new(&o);
	return 0;
}

static int
teardown(void **state)
{
	int i;

	(void)state;
	snap_free(S);
	S = NULL;
	for (i = 0; i < MAXFDS; i++)
		assert_int_equal(F.fd[i], 0);
	return 0;
}

static uint32_t
add_root(const char *path, int existing)
{
	uint32_t id;

	/* Past the tick of the tree's making: nothing recent to list again. */
	tick(1000);
	assert_int_equal(snap_add_root(S, path, existing, F.now, F.wall, &id),
	    0);
	return id;
}

/* A poll a second after the changes, then one a settle time later. */
static void
poll_twice(void)
{
	tick(1000);
	(void)snap_poll(S, F.now, F.wall);
	tick(SETTLE / MS);
	(void)snap_poll(S, F.now, F.wall);
}

static void
poll_once(int ms)
{
	tick(ms);
	(void)snap_poll(S, F.now, F.wall);
}

/* The events reported since the last call are exactly these, in order. */
static void
expect_events(const char *first, ...)
{
	va_list ap;
	const char *want;
	int i = 0, ok = 1;

	va_start(ap, first);
	for (want = first; want != NULL; want = va_arg(ap, const char *), i++)
		if (i >= F.nev || strcmp(F.ev[i], want) != 0)
			ok = 0;
	va_end(ap);
	if (!ok || i != F.nev) {
		for (i = 0; i < F.nev; i++)
			print_message("# got: %s\n", F.ev[i]);
		fail_msg("events differ from those expected");
	}
	F.nev = 0;
}

#define expect_none()	expect_events(NULL)

/* A tree: w/, w/a, w/d/, w/d/f. */
static void
small_tree(void)
{
	mkdir_("w");
	write_("w/a", 1);
	mkdir_("w/d");
	write_("w/d/f", 2);
}

static void
test_snap_first_walk_records_quietly(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	expect_none();
	assert_int_equal(snap_dirs(S), 2);
	assert_int_equal(snap_roots(S), 1);
	poll_twice();
	expect_none();
}

static void
test_snap_existing_reports_what_is_there(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 1);
	expect_events("WRITE|CREATE w/a", "CREATE|ISDIR w/d/",
	    "WRITE|CREATE w/d/f", NULL);
}

static void
test_snap_new_file_reported_once_settled(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	write_("w/new", 5);
	poll_once(1000);
	expect_none();
	/* A look sooner than the settle time does not count. */
	assert_int_equal(snap_settle_due(S), F.now + SETTLE);
	poll_once(SETTLE / MS / 2);
	expect_none();
	tick(SETTLE / MS / 2);
	(void)snap_settle(S, F.now, F.wall);
	expect_events("MODIFY|WRITE|CREATE w/new", NULL);
	assert_int_equal(snap_settle_due(S), UINT64_MAX);
	poll_twice();
	expect_none();
}

static void
test_snap_empty_file_created_without_modify(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	write_("w/empty", 0);
	poll_twice();
	expect_events("WRITE|CREATE w/empty", NULL);
}

static void
test_snap_write_reported_when_it_settles(void **state)
{
	int i;

	(void)state;
	small_tree();
	(void)add_root("w", 0);
	/* Written in pieces, each before the look that would settle it. */
	for (i = 1; i <= 5; i++) {
		write_("w/a", 10 * i);
		poll_once(SETTLE / MS);
		expect_none();
	}
	poll_once(SETTLE / MS);
	expect_events("MODIFY|WRITE w/a", NULL);
	poll_twice();
	expect_none();
}

static void
test_snap_attrib_for_a_ctime_change(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	F.n[find("w/a")].st.ctime = F.wall;
	F.n[find("w/d")].st.mode ^= 0022;
	poll_twice();
	expect_events("ATTRIB|ISDIR w/d/", "ATTRIB w/a", NULL);
}

static void
test_snap_delete(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	rm("w/a");
	poll_once(1000);
	expect_events("DELETE w/a", NULL);
	rm("w/d");
	poll_once(1000);
	expect_events("DELETE w/d/f", "DELETE_SELF|ISDIR w/d/",
	    "DELETE|ISDIR w/d/", NULL);
	assert_int_equal(snap_dirs(S), 1);
}

static void
test_snap_new_file_gone_before_settling(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	write_("w/tmp", 3);
	poll_once(1000);
	rm("w/tmp");
	poll_twice();
	expect_none();
}

static void
test_snap_move_within_a_directory(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	tick(10);
	mv("w/a", "w/b");
	poll_once(1000);
	expect_events("MOVED_FROM w/a", "MOVED_TO w/b", NULL);
	/* Known gone from its listing: no need to look for it by path. */
	assert_int_equal(F.pathstats, 0);
	assert_int_not_equal(F.cookie[0], 0);
	assert_int_equal(F.cookie[0], F.cookie[1]);
	/* The rename's new ctime is no change of attributes. */
	poll_twice();
	expect_none();
	write_("w/b", 7);
	poll_twice();
	expect_events("MODIFY|WRITE w/b", NULL);
}

/* Across directories, whichever the walk reaches first. */
static void
move_across(const char *from, const char *to)
{
	mkdir_("w");
	mkdir_("w/d1");
	mkdir_("w/d2");
	write_(from, 1);
	(void)add_root("w", 0);
	mv(from, to);
	poll_once(1000);
	expect_events(strcmp(from, "w/d1/f") == 0 ? "MOVED_FROM w/d1/f" :
	    "MOVED_FROM w/d2/f", strcmp(to, "w/d2/f") == 0 ?
	    "MOVED_TO w/d2/f" : "MOVED_TO w/d1/f", NULL);
	assert_int_equal(F.cookie[0], F.cookie[1]);
	poll_twice();
	expect_none();
}

static void
test_snap_move_across_directories(void **state)
{
	(void)state;
	move_across("w/d1/f", "w/d2/f");
}

static void
test_snap_move_across_directories_backwards(void **state)
{
	(void)state;
	move_across("w/d2/f", "w/d1/f");
}

static void
test_snap_directory_moved_with_contents(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	mkdir_("w/other");
	poll_once(1000);
	expect_events("CREATE|ISDIR w/other/", NULL);
	mv("w/d", "w/other/e");
	poll_once(1000);
	expect_events("MOVED_FROM|ISDIR w/d/", "MOVED_TO|ISDIR w/other/e/",
	    "MOVE_SELF|ISDIR w/other/e/", NULL);
	/* Its contents came along, unreported, and are found there. */
	write_("w/other/e/f", 9);
	poll_twice();
	expect_events("MODIFY|WRITE w/other/e/f", NULL);
	assert_int_equal(snap_dirs(S), 3);
}

static void
test_snap_file_turned_directory(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	rm("w/a");
	mkdir_("w/a");
	write_("w/a/in", 1);
	poll_once(1000);
	/* The deletion first, though found last. */
	expect_events("DELETE w/a", "CREATE|ISDIR w/a/", NULL);
	poll_once(SETTLE / MS);
	expect_events("MODIFY|WRITE|CREATE w/a/in", NULL);
}

static void
test_snap_inode_reuse_is_no_move(void **state)
{
	uint64_t ino;

	(void)state;
	small_tree();
	(void)add_root("w", 0);
	ino = F.n[find("w/a")].st.ino;
	rm("w/a");
	tick(5);
	(void)make("w/b", S_IFREG | 0644, ino);
	poll_twice();
	expect_events("DELETE w/a", "WRITE|CREATE w/b", NULL);
}

static void
test_snap_inode_reuse_without_birth_time(void **state)
{
	uint64_t ino;

	(void)state;
	small_tree();
	F.n[find("w/a")].st.btime = 0;
	(void)add_root("w", 0);
	ino = F.n[find("w/a")].st.ino;
	rm("w/a");
	tick(5);
	F.n[make("w/b", S_IFREG | 0644, ino)].st.btime = 0;
	poll_twice();
	expect_events("DELETE w/a", "WRITE|CREATE w/b", NULL);
}

static void
test_snap_rename_over_a_file(void **state)
{
	(void)state;
	small_tree();
	write_("w/b", 1);
	(void)add_root("w", 0);
	mv("w/a", "w/b");
	poll_twice();
	expect_events("MOVED_FROM w/a", "MOVED_TO w/b", NULL);
}

static void
test_snap_file_replaced_by_a_new_one(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	/* An editor's save: a new file renamed over the old one. */
	rm("w/a");
	write_("w/a", 4);
	poll_twice();
	expect_events("MODIFY|WRITE|CREATE w/a", NULL);
	/* Replaced, then gone before it settled: the deletion is owed. */
	rm("w/a");
	write_("w/a", 4);
	poll_once(1000);
	rm("w/a");
	poll_twice();
	expect_events("DELETE w/a", NULL);
}

static void
test_snap_names_passed_along(void **state)
{
	(void)state;
	small_tree();
	write_("w/b", 1);
	write_("w/c", 1);
	(void)add_root("w", 0);
	/* mv b c; mv a b */
	mv("w/b", "w/c");
	mv("w/a", "w/b");
	poll_once(1000);
	expect_events("MOVED_FROM w/b", "MOVED_TO w/c", "MOVED_FROM w/a",
	    "MOVED_TO w/b", NULL);
	poll_twice();
	expect_none();
}

static void
test_snap_hard_link_is_no_move(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	F.n[make("w/link", S_IFREG | 0644, F.n[find("w/a")].st.ino)].st =
	    F.n[find("w/a")].st;
	poll_twice();
	expect_events("MODIFY|WRITE|CREATE w/link", NULL);
}

static void
test_snap_unchanged_directories_not_listed(void **state)
{
	int w, d;

	(void)state;
	small_tree();
	(void)add_root("w", 0);
	w = find("w");
	d = find("w/d");
	assert_int_equal(F.lists[w], 1);
	assert_int_equal(F.lists[d], 1);
	/* A write changes no directory: looked at, not listed. */
	write_("w/d/f", 3);
	poll_twice();
	expect_events("MODIFY|WRITE w/d/f", NULL);
	assert_int_equal(F.lists[w], 1);
	assert_int_equal(F.lists[d], 1);
	assert_int_equal(F.stats[find("w/a")], 3);
	write_("w/d/g", 3);
	poll_once(1000);
	assert_int_equal(F.lists[w], 1);
	assert_int_equal(F.lists[d], 2);
}

static void
test_snap_recent_directory_listed_again(void **state)
{
	int d;

	(void)state;
	small_tree();
	(void)add_root("w", 0);
	d = find("w/d");
	write_("w/d/g", 1);
	poll_once(1);
	assert_int_equal(F.lists[d], 2);
	/* Listed in the tick of its change: once more, to be sure. */
	poll_once(1000);
	assert_int_equal(F.lists[d], 3);
	poll_once(1000);
	assert_int_equal(F.lists[d], 3);
}

static void
test_snap_ignored_directory_never_read(void **state)
{
	int ign;

	(void)state;
	F.ignore = "ign/";
	small_tree();
	ign = mkdir_("w/ign");
	write_("w/ign/x", 1);
	(void)add_root("w", 0);
	assert_int_equal(snap_dirs(S), 2);
	write_("w/ign/y", 1);
	rm("w/ign/x");
	poll_twice();
	expect_none();
	assert_int_equal(F.lists[ign], 0);
	assert_int_equal(F.stats[ign], 0);
	assert_int_equal(F.stats[find("w/ign/y")], 0);
}

static void
test_snap_unreadable_directory_said_once(void **state)
{
	(void)state;
	small_tree();
	F.unreadable = mkdir_("w/locked");
	(void)add_root("w", 0);
	assert_int_equal(F.nunread, 1);
	assert_string_equal(F.unread[0], "w/locked/");
	poll_twice();
	assert_int_equal(F.nunread, 1);
}

static void
test_snap_rules_hook(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	assert_int_equal(F.nhooks, 2);
	assert_string_equal(F.hooks[0], "w/");
	assert_string_equal(F.hooks[1], "w/d/");
	poll_twice();
	assert_int_equal(F.nhooks, 2);
	/* A rules file written: its directory is told again. */
	write_("w/d/.gitignore", 4);
	poll_twice();
	expect_events("MODIFY|WRITE|CREATE w/d/.gitignore", NULL);
	assert_int_equal(F.nhooks, 3);
	assert_string_equal(F.hooks[2], "w/d/");
	rm("w/d/.gitignore");
	poll_once(1000);
	expect_events("DELETE w/d/.gitignore", NULL);
	assert_int_equal(F.nhooks, 4);
}

static void
test_snap_rules_change_refilters(void **state)
{
	(void)state;
	small_tree();
	write_("w/d/x.o", 1);
	(void)add_root("w", 0);
	/* The new rules ignore *.o: x.o is dropped, unreported. */
	F.ignore = ".o";
	write_("w/d/.gitignore", 4);
	poll_twice();
	expect_events("MODIFY|WRITE|CREATE w/d/.gitignore", NULL);
	rm("w/d/x.o");
	poll_twice();
	expect_none();
	/* Rules that ignore it no more: found, not reported as created. */
	write_("w/d/y.o", 1);
	poll_twice();
	F.ignore = NULL;
	write_("w/d/.gitignore", 0);
	poll_twice();
	expect_events("MODIFY|WRITE w/d/.gitignore", NULL);
	write_("w/d/y.o", 2);
	poll_twice();
	expect_events("MODIFY|WRITE w/d/y.o", NULL);
}

static void
test_snap_refilter(void **state)
{
	(void)state;
	small_tree();
	mkdir_("w/build");
	write_("w/build/out", 1);
	(void)add_root("w", 0);
	F.ignore = "build/";
	(void)snap_refilter(S, F.now, F.wall);
	assert_int_equal(snap_dirs(S), 2);
	write_("w/build/out", 2);
	poll_twice();
	expect_none();
	F.ignore = NULL;
	tick(1000);
	/* Made since w/ was listed: new, not hidden by the filter till now. */
	write_("w/fresh", 1);
	write_("w/build/fresh", 1);
	tick(1000);
	(void)snap_refilter(S, F.now, F.wall);
	expect_none();
	assert_int_equal(snap_dirs(S), 3);
	write_("w/build/out", 3);
	poll_twice();
	expect_events("MODIFY|WRITE|CREATE w/fresh",
	    "MODIFY|WRITE|CREATE w/build/fresh", "MODIFY|WRITE w/build/out",
	    NULL);
}

static void
test_snap_root_lost(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	rm("w");
	poll_once(1000);
	expect_events("DELETE w/a", "DELETE w/d/f", "DELETE_SELF|ISDIR w/d/",
	    "DELETE|ISDIR w/d/", "DELETE_SELF|ISDIR w/",
	    "IGNORED|ISDIR w/", NULL);
	assert_int_equal(F.lost, 1);
	assert_int_equal(snap_roots(S), 0);
	assert_int_equal(snap_dirs(S), 0);
}

static void
test_snap_root_replaced(void **state)
{
	(void)state;
	small_tree();
	(void)add_root("w", 0);
	mv("w", "w.old");
	mkdir_("w");
	poll_once(1000);
	assert_int_equal(F.lost, 1);
	assert_int_equal(snap_roots(S), 0);
}

static void
test_snap_root_dot(void **state)
{
	(void)state;
	mkdir_(".");
	mkdir_("./d");
	(void)add_root(".", 0);
	assert_string_equal(F.hooks[0], "./");
	assert_string_equal(F.hooks[1], "d/");
	write_("./d/f", 1);
	F.n[find(".")].st.mode ^= 0022;
	poll_twice();
	expect_events("ATTRIB|ISDIR ./", "MODIFY|WRITE|CREATE d/f", NULL);
}

static void
test_snap_nested_root_refused(void **state)
{
	uint32_t id;

	(void)state;
	small_tree();
	(void)add_root("w", 0);
	assert_int_equal(snap_add_root(S, "w/d", 0, F.now, F.wall, &id), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(snap_roots(S), 1);
}

static void
test_snap_follow_guards_loops(void **state)
{
	struct snap_opts o;
	int link;

	(void)state;
	snap_free(S);
	memset(&o, 0, sizeof(o));
	o.ops = &ops;
	o.settle = SETTLE;
	o.follow = 1;
	S = snap_new(&o);
	small_tree();
	mkdir_("elsewhere");
	write_("elsewhere/e", 1);
	link = make("w/out", S_IFLNK | 0777, 0);
	F.n[link].target = find("elsewhere");
	link = make("w/d/loop", S_IFLNK | 0777, 0);
	F.n[link].target = find("w");
	(void)add_root("w", 0);
	/* w/out/ is walked; w/d/loop/ leads back up, and is not. */
	assert_int_equal(snap_dirs(S), 3);
	write_("elsewhere/e", 2);
	poll_twice();
	expect_events("MODIFY|WRITE w/out/e", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_snap_first_walk_records_quietly),
		T(test_snap_existing_reports_what_is_there),
		T(test_snap_new_file_reported_once_settled),
		T(test_snap_empty_file_created_without_modify),
		T(test_snap_write_reported_when_it_settles),
		T(test_snap_attrib_for_a_ctime_change),
		T(test_snap_delete),
		T(test_snap_new_file_gone_before_settling),
		T(test_snap_move_within_a_directory),
		T(test_snap_move_across_directories),
		T(test_snap_move_across_directories_backwards),
		T(test_snap_directory_moved_with_contents),
		T(test_snap_file_turned_directory),
		T(test_snap_inode_reuse_is_no_move),
		T(test_snap_inode_reuse_without_birth_time),
		T(test_snap_rename_over_a_file),
		T(test_snap_file_replaced_by_a_new_one),
		T(test_snap_names_passed_along),
		T(test_snap_hard_link_is_no_move),
		T(test_snap_unchanged_directories_not_listed),
		T(test_snap_recent_directory_listed_again),
		T(test_snap_ignored_directory_never_read),
		T(test_snap_unreadable_directory_said_once),
		T(test_snap_rules_hook),
		T(test_snap_rules_change_refilters),
		T(test_snap_refilter),
		T(test_snap_root_lost),
		T(test_snap_root_replaced),
		T(test_snap_root_dot),
		T(test_snap_nested_root_refused),
		T(test_snap_follow_guards_loops),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
