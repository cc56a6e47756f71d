/*
** sensor.c: CGM noise (AR(1) + Johnson SU + cubic spline, as simglucose) and
** pump quantisation. See sensor.h for the model.
*/
#include "physio/sensor.h"      /* tw_cgm_spec */
#include "physio/param_table.h" /* the compiled-in sensor and pump tables */

#include <math.h>   /* sinh, floor */
#include <stdio.h>  /* snprintf */
#include <string.h> /* memset, strcmp */

/* Solves the (n,n) system a m = r in place by Gaussian elimination with partial
** pivoting (n = 11: the spline's second derivatives). */
static void solve_dense(int n, double a[TW_CGM_KNOTS][TW_CGM_KNOTS], double *r) {
  for (int c = 0; c < n; ++c) {
    int piv = c;
    for (int i = c + 1; i < n; ++i)
      if (fabs(a[i][c]) > fabs(a[piv][c])) piv = i;
    for (int j = 0; j < n; ++j) {
      double t = a[c][j];
      a[c][j] = a[piv][j];
      a[piv][j] = t;
    }
    double t = r[c];
    r[c] = r[piv];
    r[piv] = t;
    for (int i = c + 1; i < n; ++i) {
      double f = a[i][c] / a[c][c];
      for (int j = c; j < n; ++j) a[i][j] -= f * a[c][j];
      r[i] -= f * r[c];
    }
  }
  for (int i = n - 1; i >= 0; --i) {
    double s = r[i];
    for (int j = i + 1; j < n; ++j) s -= a[i][j] * r[j];
    r[i] = s / a[i][i];
  }
}

void tw_cgm_spline_weights(double s, double w[TW_CGM_KNOTS]) {
  const int n = TW_CGM_KNOTS;
  int seg = (int)floor(s);
  if (seg < 0) seg = 0;
  if (seg > n - 2) seg = n - 2;
  const double u = s - seg;
  for (int k = 0; k < n; ++k) {
    /* spline through the unit vector e_k: second derivatives M from
    ** M_{i-1} + 4 M_i + M_{i+1} = 6 (y_{i-1} - 2 y_i + y_{i+1}) inside and the
    ** not-a-knot conditions (continuous third derivative at knots 1 and n-2) */
    double a[TW_CGM_KNOTS][TW_CGM_KNOTS], M[TW_CGM_KNOTS], y[TW_CGM_KNOTS];
    memset(a, 0, sizeof a);
    for (int i = 0; i < n; ++i) y[i] = i == k ? 1.0 : 0.0;
    a[0][0] = 1, a[0][1] = -2, a[0][2] = 1, M[0] = 0;
    a[n - 1][n - 3] = 1, a[n - 1][n - 2] = -2, a[n - 1][n - 1] = 1, M[n - 1] = 0;
    for (int i = 1; i < n - 1; ++i) {
      a[i][i - 1] = 1, a[i][i] = 4, a[i][i + 1] = 1;
      M[i] = 6.0 * (y[i - 1] - 2.0 * y[i] + y[i + 1]);
    }
    solve_dense(n, a, M);
    const double v = 1.0 - u;
    w[k] = v * y[seg] + u * y[seg + 1] + ((v * v * v - v) * M[seg] + (u * u * u - u) * M[seg + 1]) / 6.0;
  }
}

/* Reads the row of `name` from a compiled-in table into `cols` numbers. */
static tw_status table_row(const char *table, const char *what, const char *name,
                           const char *const *cols, int n, double *out) {
  tw_csv t;
  tw_status st = tw_t1d_builtin_table(table, &t);
  int row = st == TW_OK ? tw_csv_find_name(&t, name) : -1;
  if (st == TW_OK && row < 0) {
    char known[256] = "";
    size_t len = 0;
    for (int r = 0; r < t.n_rows && len < sizeof known; ++r)
      len += (size_t)snprintf(known + len, sizeof known - len, "%s%s", r ? ", " : "",
                              t.cells[r * t.n_cols + tw_csv_col(&t, "Name")]);
    st = TW_FAIL(TW_ERR_INPUT, "unknown %s '%s' (known: %s)", what, name, known);
  }
  for (int k = 0; st == TW_OK && k < n; ++k) st = tw_csv_number(&t, row, tw_csv_col(&t, cols[k]), &out[k]);
  tw_csv_free(&t);
  return st;
}

tw_status tw_cgm_spec_load(const char *name, int noise, tw_cgm_spec *out) {
  static const char *const cols[] = {"PACF", "gamma", "lambda", "delta", "xi", "sample_time", "min", "max"};
  double v[8];
  memset(out, 0, sizeof *out);
  TW_TRY(table_row("sensor_params.csv", "CGM sensor", name, cols, 8, v));
  snprintf(out->name, sizeof out->name, "%s", name);
  out->pacf = v[0], out->gamma = v[1], out->lambda = v[2], out->delta = v[3], out->xi = v[4];
  out->sample_time = (int)v[5];
  out->min = v[6], out->max = v[7];
  out->noise = noise;
  if (out->sample_time < 1 || out->sample_time > TW_CGM_BLOCK_MIN)
    return TW_FAIL(TW_ERR_INPUT, "CGM sensor %s: sample time %g min not supported", name, v[5]);
  out->per_block = TW_CGM_BLOCK_MIN / out->sample_time;
  for (int j = 0; j < out->per_block; ++j)
    tw_cgm_spline_weights((double)((j + 1) * out->sample_time) / 15.0, out->w[j]);
  return TW_OK;
}

static double johnson_su(const tw_cgm_spec *s, double e) {
  return s->xi + s->lambda * sinh((e - s->gamma) / s->delta);
}

void tw_cgm_init(const tw_cgm_spec *spec, uint64_t seed, uint64_t twin_id, tw_cgm_state *st) {
  memset(st, 0, sizeof *st);
  st->rng = tw_rng_make(seed, twin_id, TW_RNG_SENSOR, 0);
  st->e = tw_rng_normal(&st->rng);           /* noise15_iter: count 0 */
  st->knots[TW_CGM_KNOTS - 1] = johnson_su(spec, st->e); /* CGMNoise._noise_init */
  st->pos = spec->per_block;                 /* no block yet */
}

double tw_cgm_measure(const tw_cgm_spec *spec, tw_cgm_state *st, double bg) {
  double noise = 0.0;
  if (spec->noise) {
    if (st->pos >= spec->per_block) { /* the next block starts at the last knot */
      st->knots[0] = st->knots[TW_CGM_KNOTS - 1];
      for (int k = 1; k < TW_CGM_KNOTS; ++k) {
        st->e = spec->pacf * (st->e + tw_rng_normal(&st->rng));
        st->knots[k] = johnson_su(spec, st->e);
      }
      st->pos = 0;
    }
    const double *w = spec->w[st->pos++];
    for (int k = 0; k < TW_CGM_KNOTS; ++k) noise += w[k] * st->knots[k];
  }
  double v = bg + noise;
  v = v < spec->min ? spec->min : v;
  v = v > spec->max ? spec->max : v;
  st->last = v;
  return v;
}

tw_status tw_pump_spec_load(const char *name, tw_pump_spec *out) {
  static const char *const cols[] = {"min_bolus", "max_bolus", "inc_bolus", "min_basal", "max_basal", "inc_basal"};
  double v[6];
  memset(out, 0, sizeof *out);
  TW_TRY(table_row("pump_params.csv", "insulin pump", name, cols, 6, v));
  snprintf(out->name, sizeof out->name, "%s", name);
  out->min_bolus = v[0], out->max_bolus = v[1], out->inc_bolus = v[2];
  out->min_basal = v[3], out->max_basal = v[4], out->inc_basal = v[5];
  return TW_OK;
}

/* simglucose's quantisation: U/min -> pmol/min, round to the increment, back,
** then clip (np.round: halves to even, as nearbyint in the default mode). */
static double quantise(double u_per_min, double inc, double lo, double hi) {
  double v = nearbyint(u_per_min * 6000.0 / inc) * inc / 6000.0;
  v = v < hi ? v : hi;
  return v > lo ? v : lo;
}

double tw_pump_bolus(const tw_pump_spec *p, double u) { return quantise(u, p->inc_bolus, p->min_bolus, p->max_bolus); }
double tw_pump_basal(const tw_pump_spec *p, double u) { return quantise(u, p->inc_basal, p->min_basal, p->max_basal); }
