/*
 * rules.h: the Watchfile grammar.  Owns the parsed configuration: watch
 * roots, ignore patterns and rules, each rule with its compiled pattern,
 * event mask, debounce and command.  Reports every mistake as
 * FILE:LINE:COL: message, all of them, before the caller gives up.
 */
#ifndef WATCHRUN_RULES_H
#define WATCHRUN_RULES_H

#include <stdio.h>

struct match_re;

/* The default debounce: 100ms. */
#define RULES_DEFAULT_DEBOUNCE	100000

struct rule {
	struct match_re	*re;		/* NULL matches every path */
	uint32_t	 mask;		/* events the rule listens for */
	uint64_t	 debounce_us;
	char		*command;	/* run as sh -c command watchrun PATH... */
	char	       **argv;		/* or run directly, when command is NULL */
	char		*origin;	/* "FILE:LINE", for WATCHRUN_RULE */
	int		 no_loop;	/* NO_LOOP: no run for its own changes */
	int		 initial;	/* INITIAL: runs once at the start */
};

struct ruleset {
	char		**roots;
	size_t		  nroots;
	struct match_re	**ignores;
	size_t		  nignores;
	struct rule	 *rules;
	size_t		  nrules;
};

/*
 * Parses the len bytes at buf as the rules file named file, appending to
 * rs.  Rules take default_debounce until a debounce directive.  Writes
 * each error to errfp and returns how many there were.
 */
int	 rules_parse_buffer(struct ruleset *rs, const char *file,
	    const char *buf, size_t len, uint64_t default_debounce,
	    FILE *errfp);

/* Reads and parses the file at path, as rules_parse_buffer() does. */
int	 rules_load(struct ruleset *rs, const char *path,
	    uint64_t default_debounce, FILE *errfp);

/* Adds a root; path is borrowed (copied). */
void	 rules_add_root(struct ruleset *rs, const char *path);

/*
 * Adds an ignore pattern given as where (such as "-x"); writes an error
 * to errfp and returns -1 when it does not compile.
 */
int	 rules_add_ignore(struct ruleset *rs, const char *where,
	    const char *pattern, FILE *errfp);

/*
 * Adds a rule; re, command and argv are taken over, origin is copied.
 * Returns the new rule, owned by rs.
 */
struct rule *rules_add_rule(struct ruleset *rs, struct match_re *re,
	    uint32_t mask, uint64_t debounce_us, char *command, char **argv,
	    const char *origin);

/* Writes the parsed configuration in a readable form, for --check. */
void	 rules_print(const struct ruleset *rs, FILE *fp);

/* Frees everything rs holds, leaving it empty.  NULL is a no-op. */
/*
 * The rule's command as a person reads it: the shell text, or the
 * arguments joined by spaces, escaped for a terminal.  The caller frees
 * it.
 */
char	*rules_command_text(const struct rule *);

/*
 * Whether two rules do the same: the same pattern, events, debounce,
 * options and command, wherever they stand.
 */
int	 rules_same(const struct rule *, const struct rule *);

void	 rules_free(struct ruleset *rs);

#endif
