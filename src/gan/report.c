/*
** report.c: the gan report (report.h): the three tables read, the
** QualityReport's two properties and score, the diagnostic adherences and the
** privacy metrics, the quality against the holdout, and the JSON document.
*/
#include <math.h>   /* isnan, NAN */
#include <stdlib.h> /* calloc, malloc, free */
#include <string.h> /* memset */

#include "core/json.h"
#include "gan/metrics.h"
#include "gan/report.h"
#include "gan/validity.h" /* tw_gan_validity_for, tw_gan_invalid_share */
#include "io/h5.h"        /* tw_h5_open, tw_h5_attr_read_string */

/* Mean of the values that are not NaN (pandas' mean; NaN when there are none). */
static double nan_mean(const double *v, int64_t n) {
  double sum = 0;
  int64_t k = 0;
  for (int64_t i = 0; i < n; ++i)
    if (!isnan(v[i])) sum += v[i], ++k;
  return k ? sum / (double)k : NAN;
}

static tw_status column_shapes(const tw_gan_table *real, const tw_gan_table *syn, tw_gan_report *r) {
  const tw_gan_schema *sc = real->schema;
  for (int j = 0; j < sc->n_cols; ++j) {
    const double *x = tw_gan_col(real, j), *y = tw_gan_col(syn, j);
    if (sc->cols[j].kind == TW_GAN_CONTINUOUS)
      TW_TRY(tw_gan_ks_complement(x, real->n_rows, y, syn->n_rows, &r->column_score[j]));
    else
      TW_TRY(tw_gan_tv_complement(x, real->n_rows, y, syn->n_rows, &r->column_score[j]));
  }
  r->column_shapes = nan_mean(r->column_score, sc->n_cols);
  return TW_OK;
}

/* The binned copy of each continuous column of t (codes, (n_cols, n_rows));
** ok[j] 0 where SDMetrics' binning fails. */
static void bin_columns(const tw_gan_table *t, double *codes, int *ok) {
  for (int j = 0; j < t->schema->n_cols; ++j)
    ok[j] = t->schema->cols[j].kind != TW_GAN_CONTINUOUS ||
            tw_gan_digitize(tw_gan_col(t, j), t->n_rows, codes + (size_t)j * (size_t)t->n_rows);
}

typedef struct binned {
  const tw_gan_table *t;
  double *codes;
  int *ok;
} binned;

/* Column j as a discrete column: itself, or its bins; NULL when binning failed. */
static const double *as_discrete(const binned *b, int j) {
  if (b->t->schema->cols[j].kind == TW_GAN_DISCRETE) return tw_gan_col(b->t, j);
  return b->ok[j] ? b->codes + (size_t)j * (size_t)b->t->n_rows : NULL;
}

static tw_status pair_score(const binned *br, const binned *bs, int a, int b, tw_gan_pair_score *p) {
  const tw_gan_table *real = br->t, *syn = bs->t;
  const tw_gan_schema *sc = real->schema;
  p->a = a, p->b = b, p->score = NAN;
  tw_gan_pair out;
  if (sc->cols[a].kind == TW_GAN_CONTINUOUS && sc->cols[b].kind == TW_GAN_CONTINUOUS) {
    p->metric = "CorrelationSimilarity";
    TW_TRY(tw_gan_correlation_similarity(tw_gan_col(real, a), tw_gan_col(real, b), real->n_rows, tw_gan_col(syn, a),
                                         tw_gan_col(syn, b), syn->n_rows, TW_GAN_REAL_CORRELATION_THRESHOLD, &out));
    p->score = out.score;
    return TW_OK;
  }
  p->metric = "ContingencySimilarity";
  const double *ra = as_discrete(br, a), *rb = as_discrete(br, b), *sa = as_discrete(bs, a), *sb = as_discrete(bs, b);
  if (!ra || !rb || !sa || !sb) return TW_OK; /* SDMetrics: "Preprocessing failed", no score */
  TW_TRY(tw_gan_contingency_similarity(ra, rb, real->n_rows, sa, sb, syn->n_rows, TW_GAN_REAL_ASSOCIATION_THRESHOLD,
                                       &out));
  p->score = out.score;
  return TW_OK;
}

static tw_status pair_trends(const binned *br, const binned *bs, tw_gan_report *r) {
  int n = br->t->schema->n_cols, k = 0;
  for (int a = 0; a < n; ++a)
    for (int b = a + 1; b < n; ++b) TW_TRY(pair_score(br, bs, a, b, &r->pairs[k++]));
  r->n_pairs = k;
  double sum = 0;
  int counted = 0;
  for (int i = 0; i < k; ++i)
    if (!isnan(r->pairs[i].score)) sum += r->pairs[i].score, ++counted;
  r->column_pair_trends = counted ? sum / counted : NAN;
  return TW_OK;
}

tw_status tw_gan_quality(const tw_gan_table *real, const tw_gan_table *syn, tw_gan_report *r) {
  int n = real->schema->n_cols;
  size_t n_pairs = (size_t)n * (size_t)(n - 1) / 2;
  r->column_score = calloc((size_t)n, sizeof *r->column_score);
  r->pairs = calloc(n_pairs ? n_pairs : 1, sizeof *r->pairs);
  binned br = {real, malloc((size_t)n * (size_t)real->n_rows * sizeof(double)), calloc((size_t)n, sizeof(int))};
  binned bs = {syn, malloc((size_t)n * (size_t)syn->n_rows * sizeof(double)), calloc((size_t)n, sizeof(int))};
  tw_status st = TW_OK;
  if (!r->column_score || !r->pairs || !br.codes || !br.ok || !bs.codes || !bs.ok) {
    st = TW_FAIL(TW_ERR_NOMEM, "out of memory: the quality report of %d columns", n);
  } else {
    bin_columns(real, br.codes, br.ok);
    bin_columns(syn, bs.codes, bs.ok);
    st = column_shapes(real, syn, r);
    if (st == TW_OK) st = pair_trends(&br, &bs, r);
  }
  free(br.codes), free(br.ok), free(bs.codes), free(bs.ok);
  double parts[2] = {r->column_shapes, r->column_pair_trends};
  r->score = nan_mean(parts, 2);
  return st;
}

tw_status tw_gan_holdout_quality(tw_gan_report *r) {
  tw_gan_report h;
  memset(&h, 0, sizeof h);
  tw_status st = tw_gan_quality(&r->holdout, &r->synthetic, &h);
  double *q = r->holdout_quality;
  q[0] = h.score, q[1] = h.column_shapes, q[2] = h.column_pair_trends;
  free(h.column_score), free(h.pairs);
  return st;
}

tw_status tw_gan_diagnostic(tw_gan_report *r) {
  const tw_gan_table *real = &r->real, *syn = &r->synthetic;
  if (!(r->adherence = calloc((size_t)r->schema.n_cols, sizeof *r->adherence)))
    return TW_FAIL(TW_ERR_NOMEM, "out of memory: adherence");
  for (int j = 0; j < r->schema.n_cols; ++j) {
    const double *x = tw_gan_col(real, j), *y = tw_gan_col(syn, j);
    if (r->schema.cols[j].kind == TW_GAN_CONTINUOUS)
      r->adherence[j] = tw_gan_boundary_adherence(x, real->n_rows, y, syn->n_rows);
    else
      TW_TRY(tw_gan_category_adherence(x, real->n_rows, y, syn->n_rows, &r->adherence[j]));
  }
  return TW_OK;
}

static tw_status privacy(tw_gan_report *r) {
  TW_TRY(tw_gan_new_row_synthesis(&r->real, &r->synthetic, TW_GAN_NUMERICAL_MATCH_TOLERANCE, &r->new_row_synthesis));
  double *d = malloc((size_t)(r->synthetic.n_rows + 1) * sizeof *d); /* DCR(synthetic -> real), used twice */
  if (!d) return TW_FAIL(TW_ERR_NOMEM, "out of memory: DCR of %lld rows", (long long)r->synthetic.n_rows);
  r->dcr_syn_real = d;
  TW_TRY(tw_gan_dcr(&r->synthetic, &r->real, d));
  TW_TRY(tw_gan_dcr_overfitting(&r->real, &r->synthetic, &r->holdout, d, &r->dcr_overfitting_protection));
  return tw_gan_dcr_baseline(&r->real, &r->synthetic, d, r->seed, &r->dcr_baseline_protection,
                             r->dcr_baseline_medians);
}

/* The real cohort's pack and its checker (none without a `pack` attribute). */
static tw_status read_pack(const char *real, tw_gan_report *r) {
  tw_h5_file *f;
  TW_TRY(tw_h5_open(real, NULL, &f));
  if (tw_h5_attr_read_string(f, "pack", &r->pack) != TW_OK) tw_error_clear(), r->pack = NULL;
  tw_status st = tw_h5_close(f);
  if (st != TW_OK || !r->pack) return st;
  if (!(r->validity = calloc(1, sizeof *r->validity))) return TW_FAIL(TW_ERR_NOMEM, "out of memory: validity");
  st = tw_gan_validity_for(&r->schema, r->pack, NULL, 0, r->validity);
  if (st != TW_OK) free(r->validity), r->validity = NULL;
  return st;
}

tw_status tw_gan_report_validity(tw_gan_report *r) {
  r->invalid_share = NAN;
  return r->validity ? tw_gan_invalid_share(r->validity, &r->synthetic, &r->invalid_share) : TW_OK;
}

static tw_status run(const char *real, const char *syn, const char *holdout, tw_gan_report *r) {
  TW_TRY(tw_gan_schema_read(real, &r->schema));
  TW_TRY(tw_gan_table_read(real, "the real cohort", &r->schema, &r->real));
  TW_TRY(tw_gan_table_read(syn, "the synthetic cohort", &r->schema, &r->synthetic));
  TW_TRY(tw_gan_table_read(holdout, "the holdout cohort", &r->schema, &r->holdout));
  TW_TRY(read_pack(real, r));
  TW_TRY(tw_gan_quality(&r->real, &r->synthetic, r));
  TW_TRY(tw_gan_holdout_quality(r));
  TW_TRY(tw_gan_diagnostic(r));
  TW_TRY(tw_gan_report_validity(r));
  return privacy(r);
}

tw_status tw_gan_report_run(const char *real, const char *synthetic, const char *holdout, uint64_t seed,
                            tw_gan_report *r) {
  memset(r, 0, sizeof *r);
  r->seed = seed;
  r->paths[0] = real, r->paths[1] = synthetic, r->paths[2] = holdout;
  tw_status st = run(real, synthetic, holdout, r);
  if (st != TW_OK) tw_gan_report_free(r);
  return st;
}

void tw_gan_report_values(const tw_gan_report *r, double *v) {
  v[TW_GAN_V_SCORE] = r->score, v[TW_GAN_V_SHAPES] = r->column_shapes, v[TW_GAN_V_TRENDS] = r->column_pair_trends;
  for (int j = 0; j < r->schema.n_cols; ++j)
    v[TW_GAN_V_COLUMNS + j] = r->column_score[j], v[tw_gan_v_adherence(r, j)] = r->adherence[j];
  for (int k = 0; k < r->n_pairs; ++k) v[tw_gan_v_pair(r, k)] = r->pairs[k].score;
  v[tw_gan_v_privacy(r, 0)] = r->new_row_synthesis;
  v[tw_gan_v_privacy(r, 1)] = r->dcr_overfitting_protection;
  v[tw_gan_v_privacy(r, 2)] = r->dcr_baseline_protection;
  v[tw_gan_v_invalid(r)] = r->invalid_share;
  for (int p = 0; p < 3; ++p) v[tw_gan_v_holdout(r, p)] = r->holdout_quality[p];
}

/* What the JSON writers print for value i: the number (draws == 0), or the
** spread of its draws as {"mean", "sd", "min", "max", "n"}. */
typedef struct emitter {
  const double *values; /* (max(draws, 1), stride) */
  int draws, stride;
} emitter;

static void write_spread(tw_json_writer *w, tw_gan_spread s) {
  tw_json_begin_object(w);
  tw_json_key(w, "mean"), tw_json_number(w, s.mean);
  tw_json_key(w, "sd"), tw_json_number(w, s.sd);
  tw_json_key(w, "min"), tw_json_number(w, s.min);
  tw_json_key(w, "max"), tw_json_number(w, s.max);
  tw_json_key(w, "n"), tw_json_int(w, s.n);
  tw_json_end_object(w);
}

static void emit(tw_json_writer *w, const emitter *e, const char *key, int i) {
  tw_json_key(w, key);
  if (e->draws) write_spread(w, tw_gan_spread_of(e->values, e->draws, e->stride, i));
  else tw_json_number(w, e->values[i]);
}

static void write_columns(tw_json_writer *w, const tw_gan_report *r, const emitter *e) {
  const tw_gan_schema *sc = &r->schema;
  tw_json_key(w, "columns");
  tw_json_begin_object(w);
  for (int j = 0; j < sc->n_cols; ++j) {
    tw_json_key(w, sc->cols[j].name);
    tw_json_begin_object(w);
    const char *metric = sc->cols[j].kind == TW_GAN_CONTINUOUS ? "KSComplement" : "TVComplement";
    tw_json_key(w, "metric"), tw_json_string(w, metric);
    emit(w, e, "score", TW_GAN_V_COLUMNS + j);
    tw_json_end_object(w);
  }
  tw_json_end_object(w);
}

static void write_pairs(tw_json_writer *w, const tw_gan_report *r, const emitter *e) {
  const tw_gan_schema *sc = &r->schema;
  tw_json_key(w, "pairs");
  tw_json_begin_array(w);
  for (int k = 0; k < r->n_pairs; ++k) {
    const tw_gan_pair_score *p = &r->pairs[k];
    tw_json_begin_object(w);
    tw_json_key(w, "columns");
    tw_json_begin_array(w);
    tw_json_string(w, sc->cols[p->a].name), tw_json_string(w, sc->cols[p->b].name);
    tw_json_end_array(w);
    tw_json_key(w, "metric"), tw_json_string(w, p->metric);
    emit(w, e, "score", tw_gan_v_pair(r, k));
    tw_json_end_object(w);
  }
  tw_json_end_array(w);
}

/* score, column_shapes, column_pair_trends: values first, first + 1, first + 2. */
static void write_scores(tw_json_writer *w, const emitter *e, int first) {
  emit(w, e, "score", first);
  emit(w, e, "column_shapes", first + 1);
  emit(w, e, "column_pair_trends", first + 2);
}

static void write_quality(tw_json_writer *w, const tw_gan_report *r, const emitter *e) {
  tw_json_key(w, "quality");
  tw_json_begin_object(w);
  write_scores(w, e, TW_GAN_V_SCORE);
  write_columns(w, r, e);
  write_pairs(w, r, e);
  tw_json_end_object(w);
}

static void write_adherence(tw_json_writer *w, const tw_gan_report *r, const emitter *e, const char *key,
                            tw_gan_kind kind) {
  tw_json_key(w, key);
  tw_json_begin_object(w);
  for (int j = 0; j < r->schema.n_cols; ++j)
    if (r->schema.cols[j].kind == kind) emit(w, e, r->schema.cols[j].name, tw_gan_v_adherence(r, j));
  tw_json_end_object(w);
}

/* quality, diagnostic, privacy: the synthetic table's numbers or a baseline's spreads. */
static void write_parts(tw_json_writer *w, const tw_gan_report *r, const emitter *e) {
  write_quality(w, r, e);
  tw_json_key(w, "holdout_quality");
  tw_json_begin_object(w);
  write_scores(w, e, tw_gan_v_holdout(r, 0));
  tw_json_end_object(w);
  tw_json_key(w, "diagnostic");
  tw_json_begin_object(w);
  write_adherence(w, r, e, "boundary_adherence", TW_GAN_CONTINUOUS);
  write_adherence(w, r, e, "category_adherence", TW_GAN_DISCRETE);
  tw_json_end_object(w);
  tw_json_key(w, "privacy");
  tw_json_begin_object(w);
  emit(w, e, "new_row_synthesis", tw_gan_v_privacy(r, 0));
  emit(w, e, "dcr_overfitting_protection", tw_gan_v_privacy(r, 1));
  emit(w, e, "dcr_baseline_protection", tw_gan_v_privacy(r, 2));
  tw_json_end_object(w);
  if (!r->pack) return;
  tw_json_key(w, "validity");
  tw_json_begin_object(w);
  tw_json_key(w, "pack"), tw_json_string(w, r->pack);
  emit(w, e, "invalid_share", tw_gan_v_invalid(r));
  tw_json_end_object(w);
}

/* key: the spread of n draws, null when there are none. */
static void write_draws(tw_json_writer *w, const char *key, const double *draws, int n) {
  tw_json_key(w, key);
  if (n) write_spread(w, tw_gan_spread_of(draws, n, 1, 0));
  else tw_json_null(w);
}

/* "utility": R^2 on the holdout trial's twins of ridge models trained on each
** table; a baseline's as the spread of its draws (the copula's: one per trial
** of its draws given, null without). */
static void write_utility(tw_json_writer *w, const tw_gan_utility *u) {
  tw_json_key(w, "utility");
  tw_json_begin_object(w);
  tw_json_key(w, "endpoint"), tw_json_string(w, u->endpoint);
  tw_json_key(w, "arm"), tw_json_string(w, u->arm);
  tw_json_key(w, "model"), tw_json_string(w, "ridge regression, alpha 1");
  tw_json_key(w, "score"), tw_json_string(w, "R2 on the holdout trial's twins");
  tw_json_key(w, "features"), tw_json_int(w, u->features);
  tw_json_key(w, "rows");
  tw_json_begin_object(w);
  tw_json_key(w, "real"), tw_json_int(w, u->rows[0]);
  tw_json_key(w, "synthetic"), tw_json_int(w, u->rows[1]);
  tw_json_key(w, "holdout"), tw_json_int(w, u->rows[2]);
  if (u->n_copula) {
    tw_json_key(w, "gaussian_copula");
    tw_json_begin_array(w);
    for (int k = 0; k < u->n_copula; ++k) tw_json_int(w, u->rows_copula[k]);
    tw_json_end_array(w);
  }
  tw_json_end_object(w);
  tw_json_key(w, "train_real"), tw_json_number(w, u->r2_real);
  tw_json_key(w, "train_synthetic"), tw_json_number(w, u->r2_synthetic);
  tw_json_key(w, "baselines");
  tw_json_begin_object(w);
  write_draws(w, "gaussian_copula", u->r2_copula, u->n_copula);
  write_draws(w, "bootstrap", u->r2_bootstrap, u->n_seeds);
  tw_json_end_object(w);
  tw_json_end_object(w);
}

/* A smoothed bootstrap's "smoothing": the bandwidth the report matched. */
static void write_smoothing(tw_json_writer *w, const tw_gan_report *r) {
  tw_json_key(w, "smoothing");
  tw_json_begin_object(w);
  tw_json_key(w, "bandwidth"), tw_json_number(w, r->smoothing.bandwidth);
  tw_json_key(w, "swap"), tw_json_number(w, r->smoothing.swap);
  tw_json_key(w, "matched"), tw_json_bool(w, r->smoothing_matched);
  tw_json_end_object(w);
}

/* A verdict: true, false, or null (undecided). */
static void write_verdict(tw_json_writer *w, const char *key, int v) {
  tw_json_key(w, key);
  if (v < 0) tw_json_null(w);
  else tw_json_bool(w, v);
}

/* "equal_privacy": tw_gan_report_equal_privacy's comparison. */
static void write_equal_privacy(tw_json_writer *w, const tw_gan_report *r) {
  const tw_gan_equal_privacy e = tw_gan_report_equal_privacy(r);
  tw_json_key(w, "equal_privacy");
  tw_json_begin_object(w);
  tw_json_key(w, "baselines");
  tw_json_begin_object(w);
  for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b) {
    if (!tw_gan_report_baseline_list[b].equal_privacy) continue;
    tw_json_key(w, tw_gan_report_baseline_list[b].key);
    tw_json_begin_object(w);
    tw_json_key(w, "as_private"), tw_json_bool(w, e.as_private[b]);
    tw_json_key(w, "beaten"), tw_json_bool(w, e.beaten[b][0]);
    tw_json_key(w, "beaten_against_holdout"), tw_json_bool(w, e.beaten[b][1]);
    tw_json_end_object(w);
  }
  tw_json_end_object(w);
  write_verdict(w, "beats_baselines", e.verdict[0]);
  write_verdict(w, "beats_baselines_against_holdout", e.verdict[1]);
  tw_json_end_object(w);
}

static void write_seeds(tw_json_writer *w, const tw_gan_report *r) {
  tw_json_key(w, "seeds");
  tw_json_begin_object(w);
  tw_json_key(w, "first"), tw_json_int(w, (int64_t)r->seed);
  tw_json_key(w, "count"), tw_json_int(w, r->n_seeds);
  tw_json_key(w, "interval"), tw_json_string(w, "min-max");
  tw_json_key(w, "dcr_baseline_protection");
  write_spread(w, tw_gan_spread_of(r->dcr_baseline_draws, r->n_seeds, 1, 0));
  tw_json_end_object(w);
  tw_json_key(w, "baselines");
  tw_json_begin_object(w);
  for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b) {
    emitter e = {r->baseline_values[b], r->n_seeds, tw_gan_report_n_values(r)};
    tw_json_key(w, tw_gan_report_baseline_list[b].key);
    tw_json_begin_object(w);
    write_parts(w, r, &e);
    if (tw_gan_report_baseline_list[b].kind == TW_GAN_BASELINE_SMOOTHED) write_smoothing(w, r);
    tw_json_end_object(w);
  }
  tw_json_end_object(w);
  write_equal_privacy(w, r);
}

typedef struct document_ctx {
  const tw_gan_report *r;
  const double *values; /* the synthetic table's, (tw_gan_report_n_values) */
} document_ctx;

static void report_document(tw_json_writer *w, const void *ctx) {
  const document_ctx *d = ctx;
  emitter e = {d->values, 0, 0};
  tw_json_begin_object(w);
  write_parts(w, d->r, &e);
  if (d->r->utility) write_utility(w, d->r->utility);
  if (d->r->n_seeds) write_seeds(w, d->r);
  tw_json_end_object(w);
}

tw_status tw_gan_report_write_json(const tw_gan_report *r, const char *path) {
  double *v = malloc((size_t)tw_gan_report_n_values(r) * sizeof *v);
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "out of memory: the report's %d numbers", tw_gan_report_n_values(r));
  tw_gan_report_values(r, v);
  document_ctx d = {r, v};
  tw_status st = tw_json_write_file(path, report_document, &d);
  free(v);
  return st;
}

void tw_gan_report_free(tw_gan_report *r) {
  tw_gan_table_free(&r->real);
  tw_gan_table_free(&r->synthetic);
  tw_gan_table_free(&r->holdout);
  tw_gan_schema_free(&r->schema);
  free(r->column_score);
  free(r->pairs);
  free(r->adherence);
  free(r->dcr_syn_real);
  free(r->dcr_baseline_draws);
  free(r->random_median);
  for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b) free(r->baseline_values[b]), r->baseline_values[b] = NULL;
  if (r->validity) tw_gan_validity_free(r->validity);
  free(r->validity), free(r->pack);
  r->validity = NULL, r->pack = NULL;
  if (r->utility) tw_gan_utility_free(r->utility);
  free(r->utility);
  r->utility = NULL;
  r->column_score = r->adherence = r->dcr_syn_real = r->dcr_baseline_draws = r->random_median = NULL;
  r->pairs = NULL;
}
