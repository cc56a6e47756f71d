/*
** fit.h: the core of the personal-twin fit (issue 11): a person's records
** turned into the t1d pack's per-minute inputs, the twin's initial state, one
** batched simulation of many (person, parameter vector) columns on the pack's
** engine, the log-normal population prior of the 30 reference patients, and a
** batched maximum a posteriori fit (Levenberg-Marquardt in log space, every
** person's optimisation advancing together: one batched simulation per
** iteration for all persons, the finite-difference Jacobian as extra columns
** of the same batch), and the posterior by a batched ensemble sampler whose
** walkers are columns of the same batched simulation (fit_ensemble.c,
** fit_mcmc.c). docs/personal-twins.md, "Fit" and "Uncertainty", gives the
** choices.
**
** Units (DESIGN.md invariant 6): time min (from each person's first record),
** glucose mg/dL, carbohydrate g, insulin U and U/min. Parameters are the t1d
** pack's (src/physio/t1d.h), named as in vpatient_params.csv.
*/
#ifndef TW_TWIN_FIT_H
#define TW_TWIN_FIT_H

#include "core/status.h"   /* tw_status */
#include "mpi/dist.h"      /* tw_dist */
#include "backend/backend.h" /* tw_backend */
#include "physio/pack.h"   /* tw_pack, tw_integrator_opts */
#include "twin/records.h"  /* tw_records */

TW_EXTERN_C_BEGIN

#define TW_FIT_MAX_PARAMS 12 /* parameters fitted per person, at most */
/* Persons per batched simulation (tw_fit_sim.block) on the host: a batch
** holds TW_FIT_BLOCK (k+1) columns and their bg at every CGM sample (90 days
** of 5-minute CGM, k = 5: 80 MB), so memory does not grow with the number of
** persons. On a device, TW_FIT_BLOCK_DEVICE: the minute loop's launches and
** copies cost the same for any number of columns, so a block is made as large
** as host memory comfortably allows (10 days of 3-minute CGM, 10 walkers:
** 400 MB for the sampler's bg). */
#define TW_FIT_BLOCK 64
#define TW_FIT_BLOCK_DEVICE 1024

/* Likelihood: CGM = bg + e, e ~ N(0, sigma^2) independent per sample. sigma is
** the standard deviation of simglucose's Dexcom sensor noise (sensor.h, the
** Johnson SU of sensor_params.csv), measured on twinscale's own sensor over
** 200 persons x 14 days where bg is in 60-300 mg/dL: 11.7 mg/dL
** (tests/twin/fit_experiment.c prints it; docs/personal-twins.md, "Fit"). The
** noise is AR(1) over 15 minutes, so independent errors overstate the
** information of 3-minute samples; the MAP is unaffected by the scale. */
#define TW_FIT_CGM_SIGMA 11.7

/* CGM readings at or beyond these limits are censored (mg/dL): the sensor
** clips there (simglucose's Dexcom: 39 and 600; a Dexcom G6 shows LOW below 40
** and HIGH above 400). A model bg beyond a censored reading adds no cost. */
#define TW_FIT_CGM_LO 40.0
#define TW_FIT_CGM_HI 400.0

/* One person's data over a simulation window. The simulation starts at minute
** s0 (the first CGM sample of the window, rounded down) from the initial state
** of tw_fit_init_state at g0 (that sample, mg/dL) and basal0 (U/min, the basal
** rate at s0) and runs n_steps minutes. */
typedef struct tw_fit_person {
  int64_t record;   /* row of the person in the records */
  int64_t s0, n_steps; /* min */
  double g0, basal0;   /* mg/dL, U/min */
  double weight_kg;    /* the records' weight, NaN when missing */
  double *u;           /* (n_steps, 2): cho g announced at the minute, insulin U/min */
  int64_t n_obs;
  double *obs_t, *obs_g; /* (n_obs) CGM samples in the window: min (absolute), mg/dL */
} tw_fit_person;

typedef struct tw_fit_data {
  int64_t n;            /* persons */
  tw_fit_person *p;     /* (n) */
  int64_t max_obs, max_steps;
} tw_fit_data;

/* How minutes without a basal segment are filled (docs: "Inputs"). */
typedef struct tw_fit_data_opts {
  double start_min, end_min;  /* the window [start, end): minutes from each person's first record */
  double no_basal_u_per_min;  /* a person with no basal segment at all: this rate (U/min) */
} tw_fit_data_opts;

/* The data of records' persons rows[0..n) over the window. A person with no
** CGM sample in the window gets n_obs = 0 and n_steps = 0 (not simulated;
** the MAP flags it TW_FIT_NO_DATA). */
tw_status tw_fit_data_build(const tw_records *r, const int64_t *rows, int64_t n, const tw_fit_data_opts *o,
                            tw_fit_data *out);
void tw_fit_data_free(tw_fit_data *d);

/* The initial state (13) of a twin with parameters p: the insulin subsystem
** at steady state under the basal rate basal (U/min), plasma and subcutaneous
** glucose at g0 (mg/dL), tissue glucose in equilibrium with plasma glucose
** (dGt/dt = 0), stomach and gut empty. For a reference patient at its own
** basal u2ss BW / 6000 and g0 = Gb this is its x0_1..x0_13 (the test checks). */
void tw_fit_init_state(const double *p, double basal, double g0, double *x);

/* A batch of C columns: column c runs person col_person[c] of d with the full
** parameter vector params[c * n_params ..] (the pack's n_params). bg (C,
** d->max_obs) receives the model's bg (mg/dL) at the person's CGM times
** (linear between whole minutes); flag (C) the tw_twin_flag of each column
** (a failed column's bg is NaN). Runs on the pack's CPU fast path (t1d), or
** with `backend` on that backend's physiology ops (physio_ops.h): the batch is
** mirrored there, each minute's inputs pushed and its state pulled back for the
** sampling on the host (one launch and three copies a minute). */
typedef struct tw_fit_sim {
  const tw_pack *pack;      /* t1d */
  tw_integrator_opts opts;  /* RK4, 1 substep unless changed */
  tw_backend *backend;      /* NULL: the host's fast path (tw_model_advance) */
  int64_t block;            /* persons per batched simulation: TW_FIT_BLOCK (host), TW_FIT_BLOCK_DEVICE */
} tw_fit_sim;
/* The host's: t1d, RK4 with 1 substep, no backend, blocks of TW_FIT_BLOCK. */
tw_fit_sim tw_fit_sim_default(void);
/* The same on backend be: a device backend's (its blocks TW_FIT_BLOCK_DEVICE
** persons); a host backend or NULL gives tw_fit_sim_default's. */
tw_fit_sim tw_fit_sim_on(tw_backend *be);
tw_status tw_fit_simulate(const tw_fit_sim *s, const tw_fit_data *d, int64_t C, const int64_t *col_person,
                          const double *params, double *bg, int32_t *flag);

/* ---- the prior ---------------------------------------------------------------- */

/* The log-normal population prior of k parameters: the mean and covariance of
** log(value) over the 30 reference patients (vpatient_params.csv through the
** pack's table, param_table.h), and base, every parameter of a twin that is
** not fitted: the geometric mean over the patients (the arithmetic mean for a
** parameter some patient has at 0). */
typedef struct tw_fit_prior {
  int k;
  int index[TW_FIT_MAX_PARAMS];     /* pack parameter index of each fitted parameter */
  double mean[TW_FIT_MAX_PARAMS];   /* mean of log */
  double chol[TW_FIT_MAX_PARAMS * TW_FIT_MAX_PARAMS]; /* (k, k) lower Cholesky factor of the log covariance */
  double base[TW_PACK_MAX_PARAMS];  /* the population twin (n_params) */
} tw_fit_prior;

/* The prior of the named parameters. TW_ERR_INPUT naming an unknown parameter,
** one given twice, one that is constant over the 30 patients (f, Fsnc, ke1,
** ke2: a degenerate prior), more than TW_FIT_MAX_PARAMS, or an initial state. */
tw_status tw_fit_prior_build(const tw_pack *pack, const char *const *names, int k, tw_fit_prior *out);
/* The whitened prior residual w = L^-1 (theta - mean) (k); -log prior = |w|^2 / 2 + const. */
void tw_fit_prior_whiten(const tw_fit_prior *pr, const double *theta, double *w);
/* The prior's precision Sigma^-1 = L^-T L^-1 (k, k). */
void tw_fit_prior_precision(const tw_fit_prior *pr, double *P);
/* A draw theta = mean + L z from k standard normals z. */
void tw_fit_prior_draw(const tw_fit_prior *pr, const double *z, double *theta);
/* The full parameter vector (n_params) of log-parameters theta (k), body weight
** bw_kg (NaN: the base's): base with the fitted ones replaced. */
void tw_fit_params(const tw_fit_prior *pr, int n_params, const double *theta, double bw_kg, double *p);

/* ---- MAP ---------------------------------------------------------------------- */

/* Per-person result flags (/fit/flag). */
enum {
  TW_FIT_OK = 0,
  TW_FIT_NOT_CONVERGED = 1, /* the iteration limit came before convergence */
  TW_FIT_NO_DATA = 2,       /* no CGM sample in the fit window: not fitted (the prior mean is reported) */
  TW_FIT_SIM_FAILED = 4,    /* the simulation failed at the start (non-finite state) */
  TW_FIT_POOR_FIT = 8,      /* the RMS CGM residual at the MAP exceeds 3 sigma: the twin does not follow the person */
  TW_FIT_CHAIN_NOT_CONVERGED = 16 /* the sampler's split R-hat of some fitted parameter exceeds rhat_max */
};

typedef struct tw_fit_map_opts {
  int max_iter;        /* LM iterations (each one batched simulation), default 40 */
  double fd_step;      /* forward difference in log space, default 1e-4 */
  double tol;          /* converged when the relative decrease of the objective < tol with |step| < 1e-3,
                          or twice in a row; default 1e-6 */
  double sigma;        /* CGM noise SD mg/dL, default TW_FIT_CGM_SIGMA */
} tw_fit_map_opts;
tw_fit_map_opts tw_fit_map_defaults(void);

typedef struct tw_fit_map_result {
  int64_t n;
  int k;
  double *theta;   /* (n, k) log-parameters at the MAP */
  double *nlp;     /* (n) the negative log posterior at the MAP (without constants) */
  double *rms;     /* (n) RMS of CGM - bg at the MAP over the fit window, mg/dL (NaN: not fitted) */
  double *rho;     /* (n) lag-1 autocorrelation of those residuals */
  double *hess;    /* (n, k, k) the Gauss-Newton Hessian of the objective at the MAP (for a Laplace step) */
  int32_t *flag;   /* (n) TW_FIT_* bits */
  int32_t *iters;  /* (n) iterations until convergence */
  int64_t evaluations; /* batched simulations run (one per block of persons per iteration) */
} tw_fit_map_result;

/* The MAP of every person of d, all together. Deterministic (no random numbers;
** the same inputs give the same bits for any thread count: columns are
** independent and each person's algebra is serial). */
tw_status tw_fit_map(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, const tw_fit_map_opts *o,
                     tw_fit_map_result *out);
/* Zeroed results of n persons (TW_ERR_NOMEM). */
tw_status tw_fit_map_result_alloc(int64_t n, int k, tw_fit_map_result *r);
void tw_fit_map_result_free(tw_fit_map_result *r);

/* A Laplace covariance (k, k) of person i's log-parameters at the MAP: the
** Gauss-Newton Hessian's data part rescaled from sigma^2 to the person's own
** residual variance inflated as for AR(1) errors, rms^2 (1 + rho) / (1 - rho)
** (correlated errors carry the information of n (1 - rho) / (1 + rho)
** independent samples), plus the prior precision, inverted.
** Returns 0 when the matrix is not positive definite. Its calibration is
** measured in docs/personal-twins.md ("Uncertainty"). */
int tw_fit_laplace(const tw_fit_prior *pr, const tw_fit_map_result *m, int64_t i, double sigma, double inflate,
                   double *cov);
/* The CGM error variance (mg/dL)^2 that person i's likelihood carries in the
** Laplace covariance and the sampler: inflate x max(rms, sigma)^2 x
** (1 + rho) / (1 - rho) (rho clamped to [0, 0.999]). inflate = 1 is the AR(1)
** rescaling alone; docs/personal-twins.md ("Uncertainty") gives the default's
** calibration. */
double tw_fit_noise_var(const tw_fit_map_result *m, int64_t i, double sigma, double inflate);
/* The sum of squared CGM residuals (bg - cgm)^2 of one bg row of person f,
** censored readings (TW_FIT_CGM_LO/HI) counting 0; INFINITY when a bg used is
** not finite. */
double tw_fit_cgm_sse(const tw_fit_person *f, const double *bg);

/* The negative log posterior of each person at theta (n, k) (one batched
** simulation; for tests and the objective's definition). */
tw_status tw_fit_objective(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, double sigma,
                           const double *theta, double *nlp);

/* ---- the posterior: a batched ensemble sampler (fit_mcmc.c) -------------------------- */

/* An ensemble sampler as emcee runs it: the affine-invariant stretch move of
** Goodman and Weare (2010) or the differential-evolution move of ter Braak
** (2006), mixed with independence moves from a heavy-tailed t (or a mixture
** of t's) fitted to the walkers (docs: a stretch move alone needs hundreds of
** steps before its walkers' R-hat settles): W walkers per person (W even), moved half
** against the other half, a proposal y = x_j + z (x_j' - x_j) from a walker j'
** of the other half with z ~ g(z) ~ 1/sqrt(z) on [1/a, a], accepted with
** probability min(1, z^(k-1) p(y) / p(x)). Model-free: the caller evaluates
** log p of the proposals (the fit: one batched simulation of every person's
** W/2 proposals). Random numbers: Philox (seed, twin_id[i],
** TW_RNG_FIT_MCMC, block from the step), so a person's chain is the same bits
** in any block, batch or thread count. */
typedef struct tw_fit_ensemble {
  int64_t n;             /* persons */
  int k, W;              /* dimension, walkers (even, >= 2) */
  double a;              /* stretch scale, 2 */
  uint64_t seed;
  const int64_t *twin_id; /* (n) the key of each person's stream */
  double *x;             /* (n, W, k) walker positions */
  double *lp;            /* (n, W) log density at x */
  double *y;             /* (n, W/2, k) proposals for the half being moved */
  double *lz;            /* (n, W/2) the log of each proposal's Hastings factor: (k - 1) log z for a stretch */
  int64_t *accepted;     /* (n) accepted proposals so far */
} tw_fit_ensemble;

tw_status tw_fit_ensemble_alloc(int64_t n, int k, int W, uint64_t seed, const int64_t *twin_id, tw_fit_ensemble *e);
void tw_fit_ensemble_free(tw_fit_ensemble *e);
/* Walkers started at centre (n, k) + L z, L (n, k, k) lower factors (NULL: the
** identity times `spread`), z standard normal (step 0 of the stream); the
** caller then fills lp. */
void tw_fit_ensemble_start(tw_fit_ensemble *e, const double *centre, const double *L, double spread);
/* Step `step` (>= 1), half 0 or 1: proposals for walkers [half W/2, (half + 1) W/2) into y. */
void tw_fit_ensemble_propose(tw_fit_ensemble *e, int64_t step, int half);
/* Step `step`, half 0 or 1: differential-evolution proposals (ter Braak 2006;
** emcee's DEMove) for those walkers: y = x + g (x_1 - x_2) + e, x_1 != x_2 two
** walkers of the other half, g = gamma (1 in one proposal of ten, a jump
** between modes), e one N(0, 1e-10) shift added to every coordinate.
** Symmetric: lz = 0. gamma = 2.38 / sqrt(2 k) is DE-MC's choice. */
void tw_fit_ensemble_propose_de(tw_fit_ensemble *e, int64_t step, int half, double gamma);
/* Step `step`, half 0 or 1: independence proposals for those walkers from a
** multivariate t with nu degrees of freedom, centre mu (n, k) and lower
** factor L (n, k, k); lz receives log q(x) - log q(y), so that accept is the
** Metropolis-Hastings rule. */
void tw_fit_ensemble_propose_t(tw_fit_ensemble *e, int64_t step, int half, const double *mu, const double *L, int nu);
/* The same from a mixture of M t's (M <= TW_FIT_T_MIX_MAX): logw (n, M) the
** components' log weights (summing to 1), mu (n, M, k), L (n, M, k, k); the
** component by weight, then the t; lz log q(x) - log q(y) of the mixture.
** M = 1 draws exactly what tw_fit_ensemble_propose_t draws. */
#define TW_FIT_T_MIX_MAX 4
void tw_fit_ensemble_propose_tmix(tw_fit_ensemble *e, int64_t step, int half, int M, const double *logw,
                                  const double *mu, const double *L, int nu);
/* A mixture of M Gaussians (M <= TW_FIT_T_MIX_MAX) fitted by EM to the n
** samples x (n, k) (fit_mixture.c): centres mu (M, k), lower factors L (M, k,
** k) and log weights logw (M, summing to 1). M = 1: the samples' mean and
** covariance. Started by splitting the samples into M equal groups along
** their leading principal axis; each component's covariance shrunk towards
** the samples' own by k + 2 pseudo-samples. work: (n (M + 2)) doubles.
** Returns 0 when n < 2k or a covariance has no Cholesky factor. */
int tw_fit_mixture(const double *x, int64_t n, int k, int M, double *work, double *mu, double *L, double *logw);
/* Accepts or rejects those proposals given lp_y (n, W/2) (-INFINITY: rejected). */
void tw_fit_ensemble_accept(tw_fit_ensemble *e, int64_t step, int half, const double *lp_y);

/* Diagnostics of one scalar over W chains of L samples, chain[w * L + t]:
** the classic split R-hat (Gelman et al., BDA3 ch. 11: each chain cut into
** halves, 2W chains of L/2; not rank-normalised) and the effective sample size
** of those chains (BDA3's multi-chain autocorrelation, Geyer's initial
** positive sequence). NaN when L < 4. */
void tw_fit_split_rhat(const double *chain, int W, int64_t L, double *rhat, double *ess);

typedef struct tw_fit_mcmc_opts {
  int walkers;       /* W, even, >= 2k; 0 (the default): tw_fit_mcmc_walkers, 2k and at least 10 */
  int steps;         /* ensemble steps (each two batched simulations per block of persons), default 160 */
  int burn_in;       /* steps discarded, default 40 */
  int draws;         /* S posterior draws kept per person, default 200 (W (steps - burn_in) >= S) */
  double stretch;    /* a, default 2 */
  double inflate;    /* the likelihood's extra variance factor (tw_fit_noise_var), default TW_FIT_INFLATE */
  double rhat_max;   /* a person is flagged TW_FIT_CHAIN_NOT_CONVERGED above it, default 1.1 */
  double spread;     /* the Laplace covariance times spread^2: the walkers' start, default 1 */
  int t_every;       /* burn-in alternates stretch moves and independence moves from a t_4; after it
                        every t_every-th step is a t move, the others stretch moves (0: stretch only);
                        default 1. The t: around the MAP with the Laplace covariance, then (half-way
                        through burn-in and at its end) around the walkers' mean with their covariance
                        since the last adaptation; either times t_scale^2 */
  double t_scale;    /* default 1 */
  int t_mix;         /* components of the independence moves' proposal, a mixture of t's fitted to the walkers
                        (tw_fit_mixture) at each adaptation, 1 to TW_FIT_T_MIX_MAX; default 1 */
  int de;            /* the moves that are not t moves: 0 stretch, 1 differential evolution
                        (tw_fit_ensemble_propose_de); default 1 (docs: "Choosing the moves") */
  double de_gamma;   /* the DE moves' gamma; 0: 2.38 / sqrt(2 k) */
  uint64_t seed;     /* Philox seed, default 0 */
} tw_fit_mcmc_opts;
tw_fit_mcmc_opts tw_fit_mcmc_defaults(void);
/* The walkers a sampler runs with `walkers` asked for k parameters: walkers,
** or for 0 twice the parameters and at least 10 (the fewest that the
** ensemble's moves need, the longest chains for the cost: split R-hat
** improves with the chains' length; docs/personal-twins.md). */
int tw_fit_mcmc_walkers(int walkers, int k);
/* The likelihood's default inflation, chosen on the sampler's own coverage of
** synthetic persons of seed 1 (twin_fit_experiment --seed=1; 5 before
** 2026-12-02, chosen on the Laplace coverage) and scored with the sampler on
** other seeds (docs/personal-twins.md, "Calibration", "Scored"). */
#define TW_FIT_INFLATE 3.5

typedef struct tw_fit_mcmc_result {
  int64_t n;
  int k, S;
  double *draws;   /* (k, n, S) log-parameters, evenly thinned from the kept W (steps - burn_in) samples */
  double *q;       /* (k, n, 3) log-parameter quantiles 0.05, 0.5, 0.95 of all kept samples */
  double *rhat;    /* (k, n) split R-hat */
  double *ess;     /* (k, n) effective sample size */
  double *accept;  /* (n) acceptance rate */
  int32_t *flag;   /* (n) TW_FIT_CHAIN_NOT_CONVERGED or 0 */
  int64_t evaluations; /* batched simulations */
} tw_fit_mcmc_result;

/* Samples every person's posterior: the prior times the CGM likelihood with
** the variance of tw_fit_noise_var, walkers started around the MAP m from
** its Laplace covariance. Persons the MAP did not fit (TW_FIT_NO_DATA,
** TW_FIT_SIM_FAILED) are not sampled: NaN draws, quantiles and R-hat.
** twin_id (n): each person's stream key (the records row). Persons advance
** together, s->block of them (W/2 columns each) per batched simulation. */
tw_status tw_fit_mcmc(const tw_fit_sim *s, const tw_fit_data *d, const tw_fit_prior *pr, const tw_fit_map_result *m,
                      const int64_t *twin_id, const tw_fit_mcmc_opts *o, tw_fit_mcmc_result *out);
/* Zeroed results of n persons, S draws each (TW_ERR_NOMEM). */
tw_status tw_fit_mcmc_result_alloc(int64_t n, int k, int S, tw_fit_mcmc_result *r);
void tw_fit_mcmc_result_free(tw_fit_mcmc_result *r);

/* ---- over MPI ranks (fit_gather.c) ------------------------------------------------- */

/* The results of all n persons on every rank, from each rank's own: rank r
** fitted the persons [lo, hi) of tw_dist_block_range(n, r, size) into lm and
** lmc (hi - lo persons). The fit of a person depends on nothing but its data
** and its key, so the gathered results are the bits one rank would have
** computed. m, mc receive n persons (freed by the caller); evaluations: the
** sum over ranks. */
tw_status tw_fit_gather(const tw_dist *d, int64_t n, const tw_fit_map_result *lm,
                        const tw_fit_mcmc_result *lmc, tw_fit_map_result *m, tw_fit_mcmc_result *mc);

TW_EXTERN_C_END

#endif
