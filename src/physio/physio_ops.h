/*
** physio_ops.h: the physiology family's table of kernels per backend, so that
** orchestration code advances twins on whichever device holds their arrays:
**
**   TW_TRY(tw_physio_ops_for(be)->advance(be, &model, &batch, minute, 60));
**
** CPU (physio_ops_cpu.c): tw_model_advance (any model: packs, couplings, both
** integrators). CUDA (the module's cuda/physio_cuda.cu): models of one pack
** alone, t1d (cuda/physio_t1d.cu) or pbpk (cuda/physio_pbpk.cu), RK4 or DOPRI5,
** one twin per thread calling the same TW_HD right-hand sides as the CPU; any
** other model is TW_ERR_UNSUPPORTED there, naming the model. A run loop that
** fills its arrays on the host mirrors them on the backend with
** tw_physio_mirror (physio_ops_mirror.h).
*/
#ifndef TW_PHYSIO_OPS_H
#define TW_PHYSIO_OPS_H

#include "backend/backend.h" /* tw_backend */
#include "physio/pack.h"     /* tw_model, tw_physio_batch */

TW_EXTERN_C_BEGIN

typedef struct tw_physio_ops {
  const char *name;
  /* tw_model_advance's contract, with every array of `b` (x, p, d, u, flag, h)
  ** on the backend's device. May be asynchronous on a GPU: synchronize() before
  ** reading results on the host. */
  tw_status (*advance)(tw_backend *be, const tw_model *m, tw_physio_batch *b, int64_t minute, int n_minutes);
} tw_physio_ops;

extern const tw_physio_ops tw_physio_ops_cpu;
/* Defined in the CUDA module (cuda/physio_cuda.cu); its backend's TW_FAMILY_PHYSIO slot. */
extern const tw_physio_ops tw_physio_ops_cuda;

/* The physiology table of backend `be`: its TW_FAMILY_PHYSIO slot, or
** tw_physio_ops_cpu for a host backend that leaves it empty. Never NULL for the
** backends tw_backend_open makes (physio_ops_for.c). */
const tw_physio_ops *tw_physio_ops_for(const tw_backend *be);

TW_EXTERN_C_END

#endif
