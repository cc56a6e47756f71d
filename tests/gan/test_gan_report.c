/*
** test_gan_report.c: the gan report against SDMetrics 0.32.0 (issue 12,
** acceptance 1). The fixtures in tests/data/gan/{mixed,edge}/ and their
** expected.json come from validation/gan_sdmetrics.py, tests/data/gan/rare/
** from its --files mode on the rare-condition run (the 60 real addison twins,
** 150 of an ensemble's, the holdout's 60: 55 columns with conditions and
** parameters tied per reference patient, 1,485 pairs); every deterministic
** metric (quality score, both properties, each column's and each pair's
** score, null where SDMetrics' is NaN; the score and both properties
** against the holdout, SDMetrics' QualityReport of (holdout, synthetic);
** each adherence; NewRowSynthesis;
** DCROverfittingProtection) must equal SDMetrics' to 1e-9, and the largest
** difference per metric is printed. DCRBaselineProtection draws random rows:
** the value for seed 0 must lie within 4 sd of SDMetrics' 400 runs, and the
** mean of 100 seeds here within 4 standard errors of SDMetrics' mean (mixed
** and rare). Also:
** the table's schema (kinds, string labels shared across tables), the same
** value for the same seed, the quality of a table against itself, and two
** cases computed by hand (no pair counting; a contingency table).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "gan/metrics.h"
#include "gan/report.h"
#include "tw_test.h"

#define TOL 1e-9

/* Largest |ours - SDMetrics'| per kind of number, printed at the end. */
enum { D_SCORE, D_KS, D_TV, D_CORR, D_CONT, D_BOUND, D_CAT, D_NRS, D_OVER, D_KINDS };
static const char *const D_NAMES[D_KINDS] = {"quality score and properties", "KSComplement", "TVComplement",
                                             "CorrelationSimilarity", "ContingencySimilarity", "BoundaryAdherence",
                                             "CategoryAdherence", "NewRowSynthesis", "DCROverfittingProtection"};
static double max_diff[D_KINDS];
static int compared[D_KINDS];

static char fixture_path[512];
static const char *fixture(const char *set, const char *file) {
  snprintf(fixture_path, sizeof fixture_path, "%s/gan/%s/%s", TW_TEST_DATA_DIR, set, file);
  return fixture_path;
}

/* ours against SDMetrics' JSON value (null = NaN); 1 when equal to TOL. */
static int same(int kind, double ours, const tw_json_value *v, const char *what) {
  if (!v) return fprintf(stderr, "%s: missing in expected.json\n", what), 0;
  compared[kind]++;
  if (v->type == TW_JSON_NULL) {
    if (isnan(ours)) return 1;
    return fprintf(stderr, "%s: %.17g here, null (NaN) in SDMetrics\n", what, ours), 0;
  }
  double d = fabs(ours - v->number);
  if (!(d <= TOL)) return fprintf(stderr, "%s: %.17g here, %.17g in SDMetrics\n", what, ours, v->number), 0;
  if (d > max_diff[kind]) max_diff[kind] = d;
  return 1;
}

static int load_expected(const char *set, tw_json_value *e) {
  size_t len;
  char *text = tw_test_slurp(fixture(set, "expected.json"), &len);
  if (!text) return 0;
  tw_status st = tw_json_parse(text, len, fixture_path, e);
  free(text);
  return st == TW_OK;
}

static int run_fixture(const char *set, uint64_t seed, tw_gan_report *r) {
  char real[512], syn[512], hold[512];
  snprintf(real, sizeof real, "%s", fixture(set, "real.h5"));
  snprintf(syn, sizeof syn, "%s", fixture(set, "synthetic.h5"));
  snprintf(hold, sizeof hold, "%s", fixture(set, "holdout.h5"));
  return tw_gan_report_run(real, syn, hold, seed, r) == TW_OK;
}

/* Every deterministic number of one fixture; returns the count that differ. */
static int compare_fixture(const tw_gan_report *r, const tw_json_value *e) {
  const tw_json_value *q = tw_json_get(e, "quality"), *cols = tw_json_get(q, "columns");
  const tw_json_value *pairs = tw_json_get(q, "pairs"), *d = tw_json_get(e, "diagnostic");
  const tw_json_value *p = tw_json_get(e, "privacy");
  int bad = !same(D_SCORE, r->score, tw_json_get(q, "score"), "quality.score");
  bad += !same(D_SCORE, r->column_shapes, tw_json_get(q, "column_shapes"), "column_shapes");
  bad += !same(D_SCORE, r->column_pair_trends, tw_json_get(q, "column_pair_trends"), "column_pair_trends");
  const tw_json_value *hq = tw_json_get(e, "holdout_quality");
  static const char *const hq_keys[3] = {"score", "column_shapes", "column_pair_trends"};
  for (int k = 0; k < 3; ++k)
    bad += !same(D_SCORE, r->holdout_quality[k], tw_json_get(hq, hq_keys[k]), "holdout_quality");
  for (int j = 0; j < r->schema.n_cols; ++j) {
    const tw_gan_column *c = &r->schema.cols[j];
    const tw_json_value *col = tw_json_get(cols, c->name);
    const char *metric = c->kind == TW_GAN_CONTINUOUS ? "KSComplement" : "TVComplement";
    const tw_json_value *m = tw_json_get(col, "metric");
    if (!m || strcmp(m->string, metric)) bad++, fprintf(stderr, "%s: metric %s, not SDMetrics'\n", c->name, metric);
    bad += !same(c->kind == TW_GAN_CONTINUOUS ? D_KS : D_TV, r->column_score[j], tw_json_get(col, "score"), c->name);
    const char *group = c->kind == TW_GAN_CONTINUOUS ? "boundary_adherence" : "category_adherence";
    bad += !same(c->kind == TW_GAN_CONTINUOUS ? D_BOUND : D_CAT, r->adherence[j],
                 tw_json_get(tw_json_get(d, group), c->name), c->name);
  }
  if (!pairs || (int)pairs->n != r->n_pairs) return fprintf(stderr, "pair counts differ\n"), bad + 1;
  for (int k = 0; k < r->n_pairs; ++k) {
    const tw_gan_pair_score *ps = &r->pairs[k];
    const tw_json_value *ep = &pairs->items[k], *names = tw_json_get(ep, "columns");
    if (strcmp(names->items[0].string, r->schema.cols[ps->a].name) ||
        strcmp(names->items[1].string, r->schema.cols[ps->b].name) ||
        strcmp(tw_json_get(ep, "metric")->string, ps->metric)) {
      fprintf(stderr, "pair %d: %s, %s (%s) is not SDMetrics' pair\n", k, r->schema.cols[ps->a].name,
              r->schema.cols[ps->b].name, ps->metric);
      bad++;
      continue;
    }
    char what[256];
    snprintf(what, sizeof what, "pair %s, %s", names->items[0].string, names->items[1].string);
    bad += !same(!strcmp(ps->metric, "CorrelationSimilarity") ? D_CORR : D_CONT, ps->score,
                 tw_json_get(ep, "score"), what);
  }
  bad += !same(D_NRS, r->new_row_synthesis, tw_json_get(p, "new_row_synthesis"), "new_row_synthesis");
  bad += !same(D_OVER, r->dcr_overfitting_protection, tw_json_get(p, "dcr_overfitting_protection"),
               "dcr_overfitting_protection");
  return bad;
}

static void test_fixture(const char *set) {
  tw_json_value e;
  CHECK_MSG(load_expected(set, &e), "cannot read %s", fixture_path);
  tw_gan_report r;
  int ok = run_fixture(set, 0, &r);
  if (!ok) tw_json_free(&e);
  CHECK_MSG(ok, "report on %s: %s", set, tw_error_message());
  const tw_json_value *version = tw_json_get(&e, "sdmetrics_version");
  int v_ok = version && !strcmp(version->string, "0.32.0");
  int bad = compare_fixture(&r, &e);
  tw_gan_report_free(&r);
  tw_json_free(&e);
  CHECK_MSG(v_ok, "expected.json was not made by sdmetrics 0.32.0");
  CHECK_MSG(bad == 0, "%s: %d numbers differ from SDMetrics' by more than %g", set, bad, TOL);
}

static void test_mixed(void) { test_fixture("mixed"); }
static void test_edge(void) { test_fixture("edge"); }
static void test_rare(void) { test_fixture("rare"); }

/* DCRBaselineProtection: seed 0 within 4 sd of SDMetrics' runs; the mean of
** 100 seeds within 4 standard errors of theirs; a seed gives one value. */
static void baseline_spread(const char *set) {
  tw_json_value e;
  CHECK(load_expected(set, &e));
  const tw_json_value *b = tw_json_get(tw_json_get(&e, "privacy"), "dcr_baseline_protection");
  double mean_s = tw_json_get(b, "mean")->number, sd_s = tw_json_get(b, "sd")->number;
  double runs_s = tw_json_get(b, "runs")->number;
  tw_json_free(&e);
  tw_gan_report r;
  CHECK(run_fixture(set, 0, &r));
  double first = r.dcr_baseline_protection, again, sum = 0, sum2 = 0;
  const int K = 100;
  tw_status st = tw_gan_dcr_baseline(&r.real, &r.synthetic, NULL, 0, &again, NULL);
  for (int s = 0; s < K && st == TW_OK; ++s) {
    double v;
    st = tw_gan_dcr_baseline(&r.real, &r.synthetic, NULL, (uint64_t)s + 1000, &v, NULL);
    sum += v, sum2 += v * v;
  }
  tw_gan_report_free(&r);
  CHECK_OK(st);
  double mean_c = sum / K, sd_c = sqrt((sum2 - K * mean_c * mean_c) / (K - 1));
  double se = sqrt(sd_c * sd_c / K + sd_s * sd_s / runs_s);
  printf("DCRBaselineProtection (%s): seed 0 %.6f; 100 seeds here mean %.6f sd %.6f; SDMetrics %d runs mean %.6f sd "
         "%.6f; difference of means %.2g (%.2f standard errors)\n", set,
         first, mean_c, sd_c, (int)runs_s, mean_s, sd_s, mean_c - mean_s, fabs(mean_c - mean_s) / se);
  CHECK_EQ_INT(first == again, 1);
  CHECK_NEAR(first, mean_s, 4 * sd_s);
  CHECK_NEAR(mean_c, mean_s, 4 * se);
  CHECK_NEAR(sd_c, sd_s, 0.5 * sd_s);
}

static void test_baseline_spread(void) {
  baseline_spread("mixed");
  baseline_spread("rare");
}

/* The schema of the mixed fixture: kinds from the dataset types, names in
** covariate-then-parameter order, labels shared: "west" only in the synthetic. */
static void test_table(void) {
  tw_gan_report r;
  CHECK(run_fixture("mixed", 0, &r));
  const char *names[] = {"age_y", "egfr", "hba1c_percent", "sex", "site", "weight_kg", "zero_const",
                         "t1d.doses", "t1d.kabs", "t1d.kp1", "t1d.ones"};
  const int discrete[] = {0, 0, 0, 1, 1, 0, 0, 1, 0, 0, 1};
  int ok = r.schema.n_cols == 11 && r.real.n_rows == 260 && r.synthetic.n_rows == 220 && r.holdout.n_rows == 160;
  for (int j = 0; ok && j < 11; ++j)
    ok = !strcmp(r.schema.cols[j].name, names[j]) && (r.schema.cols[j].kind == TW_GAN_DISCRETE) == discrete[j];
  const tw_gan_column *site = &r.schema.cols[4];
  int labels_ok = site->strings && site->n_labels == 4 && !strcmp(site->labels[3], "west");
  int west_in_real = 0;
  for (int64_t i = 0; i < r.real.n_rows; ++i) west_in_real |= tw_gan_col(&r.real, 4)[i] == 3.0;
  tw_gan_report_free(&r);
  CHECK_MSG(ok, "the schema or row counts of the mixed fixture");
  CHECK_MSG(labels_ok, "site's labels: north, south, east from the real table, west from the synthetic");
  CHECK(!west_in_real);
}

/* A table against itself: every shape, pair and adherence 1. */
static void test_self(void) {
  tw_gan_report r;
  CHECK(run_fixture("mixed", 0, &r));
  tw_gan_report self = {0};
  CHECK_OK(tw_gan_quality(&r.real, &r.real, &self));
  double nrs;
  CHECK_OK(tw_gan_new_row_synthesis(&r.real, &r.real, TW_GAN_NUMERICAL_MATCH_TOLERANCE, &nrs));
  double score = self.score, shapes = self.column_shapes, trends = self.column_pair_trends;
  free(self.column_score);
  free(self.pairs);
  tw_gan_report_free(&r);
  CHECK_NEAR(score, 1.0, 1e-15);
  CHECK_NEAR(shapes, 1.0, 1e-15);
  CHECK_NEAR(trends, 1.0, 1e-15);
  CHECK_NEAR(nrs, 0.0, 0.0);
}

/* Hand-computed cases: two continuous columns uncorrelated in the real table
** (r = 0), so no pair counts and the score is Column Shapes alone (KS of x:
** F_real(4) - F_syn(4) = 1/4, so 0.75; y equal, 1); a ContingencySimilarity
** of 1 - (1/4 + 1/4 + 0) / 2 on a real table with Cramer's V = 1. */
static void test_by_hand(void) {
  tw_gan_column cols[2] = {{.name = "x", .kind = TW_GAN_CONTINUOUS}, {.name = "y", .kind = TW_GAN_CONTINUOUS}};
  tw_gan_schema sc = {2, cols};
  tw_gan_table real = {&sc, 4, (double[]){1, 2, 3, 4, 1, -1, -1, 1}};
  tw_gan_table syn = {&sc, 4, (double[]){1, 2, 3, 5, 1, -1, -1, 1}};
  tw_gan_report q = {0};
  tw_status st = tw_gan_quality(&real, &syn, &q);
  double pair = q.n_pairs == 1 ? q.pairs[0].score : 0, trends = q.column_pair_trends;
  double shapes = q.column_shapes, score = q.score, ks_x = q.column_score[0];
  free(q.column_score);
  free(q.pairs);
  CHECK_OK(st);
  CHECK(isnan(pair) && isnan(trends));
  CHECK_NEAR(ks_x, 0.75, 1e-15);
  CHECK_NEAR(shapes, 0.875, 1e-15);
  CHECK_NEAR(score, 0.875, 1e-15);
  tw_gan_pair cs;
  CHECK_OK(tw_gan_contingency_similarity((double[]){0, 0, 1, 1}, (double[]){0, 0, 1, 1}, 4, (double[]){0, 1, 1, 1},
                                         (double[]){0, 0, 1, 1}, 4, TW_GAN_REAL_ASSOCIATION_THRESHOLD, &cs));
  CHECK_NEAR(cs.real_stat, 1.0, 1e-15);
  CHECK_NEAR(cs.score, 0.75, 1e-15);
}

int main(void) {
  TW_TEST_RUN(test_by_hand);
  TW_TEST_RUN(test_mixed);
  TW_TEST_RUN(test_edge);
  TW_TEST_RUN(test_rare);
  TW_TEST_RUN(test_baseline_spread);
  TW_TEST_RUN(test_table);
  TW_TEST_RUN(test_self);
  for (int k = 0; k < D_KINDS; ++k)
    printf("%-30s %3d numbers compared, max |twinscale - SDMetrics| %.3g\n", D_NAMES[k], compared[k], max_diff[k]);
  return TW_TEST_RESULT();
}
