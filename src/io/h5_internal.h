/*
** h5_internal.h: what the src/io/h5_*.c files share behind h5.h: the file and
** dataset handles, the error context, and the mapping of tw_dtype to HDF5 types.
**
** Not for use outside src/io.
*/
#ifndef TW_H5_INTERNAL_H
#define TW_H5_INTERNAL_H

#include <hdf5.h> /* hid_t, the HDF5 C API (pulls in mpi.h when HDF5 is parallel) */

#include "build_info.h" /* TW_HAVE_MPI */
#include "core/check.h"      /* TW_H5_CHECK */
#include "io/h5.h"

/* Collective (MPI-IO) files need both a parallel HDF5 and the MPI layer. */
#if defined(H5_HAVE_PARALLEL) && TW_HAVE_MPI
#define TW_H5_PARALLEL 1
#else
#define TW_H5_PARALLEL 0
#endif

/* A string dataset of a collective file, staged until close: HDF5 1.10 cannot
** write variable-length data through MPI-IO, so rank 0 writes these serially
** once the collective part of the file is closed (see h5_file.c). */
typedef struct tw_h5_staged_strings {
  char *path, *units;
  char **strings;
  int64_t n;
  unsigned char *fresh; /* written by rows: (n) 1 for rows written since the last flush, else NULL */
  int direct;           /* serial file: the rows are in the file already; kept only until logged */
  struct tw_h5_staged_strings *next;
} tw_h5_staged_strings;

struct tw_h5_file {
  hid_t file;
  char *path;          /* as given */
  char *partial_path;  /* "<path>.partial" while writing; NULL when reading */
  int created;         /* the partial file exists because this handle created it (or reopened it) */
  int reopened;        /* a partial file of a stopped run, reopened to go on (tw_h5_reopen): creating
                          what is already there opens it instead */
  const tw_dist *dist; /* NULL or one rank: serial */
  int collective;      /* MPI-IO with more than one rank */
  int rank;            /* this process's rank (0 when serial) */
  hid_t xfer;          /* dataset transfer list: collective MPI-IO or H5P_DEFAULT */
  tw_h5_staged_strings *staged;
  struct tw_h5_dataset *open_datasets; /* not yet closed; freed by abort */
};

struct tw_h5_dataset {
  tw_h5_file *f;
  hid_t dset;
  tw_dtype dtype;
  int rank;
  int64_t dims[TW_TENSOR_MAX_RANK];
  int64_t chunk_cols; /* 2-D datasets written in column blocks: HDF5 chunk width; 0: whole rows */
  char *path;
  struct tw_h5_dataset *next; /* in f->open_datasets */
};

/* Releases a dataset handle and unlinks it from its file (tw_h5_dataset_close
** without the checks); returns H5Dclose's result. */
herr_t tw_h5_dataset_free(tw_h5_dataset *ds);

/* The HDF5 ids a function opened, closed together on every path out of it:
**
**   tw_h5_scope sc = {0};
**   tw_status st = work(&sc, ...);   // work: TW_H5_CHECK(x = tw_h5_keep(sc, H5Dopen2(...)));
**   tw_h5_release(&sc);
**
** so that each call can go through TW_H5_CHECK and return early without leaking. */
enum { TW_H5_SCOPE_MAX = 16 };
typedef struct tw_h5_scope {
  hid_t ids[TW_H5_SCOPE_MAX];
  int n;
} tw_h5_scope;
/* Records a valid id for release and returns it (a failed, negative id passes through). */
hid_t tw_h5_keep(tw_h5_scope *s, hid_t id);
/* Closes the recorded ids, newest first. */
void tw_h5_release(tw_h5_scope *s);

/* Where the next HDF5 failure happened: "FILE: dataset 'PATH'", "FILE:
** attribute 'NAME'" or, with kind NULL, "FILE"; prefixed to tw_h5_error_string's
** description. Set at the entry of every public function. */
void tw_h5_where(const tw_h5_file *f, const char *kind, const char *name);
/* Turns HDF5's own error printing off (once). */
void tw_h5_quiet(void);

/* File and memory types of a tw_dtype (little-endian IEEE / two's complement in files). */
hid_t tw_h5_file_type(tw_dtype dtype);
hid_t tw_h5_mem_type(tw_dtype dtype);
/* A variable-length UTF-8 string type, kept in scope s. */
tw_status tw_h5_vlen_string_type(tw_h5_scope *s, hid_t *type);

/* Copies of strings; NULL when out of memory. */
char *tw_h5_strdup(const char *s);
char *tw_h5_concat(const char *a, const char *b);

/* True (1) when the object at `path` exists; checks each component so that a
** missing group is "not found", not an error. */
tw_status tw_h5_link_exists(hid_t loc, const char *path, int *exists);
/* The error for a dataset that is not there: "FILE: dataset 'PATH' not found". */
tw_status tw_h5_not_found(const tw_h5_file *f, const char *path);
/* Opens a dataset that must exist (TW_ERR_INPUT naming file and path when not),
** kept in scope s. */
tw_status tw_h5_open_dataset(tw_h5_scope *s, tw_h5_file *f, const char *path, hid_t *dset);

/* Attribute helpers on any object (the root group, a dataset). */
tw_status tw_h5_attr_put(hid_t obj, const char *name, hid_t file_type, hid_t mem_type, const void *value);
tw_status tw_h5_attr_put_string(hid_t obj, const char *name, const char *value);
/* Writes a 1-D variable-length string dataset at `path` of `file` (serial). */
tw_status tw_h5_put_strings(hid_t file, const char *path, const char *const *strings, int64_t n, const char *units);

/* Releases a staged list. */
void tw_h5_staged_free(tw_h5_staged_strings *s);
/* Rank 0 of a collective file: the rows staged since the last flush appended
** to the file's string log "<partial>.strings", synced (h5_strings.c). */
tw_status tw_h5_staged_log(tw_h5_file *f);
/* The string log of a file being written: its path (malloc'd). */
char *tw_h5_staged_log_path(const tw_h5_file *f);

#endif
