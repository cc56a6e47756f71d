/*
** test_controller_ext.c: insulin controllers from shared libraries
** (include/twinscale/controller.h, src/physio/controller_load.c) (label unit).
**
** The example library controllers/basal_bolus/ re-implements the built-in `bb`
** (simglucose's BBController, itself checked against simglucose in
** physio_controller) against the public header alone. So:
**   - loaded through tw_controller_lookup by path, its decisions on a grid of
**     CGM values and meals (with and without a correction, without a meal)
**     for three reference patients equal bb's exactly (difference 0);
**   - in the loop, a one-day run of three twins with three meals through a
**     config naming `./libtwctl_basal_bolus.so` (resolved against the config's
**     directory) gives every trajectory (bg, the other observables, cgm)
**     identical to the same config with `controller: bb` (difference 0),
**     while `controller: pid` differs by more than 10 mg/dL: the comparison
**     sees a different controller;
**   - refusals, each TW_ERR_INPUT at FILE:LINE:COL of the `controller:` value
**     with the path and what is wrong: a missing library (dlopen's message), a
**     library that is no controller (the Bergman pack: no entry symbol), a
**     library built for ABI version 0, an unknown built-in name listing the
**     known ones (also in a flow map); a twin the library's init refuses
**     (its own message, prefixed with the controller's name); a declaration
**     tw_controller_check refuses (n_state over the maximum, a built-in's name,
**     no act);
**   - through the CLI, an unknown controller exits 2 with one line at 9:15.
*/
#define _POSIX_C_SOURCE 200809L /* mkdtemp (pack_cli.h) */
#include "build_info.h"         /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"
#include "closed_loop_config.h" /* CLOSED_LOOP_CONFIG */

#if TW_HAVE_YAML
#include "physio/controller.h" /* tw_controller_lookup, tw_controller_start */
#include "physio/sim_setup.h"  /* tw_sim_setup_build */
#include "pack_cli.h"          /* pc_* */

#include <math.h> /* fabs, isnan */

#define CTL_DIR TW_BINARY_DIR "/controllers"

#define CONFIG CLOSED_LOOP_CONFIG /* closed_loop_config.h */

static const char *const patients[3] = {"adolescent#001", "adult#001", "child#001"};

/* The larger of a and b, NaN counting as infinite (fmax would drop it). */
static double worse(double a, double b) { return isnan(a) || isnan(b) ? INFINITY : fmax(a, b); }

/* Sets up `text` as if read from CTL_DIR/<name>. */
static tw_status setup(const char *name, const char *text, tw_cfg_doc **doc, tw_sim_config *c, tw_sim_setup *s) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", CTL_DIR, name);
  memset(s, 0, sizeof *s);
  memset(c, 0, sizeof *c);
  *doc = NULL;
  TW_TRY(tw_cfg_parse_string(path, text, strlen(text), doc));
  TW_TRY(tw_cfg_bind(*doc, &tw_sim_config_schema, c));
  return tw_sim_setup_build(c, *doc, s);
}

static void teardown(tw_cfg_doc *doc, tw_sim_config *c, tw_sim_setup *s) {
  tw_sim_setup_free(s);
  tw_cfg_release(&tw_sim_config_schema, c);
  tw_cfg_free(doc);
}

/* The run of CONFIG with `controller`: its trajectories in r. */
static void run_with(const char *controller, tw_sim_result *r) {
  char text[2048];
  snprintf(text, sizeof text, CONFIG, controller);
  tw_cfg_doc *doc;
  tw_sim_config c;
  tw_sim_setup s;
  memset(r, 0, sizeof *r);
  CHECK_OK(setup("loop.yaml", text, &doc, &c, &s));
  CHECK_OK(tw_sim_result_alloc(&s.plan, s.n_twins, r));
  CHECK_OK(tw_sim_run_chunk(&s.plan, 0, 0, s.n_twins, s.params, r));
  teardown(doc, &c, &s);
}

/* The largest difference between two runs' trajectories of observables
** [0, n_obs) (INFINITY: shapes differ, or a value where the other run stopped
** the twin at the glucose floor); observable 0 is bg (mg/dL). */
static double traj_difference(const tw_sim_result *a, const tw_sim_result *b, int n_obs) {
  if (!a->traj || !b->traj || a->n != b->n || a->n_out != b->n_out || a->nt != b->nt) return INFINITY;
  double worst = 0;
  for (int64_t k = 0; k < (int64_t)n_obs * a->n * a->nt; ++k) {
    if (isnan(a->traj[k]) && isnan(b->traj[k])) continue; /* both stopped at the glucose floor */
    worst = worse(worst, fabs(a->traj[k] - b->traj[k]));
  }
  return worst;
}

/* Decision by decision, the library and bb from the same twins. */
static void decisions_equal_bb(void) {
  const tw_controller *bb = NULL, *lib = NULL;
  CHECK_OK(tw_controller_lookup("bb", &bb));
  CHECK_OK(tw_controller_lookup(CTL_DIR "/libtwctl_basal_bolus.so", &lib));
  if (!bb || !lib) return;
  CHECK_EQ_STR(lib->name, "basal_bolus");
  CHECK(lib->n_state == bb->n_state && !lib->uses_gains);
  tw_controller_twin twins[3];
  for (int p = 0; p < 3; ++p) twins[p] = (tw_controller_twin){.name = patients[p], .basal_u_per_min = 0.01 * (p + 1)};
  double sb[3 * TW_CONTROLLER_MAX_STATE], sl[3 * TW_CONTROLLER_MAX_STATE];
  CHECK_OK(tw_controller_start(bb, 3, twins, sb));
  CHECK_OK(tw_controller_start(lib, 3, twins, sl));
  static const double cgm[] = {39, 90, 140, 150, 150.25, 180, 260, 400}, meal[] = {0, 0.5, 18.6666666666666667, 40};
  double worst = 0, bolus_sum = 0;
  int n = 0;
  for (int p = 0; p < 3; ++p)
    for (size_t i = 0; i < sizeof cgm / sizeof *cgm; ++i)
      for (size_t j = 0; j < sizeof meal / sizeof *meal; ++j, ++n) {
        double b0, b1, l0, l1;
        bb->act(sb + p * bb->n_state, cgm[i], meal[j], 3, &b0, &b1);
        lib->act(sl + p * lib->n_state, cgm[i], meal[j], 3, &l0, &l1);
        worst = worse(worst, worse(fabs(b0 - l0), fabs(b1 - l1)));
        bolus_sum += b1;
      }
  fprintf(stderr, "  %d decisions: largest |library - bb| %.3g U/min; bb's boluses sum to %.3f U/min\n", n, worst, bolus_sum);
  CHECK(worst == 0.0);
  CHECK(bolus_sum > 1.0); /* the grid exercises meal and correction boluses */
}

/* In the loop through the config: the library's run is bb's, pid's is not. */
static void loop_equals_bb(void) {
  tw_sim_result bb, lib, pid;
  run_with("bb", &bb);
  run_with("./libtwctl_basal_bolus.so", &lib);
  run_with("pid", &pid);
  const double same = traj_difference(&bb, &lib, bb.n_out), other = traj_difference(&bb, &pid, 1);
  fprintf(stderr, "  1 day, 3 twins: |library - bb| %.3g (largest, all %d observables), |pid - bb| %.3g mg/dL (bg)\n",
          same, bb.n_out, other);
  CHECK(bb.traj && bb.n == 3 && bb.nt == 1441);
  CHECK(same == 0.0);
  CHECK(other > 10.0); /* infinite too where pid takes a twin to the glucose floor and bb does not */
  tw_sim_result_free(&bb);
  tw_sim_result_free(&lib);
  tw_sim_result_free(&pid);
}

/* Setting up `text` fails with TW_ERR_INPUT and a message holding each needle. */
static void expect_refusal(const char *what, const char *text, const char *needle1, const char *needle2) {
  tw_cfg_doc *doc;
  tw_sim_config c;
  tw_sim_setup s;
  CHECK_STATUS(setup("bad.yaml", text, &doc, &c, &s), TW_ERR_INPUT);
  const char *msg = tw_error_message();
  fprintf(stderr, "  %-12s %s\n", what, msg);
  CHECK_MSG(strstr(msg, needle1) && strstr(msg, needle2), "%s: expected '%s' and '%s'", what, needle1, needle2);
  tw_error_clear();
  teardown(doc, &c, &s);
}

/* Each bad controller value: TW_ERR_INPUT at bad.yaml:9:15, naming what is wrong. */
static void refusals(void) {
  char text[2048];
  const char *at = "/controllers/bad.yaml:9:15: scenario.controller: ";
  snprintf(text, sizeof text, CONFIG, "./no_such_controller.so");
  expect_refusal("missing", text, at, "no_such_controller.so: cannot load the controller library (");
  snprintf(text, sizeof text, CONFIG, TW_BERGMAN_PACK);
  expect_refusal("not one", text, at, "libtwpack_bergman.so: not a twinscale controller: no symbol twinscale_controller_entry");
  snprintf(text, sizeof text, CONFIG, "./libtwctl_basal_bolus_abi0.so");
  expect_refusal("abi", text, at, "libtwctl_basal_bolus_abi0.so: controller ABI version 0, this twinscale expects 1");
  snprintf(text, sizeof text, CONFIG, "pid2");
  expect_refusal("unknown", text, at, "unknown controller 'pid2' (known: none, bb, pid; or a controller library");
  expect_refusal("flow map",
                 "pack: t1d\ntwins: {reference: [adult#001]}\nduration_min: 30\n"
                 "sensor: {name: Dexcom}\nscenario: {pump: Insulet, controller: bbb}\n",
                 "/controllers/bad.yaml:5:39: scenario.controller: ", "unknown controller 'bbb'");
}

/* The library's own refusal of a twin, and the declaration checks. */
static void library_refuses_and_is_checked(void) {
  const tw_controller *lib = NULL;
  CHECK_OK(tw_controller_lookup(CTL_DIR "/libtwctl_basal_bolus.so", &lib));
  if (!lib) return;
  double state[TW_CONTROLLER_MAX_STATE];
  const tw_controller_twin stranger = {.name = "someone#042", .basal_u_per_min = 0.01};
  CHECK_STATUS(tw_controller_start(lib, 1, &stranger, state), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), "controller basal_bolus: twin 'someone#042' has no carbohydrate ratio"),
            "message: %s", tw_error_message());
  tw_error_clear();
  tw_controller c = *lib;
  c.n_state = TW_CONTROLLER_MAX_STATE + 1;
  CHECK_STATUS(tw_controller_check(&c), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "n_state 9 is outside [0, 8]") != NULL);
  tw_error_clear();
  c = *lib;
  c.name = "bb";
  CHECK_STATUS(tw_controller_check(&c), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "'bb' is a built-in's") != NULL);
  tw_error_clear();
  c = *lib;
  c.act = NULL;
  CHECK_STATUS(tw_controller_check(&c), TW_ERR_INPUT);
  tw_error_clear();
  CHECK_OK(tw_controller_check(lib));
}

/* `twinscale simulate` on a config with an unknown controller: exit 2, one line. */
static void cli_exit_2(void) {
  char path[1024], text[2048], err[4096];
  snprintf(path, sizeof path, "%s/unknown.yaml", pc_dir);
  snprintf(text, sizeof text, CONFIG, "pdi");
  CHECK(pc_write(path, text));
  const int rc = pc_simulate(pc_dir, path, err, sizeof err);
  fprintf(stderr, "  exit %d: %s", rc, err);
  CHECK_EQ_INT(rc, 2);
  CHECK(strstr(err, "unknown.yaml:9:15: scenario.controller: unknown controller 'pdi' (known: none, bb, pid") != NULL);
  CHECK(strchr(err, '\n') == strrchr(err, '\n'));
}

int main(void) {
  TW_TEST_RUN(decisions_equal_bb);
  TW_TEST_RUN(loop_equals_bb);
  TW_TEST_RUN(refusals);
  TW_TEST_RUN(library_refuses_and_is_checked);
  if (!pc_make_dir("controller_ext")) return 1;
  if (TW_HAVE_HDF5) TW_TEST_RUN(cli_exit_2); /* the simulate command needs HDF5 (kernels-only builds have none) */
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("simulate configs need libyaml")
#endif
