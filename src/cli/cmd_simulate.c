/*
** cmd_simulate.c: `twinscale simulate CONFIG`: runs a cohort of mechanistic
** twins through a scenario and writes one HDF5 results file (docs/simulate.md).
**
** Under mpirun the twins are split in contiguous chunks of output.chunk_twins ids
** (mpi/dist.h); each rank integrates its chunks and writes their rows of the
** collective file. Datasets (n = twins, T = duration/every + 1):
**   /twins/name                       (n) strings, config order
**   /trajectories/<observable>        (n, T) float64, the value at t = 0, every, ..., duration
**   /summary/<observable>/{mean,min,max} (n) float64, over those T samples
**   /status/flag                      (n) int32: 0 ok, 1 non-finite, 2 step underflow, 3 too many steps
**   /status/fail_minute               (n) int64: start of the step where it failed, -1
** Root attributes: the config text, seed, rank count (tw_h5_create), and pack,
** precision, integrator, duration_min, every_min.
*/
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp */

#include "cli/cli.h"             /* tw_cli_fail */
#include "cli/config_kinds.h"    /* tw_config_load */
#include "core/log.h"            /* tw_log */
#include "core/progress.h"       /* tw_progress */
#include "io/h5.h"               /* results file */
#include "mpi/dist.h"            /* ranks and partition */
#include "physio/integrate.h"    /* tw_integrator_name */
#include "physio/sim_setup.h"    /* tw_sim_setup */

/* The open datasets of a results file: traj, mean, min, max per observable. */
typedef struct outputs {
  int n_out;
  tw_h5_dataset **ds; /* (n_out, 4) */
  tw_h5_dataset *flag, *fail;
} outputs;

static tw_status open_outputs(tw_h5_file *f, const tw_sim_setup *s, int64_t n_times, outputs *o) {
  static const char *const what[4] = {"", "mean", "min", "max"};
  o->n_out = s->n_out;
  o->ds = calloc((size_t)s->n_out * 4, sizeof *o->ds);
  if (!o->ds) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  for (int k = 0; k < s->n_out; ++k)
    for (int j = 0; j < 4; ++j) {
      char path[256];
      int64_t dims[2] = {s->n_twins, n_times};
      if (j == 0) snprintf(path, sizeof path, "/trajectories/%s", s->out_names[k]);
      else snprintf(path, sizeof path, "/summary/%s/%s", s->out_names[k], what[j]);
      TW_TRY(tw_h5_dataset_create(f, path, TW_F64, j == 0 ? 2 : 1, dims, s->out_units[k], &o->ds[k * 4 + j]));
    }
  int64_t n = s->n_twins;
  TW_TRY(tw_h5_dataset_create(f, "/status/flag", TW_I32, 1, &n, "1", &o->flag));
  TW_TRY(tw_h5_dataset_create(f, "/status/fail_minute", TW_I64, 1, &n, "min", &o->fail));
  return TW_OK;
}

static tw_status close_outputs(outputs *o) {
  tw_status st = TW_OK;
  for (int k = 0; o->ds && k < o->n_out * 4; ++k)
    if (o->ds[k] && tw_h5_dataset_close(o->ds[k]) != TW_OK) st = TW_ERR_LIBRARY;
  if (o->flag && tw_h5_dataset_close(o->flag) != TW_OK) st = TW_ERR_LIBRARY;
  if (o->fail && tw_h5_dataset_close(o->fail) != TW_OK) st = TW_ERR_LIBRARY;
  free(o->ds);
  memset(o, 0, sizeof *o);
  return st;
}

/* Writes one chunk's rows (n may be 0: collective writes need every rank). */
static tw_status write_rows(outputs *o, int64_t row0, const tw_sim_result *r) {
  const int64_t n = r->n;
  for (int k = 0; k < o->n_out; ++k) {
    TW_TRY(tw_h5_dataset_write_rows(o->ds[k * 4 + 0], row0, n, r->traj ? r->traj + k * n * r->n_times : NULL));
    TW_TRY(tw_h5_dataset_write_rows(o->ds[k * 4 + 1], row0, n, r->mean ? r->mean + k * n : NULL));
    TW_TRY(tw_h5_dataset_write_rows(o->ds[k * 4 + 2], row0, n, r->min ? r->min + k * n : NULL));
    TW_TRY(tw_h5_dataset_write_rows(o->ds[k * 4 + 3], row0, n, r->max ? r->max + k * n : NULL));
  }
  TW_TRY(tw_h5_dataset_write_rows(o->flag, row0, n, r->flag));
  TW_TRY(tw_h5_dataset_write_rows(o->fail, row0, n, r->fail_at));
  return TW_OK;
}

static const char *flag_text(int f) {
  return f == TW_TWIN_NONFINITE ? "the state became NaN or infinite"
         : f == TW_TWIN_UNDERFLOW ? "the step size underflowed"
                                  : "too many steps in one minute";
}

/* The most chunks any rank owns: every rank makes that many collective writes. */
static int64_t max_chunks_per_rank(int64_t n, int64_t chunk, int size) {
  int64_t most = 0;
  for (int r = 0; r < size; ++r) {
    tw_partition p = tw_partition_make(n, chunk, r, size);
    most = TW_MAX(most, p.chunk_end - p.chunk_begin);
  }
  return most;
}

static tw_status run(const tw_dist *dist, const tw_sim_config *c, const tw_cfg_doc *doc, int64_t *failed) {
  tw_sim_setup s;
  tw_h5_file *f = NULL;
  outputs o;
  memset(&o, 0, sizeof o);
  tw_sim_result r;
  memset(&r, 0, sizeof r);
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, tw_sim_setup_build(c, doc, &s), done);
  const tw_partition part = tw_partition_make(s.n_twins, c->output.chunk_twins, dist->rank, dist->size);
  tw_h5_run_info info = {tw_cfg_text(doc), (uint64_t)c->seed, dist->size};
  TW_TRY_GOTO(st, tw_h5_create(c->output.path, dist, &info, &f), done);
  TW_TRY_GOTO(st, tw_h5_write_strings(f, "/twins/name", (const char *const *)s.names, s.n_twins, "1"), done);
  TW_TRY_GOTO(st, tw_h5_attr_write_string(f, "pack", c->pack), done);
  TW_TRY_GOTO(st, tw_h5_attr_write_string(f, "precision", c->precision == TW_SIM_FLOAT32 ? "float32" : "float64"), done);
  TW_TRY_GOTO(st, tw_h5_attr_write_string(f, "integrator", tw_integrator_name(s.plan.opts.kind)), done);
  TW_TRY_GOTO(st, tw_h5_attr_write_i64(f, "duration_min", c->duration_min), done);
  TW_TRY_GOTO(st, tw_h5_attr_write_i64(f, "every_min", c->output.every_min), done);
  const int64_t n_times = c->duration_min / c->output.every_min + 1;
  TW_TRY_GOTO(st, open_outputs(f, &s, n_times, &o), done);
  tw_progress prog;
  if (dist->rank == 0) tw_progress_begin(&prog, "simulate", "twins", part.id_end - part.id_begin);
  const int64_t rounds = max_chunks_per_rank(s.n_twins, c->output.chunk_twins, dist->size);
  for (int64_t k = 0; k < rounds; ++k) {
    const int64_t chunk = part.chunk_begin + k;
    int64_t b = part.id_end, e = part.id_end;
    if (chunk < part.chunk_end) tw_partition_chunk_ids(&part, chunk, &b, &e);
    TW_TRY_GOTO(st, tw_sim_result_alloc(&s.plan, e - b, &r), done);
    if (e > b) TW_TRY_GOTO(st, tw_sim_run_chunk(&s.plan, b, (uint64_t)b, e - b, s.params + b * s.model.n_params, &r), done);
    for (int64_t i = 0; i < e - b; ++i)
      if (r.flag[i] != TW_TWIN_OK) {
        ++*failed;
        tw_log(TW_LOG_WARN, "twin %lld (%s): integration failed in the step starting at minute %lld: %s; flagged in /status/flag",
               (long long)(b + i), s.names[b + i], (long long)r.fail_at[i], flag_text(r.flag[i]));
      }
    TW_TRY_GOTO(st, write_rows(&o, b, &r), done);
    tw_sim_result_free(&r);
    if (dist->rank == 0) tw_progress_update(&prog, e - part.id_begin);
  }
  if (dist->rank == 0) tw_progress_end(&prog);
  TW_TRY_GOTO(st, close_outputs(&o), done);
  st = tw_h5_close(f);
  f = NULL;
done:
  tw_sim_result_free(&r);
  if (f) {
    close_outputs(&o);
    tw_h5_abort(f);
  }
  tw_sim_setup_free(&s);
  return st;
}

/* Prints the per-twin summary of a finished results file, read back from it:
** the quickest look at a run, and a check that the file reads. */
static tw_status print_summary(const char *path) {
  enum { SHOWN = 8 };
  tw_h5_file *f = NULL;
  char **names = NULL;
  int64_t n = 0;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, tw_h5_open(path, NULL, &f), done);
  TW_TRY_GOTO(st, tw_h5_read_strings(f, "/twins/name", &names, &n), done);
  /* The headline observables of each pack (composed models prefix the pack). */
  static const char *const obs[] = {"bg", "cgm", "plasma_insulin", "c_plasma", "a_body",
                                    "t1d.bg", "t1d.cgm", "pbpk.c_plasma", "pbpk.a_body"};
  for (size_t k = 0; k < TW_ARRAY_LEN(obs); ++k) {
    char p[3][128], units[64] = "";
    static const char *const what[3] = {"mean", "min", "max"};
    for (int j = 0; j < 3; ++j) snprintf(p[j], sizeof p[j], "/summary/%s/%s", obs[k], what[j]);
    if (!tw_h5_exists(f, p[0])) continue;
    tw_tensor t[3] = {{0}};
    for (int j = 0; j < 3 && st == TW_OK; ++j) st = tw_h5_read(f, p[j], TW_F64, &t[j]);
    if (st == TW_OK) st = tw_h5_units(f, p[0], units, sizeof units);
    if (st == TW_OK) {
      printf("%-26s %10s %10s %10s\n", obs[k], "mean", "min", "max");
      for (int64_t i = 0; i < n && i < SHOWN; ++i)
        printf("  %-24s %10.2f %10.2f %10.2f  %s\n", names[i], ((double *)t[0].data)[i], ((double *)t[1].data)[i],
               ((double *)t[2].data)[i], units);
      if (n > SHOWN) printf("  ... and %lld more twins\n", (long long)(n - SHOWN));
    }
    for (int j = 0; j < 3; ++j) free(t[j].data);
    if (st != TW_OK) goto done;
  }
done:
  for (int64_t i = 0; names && i < n; ++i) free(names[i]);
  free(names);
  if (f) {
    tw_status cst = tw_h5_close(f);
    if (st == TW_OK) st = cst;
  }
  return st;
}

int tw_cmd_simulate(int argc, char **argv) {
  if (argc != 1) return tw_cli_usage_error("simulate takes one CONFIG file (see twinscale simulate --help)");
  tw_dist dist;
  tw_status st = tw_dist_init(&argc, &argv, &dist);
  if (st != TW_OK) return tw_cli_fail(st);
  tw_sim_config c;
  tw_cfg_doc *doc = NULL;
  int64_t failed = 0;
  char path[4096] = "";
  st = tw_config_load(argv[0], "simulate", &c, &doc);
  if (st == TW_OK) {
    snprintf(path, sizeof path, "%s", c.output.path);
    st = run(&dist, &c, doc, &failed);
    tw_cfg_release(&tw_sim_config_schema, &c);
  }
  tw_cfg_free(doc);
  /* a failure on any rank fails the run on every rank */
  st = tw_dist_agree(&dist, st);
  if (st == TW_OK) {
    int64_t total = failed;
    st = tw_dist_sum_i64(&dist, &total, 1);
    if (st == TW_OK && dist.rank == 0 && total > 0)
      fprintf(stderr, "twinscale: %lld twin(s) failed to integrate and are flagged in /status/flag; the others completed\n",
              (long long)total);
    if (st == TW_OK && dist.rank == 0) {
      printf("wrote %s\n", path);
      st = print_summary(path);
    }
  }
  int code = st == TW_OK ? 0 : tw_cli_fail(st);
  tw_dist_finalize(&dist);
  return code;
}
#else
typedef int tw_cmd_simulate_needs_yaml_and_hdf5; /* ISO C wants a non-empty file */
#endif
