/*
 * stamp.c: the command the benchmark runs.  stamp OUT [ARG...] appends one
 * line "<CLOCK_MONOTONIC ns> <number of ARGs> <$WATCHRUN_COUNT or ->" to
 * OUT, with a single write(2) so that concurrent runs do not interleave.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct timespec ts;
	char line[128];
	const char *count;
	int fd, n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (argc < 2)
		return 2;
	if ((count = getenv("WATCHRUN_COUNT")) == NULL)
		count = "-";
	n = snprintf(line, sizeof(line), "%lld %d %s\n",
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, argc - 2, count);
	if ((fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0644)) == -1)
		return 1;
	if (write(fd, line, (size_t)n) != n)
		return 1;
	close(fd);
	return 0;
}
