/*
 * rules.c: parsing the Watchfile.  A file is read whole, split into
 * logical lines (backslash-newline joins), and each logical line is a
 * comment, a directive (watch, ignore, debounce) or a rule:
 *
 *	REGEX  MASKS  COMMAND
 *
 * A map from logical offsets back to physical lines and columns lets every
 * error point at the byte that caused it, even on a continued line.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "duration.h"
#include "log.h"
#include "mask.h"
#include "match.h"
#include "rules.h"
#include "suggest.h"
#include "xmalloc.h"

/* A stretch of a logical line that lies on one physical line. */
struct segment {
	size_t	 start;		/* offset in the logical line */
	size_t	 line;
	size_t	 col;		/* column of start, from 1 */
};

struct parser {
	struct ruleset	*rs;
	const char	*file;
	FILE		*errfp;
	int		 nerrors;
	uint64_t	 debounce_us;
	char		*text;		/* the logical line */
	size_t		 len;
	size_t		 size;
	struct segment	*segs;
	size_t		 nsegs;
	size_t		 segsize;
};

struct token {
	char	*text;		/* unquoted, NUL-terminated, owned */
	size_t	 len;
	size_t	 start;		/* logical offset of its first byte */
	size_t	 end;		/* logical offset just past it */
	int	 quoted;
};

static void
locate(const struct parser *p, size_t off, size_t *line, size_t *col)
{
	size_t i;

	for (i = p->nsegs; i-- > 0;)
		if (p->segs[i].start <= off || i == 0) {
			*line = p->segs[i].line;
			*col = p->segs[i].col + (off - p->segs[i].start);
			return;
		}
	*line = 0;
	*col = 0;
}

static void
perr(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static void
perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	size_t line, col;

	locate(p, off, &line, &col);
	fprintf(p->errfp, "%s:%zu:%zu: ", p->file, line, col);
	va_start(ap, fmt);
	vfprintf(p->errfp, fmt, ap);
	va_end(ap);
	fputc('\n', p->errfp);
	p->nerrors++;
}

static void
pwarn(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static void
pwarn(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;
	size_t line, col;

	locate(p, off, &line, &col);
	fprintf(p->errfp, "%s:%zu:%zu: warning: ", p->file, line, col);
	va_start(ap, fmt);
	vfprintf(p->errfp, fmt, ap);
	va_end(ap);
	fputc('\n', p->errfp);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static size_t
skip_blanks(const struct parser *p, size_t at)
{
	while (at < p->len && is_blank(p->text[at]))
		at++;
	return at;
}

static void
token_free(struct token *t)
{
	free(t->text);
	t->text = NULL;
}

/*
 * Reads the token at *at: bare up to white space, or quoted with ' or ".
 * Inside quotes a backslash before the quote character stands for it, and
 * a backslash pair is kept as it is, so regex escapes survive.  Returns 0,
 * 1 at the end of the line, or -1 after reporting an error.
 */
static int
read_token(struct parser *p, size_t *at, struct token *t)
{
	size_t i = skip_blanks(p, *at), start;
	char q, *out;
	size_t n = 0;

	memset(t, 0, sizeof(*t));
	if (i >= p->len)
		return 1;
	start = i;
	t->start = start;
	if (p->text[i] != '\'' && p->text[i] != '"') {
		while (i < p->len && !is_blank(p->text[i]))
			i++;
		t->text = xmemdup(p->text + start, i - start);
		t->len = i - start;
		t->end = i;
		*at = i;
		return 0;
	}
	q = p->text[i++];
	out = xmalloc(p->len - start + 1);
	for (;;) {
		if (i >= p->len) {
			free(out);
			perr(p, start, "unterminated %s quote",
			    q == '"' ? "double" : "single");
			return -1;
		}
		if (p->text[i] == q)
			break;
		if (p->text[i] == '\\' && i + 1 < p->len &&
		    (p->text[i + 1] == q || p->text[i + 1] == '\\')) {
			if (p->text[i + 1] == '\\')
				out[n++] = '\\';
			out[n++] = p->text[i + 1];
			i += 2;
			continue;
		}
		out[n++] = p->text[i++];
	}
	i++;
	if (i < p->len && !is_blank(p->text[i])) {
		free(out);
		perr(p, i, "expected white space after the closing quote");
		return -1;
	}
	out[n] = '\0';
	t->text = out;
	t->len = n;
	t->quoted = 1;
	t->end = i;
	*at = i;
	return 0;
}

/* Maps an offset within a token's text back to a logical offset. */
static size_t
token_offset(const struct parser *p, const struct token *t, size_t off)
{
	size_t i, n = 0, last;
	char q;

	if (!t->quoted)
		return t->start + off;
	q = p->text[t->start];
	last = t->end - 1;		/* the closing quote */
	for (i = t->start + 1; i < last;) {
		if (p->text[i] == '\\' && i + 1 < last &&
		    p->text[i + 1] == q) {
			if (n == off)
				return i;
			n++;
			i += 2;
		} else if (p->text[i] == '\\' && i + 1 < last &&
		    p->text[i + 1] == '\\') {
			if (n == off || n + 1 == off)
				return i + (off - n);
			n += 2;
			i += 2;
		} else {
			if (n == off)
				return i;
			n++;
			i++;
		}
	}
	return i;
}

static struct match_re *
compile(struct parser *p, const struct token *t, const char *label)
{
	struct match_re *re;
	char msg[256];
	size_t off;

	re = match_compile(t->text, t->len, label, msg, sizeof(msg), &off);
	if (re == NULL)
		perr(p, token_offset(p, t, off), "bad regex: %s", msg);
	return re;
}

static char *
origin_of(struct parser *p, size_t off)
{
	size_t line, col;
	char *s;

	locate(p, off, &line, &col);
	if (asprintf(&s, "%s:%zu", p->file, line) == -1)
		err(1, "asprintf");
	return s;
}

static void
directive_watch(struct parser *p, size_t at)
{
	struct token t;
	int rc, n = 0;

	while ((rc = read_token(p, &at, &t)) == 0) {
		if (t.len == 0)
			perr(p, t.start, "empty directory name");
		else
			rules_add_root(p->rs, t.text);
		token_free(&t);
		n++;
	}
	if (rc == 1 && n == 0)
		perr(p, at, "watch: expected one or more directories");
}

/* Reads the one argument of a directive; returns 0 or -1. */
static int
one_argument(struct parser *p, size_t at, const char *what, struct token *t)
{
	struct token extra;
	int rc;

	if ((rc = read_token(p, &at, t)) != 0) {
		if (rc == 1)
			perr(p, at, "%s: expected %s", what,
			    strcmp(what, "ignore") == 0 ? "a regex" :
			    "a duration such as 100ms");
		return -1;
	}
	if ((rc = read_token(p, &at, &extra)) == 0) {
		perr(p, extra.start, "%s takes one argument; quote it if it "
		    "holds white space", what);
		token_free(&extra);
	}
	if (rc != 1) {
		token_free(t);
		return -1;
	}
	return 0;
}

static void
directive_ignore(struct parser *p, size_t at, size_t lineoff)
{
	struct match_re *re;
	struct token t;
	char *label;

	if (one_argument(p, at, "ignore", &t) == -1)
		return;
	label = origin_of(p, lineoff);
	if ((re = compile(p, &t, label)) != NULL) {
		p->rs->ignores = xreallocarray(p->rs->ignores,
		    p->rs->nignores + 1, sizeof(*p->rs->ignores));
		p->rs->ignores[p->rs->nignores++] = re;
	}
	free(label);
	token_free(&t);
}

static void
directive_debounce(struct parser *p, size_t at)
{
	struct token t;
	const char *errstr;
	uint64_t us;

	if (one_argument(p, at, "debounce", &t) == -1)
		return;
	if (duration_parse(t.text, t.len, &us, &errstr) == -1) {
		char *v = log_vis(t.text, t.len);

		perr(p, t.start, "debounce '%s': %s", v, errstr);
		free(v);
	} else
		p->debounce_us = us;
	token_free(&t);
}

static const char *const directives[] = { "watch", "ignore", "debounce" };

/* Returns the directive the word most likely meant, or NULL. */
static const char *
near_directive(const char *w, size_t len)
{
	size_t i, d;

	for (i = 0; i < sizeof(directives) / sizeof(directives[0]); i++) {
		d = suggest_distance(w, len, directives[i],
		    strlen(directives[i]));
		if (suggest_close(d, len))
			return directives[i];
	}
	return NULL;
}

static int
is_word(const struct token *t)
{
	size_t i;

	if (t->quoted || t->len == 0)
		return 0;
	for (i = 0; i < t->len; i++)
		if (!isalpha((unsigned char)t->text[i]))
			return 0;
	return 1;
}

/* Reports an unknown or empty event name found in the masks token. */
static void
bad_event(struct parser *p, const struct token *masks, size_t off, size_t len)
{
	const char *hint;
	char *name;

	if (len == 0) {
		perr(p, token_offset(p, masks, off), "empty event name");
		return;
	}
	name = log_vis(masks->text + off, len);
	hint = mask_suggest(masks->text + off, len);
	if (hint != NULL)
		perr(p, token_offset(p, masks, off), "unknown event '%s' (did "
		    "you mean '%s'?)", name, hint);
	else
		perr(p, token_offset(p, masks, off), "unknown event '%s'",
		    name);
	free(name);
}

/*
 * A rule: REGEX MASKS COMMAND.  Every part is checked, so that one line
 * with several mistakes reports them all.
 */
static void
parse_rule(struct parser *p, struct token *re_tok, size_t at, size_t lineoff)
{
	struct token masks;
	const char *near;
	struct match_re *re;
	struct rule *r;
	uint32_t mask = 0, opts;
	size_t badoff, badlen, cmd, end;
	char *label, *word, names[128];
	int rc, masks_ok;

	if ((rc = read_token(p, &at, &masks)) == -1)
		return;
	masks_ok = rc == 0 && mask_parse(masks.text, masks.len, &mask,
	    &badoff, &badlen) == 0;
	near = is_word(re_tok) ? near_directive(re_tok->text, re_tok->len) :
	    NULL;
	if (!masks_ok && (near != NULL || (rc == 1 && is_word(re_tok)))) {
		word = log_vis(re_tok->text, re_tok->len);
		if (near != NULL)
			perr(p, re_tok->start, "unknown directive '%s' (did "
			    "you mean '%s'?)", word, near);
		else
			perr(p, re_tok->start, "unknown directive '%s', or a "
			    "rule without events and command", word);
		free(word);
		token_free(&masks);
		return;
	}
	label = origin_of(p, lineoff);
	re = compile(p, re_tok, label);
	if (rc == 1)
		perr(p, at, "missing events and command after the regex");
	else if (!masks_ok)
		bad_event(p, &masks, badoff, badlen);
	else if (mask & MASK_WATCH_FLAGS) {
		mask_format(mask & MASK_WATCH_FLAGS, names, sizeof(names));
		pwarn(p, masks.start, "%s: a watch option, not an event; "
		    "ignored", names);
		mask &= ~(uint32_t)MASK_WATCH_FLAGS;
		if (mask == 0) {
			perr(p, masks.start, "no events left to listen for");
			masks_ok = 0;
		}
	}
	opts = mask & MASK_RULE_OPTS;
	if (masks_ok && opts != 0 && (mask & ~(uint32_t)MASK_RULE_OPTS) == 0) {
		perr(p, masks.start, "NO_LOOP and INITIAL are options, not "
		    "events: name the events too");
		masks_ok = 0;
	}
	cmd = skip_blanks(p, at);
	for (end = p->len; end > cmd && is_blank(p->text[end - 1]); end--)
		;
	if (rc == 0 && cmd >= end)
		perr(p, at, "missing command after the events");
	else if (re != NULL && masks_ok) {
		r = rules_add_rule(p->rs, re, mask & ~(uint32_t)MASK_RULE_OPTS,
		    p->debounce_us, xmemdup(p->text + cmd, end - cmd), NULL,
		    label);
		r->no_loop = (opts & MASK_NO_LOOP) != 0;
		r->initial = (opts & MASK_INITIAL) != 0;
	}
	if (re != NULL && (!masks_ok || cmd >= end))
		match_re_free(re);
	free(label);
	token_free(&masks);
}

static void
parse_line(struct parser *p)
{
	struct token first;
	size_t at = skip_blanks(p, 0), lineoff = at;
	int rc;

	if (at >= p->len || p->text[at] == '#')
		return;
	if ((rc = read_token(p, &at, &first)) != 0)
		return;
	if (!first.quoted && strcmp(first.text, "watch") == 0)
		directive_watch(p, at);
	else if (!first.quoted && strcmp(first.text, "ignore") == 0)
		directive_ignore(p, at, lineoff);
	else if (!first.quoted && strcmp(first.text, "debounce") == 0)
		directive_debounce(p, at);
	else
		parse_rule(p, &first, at, lineoff);
	token_free(&first);
}

static void
add_segment(struct parser *p, size_t line, size_t col)
{
	if (p->nsegs == p->segsize) {
		p->segsize = p->segsize == 0 ? 4 : p->segsize * 2;
		p->segs = xreallocarray(p->segs, p->segsize, sizeof(*p->segs));
	}
	p->segs[p->nsegs].start = p->len;
	p->segs[p->nsegs].line = line;
	p->segs[p->nsegs].col = col;
	p->nsegs++;
}

static void
append(struct parser *p, const char *s, size_t n)
{
	if (p->len + n + 1 > p->size) {
		p->size = (p->len + n + 1) * 2;
		p->text = xreallocarray(p->text, p->size, 1);
	}
	memcpy(p->text + p->len, s, n);
	p->len += n;
	p->text[p->len] = '\0';
}

/*
 * Finds the physical line at at: sets *eol to its newline (or len), *end
 * past its last byte but a CR or a continuing backslash, and returns
 * whether it continues on the next line.  A comment line never does.
 */
static int
physical_line(const char *buf, size_t len, size_t at, int first,
    size_t *eol, size_t *end)
{
	const char *z;
	size_t i;

	z = memchr(buf + at, '\n', len - at);
	*eol = z != NULL ? (size_t)(z - buf) : len;
	*end = *eol;
	if (*end > at && buf[*end - 1] == '\r')
		(*end)--;
	if (first) {
		for (i = at; i < *end && is_blank(buf[i]); i++)
			;
		if (i < *end && buf[i] == '#')
			return 0;
	}
	if (*end > at && buf[*end - 1] == '\\' && z != NULL) {
		(*end)--;
		return 1;
	}
	return 0;
}

int
rules_parse_buffer(struct ruleset *rs, const char *file, const char *buf,
    size_t len, uint64_t default_debounce, FILE *errfp)
{
	struct parser p;
	size_t line = 1, at = 0, eol, end;
	const char *z;
	int more, bad;

	memset(&p, 0, sizeof(p));
	p.rs = rs;
	p.file = file;
	p.errfp = errfp;
	p.debounce_us = default_debounce;
	while (at < len) {
		p.len = 0;
		p.nsegs = 0;
		bad = 0;
		/* Gather one logical line. */
		do {
			more = physical_line(buf, len, at, p.nsegs == 0, &eol,
			    &end);
			if (!bad && (z = memchr(buf + at, '\0', end - at)) !=
			    NULL) {
				add_segment(&p, line, 1);
				append(&p, buf + at, (size_t)(z - (buf + at)));
				perr(&p, p.len, "NUL byte in the rules file");
				/* The rest of the logical line is dropped. */
				bad = 1;
			} else if (!bad) {
				add_segment(&p, line, 1);
				append(&p, buf + at, end - at);
			}
			at = eol + 1;
			line++;
		} while (more && at <= len);
		if (!bad && p.nsegs > 0)
			parse_line(&p);
	}
	free(p.text);
	free(p.segs);
	return p.nerrors;
}

int
rules_load(struct ruleset *rs, const char *path, uint64_t default_debounce,
    FILE *errfp)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0, size = 0;
	ssize_t n;
	int fd, nerrors;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(errfp, "%s:0:0: %s\n", path, strerror(errno));
		return 1;
	}
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fprintf(errfp, "%s:0:0: %s\n", path, strerror(EISDIR));
		close(fd);
		return 1;
	}
	for (;;) {
		if (len == size) {
			size = size == 0 ? 8192 : size * 2;
			buf = xreallocarray(buf, size, 1);
		}
		if ((n = read(fd, buf + len, size - len)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(errfp, "%s:0:0: %s\n", path, strerror(errno));
			free(buf);
			close(fd);
			return 1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	nerrors = rules_parse_buffer(rs, path, buf, len, default_debounce,
	    errfp);
	free(buf);
	return nerrors;
}

void
rules_add_root(struct ruleset *rs, const char *path)
{
	size_t len = strlen(path);

	/* "src/" and "src" are one root; "/" stays "/". */
	while (len > 1 && path[len - 1] == '/')
		len--;
	rs->roots = xreallocarray(rs->roots, rs->nroots + 1,
	    sizeof(*rs->roots));
	rs->roots[rs->nroots++] = xmemdup(path, len);
}

int
rules_add_ignore(struct ruleset *rs, const char *where, const char *pattern,
    FILE *errfp)
{
	struct match_re *re;
	char msg[256];
	size_t off;

	re = match_compile(pattern, strlen(pattern), where, msg, sizeof(msg),
	    &off);
	if (re == NULL) {
		fprintf(errfp, "%s: %s '%s': bad regex at offset %zu: %s\n",
		    getprogname(), where, pattern, off, msg);
		return -1;
	}
	rs->ignores = xreallocarray(rs->ignores, rs->nignores + 1,
	    sizeof(*rs->ignores));
	rs->ignores[rs->nignores++] = re;
	return 0;
}

struct rule *
rules_add_rule(struct ruleset *rs, struct match_re *re, uint32_t mask,
    uint64_t debounce_us, char *command, char **argv, const char *origin)
{
	struct rule *r;

	rs->rules = xreallocarray(rs->rules, rs->nrules + 1,
	    sizeof(*rs->rules));
	r = &rs->rules[rs->nrules++];
	r->re = re;
	r->mask = mask;
	r->debounce_us = debounce_us;
	r->command = command;
	r->argv = argv;
	r->origin = xstrdup(origin);
	r->no_loop = 0;
	r->initial = 0;
	return r;
}

char *
rules_command_text(const struct rule *rule)
{
	char *s, *v;
	size_t i, len = 0, n;

	if (rule->command != NULL)
		return log_vis_text(rule->command, strlen(rule->command));
	for (i = 0; rule->argv[i] != NULL; i++)
		len += strlen(rule->argv[i]) + 1;
	s = xmalloc(len + 1);
	for (i = 0, len = 0; rule->argv[i] != NULL; i++) {
		if (i > 0)
			s[len++] = ' ';
		n = strlen(rule->argv[i]);
		memcpy(s + len, rule->argv[i], n);
		len += n;
	}
	v = log_vis_text(s, len);
	free(s);
	return v;
}

static int
same_string(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

int
rules_same(const struct rule *a, const struct rule *b)
{
	size_t i;

	if (!same_string(a->re != NULL ? match_source(a->re) : NULL,
	    b->re != NULL ? match_source(b->re) : NULL) ||
	    a->mask != b->mask || a->debounce_us != b->debounce_us ||
	    a->no_loop != b->no_loop || a->initial != b->initial ||
	    !same_string(a->command, b->command) ||
	    (a->argv == NULL) != (b->argv == NULL))
		return 0;
	for (i = 0; a->argv != NULL && (a->argv[i] != NULL ||
	    b->argv[i] != NULL); i++)
		if (!same_string(a->argv[i], b->argv[i]))
			return 0;
	return 1;
}

/* Prints s safely for a terminal, but with its backslashes as written. */
static void
print_vis(FILE *fp, const char *s)
{
	char *v;

	v = xreallocarray(NULL, strlen(s) + 1, 4);
	log_escape_flags(v, s, strlen(s), LOG_KEEP_BACKSLASH);
	fputs(v, fp);
	free(v);
}

/*
 * Prints s quoted as a shell word where it needs to be, so that the
 * arguments of a direct command can be told apart.
 */
static void
print_word(FILE *fp, const char *s)
{
	const char *p;
	char *q, *v;
	size_t n = 0;

	if (*s != '\0' && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789_./=:,+-@%") == strlen(s)) {
		print_vis(fp, s);
		return;
	}
	q = xmalloc(4 * strlen(s) + 3);
	q[n++] = '\'';
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'') {
			memcpy(q + n, "'\\''", 4);
			n += 4;
		} else
			q[n++] = *p;
	}
	q[n++] = '\'';
	q[n] = '\0';
	v = xreallocarray(NULL, n + 1, 4);
	log_escape_flags(v, q, n, LOG_KEEP_BACKSLASH);
	fputs(v, fp);
	free(v);
	free(q);
}

void
rules_print(const struct ruleset *rs, FILE *fp)
{
	const struct rule *r;
	char buf[256];
	size_t i, j;

	for (i = 0; i < rs->nroots; i++) {
		fputs("watch ", fp);
		print_word(fp, rs->roots[i]);
		fputc('\n', fp);
	}
	for (i = 0; i < rs->nignores; i++) {
		fputs("ignore ", fp);
		print_vis(fp, match_source(rs->ignores[i]));
		fputc('\n', fp);
	}
	for (i = 0; i < rs->nrules; i++) {
		r = &rs->rules[i];
		fprintf(fp, "rule %s\n\tregex    ", r->origin);
		if (r->re != NULL)
			print_vis(fp, match_source(r->re));
		else
			fputs("(every path)", fp);
		mask_format(r->mask | (r->no_loop ? MASK_NO_LOOP : 0) |
		    (r->initial ? MASK_INITIAL : 0), buf, sizeof(buf));
		fprintf(fp, "\n\tevents   %s\n", buf);
		duration_format(r->debounce_us, buf, sizeof(buf));
		fprintf(fp, "\tdebounce %s\n", buf);
		if (r->command != NULL) {
			fputs("\tshell    ", fp);
			print_vis(fp, r->command);
		} else {
			fputs("\texec    ", fp);
			for (j = 0; r->argv[j] != NULL; j++) {
				fputc(' ', fp);
				print_word(fp, r->argv[j]);
			}
		}
		fputc('\n', fp);
	}
}

void
rules_free(struct ruleset *rs)
{
	size_t i, j;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nroots; i++)
		free(rs->roots[i]);
	free(rs->roots);
	for (i = 0; i < rs->nignores; i++)
		match_re_free(rs->ignores[i]);
	free(rs->ignores);
	for (i = 0; i < rs->nrules; i++) {
		match_re_free(rs->rules[i].re);
		free(rs->rules[i].command);
		if (rs->rules[i].argv != NULL)
			for (j = 0; rs->rules[i].argv[j] != NULL; j++)
				free(rs->rules[i].argv[j]);
		free(rs->rules[i].argv);
		free(rs->rules[i].origin);
	}
	free(rs->rules);
	memset(rs, 0, sizeof(*rs));
}
