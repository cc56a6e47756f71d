/*
** test_gan_transform.c: the data transformer (src/gan/transform.h) on real
** cohort files: the gan report's `mixed` fixture (floats with missing values,
** int32 and int64 categories, a string column) and, given as argv[1], a
** cohort from `twinscale cohort generate configs/cohort-t1d.yaml` (7
** covariates, 45 t1d parameters).
**
** - layout: spans tile the row; continuous columns are a tanh span then a
**   softmax span of the kept components (+ missing); discrete ones a softmax
**   span of their categories; the cond spans are the discrete ones;
** - encoded rows: every softmax span one-hot, every alpha in [-0.99, 0.99];
** - round trip: decode(encode(table)) gives every discrete cell exactly, every
**   missing value as missing, and every continuous value whose alpha was not
**   clipped within the float rounding of alpha: |y' - y| <= 4 sigma_k 2^-24
**   (+ 4 ulp of y) in the fitting space (log x for log columns); clipped values
**   decode to the clip bound of their component (counted and printed);
** - the component draw follows the posterior: 20,000 copies of a value whose
**   posterior is split give each component's frequency within 4 standard
**   errors of its probability;
** - determinism: 1 and 2 OpenMP threads, and encoding in two calls, give the
**   same floats; another seed other components;
** - save/load through a model file: every field back, the same encoding and
**   decoding; a file without /transformer/ is refused (TW_ERR_INPUT), and so
**   is a cohort of another schema than the model's.
** - fixed combinations (tw_gan_transformer_combine, combo.h) on the t1d
**   cohort: as many tuples as the cohort has reference patients
**   (/cohort/reference), every member continuous and constant within a
**   patient, the counts summing to the rows; the members have no span, the
**   first one a softmax span of the tuples that is a condition span; every
**   row encodes one-hot and decodes to its own values exactly; the other
**   columns keep their spans; through a model file the same combination and
**   the same encoding; the mixed fixture (no float column with few values)
**   has none.
** argv[2] (optional): `--bench` times the fit per column and the encode rate
** on the t1d cohort (docs/gan.md quotes it).
*/
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h> /* clock: CPU time on a shared machine */

#include "core/clock.h"
#include "gan/transform.h"
#include "gan/transform_io.h"
#include "io/h5.h"
#include "tw_test.h"

#if defined(_OPENMP)
#include <omp.h>
#endif

static const char *t1d_path; /* argv[1], or NULL */
static char tmp_dir[64];

typedef struct fitted {
  tw_gan_schema schema;
  tw_gan_table table;
  tw_gan_transformer tr;
  float *enc; /* (n_rows, width) encoded with seed 7 */
} fitted;

static tw_status fit_file(const char *path, fitted *f) {
  memset(f, 0, sizeof *f);
  TW_TRY(tw_gan_schema_read(path, &f->schema));
  TW_TRY(tw_gan_table_read(path, "test cohort", &f->schema, &f->table));
  TW_TRY(tw_gan_transformer_fit(&f->table, 0, &f->tr));
  TW_TRY(tw_gan_meta_read(path, &f->tr));
  f->enc = malloc((size_t)f->table.n_rows * (size_t)f->tr.layout.width * sizeof *f->enc);
  if (!f->enc) return TW_FAIL(TW_ERR_NOMEM, "test");
  return tw_gan_encode(&f->tr, &f->table, 7, 0, f->table.n_rows, f->enc);
}

static void fitted_free(fitted *f) {
  free(f->enc);
  tw_gan_transformer_free(&f->tr);
  tw_gan_table_free(&f->table);
  tw_gan_schema_free(&f->schema);
}

/* Each file is fitted once and shared by the tests (a fit of the t1d cohort
** takes seconds); freed at the end. */
static fitted cache[2];
static const char *cache_path[2];

static tw_status fitted_get(const char *path, fitted **out) {
  int k = 0;
  while (k < 2 && cache_path[k] && strcmp(cache_path[k], path)) ++k;
  if (k == 2) return TW_FAIL(TW_ERR_INTERNAL, "test: more than two files");
  if (!cache_path[k]) {
    TW_TRY(fit_file(path, &cache[k]));
    cache_path[k] = path;
  }
  *out = &cache[k];
  return TW_OK;
}

/* ---- layout and encoded rows ---- */

static void check_layout(const tw_gan_transformer *tr) {
  const tw_gan_layout *l = &tr->layout;
  int at = 0, cond = 0, nd = 0;
  for (int s = 0; s < l->n_spans; ++s) {
    const tw_gan_span *sp = &l->spans[s];
    const tw_gan_colx *c = &tr->cols[sp->column];
    CHECK_EQ_INT(sp->start, at);
    at += sp->width;
    if (c->kind == TW_GAN_DISCRETE) {
      CHECK_EQ_INT(sp->kind, TW_GAN_SPAN_SOFTMAX);
      CHECK_EQ_INT(sp->width, c->n_cats);
      CHECK_EQ_INT(l->cond_span[nd++], s);
      cond += sp->width;
      continue;
    }
    CHECK(sp->kind == TW_GAN_SPAN_TANH && sp->width == 1 && s + 1 < l->n_spans);
    CHECK(l->spans[s + 1].kind == TW_GAN_SPAN_SOFTMAX && l->spans[s + 1].column == sp->column);
    CHECK_EQ_INT(l->spans[s + 1].width, c->n_kept + c->has_missing);
    CHECK_EQ_INT(l->spans[s + 1].start, at);
    at += l->spans[++s].width;
  }
  CHECK_EQ_INT(at, l->width);
  CHECK_EQ_INT(cond, l->cond_width);
  CHECK_EQ_INT(nd, l->n_cond_spans);
}

static void check_encoded(const tw_gan_transformer *tr, const float *enc, int64_t n) {
  const tw_gan_layout *l = &tr->layout;
  for (int64_t i = 0; i < n; ++i)
    for (int s = 0; s < l->n_spans; ++s) {
      const tw_gan_span *sp = &l->spans[s];
      const float *v = enc + i * l->width + sp->start;
      if (sp->kind == TW_GAN_SPAN_TANH) {
        CHECK_MSG(fabsf(v[0]) <= 0.99f, "row %lld span %d: alpha %g", (long long)i, s, v[0]);
        continue;
      }
      int ones = 0;
      for (int q = 0; q < sp->width; ++q) {
        CHECK(v[q] == 0.0f || v[q] == 1.0f);
        ones += v[q] == 1.0f;
      }
      CHECK_MSG(ones == 1, "row %lld span %d (column %s): %d ones", (long long)i, s, tr->schema.cols[sp->column].name, ones);
    }
}

/* ---- the round trip ---- */

typedef struct trip_stats {
  int64_t exact, within, clipped, missing;
  double worst; /* max |y' - y| / (4 sigma_k 2^-24) over unclipped values */
} trip_stats;

static int cell_ok(const tw_gan_colx *c, const float *span, double x, double back, trip_stats *ts) {
  if (isnan(x)) return ts->missing++, isnan(back);
  int best = 0;
  for (int q = 1; q < c->n_kept + c->has_missing; ++q)
    if (span[1 + q] > span[1 + best]) best = q;
  if (best == c->n_kept || isnan(back)) return 0; /* a present value encoded as missing, or decoded so */
  int k = c->kept[best];
  double y = c->log_space ? log(x) : x, yb = c->log_space ? log(back) : back;
  double scale = 4.0 * sqrt(c->vgm.var[k]), err = fabs(yb - y);
  if (fabsf(span[0]) == 0.99f) { /* clipped: the decoded value is the bound */
    ++ts->clipped;
    double bound = c->vgm.mean[k] + (span[0] > 0 ? 1.0 : -1.0) * (double)0.99f * scale;
    return fabs(yb - bound) <= 1e-12 * (fabs(bound) + scale) && fabs(y - c->vgm.mean[k]) >= 0.99 * scale * (1 - 1e-9);
  }
  ++ts->within;
  ts->worst = fmax(ts->worst, err / (scale * 0x1p-24));
  return err <= scale * 0x1p-24 + 4.0 * 2.220446049250313e-16 * fabs(y);
}

static void check_round_trip(const fitted *f, const char *what) {
  tw_gan_table back;
  CHECK_OK(tw_gan_table_alloc(&f->tr.schema, f->table.n_rows, &back));
  tw_gan_decode(&f->tr, f->enc, f->table.n_rows, &back, 0);
  trip_stats ts = {0};
  const tw_gan_layout *l = &f->tr.layout;
  int bad = 0;
  for (int s = 0; s < l->n_spans && !bad; ++s) {
    const tw_gan_span *sp = &l->spans[s];
    const tw_gan_colx *c = &f->tr.cols[sp->column];
    const double *x = tw_gan_col(&f->table, sp->column), *b = tw_gan_col(&back, sp->column);
    for (int64_t i = 0; i < f->table.n_rows && !bad; ++i) {
      const float *span = f->enc + i * l->width + sp->start;
      int ok = c->kind == TW_GAN_DISCRETE ? (ts.exact++, b[i] == x[i]) : cell_ok(c, span, x[i], b[i], &ts);
      if (!ok)
        bad = 1, fprintf(stderr, "%s: column %s row %lld: %.17g decoded as %.17g\n", what,
                         f->tr.schema.cols[sp->column].name, (long long)i, x[i], b[i]);
    }
    if (c->kind == TW_GAN_CONTINUOUS) ++s;
  }
  tw_gan_table_free(&back);
  printf("%s: %lld rows x %d columns, width %d: %lld discrete cells exact, %lld missing, %lld continuous within "
         "float rounding of alpha (worst %.3f of 4 sigma 2^-24), %lld clipped to +-0.99\n",
         what, (long long)f->table.n_rows, f->tr.schema.n_cols, l->width, (long long)ts.exact, (long long)ts.missing,
         (long long)ts.within, ts.worst, (long long)ts.clipped);
  CHECK(!bad);
  CHECK(ts.within > 0);
}

static void test_mixed(void) {
  fitted *fp;
  CHECK_OK(fitted_get(TW_TEST_DATA_DIR "/gan/mixed/real.h5", &fp));
  const fitted f = *fp;
  check_layout(&f.tr);
  check_encoded(&f.tr, f.enc, f.table.n_rows);
  check_round_trip(&f, "mixed fixture");
  int missing_cols = 0, log_cols = 0, strings = 0;
  for (int j = 0; j < f.tr.schema.n_cols; ++j)
    missing_cols += f.tr.cols[j].has_missing, log_cols += f.tr.cols[j].log_space, strings += f.tr.schema.cols[j].strings;
  CHECK(missing_cols >= 1 && log_cols >= 1 && strings >= 1); /* the fixture exercises each */
}

static void test_t1d(void) {
  if (!t1d_path) return;
  fitted *fp;
  CHECK_OK(fitted_get(t1d_path, &fp));
  const fitted f = *fp;
  check_layout(&f.tr);
  check_encoded(&f.tr, f.enc, f.table.n_rows);
  check_round_trip(&f, "t1d cohort");
  CHECK(f.tr.pack && !strcmp(f.tr.pack, "t1d"));
}

/* ---- the component draw ---- */

/* A row and continuous column whose value's posterior over the kept
** components has its largest probability below 0.8; 0 when none. */
static int split_value(const fitted *f, int *col, int64_t *row, double *prob) {
  for (int j = 0; j < f->tr.schema.n_cols; ++j) {
    const tw_gan_colx *c = &f->tr.cols[j];
    if (c->kind != TW_GAN_CONTINUOUS || c->n_kept < 2) continue;
    for (int64_t i = 0; i < f->table.n_rows; ++i) {
      double x = tw_gan_col(&f->table, j)[i], p[TW_VGM_MAX_COMPONENTS], tot = 0.0, top = 0.0;
      if (isnan(x)) continue;
      tw_vgm_posterior(&c->vgm, c->log_space ? log(x) : x, p);
      for (int q = 0; q < c->n_kept; ++q) tot += p[c->kept[q]];
      for (int q = 0; q < c->n_kept; ++q) prob[q] = p[c->kept[q]] / tot, top = fmax(top, prob[q]);
      if (top < 0.8) return *col = j, *row = i, 1;
    }
  }
  return 0;
}

static void test_component_draw(void) {
  fitted *fp;
  CHECK_OK(fitted_get(TW_TEST_DATA_DIR "/gan/mixed/real.h5", &fp));
  const fitted f = *fp;
  int j;
  int64_t i0, n = 20000;
  double prob[TW_VGM_MAX_COMPONENTS];
  CHECK(split_value(&f, &j, &i0, prob));
  tw_gan_table copies;
  CHECK_OK(tw_gan_table_alloc(&f.tr.schema, n, &copies));
  for (int c = 0; c < f.tr.schema.n_cols; ++c)
    for (int64_t i = 0; i < n; ++i) copies.data[(size_t)c * (size_t)n + (size_t)i] = tw_gan_col(&f.table, c)[i0];
  int w = f.tr.layout.width, s = tw_gan_column_span(&f.tr, j);
  float *enc = malloc((size_t)n * (size_t)w * sizeof *enc);
  CHECK_OK(tw_gan_encode(&f.tr, &copies, 11, 0, n, enc));
  const tw_gan_colx *c = &f.tr.cols[j];
  for (int q = 0; q < c->n_kept; ++q) {
    int64_t hits = 0;
    for (int64_t i = 0; i < n; ++i) hits += enc[i * w + f.tr.layout.spans[s + 1].start + q] == 1.0f;
    double freq = (double)hits / (double)n, se = sqrt(prob[q] * (1 - prob[q]) / (double)n);
    printf("column %s value %.6g: component %d posterior %.4f, drawn %.4f (%.1f se)\n", f.tr.schema.cols[j].name,
           tw_gan_col(&f.table, j)[i0], c->kept[q], prob[q], freq, se > 0 ? (freq - prob[q]) / se : 0.0);
    CHECK(fabs(freq - prob[q]) <= 4 * se + 1e-12);
  }
  free(enc);
  tw_gan_table_free(&copies);
}

/* ---- determinism ---- */

static void test_determinism(void) {
  fitted *fp;
  CHECK_OK(fitted_get(t1d_path ? t1d_path : TW_TEST_DATA_DIR "/gan/mixed/real.h5", &fp));
  const fitted f = *fp;
  int64_t n = f.table.n_rows, w = f.tr.layout.width, half = n / 3;
  size_t bytes = (size_t)(n * w) * sizeof(float);
  float *a = malloc(bytes), *b = malloc(bytes);
#if defined(_OPENMP)
  int was = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK_OK(tw_gan_encode(&f.tr, &f.table, 7, 0, n, a));
  omp_set_num_threads(2);
  CHECK_OK(tw_gan_encode(&f.tr, &f.table, 7, 0, n, b));
  omp_set_num_threads(was);
  CHECK(!memcmp(a, b, bytes));
#endif
  CHECK(!memcmp(a, f.enc, bytes));
  CHECK_OK(tw_gan_encode(&f.tr, &f.table, 7, 0, half, b));
  CHECK_OK(tw_gan_encode(&f.tr, &f.table, 7, half, n - half, b + half * w));
  CHECK(!memcmp(a, b, bytes));
  CHECK_OK(tw_gan_encode(&f.tr, &f.table, 8, 0, n, b));
  CHECK(memcmp(a, b, bytes)); /* another seed, other components somewhere */
  tw_gan_transformer tr2;
  CHECK_OK(tw_gan_transformer_fit(&f.table, 1, &tr2)); /* one thread fits the same mixtures */
  for (int j = 0; j < f.tr.schema.n_cols; ++j) CHECK(!memcmp(&tr2.cols[j].vgm, &f.tr.cols[j].vgm, sizeof tr2.cols[j].vgm));
  tw_gan_transformer_free(&tr2);
  free(a), free(b);
}

/* ---- save / load ---- */

static void same_transformer(const tw_gan_transformer *a, const tw_gan_transformer *b) {
  CHECK_EQ_INT(a->schema.n_cols, b->schema.n_cols);
  CHECK_EQ_INT(a->n_rows, b->n_rows);
  CHECK((a->pack == NULL) == (b->pack == NULL) && (!a->pack || !strcmp(a->pack, b->pack)));
  for (int j = 0; j < a->schema.n_cols; ++j) {
    const tw_gan_column *x = &a->schema.cols[j], *y = &b->schema.cols[j];
    CHECK_EQ_STR(x->name, y->name);
    CHECK_EQ_STR(x->dataset, y->dataset);
    CHECK_EQ_STR(a->units[j], b->units[j]);
    CHECK(x->kind == y->kind && x->strings == y->strings && x->n_labels == y->n_labels);
    for (int64_t k = 0; k < x->n_labels; ++k) CHECK_EQ_STR(x->labels[k], y->labels[k]);
    const tw_gan_colx *c = &a->cols[j], *d = &b->cols[j];
    CHECK(c->log_space == d->log_space && c->has_missing == d->has_missing && c->n_kept == d->n_kept);
    CHECK(!memcmp(c->kept, d->kept, sizeof c->kept));
    CHECK(c->n_cats == d->n_cats);
    CHECK(!c->n_cats || (!memcmp(c->cats, d->cats, (size_t)c->n_cats * sizeof *c->cats) &&
                         !memcmp(c->counts, d->counts, (size_t)c->n_cats * sizeof *c->counts)));
    if (c->kind == TW_GAN_CONTINUOUS) {
      CHECK_EQ_INT(c->vgm.k, d->vgm.k);
      for (int q = 0; q < c->vgm.k; ++q)
        CHECK(c->vgm.mean[q] == d->vgm.mean[q] && c->vgm.var[q] == d->vgm.var[q] && c->vgm.weight[q] == d->vgm.weight[q] &&
              c->vgm.log_const[q] == d->vgm.log_const[q]);
    }
  }
  CHECK(a->layout.width == b->layout.width && a->layout.n_spans == b->layout.n_spans &&
        a->layout.cond_width == b->layout.cond_width && a->layout.n_cond_spans == b->layout.n_cond_spans);
  CHECK(!memcmp(a->layout.spans, b->layout.spans, (size_t)a->layout.n_spans * sizeof *a->layout.spans));
}

static void save_load_one(const char *cohort, const char *name) {
  fitted *fp;
  CHECK_OK(fitted_get(cohort, &fp));
  const fitted f = *fp;
  char path[128];
  snprintf(path, sizeof path, "%s/%s", tmp_dir, name);
  tw_h5_file *h;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &h));
  CHECK_OK(tw_gan_transformer_save(h, &f.tr));
  CHECK_OK(tw_h5_close(h));
  tw_gan_transformer back;
  CHECK_OK(tw_h5_open(path, NULL, &h));
  CHECK_OK(tw_gan_transformer_load(h, &back));
  CHECK_OK(tw_h5_close(h));
  same_transformer(&f.tr, &back);
  int64_t n = f.table.n_rows, w = f.tr.layout.width;
  float *e = malloc((size_t)(n * w) * sizeof *e);
  CHECK_OK(tw_gan_encode(&back, &f.table, 7, 0, n, e));
  CHECK(!memcmp(e, f.enc, (size_t)(n * w) * sizeof *e));
  tw_gan_table d1, d2;
  CHECK_OK(tw_gan_table_alloc(&f.tr.schema, n, &d1));
  CHECK_OK(tw_gan_table_alloc(&back.schema, n, &d2));
  tw_gan_decode(&f.tr, e, n, &d1, 0);
  tw_gan_decode(&back, e, n, &d2, 0);
  for (int64_t k = 0; k < n * f.tr.schema.n_cols; ++k)
    CHECK((isnan(d1.data[k]) && isnan(d2.data[k])) || d1.data[k] == d2.data[k]);
  tw_gan_table_free(&d1), tw_gan_table_free(&d2);
  free(e);
  tw_gan_transformer_free(&back);
}

static void test_save_load(void) {
  save_load_one(TW_TEST_DATA_DIR "/gan/mixed/real.h5", "mixed_model.h5");
  if (t1d_path) save_load_one(t1d_path, "t1d_model.h5");
  tw_h5_file *h;
  tw_gan_transformer none;
  CHECK_OK(tw_h5_open(TW_TEST_DATA_DIR "/gan/mixed/real.h5", NULL, &h));
  CHECK_STATUS(tw_gan_transformer_load(h, &none), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "not a GAN model file"));
  tw_error_clear();
  CHECK_OK(tw_h5_close(h));
  if (!t1d_path) return;
  fitted *t1d, *mixed;
  CHECK_OK(fitted_get(t1d_path, &t1d));
  CHECK_OK(fitted_get(TW_TEST_DATA_DIR "/gan/mixed/real.h5", &mixed));
  CHECK_OK(tw_gan_transformer_check_schema(&t1d->tr, &t1d->schema, "the same cohort"));
  CHECK_STATUS(tw_gan_transformer_check_schema(&t1d->tr, &mixed->schema, "real.h5"), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "another cohort schema"));
  tw_error_clear();
}

/* ---- fixed combinations ---- */

/* Distinct strings of the cohort's /cohort/reference. */
static int64_t distinct_references(const char *path) {
  tw_h5_file *h;
  char **ref = NULL;
  int64_t n = 0, k = 0;
  if (tw_h5_open(path, NULL, &h) != TW_OK) return -1;
  if (tw_h5_read_strings(h, "/cohort/reference", &ref, &n) == TW_OK)
    for (int64_t i = 0; i < n; ++i) {
      int seen = 0;
      for (int64_t j = 0; j < i && !seen; ++j) seen = !strcmp(ref[i], ref[j]);
      k += !seen;
    }
  for (int64_t i = 0; i < n; ++i) free(ref[i]);
  free(ref);
  tw_h5_close(h);
  return k;
}

/* The combination's spans: none for the members but the first, whose span is
** a softmax over the tuples and a condition span; every other column keeps a
** span. */
static void check_combo_layout(const tw_gan_transformer *tr) {
  const tw_gan_combo *c = &tr->combo;
  for (int j = 0; j < tr->schema.n_cols; ++j) {
    const int s = tw_gan_column_span(tr, j), role = tw_gan_combo_role(c, j);
    CHECK_MSG(role == 2 ? s < 0 : s >= 0, "column %s: role %d, span %d", tr->schema.cols[j].name, role, s);
    if (role != 1) continue;
    CHECK(tr->layout.spans[s].kind == TW_GAN_SPAN_SOFTMAX && tr->layout.spans[s].width == c->n);
    int cond = 0;
    for (int d = 0; d < tr->layout.n_cond_spans; ++d) cond += tr->layout.cond_span[d] == s;
    CHECK_EQ_INT(cond, 1);
  }
}

static void check_combo_rows(const fitted *f, const tw_gan_transformer *tr, const float *enc) {
  const int64_t n = f->table.n_rows, w = tr->layout.width;
  const tw_gan_span *sp = &tr->layout.spans[tw_gan_column_span(tr, tr->combo.cols[0])];
  tw_gan_table back;
  CHECK_OK(tw_gan_table_alloc(&tr->schema, n, &back));
  tw_gan_decode(tr, enc, n, &back, 0);
  int64_t bad = 0, sum = 0;
  for (int64_t k = 0; k < tr->combo.n; ++k) sum += tr->combo.counts[k];
  for (int64_t i = 0; i < n; ++i) {
    const float *v = enc + i * w + sp->start;
    int ones = 0;
    for (int q = 0; q < sp->width; ++q) ones += v[q] == 1.0f, bad += v[q] != 0.0f && v[q] != 1.0f;
    bad += ones != 1 || v[tw_gan_combo_row(&tr->combo, &f->table, i)] != 1.0f;
    for (int q = 0; q < tr->combo.n_cols; ++q)
      bad += tw_gan_col(&back, tr->combo.cols[q])[i] != tw_gan_col(&f->table, tr->combo.cols[q])[i];
  }
  tw_gan_table_free(&back);
  CHECK_EQ_INT(sum, n);
  CHECK_MSG(bad == 0, "%lld rows misencoded or misdecoded", (long long)bad);
}

/* Each continuous column outside the combination: shifted exactly when its
** tuples explain at least TW_GAN_SHIFT_R2 of its variance, by each tuple's
** mean (recomputed here); shifted columns decode back to their values. */
static void check_shifts(const fitted *f, const tw_gan_transformer *tr, const float *enc) {
  const int64_t n = f->table.n_rows, T = tr->combo.n;
  double *sum = calloc((size_t)T + 1, sizeof *sum);
  tw_gan_table back;
  CHECK_OK(tw_gan_table_alloc(&tr->schema, n, &back));
  tw_gan_decode(tr, enc, n, &back, 0);
  int shifted = 0;
  for (int j = 0; j < tr->schema.n_cols; ++j) {
    const tw_gan_colx *c = &tr->cols[j];
    if (c->kind != TW_GAN_CONTINUOUS || tw_gan_combo_role(&tr->combo, j) || c->has_missing) {
      CHECK(c->shift == NULL);
      continue;
    }
    const double *x = tw_gan_col(&f->table, j);
    memset(sum, 0, (size_t)(T + 1) * sizeof *sum);
    double all = 0.0, total = 0.0, within = 0.0;
    for (int64_t i = 0; i < n; ++i) all += c->log_space ? log(x[i]) : x[i];
    all /= (double)n;
    for (int64_t i = 0; i < n; ++i) sum[tw_gan_combo_row(&tr->combo, &f->table, i)] += c->log_space ? log(x[i]) : x[i];
    for (int64_t i = 0; i < n; ++i) {
      const double y = c->log_space ? log(x[i]) : x[i], m = sum[tw_gan_combo_row(&tr->combo, &f->table, i)] /
                                                          (double)tr->combo.counts[tw_gan_combo_row(&tr->combo, &f->table, i)];
      total += (y - all) * (y - all), within += (y - m) * (y - m);
    }
    const int want = total > 0.0 && within <= (1.0 - TW_GAN_SHIFT_R2) * total;
    CHECK_MSG(want == (c->shift != NULL), "column %s: R2 %.3f, shifted %d", tr->schema.cols[j].name,
              1.0 - within / total, c->shift != NULL);
    if (!want || !c->shift) continue;
    ++shifted;
    for (int64_t k = 0; k < T; ++k) CHECK_NEAR(c->shift[k], sum[k] / (double)tr->combo.counts[k], 1e-12);
    CHECK_NEAR(c->shift[T], all, 1e-12);
    int64_t off = 0;
    for (int64_t i = 0; i < n; ++i) off += fabs(tw_gan_col(&back, j)[i] - x[i]) > 1e-5 * fabs(x[i]);
    CHECK_MSG(off <= n / 100, "column %s: %lld of %lld rows decode more than 1e-5 off", tr->schema.cols[j].name,
              (long long)off, (long long)n);
  }
  printf("t1d cohort: %d columns shifted by their tuple's mean\n", shifted);
  CHECK(shifted >= 1);
  free(sum);
  tw_gan_table_free(&back);
}

static void test_combo(void) {
  fitted *mixed;
  CHECK_OK(fitted_get(TW_TEST_DATA_DIR "/gan/mixed/real.h5", &mixed));
  tw_gan_combo none;
  CHECK_OK(tw_gan_combo_find(&mixed->table, 100, &none));
  CHECK_EQ_INT(none.n_cols, 0);
  if (!t1d_path) return;
  fitted *fp;
  CHECK_OK(fitted_get(t1d_path, &fp));
  tw_gan_transformer tr;
  CHECK_OK(tw_gan_transformer_fit(&fp->table, 0, &tr));
  CHECK_OK(tw_gan_transformer_combine(&tr, &fp->table, 0));
  const tw_gan_combo *c = &tr.combo;
  printf("t1d cohort: a fixed combination of %d columns in %lld tuples; width %d (without: %d)\n", c->n_cols,
         (long long)c->n, tr.layout.width, fp->tr.layout.width);
  CHECK(c->n_cols >= 2 && c->n == distinct_references(t1d_path));
  for (int q = 0; q < c->n_cols; ++q) CHECK(tr.schema.cols[c->cols[q]].kind == TW_GAN_CONTINUOUS);
  check_combo_layout(&tr);
  const int64_t n = fp->table.n_rows, w = tr.layout.width;
  float *e = malloc((size_t)(n * w) * sizeof *e), *e2 = malloc((size_t)(n * w) * sizeof *e2);
  CHECK_OK(tw_gan_encode(&tr, &fp->table, 7, 0, n, e));
  check_combo_rows(fp, &tr, e);
  check_shifts(fp, &tr, e);
  char path[128];
  snprintf(path, sizeof path, "%s/combo_model.h5", tmp_dir);
  tw_h5_file *h;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &h));
  CHECK_OK(tw_gan_transformer_save(h, &tr));
  CHECK_OK(tw_h5_close(h));
  tw_gan_transformer back;
  CHECK_OK(tw_h5_open(path, NULL, &h));
  CHECK_OK(tw_gan_transformer_load(h, &back));
  CHECK_OK(tw_h5_close(h));
  CHECK(back.combo.n_cols == c->n_cols && back.combo.n == c->n);
  CHECK(!memcmp(back.combo.cols, c->cols, (size_t)c->n_cols * sizeof *c->cols));
  CHECK(!memcmp(back.combo.values, c->values, (size_t)(c->n * c->n_cols) * sizeof *c->values));
  CHECK(!memcmp(back.combo.counts, c->counts, (size_t)c->n * sizeof *c->counts));
  CHECK_EQ_INT(tw_gan_shifted_columns(&back), tw_gan_shifted_columns(&tr));
  for (int j = 0; j < tr.schema.n_cols; ++j)
    CHECK(!tr.cols[j].shift || !memcmp(back.cols[j].shift, tr.cols[j].shift, (size_t)(c->n + 1) * sizeof(double)));
  CHECK_OK(tw_gan_encode(&back, &fp->table, 7, 0, n, e2));
  CHECK(!memcmp(e, e2, (size_t)(n * w) * sizeof *e));
  tw_gan_transformer_free(&back);
  free(e), free(e2);
  tw_gan_transformer_free(&tr);
}

static void test_errors(void) {
  tw_gan_schema s;
  tw_gan_table t;
  tw_gan_transformer tr;
  CHECK_OK(tw_gan_schema_read(TW_TEST_DATA_DIR "/gan/mixed/real.h5", &s));
  CHECK_OK(tw_gan_table_alloc(&s, 1, &t));
  CHECK_STATUS(tw_gan_transformer_fit(&t, 0, &tr), TW_ERR_INPUT);
  tw_error_clear();
  tw_gan_table_free(&t);
  tw_gan_schema_free(&s);
}

/* ---- measurement (--bench) ---- */

static void bench(const char *path) {
  tw_gan_schema s;
  tw_gan_table t;
  CHECK_OK(tw_gan_schema_read(path, &s));
  CHECK_OK(tw_gan_table_read(path, "bench", &s, &t));
  tw_gan_transformer tr;
  double t0 = tw_now_seconds(), c0 = (double)clock() / CLOCKS_PER_SEC;
  CHECK_OK(tw_gan_transformer_fit(&t, 1, &tr));
  double t1 = tw_now_seconds(), c1 = (double)clock() / CLOCKS_PER_SEC;
  int cont = 0, iters = 0;
  for (int j = 0; j < s.n_cols; ++j)
    if (tr.cols[j].kind == TW_GAN_CONTINUOUS) ++cont, iters += tr.cols[j].vgm.n_iter;
  float *e = malloc((size_t)t.n_rows * (size_t)tr.layout.width * sizeof *e);
  double t2 = tw_now_seconds(), c2 = (double)clock() / CLOCKS_PER_SEC;
  CHECK_OK(tw_gan_encode(&tr, &t, 1, 0, t.n_rows, e));
  double t3 = tw_now_seconds(), c3 = (double)clock() / CLOCKS_PER_SEC;
  printf("bench %s: %lld rows, %d continuous columns: fit %.3f s wall, %.3f s CPU on 1 thread (%.3f s CPU per column, "
         "%.1f iterations per column), width %d; encode %.3f s wall, %.3f s CPU (%.0f rows per CPU second)\n",
         path, (long long)t.n_rows, cont, t1 - t0, c1 - c0, (c1 - c0) / cont, (double)iters / cont, tr.layout.width,
         t3 - t2, c3 - c2, (double)t.n_rows / (c3 - c2));
  free(e);
  tw_gan_transformer_free(&tr);
  tw_gan_table_free(&t);
  tw_gan_schema_free(&s);
}

int main(int argc, char **argv) {
  if (argc > 2 && !strcmp(argv[2], "--bench")) {
    bench(argv[1]);
    return 0;
  }
  t1d_path = argc > 1 ? argv[1] : NULL;
  snprintf(tmp_dir, sizeof tmp_dir, "/tmp/tw_gan_transform_XXXXXX");
  if (!mkdtemp(tmp_dir)) return 1;
  TW_TEST_RUN(test_mixed);
  TW_TEST_RUN(test_t1d);
  TW_TEST_RUN(test_component_draw);
  TW_TEST_RUN(test_determinism);
  TW_TEST_RUN(test_save_load);
  TW_TEST_RUN(test_combo);
  TW_TEST_RUN(test_errors);
  for (int k = 0; k < 2; ++k)
    if (cache_path[k]) fitted_free(&cache[k]);
  return TW_TEST_RESULT();
}
