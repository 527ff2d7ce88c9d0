/*
 * replay.c: the per-event path of watchrun (decode, tree lookup, ignore
 * filter, match, debounce) on a synthesized inotify stream, for
 * instruction counts under valgrind --tool=callgrind
 * --toggle-collect=replay_feed (or dispatch_event, the match and debounce
 * stage alone, or replay_filter, the ignore filter on the stream alone).
 *
 * A real tree of N directories is made in a temporary directory and
 * watched with ininwatch_root(); a fresh inotify instance numbers its watches
 * 1..N, so records with those watch descriptors resolve to real nodes.
 * The stream is the same for every run with the same -n and -m.  The
 * ignore filter is wired as app.c wires it: the default list, and git's
 * rules where the tree lies in a git work tree, which it does with -g
 * (a .git directory at the top, and the file given as its .gitignore).
 *
 * With -B it measures instead one check of git's rules on each path the
 * stream delivers: gitignore_check_name() against the same patterns
 * translated to PCRE2 and run through match_exec(), for the cost per call
 * of each (--toggle-collect=bench_gitignore, bench_pcre2_each,
 * bench_pcre2_lit or bench_pcre2_one for instruction counts).
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "dispatch.h"
#include "events.h"
#include "gitignore.h"
#include "ignore.h"
#include "match.h"
#include "rules.h"
#include "sched.h"
#include "watch.h"
#include "inwatch.h"
#include "xmalloc.h"

/* Top-level directories of the synthetic tree; the rest go below them. */
#define TOPDIRS		32

struct sink {
	struct dispatch	*d;
	uint64_t	 now;		/* fake monotonic microseconds */
	size_t		 delivered;
	char		**paths;	/* with -B: what was delivered */
	size_t		 npaths;
};

static void
usage(void)
{
	fprintf(stderr, "usage: replay [-FM] [-g gitignore] [-m events] "
	    "[-n dirs] [-r rules] [-s ext|dir]\n"
	    "       replay -B -g gitignore [-k rounds] [-m events] "
	    "[-n dirs]\n");
	exit(2);
}

static void
on_pevent(void *arg, const struct pevent *pev)
{
	struct sink *s = arg;

	s->now += 7;
	s->delivered++;
	if (s->paths != NULL)
		s->paths[s->npaths++] = xmemdup(pev->path, pev->len);
	else
		dispatch_event(s->d, pev, s->now);
}

/* Set while the stream is fed: the filter's calls then are counted. */
static int	feeding;
static size_t	filtered;

/*
 * As app.c's is_ignored(), while the stream is fed; apart, for
 * --toggle-collect=replay_filter to count the filter on the events alone,
 * not on the directories of the first scan.
 */
int replay_filter(void *, const char *, size_t);

int __attribute__((__noinline__))
replay_filter(void *arg, const char *path, size_t len)
{
	return ignore_path(arg, path, len, NULL);
}

static int
filter(void *arg, const char *path, size_t len)
{
	if (!feeding)
		return ignore_path(arg, path, len, NULL);
	filtered++;
	return replay_filter(arg, path, len);
}

static int
read_dir_rules(void *arg, int dirfd, const char *path, size_t len)
{
	return ignore_read_dir(arg, dirfd, path, len);
}

/*
 * Everything callgrind counts with --toggle-collect=replay_feed: the
 * chunks are handed over as ininwatch_read() hands over what read(2) returns.
 */
void replay_feed(struct inwatch *, const char *, const size_t *, size_t);

void __attribute__((__noinline__))
replay_feed(struct inwatch *w, const char *buf, const size_t *cuts,
    size_t ncuts)
{
	size_t i, at = 0;

	for (i = 0; i < ncuts; i++) {
		inwatch_feed(w, buf + at, cuts[i] - at);
		at = cuts[i];
	}
}

static uint32_t
lcg(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state >> 8;
}

/*
 * Builds m records with watch descriptors in 1..n: CLOSE_WRITE, CREATE or
 * MODIFY of file<k>.c or x<k>.h, names NUL-padded to 16 bytes as the
 * kernel does.  Stores in cuts[] the end of each chunk of at most
 * EVENTS_BUFSIZE bytes.  Returns the buffer, owned by the caller.
 */
static char *
synthesize(size_t n, size_t m, size_t *lenp, size_t **cutsp, size_t *ncutsp)
{
	static const uint32_t masks[] = { IN_CLOSE_WRITE, IN_CREATE,
	    IN_MODIFY };
	struct inotify_event ev;
	char name[64], *buf;
	size_t i, len = 0, size, nlen, rec, chunk = 0, ncuts = 0, *cuts;
	uint32_t state = 12345, r;

	size = m * (sizeof(ev) + 32);
	buf = xmalloc(size);
	cuts = xreallocarray(NULL, m + 1, sizeof(*cuts));
	for (i = 0; i < m; i++) {
		r = lcg(&state);
		if (r & 1)
			nlen = (size_t)snprintf(name, sizeof(name), "file%u.c",
			    (r >> 1) % 1000);
		else
			nlen = (size_t)snprintf(name, sizeof(name), "x%u.h",
			    (r >> 1) % 100);
		memset(&ev, 0, sizeof(ev));
		ev.wd = (int)(1 + lcg(&state) % n);
		ev.mask = masks[lcg(&state) % 3];
		ev.len = (uint32_t)((nlen + 1 + 15) & ~(size_t)15);
		rec = sizeof(ev) + ev.len;
		if (chunk + rec > EVENTS_BUFSIZE) {
			cuts[ncuts++] = len;
			chunk = 0;
		}
		memcpy(buf + len, &ev, sizeof(ev));
		memset(buf + len + sizeof(ev), 0, ev.len);
		memcpy(buf + len + sizeof(ev), name, nlen);
		len += rec;
		chunk += rec;
	}
	cuts[ncuts++] = len;
	*lenp = len;
	*cutsp = cuts;
	*ncutsp = ncuts;
	return buf;
}

/* Makes n directories in the current one: "." and n-1 below it. */
static void
make_tree(size_t n)
{
	char path[64];
	size_t i, top = n - 1 < TOPDIRS ? n - 1 : TOPDIRS;

	for (i = 0; i < top; i++) {
		snprintf(path, sizeof(path), "t%02zu", i);
		if (mkdir(path, 0755) == -1)
			err(1, "mkdir %s", path);
	}
	for (i = top; i + 1 < n; i++) {
		snprintf(path, sizeof(path), "t%02zu/c%04zu", i % top, i);
		if (mkdir(path, 0755) == -1)
			err(1, "mkdir %s", path);
	}
}

/* Reads the file at path whole; returns its length. */
static size_t
slurp(const char *path, char **bufp)
{
	char *buf = NULL;
	size_t len = 0, size = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", path);
	for (;;) {
		if (len == size) {
			size = size == 0 ? 4096 : size * 2;
			buf = xreallocarray(buf, size, 1);
		}
		if ((n = read(fd, buf + len, size - len)) == -1)
			err(1, "read %s", path);
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*bufp = buf;
	return len;
}

static void
spew(const char *path, const char *buf, size_t len)
{
	int fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		err(1, "%s", path);
	if (write(fd, buf, len) != (ssize_t)len)
		err(1, "write %s", path);
	close(fd);
}

static int
rm_entry(const char *path, const struct stat *sb, int type, struct FTW *f)
{
	(void)sb;
	(void)type;
	(void)f;
	if (remove(path) == -1)
		warn("remove %s", path);
	return 0;
}

static void
add_rule(struct ruleset *rs, const char *pat, uint32_t mask)
{
	struct match_re *re;
	char msg[256];
	size_t off;
	char **argv;

	re = match_compile(pat, strlen(pat), "replay", msg, sizeof(msg), &off);
	if (re == NULL)
		errx(1, "%s: %s at %zu", pat, msg, off);
	argv = xcalloc(2, sizeof(*argv));
	argv[0] = xstrdup("true");
	(void)rules_add_rule(rs, re, mask, 0, NULL, argv, "replay:1");
}

/*
 * -B: git's patterns as PCRE2 regular expressions, the alternative to
 * gitignore.c.  Each line becomes one expression on the path without its
 * trailing '/' (a line ending in '/' is tried on directories only), tried
 * from the last line up, the first match deciding as git's last matching
 * line does.  "Plain" translates every glob alike, as fnmatch-style
 * translators do: "*.o" is (?:^|/)[^/]*\.o$.  "Lit" writes the shapes
 * that are a literal on the basename as the literal alone ("*.o" is \.o$,
 * "logs" is (?:^|/)logs$), so that match.c's byte comparisons take those.
 * "One" puts every ignoring line in one alternation and every '!' line in
 * another: ignored when the first matches and the second does not.
 */
struct gre {
	struct match_re	*plain;
	struct match_re	*lit;
	int		 negated;
	int		 dironly;
};

struct gres {
	struct gre	*v;
	size_t		 n;
	struct match_re	*one[2][2];	/* [isdir][negated] */
};

static void
re_add(char **s, size_t *len, size_t *size, const char *add, size_t n)
{
	if (*len + n + 1 > *size) {
		*size = (*len + n + 1) * 2;
		*s = xreallocarray(*s, *size, 1);
	}
	memcpy(*s + *len, add, n);
	*len += n;
	(*s)[*len] = '\0';
}

#define RE_ADD(str)	re_add(&re, &len, &size, (str), strlen(str))

/* The regular expression for the n bytes of one line's glob at p. */
static char *
glob_re(const char *p, size_t n, int anchored, int lit)
{
	char *re = NULL, c[3];
	size_t len = 0, size = 0, i, k;

	if (lit && !anchored && n > 1 && p[0] == '*' &&
	    strcspn(p + 1, "*?[\\") >= n - 1) {
		/* "*lit": the path ends with lit. */
		for (i = 1; i < n; i++) {
			c[0] = '\\';
			c[1] = p[i];
			c[2] = '\0';
			RE_ADD(isalnum((unsigned char)p[i]) ? c + 1 : c);
		}
		RE_ADD("$");
		return re;
	}
	RE_ADD(anchored ? "^" : "(?:^|/)");
	for (i = 0; i < n; i++) {
		if (p[i] == '*' && i + 1 < n && p[i + 1] == '*' &&
		    (i == 0 || p[i - 1] == '/') &&
		    (i + 2 == n || p[i + 2] == '/')) {
			/* A "**" component: any directories, or none. */
			if (i + 2 == n)
				RE_ADD(".*");
			else
				RE_ADD("(?:.*/)?");
			i += 2;
		} else if (p[i] == '*') {
			while (i + 1 < n && p[i + 1] == '*')
				i++;
			RE_ADD("[^/]*");
		} else if (p[i] == '?')
			RE_ADD("[^/]");
		else if (p[i] == '[') {
			RE_ADD("[");
			k = i + 1;
			if (k < n && (p[k] == '!' || p[k] == '^')) {
				RE_ADD("^");
				k++;
			}
			for (; k < n && (p[k] != ']' || k == i + 1); k++)
				re_add(&re, &len, &size, p + k, 1);
			RE_ADD("]");
			i = k;
		} else {
			if (p[i] == '\\' && i + 1 < n)
				i++;
			c[0] = '\\';
			c[1] = p[i];
			c[2] = '\0';
			RE_ADD(isalnum((unsigned char)p[i]) ? c + 1 : c);
		}
	}
	RE_ADD("$");
	return re;
}

static struct match_re *
re_compile(const char *s)
{
	struct match_re *re;
	char msg[256];
	size_t off;

	if ((re = match_compile(s, strlen(s), "replay -B", msg, sizeof(msg),
	    &off)) == NULL)
		errx(1, "/%s/: %s at %zu", s, msg, off);
	return re;
}

static void
gres_build(struct gres *g, char *text, size_t tlen)
{
	char *line, *end, *p, *re, *alt[2][2] = { { NULL } };
	size_t n, altlen[2][2] = { { 0 } }, altsize[2][2] = { { 0 } };
	int neg, dir, anchored, d;
	struct gre *e;

	memset(g, 0, sizeof(*g));
	g->v = xreallocarray(NULL, tlen + 1, sizeof(*g->v));
	for (line = text; line < text + tlen; line = end + 1) {
		if ((end = memchr(line, '\n', text + tlen - line)) == NULL)
			end = text + tlen;
		n = (size_t)(end - line);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\r'))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		p = line;
		if ((neg = p[0] == '!')) {
			p++;
			n--;
		}
		if ((dir = n > 0 && p[n - 1] == '/'))
			n--;
		anchored = memchr(p, '/', n) != NULL;
		if (anchored && p[0] == '/') {
			p++;
			n--;
		}
		e = &g->v[g->n++];
		e->negated = neg;
		e->dironly = dir;
		re = glob_re(p, n, anchored, 0);
		e->plain = re_compile(re);
		for (d = 0; d < 2; d++) {
			if (dir && !d)
				continue;
			if (altlen[d][neg] > 0)
				re_add(&alt[d][neg], &altlen[d][neg],
				    &altsize[d][neg], "|", 1);
			re_add(&alt[d][neg], &altlen[d][neg],
			    &altsize[d][neg], "(?:", 3);
			re_add(&alt[d][neg], &altlen[d][neg],
			    &altsize[d][neg], re, strlen(re));
			re_add(&alt[d][neg], &altlen[d][neg],
			    &altsize[d][neg], ")", 1);
		}
		free(re);
		re = glob_re(p, n, anchored, 1);
		e->lit = re_compile(re);
		free(re);
	}
	for (d = 0; d < 2; d++)
		for (neg = 0; neg < 2; neg++) {
			g->one[d][neg] = re_compile(alt[d][neg] != NULL ?
			    alt[d][neg] : "(*FAIL)");
			free(alt[d][neg]);
		}
}

static void
gres_free(struct gres *g)
{
	size_t i;
	int d, neg;

	for (i = 0; i < g->n; i++) {
		match_re_free(g->v[i].plain);
		match_re_free(g->v[i].lit);
	}
	free(g->v);
	for (d = 0; d < 2; d++)
		for (neg = 0; neg < 2; neg++)
			match_re_free(g->one[d][neg]);
}

/* One check through the expressions, one per line, as "plain" or "lit". */
static int
pcre2_check(struct matcher *m, const struct gres *g, const char *path,
    size_t len, int lit)
{
	const struct gre *e;
	size_t i;
	int isdir = len > 0 && path[len - 1] == '/';

	if (isdir)
		len--;
	for (i = g->n; i-- > 0;) {
		e = &g->v[i];
		if (e->dironly && !isdir)
			continue;
		if (match_exec(m, lit ? e->lit : e->plain, path, len))
			return !e->negated;
	}
	return 0;
}

static int
pcre2_check_one(struct matcher *m, const struct gres *g, const char *path,
    size_t len)
{
	int isdir = len > 0 && path[len - 1] == '/';

	if (isdir)
		len--;
	return match_exec(m, g->one[isdir][0], path, len) &&
	    !match_exec(m, g->one[isdir][1], path, len);
}

/*
 * The functions measured: each checks every path once per round and
 * returns how many checks said "ignored".
 */
size_t bench_gitignore(const struct gitignore *, char **, size_t, size_t);
size_t bench_pcre2_each(struct matcher *, const struct gres *, char **,
    size_t, size_t);
size_t bench_pcre2_lit(struct matcher *, const struct gres *, char **,
    size_t, size_t);
size_t bench_pcre2_one(struct matcher *, const struct gres *, char **,
    size_t, size_t);

size_t __attribute__((__noinline__))
bench_gitignore(const struct gitignore *gi, char **paths, size_t n,
    size_t rounds)
{
	size_t i, r, hits = 0;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			hits += (size_t)gitignore_check_name(gi, paths[i],
			    strlen(paths[i]), 0, NULL);
	return hits;
}

size_t __attribute__((__noinline__))
bench_pcre2_each(struct matcher *m, const struct gres *g, char **paths,
    size_t n, size_t rounds)
{
	size_t i, r, hits = 0;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			hits += (size_t)pcre2_check(m, g, paths[i],
			    strlen(paths[i]), 0);
	return hits;
}

size_t __attribute__((__noinline__))
bench_pcre2_lit(struct matcher *m, const struct gres *g, char **paths,
    size_t n, size_t rounds)
{
	size_t i, r, hits = 0;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			hits += (size_t)pcre2_check(m, g, paths[i],
			    strlen(paths[i]), 1);
	return hits;
}

size_t __attribute__((__noinline__))
bench_pcre2_one(struct matcher *m, const struct gres *g, char **paths,
    size_t n, size_t rounds)
{
	size_t i, r, hits = 0;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < n; i++)
			hits += (size_t)pcre2_check_one(m, g, paths[i],
			    strlen(paths[i]));
	return hits;
}

static double
elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0->tv_nsec);
}

/*
 * Paths that the patterns of the benchmark's .gitignore decide one way
 * or the other: every way of checking must agree on them before any is
 * timed.
 */
static const char *const probes[] = {
	"x.o", "a/b/lib.a", "lib.so.1", "a/Debug/", "debug/", "build/",
	"src/build/", "build", "node_modules/", "a/node_modules/",
	"coverage", "a/coverage", "err.log", "important.log",
	"a/important.log", "npm-debug.log.7", "a/tmp/", "tmp/", "a/tmp",
	"x.i386", "x.i686", "x.mod.c", ".DS_Store", "a/.env",
	".env.test.local", "file1.c", "t01/c0040/x7.h", "t01/", "c0040/",
	"Makefile",
};

static void
micro(struct sink *s, const char *gifile, size_t rounds)
{
	struct gitignore *gi;
	struct matcher *m;
	struct gres g;
	struct timespec t0;
	char *text;
	size_t len, i, k, hits[4];
	double ns[4], best[4];
	const char *p;
	int r[4];

	len = slurp(gifile, &text);
	gi = gitignore_new();
	(void)gitignore_set_file(gi, GITIGNORE_DIR, "", 0, text, len,
	    ".gitignore");
	m = matcher_new();
	gres_build(&g, text, len);
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		p = probes[i];
		r[0] = gitignore_check_name(gi, p, strlen(p), 0, NULL);
		r[1] = pcre2_check(m, &g, p, strlen(p), 0);
		r[2] = pcre2_check(m, &g, p, strlen(p), 1);
		r[3] = pcre2_check_one(m, &g, p, strlen(p));
		if (r[1] != r[0] || r[2] != r[0] || r[3] != r[0])
			errx(1, "%s: gitignore %d, PCRE2 %d %d %d", p, r[0],
			    r[1], r[2], r[3]);
	}
	for (k = 0; k < 4; k++)
		best[k] = 0;
	/* The best of 5 times: the others are the machine's noise. */
	for (i = 0; i < 5; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		hits[0] = bench_gitignore(gi, s->paths, s->npaths, rounds);
		ns[0] = elapsed_ns(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		hits[1] = bench_pcre2_each(m, &g, s->paths, s->npaths, rounds);
		ns[1] = elapsed_ns(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		hits[2] = bench_pcre2_lit(m, &g, s->paths, s->npaths, rounds);
		ns[2] = elapsed_ns(&t0);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		hits[3] = bench_pcre2_one(m, &g, s->paths, s->npaths, rounds);
		ns[3] = elapsed_ns(&t0);
		for (k = 0; k < 4; k++)
			if (i == 0 || ns[k] < best[k])
				best[k] = ns[k];
	}
	for (k = 0; k < 4; k++)
		best[k] /= (double)(s->npaths * rounds);
	printf("micro: patterns=%zu paths=%zu rounds=%zu probes=%zu "
	    "ignored=%zu/%zu/%zu/%zu gitignore_ns=%.1f pcre2_each_ns=%.1f "
	    "pcre2_lit_ns=%.1f pcre2_one_ns=%.1f\n", g.n, s->npaths, rounds,
	    sizeof(probes) / sizeof(probes[0]), hits[0], hits[1], hits[2],
	    hits[3], best[0], best[1], best[2], best[3]);
	gres_free(&g);
	matcher_free(m);
	gitignore_free(gi);
	free(text);
}

int
main(int argc, char *argv[])
{
	struct ruleset rs;
	struct watch_opts wo;
	struct matcher *matcher;
	struct sched *sched;
	struct ignore *ig = NULL;
	struct inwatch *w;
	struct sink s;
	struct timespec t0;
	char tmpl[] = "/tmp/replay.XXXXXX", pat[64], *buf, *gitext = NULL;
	const char *errstr, *shape = "ext", *gifile = NULL, *mode;
	size_t ndirs = 1000, nevents = 20000, nrules = 1, len, ncuts, i;
	size_t rounds = 20, gilen = 0;
	size_t *cuts;
	uint32_t other_mask = IN_CLOSE_WRITE | IN_CREATE;
	uint32_t jit = 0;
	double ns;
	int c, nofilter = 0, bench = 0;

	while ((c = getopt(argc, argv, "BFg:k:Mm:n:r:s:")) != -1) {
		switch (c) {
		case 'B':
			bench = 1;
			break;
		case 'F':
			nofilter = 1;
			break;
		case 'g':
			gifile = optarg;
			break;
		case 'k':
			rounds = (size_t)strtonum(optarg, 1, 1000000,
			    &errstr);
			if (errstr != NULL)
				errx(2, "-k %s: %s", optarg, errstr);
			break;
		case 'M':
			other_mask = IN_DELETE;
			break;
		case 'm':
			nevents = (size_t)strtonum(optarg, 1, 10000000,
			    &errstr);
			if (errstr != NULL)
				errx(2, "-m %s: %s", optarg, errstr);
			break;
		case 'n':
			ndirs = (size_t)strtonum(optarg, 1, 100000, &errstr);
			if (errstr != NULL)
				errx(2, "-n %s: %s", optarg, errstr);
			break;
		case 'r':
			nrules = (size_t)strtonum(optarg, 1, 10000, &errstr);
			if (errstr != NULL)
				errx(2, "-r %s: %s", optarg, errstr);
			break;
		case 's':
			shape = optarg;
			if (strcmp(shape, "ext") != 0 &&
			    strcmp(shape, "dir") != 0)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind != argc || (nofilter && gifile != NULL) ||
	    (bench && gifile == NULL))
		usage();
	if (gifile != NULL)
		gilen = slurp(gifile, &gitext);

	/*
	 * Rules 1..n-1 never match these names; the last one, \.c$, does.
	 * "ext" rules end in a literal, "dir" rules have no literal prefix
	 * or suffix at all.
	 */
	memset(&rs, 0, sizeof(rs));
	for (i = 0; i + 1 < nrules; i++) {
		if (strcmp(shape, "ext") == 0)
			snprintf(pat, sizeof(pat), "\\.ext%zu$", i);
		else
			snprintf(pat, sizeof(pat), "(^|/)dir%zu/", i);
		add_rule(&rs, pat, other_mask);
	}
	add_rule(&rs, "\\.c$", IN_CLOSE_WRITE | IN_CREATE);
	rules_add_root(&rs, ".");
	(void)pcre2_config(PCRE2_CONFIG_JIT, &jit);

	if (mkdtemp(tmpl) == NULL)
		err(1, "mkdtemp");
	if (chdir(tmpl) == -1)
		err(1, "chdir %s", tmpl);
	/* No global excludes file of whoever runs this: only -g's lines. */
	if (setenv("HOME", tmpl, 1) == -1 ||
	    setenv("XDG_CONFIG_HOME", tmpl, 1) == -1)
		err(1, "setenv");
	make_tree(ndirs);
	if (gifile != NULL) {
		if (mkdir(".git", 0755) == -1)
			err(1, "mkdir .git");
		spew(".gitignore", gitext, gilen);
	}

	matcher = matcher_new();
	memset(&s, 0, sizeof(s));
	sched = sched_new(&(struct sched_opts){ .on_busy = BUSY_QUEUE },
	    rs.nrules);
	s.d = dispatch_new(rs.rules, rs.nrules, matcher, sched);
	if (bench)
		s.paths = xreallocarray(NULL, nevents, sizeof(*s.paths));
	memset(&wo, 0, sizeof(wo));
	wo.mask = dispatch_events(s.d);
	wo.sink = on_pevent;
	wo.sink_arg = &s;
	mode = "none";
	if (!nofilter) {
		/* As app.c: the default list, and git's rules if in a tree. */
		ig = ignore_new(&rs, matcher, 1, 1);
		wo.ignore = filter;
		wo.ignore_arg = ig;
		if (ignore_uses_vcs(ig)) {
			wo.dir_hook = read_dir_rules;
			wo.rules_name = ".gitignore";
		}
		mode = ignore_uses_vcs(ig) ? "git" : "default";
		if ((gifile != NULL) != ignore_uses_vcs(ig))
			errx(1, "git's rules are %s",
			    ignore_uses_vcs(ig) ? "on" : "off");
	}
	if ((w = inwatch_new(&wo)) == NULL)
		err(1, "inotify_init1");
	if (inwatch_root(w, ".") == -1)
		errx(1, "cannot watch %s", tmpl);
	inwatch_started(w);
	if (inwatch_dirs(w) != ndirs)
		errx(1, "watching %zu directories, not %zu", inwatch_dirs(w),
		    ndirs);
	/* The .gitignore is read and in force: it ignores build/. */
	if (gifile != NULL && !ignore_path(ig, "build/", 6, NULL))
		errx(1, "%s does not ignore build/", gifile);

	buf = synthesize(ndirs, nevents, &len, &cuts, &ncuts);
	feeding = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	replay_feed(w, buf, cuts, ncuts);
	ns = elapsed_ns(&t0);
	feeding = 0;

	if (bench)
		micro(&s, gifile, rounds);
	else
		printf("replay: dirs=%zu events=%zu bytes=%zu chunks=%zu "
		    "rules=%zu filter=%s filtered=%zu delivered=%zu jit=%s "
		    "ns_per_event=%.1f\n", ndirs, nevents, len, ncuts, nrules,
		    mode, filtered, s.delivered, jit ? "yes" : "no",
		    ns / (double)nevents);

	inwatch_free(w);
	ignore_free(ig);
	dispatch_free(s.d);
	sched_free(sched);
	matcher_free(matcher);
	rules_free(&rs);
	for (i = 0; i < s.npaths; i++)
		free(s.paths[i]);
	free(s.paths);
	free(buf);
	free(cuts);
	free(gitext);
	if (chdir("/") == -1)
		err(1, "chdir /");
	if (nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == -1)
		warn("remove %s", tmpl);
	return 0;
}
