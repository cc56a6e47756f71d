/*
** physio_math.h: pointwise math for the right-hand sides, in float and double,
** shared by CPU and CUDA.
**
** The float32 path uses its own exp (Cody-Waite range reduction and the Cephes
** degree-6 polynomial, about 2 ulp) instead of expf, because a libm call inside
** the twin loop stops the CPU compiler from vectorising it (glibc's vector expf
** needs -ffast-math); written in plain arithmetic it becomes SIMD code on any
** target and the same instructions on the GPU. The float64 path, the reference,
** calls libm's exp. tanh is built on exp in both, so it needs no libm vector
** variant either: tanh(z) = 1 - 2 / (exp(2z) + 1), exact at both tails.
*/
#ifndef TW_PHYSIO_MATH_H
#define TW_PHYSIO_MATH_H

#include "core/defs.h" /* TW_HD, fixed-width ints */

#include <math.h> /* exp, tanh */

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

TW_HD float tw_tanh_f32(float z) { return 1.0f - 2.0f / (tw_exp_f32(2.0f * z) + 1.0f); }

TW_HD double tw_exp_f64(double x) { return exp(x); }

TW_HD double tw_tanh_f64(double z) { return tanh(z); }

TW_EXTERN_C_END

#endif
