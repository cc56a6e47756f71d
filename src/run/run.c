/*
** run.c: the run loop (run.h).
**
** The order of a run, on every rank:
**
**   check the output path -> open the backend -> create the results file
**   -> job.open -> rounds of chunks: begin, blocks, end -> job.close -> close
**
** Between two blocks the ranks meet once (three small all-reduces): to agree
** on failure (a rank that failed must not leave the others waiting in a
** collective write), on a caught signal, and on the twins done so far, which
** rank 0 shows. After every round they flush the file and rank 0 records the
** chunks finished (run_record.c). A failure ends the run on every rank with
** the partial file and the record removed, so no results file exists that is
** not whole; a signal ends it with both kept, for --resume.
**
** Which chunks a rank runs: those of its part of the partition (mpi/dist.h)
** that the record does not list as finished, one per round. A chunk's rows do
** not depend on which rank writes them, so a resumed run may have another
** rank count.
*/
#include "run/run.h"

#include <signal.h> /* SIGUSR1 */
#include <stdio.h>  /* snprintf, remove */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset, strcmp */

#include "core/clock.h"    /* tw_now_seconds */
#include "core/log.h"      /* tw_log */
#include "core/progress.h" /* tw_progress */
#include "run/run_record.h"

struct tw_run {
  const tw_dist *dist;
  const tw_run_opts *opts;
  const tw_run_job *job;
  tw_backend *be;
  tw_partition part;
  tw_progress prog;
  int64_t done_local;  /* twins this rank finished */
  double chunk_done;   /* progress inside the current chunk, twins */
  double shown_base;   /* rank 0: twins done over all ranks at the last meeting */
  double local_base;   /* rank 0: its own done_local + chunk_done then */
  int signal;
  tw_run_record rec;   /* which chunks are finished (rec.done) */
  char record[4200];   /* its path, "<output>.resume" */
  int64_t *pending;    /* this rank's unfinished chunks, in order */
  int64_t n_pending, n_rounds;
  int64_t prior;       /* twins finished before this run (a resumed run) */
};

tw_backend *tw_run_backend(tw_run *run) { return run->be; }
const tw_dist *tw_run_dist(tw_run *run) { return run->dist; }
const tw_run_opts *tw_run_options(tw_run *run) { return run->opts; }

int64_t tw_run_default_chunk(int64_t n_twins) {
  int64_t c = (n_twins + 63) / 64;
  c = (c + 7) / 8 * 8;
  return TW_MAX(8, TW_MIN(c, (int64_t)TW_DEFAULT_CHUNK));
}

/* Rank 0's estimate of the whole cohort between meetings: the others are
** taken to advance as fast as rank 0 (they run chunks of the same size). */
static void show_progress(tw_run *run) {
  if (run->dist->rank != 0) return;
  const double local = (double)run->done_local + run->chunk_done;
  double shown = run->shown_base + (local - run->local_base) * run->dist->size;
  shown = TW_MIN(shown, (double)run->job->n_twins);
  tw_progress_update(&run->prog, (int64_t)shown);
}

int tw_run_chunk_progress(tw_run *run, double twins) {
  run->chunk_done = twins;
  show_progress(run);
  return tw_run_stop_now();
}

/* The meeting between blocks: failures, signals, progress. */
static tw_status meet(tw_run *run, tw_status local) {
  TW_TRY(tw_dist_agree(run->dist, local));
  double sig = tw_run_signal_caught();
  TW_TRY(tw_dist_max_f64(run->dist, &sig, 1));
  run->signal = (int)sig;
  int64_t done = run->done_local * 1024 + (int64_t)(run->chunk_done * 1024.0); /* 1/1024 twin resolution */
  TW_TRY(tw_dist_sum_i64(run->dist, &done, 1));
  run->shown_base = (double)run->prior + (double)done / 1024.0;
  run->local_base = (double)run->done_local + run->chunk_done;
  show_progress(run);
  return TW_OK;
}

/* Rank r's unfinished chunks, into `out` (may be NULL); their count. */
static int64_t unfinished(const tw_run *run, int r, int64_t *out) {
  const tw_partition p = tw_partition_make(run->job->n_twins, run->rec.chunk, r, run->dist->size);
  int64_t n = 0;
  for (int64_t c = p.chunk_begin; c < p.chunk_end; ++c)
    if (run->rec.done[c] == '0') {
      if (out) out[n] = c;
      ++n;
    }
  return n;
}

/* This rank's chunks to run, and the rounds: the most any rank has. */
static tw_status plan_rounds(tw_run *run) {
  if (!(run->pending = malloc((size_t)run->rec.n_chunks * sizeof *run->pending + 1)))
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", run->job->name);
  run->n_pending = unfinished(run, run->dist->rank, run->pending);
  for (int r = 0; r < run->dist->size; ++r) run->n_rounds = TW_MAX(run->n_rounds, unfinished(run, r, NULL));
  for (int64_t c = 0; c < run->rec.n_chunks; ++c)
    if (run->rec.done[c] == '1') run->prior += TW_MIN(run->rec.chunk, run->job->n_twins - c * run->rec.chunk);
  return TW_OK;
}

static const char *signal_name(int sig) {
  return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : sig == SIGUSR1 ? "SIGUSR1" : "a signal";
}

static tw_status stopped(const tw_run *run) {
  int64_t n = 0;
  for (int64_t c = 0; c < run->rec.n_chunks; ++c) n += run->rec.done[c] == '1';
  return TW_FAIL(TW_ERR_INTERRUPTED, "%s: stopped by %s with %lld of %lld chunks finished, kept in %s.partial "
                 "(record %s); the same command with --resume goes on from there", run->job->name,
                 signal_name(run->signal), (long long)n, (long long)run->rec.n_chunks, run->opts->output, run->record);
}

/* The file flushed, then the record replaced (rank 0). */
static tw_status write_record(tw_run *run, tw_h5_file *f) {
  TW_TRY(tw_dist_agree(run->dist, tw_h5_flush(f)));
  return tw_dist_agree(run->dist, run->dist->rank == 0 ? tw_run_record_write(run->record, &run->rec) : TW_OK);
}

/* After a round: the chunks every rank finished into the record. */
static tw_status record_round(tw_run *run, int64_t chunk, tw_h5_file *f) {
  const int size = run->dist->size;
  int64_t *all = calloc((size_t)size, sizeof *all);
  if (!all) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", run->job->name);
  all[run->dist->rank] = chunk;
  tw_status st = tw_dist_allgather_blocks(run->dist, all, size, sizeof *all);
  for (int r = 0; st == TW_OK && r < size; ++r)
    if (all[r] >= 0) run->rec.done[all[r]] = '1';
  free(all);
  TW_TRY(st);
  return write_record(run, f);
}

/* One round: this rank's k-th unfinished chunk (or an empty one), block by
** block. SIGINT and SIGTERM stop at the next block; SIGUSR1 after the chunk. */
static tw_status round_k(tw_run *run, int64_t k, tw_h5_file *f) {
  const tw_run_job *job = run->job;
  const int64_t chunk = k < run->n_pending ? run->pending[k] : -1;
  int64_t b = run->part.id_end, e = run->part.id_end;
  if (chunk >= 0) tw_partition_chunk_ids(&run->part, chunk, &b, &e);
  run->chunk_done = 0;
  TW_TRY(meet(run, job->begin_chunk(job->ctx, run, b, e - b)));
  for (int64_t i = 0; i < job->blocks; ++i) {
    TW_TRY(meet(run, job->block(job->ctx, run, i)));
    if (run->signal && run->signal != SIGUSR1) return stopped(run);
  }
  run->chunk_done = 0;
  run->done_local += e - b;
  TW_TRY(meet(run, job->end_chunk(job->ctx, run)));
  TW_TRY(record_round(run, chunk, f));
  return run->signal ? stopped(run) : TW_OK;
}

static tw_status loop(tw_run *run, tw_h5_file *f) {
  if (run->dist->rank == 0) tw_progress_begin(&run->prog, run->job->name, "twins", run->job->n_twins);
  for (int64_t k = 0; k < run->n_rounds; ++k) TW_TRY(round_k(run, k, f));
  if (run->dist->rank == 0) tw_progress_end(&run->prog);
  return TW_OK;
}

/* The record: with --resume, the stopped run's (rank 0 reads it, every rank
** gets it); else, or when there is none, every chunk to do, and any record of
** an earlier run removed before its partial file is replaced. *found: resuming. */
static tw_status load_record(tw_run *run, int *found) {
  tw_run_record *rec = &run->rec;
  const int64_t chunk = run->job->chunk_twins > 0 ? run->job->chunk_twins : tw_run_default_chunk(run->job->n_twins);
  *rec = (tw_run_record){run->job->name, run->opts->config_text, run->job->n_twins, chunk,
                         (run->job->n_twins + chunk - 1) / chunk, NULL};
  if (!(rec->done = malloc((size_t)rec->n_chunks + 1))) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", run->job->name);
  memset(rec->done, '0', (size_t)rec->n_chunks);
  tw_run_record_path(run->opts->output, run->record, sizeof run->record);
  tw_status st = TW_OK;
  if (run->dist->rank == 0 && run->opts->resume) st = tw_run_record_read(run->record, rec, rec->done, found);
  if (run->dist->rank == 0 && st == TW_OK && !*found) remove(run->record);
  TW_TRY(tw_dist_agree(run->dist, st));
  TW_TRY(tw_dist_bcast(run->dist, found, sizeof *found, 0));
  TW_TRY(tw_dist_bcast(run->dist, rec->done, (size_t)rec->n_chunks, 0));
  if (run->opts->resume && !*found && run->dist->rank == 0)
    tw_log(TW_LOG_INFO, "%s: no record of a stopped run at %s: starting from the beginning", run->job->name, run->record);
  return TW_OK;
}

/* "auto": the GPU when one is visible; the choice and its reason go to the report. */
static tw_status open_backend(tw_run *run, tw_run_report *rep) {
  const char *want = run->opts->backend ? run->opts->backend : "auto";
  const int device = tw_backend_device_for_local_rank(run->dist->local_rank);
  TW_TRY(tw_backend_open(want, device < 0 ? 0 : device, &run->be));
  snprintf(rep->backend, sizeof rep->backend, "%s (%s)", run->be->name, run->be->why);
  return TW_OK;
}

static tw_status run_job(tw_run *run, tw_h5_file **f, tw_run_report *rep) {
  const tw_run_job *job = run->job;
  int resuming = 0;
  TW_TRY(load_record(run, &resuming));
  run->part = tw_partition_make(job->n_twins, run->rec.chunk, run->dist->rank, run->dist->size);
  TW_TRY(plan_rounds(run));
  rep->twins_before = run->prior;
  if (resuming && run->dist->rank == 0)
    tw_log(TW_LOG_INFO, "%s: going on from %s: %lld of %lld twins were finished", job->name, run->record,
           (long long)run->prior, (long long)job->n_twins);
  tw_h5_run_info info = {run->opts->config_text, run->opts->seed, run->dist->size, NULL};
  TW_TRY(tw_dist_agree(run->dist, resuming ? tw_h5_reopen(run->opts->output, run->dist, &info, f)
                                           : tw_h5_create(run->opts->output, run->dist, &info, f)));
  TW_TRY(tw_dist_agree(run->dist, job->open(job->ctx, run, *f)));
  TW_TRY(write_record(run, *f)); /* from here the partial file can be gone on with */
  return loop(run, *f);
}

/* The file and the record at the end: renamed into place and dropped (done),
** both kept (stopped by a signal), or both removed (failed). */
static tw_status settle(tw_run *run, tw_status st, tw_h5_file *f) {
  if (st == TW_OK) st = tw_h5_close(f);
  else if (st == TW_ERR_INTERRUPTED && run->signal && f) {
    const tw_status kept = tw_h5_suspend(f); /* writes a message only when it fails: the stop's stays */
    if (kept == TW_OK) return st;
    st = kept;
  } else if (f) tw_h5_abort(f);
  if (run->dist->rank == 0 && f) remove(run->record); /* (a record this run did not open is left alone) */
  return st;
}

tw_status tw_run_execute(const tw_dist *dist, const tw_run_opts *opts, const tw_run_job *job, tw_run_report *rep) {
  memset(rep, 0, sizeof *rep);
  tw_run run;
  memset(&run, 0, sizeof run);
  run.dist = dist;
  run.opts = opts;
  run.job = job;
  const double t0 = tw_now_seconds();
  TW_TRY(tw_dist_agree(dist, tw_run_check_output(opts->output, opts->force)));
  TW_TRY(tw_dist_agree(dist, open_backend(&run, rep)));
  tw_h5_file *f = NULL;
  tw_run_signals_catch(); /* from here a signal stops the run at the first meeting */
  tw_status st = run_job(&run, &f, rep);
  tw_run_signals_restore();
  rep->signal = run.signal;
  tw_status closed = job->close(job->ctx, &run, st != TW_OK);
  if (st == TW_OK) st = tw_dist_agree(dist, closed);
  st = settle(&run, st, f);
  free(run.rec.done);
  free(run.pending);
  tw_backend_close(run.be);
  rep->twins_done = (int64_t)run.shown_base;
  rep->seconds = tw_now_seconds() - t0;
  return st;
}
