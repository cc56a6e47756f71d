/*
** partition.c: the fixed-size chunk partition of twin ids (DESIGN.md
** invariant 3) and the chunk-order sum, shared by the MPI layer and its
** single-process stand-in.
**
** Ids 0..n-1 are cut into C = ceil(n/chunk) chunks; rank r of `size` owns chunks
** [floor(r*C/size), floor((r+1)*C/size)). The chunk boundaries never depend on
** the rank count, which is what lets a sum formed per chunk and combined in chunk
** order come out bit-identical on 1 or 1000 ranks.
*/
#include "mpi/dist.h"

#include <assert.h> /* invariants of the arguments */

/* floor(r * C / size) without forming r*C, which overflows int64 for huge C:
** with C = q*size + m, r*C/size = r*q + r*m/size and r*m < size^2 fits. */
static int64_t split_point(int64_t n_chunks, int r, int size) {
  int64_t q = n_chunks / size, m = n_chunks % size;
  return (int64_t)r * q + ((int64_t)r * m) / size;
}

/* ceil(n / chunk), without the overflow of n + chunk - 1. */
static int64_t chunk_count(int64_t n_twins, int64_t chunk_size) {
  return n_twins / chunk_size + (n_twins % chunk_size != 0);
}

/* First id of chunk c, clamped to n (c may be n_chunks, the end). */
static int64_t chunk_first_id(int64_t n_twins, int64_t chunk_size, int64_t c) {
  return c >= chunk_count(n_twins, chunk_size) ? n_twins : c * chunk_size;
}

tw_partition tw_partition_make(int64_t n_twins, int64_t chunk_size, int rank, int size) {
  assert(n_twins >= 0 && chunk_size > 0 && size > 0 && rank >= 0 && rank < size);
  tw_partition p = {0};
  /* Arguments that break the contract give an empty partition in release builds
  ** rather than a division by zero. */
  if (n_twins < 0 || chunk_size <= 0 || size <= 0 || rank < 0 || rank >= size) return p;
  p.n_twins = n_twins;
  p.chunk_size = chunk_size;
  p.n_chunks = chunk_count(n_twins, chunk_size);
  p.chunk_begin = split_point(p.n_chunks, rank, size);
  p.chunk_end = split_point(p.n_chunks, rank + 1, size);
  p.id_begin = chunk_first_id(n_twins, chunk_size, p.chunk_begin);
  p.id_end = chunk_first_id(n_twins, chunk_size, p.chunk_end);
  return p;
}

void tw_partition_chunk_ids(const tw_partition *p, int64_t chunk, int64_t *begin, int64_t *end) {
  assert(chunk >= 0 && chunk < p->n_chunks);
  *begin = chunk_first_id(p->n_twins, p->chunk_size, chunk);
  *end = chunk_first_id(p->n_twins, p->chunk_size, chunk + 1);
}

void tw_sum_chunk_rows_f64(const double *rows, int64_t n_chunks, int width, double *out) {
  // rows is (n_chunks, width); out is (width)
  for (int w = 0; w < width; ++w) out[w] = 0.0;
  for (int64_t c = 0; c < n_chunks; ++c)
    for (int w = 0; w < width; ++w) out[w] += rows[c * width + w];
}

void tw_dist_block_range(int64_t n_blocks, int rank, int size, int64_t *lo, int64_t *hi) {
  *lo = split_point(n_blocks, rank, size);
  *hi = split_point(n_blocks, rank + 1, size);
}
