/*
** nn_grt_cuda.h: the GRT's CUDA-only LSTM paths, chosen per plan.
**
** The GRT entry points of nn/grt.h run on the CUDA backend as they are: the
** shared orchestration issues cuBLAS products and the CUDA kernel table
** (nn_ops_cuda.cu), and the LSTM runs as one cuBLAS recurrent product plus one
** fused cell kernel per step (TW_GRT_LSTM_GENERIC). A plan picks one of two
** faster ways for the LSTM instead:
**
**   TW_GRT_LSTM_FUSED  one kernel per step does the input and recurrent products
**                      z W_ih^T + h W_hh^T and the cell for a tile of rows, the
**                      weights held transposed in shared memory (so Hr is
**                      limited: tw_grt_cuda_fused_max_hr); the gates never exist
**                      in memory. Serves the inference forward and rollout;
**                      backward (which keeps the gates) runs the generic path.
**   TW_GRT_LSTM_CUDNN  cuDNN's RNN API over the whole teacher-forced sequence,
**                      forward and backward (data and weights); builds without
**                      cuDNN report TW_ERR_UNSUPPORTED. Rollout (one step at a
**                      time, fed by a callback) runs the fused step where Hr
**                      allows and the generic step otherwise.
**
** Everything else (GNN products and epilogue, input projection, head, loss) is
** the shared orchestration's, with the same workspace and scratch contracts as
** tw_grt_forward, tw_grt_loss_backward and tw_grt_rollout; results agree with
** the CPU reference within float32 rounding (tests/nn/test_nn_cuda_grt.c).
** Plain C: callable from the CLI and C tests.
*/
#ifndef TW_NN_GRT_CUDA_H
#define TW_NN_GRT_CUDA_H

#include "nn/grt.h" /* model, batch, workspace, step callback */

TW_EXTERN_C_BEGIN

typedef enum tw_grt_lstm_path { TW_GRT_LSTM_GENERIC = 0, TW_GRT_LSTM_FUSED = 1, TW_GRT_LSTM_CUDNN = 2 } tw_grt_lstm_path;

/* "generic", "fused", "cudnn"; parse returns TW_ERR_INPUT naming the choices. */
const char *tw_grt_lstm_path_name(tw_grt_lstm_path path);
tw_status tw_grt_lstm_path_parse(const char *name, tw_grt_lstm_path *out);

/* The largest Hr the fused step takes with GNN width H on be's device (shared
** memory bound: 91 for H = 64 on an H100). */
tw_status tw_grt_cuda_fused_max_hr(tw_backend *be, int H, int *max_hr);

typedef struct tw_grt_cuda_plan tw_grt_cuda_plan;

/* A plan for models of sizes `sz` on the CUDA backend `be`. Fails with
** TW_ERR_UNSUPPORTED for FUSED when Hr is above the limit, for CUDNN in a build
** without cuDNN, and with TW_ERR_INPUT when be is not a CUDA backend. cuDNN
** math follows be->math_mode at creation (FP32: no tensor cores; TF32 or BF16:
** TF32 tensor cores, cuDNN having no BF16 math for float32 data). */
tw_status tw_grt_cuda_plan_create(tw_backend *be, const tw_grt_sizes *sz, tw_grt_lstm_path path,
                                  tw_grt_cuda_plan **out);
/* Destroy a plan before closing its backend (a cuDNN plan queues on its stream). */
void tw_grt_cuda_plan_destroy(tw_grt_cuda_plan *plan);

/* tw_grt_forward, tw_grt_loss_backward and tw_grt_rollout through the plan's path. */
tw_status tw_grt_cuda_forward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                              tw_grt_workspace *ws, float *y, float *h, float *c);
tw_status tw_grt_cuda_loss_backward(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                                    const float *target, const float *mask, tw_grt_workspace *ws, double *loss,
                                    float *grads, float *x_grad, float *y);
tw_status tw_grt_cuda_rollout(tw_grt_cuda_plan *plan, const tw_grt_model *m, const tw_grt_batch *batch,
                              tw_grt_step_fn step, void *ctx, float *scratch, float *y, float *h, float *c);

TW_EXTERN_C_END

#endif
