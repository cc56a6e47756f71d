/*
** h5_list.c: the members of a group, in name order (h5.h tw_h5_list): how a
** reader finds the covariates a cohort file carries without a fixed list.
*/
#include <stdlib.h> /* calloc, free */


#include "io/h5_internal.h"

typedef struct list_ctx {
  char **names;
  int n, cap;
} list_ctx;

static herr_t add_name(hid_t group, const char *name, const H5L_info_t *info, void *arg) {
  (void)group, (void)info;
  list_ctx *c = arg;
  if (c->n == c->cap) {
    char **grown = realloc(c->names, (size_t)(c->cap = c->cap ? 2 * c->cap : 16) * sizeof *grown);
    if (!grown) return -1;
    c->names = grown;
  }
  return (c->names[c->n] = tw_h5_strdup(name)) ? (c->n++, 0) : -1;
}

tw_status tw_h5_list(tw_h5_file *f, const char *group, char ***names, int *n) {
  *names = NULL;
  *n = 0;
  if (!tw_h5_exists(f, group)) return TW_OK;
  list_ctx c = {0};
  hsize_t at = 0;
  hid_t g = H5Gopen2(f->file, group, H5P_DEFAULT);
  herr_t rc = g < 0 ? -1 : H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, &at, add_name, &c);
  if (g >= 0) H5Gclose(g);
  if (rc < 0) {
    for (int i = 0; i < c.n; ++i) free(c.names[i]);
    free(c.names);
    return TW_FAIL(TW_ERR_IO, "%s: cannot list the group %s", f->path, group);
  }
  *names = c.names;
  *n = c.n;
  return TW_OK;
}
