/*
** fit_synth.h: records of synthetic persons for the fit's test and its
** identifiability experiment: a person is a full t1d parameter vector, a
** basal rate, and meals; the records hold the meals as logged (optionally
** with errors), the boluses, one basal segment over the whole period and the
** CGM samples given by the caller.
*/
#ifndef TW_TEST_FIT_SYNTH_H
#define TW_TEST_FIT_SYNTH_H

#include "twin/fit.h"
#include "twin/records.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for n persons with up to the given counts of each kind of record, and
** two basal segments per person (synth_person_begin writes the first). */
static inline tw_status synth_records_alloc(tw_records *r, int64_t n, int64_t n_cgm, int64_t n_carb, int64_t n_bolus) {
  memset(r, 0, sizeof *r);
  r->persons = calloc((size_t)n, sizeof *r->persons);
  r->cgm_min = calloc((size_t)n_cgm, sizeof(double)), r->cgm_mgdl = calloc((size_t)n_cgm, sizeof(double));
  r->carb_min = calloc((size_t)n_carb, sizeof(double)), r->carb_g = calloc((size_t)n_carb, sizeof(double));
  r->bolus_min = calloc((size_t)n_bolus, sizeof(double)), r->bolus_u = calloc((size_t)n_bolus, sizeof(double));
  r->basal_start_min = calloc(2 * (size_t)n, sizeof(double)), r->basal_end_min = calloc(2 * (size_t)n, sizeof(double));
  r->basal_u_h = calloc(2 * (size_t)n, sizeof(double));
  if (!r->persons || !r->cgm_min || !r->cgm_mgdl || !r->carb_min || !r->carb_g || !r->bolus_min || !r->bolus_u ||
      !r->basal_start_min || !r->basal_end_min || !r->basal_u_h)
    return TW_FAIL(TW_ERR_NOMEM, "synth: out of memory");
  snprintf(r->source, sizeof r->source, "synthetic");
  return TW_OK;
}

/* Appends person i (called in order i = 0, 1, ...): weight, one basal segment
** [0, end) at basal_u_h, and no records yet. */
static inline void synth_person_begin(tw_records *r, int64_t i, double weight_kg, double end_min, double basal_u_h) {
  tw_rec_person *p = &r->persons[i];
  memset(p, 0, sizeof *p);
  snprintf(p->id, sizeof p->id, "synthetic-%06lld", (long long)i);
  p->weight_kg = weight_kg, p->age_y = NAN, p->height_cm = NAN, p->sex = -1;
  p->end_min = end_min;
  p->cgm_begin = r->n_cgm, p->carb_begin = r->n_carb, p->bolus_begin = r->n_bolus, p->basal_begin = r->n_basal;
  r->basal_start_min[r->n_basal] = 0.0, r->basal_end_min[r->n_basal] = end_min, r->basal_u_h[r->n_basal] = basal_u_h;
  r->n_basal++, p->n_basal = 1;
  r->n = i + 1;
}

static inline void synth_cgm(tw_records *r, double t, double g) {
  r->cgm_min[r->n_cgm] = t, r->cgm_mgdl[r->n_cgm++] = g;
  r->persons[r->n - 1].n_cgm++;
}
static inline void synth_carbs(tw_records *r, double t, double g) {
  r->carb_min[r->n_carb] = t, r->carb_g[r->n_carb++] = g;
  r->persons[r->n - 1].n_carb++;
}
static inline void synth_bolus(tw_records *r, double t, double u) {
  r->bolus_min[r->n_bolus] = t, r->bolus_u[r->n_bolus++] = u;
  r->persons[r->n - 1].n_bolus++;
}

#endif
