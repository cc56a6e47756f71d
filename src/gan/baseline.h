/*
** baseline.h: the two baselines a synthetic cohort is measured against in
** `twinscale gan report` (issue 12, item 5; docs/gan.md "Baselines"): a
** Gaussian copula fitted on the real table, and bootstrap resampling of real
** rows. A generator is worth its training only if it beats both on quality at
** equal privacy: bootstrap is the best quality a copy can reach (its privacy
** is nil), the copula what a few marginals and one correlation matrix give.
** The third, a smoothed bootstrap, is bootstrap bought privacy with noise:
** the report draws it at the bandwidth that gives the synthetic table's
** privacy, so that "at equal privacy" is a comparison it makes itself.
**
** Every draw is a pure function of (seed, draw kind, row): Philox with purpose
** TW_RNG_GAN_BASELINE, "twin" = (stream << 56) | row (stream 0: bootstrap row,
** 1: the copula fit's jitter of a real row, 2: a copula sample row; 3: the
** utility's bootstrap of real twins, src/gan/metrics_utility.c; 4: a
** smoothed bootstrap row). So the
** report's draw k (seed + k) and `twinscale gan baseline --seed` (a cohort
** file of one draw, run through a trial for the copula's utility) give the
** same rows for the same seed, up to the redraws of invalid rows.
*/
#ifndef TW_GAN_BASELINE_H
#define TW_GAN_BASELINE_H

#include "gan/table.h"

TW_EXTERN_C_BEGIN

typedef enum tw_gan_baseline_kind {
  TW_GAN_BASELINE_COPULA = 0,    /* "gaussian_copula" */
  TW_GAN_BASELINE_BOOTSTRAP = 1, /* "bootstrap" */
  TW_GAN_BASELINE_SMOOTHED = 2,  /* "smoothed_bootstrap" */
  TW_GAN_BASELINE_KINDS = 3
} tw_gan_baseline_kind;

/* The JSON names in the kinds' order, NULL-terminated (`gan baseline --kind`'s choices). */
extern const char *const tw_gan_baseline_names[TW_GAN_BASELINE_KINDS + 1];
/* The JSON name of a baseline: "gaussian_copula", "bootstrap", "smoothed_bootstrap". */
const char *tw_gan_baseline_name(tw_gan_baseline_kind kind);

/* A smoothed bootstrap (Silverman's; synthpop's `smoothing`): bootstrap rows
** made private by noise (docs/gan.md, "The baselines at the generator's
** privacy and validity"). Each row is a real row drawn uniformly, then
** - a continuous column gets Gaussian noise of `bandwidth` times its standard
**   deviation over the real rows (population sd; log space where every real
**   value is positive), truncated to the real [min, max] (drawn from the
**   normal restricted to it, not clipped: clipping would put the real
**   extremes into every row noised past them); a missing cell stays missing;
** - a discrete column, with probability `swap`, takes the column's value of
**   another real row drawn uniformly (a draw from its marginal);
** - the columns of the real table's fixed combination (combo.h, detected
**   with up to rows / 2 tuples: the parameters a reference patient fixes)
**   stay the row's own, so a twin keeps one patient's consistent values.
** Bandwidth 0 and swap 0 give real rows. Every row draws the same numbers
** whatever the bandwidth (common random numbers), so the report's search
** for the bandwidth of a privacy compares like with like. */
typedef struct tw_gan_smoothing {
  double bandwidth; /* >= 0, in standard deviations */
  double swap;      /* in [0, 1] */
} tw_gan_smoothing;
#define TW_GAN_SMOOTHING_DEFAULT ((tw_gan_smoothing){1.0, 0.3})

/* n_rows rows drawn with replacement from the real rows, each uniformly
** (Philox (seed, row i, stream 0)): every row is a real row. */
tw_status tw_gan_bootstrap(const tw_gan_table *real, int64_t n_rows, uint64_t seed, tw_gan_table *out);

/* n_rows rows of a Gaussian copula fitted on real (docs/gan.md):
** each column's empirical distribution (its distinct values' frequencies,
** plus a missing share) maps a cell to u in (0, 1) (a uniform jitter within
** the value's probability interval, SDV's UniformEncoder for categories; the
** randomised probability integral transform), z = Phi^-1(u); R = the Pearson
** correlation of the z columns; a sample is z = L e, L L^T = R, decoded by
** u = Phi(z) through the inverse empirical distribution: a continuous column's
** quantile interpolated between its sorted values (so within the real
** [min, max]), a discrete column's category whose interval holds u, missing
** when u falls in the missing share. */
tw_status tw_gan_copula(const tw_gan_table *real, int64_t n_rows, uint64_t seed, tw_gan_table *out);

/* The baseline of `kind`: its rows 0 .. n_rows - 1 for the seed (a smoothed
** bootstrap's with TW_GAN_SMOOTHING_DEFAULT). */
tw_status tw_gan_baseline_draw(tw_gan_baseline_kind kind, const tw_gan_table *real, int64_t n_rows, uint64_t seed,
                               tw_gan_table *out);

/* A baseline fitted once (the copula's marginals and correlation; for
** bootstrap only the real rows, which must outlive it), to draw from in
** stretches: tw_gan_baseline_fill writes its rows first_row .. first_row +
** out->n_rows - 1 into out (allocated by the caller, real's schema). A row is
** a function of (seed, row) only, so consecutive calls continue the sequence
** tw_gan_baseline_draw starts: `gan baseline` redraws invalid rows from it as
** `gan sample` redraws a generator's (validity.h). */
typedef struct tw_gan_baseline tw_gan_baseline;
tw_status tw_gan_baseline_fit(tw_gan_baseline_kind kind, const tw_gan_table *real, uint64_t seed,
                              tw_gan_baseline **out);
/* The smoothing of a fitted smoothed bootstrap (TW_GAN_SMOOTHING_DEFAULT
** until set); nothing for another kind. The fit does not depend on it. */
void tw_gan_baseline_smooth(tw_gan_baseline *b, tw_gan_smoothing s);
tw_status tw_gan_baseline_fill(const tw_gan_baseline *b, int64_t first_row, tw_gan_table *out);
void tw_gan_baseline_free(tw_gan_baseline *b);

/* The rows of real whose discrete column NAME holds VALUE (`condition` is
** "NAME=VALUE": a string column's label, an integer column's number): the
** table a baseline of one category is fitted on (`gan baseline --condition`),
** as the report's real table is the subgroup's rows. TW_ERR_INPUT naming
** path: not NAME=VALUE, no such discrete column, no row with the value. */
tw_status tw_gan_baseline_restrict(const tw_gan_table *real, const char *condition, const char *path,
                                   tw_gan_table *out);

/* The lower Cholesky factor of a symmetric positive semi-definite (n, n)
** row-major matrix: a pivot <= tol * the diagonal's largest makes its column
** zero (the direction is a combination of earlier ones), so L L^T = a for
** semi-definite `a` too. Returns the rank found. */
int tw_gan_cholesky_psd(int n, const double *a, double *L);

TW_EXTERN_C_END

#endif
