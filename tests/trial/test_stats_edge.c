/*
** test_stats_edge.c: the statistics say "not estimable" instead of computing it
** (one observation, zero variance, every difference zero, all ties, no events,
** a hazard ratio of 0 or infinity),
** with NaN only in the numbers they flag, and refuse bad input as TW_ERR_INPUT.
*/
#include <math.h>
#include <string.h>

#include "trial/stats.h"
#include "tw_test.h"

static void test_describe(void) {
  tw_stat_summary s;
  CHECK_OK(tw_stat_describe(NULL, 0, &s));
  CHECK(s.est == TW_STAT_TOO_FEW && s.sd_est == TW_STAT_TOO_FEW && isnan(s.mean));
  const double one = 4.5;
  CHECK_OK(tw_stat_describe(&one, 1, &s));
  CHECK(s.est == TW_STAT_ESTIMABLE && s.sd_est == TW_STAT_TOO_FEW && isnan(s.sd));
  CHECK(s.mean == 4.5 && s.median == 4.5 && s.q1 == 4.5 && s.q3 == 4.5);
  const double bad[2] = {1, NAN};
  CHECK_STATUS(tw_stat_describe(bad, 2, &s), TW_ERR_INPUT);
  tw_error_clear();
}

static void test_paired(void) {
  tw_stat_ttest t;
  const double x[3] = {1, 2, 3}, y[3] = {0, 1, 2};
  CHECK_OK(tw_stat_paired_t(x, y, 1, 0.95, &t));
  CHECK(t.est == TW_STAT_TOO_FEW && t.estimate == 1 && isnan(t.p_value) && isnan(t.ci_lo));
  CHECK_OK(tw_stat_paired_t(x, y, 3, 0.95, &t));
  CHECK(t.est == TW_STAT_ZERO_VARIANCE && t.estimate == 1 && isnan(t.t));
  tw_stat_ranktest r;
  CHECK_OK(tw_stat_wilcoxon(x, x, 3, &r));
  CHECK(r.est == TW_STAT_ALL_ZERO && r.n_used == 0 && isnan(r.p_value));
  CHECK_OK(tw_stat_wilcoxon(x, y, 3, &r)); /* three tied differences: estimable */
  CHECK(r.est == TW_STAT_ESTIMABLE && r.n_used == 3 && r.statistic == 0);
  CHECK_STATUS(tw_stat_paired_t(x, y, 3, 1.5, &t), TW_ERR_INPUT);
  tw_error_clear();
}

static void test_two_sample(void) {
  tw_stat_ttest t;
  const double x[2] = {1, 1}, y[3] = {2, 2, 2};
  CHECK_OK(tw_stat_welch_t(x, 1, y, 3, 0.95, &t));
  CHECK(t.est == TW_STAT_TOO_FEW && t.estimate == -1 && isnan(t.df));
  CHECK_OK(tw_stat_welch_t(x, 2, y, 3, 0.95, &t));
  CHECK(t.est == TW_STAT_ZERO_VARIANCE && t.estimate == -1 && isnan(t.p_value));
  tw_stat_ranktest r;
  CHECK_OK(tw_stat_mann_whitney(x, 0, y, 3, &r));
  CHECK(r.est == TW_STAT_TOO_FEW && isnan(r.p_value));
  const double z[2] = {2, 2};
  CHECK_OK(tw_stat_mann_whitney(z, 2, y, 3, &r));
  CHECK(r.est == TW_STAT_ALL_TIES && isnan(r.p_value) && r.statistic == 3);
  CHECK_OK(tw_stat_mann_whitney(x, 2, y, 3, &r));
  CHECK(r.est == TW_STAT_ESTIMABLE && r.statistic == 0 && r.p_value > 0 && r.p_value < 1);
}

static void test_proportions(void) {
  tw_stat_interval ci;
  CHECK_OK(tw_stat_wilson(0, 0, 0.95, &ci));
  CHECK(ci.est == TW_STAT_TOO_FEW && isnan(ci.lo));
  CHECK_STATUS(tw_stat_wilson(3, 2, 0.95, &ci), TW_ERR_INPUT);
  tw_error_clear();
  CHECK_OK(tw_stat_newcombe_diff(1, 2, 0, 0, 0.95, &ci));
  CHECK(ci.est == TW_STAT_TOO_FEW && isnan(ci.estimate));
  tw_stat_ptest p;
  CHECK_OK(tw_stat_mcnemar_exact(0, 0, &p));
  CHECK(p.est == TW_STAT_NO_EVENTS && isnan(p.p_value));
  CHECK_OK(tw_stat_fisher_exact(0, 5, 0, 7, &p)); /* nobody responded: an empty column */
  CHECK(p.est == TW_STAT_NO_EVENTS && isnan(p.p_value));
  CHECK_OK(tw_stat_fisher_exact(3, 0, 0, 3, &p));
  CHECK(p.est == TW_STAT_ESTIMABLE && isinf(p.statistic) && fabs(p.p_value - 0.1) < 1e-15);
}

static void test_survival(void) {
  const double t[4] = {1, 2, 3, 4};
  const unsigned char all[4] = {1, 1, 1, 1}, none[4] = {0, 0, 0, 0}, g[4] = {0, 1, 0, 1}, g0[4] = {0, 0, 0, 0};
  double st[4], ss[4];
  size_t steps;
  tw_stat_km k;
  CHECK_OK(tw_stat_kaplan_meier(t, all, 0, NULL, NULL, NULL, &k));
  CHECK(k.est == TW_STAT_TOO_FEW);
  CHECK_OK(tw_stat_kaplan_meier(t, none, 4, st, ss, &steps, &k));
  CHECK(k.est == TW_STAT_ESTIMABLE && !k.median_reached && isinf(k.median) && steps == 0 && k.events == 0);
  CHECK_OK(tw_stat_kaplan_meier(t, all, 4, st, ss, &steps, &k));
  CHECK(steps == 4 && k.median_reached && k.median == 2); /* S(2) = 1/2 exactly counts as reached */
  CHECK_NEAR(ss[0], 0.75, 1e-15);
  CHECK_NEAR(ss[2], 0.25, 1e-15);
  CHECK(ss[3] == 0 && st[3] == 4);
  tw_stat_ptest p;
  CHECK_OK(tw_stat_logrank(t, all, g0, 4, &p));
  CHECK(p.est == TW_STAT_TOO_FEW && isnan(p.p_value));
  CHECK_OK(tw_stat_logrank(t, none, g, 4, &p));
  CHECK(p.est == TW_STAT_NO_EVENTS && isnan(p.p_value));
  tw_stat_cox c;
  const unsigned char early[4] = {1, 1, 0, 0}, ev2[4] = {1, 1, 0, 0};
  CHECK_OK(tw_stat_cox_efron(t, ev2, early, NULL, 4, 0.95, &c)); /* only the x = 1 twins have events */
  CHECK(c.est == TW_STAT_SEPARATION && isnan(c.hazard_ratio));
  CHECK_OK(tw_stat_cox_efron(t, none, g, NULL, 4, 0.95, &c));
  CHECK(c.est == TW_STAT_NO_EVENTS);
  const double neg[2] = {-1, 2};
  CHECK_STATUS(tw_stat_kaplan_meier(neg, all, 2, NULL, NULL, NULL, &k), TW_ERR_INPUT);
  const unsigned char bad[2] = {2, 0};
  CHECK_STATUS(tw_stat_logrank(t, bad, g, 2, &p), TW_ERR_INPUT);
  tw_error_clear();
}

/* 16,000 twins, random groups (beta near 0): Newton once stalled at the
** rounding-noise floor of the score here; it must converge in a few steps. */
static void test_cox_large(void) {
  enum { N = 16000 };
  static double t[N];
  static unsigned char e[N], x[N];
  unsigned long long state = 12345;
  for (int i = 0; i < N; i++) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    t[i] = (double)((state >> 33) % 20160);
    e[i] = ((state >> 20) % 3) != 0;
    x[i] = i >= N / 2;
  }
  tw_stat_cox c;
  CHECK_OK(tw_stat_cox_efron(t, e, x, NULL, N, 0.95, &c));
  CHECK(c.est == TW_STAT_ESTIMABLE && c.iterations < 20 && fabs(c.beta) < 0.2);
  CHECK(c.hr_lo < c.hazard_ratio && c.hazard_ratio < c.hr_hi);
}

static void test_distribution_input(void) {
  double v;
  CHECK_STATUS(tw_t_sf(1, 0, &v), TW_ERR_INPUT);
  CHECK_STATUS(tw_t_sf(NAN, 3, &v), TW_ERR_INPUT);
  CHECK_STATUS(tw_t_isf(1.5, 3, &v), TW_ERR_INPUT);
  CHECK_STATUS(tw_norm_isf(-0.1, &v), TW_ERR_INPUT);
  double a, b;
  CHECK_STATUS(tw_beta_inc(0, 1, 0.5, &a, &b), TW_ERR_INPUT);
  tw_error_clear();
  CHECK_OK(tw_t_isf(0, 4, &v));
  CHECK(isinf(v) && v > 0);
  CHECK_OK(tw_t_sf(INFINITY, 4, &v));
  CHECK(v == 0);
  CHECK_OK(tw_t_sf(1.3, INFINITY, &v));
  CHECK(v == tw_norm_sf(1.3));
  CHECK_OK(tw_beta_inc(2, 3, 0, &a, &b));
  CHECK(a == 0 && b == 1);
}

static void test_reasons_worded(void) {
  for (int e = TW_STAT_ESTIMABLE; e <= TW_STAT_SEPARATION; e++)
    for (int f = e + 1; f <= TW_STAT_SEPARATION; f++)
      CHECK_MSG(strcmp(tw_stat_est_text((tw_stat_est)e), tw_stat_est_text((tw_stat_est)f)),
                "reasons %d and %d read the same", e, f);
}

int main(void) {
  TW_TEST_RUN(test_describe);
  TW_TEST_RUN(test_paired);
  TW_TEST_RUN(test_two_sample);
  TW_TEST_RUN(test_proportions);
  TW_TEST_RUN(test_survival);
  TW_TEST_RUN(test_cox_large);
  TW_TEST_RUN(test_distribution_input);
  TW_TEST_RUN(test_reasons_worded);
  return TW_TEST_RESULT();
}
