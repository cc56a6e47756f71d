/*
** integrate.h: the ODE integrators of the physiology engine, one twin at a time,
** written once for CPU and CUDA.
**
** Inputs are piecewise constant per minute (DESIGN.md; simglucose holds its action
** for one minute), so every integrator advances ONE twin by ONE minute, t in
** [0, 1) relative to the minute's start, with everything the right-hand side
** needs (parameters, inputs, discrete variables) frozen in a context struct:
**
**   - RK4:     `substeps` classical Runge-Kutta steps of 1/substeps minute;
**   - DOPRI5:  Dormand-Prince 5(4) (Hairer's DOPRI5, the method behind scipy's
**              ode 'dopri5' that simglucose uses) with its own step size per twin,
**              carried from minute to minute, error norm
**              sqrt(mean((err_i / (atol + rtol max(|x_i|, |x_i'|)))^2)).
**
** Batching over twins is the caller's loop: the pack's batched path loads twin i's
** state from the SoA arrays (x[s * ld + i]) into a local vector, calls these
** functions, and stores it back. Because the RHS and the integrator are inlined
** into that loop, the compiler keeps the state in registers and vectorises across
** twins (CPU), or runs one twin per thread (CUDA): same code, different loop.
**
** The bodies are instantiated by including integrate_body.h with:
**   TW_INT_RK4, TW_INT_DOPRI5   the names of the two functions it defines
**   TW_INT_REAL     float or double
**   TW_INT_NMAX     compile-time bound on the number of states (the exact count
**                   for a pack, so that loops unroll and arrays become registers)
**   TW_INT_CTX      the context type passed through to the RHS
**   TW_INT_RHS      function or macro RHS(const CTX *c, const REAL *x, REAL *dx)
** then integrate_body.h #undefs them, so it can be included again.
**
**   void RK4(int n, REAL *x, const CTX *c, REAL h, int nsteps);   nsteps steps of size h
**   int  DOPRI5(int n, REAL *x, const CTX *c, const tw_integrator_opts *o, REAL *h);
**        returns a tw_twin_flag (TW_TWIN_OK on success); *h is the step size to
**        try first, updated for the next minute.
*/
#ifndef TW_PHYSIO_INTEGRATE_H
#define TW_PHYSIO_INTEGRATE_H

#include "core/defs.h"     /* TW_HD */
#include "physio/pack.h"   /* tw_integrator_opts, tw_twin_flag */

#include <math.h> /* sqrt, pow in the step controller */

TW_EXTERN_C_BEGIN

/* The CPU twin loops are compiled for several x86 vector widths and the best
** one for the running CPU is picked at load time (GCC function multiversioning),
** since the build itself targets baseline x86-64 (SSE2). Elsewhere: one version. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__CUDACC__)
#define TW_SIMD_CLONES \
  __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "avx", "default")))
#else
#define TW_SIMD_CLONES
#endif

/* Full unrolling of the short loops over a pack's states, so that inside a loop
** over twins they become straight-line code the vectoriser accepts. */
#if defined(__CUDA_ARCH__)
#define TW_UNROLL _Pragma("unroll")
#elif defined(__CUDACC__)
#define TW_UNROLL /* nvcc's host pass: neither spelling is accepted */
#elif defined(__GNUC__) && !defined(__clang__)
#define TW_UNROLL _Pragma("GCC unroll 64")
#else
#define TW_UNROLL
#endif

/* On a loop over the twins of a block: the iterations are independent. GCC
** cannot prove it for x[s * ld + i] with a runtime ld and would otherwise give
** up on versioning for aliasing (CPU loops only). */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#define TW_IVDEP _Pragma("GCC ivdep")
#else
#define TW_IVDEP
#endif

/* Dormand-Prince 5(4) tableau (Hairer, Norsett, Wanner, Solving ODEs I, table 5.2). */
#define TW_DP_A21 (1.0 / 5.0)
#define TW_DP_A31 (3.0 / 40.0)
#define TW_DP_A32 (9.0 / 40.0)
#define TW_DP_A41 (44.0 / 45.0)
#define TW_DP_A42 (-56.0 / 15.0)
#define TW_DP_A43 (32.0 / 9.0)
#define TW_DP_A51 (19372.0 / 6561.0)
#define TW_DP_A52 (-25360.0 / 2187.0)
#define TW_DP_A53 (64448.0 / 6561.0)
#define TW_DP_A54 (-212.0 / 729.0)
#define TW_DP_A61 (9017.0 / 3168.0)
#define TW_DP_A62 (-355.0 / 33.0)
#define TW_DP_A63 (46732.0 / 5247.0)
#define TW_DP_A64 (49.0 / 176.0)
#define TW_DP_A65 (-5103.0 / 18656.0)
#define TW_DP_B1 (35.0 / 384.0)
#define TW_DP_B3 (500.0 / 1113.0)
#define TW_DP_B4 (125.0 / 192.0)
#define TW_DP_B5 (-2187.0 / 6784.0)
#define TW_DP_B6 (11.0 / 84.0)
/* error coefficients: b (5th order) minus b* (4th order) */
#define TW_DP_E1 (71.0 / 57600.0)
#define TW_DP_E3 (-71.0 / 16695.0)
#define TW_DP_E4 (71.0 / 1920.0)
#define TW_DP_E5 (-17253.0 / 339200.0)
#define TW_DP_E6 (22.0 / 525.0)
#define TW_DP_E7 (-1.0 / 40.0)

/* Step-size factor after a step with error norm `err` (Hairer's controller
** without the Lund stabilisation): 0.9 err^(-1/5), clamped to [0.2, 10].
**
** The fifth root is taken from + - * / alone (and the exact frexp/ldexp), not
** pow: those round the same on every IEEE machine, pow does not (glibc's is
** correctly rounded, CUDA's within 2 ulp), and one ulp in a step size moves a
** DOPRI5 trajectory by about the local error it controls (6.96e-9 relative over
** the pbpk cases on an H200, 4 Dec 2026). With the physiology kernels built
** without FMA contraction (cuda/CMakeLists.txt), CPU and GPU then take the same
** steps. err = m 2^e with m in [0.5, 1); e = 5q + r with r in [0, 4];
** m' = m 2^r in [0.5, 16), whose fifth root z Newton's iteration
** z <- (4z + m'/z^4)/5 reaches to 3e-16 in 7 steps from a linear guess
** (tests/physio/test_engine.c checks it against pow); the factor is
** 0.9 / z * 2^-q. The clamps are tested first, on err itself: (0.9/10)^5 and
** (0.9/0.2)^5 are exact in double. */
TW_HD double tw_dp_step_factor(double err) {
  if (!(err > 5.9049e-6)) return 10.0; /* also err <= 0 */
  if (err >= 1845.28125) return 0.2;
  int e;
  const double m = frexp(err, &e);
  const int q = (e >= 0 ? e : e - 4) / 5, r = e - 5 * q;
  const double mp = ldexp(m, r);
  double z = 0.75 + 0.0625 * mp;
  for (int i = 0; i < 7; ++i) z = (4.0 * z + mp / ((z * z) * (z * z))) / 5.0;
  const double f = ldexp(0.9 / z, -q);
  return f < 0.2 ? 0.2 : (f > 10.0 ? 10.0 : f);
}

/* Defaults: RK4 with 1 step per minute; DOPRI5 with scipy's tolerances. */
TW_HD tw_integrator_opts tw_integrator_defaults(tw_integrator_kind kind) {
  tw_integrator_opts o;
  o.kind = kind;
  o.substeps = 1;
  o.rtol = 1e-6;
  o.atol = 1e-12;
  o.h_min = 1e-10;
  o.max_steps = 100000;
  return o;
}

/* Parses "rk4" / "dopri5"; -1 for anything else. */
int tw_integrator_parse(const char *name);
const char *tw_integrator_name(tw_integrator_kind kind);

TW_EXTERN_C_END

#endif
