/*
** csv.c: a streaming RFC 4180 CSV reader that knows where every field starts
** (line and byte column), so that each error in an imported file can name
** FILE:LINE:COL and the column (csv.h).
**
** One record at a time is kept, unquoted in place in a growing buffer; fields
** are offsets into it. Identifying columns pass through this buffer only and
** are overwritten by the next record.
*/
#include "core/csv.h"

#include <math.h>   /* isfinite */

#include <errno.h>  /* errno */
#include <stdio.h>  /* FILE, fopen, getc */
#include <stdlib.h> /* malloc, realloc, free, strtod */
#include <string.h> /* strcmp, strerror */

typedef struct field_pos {
  size_t offset; /* into buf */
  int64_t line;
  int64_t col;
} field_pos;

struct tw_ehr_csv {
  FILE *fp;
  char *path;
  char *buf; /* the current record, fields NUL-terminated */
  size_t len, cap;
  field_pos *fields;
  int nfields, fields_cap;
  char **header; /* the header's names, copied */
  int ncols;
  int64_t line, col;   /* the next byte's line and column */
  int64_t at_line, at_col; /* those of the byte last returned by next_byte */
  int64_t record_line; /* where the current record starts */
};

static tw_status csv_oom(void) { return TW_FAIL(TW_ERR_NOMEM, "CSV reader: out of memory"); }

static tw_status buf_put(tw_ehr_csv *c, char ch) {
  if (c->len == c->cap) {
    const size_t cap = c->cap ? 2 * c->cap : 4096;
    char *b = realloc(c->buf, cap);
    if (!b) return csv_oom();
    c->buf = b;
    c->cap = cap;
  }
  c->buf[c->len++] = ch;
  return TW_OK;
}

static tw_status field_start(tw_ehr_csv *c) {
  if (c->nfields == c->fields_cap) {
    const int cap = c->fields_cap ? 2 * c->fields_cap : 32;
    field_pos *f = realloc(c->fields, (size_t)cap * sizeof *f);
    if (!f) return csv_oom();
    c->fields = f;
    c->fields_cap = cap;
  }
  c->fields[c->nfields++] = (field_pos){c->len, c->at_line, c->at_col};
  return TW_OK;
}

/* The next byte, keeping line and column; a CR before LF is dropped. EOF as is. */
static int next_byte(tw_ehr_csv *c) {
  int ch = getc(c->fp);
  if (ch == '\r') {
    const int after = getc(c->fp);
    if (after == '\n') ch = '\n';
    else if (after != EOF) ungetc(after, c->fp);
  }
  c->at_line = c->line;
  c->at_col = c->col;
  if (ch == '\n') {
    c->line++;
    c->col = 1;
  } else if (ch != EOF) {
    c->col++;
  }
  return ch;
}

static tw_status fail_at(const tw_ehr_csv *c, int64_t line, int64_t col, const char *what) {
  return TW_FAIL(TW_ERR_INPUT, "%s:%lld:%lld: %s", c->path, (long long)line, (long long)col, what);
}

/* A quoted field, the opening quote already read. Leaves the byte after the
** closing quote in *ch. */
static tw_status read_quoted(tw_ehr_csv *c, int *ch) {
  const int64_t line = c->at_line, col = c->at_col;
  for (;;) {
    int b = next_byte(c);
    if (b == EOF) return fail_at(c, line, col, "quoted field not closed before the end of the file");
    if (b == '"') {
      b = next_byte(c);
      if (b != '"') {
        *ch = b;
        return TW_OK;
      }
    }
    TW_TRY(buf_put(c, (char)b));
  }
}

/* One field from its first byte *ch; leaves the delimiter (',', '\n', EOF) in *ch. */
static tw_status read_field(tw_ehr_csv *c, int *ch) {
  TW_TRY(field_start(c));
  if (*ch == '"') {
    TW_TRY(read_quoted(c, ch));
    if (*ch != ',' && *ch != '\n' && *ch != EOF)
      return fail_at(c, c->at_line, c->at_col, "text after the closing quote of a field");
  } else {
    while (*ch != ',' && *ch != '\n' && *ch != EOF) {
      if (*ch == '"') return fail_at(c, c->at_line, c->at_col, "a quote inside an unquoted field");
      TW_TRY(buf_put(c, (char)*ch));
      *ch = next_byte(c);
    }
  }
  return buf_put(c, '\0');
}

/* Reads one record into buf and fields; *more = 0 at the end of the file. */
static tw_status read_record(tw_ehr_csv *c, int *more) {
  int ch = next_byte(c);
  while (ch == '\n') ch = next_byte(c); /* empty lines */
  c->len = 0;
  c->nfields = 0;
  *more = ch != EOF;
  if (!*more) return TW_OK;
  c->record_line = c->at_line;
  for (;;) {
    TW_TRY(read_field(c, &ch));
    if (ch != ',') return TW_OK;
    ch = next_byte(c);
  }
}

static tw_status skip_bom(tw_ehr_csv *c) {
  unsigned char b[3];
  const size_t n = fread(b, 1, 3, c->fp);
  if (n == 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) return TW_OK;
  if (fseek(c->fp, 0, SEEK_SET) != 0) return TW_FAIL(TW_ERR_IO, "%s: cannot seek: %s", c->path, strerror(errno));
  return TW_OK;
}

static tw_status copy_header(tw_ehr_csv *c) {
  c->header = calloc((size_t)c->nfields, sizeof *c->header);
  if (!c->header) return csv_oom();
  c->ncols = c->nfields;
  for (int i = 0; i < c->ncols; ++i) {
    const char *name = c->buf + c->fields[i].offset;
    c->header[i] = malloc(strlen(name) + 1);
    if (!c->header[i]) return csv_oom();
    strcpy(c->header[i], name);
  }
  return TW_OK;
}

static tw_status open_file(const char *path, tw_ehr_csv *c) {
  c->path = malloc(strlen(path) + 1);
  if (!c->path) return csv_oom();
  strcpy(c->path, path);
  c->line = c->col = 1;
  c->fp = fopen(path, "rb");
  if (!c->fp) return TW_FAIL(TW_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  return skip_bom(c);
}

tw_status tw_ehr_csv_open(const char *path, tw_ehr_csv **out) {
  *out = NULL;
  tw_ehr_csv *c = calloc(1, sizeof *c);
  if (!c) return csv_oom();
  int more = 0;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, open_file(path, c), fail);
  TW_TRY_GOTO(st, read_record(c, &more), fail);
  if (!more) {
    st = TW_FAIL(TW_ERR_INPUT, "%s:1: empty file: a header line is required", path);
    goto fail;
  }
  TW_TRY_GOTO(st, copy_header(c), fail);
  *out = c;
  return TW_OK;
fail:
  tw_ehr_csv_close(c);
  return st;
}

void tw_ehr_csv_close(tw_ehr_csv *c) {
  if (!c) return;
  if (c->fp) fclose(c->fp);
  if (c->buf) memset(c->buf, 0, c->cap); /* the last record may hold identifying fields */
  free(c->buf);
  free(c->fields);
  for (int i = 0; c->header && i < c->ncols; ++i) free(c->header[i]);
  free(c->header);
  free(c->path);
  free(c);
}

int tw_ehr_csv_columns(const tw_ehr_csv *c) { return c->ncols; }

const char *tw_ehr_csv_column_name(const tw_ehr_csv *c, int col) { return c->header[col]; }

int tw_ehr_csv_find(const tw_ehr_csv *c, const char *name) {
  for (int i = 0; i < c->ncols; ++i)
    if (!strcmp(c->header[i], name)) return i;
  return -1;
}

tw_status tw_ehr_csv_require(const tw_ehr_csv *c, const char *name, int *col) {
  *col = tw_ehr_csv_find(c, name);
  if (*col < 0) return TW_FAIL(TW_ERR_INPUT, "%s:1: missing column %s in the header", c->path, name);
  return TW_OK;
}

tw_status tw_ehr_csv_next(tw_ehr_csv *c, int *more) {
  TW_TRY(read_record(c, more));
  if (*more && c->nfields != c->ncols)
    return TW_FAIL(TW_ERR_INPUT, "%s:%lld: %d fields, the header has %d", c->path, (long long)c->record_line,
                   c->nfields, c->ncols);
  return TW_OK;
}

const char *tw_ehr_csv_field(const tw_ehr_csv *c, int col) { return c->buf + c->fields[col].offset; }

int64_t tw_ehr_csv_line(const tw_ehr_csv *c) { return c->record_line; }

tw_status tw_ehr_csv_fail(const tw_ehr_csv *c, int col, const char *fmt, ...) {
  char what[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  const field_pos *p = &c->fields[col];
  return TW_FAIL(TW_ERR_INPUT, "%s:%lld:%lld: column %s: %s", c->path, (long long)p->line, (long long)p->col,
                 c->header[col], what);
}

const char *tw_ehr_csv_path(const tw_ehr_csv *c) { return c->path; }

tw_status tw_ehr_csv_number(const tw_ehr_csv *c, int col, double *value) {
  const char *s = tw_ehr_csv_field(c, col);
  char *end;
  *value = strtod(s, &end);
  if (!*s || *end || !isfinite(*value)) return tw_ehr_csv_fail(c, col, "'%s' is not a number", s);
  return TW_OK;
}
