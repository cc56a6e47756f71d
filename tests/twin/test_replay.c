/*
** test_replay.c: `twin replay`'s job (src/twin/replay.h) on synthetic persons
** whose twins file this test writes (MAP Vmx, kp1, kabs drawn from the fit's
** prior at fixed quantiles; one fit flagged), with its own scorer (mean and minimum bg):
**   - bolus_scale 1 replays the recorded therapy: every difference is exactly
**     0, the changed run the same bits as the recorded one;
**   - bolus_scale 1.5 lowers mean bg for every person, basal_u_per_h 0 raises it;
**   - posterior draws (Vmx spread around the MAP, the draw at z = 0 the MAP
**     itself) give bands q05 <= MAP <= q95 of every endpoint and difference,
**     with q05 < q95 (the draws were run), and the MAP values equal the run
**     without draws;
**   - pid in the loop (the engine's controller loop): the recorded runs the
**     same bits as without it, a target of 100 mg/dL a lower mean bg than 180
**     for every person, and with gains 0 (no insulin) the mean of the open
**     loop without boluses and basal within 1e-6 (the two paths agree); with
**     ten times the gains some persons reach plasma glucose 0, where the
**     engine stops them: counted in the report, their endpoints NaN;
**   - a flagged fit is skipped (status 1, NaN) and named; a person with no
**     CGM in the days gets status 2;
**   - bad input: --person not in the file, a fitted person missing from the
**     records, a file that is not a twins file: TW_ERR_INPUT, no output.
** With `bench N DAYS S [DIR]` it times N such persons of DAYS days with S
** draws and prints persons/s (docs/personal-twins.md, "Replay", quotes it);
** DIR keeps the records and twins files for timing `twinscale twin replay`.
*/
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include "tw_test.h"

#include "build_info.h"
#include "fit_synth.h"
#include "physio/t1d.h"
#include "twin/replay.h"

#if TW_HAVE_HDF5 && TW_HAVE_YAML
#include "core/random.h" /* tw_normal_quantile */
#include "io/h5.h"

#include <unistd.h> /* access */

extern const tw_pack tw_pack_t1d;

static const char *const FITTED[3] = {"Vmx", "kp1", "kabs"};
static tw_fit_prior g_prior; /* of FITTED: the persons are drawn from it */
static char g_dir[] = "/tmp/tw_test_replay_XXXXXX";

/* Person i's log-parameters: the prior's mean + L z, z fixed normal quantiles
** between 0.25 and 0.75 (persons whose bg stays in the sensor's range). */
static void person_theta(int64_t i, double *theta) {
  double z[3];
  for (int a = 0; a < 3; ++a) z[a] = tw_normal_quantile(0.25 + 0.05 * ((double)((i * (2 * a + 3)) % 10) + 0.5));
  tw_fit_prior_draw(&g_prior, z, theta);
}

static double person_weight(int64_t i) { return g_prior.base[TW_T1D_P_BW] * (0.8 + 0.1 * (double)(i % 5)); }

/* ---- synthetic persons ------------------------------------------------------------- */

static const int meal_min[] = {7 * 60, 12 * 60 + 30, 19 * 60};
static const double meal_g[] = {45, 70, 80};

/* n persons of `days` days: person i of weight person_weight(i) and basal
** u2ss BW / 6000 (the population's u2ss), three meals a day with boluses of
** carbs / 12 U, CGM every 5 minutes at 130 mg/dL (only the first matters: the
** starting glucose). */
static tw_status make_records(int64_t n, int days, tw_records *r) {
  const int64_t per = (int64_t)days * 288 + 1;
  TW_TRY(synth_records_alloc(r, n, n * per, n * 3 * days, n * 3 * days));
  for (int64_t i = 0; i < n; ++i) {
    const double bw = person_weight(i);
    synth_person_begin(r, i, bw, days * 1440.0, g_prior.base[TW_T1D_P_u2ss] * bw / 100.0);
    for (int64_t j = 0; j < per; ++j) synth_cgm(r, 5.0 * (double)j, 130.0);
    for (int d = 0; d < days; ++d)
      for (int k = 0; k < 3; ++k) {
        synth_carbs(r, d * 1440.0 + meal_min[k], meal_g[k]);
        synth_bolus(r, d * 1440.0 + meal_min[k], meal_g[k] / 12.0);
      }
  }
  return TW_OK;
}

/* ---- the twins file ------------------------------------------------------------------ */

/* Person i's fitted value of FITTED[a], draw s of S (s < 0: the MAP): Vmx spread
** by exp(0.1 z_s), z_s the normal quantile at (s + 0.5) / S (z = 0 at the middle
** draw of an odd S); kp1 and kabs at the MAP. */
static double fitted_value(int64_t i, int a, int s, int S) {
  double theta[3];
  person_theta(i, theta);
  const double map = exp(theta[a]);
  if (s < 0 || a != 0) return map;
  return map * exp(0.1 * tw_normal_quantile((s + 0.5) / S));
}

static tw_status write_columns(tw_h5_file *f, int64_t n, int S) {
  double *v = malloc(sizeof(double) * (size_t)(n * (S > 0 ? S : 1)));
  if (!v) return TW_FAIL(TW_ERR_NOMEM, "test: out of memory");
  tw_status st = TW_OK;
  for (int a = 0; a < 3 && st == TW_OK; ++a) {
    char path[64];
    snprintf(path, sizeof path, "/fit/%s/map", FITTED[a]);
    for (int64_t i = 0; i < n; ++i) v[i] = fitted_value(i, a, -1, S);
    st = tw_h5_write_array(f, path, TW_F64, v, 1, &n, "1");
    if (S == 0 || st != TW_OK) continue;
    snprintf(path, sizeof path, "/fit/draws/%s", FITTED[a]);
    for (int64_t i = 0; i < n; ++i)
      for (int s = 0; s < S; ++s) v[i * S + s] = fitted_value(i, a, s, S);
    const int64_t dims[2] = {n, S};
    st = tw_h5_write_array(f, path, TW_F64, v, 2, dims, "1");
  }
  free(v);
  return st;
}

/* The twins file of the records' first n persons; person `flagged` (or -1) with fit flag 1. */
static tw_status write_twins(const char *path, const tw_records *r, int64_t n, int S, int64_t flagged) {
  tw_h5_file *f;
  TW_TRY(tw_h5_create(path, NULL, NULL, &f));
  const char **ids = malloc(sizeof(char *) * (size_t)n);
  int32_t *flag = calloc((size_t)n, sizeof(int32_t));
  tw_status st = ids && flag ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "test: out of memory");
  for (int64_t i = 0; i < n && st == TW_OK; ++i) ids[i] = r->persons[i].id, flag[i] = i == flagged;
  if (st == TW_OK) st = tw_h5_write_strings(f, "/persons/id", ids, n, "1");
  if (st == TW_OK) st = tw_h5_write_array(f, "/fit/flag", TW_I32, flag, 1, &n, "1");
  if (st == TW_OK) st = write_columns(f, n, S);
  free(ids), free(flag);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

/* ---- the scorer: mean and minimum bg ----------------------------------------------------- */

static const char *const EP_NAMES[2] = {"mean", "min"};
static const char *const EP_UNITS[2] = {"mg/dL", "mg/dL"};

static tw_status score(void *ctx, int64_t T, const double *bg, double *out) {
  (void)ctx;
  double s = 0.0, lo = bg[0];
  for (int64_t m = 0; m < T; ++m) s += bg[m], lo = bg[m] < lo ? bg[m] : lo;
  out[0] = s / (double)T, out[1] = lo;
  return TW_OK;
}

static const tw_replay_scorer SCORER = {.n = 2, .names = EP_NAMES, .units = EP_UNITS, .score = score};

/* ---- running and reading back --------------------------------------------------------------- */

static tw_replay_config scenario(double bolus_scale) {
  tw_replay_config c;
  memset(&c, 0, sizeof c);
  c.bolus_scale = bolus_scale, c.basal_scale = 1.0, c.basal_recorded = 1;
  return c;
}

static char *path_in(const char *name) {
  static char buf[8][512];
  static int k = 0;
  char *p = buf[k++ % 8];
  snprintf(p, 512, "%s/%s", g_dir, name);
  return p;
}

static tw_status replay(const char *twins, const tw_records *r, const tw_replay_config *sc, const char *out,
                        const char *person, tw_replay_report *rep) {
  tw_twins t;
  TW_TRY(tw_twins_read(twins, &t));
  tw_replay_opts o = {.twins_path = twins, .output = out, .person = person, .scenario = sc, .scorer = &SCORER, .force = 1};
  const tw_status st = tw_replay_run(&t, r, &o, rep);
  tw_twins_free(&t);
  return st;
}

/* Dataset `path` of a replay file (n values) into v. */
static void read_out(const char *file, const char *path, double *v, int64_t n) {
  tw_h5_file *f;
  tw_tensor t;
  memset(&t, 0, sizeof t);
  CHECK_OK(tw_h5_open(file, NULL, &f));
  CHECK_OK(tw_h5_read(f, path, TW_F64, &t));
  for (int64_t i = 0; i < n; ++i) v[i] = t.data && t.dims[0] == n ? ((double *)t.data)[i] : NAN;
  free(t.data);
  CHECK_OK(tw_h5_close(f));
}

#define N 5
#define FLAGGED 3
static tw_records g_rec;

static void test_identity(void) {
  const tw_replay_config sc = scenario(1.0);
  tw_replay_report rep;
  CHECK_OK(write_twins(path_in("t.h5"), &g_rec, N, 0, FLAGGED));
  CHECK_OK(replay(path_in("t.h5"), &g_rec, &sc, path_in("id.h5"), NULL, &rep));
  CHECK_EQ_INT(rep.replayed, N - 1);
  CHECK_EQ_INT(rep.skipped, 1);
  CHECK(rep.skipped_ids && strstr(rep.skipped_ids, g_rec.persons[FLAGGED].id) && strstr(rep.skipped_ids, "(flag 1)"));
  tw_replay_report_free(&rep);
  double rec[N], chg[N], dif[N], status[N];
  for (int e = 0; e < 2; ++e) {
    char p[96];
    snprintf(p, sizeof p, "/replay/%s/recorded", EP_NAMES[e]), read_out(path_in("id.h5"), p, rec, N);
    snprintf(p, sizeof p, "/replay/%s/changed", EP_NAMES[e]), read_out(path_in("id.h5"), p, chg, N);
    snprintf(p, sizeof p, "/replay/%s/difference", EP_NAMES[e]), read_out(path_in("id.h5"), p, dif, N);
    for (int i = 0; i < N; ++i) {
      if (i == FLAGGED) {
        CHECK(isnan(rec[i]) && isnan(dif[i]));
        continue;
      }
      CHECK_MSG(isfinite(rec[i]) && rec[i] > 20.0 && rec[i] < 600.0, "person %d %s %g", i, EP_NAMES[e], rec[i]);
      CHECK_MSG(chg[i] == rec[i] && dif[i] == 0.0, "person %d %s: recorded %.17g changed %.17g", i, EP_NAMES[e],
                rec[i], chg[i]);
    }
  }
  read_out(path_in("id.h5"), "/replay/status", status, N);
  for (int i = 0; i < N; ++i) CHECK_EQ_INT((int)status[i], i == FLAGGED ? 1 : 0);
  CHECK(access(path_in("id.h5.partial"), F_OK) != 0);
}

/* Mean bg changed - recorded of every replayed person, under sc. */
static void mean_differences(const tw_replay_config *sc, const char *out, double *dif) {
  tw_replay_report rep;
  CHECK_OK(replay(path_in("t.h5"), &g_rec, sc, path_in(out), NULL, &rep));
  tw_replay_report_free(&rep);
  read_out(path_in(out), "/replay/mean/difference", dif, N);
}

static void test_therapy_moves_bg(void) {
  tw_replay_config more = scenario(1.5), no_basal = scenario(1.0);
  no_basal.basal_recorded = 0, no_basal.basal_u_per_h = 0.0;
  double d_more[N], d_none[N];
  mean_differences(&more, "more.h5", d_more);
  mean_differences(&no_basal, "nobasal.h5", d_none);
  for (int i = 0; i < N; ++i) {
    if (i == FLAGGED) continue;
    printf("person %d: mean bg change %+.2f mg/dL with 1.5x boluses, %+.2f without basal\n", i, d_more[i], d_none[i]);
    CHECK_MSG(d_more[i] < -0.5, "person %d: larger boluses changed mean bg by %g", i, d_more[i]);
    CHECK_MSG(d_none[i] > 0.5, "person %d: no basal changed mean bg by %g", i, d_none[i]);
  }
}

/* Band q of kind k of endpoint e ("mean"), n values. */
static void read_band(const char *file, const char *kind, const char *q, double *v) {
  char p[96];
  snprintf(p, sizeof p, "/replay/mean/%s%s%s", kind, q[0] ? "_" : "", q);
  read_out(file, p, v, N);
}

static void test_bands(void) {
  const int S = 21;
  CHECK_OK(write_twins(path_in("td.h5"), &g_rec, N, S, FLAGGED));
  const tw_replay_config sc = scenario(1.3);
  tw_replay_report rep;
  CHECK_OK(replay(path_in("td.h5"), &g_rec, &sc, path_in("bands.h5"), NULL, &rep));
  CHECK_EQ_INT(rep.draws, S);
  CHECK_EQ_INT(rep.columns, (N - 1) * 2 * (1 + S));
  tw_replay_report_free(&rep);
  CHECK_OK(replay(path_in("t.h5"), &g_rec, &sc, path_in("nobands.h5"), NULL, &rep));
  tw_replay_report_free(&rep);
  const char *kinds[3] = {"recorded", "changed", "difference"};
  for (int k = 0; k < 3; ++k) {
    double map[N], plain[N], q05[N], q50[N], q95[N];
    read_band(path_in("bands.h5"), kinds[k], "", map);
    read_band(path_in("nobands.h5"), kinds[k], "", plain);
    read_band(path_in("bands.h5"), kinds[k], "q05", q05);
    read_band(path_in("bands.h5"), kinds[k], "q50", q50);
    read_band(path_in("bands.h5"), kinds[k], "q95", q95);
    for (int i = 0; i < N; ++i) {
      if (i == FLAGGED) continue;
      printf("person %d %s mean bg: MAP %.3f, q05 %.3f q50 %.3f q95 %.3f\n", i, kinds[k], map[i], q05[i], q50[i], q95[i]);
      CHECK_MSG(map[i] == plain[i], "person %d %s: MAP with draws %.17g, without %.17g", i, kinds[k], map[i], plain[i]);
      CHECK_MSG(q05[i] <= map[i] && map[i] <= q95[i] && q05[i] < q95[i], "person %d %s: MAP %g outside [%g, %g]", i,
                kinds[k], map[i], q05[i], q95[i]);
      CHECK_MSG(fabs(q50[i] - map[i]) <= 1e-9 * fabs(map[i]) + 1e-9, "person %d %s: q50 %g, MAP %g", i, kinds[k], q50[i],
                map[i]);
    }
  }
}

/* PID at `target` with gains g x (1, 1/500, 10): g = 1e-4 is the quickstart's
** tuning (p 1e-4, i 2e-7, d 1e-3); *stopped: the changed runs stopped at the
** model's floor. */
static void pid_means(double target, double g, const char *out, double *chg, double *rec, int64_t *stopped) {
  tw_replay_config sc = scenario(1.0);
  sc.controller = (tw_replay_controller_cfg){.name = "pid", .params = {.p = g, .i = g / 500.0, .d = 10.0 * g, .target = target},
                                             .sensor = "Dexcom", .noise = 0, .seed = 1};
  tw_replay_report rep;
  CHECK_OK(replay(path_in("t.h5"), &g_rec, &sc, path_in(out), NULL, &rep));
  CHECK_EQ_INT(rep.replayed, N - 1);
  *stopped = rep.stopped;
  tw_replay_report_free(&rep);
  read_out(path_in(out), "/replay/mean/changed", chg, N);
  read_out(path_in(out), "/replay/mean/recorded", rec, N);
}

static void test_controller(void) {
  double low[N], high[N], rec[N], rec2[N], open[N], zero[N], rec0[N], none[N], hot[N], rec3[N];
  int64_t stopped[4];
  pid_means(100.0, 1e-4, "pid100.h5", low, rec, &stopped[0]);
  pid_means(180.0, 1e-4, "pid180.h5", high, rec2, &stopped[1]);
  pid_means(140.0, 0.0, "pid0.h5", zero, rec0, &stopped[2]);
  /* ten times the gains (simglucose's example p and d) take persons to glucose 0:
  ** stopped there, counted, their changed endpoints NaN and only theirs */
  pid_means(140.0, 1e-3, "pid_hot.h5", hot, rec3, &stopped[3]);
  int64_t nan_hot = 0;
  for (int i = 0; i < N; ++i) nan_hot += i != FLAGGED && isnan(hot[i]);
  printf("stopped at the floor: %lld, %lld, %lld; with ten times the gains %lld (%lld NaN means)\n",
         (long long)stopped[0], (long long)stopped[1], (long long)stopped[2], (long long)stopped[3], (long long)nan_hot);
  CHECK(stopped[0] == 0 && stopped[1] == 0 && stopped[2] == 0);
  CHECK(stopped[3] > 0 && nan_hot == stopped[3]);
  read_out(path_in("id.h5"), "/replay/mean/recorded", open, N);
  tw_replay_config nothing = scenario(0.0); /* open loop: no bolus, no basal */
  nothing.basal_recorded = 0, nothing.basal_u_per_h = 0.0;
  tw_replay_report rep;
  CHECK_OK(replay(path_in("t.h5"), &g_rec, &nothing, path_in("nothing.h5"), NULL, &rep));
  tw_replay_report_free(&rep);
  read_out(path_in("nothing.h5"), "/replay/mean/changed", none, N);
  for (int i = 0; i < N; ++i) {
    if (i == FLAGGED) continue;
    printf("person %d: mean bg recorded %.2f, pid at 100 %.2f, at 180 %.2f; no insulin: pid with gains 0 %.9f, "
           "open loop %.9f mg/dL\n", i, rec[i], low[i], high[i], zero[i], none[i]);
    CHECK_MSG(rec[i] == open[i] && rec2[i] == open[i] && rec0[i] == open[i],
              "person %d: the recorded run moved with a controller", i);
    CHECK_MSG(fabs(zero[i] - none[i]) < 1e-6 * none[i], "person %d: the engine's loop delivering nothing %.9g, the "
              "open loop without insulin %.9g", i, zero[i], none[i]);
    CHECK_MSG(isfinite(low[i]) && isfinite(high[i]) && low[i] < high[i] - 5.0,
              "person %d: pid at 100 gives mean %g, at 180 %g", i, low[i], high[i]);
  }
}

static void test_no_cgm_in_days(void) {
  tw_replay_config sc = scenario(1.0);
  double days[2] = {5, 6}; /* the records hold two days */
  sc.days = days, sc.n_days = 2;
  tw_replay_report rep;
  CHECK_OK(replay(path_in("t.h5"), &g_rec, &sc, path_in("late.h5"), NULL, &rep));
  CHECK_EQ_INT(rep.no_data, N - 1);
  tw_replay_report_free(&rep);
  double status[N];
  read_out(path_in("late.h5"), "/replay/status", status, N);
  CHECK_EQ_INT((int)status[0], 2);
}

static void test_bad_input(void) {
  const tw_replay_config sc = scenario(1.0);
  tw_replay_report rep;
  CHECK_STATUS(replay(path_in("t.h5"), &g_rec, &sc, path_in("bad.h5"), "no-such-person", &rep), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "no person no-such-person"));
  tw_records fewer = g_rec;
  fewer.n = 2; /* persons 2.. of the twins file are not in these records */
  CHECK_STATUS(replay(path_in("t.h5"), &fewer, &sc, path_in("bad.h5"), NULL, &rep), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "the records hold no person"));
  tw_twins t;
  CHECK_OK(tw_records_write_h5(&g_rec, path_in("records.h5")));
  CHECK_STATUS(tw_twins_read(path_in("records.h5"), &t), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "not a twins file"));
  CHECK(access(path_in("bad.h5"), F_OK) != 0 && access(path_in("bad.h5.partial"), F_OK) != 0);
  /* one person asked for: the others not asked (status 3) */
  CHECK_OK(replay(path_in("t.h5"), &g_rec, &sc, path_in("one.h5"), g_rec.persons[1].id, &rep));
  CHECK_EQ_INT(rep.replayed, 1);
  tw_replay_report_free(&rep);
}

/* bench N DAYS S [DIR]: persons/s (with DIR, the records and twins files are
** left there as records.h5 and twins.h5, for timing the command on them). */
static int bench(int64_t n, int days, int S, const char *dir) {
  tw_records r;
  tw_replay_report rep;
  const tw_replay_config sc = scenario(1.2);
  char twins[600], records[600];
  snprintf(twins, sizeof twins, "%s/twins.h5", dir ? dir : g_dir);
  snprintf(records, sizeof records, "%s/records.h5", dir ? dir : g_dir);
  if (make_records(n, days, &r) != TW_OK || write_twins(twins, &r, n, S, -1) != TW_OK ||
      (dir && tw_records_write_h5(&r, records) != TW_OK) ||
      replay(twins, &r, &sc, path_in("bench.h5"), NULL, &rep) != TW_OK) {
    fprintf(stderr, "%s\n", tw_error_message());
    return 1;
  }
  printf("replay: %lld persons x %d days, %d draws: %.3f s, %lld simulations of %d days, %.2f persons/s, "
         "%.1f simulated person-days/s\n", (long long)rep.replayed, days, S, rep.seconds, (long long)rep.columns, days,
         (double)rep.replayed / rep.seconds, (double)rep.columns * days / rep.seconds);
  tw_replay_report_free(&rep);
  tw_records_free(&r);
  return 0;
}

static int run_tests(void) {
  if (make_records(N, 2, &g_rec) != TW_OK) {
    fprintf(stderr, "%s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_identity);
  TW_TEST_RUN(test_therapy_moves_bg);
  TW_TEST_RUN(test_bands);
  TW_TEST_RUN(test_controller);
  TW_TEST_RUN(test_no_cgm_in_days);
  TW_TEST_RUN(test_bad_input);
  tw_records_free(&g_rec);
  return tw_test_failures_;
}

int main(int argc, char **argv) {
  if (tw_fit_prior_build(&tw_pack_t1d, FITTED, 3, &g_prior) != TW_OK || !mkdtemp(g_dir)) {
    fprintf(stderr, "setup: %s\n", tw_error_message());
    return 1;
  }
  int rc = 0;
  if ((argc == 5 || argc == 6) && !strcmp(argv[1], "bench"))
    rc = bench(atoll(argv[2]), atoi(argv[3]), atoi(argv[4]), argc == 6 ? argv[5] : NULL);
  else
    rc = run_tests();
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", g_dir);
  return rc;
}
#else
TW_TEST_MAIN_SKIP("twin replay needs HDF5 and libyaml")
#endif
