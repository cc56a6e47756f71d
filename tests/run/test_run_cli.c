/*
** test_run_cli.c: a run survives its user (one process, no MPI launcher):
**   - SIGTERM and SIGINT mid-run: the message, exit 143 / 130, no results
**     file, the partial file and its record kept for --resume (run_resume.sh
**     resumes them);
**   - the output path is checked before any work: a directory, a missing
**     directory, a file without write permission (refused unless --force)
**     each give one line naming the path and exit 2 at once (the config asks
**     for a year of 30 twins, so a check made after the work would time out);
**   - --set and -o override the config, before or after CONFIG, checked like
**     the file: a misspelt key gets "did you mean" and names the override;
**   - option values are checked (an unknown option, a flag given a value);
**   - `backend: cuda` on a machine without a GPU: one line, exit 2.
*/
#define _POSIX_C_SOURCE 200809L
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h> /* chmod, mkdir */

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include "backend/backend.h" /* tw_backend_cuda_probe */
#include "core/clock.h"       /* tw_now_seconds */
#include "run_case.h"

#define YEAR TW_TEST_DATA_DIR "/run/t1d-30.yaml --set duration_min=525600"

static const char *dir;

static int twinscale(const char *args, char *err, size_t cap) { return run_case_twinscale(60, args, err, cap); }

/* Starts a year-long run, waits for its partial file, sends `sig`, waits. */
static void stopped_by(const char *sig, int expect_rc, const char *expect_msg) {
  char cmd[4096], err[4096], file[600];
  snprintf(cmd, sizeof cmd,
           "(%s/twinscale simulate %s -o stop_%s.h5 > /dev/null & pid=$!; for i in $(seq 200); do"
           " [ -e stop_%s.h5.partial ] && break; sleep 0.1; done; sleep 0.5; kill -%s $pid; wait $pid)",
           TW_BINARY_DIR, YEAR, sig, sig, sig);
  int rc = run_case_shell(cmd, err, sizeof err);
  fprintf(stderr, "  SIG%s: exit %d: %s", sig, rc, err);
  CHECK_EQ_INT(rc, expect_rc);
  CHECK(strstr(err, expect_msg) != NULL);
  snprintf(file, sizeof file, "%s/stop_%s.h5", dir, sig);
  CHECK(!run_case_exists(file));
  snprintf(file, sizeof file, "%s/stop_%s.h5.partial", dir, sig);
  CHECK(run_case_exists(file));
  snprintf(file, sizeof file, "%s/stop_%s.h5.resume", dir, sig);
  CHECK(run_case_exists(file));
}

static void signals(void) {
  stopped_by("TERM", 143, "simulate: stopped by SIGTERM with ");
  stopped_by("INT", 130, "simulate: stopped by SIGINT with ");
}

/* `args` fails with exit 2 and `needle` in its one-line message, at once. */
static void refused(const char *args, const char *needle) {
  char err[4096];
  const double t0 = tw_now_seconds();
  int rc = twinscale(args, err, sizeof err);
  const double dt = tw_now_seconds() - t0;
  fprintf(stderr, "  %-60.60s exit %d in %.2f s: %s", args, rc, dt, err);
  CHECK_EQ_INT(rc, 2);
  CHECK_MSG(strstr(err, needle) != NULL, "expected '%s'", needle);
  CHECK(strchr(err, '\n') == err + strlen(err) - 1); /* one line */
  CHECK(dt < 10.0);
}

static void output_checked_first(void) {
  char path[700], args[1400];
  snprintf(path, sizeof path, "%s/adir", dir);
  CHECK(mkdir(path, 0755) == 0);
  snprintf(args, sizeof args, "simulate %s -o %s", YEAR, path);
  refused(args, ": is a directory");
  snprintf(args, sizeof args, "simulate %s -o %s/missing/out.h5", YEAR, dir);
  refused(args, "/missing' does not exist");
  snprintf(path, sizeof path, "%s/readonly.h5", dir);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f) fclose(f);
  CHECK(chmod(path, 0444) == 0);
  snprintf(args, sizeof args, "simulate %s -o %s", YEAR, path);
  refused(args, "readonly.h5: exists and is not writable; refusing to replace it (--force replaces it)");
  char err[4096];
  snprintf(args, sizeof args, "simulate %s/configs/simulate-quickstart.yaml -o %s --force", TW_SOURCE_DIR, path);
  CHECK_EQ_INT(twinscale(args, err, sizeof err), 0);
  struct stat st;
  CHECK(stat(path, &st) == 0 && st.st_size > 1000); /* replaced by the results */
}

static void overrides(void) {
  char args[1400], err[4096], out[700];
  refused("simulate --set output.every_mi=5 " TW_SOURCE_DIR "/configs/simulate-quickstart.yaml",
          "--set output.every_mi=5: unknown key 'every_mi' in output (did you mean 'every_min'?)");
  refused("simulate " TW_SOURCE_DIR "/configs/simulate-quickstart.yaml --set duration_min=-5", "--set duration_min=-5: ");
  refused("simulate " TW_SOURCE_DIR "/configs/simulate-quickstart.yaml --set duration_min", "expected KEY=VALUE");
  refused("simulate " TW_SOURCE_DIR "/configs/simulate-quickstart.yaml --bogus", "unknown option '--bogus'");
  refused("simulate " TW_SOURCE_DIR "/configs/simulate-quickstart.yaml --force=yes", "--force takes no value");
  refused("simulate", "missing the CONFIG file");
  int devices = 0;
  if (tw_backend_cuda_probe(&devices) == TW_OK && devices == 0) /* a machine without a GPU */
    refused("simulate " TW_SOURCE_DIR "/configs/simulate-quickstart.yaml --set backend=cuda", "backend 'cuda' requested but ");
  snprintf(out, sizeof out, "%s/set.h5", dir);
  snprintf(args, sizeof args, "simulate -o %s --set output.every_min=60 %s/configs/simulate-quickstart.yaml --set duration_min=1440",
           out, TW_SOURCE_DIR);
  CHECK_EQ_INT(twinscale(args, err, sizeof err), 0);
  CHECK(run_case_exists(out));
}

int main(void) {
  dir = run_case_dir("run_cli");
  if (!dir) return 1;
  TW_TEST_RUN(signals);
  TW_TEST_RUN(output_checked_first);
  TW_TEST_RUN(overrides);
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("simulate needs libyaml and HDF5")
#endif
