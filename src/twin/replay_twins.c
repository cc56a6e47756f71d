/*
** replay_twins.c: the fitted-twins file of `twinscale twin fit` read back
** (replay.h): pseudonyms, fit flags, the MAP of every fitted parameter, the
** posterior draws when the file has them, and each person's full t1d
** parameter vector built as the fit built it (the population twin of the
** prior with the fitted parameters replaced, tw_fit_params).
*/
#include "build_info.h" /* TW_HAVE_HDF5 */
#include "twin/replay.h"

#include "physio/t1d.h" /* TW_T1D_P_* */

#include <math.h>   /* log, NAN */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset, strcmp */

extern const tw_pack tw_pack_t1d;

void tw_twins_free(tw_twins *t) {
  for (int64_t i = 0; t->id && i < t->n; ++i) free(t->id[i]);
  free(t->id), free(t->flag), free(t->map), free(t->draws);
  memset(t, 0, sizeof *t);
}

int64_t tw_twins_find(const tw_twins *t, const char *id) {
  for (int64_t i = 0; i < t->n; ++i)
    if (!strcmp(t->id[i], id)) return i;
  return -1;
}

int tw_twins_usable(const tw_twins *t, int64_t i) { return (t->flag[i] & ~TW_FIT_CHAIN_NOT_CONVERGED) == 0; }

void tw_twins_params(const tw_twins *t, const double *theta, double bw_kg, double *p) {
  tw_fit_params(&t->prior, tw_pack_t1d.n_params, theta, bw_kg, p);
  double x[TW_T1D_NSTATES];
  const double gb = p[TW_T1D_P_X0 + 3] / p[TW_T1D_P_Vg]; /* the population twin's basal glucose, mg/dL */
  tw_fit_init_state(p, p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0, gb, x);
  for (int s = 0; s < TW_T1D_NSTATES; ++s) p[TW_T1D_P_X0 + s] = x[s];
}

#if TW_HAVE_HDF5
#include "io/h5.h"

/* A float64 dataset of the given shape, read whole into *v (malloc'd). */
static tw_status read_f64(tw_h5_file *f, const char *path, int rank, const int64_t *dims, double **v) {
  tw_tensor t;
  TW_TRY(tw_h5_read(f, path, TW_F64, &t));
  int same = t.rank == rank;
  for (int d = 0; same && d < rank; ++d) same = t.dims[d] == dims[d];
  if (!same) {
    free(t.data);
    return TW_FAIL(TW_ERR_INPUT, "%s: %s has not the shape of /persons/id (%lld persons%s)", tw_h5_path(f), path,
                   (long long)dims[0], rank == 2 ? " x draws" : "");
  }
  *v = t.data;
  return TW_OK;
}

/* The fitted parameters: t1d parameters with /fit/<name>/map, in pack order. */
static tw_status fitted_names(tw_h5_file *f, const char **names, int *k) {
  *k = 0;
  char path[160];
  for (int q = 0; q < tw_pack_t1d.n_params; ++q) {
    snprintf(path, sizeof path, "/fit/%s/map", tw_pack_t1d.params[q].name);
    if (tw_h5_exists(f, path)) {
      if (*k == TW_FIT_MAX_PARAMS) return TW_FAIL(TW_ERR_INPUT, "%s: more than %d fitted parameters", tw_h5_path(f), TW_FIT_MAX_PARAMS);
      names[(*k)++] = tw_pack_t1d.params[q].name;
    }
  }
  if (*k == 0)
    return TW_FAIL(TW_ERR_INPUT, "%s: not a twins file from `twinscale twin fit` (no /fit/<parameter>/map)", tw_h5_path(f));
  return TW_OK;
}

/* The draws of parameter a (P, S) into t->draws (n, S, k) as logs; S from the first. */
static tw_status read_draws(tw_h5_file *f, const char *name, int a, tw_twins *t) {
  char path[160];
  snprintf(path, sizeof path, "/fit/draws/%s", name);
  int rank = 0;
  int64_t dims[TW_TENSOR_MAX_RANK] = {0};
  TW_TRY(tw_h5_shape(f, path, &rank, dims));
  if (rank != 2 || dims[0] != t->n || dims[1] < 1 || (a > 0 && dims[1] != t->S))
    return TW_FAIL(TW_ERR_INPUT, "%s: %s is not (%lld persons, draws)%s", tw_h5_path(f), path, (long long)t->n,
                   a > 0 ? " as the first parameter's" : "");
  if (a == 0) {
    t->S = dims[1];
    if (!(t->draws = malloc(sizeof(double) * (size_t)(t->n * t->S * t->prior.k) + 1)))
      return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory for the draws", tw_h5_path(f));
  }
  double *v = NULL;
  TW_TRY(read_f64(f, path, 2, dims, &v));
  tw_status st = TW_OK;
  for (int64_t j = 0; j < t->n * t->S && st == TW_OK; ++j) {
    if (!tw_twins_usable(t, j / t->S)) { /* a person not fitted has NaN draws, and is not run */
      t->draws[j * t->prior.k + a] = NAN;
      continue;
    }
    if (!(v[j] > 0.0)) st = TW_FAIL(TW_ERR_INPUT, "%s: %s row %lld: %g is not positive", tw_h5_path(f), path, (long long)(j / t->S), v[j]);
    t->draws[j * t->prior.k + a] = log(v[j]);
  }
  free(v);
  return st;
}

/* /fit/<name>/map (P) into t->map's column a, as logs; NaN where the fit gave none. */
static tw_status read_map(tw_h5_file *f, const char *name, int a, tw_twins *t) {
  char path[160];
  snprintf(path, sizeof path, "/fit/%s/map", name);
  double *v = NULL;
  TW_TRY(read_f64(f, path, 1, &t->n, &v));
  for (int64_t i = 0; i < t->n; ++i) t->map[i * t->prior.k + a] = v[i] > 0.0 ? log(v[i]) : NAN;
  free(v);
  return TW_OK;
}

static tw_status read_flags(tw_h5_file *f, tw_twins *t) {
  if (!tw_h5_exists(f, "/fit/flag") || !tw_h5_exists(f, "/persons/id"))
    return TW_FAIL(TW_ERR_INPUT, "%s: not a twins file from `twinscale twin fit` (no /persons/id or /fit/flag)", tw_h5_path(f));
  TW_TRY(tw_h5_read_strings(f, "/persons/id", &t->id, &t->n));
  tw_tensor fl;
  TW_TRY(tw_h5_read(f, "/fit/flag", TW_I32, &fl));
  t->flag = fl.data;
  if (fl.rank != 1 || fl.dims[0] != t->n)
    return TW_FAIL(TW_ERR_INPUT, "%s: /fit/flag has not the shape of /persons/id (%lld)", tw_h5_path(f), (long long)t->n);
  return TW_OK;
}

static tw_status read_twins(tw_h5_file *f, tw_twins *t) {
  const char *names[TW_FIT_MAX_PARAMS];
  int k = 0;
  TW_TRY(read_flags(f, t));
  TW_TRY(fitted_names(f, names, &k));
  if (tw_fit_prior_build(&tw_pack_t1d, names, k, &t->prior) != TW_OK)
    return TW_FAIL(TW_ERR_INPUT, "%s: the fitted parameters: %s", tw_h5_path(f), tw_error_message());
  if (!(t->map = malloc(sizeof(double) * (size_t)(t->n * k) + 1)))
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", tw_h5_path(f));
  for (int a = 0; a < k; ++a) TW_TRY(read_map(f, names[a], a, t));
  const int banded = tw_h5_exists(f, "/fit/draws");
  for (int a = 0; banded && a < k; ++a) TW_TRY(read_draws(f, names[a], a, t));
  return TW_OK;
}

tw_status tw_twins_read(const char *path, tw_twins *out) {
  memset(out, 0, sizeof *out);
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = read_twins(f, out);
  const tw_status cst = tw_h5_close(f);
  if (st == TW_OK) st = cst;
  if (st != TW_OK) tw_twins_free(out);
  return st;
}
#else
tw_status tw_twins_read(const char *path, tw_twins *out) {
  memset(out, 0, sizeof *out);
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: reading a twins file needs a build with HDF5", path);
}
#endif
