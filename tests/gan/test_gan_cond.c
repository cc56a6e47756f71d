/*
** test_gan_cond.c: condition vectors (src/gan/cond.h) on a table of 1,000
** rows with two discrete columns, an integer `grp` (categories 1..4 with
** 600, 60, 6 and 334 rows) and a string `site` (north 500, south 400, east
** 100), and a continuous `x`:
** - training draws (200 steps x 500 rows): the column is uniform (each within
**   4 standard errors of 1/2); within a column the categories follow
**   log(1 + count) (chi-square below its 0.1 % point); the real row has the
**   chosen category and is uniform among them (grp = 3's six rows, chi-square);
**   the mask marks the chosen column; the vectors are one-hot at the column's
**   offset;
** - the same draws for the same (seed, step) with 1 and 2 OpenMP threads and
**   on a repeat, others for another step;
** - sampling without a condition: TW_GAN_COND_ORIGINAL follows the real
**   frequencies, TW_GAN_COND_LOG the log frequencies (chi-square);
** - `--condition NAME=VALUE`: the vector for grp=3 and site=south, and the
**   errors (TW_ERR_INPUT, one line): no '=', an unknown column (the message
**   names the discrete ones), a continuous column, an absent value (the
**   message names the present ones);
** - a table with no discrete column: TW_ERR_INPUT;
** - focus (`gan train`'s focus): with grp=3 at share 0.5, grp=3 is drawn
**   for 0.5 + 0.5 * 0.5 * p_log(3) of the rows (within 4 standard errors),
**   each with one of grp=3's six rows and the mask on grp; at share 0 the
**   draws are the unfocused sampler's bits; a continuous column is refused.
*/
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan/cond.h"
#include "tw_test.h"

#if defined(_OPENMP)
#include <omp.h>
#endif

enum { N = 1000, STEPS = 200, BATCH = 500 };
static const int grp_count[4] = {600, 60, 6, 334};
static const int site_count[3] = {500, 400, 100};
static const char *const sites[3] = {"north", "south", "east"};

static tw_gan_schema schema;
static tw_gan_table table;
static tw_gan_transformer tr;
static tw_gan_cond_sampler sampler;

static void add_column(const char *name, tw_gan_kind kind, int strings) {
  tw_gan_column *c = &schema.cols[schema.n_cols++];
  char ds[64];
  snprintf(ds, sizeof ds, "/cohort/covariates/%s", name);
  *c = (tw_gan_column){.name = strdup(name), .dataset = strdup(ds), .kind = kind, .strings = strings};
  if (!strings) return;
  c->labels = calloc(3, sizeof *c->labels);
  for (int k = 0; k < 3; ++k) c->labels[k] = strdup(sites[k]);
  c->n_labels = c->cap_labels = 3;
}

/* Rows interleaved so that categories are not contiguous blocks. */
static tw_status make_table(void) {
  schema.cols = calloc(3, sizeof *schema.cols);
  add_column("grp", TW_GAN_DISCRETE, 0);
  add_column("site", TW_GAN_DISCRETE, 1);
  add_column("x", TW_GAN_CONTINUOUS, 0);
  TW_TRY(tw_gan_table_alloc(&schema, N, &table));
  int g = 0, gi = 0, s = 0, si = 0;
  for (int64_t i = 0; i < N; ++i) {
    int64_t r = (i * 7919) % N; /* a permutation of the rows */
    while (gi == grp_count[g]) ++g, gi = 0;
    while (si == site_count[s]) ++s, si = 0;
    table.data[r] = g + 1, ++gi;
    table.data[N + r] = s, ++si;
    table.data[2 * N + r] = sin((double)i) * 10.0;
  }
  TW_TRY(tw_gan_transformer_fit(&table, 0, &tr));
  return tw_gan_cond_init(&tr, &table, &sampler);
}

/* Pearson's chi-square of counts against probabilities. */
static double chi_square(const int64_t *count, const double *p, int k) {
  int64_t n = 0;
  for (int q = 0; q < k; ++q) n += count[q];
  double x = 0.0;
  for (int q = 0; q < k; ++q) x += ((double)count[q] - n * p[q]) * ((double)count[q] - n * p[q]) / (n * p[q]);
  return x;
}

/* The 0.1 % points of chi-square with 1..5 degrees of freedom. */
static const double CHI2_999[6] = {0, 10.83, 13.82, 16.27, 18.47, 20.52};

static void log_probs(const int *count, int k, double *p) {
  double t = 0.0;
  for (int q = 0; q < k; ++q) t += log(count[q] + 1.0);
  for (int q = 0; q < k; ++q) p[q] = log(count[q] + 1.0) / t;
}

static void freq_probs(const int *count, int k, double *p) {
  double t = 0.0;
  for (int q = 0; q < k; ++q) t += count[q];
  for (int q = 0; q < k; ++q) p[q] = count[q] / t;
}

/* The column and category of a one-hot condition vector (grp 0..3 -> d 0, site -> d 1). */
static void decode_cond(const float *cond, int *d, int *q) {
  int ones = 0;
  for (int k = 0; k < sampler.cond_width; ++k)
    if (cond[k] == 1.0f) ++ones, *d = k < 4 ? 0 : 1, *q = k < 4 ? k : k - 4;
  if (ones != 1) *d = -1;
}

typedef struct tallies {
  int64_t col[2], grp[4], site[3], grp3_rows[N];
  int bad;
} tallies;

static void tally_batch(const float *cond, const float *mask, const int64_t *row, tallies *t) {
  for (int b = 0; b < BATCH; ++b) {
    int d, q;
    decode_cond(cond + b * sampler.cond_width, &d, &q);
    if (d < 0 || mask[b * 2 + d] != 1.0f || mask[b * 2 + 1 - d] != 0.0f) {
      t->bad++;
      continue;
    }
    t->col[d]++;
    double cell = table.data[(size_t)d * N + (size_t)row[b]];
    if (d == 0) t->grp[q]++, t->bad += cell != q + 1, t->grp3_rows[row[b]] += q == 2;
    else t->site[q]++, t->bad += cell != q;
  }
}

static void test_training_draws(void) {
  float *cond = malloc(BATCH * sizeof(float) * (size_t)sampler.cond_width), *mask = malloc(BATCH * 2 * sizeof(float));
  int64_t row[BATCH];
  tallies *t = calloc(1, sizeof *t);
  for (int s = 0; s < STEPS; ++s) {
    tw_gan_cond_train(&sampler, 42, (uint64_t)s, BATCH, cond, mask, row);
    tally_batch(cond, mask, row, t);
  }
  CHECK_EQ_INT(t->bad, 0);
  double n = STEPS * BATCH, se = sqrt(0.25 / n), pg[4], ps[3];
  CHECK_NEAR((double)t->col[0] / n, 0.5, 4 * se);
  log_probs(grp_count, 4, pg), log_probs(site_count, 3, ps);
  double xg = chi_square(t->grp, pg, 4), xs = chi_square(t->site, ps, 3);
  double pr[6] = {1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6};
  int64_t rows6[6];
  int k = 0;
  for (int64_t i = 0; i < N; ++i)
    if (table.data[i] == 3.0) rows6[k++] = t->grp3_rows[i];
  double xr = chi_square(rows6, pr, 6);
  printf("training draws: column grp %.4f; grp chi2 %.2f (df 3), site chi2 %.2f (df 2), grp=3 rows chi2 %.2f (df 5); "
         "grp drawn %lld %lld %lld %lld\n", (double)t->col[0] / n, xg, xs, xr, (long long)t->grp[0], (long long)t->grp[1],
         (long long)t->grp[2], (long long)t->grp[3]);
  CHECK_EQ_INT(k, 6);
  CHECK(xg < CHI2_999[3] && xs < CHI2_999[2] && xr < CHI2_999[5]);
  free(cond), free(mask), free(t);
}

static void draw_step(uint64_t step, float *cond, float *mask, int64_t *row) {
  tw_gan_cond_train(&sampler, 42, step, BATCH, cond, mask, row);
}

static void test_determinism(void) {
  size_t cw = BATCH * (size_t)sampler.cond_width;
  float *c1 = malloc(cw * sizeof *c1), *c2 = malloc(cw * sizeof *c2), m1[BATCH * 2], m2[BATCH * 2];
  int64_t r1[BATCH], r2[BATCH];
#if defined(_OPENMP)
  int was = omp_get_max_threads();
  omp_set_num_threads(1);
  draw_step(5, c1, m1, r1);
  omp_set_num_threads(2);
  draw_step(5, c2, m2, r2);
  omp_set_num_threads(was);
  CHECK(!memcmp(c1, c2, cw * sizeof *c1) && !memcmp(m1, m2, sizeof m1) && !memcmp(r1, r2, sizeof r1));
#endif
  draw_step(5, c1, m1, r1);
  draw_step(5, c2, m2, r2);
  CHECK(!memcmp(c1, c2, cw * sizeof *c1) && !memcmp(r1, r2, sizeof r1));
  draw_step(6, c2, m2, r2);
  CHECK(memcmp(r1, r2, sizeof r1));
  free(c1), free(c2);
}

static void sample_counts(tw_gan_cond_kind kind, int64_t *grp, int64_t *site) {
  int64_t n = 100000;
  float *cond = malloc((size_t)n * (size_t)sampler.cond_width * sizeof *cond);
  tw_gan_cond_sample(&sampler, kind, 3, 1000, n, cond);
  for (int64_t i = 0; i < n; ++i) {
    int d, q;
    decode_cond(cond + i * sampler.cond_width, &d, &q);
    if (d == 0) grp[q]++;
    else if (d == 1) site[q]++;
  }
  free(cond);
}

static void test_sampling(void) {
  double pg[4], ps[3];
  int64_t g[4] = {0}, s[3] = {0};
  sample_counts(TW_GAN_COND_ORIGINAL, g, s);
  freq_probs(grp_count, 4, pg), freq_probs(site_count, 3, ps);
  double xg = chi_square(g, pg, 4), xs = chi_square(s, ps, 3);
  printf("sampling, original frequencies: grp chi2 %.2f, site chi2 %.2f\n", xg, xs);
  CHECK(xg < CHI2_999[3] && xs < CHI2_999[2]);
  CHECK_NEAR((double)(g[0] + g[1] + g[2] + g[3]) / 100000.0, 0.5, 4 * sqrt(0.25 / 100000.0));
  int64_t g2[4] = {0}, s2[3] = {0};
  sample_counts(TW_GAN_COND_LOG, g2, s2);
  log_probs(grp_count, 4, pg), log_probs(site_count, 3, ps);
  xg = chi_square(g2, pg, 4), xs = chi_square(s2, ps, 3);
  printf("sampling, log frequencies (CTGAN's sample_original_condvec): grp chi2 %.2f, site chi2 %.2f\n", xg, xs);
  CHECK(xg < CHI2_999[3] && xs < CHI2_999[2]);
}

static void expect_error(const char *text, const char *words) {
  float cond[16];
  CHECK_STATUS(tw_gan_cond_fixed(&tr, text, cond, NULL, NULL), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), words) && !strchr(tw_error_message(), '\n'), "%s: %s", text,
            tw_error_message());
  tw_error_clear();
}

static void test_fixed(void) {
  float cond[16];
  int d;
  int64_t q;
  CHECK_EQ_INT(sampler.cond_width, 7);
  CHECK_OK(tw_gan_cond_fixed(&tr, "grp=3", cond, &d, &q));
  CHECK(d == 0 && q == 2 && cond[2] == 1.0f);
  for (int k = 0; k < 7; ++k) CHECK(cond[k] == (k == 2 ? 1.0f : 0.0f));
  CHECK_OK(tw_gan_cond_fixed(&tr, "site=south", cond, &d, &q));
  CHECK(d == 1 && q == 1 && cond[4 + 1] == 1.0f);
  expect_error("grp", "expected NAME=VALUE");
  expect_error("=3", "expected NAME=VALUE");
  expect_error("nope=1", "the discrete columns are: grp, site");
  expect_error("x=1", "x is continuous");
  expect_error("grp=5", "it has: 1, 2, 3, 4");
  expect_error("site=west", "it has: north, south, east");
  expect_error("grp=1.5", "no such value");
}

static void test_focus(void) {
  size_t cw = BATCH * (size_t)sampler.cond_width;
  float *c0 = malloc(cw * sizeof *c0), *c1 = malloc(cw * sizeof *c1), m0[BATCH * 2], m1[BATCH * 2];
  int64_t r0[BATCH], r1[BATCH];
  draw_step(9, c0, m0, r0);
  CHECK_OK(tw_gan_cond_focus(&sampler, &tr, "grp=3", 0.0));
  draw_step(9, c1, m1, r1);
  CHECK(!memcmp(c0, c1, cw * sizeof *c0) && !memcmp(m0, m1, sizeof m0) && !memcmp(r0, r1, sizeof r0));
  CHECK_OK(tw_gan_cond_focus(&sampler, &tr, "grp=3", 0.5));
  tallies *t = calloc(1, sizeof *t);
  for (int s = 0; s < STEPS; ++s) {
    draw_step((uint64_t)s, c1, m1, r1);
    tally_batch(c1, m1, r1, t);
  }
  double pg[4], n = STEPS * BATCH;
  log_probs(grp_count, 4, pg);
  const double want = 0.5 + 0.25 * pg[2], got = (double)t->grp[2] / n;
  printf("focus grp=3 at share 0.5: drawn %.4f of rows (expected %.4f)\n", got, want);
  CHECK_EQ_INT(t->bad, 0);
  CHECK_NEAR(got, want, 4 * sqrt(want * (1 - want) / n));
  sampler.focus_share = 0.0;
  CHECK_STATUS(tw_gan_cond_focus(&sampler, &tr, "x=1", 0.5), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "x is continuous") && sampler.focus_share == 0.0);
  tw_error_clear();
  free(c0), free(c1), free(t);
}

static void test_no_discrete(void) {
  tw_gan_schema s = {0};
  s.cols = calloc(1, sizeof *s.cols);
  s.cols[0] = (tw_gan_column){.name = strdup("x"), .dataset = strdup("/cohort/covariates/x"), .kind = TW_GAN_CONTINUOUS};
  s.n_cols = 1;
  tw_gan_table t;
  CHECK_OK(tw_gan_table_alloc(&s, 10, &t));
  for (int i = 0; i < 10; ++i) t.data[i] = i;
  tw_gan_transformer x;
  tw_gan_cond_sampler cs;
  CHECK_OK(tw_gan_transformer_fit(&t, 0, &x));
  CHECK_STATUS(tw_gan_cond_init(&x, &t, &cs), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "no discrete column"));
  tw_error_clear();
  tw_gan_transformer_free(&x);
  tw_gan_table_free(&t);
  tw_gan_schema_free(&s);
}

int main(void) {
  if (make_table() != TW_OK) {
    fprintf(stderr, "setup: %s\n", tw_error_message());
    return 1;
  }
  TW_TEST_RUN(test_training_draws);
  TW_TEST_RUN(test_determinism);
  TW_TEST_RUN(test_sampling);
  TW_TEST_RUN(test_fixed);
  TW_TEST_RUN(test_focus);
  TW_TEST_RUN(test_no_discrete);
  tw_gan_cond_free(&sampler);
  tw_gan_transformer_free(&tr);
  tw_gan_table_free(&table);
  tw_gan_schema_free(&schema);
  return TW_TEST_RESULT();
}
