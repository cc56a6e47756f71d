/*
** status.c: the thread-local error record behind tw_status.
**
** Each thread owns one record, so OpenMP workers can fail independently; the
** orchestration code reads the record of the thread that returned the error.
** Messages and traces are bounded: a long message is truncated rather than
** allocated, because the error path must not fail itself.
*/
#include "core/status.h"

#include <stdarg.h> /* va_list for the formatted message */
#include <stdio.h>  /* vsnprintf, snprintf */
#include <string.h> /* strrchr, strlen */

enum { TW_ERROR_MESSAGE_MAX = 2048, TW_ERROR_TRACE_MAX = 16 };

typedef struct tw_site {
  const char *file;
  int line;
} tw_site;

typedef struct tw_error_record {
  char message[TW_ERROR_MESSAGE_MAX];
  tw_site trace[TW_ERROR_TRACE_MAX];
  int depth;
  char trace_text[TW_ERROR_TRACE_MAX * 64];
} tw_error_record;

static _Thread_local tw_error_record tw_err;

/* Source paths are absolute in out-of-tree builds; the trace shows the part below the
** repository root so that it stays short and means the same on every machine. */
static const char *short_path(const char *file) {
  static const char *const roots[] = {"/src/", "/cuda/", "/mpi/", "/tests/"};
  const char *best = NULL;
  for (size_t i = 0; i < TW_ARRAY_LEN(roots); ++i) {
    const char *p = strstr(file, roots[i]);
    if (p && (!best || p > best)) best = p;
  }
  return best ? best + 1 : file;
}

static void push_site(const char *file, int line) {
  if (tw_err.depth < TW_ERROR_TRACE_MAX) {
    tw_err.trace[tw_err.depth].file = file;
    tw_err.trace[tw_err.depth].line = line;
    tw_err.depth++;
  }
}

tw_status tw_error_set(tw_status code, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tw_err.message, sizeof tw_err.message, fmt, ap);
  va_end(ap);
  tw_err.depth = 0;
  push_site(file, line);
  return code;
}

tw_status tw_error_trace(tw_status code, const char *file, int line) {
  push_site(file, line);
  return code;
}

const char *tw_error_message(void) { return tw_err.message; }

const char *tw_error_trace_string(void) {
  size_t used = 0, cap = sizeof tw_err.trace_text;
  tw_err.trace_text[0] = '\0';
  for (int i = 0; i < tw_err.depth && used < cap; ++i) {
    int n = snprintf(tw_err.trace_text + used, cap - used, "%s%s:%d", i ? " <- " : "",
                     short_path(tw_err.trace[i].file), tw_err.trace[i].line);
    if (n < 0) break;
    used += (size_t)n;
  }
  return tw_err.trace_text;
}

void tw_error_clear(void) {
  tw_err.message[0] = '\0';
  tw_err.depth = 0;
}

const char *tw_status_name(tw_status code) {
  switch (code) {
    case TW_OK: return "ok";
    case TW_ERR_INPUT: return "input error";
    case TW_ERR_IO: return "I/O error";
    case TW_ERR_NOMEM: return "out of memory";
    case TW_ERR_NUMERIC: return "numerical failure";
    case TW_ERR_LIBRARY: return "library call failed";
    case TW_ERR_UNSUPPORTED: return "not supported by this build";
    case TW_ERR_INTERNAL: return "internal error";
    case TW_ERR_INTERRUPTED: return "interrupted";
  }
  return "unknown error";
}

int tw_status_exit_code(tw_status code) {
  if (code == TW_OK) return 0;
  return code == TW_ERR_INPUT || code == TW_ERR_UNSUPPORTED ? 2 : 1;
}
