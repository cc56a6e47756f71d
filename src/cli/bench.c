/*
** bench.c: the thread count and the median of a benchmark's timed runs (bench.h).
*/
#include "cli/bench.h"

#include <stdlib.h> /* qsort */
#if defined(_OPENMP)
#include <omp.h> /* omp_set_num_threads, omp_get_max_threads */
#endif

static int compare_doubles(const void *x, const void *y) {
  double a = *(const double *)x, c = *(const double *)y;
  return (a > c) - (a < c);
}

double tw_bench_median(double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, compare_doubles);
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

int tw_bench_threads(int asked) {
#if defined(_OPENMP)
  if (asked > 0) omp_set_num_threads(asked);
  return omp_get_max_threads();
#else
  (void)asked;
  return 1;
#endif
}
