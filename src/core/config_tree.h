/*
** config_tree.h: the parsed form of a YAML config, shared by the config_*.c files.
**
** config_parse.c turns libyaml's event stream into a small tree: every node
** (scalar, mapping, sequence) in one array, children as runs of indices in a
** second array (a mapping's run alternates key, value), scalar text in a byte
** pool. Each node keeps the mark where it starts, so binding (config_bind.c)
** can point at any value. Nothing here is public: callers see tw_cfg_doc only
** through config.h.
**
** Also here: the growable text buffer that the emitter and the error messages
** build into (config_text.c), and the limits a config must stay within.
*/
#ifndef TW_CONFIG_TREE_H
#define TW_CONFIG_TREE_H

#include <stddef.h> /* size_t */

#include "core/config.h" /* tw_cfg_doc, tw_cfg_mark, tw_status */

/* Limits, each reported with its own message (docs/configs.md). */
enum {
  TW_CFG_MAX_BYTES = 1 << 20, /* a config is at most 1 MiB */
  TW_CFG_MAX_DEPTH = 64       /* mappings and lists nest at most this deep */
};

typedef enum tw_cfg_node_kind { TW_CFG_NODE_SCALAR, TW_CFG_NODE_MAP, TW_CFG_NODE_SEQ } tw_cfg_node_kind;

typedef struct tw_cfg_node {
  tw_cfg_node_kind kind;
  /* SCALAR: written quoted, as a block (| or >) or tagged !!str: always a string,
  ** never a number, a boolean or null. */
  int quoted;
  tw_cfg_mark mark;
  size_t text, len; /* SCALAR: NUL-terminated text at doc->chars + text, len bytes */
  int first, count; /* MAP/SEQ: children doc->kids[first .. first + count) */
} tw_cfg_node;

struct tw_cfg_doc {
  char *path;   /* the name used in messages */
  char *source; /* the text as read, NUL-terminated */
  size_t source_len;
  tw_cfg_node *nodes;
  int n_nodes, cap_nodes;
  int *kids;
  int n_kids, cap_kids;
  char *chars;
  size_t n_chars, cap_chars;
  int root; /* index of the top node, -1 for an empty stream */
  char **sets; /* the --set overrides applied, in order (config_override.c) */
  int n_sets;
};

static inline const tw_cfg_node *tw_cfg_node_at(const tw_cfg_doc *doc, int index) { return &doc->nodes[index]; }
static inline const char *tw_cfg_node_text(const tw_cfg_doc *doc, const tw_cfg_node *n) { return doc->chars + n->text; }
/* Child i of a container (for a mapping: key i/2 when i is even, its value when odd). */
static inline const tw_cfg_node *tw_cfg_node_kid(const tw_cfg_doc *doc, const tw_cfg_node *n, int i) {
  return &doc->nodes[doc->kids[n->first + i]];
}

/* Growing the document's pools (config_parse.c), for the parser and for the
** overrides that edit a parsed tree (config_override.c). tw_cfg_grow doubles
** *data's capacity (in elements of `elem` bytes) until it holds `need`; 0 when
** out of memory. add_node appends a zeroed node; add_chars a NUL-terminated copy. */
int tw_cfg_grow(void **data, int *cap, int need, size_t elem);
tw_status tw_cfg_add_node(tw_cfg_doc *doc, tw_cfg_node_kind kind, tw_cfg_mark mark, int *index);
tw_status tw_cfg_add_chars(tw_cfg_doc *doc, const char *s, size_t len, size_t *offset);

/* True for a plain scalar that YAML reads as null: empty, "~", "null", "Null", "NULL". */
int tw_cfg_scalar_is_null(const char *text, int quoted);

/* Parses any YAML node (not only a mapping): schema defaults such as "[]" or
** "{a: 1}". `name` is used in messages. */
tw_status tw_cfg_parse_snippet(const char *name, const char *text, tw_cfg_doc **out);

/* A growable NUL-terminated string. A failed allocation sets `failed` and later
** appends do nothing, so builders check once at the end. */
typedef struct tw_cfg_buf {
  char *data;
  size_t len, cap;
  int failed;
} tw_cfg_buf;

void tw_cfg_buf_put(tw_cfg_buf *b, const char *s, size_t n);
void tw_cfg_buf_puts(tw_cfg_buf *b, const char *s);
void tw_cfg_buf_printf(tw_cfg_buf *b, const char *fmt, ...) TW_PRINTF(2, 3);

/* A double in the shortest form that reads back to the same value, written so
** that YAML 1.1 and 1.2 readers also see a float ("0.1", "1.0e+300", "-0"). */
void tw_cfg_format_number(double x, char out[32]);

/* Writes `text` (len bytes) for an error message: in single quotes, at most 48
** characters, with control characters escaped, so that a message stays one line. */
void tw_cfg_quote_for_message(const char *text, size_t len, char out[128]);

/* Writes a string scalar as YAML: plain when that reads back as the same string
** under any YAML resolver, otherwise double-quoted with escapes. */
void tw_cfg_buf_put_string(tw_cfg_buf *b, const char *s);

#endif
