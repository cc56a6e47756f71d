/*
** random_meals.c: drawing a twin's meal of one slot and day from one Philox
** block (random_meals.h). The time is drawn by inverting the truncated normal's
** CDF, so each draw costs one block whatever the window (no rejection loop).
*/
#include "physio/random_meals.h" /* tw_meal_slot */

#include "core/philox.h" /* tw_philox_block, TW_RNG_SCENARIO */

#include <math.h> /* erfc, exp, floor, log, sqrt */

const tw_meal_slot tw_meal_slots_simglucose[6] = {
    {0.95, 7.0 * 60, 60, 5 * 60, 9 * 60, 45, 10, 0},     /* breakfast */
    {0.30, 9.5 * 60, 30, 9 * 60, 10 * 60, 10, 5, 0},     /* morning snack */
    {0.95, 12.0 * 60, 60, 10 * 60, 14 * 60, 70, 10, 0},  /* lunch */
    {0.30, 15.0 * 60, 30, 14 * 60, 16 * 60, 10, 5, 0},   /* afternoon snack */
    {0.95, 18.0 * 60, 60, 16 * 60, 20 * 60, 80, 10, 0},  /* dinner */
    {0.30, 21.5 * 60, 30, 20 * 60, 23 * 60, 10, 5, 0},   /* evening snack */
};

/* Acklam's coefficients (lower region p < 0.02425, central region). */
static const double qa[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
static const double qb[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
static const double qc[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
static const double qd[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};

static double acklam(double p) {
  if (p < 0.02425) {
    const double q = sqrt(-2 * log(p));
    return (((((qc[0] * q + qc[1]) * q + qc[2]) * q + qc[3]) * q + qc[4]) * q + qc[5]) /
           ((((qd[0] * q + qd[1]) * q + qd[2]) * q + qd[3]) * q + 1);
  }
  const double q = p - 0.5, r = q * q;
  return (((((qa[0] * r + qa[1]) * r + qa[2]) * r + qa[3]) * r + qa[4]) * r + qa[5]) * q /
         (((((qb[0] * r + qb[1]) * r + qb[2]) * r + qb[3]) * r + qb[4]) * r + 1);
}

static double normal_cdf(double x) { return 0.5 * erfc(-x * 0.70710678118654752440); }

/* The upper half by symmetry: 1 - p is exact there, and the Halley step on
** the lower tail's CDF keeps its relative accuracy. */
double tw_normal_quantile(double p) {
  if (p > 0.5) return -tw_normal_quantile(1 - p);
  const double x = acklam(p);
  const double e = normal_cdf(x) - p;
  const double u = e * 2.50662827463100050242 * exp(0.5 * x * x);
  return x - u / (1 + 0.5 * x * u);
}

/* Uniform on (0,1) from 32 bits (meal draws need no more resolution). */
static double u01(uint32_t x) { return ((double)x + 0.5) * (1.0 / 4294967296.0); }

/* A standard normal truncated to [a, b], from a uniform v, by the inverse CDF.
** Windows above the mean are mirrored so the CDF values stay small (accurate). */
static double trunc_normal(double a, double b, double v) {
  if (a > 0) return -trunc_normal(-b, -a, 1 - v);
  const double pa = normal_cdf(a), pb = normal_cdf(b);
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
