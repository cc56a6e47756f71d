/*
** dist_serial.c: the distribution layer of a build without MPI: one process,
** rank 0 of 1, owning every chunk (dist_single.c does the work).
*/
#include "mpi/dist.h"

#include "mpi/dist_single.h" /* the one-process layer */

tw_status tw_dist_init(int *argc, char ***argv, tw_dist *d) {
  tw_dist_single_init(d);
  return TW_OK;
}

tw_status tw_dist_finalize(tw_dist *d) { return TW_OK; }

tw_status tw_dist_barrier(const tw_dist *d) { return TW_OK; }

int tw_dist_has_mpi(void) { return 0; }

int tw_dist_launched(void) { return 0; }

tw_status tw_dist_sum_chunks_f64(const tw_dist *d, const tw_partition *p, const double *local, int width,
                                 double *global) {
  return tw_dist_single_sum_chunks_f64(p, local, width, global);
}

tw_status tw_dist_max_f64(const tw_dist *d, double *values, int n) { return TW_OK; }
tw_status tw_dist_min_f64(const tw_dist *d, double *values, int n) { return TW_OK; }
tw_status tw_dist_sum_i64(const tw_dist *d, int64_t *values, int n) { return TW_OK; }
tw_status tw_dist_agree(const tw_dist *d, tw_status local) { return local; }
tw_status tw_dist_bcast(const tw_dist *d, void *buf, size_t bytes, int root) { return tw_dist_single_bcast(root); }

tw_status tw_dist_allgather_blocks(const tw_dist *d, void *buf, int64_t n_blocks, size_t block_bytes) { return TW_OK; }
