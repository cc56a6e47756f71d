/*
** gan_train.h: training the conditional GAN (issue 12, item 2): CTGAN 0.10's
** loop (ctgan/synthesizers/ctgan.py, fit) on twinscale's backends, step-based.
**
** Each step s runs `critic_steps` critic updates, then one generator update:
**   critic:    data(s, CRITIC, k) gives real rows, their cond vectors (c2) and the
**              cond vectors of the rows to generate (c1); fake = G(z, c1) (training
**              mode); grads of -(mean D(real|c2) - mean D(fake|c1)) + WGAN-GP; Adam
**   generator: data(s, GENERATOR, 0) gives c1 and the mask of its conditioned
**              column; fake = G(z, c1); grads of -mean D(fake|c1) + _cond_loss; Adam
** Adam is torch.optim.Adam (coupled L2), lr 2e-4, betas (0.5, 0.9), eps 1e-8,
** weight decay 1e-6 for both networks, as CTGAN's defaults.
**
** Randomness (DESIGN.md invariant 2): every draw of step s is Philox with
** purpose TW_RNG_GAN_TRAIN, "twin" = TW_GAN_NET_TWIN | (draw << 8) | kind, draw = s (critic
** steps + 1) + phase index + 1 (z, Gumbel noise, alpha, each dropout layer's
** masks: kinds 1, 2, 3, 8 + l), element r * cols + j of a (rows, cols) draw. The
** data source is a callback deterministic in (seed, step, phase, k). So a
** training run is a function of the seed, the data and the options: the same
** bits for any number of OpenMP threads (tests/gan/test_gan_train.c).
**
** Batch and schedule for small tables (CTGAN takes max(n / 500, 1) steps per
** epoch with batch 500, so n < 500 gets one step per epoch): tw_gan_default_schedule.
*/
#ifndef TW_GAN_TRAIN_H
#define TW_GAN_TRAIN_H

#include "gan/nets.h"

TW_EXTERN_C_BEGIN

typedef enum tw_gan_phase { TW_GAN_PHASE_CRITIC = 0, TW_GAN_PHASE_GENERATOR = 1 } tw_gan_phase;

/* One draw of the data source; host buffers the trainer owns. */
typedef struct tw_gan_batch {
  float *real;      /* (batch, width): encoded real rows; NULL in the generator phase */
  float *real_cond; /* (batch, cond_width): the real rows' cond vectors (CTGAN's c2); NULL there too */
  float *cond;      /* (batch, cond_width): cond vectors of the rows to generate (c1) */
  float *mask;      /* (batch, n_cond_spans): 1 at the conditioned column, else 0 (m1) */
} tw_gan_batch;

/* Fills `out` for step `step` (0-based), phase and critic sub-step k; must be a
** function of (seed, step, phase, k) and the data only. */
typedef tw_status (*tw_gan_data_fn)(void *ctx, uint64_t seed, int64_t step, tw_gan_phase phase, int k,
                                    int64_t batch, const tw_gan_batch *out);

/* The losses of one step, as CTGAN's loss_values (plus the penalty and cond term). */
typedef struct tw_gan_losses {
  float critic;    /* -(mean D(real) - mean D(fake)), the last critic update's */
  float penalty;   /* 10 mean (||grad|| - 1)^2 */
  float generator; /* -mean D(fake) + cond */
  float cond;      /* _cond_loss */
} tw_gan_losses;

typedef struct tw_gan_train_opts {
  int64_t steps;      /* generator updates */
  int64_t batch;      /* rows per update, a positive multiple of pac (CTGAN also wants it even) */
  uint64_t seed;
  int critic_steps;   /* critic updates per generator update (1) */
  double lr_g, lr_d;  /* 2e-4 */
  double beta1, beta2, eps; /* 0.5, 0.9, 1e-8 */
  double wd_g, wd_d;  /* 1e-6 (Adam's coupled L2) */
  /* Called after every step when not NULL; a non-OK return stops training with it. */
  tw_status (*on_step)(void *ctx, int64_t step, const tw_gan_losses *losses);
  void *on_step_ctx;
} tw_gan_train_opts;

/* CTGAN's defaults, with batch and steps from tw_gan_default_schedule(n_rows, pac, 300). */
tw_gan_train_opts tw_gan_train_defaults(int64_t n_rows, int pac, uint64_t seed);

/* The default batch and step count for n_rows real rows and `epochs` epochs:
**   batch = pac * round(n_rows / (2 pac)), clamped to [10 pac, 500] (CTGAN's 500
**           for n >= 1000; smaller tables get smaller batches, so more steps per
**           epoch; at least 10 pac groups for the critic)
**   steps = max(epochs * ceil(n_rows / batch), 3000)
** so a table of 60 rows gets batch 100 and 3000 steps where CTGAN takes 300
** steps of 500 (docs/gan.md, "Networks and training"). */
void tw_gan_default_schedule(int64_t n_rows, int pac, int64_t epochs, int64_t *batch, int64_t *steps);

typedef struct tw_gan_trainer {
  tw_gan_nets *nets;
  tw_gan_ws *ws;
  tw_gan_train_opts opts;
  int64_t step;                      /* generator updates done */
  int64_t critic_updates;            /* critic updates done */
  float *g_grad, *d_grad;            /* device */
  float *g_m, *g_v, *d_m, *d_v;      /* device: Adam's moments */
  float *dev_real, *dev_real_cond, *dev_cond, *dev_mask; /* device copies of a draw */
  tw_gan_batch host;                 /* the draw's host buffers */
  tw_gan_losses *curve;              /* host: opts.steps entries, the loss curves */
  tw_gan_data_fn data_fn;            /* the running tw_gan_train's source */
  void *data_ctx;
} tw_gan_trainer;

/* Networks (initialised from opts.seed) and everything a run needs. */
tw_status tw_gan_trainer_create(tw_backend *be, const tw_gan_layout *lay, const tw_gan_sizes *sz,
                                const tw_gan_train_opts *opts, tw_gan_trainer **out);
void tw_gan_trainer_destroy(tw_gan_trainer *tr);

/* Runs steps until opts.steps are done (or `until`, if smaller and > 0).
** A loss that is NaN or Inf stops it with TW_ERR_NUMERIC naming the step. */
tw_status tw_gan_train(tw_gan_trainer *tr, tw_gan_data_fn data, void *data_ctx, int64_t until);

/* Sampling: n rows of activated generator outputs (n, width), row r from
** z and Gumbel noise of Philox purpose TW_RNG_GAN_SAMPLE, "twin"
** TW_GAN_NET_TWIN | (first_row + r) (so a row does not depend on the batch it is drawn in), the
** generator in evaluation mode. The signature every caller of a generator uses. */
typedef tw_status (*tw_gan_generate_fn)(void *ctx, int64_t n, const float *cond /* (n, cond_width) */,
                                        uint64_t first_row, float *out /* (n, width) activated outputs */);

typedef struct tw_gan_sampler {
  tw_gan_nets *nets; /* not owned */
  tw_gan_ws *ws;
  uint64_t seed;
  uint64_t stride, offset; /* its row l has the noise of candidate l * stride + offset (member `offset` of an
                              ensemble of `stride`; 1, 0 alone) */
  float *dev_cond, *dev_out; /* device staging */
} tw_gan_sampler;

tw_status tw_gan_sampler_create(tw_gan_nets *n, uint64_t seed, tw_gan_sampler **out);
/* Member m of an ensemble of k (tw_gan_ensemble; k = 1, m = 0 is
** tw_gan_sampler_create): stride k, offset m, and forwards of 1/k of the
** rows (rounded up to pac groups), so that the members of an ensemble,
** each given 1/k of a call's candidates, compute about the rows one
** generator would. */
tw_status tw_gan_sampler_create_member(tw_gan_nets *n, uint64_t seed, int k, int m, tw_gan_sampler **out);
void tw_gan_sampler_destroy(tw_gan_sampler *s);
/* A tw_gan_generate_fn; ctx is a tw_gan_sampler. cond and out are host memory. */
tw_status tw_gan_generate(void *ctx, int64_t n, const float *cond, uint64_t first_row, float *out);

/* An ensemble of generators of one layout (K models trained on one cohort
** with other seeds; docs/gan.md, "Training seeds and ensembles"): candidate
** g is member g % K's, computed as that member's row g / K with candidate
** g's own noise (its sampler's stride K and offset g % K). So a candidate
** depends on (seed, g, its cond vector) only, as with one generator; with
** K = 1 the rows are tw_gan_generate's bits; K copies of one model give that
** model's rows up to float rounding (a row sits at another place of a
** product). */
typedef struct tw_gan_ensemble {
  tw_gan_sampler **members; /* (k) not owned; member m made by tw_gan_sampler_create_member(k, m) */
  int k, cond_width, width;
  float *cond, *out; /* host staging of one member's rows of a call */
  int64_t cap;       /* rows the staging holds */
} tw_gan_ensemble;

/* TW_ERR_INTERNAL when a member was not made as member m of k. */
tw_status tw_gan_ensemble_init(tw_gan_ensemble *e, tw_gan_sampler **members, int k);
void tw_gan_ensemble_free(tw_gan_ensemble *e);
/* A tw_gan_generate_fn; ctx is a tw_gan_ensemble. */
tw_status tw_gan_ensemble_generate(void *ctx, int64_t n, const float *cond, uint64_t first_row, float *out);

TW_EXTERN_C_END

#endif
