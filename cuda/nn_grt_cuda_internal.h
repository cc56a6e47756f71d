/*
** nn_grt_cuda_internal.h: what nn_grt_cuda.cu (plan, forward, rollout) and
** nn_grt_cuda_backward.cu (cuDNN backward) share: the plan and cuDNN's sequence
** LSTM as a forward hook. Include from cuda/ .cu files only. The GRT side comes
** through nn/grt_lstm_hooks.h, the non-private face of the shared orchestration.
*/
#ifndef TW_NN_GRT_CUDA_INTERNAL_H
#define TW_NN_GRT_CUDA_INTERNAL_H

#include "build_info.h" /* TW_HAVE_CUDNN */
#include "nn/grt_lstm_hooks.h" /* workspace map, the orchestration's LSTM hooks */
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

#if TW_HAVE_CUDNN
/* The sequence hook (grt_lstm_seq_fn; ctx: the plan) of CUDNN plans: cuDNN's
** LSTM over all T steps; the model's weights must have been loaded into
** plan->cudnn for this call. With `train`, cuDNN's reserve space holds what the
** backward needs, and w->gates and the per-step c are not filled. */
tw_status grt_cuda_cudnn_lstm_seq(void *ctx, const tw_grt_model *m, int T, int64_t bn, const grt_ws_map *w,
                                  int train, const float **c_last);
#endif

#if TW_HAVE_CUDNN
/* tw_grt_loss_backward with cuDNN's LSTM backward (nn_grt_cuda_backward.cu); the
** model's LSTM weights must be loaded into plan->cudnn. */
tw_status grt_cuda_cudnn_loss_backward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                                       const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                       float *grads, float *x_grad, float *y);
#endif

#endif
