/*
** cmd_config.c: `twinscale config check FILE`: validates a config of any kind
** and prints it normalised, with every default filled in.
**
** The kind comes from the file (config_kinds.c). Output is YAML on stdout that
** binds back to the same values; any problem is one line on stderr, exit 2.
*/
#include "build_info.h" /* TW_HAVE_YAML */

#if TW_HAVE_YAML
#include <stdio.h>  /* printf, fputs */
#include <stdlib.h> /* calloc, free */
#include <string.h> /* strcmp */

#include "cli/cli.h"
#include "cli/config_kinds.h" /* tw_config_kinds, tw_config_kind_detect */
#include "cli/options.h"      /* tw_opts_parse, TW_CONFIG_OPTIONS */

int tw_cmd_config_check(int argc, char **argv) {
  tw_config_opts co = {0};
  const tw_opt opts[] = {TW_CONFIG_OPTIONS(co)};
  const char *file;
  int n_pos, bad = tw_opts_parse("config check", opts, TW_ARRAY_LEN(opts), argc, argv, "the CONFIG file", &file, 1, 1, &n_pos);
  if (bad) return bad;
  tw_cfg_doc *doc = NULL;
  const tw_config_kind *kind = NULL;
  void *obj = NULL;
  char *text = NULL;
  tw_status st = TW_OK;
  TW_TRY_GOTO(st, tw_cfg_parse_file(file, &doc), done);
  TW_TRY_GOTO(st, tw_config_apply(doc, co.set.items, co.set.n, co.output), done);
  TW_TRY_GOTO(st, tw_config_kind_detect(tw_config_kinds, doc, &kind), done);
  obj = calloc(1, kind->schema->size);
  if (!obj) {
    st = TW_FAIL(TW_ERR_NOMEM, "out of memory");
    goto done;
  }
  TW_TRY_GOTO(st, tw_cfg_bind(doc, kind->schema, obj), done);
  TW_TRY_GOTO(st, tw_cfg_emit(kind->schema, obj, &text), done);
  /* An emitted "{}" (every field left out) would not follow another key. */
  printf("kind: %s\n%s", kind->name, strcmp(text, "{}\n") ? text : "");
done:
  if (obj) tw_cfg_release(kind->schema, obj);
  free(obj);
  free(text);
  tw_cfg_free(doc);
  return st == TW_OK ? 0 : tw_cli_fail(st);
}
#else
typedef int tw_cmd_config_needs_libyaml; /* ISO C wants a non-empty file */
#endif
