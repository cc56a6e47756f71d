/*
** transform_h5.c: the data transformer in a model file (transform_io.h),
** under /transformer/, so that `gan sample` decodes rows and writes a cohort
** file from the model file alone; and the column metadata (units, pack) read
** from the training cohort.
**
** Datasets (every one with units "1" unless said):
**   columns, datasets, units      (C) strings: names, cohort dataset paths, units attributes
**   kind, strings                 (C) int32: 0 continuous / 1 discrete; 1 for a string dataset
**   labels/c<j>                   (L) strings: string column j's labels
**   log_space, has_missing, k, n_kept (C) int32
**   kept                          (C, 10) int32: the kept components, -1 after n_kept
**   vgm                           (C, 6, 10) float64: a, b, beta, mean, nu, var (sklearn's
**                                 weight_concentration_, mean_precision_, means_,
**                                 degrees_of_freedom_, covariances_), 0 after k
**   n_cats                        (C) int64; cats (sum) float64; counts (sum) int64
**   spans                         (S, 4) int32: kind, start, width, column
**   cond_span                     (D) int32
**   sizes                         (3) int64: width, cond_width, training rows
**   pack                          (1) string, when the cohort had one
**   range                         (C, 2) float64: a continuous column's fitted min and max
**                                 (decoding clips to them; -inf, inf for a discrete one or
**                                 no value); a file without it clips nothing
**   combo_cols, combo_values,     the fixed combination (combo.h), when there is one: (M)
**   combo_counts                  int32 member columns, (T, M) float64 tuples, (T) int64 rows
**   combo_shifted, combo_shift    the columns shifted by the tuples' means, when any: (S) int32
**                                 columns ascending, (S, T + 1) float64 their shift (transform.h)
** Loading rebuilds the layout from the columns and refuses a file whose
** stored spans differ (TW_ERR_INPUT).
*/
#define _POSIX_C_SOURCE 200809L /* strdup under strict C17 */
#include "gan/transform_io.h"

#include <math.h>   /* floor, INFINITY, isnan */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memcpy, strdup */

#include "io/h5.h"

#define G "/transformer/"
#define NV 6 /* variational parameter arrays per column */

static tw_status put(tw_h5_file *f, const char *name, tw_dtype dt, const void *data, int rank, const int64_t *dims) {
  char path[128];
  snprintf(path, sizeof path, G "%s", name);
  return tw_h5_write_array(f, path, dt, data, rank, dims, "1");
}

/* Reads dataset `name` as dt into dst, which holds exactly `n` values. */
static tw_status get(tw_h5_file *f, const char *name, tw_dtype dt, void *dst, int64_t n) {
  char path[128];
  snprintf(path, sizeof path, G "%s", name);
  tw_tensor t;
  TW_TRY(tw_h5_read(f, path, dt, &t));
  int64_t got = tw_tensor_numel(&t);
  if (got == n) memcpy(dst, t.data, (size_t)n * tw_dtype_size(dt));
  free(t.data);
  if (got != n)
    return TW_FAIL(TW_ERR_INPUT, "%s: %s holds %lld values, expected %lld: not a transformer this twinscale wrote",
                   tw_h5_path(f), path, (long long)got, (long long)n);
  return TW_OK;
}

/* ---- save ---- */

static tw_status save_names(tw_h5_file *f, const tw_gan_transformer *tr) {
  int64_t n = tr->schema.n_cols;
  const char **s = calloc((size_t)(3 * n) + 1, sizeof *s);
  if (!s) return TW_FAIL(TW_ERR_NOMEM, "saving the transformer");
  for (int64_t j = 0; j < n; ++j) {
    s[j] = tr->schema.cols[j].name;
    s[n + j] = tr->schema.cols[j].dataset;
    s[2 * n + j] = tr->units && tr->units[j] ? tr->units[j] : "1";
  }
  tw_status st = tw_h5_write_strings(f, G "columns", s, n, "1");
  if (st == TW_OK) st = tw_h5_write_strings(f, G "datasets", s + n, n, "1");
  if (st == TW_OK) st = tw_h5_write_strings(f, G "units", s + 2 * n, n, "1");
  free(s);
  return st;
}

static tw_status save_labels(tw_h5_file *f, const tw_gan_schema *sc) {
  for (int j = 0; j < sc->n_cols; ++j) {
    if (!sc->cols[j].strings) continue;
    char path[64];
    snprintf(path, sizeof path, G "labels/c%d", j);
    TW_TRY(tw_h5_write_strings(f, path, (const char *const *)sc->cols[j].labels, sc->cols[j].n_labels, "1"));
  }
  return TW_OK;
}

/* The per-column int32 flags (kind, strings, log_space, has_missing, k, n_kept) and kept. */
static tw_status save_flags(tw_h5_file *f, const tw_gan_transformer *tr, int32_t *buf) {
  static const char *const names[] = {"kind", "strings", "log_space", "has_missing", "k", "n_kept"};
  int64_t n = tr->schema.n_cols, kd[2] = {n, TW_VGM_MAX_COMPONENTS};
  for (int a = 0; a < 6; ++a) {
    for (int64_t j = 0; j < n; ++j) {
      const tw_gan_colx *c = &tr->cols[j];
      int32_t v[6] = {(int32_t)c->kind, tr->schema.cols[j].strings, c->log_space, c->has_missing, c->vgm.k, c->n_kept};
      buf[j] = v[a];
    }
    TW_TRY(put(f, names[a], TW_I32, buf, 1, &n));
  }
  for (int64_t j = 0; j < n; ++j)
    for (int q = 0; q < TW_VGM_MAX_COMPONENTS; ++q)
      buf[j * TW_VGM_MAX_COMPONENTS + q] = q < tr->cols[j].n_kept ? tr->cols[j].kept[q] : -1;
  return put(f, "kept", TW_I32, buf, 2, kd);
}

static void vgm_arrays(tw_vgm *m, double *arr[NV]) {
  arr[0] = m->a, arr[1] = m->b, arr[2] = m->beta, arr[3] = m->mean, arr[4] = m->nu, arr[5] = m->var;
}

static tw_status save_vgm(tw_h5_file *f, const tw_gan_transformer *tr, double *buf) {
  int64_t n = tr->schema.n_cols, dims[3] = {n, NV, TW_VGM_MAX_COMPONENTS};
  for (int64_t j = 0; j < n; ++j) {
    double *arr[NV];
    vgm_arrays(&tr->cols[j].vgm, arr);
    for (int a = 0; a < NV; ++a)
      memcpy(buf + (j * NV + a) * TW_VGM_MAX_COMPONENTS, arr[a], TW_VGM_MAX_COMPONENTS * sizeof *buf);
  }
  return put(f, "vgm", TW_F64, buf, 3, dims);
}

static tw_status save_range(tw_h5_file *f, const tw_gan_transformer *tr, double *buf) {
  const int64_t n = tr->schema.n_cols, dims[2] = {n, 2};
  for (int64_t j = 0; j < n; ++j) {
    const int cont = tr->cols[j].kind == TW_GAN_CONTINUOUS;
    buf[2 * j] = cont ? tr->cols[j].lo : -INFINITY, buf[2 * j + 1] = cont ? tr->cols[j].hi : INFINITY;
  }
  return put(f, "range", TW_F64, buf, 2, dims);
}

static tw_status save_categories(tw_h5_file *f, const tw_gan_transformer *tr) {
  int64_t n = tr->schema.n_cols, total = 0;
  int64_t *nc = calloc((size_t)n + 1, sizeof *nc);
  if (!nc) return TW_FAIL(TW_ERR_NOMEM, "saving the transformer");
  for (int64_t j = 0; j < n; ++j) total += nc[j] = tr->cols[j].n_cats;
  double *cats = calloc((size_t)total + 1, sizeof *cats);
  int64_t *counts = calloc((size_t)total + 1, sizeof *counts);
  tw_status st = cats && counts ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "saving the transformer");
  for (int64_t j = 0, at = 0; st == TW_OK && j < n; at += nc[j++]) {
    if (nc[j] == 0) continue; /* a continuous column: no categories (and NULL arrays) */
    memcpy(cats + at, tr->cols[j].cats, (size_t)nc[j] * sizeof *cats);
    memcpy(counts + at, tr->cols[j].counts, (size_t)nc[j] * sizeof *counts);
  }
  if (st == TW_OK) st = put(f, "n_cats", TW_I64, nc, 1, &n);
  if (st == TW_OK) st = put(f, "cats", TW_F64, cats, 1, &total);
  if (st == TW_OK) st = put(f, "counts", TW_I64, counts, 1, &total);
  free(nc), free(cats), free(counts);
  return st;
}

static tw_status save_layout(tw_h5_file *f, const tw_gan_transformer *tr) {
  const tw_gan_layout *l = &tr->layout;
  int64_t ns = l->n_spans, sd[2] = {ns, 4}, nd = l->n_cond_spans, three = 3;
  int32_t *sp = calloc((size_t)(4 * ns) + 1, sizeof *sp);
  if (!sp) return TW_FAIL(TW_ERR_NOMEM, "saving the transformer");
  for (int64_t s = 0; s < ns; ++s) {
    const tw_gan_span *x = &l->spans[s];
    sp[4 * s] = (int32_t)x->kind, sp[4 * s + 1] = x->start, sp[4 * s + 2] = x->width, sp[4 * s + 3] = x->column;
  }
  int64_t sizes[3] = {l->width, l->cond_width, tr->n_rows};
  tw_status st = put(f, "spans", TW_I32, sp, 2, sd);
  if (st == TW_OK) st = put(f, "cond_span", TW_I32, l->cond_span, 1, &nd);
  if (st == TW_OK) st = put(f, "sizes", TW_I64, sizes, 1, &three);
  if (st == TW_OK && tr->pack) st = tw_h5_write_strings(f, G "pack", (const char *const *)&tr->pack, 1, "1");
  free(sp);
  return st;
}

static tw_status save_combo(tw_h5_file *f, const tw_gan_combo *c) {
  if (!c->n_cols) return TW_OK;
  const int64_t m = c->n_cols, dims[2] = {c->n, m};
  TW_TRY(put(f, "combo_cols", TW_I32, c->cols, 1, &m));
  TW_TRY(put(f, "combo_values", TW_F64, c->values, 2, dims));
  return put(f, "combo_counts", TW_I64, c->counts, 1, &c->n);
}

static tw_status save_shifts(tw_h5_file *f, const tw_gan_transformer *tr) {
  const int64_t s = tw_gan_shifted_columns(tr), dims[2] = {s, tr->combo.n + 1};
  if (!s) return TW_OK;
  int32_t *cols = malloc((size_t)s * sizeof *cols);
  double *shift = malloc((size_t)(dims[0] * dims[1]) * sizeof *shift);
  tw_status st = cols && shift ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "saving the shifts");
  for (int j = 0, q = 0; st == TW_OK && j < tr->schema.n_cols; ++j)
    if (tr->cols[j].shift) cols[q] = j, memcpy(shift + q++ * dims[1], tr->cols[j].shift, (size_t)dims[1] * sizeof *shift);
  if (st == TW_OK) st = put(f, "combo_shifted", TW_I32, cols, 1, dims);
  if (st == TW_OK) st = put(f, "combo_shift", TW_F64, shift, 2, dims);
  free(cols), free(shift);
  return st;
}

tw_status tw_gan_transformer_save(tw_h5_file *f, const tw_gan_transformer *tr) {
  size_t n = (size_t)tr->schema.n_cols;
  void *buf = calloc(n * NV * TW_VGM_MAX_COMPONENTS + 1, sizeof(double));
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "saving the transformer");
  tw_status st = save_names(f, tr);
  if (st == TW_OK) st = save_labels(f, &tr->schema);
  if (st == TW_OK) st = save_flags(f, tr, buf);
  if (st == TW_OK) st = save_vgm(f, tr, buf);
  if (st == TW_OK) st = save_range(f, tr, buf);
  if (st == TW_OK) st = save_categories(f, tr);
  if (st == TW_OK) st = save_combo(f, &tr->combo);
  if (st == TW_OK) st = save_shifts(f, tr);
  if (st == TW_OK) st = save_layout(f, tr);
  free(buf);
  return st;
}

/* ---- load ---- */

static tw_status load_strings(tw_h5_file *f, const char *name, int64_t want, char ***out) {
  char path[128];
  int64_t n;
  snprintf(path, sizeof path, G "%s", name);
  TW_TRY(tw_h5_read_strings(f, path, out, &n));
  if (want >= 0 && n != want)
    return TW_FAIL(TW_ERR_INPUT, "%s: %s holds %lld names for %lld columns", tw_h5_path(f), path, (long long)n,
                   (long long)want);
  return TW_OK;
}

static void free_strings(char **s, int64_t n) {
  for (int64_t k = 0; s && k < n; ++k) free(s[k]);
  free(s);
}

static tw_status load_names(tw_h5_file *f, tw_gan_transformer *tr) {
  char **names, **datasets = NULL;
  int64_t n;
  TW_TRY(tw_h5_read_strings(f, G "columns", &names, &n));
  tr->schema.cols = calloc((size_t)n + 1, sizeof *tr->schema.cols);
  tr->cols = calloc((size_t)n + 1, sizeof *tr->cols);
  tw_status st = tr->schema.cols && tr->cols ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
  if (st == TW_OK) tr->schema.n_cols = (int)n;
  if (st == TW_OK) st = load_strings(f, "datasets", n, &datasets);
  if (st == TW_OK) st = load_strings(f, "units", n, &tr->units);
  for (int64_t j = 0; st == TW_OK && j < n; ++j) {
    tr->schema.cols[j].name = names[j], names[j] = NULL;
    tr->schema.cols[j].dataset = datasets[j], datasets[j] = NULL;
  }
  free_strings(names, n), free_strings(datasets, n);
  return st;
}

static tw_status load_labels(tw_h5_file *f, tw_gan_schema *sc) {
  for (int j = 0; j < sc->n_cols; ++j) {
    if (!sc->cols[j].strings) continue;
    char name[32];
    snprintf(name, sizeof name, "labels/c%d", j);
    char path[128];
    snprintf(path, sizeof path, G "%s", name);
    TW_TRY(tw_h5_read_strings(f, path, &sc->cols[j].labels, &sc->cols[j].n_labels));
    sc->cols[j].cap_labels = sc->cols[j].n_labels;
  }
  return TW_OK;
}

/* The flags of column j, checked. */
static tw_status set_flags(tw_h5_file *f, tw_gan_transformer *tr, int j, const int32_t v[6], const int32_t *kept) {
  tw_gan_colx *c = &tr->cols[j];
  c->kind = v[0] ? TW_GAN_DISCRETE : TW_GAN_CONTINUOUS;
  tr->schema.cols[j].kind = c->kind, tr->schema.cols[j].strings = v[1];
  c->log_space = v[2], c->has_missing = v[3], c->vgm.k = v[4], c->n_kept = v[5];
  int bad = v[0] < 0 || v[0] > 1 || (c->kind == TW_GAN_CONTINUOUS && (v[4] < 1 || v[4] > TW_VGM_MAX_COMPONENTS ||
                                                                      v[5] < 1 || v[5] > v[4]));
  for (int q = 0; !bad && c->kind == TW_GAN_CONTINUOUS && q < c->n_kept; ++q)
    bad = kept[q] < 0 || kept[q] >= c->vgm.k || (q && kept[q] <= kept[q - 1]), c->kept[q] = kept[q];
  if (bad) return TW_FAIL(TW_ERR_INPUT, "%s: " G ": column %s has inconsistent flags", tw_h5_path(f), tr->schema.cols[j].name);
  return TW_OK;
}

static tw_status load_flags(tw_h5_file *f, tw_gan_transformer *tr) {
  static const char *const names[] = {"kind", "strings", "log_space", "has_missing", "k", "n_kept"};
  int64_t n = tr->schema.n_cols;
  int32_t *buf = calloc((size_t)(n * (6 + TW_VGM_MAX_COMPONENTS)) + 1, sizeof *buf);
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
  tw_status st = TW_OK;
  for (int a = 0; a < 6 && st == TW_OK; ++a) st = get(f, names[a], TW_I32, buf + a * n, n);
  int32_t *kept = buf + 6 * n;
  if (st == TW_OK) st = get(f, "kept", TW_I32, kept, n * TW_VGM_MAX_COMPONENTS);
  for (int64_t j = 0; st == TW_OK && j < n; ++j) {
    int32_t v[6];
    for (int a = 0; a < 6; ++a) v[a] = buf[a * n + j];
    st = set_flags(f, tr, (int)j, v, kept + j * TW_VGM_MAX_COMPONENTS);
  }
  free(buf);
  return st;
}

static tw_status load_vgm(tw_h5_file *f, tw_gan_transformer *tr) {
  int64_t n = tr->schema.n_cols;
  double *buf = calloc((size_t)(n * NV * TW_VGM_MAX_COMPONENTS) + 1, sizeof *buf);
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
  tw_status st = get(f, "vgm", TW_F64, buf, n * NV * TW_VGM_MAX_COMPONENTS);
  for (int64_t j = 0; st == TW_OK && j < n; ++j) {
    tw_gan_colx *c = &tr->cols[j];
    if (c->kind != TW_GAN_CONTINUOUS) continue;
    double *arr[NV];
    vgm_arrays(&c->vgm, arr);
    for (int a = 0; a < NV; ++a)
      memcpy(arr[a], buf + (j * NV + a) * TW_VGM_MAX_COMPONENTS, TW_VGM_MAX_COMPONENTS * sizeof *buf);
    for (int q = 0; q < c->vgm.k && st == TW_OK; ++q)
      if (!(c->vgm.var[q] > 0.0) || !(c->vgm.nu[q] > 0.0) || !(c->vgm.beta[q] > 0.0) || !(c->vgm.a[q] > 0.0) ||
          !(c->vgm.b[q] > 0.0))
        st = TW_FAIL(TW_ERR_INPUT, "%s: " G "vgm: column %s has a non-positive parameter", tw_h5_path(f),
                     tr->schema.cols[j].name);
    tw_vgm_finish(&c->vgm);
  }
  free(buf);
  return st;
}

/* The continuous columns' clipping range; none in a file without it. */
static tw_status load_range(tw_h5_file *f, tw_gan_transformer *tr) {
  const int64_t n = tr->schema.n_cols;
  for (int64_t j = 0; j < n; ++j) tr->cols[j].lo = -INFINITY, tr->cols[j].hi = INFINITY;
  if (!tw_h5_exists(f, G "range")) return TW_OK;
  double *buf = malloc((size_t)(2 * n) * sizeof *buf + 1);
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
  tw_status st = get(f, "range", TW_F64, buf, 2 * n);
  for (int64_t j = 0; st == TW_OK && j < n; ++j) {
    if (tr->cols[j].kind != TW_GAN_CONTINUOUS) continue;
    tr->cols[j].lo = buf[2 * j], tr->cols[j].hi = buf[2 * j + 1];
    if (isnan(tr->cols[j].lo) || isnan(tr->cols[j].hi) || tr->cols[j].lo > tr->cols[j].hi)
      st = TW_FAIL(TW_ERR_INPUT, "%s: " G "range: column %s has no valid [min, max]", tw_h5_path(f),
                   tr->schema.cols[j].name);
  }
  free(buf);
  return st;
}

/* Categories ascending (the binary search needs it); a string column's are label indices. */
static int categories_ok(const tw_gan_colx *c, const tw_gan_column *col) {
  for (int64_t q = 0; q < c->n_cats; ++q) {
    if (q && !(c->cats[q] > c->cats[q - 1])) return 0;
    if (col->strings && (c->cats[q] < 0 || c->cats[q] >= (double)col->n_labels || c->cats[q] != floor(c->cats[q])))
      return 0;
  }
  return 1;
}

static tw_status load_categories(tw_h5_file *f, tw_gan_transformer *tr) {
  int64_t n = tr->schema.n_cols, total = 0;
  int64_t *nc = calloc((size_t)n + 1, sizeof *nc);
  if (!nc) return TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
  tw_status st = get(f, "n_cats", TW_I64, nc, n);
  for (int64_t j = 0; st == TW_OK && j < n; ++j) {
    if (nc[j] < 0 || (tr->cols[j].kind == TW_GAN_DISCRETE && nc[j] < 1))
      st = TW_FAIL(TW_ERR_INPUT, "%s: " G "n_cats: column %s has %lld categories", tw_h5_path(f),
                   tr->schema.cols[j].name, (long long)nc[j]);
    total += nc[j];
  }
  double *cats = calloc((size_t)total + 1, sizeof *cats);
  int64_t *counts = calloc((size_t)total + 1, sizeof *counts);
  if (st == TW_OK && (!cats || !counts)) st = TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
  if (st == TW_OK) st = get(f, "cats", TW_F64, cats, total);
  if (st == TW_OK) st = get(f, "counts", TW_I64, counts, total);
  for (int64_t j = 0, at = 0; st == TW_OK && j < n; at += nc[j++]) {
    tw_gan_colx *c = &tr->cols[j];
    c->n_cats = nc[j];
    c->cats = malloc((size_t)nc[j] * sizeof *c->cats + 1);
    c->counts = malloc((size_t)nc[j] * sizeof *c->counts + 1);
    if (!c->cats || !c->counts) st = TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
    else memcpy(c->cats, cats + at, (size_t)nc[j] * sizeof *cats), memcpy(c->counts, counts + at, (size_t)nc[j] * sizeof *counts);
    if (st == TW_OK && !categories_ok(c, &tr->schema.cols[j]))
      st = TW_FAIL(TW_ERR_INPUT, "%s: " G "cats: column %s: categories not ascending, or not labels of the column",
                   tw_h5_path(f), tr->schema.cols[j].name);
  }
  free(nc), free(cats), free(counts);
  return st;
}

/* The fixed combination, when the file has one: members ascending, continuous. */
static tw_status load_combo(tw_h5_file *f, tw_gan_transformer *tr) {
  if (!tw_h5_exists(f, G "combo_cols")) return TW_OK;
  tw_gan_combo *c = &tr->combo;
  tw_tensor a, b;
  TW_TRY(tw_h5_read(f, G "combo_cols", TW_I32, &a));
  c->n_cols = (int)tw_tensor_numel(&a), c->cols = a.data;
  tw_status st = tw_h5_read(f, G "combo_values", TW_F64, &b);
  if (st == TW_OK) c->values = b.data, c->n = c->n_cols ? tw_tensor_numel(&b) / c->n_cols : 0;
  if (st == TW_OK && !(c->counts = malloc((size_t)c->n * sizeof *c->counts + 1))) st = TW_FAIL(TW_ERR_NOMEM, "combo");
  if (st == TW_OK) st = get(f, "combo_counts", TW_I64, c->counts, c->n);
  int bad = st == TW_OK && (c->n_cols < 2 || c->n < 1 || c->n * c->n_cols != tw_tensor_numel(&b));
  for (int q = 0; st == TW_OK && !bad && q < c->n_cols; ++q)
    bad = c->cols[q] < 0 || c->cols[q] >= tr->schema.n_cols || (q && c->cols[q] <= c->cols[q - 1]) ||
          tr->cols[c->cols[q]].kind != TW_GAN_CONTINUOUS;
  if (bad) st = TW_FAIL(TW_ERR_INPUT, "%s: " G "combo_*: an inconsistent fixed combination", tw_h5_path(f));
  return st;
}

/* The shifted columns, when the file has any: continuous, outside the combination, ascending. */
static tw_status load_shifts(tw_h5_file *f, tw_gan_transformer *tr) {
  if (!tw_h5_exists(f, G "combo_shifted")) return TW_OK;
  tw_tensor a, b = {0};
  TW_TRY(tw_h5_read(f, G "combo_shifted", TW_I32, &a));
  const int32_t *cols = a.data;
  const int64_t s = tw_tensor_numel(&a), w = tr->combo.n + 1;
  tw_status st = tw_h5_read(f, G "combo_shift", TW_F64, &b);
  int bad = st == TW_OK && (!tr->combo.n_cols || tw_tensor_numel(&b) != s * w);
  for (int64_t q = 0; st == TW_OK && !bad && q < s; ++q)
    bad = cols[q] < 0 || cols[q] >= tr->schema.n_cols || (q && cols[q] <= cols[q - 1]) ||
          tr->cols[cols[q]].kind != TW_GAN_CONTINUOUS || tw_gan_combo_role(&tr->combo, cols[q]);
  for (int64_t q = 0; st == TW_OK && !bad && q < s; ++q) {
    double *shift = malloc((size_t)w * sizeof *shift);
    if (!shift) st = TW_FAIL(TW_ERR_NOMEM, "loading the shifts");
    else memcpy(shift, (const double *)b.data + q * w, (size_t)w * sizeof *shift), tr->cols[cols[q]].shift = shift;
  }
  if (bad) st = TW_FAIL(TW_ERR_INPUT, "%s: " G "combo_shift*: inconsistent shifted columns", tw_h5_path(f));
  free(a.data), free(b.data);
  return st;
}

/* The layout rebuilt from the columns against the stored spans. */
static tw_status check_layout(tw_h5_file *f, tw_gan_transformer *tr) {
  TW_TRY(tw_gan_layout_build(tr));
  const tw_gan_layout *l = &tr->layout;
  int64_t sizes[3];
  TW_TRY(get(f, "sizes", TW_I64, sizes, 3));
  tr->n_rows = sizes[2];
  int32_t *sp = calloc((size_t)(4 * l->n_spans + l->n_cond_spans) + 1, sizeof *sp);
  if (!sp) return TW_FAIL(TW_ERR_NOMEM, "loading the transformer");
  tw_status st = get(f, "spans", TW_I32, sp, 4 * (int64_t)l->n_spans);
  if (st == TW_OK) st = get(f, "cond_span", TW_I32, sp + 4 * l->n_spans, l->n_cond_spans);
  int same = sizes[0] == l->width && sizes[1] == l->cond_width;
  for (int s = 0; st == TW_OK && s < l->n_spans; ++s)
    same = same && sp[4 * s] == (int32_t)l->spans[s].kind && sp[4 * s + 1] == l->spans[s].start &&
           sp[4 * s + 2] == l->spans[s].width && sp[4 * s + 3] == l->spans[s].column;
  for (int d = 0; st == TW_OK && d < l->n_cond_spans; ++d) same = same && sp[4 * l->n_spans + d] == l->cond_span[d];
  free(sp);
  if (st == TW_OK && !same)
    st = TW_FAIL(TW_ERR_INPUT, "%s: " G "spans differ from the layout of its columns: a damaged model file", tw_h5_path(f));
  return st;
}

static tw_status load_pack(tw_h5_file *f, tw_gan_transformer *tr) {
  if (!tw_h5_exists(f, G "pack")) return TW_OK;
  char **s;
  TW_TRY(load_strings(f, "pack", 1, &s));
  tr->pack = s[0];
  free(s);
  return TW_OK;
}

tw_status tw_gan_transformer_load(tw_h5_file *f, tw_gan_transformer *out) {
  memset(out, 0, sizeof *out);
  if (!tw_h5_exists(f, G "columns"))
    return TW_FAIL(TW_ERR_INPUT, "%s: no " G "columns: not a GAN model file (no data transformer)", tw_h5_path(f));
  tw_status st = load_names(f, out);
  if (st == TW_OK) st = load_flags(f, out);
  if (st == TW_OK) st = load_labels(f, &out->schema);
  if (st == TW_OK) st = load_vgm(f, out);
  if (st == TW_OK) st = load_range(f, out);
  if (st == TW_OK) st = load_categories(f, out);
  if (st == TW_OK) st = load_combo(f, out);
  if (st == TW_OK) st = load_shifts(f, out);
  if (st == TW_OK) st = check_layout(f, out);
  if (st == TW_OK) st = load_pack(f, out);
  if (st != TW_OK) tw_gan_transformer_free(out);
  return st;
}

/* ---- metadata and schema checks ---- */

static tw_status read_meta(tw_h5_file *f, tw_gan_transformer *tr) {
  int n = tr->schema.n_cols;
  if (!(tr->units = calloc((size_t)n + 1, sizeof *tr->units))) return TW_FAIL(TW_ERR_NOMEM, "column units");
  for (int j = 0; j < n; ++j) {
    char units[128] = "1";
    if (tw_h5_units(f, tr->schema.cols[j].dataset, units, sizeof units) != TW_OK) /* a file other tools wrote */
      tw_error_clear(), snprintf(units, sizeof units, "1");
    if (!(tr->units[j] = strdup(units[0] ? units : "1"))) return TW_FAIL(TW_ERR_NOMEM, "column units");
  }
  if (tw_h5_attr_read_string(f, "pack", &tr->pack) != TW_OK) tw_error_clear(), tr->pack = NULL;
  return TW_OK;
}

tw_status tw_gan_meta_read(const char *path, tw_gan_transformer *tr) {
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = read_meta(f, tr);
  tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}

tw_status tw_gan_transformer_check_schema(const tw_gan_transformer *tr, const tw_gan_schema *s, const char *what) {
  const tw_gan_schema *m = &tr->schema;
  if (s->n_cols != m->n_cols)
    return TW_FAIL(TW_ERR_INPUT, "%s has %d columns, the model's cohort %d: another cohort schema", what, s->n_cols,
                   m->n_cols);
  for (int j = 0; j < m->n_cols; ++j)
    if (strcmp(s->cols[j].name, m->cols[j].name) || strcmp(s->cols[j].dataset, m->cols[j].dataset) ||
        s->cols[j].kind != m->cols[j].kind)
      return TW_FAIL(TW_ERR_INPUT, "%s: column %d is %s (%s), the model's cohort has %s (%s): another cohort schema",
                     what, j, s->cols[j].dataset, s->cols[j].kind ? "discrete" : "continuous", m->cols[j].dataset,
                     m->cols[j].kind ? "discrete" : "continuous");
  return TW_OK;
}

/* ---- an ensemble's members share one transformer --------------------------- */

static int same_doubles(const double *x, const double *y, int64_t n) {
  return n == 0 || (x && y && !memcmp(x, y, (size_t)n * sizeof(double)));
}

/* Whether column j decodes alike in a and b (continuous: the components kept
** and their moments, the range, the shift; discrete: the categories). */
static int same_column(const tw_gan_transformer *a, const tw_gan_transformer *b, int j) {
  const tw_gan_colx *x = &a->cols[j], *y = &b->cols[j];
  if (x->kind != y->kind) return 0;
  if (x->kind == TW_GAN_DISCRETE)
    return x->n_cats == y->n_cats && same_doubles(x->cats, y->cats, x->n_cats) &&
           !memcmp(x->counts, y->counts, (size_t)x->n_cats * sizeof(int64_t));
  if (x->log_space != y->log_space || x->has_missing != y->has_missing || x->n_kept != y->n_kept ||
      !same_doubles(&x->lo, &y->lo, 1) || !same_doubles(&x->hi, &y->hi, 1) || !x->shift != !y->shift)
    return 0;
  for (int q = 0; q < x->n_kept; ++q) {
    const int k = x->kept[q];
    if (k != y->kept[q] || !same_doubles(&x->vgm.mean[k], &y->vgm.mean[k], 1) ||
        !same_doubles(&x->vgm.var[k], &y->vgm.var[k], 1))
      return 0;
  }
  return !x->shift || same_doubles(x->shift, y->shift, a->combo.n + 1);
}

static int same_combo(const tw_gan_combo *x, const tw_gan_combo *y) {
  return x->n_cols == y->n_cols && x->n == y->n &&
         (!x->n_cols || !memcmp(x->cols, y->cols, (size_t)x->n_cols * sizeof(int))) &&
         same_doubles(x->values, y->values, x->n * x->n_cols) &&
         (!x->n || !memcmp(x->counts, y->counts, (size_t)x->n * sizeof(int64_t)));
}

tw_status tw_gan_transformer_same(const tw_gan_transformer *a, const tw_gan_transformer *b, const char *what) {
  TW_TRY(tw_gan_transformer_check_schema(a, &b->schema, what));
  if (a->n_rows != b->n_rows || !same_combo(&a->combo, &b->combo))
    return TW_FAIL(TW_ERR_INPUT, "%s: trained on %lld rows%s, the first model on %lld: models of an ensemble must be "
                   "trained on one cohort file", what, (long long)b->n_rows,
                   a->n_rows == b->n_rows ? " of other fixed combinations" : "", (long long)a->n_rows);
  for (int j = 0; j < a->schema.n_cols; ++j)
    if (!same_column(a, b, j))
      return TW_FAIL(TW_ERR_INPUT, "%s: column %s is transformed otherwise than in the first model: models of an "
                     "ensemble must be trained on one cohort file", what, a->schema.cols[j].dataset);
  return TW_OK;
}
