/*
** test_dp_sgd.c: the DP-SGD step (src/train/dp_sgd.c) against Opacus' DPOptimizer,
** with the noise replaced by supplied numbers (fixtures dp_sgd_N.txt of
** validation/privacy_opacus.py):
**   opacus   for each case the float32 step gives Opacus' p.grad, per-example
**            norms and clip factors bit for bit (every element compared as bits)
**   f64      the float64 step on the same numbers: its norms equal the plain
**            double norm sqrt(sum g^2) to 1e-13, its result Opacus' float32 one
**            to float32 rounding (1e-5 of the result's norm)
**   poisson  Poisson sampling: the same (seed, step, id) gives the same answer,
**            q = 1 takes every example, q = 0.01 of 100,000 takes 1000 +- 160
**            (5 sd), two steps draw different batches, batch() lists take()'s ids
**   bad      C <= 0, sigma < 0, expected batch 0, tensor sizes not adding up to
**            P: TW_ERR_INPUT
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "train/dp_sgd.h"
#include "tw_test.h"

enum { MAX_B = 64, MAX_P = 512, MAX_T = 32 };

typedef struct dp_case {
  int B, P, T;
  long long E;
  double C, sigma;
  int64_t sizes[MAX_T];
  float g[MAX_B * MAX_P], z[MAX_P], out[MAX_P], norm[MAX_B], factor[MAX_B];
} dp_case;

static int read_floats(FILE *f, float *x, int n) {
  for (int i = 0; i < n; ++i) {
    char tok[64];
    if (fscanf(f, "%63s", tok) != 1) return 0;
    x[i] = (float)strtod(tok, NULL); /* hex floats: exact */
  }
  return 1;
}

/* Reads tests/data/privacy/dp_sgd_<k>.txt; 0 when it is missing or malformed. */
static int read_case(int k, dp_case *c) {
  char path[1024], line[256];
  snprintf(path, sizeof path, "%s/privacy/dp_sgd_%d.txt", TW_TEST_DATA_DIR, k);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  int ok = 0;
  long pos = ftell(f);
  while (fgets(line, sizeof line, f) && line[0] == '#') pos = ftell(f);
  fseek(f, pos, SEEK_SET);
  if (fscanf(f, "%d %d %d %lld %lf %lf", &c->B, &c->P, &c->T, &c->E, &c->C, &c->sigma) == 6 && c->B <= MAX_B &&
      c->P <= MAX_P && c->T <= MAX_T) {
    ok = 1;
    for (int t = 0; t < c->T && ok; ++t) {
      long long s;
      ok = fscanf(f, "%lld", &s) == 1;
      c->sizes[t] = s;
    }
    ok = ok && read_floats(f, c->g, c->B * c->P) && read_floats(f, c->z, c->P) && read_floats(f, c->out, c->P) &&
         read_floats(f, c->norm, c->B) && read_floats(f, c->factor, c->B);
  }
  fclose(f);
  return ok;
}

/* Elements of a and b (n) whose bits differ. */
static int bits_differ(const float *a, const float *b, int n) {
  int d = 0;
  for (int i = 0; i < n; ++i) d += memcmp(&a[i], &b[i], sizeof(float)) != 0;
  return d;
}

static dp_case cs; /* large: static */

static void opacus_cases(void) {
  for (int k = 1; k <= 4; ++k) {
    CHECK_MSG(read_case(k, &cs), "cannot read dp_sgd_%d.txt", k);
    tw_dp_sgd p = {cs.C, cs.sigma, cs.E};
    float out[MAX_P], norm[MAX_B], factor[MAX_B];
    CHECK_OK(tw_dp_sgd_step_f32(&p, cs.B, cs.P, cs.g, cs.T, cs.sizes, cs.z, out, norm, factor));
    int dn = bits_differ(norm, cs.norm, cs.B), df = bits_differ(factor, cs.factor, cs.B);
    int dout = bits_differ(out, cs.out, cs.P), clipped = 0;
    for (int i = 0; i < cs.B; ++i) clipped += factor[i] < 1.0f;
    fprintf(stderr, "  case %d: B=%d P=%d tensors=%d, %d clipped: %d norms, %d factors, %d of %d outputs differ in bits\n",
            k, cs.B, cs.P, cs.T, clipped, dn, df, dout, cs.P);
    CHECK(dn == 0 && df == 0 && dout == 0);
  }
}

static void f64(void) {
  CHECK(read_case(4, &cs));
  static double g[MAX_B * MAX_P];
  double z[MAX_P], out[MAX_P], norm[MAX_B], factor[MAX_B];
  for (int i = 0; i < cs.B * cs.P; ++i) g[i] = cs.g[i];
  for (int j = 0; j < cs.P; ++j) z[j] = cs.z[j];
  tw_dp_sgd p = {cs.C, cs.sigma, cs.E};
  CHECK_OK(tw_dp_sgd_step_f64(&p, cs.B, cs.P, g, cs.T, cs.sizes, z, out, norm, factor));
  double worst = 0.0, diff = 0.0, size = 0.0;
  for (int i = 0; i < cs.B; ++i) {
    double s = 0.0;
    for (int j = 0; j < cs.P; ++j) s += g[i * cs.P + j] * g[i * cs.P + j];
    worst = fmax(worst, fabs(norm[i] - sqrt(s)) / sqrt(s));
  }
  for (int j = 0; j < cs.P; ++j) {
    diff += (out[j] - cs.out[j]) * (out[j] - cs.out[j]);
    size += out[j] * out[j];
  }
  fprintf(stderr, "  f64: norms within %.2e of sqrt(sum g^2); result within %.2e of Opacus' float32 (relative norm)\n",
          worst, sqrt(diff / size));
  CHECK(worst <= 1e-13);
  CHECK(sqrt(diff / size) <= 1e-5);
}

static void poisson(void) {
  enum { N = 100000 };
  static uint64_t ids[N], ids2[N];
  CHECK_EQ_INT(tw_dp_poisson_batch(7, 0, 0, N, 1.0, ids), N);
  int64_t k = tw_dp_poisson_batch(7, 3, 1000, N, 0.01, ids);
  int64_t k2 = tw_dp_poisson_batch(7, 3, 1000, N, 0.01, ids2);
  fprintf(stderr, "  poisson: q 0.01 of %d ids: %lld taken\n", N, (long long)k);
  CHECK(k == k2 && !memcmp(ids, ids2, (size_t)k * sizeof *ids));
  CHECK(llabs((long long)k - 1000) <= 160);
  for (int64_t i = 0; i < k; ++i) CHECK(tw_dp_poisson_take(7, 3, ids[i], 0.01) && ids[i] >= 1000);
  int64_t k3 = tw_dp_poisson_batch(7, 4, 1000, N, 0.01, ids2);
  CHECK(k3 != k || memcmp(ids, ids2, (size_t)k * sizeof *ids));
  int64_t k4 = tw_dp_poisson_batch(8, 3, 1000, N, 0.01, ids2); /* another seed */
  CHECK(k4 != k || memcmp(ids, ids2, (size_t)k * sizeof *ids));
}

static void bad(void) {
  float g[4] = {1, 2, 3, 4}, z[2] = {0, 0}, out[2];
  int64_t sizes[2] = {1, 1}, wrong[2] = {1, 2};
  tw_dp_sgd ok = {1.0, 1.0, 2};
  CHECK_OK(tw_dp_sgd_step_f32(&ok, 2, 2, g, 2, sizes, z, out, NULL, NULL));
  tw_dp_sgd c0 = {0.0, 1.0, 2}, sn = {1.0, -1.0, 2}, e0 = {1.0, 1.0, 0};
  CHECK_STATUS(tw_dp_sgd_step_f32(&c0, 2, 2, g, 2, sizes, z, out, NULL, NULL), TW_ERR_INPUT);
  CHECK_STATUS(tw_dp_sgd_step_f32(&sn, 2, 2, g, 2, sizes, z, out, NULL, NULL), TW_ERR_INPUT);
  CHECK_STATUS(tw_dp_sgd_step_f32(&e0, 2, 2, g, 2, sizes, z, out, NULL, NULL), TW_ERR_INPUT);
  CHECK_STATUS(tw_dp_sgd_step_f32(&ok, 2, 2, g, 2, wrong, z, out, NULL, NULL), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "add up to 3"));
  tw_error_clear();
}

int main(void) {
  TW_TEST_RUN(opacus_cases);
  TW_TEST_RUN(f64);
  TW_TEST_RUN(poisson);
  TW_TEST_RUN(bad);
  return TW_TEST_RESULT();
}
