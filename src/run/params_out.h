/*
** params_out.h: every twin's pack parameters in a results file, as
** /cohort/parameters/<pack>.<param> (n_twins) float64 with the parameter's
** units: the parameters a run actually used, written chunk by chunk.
**
** The same datasets as a cohort file's (docs/cohorts.md), so a results file
** serves as a cohort and training reads a twin's static parameters from its
** simulation.
*/
#ifndef TW_RUN_PARAMS_OUT_H
#define TW_RUN_PARAMS_OUT_H

#include "io/h5.h"         /* tw_h5_file, tw_h5_dataset */
#include "physio/pack.h"   /* tw_model */

TW_EXTERN_C_BEGIN

typedef struct tw_params_out {
  const tw_model *model;
  tw_h5_dataset **ds; /* (model n_params) */
  double *col;        /* one chunk's column */
  int64_t cap;
} tw_params_out;

/* Creates the datasets for n_twins twins (collective). */
tw_status tw_params_out_open(tw_h5_file *f, const tw_model *m, int64_t n_twins, tw_params_out *po);
/* Writes twins [id0, id0 + n) from params (n, n_params) row-major (collective; n may be 0). */
tw_status tw_params_out_write(tw_params_out *po, int64_t id0, int64_t n, const double *params);
/* Closes the datasets (also after a failure). */
tw_status tw_params_out_close(tw_params_out *po);

TW_EXTERN_C_END

#endif
