/*
** test_fit.c: the personal-twin fit's core (src/twin/fit.h).
**   - the initial state at a reference patient's own basal and Gb is its x0;
**   - records made from a run of the simulate engine (tw_sim_run_chunk: three
**     reference patients, two days, fixed meals, basal u2ss BW / 6000 and meal
**     boluses carbs / CR of Quest.csv) give back that run's bg at every
**     5-minute sample through tw_fit_data_build + tw_fit_simulate with the
**     true parameters, to integration precision;
**   - the basal rule: minutes without a segment take the last known rate,
**     the first segment's rate before it, partial minutes the mean;
**   - the prior's log means and the population twin against values computed
**     by hand (python) from vpatient_params.csv; degenerate parameters refused;
**   - MAP on noise-free records of three reference patients recovers Vmx and
**     kp1 within 3%, starting from the prior mean, flags all converged, and
**     a person without CGM in the window is flagged no-data;
**   - the Laplace covariance against 2x2 inverses by hand;
**   - 70 persons fitted together (two blocks of the batch) get the same bits
**     as each fitted alone;
**   - split R-hat and ESS on Philox chains of known behaviour (independent:
**     R-hat < 1.01, ESS within 20% of the count; AR(1) 0.9: ESS within 25%
**     of n (1 - phi)/(1 + phi); half the chains shifted 2 sd: R-hat > 1.2);
**   - the ensemble sampler on correlated 3-d Gaussian targets of three
**     persons, stretch moves alone, differential-evolution moves alone, and
**     each mixed with off-centre t moves (a single t, and a mixture of two
**     t's, off-centre both ways, of unequal weights and scales): mean within
**     0.1 sd, variance within 15%, every covariance within 0.1 of the product
**     of the sds, R-hat < 1.05, ESS above a floor;
**   - the EM mixture fit on 4,000 draws of a known two-component Gaussian
**     mixture: weights within 0.03, means within 0.1, variances within 15%.
*/
#include "tw_test.h"

#include "fit_synth.h"
#include "physio/param_table.h"
#include "physio/integrate.h"
#include "physio/sim_inputs.h"
#include "physio/simulate.h"
#include "physio/t1d.h"
#include "core/random.h"

extern const tw_pack tw_pack_t1d;

#define NPAT 30
#define NP TW_T1D_NPARAMS

static double g_params[NPAT * NP];

static tw_status load_patients(void) {
  tw_csv t;
  TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &t));
  tw_status st = TW_OK;
  for (int r = 0; r < NPAT && st == TW_OK; ++r) st = tw_param_row(&tw_pack_t1d, &t, r, g_params + r * NP);
  tw_csv_free(&t);
  return st;
}

static double basal_of(const double *p) { return p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0; }

static void test_init_is_x0(void) {
  double worst = 0.0;
  for (int r = 0; r < NPAT; ++r) {
    const double *p = g_params + r * NP;
    double x[TW_T1D_NSTATES];
    tw_fit_init_state(p, basal_of(p), p[TW_T1D_P_X0 + 12] / p[TW_T1D_P_Vg], x);
    for (int s = 0; s < TW_T1D_NSTATES; ++s) {
      const double ref = p[TW_T1D_P_X0 + s], err = fabs(x[s] - ref) / (fabs(ref) + 1e-3);
      worst = err > worst ? err : worst;
    }
  }
  printf("init vs x0: worst relative difference %.2e over 30 patients x 13 states\n", worst);
  CHECK_MSG(worst < 1e-6, "worst %.3e", worst);
}

#define DAYS 2
#define MIN_RUN (DAYS * 1440)
static const int meal_min[] = {7 * 60, 12 * 60 + 30, 19 * 60, 1440 + 8 * 60, 1440 + 13 * 60, 1440 + 20 * 60};
static const double meal_g[] = {45, 70, 80, 50, 60, 90};
#define NMEAL 6
static const int pats[3] = {0, 14, 27}; /* adolescent#001, adult#005, child#008 */

/* Quest.csv's CR of patient r (g/U). */
static tw_status quest_cr(int r, double *cr) {
  tw_csv q;
  TW_TRY(tw_t1d_builtin_table("Quest.csv", &q));
  tw_status st = tw_csv_number(&q, r, tw_csv_col(&q, "CR"), cr);
  tw_csv_free(&q);
  return st;
}

/* Patient pats[i] through the simulate engine (one twin: the engine's events
** are shared by a run's twins): bg every 5 minutes into bg (MIN_RUN / 5 + 1),
** and the scenario and that bg as person i of the records. */
static tw_status run_one(const tw_model *m, int i, double *bg, tw_records *rec) {
  const double *p = g_params + pats[i] * NP;
  double cr;
  TW_TRY(quest_cr(pats[i], &cr));
  synth_person_begin(rec, i, p[TW_T1D_P_BW], MIN_RUN, basal_of(p) * 60.0);
  tw_sim_inputs in;
  TW_TRY(tw_sim_inputs_init(&in, TW_T1D_NINPUTS, MIN_RUN, 1));
  in.base[TW_T1D_U_INSULIN] = basal_of(p);
  tw_status st = TW_OK;
  for (int k = 0; k < NMEAL && st == TW_OK; ++k) {
    synth_carbs(rec, meal_min[k], meal_g[k]);
    synth_bolus(rec, meal_min[k], meal_g[k] / cr);
    st = tw_sim_inputs_add(&in, TW_T1D_U_CHO, meal_min[k], meal_min[k] + 1, meal_g[k]);
    if (st == TW_OK) st = tw_sim_inputs_add(&in, TW_T1D_U_INSULIN, meal_min[k], meal_min[k] + 1, meal_g[k] / cr);
  }
  tw_sim_plan pl;
  memset(&pl, 0, sizeof pl);
  pl.model = m, pl.dtype = TW_F64, pl.opts = tw_fit_sim_default().opts, pl.duration = MIN_RUN, pl.every = 5;
  pl.inputs = &in, pl.record = 1;
  tw_sim_result res;
  const int64_t ns = MIN_RUN / 5 + 1;
  if (st == TW_OK) st = tw_sim_result_alloc(&pl, 1, &res);
  if (st == TW_OK) {
    st = tw_sim_run_chunk(&pl, 0, 0, 1, p, &res);
    for (int64_t j = 0; j < ns && st == TW_OK; ++j) {
      bg[j] = res.traj[TW_T1D_O_BG * ns + j];
      synth_cgm(rec, 5.0 * (double)j, bg[j]);
    }
    tw_sim_result_free(&res);
  }
  tw_sim_inputs_free(&in);
  return st;
}

/* The three patients: bg (3, MIN_RUN / 5 + 1) and their records. */
static tw_status run_engine(double *bg, tw_records *rec) {
  tw_model m;
  tw_model_init(&m);
  TW_TRY(tw_model_add_pack(&m, &tw_pack_t1d, NULL));
  const int64_t ns = MIN_RUN / 5 + 1;
  TW_TRY(synth_records_alloc(rec, 3, 3 * ns, 3 * NMEAL, 3 * NMEAL));
  for (int i = 0; i < 3; ++i) TW_TRY(run_one(&m, i, bg + i * ns, rec));
  return TW_OK;
}

static void test_records_reproduce_engine(void) {
  const int64_t ns = MIN_RUN / 5 + 1;
  double *bg = malloc(sizeof(double) * 3 * (size_t)ns);
  tw_records rec;
  CHECK_OK(run_engine(bg, &rec));
  tw_fit_data d;
  const int64_t rows[3] = {0, 1, 2};
  tw_fit_data_opts o = {.start_min = 0, .end_min = MIN_RUN + 1, .no_basal_u_per_min = 0};
  CHECK_OK(tw_fit_data_build(&rec, rows, 3, &o, &d));
  CHECK_EQ_INT(d.max_obs, ns);
  double params[3 * NP], *out = malloc(sizeof(double) * 3 * (size_t)d.max_obs);
  int32_t flag[3];
  for (int i = 0; i < 3; ++i) memcpy(params + i * NP, g_params + pats[i] * NP, sizeof(double) * NP);
  tw_fit_sim s = tw_fit_sim_default();
  CHECK_OK(tw_fit_simulate(&s, &d, 3, rows, params, out, flag));
  double worst = 0.0, lo = 1e9, hi = 0.0;
  for (int i = 0; i < 3; ++i) {
    CHECK_EQ_INT(flag[i], 0);
    for (int64_t j = 0; j < ns; ++j) {
      const double e = fabs(out[i * d.max_obs + j] - bg[i * ns + j]);
      worst = e > worst ? e : worst;
      lo = bg[i * ns + j] < lo ? bg[i * ns + j] : lo, hi = bg[i * ns + j] > hi ? bg[i * ns + j] : hi;
    }
  }
  printf("records-driven vs simulate engine: worst |bg diff| %.2e mg/dL (bg %.0f..%.0f)\n", worst, lo, hi);
  CHECK_MSG(hi - lo > 50.0, "the scenario moves bg (%.0f..%.0f)", lo, hi);
  CHECK_MSG(worst < 1e-6, "worst %.3e mg/dL", worst);
  tw_fit_data_free(&d);
  tw_records_free(&rec);
  free(bg), free(out);
}

static void test_basal_rule(void) {
  tw_records r;
  CHECK_OK(synth_records_alloc(&r, 1, 4, 1, 1));
  synth_person_begin(&r, 0, 70, 50, 1.2);
  r.basal_start_min[0] = 10.5, r.basal_end_min[0] = 20.0; /* 1.2 U/h on [10.5, 20) */
  r.basal_start_min[1] = 30.0, r.basal_end_min[1] = 40.25, r.basal_u_h[1] = 0.6;
  r.n_basal = 2, r.persons[0].n_basal = 2;
  synth_cgm(&r, 0.0, 120.0);
  synth_bolus(&r, 12.7, 3.0);
  synth_carbs(&r, 12.2, 40.0);
  tw_fit_data d;
  const int64_t row = 0;
  tw_fit_data_opts o = {.start_min = 0, .end_min = 50, .no_basal_u_per_min = 0};
  CHECK_OK(tw_fit_data_build(&r, &row, 1, &o, &d));
  const double *u = d.p[0].u, a = 1.2 / 60, b = 0.6 / 60;
  CHECK_EQ_INT(d.p[0].n_steps, 50);
  CHECK_NEAR(u[2 * 5 + 1], a, 1e-15);        /* before the first segment: its rate */
  CHECK_NEAR(u[2 * 10 + 1], a, 1e-15);       /* half carried, half covered, same rate */
  CHECK_NEAR(u[2 * 12 + 1], a + 3.0, 1e-15); /* the bolus in its minute */
  CHECK_NEAR(u[2 * 12], 40.0, 1e-15);
  CHECK_NEAR(u[2 * 25 + 1], a, 1e-15);       /* the gap: the last rate */
  CHECK_NEAR(u[2 * 35 + 1], b, 1e-15);
  CHECK_NEAR(u[2 * 40 + 1], b, 1e-15);       /* [40, 40.25) covered, the rest carried */
  CHECK_NEAR(u[2 * 45 + 1], b, 1e-15);
  CHECK_NEAR(d.p[0].basal0, a, 1e-15);
  tw_fit_data_free(&d);
  /* without any segment: the given rate */
  r.n_basal = 0, r.persons[0].n_basal = 0;
  o.no_basal_u_per_min = 0.0123;
  CHECK_OK(tw_fit_data_build(&r, &row, 1, &o, &d));
  CHECK_NEAR(d.p[0].u[2 * 30 + 1], 0.0123, 1e-15);
  tw_fit_data_free(&d);
  tw_records_free(&r);
}

static void test_prior(void) {
  const char *names[] = {"Vmx", "kp1", "kabs"};
  tw_fit_prior pr;
  CHECK_OK(tw_fit_prior_build(&tw_pack_t1d, names, 3, &pr));
  /* python: statistics.mean(log(row[k]) for the 30 rows); stdev likewise */
  CHECK_NEAR(pr.mean[0], -2.792, 5e-4);
  CHECK_NEAR(pr.mean[1], 1.667, 5e-4);
  CHECK_NEAR(pr.chol[0], 0.508, 5e-4); /* L[0][0] = sd of log Vmx */
  CHECK_NEAR(pr.base[TW_T1D_P_Vmx], exp(pr.mean[0]), 1e-12);
  CHECK_NEAR(pr.base[TW_T1D_P_X0], 0.0, 0.0); /* x0_1 is 0 for every patient: the arithmetic mean */
  double w[3], th[3] = {pr.mean[0] + pr.chol[0], pr.mean[1], pr.mean[2]};
  tw_fit_prior_whiten(&pr, th, w);
  CHECK_NEAR(w[0], 1.0, 1e-12);
  const char *bad1[] = {"f"}, *bad2[] = {"x0_4"}, *bad3[] = {"Vmx", "Vmx"}, *bad4[] = {"vmx"};
  CHECK(tw_fit_prior_build(&tw_pack_t1d, bad1, 1, &pr) == TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "same for all 30") != NULL);
  CHECK(tw_fit_prior_build(&tw_pack_t1d, bad2, 1, &pr) == TW_ERR_INPUT);
  CHECK(tw_fit_prior_build(&tw_pack_t1d, bad3, 2, &pr) == TW_ERR_INPUT);
  CHECK(tw_fit_prior_build(&tw_pack_t1d, bad4, 1, &pr) == TW_ERR_INPUT);
}

static void test_map_recovers(void) {
  const int64_t ns = MIN_RUN / 5 + 1;
  double *bg = malloc(sizeof(double) * 3 * (size_t)ns);
  tw_records rec;
  CHECK_OK(run_engine(bg, &rec));
  const char *names[] = {"Vmx", "kp1"};
  tw_fit_prior pr;
  CHECK_OK(tw_fit_prior_build(&tw_pack_t1d, names, 2, &pr));
  /* the non-fitted parameters at each patient's own values: the base is the patient */
  tw_fit_data d;
  const int64_t rows[3] = {0, 1, 2};
  tw_fit_data_opts o = {.start_min = 0, .end_min = MIN_RUN + 1, .no_basal_u_per_min = 0};
  CHECK_OK(tw_fit_data_build(&rec, rows, 3, &o, &d));
  tw_fit_sim s = tw_fit_sim_default();
  tw_fit_map_opts mo = tw_fit_map_defaults();
  for (int i = 0; i < 3; ++i) {
    tw_fit_prior one = pr;
    memcpy(one.base, g_params + pats[i] * NP, sizeof(double) * NP);
    tw_fit_data di = d;
    di.n = 1, di.p = &d.p[i];
    tw_fit_map_result res;
    CHECK_OK(tw_fit_map(&s, &di, &one, &mo, &res));
    const double vmx = exp(res.theta[0]), kp1 = exp(res.theta[1]);
    const double tv = g_params[pats[i] * NP + TW_T1D_P_Vmx], tk = g_params[pats[i] * NP + TW_T1D_P_kp1];
    printf("patient %d: Vmx %.5f (true %.5f), kp1 %.4f (true %.4f), %d iterations, flag %d\n", pats[i], vmx, tv,
           kp1, tk, res.iters[0], res.flag[0]);
    CHECK_EQ_INT(res.flag[0], 0);
    CHECK_MSG(fabs(vmx / tv - 1) < 0.03 && fabs(kp1 / tk - 1) < 0.03, "patient %d", pats[i]);
    tw_fit_map_result_free(&res);
  }
  /* a window with no CGM sample: flagged, not fitted */
  tw_fit_data_free(&d);
  o.start_min = MIN_RUN + 0.5, o.end_min = MIN_RUN + 10;
  CHECK_OK(tw_fit_data_build(&rec, rows, 1, &o, &d));
  tw_fit_map_result res;
  CHECK_OK(tw_fit_map(&s, &d, &pr, &mo, &res));
  CHECK_EQ_INT(res.flag[0], TW_FIT_NO_DATA);
  tw_fit_map_result_free(&res);
  tw_fit_data_free(&d);
  tw_records_free(&rec);
  free(bg);
}

/* The batch is cut into blocks of TW_FIT_BLOCK persons: fitting 70 persons
** together gives each the same bits as fitting it alone. */
static void test_map_blocks_invariant(void) {
  const int64_t ns = MIN_RUN / 5 + 1, N = TW_FIT_BLOCK + 6;
  double *bg = malloc(sizeof(double) * 3 * (size_t)ns);
  tw_records rec;
  CHECK_OK(run_engine(bg, &rec));
  const char *names[] = {"Vmx", "kp1"};
  tw_fit_prior pr;
  CHECK_OK(tw_fit_prior_build(&tw_pack_t1d, names, 2, &pr));
  int64_t rows[TW_FIT_BLOCK + 6];
  for (int64_t i = 0; i < N; ++i) rows[i] = i % 3;
  tw_fit_data d;
  tw_fit_data_opts o = {.start_min = 0, .end_min = MIN_RUN + 1, .no_basal_u_per_min = 0};
  CHECK_OK(tw_fit_data_build(&rec, rows, N, &o, &d));
  tw_fit_sim s = tw_fit_sim_default();
  tw_fit_map_opts mo = tw_fit_map_defaults();
  tw_fit_map_result all;
  CHECK_OK(tw_fit_map(&s, &d, &pr, &mo, &all));
  CHECK_EQ_INT(all.evaluations > 0, 1);
  const int64_t pick[4] = {0, 2, TW_FIT_BLOCK, N - 1};
  for (int j = 0; j < 4; ++j) {
    tw_fit_data one = d;
    one.n = 1, one.p = &d.p[pick[j]];
    tw_fit_map_result r1;
    CHECK_OK(tw_fit_map(&s, &one, &pr, &mo, &r1));
    CHECK_MSG(memcmp(r1.theta, all.theta + pick[j] * 2, 2 * sizeof(double)) == 0 && r1.flag[0] == all.flag[pick[j]] &&
                  r1.iters[0] == all.iters[pick[j]],
              "person %lld: alone %.17g %.17g, in the batch %.17g %.17g", (long long)pick[j], r1.theta[0], r1.theta[1],
              all.theta[pick[j] * 2], all.theta[pick[j] * 2 + 1]);
    tw_fit_map_result_free(&r1);
  }
  tw_fit_map_result_free(&all);
  tw_fit_data_free(&d);
  tw_records_free(&rec);
  free(bg);
}

/* The Laplace covariance: with white residuals at sigma it is the inverse of
** the Gauss-Newton Hessian; with rms 2 sigma and rho 0.5 the data's part is
** divided by 4 x 3 (2x2 inverses by hand). */
static void test_laplace(void) {
  const char *names[] = {"Vmx", "kp1"};
  tw_fit_prior pr;
  CHECK_OK(tw_fit_prior_build(&tw_pack_t1d, names, 2, &pr));
  double P[4], H[4], cov[4], rms = 10.0, rho = 0.0;
  tw_fit_prior_precision(&pr, P);
  const double data[4] = {40.0, 6.0, 6.0, 25.0};
  for (int e = 0; e < 4; ++e) H[e] = data[e] + P[e];
  int32_t flag = 0, iters = 0;
  double theta[2] = {0, 0}, nlp = 0;
  tw_fit_map_result m = {.n = 1, .k = 2, .theta = theta, .nlp = &nlp, .rms = &rms, .rho = &rho, .hess = H,
                         .flag = &flag, .iters = &iters};
  for (int round = 0; round < 2; ++round) {
    const double c = round == 0 ? 1.0 : 1.0 / 12.0;
    if (round == 1) rms = 20.0, rho = 0.5;
    CHECK(tw_fit_laplace(&pr, &m, 0, 10.0, 1.0, cov));
    const double a = c * data[0] + P[0], b = c * data[1] + P[1], d = c * data[3] + P[3], det = a * d - b * b;
    CHECK_NEAR(cov[0], d / det, 1e-12 * fabs(d / det));
    CHECK_NEAR(cov[1], -b / det, 1e-12 * fabs(b / det));
    CHECK_NEAR(cov[3], a / det, 1e-12 * fabs(a / det));
  }
}

/* A toy target for the sampler: person i is N(mu_i, S_i) in 3 dimensions,
** S_i = L_i L_i^T with correlations; log p by hand. */
#define TOY_K 3
#define TOY_N 3
static const double toy_mu[TOY_N][TOY_K] = {{0.0, 1.0, -2.0}, {5.0, 0.0, 0.5}, {-1.0, -1.0, 3.0}};
static const double toy_L[TOY_N][TOY_K * TOY_K] = {{1.0, 0, 0, 0.8, 0.6, 0, -0.3, 0.2, 0.5},
                                                   {0.1, 0, 0, 0.05, 0.2, 0, 0.0, 0.0, 2.0},
                                                   {2.0, 0, 0, -1.5, 1.0, 0, 0.5, 0.5, 0.3}};

static double toy_logp(int i, const double *x) {
  double w[TOY_K], s = 0.0;
  for (int a = 0; a < TOY_K; ++a) {
    double r = x[a] - toy_mu[i][a];
    for (int c = 0; c < a; ++c) r -= toy_L[i][a * TOY_K + c] * w[c];
    w[a] = r / toy_L[i][a * TOY_K + a];
    s += w[a] * w[a];
  }
  return -0.5 * s;
}

/* Sample covariance of dimensions a and c of n samples (k-strided rows of chain (k, n)). */
static double toy_cov(const double *va, const double *vc, int64_t n) {
  double ma = 0.0, mc = 0.0, s = 0.0;
  for (int64_t t = 0; t < n; ++t) ma += va[t] / (double)n, mc += vc[t] / (double)n;
  for (int64_t t = 0; t < n; ++t) s += (va[t] - ma) * (vc[t] - mc);
  return s / (double)(n - 1);
}

/* The toy's covariance S_ac = (L L^T)_ac. */
static double toy_S(int i, int a, int c) {
  double s = 0.0;
  for (int b = 0; b < TOY_K; ++b) s += toy_L[i][a * TOY_K + b] * toy_L[i][c * TOY_K + b];
  return s;
}

/* Every person's covariance of the kept samples chain (N, k, W kept) within
** 0.1 sd_a sd_c of the target's (a correlation off by less than 0.1). */
static void check_toy_cov(const double *chain, int64_t n, int t_every, int de) {
  for (int i = 0; i < TOY_N; ++i)
    for (int a = 0; a < TOY_K; ++a)
      for (int c = 0; c < a; ++c) {
        const double got = toy_cov(chain + (i * TOY_K + a) * n, chain + (i * TOY_K + c) * n, n), want = toy_S(i, a, c);
        const double scale = sqrt(toy_S(i, a, a) * toy_S(i, c, c));
        CHECK_MSG(fabs(got - want) < 0.1 * scale, "t_every %d de %d person %d cov(%d,%d) %.4f (true %.4f, sd product %.4f)",
                  t_every, de, i, a, c, got, want, scale);
      }
}

/* Runs the ensemble on the toy target: t_every 0 (no t moves) or 2 (every
** second step an independence t move, its centre off by 0.5 sd and its scale
** 1.5, so that only the Hastings factor makes it right), the other steps
** stretch moves (de 0) or differential-evolution moves (de 1); checks the
** sample mean and covariance of every person and the split R-hat. */
static void run_toy(int t_every, int de, int mix) {
  const int W = 16, steps = 3000, burn = 500, H = W / 2;
  const int64_t kept = steps - burn, ids[TOY_N] = {7, 8, 9};
  tw_fit_ensemble e;
  CHECK_OK(tw_fit_ensemble_alloc(TOY_N, TOY_K, W, 42, ids, &e));
  double centre[TOY_N * TOY_K], tc[TOY_N * TOY_K], L[TOY_N * TOY_K * TOY_K], lp_y[TOY_N * 8];
  double mc[TOY_N * 2 * TOY_K], mL[TOY_N * 2 * TOY_K * TOY_K], mw[TOY_N * 2]; /* the mixture: tc/L and a second t */
  for (int i = 0; i < TOY_N; ++i)
    for (int a = 0; a < TOY_K; ++a) {
      centre[i * TOY_K + a] = toy_mu[i][a] + 0.3 * toy_L[i][a * TOY_K + a]; /* started off the mean */
      tc[i * TOY_K + a] = toy_mu[i][a] + 0.5 * toy_L[i][a * TOY_K + a];
      for (int c = 0; c < TOY_K; ++c) L[(i * TOY_K + a) * TOY_K + c] = 1.5 * toy_L[i][a * TOY_K + c];
    }
  for (int i = 0; i < TOY_N; ++i) {
    mw[i * 2] = log(0.3), mw[i * 2 + 1] = log(0.7);
    for (int a = 0; a < TOY_K; ++a) {
      mc[(i * 2) * TOY_K + a] = tc[i * TOY_K + a];
      mc[(i * 2 + 1) * TOY_K + a] = toy_mu[i][a] - 0.7 * toy_L[i][a * TOY_K + a];
      for (int c = 0; c < TOY_K; ++c) {
        mL[((i * 2) * TOY_K + a) * TOY_K + c] = L[(i * TOY_K + a) * TOY_K + c];
        mL[((i * 2 + 1) * TOY_K + a) * TOY_K + c] = 0.8 * toy_L[i][a * TOY_K + c];
      }
    }
  }
  tw_fit_ensemble_start(&e, centre, NULL, 0.1);
  for (int i = 0; i < TOY_N; ++i)
    for (int w = 0; w < W; ++w) e.lp[i * W + w] = toy_logp(i, e.x + (i * W + w) * TOY_K);
  double *chain = calloc((size_t)(TOY_N * TOY_K * W * kept), sizeof(double));
  for (int64_t step = 1; step <= steps; ++step) {
    for (int half = 0; half < 2; ++half) {
      if (t_every && step % t_every == 0 && mix) tw_fit_ensemble_propose_tmix(&e, step, half, 2, mw, mc, mL, 4);
      else if (t_every && step % t_every == 0) tw_fit_ensemble_propose_t(&e, step, half, tc, L, 4);
      else if (de) tw_fit_ensemble_propose_de(&e, step, half, 2.38 / sqrt(2.0 * TOY_K));
      else tw_fit_ensemble_propose(&e, step, half);
      for (int i = 0; i < TOY_N; ++i)
        for (int j = 0; j < H; ++j) lp_y[i * H + j] = toy_logp(i, e.y + (i * H + j) * TOY_K);
      tw_fit_ensemble_accept(&e, step, half, lp_y);
    }
    for (int i = 0; step > burn && i < TOY_N; ++i)
      for (int w = 0; w < W; ++w)
        for (int a = 0; a < TOY_K; ++a) chain[((i * TOY_K + a) * W + w) * kept + step - burn - 1] = e.x[(i * W + w) * TOY_K + a];
  }
  for (int i = 0; i < TOY_N; ++i)
    for (int a = 0; a < TOY_K; ++a) {
      const double *v = chain + (i * TOY_K + a) * W * kept;
      double m = 0.0, s2 = 0.0, sd2 = 0.0, rhat, ess;
      for (int64_t t = 0; t < W * kept; ++t) m += v[t] / (double)(W * kept);
      for (int64_t t = 0; t < W * kept; ++t) s2 += (v[t] - m) * (v[t] - m) / (double)(W * kept - 1);
      for (int c = 0; c <= a; ++c) sd2 += toy_L[i][a * TOY_K + c] * toy_L[i][a * TOY_K + c];
      tw_fit_split_rhat(v, W, kept, &rhat, &ess);
      /* tolerances: 0.1 sd on the mean and 15% on the variance (2-3 Monte
      ** Carlo errors at ESS 300 of the 40,000 samples); ESS above 300 with
      ** stretch moves alone, above 1000 with t moves (both printed) */
      printf("toy t_every %d de %d mix %d person %d dim %d: mean %+.4f (%+.4f), variance %.4f (%.4f), R-hat %.4f, ESS %.0f\n",
             t_every, de, mix, i, a, m, toy_mu[i][a], s2, sd2, rhat, ess);
      CHECK_MSG(fabs(m - toy_mu[i][a]) < 0.1 * sqrt(sd2) && fabs(s2 / sd2 - 1.0) < 0.15 && rhat < 1.05 && ess > (t_every ? 1000 : 300),
                "t_every %d de %d person %d dim %d: mean %.4f (true %.4f), variance %.4f (true %.4f), R-hat %.4f, ESS %.0f",
                t_every, de, i, a, m, toy_mu[i][a], s2, sd2, rhat, ess);
    }
  check_toy_cov(chain, W * kept, t_every, de);
  free(chain);
  tw_fit_ensemble_free(&e);
}

static void test_ensemble_gaussian(void) {
  run_toy(0, 0, 0);
  run_toy(2, 0, 0);
  run_toy(0, 1, 0);
  run_toy(2, 1, 0);
  run_toy(2, 1, 1);
}

/* tw_fit_mixture on draws of 0.35 N(m1, S1) + 0.65 N(m2, S2) in 3-d, the
** means 4 sd apart: weights, means and variances of both components back. */
static void test_mixture_fit(void) {
  enum { N = 4000, K = 3 };
  static const double m1[K] = {-2.0, 1.0, 0.0}, m2[K] = {2.0, 1.0, 1.0}, sd1[K] = {0.5, 1.0, 0.7}, sd2[K] = {1.0, 0.5, 0.4};
  double *x = malloc(sizeof(double) * N * K), *work = malloc(sizeof(double) * N * 4), mu[2 * K], L[2 * K * K], lw[2];
  tw_rng g = tw_rng_make(3, 0, TW_RNG_TEST, 0);
  for (int j = 0; j < N; ++j) {
    const int one = tw_rng_uniform(&g) < 0.35;
    for (int a = 0; a < K; ++a) x[j * K + a] = one ? m1[a] + sd1[a] * tw_rng_normal(&g) : m2[a] + sd2[a] * tw_rng_normal(&g);
  }
  CHECK(tw_fit_mixture(x, N, K, 2, work, mu, L, lw));
  const int c1 = mu[0] < mu[K] ? 0 : 1, c2 = 1 - c1; /* the component of m1: the smaller first coordinate */
  CHECK_MSG(fabs(exp(lw[c1]) - 0.35) < 0.03 && fabs(exp(lw[c2]) - 0.65) < 0.03, "weights %.3f %.3f", exp(lw[c1]), exp(lw[c2]));
  for (int a = 0; a < K; ++a) {
    double v1 = 0.0, v2 = 0.0;
    for (int c = 0; c <= a; ++c) v1 += L[(c1 * K + a) * K + c] * L[(c1 * K + a) * K + c], v2 += L[(c2 * K + a) * K + c] * L[(c2 * K + a) * K + c];
    CHECK_MSG(fabs(mu[c1 * K + a] - m1[a]) < 0.1 && fabs(mu[c2 * K + a] - m2[a]) < 0.1, "dim %d means %.3f %.3f", a,
              mu[c1 * K + a], mu[c2 * K + a]);
    CHECK_MSG(fabs(v1 / (sd1[a] * sd1[a]) - 1.0) < 0.15 && fabs(v2 / (sd2[a] * sd2[a]) - 1.0) < 0.15,
              "dim %d variances %.3f (%.3f) %.3f (%.3f)", a, v1, sd1[a] * sd1[a], v2, sd2[a] * sd2[a]);
  }
  free(x), free(work);
}

/* Split R-hat and ESS against chains of known behaviour (Philox normals):
** independent chains give R-hat near 1 and ESS near the sample count; AR(1)
** chains with phi 0.9 give ESS near n (1 - phi) / (1 + phi); chains of which
** half are shifted by 2 sd give R-hat well above 1.1. */
static void test_split_rhat(void) {
  enum { W = 8, L = 4000 };
  double *v = malloc(sizeof(double) * W * L), rhat, ess;
  tw_rng g = tw_rng_make(1, 0, TW_RNG_TEST, 0);
  for (int i = 0; i < W * L; ++i) v[i] = tw_rng_normal(&g);
  tw_fit_split_rhat(v, W, L, &rhat, &ess);
  CHECK_MSG(rhat < 1.01 && fabs(ess / (W * L) - 1.0) < 0.2, "iid: R-hat %.4f ESS %.0f of %d", rhat, ess, W * L);
  for (int w = 0; w < W; ++w)
    for (int t = 1; t < L; ++t) v[w * L + t] = 0.9 * v[w * L + t - 1] + sqrt(1 - 0.81) * v[w * L + t];
  tw_fit_split_rhat(v, W, L, &rhat, &ess);
  const double want = W * L * 0.1 / 1.9;
  CHECK_MSG(rhat < 1.02 && fabs(ess / want - 1.0) < 0.25, "AR(1) 0.9: R-hat %.4f ESS %.0f (about %.0f)", rhat, ess, want);
  for (int w = 0; w < W / 2; ++w)
    for (int t = 0; t < L; ++t) v[w * L + t] += 2.0;
  tw_fit_split_rhat(v, W, L, &rhat, &ess);
  CHECK_MSG(rhat > 1.2, "shifted chains: R-hat %.4f", rhat);
  free(v);
}

int main(void) {
  if (load_patients() != TW_OK) {
    fprintf(stderr, "%s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_init_is_x0);
  TW_TEST_RUN(test_records_reproduce_engine);
  TW_TEST_RUN(test_basal_rule);
  TW_TEST_RUN(test_prior);
  TW_TEST_RUN(test_map_recovers);
  TW_TEST_RUN(test_map_blocks_invariant);
  TW_TEST_RUN(test_laplace);
  TW_TEST_RUN(test_split_rhat);
  TW_TEST_RUN(test_ensemble_gaussian);
  TW_TEST_RUN(test_mixture_fit);
  return tw_test_failures_;
}
