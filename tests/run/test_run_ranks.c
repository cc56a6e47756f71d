/*
** test_run_ranks.c: results do not depend on how the run is spread: the 30
** reference patients of tests/data/run/t1d-30.yaml (DOPRI5, float64, noisy CGM,
** 1-minute output), simulated with 1, 2 and 3 ranks, with one twin per chunk,
** with every twin in one chunk, and with trajectories streamed through a 1 MiB
** buffer (several time blocks), give bit-identical datasets. Signals under
** mpiexec: SIGINT to the ranks (as Slurm signals every task) stops all of them
** with exit 130, no results file, and the partial file and its record kept for
** --resume; SIGTERM to mpiexec itself (which forwards it and kills the ranks a
** second later) leaves no results file either.
*/
#define _POSIX_C_SOURCE 200809L /* kill, nanosleep */
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"

#include <stdio.h>
#include <string.h>

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include "run_case.h"

static const char *dir;

/* mpiexec -n RANKS twinscale simulate the 30 patients for one day, with SETS. */
static int simulate(int ranks, const char *out, const char *sets) {
  char cmd[4096], err[8192];
  snprintf(cmd, sizeof cmd, "%s -n %d --oversubscribe %s/twinscale simulate %s/run/t1d-30.yaml -o %s %s > /dev/null",
           TW_MPIEXEC, ranks, TW_BINARY_DIR, TW_TEST_DATA_DIR, out, sets);
  int rc = run_case_shell(cmd, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  %s\n  exit %d: %s\n", cmd, rc, err);
  return rc;
}

static void identical_for_any_spread(void) {
  char base[600], other[600];
  snprintf(base, sizeof base, "%s/np1.h5", dir);
  CHECK_EQ_INT(simulate(1, base, ""), 0);
  static const struct { int ranks; const char *sets; } runs[] = {
      {2, ""}, {3, ""}, {2, "--set output.chunk_twins=1"}, {3, "--set output.chunk_twins=30"},
      {1, "--set output.chunk_twins=30 --set output.buffer_mb=1"}, {2, "--set output.buffer_mb=1"}};
  for (size_t i = 0; i < sizeof runs / sizeof *runs; ++i) {
    snprintf(other, sizeof other, "%s/run%zu.h5", dir, i);
    CHECK_EQ_INT(simulate(runs[i].ranks, other, runs[i].sets), 0);
    fprintf(stderr, "  %d rank(s) %-50s vs 1 rank: ", runs[i].ranks, runs[i].sets);
    int same = run_case_same_results(base, other);
    fprintf(stderr, "%s\n", same ? "identical" : "DIFFERENT");
    CHECK(same);
  }
}

/* Starts a year-long 2-rank run in the background, waits for its partial file,
** signals it with `kill_cmd`, and returns the exit status of mpiexec. */
static int interrupted(const char *name, const char *kill_cmd, char *err, size_t cap) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd,
           "(%s -n 2 --oversubscribe %s/twinscale simulate %s/run/t1d-30.yaml --set duration_min=525600 -o %s.h5"
           " > /dev/null & pid=$!; for i in $(seq 200); do [ -e %s.h5.partial ] && break; sleep 0.1; done; sleep 0.5;"
           " %s; wait $pid)",
           TW_MPIEXEC, TW_BINARY_DIR, TW_TEST_DATA_DIR, name, name, kill_cmd);
  return run_case_shell(cmd, err, cap);
}

static void signals_stop_every_rank(void) {
  char err[8192], file[600];
  int rc = interrupted("int_ranks", "pkill -INT -f '^[^ ]*/twinscale simulate .*int_ranks.h5'", err, sizeof err);
  fprintf(stderr, "  SIGINT to both ranks: mpiexec exit %d: %s\n", rc, err);
  CHECK_EQ_INT(rc, 130);
  CHECK(strstr(err, "simulate: stopped by SIGINT with") != NULL);
  snprintf(file, sizeof file, "%s/int_ranks.h5", dir);
  CHECK(!run_case_exists(file));
  snprintf(file, sizeof file, "%s/int_ranks.h5.partial", dir);
  CHECK(run_case_exists(file));
  snprintf(file, sizeof file, "%s/int_ranks.h5.resume", dir);
  CHECK(run_case_exists(file));

  rc = interrupted("term_mpiexec", "kill -TERM $pid", err, sizeof err);
  fprintf(stderr, "  SIGTERM to mpiexec: exit %d: %s\n", rc, err);
  CHECK(rc != 0);
  CHECK(strstr(err, "simulate: stopped by SIGTERM with") != NULL);
  snprintf(file, sizeof file, "%s/term_mpiexec.h5", dir);
  CHECK(!run_case_exists(file));
}

int main(void) {
  dir = run_case_dir("run_ranks");
  if (!dir) return 1;
  TW_TEST_RUN(identical_for_any_spread);
  TW_TEST_RUN(signals_stop_every_rank);
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("simulate needs libyaml and HDF5")
#endif
