/*
** fake_cuda_error.c: a stand-in CUDA driver whose runtime calls fail, for
** checking that gpu tests fail (not skip) on a broken CUDA install.
**
** Built as libcuda.so.1 (SONAME included) and put in LD_PRELOAD, it makes
** tw_cuda_driver_present's dlopen("libcuda.so.1") succeed on a machine without a
** driver, and its cudaGetDeviceCount interposes the CUDA runtime's (the module's
** reference binds to the first definition in the process): it reports
** cudaErrorInsufficientDriver, what a driver too old for the toolkit gives. On a
** machine with a GPU the same holds: the preloaded definition wins.
*/
#define TW_FAKE_CUDA_ERROR_INSUFFICIENT_DRIVER 35 /* cudaErrorInsufficientDriver (driver_types.h) */

__attribute__((visibility("default"))) int cudaGetDeviceCount(int *count) {
  if (count) *count = 0;
  return TW_FAKE_CUDA_ERROR_INSUFFICIENT_DRIVER;
}
