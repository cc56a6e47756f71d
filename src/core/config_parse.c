/*
** config_parse.c: YAML text to the node tree of config_tree.h, through libyaml.
**
** The input is checked before libyaml sees it (size, UTF-8, NUL bytes), so that
** each of those problems gets its own message with a line and column. libyaml's
** event stream is then folded into nodes with an explicit stack, never recursion,
** so nesting depth costs no C stack; depth is capped anyway (TW_CFG_MAX_DEPTH).
**
** What is refused, and why (docs/configs.md):
**   - anchors and aliases: a config that reuses a value by alias could expand
**     exponentially when bound ("billion laughs"); configs are short enough to
**     write values out;
**   - tags other than the YAML core ones (!!str, !!int, ...): nothing would read them;
**   - more than one document, keys that are not scalars, duplicate keys.
*/
#define _POSIX_C_SOURCE 200809L /* fileno, popen, opendir: POSIX, not C17 */

#include <errno.h>    /* errno for fopen/read failures */
#include <stdio.h>    /* FILE, fopen, fread */
#include <stdlib.h>   /* malloc, realloc, free, qsort */
#include <string.h>   /* memcpy, memcmp, strcmp, strerror */
#include <sys/stat.h> /* fstat, S_ISDIR: refuse a directory by name */
#include <yaml.h>     /* libyaml: yaml_parser_*, yaml_event_t */

#include "core/config_tree.h"

/* ---- growing the pools -------------------------------------------------- */

int tw_cfg_grow(void **data, int *cap, int need, size_t elem) {
  if (need <= *cap) return 1;
  int cap2 = *cap ? *cap : 64;
  while (cap2 < need) cap2 *= 2;
  void *p = realloc(*data, (size_t)cap2 * elem);
  if (!p) return 0;
  *data = p;
  *cap = cap2;
  return 1;
}

static tw_status no_memory(const tw_cfg_doc *doc) {
  return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory while parsing", doc->path);
}

tw_status tw_cfg_add_node(tw_cfg_doc *doc, tw_cfg_node_kind kind, tw_cfg_mark mark, int *index) {
  if (!tw_cfg_grow((void **)&doc->nodes, &doc->cap_nodes, doc->n_nodes + 1, sizeof *doc->nodes)) return no_memory(doc);
  tw_cfg_node *n = &doc->nodes[doc->n_nodes];
  memset(n, 0, sizeof *n);
  n->kind = kind;
  n->mark = mark;
  *index = doc->n_nodes++;
  return TW_OK;
}

tw_status tw_cfg_add_chars(tw_cfg_doc *doc, const char *s, size_t len, size_t *offset) {
  size_t need = doc->n_chars + len + 1;
  if (need > doc->cap_chars) {
    size_t cap = doc->cap_chars ? doc->cap_chars : 1024;
    while (cap < need) cap *= 2;
    char *p = realloc(doc->chars, cap);
    if (!p) return no_memory(doc);
    doc->chars = p;
    doc->cap_chars = cap;
  }
  if (len) memcpy(doc->chars + doc->n_chars, s, len); /* s may be NULL when len is 0 (an empty pool) */
  doc->chars[doc->n_chars + len] = '\0';
  *offset = doc->n_chars;
  doc->n_chars = need;
  return TW_OK;
}

/* ---- checks on the raw text --------------------------------------------- */

/* Line and column (1-based, counted in characters as libyaml does) of byte `at`. */
static tw_cfg_mark mark_of_offset(const char *text, size_t at) {
  tw_cfg_mark m = {1, 1};
  for (size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      m.line++;
      m.col = 1;
    } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
      m.col++;
    }
  }
  return m;
}

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlongs, no
** surrogates, nothing above U+10FFFF), or 0 when it is invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t left) {
  unsigned c = s[0];
  size_t n;
  unsigned cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) n = 2, cp = c & 0x1F;
  else if (c >= 0xE0 && c <= 0xEF) n = 3, cp = c & 0x0F;
  else if (c >= 0xF0 && c <= 0xF4) n = 4, cp = c & 0x07;
  else return 0;
  if (left < n) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

static tw_status check_text(const char *name, const char *text, size_t len) {
  if (len > TW_CFG_MAX_BYTES)
    return TW_FAIL(TW_ERR_INPUT, "%s: too large (%zu bytes; a config may have at most %d bytes)", name, len,
                   TW_CFG_MAX_BYTES);
  const unsigned char *u = (const unsigned char *)text;
  if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
    return TW_FAIL(TW_ERR_INPUT, "%s: looks like UTF-16; configs must be UTF-8", name);
  for (size_t i = 0; i < len;) {
    if (u[i] == 0) {
      tw_cfg_mark m = mark_of_offset(text, i);
      return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: NUL byte in the text (is this a binary file?)", name, m.line, m.col);
    }
    size_t n = utf8_sequence(u + i, len - i);
    if (!n) {
      tw_cfg_mark m = mark_of_offset(text, i);
      return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: invalid UTF-8 (byte 0x%02x); configs must be UTF-8", name, m.line,
                     m.col, u[i]);
    }
    i += n;
  }
  return TW_OK;
}

/* ---- events to nodes ---------------------------------------------------- */

typedef struct open_container {
  int node;    /* the container's node */
  int pending; /* where its children start in the pending stack */
} open_container;

typedef struct builder {
  tw_cfg_doc *doc;
  open_container stack[TW_CFG_MAX_DEPTH];
  int depth;
  int *pending; /* children of the open containers, innermost last */
  int n_pending, cap_pending;
  int documents;
} builder;

static tw_cfg_mark mark_of(yaml_mark_t m) {
  tw_cfg_mark r = {(int)m.line + 1, (int)m.column + 1};
  return r;
}

static tw_status fail_at(const tw_cfg_doc *doc, yaml_mark_t m, const char *what) {
  tw_cfg_mark r = mark_of(m);
  return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: %s", doc->path, r.line, r.col, what);
}

/* libyaml's message for a failed parse, with its position. */
static tw_status syntax_error(const tw_cfg_doc *doc, const yaml_parser_t *p) {
  if (p->error == YAML_MEMORY_ERROR) return no_memory(doc);
  const char *problem = p->problem ? p->problem : "unknown problem";
  if (p->error == YAML_READER_ERROR) {
    tw_cfg_mark m = mark_of_offset(doc->source, p->problem_offset);
    return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: %s", doc->path, m.line, m.col, problem);
  }
  tw_cfg_mark m = mark_of(p->problem_mark);
  if (p->context) {
    tw_cfg_mark c = mark_of(p->context_mark);
    return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: YAML syntax error: %s (%s at %d:%d)", doc->path, m.line, m.col, problem,
                   p->context, c.line, c.col);
  }
  return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: YAML syntax error: %s", doc->path, m.line, m.col, problem);
}

/* Tags: the YAML core tags are accepted (!!str or ! makes a scalar a string);
** anything else is refused rather than silently ignored. Sets *is_string. */
static tw_status check_tag(const tw_cfg_doc *doc, const yaml_char_t *tag, yaml_mark_t m, int *is_string) {
  static const char *const plain[] = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
                                      "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"};
  *is_string = 0;
  if (!tag) return TW_OK;
  const char *t = (const char *)tag;
  if (!strcmp(t, "tag:yaml.org,2002:str") || !strcmp(t, "!")) {
    *is_string = 1;
    return TW_OK;
  }
  for (size_t i = 0; i < TW_ARRAY_LEN(plain); ++i)
    if (!strcmp(t, plain[i])) return TW_OK;
  char q[128];
  tw_cfg_quote_for_message(t, strlen(t), q);
  tw_cfg_mark r = mark_of(m);
  return TW_FAIL(TW_ERR_INPUT, "%s:%d:%d: the tag %s is not supported", doc->path, r.line, r.col, q);
}

/* One key of a mapping, for sorting: equal keys end up side by side, the one
** written first first. */
typedef struct key_ref {
  const char *text;
  size_t len;
  int kid; /* position in doc->kids */
} key_ref;

static int compare_keys(const void *pa, const void *pb) {
  const key_ref *a = pa, *b = pb;
  int c = memcmp(a->text, b->text, TW_MIN(a->len, b->len));
  if (c) return c;
  if (a->len != b->len) return a->len < b->len ? -1 : 1;
  return a->kid < b->kid ? -1 : (a->kid > b->kid);
}

static int same_key(const key_ref *a, const key_ref *b) {
  return a->len == b->len && !memcmp(a->text, b->text, a->len);
}

/* A duplicate key is an error at its second occurrence; of several, the one
** written first is reported. Sorting keeps this O(n log n) for huge mappings. */
static tw_status check_duplicates(const tw_cfg_doc *doc, const tw_cfg_node *map) {
  int n = map->count / 2;
  if (n < 2) return TW_OK;
  key_ref *keys = malloc((size_t)n * sizeof *keys);
  if (!keys) return no_memory(doc);
  for (int i = 0; i < n; ++i) {
    const tw_cfg_node *k = tw_cfg_node_kid(doc, map, 2 * i);
    keys[i].text = tw_cfg_node_text(doc, k);
    keys[i].len = k->len;
    keys[i].kid = map->first + 2 * i;
  }
  qsort(keys, (size_t)n, sizeof *keys, compare_keys);
  int dup = -1, first = -1;
  for (int i = 1; i < n; ++i)
    if (same_key(&keys[i - 1], &keys[i]) && (dup < 0 || keys[i].kid < dup)) {
      dup = keys[i].kid;
      first = keys[i - 1].kid;
    }
  free(keys);
  if (dup < 0) return TW_OK;
  const tw_cfg_node *k = &doc->nodes[doc->kids[dup]], *k0 = &doc->nodes[doc->kids[first]];
  char q[128];
  tw_cfg_quote_for_message(doc->chars + k->text, k->len, q);
  return tw_cfg_error_at(doc, k->mark, "duplicate key %s (first at %d:%d)", q, k0->mark.line, k0->mark.col);
}

/* Adds a new node as a child of the innermost open container (or as the root). */
static tw_status attach(builder *b, int node, yaml_mark_t m) {
  tw_cfg_doc *doc = b->doc;
  if (b->depth == 0) {
    doc->root = node;
    return TW_OK;
  }
  open_container *top = &b->stack[b->depth - 1];
  int in_map = doc->nodes[top->node].kind == TW_CFG_NODE_MAP;
  if (in_map && (b->n_pending - top->pending) % 2 == 0 && doc->nodes[node].kind != TW_CFG_NODE_SCALAR)
    return fail_at(doc, m, "a mapping key must be a plain name, not a mapping or a list");
  if (!tw_cfg_grow((void **)&b->pending, &b->cap_pending, b->n_pending + 1, sizeof *b->pending)) return no_memory(doc);
  b->pending[b->n_pending++] = node;
  return TW_OK;
}

static tw_status on_scalar(builder *b, const yaml_event_t *e) {
  tw_cfg_doc *doc = b->doc;
  int is_string;
  TW_TRY(check_tag(doc, e->data.scalar.tag, e->start_mark, &is_string));
  const char *value = (const char *)e->data.scalar.value;
  size_t len = e->data.scalar.length;
  /* "\0" escapes can put a NUL in a quoted scalar; C strings cannot hold it. */
  if (memchr(value, 0, len)) return fail_at(doc, e->start_mark, "a NUL character (\\0) in a string");
  int index;
  TW_TRY(tw_cfg_add_node(doc, TW_CFG_NODE_SCALAR, mark_of(e->start_mark), &index));
  tw_cfg_node *n = &doc->nodes[index];
  n->quoted = is_string || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
  n->len = len;
  size_t offset = 0;
  TW_TRY(tw_cfg_add_chars(doc, value, len, &offset));
  doc->nodes[index].text = offset;
  return attach(b, index, e->start_mark);
}

static tw_status on_start(builder *b, const yaml_event_t *e, tw_cfg_node_kind kind, const yaml_char_t *tag) {
  tw_cfg_doc *doc = b->doc;
  int is_string;
  TW_TRY(check_tag(doc, tag, e->start_mark, &is_string));
  if (is_string) return fail_at(doc, e->start_mark, "a mapping or list cannot be tagged as a string");
  if (b->depth == TW_CFG_MAX_DEPTH) {
    char what[80];
    snprintf(what, sizeof what, "nested deeper than %d levels", TW_CFG_MAX_DEPTH);
    return fail_at(doc, e->start_mark, what);
  }
  int index;
  TW_TRY(tw_cfg_add_node(doc, kind, mark_of(e->start_mark), &index));
  TW_TRY(attach(b, index, e->start_mark));
  b->stack[b->depth].node = index;
  b->stack[b->depth].pending = b->n_pending;
  b->depth++;
  return TW_OK;
}

/* Closes the innermost container: its children move from the pending stack
** into the document's child array, contiguous. */
static tw_status on_end(builder *b) {
  tw_cfg_doc *doc = b->doc;
  if (b->depth <= 0) return TW_FAIL(TW_ERR_INTERNAL, "%s: unbalanced YAML events", doc->path);
  open_container top = b->stack[--b->depth];
  int count = b->n_pending - top.pending;
  if (!tw_cfg_grow((void **)&doc->kids, &doc->cap_kids, doc->n_kids + count, sizeof *doc->kids)) return no_memory(doc);
  if (count) memcpy(doc->kids + doc->n_kids, b->pending + top.pending, (size_t)count * sizeof *doc->kids);
  tw_cfg_node *n = &doc->nodes[top.node];
  n->first = doc->n_kids;
  n->count = count;
  doc->n_kids += count;
  b->n_pending = top.pending;
  if (n->kind == TW_CFG_NODE_MAP) TW_TRY(check_duplicates(doc, n));
  return TW_OK;
}

/* One libyaml event. A node that carries an anchor leaves the switch (break)
** for the one message about anchors; everything else returns from its case. */
static tw_status on_event(builder *b, const yaml_event_t *e) {
  switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
      if (++b->documents > 1) return fail_at(b->doc, e->start_mark, "a second YAML document (a config is one document)");
      return TW_OK;
    case YAML_ALIAS_EVENT:
      return fail_at(b->doc, e->start_mark, "aliases (*name) are not supported: write the value out");
    case YAML_SCALAR_EVENT:
      if (e->data.scalar.anchor) break;
      return on_scalar(b, e);
    case YAML_SEQUENCE_START_EVENT:
      if (e->data.sequence_start.anchor) break;
      return on_start(b, e, TW_CFG_NODE_SEQ, e->data.sequence_start.tag);
    case YAML_MAPPING_START_EVENT:
      if (e->data.mapping_start.anchor) break;
      return on_start(b, e, TW_CFG_NODE_MAP, e->data.mapping_start.tag);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
      return on_end(b);
    default:
      return TW_OK;
  }
  return fail_at(b->doc, e->start_mark, "anchors (&name) are not supported: write the value out");
}

static tw_status build(tw_cfg_doc *doc) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return no_memory(doc);
  yaml_parser_set_input_string(&parser, (const unsigned char *)doc->source, doc->source_len);
  builder b;
  memset(&b, 0, sizeof b);
  b.doc = doc;
  tw_status st = TW_OK;
  for (int done = 0; !done && st == TW_OK;) {
    yaml_event_t e;
    if (!yaml_parser_parse(&parser, &e)) {
      st = syntax_error(doc, &parser);
      break;
    }
    done = e.type == YAML_STREAM_END_EVENT;
    st = on_event(&b, &e);
    yaml_event_delete(&e);
  }
  free(b.pending);
  yaml_parser_delete(&parser);
  return st;
}

/* ---- public entry points ------------------------------------------------ */

static tw_status new_doc(const char *name, const char *text, size_t len, tw_cfg_doc **out) {
  tw_cfg_doc *doc = calloc(1, sizeof *doc);
  size_t name_len = strlen(name);
  if (doc) doc->path = malloc(name_len + 1);
  if (doc && doc->path) doc->source = malloc(len + 1);
  if (!doc || !doc->path || !doc->source) {
    tw_cfg_free(doc);
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", name);
  }
  memcpy(doc->path, name, name_len + 1);
  if (len) memcpy(doc->source, text, len);
  doc->source[len] = '\0';
  doc->source_len = len;
  doc->root = -1;
  *out = doc;
  return TW_OK;
}

static const char *node_kind_name(tw_cfg_node_kind k) {
  return k == TW_CFG_NODE_SEQ ? "a list" : k == TW_CFG_NODE_MAP ? "a mapping" : "a single value";
}

tw_status tw_cfg_parse_snippet(const char *name, const char *text, tw_cfg_doc **out) {
  *out = NULL;
  tw_cfg_doc *doc;
  TW_TRY(new_doc(name, text, strlen(text), &doc));
  tw_status st = build(doc);
  if (st == TW_OK && doc->root < 0) st = TW_FAIL(TW_ERR_INTERNAL, "%s: empty default", name);
  if (st != TW_OK) {
    tw_cfg_free(doc);
    return st;
  }
  *out = doc;
  return TW_OK;
}

tw_status tw_cfg_parse_string(const char *name, const char *text, size_t len, tw_cfg_doc **out) {
  *out = NULL;
  TW_TRY(check_text(name, text, len));
  tw_cfg_doc *doc;
  TW_TRY(new_doc(name, text, len, &doc));
  tw_status st = build(doc);
  if (st == TW_OK && doc->root < 0) st = TW_FAIL(TW_ERR_INPUT, "%s: the file is empty (expected a mapping of keys)", name);
  if (st == TW_OK) {
    const tw_cfg_node *root = &doc->nodes[doc->root];
    if (root->kind == TW_CFG_NODE_SCALAR && tw_cfg_scalar_is_null(doc->chars + root->text, root->quoted))
      st = tw_cfg_error_at(doc, root->mark, "the document is empty (expected a mapping of keys)");
    else if (root->kind != TW_CFG_NODE_MAP)
      st = tw_cfg_error_at(doc, root->mark, "the top level must be a mapping of keys, not %s",
                           node_kind_name(root->kind));
  }
  if (st != TW_OK) {
    tw_cfg_free(doc);
    return st;
  }
  *out = doc;
  return TW_OK;
}

tw_status tw_cfg_parse_file(const char *path, tw_cfg_doc **out) {
  *out = NULL;
  FILE *f = fopen(path, "rb");
  if (!f) return TW_FAIL(TW_ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
  struct stat sb;
  if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    fclose(f);
    return TW_FAIL(TW_ERR_INPUT, "%s: is a directory, not a config file", path);
  }
  /* Read one byte past the limit so that a file over it is told apart. */
  size_t cap = TW_CFG_MAX_BYTES + 1;
  char *text = malloc(cap);
  if (!text) {
    fclose(f);
    return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", path);
  }
  size_t len = fread(text, 1, cap, f);
  int failed = ferror(f);
  int err = errno;
  fclose(f);
  tw_status st;
  if (failed) st = TW_FAIL(TW_ERR_IO, "%s: read failed: %s", path, strerror(err));
  else if (len == cap) st = TW_FAIL(TW_ERR_INPUT, "%s: too large (over %d bytes; a config may have at most %d bytes)",
                                    path, TW_CFG_MAX_BYTES, TW_CFG_MAX_BYTES);
  else st = tw_cfg_parse_string(path, text, len, out);
  free(text);
  return st;
}

void tw_cfg_free(tw_cfg_doc *doc) {
  if (!doc) return;
  free(doc->path);
  free(doc->source);
  free(doc->nodes);
  free(doc->kids);
  free(doc->chars);
  for (int i = 0; i < doc->n_sets; ++i) free(doc->sets[i]);
  free(doc->sets);
  free(doc);
}

const char *tw_cfg_path(const tw_cfg_doc *doc) { return doc->path; }
const char *tw_cfg_text(const tw_cfg_doc *doc) { return doc->source; }

void tw_cfg_resolve(const tw_cfg_doc *doc, const char *path, char *out, size_t cap) {
  const char *slash = doc->path ? strrchr(doc->path, '/') : NULL;
  if (path[0] == '/' || !slash) snprintf(out, cap, "%s", path);
  else snprintf(out, cap, "%.*s/%s", (int)(slash - doc->path), doc->path, path);
}

/* The value node of a top-level key, or NULL. */
static const tw_cfg_node *top_value(const tw_cfg_doc *doc, const char *key) {
  if (doc->root < 0) return NULL;
  const tw_cfg_node *root = &doc->nodes[doc->root];
  if (root->kind != TW_CFG_NODE_MAP) return NULL;
  for (int i = 0; i < root->count; i += 2)
    if (!strcmp(tw_cfg_node_text(doc, tw_cfg_node_kid(doc, root, i)), key)) return tw_cfg_node_kid(doc, root, i + 1);
  return NULL;
}

const char *tw_cfg_top_scalar(const tw_cfg_doc *doc, const char *key) {
  const tw_cfg_node *v = top_value(doc, key);
  return v && v->kind == TW_CFG_NODE_SCALAR ? tw_cfg_node_text(doc, v) : NULL;
}

int tw_cfg_has_top_key(const tw_cfg_doc *doc, const char *key) { return top_value(doc, key) != NULL; }

tw_cfg_mark tw_cfg_top_mark(const tw_cfg_doc *doc, const char *key) {
  const tw_cfg_node *v = top_value(doc, key);
  tw_cfg_mark none = {0, 0};
  return v ? v->mark : none;
}

tw_cfg_mark tw_cfg_path_mark(const tw_cfg_doc *doc, const char *dotted) {
  tw_cfg_mark none = {0, 0};
  const tw_cfg_node *v = doc->root >= 0 ? &doc->nodes[doc->root] : NULL;
  for (const char *key = dotted; v && key;) {
    const char *dot = strchr(key, '.');
    const size_t len = dot ? (size_t)(dot - key) : strlen(key);
    const tw_cfg_node *map = v;
    v = NULL;
    for (int i = 0; map->kind == TW_CFG_NODE_MAP && i < map->count && !v; i += 2) {
      const char *k = tw_cfg_node_text(doc, tw_cfg_node_kid(doc, map, i));
      if (strlen(k) == len && !strncmp(k, key, len)) v = tw_cfg_node_kid(doc, map, i + 1);
    }
    key = dot ? dot + 1 : NULL;
  }
  return v ? v->mark : none;
}

tw_cfg_mark tw_cfg_path_mark_or(const tw_cfg_doc *doc, const char *dotted, tw_cfg_mark fallback) {
  const tw_cfg_mark m = tw_cfg_path_mark(doc, dotted);
  return m.line ? m : fallback;
}

const char *tw_cfg_top_key(const tw_cfg_doc *doc, int i, tw_cfg_mark *mark) {
  if (doc->root < 0 || i < 0) return NULL;
  const tw_cfg_node *root = &doc->nodes[doc->root];
  if (root->kind != TW_CFG_NODE_MAP || 2 * i >= root->count) return NULL;
  const tw_cfg_node *key = tw_cfg_node_kid(doc, root, 2 * i);
  *mark = key->mark;
  return tw_cfg_node_text(doc, key);
}
