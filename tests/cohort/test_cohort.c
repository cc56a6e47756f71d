/*
** test_cohort.c: the cohort generator (src/cohort/generate.c) against its
** config. With n = 20,000 twins every tolerance is 4 standard errors of the
** statistic checked, so a correct generator fails a check about once in
** 15,000 and the seeds are fixed:
**   mean of a normal:           4 sd / sqrt(n)
**   sd of a normal:             4 sd / sqrt(2n)
**   a Pearson correlation r:    4 (1 - rho^2) / sqrt(n)   (its standard error)
**   a proportion p:             4 sqrt(p (1 - p) / n)
** Also: identical arrays for 1 and 2 threads and for two runs of one seed,
** other arrays for another seed; every parameter inside the pack's range, with
** redraws forced by a large CV, the IIV's log-scale sd and correlation, body
** weight from the covariate, and the truncated marginals' range and mean.
** The steady-state rule (off in the statistical tests: kabs and kmax do not
** move the fasting state): the checker on adult#001 (its fasting bg after 24 h at
** u2ss is its Gb from simglucose's table; twice the basal is caught low, a
** third of it high, a NaN volume non-finite); a cohort whose u2ss and kp1 vary
** enough that draws fail: failing draws redrawn and counted (attempts - 1 sums
** to the rejections), every kept twin passes when checked again, the same
** cohort for 1 and 2 threads and any batch size, and a twin out of attempts
** named with the reason. Cohort files in a simulate setup: one recording a
** parameter the pack lacks (pack_parameters) and one lacking a parameter
** dataset are refused, each naming the file and the parameter.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohort/cohort_steady.h"
#include "cohort/generate.h"
#include "io/h5.h"            /* a hand-made cohort file */
#include "physio/sim_config.h" /* tw_sim_config_schema */
#include "physio/sim_setup.h"  /* tw_sim_setup_build */
#include "physio/pack.h"
#include "physio/param_table.h"
#include "tw_test.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

enum { N = 20000 };

static const char *base_yaml =
    "kind: cohort\n"
    "size: 20000\n"
    "seed: 7\n"
    "covariates:\n"
    "  age_y: {kind: normal, mean: 40, sd: 12}\n"
    "  sex_male: 0.3\n"
    "  weight_kg: {kind: lognormal, median: 70, cv: 0.2}\n"
    "  hba1c_percent: {kind: uniform, lo: 6, hi: 10}\n"
    "  egfr: {kind: normal, mean: 90, sd: 15, min: 80, max: 120}\n"
    "  height_cm: {kind: normal, mean: 170, sd: 10}\n"
    "correlation:\n"
    "  variables: [age_y, weight_kg, height_cm]\n"
    "  age_y: [1, 0.5, -0.3]\n"
    "  weight_kg: [0.5, 1, 0.4]\n"
    "  height_cm: [-0.3, 0.4, 1]\n"
    "conditions:\n"
    "  - {name: hypertension, prevalence: 0.25}\n"
    "parameters:\n"
    "  reference: uniform\n"
    "  variability:\n"
    "    - {parameter: kabs, cv: 0.3}\n"
    "    - {parameter: kmax, cv: 0.2}\n"
    "  correlations:\n"
    "    - {a: kabs, b: kmax, rho: 0.6}\n"
    "  steady_state: {hours: 0}\n"; /* the rule's own tests below turn it on */

/* Binds `yaml` after the --set assignments in `sets` (NULL-terminated, may be NULL) into c. */
static tw_status load(const char *yaml, const char *const *sets, tw_cohort_config *c, tw_cfg_doc **doc) {
  TW_TRY(tw_cfg_parse_string("cohort.yaml", yaml, strlen(yaml), doc));
  for (int i = 0; sets && sets[i]; ++i) TW_TRY(tw_cfg_set(*doc, sets[i]));
  return tw_cfg_bind(*doc, &tw_cohort_config_schema, c);
}

/* Wide variability, so that many twins need redraws. */
static const char *const wide[] = {"size=3000", "parameters.variability=[{parameter: kabs, cv: 4}, {parameter: Vmx, cv: 3}]",
                                   "parameters.correlations=[]", "parameters.reference=nearest", NULL};

static const double *column(const tw_cohort *h, int var) {
  for (int k = 0; k < h->n_vars; ++k)
    if (h->var[k] == var) return h->cov + (size_t)k * (size_t)h->n;
  return NULL;
}

static const double *param(const tw_cohort *h, const char *name) {
  return h->params + (size_t)tw_pack_param_index(h->pack, name) * (size_t)h->n;
}

static void moments(const double *x, int64_t n, double (*f)(double), double *mean, double *sd) {
  double m = 0, s = 0;
  for (int64_t i = 0; i < n; ++i) m += (f ? f(x[i]) : x[i]) / (double)n;
  for (int64_t i = 0; i < n; ++i) s += pow((f ? f(x[i]) : x[i]) - m, 2) / (double)(n - 1);
  *mean = m, *sd = sqrt(s);
}

static double pearson(const double *x, const double *y, int64_t n, double (*f)(double)) {
  double mx, sx, my, sy, c = 0;
  moments(x, n, f, &mx, &sx);
  moments(y, n, f, &my, &sy);
  for (int64_t i = 0; i < n; ++i) c += ((f ? f(x[i]) : x[i]) - mx) * ((f ? f(y[i]) : y[i]) - my) / (double)(n - 1);
  return c / (sx * sy);
}

static int same(const tw_cohort *a, const tw_cohort *b) {
  size_t n = (size_t)a->n;
  return a->n == b->n && a->n_vars == b->n_vars && !memcmp(a->cov, b->cov, n * (size_t)a->n_vars * sizeof(double)) &&
         !memcmp(a->cond, b->cond, n * (size_t)a->n_conditions * sizeof(int32_t)) &&
         !memcmp(a->params, b->params, n * (size_t)a->n_params * sizeof(double)) &&
         !memcmp(a->reference, b->reference, n * sizeof(int32_t));
}

static void test_determinism(void) {
  tw_cohort_config c, c2;
  tw_cfg_doc *doc = NULL, *doc2 = NULL;
  tw_cohort h1, h2, h3, h4;
  CHECK_OK(load(base_yaml, wide, &c, &doc));
  CHECK_OK(load(base_yaml, wide, &c2, &doc2));
  c2.seed = 8;
  CHECK_OK(tw_cohort_generate(&c, 1, &h1));
  CHECK_OK(tw_cohort_generate(&c, 2, &h2));
  CHECK_OK(tw_cohort_generate(&c, 2, &h3));
  CHECK_OK(tw_cohort_generate(&c2, 2, &h4));
  int one_two = same(&h1, &h2), again = same(&h2, &h3), other = same(&h1, &h4);
  tw_cohort_free(&h1), tw_cohort_free(&h2), tw_cohort_free(&h3), tw_cohort_free(&h4);
  tw_cfg_release(&tw_cohort_config_schema, &c), tw_cfg_release(&tw_cohort_config_schema, &c2);
  tw_cfg_free(doc), tw_cfg_free(doc2);
  CHECK_MSG(one_two, "1 and 2 threads drew different cohorts");
  CHECK_MSG(again, "two runs of one seed drew different cohorts");
  CHECK_MSG(!other, "seeds 7 and 8 drew the same cohort");
}

/* Normal and lognormal marginals, the copula correlations, sex and prevalence. */
static void check_marginals(const tw_cohort *h) {
  const double n = (double)h->n;
  double m, s;
  moments(column(h, TW_CH_AGE), h->n, NULL, &m, &s);
  CHECK_NEAR(m, 40, 4 * 12 / sqrt(n));
  CHECK_NEAR(s, 12, 4 * 12 / sqrt(2 * n));
  moments(column(h, TW_CH_WEIGHT), h->n, log, &m, &s);
  CHECK_NEAR(m, log(70), 4 * s / sqrt(n));
  CHECK_NEAR(s, sqrt(log1p(0.04)), 4 * s / sqrt(2 * n));
  moments(column(h, TW_CH_HBA1C), h->n, NULL, &m, &s);
  CHECK_NEAR(m, 8, 4 * (4 / sqrt(12)) / sqrt(n));
  CHECK_NEAR(s, 4 / sqrt(12), 4 * 0.25 * 4 / sqrt(n)); /* sd of a uniform's sample sd < 0.25 (hi-lo)/sqrt(n) */
  double r_ah = pearson(column(h, TW_CH_AGE), column(h, TW_CH_HEIGHT), h->n, NULL);
  CHECK_NEAR(r_ah, -0.3, 4 * (1 - 0.09) / sqrt(n));
  moments(column(h, TW_CH_SEX), h->n, NULL, &m, &s);
  CHECK_NEAR(m, 0.3, 4 * sqrt(0.3 * 0.7 / n));
  CHECK_NEAR(tw_cohort_prevalence(h, 0), 0.25, 4 * sqrt(0.25 * 0.75 / n));
}

/* log(weight) is normal: its correlation with age and height is the copula's. */
static double identity(double x) { return x; }
static void check_log_correlations(const tw_cohort *h) {
  const double n = (double)h->n;
  const double *age = column(h, TW_CH_AGE), *w = column(h, TW_CH_WEIGHT), *ht = column(h, TW_CH_HEIGHT);
  double *lw = malloc((size_t)h->n * sizeof *lw);
  CHECK(lw != NULL);
  for (int64_t i = 0; i < h->n; ++i) lw[i] = log(w[i]);
  double r1 = pearson(age, lw, h->n, identity), r2 = pearson(lw, ht, h->n, identity);
  free(lw);
  printf("correlations: age,log weight %.4f (0.5), log weight,height %.4f (0.4)\n", r1, r2);
  CHECK_NEAR(r1, 0.5, 4 * (1 - 0.25) / sqrt(n));
  CHECK_NEAR(r2, 0.4, 4 * (1 - 0.16) / sqrt(n));
}

/* egfr: normal(90, 15) truncated to [80, 120]: inside, with the truncated mean. */
static void check_truncated(const tw_cohort *h) {
  const double *e = column(h, TW_CH_EGFR);
  double m, s, a = (80 - 90) / 15.0, b = (120 - 90) / 15.0;
  for (int64_t i = 0; i < h->n; ++i) CHECK_MSG(e[i] >= 80 && e[i] <= 120, "egfr[%lld] = %g", (long long)i, e[i]);
  double phi_a = exp(-a * a / 2) / sqrt(2 * M_PI), phi_b = exp(-b * b / 2) / sqrt(2 * M_PI);
  double mu = 90 + 15 * (phi_a - phi_b) / (tw_normal_cdf(b) - tw_normal_cdf(a));
  moments(e, h->n, NULL, &m, &s);
  printf("truncated egfr: mean %.4f, expected %.4f, sd %.4f\n", m, mu, s);
  CHECK_NEAR(m, mu, 4 * s / sqrt((double)h->n));
}

/* IIV: log(p / p_ref) has sd sqrt(ln(1 + cv^2)) and the given correlation; BW is the weight. */
static void check_iiv(const tw_cohort *h) {
  const double n = (double)h->n;
  double *la = calloc((size_t)h->n, sizeof *la), *lk = calloc((size_t)h->n, sizeof *lk);
  CHECK(la && lk);
  const double *kabs = param(h, "kabs"), *kmax = param(h, "kmax"), *bw = param(h, "BW"), *w = column(h, TW_CH_WEIGHT);
  /* the reference values: the twin's row of the compiled-in table the generator draws around */
  tw_csv vp;
  CHECK_OK(tw_t1d_builtin_table("vpatient_params.csv", &vp));
  int ck = tw_csv_col(&vp, "kabs"), cm = tw_csv_col(&vp, "kmax");
  int ok = 1;
  for (int64_t i = 0; i < h->n && ok; ++i) {
    double rk, rm;
    ok = tw_csv_number(&vp, h->reference[i], ck, &rk) == TW_OK && tw_csv_number(&vp, h->reference[i], cm, &rm) == TW_OK;
    la[i] = log(kabs[i] / rk), lk[i] = log(kmax[i] / rm);
  }
  tw_csv_free(&vp);
  double m, s;
  moments(la, h->n, NULL, &m, &s);
  double r = pearson(la, lk, h->n, NULL), want = sqrt(log1p(0.09));
  free(la), free(lk);
  CHECK(ok);
  printf("IIV: log kabs ratio mean %.4f sd %.4f (%.4f), corr with log kmax ratio %.4f (0.6)\n", m, s, want, r);
  CHECK_NEAR(m, 0, 4 * want / sqrt(n));
  CHECK_NEAR(s, want, 4 * want / sqrt(2 * n));
  CHECK_NEAR(r, 0.6, 4 * (1 - 0.36) / sqrt(n));
  for (int64_t i = 0; i < h->n; ++i) CHECK_MSG(bw[i] == w[i], "twin %lld: BW %g, weight %g", (long long)i, bw[i], w[i]);
}

static void test_distributions(void) {
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_cohort h;
  CHECK_OK(load(base_yaml, NULL, &c, &doc));
  CHECK_OK(tw_cohort_generate(&c, 0, &h));
  check_marginals(&h);
  if (!tw_test_case_failed_) check_log_correlations(&h);
  if (!tw_test_case_failed_) check_truncated(&h);
  if (!tw_test_case_failed_) check_iiv(&h);
  tw_cohort_free(&h);
  tw_cfg_release(&tw_cohort_config_schema, &c);
  tw_cfg_free(doc);
}

/* Every parameter inside the pack's range, with redraws happening (and counted). */
static void test_ranges(void) {
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_cohort h;
  CHECK_OK(load(base_yaml, wide, &c, &doc));
  CHECK_OK(tw_cohort_generate(&c, 0, &h));
  int64_t bad = 0, redrawn = 0, max_att = 0;
  for (int64_t i = 0; i < h.n; ++i) {
    for (int q = 0; q < h.n_params; ++q) bad += !tw_pack_param_ok(h.pack, q, h.params[(size_t)q * (size_t)h.n + (size_t)i]);
    redrawn += h.attempts[i] > 1;
    max_att = h.attempts[i] > max_att ? h.attempts[i] : max_att;
  }
  printf("ranges: %lld of %lld twins redrawn, at most %lld attempts, %lld values out of range\n", (long long)redrawn,
         (long long)h.n, (long long)max_att, (long long)bad);
  tw_cohort_free(&h);
  tw_cfg_release(&tw_cohort_config_schema, &c);
  tw_cfg_free(doc);
  CHECK_EQ_INT(bad, 0);
  CHECK_MSG(redrawn > 0, "the wide variability should have forced redraws");
}

/* One attempt and a huge CV: the first twin that fails is named, TW_ERR_INPUT. */
/* Generates base_yaml with `sets` expecting it to fail: its status in *st, its message in msg. */
static void generate_failing(const char *const *sets, tw_status *st, char *msg, size_t cap) {
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_cohort h;
  *st = TW_OK, msg[0] = 0;
  CHECK_OK(load(base_yaml, sets, &c, &doc));
  *st = tw_cohort_generate(&c, 2, &h);
  snprintf(msg, cap, "%s", tw_error_message());
  tw_cfg_release(&tw_cohort_config_schema, &c);
  tw_cfg_free(doc);
}

static void test_give_up(void) {
  static const char *const sets[] = {"size=50", "parameters.variability=[{parameter: kabs, cv: 10}]",
                                     "parameters.correlations=[]", "parameters.max_attempts=1", NULL};
  char msg[512];
  tw_status st;
  generate_failing(sets, &st, msg, sizeof msg);
  CHECK_EQ_INT(st, TW_ERR_INPUT);
  CHECK_MSG(strstr(msg, "twin-0000") && strstr(msg, "kabs"), "message: %s", msg);
}

/* Config errors at their line:col: not positive definite, unknown parameter, height and bmi. */
static void expect_error(const char *const *sets, const char *where, const char *what) {
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_status st = load(base_yaml, sets, &c, &doc);
  char msg[512];
  snprintf(msg, sizeof msg, "%s", tw_error_message());
  tw_cfg_free(doc);
  CHECK_EQ_INT(st, TW_ERR_INPUT);
  CHECK_MSG(strstr(msg, where) && strstr(msg, what), "expected '%s' and '%s' in: %s", where, what, msg);
}

static void test_errors(void) {
  static const char *const not_pd[] = {"correlation.age_y=[1, 0.99, 0.99]", "correlation.weight_kg=[0.99, 1, -0.99]",
                                       "correlation.height_cm=[0.99, -0.99, 1]", NULL};
  static const char *const unknown[] = {NULL};
  expect_error(not_pd, "cohort.yaml:", "not positive definite");
  char *y = malloc(strlen(base_yaml) + 8);
  CHECK(y != NULL);
  strcpy(y, base_yaml);
  memcpy(strstr(y, "parameter: kmax"), "parameter: kmix", 15);
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_status st = load(y, unknown, &c, &doc);
  char msg[512];
  snprintf(msg, sizeof msg, "%s", tw_error_message());
  tw_cfg_free(doc);
  free(y);
  CHECK_EQ_INT(st, TW_ERR_INPUT);
  CHECK_MSG(strstr(msg, "cohort.yaml:22:7:") && strstr(msg, "no parameter 'kmix'"), "message: %s", msg);
  static const char *const both[] = {"covariates.bmi={kind: normal, mean: 25, sd: 4}", NULL};
  expect_error(both, "cohort.yaml:", "not both");
  static const char *const asym[] = {"correlation.age_y=[1, 0.4, -0.3]", NULL};
  expect_error(asym, "cohort.yaml:", "not symmetric");
}

/* Subgroups: the first `size` twins, their own marginal, the rest `main` with the cohort's. */
static void test_subgroups(void) {
  static const char *const sets[] = {"subgroups=[{name: children, size: 5000, covariates: {age_y: {kind: uniform, "
                                     "lo: 7, hi: 12}, sex_male: 0.9}}]", NULL};
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_cohort h;
  CHECK_OK(load(base_yaml, sets, &c, &doc));
  CHECK_OK(tw_cohort_generate(&c, 2, &h));
  const double *age = column(&h, TW_CH_AGE), *sex = column(&h, TW_CH_SEX);
  double m[2] = {0, 0}, male[2] = {0, 0};
  int64_t cnt[2] = {0, 0}, outside = 0, misplaced = 0;
  for (int64_t i = 0; i < h.n; ++i) {
    int g = h.subgroup[i];
    misplaced += g != (i < 5000 ? 0 : 1);
    cnt[g]++, m[g] += age[i], male[g] += sex[i];
    outside += g == 0 && (age[i] < 7 || age[i] > 12);
  }
  tw_cohort_free(&h);
  tw_cfg_release(&tw_cohort_config_schema, &c);
  tw_cfg_free(doc);
  printf("subgroups: children mean age %.4f (9.5), male %.4f (0.9); main mean age %.4f (40), male %.4f (0.3)\n",
         m[0] / cnt[0], male[0] / cnt[0], m[1] / cnt[1], male[1] / cnt[1]);
  CHECK_EQ_INT(misplaced, 0);
  CHECK_EQ_INT(outside, 0);
  CHECK_NEAR(m[0] / cnt[0], 9.5, 4 * (5 / sqrt(12)) / sqrt(5000.0));
  CHECK_NEAR(m[1] / cnt[1], 40, 4 * 12 / sqrt(15000.0));
  CHECK_NEAR(male[0] / cnt[0], 0.9, 4 * sqrt(0.09 / 5000));
  CHECK_NEAR(male[1] / cnt[1], 0.3, 4 * sqrt(0.21 / 15000));
  static const char *const too_many[] = {"subgroups=[{name: a, size: 15000}, {name: b, size: 6000}]", NULL};
  expect_error(too_many, "cohort.yaml:", "more than size");
  static const char *const undrawn[] = {"subgroups=[{name: a, size: 10, covariates: {glucose_mg_dl: {kind: normal, "
                                        "mean: 100, sd: 10}}}]", NULL};
  expect_error(undrawn, "cohort.yaml:", "not drawn for the cohort");
}

/* adult#001 and four variants through the checker: the reference itself, twice
** its basal (u2ss), a third of it, a NaN glucose volume, kp1 halved. */
static void test_steady_checker(void) {
  const tw_pack *pk = tw_pack_find("t1d");
  tw_csv vp;
  CHECK_OK(tw_t1d_builtin_table("vpatient_params.csv", &vp));
  enum { V = 5 };
  double p[TW_PACK_MAX_PARAMS], soa[TW_PACK_MAX_PARAMS * V], gb = NAN;
  const int row = tw_csv_find_name(&vp, "adult#001");
  CHECK_OK(tw_param_row(pk, &vp, row, p));
  CHECK_OK(tw_csv_number(&vp, row, tw_csv_col(&vp, "Gb"), &gb));
  tw_csv_free(&vp);
  for (int q = 0; q < pk->n_params; ++q)
    for (int v = 0; v < V; ++v) soa[q * V + v] = p[q];
  soa[tw_pack_param_index(pk, "u2ss") * V + 1] *= 2;
  soa[tw_pack_param_index(pk, "u2ss") * V + 2] /= 3;
  soa[tw_pack_param_index(pk, "Vg") * V + 3] = NAN;
  soa[tw_pack_param_index(pk, "kp1") * V + 4] *= 0.5;
  const tw_cohort_steady_cfg rule = {.hours = 24, .low = 70, .high = 250, .drift = 1};
  const int64_t ids[V] = {0, 1, 2, 3, 4};
  tw_steady_result r[V];
  CHECK(tw_cohort_steady_applies(pk, &rule));
  CHECK_OK(tw_cohort_steady_check(pk, &rule, soa, V, ids, V, 2, 2, r));
  char why[200];
  for (int v = 0; v < V; ++v) {
    tw_cohort_steady_describe(&r[v], &rule, why, sizeof why);
    printf("steady state, adult#001 variant %d: %s, bg after 24 h %.6g\n", v, why, r[v].final);
  }
  printf("adult#001: Gb %.6g, fasting bg after 24 h at u2ss %.6g\n", gb, r[0].final);
  CHECK_EQ_INT(r[0].verdict, TW_STEADY_PASS);
  CHECK_NEAR(r[0].final, gb, 1e-3); /* the table's x0 is the steady state at u2ss */
  CHECK_EQ_INT(r[1].verdict, TW_STEADY_LOW);
  CHECK_EQ_INT(r[2].verdict, TW_STEADY_HIGH);
  CHECK_EQ_INT(r[3].verdict, TW_STEADY_NONFINITE);
  CHECK_EQ_INT(r[4].verdict, TW_STEADY_LOW);
  CHECK_MSG(r[1].value < 70 && r[1].minute > 0, "low: %g at minute %d", r[1].value, (int)r[1].minute);
  const tw_cohort_steady_cfg off = {.hours = 0, .low = 70, .high = 250, .drift = 1};
  CHECK(!tw_cohort_steady_applies(pk, &off));
  CHECK(!tw_cohort_steady_applies(tw_pack_find("pbpk"), &rule)); /* no basal hook */
}

/* Basal and endogenous production varying enough that draws fail the rule. */
static const char *const unsteady[] = {"size=1500", "parameters.variability=[{parameter: u2ss, cv: 0.3}, {parameter: kp1, cv: 0.15}]",
                                       "parameters.correlations=[]", "parameters.steady_state.hours=48", NULL};

static int same_all(const tw_cohort *a, const tw_cohort *b) {
  size_t n = (size_t)a->n;
  return same(a, b) && !memcmp(a->attempts, b->attempts, n * sizeof(int32_t)) &&
         !memcmp(a->fasting, b->fasting, n * sizeof(double)) && a->redraws.range == b->redraws.range &&
         a->redraws.steady == b->redraws.steady && a->redraws.first_draw_failed == b->redraws.first_draw_failed;
}

/* Redraws: counted, every kept twin passes again, and one cohort whatever the
** threads and batch size. */
static void test_steady_redraws(void) {
  tw_cohort_config c;
  tw_cfg_doc *doc = NULL;
  tw_cohort h[3];
  CHECK_OK(load(base_yaml, unsteady, &c, &doc));
  CHECK_OK(tw_cohort_generate_chunked(&c, 1, 256, &h[0]));
  CHECK_OK(tw_cohort_generate_chunked(&c, 2, 7, &h[1]));
  CHECK_OK(tw_cohort_generate_chunked(&c, 2, 1500, &h[2]));
  const tw_cohort *a = &h[0];
  const tw_cohort_redraws *rd = &a->redraws;
  int64_t extra = 0, *ids = malloc((size_t)a->n * sizeof *ids);
  tw_steady_result *r = malloc((size_t)a->n * sizeof *r);
  CHECK(ids && r);
  for (int64_t i = 0; i < a->n; ++i) extra += a->attempts[i] - 1, ids[i] = i;
  CHECK_OK(tw_cohort_steady_check(a->pack, &c.parameters.steady_state, a->params, a->n, ids, a->n, 64, 2, r));
  int64_t again_failed = 0, outside = 0;
  for (int64_t i = 0; i < a->n; ++i) {
    again_failed += r[i].verdict != TW_STEADY_PASS;
    outside += !(a->fasting[i] >= 70 && a->fasting[i] <= 250) || a->fasting[i] != r[i].final;
  }
  printf("steady-state redraws (%lld twins): %lld failed their first check, %lld draws rejected (%lld low, %lld high, "
         "%lld drifting), %lld out of range, %.2f s\n", (long long)a->n, (long long)rd->first_draw_failed,
         (long long)rd->steady, (long long)rd->steady_by[TW_STEADY_LOW], (long long)rd->steady_by[TW_STEADY_HIGH],
         (long long)rd->steady_by[TW_STEADY_DRIFT], (long long)rd->range, rd->steady_seconds);
  CHECK(rd->steady_rule);
  CHECK(c.parameters.steady_state.hours == 48 && c.parameters.steady_state.low == 70 &&
        c.parameters.steady_state.high == 250 && c.parameters.steady_state.drift == 1); /* hours as set, the rest the defaults */
  CHECK_MSG(rd->first_draw_failed > 0 && rd->steady >= rd->first_draw_failed, "no draw failed the rule");
  CHECK_EQ_INT(extra, rd->range + rd->steady);
  CHECK_EQ_INT(rd->draws_checked, a->n + rd->steady);
  CHECK_EQ_INT(again_failed, 0);
  CHECK_EQ_INT(outside, 0);
  CHECK_MSG(same_all(&h[0], &h[1]), "1 thread in batches of 256 and 2 in batches of 7 drew different cohorts");
  CHECK_MSG(same_all(&h[0], &h[2]), "1 thread in batches of 256 and 2 in batches of 1500 drew different cohorts");
  free(ids), free(r);
  for (int k = 0; k < 3; ++k) tw_cohort_free(&h[k]);
  tw_cfg_release(&tw_cohort_config_schema, &c);
  tw_cfg_free(doc);
}

/* A basal varying so much that a twin fails every attempt: named, with the reason. */
static void test_steady_give_up(void) {
  static const char *const sets[] = {"size=40", "parameters.variability=[{parameter: u2ss, cv: 3}]",
                                     "parameters.correlations=[]", "parameters.max_attempts=2",
                                     "parameters.steady_state.hours=48", NULL};
  char msg[512];
  tw_status st;
  generate_failing(sets, &st, msg, sizeof msg);
  printf("give up: %s\n", msg);
  CHECK_EQ_INT(st, TW_ERR_INPUT);
  CHECK_MSG(strstr(msg, "twin-0000") && strstr(msg, "no steady state at the basal rate") && strstr(msg, "in 2 attempts"),
            "message: %s", msg);
  static const char *const short_hours[] = {"parameters.steady_state={hours: 1}", NULL};
  expect_error(short_hours, "cohort.yaml:", "at least 2");
  static const char *const crossed[] = {"parameters.steady_state={low: 200, high: 100}", NULL};
  expect_error(crossed, "cohort.yaml:", "must be below high");
}

/* A cohort file of two twins for t1d with attribute pack_parameters = `list`
** and the datasets of the first `n_written` t1d parameters only. */
static tw_status write_hand_made(const char *path, const char *list, int n_written) {
  static const tw_device host = {TW_DEVICE_HOST, 0};
  const tw_pack *pk = tw_pack_find("t1d");
  const char *ids[2] = {"twin-000000", "twin-000001"};
  double v[2] = {1, 1};
  int64_t n = 2;
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_create(path, NULL, NULL, &f));
  tw_status st = tw_h5_write_strings(f, "/cohort/id", ids, 2, "1");
  if (st == TW_OK) st = tw_h5_attr_write_string(f, "pack", "t1d");
  if (st == TW_OK) st = tw_h5_attr_write_string(f, "pack_parameters", list);
  for (int q = 0; q < n_written && st == TW_OK; ++q) {
    char name[128];
    tw_tensor t;
    snprintf(name, sizeof name, "/cohort/parameters/t1d.%s", pk->params[q].name);
    st = tw_tensor_view(&t, v, TW_F64, host, 1, &n);
    if (st == TW_OK) st = tw_h5_write(f, name, &t, "1");
  }
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

/* simulate's setup of a run over the cohort file at `path`; the message in msg. */
static tw_status setup_cohort(const char *path, char *msg, size_t cap) {
  char text[512];
  snprintf(text, sizeof text, "pack: t1d\ntwins: {cohort: %s}\nduration_min: 60\n", path);
  tw_cfg_doc *doc = NULL;
  tw_sim_config c;
  tw_sim_setup s;
  memset(&s, 0, sizeof s);
  tw_status st = tw_cfg_parse_string("sim.yaml", text, strlen(text), &doc);
  int bound = st == TW_OK && (st = tw_cfg_bind(doc, &tw_sim_config_schema, &c)) == TW_OK;
  if (bound) st = tw_sim_setup_build(&c, doc, &s);
  snprintf(msg, cap, "%s", tw_error_message());
  if (bound) tw_sim_setup_free(&s), tw_cfg_release(&tw_sim_config_schema, &c);
  tw_cfg_free(doc);
  return st;
}

static void test_cohort_file_checks(void) {
  const char *path = "test_cohort_hand_made.h5";
  char msg[512];
  CHECK_OK(write_hand_made(path, "x0_1,x0_2,frobnicate", 2));
  CHECK_EQ_INT(setup_cohort(path, msg, sizeof msg), TW_ERR_INPUT);
  printf("unknown parameter: %s\n", msg);
  CHECK_MSG(strstr(msg, path) && strstr(msg, "/cohort/parameters/t1d.frobnicate") && strstr(msg, "no parameter"),
            "message: %s", msg);
  CHECK_OK(write_hand_made(path, "x0_1,x0_2", 2));
  CHECK_EQ_INT(setup_cohort(path, msg, sizeof msg), TW_ERR_INPUT);
  printf("missing parameter: %s\n", msg);
  CHECK_MSG(strstr(msg, path) && strstr(msg, "no /cohort/parameters/t1d.x0_3") && strstr(msg, "lacks"), "message: %s",
            msg);
  remove(path);
}

int main(void) {
  TW_TEST_RUN(test_determinism);
  TW_TEST_RUN(test_distributions);
  TW_TEST_RUN(test_ranges);
  TW_TEST_RUN(test_give_up);
  TW_TEST_RUN(test_errors);
  TW_TEST_RUN(test_subgroups);
  TW_TEST_RUN(test_steady_checker);
  TW_TEST_RUN(test_steady_redraws);
  TW_TEST_RUN(test_steady_give_up);
  TW_TEST_RUN(test_cohort_file_checks);
  return tw_test_failures_;
}
