/*
** test_fit_cuda.c: the personal-twin fit on the CUDA backend (tw_fit_sim_on:
** the batch mirrored on the device, each minute's inputs pushed, its state
** pulled back for the sampling on the host) against the host's fast path
** (gpu; exits 77 without a GPU; under the CUDA emulator, label emu, it runs in
** CI).
**
** Four persons with the parameters of reference patients adolescent#001,
** adult#005, child#008 and adult#010, a day of three meals with boluses of
** carbs / 12 g/U, a basal of u2ss BW / 6000, CGM every 5 minutes: the host's
** bg of the person's own parameters plus N(0, 5^2) noise (Philox), the first
** sample 120 mg/dL (where the twin starts).
**   - tw_fit_simulate of 24 columns (each person at its parameters and at five
**     vectors with Vmx, kp1, kmax scaled by 0.7 to 1.3): the same flags, and
**     ||device - host|| / ||host|| <= 1e-9 over every bg sample (the kernel
**     calls the same TW_HD right-hand side; what differs is FMA contraction
**     and the device's libm, as in run_sim_cuda);
**   - tw_fit_map of Vmx, kp1, kmax from the prior mean: the same flags on
**     both, and every fitted log-parameter within 1e-4 of the host's (a bg
**     difference of 1e-9 moves the optimum by far less; the bound leaves room
**     for the Levenberg-Marquardt stopping one iteration apart, which moves
**     it by less than the tolerance of 1e-6 on the objective allows, about
**     1e-5 in the flattest direction of these fits).
*/
#include "tw_test.h"

#include "backend/backend.h" /* tw_backend_open */
#include "core/random.h"     /* tw_rng */
#include "fit_synth.h"       /* synth_* */
#include "gpu_skip.h"        /* tw_test_cuda_or_skip */
#include "physio/param_table.h"
#include "physio/t1d.h"

extern const tw_pack tw_pack_t1d;

#define NP TW_T1D_NPARAMS
#define NPERS 4
#define COLS_PER 6
#define DAY 1440
static const int pats[NPERS] = {0, 14, 27, 19};
static const int meal_min[3] = {7 * 60, 12 * 60 + 30, 19 * 60};
static const double meal_g[3] = {50, 70, 80};
static double g_params[NPERS * NP];

static tw_status load_params(void) {
  tw_csv t;
  TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &t));
  tw_status st = TW_OK;
  for (int i = 0; i < NPERS && st == TW_OK; ++i) st = tw_param_row(&tw_pack_t1d, &t, pats[i], g_params + i * NP);
  tw_csv_free(&t);
  return st;
}

/* The persons' records: meals, boluses, the basal, a CGM time every 5 minutes
** (the values are replaced in the fit data by make_cgm). */
static tw_status make_records(tw_records *r) {
  const int64_t per = DAY / 5 + 1;
  TW_TRY(synth_records_alloc(r, NPERS, NPERS * per, NPERS * 3, NPERS * 3));
  for (int i = 0; i < NPERS; ++i) {
    const double *p = g_params + i * NP;
    synth_person_begin(r, i, p[TW_T1D_P_BW], DAY, p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0 * 60.0);
    for (int k = 0; k < 3; ++k) synth_carbs(r, meal_min[k], meal_g[k]), synth_bolus(r, meal_min[k], meal_g[k] / 12.0);
    for (int64_t j = 0; j < per; ++j) synth_cgm(r, 5.0 * (double)j, 120.0);
  }
  return TW_OK;
}

/* CGM = the host's bg of each person's own parameters + N(0, 25), into d. */
static tw_status make_cgm(tw_fit_data *d) {
  const int64_t rows[NPERS] = {0, 1, 2, 3};
  double *bg = malloc(sizeof(double) * (size_t)(NPERS * d->max_obs));
  int32_t flag[NPERS];
  const tw_fit_sim host = tw_fit_sim_default();
  tw_status st = bg ? tw_fit_simulate(&host, d, NPERS, rows, g_params, bg, flag) : TW_FAIL(TW_ERR_NOMEM, "bg");
  for (int i = 0; i < NPERS && st == TW_OK; ++i) {
    tw_rng g = tw_rng_make(7, (uint64_t)i, 0, 0);
    for (int64_t k = 1; k < d->p[i].n_obs; ++k) d->p[i].obs_g[k] = bg[i * d->max_obs + k] + 5.0 * tw_rng_normal(&g);
  }
  free(bg);
  return st;
}

/* ||a - b|| / ||b|| over n values (NaN on one side only: infinity). */
static double rel(const double *a, const double *b, int64_t n) {
  double num = 0, den = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (isnan(a[i]) || isnan(b[i])) {
      if (isnan(a[i]) != isnan(b[i])) return INFINITY;
      continue;
    }
    num += (a[i] - b[i]) * (a[i] - b[i]), den += b[i] * b[i];
  }
  return den > 0 ? sqrt(num / den) : sqrt(num);
}

static void test_simulate(const tw_fit_sim *dev, const tw_fit_data *d) {
  const int64_t C = NPERS * COLS_PER;
  int64_t col_person[NPERS * COLS_PER];
  double params[NPERS * COLS_PER * NP];
  static const int scaled[3] = {TW_T1D_P_Vmx, TW_T1D_P_kp1, TW_T1D_P_kmax};
  for (int64_t c = 0; c < C; ++c) {
    const int64_t i = c / COLS_PER, j = c % COLS_PER;
    col_person[c] = i;
    memcpy(params + c * NP, g_params + i * NP, sizeof(double) * NP);
    if (j) params[c * NP + scaled[j % 3]] *= 0.7 + 0.12 * (double)j;
  }
  double *bh = malloc(sizeof(double) * (size_t)(C * d->max_obs)), *bd = malloc(sizeof(double) * (size_t)(C * d->max_obs));
  int32_t fh[NPERS * COLS_PER], fd[NPERS * COLS_PER];
  const tw_fit_sim host = tw_fit_sim_default();
  CHECK_OK(tw_fit_simulate(&host, d, C, col_person, params, bh, fh));
  CHECK_OK(tw_fit_simulate(dev, d, C, col_person, params, bd, fd));
  CHECK_MSG(memcmp(fh, fd, sizeof fh) == 0, "the flags differ");
  const double e = rel(bd, bh, C * d->max_obs);
  printf("tw_fit_simulate, %lld columns x %lld samples: ||device - host|| / ||host|| = %.3g\n", (long long)C,
         (long long)d->max_obs, e);
  CHECK_MSG(e <= 1e-9, "%.3g", e);
  free(bh), free(bd);
}

static void test_map(const tw_fit_sim *dev, const tw_fit_data *d) {
  const char *names[3] = {"Vmx", "kp1", "kmax"};
  tw_fit_prior pr;
  CHECK_OK(tw_fit_prior_build(&tw_pack_t1d, names, 3, &pr));
  const tw_fit_sim host = tw_fit_sim_default();
  const tw_fit_map_opts mo = tw_fit_map_defaults();
  tw_fit_map_result rh, rd;
  CHECK_OK(tw_fit_map(&host, d, &pr, &mo, &rh));
  CHECK_OK(tw_fit_map(dev, d, &pr, &mo, &rd));
  double worst = 0.0;
  for (int i = 0; i < NPERS; ++i) {
    CHECK_EQ_INT(rd.flag[i], rh.flag[i]);
    for (int a = 0; a < 3; ++a) worst = fmax(worst, fabs(rd.theta[i * 3 + a] - rh.theta[i * 3 + a]));
    printf("person %d: Vmx %.6g kp1 %.6g kmax %.6g (true %.6g %.6g %.6g), flag %d, iterations host %d device %d\n", i,
           exp(rh.theta[i * 3]), exp(rh.theta[i * 3 + 1]), exp(rh.theta[i * 3 + 2]), g_params[i * NP + TW_T1D_P_Vmx],
           g_params[i * NP + TW_T1D_P_kp1], g_params[i * NP + TW_T1D_P_kmax], rh.flag[i], rh.iters[i], rd.iters[i]);
  }
  printf("tw_fit_map: largest |theta device - theta host| %.3g (log space)\n", worst);
  CHECK_MSG(worst <= 1e-4, "%.3g", worst);
  tw_fit_map_result_free(&rh);
  tw_fit_map_result_free(&rd);
}

/* A setup step that must succeed: otherwise the test stops here. */
static void need(tw_status st, const char *what) {
  if (st == TW_OK) return;
  fprintf(stderr, "FAIL: %s: %s\n", what, tw_error_message());
  exit(1);
}

int main(void) {
  tw_test_cuda_or_skip();
  need(load_params(), "the reference patients");
  tw_records r;
  need(make_records(&r), "the records");
  const int64_t rows[NPERS] = {0, 1, 2, 3};
  const tw_fit_data_opts o = {.start_min = 0, .end_min = DAY + 1, .no_basal_u_per_min = 0};
  tw_fit_data d;
  need(tw_fit_data_build(&r, rows, NPERS, &o, &d), "the fit data");
  need(make_cgm(&d), "the CGM");
  tw_backend *be = NULL;
  need(tw_backend_open("cuda", 0, &be), "the CUDA backend");
  const tw_fit_sim dev = tw_fit_sim_on(be);
  if (dev.backend != be || dev.block != TW_FIT_BLOCK_DEVICE) need(TW_FAIL(TW_ERR_INTERNAL, "not the device's sim"), "tw_fit_sim_on");
  test_simulate(&dev, &d);
  test_map(&dev, &d);
  tw_backend_close(be);
  tw_fit_data_free(&d);
  tw_records_free(&r);
  return TW_TEST_RESULT();
}
