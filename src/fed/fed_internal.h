/*
** fed_internal.h: the state of a federated run, shared by fed.c (sites,
** messages, rounds) and fed_report.c (the report, the end of a run); private
** to src/fed.
*/
#ifndef TW_FED_INTERNAL_H
#define TW_FED_INTERNAL_H

#include <mpi.h> /* MPI_Comm */

#include "fed/audit.h"
#include "fed/fed.h"
#include "fed/rdp.h"
#include "fed/secagg.h"
#include "train/train.h"

/* Message kinds (MPI tags between site leaders). */
enum { FED_TAG_HELLO = 1, FED_TAG_KEY, FED_TAG_KEYS, FED_TAG_GLOBAL, FED_TAG_REPORT, FED_TAG_UPDATE, FED_N_TAGS };

typedef struct tw_fed {
  const tw_fed_config *c;
  const tw_dist *world;
  int site;                     /* this rank's site */
  int leader;                   /* this rank is its site's rank 0 */
  MPI_Comm site_comm, fed_comm; /* MPI_COMM_NULL where there is none */
  tw_dist site_dist;            /* the site's ranks */
  tw_train_config tc;           /* the site's train config (shares c->train's strings) */
  tw_trainer *tr;
  const char *text;             /* the config text (checkpoints carry it) */
  int64_t n, windows;           /* weights; the site's training windows (its FedAvg weight) */
  int64_t k, R, r0;             /* local steps per round, rounds, the first round of this run */
  float *w_global, *w_local;    /* (n): the global weights; the site's update */
  unsigned char *msg;           /* the global message: header, then the n weights */
  uint64_t *q, *in, *sum;       /* (n + 1): this site's quantised update, one received, their sum */
  int *sampled, *order;         /* (sites) */
  double *site_loss;            /* (sites): the leader's copy of the sites' validation losses */
  tw_secagg sa;
  tw_audit audit;
  int32_t stop, signal;         /* the verdict of the last round: a failed site's status, a signal */
  int failed_site;
  tw_status failed;             /* this site's own failure */
  char failed_msg[1024];
  int secondary;                /* stopped because another site failed */
  int64_t bytes_mark;           /* the leader's inter-site bytes when the last row was taken */
  char ckpt[4096], report_path[4096], audit_path[4096];
  /* DP-SGD (privacy.epsilon > 0; fed.c "differential privacy") */
  int dp;                       /* on */
  tw_train_dp dpp;              /* this site's C, sigma, expected batch, q, seed */
  tw_rdp_ledger ledger;         /* this site's rounds so far */
  int64_t dp_planned;           /* the site's planned steps (the rounds it is sampled for x local steps) */
  int64_t dp_out;               /* the first round the site sat out for want of budget, -1: none */
  double epsilon;               /* spent so far (NaN without DP) */
  double *site_eps;             /* (sites): the leader's copy of every site's */
} tw_fed;

/* fed_report.c */
void tw_fed_keep_failure(tw_fed *f, tw_status st);
/* The leader: round r's row (and its progress line). */
tw_status tw_fed_row(tw_fed *f, int64_t r, double global_loss, tw_fed_report *rep);
/* The status of a run stopped at the top of round r (a signal, a failure). */
tw_status tw_fed_stopped(tw_fed *f, int64_t r, tw_fed_report *rep);
/* The leader at the end: the model file and the JSON report. */
tw_status tw_fed_finish(tw_fed *f, tw_fed_report *rep);

#endif
