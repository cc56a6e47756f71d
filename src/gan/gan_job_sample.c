/*
** gan_job_sample.c: `twinscale gan sample` (gan_job.h): a model file's
** transformer and generator, N valid rows drawn with redraws (validity.h),
** written as a cohort file (cohort_out.h). The condition is checked before the
** networks are read; the output path before anything. With a condition,
** every row has it (generate_fixed below).
*/
#include "build_info.h" /* TW_HAVE_YAML: the run engine's output check */

#if TW_HAVE_YAML
#include "gan/gan_job.h"

#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset */

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
  tw_gan_sampler *gen;
  int width, start, span_width;
  int64_t cat;
  int64_t missed; /* candidates whose own output was another category */
} fixed_gen;

static tw_status generate_fixed(void *ctx, int64_t n, const float *cond, uint64_t first_row, float *out) {
  fixed_gen *g = ctx;
  TW_TRY(tw_gan_generate(g->gen, n, cond, first_row, out));
  for (int64_t r = 0; r < n; ++r) {
    float *span = out + r * g->width + g->start;
    int64_t best = 0;
    for (int q = 1; q < g->span_width; ++q)
      if (span[q] > span[best]) best = q;
    g->missed += best != g->cat;
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
  tw_backend *be;
  tw_gan_nets *nets;
  tw_gan_sampler *gen;
  tw_gan_table rows;
} sample_job;

/* The model file's transformer, and the condition checked against it. */
static tw_status load_transformer(sample_job *j, tw_h5_file *f) {
  TW_TRY(tw_gan_transformer_load(f, &j->tr));
  j->have_tr = 1;
  TW_TRY(tw_gan_cond_init(&j->tr, NULL, &j->cs));
  j->have_sampler = 1;
  if (!j->a->condition) return TW_OK;
  if (!(j->cond = malloc((size_t)j->tr.layout.cond_width * sizeof(float) + 1)))
    return TW_FAIL(TW_ERR_NOMEM, "gan sample: condition vector");
  int disc = 0;
  TW_TRY(tw_gan_cond_fixed(&j->tr, j->a->condition, j->cond, &disc, &j->fixed.cat));
  const tw_gan_span *sp = &j->tr.layout.spans[j->tr.layout.cond_span[disc]];
  j->fixed.width = j->tr.layout.width, j->fixed.start = sp->start, j->fixed.span_width = sp->width;
  return TW_OK;
}

/* Everything from the model file: transformer, condition, networks. */
static tw_status load_model(sample_job *j) {
  tw_h5_file *f;
  TW_TRY(tw_h5_open(j->a->model, NULL, &f));
  tw_status st = load_transformer(j, f);
  if (st == TW_OK) st = tw_backend_open("cpu", 0, &j->be);
  if (st == TW_OK) st = tw_gan_nets_read(j->be, f, &j->tr.layout, &j->nets);
  const tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}

static tw_status draw_rows(sample_job *j, tw_gan_sample_report *rep) {
  const tw_gan_sample_args *a = j->a;
  TW_TRY(tw_gan_validity_init(&j->tr, NULL, a->threads, &j->v));
  j->have_validity = 1;
  TW_TRY(tw_gan_sampler_create(j->nets, a->seed, &j->gen));
  const tw_gan_sample_request req = {.n = a->n, .cond = j->cond, .kind = a->kind, .seed = a->seed};
  j->fixed.gen = j->gen;
  TW_TRY(tw_gan_sample_valid(&j->tr, &j->cs, &j->v, j->cond ? generate_fixed : tw_gan_generate,
                             j->cond ? (void *)&j->fixed : (void *)j->gen, &req, &j->rows, &rep->stats));
  rep->condition_missed = j->fixed.missed;
  rep->invalid_rate = tw_gan_invalid_rate(&rep->stats);
  rep->n = j->rows.n_rows;
  return TW_OK;
}

static void teardown(sample_job *j) {
  tw_gan_table_free(&j->rows);
  tw_gan_sampler_destroy(j->gen);
  tw_gan_nets_destroy(j->nets);
  if (j->be) tw_backend_close(j->be);
  if (j->have_validity) tw_gan_validity_free(&j->v);
  if (j->have_sampler) tw_gan_cond_free(&j->cs);
  if (j->have_tr) tw_gan_transformer_free(&j->tr);
  free(j->cond);
}

tw_status tw_gan_sample_run(const tw_gan_sample_args *a, tw_gan_sample_report *rep) {
  sample_job j;
  memset(&j, 0, sizeof j);
  memset(rep, 0, sizeof *rep);
  j.a = a;
  if (a->n < 1) return TW_FAIL(TW_ERR_INPUT, "gan sample: --n %lld: at least one row", (long long)a->n);
  tw_status st = tw_run_check_output(a->output, a->force);
  tw_gan_set_threads(a->threads);
  const double t0 = tw_now_seconds();
  if (st == TW_OK) st = load_model(&j);
  if (st == TW_OK) st = draw_rows(&j, rep);
  const tw_gan_sample_info info = {.model = a->model, .condition = a->condition, .seed = a->seed, .stats = &rep->stats};
  if (st == TW_OK) st = tw_gan_cohort_write(a->output, &j.tr, &j.rows, &info);
  rep->seconds = tw_now_seconds() - t0;
  teardown(&j);
  return st;
}
#else
typedef int tw_gan_job_sample_needs_yaml; /* ISO C wants a non-empty file */
#endif
