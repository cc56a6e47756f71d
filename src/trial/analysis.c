/*
** analysis.c: the statistics of a finished trial (trial_results.h), from its
** endpoint matrix, through the checked statistics library (stats.h).
**
** Per endpoint: each arm described over its finite values; each arm compared
** with the reference: crossover, paired t and Wilcoxon over the twins finite in
** both arms; parallel, Welch and Mann-Whitney over each arm's finite values.
** Responders: Wilson per arm; crossover, exact McNemar on the discordant pairs;
** parallel, Newcombe's difference and Fisher's exact test. Time to event:
** Kaplan-Meier per arm, logrank and Cox (Efron) arm vs reference, the crossover
** Cox stratified by twin. docs/trial.md states every rule; the numbers are
** checked against scipy, statsmodels and lifelines by tests/trial/test_analysis.c.
**
** A twin with NaN in an endpoint is left out of that endpoint's statistics
** (pairwise in crossover comparisons); parallel twins count in their own arm
** only (a finite value in another arm is bad input).
**
** Every statistic looks at one endpoint at a time (a time-to-event pair: two),
** fetched through tw_trial_endpoint, so that the data may be read endpoint by
** endpoint (tw_trial_columns) rather than held whole.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trial/trial_results.h"

/* Scratch buffers: x, y n_twins values each (one endpoint); time, event,
** group, stratum 2 n_twins records each (a crossover comparison stacks both
** arms), allocated for the time-to-event analysis only. */
typedef struct work {
  double *x, *y, *time;
  unsigned char *event, *group;
  size_t *stratum;
} work;

static tw_status zalloc(void *pp, size_t n, size_t size) {
  void **p = pp;
  *p = calloc(n ? n : 1, size);
  return *p ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "trial analysis: cannot allocate %zu x %zu bytes", n, size);
}

void tw_trial_columns_init(tw_trial_columns *c, tw_status (*read)(void *ctx, int e, double **out), void *ctx) {
  *c = (tw_trial_columns){.read = read, .ctx = ctx, .which = {-1, -1}};
}

void tw_trial_columns_free(tw_trial_columns *c) {
  free(c->held[0]), free(c->held[1]);
  c->held[0] = c->held[1] = NULL;
  c->which[0] = c->which[1] = -1;
}

const double *tw_trial_endpoint(const tw_trial_data *d, int e) {
  static const double none[1] = {0}; /* no twins: no values to point at */
  if (d->values) return d->values + (size_t)e * (size_t)d->n_twins * (size_t)d->n_arms;
  tw_trial_columns *c = d->columns;
  if (!c && d->n_twins == 0) return none;
  if (!c) return TW_FAIL(TW_ERR_INPUT, "trial analysis: NULL data"), NULL;
  for (int k = 0; k < 2; k++)
    if (c->which[k] == e) return c->held[k];
  const int k = c->next;
  free(c->held[k]);
  c->held[k] = NULL, c->which[k] = -1;
  const tw_status st = c->read(c->ctx, e, &c->held[k]);
  if (st != TW_OK) {
    if (c->st == TW_OK) c->st = st;
    return NULL;
  }
  c->which[k] = e, c->next = 1 - k;
  return c->held[k];
}

/* Endpoint e's values, or the read's error out of the calling function. */
#define TW_COLUMN(v, d, e)                                              \
  const double *v = tw_trial_endpoint(d, e);                            \
  if (!v) return tw_error_trace((d)->columns && (d)->columns->st ? (d)->columns->st : TW_ERR_INPUT, __FILE__, __LINE__)

static double at(const tw_trial_data *d, const double *v, int64_t i, int a) {
  return v[(size_t)i * (size_t)d->n_arms + (size_t)a];
}

static int in_arm(const tw_trial_data *d, int64_t i, int a) {
  return d->design == TW_DESIGN_CROSSOVER || d->arm_of[i] == a;
}

/* The comparison slot of arm a (the reference has none). */
static int comp_index(const tw_trial_data *d, int a) { return a < d->reference_arm ? a : a - 1; }

/* ---- checks on the data ------------------------------------------------------ */

static tw_status check_shape(const tw_trial_data *d) {
  if (d->design != TW_DESIGN_PARALLEL && d->design != TW_DESIGN_CROSSOVER)
    return TW_FAIL(TW_ERR_INPUT, "trial analysis: unknown design %d", d->design);
  if (d->n_arms < 2 || !d->arms) return TW_FAIL(TW_ERR_INPUT, "trial analysis: %d arms (2 or more needed)", d->n_arms);
  if (d->reference_arm < 0 || d->reference_arm >= d->n_arms)
    return TW_FAIL(TW_ERR_INPUT, "trial analysis: reference arm %d outside 0..%d", d->reference_arm, d->n_arms - 1);
  if (d->n_twins < 0 || d->n_endpoints < 0 || d->n_tte < 0)
    return TW_FAIL(TW_ERR_INPUT, "trial analysis: negative count");
  if ((d->n_twins && d->n_endpoints && !d->values && !d->columns) || (d->n_tte && !d->tte) ||
      (d->n_endpoints && !d->ep_names))
    return TW_FAIL(TW_ERR_INPUT, "trial analysis: NULL data");
  if (d->design == TW_DESIGN_PARALLEL && d->n_twins && !d->arm_of)
    return TW_FAIL(TW_ERR_INPUT, "trial analysis: a parallel design needs each twin's arm");
  return TW_OK;
}

static tw_status check_indices(const tw_trial_data *d) {
  const int E = d->n_endpoints, r = d->responder.ep;
  if (r < -1 || r >= E) return TW_FAIL(TW_ERR_INPUT, "trial analysis: responder endpoint %d outside 0..%d", r, E - 1);
  for (int k = 0; k < d->n_tte; k++) {
    const tw_trial_tte *t = &d->tte[k];
    if (t->time_ep < 0 || t->time_ep >= E || t->event_ep < 0 || t->event_ep >= E)
      return TW_FAIL(TW_ERR_INPUT, "trial analysis: time to event '%s' names endpoints outside 0..%d",
                     t->name ? t->name : "?", E - 1);
  }
  return TW_OK;
}

/* Parallel: no finite value of endpoint e outside a twin's arm. */
static tw_status check_outside(const tw_trial_data *d, int e) {
  TW_COLUMN(v, d, e);
  for (int64_t i = 0; i < d->n_twins; i++)
    for (int a = 0; a < d->n_arms; a++)
      if (a != d->arm_of[i] && isfinite(at(d, v, i, a)))
        return TW_FAIL(TW_ERR_INPUT, "trial analysis: twin %lld of arm '%s' has a value of '%s' in arm '%s'",
                       (long long)i, d->arms[d->arm_of[i]], d->ep_names[e], d->arms[a]);
  return TW_OK;
}

/* Parallel: every twin's arm in range, and no finite value outside it (endpoint by endpoint). */
static tw_status check_assignment(const tw_trial_data *d) {
  if (d->design != TW_DESIGN_PARALLEL) return TW_OK;
  for (int64_t i = 0; i < d->n_twins; i++)
    if (d->arm_of[i] < 0 || d->arm_of[i] >= d->n_arms)
      return TW_FAIL(TW_ERR_INPUT, "trial analysis: twin %lld in arm %d, outside 0..%d", (long long)i,
                     (int)d->arm_of[i], d->n_arms - 1);
  for (int e = 0; e < d->n_endpoints; e++) TW_TRY(check_outside(d, e));
  return TW_OK;
}

static tw_status check_data(const tw_trial_data *d) {
  TW_TRY(check_shape(d));
  TW_TRY(check_indices(d));
  return check_assignment(d);
}

/* ---- endpoints --------------------------------------------------------------- */

/* The finite values in arm a of an endpoint's values ev, into x; their count in *n. */
static void gather_arm(const tw_trial_data *d, const double *ev, int a, double *x, size_t *n) {
  *n = 0;
  for (int64_t i = 0; i < d->n_twins; i++) {
    const double v = at(d, ev, i, a);
    if (in_arm(d, i, a) && isfinite(v)) x[(*n)++] = v;
  }
}

/* Crossover: the twins finite in both arm a (x) and arm b (y). */
static void gather_pairs(const tw_trial_data *d, const double *ev, int a, int b, double *x, double *y, size_t *n) {
  *n = 0;
  for (int64_t i = 0; i < d->n_twins; i++) {
    const double u = at(d, ev, i, a), v = at(d, ev, i, b);
    if (isfinite(u) && isfinite(v)) x[*n] = u, y[(*n)++] = v;
  }
}

static tw_status compare_paired(const tw_trial_data *d, const double *e, int a, work *w, tw_trial_comparison *c) {
  size_t n;
  gather_pairs(d, e, a, d->reference_arm, w->x, w->y, &n);
  c->n_pairs = (int64_t)n;
  TW_TRY(tw_stat_paired_t(w->x, w->y, n, d->level, &c->t));
  return tw_stat_wilcoxon(w->x, w->y, n, &c->rank);
}

static tw_status compare_parallel(const tw_trial_data *d, const double *e, int a, work *w, tw_trial_comparison *c) {
  size_t nx, ny;
  gather_arm(d, e, a, w->x, &nx);
  gather_arm(d, e, d->reference_arm, w->y, &ny);
  TW_TRY(tw_stat_welch_t(w->x, nx, w->y, ny, d->level, &c->t));
  return tw_stat_mann_whitney(w->x, nx, w->y, ny, &c->rank);
}

static tw_status analyse_endpoint(const tw_trial_data *d, int ep, work *w, tw_trial_endpoint_result *r) {
  TW_TRY(zalloc(&r->arms, (size_t)d->n_arms, sizeof *r->arms));
  TW_TRY(zalloc(&r->comp, (size_t)d->n_arms - 1, sizeof *r->comp));
  TW_COLUMN(e, d, ep);
  for (int a = 0; a < d->n_arms; a++) {
    size_t n;
    gather_arm(d, e, a, w->x, &n);
    TW_TRY(tw_stat_describe(w->x, n, &r->arms[a]));
    if (a == d->reference_arm) continue;
    tw_trial_comparison *c = &r->comp[comp_index(d, a)];
    c->arm = a;
    TW_TRY(d->design == TW_DESIGN_CROSSOVER ? compare_paired(d, e, a, w, c) : compare_parallel(d, e, a, w, c));
  }
  return TW_OK;
}

/* ---- responders -------------------------------------------------------------- */

static int responds(const tw_trial_responder *rule, double v) {
  return rule->above ? v >= rule->threshold : v <= rule->threshold;
}

static tw_status alloc_responders(int A, tw_trial_responder_result *r) {
  TW_TRY(zalloc(&r->count, (size_t)A, sizeof *r->count));
  TW_TRY(zalloc(&r->n, (size_t)A, sizeof *r->n));
  TW_TRY(zalloc(&r->rate, (size_t)A, sizeof *r->rate));
  TW_TRY(zalloc(&r->diff, (size_t)A - 1, sizeof *r->diff));
  TW_TRY(zalloc(&r->test, (size_t)A - 1, sizeof *r->test));
  TW_TRY(zalloc(&r->b, (size_t)A - 1, sizeof *r->b));
  return zalloc(&r->c, (size_t)A - 1, sizeof *r->c);
}

/* Crossover comparison k (arm a): discordant pairs, McNemar, the paired difference. */
static tw_status responders_paired(const tw_trial_data *d, const double *e, int a, int k, tw_trial_responder_result *r) {
  size_t b = 0, c = 0, n = 0;
  for (int64_t i = 0; i < d->n_twins; i++) {
    const double u = at(d, e, i, a), v = at(d, e, i, d->reference_arm);
    if (!isfinite(u) || !isfinite(v)) continue;
    const int ru = responds(&d->responder, u), rv = responds(&d->responder, v);
    b += ru && !rv, c += !ru && rv, n++;
  }
  r->b[k] = b, r->c[k] = c;
  r->diff[k] = (tw_stat_interval){.estimate = n ? ((double)b - (double)c) / (double)n : NAN, .lo = NAN, .hi = NAN,
                                  .est = n ? TW_STAT_ESTIMABLE : TW_STAT_TOO_FEW};
  return tw_stat_mcnemar_exact(b, c, &r->test[k]);
}

static tw_status responders_parallel(const tw_trial_data *d, int a, int k, tw_trial_responder_result *r) {
  const int f = d->reference_arm;
  TW_TRY(tw_stat_newcombe_diff(r->count[a], r->n[a], r->count[f], r->n[f], d->level, &r->diff[k]));
  return tw_stat_fisher_exact(r->count[a], r->n[a] - r->count[a], r->count[f], r->n[f] - r->count[f], &r->test[k]);
}

static tw_status analyse_responders(const tw_trial_data *d, tw_trial_responder_result *r) {
  if (d->responder.ep < 0) return TW_OK;
  TW_TRY(alloc_responders(d->n_arms, r));
  TW_COLUMN(e, d, d->responder.ep);
  for (int a = 0; a < d->n_arms; a++) {
    for (int64_t i = 0; i < d->n_twins; i++) {
      const double v = at(d, e, i, a);
      if (!in_arm(d, i, a) || !isfinite(v)) continue;
      r->n[a]++;
      r->count[a] += (size_t)responds(&d->responder, v);
    }
    TW_TRY(tw_stat_wilson(r->count[a], r->n[a], d->level, &r->rate[a]));
  }
  for (int a = 0; a < d->n_arms; a++) {
    if (a == d->reference_arm) continue;
    const int k = comp_index(d, a);
    TW_TRY(d->design == TW_DESIGN_CROSSOVER ? responders_paired(d, e, a, k, r) : responders_parallel(d, a, k, r));
  }
  return TW_OK;
}

/* ---- time to event ----------------------------------------------------------- */

/* A time-to-event endpoint with its two endpoints' values. */
typedef struct tte_values {
  const tw_trial_tte *t;
  const double *time, *event; /* (n_twins, A) each */
} tte_values;

/* Twin i's (time, event) in arm a: 1 when both are finite (and i is in the arm);
** 0 to leave it out; TW_ERR_INPUT through *st for an event flag not 0 or 1. */
static int tte_of(const tw_trial_data *d, const tte_values *t, int64_t i, int a, double *time,
                  unsigned char *event, tw_status *st) {
  const double tv = at(d, t->time, i, a), ev = at(d, t->event, i, a);
  if (!in_arm(d, i, a) || !isfinite(tv) || !isfinite(ev)) return 0;
  if (ev != 0 && ev != 1)
    *st = TW_FAIL(TW_ERR_INPUT, "trial analysis: '%s': twin %lld has event flag %g in arm '%s' (0 or 1 expected)",
                  d->ep_names[t->t->event_ep], (long long)i, ev, d->arms[a]);
  *time = tv, *event = (unsigned char)(ev == 1);
  return *st == TW_OK;
}

/* Appends twin i in arm a as one record of group g (stratum i). */
static int push_record(const tw_trial_data *d, const tte_values *t, int64_t i, int a, int g, work *w,
                       size_t *n, tw_status *st) {
  if (!tte_of(d, t, i, a, &w->time[*n], &w->event[*n], st)) return 0;
  w->group[*n] = (unsigned char)g, w->stratum[*n] = (size_t)i;
  (*n)++;
  return 1;
}

/* The two endpoints of a time to event. */
static tw_status tte_fetch(const tw_trial_data *d, const tw_trial_tte *tte, tte_values *t) {
  TW_COLUMN(time, d, tte->time_ep);
  TW_COLUMN(event, d, tte->event_ep);
  *t = (tte_values){tte, time, event};
  return TW_OK;
}

/* Endpoints read from a file are dropped once their records are made: the
** statistics on the records then have their memory. */
static void release(const tw_trial_data *d) {
  if (!d->values && d->columns) tw_trial_columns_free(d->columns);
}

static tw_status km_arm(const tw_trial_data *d, const tw_trial_tte *tte, int a, work *w, tw_trial_tte_result *r) {
  size_t n = 0;
  tw_status st = TW_OK;
  tte_values t = {0};
  TW_TRY(tte_fetch(d, tte, &t));
  for (int64_t i = 0; i < d->n_twins && st == TW_OK; i++) push_record(d, &t, i, a, 1, w, &n, &st);
  release(d);
  TW_TRY(st);
  TW_TRY(zalloc(&r->step_time[a], n, sizeof **r->step_time));
  TW_TRY(zalloc(&r->step_surv[a], n, sizeof **r->step_surv));
  return tw_stat_kaplan_meier(w->time, w->event, n, r->step_time[a], r->step_surv[a], &r->n_steps[a], &r->km[a]);
}

/* The records of arm a (group 1) against the reference (group 0): crossover,
** the twins with both arms finite, both records each; parallel, each arm's twins. */
static tw_status tte_records(const tw_trial_data *d, const tte_values *t, int a, work *w, size_t *n) {
  tw_status st = TW_OK;
  *n = 0;
  for (int64_t i = 0; i < d->n_twins && st == TW_OK; i++) {
    if (d->design == TW_DESIGN_PARALLEL) {
      if (!push_record(d, t, i, a, 1, w, n, &st)) push_record(d, t, i, d->reference_arm, 0, w, n, &st);
      continue;
    }
    double tv;
    unsigned char ev;
    if (!tte_of(d, t, i, a, &tv, &ev, &st) || !tte_of(d, t, i, d->reference_arm, &tv, &ev, &st)) continue;
    push_record(d, t, i, a, 1, w, n, &st);
    push_record(d, t, i, d->reference_arm, 0, w, n, &st);
  }
  return st;
}

static tw_status tte_compare(const tw_trial_data *d, const tw_trial_tte *tte, int a, work *w, tw_trial_tte_result *r) {
  size_t n;
  tte_values t = {0};
  TW_TRY(tte_fetch(d, tte, &t));
  const tw_status st = tte_records(d, &t, a, w, &n);
  release(d);
  TW_TRY(st);
  const int k = comp_index(d, a);
  TW_TRY(tw_stat_logrank(w->time, w->event, w->group, n, &r->logrank[k]));
  const size_t *strata = d->design == TW_DESIGN_CROSSOVER ? w->stratum : NULL;
  return tw_stat_cox_efron(w->time, w->event, w->group, strata, n, d->level, &r->cox[k]);
}

static tw_status alloc_tte(int A, tw_trial_tte_result *r) {
  TW_TRY(zalloc(&r->km, (size_t)A, sizeof *r->km));
  TW_TRY(zalloc(&r->step_time, (size_t)A, sizeof *r->step_time));
  TW_TRY(zalloc(&r->step_surv, (size_t)A, sizeof *r->step_surv));
  TW_TRY(zalloc(&r->n_steps, (size_t)A, sizeof *r->n_steps));
  TW_TRY(zalloc(&r->logrank, (size_t)A - 1, sizeof *r->logrank));
  return zalloc(&r->cox, (size_t)A - 1, sizeof *r->cox);
}

static tw_status analyse_tte(const tw_trial_data *d, const tw_trial_tte *tte, work *w, tw_trial_tte_result *r) {
  TW_TRY(alloc_tte(d->n_arms, r));
  for (int a = 0; a < d->n_arms; a++) TW_TRY(km_arm(d, tte, a, w, r));
  for (int a = 0; a < d->n_arms; a++)
    if (a != d->reference_arm) TW_TRY(tte_compare(d, tte, a, w, r));
  return TW_OK;
}

/* ---- the whole analysis -------------------------------------------------------- */

/* x, y for n values (tte 0), or the time-to-event records for n (tte 1). */
static tw_status alloc_work(size_t n, int tte, work *w) {
  if (!tte) {
    TW_TRY(zalloc(&w->x, n, sizeof *w->x));
    return zalloc(&w->y, n, sizeof *w->y);
  }
  TW_TRY(zalloc(&w->time, n, sizeof *w->time));
  TW_TRY(zalloc(&w->event, n, sizeof *w->event));
  TW_TRY(zalloc(&w->group, n, sizeof *w->group));
  return zalloc(&w->stratum, n, sizeof *w->stratum);
}

static void free_work(work *w) {
  free(w->x), free(w->y), free(w->time), free(w->event), free(w->group), free(w->stratum);
  *w = (work){0};
}

/* Endpoints and responders on x, y; then time to event on its own records. */
static tw_status analyse_all(const tw_trial_data *d, work *w, tw_trial_analysis *out) {
  TW_TRY(zalloc(&out->ep, (size_t)d->n_endpoints, sizeof *out->ep));
  TW_TRY(zalloc(&out->tte, (size_t)d->n_tte, sizeof *out->tte));
  TW_TRY(alloc_work((size_t)d->n_twins, 0, w));
  for (int e = 0; e < d->n_endpoints; e++) TW_TRY(analyse_endpoint(d, e, w, &out->ep[e]));
  TW_TRY(analyse_responders(d, &out->resp));
  free_work(w);
  if (d->n_tte) TW_TRY(alloc_work(2 * (size_t)d->n_twins, 1, w));
  for (int k = 0; k < d->n_tte; k++) TW_TRY(analyse_tte(d, &d->tte[k], w, &out->tte[k]));
  return TW_OK;
}

tw_status tw_trial_analyse(const tw_trial_data *d, tw_trial_analysis *out) {
  if (!d || !out) return TW_FAIL(TW_ERR_INPUT, "trial analysis: NULL argument");
  *out = (tw_trial_analysis){.n_arms = d->n_arms, .n_endpoints = d->n_endpoints, .n_tte = d->n_tte};
  TW_TRY(check_data(d));
  work w = {0};
  tw_status st = analyse_all(d, &w, out);
  free_work(&w);
  if (st != TW_OK) tw_trial_analysis_free(out);
  return st;
}

/* ---- freeing ------------------------------------------------------------------- */

static void free_tte(int A, tw_trial_tte_result *r) {
  for (int a = 0; a < A && r->step_time; a++) free(r->step_time[a]);
  for (int a = 0; a < A && r->step_surv; a++) free(r->step_surv[a]);
  free(r->km), free(r->step_time), free(r->step_surv), free(r->n_steps), free(r->logrank), free(r->cox);
}

static void free_responders(tw_trial_responder_result *r) {
  free(r->count), free(r->n), free(r->rate), free(r->diff), free(r->test), free(r->b), free(r->c);
}

void tw_trial_analysis_free(tw_trial_analysis *a) {
  if (!a) return;
  for (int e = 0; a->ep && e < a->n_endpoints; e++) free(a->ep[e].arms), free(a->ep[e].comp);
  for (int k = 0; a->tte && k < a->n_tte; k++) free_tte(a->n_arms, &a->tte[k]);
  free_responders(&a->resp);
  free(a->ep), free(a->tte);
  *a = (tw_trial_analysis){0};
}
