/*
** physio_t1d.cu: the t1d pack on the GPU, one twin per thread.
**
** The traits of the shared kernel (physio_cuda.h) for t1d: 13 states and 7
** discrete variables in registers, the parameters the RHS reads in the context,
** and the very TW_HD functions the CPU path uses (t1d_body.h, integrate_body.h):
** the minute update (meal and insulin bookkeeping), then RK4 or DOPRI5 over the
** minute. Reached through the module's physiology table (physio_cuda.cu).
*/
#include "physio_cuda.h" /* the kernel, tw_physio_cuda_t1d (CUDA headers first) */

#include "physio/t1d.h" /* the model's TW_HD functions */

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

/* The traits for one precision (REAL, function suffix SUF): see physio_cuda.h. */
#define T1D_TRAITS(NAME, REAL, SUF)                                                                         \
  struct NAME {                                                                                             \
    typedef REAL real;                                                                                      \
    typedef tw_t1d_ctx_##SUF ctx;                                                                           \
    enum { NX = TW_T1D_NSTATES, ND = TW_T1D_NDISC, NU = TW_T1D_NINPUTS };                                   \
    static __device__ void load(ctx *c, const real *p, int64_t ps) { tw_t1d_ctx_load_##SUF(c, p, ps); }     \
    static __device__ void minute(real *x, real *dv, ctx *c, const real *u, int64_t us) {                   \
      tw_t1d_minute_##SUF(x[0] + x[1], u[TW_T1D_U_CHO * us], dv, 1);                                        \
      tw_t1d_ctx_inputs_##SUF(c, dv[TW_T1D_D_CHO], u[TW_T1D_U_INSULIN * us], dv[TW_T1D_D_DBAR]);             \
    }                                                                                                       \
    static __device__ void rk4(real *x, ctx *c, real h, int n) { t1d_cuda_rk4_##SUF(NX, x, c, h, n); }      \
    static __device__ int dopri5(real *x, ctx *c, const tw_integrator_opts *o, real *h) {                   \
      return t1d_cuda_dopri5_##SUF(NX, x, c, o, h);                                                         \
    }                                                                                                       \
  };
T1D_TRAITS(t1d_f32, float, f32)
T1D_TRAITS(t1d_f64, double, f64)

tw_status tw_physio_cuda_t1d(tw_backend *be, tw_physio_batch *b, int n_minutes) {
  return tw_physio_cuda_advance<t1d_f32, t1d_f64>(be, b, n_minutes, "t1d");
}
