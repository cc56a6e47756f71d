/*
** learned_twin.h: a learned twin loaded from its model file (written by
** `twinscale train`, nn/grt_twin_file.h): the pack it was trained for, the map
** from the pack's twin to node features with its scalers, and the GRT weights,
** first on the host and then on a backend. The one loader for everything that
** runs a trained model: the neural engine (engines.h) and `evaluate`.
*/
#ifndef TW_RUN_LEARNED_TWIN_H
#define TW_RUN_LEARNED_TWIN_H

#include "backend/backend.h"  /* tw_backend */
#include "nn/grt.h"           /* tw_grt_model */
#include "nn/grt_twin_file.h" /* tw_grt_twin_map, tw_grt_twin_info */

TW_EXTERN_C_BEGIN

typedef struct tw_learned_twin {
  tw_grt_twin_map map;   /* map.pack: the pack it was trained for */
  tw_grt_twin_info info; /* minutes per step, context steps */
  tw_grt_model model;    /* layout; params on `be` once uploaded, else NULL */
  float *host;           /* (layout.total) the weights on the host */
  tw_backend *be;        /* where model.params live, NULL before the upload */
} tw_learned_twin;

/* Reads a model file: its pack (looked up by name), map and weights, on the
** host. Errors name the file. */
tw_status tw_learned_twin_read(const char *path, tw_learned_twin *lt);
/* The weights onto `be` (once). */
tw_status tw_learned_twin_upload(tw_learned_twin *lt, tw_backend *be);
/* The weights off the backend (before it closes); the host copy stays. */
void tw_learned_twin_unload(tw_learned_twin *lt);
void tw_learned_twin_free(tw_learned_twin *lt);

TW_EXTERN_C_END

#endif
