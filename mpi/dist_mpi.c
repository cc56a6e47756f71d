/*
** dist_mpi.c: the distribution layer over MPI.
**
** The layer works on its own duplicate of MPI_COMM_WORLD with errors returned
** (not fatal), so every MPI call reports through TW_MPI_CHECK and a failure
** travels up as a tw_status like any other. MPI is started here unless the host
** program already did (a test harness, a coupled code); only what this layer
** started does it finalize.
**
** A process no launcher started (no mpirun, srun, ... variables in its
** environment) does not start MPI: it runs as the one-process layer
** (dist_single.c, d->comm NULL), which every entry below falls back to. Open
** MPI's singleton MPI_Init costs ~0.3 s (it starts a runtime daemon), most of a
** small `simulate`; results are the same bits either way.
**
** The deterministic chunk sum gathers every chunk's partial sums to every rank
** in chunk order (ranks own contiguous chunk ranges in rank order, so an
** Allgatherv lays them out exactly so) and then adds them in chunk order, the
** same loop a single process runs: the bits cannot depend on the rank count.
*/
#include <limits.h> /* INT_MAX */
#include <mpi.h>    /* the MPI API */
#include <stdlib.h> /* malloc, free, getenv */
#include <string.h> /* memset, strncpy */

#include "core/check.h" /* TW_MPI_CHECK */
#include "core/log.h"   /* tw_log_set_rank */
#include "mpi/dist.h"
#include "mpi/dist_comm.h" /* tw_dist_comm */
#include "mpi/dist_single.h" /* the one-process layer, without a launcher */

int tw_dist_has_mpi(void) { return 1; }

int tw_dist_launched(void) {
  const char *force = getenv("TWINSCALE_MPI");
  if (force && *force) return strcmp(force, "0") != 0;
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "PMI_FD",
                                     "MV2_COMM_WORLD_RANK", "SLURM_STEP_ID", NULL};
  for (const char *const *v = vars; *v; ++v)
    if (getenv(*v)) return 1;
  return 0;
}

/* Rank and size among the processes that share this node's memory. */
static tw_status node_local_rank(MPI_Comm comm, int rank, int *local_rank, int *local_size) {
  MPI_Comm node;
  TW_MPI_CHECK(MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &node));
  int rc_rank = MPI_Comm_rank(node, local_rank);
  int rc_size = MPI_Comm_size(node, local_size);
  TW_MPI_CHECK(MPI_Comm_free(&node));
  TW_MPI_CHECK(rc_rank);
  TW_MPI_CHECK(rc_size);
  return TW_OK;
}

/* Duplicates world into *comm with errors returned, and fills d from it. */
static tw_status setup(MPI_Comm *comm, tw_dist *d) {
  TW_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, comm));
  d->comm = comm;
  TW_MPI_CHECK(MPI_Comm_set_errhandler(*comm, MPI_ERRORS_RETURN));
  TW_MPI_CHECK(MPI_Comm_rank(*comm, &d->rank));
  TW_MPI_CHECK(MPI_Comm_size(*comm, &d->size));
  TW_TRY(node_local_rank(*comm, d->rank, &d->local_rank, &d->local_size));
  return TW_OK;
}

tw_status tw_dist_init(int *argc, char ***argv, tw_dist *d) {
  memset(d, 0, sizeof *d);
  int running = 0, finished = 0;
  TW_MPI_CHECK(MPI_Initialized(&running));
  TW_MPI_CHECK(MPI_Finalized(&finished));
  if (finished) return TW_FAIL(TW_ERR_INTERNAL, "MPI was already finalized");
  if (!running && !tw_dist_launched()) {
    tw_dist_single_init(d);
    return TW_OK;
  }
  if (!running) {
    /* Only the main thread calls MPI; OpenMP workers never do. */
    int provided = 0;
    TW_MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
    d->owns_mpi = 1;
  }
  MPI_Comm *comm = malloc(sizeof *comm);
  if (!comm) return TW_FAIL(TW_ERR_NOMEM, "out of memory for the MPI communicator");
  *comm = MPI_COMM_NULL;
  tw_status st = setup(comm, d);
  if (st != TW_OK) {
    if (*comm != MPI_COMM_NULL) MPI_Comm_free(comm);
    free(comm);
    d->comm = NULL;
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  tw_log_set_rank(d->rank, d->size);
  return TW_OK;
}

tw_status tw_dist_finalize(tw_dist *d) {
  if (d->comm) {
    MPI_Comm *comm = d->comm;
    d->comm = NULL;
    int rc = MPI_Comm_free(comm);
    free(comm);
    TW_MPI_CHECK(rc);
  }
  if (d->owns_mpi) {
    d->owns_mpi = 0;
    TW_MPI_CHECK(MPI_Finalize());
  }
  return TW_OK;
}

tw_status tw_dist_barrier(const tw_dist *d) {
  if (!d->comm) return TW_OK;
  TW_MPI_CHECK(MPI_Barrier(tw_dist_comm(d)));
  return TW_OK;
}

tw_status tw_dist_sum_chunks_f64(const tw_dist *d, const tw_partition *p, const double *local, int width,
                                 double *global) {
  if (!d->comm) return tw_dist_single_sum_chunks_f64(p, local, width, global);
  if (p->n_chunks > INT_MAX / (width > 0 ? width : 1))
    return TW_FAIL(TW_ERR_UNSUPPORTED,
                   "chunk sum: %lld chunks x %d values exceed one MPI message; use a larger chunk size",
                   (long long)p->n_chunks, width);
  int *counts = malloc(2 * (size_t)d->size * sizeof *counts);
  double *rows = malloc((size_t)(p->n_chunks > 0 ? p->n_chunks : 1) * (size_t)(width > 0 ? width : 1) * sizeof *rows);
  tw_status st = TW_OK;
  if (!counts || !rows) {
    st = TW_FAIL(TW_ERR_NOMEM, "chunk sum: out of memory for %lld x %d partial sums", (long long)p->n_chunks, width);
    goto done;
  }
  // rows is (n_chunks, width): rank r's chunks land at row chunk_begin(r), in rank order
  int *displs = counts + d->size;
  for (int r = 0; r < d->size; ++r) {
    tw_partition pr = tw_partition_make(p->n_twins, p->chunk_size, r, d->size);
    counts[r] = (int)((pr.chunk_end - pr.chunk_begin) * width);
    displs[r] = (int)(pr.chunk_begin * width);
  }
  if (displs[d->rank] != p->chunk_begin * width || counts[d->rank] != (p->chunk_end - p->chunk_begin) * width) {
    st = TW_FAIL(TW_ERR_INTERNAL, "chunk sum: the partition [%lld, %lld) is not rank %d of %d's",
                 (long long)p->chunk_begin, (long long)p->chunk_end, d->rank, d->size);
    goto done;
  }
  int rc = MPI_Allgatherv(local, counts[d->rank], MPI_DOUBLE, rows, counts, displs, MPI_DOUBLE, tw_dist_comm(d));
  if (rc != MPI_SUCCESS) {
    st = TW_FAIL(TW_ERR_LIBRARY, "MPI call MPI_Allgatherv failed: %s", tw_mpi_error_string(rc));
    goto done;
  }
  tw_sum_chunk_rows_f64(rows, p->n_chunks, width, global);
done:
  free(counts);
  free(rows);
  return st;
}

tw_status tw_dist_max_f64(const tw_dist *d, double *values, int n) {
  if (!d->comm) return TW_OK;
  TW_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values, n, MPI_DOUBLE, MPI_MAX, tw_dist_comm(d)));
  return TW_OK;
}

tw_status tw_dist_min_f64(const tw_dist *d, double *values, int n) {
  if (!d->comm) return TW_OK;
  TW_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values, n, MPI_DOUBLE, MPI_MIN, tw_dist_comm(d)));
  return TW_OK;
}

tw_status tw_dist_sum_i64(const tw_dist *d, int64_t *values, int n) {
  if (!d->comm) return TW_OK;
  TW_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values, n, MPI_INT64_T, MPI_SUM, tw_dist_comm(d)));
  return TW_OK;
}

tw_status tw_dist_bcast(const tw_dist *d, void *buf, size_t bytes, int root) {
  if (!d->comm) return tw_dist_single_bcast(root);
  /* MPI counts are int: large buffers go in pieces. */
  for (size_t done = 0; done < bytes;) {
    size_t piece = TW_MIN(bytes - done, (size_t)INT_MAX);
    TW_MPI_CHECK(MPI_Bcast((char *)buf + done, (int)piece, MPI_BYTE, root, tw_dist_comm(d)));
    done += piece;
  }
  return TW_OK;
}

tw_status tw_dist_allgather_blocks(const tw_dist *d, void *buf, int64_t n_blocks, size_t block_bytes) {
  if (!d->comm || d->size == 1) return TW_OK;
  int *counts = malloc((size_t)d->size * 2 * sizeof *counts), *displs = counts + d->size;
  if (!counts) return TW_FAIL(TW_ERR_NOMEM, "out of memory gathering blocks");
  int64_t lo, hi;
  for (int r = 0; r < d->size; ++r) {
    tw_dist_block_range(n_blocks, r, d->size, &lo, &hi);
    const int64_t bytes = (hi - lo) * (int64_t)block_bytes, at = lo * (int64_t)block_bytes;
    if (at + bytes > INT_MAX) return free(counts), TW_FAIL(TW_ERR_UNSUPPORTED, "gathering over 2 GiB of blocks");
    counts[r] = (int)bytes, displs[r] = (int)at;
  }
  const int rc = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, buf, counts, displs, MPI_BYTE, tw_dist_comm(d));
  free(counts);
  TW_MPI_CHECK(rc);
  return TW_OK;
}

tw_status tw_dist_agree(const tw_dist *d, tw_status local) {
  /* Everyone learns every rank's code; the first failing rank then tells the
  ** others its message, so that rank 0 can report an error found on rank 3. */
  if (!d->comm) return local;
  int mine = (int)local;
  int *codes = malloc((size_t)d->size * sizeof *codes);
  if (!codes) return TW_FAIL(TW_ERR_NOMEM, "out of memory agreeing on a status");
  int rc = MPI_Allgather(&mine, 1, MPI_INT, codes, 1, MPI_INT, tw_dist_comm(d));
  int first = -1;
  for (int r = 0; rc == MPI_SUCCESS && r < d->size && first < 0; ++r)
    if (codes[r] != TW_OK) first = r;
  tw_status agreed = first < 0 ? TW_OK : (tw_status)codes[first];
  free(codes);
  TW_MPI_CHECK(rc);
  if (first < 0) return TW_OK;
  char message[1024];
  memset(message, 0, sizeof message);
  if (d->rank == first) strncpy(message, tw_error_message(), sizeof message - 1);
  TW_TRY(tw_dist_bcast(d, message, sizeof message, first));
  if (d->rank == first) return local;
  return TW_FAIL(agreed, "rank %d: %s", first, message);
}
