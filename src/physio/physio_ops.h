/*
** physio_ops.h: the physiology family's entries in the backend table
** (tw_backend.physio), so that orchestration code advances twins on whichever
** device holds their arrays.
**
** CPU: tw_model_advance (any model: packs, couplings, both integrators).
** CUDA (cuda/physio_t1d.cu): models of the t1d pack alone, RK4 or DOPRI5, one
** twin per thread with its 13 states in registers, calling the same TW_HD
** right-hand side as the CPU; other models are TW_ERR_UNSUPPORTED there.
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
/* Defined in cuda/physio_t1d.cu, only in builds with CUDA. */
extern const tw_physio_ops tw_physio_ops_cuda;

TW_EXTERN_C_END

#endif
