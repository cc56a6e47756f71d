/*
** model_body.h: the per-twin functions of a composed model (several packs plus
** PD couplings) and its generic batched path, for one real type. Included twice
** by model.c with TW_MODEL_REAL and TW_MODEL_SUF defined; no include guard.
*/

void TW_MODEL_SUF(tw_model_minute)(const tw_model *m, int64_t minute, TW_MODEL_REAL *x,
                                   const TW_MODEL_REAL *p, const TW_MODEL_REAL *u,
                                   TW_MODEL_REAL *d) {
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_model_part *pt = &m->parts[k];
    pt->pack->TW_MODEL_SUF(minute)(minute, x + pt->x_off, p + pt->p_off, u + pt->u_off,
                                   d + pt->d_off);
  }
}

void TW_MODEL_SUF(tw_model_observe)(const tw_model *m, const TW_MODEL_REAL *x,
                                    const TW_MODEL_REAL *p, const TW_MODEL_REAL *d,
                                    TW_MODEL_REAL *obs) {
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_model_part *pt = &m->parts[k];
    pt->pack->TW_MODEL_SUF(observe)(x + pt->x_off, p + pt->p_off, d + pt->d_off,
                                    obs + pt->o_off);
  }
}

void TW_MODEL_SUF(tw_model_rhs)(const tw_model *m, const TW_MODEL_REAL *x,
                                const TW_MODEL_REAL *p, const TW_MODEL_REAL *u,
                                const TW_MODEL_REAL *d, TW_MODEL_REAL *p_scratch,
                                TW_MODEL_REAL *dx) {
  const TW_MODEL_REAL *pe = p;
  if (m->n_couplings > 0) {
    for (int k = 0; k < m->n_params; ++k) p_scratch[k] = p[k];
    for (int c = 0; c < m->n_couplings; ++c) {
      const tw_coupling *cp = &m->couplings[c];
      const tw_model_part *src = &m->parts[cp->src_part];
      TW_MODEL_REAL obs[TW_PACK_MAX_OBS];
      src->pack->TW_MODEL_SUF(observe)(x + src->x_off, p + src->p_off, d + src->d_off, obs);
      const double f = tw_coupling_factor(cp->kind, cp->emax, cp->ec50, cp->hill,
                                          (double)obs[cp->src_obs]);
      p_scratch[m->parts[cp->dst_part].p_off + cp->dst_param] *= (TW_MODEL_REAL)f;
    }
    pe = p_scratch;
  }
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_model_part *pt = &m->parts[k];
    pt->pack->TW_MODEL_SUF(rhs)(x + pt->x_off, pe + pt->p_off, u + pt->u_off, d + pt->d_off,
                                dx + pt->x_off);
  }
}

/* What the generic integrators pass to the model RHS. */
typedef struct TW_MODEL_SUF(model_ctx) {
  const tw_model *m;
  const TW_MODEL_REAL *p, *u, *d;
  TW_MODEL_REAL *p_scratch;
} TW_MODEL_SUF(model_ctx);

static void TW_MODEL_SUF(model_ctx_rhs)(const TW_MODEL_SUF(model_ctx) *c,
                                        const TW_MODEL_REAL *x, TW_MODEL_REAL *dx) {
  TW_MODEL_SUF(tw_model_rhs)(c->m, x, c->p, c->u, c->d, c->p_scratch, dx);
}

#define TW_INT_RK4 TW_MODEL_SUF(model_rk4)
#define TW_INT_DOPRI5 TW_MODEL_SUF(model_dopri5)
#define TW_INT_REAL TW_MODEL_REAL
#define TW_INT_NMAX TW_PACK_MAX_STATES
#define TW_INT_CTX TW_MODEL_SUF(model_ctx)
#define TW_INT_RHS TW_MODEL_SUF(model_ctx_rhs)
#include "physio/integrate_body.h"

/* Twin i of the batch through n_minutes, gathered into contiguous vectors. */
static void TW_MODEL_SUF(model_advance_twin)(const tw_model *m, tw_physio_batch *b,
                                             int64_t minute, int n_minutes, int64_t i) {
  typedef TW_MODEL_REAL real;
  const int64_t ld = b->ld;
  real *X = (real *)b->x, *D = (real *)b->d, *H = (real *)b->h;
  const real *P = (const real *)b->p, *U = (const real *)b->u;
  real x[TW_PACK_MAX_STATES], p[TW_PACK_MAX_PARAMS * TW_MODEL_MAX_PARTS];
  real ps[TW_PACK_MAX_PARAMS * TW_MODEL_MAX_PARTS], u[TW_PACK_MAX_INPUTS * TW_MODEL_MAX_PARTS];
  real d[TW_PACK_MAX_DISC * TW_MODEL_MAX_PARTS];
  for (int s = 0; s < m->n_states; ++s) x[s] = X[s * ld + i];
  for (int k = 0; k < m->n_params; ++k) p[k] = P[k * ld + i];
  for (int k = 0; k < m->n_disc; ++k) d[k] = D[k * ld + i];
  TW_MODEL_SUF(model_ctx) c;
  c.m = m;
  c.p = p;
  c.u = u;
  c.d = d;
  c.p_scratch = ps;
  real h = H ? H[i] : (real)1;
  int fl = TW_TWIN_OK;
  for (int t = 0; t < n_minutes && fl == TW_TWIN_OK; ++t) {
    for (int k = 0; k < m->n_inputs; ++k) u[k] = U[((int64_t)t * m->n_inputs + k) * ld + i];
    TW_MODEL_SUF(tw_model_minute)(m, minute + t, x, p, u, d);
    if (b->opts.kind == TW_INTEG_RK4) {
      TW_MODEL_SUF(model_rk4)(m->n_states, x, &c, (real)1 / (real)b->opts.substeps, b->opts.substeps);
    } else {
      if (!H) h = (real)1;
      fl = TW_MODEL_SUF(model_dopri5)(m->n_states, x, &c, &b->opts, &h);
    }
    for (int s = 0; s < m->n_states && fl == TW_TWIN_OK; ++s)
      if (!(x[s] - x[s] == (real)0)) fl = TW_TWIN_NONFINITE;
  }
  if (fl != TW_TWIN_OK) {
    b->flag[i] = fl;
    return;
  }
  for (int s = 0; s < m->n_states; ++s) X[s * ld + i] = x[s];
  for (int k = 0; k < m->n_disc; ++k) D[k * ld + i] = d[k];
  if (H) H[i] = h;
}

#undef TW_MODEL_REAL
#undef TW_MODEL_SUF
