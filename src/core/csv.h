/*
** csv.h: a streaming RFC 4180 CSV reader that knows where every field starts,
** so that every error in an imported file names FILE:LINE:COL and the column.
** Used by the EHR import (src/cohort) and the records import (src/twin).
**
** Fields separated by commas, records by CRLF or LF; a field in double quotes
** may hold commas, line breaks and "" for a quote (a CRLF inside quotes is read
** as LF). A UTF-8 byte-order mark is skipped, empty lines are skipped, every
** record must have the header's field count. Positions are 1-based lines and
** byte columns of the field's start. One record at a time is kept, in a buffer
** that the next record overwrites and that is wiped when the file is closed, so
** identifying columns pass through it only.
*/
#ifndef TW_CORE_CSV_H
#define TW_CORE_CSV_H

#include <stdarg.h> /* va_list */

#include "core/status.h"

TW_EXTERN_C_BEGIN

typedef struct tw_ehr_csv tw_ehr_csv;
/* Opens and reads the header. A file that cannot be opened is TW_ERR_IO. */
tw_status tw_ehr_csv_open(const char *path, tw_ehr_csv **out);
void tw_ehr_csv_close(tw_ehr_csv *c);
/* Number of header columns, and the name of one. */
int tw_ehr_csv_columns(const tw_ehr_csv *c);
const char *tw_ehr_csv_column_name(const tw_ehr_csv *c, int col);
/* Index of a header column, or -1. */
int tw_ehr_csv_find(const tw_ehr_csv *c, const char *name);
/* Index of a required header column: TW_ERR_INPUT "FILE:1: missing column NAME". */
tw_status tw_ehr_csv_require(const tw_ehr_csv *c, const char *name, int *col);
/* Reads the next record: *more = 0 at the end of the file. */
tw_status tw_ehr_csv_next(tw_ehr_csv *c, int *more);
/* Field `col` of the current record (NUL-terminated, unquoted). */
const char *tw_ehr_csv_field(const tw_ehr_csv *c, int col);
/* The line where the current record starts. */
int64_t tw_ehr_csv_line(const tw_ehr_csv *c);
/* The path the file was opened with. */
const char *tw_ehr_csv_path(const tw_ehr_csv *c);
/* Fails with TW_ERR_INPUT and "FILE:LINE:COL: column NAME: <message>" at the
** start of field `col` of the current record. */
tw_status tw_ehr_csv_fail(const tw_ehr_csv *c, int col, const char *fmt, ...) TW_PRINTF(3, 4);
/* Parses field `col` as a finite number (the error names file:line:col). */
tw_status tw_ehr_csv_number(const tw_ehr_csv *c, int col, double *value);

TW_EXTERN_C_END

#endif
