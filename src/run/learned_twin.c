/*
** learned_twin.c: a model file into memory (learned_twin.h).
*/
#include "run/learned_twin.h"

#include <stdlib.h> /* free */
#include <string.h> /* memset */

#include "io/h5.h"        /* tw_h5_open */
#include "physio/pack.h"  /* tw_pack_lookup */

tw_status tw_learned_twin_read(const char *path, tw_learned_twin *lt) {
  memset(lt, 0, sizeof *lt);
  tw_h5_file *f;
  char *pack = NULL;
  const tw_pack *pk = NULL;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = tw_grt_twin_file_pack(f, &pack);
  if (st == TW_OK) st = tw_pack_lookup(pack, &pk);
  if (st == TW_OK) st = tw_grt_twin_file_read(f, pk, &lt->map, &lt->info, &lt->model.layout, &lt->host);
  free(pack);
  const tw_status cst = tw_h5_close(f);
  return st == TW_OK ? cst : tw_error_trace(st, __FILE__, __LINE__);
}

tw_status tw_learned_twin_upload(tw_learned_twin *lt, tw_backend *be) {
  if (lt->be) return lt->be == be ? TW_OK : TW_FAIL(TW_ERR_INTERNAL, "learned twin: already on another backend");
  const size_t bytes = (size_t)lt->model.layout.total * sizeof(float);
  TW_TRY(be->alloc(be, bytes, (void **)&lt->model.params));
  lt->be = be;
  return be->copy(be, lt->model.params, lt->host, bytes, TW_COPY_HOST_TO_DEVICE);
}

void tw_learned_twin_unload(tw_learned_twin *lt) {
  if (lt->be && lt->model.params) lt->be->free(lt->be, lt->model.params);
  lt->model.params = NULL;
  lt->be = NULL;
}

void tw_learned_twin_free(tw_learned_twin *lt) {
  tw_learned_twin_unload(lt);
  free(lt->host);
  memset(lt, 0, sizeof *lt);
}
