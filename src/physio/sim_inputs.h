/*
** sim_inputs.h: a scenario turned into per-minute model inputs.
**
** Inputs are piecewise constant per minute. A scenario is a per-twin constant
** rate for some inputs (the basal insulin, which differs by patient) plus events
** shared by all twins: an event adds `per_minute` to one input during the
** minutes [t0, t1) (a meal: its grams at minute t; a bolus of u units: u U/min
** during [t, t+1); an infusion: its rate over its duration). The event sums are
** tabulated per minute once, so filling a chunk's inputs is a copy and an add.
**
** Random meals (random_meals.h) differ by twin, so they cannot be tabulated for
** a million twins: the fill redraws, for each twin, the meals of the slots whose
** window meets the minutes it writes (a Philox block each, no storage), and adds
** them to the meal input.
*/
#ifndef TW_PHYSIO_SIM_INPUTS_H
#define TW_PHYSIO_SIM_INPUTS_H

#include "core/status.h" /* tw_status */
#include "core/tensor.h" /* tw_dtype */
#include "physio/random_meals.h" /* tw_meal_slot */

TW_EXTERN_C_BEGIN

typedef struct tw_sim_inputs {
  int n_inputs;
  int64_t duration;  /* minutes */
  int64_t n_twins;
  double *events;    /* (duration, n_inputs): sum of the events active at each minute */
  double *base;      /* (n_inputs, n_twins): per-twin constant rates */
  /* Random meals: n_meal_slots > 0 adds them to input meal_input (g at the minute
  ** eaten), drawn with meal_seed for global twin id id0 + row. */
  int n_meal_slots;
  tw_meal_slot meal_slots[TW_MEAL_SLOTS_MAX];
  int meal_input;
  uint64_t meal_seed;
  uint64_t id0;      /* global twin id of row 0 (0 when the process holds every twin) */
} tw_sim_inputs;

tw_status tw_sim_inputs_init(tw_sim_inputs *s, int n_inputs, int64_t duration, int64_t n_twins);
void tw_sim_inputs_free(tw_sim_inputs *s);
/* Adds `per_minute` to input `input` during minutes [t0, t1) (clipped to the
** simulated duration; t0 >= duration is an internal error: configs reject it). */
tw_status tw_sim_inputs_add(tw_sim_inputs *s, int input, int64_t t0, int64_t t1, double per_minute);
/* Adds random meals of slots[0..n) (n <= TW_MEAL_SLOTS_MAX) on input `input`,
** drawn from `seed`. */
tw_status tw_sim_inputs_random_meals(tw_sim_inputs *s, int input, const tw_meal_slot *slots, int n, uint64_t seed);
/* A chunk's random meals of one day, drawn once when a fill first reaches the
** day: filling minute by minute then costs a compare per twin and slot instead
** of a Philox block (measured in tests/physio/test_random_meals.c). */
typedef struct tw_sim_meal_cache {
  int64_t twin0, n, cap; /* the twins cached, room for cap */
  const int64_t *rows;   /* or the rows cached, when filled by tw_sim_inputs_fill_rows */
  int64_t day;           /* the day cached; -1: none */
  int32_t *minute;       /* (n_meal_slots, cap) minute of the day, -1: not eaten */
  double *grams;         /* (n_meal_slots, cap) */
} tw_sim_meal_cache;

/* Room for the random meals of up to `cap` twins (nothing when s has none). */
tw_status tw_sim_meal_cache_init(tw_sim_meal_cache *c, const tw_sim_inputs *s, int64_t cap);
void tw_sim_meal_cache_free(tw_sim_meal_cache *c);
/* Writes the inputs of minutes [minute0, minute0 + n_minutes) for twins
** [twin0, twin0 + n) into u, laid out (n_minutes, n_inputs, ld) as a
** tw_physio_batch expects, in float or double, random meals included. */
void tw_sim_inputs_fill(const tw_sim_inputs *s, int64_t minute0, int n_minutes, int64_t twin0,
                        int64_t n, int64_t ld, tw_dtype dtype, void *u);
/* The same, with the random meals kept in `mc` (initialised for >= n twins)
** between calls; the result is identical bit for bit. */
void tw_sim_inputs_fill_cached(const tw_sim_inputs *s, tw_sim_meal_cache *mc, int64_t minute0, int n_minutes,
                               int64_t twin0, int64_t n, int64_t ld, tw_dtype dtype, void *u);
/* The same for the twins at process rows rows[0..n) (ascending, each once): a
** parallel trial arm's twins within a chunk, which are not contiguous. The cache,
** when given, is keyed by the `rows` pointer: keep the array alive and unchanged
** while it is in use. */
void tw_sim_inputs_fill_rows(const tw_sim_inputs *s, tw_sim_meal_cache *mc, int64_t minute0, int n_minutes,
                             const int64_t *rows, int64_t n, int64_t ld, tw_dtype dtype, void *u);

TW_EXTERN_C_END

#endif
