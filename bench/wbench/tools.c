/*
 * tools.c: the watchers the benchmark runs (watchrun and its variants,
 * the floor, the peers), how each is started, which of them are
 * installed and chosen, and their versions and command lines for the
 * report.
 */
#include <sys/fanotify.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wbench.h"

/* Peers' command lines, as in the peers harness (shared/peers). */
#define INOTIFYWAIT_SH	"inotifywait -m -r -e " \
			"close_write,moved_to,create,delete --format " \
			"\"%w%f\" \"$1\" | while IFS= read -r p; do " \
			"\"$2\" \"$3\" \"$p\"; done"
#define FSWATCH_SH	"fswatch -r -o --latency 0.1 --allow-overflow " \
			"--event Created --event Updated --event Removed " \
			"--event Renamed --event MovedFrom --event MovedTo " \
			"--event Overflow \"$1\" | xargs -I{} \"$2\" \"$3\""
#define ENTR_SH		"while :; do find \"$1\" | entr -n -d \"$2\" " \
			"\"$3\"; [ $? -eq 2 ] || sleep 0.1; done"

const struct tool tools[NTOOLS] = {
	[T_WATCHRUN] = { "watchrun", NULL, ": ready, ", 0, 0, NULL,
	    { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "-w", "$D", "-d", "0", "--", "$STAMP", "$OUT" },
	    "debounce 0: runs after each inotify read", 0 },
	[T_WATCHRUN_D50] = { "watchrun -d 50ms", NULL, ": ready, ", 50, 0, NULL,
	    { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "-w", "$D", "-d", "50ms", "--", "$STAMP", "$OUT" },
	    "50 ms trailing debounce", 0 },
	[T_WATCHRUN_DEF] = { "watchrun (default)", NULL, ": ready, ",
	    100, 0, NULL,
	    { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "-w", "$D", "--", "$STAMP", "$OUT" },
	    "default debounce (100ms) and events", 0 },
	[T_WR_INOTIFY] = { "watchrun --backend inotify", NULL, ": ready, ", 0,
	    0, NULL, { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "--backend", "inotify", "-w", "$D", "-d", "0", "--",
	    "$STAMP", "$OUT" },
	    "debounce 0, one inotify watch per directory", 1 },
	[T_WR_FANOTIFY] = { "watchrun --backend fanotify", NULL, ": ready, ",
	    0, 0, NULL, { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "--backend", "fanotify", "-w", "$D", "-d", "0",
	    "--", "$STAMP", "$OUT" },
	    "debounce 0, one fanotify mark on the tree's filesystem (needs "
	    "CAP_SYS_ADMIN and Linux 5.9)", 1 },
	[T_WR_POLL] = { "watchrun --backend poll", NULL, ": ready, ", 0, 0,
	    NULL, { "$WATCHRUN", "--version" },
	    { "$WATCHRUN", "--backend", "$POLL", "-w", "$D", "-d", "0", "--",
	    "$STAMP", "$OUT" },
	    "debounce 0, the tree polled at that interval", 1 },
	[T_FLOOR] = { "floor", NULL, ": ready, ", 0, 0, NULL, { NULL },
	    { "$FLOOR", "-w", "$D", "-d", "0", "--", "$STAMP", "$OUT" },
	    "bench/floor.c: nftw(3) walk, one fork+exec per read(2)", 0 },
	[T_FLOOR_G] = { "floor -g", NULL, ": ready, ", 0, 0, NULL, { NULL },
	    { "$FLOOR", "-g", "-w", "$D", "-d", "0", "--", "$STAMP", "$OUT" },
	    "bench/floor.c: getdents64(2) walk without stat, as floor "
	    "otherwise", 0 },
	[T_FLOOR_READ] = { "floor -n", NULL, ": ready, ", 0, 0, NULL, { NULL },
	    { "$FLOOR", "-w", "$D", "-n", "$EVENTS" },
	    "bench/floor.c -n: reads the events and counts them, runs "
	    "nothing, then reports its own CPU: the cost of reading inotify "
	    "at that event rate (scenario cpu-per-event)", 0 },
	[T_FLOOR_POLL] = { "floor -p", NULL, ": ready, ", 0, 0, NULL,
	    { NULL }, { "$FLOOR", "-p", "$POLL_MS", "-w", "$D" },
	    "bench/floor.c -p: lists the tree once, then at each interval "
	    "statx(2)es every directory and entry and does nothing else: "
	    "the floor of a poller that compares stat data (scenario "
	    "poll-cpu)", 0 },
	[T_INOTIFYWAIT] = { "inotifywait", "inotifywait sh",
	    "Watches established", 0, 1, "inotify-tools",
	    { "inotifywait", "--help" },
	    { "sh", "-c", INOTIFYWAIT_SH, "inotifywait-loop", "$D", "$STAMP",
	    "$OUT" },
	    "one run per event line, through a shell loop; ready line "
	    "'Watches established.'", 0 },
	[T_FSWATCH] = { "fswatch", "fswatch xargs sh", NULL, 0, 1, "fswatch",
	    { "fswatch", "--version" },
	    { "sh", "-c", FSWATCH_SH, "fswatch-pipe", "$D", "$STAMP", "$OUT" },
	    "one run per batch (-o) through xargs; no ready line: probed", 0 },
	[T_DIREVENT] = { "direvent", "direvent", NULL, 0, 1, "direvent",
	    { "direvent", "--version" },
	    { "direvent", "-f", "$CONF" },
	    "foreground, private config; 'write' is IN_MODIFY and "
	    "IN_CLOSE_WRITE; no ready line: probed", 0 },
	[T_ENTR] = { "entr", "entr find sh", NULL, 50, 1, "entr",
	    { "entr" },
	    { "sh", "-c", ENTR_SH, "entr-loop", "$D", "$STAMP", "$OUT" },
	    "restarted by a shell loop when a directory changes; 50 ms "
	    "built-in quiet period; no ready line: its first run", 0 },
};

/* One argument of a tool's argv with the run's paths put in; owned. */
char *
tool_subst(const struct bench *b, const char *tok, const struct run *r)
{
	char n[64];

	if (strcmp(tok, "$WATCHRUN") == 0)
		return xstrdup(b->o.watchrun);
	if (strcmp(tok, "$FLOOR") == 0)
		return xstrdup(b->floorbin);
	if (strcmp(tok, "$STAMP") == 0)
		return xstrdup(b->stampbin);
	if (r != NULL && strcmp(tok, "$D") == 0)
		return xstrdup(r->tree);
	if (r != NULL && strcmp(tok, "$OUT") == 0)
		return xstrdup(r->out);
	if (r != NULL && strcmp(tok, "$CONF") == 0)
		return xstrdup(r->conf);
	if (strcmp(tok, "$EVENTS") == 0) {
		snprintf(n, sizeof(n), "%d", b->o.events / 2 * 2);
		return xstrdup(n);
	}
	if (strcmp(tok, "$POLL") == 0) {
		snprintf(n, sizeof(n), "poll=%s", b->o.poll_every);
		return xstrdup(n);
	}
	if (strcmp(tok, "$POLL_MS") == 0) {
		snprintf(n, sizeof(n), "%llu", (unsigned long long)
		    (poll_every_ns(b) / MS));
		return xstrdup(n);
	}
	return xstrdup(tok);
}

static void
tool_version(struct bench *b, int id)
{
	const struct tool *t = &tools[id];
	char *av[4], buf[4096], deb[128];
	int i, st;

	if (t->vers[0] == NULL) {
		snprintf(b->version[id], sizeof(b->version[id]),
		    "bench/floor.c, built with this tree");
		return;
	}
	for (i = 0; i < 3 && t->vers[i] != NULL; i++)
		av[i] = tool_subst(b, t->vers[i], NULL);
	av[i] = NULL;
	(void)capture(b, av, buf, sizeof(buf), NULL);
	while (i-- > 0)
		free(av[i]);
	first_line(buf);
	deb[0] = '\0';
	if (t->pkg != NULL) {
		char *dq[] = { "dpkg-query", "-W", "-f=${Version}", NULL,
		    NULL };

		dq[3] = xstrdup(t->pkg);
		st = capture(b, dq, deb, sizeof(deb), NULL);
		free(dq[3]);
		if (st != 0)
			deb[0] = '\0';
		first_line(deb);
	}
	if (deb[0] != '\0')
		snprintf(b->version[id], sizeof(b->version[id]),
		    "%.80s (Debian %.20s %.40s)", buf, t->pkg, deb);
	else
		snprintf(b->version[id], sizeof(b->version[id]), "%.150s",
		    buf);
}

/* Whether watchrun's --help names a --backend option. */
static int
has_backend(const struct bench *b)
{
	char buf[16384];
	char *av[] = { NULL, "--help", NULL };

	av[0] = xstrdup(b->o.watchrun);
	(void)capture(b, av, buf, sizeof(buf), NULL);
	free(av[0]);
	return strstr(buf, "--backend") != NULL;
}

/* Fills b->avail, b->skipwhy and, for the tools chosen, b->version. */
void
tools_find(struct bench *b)
{
	char need[128], *w, *save = NULL;
	int id;

	b->has_backend = access(b->o.watchrun, X_OK) == 0 && has_backend(b);
	for (id = 0; id < NTOOLS; id++) {
		b->avail[id] = 1;
		if (tools[id].need == NULL) {
			const char *bin = tools[id].argv[0][1] == 'W' ?
			    b->o.watchrun : b->floorbin;

			if (access(bin, X_OK) != 0) {
				b->avail[id] = 0;
				snprintf(b->skipwhy[id], sizeof(b->skipwhy[id]),
				    "%.80s: %.40s", bin, strerror(errno));
			} else if (tools[id].backend && !b->has_backend) {
				b->avail[id] = 0;
				snprintf(b->skipwhy[id], sizeof(b->skipwhy[id]),
				    "this watchrun has no --backend option "
				    "(its --help does not name it)");
			}
		} else {
			snprintf(need, sizeof(need), "%s", tools[id].need);
			for (w = strtok_r(need, " ", &save); w != NULL;
			    w = strtok_r(NULL, " ", &save))
				if (!in_path(w)) {
					b->avail[id] = 0;
					snprintf(b->skipwhy[id],
					    sizeof(b->skipwhy[id]),
					    "%s is not installed", w);
					break;
				}
		}
		if (b->avail[id] && selected(b, id))
			tool_version(b, id);
	}
}

/* Whether -P and -t leave tool id in. */
int
selected(const struct bench *b, int id)
{
	const char *s = b->o.only, *e;
	size_t len = strlen(tools[id].name);

	if (tools[id].peer && !b->o.peers)
		return 0;
	if (s == NULL)
		return 1;
	/* By name; "watchrun" covers its variants. */
	while (*s != '\0') {
		e = s + strcspn(s, ",");
		if ((size_t)(e - s) <= len &&
		    strncmp(s, tools[id].name, (size_t)(e - s)) == 0 &&
		    (tools[id].name[e - s] == '\0' ||
		    tools[id].name[e - s] == ' '))
			return 1;
		s = *e ? e + 1 : e;
	}
	return 0;
}

/* Whether to run tool id here; says so in the table fp when it is missing. */
int
use_tool(struct bench *b, int id, FILE *fp)
{
	if (!selected(b, id))
		return 0;
	if (!b->avail[id]) {
		if (fp != NULL)
			fprintf(fp, "| %s | skipped: %s |\n", tools[id].name,
			    b->skipwhy[id]);
		progress(b, "%s skipped: %s", tools[id].name, b->skipwhy[id]);
		return 0;
	}
	return 1;
}

/* Tool id's command line as the report shows it. */
void
tool_cmdline(const struct bench *b, FILE *fp, int id)
{
	const struct tool *t = &tools[id];
	const char *a;
	int i;

	for (i = 0; t->argv[i] != NULL; i++) {
		a = t->argv[i];
		if (i > 0)
			fputc(' ', fp);
		if (strcmp(a, "$WATCHRUN") == 0)
			fputs("watchrun", fp);
		else if (strcmp(a, "$FLOOR") == 0)
			fputs("floor", fp);
		else if (strcmp(a, "$POLL") == 0)
			fprintf(fp, "poll=%s", b->o.poll_every);
		else if (strcmp(a, "$POLL_MS") == 0)
			fprintf(fp, "%llu", (unsigned long long)
			    (poll_every_ns(b) / MS));
		else if (strpbrk(a, " \"$|;") != NULL && a[0] != '$')
			fprintf(fp, "'%s'", a);
		else
			fputs(a, fp);
	}
}

/*
 * Whether this process may watch path's filesystem with fanotify as a
 * backend would: reporting directory handles and names (Linux 5.9) on a
 * filesystem mark (CAP_SYS_ADMIN).  Returns 1, or 0 with why set.
 */
int
fanotify_usable(const char *path, char *why, size_t size)
{
	int fd;

	if ((fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC |
	    FAN_REPORT_DFID_NAME, O_RDONLY)) == -1) {
		snprintf(why, size, "fanotify_init: %s (it needs "
		    "CAP_SYS_ADMIN and Linux 5.9 or later)", strerror(errno));
		return 0;
	}
	if (fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM, FAN_CREATE |
	    FAN_CLOSE_WRITE | FAN_ONDIR, AT_FDCWD, path) == -1) {
		snprintf(why, size, "fanotify_mark on the filesystem of %s: "
		    "%s", path, strerror(errno));
		close(fd);
		return 0;
	}
	close(fd);
	return 1;
}
