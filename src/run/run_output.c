/*
** run_output.c: the results path, checked before any work (run.h).
**
** A run that simulates for an hour and then cannot write its file has wasted
** the hour, so everything that can be known about the path is checked first:
** the path is not a directory, its directory exists and is writable (the file
** is written as `<path>.partial` there, then renamed), and an existing file
** there is writable or --force was given. What is left (a full disk, a file
** system that goes away) is still caught when writing, and the partial file
** is removed then.
*/
#define _POSIX_C_SOURCE 200809L /* stat, access: POSIX, not C17 */
#include "run/run.h"

#include <errno.h>    /* errno */
#include <stdio.h>    /* snprintf */
#include <string.h>   /* strrchr, strerror */
#include <sys/stat.h> /* stat */
#include <unistd.h>   /* access */

/* The directory part of path ("." when there is none). */
static void parent_of(const char *path, char *out, size_t cap) {
  const char *slash = strrchr(path, '/');
  if (!slash) snprintf(out, cap, ".");
  else if (slash == path) snprintf(out, cap, "/");
  else snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

static tw_status check_parent(const char *path) {
  char dir[4096];
  parent_of(path, dir, sizeof dir);
  struct stat st;
  if (stat(dir, &st) != 0)
    return TW_FAIL(TW_ERR_INPUT, "%s: cannot write the results: directory '%s' %s", path, dir,
                   errno == ENOENT ? "does not exist" : strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return TW_FAIL(TW_ERR_INPUT, "%s: cannot write the results: '%s' is not a directory", path, dir);
  if (access(dir, W_OK | X_OK) != 0)
    return TW_FAIL(TW_ERR_INPUT, "%s: cannot write the results: directory '%s' is not writable", path, dir);
  return TW_OK;
}

tw_status tw_run_check_output(const char *path, int force) {
  if (!path || !*path) return TW_FAIL(TW_ERR_INPUT, "no output path (output.path or -o PATH)");
  struct stat st;
  if (stat(path, &st) == 0) {
    if (S_ISDIR(st.st_mode))
      return TW_FAIL(TW_ERR_INPUT, "%s: is a directory; give a file name for the results (output.path or -o PATH)", path);
    if (!S_ISREG(st.st_mode))
      return TW_FAIL(TW_ERR_INPUT, "%s: exists and is not a regular file; refusing to replace it", path);
    /* No write bit counts as "not writable" even for root: chmod a-w is how
    ** people protect a result, and root may run the job. */
    if (!force && (access(path, W_OK) != 0 || (st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0))
      return TW_FAIL(TW_ERR_INPUT, "%s: exists and is not writable; refusing to replace it (--force replaces it)", path);
  } else if (errno != ENOENT) {
    return TW_FAIL(TW_ERR_INPUT, "%s: cannot write the results: %s", path, strerror(errno));
  }
  return check_parent(path);
}
