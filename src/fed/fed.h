/*
** fed.h: federated training of the neural twin (`twinscale fed train`,
** docs/federated.md).
**
** The world's ranks are grouped into sites in config order (sites[].ranks
** each, or one rank per site); MPI_Comm_split gives each site a communicator
** for its own data-parallel training (train.h's trainer, unchanged) and the
** site leaders (site rank 0) a federation communicator, in which rank s is
** site s and site 0's leader is the federation leader. Each site opens only
** its own files and the shared reference set. A round r:
**   1. the leader sends the global weights (and whether to stop) to every site;
**   2. every site measures the global model's validation loss on its held-out
**      twins, the leader on the reference set (row r of the report);
**   3. the sites sampled for round r (ceil(fraction x sites), Philox keyed by
**      the seed, purpose TW_RNG_FED, counter r) take local_steps optimiser
**      steps from the global weights (FedProx: with its proximal term) and
**      send n_i (w_i - w_global) in fixed point and n_i, n_i their training
**      windows, masked pairwise (secagg.h) unless secure_aggregation is off;
**   4. the leader sums them (mod 2^64: the masks cancel) and moves the global
**      weights by sum_i n_i (w_i - w_global) / sum_i n_i.
** Rounds train.steps / local_steps; a site's AdamW moments stay at the site
** (never sent). Every message between sites is logged (audit.h). Checkpoints
** at round boundaries: each site writes <stem>.<site>.h5 (its weights, which are
** the global ones then, its moments, its next step); SIGINT, SIGTERM and
** SIGUSR1 stop every site after the round in progress, with a checkpoint.
** With privacy.epsilon > 0 every site trains by DP-SGD (train.h:
** tw_train_steps_dp) at sampling rate q = batch.windows / its windows, and
** sits a round out (an update of weight 0) when the round would spend more
** than its budget (rdp.h's ledger); each report carries the epsilon spent.
*/
#ifndef TW_FED_H
#define TW_FED_H

#include "core/config.h"  /* tw_cfg_doc */
#include "fed/fed_config.h"
#include "mpi/dist.h"     /* tw_dist */

TW_EXTERN_C_BEGIN

typedef struct tw_fed_report {
  int n_sites;
  int64_t round0, rounds;     /* resumed at round0; rounds in all */
  int64_t n_rows;             /* rows: one per evaluated round */
  double *rows;               /* (n_rows, tw_fed_row_width): round, global validation loss (reference
                                 set), inter-site bytes of the round, sites sampled, each site's validation
                                 loss, each site's epsilon spent (NaN without DP) */
  int64_t n_params, update_bytes; /* weights; bytes of one site's update message */
  int64_t bytes;              /* all inter-site bytes (as the leader sent and received them) */
  double seconds;
  int signal;                 /* the signal that stopped the run (checkpoints written), 0 if none */
  char backend[320];
} tw_fed_report;

static inline int tw_fed_row_width(int n_sites) { return 4 + 2 * n_sites; }

/* Runs the federation on `world` (every rank calls it). The leader (world
** rank 0) fills `rep` and writes the model file and the JSON report; `resume`
** continues from the sites' checkpoints. */
tw_status tw_fed_run(const tw_dist *world, const tw_fed_config *c, const tw_cfg_doc *doc, int resume,
                     tw_fed_report *rep);
void tw_fed_report_free(tw_fed_report *rep);

TW_EXTERN_C_END

#endif
