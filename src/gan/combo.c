/*
** combo.c: finding a table's fixed combination and looking rows up in it
** (combo.h).
*/
#include "gan/combo.h"

#include "core/defs.h" /* TW_MAX */

#include <math.h>   /* isnan */
#include <stdlib.h> /* calloc, free, qsort */
#include <string.h> /* memcmp, memcpy, memset */

static int cmp_double(const void *pa, const void *pb) {
  const double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

/* Distinct values of x (n), or max + 1 once there are more than max; -1 with a NaN. */
static int64_t distinct(const double *x, int64_t n, int64_t max, double *work) {
  memcpy(work, x, (size_t)n * sizeof *work);
  qsort(work, (size_t)n, sizeof *work, cmp_double);
  int64_t k = 0;
  for (int64_t i = 0; i < n && k <= max; ++i) {
    if (isnan(work[i])) return -1;
    k += !i || work[i] != work[i - 1];
  }
  return k;
}

/* A row's tuple while sorting: its values and their number. */
typedef struct tuple_ref {
  const double *v;
  int m;
} tuple_ref;

static int cmp_values(const double *a, const double *b, int m) {
  for (int q = 0; q < m; ++q)
    if (a[q] != b[q]) return a[q] < b[q] ? -1 : 1;
  return 0;
}

static int cmp_tuple(const void *pa, const void *pb) {
  const tuple_ref *a = pa, *b = pb;
  return cmp_values(a->v, b->v, a->m);
}

/* Distinct (a, b) pairs of two columns (n rows), using work (2 n). */
static int64_t distinct_pairs(const double *a, const double *b, int64_t n, double *work) {
  tuple_ref *r = (tuple_ref *)(work + 2 * n);
  for (int64_t i = 0; i < n; ++i) work[2 * i] = a[i], work[2 * i + 1] = b[i], r[i] = (tuple_ref){work + 2 * i, 2};
  qsort(r, (size_t)n, sizeof *r, cmp_tuple);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i) k += !i || cmp_values(r[i].v, r[i - 1].v, 2);
  return k;
}

static int find_root(int *parent, int j) {
  while (parent[j] != j) j = parent[j] = parent[parent[j]];
  return j;
}

/* The combination's columns into c->cols: the continuous columns of 2 to max
** distinct values and no missing one, joined when one is a function of the
** other (their distinct pairs no more than the larger of their distinct
** values); the largest such group (the first column decides a tie). */
static tw_status candidates(const tw_gan_table *t, int64_t max, tw_gan_combo *c) {
  const int n = t->schema->n_cols;
  const int64_t rows = t->n_rows;
  double *work = malloc((size_t)rows * (2 * sizeof(double) + sizeof(tuple_ref)) + 1);
  int64_t *d = calloc((size_t)n + 1, sizeof *d);
  int *parent = calloc((size_t)n + 1, sizeof *parent), *size = calloc((size_t)n + 1, sizeof *size);
  c->cols = calloc((size_t)n + 1, sizeof *c->cols);
  tw_status st = work && d && parent && size && c->cols ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "out of memory: combinations");
  for (int j = 0; st == TW_OK && j < n; ++j) {
    parent[j] = j;
    if (t->schema->cols[j].kind == TW_GAN_CONTINUOUS) d[j] = distinct(tw_gan_col(t, j), rows, max, work);
  }
  for (int a = 0; st == TW_OK && a < n; ++a)
    for (int b = a + 1; d[a] >= 2 && d[a] <= max && b < n; ++b)
      if (d[b] >= 2 && d[b] <= max && find_root(parent, a) != find_root(parent, b) &&
          distinct_pairs(tw_gan_col(t, a), tw_gan_col(t, b), rows, work) <= TW_MAX(d[a], d[b]))
        parent[find_root(parent, b)] = find_root(parent, a);
  int best = -1;
  for (int j = 0; st == TW_OK && j < n; ++j)
    if (d[j] >= 2 && d[j] <= max && ++size[find_root(parent, j)] > (best < 0 ? 1 : size[best])) best = find_root(parent, j);
  for (int j = 0; st == TW_OK && best >= 0 && j < n; ++j)
    if (d[j] >= 2 && d[j] <= max && find_root(parent, j) == best) c->cols[c->n_cols++] = j;
  free(work), free(d), free(parent), free(size);
  return st;
}

/* The rows' tuples, sorted and made unique. */
static tw_status tuples(const tw_gan_table *t, tw_gan_combo *c) {
  const int m = c->n_cols;
  const int64_t n = t->n_rows;
  double *v = malloc((size_t)(n * m) * sizeof *v + 1), *u = malloc((size_t)(n * m) * sizeof *u + 1);
  tuple_ref *r = malloc((size_t)n * sizeof *r + 1);
  if (!v || !u || !r) return free(v), free(u), free(r), TW_FAIL(TW_ERR_NOMEM, "out of memory: fixed combinations");
  for (int64_t i = 0; i < n; ++i) {
    for (int q = 0; q < m; ++q) v[i * m + q] = tw_gan_col(t, c->cols[q])[i];
    r[i] = (tuple_ref){v + i * m, m};
  }
  qsort(r, (size_t)n, sizeof *r, cmp_tuple);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!i || cmp_values(r[i].v, u + (k - 1) * m, m)) memcpy(u + (k++) * m, r[i].v, (size_t)m * sizeof *u);
  free(v), free(r);
  c->n = k, c->values = u;
  return TW_OK;
}

int64_t tw_gan_combo_row(const tw_gan_combo *c, const tw_gan_table *t, int64_t i) {
  double key[256];
  const int m = c->n_cols < 256 ? c->n_cols : 256;
  for (int q = 0; q < m; ++q) key[q] = tw_gan_col(t, c->cols[q])[i];
  int64_t lo = 0, hi = c->n - 1;
  while (lo <= hi) {
    const int64_t mid = lo + (hi - lo) / 2;
    const int s = cmp_values(c->values + mid * c->n_cols, key, m);
    if (!s) return mid;
    if (s < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

tw_status tw_gan_combo_find(const tw_gan_table *t, int64_t max_tuples, tw_gan_combo *out) {
  memset(out, 0, sizeof *out);
  tw_status st = candidates(t, max_tuples, out);
  if (st == TW_OK && out->n_cols > 256) out->n_cols = 0; /* tw_gan_combo_row's key: none so wide in a cohort */
  if (st == TW_OK && out->n_cols >= 2) st = tuples(t, out);
  if (st == TW_OK && out->n_cols >= 2 && out->n <= max_tuples) {
    if (!(out->counts = calloc((size_t)out->n, sizeof *out->counts))) st = TW_FAIL(TW_ERR_NOMEM, "combinations");
    for (int64_t i = 0; st == TW_OK && i < t->n_rows; ++i) ++out->counts[tw_gan_combo_row(out, t, i)];
    if (st == TW_OK) return TW_OK;
  }
  tw_gan_combo_free(out);
  return st;
}

int tw_gan_combo_role(const tw_gan_combo *c, int j) {
  for (int q = 0; q < c->n_cols; ++q)
    if (c->cols[q] == j) return q ? 2 : 1;
  return 0;
}

void tw_gan_combo_free(tw_gan_combo *c) {
  free(c->cols), free(c->values), free(c->counts);
  memset(c, 0, sizeof *c);
}
