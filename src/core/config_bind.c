/*
** config_bind.c: a parsed config bound to a schema, into a C struct.
**
** Binding walks the mapping in document order, so the first problem in the
** file is the one reported; it then fills the fields that were not given
** (defaults) or reports the first required one missing, and finally runs the
** schema's cross-field check. Every message is one line: FILE:LINE:COL, the
** path of the field (meals[1].carbs_g), what was expected and what was found.
**
** Scalars are typed by the schema, not by YAML's resolver: `name: yes` is the
** string "yes" for a string field, and an error for a boolean one (only
** true/false are booleans). A quoted scalar is always a string, so '1' is never
** a number. docs/configs.md states these rules for users.
*/
#include <errno.h>  /* errno: strtoll overflow */
#include <math.h>   /* isfinite, trunc, fabs */
#include <stdio.h>  /* snprintf */
#include <stdint.h> /* int64_t, SIZE_MAX */
#include <stdlib.h> /* calloc, malloc, free, strtod, strtoll */
#include <string.h> /* strcmp, strlen, memcpy, memset */
#include <strings.h> /* strcasecmp */

#include "core/config_tree.h"

#define FIELD_AT(obj, offset, type) ((type *)(void *)((char *)(obj) + (offset)))

/* Where binding is: the field path for messages ("meals[1].carbs_g"). */
typedef struct bind_ctx {
  const tw_cfg_doc *doc; /* the document the nodes belong to */
  const char *kind;      /* the kind a union chose, for the next mapping's unknown keys */
  char path[256];
  size_t path_len;
} bind_ctx;

/* Appends ".key" (or "key" at the top) or "[i]" to the path; returns the old
** length for pop_path. Paths longer than the buffer are cut, never overrun. */
static size_t push_path(bind_ctx *c, const char *key, int index) {
  size_t old = c->path_len, room = sizeof c->path - old;
  int n = key ? snprintf(c->path + old, room, "%s%s", old ? "." : "", key) : snprintf(c->path + old, room, "[%d]", index);
  c->path_len = n < 0 ? old : TW_MIN(old + (size_t)n, sizeof c->path - 1);
  return old;
}

static void pop_path(bind_ctx *c, size_t old) {
  c->path_len = old;
  c->path[old] = '\0';
}

/* A scalar to bind: from the document, or a schema default (mark {0, 0}). */
typedef struct scalar {
  const char *text;
  size_t len;
  int quoted;
  tw_cfg_mark mark;
} scalar;

static scalar scalar_of(const tw_cfg_doc *doc, const tw_cfg_node *n) {
  scalar s = {tw_cfg_node_text(doc, n), n->len, n->quoted, n->mark};
  return s;
}

/* What a scalar is, for "got ...": "'ten'", "the string '1'", "nothing". */
static void describe_scalar(const char *text, size_t len, int quoted, char out[160]) {
  if (tw_cfg_scalar_is_null(text, quoted)) {
    strcpy(out, "nothing");
    return;
  }
  char q[128];
  tw_cfg_quote_for_message(text, len, q);
  snprintf(out, 160, "%s%s", quoted ? "the string " : "", q);
}

/* What a node is: a scalar as above, "a mapping" or "a list". */
static void describe(const tw_cfg_doc *doc, const tw_cfg_node *n, char out[160]) {
  if (n->kind == TW_CFG_NODE_MAP) strcpy(out, "a mapping");
  else if (n->kind == TW_CFG_NODE_SEQ) strcpy(out, "a list");
  else describe_scalar(tw_cfg_node_text(doc, n), n->len, n->quoted, out);
}

/* The key that names a union's kind. */
static const char *union_tag(const tw_cfg_field *f) { return f->tag_key ? f->tag_key : "kind"; }

/* What a field expects, in words. */
static void expected(const tw_cfg_field *f, char *out, size_t cap) {
  switch (f->type) {
    case TW_CFG_BOOL: snprintf(out, cap, "true or false"); return;
    case TW_CFG_INT: snprintf(out, cap, "an integer"); return;
    case TW_CFG_NUMBER:
      if (f->keyword) snprintf(out, cap, "a number or '%s'", f->keyword);
      else snprintf(out, cap, "a number");
      return;
    case TW_CFG_STRING: snprintf(out, cap, "a string"); return;
    case TW_CFG_ENUM: {
      size_t used = (size_t)snprintf(out, cap, "one of");
      for (int i = 0; f->choices[i] && used < cap; ++i)
        used += (size_t)snprintf(out + used, cap - used, "%s %s", i ? "," : "", f->choices[i]);
      return;
    }
    case TW_CFG_STRING_LIST: snprintf(out, cap, "a list of strings"); return;
    case TW_CFG_MAP: snprintf(out, cap, "a mapping of keys"); return;
    case TW_CFG_LIST: snprintf(out, cap, "a list of mappings"); return;
    case TW_CFG_NUMBER_LIST: snprintf(out, cap, "a list of numbers"); return;
    case TW_CFG_UNION: {
      size_t used = (size_t)snprintf(out, cap, "a mapping with '%s:' one of", union_tag(f));
      for (int i = 0; f->choices[i] && used < cap; ++i)
        used += (size_t)snprintf(out + used, cap - used, "%s %s", i ? "," : "", f->choices[i]);
      return;
    }
  }
  snprintf(out, cap, "a value");
}

static tw_status wrong_type(const bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *n, const char *hint) {
  char want[512], got[160];
  expected(f, want, sizeof want);
  describe(c->doc, n, got);
  return tw_cfg_error_at(c->doc, n->mark, "%s: expected %s, got %s%s", c->path, want, got, hint);
}

/* ---- scalars ------------------------------------------------------------ */

/* Text made of digits, signs, '.', 'e' and 'E' only, with a digit: what strtod
** may read here (it also takes hex, "inf" and "nan", which configs refuse). */
static int looks_decimal(const char *t) {
  int digit = 0;
  for (; *t; ++t) {
    if (*t >= '0' && *t <= '9') digit = 1;
    else if (!strchr("+-.eE", *t)) return 0;
  }
  return digit;
}

static int is_inf_or_nan(const char *t) {
  if (*t == '+' || *t == '-') ++t;
  if (*t == '.') ++t;
  return !strcasecmp(t, "inf") || !strcasecmp(t, "infinity") || !strcasecmp(t, "nan");
}

/* Parses a finite double filling the whole text. */
typedef enum number_parse { NUMBER_OK, NUMBER_NOT, NUMBER_OVERFLOW } number_parse;
static number_parse parse_number(const char *t, double *out) {
  if (!looks_decimal(t)) return NUMBER_NOT;
  char *end;
  double x = strtod(t, &end);
  if (*end) return NUMBER_NOT;
  if (!isfinite(x)) return NUMBER_OVERFLOW;
  *out = x;
  return NUMBER_OK;
}

static tw_status check_range(const bind_ctx *c, const tw_cfg_field *f, const scalar *s, double x) {
  if (!f->has_range || (x >= f->min && x <= f->max)) return TW_OK;
  char lo[32], hi[32], q[128];
  tw_cfg_format_number(f->min, lo);
  tw_cfg_format_number(f->max, hi);
  tw_cfg_quote_for_message(s->text, s->len, q);
  /* The value as written, without the quotes: "0 is out of range [1, 100]". */
  size_t n = strlen(q);
  q[n - 1] = '\0';
  return tw_cfg_error_at(c->doc, s->mark, "%s: %s is out of range [%s, %s]", c->path, q + 1, lo, hi);
}

static tw_status scalar_error(const bind_ctx *c, const tw_cfg_field *f, const scalar *s, const char *hint) {
  char want[512], got[160];
  expected(f, want, sizeof want);
  describe_scalar(s->text, s->len, s->quoted, got);
  return tw_cfg_error_at(c->doc, s->mark, "%s: expected %s, got %s%s", c->path, want, got, hint);
}

static tw_status bind_bool(const bind_ctx *c, const tw_cfg_field *f, const scalar *s, int *out) {
  static const char *const yaml11[] = {"yes", "no", "y", "n", "on", "off"};
  if (!s->quoted) {
    if (!strcmp(s->text, "true") || !strcmp(s->text, "True") || !strcmp(s->text, "TRUE")) return *out = 1, TW_OK;
    if (!strcmp(s->text, "false") || !strcmp(s->text, "False") || !strcmp(s->text, "FALSE")) return *out = 0, TW_OK;
    for (size_t i = 0; i < TW_ARRAY_LEN(yaml11); ++i)
      if (!strcasecmp(s->text, yaml11[i])) return scalar_error(c, f, s, " (write true or false)");
  }
  return scalar_error(c, f, s, s->quoted ? " (remove the quotes)" : "");
}

static tw_status bind_int(const bind_ctx *c, const tw_cfg_field *f, const scalar *s, int64_t *out) {
  if (s->quoted) return scalar_error(c, f, s, " (remove the quotes)");
  char *end;
  errno = 0;
  long long v = strtoll(s->text, &end, 10);
  int whole = looks_decimal(s->text) && !*end;
  if (whole && errno == ERANGE) return scalar_error(c, f, s, " (too large for a 64-bit integer)");
  if (!whole) {
    /* 1e6 is an integer too; 1.5 is not. 2^53: every integer below is exact. */
    double x;
    if (parse_number(s->text, &x) != NUMBER_OK) return scalar_error(c, f, s, "");
    if (x != trunc(x)) return scalar_error(c, f, s, " (not a whole number)");
    if (fabs(x) > 9007199254740992.0) return scalar_error(c, f, s, " (write integers above 2^53 in full)");
    v = (long long)x;
  }
  TW_TRY(check_range(c, f, s, (double)v));
  *out = v;
  return TW_OK;
}

static tw_status bind_number(const bind_ctx *c, const tw_cfg_field *f, const scalar *s, void *obj) {
  if (f->keyword && !strcmp(s->text, f->keyword)) {
    *FIELD_AT(obj, f->keyword_offset, int) = 1;
    *FIELD_AT(obj, f->offset, double) = 0;
    return TW_OK;
  }
  if (s->quoted) return scalar_error(c, f, s, " (remove the quotes)");
  double x;
  number_parse p = parse_number(s->text, &x);
  if (p == NUMBER_OVERFLOW) return scalar_error(c, f, s, " (out of the range of a double)");
  if (p == NUMBER_NOT) return scalar_error(c, f, s, is_inf_or_nan(s->text) ? " (infinity and NaN are not allowed)" : "");
  TW_TRY(check_range(c, f, s, x));
  *FIELD_AT(obj, f->offset, double) = x;
  return TW_OK;
}

static tw_status copy_string(const bind_ctx *c, const scalar *s, char **out) {
  char *p = malloc(s->len + 1);
  if (!p) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory binding %s", tw_cfg_path(c->doc), c->path);
  memcpy(p, s->text, s->len + 1);
  *out = p;
  return TW_OK;
}

static tw_status bind_enum(const bind_ctx *c, const tw_cfg_field *f, const scalar *s, int *out) {
  for (int i = 0; f->choices[i]; ++i)
    if (!strcmp(s->text, f->choices[i])) return *out = i, TW_OK;
  char want[512], q[128];
  expected(f, want, sizeof want);
  tw_cfg_quote_for_message(s->text, s->len, q);
  return tw_cfg_error_at(c->doc, s->mark, "%s: unknown value %s (expected %s)", c->path, q, want);
}

/* A scalar into a scalar field (BOOL, INT, NUMBER, STRING, ENUM). */
static tw_status bind_scalar(const bind_ctx *c, const tw_cfg_field *f, const scalar *s, void *obj) {
  if (tw_cfg_scalar_is_null(s->text, s->quoted)) return scalar_error(c, f, s, "");
  switch (f->type) {
    case TW_CFG_BOOL: return bind_bool(c, f, s, FIELD_AT(obj, f->offset, int));
    case TW_CFG_INT: return bind_int(c, f, s, FIELD_AT(obj, f->offset, int64_t));
    case TW_CFG_NUMBER: return bind_number(c, f, s, obj);
    case TW_CFG_STRING: return copy_string(c, s, FIELD_AT(obj, f->offset, char *));
    case TW_CFG_ENUM: return bind_enum(c, f, s, FIELD_AT(obj, f->offset, int));
    default: break;
  }
  return TW_FAIL(TW_ERR_INTERNAL, "%s: field type %d is not a scalar", c->path, (int)f->type);
}

/* ---- containers --------------------------------------------------------- */

static tw_status bind_map(bind_ctx *c, const tw_cfg_schema *schema, const tw_cfg_node *map, void *obj,
                          const char *skip);

static tw_status bind_string_list(bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *seq, void *obj) {
  int n = seq->count;
  char **items = n ? calloc((size_t)n, sizeof *items) : NULL;
  tw_cfg_mark *marks = n && f->marks_offset ? calloc((size_t)n, sizeof *marks) : NULL;
  /* Stored before the elements are bound, so that release frees a half-bound list. */
  *FIELD_AT(obj, f->offset, char **) = items;
  *FIELD_AT(obj, f->count_offset, int) = items ? n : 0;
  if (f->marks_offset) *FIELD_AT(obj, f->marks_offset, tw_cfg_mark *) = marks;
  if (n && (!items || (f->marks_offset && !marks)))
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory binding %s", tw_cfg_path(c->doc), c->path);
  for (int i = 0; i < n; ++i) {
    const tw_cfg_node *e = tw_cfg_node_kid(c->doc, seq, i);
    size_t old = push_path(c, NULL, i);
    if (e->kind != TW_CFG_NODE_SCALAR || tw_cfg_scalar_is_null(tw_cfg_node_text(c->doc, e), e->quoted)) {
      char got[160];
      describe(c->doc, e, got);
      return tw_cfg_error_at(c->doc, e->mark, "%s: expected a string, got %s", c->path, got);
    }
    scalar s = scalar_of(c->doc, e);
    TW_TRY(copy_string(c, &s, &items[i]));
    if (marks) marks[i] = e->mark;
    pop_path(c, old);
  }
  return TW_OK;
}

static tw_status bind_list(bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *seq, void *obj) {
  int n = seq->count;
  char *items = n ? calloc((size_t)n, f->sub->size) : NULL;
  *FIELD_AT(obj, f->offset, void *) = items;
  *FIELD_AT(obj, f->count_offset, int) = items ? n : 0;
  if (n && !items) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory binding %s", tw_cfg_path(c->doc), c->path);
  for (int i = 0; i < n; ++i) {
    const tw_cfg_node *e = tw_cfg_node_kid(c->doc, seq, i);
    size_t old = push_path(c, NULL, i);
    if (e->kind != TW_CFG_NODE_MAP) {
      char got[160];
      describe(c->doc, e, got);
      return tw_cfg_error_at(c->doc, e->mark, "%s: expected a mapping of keys, got %s", c->path, got);
    }
    TW_TRY(bind_map(c, f->sub, e, items + (size_t)i * f->sub->size, NULL));
    pop_path(c, old);
  }
  return TW_OK;
}

/* NUMBER_LIST's length against min_count/max_count, reported at the list. */
static tw_status check_count(const bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *seq) {
  int n = seq->count, lo = f->min_count, hi = f->max_count;
  const char *what = NULL;
  int bound = 0;
  if (hi > 0 && lo == hi && n != lo) what = "exactly", bound = lo;
  else if (n < lo) what = "at least", bound = lo;
  else if (hi > 0 && n > hi) what = "at most", bound = hi;
  if (!what) return TW_OK;
  return tw_cfg_error_at(c->doc, seq->mark, "%s: expected %s %d number%s, got %d", c->path, what, bound,
                         bound == 1 ? "" : "s", n);
}

/* A list of numbers: each element bound as a NUMBER field of its own, so that
** its errors name the element (cv[2]) at its own line:col. */
static tw_status bind_number_list(bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *seq, void *obj) {
  int n = seq->count;
  double *items = n ? calloc((size_t)n, sizeof *items) : NULL;
  tw_cfg_mark *marks = n && f->marks_offset ? calloc((size_t)n, sizeof *marks) : NULL;
  /* Stored first, so that release frees a half-bound list. */
  *FIELD_AT(obj, f->offset, double *) = items;
  *FIELD_AT(obj, f->count_offset, int) = items ? n : 0;
  if (f->marks_offset) *FIELD_AT(obj, f->marks_offset, tw_cfg_mark *) = marks;
  if (n && (!items || (f->marks_offset && !marks)))
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory binding %s", tw_cfg_path(c->doc), c->path);
  TW_TRY(check_count(c, f, seq));
  tw_cfg_field element = *f;
  element.type = TW_CFG_NUMBER;
  element.offset = 0;
  element.keyword = NULL;
  for (int i = 0; i < n; ++i) {
    const tw_cfg_node *e = tw_cfg_node_kid(c->doc, seq, i);
    size_t old = push_path(c, NULL, i);
    if (e->kind != TW_CFG_NODE_SCALAR) return wrong_type(c, &element, e, "");
    scalar s = scalar_of(c->doc, e);
    TW_TRY(bind_scalar(c, &element, &s, &items[i]));
    if (marks) marks[i] = e->mark;
    pop_path(c, old);
  }
  return TW_OK;
}

static tw_status bind_union(bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *map, void *obj);

/* A value node into field f of obj; the path already names the field. */
static tw_status bind_field(bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *n, void *obj) {
  switch (f->type) {
    case TW_CFG_STRING_LIST:
      if (n->kind != TW_CFG_NODE_SEQ) return wrong_type(c, f, n, "");
      return bind_string_list(c, f, n, obj);
    case TW_CFG_LIST:
      if (n->kind != TW_CFG_NODE_SEQ) return wrong_type(c, f, n, "");
      return bind_list(c, f, n, obj);
    case TW_CFG_NUMBER_LIST:
      if (n->kind != TW_CFG_NODE_SEQ) return wrong_type(c, f, n, "");
      return bind_number_list(c, f, n, obj);
    case TW_CFG_MAP:
      if (n->kind != TW_CFG_NODE_MAP) return wrong_type(c, f, n, "");
      return bind_map(c, f->sub, n, FIELD_AT(obj, f->offset, void), NULL);
    case TW_CFG_UNION:
      if (n->kind != TW_CFG_NODE_MAP) return wrong_type(c, f, n, "");
      return bind_union(c, f, n, obj);
    default: {
      if (n->kind != TW_CFG_NODE_SCALAR) return wrong_type(c, f, n, "");
      scalar s = scalar_of(c->doc, n);
      return bind_scalar(c, f, &s, obj);
    }
  }
}

/* Binds a field's default. Scalar defaults are the text itself (a STRING's
** default is taken literally, so "" means the empty string); list and map
** defaults ("[]", "{}", "[a, b]") are parsed as YAML. A default that does not
** bind is a bug in the schema: TW_ERR_INTERNAL. */
static tw_status bind_default(bind_ctx *c, const tw_cfg_schema *schema, const tw_cfg_field *f, void *obj) {
  tw_status st;
  int composite = f->type == TW_CFG_STRING_LIST || f->type == TW_CFG_LIST || f->type == TW_CFG_MAP ||
                  f->type == TW_CFG_NUMBER_LIST || f->type == TW_CFG_UNION;
  if (!composite) {
    scalar s = {f->default_text, strlen(f->default_text), f->type == TW_CFG_STRING, {0, 0}};
    st = bind_scalar(c, f, &s, obj);
  } else {
    tw_cfg_doc *snippet;
    TW_TRY(tw_cfg_parse_snippet(f->key, f->default_text, &snippet));
    for (int i = 0; i < snippet->n_nodes; ++i) snippet->nodes[i].mark = (tw_cfg_mark){0, 0};
    const tw_cfg_doc *doc = c->doc;
    c->doc = snippet;
    st = bind_field(c, f, tw_cfg_node_at(snippet, snippet->root), obj);
    c->doc = doc;
    tw_cfg_free(snippet);
  }
  if (st == TW_ERR_INPUT) {
    char why[512];
    snprintf(why, sizeof why, "%s", tw_error_message());
    return TW_FAIL(TW_ERR_INTERNAL, "schema '%s': the default \"%s\" of '%s' is invalid: %s", schema->name,
                   f->default_text, f->key, why);
  }
  return st;
}

/* True when `name` is a likely misspelling of `key` (distance at most
** max(2, len/3) and not a whole rewrite) nearer than *best_d (-1: none yet). */
static int nearer(const char *key, size_t len, const char *name, int *best_d) {
  if (len > 64) return 0; /* not a misspelling; and keeps the distance cheap */
  int d = tw_cfg_edit_distance(key, name), limit = TW_MAX(2, (int)len / 3);
  if (d > limit || d >= (int)TW_MAX(len, strlen(name)) || (*best_d >= 0 && d >= *best_d)) return 0;
  *best_d = d;
  return 1;
}

/* The field whose key is nearest to `key`, when near enough to be a likely misspelling. */
static const tw_cfg_field *nearest_field(const tw_cfg_schema *schema, const char *key, size_t len) {
  const tw_cfg_field *best = NULL;
  int best_d = -1;
  for (int i = 0; i < schema->n_fields; ++i)
    if (nearer(key, len, schema->fields[i].key, &best_d)) best = &schema->fields[i];
  return best;
}

/* An unknown key; `kind` names the kind a union chose (NULL outside unions),
** whose keys are the only ones offered. */
static tw_status unknown_key(const bind_ctx *c, const tw_cfg_schema *schema, const tw_cfg_node *key,
                             const char *kind) {
  const char *text = tw_cfg_node_text(c->doc, key);
  char q[128], in[400] = "", known[512];
  tw_cfg_quote_for_message(text, key->len, q);
  if (c->path_len) snprintf(in, sizeof in, " in %s", c->path);
  if (kind) snprintf(in + strlen(in), sizeof in - strlen(in), " of kind '%s'", kind);
  const tw_cfg_field *near = nearest_field(schema, text, key->len);
  if (near) return tw_cfg_error_at(c->doc, key->mark, "unknown key %s%s (did you mean '%s'?)", q, in, near->key);
  size_t used = 0;
  known[0] = '\0';
  for (int i = 0; i < schema->n_fields && used < sizeof known; ++i)
    used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", schema->fields[i].key);
  return tw_cfg_error_at(c->doc, key->mark, "unknown key %s%s (known keys: %s)", q, in, known);
}

static int find_field(const tw_cfg_schema *schema, const char *key) {
  for (int i = 0; i < schema->n_fields; ++i)
    if (!strcmp(schema->fields[i].key, key)) return i;
  return -1;
}

/* A schema whose only field is a UNION keyed "": the mapping itself is the union. */
static int is_bare_union(const tw_cfg_schema *schema) {
  return schema->n_fields == 1 && schema->fields[0].type == TW_CFG_UNION && !schema->fields[0].key[0];
}

/* The kind a union's tag names: its index in choices, or an error at the tag
** (or at the mapping when the tag is missing) naming the known kinds. */
static tw_status union_kind(const bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *map, int *kind) {
  const char *tag = union_tag(f);
  const tw_cfg_node *value = NULL;
  for (int i = 0; i < map->count && !value; i += 2)
    if (!strcmp(tw_cfg_node_text(c->doc, tw_cfg_node_kid(c->doc, map, i)), tag)) value = tw_cfg_node_kid(c->doc, map, i + 1);
  char known[512], in[300] = "", q[160];
  size_t used = 0;
  known[0] = '\0';
  for (int i = 0; f->choices[i] && used < sizeof known; ++i)
    used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", f->choices[i]);
  if (c->path_len) snprintf(in, sizeof in, " in %s", c->path);
  if (!value) return tw_cfg_error_at(c->doc, map->mark, "missing required key '%s'%s (one of: %s)", tag, in, known);
  const char *text = tw_cfg_node_text(c->doc, value);
  if (value->kind != TW_CFG_NODE_SCALAR || tw_cfg_scalar_is_null(text, value->quoted)) {
    describe(c->doc, value, q);
    return tw_cfg_error_at(c->doc, value->mark, "%s%s%s: expected a kind (%s), got %s", c->path,
                           c->path_len ? "." : "", tag, known, q);
  }
  int best = -1, best_d = -1;
  for (int i = 0; f->choices[i]; ++i) {
    if (!strcmp(text, f->choices[i])) return *kind = i, TW_OK;
    if (nearer(text, value->len, f->choices[i], &best_d)) best = i;
  }
  tw_cfg_quote_for_message(text, value->len, q);
  if (best >= 0)
    return tw_cfg_error_at(c->doc, value->mark, "%s%s%s: unknown kind %s (did you mean '%s'?)", c->path,
                           c->path_len ? "." : "", tag, q, f->choices[best]);
  return tw_cfg_error_at(c->doc, value->mark, "%s%s%s: unknown kind %s (known kinds: %s)", c->path,
                         c->path_len ? "." : "", tag, q, known);
}

/* A tagged union: the tag picks the kind, whose schema binds the rest of the
** mapping (the tag key skipped) into the union at value_offset. */
static tw_status bind_union(bind_ctx *c, const tw_cfg_field *f, const tw_cfg_node *map, void *obj) {
  int kind;
  TW_TRY(union_kind(c, f, map, &kind));
  *FIELD_AT(obj, f->offset, int) = kind;
  c->kind = f->choices[kind];
  return bind_map(c, f->variants[kind], map, FIELD_AT(obj, f->value_offset, void), union_tag(f));
}

/* The top level may say which kind of config it is (`kind: simulate`); the
** caller that chose the schema checks the name (src/cli/config_kinds.c). A
** union's mapping skips its tag the same way. */
static tw_status bind_map(bind_ctx *c, const tw_cfg_schema *schema, const tw_cfg_node *map, void *obj,
                          const char *skip) {
  const char *kind = c->kind;
  c->kind = NULL;
  if (schema->mark_offset != SIZE_MAX) *FIELD_AT(obj, schema->mark_offset, tw_cfg_mark) = map->mark;
  if (is_bare_union(schema)) {
    TW_TRY(bind_union(c, &schema->fields[0], map, obj));
    return schema->check ? schema->check(c->doc, obj) : TW_OK;
  }
  unsigned char *seen = calloc((size_t)schema->n_fields + 1, 1);
  if (!seen) return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory binding %s", tw_cfg_path(c->doc), c->path);
  tw_status st = TW_OK;
  for (int i = 0; i < map->count && st == TW_OK; i += 2) {
    const tw_cfg_node *key = tw_cfg_node_kid(c->doc, map, i), *value = tw_cfg_node_kid(c->doc, map, i + 1);
    const char *text = tw_cfg_node_text(c->doc, key);
    if (skip && !strcmp(text, skip)) {
      if (value->kind != TW_CFG_NODE_SCALAR) st = tw_cfg_error_at(c->doc, value->mark, "kind: expected a name");
      continue;
    }
    int f = find_field(schema, text);
    if (f < 0) {
      st = unknown_key(c, schema, key, kind);
      break;
    }
    seen[f] = 1;
    size_t old = push_path(c, text, 0);
    st = bind_field(c, &schema->fields[f], value, obj);
    if (st == TW_OK) pop_path(c, old);
  }
  for (int i = 0; i < schema->n_fields && st == TW_OK; ++i) {
    const tw_cfg_field *f = &schema->fields[i];
    if (seen[i]) continue;
    if (f->required) {
      char in[300] = "";
      if (c->path_len) snprintf(in, sizeof in, " in %s", c->path);
      st = tw_cfg_error_at(c->doc, map->mark, "missing required key '%s'%s", f->key, in);
    } else if (f->default_text) {
      size_t old = push_path(c, f->key, 0);
      st = bind_default(c, schema, f, obj);
      if (st == TW_OK) pop_path(c, old);
    }
  }
  free(seen);
  if (st == TW_OK && schema->check) st = schema->check(c->doc, obj);
  return st;
}

tw_status tw_cfg_bind(const tw_cfg_doc *doc, const tw_cfg_schema *schema, void *obj) {
  memset(obj, 0, schema->size);
  bind_ctx c;
  memset(&c, 0, sizeof c);
  c.doc = doc;
  const tw_cfg_node *root = doc->root >= 0 ? tw_cfg_node_at(doc, doc->root) : NULL;
  if (!root || root->kind != TW_CFG_NODE_MAP)
    return TW_FAIL(TW_ERR_INTERNAL, "%s: binding a document without a top-level mapping", doc->path);
  tw_status st = bind_map(&c, schema, root, obj, find_field(schema, "kind") < 0 ? "kind" : NULL);
  if (st != TW_OK) {
    tw_cfg_release(schema, obj);
    memset(obj, 0, schema->size);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  return TW_OK;
}

/* ---- release ------------------------------------------------------------ */

/* The per-element marks of a STRING_LIST or NUMBER_LIST, where it keeps them. */
static void free_marks(const tw_cfg_field *f, void *obj) {
  if (!f->marks_offset) return;
  tw_cfg_mark **marks = FIELD_AT(obj, f->marks_offset, tw_cfg_mark *);
  free(*marks);
  *marks = NULL;
}

void tw_cfg_release(const tw_cfg_schema *schema, void *obj) {
  for (int i = 0; i < schema->n_fields; ++i) {
    const tw_cfg_field *f = &schema->fields[i];
    switch (f->type) {
      case TW_CFG_STRING: {
        char **s = FIELD_AT(obj, f->offset, char *);
        free(*s);
        *s = NULL;
        break;
      }
      case TW_CFG_STRING_LIST: {
        char ***items = FIELD_AT(obj, f->offset, char **);
        int *count = FIELD_AT(obj, f->count_offset, int);
        for (int k = 0; *items && k < *count; ++k) free((*items)[k]);
        free(*items);
        *items = NULL;
        *count = 0;
        free_marks(f, obj);
        break;
      }
      case TW_CFG_NUMBER_LIST: {
        double **items = FIELD_AT(obj, f->offset, double *);
        free(*items);
        *items = NULL;
        *FIELD_AT(obj, f->count_offset, int) = 0;
        free_marks(f, obj);
        break;
      }
      case TW_CFG_UNION: {
        int kind = *FIELD_AT(obj, f->offset, int), n = 0;
        while (f->choices[n]) ++n;
        if (kind >= 0 && kind < n) tw_cfg_release(f->variants[kind], FIELD_AT(obj, f->value_offset, void));
        break;
      }
      case TW_CFG_MAP: tw_cfg_release(f->sub, FIELD_AT(obj, f->offset, void)); break;
      case TW_CFG_LIST: {
        char **items = FIELD_AT(obj, f->offset, char *);
        int *count = FIELD_AT(obj, f->count_offset, int);
        for (int k = 0; *items && k < *count; ++k) tw_cfg_release(f->sub, *items + (size_t)k * f->sub->size);
        free(*items);
        *items = NULL;
        *count = 0;
        break;
      }
      default: break;
    }
  }
}

/* ---- checking a schema table -------------------------------------------- */

static tw_status schema_bug(const tw_cfg_schema *schema, const tw_cfg_field *f, const char *what) {
  return TW_FAIL(TW_ERR_INTERNAL, "schema '%s', field '%s': %s", schema->name, f->key ? f->key : "(no key)", what);
}

static tw_status check_field(const tw_cfg_schema *schema, const tw_cfg_field *f, int depth);

static tw_status check_schema(const tw_cfg_schema *schema, int depth) {
  if (depth > TW_CFG_MAX_DEPTH)
    return TW_FAIL(TW_ERR_INTERNAL, "schema '%s': nested deeper than %d (a cycle?)", schema->name, TW_CFG_MAX_DEPTH);
  for (int i = 0; i < schema->n_fields; ++i) {
    const tw_cfg_field *f = &schema->fields[i];
    if (!f->key) return schema_bug(schema, f, "no key");
    if (!f->key[0] && !is_bare_union(schema)) return schema_bug(schema, f, "an empty key on a field other than a lone UNION");
    for (int j = 0; j < i; ++j)
      if (!strcmp(schema->fields[j].key, f->key)) return schema_bug(schema, f, "key listed twice");
    TW_TRY(check_field(schema, f, depth));
  }
  return TW_OK;
}

/* A UNION's table: a schema per kind, each fitting the struct, none with the tag as a key. */
static tw_status check_union(const tw_cfg_schema *schema, const tw_cfg_field *f, int depth) {
  if (!f->choices || !f->choices[0] || !f->variants) return schema_bug(schema, f, "a union without choices and variants");
  if (!f->value_offset || f->value_offset == f->offset) return schema_bug(schema, f, "value_offset not set");
  if (!f->key[0] && (f->required || f->default_text)) return schema_bug(schema, f, "a bare union with a default");
  for (int i = 0; f->choices[i]; ++i) {
    const tw_cfg_schema *v = f->variants[i];
    if (!v) return schema_bug(schema, f, "fewer variants than choices");
    for (int j = 0; j < i; ++j)
      if (!strcmp(f->choices[j], f->choices[i])) return schema_bug(schema, f, "a kind listed twice");
    if (f->value_offset + v->size > schema->size) return schema_bug(schema, f, "a kind's struct outside the struct");
    if (find_field(v, union_tag(f)) >= 0) return schema_bug(schema, f, "a kind with a field named as the tag");
    TW_TRY(check_schema(v, depth + 1));
  }
  return TW_OK;
}

static tw_status check_field(const tw_cfg_schema *schema, const tw_cfg_field *f, int depth) {
  int composite = f->type == TW_CFG_MAP || f->type == TW_CFG_LIST;
  int counted = f->type == TW_CFG_LIST || f->type == TW_CFG_STRING_LIST || f->type == TW_CFG_NUMBER_LIST;
  if (f->required && f->default_text) return schema_bug(schema, f, "required and with a default");
  if (f->type == TW_CFG_ENUM && (!f->choices || !f->choices[0])) return schema_bug(schema, f, "an enum without choices");
  if (composite && !f->sub) return schema_bug(schema, f, "a map or list without a sub-schema");
  if (f->type == TW_CFG_MAP && f->sub && is_bare_union(f->sub)) return schema_bug(schema, f, "a map of a bare union");
  if (counted && (!f->count_offset || f->count_offset == f->offset)) return schema_bug(schema, f, "count_offset not set");
  if ((f->min_count || f->max_count) && f->type != TW_CFG_NUMBER_LIST)
    return schema_bug(schema, f, "min_count/max_count on a field that is not a NUMBER_LIST");
  if (f->min_count < 0 || f->max_count < 0 || (f->max_count && f->max_count < f->min_count))
    return schema_bug(schema, f, "min_count/max_count negative or out of order");
  if ((f->variants || f->value_offset || f->tag_key) && f->type != TW_CFG_UNION)
    return schema_bug(schema, f, "variants/value_offset/tag_key on a field that is not a UNION");
  if (f->keyword && (f->type != TW_CFG_NUMBER || f->keyword_offset == f->offset))
    return schema_bug(schema, f, "a keyword needs a NUMBER field and its own keyword_offset");
  if (f->has_range && (f->type != TW_CFG_INT && f->type != TW_CFG_NUMBER && f->type != TW_CFG_NUMBER_LIST))
    return schema_bug(schema, f, "a range on a field that is not INT, NUMBER or NUMBER_LIST");
  if (f->has_range && !(f->min <= f->max)) return schema_bug(schema, f, "min > max");
  if (f->offset + 1 > schema->size) return schema_bug(schema, f, "offset outside the struct");
  if (composite) TW_TRY(check_schema(f->sub, depth + 1));
  if (f->type == TW_CFG_UNION) TW_TRY(check_union(schema, f, depth));
  if (!f->default_text) return TW_OK;
  /* The default must bind: try it on a scratch struct. */
  void *scratch = calloc(1, schema->size);
  if (!scratch) return TW_FAIL(TW_ERR_NOMEM, "out of memory checking schema '%s'", schema->name);
  tw_cfg_doc none;
  memset(&none, 0, sizeof none);
  none.path = (char *)"(schema default)";
  bind_ctx c;
  memset(&c, 0, sizeof c);
  c.doc = &none;
  push_path(&c, f->key, 0);
  tw_status st = bind_default(&c, schema, f, scratch);
  tw_cfg_release(schema, scratch);
  free(scratch);
  return st;
}

tw_status tw_cfg_schema_check(const tw_cfg_schema *schema) { return check_schema(schema, 0); }
