/*
** trial_setup.c: the arms' simulate setups, the parallel allocation and the
** endpoint plan (trial_setup.h).
**
** Every arm is set up as the simulate config its treatment makes
** (tw_trial_arm_sim), so twins, parameters, sensors, controllers and inputs are
** built by the code that builds them for `simulate`. The arms share the cohort
** and differ only in what they do to it; the setup checks they agree on the
** twins, which they must (same config keys).
**
** Memory flat in the twin count: nothing here holds a value per twin but the
** parallel allocation (an int32). Each arm is set up for its first twin (what
** the plan needs: model, observables, sensor), then checked over every twin in
** ranges of TRIAL_CHECK_TWINS, each range set up and freed, so that a bad value
** anywhere in the cohort stops the trial before any work, as the whole setup
** did; the ranges are shared out over the ranks (a million twins took every
** rank the same seconds); the job sets up each chunk's twins anew
** (trial_setup_chunk). A
** stratified allocation reads only its covariates' columns.
*/
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "trial/trial_setup.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp, strdup */

#include "io/h5.h"              /* the cohort file's covariates */
#include "trial/trial_assign.h" /* tw_trial_assign */

/* Twins per range of the check over the whole cohort (a few MB of setup). */
enum { TRIAL_CHECK_TWINS = 4096 };

static tw_status add_ep(trial_setup *s, const char *name, const char *units) {
  char **n = realloc(s->ep_names, (size_t)(s->n_ep + 1) * sizeof *n);
  if (n) s->ep_names = n;
  char **u = realloc(s->ep_units, (size_t)(s->n_ep + 1) * sizeof *u);
  if (u) s->ep_units = u;
  if (!n || !u || !(n[s->n_ep] = strdup(name))) return TW_FAIL(TW_ERR_NOMEM, "trial: endpoint names");
  if (!(u[s->n_ep] = strdup(units))) return free(n[s->n_ep]), TW_FAIL(TW_ERR_NOMEM, "trial: endpoint names");
  s->n_ep++;
  return TW_OK;
}

/* The index of observable `name` in the arms' outputs, or a config error at `at`. */
static tw_status find_obs(const trial_setup *s, const tw_cfg_doc *doc, tw_cfg_mark at, const char *key, const char *name,
                          int *obs) {
  const tw_sim_setup *a = &s->arm[0];
  for (int k = 0; k < a->n_out; ++k)
    if (!strcmp(a->out_names[k], name)) return (*obs = k), TW_OK;
  char known[1024] = "";
  for (int k = 0; k < a->n_out; ++k)
    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "", a->out_names[k]);
  return tw_cfg_error_at(doc, at, "%s: '%s' is not an observable of this run (observables: %s)", key, name, known);
}

static tw_ep_threshold threshold(const tw_trial_threshold_cfg *h) {
  tw_ep_threshold t = {.kind = h->kind == TW_TRIAL_BELOW ? TW_EP_BELOW : h->kind == TW_TRIAL_ABOVE ? TW_EP_ABOVE : TW_EP_BETWEEN,
                       .lo = h->value, .hi = h->high};
  snprintf(t.name, sizeof t.name, "%s", h->name);
  return t;
}

/* A new group on observable `obs`, its endpoints named after the accumulator's rows. */
static trial_group *new_group(trial_setup *s, const tw_cfg_doc *doc, tw_cfg_mark at, int kind, int obs) {
  if (s->n_groups == TRIAL_MAX_GROUPS) return tw_cfg_error_at(doc, at, "endpoints: more than %d observables", TRIAL_MAX_GROUPS), NULL;
  trial_group *g = &s->group[s->n_groups++];
  memset(g, 0, sizeof *g);
  g->kind = kind, g->obs = obs, g->first = s->n_ep;
  return g;
}

/* The user's thresholds on observable `obs` into group g (the glucose group
** takes those without an observable). */
static tw_status take_thresholds(const tw_trial_config *c, const tw_cfg_doc *doc, const trial_setup *s, trial_group *g) {
  for (int i = 0; i < c->endpoints.n_thresholds; ++i) {
    const tw_trial_threshold_cfg *h = &c->endpoints.thresholds[i];
    const char *on = h->observable ? h->observable : s->glucose;
    if (!on) return tw_cfg_error_at(doc, h->mark, "endpoints.thresholds[%d] (%s): no observable, and no glucose observable", i, h->name);
    if (strcmp(on, s->arm[0].out_names[g->obs])) continue;
    if (g->n_thr == TW_EP_MAX_THRESHOLDS - 5) return tw_cfg_error_at(doc, h->mark, "endpoints.thresholds: too many on %s", on);
    g->thr[g->n_thr++] = threshold(h);
  }
  return TW_OK;
}

/* The glucose endpoints: bg every minute or cgm every sensor sample. */
static tw_status glucose_group(const tw_trial_config *c, const tw_cfg_doc *doc, trial_setup *s) {
  const char *want = c->endpoints.glucose;
  int obs = -1;
  if (!strcmp(want, "none")) return TW_OK;
  if (!strcmp(want, "auto")) {
    for (int k = 0; k < s->arm[0].n_out && obs < 0; ++k) { /* "bg", or "<pack>.bg" when several packs run */
      const char *name = s->arm[0].out_names[k], *dot = strrchr(name, '.');
      if (!strcmp(dot ? dot + 1 : name, "bg")) obs = k;
    }
    if (obs < 0) return TW_OK;
  } else {
    TW_TRY(find_obs(s, doc, c->endpoints.mark, "endpoints.glucose", want, &obs));
  }
  s->glucose = s->arm[0].out_names[obs];
  trial_group *g = new_group(s, doc, c->endpoints.mark, TRIAL_GLUCOSE, obs);
  if (!g) return TW_ERR_INPUT;
  const tw_cgm_spec *cgm = s->arm[0].cgm;
  const int is_cgm = cgm && obs == s->arm[0].n_out - 1;
  g->win = (tw_ep_window){c->warmup_min, c->duration_min, is_cgm ? cgm->sample_time : 1};
  TW_TRY(take_thresholds(c, doc, s, g));
  tw_endpoints e;
  TW_TRY(tw_endpoints_init(&e, 1, 1, g->win, g->thr, g->n_thr));
  g->count = tw_endpoints_count(&e);
  tw_status st = TW_OK;
  for (int k = 0; k < g->count && st == TW_OK; ++k) st = add_ep(s, tw_endpoints_name(&e, k), tw_endpoints_units(&e, k));
  tw_endpoints_free(&e);
  return st;
}

/* A group per other observable that thresholds name: its mean, sd, thresholds. */
static tw_status obs_groups(const tw_trial_config *c, const tw_cfg_doc *doc, trial_setup *s) {
  for (int i = 0; i < c->endpoints.n_thresholds; ++i) {
    const tw_trial_threshold_cfg *h = &c->endpoints.thresholds[i];
    int obs, seen = 0;
    if (!h->observable && s->glucose) continue;
    char key[64];
    snprintf(key, sizeof key, "endpoints.thresholds[%d].observable", i);
    TW_TRY(find_obs(s, doc, h->mark, key, h->observable ? h->observable : "bg", &obs));
    for (int j = 0; j < s->n_groups; ++j) seen |= s->group[j].obs == obs;
    if (seen) continue;
    trial_group *g = new_group(s, doc, h->mark, TRIAL_OBS, obs);
    if (!g) return TW_ERR_INPUT;
    g->win = (tw_ep_window){c->warmup_min, c->duration_min, 1};
    TW_TRY(take_thresholds(c, doc, s, g));
    char name[TW_EP_NAME_MAX + 8];
    const char *units = s->arm[0].out_units[obs];
    snprintf(name, sizeof name, "%s_mean", h->observable);
    TW_TRY(add_ep(s, name, units));
    snprintf(name, sizeof name, "%s_sd", h->observable);
    TW_TRY(add_ep(s, name, units));
    for (int k = 0; k < g->n_thr; ++k) TW_TRY(add_ep(s, g->thr[k].name, "%"));
    g->count = 2 + g->n_thr;
  }
  return TW_OK;
}

/* The dose times of arm a (every dose, sorted, distinct). */
static int arm_doses(const tw_sim_config *sim, int64_t *t) {
  int n = 0;
  for (int i = 0; i < sim->scenario.n_doses; ++i) {
    int64_t v = sim->scenario.doses[i].time_min;
    int at = n;
    while (at > 0 && t[at - 1] > v) --at;
    if (at > 0 && t[at - 1] == v) continue;
    memmove(t + at + 1, t + at, (size_t)(n - at) * sizeof *t);
    t[at] = v, ++n;
  }
  return n;
}

/* PK endpoints per dose interval; every arm must dose at the same times. */
static tw_status pk_group(const tw_trial_config *c, const tw_cfg_doc *doc, trial_setup *s) {
  static const char *const what[TW_PK_N] = {"cmax", "tmax", "auc", "trough"};
  if (!c->endpoints.pk) return TW_OK;
  int obs;
  TW_TRY(find_obs(s, doc, c->endpoints.mark, "endpoints.pk", c->endpoints.pk, &obs));
  int max = 0;
  for (int a = 0; a < c->n_arms; ++a) max += c->arms[a].n_doses + c->scenario.n_doses;
  int64_t *t = calloc((size_t)max + 1, sizeof *t), *u = calloc((size_t)max + 1, sizeof *u);
  if (!t || !u) return free(t), free(u), TW_FAIL(TW_ERR_NOMEM, "trial: doses");
  s->dose_min = t;
  for (int a = 0; a < c->n_arms; ++a) {
    tw_sim_config sim;
    tw_trial_arm_sim(c, a, &sim);
    const int n = arm_doses(&sim, a ? u : t);
    if (a == 0) s->n_doses = n;
    if (a && (n != s->n_doses || memcmp(t, u, (size_t)n * sizeof *t))) {
      free(u);
      return tw_cfg_error_at(doc, c->arms[a].mark, "arms[%d] (%s): doses at other times than arm %s's: PK endpoints "
                             "per dose interval need the same dose times in every arm", a, c->arms[a].name, c->arms[0].name);
    }
  }
  free(u);
  if (s->n_doses == 0) return tw_cfg_error_at(doc, c->endpoints.mark, "endpoints.pk: no arm gives a dose");
  trial_group *g = new_group(s, doc, c->endpoints.mark, TRIAL_PK, obs);
  if (!g) return TW_ERR_INPUT;
  const char *cu = s->arm[0].out_units[obs];
  for (int k = 0; k < TW_PK_N; ++k)
    for (int j = 0; j < s->n_doses; ++j) {
      char name[64], units[64];
      snprintf(name, sizeof name, "%s_%d", what[k], j + 1);
      snprintf(units, sizeof units, "%s", k == TW_PK_TMAX ? "min" : k == TW_PK_AUC ? "" : cu);
      if (k == TW_PK_AUC) snprintf(units, sizeof units, "%s*min", cu);
      TW_TRY(add_ep(s, name, units));
    }
  g->count = TW_PK_N * s->n_doses;
  return TW_OK;
}

/* The cohort file's covariates (names listed from the file), for the results
** and for stratification: names, units and row counts checked; the job copies
** each chunk's rows (trial_setup_covariates). */
static tw_status read_covariates(const tw_trial_config *c, const tw_cfg_doc *doc, trial_setup *s) {
  if (!tw_trial_cohort_file(c)) return TW_OK;
  char *path = s->cohort = malloc(4096);
  if (!path) return TW_FAIL(TW_ERR_NOMEM, "trial: covariates");
  tw_cfg_resolve(doc, tw_trial_cohort_file(c), path, 4096);
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = tw_h5_list(f, "/cohort/covariates", &s->cov_names, &s->n_cov);
  if (st == TW_OK && !(s->cov_units = calloc((size_t)s->n_cov + 1, sizeof *s->cov_units)))
    st = TW_FAIL(TW_ERR_NOMEM, "trial: covariates");
  for (int k = 0; st == TW_OK && k < s->n_cov; ++k) {
    char p[512], units[64] = "1";
    int rank;
    int64_t dims[TW_TENSOR_MAX_RANK] = {0};
    snprintf(p, sizeof p, "/cohort/covariates/%s", s->cov_names[k]);
    st = tw_h5_shape(f, p, &rank, dims);
    if (st == TW_OK && (rank != 1 || dims[0] != s->n_twins))
      st = TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld rows for %lld twins", path, p, (long long)dims[0], (long long)s->n_twins);
    if (st == TW_OK) st = tw_h5_units(f, p, units, sizeof units);
    if (st == TW_OK && !(s->cov_units[k] = strdup(units))) st = TW_FAIL(TW_ERR_NOMEM, "trial: covariates");
  }
  tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}

tw_status trial_setup_covariates(const trial_setup *s, int64_t id0, int64_t n, double **cov) {
  for (int k = 0; k < s->n_cov; ++k) cov[k] = NULL;
  if (!s->n_cov) return TW_OK;
  tw_h5_file *f;
  TW_TRY(tw_h5_open(s->cohort, NULL, &f));
  tw_status st = TW_OK;
  for (int k = 0; st == TW_OK && k < s->n_cov; ++k) {
    char p[512];
    tw_tensor t;
    snprintf(p, sizeof p, "/cohort/covariates/%s", s->cov_names[k]);
    if ((st = tw_h5_read_rows(f, p, TW_F64, id0, n, &t)) == TW_OK) cov[k] = t.data;
  }
  const tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}

/* Covariate v's column over every twin (for the strata), malloc'd. */
static tw_status covariate_column(const trial_setup *s, int v, double **col) {
  double *cols[1] = {NULL};
  trial_setup one = *s;
  one.n_cov = 1, one.cov_names = s->cov_names + v;
  TW_TRY(trial_setup_covariates(&one, 0, s->n_twins, cols));
  *col = cols[0];
  return TW_OK;
}

/* Stratification k's levels into every twin's stratum, from covariate column x. */
static tw_status stratify(const tw_trial_config *c, const tw_cfg_doc *doc, const trial_setup *s, int k, const double *x,
                          int32_t *stratum, int32_t *n_strata) {
  const tw_trial_stratum_cfg *sb = &c->design.stratify_by[k];
  int32_t levels = (int32_t)sb->n_cuts + 1;
  if (!sb->n_cuts) { /* distinct values: whole numbers 0..63 (sex, conditions) */
    levels = 64;
    for (int64_t i = 0; i < s->n_twins; ++i)
      if (!(x[i] >= 0 && x[i] < 64 && x[i] == (int)x[i]))
        return tw_cfg_error_at(doc, sb->mark, "design.stratify_by[%d]: %s of twin %lld is %g: give cuts for a "
                               "continuous covariate", k, sb->covariate, (long long)i, x[i]);
  }
  for (int64_t i = 0; i < s->n_twins; ++i)
    stratum[i] = stratum[i] * levels + (sb->n_cuts ? tw_trial_cut_level(x[i], sb->cuts, sb->n_cuts) : (int32_t)x[i]);
  if ((int64_t)*n_strata * levels > (1 << 20)) return tw_cfg_error_at(doc, sb->mark, "design.stratify_by: too many strata");
  *n_strata *= levels;
  return TW_OK;
}

/* Each twin's stratum: the mixed-radix number of its levels, one covariate
** column read at a time. */
static tw_status strata(const tw_trial_config *c, const tw_cfg_doc *doc, const trial_setup *s, int32_t *stratum,
                        int32_t *n_strata) {
  *n_strata = 1;
  for (int k = 0; k < c->design.n_stratify_by; ++k) {
    const tw_trial_stratum_cfg *sb = &c->design.stratify_by[k];
    int v = -1;
    for (int j = 0; j < s->n_cov && v < 0; ++j)
      if (!strcmp(s->cov_names[j], sb->covariate)) v = j;
    if (v < 0)
      return tw_cfg_error_at(doc, sb->mark, "design.stratify_by[%d].covariate: '%s' is not a covariate of %s", k,
                             sb->covariate, tw_trial_cohort_file(c) ? "the cohort file" : "these twins (stratify a cohort file's twins)");
    double *x;
    TW_TRY(covariate_column(s, v, &x));
    const tw_status st = stratify(c, doc, s, k, x, stratum, n_strata);
    free(x);
    TW_TRY(st);
  }
  return TW_OK;
}

static tw_status allocate(const tw_trial_config *c, const tw_cfg_doc *doc, trial_setup *s) {
  if (c->design.type != TW_TRIAL_PARALLEL) return TW_OK;
  int64_t ratios[64], sum = 0;
  if (c->n_arms > 64) return tw_cfg_error_at(doc, c->mark, "arms: at most 64 in a parallel design");
  for (int a = 0; a < c->n_arms; ++a) sum += ratios[a] = c->design.n_ratios ? (int64_t)c->design.ratios[a] : 1;
  const int64_t block = c->design.block_size ? c->design.block_size : 2 * sum;
  int32_t *stratum = calloc((size_t)s->n_twins + 1, sizeof *stratum), n_strata;
  if (!stratum || !(s->arm_of = malloc(((size_t)s->n_twins + 1) * sizeof *s->arm_of)))
    return free(stratum), TW_FAIL(TW_ERR_NOMEM, "trial: allocation");
  tw_status st = strata(c, doc, s, stratum, &n_strata);
  if (st == TW_OK)
    st = tw_trial_assign(s->n_twins, c->design.n_stratify_by ? stratum : NULL, n_strata, c->n_arms, ratios, block,
                         (uint64_t)c->seed, s->arm_of);
  free(stratum);
  return st;
}

/* The responder rule's endpoint must be one of the trial's; the message lists them. */
static tw_status check_responders(const tw_trial_config *c, const tw_cfg_doc *doc, const trial_setup *s) {
  if (!strcmp(c->responders.endpoint, "none")) return TW_OK;
  for (int e = 0; e < s->n_ep; ++e)
    if (!strcmp(s->ep_names[e], c->responders.endpoint)) return TW_OK;
  char known[1024] = "";
  for (int e = 0; e < s->n_ep; ++e)
    snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", e ? ", " : "", s->ep_names[e]);
  return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "responders.endpoint", c->responders.mark),
                         "responders.endpoint: '%s' is not an endpoint of this trial (endpoints: %s; or none)",
                         c->responders.endpoint, known);
}

/* The arms hold the same twins with the same parameters (the same config keys
** build them): checked, then arm a's copy is freed and arm 0's serves every arm. */
static tw_status share_params(const tw_trial_config *c, tw_sim_setup *arm, int a) {
  tw_sim_setup *x = &arm[a], *x0 = &arm[0];
  if (a == 0) return TW_OK;
  if (x->n_twins != x0->n_twins || x->id0 != x0->id0 || x->n_out != x0->n_out ||
      x->model.n_params != x0->model.n_params ||
      memcmp(x->params, x0->params, (size_t)(x->n_twins * x->model.n_params) * sizeof(double)))
    return TW_FAIL(TW_ERR_INTERNAL, "trial: arm %s set up other twins than arm %s", c->arms[a].name, c->arms[0].name);
  free(x->params);
  x->params = NULL;
  return TW_OK;
}

/* Arm a set up for every twin in ranges, each freed once built: every check of
** the whole setup, before any work; this rank's ranges (k mod size). */
static tw_status check_arm(const tw_sim_config *sim, const tw_cfg_doc *doc, const tw_dist *dist, int64_t n_twins) {
  const int64_t rank = dist ? dist->rank : 0, size = dist ? dist->size : 1;
  for (int64_t id0 = 1 + rank * TRIAL_CHECK_TWINS; id0 < n_twins; id0 += size * TRIAL_CHECK_TWINS) {
    tw_sim_setup x;
    const tw_status st = tw_sim_setup_build_range(sim, doc, id0, TRIAL_CHECK_TWINS, &x);
    tw_sim_setup_free(&x);
    TW_TRY(st);
  }
  return TW_OK;
}

/* Each arm set up for its first twin (what the plan needs), then checked over the others. */
static tw_status build_arms(const tw_trial_config *c, const tw_cfg_doc *doc, const tw_dist *dist, trial_setup *s) {
  if (!(s->arm = calloc((size_t)c->n_arms, sizeof *s->arm))) return TW_FAIL(TW_ERR_NOMEM, "trial: arms");
  s->n_arms = c->n_arms;
  for (int a = 0; a < c->n_arms; ++a) {
    tw_sim_config sim;
    tw_trial_arm_sim(c, a, &sim);
    TW_TRY(tw_sim_setup_build_range(&sim, doc, 0, 1, &s->arm[a]));
    TW_TRY(check_arm(&sim, doc, dist, s->arm[a].n_total));
    TW_TRY(share_params(c, s->arm, a));
  }
  s->n_twins = s->arm[0].n_total;
  s->reference = tw_trial_reference_index(c);
  return TW_OK;
}

tw_status trial_setup_chunk(const tw_trial_config *c, const tw_cfg_doc *doc, const trial_setup *s, int64_t id0,
                            int64_t n, tw_sim_setup *arm) {
  memset(arm, 0, (size_t)s->n_arms * sizeof *arm);
  for (int a = 0; a < s->n_arms; ++a) {
    tw_sim_config sim;
    tw_trial_arm_sim(c, a, &sim);
    TW_TRY(tw_sim_setup_build_range(&sim, doc, id0, n, &arm[a]));
    TW_TRY(share_params(c, arm, a));
    arm[a].plan.backend = s->arm[a].plan.backend;
    arm[a].plan.engine = s->arm[a].plan.engine;
  }
  return TW_OK;
}

tw_status trial_setup_build(const tw_trial_config *c, const tw_cfg_doc *doc, const tw_dist *dist, trial_setup *s) {
  memset(s, 0, sizeof *s);
  TW_TRY(build_arms(c, doc, dist, s));
  TW_TRY(glucose_group(c, doc, s));
  TW_TRY(obs_groups(c, doc, s));
  TW_TRY(pk_group(c, doc, s));
  if (s->n_ep == 0) return tw_cfg_error_at(doc, c->endpoints.mark, "endpoints: nothing to measure (no glucose observable, "
                                                                   "no thresholds, no pk)");
  TW_TRY(check_responders(c, doc, s));
  TW_TRY(read_covariates(c, doc, s));
  return allocate(c, doc, s);
}

void trial_setup_free(trial_setup *s) {
  for (int a = 0; s->arm && a < s->n_arms; ++a) tw_sim_setup_free(&s->arm[a]);
  free(s->arm);
  free(s->arm_of);
  for (int k = 0; k < s->n_ep; ++k) free(s->ep_names[k]), free(s->ep_units[k]);
  free(s->ep_names);
  free(s->ep_units);
  free(s->dose_min);
  for (int k = 0; k < s->n_cov; ++k) {
    free(s->cov_names[k]);
    if (s->cov_units) free(s->cov_units[k]);
  }
  free(s->cov_names);
  free(s->cov_units);
  free(s->cohort);
  memset(s, 0, sizeof *s);
}
