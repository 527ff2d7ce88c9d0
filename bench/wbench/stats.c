/*
 * stats.c: the statistics of the report: median, p90 (nearest rank), min
 * and max of a sample, and the median of paired ratios.
 */
#include <sys/types.h>

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wbench.h"

static int
dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The statistics of v[0..n); all zero when n is 0. */
struct stats
stats_of(const double *v, size_t n)
{
	struct stats s;
	double *c;

	memset(&s, 0, sizeof(s));
	s.n = n;
	if (n == 0)
		return s;
	c = xcalloc(n, sizeof(*c));
	memcpy(c, v, n * sizeof(*c));
	qsort(c, n, sizeof(*c), dcmp);
	s.med = n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
	s.p90 = c[(9 * n + 9) / 10 - 1];
	s.min = c[0];
	s.max = c[n - 1];
	free(c);
	return s;
}

/* Median of b[k] / a[k] over the n pairs, n at most MAXREPS. */
double
pair_ratio(const double *a, const double *b, int n)
{
	double r[MAXREPS];
	int k;

	for (k = 0; k < n; k++)
		r[k] = a[k] > 0 ? b[k] / a[k] : 0;
	return stats_of(r, (size_t)n).med;
}
