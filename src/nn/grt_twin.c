/*
** grt_twin.c: a pack's twin as GRT node features, and back (grt_twin.h).
**
** Statistics are sums in double, one twin after another, and the scalers are
** computed from them once: the same training twins give the same scalers
** whatever reads them, and a model file records them so that evaluation and
** the neural engine scale exactly as training did.
*/
#include "nn/grt_twin.h"

#include <math.h>   /* sqrt, log */
#include <string.h> /* memset */

tw_status tw_grt_twin_map_init(const tw_pack *pack, tw_grt_twin_map *m) {
  int count[TW_PACK_MAX_STATES] = {0};
  memset(m, 0, sizeof *m);
  m->pack = pack;
  m->n_states = pack->n_states, m->n_inputs = pack->n_inputs, m->n_params = pack->n_params;
  m->N = pack->n_nodes;
  if (m->N < 1 || m->N > TW_PACK_MAX_STATES)
    return TW_FAIL(TW_ERR_INPUT, "pack %s: %d organ nodes: a neural twin needs the pack's organ graph", pack->name, m->N);
  for (int k = 0; k < pack->n_states; ++k) {
    const int v = pack->states[k].node;
    if (v < 0 || v >= m->N)
      return TW_FAIL(TW_ERR_INPUT, "pack %s: state %s belongs to no organ node: a neural twin places every state on "
                     "a node", pack->name, pack->states[k].name);
    ++count[v];
    m->S = TW_MAX(m->S, count[v]);
  }
  memset(count, 0, sizeof count);
  for (int k = 0; k < pack->n_states; ++k) {
    const int v = pack->states[k].node;
    m->slot[k] = v * m->S + count[v]++;
  }
  for (int e = 0; e < pack->n_edges; ++e) m->adj_per_twin |= pack->edges[e].weight_param >= 0;
  m->U = m->n_inputs, m->O = m->S;
  m->F = m->S + m->U + m->N; /* + P once fitted */
  return TW_OK;
}

void tw_grt_twin_stats_init(tw_grt_twin_stats *s) {
  memset(s, 0, sizeof *s);
  for (int q = 0; q < TW_PACK_MAX_PARAMS; ++q) s->p_min[q] = INFINITY, s->p_max[q] = -INFINITY;
}

void tw_grt_twin_stats_add(const tw_grt_twin_map *m, tw_grt_twin_stats *s, int64_t T, const float *xs,
                           const float *us, const double *p) {
  const int ns = m->n_states, nu = m->n_inputs;
  for (int64_t t = 0; t < T; ++t) {
    for (int k = 0; k < ns; ++k) {
      const double x = xs[t * ns + k];
      s->x_sum[k] += x, s->x_sq[k] += x * x;
      if (t + 1 < T) {
        const double d = (double)xs[(t + 1) * ns + k] - x;
        s->dx_sq[k] += d * d;
      }
    }
    for (int k = 0; k < nu; ++k) s->u_sq[k] += (double)us[t * nu + k] * us[t * nu + k];
  }
  s->n_steps += (double)T, s->n_changes += (double)(T - 1), s->n_twins += 1;
  for (int q = 0; q < m->n_params; ++q) {
    s->p_min[q] = fmin(s->p_min[q], p[q]), s->p_max[q] = fmax(s->p_max[q], p[q]);
    s->p_sum[q] += p[q], s->p_sq[q] += p[q] * p[q];
    const double l = p[q] > 0 ? log(p[q]) : 0;
    s->plog_sum[q] += l, s->plog_sq[q] += l * l;
  }
}

/* Mean and standard deviation from sums (0 when the values do not vary). */
static void moments(double sum, double sq, double n, double *center, double *scale) {
  const double mean = n > 0 ? sum / n : 0, var = n > 0 ? sq / n - mean * mean : 0;
  *center = mean;
  *scale = var > 0 && isfinite(var) ? sqrt(var) : 0;
}

static double rms(double sq, double n) {
  const double r = n > 0 ? sqrt(sq / n) : 0;
  return r > 0 && isfinite(r) ? r : 1;
}

void tw_grt_twin_map_fit(tw_grt_twin_map *m, const tw_grt_twin_stats *s) {
  for (int k = 0; k < m->n_states; ++k) {
    moments(s->x_sum[k], s->x_sq[k], s->n_steps, &m->x_center[k], &m->x_scale[k]);
    if (m->x_scale[k] == 0) m->x_scale[k] = 1; /* a constant state: centred only */
    m->dx_scale[k] = rms(s->dx_sq[k], s->n_changes);
  }
  for (int k = 0; k < m->n_inputs; ++k) m->u_scale[k] = rms(s->u_sq[k], s->n_steps);
  m->P = 0;
  for (int q = 0; q < m->n_params; ++q) {
    const int lg = s->p_min[q] > 0;
    double c, sc;
    if (!(s->p_max[q] > s->p_min[q])) continue; /* the same in every training twin: carries nothing */
    moments(lg ? s->plog_sum[q] : s->p_sum[q], lg ? s->plog_sq[q] : s->p_sq[q], s->n_twins, &c, &sc);
    if (sc == 0) continue;
    m->param[m->P] = q, m->p_log[m->P] = lg, m->p_center[m->P] = c, m->p_scale[m->P] = sc;
    m->P++;
  }
  m->F = m->S + m->U + m->P + m->N;
}

void tw_grt_twin_features(const tw_grt_twin_map *m, const double *x, const float *u, const double *p, float *out) {
  const int F = m->F, S = m->S;
  memset(out, 0, (size_t)m->N * (size_t)F * sizeof *out);
  for (int k = 0; k < m->n_states; ++k)
    out[(m->slot[k] / S) * F + m->slot[k] % S] = (float)((x[k] - m->x_center[k]) / m->x_scale[k]);
  float shared[TW_PACK_MAX_INPUTS + TW_PACK_MAX_PARAMS];
  for (int k = 0; k < m->U; ++k) shared[k] = (float)(u[k] / m->u_scale[k]);
  for (int j = 0; j < m->P; ++j) {
    const double v = p[m->param[j]], l = m->p_log[j] ? log(v) : v;
    shared[m->U + j] = (float)((l - m->p_center[j]) / m->p_scale[j]);
  }
  for (int v = 0; v < m->N; ++v) {
    memcpy(out + v * F + S, shared, (size_t)(m->U + m->P) * sizeof *out);
    out[v * F + S + m->U + m->P + v] = 1;
  }
}

void tw_grt_twin_window(const tw_grt_twin_map *m, int T, const float *xs, const float *us, const double *p,
                        float *x, float *target, float *mask) {
  const int ns = m->n_states, NO = m->N * m->O;
  double st[TW_PACK_MAX_STATES];
  for (int t = 0; t < T; ++t) {
    for (int k = 0; k < ns; ++k) st[k] = xs[t * ns + k];
    tw_grt_twin_features(m, st, us + (int64_t)t * m->n_inputs, p, x + (int64_t)t * m->N * m->F);
    if (target) memset(target + (int64_t)t * NO, 0, (size_t)NO * sizeof *target);
    if (mask) memset(mask + (int64_t)t * NO, 0, (size_t)NO * sizeof *mask);
    for (int k = 0; k < ns; ++k) {
      if (target) target[t * NO + m->slot[k]] = (float)(((double)xs[(t + 1) * ns + k] - st[k]) / m->dx_scale[k]);
      if (mask) mask[t * NO + m->slot[k]] = 1;
    }
  }
}

void tw_grt_twin_advance(const tw_grt_twin_map *m, const float *y, double *x) {
  for (int k = 0; k < m->n_states; ++k) x[k] += (double)y[m->slot[k]] * m->dx_scale[k];
}

void tw_grt_twin_adjacency(const tw_grt_twin_map *m, const double *p, float *adj) {
  const tw_pack *pk = m->pack;
  memset(adj, 0, (size_t)m->N * (size_t)m->N * sizeof *adj);
  for (int e = 0; e < pk->n_edges; ++e) {
    const tw_pack_edge *ed = &pk->edges[e];
    adj[ed->to * m->N + ed->from] += (float)(ed->weight_param >= 0 ? p[ed->weight_param] : ed->weight);
  }
}
