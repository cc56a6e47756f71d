/*
** trial_finish.c: the results file read back, analysed, summarised and
** reported (trial_finish.h).
**
** The endpoints are read one at a time as the analysis and the report ask for
** them (tw_trial_columns), the covariates one at a time for the cohort table:
** what is held is a few columns of the results, whatever the endpoint count.
*/
#include "trial/trial_finish.h"

#include <math.h>   /* isfinite, sqrt */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free, qsort */
#include <string.h> /* strcmp, strrchr */
#include <time.h>   /* time, gmtime_r, strftime */

#include "build_info.h"          /* TW_VERSION_STRING */
#include "git_commit.h"          /* TW_GIT_COMMIT, regenerated at every build */
#include "io/h5.h"
#include "trial/trial_results.h" /* tw_trial_analyse, summary, report */
#include "twinscale/pack.h"      /* TW_TWIN_DOMAIN */

/* `name` beside `results` (in its directory), or the config's path. */
static void beside(const char *results, const char *given, const char *name, char *out, size_t cap) {
  const char *slash = strrchr(results, '/');
  if (given) snprintf(out, cap, "%s", given);
  else if (slash) snprintf(out, cap, "%.*s/%s", (int)(slash - results), results, name);
  else snprintf(out, cap, "%s", name);
}

tw_status tw_trial_finish_paths(const tw_trial_config *c, const char *results, tw_trial_outcome *out) {
  beside(results, c->output.summary, "summary.json", out->summary, sizeof out->summary);
  beside(results, c->output.report, "report.html", out->report, sizeof out->report);
  TW_TRY(tw_run_check_output(out->summary, 1));
  return tw_run_check_output(out->report, 1);
}

/* What the analysis reads, as read from the file. */
typedef struct finished {
  tw_h5_file *f;
  char **arms, **ep_names, **ep_units;
  int64_t n_arms, n_ep, n;
  tw_trial_columns columns; /* the endpoints, (n, A) each, read when asked for */
  int32_t *arm_of; /* parallel */
  int64_t *stopped; /* (A, 2) from /status/flag: integration failures, floors reached */
  tw_trial_tte tte[1];
  int n_tte;
} finished;

static void finished_free(finished *d) {
  for (int64_t k = 0; d->arms && k < d->n_arms; ++k) free(d->arms[k]);
  for (int64_t k = 0; d->ep_names && k < d->n_ep; ++k) free(d->ep_names[k]);
  for (int64_t k = 0; d->ep_units && k < d->n_ep; ++k) free(d->ep_units[k]);
  free(d->arms), free(d->ep_names), free(d->ep_units), free(d->arm_of), free(d->stopped);
  tw_trial_columns_free(&d->columns);
}

static int ep_index(const finished *d, const char *name) {
  for (int64_t e = 0; e < d->n_ep; ++e)
    if (!strcmp(d->ep_names[e], name)) return (int)e;
  return -1;
}

/* The twins each arm stopped early, counted from /status/flag (n, A): -1 where
** a twin did not run the arm, 0 where it ran through. */
static tw_status read_stopped(tw_h5_file *f, finished *d) {
  tw_tensor t;
  TW_TRY(tw_h5_read(f, "/status/flag", TW_I32, &t));
  const int32_t *fl = t.data;
  if (t.rank != 2 || t.dims[0] != d->n || t.dims[1] != d->n_arms) {
    free(t.data);
    return TW_FAIL(TW_ERR_INPUT, "%s: /status/flag is not (%lld twins, %lld arms)", tw_h5_path(f), (long long)d->n,
                   (long long)d->n_arms);
  }
  d->stopped = calloc((size_t)(2 * d->n_arms), sizeof *d->stopped);
  if (!d->stopped) {
    free(t.data);
    return TW_FAIL(TW_ERR_NOMEM, "trial analysis: out of memory");
  }
  for (int64_t k = 0; k < d->n * d->n_arms; ++k)
    if (fl[k] > 0) ++d->stopped[2 * (k % d->n_arms) + (fl[k] == TW_TWIN_DOMAIN)];
  free(t.data);
  return TW_OK;
}

static tw_status read_endpoints(tw_h5_file *f, finished *d) {
  int64_t nu;
  TW_TRY(tw_h5_read_strings(f, "/arms/name", &d->arms, &d->n_arms));
  TW_TRY(tw_h5_read_strings(f, "/endpoints_units/name", &d->ep_names, &d->n_ep));
  TW_TRY(tw_h5_read_strings(f, "/endpoints_units/units", &d->ep_units, &nu));
  if (nu != d->n_ep) {
    for (int64_t k = 0; k < nu; ++k) free(d->ep_units[k]);
    free(d->ep_units);
    d->ep_units = NULL;
    return TW_FAIL(TW_ERR_INPUT, "%s: %lld endpoint units for %lld endpoints", tw_h5_path(f), (long long)nu,
                   (long long)d->n_ep);
  }
  for (int64_t e = 0; e < d->n_ep; ++e) { /* shapes now; values when the analysis asks (read_endpoint) */
    char path[256];
    int rank;
    int64_t dims[TW_TENSOR_MAX_RANK] = {0};
    snprintf(path, sizeof path, "/endpoints/%s", d->ep_names[e]);
    TW_TRY(tw_h5_shape(f, path, &rank, dims));
    if (e == 0) d->n = dims[0];
    if (rank != 2 || dims[0] != d->n || dims[1] != d->n_arms)
      return TW_FAIL(TW_ERR_INPUT, "%s: %s is not (%lld twins, %lld arms)", tw_h5_path(f), path, (long long)d->n,
                     (long long)d->n_arms);
  }
  TW_TRY(read_stopped(f, d));
  if (tw_h5_exists(f, "/assignment/arm")) {
    tw_tensor t;
    TW_TRY(tw_h5_read(f, "/assignment/arm", TW_I32, &t));
    d->arm_of = t.data;
  }
  return TW_OK;
}

/* Endpoint e's (n, A) values from the file (tw_trial_columns' read). */
static tw_status read_endpoint(void *ctx, int e, double **out) {
  finished *d = ctx;
  char path[256];
  tw_tensor t;
  snprintf(path, sizeof path, "/endpoints/%s", d->ep_names[e]);
  TW_TRY(tw_h5_read(d->f, path, TW_F64, &t));
  if (t.rank != 2 || t.dims[0] != d->n || t.dims[1] != d->n_arms) {
    free(t.data);
    return TW_FAIL(TW_ERR_INPUT, "%s: %s is not (%lld twins, %lld arms)", tw_h5_path(d->f), path, (long long)d->n,
                   (long long)d->n_arms);
  }
  *out = t.data;
  return TW_OK;
}

/* The time-to-event pair the glucose endpoints carry. */
static void find_tte(finished *d) {
  const int t = ep_index(d, "time_to_bg_below_54"), e = ep_index(d, "event_bg_below_54");
  if (t >= 0 && e >= 0) d->tte[0] = (tw_trial_tte){"bg_below_54", t, e}, d->n_tte = 1;
}

static tw_status data_of(const tw_trial_config *c, finished *d, tw_trial_data *out) {
  find_tte(d);
  *out = (tw_trial_data){.design = c->design.type == TW_TRIAL_CROSSOVER ? TW_DESIGN_CROSSOVER : TW_DESIGN_PARALLEL,
                         .n_arms = (int)d->n_arms, .arms = (const char *const *)d->arms,
                         .reference_arm = tw_trial_reference_index(c), .n_twins = d->n, .n_endpoints = (int)d->n_ep,
                         .ep_names = (const char *const *)d->ep_names, .ep_units = (const char *const *)d->ep_units,
                         .columns = &d->columns, .arm_of = d->arm_of, .n_tte = d->n_tte, .tte = d->tte, .level = 0.95,
                         .stopped = d->stopped};
  out->responder = (tw_trial_responder){-1, c->responders.threshold, !c->responders.at_most};
  if (strcmp(c->responders.endpoint, "none")) {
    out->responder.ep = ep_index(d, c->responders.endpoint);
    if (out->responder.ep < 0)
      return TW_FAIL(TW_ERR_INPUT, "responders.endpoint: '%s' is not an endpoint of this trial", c->responders.endpoint);
  }
  return TW_OK;
}

/* ---- the report's extras: cohort table and bands -------------------------- */

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static tw_status cohort_rows(tw_h5_file *f, char ***names, int *n_names, tw_trial_cohort_row **rows, char ***units) {
  TW_TRY(tw_h5_list(f, "/cohort/covariates", names, n_names));
  *rows = calloc((size_t)*n_names + 1, sizeof **rows);
  *units = calloc((size_t)*n_names + 1, sizeof **units);
  if (!*rows || !*units) return TW_FAIL(TW_ERR_NOMEM, "trial: cohort table");
  for (int k = 0; k < *n_names; ++k) {
    char path[512];
    tw_tensor t;
    snprintf(path, sizeof path, "/cohort/covariates/%s", (*names)[k]);
    TW_TRY(tw_h5_read(f, path, TW_F64, &t));
    const double *x = t.data;
    tw_trial_cohort_row *r = &(*rows)[k];
    double s = 0, ss = 0;
    r->name = (*names)[k];
    r->n = t.dims[0];
    r->min = r->max = r->n ? x[0] : NAN;
    for (int64_t i = 0; i < r->n; ++i) s += x[i], r->min = fmin(r->min, x[i]), r->max = fmax(r->max, x[i]);
    r->mean = s / (double)r->n;
    for (int64_t i = 0; i < r->n; ++i) ss += (x[i] - r->mean) * (x[i] - r->mean);
    r->sd = r->n > 1 ? sqrt(ss / (double)(r->n - 1)) : NAN;
    free(t.data);
    (*units)[k] = malloc(64);
    if (!(*units)[k]) return TW_FAIL(TW_ERR_NOMEM, "trial: cohort table");
    TW_TRY(tw_h5_units(f, path, (*units)[k], 64));
    r->units = (*units)[k];
  }
  return TW_OK;
}

/* Percentiles over the kept twins of observable `obs` (not NULL) per arm and time. */
static tw_status bands(tw_h5_file *f, const char *obs, tw_trial_bands *b, double **q, double **tm, char *units) {
  char path[256];
  snprintf(path, sizeof path, "/trajectories/%s", obs);
  if (!tw_h5_exists(f, path)) return TW_OK; /* no trajectories kept: the report says so */
  tw_tensor t, ti;
  TW_TRY(tw_h5_read(f, path, TW_F64, &t));
  TW_TRY(tw_h5_units(f, path, units, 64));
  tw_status st = tw_h5_read(f, "/time_min", TW_F64, &ti);
  const int64_t N = t.dims[0], A = t.dims[1], T = t.dims[2];
  double *col = malloc((size_t)N * sizeof *col + 1);
  *q = malloc((size_t)(A * 5 * T) * sizeof **q + 1);
  if (st == TW_OK && (!col || !*q)) st = TW_FAIL(TW_ERR_NOMEM, "trial: bands");
  static const double probs[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
  for (int64_t a = 0; st == TW_OK && a < A; ++a)
    for (int64_t k = 0; k < T; ++k) {
      size_t m = 0;
      for (int64_t i = 0; i < N; ++i) {
        const double v = ((double *)t.data)[(i * A + a) * T + k];
        if (isfinite(v)) col[m++] = v;
      }
      qsort(col, m, sizeof *col, cmp_double);
      for (int p = 0; p < 5; ++p) (*q)[(a * 5 + p) * T + k] = m ? tw_stat_quantile_sorted(col, m, probs[p]) : NAN;
    }
  free(col);
  free(t.data);
  if (st != TW_OK) return st;
  *tm = ti.data;
  *b = (tw_trial_bands){.observable = obs, .units = units, .n_times = T, .time_min = *tm, .n_twins = N, .q = *q};
  return TW_OK;
}

static void utc_now(char *out, size_t cap) {
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void title_of(const tw_trial_config *c, int64_t n, char *out, size_t cap) {
  if (c->title) {
    snprintf(out, cap, "%s", c->title);
    return;
  }
  size_t used = (size_t)snprintf(out, cap, "%s trial of ", c->design.type == TW_TRIAL_CROSSOVER ? "Crossover" : "Parallel");
  for (int a = 0; a < c->n_arms && used < cap; ++a)
    used += (size_t)snprintf(out + used, cap - used, "%s%s", a ? (a + 1 == c->n_arms ? " vs " : ", ") : "", c->arms[a].name);
  if (used < cap)
    snprintf(out + used, cap - used, ": %lld twins, %g days", (long long)n, (double)c->duration_min / 1440.0);
}

typedef struct report_parts {
  char **cov_names, **cov_units;
  int n_cov;
  tw_trial_cohort_row *rows;
  tw_trial_bands b;
  double *q, *tm;
  char units[64];
} report_parts;

static void parts_free(report_parts *p) {
  for (int k = 0; k < p->n_cov; ++k) {
    free(p->cov_names[k]);
    if (p->cov_units) free(p->cov_units[k]);
  }
  free(p->cov_names), free(p->cov_units), free(p->rows), free(p->q), free(p->tm);
}

static tw_status report(tw_h5_file *f, const tw_trial_config *c, const char *config_text, const char *results,
                        const tw_run_report *rep, const tw_dist *dist, const tw_trial_data *d,
                        const tw_trial_analysis *an, const tw_trial_outcome *out) {
  report_parts p;
  memset(&p, 0, sizeof p);
  char *glucose = NULL, title[512], started[32];
  tw_status st = cohort_rows(f, &p.cov_names, &p.n_cov, &p.rows, &p.cov_units);
  if (st == TW_OK) st = tw_h5_attr_read_string(f, "glucose_observable", &glucose);
  const char *obs = glucose && *glucose ? glucose : c->endpoints.pk;
  if (st == TW_OK && obs) st = bands(f, obs, &p.b, &p.q, &p.tm, p.units);
  title_of(c, d->n_twins, title, sizeof title);
  utc_now(started, sizeof started);
  if (p.q) p.b.warmup_min = c->warmup_min;
  const tw_trial_report_info info = {
      .title = title, .protocol_text = config_text, .pack = c->pack, .duration_min = c->duration_min,
      .warmup_min = c->warmup_min, .n_cohort_rows = p.n_cov, .cohort = p.rows, .bands = p.q ? &p.b : NULL,
      .version = TW_VERSION_STRING, .commit = TW_GIT_COMMIT, .results_path = results, .summary_path = out->summary,
      .backend = rep->backend, .started_utc = started, .seed = (uint64_t)c->seed, .ranks = dist->size,
      .seconds = rep->seconds};
  if (st == TW_OK) st = tw_trial_report_write(out->report, d, an, &info);
  free(glucose);
  parts_free(&p);
  return st;
}

tw_status tw_trial_finish(const tw_trial_config *c, const char *config_text, const char *results,
                          const tw_run_report *rep, const tw_dist *dist, tw_trial_outcome *out) {
  finished fd;
  memset(&fd, 0, sizeof fd);
  tw_trial_data d;
  tw_trial_analysis an;
  memset(&an, 0, sizeof an);
  tw_h5_file *f = NULL;
  tw_status st = tw_h5_open(results, NULL, &f);
  fd.f = f;
  tw_trial_columns_init(&fd.columns, read_endpoint, &fd);
  if (st == TW_OK) st = read_endpoints(f, &fd);
  if (st == TW_OK) st = data_of(c, &fd, &d);
  if (st == TW_OK) st = tw_trial_analyse(&d, &an);
  if (st == TW_OK) st = tw_trial_summary_write(out->summary, &d, &an);
  if (st == TW_OK) st = report(f, c, config_text, results, rep, dist, &d, &an, out);
  if (st == TW_OK && fd.columns.st != TW_OK) st = tw_error_trace(fd.columns.st, __FILE__, __LINE__); /* a read in the report */
  if (f) {
    tw_status cst = tw_h5_close(f);
    if (st == TW_OK) st = cst;
  }
  tw_trial_analysis_free(&an);
  finished_free(&fd);
  return st;
}
