/*
** test_simulate_cli.c: `twinscale simulate` end to end: bad input gives one line
** naming the field (file:line:col for YAML, file:line:col of the cell for a
** table) and exit 2; a twin whose integration fails is named on stderr and
** flagged in /status/flag while the others complete; a good config writes the
** documented datasets.
*/
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"    /* CHECK */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h> /* WEXITSTATUS */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include "io/h5.h" /* reading the results back */

static char dir[256];

/* Writes `yaml` to dir/name.yaml, runs simulate on it, returns the exit status;
** stderr goes to dir/name.err, whose text is copied to err. */
static int simulate(const char *name, const char *yaml, char *err, size_t cap) {
  char path[512], cmd[2048];
  snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  fputs(yaml, f);
  fclose(f);
  /* Open MPI keeps allocations from MPI_Init until exit, in plugins it has already
  ** unloaded (so they cannot be suppressed by name): leak checking is off for the
  ** child under -DTW_SANITIZE=ON (address and undefined-behaviour checks stay on);
  ** the engine's own allocations are leak-checked by physio_engine, without MPI. */
  snprintf(cmd, sizeof cmd, "cd %s && ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" %s/twinscale simulate %s.yaml > %s.out 2> %s.err",
           dir, TW_BINARY_DIR, name, name, name);
  int rc = system(cmd);
  snprintf(path, sizeof path, "%s/%s.err", dir, name);
  err[0] = '\0';
  f = fopen(path, "r");
  if (f) {
    size_t n = fread(err, 1, cap - 1, f);
    err[n] = '\0';
    fclose(f);
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

#define BASE "pack: t1d\nduration_min: 1440\n"

static void expect_input_error(const char *name, const char *yaml, const char *needle) {
  char err[4096];
  int rc = simulate(name, yaml, err, sizeof err);
  fprintf(stderr, "  %-16s exit %d: %s", name, rc, err);
  CHECK_EQ_INT(rc, 2);
  CHECK_MSG(strstr(err, needle) != NULL, "%s: expected '%s' in the message", name, needle);
}

static void test_bad_input(void) {
  expect_input_error("unknown_patient", BASE "twins: {reference: [adult#001, adult#099]}\n",
                     "unknown_patient.yaml:3:32: twins.reference[1]: unknown patient 'adult#099'");
  expect_input_error("negative_bolus",
                     BASE "twins: {reference: [adult#001]}\nscenario:\n  boluses: [{time_min: 60, units: -2}]\n",
                     "negative_bolus.yaml:5:35: scenario.boluses[0].units: -2 is out of range");
  expect_input_error("meal_after_end",
                     BASE "twins: {reference: [adult#001]}\nscenario:\n  meals: [{time_min: 1500, carbs_g: 40}]\n",
                     "scenario.meals[0].time_min: 1500 is not before the end");
  expect_input_error("param_range", BASE "twins: {table: " TW_TEST_DATA_DIR "/physio/table_kp1_out_of_range.csv}\n",
                     "table_kp1_out_of_range.csv:4:");
  expect_input_error("param_range_name", BASE "twins: {table: " TW_TEST_DATA_DIR "/physio/table_kp1_out_of_range.csv}\n",
                     "parameter kp1 = 1000");
  expect_input_error("missing_column", BASE "twins: {table: " TW_TEST_DATA_DIR "/physio/table_missing_ksc.csv}\n",
                     "missing column 'ksc'");
  expect_input_error("unknown_pack", "pack: t2d\nduration_min: 10\ntwins: {reference: [adult#001]}\n",
                     "unknown model pack 't2d'");
  expect_input_error("negative_dose",
                     "pack: pbpk\nduration_min: 100\ntwins: {reference: [icrp_male]}\n"
                     "scenario:\n  doses: [{time_min: 0, drug: x, route: oral, mg: -5}]\n",
                     "negative_dose.yaml:5:51");
}

static void test_failed_twin_is_flagged(void) {
  char err[4096];
  int rc = simulate("stiff", BASE "twins: {table: " TW_TEST_DATA_DIR "/physio/table_stiff.csv}\n"
                               "output: {path: stiff.h5, every_min: 60}\n", err, sizeof err);
  fprintf(stderr, "  stiff exit %d: %s", rc, err);
  CHECK_EQ_INT(rc, 0);
  CHECK(strstr(err, "twin 1 (stiff#001): integration failed") != NULL);
  char path[512];
  snprintf(path, sizeof path, "%s/stiff.h5", dir);
  tw_h5_file *f = NULL;
  CHECK_OK(tw_h5_open(path, NULL, &f));
  tw_tensor flag, bg;
  CHECK_OK(tw_h5_read(f, "/status/flag", TW_I32, &flag));
  CHECK_OK(tw_h5_read(f, "/trajectories/bg", TW_F64, &bg));
  const int32_t *fl = flag.data;
  const double *b = bg.data;
  CHECK_EQ_INT(fl[0], 0);
  CHECK_EQ_INT(fl[1], 1);
  CHECK_EQ_INT(fl[2], 0);
  /* the healthy twins' last values are finite, the failed twin's are NaN */
  CHECK(b[0 * 25 + 24] == b[0 * 25 + 24] && b[2 * 25 + 24] == b[2 * 25 + 24]);
  CHECK(b[1 * 25 + 24] != b[1 * 25 + 24]);
  free(flag.data);
  free(bg.data);
  CHECK_OK(tw_h5_close(f));
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/physio_cli_XXXXXX", TW_BINARY_DIR);
  if (!mkdtemp(dir)) return 1;
  TW_TEST_RUN(test_bad_input);
  TW_TEST_RUN(test_failed_twin_is_flagged);
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("simulate needs libyaml and HDF5")
#endif
