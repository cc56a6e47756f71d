/*
** h5_file.c: creating, opening, closing and abandoning HDF5 files.
**
** A file being written lives at "<path>.partial" until tw_h5_close has flushed
** and closed it without error; only then is it renamed over <path> (rename is
** atomic on POSIX file systems), so a run that fails or is killed leaves a
** .partial file or nothing, never a file that looks whole. tw_h5_abort and a
** failed close remove the partial file, and free any dataset handles of the
** file still open (closing with one open is a caller's bug, reported as such).
**
** With a tw_dist of more than one rank the file is opened by all ranks through
** MPI-IO (parallel HDF5) and every dataset write is a collective transfer.
** Closing then goes: every rank closes the file; the ranks agree that all
** closes succeeded (which is also the barrier before the rename); rank 0 writes
** the staged string datasets serially (h5_strings.c) and renames; the ranks
** agree on rank 0's outcome, so every rank returns the same status.
**
** A run that is stopped suspends its file instead (tw_h5_suspend): the same
** close without the rename, so the partial file holds everything written, and
** tw_h5_reopen opens it again to go on (run.c: checkpoints).
*/
#include <errno.h>  /* errno after fopen */
#include <stdio.h>  /* fopen, rename, remove */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strerror */

#include "build_info.h" /* TW_VERSION_STRING */
#include "git_commit.h" /* TW_GIT_COMMIT, regenerated at every build */
#include "io/h5_internal.h"
#if TW_H5_PARALLEL
#include "mpi/dist_comm.h" /* tw_dist_comm for the MPI-IO driver */
#endif

/* Allocates a handle for `path`; writing files also get their partial path. */
static tw_status new_handle(const char *path, const tw_dist *dist, int writing, tw_h5_file **out) {
  tw_h5_file *f = calloc(1, sizeof *f);
  if (!f || !(f->path = tw_h5_strdup(path)) || (writing && !(f->partial_path = tw_h5_concat(path, ".partial")))) {
    if (f) free(f->path);
    free(f);
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory opening the file", path);
  }
  f->file = H5I_INVALID_HID;
  f->xfer = H5P_DEFAULT;
  f->dist = dist;
  /* One process (no launcher: MPI not even initialised, dist->comm NULL) uses
  ** HDF5's default serial driver; MPI-IO only when ranks share the file. */
  f->collective = dist && dist->size > 1 && dist->comm;
  f->rank = dist ? dist->rank : 0;
  *out = f;
  if (f->collective && !TW_H5_PARALLEL)
    return TW_FAIL(TW_ERR_UNSUPPORTED,
                   "%s: a file shared by %d ranks needs parallel HDF5 and MPI; this build has %s", path, dist->size,
                   TW_HAVE_MPI ? "a serial HDF5" : "no MPI");
  return TW_OK;
}

/* The file access list: MPI-IO over the dist's ranks when collective. Also sets
** the collective transfer list used by every dataset write. */
static tw_status access_list(tw_h5_scope *s, tw_h5_file *f, hid_t *fapl) {
  TW_H5_CHECK(*fapl = tw_h5_keep(s, H5Pcreate(H5P_FILE_ACCESS)));
  /* Closing a file with objects still open is an error rather than a deferred close. */
  TW_H5_CHECK(H5Pset_fclose_degree(*fapl, H5F_CLOSE_SEMI));
  /* No chunk cache: rows go straight between the file and the caller's buffer.
  ** HDF5's default 1 MiB per open dataset held a chunk of each of dozens of
  ** per-twin datasets written a run chunk at a time (memory growing with the
  ** twin count), and read a whole chunk to return a chunk's rows. */
  TW_H5_CHECK(H5Pset_cache(*fapl, 0, 521, 0, 0.75));
#if TW_H5_PARALLEL
  if (f->collective) {
    TW_H5_CHECK(H5Pset_fapl_mpio(*fapl, tw_dist_comm(f->dist), MPI_INFO_NULL));
    TW_H5_CHECK(f->xfer = H5Pcreate(H5P_DATASET_XFER));
    TW_H5_CHECK(H5Pset_dxpl_mpio(f->xfer, H5FD_MPIO_COLLECTIVE));
  }
#endif
  return TW_OK;
}

static tw_status write_run_info(tw_h5_file *f, const tw_h5_run_info *info) {
  TW_TRY(tw_h5_attr_write_string(f, "twinscale_version", TW_VERSION_STRING));
  TW_TRY(tw_h5_attr_write_string(f, "git_commit", TW_GIT_COMMIT));
  if (!info) return TW_OK;
  TW_TRY(tw_h5_attr_write_string(f, "config", info->config_text ? info->config_text : ""));
  tw_h5_where(f, "attribute", "seed");
  TW_TRY(tw_h5_attr_put(f->file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &info->seed));
  TW_TRY(tw_h5_attr_write_i64(f, "rank_count", info->rank_count));
  if (info->gemm) TW_TRY(tw_h5_attr_write_string(f, "gemm", info->gemm));
  return TW_OK;
}

static tw_status create_file(tw_h5_scope *s, tw_h5_file *f, const tw_h5_run_info *info) {
  hid_t fapl;
  TW_TRY(access_list(s, f, &fapl));
  const unsigned truncate = H5F_ACC_TRUNC; /* a variable, so the failed call reads plainly */
  TW_H5_CHECK(f->file = H5Fcreate(f->partial_path, truncate, H5P_DEFAULT, fapl));
  f->created = 1;
  return write_run_info(f, info);
}

/* Opens the existing file `path` with `flags` (H5F_ACC_RDONLY or RDWR). */
static tw_status open_existing(tw_h5_scope *s, tw_h5_file *f, const char *path, unsigned flags) {
  /* Say plainly what is wrong with a path before HDF5 does so obscurely. */
  FILE *probe = fopen(path, "rb");
  if (!probe) return TW_FAIL(TW_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  fclose(probe);
  htri_t is_h5 = H5Fis_hdf5(path);
  if (is_h5 <= 0) return TW_FAIL(TW_ERR_INPUT, "%s: not an HDF5 file", path);
  hid_t fapl;
  TW_TRY(access_list(s, f, &fapl));
  TW_H5_CHECK(f->file = H5Fopen(path, flags, fapl));
  return TW_OK;
}

static tw_status open_file(tw_h5_scope *s, tw_h5_file *f) { return open_existing(s, f, f->path, H5F_ACC_RDONLY); }

/* The partial file of a stopped run, read-write, if it was written by the same config. */
static tw_status reopen_file(tw_h5_scope *s, tw_h5_file *f, const tw_h5_run_info *info) {
  TW_TRY(open_existing(s, f, f->partial_path, H5F_ACC_RDWR));
  f->created = f->reopened = 1;
  char *config = NULL;
  tw_status st = tw_h5_attr_read_string(f, "config", &config);
  if (st == TW_OK && strcmp(config, info && info->config_text ? info->config_text : ""))
    st = TW_FAIL(TW_ERR_INPUT, "%s: written by another config: cannot go on with this one", f->partial_path);
  free(config);
  return st == TW_OK ? write_run_info(f, info) : st;
}

/* Creates (writing), reopens or opens the file behind a new handle; on failure nothing is left. */
enum { START_READ, START_CREATE, START_REOPEN };
static tw_status start(const char *path, const tw_dist *dist, const tw_h5_run_info *info, int how,
                       tw_h5_file **out) {
  tw_h5_quiet();
  *out = NULL;
  tw_h5_file *f = NULL;
  tw_status st = new_handle(path, dist, how != START_READ, &f);
  if (st == TW_OK) {
    tw_h5_where(f, NULL, NULL);
    tw_h5_scope sc = {0};
    st = how == START_CREATE ? create_file(&sc, f, info) : how == START_REOPEN ? reopen_file(&sc, f, info)
                                                                             : open_file(&sc, f);
    tw_h5_release(&sc);
  }
  if (st != TW_OK) {
    if (f) f->created = 0; /* a partial file that could not be reopened is not this handle's to remove */
    tw_h5_abort(f);
    return st;
  }
  *out = f;
  return TW_OK;
}

tw_status tw_h5_create(const char *path, const tw_dist *dist, const tw_h5_run_info *info, tw_h5_file **out) {
  return start(path, dist, info, START_CREATE, out);
}

tw_status tw_h5_reopen(const char *path, const tw_dist *dist, const tw_h5_run_info *info, tw_h5_file **out) {
  return start(path, dist, info, START_REOPEN, out);
}

tw_status tw_h5_open(const char *path, const tw_dist *dist, tw_h5_file **out) {
  return start(path, dist, NULL, START_READ, out);
}

/* Closes every object still open in the file, then the file: the way out after a failure. */
static void force_close(tw_h5_file *f) {
  if (f->file < 0) return;
  ssize_t n = H5Fget_obj_count(f->file, H5F_OBJ_ALL | H5F_OBJ_LOCAL);
  hid_t *ids = n > 0 ? calloc((size_t)n, sizeof *ids) : NULL;
  if (ids) {
    n = H5Fget_obj_ids(f->file, H5F_OBJ_ALL | H5F_OBJ_LOCAL, (size_t)n, ids);
    for (ssize_t i = 0; i < n; ++i)
      if (ids[i] != f->file) H5Idec_ref(ids[i]);
    free(ids);
  }
  H5Fclose(f->file);
  f->file = H5I_INVALID_HID;
}

/* Rank 0: the string log of a file that is done or abandoned. */
static void remove_log(const tw_h5_file *f) {
  char *log = f->partial_path && f->rank == 0 ? tw_h5_staged_log_path(f) : NULL;
  if (log) remove(log);
  free(log);
}

static void free_handle(tw_h5_file *f) {
  if (f->xfer != H5P_DEFAULT) H5Pclose(f->xfer);
  tw_h5_staged_free(f->staged);
  free(f->partial_path);
  free(f->path);
  free(f);
}

void tw_h5_abort(tw_h5_file *f) {
  if (!f) return;
  while (f->open_datasets) tw_h5_dataset_free(f->open_datasets);
  force_close(f);
  if (f->created && f->rank == 0) remove(f->partial_path);
  if (f->created) remove_log(f);
  free_handle(f);
}

static tw_status close_h5(tw_h5_file *f) {
  /* On failure (objects still open) the id stays valid for force_close. */
  TW_H5_CHECK(H5Fclose(f->file));
  f->file = H5I_INVALID_HID;
  return TW_OK;
}

/* Rank 0's part of closing a written file: the staged strings, then (unless
** suspending) the rename. */
static int any_staged(const tw_h5_file *f) {
  for (const tw_h5_staged_strings *s = f->staged; s; s = s->next)
    if (!s->direct) return 1;
  return 0;
}

static tw_status finish(tw_h5_file *f, int rename_it) {
  if (any_staged(f)) {
    tw_h5_where(f, NULL, NULL);
    const unsigned read_write = H5F_ACC_RDWR; /* a variable, so the failed call reads plainly */
    TW_H5_CHECK(f->file = H5Fopen(f->partial_path, read_write, H5P_DEFAULT));
    for (tw_h5_staged_strings *s = f->staged; s; s = s->next) {
      if (s->direct) continue;
      tw_h5_where(f, "dataset", s->path);
      TW_TRY(tw_h5_put_strings(f->file, s->path, (const char *const *)s->strings, s->n, s->units));
    }
    TW_TRY(close_h5(f));
  }
  if (!rename_it) return TW_OK;
  if (rename(f->partial_path, f->path) != 0)
    return TW_FAIL(TW_ERR_IO, "%s: cannot rename %s into place: %s", f->path, f->partial_path, strerror(errno));
  remove_log(f);
  return TW_OK;
}

static tw_status close_file(tw_h5_file *f, int rename_it) {
  tw_h5_where(f, NULL, NULL);
  /* A dataset still open is a bug in the caller; the file is abandoned (every
  ** rank has the same bug, so in a collective file every rank gets here). */
  tw_status st = f->open_datasets ? TW_FAIL(TW_ERR_INTERNAL, "%s: dataset '%s' is still open at close", f->path,
                                            f->open_datasets->path)
                                  : close_h5(f);
  if (!f->partial_path) return st;
  if (f->collective) st = tw_dist_agree(f->dist, st);
  if (st == TW_OK && f->rank == 0) st = finish(f, rename_it);
  if (f->collective) st = tw_dist_agree(f->dist, st);
  return st;
}

static tw_status close_or_suspend(tw_h5_file *f, int rename_it) {
  if (!f) return TW_OK;
  tw_status st = close_file(f, rename_it);
  if (st != TW_OK) {
    tw_status traced = tw_error_trace(st, __FILE__, __LINE__);
    tw_h5_abort(f);
    return traced;
  }
  free_handle(f);
  return TW_OK;
}

tw_status tw_h5_close(tw_h5_file *f) { return close_or_suspend(f, 1); }

tw_status tw_h5_flush(tw_h5_file *f) {
  tw_h5_where(f, NULL, NULL);
  TW_H5_CHECK(H5Fflush(f->file, H5F_SCOPE_GLOBAL));
  tw_status st = f->rank == 0 ? tw_h5_staged_log(f) : TW_OK;
  return f->collective ? tw_dist_agree(f->dist, st) : st;
}


tw_status tw_h5_suspend(tw_h5_file *f) { return close_or_suspend(f, 0); }

const char *tw_h5_path(const tw_h5_file *f) { return f->path; }
