/*
** test_cuda_emu.cu: the CUDA emulator's own checks (label emu), written as CUDA
** and compiled the way the .cu files of cuda/ are for the emulated tests (rewrite_cu.pl, then
** g++ with tw_cuda_emu.h forced in).
**
** Each check is something the CUDA-vs-CPU tests rely on the emulator to do as a
** GPU does, or to refuse as a GPU would: barriers and shared memory within a
** block, every thread index covered, launch limits, pointers that are not device
** memory, copies in the wrong direction, uninitialised memory reading as NaN,
** the cuBLAS stand-ins' column-major products and their TF32/BF16 rounding.
** A barrier only some threads reach must stop the program (checked in a child).
**
**   cuda_emu_self                   all of the above
**   cuda_emu_self --order           run under TW_CUDA_EMU_REVERSE=0 and =1: a kernel
**                                   that lacks a barrier reads NaN in one order only
**   cuda_emu_self --expect ERROR    every call fails with ERROR (for the ctests that
**                                   set TW_CUDA_EMU_INIT_ERROR or TW_CUDA_EMU_DEVICES=0)
*/
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures = 0;
#define EXPECT(cond, ...)                                   \
  do {                                                      \
    if (!(cond)) {                                          \
      fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                         \
      fprintf(stderr, "\n");                                \
      ++failures;                                           \
    }                                                       \
  } while (0)

static float *device_floats(size_t n) {
  float *p = NULL;
  if (cudaMalloc(&p, n * sizeof(float)) != cudaSuccess) {
    fprintf(stderr, "cudaMalloc failed\n");
    exit(1);
  }
  return p;
}

/* ---- kernels ---------------------------------------------------------------- */

// out[block] = sum of in[] over the block's 2D threads, through a shared tree.
__global__ void block_sum_kernel(const float *in, float *out) {
  __shared__ float buf[256];
  const int t = threadIdx.y * blockDim.x + threadIdx.x, n = blockDim.x * blockDim.y;
  buf[t] = in[blockIdx.x * n + t];
  __syncthreads();
  for (int s = n / 2; s > 0; s /= 2) {
    if (t < s) buf[t] += buf[t + s];
    __syncthreads();
  }
  if (t == 0) out[blockIdx.x] = buf[0];
}

// Every thread of a 3D grid of 3D blocks writes its linear index once.
__global__ void coverage_kernel(int *out) {
  const int b = (blockIdx.z * gridDim.y + blockIdx.y) * gridDim.x + blockIdx.x;
  const int t = (threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x;
  const int i = b * blockDim.x * blockDim.y * blockDim.z + t;
  out[i] += i + 1; // the buffer starts at 0: a second visit shows
}

// Block 0 writes its dynamic shared memory, every block reads it back.
__global__ void dynamic_shared_kernel(float *out) {
  extern __shared__ float dyn[];
  if (blockIdx.x == 0) dyn[threadIdx.x] = 1.0f;
  __syncthreads();
  out[blockIdx.x * blockDim.x + threadIdx.x] = dyn[threadIdx.x];
}

__global__ void count_kernel(int *out) {
  const int c = __syncthreads_count(threadIdx.x % 3 == 0);
  const int all = __syncthreads_and(threadIdx.x < 1000), any = __syncthreads_or(threadIdx.x == 5);
  if (threadIdx.x == 0) out[0] = c, out[1] = all, out[2] = any;
}

// Thread t reads its neighbour's value with no barrier between: a bug.
__global__ void missing_barrier_kernel(float *out) {
  __shared__ float s[64];
  s[threadIdx.x] = (float)threadIdx.x;
  out[threadIdx.x] = s[(threadIdx.x + 1) % 64];
}

// Thread 0 returns before the barrier the others wait at: undefined in CUDA.
__global__ void divergent_barrier_kernel(float *out) {
  if (threadIdx.x == 3) return;
  __syncthreads();
  out[threadIdx.x] = 1.0f;
}

__global__ void write_kernel(float *out, int n) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) out[i] = 2.0f;
}

/* ---- checks ----------------------------------------------------------------- */

static void check_barriers_and_shared() {
  const int blocks = 5, n = 256;
  float host[blocks * n], sums[blocks];
  for (int i = 0; i < blocks * n; ++i) host[i] = (float)(i % 17) - 3.0f;
  float *in = device_floats(blocks * n), *out = device_floats(blocks);
  cudaMemcpy(in, host, sizeof host, cudaMemcpyHostToDevice);
  block_sum_kernel<<<blocks, dim3(32, 8)>>>(in, out);
  EXPECT(cudaGetLastError() == cudaSuccess, "launch");
  cudaMemcpy(sums, out, sizeof sums, cudaMemcpyDeviceToHost);
  for (int b = 0; b < blocks; ++b) {
    float want = 0.0f;
    for (int t = 0; t < n; ++t) want += host[b * n + t];
    EXPECT(fabsf(sums[b] - want) <= 1e-3f, "block %d: %g vs %g", b, sums[b], want);
  }
  cudaFree(in), cudaFree(out);
}

static void check_coverage() {
  const dim3 grid(3, 2, 2), block(4, 3, 2);
  const int n = 3 * 2 * 2 * 4 * 3 * 2;
  int *d = NULL, host[n];
  cudaMalloc(&d, sizeof host);
  cudaMemset(d, 0, sizeof host);
  coverage_kernel<<<grid, block>>>(d);
  cudaMemcpy(host, d, sizeof host, cudaMemcpyDeviceToHost);
  int bad = 0;
  for (int i = 0; i < n; ++i) bad += host[i] != i + 1;
  EXPECT(bad == 0, "%d of %d threads did not run exactly once", bad, n);
  cudaFree(d);
}

static void check_dynamic_shared() {
  const int n = 64;
  float host[2 * n];
  float *out = device_floats(2 * n);
  dynamic_shared_kernel<<<2, n, n * sizeof(float)>>>(out);
  EXPECT(cudaGetLastError() == cudaSuccess, "launch");
  cudaMemcpy(host, out, sizeof host, cudaMemcpyDeviceToHost);
  EXPECT(host[0] == 1.0f && host[n - 1] == 1.0f, "block 0 reads what it wrote: %g", host[0]);
  EXPECT(isnan(host[n]) && isnan(host[2 * n - 1]), "block 1 reads NaN (shared memory is per block): %g", host[n]);
  cudaFree(out);
}

static void check_barrier_reductions() {
  int *d = NULL, host[3];
  cudaMalloc(&d, sizeof host);
  count_kernel<<<1, 100>>>(d);
  cudaMemcpy(host, d, sizeof host, cudaMemcpyDeviceToHost);
  EXPECT(host[0] == 34 && host[1] == 1 && host[2] == 1, "count %d and %d or %d", host[0], host[1], host[2]);
  cudaFree(d);
}

static void check_launch_limits() {
  float *out = device_floats(2048);
  write_kernel<<<1, 1025>>>(out, 2048);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration, "1025 threads in a block");
  write_kernel<<<0, 32>>>(out, 2048);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration, "an empty grid");
  write_kernel<<<dim3(1, 70000), 32>>>(out, 2048);
  EXPECT(cudaGetLastError() == cudaErrorInvalidConfiguration, "grid.y above 65535");
  dynamic_shared_kernel<<<1, 32, 64 * 1024>>>(out);
  EXPECT(cudaGetLastError() == cudaErrorInvalidValue, "64 KiB of dynamic shared memory without the attribute");
  EXPECT(cudaFuncSetAttribute(dynamic_shared_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, 64 * 1024) ==
             cudaSuccess, "raising the limit");
  dynamic_shared_kernel<<<1, 32, 64 * 1024>>>(out);
  EXPECT(cudaGetLastError() == cudaSuccess, "64 KiB after raising the limit");
  EXPECT(cudaFuncSetAttribute(dynamic_shared_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, 300 * 1024) ==
             cudaErrorInvalidValue, "300 KiB is above the device");
  (void)cudaGetLastError();
  int per_sm = -1;
  EXPECT(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, write_kernel, 256, 0) == cudaSuccess && per_sm == 8,
         "256-thread blocks per SM: %d", per_sm);
  cudaFree(out);
}

static void check_pointers_and_copies() {
  float host[64], back[64];
  for (int i = 0; i < 64; ++i) host[i] = (float)i;
  write_kernel<<<1, 64>>>(host, 64);
  EXPECT(cudaGetLastError() == cudaErrorIllegalAddress, "a host pointer passed to a kernel");
  EXPECT(host[5] == 5.0f, "the refused kernel did not run");
  float *d = device_floats(64);
  cudaMemcpy(back, d, sizeof back, cudaMemcpyDeviceToHost);
  unsigned int bits;
  memcpy(&bits, &back[7], sizeof bits);
  EXPECT(bits == 0xFFFFFFFFu, "fresh device memory reads as 0xFF bytes: %08x", bits);
  EXPECT(cudaMemcpy(host, d, sizeof host, cudaMemcpyHostToDevice) == cudaErrorInvalidValue, "H2D into host memory");
  EXPECT(cudaMemcpy(back, d, 65 * sizeof(float), cudaMemcpyDeviceToHost) == cudaErrorInvalidValue, "a copy past the end");
  EXPECT(cudaMemcpy(d, d + 8, 16 * sizeof(float), cudaMemcpyDeviceToDevice) == cudaErrorInvalidValue, "overlap");
  EXPECT(cudaFree(d + 1) == cudaErrorInvalidValue, "freeing an interior pointer");
  EXPECT(cudaFree(d) == cudaSuccess, "freeing");
  write_kernel<<<1, 64>>>(d, 64);
  EXPECT(cudaGetLastError() == cudaErrorIllegalAddress, "a freed pointer passed to a kernel");
  void *huge = NULL;
  EXPECT(cudaMalloc(&huge, (size_t)1 << 60) == cudaErrorMemoryAllocation && huge == NULL, "2^60 bytes");
  EXPECT(cudaGetLastError() == cudaErrorMemoryAllocation, "the failed allocation is the last error");
  EXPECT(cudaGetLastError() == cudaSuccess, "and is cleared by reading it");
  EXPECT(cudaSetDevice(1) == cudaErrorInvalidDevice, "device 1 of 1");
  (void)cudaGetLastError();
}

/* Column-major C (m,n) = op(A) op(B), the plain loop. */
static float naive(const float *A, int lda, int ta, const float *B, int ldb, int tb, int i, int j, int k) {
  float s = 0.0f;
  for (int p = 0; p < k; ++p) s += (ta ? A[i * lda + p] : A[p * lda + i]) * (tb ? B[p * ldb + j] : B[j * ldb + p]);
  return s;
}

static void check_cublas() {
  cublasHandle_t h;
  EXPECT(cublasCreate(&h) == CUBLAS_STATUS_SUCCESS, "create");
  const int m = 5, n = 4, k = 3, ld = 7;
  float A[ld * ld], B[ld * ld], C[ld * ld];
  for (int i = 0; i < ld * ld; ++i) A[i] = (float)((i * 7) % 11) - 5.0f, B[i] = (float)((i * 5) % 13) - 6.0f;
  float *dA = device_floats(ld * ld), *dB = device_floats(ld * ld), *dC = device_floats(ld * ld);
  cudaMemcpy(dA, A, sizeof A, cudaMemcpyHostToDevice);
  cudaMemcpy(dB, B, sizeof B, cudaMemcpyHostToDevice);
  const float one = 1.0f, zero = 0.0f;
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      cudaMemset(dC, 0xFF, sizeof C); // NaN: beta = 0 must not read C
      cublasStatus_t st = cublasSgemmStridedBatched(h, ta ? CUBLAS_OP_T : CUBLAS_OP_N, tb ? CUBLAS_OP_T : CUBLAS_OP_N,
                                                    m, n, k, &one, dA, ld, 0, dB, ld, 0, &zero, dC, ld, 0, 1);
      EXPECT(st == CUBLAS_STATUS_SUCCESS, "sgemm %d%d", ta, tb);
      cudaMemcpy(C, dC, sizeof C, cudaMemcpyDeviceToHost);
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < m; ++i) {
          const float want = naive(A, ld, ta, B, ld, tb, i, j, k);
          EXPECT(C[j * ld + i] == want, "op(%d,%d) C(%d,%d) = %g, want %g", ta, tb, i, j, C[j * ld + i], want);
        }
    }
  EXPECT(cublasSgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, dA, 2, 0, dB, ld, 0, &zero, dC, ld, 0,
                                   1) == CUBLAS_STATUS_INVALID_VALUE, "lda below m");
  EXPECT(cublasSgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, A, ld, 0, dB, ld, 0, &zero, dC, ld, 0,
                                   1) == CUBLAS_STATUS_INVALID_VALUE, "a host operand");
  EXPECT(cublasSgemmStridedBatched(h, CUBLAS_OP_N, CUBLAS_OP_N, m, n, k, &one, dA, ld, 40, dB, ld, 0, &zero, dC, ld, 0,
                                   2) == CUBLAS_STATUS_INVALID_VALUE, "a batch past the end of A");
  // 1 + 2^-12 keeps its last bit in float32, loses it in TF32 (10 bits) and BF16 (7);
  // 1 + 2^-8 survives TF32 only
  const float a[2] = {1.0f + 1.0f / 4096.0f, 1.0f + 1.0f / 256.0f}, b[2] = {1.0f, 1.0f};
  float *da = device_floats(2), *db = device_floats(2), *dc = device_floats(2), c[2];
  cudaMemcpy(da, a, sizeof a, cudaMemcpyHostToDevice);
  cudaMemcpy(db, b, sizeof b, cudaMemcpyHostToDevice);
  const cublasComputeType_t types[3] = {CUBLAS_COMPUTE_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUBLAS_COMPUTE_32F_FAST_16BF};
  const float want[3][2] = {{a[0], a[1]}, {1.0f, a[1]}, {1.0f, 1.0f}};
  for (int t = 0; t < 3; ++t) {
    EXPECT(cublasGemmStridedBatchedEx(h, CUBLAS_OP_N, CUBLAS_OP_N, 2, 1, 1, &one, da, CUDA_R_32F, 2, 0, db, CUDA_R_32F,
                                      1, 0, &zero, dc, CUDA_R_32F, 2, 0, 1, types[t], CUBLAS_GEMM_DEFAULT) ==
               CUBLAS_STATUS_SUCCESS, "gemmEx %d", t);
    cudaMemcpy(c, dc, sizeof c, cudaMemcpyDeviceToHost);
    EXPECT(c[0] == want[t][0] && c[1] == want[t][1], "compute type %d: %.9g %.9g", t, c[0], c[1]);
  }
  cublasDestroy(h);
  EXPECT(cublasSetStream(h, 0) == CUBLAS_STATUS_NOT_INITIALIZED, "a destroyed handle");
  cudaFree(dA), cudaFree(dB), cudaFree(dC), cudaFree(da), cudaFree(db), cudaFree(dc);
}

/* In a child: a barrier thread 3 skips must abort the program. */
static void check_divergent_barrier_aborts() {
  fflush(stderr);
  pid_t pid = fork();
  if (pid == 0) {
    float *out = device_floats(32);
    divergent_barrier_kernel<<<1, 32>>>(out);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT, "the child ended with status %d", status);
}

static int check_all() {
  int n = 0;
  EXPECT(cudaGetDeviceCount(&n) == cudaSuccess && n == 1, "one emulated device: %d", n);
  check_barriers_and_shared();
  check_coverage();
  check_dynamic_shared();
  check_barrier_reductions();
  check_launch_limits();
  check_pointers_and_copies();
  check_cublas();
  check_divergent_barrier_aborts();
  return failures;
}

/* Without a barrier, thread t reads s[t+1] before (forward order) or after
** (reverse order) thread t+1 writes it: NaN in one order, a value in the other. */
static int check_order(int reverse) {
  float *out = device_floats(64), host[64];
  missing_barrier_kernel<<<1, 64>>>(out);
  cudaMemcpy(host, out, sizeof host, cudaMemcpyDeviceToHost);
  if (reverse) EXPECT(host[10] == 11.0f, "reverse order: thread 11 ran first: %g", host[10]);
  else EXPECT(isnan(host[10]), "forward order: thread 11 had not written yet: %g", host[10]);
  cudaFree(out);
  return failures;
}

/* Every call fails with `want`; the device count is 0. */
static int check_expect(const char *want_name) {
  int n = -1;
  void *p = NULL;
  const cudaError_t e = cudaGetDeviceCount(&n);
  EXPECT(!strcmp(cudaGetErrorName(e), want_name) && n == 0, "cudaGetDeviceCount: %s, count %d", cudaGetErrorName(e), n);
  EXPECT(!strcmp(cudaGetErrorName(cudaMalloc(&p, 16)), want_name) && !p, "cudaMalloc");
  EXPECT(!strcmp(cudaGetErrorName(cudaSetDevice(0)), want_name), "cudaSetDevice");
  return failures;
}

int main(int argc, char **argv) {
  int rc;
  if (argc == 3 && !strcmp(argv[1], "--expect")) rc = check_expect(argv[2]);
  else if (argc == 2 && !strcmp(argv[1], "--order")) {
    const char *r = getenv("TW_CUDA_EMU_REVERSE");
    rc = check_order(r && !strcmp(r, "1"));
  } else rc = check_all();
  fprintf(stderr, "%s\n", rc ? "FAILED" : "passed");
  return rc ? 1 : 0;
}
