/*
** random_meals.c: drawing a twin's meal of one slot and day from one Philox
** block (random_meals.h). The time is drawn by inverting the truncated normal's
** CDF, so each draw costs one block whatever the window (no rejection loop).
*/
#include "physio/random_meals.h" /* tw_meal_slot */

#include "core/philox.h" /* tw_philox_block, TW_RNG_SCENARIO */
#include "core/random.h" /* tw_normal_cdf, tw_normal_quantile */

#include <math.h> /* erfc, exp, floor, log, sqrt */

const tw_meal_slot tw_meal_slots_simglucose[6] = {
    {0.95, 7.0 * 60, 60, 5 * 60, 9 * 60, 45, 10, 0},     /* breakfast */
    {0.30, 9.5 * 60, 30, 9 * 60, 10 * 60, 10, 5, 0},     /* morning snack */
    {0.95, 12.0 * 60, 60, 10 * 60, 14 * 60, 70, 10, 0},  /* lunch */
    {0.30, 15.0 * 60, 30, 14 * 60, 16 * 60, 10, 5, 0},   /* afternoon snack */
    {0.95, 18.0 * 60, 60, 16 * 60, 20 * 60, 80, 10, 0},  /* dinner */
    {0.30, 21.5 * 60, 30, 20 * 60, 23 * 60, 10, 5, 0},   /* evening snack */
};

/* Uniform on (0,1) from 32 bits (meal draws need no more resolution). */
static double u01(uint32_t x) { return ((double)x + 0.5) * (1.0 / 4294967296.0); }

/* A standard normal truncated to [a, b], from a uniform v, by the inverse CDF.
** Windows above the mean are mirrored so the CDF values stay small (accurate). */
static double trunc_normal(double a, double b, double v) {
  if (a > 0) return -trunc_normal(-b, -a, 1 - v);
  const double pa = tw_normal_cdf(a), pb = tw_normal_cdf(b);
  if (!(pb > pa)) return 0.5 * (a + b); /* a window too narrow to resolve */
  const double x = tw_normal_quantile(pa + v * (pb - pa));
  return x < a ? a : x > b ? b : x;
}

static int64_t meal_minute(const tw_meal_slot *sl, double v) {
  const double lo = (double)sl->time_lo_min, hi = (double)sl->time_hi_min;
  double t = sl->time_mean_min;
  if (sl->time_sd_min > 0)
    t = sl->time_mean_min + sl->time_sd_min * trunc_normal((lo - t) / sl->time_sd_min, (hi - t) / sl->time_sd_min, v);
  t = floor(t + 0.5);
  return t < lo ? sl->time_lo_min : t > hi ? sl->time_hi_min : (int64_t)t;
}

int tw_meal_draw(const tw_meal_slot *sl, uint64_t seed, uint64_t twin_id, int64_t day, int slot,
                 int64_t *minute_of_day, double *carbs_g) {
  uint32_t r[4];
  tw_philox_block(seed, twin_id, TW_RNG_SCENARIO, (uint32_t)(day * TW_MEAL_SLOTS_MAX + slot), r);
  if (!(u01(r[0]) < sl->probability)) return 0;
  *minute_of_day = meal_minute(sl, u01(r[1]));
  const double z = sqrt(-2 * log(u01(r[2]))) * cos(6.283185307179586476925 * u01(r[3]));
  const double g = sl->carbs_mean_g + sl->carbs_sd_g * z;
  *carbs_g = g < sl->carbs_min_g ? sl->carbs_min_g : g;
  return 1;
}
