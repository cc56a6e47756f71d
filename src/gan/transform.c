/*
** transform.c: the data transformer (transform.h): fitting each column
** (a mixture, or the categories), the layout of an encoded row, and encoding
** and decoding rows.
*/
#define _POSIX_C_SOURCE 200809L /* strdup under strict C17 */
#include "gan/transform.h"

#include <math.h>   /* log, exp, sqrt, isnan */
#include <stdlib.h> /* malloc, calloc, free, qsort */
#include <string.h> /* memset, strdup */

#include "cohort/cohort_steady.h" /* tw_cohort_team */
#include "core/philox.h"          /* tw_philox_block, TW_RNG_GAN_SAMPLE */


/* ---- fitting ---- */

/* The values of a continuous column that are present, in the fitting space. */
static tw_status fit_values(const double *x, int64_t n, tw_gan_colx *c, double **out, int64_t *n_out) {
  double *v = malloc((size_t)(n ? n : 1) * sizeof *v);
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "out of memory: a column of %lld rows", (long long)n);
  int64_t m = 0;
  c->log_space = 1;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(x[i])) continue;
    v[m++] = x[i];
    if (!(x[i] > 0.0) || isinf(x[i])) c->log_space = 0;
  }
  c->has_missing = m < n;
  c->log_space = c->log_space && m > 0;
  c->lo = -INFINITY, c->hi = INFINITY;
  for (int64_t i = 0; i < m; ++i) {
    c->lo = i ? fmin(c->lo, v[i]) : v[i];
    c->hi = i ? fmax(c->hi, v[i]) : v[i];
  }
  for (int64_t i = 0; c->log_space && i < m; ++i) v[i] = log(v[i]);
  *out = v, *n_out = m;
  return TW_OK;
}

/* A column with fewer than 2 values present: one component at its value (or
** 0), variance 1, so that it decodes to that value. */
static void trivial_mixture(const double *v, int64_t m, tw_vgm *g) {
  memset(g, 0, sizeof *g);
  g->k = 1;
  g->a[0] = 1.0 + (double)m, g->b[0] = 1e-3, g->beta[0] = 1.0 + (double)m, g->nu[0] = 1.0 + (double)m;
  g->mean[0] = m ? v[0] : 0.0;
  g->var[0] = 1.0;
  g->converged = 1;
  tw_vgm_finish(g);
}

static void keep_components(tw_gan_colx *c) {
  c->n_kept = 0;
  for (int j = 0; j < c->vgm.k; ++j)
    if (c->vgm.weight[j] > TW_GAN_KEEP_WEIGHT) c->kept[c->n_kept++] = j;
}

/* The mixture of the m values v (in the fitting space), and the components kept. */
static tw_status fit_mixture(const double *v, int64_t m, tw_gan_colx *c) {
  tw_status st = TW_OK;
  if (m < 2) {
    trivial_mixture(v, m, &c->vgm);
  } else {
    tw_vgm_options opt = TW_VGM_DEFAULTS;
    int32_t *label = malloc((size_t)m * sizeof *label);
    st = label ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "out of memory: k-means of %lld values", (long long)m);
    if (st == TW_OK) st = tw_vgm_kmeans(v, m, m < opt.n_components ? (int)m : opt.n_components, label);
    if (st == TW_OK) st = tw_vgm_fit(v, m, label, &opt, &c->vgm, NULL);
    free(label);
  }
  if (st == TW_OK) keep_components(c);
  return st;
}

static tw_status fit_continuous(const double *x, int64_t n, tw_gan_colx *c) {
  double *v = NULL;
  int64_t m = 0;
  TW_TRY(fit_values(x, n, c, &v, &m));
  tw_status st = fit_mixture(v, m, c);
  free(v);
  return st;
}

static int cmp_double(const void *pa, const void *pb) {
  double a = *(const double *)pa, b = *(const double *)pb;
  return (a > b) - (a < b);
}

static tw_status fit_discrete(const double *x, int64_t n, tw_gan_colx *c) {
  double *s = malloc((size_t)n * sizeof *s);
  if (!s) return TW_FAIL(TW_ERR_NOMEM, "out of memory: a column of %lld rows", (long long)n);
  memcpy(s, x, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!i || s[i] != s[i - 1]) s[k++] = s[i];
  c->n_cats = k;
  c->cats = realloc(s, (size_t)k * sizeof *s);
  c->counts = calloc((size_t)k, sizeof *c->counts);
  if (!c->cats || !c->counts) return TW_FAIL(TW_ERR_NOMEM, "out of memory: categories");
  for (int64_t i = 0; i < n; ++i) ++c->counts[tw_gan_category_index(c, x[i])];
  return TW_OK;
}

int64_t tw_gan_category_index(const tw_gan_colx *c, double v) {
  int64_t lo = 0, hi = c->n_cats - 1;
  while (lo <= hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (c->cats[mid] == v) return mid;
    if (c->cats[mid] < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

static tw_status fit_column(const tw_gan_table *t, int j, tw_gan_colx *c) {
  c->kind = t->schema->cols[j].kind;
  const double *x = tw_gan_col(t, j);
  return c->kind == TW_GAN_CONTINUOUS ? fit_continuous(x, t->n_rows, c) : fit_discrete(x, t->n_rows, c);
}

/* ---- the layout ---- */

static int span_widths(const tw_gan_colx *c, int *w0) {
  if (c->kind == TW_GAN_DISCRETE) return *w0 = (int)c->n_cats, 1;
  *w0 = 1;
  return 2;
}

tw_status tw_gan_layout_build(tw_gan_transformer *tr) {
  tw_gan_layout *l = &tr->layout;
  int n = tr->schema.n_cols;
  l->spans = calloc((size_t)(2 * n), sizeof *l->spans);
  l->cond_span = calloc((size_t)n + 1, sizeof *l->cond_span);
  if (!l->spans || !l->cond_span) return TW_FAIL(TW_ERR_NOMEM, "out of memory: the layout");
  for (int j = 0; j < n; ++j) {
    const tw_gan_colx *c = &tr->cols[j];
    const int role = tw_gan_combo_role(&tr->combo, j);
    if (role == 2) continue; /* a combination's member: its values come with the first member's tuple */
    if (role == 1) { /* the tuples: a condition span as a discrete column's */
      const int w = (int)tr->combo.n;
      l->cond_span[l->n_cond_spans++] = l->n_spans;
      l->cond_width += w;
      l->spans[l->n_spans++] = (tw_gan_span){TW_GAN_SPAN_SOFTMAX, l->width, w, j};
      l->width += w;
      continue;
    }
    int w0, n_sp = span_widths(c, &w0);
    if (n_sp == 1) {
      l->cond_span[l->n_cond_spans++] = l->n_spans;
      l->cond_width += w0;
      l->spans[l->n_spans++] = (tw_gan_span){TW_GAN_SPAN_SOFTMAX, l->width, w0, j};
      l->width += w0;
      continue;
    }
    l->spans[l->n_spans++] = (tw_gan_span){TW_GAN_SPAN_TANH, l->width, 1, j};
    l->width += 1;
    int w1 = c->n_kept + c->has_missing;
    l->spans[l->n_spans++] = (tw_gan_span){TW_GAN_SPAN_SOFTMAX, l->width, w1, j};
    l->width += w1;
  }
  return TW_OK;
}

int tw_gan_column_span(const tw_gan_transformer *tr, int j) {
  for (int s = 0; s < tr->layout.n_spans; ++s)
    if (tr->layout.spans[s].column == j) return s;
  return -1;
}

/* ---- the schema copy ---- */

static tw_status copy_schema(const tw_gan_schema *s, tw_gan_schema *d) {
  d->n_cols = s->n_cols;
  if (!(d->cols = calloc((size_t)s->n_cols, sizeof *d->cols))) return TW_FAIL(TW_ERR_NOMEM, "schema copy");
  for (int j = 0; j < s->n_cols; ++j) {
    const tw_gan_column *a = &s->cols[j];
    tw_gan_column *b = &d->cols[j];
    *b = (tw_gan_column){.kind = a->kind, .strings = a->strings};
    if (!(b->name = strdup(a->name)) || !(b->dataset = strdup(a->dataset))) return TW_FAIL(TW_ERR_NOMEM, "schema copy");
    if (a->n_labels && !(b->labels = calloc((size_t)a->n_labels, sizeof *b->labels)))
      return TW_FAIL(TW_ERR_NOMEM, "schema copy");
    b->cap_labels = a->n_labels;
    for (; b->n_labels < a->n_labels; ++b->n_labels)
      if (!(b->labels[b->n_labels] = strdup(a->labels[b->n_labels]))) return TW_FAIL(TW_ERR_NOMEM, "schema copy");
  }
  return TW_OK;
}

/* fn(ctx, j) for every column j of n on `threads` threads; a failed column
** is run again on this thread, so that its message is recorded where the
** caller reads it (fn must be safe to run again on a column it failed). */
typedef tw_status (*column_fn)(void *ctx, int j);

static tw_status for_columns(const tw_gan_schema *schema, int threads, column_fn fn, void *ctx, const char *what) {
  int n = schema->n_cols, failed = -1;
#pragma omp parallel for schedule(dynamic, 1) num_threads(tw_cohort_team(threads))
  for (int j = 0; j < n; ++j) {
    if (fn(ctx, j) != TW_OK) {
#pragma omp critical(tw_gan_column_failed)
      if (failed < 0 || j < failed) failed = j;
    }
  }
  if (failed < 0) return TW_OK;
  tw_error_clear();
  tw_status st = fn(ctx, failed);
  return st != TW_OK ? st : TW_FAIL(TW_ERR_INTERNAL, "column %s failed to %s on a worker thread only",
                                    schema->cols[failed].name, what);
}

typedef struct fit_ctx {
  const tw_gan_table *t;
  tw_gan_colx *cols;
} fit_ctx;

static tw_status fit_one(void *ctx, int j) {
  fit_ctx *f = ctx;
  tw_gan_colx *c = &f->cols[j];
  free(c->cats), free(c->counts);
  memset(c, 0, sizeof *c);
  return fit_column(f->t, j, c);
}

static tw_status fit_columns(const tw_gan_table *t, int threads, tw_gan_colx *cols) {
  fit_ctx f = {t, cols};
  return for_columns(t->schema, threads, fit_one, &f, "fit");
}

tw_status tw_gan_transformer_fit(const tw_gan_table *t, int threads, tw_gan_transformer *out) {
  memset(out, 0, sizeof *out);
  if (t->n_rows < 2)
    return TW_FAIL(TW_ERR_INPUT, "the data transformer needs at least 2 rows, the table has %lld", (long long)t->n_rows);
  tw_status st = copy_schema(t->schema, &out->schema);
  out->n_rows = t->n_rows;
  if (st == TW_OK && !(out->cols = calloc((size_t)t->schema->n_cols, sizeof *out->cols)))
    st = TW_FAIL(TW_ERR_NOMEM, "out of memory: the transformer");
  if (st == TW_OK) st = fit_columns(t, threads, out->cols);
  if (st == TW_OK) st = tw_gan_layout_build(out);
  if (st != TW_OK) tw_gan_transformer_free(out);
  return st;
}

/* ---- shifts by the combination's tuples ---- */

/* Continuous column j's values in the fitting space less their tuple's mean,
** its mixture refitted to them, when the tuples explain at least
** TW_GAN_SHIFT_R2 of its variance (transform.h). tuple: (rows) each row's. */
static tw_status shift_column(tw_gan_colx *c, const tw_gan_combo *cb, const double *x, int64_t n,
                              const int64_t *tuple) {
  if (c->kind != TW_GAN_CONTINUOUS || c->has_missing) return TW_OK;
  double *y = malloc((size_t)n * sizeof *y), *mean = calloc((size_t)cb->n + 1, sizeof *mean);
  if (!y || !mean) return free(y), free(mean), TW_FAIL(TW_ERR_NOMEM, "out of memory: a shifted column");
  for (int64_t i = 0; i < n; ++i) {
    y[i] = c->log_space ? log(x[i]) : x[i];
    mean[tuple[i]] += y[i], mean[cb->n] += y[i];
  }
  for (int64_t k = 0; k < cb->n; ++k) mean[k] /= (double)cb->counts[k];
  mean[cb->n] /= (double)n;
  double total = 0.0, within = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    total += (y[i] - mean[cb->n]) * (y[i] - mean[cb->n]);
    within += (y[i] - mean[tuple[i]]) * (y[i] - mean[tuple[i]]);
  }
  tw_status st = TW_OK;
  if (total > 0.0 && within <= (1.0 - TW_GAN_SHIFT_R2) * total) {
    for (int64_t i = 0; i < n; ++i) y[i] -= mean[tuple[i]];
    st = fit_mixture(y, n, c);
    if (st == TW_OK) c->shift = mean, mean = NULL;
  }
  free(y), free(mean);
  return st;
}

typedef struct shift_ctx {
  tw_gan_transformer *tr;
  const tw_gan_table *t;
  const int64_t *tuple;
} shift_ctx;

static tw_status shift_one(void *ctx, int j) {
  shift_ctx *s = ctx;
  if (tw_gan_combo_role(&s->tr->combo, j)) return TW_OK;
  return shift_column(&s->tr->cols[j], &s->tr->combo, tw_gan_col(s->t, j), s->t->n_rows, s->tuple);
}

static tw_status shift_columns(tw_gan_transformer *tr, const tw_gan_table *t, int threads) {
  int64_t *tuple = malloc((size_t)t->n_rows * sizeof *tuple + 1);
  if (!tuple) return TW_FAIL(TW_ERR_NOMEM, "out of memory: the rows' tuples");
  for (int64_t i = 0; i < t->n_rows; ++i) tuple[i] = tw_gan_combo_row(&tr->combo, t, i);
  shift_ctx s = {tr, t, tuple};
  tw_status st = for_columns(&tr->schema, threads, shift_one, &s, "shift");
  free(tuple);
  return st;
}

/* Column c's shift for tuple k (-1: none decoded or seen; a tuple not seen takes the mean of every row). */
static double column_shift(const tw_gan_colx *c, const tw_gan_combo *cb, int64_t k) {
  return c->shift ? c->shift[k >= 0 ? k : cb->n] : 0.0;
}

int tw_gan_shifted_columns(const tw_gan_transformer *tr) {
  int m = 0;
  for (int j = 0; j < tr->schema.n_cols; ++j) m += tr->cols[j].shift != NULL;
  return m;
}

tw_status tw_gan_transformer_combine(tw_gan_transformer *tr, const tw_gan_table *t, int threads) {
  const int64_t max = TW_MIN(TW_GAN_COMBO_MAX, t->n_rows / TW_GAN_COMBO_ROWS);
  tw_gan_combo_free(&tr->combo);
  TW_TRY(tw_gan_combo_find(t, max, &tr->combo));
  if (!tr->combo.n_cols) return TW_OK;
  TW_TRY(shift_columns(tr, t, threads));
  free(tr->layout.spans), free(tr->layout.cond_span);
  memset(&tr->layout, 0, sizeof tr->layout);
  return tw_gan_layout_build(tr);
}

void tw_gan_transformer_free(tw_gan_transformer *tr) {
  tw_gan_combo_free(&tr->combo);
  for (int j = 0; tr->cols && j < tr->schema.n_cols; ++j) free(tr->cols[j].cats), free(tr->cols[j].counts), free(tr->cols[j].shift);
  for (int j = 0; tr->units && j < tr->schema.n_cols; ++j) free(tr->units[j]);
  free(tr->cols), free(tr->units), free(tr->pack);
  free(tr->layout.spans), free(tr->layout.cond_span);
  tw_gan_schema_free(&tr->schema);
  memset(tr, 0, sizeof *tr);
}

/* ---- encoding ---- */

/* The kept component (index into c->kept) for value y, drawn from the
** posterior over the kept components with uniform u in (0, 1). */
static int draw_component(const tw_gan_colx *c, double y, double u) {
  double prob[TW_VGM_MAX_COMPONENTS], total = 0.0;
  tw_vgm_posterior(&c->vgm, y, prob);
  for (int q = 0; q < c->n_kept; ++q) total += prob[c->kept[q]];
  if (!(total > 0.0)) { /* every kept component's posterior underflowed: the nearest in sigmas */
    int best = 0;
    for (int q = 1; q < c->n_kept; ++q)
      if (fabs(y - c->vgm.mean[c->kept[q]]) * c->vgm.prec_chol[c->kept[q]] <
          fabs(y - c->vgm.mean[c->kept[best]]) * c->vgm.prec_chol[c->kept[best]])
        best = q;
    return best;
  }
  double target = u * total, cum = 0.0;
  for (int q = 0; q < c->n_kept; ++q)
    if ((cum += prob[c->kept[q]]) >= target) return q;
  return c->n_kept - 1;
}

static void encode_continuous(const tw_gan_colx *c, double x, double shift, double u, float *out) {
  int w = c->n_kept + c->has_missing;
  for (int q = 0; q <= w; ++q) out[q] = 0.0f;
  if (isnan(x)) { /* only columns fitted with a missing value have the entry; others take the first component */
    out[1 + (c->has_missing ? c->n_kept : 0)] = 1.0f;
    return;
  }
  double y = (c->log_space ? log(x) : x) - shift;
  int q = draw_component(c, y, u), k = c->kept[q];
  double alpha = (y - c->vgm.mean[k]) / (TW_GAN_STD_MULTIPLIER * sqrt(c->vgm.var[k]));
  out[0] = (float)fmin(fmax(alpha, -TW_GAN_ALPHA_CLIP), TW_GAN_ALPHA_CLIP);
  out[1 + q] = 1.0f;
}

/* A category the transformer has not seen (a table other than the fitted
** one) encodes as all zeros. */
static void encode_discrete(const tw_gan_colx *c, double x, float *out) {
  for (int64_t q = 0; q < c->n_cats; ++q) out[q] = 0.0f;
  int64_t q = tw_gan_category_index(c, x);
  if (q >= 0) out[q] = 1.0f;
}

static void encode_row(const tw_gan_transformer *tr, const tw_gan_table *t, uint64_t seed, int64_t i, float *out) {
  const int64_t k = tr->combo.n_cols ? tw_gan_combo_row(&tr->combo, t, i) : -1;
  for (int s = 0; s < tr->layout.n_spans; ++s) {
    const tw_gan_span *sp = &tr->layout.spans[s];
    const tw_gan_colx *c = &tr->cols[sp->column];
    double x = tw_gan_col(t, sp->column)[i];
    if (tw_gan_combo_role(&tr->combo, sp->column)) { /* a tuple not seen encodes as all zeros */
      for (int q = 0; q < sp->width; ++q) out[sp->start + q] = 0.0f;
      if (k >= 0) out[sp->start + k] = 1.0f;
      continue;
    }
    if (c->kind == TW_GAN_DISCRETE) {
      encode_discrete(c, x, out + sp->start);
      continue;
    }
    uint32_t r[4];
    tw_philox_block(seed, (uint64_t)i, TW_RNG_GAN_SAMPLE, (uint32_t)sp->column, r);
    encode_continuous(c, x, column_shift(c, &tr->combo, k), tw_u01_f64(r[0], r[1]), out + sp->start);
    ++s; /* the component span was written with the tanh one */
  }
}

tw_status tw_gan_encode(const tw_gan_transformer *tr, const tw_gan_table *t, uint64_t seed, int64_t row0, int64_t n,
                        float *out) {
  if (t->schema->n_cols != tr->schema.n_cols || row0 < 0 || row0 + n > t->n_rows)
    return TW_FAIL(TW_ERR_INTERNAL, "encode: rows [%lld, %lld) of a table of %lld rows and %d columns (transformer: %d)",
                   (long long)row0, (long long)(row0 + n), (long long)t->n_rows, t->schema->n_cols, tr->schema.n_cols);
  const int64_t w = tr->layout.width;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) encode_row(tr, t, seed, row0 + i, out + i * w);
  return TW_OK;
}

/* ---- decoding ---- */

static double decode_continuous(const tw_gan_colx *c, double shift, const float *in) {
  int64_t q = tw_gan_argmax(in + 1, c->n_kept + c->has_missing);
  if (q == c->n_kept) return NAN; /* the missing entry */
  int k = c->kept[q];
  double alpha = fmin(fmax((double)in[0], -1.0), 1.0);
  double y = alpha * TW_GAN_STD_MULTIPLIER * sqrt(c->vgm.var[k]) + c->vgm.mean[k] + shift;
  return fmin(fmax(c->log_space ? exp(y) : y, c->lo), c->hi);
}

/* Every member of the combination at tuple k, into row i of out. */
static void decode_combo(const tw_gan_combo *c, int64_t k, tw_gan_table *out, int64_t i) {
  for (int q = 0; q < c->n_cols; ++q) out->data[(size_t)c->cols[q] * (size_t)out->n_rows + (size_t)i] = c->values[k * c->n_cols + q];
}

void tw_gan_decode(const tw_gan_transformer *tr, const float *rows, int64_t n, tw_gan_table *out, int64_t row0) {
  const int64_t w = tr->layout.width;
  const int combo_span = tr->combo.n_cols ? tw_gan_column_span(tr, tr->combo.cols[0]) : -1;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    const float *in = rows + i * w;
    const int64_t k = combo_span >= 0 ? tw_gan_argmax(in + tr->layout.spans[combo_span].start, tr->combo.n) : -1;
    for (int s = 0; s < tr->layout.n_spans; ++s) {
      const tw_gan_span *sp = &tr->layout.spans[s];
      const tw_gan_colx *c = &tr->cols[sp->column];
      double *cell = out->data + (size_t)sp->column * (size_t)out->n_rows + (size_t)(row0 + i);
      if (tw_gan_combo_role(&tr->combo, sp->column)) {
        decode_combo(&tr->combo, k, out, row0 + i);
        continue;
      }
      if (c->kind == TW_GAN_DISCRETE) {
        *cell = c->cats[tw_gan_argmax(in + sp->start, sp->width)];
        continue;
      }
      *cell = decode_continuous(c, column_shift(c, &tr->combo, k), in + sp->start);
      ++s;
    }
  }
}
