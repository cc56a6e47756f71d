/*
** test_cohort_file.c: a cohort file's parameters reach simulate's twins as
** they are written. Three twins made from simglucose's adolescent#001,
** adult#001 and child#001 (every parameter scaled by a factor with a full
** mantissa, so no short decimal holds it) are written once as a cohort file and
** once as a `table:` CSV with %.17g: the two setups hold bit-identical
** parameters and the same names, and `twinscale simulate` writes bit-identical
** trajectories for both. A value outside its pack's range in the cohort file
** (kp1 = 1000 mg/kg/min for the second twin, then NaN for Vg of the third) is
** refused by the setup and by `simulate` (exit 2): the message names the file,
** the dataset, the row and the twin id.
*/
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5.h"             /* the cohort file, the results read back */
#include "physio/pack_cli.h"   /* pc_make_dir, pc_write, pc_simulate */
#include "physio/param_table.h" /* simglucose's table */
#include "physio/sim_config.h" /* tw_sim_config_schema */
#include "physio/sim_setup.h"  /* tw_sim_setup_build */
#include "tw_test.h"

enum { N = 3 };
static const char *const refs[N] = {"adolescent#001", "adult#001", "child#001"};
static const char *const ids[N] = {"twin-a", "twin-b", "twin-c"};

/* The three twins' t1d parameters (N, n_params): the reference patients', each
** value times 1 + pi (q + 1) 1e-9 where that stays in range. */
static tw_status make_params(const tw_pack *pk, double *p) {
  tw_csv vp;
  int cols[TW_PACK_MAX_PARAMS];
  TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &vp));
  tw_status st = tw_param_cols(pk, &vp, cols);
  for (int i = 0; i < N && st == TW_OK; ++i)
    st = tw_param_row_cols(pk, &vp, cols, tw_csv_find_name(&vp, refs[i]), p + i * pk->n_params);
  tw_csv_free(&vp);
  for (int k = 0; k < N * pk->n_params; ++k) {
    const double v = p[k] * (1.0 + 3.14159265358979 * (k % pk->n_params + 1) * 1e-9);
    if (tw_pack_param_ok(pk, k % pk->n_params, v)) p[k] = v;
  }
  return st;
}

/* The twins as a cohort file for t1d: /cohort/id and one dataset per parameter. */
static tw_status write_cohort(const char *path, const tw_pack *pk, const double *p) {
  static const tw_device host = {TW_DEVICE_HOST, 0};
  const int64_t n = N;
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_create(path, NULL, NULL, &f));
  tw_status st = tw_h5_write_strings(f, "/cohort/id", ids, N, "1");
  if (st == TW_OK) st = tw_h5_attr_write_string(f, "pack", "t1d");
  for (int q = 0; q < pk->n_params && st == TW_OK; ++q) {
    double col[N];
    char name[128];
    tw_tensor t;
    for (int i = 0; i < N; ++i) col[i] = p[i * pk->n_params + q];
    snprintf(name, sizeof name, "/cohort/parameters/t1d.%s", pk->params[q].name);
    st = tw_tensor_view(&t, col, TW_F64, host, 1, &n);
    if (st == TW_OK) st = tw_h5_write(f, name, &t, pk->params[q].unit[0] ? pk->params[q].unit : "1");
  }
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

/* The same twins as a `table:` CSV, every value with %.17g. */
static int write_table(const char *path, const tw_pack *pk, const double *p) {
  FILE *f = fopen(path, "w");
  if (!f) return 0;
  fputs("Name", f);
  for (int q = 0; q < pk->n_params; ++q) fprintf(f, ",%s", pk->params[q].name);
  for (int i = 0; i < N; ++i) {
    fprintf(f, "\n%s", ids[i]);
    for (int q = 0; q < pk->n_params; ++q) fprintf(f, ",%.17g", p[i * pk->n_params + q]);
  }
  fputs("\n", f);
  return fclose(f) == 0;
}

/* A simulate config in the scratch directory over `twins` (a YAML mapping),
** writing `out`: 3 h with a meal and a bolus, a noisy CGM. */
static void write_config(const char *name, const char *twins, const char *out) {
  char path[1024], text[1024];
  snprintf(path, sizeof path, "%s/%s", pc_dir, name);
  snprintf(text, sizeof text,
           "pack: t1d\nduration_min: 180\ntwins: %s\nsensor: {name: Dexcom}\n"
           "scenario:\n  meals: [{time_min: 30, carbs_g: 60}]\n  boluses: [{time_min: 30, units: 4}]\n"
           "output: {path: %s, every_min: 1}\n", twins, out);
  pc_write(path, text);
}

/* simulate's setup of config `name` in the scratch directory; its message in msg. */
static tw_status setup(const char *name, tw_cfg_doc **doc, tw_sim_config *c, tw_sim_setup *s, char *msg, size_t cap) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", pc_dir, name);
  memset(s, 0, sizeof *s);
  memset(c, 0, sizeof *c);
  char *text = pc_slurp(path);
  tw_status st = text ? tw_cfg_parse_string(path, text, strlen(text), doc) : TW_ERR_IO;
  free(text);
  if (st == TW_OK) st = tw_cfg_bind(*doc, &tw_sim_config_schema, c);
  if (st == TW_OK) st = tw_sim_setup_build(c, *doc, s);
  snprintf(msg, cap, "%s", st == TW_OK ? "" : tw_error_message());
  return st;
}

static void teardown(tw_cfg_doc *doc, tw_sim_config *c, tw_sim_setup *s) {
  tw_sim_setup_free(s);
  tw_cfg_release(&tw_sim_config_schema, c);
  tw_cfg_free(doc);
}

/* Both setups' twins: the same names, bit-identical parameters. */
static void compare_setups(void) {
  tw_cfg_doc *da = NULL, *db = NULL;
  tw_sim_config ca, cb;
  tw_sim_setup sa, sb;
  char msg[1024];
  tw_status st = setup("cohort.yaml", &da, &ca, &sa, msg, sizeof msg);
  if (st == TW_OK) st = setup("table.yaml", &db, &cb, &sb, msg, sizeof msg);
  CHECK_MSG(st == TW_OK, "setup: %s", msg);
  CHECK_EQ_INT(sa.n_twins, N);
  CHECK_EQ_INT(sb.n_twins, N);
  CHECK_EQ_INT(sa.model.n_params, sb.model.n_params);
  for (int i = 0; i < N; ++i) CHECK_EQ_STR(sa.names[i], sb.names[i]);
  CHECK_MSG(memcmp(sa.params, sb.params, sizeof(double) * N * (size_t)sa.model.n_params) == 0,
            "the cohort's parameters differ from the table's");
  teardown(da, &ca, &sa);
  teardown(db, &cb, &sb);
}

/* Dataset `path` of two results files: the same shape and bytes. */
static void same_dataset(const char *a, const char *b, const char *path) {
  tw_h5_file *fa = NULL, *fb = NULL;
  tw_tensor ta = {0}, tb = {0};
  CHECK_OK(tw_h5_open(a, NULL, &fa));
  CHECK_OK(tw_h5_open(b, NULL, &fb));
  tw_status st = tw_h5_read(fa, path, TW_F64, &ta);
  if (st == TW_OK) st = tw_h5_read(fb, path, TW_F64, &tb);
  int64_t n = st == TW_OK ? 1 : 0;
  for (int d = 0; d < ta.rank; ++d) n *= ta.dims[d];
  const int same = st == TW_OK && ta.rank == tb.rank && memcmp(ta.dims, tb.dims, sizeof ta.dims) == 0 &&
                   memcmp(ta.data, tb.data, sizeof(double) * (size_t)n) == 0;
  free(ta.data), free(tb.data);
  tw_h5_close(fa), tw_h5_close(fb);
  CHECK_MSG(st == TW_OK, "%s: %s", path, tw_error_message());
  CHECK_MSG(n > N, "%s: %lld values", path, (long long)n);
  CHECK_MSG(same, "%s differs between the cohort's and the table's run", path);
}

static void test_bit_exact(void) {
  const tw_pack *pk = tw_pack_find("t1d");
  double p[N * TW_PACK_MAX_PARAMS];
  char path[1024], err[4096];
  CHECK_OK(make_params(pk, p));
  snprintf(path, sizeof path, "%s/cohort.h5", pc_dir);
  CHECK_OK(write_cohort(path, pk, p));
  snprintf(path, sizeof path, "%s/table.csv", pc_dir);
  CHECK(write_table(path, pk, p));
  write_config("cohort.yaml", "{cohort: cohort.h5}", "from_cohort.h5");
  write_config("table.yaml", "{table: table.csv}", "from_table.h5");
  compare_setups();
  CHECK_MSG(pc_simulate(pc_dir, "cohort.yaml", err, sizeof err) == 0, "simulate the cohort: %s", err);
  CHECK_MSG(pc_simulate(pc_dir, "table.yaml", err, sizeof err) == 0, "simulate the table: %s", err);
  char a[1024], b[1024];
  snprintf(a, sizeof a, "%s/from_cohort.h5", pc_dir);
  snprintf(b, sizeof b, "%s/from_table.h5", pc_dir);
  same_dataset(a, b, "/trajectories/bg");
  same_dataset(a, b, "/trajectories/cgm");
  same_dataset(a, b, "/trajectories/plasma_insulin");
}

/* The cohort with twin `row`'s parameter `name` set to v: refused by the setup
** and by simulate (exit 2), naming the file, the dataset, the row and the twin. */
static void expect_out_of_range(const char *name, double v, int row) {
  const tw_pack *pk = tw_pack_find("t1d");
  double p[N * TW_PACK_MAX_PARAMS];
  char path[1024], msg[1024], err[4096], dataset[160], at[64];
  CHECK_OK(make_params(pk, p));
  p[row * pk->n_params + tw_pack_param_index(pk, name)] = v;
  snprintf(path, sizeof path, "%s/bad.h5", pc_dir);
  CHECK_OK(write_cohort(path, pk, p));
  write_config("bad.yaml", "{cohort: bad.h5}", "bad_out.h5");
  tw_cfg_doc *doc = NULL;
  tw_sim_config c;
  tw_sim_setup s;
  const tw_status st = setup("bad.yaml", &doc, &c, &s, msg, sizeof msg);
  teardown(doc, &c, &s);
  printf("%s = %g: %s\n", name, v, msg);
  CHECK_EQ_INT(st, TW_ERR_INPUT);
  snprintf(dataset, sizeof dataset, "/cohort/parameters/t1d.%s, ", name);
  snprintf(at, sizeof at, "row %d (from 0): twin %s: ", row, ids[row]);
  CHECK_MSG(strstr(msg, "bad.h5: ") && strstr(msg, dataset) && strstr(msg, at) && strstr(msg, "valid range"),
            "message: %s", msg);
  CHECK_EQ_INT(pc_simulate(pc_dir, "bad.yaml", err, sizeof err), 2);
  CHECK_MSG(strstr(err, dataset) && strstr(err, at), "simulate's message: %s", err);
  snprintf(path, sizeof path, "%s/bad_out.h5", pc_dir);
  FILE *out = fopen(path, "rb");
  if (out) fclose(out);
  CHECK_MSG(out == NULL, "simulate wrote %s", path);
}

static void test_out_of_range(void) {
  expect_out_of_range("kp1", 1000.0, 1);
  expect_out_of_range("Vg", NAN, 2);
}

int main(void) {
  if (!pc_make_dir("cohort_file")) return 1;
  TW_TEST_RUN(test_bit_exact);
  TW_TEST_RUN(test_out_of_range);
  char rm[640];
  snprintf(rm, sizeof rm, "rm -rf '%s'", pc_dir);
  if (TW_TEST_RESULT() == 0 && system(rm) != 0) return 1; /* the scratch directory is kept when a case failed */
  return TW_TEST_RESULT();
}
