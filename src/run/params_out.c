/*
** params_out.c: every twin's pack parameters into a results file (params_out.h).
*/
#include "run/params_out.h"

#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memset */

tw_status tw_params_out_open(tw_h5_file *f, const tw_model *m, int64_t n_twins, tw_params_out *po) {
  memset(po, 0, sizeof *po);
  po->model = m;
  if (!(po->ds = calloc((size_t)m->n_params + 1, sizeof *po->ds))) return TW_FAIL(TW_ERR_NOMEM, "results: parameters");
  for (int k = 0; k < m->n_parts; ++k) {
    const tw_pack *pk = m->parts[k].pack;
    for (int q = 0; q < pk->n_params; ++q) {
      char path[256];
      const char *unit = pk->params[q].unit && *pk->params[q].unit ? pk->params[q].unit : "1";
      snprintf(path, sizeof path, "/cohort/parameters/%s.%s", pk->name, pk->params[q].name);
      TW_TRY(tw_h5_dataset_create(f, path, TW_F64, 1, &n_twins, unit, &po->ds[m->parts[k].p_off + q]));
    }
  }
  return TW_OK;
}

tw_status tw_params_out_write(tw_params_out *po, int64_t id0, int64_t n, const double *params) {
  const int np = po->model->n_params;
  if (n > po->cap) {
    free(po->col);
    if (!(po->col = malloc((size_t)n * sizeof *po->col))) return po->cap = 0, TW_FAIL(TW_ERR_NOMEM, "results: parameters");
    po->cap = n;
  }
  for (int q = 0; q < np; ++q) {
    for (int64_t i = 0; i < n; ++i) po->col[i] = params[i * np + q];
    TW_TRY(tw_h5_dataset_write_rows(po->ds[q], id0, n, po->col));
  }
  return TW_OK;
}

tw_status tw_params_out_close(tw_params_out *po) {
  tw_status st = TW_OK;
  for (int q = 0; po->ds && po->model && q < po->model->n_params; ++q)
    if (po->ds[q] && tw_h5_dataset_close(po->ds[q]) != TW_OK) st = TW_ERR_LIBRARY;
  free(po->ds), free(po->col);
  memset(po, 0, sizeof *po);
  return st;
}
