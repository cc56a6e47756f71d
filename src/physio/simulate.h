/*
** simulate.h: running a chunk of twins of a model through a scenario and
** sampling its observables: the engine behind `twinscale simulate`, the
** validation tests and `twinscale bench physio`.
**
** A chunk is a set of twins that fits in memory together; the caller (the CLI,
** under MPI) loops over its chunks. The chunk is advanced `step` minutes at a
** time, where step divides both the output interval and the CGM sample time, and
** the observables are sampled at t = 0, every, 2 every, ..., duration: each the
** value of the state at that time (as /trajectories/<observable> stores them).
*/
#ifndef TW_PHYSIO_SIMULATE_H
#define TW_PHYSIO_SIMULATE_H

#include "physio/pack.h"       /* tw_model, tw_integrator_opts */
#include "physio/sensor.h"     /* tw_cgm_spec */
#include "physio/sim_inputs.h" /* tw_sim_inputs */

TW_EXTERN_C_BEGIN

typedef struct tw_sim_plan {
  const tw_model *model;
  tw_dtype dtype;               /* TW_F32 or TW_F64 */
  tw_integrator_opts opts;
  int64_t duration;             /* minutes */
  int64_t every;                /* output interval, minutes; divides duration */
  const tw_sim_inputs *inputs;  /* sized for all the twins of this process */
  const tw_cgm_spec *cgm;       /* NULL: no CGM observable */
  int cgm_source_obs;           /* model observable the sensor measures (bg) */
  uint64_t seed;                /* for sensor noise */
  int record;                   /* 0: keep only the summary (benchmarks) */
} tw_sim_plan;

typedef struct tw_sim_result {
  int64_t n;         /* twins */
  int64_t n_times;   /* duration / every + 1 */
  int n_out;         /* model observables, + 1 for cgm */
  double *traj;      /* (n_out, n, n_times) when recorded, else NULL */
  double *mean, *min, *max; /* (n_out, n) over the sampled times */
  int32_t *flag;     /* (n) tw_twin_flag */
  int64_t *fail_at;  /* (n) start of the step in which the twin failed, -1 if none */
} tw_sim_result;

tw_status tw_sim_result_alloc(const tw_sim_plan *pl, int64_t n, tw_sim_result *r);
void tw_sim_result_free(tw_sim_result *r);

/* Runs twins [twin0, twin0 + n) of the process (index into pl->inputs; global
** ids first_id + i for messages and random streams) with parameters `params`
** (n, n_params) row-major. Failed twins are flagged in r->flag, not errors. */
tw_status tw_sim_run_chunk(const tw_sim_plan *pl, int64_t twin0, uint64_t first_id, int64_t n,
                           const double *params, tw_sim_result *r);

/* The step (minutes) the chunk advances by between samples. */
int64_t tw_sim_step(const tw_sim_plan *pl);

TW_EXTERN_C_END

#endif
