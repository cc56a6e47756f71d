/*
** fuzz_config.c: the libFuzzer target for the config loader.
**
** Each input is parsed as a config, the overrides it starts with applied (lines
** "#set KEY=VALUE" at the top: YAML comments, so the rest parses the same; each
** goes through tw_cfg_set as `--set KEY=VALUE` does), its kind detected, and then
** bound to every registered schema (the `example` schema has every field type; the engines'
** schemas join as they are registered in src/cli/config_kinds.c). Whatever
** binds is emitted, parsed and bound again, and emitted again: the two texts
** must be equal, or the target aborts. Sanitizers catch the rest (overflows,
** leaks, undefined behaviour).
**
** Built with clang under -DTW_FUZZ=ON as `fuzz_config`; the same function runs
** every file of tests/data/fuzz_corpus in ctest through replay.c (any compiler).
*/
#include <stdint.h> /* uint8_t */
#include <stdio.h>  /* fprintf */
#include <stdlib.h> /* calloc, free, abort */
#include <string.h> /* strcmp, strlen */

#include "cli/config_kinds.h" /* tw_config_kinds: every registered schema */
#include "core/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *text, const char *again) {
  fprintf(stderr, "fuzz_config: %s\n%s\n--- error: %s\n--- first emit:\n%s\n--- second emit:\n%s\n", what,
          tw_error_message(), tw_error_trace_string(), text ? text : "", again ? again : "");
  abort();
}

/* Emits a bound object, binds the text again and emits that: same text. */
static void check_round_trip(const tw_cfg_schema *schema, const void *obj) {
  char *text = NULL, *again = NULL;
  tw_cfg_doc *doc = NULL;
  void *back = calloc(1, schema->size);
  if (!back) abort();
  if (tw_cfg_emit(schema, obj, &text) != TW_OK) fail("emit failed", NULL, NULL);
  if (tw_cfg_parse_string("emitted", text, strlen(text), &doc) != TW_OK) fail("emitted text does not parse", text, NULL);
  if (tw_cfg_bind(doc, schema, back) != TW_OK) fail("emitted text does not bind", text, NULL);
  if (tw_cfg_emit(schema, back, &again) != TW_OK) fail("second emit failed", text, NULL);
  if (strcmp(text, again)) fail("emit, bind, emit changed the text", text, again);
  tw_cfg_release(schema, back);
  free(back);
  tw_cfg_free(doc);
  free(text);
  free(again);
}

/* Applies the "#set KEY=VALUE" lines at the top of the text; errors are fine. */
static void apply_sets(tw_cfg_doc *doc, const char *text, size_t size) {
  static const char tag[] = "#set ";
  size_t at = 0;
  while (at + sizeof tag - 1 <= size && !memcmp(text + at, tag, sizeof tag - 1)) {
    const char *line = text + at + sizeof tag - 1, *nl = memchr(line, '\n', size - (size_t)(line - text));
    const size_t len = nl ? (size_t)(nl - line) : size - (size_t)(line - text);
    char *set = malloc(len + 1);
    if (!set) abort();
    memcpy(set, line, len);
    set[len] = '\0';
    (void)tw_cfg_set(doc, set);
    tw_error_clear();
    free(set);
    at = (size_t)(line - text) + len + 1;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  tw_cfg_doc *doc;
  if (tw_cfg_parse_string("fuzz.yaml", (const char *)data, size, &doc) != TW_OK) return 0;
  apply_sets(doc, (const char *)data, size);
  const tw_config_kind *kind;
  (void)tw_config_kind_detect(tw_config_kinds, doc, &kind);
  for (const tw_config_kind *k = tw_config_kinds; k->name; ++k) {
    void *obj = calloc(1, k->schema->size);
    if (!obj) abort();
    if (tw_cfg_bind(doc, k->schema, obj) == TW_OK) check_round_trip(k->schema, obj);
    tw_cfg_release(k->schema, obj);
    free(obj);
  }
  tw_cfg_free(doc);
  tw_error_clear();
  return 0;
}
