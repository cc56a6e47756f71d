/*
** test_engine.c: the physiology engine's own invariants.
**
**   - every registered pack's declaration is consistent (tw_pack_validate);
**   - the simulate schema is well formed (tw_cfg_schema_check);
**   - the CGM spline equals scipy's interp1d 'cubic' (fixture from
**     validation/t1d_cgm_spline.py);
**   - results do not depend on how twins are chunked (the MPI partition): 30
**     patients with CGM noise as one chunk and as chunks of 7, bit for bit;
**   - the generic per-twin path of composed models (model.c) agrees with the t1d
**     fast path when the coupling has no effect (emax = 0);
**   - a twin whose state starts as NaN is flagged and the others are untouched;
**   - the pump quantises as simglucose's InsulinPump;
**   - the CGM noise has simglucose's mean, spread and autocorrelation;
**   - the model's exp and tanh agree with libm;
**   - DOPRI5's step factor, taken without pow, equals 0.9 pow(err, -1/5)
**     clamped to [0.2, 10] within 1e-15 (five ulp: the reference rounds
**     twice too) and never rises with err.
*/
#include "build_info.h"         /* TW_HAVE_YAML */
#include "physio/integrate.h"   /* tw_integrator_defaults */
#include "physio/physio_math.h" /* tw_exp_f64, tw_exp_f32, tw_tanh_f64 */
#include "physio/simulate.h"    /* tw_sim_run_chunk */
#include "physio/t1d.h"         /* indexes */
#include "t1d_fixture.h"        /* patients and scenarios */
#include "tw_bounds.h"          /* CHECK_BOUNDS */
#include "tw_test.h"            /* CHECK */
#if TW_HAVE_YAML
#include "physio/sim_config.h"  /* tw_sim_config_schema */
#endif

#include <math.h>

static void test_packs_validate(void) {
  CHECK(tw_pack_count() >= 1);
  for (int i = 0; i < tw_pack_count(); ++i) CHECK_OK(tw_pack_validate(tw_pack_at(i)));
  CHECK(tw_pack_find("t1d") == &tw_pack_t1d);
  const tw_pack *p;
  CHECK_STATUS(tw_pack_lookup("t2d", &p), TW_ERR_INPUT);
#if TW_HAVE_YAML
  CHECK_OK(tw_cfg_schema_check(&tw_sim_config_schema));
#endif
}

/* Against scipy's interp1d: limit 1e-12, regression bound (tw_bounds.h) 2e-14
** beside the 1.8e-15 reached. */
static void test_cgm_spline_matches_scipy(void) {
  tw_csv t;
  double worst = 0.0;
  CHECK_OK(tw_csv_read_file(TW_TEST_DATA_DIR "/physio/cgm_spline.csv", &t));
  for (int r = 0; r < t.n_rows; ++r) {
    double s, want, w[TW_CGM_KNOTS], got = 0.0;
    CHECK_OK(tw_csv_number(&t, r, 0, &s));
    CHECK_OK(tw_csv_number(&t, r, 1, &want));
    tw_cgm_spline_weights(s, w);
    for (int k = 0; k < TW_CGM_KNOTS; ++k) got += w[k] * (sin((double)k) + 0.1 * k * k);
    worst = fmax(worst, fabs(got - want));
  }
  tw_csv_free(&t);
  CHECK_BOUNDS("cgm spline vs scipy, max abs", worst, 2e-14, 1e-12);
}

/* Runs the `varied` scenario for the 30 patients in chunks of `chunk` twins. */
static void run_chunked(tw_dtype dtype, int chunk, const tw_cgm_spec *cgm, double *bg, double *cg) {
  tw_csv scen;
  double params[FIX_PATIENTS * TW_T1D_NPARAMS];
  CHECK_OK(tw_csv_read_file(TW_TEST_DATA_DIR "/physio/t1d_scenarios.csv", &scen));
  CHECK_OK(fixture_patients(params));
  tw_sim_inputs in;
  CHECK_OK(fixture_inputs(&scen, "varied", params, &in));
  tw_model m;
  tw_model_init(&m);
  CHECK_OK(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
  tw_sim_plan pl = fixture_plan(&m, dtype, TW_INTEG_RK4, 5, &in);
  pl.cgm = cgm;
  pl.cgm_source_obs = TW_T1D_O_BG;
  pl.seed = 7;
  const int64_t T = FIX_MINUTES / 5 + 1;
  for (int b = 0; b < FIX_PATIENTS; b += chunk) {
    const int n = TW_MIN(chunk, FIX_PATIENTS - b);
    tw_sim_result r;
    CHECK_OK(tw_sim_result_alloc(&pl, n, &r));
    CHECK_OK(tw_sim_run_chunk(&pl, b, (uint64_t)b, n, params + b * TW_T1D_NPARAMS, &r));
    memcpy(bg + b * T, r.traj + TW_T1D_O_BG * n * T, sizeof(double) * (size_t)(n * T));
    memcpy(cg + b * T, r.traj + TW_T1D_NOBS * n * T, sizeof(double) * (size_t)(n * T));
    tw_sim_result_free(&r);
  }
  tw_sim_inputs_free(&in);
  tw_csv_free(&scen);
}

static void test_chunking_is_invisible(void) {
  tw_cgm_spec *cgm = calloc(1, sizeof *cgm);
  CHECK_OK(tw_cgm_spec_load("Dexcom", 1, cgm));
  const size_t sz = FIX_PATIENTS * (FIX_MINUTES / 5 + 1);
  double *a = calloc(sz, sizeof(double)), *b = calloc(sz, sizeof(double));
  double *ca = calloc(sz, sizeof(double)), *cb = calloc(sz, sizeof(double));
  for (int t = 0; t < 2; ++t) {
    const tw_dtype dt = t ? TW_F64 : TW_F32;
    run_chunked(dt, FIX_PATIENTS, cgm, a, ca);
    run_chunked(dt, 7, cgm, b, cb);
    CHECK(memcmp(a, b, sz * sizeof(double)) == 0);
    CHECK(memcmp(ca, cb, sz * sizeof(double)) == 0);
  }
  /* the noise is there: cgm differs from bg, by a plausible amount (over the
  ** samples before a twin is stopped at the glucose floor: NaN in both after) */
  double dev = 0.0;
  size_t used = 0;
  for (size_t i = 0; i < sz; ++i) {
    CHECK(isnan(ca[i]) == isnan(a[i]));
    if (!isnan(a[i])) dev += fabs(ca[i] - a[i]), ++used;
  }
  dev /= (double)used;
  fprintf(stderr, "mean |cgm - bg| = %.2f mg/dL over %zu of %zu samples\n", dev, used, sz);
  CHECK(used > sz / 2);
  CHECK(dev > 1.0 && dev < 40.0);
  free(a), free(b), free(ca), free(cb), free(cgm);
}

/* The generic path (a coupling of t1d's bg onto its own kp1 with emax = 0)
** against the fast path, DOPRI5 and RK4, float64. */
static void test_generic_path_matches_fast_path(void) {
  double params[FIX_PATIENTS * TW_T1D_NPARAMS];
  CHECK_OK(fixture_patients(params));
  for (int kind = 0; kind < 2; ++kind) {
    double xs[2][TW_T1D_NSTATES * FIX_PATIENTS];
    for (int generic = 0; generic < 2; ++generic) {
      tw_model m;
      tw_model_init(&m);
      CHECK_OK(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
      if (generic) CHECK_OK(tw_model_couple(&m, "t1d", "bg", "t1d", "kp1", TW_COUPLE_EMAX, 0.0, 100.0, 1.0));
      double x[TW_T1D_NSTATES * FIX_PATIENTS], p[TW_T1D_NPARAMS * FIX_PATIENTS], d[TW_T1D_NDISC * FIX_PATIENTS];
      double u[60 * TW_T1D_NINPUTS * FIX_PATIENTS], h[FIX_PATIENTS];
      int32_t flag[FIX_PATIENTS] = {0};
      for (int i = 0; i < FIX_PATIENTS; ++i) {
        double xi[TW_T1D_NSTATES], di[TW_T1D_NDISC];
        tw_model_init_twin_f64(&m, params + i * TW_T1D_NPARAMS, xi, di);
        for (int k = 0; k < TW_T1D_NSTATES; ++k) x[k * FIX_PATIENTS + i] = xi[k];
        for (int k = 0; k < TW_T1D_NDISC; ++k) d[k * FIX_PATIENTS + i] = di[k];
        for (int k = 0; k < TW_T1D_NPARAMS; ++k) p[k * FIX_PATIENTS + i] = params[i * TW_T1D_NPARAMS + k];
        h[i] = 1.0;
        for (int mm = 0; mm < 60; ++mm) { /* a 60 g meal and 3 U at minute 0, basal */
          u[(mm * 2 + 0) * FIX_PATIENTS + i] = mm == 0 ? 60.0 : 0.0;
          u[(mm * 2 + 1) * FIX_PATIENTS + i] = p[TW_T1D_P_u2ss * FIX_PATIENTS + i] * p[TW_T1D_P_BW * FIX_PATIENTS + i] / 6000.0 + (mm == 0 ? 3.0 : 0.0);
        }
      }
      tw_physio_batch b;
      memset(&b, 0, sizeof b);
      b.dtype = TW_F64, b.n = FIX_PATIENTS, b.ld = FIX_PATIENTS, b.x = x, b.p = p, b.d = d, b.u = u, b.flag = flag, b.h = h;
      b.opts = tw_integrator_defaults(kind ? TW_INTEG_DOPRI5 : TW_INTEG_RK4);
      for (int hour = 0; hour < 4; ++hour) CHECK_OK(tw_model_advance(&m, &b, hour * 60, 60));
      for (int i = 0; i < FIX_PATIENTS; ++i) CHECK_EQ_INT(flag[i], 0);
      memcpy(xs[generic], x, sizeof x);
    }
    double worst = 0.0;
    for (int k = 0; k < TW_T1D_NSTATES * FIX_PATIENTS; ++k)
      worst = fmax(worst, fabs(xs[0][k] - xs[1][k]) / fmax(1.0, fabs(xs[0][k])));
    fprintf(stderr, "%s: generic vs fast path, max relative difference %.2g\n", kind ? "dopri5" : "rk4", worst);
    CHECK(worst <= 1e-12);
  }
}

/* The noise process against simglucose's CGMNoise: 400 twins x 480 Dexcom
** samples at a constant bg of 300 mg/dL (no clipping), mean, standard deviation
** and lag-1 autocorrelation against simglucose's over 400 seeds (fixture from
** validation/t1d_cgm_spline.py --moments). The limits are about 4x the spread of
** these statistics between groups of 100 simglucose seeds (0.05, 0.1). The noise
** is a fixed Philox stream, so the differences reached (0.093, 0.085, 9.2e-5)
** are exact; the regression bounds (tw_bounds.h) sit at 10x them, or half the
** limit where 10x would reach it. */
static void test_cgm_noise_moments(void) {
  tw_csv t;
  double want[3];
  CHECK_OK(tw_csv_read_file(TW_TEST_DATA_DIR "/physio/cgm_noise_moments.csv", &t));
  for (int k = 0; k < 3; ++k) CHECK_OK(tw_csv_number(&t, 0, k, &want[k]));
  tw_csv_free(&t);
  tw_cgm_spec *spec = calloc(1, sizeof *spec);
  CHECK_OK(tw_cgm_spec_load("Dexcom", 1, spec));
  enum { TWINS = 400, SAMPLES = 480 };
  double s1 = 0, s2 = 0, sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
  long n = 0, np = 0;
  for (int i = 0; i < TWINS; ++i) {
    tw_cgm_state st;
    tw_cgm_init(spec, 11, (uint64_t)i, &st);
    double prev = 0;
    for (int j = 0; j < SAMPLES; ++j) {
      const double e = tw_cgm_measure(spec, &st, 300.0) - 300.0;
      s1 += e, s2 += e * e, ++n;
      if (j > 0) sx += prev, sy += e, sxy += prev * e, sxx += prev * prev, syy += e * e, ++np;
      prev = e;
    }
  }
  const double mean = s1 / n, sd = sqrt(s2 / n - mean * mean);
  const double corr = (sxy / np - (sx / np) * (sy / np)) /
                      sqrt((sxx / np - (sx / np) * (sx / np)) * (syy / np - (sy / np) * (sy / np)));
  fprintf(stderr, "cgm noise: mean %.3f (simglucose %.3f), sd %.3f (%.3f), lag-1 corr %.4f (%.4f)\n", mean, want[0], sd,
          want[1], corr, want[2]);
  free(spec);
  CHECK_BOUNDS("cgm noise mean vs simglucose, mg/dL", fabs(mean - want[0]), 0.125, 0.25);
  CHECK_BOUNDS("cgm noise sd vs simglucose, mg/dL", fabs(sd - want[1]), 0.25, 0.5);
  CHECK_BOUNDS("cgm noise lag-1 corr vs simglucose", fabs(corr - want[2]), 1e-3, 0.005);
}

/* The model's own exp and tanh (physio_math.h) against libm. */
static void test_math_against_libm(void) {
  double worst64 = 0, worst32 = 0, worst_tanh = 0;
  for (int k = -70000; k <= 70000; ++k) {
    const double x = k * 0.0101;
    worst64 = fmax(worst64, fabs(tw_exp_f64(x) - exp(x)) / exp(x));
    worst_tanh = fmax(worst_tanh, fabs(tw_tanh_f64(x * 0.01) - tanh(x * 0.01)));
    if (fabs(x) < 80) worst32 = fmax(worst32, fabs((double)tw_exp_f32((float)x) - exp((double)(float)x)) / exp((double)(float)x));
  }
  fprintf(stderr, "exp_f64 rel %.2g, exp_f32 rel %.2g, tanh_f64 abs %.2g\n", worst64, worst32, worst_tanh);
  CHECK(worst64 < 1e-15);
  CHECK(worst32 < 3e-7);
  CHECK(worst_tanh < 1e-15);
  CHECK(tw_tanh_f64(1000.0) == 1.0 && tw_tanh_f64(-1000.0) == -1.0);
}

/* simglucose's InsulinPump('Insulet').bolus/.basal on the same amounts (values
** printed by simglucose 0.2.11: 0.0137, 0.12345833333333334, 30, 0, 0). */
static void test_pump_matches_simglucose(void) {
  tw_pump_spec p;
  CHECK_OK(tw_pump_spec_load("Insulet", &p));
  const double in[5] = {0.0137, 0.123456789, 80.0, -1.0, 1e-7};
  const double want[5] = {0.0137, 0.12345833333333334, 30.0, 0.0, 0.0};
  for (int k = 0; k < 5; ++k) {
    CHECK_NEAR(tw_pump_bolus(&p, in[k]), want[k], 1e-15);
    CHECK_NEAR(tw_pump_basal(&p, in[k]), want[k], 1e-15);
  }
  CHECK_STATUS(tw_pump_spec_load("Omnipod", &p), TW_ERR_INPUT);
}

static void test_nan_twin_is_flagged(void) {
  double params[FIX_PATIENTS * TW_T1D_NPARAMS];
  CHECK_OK(fixture_patients(params));
  for (int dt = 0; dt < 2; ++dt) {
    tw_model m;
    tw_model_init(&m);
    CHECK_OK(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
    enum { N = 3 };
    float xf[TW_T1D_NSTATES * N], pf[TW_T1D_NPARAMS * N], df[TW_T1D_NDISC * N], uf[2 * N] = {0}, hf[N] = {1, 1, 1};
    int32_t flag[N] = {0};
    for (int i = 0; i < N; ++i) {
      double xi[TW_T1D_NSTATES], di[TW_T1D_NDISC];
      tw_model_init_twin_f64(&m, params + i * TW_T1D_NPARAMS, xi, di);
      for (int k = 0; k < TW_T1D_NSTATES; ++k) xf[k * N + i] = (float)xi[k];
      for (int k = 0; k < TW_T1D_NDISC; ++k) df[k * N + i] = (float)di[k];
      for (int k = 0; k < TW_T1D_NPARAMS; ++k) pf[k * N + i] = (float)params[i * TW_T1D_NPARAMS + k];
    }
    xf[3 * N + 1] = NAN; /* twin 1's plasma glucose */
    tw_physio_batch b;
    memset(&b, 0, sizeof b);
    b.dtype = TW_F32, b.n = N, b.ld = N, b.x = xf, b.p = pf, b.d = df, b.u = uf, b.flag = flag, b.h = hf;
    b.opts = tw_integrator_defaults(dt ? TW_INTEG_DOPRI5 : TW_INTEG_RK4);
    CHECK_OK(tw_model_advance(&m, &b, 0, 1));
    CHECK_EQ_INT(flag[0], TW_TWIN_OK);
    CHECK_EQ_INT(flag[1], TW_TWIN_NONFINITE);
    CHECK_EQ_INT(flag[2], TW_TWIN_OK);
    for (int k = 0; k < TW_T1D_NSTATES; ++k) CHECK(isfinite(xf[k * N + 0]) && isfinite(xf[k * N + 2]));
  }
}

/* 200,001 errors log-spaced over 1e-8..1e5 (both clamps and the whole range
** between), and the clamps' edges themselves. */
static void test_step_factor_against_pow(void) {
  double worst = 0.0, prev = INFINITY;
  int rises = 0;
  for (int i = 0; i <= 200000; ++i) {
    const double err = pow(10.0, -8.0 + 13.0 * i / 200000.0), f = tw_dp_step_factor(err);
    const double ref = fmin(10.0, fmax(0.2, 0.9 * pow(err, -0.2)));
    worst = fmax(worst, fabs(f - ref) / ref);
    rises += f > prev;
    prev = f;
  }
  fprintf(stderr, "step factor: largest relative difference from 0.9 pow(err, -0.2) %.3g, %d rises\n", worst, rises);
  CHECK_MSG(worst <= 1e-15, "step factor differs from pow by %.3g", worst);
  CHECK_EQ_INT(rises, 0);
  CHECK(tw_dp_step_factor(0.0) == 10.0 && tw_dp_step_factor(-1.0) == 10.0);
  CHECK(tw_dp_step_factor(5.9049e-6) == 10.0 && tw_dp_step_factor(1845.28125) == 0.2);
  CHECK(tw_dp_step_factor(1.0) == 0.9);
}

int main(void) {
  TW_TEST_RUN(test_packs_validate);
  TW_TEST_RUN(test_cgm_spline_matches_scipy);
  TW_TEST_RUN(test_chunking_is_invisible);
  TW_TEST_RUN(test_generic_path_matches_fast_path);
  TW_TEST_RUN(test_nan_twin_is_flagged);
  TW_TEST_RUN(test_pump_matches_simglucose);
  TW_TEST_RUN(test_cgm_noise_moments);
  TW_TEST_RUN(test_math_against_libm);
  TW_TEST_RUN(test_step_factor_against_pow);
  return TW_TEST_RESULT();
}
