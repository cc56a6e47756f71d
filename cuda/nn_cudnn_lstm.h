/*
** nn_cudnn_lstm.h: the GRT's LSTM over a whole teacher-forced sequence through
** cuDNN's RNN API (cudnnRNNForward, cudnnRNNBackwardData_v8,
** cudnnRNNBackwardWeights_v8).
**
** The GRT's LSTM is one unidirectional single-layer CUDNN_LSTM with two bias
** vectors (CUDNN_RNN_DOUBLE_BIAS), which is exactly PyTorch's nn.LSTMCell applied
** over time: gates i, f, g, o in both. Each of the B*N (twin, node) pairs is one
** sequence of length T. Weights stay in PyTorch's layout in the model's parameter
** buffer; tw_cudnn_lstm_load_weights copies them into cuDNN's opaque weight
** space, locating each gate's matrix and bias with cudnnGetRNNWeightParams
** rather than assuming cuDNN's packing, and the backward pass copies the weight
** gradients back out the same way.
**
** Data are sequence-major: x is (T,S,in), y is (T,S,Hr) with S = B*N sequences,
** which is the layout the CUDA GRT keeps its activations in (see nn_grt_cuda.cu).
** With every sequence of the same length, cuDNN's SEQ_MAJOR_PACKED layout is
** this plain (T,S,.) array (the combination PyTorch uses).
**
** Compiled only when the build found cuDNN (TW_HAVE_CUDNN); the fused path in
** nn_grt_cuda.cu serves otherwise.
*/
#ifndef TW_NN_CUDNN_LSTM_H
#define TW_NN_CUDNN_LSTM_H

#include <cuda_runtime.h> /* cudaStream_t */

#include "backend/backend.h" /* tw_math_mode */
#include "build_info.h"      /* TW_HAVE_CUDNN */
#include "core/status.h"     /* tw_status */

#if TW_HAVE_CUDNN

TW_EXTERN_C_BEGIN

typedef struct tw_cudnn_lstm tw_cudnn_lstm;

/* An LSTM of `input_size` -> `hidden_size` whose work is queued on `stream`.
** FP32 forbids tensor cores (CUDNN_FMA_MATH); TF32 and BF16 allow TF32 tensor
** cores (cuDNN has no BF16 math for float32 data). */
tw_status tw_cudnn_lstm_create(cudaStream_t stream, int input_size, int hidden_size, tw_math_mode mode,
                               tw_cudnn_lstm **out);
void tw_cudnn_lstm_destroy(tw_cudnn_lstm *l);

/* Copies PyTorch's weight_ih (4Hr,in), weight_hh (4Hr,Hr), bias_ih (4Hr), bias_hh (4Hr),
** all on the device, into cuDNN's weight space. */
tw_status tw_cudnn_lstm_load_weights(tw_cudnn_lstm *l, const float *w_ih, const float *w_hh, const float *b_ih,
                                     const float *b_hh);

/* x (T,S,in) -> y (T,S,Hr), y[t] = h_t. h0, c0 (S,Hr) may be NULL (zeros); hT, cT
** (S,Hr) may be NULL. With `training`, cuDNN's reserve space is kept for the
** backward call that must follow with the same T, S, x, h0, c0 and y. */
tw_status tw_cudnn_lstm_forward(tw_cudnn_lstm *l, int T, int S, const float *x, const float *h0, const float *c0,
                                float *y, float *hT, float *cT, int training);

/* Backward through the sequence of the last training forward. dy (T,S,Hr) is
** dLoss/dy; dhT, dcT (S,Hr) may be NULL (zero). Writes dx (T,S,in) and, where not
** NULL, dh0, dc0 (S,Hr); ADDS the weight gradients into g_w_ih, g_w_hh, g_b_ih,
** g_b_hh (PyTorch layouts). x, h0, c0, y are those of the forward. */
tw_status tw_cudnn_lstm_backward(tw_cudnn_lstm *l, int T, int S, const float *x, const float *h0, const float *c0,
                                 const float *y, const float *dy, const float *dhT, const float *dcT, float *dx,
                                 float *dh0, float *dc0, float *g_w_ih, float *g_w_hh, float *g_b_ih,
                                 float *g_b_hh);

TW_EXTERN_C_END

#endif /* TW_HAVE_CUDNN */
#endif
