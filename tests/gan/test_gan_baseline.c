/*
** test_gan_baseline.c: the gan report's baselines and repeated seeds
** (src/gan/baseline.h, tw_gan_report_baselines, report.html).
**
** On a constructed table of 2,000 rows (x normal; y = x + noise, r about
** +0.9; w = -x + noise, r about -0.7; v lognormal with 10 % missing; d a
** 3-category column cut from x; a constant k): the Gaussian copula's rows stay
** within each continuous column's real [min, max], take only real categories,
** keep the constant, keep the missing share (within 4 binomial sd), keep the
** sign and size of both correlations (within 0.05) and the association of d
** with x (the mean of x rises with d), KSComplement > 0.95 per column and
** TVComplement of d > 0.97; the same seed gives the same bytes, another seed
** other rows. Bootstrap rows are each equal to some real row (NewRowSynthesis
** 0). The smoothed bootstrap: bandwidth 0 and swap 0 give real rows; at
** bandwidth 0.5 every continuous value lies within the real range (v
** positive, its missing share kept within 4 binomial sd), the constant stays,
** x's sd grows by sqrt(1 + 0.5^2) within 5 %, and the discrete column is the
** same as at bandwidth 0 (the numbers drawn do not depend on the bandwidth);
** at bandwidth 3 no value of x is the real minimum or maximum (truncated,
** not clipped); swap 1 makes d independent of x (|r| < 0.1 against the
** real 0.8), swap 0 keeps it; the same seed gives the same bytes. On a table
** whose two columns take five tuples (a fixed combination), every row keeps
** one of the tuples while the third column is noised. The semi-definite Cholesky of a rank-2 3x3 matrix gives rank 2 and
** L L^T = a. The spread of draws with a NaN. On the mixed fixture with 3
** seeds: the synthetic table's numbers are those of the run without seeds,
** seed 0's DCRBaselineProtection is the report's, bootstrap's
** NewRowSynthesis and DCRBaselineProtection are 0 in every draw, the
** copula's NewRowSynthesis > 0.9; report.html holds the score and the
** baselines' names and the JSON the "baselines" object. The utility's ridge
** regression: R^2 > 0.95 on a linear relation, < 0.05 on shuffled targets,
** NaN targets left out, the constant column out of the design.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/random.h"
#include "gan/baseline.h"
#include "gan/metrics.h"
#include "gan/metrics_utility.h"
#include "gan/report.h"
#include "tw_test.h"

enum { N = 2000, C = 6 };
static tw_gan_column cols[C] = {{.name = "x", .kind = TW_GAN_CONTINUOUS}, {.name = "y", .kind = TW_GAN_CONTINUOUS},
                                {.name = "w", .kind = TW_GAN_CONTINUOUS}, {.name = "v", .kind = TW_GAN_CONTINUOUS},
                                {.name = "d", .kind = TW_GAN_DISCRETE},   {.name = "k", .kind = TW_GAN_CONTINUOUS}};
static tw_gan_schema schema = {C, cols};

static void constructed(tw_gan_table *t) {
  CHECK_OK(tw_gan_table_alloc(&schema, N, t));
  for (int64_t i = 0; i < N; ++i) {
    tw_rng rng = tw_rng_make(99, (uint64_t)i, TW_RNG_TEST, 0);
    double x = tw_rng_normal(&rng), e1 = tw_rng_normal(&rng), e2 = tw_rng_normal(&rng), e3 = tw_rng_normal(&rng);
    double *c = t->data + i;
    c[0] = x;
    c[N] = x + 0.45 * e1;
    c[2 * N] = -x + e2;
    c[3 * N] = tw_rng_uniform(&rng) < 0.1 ? NAN : exp(0.5 * e3 + 0.3 * x);
    c[4 * N] = x < -0.5 ? 0 : x < 0.5 ? 1 : 2;
    c[5 * N] = 3.5;
  }
}

static double pearson(const double *a, const double *b, int64_t n) {
  double ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
  for (int64_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= (double)n, mb /= (double)n;
  for (int64_t i = 0; i < n; ++i)
    saa += (a[i] - ma) * (a[i] - ma), sbb += (b[i] - mb) * (b[i] - mb), sab += (a[i] - ma) * (b[i] - mb);
  return sab / sqrt(saa * sbb);
}

static double missing_share(const double *v, int64_t n) {
  int64_t m = 0;
  for (int64_t i = 0; i < n; ++i) m += isnan(v[i]);
  return (double)m / (double)n;
}

/* Mean of x over the rows whose d equals cat. */
static double mean_x_given(const tw_gan_table *t, double cat) {
  double s = 0;
  int64_t m = 0;
  for (int64_t i = 0; i < t->n_rows; ++i)
    if (tw_gan_col(t, 4)[i] == cat) s += tw_gan_col(t, 0)[i], ++m;
  return m ? s / (double)m : NAN;
}

static void check_copula_rows(const tw_gan_table *real, const tw_gan_table *cop) {
  for (int j = 0; j < C; ++j) {
    double adh, shape;
    if (cols[j].kind == TW_GAN_CONTINUOUS) {
      adh = tw_gan_boundary_adherence(tw_gan_col(real, j), N, tw_gan_col(cop, j), N);
      CHECK_OK(tw_gan_ks_complement(tw_gan_col(real, j), N, tw_gan_col(cop, j), N, &shape));
      CHECK_MSG(shape > 0.95, "column %s: KSComplement %.4f", cols[j].name, shape);
    } else {
      CHECK_OK(tw_gan_category_adherence(tw_gan_col(real, j), N, tw_gan_col(cop, j), N, &adh));
      CHECK_OK(tw_gan_tv_complement(tw_gan_col(real, j), N, tw_gan_col(cop, j), N, &shape));
      CHECK_MSG(shape > 0.97, "column %s: TVComplement %.4f", cols[j].name, shape);
    }
    CHECK_MSG(adh == 1.0, "column %s: adherence %.4f", cols[j].name, adh);
  }
  for (int64_t i = 0; i < N; ++i) CHECK(tw_gan_col(cop, 5)[i] == 3.5);
  double p = missing_share(tw_gan_col(cop, 3), N), p_real = missing_share(tw_gan_col(real, 3), N);
  CHECK_MSG(fabs(p - p_real) < 4 * sqrt(p_real * (1 - p_real) / N), "missing share %.4f, real %.4f", p, p_real);
  double rxy = pearson(tw_gan_col(real, 0), tw_gan_col(real, 1), N), cxy = pearson(tw_gan_col(cop, 0), tw_gan_col(cop, 1), N);
  double rxw = pearson(tw_gan_col(real, 0), tw_gan_col(real, 2), N), cxw = pearson(tw_gan_col(cop, 0), tw_gan_col(cop, 2), N);
  printf("copula: r(x, y) %.4f (real %.4f), r(x, w) %.4f (real %.4f), missing share of v %.4f (real %.4f)\n", cxy, rxy,
         cxw, rxw, p, p_real);
  CHECK(rxy > 0.8 && cxy > 0.8 && fabs(cxy - rxy) < 0.05);
  CHECK(rxw < -0.5 && cxw < -0.5 && fabs(cxw - rxw) < 0.05);
  double m0 = mean_x_given(cop, 0), m1 = mean_x_given(cop, 1), m2 = mean_x_given(cop, 2);
  CHECK_MSG(m0 < m1 && m1 < m2, "mean x by d: %.3f %.3f %.3f", m0, m1, m2);
}

static void test_copula(void) {
  tw_gan_table real, a, b, c;
  constructed(&real);
  CHECK_OK(tw_gan_copula(&real, N, 5, &a));
  CHECK_OK(tw_gan_copula(&real, N, 5, &b));
  CHECK_OK(tw_gan_copula(&real, N, 6, &c));
  check_copula_rows(&real, &a);
  size_t bytes = (size_t)N * C * sizeof(double);
  CHECK_MSG(memcmp(a.data, b.data, bytes) == 0, "the same seed gave other rows");
  CHECK_MSG(memcmp(a.data, c.data, bytes) != 0, "another seed gave the same rows");
  double nrs;
  CHECK_OK(tw_gan_new_row_synthesis(&real, &a, TW_GAN_NUMERICAL_MATCH_TOLERANCE, &nrs));
  CHECK_MSG(nrs > 0.99, "copula NewRowSynthesis %.4f", nrs);
  tw_gan_table_free(&real), tw_gan_table_free(&a), tw_gan_table_free(&b), tw_gan_table_free(&c);
}

/* Row i of t equals some row of real in every cell (NaN equal to NaN). */
static int is_real_row(const tw_gan_table *real, const tw_gan_table *t, int64_t i) {
  for (int64_t r = 0; r < real->n_rows; ++r) {
    int j = 0;
    while (j < C) {
      double x = tw_gan_col(real, j)[r], y = tw_gan_col(t, j)[i];
      if (!(x == y || (isnan(x) && isnan(y)))) break;
      ++j;
    }
    if (j == C) return 1;
  }
  return 0;
}

static void test_bootstrap(void) {
  tw_gan_table real, a, b;
  constructed(&real);
  CHECK_OK(tw_gan_bootstrap(&real, 700, 5, &a));
  CHECK_OK(tw_gan_bootstrap(&real, 700, 5, &b));
  int64_t copies = 0;
  for (int64_t i = 0; i < a.n_rows; ++i) copies += is_real_row(&real, &a, i);
  CHECK_EQ_INT(copies, 700);
  CHECK(memcmp(a.data, b.data, (size_t)700 * C * sizeof(double)) == 0);
  double nrs;
  CHECK_OK(tw_gan_new_row_synthesis(&real, &a, TW_GAN_NUMERICAL_MATCH_TOLERANCE, &nrs));
  CHECK_NEAR(nrs, 0.0, 0.0);
  tw_gan_table_free(&real), tw_gan_table_free(&a), tw_gan_table_free(&b);
}

/* A smoothed bootstrap of real: n rows with (bandwidth, swap), seed 5. */
static void smoothed(const tw_gan_table *real, double h, double p, int64_t n, tw_gan_table *out) {
  tw_gan_baseline *b;
  CHECK_OK(tw_gan_baseline_fit(TW_GAN_BASELINE_SMOOTHED, real, 5, &b));
  tw_gan_baseline_smooth(b, (tw_gan_smoothing){h, p});
  CHECK_OK(tw_gan_table_alloc(real->schema, n, out));
  CHECK_OK(tw_gan_baseline_fill(b, 0, out));
  tw_gan_baseline_free(b);
}

/* Every continuous value of t within real's range (BoundaryAdherence 1), v positive, the constant kept. */
static void check_in_range(const tw_gan_table *real, const tw_gan_table *t) {
  for (int j = 0; j < C; ++j)
    if (cols[j].kind == TW_GAN_CONTINUOUS) {
      double adh = tw_gan_boundary_adherence(tw_gan_col(real, j), N, tw_gan_col(t, j), t->n_rows);
      CHECK_MSG(adh == 1.0, "column %s: adherence %.4f", cols[j].name, adh);
    }
  for (int64_t i = 0; i < t->n_rows; ++i) {
    CHECK(tw_gan_col(t, 5)[i] == 3.5);
    CHECK(!(tw_gan_col(t, 3)[i] <= 0));
  }
}

static double sd_of(const double *v, int64_t n) {
  double m = 0, ss = 0;
  for (int64_t i = 0; i < n; ++i) m += v[i];
  m /= (double)n;
  for (int64_t i = 0; i < n; ++i) ss += (v[i] - m) * (v[i] - m);
  return sqrt(ss / (double)n);
}

/* Rows of t whose column j holds real's minimum or maximum of it exactly. */
static int64_t at_extremes(const tw_gan_table *real, const tw_gan_table *t, int j) {
  double lo = INFINITY, hi = -INFINITY;
  for (int64_t i = 0; i < real->n_rows; ++i) lo = fmin(lo, tw_gan_col(real, j)[i]), hi = fmax(hi, tw_gan_col(real, j)[i]);
  int64_t k = 0;
  for (int64_t i = 0; i < t->n_rows; ++i) k += tw_gan_col(t, j)[i] == lo || tw_gan_col(t, j)[i] == hi;
  return k;
}

static void test_smoothed(void) {
  enum { M = 1000 };
  tw_gan_table real, h0, h05, h05b, h3, s1;
  constructed(&real);
  smoothed(&real, 0, 0, 300, &h0);
  int64_t copies = 0;
  for (int64_t i = 0; i < 300; ++i) copies += is_real_row(&real, &h0, i);
  CHECK_EQ_INT(copies, 300);
  tw_gan_table_free(&h0);
  smoothed(&real, 0, 0.3, M, &h0);
  smoothed(&real, 0.5, 0.3, M, &h05);
  smoothed(&real, 0.5, 0.3, M, &h05b);
  CHECK(memcmp(h05.data, h05b.data, (size_t)M * C * sizeof(double)) == 0);
  check_in_range(&real, &h05);
  CHECK(memcmp(tw_gan_col(&h0, 4), tw_gan_col(&h05, 4), M * sizeof(double)) == 0);
  double miss = missing_share(tw_gan_col(&h05, 3), M), sd_miss = 4 * sqrt(0.1 * 0.9 / M);
  CHECK_MSG(fabs(miss - missing_share(tw_gan_col(&real, 3), N)) < sd_miss, "missing share %.3f", miss);
  double ratio = sd_of(tw_gan_col(&h05, 0), M) / sd_of(tw_gan_col(&h0, 0), M);
  CHECK_MSG(fabs(ratio / sqrt(1.25) - 1) < 0.05, "sd ratio %.3f, expected %.3f", ratio, sqrt(1.25));
  smoothed(&real, 3, 0.3, M, &h3);
  CHECK_MSG(at_extremes(&real, &h3, 0) == 0, "%lld rows at x's real extremes", (long long)at_extremes(&real, &h3, 0));
  smoothed(&real, 0, 1, M, &s1);
  double r_real = pearson(tw_gan_col(&real, 0), tw_gan_col(&real, 4), N);
  double r_kept = pearson(tw_gan_col(&h0, 0), tw_gan_col(&h0, 4), M) / 0.7; /* swap 0.3 keeps 70 % of the link */
  double r_swapped = pearson(tw_gan_col(&s1, 0), tw_gan_col(&s1, 4), M);
  CHECK_MSG(r_real > 0.7 && fabs(r_kept - r_real) < 0.1 && fabs(r_swapped) < 0.1, "r real %.3f, swap 0.3 %.3f / 0.7, "
            "swap 1 %.3f", r_real, r_kept * 0.7, r_swapped);
  tw_gan_table_free(&real), tw_gan_table_free(&h0), tw_gan_table_free(&h05), tw_gan_table_free(&h05b);
  tw_gan_table_free(&h3), tw_gan_table_free(&s1);
}

/* Two columns that take five tuples together and a third that varies: the
** smoothed bootstrap keeps each row's tuple and noises the third. */
static void test_smoothed_combo(void) {
  enum { R = 200, T = 5 };
  tw_gan_column tc[3] = {{.name = "p1", .kind = TW_GAN_CONTINUOUS}, {.name = "p2", .kind = TW_GAN_CONTINUOUS},
                         {.name = "z", .kind = TW_GAN_CONTINUOUS}};
  tw_gan_schema ts = {3, tc};
  tw_gan_table real, out;
  CHECK_OK(tw_gan_table_alloc(&ts, R, &real));
  for (int64_t i = 0; i < R; ++i) {
    tw_rng rng = tw_rng_make(7, (uint64_t)i, TW_RNG_TEST, 0);
    real.data[i] = 1.0 + (double)(i % T), real.data[R + i] = 10.0 / (1.0 + (double)(i % T));
    real.data[2 * R + i] = tw_rng_normal(&rng);
  }
  smoothed(&real, 1, 0, 400, &out);
  int64_t kept = 0, moved = 0;
  for (int64_t i = 0; i < 400; ++i) {
    double p1 = tw_gan_col(&out, 0)[i], p2 = tw_gan_col(&out, 1)[i];
    kept += p1 == floor(p1) && p1 >= 1 && p1 <= T && p2 == 10.0 / p1;
    int real_z = 0;
    for (int64_t r = 0; r < R; ++r) real_z |= tw_gan_col(&out, 2)[i] == tw_gan_col(&real, 2)[r];
    moved += !real_z;
  }
  CHECK_EQ_INT(kept, 400);
  CHECK_EQ_INT(moved, 400);
  tw_gan_table_free(&real), tw_gan_table_free(&out);
}

/* a = B B^T with B (3, 2): rank 2; the third row is the sum of the first two. */
static void test_cholesky(void) {
  const double B[3][2] = {{1, 0.5}, {0.3, 2}, {1.3, 2.5}};
  double a[9], L[9];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) a[i * 3 + j] = B[i][0] * B[j][0] + B[i][1] * B[j][1];
  CHECK_EQ_INT(tw_gan_cholesky_psd(3, a, L), 2);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += L[i * 3 + k] * L[j * 3 + k];
      CHECK_NEAR(s, a[i * 3 + j], 1e-12);
    }
}

static void test_spread(void) {
  const double v[8] = {0.2, 9, 0.4, 9, NAN, 9, 0.9, 9}; /* index 0 of stride 2: 0.2, 0.4, NaN, 0.9 */
  tw_gan_spread s = tw_gan_spread_of(v, 4, 2, 0);
  CHECK_EQ_INT(s.n, 3);
  CHECK_NEAR(s.mean, 0.5, 1e-15);
  CHECK_NEAR(s.sd, sqrt(((0.3 * 0.3) + (0.1 * 0.1) + (0.4 * 0.4)) / 2), 1e-15);
  CHECK(s.min == 0.2 && s.max == 0.9);
  const double none[2] = {NAN, NAN};
  s = tw_gan_spread_of(none, 2, 1, 0);
  CHECK(s.n == 0 && isnan(s.mean) && isnan(s.min));
}

static char path_buf[3][512];
static int run_mixed(tw_gan_report *r) {
  const char *files[3] = {"real.h5", "synthetic.h5", "holdout.h5"};
  for (int i = 0; i < 3; ++i) snprintf(path_buf[i], sizeof path_buf[i], "%s/gan/mixed/%s", TW_TEST_DATA_DIR, files[i]);
  return tw_gan_report_run(path_buf[0], path_buf[1], path_buf[2], 0, r) == TW_OK;
}

static int file_holds(const char *path, const char *text) {
  size_t len;
  char *s = tw_test_slurp(path, &len);
  int ok = s && strstr(s, text) != NULL;
  free(s);
  return ok;
}

static void check_draws(const tw_gan_report *r) {
  int nv = tw_gan_report_n_values(r);
  CHECK(r->dcr_baseline_draws[0] == r->dcr_baseline_protection);
  CHECK(r->dcr_baseline_draws[1] != r->dcr_baseline_draws[0]);
  for (int k = 0; k < r->n_seeds; ++k) {
    const double *cop = r->baseline_values[TW_GAN_BASELINE_COPULA] + (size_t)k * (size_t)nv;
    const double *boot = r->baseline_values[TW_GAN_BASELINE_BOOTSTRAP] + (size_t)k * (size_t)nv;
    CHECK_NEAR(boot[tw_gan_v_privacy(r, 0)], 0.0, 0.0);
    CHECK_NEAR(boot[tw_gan_v_privacy(r, 2)], 0.0, 0.0);
    CHECK_MSG(cop[tw_gan_v_privacy(r, 0)] > 0.9, "draw %d: copula NewRowSynthesis %.4f", k, cop[tw_gan_v_privacy(r, 0)]);
    CHECK(cop[TW_GAN_V_SCORE] > 0.5 && cop[TW_GAN_V_SCORE] <= 1.0);
  }
}

static void test_report_seeds(void) {
  tw_gan_report plain, r;
  CHECK(run_mixed(&plain));
  CHECK(run_mixed(&r));
  int nv = tw_gan_report_n_values(&r);
  double *before = malloc((size_t)nv * sizeof *before), *after = malloc((size_t)nv * sizeof *after);
  tw_gan_report_values(&plain, before);
  CHECK_OK(tw_gan_report_baselines(&r, 3));
  tw_gan_report_values(&r, after);
  CHECK(memcmp(before, after, (size_t)nv * sizeof *before) == 0);
  check_draws(&r);
  char html[600], json[600], score[32];
  snprintf(html, sizeof html, "%s/gan_baseline_report.html", TW_BINARY_DIR);
  snprintf(json, sizeof json, "%s/gan_baseline_report.json", TW_BINARY_DIR);
  CHECK_OK(tw_gan_report_write_html(&r, html));
  CHECK_OK(tw_gan_report_write_json(&r, json));
  snprintf(score, sizeof score, "<td>%.4f</td>", r.score);
  CHECK_MSG(file_holds(html, score), "report.html lacks the quality score %s", score);
  CHECK(file_holds(html, "Gaussian copula") && file_holds(html, "bootstrap") && file_holds(html, "</html>"));
  CHECK(file_holds(json, "\"baselines\": {") && file_holds(json, "\"gaussian_copula\": {") &&
        file_holds(json, "\"bootstrap\": {") && file_holds(json, "\"seeds\": {"));
  free(before), free(after);
  tw_gan_report_free(&plain), tw_gan_report_free(&r);
}

/* The ridge model: y = 2x + small noise, a one-hot effect of d and the
** missing v; trained on rows of that relation it predicts other rows with
** R^2 > 0.95; trained on rows whose y is shuffled (no relation) R^2 < 0.05;
** NaN targets are left out (half the training y NaN changes nothing large). */
static void test_ridge(void) {
  tw_gan_table train, test;
  constructed(&train);
  CHECK_OK(tw_gan_table_alloc(&schema, N, &test));
  for (int j = 0; j < C; ++j) /* test: the same rows in reverse order */
    for (int64_t i = 0; i < N; ++i) test.data[(size_t)j * N + (size_t)i] = tw_gan_col(&train, j)[N - 1 - i];
  double *y = malloc(N * sizeof *y), *yt = malloc(N * sizeof *yt), *ys = malloc(N * sizeof *ys);
  for (int64_t i = 0; i < N; ++i) {
    tw_rng rng = tw_rng_make(3, (uint64_t)i, TW_RNG_TEST, 0);
    y[i] = 2 * tw_gan_col(&train, 0)[i] + tw_gan_col(&train, 4)[i] + 0.2 * tw_rng_normal(&rng);
    ys[(i * 7919) % N] = y[i]; /* a permutation: 7919 is prime, coprime with N */
  }
  for (int64_t i = 0; i < N; ++i) yt[i] = y[N - 1 - i];
  double r2, r2_shuffled, r2_half;
  int width;
  CHECK_OK(tw_gan_ridge_r2(&train, y, &test, yt, 1.0, &r2, &width));
  CHECK_OK(tw_gan_ridge_r2(&train, ys, &test, yt, 1.0, &r2_shuffled, &width));
  for (int64_t i = 0; i < N; i += 2) y[i] = NAN;
  CHECK_OK(tw_gan_ridge_r2(&train, y, &test, yt, 1.0, &r2_half, &width));
  printf("ridge: R^2 %.4f, shuffled targets %.4f, half the targets missing %.4f; %d features\n", r2, r2_shuffled, r2_half,
         width);
  CHECK_EQ_INT(width, 1 + 4 + 3); /* intercept, x y w v, 3 categories of d; the constant k left out */
  CHECK(r2 > 0.95 && r2_half > 0.95);
  CHECK(r2_shuffled < 0.05);
  free(y), free(yt), free(ys);
  tw_gan_table_free(&train), tw_gan_table_free(&test);
}

int main(void) {
  TW_TEST_RUN(test_ridge);
  TW_TEST_RUN(test_spread);
  TW_TEST_RUN(test_cholesky);
  TW_TEST_RUN(test_bootstrap);
  TW_TEST_RUN(test_smoothed);
  TW_TEST_RUN(test_smoothed_combo);
  TW_TEST_RUN(test_copula);
  TW_TEST_RUN(test_report_seeds);
  return TW_TEST_RESULT();
}
