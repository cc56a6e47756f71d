/*
** engines.c: the table of engines (engines.h).
*/
#include "run/engine_internal.h"

#include "physio/sim_config.h" /* tw_sim_engine_kind, tw_sim_engine_names */

typedef tw_status (*engine_load_fn)(const tw_cfg_doc *doc, const char *model, const tw_sim_plan *plan,
                                    tw_engine **out);

/* By tw_sim_engine_kind; NULL: the plan's own integrator. */
static const engine_load_fn loaders[] = {
    [TW_SIM_ENGINE_PHYSIO] = NULL,
    [TW_SIM_ENGINE_NEURAL] = tw_neural_engine_load,
};

tw_status tw_engine_load(const tw_cfg_doc *doc, int kind, const char *model, const tw_sim_plan *plan,
                         tw_engine **out) {
  *out = NULL;
  if (kind < 0 || kind >= (int)(sizeof loaders / sizeof loaders[0]))
    return TW_FAIL(TW_ERR_INTERNAL, "engine %d: no such engine", kind);
  return loaders[kind] ? loaders[kind](doc, model, plan, out) : TW_OK;
}

const tw_sim_engine *tw_engine_step(const tw_engine *e) { return e ? &e->step : NULL; }

tw_status tw_engine_attach(tw_engine *e, tw_backend *be) { return e ? e->attach(e, be) : TW_OK; }

void tw_engine_detach(tw_engine *e) {
  if (e) e->detach(e);
}

const char *tw_engine_name(const tw_engine *e) { return e ? e->step.name : tw_sim_engine_names[TW_SIM_ENGINE_PHYSIO]; }

void tw_engine_free(tw_engine *e) {
  if (e) e->destroy(e);
}
