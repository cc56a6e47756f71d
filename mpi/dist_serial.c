/*
** dist_serial.c: the distribution layer of a build without MPI: one process,
** rank 0 of 1, owning every chunk.
**
** Reductions are the identity except the chunk sum, which still adds the chunk
** rows in chunk order so that a serial run gives the same bits as an MPI run.
*/
#include "mpi/dist.h"

#include <string.h> /* memset */

#include "core/log.h" /* tw_log_set_rank */

tw_status tw_dist_init(int *argc, char ***argv, tw_dist *d) {
  memset(d, 0, sizeof *d);
  d->size = 1;
  d->local_size = 1;
  tw_log_set_rank(0, 1);
  return TW_OK;
}

tw_status tw_dist_finalize(tw_dist *d) { return TW_OK; }

tw_status tw_dist_barrier(const tw_dist *d) { return TW_OK; }

int tw_dist_has_mpi(void) { return 0; }

tw_status tw_dist_sum_chunks_f64(const tw_dist *d, const tw_partition *p, const double *local, int width,
                                 double *global) {
  if (p->chunk_begin != 0 || p->chunk_end != p->n_chunks)
    return TW_FAIL(TW_ERR_INTERNAL, "chunk sum: a single process must own all %lld chunks, owns [%lld, %lld)",
                   (long long)p->n_chunks, (long long)p->chunk_begin, (long long)p->chunk_end);
  tw_sum_chunk_rows_f64(local, p->n_chunks, width, global);
  return TW_OK;
}

tw_status tw_dist_max_f64(const tw_dist *d, double *values, int n) { return TW_OK; }
tw_status tw_dist_min_f64(const tw_dist *d, double *values, int n) { return TW_OK; }
tw_status tw_dist_sum_i64(const tw_dist *d, int64_t *values, int n) { return TW_OK; }
tw_status tw_dist_agree(const tw_dist *d, tw_status local) { return local; }
tw_status tw_dist_bcast(const tw_dist *d, void *buf, size_t bytes, int root) {
  if (root != 0) return TW_FAIL(TW_ERR_INTERNAL, "broadcast from rank %d of 1", root);
  return TW_OK;
}
