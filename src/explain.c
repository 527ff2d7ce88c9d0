/*
 * explain.c: the decision on one path, in words.  A path is ignored when
 * it, or any directory above it below its root, is: watchrun never
 * watches an ignored directory, so nothing below one is ever seen.  The
 * ancestors are looked at first, from the root down, and the first
 * ignored one is named.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain.h"
#include "ignore.h"
#include "log.h"
#include "mask.h"
#include "match.h"
#include "rules.h"
#include "xmalloc.h"

/* The path as watchrun reports it: no leading "./", a '/' after a directory. */
static char *
event_path(const char *path, size_t *lenp)
{
	struct stat sb;
	size_t len;
	char *p;

	while (strncmp(path, "./", 2) == 0 && path[2] != '\0')
		path += 2;
	len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	/*
	 * Zeroed, with room to spare: PCRE2's JIT may read a few bytes past
	 * the end of a path it matches; they must at least be defined.
	 */
	p = xcalloc(1, len + 2 + 16);
	memcpy(p, path, len);
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	    !(len == 1 && p[0] == '/'))
		p[len++] = '/';
	p[len] = '\0';
	*lenp = len;
	return p;
}

/* Reads the rules the directory dir (len bytes, ending in '/') holds. */
static void
read_dir(struct ignore *ig, const char *dir, size_t len)
{
	char *d;
	int fd;

	d = xmemdup(dir, len);
	if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)ignore_read_dir(ig, fd, d, len);
		close(fd);
	}
	free(d);
}

static void
print_why(FILE *fp, const struct ignore_why *why)
{
	char *v;

	switch (why->by) {
	case IGNORE_DEFAULT:
		fprintf(fp, "the default list (%s)", why->what);
		break;
	case IGNORE_PATTERN:
		v = log_vis_text(why->what, strlen(why->what));
		fprintf(fp, "%s: %s", why->source, v);
		free(v);
		break;
	case IGNORE_VCS:
	case IGNORE_VCS_KEPT:
		v = log_vis_text(why->what, strlen(why->what));
		fprintf(fp, "%s:%zu: %s", why->source, why->line, v);
		free(v);
		break;
	case IGNORE_NONE:
		break;
	}
}

/* The rules that an event on path would set off, whichever event. */
static void
print_rules(FILE *fp, const struct ruleset *rs, struct matcher *m,
    const char *path, size_t len)
{
	const struct rule *r;
	char names[256], *cmd;
	size_t i, n = 0;
	int isdir = len > 0 && path[len - 1] == '/';

	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		if ((r->mask & IN_ISDIR) && !isdir)
			continue;
		if (r->re != NULL && !match_exec(m, r->re, path, len))
			continue;
		mask_format(r->mask, names, sizeof(names));
		cmd = rules_command_text(r);
		fprintf(fp, "\tsets off %s (%s): %s\n", r->origin, names,
		    cmd);
		free(cmd);
		n++;
	}
	if (n == 0)
		fprintf(fp, "\tsets off no rule\n");
}

int
explain(const struct ruleset *rs, const char *arg, int defaults, int vcs,
    FILE *fp)
{
	struct ignore_why why;
	struct matcher *m;
	struct ignore *ig;
	char *path, *v;
	size_t len, at;
	int ignored = 0;

	m = matcher_new();
	ig = ignore_new(rs, m, defaults, vcs);
	path = event_path(arg, &len);
	v = log_vis(path, len);
	/*
	 * Each directory above it, then the path itself, each with the
	 * rules of the directories above it read, as a walk reads them.
	 */
	if (path[0] != '/')
		read_dir(ig, "./", 2);
	for (at = 1; at <= len && !ignored; at++) {
		if (at < len && path[at - 1] != '/')
			continue;
		if (!ignore_explain(ig, path, at, &why)) {
			if (at < len)
				read_dir(ig, path, at);
		} else {
			ignored = 1;
			fprintf(fp, "%s: ignored", v);
			if (at < len)
				fprintf(fp, ", being in %.*s,", (int)at, path);
			fputs(" by ", fp);
			print_why(fp, &why);
			fputc('\n', fp);
		}
	}
	if (!ignored) {
		fprintf(fp, "%s: not ignored", v);
		if (why.by == IGNORE_VCS_KEPT) {
			fputs(" (kept by ", fp);
			print_why(fp, &why);
			fputc(')', fp);
		}
		fputc('\n', fp);
		print_rules(fp, rs, m, path, len);
	}
	free(v);
	free(path);
	ignore_free(ig);
	matcher_free(m);
	return 0;
}
