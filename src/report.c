/*
 * report.c: the words and colours of a run's end, for the terminal and
 * for systemd's status line.  The words alone carry the outcome ("exited
 * 0", "exited 2", "killed by SIGSEGV"); colour only makes it quicker to
 * see.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "report.h"
#include "xmalloc.h"

/* SGR sequences: green, red, yellow, and back to the default. */
#define SGR_OK		"\033[32m"
#define SGR_FAILED	"\033[31m"
#define SGR_STOPPED	"\033[33m"
#define SGR_RESET	"\033[m"

int
report_color_parse(const char *s, enum report_color *mode)
{
	if (strcmp(s, "auto") == 0)
		*mode = REPORT_COLOR_AUTO;
	else if (strcmp(s, "always") == 0)
		*mode = REPORT_COLOR_ALWAYS;
	else if (strcmp(s, "never") == 0)
		*mode = REPORT_COLOR_NEVER;
	else
		return -1;
	return 0;
}

int
report_color_wanted(enum report_color mode, int tty, const char *no_color,
    const char *term)
{
	switch (mode) {
	case REPORT_COLOR_ALWAYS:
		return 1;
	case REPORT_COLOR_NEVER:
		return 0;
	case REPORT_COLOR_AUTO:
		break;
	}
	if (!tty || (no_color != NULL && no_color[0] != '\0'))
		return 0;
	return term == NULL || strcmp(term, "dumb") != 0;
}

enum report_outcome
report_outcome(const struct report_run *run)
{
	if (!run->timed_out && WIFEXITED(run->status) &&
	    WEXITSTATUS(run->status) == 0)
		return REPORT_OK;
	/* A run cut short by a timeout failed, whoever stopped it. */
	if (run->stopped && !run->timed_out)
		return REPORT_STOPPED;
	return REPORT_FAILED;
}

/*
 * The outcome's words, as "timed out, killed by SIGTERM", in buf; returns
 * -1 for a status that is neither an exit nor a signal.
 */
static int
outcome_words(const struct report_run *run, char *buf, size_t size)
{
	const char *abbrev, *pre = run->timed_out ? "timed out, " : "";

	if (WIFEXITED(run->status))
		(void)snprintf(buf, size, "%sexited %d", pre,
		    WEXITSTATUS(run->status));
	else if (WIFSIGNALED(run->status)) {
		abbrev = sigabbrev_np(WTERMSIG(run->status));
		(void)snprintf(buf, size, "%skilled by SIG%s", pre,
		    abbrev != NULL ? abbrev : "?");
	} else
		return -1;
	return 0;
}

char *
report_line(const struct report_run *run, int color)
{
	static const char *const sgr[] = {
		[REPORT_OK] = SGR_OK,
		[REPORT_FAILED] = SGR_FAILED,
		[REPORT_STOPPED] = SGR_STOPPED,
	};
	char what[64], paths[64];

	if (outcome_words(run, what, sizeof(what)) == -1)
		return NULL;
	paths[0] = '\0';
	if (run->count > 1)
		(void)snprintf(paths, sizeof(paths), " and %zu more",
		    run->count - 1);
	return xasprintf("%s: %s%s%s%s%s: %s%s%s after %llu.%03llus",
	    run->origin, run->command, run->first != NULL ? " (" : "",
	    run->first != NULL ? run->first : "", paths,
	    run->first != NULL ? ")" : "",
	    color ? sgr[report_outcome(run)] : "", what,
	    color ? SGR_RESET : "", (unsigned long long)(run->ran / 1000000),
	    (unsigned long long)(run->ran % 1000000 / 1000));
}

/*
 * How many of the first len bytes of the valid UTF-8 text s fit in max
 * bytes without cutting a character in two.
 */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

char *
report_last(const struct report_run *run, const struct tm *at)
{
	char what[64], when[16];
	size_t len, cut;

	if (outcome_words(run, what, sizeof(what)) == -1)
		return NULL;
	if (strftime(when, sizeof(when), "%H:%M:%S", at) == 0)
		(void)strlcpy(when, "?", sizeof(when));
	len = strlen(run->command);
	cut = utf8_cut(run->command, len, REPORT_STATUS_COMMAND);
	return xasprintf("last run: %.*s%s %s after %llu.%03llus at %s",
	    (int)cut, run->command, cut < len ? "..." : "", what,
	    (unsigned long long)(run->ran / 1000000),
	    (unsigned long long)(run->ran % 1000000 / 1000), when);
}

char *
report_status(const char *what, size_t roots, const char *last)
{
	return xasprintf("watching %s in %zu root%s%s%s", what,
	    roots, roots == 1 ? "" : "s",
	    last != NULL ? "; " : "", last != NULL ? last : "");
}
