/*
** config_emit.c: a bound config printed back as normalised YAML.
**
** Block style, every key in schema order, two-space indentation, lists of
** strings and of numbers in flow style ([a, b]), units as trailing comments; a
** tagged union's tag first, then its kind's fields. A field is left
** out only when it is optional, has no default and holds its zero value, which
** is exactly what binding gives when the key is absent; everything else is
** printed, defaults included. The text parses and binds back to the same
** values (tests/config, and the fuzzer checks it on every input that binds).
*/
#include <math.h>   /* isfinite, signbit */
#include <stdint.h> /* int64_t, SIZE_MAX */
#include <stdlib.h> /* free */
#include <string.h> /* memset */

#include "core/config_tree.h"

#define FIELD_AT(obj, offset, type) ((type const *)(const void *)((const char *)(obj) + (offset)))

static int map_is_zero(const tw_cfg_schema *schema, const void *obj);

/* True when the field holds what binding leaves for an absent key without a default. */
static int field_is_zero(const tw_cfg_field *f, const void *obj) {
  switch (f->type) {
    case TW_CFG_BOOL:
    case TW_CFG_ENUM: return *FIELD_AT(obj, f->offset, int) == 0;
    case TW_CFG_INT: return *FIELD_AT(obj, f->offset, int64_t) == 0;
    case TW_CFG_NUMBER: {
      double x = *FIELD_AT(obj, f->offset, double);
      return x == 0 && !signbit(x) && !(f->keyword && *FIELD_AT(obj, f->keyword_offset, int));
    }
    case TW_CFG_STRING: return *FIELD_AT(obj, f->offset, char *) == NULL;
    case TW_CFG_STRING_LIST:
    case TW_CFG_NUMBER_LIST:
    case TW_CFG_LIST: return *FIELD_AT(obj, f->count_offset, int) == 0;
    case TW_CFG_MAP: return map_is_zero(f->sub, FIELD_AT(obj, f->offset, char));
    case TW_CFG_UNION:
      return *FIELD_AT(obj, f->offset, int) == 0 && map_is_zero(f->variants[0], FIELD_AT(obj, f->value_offset, char));
  }
  return 0;
}

static int map_is_zero(const tw_cfg_schema *schema, const void *obj) {
  if (schema->mark_offset != SIZE_MAX && FIELD_AT(obj, schema->mark_offset, tw_cfg_mark)->line != 0) return 0;
  for (int i = 0; i < schema->n_fields; ++i)
    if (!field_is_zero(&schema->fields[i], obj)) return 0;
  return 1;
}

static int omitted(const tw_cfg_field *f, const void *obj) {
  return !f->required && !f->default_text && field_is_zero(f, obj);
}

static tw_status bad_value(const tw_cfg_schema *schema, const tw_cfg_field *f, const char *what) {
  return TW_FAIL(TW_ERR_INTERNAL, "emitting '%s': field '%s' holds %s", schema->name, f->key, what);
}

/* A scalar field's value, after "key: ". */
static tw_status put_scalar(tw_cfg_buf *b, const tw_cfg_schema *schema, const tw_cfg_field *f, const void *obj) {
  switch (f->type) {
    case TW_CFG_BOOL: tw_cfg_buf_puts(b, *FIELD_AT(obj, f->offset, int) ? "true" : "false"); break;
    case TW_CFG_INT: tw_cfg_buf_printf(b, "%lld", (long long)*FIELD_AT(obj, f->offset, int64_t)); break;
    case TW_CFG_NUMBER: {
      if (f->keyword && *FIELD_AT(obj, f->keyword_offset, int)) {
        tw_cfg_buf_put_string(b, f->keyword);
        break;
      }
      double x = *FIELD_AT(obj, f->offset, double);
      if (!isfinite(x)) return bad_value(schema, f, "a value that is not finite");
      char num[32];
      tw_cfg_format_number(x, num);
      tw_cfg_buf_puts(b, num);
      break;
    }
    case TW_CFG_STRING: {
      const char *s = *FIELD_AT(obj, f->offset, char *);
      tw_cfg_buf_put_string(b, s ? s : "");
      break;
    }
    case TW_CFG_ENUM: {
      int v = *FIELD_AT(obj, f->offset, int), n = 0;
      while (f->choices[n]) ++n;
      if (v < 0 || v >= n) return bad_value(schema, f, "an index outside its choices");
      tw_cfg_buf_put_string(b, f->choices[v]);
      break;
    }
    default: return bad_value(schema, f, "a container where a scalar belongs");
  }
  return TW_OK;
}

static void put_string_list(tw_cfg_buf *b, const tw_cfg_field *f, const void *obj) {
  char *const *items = *FIELD_AT(obj, f->offset, char **);
  int n = *FIELD_AT(obj, f->count_offset, int);
  tw_cfg_buf_puts(b, "[");
  for (int i = 0; i < n; ++i) {
    if (i) tw_cfg_buf_puts(b, ", ");
    tw_cfg_buf_put_string(b, items[i] ? items[i] : "");
  }
  tw_cfg_buf_puts(b, "]");
}

static tw_status put_number_list(tw_cfg_buf *b, const tw_cfg_schema *schema, const tw_cfg_field *f, const void *obj) {
  const double *items = *FIELD_AT(obj, f->offset, double *);
  int n = *FIELD_AT(obj, f->count_offset, int);
  tw_cfg_buf_puts(b, "[");
  for (int i = 0; i < n; ++i) {
    if (!isfinite(items[i])) return bad_value(schema, f, "an element that is not finite");
    char num[32];
    tw_cfg_format_number(items[i], num);
    tw_cfg_buf_printf(b, "%s%s", i ? ", " : "", num);
  }
  tw_cfg_buf_puts(b, "]");
  return TW_OK;
}

static void indent_to(tw_cfg_buf *b, int indent) {
  for (int i = 0; i < indent; ++i) tw_cfg_buf_put(b, " ", 1);
}

static tw_status put_fields(tw_cfg_buf *b, const tw_cfg_schema *schema, const void *obj, int indent, int inline_first,
                            int *lines);
static tw_status put_map(tw_cfg_buf *b, const tw_cfg_schema *schema, const void *obj, int indent, int inline_first);

/* Starts a line at `indent`, unless it is the first and continues the current one. */
static void start_line(tw_cfg_buf *b, int indent, int inline_first, int *lines) {
  if ((*lines)++ || !inline_first) indent_to(b, indent);
}

/* A union's body: "TAG: NAME" and then the chosen kind's fields, at `indent`. */
static tw_status put_union(tw_cfg_buf *b, const tw_cfg_schema *schema, const tw_cfg_field *f, const void *obj, int indent,
                           int inline_first, int *lines) {
  int kind = *FIELD_AT(obj, f->offset, int), n = 0;
  while (f->choices[n]) ++n;
  if (kind < 0 || kind >= n) return bad_value(schema, f, "a kind outside its choices");
  start_line(b, indent, inline_first, lines);
  tw_cfg_buf_printf(b, "%s: ", f->tag_key ? f->tag_key : "kind");
  tw_cfg_buf_put_string(b, f->choices[kind]);
  tw_cfg_buf_puts(b, "\n");
  return put_fields(b, f->variants[kind], FIELD_AT(obj, f->value_offset, char), indent, inline_first, lines);
}

/* The fields of one mapping, each on its own line at `indent`; with `inline_first`
** the first line continues the current one (after "- " of a list item). Adds
** the lines written to *lines. A bare union's mapping is the union itself. */
static tw_status put_fields(tw_cfg_buf *b, const tw_cfg_schema *schema, const void *obj, int indent, int inline_first,
                            int *lines) {
  if (schema->n_fields == 1 && schema->fields[0].type == TW_CFG_UNION && !schema->fields[0].key[0])
    return put_union(b, schema, &schema->fields[0], obj, indent, inline_first, lines);
  for (int i = 0; i < schema->n_fields; ++i) {
    const tw_cfg_field *f = &schema->fields[i];
    if (omitted(f, obj)) continue;
    start_line(b, indent, inline_first, lines);
    tw_cfg_buf_printf(b, "%s:", f->key);
    if (f->type == TW_CFG_UNION) {
      int none = 0;
      tw_cfg_buf_puts(b, "\n");
      TW_TRY(put_union(b, schema, f, obj, indent + 2, 0, &none));
    } else if (f->type == TW_CFG_MAP) {
      const void *sub = FIELD_AT(obj, f->offset, char);
      int empty = 1;
      for (int k = 0; k < f->sub->n_fields && empty; ++k) empty = omitted(&f->sub->fields[k], sub);
      tw_cfg_buf_puts(b, empty ? " {}\n" : "\n");
      if (!empty) TW_TRY(put_map(b, f->sub, sub, indent + 2, 0));
    } else if (f->type == TW_CFG_LIST) {
      const char *items = *FIELD_AT(obj, f->offset, char *);
      int n = *FIELD_AT(obj, f->count_offset, int);
      tw_cfg_buf_puts(b, n ? "\n" : " []\n");
      for (int k = 0; k < n; ++k) {
        indent_to(b, indent + 2);
        tw_cfg_buf_puts(b, "- ");
        TW_TRY(put_map(b, f->sub, items + (size_t)k * f->sub->size, indent + 4, 1));
      }
    } else {
      tw_cfg_buf_puts(b, " ");
      if (f->type == TW_CFG_STRING_LIST) put_string_list(b, f, obj);
      else if (f->type == TW_CFG_NUMBER_LIST) TW_TRY(put_number_list(b, schema, f, obj));
      else TW_TRY(put_scalar(b, schema, f, obj));
      if (f->unit) tw_cfg_buf_printf(b, "  # %s", f->unit);
      tw_cfg_buf_puts(b, "\n");
    }
  }
  return TW_OK;
}

/* A mapping's fields as put_fields writes them, or "{}" when every one is left out. */
static tw_status put_map(tw_cfg_buf *b, const tw_cfg_schema *schema, const void *obj, int indent, int inline_first) {
  int lines = 0;
  TW_TRY(put_fields(b, schema, obj, indent, inline_first, &lines));
  if (!lines) tw_cfg_buf_puts(b, "{}\n");
  return TW_OK;
}

tw_status tw_cfg_emit(const tw_cfg_schema *schema, const void *obj, char **text) {
  *text = NULL;
  tw_cfg_buf b;
  memset(&b, 0, sizeof b);
  tw_status st = put_map(&b, schema, obj, 0, 0);
  if (st == TW_OK && b.failed) st = TW_FAIL(TW_ERR_NOMEM, "out of memory printing a '%s' config", schema->name);
  if (st != TW_OK) {
    free(b.data);
    return st;
  }
  *text = b.data;
  return TW_OK;
}
