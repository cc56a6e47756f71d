/*
** grt_twin.h: a pack's twin as GRT node features, and back (docs/training.md).
**
** The GRT sees a twin as its pack's organ graph: N nodes, each fed per step
**   [ its state variables, scaled  (S slots: the most any node has; empty ones 0)
**   | every input, scaled          (U: meal, insulin, doses, as rates)
**   | the static parameters used, scaled (P: those that vary over the training twins)
**   | the node's one-hot           (N) ]                       F = S + U + P + N
** and predicts per node the scaled change of its state variables over one
** step, O = S:  y[v, j] = (x_{t+1} - x_t)[state at (v, j)] / dx_scale.
** Scalers are fitted on the training twins and stored in the model file:
**   state:  (x - x_center) / x_scale       mean and standard deviation
**   change: dx / dx_scale                  root mean square of the one-step change
**   input:  u / u_scale                    root mean square
**   param:  (log p - center) / scale       log where every training value is > 0
** A scale of 0 (a constant) becomes 1. The adjacency is the pack's organ graph,
** row v holding v's in-neighbour weights (per twin when an edge's weight is a
** parameter).
**
** Nothing here names a pack: what a node holds comes from the pack's tables.
*/
#ifndef TW_GRT_TWIN_H
#define TW_GRT_TWIN_H

#include "core/status.h"    /* tw_status */
#include "twinscale/pack.h" /* tw_pack: states, nodes, edges */

TW_EXTERN_C_BEGIN

typedef struct tw_grt_twin_map {
  const tw_pack *pack;
  int n_states, n_inputs, n_params;   /* the pack's */
  int N, S, U, P, F, O;
  int slot[TW_PACK_MAX_STATES];       /* state k sits at node slot[k] / S, slot slot[k] % S */
  int param[TW_PACK_MAX_PARAMS];      /* feature parameter j is pack parameter param[j] (P) */
  int p_log[TW_PACK_MAX_PARAMS];      /* (P) 1: scaled in log space */
  double x_center[TW_PACK_MAX_STATES], x_scale[TW_PACK_MAX_STATES], dx_scale[TW_PACK_MAX_STATES];
  double u_scale[TW_PACK_MAX_INPUTS];
  double p_center[TW_PACK_MAX_PARAMS], p_scale[TW_PACK_MAX_PARAMS];
  int adj_per_twin;                   /* 1: some edge's weight is a parameter */
} tw_grt_twin_map;

/* The map's structure for `pack` (slots, sizes; scalers 0, nothing used): every
** state must belong to an organ node, else TW_ERR_INPUT naming it. */
tw_status tw_grt_twin_map_init(const tw_pack *pack, tw_grt_twin_map *m);

/* Scaler statistics over many twins, in double, accumulated twin by twin in a
** fixed order (so a fit is the same for any thread count). */
typedef struct tw_grt_twin_stats {
  double n_steps, n_changes, n_twins;
  double x_sum[TW_PACK_MAX_STATES], x_sq[TW_PACK_MAX_STATES], dx_sq[TW_PACK_MAX_STATES];
  double u_sq[TW_PACK_MAX_INPUTS];
  double p_min[TW_PACK_MAX_PARAMS], p_max[TW_PACK_MAX_PARAMS], p_sum[TW_PACK_MAX_PARAMS], p_sq[TW_PACK_MAX_PARAMS];
  double plog_sum[TW_PACK_MAX_PARAMS], plog_sq[TW_PACK_MAX_PARAMS];
} tw_grt_twin_stats;

void tw_grt_twin_stats_init(tw_grt_twin_stats *s);
/* Adds one twin's series: states xs (T, n_states), inputs us (T, n_inputs), params p (n_params). */
void tw_grt_twin_stats_add(const tw_grt_twin_map *m, tw_grt_twin_stats *s, int64_t T, const float *xs,
                           const float *us, const double *p);
/* The scalers from the statistics, and the parameters used (those not constant). */
void tw_grt_twin_map_fit(tw_grt_twin_map *m, const tw_grt_twin_stats *s);

/* One node-feature row set for one step: state x (n_states, double), inputs u
** (n_inputs), params p (n_params) into out (N, F). */
void tw_grt_twin_features(const tw_grt_twin_map *m, const double *x, const float *u, const double *p, float *out);
/* The teacher-forced features (T, N, F) of steps [0, T) of a series xs (>= T+1
** states, n_states each), us (>= T), and the targets (T, N, O) and mask (T, N, O)
** of the one-step changes. target or mask may be NULL. */
void tw_grt_twin_window(const tw_grt_twin_map *m, int T, const float *xs, const float *us, const double *p,
                        float *x, float *target, float *mask);
/* x += the change the model's output y (N, O) predicts, unscaled. */
void tw_grt_twin_advance(const tw_grt_twin_map *m, const float *y, double *x);
/* The adjacency (N, N) of a twin with parameters p (row v: v's in-neighbours). */
void tw_grt_twin_adjacency(const tw_grt_twin_map *m, const double *p, float *adj);

TW_EXTERN_C_END

#endif
