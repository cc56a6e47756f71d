/*
** config.h: YAML configs loaded through libyaml into typed, validated structs.
**
** A config is described by a schema: a table of fields, each naming a YAML key,
** its type, where the value goes in a C struct (offsetof), whether it is
** required, its default, its range or choices, its unit and a line of docs.
** Binding a parsed document to a schema validates everything at once and fills
** the struct; every error names FILE:LINE:COL, and a misspelt key gets the
** nearest valid one:
**
**   cfg.yaml:3:1: unknown key 'naem' (did you mean 'name'?)
**   cfg.yaml:7:18: duration_min: expected a number, got 'ten'
**   cfg.yaml:9:12: every_min: 0 is out of range [1, 1000000]
**
** The same schema prints the config normalised, with defaults filled in
** (`twinscale config check`), and documents it (docs/ lists every key).
**
**   typedef struct meal { tw_cfg_mark mark; double time_min, carbs_g; } meal;
**   static const tw_cfg_field meal_fields[] = {
**     {.key = "time_min", .type = TW_CFG_NUMBER, .offset = offsetof(meal, time_min),
**      .required = 1, .has_range = 1, .min = 0, .max = 1e9, .unit = "min", .doc = "when the meal starts"},
**     ...
**   };
**   const tw_cfg_schema meal_schema = TW_CFG_SCHEMA(meal, meal_fields, NULL);
**
** Lists of maps are stored as a pointer to a malloc'd array plus an int count;
** strings are malloc'd; tw_cfg_release frees what binding allocated.
**
** A list of numbers (NUMBER_LIST) is a malloc'd double array plus an int count,
** each element range-checked and reported at its own line:col, the length
** bounded by min_count/max_count. A tagged union (UNION, "one of these kinds")
** is a mapping whose tag key (`kind:` unless tag_key says otherwise) names one
** of `choices`; the parallel `variants[i]` schema binds the rest of the mapping.
** Layout: the int tag (index into choices) at offset, and the chosen kind's
** struct at value_offset, which is a C union of the kinds' structs, so nothing
** is allocated for the union itself:
**
**   typedef struct dist { tw_cfg_mark mark; int kind;
**                         union { lognormal lognormal; uniform uniform; } as; } dist;
**   {.key = "distribution", .type = TW_CFG_UNION, .offset = offsetof(cfg, d.kind),
**    .value_offset = offsetof(cfg, d.as), .choices = kinds, .variants = kind_schemas}
**
** A schema whose only field is a UNION with the empty key "" binds the mapping
** itself as the union: the element schema of a LIST of unions.
*/
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <stddef.h> /* offsetof for schema tables */

#include "core/status.h"

TW_EXTERN_C_BEGIN

/* A position in the config file, 1-based (0 when the value came from a default). */
typedef struct tw_cfg_mark {
  int line, col;
} tw_cfg_mark;

typedef enum tw_cfg_type {
  TW_CFG_BOOL,        /* int: 0/1 from true/false */
  TW_CFG_INT,         /* int64_t, range-checked with min/max */
  TW_CFG_NUMBER,      /* double, range-checked with min/max; see keyword below */
  TW_CFG_STRING,      /* char*, malloc'd */
  TW_CFG_ENUM,        /* int: index into choices */
  TW_CFG_STRING_LIST, /* char** at offset, int count at count_offset */
  TW_CFG_MAP,         /* nested struct at offset, described by sub */
  TW_CFG_LIST,        /* array of sub->size structs at offset (void*), int count at count_offset */
  TW_CFG_NUMBER_LIST, /* double* (malloc'd) at offset, int count at count_offset; min/max per element */
  TW_CFG_UNION        /* int tag at offset (index into choices), variants[tag]'s struct at value_offset */
} tw_cfg_type;

struct tw_cfg_schema;

typedef struct tw_cfg_field {
  const char *key;
  tw_cfg_type type;
  size_t offset;
  int required;
  /* The default as YAML scalar text ("1", "float64", "[]"); NULL: absent means
  ** zero/empty (for optional fields) and the normalised print omits it. */
  const char *default_text;
  int has_range;               /* INT, NUMBER, NUMBER_LIST (each element): min <= value <= max */
  double min, max;
  const char *const *choices;  /* ENUM and UNION (the kind names): NULL-terminated */
  const struct tw_cfg_schema *sub; /* MAP and LIST */
  size_t count_offset;         /* LIST, STRING_LIST and NUMBER_LIST */
  /* STRING_LIST and NUMBER_LIST: if nonzero, where a malloc'd tw_cfg_mark array (one per element)
  ** goes, so later checks (an unknown patient name) can point at the element.
  ** Offset 0 is never a real target: bound structs start with their mark. */
  size_t marks_offset;
  /* NUMBER only: a word accepted instead of a number ("reference"); when given,
  ** the int at keyword_offset is set to 1 and the number is left at 0. */
  const char *keyword;
  size_t keyword_offset;
  const char *unit; /* "min", "g", "U/h", ... (printed in docs and check output) */
  const char *doc;
  /* NUMBER_LIST: the length must be at least min_count and, when max_count > 0,
  ** at most max_count (equal: a fixed length, e.g. a row of a correlation matrix).
  ** An optional list that is absent without a default is not checked (count 0). */
  int min_count, max_count;
  /* UNION: one schema per name in choices (same order, as many), the offset of
  ** the C union that holds the chosen kind's struct, and the tag key (NULL: "kind"). */
  const struct tw_cfg_schema *const *variants;
  size_t value_offset;
  const char *tag_key;
} tw_cfg_field;

typedef struct tw_cfg_doc tw_cfg_doc;

typedef struct tw_cfg_schema {
  const char *name;  /* "simulate", "meal" */
  size_t size;       /* sizeof the struct it fills */
  const tw_cfg_field *fields;
  int n_fields;
  /* Where to store the mark of the map itself (SIZE_MAX: nowhere). */
  size_t mark_offset;
  /* Cross-field checks after all fields bound (may be NULL); report errors with
  ** tw_cfg_error_at so they carry file:line:col. */
  tw_status (*check)(const tw_cfg_doc *doc, void *obj);
} tw_cfg_schema;

/* A schema for `type` whose struct has a `tw_cfg_mark mark` member. */
#define TW_CFG_SCHEMA(type, fields, check_fn) \
  {#type, sizeof(type), fields, (int)(sizeof(fields) / sizeof((fields)[0])), offsetof(type, mark), check_fn}

/* Parses a YAML file (one document, a mapping at the top). A missing file, a
** directory, invalid UTF-8, a YAML syntax error or an empty file is TW_ERR_INPUT
** with a one-line message naming the file (and line:col where there is one); so
** are duplicate keys, anchors and aliases, unknown tags, more than 64 levels of
** nesting and more than 1 MiB of text. */
tw_status tw_cfg_parse_file(const char *path, tw_cfg_doc **out);
/* The same from memory; `name` stands for the file name in messages. */
tw_status tw_cfg_parse_string(const char *name, const char *text, size_t len, tw_cfg_doc **out);
void tw_cfg_free(tw_cfg_doc *doc);

/* Applies `--set KEY=VALUE` (dotted KEY, YAML VALUE) to a parsed config before
** binding; binding then checks it like the file's own keys, and errors about it
** name the override. The override is appended to the text as a comment.
** TW_ERR_INPUT for a malformed override or a path through a single value. */
tw_status tw_cfg_set(tw_cfg_doc *doc, const char *assignment);
/* The override a mark points into (mark.line < 0), or NULL. */
const char *tw_cfg_set_text(const tw_cfg_doc *doc, tw_cfg_mark mark);

/* The file name and the full text, as read (for results files' root attributes). */
const char *tw_cfg_path(const tw_cfg_doc *doc);
const char *tw_cfg_text(const tw_cfg_doc *doc);
/* `path` as named in the config: relative to the config file's directory
** unless absolute, written to out (cap bytes). */
void tw_cfg_resolve(const tw_cfg_doc *doc, const char *path, char *out, size_t cap);
/* The scalar value of a top-level key, or NULL (used to tell config kinds apart). */
const char *tw_cfg_top_scalar(const tw_cfg_doc *doc, const char *key);
/* True when the top-level mapping has this key. */
int tw_cfg_has_top_key(const tw_cfg_doc *doc, const char *key);
/* Where the value of a top-level key starts ({0, 0} when the key is absent), so
** that a caller that reads it (the config kind) can point at it. */
tw_cfg_mark tw_cfg_top_mark(const tw_cfg_doc *doc, const char *key);
/* The same for a dotted path of mapping keys ("scenario.controller"): where a
** value bound as a plain string starts, for a later check of it to point at. */
tw_cfg_mark tw_cfg_path_mark(const tw_cfg_doc *doc, const char *dotted);
/* Where the value of `dotted` starts, or `fallback` when the document has no
** such key (a default): where a cross-field check's message points. */
tw_cfg_mark tw_cfg_path_mark_or(const tw_cfg_doc *doc, const char *dotted, tw_cfg_mark fallback);
/* The i-th key (0-based) of the top-level mapping, and where it starts in *mark,
** or NULL past the last key: for a caller that looks for a near miss of a key
** it expects (a misspelt `kind:`, src/cli/config_kinds.c). */
const char *tw_cfg_top_key(const tw_cfg_doc *doc, int i, tw_cfg_mark *mark);

/* Validates the whole document against `schema` and fills `obj` (zeroed first).
** On failure obj is left zeroed, with nothing allocated. A top-level `kind:` key is
** accepted and not checked here: the caller that chose the schema checks it
** (src/cli/config_kinds.h, tw_config_load). Typing rules: docs/configs.md. */
tw_status tw_cfg_bind(const tw_cfg_doc *doc, const tw_cfg_schema *schema, void *obj);
/* Frees the strings and lists that binding allocated in `obj`. */
void tw_cfg_release(const tw_cfg_schema *schema, void *obj);

/* The normalised config as YAML text (malloc'd; caller frees): every key in schema
** order, defaults filled in, numbers in shortest round-trip form. */
tw_status tw_cfg_emit(const tw_cfg_schema *schema, const void *obj, char **text);

/* An input error at `mark` in `doc`: "FILE:LINE:COL: <message>". For check hooks
** and for engines that find a problem with a bound value later. */
tw_status tw_cfg_error_at(const tw_cfg_doc *doc, tw_cfg_mark mark, const char *fmt, ...) TW_PRINTF(3, 4);

/* Checks a schema table itself (TW_ERR_INTERNAL naming the field): every type
** has what it needs (choices, sub, count_offset), every default parses and
** binds, ranges are ordered. For tests of each schema, so that a broken table
** fails in ctest and not in front of a user. */
tw_status tw_cfg_schema_check(const tw_cfg_schema *schema);

/* Levenshtein distance, for "did you mean"; exposed for the tests. */
int tw_cfg_edit_distance(const char *a, const char *b);

TW_EXTERN_C_END

#endif
