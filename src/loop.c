/*
 * loop.c: epoll and timerfd.  One epoll descriptor, one callback per
 * registration, no timer list: a module that needs a deadline owns a
 * timerfd and arms it for its own earliest one.
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

struct loop {
	int	 epfd;
	int	 stop;
};

struct loop *
loop_new(void)
{
	struct loop *l;

	l = xcalloc(1, sizeof(*l));
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
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

int
loop_timer_new(void)
{
	return timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
}

int
loop_timer_set(int fd, uint64_t when)
{
	struct itimerspec its = { 0 };

	if (when != UINT64_MAX) {
		/* A zero it_value would disarm: fire at once instead. */
		if (when == 0)
			when = 1;
		its.it_value.tv_sec = (time_t)(when / 1000000);
		its.it_value.tv_nsec = (long)(when % 1000000) * 1000;
	}
	return timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL);
}

uint64_t
loop_timer_read(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}
