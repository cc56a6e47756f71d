/*
** table.c: a cohort file's covariates, parameters and conditions as a table (table.h),
** read through the HDF5 layer: the schema from the file's datasets and their
** type classes, then the rows of each file checked against it.
*/
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* calloc, free, realloc */
#include <string.h> /* strcmp, strlen, memcpy */

#include "gan/table.h"
#include "io/h5.h"

/* The groups whose datasets are columns, in column order. Conditions (int32
** 0/1 per twin) are discrete columns, so the GAN can condition on one. */
static const char *const GROUPS[] = {"/cohort/covariates", "/cohort/parameters", "/cohort/conditions"};
/* How messages name the table the schema came from (the report reads the real cohort first). */
#define FIRST_TABLE "the first table read (the real cohort)"

static char *copy_text(const char *s) {
  size_t n = strlen(s) + 1;
  char *c = malloc(n);
  if (c) memcpy(c, s, n);
  return c;
}

static void free_names(char **names, int n) {
  for (int i = 0; i < n; ++i) free(names[i]);
  free(names);
}

static const char *kind_words(tw_gan_kind kind, int strings) {
  return kind == TW_GAN_CONTINUOUS ? "continuous (float)" : strings ? "discrete (string)" : "discrete (integer)";
}

/* Column `name` of group `group`: its dataset path, kind and row count. */
static tw_status read_column_info(tw_h5_file *f, const char *group, const char *name, tw_gan_column *c,
                                  int64_t *rows) {
  size_t len = strlen(group) + strlen(name) + 2;
  if (!(c->name = copy_text(name)) || !(c->dataset = malloc(len)))
    return TW_FAIL(TW_ERR_NOMEM, "out of memory reading the columns of %s", tw_h5_path(f));
  snprintf(c->dataset, len, "%s/%s", group, name);
  tw_h5_class cls;
  TW_TRY(tw_h5_class_of(f, c->dataset, &cls));
  if (cls == TW_H5_CLASS_OTHER)
    return TW_FAIL(TW_ERR_INPUT, "%s: %s holds neither numbers nor strings: not a cohort column", tw_h5_path(f),
                   c->dataset);
  c->kind = cls == TW_H5_CLASS_FLOAT ? TW_GAN_CONTINUOUS : TW_GAN_DISCRETE;
  c->strings = cls == TW_H5_CLASS_STRING;
  int rank;
  int64_t dims[8];
  TW_TRY(tw_h5_shape(f, c->dataset, &rank, dims));
  if (rank != 1)
    return TW_FAIL(TW_ERR_INPUT, "%s: %s has rank %d; a cohort column is 1-D (one value per twin)", tw_h5_path(f),
                   c->dataset, rank);
  *rows = dims[0];
  return TW_OK;
}

/* Appends the columns of one group of an open file to s. */
static tw_status list_group(tw_h5_file *f, const char *group, tw_gan_schema *s) {
  char **names;
  int n;
  TW_TRY(tw_h5_list(f, group, &names, &n));
  tw_gan_column *grown = n ? realloc(s->cols, (size_t)(s->n_cols + n) * sizeof *grown) : s->cols;
  if (n && !grown) {
    free_names(names, n);
    return TW_FAIL(TW_ERR_NOMEM, "out of memory listing %s", group);
  }
  s->cols = grown;
  tw_status st = TW_OK;
  for (int i = 0; i < n && st == TW_OK; ++i) {
    tw_gan_column *c = &s->cols[s->n_cols++];
    memset(c, 0, sizeof *c);
    int64_t rows;
    st = read_column_info(f, group, names[i], c, &rows);
    for (int j = 0; st == TW_OK && j < s->n_cols - 1; ++j)
      if (!strcmp(s->cols[j].name, c->name))
        st = TW_FAIL(TW_ERR_INPUT, "%s: %s and %s share the column name '%s'", tw_h5_path(f), s->cols[j].dataset,
                     c->dataset, c->name);
  }
  free_names(names, n);
  return st;
}

static tw_status schema_from(tw_h5_file *f, tw_gan_schema *s) {
  for (int g = 0; g < (int)TW_ARRAY_LEN(GROUPS); ++g) TW_TRY(list_group(f, GROUPS[g], s));
  if (!s->n_cols)
    return TW_FAIL(TW_ERR_INPUT, "%s: not a cohort file: no dataset under /cohort/covariates/, /cohort/parameters/ "
                   "or /cohort/conditions/",
                   tw_h5_path(f));
  return TW_OK;
}

tw_status tw_gan_schema_read(const char *path, tw_gan_schema *schema) {
  memset(schema, 0, sizeof *schema);
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = schema_from(f, schema);
  tw_h5_close(f);
  if (st != TW_OK) tw_gan_schema_free(schema);
  return st;
}

/* The index of `text` among c's labels, appended when new. */
static tw_status label_index(tw_gan_column *c, const char *text, double *index) {
  for (int64_t k = 0; k < c->n_labels; ++k)
    if (!strcmp(c->labels[k], text)) return (*index = (double)k), TW_OK;
  if (c->n_labels == c->cap_labels) {
    int64_t cap = c->cap_labels ? 2 * c->cap_labels : 16;
    char **grown = realloc(c->labels, (size_t)cap * sizeof *grown);
    if (!grown) return TW_FAIL(TW_ERR_NOMEM, "out of memory: labels of %s", c->name);
    c->labels = grown;
    c->cap_labels = cap;
  }
  if (!(c->labels[c->n_labels] = copy_text(text))) return TW_FAIL(TW_ERR_NOMEM, "out of memory: labels of %s", c->name);
  *index = (double)c->n_labels++;
  return TW_OK;
}

static tw_status read_strings(tw_h5_file *f, tw_gan_column *c, double *out, int64_t n) {
  char **s;
  int64_t got;
  TW_TRY(tw_h5_read_strings(f, c->dataset, &s, &got));
  tw_status st = got == n ? TW_OK : TW_FAIL(TW_ERR_INTERNAL, "%s: %s changed length", tw_h5_path(f), c->dataset);
  for (int64_t i = 0; i < n && st == TW_OK; ++i) st = label_index(c, s[i], &out[i]);
  free_names(s, (int)got);
  return st;
}

static tw_status read_numbers(tw_h5_file *f, const tw_gan_column *c, double *out, int64_t n) {
  tw_tensor t;
  TW_TRY(tw_h5_read(f, c->dataset, TW_F64, &t));
  memcpy(out, t.data, (size_t)n * sizeof *out);
  free(t.data);
  return TW_OK;
}

/* The file's own columns (fs) against the schema: the same names and kinds. */
static tw_status same_columns(const char *path, const char *role, const tw_gan_schema *fs, const tw_gan_schema *s) {
  for (int j = 0; j < s->n_cols; ++j) {
    const tw_gan_column *a = &s->cols[j];
    int k = 0;
    while (k < fs->n_cols && strcmp(fs->cols[k].name, a->name)) ++k;
    if (k == fs->n_cols)
      return TW_FAIL(TW_ERR_INPUT, "%s (%s): no column %s (%s); the schemas differ", path, role, a->name, a->dataset);
    const tw_gan_column *b = &fs->cols[k];
    if (b->kind != a->kind || b->strings != a->strings || strcmp(a->dataset, b->dataset))
      return TW_FAIL(TW_ERR_INPUT, "%s (%s): column %s is %s at %s, but %s at %s in %s", path, role, a->name,
                     kind_words(b->kind, b->strings), b->dataset, kind_words(a->kind, a->strings), a->dataset,
                     FIRST_TABLE);
  }
  for (int k = 0; k < fs->n_cols; ++k) {
    int j = 0;
    while (j < s->n_cols && strcmp(fs->cols[k].name, s->cols[j].name)) ++j;
    if (j == s->n_cols)
      return TW_FAIL(TW_ERR_INPUT, "%s (%s): column %s (%s) is not in %s; the schemas differ", path, role,
                     fs->cols[k].name, fs->cols[k].dataset, FIRST_TABLE);
  }
  return TW_OK;
}

/* Every column's row count, equal and not zero. */
static tw_status row_count(tw_h5_file *f, const char *role, const tw_gan_schema *s, int64_t *n) {
  for (int j = 0; j < s->n_cols; ++j) {
    int rank;
    int64_t dims[8];
    TW_TRY(tw_h5_shape(f, s->cols[j].dataset, &rank, dims));
    if (j && dims[0] != *n)
      return TW_FAIL(TW_ERR_INPUT, "%s (%s): %s has %lld rows but %s has %lld", tw_h5_path(f), role,
                     s->cols[j].dataset, (long long)dims[0], s->cols[0].dataset, (long long)*n);
    *n = dims[0];
  }
  if (*n == 0) return TW_FAIL(TW_ERR_INPUT, "%s (%s): an empty table (0 rows)", tw_h5_path(f), role);
  return TW_OK;
}

static tw_status read_rows(tw_h5_file *f, const char *role, tw_gan_schema *s, tw_gan_table *out) {
  tw_gan_schema own = {0};
  tw_status st = schema_from(f, &own);
  if (st == TW_OK) st = same_columns(tw_h5_path(f), role, &own, s);
  tw_gan_schema_free(&own);
  TW_TRY(st);
  int64_t n = 0;
  TW_TRY(row_count(f, role, s, &n));
  TW_TRY(tw_gan_table_alloc(s, n, out));
  for (int j = 0; j < s->n_cols; ++j) {
    double *col = out->data + (size_t)j * (size_t)n;
    TW_TRY(s->cols[j].strings ? read_strings(f, &s->cols[j], col, n) : read_numbers(f, &s->cols[j], col, n));
  }
  return TW_OK;
}

tw_status tw_gan_table_read(const char *path, const char *role, tw_gan_schema *schema, tw_gan_table *out) {
  memset(out, 0, sizeof *out);
  tw_h5_file *f;
  TW_TRY(tw_h5_open(path, NULL, &f));
  tw_status st = read_rows(f, role, schema, out);
  tw_h5_close(f);
  if (st != TW_OK) tw_gan_table_free(out);
  return st;
}

tw_status tw_gan_table_alloc(const tw_gan_schema *schema, int64_t n_rows, tw_gan_table *out) {
  out->schema = schema;
  out->n_rows = n_rows;
  size_t cells = (size_t)schema->n_cols * (size_t)n_rows;
  if (!(out->data = calloc(cells ? cells : 1, sizeof *out->data)))
    return TW_FAIL(TW_ERR_NOMEM, "out of memory: a table of %lld rows and %d columns", (long long)n_rows,
                   schema->n_cols);
  return TW_OK;
}

void tw_gan_table_free(tw_gan_table *t) {
  free(t->data);
  t->data = NULL;
  t->n_rows = 0;
}

void tw_gan_schema_free(tw_gan_schema *s) {
  for (int j = 0; j < s->n_cols; ++j) {
    tw_gan_column *c = &s->cols[j];
    free(c->name);
    free(c->dataset);
    for (int64_t k = 0; k < c->n_labels; ++k) free(c->labels[k]);
    free(c->labels);
  }
  free(s->cols);
  s->cols = NULL;
  s->n_cols = 0;
}
