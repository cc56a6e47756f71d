/*
** test_t1d_cuda.c: the t1d CUDA kernel (cuda/physio_t1d.cu) against the CPU path.
**
** 30 reference patients x 4 copies, the `standard` validation scenario, one
** simulated day in float32 (RK4, 1 step per minute) and float64 (DOPRI5), the
** same batch arrays advanced an hour at a time by the CPU table and by the CUDA
** table. Acceptance: ||gpu - cpu|| / ||cpu|| <= 1e-4 over every state of every
** twin at every hour, for float32; every state written (a NaN sentinel in the
** device copy of an unused padding lane stays, the real lanes all change). Exits
** 77 without a GPU.
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

/* In rel_error: a failed call ends the comparison with an infinite error. */
#define TRY_INF(call)                                                            \
  do {                                                                           \
    if ((call) != TW_OK) {                                                       \
      fprintf(stderr, "%s: %s\n", #call, tw_error_message());                    \
      return INFINITY;                                                           \
    }                                                                            \
  } while (0)

static double rel_error(tw_dtype dtype, tw_integrator_kind kind, tw_backend *cpu, tw_backend *gpu, int *written) {
  tw_csv scen;
  double params[FIX_PATIENTS * TW_T1D_NPARAMS];
  if (tw_csv_read_file(TW_TEST_DATA_DIR "/physio/t1d_scenarios.csv", &scen) != TW_OK || fixture_patients(params) != TW_OK)
    return INFINITY;
  tw_sim_inputs in;
  if (fixture_inputs(&scen, "standard", params, &in) != TW_OK) return INFINITY;
  tw_model m;
  tw_model_init(&m);
  if (tw_model_add_pack(&m, &tw_pack_t1d, NULL) != TW_OK) return INFINITY;
  const size_t es = dtype == TW_F32 ? 4 : 8;
  const size_t nx = TW_T1D_NSTATES * LD, np = TW_T1D_NPARAMS * LD, nd = TW_T1D_NDISC * LD, nu = 60 * TW_T1D_NINPUTS * LD;
  char *hx = calloc(nx, es), *hp = calloc(np, es), *hd = calloc(nd, es), *hu = calloc(nu, es), *hh = calloc(LD, es);
  char *gx_back = calloc(nx, es);
  int32_t *hf = calloc(LD, sizeof(int32_t));
  for (int i = 0; i < NT; ++i) {
    double x[TW_T1D_NSTATES], d[TW_T1D_NDISC];
    const double *p = params + (i % FIX_PATIENTS) * TW_T1D_NPARAMS;
    tw_model_init_twin_f64(&m, p, x, d);
    for (int k = 0; k < TW_T1D_NSTATES; ++k) {
      if (es == 4) ((float *)hx)[k * LD + i] = (float)x[k]; else ((double *)hx)[k * LD + i] = x[k];
    }
    for (int k = 0; k < TW_T1D_NPARAMS; ++k) {
      if (es == 4) ((float *)hp)[k * LD + i] = (float)p[k]; else ((double *)hp)[k * LD + i] = p[k];
    }
    for (int k = 0; k < TW_T1D_NDISC; ++k) {
      if (es == 4) ((float *)hd)[k * LD + i] = (float)d[k]; else ((double *)hd)[k * LD + i] = d[k];
    }
    if (es == 4) ((float *)hh)[i] = 1.0f; else ((double *)hh)[i] = 1.0;
  }
  /* NaN in the padding lanes: they must come back unchanged (never written) */
  for (int k = 0; k < TW_T1D_NSTATES; ++k)
    for (int i = NT; i < LD; ++i) {
      if (es == 4) ((float *)hx)[k * LD + i] = NAN; else ((double *)hx)[k * LD + i] = NAN;
    }
  void *gx, *gp, *gd, *gu, *gh, *gf;
  TRY_INF(gpu->alloc(gpu, nx * es, &gx));
  TRY_INF(gpu->alloc(gpu, np * es, &gp));
  TRY_INF(gpu->alloc(gpu, nd * es, &gd));
  TRY_INF(gpu->alloc(gpu, nu * es, &gu));
  TRY_INF(gpu->alloc(gpu, LD * es, &gh));
  TRY_INF(gpu->alloc(gpu, LD * sizeof(int32_t), &gf));
  TRY_INF(gpu->copy(gpu, gx, hx, nx * es, TW_COPY_HOST_TO_DEVICE));
  TRY_INF(gpu->copy(gpu, gp, hp, np * es, TW_COPY_HOST_TO_DEVICE));
  TRY_INF(gpu->copy(gpu, gd, hd, nd * es, TW_COPY_HOST_TO_DEVICE));
  TRY_INF(gpu->copy(gpu, gh, hh, LD * es, TW_COPY_HOST_TO_DEVICE));
  TRY_INF(gpu->copy(gpu, gf, hf, LD * sizeof(int32_t), TW_COPY_HOST_TO_DEVICE));
  tw_physio_batch hb, gb;
  memset(&hb, 0, sizeof hb);
  hb.dtype = dtype;
  hb.n = NT;
  hb.ld = LD;
  hb.x = hx, hb.p = hp, hb.d = hd, hb.u = hu, hb.flag = hf, hb.h = hh;
  hb.opts = tw_integrator_defaults(kind);
  gb = hb;
  gb.x = gx, gb.p = gp, gb.d = gd, gb.u = gu, gb.flag = gf, gb.h = gh;
  double num = 0.0, den = 0.0;
  *written = 1;
  for (int hour = 0; hour < 24; ++hour) {
    /* inputs are per patient: the fixture's twin i % 30 */
    for (int mm = 0; mm < 60; ++mm)
      for (int k = 0; k < TW_T1D_NINPUTS; ++k)
        for (int i = 0; i < NT; ++i) {
          const double v = in.base[k * FIX_PATIENTS + i % FIX_PATIENTS] + in.events[(hour * 60 + mm) * TW_T1D_NINPUTS + k];
          if (es == 4) ((float *)hu)[(mm * TW_T1D_NINPUTS + k) * LD + i] = (float)v;
          else ((double *)hu)[(mm * TW_T1D_NINPUTS + k) * LD + i] = v;
        }
    TRY_INF(gpu->copy(gpu, gu, hu, nu * es, TW_COPY_HOST_TO_DEVICE));
    TRY_INF(tw_physio_ops_for(cpu)->advance(cpu, &m, &hb, hour * 60, 60));
    TRY_INF(tw_physio_ops_for(gpu)->advance(gpu, &m, &gb, hour * 60, 60));
    TRY_INF(gpu->copy(gpu, gx_back, gx, nx * es, TW_COPY_DEVICE_TO_HOST));
    TRY_INF(gpu->synchronize(gpu));
    for (int k = 0; k < TW_T1D_NSTATES; ++k)
      for (int i = 0; i < LD; ++i) {
        const double c = es == 4 ? ((float *)hx)[k * LD + i] : ((double *)hx)[k * LD + i];
        const double g = es == 4 ? ((float *)gx_back)[k * LD + i] : ((double *)gx_back)[k * LD + i];
        if (i >= NT) {
          if (g == g) *written = 0; /* a padding lane was written */
          continue;
        }
        if (!(g == g)) *written = 0;
        num += (g - c) * (g - c);
        den += c * c;
      }
  }
  gpu->free(gpu, gx), gpu->free(gpu, gp), gpu->free(gpu, gd), gpu->free(gpu, gu), gpu->free(gpu, gh), gpu->free(gpu, gf);
  free(hx), free(hp), free(hd), free(hu), free(hh), free(gx_back), free(hf);
  tw_sim_inputs_free(&in);
  tw_csv_free(&scen);
  return sqrt(num / den);
}

static tw_backend *cpu, *gpu;

static void check(const char *what, tw_dtype dtype, tw_integrator_kind kind, double bound) {
  int written = 0;
  double e = rel_error(dtype, kind, cpu, gpu, &written);
  fprintf(stderr, "%-16s ||gpu - cpu|| / ||cpu|| = %.3g over 24 hourly states of %d twins\n", what, e, NT);
  CHECK_MSG(e <= bound, "%s: %.3g > %.1g", what, e, bound);
  CHECK_MSG(written, "%s: a state was not written, or a padding lane was", what);
}

static void test_f32_rk4(void) { check("float32 rk4", TW_F32, TW_INTEG_RK4, 1e-4); }
static void test_f32_dopri5(void) { check("float32 dopri5", TW_F32, TW_INTEG_DOPRI5, 1e-4); }
static void test_f64_rk4(void) { check("float64 rk4", TW_F64, TW_INTEG_RK4, 1e-10); }

int main(void) {
  tw_test_cuda_or_skip();
  if (tw_backend_open("cpu", 0, &cpu) != TW_OK || tw_backend_open("cuda", 0, &gpu) != TW_OK) {
    fprintf(stderr, "cannot open backends: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_f32_rk4);
  TW_TEST_RUN(test_f32_dopri5);
  TW_TEST_RUN(test_f64_rk4);
  tw_backend_close(gpu);
  tw_backend_close(cpu);
  return TW_TEST_RESULT();
}
