/*
** json.c: the JSON writer and strict reader of json.h.
**
** Writer: every value first writes its separator (a comma after an earlier
** member, a newline and the indentation), unless it follows a key. Reader: a
** recursive-descent parser over RFC 8259's grammar with line and column kept
** for the messages; containers grow by doubling.
*/
#include "core/json.h"

#include <errno.h> /* errno */
#include <math.h>
#include <stdio.h>  /* fopen, rename, remove */
#include <stdlib.h>
#include <string.h> /* strerror */

/* ---- writer ----------------------------------------------------------------- */

void tw_json_init(tw_json_writer *w, FILE *f) { *w = (tw_json_writer){.f = f}; }

static void put(tw_json_writer *w, const char *s) {
  if (fputs(s, w->f) == EOF) w->broken = 1;
}

static void indent(tw_json_writer *w) {
  put(w, "\n");
  for (int i = 0; i < w->depth; i++) put(w, "  ");
}

/* Before any value or key: the comma and the new line, unless after a key. */
static void separate(tw_json_writer *w) {
  if (w->after_key) {
    w->after_key = 0;
    return;
  }
  if (w->depth == 0) return;
  if (w->has_items[w->depth - 1]) put(w, ",");
  w->has_items[w->depth - 1] = 1;
  indent(w);
}

static void open_container(tw_json_writer *w, const char *bracket) {
  separate(w);
  put(w, bracket);
  if (w->depth >= TW_JSON_MAX_DEPTH) {
    w->broken = 2;
    return;
  }
  w->has_items[w->depth++] = 0;
}

static void close_container(tw_json_writer *w, const char *bracket) {
  if (w->depth == 0 || w->after_key) {
    w->broken = 2;
    return;
  }
  const int had_items = w->has_items[--w->depth];
  if (had_items) indent(w);
  put(w, bracket);
}

void tw_json_begin_object(tw_json_writer *w) { open_container(w, "{"); }
void tw_json_end_object(tw_json_writer *w) { close_container(w, "}"); }
void tw_json_begin_array(tw_json_writer *w) { open_container(w, "["); }
void tw_json_end_array(tw_json_writer *w) { close_container(w, "]"); }

static void put_escaped(tw_json_writer *w, const char *s) {
  put(w, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char buf[8];
    if (*p == '"' || *p == '\\') snprintf(buf, sizeof buf, "\\%c", *p);
    else if (*p == '\n') snprintf(buf, sizeof buf, "\\n");
    else if (*p == '\t') snprintf(buf, sizeof buf, "\\t");
    else if (*p < 0x20) snprintf(buf, sizeof buf, "\\u%04x", *p);
    else snprintf(buf, sizeof buf, "%c", *p);
    put(w, buf);
  }
  put(w, "\"");
}

void tw_json_key(tw_json_writer *w, const char *key) {
  if (w->after_key) w->broken = 2;
  separate(w);
  put_escaped(w, key);
  put(w, ": ");
  w->after_key = 1;
}

void tw_json_string(tw_json_writer *w, const char *s) {
  separate(w);
  put_escaped(w, s ? s : "");
}

void tw_json_number(tw_json_writer *w, double v) {
  if (!isfinite(v)) {
    tw_json_null(w);
    return;
  }
  char buf[40];
  for (int digits = 15; digits <= 17; digits++) { /* the shortest text that reads back as v */
    snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (strtod(buf, NULL) == v) break;
  }
  separate(w);
  put(w, buf);
}

void tw_json_int(tw_json_writer *w, int64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", (long long)v);
  separate(w);
  put(w, buf);
}

void tw_json_bool(tw_json_writer *w, int v) {
  separate(w);
  put(w, v ? "true" : "false");
}

void tw_json_null(tw_json_writer *w) {
  separate(w);
  put(w, "null");
}

tw_status tw_json_finish(tw_json_writer *w, const char *what) {
  put(w, "\n");
  if (w->broken == 2 || w->depth != 0 || w->after_key)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: JSON nesting misused (depth %d at the end)", what, w->depth);
  if (w->broken || ferror(w->f)) return TW_FAIL(TW_ERR_IO, "%s: write failed", what);
  return TW_OK;
}

tw_status tw_json_write_file(const char *path, tw_json_document_fn document, const void *ctx) {
  char partial[4096];
  if (snprintf(partial, sizeof partial, "%s.partial", path) >= (int)sizeof partial)
    return TW_FAIL(TW_ERR_INPUT, "%s: path too long", path);
  FILE *f = fopen(partial, "w");
  if (!f) return TW_FAIL(TW_ERR_IO, "%s: cannot open: %s", partial, strerror(errno));
  tw_json_writer w;
  tw_json_init(&w, f);
  document(&w, ctx);
  tw_status st = tw_json_finish(&w, path);
  if (fclose(f) != 0 && st == TW_OK) st = TW_FAIL(TW_ERR_IO, "%s: cannot close: %s", partial, strerror(errno));
  if (st == TW_OK && rename(partial, path) != 0)
    st = TW_FAIL(TW_ERR_IO, "%s: cannot rename to %s: %s", partial, path, strerror(errno));
  if (st != TW_OK) remove(partial);
  return st;
}

/* ---- reader ----------------------------------------------------------------- */

typedef struct jparser {
  const char *s, *end, *name;
  const char *line_start;
  int line, depth;
} jparser;

static tw_status perr(const jparser *p, const char *what) {
  return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: JSON: %s", p->name, p->line, (int)(p->s - p->line_start) + 1, what);
}

static void skip_ws(jparser *p) {
  for (; p->s < p->end; p->s++) {
    if (*p->s == '\n') {
      p->line++;
      p->line_start = p->s + 1;
    } else if (*p->s != ' ' && *p->s != '\t' && *p->s != '\r') {
      return;
    }
  }
}

static int peek(const jparser *p) { return p->s < p->end ? (unsigned char)*p->s : -1; }

static tw_status parse_value(jparser *p, tw_json_value *v);

static tw_status literal(jparser *p, const char *word, tw_json_value *v, tw_json_type type, int b) {
  const size_t n = strlen(word);
  if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n)) return perr(p, "unexpected token");
  p->s += n;
  *v = (tw_json_value){.type = type, .boolean = b};
  return TW_OK;
}

static int digits(jparser *p) {
  int k = 0;
  while (p->s < p->end && *p->s >= '0' && *p->s <= '9') p->s++, k++;
  return k;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static tw_status parse_number(jparser *p, tw_json_value *v) {
  const char *start = p->s;
  if (peek(p) == '-') p->s++;
  if (peek(p) == '0') p->s++;
  else if (!digits(p)) return perr(p, "bad number");
  if (peek(p) == '.' && (p->s++, !digits(p))) return perr(p, "bad number: no digit after '.'");
  if (peek(p) == 'e' || peek(p) == 'E') {
    p->s++;
    if (peek(p) == '+' || peek(p) == '-') p->s++;
    if (!digits(p)) return perr(p, "bad number: no exponent digits");
  }
  char buf[64];
  const size_t n = (size_t)(p->s - start);
  if (n >= sizeof buf) return perr(p, "number too long");
  memcpy(buf, start, n);
  buf[n] = 0;
  *v = (tw_json_value){.type = TW_JSON_NUMBER, .number = strtod(buf, NULL)};
  return TW_OK;
}

static int hex4(const char *s, unsigned *u) {
  *u = 0;
  for (int i = 0; i < 4; i++) {
    const char c = s[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return 0;
    *u = *u * 16 + (unsigned)d;
  }
  return 1;
}

static size_t utf8_put(unsigned cp, char *o) {
  if (cp < 0x80) return o[0] = (char)cp, 1;
  if (cp < 0x800) return o[0] = (char)(0xC0 | cp >> 6), o[1] = (char)(0x80 | (cp & 0x3F)), 2;
  if (cp < 0x10000)
    return o[0] = (char)(0xE0 | cp >> 12), o[1] = (char)(0x80 | (cp >> 6 & 0x3F)), o[2] = (char)(0x80 | (cp & 0x3F)), 3;
  o[0] = (char)(0xF0 | cp >> 18), o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
  o[2] = (char)(0x80 | (cp >> 6 & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* \uXXXX at p->s (after the backslash and 'u'), a surrogate pair read whole. */
static tw_status unicode_escape(jparser *p, char *o, size_t *k) {
  unsigned cp, lo;
  if (p->end - p->s < 4 || !hex4(p->s, &cp)) return perr(p, "bad \\u escape");
  p->s += 4;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return perr(p, "lone low surrogate");
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u' || !hex4(p->s + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
      return perr(p, "unpaired high surrogate");
    p->s += 6;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  }
  if (cp == 0) return perr(p, "\\u0000 is not supported");
  *k += utf8_put(cp, o + *k);
  return TW_OK;
}

static tw_status escape(jparser *p, char *o, size_t *k) {
  static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
  if (p->s >= p->end) return perr(p, "unterminated string");
  const char c = *p->s++;
  if (c == 'u') return unicode_escape(p, o, k);
  const char *hit = c ? strchr(from, c) : NULL;
  if (!hit) return perr(p, "bad escape");
  o[(*k)++] = to[hit - from];
  return TW_OK;
}

/* A string at p->s (the opening quote); *out malloc'd. The decoded text is
** never longer than the source, so one buffer of the source length suffices. */
static tw_status parse_string(jparser *p, char **out) {
  const char *q = ++p->s;
  while (q < p->end && *q != '"') q += (*q == '\\') ? 2 : 1;
  if (q >= p->end) return perr(p, "unterminated string");
  char *o = malloc((size_t)(q - p->s) + 1);
  if (!o) return TW_FAIL(TW_ERR_NOMEM, "JSON: cannot allocate a string");
  size_t k = 0;
  tw_status st = TW_OK;
  while (st == TW_OK && *p->s != '"') {
    const unsigned char c = (unsigned char)*p->s;
    if (c < 0x20) st = perr(p, "control character in a string");
    else if (c == '\\') p->s++, st = escape(p, o, &k);
    else o[k++] = *p->s++;
  }
  if (st != TW_OK) {
    free(o);
    return st;
  }
  p->s++;
  o[k] = 0;
  *out = o;
  return TW_OK;
}

/* Room for one more member of v (doubling). */
static tw_status grow(tw_json_value *v, size_t *cap) {
  if (v->n < *cap) return TW_OK;
  *cap = *cap ? 2 * *cap : 4;
  tw_json_value *items = realloc(v->items, *cap * sizeof *items);
  if (items) v->items = items;
  if (items && v->type == TW_JSON_OBJECT) {
    char **keys = realloc(v->keys, *cap * sizeof *keys);
    if (!keys) items = NULL;
    else v->keys = keys;
  }
  return items ? TW_OK : TW_FAIL(TW_ERR_NOMEM, "JSON: cannot grow a container to %zu members", *cap);
}

static tw_status member_key(jparser *p, tw_json_value *v) {
  skip_ws(p);
  if (peek(p) != '"') return perr(p, "expected a key string");
  char *key;
  TW_TRY(parse_string(p, &key));
  if (tw_json_get(v, key)) {
    free(key);
    return perr(p, "duplicate key");
  }
  v->keys[v->n] = key;
  skip_ws(p);
  if (peek(p) != ':') return free(key), perr(p, "expected ':'");
  p->s++;
  return TW_OK;
}

/* The members of an array or object after its opening bracket. */
static tw_status parse_members(jparser *p, tw_json_value *v, char close) {
  size_t cap = 0;
  p->s++;
  skip_ws(p);
  if (peek(p) == close) return p->s++, TW_OK;
  for (;;) {
    TW_TRY(grow(v, &cap));
    if (v->type == TW_JSON_OBJECT) TW_TRY(member_key(p, v));
    tw_status st = parse_value(p, &v->items[v->n]);
    if (st != TW_OK && v->type == TW_JSON_OBJECT) free(v->keys[v->n]);
    TW_TRY(st);
    v->n++;
    skip_ws(p);
    const int c = peek(p);
    p->s++;
    if (c == close) return TW_OK;
    if (c != ',') return p->s--, perr(p, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static tw_status parse_container(jparser *p, tw_json_value *v, tw_json_type type, char close) {
  if (++p->depth > TW_JSON_MAX_DEPTH) return perr(p, "nested too deeply");
  *v = (tw_json_value){.type = type};
  tw_status st = parse_members(p, v, close);
  if (st != TW_OK) tw_json_free(v);
  p->depth--;
  return st;
}

static tw_status parse_value_here(jparser *p, tw_json_value *v) {
  switch (peek(p)) {
  case '{': return parse_container(p, v, TW_JSON_OBJECT, '}');
  case '[': return parse_container(p, v, TW_JSON_ARRAY, ']');
  case '"': *v = (tw_json_value){.type = TW_JSON_STRING}; return parse_string(p, &v->string);
  case 't': return literal(p, "true", v, TW_JSON_BOOL, 1);
  case 'f': return literal(p, "false", v, TW_JSON_BOOL, 0);
  case 'n': return literal(p, "null", v, TW_JSON_NULL, 0);
  case -1: return perr(p, "unexpected end of text");
  default: return parse_number(p, v);
  }
}

static tw_status parse_value(jparser *p, tw_json_value *v) {
  skip_ws(p);
  const int line = p->line;
  TW_TRY(parse_value_here(p, v));
  v->line = line;
  return TW_OK;
}

tw_status tw_json_parse(const char *text, size_t len, const char *name, tw_json_value *out) {
  if (!text || !out) return TW_FAIL(TW_ERR_INPUT, "JSON parse: NULL argument");
  jparser p = {.s = text, .end = text + len, .name = name ? name : "(json)", .line_start = text, .line = 1};
  TW_TRY(parse_value(&p, out));
  skip_ws(&p);
  if (p.s != p.end) {
    tw_json_free(out);
    return perr(&p, "text after the value");
  }
  return TW_OK;
}

void tw_json_free(tw_json_value *v) {
  if (!v) return;
  for (size_t i = 0; i < v->n; i++) {
    tw_json_free(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->string);
  *v = (tw_json_value){0};
}

const tw_json_value *tw_json_get(const tw_json_value *v, const char *key) {
  if (!v || v->type != TW_JSON_OBJECT) return NULL;
  for (size_t i = 0; i < v->n; i++)
    if (!strcmp(v->keys[i], key)) return &v->items[i];
  return NULL;
}
