/*
** train_internal.h: the trainer's state, shared by the files of src/train
** (private to this folder).
**
** A window is W = context + horizon steps of one twin's series starting at
** `start`: inputs at steps [start, start + W), targets from the states at
** [start + 1, start + W]. Under rollout the inputs after the origin (step
** `context` of the window) are built from the model's own predicted states.
*/
#ifndef TW_TRAIN_INTERNAL_H
#define TW_TRAIN_INTERNAL_H

#include "backend/backend.h"
#include "nn/grt.h"
#include "nn/grt_twin.h"
#include "train/train.h"
#include "train/train_data.h"

typedef struct tw_window {
  int64_t twin;   /* index into the data */
  int64_t start;  /* first step */
} tw_window;

typedef struct tw_window_set {
  int64_t n;
  tw_window *w;
} tw_window_set;

/* Host staging of one group's batch (the device copies are the same when the
** backend is the host). */
typedef struct tw_group_buf {
  int B, W;
  float *x, *target, *mask, *adj;           /* (B,W,N,F), (B,W,N,O), (B,W,N,O), (B,N,N) or (N,N) */
  float *dx, *dtarget, *dmask, *dadj;       /* device */
  double *state;                            /* (B, n_states) rollout state */
  double *pred;                             /* NULL, or (B, W, n_states): the state fed at each step
                                               (true up to the origin, then the model's own) */
  float *y, *dy;                            /* (B, W, N, O) outputs: host, device */
  float *dscratch;                          /* rollout scratch (device) */
} tw_group_buf;

typedef struct tw_trainer {
  const tw_train_config *c;
  const tw_dist *dist;
  tw_backend *be;
  tw_train_data data;
  tw_grt_twin_map map;
  tw_grt_layout lay;
  tw_grt_model model;              /* params on the device */
  float *grads, *m, *v;            /* device: the step's gradient, AdamW's moments */
  float *rows;                     /* device (slots, total): the groups' gradient rows */
  float **row_of;                  /* host (G): group g's row in `rows` (train_loop.c) */
  float *rows_host;                /* host (G, total): a device backend's rows on their way
                                      through MPI; NULL when they need not go */
  int64_t rows_per_rank;           /* rows each rank adds to the device gather (NCCL);
                                      0: the rows go through the host */
  double *group_loss;              /* (G) */
  float *sum;                      /* host (total): the step's gradient, for its norm */
  tw_grt_workspace ws;
  tw_group_buf buf;
  int C, K, W;                     /* context, horizon, window steps */
  int64_t G, group;                /* groups per step, windows per group */
  tw_window_set train, val;
  int64_t epoch_cached;            /* the epoch whose permutation `perm` holds, -1: none */
  int64_t *perm;                   /* (train.n) */
  int64_t step;                    /* the next step to take (0-based) */
  int64_t n_curve;                 /* training curve: one row per validation */
  double *curve;                   /* (n_curve, 3): step, training loss, validation loss */
  double loss, val_loss;
  /* driven from outside (train.h: tw_train_open): */
  char *const *ref_files;          /* the reference set's files (as configured), n_ref of them */
  int n_ref;
  tw_train_data ref;               /* read whole; the scalers are fitted on it */
  tw_window_set ref_val;           /* its windows */
  double prox_mu;                  /* > 0: FedProx's term towards prox_anchor (host) */
  const float *prox_anchor;
  float *prox_host;                /* host (total): the weights, for the proximal term */
  /* DP-SGD (train_dp.c): dp is set while DP steps run; the rest is made on the first */
  const struct tw_train_dp *dp;
  tw_grt_workspace dp_ws;          /* a per-example workspace (TW_GRT_PER_EXAMPLE) */
  float *dp_pe;                    /* device (group, total): a sub-batch's per-example rows */
  float *dp_host;                  /* host (group, total): their copy (== dp_pe on the host) */
  float *dp_sum, *dp_row;          /* host (total): a sub-batch's clipped sum; the group's */
  int64_t *dp_sizes;               /* (layout.count) the tensors' sizes, for the norms */
  uint64_t *dp_ids;                /* (train.n) a group's sampled windows */
  int64_t dp_taken;                /* windows sampled in the step, on every rank */
} tw_trainer;

/* train_windows.c */
tw_status tw_windows_make(const tw_train_data *d, int validation, int W, int64_t stride, tw_window_set *s);
/* The training window at global position `pos` (pos = step * windows + b):
** epoch pos / n, shuffled by a Philox Fisher-Yates permutation of that epoch. */
tw_status tw_windows_at(tw_trainer *t, int64_t pos, tw_window *out);
/* 1 when window b of step `step` is trained under rollout (scheduled share). */
int tw_windows_rollout(const tw_trainer *t, int64_t step, int64_t b);

/* train_batch.c */
tw_status tw_group_buf_create(tw_trainer *t, int B);
void tw_group_buf_destroy(tw_trainer *t);
/* The group's batch from windows w[0..B): teacher-forced, then for those with
** rolled[b] set, the horizon refed from the model's own rollout. Copies to the device. */
tw_status tw_group_fill(tw_trainer *t, const tw_window *w, const int *rolled, int B);


/* train_dp.c: DP-SGD's parts of a step. tw_dp_open makes the buffers (once);
** tw_dp_group_grad replaces group g's gradient row by the clipped sum of its
** sampled windows' gradients and its loss by their loss sum; tw_dp_finish
** turns the summed rows in t->grads into the noised, scaled gradient and sets
** t->loss. */
tw_status tw_dp_open(tw_trainer *t);
void tw_dp_close(tw_trainer *t);
tw_status tw_dp_group_grad(tw_trainer *t, int64_t g);
tw_status tw_dp_finish(tw_trainer *t);

/* train_open.c: the reference set (read, scalers fitted on it; freed) and
** FedProx's term added to t->grads and t->loss. */
tw_status tw_train_ref_read(tw_trainer *t, const tw_cfg_doc *doc);
void tw_train_ref_free(tw_trainer *t);
tw_status tw_train_prox_add(tw_trainer *t);

/* train_file.c: the model file (rank 0), a checkpoint, resuming from one. */
tw_status tw_train_model_write(tw_trainer *t, const char *path, const char *config_text);
tw_status tw_train_ckpt_write(tw_trainer *t, const char *path, const char *config_text);
tw_status tw_train_ckpt_read(tw_trainer *t, const char *path, const char *config_text);

#endif
