/*
** nets_gen.c: the generator's forward and backward (nets.h).
**
** h_K is one (rows, D) matrix [o_K | ... | o_1 | z | cond] (ws->x), so block k
** reads h_{k-1} = x[:, off_{k-1}:] and writes o_k = x[:, off_k : off_k + o_k]
** with off_k = o_{k+1} + ... + o_K: CTGAN's torch.cat([out, input]) is a view.
** Backward walks the same layout: the gradient of every o_k collects in
** ws->dx[:, off_k ...] from the last Linear and every later block before block
** k reads it.
**   raw = x W_out^T + b;     dW_out = draw^T x, db = sum draw, dx[:, :S] = draw W_out[:, :S]
**   f_k = h_{k-1} W_k^T + b; o_k = relu(BN(f_k));  df_k = BN-ReLU backward(dx[:, o_k])
**   dW_k = df_k^T h_{k-1},   db_k = sum df_k,      dx[:, o_j, j < k] += df_k W_k[:, o-part]
*/
#include "gan/nets_internal.h"

/* Column where o_k (0-based block k) starts in the (rows, D) matrix. */
static int block_off(const tw_gan_sizes *sz, int k) {
  int off = 0;
  for (int j = k + 1; j < sz->n_gen; ++j) off += sz->gen[j];
  return off;
}

tw_status tw_gan_gen_forward(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, int train, float *out) {
  const tw_gan_ops *ops;
  TW_TRY(gan_ops(n, &ops));
  tw_backend *be = n->be;
  const tw_gan_sizes *sz = &n->sz;
  const tw_gan_map *m = &n->map;
  const int D = m->gen_cols, W = sz->width, C = sz->cond_width;
  if (rows > ws->rows) return TW_FAIL(TW_ERR_INPUT, "GAN batch of %lld rows in a workspace of %lld", (long long)rows,
                                      (long long)ws->rows);
  for (int k = 0; k < sz->n_gen; ++k) {
    const int o = sz->gen[k], off = block_off(sz, k), in = D - off - o;
    // f_k (rows,o) = h_{k-1} (rows,in) @ W_k^T + b_k
    TW_TRY(gan_gemm(be, 0, 1, rows, o, in, ws->x + off + o, D, n->g + m->fc_w[k], in, 0.0f, ws->f[k], o));
    TW_TRY(tw_nn_ops_for(be)->bias_act(be, rows, o, ws->f[k], n->g + m->fc_b[k], TW_NN_ACT_NONE));
    const float *gamma = n->g + m->bn_w[k], *beta = n->g + m->bn_b[k];
    if (train)
      TW_TRY(ops->bn_train_forward(be, rows, o, ws->f[k], gamma, beta, n->bn_eps, n->bn_momentum, ws->mean[k],
                                   ws->invstd[k], n->stats + m->run_mean[k], n->stats + m->run_var[k],
                                   ws->x + off, D));
    else
      TW_TRY(ops->bn_eval_forward(be, rows, o, ws->f[k], gamma, beta, n->bn_eps, n->stats + m->run_mean[k],
                                  n->stats + m->run_var[k], ws->x + off, D));
  }
  if (train) n->bn_batches++;
  // raw (rows,W) = x (rows,D) @ W_out^T + b_out; out = [act(raw) | cond]
  TW_TRY(gan_gemm(be, 0, 1, rows, W, D, ws->x, D, n->g + m->out_w, D, 0.0f, ws->raw, W));
  TW_TRY(tw_nn_ops_for(be)->bias_act(be, rows, W, ws->raw, n->g + m->out_b, TW_NN_ACT_NONE));
  TW_TRY(ops->activate(be, rows, W, n->n_spans, n->spans, ws->raw, ws->gumbel, n->tau, out, W + C));
  if (C) TW_TRY(ops->copy2d(be, rows, C, ws->x + D - C, D, out + W, W + C));
  return TW_OK;
}

/* The gradient reaching raw: activation backward, plus the conditional loss. */
static tw_status raw_grad(tw_gan_nets *n, const tw_gan_ops *ops, tw_gan_ws *ws, int64_t rows, const float *out,
                          const float *dout, const float *cmask, double *cond_loss) {
  tw_backend *be = n->be;
  const int W = n->sz.width, C = n->sz.cond_width, D = n->map.gen_cols;
  TW_TRY(ops->activate_backward(be, rows, W, n->n_spans, n->spans, out, W + C, dout, W + C, n->tau, ws->draw));
  *cond_loss = 0.0;
  if (!cmask || !n->n_cond) return TW_OK;
  const float scale = (float)(1.0 / (double)rows);
  TW_TRY(ops->cond_loss(be, rows, W, n->spans, n->n_cond, n->cond_span, ws->raw, ws->x + D - C, D, cmask, scale,
                        ws->draw, ws->loss_rows));
  double sum = 0.0;
  TW_TRY(tw_nn_ops_for(be)->sum(be, rows, ws->loss_rows, &sum));
  *cond_loss = (double)(float)sum / (double)rows;
  return TW_OK;
}

tw_status tw_gan_gen_backward(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, const float *out, const float *dout,
                              const float *cmask, float *grads, double *cond_loss) {
  const tw_gan_ops *ops;
  TW_TRY(gan_ops(n, &ops));
  tw_backend *be = n->be;
  const tw_gan_sizes *sz = &n->sz;
  const tw_gan_map *m = &n->map;
  const int D = m->gen_cols, W = sz->width, S = m->hidden;
  TW_TRY(raw_grad(n, ops, ws, rows, out, dout, cmask, cond_loss));
  TW_TRY(be->fill_bytes(be, grads, 0, (size_t)m->gen.total * sizeof(float)));
  // dW_out (W,D) = draw^T x;  db_out = sum draw;  dx[:, :S] = draw @ W_out[:, :S]
  TW_TRY(gan_gemm(be, 1, 0, W, D, rows, ws->draw, W, ws->x, D, 0.0f, grads + m->out_w, D));
  TW_TRY(tw_nn_ops_for(be)->bias_grad(be, rows, W, ws->draw, grads + m->out_b));
  TW_TRY(gan_gemm(be, 0, 0, rows, S, W, ws->draw, W, n->g + m->out_w, D, 0.0f, ws->dx, D));
  for (int k = sz->n_gen - 1; k >= 0; --k) {
    const int o = sz->gen[k], off = block_off(sz, k), in = D - off - o, below = S - off - o;
    TW_TRY(ops->bn_relu_backward(be, rows, o, ws->f[k], ws->mean[k], ws->invstd[k], n->g + m->bn_w[k], ws->x + off,
                                 D, ws->dx + off, D, ws->df, grads + m->bn_w[k], grads + m->bn_b[k]));
    // dW_k (o,in) = df^T h_{k-1};  db_k = sum df;  dx[:, o_j, j < k] += df @ W_k[:, :below]
    TW_TRY(gan_gemm(be, 1, 0, o, in, rows, ws->df, o, ws->x + off + o, D, 0.0f, grads + m->fc_w[k], in));
    TW_TRY(tw_nn_ops_for(be)->bias_grad(be, rows, o, ws->df, grads + m->fc_b[k]));
    if (below > 0)
      TW_TRY(gan_gemm(be, 0, 0, rows, below, o, ws->df, o, n->g + m->fc_w[k], in, 1.0f, ws->dx + off + o, D));
  }
  return TW_OK;
}
