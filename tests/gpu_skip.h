/*
** gpu_skip.h: the one way a gpu test decides to skip.
**
** A gpu test calls tw_test_cuda_or_skip() first. It exits 77 (ctest: skipped)
** only when the probe finds no device for an ordinary reason: a build without
** CUDA, no CUDA module, no driver (libcuda.so.1), or cudaErrorNoDevice. Any other
** CUDA error (a driver too old for the toolkit, a broken install) fails the test
** with the CUDA error text: a GPU machine that cannot run CUDA must not look like
** one that has no GPU. tests/backend/CMakeLists.txt fakes such an error
** (backend_probe_fake_error) to check that it fails.
*/
#ifndef TW_GPU_SKIP_H
#define TW_GPU_SKIP_H

#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* exit */

#include "backend/backend.h" /* tw_backend_cuda_probe_why */

/* The number of visible CUDA devices (> 0); exits 77 for none, 1 on a CUDA error. */
static inline int tw_test_cuda_or_skip(void) {
  int n = 0;
  char why[512];
  if (tw_backend_cuda_probe_why(&n, why, sizeof why) != TW_OK) {
    fprintf(stderr, "FAIL: CUDA is present but unusable: %s\n", tw_error_message());
    exit(1);
  }
  if (n == 0) {
    fprintf(stderr, "SKIP: %s\n", why);
    exit(77);
  }
  return n;
}

#endif
