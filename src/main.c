/*
 * main.c: the command line.  Builds the configuration (from a Watchfile,
 * or one rule given on the command line), validates it, and hands it to
 * app_run(); or, with --check, prints it and stops.  A usage error is one
 * line on stderr that points to --help, and exit status 2.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "batch.h"
#include "cmdcheck.h"
#include "duration.h"
#include "explain.h"
#include "init.h"
#include "log.h"
#include "mask.h"
#include "match.h"
#include "report.h"
#include "rules.h"
#include "suggest.h"
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
#define WATCHFILE	"Watchfile"
#define OPTSTRING	"+:f:w:r:e:x:d:s:j:Rqhic"	/* ':' words missing arguments */
#define OPT_NAME_MAX	32	/* "--follow-symlinks", "--on-busy restart" */

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
	OPT_EXISTING,
	OPT_MAX_WAIT,
	OPT_RUN_TIMEOUT,
	OPT_WAIT_TIMEOUT,
	OPT_SIGNAL,
	OPT_STOP_SIGNAL,
	OPT_NO_LOOP,
	OPT_NO_DEFAULT_IGNORES,
	OPT_NO_VCS_IGNORE,
	OPT_EXPLAIN,
	OPT_BACKEND,
	OPT_LIST_EVENTS,
	OPT_INIT,
	OPT_COLOR,
	OPT_BELL,
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
	{ "initial", no_argument, NULL, 'i' },
	{ "existing", no_argument, NULL, OPT_EXISTING },
	{ "max-wait", required_argument, NULL, OPT_MAX_WAIT },
	{ "run-timeout", required_argument, NULL, OPT_RUN_TIMEOUT },
	{ "wait-timeout", required_argument, NULL, OPT_WAIT_TIMEOUT },
	{ "signal", required_argument, NULL, OPT_SIGNAL },
	{ "stop-signal", required_argument, NULL, OPT_STOP_SIGNAL },
	{ "jobs", required_argument, NULL, 'j' },
	{ "clear", no_argument, NULL, 'c' },
	{ "no-loop", no_argument, NULL, OPT_NO_LOOP },
	{ "no-default-ignores", no_argument, NULL, OPT_NO_DEFAULT_IGNORES },
	{ "no-vcs-ignore", no_argument, NULL, OPT_NO_VCS_IGNORE },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "explain", required_argument, NULL, OPT_EXPLAIN },
	{ "list-events", no_argument, NULL, OPT_LIST_EVENTS },
	{ "init", no_argument, NULL, OPT_INIT },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "bell", no_argument, NULL, OPT_BELL },
	{ NULL, 0, NULL, 0 }
};

/* --help: the usage, then the options, on stdout. */
static void __attribute__((__noreturn__))
usage(void)
{
	printf(
"usage: watchrun [-cqRi] [-f file] [-w dir] [-x regex] [-d duration] [-j n]\n"
"                [--once] [--on-busy queue|restart|ignore|signal] [--no-loop]\n"
"                [--existing] [--max-wait duration] [--run-timeout duration]\n"
"                [--wait-timeout duration] [--signal sig] [--stop-signal sig]\n"
"                [--stop-timeout duration] [--partial] [--follow-symlinks]\n"
"                [--max-paths n] [--no-default-ignores] [--no-vcs-ignore]\n"
"                [--backend auto|inotify|fanotify|poll[=interval]]\n"
"                [--color auto|always|never] [--bell]\n"
"       watchrun [options] [-r regex] [-e events] -s command-line\n"
"       watchrun [options] [-r regex] [-e events] -- command [arg ...]\n"
"       watchrun --check [-f file | rule options]\n"
"       watchrun --explain path [-f file | rule options]\n"
"       watchrun --init [-q] [-f file]\n"
"       watchrun --print | --json [--once] [-f file] [-w dir] [-x regex]\n"
"                [-r regex] [-e events]\n"
"\n"
"  -f, --file FILE          rules file (default ./Watchfile)\n"
"  -w, --watch DIR          watch DIR recursively (repeatable; default .)\n"
"  -x, --ignore REGEX       never watch or report matching paths (repeatable)\n"
"      --no-default-ignores watch .git/ and the like, and editors' scratch files\n"
"      --no-vcs-ignore      do not apply .gitignore and git's other excludes\n"
"  -r, --regex REGEX        the rule's path pattern (default: every path)\n"
"  -e, --events EVENTS      the rule's events, e.g. WRITE|MOVED_TO\n"
"                           (default WRITE|MOVED_TO|MOVED_FROM|CREATE|DELETE)\n"
"  -d, --debounce DURATION  quiet period before a run (default 100ms)\n"
"      --max-wait DURATION  run at the latest this long after a batch's first\n"
"                           change, even if changes never pause (default 10s;\n"
"                           0: no limit)\n"
"  -s, --shell CMDLINE      run CMDLINE with sh -c, the paths in \"$@\"\n"
"                           (a command after -- gets them where an argument\n"
"                           is exactly {})\n"
"  -i, --initial            run each rule once as soon as watching begins\n"
"      --existing           files already there count as created at the start\n"
"  -R, --restart            same as --on-busy restart\n"
"      --on-busy MODE       while a command runs: queue (default), restart,\n"
"                           ignore changes, or signal it (see --signal)\n"
"      --signal SIG         what --on-busy signal sends (default HUP)\n"
"      --no-loop            changes made while a rule's command runs do not\n"
"                           set that rule off again\n"
"  -j, --jobs N             at most N commands at once (default: the CPUs)\n"
"      --run-timeout DUR    stop a run that lasts longer (exit 124 with --once)\n"
"      --stop-signal SIG    what stops a command (default TERM)\n"
"      --stop-timeout DUR   stop signal to SIGKILL delay (default 2s)\n"
"      --once               exit when the first run ends, with its status\n"
"                           (with --print: after the first event)\n"
"      --wait-timeout DUR   with --once: exit 124 if no run started by then\n"
"  -c, --clear              clear the terminal before each run\n"
"      --check              validate and print the rules, run nothing\n"
"      --explain PATH       say which ignore hides PATH, or which rules it\n"
"                           sets off, and exit\n"
"      --init               write a commented Watchfile (or -f FILE) that\n"
"                           suits the project here; never over a file\n"
"      --print, --json      print events instead of running commands\n"
"      --partial            start even if not every directory can be watched\n"
"      --follow-symlinks    watch directories that symlinks point to\n"
"      --backend KIND       inotify, fanotify (one mark per filesystem; needs\n"
"                           root), poll[=INTERVAL] (default 1s), or auto\n"
"                           (default: polls remote and FUSE filesystems,\n"
"                           fanotify past inotify's watch limit)\n"
"      --max-paths N        cap each rule's batch at N paths (default 100000);\n"
"                           past it the run gets WATCHRUN_TRUNCATED=1\n"
"      --color WHEN         colour run reports green or red: auto (default;\n"
"                           on a terminal, unless NO_COLOR), always, never\n"
"      --bell               ring the terminal's bell when a run fails\n"
"  -q, --quiet              no status lines of watchrun's own\n"
"  -h, --help               this help\n"
"      --version            print the version\n"
"      --list-events        print the event names -e takes, one a line\n");
	exit(0);
}

/*
 * Ends a start that the command line got wrong: one line on stderr that
 * points to --help, and exit status 2.  The full usage is for --help.
 */
static void __attribute__((__noreturn__, __format__(__printf__, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)fprintf(stderr, "%s: ", getprogname());
	(void)vfprintf(stderr, fmt, ap);
	(void)fprintf(stderr, "; see '%s --help'\n", getprogname());
	va_end(ap);
	exit(2);
}

/*
 * Returns the len bytes at s escaped for the terminal, as a string the
 * caller owns.  The backslashes stay: the values include regexes, which
 * must read as given.
 */
static char *
vis_mem(const char *s, size_t len)
{
	char *dst;

	dst = xreallocarray(NULL, len + 1, 4);
	log_escape_flags(dst, s, len, LOG_KEEP_BACKSLASH);
	return dst;
}

static char *
vis_arg(const char *s)
{
	return vis_mem(s, strlen(s));
}

/* Writes the option just parsed into buf as given: "-d" or "--debounce". */
static const char *
opt_name(int ch, int longindex, char *buf, size_t size)
{
	if (longindex >= 0)
		(void)snprintf(buf, size, "--%s", longopts[longindex].name);
	else
		(void)snprintf(buf, size, "-%c", ch);
	return buf;
}

/* The long option whose getopt_long() value is val, or NULL. */
static const struct option *
long_by_val(int val)
{
	const struct option *lo;

	for (lo = longopts; lo->name != NULL; lo++)
		if (lo->val == val)
			return lo;
	return NULL;
}

/*
 * An unknown or ambiguous long option, arg as given ("--nosuch=1").
 * Names the options an abbreviation could stand for, or the one a typo
 * is nearest to.
 */
static void __attribute__((__noreturn__))
bad_long_option(const char *arg)
{
	const struct option *lo, *near = NULL;
	const char *name = arg + 2;
	size_t len, d, best = SIZE_MAX, n = 0;
	char *v, list[256];

	len = strcspn(name, "=");
	list[0] = '\0';
	for (lo = longopts; lo->name != NULL; lo++) {
		if (len > 0 && strncmp(lo->name, name, len) == 0) {
			if (n++ > 0)
				(void)strlcat(list, ", ", sizeof(list));
			(void)strlcat(list, "--", sizeof(list));
			(void)strlcat(list, lo->name, sizeof(list));
		}
		d = suggest_distance(name, len, lo->name, strlen(lo->name));
		if (d < best) {
			best = d;
			near = lo;
		}
	}
	/* "--name", or all of it when there is no name before the '='. */
	v = vis_mem(arg, len > 0 ? len + 2 : strlen(arg));
	if (n > 1)
		usage_error("%s: ambiguous option (%s)", v, list);
	if (near != NULL && suggest_close(best, len))
		usage_error("%s: unknown option (did you mean --%s?)", v,
		    near->name);
	usage_error("%s: unknown option", v);
}

/*
 * Ends the start on an option getopt_long() refused: ch is ':' for a
 * missing argument, '?' for the rest; arg is the argument it was in.
 */
static void __attribute__((__noreturn__))
bad_option(int ch, const char *arg)
{
	const struct option *lo = long_by_val(optopt);
	int islong = strncmp(arg, "--", 2) == 0;
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* A short option's value is in optopt; arg may be another one. */
	if (ch == ':' && islong && lo != NULL)
		usage_error("--%s: missing argument", lo->name);
	if (ch == ':')
		usage_error("%s: missing argument", vis_arg(shortopt));
	/* A known option refused: only a long one given "=value" is. */
	if (optopt != 0 && lo != NULL && islong)
		usage_error("--%s: takes no argument", lo->name);
	if (optopt != 0)
		usage_error("%s: unknown option", vis_arg(shortopt));
	bad_long_option(arg);
}

/* As many commands at once as there are CPUs to run them. */
static size_t
default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (size_t)n : 1;
}

/* A signal given by name (HUP, SIGHUP, any case) or number. */
static int
signal_arg(const char *opt, const char *s)
{
	const char *name = s, *errstr, *abbrev;
	int sig;

	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (sig = 1; sig < NSIG; sig++)
		if ((abbrev = sigabbrev_np(sig)) != NULL &&
		    strcasecmp(abbrev, name) == 0)
			return sig;
	sig = (int)strtonum(s, 1, NSIG - 1, &errstr);
	if (errstr != NULL)
		usage_error("%s '%s': not a signal name or number", opt,
		    vis_arg(s));
	return sig;
}

/* A whole number from 1 to max given with opt. */
static size_t
count_arg(const char *opt, const char *s, long long max)
{
	const char *errstr;
	long long n;

	n = strtonum(s, 1, max, &errstr);
	if (errstr != NULL)
		usage_error("%s '%s': %s", opt, vis_arg(s), errstr);
	return (size_t)n;
}

static uint64_t
duration_arg(const char *opt, const char *s)
{
	const char *errstr;
	uint64_t us;

	if (duration_parse(s, strlen(s), &us, &errstr) == -1)
		usage_error("%s '%s': %s", opt, vis_arg(s), errstr);
	return us;
}

static uint32_t
events_arg(const char *opt, const char *s)
{
	const char *hint;
	uint32_t mask;
	size_t off, len;
	char *bad, names[128];

	if (mask_parse(s, strlen(s), &mask, &off, &len) == -1) {
		if (len == 0)
			usage_error("%s '%s': empty event name", opt,
			    vis_arg(s));
		bad = vis_mem(s + off, len);
		hint = mask_suggest(s + off, len);
		if (hint != NULL)
			usage_error("%s: unknown event '%s' (did you mean "
			    "'%s'?)", opt, bad, hint);
		usage_error("%s: unknown event '%s'", opt, bad);
	}
	if (mask & MASK_WATCH_FLAGS) {
		mask_format(mask & MASK_WATCH_FLAGS, names, sizeof(names));
		mask &= ~(uint32_t)MASK_WATCH_FLAGS;
		if (mask == 0)
			usage_error("%s '%s': no events left to listen for "
			    "(%s: a watch option, not an event)", opt,
			    vis_arg(s), names);
		warnx("%s: %s: a watch option, not an event; ignored", opt,
		    names);
	}
	return mask;
}

/* Compiles the regex s given with opt; a bad one ends the start. */
static struct match_re *
regex_arg(const char *opt, const char *s)
{
	struct match_re *re;
	char msg[256];
	size_t off;

	if ((re = match_compile(s, strlen(s), opt, msg, sizeof(msg),
	    &off)) == NULL)
		usage_error("%s '%s': bad regex at offset %zu: %s", opt,
		    vis_arg(s), off, msg);
	return re;
}

#define SH_BARE	"%+,-./0123456789:=@ABCDEFGHIJKLMNOPQRSTUVWXYZ_" \
		"abcdefghijklmnopqrstuvwxyz"

/*
 * The operands as the command line for -s they were likely meant to be
 * ("echo hello world" given as one operand), in single quotes; NULL when
 * an operand after the first would need quotes of its own, or when the
 * text would not print as is.  The caller owns the string.
 */
static char *
sh_hint(char **cmd, int ncmd)
{
	FILE *fp;
	char *hint = NULL, *esc;
	const char *s;
	size_t len;
	int i;

	for (i = 1; i < ncmd; i++)
		if (cmd[i][0] == '\0' || cmd[i][strspn(cmd[i], SH_BARE)] != '\0')
			return NULL;
	if ((fp = open_memstream(&hint, &len)) == NULL)
		return NULL;
	fputc('\'', fp);
	for (i = 0; i < ncmd; i++) {
		if (i > 0)
			fputc(' ', fp);
		for (s = cmd[i]; *s != '\0'; s++)
			if (*s == '\'')
				fputs("'\\''", fp);
			else
				fputc(*s, fp);
	}
	fputc('\'', fp);
	if (fclose(fp) == EOF) {
		free(hint);
		return NULL;
	}
	/* Text to paste back: nothing in it may need an escape. */
	esc = xreallocarray(NULL, len + 1, 4);
	if (log_escape_flags(esc, hint, len, LOG_KEEP_BACKSLASH) != len) {
		free(hint);
		hint = NULL;
	}
	free(esc);
	return hint;
}

/*
 * Ends the start when the program of a command given as operands cannot
 * run, with one line as a shell would word it, and exit status 2; a name
 * with a blank in it is likely a command line that was meant for -s.
 */
static void
command_check(char **cmd, int ncmd)
{
	const char *why;
	char *v, *hint = NULL;
	int saved;

	if (cmdcheck_find(cmd[0]) == 0)
		return;
	saved = errno;
	why = saved == ENOENT && strchr(cmd[0], '/') == NULL ?
	    "command not found" : strerror(saved);
	if (saved == ENOENT && strpbrk(cmd[0], " \t") != NULL)
		hint = sh_hint(cmd, ncmd);
	v = log_vis(cmd[0], strlen(cmd[0]));
	if (hint != NULL)
		warnx("%s: %s (did you mean -s %s?)", v, why, hint);
	else
		warnx("%s: %s", v, why);
	free(hint);
	free(v);
	exit(2);
}

/* Whether ./Watchfile is there to read (or to fail reading, loudly). */
static int
watchfile_exists(void)
{
	struct stat st;

	return stat(WATCHFILE, &st) == 0 || errno != ENOENT;
}

/*
 * What the command line asked for, between parsing and building the
 * ruleset.  Strings are borrowed from argv; re and the arrays are owned.
 */
struct cli {
	const char	 *file;
	const char	 *shell;
	char		**cmd;		/* the operands, or NULL */
	int		  ncmd;
	struct match_re	 *re;		/* -r, compiled */
	uint32_t	  mask;
	int		  have_events;
	uint64_t	  debounce;
	int		  check;
	char		**roots;
	size_t		  nroots;
	char		**ignores;
	size_t		  nignores;
	const char	 *explain;	/* --explain PATH */
	int		  init;		/* --init */
	char		  other_opt[OPT_NAME_MAX];	/* not -f or -q */
	char		  wait_opt[OPT_NAME_MAX];	/* --wait-timeout */
	char		  print_opt[OPT_NAME_MAX];	/* --print or --json */
	char		  busy_opt[OPT_NAME_MAX];	/* what set on_busy */
	char		  cmd_opt[OPT_NAME_MAX];	/* one for commands only */
};

/*
 * Sets the --on-busy mode as given by spelt ("-R", "--on-busy ignore");
 * two options that ask for different modes are an error, not "the last
 * one wins".
 */
static void
backend_arg(struct app_opts *o, const char *opt, const char *s)
{
	const char *errstr;

	if (watch_parse_kind(s, &o->backend, &o->poll_interval,
	    &errstr) == -1)
		usage_error("%s '%s': %s", opt, vis_arg(s), errstr);
}

static void
busy_set(struct cli *c, struct app_opts *o, enum sched_busy mode,
    const char *spelt)
{
	if (c->busy_opt[0] != '\0' && o->on_busy != mode)
		usage_error("%s: contradicts %s", spelt, c->busy_opt);
	o->on_busy = mode;
	(void)strlcpy(c->busy_opt, spelt, sizeof(c->busy_opt));
}

/* Notes an option that only matters when commands run, for --print. */
static void
cmd_only(struct cli *c, const char *name)
{
	if (c->cmd_opt[0] == '\0')
		(void)strlcpy(c->cmd_opt, name, sizeof(c->cmd_opt));
}

/* Parses the options into c and o; the operands are the command. */
static void
cli_parse(struct cli *c, struct app_opts *o, int argc, char *argv[])
{
	char name[OPT_NAME_MAX], spelt[OPT_NAME_MAX + 16];
	int ch, li;

	/* Every refusal is ours to word: one line, pointing to --help. */
	opterr = 0;
	for (;;) {
		li = -1;
		if ((ch = getopt_long(argc, argv, OPTSTRING, longopts,
		    &li)) == -1)
			break;
		opt_name(ch, li, name, sizeof(name));
		if (ch != 'f' && ch != 'q' && ch != OPT_INIT &&
		    c->other_opt[0] == '\0')
			(void)strlcpy(c->other_opt, name, sizeof(c->other_opt));
		switch (ch) {
		case 'f':
			c->file = optarg;
			break;
		case 'w':
			c->roots = xreallocarray(c->roots, c->nroots + 1,
			    sizeof(*c->roots));
			c->roots[c->nroots++] = optarg;
			break;
		case 'r':
			match_re_free(c->re);
			c->re = regex_arg(name, optarg);
			break;
		case 'e':
			c->mask = events_arg(name, optarg);
			c->have_events = 1;
			break;
		case 'x':
			/* Checked now; rules_add_ignore() compiles it again. */
			match_re_free(regex_arg(name, optarg));
			c->ignores = xreallocarray(c->ignores,
			    c->nignores + 1, sizeof(*c->ignores));
			c->ignores[c->nignores++] = optarg;
			break;
		case 'd':
			c->debounce = duration_arg(name, optarg);
			cmd_only(c, name);
			break;
		case 's':
			c->shell = optarg;
			break;
		case 'R':
			busy_set(c, o, BUSY_RESTART, name);
			cmd_only(c, name);
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			usage();
		case 'i':
			o->initial = 1;
			cmd_only(c, name);
			break;
		case 'c':
			o->clear = 1;
			cmd_only(c, name);
			break;
		case 'j':
			o->jobs = count_arg(name, optarg, 1000000);
			cmd_only(c, name);
			break;
		case OPT_EXISTING:
			o->existing = 1;
			cmd_only(c, name);
			break;
		case OPT_MAX_WAIT:
			o->max_wait = duration_arg(name, optarg);
			cmd_only(c, name);
			break;
		case OPT_RUN_TIMEOUT:
			o->run_timeout = duration_arg(name, optarg);
			cmd_only(c, name);
			break;
		case OPT_WAIT_TIMEOUT:
			o->wait_timeout = duration_arg(name, optarg);
			(void)strlcpy(c->wait_opt, name, sizeof(c->wait_opt));
			cmd_only(c, name);
			break;
		case OPT_SIGNAL:
			o->signal = signal_arg(name, optarg);
			busy_set(c, o, BUSY_SIGNAL, name);
			cmd_only(c, name);
			break;
		case OPT_STOP_SIGNAL:
			o->stop_signal = signal_arg(name, optarg);
			cmd_only(c, name);
			break;
		case OPT_NO_LOOP:
			o->no_loop = 1;
			cmd_only(c, name);
			break;
		case OPT_NO_DEFAULT_IGNORES:
			o->no_default_ignores = 1;
			break;
		case OPT_NO_VCS_IGNORE:
			o->no_vcs_ignore = 1;
			break;
		case OPT_EXPLAIN:
			c->explain = optarg;
			break;
		case OPT_BACKEND:
			backend_arg(o, name, optarg);
			break;
		case OPT_CHECK:
			c->check = 1;
			break;
		case OPT_INIT:
			c->init = 1;
			break;
		case OPT_COLOR:
			if (report_color_parse(optarg, &o->color) == -1)
				usage_error("%s '%s': expected auto, always or "
				    "never", name, vis_arg(optarg));
			break;
		case OPT_BELL:
			o->bell = 1;
			cmd_only(c, name);
			break;
		case OPT_JSON:
			o->json = 1;
			/* FALLTHROUGH */
		case OPT_PRINT:
			o->print = 1;
			(void)strlcpy(c->print_opt, o->json ? "--json" :
			    "--print", sizeof(c->print_opt));
			break;
		case OPT_ONCE:
			o->once = 1;
			break;
		case OPT_ON_BUSY:
			(void)snprintf(spelt, sizeof(spelt), "%s %s", name,
			    optarg);
			if (strcmp(optarg, "queue") == 0)
				busy_set(c, o, BUSY_QUEUE, spelt);
			else if (strcmp(optarg, "restart") == 0)
				busy_set(c, o, BUSY_RESTART, spelt);
			else if (strcmp(optarg, "ignore") == 0)
				busy_set(c, o, BUSY_IGNORE, spelt);
			else if (strcmp(optarg, "signal") == 0)
				busy_set(c, o, BUSY_SIGNAL, spelt);
			else
				usage_error("%s '%s': expected queue, restart, "
				    "ignore or signal", name, vis_arg(optarg));
			cmd_only(c, name);
			break;
		case OPT_STOP_TIMEOUT:
			o->stop_us = duration_arg(name, optarg);
			cmd_only(c, name);
			break;
		case OPT_PARTIAL:
			o->partial = 1;
			break;
		case OPT_FOLLOW:
			o->follow = 1;
			break;
		case OPT_MAX_PATHS:
			o->max_paths = count_arg(name, optarg, 100000000);
			cmd_only(c, name);
			break;
		case OPT_VERSION:
			printf("watchrun %s\n", VERSION);
			exit(0);
		case OPT_LIST_EVENTS:
			/* Read by the shell completions: a short list fails. */
			if (mask_list(stdout) == -1 || fflush(stdout) == EOF)
				err(1, "stdout");
			exit(0);
		default:
			bad_option(ch, argv[optind - 1]);
		}
	}
	if (optind < argc) {
		c->cmd = argv + optind;
		c->ncmd = argc - optind;
	}
}

/* Options that make sense alone but not together end the start. */
static void
cli_check(const struct cli *c, const struct app_opts *o)
{
	if (c->shell != NULL && c->cmd != NULL)
		usage_error("-s and a command cannot be given together");
	if (o->print && (c->shell != NULL || c->cmd != NULL))
		usage_error("--print and --json run no command");
	if (o->print && c->check)
		usage_error("--check and %s cannot be given together",
		    c->print_opt);
	if (o->print && c->cmd_opt[0] != '\0')
		usage_error("%s: only for commands, and %s runs none",
		    c->cmd_opt, c->print_opt);
	if (!o->print && c->shell == NULL && c->cmd == NULL &&
	    (c->re != NULL || c->have_events))
		usage_error("-r and -e describe a rule given on the command "
		    "line (with -s or a command)");
	if (c->file != NULL && (c->shell != NULL || c->cmd != NULL))
		usage_error("-f and a command-line rule cannot be given "
		    "together");
	if (c->wait_opt[0] != '\0' && !o->once)
		usage_error("%s: only with --once", c->wait_opt);
	if (c->init && c->other_opt[0] != '\0')
		usage_error("--init and %s cannot be given together",
		    c->other_opt);
	if (c->init && c->cmd != NULL)
		usage_error("--init runs no command");
	if (c->explain != NULL && (o->print || c->check))
		usage_error("--explain and %s cannot be given together",
		    c->check ? "--check" : c->print_opt);
}

int
main(int argc, char *argv[])
{
	struct ruleset rs;
	struct app_opts o;
	struct cli c;
	struct rule *r;
	const char *file, *env;
	uint32_t mask;
	char **av;
	int nerrors = 0, status;
	size_t i;

	memset(&rs, 0, sizeof(rs));
	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	o.stop_us = 2000000;
	o.max_paths = BATCH_MAX_PATHS;
	o.on_busy = BUSY_QUEUE;
	o.signal = SIGHUP;
	o.stop_signal = SIGTERM;
	o.max_wait = DEFAULT_MAX_WAIT;
	o.jobs = default_jobs();
	c.debounce = RULES_DEFAULT_DEBOUNCE;
	/* The default backend, for a service or a test suite to choose. */
	if ((env = getenv("WATCHRUN_BACKEND")) != NULL && env[0] != '\0')
		backend_arg(&o, "WATCHRUN_BACKEND", env);
	cli_parse(&c, &o, argc, argv);
	cli_check(&c, &o);
	if (c.init)
		exit(init_write(c.file != NULL ? c.file : WATCHFILE, o.quiet));
	/* Shell text (-s, a Watchfile's commands) is sh's to judge. */
	if (c.cmd != NULL && c.explain == NULL)
		command_check(c.cmd, c.ncmd);

	file = c.file;
	if (o.print) {
		/*
		 * The rules file gives the roots and ignores, as for a run;
		 * its rules are not run.  Without -f, a missing ./Watchfile
		 * is no error here: printing needs no rules.
		 */
		if (file == NULL && watchfile_exists())
			file = WATCHFILE;
		if (file != NULL)
			nerrors += rules_load(&rs, file, c.debounce, stderr);
		o.print_re = c.re;
		o.print_mask = c.have_events ? c.mask : IN_ALL_EVENTS |
		    IN_UNMOUNT | IN_IGNORED;
		o.print_dir_reads = c.have_events;
	} else if (c.cmd != NULL || c.shell != NULL) {
		av = NULL;
		if (c.cmd != NULL) {
			av = xcalloc((size_t)c.ncmd + 1, sizeof(*av));
			for (i = 0; i < (size_t)c.ncmd; i++)
				av[i] = xstrdup(c.cmd[i]);
		}
		mask = c.have_events ? c.mask : DEFAULT_EVENTS;
		if ((mask & ~(uint32_t)MASK_RULE_OPTS) == 0)
			mask |= DEFAULT_EVENTS;
		r = rules_add_rule(&rs, c.re, mask & ~(uint32_t)MASK_RULE_OPTS,
		    c.debounce, c.shell != NULL ? xstrdup(c.shell) : NULL, av,
		    CMDLINE_ORIGIN);
		r->no_loop = (mask & MASK_NO_LOOP) != 0;
		r->initial = (mask & MASK_INITIAL) != 0;
	} else if (c.explain == NULL || file != NULL || watchfile_exists()) {
		file = file != NULL ? file : WATCHFILE;
		nerrors += rules_load(&rs, file, c.debounce, stderr);
	}
	for (i = 0; i < c.nroots; i++)
		rules_add_root(&rs, c.roots[i]);
	for (i = 0; i < c.nignores; i++)
		if (rules_add_ignore(&rs, "-x", c.ignores[i], stderr) == -1)
			nerrors++;
	if (rs.nroots == 0)
		rules_add_root(&rs, ".");
	status = -1;
	if (nerrors > 0)
		status = 2;
	else if (c.check) {
		rules_print(&rs, stdout);
		status = 0;
	} else if (c.explain != NULL)
		status = explain(&rs, c.explain, !o.no_default_ignores,
		    !o.no_vcs_ignore, stdout);
	else if (!o.print && rs.nrules == 0) {
		warnx("%s: no rules to run", file);
		status = 2;
	}
	if (status != -1) {
		rules_free(&rs);
		match_re_free(o.print_re);
		free(c.roots);
		free(c.ignores);
		exit(status);
	}
	o.rs = &rs;
	if (!o.print && c.cmd == NULL && c.shell == NULL) {
		o.rules_file = file;
		o.extra_roots = c.roots;
		o.nextra_roots = c.nroots;
		o.extra_ignores = c.ignores;
		o.nextra_ignores = c.nignores;
		o.default_debounce = c.debounce;
	}
	status = app_run(&o);
	free(c.roots);
	free(c.ignores);
	rules_free(&rs);
	match_re_free(o.print_re);
	return status;
}
