/*
** h5.h: the HDF5 helpers every results, model and checkpoint file goes through.
**
** One interface for serial and MPI-IO builds. A results file is created by all
** ranks together (collectively, parallel HDF5) or by one process; datasets are
** chunked along their first axis, the twin axis, and each rank writes its own
** contiguous rows. Every dataset carries a `units` attribute ("mg/dL", "1" for
** dimensionless, "" is not allowed).
**
** Files are written to "<path>.partial" and renamed over <path> only by
** tw_h5_close after everything succeeded: a failed run never leaves a file that
** looks whole. tw_h5_abort removes the partial file.
**
** Every HDF5 call is checked (TW_H5_CHECK in core/check.h) and errors name the
** file and the dataset path.
*/
#ifndef TW_H5_H
#define TW_H5_H

#include "core/status.h"
#include "core/tensor.h" /* tw_dtype, tw_tensor */
#include "mpi/dist.h"    /* tw_dist for collective files */

TW_EXTERN_C_BEGIN

typedef struct tw_h5_file tw_h5_file;

/* Root attributes of a results file. twinscale version and git commit are added
** by tw_h5_create itself. */
typedef struct tw_h5_run_info {
  const char *config_text; /* the full config, as read */
  uint64_t seed;
  int rank_count;
  const char *gemm; /* what computed the GEMMs (tw_backend.gemm_kernel), for a model; NULL: not written */
} tw_h5_run_info;

/* Creates (truncating) a results file. `dist` NULL or of size 1: serial; otherwise
** collective over dist's ranks (every rank calls it). `info` may be NULL for files
** that are not run results (models). */
tw_status tw_h5_create(const char *path, const tw_dist *dist, const tw_h5_run_info *info, tw_h5_file **out);
/* Opens an existing file read-only (serial, or collectively when dist has >1 rank). */
tw_status tw_h5_open(const char *path, const tw_dist *dist, tw_h5_file **out);
/* Reopens the partial file "<path>.partial" that a stopped run left behind
** (tw_h5_suspend), read-write, to go on writing it (every rank calls it, as
** tw_h5_create). Its root attribute `config` must equal info->config_text (else
** TW_ERR_INPUT: written by another config); the run info is written again.
** Creating a dataset that is there opens it (the same type class and shape, else
** TW_ERR_INPUT); whole datasets and string datasets written again replace what
** was there; string datasets written by rows keep the rows written before. */
tw_status tw_h5_reopen(const char *path, const tw_dist *dist, const tw_h5_run_info *info, tw_h5_file **out);
/* Flushes what has been written to the file (every rank of a collective file
** calls it): after it returns, the rows written so far are on disk. */
tw_status tw_h5_flush(tw_h5_file *f);
/* Closes a file being written without renaming it: "<path>.partial" stays, whole
** as far as it was written (staged strings included), for tw_h5_reopen. Every
** dataset must be closed first; on failure the file is abandoned (tw_h5_abort). */
tw_status tw_h5_suspend(tw_h5_file *f);
/* Closes; for a file being written, renames the partial file into place. Every
** tw_h5_dataset of the file must be closed first. On failure the file is
** abandoned as by tw_h5_abort; in a collective file every rank returns the same status. */
tw_status tw_h5_close(tw_h5_file *f);
/* Closes and removes a file being written, after a failure; frees dataset handles
** still open. Never fails. In a collective file every rank calls it (after
** tw_dist_agree has told them all of the failure). */
void tw_h5_abort(tw_h5_file *f);

/* Writes a whole dataset from one process (in a collective file, every rank
** calls it with the same data; rank 0's is written). Intermediate groups are
** created. `t` must be a contiguous host tensor; rank 0 of t means a scalar. */
tw_status tw_h5_write(tw_h5_file *f, const char *path, const tw_tensor *t, const char *units);
/* The same for a contiguous host array `data` of `rank` dims (the tensor view
** every writer of a plain array would otherwise build itself). */
tw_status tw_h5_write_array(tw_h5_file *f, const char *path, tw_dtype dtype, const void *data, int rank,
                            const int64_t *dims, const char *units);
/* Writes n variable-length UTF-8 strings as a 1-D dataset. */
tw_status tw_h5_write_strings(tw_h5_file *f, const char *path, const char *const *strings, int64_t n,
                              const char *units);

/* A dataset whose first axis is distributed: created with its global dims (every
** rank calls create with the same arguments), then each rank writes its rows
** [row0, row0 + nrows) (collective: every rank calls write_rows, nrows may be 0). */
typedef struct tw_h5_dataset tw_h5_dataset;
tw_status tw_h5_dataset_create(tw_h5_file *f, const char *path, tw_dtype dtype, int rank, const int64_t *dims,
                               const char *units, tw_h5_dataset **out);
tw_status tw_h5_dataset_write_rows(tw_h5_dataset *ds, int64_t row0, int64_t nrows, const void *data);
tw_status tw_h5_dataset_close(tw_h5_dataset *ds);
/* A 2-D (rows, cols) dataset written in blocks of columns (trajectories
** streamed in time blocks), chunked `block_cols` columns wide so that each
** block write fills whole HDF5 chunks. */
tw_status tw_h5_dataset_create_blocked(tw_h5_file *f, const char *path, tw_dtype dtype, const int64_t dims[2],
                                       int64_t block_cols, const char *units, tw_h5_dataset **out);
/* Writes rows [row0, row0 + nrows) x columns [col0, col0 + ncols) of a 2-D
** dataset from `data`, (nrows, ncols) row-major. Collective like write_rows
** (nrows may be 0). */
tw_status tw_h5_dataset_write_block(tw_h5_dataset *ds, int64_t row0, int64_t nrows, int64_t col0, int64_t ncols,
                                    const void *data);

/* Reads a whole dataset into a malloc'd host tensor converted to `dtype` (free
** out->data with free()). A missing dataset is TW_ERR_INPUT naming file and path,
** and so is a value that `dtype` cannot hold (out of range, fractional for an
** integer type). In a collective file every rank calls it and gets the whole dataset. */
tw_status tw_h5_read(tw_h5_file *f, const char *path, tw_dtype dtype, tw_tensor *out);
/* Reads rows [row0, row0 + nrows) of a dataset of rank >= 1 (out->dims[0] = nrows),
** converted as tw_h5_read does: each rank its own twins from a cohort file. In a
** collective file every rank calls it (nrows may be 0). Rows outside the dataset
** are TW_ERR_INPUT naming file, dataset and its row count. */
tw_status tw_h5_read_rows(tw_h5_file *f, const char *path, tw_dtype dtype, int64_t row0, int64_t nrows,
                          tw_tensor *out);
/* Reads a 1-D string dataset: *strings is a malloc'd array of malloc'd strings. */
tw_status tw_h5_read_strings(tw_h5_file *f, const char *path, char ***strings, int64_t *n);
/* Rows [row0, row0 + nrows) of a 1-D string dataset (a cohort file's /cohort/id
** for one range of twins): *strings a malloc'd array of nrows malloc'd strings.
** Rows outside the dataset are TW_ERR_INPUT naming file, dataset and its row count. */
tw_status tw_h5_read_strings_rows(tw_h5_file *f, const char *path, int64_t row0, int64_t nrows, char ***strings);
/* A 1-D dataset of n variable-length UTF-8 strings written in row ranges (twin
** names, chunk by chunk), reading back as tw_h5_write_strings' do: created by
** every rank, then written by every rank in every round, rows [row0, row0 +
** nrows) (nrows may be 0; collective files gather the rows onto rank 0, which
** writes them at close), and closed before the file. */
typedef struct tw_h5_strings tw_h5_strings;
tw_status tw_h5_strings_create(tw_h5_file *f, const char *path, int64_t n, const char *units, tw_h5_strings **out);
tw_status tw_h5_strings_write_rows(tw_h5_strings *ds, int64_t row0, int64_t nrows, const char *const *strings);
tw_status tw_h5_strings_close(tw_h5_strings *ds);
/* True when the dataset (or group) exists. */
int tw_h5_exists(tw_h5_file *f, const char *path);
/* The names of a group's members (datasets and groups), ascending: *names is
** a malloc'd array of malloc'd strings; a missing group is an empty list. */
tw_status tw_h5_list(tw_h5_file *f, const char *group, char ***names, int *n);
/* Rank and dims of a dataset, without reading it. */
tw_status tw_h5_shape(tw_h5_file *f, const char *path, int *rank, int64_t *dims);
/* What a dataset's values are, from its HDF5 type class (a cohort file's columns:
** float continuous, integer and string discrete). */
typedef enum tw_h5_class { TW_H5_CLASS_INTEGER, TW_H5_CLASS_FLOAT, TW_H5_CLASS_STRING, TW_H5_CLASS_OTHER } tw_h5_class;
tw_status tw_h5_class_of(tw_h5_file *f, const char *path, tw_h5_class *cls);
/* The `units` attribute of a dataset (copied into buf). */
tw_status tw_h5_units(tw_h5_file *f, const char *path, char *buf, size_t cap);

/* Attributes on the root group (model sizes N, F, ..., a loss, ...). */
tw_status tw_h5_attr_write_i64(tw_h5_file *f, const char *name, int64_t value);
tw_status tw_h5_attr_write_f64(tw_h5_file *f, const char *name, double value);
tw_status tw_h5_attr_write_string(tw_h5_file *f, const char *name, const char *value);
tw_status tw_h5_attr_read_i64(tw_h5_file *f, const char *name, int64_t *value);
tw_status tw_h5_attr_read_f64(tw_h5_file *f, const char *name, double *value);
/* A string attribute of the root group (variable- or fixed-length) as a malloc'd copy. */
tw_status tw_h5_attr_read_string(tw_h5_file *f, const char *name, char **value);
/* The file's path as given (for messages). */
const char *tw_h5_path(const tw_h5_file *f);

TW_EXTERN_C_END

#endif
