/*
** physio_pbpk.cu: the pbpk pack on the GPU, one twin per thread.
**
** The CUDA counterpart of pbpk_advance_range (src/physio/pbpk_advance.h), step
** for step: each thread gathers its twin's 18 states, turns its parameters into
** the rate constants once (tw_pbpk_ctx_load), and runs the requested minutes with
** the very TW_HD functions the CPU path calls (pbpk_model_impl.h,
** integrate_body.h): the minute's doses (tw_pbpk_minute), then RK4 on the
** minute's increment (tw_pbpk_rhs_incr, as the CPU) or Dormand-Prince 5(4) on
** the state. A twin whose integration fails keeps its last good state and is
** flagged; the others go on. Arrays are the CPU's SoA layout [variable][twin]
** with leading dimension ld, so consecutive threads read consecutive addresses.
** Reached through the module's physiology table (physio_cuda.cu).
*/
#include "backend_cuda.h"        /* tw_cuda_stream, tw_cuda_activate (CUDA headers first) */
#include "core/check.h"          /* TW_CUDA_CHECK */
#include "physio/integrate.h"    /* tw_integrator_opts, flags */
#include "physio/pbpk_model.h"   /* the model's TW_HD functions and indexes */
#include "physio_cuda.h"         /* tw_physio_cuda_pbpk, launch shape */

/* As in pbpk_pack.c: DOPRI5 on the state, RK4 on the minute's increment; each
** include defines both methods, the one not used of each pair is unused. */
#define TW_INT_RK4 pbpk_cuda_rk4_unused_f64
#define TW_INT_DOPRI5 pbpk_cuda_dopri5_f64
#define TW_INT_REAL double
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_ctx_f64
#define TW_INT_RHS tw_pbpk_rhs_f64
#include "physio/integrate_body.h"
#define TW_INT_RK4 pbpk_cuda_rk4_f64
#define TW_INT_DOPRI5 pbpk_cuda_dopri5_unused_f64
#define TW_INT_REAL double
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_incr_ctx_f64
#define TW_INT_RHS tw_pbpk_rhs_incr_f64
#include "physio/integrate_body.h"
#define TW_INT_RK4 pbpk_cuda_rk4_unused_f32
#define TW_INT_DOPRI5 pbpk_cuda_dopri5_f32
#define TW_INT_REAL float
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_ctx_f32
#define TW_INT_RHS tw_pbpk_rhs_f32
#include "physio/integrate_body.h"
#define TW_INT_RK4 pbpk_cuda_rk4_f32
#define TW_INT_DOPRI5 pbpk_cuda_dopri5_unused_f32
#define TW_INT_REAL float
#define TW_INT_NMAX TW_PBPK_N_STATES
#define TW_INT_CTX tw_pbpk_incr_ctx_f32
#define TW_INT_RHS tw_pbpk_rhs_incr_f32
#include "physio/integrate_body.h"

/* Overloads so that one kernel template serves float and double. */
struct pbpk_f32 {
  typedef float real;
  typedef tw_pbpk_incr_ctx_f32 ictx;
  static __device__ void load(ictx *c, const real *p, int64_t ps) { tw_pbpk_ctx_load_f32(&c->m, p, ps); }
  static __device__ void minute(real *x, const real *u, int64_t us) { tw_pbpk_minute_f32(x, 1, u, us); }
  static __device__ void inputs(ictx *c, const real *u, int64_t us) { tw_pbpk_ctx_inputs_f32(&c->m, u, us); }
  static __device__ void rk4(real *d, const ictx *c, real h, int n) {
    pbpk_cuda_rk4_f32(TW_PBPK_N_STATES, d, c, h, n);
  }
  static __device__ int dopri5(real *x, const ictx *c, const tw_integrator_opts *o, real *h) {
    return pbpk_cuda_dopri5_f32(TW_PBPK_N_STATES, x, &c->m, o, h);
  }
};
struct pbpk_f64 {
  typedef double real;
  typedef tw_pbpk_incr_ctx_f64 ictx;
  static __device__ void load(ictx *c, const real *p, int64_t ps) { tw_pbpk_ctx_load_f64(&c->m, p, ps); }
  static __device__ void minute(real *x, const real *u, int64_t us) { tw_pbpk_minute_f64(x, 1, u, us); }
  static __device__ void inputs(ictx *c, const real *u, int64_t us) { tw_pbpk_ctx_inputs_f64(&c->m, u, us); }
  static __device__ void rk4(real *d, const ictx *c, real h, int n) {
    pbpk_cuda_rk4_f64(TW_PBPK_N_STATES, d, c, h, n);
  }
  static __device__ int dopri5(real *x, const ictx *c, const tw_integrator_opts *o, real *h) {
    return pbpk_cuda_dopri5_f64(TW_PBPK_N_STATES, x, &c->m, o, h);
  }
};

// X is (18, ld), P is (n_params, ld), U is (n_minutes, 3, ld), H is (n) or NULL; pbpk has no discrete variables.
// One instantiation per integrator (DOPRI5 = 0: RK4), so RK4 is not given DOPRI5's registers (7 stages x 18).
template <class T, int DOPRI5>
__global__ void pbpk_advance_kernel(int64_t n, int64_t ld, typename T::real *X, const typename T::real *P,
                                    const typename T::real *U, int32_t *flag, typename T::real *H,
                                    tw_integrator_opts o, int n_minutes) {
  typedef typename T::real real;
  const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n || flag[i] != TW_TWIN_OK) return;
  real x[TW_PBPK_N_STATES];
#pragma unroll
  for (int s = 0; s < TW_PBPK_N_STATES; ++s) x[s] = X[s * ld + i];
  typename T::ictx ci; /* ci.m: the rate constants; ci.x0: the state the RK4 increment starts from */
  T::load(&ci, P + i, ld);
  real h = H ? H[i] : (real)1;
  int fl = TW_TWIN_OK;
  for (int m = 0; m < n_minutes && fl == TW_TWIN_OK; ++m) {
    const real *um = U + (int64_t)m * TW_PBPK_N_INPUTS * ld + i;
    T::minute(x, um, ld);
    T::inputs(&ci, um, ld);
    if (!DOPRI5) {
      real d[TW_PBPK_N_STATES];
#pragma unroll
      for (int s = 0; s < TW_PBPK_N_STATES; ++s) {
        ci.x0[s] = x[s];
        d[s] = 0;
      }
      T::rk4(d, &ci, (real)1 / (real)o.substeps, o.substeps);
#pragma unroll
      for (int s = 0; s < TW_PBPK_N_STATES; ++s) x[s] = ci.x0[s] + d[s];
    } else {
      if (!H) h = (real)1;
      fl = T::dopri5(x, &ci, &o, &h);
    }
    for (int s = 0; s < TW_PBPK_N_STATES && fl == TW_TWIN_OK; ++s)
      if (!(x[s] - x[s] == (real)0)) fl = TW_TWIN_NONFINITE; /* NaN or infinite */
  }
  if (fl != TW_TWIN_OK) {
    flag[i] = fl;
    return;
  }
#pragma unroll
  for (int s = 0; s < TW_PBPK_N_STATES; ++s) X[s * ld + i] = x[s];
  if (H) H[i] = h;
}

/* The kernel for one real type, RK4 or DOPRI5 as the batch asks. */
template <class T>
static void launch(tw_physio_batch *b, int n_minutes, cudaStream_t st) {
  typedef typename T::real real;
  const unsigned blocks = tw_physio_cuda_blocks(b->n);
  const int threads = TW_PHYSIO_CUDA_THREADS;
  real *x = (real *)b->x, *h = (real *)b->h;
  const real *p = (const real *)b->p, *u = (const real *)b->u;
  if (b->opts.kind == TW_INTEG_RK4)
    pbpk_advance_kernel<T, 0><<<blocks, threads, 0, st>>>(b->n, b->ld, x, p, u, b->flag, h, b->opts, n_minutes);
  else
    pbpk_advance_kernel<T, 1><<<blocks, threads, 0, st>>>(b->n, b->ld, x, p, u, b->flag, h, b->opts, n_minutes);
}

tw_status tw_physio_cuda_pbpk(tw_backend *be, tw_physio_batch *b, int n_minutes) {
  if (b->n == 0 || n_minutes == 0) return TW_OK;
  TW_TRY(tw_cuda_activate(be));
  if (b->dtype == TW_F32) launch<pbpk_f32>(b, n_minutes, tw_cuda_stream(be));
  else if (b->dtype == TW_F64) launch<pbpk_f64>(b, n_minutes, tw_cuda_stream(be));
  else return TW_FAIL(TW_ERR_INTERNAL, "pbpk: batch dtype must be float32 or float64");
  TW_CUDA_CHECK_LAUNCH();
  return TW_OK;
}
