/*
** backend_cuda.h: what CUDA kernel families need from the CUDA backend.
**
** The backend table (src/backend/backend.h) is all orchestration code sees. The
** physiology and neural-twin CUDA ops (cuda/physio_*.cu, cuda/nn_*.cu) also need
** the backend's stream, to launch kernels in order with its copies and GEMMs, and
** its cuBLAS handle, to issue their own products; they get them here. Include this
** header from .cu files only.
**
**   TW_TRY(tw_cuda_activate(be));                    // make be's device current
**   my_kernel<<<grid, block, 0, tw_cuda_stream(be)>>>(...);
**   TW_CUDA_CHECK_LAUNCH();
*/
#ifndef TW_BACKEND_CUDA_H
#define TW_BACKEND_CUDA_H

#include <cublas_v2.h>    /* cublasHandle_t */
#include <cuda_runtime.h> /* cudaStream_t */

#include "backend/backend.h" /* tw_backend */

/* The per-backend state behind tw_backend.impl. */
typedef struct tw_cuda_impl {
  int device;            /* CUDA ordinal */
  cudaStream_t stream;   /* every entry's work goes here, in order */
  cublasHandle_t cublas; /* bound to `stream` */
  void *nccl;            /* ncclComm_t once comm_init has run, else NULL (backend_cuda.cu) */
} tw_cuda_impl;

/* be must be a CUDA backend (be->device.kind == TW_DEVICE_CUDA). */
static inline tw_cuda_impl *tw_cuda_impl_of(tw_backend *be) { return (tw_cuda_impl *)be->impl; }
static inline cudaStream_t tw_cuda_stream(tw_backend *be) { return tw_cuda_impl_of(be)->stream; }
static inline cublasHandle_t tw_cuda_cublas(tw_backend *be) { return tw_cuda_impl_of(be)->cublas; }

/* Makes be's device the calling thread's current device. Every entry of the
** backend calls it first, so several backends on different devices can share a
** thread; kernel families call it before launching. */
TW_EXTERN_C_BEGIN
tw_status tw_cuda_activate(tw_backend *be);

/* The module's entries (cuda/module_cuda.cu puts them in its table):
**   tw_backend_cuda_create  the backend on one device, family slots still empty;
**   tw_cuda_device_count    TW_OK with the count (0 for cudaErrorNoDevice), any
**                           other CUDA error as TW_ERR_LIBRARY with its name and text;
**   tw_cuda_describe        one line per device ("0: NVIDIA H100 ..., sm_90"). */
tw_status tw_backend_cuda_create(int device_index, tw_backend **out);
tw_status tw_cuda_device_count(int *n);
void tw_cuda_describe(char *buf, size_t cap);
TW_EXTERN_C_END

#endif
