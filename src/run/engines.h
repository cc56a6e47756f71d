/*
** engines.h: what advances the twins of a `simulate` or a `trial`, as the
** config's `engine:` key names it (docs/simulate.md "Engines"):
**
**   physio   the pack's equations, integrated (physio/simulate.h): no object here;
**   neural   a learned twin (`model:`, a `twinscale train` file) rolled out
**            autoregressively on the run's backend, one model step at a time
**            (neural_engine.c).
**
** Engines are a table indexed by tw_sim_engine_kind (engines.c); a job loads
** the config's engine before any work (every check that needs only the config,
** the model file and the plan: messages at the config's file:line), puts its
** step into its plans, attaches it to the run's backend once the run has one,
** and frees it at the end.
*/
#ifndef TW_RUN_ENGINES_H
#define TW_RUN_ENGINES_H

#include "backend/backend.h"  /* tw_backend */
#include "core/config.h"      /* tw_cfg_doc */
#include "physio/simulate.h"  /* tw_sim_plan, tw_sim_engine */

TW_EXTERN_C_BEGIN

typedef struct tw_engine tw_engine;

/* The engine `kind` (tw_sim_engine_kind) with model file `model` (as written in
** the config: relative to it) for runs of `plan` (model, duration, output
** interval, sensor, states). *out is NULL for physio. */
tw_status tw_engine_load(const tw_cfg_doc *doc, int kind, const char *model, const tw_sim_plan *plan,
                         tw_engine **out);
/* What a plan runs (plan.engine): NULL for physio. Usable once attached. */
const tw_sim_engine *tw_engine_step(const tw_engine *e);
/* Onto the run's backend (once). Nothing for NULL. */
tw_status tw_engine_attach(tw_engine *e, tw_backend *be);
/* Off the backend: what attach put there is freed. Jobs call it in their close,
** before the run closes the backend. Nothing for NULL. */
void tw_engine_detach(tw_engine *e);
/* What advances the twins, for the results file's `engine` attribute. */
const char *tw_engine_name(const tw_engine *e);
void tw_engine_free(tw_engine *e);

TW_EXTERN_C_END

#endif
