/*
** trial_job.c: the trial on the run engine (trial_job.h).
**
** A chunk of twins runs its arms one after the other, each arm a simulate
** chunk (physio/simulate.h) of the twins that take it: all of them in a
** crossover, those allocated to it in a parallel design (opened by rows). The
** chunk's one-minute samples pass through a small block buffer into the
** endpoint accumulators (endpoints.h) and are dropped: memory per rank is the
** chunk's state, a block of samples and a few doubles per twin and endpoint,
** whatever the duration. The run engine's "blocks" are not needed: a chunk is
** one block, and its endpoints are written when it ends. Threads split each
** arm's twins into slices that run end to end (trial_slice below).
**
** Each chunk sets up its own twins (trial_setup_chunk: names, parameters,
** inputs, controller states of those twins only) and writes their names,
** parameters and covariates into the results file with its endpoints, so that
** what a rank holds is the chunk's, whatever the cohort's size (trial.md, Memory).
**
** Same bits for any rank count, chunking or thread count: a twin's samples
** depend on its own id and parameters only (simulate.h), its endpoints on its
** own samples only (endpoints.h), and the allocation on ids and strata only
** (trial_assign.h).
*/
#include "trial/trial_job.h"

#include <math.h>   /* NAN */
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif
#include <omp.h>    /* omp_get_max_threads */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

#include "core/log.h"         /* tw_log */
#include "physio/integrate.h" /* tw_integrator_name */
#include "run/engines.h"       /* engine: neural */
#include "run/params_out.h"    /* /cohort/parameters, chunk by chunk */
#include "trial/trial_finish.h" /* tw_trial_finish */
#include "trial/trial_setup.h"

/* The run's freed memory back to the system before the analysis: the worker
** threads' malloc arenas keep what their chunks freed, and the analysis would
** otherwise come on top of it (glibc; elsewhere nothing to do). */
static void give_back_freed(void) {
#ifdef __GLIBC__
  malloc_trim(0);
#endif
}

/* Samples (minutes) per block between the simulator and the accumulators (a
** whole number of an engine's steps: rounded up to tw_sim_block_align). */
enum { TRIAL_BLOCK_MIN = 60 };

/* The accumulators of one arm's pass over a chunk. */
typedef struct trial_accs {
  tw_endpoints glucose;
  tw_obs_acc obs[TRIAL_MAX_GROUPS];
  tw_pk_acc pk;
  int have_glucose, have_pk, n_obs;
} trial_accs;

typedef struct trial_job {
  const tw_trial_config *c;
  const tw_cfg_doc *doc;
  trial_setup s;
  tw_engine *engine; /* NULL: the packs' integrators */
  tw_run *run;
  int64_t n_times, keep, every; /* trajectories: samples, twins kept, interval */
  tw_h5_dataset **ep_ds, **traj_ds, *flag_ds;
  tw_h5_strings *name_ds;
  tw_params_out param_out; /* /cohort/parameters */
  tw_h5_dataset **cov_ds;  /* (n_cov) /cohort/covariates */
  /* the chunk */
  int64_t id0, n, nk;     /* twins, of which the first nk are kept */
  tw_sim_setup *arm;      /* (A) the chunk's twins set up per arm; NULL for an empty chunk */
  double *ep;             /* (E, n, A) */
  int32_t *flag;          /* (n, A) */
  double *traj;           /* (n_out, nk, A, n_times) */
  int64_t *rows;          /* (n) the chunk rows (twin - id0) of the arm being run */
  double *params, *v;     /* (n, n_params) gathered; (n) one sample: cut into the slices' parts */
  double done, total;     /* twins of the chunk's arms done, and in the arm running: for progress */
  int64_t failed;
} trial_job;

/* ---- the results file ------------------------------------------------------ */

static tw_status write_attrs(trial_job *j, tw_h5_file *f) {
  const tw_trial_config *c = j->c;
  TW_TRY(tw_h5_attr_write_string(f, "pack", c->pack));
  TW_TRY(tw_h5_attr_write_string(f, "design", c->design.type == TW_TRIAL_CROSSOVER ? "crossover" : "parallel"));
  TW_TRY(tw_h5_attr_write_string(f, "reference_arm", c->arms[j->s.reference].name));
  TW_TRY(tw_h5_attr_write_i64(f, "warmup_min", c->warmup_min));
  TW_TRY(tw_h5_attr_write_i64(f, "duration_min", c->duration_min));
  TW_TRY(tw_h5_attr_write_string(f, "glucose_observable", j->s.glucose ? j->s.glucose : ""));
  TW_TRY(tw_h5_attr_write_string(f, "backend", tw_run_backend(j->run)->name));
  TW_TRY(tw_h5_attr_write_string(f, "engine", tw_engine_name(j->engine)));
  TW_TRY(tw_h5_attr_write_string(f, "precision", c->precision == TW_SIM_FLOAT32 ? "float32" : "float64"));
  return tw_h5_attr_write_string(f, "integrator", tw_integrator_name(j->s.arm[0].plan.opts.kind));
}

/* /twins/name, and /cohort: every pack parameter and the cohort file's
** covariates, created for every twin, written chunk by chunk (write_cohort). */
static tw_status create_cohort(trial_job *j, tw_h5_file *f) {
  const tw_model *m = &j->s.arm[0].model;
  const int64_t dims[1] = {j->s.n_twins};
  TW_TRY(tw_h5_strings_create(f, "/twins/name", j->s.n_twins, "1", &j->name_ds));
  TW_TRY(tw_params_out_open(f, m, j->s.n_twins, &j->param_out));
  if (!(j->cov_ds = calloc((size_t)j->s.n_cov + 1, sizeof *j->cov_ds))) return TW_FAIL(TW_ERR_NOMEM, "trial: cohort");
  for (int k = 0; k < j->s.n_cov; ++k) {
    char path[512];
    snprintf(path, sizeof path, "/cohort/covariates/%s", j->s.cov_names[k]);
    TW_TRY(tw_h5_dataset_create(f, path, TW_F64, 1, dims, j->s.cov_units[k], &j->cov_ds[k]));
  }
  return TW_OK;
}

/* The chunk's covariates, read from the cohort file, into their datasets (every rank, every round). */
static tw_status write_covariates(trial_job *j) {
  double **cov = calloc((size_t)j->s.n_cov + 1, sizeof *cov);
  if (!cov) return TW_FAIL(TW_ERR_NOMEM, "trial: covariates");
  tw_status st = j->n ? trial_setup_covariates(&j->s, j->id0, j->n, cov) : TW_OK;
  for (int k = 0; st == TW_OK && k < j->s.n_cov; ++k) st = tw_h5_dataset_write_rows(j->cov_ds[k], j->id0, j->n, cov[k]);
  for (int k = 0; k < j->s.n_cov; ++k) free(cov[k]);
  free(cov);
  return st;
}

/* The chunk's twins into /twins/name and /cohort (every rank, every round). */
static tw_status write_cohort(trial_job *j) {
  const tw_sim_setup *a = j->arm ? &j->arm[0] : NULL;
  TW_TRY(tw_h5_strings_write_rows(j->name_ds, j->id0, j->n, a ? (const char *const *)a->names : NULL));
  TW_TRY(tw_params_out_write(&j->param_out, j->id0, j->n, a ? a->params : NULL));
  return write_covariates(j);
}

static tw_status write_times(trial_job *j, tw_h5_file *f) {
  if (!j->keep) return TW_OK;
  int64_t *t = malloc((size_t)j->n_times * sizeof *t);
  if (!t) return TW_FAIL(TW_ERR_NOMEM, "trial: times");
  for (int64_t i = 0; i < j->n_times; ++i) t[i] = i * j->every;
  const tw_status st = tw_h5_write_array(f, "/time_min", TW_I64, t, 1, &j->n_times, "min");
  free(t);
  return st;
}

static tw_status write_assignment(trial_job *j, tw_h5_file *f) {
  if (!j->s.arm_of) return TW_OK;
  return tw_h5_write_array(f, "/assignment/arm", TW_I32, j->s.arm_of, 1, &j->s.n_twins, "1");
}

static tw_status create_datasets(trial_job *j, tw_h5_file *f) {
  const int64_t A = j->s.n_arms, dims[2] = {j->s.n_twins, A}, tdims[3] = {j->keep, A, j->n_times};
  if (!(j->ep_ds = calloc((size_t)j->s.n_ep, sizeof *j->ep_ds)) ||
      !(j->traj_ds = calloc((size_t)j->s.arm[0].n_out, sizeof *j->traj_ds)))
    return TW_FAIL(TW_ERR_NOMEM, "trial: datasets");
  for (int e = 0; e < j->s.n_ep; ++e) {
    char path[256];
    snprintf(path, sizeof path, "/endpoints/%s", j->s.ep_names[e]);
    TW_TRY(tw_h5_dataset_create(f, path, TW_F64, 2, dims, *j->s.ep_units[e] ? j->s.ep_units[e] : "1", &j->ep_ds[e]));
  }
  TW_TRY(tw_h5_dataset_create(f, "/status/flag", TW_I32, 2, dims, "1", &j->flag_ds));
  for (int o = 0; j->keep && o < j->s.arm[0].n_out; ++o) {
    char path[256];
    snprintf(path, sizeof path, "/trajectories/%s", j->s.arm[0].out_names[o]);
    TW_TRY(tw_h5_dataset_create(f, path, TW_F64, 3, tdims, j->s.arm[0].out_units[o], &j->traj_ds[o]));
  }
  return TW_OK;
}

static tw_status job_open(void *ctx, tw_run *run, tw_h5_file *f) {
  trial_job *j = ctx;
  const char **arms = malloc((size_t)j->s.n_arms * sizeof *arms);
  if (!arms) return TW_FAIL(TW_ERR_NOMEM, "trial: arms");
  for (int a = 0; a < j->s.n_arms; ++a) arms[a] = j->c->arms[a].name;
  j->run = run;
  tw_status st = TW_OK;
  for (int a = 0; a < j->s.n_arms && st == TW_OK; ++a) {
    j->s.arm[a].plan.backend = tw_run_backend(run);
  }
  if (st == TW_OK) st = tw_engine_attach(j->engine, tw_run_backend(run));
  if (st == TW_OK) st = tw_h5_write_strings(f, "/arms/name", arms, j->s.n_arms, "1");
  free(arms);
  TW_TRY(st);
  TW_TRY(write_attrs(j, f));
  TW_TRY(tw_h5_write_strings(f, "/endpoints_units/name", (const char *const *)j->s.ep_names, j->s.n_ep, "1"));
  TW_TRY(tw_h5_write_strings(f, "/endpoints_units/units", (const char *const *)j->s.ep_units, j->s.n_ep, "1"));
  TW_TRY(create_cohort(j, f));
  TW_TRY(write_times(j, f));
  TW_TRY(write_assignment(j, f));
  return create_datasets(j, f);
}

/* ---- a chunk ------------------------------------------------------------------ */

/* The chunk's twins set up in every arm (none for an empty chunk). */
static tw_status chunk_arms(trial_job *j) {
  if (!j->n) return TW_OK;
  if (!(j->arm = calloc((size_t)j->s.n_arms, sizeof *j->arm))) return TW_FAIL(TW_ERR_NOMEM, "trial: arms");
  return trial_setup_chunk(j->c, j->doc, &j->s, j->id0, j->n, j->arm);
}

static tw_status job_begin(void *ctx, tw_run *run, int64_t id0, int64_t n) {
  trial_job *j = ctx;
  const int64_t A = j->s.n_arms, no = j->s.arm[0].n_out;
  j->id0 = id0, j->n = n;
  TW_TRY(chunk_arms(j));
  j->nk = TW_MAX(0, TW_MIN(n, j->keep - id0));
  j->ep = malloc(((size_t)(j->s.n_ep * n * A)) * sizeof *j->ep + 1);
  j->flag = malloc((size_t)(n * A) * sizeof *j->flag + 1);
  j->traj = malloc((size_t)(no * j->nk * A * j->n_times) * sizeof *j->traj + 1);
  j->rows = malloc((size_t)n * sizeof *j->rows + 1);
  j->params = malloc((size_t)(n * j->s.arm[0].model.n_params) * sizeof *j->params + 1);
  j->v = malloc((size_t)n * sizeof *j->v + 1);
  if (!j->ep || !j->flag || !j->traj || !j->rows || !j->params || !j->v)
    return TW_FAIL(TW_ERR_NOMEM, "trial: out of memory for a chunk of %lld twins", (long long)n);
  for (int64_t k = 0; k < j->s.n_ep * n * A; ++k) j->ep[k] = NAN;
  for (int64_t k = 0; k < n * A; ++k) j->flag[k] = -1;
  for (int64_t k = 0; k < no * j->nk * A * j->n_times; ++k) j->traj[k] = NAN;
  return TW_OK;
}

static void accs_free(trial_accs *acc) {
  if (acc->have_glucose) tw_endpoints_free(&acc->glucose);
  for (int g = 0; g < acc->n_obs; ++g) tw_obs_acc_free(&acc->obs[g]);
  if (acc->have_pk) tw_pk_acc_free(&acc->pk);
}

static tw_status accs_init(const trial_job *j, int64_t m, trial_accs *acc) {
  memset(acc, 0, sizeof *acc);
  const int64_t end = j->c->warmup_min + j->c->duration_min;
  for (int g = 0; g < j->s.n_groups; ++g) {
    const trial_group *gr = &j->s.group[g];
    if (gr->kind == TRIAL_GLUCOSE) {
      TW_TRY(tw_endpoints_init(&acc->glucose, m, m, gr->win, gr->thr, gr->n_thr));
      acc->have_glucose = 1;
    } else if (gr->kind == TRIAL_OBS) {
      TW_TRY(tw_obs_acc_init(&acc->obs[acc->n_obs], m, m, gr->win, gr->thr, gr->n_thr));
      acc->n_obs++;
    } else {
      TW_TRY(tw_pk_acc_init(&acc->pk, m, m, j->s.dose_min, j->s.n_doses, end));
      acc->have_pk = 1;
    }
  }
  return TW_OK;
}

/* One thread's share of an arm's twins in a chunk: twins rows[0..m), with its
** own simulator, sample block and accumulators, so that threads share nothing
** but the chunk's output arrays, each at its own twins. (Threads inside the
** simulator instead, one OpenMP region per simulated minute, spent most of a
** 2-core run waiting at barriers: 94 s against 6.3 s on one thread when the
** machine was busy.) */
typedef struct trial_slice {
  trial_job *j;
  int a;                /* the arm */
  const int64_t *rows;  /* (m) chunk rows: twin ids - the chunk's id0 */
  int64_t m;
  double *params, *v;   /* (m, n_params) gathered parameters; (m) one sample column */
  int lead;             /* the slice that reports progress */
  int64_t failed;       /* twins whose integration failed */
  tw_status st;
  char why[512];        /* the failure's message (errors are thread-local) */
} trial_slice;

/* Sample column `col` of observable `o` of the slice's twins in the block r. */
static const double *column(trial_slice *sl, const tw_sim_result *r, int o, int64_t col) {
  const double *src = r->traj + (int64_t)o * sl->m * r->nt + col;
  for (int64_t i = 0; i < sl->m; ++i) sl->v[i] = src[i * r->nt];
  return sl->v;
}

/* Every sample of the block r (minutes r->t0 ...) into the accumulators. */
static tw_status accs_update(trial_slice *sl, const tw_sim_result *r, trial_accs *acc) {
  const trial_setup *s = &sl->j->s;
  for (int64_t col = 0; col < r->nt; ++col) {
    const int64_t minute = r->t0 + col;
    if (minute == 0) continue; /* the initial state is no sample of the window */
    int k = 0;
    for (int g = 0; g < s->n_groups; ++g) {
      const trial_group *gr = &s->group[g];
      const double *v = column(sl, r, gr->obs, col);
      if (gr->kind == TRIAL_GLUCOSE) TW_TRY(tw_endpoints_update(&acc->glucose, v, minute));
      if (gr->kind == TRIAL_OBS) TW_TRY(tw_obs_acc_update(&acc->obs[k++], v, minute));
      if (gr->kind == TRIAL_PK) TW_TRY(tw_pk_acc_update(&acc->pk, v, minute));
    }
  }
  return TW_OK;
}

/* The kept twins' samples of the block (those at multiples of `every`). */
static void keep_samples(trial_slice *sl, const tw_sim_result *r) {
  trial_job *j = sl->j;
  const int64_t A = j->s.n_arms, T = j->n_times;
  for (int64_t i = 0; i < sl->m; ++i) {
    const int64_t local = sl->rows[i];
    if (local >= j->nk) continue;
    for (int o = 0; o < r->n_out; ++o)
      for (int64_t col = 0; col < r->nt; ++col) {
        const int64_t minute = r->t0 + col;
        if (minute % j->every) continue;
        j->traj[((o * j->nk + local) * A + sl->a) * T + minute / j->every] =
            r->traj[((int64_t)o * sl->m + i) * r->nt + col];
      }
  }
}

/* The accumulators' endpoints into the chunk's (E, n, A) array at the slice's twins. */
static tw_status accs_finish(trial_slice *sl, trial_accs *acc) {
  trial_job *j = sl->j;
  const int64_t A = j->s.n_arms, m = sl->m;
  double *out = malloc((size_t)(j->s.n_ep * m) * sizeof *out + 1);
  if (!out) return TW_FAIL(TW_ERR_NOMEM, "trial: endpoints");
  tw_status st = TW_OK;
  for (int g = 0, k = 0; g < j->s.n_groups && st == TW_OK; ++g) {
    const trial_group *gr = &j->s.group[g];
    double *dst = out + (int64_t)gr->first * m;
    if (gr->kind == TRIAL_GLUCOSE) st = tw_endpoints_finalize(&acc->glucose, dst, m);
    if (gr->kind == TRIAL_OBS) st = tw_obs_acc_finalize(&acc->obs[k++], dst, m);
    if (gr->kind == TRIAL_PK) st = tw_pk_acc_finalize(&acc->pk, dst, m);
  }
  for (int e = 0; st == TW_OK && e < j->s.n_ep; ++e)
    for (int64_t i = 0; i < m; ++i) j->ep[(e * j->n + sl->rows[i]) * A + sl->a] = out[e * m + i];
  free(out);
  return st;
}

/* Progress in twins, from the lead slice (the engine's progress is one
** thread's): a chunk's work is every (twin, arm) it runs, each the whole run
** long. The other slices only watch for a signal. */
static int tick(void *ctx, int64_t minutes) {
  const trial_slice *sl = ctx;
  const trial_job *j = sl->j;
  if (!sl->lead) return tw_run_stop_now();
  const double run = (double)(j->c->warmup_min + j->c->duration_min);
  const double work = (double)j->n * (j->s.arm_of ? 1.0 : (double)j->s.n_arms);
  return tw_run_chunk_progress(j->run, (double)j->n * (j->done + j->total * (double)minutes / run) / work);
}

/* The chunk's twins that run arm a, into j->rows; their count. */
static int64_t arm_rows(trial_job *j, int a) {
  int64_t m = 0;
  for (int64_t i = 0; i < j->n; ++i)
    if (!j->s.arm_of || j->s.arm_of[j->id0 + i] == a) j->rows[m++] = i;
  return m;
}

static void note_failures(trial_slice *sl, const tw_sim_result *r) {
  trial_job *j = sl->j;
  for (int64_t i = 0; i < sl->m; ++i) {
    j->flag[sl->rows[i] * j->s.n_arms + sl->a] = r->flag[i];
    if (r->flag[i] == TW_TWIN_OK) continue;
    if (sl->failed++ >= TW_SIM_WARN_TWINS) continue;
    char what[512];
    tw_sim_failure_text(&j->s.arm[sl->a].plan, r, i, what, sizeof what);
    tw_log(TW_LOG_WARN, "twin %lld (%s), arm %s: %s; its endpoints in this arm are NaN, flagged in /status/flag",
           (long long)(j->id0 + sl->rows[i]), j->arm[0].names[sl->rows[i]], j->c->arms[sl->a].name, what);
  }
}

/* The slice's twins through the run: simulate block by block, stream the samples. */
static tw_status run_slice(trial_slice *sl) {
  trial_job *j = sl->j;
  const tw_sim_setup *s = &j->arm[sl->a];
  const int64_t np = s->model.n_params;
  const double *params = j->arm[0].params; /* shared by the arms (trial_setup.h) */
  for (int64_t i = 0; i < sl->m; ++i) memcpy(sl->params + i * np, params + sl->rows[i] * np, (size_t)np * sizeof(double));
  tw_sim_result r;
  tw_sim_chunk *ch = NULL;
  trial_accs acc;
  TW_TRY(tw_sim_result_alloc_block(&s->plan, sl->m, TW_ROUND_UP(TRIAL_BLOCK_MIN, tw_sim_block_align(&s->plan)), &r));
  tw_status st = accs_init(j, sl->m, &acc);
  if (st == TW_OK) st = tw_sim_chunk_open_rows(&s->plan, sl->rows, sl->m, sl->params, &r, &ch);
  while (st == TW_OK && (st = tw_sim_chunk_next(ch, tick, sl)) == TW_OK && r.nt > 0 && !tw_run_stop_now()) {
    st = accs_update(sl, &r, &acc);
    if (j->nk) keep_samples(sl, &r);
  }
  if (st == TW_OK && !tw_run_stop_now()) st = accs_finish(sl, &acc);
  if (st == TW_OK) note_failures(sl, &r);
  tw_sim_chunk_close(ch);
  accs_free(&acc);
  tw_sim_result_free(&r);
  return st;
}

/* Twins per slice at least: two vectors of doubles, so that each thread's
** simulator still runs vector loops (a large chunk gives every slice 256 or
** more, default_chunk below). */
enum { TRIAL_SLICE_MIN = 16, TRIAL_MAX_SLICES = 256 };

/* Slices of an arm's m twins: one per thread on the host; one on a device,
** which takes the arm's twins as one batch (and whose library handles are not
** for several threads at once). */
static int slices(const trial_job *j, int64_t m) {
  if (tw_run_backend(j->run)->device.kind != TW_DEVICE_HOST) return 1;
  return (int)TW_MAX(1, TW_MIN(TW_MIN((int64_t)omp_get_max_threads(), (int64_t)TRIAL_MAX_SLICES), m / TRIAL_SLICE_MIN));
}

/* Arm a for the m twins at j->rows: one slice per thread, then their failures
** gathered (a worker's error message is its own thread's: carried back). */
static tw_status run_arm(trial_job *j, int a, int64_t m) {
  const int64_t np = j->s.arm[a].model.n_params;
  const int P = slices(j, m);
  trial_slice sl[TRIAL_MAX_SLICES];
  j->total = (double)m;
  for (int p = 0; p < P; ++p) {
    const int64_t lo = m * p / P, hi = m * (p + 1) / P;
    sl[p] = (trial_slice){.j = j, .a = a, .rows = j->rows + lo, .m = hi - lo, .params = j->params + lo * np,
                          .v = j->v + lo, .lead = p == 0};
  }
#pragma omp parallel for schedule(static, 1) num_threads(P)
  for (int p = 0; p < P; ++p) {
    sl[p].st = run_slice(&sl[p]);
    if (sl[p].st != TW_OK) snprintf(sl[p].why, sizeof sl[p].why, "%s", tw_error_message());
  }
  j->done += (double)m;
  for (int p = 0; p < P; ++p) j->failed += sl[p].failed;
  for (int p = 0; p < P; ++p)
    if (sl[p].st != TW_OK) return TW_FAIL(sl[p].st, "%s", sl[p].why);
  return TW_OK;
}

static tw_status job_block(void *ctx, tw_run *run, int64_t k) {
  trial_job *j = ctx;
  j->done = 0;
  for (int a = 0; a < j->s.n_arms && !tw_run_stop_now(); ++a) {
    const int64_t m = arm_rows(j, a);
    if (m) TW_TRY(run_arm(j, a, m));
  }
  return TW_OK;
}

static tw_status job_end(void *ctx, tw_run *run) {
  trial_job *j = ctx;
  const int64_t A = j->s.n_arms;
  TW_TRY(write_cohort(j));
  for (int e = 0; e < j->s.n_ep; ++e) TW_TRY(tw_h5_dataset_write_rows(j->ep_ds[e], j->id0, j->n, j->ep + e * j->n * A));
  TW_TRY(tw_h5_dataset_write_rows(j->flag_ds, j->id0, j->n, j->flag));
  for (int o = 0; j->keep && o < j->s.arm[0].n_out; ++o)
    TW_TRY(tw_h5_dataset_write_rows(j->traj_ds[o], TW_MIN(j->id0, j->keep), j->nk, j->traj + (int64_t)o * j->nk * A * j->n_times));
  return TW_OK;
}

static void chunk_free(trial_job *j) {
  for (int a = 0; j->arm && a < j->s.n_arms; ++a) tw_sim_setup_free(&j->arm[a]);
  free(j->arm);
  j->arm = NULL;
  free(j->ep), free(j->flag), free(j->traj), free(j->rows), free(j->params), free(j->v);
  j->ep = j->traj = j->params = j->v = NULL;
  j->flag = NULL;
  j->rows = NULL;
}

static tw_status job_end_free(void *ctx, tw_run *run) {
  tw_status st = job_end(ctx, run);
  chunk_free(ctx);
  return st;
}

static tw_status job_close(void *ctx, tw_run *run, int failed) {
  trial_job *j = ctx;
  tw_status st = TW_OK;
  for (int e = 0; j->ep_ds && e < j->s.n_ep; ++e)
    if (j->ep_ds[e] && tw_h5_dataset_close(j->ep_ds[e]) != TW_OK) st = TW_ERR_LIBRARY;
  for (int o = 0; j->traj_ds && o < j->s.arm[0].n_out; ++o)
    if (j->traj_ds[o] && tw_h5_dataset_close(j->traj_ds[o]) != TW_OK) st = TW_ERR_LIBRARY;
  if (j->flag_ds && tw_h5_dataset_close(j->flag_ds) != TW_OK) st = TW_ERR_LIBRARY;
  if (j->param_out.ds && tw_params_out_close(&j->param_out) != TW_OK) st = TW_ERR_LIBRARY;
  for (int k = 0; j->cov_ds && k < j->s.n_cov; ++k)
    if (j->cov_ds[k] && tw_h5_dataset_close(j->cov_ds[k]) != TW_OK) st = TW_ERR_LIBRARY;
  if (tw_h5_strings_close(j->name_ds) != TW_OK) st = TW_ERR_LIBRARY;
  free(j->ep_ds), free(j->traj_ds), free(j->cov_ds);
  j->ep_ds = j->traj_ds = j->cov_ds = NULL;
  j->name_ds = NULL;
  j->flag_ds = NULL;
  chunk_free(j);
  tw_engine_detach(j->engine); /* the run closes the backend next */
  return failed ? TW_OK : st;
}

/* Twins per chunk when the config leaves it to the job. A twin's endpoints do
** not depend on the chunking, so chunks are sized for this rank's threads: a
** physiology cache block (256 twins) per thread's slice, at least the engine's
** default. (Chunks of 16 twins left the second core idle.) */
static int64_t default_chunk(int64_t n) {
  return TW_MIN(n, TW_MAX(tw_run_default_chunk(n), 256 * (int64_t)omp_get_max_threads()));
}

static const char *backend_name(int b) { return b == TW_SIM_BACKEND_CPU ? "cpu" : b == TW_SIM_BACKEND_CUDA ? "cuda" : "auto"; }

tw_status tw_trial_job_run(const tw_dist *dist, const tw_trial_config *c, const tw_cfg_doc *doc, tw_run_opts ro,
                           tw_run_report *rep, tw_trial_outcome *out) {
  trial_job j;
  memset(&j, 0, sizeof j);
  memset(out, 0, sizeof *out);
  j.c = c, j.doc = doc;
  tw_status st = tw_dist_agree(dist, trial_setup_build(c, doc, dist, &j.s));
  if (st == TW_OK) st = tw_dist_agree(dist, tw_engine_load(doc, c->engine, c->model, &j.s.arm[0].plan, &j.engine));
  for (int a = 0; st == TW_OK && a < j.s.n_arms; ++a) j.s.arm[a].plan.engine = tw_engine_step(j.engine);
  /* the results file first, so that a bad -o is named as such, then the summary and report */
  if (st == TW_OK) st = tw_dist_agree(dist, tw_run_check_output(ro.output, ro.force));
  if (st == TW_OK) st = tw_dist_agree(dist, tw_trial_finish_paths(c, ro.output, out));
  if (st != TW_OK) {
    tw_engine_free(j.engine);
    trial_setup_free(&j.s);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  j.keep = TW_MIN(c->output.trajectories.twins, j.s.n_twins);
  j.every = c->output.trajectories.every_min;
  j.n_times = (c->warmup_min + c->duration_min) / j.every + 1;
  ro.config_text = tw_cfg_text(doc);
  ro.seed = (uint64_t)c->seed;
  if (!ro.backend) ro.backend = backend_name(c->backend);
  tw_run_job job = {.name = "trial", .ctx = &j, .n_twins = j.s.n_twins,
                    .chunk_twins = c->output.chunk_twins ? c->output.chunk_twins : default_chunk(j.s.n_twins),
                    .blocks = 1, .open = job_open, .begin_chunk = job_begin, .block = job_block,
                    .end_chunk = job_end_free, .close = job_close};
  st = tw_run_execute(dist, &ro, &job, rep);
  out->failed = j.failed;
  if (st == TW_OK) st = tw_dist_sum_i64(dist, &out->failed, 1);
  give_back_freed();
  if (st == TW_OK && dist->rank == 0) st = tw_trial_finish(c, tw_cfg_text(doc), ro.output, rep, dist, out);
  st = tw_dist_agree(dist, st);
  tw_engine_free(j.engine);
  trial_setup_free(&j.s);
  return st;
}
