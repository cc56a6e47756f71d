/*
** run.h: the run engine, the one loop under every job (simulate today; trials,
** training and fitting next).
**
** A job is work on twins with global ids [0, n_twins) that writes one results
** file. It tells the engine how to open its datasets, how to start a chunk of
** twins, how to compute and write each of a chunk's blocks, and how to finish
** the chunk. The engine owns the rest, so that no job repeats it:
**
**   - the output path, checked before any work (a directory, a missing or
**     unwritable parent, an existing file that is not writable: TW_ERR_INPUT);
**   - the backend (cpu, cuda, or auto: a GPU when one is visible), one per rank,
**     on the GPU given by the node-local rank;
**   - the partition of twin ids over ranks in fixed-size chunks (mpi/dist.h).
**     The chunk size depends on the cohort alone, never on the rank count, so
**     per-chunk sums are the same for any number of ranks (DESIGN.md inv. 3);
**   - rounds: every rank takes one chunk per round (an empty one when it has no
**     more), and every chunk has the same number of blocks, so the collective
**     writes of all ranks match without any further coordination;
**   - the results file: created collectively, written as `<path>.partial`, and
**     renamed into place only when every rank succeeded; removed otherwise;
**   - progress of the whole cohort on rank 0, moving within a chunk;
**   - checkpoints: after every round the ranks flush the file and rank 0 records
**     which chunks are finished in "<output>.resume" (run_record.h), replaced
**     atomically, so that the record never names rows the file does not hold;
**   - stopping: SIGINT, SIGTERM and SIGUSR1 are caught. SIGINT and SIGTERM stop
**     every rank at the next block (the chunks in hand are dropped: a SIGKILL
**     may follow soon); SIGUSR1 (Slurm's warning before a time limit) lets every
**     rank finish the chunk in hand first. Either way the partial file and the
**     record stay, and the run returns TW_ERR_INTERRUPTED (the CLI exits 128 +
**     the signal number: 130, 143, 138). With opts.resume a run goes on from a
**     record of the same job, twinscale and config: the partial file is
**     reopened (io/h5.h tw_h5_reopen) and only the unfinished chunks run, so the
**     finished file is the one an uninterrupted run writes. A failure (not a
**     signal) removes the partial file and the record.
**
** Memory per rank is the job's business, bounded by tw_run_opts.buffer_bytes:
** the simulate job sizes its trajectory blocks from it (docs/run.md).
*/
#ifndef TW_RUN_H
#define TW_RUN_H

#include "backend/backend.h" /* tw_backend */
#include "core/status.h"     /* tw_status */
#include "io/h5.h"           /* tw_h5_file */
#include "mpi/dist.h"        /* tw_dist */

TW_EXTERN_C_BEGIN

typedef struct tw_run tw_run; /* the engine's state during a run (run.c) */

typedef struct tw_run_job {
  const char *name;      /* "simulate": progress lines and messages */
  void *ctx;             /* the job's own state, passed to every callback */
  int64_t n_twins;
  int64_t chunk_twins;   /* twins per chunk; 0: tw_run_default_chunk(n_twins) */
  int64_t blocks;        /* blocks per chunk (>= 1), the same for every chunk */
  /* Creates the job's datasets and attributes (every rank, collectively). */
  tw_status (*open)(void *ctx, tw_run *run, tw_h5_file *f);
  /* Prepares twins [id0, id0 + n); n is 0 on a rank without a chunk this round. */
  tw_status (*begin_chunk)(void *ctx, tw_run *run, int64_t id0, int64_t n);
  /* Computes and writes block k of the current chunk (collective writes). */
  tw_status (*block)(void *ctx, tw_run *run, int64_t k);
  /* Writes what the chunk produced as a whole (collective) and frees it. */
  tw_status (*end_chunk)(void *ctx, tw_run *run);
  /* Closes the job's datasets; called once, also after a failure (then it
  ** must release without writing). */
  tw_status (*close)(void *ctx, tw_run *run, int failed);
} tw_run_job;

typedef struct tw_run_opts {
  const char *output;       /* results file */
  int force;                /* replace an existing file even when it is not writable */
  const char *backend;      /* "auto", "cpu" or "cuda" */
  const char *config_text;  /* root attribute of the results file */
  uint64_t seed;
  int64_t buffer_bytes;     /* per rank, for the job's streaming buffers */
  int resume;               /* go on from the record of a stopped run when there is one */
} tw_run_opts;

/* What happened, for the command to report. */
typedef struct tw_run_report {
  char backend[320];        /* "cpu (no CUDA device visible)", "cuda (0: NVIDIA H100 ...)" */
  int64_t twins_done;       /* over all ranks */
  int signal;               /* the signal that stopped the run, 0 if none */
  int64_t twins_before;     /* finished by the stopped run this one resumed */
  double seconds;
} tw_run_report;

/* Runs `job` over every rank of `dist` (every rank calls it). On any rank's
** failure every rank returns an error and no results file is left behind. */
tw_status tw_run_execute(const tw_dist *dist, const tw_run_opts *opts, const tw_run_job *job, tw_run_report *rep);

/* The chunk size when a job leaves it to the engine: about 64 chunks for the
** cohort, a multiple of 8 twins (vector lanes), between 8 and TW_DEFAULT_CHUNK.
** A function of n_twins alone (see above). */
int64_t tw_run_default_chunk(int64_t n_twins);

/* Checks that `path` can be written as a results file before any work: not a
** directory, in an existing writable directory, and, unless `force`, not an
** existing file that is not writable. TW_ERR_INPUT naming the path. */
tw_status tw_run_check_output(const char *path, int force);

/* For jobs, during a run. */
tw_backend *tw_run_backend(tw_run *run);
const tw_dist *tw_run_dist(tw_run *run);
const tw_run_opts *tw_run_options(tw_run *run);
/* Progress within the current chunk: `twins` (fractional) of it are done.
** Returns nonzero when this rank caught SIGINT or SIGTERM: the job should end the
** current block early (keeping its collective writes: empty ones are fine);
** the ranks then agree to stop at the end of the block. Checking here lets a
** run stop within one integration step of the signal, inside the second that
** mpirun gives its ranks between SIGTERM and SIGKILL. */
int tw_run_chunk_progress(tw_run *run, double twins);

/* ---- signals (run_signal.c) --------------------------------------------------- */

/* Catches SIGINT, SIGTERM and SIGUSR1 from now on: they set a flag instead of killing. */
void tw_run_signals_catch(void);
/* Restores the handlers that were there before tw_run_signals_catch. */
void tw_run_signals_restore(void);
/* The caught signal, 0 if none. */
int tw_run_signal_caught(void);
/* Whether the caught signal asks to stop at once (SIGINT, SIGTERM) rather than
** after the chunk in hand (SIGUSR1): jobs end their blocks early on it. */
int tw_run_stop_now(void);

TW_EXTERN_C_END

#endif
