/*
** dist_single.h: the distribution layer of one process (rank 0 of 1), shared by
** the build without MPI (dist_serial.c) and the MPI build run without a launcher
** (dist_mpi.c: `twinscale simulate` started by hand does not initialise MPI).
**
** Reductions are the identity except the chunk sum, which still adds the chunk
** rows in chunk order so that one process gives the same bits as many.
*/
#ifndef TW_DIST_SINGLE_H
#define TW_DIST_SINGLE_H

#include "mpi/dist.h" /* tw_dist, tw_partition */

TW_EXTERN_C_BEGIN

/* d becomes rank 0 of 1, comm NULL, owns_mpi 0. */
void tw_dist_single_init(tw_dist *d);
tw_status tw_dist_single_sum_chunks_f64(const tw_partition *p, const double *local, int width, double *global);
tw_status tw_dist_single_bcast(int root);

TW_EXTERN_C_END

#endif
