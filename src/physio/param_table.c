/*
** param_table.c: a small CSV reader (comma-separated, no quoting: the parameter
** tables are plain numbers and names) and the mapping of its columns onto a
** pack's parameters.
*/
#include "physio/param_table.h" /* tw_csv */

#include <errno.h>  /* errno for fopen messages */
#include <stdio.h>  /* fopen, fgets */
#include <stdlib.h> /* malloc, strtod */
#include <string.h> /* strcmp, strerror, strdup-like copies */

static char *dup_str(const char *s, size_t n) {
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = '\0';
  }
  return d;
}

/* Trims spaces and a trailing '\r' in place; returns the start. */
static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') ++s;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n')) s[--n] = '\0';
  return s;
}

/* Splits a line on commas into `cols` fresh strings; returns the count or -1. */
static int split(const char *line, char ***cells, int **pos) {
  int n = 1;
  for (const char *c = line; *c; ++c) n += *c == ',';
  *cells = calloc((size_t)n, sizeof **cells);
  *pos = calloc((size_t)n, sizeof **pos);
  if (!*cells || !*pos) return -1;
  const char *start = line;
  for (int k = 0; k < n; ++k) {
    const char *end = strchr(start, ',');
    size_t len = end ? (size_t)(end - start) : strlen(start);
    char *raw = dup_str(start, len);
    if (!raw) return -1;
    char *t = trim(raw);
    (*pos)[k] = (int)(start - line) + (int)(t - raw) + 1;
    memmove(raw, t, strlen(t) + 1);
    (*cells)[k] = raw;
    start = end ? end + 1 : start + len;
  }
  return n;
}

/* Blank lines and comment lines (first non-space character '#') are skipped. */
static int blank(const char *s) {
  while (*s == ' ' || *s == '\t') ++s;
  if (*s == '#') return 1;
  for (; *s; ++s)
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return 0;
  return 1;
}

tw_status tw_csv_from_lines(const char *source, const char *const *lines, int n_lines, tw_csv *out) {
  memset(out, 0, sizeof *out);
  out->source = dup_str(source, strlen(source));
  int first = 0;
  while (first < n_lines && blank(lines[first])) ++first;
  if (!out->source) return TW_FAIL(TW_ERR_NOMEM, "csv: out of memory");
  if (first == n_lines) return TW_FAIL(TW_ERR_INPUT, "%s: empty table (no header line)", source);
  int *hpos = NULL;
  out->n_cols = split(lines[first], &out->header, &hpos);
  free(hpos);
  if (out->n_cols < 0) return TW_FAIL(TW_ERR_NOMEM, "csv: out of memory");
  out->cells = calloc((size_t)(n_lines - first) * (size_t)out->n_cols, sizeof(char *));
  out->col_pos = calloc((size_t)(n_lines - first) * (size_t)out->n_cols, sizeof(int));
  out->line = calloc((size_t)(n_lines - first), sizeof(int));
  if (!out->cells || !out->col_pos || !out->line) return TW_FAIL(TW_ERR_NOMEM, "csv: out of memory");
  for (int l = first + 1; l < n_lines; ++l) {
    if (blank(lines[l])) continue;
    char **cells = NULL;
    int *pos = NULL;
    int n = split(lines[l], &cells, &pos);
    if (n < 0) return TW_FAIL(TW_ERR_NOMEM, "csv: out of memory");
    const int r = out->n_rows;
    for (int k = 0; k < n; ++k) {
      if (k < out->n_cols) {
        out->cells[r * out->n_cols + k] = cells[k];
        out->col_pos[r * out->n_cols + k] = pos[k];
      } else {
        free(cells[k]);
      }
    }
    free(cells);
    free(pos);
    out->line[r] = l + 1;
    out->n_rows++;
    if (n != out->n_cols)
      return TW_FAIL(TW_ERR_INPUT, "%s:%d:1: %d fields where the header has %d", source, l + 1, n,
                     out->n_cols);
  }
  return TW_OK;
}

tw_status tw_csv_read_file(const char *path, tw_csv *out) {
  memset(out, 0, sizeof *out);
  FILE *f = fopen(path, "rb");
  if (!f) return TW_FAIL(TW_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  char **lines = NULL;
  int n = 0, cap = 0;
  char buf[1 << 16];
  tw_status st = TW_OK;
  while (fgets(buf, sizeof buf, f)) {
    if (n == cap) {
      cap = cap ? 2 * cap : 64;
      char **grown = realloc(lines, (size_t)cap * sizeof *lines);
      if (!grown) {
        st = TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", path);
        break;
      }
      lines = grown;
    }
    if (!(lines[n++] = dup_str(buf, strlen(buf)))) {
      st = TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", path);
      break;
    }
  }
  fclose(f);
  if (st == TW_OK) st = tw_csv_from_lines(path, (const char *const *)lines, n, out);
  for (int i = 0; i < n; ++i) free(lines[i]);
  free(lines);
  return st;
}

void tw_csv_free(tw_csv *t) {
  for (int k = 0; t->header && k < t->n_cols; ++k) free(t->header[k]);
  for (int k = 0; t->cells && k < t->n_rows * t->n_cols; ++k) free(t->cells[k]);
  free(t->header);
  free(t->cells);
  free(t->line);
  free(t->col_pos);
  free(t->source);
  memset(t, 0, sizeof *t);
}

/* a == b ignoring spaces */
static int same_name(const char *a, const char *b) {
  for (;;) {
    while (*a == ' ') ++a;
    while (*b == ' ') ++b;
    if (*a != *b) return 0;
    if (!*a) return 1;
    ++a, ++b;
  }
}

int tw_csv_col(const tw_csv *t, const char *name) {
  for (int k = 0; k < t->n_cols; ++k)
    if (same_name(t->header[k], name)) return k;
  return -1;
}

tw_status tw_csv_number(const tw_csv *t, int row, int col, double *out) {
  const char *s = t->cells[row * t->n_cols + col];
  char *end = NULL;
  errno = 0;
  double v = s ? strtod(s, &end) : 0.0;
  if (!s || end == s || *end != '\0' || errno == ERANGE)
    return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: column '%s': '%s' is not a number", t->source,
                   t->line[row], t->col_pos[row * t->n_cols + col], t->header[col], s ? s : "");
  *out = v;
  return TW_OK;
}

int tw_csv_find_name(const tw_csv *t, const char *name) {
  int c = tw_csv_col(t, "Name");
  for (int r = 0; c >= 0 && r < t->n_rows; ++r)
    if (strcmp(t->cells[r * t->n_cols + c], name) == 0) return r;
  return -1;
}

/* The column of pack parameter j: "<pack>.<name>" (tables for several packs) or "<name>". */
static int param_col(const tw_pack *pack, const tw_csv *t, int j) {
  char qualified[160];
  snprintf(qualified, sizeof qualified, "%s.%s", pack->name, pack->params[j].name);
  const int col = tw_csv_col(t, qualified);
  return col >= 0 ? col : tw_csv_col(t, pack->params[j].name);
}

int tw_param_table_has_pack(const tw_pack *pack, const tw_csv *t) {
  for (int j = 0; j < pack->n_params; ++j)
    if (param_col(pack, t, j) < 0) return 0;
  return 1;
}

tw_status tw_param_table_check_columns(const tw_pack *pack, const tw_csv *t) {
  if (tw_csv_col(t, "Name") < 0)
    return TW_FAIL(TW_ERR_INPUT, "%s:1:1: missing column 'Name' (one row per twin, named)", t->source);
  for (int k = 0; k < pack->n_params; ++k)
    if (param_col(pack, t, k) < 0)
      return TW_FAIL(TW_ERR_INPUT, "%s:1:1: missing column '%s' (%s, %s) required by pack %s",
                     t->source, pack->params[k].name, pack->params[k].description,
                     pack->params[k].unit, pack->name);
  return TW_OK;
}

tw_status tw_param_cols(const tw_pack *pack, const tw_csv *t, int *cols) {
  TW_TRY(tw_param_table_check_columns(pack, t));
  for (int k = 0; k < pack->n_params; ++k) cols[k] = param_col(pack, t, k);
  return TW_OK;
}

/* Parameter k = v of table row `row` (column c) outside its valid range. */
static tw_status out_of_range(const tw_pack *pack, const tw_csv *t, int row, int c, int k, double v) {
  const tw_pack_param *d = &pack->params[k];
  return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: twin %s: parameter %s = %g %s is outside its valid range [%g, %g]",
                 t->source, t->line[row], t->col_pos[row * t->n_cols + c],
                 t->cells[row * t->n_cols + tw_csv_col(t, "Name")], d->name, v, d->unit, d->lo, d->hi);
}

tw_status tw_param_row_cols(const tw_pack *pack, const tw_csv *t, const int *cols, int row, double *p) {
  for (int k = 0; k < pack->n_params; ++k) {
    TW_TRY(tw_csv_number(t, row, cols[k], &p[k]));
    if (!tw_pack_param_ok(pack, k, p[k])) return out_of_range(pack, t, row, cols[k], k, p[k]);
  }
  return TW_OK;
}

tw_status tw_param_row(const tw_pack *pack, const tw_csv *t, int row, double *p) {
  int cols[TW_PACK_MAX_PARAMS];
  TW_TRY(tw_param_cols(pack, t, cols));
  return tw_param_row_cols(pack, t, cols, row, p);
}

tw_status tw_t1d_builtin_table(const char *which, tw_csv *out) {
  static const struct {
    const char *name;
    const char *const *lines;
    const int *n;
  } tables[] = {
      {"vpatient_params.csv", tw_t1d_vpatient_csv, &tw_t1d_vpatient_csv_lines},
      {"Quest.csv", tw_t1d_quest_csv, &tw_t1d_quest_csv_lines},
      {"sensor_params.csv", tw_t1d_sensor_csv, &tw_t1d_sensor_csv_lines},
      {"pump_params.csv", tw_t1d_pump_csv, &tw_t1d_pump_csv_lines},
  };
  for (size_t i = 0; i < TW_ARRAY_LEN(tables); ++i)
    if (strcmp(tables[i].name, which) == 0)
      return tw_csv_from_lines(tables[i].name, tables[i].lines, *tables[i].n, out);
  return TW_FAIL(TW_ERR_INTERNAL, "no built-in table '%s'", which);
}
