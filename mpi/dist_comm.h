/*
** dist_comm.h: the MPI communicator behind a tw_dist, for code that calls MPI
** (or MPI-IO through parallel HDF5) itself.
**
** dist.h keeps MPI out of its interface so that serial builds need no mpi.h;
** this header is included only where mpi.h already is.
*/
#ifndef TW_DIST_COMM_H
#define TW_DIST_COMM_H

#include <mpi.h> /* MPI_Comm */

#include "mpi/dist.h" /* tw_dist */

/* The communicator of an initialised multi-process tw_dist. */
static inline MPI_Comm tw_dist_comm(const tw_dist *d) { return *(const MPI_Comm *)d->comm; }

#endif
