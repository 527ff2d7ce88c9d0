/*
 * cmdcheck.c: finds the program of a command given as argv as execvp(3)
 * would, without running it, so that main can refuse a command that
 * cannot run before watchrun says it is ready.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdcheck.h"
#include "xmalloc.h"

/* Whether path is a regular file we may execute; -1 and errno if not. */
static int
executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return -1;
	/* execve(2) refuses anything but a regular file with EACCES. */
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return -1;
	}
	/* With the effective ids, as execve(2) judges. */
	return faccessat(AT_FDCWD, path, X_OK, AT_EACCESS);
}

int
cmdcheck_find(const char *file)
{
	const char *path, *p, *end;
	char *buf, *cspath = NULL;
	size_t flen, dlen, n;
	int denied = 0, found = 0;

	if (*file == '\0') {
		errno = ENOENT;
		return -1;
	}
	if (strchr(file, '/') != NULL)
		return executable(file);
	if ((path = getenv("PATH")) == NULL) {
		/* execvp(3)'s default when PATH is unset. */
		n = confstr(_CS_PATH, NULL, 0);
		cspath = xcalloc(n + 1, 1);
		if (n > 0)
			(void)confstr(_CS_PATH, cspath, n);
		path = cspath;
	}
	flen = strlen(file);
	buf = xmalloc(strlen(path) + flen + 2);
	for (p = path;; p = end + 1) {
		end = strchrnul(p, ':');
		dlen = (size_t)(end - p);
		/* An empty element is the current directory. */
		if (dlen > 0) {
			memcpy(buf, p, dlen);
			buf[dlen++] = '/';
		}
		memcpy(buf + dlen, file, flen + 1);
		if (executable(buf) == 0) {
			found = 1;
			break;
		}
		/* execvp(3) goes on past EACCES, but says it in the end. */
		if (errno == EACCES)
			denied = 1;
		if (*end == '\0')
			break;
	}
	free(buf);
	free(cspath);
	if (found)
		return 0;
	errno = denied ? EACCES : ENOENT;
	return -1;
}
