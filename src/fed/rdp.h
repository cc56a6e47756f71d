/*
** rdp.h: the privacy accountant of DP-SGD: Renyi differential privacy (RDP) of
** the subsampled Gaussian mechanism, its conversion to (epsilon, delta), the
** inverse (the smallest noise multiplier for a budget), and a per-site ledger
** that composes the steps a site has taken.
**
** It computes what Opacus' RDPAccountant computes (opacus/accountants/analysis/
** rdp.py, unchanged from Opacus 1.3.0 to 1.6.0), term for term and in the same
** order, so that the two agree to rounding (docs/privacy.md gives the measured
** agreement):
**   - RDP of one step at order a (Mironov, Talwar, Zhang 2019, section 3.3):
**     q = 1: a / (2 sigma^2); else log(A_a) / (a - 1), with A_a a binomial
**     series for integer a and two erfc-weighted series for fractional a,
**     summed in log space (log_add, log_sub, log_erfc);
**   - composition: RDP adds over steps (Mironov 2017), steps * rdp per history
**     entry, entries added in the order they were taken;
**   - conversion (Balle et al. 2020, Theorem 21): epsilon = min over orders a of
**     rdp_a - (log delta + log a) / (a - 1) + log((a - 1) / a), the first order
**     attaining the minimum is the reported one.
** The orders are Opacus' DEFAULT_ALPHAS: 1 + x/10 for x = 1..99, then 12..63
** (151 orders; 2.0, 3.0, ... 10.0 among the first take the integer series).
**
** Pure math (libm only): no file, no config, no MPI; builds in every configuration.
** Errors are values (TW_ERR_INPUT for a bad argument, one line naming it).
*/
#ifndef TW_FED_RDP_H
#define TW_FED_RDP_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

enum { TW_RDP_N_ORDERS = 151 }; /* Opacus' DEFAULT_ALPHAS */

/* Opacus' default orders, in its order: alpha (TW_RDP_N_ORDERS). */
void tw_rdp_default_orders(double *alpha);

/* Checks a mechanism's parameters: q in (0, 1], sigma > 0 and finite, steps >= 0.
** TW_ERR_INPUT with one line naming the bad value. */
tw_status tw_rdp_check(double q, double sigma, int64_t steps);

/* RDP of `steps` steps of the subsampled Gaussian mechanism (sampling rate q,
** noise multiplier sigma) at each of the n orders: rdp (n) = steps * RDP_1(a).
** TW_ERR_NUMERIC when a series does not settle. */
tw_status tw_rdp_compute(double q, double sigma, int64_t steps, int n, const double *orders, double *rdp);

/* (epsilon, delta) from RDP at n orders (Balle et al. 2020): *eps the smallest
** bound, *order the first order reaching it. delta in (0, 1). When every order's
** bound is NaN: *eps = +inf, *order = NaN, as Opacus. */
tw_status tw_rdp_epsilon(int n, const double *orders, const double *rdp, double delta, double *eps, double *order);

/* epsilon and its order after `steps` steps at (q, sigma), default orders. */
tw_status tw_rdp_sgm_epsilon(double q, double sigma, int64_t steps, double delta, double *eps, double *order);

/* The smallest noise multiplier sigma with epsilon(q, sigma, steps, delta) <= target,
** to 1e-7 relative (within the documented 1e-6). Method: epsilon falls as sigma
** grows; from sigma = 1 the bracket is doubled up (or halved down) until
** eps(hi) <= target < eps(lo), then bisected until hi - lo <= 1e-7 hi; *sigma = hi,
** which always meets the budget. Opacus' get_noise_multiplier stops when epsilon
** is within 0.01 of the target (epsilon_tolerance), a far coarser sigma.
** TW_ERR_INPUT: target not > 0 and finite, or unreachable (sigma above 1e6 needed:
** the budget is too small for steps, q and delta). */
tw_status tw_rdp_sgm_sigma(double q, int64_t steps, double delta, double target, double *sigma);

/* ---- composition: a site's history ------------------------------------------ */

typedef struct tw_rdp_entry {
  double q, sigma; /* sampling rate, noise multiplier */
  int64_t steps;   /* steps taken with them */
} tw_rdp_entry;

/* The steps one site has taken, as Opacus' RDPAccountant.history: consecutive
** steps with the same (q, sigma) merge into one entry. Zero-initialise
** (tw_rdp_ledger l = {0};), free with tw_rdp_ledger_free. */
typedef struct tw_rdp_ledger {
  tw_rdp_entry *e; /* (n) entries, oldest first */
  int n, cap;
} tw_rdp_ledger;

/* Records `steps` more steps at (q, sigma), checked as tw_rdp_check. */
tw_status tw_rdp_ledger_add(tw_rdp_ledger *l, double q, double sigma, int64_t steps);
/* epsilon of the whole history at delta (default orders): 0 and order 0 for an
** empty ledger, as Opacus. */
tw_status tw_rdp_ledger_epsilon(const tw_rdp_ledger *l, double delta, double *eps, double *order);
/* Whether `steps` more steps at (q, sigma) keep the history's epsilon <= budget:
** *fits 1 or 0. Training asks before each round and stops before the budget is spent. */
tw_status tw_rdp_ledger_fits(const tw_rdp_ledger *l, double q, double sigma, int64_t steps, double delta,
                             double budget, int *fits);
void tw_rdp_ledger_free(tw_rdp_ledger *l);

TW_EXTERN_C_END

#endif
