/*
 * match.c: PCRE2 compile and match.  Patterns are compiled without UTF
 * mode, so a file name that is not valid UTF-8 is matched byte for byte,
 * and JIT-compiled when PCRE2 supports it.  A match limit and a depth
 * limit bound the work of any match, such as (a+)+$ against a long path.
 *
 * Most path patterns are literals with an anchor (\.c$, ^src/, Makefile).
 * A conservative reading of the pattern's text finds the literal prefix
 * and suffix any match must have; when that literal is the whole pattern
 * a byte comparison replaces PCRE2, and the dispatcher indexes rules by
 * these literals so that a path is only matched against likely rules.
 */
#include <ctype.h>
#include <err.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "log.h"
#include "match.h"
#include "xmalloc.h"

/* Far above what any sane path pattern needs, far below a stall. */
#define MATCH_LIMIT	200000
#define DEPTH_LIMIT	10000

struct match_re {
	pcre2_code	*code;
	char		*source;
	char		*label;
	int		 warned;
	struct match_lit lit;
	char		*litbuf;	/* prefix and suffix bytes */
};

/* Tokens of a pattern, as far as literal analysis cares. */
enum tok {
	T_LIT,		/* one literal byte */
	T_OTHER,	/* anything that is not a required literal */
	T_START,	/* ^ at the top level */
	T_END,		/* $ at the top level */
};

struct matcher {
	pcre2_match_data	*data;
	pcre2_match_context	*ctx;
	pcre2_jit_stack		*stack;
};

/*
 * Returns the offset past the escape whose letter is at p[i]: \x41,
 * \x{41}, \o{101}, \101, \cA, \pL, \p{Lu}, \g{-1}, \k<name>, \N{U+41}
 * and the like take arguments that are not literal text either.
 */
static size_t
skip_escape(const char *p, size_t n, size_t i)
{
	char c = p[i++], close;

	if (c == 'c')
		return i < n ? i + 1 : i;
	if (isdigit((unsigned char)c)) {
		while (i < n && isdigit((unsigned char)p[i]))
			i++;
		return i;
	}
	if (strchr("xogkNpP", c) == NULL)
		return i;
	if (i < n && (p[i] == '{' || p[i] == '<' || p[i] == '\'')) {
		close = p[i] == '{' ? '}' : p[i] == '<' ? '>' : '\'';
		while (i < n && p[i] != close)
			i++;
		return i < n ? i + 1 : i;
	}
	while (i < n && (isxdigit((unsigned char)p[i]) || p[i] == '+' ||
	    p[i] == '-'))
		i++;
	/* \pL: a one-letter property. */
	if ((c == 'p' || c == 'P') && i < n && isalpha((unsigned char)p[i]))
		i++;
	return i;
}

/*
 * Splits the pattern into tokens, storing the byte of each literal in
 * lits[].  Returns the number of tokens, or -1 for a pattern whose text
 * cannot be read this simply (options, \Q, alternation at the top).
 */
static long
tokenize(const char *p, size_t n, enum tok *toks, char *lits)
{
	size_t i = 0, j, nt = 0;
	int depth = 0;
	unsigned char c;

	while (i < n) {
		c = (unsigned char)p[i];
		switch (c) {
		case '\\':
			if (i + 1 >= n || p[i + 1] == 'Q' || p[i + 1] == 'E')
				return -1;
			c = (unsigned char)p[i + 1];
			if (isalnum(c) || c >= 0x80) {
				toks[nt++] = T_OTHER;
				i = skip_escape(p, n, i + 1);
				continue;
			}
			toks[nt] = depth == 0 ? T_LIT : T_OTHER;
			lits[nt++] = (char)c;
			i += 2;
			continue;
		case '[':
			/* A class: skip to its end; ']' first is literal. */
			i++;
			if (i < n && p[i] == '^')
				i++;
			if (i < n && p[i] == ']')
				i++;
			while (i < n && p[i] != ']') {
				if (p[i] == '\\')
					i++;
				else if (p[i] == '[' && i + 1 < n &&
				    p[i + 1] == ':')
					return -1;
				i++;
			}
			toks[nt++] = T_OTHER;
			i++;
			continue;
		case '(':
			/* Option settings and verbs change how text reads. */
			if (i + 1 < n && (p[i + 1] == '*' || (p[i + 1] == '?' &&
			    (i + 2 >= n || (p[i + 2] != ':' && p[i + 2] != '=' &&
			    p[i + 2] != '!' && p[i + 2] != '<')))))
				return -1;
			depth++;
			toks[nt++] = T_OTHER;
			break;
		case ')':
			depth--;
			toks[nt++] = T_OTHER;
			break;
		case '|':
			if (depth == 0)
				return -1;
			toks[nt++] = T_OTHER;
			break;
		case '?':
		case '*':
		case '+':
			/* The atom before may be absent or repeated. */
			if (nt > 0 && toks[nt - 1] == T_LIT)
				toks[nt - 1] = T_OTHER;
			toks[nt++] = T_OTHER;
			break;
		case '{':
			/*
			 * A quantifier, or braces taken literally: which depends
			 * on the PCRE2 version ({,3} is one from 10.43).  Either
			 * way nothing here, nor the atom before, is required.
			 */
			if (nt > 0 && toks[nt - 1] == T_LIT)
				toks[nt - 1] = T_OTHER;
			toks[nt++] = T_OTHER;
			for (j = i + 1; j < n && (isdigit((unsigned char)p[j]) ||
			    p[j] == ',' || p[j] == ' '); j++)
				;
			if (j < n && p[j] == '}')
				i = j;
			break;
		case '^':
			toks[nt] = depth == 0 && nt == 0 ? T_START : T_OTHER;
			nt++;
			break;
		case '$':
			toks[nt++] = depth == 0 && i + 1 == n ? T_END : T_OTHER;
			break;
		case '.':
			toks[nt++] = T_OTHER;
			break;
		default:
			/* Inside a group a literal may be optional. */
			toks[nt] = depth == 0 ? T_LIT : T_OTHER;
			lits[nt++] = (char)c;
			break;
		}
		i++;
	}
	return (long)nt;
}

/* Fills re->lit from the pattern's text; see the top of the file. */
static void
analyse(struct match_re *re, const char *p, size_t n)
{
	struct match_lit *l = &re->lit;
	enum tok *toks;
	char *lits, *buf;
	long ntok;
	size_t nt, a, b, i, j, k = 0;

	toks = xreallocarray(NULL, n + 1, sizeof(*toks));
	lits = xmalloc(n + 1);
	if ((ntok = tokenize(p, n, toks, lits)) <= 0)
		goto out;
	nt = (size_t)ntok;
	buf = re->litbuf = xmalloc(4 * nt + 1);
	a = toks[0] == T_START;
	b = nt - (toks[nt - 1] == T_END);
	if (a) {
		l->prefix = buf + k;
		for (i = 1; i < nt && toks[i] == T_LIT; i++)
			buf[k++] = lits[i];
		l->prefixlen = (size_t)(buf + k - l->prefix);
	}
	if (b < nt) {
		for (i = b; i > 0 && toks[i - 1] == T_LIT; i--)
			;
		l->suffix = buf + k;
		for (; i < b; i++)
			buf[k++] = lits[i];
		l->suffixlen = (size_t)(buf + k - l->suffix);
	}
	/* The longest run of literals anywhere: some match holds it. */
	for (i = 0; i < nt; i = j) {
		for (j = i; j < nt && toks[j] == T_LIT; j++)
			;
		if (j - i > l->anywherelen) {
			l->anywhere = lits + i;
			l->anywherelen = j - i;
		}
		if (j == i)
			j++;
	}
	if (l->anywherelen > 0) {
		memcpy(buf + k, l->anywhere, l->anywherelen);
		l->anywhere = buf + k;
		k += l->anywherelen;
	}
	for (i = a; i < b && toks[i] == T_LIT; i++)
		;
	if (i == b && b > a) {
		l->lit = buf + k;
		for (i = a; i < b; i++)
			buf[k++] = lits[i];
		l->litlen = b - a;
		l->pure = a ? (b < nt ? PURE_EXACT : PURE_PREFIX) :
		    (b < nt ? PURE_SUFFIX : PURE_ANYWHERE);
	}
out:
	free(toks);
	free(lits);
}

struct match_re *
match_compile(const char *pat, size_t len, const char *label, char *msg,
    size_t msgsize, size_t *erroff)
{
	struct match_re *re;
	pcre2_code *code;
	PCRE2_SIZE off;
	int errcode;

	code = pcre2_compile((PCRE2_SPTR)pat, len, 0, &errcode, &off, NULL);
	if (code == NULL) {
		pcre2_get_error_message(errcode, (PCRE2_UCHAR *)msg, msgsize);
		*erroff = off;
		return NULL;
	}
	/* Without JIT support PCRE2 interprets: slower, just as correct. */
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	re = xcalloc(1, sizeof(*re));
	re->code = code;
	re->source = xmemdup(pat, len);
	re->label = xstrdup(label);
	analyse(re, pat, len);
	return re;
}

void
match_re_free(struct match_re *re)
{
	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	free(re->source);
	free(re->label);
	free(re->litbuf);
	free(re);
}

const char *
match_label(const struct match_re *re)
{
	return re->label;
}

const char *
match_source(const struct match_re *re)
{
	return re->source;
}

const struct match_lit *
match_literal(const struct match_re *re)
{
	return &re->lit;
}

int
match_suffix(const char *s, size_t len, const char *lit, size_t n)
{
	if (len >= n && memcmp(s + len - n, lit, n) == 0)
		return 1;
	return len > n && s[len - 1] == '\n' &&
	    memcmp(s + len - 1 - n, lit, n) == 0;
}

/* Decides a pure pattern without PCRE2. */
static int
match_pure(const struct match_lit *l, const char *s, size_t len)
{
	switch (l->pure) {
	case PURE_PREFIX:
		return len >= l->litlen && memcmp(s, l->lit, l->litlen) == 0;
	case PURE_SUFFIX:
		return match_suffix(s, len, l->lit, l->litlen);
	case PURE_EXACT:
		return (len == l->litlen || (len == l->litlen + 1 &&
		    s[len - 1] == '\n')) && memcmp(s, l->lit, l->litlen) == 0;
	case PURE_ANYWHERE:
		return memmem(s, len, l->lit, l->litlen) != NULL;
	case PURE_NO:
		break;
	}
	return -1;
}

struct matcher *
matcher_new(void)
{
	struct matcher *m;

	m = xcalloc(1, sizeof(*m));
	if ((m->data = pcre2_match_data_create(1, NULL)) == NULL ||
	    (m->ctx = pcre2_match_context_create(NULL)) == NULL)
		errx(1, "pcre2: out of memory");
	pcre2_set_match_limit(m->ctx, MATCH_LIMIT);
	pcre2_set_depth_limit(m->ctx, DEPTH_LIMIT);
	/* A larger JIT stack lets nested patterns match, within the limits. */
	if ((m->stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024,
	    NULL)) != NULL)
		pcre2_jit_stack_assign(m->ctx, NULL, m->stack);
	return m;
}

void
matcher_free(struct matcher *m)
{
	if (m == NULL)
		return;
	pcre2_match_data_free(m->data);
	pcre2_match_context_free(m->ctx);
	pcre2_jit_stack_free(m->stack);
	free(m);
}

int
match_exec(struct matcher *m, struct match_re *re, const char *s, size_t len)
{
	PCRE2_UCHAR msg[128];
	char *src;
	int rc;

	if (re->lit.pure != PURE_NO)
		return match_pure(&re->lit, s, len);
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, m->data, m->ctx);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	if (!re->warned) {
		re->warned = 1;
		pcre2_get_error_message(rc, msg, sizeof(msg));
		src = log_vis(re->source, strlen(re->source));
		log_warnx("%s: pattern /%s/ gave up on a path (%s); such paths "
		    "count as not matching", re->label, src, (char *)msg);
		free(src);
	}
	return 0;
}
