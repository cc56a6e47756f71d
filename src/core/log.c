/*
** log.c: the logger behind log.h.
**
** Lines look like "twinscale[rank 1/4] warn: message" (the rank part only under
** MPI with more than one rank), one fprintf per line so that ranks sharing a
** terminal interleave whole lines.
*/
#include "core/log.h"

#include <stdarg.h> /* va_list */
#include <stdio.h>  /* fprintf, vsnprintf */
#include <stdlib.h> /* getenv */
#include <string.h> /* strcmp */

static int tw_log_level_value = -1; /* -1: not yet read from TW_LOG */
static int tw_log_rank = 0, tw_log_size = 1;

static int level_from_env(void) {
  const char *v = getenv("TW_LOG");
  if (!v || !*v) return TW_LOG_INFO;
  if (!strcmp(v, "debug")) return TW_LOG_DEBUG;
  if (!strcmp(v, "info")) return TW_LOG_INFO;
  if (!strcmp(v, "warn")) return TW_LOG_WARN;
  if (!strcmp(v, "error")) return TW_LOG_ERROR;
  fprintf(stderr, "twinscale: warn: TW_LOG=%s is not one of debug|info|warn|error; using info\n", v);
  return TW_LOG_INFO;
}

static int current_level(void) {
  if (tw_log_level_value < 0) tw_log_level_value = level_from_env();
  return tw_log_level_value;
}

void tw_log_set_level(tw_log_level level) { tw_log_level_value = (int)level; }

void tw_log_set_rank(int rank, int size) {
  tw_log_rank = rank;
  tw_log_size = size;
}

int tw_log_enabled(tw_log_level level) {
  if ((int)level < current_level()) return 0;
  if (level <= TW_LOG_INFO && tw_log_rank != 0) {
    const char *all = getenv("TW_LOG_ALL_RANKS");
    return all && !strcmp(all, "1");
  }
  return 1;
}

void tw_log(tw_log_level level, const char *fmt, ...) {
  static const char *const names[] = {"debug", "info", "warn", "error"};
  if (!tw_log_enabled(level)) return;
  char text[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (tw_log_size > 1)
    fprintf(stderr, "twinscale[rank %d/%d] %s: %s\n", tw_log_rank, tw_log_size, names[level], text);
  else
    fprintf(stderr, "twinscale %s: %s\n", names[level], text);
}
