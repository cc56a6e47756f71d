/*
** h5_strings.c: 1-D datasets of variable-length UTF-8 strings (twin names,
** arm names, covariate labels).
**
** HDF5 1.10 cannot write variable-length data through MPI-IO, so in a
** collective file the strings are staged on rank 0 and written by it alone
** after the collective part of the file is closed (h5_file.c). The file looks
** the same either way, whatever the number of ranks.
*/
#include <stdlib.h> /* malloc, calloc, free */
#include <string.h> /* memcpy */

#include "io/h5_internal.h"

static tw_status put_strings(tw_h5_scope *s, hid_t file, const char *path, const char *const *strings, int64_t n,
                             const char *units) {
  hid_t type, space, lcpl, dset;
  hsize_t dims[1] = {(hsize_t)n};
  TW_TRY(tw_h5_vlen_string_type(s, &type));
  TW_H5_CHECK(space = tw_h5_keep(s, H5Screate_simple(1, dims, NULL)));
  TW_H5_CHECK(lcpl = tw_h5_keep(s, H5Pcreate(H5P_LINK_CREATE)));
  TW_H5_CHECK(H5Pset_create_intermediate_group(lcpl, 1));
  TW_H5_CHECK(dset = tw_h5_keep(s, H5Dcreate2(file, path, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT)));
  if (n > 0) TW_H5_CHECK(H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings));
  TW_TRY(tw_h5_attr_put_string(dset, "units", units));
  return TW_OK;
}

tw_status tw_h5_put_strings(hid_t file, const char *path, const char *const *strings, int64_t n, const char *units) {
  tw_h5_scope sc = {0};
  tw_status st = put_strings(&sc, file, path, strings, n, units);
  tw_h5_release(&sc);
  return st;
}

void tw_h5_staged_free(tw_h5_staged_strings *s) {
  while (s) {
    tw_h5_staged_strings *next = s->next;
    for (int64_t i = 0; s->strings && i < s->n; ++i) free(s->strings[i]);
    free(s->strings);
    free(s->path);
    free(s->units);
    free(s);
    s = next;
  }
}

/* Copies the strings onto f's staged list, to be written at close. */
static tw_status stage(tw_h5_file *f, const char *path, const char *const *strings, int64_t n, const char *units) {
  tw_h5_staged_strings *s = calloc(1, sizeof *s);
  int ok = s && (s->path = tw_h5_strdup(path)) && (s->units = tw_h5_strdup(units)) &&
           (s->strings = calloc((size_t)(n > 0 ? n : 1), sizeof *s->strings));
  for (int64_t i = 0; ok && i < n; ++i, s->n = i) ok = (s->strings[i] = tw_h5_strdup(strings[i])) != NULL;
  if (!ok) {
    tw_h5_staged_free(s);
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory staging dataset '%s'", f->path, path);
  }
  s->n = n;
  /* Appended, so that datasets are created in the order they were written. */
  tw_h5_staged_strings **tail = &f->staged;
  while (*tail) tail = &(*tail)->next;
  *tail = s;
  return TW_OK;
}

tw_status tw_h5_write_strings(tw_h5_file *f, const char *path, const char *const *strings, int64_t n,
                              const char *units) {
  tw_h5_where(f, "dataset", path);
  if (!f->partial_path) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': file is open read-only", f->path, path);
  if (!units || !*units)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': units must be given (\"1\" when dimensionless)", f->path, path);
  if (n < 0) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': %lld strings", f->path, path, (long long)n);
  for (int64_t i = 0; i < n; ++i)
    if (!strings[i]) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': string %lld is NULL", f->path, path, (long long)i);
  int exists;
  TW_TRY(tw_h5_link_exists(f->file, path, &exists));
  if (exists) return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' already exists", f->path, path);
  if (f->collective) return f->rank == 0 ? stage(f, path, strings, n, units) : TW_OK;
  return tw_h5_put_strings(f->file, path, strings, n, units);
}

/* What a string dataset read leaves behind: HDF5's buffer (pointers for
** variable-length strings, fixed-width records otherwise) and how to free it. */
typedef struct raw_strings {
  char *raw;
  hsize_t count;
  size_t width; /* bytes per element in raw */
  int vlen;
  hid_t mem, space;
} raw_strings;

static tw_status read_raw(tw_h5_scope *s, tw_h5_file *f, const char *path, raw_strings *r) {
  hid_t dset, type;
  TW_TRY(tw_h5_open_dataset(s, f, path, &dset));
  TW_H5_CHECK(type = tw_h5_keep(s, H5Dget_type(dset)));
  TW_H5_CHECK(r->space = tw_h5_keep(s, H5Dget_space(dset)));
  H5T_class_t cls;
  int rank;
  TW_H5_CHECK(cls = H5Tget_class(type));
  TW_H5_CHECK(rank = H5Sget_simple_extent_ndims(r->space));
  if (cls != H5T_STRING || rank != 1)
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' is not a 1-D array of strings", f->path, path);
  TW_H5_CHECK(H5Sget_simple_extent_dims(r->space, &r->count, NULL));
  htri_t vlen;
  TW_H5_CHECK(vlen = H5Tis_variable_str(type));
  r->vlen = vlen > 0;
  if (r->vlen) {
    TW_TRY(tw_h5_vlen_string_type(s, &r->mem));
    r->width = sizeof(char *);
  } else {
    r->mem = type; /* fixed-length: read the records as stored */
    r->width = H5Tget_size(type);
  }
  if (!(r->raw = calloc(r->count ? r->count : 1, r->width ? r->width : 1)))
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory reading dataset '%s'", f->path, path);
  /* Variable-length data is read independently: MPI-IO collective reads do not take it. */
  TW_H5_CHECK(H5Dread(dset, r->mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->raw));
  return TW_OK;
}

/* Copies element i of r into a malloc'd, NUL-terminated string. */
static char *copy_element(const raw_strings *r, hsize_t i) {
  if (r->vlen) {
    const char *v = ((char **)(void *)r->raw)[i];
    return tw_h5_strdup(v ? v : "");
  }
  char *c = calloc(r->width + 1, 1);
  if (c) memcpy(c, r->raw + i * r->width, r->width);
  return c;
}

tw_status tw_h5_read_strings(tw_h5_file *f, const char *path, char ***strings, int64_t *n) {
  tw_h5_where(f, "dataset", path);
  *strings = NULL;
  *n = 0;
  tw_h5_scope sc = {0};
  raw_strings r = {NULL, 0, 0, 0, H5I_INVALID_HID, H5I_INVALID_HID};
  tw_status st = read_raw(&sc, f, path, &r);
  char **out = NULL;
  if (st == TW_OK && !(out = calloc(r.count ? r.count : 1, sizeof *out)))
    st = TW_FAIL(TW_ERR_NOMEM, "%s: out of memory reading dataset '%s'", f->path, path);
  for (hsize_t i = 0; st == TW_OK && i < r.count; ++i)
    if (!(out[i] = copy_element(&r, i)))
      st = TW_FAIL(TW_ERR_NOMEM, "%s: out of memory reading dataset '%s'", f->path, path);
  if (r.raw && r.vlen) {
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(r.mem, r.space, H5P_DEFAULT, r.raw);
#else
    H5Dvlen_reclaim(r.mem, r.space, H5P_DEFAULT, r.raw);
#endif
  }
  free(r.raw);
  tw_h5_release(&sc);
  if (st != TW_OK) {
    for (hsize_t i = 0; out && i < r.count; ++i) free(out[i]);
    free(out);
    return st;
  }
  *strings = out;
  *n = (int64_t)r.count;
  return TW_OK;
}
