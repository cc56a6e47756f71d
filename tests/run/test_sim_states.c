/*
** test_sim_states.c: `simulate` with output.states: true writes every state and
** input of the t1d pack, at the output resolution, and they are the ones the
** integrator used:
**   (a) bg = gsub / Vg and plasma_glucose = gp / Vg (t1d_body.h's observe) at
**       every sample of 30 twins, bit for bit, Vg from vpatient_params.csv;
**   (b) the meal input: 50, 70, 80 g at minutes 420, 720, 1110 with every_min
**       1 (zero elsewhere); with every_min 5 each input is the mean of the
**       1-minute series over [t, t + 5) (relative 1e-14), and 0 at t = duration;
**   (c) with controller bb the insulin input departs from the basal exactly in
**       the 3 minutes (Dexcom's sample time) after the decision that sees each
**       meal, where bb boluses (the scenario has none); with pid, the insulin at t = 0 grows when the
**       target drops from 140 to 100 mg/dL;
**   (d) memory (/usr/bin/time, printed): 3 twins at every_min 5 (rk4),
**       buffer_mb 4, with states, peak within 4 MB for two years as for one
**       (the run streams), and within the buffer plus HDF5's 1 MiB chunk cache
**       per added dataset (15 of them, plus 1 MiB slack) of the run without;
**   (e) the files from 1 and 2 OpenMP threads are identical, states and inputs
**       too, and so is the file written in two time blocks (buffer_mb 1);
**   and `output: {states: 7}` is refused at FILE:LINE:COL with exit 2.
*/
#define _POSIX_C_SOURCE 200809L
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include "io/h5.h"              /* reading results back */
#include "physio/param_table.h" /* tw_t1d_builtin_table: Vg per patient */
#include "run_case.h"

#define T1D30 TW_TEST_DATA_DIR "/run/t1d-30.yaml"

static const char *dir;

static int twinscale(const char *args, char *err, size_t cap) { return run_case_twinscale(300, args, err, cap); }

/* Runs simulate with `args`, which must succeed. */
static void simulate(const char *args) {
  char cmd[4096], err[4096];
  snprintf(cmd, sizeof cmd, "simulate %s --force", args);
  const int rc = twinscale(cmd, err, sizeof err);
  if (rc != 0) fprintf(stderr, "  simulate %s: exit %d: %s", args, rc, err);
  CHECK_EQ_INT(rc, 0);
}

/* Dataset `path` of results file `file` (in the case dir) as (rows, cols) float64. */
static double *read2(const char *file, const char *path, int64_t *rows, int64_t *cols) {
  char full[700];
  snprintf(full, sizeof full, "%s/%s", dir, file);
  tw_h5_file *f = NULL;
  tw_tensor t = {0};
  if (tw_h5_open(full, NULL, &f) != TW_OK || tw_h5_read(f, path, TW_F64, &t) != TW_OK || t.rank != 2) {
    fprintf(stderr, "  cannot read %s from %s: %s\n", path, full, tw_error_message());
    tw_error_clear();
    if (f) tw_h5_close(f);
    free(t.data);
    return NULL;
  }
  tw_h5_close(f);
  *rows = t.dims[0];
  *cols = t.dims[1];
  return t.data;
}

/* Twin i's Vg (dL/kg) from the compiled-in patient table, by name. */
static double vg_of(const tw_csv *t, const char *name) {
  const int cn = tw_csv_col(t, "Name"), cv = tw_csv_col(t, "Vg");
  for (int r = 0; r < t->n_rows; ++r)
    if (!strcmp(t->cells[r * t->n_cols + cn], name)) return strtod(t->cells[r * t->n_cols + cv], NULL);
  return NAN;
}

/* Observable `obs` equals state `x` / Vg at every sample, bit for bit (both NaN
** once a twin is stopped). */
static void check_ratio(const char *file, const char *obs, const char *x) {
  char p1[64], p2[64], full[700];
  snprintf(p1, sizeof p1, "/trajectories/%s", obs);
  snprintf(p2, sizeof p2, "/states/%s", x);
  int64_t n = 0, T = 0, n2 = 0, T2 = 0;
  double *o = read2(file, p1, &n, &T), *s = read2(file, p2, &n2, &T2);
  tw_csv t;
  CHECK_OK(tw_t1d_builtin_table("vpatient_params.csv", &t));
  snprintf(full, sizeof full, "%s/%s", dir, file);
  tw_h5_file *f = NULL;
  char **names = NULL;
  int64_t nn = 0;
  CHECK_OK(tw_h5_open(full, NULL, &f));
  CHECK_OK(tw_h5_read_strings(f, "/twins/name", &names, &nn));
  tw_h5_close(f);
  CHECK(o && s && n == 30 && n2 == n && T2 == T && T == 1441 && nn == n);
  int64_t off = 0;
  for (int64_t i = 0; o && s && i < n && i < nn; ++i) {
    const double vg = vg_of(&t, names[i]);
    CHECK(isfinite(vg) && vg > 0);
    for (int64_t k = 0; k < T; ++k) { /* a twin stopped at the glucose floor: NaN in both from there */
      const double a = o[i * T + k], b = s[i * T + k] / vg;
      off += isnan(a) && isnan(b) ? 0 : a != b;
    }
  }
  fprintf(stderr, "  %s vs %s / Vg: %lld of %lld samples differ\n", obs, x, (long long)off, (long long)(n * T));
  CHECK(off == 0);
  for (int64_t i = 0; i < nn; ++i) free(names[i]);
  free(names);
  tw_csv_free(&t);
  free(o);
  free(s);
}

static void observe_identity(void) {
  simulate(T1D30 " --set output.states=true -o id.h5");
  check_ratio("id.h5", "bg", "gsub");
  check_ratio("id.h5", "plasma_glucose", "gp");
}

/* Every input at every_min 5 is the mean of the 1-minute series over [t, t + 5). */
static void check_means(const char *path, const double *a1, int64_t T1, const double *a5, int64_t T5, int64_t n) {
  double worst = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < T5; ++j) {
      double m = 0.0;
      for (int64_t k = 5 * j; k < 5 * j + 5 && k < T1 - 1; ++k) m += a1[i * T1 + k];
      m = j == T5 - 1 ? 0.0 : m / 5.0;
      const double d = fabs(a5[i * T5 + j] - m) / fmax(fabs(m), 1e-300);
      worst = fmax(worst, m == 0.0 ? (a5[i * T5 + j] != 0.0) : d);
    }
  fprintf(stderr, "  %s: every_min 5 against the 1-minute means: worst relative difference %.3g\n", path, worst);
  CHECK(worst <= 1e-14);
}

static void meal_inputs(void) {
  simulate(T1D30 " --set output.states=true --set integrator.method=rk4 -o m1.h5");
  simulate(T1D30 " --set output.states=true --set integrator.method=rk4 --set output.every_min=5 -o m5.h5");
  int64_t n = 0, T = 0, n5 = 0, T5 = 0;
  double *c1 = read2("m1.h5", "/inputs/cho", &n, &T), *c5 = read2("m5.h5", "/inputs/cho", &n5, &T5);
  CHECK(c1 && c5 && n == 30 && T == 1441 && n5 == 30 && T5 == 289);
  int64_t wrong = 0;
  for (int64_t i = 0; c1 && i < n; ++i)
    for (int64_t k = 0; k < T; ++k)
      wrong += c1[i * T + k] != (k == 420 ? 50.0 : k == 720 ? 70.0 : k == 1110 ? 80.0 : 0.0);
  CHECK(wrong == 0);
  CHECK(c5 && c5[84] == 10.0 && c5[144] == 14.0 && c5[222] == 16.0 && c5[83] == 0.0);
  if (c1 && c5) check_means("/inputs/cho", c1, T, c5, T5, n);
  double *i1 = read2("m1.h5", "/inputs/insulin", &n, &T), *i5 = read2("m5.h5", "/inputs/insulin", &n5, &T5);
  CHECK(i1 && i5);
  if (i1) CHECK(fabs(i1[420] - i1[419] - 4.0) < 1e-12); /* the 4 U bolus at 420 as 4 U/min for a minute */
  if (i1 && i5) check_means("/inputs/insulin", i1, T, i5, T5, n);
  free(c1), free(c5), free(i1), free(i5);
}

/* A 3-twin day with a controller; %s: the controller and its parameters. */
static void write_controller_config(const char *file, const char *controller) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fprintf(f, "pack: t1d\ntwins: {reference: [adolescent#001, adult#001, child#001]}\nduration_min: 1440\n"
             "integrator: {method: rk4}\nscenario:\n"
             "  meals: [{time_min: 420, carbs_g: 45}, {time_min: 721, carbs_g: 70}, {time_min: 1140, carbs_g: 80}]\n"
             "  pump: Insulet\n%s\nsensor: {name: Dexcom, noise: false}\n"
             "output: {every_min: 1, states: true}\n", controller);
  fclose(f);
}

static void controller_inputs(void) {
  write_controller_config("bb.yaml", "  controller: bb");
  simulate("bb.yaml -o bb.h5");
  int64_t n = 0, T = 0;
  double *u = read2("bb.h5", "/inputs/insulin", &n, &T);
  CHECK(u && n == 3 && T == 1441);
  int64_t wrong = 0, doses = 0;
  for (int64_t i = 0; u && i < n; ++i)
    for (int64_t k = 0; k < T - 1; ++k) { /* Dexcom samples every 3 min: decisions at 423, 723, 1143 see the
                                              meals of 420, 721, 1140 and bolus over the next 3 minutes */
      const int dosing = (k >= 423 && k < 426) || (k >= 723 && k < 726) || (k >= 1143 && k < 1146);
      doses += u[i * T + k] > u[i * T];
      wrong += dosing != (u[i * T + k] > u[i * T]) || u[i * T] <= 0.0;
    }
  fprintf(stderr, "  bb: %lld bolus minutes over 3 twins, %lld out of place\n", (long long)doses, (long long)wrong);
  CHECK(wrong == 0 && doses == 3 * 9);
  write_controller_config("pid140.yaml", "  controller: pid\n  controller_params: {target: 140}");
  write_controller_config("pid100.yaml", "  controller: pid\n  controller_params: {target: 100}");
  simulate("pid140.yaml -o pid140.h5");
  simulate("pid100.yaml -o pid100.h5");
  double *a = read2("pid140.h5", "/inputs/insulin", &n, &T), *b = read2("pid100.h5", "/inputs/insulin", &n, &T);
  CHECK(a && b);
  for (int64_t i = 0; a && b && i < n; ++i) {
    fprintf(stderr, "  pid twin %lld: insulin at t = 0: %.6g U/min (target 140), %.6g (target 100)\n", (long long)i,
            a[i * T], b[i * T]);
    CHECK(b[i * T] > a[i * T]);
  }
  free(u), free(a), free(b);
}

/* Peak resident memory (kB) of a simulate run, from /usr/bin/time. */
static long peak_kb(const char *args) {
  char cmd[4096], err[8192];
  snprintf(cmd, sizeof cmd, "/usr/bin/time -f 'peak_kb=%%M' %s/twinscale simulate %s --force > /dev/null", TW_BINARY_DIR,
           args);
  const int rc = run_case_shell(cmd, err, sizeof err);
  const char *p = strstr(err, "peak_kb=");
  if (rc != 0) fprintf(stderr, "  simulate %s: exit %d: %s", args, rc, err);
  return rc == 0 && p ? atol(p + 8) : -1;
}

static void memory(void) {
  const char *year = T1D30 " --set 'twins.reference=[adolescent#001, adult#001, child#001]'"
                     " --set integrator.method=rk4 --set output.every_min=5 --set output.buffer_mb=4";
  char a[2048], b[2048], c[2048];
  snprintf(a, sizeof a, "%s --set duration_min=525600 -o year.h5", year);
  snprintf(b, sizeof b, "%s --set duration_min=525600 --set output.states=true -o year_states.h5", year);
  snprintf(c, sizeof c, "%s --set duration_min=1051200 --set output.states=true -o years_states.h5", year);
  const long without = peak_kb(a), with = peak_kb(b), two = peak_kb(c);
  fprintf(stderr, "  3 twins at every_min 5, buffer_mb 4: peak %.1f MB a year without states, %.1f MB with,"
                  " %.1f MB two years with\n", without / 1024.0, with / 1024.0, two / 1024.0);
  CHECK(without > 0 && with > 0 && two > 0);
  CHECK(two - with < 4 * 1024); /* streams: twice the duration, the same memory */
  /* the 15 more datasets cost at most HDF5's chunk cache each (1 MiB) beyond the buffer */
  CHECK(with - without < (15 * 1024 + 1024) + 4 * 1024);
}

/* Dataset `path` is bit-identical in two files. */
static void same(const char *fa, const char *fb, const char *path) {
  int64_t n = 0, T = 0, n2 = 0, T2 = 0;
  double *a = read2(fa, path, &n, &T), *b = read2(fb, path, &n2, &T2);
  CHECK_MSG(a && b && n == n2 && T == T2 && !memcmp(a, b, (size_t)(n * T) * sizeof *a), "%s differs", path);
  free(a), free(b);
}

static void threads(void) {
  char t1[700], t2[700];
  char cmd[4096], err[4096];
  snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=1 timeout 300 %s/twinscale simulate " T1D30
           " --set output.states=true --set output.chunk_twins=8 -o t1.h5 --force > /dev/null", TW_BINARY_DIR);
  CHECK_EQ_INT(run_case_shell(cmd, err, sizeof err), 0);
  snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=2 timeout 300 %s/twinscale simulate " T1D30
           " --set output.states=true --set output.chunk_twins=8 -o t2.h5 --force > /dev/null", TW_BINARY_DIR);
  CHECK_EQ_INT(run_case_shell(cmd, err, sizeof err), 0);
  snprintf(t1, sizeof t1, "%s/t1.h5", dir);
  snprintf(t2, sizeof t2, "%s/t2.h5", dir);
  CHECK(run_case_same_results(t1, t2));
  static const char *const sets[] = {"/states/qsto1", "/states/gp", "/states/isc2", "/states/gsub", "/inputs/cho",
                                     "/inputs/insulin"};
  for (size_t k = 0; k < sizeof sets / sizeof *sets; ++k) same("t1.h5", "t2.h5", sets[k]);
  /* two time blocks (buffer_mb 1 with chunks of 8 twins holds 819 samples of
  ** 1441): the samples and inputs at the block edge are those of one block */
  simulate(T1D30 " --set output.states=true --set output.chunk_twins=8 --set output.buffer_mb=1 -o b1.h5");
  snprintf(t1, sizeof t1, "%s/b1.h5", dir);
  CHECK(run_case_same_results(t1, t2));
  for (size_t k = 0; k < sizeof sets / sizeof *sets; ++k) same("b1.h5", "t2.h5", sets[k]);
}

static void bad_value(void) {
  char path[700], args[1400], err[4096];
  snprintf(path, sizeof path, "%s/bad.yaml", dir);
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs("pack: t1d\ntwins: {reference: [adult#001]}\nduration_min: 60\noutput:\n  states: 7\n", f);
  fclose(f);
  snprintf(args, sizeof args, "simulate %s -o bad.h5", path);
  const int rc = twinscale(args, err, sizeof err);
  fprintf(stderr, "  states: 7: exit %d: %s", rc, err);
  CHECK_EQ_INT(rc, 2);
  CHECK(strstr(err, "bad.yaml:5:11:") != NULL && strstr(err, "true or false") != NULL);
}

int main(void) {
  dir = run_case_dir("sim_states");
  if (!dir) return 1;
  TW_TEST_RUN(observe_identity);
  TW_TEST_RUN(meal_inputs);
  TW_TEST_RUN(controller_inputs);
  TW_TEST_RUN(threads);
  TW_TEST_RUN(bad_value);
  TW_TEST_RUN(memory);
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("simulate needs libyaml and HDF5")
#endif
