/*
** metrics_columns.c: SDMetrics' single-column metrics (metrics.h):
** KSComplement and TVComplement (the QualityReport's Column Shapes),
** BoundaryAdherence and CategoryAdherence (the DiagnosticReport's Data
** Validity), each following sdmetrics 0.32.0's single_column/statistical/.
*/
#include <math.h>   /* isnan, rint, fabs, NAN */
#include <stdlib.h> /* malloc, free, qsort */

#include "gan/metrics.h"
#include "gan/metrics_internal.h"

/* The non-missing values of x, sorted, into a malloc'd array (*out, *n). */
tw_status tw_gan_sorted_present(const double *x, int64_t nx, double **out, int64_t *n) {
  double *v = malloc((size_t)(nx ? nx : 1) * sizeof *v);
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "out of memory: %lld values", (long long)nx);
  int64_t k = 0;
  for (int64_t i = 0; i < nx; ++i)
    if (!isnan(x[i])) v[k++] = x[i];
  qsort(v, (size_t)k, sizeof *v, tw_gan_cmp_double);
  *out = v;
  *n = k;
  return TW_OK;
}

int tw_gan_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* pandas' Series.round(14): numpy's x * 10^14, rint, / 10^14. */
static void round14(double *v, int64_t n) {
  const double f = 1e14;
  for (int64_t i = 0; i < n; ++i) v[i] = rint(v[i] * f) / f;
}

/* scipy.stats.ks_2samp's D on sorted a (na) and b (nb): max over the pooled
** values v of |#{a <= v}/na - #{b <= v}/nb|. */
static double ks_d(const double *a, int64_t na, const double *b, int64_t nb) {
  int64_t i = 0, j = 0;
  double d = 0;
  while (i < na || j < nb) {
    double v = j == nb || (i < na && a[i] <= b[j]) ? a[i] : b[j];
    while (i < na && a[i] <= v) ++i;
    while (j < nb && b[j] <= v) ++j;
    double diff = fabs((double)i / (double)na - (double)j / (double)nb);
    if (diff > d) d = diff;
  }
  return d;
}

tw_status tw_gan_ks_complement(const double *real, int64_t nr, const double *syn, int64_t ns, double *out) {
  double *a = NULL, *b = NULL;
  int64_t na = 0, nb = 0;
  TW_TRY(tw_gan_sorted_present(real, nr, &a, &na));
  tw_status st = tw_gan_sorted_present(syn, ns, &b, &nb);
  if (st != TW_OK) return free(a), st;
  round14(a, na); /* rounding keeps the order */
  round14(b, nb);
  *out = na && nb ? 1.0 - ks_d(a, na, b, nb) : NAN;
  free(a);
  free(b);
  return TW_OK;
}

/* Distinct values of sorted v (n): writes them to u and their counts to c; returns how many. */
int64_t tw_gan_distinct(const double *v, int64_t n, double *u, int64_t *c) {
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (k && v[i] == u[k - 1]) {
      ++c[k - 1];
    } else {
      u[k] = v[i];
      c[k++] = 1;
    }
  }
  return k;
}

/* TV distance of the sorted category lists a and b as get_frequencies forms it. */
static double tv_sorted(const double *a, int64_t na, const double *b, int64_t nb, double *u, int64_t *c) {
  int64_t ka = tw_gan_distinct(a, na, u, c);
  double *ub = u + na;
  int64_t *cb = c + na;
  int64_t kb = tw_gan_distinct(b, nb, ub, cb);
  double real_total = (double)na; /* plus 1e-6 for each synthetic-only category */
  for (int64_t i = 0, j = 0; j < kb; ++j) {
    while (i < ka && u[i] < ub[j]) ++i;
    if (i == ka || u[i] != ub[j]) real_total += 1e-6;
  }
  double tv = 0;
  int64_t i = 0, j = 0;
  while (i < ka || j < kb) {
    int in_a = i < ka && (j == kb || u[i] <= ub[j]);
    int in_b = j < kb && (i == ka || ub[j] <= u[i]);
    double f_real = in_a ? (double)c[i] / real_total : 1e-6 / real_total;
    double f_syn = in_b ? (double)cb[j] / (double)nb : 0.0;
    tv += fabs(f_syn - f_real);
    i += in_a;
    j += in_b;
  }
  return tv;
}

tw_status tw_gan_tv_complement(const double *real, int64_t nr, const double *syn, int64_t ns, double *out) {
  double *a = NULL, *b = NULL, *u = NULL;
  int64_t na = 0, nb = 0, *c = NULL;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, tw_gan_sorted_present(real, nr, &a, &na), done);
  TW_TRY_GOTO(st, tw_gan_sorted_present(syn, ns, &b, &nb), done);
  u = malloc((size_t)(na + nb + 1) * sizeof *u);
  c = malloc((size_t)(na + nb + 1) * sizeof *c);
  if (!u || !c) {
    st = TW_FAIL(TW_ERR_NOMEM, "out of memory: TVComplement of %lld values", (long long)(na + nb));
    goto done;
  }
  *out = na && nb ? 1.0 - 0.5 * tv_sorted(a, na, b, nb, u, c) : NAN;
done:
  free(a), free(b), free(u), free(c);
  return st;
}

double tw_gan_boundary_adherence(const double *real, int64_t nr, const double *syn, int64_t ns) {
  double lo = NAN, hi = NAN;
  int real_missing = 0;
  for (int64_t i = 0; i < nr; ++i) {
    if (isnan(real[i])) {
      real_missing = 1;
    } else {
      if (isnan(lo) || real[i] < lo) lo = real[i];
      if (isnan(hi) || real[i] > hi) hi = real[i];
    }
  }
  int64_t valid = 0, counted = 0;
  for (int64_t i = 0; i < ns; ++i) {
    if (isnan(syn[i]) && real_missing) continue;
    ++counted;
    valid += syn[i] >= lo && syn[i] <= hi;
  }
  return counted ? (double)valid / (double)counted : NAN;
}

int64_t tw_gan_lower_bound(const double *u, int64_t k, double x) {
  int64_t lo = 0, hi = k;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (u[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* True when sorted u (k) holds x. */
static int holds(const double *u, int64_t k, double x) {
  int64_t at = tw_gan_lower_bound(u, k, x);
  return at < k && u[at] == x;
}

tw_status tw_gan_category_adherence(const double *real, int64_t nr, const double *syn, int64_t ns, double *out) {
  double *a = NULL;
  int64_t na = 0;
  TW_TRY(tw_gan_sorted_present(real, nr, &a, &na));
  int real_missing = na < nr;
  int64_t valid = 0;
  for (int64_t i = 0; i < ns; ++i) valid += isnan(syn[i]) ? real_missing : holds(a, na, syn[i]);
  free(a);
  *out = ns ? (double)valid / (double)ns : NAN;
  return TW_OK;
}
