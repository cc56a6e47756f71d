/*
** t1d_fixture.h: the validation scenarios of tests/data/physio/t1d_scenarios.csv
** as engine inputs for the 30 reference patients, shared by the physio tests.
*/
#ifndef TW_TEST_T1D_FIXTURE_H
#define TW_TEST_T1D_FIXTURE_H

#include "physio/param_table.h" /* tw_csv, the compiled-in patients */
#include "physio/integrate.h"   /* tw_integrator_defaults */
#include "physio/sim_inputs.h"  /* tw_sim_inputs */
#include "physio/simulate.h"    /* tw_sim_plan */
#include "physio/t1d.h"         /* parameter indexes */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIX_MINUTES 1440
#define FIX_PATIENTS 30

extern const tw_pack tw_pack_t1d;

/* The 30 patients' parameters, (30, n_params) row-major. */
static inline tw_status fixture_patients(double *params) {
  tw_csv t;
  TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &t));
  tw_status st = t.n_rows == FIX_PATIENTS ? TW_OK : TW_FAIL(TW_ERR_INPUT, "expected 30 patients");
  for (int r = 0; r < t.n_rows && st == TW_OK; ++r)
    st = tw_param_row(&tw_pack_t1d, &t, r, params + r * TW_T1D_NPARAMS);
  tw_csv_free(&t);
  return st;
}

/* Names of the scenarios in file order; returns the count. */
static inline int fixture_scenario_names(const tw_csv *t, char names[][32], int max) {
  int n = 0, c = tw_csv_col(t, "scenario");
  for (int r = 0; r < t->n_rows; ++r) {
    const char *s = t->cells[r * t->n_cols + c];
    int seen = 0;
    for (int k = 0; k < n; ++k) seen |= strcmp(names[k], s) == 0;
    if (!seen && n < max) snprintf(names[n++], 32, "%s", s);
  }
  return n;
}

/* The inputs of scenario `name` for the 30 patients. */
static inline tw_status fixture_inputs(const tw_csv *t, const char *name, const double *params,
                                tw_sim_inputs *in) {
  TW_TRY(tw_sim_inputs_init(in, TW_T1D_NINPUTS, FIX_MINUTES, FIX_PATIENTS));
  const int cs = tw_csv_col(t, "scenario"), ck = tw_csv_col(t, "kind");
  const int ct = tw_csv_col(t, "time_min"), ca = tw_csv_col(t, "amount");
  double factor = 1.0;
  for (int r = 0; r < t->n_rows; ++r) {
    if (strcmp(t->cells[r * t->n_cols + cs], name) != 0) continue;
    const char *kind = t->cells[r * t->n_cols + ck];
    double tm, amount;
    TW_TRY(tw_csv_number(t, r, ct, &tm));
    TW_TRY(tw_csv_number(t, r, ca, &amount));
    if (strcmp(kind, "basal_factor") == 0) factor = amount;
    else if (strcmp(kind, "meal") == 0) TW_TRY(tw_sim_inputs_add(in, TW_T1D_U_CHO, (int64_t)tm, (int64_t)tm + 1, amount));
    else if (strcmp(kind, "bolus") == 0) TW_TRY(tw_sim_inputs_add(in, TW_T1D_U_INSULIN, (int64_t)tm, (int64_t)tm + 1, amount));
    else return TW_FAIL(TW_ERR_INPUT, "unknown kind %s", kind);
  }
  for (int i = 0; i < FIX_PATIENTS; ++i) {
    const double *p = params + i * TW_T1D_NPARAMS;
    in->base[TW_T1D_U_INSULIN * FIX_PATIENTS + i] = factor * p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0;
  }
  return TW_OK;
}

/* A recording plan over the fixture's day for model m. */
static inline tw_sim_plan fixture_plan(const tw_model *m, tw_dtype dtype, tw_integrator_kind kind, int64_t every,
                                       const tw_sim_inputs *in) {
  tw_sim_plan pl;
  memset(&pl, 0, sizeof pl);
  pl.model = m;
  pl.dtype = dtype;
  pl.opts = tw_integrator_defaults(kind);
  pl.duration = FIX_MINUTES;
  pl.every = every;
  pl.inputs = in;
  pl.record = 1;
  return pl;
}

/* Whether simglucose's glucose trace v[0..n) stays down from index `from`, where
** twinscale saw plasma glucose at 0 and stopped the twin: it never rises again
** and ends below 0.01 mg/dL (bg, the subcutaneous glucose, follows plasma glucose
** down to its frozen 0: the floor is the point of no return, not a guess). */
static inline int fixture_stays_down(const double *v, int64_t from, int64_t n) {
  for (int64_t t = from > 0 ? from : 1; t < n; ++t)
    if (v[t] > v[t - 1] + 1e-6) return 0;
  return v[n - 1] < 0.01;
}

#endif
