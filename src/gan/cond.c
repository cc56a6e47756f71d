/*
** cond.c: condition vectors (cond.h): the per-column category
** distributions, the training rows grouped by category, the Philox draws,
** and `--condition NAME=VALUE`.
*/
#include "gan/cond.h"

#include <math.h>   /* log */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free, strtod */
#include <string.h> /* strchr, strcmp, strlen */

#include "core/philox.h"

/* ---- setup ---- */

/* A condition span's categories: a discrete column's, or the fixed combination's tuples. */
typedef struct cond_cats {
  int64_t n;
  const int64_t *counts;      /* (n) training rows of each */
  const tw_gan_colx *column;  /* the discrete column, or NULL: the combination */
  const tw_gan_combo *combo;
} cond_cats;

static cond_cats span_cats(const tw_gan_transformer *tr, int j) {
  if (tw_gan_combo_role(&tr->combo, j)) return (cond_cats){tr->combo.n, tr->combo.counts, NULL, &tr->combo};
  return (cond_cats){tr->cols[j].n_cats, tr->cols[j].counts, &tr->cols[j], NULL};
}

/* The category of row i of t. */
static int64_t row_category(const cond_cats *c, const tw_gan_table *t, int j, int64_t i) {
  return c->column ? tw_gan_category_index(c->column, tw_gan_col(t, j)[i]) : tw_gan_combo_row(c->combo, t, i);
}

/* Cumulative probabilities of the categories, weight(count) normalised. */
static void column_cdf(const cond_cats *c, int use_log, double *cdf) {
  double total = 0.0;
  for (int64_t q = 0; q < c->n; ++q) total += use_log ? log((double)c->counts[q] + 1.0) : (double)c->counts[q];
  double cum = 0.0;
  for (int64_t q = 0; q < c->n; ++q) {
    cum += use_log ? log((double)c->counts[q] + 1.0) : (double)c->counts[q];
    cdf[q] = cum / total;
  }
  cdf[c->n - 1] = 1.0;
}

/* Column j's training rows grouped by category (a counting sort, rows ascending within a category). */
static void group_rows(const cond_cats *c, const tw_gan_table *t, int j, int64_t *rows, int64_t *first) {
  first[0] = 0;
  for (int64_t q = 0; q < c->n; ++q) first[q + 1] = first[q] + c->counts[q];
  int64_t *next = first + c->n + 1; /* scratch: the caller gave n + 1 more */
  for (int64_t q = 0; q < c->n; ++q) next[q] = first[q];
  for (int64_t i = 0; i < t->n_rows; ++i) rows[next[row_category(c, t, j, i)]++] = i;
}

static tw_status alloc_sampler(const tw_gan_layout *l, int64_t n_rows, tw_gan_cond_sampler *s) {
  s->n_disc = l->n_cond_spans;
  s->cond_width = l->cond_width;
  s->n_rows = n_rows;
  size_t nd = (size_t)s->n_disc, w = (size_t)l->cond_width;
  s->column = calloc(nd, sizeof *s->column);
  s->offset = calloc(nd, sizeof *s->offset);
  s->n_cats = calloc(nd, sizeof *s->n_cats);
  s->log_cdf = calloc(w, sizeof *s->log_cdf);
  s->freq_cdf = calloc(w, sizeof *s->freq_cdf);
  s->first = calloc(w + nd + w + 1, sizeof *s->first); /* + the scratch of the last column's grouping */
  s->rows = n_rows ? calloc(nd * (size_t)n_rows, sizeof *s->rows) : NULL;
  if (!s->column || !s->offset || !s->n_cats || !s->log_cdf || !s->freq_cdf || !s->first || (n_rows && !s->rows))
    return TW_FAIL(TW_ERR_NOMEM, "out of memory: the condition sampler");
  return TW_OK;
}

tw_status tw_gan_cond_init(const tw_gan_transformer *tr, const tw_gan_table *t, tw_gan_cond_sampler *out) {
  memset(out, 0, sizeof *out);
  const tw_gan_layout *l = &tr->layout;
  if (!l->n_cond_spans)
    return TW_FAIL(TW_ERR_INPUT, "the cohort has no discrete column (an integer or string dataset under "
                                 "/cohort/covariates/, /cohort/parameters/ or /cohort/conditions/): the conditional GAN "
                                 "conditions on one");
  tw_status st = alloc_sampler(l, t ? t->n_rows : 0, out);
  for (int d = 0; st == TW_OK && d < out->n_disc; ++d) {
    const tw_gan_span *sp = &l->spans[l->cond_span[d]];
    const cond_cats c = span_cats(tr, sp->column);
    out->column[d] = sp->column;
    out->offset[d] = d ? out->offset[d - 1] + (int)out->n_cats[d - 1] : 0;
    out->n_cats[d] = c.n;
    column_cdf(&c, 1, out->log_cdf + out->offset[d]);
    column_cdf(&c, 0, out->freq_cdf + out->offset[d]);
    if (t) group_rows(&c, t, sp->column, out->rows + (size_t)d * (size_t)t->n_rows, out->first + out->offset[d] + d);
  }
  if (st != TW_OK) tw_gan_cond_free(out);
  return st;
}

void tw_gan_cond_free(tw_gan_cond_sampler *s) {
  free(s->column), free(s->offset), free(s->n_cats), free(s->log_cdf), free(s->freq_cdf), free(s->first), free(s->rows);
  memset(s, 0, sizeof *s);
}

/* ---- draws ---- */

/* The first q with cdf[q] > u (u in (0, 1), cdf ending at 1). */
static int64_t search_cdf(const double *cdf, int64_t n, double u) {
  int64_t lo = 0, hi = n - 1;
  while (lo < hi) {
    int64_t mid = lo + (hi - lo) / 2;
    if (cdf[mid] > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/* A column and a category of it from one Philox block; writes the one-hot into cond. */
static void draw_condition(const tw_gan_cond_sampler *s, const double *cdf, const uint32_t r[4], float *cond, int *d,
                           int64_t *q) {
  *d = (int)(tw_u01_f64(r[0], r[1]) * s->n_disc);
  if (*d >= s->n_disc) *d = s->n_disc - 1;
  *q = search_cdf(cdf + s->offset[*d], s->n_cats[*d], tw_u01_f64(r[2], r[3]));
  for (int k = 0; k < s->cond_width; ++k) cond[k] = 0.0f;
  cond[s->offset[*d] + *q] = 1.0f;
}

void tw_gan_cond_train(const tw_gan_cond_sampler *s, uint64_t seed, uint64_t step, int64_t batch, float *cond,
                       float *mask, int64_t *row) {
#pragma omp parallel for schedule(static)
  for (int64_t b = 0; b < batch; ++b) {
    uint32_t r[4];
    int d;
    int64_t q;
    tw_philox_block(seed, step, TW_RNG_GAN_TRAIN, (uint32_t)(2 * b), r);
    float *c = cond + b * s->cond_width;
    draw_condition(s, s->log_cdf, r, c, &d, &q);
    tw_philox_block(seed, step, TW_RNG_GAN_TRAIN, (uint32_t)(2 * b + 1), r);
    if (s->focus_share > 0 && tw_u01_f64(r[2], r[3]) < s->focus_share) {
      c[s->offset[d] + q] = 0.0f;
      d = s->focus_disc, q = s->focus_cat;
      c[s->offset[d] + q] = 1.0f;
    }
    for (int k = 0; k < s->n_disc; ++k) mask[b * s->n_disc + k] = k == d ? 1.0f : 0.0f;
    const int64_t *first = s->first + s->offset[d] + d;
    int64_t count = first[q + 1] - first[q], pick = (int64_t)(tw_u01_f64(r[0], r[1]) * (double)count);
    if (pick >= count) pick = count - 1;
    row[b] = s->rows[(size_t)d * (size_t)s->n_rows + (size_t)(first[q] + pick)];
  }
}

void tw_gan_cond_sample(const tw_gan_cond_sampler *s, tw_gan_cond_kind kind, uint64_t seed, uint64_t first_row,
                        int64_t n, float *cond) {
  const double *cdf = kind == TW_GAN_COND_LOG ? s->log_cdf : s->freq_cdf;
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) {
    uint32_t r[4];
    int d;
    int64_t q;
    tw_philox_block(seed, first_row + (uint64_t)i, TW_RNG_GAN_SAMPLE, TW_GAN_COND_SAMPLE_INDEX, r);
    draw_condition(s, cdf, r, cond + i * s->cond_width, &d, &q);
  }
}

/* ---- a condition NAME=VALUE (--condition, focus.condition) ---- */

/* "a, b, c" (the first 20 names, then "..."), into buf. */
const char *const tw_gan_conditioning_names[] = {"vector", "reject", NULL};

static void list_names(const char *const *names, int64_t n, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = 0;
  for (int64_t k = 0; k < n && k <= 20 && used + 1 < cap; ++k)
    used += (size_t)snprintf(buf + used, cap - used, k ? ", %s" : "%s", k < 20 ? names[k] : "...");
}

/* The text of category q of column j (a string column's label, or the number). */
static void category_text(const tw_gan_transformer *tr, int j, int64_t q, char *buf, size_t cap) {
  const tw_gan_column *col = &tr->schema.cols[j];
  double v = tr->cols[j].cats[q];
  if (col->strings) snprintf(buf, cap, "%s", col->labels[(int64_t)v]);
  else snprintf(buf, cap, "%.17g", v);
}

static tw_status unknown_column(const tw_gan_transformer *tr, const char *name) {
  const char *names[64];
  int n = 0;
  for (int j = 0; j < tr->schema.n_cols && n < 64; ++j)
    if (tr->cols[j].kind == TW_GAN_DISCRETE) names[n++] = tr->schema.cols[j].name;
  char list[1024];
  list_names(names, n, list, sizeof list);
  return TW_FAIL(TW_ERR_INPUT, "%s: no such column in the model's cohort; the discrete columns are: %s", name,
                 list);
}

static tw_status unknown_value(const tw_gan_transformer *tr, int j, const char *value) {
  const tw_gan_colx *c = &tr->cols[j];
  char text[21][64], list[1024];
  const char *names[21];
  int64_t n = c->n_cats < 21 ? c->n_cats : 21;
  for (int64_t q = 0; q < n; ++q) category_text(tr, j, q, text[q], sizeof text[q]), names[q] = text[q];
  list_names(names, n, list, sizeof list);
  return TW_FAIL(TW_ERR_INPUT, "%s=%s: the training data has no such value of %s; it has: %s",
                 tr->schema.cols[j].name, value, tr->schema.cols[j].name, list);
}

/* Category of column j named by `value`, or -1. */
static int64_t find_category(const tw_gan_transformer *tr, int j, const char *value) {
  const tw_gan_column *col = &tr->schema.cols[j];
  const tw_gan_colx *c = &tr->cols[j];
  if (col->strings) {
    for (int64_t q = 0; q < c->n_cats; ++q)
      if (!strcmp(col->labels[(int64_t)c->cats[q]], value)) return q;
    return -1;
  }
  char *end;
  double v = strtod(value, &end);
  return *value && !*end ? tw_gan_category_index(c, v) : -1;
}

tw_status tw_gan_cond_focus(tw_gan_cond_sampler *s, const tw_gan_transformer *tr, const char *text, double share) {
  float *scratch = malloc((size_t)s->cond_width * sizeof *scratch);
  if (!scratch) return TW_FAIL(TW_ERR_NOMEM, "out of memory: the focus condition");
  tw_status st = tw_gan_cond_fixed(tr, text, scratch, &s->focus_disc, &s->focus_cat);
  free(scratch);
  if (st == TW_OK) s->focus_share = share;
  return st;
}

tw_status tw_gan_cond_fixed(const tw_gan_transformer *tr, const char *text, float *cond, int *disc, int64_t *cat) {
  const char *eq = strchr(text, '=');
  if (!eq || eq == text) return TW_FAIL(TW_ERR_INPUT, "%s: expected NAME=VALUE", text);
  char name[256];
  snprintf(name, sizeof name, "%.*s", (int)(eq - text), text);
  int j = 0;
  while (j < tr->schema.n_cols && strcmp(tr->schema.cols[j].name, name)) ++j;
  if (j == tr->schema.n_cols) return unknown_column(tr, name);
  if (tr->cols[j].kind != TW_GAN_DISCRETE)
    return TW_FAIL(TW_ERR_INPUT, "%s: %s is continuous; a condition names a discrete column's value", text, name);
  int64_t q = find_category(tr, j, eq + 1);
  if (q < 0) return unknown_value(tr, j, eq + 1);
  const tw_gan_layout *l = &tr->layout;
  int offset = 0, d = 0;
  while (l->spans[l->cond_span[d]].column != j) offset += l->spans[l->cond_span[d++]].width;
  for (int k = 0; k < l->cond_width; ++k) cond[k] = 0.0f;
  cond[offset + q] = 1.0f;
  if (disc) *disc = d;
  if (cat) *cat = q;
  return TW_OK;
}
