/*
** status.h: errors as values (DESIGN.md invariant 4).
**
** Every fallible function returns a tw_status: TW_OK (zero) or an error code.
** The code says what kind of failure it was, and so how the CLI exits (input
** errors exit 2, everything else 1). The human-readable part lives in a
** thread-local error record: a message, set once where the error is detected,
** and a trace of the call sites it travelled through on its way up, appended by
** TW_TRY as in PETSc's CHKERRQ. Only src/cli prints it.
**
**   tw_status load(const char *path) {
**     FILE *f = fopen(path, "rb");
**     if (!f) return TW_FAIL(TW_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
**     TW_TRY(parse(f));             // on failure: records this line, returns the code
**     return TW_OK;
**   }
**
** Messages that point into a file start with "FILE:LINE:COL: " so editors can jump
** to them; library failures name the call and its site (see check.h).
*/
#ifndef TW_STATUS_H
#define TW_STATUS_H

#include "core/defs.h"

TW_EXTERN_C_BEGIN

typedef enum tw_status {
  TW_OK = 0,
  TW_ERR_INPUT,     /* bad config, data file, argument or model: the user can fix it */
  TW_ERR_IO,        /* reading or writing a file failed */
  TW_ERR_NOMEM,     /* an allocation failed */
  TW_ERR_NUMERIC,   /* NaN, Inf, step-size underflow, a matrix not positive definite */
  TW_ERR_LIBRARY,   /* a CUDA, cuBLAS, cuDNN, NCCL, MPI or HDF5 call failed */
  TW_ERR_UNSUPPORTED, /* asked for something this build does not have (no CUDA, ...) */
  TW_ERR_INTERNAL,  /* a broken invariant: a bug in twinscale */
  TW_ERR_INTERRUPTED /* stopped by a signal (SIGINT, SIGTERM) before the work was done */
} tw_status;

/* Records the message for a new error and returns `code`. The call site is kept
** for the trace. Use through TW_FAIL. */
tw_status tw_error_set(tw_status code, const char *file, int line, const char *fmt, ...)
    TW_PRINTF(4, 5);
/* Appends a call site to the current error's trace and returns `code`. */
tw_status tw_error_trace(tw_status code, const char *file, int line);

/* The current thread's error message ("" when there is none). */
const char *tw_error_message(void);
/* The trace as "file:line <- file:line ..." (innermost first); "" when empty. */
const char *tw_error_trace_string(void);
/* Forget the current error, after it was handled. */
void tw_error_clear(void);
/* A short name for a code: "input error", "I/O error", ... */
const char *tw_status_name(tw_status code);
/* Exit status a command returns for `code`: 0; 2 for what the user can change
** (input errors, and asking for what this build or machine does not have: a
** CUDA backend without a GPU); 1 otherwise. A run stopped by a signal exits
** 128 + the signal (the command decides: TW_ERR_INTERRUPTED carries no number). */
int tw_status_exit_code(tw_status code);

#define TW_FAIL(code, ...) tw_error_set((code), __FILE__, __LINE__, __VA_ARGS__)

#define TW_TRY(expr)                                        \
  do {                                                      \
    tw_status tw_try_s_ = (expr);                           \
    if (tw_try_s_ != TW_OK)                                 \
      return tw_error_trace(tw_try_s_, __FILE__, __LINE__); \
  } while (0)

/* Like TW_TRY but jumps to a cleanup label with `status` set, for functions that
** own resources: `tw_status st = TW_OK; TW_TRY_GOTO(st, f(), done); ... done: free(x); return st;` */
#define TW_TRY_GOTO(status, expr, label)                          \
  do {                                                            \
    (status) = (expr);                                            \
    if ((status) != TW_OK) {                                      \
      (status) = tw_error_trace((status), __FILE__, __LINE__);    \
      goto label;                                                 \
    }                                                             \
  } while (0)

TW_EXTERN_C_END

#endif
