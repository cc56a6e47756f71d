/*
** physio_ops_mirror.c: a physiology batch mirrored on a backend's device (see
** physio_ops_mirror.h).
*/
#include "physio/physio_ops_mirror.h"

#include <string.h> /* memset */

/* One array of a batch: where it is in each batch, and its bytes. */
typedef struct mirror_array {
  void **dev;
  const void *host;
  size_t bytes;
} mirror_array;

/* The arrays of `what`, at most 6; returns how many. */
static int arrays(tw_physio_mirror *mr, unsigned what, mirror_array *a) {
  const tw_physio_batch *h = mr->host;
  const tw_model *m = mr->model;
  const size_t es = h->dtype == TW_F32 ? sizeof(float) : sizeof(double), ld = (size_t)h->ld;
  int k = 0;
  if (what & TW_MIRROR_STATE) {
    a[k++] = (mirror_array){&mr->dev.x, h->x, (size_t)m->n_states * ld * es};
    if (m->n_disc) a[k++] = (mirror_array){&mr->dev.d, h->d, (size_t)m->n_disc * ld * es};
    if (h->h) a[k++] = (mirror_array){&mr->dev.h, h->h, ld * es};
    a[k++] = (mirror_array){(void **)&mr->dev.flag, h->flag, (size_t)h->n * sizeof(int32_t)};
  }
  if (what & TW_MIRROR_PARAMS) a[k++] = (mirror_array){(void **)&mr->dev.p, h->p, (size_t)m->n_params * ld * es};
  if (what & TW_MIRROR_INPUTS)
    a[k++] = (mirror_array){(void **)&mr->dev.u, h->u, (size_t)mr->u_minutes * (size_t)m->n_inputs * ld * es};
  return k;
}

tw_status tw_physio_mirror_create(tw_backend *be, const tw_model *m, const tw_physio_batch *host, int u_minutes,
                                  tw_physio_mirror *mr) {
  memset(mr, 0, sizeof *mr);
  mr->host = host;
  mr->model = m;
  mr->u_minutes = u_minutes;
  mr->dev = *host;
  if (be->device.kind == TW_DEVICE_HOST) return TW_OK; /* the host batch itself */
  mr->owned = 1;
  if (!m->n_disc) mr->dev.d = NULL; /* never read; no host pointer on the device */
  mirror_array a[6];
  const int n = arrays(mr, TW_MIRROR_ALL, a);
  for (int k = 0; k < n; ++k) *a[k].dev = NULL;
  for (int k = 0; k < n; ++k) {
    tw_status st = be->alloc(be, a[k].bytes, a[k].dev);
    if (st != TW_OK) {
      tw_physio_mirror_destroy(be, mr);
      return st;
    }
  }
  return TW_OK;
}

static tw_status copy(tw_backend *be, tw_physio_mirror *mr, unsigned what, int to_device) {
  if (!mr->owned) { /* a host backend: the batch is the host's, wherever its pointers now are */
    mr->dev = *mr->host;
    return TW_OK;
  }
  mirror_array a[6];
  const int n = arrays(mr, what, a);
  for (int k = 0; k < n; ++k) {
    if (to_device) TW_TRY(be->copy(be, *a[k].dev, a[k].host, a[k].bytes, TW_COPY_HOST_TO_DEVICE));
    else TW_TRY(be->copy(be, (void *)a[k].host, *a[k].dev, a[k].bytes, TW_COPY_DEVICE_TO_HOST));
  }
  return TW_OK;
}

tw_status tw_physio_mirror_push(tw_backend *be, tw_physio_mirror *mr, unsigned what) { return copy(be, mr, what, 1); }

tw_status tw_physio_mirror_pull(tw_backend *be, tw_physio_mirror *mr, unsigned what) {
  if (what & ~(unsigned)TW_MIRROR_STATE)
    return TW_FAIL(TW_ERR_INTERNAL, "physio mirror: only the state comes back from the device");
  return copy(be, mr, what, 0);
}

void tw_physio_mirror_destroy(tw_backend *be, tw_physio_mirror *mr) {
  if (mr->owned) {
    mirror_array a[6];
    const int n = arrays(mr, TW_MIRROR_ALL, a);
    for (int k = 0; k < n; ++k)
      if (*a[k].dev) (void)be->free(be, *a[k].dev);
  }
  memset(mr, 0, sizeof *mr);
}
