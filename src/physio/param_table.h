/*
** param_table.h: per-twin parameter tables from CSV files (simglucose's
** vpatient_params.csv format: a Name column plus one column per parameter),
** and the simglucose tables compiled into twinscale (t1d_patients_data.c).
**
** Lines starting with '#' are comments. Column names are matched ignoring spaces, so simglucose's "x0_ 1" is the t1d
** parameter x0_1. Extra columns are ignored; a missing one is an input error
** naming the file and the column; a cell that is not a number names
** file:line:col.
*/
#ifndef TW_PHYSIO_PARAM_TABLE_H
#define TW_PHYSIO_PARAM_TABLE_H

#include "core/status.h"  /* tw_status */
#include "physio/pack.h"  /* tw_pack */

TW_EXTERN_C_BEGIN

/* A CSV file split into cells; row r, column c is cells[r * n_cols + c]. */
typedef struct tw_csv {
  char *source;   /* file name for messages */
  int n_cols, n_rows;
  char **header;  /* (n_cols) */
  char **cells;   /* (n_rows, n_cols) */
  int *line;      /* (n_rows) 1-based line of each row in the source */
  int *col_pos;   /* (n_rows, n_cols) 1-based column where each cell starts */
} tw_csv;

tw_status tw_csv_read_file(const char *path, tw_csv *out);
tw_status tw_csv_from_lines(const char *source, const char *const *lines, int n_lines, tw_csv *out);
void tw_csv_free(tw_csv *t);
/* Column index by name, ignoring spaces; -1 when absent. */
int tw_csv_col(const tw_csv *t, const char *name);
/* The cell as a number; TW_ERR_INPUT "file:line:col: column 'x': 'abc' is not a number". */
tw_status tw_csv_number(const tw_csv *t, int row, int col, double *out);

/* Row of the table whose Name column is `name`; -1 when absent. */
int tw_csv_find_name(const tw_csv *t, const char *name);

/* The pack parameters of table row `row` into p (pack->n_params), range-checked;
** messages name the file, the row's line and the column. A column is found as
** "<pack>.<param>" (tables for several packs) or as "<param>". Looks the columns
** up on every call: for many rows, tw_param_cols once and tw_param_row_cols. */
tw_status tw_param_row(const tw_pack *pack, const tw_csv *t, int row, double *p);
/* The column of every pack parameter into cols (pack->n_params), found as
** tw_param_row finds them; a missing one is tw_param_table_check_columns' error. */
tw_status tw_param_cols(const tw_pack *pack, const tw_csv *t, int *cols);
/* tw_param_row over the columns tw_param_cols found in t. */
tw_status tw_param_row_cols(const tw_pack *pack, const tw_csv *t, const int *cols, int row, double *p);
/* Checks that the table has a Name column and every parameter column of the pack. */
tw_status tw_param_table_check_columns(const tw_pack *pack, const tw_csv *t);
/* True when the table has a column for every parameter of the pack. */
int tw_param_table_has_pack(const tw_pack *pack, const tw_csv *t);

/* The simglucose tables compiled in (data/simglucose, MIT licence). */
extern const char *const tw_t1d_vpatient_csv[];
extern const int tw_t1d_vpatient_csv_lines;
extern const char *const tw_t1d_quest_csv[];
extern const int tw_t1d_quest_csv_lines;
extern const char *const tw_t1d_sensor_csv[];
extern const int tw_t1d_sensor_csv_lines;
extern const char *const tw_t1d_pump_csv[];
extern const int tw_t1d_pump_csv_lines;

/* One of the compiled-in tables by file name ("vpatient_params.csv", "Quest.csv",
** "sensor_params.csv", "pump_params.csv"), parsed. */
tw_status tw_t1d_builtin_table(const char *which, tw_csv *out);

TW_EXTERN_C_END

#endif
