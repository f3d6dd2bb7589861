/* What the benchmark programs share: a repeatable pseudo-random sequence
 * (the same data on every machine) and a monotonic clock in seconds. */
#ifndef TERN_BENCH_UTIL_H
#define TERN_BENCH_UTIL_H

#include <stdint.h>
#include <time.h>

static uint64_t bench_seed = 1;

static inline unsigned
bench_rand(unsigned n)
{
	bench_seed = bench_seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((bench_seed >> 33) % n);
}

static inline double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
