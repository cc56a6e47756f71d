/*
** stats_rank.c: average ranks with ties, as scipy.stats.rankdata(method="average"),
** and the tie term sum(t^3 - t) the rank tests' variances subtract.
**
** Why one place: the Wilcoxon signed-rank and Mann-Whitney tests rank the same
** way, and both corrections count the same tie groups.
*/
#include <stdlib.h>

#include "trial/stats.h"
#include "trial/stats_internal.h"

typedef struct ranked {
  double v;
  size_t i;
} ranked;

static int cmp_ranked(const void *a, const void *b) {
  const ranked *x = a, *y = b;
  if (x->v != y->v) return (x->v > y->v) - (x->v < y->v);
  return (x->i > y->i) - (x->i < y->i); /* a total order: qsort is not stable */
}

tw_status tw_stat_rank(const double *v, size_t n, double *rank, double *tie_term) {
  ranked *r = malloc((n ? n : 1) * sizeof *r);
  if (!r) return TW_FAIL(TW_ERR_NOMEM, "rank: cannot allocate %zu entries", n);
  for (size_t i = 0; i < n; i++) r[i] = (ranked){v[i], i};
  qsort(r, n, sizeof *r, cmp_ranked);
  double ties = 0;
  for (size_t lo = 0; lo < n;) {
    size_t hi = lo + 1;
    while (hi < n && r[hi].v == r[lo].v) hi++;
    const double avg = 0.5 * (double)(lo + 1 + hi); /* mean of ranks lo+1 .. hi */
    for (size_t k = lo; k < hi; k++) rank[r[k].i] = avg;
    const double t = (double)(hi - lo);
    ties += t * t * t - t;
    lo = hi;
  }
  free(r);
  *tie_term = ties;
  return TW_OK;
}
