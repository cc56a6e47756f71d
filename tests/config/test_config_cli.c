/*
** test_config_cli.c: `twinscale config check` run as a user runs it, on the
** fixtures in tests/data/config: each bad config gives exactly one line on
** stderr, FILE:LINE:COL first, nothing on stdout, and exit status 2; a good one
** prints its normalised form, which checks again to the same text.
*/
#define _POSIX_C_SOURCE 200809L /* fileno, popen, opendir: POSIX, not C17 */

#include <stdio.h>    /* popen, pclose, fread, fopen */
#include <stdlib.h>   /* free */
#include <string.h>   /* strcmp, strchr, strlen */
#include <sys/wait.h> /* WIFEXITED, WEXITSTATUS */

#include "tw_test.h"

#define TWINSCALE TW_BINARY_DIR "/twinscale"
#define FIXTURES TW_TEST_DATA_DIR "/config/"

/* Runs `twinscale config check <arg>`, keeping stream `which` (1 stdout, 2
** stderr; the other goes to /dev/null) in out. Returns the exit status. */
static int run_check(const char *arg, int which, char *out, size_t cap) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "'%s' config check %s %s", TWINSCALE, arg,
           which == 1 ? "2>/dev/null" : "2>&1 >/dev/null");
  FILE *p = popen(cmd, "r");
  if (!p) return -1;
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* `twinscale config check FIXTURES/file` fails with exactly "PATH<rest>\n"; a
** rest ending in '*' needs only to start the line (the list of kinds grows). */
static void expect_error(const char *file, const char *rest) {
  char path[1024], arg[1100], want[2048], got[4096];
  snprintf(path, sizeof path, "%s%s", file[0] == '/' ? "" : FIXTURES, file);
  snprintf(arg, sizeof arg, "'%s'", path);
  size_t prefix = (size_t)snprintf(want, sizeof want, "%s%s\n", path, rest) - 2;
  int rc = run_check(arg, 2, got, sizeof got);
  CHECK_MSG(rc == 2, "%s: exit status %d, expected 2", file, rc);
  if (want[prefix] == '*') CHECK_MSG(!strncmp(got, want, prefix), "%s: got %s", file, got);
  else CHECK_EQ_STR(got, want);
  CHECK_MSG(strchr(got, '\n') == got + strlen(got) - 1, "%s: more than one line", file);
  rc = run_check(arg, 1, got, sizeof got);
  CHECK_MSG(got[0] == '\0', "%s: printed on stdout: %s", file, got);
}

static void one_line_errors(void) {
  static const char *const cases[][2] = {
      {"misspelt_key.yaml", ":2:1: unknown key 'naem' (did you mean 'name'?)"},
      {"unknown_key.yaml", ":3:1: unknown key 'zzzzzz' (known keys: name, enabled, twins, basal_u_per_h, precision, "
                           "patients, output, meals, note, variability, distribution, covariates)"},
      {"nested_misspelt.yaml", ":4:21: unknown key 'carb_g' in meals[0] (did you mean 'carbs_g'?)"},
      {"wrong_type.yaml", ":3:8: twins: expected an integer, got 'ten'"},
      {"list_element_type.yaml", ":3:15: patients[1]: expected a string, got a mapping"},
      {"quoted_number.yaml", ":3:8: twins: expected an integer, got the string '5' (remove the quotes)"},
      {"fraction_int.yaml", ":3:8: twins: expected an integer, got '2.5' (not a whole number)"},
      {"nan_number.yaml", ":3:16: basal_u_per_h: expected a number or 'reference', got '.nan' (infinity and NaN are "
                          "not allowed)"},
      {"yaml11_bool.yaml", ":3:10: enabled: expected true or false, got 'yes' (write true or false)"},
      {"bad_enum.yaml", ":3:12: precision: unknown value 'float16' (expected one of float32, float64)"},
      {"out_of_range.yaml", ":4:14: output.every_min: 0 is out of range [1, 1440]"},
      {"missing_required.yaml", ":1:1: missing required key 'name'"},
      {"meals_out_of_order.yaml", ":5:5: meals[1]: starts at 400 min, before the meal above it (420 min)"},
      {"duplicate_key.yaml", ":3:1: duplicate key 'name' (first at 2:1)"},
      {"not_a_mapping.yaml", ":1:1: the top level must be a mapping of keys, not a list"},
      {"empty.yaml", ": the file is empty (expected a mapping of keys)"},
      {"only_comment.yaml", ": the file is empty (expected a mapping of keys)"},
      {"invalid_utf8.yaml", ":2:8: invalid UTF-8 (byte 0xe9); configs must be UTF-8"},
      {"syntax_error.yaml", ":3:1: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence "
                            "at 2:7)"},
      {"two_documents.yaml", ":3:1: a second YAML document (a config is one document)"},
      {"alias.yaml", ":2:7: anchors (&name) are not supported: write the value out"},
      {"too_deep.yaml", ":3:70: nested deeper than 64 levels"},
      {"unknown_kind.yaml", ":1:7: unknown config kind 'simulat' (*"},
      {"no_kind.yaml", ":1:1: cannot tell what kind of config this is: add 'kind: <name>' at the top (known kinds: *"},
      {"misspelt_kind.yaml", ":2:1: unknown key 'knid' (did you mean 'kind'?)"},
      {"misspelt_detect_key.yaml", ":2:1: cannot tell what kind of config this is: unknown key 'pakc' (did you mean "
                                   "'pack', which makes it a 'simulate' config?)"},
      {"number_list_out_of_range.yaml", ":4:18: variability.cv[2]: -0.1 is out of range [0, 10]"},
      {"number_list_length.yaml", ":5:5: variability.correlation_row: expected exactly 3 numbers, got 2"},
      {"misspelt_union_kind.yaml", ":3:22: distribution.kind: unknown kind 'lognorml' (did you mean 'lognormal'?)"},
      {"union_key_of_other_kind.yaml", ":7:5: unknown key 'sd' in covariates[1] of kind 'uniform' (known keys: lo, "
                                       "hi)"},
      {"no_such_file.yaml", ": cannot open: No such file or directory"},
  };
  for (size_t i = 0; i < TW_ARRAY_LEN(cases); ++i) {
    expect_error(cases[i][0], cases[i][1]);
    if (tw_test_case_failed_) return;
  }
  expect_error(TW_TEST_DATA_DIR "/config", ": is a directory, not a config file");
}

static void too_large(void) {
  const char *path = TW_BINARY_DIR "/config_cli_too_large.yaml";
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  fputs("kind: example\nname: x\nnote: ", f);
  for (int i = 0; i < (1 << 20); ++i) fputc('x', f);
  fputs("\n", f);
  fclose(f);
  expect_error(path, ": too large (over 1048576 bytes; a config may have at most 1048576 bytes)");
  remove(path);
}

static void usage_error(void) {
  char got[1024];
  CHECK_EQ_INT(run_check("", 2, got, sizeof got), 2);
  CHECK_EQ_STR(got, "twinscale: config check: missing the CONFIG file (see twinscale config check --help)\n");
}

static void normalised_output_checks_again(void) {
  char first[8192], second[8192], arg[1024];
  snprintf(arg, sizeof arg, "'%s'", TW_SOURCE_DIR "/configs/example.yaml");
  CHECK_EQ_INT(run_check(arg, 1, first, sizeof first), 0);
  CHECK(strncmp(first, "kind: example\nname: demo run\nenabled: true\n", 43) == 0);
  /* The tagged union prints its tag first; lists of numbers print in flow style. */
  CHECK(strstr(first, "\ndistribution:\n  kind: lognormal\n  median: 70\n  cv: 0.2\n") != NULL);
  CHECK(strstr(first, "\n  - kind: empirical\n    values: [1.2, 1.5, 2]\n") != NULL);
  CHECK(strstr(first, "\n  correlation_row: [1, 0.5, 0]\n") != NULL);
  const char *path = TW_BINARY_DIR "/config_cli_normalised.yaml";
  FILE *f = fopen(path, "wb");
  CHECK(f != NULL);
  fputs(first, f);
  fclose(f);
  snprintf(arg, sizeof arg, "'%s'", path);
  CHECK_EQ_INT(run_check(arg, 1, second, sizeof second), 0);
  CHECK_EQ_STR(second, first);
  remove(path);
}

int main(void) {
  TW_TEST_RUN(one_line_errors);
  TW_TEST_RUN(too_large);
  TW_TEST_RUN(usage_error);
  TW_TEST_RUN(normalised_output_checks_again);
  return TW_TEST_RESULT();
}
