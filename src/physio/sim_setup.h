/*
** sim_setup.h: from a bound `simulate` config to what the engine runs: the
** model (packs and couplings), every twin's name and parameters, the per-minute
** inputs of the scenario, the devices, and the plan (simulate.h).
**
** What each pack needs from the config is read from its declaration
** (twinscale/pack.h); setup names no pack. Errors here still point into the config (file:line:col of the patient name,
** the pack, the table) or into the table (file:line:col of the cell).
*/
#ifndef TW_PHYSIO_SIM_SETUP_H
#define TW_PHYSIO_SIM_SETUP_H

#include "physio/sim_config.h" /* tw_sim_config */
#include "physio/simulate.h"   /* tw_sim_plan */

TW_EXTERN_C_BEGIN

typedef struct tw_sim_setup {
  tw_model model;
  int64_t n_twins;       /* the twins set up: the config's [id0, id0 + n_twins) */
  int64_t id0, n_total;  /* global id of the first; the config's twin count */
  char **names;          /* (n_twins) */
  double *params;        /* (n_twins, model.n_params) */
  tw_sim_inputs inputs;  /* the twins set up (inputs.id0 = id0) */
  tw_cgm_spec *cgm;      /* NULL: no sensor */
  tw_pump_spec *pump;    /* NULL: no pump */
  double *ctl_state;     /* (n_twins, controller n_state) when a controller runs */
  tw_sim_plan plan;
  char **out_names;      /* (plan n_out) observable names as written: "bg", "cgm", "pbpk.c_liver" */
  char **out_units;
  int *out_headline;     /* (n_out) 1: summarised on the terminal (the packs' headline
                            observables, and cgm) */
  int n_out;
  /* With output.states: names and units as written under /states and /inputs
  ** ("Gp", or "<pack>.<name>" when packs are joined), else NULL. */
  char **state_names, **state_units; /* (model.n_states) */
  char **input_names, **input_units; /* (model.n_inputs) */
} tw_sim_setup;

/* Every twin of the config (id0 0, n_twins = n_total). */
tw_status tw_sim_setup_build(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s);
/* The twins [id0, id0 + n) of the config only (clipped to the n_total there
** are; n < 0: to the end): a trial chunk's twins. Row i is twin id0 + i: names,
** parameters, inputs.base and the controller's states of those twins, read from
** a cohort file by rows; random meals and sensor noise keyed by the global id
** as in the whole setup, and every check and message the same for those twins
** (rows and twins named by global id). */
tw_status tw_sim_setup_build_range(const tw_sim_config *c, const tw_cfg_doc *doc, int64_t id0, int64_t n,
                                   tw_sim_setup *s);
void tw_sim_setup_free(tw_sim_setup *s);

TW_EXTERN_C_END

#endif
