/*
** tw_cublas_emu.cc: CPU stand-ins for the cuBLAS calls twinscale makes, for the
** CUDA emulator (contract in include/cublas_v2.h).
**
** cuBLAS is column-major. A column-major (r,c) matrix with leading dimension ld
** is, read row-major, its (c,r) transpose with the same ld, so the column-major
** product C = op(A) op(B) is the row-major C^T = op(B)^T op(A)^T: the row-major
** reference GEMM (src/backend/gemm_ref.c) is called with the operands swapped,
** m and n swapped, and each transpose flag kept with its own operand. This is
** the inverse of what cuda/backend_cuda.cu does to reach cuBLAS, written down
** independently, so a mistake there shows as a wrong product here.
*/
#include "include/cublas_v2.h" /* the contract implemented here */

#include <cstdarg> /* va_list for the messages */
#include <cstdio>  /* fprintf */
#include <mutex>   /* the handle registry */
#include <set>     /* live handles */
#include <vector>  /* rounded operand copies */

#include "backend/gemm_ref.h" /* tw_gemm_ref_f32, tw_gemm_ref_f64: row-major reference products */

struct tw_emu_cublas {
  int device;
  cudaStream_t stream;
  cublasMath_t math;
};

namespace {

std::mutex handle_lock;
std::set<tw_emu_cublas *> handles;

__attribute__((format(printf, 3, 4))) cublasStatus_t refuse(cublasStatus_t st, const char *call, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "cuda-emu: %s: ", call);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (%s)\n", cublasGetStatusName(st));
  va_end(ap);
  return st;
}

/* One strided-batched product, in cuBLAS's terms; elem is the element size. */
struct gemm {
  const char *call;
  cublasOperation_t ta, tb;
  int m, n, k;
  const void *A;
  int lda;
  long long sA;
  const void *B;
  int ldb;
  long long sB;
  void *C;
  int ldc;
  long long sC;
  int batch;
  size_t elem;
};

/* Elements a strided batch of column-major (rows, cols) matrices spans. */
size_t extent(int rows, int cols, int ld, long long stride, int batch) {
  if (rows == 0 || cols == 0 || batch == 0) return 0;
  return (size_t)((long long)(batch - 1) * stride + (long long)(cols - 1) * ld + rows);
}

bool is_op(cublasOperation_t op) { return op == CUBLAS_OP_N || op == CUBLAS_OP_T || op == CUBLAS_OP_C; }
int rows_of(cublasOperation_t op, int r, int c) { return op == CUBLAS_OP_N ? r : c; }

cublasStatus_t check_handle(cublasHandle_t h, const char *call) {
  {
    std::lock_guard<std::mutex> lock(handle_lock);
    if (!h || !handles.count(h)) return refuse(CUBLAS_STATUS_NOT_INITIALIZED, call, "not a live handle");
  }
  int dev = -1;
  if (cudaGetDevice(&dev) != cudaSuccess || dev != h->device)
    return refuse(CUBLAS_STATUS_INVALID_VALUE, call, "the handle was made on device %d, device %d is current",
                  h->device, dev);
  return CUBLAS_STATUS_SUCCESS;
}

/* cuBLAS's own argument checks, then every operand's extent in device memory. */
cublasStatus_t check_gemm(cublasHandle_t h, const gemm &g, const void *alpha, const void *beta) {
  if (cublasStatus_t st = check_handle(h, g.call)) return st;
  const int a_rows = rows_of(g.ta, g.m, g.k), a_cols = rows_of(g.ta, g.k, g.m);
  const int b_rows = rows_of(g.tb, g.k, g.n), b_cols = rows_of(g.tb, g.n, g.k);
  if (!is_op(g.ta) || !is_op(g.tb) || g.m < 0 || g.n < 0 || g.k < 0 || g.batch < 0)
    return refuse(CUBLAS_STATUS_INVALID_VALUE, g.call, "op (%d,%d), m=%d n=%d k=%d batch=%d", (int)g.ta, (int)g.tb,
                  g.m, g.n, g.k, g.batch);
  if (g.lda < (a_rows > 1 ? a_rows : 1) || g.ldb < (b_rows > 1 ? b_rows : 1) || g.ldc < (g.m > 1 ? g.m : 1))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, g.call, "lda=%d ldb=%d ldc=%d too small for m=%d n=%d k=%d, ops (%d,%d)",
                  g.lda, g.ldb, g.ldc, g.m, g.n, g.k, (int)g.ta, (int)g.tb);
  if (g.sA < 0 || g.sB < 0 || g.sC < 0)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, g.call, "negative strides are not emulated");
  if (!alpha || !beta || tw_emu::is_device_pointer(alpha) || tw_emu::is_device_pointer(beta))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, g.call, "alpha and beta must be host pointers (pointer mode host)");
  if (g.m == 0 || g.n == 0 || g.batch == 0) return CUBLAS_STATUS_SUCCESS;
  char what[128];
  snprintf(what, sizeof what, "%s operand A", g.call);
  if (g.k && !tw_emu::check_device_range(g.A, extent(a_rows, a_cols, g.lda, g.sA, g.batch) * g.elem, what))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, g.call, "operand A");
  snprintf(what, sizeof what, "%s operand B", g.call);
  if (g.k && !tw_emu::check_device_range(g.B, extent(b_rows, b_cols, g.ldb, g.sB, g.batch) * g.elem, what))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, g.call, "operand B");
  snprintf(what, sizeof what, "%s operand C", g.call);
  if (!tw_emu::check_device_range(g.C, extent(g.m, g.n, g.ldc, g.sC, g.batch) * g.elem, what))
    return refuse(CUBLAS_STATUS_INVALID_VALUE, g.call, "operand C");
  return CUBLAS_STATUS_SUCCESS;
}

/* x rounded to `bits` explicit mantissa bits, to nearest even (Inf and NaN kept). */
float round_mantissa(float x, int bits) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  if ((u & 0x7f800000u) == 0x7f800000u) return x;
  const int drop = 23 - bits;
  const uint32_t lsb = (u >> drop) & 1u;
  u = (u + (1u << (drop - 1)) - 1u + lsb) & ~((1u << drop) - 1u);
  memcpy(&x, &u, sizeof x);
  return x;
}

/* One column-major operand of a batch entry, rounded to `bits` (23: as is). */
const float *rounded(const float *p, int rows, int cols, int ld, int bits, std::vector<float> &buf) {
  if (bits >= 23) return p;
  buf.assign(p, p + extent(rows, cols, ld, 0, 1));
  for (float &v : buf) v = round_mantissa(v, bits);
  return buf.data();
}

void run_f32(const gemm &g, float alpha, float beta, int bits) {
  std::vector<float> ra, rb;
  for (int i = 0; i < g.batch; ++i) {
    const float *a = rounded((const float *)g.A + i * g.sA, rows_of(g.ta, g.m, g.k), rows_of(g.ta, g.k, g.m), g.lda,
                             bits, ra);
    const float *b = rounded((const float *)g.B + i * g.sB, rows_of(g.tb, g.k, g.n), rows_of(g.tb, g.n, g.k), g.ldb,
                             bits, rb);
    /* column-major C = op(A) op(B)  <=>  row-major C^T = op(B)^T op(A)^T */
    tw_gemm_ref_f32(g.tb != CUBLAS_OP_N, g.ta != CUBLAS_OP_N, g.n, g.m, g.k, alpha, b, g.ldb, a, g.lda, beta,
                    (float *)g.C + i * g.sC, g.ldc);
  }
}

void run_f64(const gemm &g, double alpha, double beta) {
  for (int i = 0; i < g.batch; ++i)
    tw_gemm_ref_f64(g.tb != CUBLAS_OP_N, g.ta != CUBLAS_OP_N, g.n, g.m, g.k, alpha, (const double *)g.B + i * g.sB,
                    g.ldb, (const double *)g.A + i * g.sA, g.lda, beta, (double *)g.C + i * g.sC, g.ldc);
}

/* Mantissa bits a float32 product keeps under the handle's math mode. */
int handle_bits(cublasHandle_t h) { return h->math == CUBLAS_TF32_TENSOR_OP_MATH ? 10 : 23; }

cublasStatus_t sgemm(cublasHandle_t h, const gemm &g, const float *alpha, const float *beta) {
  if (cublasStatus_t st = check_gemm(h, g, alpha, beta)) return st;
  if (g.m && g.n && g.batch) run_f32(g, *alpha, *beta, handle_bits(h));
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t dgemm(cublasHandle_t h, const gemm &g, const double *alpha, const double *beta) {
  if (cublasStatus_t st = check_gemm(h, g, alpha, beta)) return st;
  if (g.m && g.n && g.batch) run_f64(g, *alpha, *beta);
  return CUBLAS_STATUS_SUCCESS;
}

} // namespace

const char *cublasGetStatusName(cublasStatus_t st) {
  switch (st) {
  case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
  case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
  case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
  case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
  case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
  case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
  case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
  case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
  case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
  }
  return "CUBLAS_STATUS_UNKNOWN";
}

const char *cublasGetStatusString(cublasStatus_t st) {
  switch (st) {
  case CUBLAS_STATUS_SUCCESS: return "success";
  case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
  case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
  case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
  case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
  default: return "an internal operation failed";
  }
}

cublasStatus_t cublasCreate(cublasHandle_t *handle) {
  int dev = 0;
  if (cudaGetDevice(&dev) != cudaSuccess) return CUBLAS_STATUS_NOT_INITIALIZED; /* no working runtime */
  std::lock_guard<std::mutex> lock(handle_lock);
  *handle = new tw_emu_cublas{dev, nullptr, CUBLAS_DEFAULT_MATH};
  handles.insert(*handle);
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle) {
  std::lock_guard<std::mutex> lock(handle_lock);
  if (!handles.erase(handle)) return refuse(CUBLAS_STATUS_NOT_INITIALIZED, "cublasDestroy", "not a live handle");
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t stream) {
  if (cublasStatus_t st = check_handle(handle, "cublasSetStream")) return st;
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetStream(cublasHandle_t handle, cudaStream_t *stream) {
  if (cublasStatus_t st = check_handle(handle, "cublasGetStream")) return st;
  *stream = handle->stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
  if (cublasStatus_t st = check_handle(handle, "cublasSetMathMode")) return st;
  if (mode != CUBLAS_DEFAULT_MATH && mode != CUBLAS_PEDANTIC_MATH && mode != CUBLAS_TF32_TENSOR_OP_MATH)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, "cublasSetMathMode", "mode %d is not emulated", (int)mode);
  handle->math = mode;
  return CUBLAS_STATUS_SUCCESS;
}

/* 0: the emulator is no release of cuBLAS (the backend then names no version). */
cublasStatus_t cublasGetVersion(cublasHandle_t handle, int *version) {
  if (cublasStatus_t st = check_handle(handle, "cublasGetVersion")) return st;
  *version = 0;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t *mode) {
  if (cublasStatus_t st = check_handle(handle, "cublasGetMathMode")) return st;
  *mode = handle->math;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const float *alpha, const float *A, int lda, const float *B, int ldb, const float *beta,
                           float *C, int ldc) {
  return sgemm(h, gemm{"cublasSgemm", ta, tb, m, n, k, A, lda, 0, B, ldb, 0, C, ldc, 0, 1, 4}, alpha, beta);
}

cublasStatus_t cublasDgemm(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                           const double *alpha, const double *A, int lda, const double *B, int ldb,
                           const double *beta, double *C, int ldc) {
  return dgemm(h, gemm{"cublasDgemm", ta, tb, m, n, k, A, lda, 0, B, ldb, 0, C, ldc, 0, 1, 8}, alpha, beta);
}

cublasStatus_t cublasSgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const float *alpha, const float *A, int lda, long long sA,
                                         const float *B, int ldb, long long sB, const float *beta, float *C, int ldc,
                                         long long sC, int batch) {
  return sgemm(h, gemm{"cublasSgemmStridedBatched", ta, tb, m, n, k, A, lda, sA, B, ldb, sB, C, ldc, sC, batch, 4},
               alpha, beta);
}

cublasStatus_t cublasDgemmStridedBatched(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                         int k, const double *alpha, const double *A, int lda, long long sA,
                                         const double *B, int ldb, long long sB, const double *beta, double *C,
                                         int ldc, long long sC, int batch) {
  return dgemm(h, gemm{"cublasDgemmStridedBatched", ta, tb, m, n, k, A, lda, sA, B, ldb, sB, C, ldc, sC, batch, 8},
               alpha, beta);
}

/* Float32 data with a float32 compute type (full, TF32 or BF16 operands), or
** float64 throughout; other combinations are not emulated. */
cublasStatus_t cublasGemmStridedBatchedEx(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n,
                                          int k, const void *alpha, const void *A, cudaDataType at, int lda,
                                          long long sA, const void *B, cudaDataType bt, int ldb, long long sB,
                                          const void *beta, void *C, cudaDataType ct, int ldc, long long sC,
                                          int batch, cublasComputeType_t compute, cublasGemmAlgo_t algo) {
  const char *call = "cublasGemmStridedBatchedEx";
  const bool f64 = at == CUDA_R_64F && bt == CUDA_R_64F && ct == CUDA_R_64F && compute == CUBLAS_COMPUTE_64F;
  const bool f32 = at == CUDA_R_32F && bt == CUDA_R_32F && ct == CUDA_R_32F;
  if (!f32 && !f64)
    return refuse(CUBLAS_STATUS_NOT_SUPPORTED, call, "types A %d, B %d, C %d, compute %d", (int)at, (int)bt, (int)ct,
                  (int)compute);
  const gemm g{call, ta, tb, m, n, k, A, lda, sA, B, ldb, sB, C, ldc, sC, batch, f64 ? 8u : 4u};
  if (cublasStatus_t st = check_gemm(h, g, alpha, beta)) return st;
  if (!m || !n || !batch) return CUBLAS_STATUS_SUCCESS;
  if (f64) {
    run_f64(g, *(const double *)alpha, *(const double *)beta);
    return CUBLAS_STATUS_SUCCESS;
  }
  int bits;
  switch (compute) {
  case CUBLAS_COMPUTE_32F: bits = handle_bits(h); break;
  case CUBLAS_COMPUTE_32F_PEDANTIC: bits = 23; break;
  case CUBLAS_COMPUTE_32F_FAST_TF32: bits = 10; break;
  case CUBLAS_COMPUTE_32F_FAST_16BF: bits = 7; break;
  default: return refuse(CUBLAS_STATUS_NOT_SUPPORTED, call, "compute type %d on float32 data", (int)compute);
  }
  run_f32(g, *(const float *)alpha, *(const float *)beta, bits);
  return CUBLAS_STATUS_SUCCESS;
}
