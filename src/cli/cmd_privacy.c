/*
** cmd_privacy.c: `twinscale privacy epsilon` and `twinscale privacy sigma`: the
** privacy accountant of DP-SGD (src/fed/rdp.h) on the command line.
**
**   privacy epsilon --q Q --sigma S --steps T --delta D [--json]
**       epsilon = X (order A)          or {"epsilon": X, "order": A}
**   privacy sigma --epsilon E --delta D --q Q --steps T [--json]
**       sigma = X                      or {"sigma": X}
**
** The numbers pass the option parser as text, unbounded, so that the
** accountant's own check names what is wrong ("sampling rate q = 1.5 is outside (0, 1]"); every
** bad input is one line on stderr and exit status 2. Needs no YAML, HDF5 or MPI.
*/
#include <math.h>   /* isfinite */
#include <stdio.h>  /* printf, snprintf, sscanf */
#include <stdlib.h> /* strtod */

#include "cli/cli.h"
#include "cli/options.h" /* tw_opts_parse_named */
#include "core/json.h"   /* the --json output */
#include "fed/rdp.h"     /* the accountant */

/* The numbers are read as text and converted here, so that any finite number
** reaches the accountant, whose check names the range. */
#define NUMBER_OPT(nm, text) {.name = nm, .kind = TW_OPT_STRING, .dest = &(text), .required = 1}
#define STEPS_OPT(var) {.name = "steps", .kind = TW_OPT_INT, .dest = &(var), .min = -1e18, .max = 1e15, .required = 1}

/* "--q must be a number, got '1x'": 2; else 0 with *x set. */
static int to_number(const char *cmd, const char *name, const char *text, double *x) {
  char *end = NULL;
  *x = strtod(text, &end);
  if (end == text || *end || !isfinite(*x)) return tw_cli_usage_error("%s: --%s must be a number, got '%s'", cmd, name, text);
  return 0;
}

/* An accountant failure: "twinscale: privacy epsilon: <message>", its exit status. */
static int fail(const char *cmd, tw_status st) {
  tw_cli_usage_error("%s: %s", cmd, tw_error_message());
  tw_error_clear();
  return tw_status_exit_code(st);
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v (as the JSON writer). */
static const char *full(double v, char *buf, size_t n) {
  for (int digits = 15; digits <= 17; ++digits) {
    snprintf(buf, n, "%.*g", digits, v);
    double back = 0.0;
    if (sscanf(buf, "%lf", &back) == 1 && back == v) break;
  }
  return buf;
}

/* One JSON object {"k0": v0[, "k1": v1]} on stdout. */
static int print_json(const char *cmd, const char *k0, double v0, const char *k1, double v1) {
  tw_json_writer w;
  tw_json_init(&w, stdout);
  tw_json_begin_object(&w);
  tw_json_key(&w, k0);
  tw_json_number(&w, v0);
  if (k1) {
    tw_json_key(&w, k1);
    tw_json_number(&w, v1);
  }
  tw_json_end_object(&w);
  tw_status st = tw_json_finish(&w, "standard output");
  return st == TW_OK ? 0 : fail(cmd, st);
}

int tw_cmd_privacy_epsilon(int argc, char **argv) {
  const char *tq = NULL, *ts = NULL, *td = NULL, *cmd = "privacy epsilon";
  int64_t steps = 0;
  int json = 0;
  const tw_opt opts[] = {NUMBER_OPT("q", tq), NUMBER_OPT("sigma", ts), STEPS_OPT(steps), NUMBER_OPT("delta", td),
                         {.name = "json", .kind = TW_OPT_FLAG, .dest = &json}};
  double q, sigma, delta;
  int bad = tw_opts_parse_named(cmd, opts, TW_ARRAY_LEN(opts), argc, argv);
  if (!bad) bad = to_number(cmd, "q", tq, &q) || to_number(cmd, "sigma", ts, &sigma) || to_number(cmd, "delta", td, &delta);
  if (bad) return 2;
  double eps, order;
  tw_status st = tw_rdp_sgm_epsilon(q, sigma, steps, delta, &eps, &order);
  if (st != TW_OK) return fail(cmd, st);
  if (json) return print_json(cmd, "epsilon", eps, "order", order);
  char buf[40];
  printf("epsilon = %s (order %g)\n", full(eps, buf, sizeof buf), order);
  return 0;
}

int tw_cmd_privacy_sigma(int argc, char **argv) {
  const char *te = NULL, *td = NULL, *tq = NULL, *cmd = "privacy sigma";
  int64_t steps = 0;
  int json = 0;
  const tw_opt opts[] = {NUMBER_OPT("epsilon", te), NUMBER_OPT("delta", td), NUMBER_OPT("q", tq), STEPS_OPT(steps),
                         {.name = "json", .kind = TW_OPT_FLAG, .dest = &json}};
  double epsilon, delta, q;
  int bad = tw_opts_parse_named(cmd, opts, TW_ARRAY_LEN(opts), argc, argv);
  if (!bad) bad = to_number(cmd, "epsilon", te, &epsilon) || to_number(cmd, "delta", td, &delta) || to_number(cmd, "q", tq, &q);
  if (bad) return 2;
  double sigma;
  tw_status st = tw_rdp_sgm_sigma(q, steps, delta, epsilon, &sigma);
  if (st != TW_OK) return fail(cmd, st);
  if (json) return print_json(cmd, "sigma", sigma, NULL, 0.0);
  char buf[40];
  printf("sigma = %s\n", full(sigma, buf, sizeof buf));
  return 0;
}
