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
*/
#ifndef TW_GAN_REPORT_H
#define TW_GAN_REPORT_H

#include "gan/table.h"

TW_EXTERN_C_BEGIN

typedef struct tw_gan_pair_score {
  int a, b;           /* column indices, a < b, in itertools.combinations order */
  const char *metric; /* "CorrelationSimilarity" or "ContingencySimilarity" */
  double score;       /* NaN: the pair does not count (below threshold, constant, undefined) */
} tw_gan_pair_score;

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
} tw_gan_report;

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
/* Writes the report as JSON (docs/gan.md), through "<path>.partial". */
tw_status tw_gan_report_write_json(const tw_gan_report *r, const char *path);
void tw_gan_report_free(tw_gan_report *r);

TW_EXTERN_C_END

#endif
