/*
** config_kinds.h: the kinds of config twinscale reads, and how a file says
** which one it is.
**
** A config names its kind at the top (`kind: simulate`), or leaves it to be
** detected from a top-level key that only that kind has (`pack:` means a
** simulate config). `twinscale config check` checks a file of any kind this way;
** a command that reads one kind loads it with tw_config_load, which refuses a
** file that says it is another kind.
**
** Adding a kind is one line in the table in config_kinds.c (docs/configs.md).
*/
#ifndef TW_CONFIG_KINDS_H
#define TW_CONFIG_KINDS_H

#include "core/config.h" /* tw_cfg_schema, tw_cfg_doc */

typedef struct tw_config_kind {
  const char *name;             /* what `kind:` says: "simulate" */
  const tw_cfg_schema *schema;  /* the schema the file binds to */
  const char *detect_key;       /* a top-level key only this kind has, or NULL: the file must say `kind:` */
} tw_config_kind;

/* The registered kinds, terminated by an entry with a NULL name. */
extern const tw_config_kind tw_config_kinds[];

/* The kind of `doc` among `table`: the one its `kind:` names, else the one
** whose detect_key it has. An unknown kind, no kind, or two detected kinds is
** TW_ERR_INPUT with a one-line message naming the file. */
tw_status tw_config_kind_detect(const tw_config_kind *table, const tw_cfg_doc *doc, const tw_config_kind **out);

/* Applies the command line's overrides to a parsed config: each of `sets`
** ("KEY=VALUE", tw_cfg_set), then `output` (when not NULL) as output.path. */
tw_status tw_config_apply(tw_cfg_doc *doc, const char *const *sets, int n_sets, const char *output);

/* Parses `path`, applies the command line's overrides (`sets`: n_sets
** "KEY=VALUE" strings; `output`, when not NULL, as output.path), checks that
** it is (or may be) a config of kind `name`, and binds it into `obj` (a struct
** of that kind's schema). On success *doc holds
** the parsed file (for tw_cfg_error_at in later checks and for the config text
** in results files): the caller frees it with tw_cfg_free and releases obj with
** tw_cfg_release. */
tw_status tw_config_load(const char *path, const char *name, const char *const *sets, int n_sets, const char *output,
                         void *obj, tw_cfg_doc **doc);

#endif
