/*
 * notify.h: the sd_notify(3) datagram protocol, without libsystemd:
 * "READY=1" once watching, "STOPPING=1" on the way out.
 */
#ifndef WATCHRUN_NOTIFY_H
#define WATCHRUN_NOTIFY_H

/*
 * Sends state to the socket named by $NOTIFY_SOCKET, if it is set.
 * Returns 0 (also when it is not set), or -1 with errno set.
 */
int	 notify_send(const char *state);

#endif
