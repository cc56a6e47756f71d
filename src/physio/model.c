/*
** model.c: composition of packs into one twin model (pack.h, "Composition"):
** building the part list and the couplings, the per-twin model functions, and
** the batched advance that picks the pack's fast path or integrates twin by twin.
*/
#include "physio/pack.h"      /* tw_model */
#include "physio/integrate.h" /* integrator bodies and options */

#include <string.h> /* memset, strcmp */

void tw_model_init(tw_model *m) { memset(m, 0, sizeof *m); }

/* The pack's floors at their indexes in the model's state vector (the pack
** becomes the next part: its states start at m->n_states). tw_pack_validate
** has checked that each names a state. */
static void add_floors(tw_model *m, const tw_pack *pack) {
  for (int k = 0; k < pack->n_floors; ++k) {
    const tw_pack_floor *f = &pack->floors[k];
    m->floors[m->n_floors++] = (tw_model_floor){m->n_states + tw_pack_state_index(pack, f->state), f->value,
                                                pack->name, f->state, f->why};
  }
}

int tw_model_floor_reached(const tw_model *m, const void *x, int dtype, int64_t ld, int64_t i) {
  for (int k = 0; k < m->n_floors; ++k) {
    const int64_t at = m->floors[k].state * ld + i;
    const double v = dtype == TW_PACK_F64 ? ((const double *)x)[at] : (double)((const float *)x)[at];
    if (v <= m->floors[k].value) return k;
  }
  return -1;
}

tw_status tw_model_add_pack(tw_model *m, const tw_pack *pack, int *part) {
  if (m->n_parts >= TW_MODEL_MAX_PARTS)
    return TW_FAIL(TW_ERR_INPUT, "a twin model holds at most %d packs", TW_MODEL_MAX_PARTS);
  if (tw_model_part_index(m, pack->name) >= 0)
    return TW_FAIL(TW_ERR_INPUT, "pack %s is already part of the model", pack->name);
  if (m->n_states + pack->n_states > TW_PACK_MAX_STATES)
    return TW_FAIL(TW_ERR_INPUT, "a twin model holds at most %d states", TW_PACK_MAX_STATES);
  if (m->n_floors + pack->n_floors > TW_MODEL_MAX_FLOORS)
    return TW_FAIL(TW_ERR_INPUT, "a twin model holds at most %d state floors", TW_MODEL_MAX_FLOORS);
  add_floors(m, pack);
  tw_model_part *pt = &m->parts[m->n_parts];
  pt->pack = pack;
  pt->x_off = m->n_states;
  pt->p_off = m->n_params;
  pt->u_off = m->n_inputs;
  pt->d_off = m->n_disc;
  pt->o_off = m->n_obs;
  m->n_states += pack->n_states;
  m->n_params += pack->n_params;
  m->n_inputs += pack->n_inputs;
  m->n_disc += pack->n_disc;
  m->n_obs += pack->n_obs;
  if (part) *part = m->n_parts;
  m->n_parts++;
  return TW_OK;
}

int tw_model_part_index(const tw_model *m, const char *pack_name) {
  for (int k = 0; k < m->n_parts; ++k)
    if (pack_name && strcmp(m->parts[k].pack->name, pack_name) == 0) return k;
  return -1;
}

tw_status tw_model_add_coupling(tw_model *m, const tw_coupling *c) {
  if (m->n_couplings >= TW_MODEL_MAX_COUPLINGS)
    return TW_FAIL(TW_ERR_INPUT, "a twin model holds at most %d couplings", TW_MODEL_MAX_COUPLINGS);
  if (c->src_part < 0 || c->src_part >= m->n_parts || c->dst_part < 0 || c->dst_part >= m->n_parts)
    return TW_FAIL(TW_ERR_INPUT, "coupling: part index out of range");
  if (c->src_obs < 0 || c->src_obs >= m->parts[c->src_part].pack->n_obs)
    return TW_FAIL(TW_ERR_INPUT, "coupling: observable index out of range");
  if (c->dst_param < 0 || c->dst_param >= m->parts[c->dst_part].pack->n_params)
    return TW_FAIL(TW_ERR_INPUT, "coupling: parameter index out of range");
  if (!(c->ec50 > 0.0) || !(c->hill > 0.0))
    return TW_FAIL(TW_ERR_INPUT, "coupling: ec50 and hill must be positive (got %g, %g)", c->ec50,
                   c->hill);
  if (c->kind != TW_COUPLE_EMAX && c->kind != TW_COUPLE_SIGMOID_EMAX)
    return TW_FAIL(TW_ERR_INPUT, "coupling: unknown kind %d", (int)c->kind);
  m->couplings[m->n_couplings++] = *c;
  return TW_OK;
}

tw_status tw_model_couple(tw_model *m, const char *src_pack, const char *src_obs,
                          const char *dst_pack, const char *dst_param, tw_coupling_kind kind,
                          double emax, double ec50, double hill) {
  tw_coupling c;
  memset(&c, 0, sizeof c);
  c.src_part = tw_model_part_index(m, src_pack);
  if (c.src_part < 0) return TW_FAIL(TW_ERR_INPUT, "coupling: pack '%s' is not in the model", src_pack);
  c.dst_part = tw_model_part_index(m, dst_pack);
  if (c.dst_part < 0) return TW_FAIL(TW_ERR_INPUT, "coupling: pack '%s' is not in the model", dst_pack);
  c.src_obs = tw_pack_obs_index(m->parts[c.src_part].pack, src_obs);
  if (c.src_obs < 0)
    return TW_FAIL(TW_ERR_INPUT, "coupling: pack %s has no observable '%s'", src_pack, src_obs);
  c.dst_param = tw_pack_param_index(m->parts[c.dst_part].pack, dst_param);
  if (c.dst_param < 0)
    return TW_FAIL(TW_ERR_INPUT, "coupling: pack %s has no parameter '%s'", dst_pack, dst_param);
  c.kind = kind;
  c.emax = emax;
  c.ec50 = ec50;
  c.hill = kind == TW_COUPLE_EMAX ? 1.0 : hill;
  return tw_model_add_coupling(m, &c);
}

void tw_model_init_twin_f64(const tw_model *m, const double *p, double *x, double *d) {
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_model_part *pt = &m->parts[k];
    pt->pack->init_f64(p + pt->p_off, x + pt->x_off, d + pt->d_off);
  }
}

#define TW_MODEL_REAL double
#define TW_MODEL_SUF(name) name##_f64
#include "physio/model_body.h"
#define TW_MODEL_REAL float
#define TW_MODEL_SUF(name) name##_f32
#include "physio/model_body.h"

enum { MODEL_PARALLEL_MIN = 64 }; /* twins, below which a minute runs on one thread */

tw_status tw_model_advance(const tw_model *m, tw_physio_batch *b, int64_t minute, int n_minutes) {
  if (m->n_parts < 1) return TW_FAIL(TW_ERR_INTERNAL, "tw_model_advance: empty model");
  if (b->dtype != TW_F32 && b->dtype != TW_F64)
    return TW_FAIL(TW_ERR_INTERNAL, "tw_model_advance: dtype must be float32 or float64");
  if (b->ld < b->n || n_minutes < 0)
    return TW_FAIL(TW_ERR_INTERNAL, "tw_model_advance: ld %lld < n %lld or negative minutes",
                   (long long)b->ld, (long long)b->n);
  if (b->opts.kind == TW_INTEG_RK4 && b->opts.substeps < 1)
    return TW_FAIL(TW_ERR_INPUT, "rk4 needs at least 1 substep per minute");
  const tw_pack *only = m->parts[0].pack;
  if (m->n_parts == 1 && m->n_couplings == 0 && only->advance)
    return only->advance(only, b, minute, n_minutes);
  /* Twins in parallel only when there are enough to pay for waking the team:
  ** called every simulated minute, a team over 10 twins spent most of a
  ** 2-thread run at its barrier (trial-pbpk.yaml: 96 s against 0.43 s on one
  ** thread, on a loaded machine). */
#pragma omp parallel for schedule(dynamic, 16) if (b->n >= MODEL_PARALLEL_MIN)
  for (int64_t i = 0; i < b->n; ++i) {
    if (b->flag[i] != TW_TWIN_OK) continue;
    if (b->dtype == TW_F64) model_advance_twin_f64(m, b, minute, n_minutes, i);
    else model_advance_twin_f32(m, b, minute, n_minutes, i);
  }
  return TW_OK;
}
