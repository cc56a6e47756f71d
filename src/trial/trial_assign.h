/*
** trial_assign.h: randomisation of a parallel trial: permuted blocks within
** strata, with allocation ratios (the scheme of most pharma trials, and of
** R's blockrand / SAS PROC PLAN block designs).
**
** Within each stratum, twins in id order fill blocks of `block` twins; each
** block holds every arm ratio[a] * block / sum(ratios) times, in an order drawn
** by a Fisher-Yates shuffle from Philox keyed by (seed, stratum, block index).
** So the assignment depends on the seed, the strata and the ids only: the
** same for any rank count, chunking or thread count, and a twin added at the
** end of a cohort does not move anyone else. A stratum's last block may be
** incomplete: its twins take the first places of the shuffled block, so arm
** counts differ from the ratios by less than one block per stratum.
*/
#ifndef TW_TRIAL_ASSIGN_H
#define TW_TRIAL_ASSIGN_H

#include <stdint.h>

#include "core/status.h"

TW_EXTERN_C_BEGIN

/* arm_of (n): the arm of every twin. stratum (n): each twin's stratum in
** [0, n_strata), or NULL for one stratum. ratios (n_arms): whole numbers >= 1;
** block: a multiple of their sum. */
tw_status tw_trial_assign(int64_t n, const int32_t *stratum, int32_t n_strata, int n_arms, const int64_t *ratios,
                          int64_t block, uint64_t seed, int32_t *arm_of);

/* The stratum level of value v: the number of cuts <= v (cuts ascending). */
int32_t tw_trial_cut_level(double v, const double *cuts, int n_cuts);

TW_EXTERN_C_END

#endif
