/*
** h5_attr.c: attributes: the root attributes of a file (model sizes, run
** provenance) and the `units` attribute of every dataset.
**
** Writing an attribute that exists replaces it. Reading converts through
** HDF5's type conversion (an int64 attribute reads as a double and back), and a
** missing attribute is an input error naming the file and the attribute.
*/
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strlen, memcpy */

#include "io/h5_internal.h"

static tw_status put_attr(tw_h5_scope *s, hid_t obj, const char *name, hid_t file_type, hid_t mem_type,
                          const void *value) {
  htri_t exists;
  TW_H5_CHECK(exists = H5Aexists(obj, name));
  if (exists > 0) TW_H5_CHECK(H5Adelete(obj, name));
  hid_t space, attr;
  TW_H5_CHECK(space = tw_h5_keep(s, H5Screate(H5S_SCALAR)));
  TW_H5_CHECK(attr = tw_h5_keep(s, H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT)));
  TW_H5_CHECK(H5Awrite(attr, mem_type, value));
  return TW_OK;
}

tw_status tw_h5_attr_put(hid_t obj, const char *name, hid_t file_type, hid_t mem_type, const void *value) {
  tw_h5_scope sc = {0};
  tw_status st = put_attr(&sc, obj, name, file_type, mem_type, value);
  tw_h5_release(&sc);
  return st;
}

tw_status tw_h5_attr_put_string(hid_t obj, const char *name, const char *value) {
  tw_h5_scope sc = {0};
  hid_t type;
  tw_status st = tw_h5_vlen_string_type(&sc, &type);
  if (st == TW_OK) st = put_attr(&sc, obj, name, type, type, &value);
  tw_h5_release(&sc);
  return st;
}

/* Opens attribute `name` of obj, or fails naming file, object and attribute. */
static tw_status open_attr(tw_h5_scope *s, tw_h5_file *f, hid_t obj, const char *object, const char *name,
                           hid_t *attr) {
  htri_t exists;
  TW_H5_CHECK(exists = H5Aexists(obj, name));
  if (!exists) return TW_FAIL(TW_ERR_INPUT, "%s: attribute '%s' not found on '%s'", f->path, name, object);
  TW_H5_CHECK(*attr = tw_h5_keep(s, H5Aopen(obj, name, H5P_DEFAULT)));
  return TW_OK;
}

/* Reads a numeric scalar attribute of the root group as mem_type. */
static tw_status read_number(tw_h5_scope *s, tw_h5_file *f, const char *name, hid_t mem_type, void *value) {
  hid_t attr, type, space;
  TW_TRY(open_attr(s, f, f->file, "/", name, &attr));
  TW_H5_CHECK(type = tw_h5_keep(s, H5Aget_type(attr)));
  TW_H5_CHECK(space = tw_h5_keep(s, H5Aget_space(attr)));
  H5T_class_t cls;
  hssize_t count;
  TW_H5_CHECK(cls = H5Tget_class(type));
  TW_H5_CHECK(count = H5Sget_simple_extent_npoints(space));
  if ((cls != H5T_INTEGER && cls != H5T_FLOAT) || count != 1)
    return TW_FAIL(TW_ERR_INPUT, "%s: attribute '%s' is not a single number", f->path, name);
  TW_H5_CHECK(H5Aread(attr, mem_type, value));
  return TW_OK;
}

static tw_status root_attr_number(tw_h5_file *f, const char *name, hid_t mem_type, void *value) {
  tw_h5_where(f, "attribute", name);
  tw_h5_scope sc = {0};
  tw_status st = read_number(&sc, f, name, mem_type, value);
  tw_h5_release(&sc);
  return st;
}

tw_status tw_h5_attr_write_i64(tw_h5_file *f, const char *name, int64_t value) {
  tw_h5_where(f, "attribute", name);
  return tw_h5_attr_put(f->file, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value);
}

tw_status tw_h5_attr_write_f64(tw_h5_file *f, const char *name, double value) {
  tw_h5_where(f, "attribute", name);
  return tw_h5_attr_put(f->file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value);
}

tw_status tw_h5_attr_write_string(tw_h5_file *f, const char *name, const char *value) {
  tw_h5_where(f, "attribute", name);
  return tw_h5_attr_put_string(f->file, name, value);
}

tw_status tw_h5_attr_read_i64(tw_h5_file *f, const char *name, int64_t *value) {
  return root_attr_number(f, name, H5T_NATIVE_INT64, value);
}

tw_status tw_h5_attr_read_f64(tw_h5_file *f, const char *name, double *value) {
  return root_attr_number(f, name, H5T_NATIVE_DOUBLE, value);
}

/* Reads a string attribute (variable- or fixed-length) of obj into a malloc'd copy. */
static tw_status read_text(tw_h5_scope *s, tw_h5_file *f, hid_t obj, const char *object, const char *name,
                           char **value) {
  hid_t attr, type;
  TW_TRY(open_attr(s, f, obj, object, name, &attr));
  TW_H5_CHECK(type = tw_h5_keep(s, H5Aget_type(attr)));
  H5T_class_t cls;
  TW_H5_CHECK(cls = H5Tget_class(type));
  if (cls != H5T_STRING) return TW_FAIL(TW_ERR_INPUT, "%s: attribute '%s' of '%s' is not a string", f->path, name, object);
  htri_t vlen;
  TW_H5_CHECK(vlen = H5Tis_variable_str(type));
  if (vlen) {
    hid_t mem;
    char *vl = NULL;
    TW_TRY(tw_h5_vlen_string_type(s, &mem));
    TW_H5_CHECK(H5Aread(attr, mem, &vl));
    *value = tw_h5_strdup(vl ? vl : "");
    H5free_memory(vl);
  } else {
    size_t n = H5Tget_size(type); /* a size_t: 0 on failure, where calloc(1) and H5Aread cope */
    *value = calloc(n + 1, 1);
    if (*value) TW_H5_CHECK(H5Aread(attr, type, *value));
  }
  if (!*value) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory reading attribute '%s'", f->path, name);
  return TW_OK;
}

static tw_status read_string_attr(tw_h5_file *f, hid_t obj, const char *object, const char *name, char **value) {
  tw_h5_scope sc = {0};
  *value = NULL;
  tw_status st = read_text(&sc, f, obj, object, name, value);
  tw_h5_release(&sc);
  if (st != TW_OK) {
    free(*value);
    *value = NULL;
  }
  return st;
}

tw_status tw_h5_attr_read_string(tw_h5_file *f, const char *name, char **value) {
  tw_h5_where(f, "attribute", name);
  return read_string_attr(f, f->file, "/", name, value);
}

tw_status tw_h5_units(tw_h5_file *f, const char *path, char *buf, size_t cap) {
  tw_h5_where(f, "dataset", path);
  tw_h5_scope sc = {0};
  hid_t dset;
  char *units = NULL;
  tw_status st = tw_h5_open_dataset(&sc, f, path, &dset);
  if (st == TW_OK) st = read_string_attr(f, dset, path, "units", &units);
  tw_h5_release(&sc);
  TW_TRY(st);
  size_t n = strlen(units);
  if (n >= cap) st = TW_FAIL(TW_ERR_INTERNAL, "%s: units of '%s' need %zu bytes, buffer has %zu", f->path, path, n + 1, cap);
  else memcpy(buf, units, n + 1);
  free(units);
  return st;
}
