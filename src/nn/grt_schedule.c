/*
** grt_schedule.c: how chunks of twins are spread over the hardware.
**
** On a GPU one chunk runs at a time and each kernel fills the device. On the
** host the opposite works better: a GRT step is a few small products and
** pointwise loops, and splitting each of them over threads costs a hand-off
** between thread pools (OpenMP for the loops, OpenBLAS's own for the products)
** per product, many per step. So the host runs one chunk per OpenMP thread,
** each with single-threaded OpenBLAS calls and the kernels' OpenMP loops
** running inline (nested regions are inactive), and the threads meet only once
** per round of chunks. Chunk boundaries depend only on the chunk size, so
** every twin's results are the same whatever the number of threads.
*/
#include "nn/grt_internal.h"

#include <stdio.h> /* snprintf */

#include "build_info.h" /* TW_HAVE_OPENBLAS */
#if TW_HAVE_OPENBLAS
#include <cblas.h> /* openblas_get_num_threads, openblas_set_num_threads */
#endif
#if defined(_OPENMP)
#include <omp.h> /* omp_get_max_threads, omp_get_thread_num */
#endif

enum { MAX_SLOTS = 128 };

int grt_host_slots(const tw_backend *be) {
#if defined(_OPENMP)
  if (be->device.kind == TW_DEVICE_HOST) return TW_MIN(omp_get_max_threads(), MAX_SLOTS);
#endif
  return 1;
}

int tw_grt_default_chunk(const tw_backend *be, const tw_grt_sizes *sz, int B, int T, int train, size_t max_bytes) {
  /* host: 32 twins keep a step's gates (32*N*4Hr floats, 330 KB for the
  ** reference model) in L2; GPU: as many as the memory budget allows */
  int chunk = be->device.kind == TW_DEVICE_HOST ? 32 : B;
  if (max_bytes) {
    const size_t per_twin = tw_grt_workspace_floats(sz, 1, T, train) * sizeof(float);
    const size_t fit = max_bytes / (per_twin ? per_twin : 1);
    if ((size_t)chunk > fit) chunk = fit > 0 ? (int)fit : 1;
  }
  return TW_MAX(1, TW_MIN(chunk, B));
}

/* First error of a round of parallel chunks; the message is copied because
** error messages are per thread. */
typedef struct round_error {
  tw_status status;
  char message[512];
} round_error;

tw_status grt_run_chunks(tw_backend *be, const tw_grt_model *m, tw_grt_workspace *ws, int B, grt_chunk_fn fn,
                         grt_round_fn round_done, void *ctx) {
  const int slots = ws->slots, chunks = (B + ws->chunk - 1) / ws->chunk;
  const size_t per_slot = ws->floats / (size_t)slots;
  grt_ws_map maps[MAX_SLOTS];
  for (int s = 0; s < slots; ++s) {
    grt_ws_cut(&ws->sz, ws->chunk, ws->T, ws->train, ws->base + s * per_slot, &maps[s]);
    TW_TRY(grt_pack_wcat(be, m, &maps[s]));
  }
  if (be->device.kind != TW_DEVICE_HOST) {
    for (int k = 0; k < chunks; ++k) {
      TW_TRY(fn(ctx, &maps[0], 0, k * ws->chunk, TW_MIN(ws->chunk, B - k * ws->chunk)));
      if (round_done) TW_TRY(round_done(ctx, 1));
    }
    return TW_OK;
  }
#if TW_HAVE_OPENBLAS
  const int blas_threads = openblas_get_num_threads();
  openblas_set_num_threads(1);
#endif
  round_error err = {TW_OK, ""};
  for (int k0 = 0; k0 < chunks && err.status == TW_OK; k0 += slots) {
    const int in_round = TW_MIN(slots, chunks - k0);
#pragma omp parallel for num_threads(in_round) schedule(static, 1)
    for (int s = 0; s < in_round; ++s) {
      const int b0 = (k0 + s) * ws->chunk;
      tw_status st = fn(ctx, &maps[s], s, b0, TW_MIN(ws->chunk, B - b0));
      if (st != TW_OK) {
#pragma omp critical(grt_round_error)
        if (err.status == TW_OK) {
          err.status = st;
          snprintf(err.message, sizeof err.message, "%s", tw_error_message());
        }
      }
    }
    if (err.status == TW_OK && round_done) {
      tw_status st = round_done(ctx, in_round);
      if (st != TW_OK) err.status = st, snprintf(err.message, sizeof err.message, "%s", tw_error_message());
    }
  }
#if TW_HAVE_OPENBLAS
  openblas_set_num_threads(blas_threads);
#endif
  if (err.status != TW_OK) return TW_FAIL(err.status, "%s", err.message);
  return TW_OK;
}
