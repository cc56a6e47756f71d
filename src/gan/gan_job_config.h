/*
** gan_job_config.h: the `gan_train` config kind, read by `twinscale gan train
** CONFIG` (issue 12, item 4; every key in docs/gan.md, "Commands"):
**
**   kind: gan_train
**   cohort: cohort.h5                 the training cohort (relative to this file)
**   steps: 0                          generator updates (0: the small-table schedule)
**   batch: 0                          rows per update (0: the schedule's; a multiple of pac)
**   seed: 1
**   network: {embedding: 128, generator: [256, 256], critic: [256, 256], pac: 10}
**   optimizer: {lr_generator: 2e-4, lr_critic: 2e-4, beta1: 0.5, beta2: 0.9,
**               eps: 1e-8, weight_decay: 1e-6}
**   critic_steps: 1
**   threads: 0                        OpenMP threads (0: the default team)
**   backend: auto                     auto (device 0 when a GPU is visible), cpu or cuda
**   combinations: auto                fixed combinations (combo.h): auto (found in the data) or off
**   focus: {condition: NAME=VALUE, share: 0.5}  a share of the draws on one condition (cond.h)
**   checkpoint: {every: 500, path: <output.path>.ckpt}
**   output: {path: gan.h5}
**
** The defaults are CTGAN 0.10's (gan_train.h, nets.h); steps and batch from
** tw_gan_default_schedule for the cohort's size when left at 0.
*/
#ifndef TW_GAN_JOB_CONFIG_H
#define TW_GAN_JOB_CONFIG_H

#include "core/config.h"        /* tw_cfg_schema, tw_cfg_mark */
#include "train/train_config.h" /* tw_train_ckpt_cfg, tw_train_output_cfg: the same keys as train's */

TW_EXTERN_C_BEGIN

typedef struct tw_gan_network_cfg {
  tw_cfg_mark mark;
  int64_t embedding;   /* z width */
  double *generator;   /* residual blocks' widths (whole numbers) */
  int n_generator;
  double *critic;      /* critic's hidden widths (whole numbers) */
  int n_critic;
  int64_t pac;         /* rows per critic group */
} tw_gan_network_cfg;

typedef struct tw_gan_optimizer_cfg {
  tw_cfg_mark mark;
  double lr_generator, lr_critic, beta1, beta2, eps, weight_decay;
} tw_gan_optimizer_cfg;

/* Training focused on one condition (cond.h, tw_gan_cond_focus). */
typedef struct tw_gan_focus_cfg {
  tw_cfg_mark mark;
  char *condition; /* NAME=VALUE, or NULL: CTGAN's draws only */
  double share;    /* of the training draws, in [0, 1) */
} tw_gan_focus_cfg;

typedef struct tw_gan_train_config {
  tw_cfg_mark mark;
  char *cohort;
  int64_t steps, batch, seed, critic_steps, threads;
  int combinations; /* 0 auto, 1 off */
  int backend;      /* 0 auto, 1 cpu, 2 cuda (tw_gan_backend_names) */
  tw_gan_network_cfg network;
  tw_gan_optimizer_cfg optimizer;
  tw_gan_focus_cfg focus;
  tw_train_ckpt_cfg checkpoint;  /* every, path: as `train`'s (NULL path: <output.path>.ckpt) */
  tw_train_output_cfg output;
} tw_gan_train_config;

extern const tw_cfg_schema tw_gan_train_config_schema;

/* The words of the backend key, by its value: "auto", "cpu", "cuda", NULL. */
extern const char *const tw_gan_backend_names[];

TW_EXTERN_C_END

#endif
