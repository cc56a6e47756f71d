/*
** tw_cuda_emu.h: a host emulation of the CUDA runtime, so that the CUDA kernels
** run, and are compared with the CPU paths, on a machine without a GPU (tests
** only; the real CUDA build never sees this file).
**
** How the emulated build uses it (tests/cuda_emu/CMakeLists.txt):
**   - every .cu file of cuda/ is first passed through rewrite_cu.pl, which turns each
**     launch `k<<<grid, block, smem, stream>>>(args)` into
**     `tw_emu::launch(__FILE__, __LINE__, grid, block, smem, stream)(k, args)`
**     and each `extern __shared__ T name[];` into a pointer to the block's
**     dynamic shared memory;
**   - the result is compiled as host C++17 by g++ with this header force-
**     included (-include), in place of nvcc's implicit cuda_runtime.h;
**   - the include/ folder beside this file holds cuda_runtime.h and cublas_v2.h
**     stand-ins that include this header (and the cuBLAS declarations).
**
** Execution model (tw_cuda_emu.cc): blocks run one after another, in order, on
** the calling OS thread; each CUDA thread of a block is a ucontext fiber with
** its own stack, and __syncthreads() switches back to a scheduler that resumes
** every fiber of the block in turn until all have reached the barrier (or all
** have returned). Shared memory (static __shared__ variables, kept in one ELF
** section, and the launch's dynamic shared memory) is host memory filled with
** 0xFF bytes, a NaN as float and double, before every block. Streams and events
** exist as handles, but every call does its work before it returns, in call
** order: races between streams, or between the host and the device, cannot
** show here.
**
** What the emulator checks that a plain host build would not: launch
** configurations against an H100's limits (block and grid sizes, dynamic shared
** memory against the kernel's cudaFuncSetAttribute limit); every pointer passed
** to a kernel, memcpy, memset or cuBLAS call lies in a live allocation of the
** current device; copies go the direction their kind says; a __syncthreads()
** that not every thread of a block reaches stops the program. Device
** allocations start filled with 0xFF bytes, so a read of memory nobody wrote
** is NaN.
**
** Environment (read on first use):
**   TW_CUDA_EMU_DEVICES=N       devices to pretend (default 1; 0 gives
**                               cudaErrorNoDevice, as a machine without a GPU)
**   TW_CUDA_EMU_INIT_ERROR=E    every runtime call fails with error E (a name such
**                               as cudaErrorInsufficientDriver, or its number):
**                               a driver too old for the toolkit, a broken install
**   TW_CUDA_EMU_REVERSE=1       resume a block's threads last to first (a kernel
**                               that lacks a barrier may pass in one order only)
*/
#ifndef TW_CUDA_EMU_H
#define TW_CUDA_EMU_H

#ifndef __cplusplus
#error "tw_cuda_emu.h is for .cu files compiled as C++; C files include the stand-in headers only"
#endif

#include <cmath>       /* the device math library: expf, tanhf, ... */
#include <cstddef>     /* size_t */
#include <cstdint>     /* int64_t */
#include <cstring>     /* memcpy for the bit casts */
#include <tuple>       /* kernel arguments, copied once per launch */
#include <type_traits> /* is_pointer */
#include <utility>     /* forward, index_sequence */

/* ---- what nvcc defines and the sources test -------------------------------- */

/* Device code paths (#if __CUDA_ARCH__) are compiled and run; so is host code in
** .cu files, which under nvcc would see __CUDA_ARCH__ undefined. */
#define __CUDACC__ 1
#define __CUDA_ARCH__ 900
#define __CUDA_RUNTIME_H__ 1 /* core/check.h defines TW_CUDA_CHECK after this */
#define CUDART_VERSION 12000
#define TW_CUDA_EMULATED 1

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
/* Static shared memory: one host object per variable, shared by the fibers of a
** block (they run on one OS thread), in a section the runtime refills with 0xFF
** before each block. `extern __shared__` never reaches here (rewrite_cu.pl). */
#define __shared__ static __attribute__((section("tw_emu_shared")))
#define __constant__ static

/* ---- built-in types and variables ------------------------------------------ */

struct uint3 {
  unsigned int x, y, z;
};
struct dim3 {
  unsigned int x, y, z;
  constexpr dim3(unsigned int vx = 1, unsigned int vy = 1, unsigned int vz = 1) : x(vx), y(vy), z(vz) {}
  constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};

namespace tw_emu {
/* The running fiber's coordinates; the scheduler sets them before resuming it.
** blockDim and gridDim keep dim3's members in a plain struct (__thread needs one). */
extern __thread uint3 thread_idx, block_idx, block_dim, grid_dim;
} // namespace tw_emu
#define threadIdx (tw_emu::thread_idx)
#define blockIdx (tw_emu::block_idx)
#define blockDim (tw_emu::block_dim)
#define gridDim (tw_emu::grid_dim)
static const int warpSize = 32;

/* ---- synchronisation, atomics, intrinsics ---------------------------------- */

void __syncthreads();
int __syncthreads_count(int predicate);
int __syncthreads_and(int predicate);
int __syncthreads_or(int predicate);
/* One OS thread and no preemption between barriers: memory is always coherent,
** and a read-modify-write is atomic. */
inline void __threadfence() {}
inline void __threadfence_block() {}

#define TW_EMU_ATOMIC_(T)                                                                   \
  inline T atomicAdd(T *p, T v) { T o = *p; *p = o + v; return o; }                          \
  inline T atomicSub(T *p, T v) { T o = *p; *p = o - v; return o; }                          \
  inline T atomicExch(T *p, T v) { T o = *p; *p = v; return o; }                             \
  inline T atomicMax(T *p, T v) { T o = *p; *p = o < v ? v : o; return o; }                  \
  inline T atomicMin(T *p, T v) { T o = *p; *p = v < o ? v : o; return o; }
TW_EMU_ATOMIC_(int)
TW_EMU_ATOMIC_(unsigned int)
TW_EMU_ATOMIC_(unsigned long long)
TW_EMU_ATOMIC_(float)
TW_EMU_ATOMIC_(double)
#undef TW_EMU_ATOMIC_
#define TW_EMU_ATOMIC_BITS_(T)                                                              \
  inline T atomicCAS(T *p, T cmp, T v) { T o = *p; if (o == cmp) *p = v; return o; }         \
  inline T atomicAnd(T *p, T v) { T o = *p; *p = o & v; return o; }                          \
  inline T atomicOr(T *p, T v) { T o = *p; *p = o | v; return o; }                           \
  inline T atomicXor(T *p, T v) { T o = *p; *p = o ^ v; return o; }
TW_EMU_ATOMIC_BITS_(int)
TW_EMU_ATOMIC_BITS_(unsigned int)
TW_EMU_ATOMIC_BITS_(unsigned long long)
#undef TW_EMU_ATOMIC_BITS_

template <class T> inline T __ldg(const T *p) { return *p; }

template <class To, class From> inline To tw_emu_bits(From v) {
  static_assert(sizeof(To) == sizeof(From), "bit cast between types of one size");
  To t;
  std::memcpy(&t, &v, sizeof t);
  return t;
}
inline float __int_as_float(int v) { return tw_emu_bits<float>(v); }
inline int __float_as_int(float v) { return tw_emu_bits<int>(v); }
inline float __uint_as_float(unsigned int v) { return tw_emu_bits<float>(v); }
inline unsigned int __float_as_uint(float v) { return tw_emu_bits<unsigned int>(v); }
inline double __longlong_as_double(long long v) { return tw_emu_bits<double>(v); }
inline long long __double_as_longlong(double v) { return tw_emu_bits<long long>(v); }

/* The fast-math intrinsics, at full precision (the GPU's are less exact, so a
** tolerance set from these is too tight for the GPU: say so where it matters). */
inline float __expf(float x) { return expf(x); }
inline float __logf(float x) { return logf(x); }
inline float __sinf(float x) { return sinf(x); }
inline float __cosf(float x) { return cosf(x); }
inline float __powf(float x, float y) { return powf(x, y); }
inline float __fdividef(float x, float y) { return x / y; }
inline float __saturatef(float x) { return x < 0.0f ? 0.0f : (x > 1.0f ? 1.0f : x); }
inline float rsqrtf(float x) { return 1.0f / sqrtf(x); }
inline double rsqrt(double x) { return 1.0 / sqrt(x); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double __fma_rn(double a, double b, double c) { return fma(a, b, c); }
/* IEEE round-to-nearest float operations, never contracted (nn/adamw.h). */
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }
inline int __popc(unsigned int v) { return __builtin_popcount(v); }
inline int __popcll(unsigned long long v) { return __builtin_popcountll(v); }
inline int __clz(int v) { return v ? __builtin_clz((unsigned int)v) : 32; }
inline int __ffs(int v) { return __builtin_ffs(v); }
/* CUDA's global min/max overloads for integers (floats use fminf/fmaxf). */
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned int min(unsigned int a, unsigned int b) { return a < b ? a : b; }
inline unsigned int max(unsigned int a, unsigned int b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }

/* ---- the runtime API, as far as twinscale uses it -------------------------- */

enum cudaError {
  cudaSuccess = 0,
  cudaErrorInvalidValue = 1,
  cudaErrorMemoryAllocation = 2,
  cudaErrorInitializationError = 3,
  cudaErrorInvalidConfiguration = 9,
  cudaErrorInvalidDevicePointer = 17,
  cudaErrorInvalidMemcpyDirection = 21,
  cudaErrorInsufficientDriver = 35,
  cudaErrorInvalidDeviceFunction = 98,
  cudaErrorNoDevice = 100,
  cudaErrorInvalidDevice = 101,
  cudaErrorNoKernelImageForDevice = 209,
  cudaErrorInvalidResourceHandle = 400,
  cudaErrorNotReady = 600,
  cudaErrorIllegalAddress = 700,
  cudaErrorLaunchOutOfResources = 701,
  cudaErrorLaunchFailure = 719,
  cudaErrorNotSupported = 801,
  cudaErrorSystemDriverMismatch = 803,
  cudaErrorUnknown = 999
};
typedef enum cudaError cudaError_t;

enum cudaMemcpyKind {
  cudaMemcpyHostToHost = 0,
  cudaMemcpyHostToDevice = 1,
  cudaMemcpyDeviceToHost = 2,
  cudaMemcpyDeviceToDevice = 3,
  cudaMemcpyDefault = 4
};

enum cudaDeviceAttr {
  cudaDevAttrMaxThreadsPerBlock = 1,
  cudaDevAttrMaxBlockDimX = 2,
  cudaDevAttrMaxGridDimX = 5,
  cudaDevAttrMaxSharedMemoryPerBlock = 8,
  cudaDevAttrWarpSize = 10,
  cudaDevAttrMultiProcessorCount = 16,
  cudaDevAttrMaxThreadsPerMultiProcessor = 39,
  cudaDevAttrComputeCapabilityMajor = 75,
  cudaDevAttrComputeCapabilityMinor = 76,
  cudaDevAttrMaxSharedMemoryPerMultiprocessor = 81,
  cudaDevAttrMaxSharedMemoryPerBlockOptin = 97
};

enum cudaFuncAttribute {
  cudaFuncAttributeMaxDynamicSharedMemorySize = 8,
  cudaFuncAttributePreferredSharedMemoryCarveout = 9
};

enum { cudaStreamDefault = 0, cudaStreamNonBlocking = 1 };
enum { cudaEventDefault = 0, cudaEventBlockingSync = 1, cudaEventDisableTiming = 2 };

/* library_types.h, which the real cuda_runtime.h pulls in */
enum cudaDataType_t { CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_16BF = 14 };
typedef enum cudaDataType_t cudaDataType;

typedef struct tw_emu_stream *cudaStream_t;
typedef struct tw_emu_event *cudaEvent_t;

struct cudaDeviceProp {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  size_t sharedMemPerBlockOptin;
  size_t sharedMemPerMultiprocessor;
  int regsPerBlock;
  int warpSize;
  int maxThreadsPerBlock;
  int maxThreadsDim[3];
  int maxGridSize[3];
  int maxThreadsPerMultiProcessor;
  int multiProcessorCount;
  int major, minor;
  int l2CacheSize;
};

const char *cudaGetErrorString(cudaError_t e);
const char *cudaGetErrorName(cudaError_t e);
cudaError_t cudaGetLastError();
cudaError_t cudaPeekAtLastError();
cudaError_t cudaGetDeviceCount(int *count);
cudaError_t cudaGetDeviceProperties(cudaDeviceProp *prop, int device);
cudaError_t cudaDeviceGetAttribute(int *value, cudaDeviceAttr attr, int device);
cudaError_t cudaSetDevice(int device);
cudaError_t cudaGetDevice(int *device);
cudaError_t cudaDeviceSynchronize();
cudaError_t cudaDriverGetVersion(int *version);
cudaError_t cudaRuntimeGetVersion(int *version);
cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes);

cudaError_t cudaMalloc(void **ptr, size_t bytes);
cudaError_t cudaFree(void *ptr);
cudaError_t cudaMallocAsync(void **ptr, size_t bytes, cudaStream_t stream);
cudaError_t cudaFreeAsync(void *ptr, cudaStream_t stream);
cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind);
cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream = 0);
cudaError_t cudaMemset(void *dst, int value, size_t bytes);
cudaError_t cudaMemsetAsync(void *dst, int value, size_t bytes, cudaStream_t stream = 0);
template <class T> inline cudaError_t cudaMalloc(T **ptr, size_t bytes) { return cudaMalloc((void **)ptr, bytes); }
template <class T> inline cudaError_t cudaMallocAsync(T **ptr, size_t bytes, cudaStream_t stream) {
  return cudaMallocAsync((void **)ptr, bytes, stream);
}

cudaError_t cudaStreamCreate(cudaStream_t *stream);
cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned int flags);
cudaError_t cudaStreamDestroy(cudaStream_t stream);
cudaError_t cudaStreamSynchronize(cudaStream_t stream);
cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags = 0);
cudaError_t cudaEventCreate(cudaEvent_t *event);
cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags);
cudaError_t cudaEventDestroy(cudaEvent_t event);
cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream = 0);
cudaError_t cudaEventSynchronize(cudaEvent_t event);
cudaError_t cudaEventQuery(cudaEvent_t event);
cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end);

/* ---- kernels: attributes, occupancy, launches ------------------------------ */

namespace tw_emu {
typedef void (*body_fn)(void *ctx);

cudaError_t func_set_attribute(const void *kernel, cudaFuncAttribute attr, int value);
cudaError_t occupancy(int *blocks, const void *kernel, int block_size, size_t dynamic_smem);
/* Runs body(ctx) once per CUDA thread of the grid (see the execution model). */
void run_kernel(const char *file, int line, const void *kernel, dim3 grid, dim3 block, size_t smem,
                cudaStream_t stream, body_fn body, void *ctx);
/* False (and the launch's error recorded) when a non-NULL pointer argument is
** not inside a live allocation of the current device. */
bool check_kernel_pointer(const void *p, const char *file, int line, int index);
/* The block's dynamic shared memory (`extern __shared__`, see rewrite_cu.pl). */
void *dynamic_shared();

template <class F> inline const void *kernel_key(F *f) { return reinterpret_cast<const void *>(f); }
/* Arguments convert to the kernel's parameter types as in a call: implicitly. */
template <class T> inline T implicit_arg(T v) { return v; }
template <class T> inline bool check_arg(const T &v, const char *file, int line, int index) {
  if constexpr (std::is_pointer<T>::value) return check_kernel_pointer((const void *)v, file, line, index);
  else return true;
}
template <class F> inline void call_body(void *f) { (*static_cast<F *>(f))(); }

struct launch_config {
  const char *file;
  int line;
  dim3 grid, block;
  size_t smem;
  cudaStream_t stream;

  template <class Tuple, size_t... I>
  bool check_args(const Tuple &args, std::index_sequence<I...>) const {
    return (check_arg(std::get<I>(args), file, line, (int)I) && ... && true);
  }

  /* kernel<<<grid, block, smem, stream>>>(a...): the arguments are copied into the
  ** kernel's parameter types once, and every thread gets its own copy of them. */
  template <class... P, class... A> void operator()(void (*kernel)(P...), A &&...a) const {
    static_assert(sizeof...(P) == sizeof...(A), "kernel launched with the wrong number of arguments");
    std::tuple<P...> args(implicit_arg<P>(std::forward<A>(a))...);
    if (!check_args(args, std::index_sequence_for<P...>{})) return;
    auto body = [&]() { std::apply(kernel, args); };
    run_kernel(file, line, kernel_key(kernel), grid, block, smem, stream, &call_body<decltype(body)>, &body);
  }
};

inline launch_config launch(const char *file, int line, dim3 grid, dim3 block, size_t smem = 0,
                            cudaStream_t stream = 0) {
  return launch_config{file, line, grid, block, smem, stream};
}
} // namespace tw_emu

template <class T> inline cudaError_t cudaFuncSetAttribute(T *kernel, cudaFuncAttribute attr, int value) {
  return tw_emu::func_set_attribute(tw_emu::kernel_key(kernel), attr, value);
}
template <class T>
inline cudaError_t cudaOccupancyMaxActiveBlocksPerMultiprocessor(int *blocks, T *kernel, int block_size,
                                                                 size_t dynamic_smem) {
  return tw_emu::occupancy(blocks, tw_emu::kernel_key(kernel), block_size, dynamic_smem);
}

/* ---- the emulated device, for tests that check the emulator itself -------- */

namespace tw_emu {
/* Bytes of live device allocations, summed over devices. */
size_t bytes_in_use();
/* A device range check, as the cuBLAS stand-in makes for its operands: false
** (and `what` reported on stderr) when [p, p + bytes) is not inside one live
** allocation of the current device. */
bool check_device_range(const void *p, size_t bytes, const char *what);
/* True when p is inside (or at the end of) any live device allocation. */
bool is_device_pointer(const void *p);
} // namespace tw_emu

#endif
