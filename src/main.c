/*
 * main.c: the command line.  Builds the configuration (from a Watchfile,
 * or one rule given on the command line), validates it, and hands it to
 * app_run(); or, with --check, prints it and stops.
 */
#include <sys/inotify.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "batch.h"
#include "duration.h"
#include "mask.h"
#include "match.h"
#include "rules.h"
#include "xmalloc.h"

#define VERSION		"1.0.0"
#define DEFAULT_EVENTS	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | \
			    IN_CREATE | IN_DELETE)
#define CMDLINE_ORIGIN	"command-line:1"
/*
 * A batch whose changes never pause runs at the latest this long after
 * its first change: long enough that a save's burst or a checkout is one
 * batch, short enough that a log appended to for ever still gets runs.
 */
#define DEFAULT_MAX_WAIT	10000000

enum {
	OPT_CHECK = 256,
	OPT_PRINT,
	OPT_JSON,
	OPT_ONCE,
	OPT_ON_BUSY,
	OPT_STOP_TIMEOUT,
	OPT_PARTIAL,
	OPT_FOLLOW,
	OPT_VERSION,
	OPT_MAX_PATHS,
};

static const struct option longopts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "watch", required_argument, NULL, 'w' },
	{ "regex", required_argument, NULL, 'r' },
	{ "events", required_argument, NULL, 'e' },
	{ "ignore", required_argument, NULL, 'x' },
	{ "debounce", required_argument, NULL, 'd' },
	{ "shell", required_argument, NULL, 's' },
	{ "restart", no_argument, NULL, 'R' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "print", no_argument, NULL, OPT_PRINT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "once", no_argument, NULL, OPT_ONCE },
	{ "on-busy", required_argument, NULL, OPT_ON_BUSY },
	{ "stop-timeout", required_argument, NULL, OPT_STOP_TIMEOUT },
	{ "partial", no_argument, NULL, OPT_PARTIAL },
	{ "follow-symlinks", no_argument, NULL, OPT_FOLLOW },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "max-paths", required_argument, NULL, OPT_MAX_PATHS },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((__noreturn__))
usage(int status)
{
	FILE *fp = status == 0 ? stdout : stderr;

	fprintf(fp,
"usage: watchrun [-qR] [-f file] [-w dir] [-x regex] [-d duration] [--once]\n"
"                [--on-busy queue|restart|ignore] [--stop-timeout duration]\n"
"                [--partial] [--follow-symlinks] [--max-paths n]\n"
"       watchrun [options] [-r regex] [-e events] -s command-line\n"
"       watchrun [options] [-r regex] [-e events] -- command [arg ...]\n"
"       watchrun --check [-f file | rule options]\n"
"       watchrun --print | --json [--once] [-f file] [-w dir] [-x regex]\n"
"                [-r regex] [-e events]\n");
	if (status == 0)
		fprintf(fp,
"\n"
"  -f, --file FILE          rules file (default ./Watchfile)\n"
"  -w, --watch DIR          watch DIR recursively (repeatable; default .)\n"
"  -x, --ignore REGEX       never watch or report matching paths (repeatable)\n"
"  -r, --regex REGEX        the rule's path pattern (default: every path)\n"
"  -e, --events EVENTS      the rule's events, e.g. WRITE|MOVED_TO\n"
"                           (default WRITE|MOVED_TO|MOVED_FROM|CREATE|DELETE)\n"
"  -d, --debounce DURATION  quiet period before a run (default 100ms)\n"
"  -s, --shell CMDLINE      run CMDLINE with sh -c, the paths in \"$@\"\n"
"  -R, --restart            same as --on-busy restart\n"
"      --on-busy MODE       while a command runs: queue (default), restart,\n"
"                           or ignore changes\n"
"      --stop-timeout DUR   SIGTERM to SIGKILL delay (default 2s)\n"
"      --once               exit when the first run ends, with its status\n"
"                           (with --print: after the first event)\n"
"      --check              validate and print the rules, run nothing\n"
"      --print, --json      print events instead of running commands\n"
"      --partial            start even if not every directory can be watched\n"
"      --follow-symlinks    watch directories that symlinks point to\n"
"      --max-paths N        cap each rule's batch at N paths (default 100000);\n"
"                           past it the run gets WATCHRUN_TRUNCATED=1\n"
"  -q, --quiet              no status lines of watchrun's own\n"
"  -h, --help               this help\n"
"      --version            print the version\n");
	exit(status);
}

/* As many commands at once as there are CPUs to run them. */
static size_t
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (size_t)n : 1;
}

static uint64_t
duration_arg(const char *opt, const char *s)
{
	const char *errstr;
	uint64_t us;

	if (duration_parse(s, strlen(s), &us, &errstr) == -1) {
		warnx("%s '%s': %s", opt, s, errstr);
		usage(2);
	}
	return us;
}

static uint32_t
events_arg(const char *s)
{
	const char *hint;
	uint32_t mask;
	size_t off, len;
	char *bad, names[128];

	if (mask_parse(s, strlen(s), &mask, &off, &len) == -1) {
		bad = xmemdup(s + off, len);
		hint = mask_suggest(bad, len);
		if (len == 0)
			warnx("-e '%s': empty event name", s);
		else if (hint != NULL)
			warnx("-e: unknown event '%s' (did you mean '%s'?)",
			    bad, hint);
		else
			warnx("-e: unknown event '%s'", bad);
		free(bad);
		exit(2);
	}
	if (mask & MASK_WATCH_FLAGS) {
		mask_format(mask & MASK_WATCH_FLAGS, names, sizeof(names));
		warnx("-e: %s: a watch option, not an event; ignored", names);
		mask &= ~(uint32_t)MASK_WATCH_FLAGS;
		if (mask == 0) {
			warnx("-e '%s': no events left to listen for", s);
			exit(2);
		}
	}
	return mask;
}

static struct match_re *
regex_arg(const char *s)
{
	struct match_re *re;
	char msg[256];
	size_t off;

	if ((re = match_compile(s, strlen(s), "-r", msg, sizeof(msg),
	    &off)) == NULL) {
		warnx("-r '%s': bad regex at offset %zu: %s", s, off, msg);
		exit(2);
	}
	return re;
}

int
main(int argc, char *argv[])
{
	struct ruleset rs;
	struct app_opts o;
	struct match_re *re = NULL;
	const char *file = NULL, *regex = NULL, *shell = NULL, *errstr;
	char **cmd = NULL;
	uint32_t mask = 0;
	uint64_t debounce = RULES_DEFAULT_DEBOUNCE;
	int ch, check = 0, have_events = 0, nerrors = 0, status;
	char **ignores = NULL, **roots = NULL;
	size_t nignores = 0, nroots = 0, i;

	memset(&rs, 0, sizeof(rs));
	memset(&o, 0, sizeof(o));
	o.stop_us = 2000000;
	o.max_paths = BATCH_MAX_PATHS;
	o.on_busy = BUSY_QUEUE;
	o.stop_signal = SIGTERM;
	o.max_wait = DEFAULT_MAX_WAIT;
	o.jobs = default_jobs();
	while ((ch = getopt_long(argc, argv, "+f:w:r:e:x:d:s:Rqh", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'w':
			roots = xreallocarray(roots, nroots + 1,
			    sizeof(*roots));
			roots[nroots++] = optarg;
			break;
		case 'r':
			regex = optarg;
			break;
		case 'e':
			mask = events_arg(optarg);
			have_events = 1;
			break;
		case 'x':
			ignores = xreallocarray(ignores, nignores + 1,
			    sizeof(*ignores));
			ignores[nignores++] = optarg;
			break;
		case 'd':
			debounce = duration_arg("-d", optarg);
			break;
		case 's':
			shell = optarg;
			break;
		case 'R':
			o.on_busy = BUSY_RESTART;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'h':
			usage(0);
		case OPT_CHECK:
			check = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			/* FALLTHROUGH */
		case OPT_PRINT:
			o.print = 1;
			break;
		case OPT_ONCE:
			o.once = 1;
			break;
		case OPT_ON_BUSY:
			if (strcmp(optarg, "queue") == 0)
				o.on_busy = BUSY_QUEUE;
			else if (strcmp(optarg, "restart") == 0)
				o.on_busy = BUSY_RESTART;
			else if (strcmp(optarg, "ignore") == 0)
				o.on_busy = BUSY_IGNORE;
			else {
				warnx("--on-busy '%s': expected queue, "
				    "restart or ignore", optarg);
				usage(2);
			}
			break;
		case OPT_STOP_TIMEOUT:
			o.stop_us = duration_arg("--stop-timeout", optarg);
			break;
		case OPT_PARTIAL:
			o.partial = 1;
			break;
		case OPT_FOLLOW:
			o.follow = 1;
			break;
		case OPT_MAX_PATHS:
			o.max_paths = (size_t)strtonum(optarg, 1, 100000000,
			    &errstr);
			if (errstr != NULL) {
				warnx("--max-paths '%s': %s", optarg, errstr);
				usage(2);
			}
			break;
		case OPT_VERSION:
			printf("watchrun %s\n", VERSION);
			exit(0);
		default:
			usage(2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		cmd = argv;
	if (shell != NULL && cmd != NULL) {
		warnx("-s and a command cannot be given together");
		usage(2);
	}
	if (o.print && (shell != NULL || cmd != NULL || check)) {
		warnx("--print and --json run no command");
		usage(2);
	}
	if (!o.print && shell == NULL && cmd == NULL &&
	    (regex != NULL || have_events)) {
		warnx("-r and -e describe a rule given on the command line "
		    "(with -s or a command)");
		usage(2);
	}
	if (file != NULL && (shell != NULL || cmd != NULL)) {
		warnx("-f and a command-line rule cannot be given together");
		usage(2);
	}

	if (o.print) {
		if (file != NULL)
			nerrors += rules_load(&rs, file, debounce, stderr);
		if (regex != NULL)
			o.print_re = regex_arg(regex);
		o.print_mask = have_events ? mask : IN_ALL_EVENTS |
		    IN_UNMOUNT | IN_IGNORED;
		o.print_dir_reads = have_events;
	} else if (shell != NULL || cmd != NULL) {
		if (regex != NULL)
			re = regex_arg(regex);
		if (!have_events)
			mask = DEFAULT_EVENTS;
		if (cmd != NULL) {
			char **av = xcalloc((size_t)argc + 1, sizeof(*av));

			for (i = 0; i < (size_t)argc; i++)
				av[i] = xstrdup(cmd[i]);
			rules_add_rule(&rs, re, mask, debounce, NULL, av,
			    CMDLINE_ORIGIN);
		} else
			rules_add_rule(&rs, re, mask, debounce,
			    xstrdup(shell), NULL, CMDLINE_ORIGIN);
	} else
		nerrors += rules_load(&rs, file != NULL ? file : "Watchfile",
		    debounce, stderr);
	for (i = 0; i < nroots; i++)
		rules_add_root(&rs, roots[i]);
	for (i = 0; i < nignores; i++)
		if (rules_add_ignore(&rs, "-x", ignores[i], stderr) == -1)
			nerrors++;
	free(roots);
	free(ignores);
	if (nerrors > 0) {
		rules_free(&rs);
		match_re_free(o.print_re);
		exit(2);
	}
	if (rs.nroots == 0)
		rules_add_root(&rs, ".");
	if (check) {
		rules_print(&rs, stdout);
		rules_free(&rs);
		exit(0);
	}
	if (!o.print && rs.nrules == 0) {
		warnx("%s: no rules to run", file != NULL ? file :
		    "Watchfile");
		rules_free(&rs);
		exit(2);
	}
	o.rs = &rs;
	status = app_run(&o);
	rules_free(&rs);
	match_re_free(o.print_re);
	return status;
}
