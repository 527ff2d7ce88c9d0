/*
 * notify.c: one datagram to $NOTIFY_SOCKET.  A leading '@' names a socket
 * in the abstract namespace, as systemd does.  Also reads the watchdog's
 * interval from $WATCHDOG_USEC.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"

int
notify_send(const char *state)
{
	struct sockaddr_un sun;
	const char *path;
	socklen_t len;
	size_t plen;
	ssize_t n;
	int fd, saved;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL || path[0] == '\0')
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') ||
	    plen >= sizeof(sun.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, plen);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	n = sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len);
	saved = errno;
	close(fd);
	errno = saved;
	return n == -1 ? -1 : 0;
}

int
notify_wanted(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	return path != NULL && path[0] != '\0';
}

uint64_t
notify_watchdog_parse(const char *usec, const char *pid, pid_t self)
{
	const char *errstr;
	long long us, p;

	if (usec == NULL)
		return 0;
	us = strtonum(usec, 1, LLONG_MAX, &errstr);
	if (errstr != NULL)
		return 0;
	if (pid != NULL) {
		p = strtonum(pid, 1, INT_MAX, &errstr);
		if (errstr != NULL || p != (long long)self)
			return 0;
	}
	return (uint64_t)us;
}

uint64_t
notify_watchdog(void)
{
	uint64_t us;

	us = notify_watchdog_parse(getenv("WATCHDOG_USEC"),
	    getenv("WATCHDOG_PID"), getpid());
	(void)unsetenv("WATCHDOG_USEC");
	(void)unsetenv("WATCHDOG_PID");
	return notify_wanted() ? us : 0;
}
