/*
** sim_job.c: `simulate` on the run engine (sim_job.h).
**
** Memory. A rank holds its chunk's state and one block of trajectory samples:
** chunk x observables x block x 8 bytes, with the block (in samples) chosen so
** that this stays within the run's buffer (output.buffer_mb). The trajectory
** datasets are chunked in HDF5 by the same blocks of columns, so each block
** write fills whole HDF5 chunks. A year at one-minute output for 30 twins
** (2.1 GB of trajectories) streams through 64 MiB. With output.states the
** states and inputs are columns of the same blocks (/states/<name>,
** /inputs/<name>), counted in the same buffer.
**
** Collective writes. Every chunk has the same number of blocks, and a rank
** with no chunk in a round writes empty selections of the same blocks, so the
** ranks' collective calls always match.
*/
#include "run/sim_job.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset, strcmp */

#include "core/log.h"         /* tw_log */
#include "physio/integrate.h" /* tw_integrator_name */
#include "physio/sim_setup.h" /* tw_sim_setup */
#include "run/engines.h"       /* engine: neural */
#include "run/params_out.h"   /* /cohort/parameters with output.states */

/* HDF5 chunks are at most this many samples wide (1 MiB of float64 per row). */
enum { SIM_MAX_CHUNK_COLS = 1 << 17 };

typedef struct sim_job {
  const tw_sim_config *c;
  const tw_cfg_doc *doc;
  tw_sim_setup s;
  tw_engine *engine;  /* NULL: the pack's integrator */
  int64_t n_times, block, chunk_cols; /* samples: all, per block, per HDF5 chunk */
  tw_h5_dataset **ds; /* (n_out, 4): trajectory, mean, min, max */
  tw_h5_dataset **sds; /* (n_states + n_inputs) with output.states, else NULL */
  int n_sds;
  tw_h5_dataset *flag, *fail;
  tw_params_out params; /* with output.states: the parameters, training's static features */
  tw_sim_result r;
  tw_sim_chunk *ch;
  tw_run *run;
  int64_t id0, n;
  int64_t failed; /* this rank's */
} sim_job;

/* The HDF5 chunk width and the block, in samples. The time axis is cut into
** equal HDF5 chunks of at most SIM_MAX_CHUNK_COLS samples (equal, so the last
** one is not mostly empty: a year at one minute is 4 chunks of 131,401, not 5
** of 131,072 with the fifth 99% padding), and a block is as many whole chunks
** as the buffer holds for chunk x observables x 8 bytes. A buffer too small
** for one chunk makes chunks the width of a block. Both are whole multiples of
** the plan's block alignment (an engine's steps end at block ends). */
static void block_shape(sim_job *j, int64_t chunk, int64_t buffer_bytes) {
  const int64_t rows = j->s.n_out + (j->c->output.states ? j->s.model.n_states + j->s.model.n_inputs : 0);
  const int64_t T = j->n_times, per_sample = chunk * rows * (int64_t)sizeof(double);
  const int64_t pieces = (T + SIM_MAX_CHUNK_COLS - 1) / SIM_MAX_CHUNK_COLS, align = tw_sim_block_align(&j->s.plan);
  const int64_t width = TW_ROUND_UP((T + pieces - 1) / pieces, align);
  const int64_t fits = TW_ROUND_UP(TW_MAX(1, buffer_bytes / TW_MAX(1, per_sample)), align);
  j->chunk_cols = fits >= width ? width : fits;
  j->block = TW_MIN(fits / j->chunk_cols * j->chunk_cols, T);
}

static tw_status write_attrs(sim_job *j, tw_h5_file *f) {
  const tw_sim_config *c = j->c;
  char headline[1024] = "";
  for (int k = 0; k < j->s.n_out; ++k)
    if (j->s.out_headline[k])
      snprintf(headline + strlen(headline), sizeof headline - strlen(headline), "%s%s", *headline ? " " : "",
               j->s.out_names[k]);
  TW_TRY(tw_h5_attr_write_string(f, "pack", c->pack));
  TW_TRY(tw_h5_attr_write_string(f, "precision", c->precision == TW_SIM_FLOAT32 ? "float32" : "float64"));
  TW_TRY(tw_h5_attr_write_string(f, "engine", tw_engine_name(j->engine)));
  TW_TRY(tw_h5_attr_write_string(f, "integrator", tw_integrator_name(j->s.plan.opts.kind)));
  TW_TRY(tw_h5_attr_write_string(f, "backend", tw_run_backend(j->run)->name));
  TW_TRY(tw_h5_attr_write_string(f, "headline_observables", headline));
  TW_TRY(tw_h5_attr_write_i64(f, "duration_min", c->duration_min));
  return tw_h5_attr_write_i64(f, "every_min", c->output.every_min);
}

static tw_status write_times(sim_job *j, tw_h5_file *f) {
  int64_t *t = malloc((size_t)j->n_times * sizeof *t);
  if (!t) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  for (int64_t i = 0; i < j->n_times; ++i) t[i] = i * j->c->output.every_min;
  const tw_status st = tw_h5_write_array(f, "/time_min", TW_I64, t, 1, &j->n_times, "min");
  free(t);
  return st;
}

/* /states/<name> and /inputs/<name>, (n, T) blocked as the trajectories, and
** the parameters under /cohort/parameters. */
static tw_status open_states(sim_job *j, tw_h5_file *f, const int64_t dims[2]) {
  const tw_model *m = &j->s.model;
  if (!j->c->output.states) return TW_OK;
  TW_TRY(tw_params_out_open(f, m, j->s.n_twins, &j->params));
  j->n_sds = m->n_states + m->n_inputs;
  if (!(j->sds = calloc((size_t)j->n_sds, sizeof *j->sds))) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  for (int k = 0; k < j->n_sds; ++k) {
    const int is_state = k < m->n_states, e = is_state ? k : k - m->n_states;
    char path[256];
    snprintf(path, sizeof path, "/%s/%s", is_state ? "states" : "inputs",
             is_state ? j->s.state_names[e] : j->s.input_names[e]);
    TW_TRY(tw_h5_dataset_create_blocked(f, path, TW_F64, dims, j->chunk_cols,
                                        is_state ? j->s.state_units[e] : j->s.input_units[e], &j->sds[k]));
  }
  return TW_OK;
}

static tw_status job_open(void *ctx, tw_run *run, tw_h5_file *f) {
  static const char *const what[4] = {"", "mean", "min", "max"};
  sim_job *j = ctx;
  j->run = run;
  j->s.plan.backend = tw_run_backend(run);
  TW_TRY(tw_engine_attach(j->engine, j->s.plan.backend));
  TW_TRY(write_attrs(j, f));
  TW_TRY(tw_h5_write_strings(f, "/twins/name", (const char *const *)j->s.names, j->s.n_twins, "1"));
  TW_TRY(write_times(j, f));
  if (!(j->ds = calloc((size_t)j->s.n_out * 4, sizeof *j->ds))) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  const int64_t dims[2] = {j->s.n_twins, j->n_times};
  for (int k = 0; k < j->s.n_out; ++k)
    for (int w = 0; w < 4; ++w) {
      char path[256];
      if (w == 0) {
        snprintf(path, sizeof path, "/trajectories/%s", j->s.out_names[k]);
        TW_TRY(tw_h5_dataset_create_blocked(f, path, TW_F64, dims, j->chunk_cols,
                                            j->s.out_units[k], &j->ds[k * 4]));
      } else {
        snprintf(path, sizeof path, "/summary/%s/%s", j->s.out_names[k], what[w]);
        TW_TRY(tw_h5_dataset_create(f, path, TW_F64, 1, dims, j->s.out_units[k], &j->ds[k * 4 + w]));
      }
    }
  TW_TRY(open_states(j, f, dims));
  TW_TRY(tw_h5_dataset_create(f, "/status/flag", TW_I32, 1, dims, "1", &j->flag));
  return tw_h5_dataset_create(f, "/status/fail_minute", TW_I64, 1, dims, "min", &j->fail);
}

static tw_status job_begin(void *ctx, tw_run *run, int64_t id0, int64_t n) {
  sim_job *j = ctx;
  j->id0 = id0;
  j->n = n;
  TW_TRY(tw_sim_result_alloc_block(&j->s.plan, n, j->block, &j->r));
  if (n == 0) return TW_OK;
  return tw_sim_chunk_open(&j->s.plan, id0, (uint64_t)id0, n, j->s.params + id0 * j->s.model.n_params, &j->r, &j->ch);
}

static int tick(void *ctx, int64_t minutes) {
  sim_job *j = ctx;
  return tw_run_chunk_progress(j->run, (double)j->n * (double)minutes / (double)j->c->duration_min);
}

static tw_status job_block(void *ctx, tw_run *run, int64_t k) {
  sim_job *j = ctx;
  int64_t t0 = k * j->block, nt = TW_MIN(j->block, j->n_times - t0);
  int64_t rows = j->n;
  if (j->ch) {
    TW_TRY(tw_sim_chunk_next(j->ch, tick, j));
    if (j->r.nt < nt && tw_run_stop_now()) rows = 0; /* stopping: the run is abandoned */
    else if (j->r.t0 != t0 || j->r.nt != nt)
      return TW_FAIL(TW_ERR_INTERNAL, "simulate: block %lld holds samples [%lld, +%lld), expected [%lld, +%lld)",
                     (long long)k, (long long)j->r.t0, (long long)j->r.nt, (long long)t0, (long long)nt);
  }
  for (int o = 0; o < j->s.n_out; ++o)
    TW_TRY(tw_h5_dataset_write_block(j->ds[o * 4], j->id0, rows, t0, nt, rows ? j->r.traj + o * j->n * nt : NULL));
  for (int e = 0; e < j->n_sds; ++e) { /* states, then inputs: one (n, nt) block each */
    const double *v = e < j->r.n_states ? j->r.states + e * j->n * nt : j->r.inputs + (e - j->r.n_states) * j->n * nt;
    TW_TRY(tw_h5_dataset_write_block(j->sds[e], j->id0, rows, t0, nt, rows ? v : NULL));
  }
  return TW_OK;
}

static void warn_failed(sim_job *j) {
  for (int64_t i = 0; i < j->n; ++i) {
    if (j->r.flag[i] == TW_TWIN_OK || j->failed++ >= TW_SIM_WARN_TWINS) continue;
    char what[512];
    tw_sim_failure_text(&j->s.plan, &j->r, i, what, sizeof what);
    tw_log(TW_LOG_WARN, "twin %lld (%s): %s; flagged in /status/flag", (long long)(j->id0 + i),
           j->s.names[j->id0 + i], what);
  }
}

static tw_status job_end(void *ctx, tw_run *run) {
  sim_job *j = ctx;
  const tw_sim_result *r = &j->r;
  warn_failed(j);
  for (int o = 0; o < j->s.n_out; ++o) {
    TW_TRY(tw_h5_dataset_write_rows(j->ds[o * 4 + 1], j->id0, j->n, r->mean + o * j->n));
    TW_TRY(tw_h5_dataset_write_rows(j->ds[o * 4 + 2], j->id0, j->n, r->min + o * j->n));
    TW_TRY(tw_h5_dataset_write_rows(j->ds[o * 4 + 3], j->id0, j->n, r->max + o * j->n));
  }
  TW_TRY(tw_h5_dataset_write_rows(j->flag, j->id0, j->n, r->flag));
  TW_TRY(tw_h5_dataset_write_rows(j->fail, j->id0, j->n, r->fail_at));
  if (j->params.ds) TW_TRY(tw_params_out_write(&j->params, j->id0, j->n, j->s.params + j->id0 * j->s.model.n_params));
  tw_sim_chunk_close(j->ch);
  j->ch = NULL;
  tw_sim_result_free(&j->r);
  return TW_OK;
}

/* Closes every dataset; after a failure the file is abandoned anyway. */
static tw_status job_close(void *ctx, tw_run *run, int failed) {
  sim_job *j = ctx;
  tw_status st = TW_OK;
  for (int k = 0; j->ds && k < j->s.n_out * 4; ++k)
    if (j->ds[k] && tw_h5_dataset_close(j->ds[k]) != TW_OK && st == TW_OK) st = TW_ERR_LIBRARY;
  if (j->flag && tw_h5_dataset_close(j->flag) != TW_OK && st == TW_OK) st = TW_ERR_LIBRARY;
  if (j->fail && tw_h5_dataset_close(j->fail) != TW_OK && st == TW_OK) st = TW_ERR_LIBRARY;
  for (int k = 0; j->sds && k < j->n_sds; ++k)
    if (j->sds[k] && tw_h5_dataset_close(j->sds[k]) != TW_OK && st == TW_OK) st = TW_ERR_LIBRARY;
  if (j->params.ds && tw_params_out_close(&j->params) != TW_OK && st == TW_OK) st = TW_ERR_LIBRARY;
  free(j->ds);
  free(j->sds);
  j->ds = NULL;
  j->sds = NULL;
  j->flag = j->fail = NULL;
  tw_sim_chunk_close(j->ch);
  j->ch = NULL;
  tw_sim_result_free(&j->r);
  tw_engine_detach(j->engine); /* the run closes the backend next */
  return failed ? TW_OK : st;
}

static const char *backend_name(int b) { return b == TW_SIM_BACKEND_CPU ? "cpu" : b == TW_SIM_BACKEND_CUDA ? "cuda" : "auto"; }

tw_status tw_sim_job_run(const tw_dist *dist, const tw_sim_config *c, const tw_cfg_doc *doc, tw_run_opts ro,
                         tw_run_report *rep, int64_t *failed) {
  sim_job j;
  memset(&j, 0, sizeof j);
  j.c = c;
  j.doc = doc;
  *failed = 0;
  tw_status st = tw_dist_agree(dist, tw_sim_setup_build(c, doc, &j.s));
  if (st == TW_OK) st = tw_dist_agree(dist, tw_engine_load(doc, c->engine, c->model, &j.s.plan, &j.engine));
  j.s.plan.engine = tw_engine_step(j.engine);
  if (st != TW_OK) {
    tw_engine_free(j.engine);
    tw_sim_setup_free(&j.s);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  j.n_times = c->duration_min / c->output.every_min + 1;
  const int64_t chunk = c->output.chunk_twins > 0 ? c->output.chunk_twins : tw_run_default_chunk(j.s.n_twins);
  block_shape(&j, TW_MIN(chunk, j.s.n_twins), c->output.buffer_mb << 20);
  ro.config_text = tw_cfg_text(doc);
  ro.seed = (uint64_t)c->seed;
  if (!ro.backend) ro.backend = backend_name(c->backend);
  tw_run_job job = {.name = "simulate", .ctx = &j, .n_twins = j.s.n_twins, .chunk_twins = chunk,
                    .blocks = (j.n_times + j.block - 1) / j.block, .open = job_open, .begin_chunk = job_begin,
                    .block = job_block, .end_chunk = job_end, .close = job_close};
  st = tw_run_execute(dist, &ro, &job, rep);
  *failed = j.failed;
  tw_engine_free(j.engine);
  tw_sim_setup_free(&j.s);
  return st;
}
