/*
** test_report.c: report.html (tw_trial_report_write) from synthetic trials.
**
** The trial data are made up here (a seeded generator), and the analysis is
** filled by calling the stats.h functions directly, as analysis.c will: the
** report is tested on its own, not through the trial job.
**
** Without arguments (ctest trial_report): checks the file itself: every
** figure id present and no other figure, the config text HTML-escaped (a
** <script> and & in it come out as text), no external reference (http://,
** https://, src=, <link, url(, @import), no NaN or inf written into the page,
** the not-estimable reasons shown, the no-band and no-finite-value notes, the
** twins stopped early per arm under the title (and no such line when none are
** known); a write into a missing directory fails as TW_ERR_IO and leaves no
** file, a write whose final rename fails leaves no partial file; an analysis of other
** data is TW_ERR_INPUT.
**
** With an output directory (used by report_chromium.sh): writes
** report.html (crossover, 2 arms, bands) and report-parallel.html (parallel,
** 3 arms, no bands) there and prints one line per file: "NAME FIGURES",
** the number of figures each must have. An optional second argument sets
** the twins (1,000 by default), to time the report on a large trial.
*/
#define _POSIX_C_SOURCE 200809L /* mkdir, strncasecmp */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "trial/stats.h"
#include "trial/trial_results.h"
#include "tw_test.h"

enum { EP_TIR, EP_TBR, EP_MEAN, EP_CV, EP_LBGI, EP_T54, EP_E54, EP_T400, EP_E400, EP_NEVER, N_EP };
enum { MAX_ARMS = 3, N_TTE = 2, FOLLOW_UP = 4320, WARMUP = 1440 };

static const char *const ep_names[N_EP] = {"tir_70_180", "tbr_70", "mean_bg", "cv_bg", "lbgi", "time_to_bg_below_54",
                                           "event_bg_below_54", "time_to_bg_above_400", "event_bg_above_400", "never"};
static const char *const ep_units[N_EP] = {"%", "%", "mg/dL", "%", "1", "min", "1", "min", "1", "1"};
static const char *const arm_names[MAX_ARMS] = {"basal-bolus", "PID", "PID <fast> & \"tight\""};

static const char protocol[] = "trial:\n  name: <script>alert(\"x\")</script> & 'quotes'\n  arms: [basal-bolus, PID]\n";

/* ---- a seeded generator ---------------------------------------------------- */

static uint64_t rng_state;

static double uniform(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return ((double)((z ^ (z >> 31)) >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void) { return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform()); }

/* ---- the fixture: data, analysis, bands ------------------------------------ */

typedef struct fixture {
  tw_trial_data d;
  tw_trial_analysis a;
  double *values;
  int32_t *arm_of;
  tw_trial_tte tte[N_TTE];
  tw_trial_endpoint_result ep[N_EP];
  tw_stat_summary sum[N_EP][MAX_ARMS];
  tw_trial_comparison comp[N_EP][MAX_ARMS - 1];
  size_t count[MAX_ARMS], n[MAX_ARMS], b[MAX_ARMS - 1], c[MAX_ARMS - 1];
  tw_stat_interval rate[MAX_ARMS], diff[MAX_ARMS - 1];
  tw_stat_ptest test[MAX_ARMS - 1];
  tw_trial_tte_result tr[N_TTE];
  tw_stat_km km[N_TTE][MAX_ARMS];
  double *step_time[N_TTE][MAX_ARMS], *step_surv[N_TTE][MAX_ARMS];
  size_t n_steps[N_TTE][MAX_ARMS];
  tw_stat_ptest logrank[N_TTE][MAX_ARMS - 1];
  tw_stat_cox cox[N_TTE][MAX_ARMS - 1];
  tw_trial_bands bands;
  double *q, *time;
  tw_trial_cohort_row cohort[3];
  tw_trial_report_info info;
} fixture;

static double *at(fixture *fx, int e, int64_t i, int a) {
  return &fx->values[((int64_t)e * fx->d.n_twins + i) * fx->d.n_arms + a];
}

static double clamp(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* One twin's endpoints in arm a; u: the twin's own level (shared by its arms). */
static void twin_endpoints(fixture *fx, int64_t i, int a, double u) {
  const double mean = 150 + 20 * u - 6.0 * a + 8 * normal(), p54 = a == 0 ? 0.35 : 0.22;
  *at(fx, EP_MEAN, i, a) = mean;
  *at(fx, EP_TIR, i, a) = clamp(70 - 0.6 * (mean - 150) + 6 * normal(), 0, 100);
  *at(fx, EP_TBR, i, a) = fabs(3 + 2 * normal() - 0.5 * a);
  *at(fx, EP_CV, i, a) = 33 + 4 * normal();
  *at(fx, EP_LBGI, i, a) = exp(0.3 + 0.5 * normal());
  const int event = uniform() < p54;
  *at(fx, EP_E54, i, a) = event;
  *at(fx, EP_T54, i, a) = event ? floor(1 + (FOLLOW_UP - 1) * uniform()) : FOLLOW_UP;
  *at(fx, EP_E400, i, a) = 0;
  *at(fx, EP_T400, i, a) = FOLLOW_UP;
  *at(fx, EP_NEVER, i, a) = NAN;
}

static void make_values(fixture *fx) {
  const tw_trial_data *d = &fx->d;
  for (int64_t k = 0; k < N_EP * d->n_twins * d->n_arms; k++) fx->values[k] = NAN;
  for (int64_t i = 0; i < d->n_twins; i++) {
    const double u = normal();
    for (int a = 0; a < d->n_arms; a++)
      if (!fx->arm_of || fx->arm_of[i] == a) twin_endpoints(fx, i, a, u);
  }
}

/* ---- the analysis, by the stats.h functions --------------------------------- */

/* The finite values of endpoint e in arm a into x; returns their number. */
static size_t arm_values(fixture *fx, int e, int a, double *x) {
  size_t n = 0;
  for (int64_t i = 0; i < fx->d.n_twins; i++)
    if (isfinite(*at(fx, e, i, a))) x[n++] = *at(fx, e, i, a);
  return n;
}

/* Twins finite in both arms a and ref: x from a, y from ref. */
static size_t pair_values(fixture *fx, int e, int a, int ref, double *x, double *y) {
  size_t n = 0;
  for (int64_t i = 0; i < fx->d.n_twins; i++)
    if (isfinite(*at(fx, e, i, a)) && isfinite(*at(fx, e, i, ref))) x[n] = *at(fx, e, i, a), y[n++] = *at(fx, e, i, ref);
  return n;
}

static tw_status compare(fixture *fx, int e, int a, tw_trial_comparison *c, double *x, double *y) {
  const int ref = fx->d.reference_arm;
  c->arm = a;
  if (fx->d.design == TW_DESIGN_CROSSOVER) {
    const size_t n = pair_values(fx, e, a, ref, x, y);
    c->n_pairs = (int64_t)n;
    TW_TRY(tw_stat_paired_t(x, y, n, fx->d.level, &c->t));
    return tw_stat_wilcoxon(x, y, n, &c->rank);
  }
  const size_t nx = arm_values(fx, e, a, x), ny = arm_values(fx, e, ref, y);
  c->n_pairs = 0;
  TW_TRY(tw_stat_welch_t(x, nx, y, ny, fx->d.level, &c->t));
  return tw_stat_mann_whitney(x, nx, y, ny, &c->rank);
}

static tw_status analyse_endpoint(fixture *fx, int e, double *x, double *y) {
  fx->ep[e].arms = fx->sum[e];
  fx->ep[e].comp = fx->comp[e];
  for (int a = 0; a < fx->d.n_arms; a++) TW_TRY(tw_stat_describe(x, arm_values(fx, e, a, x), &fx->sum[e][a]));
  for (int a = 0, k = 0; a < fx->d.n_arms; a++)
    if (a != fx->d.reference_arm) TW_TRY(compare(fx, e, a, &fx->comp[e][k++], x, y));
  return TW_OK;
}

static tw_status responder_comparison(fixture *fx, int a, int k) {
  const int ref = fx->d.reference_arm;
  if (fx->d.design != TW_DESIGN_CROSSOVER) {
    fx->b[k] = fx->c[k] = 0;
    TW_TRY(tw_stat_newcombe_diff(fx->count[a], fx->n[a], fx->count[ref], fx->n[ref], fx->d.level, &fx->diff[k]));
    return tw_stat_fisher_exact(fx->count[a], fx->n[a] - fx->count[a], fx->count[ref], fx->n[ref] - fx->count[ref],
                                &fx->test[k]);
  }
  size_t b = 0, c = 0, n = 0;
  for (int64_t i = 0; i < fx->d.n_twins; i++) {
    const double va = *at(fx, EP_TIR, i, a), vr = *at(fx, EP_TIR, i, ref);
    if (!isfinite(va) || !isfinite(vr)) continue;
    n++, b += va >= 70 && vr < 70, c += va < 70 && vr >= 70;
  }
  fx->b[k] = b, fx->c[k] = c;
  fx->diff[k] = (tw_stat_interval){n ? ((double)b - (double)c) / (double)n : NAN, NAN, NAN, TW_STAT_ESTIMABLE};
  return tw_stat_mcnemar_exact(b, c, &fx->test[k]);
}

static tw_status analyse_responders(fixture *fx, double *x) {
  fx->a.resp = (tw_trial_responder_result){fx->count, fx->n, fx->rate, fx->diff, fx->test, fx->b, fx->c};
  for (int a = 0; a < fx->d.n_arms; a++) {
    fx->n[a] = arm_values(fx, EP_TIR, a, x), fx->count[a] = 0;
    for (size_t i = 0; i < fx->n[a]; i++) fx->count[a] += x[i] >= 70;
    TW_TRY(tw_stat_wilson(fx->count[a], fx->n[a], fx->d.level, &fx->rate[a]));
  }
  for (int a = 0, k = 0; a < fx->d.n_arms; a++)
    if (a != fx->d.reference_arm) TW_TRY(responder_comparison(fx, a, k++));
  return TW_OK;
}

/* Time, event, group (arm a: 1, ref: 0) and twin of every finite record of tte j in arms a and ref. */
static size_t tte_records(fixture *fx, int j, int a, double *t, unsigned char *ev, unsigned char *g, size_t *twin) {
  size_t n = 0;
  const int ref = fx->d.reference_arm;
  for (int64_t i = 0; i < fx->d.n_twins; i++)
    for (int k = 0; k < 2; k++) {
      const int arm = k ? a : ref;
      const double ti = *at(fx, fx->tte[j].time_ep, i, arm);
      if (!isfinite(ti)) continue;
      t[n] = ti, ev[n] = *at(fx, fx->tte[j].event_ep, i, arm) > 0, g[n] = (unsigned char)k, twin[n++] = (size_t)i;
    }
  return n;
}

typedef struct tte_buf {
  double *t;
  unsigned char *ev, *g;
  size_t *twin;
} tte_buf;

static tw_status analyse_km(fixture *fx, int j, int a, tte_buf *w) {
  size_t n = 0;
  for (int64_t i = 0; i < fx->d.n_twins; i++)
    if (isfinite(*at(fx, fx->tte[j].time_ep, i, a)))
      w->t[n] = *at(fx, fx->tte[j].time_ep, i, a), w->ev[n++] = *at(fx, fx->tte[j].event_ep, i, a) > 0;
  fx->step_time[j][a] = malloc(sizeof(double) * (n + 1));
  fx->step_surv[j][a] = malloc(sizeof(double) * (n + 1));
  if (!fx->step_time[j][a] || !fx->step_surv[j][a]) return TW_FAIL(TW_ERR_NOMEM, "test: KM steps");
  return tw_stat_kaplan_meier(w->t, w->ev, n, fx->step_time[j][a], fx->step_surv[j][a], &fx->n_steps[j][a],
                              &fx->km[j][a]);
}

static tw_status analyse_tte(fixture *fx, int j, tte_buf *w) {
  tw_trial_tte_result *r = &fx->tr[j];
  *r = (tw_trial_tte_result){fx->km[j], fx->step_time[j], fx->step_surv[j], fx->n_steps[j], fx->logrank[j], fx->cox[j]};
  for (int a = 0; a < fx->d.n_arms; a++) TW_TRY(analyse_km(fx, j, a, w));
  for (int a = 0, k = 0; a < fx->d.n_arms; a++) {
    if (a == fx->d.reference_arm) continue;
    const size_t n = tte_records(fx, j, a, w->t, w->ev, w->g, w->twin);
    TW_TRY(tw_stat_logrank(w->t, w->ev, w->g, n, &fx->logrank[j][k]));
    const size_t *strata = fx->d.design == TW_DESIGN_CROSSOVER ? w->twin : NULL;
    TW_TRY(tw_stat_cox_efron(w->t, w->ev, w->g, strata, n, fx->d.level, &fx->cox[j][k++]));
  }
  return TW_OK;
}

static tw_status analyse(fixture *fx) {
  const size_t n = (size_t)fx->d.n_twins * 2;
  double *x = malloc(sizeof(double) * n), *y = malloc(sizeof(double) * n);
  tte_buf w = {malloc(sizeof(double) * n), malloc(n), malloc(n), malloc(sizeof(size_t) * n)};
  tw_status st = x && y && w.t && w.ev && w.g && w.twin ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "test: buffers");
  fx->a = (tw_trial_analysis){fx->d.n_arms, N_EP, N_TTE, fx->ep, {0}, fx->tr};
  for (int e = 0; st == TW_OK && e < N_EP; e++) st = analyse_endpoint(fx, e, x, y);
  if (st == TW_OK) st = analyse_responders(fx, x);
  for (int j = 0; st == TW_OK && j < N_TTE; j++) st = analyse_tte(fx, j, &w);
  free(x), free(y), free(w.t), free(w.ev), free(w.g), free(w.twin);
  return st;
}

/* ---- bands, cohort, info --------------------------------------------------- */

static tw_status make_bands(fixture *fx) {
  const int64_t T = (WARMUP + FOLLOW_UP) / 5 + 1;
  static const double z[5] = {-1.645, -0.674, 0, 0.674, 1.645};
  fx->time = malloc(sizeof(double) * (size_t)T);
  fx->q = malloc(sizeof(double) * (size_t)(T * 5 * fx->d.n_arms));
  if (!fx->time || !fx->q) return TW_FAIL(TW_ERR_NOMEM, "test: bands");
  for (int64_t t = 0; t < T; t++) {
    const double m = (double)t * 5, day = fmod(m, 1440) / 1440;
    fx->time[t] = m;
    for (int a = 0; a < fx->d.n_arms; a++)
      for (int k = 0; k < 5; k++)
        fx->q[((int64_t)a * 5 + k) * T + t] = 140 - 8.0 * a + 35 * sin(6.2832 * 3 * day) * exp(-2 * day) +
                                               z[k] * (25 + 10 * sin(6.2832 * day)) * (1 + 0.3 * (k > 2));
  }
  fx->bands = (tw_trial_bands){"bg", "mg/dL", T, fx->time, WARMUP, fx->d.n_twins, fx->q};
  return TW_OK;
}

static void make_info(fixture *fx, int with_bands) {
  fx->cohort[0] = (tw_trial_cohort_row){"age", "y", fx->d.n_twins, 34.2, 12.1, 18, 71};
  fx->cohort[1] = (tw_trial_cohort_row){"weight", "kg", fx->d.n_twins, 72.5, 13.9, 41.3, 128};
  fx->cohort[2] = (tw_trial_cohort_row){"HbA1c", "%", fx->d.n_twins, 7.6, 0.9, 5.4, 11.2};
  fx->info = (tw_trial_report_info){
      "Basal-bolus vs PID & friends <test>", protocol, "t1d", FOLLOW_UP, WARMUP, 3, fx->cohort,
      with_bands ? &fx->bands : NULL, "0.1.0-test", "abc123", "trial.h5", "summary.json", "cpu", "2026-12-01T00:00:00Z",
      42, 1, 1.25};
}

static void fixture_free(fixture *fx) {
  if (!fx) return;
  for (int j = 0; j < N_TTE; j++)
    for (int a = 0; a < MAX_ARMS; a++) free(fx->step_time[j][a]), free(fx->step_surv[j][a]);
  free(fx->values), free(fx->arm_of), free(fx->q), free(fx->time), free(fx);
}

/* A whole synthetic trial: crossover (arm_of NULL) or parallel, n_arms arms. */
static fixture *fixture_make(int design, int n_arms, int64_t n_twins, int with_bands, tw_status *st) {
  fixture *fx = calloc(1, sizeof *fx);
  if (!fx) return (*st = TW_FAIL(TW_ERR_NOMEM, "test: fixture")), NULL;
  rng_state = 20261201;
  fx->tte[0] = (tw_trial_tte){"bg_below_54", EP_T54, EP_E54};
  fx->tte[1] = (tw_trial_tte){"bg_above_400", EP_T400, EP_E400};
  fx->values = malloc(sizeof(double) * (size_t)(N_EP * n_twins * n_arms));
  fx->arm_of = design == TW_DESIGN_PARALLEL ? malloc(sizeof(int32_t) * (size_t)n_twins) : NULL;
  for (int64_t i = 0; fx->arm_of && i < n_twins; i++) fx->arm_of[i] = (int32_t)(i % n_arms);
  fx->d = (tw_trial_data){design, n_arms, arm_names, 0, n_twins, N_EP, ep_names, ep_units, fx->values, fx->arm_of,
                          {EP_TIR, 70, 1}, N_TTE, fx->tte, 0.95, NULL, NULL};
  *st = fx->values ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "test: values");
  if (*st == TW_OK) make_values(fx), *st = analyse(fx);
  if (*st == TW_OK) *st = make_bands(fx);
  make_info(fx, with_bands);
  return fx;
}

/* ---- reading the file back --------------------------------------------------- */


static int count(const char *s, const char *needle) {
  int n = 0;
  for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle)) n++;
  return n;
}

/* A word (letters bounded by non-letters, any case) in s: "nan" and "inf" must never be printed. */
static int has_word(const char *s, const char *w) {
  const size_t n = strlen(w);
  for (const char *p = s; *p; p++)
    if (strncasecmp(p, w, n) == 0 && (p == s || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]))
      return 1;
  return 0;
}

static int exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static const char *out_dir(void) {
  static const char dir[] = TW_BINARY_DIR "/test_report";
  mkdir(dir, 0755);
  return dir;
}

/* ---- the cases ----------------------------------------------------------------- */

static const char *const no_external[] = {"http://", "https://", "src=", "<link", "url(", "@import", "//cdn", "<iframe"};

static void check_common(const char *html) {
  for (size_t k = 0; k < sizeof no_external / sizeof *no_external; k++)
    CHECK_MSG(!strstr(html, no_external[k]), "external reference '%s' in the page", no_external[k]);
  CHECK_MSG(!has_word(html, "nan") && !has_word(html, "inf"), "a NaN or inf was written into the page");
  CHECK_EQ_INT(count(html, "<script"), 1); /* the inline drawing check, nothing else */
  CHECK(strstr(html, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39;"));
  CHECK(!strstr(html, "<script>alert"));
  CHECK(strstr(html, "<title>Basal-bolus vs PID &amp; friends &lt;test&gt;</title>"));
  CHECK(strstr(html, "No finite value in any arm, so no panel: never."));
  CHECK(strstr(html, "<td class=\"ne\" colspan=\"5\">not estimable: too few observations</td>"));
  CHECK(strstr(html, "No events in any arm"));
  CHECK(strstr(html, "id=\"fig-distributions\"") && strstr(html, "id=\"fig-forest\""));
  CHECK(strstr(html, "id=\"fig-km-bg_below_54\"") && strstr(html, "id=\"fig-km-bg_above_400\""));
  CHECK_EQ_INT(count(html, "</html>"), 1);
}

static void write_and_read(fixture *fx, const char *name, char **html) {
  char path[4096], partial[4200];
  snprintf(path, sizeof path, "%s/%s", out_dir(), name);
  snprintf(partial, sizeof partial, "%s.partial", path);
  *html = NULL;
  CHECK_OK(tw_trial_report_write(path, &fx->d, &fx->a, &fx->info));
  CHECK_MSG(!exists(partial), "%s left behind", partial);
  CHECK_MSG((*html = tw_test_slurp(path, NULL)) != NULL, "cannot read %s back", path);
}

static void test_crossover(void) {
  tw_status st;
  fixture *fx = fixture_make(TW_DESIGN_CROSSOVER, 2, 300, 1, &st);
  char *html = NULL;
  static const int64_t stopped[4] = {0, 2, 1, 3}; /* arm 0: 2 at a floor; arm 1: 1 failed, 3 at a floor */
  if (fx) fx->d.stopped = stopped;
  if (st == TW_OK) write_and_read(fx, "crossover.html", &html);
  fixture_free(fx);
  CHECK_OK(st);
  CHECK(html);
  check_common(html);
  const int figs = count(html, "<figure class=\"tw-fig\""), bands = !!strstr(html, "id=\"fig-bands\"");
  const int mcnemar = !!strstr(html, "McNemar exact p"), paired = !!strstr(html, "Paired t p");
  const int stops = strstr(html, "Twins stopped early") && strstr(html, " 2 (0 failed to integrate, 2 reached a floor") &&
                    strstr(html, " 4 (1 failed to integrate, 3 reached a floor");
  free(html);
  CHECK_EQ_INT(figs, 5);
  CHECK(bands && mcnemar && paired && stops);
}

static void test_parallel_no_bands(void) {
  tw_status st;
  fixture *fx = fixture_make(TW_DESIGN_PARALLEL, 3, 240, 0, &st);
  char *html = NULL;
  if (st == TW_OK) write_and_read(fx, "parallel.html", &html);
  fixture_free(fx);
  CHECK_OK(st);
  CHECK(html);
  check_common(html);
  const int figs = count(html, "<figure class=\"tw-fig\""), bands = !!strstr(html, "id=\"fig-bands\"");
  const int note = !!strstr(html, "No band data"), arm3 = !!strstr(html, "PID &lt;fast&gt; &amp; &quot;tight&quot;");
  const int fisher = !!strstr(html, "Fisher exact p"), welch = !!strstr(html, "Welch t p");
  const int stops = !!strstr(html, "Twins stopped early"); /* none known: no sentence */
  free(html);
  CHECK_EQ_INT(figs, 4);
  CHECK(!bands && note && arm3 && fisher && welch && !stops);
}

static void test_write_failures(void) {
  tw_status st;
  fixture *fx = fixture_make(TW_DESIGN_CROSSOVER, 2, 40, 1, &st);
  CHECK_OK(st);
  const char *missing = "/nonexistent-twinscale-dir/report.html";
  const tw_status s1 = tw_trial_report_write(missing, &fx->d, &fx->a, &fx->info);
  tw_error_clear();
  char dir[4096], partial[4200]; /* a directory where the report should go: the rename fails */
  snprintf(dir, sizeof dir, "%s/a-directory", out_dir());
  snprintf(partial, sizeof partial, "%s.partial", dir);
  mkdir(dir, 0755);
  const tw_status s2 = tw_trial_report_write(dir, &fx->d, &fx->a, &fx->info);
  tw_error_clear();
  fx->a.n_arms = 3; /* an analysis of other data */
  const tw_status s3 = tw_trial_report_write(partial, &fx->d, &fx->a, &fx->info);
  tw_error_clear();
  fixture_free(fx);
  CHECK_EQ_INT(s1, TW_ERR_IO);
  CHECK(!exists(missing) && !exists("/nonexistent-twinscale-dir/report.html.partial"));
  CHECK_EQ_INT(s2, TW_ERR_IO);
  CHECK_MSG(!exists(partial), "%s left behind after a failed rename", partial);
  CHECK_EQ_INT(s3, TW_ERR_INPUT);
}

/* Writes the two reports the Chromium test renders; prints "NAME FIGURES". */
static int write_for_chromium(const char *dir, int64_t n_twins) {
  static const struct { int design, arms, bands, figures; const char *name; } cases[2] = {
      {TW_DESIGN_CROSSOVER, 2, 1, 5, "report.html"}, {TW_DESIGN_PARALLEL, 3, 0, 4, "report-parallel.html"}};
  for (int k = 0; k < 2; k++) {
    tw_status st;
    char path[4096];
    fixture *fx = fixture_make(cases[k].design, cases[k].arms, n_twins, cases[k].bands, &st);
    snprintf(path, sizeof path, "%s/%s", dir, cases[k].name);
    const double t0 = tw_now_seconds();
    if (st == TW_OK) st = tw_trial_report_write(path, &fx->d, &fx->a, &fx->info);
    fprintf(stderr, "%s: %lld twins, written in %.3f s\n", cases[k].name, (long long)n_twins, tw_now_seconds() - t0);
    fixture_free(fx);
    if (st != TW_OK) return fprintf(stderr, "%s: %s\n", path, tw_error_message()), 1;
    printf("%s %d\n", cases[k].name, cases[k].figures);
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc > 1) return write_for_chromium(argv[1], argc > 2 ? atoll(argv[2]) : 1000);
  TW_TEST_RUN(test_crossover);
  TW_TEST_RUN(test_parallel_no_bands);
  TW_TEST_RUN(test_write_failures);
  return TW_TEST_RESULT();
}
