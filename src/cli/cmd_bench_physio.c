/*
** cmd_bench_physio.c: `twinscale bench physio`: the speed of the t1d pack through
** the same engine `simulate` uses (simulate.h), in patient-days per second.
**
** Workload: N twins (copies of the 30 reference patients), D days, a day of
** three meals (50, 70, 80 g) with boluses of 2, 3 and 3.5 U, 1-minute inputs.
** The events are shared by every twin, so the boluses are ones no reference
** patient's glucose falls to the model's floor on (4, 6 and 7 U did for
** child#004 once floors froze such twins: a frozen twin is skipped, and the
** bench, which counts every twin's day, refused to time it). Four runs:
** float32 / float64, without CGM (observables sampled hourly) and with a Dexcom CGM with noise
** (sampled every 3 minutes, as the sensor does). The wall time covers input
** filling, integration, sampling and the sensor. Per core = total / threads.
**
** --backend auto|cpu|cuda (default cpu) picks where the twins run and the first
** line says which ran and why. On a GPU the engine's sampling and sensor are not
** there yet (the run loop drives only the CPU): the CUDA rows time the physiology
** table alone (tw_physio_ops_for(be)->advance, an hour at a time, inputs uploaded
** per hour through a tw_physio_mirror, states kept on the device), float32 and
** float64.
*/
#include <stdio.h>  /* printf */
#include <stdlib.h> /* calloc */
#include <string.h> /* memset, memcpy */

#include "backend/backend.h"    /* tw_backend_open: --backend */
#include "cli/bench.h"          /* tw_bench_threads */
#include "cli/cli.h"            /* tw_cli_fail */
#include "cli/options.h"        /* tw_opts_parse_named */
#include "core/clock.h"         /* tw_now_seconds */
#include "physio/integrate.h"   /* tw_integrator_defaults */
#include "physio/param_table.h" /* the compiled-in patients */
#include "physio/physio_ops.h"  /* tw_physio_ops_for: the device rows */
#include "physio/physio_ops_mirror.h" /* the device rows' arrays */
#include "physio/simulate.h"    /* tw_sim_run_chunk */
#include "physio/t1d.h"         /* parameter and input indexes */
#include "physio/t1d_cost.h"    /* FLOPs per step */

extern const tw_pack tw_pack_t1d;

typedef struct bench_args {
  int64_t twins, days;
  int64_t threads;
  int kind;
  const char *backend; /* auto, cpu or cuda */
} bench_args;

/* Upper bounds that keep the input array ((days*1440) x inputs x twins) addressable. */
#define BENCH_MAX_TWINS (INT64_C(1) << 24)
#define BENCH_MAX_DAYS INT64_C(3650)

static const char *const integrators[] = {"rk4", "dopri5", NULL};

static int parse(int argc, char **argv, bench_args *a) {
  int integrator = 0, backend = 1; /* rk4, cpu */
  *a = (bench_args){.twins = 3840, .days = 1};
  const tw_opt opts[] = {
      {.name = "twins", .kind = TW_OPT_INT, .dest = &a->twins, .min = 1, .max = (double)BENCH_MAX_TWINS},
      {.name = "days", .kind = TW_OPT_INT, .dest = &a->days, .min = 1, .max = (double)BENCH_MAX_DAYS},
      {.name = "threads", .kind = TW_OPT_INT, .dest = &a->threads, .min = 0, .max = 4096},
      {.name = "integrator", .kind = TW_OPT_CHOICE, .dest = &integrator, .choices = integrators},
      {.name = "backend", .kind = TW_OPT_CHOICE, .dest = &backend, .choices = tw_opt_backends},
  };
  int bad = tw_opts_parse_named("bench physio", opts, TW_ARRAY_LEN(opts), argc, argv);
  a->kind = tw_integrator_parse(integrators[integrator]);
  a->backend = tw_opt_backends[backend];
  return bad;
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
    static const double carbs[3] = {50, 70, 80}, units[3] = {2, 3, 3.5};
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

/* v into element i of a float or double array. */
static void put(void *base, tw_dtype dtype, int64_t i, double v) {
  if (dtype == TW_F32) ((float *)base)[i] = (float)v;
  else ((double *)base)[i] = v;
}

/* A host batch of every twin (ld = n) with an hour of inputs, for the device rows. */
static tw_status host_batch(const tw_model *m, const double *params, const bench_args *a, tw_dtype dtype,
                            tw_physio_batch *b) {
  const int64_t n = a->twins;
  const size_t es = dtype == TW_F32 ? sizeof(float) : sizeof(double);
  memset(b, 0, sizeof *b);
  b->dtype = dtype;
  b->n = b->ld = n;
  b->opts = tw_integrator_defaults((tw_integrator_kind)a->kind);
  b->x = calloc((size_t)(m->n_states * n), es);
  b->d = calloc((size_t)((m->n_disc ? m->n_disc : 1) * n), es);
  void *p = calloc((size_t)(m->n_params * n), es);
  b->p = p;
  b->u = calloc((size_t)(60 * m->n_inputs * n), es);
  b->h = calloc((size_t)n, es); /* 0: DOPRI5 starts at 1 min */
  b->flag = calloc((size_t)n, sizeof(int32_t)); /* TW_TWIN_OK */
  double xi[64], di[64];
  if (!b->x || !b->d || !p || !b->u || !b->h || !b->flag || m->n_states > 64 || m->n_disc > 64)
    return TW_FAIL(TW_ERR_NOMEM, "bench: out of memory for %lld twins", (long long)n);
  for (int64_t i = 0; i < n; ++i) {
    const double *pi = params + i * m->n_params;
    tw_model_init_twin_f64(m, pi, xi, di);
    for (int k = 0; k < m->n_states; ++k) put(b->x, dtype, k * n + i, xi[k]);
    for (int k = 0; k < m->n_disc; ++k) put(b->d, dtype, k * n + i, di[k]);
    for (int k = 0; k < m->n_params; ++k) put(p, dtype, k * n + i, pi[k]);
  }
  return TW_OK;
}

static void host_batch_free(tw_physio_batch *b) {
  free(b->x), free(b->d), free((void *)b->p), free((void *)b->u), free(b->h), free(b->flag);
}

/* The days through the backend's physiology table, an hour per call, the state
** staying on the device; the state and flags come back at the end. */
static tw_status device_hours(tw_backend *be, const tw_model *m, const tw_sim_inputs *in, const bench_args *a,
                              tw_physio_mirror *mr) {
  const tw_physio_ops *ops = tw_physio_ops_for(be);
  TW_TRY(tw_physio_mirror_push(be, mr, TW_MIRROR_STATE | TW_MIRROR_PARAMS));
  for (int64_t hour = 0; hour < a->days * 24; ++hour) {
    tw_sim_inputs_fill(in, hour * 60, 60, 0, a->twins, a->twins, mr->host->dtype, (void *)mr->host->u);
    TW_TRY(tw_physio_mirror_push(be, mr, TW_MIRROR_INPUTS));
    TW_TRY(ops->advance(be, m, &mr->dev, hour * 60, 60));
  }
  TW_TRY(be->synchronize(be));
  return tw_physio_mirror_pull(be, mr, TW_MIRROR_STATE);
}

static tw_status device_row(tw_backend *be, const bench_args *a, const tw_model *m, const double *params,
                            const tw_sim_inputs *in, tw_dtype dtype) {
  tw_physio_batch host;
  tw_physio_mirror mr;
  memset(&mr, 0, sizeof mr);
  tw_status st = host_batch(m, params, a, dtype, &host);
  if (st == TW_OK) st = tw_physio_mirror_create(be, m, &host, 60, &mr);
  const double t0 = tw_now_seconds();
  if (st == TW_OK) st = device_hours(be, m, in, a, &mr);
  const double dt = tw_now_seconds() - t0;
  int64_t failed = 0;
  for (int64_t i = 0; st == TW_OK && i < a->twins; ++i) failed += host.flag[i] != TW_TWIN_OK;
  tw_physio_mirror_destroy(be, &mr);
  host_batch_free(&host);
  TW_TRY(st);
  const double rate = (double)(a->twins * a->days) / dt;
  printf("t1d %-8s %-10s %-6s %10.0f patient-days/s  %7.3f s%s\n", dtype == TW_F32 ? "float32" : "float64",
         "advance", tw_integrator_name((tw_integrator_kind)a->kind), rate, dt, failed ? "  (some twins failed!)" : "");
  return failed ? TW_FAIL(TW_ERR_NUMERIC, "bench: %lld twins failed to integrate", (long long)failed) : TW_OK;
}

/* The CPU rows (the simulate engine, sampling and sensor included) or the device rows. */
static tw_status bench_rows(tw_backend *be, const bench_args *a, const tw_model *m, const double *params,
                            const tw_sim_inputs *in, const tw_cgm_spec *cgm, int threads) {
  const tw_dtype types[2] = {TW_F32, TW_F64};
  if (be->device.kind != TW_DEVICE_HOST) {
    for (int k = 0; k < 2; ++k) TW_TRY(device_row(be, a, m, params, in, types[k]));
    return TW_OK;
  }
  for (int k = 0; k < 4; ++k) TW_TRY(one_run(a, m, params, in, types[k / 2], (k % 2) ? cgm : NULL, threads));
  if (a->kind == TW_INTEG_RK4)
    printf("bound: vector arithmetic (%.0f FLOP per twin-minute, 8 divisions per RHS); a block of 256 twins stays\n"
           "in L2 between passes, so not memory-bound\n",
           TW_T1D_FLOP_PER_RK4_STEP + TW_T1D_FLOP_PER_MINUTE_UPDATE);
  return TW_OK;
}

int tw_cmd_bench_physio(int argc, char **argv) {
  bench_args a;
  int bad = parse(argc, argv, &a);
  if (bad) return bad;
  const int threads = tw_bench_threads((int)a.threads);
  tw_backend *be = NULL;
  tw_status st = tw_backend_open(a.backend, 0, &be);
  if (st != TW_OK) { /* "cuda" without a GPU or module: TW_ERR_UNSUPPORTED, exit 2 */
    return tw_cli_fail(st);
  }
  printf("backend: %s (%s)\n", be->name, be->why);
  tw_model m;
  tw_model_init(&m);
  double *params = NULL;
  tw_sim_inputs in;
  memset(&in, 0, sizeof in);
  tw_cgm_spec *cgm = calloc(1, sizeof *cgm);
  if (!cgm) st = TW_FAIL(TW_ERR_NOMEM, "bench: out of memory");
  if (st == TW_OK) st = tw_model_add_pack(&m, &tw_pack_t1d, NULL);
  if (st == TW_OK) st = workload(&a, &params, &in);
  if (st == TW_OK) st = tw_cgm_spec_load("Dexcom", 1, cgm);
  if (st == TW_OK)
    printf("bench physio: %lld twins x %lld day(s), %d thread(s), 1-minute inputs, %s\n", (long long)a.twins,
           (long long)a.days, threads, a.kind == TW_INTEG_RK4 ? "RK4 1 step/min" : "DOPRI5 adaptive (dopri5)");
  if (st == TW_OK) st = bench_rows(be, &a, &m, params, &in, cgm, threads);
  free(params);
  free(cgm);
  tw_sim_inputs_free(&in);
  tw_backend_close(be);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}
