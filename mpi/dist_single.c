/*
** dist_single.c: the one-process distribution layer (see dist_single.h).
*/
#include "mpi/dist_single.h"

#include <string.h> /* memset */

#include "core/log.h" /* tw_log_set_rank */

void tw_dist_single_init(tw_dist *d) {
  memset(d, 0, sizeof *d);
  d->size = 1;
  d->local_size = 1;
  tw_log_set_rank(0, 1);
}

tw_status tw_dist_single_sum_chunks_f64(const tw_partition *p, const double *local, int width, double *global) {
  if (p->chunk_begin != 0 || p->chunk_end != p->n_chunks)
    return TW_FAIL(TW_ERR_INTERNAL, "chunk sum: a single process must own all %lld chunks, owns [%lld, %lld)",
                   (long long)p->n_chunks, (long long)p->chunk_begin, (long long)p->chunk_end);
  tw_sum_chunk_rows_f64(local, p->n_chunks, width, global);
  return TW_OK;
}

tw_status tw_dist_single_bcast(int root) {
  if (root != 0) return TW_FAIL(TW_ERR_INTERNAL, "broadcast from rank %d of 1", root);
  return TW_OK;
}
