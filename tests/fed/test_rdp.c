/*
** test_rdp.c: the RDP accountant (src/fed/rdp.c) against Opacus' (fixtures of
** validation/privacy_opacus.py in tests/data/privacy):
**   acceptance  q 0.04, sigma 1.5, 2250 steps, delta 1e-5: 7.32911117143 to 1e-8
**   epsilon     every row of rdp_epsilon.txt: epsilon to 1e-9 relative, the same
**               best order
**   sigma       every row of rdp_sigma.txt: the smallest sigma to 1e-6 relative,
**               and it meets the budget while 1e-6 less does not
**   ledger      the composed history of rdp_ledger.txt: the same merged entries,
**               epsilon to 1e-9; fits() says yes below the budget, no above
**   bad         q outside (0, 1], sigma <= 0, steps < 0, delta outside (0, 1),
**               a non-positive target: TW_ERR_INPUT, each message naming it
** Prints the largest relative errors measured (docs/privacy.md quotes them).
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fed/rdp.h"
#include "tw_test.h"

static FILE *open_fixture(const char *name) {
  char path[1024];
  snprintf(path, sizeof path, "%s/privacy/%s", TW_TEST_DATA_DIR, name);
  FILE *f = fopen(path, "r");
  if (!f) fprintf(stderr, "cannot open %s\n", path);
  return f;
}

/* Skips '#' comment lines; returns the next data line in buf, or 0 at the end. */
static int next_line(FILE *f, char *buf, int n) {
  while (fgets(buf, n, f))
    if (buf[0] != '#' && buf[0] != '\n') return 1;
  return 0;
}

static double rel(double a, double b) { return fabs(a - b) / fabs(b); }

static void acceptance(void) {
  double eps, order;
  CHECK_OK(tw_rdp_sgm_epsilon(0.04, 1.5, 2250, 1e-5, &eps, &order));
  fprintf(stderr, "  acceptance: epsilon %.17g, order %g, relative error %.2e to 7.32911117143\n", eps, order,
          rel(eps, 7.32911117143));
  CHECK(rel(eps, 7.32911117143) <= 1e-8);
  CHECK(order == 3.9);
}

/* Calls row() on each data line of fixture `name` until a check fails; returns
** the rows read. row() updates *worst, the largest relative error. */
static int each_row(const char *name, void (*row)(const char *line, double *worst), double *worst) {
  FILE *f = open_fixture(name);
  int rows = 0;
  char line[512];
  *worst = 0.0;
  if (!f) {
    tw_test_case_failed_ = 1;
    return 0;
  }
  while (!tw_test_case_failed_ && next_line(f, line, sizeof line)) {
    row(line, worst);
    ++rows;
  }
  fclose(f);
  return rows;
}

/* q sigma steps delta -> epsilon order */
static void epsilon_row(const char *line, double *worst) {
  double q, sigma, delta, want, want_order, eps, order;
  long long steps;
  CHECK(sscanf(line, "%lf %lf %lld %lf %lf %lf", &q, &sigma, &steps, &delta, &want, &want_order) == 6);
  CHECK_OK(tw_rdp_sgm_epsilon(q, sigma, steps, delta, &eps, &order));
  double r = rel(eps, want);
  *worst = r > *worst ? r : *worst;
  CHECK_MSG(r <= 1e-9, "q %g sigma %g steps %lld delta %g: epsilon %.17g, Opacus %.17g (rel %.2e)", q, sigma, steps,
            delta, eps, want, r);
  CHECK_MSG(order == want_order, "q %g sigma %g: order %g, Opacus %g", q, sigma, order, want_order);
}

static void epsilon_table(void) {
  double worst;
  int rows = each_row("rdp_epsilon.txt", epsilon_row, &worst);
  fprintf(stderr, "  epsilon: %d rows, largest relative error %.2e\n", rows, worst);
  CHECK(rows >= 30);
}

/* epsilon delta q steps -> sigma (and Opacus' coarse sigma, unused) */
static void sigma_row(const char *line, double *worst) {
  double target, delta, q, want, coarse, sigma, e_at, e_below, order;
  long long steps;
  CHECK(sscanf(line, "%lf %lf %lf %lld %lf %lf", &target, &delta, &q, &steps, &want, &coarse) == 6);
  CHECK_OK(tw_rdp_sgm_sigma(q, steps, delta, target, &sigma));
  CHECK_OK(tw_rdp_sgm_epsilon(q, sigma, steps, delta, &e_at, &order));
  CHECK_OK(tw_rdp_sgm_epsilon(q, sigma * (1 - 1e-6), steps, delta, &e_below, &order));
  double r = rel(sigma, want);
  *worst = r > *worst ? r : *worst;
  CHECK_MSG(r <= 1e-6, "epsilon %g: sigma %.17g, reference %.17g (rel %.2e)", target, sigma, want, r);
  CHECK_MSG(e_at <= target && e_below > target, "epsilon %g: sigma %.17g gives %.17g, 1e-6 less %.17g", target,
            sigma, e_at, e_below);
}

static void sigma_table(void) {
  double worst;
  int rows = each_row("rdp_sigma.txt", sigma_row, &worst);
  fprintf(stderr, "  sigma: %d rows, largest relative error %.2e\n", rows, worst);
  CHECK(rows >= 8);
}

static void ledger(void) {
  FILE *f = open_fixture("rdp_ledger.txt");
  CHECK(f);
  char line[512];
  int n = 0;
  CHECK(next_line(f, line, sizeof line) && sscanf(line, "%d", &n) == 1 && n > 0 && n < 64);
  tw_rdp_entry want[64];
  tw_rdp_ledger l = {0};
  for (int i = 0; i < n; ++i) {
    long long steps;
    CHECK(next_line(f, line, sizeof line) && sscanf(line, "%lf %lf %lld", &want[i].sigma, &want[i].q, &steps) == 3);
    want[i].steps = steps;
    /* the history taken in two halves: merging must rebuild Opacus' entries */
    CHECK_OK(tw_rdp_ledger_add(&l, want[i].q, want[i].sigma, steps / 2));
    CHECK_OK(tw_rdp_ledger_add(&l, want[i].q, want[i].sigma, steps - steps / 2));
  }
  double delta, want_eps, want_order, eps, order;
  CHECK(next_line(f, line, sizeof line) && sscanf(line, "%lf %lf %lf", &delta, &want_eps, &want_order) == 3);
  fclose(f);
  CHECK_EQ_INT(l.n, n);
  for (int i = 0; i < n; ++i) CHECK(l.e[i].q == want[i].q && l.e[i].sigma == want[i].sigma && l.e[i].steps == want[i].steps);
  CHECK_OK(tw_rdp_ledger_epsilon(&l, delta, &eps, &order));
  fprintf(stderr, "  ledger: %d entries, epsilon %.17g (Opacus %.17g, rel %.2e), order %g\n", n, eps, want_eps,
          rel(eps, want_eps), order);
  CHECK(rel(eps, want_eps) <= 1e-9 && order == want_order);
  int fits = -1;
  CHECK_OK(tw_rdp_ledger_fits(&l, 0.01, 1.0, 10, delta, eps + 1.0, &fits));
  CHECK_EQ_INT(fits, 1);
  CHECK_OK(tw_rdp_ledger_fits(&l, 0.01, 1.0, 10, delta, eps, &fits)); /* more steps spend more */
  CHECK_EQ_INT(fits, 0);
  CHECK_EQ_INT(l.n, n); /* asking changes nothing */
  tw_rdp_ledger_free(&l);
  tw_rdp_ledger empty = {0};
  CHECK_OK(tw_rdp_ledger_epsilon(&empty, delta, &eps, &order));
  CHECK(eps == 0.0);
}

/* A call that must fail as bad input with `needle` in its message. */
#define CHECK_BAD(call, needle)                                                          \
  do {                                                                                   \
    CHECK_STATUS(call, TW_ERR_INPUT);                                                    \
    CHECK_MSG(strstr(tw_error_message(), needle), "message '%s' lacks '%s'", tw_error_message(), needle); \
    tw_error_clear();                                                                    \
  } while (0)

static void bad_input(void) {
  double eps, order, sigma;
  CHECK_BAD(tw_rdp_sgm_epsilon(0.0, 1.0, 10, 1e-5, &eps, &order), "sampling rate q = 0");
  CHECK_BAD(tw_rdp_sgm_epsilon(1.5, 1.0, 10, 1e-5, &eps, &order), "q = 1.5 is outside (0, 1]");
  CHECK_BAD(tw_rdp_sgm_epsilon(0.1, 0.0, 10, 1e-5, &eps, &order), "sigma = 0 must be > 0");
  CHECK_BAD(tw_rdp_sgm_epsilon(0.1, -1.0, 10, 1e-5, &eps, &order), "sigma = -1");
  CHECK_BAD(tw_rdp_sgm_epsilon(0.1, 1.0, -1, 1e-5, &eps, &order), "steps = -1");
  CHECK_BAD(tw_rdp_sgm_epsilon(0.1, 1.0, 10, 0.0, &eps, &order), "delta = 0 is outside (0, 1)");
  CHECK_BAD(tw_rdp_sgm_epsilon(0.1, 1.0, 10, 1.0, &eps, &order), "delta = 1");
  CHECK_BAD(tw_rdp_sgm_sigma(0.1, 100, 1e-5, 0.0, &sigma), "target epsilon = 0");
  CHECK_BAD(tw_rdp_sgm_sigma(2.0, 100, 1e-5, 1.0, &sigma), "q = 2");
  CHECK_BAD(tw_rdp_sgm_sigma(0.1, 100, 1e-5, 1e-9, &sigma), "out of reach");
  tw_rdp_ledger l = {0};
  CHECK_BAD(tw_rdp_ledger_add(&l, 0.1, 0.0, 1), "sigma = 0");
  CHECK_EQ_INT(l.n, 0);
}

int main(void) {
  TW_TEST_RUN(acceptance);
  TW_TEST_RUN(epsilon_table);
  TW_TEST_RUN(sigma_table);
  TW_TEST_RUN(ledger);
  TW_TEST_RUN(bad_input);
  return TW_TEST_RESULT();
}
