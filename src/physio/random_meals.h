/*
** random_meals.h: meals drawn per twin and per day, in the spirit of
** simglucose's RandomScenario.
**
** A slot (breakfast, a snack, ...) is eaten on a day with its probability, at a
** minute of the day drawn from a normal truncated to [time_lo_min, time_hi_min]
** and rounded to the minute, with max(carbs_min_g, N(carbs_mean_g, carbs_sd_g))
** grams. Every draw is one Philox block keyed by (run seed, TW_RNG_SCENARIO,
** twin id, day * TW_MEAL_SLOTS_MAX + slot): a pure function of those, so a
** twin's meals do not depend on chunking, rank count, backend or trial arm, and
** a fill can redraw them wherever it needs them instead of storing them.
*/
#ifndef TW_PHYSIO_RANDOM_MEALS_H
#define TW_PHYSIO_RANDOM_MEALS_H

#include "core/defs.h" /* TW_EXTERN_C_BEGIN, int64_t, uint64_t */

TW_EXTERN_C_BEGIN

enum { TW_MEAL_SLOTS_MAX = 16, TW_MINUTES_PER_DAY = 1440 };

typedef struct tw_meal_slot {
  double probability;                  /* of eating this slot on a given day, [0, 1] */
  double time_mean_min, time_sd_min;   /* minute of the day: normal before truncation */
  int64_t time_lo_min, time_hi_min;    /* truncation bounds, 0 <= lo <= hi < 1440 */
  double carbs_mean_g, carbs_sd_g;     /* normal grams before the floor */
  double carbs_min_g;                  /* floor of the grams */
} tw_meal_slot;

/* simglucose's RandomScenario: breakfast, snack, lunch, snack, dinner, snack. */
extern const tw_meal_slot tw_meal_slots_simglucose[6];

/* The meal of `slot` (index, < TW_MEAL_SLOTS_MAX) of twin `twin_id` on day
** `day` (>= 0): 1 and its minute of the day and grams if eaten, else 0. */
int tw_meal_draw(const tw_meal_slot *sl, uint64_t seed, uint64_t twin_id, int64_t day, int slot,
                 int64_t *minute_of_day, double *carbs_g);

TW_EXTERN_C_END

#endif
