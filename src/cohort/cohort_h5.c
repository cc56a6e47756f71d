/*
** cohort_h5.c: a generated cohort to HDF5, in the layout of the Synthea
** importer (src/cohort/synthea.h) plus the drawn parameters, and the summary
** statistics the command prints. Layout: docs/cohorts.md.
*/
#include "cohort/generate.h"

#include "build_info.h" /* TW_HAVE_HDF5: builds without it write no cohort file */

#include <math.h>   /* sqrt */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc */
#include <string.h> /* strlen */

#include "physio/pack.h" /* tw_pack params */

#if TW_HAVE_HDF5
#include "io/h5.h" /* tw_h5_* */

/* /cohort/id: "twin-000000", ... */
static tw_status write_ids(tw_h5_file *f, int64_t n) {
  char **ids = calloc((size_t)n, sizeof *ids);
  char *text = malloc((size_t)n * 32); /* "twin-" + any int64 + NUL fits in 32 */
  tw_status st = ids && text ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "twin ids");
  for (int64_t i = 0; i < n && st == TW_OK; ++i) {
    ids[i] = text + i * 32;
    snprintf(ids[i], 32, "twin-%06lld", (long long)i);
  }
  if (st == TW_OK) st = tw_h5_write_strings(f, "/cohort/id", (const char *const *)ids, n, "1");
  free(ids), free(text);
  return st;
}

static tw_status write_covariates(tw_h5_file *f, const tw_cohort *h) {
  char path[160];
  for (int k = 0; k < h->n_vars; ++k) {
    const double *x = h->cov + (size_t)k * (size_t)h->n;
    snprintf(path, sizeof path, "/cohort/covariates/%s", tw_cohort_var_name(h->var[k]));
    if (h->var[k] != TW_CH_SEX) {
      TW_TRY(tw_h5_write_array(f, path, TW_F64, x, 1, &h->n, tw_cohort_var_units(h->var[k])));
      continue;
    }
    int32_t *s = malloc((size_t)h->n * sizeof *s + 1);
    if (!s) return TW_FAIL(TW_ERR_NOMEM, "sex column");
    for (int64_t i = 0; i < h->n; ++i) s[i] = (int32_t)x[i];
    tw_status st = tw_h5_write_array(f, path, TW_I32, s, 1, &h->n, "1");
    free(s);
    TW_TRY(st);
  }
  return TW_OK;
}

static tw_status write_conditions(tw_h5_file *f, const tw_cohort *h, const tw_cohort_config *c) {
  char path[160];
  for (int j = 0; j < h->n_conditions; ++j) {
    snprintf(path, sizeof path, "/cohort/conditions/%s", c->conditions[j].name);
    TW_TRY(tw_h5_write_array(f, path, TW_I32, h->cond + (size_t)j * (size_t)h->n, 1, &h->n, "1"));
  }
  return TW_OK;
}

static tw_status write_params(tw_h5_file *f, const tw_cohort *h) {
  char path[200];
  for (int q = 0; q < h->n_params; ++q) {
    const tw_pack_param *pp = &h->pack->params[q];
    snprintf(path, sizeof path, "/cohort/parameters/%s.%s", h->pack->name, pp->name);
    TW_TRY(tw_h5_write_array(f, path, TW_F64, h->params + (size_t)q * (size_t)h->n, 1, &h->n,
                             pp->unit && *pp->unit ? pp->unit : "1"));
  }
  return TW_OK;
}

tw_status tw_cohort_write_param_list(tw_h5_file *f, const tw_pack *pk) {
  size_t cap = 1, used = 0;
  for (int q = 0; q < pk->n_params; ++q) cap += strlen(pk->params[q].name) + 1;
  char *list = malloc(cap);
  if (!list) return TW_FAIL(TW_ERR_NOMEM, "parameter list");
  list[0] = 0;
  for (int q = 0; q < pk->n_params; ++q) used += (size_t)snprintf(list + used, cap - used, q ? ",%s" : "%s", pk->params[q].name);
  tw_status st = tw_h5_attr_write_string(f, "pack_parameters", list);
  free(list);
  return st;
}

/* /cohort/subgroup and its names: the config's subgroups, then "main". */
static tw_status write_subgroups(tw_h5_file *f, const tw_cohort *h, const tw_cohort_config *c) {
  TW_TRY(tw_h5_write_array(f, "/cohort/subgroup", TW_I32, h->subgroup, 1, &h->n, "1"));
  const char **names = malloc(((size_t)c->n_subgroups + 1) * sizeof *names);
  if (!names) return TW_FAIL(TW_ERR_NOMEM, "subgroup names");
  for (int g = 0; g < c->n_subgroups; ++g) names[g] = c->subgroups[g].name;
  names[c->n_subgroups] = "main";
  tw_status st = tw_h5_write_strings(f, "/cohort/subgroup_names", names, c->n_subgroups + 1, "1");
  free(names);
  return st;
}

static tw_status write_references(tw_h5_file *f, const tw_cohort *h) {
  const char **names = malloc((size_t)h->n * sizeof *names + 1);
  if (!names) return TW_FAIL(TW_ERR_NOMEM, "reference column");
  for (int64_t i = 0; i < h->n; ++i) names[i] = h->ref_names[h->reference[i]];
  tw_status st = tw_h5_write_strings(f, "/cohort/reference", names, h->n, "1");
  free(names);
  if (st == TW_OK) st = tw_h5_write_array(f, "/cohort/attempts", TW_I32, h->attempts, 1, &h->n, "1");
  return st;
}

/* The steady-state rule in words, for the file (none when it did not run). */
static void rule_text(const tw_cohort *h, const tw_cohort_config *c, char *buf, size_t cap) {
  const tw_cohort_steady_cfg *r = &c->parameters.steady_state;
  if (!h->redraws.steady_rule) {
    snprintf(buf, cap, "none (%s)", r->hours > 0 ? "the pack declares no basal steady state" : "hours: 0");
    return;
  }
  snprintf(buf, cap, "fasting %s in [%g, %g] mg/dL for %g h at the reference basal rate from the initial state, "
           "moving at most %g mg/dL in the last hour", h->pack->cgm_obs, r->low, r->high, r->hours, r->drift);
}

/* Redraw counts as root attributes; each twin's fasting value as a dataset. */
static tw_status write_redraws(tw_h5_file *f, const tw_cohort *h, const tw_cohort_config *c) {
  static const char *const why[TW_STEADY_N_VERDICTS] = {NULL, "low", "high", "drift", "nonfinite"};
  const tw_cohort_redraws *rd = &h->redraws;
  char text[400];
  rule_text(h, c, text, sizeof text);
  TW_TRY(tw_h5_attr_write_string(f, "steady_state_rule", text));
  TW_TRY(tw_h5_attr_write_i64(f, "redraws_range", rd->range));
  TW_TRY(tw_h5_attr_write_i64(f, "redraws_steady_state", rd->steady));
  for (int v = 1; v < TW_STEADY_N_VERDICTS; ++v) {
    snprintf(text, sizeof text, "redraws_steady_state_%s", why[v]);
    TW_TRY(tw_h5_attr_write_i64(f, text, rd->steady_by[v]));
  }
  TW_TRY(tw_h5_attr_write_i64(f, "steady_state_first_draw_failed", rd->first_draw_failed));
  if (!h->fasting) return TW_OK;
  snprintf(text, sizeof text, "/cohort/fasting_%s", h->pack->cgm_obs);
  return tw_h5_write_array(f, text, TW_F64, h->fasting, 1, &h->n, "mg/dL");
}

tw_status tw_cohort_write_draws(tw_h5_file *f, const tw_cohort *h, const tw_cohort_config *c) {
  TW_TRY(write_params(f, h));
  TW_TRY(write_references(f, h));
  TW_TRY(write_redraws(f, h, c));
  TW_TRY(tw_h5_attr_write_string(f, "pack", h->pack->name));
  TW_TRY(tw_cohort_write_param_list(f, h->pack));
  return tw_h5_attr_write_i64(f, "n_twins", h->n);
}

static tw_status write_all(tw_h5_file *f, const tw_cohort *h, const tw_cohort_config *c) {
  TW_TRY(write_ids(f, h->n));
  TW_TRY(write_covariates(f, h));
  TW_TRY(write_conditions(f, h, c));
  TW_TRY(write_subgroups(f, h, c));
  TW_TRY(tw_cohort_write_draws(f, h, c));
  return tw_h5_attr_write_string(f, "cohort_source", "twinscale cohort generate");
}

tw_status tw_cohort_write_h5(const tw_cohort *h, const tw_cohort_config *c, const char *config_text, const char *path) {
  tw_h5_run_info info = {.config_text = config_text, .seed = (uint64_t)c->seed, .rank_count = 1};
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_create(path, NULL, &info, &f));
  tw_status st = write_all(f, h, c);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

#else
tw_status tw_cohort_write_h5(const tw_cohort *h, const tw_cohort_config *c, const char *config_text, const char *path) {
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: this build has no HDF5, so it writes no cohort file", path);
}
#endif

tw_cohort_stats tw_cohort_covariate_stats(const tw_cohort *h, int k) {
  const double *x = h->cov + (size_t)k * (size_t)h->n;
  tw_cohort_stats s = {0, 0, INFINITY, -INFINITY};
  for (int64_t i = 0; i < h->n; ++i) {
    s.mean += (x[i] - s.mean) / (double)(i + 1);
    s.min = fmin(s.min, x[i]), s.max = fmax(s.max, x[i]);
  }
  for (int64_t i = 0; i < h->n; ++i) s.sd += (x[i] - s.mean) * (x[i] - s.mean);
  s.sd = h->n > 1 ? sqrt(s.sd / (double)(h->n - 1)) : NAN;
  return s;
}

double tw_cohort_prevalence(const tw_cohort *h, int j) {
  int64_t c = 0;
  for (int64_t i = 0; i < h->n; ++i) c += h->cond[(size_t)j * (size_t)h->n + (size_t)i];
  return (double)c / (double)h->n;
}
