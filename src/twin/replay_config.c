/*
** replay_config.c: the `twin_replay` config kind, the changed therapy of
** `twinscale twin replay` (replay.h; docs/personal-twins.md, "Replay").
*/
#include "twin/replay.h"

#include "physio/controller.h" /* tw_controller_lookup */
#include "physio/pack.h"       /* tw_pack_is_path */
#include "physio/sensor.h"     /* tw_cgm_spec_load */

#include <math.h>   /* floor */
#include <stddef.h> /* offsetof */
#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp */

static const tw_cfg_field controller_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_replay_controller_cfg, name), .default_text = "none",
     .doc = "none, bb, pid, or a controller library (docs/controllers.md): it replaces the recorded boluses and basal"},
    {.key = "params", .type = TW_CFG_MAP, .offset = offsetof(tw_replay_controller_cfg, params),
     .sub = &tw_sim_controller_params_schema, .default_text = "{}", .doc = "pid's gains and target, as in simulate"},
    {.key = "sensor", .type = TW_CFG_STRING, .offset = offsetof(tw_replay_controller_cfg, sensor),
     .default_text = "Dexcom", .doc = "the CGM the controller reads (Dexcom, GuardianRT, Navigator)"},
    {.key = "noise", .type = TW_CFG_BOOL, .offset = offsetof(tw_replay_controller_cfg, noise), .default_text = "false",
     .doc = "sensor noise; false: the sensor reads the twin's bg exactly"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_replay_controller_cfg, seed), .default_text = "1",
     .has_range = 1, .min = 0, .max = 9007199254740992.0, .doc = "the sensor noise's Philox key"},
    {.key = "carb_ratio", .type = TW_CFG_NUMBER, .offset = offsetof(tw_replay_controller_cfg, carb_ratio),
     .default_text = "0", .has_range = 1, .min = 0, .max = 200, .unit = "g/U",
     .doc = "bb: the persons' carbohydrate ratio (0: unknown, bb refuses)"},
    {.key = "correction_factor", .type = TW_CFG_NUMBER,
     .offset = offsetof(tw_replay_controller_cfg, correction_factor), .default_text = "0", .has_range = 1, .min = 0,
     .max = 1000, .unit = "mg/dL/U", .doc = "bb: the persons' correction factor (0: unknown, bb refuses)"},
};
static const tw_cfg_schema controller_schema = TW_CFG_SCHEMA(tw_replay_controller_cfg, controller_fields, NULL);

/* A controller replaces the recorded insulin: no scaling beside it; its name
** (a library's path taken relative to the config's folder, as simulate does)
** and sensor known. */
static tw_status check_controller(const tw_cfg_doc *doc, tw_replay_config *c) {
  tw_replay_controller_cfg *k = &c->controller;
  if (!strcmp(k->name, "none")) return TW_OK;
  if (tw_pack_is_path(k->name)) tw_cfg_resolve(doc, k->name, k->resolved, sizeof k->resolved);
  else snprintf(k->resolved, sizeof k->resolved, "%s", k->name);
  if (c->bolus_scale != 1.0 || c->basal_scale != 1.0 || !c->basal_recorded)
    return tw_cfg_error_at(doc, k->mark, "controller: it takes the place of the recorded boluses and basal: leave "
                           "bolus_scale, basal_scale and basal_u_per_h out");
  const tw_controller *ctl;
  if (tw_controller_lookup(k->resolved, &ctl) != TW_OK)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "controller.name", k->mark), "controller.name: %s",
                           tw_error_message());
  tw_cgm_spec spec;
  if (tw_cgm_spec_load(k->sensor, k->noise, &spec) != TW_OK)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "controller.sensor", k->mark), "controller.sensor: %s",
                           tw_error_message());
  return TW_OK;
}

static tw_status check_replay(const tw_cfg_doc *doc, void *obj) {
  tw_replay_config *c = obj;
  TW_TRY(check_controller(doc, c));
  if (!c->basal_recorded && c->basal_scale != 1.0)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "basal_scale", c->mark),
                           "basal_scale: give basal_scale or basal_u_per_h, not both");
  if (c->n_days == 0) return TW_OK;
  const double a = c->days[0], b = c->days[1];
  if (a != floor(a) || b != floor(b) || a > b)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "days", c->mark),
                           "days: [%g, %g]: two whole days, first <= last (1-based, inclusive)", a, b);
  return TW_OK;
}

static const tw_cfg_field replay_fields[] = {
    {.key = "bolus_scale", .type = TW_CFG_NUMBER, .offset = offsetof(tw_replay_config, bolus_scale),
     .default_text = "1", .has_range = 1, .min = 0, .max = 10, .unit = "1",
     .doc = "every recorded bolus multiplied by this"},
    {.key = "basal_scale", .type = TW_CFG_NUMBER, .offset = offsetof(tw_replay_config, basal_scale),
     .default_text = "1", .has_range = 1, .min = 0, .max = 10, .unit = "1",
     .doc = "every recorded basal rate multiplied by this (the carried rates of uncovered minutes too)"},
    {.key = "basal_u_per_h", .type = TW_CFG_NUMBER, .offset = offsetof(tw_replay_config, basal_u_per_h),
     .default_text = "recorded", .has_range = 1, .min = 0, .max = 50, .unit = "U/h", .keyword = "recorded",
     .keyword_offset = offsetof(tw_replay_config, basal_recorded),
     .doc = "`recorded`, or this basal rate at every minute in place of the recorded ones"},
    {.key = "days", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_replay_config, days),
     .count_offset = offsetof(tw_replay_config, n_days), .has_range = 1, .min = 1, .max = 36500, .min_count = 2,
     .max_count = 2, .unit = "day",
     .doc = "[first, last]: the days replayed, 1-based and inclusive, from each person's first record (default: all)"},
    {.key = "controller", .type = TW_CFG_MAP, .offset = offsetof(tw_replay_config, controller), .sub = &controller_schema,
     .default_text = "{}", .doc = "a controller in the loop in place of the recorded boluses and basal"},
};
const tw_cfg_schema tw_replay_config_schema = TW_CFG_SCHEMA(tw_replay_config, replay_fields, check_replay);
