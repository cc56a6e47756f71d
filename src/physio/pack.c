/*
** pack.c: lookups by name in a pack's declaration, the parameter range check
** applied to every twin on input, and the self-check of a declaration (run on
** the built-in packs by a unit test and on every pack loaded from a library).
*/
#include "physio/pack.h" /* tw_pack */

#include <assert.h> /* a range function for every precision and integrator */
#include <math.h>   /* isfinite */
#include <string.h> /* strcmp */

/* The index of `name` in an array of structs whose first member is the name. */
#define TW_FIND_NAMED(arr, n, name)                              \
  do {                                                           \
    for (int i_ = 0; i_ < (n); ++i_)                             \
      if (name && strcmp((arr)[i_].name, (name)) == 0) return i_; \
    return -1;                                                   \
  } while (0)

int tw_pack_state_index(const tw_pack *pack, const char *name) {
  TW_FIND_NAMED(pack->states, pack->n_states, name);
}
int tw_pack_disc_index(const tw_pack *pack, const char *name) {
  TW_FIND_NAMED(pack->disc, pack->n_disc, name);
}
int tw_pack_param_index(const tw_pack *pack, const char *name) {
  TW_FIND_NAMED(pack->params, pack->n_params, name);
}
int tw_pack_input_index(const tw_pack *pack, const char *name) {
  TW_FIND_NAMED(pack->inputs, pack->n_inputs, name);
}
int tw_pack_obs_index(const tw_pack *pack, const char *name) {
  TW_FIND_NAMED(pack->obs, pack->n_obs, name);
}
int tw_pack_node_index(const tw_pack *pack, const char *name) {
  for (int i = 0; i < pack->n_nodes; ++i)
    if (name && strcmp(pack->nodes[i], name) == 0) return i;
  return -1;
}

int tw_pack_param_ok(const tw_pack *pack, int k, double v) {
  return isfinite(v) && v >= pack->params[k].lo && v <= pack->params[k].hi;
}

tw_status tw_pack_check_params(const tw_pack *pack, const double *p, const char *who) {
  for (int k = 0; k < pack->n_params; ++k) {
    const tw_pack_param *d = &pack->params[k];
    if (!tw_pack_param_ok(pack, k, p[k]))
      return TW_FAIL(TW_ERR_INPUT, "%s: parameter %s = %g %s is outside its valid range [%g, %g]",
                     who, d->name, p[k], d->unit, d->lo, d->hi);
  }
  return TW_OK;
}

/* Names in one list must be unique. */
static tw_status check_unique(const char *pack, const char *what, int n, const char *(*name)(int, const void *),
                              const void *arr) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < i; ++j)
      if (strcmp(name(i, arr), name(j, arr)) == 0)
        return TW_FAIL(TW_ERR_INTERNAL, "pack %s: %s '%s' declared twice", pack, what, name(i, arr));
  return TW_OK;
}
static const char *var_name(int i, const void *a) { return ((const tw_pack_var *)a)[i].name; }
static const char *param_name(int i, const void *a) { return ((const tw_pack_param *)a)[i].name; }
static const char *input_name(int i, const void *a) { return ((const tw_pack_input *)a)[i].name; }
static const char *obs_name(int i, const void *a) { return ((const tw_pack_obs *)a)[i].name; }

/* Every table a count announces is there, and every name and unit in it (a
** pack from a library is checked before anything reads it). */
#define TW_NAMED_OK(arr, n) ((n) >= 0 && ((n) == 0 || (arr)) && names_ok((arr), (n), sizeof *(arr)))
static int names_ok(const void *arr, int n, size_t stride) {
  for (int i = 0; i < n; ++i) {
    const char *const *f = (const char *const *)((const char *)arr + (size_t)i * stride);
    if (!f[0] || !f[1]) return 0; /* name and unit: the first two members of each entry */
  }
  return 1;
}
/* A pack's name is an identifier (it prefixes outputs and input names as
** "<pack>.<name>"); observable names become HDF5 dataset names: no '/'. */
static int identifier(const char *s) {
  if (!*s) return 0;
  for (; *s; ++s)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
      return 0;
  return 1;
}
static tw_status check_names(const tw_pack *pack, const char *nm) {
  if (!identifier(pack->name))
    return TW_FAIL(TW_ERR_INTERNAL, "pack '%s': a pack name holds only letters, digits, '_' and '-'", nm);
  for (int o = 0; o < pack->n_obs; ++o)
    if (!*pack->obs[o].name || strchr(pack->obs[o].name, '/'))
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: observable '%s': an observable's name is not empty and has no '/'", nm,
                     pack->obs[o].name);
  return TW_OK;
}

static tw_status check_tables(const tw_pack *pack, const char *nm) {
  int ok = TW_NAMED_OK(pack->states, pack->n_states) && TW_NAMED_OK(pack->disc, pack->n_disc) &&
           TW_NAMED_OK(pack->params, pack->n_params) && TW_NAMED_OK(pack->inputs, pack->n_inputs) &&
           TW_NAMED_OK(pack->obs, pack->n_obs) && pack->n_nodes >= 0 && pack->n_edges >= 0 &&
           (pack->n_nodes == 0 || pack->nodes) && (pack->n_edges == 0 || pack->edges);
  for (int i = 0; ok && i < pack->n_nodes; ++i) ok = pack->nodes[i] != NULL;
  if (!ok) return TW_FAIL(TW_ERR_INTERNAL, "pack %s: a table, name or unit is missing", nm);
  return TW_OK;
}
#undef TW_NAMED_OK

/* The fields setup reads: events name inputs of the pack, one per kind; the CGM
** observable and the body-weight parameter exist; a reference table is whole. */
static tw_status check_setup_fields(const tw_pack *pack, const char *nm) {
  if (pack->n_events < 0 || pack->n_events > TW_EVENT_N_KINDS || (pack->n_events > 0 && !pack->events))
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: n_events must be in [0, %d] with a table", nm, TW_EVENT_N_KINDS);
  int seen[TW_EVENT_N_KINDS] = {0};
  for (int e = 0; e < pack->n_events; ++e) {
    const tw_pack_event *ev = &pack->events[e];
    if (ev->kind < 0 || ev->kind >= TW_EVENT_N_KINDS || seen[ev->kind]++)
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: event %d has an unknown or repeated kind %d", nm, e, ev->kind);
    if (tw_pack_input_index(pack, ev->input) < 0)
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: event %d feeds an undeclared input '%s'", nm, e,
                     ev->input ? ev->input : "(null)");
  }
  if (pack->cgm_obs && tw_pack_obs_index(pack, pack->cgm_obs) < 0)
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: cgm_obs '%s' is not an observable", nm, pack->cgm_obs);
  if (pack->body_weight_param && tw_pack_param_index(pack, pack->body_weight_param) < 0)
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: body_weight_param '%s' is not a parameter", nm, pack->body_weight_param);
  const tw_pack_reference *r = pack->reference;
  if (r && (!r->source || !r->lines || !r->n_lines || *r->n_lines < 1 || !r->known))
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: the reference table lacks a source, lines or names", nm);
  if (pack->n_floors < 0 || (pack->n_floors > 0 && !pack->floors))
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: n_floors must be >= 0 with a table", nm);
  for (int k = 0; k < pack->n_floors; ++k)
    if (tw_pack_state_index(pack, pack->floors[k].state) < 0 || !pack->floors[k].why)
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: floor %d names no state or gives no reason", nm, k);
  if (pack->needs_drug && !pack->from_covariates)
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: needs_drug without a covariates hook", nm);
  return TW_OK;
}

tw_status tw_pack_validate(const tw_pack *pack) {
  const char *nm = pack->name ? pack->name : "(unnamed)";
  if (!pack->name || !pack->summary || !pack->init_f64 || !pack->minute_f64 || !pack->rhs_f64 ||
      !pack->observe_f64 || !pack->minute_f32 || !pack->rhs_f32 || !pack->observe_f32)
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: a name, summary or per-twin function is missing", nm);
  if (pack->n_states < 1 || pack->n_states > TW_PACK_MAX_STATES || pack->n_params > TW_PACK_MAX_PARAMS ||
      pack->n_inputs > TW_PACK_MAX_INPUTS || pack->n_disc > TW_PACK_MAX_DISC || pack->n_obs > TW_PACK_MAX_OBS)
    return TW_FAIL(TW_ERR_INTERNAL, "pack %s: a count is outside the limits of pack.h", nm);
  TW_TRY(check_tables(pack, nm));
  TW_TRY(check_names(pack, nm));
  for (int s = 0; s < pack->n_states; ++s)
    if (pack->states[s].node < -1 || pack->states[s].node >= pack->n_nodes)
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: state %s has no valid node", nm, pack->states[s].name);
  for (int o = 0; o < pack->n_obs; ++o)
    if (pack->obs[o].node < -1 || pack->obs[o].node >= pack->n_nodes)
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: observable %s has no valid node", nm, pack->obs[o].name);
  for (int e = 0; e < pack->n_edges; ++e) {
    const tw_pack_edge *ed = &pack->edges[e];
    if (ed->from < 0 || ed->from >= pack->n_nodes || ed->to < 0 || ed->to >= pack->n_nodes ||
        ed->weight_param < -1 || ed->weight_param >= pack->n_params)
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: edge %d is out of range", nm, e);
  }
  for (int k = 0; k < pack->n_params; ++k)
    if (!(pack->params[k].lo <= pack->params[k].hi))
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: parameter %s has an empty range", nm, pack->params[k].name);
  for (int o = 0; o < pack->n_obs; ++o)
    if (pack->obs[o].headline != 0 && pack->obs[o].headline != 1)
      return TW_FAIL(TW_ERR_INTERNAL, "pack %s: observable %s: headline must be 0 or 1", nm, pack->obs[o].name);
  TW_TRY(check_setup_fields(pack, nm));
  TW_TRY(check_unique(nm, "state", pack->n_states, var_name, pack->states));
  TW_TRY(check_unique(nm, "discrete variable", pack->n_disc, var_name, pack->disc));
  TW_TRY(check_unique(nm, "parameter", pack->n_params, param_name, pack->params));
  TW_TRY(check_unique(nm, "input", pack->n_inputs, input_name, pack->inputs));
  TW_TRY(check_unique(nm, "observable", pack->n_obs, obs_name, pack->obs));
  return TW_OK;
}

tw_status tw_pack_advance_blocks(const char *who, const tw_pack_ranges *ranges, int64_t block,
                                 tw_physio_batch *b, int n_minutes) {
  if (b->dtype != TW_F32 && b->dtype != TW_F64)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: batch dtype must be float32 or float64", who);
  if (b->opts.kind == TW_INTEG_RK4 && b->opts.substeps < 1)
    return TW_FAIL(TW_ERR_INPUT, "%s: rk4 needs at least 1 substep per minute", who);
  const tw_pack_range_fn fn = ranges->fn[b->dtype == TW_F32][b->opts.kind != TW_INTEG_RK4];
  assert(fn != NULL);
  const int64_t nblocks = (b->n + block - 1) / block;
#pragma omp parallel for schedule(dynamic, 1) if (nblocks > 1) /* one block: no team to wake */
  for (int64_t blk = 0; blk < nblocks; ++blk) fn(b, n_minutes, blk * block, TW_MIN(b->n, (blk + 1) * block));
  return TW_OK;
}
