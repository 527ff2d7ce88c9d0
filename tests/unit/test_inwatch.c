/*
 * test_inwatch.c: unit tests for the inotify backend through its replay
 * seam, inwatch_feed(): inotify records written by hand are fed to an
 * inwatch whose roots are real temporary directories (the watches and
 * scans need them), and the path events reaching the sink are checked.
 * No test waits for the kernel: what it reports is scripted.
 *
 * The watch descriptor of a watched directory is found by asking the
 * inwatch's own inotify descriptor to watch it again with IN_MASK_ADD
 * and a bit it watches already: the kernel returns the existing watch
 * and changes nothing.
 *
 * events_rm() is wrapped (-Wl,--wrap=events_rm, see the Makefile) so
 * that a test can keep the kernel's watch alive after the backend drops
 * it, which is how a dropped watch descriptor comes back for another
 * path without waiting for the kernel to wrap its numbering around.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "events.h"
#include "watch.h"
#include "inwatch.h"

/* Every event the sink can be given, reads of directories aside. */
#define ALL_BUT_READS	((IN_ALL_EVENTS & ~(IN_OPEN | IN_ACCESS | \
			    IN_CLOSE_NOWRITE)) | IN_Q_OVERFLOW | IN_IGNORED | \
			    IN_UNMOUNT)

#define MAXSEEN		64

struct seen {
	char		*path[MAXSEEN];
	uint32_t	 mask[MAXSEEN];
	uint32_t	 cookie[MAXSEEN];
	size_t		 n;
};

struct fixture {
	char		 top[64];	/* the test's temporary directory */
	char		*root;		/* top/r, the root watched */
	char		*sub;		/* top/r/a, when a root too */
	struct inwatch	*w;
	struct seen	 seen;
	/* The script of records: aligned as read(2) would fill it. */
	union {
		struct inotify_event	align;
		char			buf[8192];
	}		 rec;
	size_t		 len;
};

/* The watch descriptor events_rm() leaves alone, or 0. */
static int	keep_wd;

int	__real_events_rm(int, int);
int	__wrap_events_rm(int, int);

int
__wrap_events_rm(int fd, int wd)
{
	if (wd == keep_wd)
		return 0;
	return __real_events_rm(fd, wd);
}

static void
sink(void *arg, const struct pevent *pev)
{
	struct seen *s = arg;

	assert_true(s->n < MAXSEEN);
	assert_int_equal(strlen(pev->path), pev->len);
	s->path[s->n] = strdup(pev->path);
	assert_non_null(s->path[s->n]);
	s->mask[s->n] = pev->mask;
	s->cookie[s->n] = pev->cookie;
	s->n++;
}

static void
forget_seen(struct seen *s)
{
	while (s->n > 0)
		free(s->path[--s->n]);
}

/* Makes top/rel, a directory when rel ends in '/', else an empty file. */
static void
make(struct fixture *f, const char *rel)
{
	char path[256];
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", f->top, rel);
	len = strlen(path);
	if (path[len - 1] == '/') {
		path[len - 1] = '\0';
		assert_int_equal(mkdir(path, 0755), 0);
		return;
	}
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) != -1);
	close(fd);
}

/* The path top/rel, in a buffer valid until the call after next. */
static const char *
at(const struct fixture *f, const char *rel)
{
	static char path[2][256];
	static int which;

	which = !which;
	snprintf(path[which], sizeof(path[which]), "%s/%s", f->top, rel);
	return path[which];
}

/* The watch descriptor of the directory top/rel, watched already. */
static int
wd_of(const struct fixture *f, const char *rel)
{
	int wd;

	wd = inotify_add_watch(inwatch_fd(f->w), at(f, rel),
	    IN_MASK_ADD | IN_CREATE);
	if (wd <= 0)
		fail_msg("watch %s: %s", at(f, rel), strerror(errno));
	return wd;
}

/* Appends one record, its name NUL-padded to 16 bytes as the kernel does. */
static void
put(struct fixture *f, int wd, uint32_t mask, uint32_t cookie,
    const char *name)
{
	struct inotify_event hdr;
	size_t n = name == NULL ? 0 : strlen(name) + 1;

	n = (n + 15) / 16 * 16;
	assert_true(f->len + sizeof(hdr) + n <= sizeof(f->rec.buf));
	memset(&hdr, 0, sizeof(hdr));
	hdr.wd = wd;
	hdr.mask = mask;
	hdr.cookie = cookie;
	hdr.len = (uint32_t)n;
	memcpy(f->rec.buf + f->len, &hdr, sizeof(hdr));
	f->len += sizeof(hdr);
	memset(f->rec.buf + f->len, 0, n);
	if (name != NULL)
		memcpy(f->rec.buf + f->len, name, strlen(name));
	f->len += n;
}

/* Feeds the records put so far, all of which must be taken. */
static void
feed(struct fixture *f)
{
	size_t off = 0, n = 0;
	struct event ev;

	while (events_next(f->rec.buf, f->len, &off, &ev) == 1)
		n++;
	assert_int_equal(inwatch_feed(f->w, f->rec.buf, f->len), n);
	f->len = 0;
}

/* Feeds one record. */
static void
feed1(struct fixture *f, int wd, uint32_t mask, uint32_t cookie,
    const char *name)
{
	put(f, wd, mask, cookie, name);
	feed(f);
}

/* Index of the event top/rel with exactly mask among those seen, or -1. */
static int
find(const struct fixture *f, const char *rel, uint32_t mask)
{
	const char *want = rel == NULL ? "" : at(f, rel);
	size_t i;

	for (i = 0; i < f->seen.n; i++)
		if (strcmp(f->seen.path[i], want) == 0 &&
		    f->seen.mask[i] == mask)
			return (int)i;
	return -1;
}

static void
assert_seen(const struct fixture *f, const char *rel, uint32_t mask)
{
	if (find(f, rel, mask) == -1) {
		size_t i;

		for (i = 0; i < f->seen.n; i++)
			print_message("seen: %s %#x\n", f->seen.path[i],
			    f->seen.mask[i]);
		fail_msg("not seen: %s %#x", at(f, rel == NULL ? "" : rel),
		    mask);
	}
}

/* Only the one event top/rel with mask was seen since the last check. */
static void
assert_only(struct fixture *f, const char *rel, uint32_t mask)
{
	assert_seen(f, rel, mask);
	assert_int_equal(f->seen.n, 1);
	forget_seen(&f->seen);
}

static void
assert_none(struct fixture *f)
{
	if (f->seen.n > 0)
		fail_msg("seen: %s %#x", f->seen.path[0], f->seen.mask[0]);
}

/*
 * Opens an inwatch on the roots listed (paths as given), after making
 * what dirs lists below top.
 */
static void
start_roots(struct fixture *f, const char *const dirs[],
    const char *const roots[])
{
	struct watch_opts o;
	size_t i;

	for (i = 0; dirs != NULL && dirs[i] != NULL; i++)
		make(f, dirs[i]);
	memset(&o, 0, sizeof(o));
	o.mask = ALL_BUT_READS;
	o.sink = sink;
	o.sink_arg = &f->seen;
	assert_non_null(f->w = inwatch_new(&o));
	for (i = 0; roots[i] != NULL; i++)
		assert_int_equal(inwatch_root(f->w, roots[i]), 0);
	inwatch_started(f->w);
	assert_none(f);
}

/* Opens an inwatch on top/r, after making what dirs lists below top. */
static void
start(struct fixture *f, const char *const dirs[])
{
	const char *roots[2] = { NULL, NULL };

	make(f, "r/");
	f->root = strdup(at(f, "r"));
	roots[0] = f->root;
	start_roots(f, dirs, roots);
}

static int
setup(void **state)
{
	struct fixture *f;
	const char *tmp = getenv("TMPDIR");

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->top, sizeof(f->top), "%s/test_inwatch.XXXXXX",
	    tmp != NULL && strlen(tmp) < 32 ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->top));
	keep_wd = 0;
	*state = f;
	return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	inwatch_free(f->w);
	forget_seen(&f->seen);
	(void)nftw(f->top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f->root);
	free(f->sub);
	free(f);
	return 0;
}

static void
test_inwatch_file_moved_in_is_reported(void **state)
{
	struct fixture *f = *state;

	start(f, NULL);
	feed1(f, wd_of(f, "r"), IN_MOVED_TO, 3, "f");
	assert_only(f, "r/f", IN_MOVED_TO);
	assert_int_equal(inwatch_dirs(f->w), 1);
}

static void
test_inwatch_dir_moved_in_reports_contents_as_moved_to(void **state)
{
	struct fixture *f = *state;
	static const char *const later[] = { "r/d/", "r/d/x", "r/d/s/",
		"r/d/s/y", NULL };
	size_t i;

	start(f, NULL);
	/* It came from outside: no MOVED_FROM with its cookie. */
	for (i = 0; later[i] != NULL; i++)
		make(f, later[i]);
	feed1(f, wd_of(f, "r"), IN_MOVED_TO | IN_ISDIR, 7, "d");
	assert_int_equal(find(f, "r/d/", IN_MOVED_TO | IN_ISDIR), 0);
	assert_seen(f, "r/d/x", IN_MOVED_TO);
	assert_seen(f, "r/d/s/", IN_MOVED_TO | IN_ISDIR);
	assert_seen(f, "r/d/s/y", IN_MOVED_TO);
	assert_int_equal(f->seen.n, 4);
	forget_seen(&f->seen);
	assert_int_equal(inwatch_dirs(f->w), 3);
	/* Watched from now on. */
	feed1(f, wd_of(f, "r/d/s"), IN_CLOSE_WRITE, 0, "z");
	assert_only(f, "r/d/s/z", IN_CLOSE_WRITE);
}

static void
test_inwatch_dir_moved_out_is_forgotten_after_next_drain(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "r/d/", "r/d/s/", NULL };
	int d, s;

	start(f, dirs);
	d = wd_of(f, "r/d");
	s = wd_of(f, "r/d/s");
	assert_int_equal(inwatch_dirs(f->w), 3);
	feed1(f, wd_of(f, "r"), IN_MOVED_FROM | IN_ISDIR, 9, "d");
	assert_only(f, "r/d/", IN_MOVED_FROM | IN_ISDIR);
	/* Wherever it went, what happens there is not ours to report. */
	feed1(f, s, IN_CREATE, 0, "a");
	assert_none(f);
	/* Its MOVED_TO may still come in the same drain... */
	(void)inwatch_read(f->w);
	assert_int_equal(inwatch_dirs(f->w), 3);
	/* ...not after the next one. */
	(void)inwatch_read(f->w);
	assert_int_equal(inwatch_dirs(f->w), 1);
	assert_int_equal(inwatch_roots(f->w), 1);
	put(f, d, IN_CREATE, 0, "b");
	put(f, s, IN_CLOSE_WRITE, 0, "c");
	put(f, d, IN_MOVE_SELF, 0, NULL);
	feed(f);
	assert_none(f);
}

static void
test_inwatch_dir_moved_out_is_forgotten_on_its_move_self(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "r/d/", NULL };
	int d;

	start(f, dirs);
	d = wd_of(f, "r/d");
	put(f, wd_of(f, "r"), IN_MOVED_FROM | IN_ISDIR, 9, "d");
	put(f, d, IN_MOVE_SELF, 0, NULL);
	feed(f);
	assert_only(f, "r/d/", IN_MOVED_FROM | IN_ISDIR);
	assert_int_equal(inwatch_dirs(f->w), 1);
	feed1(f, d, IN_CREATE, 0, "b");
	assert_none(f);
}

static void
test_inwatch_dir_moved_within_keeps_watches_paths_follow(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "r/a/", "r/b/", "r/a/d/",
		"r/a/d/s/", NULL };
	int d, s;

	start(f, dirs);
	d = wd_of(f, "r/a/d");
	s = wd_of(f, "r/a/d/s");
	assert_int_equal(inwatch_dirs(f->w), 5);
	put(f, wd_of(f, "r/a"), IN_MOVED_FROM | IN_ISDIR, 5, "d");
	put(f, wd_of(f, "r/b"), IN_MOVED_TO | IN_ISDIR, 5, "d2");
	put(f, d, IN_MOVE_SELF, 0, NULL);
	feed(f);
	assert_int_equal(find(f, "r/a/d/", IN_MOVED_FROM | IN_ISDIR), 0);
	assert_int_equal(find(f, "r/b/d2/", IN_MOVED_TO | IN_ISDIR), 1);
	assert_int_equal(find(f, "r/b/d2/", IN_MOVE_SELF | IN_ISDIR), 2);
	/* Not scanned as new: nothing in it is reported. */
	assert_int_equal(f->seen.n, 3);
	forget_seen(&f->seen);
	(void)inwatch_read(f->w);
	(void)inwatch_read(f->w);
	assert_int_equal(inwatch_dirs(f->w), 5);
	feed1(f, s, IN_CLOSE_WRITE, 0, "f");
	assert_only(f, "r/b/d2/s/f", IN_CLOSE_WRITE);
	feed1(f, d, IN_DELETE, 0, "g");
	assert_only(f, "r/b/d2/g", IN_DELETE);
}

static void
test_inwatch_overflow_gives_the_notice_then_rescans(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "r/a/", NULL };
	int a;

	start(f, dirs);
	a = wd_of(f, "r/a");
	/* What the dropped records would have told. */
	make(f, "r/new/");
	make(f, "r/new/g");
	make(f, "r/f");
	assert_int_equal(rmdir(at(f, "r/a")), 0);
	feed1(f, -1, IN_Q_OVERFLOW, 0, NULL);
	assert_int_equal(find(f, NULL, IN_Q_OVERFLOW), 0);
	assert_seen(f, "r/new/", IN_Q_OVERFLOW | IN_ISDIR);
	assert_seen(f, "r/new/g", IN_Q_OVERFLOW);
	assert_seen(f, "r/f", IN_Q_OVERFLOW);
	assert_int_equal(f->seen.n, 4);
	forget_seen(&f->seen);
	/* The new directory is watched, the vanished one forgotten. */
	assert_int_equal(inwatch_dirs(f->w), 2);
	feed1(f, wd_of(f, "r/new"), IN_CREATE, 0, "h");
	assert_only(f, "r/new/h", IN_CREATE);
	feed1(f, a, IN_CREATE, 0, "i");
	assert_none(f);
}

static void
test_inwatch_ignored_drops_the_directory_and_what_it_holds(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "r/a/", "r/a/s/", NULL };
	int a, s;

	start(f, dirs);
	a = wd_of(f, "r/a");
	s = wd_of(f, "r/a/s");
	feed1(f, a, IN_IGNORED, 0, NULL);
	assert_only(f, "r/a/", IN_IGNORED | IN_ISDIR);
	assert_int_equal(inwatch_dirs(f->w), 1);
	assert_int_equal(inwatch_roots(f->w), 1);
	put(f, a, IN_CREATE, 0, "x");
	put(f, s, IN_CREATE, 0, "y");
	feed(f);
	assert_none(f);
}

static void
test_inwatch_root_ignored_loses_the_root(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "r/a/", NULL };
	int r;

	start(f, dirs);
	r = wd_of(f, "r");
	feed1(f, r, IN_IGNORED, 0, NULL);
	assert_only(f, "r/", IN_IGNORED | IN_ISDIR);
	assert_int_equal(inwatch_roots(f->w), 0);
	assert_int_equal(inwatch_dirs(f->w), 0);
	feed1(f, r, IN_CREATE, 0, "x");
	assert_none(f);
}

static void
test_inwatch_reused_wd_resolves_to_the_new_directory(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "r/a/", NULL };
	int a;

	start(f, dirs);
	a = wd_of(f, "r/a");
	/*
	 * The backend drops a, but the kernel's watch lives on: the same
	 * directory, renamed behind the backend's back, comes again with
	 * the same watch descriptor as a new directory.
	 */
	keep_wd = a;
	feed1(f, a, IN_IGNORED, 0, NULL);
	assert_only(f, "r/a/", IN_IGNORED | IN_ISDIR);
	assert_int_equal(inwatch_dirs(f->w), 1);
	assert_int_equal(rename(at(f, "r/a"), at(f, "r/c")), 0);
	feed1(f, wd_of(f, "r"), IN_CREATE | IN_ISDIR, 0, "c");
	assert_only(f, "r/c/", IN_CREATE | IN_ISDIR);
	assert_int_equal(wd_of(f, "r/c"), a);
	assert_int_equal(inwatch_dirs(f->w), 2);
	feed1(f, a, IN_CLOSE_WRITE, 0, "f");
	assert_only(f, "r/c/f", IN_CLOSE_WRITE);
}

static void
test_inwatch_root_deleted_while_held_is_lost_by_its_parent(void **state)
{
	struct fixture *f = *state;
	int top;

	start(f, NULL);
	top = wd_of(f, "");
	/* Only a root really gone is lost: this one is still there. */
	feed1(f, top, IN_DELETE | IN_ISDIR, 0, "r");
	assert_none(f);
	assert_int_equal(inwatch_roots(f->w), 1);
	/* Deleted, with no DELETE_SELF: as when it is a current directory. */
	assert_int_equal(rmdir(at(f, "r")), 0);
	feed1(f, top, IN_DELETE | IN_ISDIR, 0, "r");
	assert_int_equal(find(f, "r/", IN_DELETE_SELF | IN_ISDIR), 0);
	assert_int_equal(find(f, "r/", IN_IGNORED | IN_ISDIR), 1);
	assert_int_equal(f->seen.n, 2);
	forget_seen(&f->seen);
	assert_int_equal(inwatch_roots(f->w), 0);
	assert_int_equal(inwatch_dirs(f->w), 0);
}

static void
test_inwatch_root_replaced_by_a_rename_is_lost(void **state)
{
	struct fixture *f = *state;
	static const char *const dirs[] = { "n/", NULL };

	start(f, dirs);
	assert_int_equal(rename(at(f, "n"), at(f, "r")), 0);
	feed1(f, wd_of(f, ""), IN_MOVED_TO | IN_ISDIR, 4, "r");
	assert_seen(f, "r/", IN_DELETE_SELF | IN_ISDIR);
	assert_int_equal(inwatch_roots(f->w), 0);
}

/*
 * Opens an inwatch on top/r/a, then on top/r: r is then both a's parent
 * and a root of its own.  Returns r's watch descriptor.
 */
static int
start_nested(struct fixture *f)
{
	static const char *const dirs[] = { "r/", "r/a/", NULL };
	const char *roots[3];

	f->sub = strdup(at(f, "r/a"));
	f->root = strdup(at(f, "r"));
	roots[0] = f->sub;
	roots[1] = f->root;
	roots[2] = NULL;
	start_roots(f, dirs, roots);
	assert_int_equal(inwatch_roots(f->w), 2);
	return wd_of(f, "r");
}

static void
test_inwatch_root_parent_in_a_tree_keeps_the_tree(void **state)
{
	struct fixture *f = *state;
	int rwd;

	rwd = start_nested(f);
	feed1(f, rwd, IN_DELETE | IN_ISDIR, 0, "a");
	assert_only(f, "r/a/", IN_DELETE | IN_ISDIR);
	assert_int_equal(inwatch_roots(f->w), 2);
	assert_int_equal(rmdir(f->sub), 0);
	feed1(f, rwd, IN_DELETE | IN_ISDIR, 0, "a");
	assert_int_equal(find(f, "r/a/", IN_DELETE | IN_ISDIR), 0);
	assert_seen(f, "r/a/", IN_DELETE_SELF | IN_ISDIR);
	forget_seen(&f->seen);
	assert_int_equal(inwatch_roots(f->w), 1);
	/* r's own watch is as it was. */
	assert_int_equal(wd_of(f, "r"), rwd);
	feed1(f, rwd, IN_CLOSE_WRITE, 0, "f");
	assert_only(f, "r/f", IN_CLOSE_WRITE);
}

static void
test_inwatch_root_parent_watch_outlives_the_parent_tree(void **state)
{
	struct fixture *f = *state;
	int rwd;

	rwd = start_nested(f);
	assert_int_equal(inwatch_unroot(f->w, f->root), 0);
	assert_int_equal(inwatch_roots(f->w), 1);
	/* The kernel's watch on r is still there, for a. */
	assert_int_equal(wd_of(f, "r"), rwd);
	assert_int_equal(rmdir(f->sub), 0);
	feed1(f, rwd, IN_DELETE | IN_ISDIR, 0, "a");
	assert_seen(f, "r/a/", IN_DELETE_SELF | IN_ISDIR);
	assert_int_equal(inwatch_roots(f->w), 0);
}

static void
test_inwatch_rescan_loses_a_current_directory_root_deleted(void **state)
{
	struct fixture *f = *state;
	const char *const roots[] = { ".", NULL };
	int cwd;

	assert_true((cwd = open(".", O_RDONLY | O_DIRECTORY)) != -1);
	make(f, "r/");
	assert_int_equal(chdir(at(f, "r")), 0);
	start_roots(f, NULL, roots);
	/* "." still leads to it: its link count says it is gone. */
	assert_int_equal(rmdir(at(f, "r")), 0);
	feed1(f, -1, IN_Q_OVERFLOW, 0, NULL);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_int_equal(inwatch_roots(f->w), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name)	cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_inwatch_file_moved_in_is_reported),
		T(test_inwatch_dir_moved_in_reports_contents_as_moved_to),
		T(test_inwatch_dir_moved_out_is_forgotten_after_next_drain),
		T(test_inwatch_dir_moved_out_is_forgotten_on_its_move_self),
		T(test_inwatch_dir_moved_within_keeps_watches_paths_follow),
		T(test_inwatch_overflow_gives_the_notice_then_rescans),
		T(test_inwatch_ignored_drops_the_directory_and_what_it_holds),
		T(test_inwatch_root_ignored_loses_the_root),
		T(test_inwatch_reused_wd_resolves_to_the_new_directory),
		T(test_inwatch_root_deleted_while_held_is_lost_by_its_parent),
		T(test_inwatch_root_replaced_by_a_rename_is_lost),
		T(test_inwatch_root_parent_in_a_tree_keeps_the_tree),
		T(test_inwatch_root_parent_watch_outlives_the_parent_tree),
		T(test_inwatch_rescan_loses_a_current_directory_root_deleted),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
