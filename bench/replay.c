/*
 * replay.c: the per-event path of watchrun (decode, tree lookup, match,
 * debounce) on a synthesized inotify stream, for instruction counts under
 * valgrind --tool=callgrind --toggle-collect=replay_feed (or
 * dispatch_event, the match and debounce stage alone).
 *
 * A real tree of N directories is made in a temporary directory and
 * watched with watch_root(); a fresh inotify instance numbers its watches
 * 1..N, so records with those watch descriptors resolve to real nodes.
 * The stream is the same for every run with the same -n and -m.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
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
#include "match.h"
#include "rules.h"
#include "sched.h"
#include "watch.h"
#include "xmalloc.h"

/* Top-level directories of the synthetic tree; the rest go below them. */
#define TOPDIRS		32

struct sink {
	struct dispatch	*d;
	uint64_t	 now;		/* fake monotonic microseconds */
	size_t		 delivered;
};

static void
usage(void)
{
	fprintf(stderr, "usage: replay [-M] [-m events] [-n dirs] "
	    "[-r rules] [-s ext|dir]\n");
	exit(2);
}

static void
on_pevent(void *arg, const struct pevent *pev)
{
	struct sink *s = arg;

	s->now += 7;
	s->delivered++;
	dispatch_event(s->d, pev, s->now);
}

/*
 * Everything callgrind counts with --toggle-collect=replay_feed: the
 * chunks are handed over as watch_read() hands over what read(2) returns.
 */
void replay_feed(struct watch *, const char *, const size_t *, size_t);

void __attribute__((__noinline__))
replay_feed(struct watch *w, const char *buf, const size_t *cuts,
    size_t ncuts)
{
	size_t i, at = 0;

	for (i = 0; i < ncuts; i++) {
		watch_feed(w, buf + at, cuts[i] - at);
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
 * MODIFY of file<k>.c or x<k>.o, names NUL-padded to 16 bytes as the
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
			nlen = (size_t)snprintf(name, sizeof(name), "x%u.o",
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

int
main(int argc, char *argv[])
{
	struct ruleset rs;
	struct watch_opts wo;
	struct matcher *matcher;
	struct sched *sched;
	struct watch *w;
	struct sink s;
	struct timespec t0, t1;
	char tmpl[] = "/tmp/replay.XXXXXX", pat[64], *buf;
	const char *errstr, *shape = "ext";
	size_t ndirs = 1000, nevents = 20000, nrules = 1, len, ncuts, i;
	size_t *cuts;
	uint32_t other_mask = IN_CLOSE_WRITE | IN_CREATE;
	uint32_t jit = 0;
	double ns;
	int c;

	while ((c = getopt(argc, argv, "Mm:n:r:s:")) != -1) {
		switch (c) {
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
	if (optind != argc)
		usage();

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
	(void)pcre2_config(PCRE2_CONFIG_JIT, &jit);

	if (mkdtemp(tmpl) == NULL)
		err(1, "mkdtemp");
	if (chdir(tmpl) == -1)
		err(1, "chdir %s", tmpl);
	make_tree(ndirs);

	matcher = matcher_new();
	memset(&s, 0, sizeof(s));
	sched = sched_new(&(struct sched_opts){ .on_busy = BUSY_QUEUE },
	    rs.nrules);
	s.d = dispatch_new(rs.rules, rs.nrules, matcher, sched);
	memset(&wo, 0, sizeof(wo));
	wo.mask = dispatch_events(s.d);
	wo.sink = on_pevent;
	wo.sink_arg = &s;
	if ((w = watch_new(&wo)) == NULL)
		err(1, "inotify_init1");
	if (watch_root(w, ".") == -1)
		errx(1, "cannot watch %s", tmpl);
	watch_started(w);
	if (watch_dirs(w) != ndirs)
		errx(1, "watching %zu directories, not %zu", watch_dirs(w),
		    ndirs);

	buf = synthesize(ndirs, nevents, &len, &cuts, &ncuts);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	replay_feed(w, buf, cuts, ncuts);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec);

	printf("replay: dirs=%zu events=%zu bytes=%zu chunks=%zu rules=%zu "
	    "delivered=%zu jit=%s ns_per_event=%.1f\n", ndirs, nevents, len,
	    ncuts, nrules, s.delivered, jit ? "yes" : "no",
	    ns / (double)nevents);

	watch_free(w);
	dispatch_free(s.d);
	sched_free(sched);
	matcher_free(matcher);
	rules_free(&rs);
	free(buf);
	free(cuts);
	if (chdir("/") == -1)
		err(1, "chdir /");
	if (nftw(tmpl, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == -1)
		warn("remove %s", tmpl);
	return 0;
}
