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

TW_EXTERN_C_END

#endif
