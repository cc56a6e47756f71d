/*
** stats.h: the statistics of an in-silico trial (issue 8, item 5), as a library.
**
** Each function equals a named reference (scipy, statsmodels, lifelines) to 1e-9 relative
** and its p-values to 1e-12 absolute; docs/statistics.md names the reference of
** each (library, function, options), its formulas, and the rules below.
** tests/trial/test_stats.c checks every number against a committed fixture made
** by validation/stats_reference.py.
**
** Errors as values. A function returns TW_ERR_INPUT for what the caller got
** wrong (a NULL pointer, a non-finite value, counts that do not fit) and
** TW_ERR_NUMERIC if an iteration did not converge. A statistic the data cannot
** give (one twin in an arm, every difference zero, all values tied, no
** discordant pairs) is not an error: the call returns TW_OK, the result's `est`
** says why it is not estimable, and the numbers it cannot give are NaN. A caller
** checks `est` before it reads them; tw_stat_est_text() words the reason.
**
** Pure C17 + libm; thread-safe (no state). Functions that sort or rank
** allocate one buffer of about n records and free it before they return
** (noted at each); the others allocate nothing.
*/
#ifndef TW_TRIAL_STATS_H
#define TW_TRIAL_STATS_H

#include <stddef.h> /* size_t */

#include "core/status.h"

TW_EXTERN_C_BEGIN

/* Why a statistic is not estimable; TW_STAT_ESTIMABLE (0) when it is. */
typedef enum tw_stat_est {
  TW_STAT_ESTIMABLE = 0,
  TW_STAT_TOO_FEW,       /* fewer observations than it needs (n < 2 for an sd or t test, an empty arm) */
  TW_STAT_ZERO_VARIANCE, /* every value (or difference) equal: t = 0/0 */
  TW_STAT_ALL_ZERO,      /* Wilcoxon: every paired difference is zero, none left to rank */
  TW_STAT_ALL_TIES,      /* Mann-Whitney: every pooled value tied, the rank variance is 0 */
  TW_STAT_NO_EVENTS,     /* McNemar: no discordant pairs; Fisher: an empty row or column; no events */
  TW_STAT_SEPARATION     /* Cox: the likelihood is monotone, the hazard ratio is 0 or infinite */
} tw_stat_est;

/* A short sentence for `e`: "fewer than 2 observations", ... */
const char *tw_stat_est_text(tw_stat_est e);

/* ---- distributions (stats_dist.c) ------------------------------------------ */

/* Standard normal: cdf Phi(x), sf 1 - Phi(x) (accurate in the upper tail), pdf.
** Total functions (NaN in, NaN out). As scipy.stats.norm.cdf / sf / pdf. */
double tw_norm_cdf(double x);
double tw_norm_sf(double x);
double tw_norm_pdf(double x);
/* Quantile (inverse cdf) of p in [0, 1]: -inf at 0, +inf at 1; as norm.ppf.
** tw_norm_isf(q) = the x with sf(x) = q, as norm.isf. TW_ERR_INPUT outside [0, 1]. */
tw_status tw_norm_ppf(double p, double *x);
tw_status tw_norm_isf(double q, double *x);

/* Regularized incomplete beta I_x(a, b) and its complement 1 - I_x(a, b), each
** to about 1e-14 relative where it is the smaller of the two (continued
** fraction, Lentz). a, b > 0, 0 <= x <= 1. */
tw_status tw_beta_inc(double a, double b, double x, double *ix, double *ix_complement);

/* Student t with df > 0 degrees of freedom (df need not be an integer): cdf,
** sf, pdf at t; ppf (lower-tail quantile, p in (0, 1)) and isf (upper-tail).
** As scipy.stats.t.cdf / sf / pdf; the quantiles as the exact inverse (scipy
** 1.10's t.ppf is accurate only to about 1e-9, docs/statistics.md). */
tw_status tw_t_cdf(double t, double df, double *p);
tw_status tw_t_sf(double t, double df, double *q);
tw_status tw_t_pdf(double t, double df, double *f);
tw_status tw_t_ppf(double p, double df, double *t);
tw_status tw_t_isf(double q, double df, double *t);

/* ---- descriptives (stats_desc.c) ------------------------------------------- */

/* One arm's values. median as numpy.median; q1, q3 as numpy.percentile(x, 25 / 75)
** (method "linear"); sd with ddof 1. est: TW_STAT_TOO_FEW when n == 0 (all NaN);
** sd_est: TW_STAT_TOO_FEW when n < 2 (sd NaN; the rest are given for n = 1). */
typedef struct tw_stat_summary {
  size_t n;
  double mean, sd, median, q1, q3;
  tw_stat_est est, sd_est;
} tw_stat_summary;

/* x: (n) values, finite (TW_ERR_INPUT otherwise); not modified. Allocates n doubles. */
tw_status tw_stat_describe(const double *x, size_t n, tw_stat_summary *out);

/* numpy.percentile(x, 100 * prob) with the linear method on sorted values
** (n >= 1, ascending, 0 <= prob <= 1). */
double tw_stat_quantile_sorted(const double *sorted, size_t n, double prob);

/* ---- comparisons of means (stats_paired.c, stats_two.c) -------------------- */

/* A t test and its 95% (or `level`) confidence interval for a difference.
** estimate: mean difference (given whenever n >= 1 per sample); ci, t, df,
** p_value: NaN unless est == TW_STAT_ESTIMABLE. */
typedef struct tw_stat_ttest {
  double estimate;
  double ci_lo, ci_hi;
  double t, df;
  double p_value; /* two-sided */
  tw_stat_est est;
} tw_stat_ttest;

/* A rank test: statistic as the reference returns it, its normal z, p-value
** (two-sided); n_used: the observations the test ranked. */
typedef struct tw_stat_ranktest {
  double statistic, z, p_value;
  size_t n_used;
  tw_stat_est est;
} tw_stat_ranktest;

/* Paired (crossover): d_i = x_i - y_i. Mean difference, CI from t(n-1) at
** `level` (e.g. 0.95), and scipy.stats.ttest_rel(x, y). TOO_FEW when n < 2,
** ZERO_VARIANCE when every d_i is equal. Allocates n doubles. */
tw_status tw_stat_paired_t(const double *x, const double *y, size_t n, double level,
                           tw_stat_ttest *out);
/* scipy.stats.wilcoxon(x - y, zero_method="wilcox", correction=False,
** method="asymptotic"): zero differences dropped, average ranks of |d|, the
** variance corrected for ties; statistic = min(R+, R-). ALL_ZERO when no
** difference is non-zero. Allocates n doubles. */
tw_status tw_stat_wilcoxon(const double *x, const double *y, size_t n, tw_stat_ranktest *out);

/* Parallel: mean(x) - mean(y), Welch CI (Welch-Satterthwaite df) at `level`,
** scipy.stats.ttest_ind(x, y, equal_var=False). TOO_FEW when nx < 2 or ny < 2,
** ZERO_VARIANCE when both samples are constant. */
tw_status tw_stat_welch_t(const double *x, size_t nx, const double *y, size_t ny, double level,
                          tw_stat_ttest *out);
/* scipy.stats.mannwhitneyu(x, y, use_continuity=True, alternative="two-sided",
** method="asymptotic"): statistic = U of x, p from max(U1, U2) with the tie
** correction. TOO_FEW when a sample is empty, ALL_TIES when every value is
** equal (scipy returns p = 1 there). Allocates nx + ny doubles and indices. */
tw_status tw_stat_mann_whitney(const double *x, size_t nx, const double *y, size_t ny,
                               tw_stat_ranktest *out);

/* ---- proportions (stats_prop.c) -------------------------------------------- */

/* An estimate with a confidence interval. */
typedef struct tw_stat_interval {
  double estimate, lo, hi;
  tw_stat_est est;
} tw_stat_interval;

/* Wilson score interval for count / n at `level`, as statsmodels
** proportion_confint(count, n, alpha=1-level, method="wilson") (clipped to
** [0, 1]). TOO_FEW when n == 0; TW_ERR_INPUT when count > n. */
tw_status tw_stat_wilson(size_t count, size_t n, double level, tw_stat_interval *out);

/* Newcombe's hybrid score interval for p1 - p2 (two independent samples), as
** statsmodels confint_proportions_2indep(c1, n1, c2, n2, method="newcomb",
** compare="diff", alpha=1-level). TOO_FEW when n1 or n2 is 0. */
tw_status tw_stat_newcombe_diff(size_t count1, size_t n1, size_t count2, size_t n2,
                                double level, tw_stat_interval *out);

/* A test p-value with its statistic. */
typedef struct tw_stat_ptest {
  double statistic, p_value;
  tw_stat_est est;
} tw_stat_ptest;

/* Exact McNemar on the discordant pairs b (yes/no) and c (no/yes), as
** statsmodels mcnemar([[., b], [c, .]], exact=True): statistic = min(b, c),
** p = min(1, 2 * binom.cdf(min(b, c), b + c, 1/2)). NO_EVENTS when b + c == 0. */
tw_status tw_stat_mcnemar_exact(size_t b, size_t c, tw_stat_ptest *out);

/* Fisher's exact test on [[a, b], [c, d]], two-sided, as scipy.stats.fisher_exact:
** statistic = the sample odds ratio a d / (b c) (+inf when b c == 0 < a d),
** p = the sum of the table probabilities not above the observed one's
** (relative tolerance 1e-14, as scipy). NO_EVENTS when a row or column sums
** to 0 (scipy returns p = 1 there). Allocates min(a+b, a+c) + 1 doubles. */
tw_status tw_stat_fisher_exact(size_t a, size_t b, size_t c, size_t d, tw_stat_ptest *out);

/* ---- time to event (stats_surv.c) ------------------------------------------ */

/* Times are finite and >= 0 (minutes, or any unit: results are in the same);
** event[i] is 1 for an event at time[i], 0 for a censoring there. */

/* Kaplan-Meier of one arm, as lifelines KaplanMeierFitter().fit(time, event):
** S(t) = exp(sum over event times <= t of ln(n - d) - ln n) (lifelines' form,
** so that S = 1/2 exactly rounds as lifelines rounds it);
** median = median_survival_time_: the first time with S(t) <= 1/2, or +inf
** when S stays above 1/2 (median_reached = 0: the median is not reached,
** reported, not computed). est: TOO_FEW when n == 0. */
typedef struct tw_stat_km {
  size_t n, events;
  double median;
  int median_reached;
  tw_stat_est est;
} tw_stat_km;

/* step_time, step_surv: optional (both NULL, or room for n each): the curve's
** steps, S(step_time[k]) = step_surv[k], at the *n_steps distinct event times
** (n_steps may be NULL when the steps are not asked for). Allocates n records. */
tw_status tw_stat_kaplan_meier(const double *time, const unsigned char *event, size_t n, double *step_time,
                               double *step_surv, size_t *n_steps, tw_stat_km *out);

/* The logrank test of group 1 against group 0 (group[i] in {0, 1}), as
** lifelines.statistics.logrank_test(T0, T1, E0, E1): statistic = (O1 - E1)^2 / V
** (chi-square, 1 df), p = chi2.sf(statistic, 1). TOO_FEW when a group is
** empty; NO_EVENTS when there is no event; ZERO_VARIANCE when V == 0 otherwise.
** Allocates n records. */
tw_status tw_stat_logrank(const double *time, const unsigned char *event, const unsigned char *group, size_t n,
                          tw_stat_ptest *out);

/* Cox proportional hazards with one binary covariate x (x[i] in {0, 1}: 1 for
** the arm, 0 for the reference), Efron's ties, by Newton-Raphson, as lifelines
** CoxPHFitter (default: no penalty) on columns (time, event, x), stratified
** (lifelines strata=[...]) when `stratum` is not NULL (n ids; a crossover
** passes the twin). beta = ln HR, se from the observed information, CI
** exp(beta -/+ z se), z = norm.isf((1-level)/2); p: lifelines' Wald p-value.
** TOO_FEW when no x = 1 or no x = 0; NO_EVENTS without events; SEPARATION
** when every event happens in one group wherever the other is at risk (the
** likelihood has no maximum). Allocates n records. */
typedef struct tw_stat_cox {
  double beta, se, hazard_ratio, hr_lo, hr_hi, z, p_value;
  int iterations;
  tw_stat_est est;
} tw_stat_cox;

tw_status tw_stat_cox_efron(const double *time, const unsigned char *event, const unsigned char *x,
                            const size_t *stratum, size_t n, double level, tw_stat_cox *out);

TW_EXTERN_C_END

#endif
