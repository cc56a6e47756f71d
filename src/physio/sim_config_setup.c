/*
** sim_config_setup.c: building a run from a `simulate` config (sim_setup.h).
*/
#include "physio/sim_setup.h" /* tw_sim_setup */

#include "physio/integrate.h"   /* tw_integrator_defaults */
#include "physio/param_table.h" /* tw_csv, the compiled-in patients */
#include "physio/pbpk_drug.h"     /* tw_pbpk_twin_params */
#include "physio/t1d.h"         /* t1d parameter and input indexes */

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp, strchr */

static char *copy(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* `pack: a+b` -> the model's parts. */
static tw_status build_model(const tw_sim_config *c, const tw_cfg_doc *doc, tw_model *m) {
  tw_model_init(m);
  const char *s = c->pack;
  while (*s) {
    const char *plus = strchr(s, '+');
    size_t len = plus ? (size_t)(plus - s) : strlen(s);
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(len < 63 ? len : 63), s);
    const tw_pack *pk;
    if (tw_pack_lookup(name, &pk) != TW_OK) {
      char why[256];
      snprintf(why, sizeof why, "%s", tw_error_message());
      tw_error_clear();
      return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "pack"), "pack: %s", why);
    }
    if (tw_model_add_pack(m, pk, NULL) != TW_OK) {
      char why[256];
      snprintf(why, sizeof why, "%s", tw_error_message());
      tw_error_clear();
      return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "pack"), "pack: %s", why);
    }
    s += len;
    if (*s == '+') ++s;
  }
  if (m->n_parts == 0) return tw_cfg_error_at(doc, tw_cfg_top_mark(doc, "pack"), "pack: empty");
  return TW_OK;
}

/* A table path relative to the config's directory. */
static void resolve(const tw_cfg_doc *doc, const char *path, char *out, size_t cap) {
  const char *cfg = tw_cfg_path(doc);
  const char *slash = cfg ? strrchr(cfg, '/') : NULL;
  if (path[0] == '/' || !slash) snprintf(out, cap, "%s", path);
  else snprintf(out, cap, "%.*s/%s", (int)(slash - cfg), cfg, path);
}

/* pbpk parameters of twin i from its covariates and the run's drug: subjects[i]
** when given; for pack pbpk alone a reference name (icrp_male, icrp_female); with
** t1d reference patients, the ICRP reference male at the patient's body weight. */
static tw_status pbpk_row(const tw_sim_config *c, const tw_sim_setup *s, int64_t i, double *p) {
  const tw_model *m = &s->model;
  const int k = tw_model_part_index(m, "pbpk"), t1d = tw_model_part_index(m, "t1d");
  if (c->n_drugs != 1) return TW_FAIL(TW_ERR_INPUT, "%s: pack pbpk needs one drug under drugs:", c->pack);
  char who[160];
  snprintf(who, sizeof who, "twin %lld (%s)", (long long)i, s->names[i]);
  tw_pbpk_covariates cov;
  if (c->twins.n_subjects > 0) {
    tw_pbpk_subject_cfg_view(&c->twins.subjects[i], &cov);
  } else if (t1d >= 0) {
    TW_TRY(tw_pbpk_reference_covariates(TW_PBPK_MALE, &cov));
    cov.weight_kg = p[m->parts[t1d].p_off + TW_T1D_P_BW];
  } else {
    TW_TRY(tw_pbpk_reference_by_name(s->names[i], &cov, who));
  }
  tw_pbpk_drug drug;
  tw_drug_cfg_view(&c->drugs[0], &drug);
  return tw_pbpk_twin_params(&cov, &drug, p + m->parts[k].p_off, who);
}

static tw_status load_twins(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s) {
  const tw_model *m = &s->model;
  const int t1d = tw_model_part_index(m, "t1d"), pbpk = tw_model_part_index(m, "pbpk");
  const int ref = c->twins.n_reference > 0, table = c->twins.table != NULL;
  tw_csv t;
  memset(&t, 0, sizeof t);
  if (ref && t1d >= 0) {
    TW_TRY(tw_t1d_builtin_table("vpatient_params.csv", &t));
  } else if (table) {
    char path[4096];
    resolve(doc, c->twins.table, path, sizeof path);
    TW_TRY(tw_csv_read_file(path, &t));
    if (tw_csv_col(&t, "Name") < 0) {
      tw_csv_free(&t);
      return TW_FAIL(TW_ERR_INPUT, "%s:1:1: missing column 'Name' (one row per twin)", path);
    }
  } else if (pbpk < 0) {
    return tw_cfg_error_at(doc, c->twins.mark, "twins: pack %s takes `reference` names or a `table`", c->pack);
  }
  /* params from the table for every part except pbpk, which comes from covariates
  ** and the drug unless the table has its columns */
  s->n_twins = ref ? c->twins.n_reference : table ? t.n_rows : c->twins.n_subjects;
  tw_status st = TW_OK;
  s->names = calloc((size_t)s->n_twins + 1, sizeof(char *));
  s->params = calloc((size_t)(s->n_twins * m->n_params) + 1, sizeof(double));
  if (!s->names || !s->params) st = TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for %lld twins", (long long)s->n_twins);
  if (st == TW_OK && s->n_twins == 0) st = TW_FAIL(TW_ERR_INPUT, "%s: the table has no twins", t.source);
  for (int64_t i = 0; i < s->n_twins && st == TW_OK; ++i) {
    int r = (int)i;
    const char *name = NULL;
    if (ref && t1d >= 0) {
      r = tw_csv_find_name(&t, c->twins.reference[i]);
      if (r < 0) {
        st = tw_cfg_error_at(doc, c->twins.reference_marks[i],
                             "twins.reference[%lld]: unknown patient '%s' (known: adolescent#001..#010, adult#001..#010, child#001..#010)",
                             (long long)i, c->twins.reference[i]);
        break;
      }
    }
    if (table || (ref && t1d >= 0)) name = t.cells[r * t.n_cols + tw_csv_col(&t, "Name")];
    else if (ref) name = c->twins.reference[i];
    else name = c->twins.subjects[i].name;
    s->names[i] = copy(name);
    if (!s->names[i]) st = TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
    double *p = s->params + i * m->n_params;
    const int pbpk_from_table = table && pbpk >= 0 && tw_param_table_has_pack(m->parts[pbpk].pack, &t);
    for (int k = 0; k < m->n_parts && st == TW_OK; ++k)
      if (k != pbpk || pbpk_from_table) st = tw_param_row(m->parts[k].pack, &t, r, p + m->parts[k].p_off);
    if (st == TW_OK && pbpk >= 0 && !pbpk_from_table) {
      st = pbpk_row(c, s, i, p);
      if (st != TW_OK && ref && t1d < 0) { /* point at the unknown reference name */
        char why[256];
        snprintf(why, sizeof why, "%s", tw_error_message());
        tw_error_clear();
        st = tw_cfg_error_at(doc, c->twins.reference_marks[i], "twins.reference[%lld]: %s", (long long)i, why);
      }
    }
  }
  tw_csv_free(&t);
  return st;
}

/* The scenario's events and per-twin basal as model inputs. */
static tw_status build_inputs(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s) {
  const tw_model *m = &s->model;
  const tw_sim_scenario_cfg *sc = &c->scenario;
  TW_TRY(tw_sim_inputs_init(&s->inputs, m->n_inputs, c->duration_min, s->n_twins));
  const int t1d = tw_model_part_index(m, "t1d"), pbpk = tw_model_part_index(m, "pbpk");
  tw_pump_spec pump;
  const int has_pump = strcmp(sc->pump, "none") != 0;
  if (has_pump && tw_pump_spec_load(sc->pump, &pump) != TW_OK) {
    char why[256];
    snprintf(why, sizeof why, "%s", tw_error_message());
    tw_error_clear();
    return tw_cfg_error_at(doc, sc->mark, "scenario.pump: %s", why);
  }
  if (t1d < 0 && (sc->n_meals || sc->n_boluses || !sc->basal_is_reference || has_pump))
    return tw_cfg_error_at(doc, sc->mark, "scenario: basal, meals, boluses and pump need pack t1d (pack is %s)", c->pack);
  if (pbpk < 0 && sc->n_doses)
    return tw_cfg_error_at(doc, sc->doses[0].mark, "scenario.doses: drug doses need pack pbpk (pack is %s)", c->pack);
  if (t1d >= 0) {
    const tw_model_part *pt = &m->parts[t1d];
    const int cho = pt->u_off + TW_T1D_U_CHO, ins = pt->u_off + TW_T1D_U_INSULIN;
    for (int i = 0; i < sc->n_meals; ++i)
      TW_TRY(tw_sim_inputs_add(&s->inputs, cho, sc->meals[i].time_min, sc->meals[i].time_min + 1, sc->meals[i].carbs_g));
    for (int i = 0; i < sc->n_boluses; ++i) {
      const double u = has_pump ? tw_pump_bolus(&pump, sc->boluses[i].units) : sc->boluses[i].units;
      TW_TRY(tw_sim_inputs_add(&s->inputs, ins, sc->boluses[i].time_min, sc->boluses[i].time_min + 1, u));
    }
    for (int64_t i = 0; i < s->n_twins; ++i) {
      const double *p = s->params + i * m->n_params + pt->p_off;
      double basal = sc->basal_is_reference ? p[TW_T1D_P_u2ss] * p[TW_T1D_P_BW] / 6000.0 : sc->basal_u_per_h / 60.0;
      s->inputs.base[(int64_t)ins * s->n_twins + i] = has_pump ? tw_pump_basal(&pump, basal) : basal;
    }
  }
  if (pbpk >= 0) {
    const tw_model_part *pt = &m->parts[pbpk];
    static const char *const route_input[] = {"oral", "iv_bolus", "iv_infusion"};
    for (int i = 0; i < sc->n_doses; ++i) {
      const tw_sim_dose *d = &sc->doses[i];
      const int k = tw_pack_input_index(pt->pack, route_input[d->route]);
      if (k < 0) return tw_cfg_error_at(doc, d->mark, "scenario.doses[%d]: pack pbpk has no input %s", i, route_input[d->route]);
      const int64_t len = d->route == TW_ROUTE_IV_INFUSION ? d->duration_min : 1;
      TW_TRY(tw_sim_inputs_add(&s->inputs, pt->u_off + k, d->time_min, d->time_min + len, d->mg / (double)len));
    }
  }
  return TW_OK;
}

/* Names and units of the written observables: a part's observables under their
** own names for a one-pack model, "<pack>.<name>" otherwise; then cgm. */
static tw_status build_outputs(tw_sim_setup *s) {
  const tw_model *m = &s->model;
  s->n_out = m->n_obs + (s->cgm ? 1 : 0);
  s->out_names = calloc((size_t)s->n_out, sizeof(char *));
  s->out_units = calloc((size_t)s->n_out, sizeof(char *));
  if (!s->out_names || !s->out_units) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_pack *pk = m->parts[k].pack;
    for (int j = 0; j < pk->n_obs; ++j) {
      char buf[160];
      if (m->n_parts == 1) snprintf(buf, sizeof buf, "%s", pk->obs[j].name);
      else snprintf(buf, sizeof buf, "%s.%s", pk->name, pk->obs[j].name);
      s->out_names[m->parts[k].o_off + j] = copy(buf);
      s->out_units[m->parts[k].o_off + j] = copy(pk->obs[j].unit);
    }
  }
  if (s->cgm) {
    s->out_names[m->n_obs] = copy("cgm");
    s->out_units[m->n_obs] = copy("mg/dL");
  }
  for (int k = 0; k < s->n_out; ++k)
    if (!s->out_names[k] || !s->out_units[k]) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  return TW_OK;
}

tw_status tw_sim_setup_build(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s) {
  memset(s, 0, sizeof *s);
  TW_TRY(build_model(c, doc, &s->model));
  TW_TRY(load_twins(c, doc, s));
  for (int i = 0; i < c->n_pd; ++i) TW_TRY(tw_pd_cfg_couple(&s->model, &c->pd[i], doc));
  TW_TRY(build_inputs(c, doc, s));
  const int t1d = tw_model_part_index(&s->model, "t1d");
  if (strcmp(c->sensor.name, "none") != 0) {
    if (t1d < 0) return tw_cfg_error_at(doc, c->sensor.mark, "sensor.name: a CGM needs pack t1d");
    s->cgm = calloc(1, sizeof *s->cgm);
    if (!s->cgm) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
    if (tw_cgm_spec_load(c->sensor.name, c->sensor.noise, s->cgm) != TW_OK) {
      char why[256];
      snprintf(why, sizeof why, "%s", tw_error_message());
      tw_error_clear();
      return tw_cfg_error_at(doc, c->sensor.mark, "sensor.name: %s", why);
    }
  }
  TW_TRY(build_outputs(s));
  tw_sim_plan *pl = &s->plan;
  pl->model = &s->model;
  pl->dtype = c->precision == TW_SIM_FLOAT32 ? TW_F32 : TW_F64;
  pl->opts = tw_integrator_defaults(c->integrator.method == 0 ? TW_INTEG_RK4 : TW_INTEG_DOPRI5);
  pl->opts.substeps = (int)c->integrator.substeps;
  pl->opts.rtol = c->integrator.rtol;
  pl->opts.atol = c->integrator.atol;
  pl->duration = c->duration_min;
  pl->every = c->output.every_min;
  pl->inputs = &s->inputs;
  pl->cgm = s->cgm;
  pl->cgm_source_obs = t1d >= 0 ? s->model.parts[t1d].o_off + TW_T1D_O_BG : 0;
  pl->seed = (uint64_t)c->seed;
  pl->record = 1;
  return TW_OK;
}

void tw_sim_setup_free(tw_sim_setup *s) {
  for (int64_t i = 0; s->names && i < s->n_twins; ++i) free(s->names[i]);
  for (int k = 0; s->out_names && k < s->n_out; ++k) free(s->out_names[k]);
  for (int k = 0; s->out_units && k < s->n_out; ++k) free(s->out_units[k]);
  free(s->names);
  free(s->params);
  free(s->out_names);
  free(s->out_units);
  free(s->cgm);
  tw_sim_inputs_free(&s->inputs);
  memset(s, 0, sizeof *s);
}
