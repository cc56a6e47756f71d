/*
** table.h: a cohort file as a table of rows, the data of the conditional GAN
** and of its report (issue 12, item 1).
**
** Every dataset under /cohort/covariates/, /cohort/parameters/ and
** /cohort/conditions/ is a column: float datasets are continuous (NaN is a
** missing value), integer and string datasets are discrete (a condition, int32
** 0/1, is discrete, so the GAN can condition on it). Columns are named by their
** dataset's name ("age_y", "t1d.kp1", "retinopathy") and ordered covariates
** first, then parameters, then conditions, each in name order (the order
** tw_h5_list gives).
**
** A schema (the columns, their kinds, the labels of string columns) is read
** from the first file; every further file is read against it, so two tables
** with one schema hold comparable values: a continuous cell is its float, an
** integer cell its integer (exact up to 2^53), a string cell the index of its
** text in the column's labels, which grow as new texts are met. A file whose
** columns differ from the schema (one missing or extra, or of another kind) is
** refused naming the column.
*/
#ifndef TW_GAN_TABLE_H
#define TW_GAN_TABLE_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

typedef enum tw_gan_kind { TW_GAN_CONTINUOUS = 0, TW_GAN_DISCRETE = 1 } tw_gan_kind;

typedef struct tw_gan_column {
  char *name;       /* the dataset's name: "age_y", "t1d.kp1" */
  char *dataset;    /* its path: "/cohort/covariates/age_y" */
  tw_gan_kind kind; /* float: continuous; integer, string: discrete */
  int strings;      /* a string dataset: cells are indices into labels */
  char **labels;    /* strings: (n_labels) texts, in the order first met over the tables read */
  int64_t n_labels, cap_labels;
} tw_gan_column;

typedef struct tw_gan_schema {
  int n_cols;
  tw_gan_column *cols; /* (n_cols) covariates, then parameters, each in name order */
} tw_gan_schema;

typedef struct tw_gan_table {
  const tw_gan_schema *schema; /* not owned; outlives the table */
  int64_t n_rows;
  double *data; /* (n_cols, n_rows), column-major: column j at data + j * n_rows */
} tw_gan_table;

/* Column j of t: (n_rows) values. */
static inline const double *tw_gan_col(const tw_gan_table *t, int j) { return t->data + (size_t)j * (size_t)t->n_rows; }

/* Reads the columns of the cohort file at `path` into *schema (no labels yet).
** TW_ERR_INPUT: not an HDF5 file, no column under /cohort/covariates/,
** /cohort/parameters/ or /cohort/conditions/ ("not a cohort file"), a dataset that is not 1-D or of a
** type other than integer, float or string. */
tw_status tw_gan_schema_read(const char *path, tw_gan_schema *schema);
/* Reads the rows of the cohort file at `path` against `schema` (growing the
** string columns' labels). TW_ERR_INPUT, naming the file and the column: a
** column missing or extra, of another kind, of another row count than the
** first; and "an empty table" for zero rows. `role` names the file in the
** messages ("the real cohort"). */
tw_status tw_gan_table_read(const char *path, const char *role, tw_gan_schema *schema, tw_gan_table *out);
/* A table of n_rows rows (zeroed) for the schema (generated rows). */
tw_status tw_gan_table_alloc(const tw_gan_schema *schema, int64_t n_rows, tw_gan_table *out);
void tw_gan_table_free(tw_gan_table *t);
void tw_gan_schema_free(tw_gan_schema *s);

TW_EXTERN_C_END

#endif
