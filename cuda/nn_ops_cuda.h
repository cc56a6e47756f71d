/*
** nn_ops_cuda.h: the CUDA table of neural-twin kernels (nn/nn_ops.h), the
** counterpart of tw_nn_ops_cpu entry by entry (cuda/nn_ops_cuda.cu), and the
** launch arithmetic the cuda/nn_*.cu and cuda/gan_*.cu files share.
**
** The CUDA module (module_cuda.cu) puts tw_nn_ops_cuda in its backends. Plain C
** declarations only above the __CUDACC__ part, so a C test may include it.
*/
#ifndef TW_NN_OPS_CUDA_H
#define TW_NN_OPS_CUDA_H

#include "nn/nn_ops.h" /* tw_nn_ops */

TW_EXTERN_C_BEGIN
extern const tw_nn_ops tw_nn_ops_cuda;
TW_EXTERN_C_END

#if defined(__CUDACC__)
/* Element-wise kernels run 256 threads a block over a grid-stride loop; the
** grid is capped so that huge tensors loop instead of asking for billions of
** blocks. Callers return early on an empty range (a launch of 0 blocks fails). */
enum { TW_NN_CUDA_THREADS = 256 };
static inline int tw_nn_cuda_blocks(int64_t n) {
  int64_t b = (n + TW_NN_CUDA_THREADS - 1) / TW_NN_CUDA_THREADS;
  return (int)(b < (1 << 20) ? b : (1 << 20));
}
/* for (i over [0, n) of this thread), index type I (int32_t or int64_t). */
#define TW_NN_GRID_STRIDE_T(I, i, n) \
  for (I i = (I)blockIdx.x * (I)blockDim.x + (I)threadIdx.x; i < (n); i += (I)gridDim.x * (I)blockDim.x)
#define TW_NN_GRID_STRIDE(i, n) TW_NN_GRID_STRIDE_T(int64_t, i, n)

/* Launches an element-wise kernel over n elements (nothing when n is 0) with
** 32-bit index arithmetic when n leaves room for the grid stride, 64-bit
** otherwise (a 64-bit division costs several times a 32-bit one, enough to
** make these memory-bound kernels compute-bound), then checks the launch.
** The kernel's first argument is the element count; `be` (the backend) must be
** in scope, its device current (tw_cuda_activate). The GAN's kernels use it too. */
#define TW_NN_CUDA_LAUNCH(kernel, n, ...)                                                             \
  do {                                                                                                \
    const int64_t n_ = (n);                                                                           \
    if (n_ > 0) {                                                                                     \
      if (n_ < ((int64_t)1 << 30))                                                                    \
        kernel<int32_t><<<tw_nn_cuda_blocks(n_), TW_NN_CUDA_THREADS, 0, tw_cuda_stream(be)>>>(        \
            (int32_t)n_, __VA_ARGS__);                                                                \
      else                                                                                            \
        kernel<int64_t><<<tw_nn_cuda_blocks(n_), TW_NN_CUDA_THREADS, 0, tw_cuda_stream(be)>>>(n_,     \
                                                                                            __VA_ARGS__); \
      TW_CUDA_CHECK_LAUNCH();                                                                         \
    }                                                                                                 \
  } while (0)
#endif

#endif
