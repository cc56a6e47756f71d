/*
** sim_inputs.c: tabulating scenario events per minute and filling input blocks,
** with each twin's random meals redrawn for the minutes filled.
*/
#include "physio/sim_inputs.h" /* tw_sim_inputs */

#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

tw_status tw_sim_inputs_init(tw_sim_inputs *s, int n_inputs, int64_t duration, int64_t n_twins) {
  memset(s, 0, sizeof *s);
  if (n_inputs < 0 || duration < 1 || n_twins < 0)
    return TW_FAIL(TW_ERR_INTERNAL, "sim inputs: bad sizes %d, %lld, %lld", n_inputs,
                   (long long)duration, (long long)n_twins);
  s->n_inputs = n_inputs;
  s->duration = duration;
  s->n_twins = n_twins;
  s->events = calloc((size_t)(duration * n_inputs) + 1, sizeof(double));
  s->base = calloc((size_t)(n_inputs * n_twins) + 1, sizeof(double));
  if (!s->events || !s->base) {
    tw_sim_inputs_free(s);
    return TW_FAIL(TW_ERR_NOMEM, "sim inputs: out of memory for %lld minutes", (long long)duration);
  }
  return TW_OK;
}

void tw_sim_inputs_free(tw_sim_inputs *s) {
  free(s->events);
  free(s->base);
  memset(s, 0, sizeof *s);
}

tw_status tw_sim_inputs_add(tw_sim_inputs *s, int input, int64_t t0, int64_t t1, double per_minute) {
  if (input < 0 || input >= s->n_inputs || t0 < 0 || t0 >= s->duration || t1 <= t0)
    return TW_FAIL(TW_ERR_INTERNAL, "sim inputs: event on input %d over [%lld, %lld) outside the run",
                   input, (long long)t0, (long long)t1);
  if (t1 > s->duration) t1 = s->duration;
  for (int64_t t = t0; t < t1; ++t) s->events[t * s->n_inputs + input] += per_minute;
  return TW_OK;
}

tw_status tw_sim_inputs_random_meals(tw_sim_inputs *s, int input, const tw_meal_slot *slots, int n, uint64_t seed) {
  if (input < 0 || input >= s->n_inputs || n < 0 || n > TW_MEAL_SLOTS_MAX)
    return TW_FAIL(TW_ERR_INTERNAL, "sim inputs: %d random meal slots on input %d", n, input);
  for (int k = 0; k < n; ++k) s->meal_slots[k] = slots[k];
  s->n_meal_slots = n;
  s->meal_input = input;
  s->meal_seed = seed;
  return TW_OK;
}

/* Adds grams g at minute t (the block covers [minute0, minute0 + n_minutes)) to row i. */
static void add_meal(const tw_sim_inputs *s, int64_t minute0, int64_t t, int64_t i, int64_t ld, tw_dtype dtype,
                     void *u, double g) {
  const int64_t at = ((t - minute0) * s->n_inputs + s->meal_input) * ld + i;
  if (dtype == TW_F64) ((double *)u)[at] += g;
  else ((float *)u)[at] = (float)((double)((float *)u)[at] + g);
}

/* The random meals of slot k on `day` eaten in [t0, t1) by twins [twin0, twin0 + n). */
static void fill_slot(const tw_sim_inputs *s, int k, int64_t day, int64_t minute0, int64_t t0, int64_t t1,
                      int64_t twin0, int64_t n, int64_t ld, tw_dtype dtype, void *u) {
  const tw_meal_slot *sl = &s->meal_slots[k];
  const int64_t d0 = day * TW_MINUTES_PER_DAY;
  if (d0 + sl->time_hi_min < t0 || d0 + sl->time_lo_min >= t1) return; /* window outside the block */
  for (int64_t i = 0; i < n; ++i) {
    int64_t tm;
    double g;
    if (!tw_meal_draw(sl, s->meal_seed, s->id0 + (uint64_t)(twin0 + i), day, k, &tm, &g)) continue;
    if (d0 + tm >= t0 && d0 + tm < t1) add_meal(s, minute0, d0 + tm, i, ld, dtype, u, g);
  }
}

/* Random meals of the days the block [minute0, minute0 + n_minutes) meets, inside the run. */
static void fill_random_meals(const tw_sim_inputs *s, int64_t minute0, int n_minutes, int64_t twin0, int64_t n,
                              int64_t ld, tw_dtype dtype, void *u) {
  const int64_t t1 = minute0 + n_minutes < s->duration ? minute0 + n_minutes : s->duration;
  for (int64_t day = minute0 / TW_MINUTES_PER_DAY; day * TW_MINUTES_PER_DAY < t1; ++day)
    for (int k = 0; k < s->n_meal_slots; ++k) fill_slot(s, k, day, minute0, minute0, t1, twin0, n, ld, dtype, u);
}

void tw_sim_inputs_fill(const tw_sim_inputs *s, int64_t minute0, int n_minutes, int64_t twin0,
                        int64_t n, int64_t ld, tw_dtype dtype, void *u) {
  const int K = s->n_inputs;
  for (int m = 0; m < n_minutes; ++m) {
    const int64_t t = minute0 + m;
    for (int k = 0; k < K; ++k) {
      const double ev = t < s->duration ? s->events[t * K + k] : 0.0;
      const double *base = s->base + k * s->n_twins + twin0;
      if (dtype == TW_F64) {
        double *dst = (double *)u + ((int64_t)m * K + k) * ld;
        for (int64_t i = 0; i < n; ++i) dst[i] = base[i] + ev;
      } else {
        float *dst = (float *)u + ((int64_t)m * K + k) * ld;
        for (int64_t i = 0; i < n; ++i) dst[i] = (float)(base[i] + ev);
      }
    }
  }
  if (s->n_meal_slots > 0) fill_random_meals(s, minute0, n_minutes, twin0, n, ld, dtype, u);
}
