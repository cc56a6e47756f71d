/*
** gan_job_baseline.c: `twinscale gan baseline` (gan_job.h): one draw of a
** report baseline (baseline.h: the Gaussian copula, bootstrap or smoothed bootstrap rows, fitted
** on the real cohort or on its rows of one category) written as a cohort
** file (cohort_out.h) that `trial` takes, so that the copula's twins get
** endpoints and the report its utility (docs/gan.md, "Utility").
**
** Invalid rows (validity.h: a parameter out of range, no steady state at the
** basal rate) are redrawn by the loop `gan sample` uses, the baseline's row
** sequence continued (row i is a function of the seed and i), so the file's
** rows are the first N valid rows of the report's draw with the same seed:
** its twins are as physiological as a generator's sample, which is what a
** trial compares. --keep-invalid writes the draw itself, invalid rows
** counted but kept: the very rows the report scored.
*/
#include "build_info.h" /* TW_HAVE_YAML: the run engine's output check */

#if TW_HAVE_YAML
#include "gan/gan_job.h"

#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset */

#include "core/clock.h"       /* tw_now_seconds */
#include "gan/cohort_out.h"   /* tw_gan_cohort_write */
#include "gan/transform_io.h" /* tw_gan_meta_read */

typedef struct baseline_job {
  const tw_gan_baseline_args *a;
  tw_gan_transformer meta;  /* the real cohort's schema, units and pack (nothing fitted) */
  tw_gan_table all, subset; /* every real row; the condition's rows */
  const tw_gan_table *fit;  /* the rows the baseline is fitted on: &all or &subset */
  tw_gan_baseline *b;       /* the baseline fitted on them, once */
  tw_gan_validity v;
  int have_validity;
  tw_gan_table rows; /* the rows written */
} baseline_job;

/* The real cohort: its table, units, pack and the rows to fit on. */
static tw_status read_real(baseline_job *j) {
  const tw_gan_baseline_args *a = j->a;
  TW_TRY(tw_gan_schema_read(a->real, &j->meta.schema));
  TW_TRY(tw_gan_table_read(a->real, "the real cohort", &j->meta.schema, &j->all));
  TW_TRY(tw_gan_meta_read(a->real, &j->meta));
  j->fit = &j->all;
  if (!a->condition) return TW_OK;
  j->fit = &j->subset;
  return tw_gan_baseline_restrict(&j->all, a->condition, a->real, &j->subset);
}

/* --keep-invalid: the draw's first n rows, each checked and counted. */
static tw_status draw_kept(baseline_job *j, tw_gan_validity_stats *stats) {
  const tw_gan_baseline_args *a = j->a;
  TW_TRY(tw_gan_table_alloc(j->fit->schema, a->n, &j->rows));
  TW_TRY(tw_gan_baseline_fill(j->b, 0, &j->rows));
  uint8_t *ok = malloc((size_t)a->n);
  if (!ok) return TW_FAIL(TW_ERR_NOMEM, "gan baseline: %lld rows", (long long)a->n);
  tw_status st = tw_gan_validity_check(&j->v, &j->rows, ok, stats);
  free(ok);
  stats->drawn = a->n, stats->rounds = 1;
  return st;
}

static tw_status draw_rows(baseline_job *j, tw_gan_baseline_report *rep) {
  const tw_gan_baseline_args *a = j->a;
  TW_TRY(tw_gan_baseline_fit(a->kind, j->fit, a->seed, &j->b));
  tw_gan_baseline_smooth(j->b, a->smoothing);
  TW_TRY(tw_gan_validity_for(&j->meta.schema, j->meta.pack, NULL, a->threads, &j->v));
  j->have_validity = 1;
  if (a->keep_invalid) TW_TRY(draw_kept(j, &rep->stats));
  else TW_TRY(tw_gan_baseline_valid_rows(j->b, &j->meta.schema, &j->v, a->n, &j->rows, &rep->stats));
  rep->invalid_rate = tw_gan_invalid_rate(&rep->stats);
  rep->n = j->rows.n_rows, rep->real_rows = j->fit->n_rows, rep->checked = j->v.pack != NULL;
  return TW_OK;
}

static void teardown(baseline_job *j) {
  tw_gan_table_free(&j->rows);
  tw_gan_baseline_free(j->b);
  if (j->have_validity) tw_gan_validity_free(&j->v);
  tw_gan_table_free(&j->subset);
  tw_gan_table_free(&j->all);
  tw_gan_transformer_free(&j->meta);
}

tw_status tw_gan_baseline_run(const tw_gan_baseline_args *a, tw_gan_baseline_report *rep) {
  baseline_job j;
  memset(&j, 0, sizeof j);
  memset(rep, 0, sizeof *rep);
  j.a = a;
  tw_status st = tw_gan_rows_job_begin("gan baseline", a->n, a->output, a->force, a->threads);
  const double t0 = tw_now_seconds();
  if (st == TW_OK) st = read_real(&j);
  if (st == TW_OK) st = draw_rows(&j, rep);
  const tw_gan_sample_info info = {.model = a->real, .condition = a->condition, .seed = a->seed, .stats = &rep->stats,
                                   .baseline = tw_gan_baseline_name(a->kind), .keep_invalid = a->keep_invalid,
                                   .smoothing = a->kind == TW_GAN_BASELINE_SMOOTHED ? &a->smoothing : NULL};
  if (st == TW_OK) st = tw_gan_cohort_write(a->output, &j.meta, &j.rows, &info);
  rep->seconds = tw_now_seconds() - t0;
  teardown(&j);
  return st;
}
#else
typedef int tw_gan_job_baseline_needs_yaml; /* ISO C wants a non-empty file */
#endif
