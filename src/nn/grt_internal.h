/*
** grt_internal.h: what the GRT entry points in src/nn/ share and nobody else
** needs: cutting a workspace, spreading chunks over the hardware, the per-chunk
** forward, the GNN and head, and a float32 GEMM shorthand over the backend's
** strided-batched GEMM. Private to src/nn/ (docs/architecture.md): code outside
** that plugs in its own LSTM uses grt_lstm_hooks.h instead.
**
** Internal layout is time-major: a "row" is one (t, b, n), R = T*Bc*N rows for
** a chunk of Bc twins, Bn = Bc*N rows per step.
*/
#ifndef TW_GRT_INTERNAL_H
#define TW_GRT_INTERNAL_H

#include "nn/grt.h"           /* model, batch, workspace */
#include "nn/grt_lstm_hooks.h" /* grt_ws_map, the LSTM hooks */
#include "nn/nn_ops.h"        /* the kernel table */

TW_EXTERN_C_BEGIN

/* The most slots (host threads) a workspace is cut into. */
enum { GRT_MAX_SLOTS = 128 };

/* Takes n floats from a running offset *used, each buffer starting on a
** 64-byte boundary; with base NULL only counts. */
float *grt_take(float *base, size_t *used, size_t n);

/* Cuts one slot of a workspace into buffers (base NULL: only counts); returns
** the floats one slot uses. */
size_t grt_ws_cut(const tw_grt_sizes *sz, int chunk, int T, int train, float *base, grt_ws_map *map);

/* Runs fn(ctx, k, slot) for k in [0, n): on the host in parallel on `threads`
** OpenMP threads (slot = the thread's number, < threads) with single-threaded
** products (OpenBLAS set to 1 thread meanwhile), k handed out as threads free
** up (dynamic) or k on thread k % threads (static); on a GPU in order on slot 0.
** Returns the first error. */
typedef tw_status (*grt_task_fn)(void *ctx, int k, int slot);
tw_status grt_parallel(tw_backend *be, int n, int threads, int dynamic, grt_task_fn fn, void *ctx);

/* Slots a workspace gets on this backend: OpenMP threads on the host (at most
** GRT_MAX_SLOTS), 1 on a GPU. */
int grt_host_slots(const tw_backend *be);

/* Runs fn on every chunk of B twins (chunk k is twins [k*chunk, ...)), each on
** the buffers of the slot that runs it. Without round_done, chunks go to threads
** as they free up; with it, chunks run in rounds of `slots` and after each round
** round_done runs on one thread with the number of chunks the round had, so the
** round's results (indexed by `pos`, the chunk's place in its round) can be
** combined in chunk order. fn's slot buffers already hold the packed GNN weights. */
typedef tw_status (*grt_chunk_fn)(void *ctx, const grt_ws_map *w, int pos, int b0, int bc);
typedef tw_status (*grt_round_fn)(void *ctx, int chunks);
tw_status grt_run_chunks(tw_backend *be, const tw_grt_model *m, tw_grt_workspace *ws, int B, grt_chunk_fn fn,
                         grt_round_fn round_done, void *ctx);

/* Checks the batch against the model and the workspace; names the bad argument. */
tw_status grt_check_call(const tw_grt_model *m, const tw_grt_batch *batch, const tw_grt_workspace *ws, int train);

/* Packs [W_self_l; W_nbr_l] of every layer into map->wcat. */
tw_status grt_pack_wcat(tw_backend *be, const tw_grt_model *m, const grt_ws_map *map);

/* Forward of twins [b0, b0+bc) into the workspace's buffers, the LSTM through
** `lstm` (not NULL; grt_lstm_generic_seq with be as ctx is the generic one): y,
** h, c (full-batch tensors, each may be NULL) receive the chunk's slices. */
tw_status grt_chunk_forward(tw_backend *be, const tw_grt_model *m, const tw_grt_batch *batch, int b0, int bc,
                            const grt_ws_map *w, int train, float *y, float *h, float *c, grt_lstm_seq_fn lstm,
                            void *lstm_ctx);

/* The generic sequence LSTM (ctx: the tw_backend): one input-projection product
** for all steps, then per step the recurrent product and the backend's cell. */
tw_status grt_lstm_generic_seq(void *ctx, const tw_grt_model *m, int T, int64_t bn, const grt_ws_map *w, int train,
                               const float **c_last);

/* GNN layers and head for T steps' worth of rows of a chunk: used by the chunk
** forward (all T steps at once) and by rollout (one step). */
tw_status grt_gnn(tw_backend *be, const tw_grt_model *m, int T, int bc, const float *adj, int adj_per_twin,
                  const float *x, float *const *wcat, float *ycat, float *const *z);
tw_status grt_head(tw_backend *be, const tw_grt_model *m, int64_t rows, const float *h, float *a1, float *y);

/* c = alpha*op(a)*op(b) + beta*c in float32, one product, row-major. */
tw_status grt_gemm(tw_backend *be, int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a,
                   int64_t lda, const float *b, int64_t ldb, float beta, float *c, int64_t ldc);

/* Copies `bytes` of src + offset into dst (an initial h or c), or zeros dst when src is NULL. */
tw_status grt_load_state(tw_backend *be, const float *src, int64_t offset, size_t bytes, float *dst);

TW_EXTERN_C_END

#endif
