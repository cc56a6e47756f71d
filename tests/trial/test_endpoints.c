/*
** test_endpoints.c: the streaming trial endpoints (src/trial/endpoints.h)
** against validation/endpoints_reference.py (ctest label validation).
**
** The fixture holds bg traces and concentration profiles, random and edge cases
** (values exactly at the thresholds, below 1 mg/dL, all in range, constant,
** events at the first and last window minute and only in the warm-up, NaN and
** Inf in and out of the window, CGM stride, one and two samples, two weeks of
** minutes; oral and IV doses at regular and irregular times, plateaus of equal
** values, falls to exactly zero), with every endpoint computed by numpy from the
** whole trace. Here each group is streamed minute by minute through
** tw_endpoints, tw_obs_acc and tw_pk_acc in several chunkings of its twins
** (whole group, one twin per chunk, chunks of 3 and 7 with padded strides, and
** chunks run on 2 OpenMP threads where the build has OpenMP), and:
**   - every endpoint equals numpy's to 1e-12 relative (absolute where numpy's is
**     exactly 0; NaN exactly where numpy's is NaN), the demand; the worst
**     error of each endpoint is printed;
**   - every chunking gives bit-identical results to the first.
** Unit cases: names and units, reset (bg and PK, with a hand-computed PK
** interval), and the errors the accumulators report.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trial/endpoints.h"
#include "tw_test.h"
#include "trial/endpoints_fixture.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#define REL_LIMIT 1e-12

static fx_file fx;
static int fx_ok;

typedef struct chunking {
  int64_t size; /* twins per chunk; 0: the whole group */
  int64_t pad;  /* ld - n */
  int threads;
} chunking;

static const chunking CHUNKINGS[] = {{0, 0, 1}, {1, 0, 1}, {3, 2, 1}, {7, 5, 1}, {2, 1, 2}, {0, 3, 2}};
enum { N_CHUNKINGS = sizeof CHUNKINGS / sizeof CHUNKINGS[0] };

/* ---- comparing -------------------------------------------------------------- */

/* |a - b| / |b|, or |a| where b == 0; 0 when both are NaN, +inf when one is. */
static double rel_err(double a, double b) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b) ? 0.0 : INFINITY;
  return b == 0.0 ? fabs(a) : fabs(a - b) / fabs(b);
}

/* Worst error of row k over n twins of got (n, rows) against want (n, rows). */
static double worst_row(const double *got, const double *want, int n, int rows, int k, int *where) {
  double worst = 0;
  for (int i = 0; i < n; i++) {
    const double e = rel_err(got[i * rows + k], want[i * rows + k]);
    if (!(e <= worst)) worst = e, *where = i;
  }
  return worst;
}

/* ---- streaming a bg group ------------------------------------------------------ */

/* The chunk's samples at minute m into buf (n), padding poisoned. */
static void bg_samples(const fx_bg_group *g, int64_t i0, int64_t n, int64_t ld, int64_t m, double *buf) {
  for (int64_t i = 0; i < n; i++) buf[i] = g->v[(i0 + i) * g->n_min + m];
  for (int64_t i = n; i < ld; i++) buf[i] = NAN;
}

/* out (rows, ld) into res (n_group, rows) at twins i0.. */
static void scatter(const double *out, int64_t ld, int rows, int64_t i0, int64_t n, double *res) {
  for (int k = 0; k < rows; k++)
    for (int64_t i = 0; i < n; i++) res[(i0 + i) * rows + k] = out[k * ld + i];
}

static tw_status bg_stream(const fx_bg_group *g, int64_t i0, int64_t n, tw_endpoints *e,
                           tw_obs_acc *o, double *buf) {
  for (int64_t m = 0; m < g->n_min; m++) {
    bg_samples(g, i0, n, e->obs.ld, m, buf);
    TW_TRY(tw_endpoints_update(e, buf, m));
    TW_TRY(tw_obs_acc_update(o, buf, m));
  }
  return TW_OK;
}

/* One chunk: twins i0..i0+n-1 with stride n + pad, into res and obs_res. */
static tw_status bg_chunk(const fx_bg_group *g, int64_t i0, int64_t n, int64_t pad, double *res,
                          double *obs_res) {
  const int64_t ld = n + pad;
  const int rows = TW_EP_N_BG + g->n_user, orows = TW_OBS_N_FIXED + g->n_user;
  tw_endpoints e;
  tw_obs_acc o;
  TW_TRY(tw_endpoints_init(&e, n, ld, g->win, g->user, g->n_user));
  tw_status st = tw_obs_acc_init(&o, n, ld, g->win, g->user, g->n_user);
  double *buf = malloc(sizeof(double) * (size_t)ld), *out = malloc(sizeof(double) * (size_t)(ld * rows));
  if (st == TW_OK && (!buf || !out)) st = TW_FAIL(TW_ERR_NOMEM, "test buffers");
  if (st == TW_OK) st = bg_stream(g, i0, n, &e, &o, buf);
  if (st == TW_OK) st = tw_endpoints_finalize(&e, out, ld);
  if (st == TW_OK) scatter(out, ld, rows, i0, n, res);
  if (st == TW_OK) st = tw_obs_acc_finalize(&o, out, ld);
  if (st == TW_OK) scatter(out, ld, orows, i0, n, obs_res);
  free(buf), free(out);
  tw_obs_acc_free(&o);
  tw_endpoints_free(&e);
  return st;
}

/* Runs fn over the chunks of n_twins in chunking c, on c.threads threads. */
typedef tw_status (*chunk_fn)(const void *g, int64_t i0, int64_t n, int64_t pad, double *res, double *res2);

static tw_status run_chunks(chunk_fn fn, const void *g, int n_twins, chunking c, double *res, double *res2) {
  const int64_t size = c.size ? c.size : n_twins;
  const int64_t n_chunks = (n_twins + size - 1) / size;
  int st = TW_OK; /* the largest code of any chunk (an int: OpenMP reduces no enum) */
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(c.threads) reduction(max : st)
#endif
  for (int64_t ch = 0; ch < n_chunks; ch++) {
    const int64_t i0 = ch * size, n = TW_MIN(size, n_twins - i0);
    const int s = (int)fn(g, i0, n, c.pad, res, res2);
    if (s > st) st = s;
  }
  return (tw_status)st;
}

static tw_status bg_chunk_fn(const void *g, int64_t i0, int64_t n, int64_t pad, double *res, double *res2) {
  return bg_chunk((const fx_bg_group *)g, i0, n, pad, res, res2);
}

/* ---- bg: reference and chunkings ------------------------------------------------ */

static double bg_worst[TW_EP_N_BG + FX_MAX_USER];

/* The bg rows of one group against numpy; worst errors kept in bg_worst. */
static int bg_compare(const fx_bg_group *g, const double *res) {
  const int rows = TW_EP_N_BG + g->n_user;
  int bad = 0;
  for (int k = 0; k < rows; k++) {
    int where = 0;
    const double w = worst_row(res, g->expect, g->n, rows, k, &where);
    if (k < TW_EP_N_BG && w > bg_worst[k]) bg_worst[k] = w;
    if (k >= TW_EP_N_BG && w > bg_worst[TW_EP_N_BG]) bg_worst[TW_EP_N_BG] = w;
    if (!(w <= REL_LIMIT)) {
      fprintf(stderr, "  %s/%s row %d: %.17g vs numpy %.17g (rel %.3g)\n", g->name, g->twin[where], k,
              res[where * rows + k], g->expect[where * rows + k], w);
      bad = 1;
    }
  }
  return bad;
}

/* tw_obs_acc's mean, sd and user rows against numpy's mean_bg, sd_bg and user rows. */
static double obs_compare(const fx_bg_group *g, const double *obs) {
  const int rows = TW_EP_N_BG + g->n_user, orows = TW_OBS_N_FIXED + g->n_user;
  double worst = 0;
  for (int i = 0; i < g->n; i++)
    for (int k = 0; k < orows; k++) {
      const int ref = k == TW_OBS_MEAN ? TW_EP_MEAN_BG : k == TW_OBS_SD ? TW_EP_SD_BG
                                                                     : TW_EP_N_BG + k - TW_OBS_N_FIXED;
      const double e = rel_err(obs[i * orows + k], g->expect[i * rows + ref]);
      if (!(e <= worst)) worst = e;
    }
  return worst;
}

static void test_bg_reference(void) {
  CHECK_MSG(fx_ok, "cannot read the fixture");
  double obs_worst = 0;
  for (int gi = 0; gi < fx.n_bg; gi++) {
    const fx_bg_group *g = &fx.bg[gi];
    const size_t rows = (size_t)(TW_EP_N_BG + g->n_user), orows = (size_t)(TW_OBS_N_FIXED + g->n_user);
    double *first = calloc((size_t)g->n * rows, sizeof(double)), *res = calloc((size_t)g->n * rows, sizeof(double));
    double *obs = calloc((size_t)g->n * orows, sizeof(double));
    CHECK(first && res && obs);
    for (int c = 0; c < N_CHUNKINGS; c++) {
      CHECK_OK(run_chunks(bg_chunk_fn, g, g->n, CHUNKINGS[c], c ? res : first, obs));
      if (c == 0) CHECK_MSG(!bg_compare(g, first), "group %s: endpoints differ from numpy", g->name);
      if (c == 0) obs_worst = TW_MAX(obs_worst, obs_compare(g, obs));
      CHECK_MSG(c == 0 || !memcmp(first, res, (size_t)g->n * rows * sizeof(double)),
                "group %s: chunking %d (size %lld, pad %lld, %d threads) is not bit-identical", g->name, c,
                (long long)CHUNKINGS[c].size, (long long)CHUNKINGS[c].pad, CHUNKINGS[c].threads);
    }
    free(first), free(res), free(obs);
  }
  for (int k = 0; k < TW_EP_N_BG; k++)
    fprintf(stderr, "  max rel error %-22s %.3e\n", tw_endpoints_name(&(tw_endpoints){0}, k), bg_worst[k]);
  fprintf(stderr, "  max rel error %-22s %.3e\n", "user thresholds", bg_worst[TW_EP_N_BG]);
  fprintf(stderr, "  max rel error %-22s %.3e\n", "tw_obs_acc rows", obs_worst);
  CHECK_MSG(obs_worst <= REL_LIMIT, "tw_obs_acc differs from numpy by %.3g", obs_worst);
}

/* ---- pk -------------------------------------------------------------------------- */

static tw_status pk_stream(const fx_pk_group *g, int64_t i0, int64_t n, tw_pk_acc *a, double *buf) {
  for (int64_t s = 0; s < g->n_t; s++) {
    for (int64_t i = 0; i < n; i++) buf[i] = g->c[(i0 + i) * g->n_t + s];
    for (int64_t i = n; i < a->ld; i++) buf[i] = NAN;
    TW_TRY(tw_pk_acc_update(a, buf, g->t[s]));
  }
  return TW_OK;
}

static tw_status pk_chunk(const void *gv, int64_t i0, int64_t n, int64_t pad, double *res, double *unused) {
  (void)unused;
  const fx_pk_group *g = (const fx_pk_group *)gv;
  const int64_t ld = n + pad;
  const int rows = TW_PK_N * g->n_doses;
  tw_pk_acc a;
  TW_TRY(tw_pk_acc_init(&a, n, ld, g->doses, g->n_doses, g->end));
  double *buf = malloc(sizeof(double) * (size_t)ld), *out = malloc(sizeof(double) * (size_t)(ld * rows));
  tw_status st = buf && out ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "test buffers");
  if (st == TW_OK) st = pk_stream(g, i0, n, &a, buf);
  if (st == TW_OK) st = tw_pk_acc_finalize(&a, out, ld);
  if (st == TW_OK) scatter(out, ld, rows, i0, n, res);
  free(buf), free(out);
  tw_pk_acc_free(&a);
  return st;
}

static double pk_worst[TW_PK_N];

static int pk_compare(const fx_pk_group *g, const double *res) {
  const int rows = TW_PK_N * g->n_doses;
  int bad = 0;
  for (int k = 0; k < rows; k++) {
    int where = 0;
    const double w = worst_row(res, g->expect, g->n, rows, k, &where);
    if (w > pk_worst[k / g->n_doses]) pk_worst[k / g->n_doses] = w;
    if (!(w <= REL_LIMIT)) {
      fprintf(stderr, "  %s/%s row %d: %.17g vs numpy %.17g (rel %.3g)\n", g->name, g->twin[where], k,
              res[where * rows + k], g->expect[where * rows + k], w);
      bad = 1;
    }
  }
  return bad;
}

static void test_pk_reference(void) {
  CHECK_MSG(fx_ok, "cannot read the fixture");
  static const char *const names[TW_PK_N] = {"cmax", "tmax", "auc", "trough"};
  for (int gi = 0; gi < fx.n_pk; gi++) {
    const fx_pk_group *g = &fx.pk[gi];
    const size_t cells = (size_t)g->n * TW_PK_N * (size_t)g->n_doses;
    double *first = calloc(cells, sizeof(double)), *res = calloc(cells, sizeof(double));
    CHECK(first && res);
    for (int c = 0; c < N_CHUNKINGS; c++) {
      CHECK_OK(run_chunks(pk_chunk, g, g->n, CHUNKINGS[c], c ? res : first, NULL));
      if (c == 0) CHECK_MSG(!pk_compare(g, first), "group %s: PK endpoints differ from numpy", g->name);
      CHECK_MSG(c == 0 || !memcmp(first, res, cells * sizeof(double)),
                "group %s: chunking %d is not bit-identical", g->name, c);
    }
    free(first), free(res);
  }
  for (int k = 0; k < TW_PK_N; k++) fprintf(stderr, "  max rel error %-22s %.3e\n", names[k], pk_worst[k]);
}

/* ---- unit cases --------------------------------------------------------------------- */

static void test_names_units(void) {
  tw_ep_threshold u = {"pct_bg_below_80", TW_EP_BELOW, 80.0, 0.0};
  tw_ep_window w = {0, 10, 1};
  tw_endpoints e;
  CHECK_OK(tw_endpoints_init(&e, 2, 2, w, &u, 1));
  CHECK_EQ_INT(tw_endpoints_count(&e), TW_EP_N_BG + 1);
  CHECK_EQ_STR(tw_endpoints_name(&e, TW_EP_TIR_70_180), "tir_70_180");
  CHECK_EQ_STR(tw_endpoints_name(&e, TW_EP_EVENT_BG_BELOW_54), "event_bg_below_54");
  CHECK_EQ_STR(tw_endpoints_name(&e, TW_EP_N_BG), "pct_bg_below_80");
  CHECK_EQ_STR(tw_endpoints_units(&e, TW_EP_MEAN_BG), "mg/dL");
  CHECK_EQ_STR(tw_endpoints_units(&e, TW_EP_TIME_TO_BG_BELOW_54), "min");
  CHECK(tw_endpoints_name(&e, TW_EP_N_BG + 1) == NULL);
  tw_endpoints_free(&e);
}

/* After reset, the same samples give the same bits (the next arm of a chunk). */
static void test_reset(void) {
  tw_ep_window w = {0, 3, 1}; /* minute 0 is t = 0: not a sample */
  const double s[4][2] = {{10, 400}, {60, 200}, {50, 90}, {120, 300}};
  double out1[2 * (TW_EP_N_BG)], out2[2 * (TW_EP_N_BG)];
  tw_endpoints e;
  CHECK_OK(tw_endpoints_init(&e, 2, 2, w, NULL, 0));
  for (int m = 0; m < 4; m++) CHECK_OK(tw_endpoints_update(&e, s[m], m));
  CHECK_OK(tw_endpoints_finalize(&e, out1, 2));
  tw_endpoints_reset(&e);
  for (int m = 0; m < 4; m++) CHECK_OK(tw_endpoints_update(&e, s[m], m));
  CHECK_OK(tw_endpoints_finalize(&e, out2, 2));
  tw_endpoints_free(&e);
  CHECK(!memcmp(out1, out2, sizeof out1));
  CHECK_EQ_INT(out1[TW_EP_TIME_TO_BG_BELOW_54 * 2 + 0], 2); /* bg 50 at t = 2 */
  CHECK_EQ_INT(out1[TW_EP_TIME_TO_BG_BELOW_54 * 2 + 1], 3); /* censored at D */
  CHECK_NEAR(out1[TW_EP_MEAN_BG * 2 + 1], (200.0 + 90 + 300) / 3, 1e-13);
}

/* The same for the PK accumulator: a short oral-like profile, two doses. */
static void test_pk_reset(void) {
  const int64_t doses[2] = {0, 3};
  const double c[7] = {0, 4, 3, 2, 5, 4, 3.5};
  double out1[TW_PK_N * 2], out2[TW_PK_N * 2];
  tw_pk_acc a;
  CHECK_OK(tw_pk_acc_init(&a, 1, 1, doses, 2, 6));
  for (int m = 0; m < 7; m++) CHECK_OK(tw_pk_acc_update(&a, &c[m], m));
  CHECK_OK(tw_pk_acc_finalize(&a, out1, 1));
  tw_pk_acc_reset(&a);
  for (int m = 0; m < 7; m++) CHECK_OK(tw_pk_acc_update(&a, &c[m], m));
  CHECK_OK(tw_pk_acc_finalize(&a, out2, 1));
  tw_pk_acc_free(&a);
  CHECK(!memcmp(out1, out2, sizeof out1));
  CHECK_NEAR(out1[TW_PK_CMAX * 2 + 1], 5.0, 0);  /* interval 2: 2, 5, 4, 3.5 */
  CHECK_NEAR(out1[TW_PK_TMAX * 2 + 1], 1.0, 0);  /* one minute after the dose at 3 */
  CHECK_NEAR(out1[TW_PK_TROUGH * 2 + 0], 2.0, 0); /* just before the dose at 3 */
  /* interval 1: linear up 0 -> 4 (2), log down 4 -> 3 and 3 -> 2 */
  CHECK_NEAR(out1[TW_PK_AUC * 2 + 0], 2.0 + 1.0 / log(4.0 / 3.0) + 1.0 / log(1.5), 1e-14);
}

static void test_errors(void) {
  tw_ep_window w = {0, 10, 1}, bad = {0, 0, 1};
  const double x[1] = {100};
  tw_endpoints e;
  CHECK_STATUS(tw_endpoints_init(&e, 1, 1, bad, NULL, 0), TW_ERR_INPUT);
  CHECK_STATUS(tw_endpoints_init(&e, 2, 1, w, NULL, 0), TW_ERR_INTERNAL);
  tw_error_clear();
  CHECK_OK(tw_endpoints_init(&e, 1, 1, w, NULL, 0));
  CHECK_OK(tw_endpoints_update(&e, x, 5));
  CHECK_STATUS(tw_endpoints_update(&e, x, 5), TW_ERR_INTERNAL); /* time going back */
  tw_endpoints_free(&e);
  tw_error_clear();
  tw_pk_acc a;
  const int64_t doses[2] = {0, 60}, bad_doses[2] = {60, 60};
  CHECK_STATUS(tw_pk_acc_init(&a, 1, 1, bad_doses, 2, 120), TW_ERR_INPUT);
  CHECK_OK(tw_pk_acc_init(&a, 1, 1, doses, 2, 120));
  CHECK_STATUS(tw_pk_acc_update(&a, x, 5), TW_ERR_INPUT); /* first sample not at the first dose */
  CHECK_OK(tw_pk_acc_update(&a, x, 0));
  CHECK_STATUS(tw_pk_acc_update(&a, x, 65), TW_ERR_INPUT); /* skips the dose at 60 */
  tw_pk_acc_free(&a);
  tw_error_clear();
}

int main(void) {
  fx_ok = fx_read(TW_TEST_DATA_DIR "/endpoints/endpoints_reference.txt", &fx);
  TW_TEST_RUN(test_bg_reference);
  TW_TEST_RUN(test_pk_reference);
  TW_TEST_RUN(test_names_units);
  TW_TEST_RUN(test_reset);
  TW_TEST_RUN(test_pk_reset);
  TW_TEST_RUN(test_errors);
  return TW_TEST_RESULT();
}
