/*
** report.h: `twinscale gan report`: fidelity and privacy of a synthetic
** cohort against the real one and a holdout, every number as SDMetrics 0.32.0
** defines it (docs/gan.md; issue 12, item 5).
**
** Quality (SDMetrics' QualityReport): Column Shapes, the mean of each
** column's KSComplement (continuous) or TVComplement (discrete); Column Pair
** Trends, the mean of the pair scores that count (CorrelationSimilarity for two
** continuous columns, ContingencySimilarity otherwise, a continuous column of
** a mixed pair binned; the real-data thresholds 0.5 and 0.3); the score, the
** mean of the two (of the one that is defined). Diagnostic: BoundaryAdherence
** per continuous column, CategoryAdherence per discrete one. Privacy:
** NewRowSynthesis (real vs synthetic), DCROverfittingProtection (real vs
** holdout, no subsampling), DCRBaselineProtection (random rows from `seed`).
** Validity (not SDMetrics'; validity.h): where the real cohort records its
** pack, the share of synthetic rows that fail the pack's checks (a parameter
** out of range, no steady state at the basal rate), as `gan sample` checks.
** Baselines (baseline.h) and repeated seeds: each number again for a Gaussian
** copula and for bootstrap rows, K times, as mean and [min, max]. Utility
** (metrics_utility.h): a ridge regression's R^2 for a trial endpoint, the
** copula's from trials of its draws (`gan baseline` files). Quality against
** the holdout (not SDMetrics' report, its definitions): the score and its two
** properties again with the holdout rows as the real table, so a table is
** also judged on real people no method saw; a baseline is fitted to the real
** rows, whose own marginals it reproduces (docs/gan.md, "In and out of
** sample").
*/
#ifndef TW_GAN_REPORT_H
#define TW_GAN_REPORT_H

#include "gan/baseline.h"
#include "gan/metrics_utility.h"
#include "gan/table.h"

TW_EXTERN_C_BEGIN

typedef struct tw_gan_pair_score {
  int a, b;           /* column indices, a < b, in itertools.combinations order */
  const char *metric; /* "CorrelationSimilarity" or "ContingencySimilarity" */
  double score;       /* NaN: the pair does not count (below threshold, constant, undefined) */
} tw_gan_pair_score;

/* The baselines a report draws, in the JSON's order (docs/gan.md
** "Baselines"): the Gaussian copula and bootstrap as drawn; the copula's
** valid twins, its invalid rows redrawn as `gan baseline` redraws them (the
** first N valid rows of the same draw; the draw itself where the real cohort
** names no pack), so that a generator's sample, whose invalid rows are
** redrawn too, meets a copula of the same validity; and a smoothed bootstrap
** (baseline.h) of valid twins at the bandwidth that gives the synthetic
** table's privacy (tw_gan_report_baselines). The last two are the ones the
** report compares with the synthetic table at equal privacy
** (tw_gan_equal_privacy): bootstrap has none, the copula's raw draw has
** invalid twins. */
enum { TW_GAN_REPORT_BASELINES = 4 };
typedef struct tw_gan_report_baseline {
  const char *key;   /* the JSON's: "gaussian_copula", "bootstrap", "gaussian_copula_valid", "smoothed_bootstrap" */
  const char *title; /* stdout's and report.html's */
  tw_gan_baseline_kind kind;
  int valid;         /* invalid rows redrawn */
  int equal_privacy; /* in the comparison at the synthetic table's privacy */
} tw_gan_report_baseline;
extern const tw_gan_report_baseline tw_gan_report_baseline_list[TW_GAN_REPORT_BASELINES];

typedef struct tw_gan_report {
  tw_gan_schema schema;                 /* of the real file; the others were read against it */
  tw_gan_table real, synthetic, holdout;
  double score, column_shapes, column_pair_trends; /* NaN when nothing is defined */
  double *column_score;                 /* (n_cols) KSComplement or TVComplement */
  int n_pairs;
  tw_gan_pair_score *pairs;             /* (n_cols (n_cols - 1) / 2) */
  double *adherence;                    /* (n_cols) BoundaryAdherence (continuous) or CategoryAdherence */
  double new_row_synthesis, dcr_overfitting_protection, dcr_baseline_protection;
  double dcr_baseline_medians[2];       /* median DCR to the real rows: synthetic, random */
  uint64_t seed;
  const char *paths[3];                 /* real, synthetic, holdout as given (not owned; for report.html) */
  double *dcr_syn_real;                 /* (synthetic rows) DCR of each synthetic row to the real rows */
  /* Repeated seeds (tw_gan_report_baselines): draw k uses seed + k. */
  int n_seeds;                          /* K; 0: no baselines were drawn */
  double *dcr_baseline_draws;           /* (K) the synthetic table's DCRBaselineProtection, seed + k */
  double *random_median;                /* (K) median DCR of seed + k's random rows to the real rows */
  double *baseline_values[TW_GAN_REPORT_BASELINES]; /* (K, tw_gan_report_n_values) per draw of each baseline */
  tw_gan_utility *utility;              /* NULL, or the utility (metrics_utility.h), owned */
  char *pack;                           /* the real cohort's `pack` attribute, or NULL (nothing to check) */
  struct tw_gan_validity *validity;     /* its checker (validity.h), owned; NULL without a pack */
  double invalid_share;                 /* of the synthetic rows; NaN without a pack */
  double holdout_quality[3];            /* score, column_shapes, column_pair_trends against the holdout rows */
  tw_gan_smoothing smoothing;           /* the smoothed bootstrap's: the bandwidth matched (swap 0.3) */
  int smoothing_matched;                /* 0: not even the largest bandwidth tried reached the privacy */
} tw_gan_report;

/* The report's numbers as one flat vector (the JSON's order): score,
** column_shapes, column_pair_trends, column_score (n_cols), the pair scores
** (n_pairs), adherence (n_cols), new_row_synthesis,
** dcr_overfitting_protection, dcr_baseline_protection, invalid_share, then
** holdout_quality (3). */
enum { TW_GAN_V_SCORE = 0, TW_GAN_V_SHAPES = 1, TW_GAN_V_TRENDS = 2, TW_GAN_V_COLUMNS = 3 };
static inline int tw_gan_v_pair(const tw_gan_report *r, int k) { return TW_GAN_V_COLUMNS + r->schema.n_cols + k; }
static inline int tw_gan_v_adherence(const tw_gan_report *r, int j) {
  return TW_GAN_V_COLUMNS + r->schema.n_cols + r->n_pairs + j;
}
/* p: 0 new_row_synthesis, 1 dcr_overfitting_protection, 2 dcr_baseline_protection. */
static inline int tw_gan_v_privacy(const tw_gan_report *r, int p) { return tw_gan_v_adherence(r, r->schema.n_cols) + p; }
static inline int tw_gan_v_invalid(const tw_gan_report *r) { return tw_gan_v_privacy(r, 3); }
/* p: 0 score, 1 column_shapes, 2 column_pair_trends, against the holdout. */
static inline int tw_gan_v_holdout(const tw_gan_report *r, int p) { return tw_gan_v_invalid(r) + 1 + p; }
static inline int tw_gan_report_n_values(const tw_gan_report *r) { return tw_gan_v_holdout(r, 3); }
/* Writes r's own numbers (the synthetic table's) into v (tw_gan_report_n_values). */
void tw_gan_report_values(const tw_gan_report *r, double *v);

/* Mean, sample sd, min and max of the draws of one number that are not NaN
** (n of them; every field NaN when n = 0, sd NaN when n < 2). The interval
** the report gives is [min, max] over the K seeds. */
typedef struct tw_gan_spread {
  double mean, sd, min, max;
  int n;
} tw_gan_spread;
/* The spread of value `index` over `draws` rows of `values` ((draws, stride)). */
tw_gan_spread tw_gan_spread_of(const double *values, int draws, int stride, int index);

/* Reads the three cohort files (the synthetic and holdout against the real
** one's schema) and computes every metric. TW_ERR_INPUT for a file that is
** not a cohort file, a schema that differs (naming the column), an empty
** table. On failure *r holds nothing to free. */
tw_status tw_gan_report_run(const char *real, const char *synthetic, const char *holdout, uint64_t seed,
                            tw_gan_report *r);
/* The quality part alone on two tables of one schema (tests, and the GAN's
** own checks); fills score, column_shapes, column_pair_trends, column_score,
** pairs (allocating the last two). */
tw_status tw_gan_quality(const tw_gan_table *real, const tw_gan_table *synthetic, tw_gan_report *r);
/* The diagnostic part: r->adherence (allocated) of r->synthetic against r->real. */
tw_status tw_gan_diagnostic(tw_gan_report *r);
/* r->holdout_quality: the quality of r->synthetic with r->holdout as the real table. */
tw_status tw_gan_holdout_quality(tw_gan_report *r);
/* r->invalid_share of r->synthetic under r->validity (NaN without one). */
tw_status tw_gan_report_validity(tw_gan_report *r);
/* Repeated seeds and the baselines (docs/gan.md "Baselines"): for k in
** 0..seeds-1, the synthetic table's DCRBaselineProtection with seed + k
** (k = 0 is r->dcr_baseline_protection), and each baseline drawn with seed + k
** as many rows as the synthetic table, scored as the synthetic table is
** (its DCRBaselineProtection against the same random rows of seed + k).
** seeds >= 1; after tw_gan_report_run. */
tw_status tw_gan_report_baselines(tw_gan_report *r, int seeds);
/* The comparison at equal privacy (docs/gan.md, "The baselines at the
** generator's privacy and validity"), of the baselines with equal_privacy:
** a baseline is as private when its mean NewRowSynthesis and mean
** DCROverfittingProtection over the K draws are at least the synthetic
** table's, and (with a pack) its mean invalid share at most the table's; the
** table beats it when its quality is above the baseline's largest over the
** draws. The verdict: 0 when a baseline as private is not beaten; else -1
** (undecided) when a less private one is not beaten; else 1 (beating a less
** private baseline, whose quality its privacy has not cost, counts). After
** tw_gan_report_baselines. */
typedef struct tw_gan_equal_privacy {
  int as_private[TW_GAN_REPORT_BASELINES];  /* per baseline of the list (0 for one outside the comparison) */
  int beaten[TW_GAN_REPORT_BASELINES][2];   /* in sample, against the holdout */
  int verdict[2];                           /* in sample, against the holdout: 1, 0 or -1 */
} tw_gan_equal_privacy;
tw_gan_equal_privacy tw_gan_report_equal_privacy(const tw_gan_report *r);

/* The utility (metrics_utility.h) from three trial results files run on the
** real, synthetic and holdout cohorts, and any trials of Gaussian copula
** draws: into r->utility, the bootstrap drawn r->n_seeds times from r->seed
** (after tw_gan_report_baselines, if any; a->seed and a->seeds are ignored). */
tw_status tw_gan_report_utility(tw_gan_report *r, const tw_gan_utility_args *a);
/* Writes the report as JSON (docs/gan.md), through "<path>.partial". */
tw_status tw_gan_report_write_json(const tw_gan_report *r, const char *path);
/* Writes the report as one self-contained HTML page (report_html.c), through
** "<path>.partial". */
tw_status tw_gan_report_write_html(const tw_gan_report *r, const char *path);
void tw_gan_report_free(tw_gan_report *r);

TW_EXTERN_C_END

#endif
