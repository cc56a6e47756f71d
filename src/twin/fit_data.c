/*
** fit_data.c: a person's records turned into the t1d pack's per-minute inputs
** over a fit window (fit.h): carbohydrate g on the meal input at the minute
** eaten, a bolus of U units as U U/min during its minute, basal segments as the
** mean rate over each minute. Minutes no basal segment covers take the last
** rate known before them (the first segment's before it starts; a person with
** no segment at all the given rate): a pump keeps delivering its last rate, and
** a Nightscout export only records temp basals (docs/personal-twins.md, "Fit").
*/
#include "twin/fit.h"

#include <math.h>   /* floor, ceil, NAN */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

/* The index of the person's first CGM sample at or after `start` before `end`, or -1. */
static int64_t first_cgm(const tw_records *r, const tw_rec_person *p, double start, double end) {
  for (int64_t j = 0; j < p->n_cgm; ++j) {
    const double t = r->cgm_min[p->cgm_begin + j];
    if (t >= start && t < end) return j;
  }
  return -1;
}

/* The basal rates (U/min) of minutes s0 .. s0 + n - 1 into u's insulin column. */
static void fill_basal(const tw_records *r, const tw_rec_person *p, double no_basal, tw_fit_person *f) {
  const double *st = r->basal_start_min + p->basal_begin, *en = r->basal_end_min + p->basal_begin;
  const double *rate = r->basal_u_h + p->basal_begin;
  const int64_t ns = p->n_basal;
  int64_t j = 0; /* first segment that may still overlap the minute */
  for (int64_t m = 0; m < f->n_steps; ++m) {
    const double a = (double)(f->s0 + m), b = a + 1.0;
    while (j < ns && en[j] <= a) ++j;
    double covered = 0.0, amount = 0.0;
    for (int64_t q = j; q < ns && st[q] < b; ++q) {
      const double lo = st[q] > a ? st[q] : a, hi = en[q] < b ? en[q] : b;
      if (hi > lo) covered += hi - lo, amount += (hi - lo) * rate[q] / 60.0;
    }
    /* the last rate known at a: the last segment starting at or before it */
    int64_t last = j < ns && st[j] <= a ? j : j - 1;
    const double carried = ns == 0 ? no_basal : (last >= 0 ? rate[last] : rate[0]) / 60.0;
    f->u[m * 2 + 1] = amount + (1.0 - covered) * carried;
  }
}

/* Meals and boluses inside the simulated minutes. */
static void fill_events(const double *tm, const double *v, int64_t n, double scale, int col, tw_fit_person *f) {
  for (int64_t j = 0; j < n; ++j) {
    const int64_t m = (int64_t)floor(tm[j]) - f->s0;
    if (m >= 0 && m < f->n_steps) f->u[m * 2 + col] += v[j] * scale;
  }
}

static tw_status build_person(const tw_records *r, int64_t row, const tw_fit_data_opts *o, tw_fit_person *f) {
  const tw_rec_person *p = &r->persons[row];
  f->record = row;
  f->weight_kg = p->weight_kg;
  const int64_t j0 = first_cgm(r, p, o->start_min, o->end_min);
  if (j0 < 0) return TW_OK; /* no data in the window */
  const double *ct = r->cgm_min + p->cgm_begin, *cg = r->cgm_mgdl + p->cgm_begin;
  f->s0 = (int64_t)floor(ct[j0]);
  f->g0 = cg[j0];
  f->n_steps = (int64_t)ceil(o->end_min) - f->s0;
  int64_t n_obs = 0;
  for (int64_t j = j0; j < p->n_cgm && ct[j] < o->end_min; ++j) ++n_obs;
  f->u = calloc((size_t)f->n_steps * 2, sizeof(double));
  f->obs_t = malloc(sizeof(double) * (size_t)n_obs);
  f->obs_g = malloc(sizeof(double) * (size_t)n_obs);
  if (!f->u || !f->obs_t || !f->obs_g)
    return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for %lld minutes of inputs", (long long)f->n_steps);
  f->n_obs = n_obs;
  memcpy(f->obs_t, ct + j0, sizeof(double) * (size_t)n_obs);
  memcpy(f->obs_g, cg + j0, sizeof(double) * (size_t)n_obs);
  fill_basal(r, p, o->no_basal_u_per_min, f);
  f->basal0 = f->u[1];
  fill_events(r->carb_min + p->carb_begin, r->carb_g + p->carb_begin, p->n_carb, 1.0, 0, f);
  fill_events(r->bolus_min + p->bolus_begin, r->bolus_u + p->bolus_begin, p->n_bolus, 1.0, 1, f);
  return TW_OK;
}

tw_status tw_fit_data_build(const tw_records *r, const int64_t *rows, int64_t n, const tw_fit_data_opts *o,
                            tw_fit_data *out) {
  memset(out, 0, sizeof *out);
  if (!(o->end_min > o->start_min))
    return TW_FAIL(TW_ERR_INPUT, "fit: the window [%g, %g) min is empty", o->start_min, o->end_min);
  out->p = calloc((size_t)n + 1, sizeof *out->p);
  if (!out->p) return TW_FAIL(TW_ERR_NOMEM, "fit: out of memory for %lld persons", (long long)n);
  out->n = n;
  for (int64_t i = 0; i < n; ++i) {
    if (rows[i] < 0 || rows[i] >= r->n) {
      tw_fit_data_free(out);
      return TW_FAIL(TW_ERR_INTERNAL, "fit: person row %lld outside the records", (long long)rows[i]);
    }
    tw_status st = build_person(r, rows[i], o, &out->p[i]);
    if (st != TW_OK) {
      tw_fit_data_free(out);
      return tw_error_trace(st, __FILE__, __LINE__);
    }
    if (out->p[i].n_obs > out->max_obs) out->max_obs = out->p[i].n_obs;
    if (out->p[i].n_steps > out->max_steps) out->max_steps = out->p[i].n_steps;
  }
  return TW_OK;
}

void tw_fit_data_free(tw_fit_data *d) {
  for (int64_t i = 0; i < d->n && d->p; ++i) {
    free(d->p[i].u);
    free(d->p[i].obs_t);
    free(d->p[i].obs_g);
  }
  free(d->p);
  memset(d, 0, sizeof *d);
}
