/*
** fit_experiment.c: the identifiability and prediction experiment of the
** personal-twin fit (issue 11, acceptance; docs/personal-twins.md, "Fit").
** Not a ctest (minutes for 200 persons): build the target twin_fit_experiment
** and run
**     twin_fit_experiment N_PERSONS FIT_DAYS TOTAL_DAYS PARAM [PARAM ...]
** A PARAM written +PARAM is drawn for the synthetic persons but not fitted
** (the fit keeps the population twin's value: a misspecified model).
** Synthetic persons: the drawn parameters from the log-normal prior
** (tw_fit_prior_draw, Philox), the others at the population twin, body weight
** the population's x lognormal(0, 0.2). Basal: the rate whose steady state is
** 120 mg/dL (a titrated basal). Meals per day: breakfast 40-70 g at 7:00,
** lunch 50-90 g at 12:30, dinner 60-100 g at 19:00 (each +-60 min), a snack
** of 15-30 g at 16:00 +-60 min on half the days. The person estimates each
** meal with a uniform +-20% error, boluses estimate / CR with CR = 500 / TDD
** (TDD = 2 x daily basal), and logs the estimate, except 10% of meals that go
** unlogged (eaten and bolused all the same). CGM: twinscale's Dexcom sensor
** (sensor.h, noise on, every 3 min) on the true bg. The fit sees the logged
** carbs, the boluses, the basal and the CGM of days 1..FIT_DAYS; prediction
** runs the whole record from the logged inputs and scores days FIT_DAYS+1 ..
** TOTAL_DAYS against the CGM, for the MAP twin and the population-average twin
** (the prior mean). Prints per parameter the median relative error of the
** MAP and of the prior mean, the 90% Laplace-interval coverage, per-person
** and overall RMSE, and persons fitted per minute.
** Options before N_PERSONS: --seed=S (the synthetic persons' seed; the
** likelihood's inflation was tuned on one seed and is scored on another),
** --inflate=X (tw_fit_noise_var's factor, default TW_FIT_INFLATE),
** --walkers=W --steps=N --burn=B --t-every=E --t-scale=X --spread=X --de=0|1 --de-gamma=X --t-mix=M (the sampler,
** tw_fit_mcmc; --steps=0: MAP and Laplace only). With the sampler on it
** prints, per parameter, the 90% coverage of [q05, q95], the median relative
** error of q50, the split R-hat and ESS distributions, the persons fitted per
** minute of wall time and per CPU-minute of MAP + sampler, and the coverage
** the sampler's intervals would give at other inflations if they scaled as
** sqrt(inflate) (a guide for choosing one; confirm by a run), and a `row`
** line per person and parameter (log true value, log q05, q50, q95, R-hat,
** ESS, acceptance, MAP flag, sampler flag) for pooling runs.
** --write-records=PATH writes the synthetic persons (with their CGM) as a
** records file and stops: `twinscale twin fit` then times the job itself,
** under mpirun too (docs/performance.md).
*/
#include "fit_synth.h"

#include "core/clock.h"
#include "core/random.h"
#include "physio/sensor.h"
#include "physio/t1d.h"

#include <stdio.h>
#include <time.h> /* clock: the process CPU time */

extern const tw_pack tw_pack_t1d;
#define NP TW_T1D_NPARAMS
/* The synthetic persons' seed: --seed=S (default 20261201, the seed of the
** MAP tables in docs/personal-twins.md). */
static uint64_t SEED = 20261201u;

/* dGp/dt at the initial state of basal b (U/min), glucose g: decreasing in b. */
static double gp_slope(const double *p, double b, double g) {
  double x[TW_T1D_NSTATES], dx[TW_T1D_NSTATES], u[2] = {0, b}, d[TW_T1D_NDISC] = {0};
  tw_fit_init_state(p, b, g, x);
  tw_pack_t1d.rhs_f64(x, p, u, d, dx);
  return dx[3];
}

/* The basal (U/min) whose steady state is g, by bisection on [0, 0.2]. */
static double titrated_basal(const double *p, double g) {
  double lo = 0.0, hi = 0.2;
  for (int it = 0; it < 60; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (gp_slope(p, mid, g) > 0.0) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

typedef struct truth {
  double theta[TW_FIT_MAX_PARAMS];
  double p[NP];
  double basal; /* U/min */
} truth;

/* Person i's meals and boluses into the records (true carbs into `eaten`). */
static void person_meals(tw_records *r, int i, int days, double cr, double *eaten_t, double *eaten_g, int *n_eaten) {
  tw_rng g = tw_rng_make(SEED, (uint64_t)i, TW_RNG_SCENARIO, 0);
  static const double at[4] = {420, 750, 1140, 960}, lo[4] = {40, 50, 60, 15}, hi[4] = {70, 90, 100, 30};
  *n_eaten = 0;
  for (int day = 0; day < days; ++day)
    for (int k = 0; k < 4; ++k) {
      const double t = day * 1440.0 + at[k] + floor(120.0 * tw_rng_uniform(&g)) - 60.0;
      const double carbs = lo[k] + (hi[k] - lo[k]) * tw_rng_uniform(&g);
      const double est = carbs * (0.8 + 0.4 * tw_rng_uniform(&g));
      const int snack_skipped = k == 3 && tw_rng_uniform(&g) < 0.5, unlogged = tw_rng_uniform(&g) < 0.1;
      if (snack_skipped) continue;
      eaten_t[*n_eaten] = t, eaten_g[(*n_eaten)++] = carbs;
      if (!unlogged) synth_carbs(r, t, est);
      synth_bolus(r, t, est / cr);
    }
}

/* Draws person i, writes its records (CGM at the true bg, filled in later). */
static void make_person(const tw_fit_prior *pr, tw_records *r, int i, int days, truth *tr, double *eaten_t,
                        double *eaten_g, int *n_eaten) {
  tw_rng g = tw_rng_make(SEED, (uint64_t)i, TW_RNG_PARAMS, 0);
  double z[TW_FIT_MAX_PARAMS];
  for (int a = 0; a < pr->k; ++a) z[a] = tw_rng_normal(&g);
  tw_fit_prior_draw(pr, z, tr->theta);
  const double bw = pr->base[TW_T1D_P_BW] * exp(0.2 * tw_rng_normal(&g));
  tw_fit_params(pr, NP, tr->theta, bw, tr->p);
  tr->basal = titrated_basal(tr->p, 120.0);
  const double end = days * 1440.0;
  synth_person_begin(r, i, bw, end, tr->basal * 60.0);
  const double cr = 500.0 / (2.0 * tr->basal * 1440.0);
  person_meals(r, i, days, cr, eaten_t, eaten_g, n_eaten);
  for (double t = 0; t < end; t += 3.0) synth_cgm(r, t, 120.0);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* bg at every CGM time of every person (whole record) with the given log-parameters (n, k). */
static tw_status predict(const tw_fit_data *all, const tw_fit_prior *pr, const double *theta, int use_truth,
                         const truth *tr, double *bg) {
  const int64_t n = all->n;
  double *params = malloc(sizeof(double) * NP * (size_t)n);
  int64_t *cols = malloc(sizeof(int64_t) * (size_t)n);
  int32_t *flag = malloc(sizeof(int32_t) * (size_t)n);
  for (int64_t i = 0; i < n; ++i) {
    cols[i] = i;
    if (use_truth) memcpy(params + i * NP, tr[i].p, sizeof(double) * NP);
    else tw_fit_params(pr, NP, theta + i * pr->k, all->p[i].weight_kg, params + i * NP);
  }
  tw_fit_sim s = tw_fit_sim_default();
  tw_status st = tw_fit_simulate(&s, all, n, cols, params, bg, flag);
  free(params), free(cols), free(flag);
  return st;
}

/* The true-truth records: the CGM of every person from its true bg + Dexcom noise. */
static tw_status make_cgm(tw_records *r, const tw_fit_data *all, const truth *tr, double *sigma_seen) {
  double *bg = malloc(sizeof(double) * (size_t)(all->n * all->max_obs));
  TW_TRY(predict(all, NULL, NULL, 1, tr, bg));
  tw_cgm_spec spec;
  TW_TRY(tw_cgm_spec_load("Dexcom", 1, &spec));
  double s2 = 0.0;
  int64_t ns = 0;
  for (int64_t i = 0; i < all->n; ++i) {
    tw_cgm_state cs;
    tw_cgm_init(&spec, SEED, (uint64_t)i, &cs);
    const tw_rec_person *p = &r->persons[i];
    for (int64_t j = 0; j < p->n_cgm; ++j) {
      const double b = bg[i * all->max_obs + j], c = tw_cgm_measure(&spec, &cs, b);
      r->cgm_mgdl[p->cgm_begin + j] = c;
      if (b > 60 && b < 300) s2 += (c - b) * (c - b), ++ns; /* away from the clipping */
    }
  }
  *sigma_seen = sqrt(s2 / (double)ns);
  free(bg);
  return TW_OK;
}

/* RMSE of bg against CGM over minutes [a, b) of person i. */
static double rmse(const tw_fit_person *f, const double *bg, double a, double b) {
  double s = 0.0;
  int64_t n = 0;
  for (int64_t j = 0; j < f->n_obs; ++j)
    if (f->obs_t[j] >= a && f->obs_t[j] < b) s += (bg[j] - f->obs_g[j]) * (bg[j] - f->obs_g[j]), ++n;
  return n ? sqrt(s / (double)n) : NAN;
}

/* Options --name=value before the positional arguments; returns the first positional. */
typedef struct exp_opts {
  const char *records; /* --write-records=PATH: write the synthetic records there and stop */
  double inflate;
  tw_fit_mcmc_opts mc;
} exp_opts;

static int parse_options(int argc, char **argv, exp_opts *o) {
  int i = 1;
  o->mc = tw_fit_mcmc_defaults();
  o->inflate = o->mc.inflate, o->records = NULL;
  for (; i < argc && !strncmp(argv[i], "--", 2); ++i) {
    const char *v = strchr(argv[i], '=');
    if (!v) return -1;
    ++v;
    if (!strncmp(argv[i], "--seed=", 7)) SEED = strtoull(v, NULL, 10);
    else if (!strncmp(argv[i], "--inflate=", 10)) o->inflate = o->mc.inflate = atof(v);
    else if (!strncmp(argv[i], "--walkers=", 10)) o->mc.walkers = atoi(v);
    else if (!strncmp(argv[i], "--steps=", 8)) o->mc.steps = atoi(v);
    else if (!strncmp(argv[i], "--burn=", 7)) o->mc.burn_in = atoi(v);
    else if (!strncmp(argv[i], "--t-every=", 10)) o->mc.t_every = atoi(v);
    else if (!strncmp(argv[i], "--t-scale=", 10)) o->mc.t_scale = atof(v);
    else if (!strncmp(argv[i], "--spread=", 9)) o->mc.spread = atof(v);
    else if (!strncmp(argv[i], "--de=", 5)) o->mc.de = atoi(v);
    else if (!strncmp(argv[i], "--t-mix=", 8)) o->mc.t_mix = atoi(v);
    else if (!strncmp(argv[i], "--de-gamma=", 11)) o->mc.de_gamma = atof(v);
    else if (!strncmp(argv[i], "--write-records=", 16)) o->records = v;
    else return -1;
  }
  return i;
}

/* The 90% Laplace coverage of parameter a at inflation `inflate` (+-1.645 sd in log space). */
static double laplace_coverage(const tw_fit_prior *pr, const tw_fit_map_result *res, const truth *tr, int n, int a,
                               double sigma, double inflate) {
  const int K = pr->k;
  int cover = 0;
  for (int i = 0; i < n; ++i) {
    double cov[TW_FIT_MAX_PARAMS * TW_FIT_MAX_PARAMS];
    const double v = tw_fit_laplace(pr, res, i, sigma, inflate, cov) ? cov[a * K + a] : 0.0;
    cover += fabs(res->theta[i * K + a] - log(tr[i].p[pr->index[a]])) <= 1.6449 * sqrt(v > 0 ? v : 0);
  }
  return 100.0 * cover / n;
}

/* The coverage of [q05, q95] the sampler would give at inflate f1 when run at
** f0, if every interval scaled as sqrt(f1 / f0) about q50 (the likelihood
** dominating the prior; a guide for choosing inflate, to be confirmed by a
** run at the chosen value). */
static double scaled_coverage(const tw_fit_mcmc_result *mc, const truth *tr, const tw_fit_prior *pr, int n, int a,
                              double f0, double f1) {
  int cover = 0, m = 0;
  const double s = sqrt(f1 / f0);
  for (int i = 0; i < n; ++i) {
    const double tv = log(tr[i].p[pr->index[a]]), *q = mc->q + ((int64_t)a * n + i) * 3;
    if (!(q[0] == q[0])) continue;
    cover += q[1] - s * (q[1] - q[0]) <= tv && tv <= q[1] + s * (q[2] - q[1]), ++m;
  }
  return 100.0 * cover / m;
}

/* The sampler's table: coverage of [q05, q95], q50's median error, R-hat and ESS per parameter. */
static void mcmc_table(const tw_fit_prior *pr, const tw_fit_mcmc_result *mc, const truth *tr, int n,
                       const char *const *names, double mc_inflate, const int32_t *map_flag) {
  const int K = pr->k;
  double *v = malloc(sizeof(double) * (size_t)n), *rh = malloc(sizeof(double) * (size_t)n),
         *es = malloc(sizeof(double) * (size_t)n), *all = malloc(sizeof(double) * (size_t)(n * K));
  int n_all = 0;
  printf("%-6s %10s %12s %9s %9s %9s %9s %9s\n", "param", "MCMC cov90", "q50 med err", "Rhat med", "Rhat p95",
         "Rhat max", ">1.1", "ESS med");
  for (int a = 0; a < K; ++a) {
    int cover = 0, over = 0, m = 0;
    for (int i = 0; i < n; ++i) {
      const double tv = log(tr[i].p[pr->index[a]]), *q = mc->q + ((int64_t)a * n + i) * 3, r = mc->rhat[a * n + i];
      if (!(q[0] == q[0])) continue;
      cover += q[0] <= tv && tv <= q[2];
      v[m] = fabs(exp(q[1] - tv) - 1.0), rh[m] = r, es[m] = mc->ess[a * n + i], all[n_all++] = r;
      over += !(r <= 1.1), ++m;
    }
    const double med_err = median(v, m), rmed = median(rh, m), ess = median(es, m);
    printf("%-6s %9.1f%% %11.1f%% %9.3f %9.3f %9.3f %9d %9.0f\n", names[a], 100.0 * cover / m, 100 * med_err, rmed,
           rh[(int)(0.95 * (m - 1))], rh[m - 1], over, ess);
  }
  qsort(all, (size_t)n_all, sizeof *all, cmp_double);
  int flagged = 0, flagged_map_ok = 0, map_ok = 0;
  double acc = 0.0;
  for (int i = 0; i < n; ++i) {
    const int f = (mc->flag[i] & TW_FIT_CHAIN_NOT_CONVERGED) != 0;
    double worst = 0.0;
    for (int a = 0; a < K; ++a) worst = fmax(worst, mc->rhat[a * n + i]);
    if (f) printf("person %d: chain_not_converged, R-hat max %.3f, acceptance %.2f, MAP flag %d\n", i, worst, mc->accept[i],
                  map_flag[i]);
    flagged += f, acc += mc->accept[i], map_ok += map_flag[i] == 0, flagged_map_ok += f && map_flag[i] == 0;
  }
  printf("persons whose MAP is unflagged: %d, of them chain_not_converged: %d\n", map_ok, flagged_map_ok);
  for (int i = 0; i < n; ++i) /* one row per person and parameter, for pooling runs: log true, log q05, q50, q95 */
    for (int a = 0; a < K; ++a) {
      const double *q = mc->q + ((int64_t)a * n + i) * 3;
      printf("row %d %s %.6f %.6f %.6f %.6f %.4f %.1f %.3f %d %d\n", i, names[a], log(tr[i].p[pr->index[a]]), q[0], q[1], q[2],
             mc->rhat[a * n + i], mc->ess[a * n + i], mc->accept[i], map_flag[i], mc->flag[i]);
    }
  printf("split R-hat over %d (person, parameter): median %.3f, 90%% %.3f, 99%% %.3f, max %.3f; %d persons flagged "
         "chain_not_converged (R-hat > 1.1); mean acceptance %.2f\n",
         n_all, all[n_all / 2], all[(int)(0.9 * (n_all - 1))], all[(int)(0.99 * (n_all - 1))], all[n_all - 1], flagged,
         acc / n);
  n_all = 0;
  for (int64_t j = 0; j < (int64_t)n * K; ++j)
    if (mc->ess[j] == mc->ess[j]) all[n_all++] = mc->ess[j];
  qsort(all, (size_t)n_all, sizeof *all, cmp_double);
  printf("ESS over (person, parameter): median %.0f, 10%% %.0f, min %.0f\n", all[n_all / 2], all[(int)(0.1 * (n_all - 1))],
         all[0]);
  static const double scan[] = {1, 1.5, 2, 3, 4, 5, 6, 8};
  printf("sampler 90%% coverage if intervals scaled as sqrt(inflate) (a guide, not a run):");
  for (int j = 0; j < 8; ++j) {
    printf("\n  inflate %4.1f:", scan[j]);
    for (int a = 0; a < K; ++a) printf(" %s %3.0f%%", names[a], scaled_coverage(mc, tr, pr, n, a, mc_inflate, scan[j]));
  }
  printf("\n");
  free(v), free(rh), free(es), free(all);
}

/* The sampler on every person of `fit`, timed, and its table. */
static int run_mcmc(const tw_fit_data *fit, const tw_fit_prior *pr, const tw_fit_map_result *res, const truth *tr, int n,
                    const exp_opts *eo, const char *const *names, double map_secs, double map_cpu) {
  int64_t *ids = malloc(sizeof(int64_t) * (size_t)n);
  for (int i = 0; i < n; ++i) ids[i] = i;
  tw_fit_sim s = tw_fit_sim_default();
  tw_fit_mcmc_result mc;
  const double t0 = tw_now_seconds(), c0 = (double)clock() / CLOCKS_PER_SEC;
  if (tw_fit_mcmc(&s, fit, pr, res, ids, &eo->mc, &mc) != TW_OK) {
    fprintf(stderr, "%s\n", tw_error_message());
    return 1;
  }
  const double secs = tw_now_seconds() - t0, cpu = (double)clock() / CLOCKS_PER_SEC - c0;
  printf("sampler: %d walkers, %d steps (burn-in %d, t move every %d, t scale %.2f, t mixture of %d, %s moves, spread "
         "%.2f), inflate %.2f, seed %llu: %.1f s, %lld batched simulations; MAP + sampler %.1f persons/min\n",
         tw_fit_mcmc_walkers(eo->mc.walkers, pr->k), eo->mc.steps, eo->mc.burn_in, eo->mc.t_every, eo->mc.t_scale, eo->mc.t_mix,
         eo->mc.de ? "DE" : "stretch", eo->mc.spread, eo->mc.inflate,
         (unsigned long long)SEED, secs, (long long)mc.evaluations, 60.0 * n / (secs + map_secs));
  printf("CPU: MAP %.1f s, sampler %.1f s; MAP + sampler %.2f persons per CPU-minute (%.2f CPU-s per person)\n", map_cpu,
         cpu, 60.0 * n / (cpu + map_cpu), (cpu + map_cpu) / n);
  mcmc_table(pr, &mc, tr, n, names, eo->mc.inflate, res->flag);
  tw_fit_mcmc_result_free(&mc);
  free(ids);
  return 0;
}

int main(int argc, char **argv) {
  exp_opts eo;
  const int first = parse_options(argc, argv, &eo);
  if (first < 0 || argc - first < 4) {
    fprintf(stderr, "usage: %s [--seed=S] [--inflate=X] [--walkers=W] [--steps=N] [--burn=B] [--write-records=PATH] N_PERSONS FIT_DAYS "
            "TOTAL_DAYS PARAM [PARAM ...]\n", argv[0]);
    return 2;
  }
  argv += first - 1, argc -= first - 1;
  const int n = atoi(argv[1]), fit_days = atoi(argv[2]), days = atoi(argv[3]), K_all = argc - 4;
  /* PARAM: drawn and fitted; +PARAM: drawn for the synthetic persons, not fitted */
  const char *all_names[TW_FIT_MAX_PARAMS], *fit_names[TW_FIT_MAX_PARAMS];
  int K = 0;
  for (int a = 0; a < K_all && a < TW_FIT_MAX_PARAMS; ++a) {
    all_names[a] = argv[4 + a] + (argv[4 + a][0] == '+');
    if (argv[4 + a][0] != '+') fit_names[K++] = argv[4 + a];
  }
  tw_fit_prior pr, pr_truth;
  if (tw_fit_prior_build(&tw_pack_t1d, all_names, K_all, &pr_truth) != TW_OK ||
      tw_fit_prior_build(&tw_pack_t1d, fit_names, K, &pr) != TW_OK) {
    fprintf(stderr, "%s\n", tw_error_message());
    return 2;
  }
  tw_records r;
  const int64_t per_cgm = days * 480 + 1, per_meal = days * 4;
  if (synth_records_alloc(&r, n, n * per_cgm, n * per_meal, n * per_meal) != TW_OK) return 1;
  truth *tr = calloc((size_t)n, sizeof *tr);
  double *et = malloc(sizeof(double) * (size_t)per_meal), *eg = malloc(sizeof(double) * (size_t)per_meal);
  for (int i = 0; i < n; ++i) {
    int ne;
    make_person(&pr_truth, &r, i, days, &tr[i], et, eg, &ne);
  }
  int64_t *rows = malloc(sizeof(int64_t) * (size_t)n);
  for (int i = 0; i < n; ++i) rows[i] = i;
  tw_fit_data all, fit;
  tw_fit_data_opts o_all = {.start_min = 0, .end_min = days * 1440.0, .no_basal_u_per_min = 0};
  tw_fit_data_opts o_fit = {.start_min = 0, .end_min = fit_days * 1440.0, .no_basal_u_per_min = 0};
  double sigma_seen = 0.0;
  if (tw_fit_data_build(&r, rows, n, &o_all, &all) != TW_OK || make_cgm(&r, &all, tr, &sigma_seen) != TW_OK) {
    fprintf(stderr, "%s\n", tw_error_message());
    return 1;
  }
  tw_fit_data_free(&all);
  if (eo.records) { /* the persons as a records file, for `twinscale twin fit` (its speed over ranks) */
    if (tw_records_write_h5(&r, eo.records) != TW_OK) return fprintf(stderr, "%s\n", tw_error_message()), 1;
    printf("wrote %s: %d synthetic persons of %d days\n", eo.records, n, days);
    return 0;
  }
  if (tw_fit_data_build(&r, rows, n, &o_all, &all) != TW_OK || tw_fit_data_build(&r, rows, n, &o_fit, &fit) != TW_OK)
    return 1;
  printf("%d persons (%d parameters drawn), fit days 1-%d, predict days %d-%d, %d parameters fitted; CGM noise SD seen %.2f mg/dL (sigma %.2f)\n",
         n, K_all, fit_days, fit_days + 1, days, K, sigma_seen, TW_FIT_CGM_SIGMA);
  tw_fit_sim s = tw_fit_sim_default();
  tw_fit_map_opts mo = tw_fit_map_defaults();
  tw_fit_map_result res;
  const double t0 = tw_now_seconds(), c0 = (double)clock() / CLOCKS_PER_SEC;
  if (tw_fit_map(&s, &fit, &pr, &mo, &res) != TW_OK) {
    fprintf(stderr, "%s\n", tw_error_message());
    return 1;
  }
  const double secs = tw_now_seconds() - t0, map_cpu = (double)clock() / CLOCKS_PER_SEC - c0;
  int flagged = 0, iters = 0;
  for (int i = 0; i < n; ++i) flagged += res.flag[i] != 0, iters += res.iters[i];
  printf("MAP: %.1f s, %lld batched simulations, %.1f persons/min, mean %.1f iterations, %d flagged\n", secs,
         (long long)res.evaluations, 60.0 * n / secs, (double)iters / n, flagged);
  double *e_map = malloc(sizeof(double) * (size_t)n), *e_pri = malloc(sizeof(double) * (size_t)n);
  printf("%-6s %12s %12s %14s %14s\n", "param", "MAP med err", "prior med", "Laplace cov90", "(inflate 1)");
  for (int a = 0; a < K; ++a) {
    for (int i = 0; i < n; ++i) {
      const double tv = log(tr[i].p[pr.index[a]]);
      e_map[i] = fabs(exp(res.theta[i * K + a] - tv) - 1.0);
      e_pri[i] = fabs(exp(pr.mean[a] - tv) - 1.0);
    }
    printf("%-6s %11.1f%% %11.1f%% %13.0f%% %13.0f%%\n", fit_names[a], 100 * median(e_map, n), 100 * median(e_pri, n),
           laplace_coverage(&pr, &res, tr, n, a, mo.sigma, eo.inflate), laplace_coverage(&pr, &res, tr, n, a, mo.sigma, 1.0));
  }
  static const double scan[] = {1, 1.5, 2, 3, 4, 6, 8};
  printf("Laplace 90%% coverage against inflate:");
  for (int j = 0; j < 7; ++j) {
    printf("\n  inflate %4.1f:", scan[j]);
    for (int a = 0; a < K; ++a) printf(" %s %3.0f%%", fit_names[a], laplace_coverage(&pr, &res, tr, n, a, mo.sigma, scan[j]));
  }
  printf("\n");
  if (eo.mc.steps > 0 && run_mcmc(&fit, &pr, &res, tr, n, &eo, fit_names, secs, map_cpu)) return 1;
  double *bg_map = malloc(sizeof(double) * (size_t)(n * all.max_obs)), *bg_pop = malloc(sizeof(double) * (size_t)(n * all.max_obs));
  double *theta_pop = malloc(sizeof(double) * (size_t)(n * K));
  for (int i = 0; i < n; ++i) memcpy(theta_pop + i * K, pr.mean, sizeof(double) * (size_t)K);
  if (predict(&all, &pr, res.theta, 0, NULL, bg_map) != TW_OK || predict(&all, &pr, theta_pop, 0, NULL, bg_pop) != TW_OK)
    return 1;
  double sm = 0, sp = 0, um = 0, up = 0;
  int better = 0, counted = 0, unflagged = 0;
  double *pm = malloc(sizeof(double) * (size_t)n), *pp = malloc(sizeof(double) * (size_t)n);
  double *ratio = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < n; ++i) {
    const double a = fit_days * 1440.0, b = days * 1440.0;
    const double rm = rmse(&all.p[i], bg_map + i * all.max_obs, a, b), rp = rmse(&all.p[i], bg_pop + i * all.max_obs, a, b);
    if (res.flag[i] || rm > 3 * sigma_seen) {
      double lo = 1e9, hi = -1e9, mlo = 1e9, mhi = -1e9;
      for (int64_t j = 0; j < all.p[i].n_obs; ++j) {
        lo = fmin(lo, all.p[i].obs_g[j]), hi = fmax(hi, all.p[i].obs_g[j]);
        mlo = fmin(mlo, bg_map[i * all.max_obs + j]), mhi = fmax(mhi, bg_map[i * all.max_obs + j]);
      }
      printf("person %d: CGM %.0f..%.0f, MAP bg %.0f..%.0f mg/dL\n", i, lo, hi, mlo, mhi);
    }
    if (res.flag[i])
      printf("person %d flagged %d: true basal %.3f U/h, nlp %.1f\n", i, res.flag[i], tr[i].basal * 60, res.nlp[i]);
    if (!(rm >= 0) || !(rp >= 0)) continue;
    pm[counted] = rm, pp[counted] = rp;
    sm += rm * rm, sp += rp * rp, better += rm < rp, ratio[counted++] = rm / rp;
    if (!res.flag[i]) um += rm * rm, up += rp * rp, ++unflagged;
    if (i < 10) printf("person %d (flag %d, %d iterations): RMSE days %d-%d MAP %.1f, population %.1f mg/dL\n", i, res.flag[i], res.iters[i], fit_days + 1, days, rm, rp);
  }
  printf("prediction RMSE days %d-%d over %d persons: MAP %.1f, population-average twin %.1f mg/dL (%.0f%% lower); "
         "MAP better for %d; median per-person ratio %.2f\n",
         fit_days + 1, days, counted, sqrt(sm / counted), sqrt(sp / counted), 100 * (1 - sqrt(sm / sp)), better,
         median(ratio, counted));
  printf("per person RMSE days %d-%d: median MAP %.1f, population %.1f mg/dL; the %d unflagged persons overall: MAP "
         "%.1f, population %.1f mg/dL (%.0f%% lower)\n", fit_days + 1, days, median(pm, counted), median(pp, counted),
         unflagged, sqrt(um / unflagged), sqrt(up / unflagged), 100 * (1 - sqrt(um / up)));
  return 0;
}
