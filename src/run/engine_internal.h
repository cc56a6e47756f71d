/*
** engine_internal.h: an engine as the table in engines.c sees it (src/run only).
*/
#ifndef TW_RUN_ENGINE_INTERNAL_H
#define TW_RUN_ENGINE_INTERNAL_H

#include "run/engines.h"

struct tw_engine {
  tw_sim_engine step;                                  /* what the plans run */
  tw_status (*attach)(tw_engine *e, tw_backend *be);   /* weights onto the run's backend */
  void (*detach)(tw_engine *e);                        /* and off it, before it closes */
  void (*destroy)(tw_engine *e);
};

/* neural_engine.c */
tw_status tw_neural_engine_load(const tw_cfg_doc *doc, const char *model, const tw_sim_plan *plan, tw_engine **out);

#endif
