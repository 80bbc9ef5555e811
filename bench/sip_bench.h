/*! \file sip_bench.h
 * What the SIP benchmarks share: CPU time of the process and the sort for the median of the runs. */
#pragma once

#include <time.h>

/* CPU time of this process: the figures are per CPU-second on one core, unaffected by other jobs that share the
 * machine (they still share its caches). */
static inline double bench_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}
