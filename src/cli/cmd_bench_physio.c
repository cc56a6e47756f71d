/*
** cmd_bench_physio.c: `twinscale bench physio`: the speed of the t1d pack through
** the same engine `simulate` uses (simulate.h), in patient-days per second.
**
** Workload: N twins (copies of the 30 reference patients), D days, a day of
** three meals with boluses, 1-minute inputs. Four runs: float32 / float64,
** without CGM (observables sampled hourly) and with a Dexcom CGM with noise
** (sampled every 3 minutes, as the sensor does). The wall time covers input
** filling, integration, sampling and the sensor. Per core = total / threads.
*/
#include <stdio.h>  /* printf */
#include <stdlib.h> /* strtoll, calloc */
#include <string.h> /* strcmp, memset */

#ifdef _OPENMP
#include <omp.h> /* omp_get_max_threads, omp_set_num_threads */
#endif

#include "cli/cli.h"            /* tw_cli_fail */
#include "core/clock.h"         /* tw_now_seconds */
#include "physio/integrate.h"   /* tw_integrator_defaults */
#include "physio/param_table.h" /* the compiled-in patients */
#include "physio/simulate.h"    /* tw_sim_run_chunk */
#include "physio/t1d.h"         /* parameter and input indexes */
#include "physio/t1d_cost.h"    /* FLOPs per step */

extern const tw_pack tw_pack_t1d;

typedef struct bench_args {
  int64_t twins, days;
  int threads;
  int kind;
} bench_args;

static int parse(int argc, char **argv, bench_args *a) {
  a->twins = 3840;
  a->days = 1;
  a->threads = 0;
  a->kind = TW_INTEG_RK4;
  for (int i = 0; i < argc; ++i) {
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return tw_cli_usage_error("bench physio: %s needs a value", argv[i]);
    if (strcmp(argv[i], "--twins") == 0) a->twins = strtoll(v, NULL, 10);
    else if (strcmp(argv[i], "--days") == 0) a->days = strtoll(v, NULL, 10);
    else if (strcmp(argv[i], "--threads") == 0) a->threads = (int)strtol(v, NULL, 10);
    else if (strcmp(argv[i], "--integrator") == 0) a->kind = tw_integrator_parse(v);
    else return tw_cli_usage_error("bench physio: unknown option %s", argv[i]);
    ++i;
  }
  if (a->twins < 1 || a->days < 1 || a->threads < 0 || a->kind < 0)
    return tw_cli_usage_error("bench physio: --twins and --days must be positive, --integrator rk4 or dopri5");
  return 0;
}

/* The reference patients repeated to n twins, and the day's inputs for them. */
static tw_status workload(const bench_args *a, double **params, tw_sim_inputs *in) {
  tw_csv t;
  TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &t));
  double ref[30 * TW_T1D_NPARAMS];
  tw_status st = TW_OK;
  for (int r = 0; r < t.n_rows && r < 30 && st == TW_OK; ++r) st = tw_param_row(&tw_pack_t1d, &t, r, ref + r * TW_T1D_NPARAMS);
  const int np = t.n_rows < 30 ? t.n_rows : 30;
  tw_csv_free(&t);
  TW_TRY(st);
  *params = calloc((size_t)(a->twins * TW_T1D_NPARAMS), sizeof(double));
  if (!*params) return TW_FAIL(TW_ERR_NOMEM, "bench: out of memory");
  for (int64_t i = 0; i < a->twins; ++i)
    memcpy(*params + i * TW_T1D_NPARAMS, ref + (i % np) * TW_T1D_NPARAMS, sizeof(double) * TW_T1D_NPARAMS);
  TW_TRY(tw_sim_inputs_init(in, TW_T1D_NINPUTS, a->days * 1440, a->twins));
  for (int64_t d = 0; d < a->days; ++d) {
    static const int64_t when[3] = {420, 720, 1110};
    static const double carbs[3] = {50, 70, 80}, units[3] = {4, 6, 7};
    for (int k = 0; k < 3; ++k) {
      TW_TRY(tw_sim_inputs_add(in, TW_T1D_U_CHO, d * 1440 + when[k], d * 1440 + when[k] + 1, carbs[k]));
      TW_TRY(tw_sim_inputs_add(in, TW_T1D_U_INSULIN, d * 1440 + when[k], d * 1440 + when[k] + 1, units[k]));
    }
  }
  for (int64_t i = 0; i < a->twins; ++i) {
    const double *p = *params + i * TW_T1D_NPARAMS;
    in->base[TW_T1D_U_INSULIN * a->twins + i] = p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0;
  }
  return TW_OK;
}

static tw_status one_run(const bench_args *a, const tw_model *m, const double *params, const tw_sim_inputs *in,
                         tw_dtype dtype, const tw_cgm_spec *cgm, int threads) {
  tw_sim_plan pl;
  memset(&pl, 0, sizeof pl);
  pl.model = m;
  pl.dtype = dtype;
  pl.opts = tw_integrator_defaults((tw_integrator_kind)a->kind);
  pl.duration = a->days * 1440;
  pl.every = 60;
  pl.inputs = in;
  pl.cgm = cgm;
  pl.cgm_source_obs = TW_T1D_O_BG;
  pl.seed = 1;
  pl.record = 0;
  tw_sim_result r;
  TW_TRY(tw_sim_result_alloc(&pl, a->twins, &r));
  const double t0 = tw_now_seconds();
  tw_status st = tw_sim_run_chunk(&pl, 0, 0, a->twins, params, &r);
  const double dt = tw_now_seconds() - t0;
  int64_t failed = 0;
  for (int64_t i = 0; i < a->twins; ++i) failed += r.flag[i] != TW_TWIN_OK;
  tw_sim_result_free(&r);
  TW_TRY(st);
  const double pdays = (double)(a->twins * a->days), rate = pdays / dt;
  const double flop = (TW_T1D_FLOP_PER_RK4_STEP + TW_T1D_FLOP_PER_MINUTE_UPDATE) * 1440.0 * pdays;
  printf("t1d %-8s %-10s %-6s %10.0f patient-days/s  %9.0f per core  %7.3f s", dtype == TW_F32 ? "float32" : "float64",
         cgm ? "cgm-noise" : "no-sensor", tw_integrator_name((tw_integrator_kind)a->kind), rate, rate / threads, dt);
  if (a->kind == TW_INTEG_RK4) printf("  %6.2f GFLOP/s", flop / dt * 1e-9);
  printf("%s\n", failed ? "  (some twins failed!)" : "");
  return failed ? TW_FAIL(TW_ERR_NUMERIC, "bench: %lld twins failed to integrate", (long long)failed) : TW_OK;
}

int tw_cmd_bench_physio(int argc, char **argv) {
  bench_args a;
  int bad = parse(argc, argv, &a);
  if (bad) return bad;
  int threads = 1;
#ifdef _OPENMP
  if (a.threads > 0) omp_set_num_threads(a.threads);
  threads = omp_get_max_threads();
#endif
  tw_model m;
  tw_model_init(&m);
  double *params = NULL;
  tw_sim_inputs in;
  memset(&in, 0, sizeof in);
  tw_cgm_spec *cgm = calloc(1, sizeof *cgm);
  tw_status st = cgm ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "bench: out of memory");
  if (st == TW_OK) st = tw_model_add_pack(&m, &tw_pack_t1d, NULL);
  if (st == TW_OK) st = workload(&a, &params, &in);
  if (st == TW_OK) st = tw_cgm_spec_load("Dexcom", 1, cgm);
  if (st == TW_OK)
    printf("bench physio: %lld twins x %lld day(s), %d thread(s), 1-minute inputs, RK4 %s\n", (long long)a.twins,
           (long long)a.days, threads, a.kind == TW_INTEG_RK4 ? "1 step/min" : "(dopri5 adaptive)");
  const tw_dtype types[2] = {TW_F32, TW_F64};
  for (int k = 0; k < 4 && st == TW_OK; ++k) st = one_run(&a, &m, params, &in, types[k / 2], (k % 2) ? cgm : NULL, threads);
  if (st == TW_OK && a.kind == TW_INTEG_RK4)
    printf("bound: vector arithmetic (%.0f FLOP per twin-minute, 8 divisions per RHS); a block of 256 twins stays\n"
           "in L2 between passes, so not memory-bound\n",
           TW_T1D_FLOP_PER_RK4_STEP + TW_T1D_FLOP_PER_MINUTE_UPDATE);
  free(params);
  free(cgm);
  tw_sim_inputs_free(&in);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}
