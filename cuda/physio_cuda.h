/*
** physio_cuda.h: the per-pack CUDA kernels behind the module's physiology table
** (cuda/physio_cuda.cu), and the launch shape they share. Include from .cu only.
**
** Each entry runs a model made of its pack alone, every array of `b` on the
** backend's device in the CPU's SoA layout ([variable][twin], leading dimension
** b->ld), one twin per thread; it checks the dtype and the RK4 substeps and
** queues the kernel on the backend's stream.
*/
#ifndef TW_PHYSIO_CUDA_H
#define TW_PHYSIO_CUDA_H

#include "backend/backend.h" /* tw_backend */
#include "physio/pack.h"     /* tw_physio_batch, tw_pack */

/* Twins per block: small, so that a few thousand twins still fill the GPU. */
enum { TW_PHYSIO_CUDA_THREADS = 128 };
static inline unsigned tw_physio_cuda_blocks(int64_t n) {
  return (unsigned)((n + TW_PHYSIO_CUDA_THREADS - 1) / TW_PHYSIO_CUDA_THREADS);
}

TW_EXTERN_C_BEGIN
extern const tw_pack tw_pack_t1d, tw_pack_pbpk; /* src/physio/t1d.c, pbpk_pack.c */

tw_status tw_physio_cuda_t1d(tw_backend *be, tw_physio_batch *b, int n_minutes);  /* physio_t1d.cu */
tw_status tw_physio_cuda_pbpk(tw_backend *be, tw_physio_batch *b, int n_minutes); /* physio_pbpk.cu */
TW_EXTERN_C_END

#endif
