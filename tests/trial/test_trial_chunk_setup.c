/*
** test_trial_chunk_setup.c: the trial sets up each chunk's twins on its own
** (trial_setup_chunk, tw_sim_setup_build_range) and still writes and checks
** what the whole setup did (docs/trial.md, "Memory").
**
** Runs `twinscale trial` on cohort files made by `twinscale cohort generate`
** from tests/data/trial/cohort-small.yaml. Checks:
**   1. copied by chunks: the stratified parallel trial of strata.yaml on the
**      40-twin cohort in chunks of 7 twins (6 chunks, the last short) writes
**      /twins/name equal to the cohort's /cohort/id, and every
**      /cohort/parameters and /cohort/covariates dataset bit for bit equal to
**      the cohort file's (each chunk read its rows, wrote them at its rows);
**   2. checked before any work: in a 4,500-twin cohort, parameter t1d.BW of
**      row 4,400 (beyond the first range the setup checks, in the ninth chunk
**      of the run) is set to -1; the trial exits 2 with the message naming the
**      file, dataset, row 4400 and twin, leaves no results file, and does so
**      before simulating: the run is 30 days long, which the 4,400 twins
**      before the bad row could not finish within the 60 s allowed (timeout's
**      exit 124 would fail the check).
*/
#define _POSIX_C_SOURCE 200809L
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5.h"
#include "run_case.h" /* run_case_dir, run_case_shell, run_case_exists */

#define STRATA TW_TEST_DATA_DIR "/trial/strata.yaml"
#define COHORT TW_TEST_DATA_DIR "/trial/cohort-small.yaml"

static const char *dir;

/* `twinscale cohort generate` of cohort-small.yaml with `size` twins into path. */
static int generate(const char *path, int size) {
  char cmd[2048], err[4096];
  snprintf(cmd, sizeof cmd, "timeout 120 %s/twinscale cohort generate %s --set size=%d -o %s > /dev/null",
           TW_BINARY_DIR, COHORT, size, path);
  const int rc = run_case_shell(cmd, err, sizeof err);
  if (rc) fprintf(stderr, "  cohort generate: exit %d: %s", rc, err);
  return rc;
}

static void free_names(char **names, int64_t n) {
  for (int64_t i = 0; names && i < n; ++i) free(names[i]);
  free(names);
}

/* Dataset `path` of the results equals dataset `cpath` of the cohort, as doubles, bit for bit. */
static int same_column(tw_h5_file *r, const char *path, tw_h5_file *c, const char *cpath) {
  tw_tensor a, b;
  if (tw_h5_read(r, path, TW_F64, &a) != TW_OK) return 0;
  if (tw_h5_read(c, cpath, TW_F64, &b) != TW_OK) return free(a.data), 0;
  const int same = a.dims[0] == b.dims[0] && !memcmp(a.data, b.data, (size_t)a.dims[0] * sizeof(double));
  free(a.data), free(b.data);
  return same;
}

/* Every dataset of `group` in the results equals the cohort's; *same counts them. */
static void same_group(tw_h5_file *r, tw_h5_file *c, const char *group, int *same) {
  char **names = NULL;
  int n = 0;
  *same = 0;
  CHECK_OK(tw_h5_list(r, group, &names, &n));
  for (int k = 0; k < n; ++k) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", group, names[k]);
    const int ok = same_column(r, path, c, path);
    CHECK_MSG(ok, "%s differs from the cohort file's", path);
    *same += ok;
  }
  free_names(names, n);
}

static void copied_by_chunks(void) {
  char cohort[600], cmd[4096], err[8192], results[600];
  snprintf(cohort, sizeof cohort, "%s/c40.h5", dir);
  snprintf(results, sizeof results, "%s/strata7.h5", dir);
  CHECK_EQ_INT(generate(cohort, 40), 0);
  snprintf(cmd, sizeof cmd, "timeout 300 %s/twinscale trial %s --set twins.cohort=%s --set output.chunk_twins=7 "
           "-o %s > /dev/null", TW_BINARY_DIR, STRATA, cohort, results);
  const int rc = run_case_shell(cmd, err, sizeof err);
  CHECK_MSG(rc == 0, "trial: exit %d: %s", rc, err);
  tw_h5_file *r = NULL, *c = NULL;
  CHECK_OK(tw_h5_open(results, NULL, &r));
  CHECK_OK(tw_h5_open(cohort, NULL, &c));
  if (!r || !c) {
    tw_h5_close(r), tw_h5_close(c);
    return;
  }
  char **names = NULL, **ids = NULL;
  int64_t n = 0, m = 0;
  CHECK_OK(tw_h5_read_strings(r, "/twins/name", &names, &n));
  CHECK_OK(tw_h5_read_strings(c, "/cohort/id", &ids, &m));
  CHECK_EQ_INT(n, 40);
  CHECK_EQ_INT(m, 40);
  for (int64_t i = 0; i < n && i < m; ++i) CHECK_EQ_STR(names[i], ids[i]);
  free_names(names, n), free_names(ids, m);
  int params = 0, covariates = 0;
  same_group(r, c, "/cohort/parameters", &params);
  same_group(r, c, "/cohort/covariates", &covariates);
  CHECK_MSG(params >= 30, "%d parameters the same as the cohort's (30 or more expected)", params);
  CHECK_EQ_INT(covariates, 7);
  CHECK_OK(tw_h5_close(r));
  CHECK_OK(tw_h5_close(c));
}

/* Sets element `row` of a 1-D float64 dataset of an existing file to v (HDF5 directly: the
** project's writer makes new files only). */
static int poke(const char *file, const char *path, hsize_t row, double v) {
  hid_t f = H5Fopen(file, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t d = f >= 0 ? H5Dopen2(f, path, H5P_DEFAULT) : -1;
  hid_t fs = d >= 0 ? H5Dget_space(d) : -1;
  const hsize_t one = 1;
  hid_t ms = H5Screate_simple(1, &one, NULL);
  int ok = fs >= 0 && ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, &row, NULL, &one, NULL) >= 0 &&
           H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v) >= 0;
  if (ms >= 0) H5Sclose(ms);
  if (fs >= 0) H5Sclose(fs);
  if (d >= 0) H5Dclose(d);
  if (f >= 0) ok = H5Fclose(f) >= 0 && ok;
  return ok;
}

static void checked_before_work(void) {
  char cohort[600], cmd[4096], err[8192], results[600], want[800];
  snprintf(cohort, sizeof cohort, "%s/c4500.h5", dir);
  snprintf(results, sizeof results, "%s/late.h5", dir);
  CHECK_EQ_INT(generate(cohort, 4500), 0);
  CHECK(poke(cohort, "/cohort/parameters/t1d.BW", 4400, -1.0));
  snprintf(cmd, sizeof cmd, "timeout 60 %s/twinscale trial %s --set twins.cohort=%s --set duration_min=43200 "
           "-o %s > /dev/null", TW_BINARY_DIR, STRATA, cohort, results);
  const int rc = run_case_shell(cmd, err, sizeof err);
  CHECK_MSG(rc == 2, "trial: exit %d (2 expected, 124: it ran instead of stopping): %s", rc, err);
  snprintf(want, sizeof want, "%s: /cohort/parameters/t1d.BW, row 4400 (from 0): twin ", cohort);
  CHECK_MSG(strstr(err, want) != NULL, "no '%s' in: %s", want, err);
  CHECK_MSG(strstr(err, "parameter BW = -1") != NULL, "no 'parameter BW = -1' in: %s", err);
  CHECK(!run_case_exists(results));
}

int main(void) {
  dir = run_case_dir("trial_chunk_setup");
  TW_TEST_RUN(copied_by_chunks);
  TW_TEST_RUN(checked_before_work);
  return TW_TEST_RESULT();
}
#else
int main(void) { TW_TEST_MAIN_SKIP("needs YAML and HDF5"); }
#endif
