/*
** physio_pbpk.cu: the pbpk pack on the GPU, one twin per thread.
**
** The traits of the shared kernel (physio_cuda.h) for pbpk, the counterpart of
** pbpk_advance_range (src/physio/pbpk_advance.h) step for step: 18 states in
** registers (no discrete variables), the rate constants computed once per twin
** (tw_pbpk_ctx_load), the minute's doses (tw_pbpk_minute), then RK4 on the
** minute's increment (tw_pbpk_rhs_incr, as the CPU) or Dormand-Prince 5(4) on
** the state, with the very TW_HD functions the CPU path calls
** (pbpk_model_impl.h, integrate_body.h). Reached through the module's physiology
** table (physio_cuda.cu).
*/
#include "physio_cuda.h" /* the kernel, tw_physio_cuda_pbpk (CUDA headers first) */

#include "physio/pbpk_model.h" /* the model's TW_HD functions and indexes */

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

/* The traits for one precision (REAL, function suffix SUF): see physio_cuda.h.
** The context is the increment context: c->m the rate constants, c->x0 the state
** the RK4 increment d = x - x0 starts from. */
#define PBPK_TRAITS(NAME, REAL, SUF)                                                                        \
  struct NAME {                                                                                             \
    typedef REAL real;                                                                                      \
    typedef tw_pbpk_incr_ctx_##SUF ctx;                                                                     \
    enum { NX = TW_PBPK_N_STATES, ND = 0, NU = TW_PBPK_N_INPUTS };                                          \
    static __device__ void load(ctx *c, const real *p, int64_t ps) { tw_pbpk_ctx_load_##SUF(&c->m, p, ps); } \
    static __device__ void minute(real *x, real *dv, ctx *c, const real *u, int64_t us) {                   \
      tw_pbpk_minute_##SUF(x, 1, u, us);                                                                    \
      tw_pbpk_ctx_inputs_##SUF(&c->m, u, us);                                                               \
    }                                                                                                       \
    static __device__ void rk4(real *x, ctx *c, real h, int n) {                                            \
      real d[NX];                                                                                           \
      for (int s = 0; s < NX; ++s) c->x0[s] = x[s], d[s] = 0;                                               \
      pbpk_cuda_rk4_##SUF(NX, d, c, h, n);                                                                  \
      for (int s = 0; s < NX; ++s) x[s] = c->x0[s] + d[s];                                                  \
    }                                                                                                       \
    static __device__ int dopri5(real *x, ctx *c, const tw_integrator_opts *o, real *h) {                   \
      return pbpk_cuda_dopri5_##SUF(NX, x, &c->m, o, h);                                                    \
    }                                                                                                       \
  };
PBPK_TRAITS(pbpk_f32, float, f32)
PBPK_TRAITS(pbpk_f64, double, f64)

tw_status tw_physio_cuda_pbpk(tw_backend *be, tw_physio_batch *b, int n_minutes) {
  return tw_physio_cuda_advance<pbpk_f32, pbpk_f64>(be, b, n_minutes, "pbpk");
}
