/*
** physio_ops_mirror.h: a physiology batch mirrored on a backend's device, so a
** run loop that fills its arrays on the host can advance them on any backend:
**
**   tw_physio_mirror mr;
**   TW_TRY(tw_physio_mirror_create(be, &host, 60, &mr));      // device arrays like host's
**   TW_TRY(tw_physio_mirror_push(be, &mr, TW_MIRROR_ALL));     // state, parameters, inputs
**   for (each hour) {
**     fill host.u; TW_TRY(tw_physio_mirror_push(be, &mr, TW_MIRROR_INPUTS));
**     TW_TRY(tw_physio_ops_for(be)->advance(be, model, &mr.dev, minute, 60));
**     TW_TRY(tw_physio_mirror_pull(be, &mr, TW_MIRROR_STATE));  // before sampling on the host
**   }
**   tw_physio_mirror_destroy(be, &mr);
**
** On a host backend the mirror is the host batch itself: no memory, no copies
** (push only picks up host pointers that moved, as the CPU engine's inputs do).
** On a device backend the mirror owns device arrays of the host batch's layout
** ([variable][twin], the same ld) and copies whole arrays each way.
*/
#ifndef TW_PHYSIO_OPS_MIRROR_H
#define TW_PHYSIO_OPS_MIRROR_H

#include "backend/backend.h" /* tw_backend */
#include "physio/pack.h"     /* tw_model, tw_physio_batch */

TW_EXTERN_C_BEGIN

/* What a push or pull copies. STATE: x, d, h (when the host batch has one) and
** flag; PARAMS: p; INPUTS: u (u_minutes of them). */
enum { TW_MIRROR_STATE = 1, TW_MIRROR_PARAMS = 2, TW_MIRROR_INPUTS = 4, TW_MIRROR_ALL = 7 };

typedef struct tw_physio_mirror {
  tw_physio_batch dev;          /* the batch to advance on the backend */
  const tw_physio_batch *host;  /* the host batch mirrored (not owned) */
  const tw_model *model;        /* its sizes: n_states, n_disc, n_params, n_inputs */
  int u_minutes;                /* minutes of inputs dev.u holds */
  int owned;                    /* dev's arrays are the mirror's, on the device */
} tw_physio_mirror;

/* A mirror of `host` (whose arrays are sized for model m and hold u_minutes of
** inputs) on backend be. Nothing is copied yet. */
tw_status tw_physio_mirror_create(tw_backend *be, const tw_model *m, const tw_physio_batch *host, int u_minutes,
                                  tw_physio_mirror *mr);
/* Host -> device, and device -> host, of the arrays in `what`. Copies finish
** before return (the device may then run on). */
tw_status tw_physio_mirror_push(tw_backend *be, tw_physio_mirror *mr, unsigned what);
tw_status tw_physio_mirror_pull(tw_backend *be, tw_physio_mirror *mr, unsigned what);
/* Frees what create allocated; mr is zeroed. */
void tw_physio_mirror_destroy(tw_backend *be, tw_physio_mirror *mr);

TW_EXTERN_C_END

#endif
