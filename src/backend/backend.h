/*
** backend.h: the table through which every kernel runs on CPU or GPU.
**
** Orchestration code (simulation, training, trials) holds a tw_backend and never
** asks which one it is: memory, copies, synchronisation, GEMM and the kernel
** families all go through these pointers. The CPU backend (backend_cpu.c) is the
** reference; the CUDA backend (cuda/backend_cuda.cu) mirrors it entry by entry.
**
** Conventions shared by all entries:
**   - pointers passed to an entry live on the backend's device (alloc'd by it);
**   - matrices are row-major, as in the rest of twinscale and in PyTorch;
**   - work may be asynchronous: results are visible on the host after a copy to
**     the host or synchronize().
**
** Kernel families (physiology, neural twin) own their op tables in their own
** headers; the backend only carries a pointer to each, set by the backend's
** constructor.
*/
#ifndef TW_BACKEND_H
#define TW_BACKEND_H

#include "core/status.h" /* tw_status */
#include "core/tensor.h" /* tw_dtype, tw_device */

TW_EXTERN_C_BEGIN

typedef enum tw_copy_kind {
  TW_COPY_HOST_TO_DEVICE,
  TW_COPY_DEVICE_TO_HOST,
  TW_COPY_DEVICE_TO_DEVICE
} tw_copy_kind;

/* Precision of the matrix units for float32 GEMM. FP32 is the default; TF32 and
** BF16 are opt-in (CUDA only; the CPU backend computes FP32 whatever is asked). */
typedef enum tw_math_mode { TW_MATH_FP32, TW_MATH_TF32, TW_MATH_BF16 } tw_math_mode;

/* C_i = alpha * op(A_i) * op(B_i) + beta * C_i for i in [0, batch), row-major,
** op(A_i) is (m,k), op(B_i) is (k,n), C_i is (m,n); X_i = X + i * stride_x.
** A stride of 0 shares one matrix across the batch. */
typedef struct tw_gemm_batch {
  tw_dtype dtype; /* TW_F32 or TW_F64 */
  int trans_a, trans_b;
  int m, n, k;
  double alpha, beta;
  const void *a; int64_t lda, stride_a;
  const void *b; int64_t ldb, stride_b;
  void *c;       int64_t ldc, stride_c;
  int batch;
} tw_gemm_batch;

struct tw_physio_ops; /* src/physio/physio_ops.h */
struct tw_nn_ops;     /* src/nn/nn_ops.h */

typedef struct tw_backend tw_backend;
struct tw_backend {
  const char *name;  /* "cpu" or "cuda" */
  tw_device device;
  tw_math_mode math_mode;
  void *impl;        /* the backend's private state (cuBLAS handle, stream, ...) */

  tw_status (*alloc)(tw_backend *be, size_t bytes, void **ptr);
  tw_status (*free)(tw_backend *be, void *ptr);
  tw_status (*copy)(tw_backend *be, void *dst, const void *src, size_t bytes, tw_copy_kind kind);
  tw_status (*fill_bytes)(tw_backend *be, void *dst, int byte, size_t bytes);
  tw_status (*synchronize)(tw_backend *be);
  tw_status (*gemm)(tw_backend *be, const tw_gemm_batch *g);
  void (*destroy)(tw_backend *be);

  const struct tw_physio_ops *physio;
  const struct tw_nn_ops *nn;
};

/* Opens a backend by name ("cpu" or "cuda") on device `device_index` (ignored for
** the CPU). Asking for "cuda" in a build without it is TW_ERR_UNSUPPORTED. */
tw_status tw_backend_open(const char *name, int device_index, tw_backend **out);
void tw_backend_close(tw_backend *be);

/* The CUDA device a process should use when `local_rank` processes share a node:
** local_rank modulo the number of visible devices. -1 when there are none. */
int tw_backend_device_for_local_rank(int local_rank);

/* Number of CUDA devices visible (0 in a build without CUDA or with no GPU). */
int tw_backend_cuda_device_count(void);
/* One line per visible CUDA device ("0: NVIDIA H100 80GB HBM3, 79.1 GiB, sm_90"),
** written into buf; "" when there are none. */
void tw_backend_cuda_describe(char *buf, size_t cap);

/* Checks the arguments of a GEMM (sizes, leading dimensions); shared by backends. */
tw_status tw_gemm_validate(const tw_gemm_batch *g);

/* Constructors, called by tw_backend_open. */
tw_status tw_backend_cpu_create(tw_backend **out);
/* Defined in cuda/ and called only in builds with TW_HAVE_CUDA. */
tw_status tw_backend_cuda_create(int device_index, tw_backend **out);
int tw_cuda_device_count(void);
void tw_cuda_describe(char *buf, size_t cap);

TW_EXTERN_C_END

#endif
