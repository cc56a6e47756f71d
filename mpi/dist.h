/*
** dist.h: the distribution layer: which twins a process owns, and how partial
** results from all processes are combined.
**
** With TW_MPI the layer wraps MPI (dist_mpi.c); without it a single-process
** stand-in (dist_serial.c) gives rank 0 of 1 with the same interface, so the
** orchestration code never tests for MPI.
**
** Twins have global 64-bit ids 0..n-1 and are cut into chunks of a fixed size
** (DESIGN.md invariant 3). Chunk c holds ids [c*chunk, min((c+1)*chunk, n));
** rank r owns the contiguous chunk range [r*C/size, (r+1)*C/size) for C chunks.
** Sums over twins are formed per chunk in id order and combined in chunk order,
** so a result does not depend on how many ranks there were.
*/
#ifndef TW_DIST_H
#define TW_DIST_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

typedef struct tw_dist {
  int rank, size;             /* in the world communicator */
  int local_rank, local_size; /* among the processes on this node */
  int owns_mpi;               /* this layer called MPI_Init and will finalize */
  void *comm;                 /* points to an MPI_Comm (a duplicate of world, errors returned, not
                                 fatal; read it with tw_dist_comm in mpi/dist_comm.h); NULL in
                                 serial builds and before init */
} tw_dist;

/* Fills `d`, starting MPI when an MPI launcher started this process and MPI is
** not running yet. Without a launcher (a process started by hand) the layer runs
** as one process, rank 0 of 1, without initialising MPI at all: MPI_Init costs a
** few hundred milliseconds (Open MPI's singleton start), more than a small run.
** TWINSCALE_MPI=1 forces MPI_Init, TWINSCALE_MPI=0 forbids it (tw_dist_launched).
** A no-op in serial builds. */
tw_status tw_dist_init(int *argc, char ***argv, tw_dist *d);
/* Whether this process should start MPI: TWINSCALE_MPI=1/0 if set, else whether
** a launcher's variables are in the environment (Open MPI's OMPI_COMM_WORLD_SIZE,
** PMIx's PMIX_RANK, PMI's PMI_RANK/PMI_SIZE (MPICH, Intel MPI), MVAPICH's
** MV2_COMM_WORLD_RANK, Slurm's SLURM_PROCID under srun). 0 in serial builds. */
int tw_dist_launched(void);
tw_status tw_dist_finalize(tw_dist *d);
tw_status tw_dist_barrier(const tw_dist *d);
/* True when this build was compiled with MPI. */
int tw_dist_has_mpi(void);

enum { TW_DEFAULT_CHUNK = 1024 };

typedef struct tw_partition {
  int64_t n_twins, chunk_size, n_chunks;
  int64_t chunk_begin, chunk_end; /* chunks owned by this rank: [begin, end) */
  int64_t id_begin, id_end;       /* twin ids owned by this rank: [begin, end) */
} tw_partition;

/* The partition of n_twins ids into chunks of chunk_size over `size` ranks, as
** seen by `rank`. chunk_size must be positive. */
tw_partition tw_partition_make(int64_t n_twins, int64_t chunk_size, int rank, int size);
/* Ids of chunk c: [*begin, *end). */
void tw_partition_chunk_ids(const tw_partition *p, int64_t chunk, int64_t *begin, int64_t *end);
/* The chunk-order sum that every deterministic reduction ends with: rows is
** (n_chunks, width), out (width) receives, for each column, ((0 + rows[0]) + rows[1]) + ...
** The one place the order of those additions is written down. */
void tw_sum_chunk_rows_f64(const double *rows, int64_t n_chunks, int width, double *out);

/* Deterministic sum over twins. `local` holds, for each chunk this rank owns (in
** order), `width` partial sums already formed in id order within the chunk:
** local is (chunk_end - chunk_begin, width). Every rank receives in `global`
** (width) the sum over all chunks taken in chunk order: bit-identical for any
** number of ranks. */
tw_status tw_dist_sum_chunks_f64(const tw_dist *d, const tw_partition *p, const double *local, int width,
                                 double *global);
/* Elementwise max and min over ranks (exact, so order does not matter). */
tw_status tw_dist_max_f64(const tw_dist *d, double *values, int n);
tw_status tw_dist_min_f64(const tw_dist *d, double *values, int n);
/* Sum of integers over ranks (exact). */
tw_status tw_dist_sum_i64(const tw_dist *d, int64_t *values, int n);
/* Broadcasts a status from any failing rank: returns the first failing rank's code
** on every rank (TW_OK when none failed), so all ranks stop together. The ranks
** that did not fail receive that rank's message as "rank R: message". */
tw_status tw_dist_agree(const tw_dist *d, tw_status local);
/* Every rank receives root's `bytes` bytes of buf (config text, an NCCL unique id). */
tw_status tw_dist_bcast(const tw_dist *d, void *buf, size_t bytes, int root);

/* The blocks [*lo, *hi) of n_blocks that rank `rank` of `size` owns: contiguous,
** in rank order, sizes differing by at most one. */
void tw_dist_block_range(int64_t n_blocks, int rank, int size, int64_t *lo, int64_t *hi);
/* buf holds n_blocks blocks of block_bytes; each rank has filled the blocks it
** owns (tw_dist_block_range). Afterwards every rank holds every block. */
tw_status tw_dist_allgather_blocks(const tw_dist *d, void *buf, int64_t n_blocks, size_t block_bytes);

TW_EXTERN_C_END

#endif
