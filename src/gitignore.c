/*
 * gitignore.c: git's ignore patterns.  A file's text is kept in one buffer
 * that its compiled patterns point into.  Each pattern is sorted at load
 * time into a kind that a check tests with a comparison or two; only the
 * rest go through the glob matcher, which follows git's wildmatch.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gitignore.h"
#include "hash.h"
#include "xmalloc.h"

/* How a pattern is tested; the NAME kinds look at the basename only. */
enum kind {
	K_NAME,		/* the basename is the literal */
	K_NAME_SUFFIX,	/* "*lit": the basename ends with lit */
	K_NAME_PREFIX,	/* "lit*": the basename starts with lit */
	K_NAME_SEQ,	/* one-byte tokens, maybe a '*' run at either end */
	K_NAME_GLOB,	/* the basename matches the glob */
	K_PATH,		/* the path below the file's directory is the literal */
	K_PATH_GLOB	/* it starts with the prefix, the glob does the rest */
};

#define PAT_NEGATED	0x01
#define PAT_DIRONLY	0x02
#define PAT_LEAD	0x04	/* K_NAME_SEQ: a '*' run before the tokens */
#define PAT_TRAIL	0x08	/* K_NAME_SEQ: a '*' run after them */

/* The most tokens a K_NAME_SEQ pattern has; longer ones are globbed. */
#define SEQ_MAX		64

/*
 * A pattern whose match may end with more bytes than this is filed with
 * those that may end with any, rather than under each byte.
 */
#define BUCKET_MAX_SET	32

/*
 * The glob matcher recurses once per run of '*': a pattern with more runs
 * than this is dropped rather than allowed to exhaust the stack.
 */
#define GLOB_MAX_STARS	256

/* The first table size; it doubles when half full. */
#define TABLE_MIN	16

struct pat {
	const unsigned char *pat;	/* the bytes matched, in the text */
	size_t		 len;
	size_t		 prefix;	/* leading bytes without a wildcard */
	size_t		 set0;		/* K_NAME_SEQ: the first of its */
	size_t		 nsets;		/* nsets sets in the file's */
	const char	*text;		/* the line as shown, NUL-terminated */
	size_t		 line;
	int		 lastc;		/* what every match ends with, or -1 */
	unsigned char	 kind;
	unsigned char	 flags;
};

struct gifile {
	int		 level;
	char		*dir;		/* no trailing '/'; "" for the top */
	size_t		 dirlen;
	size_t		 depth;		/* components in dir */
	uint32_t	 hash;
	char		*source;
	char		*text;		/* the file's bytes, cut into lines */
	struct pat	*pats;		/* in line order */
	size_t		 npats;
	uint64_t	(*sets)[4];	/* byte sets, one per token */
	size_t		 nsets;
	size_t		 setsize;
	/*
	 * The patterns by the bytes their matches end with, so that a
	 * check looks only at those that can match its last byte:
	 * bucket[c] is 0 when none ends with c, or k when order[start[k]]
	 * to order[start[k + 1] - 1] may, and bucket 0 holds those that
	 * may end with any byte.  Each bucket lists its patterns from the
	 * last line up; one pattern can be in several.
	 */
	uint16_t	 bucket[256];
	size_t		*start;
	size_t		*order;
};

struct gitignore {
	struct gifile	*global;
	struct gifile	*info;
	struct gifile	*top;		/* the .gitignore of the top */
	struct gifile	**slots;	/* the others, by directory */
	size_t		 nslots;	/* a power of two, or 0 */
	size_t		 ndirs;
	size_t		 maxdepth;	/* of the deepest directory in slots */
	size_t		 npatterns;
};

/* Results of glob_at(); the two aborts prune, as in git's wildmatch. */
enum {
	G_MATCH,
	G_NOMATCH,
	G_ABORT,	/* no enclosing '*' can match by consuming more */
	G_ABORT_STAR	/* only an enclosing "**" may go on */
};

struct glob {
	const unsigned char *p0;	/* where the glob starts, for "**" */
	const unsigned char *pe;	/* its end */
	const unsigned char *te;	/* the text's end */
	int		 pathname;	/* wildcards do not match '/' */
};

static int	glob_at(const struct glob *, const unsigned char *,
		    const unsigned char *);

static int
is_special(unsigned char c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

/* Returns the number of leading bytes of p without a wildcard. */
static size_t
literal_len(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !is_special(p[i]); i++)
		;
	return i;
}

/*
 * Returns whether c is in the POSIX class named by the len bytes at name,
 * as git's ASCII-only tables have it (its space is "\t\n\r "), or -1 for
 * an unknown name.
 */
static int
in_class(const unsigned char *name, size_t len, unsigned char c)
{
	static const char *const names[] = {
		"alnum", "alpha", "blank", "cntrl", "digit", "graph",
		"lower", "print", "punct", "space", "upper", "xdigit"
	};
	int upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
	int digit = c >= '0' && c <= '9', graph = c > ' ' && c < 0x7f;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], name, len) == 0)
			break;
	switch (i) {
	case 0:
		return upper || lower || digit;
	case 1:
		return upper || lower;
	case 2:
		return c == ' ' || c == '\t';
	case 3:
		return c < ' ' || c == 0x7f;
	case 4:
		return digit;
	case 5:
		return graph;
	case 6:
		return lower;
	case 7:
		return graph || c == ' ';
	case 8:
		return graph && !upper && !lower && !digit;
	case 9:
		return c == ' ' || c == '\t' || c == '\n' || c == '\r';
	case 10:
		return upper;
	case 11:
		return digit || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F');
	}
	return -1;
}

/*
 * Matches the bracket expression at *pp against c and leaves *pp on its
 * closing ']'.  The first member may be ']'; a malformed expression (no
 * closing ']', an unknown class) aborts the whole match, as in git.
 */
static int
glob_bracket(const struct glob *g, const unsigned char **pp, unsigned char c)
{
	const unsigned char *p = *pp + 1, *s, *e;
	unsigned char lo = 0, hi;
	int negated = 0, matched = 0, first = 1, k;

	if (p < g->pe && (*p == '!' || *p == '^')) {
		negated = 1;
		p++;
	}
	for (;; p++, first = 0) {
		if (p == g->pe)
			return G_ABORT;
		if (*p == ']' && !first)
			break;
		if (*p == '\\') {
			if (++p == g->pe)
				return G_ABORT;
			matched |= c == *p;
			lo = *p;
		} else if (*p == '-' && lo != 0 && p + 1 < g->pe &&
		    p[1] != ']') {
			hi = *++p;
			if (hi == '\\') {
				if (++p == g->pe)
					return G_ABORT;
				hi = *p;
			}
			matched |= c >= lo && c <= hi;
			lo = 0;
		} else if (*p == '[' && p + 1 < g->pe && p[1] == ':') {
			s = p + 2;
			if ((e = memchr(s, ']', g->pe - s)) == NULL)
				return G_ABORT;
			if (e == s || e[-1] != ':') {
				/* No ":]" before the ']': a plain '['. */
				matched |= c == '[';
				lo = '[';
				continue;
			}
			if ((k = in_class(s, e - s - 1, c)) == -1)
				return G_ABORT;
			matched |= k;
			lo = 0;
			p = e;
		} else {
			matched |= c == *p;
			lo = *p;
		}
	}
	*pp = p;
	if (matched == negated || (g->pathname && c == '/'))
		return G_NOMATCH;
	return G_MATCH;
}

/* Matches from the run of '*' at p. */
static int
glob_star(const struct glob *g, const unsigned char *p, const unsigned char *t)
{
	const unsigned char *q, *s;
	int anyslash, r;

	for (q = p + 1; q < g->pe && *q == '*'; q++)
		;
	if (!g->pathname)
		anyslash = 1;
	else if (q - p == 1)
		anyslash = 0;
	else if ((p == g->p0 || p[-1] == '/') && (q == g->pe || *q == '/' ||
	    (*q == '\\' && q + 1 < g->pe && q[1] == '/'))) {
		/* A "**" component: try it first as no directory at all. */
		if (q < g->pe && *q == '/' && glob_at(g, q + 1, t) == G_MATCH)
			return G_MATCH;
		anyslash = 1;
	} else
		anyslash = 0;
	if (q == g->pe)
		return anyslash || memchr(t, '/', g->te - t) == NULL ?
		    G_MATCH : G_NOMATCH;
	if (!anyslash && *q == '/') {
		/* "*" then '/': the star can only end at the next slash. */
		if ((s = memchr(t, '/', g->te - t)) == NULL)
			return G_NOMATCH;
		return glob_at(g, q + 1, s + 1);
	}
	for (;; t++) {
		if (t == g->te)
			return G_ABORT;
		if (!is_special(*q)) {
			/* A literal follows: skip to where it occurs. */
			while (t < g->te && *t != *q && (anyslash || *t != '/'))
				t++;
			if (t == g->te || *t != *q)
				return G_NOMATCH;
		}
		if ((r = glob_at(g, q, t)) != G_NOMATCH) {
			if (!anyslash || r != G_ABORT_STAR)
				return r;
		} else if (!anyslash && *t == '/')
			return G_ABORT_STAR;
	}
}

static int
glob_at(const struct glob *g, const unsigned char *p, const unsigned char *t)
{
	int r;

	for (; p < g->pe; p++, t++) {
		if (t == g->te && *p != '*')
			return G_ABORT;
		switch (*p) {
		case '*':
			return glob_star(g, p, t);
		case '?':
			if (g->pathname && *t == '/')
				return G_NOMATCH;
			break;
		case '[':
			if ((r = glob_bracket(g, &p, *t)) != G_MATCH)
				return r;
			break;
		case '\\':
			if (++p == g->pe)
				return G_NOMATCH;
			/* FALLTHROUGH */
		default:
			if (*t != *p)
				return G_NOMATCH;
			break;
		}
	}
	return t == g->te ? G_MATCH : G_NOMATCH;
}

/*
 * Returns whether the plen bytes at p match the tlen bytes at t.  With
 * pathname, '*', '?' and brackets do not match '/' and "**" components
 * span directories; the glob starts at p as far as "**" is concerned.
 */
static int
glob_match(const unsigned char *p, size_t plen, const unsigned char *t,
    size_t tlen, int pathname)
{
	struct glob g;

	g.p0 = p;
	g.pe = p + plen;
	g.te = t + tlen;
	g.pathname = pathname;
	return glob_at(&g, p, t) == G_MATCH;
}

/*
 * Returns the length of the n bytes at s without their trailing spaces;
 * a backslash keeps the byte after it, and a final backslash keeps all.
 */
static size_t
trim_spaces(const char *s, size_t n)
{
	size_t i, run = n;

	for (i = 0; i < n; i++) {
		if (s[i] == ' ') {
			if (run == n)
				run = i;
			continue;
		}
		if (s[i] == '\\' && ++i == n)
			return n;
		run = n;
	}
	return run;
}

static int
set_has(const uint64_t *set, unsigned char c)
{
	return (set[c >> 6] >> (c & 63)) & 1;
}

/* Appends an empty byte set to f's; returns its index. */
static size_t
set_new(struct gifile *f)
{
	if (f->nsets == f->setsize) {
		f->setsize = f->setsize == 0 ? 16 : f->setsize * 2;
		f->sets = xreallocarray(f->sets, f->setsize, sizeof(*f->sets));
	}
	memset(f->sets[f->nsets], 0, sizeof(f->sets[0]));
	return f->nsets++;
}

/*
 * Compiles the n bytes at p, a pattern for basenames, into one byte set
 * per token when its tokens are all one byte long (literals, '?' and
 * brackets, whose sets the glob matcher itself fills in) with at most a
 * run of '*' at either end.  Returns 1 when it did, 0 when the pattern
 * needs the glob matcher, -1 when it can match nothing.
 */
static int
seq_compile(struct gifile *f, struct pat *pt, const unsigned char *p,
    size_t n)
{
	const unsigned char *e = p + n, *q = p;
	struct glob g;
	size_t k;
	int c, r;

	g.p0 = p;
	g.pe = e;
	g.te = NULL;
	g.pathname = 0;
	pt->set0 = f->nsets;
	pt->nsets = 0;
	if (p < e && *p == '*') {
		pt->flags |= PAT_LEAD;
		while (p < e && *p == '*')
			p++;
	}
	while (p < e) {
		if (*p == '*') {
			for (q = p; q < e && *q == '*'; q++)
				;
			if (q != e)
				goto glob;
			pt->flags |= PAT_TRAIL;
			break;
		}
		if (pt->nsets == SEQ_MAX)
			goto glob;
		k = set_new(f);
		pt->nsets++;
		if (*p == '\\') {
			if (++p == e)
				goto never;
			f->sets[k][*p >> 6] |= UINT64_C(1) << (*p & 63);
		} else if (*p == '?')
			memset(f->sets[k], 0xff, sizeof(f->sets[k]));
		else if (*p == '[') {
			for (c = 0; c < 256; c++) {
				q = p;
				if ((r = glob_bracket(&g, &q, c)) == G_ABORT)
					goto never;
				if (r == G_MATCH)
					f->sets[k][c >> 6] |=
					    UINT64_C(1) << (c & 63);
			}
			p = q;
		} else
			f->sets[k][*p >> 6] |= UINT64_C(1) << (*p & 63);
		p++;
	}
	return 1;
glob:
	r = 0;
	goto out;
never:
	r = -1;
out:
	f->nsets = pt->set0;
	pt->nsets = 0;
	pt->flags &= ~(PAT_LEAD | PAT_TRAIL);
	return r;
}

/*
 * Compiles the line of n bytes at text into pt, a slot of f's.  Returns
 * 0 for a line that can match nothing, which is then not kept.
 */
static int
pat_compile(struct gifile *f, struct pat *pt, char *text, size_t n,
    size_t line)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i, stars;
	unsigned char c;
	int r;

	pt->flags = 0;
	if (n > 0 && p[0] == '!') {
		pt->flags |= PAT_NEGATED;
		p++;
		n--;
	}
	if (n > 0 && p[n - 1] == '/') {
		pt->flags |= PAT_DIRONLY;
		n--;
	}
	if (memchr(p, '/', n) == NULL) {
		pt->prefix = literal_len(p, n);
		if (pt->prefix == n)
			pt->kind = K_NAME;
		else if (p[0] == '*' && literal_len(p + 1, n - 1) == n - 1)
			pt->kind = K_NAME_SUFFIX;
		else if (pt->prefix == n - 1 && p[n - 1] == '*')
			pt->kind = K_NAME_PREFIX;
		else if ((r = seq_compile(f, pt, p, n)) == -1)
			return 0;
		else
			pt->kind = r == 1 ? K_NAME_SEQ : K_NAME_GLOB;
	} else {
		/* Anchored: a leading '/' only says so. */
		if (p[0] == '/') {
			p++;
			n--;
		}
		pt->prefix = literal_len(p, n);
		pt->kind = pt->prefix == n ? K_PATH : K_PATH_GLOB;
	}
	for (i = 0, stars = 0; i < n; i++)
		if (p[i] == '*' && (i == 0 || p[i - 1] != '*'))
			stars++;
	if (n == 0 || stars > GLOB_MAX_STARS)
		return 0;
	/*
	 * A last byte that is no wildcard ends every match: escaped or
	 * not, or the pattern is a broken bracket that matches nothing.
	 */
	c = p[n - 1];
	pt->lastc = c == '*' || c == '?' || c == ']' || c == '\\' ? -1 : c;
	pt->pat = p;
	pt->len = n;
	pt->text = text;
	pt->line = line;
	return 1;
}

/*
 * Fills set with the bytes p's matches may end with; returns 0 instead
 * when they are too many to be worth a bucket each.
 */
static int
pat_ends(const struct gifile *f, const struct pat *p, uint64_t *set)
{
	size_t c, n = 0;

	memset(set, 0, 4 * sizeof(*set));
	if (p->kind != K_NAME_SEQ) {
		if (p->lastc == -1)
			return 0;
		set[p->lastc >> 6] |= UINT64_C(1) << (p->lastc & 63);
		return 1;
	}
	if ((p->flags & PAT_TRAIL) || p->nsets == 0)
		return 0;
	memcpy(set, f->sets[p->set0 + p->nsets - 1], 4 * sizeof(*set));
	for (c = 0; c < 256; c++)
		n += set_has(set, c);
	return n <= BUCKET_MAX_SET;
}

/* Sorts f's patterns into buckets by the bytes their matches end with. */
static void
file_index(struct gifile *f)
{
	uint64_t (*ends)[4];
	size_t c, i, k, nb = 0, *next;
	char *any;

	ends = xreallocarray(NULL, f->npats, sizeof(*ends));
	any = xcalloc(f->npats, 1);
	for (i = 0; i < f->npats; i++) {
		if (!pat_ends(f, &f->pats[i], ends[i])) {
			any[i] = 1;
			continue;
		}
		for (c = 0; c < 256; c++)
			if (set_has(ends[i], c) && f->bucket[c] == 0)
				f->bucket[c] = ++nb;
	}
	f->start = xcalloc(nb + 2, sizeof(*f->start));
	for (i = 0; i < f->npats; i++) {
		if (any[i])
			f->start[1]++;
		else
			for (c = 0; c < 256; c++)
				if (set_has(ends[i], c))
					f->start[f->bucket[c] + 1]++;
	}
	for (k = 1; k <= nb + 1; k++)
		f->start[k] += f->start[k - 1];
	f->order = xreallocarray(NULL, f->start[nb + 1], sizeof(*f->order));
	next = xcalloc(nb + 1, sizeof(*next));
	for (i = f->npats; i-- > 0;) {
		if (any[i])
			f->order[next[0]++] = i;
		else
			for (c = 0; c < 256; c++)
				if (set_has(ends[i], c)) {
					k = f->bucket[c];
					f->order[f->start[k] + next[k]++] = i;
				}
	}
	free(next);
	free(any);
	free(ends);
}

/* Cuts f's copy of the file into lines and compiles them. */
static void
file_parse(struct gifile *f, const char *buf, size_t len)
{
	char *s, *e, *end, *nul;
	size_t line, n, nlines;

	f->text = xmemdup(buf, len);
	s = f->text;
	end = s + len;
	if (len >= 3 && memcmp(s, "\357\273\277", 3) == 0)
		s += 3;
	for (nlines = 1, e = s; (e = memchr(e, '\n', end - e)) != NULL; e++)
		nlines++;
	f->pats = xreallocarray(NULL, nlines, sizeof(*f->pats));
	for (line = 1; s < end; line++, s = e + 1) {
		if ((e = memchr(s, '\n', end - s)) == NULL)
			e = end;
		*e = '\0';
		n = e - s;
		if (n == 0 || s[0] == '#')
			continue;
		if (s[n - 1] == '\r')
			s[--n] = '\0';
		if ((nul = memchr(s, '\0', n)) != NULL)
			n = nul - s;
		n = trim_spaces(s, n);
		s[n] = '\0';
		if (pat_compile(f, &f->pats[f->npats], s, n, line))
			f->npats++;
	}
	file_index(f);
}

static void
file_free(struct gifile *f)
{
	if (f == NULL)
		return;
	free(f->dir);
	free(f->source);
	free(f->text);
	free(f->pats);
	free(f->sets);
	free(f->start);
	free(f->order);
	free(f);
}

/* Returns the index of dir's slot in the table, or of the empty one. */
static size_t
slot_of(const struct gitignore *gi, const char *dir, size_t dirlen,
    uint32_t h)
{
	const struct gifile *f;
	size_t i, mask = gi->nslots - 1;

	for (i = h & mask; (f = gi->slots[i]) != NULL; i = (i + 1) & mask)
		if (f->hash == h && f->dirlen == dirlen &&
		    memcmp(f->dir, dir, dirlen) == 0)
			break;
	return i;
}

static const struct gifile *
dir_lookup(const struct gitignore *gi, const char *dir, size_t dirlen)
{
	if (gi->ndirs == 0)
		return NULL;
	return gi->slots[slot_of(gi, dir, dirlen, hash_bytes(dir, dirlen))];
}

static void
table_grow(struct gitignore *gi)
{
	struct gifile **old = gi->slots, *f;
	size_t i, n = gi->nslots;

	gi->nslots = n == 0 ? TABLE_MIN : n * 2;
	gi->slots = xcalloc(gi->nslots, sizeof(*gi->slots));
	for (i = 0; i < n; i++)
		if ((f = old[i]) != NULL)
			gi->slots[slot_of(gi, f->dir, f->dirlen, f->hash)] = f;
	free(old);
}

/* Empties slot i, moving later entries back so that no probe breaks. */
static void
table_remove(struct gitignore *gi, size_t i)
{
	size_t j, home, mask = gi->nslots - 1;

	gi->slots[i] = NULL;
	for (j = (i + 1) & mask; gi->slots[j] != NULL; j = (j + 1) & mask) {
		home = gi->slots[j]->hash & mask;
		/* It stays when its home lies cyclically in (i, j]. */
		if (i < j ? home > i && home <= j : home > i || home <= j)
			continue;
		gi->slots[i] = gi->slots[j];
		gi->slots[j] = NULL;
		i = j;
	}
	gi->ndirs--;
}

struct gitignore *
gitignore_new(void)
{
	return xcalloc(1, sizeof(struct gitignore));
}

void
gitignore_free(struct gitignore *gi)
{
	size_t i;

	if (gi == NULL)
		return;
	file_free(gi->global);
	file_free(gi->info);
	file_free(gi->top);
	for (i = 0; i < gi->nslots; i++)
		file_free(gi->slots[i]);
	free(gi->slots);
	free(gi);
}

/* Returns a copy of source, or the usual name of such a file. */
static char *
source_name(int level, const char *dir, size_t dirlen, const char *source)
{
	static const char name[] = "/.gitignore";
	char *s;

	if (source != NULL)
		return xstrdup(source);
	if (level == GITIGNORE_GLOBAL)
		return xstrdup("core.excludesFile");
	if (level == GITIGNORE_INFO)
		return xstrdup(".git/info/exclude");
	if (dirlen == 0)
		return xstrdup(name + 1);
	s = xmalloc(dirlen + sizeof(name));
	memcpy(s, dir, dirlen);
	memcpy(s + dirlen, name, sizeof(name));
	return s;
}

int
gitignore_set_file(struct gitignore *gi, int level, const char *dir,
    size_t dirlen, const char *buf, size_t len, const char *source)
{
	struct gifile **fixed = NULL, *f;
	size_t i, slot = 0;
	uint32_t h = 0;

	if (level == GITIGNORE_GLOBAL || level == GITIGNORE_INFO) {
		fixed = level == GITIGNORE_GLOBAL ? &gi->global : &gi->info;
		dir = "";
		dirlen = 0;
	} else if (level == GITIGNORE_DIR) {
		if (dirlen > 0 && dir[dirlen - 1] == '/')
			dirlen--;
		if (dirlen == 0)
			fixed = &gi->top;
	} else {
		errno = EINVAL;
		return -1;
	}

	if (fixed != NULL) {
		if (*fixed != NULL)
			gi->npatterns -= (*fixed)->npats;
		file_free(*fixed);
		*fixed = NULL;
	} else {
		h = hash_bytes(dir, dirlen);
		if (gi->nslots > 0 &&
		    (f = gi->slots[slot = slot_of(gi, dir, dirlen, h)]) !=
		    NULL) {
			gi->npatterns -= f->npats;
			table_remove(gi, slot);
			if (f->depth == gi->maxdepth) {
				gi->maxdepth = 0;
				for (i = 0; i < gi->nslots; i++)
					if (gi->slots[i] != NULL &&
					    gi->slots[i]->depth > gi->maxdepth)
						gi->maxdepth =
						    gi->slots[i]->depth;
			}
			file_free(f);
		}
	}
	if (buf == NULL || len == 0)
		return 0;

	f = xcalloc(1, sizeof(*f));
	f->level = level;
	f->dir = xmemdup(dir, dirlen);
	f->dirlen = dirlen;
	f->hash = h;
	f->source = source_name(level, dir, dirlen, source);
	if (dirlen > 0)
		for (f->depth = 1, i = 0; i < dirlen; i++)
			if (dir[i] == '/')
				f->depth++;
	file_parse(f, buf, len);
	gi->npatterns += f->npats;
	if (fixed != NULL) {
		*fixed = f;
		return 0;
	}
	if ((gi->ndirs + 1) * 2 > gi->nslots)
		table_grow(gi);
	gi->slots[slot_of(gi, dir, dirlen, h)] = f;
	gi->ndirs++;
	if (f->depth > gi->maxdepth)
		gi->maxdepth = f->depth;
	return 0;
}

/* Returns whether the n bytes at s are in the n sets at set, in turn. */
static int
seq_at(const uint64_t (*set)[4], size_t n, const unsigned char *s)
{
	/* From the end: last bytes such as extensions tell most apart. */
	while (n-- > 0)
		if (!set_has(set[n], s[n]))
			return 0;
	return 1;
}

/*
 * Returns whether f's pattern p matches a path whose basename is the blen
 * bytes at base and whose part below p's directory is the nlen bytes at
 * name.
 */
static int
pat_match(const struct gifile *f, const struct pat *p,
    const unsigned char *base, size_t blen, const unsigned char *name,
    size_t nlen)
{
	const uint64_t (*set)[4];
	size_t off;

	switch (p->kind) {
	case K_NAME:
		return blen == p->len && memcmp(base, p->pat, blen) == 0;
	case K_NAME_SUFFIX:
		return blen >= p->len - 1 &&
		    memcmp(base + blen - (p->len - 1), p->pat + 1,
		    p->len - 1) == 0;
	case K_NAME_PREFIX:
		return blen >= p->len - 1 &&
		    memcmp(base, p->pat, p->len - 1) == 0;
	case K_NAME_SEQ:
		if (blen < p->nsets)
			return 0;
		/* No sets at all (as for "**"): no table to point into. */
		set = p->nsets > 0 ? (const uint64_t (*)[4])f->sets + p->set0 :
		    NULL;
		switch (p->flags & (PAT_LEAD | PAT_TRAIL)) {
		case 0:
			return blen == p->nsets && seq_at(set, p->nsets, base);
		case PAT_LEAD:
			return seq_at(set, p->nsets, base + blen - p->nsets);
		case PAT_TRAIL:
			return seq_at(set, p->nsets, base);
		}
		for (off = 0; off + p->nsets <= blen; off++)
			if (seq_at(set, p->nsets, base + off))
				return 1;
		return 0;
	case K_NAME_GLOB:
		return glob_match(p->pat, p->len, base, blen, 0);
	case K_PATH:
		return nlen == p->len && memcmp(name, p->pat, nlen) == 0;
	case K_PATH_GLOB:
		/* As in git, "**" sees the glob start after the prefix. */
		return nlen >= p->prefix &&
		    memcmp(name, p->pat, p->prefix) == 0 &&
		    glob_match(p->pat + p->prefix, p->len - p->prefix,
		    name + p->prefix, nlen - p->prefix, 1);
	}
	return 0;
}

/*
 * Returns f's last pattern that matches the len bytes at path, whose last
 * blen bytes are the basename, or NULL.  path is below f's directory.
 */
static const struct pat *
file_match(const struct gifile *f, const unsigned char *path, size_t len,
    size_t blen, int isdir)
{
	const struct pat *p;
	const size_t *a, *ae, *b, *be;
	size_t k, skip;

	/* The bucket of the last byte and bucket 0, merged by line. */
	b = f->order;
	be = f->order + f->start[1];
	a = ae = be;
	if ((k = f->bucket[path[len - 1]]) != 0) {
		a = f->order + f->start[k];
		ae = f->order + f->start[k + 1];
	}
	skip = f->dirlen > 0 ? f->dirlen + 1 : 0;
	while (a < ae || b < be) {
		if (b == be || (a < ae && *a > *b))
			p = &f->pats[*a++];
		else
			p = &f->pats[*b++];
		if ((p->flags & PAT_DIRONLY) && !isdir)
			continue;
		if (pat_match(f, p, path + len - blen, blen, path + skip,
		    len - skip))
			return p;
	}
	return NULL;
}

static void
why_set(struct gitignore_why *why, const struct gifile *f,
    const struct pat *p, size_t matchlen)
{
	if (why == NULL)
		return;
	if (p == NULL) {
		why->source = NULL;
		why->pattern = NULL;
		why->line = 0;
		why->matchlen = 0;
		why->negated = 0;
		return;
	}
	why->source = f->source;
	why->pattern = p->text;
	why->line = p->line;
	why->matchlen = matchlen;
	why->negated = (p->flags & PAT_NEGATED) != 0;
}

/*
 * Decides the len bytes at path on their own (len > 0, no trailing '/'):
 * returns 1 for ignored, 0 for re-included by a negation, -1 when no
 * pattern matched, and fills why.
 */
static int
decide(const struct gitignore *gi, const char *spath, size_t len, int isdir,
    struct gitignore_why *why)
{
	const unsigned char *path = (const unsigned char *)spath;
	const unsigned char *end = path + len, *s, *slash;
	const struct gifile *f, *bestf = NULL;
	const struct pat *p, *best = NULL;
	size_t blen, depth;

	slash = memrchr(path, '/', len);
	blen = slash != NULL ? (size_t)(end - slash - 1) : len;
	if (gi->top != NULL &&
	    (best = file_match(gi->top, path, len, blen, isdir)) != NULL)
		bestf = gi->top;
	/* Deeper files come later and take precedence. */
	for (s = path, depth = 1; depth <= gi->maxdepth &&
	    (slash = memchr(s, '/', end - s)) != NULL;
	    s = slash + 1, depth++) {
		f = dir_lookup(gi, spath, slash - path);
		if (f != NULL &&
		    (p = file_match(f, path, len, blen, isdir)) != NULL) {
			best = p;
			bestf = f;
		}
	}
	if (best == NULL && gi->info != NULL &&
	    (best = file_match(gi->info, path, len, blen, isdir)) != NULL)
		bestf = gi->info;
	if (best == NULL && gi->global != NULL &&
	    (best = file_match(gi->global, path, len, blen, isdir)) != NULL)
		bestf = gi->global;
	why_set(why, bestf, best, len);
	if (best == NULL)
		return -1;
	return (best->flags & PAT_NEGATED) == 0;
}

int
gitignore_check(const struct gitignore *gi, const char *path, size_t len,
    int isdir, struct gitignore_why *why)
{
	const char *s, *slash, *end;

	if (len > 0 && path[len - 1] == '/') {
		len--;
		isdir = 1;
	}
	if (len == 0 || gi->npatterns == 0) {
		why_set(why, NULL, NULL, 0);
		return 0;
	}
	/* The first excluded ancestor, from the top, excludes the path. */
	end = path + len;
	for (s = path; (slash = memchr(s, '/', end - s)) != NULL;
	    s = slash + 1)
		if (slash > path && decide(gi, path, slash - path, 1, why) == 1)
			return 1;
	return decide(gi, path, len, isdir, why) == 1;
}

int
gitignore_check_name(const struct gitignore *gi, const char *path,
    size_t len, int isdir, struct gitignore_why *why)
{
	if (len > 0 && path[len - 1] == '/') {
		len--;
		isdir = 1;
	}
	if (len == 0 || gi->npatterns == 0) {
		why_set(why, NULL, NULL, 0);
		return 0;
	}
	return decide(gi, path, len, isdir, why) == 1;
}

size_t
gitignore_npatterns(const struct gitignore *gi)
{
	return gi->npatterns;
}

static int
dir_cmp(const void *a, const void *b)
{
	const struct gifile *fa = *(const struct gifile *const *)a;
	const struct gifile *fb = *(const struct gifile *const *)b;
	size_t n = fa->dirlen < fb->dirlen ? fa->dirlen : fb->dirlen;
	int r;

	if ((r = memcmp(fa->dir, fb->dir, n)) != 0)
		return r;
	return fa->dirlen < fb->dirlen ? -1 : fa->dirlen > fb->dirlen;
}

void
gitignore_walk(const struct gitignore *gi, void (*fn)(void *arg, int level,
    const char *dir, const char *source, size_t npatterns), void *arg)
{
	const struct gifile **sorted, *f;
	size_t i, n = 0;

	sorted = xreallocarray(NULL, gi->ndirs + 3, sizeof(*sorted));
	if (gi->global != NULL)
		sorted[n++] = gi->global;
	if (gi->info != NULL)
		sorted[n++] = gi->info;
	if (gi->top != NULL)
		sorted[n++] = gi->top;
	for (i = 0; i < gi->nslots; i++)
		if (gi->slots[i] != NULL)
			sorted[n++] = gi->slots[i];
	i = n - gi->ndirs;
	qsort(sorted + i, gi->ndirs, sizeof(*sorted), dir_cmp);
	for (i = 0; i < n; i++) {
		f = sorted[i];
		fn(arg, f->level, f->dir, f->source, f->npats);
	}
	free(sorted);
}
