/*
** nn_grt_cuda_backward.cu: the GRT's MSE loss and backpropagation through time
** with cuDNN's LSTM backward (cudnnRNNBackwardData_v8 for dz_L, dh0, dc0;
** cudnnRNNBackwardWeights_v8 for W_ih, W_hh, b_ih, b_hh).
**
** The rest is src/nn/grt_backward.c's walk itself (grt_loss_backward_with:
** loss normaliser, chunk forward, head, GNN, one chunk at a time on a GPU), with
** cuDNN's sequence forward (grt_cuda_cudnn_lstm_seq, nn_grt_cuda.cu) and this
** file's backward passed through its hooks (nn/grt_lstm_hooks.h) in place of
** the step-by-step LSTM loop and its four weight products. cuDNN
** reports d b_hh itself (equal to d b_ih, as both biases enter the gates as one
** sum), so the walk does not copy it from d b_ih.
*/
#include "backend_cuda.h"         /* tw_cuda_activate */
#include "nn_grt_cuda_internal.h" /* plan, cuDNN forward hook, the shared training walk */

#if TW_HAVE_CUDNN

/* The training walk's LSTM backward: cuDNN's, from dh (T,bn,Hr) to dz_L
** (T,bn,H) and the LSTM weight gradients; its forward hook is
** grt_cuda_cudnn_lstm_seq, whose reserve space keeps what this needs. */
static tw_status cudnn_backward(void *ctx, const tw_grt_model *m, int T, int bc, const grt_ws_map *w,
                                const grt_wgrad *sink) {
  tw_grt_cuda_plan *plan = (tw_grt_cuda_plan *)ctx;
  const tw_grt_layout *lay = &m->layout;
  float *grads = sink->g;
  if (sink->pe) return TW_FAIL(TW_ERR_INTERNAL, "cuDNN's LSTM backward gives no per-example gradients");
  const int64_t bn = (int64_t)bc * lay->sz.N;
  return tw_cudnn_lstm_backward(plan->cudnn, T, (int)bn, w->z[lay->sz.L - 1], w->hs, w->cs, w->hs + bn * lay->sz.Hr,
                                w->dhs, NULL, NULL, w->dz, NULL, NULL, grads + lay->lstm_w_ih, grads + lay->lstm_w_hh,
                                grads + lay->lstm_b_ih, grads + lay->lstm_b_hh);
}

tw_status grt_cuda_cudnn_loss_backward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                                       const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                       float *grads, float *x_grad, float *y) {
  TW_TRY(grt_cuda_check_model(plan, m));
  TW_TRY(tw_cuda_activate(plan->be));
  grt_lstm_train lstm;
  lstm.forward = grt_cuda_cudnn_lstm_seq, lstm.backward = cudnn_backward, lstm.sets_b_hh = 1, lstm.ctx = plan;
  return grt_loss_backward_with(plan->be, m, batch, target, mask, ws, loss, grads, x_grad, y, &lstm);
}

#endif /* TW_HAVE_CUDNN */
