/*
** grt_twin_file.h: a learned twin's model file: the GRT weights as a model
** file (grt_file.h: PyTorch names and shapes, sizes as root attributes), plus
** how the pack's twin maps onto it (grt_twin.h), so that evaluation and the
** neural engine scale exactly as training did:
**   attributes  pack, every_min (minutes per step), context (steps of true
**               state before a rollout, as trained), horizon (steps rolled
**               out after the context, as trained)
**   /twin/state_names (n_states), /twin/state_slot (n_states) int32: node * S + slot
**   /twin/x_center, /twin/x_scale, /twin/dx_scale (n_states) float64
**   /twin/input_names, /twin/u_scale (n_inputs)
**   /twin/param_names, /twin/param_log int32, /twin/p_center, /twin/p_scale (P)
** Only in builds with HDF5.
*/
#ifndef TW_GRT_TWIN_FILE_H
#define TW_GRT_TWIN_FILE_H

#include "io/h5.h"          /* tw_h5_file */
#include "nn/grt.h"         /* tw_grt_layout */
#include "nn/grt_twin.h"    /* tw_grt_twin_map */

TW_EXTERN_C_BEGIN

typedef struct tw_grt_twin_info {
  int64_t every_min, context, horizon;
} tw_grt_twin_info;

/* Writes the map, its attributes and the weights (a HOST buffer). */
tw_status tw_grt_twin_file_write(tw_h5_file *f, const tw_grt_twin_map *m, const tw_grt_twin_info *info,
                                 const tw_grt_layout *lay, const float *params);
/* The name of the pack a model file was trained for (malloc'd). */
tw_status tw_grt_twin_file_pack(tw_h5_file *f, char **pack);
/* Reads the map for `pack` (checked against the file's names and sizes), the
** layout and the weights (malloc'd HOST buffer). */
tw_status tw_grt_twin_file_read(tw_h5_file *f, const tw_pack *pack, tw_grt_twin_map *m, tw_grt_twin_info *info,
                                tw_grt_layout *lay, float **params);

TW_EXTERN_C_END

#endif
