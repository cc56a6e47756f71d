/*
** nets_critic.c: the PacGAN critic, its backward, and the WGAN-GP penalty's
** gradient through the double backward (nets.h).
**
** Layers l = 1..L, then the score, over rows of P = pac (width + cond) inputs:
**   a_l = h_{l-1} W_l^T + b_l,  h_l = leaky(a_l) * mask_l,  y = h_L W_{L+1}^T + b_{L+1}
** Backward from dy (rows): dh_L = dy W_{L+1}; da_l = dh_l * mask_l * slope(a_l);
**   dW_l += da_l^T h_{l-1}, db_l += sum da_l, dh_{l-1} = da_l W_l   (dh_0 = dx).
** The penalty's input gradient gx is that backward with dy = 1 on the
** interpolates; call its chain ga_l (= da_l there). With dgx = dPen/dgx, the
** backward of the chain gx = ga_1 W_1, ga_l = (ga_{l+1} W_{l+1}) * mask_l * slope(a_l),
** ga_{L+1} = 1, is, for l = 1..L (dgh_0 = dgx):
**   dW_l += ga_l^T dgh_{l-1},  dga_l = dgh_{l-1} W_l^T,  dgh_l = dga_l * mask_l * slope(a_l)
** and dW_{L+1} += column sums of dgh_L. The biases get nothing from the penalty
** (they move a_l, whose slopes are locally constant), nor does anything through
** slope(a_l): torch's leaky_relu_backward has zero derivative in a.
*/
#include "gan/nets_internal.h"

tw_status tw_gan_critic_forward(tw_gan_nets *n, tw_gan_ws *ws, int64_t g0, int64_t groups, const float *in) {
  const tw_gan_ops *ops;
  TW_TRY(gan_ops(n, &ops));
  tw_backend *be = n->be;
  const tw_gan_sizes *sz = &n->sz;
  const tw_gan_map *m = &n->map;
  const float *h = in;
  int d = m->pac_cols;
  for (int l = 0; l < sz->n_dis; ++l) {
    const int o = sz->dis[l];
    float *a = ws->a[l] + g0 * o, *hl = ws->h[l] + g0 * o;
    // a_l (groups,o) = h_{l-1} (groups,d) @ W_l^T + b_l;  h_l = leaky(a_l) * mask_l
    TW_TRY(gan_gemm(be, 0, 1, groups, o, d, h, d, n->d + m->dis_w[l], d, 0.0f, a, o));
    TW_TRY(tw_nn_ops_for(be)->bias_act(be, groups, o, a, n->d + m->dis_b[l], TW_NN_ACT_NONE));
    TW_TRY(ops->leaky_dropout(be, groups * o, a, ws->mask[l] + g0 * o, n->leaky_slope, hl));
    h = hl;
    d = o;
  }
  const int L = sz->n_dis;
  TW_TRY(gan_gemm(be, 0, 1, groups, 1, d, h, d, n->d + m->dis_w[L], d, 0.0f, ws->cout + g0, 1));
  return tw_nn_ops_for(be)->bias_act(be, groups, 1, ws->cout + g0, n->d + m->dis_b[L], TW_NN_ACT_NONE);
}

tw_status tw_gan_critic_backward(tw_gan_nets *n, tw_gan_ws *ws, int64_t g0, int64_t groups, const float *in,
                                 float *grads, float *dx) {
  const tw_gan_ops *ops;
  TW_TRY(gan_ops(n, &ops));
  tw_backend *be = n->be;
  const tw_gan_sizes *sz = &n->sz;
  const tw_gan_map *m = &n->map;
  const int L = sz->n_dis;
  const float *dy = ws->dout + g0, *hL = ws->h[L - 1] + g0 * sz->dis[L - 1];
  // dh_L (groups,d_L) = dy (groups,1) @ W_{L+1} (1,d_L)
  TW_TRY(gan_gemm(be, 0, 0, groups, sz->dis[L - 1], 1, dy, 1, n->d + m->dis_w[L], sz->dis[L - 1], 0.0f, ws->dh,
                  sz->dis[L - 1]));
  if (grads) {
    TW_TRY(gan_gemm(be, 1, 0, 1, sz->dis[L - 1], groups, dy, 1, hL, sz->dis[L - 1], 1.0f, grads + m->dis_w[L],
                    sz->dis[L - 1]));
    TW_TRY(tw_nn_ops_for(be)->bias_grad(be, groups, 1, dy, grads + m->dis_b[L]));
  }
  for (int l = L - 1; l >= 0; --l) {
    const int o = sz->dis[l], d = l ? sz->dis[l - 1] : m->pac_cols;
    float *da = ws->da[l] + g0 * o;
    const float *hin = l ? ws->h[l - 1] + g0 * d : in;
    TW_TRY(ops->leaky_dropout_grad(be, groups * o, ws->a[l] + g0 * o, ws->mask[l] + g0 * o, ws->dh, n->leaky_slope,
                                   da));
    if (grads) TW_TRY(gan_gemm(be, 1, 0, o, d, groups, da, o, hin, d, 1.0f, grads + m->dis_w[l], d));
    if (grads) TW_TRY(tw_nn_ops_for(be)->bias_grad(be, groups, o, da, grads + m->dis_b[l]));
    // dh_{l-1} (groups,d) = da_l @ W_l (o,d); at l = 0 that is dx
    if (l) TW_TRY(gan_gemm(be, 0, 0, groups, d, o, da, o, n->d + m->dis_w[l], d, 0.0f, ws->dh, d));
    if (!l && dx) TW_TRY(gan_gemm(be, 0, 0, groups, d, o, da, o, n->d + m->dis_w[0], d, 0.0f, dx, d));
  }
  return TW_OK;
}

/* The penalty's gradient w.r.t. the weights, from dgx and the interpolates'
** chain ga_l (ws->da rows [g0, g0 + G)), added to grads (the header's walk). */
static tw_status penalty_double_backward(tw_gan_nets *n, const tw_gan_ops *ops, tw_gan_ws *ws, int64_t g0,
                                         int64_t G, float *grads) {
  tw_backend *be = n->be;
  const tw_gan_sizes *sz = &n->sz;
  const tw_gan_map *m = &n->map;
  const float *dgh = ws->dgx;
  float *bufs[2] = {ws->t0, ws->t1};
  int d = m->pac_cols;
  for (int l = 0; l < sz->n_dis; ++l) {
    const int o = sz->dis[l];
    const float *ga = ws->da[l] + g0 * o;
    float *dga = bufs[l % 2];
    // dW_l (o,d) += ga_l^T (o,G) @ dgh_{l-1} (G,d);  dga_l (G,o) = dgh_{l-1} @ W_l^T
    TW_TRY(gan_gemm(be, 1, 0, o, d, G, ga, o, dgh, d, 1.0f, grads + m->dis_w[l], d));
    TW_TRY(gan_gemm(be, 0, 1, G, o, d, dgh, d, n->d + m->dis_w[l], d, 0.0f, dga, o));
    TW_TRY(ops->leaky_dropout_grad(be, G * o, ws->a[l] + g0 * o, ws->mask[l] + g0 * o, dga, n->leaky_slope, dga));
    dgh = dga;
    d = o;
  }
  // dW_{L+1} (1,d_L) += column sums of dgh_L (G,d_L)
  return tw_nn_ops_for(be)->bias_grad(be, G, d, dgh, grads + m->dis_w[sz->n_dis]);
}

/* Host coefficients of dout over n rows, copied to ws->dout + g0. */
static tw_status set_dout(tw_gan_nets *n, tw_gan_ws *ws, int64_t g0, int64_t count, float value) {
  for (int64_t i = 0; i < count; ++i) ws->host_dout[i] = value;
  return n->be->copy(n->be, ws->dout + g0, ws->host_dout, (size_t)count * sizeof(float), TW_COPY_HOST_TO_DEVICE);
}

/* mean of ws->cout[g0 .. g0 + G), summed in double in order, rounded to float. */
static tw_status score_mean(tw_gan_nets *n, tw_gan_ws *ws, int64_t g0, int64_t G, double *mean) {
  double s = 0.0;
  TW_TRY(tw_nn_ops_for(n->be)->sum(n->be, G, ws->cout + g0, &s));
  *mean = (double)(float)(s / (double)G);
  return TW_OK;
}

tw_status tw_gan_critic_grads(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, float *grads, double *loss_d,
                              double *pen) {
  const tw_gan_ops *ops;
  TW_TRY(gan_ops(n, &ops));
  tw_backend *be = n->be;
  const int64_t G = rows / n->sz.pac, P = n->map.pac_cols;
  float *real = ws->cin, *fake = ws->cin + G * P, *interp = ws->cin + 2 * G * P;
  TW_TRY(ops->interpolate(be, G, P, ws->alpha, real, fake, interp));
  TW_TRY(tw_gan_critic_forward(n, ws, 0, 3 * G, ws->cin));
  double mean_real = 0.0, mean_fake = 0.0, sum_terms = 0.0;
  TW_TRY(score_mean(n, ws, 0, G, &mean_real));
  TW_TRY(score_mean(n, ws, G, G, &mean_fake));
  *loss_d = -(mean_real - mean_fake);
  // loss_d's gradient over real and fake rows
  TW_TRY(be->fill_bytes(be, grads, 0, (size_t)n->map.dis.total * sizeof(float)));
  TW_TRY(set_dout(n, ws, 0, G, (float)(-1.0 / (double)G)));
  TW_TRY(set_dout(n, ws, G, G, (float)(1.0 / (double)G)));
  TW_TRY(tw_gan_critic_backward(n, ws, 0, 2 * G, ws->cin, grads, NULL));
  // the penalty: gx = dD/dx on the interpolates, then its double backward
  TW_TRY(set_dout(n, ws, 2 * G, G, 1.0f));
  TW_TRY(tw_gan_critic_backward(n, ws, 2 * G, G, interp, NULL, ws->gx));
  const float lambda = 10.0f;
  TW_TRY(ops->penalty(be, G, P, ws->gx, (float)(lambda / (double)G), ws->dgx, ws->terms));
  TW_TRY(tw_nn_ops_for(be)->sum(be, G, ws->terms, &sum_terms));
  *pen = (double)(float)(sum_terms / (double)G) * lambda;
  return penalty_double_backward(n, ops, ws, 2 * G, G, grads);
}

tw_status tw_gan_critic_fake_grad(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, const float *fake, double *loss) {
  const int64_t G = rows / n->sz.pac;
  double mean_fake = 0.0;
  TW_TRY(tw_gan_critic_forward(n, ws, 0, G, fake));
  TW_TRY(score_mean(n, ws, 0, G, &mean_fake));
  *loss = -mean_fake;
  TW_TRY(set_dout(n, ws, 0, G, (float)(-1.0 / (double)G)));
  return tw_gan_critic_backward(n, ws, 0, G, fake, NULL, ws->dcin);
}
