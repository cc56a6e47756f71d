/*
** test_nn_cli.c: `twinscale nn forward|grad|init` end to end, and their answers
** to bad input (unit label; needs HDF5).
**
** Writes small input files with the HDF5 helpers, runs the built twinscale
** executable, and checks exit statuses and that each error message names the
** dataset at fault: a size that does not match the model, a missing dataset,
** NaN or Inf in an input or a weight, a file that is not a model must exit 2
** with one clear line.
*/
#include <math.h>   /* NAN, INFINITY */
#include <stdio.h>  /* snprintf, fopen */
#include <stdlib.h> /* system, malloc */
#include <string.h> /* strstr */
#include <sys/wait.h> /* WEXITSTATUS */

#include "io/h5.h"       /* writing the test inputs */
#include "nn/grt_file.h" /* writing a model with a NaN */
#include "tw_test.h"

#define TS TW_BINARY_DIR "/twinscale"

static char dir[400];

static const char *path_of(const char *name) {
  static char buf[4][640];
  static int next = 0;
  char *p = buf[next++ % 4];
  snprintf(p, sizeof buf[0], "%s/%s", dir, name);
  return p;
}

/* Runs a twinscale command line; returns its exit status and keeps stderr in err.txt. */
static int run(const char *args) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s %s 2>%s >/dev/null", TS, args, path_of("err.txt"));
  int rc = system(cmd);
  return rc == -1 ? -1 : WEXITSTATUS(rc);
}

/* The last command's stderr ("" when unreadable). */
static const char *stderr_text(void) {
  static char text[4096];
  text[0] = '\0';
  FILE *f = fopen(path_of("err.txt"), "r");
  if (!f) return text;
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  return text;
}

static int stderr_has(const char *needle) { return strstr(stderr_text(), needle) != NULL; }

/* How many times needle occurs in the last command's stderr. */
static int stderr_count(const char *needle) {
  int count = 0;
  for (const char *p = strstr(stderr_text(), needle); p; p = strstr(p + 1, needle)) ++count;
  return count;
}

/* Writes an input file: x (B,T,N,F) with x[poison] = poison_value when poison >= 0,
** adj (N,N) unless skip_adj. */
static tw_status write_input(const char *name, int B, int T, int N, int F, int skip_adj, int64_t poison,
                             float poison_value) {
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_create(path_of(name), NULL, NULL, &f));
  const int64_t nx = (int64_t)B * T * N * F, xd[4] = {B, T, N, F}, ad[2] = {N, N};
  float *x = malloc(nx * sizeof(float)), *adj = malloc((size_t)N * N * sizeof(float));
  for (int64_t i = 0; i < nx; ++i) x[i] = (float)sin(0.37 * i);
  for (int i = 0; i < N * N; ++i) adj[i] = 1.0f / N;
  if (poison >= 0) x[poison] = poison_value;
  tw_tensor tx, ta;
  tw_status st = tw_tensor_view(&tx, x, TW_F32, (tw_device){TW_DEVICE_HOST, 0}, 4, xd);
  if (st == TW_OK) st = tw_h5_write(f, "/x", &tx, "1");
  if (st == TW_OK && !skip_adj) st = tw_tensor_view(&ta, adj, TW_F32, (tw_device){TW_DEVICE_HOST, 0}, 2, ad);
  if (st == TW_OK && !skip_adj) st = tw_h5_write(f, "/adj", &ta, "1");
  free(x), free(adj);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

static tw_status write_target(const char *name, int B, int T, int N, int O) {
  tw_h5_file *f = NULL;
  TW_TRY(tw_h5_create(path_of(name), NULL, NULL, &f));
  const int64_t n = (int64_t)B * T * N * O, d[4] = {B, T, N, O};
  float *y = malloc(n * sizeof(float));
  for (int64_t i = 0; i < n; ++i) y[i] = (float)cos(0.11 * i);
  tw_tensor t;
  tw_status st = tw_tensor_view(&t, y, TW_F32, (tw_device){TW_DEVICE_HOST, 0}, 4, d);
  if (st == TW_OK) st = tw_h5_write(f, "/y", &t, "1");
  free(y);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

/* A model file of sizes 4,3,8,6,2,5,2 with one weight of head.0.weight set to v. */
static tw_status write_poisoned_model(const char *name, float v) {
  const tw_grt_sizes sz = {4, 3, 8, 6, 2, 5, 2};
  tw_grt_layout lay;
  TW_TRY(tw_grt_layout_make(&sz, &lay));
  float *p = malloc((size_t)lay.total * sizeof(float));
  tw_grt_init_params(&lay, 3, p);
  p[lay.head0_w + 7] = v;
  tw_h5_file *f = NULL;
  tw_status st = tw_h5_create(path_of(name), NULL, NULL, &f);
  if (st == TW_OK) {
    st = tw_grt_file_write(f, &lay, p);
    if (st == TW_OK) st = tw_h5_close(f);
    else tw_h5_abort(f);
  }
  free(p);
  return st;
}

static void good_files_run(void) {
  char args[2048];
  snprintf(args, sizeof args, "nn init --sizes 4,3,8,6,2,5,2 --seed 5 --output %s", path_of("m.h5"));
  CHECK_EQ_INT(run(args), 0);
  CHECK_OK(write_input("x.h5", 3, 5, 4, 3, 0, -1, 0.0f));
  CHECK_OK(write_target("t.h5", 3, 5, 4, 2));
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", path_of("m.h5"), path_of("x.h5"),
           path_of("y.h5"));
  CHECK_EQ_INT(run(args), 0);
  tw_h5_file *f = NULL;
  CHECK_OK(tw_h5_open(path_of("y.h5"), NULL, &f));
  int rank = 0;
  int64_t d[6];
  CHECK_OK(tw_h5_shape(f, "/y", &rank, d));
  CHECK(rank == 4 && d[0] == 3 && d[1] == 5 && d[2] == 4 && d[3] == 2);
  CHECK_OK(tw_h5_shape(f, "/c", &rank, d));
  CHECK(rank == 3 && d[0] == 3 && d[1] == 4 && d[2] == 6);
  CHECK_OK(tw_h5_close(f));
  snprintf(args, sizeof args, "nn grad --model %s --input %s --target %s --output %s", path_of("m.h5"),
           path_of("x.h5"), path_of("t.h5"), path_of("g.h5"));
  CHECK_EQ_INT(run(args), 0);
  CHECK_OK(tw_h5_open(path_of("g.h5"), NULL, &f));
  double loss = -1.0;
  CHECK_OK(tw_h5_attr_read_f64(f, "loss", &loss));
  CHECK(loss > 0.0 && isfinite(loss));
  CHECK(tw_h5_exists(f, "lstm.weight_hh") && tw_h5_exists(f, "gnn.1.lin_nbr.weight") && tw_h5_exists(f, "/x_grad"));
  CHECK_OK(tw_h5_close(f));
}

static void bad_input_exits_2_naming_the_dataset(void) {
  char args[2048], model[640];
  snprintf(model, sizeof model, "%s", path_of("m.h5")); /* path_of's buffers rotate */
  /* F = 4 where the model has F = 3 */
  CHECK_OK(write_input("bad_f.h5", 3, 5, 4, 4, 0, -1, 0.0f));
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", model, path_of("bad_f.h5"),
           path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK(stderr_has("'/x'") && stderr_has("(3,5,4,4)"));
  /* no /adj */
  CHECK_OK(write_input("no_adj.h5", 3, 5, 4, 3, 1, -1, 0.0f));
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", model, path_of("no_adj.h5"),
           path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK(stderr_has("adj"));
  /* NaN and Inf in x */
  CHECK_OK(write_input("nan_x.h5", 3, 5, 4, 3, 0, 17, NAN));
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", model, path_of("nan_x.h5"),
           path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK(stderr_has("'/x'") && stderr_has("NaN") && stderr_has("17"));
  CHECK_OK(write_input("inf_x.h5", 3, 5, 4, 3, 0, 3, INFINITY));
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", model, path_of("inf_x.h5"),
           path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK(stderr_has("Inf"));
  /* NaN in a weight */
  CHECK_OK(write_poisoned_model("nan_m.h5", NAN));
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", path_of("nan_m.h5"), path_of("x.h5"),
           path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK(stderr_has("head.0.weight") && stderr_has("NaN"));
  /* an HDF5 file that is not a model (the input file): one line, naming the file
  ** once and saying so (it used to repeat itself inside its own parentheses) */
  char not_model[640];
  snprintf(not_model, sizeof not_model, "%s", path_of("x.h5"));
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", not_model, not_model, path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK_MSG(stderr_has("not a GRT model file") && stderr_has("attribute 'N'"), "stderr: %s", stderr_text());
  CHECK_MSG(stderr_count(not_model) == 1 && stderr_count("\n") == 1, "stderr: %s", stderr_text());
  /* a file that is not HDF5 at all */
  snprintf(args, sizeof args, "nn forward --model %s/README.md --input %s --output %s", TW_SOURCE_DIR, not_model,
           path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK_MSG(stderr_has("README.md: not an HDF5 file") && stderr_count("README.md") == 1 && stderr_count("\n") == 1,
            "stderr: %s", stderr_text());
  /* target of the wrong shape (O = 3 where the model has O = 2) */
  CHECK_OK(write_target("bad_t.h5", 3, 5, 4, 3));
  snprintf(args, sizeof args, "nn grad --model %s --input %s --target %s --output %s", model, path_of("x.h5"),
           path_of("bad_t.h5"), path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK(stderr_has("'/y'"));
  /* a missing file, a bad option value */
  snprintf(args, sizeof args, "nn forward --model %s --input %s --output %s", path_of("none.h5"), path_of("x.h5"),
           path_of("o.h5"));
  CHECK_EQ_INT(run(args), 2);
  CHECK_EQ_INT(run("nn init --sizes 4,3,8 --seed 1 --output /dev/null"), 2);
  /* no output file is left behind by a failed run */
  FILE *o = fopen(path_of("o.h5"), "rb");
  CHECK(o == NULL);
  if (o) fclose(o);
}

int main(void) {
  snprintf(dir, sizeof dir, "%s/tests/nn/cli_work", TW_BINARY_DIR);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' && mkdir -p '%s'", dir, dir);
  if (system(cmd) != 0) return 1;
  TW_TEST_RUN(good_files_run);
  TW_TEST_RUN(bad_input_exits_2_naming_the_dataset);
  return TW_TEST_RESULT();
}
