/*
** log.h: leveled logging to stderr.
**
** The level comes from TW_LOG (debug|info|warn|error; default info), read once.
** Logging is for operators of long runs; results and user-facing messages go
** through the CLI, never through here. Under MPI only rank 0 logs info and
** debug lines unless TW_LOG_ALL_RANKS=1 (set by the distribution layer).
*/
#ifndef TW_LOG_H
#define TW_LOG_H

#include "core/defs.h"

TW_EXTERN_C_BEGIN

typedef enum tw_log_level { TW_LOG_DEBUG, TW_LOG_INFO, TW_LOG_WARN, TW_LOG_ERROR } tw_log_level;

void tw_log(tw_log_level level, const char *fmt, ...) TW_PRINTF(2, 3);
/* True when messages of `level` are printed. */
int tw_log_enabled(tw_log_level level);
/* Rank prefix and quiet non-zero ranks; called by the distribution layer. */
void tw_log_set_rank(int rank, int size);
/* Overrides TW_LOG (tests, --verbose). */
void tw_log_set_level(tw_log_level level);

#define TW_DEBUG(...) tw_log(TW_LOG_DEBUG, __VA_ARGS__)
#define TW_INFO(...) tw_log(TW_LOG_INFO, __VA_ARGS__)
#define TW_WARN(...) tw_log(TW_LOG_WARN, __VA_ARGS__)

TW_EXTERN_C_END

#endif
