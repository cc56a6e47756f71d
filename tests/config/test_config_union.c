/*
** test_config_union.c: the two composite field types that cohorts need
** (config.h): lists of numbers (TW_CFG_NUMBER_LIST: element ranges, lengths,
** marks) and tagged unions (TW_CFG_UNION: the kind picks the schema, defaults
** within the kind, unknown kinds and keys of other kinds), alone, in lists and
** with lists inside; every error's exact FILE:LINE:COL text; the emitted text
** (tag first) and its round trip; and tw_cfg_schema_check on broken tables.
*/
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* strlen, strcmp, memset */

#include "core/config.h"
#include "core/config_example.h" /* tw_example_config_schema: both types, in lists and unions */
#include "tw_test.h"

static tw_status load(const char *text, tw_example_config *cfg) {
  tw_cfg_doc *doc;
  memset(cfg, 0, sizeof *cfg);
  TW_TRY(tw_cfg_parse_string("t.yaml", text, strlen(text), &doc));
  tw_status st = tw_cfg_bind(doc, &tw_example_config_schema, cfg);
  tw_cfg_free(doc);
  return st;
}

/* "name: x\n" + `line2` fails with exactly `message`, and leaves the struct zeroed. */
#define CHECK_LINE2_FAILS(line2, message)                                                      \
  do {                                                                                         \
    tw_example_config cfg_;                                                                    \
    char text_[8192];                                                                          \
    snprintf(text_, sizeof text_, "name: x\n%s\n", line2);                                     \
    CHECK_STATUS(load(text_, &cfg_), TW_ERR_INPUT);                                            \
    CHECK_EQ_STR(tw_error_message(), message);                                                 \
    CHECK(cfg_.name == NULL && cfg_.variability.cv == NULL && cfg_.covariates == NULL);        \
  } while (0)

static const char *good =
    "name: x\n"
    "variability:\n"
    "  cv: [0.1, 0,\n"
    "       10]\n"
    "  correlation_row: [1, -0.5, 0.25]\n"
    "distribution: {kind: lognormal, median: 70}\n"
    "covariates:\n"
    "  - {kind: uniform, lo: 50, hi: 90}\n"
    "  - kind: empirical\n"
    "    values: [3, 1, 2]\n"
    "  - {mean: -1, kind: normal}\n";

static void good_values(void) {
  tw_example_config c;
  CHECK_OK(load(good, &c));
  CHECK_EQ_INT(c.variability.n_cv, 3);
  CHECK(c.variability.cv[0] == 0.1 && c.variability.cv[1] == 0 && c.variability.cv[2] == 10);
  CHECK(c.variability.cv_marks[0].line == 3 && c.variability.cv_marks[0].col == 8);
  CHECK(c.variability.cv_marks[2].line == 4 && c.variability.cv_marks[2].col == 8);
  CHECK_EQ_INT(c.variability.n_correlation_row, 3);
  CHECK(c.variability.correlation_row[1] == -0.5 && c.variability.correlation_row[2] == 0.25);
  CHECK_EQ_INT(c.distribution.kind, TW_EXAMPLE_LOGNORMAL);
  CHECK(c.distribution.as.lognormal.median == 70);
  CHECK(c.distribution.as.lognormal.cv == 0.2); /* the default within the chosen kind */
  CHECK(c.distribution.as.lognormal.mark.line == 6 && c.distribution.as.lognormal.mark.col == 15);
  CHECK_EQ_INT(c.n_covariates, 3);
  CHECK_EQ_INT(c.covariates[0].kind, TW_EXAMPLE_UNIFORM);
  CHECK(c.covariates[0].as.uniform.lo == 50 && c.covariates[0].as.uniform.hi == 90);
  CHECK(c.covariates[0].mark.line == 8 && c.covariates[0].mark.col == 5);
  CHECK_EQ_INT(c.covariates[1].kind, TW_EXAMPLE_EMPIRICAL);
  CHECK_EQ_INT(c.covariates[1].as.empirical.n_values, 3);
  CHECK(c.covariates[1].as.empirical.values[0] == 3 && c.covariates[1].as.empirical.values[2] == 2);
  CHECK_EQ_INT(c.covariates[2].kind, TW_EXAMPLE_NORMAL); /* the tag need not come first */
  CHECK(c.covariates[2].as.normal.mean == -1 && c.covariates[2].as.normal.sd == 1);
  tw_cfg_release(&tw_example_config_schema, &c);
  CHECK(c.variability.cv == NULL && c.covariates == NULL && c.n_covariates == 0);
}

static void defaults(void) {
  tw_example_config c;
  CHECK_OK(load("name: x\n", &c));
  CHECK(c.variability.n_cv == 0 && c.variability.cv == NULL && c.variability.n_correlation_row == 0);
  CHECK_EQ_INT(c.distribution.kind, TW_EXAMPLE_NORMAL);
  CHECK(c.distribution.as.normal.mean == 70 && c.distribution.as.normal.sd == 10);
  CHECK_EQ_INT(c.n_covariates, 0);
  tw_cfg_release(&tw_example_config_schema, &c);
}

static void number_list_errors(void) {
  CHECK_LINE2_FAILS("variability: {cv: [1, 2, -0.1]}", "t.yaml:2:26: variability.cv[2]: -0.1 is out of range [0, 10]");
  CHECK_LINE2_FAILS("variability: {cv: [1, x]}", "t.yaml:2:23: variability.cv[1]: expected a number, got 'x'");
  CHECK_LINE2_FAILS("variability: {cv: [[1]]}", "t.yaml:2:20: variability.cv[0]: expected a number, got a list");
  CHECK_LINE2_FAILS("variability: {cv: ['1']}",
                    "t.yaml:2:20: variability.cv[0]: expected a number, got the string '1' (remove the quotes)");
  CHECK_LINE2_FAILS("variability: {cv: [~]}", "t.yaml:2:20: variability.cv[0]: expected a number, got nothing");
  CHECK_LINE2_FAILS("variability: {cv: [.nan]}",
                    "t.yaml:2:20: variability.cv[0]: expected a number, got '.nan' (infinity and NaN are not allowed)");
  CHECK_LINE2_FAILS("variability: {cv: 1}", "t.yaml:2:19: variability.cv: expected a list of numbers, got '1'");
  CHECK_LINE2_FAILS("variability: {correlation_row: [1, 0]}",
                    "t.yaml:2:32: variability.correlation_row: expected exactly 3 numbers, got 2");
  CHECK_LINE2_FAILS("distribution: {kind: empirical, values: []}",
                    "t.yaml:2:41: distribution.values: expected at least 1 number, got 0");
  CHECK_LINE2_FAILS("variability:\n  cv:\n    - 1\n    - 11",
                    "t.yaml:5:7: variability.cv[1]: 11 is out of range [0, 10]");
  /* 1001 values, one over the maximum. */
  size_t cap = 64 + 3 * 1001;
  char *line = malloc(cap);
  CHECK(line != NULL);
  if (!line) return;
  size_t used = (size_t)snprintf(line, cap, "distribution: {kind: empirical, values: [");
  for (int i = 0; i < 1001; ++i) used += (size_t)snprintf(line + used, cap - used, i ? ",0" : "0");
  snprintf(line + used, cap - used, "]}");
  CHECK_LINE2_FAILS(line, "t.yaml:2:41: distribution.values: expected at most 1000 numbers, got 1001");
  free(line);
}

static void union_errors(void) {
  CHECK_LINE2_FAILS("distribution: {kind: lognorml, median: 1}",
                    "t.yaml:2:22: distribution.kind: unknown kind 'lognorml' (did you mean 'lognormal'?)");
  CHECK_LINE2_FAILS("distribution: {kind: gamma}",
                    "t.yaml:2:22: distribution.kind: unknown kind 'gamma' (known kinds: lognormal, uniform, normal, "
                    "empirical)");
  CHECK_LINE2_FAILS("distribution: {median: 1}",
                    "t.yaml:2:15: missing required key 'kind' in distribution (one of: lognormal, uniform, normal, "
                    "empirical)");
  CHECK_LINE2_FAILS("distribution: {kind: [a]}",
                    "t.yaml:2:22: distribution.kind: expected a kind (lognormal, uniform, normal, empirical), got a "
                    "list");
  CHECK_LINE2_FAILS("distribution: normal",
                    "t.yaml:2:15: distribution: expected a mapping with 'kind:' one of lognormal, uniform, normal, "
                    "empirical, got 'normal'");
  /* A key of another kind is unknown here; near misses are sought among this kind's keys only. */
  CHECK_LINE2_FAILS("distribution: {kind: lognormal, median: 1, lo: 2}",
                    "t.yaml:2:44: unknown key 'lo' in distribution of kind 'lognormal' (known keys: median, cv)");
  CHECK_LINE2_FAILS("distribution: {kind: uniform, lo: 1, hi: 2, cv: 1}",
                    "t.yaml:2:45: unknown key 'cv' in distribution of kind 'uniform' (known keys: lo, hi)");
  CHECK_LINE2_FAILS("distribution: {kind: lognormal, medain: 1}",
                    "t.yaml:2:33: unknown key 'medain' in distribution of kind 'lognormal' (did you mean 'median'?)");
  CHECK_LINE2_FAILS("distribution: {kind: uniform, lo: 1}", "t.yaml:2:15: missing required key 'hi' in distribution");
  CHECK_LINE2_FAILS("distribution: {kind: uniform, lo: 2, hi: 1}", "t.yaml:2:15: uniform: lo (2) must be below hi (1)");
  CHECK_LINE2_FAILS("distribution: {kind: lognormal, median: 1, cv: -1}",
                    "t.yaml:2:48: distribution.cv: -1 is out of range [0, 10]");
}

static void lists_of_unions(void) {
  CHECK_LINE2_FAILS("covariates: [{kind: normal, mean: 1}, {kind: uniform, lo: 1, hi: 2, sd: 3}]",
                    "t.yaml:2:69: unknown key 'sd' in covariates[1] of kind 'uniform' (known keys: lo, hi)");
  CHECK_LINE2_FAILS("covariates: [{kind: empirical, values: [1, 1e400]}]",
                    "t.yaml:2:44: covariates[0].values[1]: expected a number, got '1e400' (out of the range of a "
                    "double)");
  CHECK_LINE2_FAILS("covariates: [normal]", "t.yaml:2:14: covariates[0]: expected a mapping of keys, got 'normal'");
  CHECK_LINE2_FAILS("covariates: [{mean: 1}]",
                    "t.yaml:2:14: missing required key 'kind' in covariates[0] (one of: lognormal, uniform, normal, "
                    "empirical)");
  CHECK_LINE2_FAILS("covariates: [{kind: normal, mean: 1, values: [1]}]",
                    "t.yaml:2:38: unknown key 'values' in covariates[0] of kind 'normal' (known keys: mean, sd)");
}

/* Emit writes the tag first and every default; the text binds back to the
** same values and emits the same text again. */
static void round_trip(void) {
  tw_example_config c, back;
  char *text = NULL, *again = NULL;
  CHECK_OK(load(good, &c));
  CHECK_OK(tw_cfg_emit(&tw_example_config_schema, &c, &text));
  const char *tail = strstr(text, "variability:");
  CHECK_EQ_STR(tail,
               "variability:\n"
               "  cv: [0.1, 0, 10]\n"
               "  correlation_row: [1, -0.5, 0.25]\n"
               "distribution:\n"
               "  kind: lognormal\n"
               "  median: 70\n"
               "  cv: 0.2\n"
               "covariates:\n"
               "  - kind: uniform\n"
               "    lo: 50\n"
               "    hi: 90\n"
               "  - kind: empirical\n"
               "    values: [3, 1, 2]\n"
               "  - kind: normal\n"
               "    mean: -1\n"
               "    sd: 1\n");
  CHECK_OK(load(text, &back));
  CHECK_OK(tw_cfg_emit(&tw_example_config_schema, &back, &again));
  CHECK_EQ_STR(again, text);
  CHECK_EQ_INT(back.variability.n_cv, c.variability.n_cv);
  for (int i = 0; i < c.variability.n_cv; ++i) CHECK(back.variability.cv[i] == c.variability.cv[i]);
  CHECK(back.distribution.kind == c.distribution.kind && back.distribution.as.lognormal.cv == 0.2);
  CHECK_EQ_INT(back.n_covariates, 3);
  for (int i = 0; i < 3; ++i) CHECK_EQ_INT(back.covariates[i].kind, c.covariates[i].kind);
  CHECK(back.covariates[1].as.empirical.n_values == 3 && back.covariates[1].as.empirical.values[1] == 1);
  free(text);
  free(again);
  tw_cfg_release(&tw_example_config_schema, &c);
  tw_cfg_release(&tw_example_config_schema, &back);
}

/* A union with its own tag key (`shape:`), in a schema written here. */
typedef struct circle {
  tw_cfg_mark mark;
  double r;
} circle;
typedef struct square {
  tw_cfg_mark mark;
  double side;
  char *label;
} square;
typedef struct shaped {
  tw_cfg_mark mark;
  int shape;
  union {
    circle circle;
    square square;
  } as;
} shaped;
static const tw_cfg_field circle_fields[] = {
    {.key = "r", .type = TW_CFG_NUMBER, .offset = offsetof(circle, r), .default_text = "1"},
};
static const tw_cfg_field square_fields[] = {
    {.key = "side", .type = TW_CFG_NUMBER, .offset = offsetof(square, side), .required = 1},
    {.key = "label", .type = TW_CFG_STRING, .offset = offsetof(square, label), .default_text = "sq"},
};
static const tw_cfg_schema circle_schema = TW_CFG_SCHEMA(circle, circle_fields, NULL);
static const tw_cfg_schema square_schema = TW_CFG_SCHEMA(square, square_fields, NULL);
static const char *const shapes[] = {"circle", "square", NULL};
static const tw_cfg_schema *const shape_schemas[] = {&circle_schema, &square_schema};
static const tw_cfg_field shaped_fields[] = {
    {.key = "it", .type = TW_CFG_UNION, .offset = offsetof(shaped, shape), .value_offset = offsetof(shaped, as),
     .choices = shapes, .variants = shape_schemas, .tag_key = "shape", .required = 1},
};
static const tw_cfg_schema shaped_schema = TW_CFG_SCHEMA(shaped, shaped_fields, NULL);

static void own_tag_key(void) {
  CHECK_OK(tw_cfg_schema_check(&shaped_schema));
  const char *text = "it: {side: 2, shape: square}\n";
  tw_cfg_doc *doc;
  shaped s;
  char *out;
  CHECK_OK(tw_cfg_parse_string("s.yaml", text, strlen(text), &doc));
  CHECK_OK(tw_cfg_bind(doc, &shaped_schema, &s));
  CHECK(s.shape == 1 && s.as.square.side == 2);
  CHECK_EQ_STR(s.as.square.label, "sq");
  CHECK_OK(tw_cfg_emit(&shaped_schema, &s, &out));
  CHECK_EQ_STR(out, "it:\n  shape: square\n  side: 2\n  label: sq\n");
  free(out);
  tw_cfg_release(&shaped_schema, &s);
  CHECK(s.as.square.label == NULL);
  tw_cfg_free(doc);
  text = "it: {kind: circle}\n";
  CHECK_OK(tw_cfg_parse_string("s.yaml", text, strlen(text), &doc));
  CHECK_STATUS(tw_cfg_bind(doc, &shaped_schema, &s), TW_ERR_INPUT);
  CHECK_EQ_STR(tw_error_message(), "s.yaml:1:5: missing required key 'shape' in it (one of: circle, square)");
  tw_cfg_free(doc);
}

/* Broken tables that tw_cfg_schema_check must refuse, each with its reason. */
typedef struct lists {
  tw_cfg_mark mark;
  double *x;
  int n_x;
  int kind;
  union {
    circle circle;
    square square;
  } as;
} lists;
static const tw_cfg_field bad_count_fields[] = {
    {.key = "x", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(lists, x), .count_offset = offsetof(lists, n_x),
     .min_count = 3, .max_count = 2},
};
static const tw_cfg_field no_count_fields[] = {
    {.key = "x", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(lists, x)},
};
static const tw_cfg_field short_default_fields[] = {
    {.key = "x", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(lists, x), .count_offset = offsetof(lists, n_x),
     .min_count = 1, .default_text = "[]"},
};
static const tw_cfg_schema *const one_variant[] = {&circle_schema, NULL};
static const tw_cfg_field few_variants_fields[] = {
    {.key = "u", .type = TW_CFG_UNION, .offset = offsetof(lists, kind), .value_offset = offsetof(lists, as),
     .choices = shapes, .variants = one_variant},
};
static const tw_cfg_field tag_clash_fields[] = {
    {.key = "u", .type = TW_CFG_UNION, .offset = offsetof(lists, kind), .value_offset = offsetof(lists, as),
     .choices = shapes, .variants = shape_schemas, .tag_key = "side"},
};
static const tw_cfg_field bad_union_default_fields[] = {
    {.key = "u", .type = TW_CFG_UNION, .offset = offsetof(lists, kind), .value_offset = offsetof(lists, as),
     .choices = shapes, .variants = shape_schemas, .default_text = "{kind: triangle}"},
};
static const tw_cfg_field bare_not_alone_fields[] = {
    {.key = "", .type = TW_CFG_UNION, .offset = offsetof(lists, kind), .value_offset = offsetof(lists, as),
     .choices = shapes, .variants = shape_schemas},
    {.key = "x", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(lists, x), .count_offset = offsetof(lists, n_x)},
};
static const tw_cfg_field count_on_number_fields[] = {
    {.key = "k", .type = TW_CFG_INT, .offset = offsetof(lists, kind), .max_count = 2},
};

static void schema_check(void) {
  CHECK_OK(tw_cfg_schema_check(&tw_example_config_schema));
  static const struct {
    tw_cfg_schema schema;
    const char *message;
  } cases[] = {
      {TW_CFG_SCHEMA(lists, bad_count_fields, NULL),
       "schema 'lists', field 'x': min_count/max_count negative or out of order"},
      {TW_CFG_SCHEMA(lists, no_count_fields, NULL), "schema 'lists', field 'x': count_offset not set"},
      {TW_CFG_SCHEMA(lists, short_default_fields, NULL),
       "schema 'lists': the default \"[]\" of 'x' is invalid: x: x: expected at least 1 number, got 0"},
      {TW_CFG_SCHEMA(lists, few_variants_fields, NULL), "schema 'lists', field 'u': fewer variants than choices"},
      {TW_CFG_SCHEMA(lists, tag_clash_fields, NULL), "schema 'lists', field 'u': a kind with a field named as the tag"},
      {TW_CFG_SCHEMA(lists, bad_union_default_fields, NULL),
       "schema 'lists': the default \"{kind: triangle}\" of 'u' is invalid: u: u.kind: unknown kind "
       "'triangle' (known kinds: circle, square)"},
      {TW_CFG_SCHEMA(lists, bare_not_alone_fields, NULL),
       "schema 'lists', field '': an empty key on a field other than a lone UNION"},
      {TW_CFG_SCHEMA(lists, count_on_number_fields, NULL),
       "schema 'lists', field 'k': min_count/max_count on a field that is not a NUMBER_LIST"},
  };
  for (size_t i = 0; i < TW_ARRAY_LEN(cases); ++i) {
    CHECK_STATUS(tw_cfg_schema_check(&cases[i].schema), TW_ERR_INTERNAL);
    CHECK_EQ_STR(tw_error_message(), cases[i].message);
  }
}

int main(void) {
  TW_TEST_RUN(good_values);
  TW_TEST_RUN(defaults);
  TW_TEST_RUN(number_list_errors);
  TW_TEST_RUN(union_errors);
  TW_TEST_RUN(lists_of_unions);
  TW_TEST_RUN(round_trip);
  TW_TEST_RUN(own_tag_key);
  TW_TEST_RUN(schema_check);
  return TW_TEST_RESULT();
}
