/*
** stats_internal.h: helpers shared by the stats_*.c files of src/trial, not
** part of the library's interface (stats.h is).
*/
#ifndef TW_TRIAL_STATS_INTERNAL_H
#define TW_TRIAL_STATS_INTERNAL_H

#include <stddef.h>

#include "trial/stats.h"

/* TW_ERR_INPUT unless every x[i] (n values) is finite; `what` names the caller. */
tw_status tw_stat_check_finite(const double *x, size_t n, const char *what);

/* TW_ERR_INPUT unless 0 < level < 1. */
tw_status tw_stat_check_level(double level, const char *what);

/* Mean and sample variance (ddof 1; NaN when n < 2) by two passes. */
void tw_stat_mean_var(const double *x, size_t n, double *mean, double *var);

/* Sorts x (n values) ascending in place. */
void tw_stat_sort(double *x, size_t n);

/* Average ranks (1-based) of v (n values), as scipy.stats.rankdata: rank[i] of
** v[i]. *tie_term = sum over tie groups of t^3 - t. Allocates n indices. */
tw_status tw_stat_rank(const double *v, size_t n, double *rank, double *tie_term);

/* The two-sided t p-value and the `level` CI for an estimate with standard
** error se on df degrees of freedom; fills out's t, df, ci, p_value. */
tw_status tw_stat_t_finish(double estimate, double se, double df, double level, tw_stat_ttest *out);

/* Sets every number of a t test to NaN except estimate, with reason est. */
void tw_stat_t_not_estimable(tw_stat_ttest *out, double estimate, tw_stat_est est);

/* One subject of a time-to-event analysis (stats_surv.c, stats_cox.c). */
typedef struct tw_stat_subject {
  double time;
  size_t stratum;
  unsigned char event, x;
} tw_stat_subject;

/* Checks time (finite, >= 0), event (0/1) and x (0/1; NULL: all 0), and returns
** the subjects sorted by (stratum, time) in *out (n records, freed by the
** caller; stratum NULL: one stratum). `what` names the caller in errors. */
tw_status tw_stat_sorted_subjects(const double *time, const unsigned char *event, const unsigned char *x,
                                  const size_t *stratum, size_t n, const char *what, tw_stat_subject **out);

/* The end of the run of sorted subjects from i with the same stratum and time. */
size_t tw_stat_tie_end(const tw_stat_subject *s, size_t i, size_t n);

#endif
