/*
** grt_twin_file.c: a learned twin's model file (grt_twin_file.h).
*/
#include "build_info.h" /* TW_HAVE_HDF5 */

#if TW_HAVE_HDF5
#include "nn/grt_twin_file.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* free */
#include <string.h> /* strcmp */

#include "nn/grt_file.h" /* the weights */

static tw_status write_vec(tw_h5_file *f, const char *path, tw_dtype dt, const void *x, int64_t n, const char *units) {
  return tw_h5_write_array(f, path, dt, x, 1, &n, units);
}

static tw_status write_names(tw_h5_file *f, const char *path, int n, const char *(*name)(const tw_pack *, int, const tw_grt_twin_map *),
                             const tw_grt_twin_map *m) {
  const char *names[TW_PACK_MAX_PARAMS];
  for (int k = 0; k < n; ++k) names[k] = name(m->pack, k, m);
  return tw_h5_write_strings(f, path, names, n, "1");
}

static const char *state_name(const tw_pack *pk, int k, const tw_grt_twin_map *m) { return (void)m, pk->states[k].name; }
static const char *input_name(const tw_pack *pk, int k, const tw_grt_twin_map *m) { return (void)m, pk->inputs[k].name; }
static const char *param_name(const tw_pack *pk, int k, const tw_grt_twin_map *m) { return pk->params[m->param[k]].name; }

tw_status tw_grt_twin_file_write(tw_h5_file *f, const tw_grt_twin_map *m, const tw_grt_twin_info *info,
                                 const tw_grt_layout *lay, const float *params) {
  TW_TRY(tw_grt_file_write(f, lay, params));
  TW_TRY(tw_h5_attr_write_string(f, "pack", m->pack->name));
  TW_TRY(tw_h5_attr_write_i64(f, "every_min", info->every_min));
  TW_TRY(tw_h5_attr_write_i64(f, "context", info->context));
  TW_TRY(tw_h5_attr_write_i64(f, "horizon", info->horizon));
  TW_TRY(write_names(f, "/twin/state_names", m->n_states, state_name, m));
  TW_TRY(write_vec(f, "/twin/state_slot", TW_I32, m->slot, m->n_states, "1"));
  TW_TRY(write_vec(f, "/twin/x_center", TW_F64, m->x_center, m->n_states, "1"));
  TW_TRY(write_vec(f, "/twin/x_scale", TW_F64, m->x_scale, m->n_states, "1"));
  TW_TRY(write_vec(f, "/twin/dx_scale", TW_F64, m->dx_scale, m->n_states, "1"));
  TW_TRY(write_names(f, "/twin/input_names", m->n_inputs, input_name, m));
  TW_TRY(write_vec(f, "/twin/u_scale", TW_F64, m->u_scale, m->n_inputs, "1"));
  if (m->P == 0) return TW_OK;
  TW_TRY(write_names(f, "/twin/param_names", m->P, param_name, m));
  TW_TRY(write_vec(f, "/twin/param_log", TW_I32, m->p_log, m->P, "1"));
  TW_TRY(write_vec(f, "/twin/p_center", TW_F64, m->p_center, m->P, "1"));
  return write_vec(f, "/twin/p_scale", TW_F64, m->p_scale, m->P, "1");
}

tw_status tw_grt_twin_file_pack(tw_h5_file *f, char **pack) {
  if (tw_h5_attr_read_string(f, "pack", pack) == TW_OK) return TW_OK;
  tw_error_clear();
  return TW_FAIL(TW_ERR_INPUT, "%s: no root attribute `pack`: not a twinscale model file (train writes them)", tw_h5_path(f));
}

/* Dataset `path` of n values into dst (dt), n checked. */
static tw_status read_vec(tw_h5_file *f, const char *path, tw_dtype dt, int64_t n, void *dst) {
  tw_tensor t;
  TW_TRY(tw_h5_read(f, path, dt, &t));
  const int ok = t.rank == 1 && t.dims[0] == n;
  if (ok) memcpy(dst, t.data, (size_t)n * (dt == TW_F64 ? 8 : 4));
  free(t.data);
  return ok ? TW_OK : TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld values, expected %lld", tw_h5_path(f), path,
                              (long long)t.dims[0], (long long)n);
}

/* The names in `path` must be the pack's, in order (names(k) gives the k-th). */
static tw_status check_names(tw_h5_file *f, const char *path, int n, const char *(*name)(const tw_pack *, int, const tw_grt_twin_map *),
                             const tw_grt_twin_map *m) {
  char **got = NULL;
  int64_t count = 0;
  TW_TRY(tw_h5_read_strings(f, path, &got, &count));
  tw_status st = count == n ? TW_OK
                 : TW_FAIL(TW_ERR_INPUT, "%s: %s has %lld names; pack %s has %d", tw_h5_path(f), path,
                           (long long)count, m->pack->name, n);
  for (int k = 0; k < n && st == TW_OK; ++k)
    if (strcmp(got[k], name(m->pack, k, m)))
      st = TW_FAIL(TW_ERR_INPUT, "%s: %s[%d] is %s; pack %s has %s there (trained with another version of the pack)",
                   tw_h5_path(f), path, k, got[k], m->pack->name, name(m->pack, k, m));
  for (int64_t k = 0; k < count; ++k) free(got[k]);
  free(got);
  return st;
}

/* The index of pack parameter `name`, or -1 (nn does not reach into physio's lookups). */
static int param_index(const tw_pack *pk, const char *name) {
  for (int q = 0; q < pk->n_params; ++q)
    if (!strcmp(pk->params[q].name, name)) return q;
  return -1;
}

/* The parameters used, from their names. */
static tw_status read_params(tw_h5_file *f, tw_grt_twin_map *m) {
  char **names = NULL;
  int64_t P = 0;
  if (!tw_h5_exists(f, "/twin/param_names")) return (m->P = 0), TW_OK;
  TW_TRY(tw_h5_read_strings(f, "/twin/param_names", &names, &P));
  tw_status st = P <= TW_PACK_MAX_PARAMS ? TW_OK : TW_FAIL(TW_ERR_INPUT, "%s: too many parameters", tw_h5_path(f));
  m->P = (int)P;
  for (int j = 0; j < m->P && st == TW_OK; ++j) {
    m->param[j] = param_index(m->pack, names[j]);
    if (m->param[j] < 0)
      st = TW_FAIL(TW_ERR_INPUT, "%s: /twin/param_names[%d]: pack %s has no parameter %s", tw_h5_path(f), j,
                   m->pack->name, names[j]);
  }
  for (int64_t j = 0; j < P; ++j) free(names[j]);
  free(names);
  TW_TRY(st);
  TW_TRY(read_vec(f, "/twin/param_log", TW_I32, m->P, m->p_log));
  TW_TRY(read_vec(f, "/twin/p_center", TW_F64, m->P, m->p_center));
  return read_vec(f, "/twin/p_scale", TW_F64, m->P, m->p_scale);
}

tw_status tw_grt_twin_file_read(tw_h5_file *f, const tw_pack *pack, tw_grt_twin_map *m, tw_grt_twin_info *info,
                                tw_grt_layout *lay, float **params) {
  TW_TRY(tw_grt_twin_map_init(pack, m));
  TW_TRY(check_names(f, "/twin/state_names", m->n_states, state_name, m));
  TW_TRY(check_names(f, "/twin/input_names", m->n_inputs, input_name, m));
  TW_TRY(read_vec(f, "/twin/x_center", TW_F64, m->n_states, m->x_center));
  TW_TRY(read_vec(f, "/twin/x_scale", TW_F64, m->n_states, m->x_scale));
  TW_TRY(read_vec(f, "/twin/dx_scale", TW_F64, m->n_states, m->dx_scale));
  TW_TRY(read_vec(f, "/twin/u_scale", TW_F64, m->n_inputs, m->u_scale));
  TW_TRY(read_params(f, m));
  m->F = m->S + m->U + m->P + m->N;
  if (tw_h5_attr_read_i64(f, "every_min", &info->every_min) != TW_OK ||
      tw_h5_attr_read_i64(f, "context", &info->context) != TW_OK ||
      tw_h5_attr_read_i64(f, "horizon", &info->horizon) != TW_OK)
    return tw_error_clear(), TW_FAIL(TW_ERR_INPUT, "%s: no attributes every_min, context and horizon (a model file "
                                     "from before the neural engine: train it again)", tw_h5_path(f));
  TW_TRY(tw_grt_file_read_layout(f, lay));
  if (lay->sz.N != m->N || lay->sz.F != m->F || lay->sz.O != m->O)
    return TW_FAIL(TW_ERR_INPUT, "%s: model sizes N=%d F=%d O=%d, but pack %s with these features needs N=%d F=%d O=%d",
                   tw_h5_path(f), lay->sz.N, lay->sz.F, lay->sz.O, pack->name, m->N, m->F, m->O);
  return tw_grt_file_read_params(f, lay, params);
}
#else
typedef int tw_grt_twin_file_unavailable; /* needs HDF5 */
#endif
