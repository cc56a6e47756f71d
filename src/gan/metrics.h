/*
** metrics.h: SDMetrics' single-column, column-pair and privacy metrics, as
** SDMetrics 0.32.0 computes them (docs/gan.md gives each definition and the
** source line it follows), on the columns of tables (table.h).
**
** Values are doubles: NaN is a missing continuous value; discrete cells are
** integers or label indices (never NaN in a cohort file, but NaN is handled as
** SDMetrics handles a missing category). A metric SDMetrics cannot compute
** (an empty column, a constant column in a correlation, a real association
** below the report's threshold) is NaN here, as it is a NaN score there.
** Functions returning tw_status only fail for memory.
*/
#ifndef TW_GAN_METRICS_H
#define TW_GAN_METRICS_H

#include "core/status.h"
#include "gan/table.h"

TW_EXTERN_C_BEGIN

/* The QualityReport's thresholds (sdmetrics.reports.utils): a continuous pair
** counts when |Pearson r| of the real data is above 0.5, a discrete or mixed
** pair when Cramer's V of the real data is above 0.3. */
#define TW_GAN_REAL_CORRELATION_THRESHOLD 0.5
#define TW_GAN_REAL_ASSOCIATION_THRESHOLD 0.3
/* NewRowSynthesis' numerical_match_tolerance default. */
#define TW_GAN_NUMERICAL_MATCH_TOLERANCE 0.01

/* KSComplement: 1 - the two-sample Kolmogorov-Smirnov D of the non-missing
** values, each rounded to 14 decimals first (x * 1e14, rint, / 1e14, as
** pandas' round(14)); NaN when either side has none. */
tw_status tw_gan_ks_complement(const double *real, int64_t nr, const double *syn, int64_t ns, double *out);
/* TVComplement: 1 - (1/2) sum over categories |f_syn - f_real| of the
** non-missing values, a synthetic category absent from the real data counted
** 1e-6 times in the real data (SDMetrics' get_frequencies). */
tw_status tw_gan_tv_complement(const double *real, int64_t nr, const double *syn, int64_t ns, double *out);
/* BoundaryAdherence: the share of synthetic values in [min, max] of the real
** ones; missing synthetic values are dropped when the real data has missing
** values, else count as outside. */
double tw_gan_boundary_adherence(const double *real, int64_t nr, const double *syn, int64_t ns);
/* CategoryAdherence: the share of synthetic values that are real categories
** (a missing value counts when the real data has missing values). */
tw_status tw_gan_category_adherence(const double *real, int64_t nr, const double *syn, int64_t ns, double *out);

/* A column pair's score: `score` NaN when the pair does not count. */
typedef struct tw_gan_pair {
  double score;
  double real_stat; /* Pearson r or Cramer's V of the real data (NaN when not computed) */
} tw_gan_pair;

/* CorrelationSimilarity (Pearson) as the QualityReport calls it: NaN when a
** column is constant (one distinct value) in either table, when |r_real| <=
** threshold, or when a correlation is undefined; else 1 - |r_real - r_syn| / 2.
** Rows with a missing value in either column are dropped. */
tw_status tw_gan_correlation_similarity(const double *rx, const double *ry, int64_t nr, const double *sx,
                                        const double *sy, int64_t ns, double threshold, tw_gan_pair *out);
/* ContingencySimilarity: 1 - (1/2) sum over cells (a, b) of |p_real - p_syn|,
** NaN when Cramer's V of the real contingency table is <= threshold or the
** table has fewer than 2 rows or columns (threshold > 0, as in the report). */
tw_status tw_gan_contingency_similarity(const double *ra, const double *rb, int64_t nr, const double *sa,
                                        const double *sb, int64_t ns, double threshold, tw_gan_pair *out);
/* The QualityReport's binning of a continuous column in a mixed pair: the
** edges of numpy.histogram_bin_edges (10 equal bins over the column's own
** non-missing min..max; +-0.5 when constant; 0..1 when empty), then
** numpy.digitize: code i for edge[i-1] <= x < edge[i], 0 below, 11 for the
** maximum and for missing values. Returns 0 (codes unset) when the range is
** not finite: SDMetrics' binning fails and the pair has no score. */
int tw_gan_digitize(const double *x, int64_t n, double *codes);

/* NewRowSynthesis: the share of synthetic rows that match no real row. A
** synthetic cell matches a real one when both are missing, or (continuous)
** |r - s| <= |tol * s|, or (discrete) r == s. No subsampling. */
tw_status tw_gan_new_row_synthesis(const tw_gan_table *real, const tw_gan_table *syn, double tol, double *out);
/* Distance to closest record of each row of `data` among the rows of `ref`:
** the mean over columns of |d - r| / range (range = max - min of ref's
** column; 0 or 1 for a constant one; capped at 1), 1 for a missing value
** against a present one, 0 for two missing; discrete columns 0 if equal else
** 1. dcr is (data->n_rows). */
tw_status tw_gan_dcr(const tw_gan_table *data, const tw_gan_table *ref, double *dcr);
/* DCROverfittingProtection: with p the share of synthetic rows strictly
** closer to the training (real) rows than to the holdout rows,
** min(2 (1 - p), 1). dcr_syn_real: tw_gan_dcr(syn, real) when already
** formed (the report shares it with the baseline), else NULL. */
tw_status tw_gan_dcr_overfitting(const tw_gan_table *real, const tw_gan_table *syn, const tw_gan_table *holdout,
                                 const double *dcr_syn_real, double *out);
/* DCRBaselineProtection: min(median DCR(synthetic -> real) / median
** DCR(random -> real), 1), the random table as many rows as the synthetic,
** drawn by tw_gan_random_table from `seed`; NaN when the random median is 0.
** dcr_syn_real as for tw_gan_dcr_overfitting; medians (optional):
** [synthetic, random]. */
tw_status tw_gan_dcr_baseline(const tw_gan_table *real, const tw_gan_table *syn, const double *dcr_syn_real,
                              uint64_t seed, double *out, double medians[2]);
/* The random rows of DCRBaselineProtection: per column, as SDMetrics'
** _generate_random_data: float uniform in [min, max) of the real column,
** integer uniform in {min, ..., max}, string uniform over the real column's
** distinct labels; then missing with the real column's missing share. Row i
** draws from Philox (seed, row i, TW_RNG_GAN_REPORT), two uniforms per
** column in column order. */
tw_status tw_gan_random_table(const tw_gan_table *real, int64_t n_rows, uint64_t seed, tw_gan_table *out);

TW_EXTERN_C_END

#endif
