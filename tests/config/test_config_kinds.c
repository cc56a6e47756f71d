/*
** test_config_kinds.c: telling config kinds apart (src/cli/config_kinds.c): by
** `kind:`, by a key only one kind has, and the messages when neither works.
** Uses its own small table so that it does not change as kinds are added; the
** real table is checked too: every registered schema passes tw_cfg_schema_check.
*/
#include <string.h> /* strlen, strstr */

#include "cli/config_kinds.h"
#include "core/config_example.h" /* tw_example_config_schema */
#include "tw_test.h"

static const tw_config_kind table[] = {
    {"simulate", &tw_example_config_schema, "pack"},
    {"trial", &tw_example_config_schema, "arms"},
    {"example", &tw_example_config_schema, NULL},
    {NULL, NULL, NULL},
};

/* The kind detected for `text`, or NULL (with the error message set). */
static const tw_config_kind *detect(const char *text) {
  tw_cfg_doc *doc;
  const tw_config_kind *kind = NULL;
  if (tw_cfg_parse_string("k.yaml", text, strlen(text), &doc) != TW_OK) return NULL;
  tw_config_kind_detect(table, doc, &kind);
  tw_cfg_free(doc);
  return kind;
}

static void by_name_and_by_key(void) {
  CHECK(detect("kind: example\nname: x\n") == &table[2]);
  CHECK(detect("kind: trial\npack: t1d\n") == &table[1]); /* `kind:` wins over detection */
  CHECK(detect("pack: t1d\n") == &table[0]);
  CHECK(detect("arms: []\n") == &table[1]);
}

static void failures(void) {
  CHECK(detect("kind: simulat\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml:1:7: unknown config kind 'simulat' (did you mean 'simulate'?)");
  CHECK(detect("kind: zzzzzz\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml:1:7: unknown config kind 'zzzzzz' (known kinds: simulate, trial, example)");
  CHECK(detect("kind: [a]\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml:1:7: kind: expected the name of a config kind");
  CHECK(detect("name: x\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml:1:1: cannot tell what kind of config this is: add 'kind: <name>' at the top "
                                   "(known kinds: simulate, trial, example)");
  /* a misspelt `kind:` key is named, even where another key tells the kind */
  CHECK(detect("name: x\nknid: trial\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml:2:1: unknown key 'knid' (did you mean 'kind'?)");
  CHECK(detect("kidn: trial\npack: t1d\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml:1:1: unknown key 'kidn' (did you mean 'kind'?)");
  CHECK(detect("name: x\narsm: []\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml:2:1: cannot tell what kind of config this is: unknown key 'arsm' (did you "
                                   "mean 'arms', which makes it a 'trial' config?)");
  CHECK(detect("{}\n") == NULL);      /* no key at all: no position */
  CHECK_EQ_STR(tw_error_message(), "k.yaml: cannot tell what kind of config this is: add 'kind: <name>' at the top "
                                   "(known kinds: simulate, trial, example)");
  CHECK(detect("pack: t1d\narms: []\n") == NULL);
  CHECK_EQ_STR(tw_error_message(), "k.yaml: could be a 'simulate' config ('pack:') or a 'trial' config ('arms:'): add "
                                   "'kind: <name>' at the top");
}

static void registered_schemas_are_sound(void) {
  int n = 0;
  for (const tw_config_kind *k = tw_config_kinds; k->name; ++k, ++n) {
    CHECK_OK(tw_cfg_schema_check(k->schema));
    for (const tw_config_kind *j = tw_config_kinds; j != k; ++j) {
      CHECK_MSG(strcmp(j->name, k->name), "kind '%s' registered twice", k->name);
      CHECK_MSG(!k->detect_key || !j->detect_key || strcmp(j->detect_key, k->detect_key),
                "kinds '%s' and '%s' share the detect key '%s'", j->name, k->name, k->detect_key);
    }
  }
  CHECK(n >= 1);
}

static void load_checks_the_kind(void) {
  tw_example_config c;
  tw_cfg_doc *doc;
  CHECK_OK(tw_config_load(TW_SOURCE_DIR "/configs/example.yaml", "example", NULL, 0, NULL, &c, &doc));
  CHECK_EQ_STR(c.name, "demo run");
  tw_cfg_release(&tw_example_config_schema, &c);
  tw_cfg_free(doc);
  CHECK_STATUS(tw_config_load(TW_TEST_DATA_DIR "/config/unknown_kind.yaml", "example", NULL, 0, NULL, &c, &doc), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "unknown_kind.yaml:1:7: this is a 'simulat' config; expected kind 'example'") != NULL);
  CHECK(doc == NULL);
  CHECK_STATUS(tw_config_load(TW_TEST_DATA_DIR "/config/misspelt_kind.yaml", "simulate", NULL, 0, NULL, &c, &doc), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "misspelt_kind.yaml:2:1: unknown key 'knid' (did you mean 'kind'?)") != NULL);
  CHECK(doc == NULL);
}

int main(void) {
  TW_TEST_RUN(by_name_and_by_key);
  TW_TEST_RUN(failures);
  TW_TEST_RUN(registered_schemas_are_sound);
  TW_TEST_RUN(load_checks_the_kind);
  return TW_TEST_RESULT();
}
