/*
** test_gan_vgm.c: the variational Gaussian mixture (src/gan/vgm.h) against
** scikit-learn 1.9.1's BayesianGaussianMixture, from the fixture
** tests/data/gan/vgm/vgm_reference.txt that validation/gan_vgm_reference.py
** wrote: for each column, twinscale's deterministic k-means gives sklearn's
** KMeans labels from the same centres; the fit from the fixture's labels
** takes sklearn's number of iterations and converges (or not) as sklearn's;
** the lower bound after every iteration, the weights, means, covariances and
** posterior probabilities agree within the tolerances below (the largest
** differences are printed). Also the fit's input errors.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gan/vgm.h"
#include "tw_test.h"

/* Relative tolerance on the bound and the parameters, absolute on the
** probabilities (measured differences are far below; see docs/gan.md). */
#define TOL_REL 1e-9
#define TOL_PROB 1e-9

typedef struct ref_case {
  char name[32];
  int64_t n;
  int k, n_iter, converged;
  double *x, *bounds, *grid, *proba;
  int32_t *labels;
  double weights[TW_VGM_MAX_COMPONENTS], means[TW_VGM_MAX_COMPONENTS], covs[TW_VGM_MAX_COMPONENTS];
} ref_case;

static int read_key(FILE *f, const char *key) {
  char got[32];
  return fscanf(f, "%31s", got) == 1 && !strcmp(got, key);
}

static int read_doubles(FILE *f, const char *key, double *out, int64_t n) {
  if (!read_key(f, key)) return 0;
  for (int64_t i = 0; i < n; ++i)
    if (fscanf(f, "%lf", &out[i]) != 1) return 0;
  return 1;
}

/* One case of the fixture; 0 at the end of the file. */
static int read_case(FILE *f, ref_case *c) {
  long long n;
  if (!read_key(f, "case") || fscanf(f, "%31s %lld %d", c->name, &n, &c->k) != 3) return 0;
  c->n = n;
  c->x = malloc((size_t)n * sizeof *c->x);
  c->labels = malloc((size_t)n * sizeof *c->labels);
  c->bounds = malloc(100 * sizeof *c->bounds);
  c->grid = malloc(7 * sizeof *c->grid);
  c->proba = malloc(7 * (size_t)c->k * sizeof *c->proba);
  if (!read_doubles(f, "x", c->x, n) || !read_key(f, "labels")) return 0;
  for (int64_t i = 0; i < n; ++i)
    if (fscanf(f, "%d", &c->labels[i]) != 1) return 0;
  if (!read_key(f, "n_iter") || fscanf(f, "%d", &c->n_iter) != 1 || !read_key(f, "converged") ||
      fscanf(f, "%d", &c->converged) != 1)
    return 0;
  return read_doubles(f, "lower_bounds", c->bounds, c->n_iter) && read_doubles(f, "weights", c->weights, c->k) &&
         read_doubles(f, "means", c->means, c->k) && read_doubles(f, "covariances", c->covs, c->k) &&
         read_doubles(f, "grid", c->grid, 7) && read_doubles(f, "proba", c->proba, 7 * c->k);
}

static void free_case(ref_case *c) {
  free(c->x), free(c->labels), free(c->bounds), free(c->grid), free(c->proba);
}

static double rel(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-300); }

/* Largest differences over all cases, printed at the end. */
static double max_bound, max_param, max_prob;
static int64_t label_diff;

static void compare_fit(const ref_case *c, const tw_vgm *m, const double *bounds) {
  CHECK_EQ_INT(m->k, c->k);
  CHECK_EQ_INT(m->n_iter, c->n_iter);
  CHECK_EQ_INT(m->converged, c->converged);
  for (int it = 0; it < c->n_iter; ++it) {
    max_bound = fmax(max_bound, rel(bounds[it], c->bounds[it]));
    CHECK_MSG(rel(bounds[it], c->bounds[it]) <= TOL_REL, "%s: bound %d: %.17g vs %.17g", c->name, it + 1, bounds[it],
              c->bounds[it]);
  }
  for (int j = 0; j < c->k; ++j) {
    double d = fmax(fabs(m->weight[j] - c->weights[j]), fmax(rel(m->mean[j], c->means[j]), rel(m->var[j], c->covs[j])));
    max_param = fmax(max_param, d);
    CHECK_MSG(fabs(m->weight[j] - c->weights[j]) <= TOL_REL, "%s: weight %d: %.17g vs %.17g", c->name, j,
              m->weight[j], c->weights[j]);
    CHECK_MSG(rel(m->mean[j], c->means[j]) <= TOL_REL, "%s: mean %d: %.17g vs %.17g", c->name, j, m->mean[j], c->means[j]);
    CHECK_MSG(rel(m->var[j], c->covs[j]) <= TOL_REL, "%s: variance %d: %.17g vs %.17g", c->name, j, m->var[j], c->covs[j]);
  }
  double prob[TW_VGM_MAX_COMPONENTS];
  for (int g = 0; g < 7; ++g) {
    tw_vgm_posterior(m, c->grid[g], prob);
    for (int j = 0; j < c->k; ++j) {
      max_prob = fmax(max_prob, fabs(prob[j] - c->proba[g * c->k + j]));
      CHECK_MSG(fabs(prob[j] - c->proba[g * c->k + j]) <= TOL_PROB, "%s: P(%d | %g): %.17g vs %.17g", c->name, j,
                c->grid[g], prob[j], c->proba[g * c->k + j]);
    }
  }
}

static void check_case(const ref_case *c) {
  int32_t *mine = malloc((size_t)c->n * sizeof *mine);
  CHECK_OK(tw_vgm_kmeans(c->x, c->n, c->k, mine));
  int64_t differ = 0;
  for (int64_t i = 0; i < c->n; ++i) differ += mine[i] != c->labels[i];
  free(mine);
  label_diff += differ;
  CHECK_MSG(differ == 0, "%s: %lld k-means labels differ from sklearn's", c->name, (long long)differ);
  tw_vgm_options opt = TW_VGM_DEFAULTS;
  tw_vgm m;
  double bounds[100];
  CHECK_OK(tw_vgm_fit(c->x, c->n, c->labels, &opt, &m, bounds));
  compare_fit(c, &m, bounds);
}

static void test_against_sklearn(void) {
  FILE *f = fopen(TW_TEST_DATA_DIR "/gan/vgm/vgm_reference.txt", "r");
  CHECK(f);
  char line[256];
  CHECK(fgets(line, sizeof line, f)); /* the header comment */
  int cases = 0;
  ref_case c;
  for (;;) {
    memset(&c, 0, sizeof c);
    if (!read_case(f, &c)) break;
    check_case(&c);
    free_case(&c);
    ++cases;
    if (tw_test_case_failed_) break;
    memset(&c, 0, sizeof c);
  }
  free_case(&c); /* the partial read at the end of the file (or nothing) */
  fclose(f);
  printf("vgm vs sklearn: %d cases; max relative difference: lower bound %.3g, parameters %.3g; "
         "probabilities %.3g; k-means labels differing %lld\n",
         cases, max_bound, max_param, max_prob, (long long)label_diff);
  CHECK_EQ_INT(cases, 6);
}

static void test_input_errors(void) {
  tw_vgm_options opt = TW_VGM_DEFAULTS;
  tw_vgm m;
  double x[3] = {1.0, NAN, 2.0};
  int32_t lab[3] = {0, 0, 0};
  CHECK_STATUS(tw_vgm_fit(x, 1, lab, &opt, &m, NULL), TW_ERR_INPUT);
  CHECK_STATUS(tw_vgm_fit(x, 3, lab, &opt, &m, NULL), TW_ERR_INPUT);
  x[1] = 1.5;
  lab[2] = 3; /* K = min(10, 3) = 3: labels 0..2 */
  CHECK_STATUS(tw_vgm_fit(x, 3, lab, &opt, &m, NULL), TW_ERR_INPUT);
  lab[2] = 2;
  CHECK_OK(tw_vgm_fit(x, 3, lab, &opt, &m, NULL));
  CHECK_EQ_INT(m.k, 3);
}

int main(void) {
  TW_TEST_RUN(test_against_sklearn);
  TW_TEST_RUN(test_input_errors);
  return TW_TEST_RESULT();
}
