/*
 * match.c: PCRE2 compile and match.  Patterns are compiled without UTF
 * mode, so a file name that is not valid UTF-8 is matched byte for byte,
 * and JIT-compiled when PCRE2 supports it.  A match limit and a depth
 * limit bound the work of any match, such as (a+)+$ against a long path.
 */
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
};

struct matcher {
	pcre2_match_data	*data;
	pcre2_match_context	*ctx;
	pcre2_jit_stack		*stack;
};

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
	free(re);
}

const char *
match_source(const struct match_re *re)
{
	return re->source;
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
