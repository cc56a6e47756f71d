/*
** grt_file.h: GRT model files in HDF5, readable by PyTorch with no conversion.
**
** A model file holds, at the root, one float32 dataset per state_dict entry
** under its PyTorch name ("gnn.0.lin_self.weight", ..., "head.2.bias") in its
** PyTorch shape, and the sizes as int64 root attributes N, F, H, Hr, L, M, O.
** validation/grt_model.py writes and reads the same layout with h5py. A
** gradient file (`twinscale nn grad`) has the same datasets holding gradients.
**
** Only in builds with HDF5 (TW_HAVE_HDF5).
*/
#ifndef TW_GRT_FILE_H
#define TW_GRT_FILE_H

#include "io/h5.h"  /* tw_h5_file */
#include "nn/grt.h" /* layout */

TW_EXTERN_C_BEGIN

/* Reads the size attributes and fills the layout. A missing or non-positive
** size is TW_ERR_INPUT naming the file and attribute. */
tw_status tw_grt_file_read_layout(tw_h5_file *f, tw_grt_layout *lay);
/* Reads every tensor into a malloc'd HOST buffer of layout.total floats
** (*params; free()). A missing dataset, a shape other than the layout's, or a
** NaN or Inf is TW_ERR_INPUT naming the file and dataset. */
tw_status tw_grt_file_read_params(tw_h5_file *f, const tw_grt_layout *lay, float **params);
/* Writes the size attributes and every tensor of a HOST buffer (parameters or
** gradients) under its PyTorch name. */
tw_status tw_grt_file_write(tw_h5_file *f, const tw_grt_layout *lay, const float *buffer);
/* Fails with TW_ERR_INPUT naming file, dataset and element when any of the n
** values is NaN or Inf. */
tw_status tw_grt_check_finite(const tw_h5_file *f, const char *dataset, const float *v, int64_t n);

TW_EXTERN_C_END

#endif
