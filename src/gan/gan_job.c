/*
** gan_job.c: `twinscale gan train CONFIG` (gan_job.h): the cohort read,
** the transformer fitted, the rows encoded, the networks trained with the
** training-by-sampling data source below, and the model file written (or a
** checkpoint, when a signal stops the run).
*/
#include "build_info.h" /* TW_HAVE_YAML: configs, and the run engine's output check */

#if TW_HAVE_YAML
#include "gan/gan_job.h"

#include <stdio.h>  /* snprintf, remove */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset, memcpy */

#include "core/clock.h"    /* tw_now_seconds */
#include "core/log.h"      /* tw_log */
#include "core/philox.h"   /* the permutation's draws */
#include "core/progress.h" /* the progress line */
#include "gan/cond.h"
#include "gan/nets_file.h"    /* tw_gan_trainer_write, tw_gan_trainer_read */
#include "gan/transform_io.h" /* tw_gan_transformer_save, tw_gan_meta_read */
#include "io/h5.h"
#include "run/run.h" /* tw_run_check_output, signals */

#if defined(_OPENMP)
#include <omp.h> /* omp_set_num_threads */
#endif

void tw_gan_set_threads(int threads) {
#if defined(_OPENMP)
  if (threads > 0) omp_set_num_threads(threads);
#else
  (void)threads;
#endif
}

/* ---- the data source -------------------------------------------------------- */

typedef struct gan_data {
  const tw_gan_cond_sampler *s;
  const float *rows; /* (n, width) the encoded training rows */
  int width, cond_width, critic_steps;
  int64_t *row, *perm; /* (batch) scratch */
} gan_data;

/* CTGAN's np.random.shuffle(perm), from Philox: Fisher-Yates, draw i keyed on
** (seed, draw, TW_RNG_GAN_TRAIN, TW_GAN_PERM_INDEX + i). */
static void permutation(uint64_t seed, uint64_t draw, int64_t n, int64_t *perm) {
  for (int64_t i = 0; i < n; ++i) perm[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    uint32_t r[4];
    tw_philox_block(seed, draw, TW_RNG_GAN_TRAIN, TW_GAN_PERM_INDEX + (uint32_t)i, r);
    int64_t k = (int64_t)(tw_u01_f64(r[0], r[1]) * (double)(i + 1));
    k = TW_MIN(k, i);
    const int64_t t = perm[i];
    perm[i] = perm[k], perm[k] = t;
  }
}

/* tw_gan_data_fn: c1, its mask and rows of c1's categories from the condition
** sampler; in a critic update the real rows are those rows permuted and c2 is
** c1 permuted alike (CTGAN's fit). A function of (seed, step, phase, k). */
static tw_status data_source(void *ctx, uint64_t seed, int64_t step, tw_gan_phase phase, int k, int64_t batch,
                             const tw_gan_batch *out) {
  const gan_data *d = ctx;
  const uint64_t draw = (uint64_t)step * (uint64_t)(d->critic_steps + 1) +
                        (uint64_t)(phase == TW_GAN_PHASE_CRITIC ? k : d->critic_steps);
  tw_gan_cond_train(d->s, seed, draw, batch, out->cond, out->mask, d->row);
  if (phase == TW_GAN_PHASE_GENERATOR) return TW_OK;
  permutation(seed, draw, batch, d->perm);
  const size_t W = (size_t)d->width, C = (size_t)d->cond_width;
  for (int64_t b = 0; b < batch; ++b) {
    const int64_t p = d->perm[b];
    memcpy(out->real + (size_t)b * W, d->rows + (size_t)d->row[p] * W, W * sizeof(float));
    memcpy(out->real_cond + (size_t)b * C, out->cond + (size_t)p * C, C * sizeof(float));
  }
  return TW_OK;
}

/* ---- the job -------------------------------------------------------------------- */

typedef struct train_job {
  const tw_gan_train_config *c;
  const tw_cfg_doc *doc;
  const char *text; /* the config text */
  char cohort[4096], ckpt[4096];
  tw_gan_schema schema;
  tw_gan_table table;
  tw_gan_transformer tr;
  int have_tr, have_sampler;
  tw_gan_cond_sampler sampler;
  float *rows;
  gan_data data;
  tw_backend *be;
  tw_gan_trainer *trainer;
  tw_progress prog;
  int64_t step0;
  int signal;
} train_job;

static int64_t count_discrete(const tw_gan_schema *s) {
  int64_t n = 0;
  for (int j = 0; j < s->n_cols; ++j) n += s->cols[j].kind == TW_GAN_DISCRETE;
  return n;
}

/* The config's focus condition on the sampler; a refusal as FILE:LINE:COL: focus.condition: why. */
static tw_status set_focus(train_job *j) {
  const tw_gan_focus_cfg *f = &j->c->focus;
  if (!f->condition || tw_gan_cond_focus(&j->sampler, &j->tr, f->condition, f->share) == TW_OK) return TW_OK;
  char why[1024];
  snprintf(why, sizeof why, "%s", tw_error_message());
  tw_error_clear();
  return tw_cfg_error_at(j->doc, tw_cfg_path_mark_or(j->doc, "focus.condition", f->mark), "focus.condition: %s", why);
}

/* The table, the transformer, the condition sampler and the encoded rows. */
static tw_status prepare(train_job *j) {
  const tw_gan_train_config *c = j->c;
  TW_TRY(tw_gan_schema_read(j->cohort, &j->schema));
  TW_TRY(tw_gan_table_read(j->cohort, "the training cohort", &j->schema, &j->table));
  TW_TRY(tw_gan_transformer_fit(&j->table, (int)c->threads, &j->tr));
  j->have_tr = 1;
  if (c->combinations == 0) TW_TRY(tw_gan_transformer_combine(&j->tr, &j->table, (int)c->threads));
  if (j->tr.combo.n_cols)
    tw_log(TW_LOG_INFO, "gan train: a fixed combination of %d columns (%s, ...) in %lld tuples: one discrete column; "
           "%d columns shifted by their tuple's mean", j->tr.combo.n_cols, j->schema.cols[j->tr.combo.cols[0]].name,
           (long long)j->tr.combo.n, tw_gan_shifted_columns(&j->tr));
  TW_TRY(tw_gan_meta_read(j->cohort, &j->tr));
  TW_TRY(tw_gan_cond_init(&j->tr, &j->table, &j->sampler));
  j->have_sampler = 1;
  TW_TRY(set_focus(j));
  const size_t floats = (size_t)j->table.n_rows * (size_t)j->tr.layout.width;
  if (!(j->rows = malloc(floats * sizeof(float) + 1)))
    return TW_FAIL(TW_ERR_NOMEM, "gan train: no memory for %lld encoded rows", (long long)j->table.n_rows);
  return tw_gan_encode(&j->tr, &j->table, (uint64_t)c->seed, 0, j->table.n_rows, j->rows);
}

static tw_gan_sizes network_sizes(const tw_gan_train_config *c, const tw_gan_layout *lay) {
  tw_gan_sizes sz = tw_gan_sizes_default(lay->width, lay->cond_width);
  sz.embedding = (int)c->network.embedding;
  sz.pac = (int)c->network.pac;
  sz.n_gen = c->network.n_generator, sz.n_dis = c->network.n_critic;
  for (int i = 0; i < sz.n_gen; ++i) sz.gen[i] = (int)c->network.generator[i];
  for (int i = 0; i < sz.n_dis; ++i) sz.dis[i] = (int)c->network.critic[i];
  return sz;
}

static tw_status on_step(void *ctx, int64_t step, const tw_gan_losses *losses);

/* CTGAN's optimiser settings, or the config's; batch and steps from the
** small-table schedule where the config leaves them at 0. */
static tw_gan_train_opts train_opts(train_job *j) {
  const tw_gan_train_config *c = j->c;
  const int64_t n = j->table.n_rows;
  tw_gan_train_opts o = tw_gan_train_defaults(n, (int)c->network.pac, (uint64_t)c->seed);
  if (c->batch) o.batch = c->batch;
  if (c->steps) o.steps = c->steps;
  else if (c->batch) o.steps = TW_MAX(300 * ((n + o.batch - 1) / o.batch), (int64_t)3000); /* the schedule's rule */
  o.critic_steps = (int)c->critic_steps;
  o.lr_g = c->optimizer.lr_generator, o.lr_d = c->optimizer.lr_critic;
  o.beta1 = c->optimizer.beta1, o.beta2 = c->optimizer.beta2, o.eps = c->optimizer.eps;
  o.wd_g = o.wd_d = c->optimizer.weight_decay;
  o.on_step = on_step, o.on_step_ctx = j;
  return o;
}

static tw_status make_trainer(train_job *j) {
  const tw_gan_train_opts o = train_opts(j);
  const tw_gan_sizes sz = network_sizes(j->c, &j->tr.layout);
  TW_TRY(tw_gan_trainer_create(j->be, &j->tr.layout, &sz, &o, &j->trainer));
  j->data = (gan_data){.s = &j->sampler, .rows = j->rows, .width = j->tr.layout.width,
                       .cond_width = j->tr.layout.cond_width, .critic_steps = o.critic_steps};
  j->data.row = malloc((size_t)o.batch * sizeof(int64_t));
  j->data.perm = malloc((size_t)o.batch * sizeof(int64_t));
  if (!j->data.row || !j->data.perm) return TW_FAIL(TW_ERR_NOMEM, "gan train: batch of %lld", (long long)o.batch);
  return TW_OK;
}

/* The model file (or a checkpoint: the same layout) at `path`, through
** PATH.partial. */
static tw_status write_model(const train_job *j, const char *path) {
  char gemm[256];
  j->be->gemm_kernel(j->be, gemm, sizeof gemm);
  const tw_h5_run_info info = {j->text, (uint64_t)j->c->seed, 1, gemm};
  tw_h5_file *f;
  TW_TRY(tw_h5_create(path, NULL, &info, &f));
  tw_status st = tw_h5_attr_write_string(f, "model_kind", "twinscale gan");
  if (st == TW_OK) st = tw_h5_attr_write_string(f, "cohort", j->cohort);
  if (st == TW_OK) st = tw_gan_transformer_save(f, &j->tr);
  if (st == TW_OK) st = tw_gan_trainer_write(f, j->trainer);
  if (st != TW_OK) return tw_h5_abort(f), st;
  return tw_h5_close(f);
}

/* After every step: the progress line; a caught signal stops the run; the
** periodic checkpoint. */
static tw_status on_step(void *ctx, int64_t step, const tw_gan_losses *losses) {
  train_job *j = ctx;
  (void)losses;
  const int64_t done = step + 1;
  tw_progress_update(&j->prog, done - j->step0);
  if ((j->signal = tw_run_signal_caught()) != 0)
    return TW_FAIL(TW_ERR_INTERRUPTED, "gan train: signal %d after step %lld", j->signal, (long long)done);
  const int64_t every = j->c->checkpoint.every;
  if (every > 0 && done % every == 0 && done < j->trainer->opts.steps) return write_model(j, j->ckpt);
  return TW_OK;
}

/* --resume: the checkpoint's networks, Adam's moments, curves and step, when
** the checkpoint exists and was written by this config. */
static tw_status resume_from(train_job *j) {
  FILE *probe = fopen(j->ckpt, "rb");
  if (!probe) {
    tw_log(TW_LOG_INFO, "gan train: no checkpoint at %s: starting at step 0", j->ckpt);
    return TW_OK;
  }
  fclose(probe);
  tw_h5_file *f;
  TW_TRY(tw_h5_open(j->ckpt, NULL, &f));
  char *was = NULL;
  tw_status st = tw_h5_attr_read_string(f, "config", &was);
  if (st != TW_OK)
    st = (tw_error_clear(), TW_FAIL(TW_ERR_INPUT, "%s: not a gan train checkpoint (no attribute `config`)", j->ckpt));
  else if (strcmp(was, j->text))
    st = TW_FAIL(TW_ERR_INPUT, "%s: written by another config; resume with the config that started it (or remove "
                 "the checkpoint to start again)", j->ckpt);
  free(was);
  if (st == TW_OK) st = tw_gan_trainer_read(f, j->trainer);
  const tw_status cst = tw_h5_close(f);
  if (st == TW_OK) st = cst;
  if (st == TW_OK)
    tw_log(TW_LOG_INFO, "gan train: resuming from %s at step %lld", j->ckpt, (long long)j->trainer->step);
  return st;
}

/* The steps, with signals caught and the progress line; a signal writes the
** checkpoint and becomes TW_ERR_INTERRUPTED with rep->signal set. */
static tw_status train_loop(train_job *j, tw_gan_train_report *rep) {
  j->step0 = j->trainer->step;
  tw_progress_begin(&j->prog, "gan train", "steps", j->trainer->opts.steps - j->step0);
  tw_run_signals_catch();
  const double t0 = tw_now_seconds();
  tw_status st = tw_gan_train(j->trainer, data_source, &j->data, 0);
  rep->seconds = tw_now_seconds() - t0;
  tw_run_signals_restore();
  tw_progress_end(&j->prog); /* the last line, ended, also when stopped */
  if (st != TW_ERR_INTERRUPTED) return st;
  tw_error_clear();
  TW_TRY(write_model(j, j->ckpt));
  rep->signal = j->signal;
  snprintf(rep->checkpoint, sizeof rep->checkpoint, "%s", j->ckpt);
  return TW_FAIL(TW_ERR_INTERRUPTED, "gan train: stopped by signal %d after step %lld; checkpoint %s (--resume goes on "
                 "from it)", j->signal, (long long)j->trainer->step, j->ckpt);
}

static void fill_report(const train_job *j, tw_gan_train_report *rep) {
  rep->rows = j->table.n_rows, rep->columns = j->schema.n_cols, rep->discrete = count_discrete(&j->schema);
  if (j->be) snprintf(rep->backend, sizeof rep->backend, "%s (%s)", j->be->name, j->be->why);
  if (j->have_tr) rep->width = j->tr.layout.width, rep->cond_width = j->tr.layout.cond_width;
  if (j->have_sampler && j->sampler.focus_share > 0) {
    const tw_gan_cond_sampler *s = &j->sampler;
    const int64_t *first = s->first + s->offset[s->focus_disc] + s->focus_disc;
    rep->focus_rows = first[s->focus_cat + 1] - first[s->focus_cat], rep->focus_share = s->focus_share;
    snprintf(rep->focus, sizeof rep->focus, "%s", j->c->focus.condition);
  }
  if (!j->trainer) return;
  rep->batch = j->trainer->opts.batch, rep->steps = j->trainer->opts.steps;
  rep->step0 = j->step0, rep->step = j->trainer->step;
  if (j->trainer->step > 0) rep->last = j->trainer->curve[j->trainer->step - 1];
  rep->steps_per_s = rep->seconds > 0 ? (double)(rep->step - rep->step0) / rep->seconds : 0;
}

static void teardown(train_job *j) {
  tw_gan_trainer_destroy(j->trainer);
  if (j->be) tw_backend_close(j->be);
  free(j->data.row), free(j->data.perm), free(j->rows);
  if (j->have_sampler) tw_gan_cond_free(&j->sampler);
  if (j->have_tr) tw_gan_transformer_free(&j->tr);
  tw_gan_table_free(&j->table);
  tw_gan_schema_free(&j->schema);
}

static tw_status check_outputs(train_job *j, int force) {
  const tw_gan_train_config *c = j->c;
  snprintf(j->ckpt, sizeof j->ckpt, "%s%s", c->checkpoint.path ? c->checkpoint.path : c->output.path,
           c->checkpoint.path ? "" : ".ckpt");
  TW_TRY(tw_run_check_output(c->output.path, force));
  return tw_run_check_output(j->ckpt, 1);
}

tw_status tw_gan_train_run(const tw_gan_train_config *c, const tw_cfg_doc *doc, int force, int resume,
                           tw_gan_train_report *rep) {
  train_job j;
  memset(&j, 0, sizeof j);
  memset(rep, 0, sizeof *rep);
  j.c = c, j.doc = doc, j.text = tw_cfg_text(doc);
  tw_cfg_resolve(doc, c->cohort, j.cohort, sizeof j.cohort);
  tw_status st = check_outputs(&j, force);
  /* The backend before the data, so that `backend: cuda` without a GPU is
  ** refused at once. One process: rank 0 trains (cmd_gan.c), on device 0. */
  if (st == TW_OK) st = tw_backend_open(tw_gan_backend_names[c->backend], 0, &j.be);
  tw_gan_set_threads((int)c->threads);
  const double t0 = tw_now_seconds();
  if (st == TW_OK) st = prepare(&j);
  rep->fit_seconds = tw_now_seconds() - t0;
  if (st == TW_OK) st = make_trainer(&j);
  if (st == TW_OK && resume) st = resume_from(&j);
  if (st == TW_OK) st = train_loop(&j, rep);
  if (st == TW_OK) st = write_model(&j, c->output.path);
  if (st == TW_OK) remove(j.ckpt); /* the model file holds the same state: the checkpoint is spent */
  fill_report(&j, rep);
  teardown(&j);
  return st;
}
#else
typedef int tw_gan_job_needs_yaml; /* the job reads a config; ISO C wants a non-empty file */
#endif
