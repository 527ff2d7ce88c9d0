/*
 * print.c: printing events.  -e selects as in a rule: an event passes
 * when it carries one of the names, and ISDIR keeps directories only;
 * without -e every event passes but reads of directories, which other
 * programs cause all the time and which tell nothing of a change.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "dispatch.h"
#include "log.h"
#include "match.h"
#include "print.h"
#include "watch.h"
#include "xmalloc.h"

#define EVERY_EVENT	(IN_ALL_EVENTS | IN_IGNORED | IN_UNMOUNT)

struct printer {
	uint32_t	 events;	/* the names given, ISDIR aside */
	int		 dironly;	/* ISDIR was given */
	int		 dir_reads;
	struct match_re	*re;
	struct matcher	*matcher;
	int		 json;
	size_t		 printed;
};

struct printer *
print_new(uint32_t mask, int dir_reads, struct match_re *re,
    struct matcher *m, int json)
{
	struct printer *p;

	p = xcalloc(1, sizeof(*p));
	p->events = mask & ~(uint32_t)IN_ISDIR;
	p->dironly = (mask & IN_ISDIR) != 0;
	if (p->events == 0)
		p->events = EVERY_EVENT;
	p->dir_reads = dir_reads;
	p->re = re;
	p->matcher = m;
	p->json = json;
	return p;
}

void
print_free(struct printer *p)
{
	free(p);
}

uint32_t
print_events(const struct printer *p)
{
	return p->events | IN_Q_OVERFLOW;
}

void
print_event(struct printer *p, const struct pevent *pev)
{
	if (!(pev->mask & (p->events | IN_Q_OVERFLOW)))
		return;
	if (p->dironly && !(pev->mask & IN_ISDIR))
		return;
	if (!p->dir_reads && dispatch_dir_read(pev))
		return;
	if (p->re != NULL && pev->len > 0 &&
	    !match_exec(p->matcher, p->re, pev->path, pev->len))
		return;
	if (p->json)
		log_event_json(stdout, pev->path, pev->len, pev->mask,
		    pev->cookie);
	else
		log_event_text(stdout, pev->path, pev->len, pev->mask);
	p->printed++;
}

int
print_flush(struct printer *p)
{
	(void)p;
	return fflush(stdout) == EOF ? -1 : 0;
}

size_t
print_count(const struct printer *p)
{
	return p->printed;
}
