/*
** test_config_emit.c: the normalised print (tw_cfg_emit). Its exact layout, its
** round trip (emit, parse, bind gives the same values and the same text), strings
** that need quoting, and numbers in their shortest round-trip form.
*/
#include <math.h>   /* signbit */
#include <stdint.h> /* int64_t */
#include <stdlib.h> /* free, strtod */
#include <string.h> /* strlen, memcmp */

#include "core/config.h"
#include "core/config_example.h" /* tw_example_config_schema */
#include "core/config_tree.h"    /* tw_cfg_format_number */
#include "tw_test.h"

static tw_status load(const char *text, tw_example_config *cfg) {
  tw_cfg_doc *doc;
  TW_TRY(tw_cfg_parse_string("t.yaml", text, strlen(text), &doc));
  tw_status st = tw_cfg_bind(doc, &tw_example_config_schema, cfg);
  tw_cfg_free(doc);
  return st;
}

static void exact_layout(void) {
  tw_example_config c;
  CHECK_OK(load("name: demo run\npatients: [a#1, 'b c']\nmeals: [{time_min: 420, carbs_g: 50}]\n", &c));
  char *text;
  CHECK_OK(tw_cfg_emit(&tw_example_config_schema, &c, &text));
  CHECK_EQ_STR(text,
               "name: demo run\n"
               "enabled: true\n"
               "twins: 1\n"
               "basal_u_per_h: reference  # U/h\n"
               "precision: float64\n"
               "patients: [a#1, b c]\n"
               "output:\n"
               "  path: out.h5\n"
               "  every_min: 5  # min\n"
               "meals:\n"
               "  - time_min: 420  # min\n"
               "    carbs_g: 50  # g\n"
               "variability:\n"
               "  cv: []\n"
               "distribution:\n"
               "  kind: normal\n"
               "  mean: 70\n"
               "  sd: 10\n"
               "covariates: []\n");
  free(text);
  tw_cfg_release(&tw_example_config_schema, &c);
}

/* Emits c, parses and binds the text, emits again: both texts must match and
** the values must be equal (checked field by field by the caller). */
static tw_status round_trip(const tw_example_config *c, tw_example_config *back, char **text) {
  TW_TRY(tw_cfg_emit(&tw_example_config_schema, c, text));
  TW_TRY(load(*text, back));
  char *again;
  TW_TRY(tw_cfg_emit(&tw_example_config_schema, back, &again));
  int same = !strcmp(*text, again);
  free(again);
  return same ? TW_OK : TW_FAIL(TW_ERR_INTERNAL, "emit is not idempotent");
}

static void round_trip_values(void) {
  static const char *text =
      "name: \"quote \\\" backslash \\\\ tab \\t newline \\n bell \\a nel \\N ls \\L bom \\uFEFF e \\u00e9 emoji \\U0001F600\"\n"
      "enabled: false\n"
      "twins: 123456789\n"
      "basal_u_per_h: 0.1\n"
      "precision: float32\n"
      "patients: ['yes', 'no', '123', '1e3', '', ' lead', 'trail ', 'a: b', 'a #b', '#x', '- x', '[x]', '~', 'null', "
      "'-', 'x,y', '!tag', '&a', '*a', '%p', '@at', '`t', '|', '>', '?', 'O''Brien', 'true', 'on']\n"
      "output: {path: \"caf\\u00e9/out.h5\", every_min: 1440}\n"
      "meals: [{time_min: 0.30000000000000004, carbs_g: 1e-300}, {time_min: 1e5, carbs_g: 499.99999999999994}]\n"
      "note: \"multi\\nline\\n\"\n";
  tw_example_config c, back;
  CHECK_OK(load(text, &c));
  char *out = NULL;
  CHECK_OK(round_trip(&c, &back, &out));
  CHECK_EQ_STR(back.name, c.name);
  CHECK_EQ_INT(back.enabled, c.enabled);
  CHECK_EQ_INT(back.twins, c.twins);
  CHECK(back.basal_u_per_h == c.basal_u_per_h);
  CHECK_EQ_INT(back.precision, c.precision);
  CHECK_EQ_INT(back.n_patients, c.n_patients);
  for (int i = 0; i < c.n_patients; ++i) CHECK_EQ_STR(back.patients[i], c.patients[i]);
  CHECK_EQ_STR(back.output.path, c.output.path);
  CHECK_EQ_INT(back.output.every_min, c.output.every_min);
  CHECK_EQ_INT(back.n_meals, c.n_meals);
  for (int i = 0; i < c.n_meals; ++i)
    CHECK(back.meals[i].time_min == c.meals[i].time_min && back.meals[i].carbs_g == c.meals[i].carbs_g);
  CHECK_EQ_STR(back.note, c.note);
  /* Strings that would read back as something else are quoted; plain ones are not. */
  CHECK(strstr(out, "patients: [\"yes\", \"no\", \"123\", \"1e3\", \"\", \" lead\"") != NULL);
  CHECK(strstr(out, "time_min: 0.30000000000000004  # min") != NULL);
  CHECK(strstr(out, "carbs_g: 1.0e-300  # g") != NULL);
  free(out);
  tw_cfg_release(&tw_example_config_schema, &c);
  tw_cfg_release(&tw_example_config_schema, &back);
}

static void optional_fields(void) {
  tw_example_config c, back;
  char *out;
  CHECK_OK(load("name: x\n", &c));
  CHECK_OK(tw_cfg_emit(&tw_example_config_schema, &c, &out));
  CHECK(strstr(out, "note") == NULL); /* optional without default, absent: left out */
  CHECK(strstr(out, "patients: []\n") != NULL && strstr(out, "meals: []\n") != NULL);
  free(out);
  tw_cfg_release(&tw_example_config_schema, &c);
  CHECK_OK(load("name: x\nnote: ''\nbasal_u_per_h: -0.0\n", &c));
  CHECK_OK(round_trip(&c, &back, &out));
  CHECK(strstr(out, "note: \"\"\n") != NULL); /* given, though empty: printed */
  CHECK(strstr(out, "basal_u_per_h: -0  # U/h\n") != NULL);
  CHECK(back.basal_u_per_h == 0 && signbit(back.basal_u_per_h));
  free(out);
  tw_cfg_release(&tw_example_config_schema, &c);
  tw_cfg_release(&tw_example_config_schema, &back);
}

static void shortest_numbers(void) {
  static const struct {
    double x;
    const char *text;
  } cases[] = {
      {0.1, "0.1"},     {1.0 / 3, "0.3333333333333333"}, {1e300, "1.0e+300"}, {1e-5, "1.0e-05"},
      {1e6, "1000000"}, {-2.5, "-2.5"},                   {0, "0"},             {4.9406564584124654e-324, "4.94065645841247e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"}, {123456789012345680, "1.2345678901234568e+17"},
  };
  for (size_t i = 0; i < TW_ARRAY_LEN(cases); ++i) {
    char out[32];
    tw_cfg_format_number(cases[i].x, out);
    CHECK_EQ_STR(out, cases[i].text);
    CHECK(strtod(out, NULL) == cases[i].x);
  }
}

static void bad_objects(void) {
  /* A struct filled by code, not by binding: emit refuses values it cannot print. */
  tw_example_config c;
  memset(&c, 0, sizeof c);
  c.precision = 7;
  char *out = NULL;
  CHECK_STATUS(tw_cfg_emit(&tw_example_config_schema, &c, &out), TW_ERR_INTERNAL);
  CHECK(out == NULL);
  c.precision = 0;
  c.basal_u_per_h = INFINITY;
  CHECK_STATUS(tw_cfg_emit(&tw_example_config_schema, &c, &out), TW_ERR_INTERNAL);
}

/* A schema whose fields are all optional without defaults: an item or a map
** that holds nothing prints as {} and still reads back. */
typedef struct opt_item {
  tw_cfg_mark mark;
  int64_t n;
} opt_item;
typedef struct opt_config {
  tw_cfg_mark mark;
  opt_item inner;
  opt_item *items;
  int n_items;
} opt_config;
static const tw_cfg_field opt_item_fields[] = {
    {.key = "n", .type = TW_CFG_INT, .offset = offsetof(opt_item, n)},
};
static const tw_cfg_schema opt_item_schema = TW_CFG_SCHEMA(opt_item, opt_item_fields, NULL);
static const tw_cfg_field opt_fields[] = {
    {.key = "inner", .type = TW_CFG_MAP, .offset = offsetof(opt_config, inner), .sub = &opt_item_schema},
    {.key = "items", .type = TW_CFG_LIST, .offset = offsetof(opt_config, items), .sub = &opt_item_schema,
     .count_offset = offsetof(opt_config, n_items)},
};
static const tw_cfg_schema opt_schema = TW_CFG_SCHEMA(opt_config, opt_fields, NULL);

static void empty_maps(void) {
  const char *text = "inner: {}\nitems: [{}, {n: 0}, {n: 2}]\n";
  tw_cfg_doc *doc, *doc2;
  opt_config c, back;
  char *out, *again;
  CHECK_OK(tw_cfg_parse_string("t.yaml", text, strlen(text), &doc));
  CHECK_OK(tw_cfg_bind(doc, &opt_schema, &c));
  CHECK_OK(tw_cfg_emit(&opt_schema, &c, &out));
  CHECK_EQ_STR(out, "inner: {}\nitems:\n  - {}\n  - {}\n  - n: 2\n");
  CHECK_OK(tw_cfg_parse_string("t.yaml", out, strlen(out), &doc2));
  CHECK_OK(tw_cfg_bind(doc2, &opt_schema, &back));
  CHECK_OK(tw_cfg_emit(&opt_schema, &back, &again));
  CHECK_EQ_STR(again, out);
  CHECK(back.n_items == 3 && back.items[2].n == 2);
  free(out);
  free(again);
  tw_cfg_release(&opt_schema, &c);
  tw_cfg_release(&opt_schema, &back);
  tw_cfg_free(doc);
  tw_cfg_free(doc2);
  /* Nothing at all given: the whole config prints as {}. */
  memset(&c, 0, sizeof c);
  CHECK_OK(tw_cfg_emit(&opt_schema, &c, &out));
  CHECK_EQ_STR(out, "{}\n");
  free(out);
}

int main(void) {
  TW_TEST_RUN(exact_layout);
  TW_TEST_RUN(round_trip_values);
  TW_TEST_RUN(optional_fields);
  TW_TEST_RUN(shortest_numbers);
  TW_TEST_RUN(bad_objects);
  TW_TEST_RUN(empty_maps);
  return TW_TEST_RESULT();
}
