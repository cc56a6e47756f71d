/*
** fed_config.h: the `fed_train` config kind: the neural twin trained by
** federated averaging over sites, each holding its own data (docs/federated.md).
**
**   kind: fed_train
**   train:                     # a `train` config (docs/training.md) shared by every site;
**     pack: t1d                # its data.files are the REFERENCE set: the scalers are fitted
**     data: {files: [ref.h5]}  # on it and the global validation loss is measured on it
**     model: {H: 32, Hr: 32}
**     steps: 300               # local steps every site takes in all (rounds x local_steps)
**     batch: {windows: 16, group: 8}
**   sites:
**     - {name: adults, files: [adults.h5], ranks: 1}
**     - {name: children, files: [children.h5]}
**   federation: {algorithm: fedavg, local_steps: 10, fraction: 1, mu: 0, secure_aggregation: true}
**   privacy: {epsilon: 8, delta: 1e-5, max_grad_norm: 1, noise_multiplier: auto}   # DP-SGD at every site
**   checkpoint: {every: 5, path: fed.ckpt}
**   output: {path: fed-model.h5, report: fed-report.json, audit: fed-audit}
*/
#ifndef TW_FED_CONFIG_H
#define TW_FED_CONFIG_H

#include "core/config.h"        /* tw_cfg_schema */
#include "train/train_config.h" /* tw_train_config */

TW_EXTERN_C_BEGIN

typedef struct tw_fed_site_model {
  tw_cfg_mark mark;
  int64_t H, Hr, L, M;        /* 0: the train section's */
} tw_fed_site_model;

typedef struct tw_fed_site_cfg {
  tw_cfg_mark mark;
  char *name;
  char **files;               /* this site's simulate results (output.states: true) */
  int n_files;
  int64_t ranks;              /* MPI ranks of the site (data parallel within it) */
  tw_fed_site_model model;    /* sizes overridden for this site (must then agree: checked at start) */
} tw_fed_site_cfg;

enum { TW_FED_FEDAVG = 0, TW_FED_FEDPROX = 1 };

typedef struct tw_fed_federation_cfg {
  tw_cfg_mark mark;
  int algorithm;              /* TW_FED_FEDAVG, TW_FED_FEDPROX */
  double mu;                  /* FedProx's proximal weight */
  int64_t local_steps;        /* optimiser steps per site per round */
  double fraction;            /* share of the sites sampled each round (at least one) */
  int secure;                 /* pairwise-masked secure aggregation */
} tw_fed_federation_cfg;

/* DP-SGD at every site (docs/privacy.md): off while epsilon is 0. */
typedef struct tw_fed_privacy_cfg {
  tw_cfg_mark mark;
  double epsilon;             /* each site's budget; 0: no DP */
  double delta;               /* of the (epsilon, delta) guarantee */
  double max_grad_norm;       /* C: each window's gradient clipped to it */
  double noise_multiplier;    /* sigma (when !sigma_auto) */
  int sigma_auto;             /* `auto`: each site's smallest sigma that fits its planned steps in epsilon */
} tw_fed_privacy_cfg;

typedef struct tw_fed_ckpt_cfg {
  tw_cfg_mark mark;
  int64_t every;              /* rounds between checkpoints (0: only on a signal) */
  char *path;                 /* stem: <path>.<site>.h5 per site (default <output.path>.ckpt) */
} tw_fed_ckpt_cfg;

typedef struct tw_fed_output_cfg {
  tw_cfg_mark mark;
  char *path;                 /* the global model file */
  char *report;               /* JSON report (default <path>.json) */
  char *audit;                /* folder of the communication log (default <path>.audit) */
  int payloads;               /* also keep every inter-site message's bytes there */
} tw_fed_output_cfg;

typedef struct tw_fed_config {
  tw_cfg_mark mark;
  tw_train_config train;
  tw_fed_site_cfg *sites;
  int n_sites;
  tw_fed_federation_cfg federation;
  tw_fed_privacy_cfg privacy;
  tw_fed_ckpt_cfg checkpoint;
  tw_fed_output_cfg output;
} tw_fed_config;

extern const tw_cfg_schema tw_fed_config_schema;

TW_EXTERN_C_END

#endif
