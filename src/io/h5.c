/*
** h5.c: the pieces every HDF5 helper shares: the error description behind
** TW_H5_CHECK, the "which file, which dataset" context, type mapping and path
** lookups.
**
** HDF5 prints its whole error stack to stderr by default; twinscale silences
** that (nothing below the CLI prints) and instead, when a call fails, walks the
** stack to describe the failure in one line: the outermost description (what
** the API call could not do) and the innermost (why), prefixed by the file and
** object the public function was working on.
*/
#include <assert.h> /* scope capacity */
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc */
#include <string.h> /* strlen, memcpy, strchr */

#include "io/h5_internal.h"

enum { TW_H5_TEXT_MAX = 1024 };

static _Thread_local char where_text[TW_H5_TEXT_MAX];

void tw_h5_where(const tw_h5_file *f, const char *kind, const char *name) {
  if (kind)
    snprintf(where_text, sizeof where_text, "%s: %s '%s'", f->path, kind, name);
  else
    snprintf(where_text, sizeof where_text, "%s", f->path);
}

void tw_h5_quiet(void) {
  static int done = 0;
  if (!done) {
    /* No closing of files at exit: every file is closed or abandoned on its
    ** own path, and a file whose close failed (a full disk: EFBIG on the last
    ** flush) made HDF5's exit handler crash as it tried again. Must come before
    ** the library initialises. */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* HDF5 keeps freed blocks for reuse, up to 16 MB of them by default: chunk
    ** and conversion buffers as large as a dataset's chunk, more of them the
    ** more twins a run writes. 64 KB per list, 1 MB in all: memory goes back. */
    H5set_free_list_limits(1 << 20, 1 << 16, 1 << 20, 1 << 16, 1 << 20, 1 << 16);
    done = 1;
  }
}

/* Keeps the first (innermost, walking upward) and last (outermost) descriptions. */
typedef struct stack_ends {
  char inner[256], outer[256];
} stack_ends;

static herr_t keep_ends(unsigned n, const H5E_error2_t *e, void *data) {
  stack_ends *ends = data;
  const char *desc = e->desc && *e->desc ? e->desc : "unknown error";
  if (n == 0) snprintf(ends->inner, sizeof ends->inner, "%s", desc);
  snprintf(ends->outer, sizeof ends->outer, "%s", desc);
  return 0;
}

const char *tw_h5_error_string(void) {
  static _Thread_local char text[2 * TW_H5_TEXT_MAX];
  stack_ends ends = {"", ""};
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_ends, &ends);
  if (!ends.inner[0])
    snprintf(text, sizeof text, "%s: no HDF5 error recorded", where_text);
  else if (!strcmp(ends.inner, ends.outer))
    snprintf(text, sizeof text, "%s: %s", where_text, ends.inner);
  else
    snprintf(text, sizeof text, "%s: %s (%s)", where_text, ends.outer, ends.inner);
  return text;
}

hid_t tw_h5_file_type(tw_dtype dtype) {
  switch (dtype) {
    case TW_F32: return H5T_IEEE_F32LE;
    case TW_F64: return H5T_IEEE_F64LE;
    case TW_I32: return H5T_STD_I32LE;
    case TW_I64: return H5T_STD_I64LE;
    case TW_U8: return H5T_STD_U8LE;
  }
  return H5I_INVALID_HID;
}

hid_t tw_h5_mem_type(tw_dtype dtype) {
  switch (dtype) {
    case TW_F32: return H5T_NATIVE_FLOAT;
    case TW_F64: return H5T_NATIVE_DOUBLE;
    case TW_I32: return H5T_NATIVE_INT32;
    case TW_I64: return H5T_NATIVE_INT64;
    case TW_U8: return H5T_NATIVE_UINT8;
  }
  return H5I_INVALID_HID;
}

hid_t tw_h5_keep(tw_h5_scope *s, hid_t id) {
  assert(s->n < TW_H5_SCOPE_MAX);
  if (id >= 0 && s->n < TW_H5_SCOPE_MAX) s->ids[s->n++] = id;
  return id;
}

void tw_h5_release(tw_h5_scope *s) {
  while (s->n > 0) H5Idec_ref(s->ids[--s->n]);
}

tw_status tw_h5_vlen_string_type(tw_h5_scope *s, hid_t *type) {
  hid_t t;
  TW_H5_CHECK(t = tw_h5_keep(s, H5Tcopy(H5T_C_S1)));
  *type = t;
  TW_H5_CHECK(H5Tset_size(t, H5T_VARIABLE));
  TW_H5_CHECK(H5Tset_cset(t, H5T_CSET_UTF8));
  return TW_OK;
}

char *tw_h5_strdup(const char *s) { return tw_h5_concat(s, ""); }

char *tw_h5_concat(const char *a, const char *b) {
  size_t na = strlen(a), nb = strlen(b);
  char *s = malloc(na + nb + 1);
  if (s) {
    memcpy(s, a, na);
    memcpy(s + na, b, nb + 1);
  }
  return s;
}

tw_status tw_h5_link_exists(hid_t loc, const char *path, int *exists) {
  /* H5Lexists fails, rather than answering no, when a group on the way is
  ** missing: test each prefix "/a", "/a/b", ... in turn. */
  char prefix[TW_H5_TEXT_MAX];
  size_t n = strlen(path);
  if (n >= sizeof prefix) return TW_FAIL(TW_ERR_INPUT, "HDF5 path too long (%zu bytes): %.64s...", n, path);
  *exists = 1;
  for (size_t end = 1; end <= n && *exists; ++end) {
    if (end < n && path[end] != '/') continue;
    if (path[end - 1] == '/') continue; /* the root, or a doubled slash */
    memcpy(prefix, path, end);
    prefix[end] = '\0';
    htri_t yes;
    TW_H5_CHECK(yes = H5Lexists(loc, prefix, H5P_DEFAULT));
    *exists = yes > 0;
  }
  return TW_OK;
}

tw_status tw_h5_not_found(const tw_h5_file *f, const char *path) {
  return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' not found", f->path, path);
}

tw_status tw_h5_open_dataset(tw_h5_scope *s, tw_h5_file *f, const char *path, hid_t *dset) {
  int exists;
  TW_TRY(tw_h5_link_exists(f->file, path, &exists));
  if (!exists) return tw_h5_not_found(f, path);
  hid_t obj;
  TW_H5_CHECK(obj = tw_h5_keep(s, H5Oopen(f->file, path, H5P_DEFAULT)));
  if (H5Iget_type(obj) != H5I_DATASET) return TW_FAIL(TW_ERR_INPUT, "%s: '%s' is not a dataset", f->path, path);
  *dset = obj;
  return TW_OK;
}
