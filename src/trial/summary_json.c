/*
** summary_json.c: summary.json, the machine-readable result of a trial (issue 8,
** item 6), written from its analysis (analysis.c) through core/json.h.
**
** The shape is the issue's, documented with an example in docs/trial.md:
** design, arms, per endpoint the arms' descriptives and the comparisons with
** the reference, responders, time to event. Every number is written in full
** precision (the shortest text that reads back as the same double). JSON has no NaN or infinity: a number the data cannot give is null,
** with a sibling "<key>_note" saying why (tw_stat_est_text, or "+infinity" for
** an infinite odds ratio, or "not reached" for a Kaplan-Meier median). The
** file is written to PATH.partial and renamed over PATH when complete.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/json.h"
#include "trial/trial_results.h"

/* Context of one write: the writer, the data and the confidence key ("ci95"). */
typedef struct sj {
  tw_json_writer *w;
  const tw_trial_data *d;
  const tw_trial_analysis *a;
  char ci_key[32];
} sj;

static const char *const PAIRED_DIFF_NOTE = "no interval for a paired difference of proportions (McNemar's test is exact)";
static const char *const NOT_REACHED_NOTE = "not reached: the survival stays above 1/2";

/* Why v (not finite) is missing: the statistic's reason, or what it is. */
static const char *missing_note(double v, tw_stat_est est) {
  if (est != TW_STAT_ESTIMABLE) return tw_stat_est_text(est);
  if (isinf(v)) return v > 0 ? "+infinity" : "-infinity";
  return "not a number";
}

static void note(sj *s, const char *key, const char *text) {
  char k[96];
  snprintf(k, sizeof k, "%s_note", key);
  tw_json_null(s->w);
  tw_json_key(s->w, k);
  tw_json_string(s->w, text);
}

/* key: v, or key: null with key_note. */
static void num(sj *s, const char *key, double v, tw_stat_est est) {
  tw_json_key(s->w, key);
  if (isfinite(v)) tw_json_number(s->w, v);
  else note(s, key, missing_note(v, est));
}

/* The confidence interval [lo, hi], or null with a note. */
static void interval(sj *s, double lo, double hi, tw_stat_est est) {
  tw_json_key(s->w, s->ci_key);
  if (!isfinite(lo) || !isfinite(hi)) {
    note(s, s->ci_key, missing_note(isfinite(lo) ? hi : lo, est));
    return;
  }
  tw_json_begin_array(s->w);
  tw_json_number(s->w, lo);
  tw_json_number(s->w, hi);
  tw_json_end_array(s->w);
}

static void str(sj *s, const char *key, const char *v) {
  tw_json_key(s->w, key);
  tw_json_string(s->w, v);
}

static void integer(sj *s, const char *key, int64_t v) {
  tw_json_key(s->w, key);
  tw_json_int(s->w, v);
}

/* "arm" and "reference" of comparison arm a. */
static void comparison_head(sj *s, int a) {
  str(s, "arm", s->d->arms[a]);
  str(s, "reference", s->d->arms[s->d->reference_arm]);
}

/* ---- endpoints --------------------------------------------------------------- */

static void arm_summary(sj *s, const tw_stat_summary *m) {
  tw_json_begin_object(s->w);
  integer(s, "n", (int64_t)m->n);
  num(s, "mean", m->mean, m->est);
  num(s, "sd", m->sd, m->sd_est);
  num(s, "median", m->median, m->est);
  num(s, "q1", m->q1, m->est);
  num(s, "q3", m->q3, m->est);
  tw_json_end_object(s->w);
}

static void comparison(sj *s, const tw_trial_comparison *c) {
  const int paired = s->d->design == TW_DESIGN_CROSSOVER;
  tw_json_begin_object(s->w);
  comparison_head(s, c->arm);
  if (paired) integer(s, "n_pairs", c->n_pairs);
  num(s, "difference", c->t.estimate, c->t.est);
  interval(s, c->t.ci_lo, c->t.ci_hi, c->t.est);
  str(s, "test", paired ? "paired_t" : "welch_t");
  num(s, "statistic", c->t.t, c->t.est);
  num(s, "df", c->t.df, c->t.est);
  num(s, "p_value", c->t.p_value, c->t.est);
  str(s, "nonparametric_test", paired ? "wilcoxon_signed_rank" : "mann_whitney_u");
  num(s, "nonparametric_statistic", c->rank.statistic, c->rank.est);
  num(s, "nonparametric_p_value", c->rank.p_value, c->rank.est);
  tw_json_end_object(s->w);
}

static void endpoint(sj *s, int e) {
  const tw_trial_endpoint_result *r = &s->a->ep[e];
  tw_json_key(s->w, s->d->ep_names[e]);
  tw_json_begin_object(s->w);
  str(s, "units", s->d->ep_units ? s->d->ep_units[e] : "");
  tw_json_key(s->w, "arms");
  tw_json_begin_object(s->w);
  for (int a = 0; a < s->d->n_arms; a++) tw_json_key(s->w, s->d->arms[a]), arm_summary(s, &r->arms[a]);
  tw_json_end_object(s->w);
  tw_json_key(s->w, "comparisons");
  tw_json_begin_array(s->w);
  for (int k = 0; k < s->d->n_arms - 1; k++) comparison(s, &r->comp[k]);
  tw_json_end_array(s->w);
  tw_json_end_object(s->w);
}

/* ---- responders -------------------------------------------------------------- */

static void responder_arm(sj *s, const tw_trial_responder_result *r, int a) {
  tw_json_key(s->w, s->d->arms[a]);
  tw_json_begin_object(s->w);
  integer(s, "n", (int64_t)r->n[a]);
  integer(s, "responders", (int64_t)r->count[a]);
  num(s, "rate", r->rate[a].estimate, r->rate[a].est);
  interval(s, r->rate[a].lo, r->rate[a].hi, r->rate[a].est);
  tw_json_end_object(s->w);
}

static void responder_comparison(sj *s, const tw_trial_responder_result *r, int k, int a) {
  const int paired = s->d->design == TW_DESIGN_CROSSOVER;
  tw_json_begin_object(s->w);
  comparison_head(s, a);
  if (paired) {
    integer(s, "n_pairs", s->a->ep[s->d->responder.ep].comp[k].n_pairs);
    integer(s, "arm_only", (int64_t)r->b[k]);
    integer(s, "reference_only", (int64_t)r->c[k]);
  }
  num(s, "difference", r->diff[k].estimate, r->diff[k].est);
  if (paired) tw_json_key(s->w, s->ci_key), note(s, s->ci_key, PAIRED_DIFF_NOTE);
  else interval(s, r->diff[k].lo, r->diff[k].hi, r->diff[k].est);
  str(s, "test", paired ? "mcnemar_exact" : "fisher_exact");
  num(s, "statistic", r->test[k].statistic, r->test[k].est);
  num(s, "p_value", r->test[k].p_value, r->test[k].est);
  tw_json_end_object(s->w);
}

static void responders(sj *s) {
  const tw_trial_responder_result *r = &s->a->resp;
  tw_json_key(s->w, "responders");
  if (s->d->responder.ep < 0) {
    note(s, "responders", "no responder rule");
    return;
  }
  tw_json_begin_object(s->w);
  str(s, "endpoint", s->d->ep_names[s->d->responder.ep]);
  str(s, "rule", s->d->responder.above ? ">=" : "<=");
  num(s, "threshold", s->d->responder.threshold, TW_STAT_ESTIMABLE);
  tw_json_key(s->w, "arms");
  tw_json_begin_object(s->w);
  for (int a = 0; a < s->d->n_arms; a++) responder_arm(s, r, a);
  tw_json_end_object(s->w);
  tw_json_key(s->w, "comparisons");
  tw_json_begin_array(s->w);
  for (int a = 0, k = 0; a < s->d->n_arms; a++)
    if (a != s->d->reference_arm) responder_comparison(s, r, k++, a);
  tw_json_end_array(s->w);
  tw_json_end_object(s->w);
}

/* ---- time to event ----------------------------------------------------------- */

static void km_arm(sj *s, const tw_stat_km *km) {
  tw_json_begin_object(s->w);
  integer(s, "n", (int64_t)km->n);
  integer(s, "events", (int64_t)km->events);
  tw_json_key(s->w, "median_min");
  if (km->est != TW_STAT_ESTIMABLE) note(s, "median_min", tw_stat_est_text(km->est));
  else if (!km->median_reached || !isfinite(km->median)) note(s, "median_min", NOT_REACHED_NOTE);
  else tw_json_number(s->w, km->median);
  tw_json_end_object(s->w);
}

/* The logrank and Cox fields of comparison k (also written at the top level
** when there is one comparison, as the shape has them). */
static void tte_fields(sj *s, const tw_trial_tte_result *r, int k) {
  const tw_stat_ptest *lr = &r->logrank[k];
  const tw_stat_cox *c = &r->cox[k];
  num(s, "logrank_statistic", lr->statistic, lr->est);
  num(s, "logrank_p_value", lr->p_value, lr->est);
  num(s, "log_hazard_ratio", c->beta, c->est);
  num(s, "log_hazard_ratio_se", c->se, c->est);
  num(s, "hazard_ratio", c->hazard_ratio, c->est);
  char key[48];
  snprintf(key, sizeof key, "hazard_ratio_%s", s->ci_key);
  tw_json_key(s->w, key);
  if (isfinite(c->hr_lo) && isfinite(c->hr_hi)) {
    tw_json_begin_array(s->w);
    tw_json_number(s->w, c->hr_lo);
    tw_json_number(s->w, c->hr_hi);
    tw_json_end_array(s->w);
  } else {
    note(s, key, missing_note(isfinite(c->hr_lo) ? c->hr_hi : c->hr_lo, c->est));
  }
  num(s, "cox_p_value", c->p_value, c->est);
}

static void tte(sj *s, int t) {
  const tw_trial_tte_result *r = &s->a->tte[t];
  const int A = s->d->n_arms;
  tw_json_key(s->w, s->d->tte[t].name);
  tw_json_begin_object(s->w);
  str(s, "time_endpoint", s->d->ep_names[s->d->tte[t].time_ep]);
  str(s, "event_endpoint", s->d->ep_names[s->d->tte[t].event_ep]);
  str(s, "cox_strata", s->d->design == TW_DESIGN_CROSSOVER ? "twin" : "none");
  tw_json_key(s->w, "arms");
  tw_json_begin_object(s->w);
  for (int a = 0; a < A; a++) tw_json_key(s->w, s->d->arms[a]), km_arm(s, &r->km[a]);
  tw_json_end_object(s->w);
  if (A == 2) tte_fields(s, r, 0);
  tw_json_key(s->w, "comparisons");
  tw_json_begin_array(s->w);
  for (int a = 0, k = 0; a < A; a++) {
    if (a == s->d->reference_arm) continue;
    tw_json_begin_object(s->w);
    comparison_head(s, a);
    tte_fields(s, r, k++);
    tw_json_end_object(s->w);
  }
  tw_json_end_array(s->w);
  tw_json_end_object(s->w);
}

/* ---- the document -------------------------------------------------------------- */

/* The twins each arm stopped early (their endpoints left out), by cause. */
static void stopped(sj *s) {
  if (!s->d->stopped) return;
  tw_json_key(s->w, "stopped_early");
  tw_json_begin_object(s->w);
  for (int a = 0; a < s->d->n_arms; a++) {
    tw_json_key(s->w, s->d->arms[a]);
    tw_json_begin_object(s->w);
    integer(s, "integration_failed", s->d->stopped[2 * a]);
    integer(s, "reached_model_floor", s->d->stopped[2 * a + 1]);
    tw_json_end_object(s->w);
  }
  tw_json_end_object(s->w);
}

static void header(sj *s) {
  str(s, "design", s->d->design == TW_DESIGN_CROSSOVER ? "crossover" : "parallel");
  integer(s, "n_twins", s->d->n_twins);
  tw_json_key(s->w, "arms");
  tw_json_begin_array(s->w);
  for (int a = 0; a < s->d->n_arms; a++) tw_json_string(s->w, s->d->arms[a]);
  tw_json_end_array(s->w);
  str(s, "reference_arm", s->d->arms[s->d->reference_arm]);
  num(s, "confidence_level", s->d->level, TW_STAT_ESTIMABLE);
  stopped(s);
}

static void document(sj *s) {
  tw_json_begin_object(s->w);
  header(s);
  tw_json_key(s->w, "endpoints");
  tw_json_begin_object(s->w);
  for (int e = 0; e < s->d->n_endpoints; e++) endpoint(s, e);
  tw_json_end_object(s->w);
  responders(s);
  tw_json_key(s->w, "time_to_event");
  tw_json_begin_object(s->w);
  for (int t = 0; t < s->d->n_tte; t++) tte(s, t);
  tw_json_end_object(s->w);
  tw_json_end_object(s->w);
}

/* The document (tw_json_document_fn): ctx is the sj with d and a set. */
static void summary_document(tw_json_writer *w, const void *ctx) {
  sj s = *(const sj *)ctx;
  s.w = w;
  snprintf(s.ci_key, sizeof s.ci_key, "ci%.10g", 100 * s.d->level);
  document(&s);
}

/* Names that become keys of one JSON object must differ (and exist). */
static tw_status unique(const char *const *names, int n, size_t stride, const char *what) {
  for (int i = 0; i < n; i++) {
    const char *u = *(const char *const *)((const char *)names + (size_t)i * stride);
    if (!u) return TW_FAIL(TW_ERR_INPUT, "summary.json: %s %d has no name", what, i);
    for (int j = 0; j < i; j++)
      if (!strcmp(u, *(const char *const *)((const char *)names + (size_t)j * stride)))
        return TW_FAIL(TW_ERR_INPUT, "summary.json: two %ss are named '%s'", what, u);
  }
  return TW_OK;
}

static tw_status check_args(const char *path, const tw_trial_data *d, const tw_trial_analysis *a) {
  if (!path || !d || !a) return TW_FAIL(TW_ERR_INPUT, "summary.json: NULL argument");
  if (a->n_arms != d->n_arms || a->n_endpoints != d->n_endpoints || a->n_tte != d->n_tte)
    return TW_FAIL(TW_ERR_INPUT, "summary.json: the analysis is not of this data (%d arms vs %d)", a->n_arms, d->n_arms);
  TW_TRY(unique(d->arms, d->n_arms, sizeof *d->arms, "arm"));
  TW_TRY(unique(d->ep_names, d->n_endpoints, sizeof *d->ep_names, "endpoint"));
  return d->n_tte ? unique(&d->tte[0].name, d->n_tte, sizeof *d->tte, "time-to-event endpoint") : TW_OK;
}

tw_status tw_trial_summary_write(const char *path, const tw_trial_data *d, const tw_trial_analysis *a) {
  TW_TRY(check_args(path, d, a));
  const sj s = {.d = d, .a = a};
  return tw_json_write_file(path, summary_document, &s);
}
