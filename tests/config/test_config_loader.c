/*
** test_config_loader.c: parsing and binding configs (config.h) against the
** `example` schema, which has every field type: values, defaults, ranges,
** enums, keyword numbers, nested maps, lists of maps and string lists with
** their marks, and the exact text of each kind of error.
*/
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strlen, memset */

#include "core/config.h"
#include "core/config_example.h" /* tw_example_config_schema: every field type */
#include "tw_test.h"

/* Parses `text` as "t.yaml" and binds it to the example schema. */
static tw_status load(const char *text, tw_example_config *cfg) {
  tw_cfg_doc *doc;
  memset(cfg, 0, sizeof *cfg);
  TW_TRY(tw_cfg_parse_string("t.yaml", text, strlen(text), &doc));
  tw_status st = tw_cfg_bind(doc, &tw_example_config_schema, cfg);
  tw_cfg_free(doc);
  return st;
}

/* Loading `text` fails with an input error whose message is exactly `message`. */
#define CHECK_LOAD_FAILS(text, message)                              \
  do {                                                               \
    tw_example_config cfg_;                                          \
    CHECK_STATUS(load(text, &cfg_), TW_ERR_INPUT);                   \
    CHECK_EQ_STR(tw_error_message(), message);                       \
    CHECK(cfg_.name == NULL && cfg_.meals == NULL); /* left zeroed */ \
  } while (0)

static const char *full =
    "name: demo run\n"
    "enabled: false\n"
    "twins: 1e6\n"
    "basal_u_per_h: 0.75\n"
    "precision: float32\n"
    "patients: [adolescent#001,\n"
    "           child#003]\n"
    "output:\n"
    "  path: 'o.h5'\n"
    "  every_min: 15\n"
    "meals:\n"
    "  - {time_min: 420, carbs_g: 50}\n"
    "  - time_min: 720.5\n"
    "    carbs_g: 7e1\n"
    "note: yes\n";

static void every_field_type(void) {
  tw_example_config c;
  CHECK_OK(load(full, &c));
  CHECK_EQ_STR(c.name, "demo run");
  CHECK_EQ_INT(c.enabled, 0);
  CHECK_EQ_INT(c.twins, 1000000);
  CHECK(c.basal_u_per_h == 0.75 && !c.basal_is_reference);
  CHECK_EQ_INT(c.precision, TW_EXAMPLE_FLOAT32);
  CHECK_EQ_INT(c.n_patients, 2);
  CHECK_EQ_STR(c.patients[0], "adolescent#001");
  CHECK_EQ_STR(c.patients[1], "child#003");
  CHECK_EQ_INT(c.patient_marks[0].line, 6);
  CHECK_EQ_INT(c.patient_marks[0].col, 12);
  CHECK_EQ_INT(c.patient_marks[1].line, 7);
  CHECK_EQ_INT(c.patient_marks[1].col, 12);
  CHECK_EQ_STR(c.output.path, "o.h5");
  CHECK_EQ_INT(c.output.every_min, 15);
  CHECK_EQ_INT(c.output.mark.line, 9);
  CHECK_EQ_INT(c.output.mark.col, 3);
  CHECK_EQ_INT(c.n_meals, 2);
  CHECK(c.meals[0].time_min == 420 && c.meals[0].carbs_g == 50);
  CHECK(c.meals[1].time_min == 720.5 && c.meals[1].carbs_g == 70);
  CHECK_EQ_INT(c.meals[0].mark.line, 12);
  CHECK_EQ_INT(c.meals[0].mark.col, 5);
  CHECK_EQ_INT(c.meals[1].mark.line, 13);
  CHECK_EQ_INT(c.meals[1].mark.col, 5);
  CHECK_EQ_STR(c.note, "yes"); /* a string field takes `yes` as the string */
  CHECK_EQ_INT(c.mark.line, 1);
  tw_cfg_release(&tw_example_config_schema, &c);
  CHECK(c.name == NULL && c.patients == NULL && c.meals == NULL && c.n_meals == 0);
}

static void defaults_fill_absent_keys(void) {
  tw_example_config c;
  CHECK_OK(load("name: x\n", &c));
  CHECK_EQ_INT(c.enabled, 1);
  CHECK_EQ_INT(c.twins, 1);
  CHECK(c.basal_is_reference && c.basal_u_per_h == 0);
  CHECK_EQ_INT(c.precision, TW_EXAMPLE_FLOAT64);
  CHECK(c.n_patients == 0 && c.patients == NULL && c.patient_marks == NULL);
  CHECK_EQ_STR(c.output.path, "out.h5");
  CHECK_EQ_INT(c.output.every_min, 5);
  CHECK_EQ_INT(c.output.mark.line, 0); /* from a default: no place in the file */
  CHECK(c.n_meals == 0 && c.meals == NULL);
  CHECK(c.note == NULL);
  tw_cfg_release(&tw_example_config_schema, &c);
}

static void ranges(void) {
  CHECK_LOAD_FAILS("name: x\ntwins: 0\n", "t.yaml:2:8: twins: 0 is out of range [1, 1000000000]");
  CHECK_LOAD_FAILS("name: x\nbasal_u_per_h: 100.5\n", "t.yaml:2:16: basal_u_per_h: 100.5 is out of range [0, 100]");
  CHECK_LOAD_FAILS("name: x\nmeals: [{time_min: -1, carbs_g: 1}]\n",
                   "t.yaml:2:20: meals[0].time_min: -1 is out of range [0, 1000000]");
  tw_example_config c;
  CHECK_OK(load("name: x\ntwins: 1000000000\nbasal_u_per_h: 100\n", &c)); /* bounds are inclusive */
  tw_cfg_release(&tw_example_config_schema, &c);
}

static void enums(void) {
  CHECK_LOAD_FAILS("name: x\nprecision: flaot64\n",
                   "t.yaml:2:12: precision: unknown value 'flaot64' (expected one of float32, float64)");
  CHECK_LOAD_FAILS("name: x\nprecision: [float64]\n",
                   "t.yaml:2:12: precision: expected one of float32, float64, got a list");
  tw_example_config c;
  CHECK_OK(load("name: x\nprecision: \"float32\"\n", &c)); /* a quoted choice is still the choice */
  CHECK_EQ_INT(c.precision, TW_EXAMPLE_FLOAT32);
  tw_cfg_release(&tw_example_config_schema, &c);
}

static void keyword_numbers(void) {
  tw_example_config c;
  CHECK_OK(load("name: x\nbasal_u_per_h: reference\n", &c));
  CHECK(c.basal_is_reference && c.basal_u_per_h == 0);
  tw_cfg_release(&tw_example_config_schema, &c);
  CHECK_OK(load("name: x\nbasal_u_per_h: 0\n", &c));
  CHECK(!c.basal_is_reference && c.basal_u_per_h == 0);
  tw_cfg_release(&tw_example_config_schema, &c);
  CHECK_LOAD_FAILS("name: x\nbasal_u_per_h: referense\n",
                   "t.yaml:2:16: basal_u_per_h: expected a number or 'reference', got 'referense'");
}

static void numbers_and_integers(void) {
  CHECK_LOAD_FAILS("name: x\ntwins: 2.5\n", "t.yaml:2:8: twins: expected an integer, got '2.5' (not a whole number)");
  CHECK_LOAD_FAILS("name: x\ntwins: 0x10\n", "t.yaml:2:8: twins: expected an integer, got '0x10'");
  CHECK_LOAD_FAILS("name: x\ntwins: 1_000\n", "t.yaml:2:8: twins: expected an integer, got '1_000'");
  CHECK_LOAD_FAILS("name: x\ntwins: '5'\n", "t.yaml:2:8: twins: expected an integer, got the string '5' (remove the quotes)");
  CHECK_LOAD_FAILS("name: x\ntwins: !!str 5\n",
                   "t.yaml:2:8: twins: expected an integer, got the string '5' (remove the quotes)");
  CHECK_LOAD_FAILS("name: x\ntwins: 99999999999999999999\n",
                   "t.yaml:2:8: twins: expected an integer, got '99999999999999999999' (too large for a 64-bit integer)");
  CHECK_LOAD_FAILS("name: x\nbasal_u_per_h: .inf\n",
                   "t.yaml:2:16: basal_u_per_h: expected a number or 'reference', got '.inf' (infinity and NaN are not allowed)");
  CHECK_LOAD_FAILS("name: x\nbasal_u_per_h: nan\n",
                   "t.yaml:2:16: basal_u_per_h: expected a number or 'reference', got 'nan' (infinity and NaN are not allowed)");
  CHECK_LOAD_FAILS("name: x\nbasal_u_per_h: 1e999\n",
                   "t.yaml:2:16: basal_u_per_h: expected a number or 'reference', got '1e999' (out of the range of a double)");
  CHECK_LOAD_FAILS("name: x\nbasal_u_per_h: 0x1p3\n",
                   "t.yaml:2:16: basal_u_per_h: expected a number or 'reference', got '0x1p3'");
  CHECK_LOAD_FAILS("name: x\nbasal_u_per_h: 1.5.2\n",
                   "t.yaml:2:16: basal_u_per_h: expected a number or 'reference', got '1.5.2'");
  tw_example_config c;
  CHECK_OK(load("name: x\ntwins: +42\nbasal_u_per_h: -0.0e0\n", &c)); /* -0 is in [0, 100] */
  CHECK_EQ_INT(c.twins, 42);
  tw_cfg_release(&tw_example_config_schema, &c);
}

static void booleans_and_nulls(void) {
  CHECK_LOAD_FAILS("name: x\nenabled: yes\n", "t.yaml:2:10: enabled: expected true or false, got 'yes' (write true or false)");
  CHECK_LOAD_FAILS("name: x\nenabled: 'true'\n",
                   "t.yaml:2:10: enabled: expected true or false, got the string 'true' (remove the quotes)");
  CHECK_LOAD_FAILS("name: x\nenabled: 1\n", "t.yaml:2:10: enabled: expected true or false, got '1'");
  CHECK_LOAD_FAILS("name:\n", "t.yaml:1:6: name: expected a string, got nothing");
  CHECK_LOAD_FAILS("name: ~\n", "t.yaml:1:7: name: expected a string, got nothing");
  tw_example_config c;
  CHECK_OK(load("name: ''\nenabled: False\n", &c)); /* a quoted empty string is a string */
  CHECK_EQ_STR(c.name, "");
  CHECK_EQ_INT(c.enabled, 0);
  tw_cfg_release(&tw_example_config_schema, &c);
  CHECK_OK(load("name: 123\n", &c)); /* a string field reads a plain 123 as text */
  CHECK_EQ_STR(c.name, "123");
  tw_cfg_release(&tw_example_config_schema, &c);
}

static void keys(void) {
  CHECK_LOAD_FAILS("naem: x\n", "t.yaml:1:1: unknown key 'naem' (did you mean 'name'?)");
  CHECK_LOAD_FAILS("name: x\noutput: {pth: a}\n", "t.yaml:2:10: unknown key 'pth' in output (did you mean 'path'?)");
  CHECK_LOAD_FAILS("name: x\nmeals:\n  - time_min: 1\n    carb_g: 1\n",
                   "t.yaml:4:5: unknown key 'carb_g' in meals[0] (did you mean 'carbs_g'?)");
  CHECK_LOAD_FAILS("name: x\nqq: 1\n",
                   "t.yaml:2:1: unknown key 'qq' (known keys: name, enabled, twins, basal_u_per_h, precision, patients, "
                   "output, meals, note, variability, distribution, covariates)");
  CHECK_LOAD_FAILS("twins: 3\n", "t.yaml:1:1: missing required key 'name'");
  CHECK_LOAD_FAILS("name: x\nmeals:\n  - time_min: 1\n", "t.yaml:3:5: missing required key 'carbs_g' in meals[0]");
  CHECK_LOAD_FAILS("name: x\nname: y\n", "t.yaml:2:1: duplicate key 'name' (first at 1:1)");
  CHECK_LOAD_FAILS("name: x\noutput: {path: a, every_min: 1, path: b}\n",
                   "t.yaml:2:33: duplicate key 'path' (first at 2:10)");
  CHECK_LOAD_FAILS("name: x\n[a]: 1\n", "t.yaml:2:1: a mapping key must be a plain name, not a mapping or a list");
  tw_example_config c;
  CHECK_OK(load("kind: example\nname: x\n", &c)); /* `kind` at the top is the caller's to check */
  tw_cfg_release(&tw_example_config_schema, &c);
}

static void containers(void) {
  CHECK_LOAD_FAILS("name: x\npatients: adolescent#001\n",
                   "t.yaml:2:11: patients: expected a list of strings, got 'adolescent#001'");
  CHECK_LOAD_FAILS("name: x\npatients: [a, [b]]\n", "t.yaml:2:15: patients[1]: expected a string, got a list");
  CHECK_LOAD_FAILS("name: x\npatients: [a, ~]\n", "t.yaml:2:15: patients[1]: expected a string, got nothing");
  CHECK_LOAD_FAILS("name: x\noutput: [1]\n", "t.yaml:2:9: output: expected a mapping of keys, got a list");
  CHECK_LOAD_FAILS("name: x\nmeals: [1]\n", "t.yaml:2:9: meals[0]: expected a mapping of keys, got '1'");
  CHECK_LOAD_FAILS("name: x\nmeals: {a: 1}\n", "t.yaml:2:8: meals: expected a list of mappings, got a mapping");
  /* The schema's check hook runs after the fields are bound and points at the meal. */
  CHECK_LOAD_FAILS("name: x\nmeals:\n  - {time_min: 9, carbs_g: 1}\n  - {time_min: 8, carbs_g: 1}\n",
                   "t.yaml:4:5: meals[1]: starts at 8 min, before the meal above it (9 min)");
  /* A failure deep in a list frees what was bound before it (ASan checks). */
  CHECK_LOAD_FAILS("name: x\npatients: [a, b]\nmeals: [{time_min: 1, carbs_g: 1}, {time_min: 2, carbs_g: x}]\n",
                   "t.yaml:3:59: meals[1].carbs_g: expected a number, got 'x'");
}

static void document_errors(void) {
  static const struct {
    const char *text;
    size_t len;
    const char *message;
  } cases[] = {
      {"", 0, "t.yaml: the file is empty (expected a mapping of keys)"},
      {"---\n", 4, "t.yaml:2:1: the document is empty (expected a mapping of keys)"},
      {"just text\n", 10, "t.yaml:1:1: the top level must be a mapping of keys, not a single value"},
      {"a: 1\n\tb: 2\n", 11, "t.yaml:2:1: YAML syntax error: found a tab character that violates indentation (while "
                              "scanning a plain scalar at 1:4)"},
      {"a: \"\xc3\xa9\xff\"\n", 8, "t.yaml:1:6: invalid UTF-8 (byte 0xff); configs must be UTF-8"},
      {"a: \xed\xa0\x80\n", 7, "t.yaml:1:4: invalid UTF-8 (byte 0xed); configs must be UTF-8"}, /* a surrogate */
      {"\xff\xfe" "a\0:\0", 6, "t.yaml: looks like UTF-16; configs must be UTF-8"},
      {"a: 1\0", 5, "t.yaml:1:5: NUL byte in the text (is this a binary file?)"},
      {"a: \"x\\0y\"\n", 10, "t.yaml:1:4: a NUL character (\\0) in a string"},
      {"a: &x 1\nb: *x\n", 14, "t.yaml:1:4: anchors (&name) are not supported: write the value out"},
      {"a: !custom 1\n", 13, "t.yaml:1:4: the tag '!custom' is not supported"},
      {"a: 1\n---\nb: 2\n", 14, "t.yaml:2:1: a second YAML document (a config is one document)"},
  };
  for (size_t i = 0; i < TW_ARRAY_LEN(cases); ++i) {
    tw_cfg_doc *doc = NULL;
    CHECK_STATUS(tw_cfg_parse_string("t.yaml", cases[i].text, cases[i].len, &doc), TW_ERR_INPUT);
    CHECK_EQ_STR(tw_error_message(), cases[i].message);
    CHECK(doc == NULL);
  }
}

static void limits(void) {
  tw_cfg_doc *doc = NULL;
  /* 64 levels are fine, 65 are not. */
  char deep[400];
  size_t n = 0;
  n += (size_t)snprintf(deep + n, sizeof deep - n, "a: ");
  for (int i = 0; i < 63; ++i) deep[n++] = '[';
  for (int i = 0; i < 63; ++i) deep[n++] = ']';
  deep[n++] = '\n';
  CHECK_OK(tw_cfg_parse_string("t.yaml", deep, n, &doc));
  tw_cfg_free(doc);
  n = 3;
  for (int i = 0; i < 64; ++i) deep[n++] = '[';
  for (int i = 0; i < 64; ++i) deep[n++] = ']';
  deep[n++] = '\n';
  CHECK_STATUS(tw_cfg_parse_string("t.yaml", deep, n, &doc), TW_ERR_INPUT);
  CHECK_EQ_STR(tw_error_message(), "t.yaml:1:67: nested deeper than 64 levels");
  /* 1 MiB is the most a config may be. */
  size_t big = (1u << 20) + 1;
  char *text = malloc(big);
  CHECK(text != NULL);
  memset(text, ' ', big);
  memcpy(text, "a: 1\n", 5);
  CHECK_STATUS(tw_cfg_parse_string("t.yaml", text, big, &doc), TW_ERR_INPUT);
  CHECK_EQ_STR(tw_error_message(), "t.yaml: too large (1048577 bytes; a config may have at most 1048576 bytes)");
  CHECK_OK(tw_cfg_parse_string("t.yaml", text, big - 1, &doc));
  tw_cfg_free(doc);
  /* Many keys: duplicate detection sorts, it does not compare every pair. */
  size_t used = 0;
  for (int i = 0; i < 50000; ++i) used += (size_t)snprintf(text + used, big - used, "k%d: %d\n", i, i);
  CHECK_OK(tw_cfg_parse_string("t.yaml", text, used, &doc));
  tw_cfg_free(doc);
  free(text);
}

static void files(void) {
  tw_cfg_doc *doc = NULL;
  CHECK_STATUS(tw_cfg_parse_file(TW_TEST_DATA_DIR "/config/no_such_file.yaml", &doc), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "no_such_file.yaml: cannot open: No such file or directory") != NULL);
  CHECK_STATUS(tw_cfg_parse_file(TW_TEST_DATA_DIR "/config", &doc), TW_ERR_INPUT);
  CHECK(strstr(tw_error_message(), "/config: is a directory, not a config file") != NULL);
  CHECK_OK(tw_cfg_parse_file(TW_SOURCE_DIR "/configs/example.yaml", &doc));
  CHECK(strstr(tw_cfg_path(doc), "configs/example.yaml") != NULL);
  CHECK(strstr(tw_cfg_text(doc), "kind: example\n") != NULL);
  CHECK_EQ_STR(tw_cfg_top_scalar(doc, "kind"), "example");
  CHECK(tw_cfg_top_scalar(doc, "output") == NULL); /* a mapping, not a scalar */
  CHECK(tw_cfg_has_top_key(doc, "output") && !tw_cfg_has_top_key(doc, "pack"));
  CHECK_EQ_INT(tw_cfg_top_mark(doc, "kind").line, 3);
  CHECK_EQ_INT(tw_cfg_top_mark(doc, "kind").col, 7);
  CHECK_EQ_INT(tw_cfg_top_mark(doc, "pack").line, 0);
  tw_cfg_free(doc);
}

static void error_at_format(void) {
  tw_cfg_doc *doc;
  CHECK_OK(tw_cfg_parse_string("dir/c.yaml", "a: 1\n", 5, &doc));
  tw_cfg_mark at = {7, 18}, none = {0, 0};
  CHECK_STATUS(tw_cfg_error_at(doc, at, "duration_min: expected a number, got '%s'", "ten"), TW_ERR_INPUT);
  CHECK_EQ_STR(tw_error_message(), "dir/c.yaml:7:18: duration_min: expected a number, got 'ten'");
  CHECK_STATUS(tw_cfg_error_at(doc, none, "from a default"), TW_ERR_INPUT);
  CHECK_EQ_STR(tw_error_message(), "dir/c.yaml: from a default");
  tw_cfg_free(doc);
}

static void edit_distance(void) {
  CHECK_EQ_INT(tw_cfg_edit_distance("kitten", "sitting"), 3);
  CHECK_EQ_INT(tw_cfg_edit_distance("naem", "name"), 2);
  CHECK_EQ_INT(tw_cfg_edit_distance("", "abc"), 3);
  CHECK_EQ_INT(tw_cfg_edit_distance("abc", ""), 3);
  CHECK_EQ_INT(tw_cfg_edit_distance("same", "same"), 0);
  CHECK_EQ_INT(tw_cfg_edit_distance("flaw", "lawn"), 2);
  /* Longer than the on-stack row: the heap path gives the same answer. */
  char a[201], b[201];
  memset(a, 'x', 200);
  memset(b, 'x', 200);
  a[200] = b[200] = '\0';
  b[0] = 'y';
  b[199] = 'z';
  CHECK_EQ_INT(tw_cfg_edit_distance(a, b), 2);
  CHECK_EQ_INT(tw_cfg_edit_distance(a, "x"), 199);
}

/* A schema with a broken table must be caught by tw_cfg_schema_check. */
typedef struct broken {
  tw_cfg_mark mark;
  int64_t n;
  int choice;
} broken;
static const tw_cfg_field bad_default_fields[] = {
    {.key = "n", .type = TW_CFG_INT, .offset = offsetof(broken, n), .default_text = "0", .has_range = 1, .min = 1,
     .max = 2},
};
static const tw_cfg_field no_choices_fields[] = {
    {.key = "choice", .type = TW_CFG_ENUM, .offset = offsetof(broken, choice)},
};
static const tw_cfg_field required_default_fields[] = {
    {.key = "n", .type = TW_CFG_INT, .offset = offsetof(broken, n), .required = 1, .default_text = "1"},
};

static void schema_check(void) {
  CHECK_OK(tw_cfg_schema_check(&tw_example_config_schema));
  const tw_cfg_schema bad_default = TW_CFG_SCHEMA(broken, bad_default_fields, NULL);
  CHECK_STATUS(tw_cfg_schema_check(&bad_default), TW_ERR_INTERNAL);
  CHECK(strstr(tw_error_message(), "the default \"0\" of 'n' is invalid") != NULL);
  const tw_cfg_schema no_choices = TW_CFG_SCHEMA(broken, no_choices_fields, NULL);
  CHECK_STATUS(tw_cfg_schema_check(&no_choices), TW_ERR_INTERNAL);
  CHECK_EQ_STR(tw_error_message(), "schema 'broken', field 'choice': an enum without choices");
  const tw_cfg_schema required_default = TW_CFG_SCHEMA(broken, required_default_fields, NULL);
  CHECK_STATUS(tw_cfg_schema_check(&required_default), TW_ERR_INTERNAL);
}

int main(void) {
  TW_TEST_RUN(every_field_type);
  TW_TEST_RUN(defaults_fill_absent_keys);
  TW_TEST_RUN(ranges);
  TW_TEST_RUN(enums);
  TW_TEST_RUN(keyword_numbers);
  TW_TEST_RUN(numbers_and_integers);
  TW_TEST_RUN(booleans_and_nulls);
  TW_TEST_RUN(keys);
  TW_TEST_RUN(containers);
  TW_TEST_RUN(document_errors);
  TW_TEST_RUN(limits);
  TW_TEST_RUN(files);
  TW_TEST_RUN(error_at_format);
  TW_TEST_RUN(edit_distance);
  TW_TEST_RUN(schema_check);
  return TW_TEST_RESULT();
}
