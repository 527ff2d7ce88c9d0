/*
 * guard.h: the guardian, a small helper process that outlives watchrun
 * just long enough to stop the command groups watchrun leaves behind when
 * it is killed with SIGKILL or crashes.  watchrun tells it which process
 * groups are alive through a pipe; end of file on that pipe means watchrun
 * is gone.
 */
#ifndef WATCHRUN_GUARD_H
#define WATCHRUN_GUARD_H

struct guard;

/*
 * Forks the guardian, which will give groups stop_us microseconds between
 * stop_signal (--stop-signal) and SIGKILL.  Returns NULL with errno set
 * when it cannot.
 */
struct guard	*guard_start(uint64_t stop_us, int stop_signal);

/* Tells the guardian that process group pgid is alive, or gone. */
void		 guard_add(struct guard *, pid_t pgid);
void		 guard_del(struct guard *, pid_t pgid);

/* The guardian's pid, so that reaping can tell it from commands. */
pid_t		 guard_pid(const struct guard *);

/* Closes the pipe and waits for the guardian.  NULL is a no-op. */
void		 guard_stop(struct guard *);

#endif
