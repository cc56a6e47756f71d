/*
** bench.h: what the `bench` commands share: their OpenMP thread count and the
** median of their timed runs.
*/
#ifndef TW_CLI_BENCH_H
#define TW_CLI_BENCH_H

/* The median of t[0..n) (n >= 1; the mean of the middle two for even n).
** Sorts t in place, so t[0] and t[n - 1] are then the fastest and slowest. */
double tw_bench_median(double *t, int n);

/* Sets OpenMP's thread count to `asked` when it is > 0 (else OMP_NUM_THREADS
** or all cores stay) and returns the count that runs: 1 without OpenMP. */
int tw_bench_threads(int asked);

#endif
