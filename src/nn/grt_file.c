/*
** grt_file.c: reading and writing GRT model files (grt_file.h). Every read
** error names the file once, and says when the file is not a model at all.
*/
#include "build_info.h" /* TW_HAVE_HDF5 */

#if TW_HAVE_HDF5
#include "nn/grt_file.h"

#include <math.h>   /* isfinite */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcpy, strncmp */

static const char *const SIZE_NAMES[7] = {"N", "F", "H", "Hr", "L", "M", "O"};

/* Fails with `code` and "PATH: what: cause", where cause is the error just
** reported by a call on f, without its own leading "PATH: ". The cause is
** copied first: TW_FAIL rewrites the message buffer it would be read from. */
static tw_status fail_with_cause(tw_status code, const tw_h5_file *f, const char *what) {
  char cause[512];
  const char *msg = tw_error_message(), *path = tw_h5_path(f);
  const size_t n = strlen(path);
  if (!strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2)) msg += n + 2;
  snprintf(cause, sizeof cause, "%s", msg);
  return TW_FAIL(code, "%s: %s: %s", path, what, cause);
}

tw_status tw_grt_file_read_layout(tw_h5_file *f, tw_grt_layout *lay) {
  int64_t v[7];
  for (int i = 0; i < 7; ++i) {
    if (tw_h5_attr_read_i64(f, SIZE_NAMES[i], &v[i]) != TW_OK)
      return fail_with_cause(TW_ERR_INPUT, f, "not a GRT model file (no integer size attributes N, F, H, Hr, L, M, O)");
    if (v[i] <= 0 || v[i] > (1 << 20))
      return TW_FAIL(TW_ERR_INPUT, "%s: model size attribute '%s' = %lld is out of range", tw_h5_path(f),
                     SIZE_NAMES[i], (long long)v[i]);
  }
  tw_grt_sizes sz = {(int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)v[4], (int)v[5], (int)v[6]};
  const tw_status st = tw_grt_layout_make(&sz, lay);
  if (st != TW_OK) return fail_with_cause(st, f, "model sizes");
  return TW_OK;
}

tw_status tw_grt_check_finite(const tw_h5_file *f, const char *dataset, const float *v, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!isfinite(v[i]))
      return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' holds %s at element %lld", tw_h5_path(f), dataset,
                     isnan(v[i]) ? "NaN" : "Inf", (long long)i);
  return TW_OK;
}

/* Reads one tensor into buf after checking its shape. */
static tw_status read_tensor(tw_h5_file *f, const tw_grt_tensor *t, float *buf) {
  int rank = 0;
  int64_t dims[TW_TENSOR_MAX_RANK];
  TW_TRY(tw_h5_shape(f, t->name, &rank, dims));
  if (rank != t->rank || dims[0] != t->dims[0] || (rank == 2 && dims[1] != t->dims[1])) {
    if (t->rank == 2)
      return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' must be (%lld,%lld) for the sizes in the file's attributes",
                     tw_h5_path(f), t->name, (long long)t->dims[0], (long long)t->dims[1]);
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' must be (%lld) for the sizes in the file's attributes",
                   tw_h5_path(f), t->name, (long long)t->dims[0]);
  }
  tw_tensor data;
  TW_TRY(tw_h5_read(f, t->name, TW_F32, &data));
  memcpy(buf, data.data, (size_t)t->numel * sizeof(float));
  free(data.data);
  return tw_grt_check_finite(f, t->name, buf, t->numel);
}

tw_status tw_grt_file_read_params(tw_h5_file *f, const tw_grt_layout *lay, float **params) {
  float *p = malloc((size_t)lay->total * sizeof(float));
  if (!p) return TW_FAIL(TW_ERR_NOMEM, "%s: cannot allocate the model's %lld floats", tw_h5_path(f), (long long)lay->total);
  tw_status st = TW_OK;
  for (int i = 0; i < lay->count; ++i) TW_TRY_GOTO(st, read_tensor(f, &lay->tensors[i], p + lay->tensors[i].offset), fail);
  *params = p;
  return TW_OK;
fail:
  free(p);
  return st;
}

tw_status tw_grt_file_write(tw_h5_file *f, const tw_grt_layout *lay, const float *buffer) {
  const int v[7] = {lay->sz.N, lay->sz.F, lay->sz.H, lay->sz.Hr, lay->sz.L, lay->sz.M, lay->sz.O};
  for (int i = 0; i < 7; ++i) TW_TRY(tw_h5_attr_write_i64(f, SIZE_NAMES[i], v[i]));
  for (int i = 0; i < lay->count; ++i) {
    const tw_grt_tensor *t = &lay->tensors[i];
    tw_tensor view;
    TW_TRY(tw_tensor_view(&view, (void *)(buffer + t->offset), TW_F32, (tw_device){TW_DEVICE_HOST, 0}, t->rank, t->dims));
    TW_TRY(tw_h5_write(f, t->name, &view, "1"));
  }
  return TW_OK;
}

#else
/* Without HDF5 there are no model files; ISO C wants a declaration here. */
typedef int tw_grt_file_unavailable;
#endif
