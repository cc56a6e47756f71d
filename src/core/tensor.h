/*
** tensor.h: non-owning views of dense arrays on the host or a device.
**
** A view names memory someone else owns (an arena, the backend's alloc, an HDF5
** read buffer) and says how to walk it: element type, up to TW_TENSOR_MAX_RANK
** dimensions, strides in elements, and where it lives. Kernels take raw pointers;
** views carry shapes across module boundaries and are what shape checks inspect.
** Shapes are written outermost first, as in the comments elsewhere:
** x is (B,T,N,F) means dims = {B,T,N,F} and, contiguous, strides = {T*N*F, N*F, F, 1}.
*/
#ifndef TW_TENSOR_H
#define TW_TENSOR_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

enum { TW_TENSOR_MAX_RANK = 6 };

typedef enum tw_dtype { TW_F32, TW_F64, TW_I32, TW_I64, TW_U8 } tw_dtype;
typedef enum tw_device_kind { TW_DEVICE_HOST, TW_DEVICE_CUDA } tw_device_kind;

typedef struct tw_device {
  tw_device_kind kind;
  int index; /* CUDA ordinal; 0 for the host */
} tw_device;

typedef struct tw_tensor {
  void *data;
  tw_dtype dtype;
  tw_device device;
  int rank;
  int64_t dims[TW_TENSOR_MAX_RANK];
  int64_t strides[TW_TENSOR_MAX_RANK]; /* in elements */
} tw_tensor;

size_t tw_dtype_size(tw_dtype dtype);
const char *tw_dtype_name(tw_dtype dtype);

/* A contiguous row-major view of `rank` dims over `data`. Fails on a negative dim
** or a rank above TW_TENSOR_MAX_RANK. */
tw_status tw_tensor_view(tw_tensor *t, void *data, tw_dtype dtype, tw_device device, int rank,
                         const int64_t *dims);
int64_t tw_tensor_numel(const tw_tensor *t);
size_t tw_tensor_bytes(const tw_tensor *t);
int tw_tensor_is_contiguous(const tw_tensor *t);
/* Checks that `t` has this rank and dims (a negative expected dim matches any);
** the error names `what` and both shapes, e.g. "x: expected (B,7,5), got (13,7,4)". */
tw_status tw_tensor_expect(const tw_tensor *t, const char *what, int rank, const int64_t *dims);
/* Writes "(13,7,4)" into buf. */
void tw_tensor_shape_string(const tw_tensor *t, char *buf, size_t cap);

TW_EXTERN_C_END

#endif
