/*
 * loop.c: epoll and deadlines.  One epoll descriptor, one callback per
 * registration, and one timerfd for every deadline: armed timers sit in a
 * tree ordered by time, and the timerfd is armed for the earliest.  It is
 * armed lazily: a deadline later than the one armed costs no system call,
 * since the timer fires early and is armed again for what is then due;
 * in a storm of events that re-arm a debounce, that is most of them.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "xmalloc.h"

RB_HEAD(loop_timers, loop_timer);

struct loop {
	int		 epfd;
	int		 stop;
	int		 tfd;
	uint64_t	 armed;		/* what tfd is set for */
	struct loop_src	 src_timer;
	struct loop_timers timers;
};

static int
timer_cmp(const struct loop_timer *a, const struct loop_timer *b)
{
	if (a->when != b->when)
		return a->when < b->when ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* libbsd's RB_GENERATE_STATIC needs a __unused it does not define. */
RB_PROTOTYPE(loop_timers, loop_timer, entry, timer_cmp)
RB_GENERATE(loop_timers, loop_timer, entry, timer_cmp)

static void
set_timerfd(struct loop *l, uint64_t when)
{
	struct itimerspec its = { 0 };

	if (when != LOOP_NEVER) {
		/* A zero it_value would disarm: fire at once instead. */
		if (when == 0)
			when = 1;
		its.it_value.tv_sec = (time_t)(when / 1000000);
		its.it_value.tv_nsec = (long)(when % 1000000) * 1000;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		err(1, "timerfd_settime");
	l->armed = when;
}

/* Arms the timerfd for the earliest timer, if that is sooner. */
static void
rearm(struct loop *l)
{
	struct loop_timer *t = RB_MIN(loop_timers, &l->timers);
	uint64_t next = t != NULL ? t->when : LOOP_NEVER;

	if (next < l->armed)
		set_timerfd(l, next);
}

static void
on_timerfd(struct loop_src *src, uint32_t events)
{
	struct loop *l = src->arg;
	struct loop_timer *t;
	uint64_t n, now;

	(void)events;
	/* Nothing to learn from the count: the tree says what is due. */
	if (read(l->tfd, &n, sizeof(n)) == -1 && errno != EAGAIN)
		err(1, "read timerfd");
	l->armed = LOOP_NEVER;
	now = loop_now();
	while (!l->stop && (t = RB_MIN(loop_timers, &l->timers)) != NULL &&
	    t->when <= now) {
		RB_REMOVE(loop_timers, &l->timers, t);
		t->when = LOOP_NEVER;
		t->cb(t, now);
	}
	rearm(l);
}

struct loop *
loop_new(void)
{
	struct loop *l;

	l = xcalloc(1, sizeof(*l));
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	if ((l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1)
		err(1, "timerfd_create");
	l->armed = LOOP_NEVER;
	RB_INIT(&l->timers);
	l->src_timer.fd = l->tfd;
	l->src_timer.cb = on_timerfd;
	l->src_timer.arg = l;
	if (loop_add(l, &l->src_timer) == -1)
		err(1, "epoll_ctl");
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->tfd);
	close(l->epfd);
	free(l);
}

int
loop_add(struct loop *l, struct loop_src *src)
{
	struct epoll_event ev;

	ev.events = EPOLLIN;
	ev.data.ptr = src;
	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, src->fd, &ev);
}

int
loop_del(struct loop *l, struct loop_src *src)
{
	return epoll_ctl(l->epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

int
loop_pause(struct loop *l, struct loop_src *src, int paused)
{
	struct epoll_event ev;

	/* Stays registered: resuming costs no allocation in the kernel. */
	ev.events = paused ? 0 : EPOLLIN;
	ev.data.ptr = src;
	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, src->fd, &ev);
}

int
loop_run(struct loop *l)
{
	struct epoll_event evs[16];
	struct loop_src *src;
	int i, n;

	l->stop = 0;
	while (!l->stop) {
		if ((n = epoll_wait(l->epfd, evs, 16, -1)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (i = 0; i < n && !l->stop; i++) {
			src = evs[i].data.ptr;
			src->cb(src, evs[i].events);
		}
	}
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}

uint64_t
loop_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int64_t
loop_wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void
loop_timer_init(struct loop_timer *t, loop_timer_cb *cb, void *arg)
{
	t->when = LOOP_NEVER;
	t->cb = cb;
	t->arg = arg;
}

void
loop_timer_at(struct loop *l, struct loop_timer *t, uint64_t when)
{
	if (t->when == when)
		return;
	if (t->when != LOOP_NEVER)
		RB_REMOVE(loop_timers, &l->timers, t);
	t->when = when;
	if (when != LOOP_NEVER) {
		RB_INSERT(loop_timers, &l->timers, t);
		rearm(l);
	}
}
