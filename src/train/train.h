/*
** train.h: training the neural twin on simulated trajectories
** (`twinscale train`; docs/training.md).
**
** Every rank reads the data and holds the same model. An optimiser step takes
** `batch.windows` windows in `batch.group`-window groups; the ranks split the
** groups, each group's gradient is computed whole by one rank, all groups'
** gradients are gathered and summed in group order on every rank: the sum,
** hence every weight after every step, is the same bits for any rank count
** and thread count. AdamW then runs on every rank on the same numbers.
*/
#ifndef TW_TRAIN_H
#define TW_TRAIN_H

#include "core/config.h"        /* tw_cfg_doc */
#include "mpi/dist.h"           /* tw_dist */
#include "train/dp_sgd.h"       /* tw_dp_sgd */
#include "train/train_config.h" /* tw_train_config */

TW_EXTERN_C_BEGIN

typedef struct tw_train_report {
  char backend[320];
  int64_t step0, steps;          /* resumed at step0; the last step done + 1 */
  int64_t n_train, n_val, n_windows, n_failed; /* twins, training windows, twins left out */
  double loss, val_loss;         /* of the last step and the last validation */
  double seconds, twin_steps_per_s; /* training steps only (forward, backward, optimiser) */
  int signal;                    /* the signal that stopped training (checkpoint written), 0 if none */
  char checkpoint[4096];         /* where the last checkpoint went, "" if none */
} tw_train_report;

/* Trains per the config; `resume` continues from the checkpoint. The model
** file is written (rank 0) when every step is done; a signal (SIGINT, SIGTERM,
** SIGUSR1) ends the current step, writes a checkpoint and returns
** TW_ERR_INTERRUPTED with rep->signal set. */
tw_status tw_train_run(const tw_dist *dist, const tw_train_config *c, const tw_cfg_doc *doc, int resume,
                       tw_train_report *rep);

/* ---- a trainer driven from outside, step by step (federated training, src/fed) ----
**
** tw_train_open reads c's data and builds the model (initial weights from the
** seed) without training; on `dist` (a site's communicator) the ranks split
** each step's groups as tw_train_run's do. With n_ref > 0, ref_files (paths as
** written in the config, resolved against doc) are a reference set read whole:
** the scalers are fitted on its twins instead of on c's training twins (so that
** trainers on different data share one input scaling and one model size), and
** tw_train_loss(t, 1, ...) is the teacher-forced loss on its windows. */
typedef struct tw_trainer tw_trainer;
tw_status tw_train_open(const tw_dist *dist, const tw_train_config *c, const tw_cfg_doc *doc, char *const *ref_files,
                        int n_ref, tw_trainer **out);
void tw_train_close(tw_trainer *t);
/* Model sizes: sizes[0..7] = N, F, H, Hr, L, M, O and the number of weights. */
void tw_train_sizes(const tw_trainer *t, int64_t sizes[8]);
/* Training windows (an epoch): the weight of this trainer's data. */
int64_t tw_train_windows(const tw_trainer *t);
/* The backend the trainer runs on ("cpu (...)"). */
const char *tw_train_backend(const tw_trainer *t);
/* The weights (sizes[7] floats, host memory) out of and into the model. */
tw_status tw_train_params_get(tw_trainer *t, float *host);
tw_status tw_train_params_set(tw_trainer *t, const float *host);
/* Takes optimiser steps [from, to) of the schedule (c->steps long): their
** windows, learning rates and AdamW moments as tw_train_run's. With mu > 0 the
** proximal term mu/2 ||w - anchor||^2 is added to each step's loss and
** mu (w - anchor) to its gradient before clipping (FedProx); anchor: sizes[7]
** floats, host. *loss: the last step's loss, the proximal term included. */
tw_status tw_train_steps(tw_trainer *t, int64_t from, int64_t to, double mu, const float *anchor, double *loss);
/* DP-SGD (Abadi et al. 2016, as Opacus' DPOptimizer; docs/privacy.md): steps
** [from, to) as tw_train_steps, but each step's batch is a Poisson sample of
** the training windows at rate q (window i taken when tw_dp_poisson_take(seed,
** step, i, q)), each window's own gradient (tw_grt_per_example_backward) is
** clipped to sgd.max_grad_norm, the clipped sum noised with N(0, (sigma C)^2)
** per weight (Philox, TW_RNG_DP_NOISE, keyed by seed and step) and divided by
** sgd.expected_batch; then the proximal gradient (mu > 0, data-free) and AdamW,
** with no further clipping. The sampled windows are processed in the G groups
** of contiguous window indices, split over the ranks and summed in group
** order, so the step is the same bits for any rank count. *loss: the last
** step's mean window loss (NaN when none was sampled). */
typedef struct tw_train_dp {
  tw_dp_sgd sgd;              /* C, sigma, E */
  double q;                   /* sampling rate, (0, 1] */
  uint64_t seed;              /* keys the sampling and the noise */
} tw_train_dp;
tw_status tw_train_steps_dp(tw_trainer *t, int64_t from, int64_t to, const tw_train_dp *dp, double mu,
                            const float *anchor, double *loss);
/* The teacher-forced loss of the current weights on up to 1,024 windows: of
** the held-out twins of c's data (ref 0; NaN when none are held out) or of the
** reference set (ref 1). */
tw_status tw_train_loss(tw_trainer *t, int ref, double *loss);
/* The trainer's state (weights, AdamW moments, the next step: after
** tw_train_steps(t, from, to, ...), `to`) as a checkpoint (train_file.c's
** layout), or with optimizer 0 the model file alone; and back from a
** checkpoint, *step receiving its next step. */
tw_status tw_train_save(tw_trainer *t, const char *path, const char *config_text, int optimizer);
tw_status tw_train_load(tw_trainer *t, const char *path, const char *config_text, int64_t *step);

TW_EXTERN_C_END

#endif
