/*
** test_random_meals.c: scenario.random_meals (random_meals.h, sim_inputs.c).
**
**   - the normal quantile agrees with known values to 1e-14;
**   - 20,000 twin-days of simglucose's slots: the fraction eaten, the mean and
**     sd of the minute and of the grams agree with the truncated and floored
**     normals within 4 standard errors, and no draw leaves its bounds;
**   - the meal inputs of a twin do not depend on the block of minutes or the
**     twins filled with it, differ between seeds, add to a fixed meal, and stop
**     at the end of a run that ends mid-day;
**   - a twin's bg trajectory over two days with random meals is the same bit for
**     bit simulated alone, in chunks of 8 and in one chunk of 30;
**   - configs/simulate-t1d-random.yaml holds simglucose's slots (the C table);
**   - bad slots (probability > 1, time_lo_min after time_hi_min) give one line
**     naming file:line:col;
**   - the same through a meal cache (tw_sim_meal_cache), bit for bit;
**   - the cost of the fill without random meals, redrawn and cached, per
**     twin-day (printed; no bound, timings vary with the machine).
*/
#include "build_info.h"       /* TW_HAVE_YAML */
#include "core/random.h"      /* tw_normal_quantile */
#include "physio/simulate.h"  /* tw_sim_run_chunk */
#include "physio/t1d.h"       /* TW_T1D_* */
#include "t1d_fixture.h"      /* fixture_patients, fixture_plan */
#include "tw_test.h"          /* CHECK */
#if TW_HAVE_YAML
#include "physio/sim_config.h" /* tw_sim_config_schema */
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void test_quantile(void) {
  const double p[] = {0.5, 0.975, 0.025, 0.84134474606854293, 1e-10, 1 - 1e-10};
  const double want[] = {0.0, 1.959963984540054, -1.959963984540054, 1.0, -6.361340902404056, 6.361340889697422};
  for (int i = 0; i < 6; ++i) {
    const double tol = 1e-14; /* values from scipy.stats.norm.ppf */
    CHECK_MSG(fabs(tw_normal_quantile(p[i]) - want[i]) <= tol * fmax(1, fabs(want[i])), "quantile(%g) = %.17g",
              p[i], tw_normal_quantile(p[i]));
  }
}

static double pdf(double x) { return exp(-0.5 * x * x) / 2.50662827463100050242; }
static double cdf(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* Mean and variance of N(m, s) truncated to [lo, hi]. */
static void truncated(double m, double s, double lo, double hi, double *mean, double *var) {
  const double a = (lo - m) / s, b = (hi - m) / s, z = cdf(b) - cdf(a);
  const double r = (pdf(a) - pdf(b)) / z;
  *mean = m + s * r;
  *var = s * s * (1 + (a * pdf(a) - b * pdf(b)) / z - r * r);
}

/* Mean and variance of max(c, N(m, s)). */
static void floored(double m, double s, double c, double *mean, double *var) {
  const double a = (c - m) / s, up = 1 - cdf(a);
  *mean = c * cdf(a) + m * up + s * pdf(a);
  const double m2 = c * c * cdf(a) + (m * m + s * s) * up + s * (m + c) * pdf(a);
  *var = m2 - *mean * *mean;
}

typedef struct { double n, s1, s2; } moments;
static void add(moments *m, double x) { m->n += 1, m->s1 += x, m->s2 += x * x; }
static double mean_of(const moments *m) { return m->s1 / m->n; }
static double var_of(const moments *m) { return (m->s2 - m->s1 * m->s1 / m->n) / (m->n - 1); }

/* Observed mean and sd against the expected ones, within 4 standard errors
** (the sd's by the normal approximation sd / sqrt(2 n)). */
static void check_moments(const char *what, int k, const moments *m, double mean, double var) {
  const double se_mean = sqrt(var / m->n), se_sd = sqrt(var / (2 * m->n));
  const double dm = mean_of(m) - mean, ds = sqrt(var_of(m)) - sqrt(var);
  fprintf(stderr, "  slot %d %s: mean %.3f (want %.3f, %.1f se), sd %.3f (want %.3f, %.1f se)\n", k, what,
          mean_of(m), mean, dm / se_mean, sqrt(var_of(m)), sqrt(var), ds / se_sd);
  CHECK(fabs(dm) < 4 * se_mean);
  CHECK(fabs(ds) < 4 * se_sd);
}

static void test_statistics(void) {
  const tw_meal_slot *sl = tw_meal_slots_simglucose;
  const int twins = 2000, days = 10; /* 20,000 twin-days */
  for (int k = 0; k < 6; ++k) {
    moments tm = {0}, g = {0};
    int64_t outside = 0;
    for (int i = 0; i < twins; ++i)
      for (int d = 0; d < days; ++d) {
        int64_t t;
        double c;
        if (!tw_meal_draw(&sl[k], 42, (uint64_t)i, d, k, &t, &c)) continue;
        outside += t < sl[k].time_lo_min || t > sl[k].time_hi_min || c < sl[k].carbs_min_g;
        add(&tm, (double)t);
        add(&g, c);
      }
    const double n = twins * days, p = sl[k].probability, se = sqrt(p * (1 - p) / n);
    fprintf(stderr, "  slot %d eaten: %.4f (want %.2f, %.1f se)\n", k, tm.n / n, p, (tm.n / n - p) / se);
    CHECK(fabs(tm.n / n - p) < 4 * se);
    CHECK_EQ_INT(outside, 0);
    double mean, var;
    truncated(sl[k].time_mean_min, sl[k].time_sd_min, (double)sl[k].time_lo_min, (double)sl[k].time_hi_min, &mean, &var);
    check_moments("minute", k, &tm, mean, var + 1.0 / 12); /* + rounding to the minute */
    floored(sl[k].carbs_mean_g, sl[k].carbs_sd_g, sl[k].carbs_min_g, &mean, &var);
    check_moments("grams", k, &g, mean, var);
  }
}

/* Inputs over `minutes` for twins [0, n) of a run of `duration`, with the
** simglucose slots from `seed`, filled in blocks of `block` minutes and `chunk`
** twins, through a meal cache when `cached`; u_out (minutes, TW_T1D_NINPUTS, n) in double. */
static void fill_blocks(int64_t duration, int64_t minutes, int n, int block, int chunk, uint64_t seed, int cached,
                        double *u_out) {
  tw_sim_inputs in;
  CHECK_OK(tw_sim_inputs_init(&in, TW_T1D_NINPUTS, duration, n));
  CHECK_OK(tw_sim_inputs_random_meals(&in, TW_T1D_U_CHO, tw_meal_slots_simglucose, 6, seed));
  CHECK_OK(tw_sim_inputs_add(&in, TW_T1D_U_CHO, 1500, 1501, 33.0)); /* a fixed meal as well */
  double *u = calloc((size_t)(block * TW_T1D_NINPUTS * chunk), sizeof(double));
  tw_sim_meal_cache mc;
  CHECK_OK(tw_sim_meal_cache_init(&mc, &in, chunk));
  for (int64_t t = 0; t < minutes; t += block)
    for (int b = 0; b < n; b += chunk) {
      const int nb = TW_MIN(chunk, n - b);
      tw_sim_inputs_fill_cached(&in, cached ? &mc : NULL, t, block, b, nb, chunk, TW_F64, u);
      for (int m = 0; m < block && t + m < minutes; ++m) /* the last block may run past `minutes` */
        for (int k = 0; k < TW_T1D_NINPUTS; ++k)
          for (int i = 0; i < nb; ++i)
            u_out[((t + m) * TW_T1D_NINPUTS + k) * n + b + i] = u[(m * TW_T1D_NINPUTS + k) * chunk + i];
    }
  free(u);
  tw_sim_meal_cache_free(&mc);
  tw_sim_inputs_free(&in);
}

static void test_fill_independent_of_blocks(void) {
  enum { N = 24, MIN = 3 * 1440, DUR = 2 * 1440 + 700 };
  const size_t sz = (size_t)MIN * TW_T1D_NINPUTS * N;
  double *a = malloc(sz * sizeof(double)), *b = malloc(sz * sizeof(double)), *c = malloc(sz * sizeof(double));
  fill_blocks(DUR, MIN, N, 1440, N, 5, 0, a);
  const int blocks[][3] = {{1, 1, 0}, {60, 8, 0}, {1, 8, 1}, {7, 5, 1}, {1440, N, 1}}; /* minutes, twins, cached */
  for (int k = 0; k < 5; ++k) {
    fill_blocks(DUR, MIN, N, blocks[k][0], blocks[k][1], 5, blocks[k][2], b);
    CHECK(memcmp(a, b, sz * sizeof(double)) == 0);
  }
  fill_blocks(DUR, MIN, N, 1440, N, 6, 0, c);
  double total = 0, after_end = 0, differ = 0;
  int64_t meals = 0;
  for (int64_t t = 0; t < MIN; ++t)
    for (int i = 0; i < N; ++i) {
      const double g = a[(t * TW_T1D_NINPUTS + TW_T1D_U_CHO) * N + i];
      total += g, meals += g > 0;
      if (t >= DUR) after_end += fabs(g);
      differ += g != c[(t * TW_T1D_NINPUTS + TW_T1D_U_CHO) * N + i];
    }
  /* every meal drawn for a day the run covers, the fixed one, and nothing after the end */
  double want = 33.0 * N;
  for (int i = 0; i < N; ++i)
    for (int d = 0; d < 3; ++d)
      for (int k = 0; k < 6; ++k) {
        int64_t tm;
        double g;
        if (tw_meal_draw(&tw_meal_slots_simglucose[k], 5, (uint64_t)i, d, k, &tm, &g) && d * 1440 + tm < DUR) want += g;
      }
  fprintf(stderr, "  %lld meal minutes, %.1f g (drawn inside the run: %.1f g)\n", (long long)meals, total, want);
  CHECK(meals > N * 2 * 3);
  CHECK(fabs(total - want) <= 1e-9 * want);
  CHECK(after_end == 0);
  CHECK(differ > 0); /* another seed, other meals */
  free(a), free(b), free(c);
}

/* bg of the 30 patients over two days with random meals, simulated in chunks of
** `chunk` starting at twin `first` (n twins). */
static void run_random(int first, int n, int chunk, double *bg) {
  enum { DUR = 2 * 1440, EVERY = 5 };
  double params[FIX_PATIENTS * TW_T1D_NPARAMS];
  CHECK_OK(fixture_patients(params));
  tw_sim_inputs in;
  CHECK_OK(tw_sim_inputs_init(&in, TW_T1D_NINPUTS, DUR, FIX_PATIENTS));
  for (int i = 0; i < FIX_PATIENTS; ++i) {
    const double *p = params + i * TW_T1D_NPARAMS;
    in.base[TW_T1D_U_INSULIN * FIX_PATIENTS + i] = p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0;
  }
  CHECK_OK(tw_sim_inputs_random_meals(&in, TW_T1D_U_CHO, tw_meal_slots_simglucose, 6, 11));
  tw_model m;
  tw_model_init(&m);
  CHECK_OK(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
  tw_sim_plan pl = fixture_plan(&m, TW_F64, TW_INTEG_RK4, EVERY, &in);
  pl.duration = DUR;
  const int64_t T = DUR / EVERY + 1;
  for (int b = first; b < first + n; b += chunk) {
    const int nb = TW_MIN(chunk, first + n - b);
    tw_sim_result r;
    CHECK_OK(tw_sim_result_alloc(&pl, nb, &r));
    CHECK_OK(tw_sim_run_chunk(&pl, b, (uint64_t)b, nb, params + b * TW_T1D_NPARAMS, &r));
    memcpy(bg + (b - first) * T, r.traj + TW_T1D_O_BG * nb * T, sizeof(double) * (size_t)(nb * T));
    tw_sim_result_free(&r);
  }
  tw_sim_inputs_free(&in);
}

static void test_trajectory_independent_of_chunking(void) {
  const int64_t T = 2 * 1440 / 5 + 1;
  double *a = calloc((size_t)(FIX_PATIENTS * T), sizeof(double)), *b = calloc((size_t)(FIX_PATIENTS * T), sizeof(double));
  double *one = calloc((size_t)T, sizeof(double));
  run_random(0, FIX_PATIENTS, FIX_PATIENTS, a);
  run_random(0, FIX_PATIENTS, 8, b);
  CHECK(memcmp(a, b, sizeof(double) * (size_t)(FIX_PATIENTS * T)) == 0);
  run_random(13, 1, 1, one);
  CHECK(memcmp(a + 13 * T, one, sizeof(double) * (size_t)T) == 0);
  double peak = 0, base = a[13 * T];
  for (int64_t t = 0; t < T; ++t) peak = fmax(peak, a[13 * T + t]);
  fprintf(stderr, "  twin 13: bg %.1f at 0, peak %.1f mg/dL\n", base, peak);
  CHECK(peak > base + 20); /* the meals reach the model */
  free(a), free(b), free(one);
}

/* ns per twin-day of the fill in blocks of `block` minutes, over 1000 twins
** and 2 days: without random meals (mode 0), redrawn (1), cached (2). */
static void fill_cost(int mode, int block, double *ns) {
  enum { N = 1000, DAYS = 2 };
  tw_sim_inputs in;
  CHECK_OK(tw_sim_inputs_init(&in, TW_T1D_NINPUTS, DAYS * 1440, N));
  if (mode) CHECK_OK(tw_sim_inputs_random_meals(&in, TW_T1D_U_CHO, tw_meal_slots_simglucose, 6, 3));
  tw_sim_meal_cache mc;
  CHECK_OK(tw_sim_meal_cache_init(&mc, &in, N));
  double *u = malloc(sizeof(double) * (size_t)block * TW_T1D_NINPUTS * N);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int64_t t = 0; t < DAYS * 1440; t += block)
    tw_sim_inputs_fill_cached(&in, mode == 2 ? &mc : NULL, t, block, 0, N, N, TW_F64, u);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  free(u);
  tw_sim_meal_cache_free(&mc);
  tw_sim_inputs_free(&in);
  *ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / (N * DAYS);
}

static void test_cost(void) {
  const int blocks[] = {1, 5, 60};
  for (int b = 0; b < 3; ++b) {
    double plain = 0, redrawn = 0, cached = 0;
    fill_cost(0, blocks[b], &plain);
    fill_cost(1, blocks[b], &redrawn);
    fill_cost(2, blocks[b], &cached);
    fprintf(stderr, "  fill in blocks of %d min, ns per twin-day: %.0f without random meals, %.0f redrawn, %.0f cached\n",
            blocks[b], plain, redrawn, cached);
    CHECK(cached > 0 && redrawn > 0);
  }
}

#if TW_HAVE_YAML
/* Binds a simulate config; 0 when it binds, else the message is in err. */
static int bind_error(const char *text, char *err, size_t cap) {
  tw_cfg_doc *doc = NULL;
  tw_sim_config c;
  memset(&c, 0, sizeof c);
  tw_status st = tw_cfg_parse_string("t.yaml", text, strlen(text), &doc);
  if (st == TW_OK) st = tw_cfg_bind(doc, &tw_sim_config_schema, &c);
  snprintf(err, cap, "%s", st == TW_OK ? "" : tw_error_message());
  tw_cfg_release(&tw_sim_config_schema, &c);
  tw_cfg_free(doc);
  return st != TW_OK;
}

/* configs/simulate-t1d-random.yaml carries simglucose's slots as the C table has them. */
static void test_example_config_is_simglucose(void) {
  tw_cfg_doc *doc = NULL;
  tw_sim_config c;
  memset(&c, 0, sizeof c);
  CHECK_OK(tw_cfg_parse_file(TW_SOURCE_DIR "/configs/simulate-t1d-random.yaml", &doc));
  CHECK_OK(tw_cfg_bind(doc, &tw_sim_config_schema, &c));
  CHECK_EQ_INT(c.scenario.n_random_meals, 6);
  for (int k = 0; k < c.scenario.n_random_meals && k < 6; ++k) {
    const tw_sim_random_meal *r = &c.scenario.random_meals[k];
    const tw_meal_slot *w = &tw_meal_slots_simglucose[k];
    CHECK(r->probability == w->probability && r->time_mean_min == w->time_mean_min && r->time_sd_min == w->time_sd_min);
    CHECK(r->time_lo_min == w->time_lo_min && r->time_hi_min == w->time_hi_min && r->carbs_min_g == w->carbs_min_g);
    CHECK(r->carbs_mean_g == w->carbs_mean_g && r->carbs_sd_g == w->carbs_sd_g);
  }
  tw_cfg_release(&tw_sim_config_schema, &c);
  tw_cfg_free(doc);
}

#define RM_BASE "pack: t1d\nduration_min: 1440\ntwins: {reference: [adult#001]}\nscenario:\n  random_meals:\n"

static void test_bad_slots(void) {
  char err[1024];
  CHECK(!bind_error(RM_BASE "    - {name: lunch, probability: 0.9, time_mean_min: 720, time_sd_min: 60, "
                            "time_lo_min: 600, time_hi_min: 840, carbs_mean_g: 70, carbs_sd_g: 10}\n", err, sizeof err));
  CHECK(bind_error(RM_BASE "    - {name: lunch, probability: 1.5, time_mean_min: 720, carbs_mean_g: 70}\n", err, sizeof err));
  fprintf(stderr, "  %s\n", err);
  CHECK(strstr(err, "t.yaml:6:") != NULL && strstr(err, "probability") != NULL && !strchr(err, '\n'));
  CHECK(bind_error(RM_BASE "    - {name: lunch, time_mean_min: 720, carbs_mean_g: 70}\n"
                           "    - {name: late, time_mean_min: 720, time_lo_min: 900, time_hi_min: 800, carbs_mean_g: 9}\n",
                   err, sizeof err));
  fprintf(stderr, "  %s\n", err);
  CHECK(strstr(err, "t.yaml:7:") != NULL && strstr(err, "time_lo_min") != NULL && strstr(err, "late") != NULL &&
        !strchr(err, '\n'));
}
#endif

int main(void) {
  TW_TEST_RUN(test_quantile);
  TW_TEST_RUN(test_statistics);
  TW_TEST_RUN(test_fill_independent_of_blocks);
  TW_TEST_RUN(test_trajectory_independent_of_chunking);
  TW_TEST_RUN(test_cost);
#if TW_HAVE_YAML
  TW_TEST_RUN(test_bad_slots);
  TW_TEST_RUN(test_example_config_is_simglucose);
#endif
  return TW_TEST_RESULT();
}
