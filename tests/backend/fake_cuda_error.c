/*
** fake_cuda_error.c: a stand-in CUDA driver whose runtime calls fail, for
** checking that gpu tests fail (not skip) on a broken CUDA install.
**
** Built as libcuda.so.1 (SONAME included) and put in LD_PRELOAD, it makes
** tw_cuda_driver_present's dlopen("libcuda.so.1") succeed on a machine without a
** driver, and its cudaGetDeviceCount interposes the CUDA runtime's (the module's
** reference binds to the first definition in the process): it reports
** cudaErrorInsufficientDriver, what a driver too old for the toolkit gives, or
** the code in $TW_FAKE_CUDA_ERROR (100, cudaErrorNoDevice: a machine whose
** driver sees no GPU). On a machine with a GPU the same holds: the preloaded
** definition wins.
*/
#include <stdlib.h> /* getenv, atoi */

#define TW_FAKE_CUDA_ERROR_INSUFFICIENT_DRIVER 35 /* cudaErrorInsufficientDriver (driver_types.h) */

__attribute__((visibility("default"))) int cudaGetDeviceCount(int *count) {
  const char *code = getenv("TW_FAKE_CUDA_ERROR");
  if (count) *count = 0;
  return code && *code ? atoi(code) : TW_FAKE_CUDA_ERROR_INSUFFICIENT_DRIVER;
}
