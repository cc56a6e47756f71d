/*
** philox.h: Philox4x32-10 counter-based random numbers, shared by CPU and CUDA.
**
** Salmon et al., "Parallel random numbers: as easy as 1, 2, 3" (SC'11), as in
** Random123: a 128-bit counter and a 64-bit key give 128 random bits, with no
** state between calls. That is what makes DESIGN.md invariant 2 cheap: every
** random number is a pure function of (run seed, twin id, purpose, index), so it
** is the same whichever rank, thread, batch or GPU computes it.
**
** The layout, fixed here once:
**   key     = { seed low 32 bits, seed high 32 bits }
**   counter = { index, purpose, twin id low 32 bits, twin id high 32 bits }
** `purpose` separates independent streams of one twin (parameter draws, sensor
** noise, meal times, ...; see tw_rng_purpose); `index` counts 128-bit blocks
** within a stream (a step number, or a draw number).
*/
#ifndef TW_PHILOX_H
#define TW_PHILOX_H

#include "core/defs.h"
#include <math.h> /* sqrt, log, cos, sin for Box-Muller */

TW_EXTERN_C_BEGIN

/* Stream purposes. New ones are appended; existing values never change, since
** they are part of every stored result's provenance. */
typedef enum tw_rng_purpose {
  TW_RNG_TEST = 0,
  TW_RNG_PARAMS = 1,       /* per-twin parameter variability */
  TW_RNG_SENSOR = 2,       /* CGM sensor noise */
  TW_RNG_SCENARIO = 3,     /* randomised meals and events */
  TW_RNG_NN_INIT = 4,      /* neural network weight initialisation */
  TW_RNG_COVARIATES = 5,   /* synthetic covariates (and a cohort's conditions and reference choice) */
  TW_RNG_COHORT_PARAMS = 6, /* cohort parameter draws: blocks from attempt * 65536 (src/cohort/generate.h) */
  TW_RNG_ALLOCATION = 7,    /* a parallel trial's randomisation: "twin" = stratum, index = block (trial_assign.c) */
  TW_RNG_TRAIN = 8,         /* training: "twin" = data twin (validation split) or step (shuffles, rollout draws) */
  TW_RNG_DP_SAMPLE = 9,     /* DP-SGD's Poisson sampling: twin = example id, index = step (src/train/dp_sgd.h) */
  TW_RNG_GAN_REPORT = 10,   /* gan report: DCRBaselineProtection's random rows, "twin" = row (src/gan/privacy.c) */
  TW_RNG_FIT_MCMC = 11,     /* twin fit's ensemble sampler: twin = the person's row, index = step (src/twin/fit_mcmc.c) */
  TW_RNG_GAN_TRAIN = 12,    /* gan training: condition vectors, "twin" = step, index = batch row (src/gan/cond.h) */
  TW_RNG_GAN_SAMPLE = 13,   /* gan data: a value's mixture component, "twin" = row, index = column (src/gan/transform.h) */
  TW_RNG_FED = 14,          /* federated training: the sites sampled in a round, "twin" = round (src/fed/fed.c) */
  TW_RNG_DP_NOISE = 15,     /* DP-SGD's Gaussian noise: "twin" = step, drawn in parameter order (src/train/train_dp.c) */
  TW_RNG_GAN_BASELINE = 16  /* gan report baselines: "twin" = (stream << 56) | row (src/gan/baseline.h) */
} tw_rng_purpose;

/* Random123's multipliers and Weyl key increments. */
#define TW_PHILOX_M0 UINT32_C(0xD2511F53)
#define TW_PHILOX_M1 UINT32_C(0xCD9E8D57)
#define TW_PHILOX_W0 UINT32_C(0x9E3779B9)
#define TW_PHILOX_W1 UINT32_C(0xBB67AE85)

TW_HD void tw_philox_mulhilo(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo) {
  uint64_t p = (uint64_t)a * (uint64_t)b;
  *hi = (uint32_t)(p >> 32);
  *lo = (uint32_t)p;
}

/* One block: out = Philox4x32-10(ctr, key). */
TW_HD void tw_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    tw_philox_mulhilo(TW_PHILOX_M0, c0, &hi0, &lo0);
    tw_philox_mulhilo(TW_PHILOX_M1, c2, &hi1, &lo1);
    uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
    k0 += TW_PHILOX_W0;
    k1 += TW_PHILOX_W1;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/* The block for (seed, twin, purpose, index) in the layout above. */
TW_HD void tw_philox_block(uint64_t seed, uint64_t twin_id, uint32_t purpose, uint32_t index,
                           uint32_t out[4]) {
  uint32_t key[2], ctr[4];
  key[0] = (uint32_t)seed;
  key[1] = (uint32_t)(seed >> 32);
  ctr[0] = index;
  ctr[1] = purpose;
  ctr[2] = (uint32_t)twin_id;
  ctr[3] = (uint32_t)(twin_id >> 32);
  tw_philox4x32_10(ctr, key, out);
}

/* Uniform in the open interval (0,1) from 32 bits, in float: never 0 or 1, so
** log(u) and log(1-u) are always finite. 23 bits, because (2^24 - 0.5) / 2^24
** would round to 1.0f. */
TW_HD float tw_u01_f32(uint32_t x) {
  return ((float)(x >> 9) + 0.5f) * (1.0f / 8388608.0f);
}

/* Uniform in the open interval (0,1) from 64 bits, with 52 random bits (53 would
** let the largest value round to 1.0, as in tw_u01_f32). */
TW_HD double tw_u01_f64(uint32_t hi, uint32_t lo) {
  uint64_t x = ((uint64_t)hi << 32 | lo) >> 12;
  return ((double)x + 0.5) * (1.0 / 4503599627370496.0);
}

/* Two independent N(0,1) from one block (Box-Muller, double precision). */
TW_HD void tw_normal2_f64(const uint32_t r[4], double *z0, double *z1) {
  const double two_pi = 6.283185307179586476925286766559;
  double u1 = tw_u01_f64(r[0], r[1]);
  double u2 = tw_u01_f64(r[2], r[3]);
  double rad = sqrt(-2.0 * log(u1));
  *z0 = rad * cos(two_pi * u2);
  *z1 = rad * sin(two_pi * u2);
}

TW_EXTERN_C_END

#endif
