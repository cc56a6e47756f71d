/*
** tw_math.h: exp in float and double as plain TW_HD arithmetic, the one source
** for every kernel family's pointwise math (physio_math.h builds tanh on it,
** nn_math.h sigmoid and tanh), on the CPU and in CUDA kernels alike.
**
** Why not expf/exp: a libm call inside a twin or row loop stops the CPU compiler
** from vectorising it (glibc's vector expf needs -ffast-math); written in plain
** arithmetic it becomes SIMD code on any target and the same instructions on the
** GPU. float: Cody-Waite range reduction and the Cephes degree-6 polynomial,
** |relative error| < 3e-7 on [-87, 88]; double: fdlibm's two-part ln 2 reduction
** and the Taylor series to degree 13, relative error < 1e-15 on [-708, 709].
** Both saturate outside their ranges. Checked against libm in tests/physio
** (physio_engine) and tests/nn (nn_grt_unit).
**
** It sits in core, below both engines, so that neither engine includes the other
** for it (docs/architecture.md).
*/
#ifndef TW_CORE_TW_MATH_H
#define TW_CORE_TW_MATH_H

#include "core/defs.h" /* TW_HD, fixed-width ints */

TW_EXTERN_C_BEGIN

/* 2^n for an integer-valued float n in [-126, 127], from its exponent bits. */
TW_HD float tw_pow2i_f32(float n) {
  int32_t bits = ((int32_t)n + 127) << 23;
#if defined(__CUDA_ARCH__)
  return __int_as_float(bits);
#else
  union { int32_t i; float f; } v;
  v.i = bits;
  return v.f;
#endif
}

/* exp(x) in float, |relative error| < 3e-7 on [-87, 88]; saturates outside. */
TW_HD float tw_exp_f32(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  /* round to nearest by adding and removing 1.5 * 2^23: SSE2-friendly (no roundps) */
  const float n = (x * 1.44269504089f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;      /* ln 2 split in two: exact high part */
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * tw_pow2i_f32(n);
}

/* 2^n for an integer-valued double n in [-1022, 1023], from its exponent bits. */
TW_HD double tw_pow2i_f64(double n) {
  int64_t bits = ((int64_t)n + 1023) << 52;
#if defined(__CUDA_ARCH__)
  return __longlong_as_double((long long)bits);
#else
  union { int64_t i; double f; } v;
  v.i = bits;
  return v.f;
#endif
}

/* exp(x) in double, relative error below 1e-15 on [-708, 709] (saturates
** outside): fdlibm's two-part ln 2 reduction to |r| <= ln2/2, then the Taylor
** series to degree 13 (truncation < 2e-17). Plain arithmetic, so it vectorises
** like the float version. */
TW_HD double tw_exp_f64(double x) {
  x = x < -708.0 ? -708.0 : (x > 709.0 ? 709.0 : x);
  /* round to nearest by adding and removing 1.5 * 2^52 */
  const double n = (x * 1.4426950408889634 + 6755399441055744.0) - 6755399441055744.0;
  const double r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  double p = 1.0 / 6227020800.0;           /* 1/13! */
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return p * tw_pow2i_f64(n);
}

TW_EXTERN_C_END

#endif
