/*
** replay_config.c: the `twin_replay` config kind, the changed therapy of
** `twinscale twin replay` (replay.h; docs/personal-twins.md, "Replay").
*/
#include "twin/replay.h"

#include <math.h>   /* floor */
#include <stddef.h> /* offsetof */

static tw_status check_replay(const tw_cfg_doc *doc, void *obj) {
  const tw_replay_config *c = obj;
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
};
const tw_cfg_schema tw_replay_config_schema = TW_CFG_SCHEMA(tw_replay_config, replay_fields, check_replay);
