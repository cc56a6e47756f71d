/*
** replay_h5.c: the replay file (docs/personal-twins.md, "Replay"): /persons/id,
** /replay/status, /replay/<endpoint>/{recorded,changed,difference} and, with
** posterior draws, their _q05/_q50/_q95; root attributes saying which. Written
** to PATH.partial and renamed when whole (io/h5.h), the path checked before
** any work as the run engine checks a results path.
*/
#include "build_info.h" /* TW_HAVE_HDF5, TW_HAVE_YAML */
#include "twin/replay_internal.h"

#include <math.h>  /* NAN */
#include <stdio.h> /* snprintf */

#if TW_HAVE_HDF5 && TW_HAVE_YAML
#include "io/h5.h"
#include "run/run.h" /* tw_run_check_output */

static const char *const KIND_NAMES[TW_REPLAY_KINDS] = {"recorded", "changed", "difference"};
static const char *const Q_NAMES[TW_REPLAY_QUANTILES] = {"q05", "q50", "q95"};

tw_status tw_replay_check_output(const tw_replay_opts *o) { return tw_run_check_output(o->output, o->force); }

/* Endpoint e's datasets: the record's, the MAP's three, then the bands' nine. */
static tw_status write_endpoint(tw_h5_file *f, const tw_replay_opts *o, int64_t n, int e, const tw_replay_results *r) {
  const char *name = o->scorer->names[e], *units = o->scorer->units[e];
  const double *map = r->map, *band = r->band;
  char path[256];
  snprintf(path, sizeof path, "/replay/%s/observed", name);
  if (r->obs) TW_TRY(tw_h5_write_array(f, path, TW_F64, r->obs + e * n, 1, &n, units));
  for (int k = 0; k < TW_REPLAY_KINDS; ++k) {
    snprintf(path, sizeof path, "/replay/%s/%s", name, KIND_NAMES[k]);
    TW_TRY(tw_h5_write_array(f, path, TW_F64, map + (e * TW_REPLAY_KINDS + k) * n, 1, &n, units));
    for (int q = 0; band && q < TW_REPLAY_QUANTILES; ++q) {
      snprintf(path, sizeof path, "/replay/%s/%s_%s", name, KIND_NAMES[k], Q_NAMES[q]);
      const double *v = band + ((e * TW_REPLAY_KINDS + k) * TW_REPLAY_QUANTILES + q) * n;
      TW_TRY(tw_h5_write_array(f, path, TW_F64, v, 1, &n, units));
    }
  }
  return TW_OK;
}

static tw_status write_attrs(tw_h5_file *f, const tw_replay_opts *o, const tw_twins *t) {
  const tw_replay_config *sc = o->scenario;
  char bands[128];
  if (t->S) snprintf(bands, sizeof bands, "posterior: q05, q50, q95 over %lld draws per person", (long long)t->S);
  else snprintf(bands, sizeof bands, "none: MAP only (the twins file has no /fit/draws)");
  TW_TRY(tw_h5_attr_write_string(f, "replay_bands", bands));
  TW_TRY(tw_h5_attr_write_i64(f, "replay_draws", t->S));
  TW_TRY(tw_h5_attr_write_string(f, "replay_twins", o->twins_path));
  TW_TRY(tw_h5_attr_write_string(f, "replay_status", "replayed=0,flagged_fit=1,no_cgm_in_days=2,not_asked=3"));
  TW_TRY(tw_h5_attr_write_string(f, "replay_controller", sc->controller.name ? sc->controller.name : "none"));
  TW_TRY(tw_h5_attr_write_f64(f, "replay_bolus_scale", sc->bolus_scale));
  TW_TRY(tw_h5_attr_write_f64(f, "replay_basal_scale", sc->basal_recorded ? sc->basal_scale : NAN));
  TW_TRY(tw_h5_attr_write_f64(f, "replay_basal_u_per_h", sc->basal_recorded ? NAN : sc->basal_u_per_h));
  return tw_h5_attr_write_i64(f, "n_persons", t->n);
}

static tw_status write_all(tw_h5_file *f, const tw_replay_opts *o, const tw_twins *t, const tw_replay_results *r) {
  TW_TRY(tw_h5_write_strings(f, "/persons/id", (const char *const *)t->id, t->n, "1"));
  TW_TRY(tw_h5_write_array(f, "/replay/status", TW_I32, r->status, 1, &t->n, "1"));
  for (int e = 0; e < o->scorer->n; ++e) TW_TRY(write_endpoint(f, o, t->n, e, r));
  return write_attrs(f, o, t);
}

tw_status tw_replay_write(const tw_replay_opts *o, const tw_twins *t, const tw_replay_results *res) {
  tw_h5_run_info info = {.config_text = o->config_text ? o->config_text : "", .seed = 0, .rank_count = 1};
  tw_h5_file *f;
  TW_TRY(tw_h5_create(o->output, NULL, &info, &f));
  const tw_status st = write_all(f, o, t, res);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}
#else
tw_status tw_replay_check_output(const tw_replay_opts *o) {
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: twin replay needs a build with HDF5 and libyaml", o->output);
}

tw_status tw_replay_write(const tw_replay_opts *o, const tw_twins *t, const tw_replay_results *res) {
  (void)t, (void)res;
  return tw_replay_check_output(o);
}
#endif
