/*
 * explain.h: --explain.  Says, for one path, what watchrun would make of
 * it: which ignore hides it, or which rules a change to it sets off.
 */
#ifndef WATCHRUN_EXPLAIN_H
#define WATCHRUN_EXPLAIN_H

#include <stdio.h>

struct ruleset;

/*
 * Writes to fp the decision on path, taken as watchrun would report it
 * (as below the roots of rs, borrowed).  defaults and vcs: whether the
 * default list and git's rules apply.  Returns the exit status: 0.
 */
int	 explain(const struct ruleset *rs, const char *path, int defaults,
	    int vcs, FILE *fp);

#endif
