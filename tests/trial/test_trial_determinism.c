/*
** test_trial_determinism.c: `twinscale trial` gives the same bits whatever the
** threads and the chunking, and a parallel design runs each twin exactly as
** the crossover runs it in its allocated arm (issue 8: "identical HDF5 datasets
** with 1 and 2 threads and any chunking").
**
** The trial is tests/data/trial/small.yaml (10 reference patients, random
** meals, a noisy CGM, basal-bolus against PID, 1-minute trajectories of the
** first 4 twins), run through the binary as a crossover and as a parallel
** design (1:1, blocks of 2), each with OMP_NUM_THREADS 1 and 2 and
** output.chunk_twins 1, 3 and the default (6 runs per design). Checks:
**   1. every dataset under /endpoints, /status, /trajectories, /assignment,
**      /cohort/parameters, /endpoints_units, and /arms/name, /twins/name,
**      /time_min, is in every run of a design with the same names, shape and
**      bytes as in the first run (memcmp of the doubles: NaN included, no
**      tolerance); and hdf5-tools' h5diff (no tolerance) agrees, where it is
**      installed (and, as a control, finds the parallel and crossover files
**      different);
**   2. the crossover ran: every twin-arm's flag is 0 with finite endpoints, or
**      TW_TWIN_DOMAIN (stopped at the glucose floor) with NaN ones, most ran
**      through, and the arms differ (mean_bg differs for every twin that ran
**      both), so that check 3 can tell the arms apart;
**   3. parallel against crossover: both arms have twins; each twin's value of
**      every endpoint, its flag and (for the kept twins) every trajectory
**      sample in its allocated arm (/assignment/arm) are the crossover's bits
**      for that arm, and the other arm holds NaN (flag -1). Twins are
**      independent (same meals and sensor noise keyed by twin id), so this
**      checks the parallel arm's row map (tw_sim_chunk_open_rows);
**   4. the same three for a stratified parallel trial on cohort twins
**      (tests/data/trial/strata.yaml: 40 twins of cohort-small.yaml, 1:2 in
**      blocks of 3 within sex x age strata, no insulin against PID), and every
**      complete block of 3 within a stratum holds the arms 1:2 (the strata the
**      trial set up from the file's covariates are the ones it randomised in);
**      and its crossover on 2 threads, where each arm's 40 twins run in two
**      slices of 20 (one per thread, trial_job.c), equals the 1-thread run;
**   5. twins at the t1d pack's glucose floor (tests/data/trial/floor.yaml: PID
**      with simglucose's example gains on three children): flagged 4 in that
**      arm only, their endpoints NaN and only theirs, and counted per arm in
**      summary.json ("stopped_early") and under report.html's title.
*/
#define _POSIX_C_SOURCE 200809L
#include "build_info.h" /* TW_HAVE_YAML, TW_HAVE_HDF5 */
#include "tw_test.h"

#if TW_HAVE_YAML && TW_HAVE_HDF5
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5.h"
#include "run_case.h" /* run_case_dir, run_case_shell, run_case_exists */
#include "twinscale/pack.h" /* TW_TWIN_DOMAIN */

#define CONFIG TW_TEST_DATA_DIR "/trial/small.yaml"
#define STRATA TW_TEST_DATA_DIR "/trial/strata.yaml"
#define COHORT TW_TEST_DATA_DIR "/trial/cohort-small.yaml"
#define FLOOR TW_TEST_DATA_DIR "/trial/floor.yaml"
#define PARALLEL "--set 'design={type: parallel, ratios: [1, 1], block_size: 2}'"
#define N_TWINS 10
#define N_KEEP 4

static const char *dir;

/* The groups whose every dataset is compared, and the single datasets. */
static const char *const groups[] = {"/endpoints", "/status", "/trajectories", "/assignment", "/cohort/parameters",
                                     "/cohort/covariates"};
static const char *const singles[] = {"/time_min"};
static const char *const string_sets[] = {"/arms/name", "/twins/name", "/endpoints_units/name", "/endpoints_units/units"};

/* Runs trial `config` as `name`.h5 with `threads` OpenMP threads and `chunk`
** twins per chunk (0: the job's default); `extra` is more --set. */
static int run_trial(const char *config, const char *name, int threads, int chunk, const char *extra) {
  char cmd[4096], err[8192], chunk_set[64] = "";
  if (chunk) snprintf(chunk_set, sizeof chunk_set, "--set output.chunk_twins=%d", chunk);
  snprintf(cmd, sizeof cmd, "OMP_NUM_THREADS=%d timeout 300 %s/twinscale trial %s -o %s.h5 %s %s > /dev/null", threads,
           TW_BINARY_DIR, config, name, chunk_set, extra);
  const int rc = run_case_shell(cmd, err, sizeof err);
  if (rc) fprintf(stderr, "  %s: exit %d: %s", name, rc, err);
  return rc;
}

static void free_names(char **names, int64_t n) {
  for (int64_t i = 0; names && i < n; ++i) free(names[i]);
  free(names);
}

/* The same bytes (as float64) and shape at `path` in both files. */
static int same_dataset(tw_h5_file *fa, tw_h5_file *fb, const char *path) {
  tw_tensor ta = {0}, tb = {0};
  int same = tw_h5_read(fa, path, TW_F64, &ta) == TW_OK && tw_h5_read(fb, path, TW_F64, &tb) == TW_OK &&
             ta.rank == tb.rank && tw_tensor_bytes(&ta) == tw_tensor_bytes(&tb) &&
             !memcmp(ta.dims, tb.dims, (size_t)ta.rank * sizeof *ta.dims) &&
             !memcmp(ta.data, tb.data, tw_tensor_bytes(&ta));
  if (!same) fprintf(stderr, "  %s differs (%s)\n", path, tw_error_message());
  free(ta.data);
  free(tb.data);
  tw_error_clear();
  return same;
}

static int same_strings(tw_h5_file *fa, tw_h5_file *fb, const char *path) {
  char **na = NULL, **nb = NULL;
  int64_t n = 0, m = 0;
  int same = tw_h5_read_strings(fa, path, &na, &n) == TW_OK && tw_h5_read_strings(fb, path, &nb, &m) == TW_OK && n == m;
  for (int64_t i = 0; same && i < n; ++i) same = !strcmp(na[i], nb[i]);
  if (!same) fprintf(stderr, "  %s differs (%s)\n", path, tw_error_message());
  free_names(na, n);
  free_names(nb, m);
  tw_error_clear();
  return same;
}

/* Every dataset of `group`: the same names in both files, each the same bytes.
** Adds the datasets compared to *count. */
static int same_group(tw_h5_file *fa, tw_h5_file *fb, const char *group, int *count) {
  char **na = NULL, **nb = NULL;
  int n = 0, m = 0;
  int same = tw_h5_list(fa, group, &na, &n) == TW_OK && tw_h5_list(fb, group, &nb, &m) == TW_OK && n == m;
  if (!same) fprintf(stderr, "  %s: %d datasets against %d\n", group, n, m);
  for (int k = 0; same && k < n; ++k) {
    char path[512];
    same = !strcmp(na[k], nb[k]);
    snprintf(path, sizeof path, "%s/%s", group, na[k]);
    same = same && same_dataset(fa, fb, path);
    *count += 1;
  }
  free_names(na, n);
  free_names(nb, m);
  tw_error_clear();
  return same;
}

/* Check 1 for two results files; the number of datasets compared, -1 on a difference. */
static int same_results(const char *a, const char *b) {
  tw_h5_file *fa = NULL, *fb = NULL;
  int same = tw_h5_open(a, NULL, &fa) == TW_OK && tw_h5_open(b, NULL, &fb) == TW_OK, count = 0;
  if (!same) fprintf(stderr, "  cannot open %s or %s: %s\n", a, b, tw_error_message());
  for (size_t g = 0; same && g < sizeof groups / sizeof *groups; ++g) same = same_group(fa, fb, groups[g], &count);
  for (size_t k = 0; same && k < sizeof singles / sizeof *singles; ++k, ++count) same = same_dataset(fa, fb, singles[k]);
  for (size_t k = 0; same && k < sizeof string_sets / sizeof *string_sets; ++k, ++count)
    same = same_strings(fa, fb, string_sets[k]);
  if (fa) tw_h5_close(fa);
  if (fb) tw_h5_close(fb);
  tw_error_clear();
  return same ? count : -1;
}

/* hdf5-tools' h5diff on the same groups, no tolerance: 0 the same, 1 a
** difference, 77 no h5diff. */
static int h5diff_groups(const char *a, const char *b) {
  char cmd[4096], err[4096];
  int rc = run_case_shell("command -v h5diff > /dev/null", err, sizeof err);
  if (rc) return 77;
  for (size_t g = 0; g < sizeof groups / sizeof *groups && !rc; ++g) {
    snprintf(cmd, sizeof cmd, "! h5ls %s%s > /dev/null 2>&1 || h5diff -q %s %s %s %s", a, groups[g], a, b, groups[g],
             groups[g]);
    rc = run_case_shell(cmd, err, sizeof err);
    if (rc) fprintf(stderr, "  h5diff %s %s %s: exit %d %s\n", a, b, groups[g], rc, err);
  }
  return rc ? 1 : 0;
}

/* The six runs of one design; each compared with the first. */
static void runs_agree(const char *config, const char *design, const char *extra) {
  static const int threads[] = {1, 2}, chunks[] = {0, 1, 3};
  char first[600] = "", name[64], path[600];
  for (int t = 0; t < 2; ++t)
    for (int c = 0; c < 3; ++c) {
      snprintf(name, sizeof name, "%s_t%d_c%d", design, threads[t], chunks[c]);
      CHECK_EQ_INT(run_trial(config, name, threads[t], chunks[c], extra), 0);
      snprintf(path, sizeof path, "%s/%s.h5", dir, name);
      CHECK(run_case_exists(path));
      if (!first[0]) {
        snprintf(first, sizeof first, "%s", path);
        continue;
      }
      const int count = same_results(first, path);
      fprintf(stderr, "  %s: %d datasets bit-identical to %s_t1_c0\n", name, count, design);
      CHECK_MSG(count > 0, "%s differs from the first run", name);
      const int h5d = h5diff_groups(first, path);
      CHECK_MSG(h5d == 0 || h5d == 77, "h5diff finds %s different", name);
      if (h5d == 77 && t == 0 && c == 1) fprintf(stderr, "  (no h5diff here: only the byte comparison)\n");
    }
}

static void crossover_runs_agree(void) { runs_agree(CONFIG, "crossover", ""); }
static void parallel_runs_agree(void) { runs_agree(CONFIG, "parallel", PARALLEL); }

/* ---- check 2 and 3 ---------------------------------------------------------- */

static int read_f64(tw_h5_file *f, const char *path, tw_tensor *t) {
  if (tw_h5_read(f, path, TW_F64, t) == TW_OK) return 1;
  fprintf(stderr, "  %s: %s\n", path, tw_error_message());
  tw_error_clear();
  return 0;
}

static int same_bits(double a, double b) { return !memcmp(&a, &b, sizeof a); }

/* The crossover ran as it should: every twin-arm ran through (flag 0) with
** finite endpoints, or was stopped at the glucose floor (flag TW_TWIN_DOMAIN:
** PID's default gains take some children there) with NaN endpoints; most
** ran through; the arms apart. */
static void crossover_ran(void) {
  char path[600];
  tw_h5_file *f = NULL;
  snprintf(path, sizeof path, "%s/crossover_t1_c0.h5", dir);
  CHECK_OK(tw_h5_open(path, NULL, &f));
  char **eps = NULL;
  int n_ep = 0;
  tw_tensor flag = {0}, mean = {0};
  int ok = read_f64(f, "/status/flag", &flag) && read_f64(f, "/endpoints/mean_bg", &mean) &&
           tw_h5_list(f, "/endpoints", &eps, &n_ep) == TW_OK;
  int bad = !ok, apart = 0, ran = 0, both = 0;
  const double *fl = flag.data, *mb = mean.data;
  for (int64_t k = 0; ok && k < 2 * N_TWINS; ++k) bad += fl[k] != 0 && fl[k] != TW_TWIN_DOMAIN, ran += fl[k] == 0;
  for (int64_t i = 0; ok && i < N_TWINS; ++i) {
    if (fl[2 * i] != 0 || fl[2 * i + 1] != 0) continue;
    both++, apart += mb[2 * i] != mb[2 * i + 1];
  }
  for (int e = 0; ok && e < n_ep; ++e) {
    tw_tensor t = {0};
    char p[256];
    snprintf(p, sizeof p, "/endpoints/%s", eps[e]);
    if (!read_f64(f, p, &t)) bad++;
    for (int64_t k = 0; t.data && k < 2 * N_TWINS; ++k)
      if (!isfinite(((double *)t.data)[k]) != (fl[k] != 0))
        bad++, fprintf(stderr, "  %s[%lld] = %g with flag %g\n", p, (long long)k, ((double *)t.data)[k], fl[k]);
    free(t.data);
  }
  fprintf(stderr, "  crossover: %d endpoints, %d of %d twin-arms ran through (the others stopped at the glucose "
          "floor); %d of the %d twins that ran both arms with different mean_bg in them\n", n_ep, ran, 2 * N_TWINS,
          apart, both);
  free_names(eps, n_ep);
  free(flag.data), free(mean.data);
  tw_h5_close(f);
  CHECK(ok && n_ep >= 14);
  CHECK_EQ_INT(bad, 0);
  CHECK(ran > N_TWINS && both > N_TWINS / 2);
  CHECK_EQ_INT(apart, both);
}

/* The (n, A, ...) dataset `path` of the parallel file against the crossover's:
** the allocated arm's `per` values bit-equal, the other arm's all `other`
** (NaN when other is NaN). Returns the number of mismatches. */
static int64_t arm_matches(tw_h5_file *fp, tw_h5_file *fc, const char *path, const int32_t *arm_of, int64_t n,
                           double other) {
  tw_tensor p = {0}, c = {0};
  if (!read_f64(fp, path, &p) || !read_f64(fc, path, &c) || tw_tensor_bytes(&p) != tw_tensor_bytes(&c) ||
      p.dims[0] != n || p.dims[1] != 2)
    return free(p.data), free(c.data), 1;
  const int64_t per = (int64_t)(tw_tensor_bytes(&p) / sizeof(double)) / (2 * n), A = 2;
  const double *pv = p.data, *cv = c.data;
  int64_t bad = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t a = 0; a < A; ++a)
      for (int64_t k = 0; k < per; ++k) {
        const int64_t at = (i * A + a) * per + k;
        const int ok = a == arm_of[i] ? same_bits(pv[at], cv[at]) : isnan(other) ? isnan(pv[at]) : pv[at] == other;
        if (!ok && bad++ < 3)
          fprintf(stderr, "  %s: twin %lld arm %lld [%lld]: parallel %.17g, crossover %.17g (allocated arm %d)\n", path,
                  (long long)i, (long long)a, (long long)k, pv[at], cv[at], arm_of[i]);
      }
  free(p.data), free(c.data);
  return bad;
}

/* Check 3 for a parallel file `pp` (n twins, `keep` kept) against the crossover
** file `cp` of the same trial: the per-arm datasets of /endpoints, /status and
** /trajectories (at least `min_datasets`) match by rows. */
static void rows_match(const char *pp, const char *cp, int64_t n, int64_t keep, int min_datasets) {
  tw_h5_file *fp = NULL, *fc = NULL;
  CHECK_OK(tw_h5_open(pp, NULL, &fp));
  CHECK_OK(tw_h5_open(cp, NULL, &fc));
  tw_tensor arm = {0};
  CHECK_OK(tw_h5_read(fp, "/assignment/arm", TW_I32, &arm));
  CHECK_EQ_INT(arm.dims[0], n);
  const int32_t *arm_of = arm.data;
  int64_t in_arm[2] = {0, 0}, bad = 0, checked = 0;
  for (int64_t i = 0; i < n; ++i) in_arm[arm_of[i] == 1] += 1, bad += arm_of[i] != 0 && arm_of[i] != 1;
  fprintf(stderr, "  parallel: %lld twins in arm 0, %lld in arm 1\n", (long long)in_arm[0], (long long)in_arm[1]);
  CHECK(in_arm[0] >= 2 && in_arm[1] >= 2 && !bad);
  for (size_t g = 0; g < 3; ++g) {
    const char *group = g == 0 ? "/endpoints" : g == 1 ? "/status" : "/trajectories";
    char **names = NULL;
    int m = 0;
    CHECK_OK(tw_h5_list(fp, group, &names, &m));
    for (int k = 0; k < m; ++k) {
      char path[512];
      snprintf(path, sizeof path, "%s/%s", group, names[k]);
      bad += arm_matches(fp, fc, path, arm_of, g == 2 ? keep : n, g == 1 ? -1.0 : NAN);
      checked++;
    }
    free_names(names, m);
  }
  fprintf(stderr, "  parallel vs crossover: %lld datasets, %lld mismatches\n", (long long)checked, (long long)bad);
  const int h5d = h5diff_groups(cp, pp); /* h5diff can see a difference: the other arms' NaN */
  CHECK_MSG(h5d == 1 || h5d == 77, "h5diff finds the parallel and crossover endpoints the same (%d)", h5d);
  free(arm.data);
  tw_h5_close(fp);
  tw_h5_close(fc);
  CHECK(checked >= min_datasets);
  CHECK_EQ_INT(bad, 0);
}

static void parallel_is_crossover_by_rows(void) {
  char pp[600], cp[600];
  snprintf(pp, sizeof pp, "%s/parallel_t2_c3.h5", dir);
  snprintf(cp, sizeof cp, "%s/crossover_t1_c1.h5", dir);
  rows_match(pp, cp, N_TWINS, N_KEEP, 14 + 1 + 5);
}

/* ---- a stratified parallel trial on cohort twins ---------------------------- */

/* Within each stratum (sex x age below / from 40, from the file's covariates),
** twins in id order: every complete block of 3 holds arm 0 once and arm 1
** twice, the incomplete last block no more than that. Returns the complete
** blocks seen, -1 on a violation. */
static int64_t strata_balanced(const char *path) {
  tw_h5_file *f = NULL;
  tw_tensor sex = {0}, age = {0}, arm = {0};
  if (tw_h5_open(path, NULL, &f) != TW_OK) return -1;
  int ok = read_f64(f, "/cohort/covariates/sex", &sex) && read_f64(f, "/cohort/covariates/age_y", &age) &&
           tw_h5_read(f, "/assignment/arm", TW_I32, &arm) == TW_OK;
  tw_h5_close(f);
  int64_t blocks = 0;
  for (int s = 0; ok && s < 4; ++s) {
    int64_t in_block = 0, cnt[2] = {0, 0}, twins = 0;
    for (int64_t i = 0; ok && i < arm.dims[0]; ++i) {
      const double x = ((double *)sex.data)[i], y = ((double *)age.data)[i];
      if ((x != 0 && x != 1) || (int)x * 2 + (y >= 40) != s) continue;
      cnt[((int32_t *)arm.data)[i]]++, twins++;
      if (++in_block < 3) continue;
      ok = cnt[0] == 1 && cnt[1] == 2;
      if (!ok) fprintf(stderr, "  stratum %d: a block of 3 holds %lld + %lld\n", s, (long long)cnt[0], (long long)cnt[1]);
      blocks++, in_block = cnt[0] = cnt[1] = 0;
    }
    ok = ok && cnt[0] <= 1 && cnt[1] <= 2;
    fprintf(stderr, "  stratum %d (sex %d, age %s 40): %lld twins\n", s, s / 2, s % 2 ? ">=" : "<", (long long)twins);
  }
  free(sex.data), free(age.data), free(arm.data);
  tw_error_clear();
  return ok ? blocks : -1;
}

static void stratified(void) {
  char cmd[2048], err[4096], cohort[600], extra[1400], pp[600], cp[600];
  snprintf(cohort, sizeof cohort, "%s/cohort.h5", dir);
  snprintf(cmd, sizeof cmd, "timeout 120 %s/twinscale cohort generate %s -o %s > /dev/null", TW_BINARY_DIR, COHORT, cohort);
  const int rc = run_case_shell(cmd, err, sizeof err);
  CHECK_MSG(rc == 0, "cohort generate: exit %d: %s", rc, err);
  snprintf(extra, sizeof extra, "--set twins.cohort=%s", cohort);
  runs_agree(STRATA, "strata", extra);
  if (tw_test_case_failed_) return;
  snprintf(cmd, sizeof cmd, "%s --set 'design={type: crossover}'", extra);
  CHECK_EQ_INT(run_trial(STRATA, "strata_crossover", 1, 0, cmd), 0);
  snprintf(pp, sizeof pp, "%s/strata_t2_c1.h5", dir);
  snprintf(cp, sizeof cp, "%s/strata_crossover.h5", dir);
  /* 40 twins in one chunk on 2 threads: each arm in two slices of 20 (trial_job.c) */
  CHECK_EQ_INT(run_trial(STRATA, "strata_crossover_t2", 2, 0, cmd), 0);
  char c2[600];
  snprintf(c2, sizeof c2, "%s/strata_crossover_t2.h5", dir);
  const int same = same_results(cp, c2);
  fprintf(stderr, "  strata_crossover_t2 (two slices per arm): %d datasets bit-identical to one thread\n", same);
  CHECK_MSG(same > 0, "2 threads (two slices) differ from 1");
  rows_match(pp, cp, 40, 5, 13 + 1 + 5);
  if (tw_test_case_failed_) return;
  const int64_t blocks = strata_balanced(pp);
  fprintf(stderr, "  %lld complete blocks, each 1:2 within its stratum\n", (long long)blocks);
  CHECK(blocks >= 8);
}

/* ---- twins stopped at the glucose floor ------------------------------------ */

/* The whole text of file `name` in dir (malloc'd), or NULL. */
static char *slurp(const char *name) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  char *text = f ? calloc(1 << 20, 1) : NULL;
  if (text) fread(text, 1, (1 << 20) - 1, f);
  if (f) fclose(f);
  return text;
}

/* The integer after `key` in the text after `after` in `text`, or -1. */
static long number_after(const char *text, const char *after, const char *key) {
  const char *a = text ? strstr(text, after) : NULL, *k = a ? strstr(a, key) : NULL;
  return k ? strtol(k + strlen(key), NULL, 10) : -1;
}

/* floor.yaml: PID with simglucose's example gains takes children to glucose 0.
** Those twin-arms are flagged TW_TWIN_DOMAIN, their endpoints are NaN (and
** only theirs), and summary.json and report.html count them per arm. */
static void stopped_at_floor(void) {
  if (run_trial(FLOOR, "floor", 2, 0, "--set output.summary=floor.json --set output.report=floor.html")) return;
  char path[600];
  snprintf(path, sizeof path, "%s/floor.h5", dir);
  tw_h5_file *f = NULL;
  tw_tensor flag = {0}, tir = {0};
  CHECK_OK(tw_h5_open(path, NULL, &f));
  CHECK(read_f64(f, "/status/flag", &flag) && read_f64(f, "/endpoints/tir_70_180", &tir));
  tw_h5_close(f);
  long floor_pid = 0, other = 0, nan_where_stopped = 0, n = flag.data ? flag.dims[0] : 0;
  for (int64_t i = 0; i < n; ++i)
    for (int a = 0; a < 2; ++a) {
      const double fl = ((double *)flag.data)[2 * i + a], v = ((double *)tir.data)[2 * i + a];
      floor_pid += a == 1 && fl == TW_TWIN_DOMAIN;
      other += fl != 0 && !(a == 1 && fl == TW_TWIN_DOMAIN);
      nan_where_stopped += isnan(v) == (fl != 0);
    }
  char *summary = slurp("floor.json"), *report = slurp("floor.html"), want[160];
  snprintf(want, sizeof want, "pid %ld (0 failed to integrate, %ld reached a floor of the model", floor_pid, floor_pid);
  fprintf(stderr, "  floor: %ld of %ld twins stopped under pid, %ld other stops; summary says %ld\n", floor_pid, n, other,
          number_after(summary, "\"pid\": {", "\"reached_model_floor\": "));
  CHECK(floor_pid >= 1 && floor_pid < n && other == 0 && nan_where_stopped == 2 * n);
  CHECK_EQ_INT(number_after(summary, "\"pid\": {", "\"reached_model_floor\": "), floor_pid);
  CHECK_EQ_INT(number_after(summary, "\"bb\": {", "\"reached_model_floor\": "), 0);
  CHECK_MSG(report && strstr(report, want), "report.html lacks '%s'", want);
  free(summary), free(report), free(flag.data), free(tir.data);
}

int main(void) {
  dir = run_case_dir("trial_determinism");
  if (!dir) {
    fprintf(stderr, "cannot make a directory under %s\n", TW_BINARY_DIR);
    return 1;
  }
  TW_TEST_RUN(crossover_runs_agree);
  TW_TEST_RUN(parallel_runs_agree);
  TW_TEST_RUN(crossover_ran);
  TW_TEST_RUN(parallel_is_crossover_by_rows);
  TW_TEST_RUN(stratified);
  TW_TEST_RUN(stopped_at_floor);
  return TW_TEST_RESULT();
}
#else
TW_TEST_MAIN_SKIP("trial needs libyaml and HDF5")
#endif
