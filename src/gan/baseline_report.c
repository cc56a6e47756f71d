/*
** baseline_report.c: tw_gan_report_baselines (report.h): the synthetic
** table's DCRBaselineProtection over K seeds, and the Gaussian-copula and
** bootstrap baselines (baseline.h) drawn K times and scored as the synthetic
** table is, so that the report can set the generator's numbers beside what a
** copula and a copy reach, each with its spread over the seeds.
**
** The third baseline is the copula's valid twins (report.h): the same draw
** with its invalid rows redrawn, as `gan baseline` writes it. The fourth is
** a smoothed bootstrap of valid twins whose bandwidth is searched for first:
** the smallest of a grid at which its draws are as private as the synthetic
** table (mean NewRowSynthesis and DCROverfittingProtection over the K seeds
** at least the table's). Its draws use common random numbers at every
** bandwidth, and privacy grows with the noise, so the search bisects the
** grid (five evaluations of K draws for fourteen bandwidths). With that
** baseline and the copula's valid twins the report decides "better than
** the baselines at equal privacy" itself (tw_gan_report_equal_privacy).
** Draw k uses seed + k for everything random: the baseline's rows and the
** random rows of DCRBaselineProtection, which are the same for the synthetic
** table and every baseline of that draw (one DCR of random rows per seed).
** Also tw_gan_report_utility, which attaches the utility (metrics_utility.h).
*/
#include <math.h>   /* isnan, sqrt, NAN */
#include <stdlib.h> /* calloc, malloc, free */
#include <string.h> /* memset, memcpy */

#include "gan/metrics.h"
#include "gan/metrics_internal.h"
#include "gan/report.h"
#include "gan/validity.h" /* tw_gan_baseline_valid_rows */

const tw_gan_report_baseline tw_gan_report_baseline_list[TW_GAN_REPORT_BASELINES] = {
    {"gaussian_copula", "Gaussian copula", TW_GAN_BASELINE_COPULA, 0, 0},
    {"bootstrap", "bootstrap", TW_GAN_BASELINE_BOOTSTRAP, 0, 0},
    {"gaussian_copula_valid", "Gaussian copula, valid twins", TW_GAN_BASELINE_COPULA, 1, 1},
    {"smoothed_bootstrap", "smoothed bootstrap at the synthetic privacy", TW_GAN_BASELINE_SMOOTHED, 1, 1},
};

/* The smoothed bootstrap's bandwidths, ascending: the report draws the
** smallest at which it is as private as the synthetic table. */
static const double bandwidths[] = {0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
enum { N_BANDWIDTHS = (int)(sizeof bandwidths / sizeof bandwidths[0]) };

tw_gan_spread tw_gan_spread_of(const double *values, int draws, int stride, int index) {
  tw_gan_spread s = {NAN, NAN, NAN, NAN, 0};
  double sum = 0;
  for (int k = 0; k < draws; ++k) {
    double x = values[(size_t)k * (size_t)stride + (size_t)index];
    if (isnan(x)) continue;
    if (!s.n || x < s.min) s.min = x;
    if (!s.n || x > s.max) s.max = x;
    sum += x, ++s.n;
  }
  if (!s.n) return s;
  s.mean = sum / s.n;
  double ss = 0;
  for (int k = 0; k < draws; ++k) {
    double x = values[(size_t)k * (size_t)stride + (size_t)index];
    if (!isnan(x)) ss += (x - s.mean) * (x - s.mean);
  }
  if (s.n > 1) s.sd = sqrt(ss / (s.n - 1));
  return s;
}

/* The synthetic table's DCRBaselineProtection for seed + k, k = 1..K-1 (k = 0
** is the report's own), keeping each seed's random median for the baselines. */
static tw_status synthetic_seeds(tw_gan_report *r) {
  r->dcr_baseline_draws[0] = r->dcr_baseline_protection;
  r->random_median[0] = r->dcr_baseline_medians[1];
  for (int k = 1; k < r->n_seeds; ++k) {
    double med[2];
    TW_TRY(tw_gan_dcr_baseline(&r->real, &r->synthetic, r->dcr_syn_real, r->seed + (uint64_t)k,
                               &r->dcr_baseline_draws[k], med));
    r->random_median[k] = med[1];
  }
  return TW_OK;
}

/* The privacy numbers of a baseline table b (in s->synthetic): as privacy() in
** report.c, DCRBaselineProtection against the random median of its seed. */
static tw_status baseline_privacy(tw_gan_report *s, double random_median) {
  const tw_gan_table *b = &s->synthetic;
  TW_TRY(tw_gan_new_row_synthesis(&s->real, b, TW_GAN_NUMERICAL_MATCH_TOLERANCE, &s->new_row_synthesis));
  double *d = malloc((size_t)(b->n_rows + 1) * sizeof *d);
  if (!d) return TW_FAIL(TW_ERR_NOMEM, "out of memory: DCR of %lld rows", (long long)b->n_rows);
  tw_status st = tw_gan_dcr(b, &s->real, d);
  if (st == TW_OK) st = tw_gan_dcr_overfitting(&s->real, b, &s->holdout, d, &s->dcr_overfitting_protection);
  if (st == TW_OK) {
    double m = tw_gan_median(d, b->n_rows);
    s->dcr_baseline_protection = random_median != 0.0 ? (m / random_median < 1.0 ? m / random_median : 1.0) : NAN;
  }
  free(d);
  return st;
}

/* The rows of baseline rb for a seed (a smoothed bootstrap's with r->smoothing):
** its draw, or with rb->valid (and a pack to check) the draw's first valid
** rows, as `gan baseline --seed` writes them. */
static tw_status draw(const tw_gan_report *r, const tw_gan_report_baseline *rb, uint64_t seed, tw_gan_table *out) {
  const int64_t n = r->synthetic.n_rows;
  tw_gan_baseline *b;
  TW_TRY(tw_gan_baseline_fit(rb->kind, &r->real, seed, &b));
  tw_gan_baseline_smooth(b, r->smoothing);
  tw_status st;
  if (rb->valid && r->validity) {
    tw_gan_validity_stats stats;
    st = tw_gan_baseline_valid_rows(b, &r->schema, r->validity, n, out, &stats);
  } else {
    st = tw_gan_table_alloc(&r->schema, n, out);
    if (st == TW_OK) st = tw_gan_baseline_fill(b, 0, out);
  }
  tw_gan_baseline_free(b);
  return st;
}

/* A report of baseline rb's draw k: r's schema, real and holdout rows, pack
** and checker shallow (nothing here frees them), its own rows drawn. */
static tw_status begin_draw(const tw_gan_report *r, const tw_gan_report_baseline *rb, int k, tw_gan_report *s) {
  memset(s, 0, sizeof *s);
  s->schema = r->schema;
  s->real = r->real, s->holdout = r->holdout;
  s->pack = r->pack, s->validity = r->validity, s->smoothing = r->smoothing;
  return draw(r, rb, r->seed + (uint64_t)k, &s->synthetic);
}

static void end_draw(tw_gan_report *s) {
  tw_gan_table_free(&s->synthetic);
  free(s->column_score), free(s->pairs), free(s->adherence);
}

/* One draw of one baseline, scored into v (tw_gan_report_n_values). */
static tw_status score_draw(const tw_gan_report *r, const tw_gan_report_baseline *rb, int k, double *v) {
  tw_gan_report s;
  tw_status st = begin_draw(r, rb, k, &s);
  if (st == TW_OK) st = tw_gan_quality(&s.real, &s.synthetic, &s);
  if (st == TW_OK) st = tw_gan_holdout_quality(&s);
  if (st == TW_OK) st = tw_gan_diagnostic(&s);
  if (st == TW_OK) st = tw_gan_report_validity(&s);
  if (st == TW_OK) st = baseline_privacy(&s, r->random_median[k]);
  if (st == TW_OK) tw_gan_report_values(&s, v);
  end_draw(&s);
  return st;
}

/* Is the smoothed bootstrap (rb) at bandwidths[i] as private as the
** synthetic table: its mean NewRowSynthesis and DCROverfittingProtection over
** the K draws at least the table's? The draws as drawn, invalid rows kept:
** the checks cost a steady state per row, and the smoothed bootstrap's
** invalid rows are few (0.3 % on the rare condition); the verdict is made
** on the valid draws of the bandwidth chosen (tw_gan_report_equal_privacy). */
static tw_status as_private_at(tw_gan_report *r, const tw_gan_report_baseline *rb, int i, int *yes) {
  r->smoothing.bandwidth = bandwidths[i];
  tw_gan_report_baseline as_drawn = *rb;
  as_drawn.valid = 0;
  double nrs = 0, dcro = 0;
  for (int k = 0; k < r->n_seeds; ++k) {
    tw_gan_report s;
    tw_status st = begin_draw(r, &as_drawn, k, &s);
    if (st == TW_OK) st = baseline_privacy(&s, r->random_median[k]);
    nrs += s.new_row_synthesis, dcro += s.dcr_overfitting_protection;
    end_draw(&s);
    TW_TRY(st);
  }
  *yes = nrs / r->n_seeds >= r->new_row_synthesis && dcro / r->n_seeds >= r->dcr_overfitting_protection;
  return TW_OK;
}

/* r->smoothing: the smallest bandwidth of the grid as private as the
** synthetic table (bisected: privacy grows with the bandwidth), or the
** largest, unmatched. */
static tw_status match_bandwidth(tw_gan_report *r, const tw_gan_report_baseline *rb) {
  r->smoothing = TW_GAN_SMOOTHING_DEFAULT;
  int lo = 0, hi = N_BANDWIDTHS - 1;
  TW_TRY(as_private_at(r, rb, hi, &r->smoothing_matched));
  while (r->smoothing_matched && lo < hi) {
    int mid = lo + (hi - lo) / 2, yes;
    TW_TRY(as_private_at(r, rb, mid, &yes));
    if (yes) hi = mid;
    else lo = mid + 1;
  }
  r->smoothing.bandwidth = bandwidths[hi];
  return TW_OK;
}

/* Is baseline b's mean of value i (NaN-free draws) at least (sign +1) or at most (-1) x? */
static int mean_beyond(const tw_gan_report *r, int b, int i, double x, int sign) {
  tw_gan_spread s = tw_gan_spread_of(r->baseline_values[b], r->n_seeds, tw_gan_report_n_values(r), i);
  return sign > 0 ? s.mean >= x : s.mean <= x;
}

tw_gan_equal_privacy tw_gan_report_equal_privacy(const tw_gan_report *r) {
  tw_gan_equal_privacy e;
  memset(&e, 0, sizeof e);
  const int nv = tw_gan_report_n_values(r);
  const int q[2] = {TW_GAN_V_SCORE, tw_gan_v_holdout(r, 0)};
  const double mine[2] = {r->score, r->holdout_quality[0]};
  int lost[2] = {0, 0}, undecided[2] = {0, 0};
  for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b) {
    if (!tw_gan_report_baseline_list[b].equal_privacy) continue;
    e.as_private[b] = mean_beyond(r, b, tw_gan_v_privacy(r, 0), r->new_row_synthesis, 1) &&
                      mean_beyond(r, b, tw_gan_v_privacy(r, 1), r->dcr_overfitting_protection, 1) &&
                      (!r->pack || mean_beyond(r, b, tw_gan_v_invalid(r), r->invalid_share, -1));
    for (int w = 0; w < 2; ++w) {
      e.beaten[b][w] = mine[w] > tw_gan_spread_of(r->baseline_values[b], r->n_seeds, nv, q[w]).max;
      lost[w] |= e.as_private[b] && !e.beaten[b][w];
      undecided[w] |= !e.as_private[b] && !e.beaten[b][w];
    }
  }
  for (int w = 0; w < 2; ++w) e.verdict[w] = lost[w] ? 0 : undecided[w] ? -1 : 1;
  return e;
}

tw_status tw_gan_report_baselines(tw_gan_report *r, int seeds) {
  if (seeds < 1) return TW_FAIL(TW_ERR_INPUT, "--seeds %d: the number of seeds must be 1 or more", seeds);
  size_t nv = (size_t)tw_gan_report_n_values(r);
  r->n_seeds = seeds;
  r->dcr_baseline_draws = calloc((size_t)seeds, sizeof(double));
  r->random_median = calloc((size_t)seeds, sizeof(double));
  int have = r->dcr_baseline_draws && r->random_median;
  for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b)
    have &= (r->baseline_values[b] = calloc((size_t)seeds * nv, sizeof(double))) != NULL;
  if (!have) return TW_FAIL(TW_ERR_NOMEM, "out of memory: %d seeds of %zu numbers", seeds, nv);
  TW_TRY(synthetic_seeds(r));
  for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b)
    if (tw_gan_report_baseline_list[b].kind == TW_GAN_BASELINE_SMOOTHED)
      TW_TRY(match_bandwidth(r, &tw_gan_report_baseline_list[b]));
  for (int k = 0; k < seeds; ++k)
    for (int b = 0; b < TW_GAN_REPORT_BASELINES; ++b)
      TW_TRY(score_draw(r, &tw_gan_report_baseline_list[b], k, r->baseline_values[b] + (size_t)k * nv));
  return TW_OK;
}

tw_status tw_gan_report_utility(tw_gan_report *r, const tw_gan_utility_args *a) {
  if (!(r->utility = calloc(1, sizeof *r->utility))) return TW_FAIL(TW_ERR_NOMEM, "out of memory: utility");
  tw_gan_utility_args with_seeds = *a;
  with_seeds.seed = r->seed, with_seeds.seeds = r->n_seeds;
  tw_status st = tw_gan_utility_run(&with_seeds, r->utility);
  if (st != TW_OK) free(r->utility), r->utility = NULL;
  return st;
}
