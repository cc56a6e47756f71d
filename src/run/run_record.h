/*
** run_record.h: which chunks of a run are finished, kept beside its partial
** results file so that a stopped run can go on (run_record.c; run.h).
*/
#ifndef TW_RUN_RECORD_H
#define TW_RUN_RECORD_H

#include <stddef.h> /* size_t */
#include <stdint.h> /* int64_t */

#include "core/status.h" /* tw_status */

TW_EXTERN_C_BEGIN

typedef struct tw_run_record {
  const char *job;          /* "trial" */
  const char *config_text;
  int64_t n_twins, chunk, n_chunks;
  char *done;               /* (n_chunks) '1': the chunk's rows are in the file, '0' not */
} tw_run_record;

/* "<output>.resume" */
void tw_run_record_path(const char *output, char *out, size_t cap);
/* Writes the record atomically (a synced temporary file renamed into place). */
tw_status tw_run_record_write(const char *path, const tw_run_record *r);
/* Reads the record at `path` into done (want->n_chunks characters) when there is
** one (*found 1) and it belongs to the run `want` (job, twinscale version and
** commit, config, twins and chunking), else TW_ERR_INPUT saying what differs or
** that the file is not a record. No file: TW_OK, *found 0. */
tw_status tw_run_record_read(const char *path, const tw_run_record *want, char *done, int *found);

TW_EXTERN_C_END

#endif
