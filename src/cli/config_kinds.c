/*
** config_kinds.c: the table of config kinds (config_kinds.h) and detection.
**
** To add a kind: include the header that declares its schema and add one line
** {"name", &schema, "detect_key"} above the terminator. Choose a detect_key that
** no other kind has at its top level, or NULL to require `kind: name`.
*/
#include "build_info.h" /* TW_HAVE_YAML: configs need libyaml */

#if TW_HAVE_YAML
#include <stdio.h>  /* snprintf */
#include <string.h> /* strcmp */

#include "cli/config_kinds.h"
#include "cohort/cohort_config.h" /* tw_cohort_config_schema */
#include "cohort/import.h"        /* tw_import_config_schema */
#include "core/config_example.h" /* tw_example_config_schema */
#include "fed/fed_config.h"        /* tw_fed_config_schema */
#include "gan/gan_job_config.h"   /* tw_gan_train_config_schema */
#include "physio/sim_config.h"    /* tw_sim_config_schema */
#include "train/train_config.h"   /* tw_train_config_schema */
#include "trial/trial_config.h"   /* tw_trial_config_schema */
#include "twin/fit_job.h"         /* tw_twin_fit_config_schema */
#include "twin/replay.h"          /* tw_replay_config_schema */

const tw_config_kind tw_config_kinds[] = {
    {"example", &tw_example_config_schema, NULL},
    {"simulate", &tw_sim_config_schema, "pack"},
    {"cohort", &tw_cohort_config_schema, NULL},
    {"trial", &tw_trial_config_schema, NULL},
    {"import", &tw_import_config_schema, NULL},
    {"train", &tw_train_config_schema, NULL},
    {"twin_fit", &tw_twin_fit_config_schema, NULL},
    {"twin_replay", &tw_replay_config_schema, NULL},
    {"fed_train", &tw_fed_config_schema, "federation"},
#if TW_HAVE_HDF5 /* src/gan/ is built with HDF5 only (it reads cohort files) */
    {"gan_train", &tw_gan_train_config_schema, NULL},
#endif
    /* tw-config-kinds: new kinds go above this line */
    {NULL, NULL, NULL},
};

/* "example, simulate": the names in the table, for messages. */
static void list_names(const tw_config_kind *table, char *out, size_t cap) {
  size_t used = 0;
  out[0] = '\0';
  for (const tw_config_kind *k = table; k->name && used < cap; ++k)
    used += (size_t)snprintf(out + used, cap - used, "%s%s", k == table ? "" : ", ", k->name);
}

static tw_status named_kind(const tw_config_kind *table, const tw_cfg_doc *doc, const tw_config_kind **out) {
  const char *name = tw_cfg_top_scalar(doc, "kind");
  tw_cfg_mark at = tw_cfg_top_mark(doc, "kind");
  if (!name) return tw_cfg_error_at(doc, at, "kind: expected the name of a config kind");
  const tw_config_kind *near = NULL;
  int near_d = 3; /* suggest only a near miss */
  for (const tw_config_kind *k = table; k->name; ++k) {
    if (!strcmp(k->name, name)) {
      *out = k;
      return TW_OK;
    }
    int d = tw_cfg_edit_distance(k->name, name);
    if (d < near_d) near = k, near_d = d;
  }
  char known[512];
  list_names(table, known, sizeof known);
  if (near) return tw_cfg_error_at(doc, at, "unknown config kind '%.64s' (did you mean '%s'?)", name, near->name);
  return tw_cfg_error_at(doc, at, "unknown config kind '%.64s' (known kinds: %s)", name, known);
}

/* True when `key` is a top-level field of some kind's schema (so not a typo). */
static int known_field(const tw_config_kind *table, const char *key) {
  for (const tw_config_kind *k = table; k->name; ++k)
    for (int i = 0; i < k->schema->n_fields; ++i)
      if (!strcmp(k->schema->fields[i].key, key)) return 1;
  return 0;
}

/* The first top-level key that no kind knows and that is a near miss (edit
** distance 1 or 2) of `word`, with its mark; NULL when there is none. */
static const char *near_miss(const tw_config_kind *table, const tw_cfg_doc *doc, const char *word,
                             tw_cfg_mark *at) {
  const char *key;
  for (int i = 0; (key = tw_cfg_top_key(doc, i, at)) != NULL; ++i)
    if (!known_field(table, key) && tw_cfg_edit_distance(key, word) < 3) return key;
  return NULL;
}

/* No `kind:` and no detect key: a misspelt detect key if there is one, else
** the request for `kind:`, at the first key (the top, where it goes). */
static tw_status undetected(const tw_config_kind *table, const tw_cfg_doc *doc) {
  tw_cfg_mark at;
  for (const tw_config_kind *k = table; k->name; ++k) {
    const char *key = k->detect_key ? near_miss(table, doc, k->detect_key, &at) : NULL;
    if (key)
      return tw_cfg_error_at(doc, at, "cannot tell what kind of config this is: unknown key '%.64s' (did you mean "
                             "'%s', which makes it a '%s' config?)", key, k->detect_key, k->name);
  }
  char known[512];
  list_names(table, known, sizeof known);
  if (!tw_cfg_top_key(doc, 0, &at)) at = (tw_cfg_mark){0, 0};
  return tw_cfg_error_at(doc, at, "cannot tell what kind of config this is: add 'kind: <name>' at the top (known kinds: %s)",
                         known);
}

/* A document without `kind:`: refused when one of its keys is a misspelt `kind`. */
static tw_status misspelt_kind(const tw_config_kind *table, const tw_cfg_doc *doc) {
  tw_cfg_mark at;
  const char *typo = near_miss(table, doc, "kind", &at);
  return typo ? tw_cfg_error_at(doc, at, "unknown key '%.64s' (did you mean 'kind'?)", typo) : TW_OK;
}

tw_status tw_config_kind_detect(const tw_config_kind *table, const tw_cfg_doc *doc, const tw_config_kind **out) {
  *out = NULL;
  if (tw_cfg_has_top_key(doc, "kind")) return named_kind(table, doc, out);
  TW_TRY(misspelt_kind(table, doc));
  const tw_config_kind *found = NULL;
  for (const tw_config_kind *k = table; k->name; ++k) {
    if (!k->detect_key || !tw_cfg_has_top_key(doc, k->detect_key)) continue;
    if (found) {
      tw_cfg_mark none = {0, 0};
      return tw_cfg_error_at(doc, none, "could be a '%s' config ('%s:') or a '%s' config ('%s:'): add 'kind: <name>' at the top",
                             found->name, found->detect_key, k->name, k->detect_key);
    }
    found = k;
  }
  if (!found) return undetected(table, doc);
  *out = found;
  return TW_OK;
}

tw_status tw_config_apply(tw_cfg_doc *d, const char *const *sets, int n_sets, const char *output) {
  for (int i = 0; i < n_sets; ++i) TW_TRY(tw_cfg_set(d, sets[i]));
  if (!output) return TW_OK;
  char set[4200];
  size_t k = (size_t)snprintf(set, sizeof set, "output.path='");
  for (const char *c = output; *c && k + 4 < sizeof set; ++c) { /* YAML single quotes: ' doubles */
    if (*c == '\'') set[k++] = '\'';
    set[k++] = *c;
  }
  snprintf(set + k, sizeof set - k, "'");
  return tw_cfg_set(d, set);
}

tw_status tw_config_load(const char *path, const char *name, const char *const *sets, int n_sets, const char *output,
                         void *obj, tw_cfg_doc **doc) {
  *doc = NULL;
  const tw_config_kind *want = NULL;
  for (const tw_config_kind *k = tw_config_kinds; k->name && !want; ++k)
    if (!strcmp(k->name, name)) want = k;
  if (!want) return TW_FAIL(TW_ERR_INTERNAL, "no config kind '%s' is registered", name);
  tw_cfg_doc *d;
  TW_TRY(tw_cfg_parse_file(path, &d));
  tw_status st = tw_config_apply(d, sets, n_sets, output);
  const char *said = tw_cfg_top_scalar(d, "kind");
  if (st == TW_OK && tw_cfg_has_top_key(d, "kind") && (!said || strcmp(said, name)))
    st = tw_cfg_error_at(d, tw_cfg_top_mark(d, "kind"), "this is a '%.64s' config; expected kind '%s'",
                         said ? said : "?", name);
  else if (st == TW_OK && !tw_cfg_has_top_key(d, "kind"))
    st = misspelt_kind(tw_config_kinds, d);
  if (st == TW_OK) st = tw_cfg_bind(d, want->schema, obj);
  if (st != TW_OK) {
    tw_cfg_free(d);
    return tw_error_trace(st, __FILE__, __LINE__);
  }
  *doc = d;
  return TW_OK;
}
#else
typedef int tw_config_kinds_need_libyaml; /* ISO C wants a non-empty file */
#endif
