/*
** run_case.c: the shared helpers of the run engine's tests (run_case.h).
*/
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include "build_info.h" /* TW_HAVE_HDF5: builds without it have no results files to compare */
#include "run_case.h"

#if TW_HAVE_HDF5

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h> /* WEXITSTATUS */
#include <unistd.h>   /* access */

#include "io/h5.h" /* reading results back */

static char dir[512];

const char *run_case_dir(const char *name) {
  snprintf(dir, sizeof dir, "%s/%s_XXXXXX", TW_BINARY_DIR, name);
  return mkdtemp(dir);
}

int run_case_shell(const char *cmd, char *err, size_t cap) {
  char line[8192], path[600];
  snprintf(path, sizeof path, "%s/last.err", dir);
  /* Open MPI keeps allocations from MPI_Init until exit: no leak checks in children. */
  snprintf(line, sizeof line,
           "cd %s && export ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0\" && { %s ; } 2> %s", dir, cmd,
           path);
  int rc = system(line);
  err[0] = '\0';
  FILE *f = fopen(path, "r");
  if (f) {
    size_t n = fread(err, 1, cap - 1, f);
    err[n] = '\0';
    fclose(f);
  }
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

int run_case_twinscale(int seconds, const char *args, char *err, size_t cap) {
  char cmd[8192];
  snprintf(cmd, sizeof cmd, "timeout %d %s/twinscale %s > /dev/null", seconds, TW_BINARY_DIR, args);
  return run_case_shell(cmd, err, cap);
}

int run_case_exists(const char *path) { return access(path, F_OK) == 0; }

static int same_dataset(tw_h5_file *fa, tw_h5_file *fb, const char *path, const char *a, const char *b) {
  tw_tensor ta = {0}, tb = {0};
  int same = tw_h5_read(fa, path, TW_F64, &ta) == TW_OK && tw_h5_read(fb, path, TW_F64, &tb) == TW_OK &&
             tw_tensor_bytes(&ta) == tw_tensor_bytes(&tb) && !memcmp(ta.data, tb.data, tw_tensor_bytes(&ta));
  if (!same) fprintf(stderr, "  %s differs between %s and %s (%s)\n", path, a, b, tw_error_message());
  free(ta.data);
  free(tb.data);
  tw_error_clear();
  return same;
}

static int same_names(tw_h5_file *fa, tw_h5_file *fb) {
  char **na = NULL, **nb = NULL;
  int64_t n = 0, m = 0;
  int same = tw_h5_read_strings(fa, "/twins/name", &na, &n) == TW_OK &&
             tw_h5_read_strings(fb, "/twins/name", &nb, &m) == TW_OK && n == m;
  for (int64_t i = 0; same && i < n; ++i) same = !strcmp(na[i], nb[i]);
  for (int64_t i = 0; na && i < n; ++i) free(na[i]);
  for (int64_t i = 0; nb && i < m; ++i) free(nb[i]);
  free(na);
  free(nb);
  if (!same) fprintf(stderr, "  /twins/name differs\n");
  return same;
}

/* Every dataset the simulate job writes, for the observables the file lists. */
static int same_all(tw_h5_file *fa, tw_h5_file *fb, const char *a, const char *b) {
  int same = same_names(fa, fb) && same_dataset(fa, fb, "/time_min", a, b) &&
             same_dataset(fa, fb, "/status/flag", a, b) && same_dataset(fa, fb, "/status/fail_minute", a, b);
  static const char *const obs[] = {"bg", "plasma_glucose", "plasma_insulin", "iob", "cgm"};
  static const char *const what[] = {"mean", "min", "max"};
  for (size_t k = 0; same && k < sizeof obs / sizeof *obs; ++k) {
    char p[128];
    snprintf(p, sizeof p, "/trajectories/%s", obs[k]);
    same = same_dataset(fa, fb, p, a, b);
    for (int j = 0; same && j < 3; ++j) {
      snprintf(p, sizeof p, "/summary/%s/%s", obs[k], what[j]);
      same = same_dataset(fa, fb, p, a, b);
    }
  }
  return same;
}

int run_case_same_results(const char *a, const char *b) {
  tw_h5_file *fa = NULL, *fb = NULL;
  int same = tw_h5_open(a, NULL, &fa) == TW_OK && tw_h5_open(b, NULL, &fb) == TW_OK && same_all(fa, fb, a, b);
  if (!fa || !fb) fprintf(stderr, "  cannot open %s or %s: %s\n", a, b, tw_error_message());
  if (fa) tw_h5_close(fa);
  if (fb) tw_h5_close(fb);
  tw_error_clear();
  return same;
}
#else
typedef int tw_run_case_needs_hdf5; /* ISO C wants a non-empty file */
#endif
