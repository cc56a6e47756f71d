/*
** test_gan_nets.c: the GAN networks (src/gan/nets*.c) against PyTorch, on the
** fixture validation/gan_nets_reference.py wrote (tests/data/gan/gan_nets.bin):
** with the reference's weights and its noise, dropout masks and alpha given as
** numbers, one CTGAN critic step and one generator step must reproduce
**   - the generator's forward in training mode (raw, activated, running stats),
**   - the critic's scores on real, fake and interpolated rows,
**   - loss_d, the gradient penalty, and the critic's gradients: all of them,
**     and the penalty's alone (the double backward of Linear, LeakyReLU, Dropout),
**   - the generator's loss (adversarial + _cond_loss) and its gradients,
**   - the forward in evaluation mode (running statistics),
**   - two torch.optim.Adam steps (lr 2e-4, betas 0.5/0.9, weight decay 1e-6) of each network.
** Tolerance: ||twinscale - torch|| / ||torch|| <= 1e-5 (float32 against a
** float64 reference), losses within 1e-5 relative; the Adam steps, which run
** in float32 on both sides in the same operation order, bit for bit. Each case
** prints its measured error.
** Also the CPU random fill (Philox drawn LANES blocks at a time): every element
** of every draw kind, for one stream per matrix and one per row, at odd sizes
** and offsets, equals the element-wise definition (tw_gan_block_fill and
** tw_gan_draw_from) bit for bit, and tw_gan_logf is within 3e-7 of log.
*/
#include <math.h>   /* log, fabs */
#include <stdio.h>  /* printf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcpy */

#include "gan/nets.h"
#include "gan/nets_ops.h"
#include "nn/nn_fixture.h"
#include "tw_test.h"

#define TOL 1e-5

typedef struct fx_case {
  nn_fixture fx;
  tw_backend *be;
  tw_gan_layout lay;
  tw_gan_span spans[16];
  int cond_span[8];
  tw_gan_sizes sz;
  tw_gan_nets *n;
  tw_gan_ws *ws;
  int64_t rows, G;
} fx_case;

static const double *get(const fx_case *c, const char *name) {
  const nn_array *a = nn_fixture_get(&c->fx, name);
  return a ? a->data : NULL;
}

static void to_float(const double *src, int64_t n, float *dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = (float)src[i];
}

/* Copies (rows, cols) from src with leading dimension ld into dst, then the
** relative error against the named reference. */
static double err_strided(const fx_case *c, const char *name, const float *src, int64_t rows, int cols, int64_t ld) {
  float *tmp = malloc((size_t)(rows * cols) * sizeof(float));
  for (int64_t r = 0; r < rows; ++r) memcpy(tmp + r * cols, src + r * ld, (size_t)cols * sizeof(float));
  const double e = nn_rel_error(tmp, get(c, name), rows * cols);
  free(tmp);
  printf("  %-12s rel err %.3g\n", name, e);
  return e;
}

static int load_case(fx_case *c) {
  memset(c, 0, sizeof *c);
  if (nn_fixture_load("../gan/gan_nets.bin", &c->fx)) return -1;
  const double *s = get(c, "sizes"), *sp = get(c, "spans"), *cs = get(c, "cond_span");
  c->sz = (tw_gan_sizes){.embedding = (int)s[0], .n_gen = 2, .gen = {(int)s[1], (int)s[2]}, .n_dis = 2,
                         .dis = {(int)s[3], (int)s[4]}, .pac = (int)s[5], .width = (int)s[6], .cond_width = (int)s[7]};
  c->rows = (int64_t)s[8];
  c->G = c->rows / c->sz.pac;
  c->lay.n_spans = (int)nn_fixture_get(&c->fx, "spans")->dims[0];
  for (int i = 0; i < c->lay.n_spans; ++i)
    c->spans[i] = (tw_gan_span){(tw_gan_span_kind)sp[4 * i], (int)sp[4 * i + 1], (int)sp[4 * i + 2], (int)sp[4 * i + 3]};
  c->lay.n_cond_spans = (int)nn_fixture_get(&c->fx, "cond_span")->dims[0];
  for (int i = 0; i < c->lay.n_cond_spans; ++i) c->cond_span[i] = (int)cs[i];
  c->lay.spans = c->spans;
  c->lay.cond_span = c->cond_span;
  c->lay.width = c->sz.width;
  c->lay.cond_width = c->sz.cond_width;
  if (tw_backend_open("cpu", 0, &c->be) || tw_gan_nets_create(c->be, &c->lay, &c->sz, 1, &c->n) ||
      tw_gan_ws_create(c->n, c->rows, &c->ws))
    return -1;
  to_float(get(c, "g"), c->n->map.gen.total, c->n->g);
  to_float(get(c, "d"), c->n->map.dis.total, c->n->d);
  to_float(get(c, "stats0"), c->n->map.stats.total, c->n->stats);
  return 0;
}

static void free_case(fx_case *c) {
  tw_gan_ws_destroy(c->n, c->ws);
  tw_gan_nets_destroy(c->n);
  if (c->be) tw_backend_close(c->be);
  nn_fixture_free(&c->fx);
}

/* z and c1 into x's input columns, the Gumbel noise, the critic's masks
** (`prefix` dmask: 3G rows; gmask: G rows) and alpha. */
static void set_inputs(fx_case *c, const char *prefix) {
  tw_gan_ws *ws = c->ws;
  const int D = c->n->map.gen_cols, S = c->n->map.hidden, E = c->sz.embedding, C = c->sz.cond_width;
  const double *z = get(c, "z"), *c1 = get(c, "c1");
  for (int64_t r = 0; r < c->rows; ++r) {
    to_float(z + r * E, E, ws->x + r * D + S);
    to_float(c1 + r * C, C, ws->x + r * D + S + E);
  }
  to_float(get(c, "gumbel"), c->rows * c->sz.width, ws->gumbel);
  to_float(get(c, "alpha"), c->G, ws->alpha);
  for (int l = 0; l < c->sz.n_dis; ++l) {
    char name[16];
    snprintf(name, sizeof name, "%s%d", prefix, l);
    const nn_array *m = nn_fixture_get(&c->fx, name);
    to_float(m->data, m->numel, ws->mask[l]);
  }
}

/* The real rows [real | c2] into the critic input's first G groups. */
static void set_real(fx_case *c) {
  const int W = c->sz.width, C = c->sz.cond_width;
  const double *real = get(c, "real"), *c2 = get(c, "c2");
  for (int64_t r = 0; r < c->rows; ++r) {
    to_float(real + r * W, W, c->ws->cin + r * (W + C));
    to_float(c2 + r * C, C, c->ws->cin + r * (W + C) + W);
  }
}

static double rel(double a, double b) { return fabs(a - b) / fabs(b); }

static void test_critic_step(void) {
  fx_case c;
  CHECK(load_case(&c) == 0);
  const int W = c.sz.width, C = c.sz.cond_width;
  const int64_t P = c.n->map.pac_cols;
  set_inputs(&c, "dmask");
  set_real(&c);
  CHECK_OK(tw_gan_gen_forward(c.n, c.ws, c.rows, 1, c.ws->cin + c.G * P));
  printf("generator, training mode:\n");
  CHECK(err_strided(&c, "raw", c.ws->raw, c.rows, W, W) <= TOL);
  CHECK(err_strided(&c, "fake", c.ws->cin + c.G * P, c.rows, W, W + C) <= TOL);
  CHECK(err_strided(&c, "stats1", c.n->stats, 1, (int)c.n->map.stats.total, 0) <= TOL);
  float *grads = malloc((size_t)c.n->map.dis.total * sizeof(float));
  double loss_d = 0, pen = 0;
  CHECK_OK(tw_gan_critic_grads(c.n, c.ws, c.rows, grads, &loss_d, &pen));
  printf("critic step: loss_d %.9g (torch %.9g), pen %.9g (torch %.9g)\n", loss_d, get(&c, "loss_d")[0], pen,
         get(&c, "pen")[0]);
  CHECK(err_strided(&c, "scores", c.ws->cout, 1, (int)(3 * c.G), 0) <= TOL);
  CHECK(rel(loss_d, get(&c, "loss_d")[0]) <= TOL && rel(pen, get(&c, "pen")[0]) <= TOL);
  CHECK(err_strided(&c, "d_grad", grads, 1, (int)c.n->map.dis.total, 0) <= TOL);
  // the penalty's share alone: all gradients minus loss_d's (rerun over real and fake)
  float *loss_grads = calloc((size_t)c.n->map.dis.total, sizeof(float));
  for (int64_t g = 0; g < 2 * c.G; ++g) c.ws->dout[g] = (float)((g < c.G ? -1.0 : 1.0) / (double)c.G);
  CHECK_OK(tw_gan_critic_forward(c.n, c.ws, 0, 2 * c.G, c.ws->cin));
  CHECK_OK(tw_gan_critic_backward(c.n, c.ws, 0, 2 * c.G, c.ws->cin, loss_grads, NULL));
  for (int64_t i = 0; i < c.n->map.dis.total; ++i) grads[i] -= loss_grads[i];
  CHECK(err_strided(&c, "d_grad_pen", grads, 1, (int)c.n->map.dis.total, 0) <= 10 * TOL);
  free(loss_grads);
  free(grads);
  free_case(&c);
}

/* Runs the critic step's generator forward (for its statistics update), then the generator step. */
static void test_generator_step(void) {
  fx_case c;
  CHECK(load_case(&c) == 0);
  const int W = c.sz.width, C = c.sz.cond_width;
  float *out = malloc((size_t)(c.rows * (W + C)) * sizeof(float));
  float *grads = malloc((size_t)c.n->map.gen.total * sizeof(float));
  float *cmask = malloc((size_t)(c.rows * c.lay.n_cond_spans) * sizeof(float));
  to_float(get(&c, "m1"), c.rows * c.lay.n_cond_spans, cmask);
  set_inputs(&c, "gmask");
  CHECK_OK(tw_gan_gen_forward(c.n, c.ws, c.rows, 1, out));
  CHECK_OK(tw_gan_gen_forward(c.n, c.ws, c.rows, 1, out));
  printf("generator step:\n");
  CHECK(err_strided(&c, "raw2", c.ws->raw, c.rows, W, W) <= TOL);
  CHECK(err_strided(&c, "fake2", out, c.rows, W, W + C) <= TOL);
  CHECK(err_strided(&c, "stats2", c.n->stats, 1, (int)c.n->map.stats.total, 0) <= TOL);
  double adv = 0, ce = 0;
  CHECK_OK(tw_gan_critic_fake_grad(c.n, c.ws, c.rows, out, &adv));
  CHECK_OK(tw_gan_gen_backward(c.n, c.ws, c.rows, out, c.ws->dcin, cmask, grads, &ce));
  printf("  loss_g %.9g + cond %.9g (torch %.9g + %.9g)\n", adv, ce, get(&c, "loss_g_adv")[0], get(&c, "cond_loss")[0]);
  CHECK(rel(adv, get(&c, "loss_g_adv")[0]) <= TOL && rel(ce, get(&c, "cond_loss")[0]) <= TOL);
  CHECK(err_strided(&c, "g_grad", grads, 1, (int)c.n->map.gen.total, 0) <= TOL);
  CHECK_OK(tw_gan_gen_forward(c.n, c.ws, c.rows, 0, out));
  printf("generator, evaluation mode:\n");
  CHECK(err_strided(&c, "raw_eval", c.ws->raw, c.rows, W, W) <= TOL);
  CHECK(err_strided(&c, "fake_eval", out, c.rows, W, W + C) <= TOL);
  CHECK_EQ_INT(c.n->bn_batches, 2);
  free(out);
  free(grads);
  free(cmask);
  free_case(&c);
}

/* Two Adam steps from the fixture's parameters and (float32) gradients; the
** largest difference from torch's float32 parameters, in units of the value. */
static double adam_worst(fx_case *c, const char *p0, const char *grad, const char *after1, const char *after2,
                         int64_t n) {
  float *p = malloc((size_t)n * sizeof(float)), *g = malloc((size_t)n * sizeof(float));
  float *m = calloc((size_t)n, sizeof(float)), *v = calloc((size_t)n, sizeof(float));
  to_float(get(c, p0), n, p);
  to_float(get(c, grad), n, g);
  double worst = 0.0;
  const char *refs[2] = {after1, after2};
  for (int t = 1; t <= 2; ++t) {
    const tw_adamw_coef k = tw_adam_coefs(2e-4, 0.5, 0.9, 1e-8, 1e-6, t, 1.0f);
    tw_gan_ops_cpu.adam_step(c->be, n, p, g, m, v, k);
    const double *ref = get(c, refs[t - 1]);
    for (int64_t i = 0; i < n; ++i) worst = fmax(worst, fabs(p[i] - ref[i]));
  }
  free(p), free(g), free(m), free(v);
  return worst;
}

static void test_adam(void) {
  fx_case c;
  CHECK(load_case(&c) == 0);
  const double wg = adam_worst(&c, "g", "g_grad", "g_adam1", "g_adam2", c.n->map.gen.total);
  const double wd = adam_worst(&c, "d", "d_grad", "d_adam1", "d_adam2", c.n->map.dis.total);
  printf("Adam, two steps: largest |twinscale - torch| generator %.3g, critic %.3g\n", wg, wd);
  CHECK(wg == 0.0 && wd == 0.0);
  free_case(&c);
}

/* Mismatches of ops->fill_random against tw_gan_draw_from over a (rows, cols; ld) fill. */
static int64_t fill_mismatches(tw_backend *be, tw_gan_draw kind, const tw_gan_stream *st, int64_t rows, int cols,
                               int64_t ld, float *out) {
  for (int64_t i = 0; i < rows * ld; ++i) out[i] = -7.0f;
  if (tw_gan_ops_cpu.fill_random(be, kind, rows, cols, st, 0.5f, out, ld) != TW_OK) return -1;
  int64_t bad = 0;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < ld; ++j) {
      if (j >= cols) {
        bad += out[r * ld + j] != -7.0f; /* the gap between rows untouched */
        continue;
      }
      const int64_t e = r * st->row_elems + j;
      tw_gan_block b;
      tw_gan_block_fill(kind, st->seed, st->twin0 + (uint64_t)r * st->twin_per_row, st->purpose,
                        st->index0 + tw_gan_draw_block(kind, e), &b);
      bad += out[r * ld + j] != tw_gan_draw_from(kind, &b, e, 0.5f);
    }
  return bad;
}

static void test_fills(void) {
  tw_backend *be = NULL;
  CHECK(tw_backend_open("cpu", 0, &be) == TW_OK);
  float *out = malloc(37 * 131 * sizeof(float));
  const int cols[] = {1, 7, 64, 129};
  for (int kind = 0; kind < 4; ++kind)
    for (int c = 0; c < 4; ++c) {
      const tw_gan_stream matrix = {.seed = 99, .twin0 = 5, .twin_per_row = 0, .purpose = 12, .index0 = 3,
                                    .row_elems = cols[c]};
      const tw_gan_stream by_row = {.seed = 99, .twin0 = 5, .twin_per_row = 1, .purpose = 13, .index0 = 1,
                                    .row_elems = 0};
      const int64_t bad = fill_mismatches(be, (tw_gan_draw)kind, &matrix, 37, cols[c], cols[c] + 2, out) +
                          fill_mismatches(be, (tw_gan_draw)kind, &by_row, 37, cols[c], cols[c] + 2, out);
      if (bad) printf("fill kind %d, %d columns: %lld elements differ from the definition\n", kind, cols[c],
                      (long long)bad);
      CHECK(bad == 0);
    }
  double worst = 0.0;
  for (int i = 1; i < 1 << 16; ++i) {
    const float x = tw_u01_f32((uint32_t)i * 65537u) * (i % 3 ? 1.0f : 40.0f);
    worst = fmax(worst, fabs((double)tw_gan_logf(x) - log((double)x)) / fmax(fabs(log((double)x)), 1.0));
  }
  printf("tw_gan_logf: largest error %.3g (relative, absolute below 1)\n", worst);
  CHECK(worst < 3e-7);
  free(out);
  tw_backend_close(be);
}

int main(void) {
  TW_TEST_RUN(test_fills);
  TW_TEST_RUN(test_critic_step);
  TW_TEST_RUN(test_generator_step);
  TW_TEST_RUN(test_adam);
  return TW_TEST_RESULT();
}
