/*
** config_override.c: `--set KEY=VALUE` on top of a parsed config (config.h).
**
** An override edits the parsed tree before binding, so that it is checked by
** exactly the rules that check the file: an unknown key gets the same "did you
** mean", a wrong type or a value out of range the same message. KEY is a dotted
** path of mapping keys and list indexes (output.path, scenario.meals.0.carbs_g);
** missing mappings on the way are created. VALUE is YAML (a number, a word, or
** a flow list or mapping: twins.reference=[adult#001,adult#002]).
**
** Nodes that an override brings carry a mark whose line is -(k + 1) for the
** k-th override, so tw_cfg_error_at names the override instead of a place in
** the file. The override is also appended to the document's text as a comment,
** so the config text stored in a results file says what was really run.
**
** The tree keeps each container's children as one run in doc->kids; adding a
** key to a mapping moves the run to the end of the array (the old run is left
** unused: configs are small).
*/
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* realloc, strtol */
#include <string.h> /* strchr, strcmp */

#include "core/config_tree.h"

static tw_status set_error(const tw_cfg_doc *doc, const char *set, const char *why) {
  return TW_FAIL(TW_ERR_INPUT, "%s: --set %s: %s", doc->path, set, why);
}

static tw_status no_memory(const tw_cfg_doc *doc) { return TW_FAIL(TW_ERR_NOMEM, "%s: out of memory", doc->path); }

/* Copies the snippet's tree into doc; *root is the copy of its top node. */
static tw_status graft(tw_cfg_doc *doc, const tw_cfg_doc *sn, tw_cfg_mark mark, int *root) {
  const int node0 = doc->n_nodes, kid0 = doc->n_kids;
  size_t char0;
  TW_TRY(tw_cfg_add_chars(doc, sn->chars, sn->n_chars, &char0));
  if (!tw_cfg_grow((void **)&doc->nodes, &doc->cap_nodes, node0 + sn->n_nodes, sizeof *doc->nodes) ||
      !tw_cfg_grow((void **)&doc->kids, &doc->cap_kids, kid0 + sn->n_kids, sizeof *doc->kids))
    return no_memory(doc);
  for (int i = 0; i < sn->n_nodes; ++i) {
    tw_cfg_node n = sn->nodes[i];
    n.mark = mark;
    n.text += char0;
    n.first += kid0;
    doc->nodes[node0 + i] = n;
  }
  for (int i = 0; i < sn->n_kids; ++i) doc->kids[kid0 + i] = sn->kids[i] + node0;
  doc->n_nodes += sn->n_nodes;
  doc->n_kids += sn->n_kids;
  *root = node0 + sn->root;
  return TW_OK;
}

/* Appends the pair (key, value) to mapping `map`, moving its run of children
** to the end of doc->kids. */
static tw_status append_pair(tw_cfg_doc *doc, int map, int key, int value) {
  tw_cfg_node *m = &doc->nodes[map];
  if (!tw_cfg_grow((void **)&doc->kids, &doc->cap_kids, doc->n_kids + m->count + 2, sizeof *doc->kids)) return no_memory(doc);
  memmove(doc->kids + doc->n_kids, doc->kids + m->first, (size_t)m->count * sizeof *doc->kids);
  m->first = doc->n_kids;
  doc->kids[m->first + m->count] = key;
  doc->kids[m->first + m->count + 1] = value;
  m->count += 2;
  doc->n_kids += m->count;
  return TW_OK;
}

/* The position in doc->kids of the value under `seg` in container `node`: a key
** of a mapping, or an index of a list. -1 when the mapping has no such key. */
static tw_status find_slot(const tw_cfg_doc *doc, const char *set, int node, const char *seg, int *slot) {
  const tw_cfg_node *n = &doc->nodes[node];
  *slot = -1;
  if (n->kind == TW_CFG_NODE_MAP) {
    for (int i = 0; i < n->count; i += 2)
      if (!strcmp(tw_cfg_node_text(doc, tw_cfg_node_kid(doc, n, i)), seg)) *slot = n->first + i + 1;
    return TW_OK;
  }
  char *end;
  long k = strtol(seg, &end, 10);
  char why[256];
  if (n->kind != TW_CFG_NODE_SEQ) {
    snprintf(why, sizeof why, "'%s' is under a single value, not a mapping or a list", seg);
    return set_error(doc, set, why);
  }
  if (*end || end == seg || k < 0 || k >= n->count) {
    snprintf(why, sizeof why, "'%s' is not an index of a list of %d elements", seg, n->count);
    return set_error(doc, set, why);
  }
  *slot = n->first + (int)k;
  return TW_OK;
}

/* A new scalar node holding `text`. */
static tw_status new_key(tw_cfg_doc *doc, const char *text, tw_cfg_mark mark, int *index) {
  TW_TRY(tw_cfg_add_node(doc, TW_CFG_NODE_SCALAR, mark, index));
  size_t off;
  TW_TRY(tw_cfg_add_chars(doc, text, strlen(text), &off));
  doc->nodes[*index].text = off;
  doc->nodes[*index].len = strlen(text);
  return TW_OK;
}

/* Walks `key` (dotted) from the root, creating mappings, and puts `value` there. */
static tw_status place(tw_cfg_doc *doc, const char *set, const char *key, int value, tw_cfg_mark mark) {
  int node = doc->root;
  char seg[128];
  for (const char *s = key;;) {
    const char *dot = strchr(s, '.');
    const size_t len = dot ? (size_t)(dot - s) : strlen(s);
    if (len == 0 || len >= sizeof seg) return set_error(doc, set, "empty or overlong key in the dotted path");
    memcpy(seg, s, len);
    seg[len] = '\0';
    int slot;
    TW_TRY(find_slot(doc, set, node, seg, &slot));
    if (slot >= 0 && !dot) {
      doc->kids[slot] = value;
      return TW_OK;
    }
    if (slot < 0) {
      int k, v = value;
      TW_TRY(new_key(doc, seg, mark, &k));
      if (dot) TW_TRY(tw_cfg_add_node(doc, TW_CFG_NODE_MAP, mark, &v));
      TW_TRY(append_pair(doc, node, k, v));
      if (!dot) return TW_OK;
      node = v;
    } else {
      node = doc->kids[slot];
    }
    s = dot + 1;
  }
}

/* Keeps the override for messages and appends it to the text as a comment. */
static tw_status record(tw_cfg_doc *doc, const char *set) {
  char **sets = realloc(doc->sets, (size_t)(doc->n_sets + 1) * sizeof *sets);
  if (!sets) return no_memory(doc);
  doc->sets = sets;
  const size_t n = strlen(set);
  if (!(sets[doc->n_sets] = malloc(n + 1))) return no_memory(doc);
  memcpy(sets[doc->n_sets++], set, n + 1);
  const char *head = doc->n_sets == 1 ? "\n# overridden on the command line:\n" : "";
  char *src = realloc(doc->source, doc->source_len + strlen(head) + n + 16);
  if (!src) return no_memory(doc);
  doc->source = src;
  doc->source_len += (size_t)sprintf(src + doc->source_len, "%s#   --set %s\n", head, set);
  return TW_OK;
}

tw_status tw_cfg_set(tw_cfg_doc *doc, const char *set) {
  const char *eq = strchr(set, '=');
  if (!eq || eq == set) return set_error(doc, set, "expected KEY=VALUE, KEY a dotted path (output.path=out.h5)");
  if (!eq[1]) return set_error(doc, set, "no value after '='");
  if (doc->root < 0 || doc->nodes[doc->root].kind != TW_CFG_NODE_MAP)
    return set_error(doc, set, "the config has no top-level mapping to set keys in");
  char key[512];
  snprintf(key, sizeof key, "%.*s", (int)(eq - set), set);
  TW_TRY(record(doc, set));
  const tw_cfg_mark mark = {-doc->n_sets, 0};
  tw_cfg_doc *sn;
  if (tw_cfg_parse_snippet(set, eq + 1, &sn) != TW_OK) {
    char why[256];
    snprintf(why, sizeof why, "the value is not valid YAML (%s)", tw_error_message());
    tw_error_clear();
    return set_error(doc, set, why);
  }
  int value = -1;
  tw_status st = graft(doc, sn, mark, &value);
  tw_cfg_free(sn);
  TW_TRY(st);
  return place(doc, set, key, value, mark);
}

const char *tw_cfg_set_text(const tw_cfg_doc *doc, tw_cfg_mark mark) {
  const int k = -mark.line - 1;
  return k >= 0 && k < doc->n_sets ? doc->sets[k] : NULL;
}
