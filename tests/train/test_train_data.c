/*
** test_train_data.c: the neural twin's features (src/nn/grt_twin.h) and the
** training data reader (src/train/train_data.h) on files this test writes
** with the io layer, so every bad input can be made exactly:
**   (a) the t1d map: 7 nodes, 3 state slots, each state at its pack node, F
**       and O; a state with no node is refused, naming it;
**   (b) teacher-forced targets advanced back give the next true state
**       (tw_grt_twin_window then tw_grt_twin_advance, to float rounding), and
**       the features carry the scaled state, inputs, parameters and one-hot;
**   (c) scalers: mean/sd of a state, rms of its change, a constant parameter
**       dropped, a positive varying one in log space;
**   (d) a valid file reads back value for value; a twin flagged failed (with
**       NaN) is left out and counted;
**   (e) bad inputs, each TW_ERR_INPUT naming the file and what is wrong: a
**       file from another pack, no /states, a state of the wrong shape, NaN
**       in a twin that did not fail (twin and step named), an empty file,
**       series shorter than a window, a missing parameter.
*/
#define _POSIX_C_SOURCE 200809L
#include "build_info.h"
#include "tw_test.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if TW_HAVE_HDF5 && TW_HAVE_YAML
#include "io/h5.h"
#include "nn/grt_twin.h"
#include "physio/pack.h"
#include "train/train_data.h"

static const tw_pack *t1d;
static char dir[256];

enum { NT = 3, T = 10 };

typedef struct spec {
  const char *pack;
  int no_states, short_state, nan_twin, flag_twin, no_param;
} spec;

static void write_vec(tw_h5_file *f, const char *path, tw_dtype dt, void *x, int rank, const int64_t *dims) {
  tw_tensor t;
  CHECK_OK(tw_tensor_view(&t, x, dt, (tw_device){TW_DEVICE_HOST, 0}, rank, dims));
  CHECK_OK(tw_h5_write(f, path, &t, "1"));
}

/* Value of state k of twin i at step s (distinct everywhere). */
static double val(int i, int k, int s) { return 100.0 * (i + 1) + 10.0 * k + 0.5 * s; }

static void make_file(const char *path, spec sp) {
  tw_h5_file *f;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_attr_write_string(f, "pack", sp.pack ? sp.pack : "t1d"));
  CHECK_OK(tw_h5_attr_write_i64(f, "every_min", 5));
  const char *names[NT] = {"a", "b", "c"};
  CHECK_OK(tw_h5_write_strings(f, "/twins/name", names, NT, "1"));
  int64_t times[T], nt = T, n = NT;
  for (int s = 0; s < T; ++s) times[s] = 5 * s;
  write_vec(f, "/time_min", TW_I64, times, 1, &nt);
  int32_t flag[NT] = {0};
  if (sp.flag_twin) flag[sp.flag_twin] = 1;
  write_vec(f, "/status/flag", TW_I32, flag, 1, &n);
  double buf[NT * T];
  for (int k = 0; k < t1d->n_states && !sp.no_states; ++k) {
    const int64_t dims[2] = {NT, (sp.short_state && k == 3) ? T - 1 : T};
    for (int i = 0; i < NT; ++i)
      for (int s = 0; s < dims[1]; ++s) buf[i * dims[1] + s] = val(i, k, s);
    if ((sp.nan_twin || sp.flag_twin) && k == 5) buf[(sp.nan_twin + sp.flag_twin) * T + 3] = NAN;
    char p[128];
    snprintf(p, sizeof p, "/states/%s", t1d->states[k].name);
    write_vec(f, p, TW_F64, buf, 2, dims);
  }
  for (int k = 0; k < t1d->n_inputs; ++k) {
    const int64_t dims[2] = {NT, T};
    for (int i = 0; i < NT * T; ++i) buf[i] = 0.25 * k + i;
    char p[128];
    snprintf(p, sizeof p, "/inputs/%s", t1d->inputs[k].name);
    write_vec(f, p, TW_F64, buf, 2, dims);
  }
  for (int q = 0; q < t1d->n_params - sp.no_param; ++q) {
    double v[NT] = {1.0 + q, 1.0 + q, 1.0 + q};
    if (q == 5) v[0] = 2.0, v[1] = 4.0, v[2] = 8.0;
    char p[128];
    snprintf(p, sizeof p, "/cohort/parameters/t1d.%s", t1d->params[q].name);
    write_vec(f, p, TW_F64, v, 1, &n);
  }
  CHECK_OK(tw_h5_close(f));
}

static tw_status read(const char *path, tw_train_data *d) {
  char *files[1] = {(char *)path};
  return tw_train_data_read(t1d, files, 1, 5, 0.0, 1, d);
}

static void test_map(void) {
  tw_grt_twin_map m;
  CHECK_OK(tw_grt_twin_map_init(t1d, &m));
  CHECK_EQ_INT(m.N, 7);
  CHECK_EQ_INT(m.S, 3);
  CHECK_EQ_INT(m.O, 3);
  for (int k = 0; k < t1d->n_states; ++k) CHECK_EQ_INT(m.slot[k] / m.S, t1d->states[k].node);
  int seen[64] = {0};
  for (int k = 0; k < t1d->n_states; ++k) CHECK_MSG(!seen[m.slot[k]]++, "two states in slot %d", m.slot[k]);
  tw_pack bad = *t1d;
  tw_pack_var vars[TW_PACK_MAX_STATES];
  memcpy(vars, t1d->states, (size_t)t1d->n_states * sizeof *vars);
  vars[4].node = -1;
  bad.states = vars;
  CHECK_STATUS(tw_grt_twin_map_init(&bad, &m), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), "state gt belongs to no organ node") != NULL, "%s", tw_error_message());
}

static void test_window_advance(void) {
  tw_train_data d;
  char path[300];
  snprintf(path, sizeof path, "%s/ok.h5", dir);
  make_file(path, (spec){0});
  CHECK_OK(read(path, &d));
  tw_grt_twin_map m;
  CHECK_OK(tw_grt_twin_map_init(t1d, &m));
  tw_train_data_fit(&d, &m);
  CHECK_EQ_INT(m.P, 1); /* only parameter 5 varies */
  CHECK_EQ_INT(m.param[0], 5);
  CHECK_EQ_INT(m.p_log[0], 1);
  CHECK_NEAR(m.p_center[0], log(4.0), 1e-12); /* mean of log 2, 4, 8 */
  CHECK_NEAR(m.p_scale[0], log(2.0) * sqrt(2.0 / 3.0), 1e-12);
  /* state 0 over 3 twins x 10 steps: mean 200 + 2.25, change 0.5 every step */
  CHECK_NEAR(m.x_center[0], 200.0 + 2.25, 1e-9);
  CHECK_NEAR(m.dx_scale[0], 0.5, 1e-12);
  const int W = 6;
  float *x = malloc(sizeof(float) * W * m.N * m.F), *tg = malloc(sizeof(float) * W * m.N * m.O),
        *mk = malloc(sizeof(float) * W * m.N * m.O);
  const int twin = 1;
  const float *xs = d.xs + d.off[twin] * d.n_states;
  tw_grt_twin_window(&m, W, xs, d.us + d.off[twin] * d.n_inputs, d.p + twin * d.n_params, x, tg, mk);
  double st[TW_PACK_MAX_STATES];
  for (int k = 0; k < d.n_states; ++k) st[k] = xs[k];
  double worst = 0;
  for (int s = 0; s < W; ++s) {
    tw_grt_twin_advance(&m, tg + s * m.N * m.O, st);
    for (int k = 0; k < d.n_states; ++k) worst = fmax(worst, fabs(st[k] - val(twin, k, s + 1)));
  }
  CHECK_MSG(worst < 1e-3, "advance by the targets drifts %g from the true states", worst);
  /* step 2, node of state 0: its scaled value, the inputs, the parameter, the one-hot */
  const int v = m.slot[0] / m.S, F = m.F;
  const float *row = x + (2 * m.N + v) * F;
  CHECK_NEAR(row[m.slot[0] % m.S], (val(twin, 0, 2) - m.x_center[0]) / m.x_scale[0], 1e-5);
  CHECK_NEAR(row[m.S + 1], d.us[(d.off[twin] + 2) * d.n_inputs + 1] / m.u_scale[1], 1e-5);
  CHECK_NEAR(row[m.S + m.U], (log(4.0) - m.p_center[0]) / m.p_scale[0], 1e-6);
  CHECK(row[m.S + m.U + m.P + v] == 1.0f);
  CHECK(mk[(2 * m.N + v) * m.O + m.slot[0] % m.S] == 1.0f);
  free(x), free(tg), free(mk);
  tw_train_data_free(&d);
}

static void test_flagged(void) {
  tw_train_data d;
  char path[300];
  snprintf(path, sizeof path, "%s/flagged.h5", dir);
  make_file(path, (spec){.flag_twin = 1});
  CHECK_OK(read(path, &d));
  CHECK_EQ_INT((int)d.n, 2);
  CHECK_EQ_INT((int)d.n_failed, 1);
  CHECK(d.xs[d.off[1] * d.n_states + 0] == (float)val(2, 0, 0)); /* twin c follows twin a */
  tw_train_data_free(&d);
}

static void expect_bad(const char *name, spec sp, const char *want) {
  tw_train_data d;
  char path[300];
  snprintf(path, sizeof path, "%s/%s.h5", dir, name);
  make_file(path, sp);
  CHECK_STATUS(read(path, &d), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), path) && strstr(tw_error_message(), want), "%s: %s", name, tw_error_message());
  tw_train_data_free(&d);
}

static void test_bad(void) {
  expect_bad("pbpk", (spec){.pack = "pbpk"}, "data simulated with pack pbpk, not with t1d (the pack of this training or model)");
  expect_bad("nostates", (spec){.no_states = 1}, "no /states: simulate with `output: {states: true}`");
  expect_bad("shape", (spec){.short_state = 1}, "/states/gp has shape (3, 9), expected (3 twins, 10 steps)");
  expect_bad("nan", (spec){.nan_twin = 2}, "/states/ip: twin 2 (c), step 3: nan");
  expect_bad("noparam", (spec){.no_param = 1}, "no /cohort/parameters/t1d.");
  char path[300];
  snprintf(path, sizeof path, "%s/empty.h5", dir);
  FILE *f = fopen(path, "w");
  fclose(f);
  tw_train_data d;
  CHECK_STATUS(read(path, &d), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), path) != NULL, "%s", tw_error_message());
  tw_train_data_free(&d);
  snprintf(path, sizeof path, "%s/ok.h5", dir);
  char *files[1] = {path};
  CHECK_STATUS(tw_train_data_read(t1d, files, 1, 11, 0.0, 1, &d), TW_ERR_INPUT);
  CHECK_MSG(strstr(tw_error_message(), "10 steps per twin, fewer than a training window needs (11") != NULL, "%s",
            tw_error_message());
  tw_train_data_free(&d);
}

int main(int argc, char **argv) {
  snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : ".");
  if (tw_pack_lookup("t1d", &t1d) != TW_OK) return 1;
  TW_TEST_RUN(test_map);
  TW_TEST_RUN(test_window_advance);
  TW_TEST_RUN(test_flagged);
  TW_TEST_RUN(test_bad);
  return tw_test_failures_ ? 1 : 0;
}
#else
TW_TEST_MAIN_SKIP("needs HDF5 and libyaml")
#endif
