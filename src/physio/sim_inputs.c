/*
** sim_inputs.c: tabulating scenario events per minute and filling input blocks.
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
}
