/*
 * notify.h: the sd_notify(3) datagram protocol, without libsystemd:
 * "READY=1" once watching, "RELOADING=1" and "READY=1" around reading the
 * rules again, "STATUS=..." lines, "WATCHDOG=1" pings and "STOPPING=1"
 * on the way out; and the watchdog's interval, from the environment.
 */
#ifndef WATCHRUN_NOTIFY_H
#define WATCHRUN_NOTIFY_H

#include <sys/types.h>

#include <stdint.h>

/*
 * Sends state to the socket named by $NOTIFY_SOCKET, if it is set.
 * Returns 0 (also when it is not set), or -1 with errno set.
 */
int	 notify_send(const char *state);

/* Whether $NOTIFY_SOCKET is set: whether there is anyone to tell. */
int	 notify_wanted(void);

/*
 * The interval in microseconds at which the watchdog expects
 * "WATCHDOG=1", given $WATCHDOG_USEC and $WATCHDOG_PID (each NULL when
 * unset) as systemd sets them for the process self; 0 when there is none
 * for self: usec unset or not a positive number, or pid set and not
 * self's.
 */
uint64_t notify_watchdog_parse(const char *usec, const char *pid,
	    pid_t self);

/*
 * The watchdog interval systemd set for this process, as
 * notify_watchdog_parse() reads it, or 0 when $NOTIFY_SOCKET is not set
 * either.  Removes WATCHDOG_USEC and WATCHDOG_PID from the environment,
 * as sd_watchdog_enabled(3) can, so that commands do not take them for
 * theirs.
 */
uint64_t notify_watchdog(void);

#endif
