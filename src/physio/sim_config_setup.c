/*
** sim_config_setup.c: building a run from a `simulate` config (sim_setup.h).
**
** Nothing here names a pack: what a pack needs from the config is declared in
** its tw_pack (twinscale/pack.h): where its twins' parameters come from (a
** table, its compiled-in reference twins, or its covariates hook), which
** scenario events it consumes and into which inputs, its reference basal, the
** observable a CGM measures, and which observables are headline.
*/
#include "physio/sim_setup.h" /* tw_sim_setup */

#include "physio/controller.h" /* tw_controller_lookup, tw_controller_start */
#include "physio/integrate.h"   /* tw_integrator_defaults */
#include "physio/param_table.h" /* tw_csv, tw_param_cols */

#include "build_info.h" /* TW_HAVE_HDF5: cohort files */
#include "io/h5.h"      /* reading a cohort file */

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp, strchr */

static char *copy(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* The current error, re-raised at `mark` of the config as "<what>: <message>". */
static tw_status rethrow_at(const tw_cfg_doc *doc, tw_cfg_mark mark, const char *what) {
  char why[512];
  snprintf(why, sizeof why, "%s", tw_error_message());
  tw_error_clear();
  return tw_cfg_error_at(doc, mark, "%s: %s", what, why);
}


/* `pack: a+b` -> the model's parts; a part that is a library path is loaded
** relative to the config file's directory. */
static tw_status build_model(const tw_sim_config *c, const tw_cfg_doc *doc, tw_model *m) {
  tw_model_init(m);
  const tw_cfg_mark mark = tw_cfg_top_mark(doc, "pack");
  const char *s = c->pack;
  while (*s) {
    const char *plus = strchr(s, '+');
    size_t len = plus ? (size_t)(plus - s) : strlen(s);
    char name[1024], path[4096];
    snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name - 1 ? len : sizeof name - 1), s);
    if (tw_pack_is_path(name)) tw_cfg_resolve(doc, name, path, sizeof path);
    else snprintf(path, sizeof path, "%s", name);
    const tw_pack *pk;
    if (tw_pack_lookup(path, &pk) != TW_OK || tw_model_add_pack(m, pk, NULL) != TW_OK)
      return rethrow_at(doc, mark, "pack");
    s += len;
    if (*s == '+') ++s;
  }
  if (m->n_parts == 0) return tw_cfg_error_at(doc, mark, "pack: empty");
  return TW_OK;
}

/* ---- twins: names and parameters ---- */

/* The first part with compiled-in reference twins, or -1. */
static int reference_part(const tw_model *m) {
  for (int k = 0; k < m->n_parts; ++k)
    if (m->parts[k].pack->reference) return k;
  return -1;
}

/* True when some part takes its parameters from a table (it has no covariates hook). */
static int needs_table(const tw_model *m) {
  for (int k = 0; k < m->n_parts; ++k)
    if (!m->parts[k].pack->from_covariates) return 1;
  return 0;
}

/* The setup's range of the config's n_total twins: [id0, id0 + n) clipped to
** them (n < 0: to the end), into s->id0, s->n_twins, s->n_total. */
static void set_range(tw_sim_setup *s, int64_t n_total, int64_t id0, int64_t n) {
  s->n_total = n_total;
  s->id0 = TW_MIN(TW_MAX(id0, 0), n_total);
  s->n_twins = n < 0 ? n_total - s->id0 : TW_MIN(n, n_total - s->id0);
}

/* s->params for s->n_twins twins, zeroed; no twins is an input error naming `source`. */
static tw_status alloc_params(tw_sim_setup *s, const char *source) {
  if (s->n_total == 0) return TW_FAIL(TW_ERR_INPUT, "%s: the table has no twins", source);
  s->params = calloc((size_t)(s->n_twins * s->model.n_params) + 1, sizeof(double));
  return s->params ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for %lld twins", (long long)s->n_twins);
}

#if TW_HAVE_HDF5
/* The pack a cohort file was drawn for (root attribute `pack`, written by
** `cohort generate`; EHR imports hold covariates only and record none), or NULL. */
static char *cohort_pack(tw_h5_file *f) {
  char *made = NULL;
  if (tw_h5_attr_read_string(f, "pack", &made) != TW_OK) tw_error_clear(), made = NULL;
  return made;
}

/* A cohort drawn for a pack the run does not have, or whose parameter list
** (attribute `pack_parameters`, when recorded) names one the pack lacks. */
static tw_status check_cohort_pack(tw_h5_file *f, const tw_model *m, const char *made, const char *run_pack) {
  const int k = tw_model_part_index(m, made);
  if (k < 0)
    return TW_FAIL(TW_ERR_INPUT, "%s: a cohort drawn for pack %s (its attribute `pack`), but this run's pack is %s",
                   tw_h5_path(f), made, run_pack);
  char *list = NULL;
  if (tw_h5_attr_read_string(f, "pack_parameters", &list) != TW_OK) return tw_error_clear(), TW_OK;
  tw_status st = TW_OK;
  for (char *name = list, *comma = NULL; name && st == TW_OK; name = comma ? comma + 1 : NULL) {
    if ((comma = strchr(name, ','))) *comma = 0;
    if (tw_pack_param_index(m->parts[k].pack, name) < 0)
      st = TW_FAIL(TW_ERR_INPUT, "%s: /cohort/parameters/%s.%s: pack %s here has no parameter %s (the cohort was "
                   "drawn with another version of the pack)", tw_h5_path(f), made, name, made, name);
  }
  free(list);
  return st;
}

/* A part's parameter the file lacks, said against what the file records. */
static tw_status missing_column(tw_h5_file *f, const char *path, const tw_pack *pk, const char *made) {
  if (!made)
    return TW_FAIL(TW_ERR_INPUT, "%s: no %s: the file records no pack (no attribute `pack`: covariates only, as the EHR "
                   "import writes) and pack %s takes its parameters from it", tw_h5_path(f), path, pk->name);
  if (strcmp(made, pk->name))
    return TW_FAIL(TW_ERR_INPUT, "%s: no %s: a cohort drawn for pack %s, and pack %s takes its parameters from it",
                   tw_h5_path(f), path, made, pk->name);
  return TW_FAIL(TW_ERR_INPUT, "%s: no %s: a parameter of pack %s that this cohort for %s lacks (drawn with another "
                 "version of the pack)", tw_h5_path(f), path, pk->name, made);
}

/* The dataset of pack parameter q: "/cohort/parameters/<pack>.<param>". */
static void param_dataset(const tw_pack *pk, int q, char *path, size_t cap) {
  snprintf(path, cap, "/cohort/parameters/%s.%s", pk->name, pk->params[q].name);
}

/* True when the file lacks a parameter of pk; path is then the first missing dataset. */
static int cohort_lacks(tw_h5_file *f, const tw_pack *pk, char *path, size_t cap) {
  for (int q = 0; q < pk->n_params; ++q) {
    param_dataset(pk, q, path, cap);
    if (!tw_h5_exists(f, path)) return 1;
  }
  return 0;
}

/* Value v of parameter q of pk, at row i of dataset `path` (twin `id`), outside its valid range. */
static tw_status cohort_out_of_range(tw_h5_file *f, const char *path, const tw_pack *pk, int q, int64_t i,
                                     const char *id, double v) {
  const tw_pack_param *d = &pk->params[q];
  return TW_FAIL(TW_ERR_INPUT, "%s: %s, row %lld (from 0): twin %s: parameter %s = %g %s is outside its valid range "
                 "[%g, %g]", tw_h5_path(f), path, (long long)i, id, d->name, v, d->unit, d->lo, d->hi);
}

/* Parameter q of pk for the setup's twins from dataset `path` (n_total rows,
** those of the setup's range read) into p[i * n_params] (p: the setup's first
** twin's value of it), range-checked. */
static tw_status cohort_column(tw_h5_file *f, const char *path, const tw_pack *pk, int q, const tw_sim_setup *s,
                               double *p) {
  int rank;
  int64_t dims[TW_TENSOR_MAX_RANK] = {0};
  TW_TRY(tw_h5_shape(f, path, &rank, dims));
  if (rank != 1 || dims[0] != s->n_total)
    return TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld rows, /cohort/id %lld", tw_h5_path(f), path, (long long)dims[0],
                   (long long)s->n_total);
  tw_tensor t;
  TW_TRY(tw_h5_read_rows(f, path, TW_F64, s->id0, s->n_twins, &t));
  const double *v = t.data;
  tw_status st = TW_OK;
  for (int64_t i = 0; i < s->n_twins && st == TW_OK; ++i) {
    p[i * s->model.n_params] = v[i];
    if (!tw_pack_param_ok(pk, q, v[i])) st = cohort_out_of_range(f, path, pk, q, s->id0 + i, s->names[i], v[i]);
  }
  free(t.data);
  return st;
}

/* Part k's parameters from the file when it has them all (*from_file 1); a part
** without a covariates hook must have them (missing_column). */
static tw_status cohort_part(tw_h5_file *f, const char *made, int k, tw_sim_setup *s, int *from_file) {
  const tw_pack *pk = s->model.parts[k].pack;
  char path[256];
  *from_file = !cohort_lacks(f, pk, path, sizeof path);
  if (!*from_file) return pk->from_covariates ? TW_OK : missing_column(f, path, pk, made);
  for (int q = 0; q < pk->n_params; ++q) {
    param_dataset(pk, q, path, sizeof path);
    TW_TRY(cohort_column(f, path, pk, q, s, s->params + s->model.parts[k].p_off + q));
  }
  return TW_OK;
}

/* The twins of /cohort/id: their count (without reading them), then the
** names of the setup's range [id0, id0 + n). */
static tw_status cohort_names(tw_h5_file *f, int64_t id0, int64_t n, tw_sim_setup *s) {
  int rank;
  int64_t dims[TW_TENSOR_MAX_RANK] = {0};
  TW_TRY(tw_h5_shape(f, "/cohort/id", &rank, dims));
  if (rank != 1) return TW_FAIL(TW_ERR_INPUT, "%s: dataset '/cohort/id' is not a 1-D array of strings", tw_h5_path(f));
  set_range(s, dims[0], id0, n);
  return tw_h5_read_strings_rows(f, "/cohort/id", s->id0, s->n_twins, &s->names);
}

/* A cohort file (docs/cohorts.md): the names (/cohort/id) of the twins of the
** range [id0, id0 + n) and the parameters of every part it holds, read column
** by column into s; from_file[k] says which parts. */
static tw_status read_cohort(const char *path, const char *run_pack, int64_t id0, int64_t n, tw_sim_setup *s,
                             int *from_file) {
  tw_h5_file *f = NULL;
  char *made = NULL;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = (made = cohort_pack(f)) ? check_cohort_pack(f, &s->model, made, run_pack) : TW_OK;
  if (st == TW_OK) st = cohort_names(f, id0, n, s);
  if (st == TW_OK) st = alloc_params(s, path);
  for (int k = 0; k < s->model.n_parts && st == TW_OK; ++k) st = cohort_part(f, made, k, s, &from_file[k]);
  free(made);
  const tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
}
#else
static tw_status read_cohort(const char *path, const char *run_pack, int64_t id0, int64_t n, tw_sim_setup *s,
                             int *from_file) {
  (void)run_pack, (void)id0, (void)n, (void)s, (void)from_file;
  return TW_FAIL(TW_ERR_UNSUPPORTED, "%s: reading a cohort file needs a build with HDF5", path);
}
#endif

/* The table the twins' parameters come from: a pack's reference twins, the
** config's `table:`, or none (every part computes its parameters). */
static tw_status open_table(const tw_sim_config *c, const tw_cfg_doc *doc, const tw_model *m, tw_csv *t) {
  memset(t, 0, sizeof *t);
  const int rp = reference_part(m);
  if (c->twins.n_reference > 0 && rp >= 0) {
    const tw_pack_reference *r = m->parts[rp].pack->reference;
    return tw_csv_from_lines(r->source, r->lines, *r->n_lines, t);
  }
  if (c->twins.table) {
    char path[4096];
    tw_cfg_resolve(doc, c->twins.table, path, sizeof path);
    TW_TRY(tw_csv_read_file(path, t));
    if (tw_csv_col(t, "Name") < 0) {
      tw_csv_free(t);
      return TW_FAIL(TW_ERR_INPUT, "%s:1:1: missing column 'Name' (one row per twin)", path);
    }
    return TW_OK;
  }
  if (needs_table(m) && c->twins.n_reference > 0)
    return tw_cfg_error_at(doc, c->twins.mark, "twins.reference: pack %s has no reference twins (give a `table`)", c->pack);
  if (needs_table(m))
    return tw_cfg_error_at(doc, c->twins.mark, "twins: pack %s takes `reference` names or a `table`", c->pack);
  return TW_OK;
}

/* Twin i's table row and name. */
static tw_status twin_row(const tw_sim_config *c, const tw_cfg_doc *doc, const tw_model *m, const tw_csv *t,
                          int64_t i, int *row, const char **name) {
  const int ref = c->twins.n_reference > 0, from_ref_table = ref && reference_part(m) >= 0;
  *row = (int)i;
  if (from_ref_table) {
    *row = tw_csv_find_name(t, c->twins.reference[i]);
    if (*row < 0)
      return tw_cfg_error_at(doc, c->twins.reference_marks[i], "twins.reference[%lld]: unknown patient '%s' (known: %s)",
                             (long long)i, c->twins.reference[i], m->parts[reference_part(m)].pack->reference->known);
  }
  if (c->twins.table || from_ref_table) *name = t->cells[*row * t->n_cols + tw_csv_col(t, "Name")];
  else if (ref) *name = c->twins.reference[i];
  else *name = c->twins.subjects[i].name;
  return TW_OK;
}

/* What a covariates hook gets for the setup's twin i: its subject's covariates, the body
** weight another part declares (its parameters are filled first), the drug. */
static void twin_info(const tw_sim_config *c, const tw_sim_setup *s, int64_t i, const double *p,
                      const void *drug, const char *who, tw_pack_twin *tw) {
  memset(tw, 0, sizeof *tw);
  tw->name = s->names[i];
  tw->who = who;
  tw->drug = drug;
  if (c->twins.n_subjects > 0) {
    const tw_pbpk_subject_cfg *sub = &c->twins.subjects[s->id0 + i];
    tw->has_covariates = 1;
    tw->sex = sub->sex;
    tw->age_y = sub->age_y;
    tw->weight_kg = sub->weight_kg;
    tw->height_cm = sub->height_cm;
    tw->egfr = sub->egfr;
  }
  for (int k = 0; k < s->model.n_parts && tw->body_weight_kg == 0.0; ++k) {
    const tw_pack *pk = s->model.parts[k].pack;
    if (pk->body_weight_param && !pk->from_covariates)
      tw->body_weight_kg = p[s->model.parts[k].p_off + tw_pack_param_index(pk, pk->body_weight_param)];
  }
}

/* Parameters of part k from its covariates hook; an error from a twin named in
** `reference` (no reference table) points at the name. */
static tw_status part_from_covariates(const tw_sim_config *c, const tw_cfg_doc *doc, const tw_sim_setup *s,
                                     int k, int64_t i, const void *drug) {
  const tw_pack *pk = s->model.parts[k].pack;
  double *p = s->params + i * s->model.n_params;
  char who[160];
  snprintf(who, sizeof who, "twin %lld (%s)", (long long)(s->id0 + i), s->names[i]);
  int rc;
  if (pk->needs_drug && c->n_drugs != 1) {
    rc = TW_FAIL(TW_ERR_INPUT, "%s: pack %s needs one drug under drugs:", c->pack, pk->name);
  } else {
    tw_pack_twin tw;
    twin_info(c, s, i, p, drug, who, &tw);
    tw_error_clear();
    rc = pk->from_covariates(&tw, p + s->model.parts[k].p_off);
  }
  if (rc == 0) return TW_OK;
  if (!tw_error_message()[0])
    TW_FAIL(TW_ERR_INPUT, "%s: pack %s could not compute its parameters from the covariates (code %d)", who,
            pk->name, rc);
  if (c->twins.n_reference > 0 && reference_part(&s->model) < 0) {
    char what[64];
    snprintf(what, sizeof what, "twins.reference[%lld]", (long long)(s->id0 + i));
    return rethrow_at(doc, c->twins.reference_marks[s->id0 + i], what);
  }
  return tw_error_trace(TW_ERR_INPUT, __FILE__, __LINE__);
}

/* Twin i's parameters of the parts not read from a table or file (from[k] 0),
** from their covariates hooks; those read are filled already. */
static tw_status covariate_parts(const tw_sim_config *c, const tw_cfg_doc *doc, const tw_sim_setup *s,
                                 const int *from, int64_t i) {
  tw_pbpk_drug drug;
  if (c->n_drugs > 0) tw_drug_cfg_view(&c->drugs[0], &drug);
  for (int k = 0; k < s->model.n_parts; ++k)
    if (!from[k]) TW_TRY(part_from_covariates(c, doc, s, k, i, c->n_drugs > 0 ? &drug : NULL));
  return TW_OK;
}

/* Where each part's parameters come from: the table's columns cols[k] (from[k]
** 1), or its covariates hook; a part without one needs the columns. Looked up
** once per table, not per twin. */
typedef struct table_cols {
  int from[TW_MODEL_MAX_PARTS];
  int cols[TW_MODEL_MAX_PARTS][TW_PACK_MAX_PARAMS];
} table_cols;

static tw_status find_table_cols(const tw_sim_config *c, const tw_model *m, const tw_csv *t, table_cols *tc) {
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_pack *pk = m->parts[k].pack;
    tc->from[k] = !pk->from_covariates || (c->twins.table && tw_param_table_has_pack(pk, t));
    if (tc->from[k]) TW_TRY(tw_param_cols(pk, t, tc->cols[k]));
  }
  return TW_OK;
}

/* Twin i's parameters: the parts the table has from its row `row`, then the others. */
static tw_status twin_params(const tw_sim_config *c, const tw_cfg_doc *doc, const tw_sim_setup *s,
                             const tw_csv *t, const table_cols *tc, int64_t i, int row) {
  const tw_model *m = &s->model;
  double *p = s->params + i * m->n_params;
  for (int k = 0; k < m->n_parts; ++k)
    if (tc->from[k]) TW_TRY(tw_param_row_cols(m->parts[k].pack, t, tc->cols[k], row, p + m->parts[k].p_off));
  return covariate_parts(c, doc, s, tc->from, i);
}

/* The twins of a cohort file: the parts it holds from it, the others from their covariates hooks. */
static tw_status load_cohort(const tw_sim_config *c, const tw_cfg_doc *doc, int64_t id0, int64_t n, tw_sim_setup *s) {
  char path[4096];
  int from_file[TW_MODEL_MAX_PARTS] = {0};
  tw_cfg_resolve(doc, c->twins.cohort, path, sizeof path);
  TW_TRY(read_cohort(path, c->pack, id0, n, s, from_file));
  for (int64_t i = 0; i < s->n_twins; ++i) TW_TRY(covariate_parts(c, doc, s, from_file, i));
  return TW_OK;
}

/* The twins named in `reference`, the rows of `table`, or the `subjects`:
** those of the range [id0, id0 + n). */
static tw_status load_table_twins(const tw_sim_config *c, const tw_cfg_doc *doc, int64_t id0, int64_t n,
                                  tw_sim_setup *s, const tw_csv *t) {
  table_cols tc;
  set_range(s, c->twins.n_reference > 0 ? c->twins.n_reference : c->twins.table ? t->n_rows : c->twins.n_subjects,
            id0, n);
  TW_TRY(alloc_params(s, t->source));
  if (!(s->names = calloc((size_t)s->n_twins + 1, sizeof(char *))))
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory for %lld twins", (long long)s->n_twins);
  TW_TRY(find_table_cols(c, &s->model, t, &tc));
  for (int64_t i = 0; i < s->n_twins; ++i) {
    int row = 0;
    const char *name = NULL;
    TW_TRY(twin_row(c, doc, &s->model, t, s->id0 + i, &row, &name));
    if (!(s->names[i] = copy(name))) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
    TW_TRY(twin_params(c, doc, s, t, &tc, i, row));
  }
  return TW_OK;
}

static tw_status load_twins(const tw_sim_config *c, const tw_cfg_doc *doc, int64_t id0, int64_t n, tw_sim_setup *s) {
  if (c->twins.cohort) return load_cohort(c, doc, id0, n, s);
  tw_csv t;
  TW_TRY(open_table(c, doc, &s->model, &t));
  const tw_status st = load_table_twins(c, doc, id0, n, s, &t);
  tw_csv_free(&t);
  return st;
}

/* ---- the scenario as inputs ---- */

/* What the scenario asks of the packs' events, by kind: how many there are. */
static int events_given(const tw_sim_scenario_cfg *sc, int kind) {
  int n = 0;
  switch (kind) {
    case TW_EVENT_MEAL: return sc->n_meals + sc->n_random_meals;
    case TW_EVENT_BOLUS: return sc->n_boluses;
    case TW_EVENT_BASAL: return !sc->basal_is_reference;
    default:
      for (int i = 0; i < sc->n_doses; ++i) n += TW_EVENT_DOSE_ORAL + sc->doses[i].route == kind;
      return n;
  }
}

static const char *const event_noun[TW_EVENT_N_KINDS] = {
    "meals", "boluses", "a basal rate (basal_u_per_h)", "oral doses", "iv_bolus doses", "iv_infusion doses"};

/* The model input (index into the concatenated inputs) that events of `kind`
** feed in part k, or -1. */
static int event_input(const tw_model *m, int k, int kind) {
  const tw_pack *pk = m->parts[k].pack;
  for (int e = 0; e < pk->n_events; ++e)
    if (pk->events[e].kind == kind) return m->parts[k].u_off + tw_pack_input_index(pk, pk->events[e].input);
  return -1;
}

static int any_part_takes(const tw_model *m, int kind) {
  for (int k = 0; k < m->n_parts; ++k)
    if (event_input(m, k, kind) >= 0) return 1;
  return 0;
}

/* Scenario entries that no pack of the model takes are errors. */
static tw_status check_events_taken(const tw_sim_config *c, const tw_cfg_doc *doc, const tw_model *m, int has_pump) {
  const tw_sim_scenario_cfg *sc = &c->scenario;
  for (int kind = 0; kind < TW_EVENT_N_KINDS; ++kind)
    if (events_given(sc, kind) && !any_part_takes(m, kind))
      return tw_cfg_error_at(doc, sc->mark, "scenario: %s need a pack that takes them (pack is %s)", event_noun[kind], c->pack);
  if (has_pump && !any_part_takes(m, TW_EVENT_BOLUS) && !any_part_takes(m, TW_EVENT_BASAL))
    return tw_cfg_error_at(doc, sc->mark, "scenario.pump: an insulin pump needs a pack that takes insulin (pack is %s)", c->pack);
  return TW_OK;
}

/* The model input a `scenario.inputs` entry names ("<input>" or "<pack>.<input>"). */
static tw_status named_input(const tw_cfg_doc *doc, const tw_model *m, const tw_sim_input_event *ev, int i, int *out) {
  const char *dot = strchr(ev->input, '.');
  *out = -1;
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_pack *pk = m->parts[k].pack;
    const size_t plen = dot ? (size_t)(dot - ev->input) : 0;
    if (dot && (strlen(pk->name) != plen || strncmp(pk->name, ev->input, plen) != 0)) continue;
    const int j = tw_pack_input_index(pk, dot ? dot + 1 : ev->input);
    if (j < 0) continue;
    if (*out >= 0)
      return tw_cfg_error_at(doc, ev->mark, "scenario.inputs[%d].input: '%s' is an input of several packs (write <pack>.%s)",
                             i, ev->input, ev->input);
    *out = m->parts[k].u_off + j;
  }
  if (*out < 0) return tw_cfg_error_at(doc, ev->mark, "scenario.inputs[%d].input: no pack of the model has an input '%s'", i, ev->input);
  return TW_OK;
}

/* Per-twin constant rate of the basal input of part k (U/min, pump-quantised). */
static void add_basal(const tw_sim_scenario_cfg *sc, const tw_pump_spec *pump, tw_sim_setup *s, int k, int input) {
  const tw_model_part *pt = &s->model.parts[k];
  for (int64_t i = 0; i < s->n_twins; ++i) {
    const double *p = s->params + i * s->model.n_params + pt->p_off;
    const double basal = !sc->basal_is_reference ? sc->basal_u_per_h / 60.0 : pt->pack->basal ? pt->pack->basal(p) : 0.0;
    s->inputs.base[(int64_t)input * s->n_twins + i] = pump ? tw_pump_basal(pump, basal) : basal;
  }
}

/* The events of `kind` onto model input `input`. */
static tw_status add_events(const tw_sim_scenario_cfg *sc, const tw_pump_spec *pump, tw_sim_inputs *in, int kind, int input) {
  if (kind == TW_EVENT_MEAL)
    for (int i = 0; i < sc->n_meals; ++i)
      TW_TRY(tw_sim_inputs_add(in, input, sc->meals[i].time_min, sc->meals[i].time_min + 1, sc->meals[i].carbs_g));
  if (kind == TW_EVENT_BOLUS)
    for (int i = 0; i < sc->n_boluses; ++i) {
      const double u = pump ? tw_pump_bolus(pump, sc->boluses[i].units) : sc->boluses[i].units;
      TW_TRY(tw_sim_inputs_add(in, input, sc->boluses[i].time_min, sc->boluses[i].time_min + 1, u));
    }
  for (int i = 0; i < sc->n_doses; ++i) {
    const tw_sim_dose *d = &sc->doses[i];
    if (TW_EVENT_DOSE_ORAL + d->route != kind) continue;
    const int64_t len = kind == TW_EVENT_DOSE_IV_INFUSION ? d->duration_min : 1;
    TW_TRY(tw_sim_inputs_add(in, input, d->time_min, d->time_min + len, d->mg / (double)len));
  }
  return TW_OK;
}

/* scenario.random_meals onto model input `input`, keyed by the run seed. */
static tw_status add_random_meals(const tw_sim_config *c, tw_sim_inputs *in, int input) {
  tw_meal_slot slots[TW_MEAL_SLOTS_MAX];
  const tw_sim_scenario_cfg *sc = &c->scenario;
  for (int k = 0; k < sc->n_random_meals; ++k) {
    const tw_sim_random_meal *r = &sc->random_meals[k];
    slots[k] = (tw_meal_slot){r->probability, r->time_mean_min, r->time_sd_min, r->time_lo_min,
                              r->time_hi_min, r->carbs_mean_g, r->carbs_sd_g, r->carbs_min_g};
  }
  return tw_sim_inputs_random_meals(in, input, slots, sc->n_random_meals, (uint64_t)c->seed);
}

/* The scenario's events and per-twin basal as model inputs. */
static tw_status build_inputs(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s) {
  const tw_model *m = &s->model;
  const tw_sim_scenario_cfg *sc = &c->scenario;
  TW_TRY(tw_sim_inputs_init(&s->inputs, m->n_inputs, c->duration_min, s->n_twins));
  s->inputs.id0 = (uint64_t)s->id0; /* random meals by global id, whatever the range */
  const int has_pump = strcmp(sc->pump, "none") != 0;
  if (has_pump && !(s->pump = calloc(1, sizeof *s->pump))) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  if (has_pump && tw_pump_spec_load(sc->pump, s->pump) != TW_OK) return rethrow_at(doc, sc->mark, "scenario.pump");
  TW_TRY(check_events_taken(c, doc, m, has_pump));
  for (int k = 0; k < m->n_parts; ++k)
    for (int kind = 0; kind < TW_EVENT_N_KINDS; ++kind) {
      const int input = event_input(m, k, kind);
      if (input < 0) continue;
      if (kind == TW_EVENT_BASAL) add_basal(sc, s->pump, s, k, input);
      else TW_TRY(add_events(sc, s->pump, &s->inputs, kind, input));
      if (kind == TW_EVENT_MEAL && sc->n_random_meals > 0 && s->inputs.n_meal_slots == 0)
        TW_TRY(add_random_meals(c, &s->inputs, input)); /* the first part taking meals */
    }
  for (int i = 0; i < sc->n_inputs; ++i) {
    const tw_sim_input_event *ev = &sc->inputs[i];
    int input;
    TW_TRY(named_input(doc, m, ev, i, &input));
    TW_TRY(tw_sim_inputs_add(&s->inputs, input, ev->time_min, ev->time_min + ev->duration_min,
                             ev->amount / (double)ev->duration_min));
  }
  return TW_OK;
}

/* ---- devices and outputs ---- */

/* The model observable a CGM measures: that of the first part declaring one, or -1. */
static int cgm_source(const tw_model *m) {
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_pack *pk = m->parts[k].pack;
    if (pk->cgm_obs) return m->parts[k].o_off + tw_pack_obs_index(pk, pk->cgm_obs);
  }
  return -1;
}

static tw_status build_sensor(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s) {
  if (strcmp(c->sensor.name, "none") == 0) return TW_OK;
  if (cgm_source(&s->model) < 0)
    return tw_cfg_error_at(doc, c->sensor.mark, "sensor.name: a CGM needs a pack with a glucose observable to read (pack is %s)",
                           c->pack);
  s->cgm = calloc(1, sizeof *s->cgm);
  if (!s->cgm) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  if (tw_cgm_spec_load(c->sensor.name, c->sensor.noise, s->cgm) != TW_OK) return rethrow_at(doc, c->sensor.mark, "sensor.name");
  return TW_OK;
}

/* Names, units and headline flags of the written observables: a part's
** observables under their own names for a one-pack model, "<pack>.<name>"
** otherwise; then cgm (headline). */
/* "name", or "pack.name" when packs are joined (as observables are written). */
static char *part_name(const tw_model *m, const tw_pack *pk, const char *name) {
  char buf[160];
  if (m->n_parts == 1) snprintf(buf, sizeof buf, "%s", name);
  else snprintf(buf, sizeof buf, "%s.%s", pk->name, name);
  return copy(buf);
}

/* Names and units of the states and inputs under /states and /inputs. */
static tw_status build_state_outputs(tw_sim_setup *s) {
  const tw_model *m = &s->model;
  s->state_names = calloc((size_t)m->n_states + 1, sizeof(char *));
  s->state_units = calloc((size_t)m->n_states + 1, sizeof(char *));
  s->input_names = calloc((size_t)m->n_inputs + 1, sizeof(char *));
  s->input_units = calloc((size_t)m->n_inputs + 1, sizeof(char *));
  if (!s->state_names || !s->state_units || !s->input_names || !s->input_units)
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_pack *pk = m->parts[k].pack;
    for (int j = 0; j < pk->n_states; ++j) {
      s->state_names[m->parts[k].x_off + j] = part_name(m, pk, pk->states[j].name);
      s->state_units[m->parts[k].x_off + j] = copy(pk->states[j].unit);
    }
    for (int j = 0; j < pk->n_inputs; ++j) {
      s->input_names[m->parts[k].u_off + j] = part_name(m, pk, pk->inputs[j].name);
      s->input_units[m->parts[k].u_off + j] = copy(pk->inputs[j].unit);
    }
  }
  for (int k = 0; k < m->n_states; ++k)
    if (!s->state_names[k] || !s->state_units[k]) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  for (int k = 0; k < m->n_inputs; ++k)
    if (!s->input_names[k] || !s->input_units[k]) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  return TW_OK;
}

static tw_status build_outputs(tw_sim_setup *s) {
  const tw_model *m = &s->model;
  s->n_out = m->n_obs + (s->cgm ? 1 : 0);
  s->out_names = calloc((size_t)s->n_out, sizeof(char *));
  s->out_units = calloc((size_t)s->n_out, sizeof(char *));
  s->out_headline = calloc((size_t)s->n_out + 1, sizeof(int));
  if (!s->out_names || !s->out_units || !s->out_headline) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_pack *pk = m->parts[k].pack;
    for (int j = 0; j < pk->n_obs; ++j) {
      s->out_names[m->parts[k].o_off + j] = part_name(m, pk, pk->obs[j].name);
      s->out_units[m->parts[k].o_off + j] = copy(pk->obs[j].unit);
      s->out_headline[m->parts[k].o_off + j] = pk->obs[j].headline;
    }
  }
  if (s->cgm) {
    s->out_names[m->n_obs] = copy("cgm");
    s->out_units[m->n_obs] = copy("mg/dL");
    s->out_headline[m->n_obs] = 1;
  }
  for (int k = 0; k < s->n_out; ++k)
    if (!s->out_names[k] || !s->out_units[k]) return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  return TW_OK;
}

/* ---- a controller in the loop ---- */

/* The part whose inputs take boluses and meals (the controller's), or -1. */
static int insulin_part(const tw_model *m) {
  for (int k = 0; k < m->n_parts; ++k)
    if (event_input(m, k, TW_EVENT_BOLUS) >= 0 && event_input(m, k, TW_EVENT_MEAL) >= 0 && m->parts[k].pack->basal)
      return k;
  return -1;
}

/* The controller scenario.controller names: a built-in, or a library path
** taken relative to the config file's directory (as pack libraries); its
** errors point at the value. */
static tw_status find_controller(const char *value, const tw_cfg_doc *doc, tw_cfg_mark at, const char *key,
                                 const tw_controller **ctl) {
  char path[4096];
  if (tw_pack_is_path(value)) tw_cfg_resolve(doc, value, path, sizeof path);
  else snprintf(path, sizeof path, "%s", value);
  return tw_controller_lookup(path, ctl) == TW_OK ? TW_OK : rethrow_at(doc, at, key);
}

/* The reference patient of each of the setup's twins of a cohort file
** (/cohort/reference, the setup's rows), or *refs NULL when the twins come
** from elsewhere. */
static tw_status cohort_references(const tw_sim_config *c, const tw_cfg_doc *doc, const tw_sim_setup *s, char ***refs) {
  *refs = NULL;
#if TW_HAVE_HDF5
  if (!c->twins.cohort) return TW_OK;
  char path[4096];
  int rank;
  int64_t n[TW_TENSOR_MAX_RANK] = {0};
  tw_h5_file *f;
  tw_cfg_resolve(doc, c->twins.cohort, path, sizeof path);
  TW_TRY(tw_h5_open(path, NULL, &f));
  const int has = tw_h5_exists(f, "/cohort/reference");
  tw_status st = has ? tw_h5_shape(f, "/cohort/reference", &rank, n) : TW_OK;
  if (st == TW_OK && has && n[0] != s->n_total)
    st = TW_FAIL(TW_ERR_INPUT, "%s: /cohort/reference has %lld rows for %lld twins", path, (long long)n[0], (long long)s->n_total);
  if (st == TW_OK && has) st = tw_h5_read_strings_rows(f, "/cohort/reference", s->id0, s->n_twins, refs);
  const tw_status cst = tw_h5_close(f);
  return st != TW_OK ? st : cst;
#else
  (void)c, (void)doc, (void)s;
  return TW_OK;
#endif
}

/* Every twin's controller state, from its name (or reference patient), reference
** basal and the gains. */
static tw_status start_controller(const tw_controller *ctl, const tw_sim_controller_params_cfg *g, int k,
                                  char *const *refs, tw_sim_setup *s) {
  const tw_model *m = &s->model;
  tw_controller_twin *twins = calloc((size_t)s->n_twins + 1, sizeof *twins);
  if (!twins || !(s->ctl_state = calloc((size_t)(s->n_twins * ctl->n_state) + 1, sizeof(double)))) {
    free(twins);
    return TW_FAIL(TW_ERR_NOMEM, "simulate: out of memory");
  }
  for (int64_t i = 0; i < s->n_twins; ++i) {
    const double *p = s->params + i * m->n_params + m->parts[k].p_off;
    twins[i] = (tw_controller_twin){.name = s->names[i], .basal_u_per_min = m->parts[k].pack->basal(p),
                                    .gains = {g->p, g->i, g->d, g->target}, .reference = refs ? refs[i] : NULL};
  }
  const tw_status st = tw_controller_start(ctl, s->n_twins, twins, s->ctl_state);
  free(twins);
  return st;
}

/* scenario.controller: the controller, its inputs, and every twin's state. */
static tw_status build_controller(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s) {
  const tw_sim_scenario_cfg *sc = &c->scenario;
  if (strcmp(sc->controller, "none") == 0)
    return sc->controller_params.mark.line ? tw_cfg_error_at(doc, sc->controller_params.mark,
                                                             "scenario.controller_params: set scenario.controller (pid)")
                                           : TW_OK;
  const char *key = sc->controller_key ? sc->controller_key : "scenario.controller";
  const tw_cfg_mark at = sc->controller_key ? sc->controller_at : tw_cfg_path_mark(doc, "scenario.controller");
  const tw_controller *ctl;
  TW_TRY(find_controller(sc->controller, doc, at, key, &ctl));
  const tw_model *m = &s->model;
  const int k = insulin_part(m);
  if (k < 0)
    return tw_cfg_error_at(doc, sc->mark, "scenario.controller: %s needs a pack that takes meals, boluses and basal (pack is %s)",
                           ctl->name, c->pack);
  if (!s->cgm) return tw_cfg_error_at(doc, sc->mark, "scenario.controller: %s decides on a sensor's readings: set sensor.name", ctl->name);
  if (sc->n_boluses || !sc->basal_is_reference)
    return tw_cfg_error_at(doc, sc->mark, "scenario.controller: %s doses the insulin; leave out boluses and basal_u_per_h", ctl->name);
  const tw_sim_controller_params_cfg *g = &sc->controller_params;
  if (g->mark.line && !ctl->uses_gains)
    return tw_cfg_error_at(doc, g->mark, "scenario.controller_params: %s takes none (pid does)", ctl->name);
  char **refs;
  TW_TRY(cohort_references(c, doc, s, &refs));
  const tw_status st = start_controller(ctl, g, k, refs, s);
  for (int64_t i = 0; refs && i < s->n_twins; ++i) free(refs[i]);
  free(refs);
  if (st != TW_OK) return rethrow_at(doc, at, key);
  s->plan.controller = ctl;
  s->plan.ctl_state = s->ctl_state;
  s->plan.ctl_insulin_input = event_input(m, k, TW_EVENT_BOLUS);
  s->plan.ctl_meal_input = event_input(m, k, TW_EVENT_MEAL);
  return TW_OK;
}

static void build_plan(const tw_sim_config *c, tw_sim_setup *s) {
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
  pl->cgm_source_obs = s->cgm ? cgm_source(&s->model) : 0;
  pl->seed = (uint64_t)c->seed;
  pl->record = 1;
  pl->states = c->output.states;
  pl->pump = s->pump;
}

tw_status tw_sim_setup_build_range(const tw_sim_config *c, const tw_cfg_doc *doc, int64_t id0, int64_t n,
                                   tw_sim_setup *s) {
  memset(s, 0, sizeof *s);
  TW_TRY(build_model(c, doc, &s->model));
  TW_TRY(load_twins(c, doc, id0, n, s));
  for (int i = 0; i < c->n_pd; ++i) TW_TRY(tw_pd_cfg_couple(&s->model, &c->pd[i], doc));
  TW_TRY(build_inputs(c, doc, s));
  TW_TRY(build_sensor(c, doc, s));
  TW_TRY(build_outputs(s));
  if (c->output.states) TW_TRY(build_state_outputs(s));
  build_plan(c, s);
  return build_controller(c, doc, s);
}

tw_status tw_sim_setup_build(const tw_sim_config *c, const tw_cfg_doc *doc, tw_sim_setup *s) {
  return tw_sim_setup_build_range(c, doc, 0, -1, s);
}

static void free_names(char **a, int n) {
  for (int k = 0; a && k < n; ++k) free(a[k]);
  free(a);
}

void tw_sim_setup_free(tw_sim_setup *s) {
  for (int64_t i = 0; s->names && i < s->n_twins; ++i) free(s->names[i]);
  for (int k = 0; s->out_names && k < s->n_out; ++k) free(s->out_names[k]);
  for (int k = 0; s->out_units && k < s->n_out; ++k) free(s->out_units[k]);
  free(s->names);
  free(s->params);
  free(s->out_names);
  free(s->out_units);
  free(s->out_headline);
  free_names(s->state_names, s->model.n_states);
  free_names(s->state_units, s->model.n_states);
  free_names(s->input_names, s->model.n_inputs);
  free_names(s->input_units, s->model.n_inputs);
  free(s->cgm);
  free(s->pump);
  free(s->ctl_state);
  tw_sim_inputs_free(&s->inputs);
  memset(s, 0, sizeof *s);
}
