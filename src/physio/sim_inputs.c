/*
** sim_inputs.c: tabulating scenario events per minute and filling input blocks,
** with each twin's random meals redrawn for the minutes filled.
*/
#include "physio/sim_inputs.h" /* tw_sim_inputs */

#include <stdlib.h> /* calloc, malloc, free */
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

tw_status tw_sim_meal_cache_init(tw_sim_meal_cache *c, const tw_sim_inputs *s, int64_t cap) {
  memset(c, 0, sizeof *c);
  c->day = -1;
  if (s->n_meal_slots == 0) return TW_OK;
  c->cap = cap;
  c->minute = malloc(sizeof(int32_t) * (size_t)(s->n_meal_slots * cap) + 1);
  c->grams = malloc(sizeof(double) * (size_t)(s->n_meal_slots * cap) + 1);
  if (!c->minute || !c->grams) {
    tw_sim_meal_cache_free(c);
    return TW_FAIL(TW_ERR_NOMEM, "sim inputs: out of memory for the meals of %lld twins", (long long)cap);
  }
  return TW_OK;
}

void tw_sim_meal_cache_free(tw_sim_meal_cache *c) {
  free(c->minute);
  free(c->grams);
  memset(c, 0, sizeof *c);
  c->day = -1;
}

/* Which twins a fill writes: process rows [twin0, twin0 + n), or rows[0..n)
** when `rows` is not NULL (a parallel trial arm's twins within a chunk). */
typedef struct fill_twins {
  int64_t twin0, n;
  const int64_t *rows;
} fill_twins;

static int64_t row_of(const fill_twins *w, int64_t i) { return w->rows ? w->rows[i] : w->twin0 + i; }

/* The meals of `day` for the twins of `w` into the cache, unless there. */
static void cache_day(const tw_sim_inputs *s, tw_sim_meal_cache *mc, int64_t day, const fill_twins *w) {
  if (mc->day == day && mc->twin0 == w->twin0 && mc->rows == w->rows && mc->n == w->n) return;
  for (int k = 0; k < s->n_meal_slots; ++k)
    for (int64_t i = 0; i < w->n; ++i) {
      int64_t tm;
      const int64_t at = k * mc->cap + i;
      const int eaten = tw_meal_draw(&s->meal_slots[k], s->meal_seed, s->id0 + (uint64_t)row_of(w, i), day, k, &tm,
                                     &mc->grams[at]);
      mc->minute[at] = eaten ? (int32_t)tm : -1;
    }
  mc->day = day, mc->twin0 = w->twin0, mc->rows = w->rows, mc->n = w->n;
}

/* Twin i's meal of slot k on `day`, from the cache when there is one: 1 if eaten. */
static int meal_of(const tw_sim_inputs *s, const tw_sim_meal_cache *mc, int k, int64_t day, const fill_twins *w,
                   int64_t i, int64_t *tm, double *g) {
  if (!mc) return tw_meal_draw(&s->meal_slots[k], s->meal_seed, s->id0 + (uint64_t)row_of(w, i), day, k, tm, g);
  *tm = mc->minute[k * mc->cap + i];
  *g = mc->grams[k * mc->cap + i];
  return *tm >= 0;
}

/* Where the fill writes: the block [minute0, minute0 + n_minutes) of the twins `w`. */
typedef struct fill_block {
  int64_t minute0, t1, ld;
  fill_twins w;
  tw_dtype dtype;
  void *u;
} fill_block;

/* The random meals of slot k on `day` eaten in [minute0, t1). */
static void fill_slot(const tw_sim_inputs *s, const tw_sim_meal_cache *mc, int k, int64_t day, const fill_block *f) {
  const tw_meal_slot *sl = &s->meal_slots[k];
  const int64_t d0 = day * TW_MINUTES_PER_DAY;
  if (d0 + sl->time_hi_min < f->minute0 || d0 + sl->time_lo_min >= f->t1) return; /* window outside the block */
  for (int64_t i = 0; i < f->w.n; ++i) {
    int64_t tm;
    double g;
    if (meal_of(s, mc, k, day, &f->w, i, &tm, &g) && d0 + tm >= f->minute0 && d0 + tm < f->t1)
      add_meal(s, f->minute0, d0 + tm, i, f->ld, f->dtype, f->u, g);
  }
}

/* Random meals of the days the block meets, inside the run. */
static void fill_random_meals(const tw_sim_inputs *s, tw_sim_meal_cache *mc, const fill_block *f) {
  for (int64_t day = f->minute0 / TW_MINUTES_PER_DAY; day * TW_MINUTES_PER_DAY < f->t1; ++day) {
    if (mc) cache_day(s, mc, day, &f->w);
    for (int k = 0; k < s->n_meal_slots; ++k) fill_slot(s, mc, k, day, f);
  }
}

void tw_sim_inputs_fill(const tw_sim_inputs *s, int64_t minute0, int n_minutes, int64_t twin0,
                        int64_t n, int64_t ld, tw_dtype dtype, void *u) {
  tw_sim_inputs_fill_cached(s, NULL, minute0, n_minutes, twin0, n, ld, dtype, u);
}

/* The basal rates and tabulated events of the twins `w`, then their random meals. */
static void fill(const tw_sim_inputs *s, tw_sim_meal_cache *mc, int64_t minute0, int n_minutes, fill_twins w,
                 int64_t ld, tw_dtype dtype, void *u) {
  const int K = s->n_inputs;
  for (int m = 0; m < n_minutes; ++m) {
    const int64_t t = minute0 + m;
    for (int k = 0; k < K; ++k) {
      const double ev = t < s->duration ? s->events[t * K + k] : 0.0;
      const double *base = s->base + k * s->n_twins;
      if (dtype == TW_F64) {
        double *dst = (double *)u + ((int64_t)m * K + k) * ld;
        for (int64_t i = 0; i < w.n; ++i) dst[i] = base[row_of(&w, i)] + ev;
      } else {
        float *dst = (float *)u + ((int64_t)m * K + k) * ld;
        for (int64_t i = 0; i < w.n; ++i) dst[i] = (float)(base[row_of(&w, i)] + ev);
      }
    }
  }
  if (s->n_meal_slots == 0) return;
  const fill_block f = {minute0, TW_MIN(minute0 + n_minutes, s->duration), ld, w, dtype, u};
  fill_random_meals(s, mc && mc->cap >= w.n ? mc : NULL, &f);
}

void tw_sim_inputs_fill_cached(const tw_sim_inputs *s, tw_sim_meal_cache *mc, int64_t minute0, int n_minutes,
                               int64_t twin0, int64_t n, int64_t ld, tw_dtype dtype, void *u) {
  fill(s, mc, minute0, n_minutes, (fill_twins){twin0, n, NULL}, ld, dtype, u);
}

void tw_sim_inputs_fill_rows(const tw_sim_inputs *s, tw_sim_meal_cache *mc, int64_t minute0, int n_minutes,
                             const int64_t *rows, int64_t n, int64_t ld, tw_dtype dtype, void *u) {
  fill(s, mc, minute0, n_minutes, (fill_twins){0, n, rows}, ld, dtype, u);
}
