/*
** json.h: a small JSON (RFC 8259) writer and a strict reader.
**
** The writer streams one document to a FILE, indented two spaces per level,
** with commas and nesting tracked for the caller: summary.json (issue 8) and
** any other machine-readable output. Numbers are written in full precision:
** the shortest of %.15g, %.16g and %.17g that reads back as the same double
** (0.95, not 0.94999999999999996); JSON has no NaN or infinity, so a non-finite number is
** written as null (the caller adds a note saying why). Write errors stick in
** the writer and surface once, from tw_json_finish.
**
**   tw_json_writer w;
**   tw_json_init(&w, f);
**   tw_json_begin_object(&w);
**   tw_json_key(&w, "n"); tw_json_int(&w, 40);
**   tw_json_end_object(&w);
**   TW_TRY(tw_json_finish(&w, path));
**
** or, for a file, tw_json_write_file(path, document, ctx), which also keeps a
** half-written file from looking whole.
**
** The reader parses a whole document into a tree (tw_json_value), strictly: no
** trailing commas, comments, NaN, leading zeros or unescaped control
** characters; duplicate keys in one object are an error. It exists so that a
** program can read back what the writer wrote (tests check summary.json with
** it) and Nightscout exports (src/twin: some MB, measured in
** docs/personal-twins.md); each value keeps its line for messages.
*/
#ifndef TW_JSON_H
#define TW_JSON_H

#include <stdint.h> /* int64_t */
#include <stdio.h>  /* FILE */

#include "core/status.h"

TW_EXTERN_C_BEGIN

enum { TW_JSON_MAX_DEPTH = 64 };

/* ---- writer ----------------------------------------------------------------- */

typedef struct tw_json_writer {
  FILE *f;
  int depth;                          /* open containers */
  unsigned char has_items[TW_JSON_MAX_DEPTH]; /* a member is already written at this level */
  int after_key;                      /* a key was written, its value comes next */
  int broken;                         /* a write failed or the nesting was misused */
} tw_json_writer;

void tw_json_init(tw_json_writer *w, FILE *f);
void tw_json_begin_object(tw_json_writer *w);
void tw_json_end_object(tw_json_writer *w);
void tw_json_begin_array(tw_json_writer *w);
void tw_json_end_array(tw_json_writer *w);
/* An object member's key; its value is the next call. */
void tw_json_key(tw_json_writer *w, const char *key);
/* UTF-8 text, escaped ("\"", "\\", control characters as \n, \t or \u00XX). */
void tw_json_string(tw_json_writer *w, const char *s);
/* Full precision (round-trips exactly); null when v is NaN or infinite. */
void tw_json_number(tw_json_writer *w, double v);
void tw_json_int(tw_json_writer *w, int64_t v);
void tw_json_bool(tw_json_writer *w, int v);
void tw_json_null(tw_json_writer *w);
/* After the last value: a final newline; TW_ERR_IO when any write failed,
** TW_ERR_INTERNAL when the nesting was misused (`what` names the output). */
tw_status tw_json_finish(tw_json_writer *w, const char *what);

/* Writes one document to `path` the way every results file is written: into
** PATH.partial, renamed over PATH only when whole (a failed or interrupted
** write leaves no PATH that looks complete). `document` writes the values
** through w; TW_ERR_IO names the file that failed. */
typedef void (*tw_json_document_fn)(tw_json_writer *w, const void *ctx);
tw_status tw_json_write_file(const char *path, tw_json_document_fn document, const void *ctx);

/* ---- reader ----------------------------------------------------------------- */

typedef enum tw_json_type {
  TW_JSON_NULL = 0,
  TW_JSON_BOOL,
  TW_JSON_NUMBER,
  TW_JSON_STRING,
  TW_JSON_ARRAY,
  TW_JSON_OBJECT
} tw_json_type;

typedef struct tw_json_value {
  tw_json_type type;
  int boolean;                 /* BOOL */
  double number;               /* NUMBER (strtod of the text) */
  char *string;                /* STRING: UTF-8, NUL-terminated (an embedded \u0000 is refused) */
  size_t n;                    /* ARRAY, OBJECT: members */
  char **keys;                 /* OBJECT: (n) keys */
  struct tw_json_value *items; /* ARRAY, OBJECT: (n) values */
  int64_t line;                /* 1-based line of the value's first character, for messages naming a record */
} tw_json_value;

/* Parses text[0..len) (one value, surrounded by whitespace only). TW_ERR_INPUT
** with "NAME:LINE:COL: what" for malformed text (`name` labels the text, a
** file name); TW_ERR_NOMEM. On failure *out holds nothing to free. */
tw_status tw_json_parse(const char *text, size_t len, const char *name, tw_json_value *out);
/* Frees what tw_json_parse allocated under v (v itself is the caller's). */
void tw_json_free(tw_json_value *v);
/* An object's member `key`; NULL when v is not an object or has no such key. */
const tw_json_value *tw_json_get(const tw_json_value *v, const char *key);

TW_EXTERN_C_END

#endif
