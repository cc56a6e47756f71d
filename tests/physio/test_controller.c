/*
** test_controller.c: the controllers in the loop (src/physio/controller_*.c)
** against simglucose (label validation).
**
** Basal-bolus (controller_bb.c), two ways:
**  1. Decision by decision, on simglucose's own reference trace
**     (tests/data/physio/simglucose_sim_results.csv: a copy of simglucose
**     0.2.11's 2-day sim_results.csv, adolescent#001, BBController, MIT
**     licence as data/simglucose/LICENSE): the insulin simglucose delivered in
**     each step must equal our decision from the CGM and the previous step's
**     meal that its controller saw, after the Insulet pump's quantisation. Bounds: relative 1e-12
**     (specification: the same formula in double), regression 1e-13.
**  2. In the loop, against validation/t1d_bb_closed_loop.py (simglucose's
**     T1DSimEnv with BBController, a noise-free Dexcom, the Insulet pump, three
**     patients, one day, meals at 07:00, 12:01 and 19:00): the mean BG of each
**     3-minute step must match. Specification 0.5 mg/dL as the open-loop
**     validation (physio_t1d_reference); regression bound about 10x achieved.
** PID (controller_pid.c):
**  1. Decisions on a hand-made CGM sequence against values worked out by hand
**     from simglucose's PIDController (starting from prev = integrated = 0, the
**     state updated after the action), relative 1e-14; the meal is ignored and
**     the bolus is 0.
**  2. In the loop as bb (validation/t1d_bb_closed_loop.py --controller pid,
**     simglucose's example gains P 1e-3, I 1e-5, D 1e-3, target 140: the
**     config's defaults), same specification; the fixture takes child#001 to
**     0 mg/dL, which the comparison covers.
** Also: without a pump no negative insulin is delivered (pid asking for less
** than none is the run with no insulin, exactly); scenario.controller_params
** reaches pid's decisions and bb refuses it;
** a twin without a carbohydrate ratio is refused by name.
*/
#include <math.h>   /* fabs */
#include <stdio.h>  /* fopen, fgets */
#include <stdlib.h> /* strtod */
#include <string.h> /* strtok */

#include "build_info.h" /* TW_HAVE_YAML */
#include "tw_bounds.h"  /* CHECK_BOUNDS */
#include "tw_test.h"
#include "closed_loop_config.h" /* CLOSED_LOOP_CONFIG */

#if TW_HAVE_YAML
#include "physio/controller.h"  /* tw_controller_lookup, tw_controller_start */
#include "physio/param_table.h" /* the compiled-in patient table */
#include "t1d_fixture.h"         /* fixture_stays_down */
#include "physio/sensor.h"     /* tw_pump_spec_load */
#include "physio/sim_setup.h"  /* tw_sim_setup_build */

/* adolescent#001's reference basal, u2ss BW / 6000, from the compiled-in table */
static double basal_of(const char *name) {
  tw_csv t;
  double u2ss = NAN, bw = NAN;
  if (tw_t1d_builtin_table("vpatient_params.csv", &t) != TW_OK) return NAN;
  const int r = tw_csv_find_name(&t, name);
  if (r >= 0 && tw_csv_number(&t, r, tw_csv_col(&t, "u2ss"), &u2ss) == TW_OK)
    (void)tw_csv_number(&t, r, tw_csv_col(&t, "BW"), &bw);
  tw_csv_free(&t);
  return u2ss * bw / 6000.0;
}

static void decisions_match_simglucose(void) {
  const tw_controller *bb;
  CHECK_OK(tw_controller_lookup("bb", &bb));
  double state[TW_CONTROLLER_MAX_STATE];
  const tw_controller_twin twin = {.name = "adolescent#001", .basal_u_per_min = basal_of("adolescent#001")}; /* CR, CF: Quest.csv */
  CHECK_OK(tw_controller_start(bb, 1, &twin, state));
  tw_pump_spec pump;
  CHECK_OK(tw_pump_spec_load("Insulet", &pump));
  FILE *f = fopen(TW_TEST_DATA_DIR "/physio/simglucose_sim_results.csv", "r");
  CHECK(f != NULL);
  if (!f) return;
  /* Row k of the trace holds the state at the start of step k (Time, BG, CGM)
  ** and what happened during it (CHO, insulin); the controller decided step
  ** k's insulin from row k's CGM and step k-1's CHO. The last row has no step. */
  static double cgm[2048], cho[2048], insulin[2048];
  char line[512];
  int rows = 0, boluses = 0;
  (void)fgets(line, sizeof line, f); /* Time,BG,CGM,CHO,insulin,... */
  while (rows < 2048 && fgets(line, sizeof line, f)) {
    strtok(line, ",");
    strtok(NULL, ",");
    cgm[rows] = strtod(strtok(NULL, ","), NULL);
    cho[rows] = strtod(strtok(NULL, ","), NULL);
    insulin[rows++] = strtod(strtok(NULL, ","), NULL);
  }
  fclose(f);
  double worst = 0;
  for (int k = 0; k + 1 < rows; ++k) {
    double basal, bolus;
    bb->act(state, cgm[k], k ? cho[k - 1] : 0.0, 3, &basal, &bolus);
    boluses += bolus > 0;
    const double rate = tw_pump_basal(&pump, basal) + tw_pump_bolus(&pump, bolus);
    worst = fmax(worst, fabs(insulin[k] - rate) / insulin[k]);
  }
  fprintf(stderr, "  %d steps of simglucose's trace, %d meal boluses\n", rows, boluses);
  CHECK(rows > 900 && boluses >= 6);
  CHECK_BOUNDS("bb decisions vs simglucose (relative)", worst, 1e-13, 1e-12);
}

/* The larger of a and b, NaN counting as infinite (fmax would drop it). */
static double worse(double a, double b) { return isnan(a) || isnan(b) ? INFINITY : fmax(a, b); }

#define CONFIG CLOSED_LOOP_CONFIG /* closed_loop_config.h */

/* The fixture's bg_mean of patient p (config order) at step k, in ref (3 x 480). */
static int read_fixture(const char *path, double *ref) {
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  char line[256];
  int n = 0;
  static const char *const names[3] = {"adolescent#001", "adult#001", "child#001"};
  (void)fgets(line, sizeof line, f);
  while (fgets(line, sizeof line, f) && n < 3 * 480) {
    const char *who = strtok(line, ",");
    const int k = atoi(strtok(NULL, ","));
    for (int p = 0; p < 3; ++p)
      if (!strcmp(who, names[p]) && k >= 0 && k < 480) ref[p * 480 + k] = strtod(strtok(NULL, ","), NULL), ++n;
  }
  fclose(f);
  return n;
}

/* A run of the simulate config `text`: its trajectories in r (free with
** tw_sim_result_free). */
static void run_config(const char *name, const char *text, tw_sim_result *r) {
  tw_cfg_doc *doc = NULL;
  tw_sim_config c;
  tw_sim_setup s;
  memset(&s, 0, sizeof s);
  memset(r, 0, sizeof *r);
  CHECK_OK(tw_cfg_parse_string(name, text, strlen(text), &doc));
  CHECK_OK(tw_cfg_bind(doc, &tw_sim_config_schema, &c));
  CHECK_OK(tw_sim_setup_build(&c, doc, &s));
  CHECK_OK(tw_sim_result_alloc(&s.plan, s.n_twins, r));
  CHECK_OK(tw_sim_run_chunk(&s.plan, 0, 0, s.n_twins, s.params, r));
  tw_sim_setup_free(&s);
  tw_cfg_release(&tw_sim_config_schema, &c);
  tw_cfg_free(doc);
}

/* The worst step-mean BG difference (mg/dL) of `controller` in the loop
** against simglucose's in `fixture`, in *worst (INFINITY when the run fails),
** up to where a twin is stopped at the glucose floor (counted in *stopped). */
static void closed_loop_worst(const char *controller, const char *fixture, double *worst, int *stopped) {
  static double ref[3 * 480];
  *worst = INFINITY, *stopped = 0;
  CHECK_EQ_INT(read_fixture(fixture, ref), 3 * 480);
  char text[1024];
  snprintf(text, sizeof text, CONFIG, controller);
  tw_sim_result r;
  run_config("loop.yaml", text, &r);
  *worst = 0;
  for (int p = 0; p < 3; ++p) {
    /* a twin stopped at the glucose floor is compared up to the step it stopped in */
    const int64_t stop = r.flag[p] == TW_TWIN_DOMAIN ? (r.fail_at[p] - 1) / 3 : 480;
    CHECK(r.flag[p] == TW_TWIN_OK || (r.flag[p] == TW_TWIN_DOMAIN && fixture_stays_down(ref + p * 480, stop, 480)));
    for (int k = 0; k < stop; ++k) { /* simglucose's step mean: BG at the end of minutes 3k+1..3k+3 */
      const double *bg = r.traj + (int64_t)p * r.n_times; /* observable 0 is bg */
      const double mean = (bg[3 * k + 1] + bg[3 * k + 2] + bg[3 * k + 3]) / 3.0;
      *worst = worse(*worst, fabs(mean - ref[p * 480 + k]));
    }
    *stopped += stop < 480;
  }
  tw_sim_result_free(&r);
}

static void closed_loop_matches_simglucose(void) {
  double worst;
  int stopped;
  closed_loop_worst("bb", TW_TEST_DATA_DIR "/physio/bb_closed_loop.csv", &worst, &stopped);
  CHECK_EQ_INT(stopped, 0);
  CHECK_BOUNDS("bb closed loop vs simglucose, step-mean BG (mg/dL)", worst, 0.02, 0.5);
}

/* simglucose's PIDController by hand: P 0.01, I 0.001, D 0.1, target 140, s 3,
** CGM 150, 160, 130, 140 from prev = integrated = 0:
**   0.01*10  + 0            + 0.1*150/3 = 5.1           integrated 30
**   0.01*20  + 0.001*30     + 0.1*10/3  = 0.23 + 1/3    integrated 90
**   0.01*-10 + 0.001*90     + 0.1*-30/3 = -1.01         integrated 60
**   0        + 0.001*60     + 0.1*10/3  = 0.06 + 1/3 */
static void pid_decisions_match_formula(void) {
  const tw_controller *pid;
  CHECK_OK(tw_controller_lookup("pid", &pid));
  CHECK(pid->uses_gains && pid->n_state <= TW_CONTROLLER_MAX_STATE);
  double state[TW_CONTROLLER_MAX_STATE];
  const tw_controller_twin twin = {.name = "anyone", .basal_u_per_min = 0.02, .gains = {0.01, 0.001, 0.1, 140.0}};
  CHECK_OK(tw_controller_start(pid, 1, &twin, state));
  static const double cgm[4] = {150, 160, 130, 140}, meal[4] = {0, 20, 0, 0};
  const double want[4] = {5.1, 0.23 + 1.0 / 3.0, -1.01, 0.06 + 1.0 / 3.0};
  double worst = 0, bolus_sum = 0;
  for (int k = 0; k < 4; ++k) {
    double basal, bolus;
    pid->act(state, cgm[k], meal[k], 3, &basal, &bolus);
    worst = worse(worst, fabs(basal - want[k]) / fabs(want[k]));
    bolus_sum += fabs(bolus);
  }
  CHECK(bolus_sum == 0.0);
  CHECK_BOUNDS("pid decisions vs the formula by hand (relative)", worst, 1e-15, 1e-12);
}

static void pid_closed_loop_matches_simglucose(void) {
  double worst;
  int stopped;
  closed_loop_worst("pid", TW_TEST_DATA_DIR "/physio/pid_closed_loop.csv", &worst, &stopped);
  fprintf(stderr, "  pid closed loop: %d of 3 twins stopped at the glucose floor, simglucose's down there too\n", stopped);
  CHECK_BOUNDS("pid closed loop vs simglucose, step-mean BG (mg/dL)", worst, 0.01, 0.5);
}

/* Sets up CONFIG for `controller` with `params` (a YAML map, or "" for none). */
static tw_status setup_with(const char *controller, const char *params, tw_cfg_doc **doc, tw_sim_config *c, tw_sim_setup *s) {
  char text[1280], ctl[256];
  snprintf(ctl, sizeof ctl, "%s%s%s", controller, *params ? "\n  controller_params: " : "", params);
  snprintf(text, sizeof text, CONFIG, ctl);
  memset(s, 0, sizeof *s);
  TW_TRY(tw_cfg_parse_string("gains.yaml", text, strlen(text), doc));
  TW_TRY(tw_cfg_bind(*doc, &tw_sim_config_schema, c));
  return tw_sim_setup_build(c, *doc, s);
}

/* scenario.controller_params reaches pid's decisions, and bb refuses it. */
static void gains_from_the_config(void) {
  tw_cfg_doc *doc = NULL;
  tw_sim_config c;
  tw_sim_setup s;
  CHECK_OK(setup_with("pid", "{p: 0.002, i: 0, d: 0, target: 120}", &doc, &c, &s));
  double state[TW_CONTROLLER_MAX_STATE], basal = NAN, bolus = NAN;
  memcpy(state, s.plan.ctl_state, sizeof(double) * (size_t)s.plan.controller->n_state);
  s.plan.controller->act(state, 130.0, 0.0, 3, &basal, &bolus);
  CHECK(fabs(basal - 0.02) < 1e-15 && bolus == 0.0); /* 0.002 (130 - 120) */
  tw_sim_setup_free(&s);
  tw_cfg_release(&tw_sim_config_schema, &c);
  tw_cfg_free(doc);
  doc = NULL;
  CHECK_STATUS(setup_with("bb", "{p: 0.002}", &doc, &c, &s), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "controller_params: bb takes none") != NULL);
  tw_error_clear();
  tw_sim_setup_free(&s);
  tw_cfg_release(&tw_sim_config_schema, &c);
  tw_cfg_free(doc);
}

/* Two hours without meals or pump, the scenario's lines given by `scenario`. */
#define NO_PUMP                                                                                    \
  "pack: t1d\n"                                                                                    \
  "twins: {reference: [adolescent#001, adult#001]}\n"                                              \
  "duration_min: 120\n"                                                                            \
  "precision: float64\n"                                                                           \
  "integrator: {method: dopri5}\n"                                                                 \
  "scenario: {%s}\n"                                                                               \
  "sensor: {name: Dexcom, noise: false}\n"

/* bg of twin 0 and 1 (121 minutes each) of the NO_PUMP run with `scenario`. */
static void no_pump_bg(const char *scenario, double *bg) {
  char text[1024];
  snprintf(text, sizeof text, NO_PUMP, scenario);
  tw_sim_result r;
  run_config("nopump.yaml", text, &r);
  CHECK_EQ_INT((int)r.n_times, 121);
  for (int p = 0; p < 2; ++p)
    for (int t = 0; t < 121; ++t) bg[p * 121 + t] = r.traj[(int64_t)p * r.n_times + t]; /* observable 0 is bg */
  tw_sim_result_free(&r);
}

/* Without a pump a negative action delivers nothing: pid far above the bg
** (target 400, P 0.01: -2.6 U/min asked at 140 mg/dL) is the run with no
** insulin at all, minute by minute. */
static void no_negative_insulin_without_a_pump(void) {
  static double pid[2 * 121], none[2 * 121];
  for (int k = 0; k < 2 * 121; ++k) pid[k] = NAN, none[k] = 0;
  no_pump_bg("controller: pid, controller_params: {p: 0.01, i: 0, d: 0, target: 400}", pid);
  no_pump_bg("basal_u_per_h: 0", none);
  double worst = 0, top = 0;
  for (int k = 0; k < 2 * 121; ++k) worst = worse(worst, fabs(pid[k] - none[k])), top = worse(top, none[k]);
  fprintf(stderr, "  no insulin for 2 h: bg up to %.1f mg/dL; pid asking for less differs by %.3g\n", top, worst);
  CHECK(top < 400.0);  /* the pid's action stayed negative all along */
  CHECK(worst == 0.0); /* the same inputs, so the same numbers */
}

static void unknown_twin_refused(void) {
  const tw_controller *bb;
  CHECK_OK(tw_controller_lookup("bb", &bb));
  double state[TW_CONTROLLER_MAX_STATE];
  const tw_controller_twin twin = {.name = "someone#042", .basal_u_per_min = 0.01};
  CHECK_STATUS(tw_controller_start(bb, 1, &twin, state), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "someone#042") != NULL);
  tw_error_clear();
  const tw_controller *none;
  CHECK_STATUS(tw_controller_lookup("pid2", &none), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "known: none, bb, pid") != NULL);
  tw_error_clear();
}

int main(void) {
  TW_TEST_RUN(decisions_match_simglucose);
  TW_TEST_RUN(closed_loop_matches_simglucose);
  TW_TEST_RUN(pid_decisions_match_formula);
  TW_TEST_RUN(pid_closed_loop_matches_simglucose);
  TW_TEST_RUN(gains_from_the_config);
  TW_TEST_RUN(no_negative_insulin_without_a_pump);
  TW_TEST_RUN(unknown_twin_refused);
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("simulate configs need libyaml")
#endif
