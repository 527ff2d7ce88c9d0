/*
 * match.h: PCRE2 regular expressions against paths, as bytes (no UTF
 * mode), with JIT where the library has it and with limits so that no
 * pattern can stall the event loop.
 */
#ifndef WATCHRUN_MATCH_H
#define WATCHRUN_MATCH_H

struct match_re;
struct matcher;

/*
 * Compiles the len bytes at pat.  Returns the pattern, owned by the
 * caller, or NULL with PCRE2's message in msg and the offset of the error
 * within pat in *erroff.  label (borrowed, copied) names the pattern in
 * the one warning given if a match ever hits the limits.
 */
struct match_re	*match_compile(const char *pat, size_t len, const char *label,
		    char *msg, size_t msgsize, size_t *erroff);
void		 match_re_free(struct match_re *);	/* NULL is a no-op */

/* The source text of a pattern. */
const char	*match_source(const struct match_re *);

/* The label it was compiled with, such as "Watchfile:3" or "-x". */
const char	*match_label(const struct match_re *);

/*
 * What a pattern's text says must be true of any path it matches: a
 * literal prefix (after ^) and a literal suffix (before $, which PCRE2
 * also matches before a final newline), and the longest literal that any
 * match holds somewhere; lengths are 0 when there is none.
 * When the pattern is nothing but a literal, anchored or not, pure says
 * how, and a plain comparison of lit decides the match.
 */
enum match_pure {
	PURE_NO,
	PURE_PREFIX,		/* ^lit */
	PURE_SUFFIX,		/* lit$ */
	PURE_EXACT,		/* ^lit$ */
	PURE_ANYWHERE,		/* lit */
};

struct match_lit {
	const char	*prefix;
	size_t		 prefixlen;
	const char	*suffix;
	size_t		 suffixlen;
	const char	*anywhere;
	size_t		 anywherelen;
	enum match_pure	 pure;
	const char	*lit;
	size_t		 litlen;
};

const struct match_lit *match_literal(const struct match_re *);

/*
 * Whether the len bytes at s end with the n bytes at lit, before an
 * optional final newline, as lit$ requires.
 */
int		 match_suffix(const char *s, size_t len, const char *lit,
		    size_t n);

/* Scratch space and limits for matching; one per program. */
struct matcher	*matcher_new(void);
void		 matcher_free(struct matcher *);	/* NULL is a no-op */

/*
 * Whether re matches the len bytes at s.  A match that runs into the
 * limits counts as no match and is reported once per pattern.
 */
int		 match_exec(struct matcher *, struct match_re *, const char *s,
		    size_t len);

#endif
