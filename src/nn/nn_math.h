/*
** nn_math.h: the GRT's pointwise math, one source for the CPU loops and the CUDA
** kernels (DESIGN.md invariant 1).
**
** Everything here is TW_HD and branch-light so that GCC vectorises the CPU loops
** (no calls into libm's expf or tanhf, which would stop vectorisation in a plain
** C17 build) and nvcc inlines it into kernels. Accuracy (tests/nn/test_grt_unit.c):
** tw_nn_expf within 3e-7 relative of exp over [-87, 88]; sigmoid and tanh built on
** it within 2e-7 absolute, far inside the 1e-5 relative forward tolerance against
** PyTorch.
**
** The LSTM cell follows torch.nn.LSTMCell: the 4Hr gate pre-activations are
** ordered i, f, g, o; c' = f*c + i*g; h' = o*tanh(c').
*/
#ifndef TW_NN_MATH_H
#define TW_NN_MATH_H

#include "core/defs.h"    /* TW_HD */
#include "core/tw_math.h" /* tw_exp_f32, the shared float exp */

TW_EXTERN_C_BEGIN

/* exp(x) in float: core's vectorisable exp (Cody-Waite reduction, Cephes
** polynomial, 2^n from exponent bits; saturates outside [-87, 88]), the one
** implementation both kernel families share. */
TW_HD float tw_nn_expf(float x) { return tw_exp_f32(x); }

TW_HD float tw_nn_sigmoidf(float x) { return 1.0f / (1.0f + tw_nn_expf(-x)); }

/* tanh: Cephes' odd polynomial for |x| < 0.625 (keeps relative accuracy near 0),
** 1 - 2/(exp(2|x|) + 1) with the sign restored above. */
TW_HD float tw_nn_tanhf(float x) {
  float ax = x < 0.0f ? -x : x;
  float z = x * x;
  float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z +
                  1.33314422036e-1f) * z - 3.33332819422e-1f) * z * x + x;
  float big = 1.0f - 2.0f / (tw_nn_expf(2.0f * ax) + 1.0f);
  big = x < 0.0f ? -big : big;
  return ax < 0.625f ? small : big;
}

TW_HD float tw_nn_reluf(float x) { return x > 0.0f ? x : 0.0f; }

/* One LSTM unit j of one row. In: the four pre-activations (bias included) and
** c_prev. Out: the activated gates (kept for backward), c and h. */
TW_HD void tw_nn_lstm_cell_forward(float pi, float pf, float pg, float po, float c_prev, float *i, float *f,
                                   float *g, float *o, float *c, float *h) {
  *i = tw_nn_sigmoidf(pi);
  *f = tw_nn_sigmoidf(pf);
  *g = tw_nn_tanhf(pg);
  *o = tw_nn_sigmoidf(po);
  *c = *f * c_prev + *i * *g;
  *h = *o * tw_nn_tanhf(*c);
}

/* Backward of one unit. In: activated gates i,f,g,o, c_prev, c, the gradient dh
** reaching h and dc reaching c from step t+1. Out: the gradients of the four
** pre-activations and dc_prev (what reaches c_prev). tanh(c) is recomputed. */
TW_HD void tw_nn_lstm_cell_backward(float i, float f, float g, float o, float c_prev, float c, float dh,
                                    float dc, float *dpi, float *dpf, float *dpg, float *dpo,
                                    float *dc_prev) {
  float tc = tw_nn_tanhf(c);
  float dct = dc + dh * o * (1.0f - tc * tc);
  *dpi = dct * g * i * (1.0f - i);
  *dpf = dct * c_prev * f * (1.0f - f);
  *dpg = dct * i * (1.0f - g * g);
  *dpo = dh * tc * o * (1.0f - o);
  *dc_prev = dct * f;
}

/* d tanh(u)/du from z = tanh(u). */
TW_HD float tw_nn_tanh_grad(float z, float dz) { return dz * (1.0f - z * z); }
/* d relu(u)/du from a = relu(u). */
TW_HD float tw_nn_relu_grad(float a, float da) { return a > 0.0f ? da : 0.0f; }

/* MSE pieces for one output element with weight m (the mask, 1 without one):
** returns m*(y - t)^2, the element's term of the summed loss, and writes
** dy = 2*m*(y - t)*scale, where scale = 1/sum(mask) makes the loss a mean. */
TW_HD float tw_nn_mse_term(float y, float t, float m, float scale, float *dy) {
  float d = y - t;
  *dy = 2.0f * m * d * scale;
  return m * d * d;
}

TW_EXTERN_C_END

#endif
