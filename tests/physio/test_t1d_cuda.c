/*
** test_t1d_cuda.c: the t1d CUDA kernel (cuda/physio_t1d.cu) against the CPU path.
**
** 30 reference patients x 4 copies, the `standard` validation scenario, one
** simulated day, the same batch arrays advanced an hour at a time by the CPU
** table and by the CUDA table, in float32 and float64, RK4 (1 step per minute)
** and DOPRI5 (default tolerances). Checked at every hour:
**   - ||gpu - cpu|| / ||cpu|| over every state of every twin, at most
**       float32 (RK4, DOPRI5)  1e-4   float32 rounding (6e-8) accumulated over a
**                                     day, were the GPU to contract a * b + c;
**       float64 RK4            1e-10  the same in double: fixed steps, so only
**                                     rounding differs;
**       float64 DOPRI5         1e-5   ten times the step controller's rtol (1e-6):
**                                     a rounding difference that flips one step's
**                                     accept/reject decision moves that twin by
**                                     about the local error it controls;
**   - every real lane that the CPU moved in the hour moved on the GPU too (its
**     state differs bit for bit from the hour before), so a lane the kernel
**     skips fails even when the normwise error is small;
**   - the padding lanes (NaN in the device copy) are never written.
** The kernels are built without FMA contraction and DOPRI5's step factor needs
** no pow (cuda/CMakeLists.txt, physio/integrate.h), so the bounds are slack:
** on an H200 (4 Dec 2026) all four differences were 0, bit for bit; with
** contraction float32 had differed by 4e-8 and lanes at rest in float32 had
** failed the lane check (a state moving by rounding on one side only).
** That the lane check can fail is itself checked: a GPU batch one twin short
** must be caught. Exits 77 without a GPU (fails instead under the emulator).
*/
#include "backend/backend.h"   /* tw_backend_open */
#include "physio/integrate.h"  /* tw_integrator_defaults */
#include "physio/physio_ops.h" /* tw_physio_ops_for */
#include "t1d_fixture.h"       /* patients and scenarios */
#include "gpu_skip.h"          /* tw_test_cuda_or_skip */
#include "tw_test.h"           /* CHECK */

#include <math.h>

#define COPIES 4
#define NT (FIX_PATIENTS * COPIES)
#define LD 128 /* > NT: the padding lanes must stay untouched */
#define HOURS 24

static tw_backend *cpu, *gpu;

/* Element i of a float32 or float64 buffer, as double; and its setter. */
static double at(const char *buf, size_t es, size_t i) {
  return es == 4 ? ((const float *)buf)[i] : ((const double *)buf)[i];
}
static void put(char *buf, size_t es, size_t i, double v) {
  if (es == 4) ((float *)buf)[i] = (float)v;
  else ((double *)buf)[i] = v;
}

/* The arrays of one run: host (the CPU's batch) and device copies. */
typedef struct t1d_run {
  size_t es;
  char *hx, *hp, *hd, *hu, *hh, *gx_back, *cpu_prev, *gpu_prev;
  int32_t *hf;
  void *gx, *gp, *gd, *gu, *gh, *gf;
  tw_physio_batch hb, gb;
  tw_model m;
  tw_sim_inputs in;
} t1d_run;

/* What a run found. */
typedef struct t1d_result {
  double rel_err;      /* normwise, over every hour */
  int padding_written; /* a padding lane lost its NaN */
  int lanes_stuck;     /* (lane, hour) pairs the CPU moved and the GPU did not */
  double stuck_move;   /* the largest move the CPU made in such a pair (lane_move) */
} t1d_result;

static tw_status host_arrays(t1d_run *r, const double *params) {
  const size_t es = r->es;
  r->hx = calloc(TW_T1D_NSTATES * LD, es), r->hp = calloc(TW_T1D_NPARAMS * LD, es);
  r->hd = calloc(TW_T1D_NDISC * LD, es), r->hu = calloc(60 * TW_T1D_NINPUTS * LD, es), r->hh = calloc(LD, es);
  r->gx_back = calloc(TW_T1D_NSTATES * LD, es), r->cpu_prev = calloc(TW_T1D_NSTATES * LD, es);
  r->gpu_prev = calloc(TW_T1D_NSTATES * LD, es), r->hf = calloc(LD, sizeof(int32_t));
  if (!r->hx || !r->hp || !r->hd || !r->hu || !r->hh || !r->gx_back || !r->cpu_prev || !r->gpu_prev || !r->hf)
    return TW_FAIL(TW_ERR_NOMEM, "test arrays");
  for (int i = 0; i < NT; ++i) {
    double x[TW_T1D_NSTATES], d[TW_T1D_NDISC];
    const double *p = params + (i % FIX_PATIENTS) * TW_T1D_NPARAMS;
    tw_model_init_twin_f64(&r->m, p, x, d);
    for (int k = 0; k < TW_T1D_NSTATES; ++k) put(r->hx, es, k * LD + i, x[k]);
    for (int k = 0; k < TW_T1D_NPARAMS; ++k) put(r->hp, es, k * LD + i, p[k]);
    for (int k = 0; k < TW_T1D_NDISC; ++k) put(r->hd, es, k * LD + i, d[k]);
    put(r->hh, es, i, 1.0);
  }
  /* NaN in the padding lanes: they must come back unchanged (never written) */
  for (int k = 0; k < TW_T1D_NSTATES; ++k)
    for (int i = NT; i < LD; ++i) put(r->hx, es, k * LD + i, NAN);
  return TW_OK;
}

static tw_status upload(void **dev, const void *host, size_t bytes) {
  TW_TRY(gpu->alloc(gpu, bytes, dev));
  return host ? gpu->copy(gpu, *dev, host, bytes, TW_COPY_HOST_TO_DEVICE) : TW_OK;
}

static tw_status device_arrays(t1d_run *r) {
  const size_t es = r->es;
  TW_TRY(upload(&r->gx, r->hx, TW_T1D_NSTATES * LD * es));
  TW_TRY(upload(&r->gp, r->hp, TW_T1D_NPARAMS * LD * es));
  TW_TRY(upload(&r->gd, r->hd, TW_T1D_NDISC * LD * es));
  TW_TRY(upload(&r->gu, NULL, 60 * TW_T1D_NINPUTS * LD * es));
  TW_TRY(upload(&r->gh, r->hh, LD * es));
  return upload(&r->gf, r->hf, LD * sizeof(int32_t));
}

static tw_status run_setup(t1d_run *r, tw_dtype dtype, tw_integrator_kind kind, int gpu_twins) {
  tw_csv scen;
  double params[FIX_PATIENTS * TW_T1D_NPARAMS];
  memset(r, 0, sizeof *r);
  r->es = dtype == TW_F32 ? 4 : 8;
  tw_model_init(&r->m);
  TW_TRY(tw_model_add_pack(&r->m, &tw_pack_t1d, NULL));
  TW_TRY(fixture_patients(params));
  TW_TRY(tw_csv_read_file(TW_TEST_DATA_DIR "/physio/t1d_scenarios.csv", &scen));
  tw_status st = fixture_inputs(&scen, "standard", params, &r->in);
  tw_csv_free(&scen);
  TW_TRY(st);
  TW_TRY(host_arrays(r, params));
  TW_TRY(device_arrays(r));
  r->hb.dtype = dtype, r->hb.n = NT, r->hb.ld = LD;
  r->hb.x = r->hx, r->hb.p = r->hp, r->hb.d = r->hd, r->hb.u = r->hu, r->hb.flag = r->hf, r->hb.h = r->hh;
  r->hb.opts = tw_integrator_defaults(kind);
  r->gb = r->hb;
  r->gb.n = gpu_twins;
  r->gb.x = r->gx, r->gb.p = r->gp, r->gb.d = r->gd, r->gb.u = r->gu, r->gb.flag = r->gf, r->gb.h = r->gh;
  return TW_OK;
}

static void run_free(t1d_run *r) {
  void *dev[] = {r->gx, r->gp, r->gd, r->gu, r->gh, r->gf};
  for (size_t i = 0; i < TW_ARRAY_LEN(dev); ++i)
    if (dev[i]) gpu->free(gpu, dev[i]);
  free(r->hx), free(r->hp), free(r->hd), free(r->hu), free(r->hh), free(r->gx_back), free(r->cpu_prev);
  free(r->gpu_prev), free(r->hf);
  tw_sim_inputs_free(&r->in);
}

/* The inputs of hour `hour`, per patient (the fixture's twin i % 30), on both sides. */
static tw_status load_inputs(t1d_run *r, int hour) {
  for (int mm = 0; mm < 60; ++mm)
    for (int k = 0; k < TW_T1D_NINPUTS; ++k)
      for (int i = 0; i < NT; ++i)
        put(r->hu, r->es, (mm * TW_T1D_NINPUTS + k) * LD + i,
            r->in.base[k * FIX_PATIENTS + i % FIX_PATIENTS] + r->in.events[(hour * 60 + mm) * TW_T1D_NINPUTS + k]);
  return gpu->copy(gpu, r->gu, r->hu, 60 * TW_T1D_NINPUTS * LD * r->es, TW_COPY_HOST_TO_DEVICE);
}

/* Did lane i change (any state, bit for bit) from `before` to `after`? */
static int lane_moved(const char *before, const char *after, size_t es, int i) {
  for (int k = 0; k < TW_T1D_NSTATES; ++k)
    if (memcmp(before + (k * LD + i) * es, after + (k * LD + i) * es, es)) return 1;
  return 0;
}

/* The largest change of lane i's states from `before` to `after`, relative to
** the lane's largest state before. */
static double lane_move(const char *before, const char *after, size_t es, int i) {
  double m = 0.0, scale = 0.0;
  for (int k = 0; k < TW_T1D_NSTATES; ++k) {
    const double b = at(before, es, k * LD + i), a = at(after, es, k * LD + i);
    m = fmax(m, fabs(a - b)), scale = fmax(scale, fabs(b));
  }
  return scale > 0.0 ? m / scale : m;
}

/* Folds one hour's states into the result: errors, stuck lanes, padding. */
static void compare_hour(const t1d_run *r, double *num, double *den, t1d_result *res) {
  const size_t es = r->es;
  for (int i = 0; i < LD; ++i) {
    if (i >= NT) {
      for (int k = 0; k < TW_T1D_NSTATES; ++k) res->padding_written |= !isnan(at(r->gx_back, es, k * LD + i));
      continue;
    }
    if (lane_moved(r->cpu_prev, r->hx, es, i) && !lane_moved(r->gpu_prev, r->gx_back, es, i)) {
      res->lanes_stuck++;
      res->stuck_move = fmax(res->stuck_move, lane_move(r->cpu_prev, r->hx, es, i));
    }
    for (int k = 0; k < TW_T1D_NSTATES; ++k) {
      const double c = at(r->hx, es, k * LD + i), g = at(r->gx_back, es, k * LD + i);
      *num += isnan(g) ? INFINITY : (g - c) * (g - c);
      *den += c * c;
    }
  }
}

static tw_status run_day(t1d_run *r, t1d_result *res) {
  const size_t state_bytes = TW_T1D_NSTATES * LD * r->es;
  double num = 0.0, den = 0.0;
  memcpy(r->gpu_prev, r->hx, state_bytes);
  for (int hour = 0; hour < HOURS; ++hour) {
    memcpy(r->cpu_prev, r->hx, state_bytes);
    TW_TRY(load_inputs(r, hour));
    TW_TRY(tw_physio_ops_for(cpu)->advance(cpu, &r->m, &r->hb, hour * 60, 60));
    TW_TRY(tw_physio_ops_for(gpu)->advance(gpu, &r->m, &r->gb, hour * 60, 60));
    TW_TRY(gpu->copy(gpu, r->gx_back, r->gx, state_bytes, TW_COPY_DEVICE_TO_HOST));
    TW_TRY(gpu->synchronize(gpu));
    compare_hour(r, &num, &den, res);
    memcpy(r->gpu_prev, r->gx_back, state_bytes);
  }
  res->rel_err = sqrt(num / den);
  return TW_OK;
}

/* One day on both sides; gpu_twins < NT leaves the last twins out on the GPU. */
static tw_status run(tw_dtype dtype, tw_integrator_kind kind, int gpu_twins, t1d_result *res) {
  t1d_run r;
  memset(res, 0, sizeof *res);
  tw_status st = run_setup(&r, dtype, kind, gpu_twins);
  if (st == TW_OK) st = run_day(&r, res);
  run_free(&r);
  return st;
}

static void check(const char *what, tw_dtype dtype, tw_integrator_kind kind, double bound) {
  t1d_result res;
  CHECK_OK(run(dtype, kind, NT, &res));
  fprintf(stderr, "%-16s ||gpu - cpu|| / ||cpu|| = %.3g over %d hourly states of %d twins (bound %.0e)\n", what,
          res.rel_err, HOURS, NT, bound);
  CHECK_MSG(res.rel_err <= bound, "%s: %.3g > %.1g", what, res.rel_err, bound);
  CHECK_MSG(res.lanes_stuck == 0,
            "%s: %d (twin, hour) pairs moved on the CPU but not on the GPU (the CPU's largest relative move %.3g)",
            what, res.lanes_stuck, res.stuck_move);
  CHECK_MSG(!res.padding_written, "%s: a padding lane was written", what);
}

static void test_f32_rk4(void) { check("float32 rk4", TW_F32, TW_INTEG_RK4, 1e-4); }
static void test_f32_dopri5(void) { check("float32 dopri5", TW_F32, TW_INTEG_DOPRI5, 1e-4); }
static void test_f64_rk4(void) { check("float64 rk4", TW_F64, TW_INTEG_RK4, 1e-10); }
static void test_f64_dopri5(void) { check("float64 dopri5", TW_F64, TW_INTEG_DOPRI5, 1e-5); }

/* The lane check catches a twin the kernel never advances. */
static void test_lane_check_can_fail(void) {
  t1d_result res;
  CHECK_OK(run(TW_F32, TW_INTEG_RK4, NT - 1, &res));
  fprintf(stderr, "GPU batch one twin short: %d stuck (twin, hour) pairs found (the CPU's largest relative move %.3g)\n",
          res.lanes_stuck, res.stuck_move);
  CHECK_MSG(res.lanes_stuck > 0, "the last twin was never advanced on the GPU, and the check missed it");
}

int main(void) {
  tw_test_cuda_or_skip();
  if (tw_backend_open("cpu", 0, &cpu) != TW_OK || tw_backend_open("cuda", 0, &gpu) != TW_OK) {
    fprintf(stderr, "cannot open backends: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_f32_rk4);
  TW_TEST_RUN(test_f32_dopri5);
  TW_TEST_RUN(test_f64_rk4);
  TW_TEST_RUN(test_f64_dopri5);
  TW_TEST_RUN(test_lane_check_can_fail);
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
