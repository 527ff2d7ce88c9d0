/*
 * loop.h: the event loop.  Owns the epoll descriptor and every deadline:
 * what watchrun waits for is a descriptor (inotify, signals) or a time,
 * and the loop blocks in epoll_wait(2) until one of them is ready, then
 * calls back its owner.  Deadlines share one timerfd.
 */
#ifndef WATCHRUN_LOOP_H
#define WATCHRUN_LOOP_H

#include <sys/tree.h>

#define LOOP_NEVER	UINT64_MAX

struct loop;
struct loop_src;

typedef void	 loop_cb(struct loop_src *, uint32_t events);

/* A registration; owned by whoever registers it. */
struct loop_src {
	int	 fd;
	loop_cb	*cb;
	void	*arg;
};

/* Exits with an error when epoll cannot be created. */
struct loop	*loop_new(void);
void		 loop_free(struct loop *);	/* NULL is a no-op */

/* Watches src->fd for input; returns 0 or -1 with errno set. */
int		 loop_add(struct loop *, struct loop_src *);
int		 loop_del(struct loop *, struct loop_src *);

/* Stops or resumes reporting src->fd; returns 0 or -1 with errno set. */
int		 loop_pause(struct loop *, struct loop_src *, int paused);

/* Dispatches until loop_stop(); returns -1 only if epoll_wait fails. */
int		 loop_run(struct loop *);
void		 loop_stop(struct loop *);

/* CLOCK_MONOTONIC in microseconds. */
uint64_t	 loop_now(void);
/* CLOCK_REALTIME in nanoseconds: the clock of files' timestamps. */
int64_t		 loop_wall_ns(void);

struct loop_timer;
typedef void	 loop_timer_cb(struct loop_timer *, uint64_t now);

/*
 * A deadline, owned by whoever arms it, who must disarm it before it goes
 * away.  The fields are the loop's.
 */
struct loop_timer {
	RB_ENTRY(loop_timer) entry;
	uint64_t	 when;		/* LOOP_NEVER when not armed */
	loop_timer_cb	*cb;
	void		*arg;
};

void		 loop_timer_init(struct loop_timer *, loop_timer_cb *, void *arg);

/*
 * Arms t to call back at the monotonic time when (microseconds), at the
 * earliest, replacing any earlier arming; LOOP_NEVER disarms it.  A timer
 * is disarmed before its callback runs, and a callback may arm any timer,
 * its own included.  Exits with an error when the timerfd cannot be set.
 */
void		 loop_timer_at(struct loop *, struct loop_timer *, uint64_t when);

#endif
