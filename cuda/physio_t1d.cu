/*
** physio_t1d.cu: the t1d pack on the GPU, one twin per thread.
**
** Each thread loads its twin's 13 states, 7 discrete variables and the
** parameters the RHS reads into registers, runs the requested minutes (the
** minute update, then RK4 or DOPRI5 over the minute) with the very TW_HD
** functions the CPU path uses (t1d_body.h, integrate_body.h), and stores the
** state back. Arrays are the CPU's SoA layout [variable][twin] with leading
** dimension ld, so consecutive threads read consecutive addresses (coalesced).
** Reached through the module's physiology table (physio_cuda.cu).
*/
#include "backend_cuda.h"      /* tw_cuda_stream, tw_cuda_activate (CUDA headers first) */
#include "core/check.h"        /* TW_CUDA_CHECK */
#include "physio/integrate.h"  /* tw_integrator_opts, flags */
#include "physio/t1d.h"        /* the model's TW_HD functions */
#include "physio_cuda.h"       /* tw_physio_cuda_t1d, launch shape */

#define TW_INT_RK4 t1d_cuda_rk4_f64
#define TW_INT_DOPRI5 t1d_cuda_dopri5_f64
#define TW_INT_REAL double
#define TW_INT_NMAX TW_T1D_NSTATES
#define TW_INT_CTX tw_t1d_ctx_f64
#define TW_INT_RHS tw_t1d_rhs_f64
#include "physio/integrate_body.h"
#define TW_INT_RK4 t1d_cuda_rk4_f32
#define TW_INT_DOPRI5 t1d_cuda_dopri5_f32
#define TW_INT_REAL float
#define TW_INT_NMAX TW_T1D_NSTATES
#define TW_INT_CTX tw_t1d_ctx_f32
#define TW_INT_RHS tw_t1d_rhs_f32
#include "physio/integrate_body.h"

/* Overloads so that one kernel template serves float and double. */
struct t1d_f32 {
  typedef float real;
  typedef tw_t1d_ctx_f32 ctx;
  static __device__ void load(ctx *c, const real *p, int64_t ps) { tw_t1d_ctx_load_f32(c, p, ps); }
  static __device__ void minute(real q, real cho, real *dv) { tw_t1d_minute_f32(q, cho, dv, 1); }
  static __device__ void inputs(ctx *c, real cho, real ins, real dbar) { tw_t1d_ctx_inputs_f32(c, cho, ins, dbar); }
  static __device__ void rk4(real *x, const ctx *c, real h, int n) { t1d_cuda_rk4_f32(TW_T1D_NSTATES, x, c, h, n); }
  static __device__ int dopri5(real *x, const ctx *c, const tw_integrator_opts *o, real *h) {
    return t1d_cuda_dopri5_f32(TW_T1D_NSTATES, x, c, o, h);
  }
};
struct t1d_f64 {
  typedef double real;
  typedef tw_t1d_ctx_f64 ctx;
  static __device__ void load(ctx *c, const real *p, int64_t ps) { tw_t1d_ctx_load_f64(c, p, ps); }
  static __device__ void minute(real q, real cho, real *dv) { tw_t1d_minute_f64(q, cho, dv, 1); }
  static __device__ void inputs(ctx *c, real cho, real ins, real dbar) { tw_t1d_ctx_inputs_f64(c, cho, ins, dbar); }
  static __device__ void rk4(real *x, const ctx *c, real h, int n) { t1d_cuda_rk4_f64(TW_T1D_NSTATES, x, c, h, n); }
  static __device__ int dopri5(real *x, const ctx *c, const tw_integrator_opts *o, real *h) {
    return t1d_cuda_dopri5_f64(TW_T1D_NSTATES, x, c, o, h);
  }
};

// X is (13, ld), D is (7, ld), P is (n_params, ld), U is (n_minutes, 2, ld), H is (n) or NULL.
// One instantiation per integrator (DOPRI5 = 0: RK4), so RK4 is not given DOPRI5's registers.
template <class T, int DOPRI5>
__global__ void t1d_advance_kernel(int64_t n, int64_t ld, typename T::real *X, typename T::real *D,
                                   const typename T::real *P, const typename T::real *U, int32_t *flag,
                                   typename T::real *H, tw_integrator_opts o, int n_minutes) {
  typedef typename T::real real;
  const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n || flag[i] != TW_TWIN_OK) return;
  real x[TW_T1D_NSTATES], dv[TW_T1D_NDISC];
#pragma unroll
  for (int s = 0; s < TW_T1D_NSTATES; ++s) x[s] = X[s * ld + i];
#pragma unroll
  for (int k = 0; k < TW_T1D_NDISC; ++k) dv[k] = D[k * ld + i];
  typename T::ctx c;
  T::load(&c, P + i, ld);
  real h = H ? H[i] : (real)1;
  int fl = TW_TWIN_OK;
  for (int m = 0; m < n_minutes && fl == TW_TWIN_OK; ++m) {
    const real *um = U + (int64_t)m * TW_T1D_NINPUTS * ld + i;
    T::minute(x[0] + x[1], um[TW_T1D_U_CHO * ld], dv);
    T::inputs(&c, dv[TW_T1D_D_CHO], um[TW_T1D_U_INSULIN * ld], dv[TW_T1D_D_DBAR]);
    if (!DOPRI5) {
      T::rk4(x, &c, (real)1 / (real)o.substeps, o.substeps);
    } else {
      if (!H) h = (real)1;
      fl = T::dopri5(x, &c, &o, &h);
    }
    for (int s = 0; s < TW_T1D_NSTATES && fl == TW_TWIN_OK; ++s)
      if (!(x[s] - x[s] == (real)0)) fl = TW_TWIN_NONFINITE;
  }
  if (fl != TW_TWIN_OK) {
    flag[i] = fl;
    return;
  }
#pragma unroll
  for (int s = 0; s < TW_T1D_NSTATES; ++s) X[s * ld + i] = x[s];
#pragma unroll
  for (int k = 0; k < TW_T1D_NDISC; ++k) D[k * ld + i] = dv[k];
  if (H) H[i] = h;
}

/* The kernel for one real type, RK4 or DOPRI5 as the batch asks. */
template <class T>
static void launch(tw_physio_batch *b, int n_minutes, cudaStream_t st) {
  typedef typename T::real real;
  const unsigned blocks = tw_physio_cuda_blocks(b->n);
  const int threads = TW_PHYSIO_CUDA_THREADS;
  real *x = (real *)b->x, *d = (real *)b->d, *h = (real *)b->h;
  const real *p = (const real *)b->p, *u = (const real *)b->u;
  if (b->opts.kind == TW_INTEG_RK4)
    t1d_advance_kernel<T, 0><<<blocks, threads, 0, st>>>(b->n, b->ld, x, d, p, u, b->flag, h, b->opts, n_minutes);
  else
    t1d_advance_kernel<T, 1><<<blocks, threads, 0, st>>>(b->n, b->ld, x, d, p, u, b->flag, h, b->opts, n_minutes);
}

tw_status tw_physio_cuda_t1d(tw_backend *be, tw_physio_batch *b, int n_minutes) {
  if (b->n == 0 || n_minutes == 0) return TW_OK;
  TW_TRY(tw_cuda_activate(be));
  if (b->dtype == TW_F32) launch<t1d_f32>(b, n_minutes, tw_cuda_stream(be));
  else if (b->dtype == TW_F64) launch<t1d_f64>(b, n_minutes, tw_cuda_stream(be));
  else return TW_FAIL(TW_ERR_INTERNAL, "t1d: batch dtype must be float32 or float64");
  TW_CUDA_CHECK_LAUNCH();
  return TW_OK;
}
