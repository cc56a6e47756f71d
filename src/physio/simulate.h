/*
** simulate.h: running a chunk of twins of a model through a scenario and
** sampling its observables: the engine behind `twinscale simulate`, the
** validation tests and `twinscale bench physio`.
**
** A chunk is a set of twins that is advanced together; the run engine
** (src/run/) loops over a rank's chunks. The chunk is advanced `step` minutes at
** a time, where step divides both the output interval and the CGM sample time,
** and the observables are sampled at t = 0, every, 2 every, ..., duration: each
** the value of the state at that time (as /trajectories/<observable> stores them).
**
** Trajectories stream out in blocks of samples: a chunk is opened, then each
** tw_sim_chunk_next fills the result's trajectory block with the next `block`
** samples, so memory is chunk x block, not chunk x duration. The per-twin
** summaries (mean, min, max over all samples) accumulate across blocks.
**
** With plan.states the block also holds every state variable at each sample
** and every input as the mean rate over [t, t + every) that the integrator
** was given (the input that drives the step from sample t to the next; 0 at
** t = duration, where the run ends). So a block is complete when the chunk has
** advanced through the interval after its last sample: the chunk runs to the
** next block's first sample time and takes that sample at the start of the
** next call (the same states, so the same bits as sampling it at once).
** tw_sim_run_chunk does it all in one block (benchmarks, tests).
**
** Where the chunk runs: on the host through tw_model_advance when the plan has
** no backend, else on the plan's backend through its physiology ops table, with
** the state copied back to the host at each sample.
**
** At every sample (output or sensor) each twin's state is checked against the
** model's floors (tw_pack_floor): a twin at or below one has left the domain
** the model describes; it is flagged TW_TWIN_DOMAIN there, its observables are
** NaN from that sample on, and it is stopped as a failed integration is. The
** check is on the host, on the state the sample sees, so it is the same for
** every engine and backend (on a device the flag is pushed back so the device
** stops the twin too).
**
** Or by another engine (plan.engine: the neural twin, src/run/neural_engine.c)
** that advances the state `interval` minutes at a time in place of the
** integrator. The chunk then steps by that interval, and a sample between two
** step ends (output or sensor) is taken at the state interpolated linearly
** between them (a trial's every-minute glucose from a model of 5-minute
** steps). The engine's inputs are the scenario's minutes of the step with a
** controller's insulin as decided; a decision inside a step changes the
** insulin from its minute on, and the step is taken again from its start. A
** block of samples must end at a step end (tw_sim_block_align).
*/
#ifndef TW_PHYSIO_SIMULATE_H
#define TW_PHYSIO_SIMULATE_H

#include "physio/pack.h"       /* tw_model, tw_integrator_opts */
#include "physio/sensor.h"     /* tw_cgm_spec */
#include "physio/sim_inputs.h" /* tw_sim_inputs */

TW_EXTERN_C_BEGIN

/* An engine that advances twins in place of the model's integrator. */
typedef struct tw_sim_engine {
  const char *name;   /* "neural": for messages */
  int64_t interval;   /* minutes per step; divides the sensor's sample time and the duration */
  void *ctx;
  /* The engine's state for n twins with parameters `params` (n, n_params) row-major. */
  tw_status (*open)(void *ctx, int64_t n, const double *params, void **state);
  /* Advances the batch (on the host) `interval` minutes from minute t: reads
  ** b->x and the minutes of inputs b->u, writes b->x, flags twins that fail.
  ** Called again with the same t (the inputs changed inside the step), it
  ** takes the step again from the same internal state. */
  tw_status (*advance)(void *state, tw_physio_batch *b, int64_t t);
  void (*close)(void *state);
} tw_sim_engine;

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
  int states;                   /* 1 (with record): also every state and input at each sample */
  struct tw_backend *backend;   /* NULL: the host engine (tw_model_advance) */
  /* A controller in the loop (controller.h; needs `cgm`), or NULL. It decides at
  ** every sensor sample and feeds input ctl_insulin_input (U/min), replacing the
  ** scenario's; ctl_meal_input is the announced carbohydrate it sees (g). */
  const struct tw_controller *controller;
  const double *ctl_state;      /* (twins of the process, n_state) starting states */
  int ctl_insulin_input, ctl_meal_input;
  const tw_pump_spec *pump;     /* quantises the controller's actions; NULL: none */
  const tw_sim_engine *engine;  /* NULL: the model's integrator */
} tw_sim_plan;

typedef struct tw_sim_result {
  int64_t n;         /* twins */
  int64_t n_times;   /* duration / every + 1 */
  int n_out;         /* model observables, + 1 for cgm */
  int64_t block;     /* samples the trajectory block holds at most */
  int64_t t0, nt;    /* the block holds samples [t0, t0 + nt) */
  double *traj;      /* (n_out, n, nt) when recorded, else NULL */
  int n_states, n_inputs; /* the model's, when the plan records states, else 0 */
  double *states;    /* (n_states, n, nt) the state at each sample (NaN once failed), or NULL */
  double *inputs;    /* (n_inputs, n, nt) mean input rate over [t, t + every) as applied
                        (with a controller, its insulin); 0 at t = duration; or NULL */
  double *mean, *min, *max; /* (n_out, n) over the sampled times */
  int32_t *flag;     /* (n) tw_twin_flag */
  int64_t *fail_at;  /* (n) start of the step in which the twin failed, or (TW_TWIN_DOMAIN)
                        the sample time at which it was seen at a floor; -1 if none */
  int32_t *floor;    /* (n) TW_TWIN_DOMAIN: the model floor (tw_model.floors) reached, else -1 */
} tw_sim_result;

/* Results of n twins with room for the whole trajectories (one block). */
tw_status tw_sim_result_alloc(const tw_sim_plan *pl, int64_t n, tw_sim_result *r);
/* Results of n twins with a trajectory block of `block` samples (>= 1). */
tw_status tw_sim_result_alloc_block(const tw_sim_plan *pl, int64_t n, int64_t block, tw_sim_result *r);
void tw_sim_result_free(tw_sim_result *r);

/* A chunk being simulated: its arrays, where it runs, how far it has come. */
typedef struct tw_sim_chunk tw_sim_chunk;

/* Twins [twin0, twin0 + n) of the process (index into pl->inputs; global ids
** first_id + i for messages and random streams) with parameters `params`
** (n, n_params) row-major, their results going to `r` (allocated for n twins). */
tw_status tw_sim_chunk_open(const tw_sim_plan *pl, int64_t twin0, uint64_t first_id, int64_t n,
                            const double *params, tw_sim_result *r, tw_sim_chunk **out);
/* The same for the twins at process rows rows[0..n) (ascending, each once; the
** array is copied), global ids inputs->id0 + rows[i]: the twins of one arm of
** a parallel trial within a chunk. Each twin's results are the same bits as
** in a contiguous chunk: twins are independent. */
tw_status tw_sim_chunk_open_rows(const tw_sim_plan *pl, const int64_t *rows, int64_t n, const double *params,
                                 tw_sim_result *r, tw_sim_chunk **out);
/* Simulates up to the next block of samples: afterwards r->traj holds samples
** [r->t0, r->t0 + r->nt); r->nt == 0 once every sample is taken. `tick(arg,
** minutes)` (may be NULL) is called as simulated time passes, with the minutes
** simulated so far; when it returns nonzero the block ends there, short (the
** caller is stopping). Failed twins are flagged in r->flag, not errors. */
tw_status tw_sim_chunk_next(tw_sim_chunk *c, int (*tick)(void *arg, int64_t minutes), void *arg);
void tw_sim_chunk_close(tw_sim_chunk *c);

/* The whole chunk in one call: open, every block, close. `r` must hold whole
** trajectories (tw_sim_result_alloc) when the plan records them. */
tw_status tw_sim_run_chunk(const tw_sim_plan *pl, int64_t twin0, uint64_t first_id, int64_t n,
                           const double *params, tw_sim_result *r);

/* What happened to failed twin i of r, for a warning: "integration failed in
** the step starting at minute 120: the state became NaN or infinite" or "left
** the model's domain at minute 95: plasma glucose fell to 0 mg/dL, ...". */
void tw_sim_failure_text(const tw_sim_plan *pl, const tw_sim_result *r, int64_t i, char *buf, size_t cap);
/* A job names at most this many failed twins one line each and counts the rest
** (a million-twin run must not print a line per twin; all are in /status/flag). */
enum { TW_SIM_WARN_TWINS = 5 };

/* The multiple of samples a block must hold so that it ends at a step end: 1
** unless an engine's steps are longer than the output interval. */
int64_t tw_sim_block_align(const tw_sim_plan *pl);

/* The step (minutes) the chunk advances by between samples: the engine's
** interval, or the largest that divides the output interval and the sensor's. */
int64_t tw_sim_step(const tw_sim_plan *pl);

TW_EXTERN_C_END

#endif
