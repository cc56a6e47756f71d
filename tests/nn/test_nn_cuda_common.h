/*
** test_nn_cuda_common.h: what the CUDA-vs-CPU neural-twin tests share: the run's
** seed, random host arrays, device copies of them, NaN poisoning and the
** normwise comparison.
**
** Poisoning: outputs are filled with 0xFF bytes (a NaN as float32) before an
** entry runs, so any element the kernel forgot to write stays NaN and fails the
** comparison, which treats NaN as an infinite error.
*/
#ifndef TW_TEST_NN_CUDA_COMMON_H
#define TW_TEST_NN_CUDA_COMMON_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */

#include "backend/backend.h" /* tw_backend */
#include "core/random.h"     /* tw_rng */

/* TW_TEST_SEED from the environment if set, else from the clock; printed. */
uint64_t nnc_seed(void);

/* The start of every CUDA-vs-CPU test: exits 77 (skip) when no CUDA device is
** visible, else prints the run's seed into *seed and opens the CPU backend and
** CUDA device 0, which must carry the neural-twin table; 0 on success, -1 with
** a message otherwise. */
int nnc_start(uint64_t *seed, tw_backend **cpu, tw_backend **gpu);

/* Integer in [lo, hi]; float uniform in [lo, hi). */
int nnc_int(tw_rng *rng, int lo, int hi);
float nnc_uniform(tw_rng *rng, float lo, float hi);

/* n floats uniform in [lo, hi), malloc'd (abort on failure: a test helper). */
float *nnc_random(tw_rng *rng, int64_t n, float lo, float hi);
/* n floats filled with 0xFF bytes (NaN), malloc'd. */
float *nnc_poisoned(int64_t n);

/* A device copy of host[0..n) on `be`; NULL when host is NULL. Aborts on failure. */
float *nnc_upload(tw_backend *be, const float *host, int64_t n);
/* A device buffer of n floats filled with NaN bytes. */
float *nnc_device_poisoned(tw_backend *be, int64_t n);
/* Host copy of a device buffer (malloc'd). */
float *nnc_download(tw_backend *be, const float *dev, int64_t n);
void nnc_device_free(tw_backend *be, void *dev);

/* ||got - want|| / ||want|| over n elements (||want|| = 0: the absolute norm);
** +inf if any element of got is NaN or Inf. */
double nnc_rel_err(const float *got, const float *want, int64_t n);

#endif
