/*
** h5_dataset.c: numeric datasets: created with their global shape, written
** row by row (each rank its own contiguous rows), read back whole.
**
** Layout. A dataset of rank >= 1 is chunked along its first axis, the twin
** axis: a chunk holds whole rows, about 1 MiB of them, rounded down to a
** multiple of TW_DEFAULT_CHUNK rows when there are that many, so that the
** HDF5 chunks of a per-twin dataset line up with the twin partition. Scalars
** and empty datasets are contiguous (HDF5 cannot chunk them). A 2-D dataset
** written in blocks of columns (trajectories streamed in time blocks) is
** chunked by those columns instead, so that a block write fills whole HDF5
** chunks and none is read back to be modified.
**
** Reading converts to the requested type through HDF5's conversion, made
** strict: a value that does not fit the target (out of range, fractional
** where an integer is asked for, NaN into an integer) is an input error rather
** than a silently clipped number.
*/
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcpy */

#include "io/h5_internal.h"

enum { TW_H5_CHUNK_BYTES = 1 << 20 };

/* Elements in one row (the product of all dims but the first; 1 for a scalar). */
static int64_t row_elems(int rank, const int64_t *dims) {
  int64_t n = 1;
  for (int i = 1; i < rank; ++i) n *= dims[i];
  return n;
}

/* Rows per chunk: ~1 MiB, aligned to the twin chunk when large, at most the rows there are. */
static int64_t chunk_rows(int64_t rows, int64_t row_bytes) {
  int64_t n = TW_H5_CHUNK_BYTES / row_bytes;
  if (n >= TW_DEFAULT_CHUNK) n -= n % TW_DEFAULT_CHUNK;
  return TW_MAX(1, TW_MIN(n, rows));
}

static tw_status check_shape(const tw_h5_file *f, const char *path, int rank, const int64_t *dims) {
  if (rank < 0 || rank > TW_TENSOR_MAX_RANK)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': rank %d outside 0..%d", f->path, path, rank,
                   TW_TENSOR_MAX_RANK);
  for (int i = 0; i < rank; ++i)
    if (dims[i] < 0)
      return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': dim %d is negative (%lld)", f->path, path, i,
                     (long long)dims[i]);
  return TW_OK;
}

/* Creates the HDF5 dataset and its units attribute; ds->dset is set once created. */
static tw_status create(tw_h5_scope *s, tw_h5_dataset *ds, const char *units) {
  tw_h5_file *f = ds->f;
  hsize_t dims[TW_TENSOR_MAX_RANK], chunk[TW_TENSOR_MAX_RANK];
  for (int i = 0; i < ds->rank; ++i) chunk[i] = dims[i] = (hsize_t)ds->dims[i];
  if (ds->chunk_cols > 0) chunk[1] = (hsize_t)TW_MIN(ds->chunk_cols, ds->dims[1]);
  hid_t space, dcpl, lcpl;
  TW_H5_CHECK(space = tw_h5_keep(s, ds->rank ? H5Screate_simple(ds->rank, dims, NULL) : H5Screate(H5S_SCALAR)));
  TW_H5_CHECK(dcpl = tw_h5_keep(s, H5Pcreate(H5P_DATASET_CREATE)));
  int64_t per_row = ds->chunk_cols > 0 ? (int64_t)chunk[1] : row_elems(ds->rank, ds->dims);
  if (ds->rank > 0 && ds->dims[0] > 0 && per_row > 0) {
    chunk[0] = (hsize_t)chunk_rows(ds->dims[0], per_row * (int64_t)tw_dtype_size(ds->dtype));
    TW_H5_CHECK(H5Pset_chunk(dcpl, ds->rank, chunk));
  }
  /* Every chunk is allocated at creation, whatever the number of ranks:
  ** parallel HDF5 needs it, and a serial file made the same way can be gone on
  ** with by several ranks (--resume; writing chunks a serial run left
  ** unallocated failed on one rank inside a collective write). Every element is
  ** written before the file is closed, so no fill value is written (filling
  ** wrote each dataset twice, and the first checkpoint's flush had to sync it
  ** all). */
  if (ds->rank > 0 && ds->dims[0] > 0 && per_row > 0) TW_H5_CHECK(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY));
  TW_H5_CHECK(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER));
  TW_H5_CHECK(lcpl = tw_h5_keep(s, H5Pcreate(H5P_LINK_CREATE)));
  TW_H5_CHECK(H5Pset_create_intermediate_group(lcpl, 1));
  TW_H5_CHECK(ds->dset = H5Dcreate2(f->file, ds->path, tw_h5_file_type(ds->dtype), space, lcpl, dcpl, H5P_DEFAULT));
  TW_TRY(tw_h5_attr_put_string(ds->dset, "units", units));
  return TW_OK;
}

/* A reopened file's dataset (tw_h5_reopen): opened, if it is what creating it
** would have made (type class and size, shape). */
static tw_status reopen(tw_h5_scope *s, tw_h5_dataset *ds) {
  tw_h5_file *f = ds->f;
  hid_t type, space;
  TW_H5_CHECK(ds->dset = H5Dopen2(f->file, ds->path, H5P_DEFAULT));
  TW_H5_CHECK(type = tw_h5_keep(s, H5Dget_type(ds->dset)));
  TW_H5_CHECK(space = tw_h5_keep(s, H5Dget_space(ds->dset)));
  hsize_t dims[TW_TENSOR_MAX_RANK];
  const int rank = H5Sget_simple_extent_ndims(space);
  int same = rank == ds->rank && H5Tget_class(type) == H5Tget_class(tw_h5_file_type(ds->dtype)) &&
             H5Tget_size(type) == H5Tget_size(tw_h5_file_type(ds->dtype));
  if (same && rank > 0) H5Sget_simple_extent_dims(space, dims, NULL);
  for (int i = 0; same && i < rank; ++i) same = dims[i] == (hsize_t)ds->dims[i];
  if (!same) return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' is not what this run writes there (type or shape)",
                            f->partial_path, ds->path);
  return TW_OK;
}

static tw_status dataset_create(tw_h5_file *f, const char *path, tw_dtype dtype, int rank, const int64_t *dims,
                                int64_t chunk_cols, const char *units, tw_h5_dataset **out) {
  tw_h5_where(f, "dataset", path);
  *out = NULL;
  if (!f->partial_path) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': file is open read-only", f->path, path);
  if (!units || !*units)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': units must be given (\"1\" when dimensionless)", f->path, path);
  TW_TRY(check_shape(f, path, rank, dims));
  int exists;
  TW_TRY(tw_h5_link_exists(f->file, path, &exists));
  if (exists && !f->reopened) return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' already exists", f->path, path);

  tw_h5_dataset *ds = calloc(1, sizeof *ds);
  if (!ds || !(ds->path = tw_h5_strdup(path))) {
    free(ds);
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory creating dataset '%s'", f->path, path);
  }
  ds->f = f;
  ds->dset = H5I_INVALID_HID;
  ds->dtype = dtype;
  ds->rank = rank;
  ds->chunk_cols = chunk_cols;
  memcpy(ds->dims, dims, (size_t)rank * sizeof *dims);
  tw_h5_scope sc = {0};
  tw_status st = exists ? reopen(&sc, ds) : create(&sc, ds, units);
  tw_h5_release(&sc);
  if (st != TW_OK) {
    if (ds->dset >= 0) H5Dclose(ds->dset);
    free(ds->path);
    free(ds);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  ds->next = f->open_datasets;
  f->open_datasets = ds;
  *out = ds;
  return TW_OK;
}

tw_status tw_h5_dataset_create(tw_h5_file *f, const char *path, tw_dtype dtype, int rank, const int64_t *dims,
                               const char *units, tw_h5_dataset **out) {
  return dataset_create(f, path, dtype, rank, dims, 0, units, out);
}

tw_status tw_h5_dataset_create_blocked(tw_h5_file *f, const char *path, tw_dtype dtype, const int64_t dims[2],
                                       int64_t block_cols, const char *units, tw_h5_dataset **out) {
  if (block_cols < 1)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': blocks of %lld columns", f->path, path, (long long)block_cols);
  return dataset_create(f, path, dtype, 2, dims, block_cols, units, out);
}

/* Selects rows [row0, row0 + nrows) and, of a dataset of rank >= 2, columns
** [col0, col0 + ncols) (ncols < 0: all of them) of dset's file space, and makes
** the matching memory space (a rank-0 dataset is one row). With nothing to
** transfer, both select nothing: a rank that owns no twins still takes part in
** a collective transfer. */
static tw_status select_block(tw_h5_scope *s, hid_t dset, int rank, const int64_t *dims, int64_t row0,
                              int64_t nrows, int64_t col0, int64_t ncols, hid_t *fspace, hid_t *mspace) {
  TW_H5_CHECK(*fspace = tw_h5_keep(s, H5Dget_space(dset)));
  if (nrows == 0 || ncols == 0 || row_elems(rank, dims) == 0) {
    TW_H5_CHECK(*mspace = tw_h5_keep(s, H5Screate(H5S_SCALAR)));
    TW_H5_CHECK(H5Sselect_none(*fspace));
    TW_H5_CHECK(H5Sselect_none(*mspace));
  } else if (rank == 0) {
    TW_H5_CHECK(*mspace = tw_h5_keep(s, H5Screate(H5S_SCALAR)));
  } else {
    hsize_t start[TW_TENSOR_MAX_RANK] = {0}, count[TW_TENSOR_MAX_RANK];
    for (int i = 0; i < rank; ++i) count[i] = (hsize_t)dims[i];
    start[0] = (hsize_t)row0;
    count[0] = (hsize_t)nrows;
    if (rank >= 2 && ncols >= 0) start[1] = (hsize_t)col0, count[1] = (hsize_t)ncols;
    TW_H5_CHECK(H5Sselect_hyperslab(*fspace, H5S_SELECT_SET, start, NULL, count, NULL));
    TW_H5_CHECK(*mspace = tw_h5_keep(s, H5Screate_simple(rank, count, NULL)));
  }
  return TW_OK;
}

static tw_status select_rows(tw_h5_scope *s, hid_t dset, int rank, const int64_t *dims, int64_t row0,
                             int64_t nrows, hid_t *fspace, hid_t *mspace) {
  return select_block(s, dset, rank, dims, row0, nrows, 0, -1, fspace, mspace);
}

/* A buffer for transfers of nothing: HDF5 wants a non-NULL pointer even then. */
static char nothing[8];

static tw_status write_block(tw_h5_scope *s, tw_h5_dataset *ds, int64_t row0, int64_t nrows, int64_t col0,
                             int64_t ncols, const void *data) {
  hid_t fspace, mspace;
  TW_TRY(select_block(s, ds->dset, ds->rank, ds->dims, row0, nrows, col0, ncols, &fspace, &mspace));
  TW_H5_CHECK(H5Dwrite(ds->dset, tw_h5_mem_type(ds->dtype), mspace, fspace, ds->f->xfer, data ? data : nothing));
  return TW_OK;
}

tw_status tw_h5_dataset_write_rows(tw_h5_dataset *ds, int64_t row0, int64_t nrows, const void *data) {
  tw_h5_where(ds->f, "dataset", ds->path);
  int64_t rows = ds->rank ? ds->dims[0] : 1; /* a scalar is one row */
  if (row0 < 0 || nrows < 0 || row0 > rows - nrows)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': rows [%lld, %lld) outside its %lld rows", ds->f->path,
                   ds->path, (long long)row0, (long long)(row0 + nrows), (long long)rows);
  if (!data && nrows > 0 && row_elems(ds->rank, ds->dims) > 0)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': no data for %lld rows", ds->f->path, ds->path,
                   (long long)nrows);
  tw_h5_scope sc = {0};
  tw_status st = write_block(&sc, ds, row0, nrows, 0, -1, data);
  tw_h5_release(&sc);
  return st;
}

tw_status tw_h5_dataset_write_block(tw_h5_dataset *ds, int64_t row0, int64_t nrows, int64_t col0, int64_t ncols,
                                    const void *data) {
  tw_h5_where(ds->f, "dataset", ds->path);
  if (ds->rank != 2 || row0 < 0 || nrows < 0 || row0 > ds->dims[0] - nrows || col0 < 0 || ncols < 0 ||
      col0 > ds->dims[1] - ncols)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': block [%lld, %lld) x [%lld, %lld) outside its shape",
                   ds->f->path, ds->path, (long long)row0, (long long)(row0 + nrows), (long long)col0,
                   (long long)(col0 + ncols));
  if (!data && nrows > 0 && ncols > 0)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': no data for a block", ds->f->path, ds->path);
  tw_h5_scope sc = {0};
  tw_status st = write_block(&sc, ds, row0, nrows, col0, ncols, data);
  tw_h5_release(&sc);
  return st;
}

herr_t tw_h5_dataset_free(tw_h5_dataset *ds) {
  tw_h5_dataset **link = &ds->f->open_datasets;
  while (*link != ds) link = &(*link)->next;
  *link = ds->next;
  herr_t rc = H5Dclose(ds->dset);
  free(ds->path);
  free(ds);
  return rc;
}

tw_status tw_h5_dataset_close(tw_h5_dataset *ds) {
  if (!ds) return TW_OK;
  tw_h5_where(ds->f, "dataset", ds->path);
  TW_H5_CHECK(tw_h5_dataset_free(ds));
  return TW_OK;
}

tw_status tw_h5_write_array(tw_h5_file *f, const char *path, tw_dtype dtype, const void *data, int rank,
                            const int64_t *dims, const char *units) {
  tw_tensor t;
  TW_TRY(tw_tensor_view(&t, (void *)data, dtype, (tw_device){TW_DEVICE_HOST, 0}, rank, dims));
  return tw_h5_write(f, path, &t, units);
}

tw_status tw_h5_write(tw_h5_file *f, const char *path, const tw_tensor *t, const char *units) {
  if (t->device.kind != TW_DEVICE_HOST || !tw_tensor_is_contiguous(t))
    return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': the tensor must be contiguous and on the host", f->path, path);
  tw_h5_dataset *ds;
  TW_TRY(tw_h5_dataset_create(f, path, t->dtype, t->rank, t->dims, units, &ds));
  /* In a collective file every rank holds the same data; rank 0 writes it. */
  int64_t rows = t->rank ? t->dims[0] : 1;
  tw_status st = tw_h5_dataset_write_rows(ds, 0, f->rank == 0 ? rows : 0, t->data);
  tw_status closed = tw_h5_dataset_close(ds);
  TW_TRY(st);
  TW_TRY(closed);
  return TW_OK;
}

/* Rank and dims of an open dataset; a rank above what a tensor holds is an input error. */
static tw_status dataset_shape(tw_h5_scope *s, tw_h5_file *f, const char *path, hid_t dset, int *rank,
                               int64_t *dims) {
  hid_t space;
  TW_H5_CHECK(space = tw_h5_keep(s, H5Dget_space(dset)));
  int r;
  TW_H5_CHECK(r = H5Sget_simple_extent_ndims(space));
  if (r > TW_TENSOR_MAX_RANK)
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' has rank %d, more than the %d twinscale reads", f->path, path, r,
                   TW_TENSOR_MAX_RANK);
  hsize_t d[TW_TENSOR_MAX_RANK];
  TW_H5_CHECK(H5Sget_simple_extent_dims(space, d, NULL));
  for (int i = 0; i < r; ++i) dims[i] = (int64_t)d[i];
  *rank = r;
  return TW_OK;
}

static tw_status shape(tw_h5_scope *s, tw_h5_file *f, const char *path, int *rank, int64_t *dims) {
  hid_t dset;
  TW_TRY(tw_h5_open_dataset(s, f, path, &dset));
  return dataset_shape(s, f, path, dset, rank, dims);
}

tw_status tw_h5_shape(tw_h5_file *f, const char *path, int *rank, int64_t *dims) {
  tw_h5_where(f, "dataset", path);
  tw_h5_scope sc = {0};
  tw_status st = shape(&sc, f, path, rank, dims);
  tw_h5_release(&sc);
  return st;
}

static tw_status value_class(tw_h5_scope *s, tw_h5_file *f, const char *path, tw_h5_class *cls) {
  hid_t dset, type;
  TW_TRY(tw_h5_open_dataset(s, f, path, &dset));
  TW_H5_CHECK(type = tw_h5_keep(s, H5Dget_type(dset)));
  H5T_class_t c;
  TW_H5_CHECK(c = H5Tget_class(type));
  *cls = c == H5T_INTEGER ? TW_H5_CLASS_INTEGER
         : c == H5T_FLOAT ? TW_H5_CLASS_FLOAT
         : c == H5T_STRING ? TW_H5_CLASS_STRING
                           : TW_H5_CLASS_OTHER;
  return TW_OK;
}

tw_status tw_h5_class_of(tw_h5_file *f, const char *path, tw_h5_class *cls) {
  tw_h5_where(f, "dataset", path);
  tw_h5_scope sc = {0};
  tw_status st = value_class(&sc, f, path, cls);
  tw_h5_release(&sc);
  return st;
}

/* Conversion exceptions that would change a value turn the read into an error. */
static H5T_conv_ret_t strict_conversion(H5T_conv_except_t what, hid_t src, hid_t dst, void *from, void *to,
                                        void *lossy) {
  if (what == H5T_CONV_EXCEPT_PRECISION) return H5T_CONV_UNHANDLED; /* int64 -> double rounding is fine */
  *(int *)lossy = 1;
  return H5T_CONV_ABORT;
}

/* Reads rows [row0, row0 + nrows) of a dataset, all of it when nrows < 0, into a
** malloc'd tensor of dtype. */
static tw_status read_rows(tw_h5_scope *s, tw_h5_file *f, const char *path, tw_dtype dtype, int64_t row0,
                           int64_t nrows, tw_tensor *out, int *lossy) {
  hid_t dset, type, xfer, fspace, mspace;
  TW_TRY(tw_h5_open_dataset(s, f, path, &dset));
  TW_H5_CHECK(type = tw_h5_keep(s, H5Dget_type(dset)));
  H5T_class_t cls;
  TW_H5_CHECK(cls = H5Tget_class(type));
  if (cls != H5T_INTEGER && cls != H5T_FLOAT)
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' does not hold numbers (read as %s)", f->path, path,
                   tw_dtype_name(dtype));
  int rank;
  int64_t dims[TW_TENSOR_MAX_RANK];
  TW_TRY(dataset_shape(s, f, path, dset, &rank, dims));
  int64_t rows = rank ? dims[0] : 1;
  if (nrows < 0) {
    row0 = 0;
    nrows = rows;
  } else if (rank == 0 || row0 < 0 || row0 > rows - nrows) {
    return TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' has %lld rows; rows [%lld, %lld) were asked for", f->path, path,
                   rank ? (long long)rows : 0LL, (long long)row0, (long long)(row0 + nrows));
  }
  TW_TRY(select_rows(s, dset, rank, dims, row0, nrows, &fspace, &mspace));
  if (rank) dims[0] = nrows;
  TW_H5_CHECK(xfer = tw_h5_keep(s, H5Pcopy(f->xfer == H5P_DEFAULT ? H5P_DATASET_XFER_DEFAULT : f->xfer)));
  TW_H5_CHECK(H5Pset_type_conv_cb(xfer, strict_conversion, lossy));
  TW_TRY(tw_tensor_view(out, NULL, dtype, (tw_device){TW_DEVICE_HOST, 0}, rank, dims));
  size_t bytes = tw_tensor_bytes(out);
  if (!(out->data = malloc(bytes ? bytes : 1)))
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory reading dataset '%s' (%zu bytes)", f->path, path, bytes);
  TW_H5_CHECK(H5Dread(dset, tw_h5_mem_type(dtype), mspace, fspace, xfer, out->data));
  return TW_OK;
}

/* read_rows in its scope, with the conversion failure turned into an input error. */
static tw_status read_checked(tw_h5_file *f, const char *path, tw_dtype dtype, int64_t row0, int64_t nrows,
                              tw_tensor *out) {
  tw_h5_where(f, "dataset", path);
  tw_h5_scope sc = {0};
  int lossy = 0;
  out->data = NULL;
  tw_status st = read_rows(&sc, f, path, dtype, row0, nrows, out, &lossy);
  tw_h5_release(&sc);
  if (st != TW_OK) {
    free(out->data);
    out->data = NULL;
    if (lossy)
      st = TW_FAIL(TW_ERR_INPUT, "%s: dataset '%s' holds values that do not fit %s (out of range, fractional or NaN)",
                   f->path, path, tw_dtype_name(dtype));
  }
  return st;
}

tw_status tw_h5_read(tw_h5_file *f, const char *path, tw_dtype dtype, tw_tensor *out) {
  return read_checked(f, path, dtype, 0, -1, out);
}

tw_status tw_h5_read_rows(tw_h5_file *f, const char *path, tw_dtype dtype, int64_t row0, int64_t nrows,
                          tw_tensor *out) {
  if (nrows < 0) return TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s': %lld rows", f->path, path, (long long)nrows);
  return read_checked(f, path, dtype, row0, nrows, out);
}

int tw_h5_exists(tw_h5_file *f, const char *path) {
  tw_h5_where(f, "object", path);
  int exists = 0;
  if (tw_h5_link_exists(f->file, path, &exists) != TW_OK) {
    tw_error_clear();
    return 0;
  }
  return exists;
}
