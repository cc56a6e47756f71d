/*
** gan_job_sample.c: `twinscale gan sample` (gan_job.h): a model file's
** transformer and generator, N valid rows drawn with redraws (validity.h),
** written as a cohort file (cohort_out.h). The condition is checked before the
** networks are read; the output path before anything. With a condition,
** every row has it (generate_fixed below). A trial's cohort.from_generator
** (tw_gan_cohort_from_generator) samples the same way and writes the rows
** after a real cohort's (cohort_out.h).
*/
#include "build_info.h" /* TW_HAVE_YAML: the run engine's output check */

#if TW_HAVE_YAML
#include "gan/gan_job.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset, strcmp, strcat, strlen */

#include "core/clock.h"       /* tw_now_seconds */
#include "gan/cohort_out.h"   /* tw_gan_cohort_write */
#include "gan/nets_file.h"    /* tw_gan_nets_read */
#include "gan/transform_io.h" /* tw_gan_transformer_load */
#include "io/h5.h"
#include "run/run.h" /* tw_run_check_output */

/* A generator whose rows all carry the fixed condition: tw_gan_generate,
** then the conditioned column's span set to the condition's one-hot. The
** generator was given the condition, so its other columns follow it, but its
** own output for that column misses it in some rows (CTGAN leaves them; SDV's
** conditional sampling rejects them); those are counted. */
typedef struct fixed_gen {
  tw_gan_ensemble *gen;
  int width, start, span_width;
  int64_t cat;
  int64_t missed; /* candidates whose own output was another category */
} fixed_gen;

static tw_status generate_fixed(void *ctx, int64_t n, const float *cond, uint64_t first_row, float *out) {
  fixed_gen *g = ctx;
  TW_TRY(tw_gan_ensemble_generate(g->gen, n, cond, first_row, out));
  for (int64_t r = 0; r < n; ++r) {
    float *span = out + r * g->width + g->start;
    g->missed += tw_gan_argmax(span, g->span_width) != g->cat;
    for (int q = 0; q < g->span_width; ++q) span[q] = q == g->cat ? 1.0f : 0.0f;
  }
  return TW_OK;
}

typedef struct sample_job {
  const tw_gan_sample_args *a;
  tw_gan_transformer tr;
  int have_tr, have_sampler, have_validity;
  tw_gan_cond_sampler cs;
  tw_gan_validity v;
  float *cond; /* (cond_width) the fixed condition, or NULL */
  fixed_gen fixed; /* the fixed condition's span and category */
  tw_gan_reject reject; /* the same, for rejection sampling */
  tw_backend *be;
  tw_gan_nets *nets[TW_GAN_MODELS_MAX];
  tw_gan_sampler *gen[TW_GAN_MODELS_MAX];
  int n_nets, n_gen;
  tw_gan_ensemble ens; /* the generators, one or more */
  char *model_names;   /* the model paths joined by ", " (the file's gan_model), or NULL for one */
  tw_gan_table rows;
} sample_job;

/* The model file's transformer and condition sampler. */
static tw_status load_transformer(sample_job *j, tw_h5_file *f) {
  TW_TRY(tw_gan_transformer_load(f, &j->tr));
  j->have_tr = 1;
  TW_TRY(tw_gan_cond_init(&j->tr, NULL, &j->cs));
  j->have_sampler = 1;
  return TW_OK;
}

/* The condition, checked against the transformer: its vector and span. */
static tw_status fix_condition(sample_job *j) {
  if (!j->a->condition) return TW_OK;
  if (!(j->cond = malloc((size_t)j->tr.layout.cond_width * sizeof(float) + 1)))
    return TW_FAIL(TW_ERR_NOMEM, "gan sample: condition vector");
  int disc = 0;
  if (tw_gan_cond_fixed(&j->tr, j->a->condition, j->cond, &disc, &j->fixed.cat) != TW_OK) {
    char why[1024];
    snprintf(why, sizeof why, "%s", tw_error_message());
    tw_error_clear();
    return TW_FAIL(TW_ERR_INPUT, "--condition %s", why);
  }
  const tw_gan_span *sp = &j->tr.layout.spans[j->tr.layout.cond_span[disc]];
  j->fixed.width = j->tr.layout.width, j->fixed.start = sp->start, j->fixed.span_width = sp->width;
  j->reject = (tw_gan_reject){.start = sp->start, .width = sp->width, .cat = j->fixed.cat};
  return TW_OK;
}

/* What a model must pass beyond its transformer (the trial's checks), or
** NULL; it sets *where to the input a failure is about. */
typedef tw_status (*model_check_fn)(sample_job *j, void *ctx, tw_gan_gen_input *where);

/* Member m > 0 of an ensemble: its networks, its transformer the first
** model's (tw_gan_transformer_same). */
static tw_status load_member(sample_job *j, int m) {
  const char *path = j->a->models[m];
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_gan_transformer tr;
  tw_status st = tw_gan_transformer_load(f, &tr);
  if (st == TW_OK) {
    st = tw_gan_transformer_same(&j->tr, &tr, path);
    tw_gan_transformer_free(&tr);
  }
  if (st == TW_OK) st = tw_gan_nets_read(j->be, f, &j->tr.layout, &j->nets[m]);
  if (st == TW_OK) j->n_nets = m + 1;
  const tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}

/* The model paths as the sampled file names them: "a.h5, b.h5, ...". */
static tw_status join_models(sample_job *j) {
  size_t len = 1;
  for (int m = 0; m < j->a->n_models; ++m) len += strlen(j->a->models[m]) + 2;
  if (!(j->model_names = malloc(len))) return TW_FAIL(TW_ERR_NOMEM, "gan sample: model names");
  j->model_names[0] = 0;
  for (int m = 0; m < j->a->n_models; ++m)
    strcat(strcat(j->model_names, m ? ", " : ""), j->a->models[m]);
  return TW_OK;
}

/* Everything from the model files: the first's transformer, checks,
** condition and networks, then the other members' networks; *bad says which
** input a failure is about (may be NULL). */
static tw_status load_model(sample_job *j, model_check_fn check, void *ctx, tw_gan_gen_input *bad) {
  tw_gan_gen_input where = TW_GAN_GEN_MODEL;
  const tw_gan_sample_args *a = j->a;
  if (a->n_models < 1 || a->n_models > TW_GAN_MODELS_MAX) {
    if (bad) *bad = where;
    return TW_FAIL(TW_ERR_INPUT, "%d model files: 1 to %d", a->n_models, TW_GAN_MODELS_MAX);
  }
  tw_h5_file *f;
  tw_status st = tw_h5_open(a->models[0], NULL, &f);
  if (st != TW_OK) {
    if (bad) *bad = where;
    return st;
  }
  st = load_transformer(j, f);
  if (st == TW_OK && check) st = check(j, ctx, &where);
  if (st == TW_OK) where = TW_GAN_GEN_CONDITION, st = fix_condition(j);
  if (st == TW_OK)
    where = TW_GAN_GEN_MODEL, st = tw_backend_open(a->backend ? a->backend : "cpu", 0, &j->be);
  if (st == TW_OK) st = tw_gan_nets_read(j->be, f, &j->tr.layout, &j->nets[0]);
  if (st == TW_OK) j->n_nets = 1;
  const tw_status cst = tw_h5_close(f);
  if (st == TW_OK) st = cst;
  for (int m = 1; st == TW_OK && m < a->n_models; ++m) st = load_member(j, m);
  if (st == TW_OK && a->n_models > 1) st = join_models(j);
  if (st != TW_OK && bad) *bad = where;
  return st;
}

static tw_status draw_rows(sample_job *j, tw_gan_sample_report *rep) {
  const tw_gan_sample_args *a = j->a;
  TW_TRY(tw_gan_validity_init(&j->tr, NULL, a->threads, &j->v));
  j->have_validity = 1;
  for (; j->n_gen < j->n_nets; ++j->n_gen)
    TW_TRY(tw_gan_sampler_create_member(j->nets[j->n_gen], a->seed, j->n_nets, j->n_gen, &j->gen[j->n_gen]));
  TW_TRY(tw_gan_ensemble_init(&j->ens, j->gen, j->n_gen));
  const int fixed = j->cond && a->conditioning == TW_GAN_CONDITION_VECTOR;
  const tw_gan_sample_request req = {.n = a->n, .cond = fixed ? j->cond : NULL,
                                     .reject = j->cond && !fixed ? &j->reject : NULL, .kind = a->kind,
                                     .seed = a->seed};
  j->fixed.gen = &j->ens;
  TW_TRY(tw_gan_sample_valid(&j->tr, &j->cs, &j->v, fixed ? generate_fixed : tw_gan_ensemble_generate,
                             fixed ? (void *)&j->fixed : (void *)&j->ens, &req, &j->rows, &rep->stats));
  rep->condition_missed = j->fixed.missed;
  rep->invalid_rate = tw_gan_invalid_rate(&rep->stats);
  rep->n = j->rows.n_rows;
  return TW_OK;
}

/* What the sampled file records of the sample: the models, condition, seed, redraws. */
static tw_gan_sample_info sample_info(const sample_job *j, const tw_gan_validity_stats *stats) {
  const tw_gan_sample_args *a = j->a;
  return (tw_gan_sample_info){.model = j->model_names ? j->model_names : a->models[0], .condition = a->condition,
                              .conditioning = a->conditioning, .seed = a->seed, .stats = stats};
}

static void teardown(sample_job *j) {
  tw_gan_table_free(&j->rows);
  tw_gan_ensemble_free(&j->ens);
  for (int m = 0; m < j->n_gen; ++m) tw_gan_sampler_destroy(j->gen[m]);
  for (int m = 0; m < j->n_nets; ++m) tw_gan_nets_destroy(j->nets[m]);
  free(j->model_names);
  if (j->be) tw_backend_close(j->be);
  if (j->have_validity) tw_gan_validity_free(&j->v);
  if (j->have_sampler) tw_gan_cond_free(&j->cs);
  if (j->have_tr) tw_gan_transformer_free(&j->tr);
  free(j->cond);
}

tw_status tw_gan_rows_job_begin(const char *cmd, int64_t n, const char *output, int force, int threads) {
  if (n < 1) return TW_FAIL(TW_ERR_INPUT, "%s: --n %lld: at least one row", cmd, (long long)n);
  tw_gan_set_threads(threads);
  return tw_run_check_output(output, force);
}

tw_status tw_gan_sample_run(const tw_gan_sample_args *a, tw_gan_sample_report *rep) {
  sample_job j;
  memset(&j, 0, sizeof j);
  memset(rep, 0, sizeof *rep);
  j.a = a;
  tw_status st = tw_gan_rows_job_begin("gan sample", a->n, a->output, a->force, a->threads);
  const double t0 = tw_now_seconds();
  if (st == TW_OK) st = load_model(&j, NULL, NULL, NULL);
  if (st == TW_OK) st = draw_rows(&j, rep);
  const tw_gan_sample_info info = sample_info(&j, &rep->stats);
  if (st == TW_OK) st = tw_gan_cohort_write(a->output, &j.tr, &j.rows, &info);
  rep->seconds = tw_now_seconds() - t0;
  teardown(&j);
  return st;
}

/* ---- a trial's cohort.from_generator ------------------------------------- */

/* The real cohort the generated twins join: its rows of the model's columns,
** ids and reference patients. */
typedef struct real_cohort {
  const tw_gan_cohort_gen_args *a;
  tw_gan_schema schema;
  tw_gan_table rows;
  char **ids, **refs;
  int64_t n_ids, n_refs;
} real_cohort;

static tw_status read_names(const char *path, const char *dataset, int64_t n, char ***out, int64_t *n_out) {
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = TW_OK;
  if (tw_h5_exists(f, dataset)) {
    int rank;
    int64_t dims[TW_TENSOR_MAX_RANK] = {0};
    st = tw_h5_shape(f, dataset, &rank, dims);
    if (st == TW_OK && (rank != 1 || dims[0] != n))
      st = TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld rows for %lld twins", path, dataset, (long long)dims[0], (long long)n);
    if (st == TW_OK) st = tw_h5_read_strings_rows(f, dataset, 0, n, out);
    if (st == TW_OK) *n_out = n;
  }
  const tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}

/* The model's pack is the trial's, and the real cohort (if any) has the
** model's columns; its rows, ids and references are read. */
static tw_status check_inputs(sample_job *j, void *ctx, tw_gan_gen_input *where) {
  real_cohort *r = ctx;
  const char *pack = r->a->pack, *have = j->tr.pack ? j->tr.pack : "(none)";
  if (pack && (!j->tr.pack || strcmp(pack, j->tr.pack)))
    return TW_FAIL(TW_ERR_INPUT, "%s: a model of cohorts of pack %s (the training cohort's attribute `pack`), but "
                   "this trial's pack is %s", r->a->models[0], have, pack);
  if (!r->a->real) return TW_OK;
  *where = TW_GAN_GEN_REAL;
  TW_TRY(tw_gan_schema_read(r->a->real, &r->schema));
  TW_TRY(tw_gan_transformer_check_schema(&j->tr, &r->schema, r->a->real));
  TW_TRY(tw_gan_table_read(r->a->real, "the trial's cohort", &r->schema, &r->rows));
  TW_TRY(read_names(r->a->real, "/cohort/id", r->rows.n_rows, &r->ids, &r->n_ids));
  if (!r->ids) return TW_FAIL(TW_ERR_INPUT, "%s: no /cohort/id: not a cohort file", r->a->real);
  return read_names(r->a->real, "/cohort/reference", r->rows.n_rows, &r->refs, &r->n_refs);
}

static void real_free(real_cohort *r) {
  for (int64_t i = 0; i < r->n_ids; ++i) free(r->ids[i]);
  for (int64_t i = 0; i < r->n_refs; ++i) free(r->refs[i]);
  free(r->ids), free(r->refs);
  tw_gan_table_free(&r->rows);
  tw_gan_schema_free(&r->schema);
}

tw_status tw_gan_cohort_from_generator(const tw_gan_cohort_gen_args *a, tw_gan_cohort_gen_report *rep) {
  memset(rep, 0, sizeof *rep);
  if (a->n < 1) {
    rep->bad = TW_GAN_GEN_N;
    return TW_FAIL(TW_ERR_INPUT, "n = %lld: at least one generated twin", (long long)a->n);
  }
  const tw_gan_sample_args sa = {.models = a->models, .n_models = a->n_models, .output = a->output,
                                 .condition = a->condition, .conditioning = a->conditioning, .n = a->n,
                                 .seed = a->seed, .kind = TW_GAN_COND_ORIGINAL, .threads = a->threads, .force = 1};
  sample_job j;
  real_cohort r;
  memset(&j, 0, sizeof j);
  memset(&r, 0, sizeof r);
  j.a = &sa, r.a = a;
  tw_gan_set_threads(a->threads);
  const double t0 = tw_now_seconds();
  tw_status st = load_model(&j, check_inputs, &r, &rep->bad);
  if (st == TW_OK) st = draw_rows(&j, &rep->sample);
  const tw_gan_sample_info info = sample_info(&j, &rep->sample.stats);
  const tw_gan_cohort_real real = {.rows = a->real ? &r.rows : NULL, .ids = r.ids, .references = r.refs,
                                   .path = a->real};
  if (st == TW_OK) st = tw_gan_cohort_write_joined(a->output, &j.tr, &real, &j.rows, &info);
  rep->n_real = a->real ? r.rows.n_rows : 0;
  rep->sample.seconds = tw_now_seconds() - t0;
  teardown(&j);
  real_free(&r);
  return st;
}
#else
typedef int tw_gan_job_sample_needs_yaml; /* ISO C wants a non-empty file */
#endif
