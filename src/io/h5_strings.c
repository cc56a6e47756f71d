/*
** h5_strings.c: 1-D datasets of variable-length UTF-8 strings (twin names,
** arm names, covariate labels), written whole or by rows, read whole or by rows.
**
** HDF5 1.10 cannot write variable-length data through MPI-IO, so in a
** collective file the strings are staged on rank 0 and written by it alone
** after the collective part of the file is closed (h5_file.c); a dataset
** written by rows gathers each round's rows onto rank 0's staged copy. The
** file looks the same either way, whatever the number of ranks. (A serial
** file, one rank, holds no copy: each round's rows go straight to the file.)
**
** In a reopened file (tw_h5_reopen) a dataset written whole replaces the one
** there, and a dataset written by rows goes on from the rows already there
** (rank 0's staged copy starts from them).
**
** The string log. A collective file's staged rows reach the file only at
** close, so a run killed before it would lose the rows of chunks it had
** finished. So at every flush (tw_h5_flush, before a run records its finished
** chunks) rank 0 appends the rows written by rows since the last flush to
** "<partial>.strings" and syncs it (a serial file's rows too, kept only until
** then: a run may be resumed on another number of ranks). A reopened file
** takes the log's rows: into rank 0's staged copy (collective), or written
** into the dataset (serial). Each entry is
** "<row> <bytes> <dataset path>\n<the string>\n"; later entries win. Memory:
** a pointer and a byte per row on rank 0, and the strings of one round.
*/
#define _POSIX_C_SOURCE 200809L /* fileno, fsync */
#include <errno.h>  /* errno */
#include <stdio.h>  /* fopen, fprintf */
#include <stdlib.h> /* malloc, calloc, free */
#include <string.h> /* memcpy, strlen */
#include <unistd.h> /* fsync */

#include "io/h5_internal.h"

static tw_status put_strings(tw_h5_scope *s, hid_t file, const char *path, const char *const *strings, int64_t n,
                             const char *units) {
  hid_t type, space, lcpl, dset;
  hsize_t dims[1] = {(hsize_t)n};
  int exists;
  TW_TRY(tw_h5_link_exists(file, path, &exists));
  if (exists) TW_H5_CHECK(H5Ldelete(file, path, H5P_DEFAULT)); /* written again (a reopened file) */
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
    free(s->fresh);
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

/* A new dataset `path` of n rows may be written: the file is being written,
** units are given, and nothing is there yet (or the file is reopened). */
static tw_status check_new(tw_h5_file *f, const char *path, int64_t n, const char *units) {
  tw_h5_where(f, "dataset", path);
  if (!f->partial_path) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': file is open read-only", f->path, path);
  if (!units || !*units)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': units must be given (\"1\" when dimensionless)", f->path, path);
  if (n < 0) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': %lld strings", f->path, path, (long long)n);
  int exists;
  TW_TRY(tw_h5_link_exists(f->file, path, &exists));
  return exists && !f->reopened ? TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' already exists", f->path, path) : TW_OK;
}

tw_status tw_h5_write_strings(tw_h5_file *f, const char *path, const char *const *strings, int64_t n,
                              const char *units) {
  TW_TRY(check_new(f, path, n, units));
  for (int64_t i = 0; i < n; ++i)
    if (!strings[i]) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': string %lld is NULL", f->path, path, (long long)i);
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

/* Rows [row0, row0 + nrows) of the dataset (all of it when nrows < 0) into r. */
static tw_status read_raw(tw_h5_scope *s, tw_h5_file *f, const char *path, int64_t row0, int64_t nrows,
                          raw_strings *r) {
  hid_t dset, type, fspace, mspace = H5S_ALL;
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
  fspace = r->space;
  if (nrows >= 0) {
    if (row0 < 0 || row0 > (int64_t)r->count - nrows)
      return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' has %lld rows; rows [%lld, %lld) were asked for", f->path, path,
                     (long long)r->count, (long long)row0, (long long)(row0 + nrows));
    const hsize_t start[1] = {(hsize_t)row0}, count[1] = {(hsize_t)nrows};
    TW_H5_CHECK(fspace = tw_h5_keep(s, H5Scopy(r->space)));
    TW_H5_CHECK(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL));
    TW_H5_CHECK(mspace = r->space = tw_h5_keep(s, H5Screate_simple(1, count, NULL)));
    r->count = (hsize_t)nrows;
  }
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
  if (r->count > 0) TW_H5_CHECK(H5Dread(dset, r->mem, mspace, fspace, H5P_DEFAULT, r->raw));
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

/* Rows [row0, row0 + nrows) (all when nrows < 0) as malloc'd copies. */
static tw_status read_strings(tw_h5_file *f, const char *path, int64_t row0, int64_t nrows, char ***strings,
                              int64_t *n) {
  tw_h5_where(f, "dataset", path);
  *strings = NULL;
  *n = 0;
  tw_h5_scope sc = {0};
  raw_strings r = {NULL, 0, 0, 0, H5I_INVALID_HID, H5I_INVALID_HID};
  tw_status st = read_raw(&sc, f, path, row0, nrows, &r);
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

tw_status tw_h5_read_strings(tw_h5_file *f, const char *path, char ***strings, int64_t *n) {
  return read_strings(f, path, 0, -1, strings, n);
}

tw_status tw_h5_read_strings_rows(tw_h5_file *f, const char *path, int64_t row0, int64_t nrows, char ***strings) {
  int64_t n;
  if (nrows < 0) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': %lld rows", f->path, path, (long long)nrows);
  return read_strings(f, path, row0, nrows, strings, &n);
}

/* ---- the string log (collective files, rank 0) ---------------------------------- */

char *tw_h5_staged_log_path(const tw_h5_file *f) { return tw_h5_concat(f->partial_path, ".strings"); }

static tw_status append_log(tw_h5_file *f, FILE *log) {
  for (tw_h5_staged_strings *s = f->staged; s; s = s->next)
    for (int64_t i = 0; s->fresh && i < s->n; ++i) {
      if (!s->fresh[i]) continue;
      const char *v = s->strings[i] ? s->strings[i] : "";
      fprintf(log, "%lld %zu %s\n%s\n", (long long)i, strlen(v), s->path, v);
      s->fresh[i] = 0;
      if (s->direct) free(s->strings[i]), s->strings[i] = NULL; /* in the file and the log now */
    }
  return fflush(log) == 0 && fsync(fileno(log)) == 0 && !ferror(log)
             ? TW_OK
             : TW_FAIL(TW_ERR_IO, "%s: writing the string log failed (disk full?)", f->partial_path);
}

tw_status tw_h5_staged_log(tw_h5_file *f) {
  int fresh = 0;
  for (tw_h5_staged_strings *s = f->staged; s && !fresh; s = s->next)
    for (int64_t i = 0; s->fresh && i < s->n && !fresh; ++i) fresh = s->fresh[i];
  if (!fresh) return TW_OK;
  char *path = tw_h5_staged_log_path(f);
  if (!path) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", f->path);
  FILE *log = fopen(path, "a");
  tw_status st = log ? append_log(f, log) : TW_FAIL(TW_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
  if (log && fclose(log) != 0 && st == TW_OK) st = TW_FAIL(TW_ERR_IO, "%s: write failed", path);
  free(path);
  return st;
}

/* One entry of the log into s when it is s's; 0 at the end of the log, -1 when malformed. */
static int log_entry(FILE *log, tw_h5_staged_strings *s, char *path, size_t cap) {
  long long row;
  size_t len;
  if (fscanf(log, "%lld %zu ", &row, &len) != 2) return feof(log) ? 0 : -1;
  if (!fgets(path, (int)cap, log)) return -1;
  path[strcspn(path, "\n")] = 0;
  char *v = malloc(len + 1);
  if (!v || fread(v, 1, len, log) != len || fgetc(log) != '\n') return free(v), -1;
  v[len] = 0;
  if (strcmp(path, s->path) || row < 0 || row >= s->n) return free(v), 1;
  free(s->strings[row]);
  s->strings[row] = v;
  return 1;
}

/* The log's rows of s (a reopened file's staged copy). No log: nothing. */
static tw_status read_log(tw_h5_file *f, tw_h5_staged_strings *s) {
  char *path = tw_h5_staged_log_path(f), entry[1024];
  if (!path) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", f->path);
  FILE *log = fopen(path, "r");
  int k = 1;
  while (log && (k = log_entry(log, s, entry, sizeof entry)) > 0) {
  }
  if (log) fclose(log);
  const tw_status st = k < 0 ? TW_FAIL(TW_ERR_INPUT, "%s: damaged string log: remove it with the .partial file and "
                                                     "start again", path)
                             : TW_OK;
  free(path);
  return st;
}

/* ---- written by rows ------------------------------------------------------- */

struct tw_h5_strings {
  tw_h5_file *f;
  char *path;
  int64_t n;
  hid_t dset;                   /* serial file: the dataset, written round by round */
  tw_h5_staged_strings *staged; /* collective file, rank 0: the staged copy the rounds fill */
};

/* The serial dataset: n variable-length strings, filled by the rounds. */
static tw_status create_rows(tw_h5_scope *s, tw_h5_strings *ds, const char *units) {
  hid_t type, space, lcpl;
  const hsize_t dims[1] = {(hsize_t)ds->n};
  TW_TRY(tw_h5_vlen_string_type(s, &type));
  TW_H5_CHECK(space = tw_h5_keep(s, H5Screate_simple(1, dims, NULL)));
  TW_H5_CHECK(lcpl = tw_h5_keep(s, H5Pcreate(H5P_LINK_CREATE)));
  TW_H5_CHECK(H5Pset_create_intermediate_group(lcpl, 1));
  TW_H5_CHECK(ds->dset = H5Dcreate2(ds->f->file, ds->path, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT));
  return tw_h5_attr_put_string(ds->dset, "units", units);
}

/* A reopened serial file's dataset of n strings, opened to go on writing it. */
static tw_status reopen_rows(tw_h5_scope *s, tw_h5_strings *ds) {
  tw_h5_file *f = ds->f;
  hid_t dset, space;
  TW_TRY(tw_h5_open_dataset(s, f, ds->path, &dset));
  TW_H5_CHECK(space = tw_h5_keep(s, H5Dget_space(dset)));
  hsize_t n = 0;
  if (H5Sget_simple_extent_ndims(space) != 1 || H5Sget_simple_extent_dims(space, &n, NULL) != 1 || (int64_t)n != ds->n)
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' is not %lld strings, as this run writes", f->partial_path, ds->path,
                   (long long)ds->n);
  H5Iinc_ref(dset); /* kept past the scope */
  ds->dset = dset;
  return TW_OK;
}

static tw_status put_rows(tw_h5_scope *s, tw_h5_strings *ds, int64_t row0, int64_t nrows, const char *const *strings);

/* A reopened serial file: the rows a collective run logged (a run on several
** ranks, resumed on one) into the dataset, run by run of consecutive rows. */
static tw_status replay_log(tw_h5_strings *ds) {
  tw_h5_staged_strings log = {.path = ds->path, .n = ds->n};
  if (!(log.strings = calloc((size_t)ds->n + 1, sizeof *log.strings)))
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", ds->f->path);
  tw_status st = read_log(ds->f, &log);
  for (int64_t i = 0, j; st == TW_OK && i < ds->n; i = j) {
    for (j = i; j < ds->n && log.strings[j]; ++j) {
    }
    tw_h5_scope sc = {0};
    if (j > i) st = put_rows(&sc, ds, i, j - i, (const char *const *)log.strings + i);
    tw_h5_release(&sc);
    j += j == i;
  }
  for (int64_t i = 0; i < ds->n; ++i) free(log.strings[i]);
  free(log.strings);
  return st;
}

tw_status tw_h5_strings_create(tw_h5_file *f, const char *path, int64_t n, const char *units, tw_h5_strings **out) {
  *out = NULL;
  TW_TRY(check_new(f, path, n, units));
  if (f->rank == 0) TW_TRY(stage(f, path, NULL, 0, units)); /* then room for n rows */
  tw_h5_strings *ds = calloc(1, sizeof *ds);
  if (!ds || !(ds->path = tw_h5_strdup(path))) {
    free(ds);
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory creating dataset '%s'", f->path, path);
  }
  ds->f = f, ds->n = n, ds->dset = H5I_INVALID_HID;
  *out = ds;
  if (f->rank == 0) { /* collective: the copy written at close; serial: rows until the log has them */
    for (ds->staged = f->staged; ds->staged->next;) ds->staged = ds->staged->next;
    ds->staged->direct = !f->collective;
    free(ds->staged->strings);
    ds->staged->n = n;
    ds->staged->strings = calloc((size_t)n + 1, sizeof(char *)); /* rows never written stay NULL: "" */
    ds->staged->fresh = calloc((size_t)n + 1, 1);
    if (!ds->staged->strings || !ds->staged->fresh)
      return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory staging dataset '%s'", f->path, path);
    if (f->reopened && f->collective) TW_TRY(read_log(f, ds->staged)); /* the rows of the chunks finished before */
  }
  if (f->collective) return TW_OK;
  int exists = 0;
  if (f->reopened) TW_TRY(tw_h5_link_exists(f->file, path, &exists));
  tw_h5_scope sc = {0};
  const tw_status st = exists ? reopen_rows(&sc, ds) : create_rows(&sc, ds, units);
  tw_h5_release(&sc);
  return st == TW_OK && f->reopened ? replay_log(ds) : st;
}

/* Serial: rows [row0, row0 + nrows) straight into the dataset. */
static tw_status put_rows(tw_h5_scope *s, tw_h5_strings *ds, int64_t row0, int64_t nrows, const char *const *strings) {
  hid_t type, fspace, mspace;
  const hsize_t start[1] = {(hsize_t)row0}, count[1] = {(hsize_t)nrows};
  TW_TRY(tw_h5_vlen_string_type(s, &type));
  TW_H5_CHECK(fspace = tw_h5_keep(s, H5Dget_space(ds->dset)));
  TW_H5_CHECK(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL));
  TW_H5_CHECK(mspace = tw_h5_keep(s, H5Screate_simple(1, count, NULL)));
  TW_H5_CHECK(H5Dwrite(ds->dset, type, mspace, fspace, H5P_DEFAULT, strings));
  return TW_OK;
}

/* Rank r's rows, packed as NUL-terminated strings, sent to every rank; rank 0
** copies them into its staged dataset. head: row0, nrows, bytes. */
static tw_status gather_from(tw_h5_strings *ds, int r, int64_t row0, int64_t nrows, const char *const *strings) {
  const tw_h5_file *f = ds->f;
  int64_t head[3] = {row0, nrows, 0};
  for (int64_t i = 0; f->rank == r && i < nrows; ++i) head[2] += (int64_t)strlen(strings[i]) + 1;
  TW_TRY(tw_dist_bcast(f->dist, head, sizeof head, r));
  if (head[1] == 0) return TW_OK;
  char *buf = malloc((size_t)head[2] + 1);
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory gathering dataset '%s'", f->path, ds->path);
  for (int64_t i = 0, at = 0; f->rank == r && i < nrows; at += (int64_t)strlen(strings[i++]) + 1)
    memcpy(buf + at, strings[i], strlen(strings[i]) + 1);
  tw_status st = tw_dist_bcast(f->dist, buf, (size_t)head[2], r);
  for (int64_t i = 0, at = 0; st == TW_OK && f->rank == 0 && i < head[1]; at += (int64_t)strlen(buf + at) + 1, ++i) {
    char **slot = &ds->staged->strings[head[0] + i];
    ds->staged->fresh[head[0] + i] = 1;
    free(*slot);
    if (!(*slot = tw_h5_strdup(buf + at))) st = TW_FAIL(TW_ERR_NOMEM, "%s: out of memory staging '%s'", f->path, ds->path);
  }
  free(buf);
  return st;
}

tw_status tw_h5_strings_write_rows(tw_h5_strings *ds, int64_t row0, int64_t nrows, const char *const *strings) {
  tw_h5_where(ds->f, "dataset", ds->path);
  if (row0 < 0 || nrows < 0 || row0 > ds->n - nrows)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': rows [%lld, %lld) outside its %lld rows", ds->f->path, ds->path,
                   (long long)row0, (long long)(row0 + nrows), (long long)ds->n);
  for (int64_t i = 0; i < nrows; ++i)
    if (!strings[i])
      return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': string %lld is NULL", ds->f->path, ds->path, (long long)(row0 + i));
  if (ds->f->collective) {
    for (int r = 0; r < ds->f->dist->size; ++r) TW_TRY(gather_from(ds, r, row0, nrows, strings));
    return TW_OK;
  }
  if (nrows == 0) return TW_OK;
  tw_h5_scope sc = {0};
  tw_status st = put_rows(&sc, ds, row0, nrows, strings);
  tw_h5_release(&sc);
  for (int64_t i = 0; st == TW_OK && i < nrows; ++i) { /* for the string log at the next flush */
    char **slot = &ds->staged->strings[row0 + i];
    free(*slot);
    if (!(*slot = tw_h5_strdup(strings[i]))) st = TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", ds->f->path);
    ds->staged->fresh[row0 + i] = 1;
  }
  return st;
}

static tw_status close_rows(tw_h5_strings *ds) {
  tw_h5_where(ds->f, "dataset", ds->path);
  if (ds->dset >= 0) TW_H5_CHECK(H5Dclose(ds->dset));
  return TW_OK;
}

tw_status tw_h5_strings_close(tw_h5_strings *ds) {
  if (!ds) return TW_OK;
  const tw_status st = close_rows(ds);
  free(ds->path);
  free(ds);
  return st;
}
