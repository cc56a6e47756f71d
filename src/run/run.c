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
** rank 0 shows. Any failure or stop ends the run on every rank with the
** partial file removed, so no results file exists that is not whole.
*/
#include "run/run.h"

#include <stdio.h>  /* snprintf */
#include <string.h> /* memset, strcmp */

#include "core/clock.h"    /* tw_now_seconds */
#include "core/progress.h" /* tw_progress */

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
  return tw_run_signal_caught();
}

/* The meeting between blocks: failures, signals, progress. */
static tw_status meet(tw_run *run, tw_status local) {
  TW_TRY(tw_dist_agree(run->dist, local));
  double sig = tw_run_signal_caught();
  TW_TRY(tw_dist_max_f64(run->dist, &sig, 1));
  run->signal = (int)sig;
  int64_t done = run->done_local * 1024 + (int64_t)(run->chunk_done * 1024.0); /* 1/1024 twin resolution */
  TW_TRY(tw_dist_sum_i64(run->dist, &done, 1));
  run->shown_base = (double)done / 1024.0;
  run->local_base = (double)run->done_local + run->chunk_done;
  show_progress(run);
  return TW_OK;
}

/* The most chunks any rank owns: every rank takes part in that many rounds. */
static int64_t rounds(const tw_run *run, int64_t chunk) {
  int64_t most = 0;
  for (int r = 0; r < run->dist->size; ++r) {
    tw_partition p = tw_partition_make(run->job->n_twins, chunk, r, run->dist->size);
    most = TW_MAX(most, p.chunk_end - p.chunk_begin);
  }
  return most;
}

static tw_status stopped(const tw_run *run) {
  return TW_FAIL(TW_ERR_INTERRUPTED, "%s: stopped by %s after %lld of %lld twins; no results file written",
                 run->job->name, run->signal == 2 ? "SIGINT" : run->signal == 15 ? "SIGTERM" : "a signal",
                 (long long)run->shown_base, (long long)run->job->n_twins);
}

/* One round: this rank's chunk k (or an empty one), block by block. */
static tw_status round_k(tw_run *run, int64_t k) {
  const tw_run_job *job = run->job;
  const int64_t chunk = run->part.chunk_begin + k;
  int64_t b = run->part.id_end, e = run->part.id_end;
  if (chunk < run->part.chunk_end) tw_partition_chunk_ids(&run->part, chunk, &b, &e);
  run->chunk_done = 0;
  TW_TRY(meet(run, job->begin_chunk(job->ctx, run, b, e - b)));
  for (int64_t i = 0; i < job->blocks; ++i) {
    TW_TRY(meet(run, job->block(job->ctx, run, i)));
    if (run->signal) return stopped(run);
  }
  run->chunk_done = 0;
  run->done_local += e - b;
  return meet(run, job->end_chunk(job->ctx, run));
}

static tw_status loop(tw_run *run, int64_t chunk) {
  const int64_t n_rounds = rounds(run, chunk);
  if (run->dist->rank == 0) tw_progress_begin(&run->prog, run->job->name, "twins", run->job->n_twins);
  for (int64_t k = 0; k < n_rounds; ++k) TW_TRY(round_k(run, k));
  if (run->dist->rank == 0) tw_progress_end(&run->prog);
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
  const int64_t chunk = job->chunk_twins > 0 ? job->chunk_twins : tw_run_default_chunk(job->n_twins);
  run->part = tw_partition_make(job->n_twins, chunk, run->dist->rank, run->dist->size);
  tw_h5_run_info info = {run->opts->config_text, run->opts->seed, run->dist->size};
  TW_TRY(tw_dist_agree(run->dist, tw_h5_create(run->opts->output, run->dist, &info, f)));
  TW_TRY(tw_dist_agree(run->dist, job->open(job->ctx, run, *f)));
  return loop(run, chunk);
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
  if (st == TW_OK) st = tw_h5_close(f);
  else if (f) tw_h5_abort(f);
  tw_backend_close(run.be);
  rep->twins_done = (int64_t)run.shown_base;
  rep->seconds = tw_now_seconds() - t0;
  return st;
}
