/*
** test_import.c: the parts of `cohort import` below the command
** (src/cohort/import*.c and tw_cohort_generate_given in generate.c):
**   - given the covariates a generated cohort drew, tw_cohort_generate_given
**     draws bit-identical parameters, reference patients, attempt counts,
**     fasting values of the steady-state rule and redraw counts (nearest
**     reference, a variability wide enough to force redraws), for 1 and 2
**     threads: the import's parameters are the generator's;
**   - imputation in a two-variable normal copula equals the closed form
**     mu_m + sd_m rho (x_o - mu_o) / sd_o (1e-12 relative), with sex it equals
**     mu + sd rho E[Z | sex] (E[Z | male] = -phi(a)/p, E[Z | female] =
**     phi(a)/(1-p), a = Phi^-1(p)), with nothing known it is the marginal's
**     median, and a known value is never changed;
**   - the `import` config kind: bound from YAML, its own errors (two sources,
**     a salt in place of a variable name, a bad date) and the cohort model's
**     (a correlation matrix that is not positive definite) at FILE:LINE:COL.
*/
#include <math.h>
#include <string.h>

#include "cohort/import.h"
#include "tw_test.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static const char *cohort_yaml =
    "kind: cohort\n"
    "size: 800\n"
    "seed: 11\n"
    "covariates:\n"
    "  age_y: {kind: normal, mean: 40, sd: 12, min: 18, max: 80}\n"
    "  sex_male: 0.5\n"
    "  weight_kg: {kind: lognormal, median: 70, cv: 0.2, min: 40, max: 150}\n"
    "  height_cm: {kind: normal, mean: 170, sd: 10}\n"
    "correlation:\n"
    "  variables: [age_y, weight_kg, height_cm]\n"
    "  age_y: [1, 0.5, -0.3]\n"
    "  weight_kg: [0.5, 1, 0.4]\n"
    "  height_cm: [-0.3, 0.4, 1]\n"
    "conditions:\n"
    "  - {name: hypertension, prevalence: 0.25}\n"
    "parameters:\n"
    "  reference: nearest\n"
    "  variability: [{parameter: kabs, cv: 4}, {parameter: Vmx, cv: 3}]\n";

static void test_given_is_generated(void) {
  tw_cfg_doc *doc;
  tw_cohort_config c;
  CHECK_OK(tw_cfg_parse_string("cohort.yaml", cohort_yaml, strlen(cohort_yaml), &doc));
  CHECK_OK(tw_cfg_bind(doc, &tw_cohort_config_schema, &c));
  tw_cohort h;
  CHECK_OK(tw_cohort_generate(&c, 1, &h));
  double *given = malloc((size_t)TW_CH_N_VARS * (size_t)h.n * sizeof *given);
  for (size_t i = 0; i < (size_t)TW_CH_N_VARS * (size_t)h.n; ++i) given[i] = NAN;
  for (int k = 0; k < h.n_vars; ++k)
    memcpy(given + (size_t)h.var[k] * (size_t)h.n, h.cov + (size_t)k * (size_t)h.n, (size_t)h.n * sizeof *given);
  int64_t redrawn = 0;
  for (int64_t i = 0; i < h.n; ++i) redrawn += h.attempts[i] > 1;
  CHECK_MSG(redrawn > 20, "only %lld twins redrawn: the test does not exercise redraws", (long long)redrawn);
  for (int threads = 1; threads <= 2; ++threads) {
    tw_cohort g;
    CHECK_OK(tw_cohort_generate_given(&c, threads, h.n, given, &g));
    CHECK(g.n == h.n && g.n_params == h.n_params && g.n_vars == h.n_vars && g.n_conditions == 0);
    CHECK(memcmp(g.params, h.params, (size_t)h.n * (size_t)h.n_params * sizeof *h.params) == 0);
    CHECK(memcmp(g.reference, h.reference, (size_t)h.n * sizeof *h.reference) == 0);
    CHECK(memcmp(g.attempts, h.attempts, (size_t)h.n * sizeof *h.attempts) == 0);
    CHECK(memcmp(g.cov, h.cov, (size_t)h.n * (size_t)h.n_vars * sizeof *h.cov) == 0);
    CHECK(g.redraws.steady_rule && h.redraws.steady_rule && g.fasting && h.fasting);
    CHECK(g.fasting && h.fasting && memcmp(g.fasting, h.fasting, (size_t)h.n * sizeof *h.fasting) == 0);
    CHECK(g.redraws.range == h.redraws.range && g.redraws.steady == h.redraws.steady &&
          g.redraws.draws_checked == h.redraws.draws_checked);
    tw_cohort_free(&g);
  }
  given[(size_t)TW_CH_WEIGHT * (size_t)h.n + 5] = NAN; /* a drawn variable without a value */
  tw_cohort g;
  CHECK_STATUS(tw_cohort_generate_given(&c, 1, h.n, given, &g), TW_ERR_INTERNAL);
  free(given);
  tw_cohort_free(&h);
  tw_cfg_release(&tw_cohort_config_schema, &c);
  tw_cfg_free(doc);
}

/* Binds an import config from text; the status of binding. */
static tw_status load_import(const char *yaml, tw_import_config *c, tw_cfg_doc **doc) {
  TW_TRY(tw_cfg_parse_string("import.yaml", yaml, strlen(yaml), doc));
  return tw_cfg_bind(*doc, &tw_import_config_schema, c);
}

#define IMPORT_HEAD "kind: import\nsource: {person_csv: p.csv}\nreference_date: 2024-01-01\nsalt_env: TW_SALT\n"

static void impute_one(const tw_impute_model *md, double *x, unsigned char *imputed) {
  unsigned char clamped[TW_CH_N_VARS] = {0};
  memset(imputed, 0, TW_CH_N_VARS);
  CHECK_OK(tw_impute_person(md, x, imputed, clamped));
}

static void test_closed_forms(void) {
  const char *yaml = IMPORT_HEAD
      "covariates:\n"
      "  age_y: {kind: normal, mean: 45, sd: 15}\n"
      "  egfr: {kind: normal, mean: 90, sd: 20}\n"
      "  sex_male: 0.4\n"
      "  weight_kg: {kind: normal, mean: 70, sd: 10}\n"
      "correlation:\n"
      "  variables: [age_y, egfr, sex, weight_kg]\n"
      "  age_y: [1, -0.6, 0, 0]\n"
      "  egfr: [-0.6, 1, 0, 0]\n"
      "  sex: [0, 0, 1, 0.5]\n"
      "  weight_kg: [0, 0, 0.5, 1]\n";
  tw_cfg_doc *doc;
  tw_import_config c;
  CHECK_OK(load_import(yaml, &c, &doc));
  tw_impute_model md;
  CHECK_OK(tw_impute_model_make(&c.model, &md));
  unsigned char imputed[TW_CH_N_VARS];
  double a = tw_normal_quantile(0.4), phi = exp(-a * a / 2) / sqrt(2 * M_PI);
  for (int male = 0; male <= 1; ++male) {
    double x[TW_CH_N_VARS] = {60, NAN, NAN, NAN, NAN, NAN, NAN, male};
    impute_one(&md, x, imputed);
    CHECK_NEAR(x[TW_CH_EGFR], 90 + 20 * -0.6 * (60 - 45) / 15.0, 1e-12 * 90);
    double ez = male ? -phi / 0.4 : phi / 0.6;
    CHECK_NEAR(x[TW_CH_WEIGHT], 70 + 10 * 0.5 * ez, 1e-12 * 70);
    CHECK(imputed[TW_CH_EGFR] && imputed[TW_CH_WEIGHT] && !imputed[TW_CH_AGE] && !imputed[TW_CH_SEX]);
    CHECK(isnan(x[TW_CH_HBA1C]) && !imputed[TW_CH_HBA1C]); /* no marginal: left missing */
  }
  double y[TW_CH_N_VARS] = {60, 81.5, NAN, NAN, NAN, NAN, 77.25, 1};
  impute_one(&md, y, imputed);
  CHECK(y[TW_CH_WEIGHT] == 81.5 && y[TW_CH_EGFR] == 77.25 && !imputed[TW_CH_WEIGHT] && !imputed[TW_CH_EGFR]);
  tw_cfg_release(&tw_import_config_schema, &c);
  tw_cfg_free(doc);
  /* nothing known in the copula: the marginal's median, here of a truncated log-normal */
  const char *alone = IMPORT_HEAD "covariates:\n  age_y: {kind: uniform, lo: 0, hi: 100}\n"
                                  "  egfr: {kind: lognormal, median: 90, cv: 0.2, min: 60, max: 200}\n";
  CHECK_OK(load_import(alone, &c, &doc));
  CHECK_OK(tw_impute_model_make(&c.model, &md));
  double z[TW_CH_N_VARS] = {30, NAN, NAN, NAN, NAN, NAN, NAN, 0};
  impute_one(&md, z, imputed);
  CHECK_NEAR(z[TW_CH_EGFR], tw_cohort_quantile(&c.model.covariates.m[TW_CH_EGFR].as.lognormal, TW_DIST_LOGNORMAL, 0.5),
             1e-12 * 90);
  CHECK(z[TW_CH_EGFR] > 90); /* the truncation below 60 moves the median up */
  tw_cfg_release(&tw_import_config_schema, &c);
  tw_cfg_free(doc);
}

static void expect_config_error(const char *yaml, const char *where, const char *what) {
  tw_cfg_doc *doc = NULL;
  tw_import_config c;
  CHECK_STATUS(load_import(yaml, &c, &doc), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), where) && strstr(tw_error_message(), what), "message \"%s\" lacks \"%s\" \"%s\"",
            tw_error_message(), where, what);
  tw_cfg_free(doc);
}

static void test_config_errors(void) {
  expect_config_error("kind: import\nsource: {synthea: d, person_csv: p.csv}\nreference_date: 2024-01-01\n"
                      "salt_env: TW_SALT\ncovariates: {age_y: {kind: uniform, lo: 0, hi: 100}}\n",
                      "import.yaml:2:9: ", "exactly one of synthea");
  expect_config_error("kind: import\nsource: {synthea: d}\nreference_date: 2024-01-01\n"
                      "salt_env: my secret salt\ncovariates: {age_y: {kind: uniform, lo: 0, hi: 100}}\n",
                      "import.yaml:4:11: ", "not the salt itself");
  expect_config_error("kind: import\nsource: {synthea: d}\nreference_date: 2024-02-30\n"
                      "salt_env: TW_SALT\ncovariates: {age_y: {kind: uniform, lo: 0, hi: 100}}\n",
                      "import.yaml:3:17: ", "expected a day YYYY-MM-DD");
  expect_config_error(IMPORT_HEAD "covariates:\n  age_y: {kind: uniform, lo: 0, hi: 100}\n"
                      "  egfr: {kind: normal, mean: 90, sd: 20}\n  weight_kg: {kind: normal, mean: 70, sd: 10}\n"
                      "correlation:\n  variables: [age_y, egfr, weight_kg]\n  age_y: [1, 0.9, 0.9]\n"
                      "  egfr: [0.9, 1, -0.9]\n  weight_kg: [0.9, -0.9, 1]\n",
                      "import.yaml:", "correlation: the matrix is not positive definite");
}

int main(void) {
  TW_TEST_RUN(test_given_is_generated);
  TW_TEST_RUN(test_closed_forms);
  TW_TEST_RUN(test_config_errors);
  return tw_test_failures_;
}
