/*
** cohort_out.h: generated rows as a cohort file (`gan sample --output`, and
** a baseline's rows, `gan baseline --output`), in the layout `cohort
** generate` writes (docs/cohorts.md, "Output") as far as rows carry it, so
** that `simulate` and `trial` take it as their twins:
**   /cohort/id                 (n) strings "twin-000000", ...
**   each column at its dataset path in the model's cohort (/cohort/covariates/<name>,
**     /cohort/parameters/<pack>.<param>): float64 for continuous columns,
**     int32 for integer ones (int64 when a value needs it), strings for
**     string ones; units the training cohort's
**   root attributes: cohort_source "twinscale gan sample", n_twins, pack and
**     pack_parameters (when the training cohort had a pack), gan_model,
**     gan_condition ("" without one; with one, gan_conditioning "vector" or
**     "reject" and gan_rows_off_condition, the candidates rejection dropped
**     before the checks), gan_seed, gan_rows_drawn,
**     gan_rows_invalid, gan_invalid_rate, gan_invalid_out_of_range,
**     gan_invalid_no_steady_state and its causes gan_invalid_steady_low,
**     _high, _drift, _nonfinite (cohort_steady.h's verdicts). A baseline's
**     file: cohort_source "twinscale gan baseline", gan_baseline
**     ("gaussian_copula", "bootstrap"), gan_real_cohort (the cohort it was
**     fitted on) in place of gan_model, and gan_invalid_kept (1: the invalid
**     rows were kept, not redrawn; the counts are then of rows written).
** The transformer passed supplies the schema, units and pack only: a
** baseline passes one with just those (tw_gan_meta_read, no fit).
** Conditions are columns (/cohort/conditions/<name>, int32). No
** /cohort/reference (a generated twin has no reference patient), no
** subgroups. The file is written to PATH.partial and renamed when whole
** (io/h5.h).
**
** tw_gan_cohort_write_joined writes a trial's cohort.from_generator file
** (docs/trial.md, "Synthetic twins"): the real cohort's twins first (their
** /cohort/id, their values of the model's columns, their /cohort/reference
** when the real file has one), then the generated twins ("gan-000000", ...;
** reference ""), and
**   /cohort/covariates/synthetic  (n) uint8: 0 real, 1 generated
** (a covariate, so a trial copies it into its results beside the endpoints,
** shows it in report.html's cohort table and can stratify on it); root
** attributes as above with cohort_source "twinscale trial
** cohort.from_generator", plus real_cohort (its path, "" without one),
** n_real and n_synthetic. Other datasets of the real cohort (subgroup,
** attempts, fasting values, imputed flags) are not carried.
*/
#ifndef TW_GAN_COHORT_OUT_H
#define TW_GAN_COHORT_OUT_H

#include "gan/baseline.h" /* tw_gan_smoothing */
#include "gan/transform.h"
#include "gan/validity.h"

TW_EXTERN_C_BEGIN

/* Where the rows came from, for the file's attributes. */
typedef struct tw_gan_sample_info {
  const char *model;     /* the model file's path; a baseline's: the real cohort's */
  const char *condition; /* "NAME=VALUE", or NULL */
  tw_gan_conditioning conditioning; /* how a generator's condition was imposed */
  uint64_t seed;
  const tw_gan_validity_stats *stats; /* the redraws (may be NULL: none) */
  const char *baseline;  /* NULL: a generator's rows; else the baseline's name (baseline.h) */
  int keep_invalid;      /* a baseline's invalid rows were kept, not redrawn */
  const tw_gan_smoothing *smoothing; /* a smoothed bootstrap's bandwidth and swap, else NULL */
} tw_gan_sample_info;

/* Writes the rows (tr's schema) to `path`. */
tw_status tw_gan_cohort_write(const char *path, const tw_gan_transformer *tr, const tw_gan_table *rows,
                              const tw_gan_sample_info *info);

/* The flag of generated twins in a joined file, and their names' prefix. */
#define TW_GAN_SYNTHETIC_DATASET "/cohort/covariates/synthetic"
#define TW_GAN_SYNTHETIC_ID_PREFIX "gan-"

/* The real twins a joined file starts with. */
typedef struct tw_gan_cohort_real {
  const tw_gan_table *rows; /* (n_real) the model's columns, read against the real file's own schema
                               (string cells index its labels); NULL: no real twins */
  char *const *ids;         /* (n_real) their /cohort/id */
  char *const *references;  /* (n_real) their /cohort/reference, or NULL when the file has none */
  const char *path;         /* the real cohort's path (root attribute real_cohort) */
} tw_gan_cohort_real;

/* Writes real's rows, then the generated rows, to `path` (layout above). */
tw_status tw_gan_cohort_write_joined(const char *path, const tw_gan_transformer *tr, const tw_gan_cohort_real *real,
                                     const tw_gan_table *rows, const tw_gan_sample_info *info);

TW_EXTERN_C_END

#endif
