/*
** nets.h: the conditional GAN's two networks (issue 12, item 2), CTGAN 0.10's
** architecture (ctgan/synthesizers/ctgan.py) on twinscale's backends.
**
** Generator, input [z (embedding, N(0,1)) | cond (cond_width)]:
**   h_0 = [z | cond];  h_k = [relu(BN_k(h_{k-1} W_k^T + b_k)) | h_{k-1}]   k = 1..K (CTGAN's Residual)
**   raw = h_K W_out^T + b_out   (rows, width);  out = tanh / Gumbel-softmax per span (tau 0.2)
** BatchNorm1d (eps 1e-5, momentum 0.1) uses batch statistics and updates its
** running statistics when training, and the running statistics when sampling
** (CTGAN samples in training mode, a bug the issue names; this does not).
** Critic (PacGAN): rows [out | cond] grouped pac at a time into (rows/pac, P),
** P = pac (width + cond_width);  h_l = dropout(leaky_0.2(h_{l-1} W_l^T + b_l))
** for each critic width, then one Linear to 1.
**
** Parameters live in one float buffer per network, tensor after tensor in
** PyTorch's parameters() order, each in its PyTorch shape, named as CTGAN's
** state_dict keys (so a model file needs no conversion code):
**   generator: seq.{k}.fc.weight (o_k, in_k), seq.{k}.fc.bias, seq.{k}.bn.weight,
**              seq.{k}.bn.bias (o_k) per block; seq.{K}.weight (width, D), seq.{K}.bias
**   running statistics (their own buffer): seq.{k}.bn.running_mean, running_var (o_k)
**   critic:    seq.{3l}.weight (d_{l+1}, d_l), seq.{3l}.bias for l = 0..L
** Inside, a generator batch keeps its h_K as one (rows, D) matrix
** [o_K | ... | o_1 | z | cond], so every h_k is a view of it (the concatenation
** costs nothing), and the gradient of every o_k accumulates in the same layout.
**
** Every pointer named "device" lives on the backend's device. Functions return
** TW_ERR_INPUT for bad sizes, TW_ERR_UNSUPPORTED on a backend without GAN kernels.
*/
#ifndef TW_GAN_NETS_H
#define TW_GAN_NETS_H

#include "backend/backend.h" /* tw_backend */
#include "core/status.h"     /* tw_status */
#include "gan/layout.h"      /* tw_gan_layout */

TW_EXTERN_C_BEGIN

/* The networks' Philox streams (purposes TW_RNG_GAN_TRAIN and TW_RNG_GAN_SAMPLE)
** have this bit set in their "twin" id; the data side's streams of the same
** purposes (condition vectors: twin = step; the transformer: twin = row) have
** it clear, so the two never share a block. */
#define TW_GAN_NET_TWIN (UINT64_C(1) << 63)

enum {
  TW_GAN_MAX_LAYERS = 8,
  TW_GAN_MAX_WIDTH = 1024, /* a hidden layer's width, at most */
  TW_GAN_MAX_TENSORS = 4 * TW_GAN_MAX_LAYERS + 2,
  TW_GAN_NAME_CAP = 32
};

/* Sizes and hyper-parameters of the networks (CTGAN's constructor arguments). */
typedef struct tw_gan_sizes {
  int embedding;                /* z width (128) */
  int n_gen, gen[TW_GAN_MAX_LAYERS]; /* residual blocks' widths ((256, 256)) */
  int n_dis, dis[TW_GAN_MAX_LAYERS]; /* critic's hidden widths ((256, 256)) */
  int pac;                      /* rows per critic group (10) */
  int width, cond_width;        /* the encoded row's and the cond vector's (the layout's) */
} tw_gan_sizes;

/* CTGAN 0.10's defaults for a layout's widths. */
tw_gan_sizes tw_gan_sizes_default(int width, int cond_width);

/* One tensor of a parameter buffer. */
typedef struct tw_gan_tensor {
  char name[TW_GAN_NAME_CAP]; /* state_dict key without the network's prefix */
  int rank;                   /* 1 or 2 */
  int64_t dims[2];
  int64_t offset, numel;      /* in floats */
} tw_gan_tensor;

typedef struct tw_gan_tensors {
  int count;
  tw_gan_tensor t[TW_GAN_MAX_TENSORS];
  int64_t total; /* floats */
} tw_gan_tensors;

/* Where each tensor sits, and the generator's matrix widths. */
typedef struct tw_gan_map {
  tw_gan_tensors gen, stats, dis;
  int64_t fc_w[TW_GAN_MAX_LAYERS], fc_b[TW_GAN_MAX_LAYERS], bn_w[TW_GAN_MAX_LAYERS], bn_b[TW_GAN_MAX_LAYERS];
  int64_t out_w, out_b;
  int64_t run_mean[TW_GAN_MAX_LAYERS], run_var[TW_GAN_MAX_LAYERS];
  int64_t dis_w[TW_GAN_MAX_LAYERS + 1], dis_b[TW_GAN_MAX_LAYERS + 1];
  int hidden;   /* S = sum of gen[]: the o_k columns of h_K */
  int gen_cols; /* D = S + embedding + cond_width */
  int pac_cols; /* P = pac (width + cond_width) */
} tw_gan_map;

/* The networks on one backend. */
typedef struct tw_gan_nets {
  tw_backend *be;
  tw_gan_sizes sz;
  tw_gan_map map;
  float *g, *d;       /* device: generator and critic parameters */
  float *stats;       /* device: BatchNorm running means and variances */
  int64_t bn_batches; /* BatchNorm's num_batches_tracked (the same for every block) */
  int n_spans, n_cond;
  tw_gan_span *spans; /* device: the layout's spans */
  int *cond_span;     /* device: the layout's cond_span */
  tw_gan_span *host_spans;
  int *host_cond_span;
  float bn_eps, bn_momentum, leaky_slope, dropout, tau; /* 1e-5, 0.1, 0.2, 0.5, 0.2 */
} tw_gan_nets;

/* Checks sizes against the layout (widths agree, spans tile the row, cond spans
** are SOFTMAX spans whose widths add up to cond_width) and fills the map. */
tw_status tw_gan_map_make(const tw_gan_layout *lay, const tw_gan_sizes *sz, tw_gan_map *map);

/* Allocates the networks on `be` for a layout and sizes, parameters drawn as
** PyTorch's Linear default (U(-1/sqrt(in), 1/sqrt(in)) for weight and bias;
** from Philox, purpose TW_RNG_GAN_TRAIN, twin = TW_GAN_NET_TWIN | tensor index),
** BatchNorm's weight 1, bias 0, running mean 0, variance 1. */
tw_status tw_gan_nets_create(tw_backend *be, const tw_gan_layout *lay, const tw_gan_sizes *sz, uint64_t seed,
                             tw_gan_nets **out);
void tw_gan_nets_destroy(tw_gan_nets *n);

/* Buffers of one batch of at most `rows` rows (a multiple of pac); all device. */
typedef struct tw_gan_ws {
  int64_t rows;
  float *x;       /* (rows, D): [o_K | ... | o_1 | z | cond]; the caller writes z and cond */
  float *gumbel;  /* (rows, width): the Gumbel noise of SOFTMAX spans; the caller writes it */
  float *raw;     /* (rows, width): the generator's last Linear */
  float *f[TW_GAN_MAX_LAYERS], *mean[TW_GAN_MAX_LAYERS], *invstd[TW_GAN_MAX_LAYERS];
  float *dx, *df, *draw, *loss_rows;
  float *cin;     /* (3 rows/pac, P): critic inputs [real; fake; interpolates] */
  float *mask[TW_GAN_MAX_LAYERS]; /* (3 rows/pac, dis[l]): dropout masks, 0 or 1/(1-p); caller writes */
  float *alpha;   /* (rows/pac): interpolation weights; caller writes */
  float *a[TW_GAN_MAX_LAYERS], *h[TW_GAN_MAX_LAYERS], *da[TW_GAN_MAX_LAYERS];
  float *cout, *dout, *dh, *dcin, *gx, *dgx, *t0, *t1, *terms;
  float *host_dout; /* host copy of dout's coefficients */
  void *block;      /* the one device allocation the above are cut from */
} tw_gan_ws;

tw_status tw_gan_ws_create(const tw_gan_nets *n, int64_t rows, tw_gan_ws **out);
void tw_gan_ws_destroy(const tw_gan_nets *n, tw_gan_ws *ws);

/* Generator forward over `rows` rows from ws->x's z and cond columns and
** ws->gumbel: fills ws->x's hidden columns, ws->raw, and out (rows, width +
** cond_width) = [activated | cond]. train: batch statistics, running statistics
** updated, bn_batches counted; else the running statistics. */
tw_status tw_gan_gen_forward(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, int train, float *out);

/* Generator backward after a training forward: from dout (rows, width; ld
** width + cond_width), the gradient reaching the activated outputs, and,
** when cmask (rows, n_cond) is given, CTGAN's cross-entropy on the conditioned
** spans (scale 1/rows, added to the loss); writes grads (the generator's
** layout, zeroed first) and *cond_loss (0 without cmask). */
tw_status tw_gan_gen_backward(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, const float *out, const float *dout,
                              const float *cmask, float *grads, double *cond_loss);

/* Critic forward over groups [g0, g0 + groups) of ws (their masks, a, h and
** cout rows) from in (groups, P): cout (groups) the scores. */
tw_status tw_gan_critic_forward(tw_gan_nets *n, tw_gan_ws *ws, int64_t g0, int64_t groups, const float *in);

/* Critic backward over the same rows (their input `in` again) from
** ws->dout[g0..]: ws->da kept; weight gradients added to grads when not NULL;
** the input gradient into dx (groups, P) when not NULL. */
tw_status tw_gan_critic_backward(tw_gan_nets *n, tw_gan_ws *ws, int64_t g0, int64_t groups, const float *in,
                                 float *grads, float *dx);

/* One critic step's gradients (WGAN-GP, CTGAN's calc_gradient_penalty):
** ws->cin rows [0, G) real, [G, 2G) fake (G = rows/pac), ws->mask, ws->alpha
** filled by the caller. Interpolates into rows [2G, 3G), runs the critic on all
** 3G, writes grads (zeroed first) = d/dW of
**   loss_d = -(mean D(real) - mean D(fake))  and  pen = 10 mean_g (||dD/dx_g|| - 1)^2
** (the penalty's gradient through the double backward of Linear, LeakyReLU and
** Dropout), and both losses. */
tw_status tw_gan_critic_grads(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, float *grads, double *loss_d,
                              double *pen);

/* The generator's loss gradient reaching its outputs: the critic on `fake`
** ((rows, width + cond_width), masks ws->mask rows [0, G)), dout = -1/G; writes
** ws->dcin (the gradient of -mean D(fake) w.r.t. fake) and *loss = -mean D. */
tw_status tw_gan_critic_fake_grad(tw_gan_nets *n, tw_gan_ws *ws, int64_t rows, const float *fake, double *loss);

TW_EXTERN_C_END

#endif
