/*
** cohort_out.h: generated rows as a cohort file (`gan sample --output`),
** in the layout `cohort generate` writes (docs/cohorts.md, "Output") as far
** as rows carry it, so that `simulate` and `trial` take it as their twins:
**   /cohort/id                 (n) strings "twin-000000", ...
**   each column at its dataset path in the model's cohort (/cohort/covariates/<name>,
**     /cohort/parameters/<pack>.<param>): float64 for continuous columns,
**     int32 for integer ones (int64 when a value needs it), strings for
**     string ones; units the training cohort's
**   root attributes: cohort_source "twinscale gan sample", n_twins, pack and
**     pack_parameters (when the training cohort had a pack), gan_model,
**     gan_condition ("" without one), gan_seed, gan_rows_drawn,
**     gan_rows_invalid, gan_invalid_rate, gan_invalid_out_of_range,
**     gan_invalid_no_steady_state.
** No /cohort/reference (a generated twin has no reference patient), no
** conditions or subgroups. The file is written to PATH.partial and renamed
** when whole (io/h5.h).
*/
#ifndef TW_GAN_COHORT_OUT_H
#define TW_GAN_COHORT_OUT_H

#include "gan/transform.h"
#include "gan/validity.h"

TW_EXTERN_C_BEGIN

/* Where the rows came from, for the file's attributes. */
typedef struct tw_gan_sample_info {
  const char *model;     /* the model file's path */
  const char *condition; /* "NAME=VALUE", or NULL */
  uint64_t seed;
  const tw_gan_validity_stats *stats; /* the redraws (may be NULL: none) */
} tw_gan_sample_info;

/* Writes the rows (tr's schema) to `path`. */
tw_status tw_gan_cohort_write(const char *path, const tw_gan_transformer *tr, const tw_gan_table *rows,
                              const tw_gan_sample_info *info);

TW_EXTERN_C_END

#endif
