/*
** physio_cuda.h: the per-pack CUDA kernels behind the module's physiology table
** (cuda/physio_cuda.cu), and the one kernel they are all made from. Include from
** .cu files only.
**
** A pack's kernel is tw_physio_cuda_kernel<P> for a traits class P that names the
** pack's real type, context and sizes and wraps its TW_HD functions (the ones the
** CPU calls). Each thread takes one twin: it loads the twin's states and
** discrete variables into registers, turns its parameters into the context once,
** runs the minutes asked for (the pack's minute update, then RK4 or DOPRI5 over
** the minute) and stores the state back; a twin whose integration fails keeps its
** last good state and is flagged, the others go on. Arrays are the CPU's SoA
** layout [variable][twin] with leading dimension ld, so consecutive threads read
** consecutive addresses (coalesced). Each kernel is instantiated per integrator
** (DOPRI5 = 0: RK4), so RK4 does not carry DOPRI5's seven stages of registers.
**
** Traits P (see physio_t1d.cu, physio_pbpk.cu):
**   typedef real, ctx;  enum { NX (states), ND (discrete variables), NU (inputs) };
**   load(ctx *, const real *p, ld)                 parameters -> context
**   minute(real *x, real *dv, ctx *, const real *u, ld)  the minute's update and inputs
**   rk4(real *x, ctx *, real h, int steps)         steps RK4 steps of size h
**   dopri5(real *x, ctx *, opts *, real *h) -> flag  one minute of Dormand-Prince 5(4)
*/
#ifndef TW_PHYSIO_CUDA_H
#define TW_PHYSIO_CUDA_H

#include "backend_cuda.h"     /* tw_cuda_activate, tw_cuda_stream (CUDA headers first) */
#include "core/check.h"       /* TW_CUDA_CHECK_LAUNCH */
#include "physio/integrate.h" /* tw_integrator_opts */
#include "physio/pack.h"      /* tw_physio_batch, tw_pack, TW_TWIN_OK */

TW_EXTERN_C_BEGIN
extern const tw_pack tw_pack_t1d, tw_pack_pbpk; /* src/physio/t1d.c, pbpk_pack.c */

tw_status tw_physio_cuda_t1d(tw_backend *be, tw_physio_batch *b, int n_minutes);  /* physio_t1d.cu */
tw_status tw_physio_cuda_pbpk(tw_backend *be, tw_physio_batch *b, int n_minutes); /* physio_pbpk.cu */
TW_EXTERN_C_END

/* Twins per block: small, so that a few thousand twins still fill the GPU. */
enum { TW_PHYSIO_CUDA_THREADS = 128 };

// X is (NX, ld), D is (ND, ld) (unused when ND = 0), Pm is (n_params, ld), U is (n_minutes, NU, ld),
// H is (n) or NULL (every minute then starts DOPRI5 at 1 min)
template <class P, int DOPRI5>
__global__ void tw_physio_cuda_kernel(int64_t n, int64_t ld, typename P::real *X, typename P::real *D,
                                      const typename P::real *Pm, const typename P::real *U, int32_t *flag,
                                      typename P::real *H, tw_integrator_opts o, int n_minutes) {
  typedef typename P::real real;
  const int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n || flag[i] != TW_TWIN_OK) return;
  real x[P::NX], dv[P::ND > 0 ? P::ND : 1];
#pragma unroll
  for (int s = 0; s < P::NX; ++s) x[s] = X[s * ld + i];
#pragma unroll
  for (int k = 0; k < P::ND; ++k) dv[k] = D[k * ld + i];
  typename P::ctx c;
  P::load(&c, Pm + i, ld);
  real h = H ? H[i] : (real)1;
  int fl = TW_TWIN_OK;
  for (int m = 0; m < n_minutes && fl == TW_TWIN_OK; ++m) {
    P::minute(x, dv, &c, U + (int64_t)m * P::NU * ld + i, ld);
    if (!DOPRI5) {
      P::rk4(x, &c, (real)1 / (real)o.substeps, o.substeps);
    } else {
      if (!H) h = (real)1;
      fl = P::dopri5(x, &c, &o, &h);
    }
    for (int s = 0; s < P::NX && fl == TW_TWIN_OK; ++s)
      if (!(x[s] - x[s] == (real)0)) fl = TW_TWIN_NONFINITE; /* NaN or infinite */
  }
  if (fl != TW_TWIN_OK) {
    flag[i] = fl;
    return;
  }
#pragma unroll
  for (int s = 0; s < P::NX; ++s) X[s * ld + i] = x[s];
#pragma unroll
  for (int k = 0; k < P::ND; ++k) D[k * ld + i] = dv[k];
  if (H) H[i] = h;
}

/* Queues P's kernel on the batch, RK4 or DOPRI5 as it asks. */
template <class P>
static void tw_physio_cuda_launch(tw_physio_batch *b, int n_minutes, cudaStream_t st) {
  typedef typename P::real real;
  const unsigned blocks = (unsigned)((b->n + TW_PHYSIO_CUDA_THREADS - 1) / TW_PHYSIO_CUDA_THREADS);
  real *x = (real *)b->x, *d = (real *)b->d, *h = (real *)b->h;
  const real *p = (const real *)b->p, *u = (const real *)b->u;
  if (b->opts.kind == TW_INTEG_RK4)
    tw_physio_cuda_kernel<P, 0><<<blocks, TW_PHYSIO_CUDA_THREADS, 0, st>>>(b->n, b->ld, x, d, p, u, b->flag, h,
                                                                          b->opts, n_minutes);
  else
    tw_physio_cuda_kernel<P, 1><<<blocks, TW_PHYSIO_CUDA_THREADS, 0, st>>>(b->n, b->ld, x, d, p, u, b->flag, h,
                                                                          b->opts, n_minutes);
}

/* A pack's entry: its float32 (F32) or float64 (F64) kernel on be's stream. */
template <class F32, class F64>
static tw_status tw_physio_cuda_advance(tw_backend *be, tw_physio_batch *b, int n_minutes, const char *pack) {
  if (b->n == 0 || n_minutes == 0) return TW_OK;
  TW_TRY(tw_cuda_activate(be));
  if (b->dtype == TW_F32) tw_physio_cuda_launch<F32>(b, n_minutes, tw_cuda_stream(be));
  else if (b->dtype == TW_F64) tw_physio_cuda_launch<F64>(b, n_minutes, tw_cuda_stream(be));
  else return TW_FAIL(TW_ERR_INTERNAL, "%s: batch dtype must be float32 or float64", pack);
  TW_CUDA_CHECK_LAUNCH();
  return TW_OK;
}

#endif
