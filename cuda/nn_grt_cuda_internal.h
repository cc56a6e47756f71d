/*
** nn_grt_cuda_internal.h: what nn_grt_cuda.cu (plan, forward, rollout) and
** nn_grt_cuda_backward.cu (cuDNN backward) share: the plan and the chunk
** forward with the plan's LSTM. Include from .cu files only.
*/
#ifndef TW_NN_GRT_CUDA_INTERNAL_H
#define TW_NN_GRT_CUDA_INTERNAL_H

#include "build_info.h" /* TW_HAVE_CUDNN */
#include "nn/grt_internal.h" /* workspace map, shared orchestration pieces and their LSTM hooks */
#include "nn_grt_cuda.h"     /* the public side */
#include "nn_lstm_fused.h"   /* fused step */
#if TW_HAVE_CUDNN
#include "nn_cudnn_lstm.h" /* cuDNN sequence LSTM */
#endif

struct tw_grt_cuda_plan {
  tw_backend *be;
  tw_grt_sizes sz;
  tw_grt_lstm_path path;
  int fused_ok;           /* the fused step fits this Hr (rollout uses it when so) */
  tw_lstm_fused_cfg fused;
#if TW_HAVE_CUDNN
  tw_cudnn_lstm *cudnn; /* CUDNN plans only */
#endif
};

/* Checks that the model has the plan's sizes. */
tw_status grt_cuda_check_model(const tw_grt_cuda_plan *plan, const tw_grt_model *m);

/* grt_chunk_forward with the plan's LSTM (FUSED or CUDNN); for CUDNN the weights
** must have been loaded into the plan's cuDNN state for this call. With `train`
** and CUDNN, cuDNN's reserve space holds what the backward needs, and w->gates
** and the per-step c are not filled. */
tw_status grt_cuda_chunk_forward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch, int b0,
                                 int bc, const grt_ws_map *w, int train, float *y, float *h, float *c);

#if TW_HAVE_CUDNN
/* tw_grt_loss_backward with cuDNN's LSTM backward (nn_grt_cuda_backward.cu); the
** model's LSTM weights must be loaded into plan->cudnn. */
tw_status grt_cuda_cudnn_loss_backward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                                       const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                       float *grads, float *x_grad, float *y);
#endif

#endif
