/*
** tensor.c: shape arithmetic and shape checks for tw_tensor views.
*/
#include "core/tensor.h"

#include <stdio.h>  /* snprintf */

size_t tw_dtype_size(tw_dtype dtype) {
  switch (dtype) {
    case TW_F32: case TW_I32: return 4;
    case TW_F64: case TW_I64: return 8;
    case TW_U8: return 1;
  }
  return 0;
}

const char *tw_dtype_name(tw_dtype dtype) {
  switch (dtype) {
    case TW_F32: return "float32";
    case TW_F64: return "float64";
    case TW_I32: return "int32";
    case TW_I64: return "int64";
    case TW_U8: return "uint8";
  }
  return "?";
}

tw_status tw_tensor_view(tw_tensor *t, void *data, tw_dtype dtype, tw_device device, int rank,
                         const int64_t *dims) {
  if (rank < 0 || rank > TW_TENSOR_MAX_RANK)
    return TW_FAIL(TW_ERR_INTERNAL, "tensor rank %d outside 0..%d", rank, TW_TENSOR_MAX_RANK);
  t->data = data;
  t->dtype = dtype;
  t->device = device;
  t->rank = rank;
  int64_t stride = 1;
  for (int i = rank - 1; i >= 0; --i) {
    if (dims[i] < 0) return TW_FAIL(TW_ERR_INTERNAL, "tensor dim %d is negative (%lld)", i, (long long)dims[i]);
    t->dims[i] = dims[i];
    t->strides[i] = stride;
    stride *= dims[i];
  }
  return TW_OK;
}

int64_t tw_tensor_numel(const tw_tensor *t) {
  int64_t n = 1;
  for (int i = 0; i < t->rank; ++i) n *= t->dims[i];
  return n;
}

size_t tw_tensor_bytes(const tw_tensor *t) { return (size_t)tw_tensor_numel(t) * tw_dtype_size(t->dtype); }

int tw_tensor_is_contiguous(const tw_tensor *t) {
  int64_t stride = 1;
  for (int i = t->rank - 1; i >= 0; --i) {
    if (t->dims[i] != 1 && t->strides[i] != stride) return 0;
    stride *= t->dims[i];
  }
  return 1;
}

static void shape_string(int rank, const int64_t *dims, char *buf, size_t cap) {
  size_t used = 0;
  used += (size_t)snprintf(buf, cap, "(");
  for (int i = 0; i < rank && used < cap; ++i) {
    if (dims[i] < 0)
      used += (size_t)snprintf(buf + used, cap - used, "%s*", i ? "," : "");
    else
      used += (size_t)snprintf(buf + used, cap - used, "%s%lld", i ? "," : "", (long long)dims[i]);
  }
  if (used < cap) snprintf(buf + used, cap - used, ")");
}

void tw_tensor_shape_string(const tw_tensor *t, char *buf, size_t cap) {
  shape_string(t->rank, t->dims, buf, cap);
}

tw_status tw_tensor_expect(const tw_tensor *t, const char *what, int rank, const int64_t *dims) {
  int ok = t->rank == rank;
  for (int i = 0; ok && i < rank; ++i) ok = dims[i] < 0 || dims[i] == t->dims[i];
  if (ok) return TW_OK;
  char want[128], got[128];
  shape_string(rank, dims, want, sizeof want);
  tw_tensor_shape_string(t, got, sizeof got);
  return TW_FAIL(TW_ERR_INPUT, "%s: expected shape %s, got %s", what, want, got);
}
