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
#include <omp.h> /* omp_get_thread_num */
#endif

int tw_grt_default_chunk(const tw_backend *be, const tw_grt_sizes *sz, int B, int T, int train, size_t max_bytes) {
  /* host: 16 twins keep a step's gates (16*N*4Hr floats, 160 KB for the
  ** reference model) in L2 and two slots' whole buffers (10 MB each for T=24
  ** forward, 14 MB with backward) in a 32 MB L3; GPU: as many as the memory
  ** budget allows */
  int chunk = be->device.kind == TW_DEVICE_HOST ? 16 : B;
  if (max_bytes) {
    const size_t per_twin = tw_grt_workspace_floats(sz, 1, T, train) * sizeof(float);
    const size_t fit = max_bytes / (per_twin ? per_twin : 1);
    if ((size_t)chunk > fit) chunk = fit > 0 ? (int)fit : 1;
  }
  return TW_MAX(1, TW_MIN(TW_MIN(chunk, B), tw_grt_max_chunk(sz, T)));
}

static int thread_num(void) {
#if defined(_OPENMP)
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/* Inside a parallel region already (a trial's slices, one per thread, each
** rolling out its own twins): the team here is the caller alone, and OpenBLAS
** runs single-threaded there anyway. Its thread count is a process-wide
** setting, so it is left alone rather than set and restored by several
** threads at once. */
static int in_parallel(void) {
#if defined(_OPENMP)
  return omp_in_parallel();
#else
  return 0;
#endif
}

tw_status grt_parallel(tw_backend *be, int n, int threads, int dynamic, grt_task_fn fn, void *ctx) {
  if (be->device.kind != TW_DEVICE_HOST) {
    for (int k = 0; k < n; ++k) TW_TRY(fn(ctx, k, 0));
    return TW_OK;
  }
#if TW_HAVE_OPENBLAS
  const int nested = in_parallel(), blas_threads = nested ? 1 : openblas_get_num_threads();
  if (!nested) openblas_set_num_threads(1);
#endif
  /* the first error; its message is copied because messages are per thread */
  tw_status first = TW_OK;
  char message[512] = "";
#pragma omp parallel num_threads(threads)
  {
    const int slot = thread_num();
    tw_status st = TW_OK;
    if (dynamic) {
#pragma omp for schedule(dynamic, 1)
      for (int k = 0; k < n; ++k)
        if (st == TW_OK) st = fn(ctx, k, slot);
    } else {
#pragma omp for schedule(static, 1)
      for (int k = 0; k < n; ++k)
        if (st == TW_OK) st = fn(ctx, k, slot);
    }
    if (st != TW_OK) {
#pragma omp critical(grt_parallel_error)
      if (first == TW_OK) {
        first = st;
        snprintf(message, sizeof message, "%s", tw_error_message());
      }
    }
  }
#if TW_HAVE_OPENBLAS
  if (!nested) openblas_set_num_threads(blas_threads);
#endif
  if (first != TW_OK) return TW_FAIL(first, "%s", message);
  return TW_OK;
}

/* What grt_run_chunks' tasks need: chunk k0 + k runs on the caller's slot. */
typedef struct chunks_ctx {
  const tw_grt_workspace *ws;
  const grt_ws_map *maps;
  grt_chunk_fn fn;
  void *ctx;
  int B, k0;
} chunks_ctx;

static tw_status chunk_task(void *ctx, int k, int slot) {
  const chunks_ctx *r = ctx;
  const int b0 = (r->k0 + k) * r->ws->chunk;
  return r->fn(r->ctx, &r->maps[slot], k, b0, TW_MIN(r->ws->chunk, r->B - b0));
}

tw_status grt_run_chunks(tw_backend *be, const tw_grt_model *m, tw_grt_workspace *ws, int B, grt_chunk_fn fn,
                         grt_round_fn round_done, void *ctx) {
  const int slots = ws->slots, chunks = (B + ws->chunk - 1) / ws->chunk;
  const size_t per_slot = ws->floats / (size_t)slots;
  grt_ws_map maps[GRT_MAX_SLOTS];
  for (int s = 0; s < slots; ++s) {
    grt_ws_cut(&ws->sz, ws->chunk, ws->T, ws->train, ws->base + s * per_slot, &maps[s]);
    TW_TRY(grt_pack_wcat(be, m, &maps[s]));
  }
  chunks_ctx r = {ws, maps, fn, ctx, B, 0};
  /* Without a combine step (forward) chunks are handed out as threads free up,
  ** so a thread slowed by other load does not hold the rest back. */
  if (!round_done) return grt_parallel(be, chunks, slots, 1, chunk_task, &r);
  /* With one, rounds of `slots` chunks, chunk k0 + k on thread k, then combine. */
  for (r.k0 = 0; r.k0 < chunks; r.k0 += slots) {
    const int in_round = TW_MIN(slots, chunks - r.k0);
    TW_TRY(grt_parallel(be, in_round, slots, 0, chunk_task, &r));
    TW_TRY(round_done(ctx, in_round));
  }
  return TW_OK;
}
