/*
** test_t1d_reference.c: the t1d pack against simglucose's T1DPatient.
**
** For every scenario of tests/data/physio/t1d_scenarios.csv and all 30 reference
** patients, runs one day minute by minute and compares bg with the trace that
** validation/t1d_simglucose.py recorded from simglucose (float32 file). The
** acceptance bound: |bg - bg_simglucose| <= 0.5 mg/dL at every minute in float64
** and <= 1 mg/dL in float32, for RK4 (1 step per minute) and DOPRI5. Beside
** each limit a regression bound (tw_bounds.h) near the error achieved: 0.223
** mg/dL for RK4 in both precisions (its truncation error: bound 0.25, half the
** float64 limit), 0.0017 / 0.00195 mg/dL for DOPRI5 float64 / float32 (bound 0.02).
**
** Some runs take plasma glucose through 0 (simglucose's absorbing state,
** docs/physiology.md): twinscale stops such a twin at its floor (flag
** TW_TWIN_DOMAIN, bg NaN from the sample that saw it); such a twin is compared
** up to there, and simglucose's trace from there on must fall to 0 without
** rising again (fixture_stays_down).
*/
#include "physio/integrate.h" /* tw_integrator_defaults */
#include "physio/simulate.h"  /* tw_sim_run_chunk */
#include "t1d_fixture.h"     /* scenarios and patients */
#include "tw_bounds.h"       /* CHECK_BOUNDS */
#include "tw_test.h"         /* CHECK */

#include <math.h>
#include <stdio.h>

static float *ref;       /* (scenarios, 30, 1441) */
static int n_scen;
static char scen_names[16][32];
static tw_csv scen_csv;
static double params[FIX_PATIENTS * TW_T1D_NPARAMS];

/* Max |bg - reference| over all scenarios, patients and minutes for one setup
** (up to the minute a twin is stopped at the glucose floor). */
static void max_error(tw_dtype dtype, tw_integrator_kind kind, double *worst_out, int *worst_scen,
                      int *worst_pat, int *stopped) {
  tw_model m;
  tw_model_init(&m);
  CHECK_OK(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
  double worst = 0.0;
  *worst_out = INFINITY;
  for (int s = 0; s < n_scen; ++s) {
    tw_sim_inputs in;
    CHECK_OK(fixture_inputs(&scen_csv, scen_names[s], params, &in));
    tw_sim_plan pl = fixture_plan(&m, dtype, kind, 1, &in);
    tw_sim_result r;
    CHECK_OK(tw_sim_result_alloc(&pl, FIX_PATIENTS, &r));
    CHECK_OK(tw_sim_run_chunk(&pl, 0, 0, FIX_PATIENTS, params, &r));
    for (int i = 0; i < FIX_PATIENTS; ++i) {
      /* a twin stopped at the floor (plasma glucose <= 0): compared up to there */
      CHECK(r.flag[i] == TW_TWIN_OK || r.flag[i] == TW_TWIN_DOMAIN);
      const int64_t stop = r.flag[i] == TW_TWIN_DOMAIN ? r.fail_at[i] : FIX_MINUTES + 1;
      const float *rb = ref + ((int64_t)s * FIX_PATIENTS + i) * (FIX_MINUTES + 1);
      const double *bg = r.traj + (TW_T1D_O_BG * FIX_PATIENTS + i) * r.n_times;
      if (stop <= FIX_MINUTES) {
        double v[FIX_MINUTES + 1];
        for (int t = 0; t <= FIX_MINUTES; ++t) v[t] = rb[t];
        ++*stopped;
        CHECK(fixture_stays_down(v, stop, FIX_MINUTES + 1));
      }
      for (int t = 0; t < stop; ++t) {
        double e = fabs(bg[t] - (double)rb[t]);
        if (!(e <= worst)) {
          worst = e;
          *worst_scen = s;
          *worst_pat = i;
        }
      }
    }
    tw_sim_result_free(&r);
    tw_sim_inputs_free(&in);
  }
  *worst_out = worst;
}

static void check_setup(const char *label, tw_dtype dtype, tw_integrator_kind kind, double regression,
                        double limit) {
  int ws = 0, wp = 0;
  int stopped = 0;
  double e;
  max_error(dtype, kind, &e, &ws, &wp, &stopped);
  fprintf(stderr, "%-14s max |bg - simglucose| = %.3g mg/dL (worst: scenario %s, patient %d); %d runs stopped at "
          "the glucose floor\n", label, e, scen_names[ws], wp, stopped);
  CHECK(stopped > 0 && stopped < 30); /* the hypo scenario goes there, as simglucose does */
  CHECK_BOUNDS(label, e, regression, limit);
}

static void test_f64_rk4(void) { check_setup("float64 rk4", TW_F64, TW_INTEG_RK4, 0.25, 0.5); }
static void test_f64_dopri5(void) { check_setup("float64 dopri5", TW_F64, TW_INTEG_DOPRI5, 0.02, 0.5); }
static void test_f32_rk4(void) { check_setup("float32 rk4", TW_F32, TW_INTEG_RK4, 0.25, 1.0); }
static void test_f32_dopri5(void) { check_setup("float32 dopri5", TW_F32, TW_INTEG_DOPRI5, 0.02, 1.0); }

int main(void) {
  if (tw_csv_read_file(TW_TEST_DATA_DIR "/physio/t1d_scenarios.csv", &scen_csv) != TW_OK ||
      fixture_patients(params) != TW_OK) {
    fprintf(stderr, "fixture: %s\n", tw_error_message());
    return 1;
  }
  n_scen = fixture_scenario_names(&scen_csv, scen_names, 16);
  const size_t count = (size_t)n_scen * FIX_PATIENTS * (FIX_MINUTES + 1);
  ref = malloc(count * sizeof(float));
  FILE *f = fopen(TW_TEST_DATA_DIR "/physio/t1d_reference_bg.f32", "rb");
  if (!f || !ref || fread(ref, sizeof(float), count, f) != count) {
    fprintf(stderr, "cannot read the reference traces (%zu values expected)\n", count);
    return 1;
  }
  fclose(f);
  TW_TEST_RUN(test_f64_rk4);
  TW_TEST_RUN(test_f64_dopri5);
  TW_TEST_RUN(test_f32_rk4);
  TW_TEST_RUN(test_f32_dopri5);
  free(ref);
  tw_csv_free(&scen_csv);
  return TW_TEST_RESULT();
}
