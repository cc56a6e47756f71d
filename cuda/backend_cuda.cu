/*
** backend_cuda.cu: the CUDA backend, entry for entry the counterpart of
** src/backend/backend_cpu.c.
**
** One backend is one device, one stream and one cuBLAS handle bound to that
** stream. Every entry first makes the backend's device current, then queues its
** work on the stream, so the work of one backend runs in the order it was asked
** for. What the host may assume when an entry returns:
**   alloc, free        synchronous (free first waits for the stream, so queued
**                      work that still reads the memory finishes before it goes);
**   copy               host<->device copies return when the host buffer may be
**                      reused and, for device-to-host, when the data has arrived;
**                      device-to-device copies are queued like kernels;
**   fill_bytes, gemm   queued; visible after a copy to the host or synchronize().
**
** GEMM goes to cuBLAS. cuBLAS is column-major and twinscale row-major; a row-major
** (r,c) matrix with leading dimension ld is, to cuBLAS, the column-major (c,r)
** matrix with the same ld, its transpose. So row-major C = op(A) op(B) is issued
** as column-major C^T = op(B)^T op(A)^T: the operands swap places, m swaps with
** n, and each transpose flag stays with its own operand.
**
** Math modes (be->math_mode) apply to float32 only; float64 is always exact IEEE:
**   TW_MATH_FP32  cublasSgemmStridedBatched, handle in CUBLAS_DEFAULT_MATH (no
**                 tensor-core down-conversion: full float32 products)
**   TW_MATH_TF32  cublasGemmStridedBatchedEx, CUBLAS_COMPUTE_32F_FAST_TF32
**   TW_MATH_BF16  cublasGemmStridedBatchedEx, CUBLAS_COMPUTE_32F_FAST_16BF
** The two fast modes keep float32 storage and accumulation and round the
** operands to 10 (TF32) or 7 (BF16) mantissa bits inside the tensor cores.
**
** Device collectives (comm_id, comm_init, allgather; backend.h) go to NCCL where
** the build found it (TW_HAVE_NCCL), else stay NULL. The communicator belongs to
** the backend: it runs on the backend's stream, so a gather is ordered after the
** kernels that filled its rows and before those that read them, and destroy
** leaves it before the stream goes.
**
** This file knows no kernel family: the module's table (cuda/module_cuda.cu)
** fills the backend's family slots after tw_backend_cuda_create.
*/
#include <cublas_v2.h>    /* cuBLAS: handles, strided-batched GEMM */
#include <cuda_runtime.h> /* runtime: devices, streams, memory */
#include <limits.h>       /* INT_MAX: cuBLAS takes int sizes */
#include <stdio.h>        /* snprintf for the device list */
#include <stdlib.h>       /* calloc, free */
#include <string.h>       /* memcpy: the communicator's id */

#include "build_info.h" /* TW_HAVE_NCCL */
#if TW_HAVE_NCCL
#include <nccl.h> /* communicators, all-gather */
#endif

#include "backend/backend.h" /* the table this file fills */
#include "backend_cuda.h"    /* tw_cuda_impl, tw_cuda_activate */
#include "core/check.h"      /* TW_CUDA_CHECK, TW_CUBLAS_CHECK, TW_NCCL_CHECK (after the library headers) */
#include "core/log.h"        /* warnings from destroy, which cannot return them */

tw_status tw_cuda_activate(tw_backend *be) {
  TW_CUDA_CHECK(cudaSetDevice(tw_cuda_impl_of(be)->device));
  return TW_OK;
}

static tw_status cuda_alloc(tw_backend *be, size_t bytes, void **ptr) {
  *ptr = NULL;
  TW_TRY(tw_cuda_activate(be));
  /* An out-of-memory failure is the caller's to handle (a smaller batch), so it
  ** gets its own code; any other failure is a library error. */
  cudaError_t rc = cudaMalloc(ptr, bytes ? bytes : 1);
  if (rc == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError(); /* reset the thread's last error, recorded here instead */
    return TW_FAIL(TW_ERR_NOMEM, "cuda backend: cannot allocate %zu bytes on device %d", bytes,
                   be->device.index);
  }
  TW_CUDA_CHECK(rc);
  return TW_OK;
}

static tw_status cuda_free(tw_backend *be, void *ptr) {
  if (!ptr) return TW_OK;
  TW_TRY(tw_cuda_activate(be));
  TW_CUDA_CHECK(cudaStreamSynchronize(tw_cuda_stream(be)));
  TW_CUDA_CHECK(cudaFree(ptr));
  return TW_OK;
}

static tw_status cuda_copy(tw_backend *be, void *dst, const void *src, size_t bytes, tw_copy_kind kind) {
  if (!bytes) return TW_OK;
  TW_TRY(tw_cuda_activate(be));
  cudaStream_t stream = tw_cuda_stream(be);
  switch (kind) {
  case TW_COPY_HOST_TO_DEVICE:
    /* Waiting makes the host buffer reusable on return even when it is pinned. */
    TW_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream));
    TW_CUDA_CHECK(cudaStreamSynchronize(stream));
    return TW_OK;
  case TW_COPY_DEVICE_TO_HOST:
    TW_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream));
    TW_CUDA_CHECK(cudaStreamSynchronize(stream));
    return TW_OK;
  case TW_COPY_DEVICE_TO_DEVICE:
    TW_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream));
    return TW_OK;
  }
  return TW_FAIL(TW_ERR_INTERNAL, "cuda backend: unknown copy kind %d", (int)kind);
}

static tw_status cuda_fill_bytes(tw_backend *be, void *dst, int byte, size_t bytes) {
  if (!bytes) return TW_OK;
  TW_TRY(tw_cuda_activate(be));
  TW_CUDA_CHECK(cudaMemsetAsync(dst, byte, bytes, tw_cuda_stream(be)));
  return TW_OK;
}

static tw_status cuda_synchronize(tw_backend *be) {
  TW_TRY(tw_cuda_activate(be));
  TW_CUDA_CHECK(cudaStreamSynchronize(tw_cuda_stream(be)));
  return TW_OK;
}

/* cuBLAS's strided-batched entries take int sizes and leading dimensions. */
static tw_status check_int_sizes(const tw_gemm_batch *g) {
  if (g->lda > INT_MAX || g->ldb > INT_MAX || g->ldc > INT_MAX)
    return TW_FAIL(TW_ERR_UNSUPPORTED, "cuda gemm: leading dimension above %d (lda=%lld ldb=%lld ldc=%lld)",
                   INT_MAX, (long long)g->lda, (long long)g->ldb, (long long)g->ldc);
  return TW_OK;
}

static tw_status gemm_f64(cublasHandle_t h, const tw_gemm_batch *g) {
  const double alpha = g->alpha, beta = g->beta;
  TW_CUBLAS_CHECK(cublasDgemmStridedBatched(
      h, g->trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, g->trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, g->n, g->m, g->k,
      &alpha, (const double *)g->b, (int)g->ldb, g->stride_b, (const double *)g->a, (int)g->lda, g->stride_a,
      &beta, (double *)g->c, (int)g->ldc, g->stride_c, g->batch));
  return TW_OK;
}

static tw_status gemm_f32(cublasHandle_t h, tw_math_mode mode, const tw_gemm_batch *g) {
  const float alpha = (float)g->alpha, beta = (float)g->beta;
  const cublasOperation_t op_b = g->trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = g->trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  if (mode == TW_MATH_FP32) {
    TW_CUBLAS_CHECK(cublasSgemmStridedBatched(h, op_b, op_a, g->n, g->m, g->k, &alpha, (const float *)g->b,
                                              (int)g->ldb, g->stride_b, (const float *)g->a, (int)g->lda,
                                              g->stride_a, &beta, (float *)g->c, (int)g->ldc, g->stride_c,
                                              g->batch));
    return TW_OK;
  }
  cublasComputeType_t compute;
  switch (mode) {
  case TW_MATH_TF32: compute = CUBLAS_COMPUTE_32F_FAST_TF32; break;
  case TW_MATH_BF16: compute = CUBLAS_COMPUTE_32F_FAST_16BF; break;
  default: return TW_FAIL(TW_ERR_INTERNAL, "cuda gemm: unknown math mode %d", (int)mode);
  }
  TW_CUBLAS_CHECK(cublasGemmStridedBatchedEx(h, op_b, op_a, g->n, g->m, g->k, &alpha, g->b, CUDA_R_32F,
                                             (int)g->ldb, g->stride_b, g->a, CUDA_R_32F, (int)g->lda,
                                             g->stride_a, &beta, g->c, CUDA_R_32F, (int)g->ldc, g->stride_c,
                                             g->batch, compute, CUBLAS_GEMM_DEFAULT));
  return TW_OK;
}

static tw_status cuda_gemm(tw_backend *be, const tw_gemm_batch *g) {
  TW_TRY(tw_gemm_validate(g));
  if (g->batch == 0 || g->m == 0 || g->n == 0) return TW_OK;
  TW_TRY(check_int_sizes(g));
  TW_TRY(tw_cuda_activate(be));
  cublasHandle_t h = tw_cuda_cublas(be);
  if (g->dtype == TW_F64) TW_TRY(gemm_f64(h, g));
  else TW_TRY(gemm_f32(h, be->math_mode, g));
  return TW_OK;
}

/* ---- device collectives (NCCL) ---------------------------------------------- */

#if TW_HAVE_NCCL
static_assert(sizeof(ncclUniqueId) <= TW_COMM_ID_BYTES, "TW_COMM_ID_BYTES must hold an ncclUniqueId");

static tw_status cuda_comm_id(tw_backend *be, void *id) {
  ncclUniqueId uid;
  TW_NCCL_CHECK(ncclGetUniqueId(&uid));
  memset(id, 0, TW_COMM_ID_BYTES);
  memcpy(id, &uid, sizeof uid);
  return TW_OK;
}

static tw_status cuda_comm_init(tw_backend *be, const void *id, int rank, int size) {
  tw_cuda_impl *impl = tw_cuda_impl_of(be);
  if (impl->nccl)
    return TW_FAIL(TW_ERR_INTERNAL, "cuda backend: device %d has joined a communicator already", impl->device);
  ncclUniqueId uid;
  memcpy(&uid, id, sizeof uid);
  ncclComm_t comm = NULL;
  TW_TRY(tw_cuda_activate(be));
  TW_NCCL_CHECK(ncclCommInitRank(&comm, size, uid, rank));
  impl->nccl = comm;
  return TW_OK;
}

static tw_status cuda_allgather(tw_backend *be, const void *send, void *recv, size_t bytes) {
  tw_cuda_impl *impl = tw_cuda_impl_of(be);
  if (!impl->nccl) return TW_FAIL(TW_ERR_INTERNAL, "cuda backend: allgather before comm_init");
  if (!bytes) return TW_OK;
  TW_TRY(tw_cuda_activate(be));
  TW_NCCL_CHECK(ncclAllGather(send, recv, bytes, ncclChar, (ncclComm_t)impl->nccl, impl->stream));
  return TW_OK;
}

/* Leaves the communicator (after the stream's queued work, gathers included). */
static tw_status comm_release(tw_cuda_impl *impl) {
  if (!impl->nccl) return TW_OK;
  ncclComm_t comm = (ncclComm_t)impl->nccl;
  impl->nccl = NULL;
  TW_NCCL_CHECK(ncclCommDestroy(comm));
  return TW_OK;
}
#else
static tw_status comm_release(tw_cuda_impl *impl) { return TW_OK; }
#endif

/* ---- create and destroy ------------------------------------------------------ */

/* Releases what create and comm_init made, in reverse; members still NULL were
** never made. A communicator that fails to go does not keep the rest: its error
** is returned after them. */
static tw_status cuda_release(tw_cuda_impl *impl) {
  TW_CUDA_CHECK(cudaSetDevice(impl->device));
  if (impl->stream) TW_CUDA_CHECK(cudaStreamSynchronize(impl->stream));
  const tw_status comm = comm_release(impl);
  if (impl->cublas) TW_CUBLAS_CHECK(cublasDestroy(impl->cublas));
  impl->cublas = NULL;
  if (impl->stream) TW_CUDA_CHECK(cudaStreamDestroy(impl->stream));
  impl->stream = NULL;
  return comm;
}

/* cuBLAS's version (major * 10000 + minor * 100 + patch; 0: unknown) and the device. */
static void cuda_gemm_kernel(tw_backend *be, char *buf, size_t cap) {
  int version = 0;
  if (cublasGetVersion(tw_cuda_impl_of(be)->cublas, &version) != CUBLAS_STATUS_SUCCESS) version = 0;
  if (version > 0) snprintf(buf, cap, "cuBLAS %d on %s", version, be->why);
  else snprintf(buf, cap, "cuBLAS on %s", be->why);
}

static void cuda_destroy(tw_backend *be) {
  tw_cuda_impl *impl = tw_cuda_impl_of(be);
  if (impl && cuda_release(impl) != TW_OK) {
    /* destroy has no status to return: say what leaked and move on. */
    TW_WARN("cuda backend: releasing device %d: %s", impl->device, tw_error_message());
    tw_error_clear();
  }
  free(impl);
  free(be);
}

/* A stream that does not synchronise with the legacy default stream, and a
** cuBLAS handle that queues on it in full float32 unless a GEMM asks otherwise. */
static tw_status cuda_init(tw_cuda_impl *impl) {
  TW_CUDA_CHECK(cudaSetDevice(impl->device));
  TW_CUDA_CHECK(cudaStreamCreateWithFlags(&impl->stream, cudaStreamNonBlocking));
  TW_CUBLAS_CHECK(cublasCreate(&impl->cublas));
  TW_CUBLAS_CHECK(cublasSetStream(impl->cublas, impl->stream));
  TW_CUBLAS_CHECK(cublasSetMathMode(impl->cublas, CUBLAS_DEFAULT_MATH));
  return TW_OK;
}

tw_status tw_backend_cuda_create(int device_index, tw_backend **out) {
  *out = NULL;
  int count = 0;
  TW_TRY(tw_cuda_device_count(&count));
  if (count == 0)
    return TW_FAIL(TW_ERR_UNSUPPORTED, "backend 'cuda' requested but no CUDA device is visible");
  if (device_index < 0 || device_index >= count)
    return TW_FAIL(TW_ERR_INPUT, "CUDA device %d requested but %d device%s visible (0..%d)", device_index,
                   count, count == 1 ? " is" : "s are", count - 1);
  tw_backend *be = (tw_backend *)calloc(1, sizeof *be);
  tw_cuda_impl *impl = (tw_cuda_impl *)calloc(1, sizeof *impl);
  if (!be || !impl) {
    free(be);
    free(impl);
    return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the cuda backend");
  }
  impl->device = device_index;
  be->name = "cuda";
  be->device.kind = TW_DEVICE_CUDA;
  be->device.index = device_index;
  be->math_mode = TW_MATH_FP32;
  be->impl = impl;
  be->alloc = cuda_alloc;
  be->free = cuda_free;
  be->copy = cuda_copy;
  be->fill_bytes = cuda_fill_bytes;
  be->synchronize = cuda_synchronize;
  be->gemm = cuda_gemm;
  be->gemm_kernel = cuda_gemm_kernel;
  be->destroy = cuda_destroy;
#if TW_HAVE_NCCL
  be->comm_id = cuda_comm_id;
  be->comm_init = cuda_comm_init;
  be->allgather = cuda_allgather;
#endif
  tw_status st = cuda_init(impl);
  if (st != TW_OK) {
    /* Release what was made; should that fail too, the first error is the one to report. */
    char first[1024];
    snprintf(first, sizeof first, "%s", tw_error_message());
    cuda_destroy(be);
    return TW_FAIL(st, "%s", first);
  }
  *out = be;
  return TW_OK;
}

tw_status tw_cuda_device_count(int *n) {
  *n = 0;
  cudaError_t rc = cudaGetDeviceCount(n);
  if (rc == cudaSuccess) return TW_OK;
  (void)cudaGetLastError(); /* reset the thread's last error so later launch checks don't see it */
  *n = 0;
  if (rc == cudaErrorNoDevice) return TW_OK; /* a machine without a GPU: no error */
  return TW_FAIL(TW_ERR_LIBRARY, "CUDA: cudaGetDeviceCount failed: %s (%s)", cudaGetErrorName(rc),
                 cudaGetErrorString(rc));
}

static tw_status describe_device(int i, char *line, size_t cap) {
  cudaDeviceProp prop;
  TW_CUDA_CHECK(cudaGetDeviceProperties(&prop, i));
  snprintf(line, cap, "%d: %s, %.1f GiB, sm_%d%d\n", i, prop.name,
           (double)prop.totalGlobalMem / (1024.0 * 1024.0 * 1024.0), prop.major, prop.minor);
  return TW_OK;
}

void tw_cuda_describe(char *buf, size_t cap) {
  if (!cap) return;
  buf[0] = '\0';
  size_t used = 0;
  int n = 0;
  if (tw_cuda_device_count(&n) != TW_OK) {
    snprintf(buf, cap, "%s\n", tw_error_message());
    tw_error_clear();
    return;
  }
  for (int i = 0; i < n && used + 1 < cap; ++i) {
    char line[512];
    if (describe_device(i, line, sizeof line) != TW_OK) {
      snprintf(line, sizeof line, "%d: properties unavailable (%s)\n", i, tw_error_message());
      tw_error_clear();
      (void)cudaGetLastError();
    }
    int w = snprintf(buf + used, cap - used, "%s", line);
    if (w < 0) break;
    used += (size_t)w;
  }
}
