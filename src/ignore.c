/*
 * ignore.c: whether a path is ignored.  The default list is checked by
 * hand on the last component, since it is consulted for every event and
 * most of it is a fixed name or a fixed end: no regex runs for it.  Then
 * the Watchfile's ignore lines and -x, then git's rules.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gitignore.h"
#include "ignore.h"
#include "match.h"
#include "rules.h"
#include "worktree.h"
#include "xmalloc.h"

/* Version control's own directories: never what a rule is about. */
static const char *const vcs_dirs[] = {
	".git", ".hg", ".svn", ".jj", ".bzr", "_darcs",
};

struct ignore {
	const struct ruleset *rs;
	struct matcher	*matcher;
	int		 defaults;
	struct worktrees *wts;		/* NULL: git's rules are off */
};

struct ignore *
ignore_new(const struct ruleset *rs, struct matcher *m, int defaults, int vcs)
{
	struct ignore *ig;
	size_t i;

	ig = xcalloc(1, sizeof(*ig));
	ig->rs = rs;
	ig->matcher = m;
	ig->defaults = defaults;
	if (vcs) {
		ig->wts = worktrees_new();
		for (i = 0; i < rs->nroots; i++)
			worktrees_add_root(ig->wts, rs->roots[i]);
		if (!worktrees_any(ig->wts)) {
			worktrees_free(ig->wts);
			ig->wts = NULL;
		}
	}
	return ig;
}

void
ignore_free(struct ignore *ig)
{
	if (ig == NULL)
		return;
	worktrees_free(ig->wts);
	free(ig);
}

void
ignore_set_rules(struct ignore *ig, const struct ruleset *rs)
{
	size_t i, k;

	for (i = 0; ig->wts != NULL && i < rs->nroots; i++) {
		for (k = 0; k < ig->rs->nroots; k++)
			if (strcmp(rs->roots[i], ig->rs->roots[k]) == 0)
				break;
		if (k == ig->rs->nroots)
			worktrees_add_root(ig->wts, rs->roots[i]);
	}
	ig->rs = rs;
}

int
ignore_fd(const struct ignore *ig)
{
	return ig->wts != NULL ? worktrees_fd(ig->wts) : -1;
}

int
ignore_reread(struct ignore *ig)
{
	return ig->wts != NULL && worktrees_reread(ig->wts);
}

int
ignore_uses_vcs(const struct ignore *ig)
{
	return ig->wts != NULL;
}

int
ignore_read_dir(struct ignore *ig, int dirfd, const char *path, size_t len)
{
	return ig->wts != NULL && worktrees_read_dir(ig->wts, dirfd, path,
	    len);
}

static int
ends_with(const char *s, size_t len, const char *end)
{
	size_t n = strlen(end);

	return len >= n && memcmp(s + len - n, end, n) == 0;
}

int
ignore_default(const char *path, size_t len, const char **whatp)
{
	const char *name, *slash;
	size_t i, n;
	int isdir = len > 0 && path[len - 1] == '/';

	if (isdir)
		len--;
	slash = memrchr(path, '/', len);
	name = slash != NULL ? slash + 1 : path;
	n = len - (size_t)(name - path);
	if (n == 0)
		return 0;
	if (isdir) {
		for (i = 0; i < sizeof(vcs_dirs) / sizeof(vcs_dirs[0]); i++)
			if (strlen(vcs_dirs[i]) == n &&
			    memcmp(name, vcs_dirs[i], n) == 0) {
				*whatp = vcs_dirs[i];
				return 1;
			}
		return 0;
	}
	/* vim: .NAME.swp, .swo ... and .swx; its write probe 4913. */
	if (name[0] == '.' && n >= 4 && memcmp(name + n - 4, ".sw", 3) == 0 &&
	    (n == 4 || n >= 6)) {
		*whatp = ".*.sw?";
		return 1;
	}
	if (n == 4 && memcmp(name, "4913", 4) == 0) {
		*whatp = "4913";
		return 1;
	}
	/* Backups of vim, emacs and many others. */
	if (name[n - 1] == '~') {
		*whatp = "*~";
		return 1;
	}
	/* emacs: #NAME# while unsaved, .#NAME as a lock. */
	if (n >= 2 && name[0] == '#' && name[n - 1] == '#') {
		*whatp = "#*#";
		return 1;
	}
	if (n >= 2 && name[0] == '.' && name[1] == '#') {
		*whatp = ".#*";
		return 1;
	}
	/* kate: .NAME.kate-swp */
	if (name[0] == '.' && ends_with(name, n, ".kate-swp")) {
		*whatp = ".*.kate-swp";
		return 1;
	}
	return 0;
}

static int
decide(struct ignore *ig, const char *path, size_t len, int full,
    struct ignore_why *why)
{
	struct ignore_why none;
	struct gitignore_why gw;
	const struct ruleset *rs = ig->rs;
	size_t i;
	int ignored;

	if (why == NULL)
		why = &none;
	why->by = IGNORE_NONE;
	why->what = NULL;
	why->source = NULL;
	why->line = 0;
	if (ig->defaults && ignore_default(path, len, &why->what)) {
		why->by = IGNORE_DEFAULT;
		return 1;
	}
	for (i = 0; i < rs->nignores; i++)
		if (match_exec(ig->matcher, rs->ignores[i], path, len)) {
			why->by = IGNORE_PATTERN;
			why->what = match_source(rs->ignores[i]);
			why->source = match_label(rs->ignores[i]);
			return 1;
		}
	if (ig->wts == NULL)
		return 0;
	ignored = worktrees_check(ig->wts, path, len, full, &gw);
	if (gw.source != NULL) {
		why->by = ignored ? IGNORE_VCS : IGNORE_VCS_KEPT;
		why->what = gw.pattern;
		why->source = gw.source;
		why->line = gw.line;
	}
	return ignored;
}

int
ignore_path(struct ignore *ig, const char *path, size_t len,
    struct ignore_why *why)
{
	return decide(ig, path, len, 0, why);
}

int
ignore_explain(struct ignore *ig, const char *path, size_t len,
    struct ignore_why *why)
{
	return decide(ig, path, len, 1, why);
}
