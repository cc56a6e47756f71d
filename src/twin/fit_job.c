/*
** fit_job.c: the `twin_fit` config (fit_job.h) and the fit job: records file
** in, every person's MAP over fit_days (fit.h, all persons in one batched
** optimisation) and posterior (the batched ensemble sampler), the CGM predicted over the whole record from the MAP, the
** fitted-twins file out (written to PATH.partial, renamed when whole).
*/
#include "build_info.h" /* TW_HAVE_HDF5 */
#include "twin/fit_job.h"

#include "core/clock.h" /* tw_now_seconds */
#include "physio/t1d.h" /* TW_T1D_P_u2ss, TW_T1D_P_BW */

#include <math.h>   /* NAN, floor */
#include <stddef.h> /* offsetof */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free, qsort */
#include <string.h> /* memset */

extern const tw_pack tw_pack_t1d;

/* Declared identifiable by the experiment of docs/personal-twins.md ("Fit"). */
const char *const tw_fit_identifiable[] = {"Vmx", "kp1", "kmax", NULL};

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_twin_fit_output_cfg, path), .default_text = "twins.h5",
     .doc = "the fitted-twins file (HDF5)"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_twin_fit_output_cfg, output_fields, NULL);

#define TEXT_(x) #x
#define TEXT(x) TEXT_(x)
#define INFLATE_TEXT TEXT(TW_FIT_INFLATE)

static const tw_cfg_field sampler_fields[] = {
    {.key = "walkers", .type = TW_CFG_INT, .offset = offsetof(tw_twin_fit_sampler_cfg, walkers), .default_text = "0",
     .has_range = 1, .min = 0, .max = 128,
     .doc = "walkers per person (even, at least twice the fitted parameters; 0: twice the parameters, at least 10)"},
    {.key = "steps", .type = TW_CFG_INT, .offset = offsetof(tw_twin_fit_sampler_cfg, steps), .default_text = "160",
     .has_range = 1, .min = 5, .max = 1000000, .doc = "ensemble steps per person (two batched simulations each)"},
    {.key = "burn_in", .type = TW_CFG_INT, .offset = offsetof(tw_twin_fit_sampler_cfg, burn_in), .default_text = "40",
     .has_range = 1, .min = 0, .max = 1000000, .doc = "steps discarded before the kept samples"},
    {.key = "draws", .type = TW_CFG_INT, .offset = offsetof(tw_twin_fit_sampler_cfg, draws), .default_text = "200",
     .has_range = 1, .min = 1, .max = 100000, .doc = "posterior draws written per person (/fit/draws/<param>)"},
    {.key = "inflate", .type = TW_CFG_NUMBER, .offset = offsetof(tw_twin_fit_sampler_cfg, inflate),
     .default_text = INFLATE_TEXT, .has_range = 1, .min = 0.01, .max = 1000,
     .doc = "the likelihood's extra CGM error variance factor (docs/personal-twins.md, \"Uncertainty\")"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_twin_fit_sampler_cfg, seed), .default_text = "0",
     .has_range = 1, .min = 0, .max = 9007199254740992.0, .doc = "the sampler's Philox seed"},
};
static const tw_cfg_schema sampler_schema = TW_CFG_SCHEMA(tw_twin_fit_sampler_cfg, sampler_fields, NULL);

static tw_status check_fit(const tw_cfg_doc *doc, void *obj) {
  const tw_twin_fit_config *c = obj;
  const tw_cfg_mark at = tw_cfg_path_mark_or(doc, "fit_days", c->mark);
  const double a = c->fit_days[0], b = c->fit_days[1];
  if (a != floor(a) || b != floor(b) || a > b)
    return tw_cfg_error_at(doc, at, "fit_days: [%g, %g]: two whole days, first <= last (1-based, inclusive)", a, b);
  const tw_twin_fit_sampler_cfg *m = &c->sampler;
  const int64_t walkers = tw_fit_mcmc_walkers((int)m->walkers, c->n_parameters);
  if (walkers % 2 || walkers < 2 * c->n_parameters || m->steps - m->burn_in < 4 ||
      walkers * (m->steps - m->burn_in) < m->draws)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "sampler", c->mark),
                           "sampler: %lld walkers (even, at least 2 x %d parameters), %lld steps, burn_in %lld (at "
                           "least 4 steps kept, walkers x kept >= draws %lld)", (long long)walkers,
                           c->n_parameters, (long long)m->steps, (long long)m->burn_in, (long long)m->draws);
  return TW_OK;
}

static const char *const backends[] = {"auto", "cpu", "cuda", NULL};

static const tw_cfg_field fit_fields[] = {
    {.key = "records", .type = TW_CFG_STRING, .offset = offsetof(tw_twin_fit_config, records), .required = 1,
     .doc = "a records file written by `twinscale twin import`, or a long CSV or a Nightscout export folder "
            "imported first (relative to this file)"},
    {.key = "persons", .type = TW_CFG_STRING, .offset = offsetof(tw_twin_fit_config, persons),
     .doc = "an import from CSV: the persons CSV (person_id,weight_kg[,age_y,sex,height_cm])"},
    {.key = "salt_env", .type = TW_CFG_STRING, .offset = offsetof(tw_twin_fit_config, salt_env),
     .doc = "an import: the environment variable holding the pseudonym salt (at least 16 bytes)"},
    {.key = "person_id", .type = TW_CFG_STRING, .offset = offsetof(tw_twin_fit_config, person_id),
     .doc = "an import from Nightscout: the person's source id (default: the folder's name)"},
    {.key = "weight_kg", .type = TW_CFG_NUMBER, .offset = offsetof(tw_twin_fit_config, weight_kg),
     .has_range = 1, .min = 0, .max = 700, .unit = "kg",
     .doc = "an import from Nightscout without persons: the body weight"},
    {.key = "fit_days", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_twin_fit_config, fit_days),
     .count_offset = offsetof(tw_twin_fit_config, n_fit_days), .required = 1, .has_range = 1, .min = 1, .max = 36500,
     .min_count = 2, .max_count = 2, .unit = "day",
     .doc = "[first, last]: the days fitted, 1-based and inclusive, counted from each person's first record"},
    {.key = "parameters", .type = TW_CFG_STRING_LIST, .offset = offsetof(tw_twin_fit_config, parameters),
     .count_offset = offsetof(tw_twin_fit_config, n_parameters), .default_text = "[Vmx, kp1, kp3, kabs, kmax]",
     .doc = "t1d parameters fitted (vpatient_params.csv names); the others are the population twin's"},
    {.key = "max_iter", .type = TW_CFG_INT, .offset = offsetof(tw_twin_fit_config, max_iter), .default_text = "40",
     .has_range = 1, .min = 1, .max = 10000, .doc = "Levenberg-Marquardt iterations per person, at most"},
    {.key = "backend", .type = TW_CFG_ENUM, .offset = offsetof(tw_twin_fit_config, backend), .default_text = "auto",
     .choices = backends, .doc = "auto (a GPU when one is visible), cpu or cuda: where the batched simulations run"},
    {.key = "predict_every", .type = TW_CFG_NUMBER, .offset = offsetof(tw_twin_fit_config, predict_every),
     .default_text = "5", .has_range = 1, .min = 1, .max = 1440, .unit = "min",
     .doc = "minutes between the samples of /prediction/cgm"},
    {.key = "sampler", .type = TW_CFG_MAP, .offset = offsetof(tw_twin_fit_config, sampler), .sub = &sampler_schema,
     .default_text = "{}", .doc = "the posterior sampler (an ensemble MCMC over every person)"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_twin_fit_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "the fitted-twins file"},
};
const tw_cfg_schema tw_twin_fit_config_schema = TW_CFG_SCHEMA(tw_twin_fit_config, fit_fields, check_fit);

#if TW_HAVE_HDF5
#include "io/h5.h"
#include "run/run.h" /* tw_run_check_output */

/* The fitted twins in memory, between the fit and the file. */
typedef struct fit_out {
  int64_t n, T;
  double *time;  /* (T) min */
  double *pred;  /* (n, T) mg/dL, NaN outside a person's simulated minutes */
} fit_out;

/* The prediction grid 0, every, ... up to the last person's last record. */
static tw_status make_grid(const tw_records *r, double every, fit_out *o) {
  double end = 0.0;
  for (int64_t i = 0; i < r->n; ++i) end = r->persons[i].end_min > end ? r->persons[i].end_min : end;
  o->n = r->n;
  o->T = (int64_t)floor(end / every) + 1;
  o->time = malloc(sizeof(double) * (size_t)o->T);
  o->pred = malloc(sizeof(double) * (size_t)(o->T * r->n) + 1);
  if (!o->time || !o->pred) return TW_FAIL(TW_ERR_NOMEM, "twin fit: out of memory for %lld predictions", (long long)o->T);
  for (int64_t t = 0; t < o->T; ++t) o->time[t] = (double)t * every;
  for (int64_t k = 0; k < o->T * r->n; ++k) o->pred[k] = NAN;
  return TW_OK;
}

/* Each person's grid points from its simulation start to its last record, as the "samples" of d. */
static tw_status grid_as_samples(const tw_records *r, const fit_out *o, tw_fit_data *d, int64_t *first) {
  int64_t most = 0;
  for (int64_t i = 0; i < d->n; ++i) {
    tw_fit_person *f = &d->p[i];
    int64_t k0 = 0, n = 0;
    while (k0 < o->T && o->time[k0] < (double)f->s0) ++k0;
    while (k0 + n < o->T && o->time[k0 + n] <= r->persons[i].end_min && o->time[k0 + n] < (double)(f->s0 + f->n_steps)) ++n;
    if (f->n_steps == 0) n = 0;
    free(f->obs_t), free(f->obs_g);
    f->obs_t = malloc(sizeof(double) * (size_t)n + 1), f->obs_g = calloc((size_t)n + 1, sizeof(double));
    if (!f->obs_t || !f->obs_g) return TW_FAIL(TW_ERR_NOMEM, "twin fit: out of memory for the prediction grid");
    memcpy(f->obs_t, o->time + k0, sizeof(double) * (size_t)n);
    f->n_obs = n, first[i] = k0;
    most = n > most ? n : most;
  }
  d->max_obs = most;
  return TW_OK;
}

/* The CGM predicted from the MAP over the whole record (from the fit's first CGM sample on). */
static tw_status predict(const tw_records *r, const tw_fit_data_opts *win, const tw_fit_prior *pr,
                         const tw_fit_map_result *m, fit_out *o) {
  const int64_t n = r->n;
  const int np = tw_pack_t1d.n_params;
  int64_t *rows = malloc(sizeof(int64_t) * (size_t)n + 1), *first = malloc(sizeof(int64_t) * (size_t)n + 1);
  double *params = malloc(sizeof(double) * (size_t)(n * np) + 1), *bg = NULL;
  int32_t *flag = malloc(sizeof(int32_t) * (size_t)n + 1);
  tw_fit_data d;
  memset(&d, 0, sizeof d);
  tw_status st = rows && first && params && flag ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "twin fit: out of memory");
  for (int64_t i = 0; i < n && st == TW_OK; ++i) rows[i] = i;
  tw_fit_data_opts all = *win;
  all.end_min = o->time[o->T - 1] + 1.0;
  if (st == TW_OK) st = tw_fit_data_build(r, rows, n, &all, &d);
  if (st == TW_OK) st = grid_as_samples(r, o, &d, first);
  if (st == TW_OK && !(bg = malloc(sizeof(double) * (size_t)(n * d.max_obs) + 1)))
    st = TW_FAIL(TW_ERR_NOMEM, "twin fit: out of memory for the predictions");
  for (int64_t i = 0; i < n && st == TW_OK; ++i) tw_fit_params(pr, np, m->theta + i * pr->k, d.p[i].weight_kg, params + i * np);
  tw_fit_sim s = tw_fit_sim_default();
  if (st == TW_OK) st = tw_fit_simulate(&s, &d, n, rows, params, bg, flag);
  for (int64_t i = 0; i < n && st == TW_OK; ++i)
    for (int64_t k = 0; k < d.p[i].n_obs; ++k) o->pred[i * o->T + first[i] + k] = bg[i * d.max_obs + k];
  tw_fit_data_free(&d);
  free(rows), free(first), free(params), free(bg), free(flag);
  return st;
}

/* "Vmx,kp1,kmax": the fitted parameters that are declared identifiable. */
static void identifiable_list(const tw_twin_fit_config *c, char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  for (int j = 0; j < c->n_parameters; ++j)
    for (int q = 0; tw_fit_identifiable[q]; ++q)
      if (!strcmp(c->parameters[j], tw_fit_identifiable[q]) && used < cap)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", used ? "," : "", c->parameters[j]);
}

/* One dataset of n x cols values of a parameter: exp of log-values
** v[i * stride + j] (natural units; NaN stays NaN). */
static tw_status write_exp(tw_h5_file *f, const char *path, const char *unit, int64_t n, int64_t cols,
                           const double *v, int64_t stride, double *buf) {
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < cols; ++j) buf[i * cols + j] = exp(v[i * stride + j]);
  const int64_t dims[2] = {n, cols};
  return tw_h5_write_array(f, path, TW_F64, buf, cols > 1 ? 2 : 1, dims, unit);
}

/* Parameter a's datasets: /fit/<p>/{map,q05,q50,q95} (P), /fit/rhat/<p>,
** /fit/ess/<p> (P), /fit/draws/<p> (P, S). */
static tw_status write_param(tw_h5_file *f, const char *name, const tw_fit_map_result *m, const tw_fit_mcmc_result *mc,
                             int a, double *buf) {
  const char *unit = tw_pack_t1d.params[tw_pack_param_index(&tw_pack_t1d, name)].unit;
  static const char *const q_name[3] = {"q05", "q50", "q95"};
  const int64_t n = m->n;
  char path[160];
  snprintf(path, sizeof path, "/fit/%s/map", name);
  TW_TRY(write_exp(f, path, unit, n, 1, m->theta + a, m->k, buf));
  for (int q = 0; q < 3; ++q) {
    snprintf(path, sizeof path, "/fit/%s/%s", name, q_name[q]);
    TW_TRY(write_exp(f, path, unit, n, 1, mc->q + (int64_t)a * n * 3 + q, 3, buf));
  }
  snprintf(path, sizeof path, "/fit/draws/%s", name);
  TW_TRY(write_exp(f, path, unit, n, mc->S, mc->draws + (int64_t)a * n * mc->S, mc->S, buf));
  snprintf(path, sizeof path, "/fit/rhat/%s", name);
  TW_TRY(tw_h5_write_array(f, path, TW_F64, mc->rhat + (int64_t)a * n, 1, &n, "1"));
  snprintf(path, sizeof path, "/fit/ess/%s", name);
  return tw_h5_write_array(f, path, TW_F64, mc->ess + (int64_t)a * n, 1, &n, "1");
}

static tw_status write_fit(tw_h5_file *f, const tw_twin_fit_config *c, const tw_fit_map_result *m,
                           const tw_fit_mcmc_result *mc) {
  const int64_t n = m->n;
  double *buf = malloc(sizeof(double) * (size_t)(n * mc->S) + 1);
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "twin fit: out of memory");
  tw_status st = TW_OK;
  for (int a = 0; a < m->k && st == TW_OK; ++a) st = write_param(f, c->parameters[a], m, mc, a, buf);
  free(buf);
  if (st == TW_OK) st = tw_h5_write_array(f, "/fit/flag", TW_I32, m->flag, 1, &n, "1");
  if (st == TW_OK) st = tw_h5_write_array(f, "/fit/iterations", TW_I32, m->iters, 1, &n, "1");
  if (st == TW_OK) st = tw_h5_write_array(f, "/fit/rms_mgdl", TW_F64, m->rms, 1, &n, "mg/dL");
  if (st == TW_OK) st = tw_h5_write_array(f, "/fit/nlp", TW_F64, m->nlp, 1, &n, "1");
  if (st == TW_OK) st = tw_h5_write_array(f, "/fit/accept", TW_F64, mc->accept, 1, &n, "1");
  return st;
}

/* The sampler's settings as root attributes. */
static tw_status write_sampler_attrs(tw_h5_file *f, const tw_twin_fit_sampler_cfg *m, int k) {
  TW_TRY(tw_h5_attr_write_i64(f, "sampler_walkers", tw_fit_mcmc_walkers((int)m->walkers, k)));
  TW_TRY(tw_h5_attr_write_i64(f, "sampler_steps", m->steps));
  TW_TRY(tw_h5_attr_write_i64(f, "sampler_burn_in", m->burn_in));
  TW_TRY(tw_h5_attr_write_i64(f, "sampler_seed", m->seed));
  TW_TRY(tw_h5_attr_write_f64(f, "sampler_inflate", m->inflate));
  return tw_h5_attr_write_string(f, "rhat", "split R-hat (Gelman et al., BDA3; not rank-normalised), walkers as chains");
}

static tw_status write_file(const char *path, const tw_cfg_doc *doc, const tw_twin_fit_config *c, const tw_records *r,
                            const tw_fit_map_result *m, const tw_fit_mcmc_result *mc, const fit_out *o) {
  tw_h5_run_info info = {.config_text = tw_cfg_text(doc), .seed = 0, .rank_count = 1};
  tw_h5_file *f;
  TW_TRY(tw_h5_create(path, NULL, &info, &f));
  const char **ids = malloc(sizeof(char *) * (size_t)r->n + 1);
  tw_status st = ids ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "twin fit: out of memory");
  for (int64_t i = 0; i < r->n && st == TW_OK; ++i) ids[i] = r->persons[i].id;
  if (st == TW_OK) st = tw_h5_write_strings(f, "/persons/id", ids, r->n, "1");
  free(ids);
  if (st == TW_OK) st = write_fit(f, c, m, mc);
  if (st == TW_OK) st = write_sampler_attrs(f, &c->sampler, c->n_parameters);
  const int64_t dims[2] = {o->n, o->T};
  if (st == TW_OK) st = tw_h5_write_array(f, "/prediction/cgm", TW_F64, o->pred, 2, dims, "mg/dL");
  if (st == TW_OK) st = tw_h5_write_array(f, "/prediction/time_min", TW_F64, o->time, 1, &o->T, "min");
  char list[512];
  identifiable_list(c, list, sizeof list);
  if (st == TW_OK) st = tw_h5_attr_write_string(f, "identifiable", list);
  if (st == TW_OK)
    st = tw_h5_attr_write_string(f, "fit_flags", "not_converged=1,no_data=2,sim_failed=4,poor_fit=8,chain_not_converged=16");
  if (st == TW_OK) st = tw_h5_attr_write_f64(f, "cgm_sigma_mgdl", TW_FIT_CGM_SIGMA);
  if (st == TW_OK) st = tw_h5_attr_write_i64(f, "n_persons", r->n);
  if (st != TW_OK) {
    tw_h5_abort(f);
    return st;
  }
  return tw_h5_close(f);
}

static int cmp_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void summarise(const tw_fit_map_result *m, tw_twin_fit_report *rep) {
  double *v = malloc(sizeof(double) * (size_t)m->n + 1);
  int64_t k = 0;
  rep->persons = m->n, rep->evaluations += m->evaluations;
  for (int64_t i = 0; i < m->n; ++i) {
    const int32_t fl = m->flag[i];
    rep->fitted += !(fl & (TW_FIT_NO_DATA | TW_FIT_SIM_FAILED));
    rep->flagged += fl != 0, rep->no_data += (fl & TW_FIT_NO_DATA) != 0;
    rep->not_converged += (fl & TW_FIT_NOT_CONVERGED) != 0, rep->poor += (fl & TW_FIT_POOR_FIT) != 0;
    rep->chain_not_converged += (fl & TW_FIT_CHAIN_NOT_CONVERGED) != 0;
    if (v && m->rms[i] == m->rms[i]) v[k++] = m->rms[i];
  }
  if (v && k) qsort(v, (size_t)k, sizeof *v, cmp_double);
  rep->median_rms = v && k ? v[k / 2] : NAN;
  free(v);
}

/* The sampler's options from the config. */
static tw_fit_mcmc_opts sampler_opts(const tw_twin_fit_sampler_cfg *c) {
  tw_fit_mcmc_opts o = tw_fit_mcmc_defaults();
  o.walkers = (int)c->walkers, o.steps = (int)c->steps, o.burn_in = (int)c->burn_in, o.draws = (int)c->draws;
  o.inflate = c->inflate, o.seed = (uint64_t)c->seed;
  return o;
}

/* MAP then the sampler over every person of d (each person's stream keyed by its records row = rows[i] = i). */
static tw_status fit_posterior(const tw_twin_fit_config *c, const tw_fit_sim *s, const tw_fit_data *d,
                               const tw_fit_prior *pr, const int64_t *rows, tw_fit_map_result *m,
                               tw_fit_mcmc_result *mc) {
  tw_fit_map_opts mo = tw_fit_map_defaults();
  mo.max_iter = (int)c->max_iter;
  TW_TRY(tw_fit_map(s, d, pr, &mo, m));
  const tw_fit_mcmc_opts so = sampler_opts(&c->sampler);
  tw_status st = tw_fit_mcmc(s, d, pr, m, rows, &so, mc);
  if (st != TW_OK) {
    tw_fit_map_result_free(m);
    return st;
  }
  for (int64_t i = 0; i < m->n; ++i) m->flag[i] |= mc->flag[i];
  return TW_OK;
}

/* This rank's share of the persons, rows [lo, hi) of the records
** (tw_dist_block_range), fitted on s into lm and lmc (freed on failure). */
static tw_status fit_share(const tw_twin_fit_config *c, const tw_fit_sim *s, const tw_records *r,
                           const tw_dist *dist, const tw_fit_data_opts *win, const tw_fit_prior *pr,
                           tw_fit_map_result *lm, tw_fit_mcmc_result *lmc) {
  int64_t lo, hi;
  tw_dist_block_range(r->n, dist->rank, dist->size, &lo, &hi);
  int64_t *rows = malloc(sizeof(int64_t) * (size_t)(hi - lo) + 1);
  if (!rows) return TW_FAIL(TW_ERR_NOMEM, "twin fit: out of memory");
  for (int64_t i = lo; i < hi; ++i) rows[i - lo] = i;
  tw_fit_data d;
  tw_status st = tw_fit_data_build(r, rows, hi - lo, win, &d);
  if (st == TW_OK) {
    st = fit_posterior(c, s, &d, pr, rows, lm, lmc);
    tw_fit_data_free(&d);
  }
  free(rows);
  return st;
}

/* Every rank fits its share; the results are gathered; rank 0 predicts and writes. */
static tw_status fit_records(const tw_twin_fit_config *c, const tw_cfg_doc *doc, const tw_records *r,
                             const tw_dist *dist, tw_twin_fit_report *rep) {
  tw_fit_prior pr;
  if (tw_fit_prior_build(&tw_pack_t1d, (const char *const *)c->parameters, c->n_parameters, &pr) != TW_OK)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "parameters", c->mark), "parameters: %s", tw_error_message());
  const double basal = pr.base[TW_T1D_P_u2ss] * pr.base[TW_T1D_P_BW] / 6000.0;
  tw_fit_data_opts win = {(c->fit_days[0] - 1) * 1440.0, c->fit_days[1] * 1440.0, basal};
  tw_fit_map_result lm, m;
  tw_fit_mcmc_result lmc, mc;
  const double t0 = tw_now_seconds();
  static const char *const names[] = {"auto", "cpu", "cuda"};
  tw_backend *be = NULL;
  tw_status mine = tw_backend_open(names[c->backend], dist->local_rank, &be); /* a rank's GPU: its local rank's */
  if (mine == TW_OK) {
    snprintf(rep->backend, sizeof rep->backend, "%s (%s)", be->name, be->why);
    const tw_fit_sim s = tw_fit_sim_on(be);
    mine = fit_share(c, &s, r, dist, &win, &pr, &lm, &lmc);
    tw_backend_close(be);
  }
  tw_status st = tw_dist_agree(dist, mine);
  if (st == TW_OK) st = tw_fit_gather(dist, r->n, &lm, &lmc, &m, &mc);
  if (mine == TW_OK) tw_fit_map_result_free(&lm), tw_fit_mcmc_result_free(&lmc);
  TW_TRY(st);
  rep->seconds = tw_now_seconds() - t0;
  rep->evaluations = mc.evaluations;
  summarise(&m, rep);
  if (dist->rank != 0) {
    tw_fit_map_result_free(&m);
    tw_fit_mcmc_result_free(&mc);
    return TW_OK;
  }
  fit_out o;
  memset(&o, 0, sizeof o);
  st = make_grid(r, c->predict_every, &o);
  if (st == TW_OK) st = predict(r, &win, &pr, &m, &o);
  if (st == TW_OK) st = write_file(c->output.path, doc, c, r, &m, &mc, &o);
  free(o.time), free(o.pred);
  tw_fit_map_result_free(&m);
  tw_fit_mcmc_result_free(&mc);
  return st;
}

/* A records file starts with HDF5's signature; anything else is imported. */
int tw_twin_fit_imports(const tw_twin_fit_config *c, const tw_cfg_doc *doc) {
  char path[4096];
  tw_cfg_resolve(doc, c->records, path, sizeof path);
  FILE *f = fopen(path, "rb");
  if (!f) return 1; /* a folder (Nightscout) or a missing file: the import names it */
  unsigned char sig[8] = {0};
  const size_t got = fread(sig, 1, sizeof sig, f);
  fclose(f);
  static const unsigned char hdf5[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  return got != sizeof sig || memcmp(sig, hdf5, sizeof sig) != 0;
}

/* The records: read from a records file, or imported with the salt. */
static tw_status load_records(const tw_twin_fit_config *c, const tw_cfg_doc *doc, const char *salt, char *path,
                              size_t cap, tw_records *r) {
  tw_cfg_resolve(doc, c->records, path, cap);
  if (!salt) return tw_records_read_h5(path, r);
  char persons[4096];
  if (c->persons) tw_cfg_resolve(doc, c->persons, persons, sizeof persons);
  tw_records_options opt = {.records = path, .persons = c->persons ? persons : NULL, .salt = salt,
                            .person_id = c->person_id, .weight_kg = c->weight_kg};
  return tw_records_import(&opt, r);
}

tw_status tw_twin_fit_run(const tw_twin_fit_config *c, const tw_cfg_doc *doc, const char *salt, int force,
                          const tw_dist *dist, tw_twin_fit_report *rep) {
  memset(rep, 0, sizeof *rep);
  TW_TRY(tw_dist_agree(dist, tw_run_check_output(c->output.path, force)));
  char path[4096];
  tw_records r;
  const tw_status got = load_records(c, doc, salt, path, sizeof path, &r); /* every rank reads them */
  tw_status st = tw_dist_agree(dist, got == TW_OK ? tw_records_check_usable(&r, path) : got);
  if (st == TW_OK) st = fit_records(c, doc, &r, dist, rep);
  if (got == TW_OK) tw_records_free(&r);
  return st;
}
#else
int tw_twin_fit_imports(const tw_twin_fit_config *c, const tw_cfg_doc *doc) {
  (void)c, (void)doc;
  return 0;
}

tw_status tw_twin_fit_run(const tw_twin_fit_config *c, const tw_cfg_doc *doc, const char *salt, int force,
                          const tw_dist *dist, tw_twin_fit_report *rep) {
  (void)c, (void)doc, (void)salt, (void)force, (void)dist, (void)rep;
  return TW_FAIL(TW_ERR_UNSUPPORTED, "twin fit: this build has no HDF5 (the records and twins files)");
}
#endif
