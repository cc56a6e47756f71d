/*
** test_gan_file.c: the GAN's networks in a model HDF5 file (src/gan/nets_file.c).
**   - round trip: a trainer after a few steps is written; the networks read
**     back hold the same parameters, running statistics and num_batches_tracked,
**     and sample the same rows bit for bit; /train/ holds the curves;
**   - resume: 3 steps, written, read into a new trainer, 3 more steps give
**     the bits of 6 steps in one run (networks, Adam's moments, curves);
**   - bad input: a file with no /generator/sizes, and a model read for a layout
**     of another width (another cohort schema), are TW_ERR_INPUT;
**   - PyTorch: when argv[1] names a python3 with torch and h5py, the file is
**     loaded into CTGAN's Generator and Discriminator with load_state_dict(strict=True)
**     by validation/gan_nets_reference.py --load-check, and the generator's
**     evaluation-mode output on this test's z and cond must match twinscale's.
*/
#include <stdio.h>  /* snprintf, remove, FILE */
#include <stdlib.h> /* system, malloc, free */
#include <string.h> /* memcmp */

#include "gan/nets_file.h"
#include "tw_test.h"

static tw_gan_span SPANS[3] = {{TW_GAN_SPAN_TANH, 0, 1, 0}, {TW_GAN_SPAN_SOFTMAX, 1, 2, 0},
                               {TW_GAN_SPAN_SOFTMAX, 3, 3, 1}};
static int COND_SPAN[1] = {2};
static const tw_gan_layout LAYOUT = {6, 3, SPANS, 3, 1, COND_SPAN};
static const char *PYTHON = NULL;

/* Rows of the layout, every category conditioned in turn. */
static tw_status source(void *ctx, uint64_t seed, int64_t step, tw_gan_phase phase, int k, int64_t batch,
                        const tw_gan_batch *out) {
  for (int64_t i = 0; i < batch; ++i) {
    const int c = (int)((i + step) % 3);
    for (int j = 0; j < 3; ++j) out->cond[i * 3 + j] = j == c ? 1.0f : 0.0f;
    out->mask[i] = 1.0f;
    if (phase == TW_GAN_PHASE_GENERATOR) continue;
    const float row[6] = {0.1f * (float)(i % 7) - 0.3f, i % 2 ? 1.0f : 0.0f, i % 2 ? 0.0f : 1.0f, 0, 0, 0};
    memcpy(out->real + i * 6, row, sizeof row);
    out->real[i * 6 + 3 + c] = 1.0f;
    memcpy(out->real_cond + i * 3, out->cond + i * 3, 3 * sizeof(float));
  }
  return TW_OK;
}

static tw_gan_sizes small_sizes(void) {
  tw_gan_sizes sz = tw_gan_sizes_default(6, 3);
  sz.embedding = 8;
  sz.gen[0] = 16, sz.gen[1] = 12, sz.dis[0] = 16, sz.dis[1] = 8;
  sz.pac = 5;
  return sz;
}

static tw_status sample(tw_gan_nets *n, int rows, float *cond, float *out) {
  tw_gan_sampler *s = NULL;
  for (int i = 0; i < rows * 3; ++i) cond[i] = i % 3 == (i / 3) % 3 ? 1.0f : 0.0f;
  TW_TRY(tw_gan_sampler_create(n, 11, &s));
  const tw_status st = tw_gan_generate(s, rows, cond, 0, out);
  tw_gan_sampler_destroy(s);
  return st;
}

/* /check/input (R, E + C) and twinscale's evaluation-mode /check/raw (R, W)
** for the PyTorch load check. */
static tw_status write_check(tw_h5_file *f, tw_gan_nets *n) {
  enum { R = 20 };
  const int E = n->sz.embedding, C = n->sz.cond_width, W = n->sz.width, D = n->map.gen_cols, S = n->map.hidden;
  float in[R * 32], out[R * 16];
  tw_gan_ws *ws = NULL;
  TW_TRY(tw_gan_ws_create(n, R, &ws));
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < E + C; ++j) {
      in[r * (E + C) + j] = j < E ? (float)((r * 7 + j * 3) % 11) / 5.0f - 1.0f : (j - E == r % C ? 1.0f : 0.0f);
      ws->x[r * D + S + j] = in[r * (E + C) + j];
    }
  tw_status s = tw_gan_gen_forward(n, ws, R, 0, out);
  const int64_t di[2] = {R, E + C}, dr[2] = {R, W};
  if (s == TW_OK) s = tw_h5_write_array(f, "/check/input", TW_F32, in, 2, di, "1");
  if (s == TW_OK) s = tw_h5_write_array(f, "/check/raw", TW_F32, ws->raw, 2, dr, "1");
  tw_gan_ws_destroy(n, ws);
  return s;
}

static void test_round_trip(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  tw_gan_train_opts o = tw_gan_train_defaults(100, 5, 3);
  o.steps = 4, o.batch = 50;
  const tw_gan_sizes sz = small_sizes();
  tw_gan_trainer *tr = NULL;
  CHECK_OK(tw_gan_trainer_create(be, &LAYOUT, &sz, &o, &tr));
  CHECK_OK(tw_gan_train(tr, source, NULL, 0));
  const char *path = TW_BINARY_DIR "/test_gan_file.h5";
  tw_h5_file *f = NULL;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_gan_trainer_write(f, tr));
  CHECK_OK(write_check(f, tr->nets));
  CHECK_OK(tw_h5_close(f));
  CHECK_OK(tw_h5_open(path, NULL, &f));
  tw_gan_nets *n = NULL;
  CHECK_OK(tw_gan_nets_read(be, f, &LAYOUT, &n));
  CHECK(tw_h5_exists(f, "/train/loss/generator") && tw_h5_exists(f, "/train/adam/critic_v"));
  CHECK_OK(tw_h5_close(f));
  const tw_gan_map *m = &n->map;
  CHECK(!memcmp(n->g, tr->nets->g, (size_t)m->gen.total * sizeof(float)));
  CHECK(!memcmp(n->d, tr->nets->d, (size_t)m->dis.total * sizeof(float)));
  CHECK(!memcmp(n->stats, tr->nets->stats, (size_t)m->stats.total * sizeof(float)));
  CHECK_EQ_INT(n->bn_batches, 8);
  enum { R = 40 };
  static float cond[R * 3], a[R * 6], b[R * 6];
  CHECK_OK(sample(tr->nets, R, cond, a));
  CHECK_OK(sample(n, R, cond, b));
  CHECK(!memcmp(a, b, sizeof a));
  if (PYTHON) {
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s -s %s/validation/gan_nets_reference.py --load-check %s", PYTHON, TW_SOURCE_DIR, path);
    CHECK_MSG(system(cmd) == 0, "PyTorch could not load %s into CTGAN's modules (or its output differs)", path);
  }
  tw_gan_nets_destroy(n);
  tw_gan_trainer_destroy(tr);
  tw_backend_close(be);
}

/* Six steps straight, against three, a file, a new trainer read from it, and
** three more: the same bits (networks, Adam's moments, curves). */
static void test_resume(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  tw_gan_train_opts o = tw_gan_train_defaults(100, 5, 4);
  o.steps = 6, o.batch = 50;
  const tw_gan_sizes sz = small_sizes();
  tw_gan_trainer *whole = NULL, *first = NULL, *second = NULL;
  CHECK_OK(tw_gan_trainer_create(be, &LAYOUT, &sz, &o, &whole));
  CHECK_OK(tw_gan_train(whole, source, NULL, 0));
  CHECK_OK(tw_gan_trainer_create(be, &LAYOUT, &sz, &o, &first));
  CHECK_OK(tw_gan_train(first, source, NULL, 3));
  const char *path = TW_BINARY_DIR "/test_gan_file_resume.h5";
  tw_h5_file *f = NULL;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_gan_trainer_write(f, first));
  CHECK_OK(tw_h5_close(f));
  CHECK_OK(tw_gan_trainer_create(be, &LAYOUT, &sz, &o, &second));
  CHECK_OK(tw_h5_open(path, NULL, &f));
  CHECK_OK(tw_gan_trainer_read(f, second));
  CHECK_OK(tw_h5_close(f));
  CHECK_EQ_INT(second->step, 3);
  CHECK_OK(tw_gan_train(second, source, NULL, 0));
  const tw_gan_map *m = &whole->nets->map;
  CHECK(!memcmp(whole->nets->g, second->nets->g, (size_t)m->gen.total * sizeof(float)));
  CHECK(!memcmp(whole->nets->d, second->nets->d, (size_t)m->dis.total * sizeof(float)));
  CHECK(!memcmp(whole->nets->stats, second->nets->stats, (size_t)m->stats.total * sizeof(float)));
  CHECK(!memcmp(whole->d_v, second->d_v, (size_t)m->dis.total * sizeof(float)));
  CHECK(!memcmp(whole->curve, second->curve, 6 * sizeof(tw_gan_losses)));
  CHECK_EQ_INT(second->nets->bn_batches, 12);
  remove(path);
  tw_gan_trainer_destroy(whole);
  tw_gan_trainer_destroy(first);
  tw_gan_trainer_destroy(second);
  tw_backend_close(be);
}

static void test_bad_files(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  const char *path = TW_BINARY_DIR "/test_gan_file_bad.h5";
  tw_h5_file *f = NULL;
  const int64_t one = 1, d = 1;
  CHECK_OK(tw_h5_create(path, NULL, NULL, &f));
  CHECK_OK(tw_h5_write_array(f, "/cohort/covariates/age", TW_I64, &one, 1, &d, "y"));
  CHECK_OK(tw_h5_close(f));
  CHECK_OK(tw_h5_open(path, NULL, &f));
  tw_gan_nets *n = NULL;
  CHECK_STATUS(tw_gan_nets_read(be, f, &LAYOUT, &n), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "not a GAN model file") != NULL);
  CHECK_OK(tw_h5_close(f));
  CHECK_OK(tw_h5_open(TW_BINARY_DIR "/test_gan_file.h5", NULL, &f));
  tw_gan_span wider[3] = {SPANS[0], SPANS[1], {TW_GAN_SPAN_SOFTMAX, 3, 4, 1}};
  const tw_gan_layout other = {7, 3, wider, 4, 1, COND_SPAN};
  CHECK_STATUS(tw_gan_nets_read(be, f, &other, &n), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "another cohort schema") != NULL);
  CHECK_OK(tw_h5_close(f));
  remove(path);
  tw_backend_close(be);
}

int main(int argc, char **argv) {
  PYTHON = argc > 1 ? argv[1] : NULL;
  TW_TEST_RUN(test_round_trip);
  TW_TEST_RUN(test_resume);
  TW_TEST_RUN(test_bad_files);
  return TW_TEST_RESULT();
}
