/*
 * loop.h: the event loop.  Everything watchrun waits for is a descriptor
 * (inotify, timers, signals); the loop blocks in epoll_wait(2) with no
 * timeout and calls back the owner of whichever becomes readable.
 */
#ifndef WATCHRUN_LOOP_H
#define WATCHRUN_LOOP_H

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

/* A non-blocking, close-on-exec monotonic timerfd; -1 on failure. */
int		 loop_timer_new(void);

/*
 * Arms timer fd to fire at the monotonic time when (microseconds), or
 * disarms it when when is UINT64_MAX.  Returns 0 or -1 with errno set.
 */
int		 loop_timer_set(int fd, uint64_t when);

/* Clears a fired timer; returns how many expirations it counted. */
uint64_t	 loop_timer_read(int fd);

#endif
