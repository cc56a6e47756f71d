/*
** replay_cohort.c: fitted twins as a cohort file (replay.h,
** tw_twins_write_cohort), so that a trial runs its protocol on personal twins
** (`cohort: {from_twins: T.h5}`, docs/trial.md): every person whose fit is not
** flagged becomes a twin with the full t1d parameter vector of its MAP
** (tw_twins_params), in the cohort file's layout (docs/cohorts.md) that the
** simulate setup reads by rows.
*/
#include "build_info.h" /* TW_HAVE_HDF5 */
#include "twin/replay.h"

#include <math.h>   /* NAN */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset, strcmp */

extern const tw_pack tw_pack_t1d;

#if TW_HAVE_HDF5
#include "io/h5.h"

/* The kept persons' parameters (m, n_params) and ids. */
typedef struct cohort_rows {
  int64_t m;
  const char **id;
  double *p;
  double *weight; /* (m) kg, NaN when the records give none */
} cohort_rows;

static double weight_of(const tw_records *r, const char *id) {
  for (int64_t q = 0; r && q < r->n; ++q)
    if (!strcmp(r->persons[q].id, id)) return r->persons[q].weight_kg;
  return NAN;
}

static tw_status collect(const tw_twins *t, const tw_records *r, cohort_rows *c, tw_twins_cohort_report *rep) {
  const int np = tw_pack_t1d.n_params;
  c->id = malloc(sizeof(char *) * (size_t)t->n + 1);
  c->p = malloc(sizeof(double) * (size_t)(t->n * np) + 1);
  c->weight = malloc(sizeof(double) * (size_t)t->n + 1);
  if (!c->id || !c->p || !c->weight) return TW_FAIL(TW_ERR_NOMEM, "twins: out of memory for %lld persons", (long long)t->n);
  for (int64_t i = 0; i < t->n; ++i) {
    if (!tw_twins_usable(t, i)) continue;
    const double w = weight_of(r, t->id[i]);
    rep->with_weight += w > 0.0;
    c->id[c->m] = t->id[i];
    c->weight[c->m] = w > 0.0 ? w : NAN;
    tw_twins_params(t, t->map + i * t->prior.k, w, c->p + c->m * np);
    c->m++;
  }
  rep->persons = t->n, rep->written = c->m, rep->left_out = t->n - c->m;
  return TW_OK;
}

static tw_status write_rows(tw_h5_file *f, const cohort_rows *c) {
  const int np = tw_pack_t1d.n_params;
  double *col = malloc(sizeof(double) * (size_t)c->m + 1);
  if (!col) return TW_FAIL(TW_ERR_NOMEM, "twins: out of memory");
  tw_status st = tw_h5_write_strings(f, "/cohort/id", c->id, c->m, "1");
  for (int q = 0; q < np && st == TW_OK; ++q) {
    char path[160];
    snprintf(path, sizeof path, "/cohort/parameters/t1d.%s", tw_pack_t1d.params[q].name);
    for (int64_t i = 0; i < c->m; ++i) col[i] = c->p[i * np + q];
    st = tw_h5_write_array(f, path, TW_F64, col, 1, &c->m, tw_pack_t1d.params[q].unit);
  }
  free(col);
  if (st == TW_OK) st = tw_h5_write_array(f, "/cohort/covariates/weight_kg", TW_F64, c->weight, 1, &c->m, "kg");
  if (st == TW_OK) st = tw_h5_attr_write_string(f, "pack", "t1d");
  return st;
}

static tw_status write_cohort(const char *twins_path, const char *path, const cohort_rows *c) {
  tw_h5_file *f;
  tw_h5_run_info info = {.config_text = "", .seed = 0, .rank_count = 1};
  TW_TRY(tw_h5_create(path, NULL, &info, &f));
  tw_status st = c->m > 0 ? write_rows(f, c)
                          : TW_FAIL(TW_ERR_INPUT, "%s: every fit is flagged: no twin to run", twins_path);
  if (st == TW_OK) st = tw_h5_attr_write_string(f, "from_twins", twins_path);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

tw_status tw_twins_write_cohort(const char *twins_path, const char *records_path, const char *cohort_path,
                                tw_twins_cohort_report *rep) {
  memset(rep, 0, sizeof *rep);
  tw_twins t;
  tw_records r;
  memset(&r, 0, sizeof r);
  TW_TRY(tw_twins_read(twins_path, &t));
  tw_status st = records_path ? tw_records_read_h5(records_path, &r) : TW_OK;
  cohort_rows c;
  memset(&c, 0, sizeof c);
  if (st == TW_OK) st = collect(&t, records_path ? &r : NULL, &c, rep);
  if (st == TW_OK) st = write_cohort(twins_path, cohort_path, &c);
  free(c.id), free(c.p), free(c.weight);
  if (records_path) tw_records_free(&r);
  tw_twins_free(&t);
  return st;
}
#else
tw_status tw_twins_write_cohort(const char *twins_path, const char *records_path, const char *cohort_path,
                                tw_twins_cohort_report *rep) {
  (void)records_path, (void)cohort_path;
  memset(rep, 0, sizeof *rep);
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: fitted twins as a cohort need a build with HDF5", twins_path);
}
#endif
