/*
** nn_cudnn_lstm.cu: cuDNN's RNN API for the GRT's LSTM over a teacher-forced
** sequence (see nn_cudnn_lstm.h for the contract and layouts).
**
** One cudnnRNNDescriptor (CUDNN_LSTM, unidirectional, one layer, double bias,
** float32 data) per model; data descriptors are reset per call because T and S
** may change between calls (cheap host calls). Work space, reserve space and the
** device copy of the sequence lengths are grow-only buffers, so repeated calls at
** one size allocate nothing.
*/
#include "nn_cudnn_lstm.h" /* the contract implemented here */

#if TW_HAVE_CUDNN

#include <cudnn.h>  /* the RNN API */
#include <stdlib.h> /* calloc, free, realloc */

#include "core/check.h" /* TW_CUDA_CHECK, TW_CUDNN_CHECK */

/* An 8-gate LSTM in cuDNN's numbering: 0..3 act on the input, 4..7 on h, each in
** PyTorch's gate order i, f, g, o. */
enum { LSTM_LINEAR_LAYERS = 8 };

struct tw_cudnn_lstm {
  cudaStream_t stream;
  cudnnHandle_t handle;
  cudnnRNNDescriptor_t rnn;
  cudnnDropoutDescriptor_t dropout; /* required by the API; no dropout on one layer */
  cudnnRNNDataDescriptor_t x_desc, y_desc;
  cudnnTensorDescriptor_t h_desc;      /* (1,S,Hr) for h0, c0, hT, cT and their grads */
  cudnnTensorDescriptor_t m_desc, b_desc; /* filled by cudnnGetRNNWeightParams */
  int in, hidden;
  size_t weight_bytes;
  void *weights, *dweights;
  void *work, *reserve;
  size_t work_cap, reserve_cap;
  int32_t *dev_lengths, *host_lengths;
  int lengths_cap;
};

/* Grows a device buffer to at least `bytes`; its old contents are dropped. */
static tw_status grow_device(void **buf, size_t *cap, size_t bytes) {
  if (bytes <= *cap) return TW_OK;
  if (*buf) TW_CUDA_CHECK(cudaFree(*buf));
  *buf = NULL;
  *cap = 0;
  TW_CUDA_CHECK(cudaMalloc(buf, bytes));
  *cap = bytes;
  return TW_OK;
}

tw_status tw_cudnn_lstm_create(cudaStream_t stream, int input_size, int hidden_size, tw_math_mode mode,
                               tw_cudnn_lstm **out) {
  *out = NULL;
  tw_cudnn_lstm *l = (tw_cudnn_lstm *)calloc(1, sizeof *l);
  if (!l) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate the cuDNN LSTM state");
  *out = l; /* so that a failure below is cleaned up by the caller's destroy */
  l->stream = stream;
  l->in = input_size;
  l->hidden = hidden_size;
  TW_CUDNN_CHECK(cudnnCreate(&l->handle));
  TW_CUDNN_CHECK(cudnnSetStream(l->handle, stream));
  TW_CUDNN_CHECK(cudnnCreateDropoutDescriptor(&l->dropout));
  TW_CUDNN_CHECK(cudnnSetDropoutDescriptor(l->dropout, l->handle, 0.0f, NULL, 0, 0));
  TW_CUDNN_CHECK(cudnnCreateRNNDescriptor(&l->rnn));
  cudnnMathType_t math = mode == TW_MATH_FP32 ? CUDNN_FMA_MATH : CUDNN_DEFAULT_MATH;
  TW_CUDNN_CHECK(cudnnSetRNNDescriptor_v8(l->rnn, CUDNN_RNN_ALGO_STANDARD, CUDNN_LSTM, CUDNN_RNN_DOUBLE_BIAS,
                                          CUDNN_UNIDIRECTIONAL, CUDNN_LINEAR_INPUT, CUDNN_DATA_FLOAT,
                                          CUDNN_DATA_FLOAT, math, input_size, hidden_size, hidden_size, 1,
                                          l->dropout, CUDNN_RNN_PADDED_IO_DISABLED));
  TW_CUDNN_CHECK(cudnnCreateRNNDataDescriptor(&l->x_desc));
  TW_CUDNN_CHECK(cudnnCreateRNNDataDescriptor(&l->y_desc));
  TW_CUDNN_CHECK(cudnnCreateTensorDescriptor(&l->h_desc));
  TW_CUDNN_CHECK(cudnnCreateTensorDescriptor(&l->m_desc));
  TW_CUDNN_CHECK(cudnnCreateTensorDescriptor(&l->b_desc));
  TW_CUDNN_CHECK(cudnnGetRNNWeightSpaceSize(l->handle, l->rnn, &l->weight_bytes));
  TW_CUDA_CHECK(cudaMalloc(&l->weights, l->weight_bytes));
  TW_CUDA_CHECK(cudaMalloc(&l->dweights, l->weight_bytes));
  return TW_OK;
}

void tw_cudnn_lstm_destroy(tw_cudnn_lstm *l) {
  if (!l) return;
  /* Teardown: errors here have nowhere to go, the handles are released regardless. */
  if (l->x_desc) cudnnDestroyRNNDataDescriptor(l->x_desc);
  if (l->y_desc) cudnnDestroyRNNDataDescriptor(l->y_desc);
  if (l->h_desc) cudnnDestroyTensorDescriptor(l->h_desc);
  if (l->m_desc) cudnnDestroyTensorDescriptor(l->m_desc);
  if (l->b_desc) cudnnDestroyTensorDescriptor(l->b_desc);
  if (l->rnn) cudnnDestroyRNNDescriptor(l->rnn);
  if (l->dropout) cudnnDestroyDropoutDescriptor(l->dropout);
  if (l->handle) cudnnDestroy(l->handle);
  cudaFree(l->weights);
  cudaFree(l->dweights);
  cudaFree(l->work);
  cudaFree(l->reserve);
  cudaFree(l->dev_lengths);
  free(l->host_lengths);
  free(l);
}

/* Element count of a descriptor cudnnGetRNNWeightParams filled. */
static tw_status desc_numel(cudnnTensorDescriptor_t d, int64_t *n) {
  cudnnDataType_t type;
  int nb = 0, dims[8], strides[8];
  TW_CUDNN_CHECK(cudnnGetTensorNdDescriptor(d, 8, &type, &nb, dims, strides));
  *n = 1;
  for (int i = 0; i < nb; ++i) *n *= dims[i];
  return TW_OK;
}

/* Where linear layer `id` (0..7) keeps its matrix and bias inside `space`
** (weights or their gradients), checked against the PyTorch chunk sizes. */
static tw_status locate(tw_cudnn_lstm *l, void *space, int id, float **mat, float **bias) {
  void *m = NULL, *b = NULL;
  TW_CUDNN_CHECK(cudnnGetRNNWeightParams(l->handle, l->rnn, 0, l->weight_bytes, space, id, l->m_desc, &m,
                                         l->b_desc, &b));
  int64_t cols = id < 4 ? l->in : l->hidden, nm = 0, nb = 0;
  TW_TRY(desc_numel(l->m_desc, &nm));
  TW_TRY(desc_numel(l->b_desc, &nb));
  if (!m || !b || nm != (int64_t)l->hidden * cols || nb != l->hidden)
    return TW_FAIL(TW_ERR_INTERNAL, "cuDNN LSTM linear layer %d: matrix of %lld and bias of %lld elements, "
                   "expected %lld and %d", id, (long long)nm, (long long)nb, (long long)l->hidden * cols, l->hidden);
  *mat = (float *)m;
  *bias = (float *)b;
  return TW_OK;
}

/* PyTorch's chunk for linear layer `id`: gate id%4 of weight_ih (id < 4) or weight_hh. */
static void pytorch_chunk(const tw_cudnn_lstm *l, int id, const float *w_ih, const float *w_hh, const float *b_ih,
                          const float *b_hh, const float **mat, const float **bias) {
  int gate = id % 4, hr = l->hidden;
  *mat = id < 4 ? w_ih + (size_t)gate * hr * l->in : w_hh + (size_t)gate * hr * hr;
  *bias = (id < 4 ? b_ih : b_hh) + (size_t)gate * hr;
}

tw_status tw_cudnn_lstm_load_weights(tw_cudnn_lstm *l, const float *w_ih, const float *w_hh, const float *b_ih,
                                     const float *b_hh) {
  for (int id = 0; id < LSTM_LINEAR_LAYERS; ++id) {
    float *m, *b;
    const float *pm, *pb;
    TW_TRY(locate(l, l->weights, id, &m, &b));
    pytorch_chunk(l, id, w_ih, w_hh, b_ih, b_hh, &pm, &pb);
    size_t cols = id < 4 ? (size_t)l->in : (size_t)l->hidden;
    TW_CUDA_CHECK(cudaMemcpyAsync(m, pm, (size_t)l->hidden * cols * sizeof(float), cudaMemcpyDeviceToDevice,
                                  l->stream));
    TW_CUDA_CHECK(cudaMemcpyAsync(b, pb, (size_t)l->hidden * sizeof(float), cudaMemcpyDeviceToDevice, l->stream));
  }
  return TW_OK;
}

/* Describes T steps of S sequences (all of length T) and sizes the scratch. */
static tw_status set_shapes(tw_cudnn_lstm *l, int T, int S, cudnnForwardMode_t mode) {
  if (S > l->lengths_cap) {
    int32_t *h = (int32_t *)realloc(l->host_lengths, (size_t)S * sizeof *h);
    if (!h) return TW_FAIL(TW_ERR_NOMEM, "cannot allocate %d sequence lengths", S);
    l->host_lengths = h;
    if (l->dev_lengths) TW_CUDA_CHECK(cudaFree(l->dev_lengths));
    l->dev_lengths = NULL;
    l->lengths_cap = 0;
    TW_CUDA_CHECK(cudaMalloc((void **)&l->dev_lengths, (size_t)S * sizeof(int32_t)));
    l->lengths_cap = S;
  }
  for (int s = 0; s < S; ++s) l->host_lengths[s] = T;
  TW_CUDA_CHECK(cudaMemcpyAsync(l->dev_lengths, l->host_lengths, (size_t)S * sizeof(int32_t),
                                cudaMemcpyHostToDevice, l->stream));
  float fill = 0.0f;
  TW_CUDNN_CHECK(cudnnSetRNNDataDescriptor(l->x_desc, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED, T, S,
                                           l->in, l->host_lengths, &fill));
  TW_CUDNN_CHECK(cudnnSetRNNDataDescriptor(l->y_desc, CUDNN_DATA_FLOAT, CUDNN_RNN_DATA_LAYOUT_SEQ_MAJOR_PACKED, T, S,
                                           l->hidden, l->host_lengths, &fill));
  int dims[3] = {1, S, l->hidden}, strides[3] = {S * l->hidden, l->hidden, 1};
  TW_CUDNN_CHECK(cudnnSetTensorNdDescriptor(l->h_desc, CUDNN_DATA_FLOAT, 3, dims, strides));
  size_t work = 0, reserve = 0;
  TW_CUDNN_CHECK(cudnnGetRNNTempSpaceSizes(l->handle, l->rnn, mode, l->x_desc, &work, &reserve));
  TW_TRY(grow_device(&l->work, &l->work_cap, work));
  if (mode == CUDNN_FWD_MODE_TRAINING) TW_TRY(grow_device(&l->reserve, &l->reserve_cap, reserve));
  return TW_OK;
}

tw_status tw_cudnn_lstm_forward(tw_cudnn_lstm *l, int T, int S, const float *x, const float *h0, const float *c0,
                                float *y, float *hT, float *cT, int training) {
  cudnnForwardMode_t mode = training ? CUDNN_FWD_MODE_TRAINING : CUDNN_FWD_MODE_INFERENCE;
  TW_TRY(set_shapes(l, T, S, mode));
  TW_CUDNN_CHECK(cudnnRNNForward(l->handle, l->rnn, mode, l->dev_lengths, l->x_desc, x, l->y_desc, y, l->h_desc, h0,
                                 hT, l->h_desc, c0, cT, l->weight_bytes, l->weights, l->work_cap, l->work,
                                 training ? l->reserve_cap : 0, training ? l->reserve : NULL));
  return TW_OK;
}

/* dst += src over n floats. */
static __global__ void accumulate_kernel(float *TW_RESTRICT dst, const float *TW_RESTRICT src, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    dst[i] += src[i];
}

static tw_status accumulate(cudaStream_t stream, float *dst, const float *src, int64_t n) {
  int blocks = (int)TW_MIN((n + 255) / 256, (int64_t)4096);
  accumulate_kernel<<<blocks, 256, 0, stream>>>(dst, src, n);
  TW_CUDA_CHECK_LAUNCH();
  return TW_OK;
}

tw_status tw_cudnn_lstm_backward(tw_cudnn_lstm *l, int T, int S, const float *x, const float *h0, const float *c0,
                                 const float *y, const float *dy, const float *dhT, const float *dcT, float *dx,
                                 float *dh0, float *dc0, float *g_w_ih, float *g_w_hh, float *g_b_ih,
                                 float *g_b_hh) {
  /* The shapes were set by the training forward; setting them again keeps the
  ** descriptors right even if another model's call came in between. The reserve
  ** space is untouched (it only grows, and it is already large enough). */
  TW_TRY(set_shapes(l, T, S, CUDNN_FWD_MODE_TRAINING));
  TW_CUDNN_CHECK(cudnnRNNBackwardData_v8(l->handle, l->rnn, l->dev_lengths, l->y_desc, y, dy, l->x_desc, dx,
                                         l->h_desc, h0, dhT, dh0, l->h_desc, c0, dcT, dc0, l->weight_bytes,
                                         l->weights, l->work_cap, l->work, l->reserve_cap, l->reserve));
  TW_CUDA_CHECK(cudaMemsetAsync(l->dweights, 0, l->weight_bytes, l->stream));
  TW_CUDNN_CHECK(cudnnRNNBackwardWeights_v8(l->handle, l->rnn, CUDNN_WGRAD_MODE_ADD, l->dev_lengths, l->x_desc, x,
                                            l->h_desc, h0, l->y_desc, y, l->weight_bytes, l->dweights,
                                            l->work_cap, l->work, l->reserve_cap, l->reserve));
  for (int id = 0; id < LSTM_LINEAR_LAYERS; ++id) {
    float *m, *b;
    const float *pm, *pb;
    TW_TRY(locate(l, l->dweights, id, &m, &b));
    pytorch_chunk(l, id, g_w_ih, g_w_hh, g_b_ih, g_b_hh, &pm, &pb);
    int64_t cols = id < 4 ? l->in : l->hidden;
    TW_TRY(accumulate(l->stream, (float *)pm, m, (int64_t)l->hidden * cols));
    TW_TRY(accumulate(l->stream, (float *)pb, b, l->hidden));
  }
  return TW_OK;
}

#endif /* TW_HAVE_CUDNN */
