/*
** test_options.c: the option parser of every command (src/cli/options.c),
** called directly (unit label).
**
** One table with every kind (flag, string, int, number, list, choice, ints)
** is parsed in both value forms (`--name VALUE`, `--name=VALUE`) and the short
** form, with positional arguments mixed in and after `--`. Then every error,
** each checked for its exit status 2 and its exact one-line message on stderr:
** a missing value, a value for a flag, a repeated option, out of range, "12x",
** blanks, hex and overflow in numbers, a word that is not a choice, bad
** comma lists, unknown options, too many and too few positional arguments, a
** required option left out. tw_cli_wants_help is checked to stop at `--`.
*/
#include <stdio.h>  /* tmpfile, fread */
#include <string.h> /* strcmp */
#include <unistd.h> /* dup, dup2 */

#include "cli/cli.h"     /* tw_cli_wants_help */
#include "cli/options.h" /* the parser under test */
#include "tw_test.h"

/* Where each option of the table lands. */
typedef struct vals {
  int flag, color;
  const char *name;
  int64_t count, big;
  double rate;
  tw_opt_list set;
  tw_opt_ints sizes;
  const char *pos[2];
  int n_pos;
  char err[1024]; /* what the parser printed on stderr */
} vals;

static const char *const colors[] = {"red", "green", "blue", NULL};

/* Sends stderr to a temporary file until capture_end, which copies what was
** written there into err. */
static FILE *capture_begin(int *saved) {
  fflush(stderr);
  FILE *tmp = tmpfile();
  *saved = dup(2);
  if (tmp && *saved >= 0 && dup2(fileno(tmp), 2) >= 0) return tmp;
  if (tmp) fclose(tmp);
  return NULL;
}

static void capture_end(FILE *tmp, int saved, char *err, size_t size) {
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  rewind(tmp);
  err[fread(err, 1, size - 1, tmp)] = '\0';
  fclose(tmp);
}

/* Parses argv against a table of every kind, stderr kept in v->err. */
static int parse_capturing(vals *v, int argc, char **argv, int min_pos) {
  const tw_opt opts[] = {
      {.name = "flag", .short_name = 'f', .kind = TW_OPT_FLAG, .dest = &v->flag},
      {.name = "name", .short_name = 'n', .kind = TW_OPT_STRING, .dest = &v->name},
      {.name = "count", .short_name = 'c', .kind = TW_OPT_INT, .dest = &v->count, .min = 1, .max = 100},
      {.name = "big", .kind = TW_OPT_INT, .dest = &v->big, .min = 0, .max = 0x1p63},
      {.name = "rate", .kind = TW_OPT_NUMBER, .dest = &v->rate, .min = 0, .max = 1},
      {.name = "set", .kind = TW_OPT_LIST, .dest = &v->set},
      {.name = "color", .kind = TW_OPT_CHOICE, .dest = &v->color, .choices = colors},
      {.name = "sizes", .kind = TW_OPT_INTS, .dest = &v->sizes, .min = 1, .max = 1000},
  };
  int saved;
  FILE *tmp = capture_begin(&saved);
  if (!tmp) return -1;
  int rc = tw_opts_parse("test cmd", opts, TW_ARRAY_LEN(opts), argc, argv, "the FILE", v->pos, min_pos, 2, &v->n_pos);
  capture_end(tmp, saved, v->err, sizeof v->err);
  return rc;
}

#define ARGC(...) ((int)(sizeof((char *[]){__VA_ARGS__}) / sizeof(char *)))
/* Parses the arguments into *v (fresh: defaults color 0, count 42, rate 0.5). */
#define PARSE(v, ...) (*(v) = (vals){.count = 42, .rate = 0.5}, parse_capturing((v), ARGC(__VA_ARGS__), (char *[]){__VA_ARGS__}, 0))

/* The arguments fail with exit 2 and exactly "twinscale: test cmd: <msg>\n". */
#define REFUSED(msg, ...)                                      \
  do {                                                         \
    vals r_;                                                   \
    CHECK_EQ_INT(PARSE(&r_, __VA_ARGS__), 2);                  \
    CHECK_EQ_STR(r_.err, "twinscale: test cmd: " msg "\n");    \
  } while (0)

static void every_kind_space_form(void) {
  vals v;
  CHECK_EQ_INT(PARSE(&v, "--flag", "--name", "N", "--count", "5", "--rate", "0.25", "--set", "a=1", "file1", "--set",
                     "b.c=x=y", "--color", "blue", "--sizes", "1,20,300", "--big", "9223372036854775807"),
               0);
  CHECK_EQ_STR(v.err, "");
  CHECK_EQ_INT(v.flag, 1);
  CHECK_EQ_STR(v.name, "N");
  CHECK_EQ_INT(v.count, 5);
  CHECK_NEAR(v.rate, 0.25, 0.0);
  CHECK_EQ_INT(v.set.n, 2);
  CHECK_EQ_STR(v.set.items[0], "a=1");
  CHECK_EQ_STR(v.set.items[1], "b.c=x=y");
  CHECK_EQ_INT(v.color, 2);
  CHECK_EQ_INT(v.sizes.n, 3);
  CHECK(v.sizes.v[0] == 1 && v.sizes.v[1] == 20 && v.sizes.v[2] == 300);
  CHECK(v.big == INT64_MAX);
  CHECK_EQ_INT(v.n_pos, 1);
  CHECK_EQ_STR(v.pos[0], "file1");
}

static void every_kind_equals_form(void) {
  vals v;
  CHECK_EQ_INT(PARSE(&v, "--name=N=M", "--count=7", "--rate=1e-1", "--set=k=v", "--color=red", "--sizes=1000",
                     "--big=0", "p"),
               0);
  CHECK_EQ_STR(v.name, "N=M"); /* split at the first '=' */
  CHECK_EQ_INT(v.count, 7);
  CHECK_NEAR(v.rate, 0.1, 0.0);
  CHECK_EQ_INT(v.set.n, 1);
  CHECK_EQ_STR(v.set.items[0], "k=v");
  CHECK_EQ_INT(v.color, 0);
  CHECK(v.sizes.n == 1 && v.sizes.v[0] == 1000);
  CHECK(v.big == 0);
  CHECK_EQ_INT(v.flag, 0);
  /* an empty value in the = form is a value: a string may be empty, a number not */
  CHECK_EQ_INT(PARSE(&v, "--name="), 0);
  CHECK_EQ_STR(v.name, "");
  REFUSED("--count must be a whole number from 1 to 100, got ''", "--count=");
}

static void short_forms_defaults_and_positionals(void) {
  vals v;
  CHECK_EQ_INT(PARSE(&v, "p1", "-f", "-n", "x", "-c", "9", "p2"), 0);
  CHECK(v.flag == 1 && !strcmp(v.name, "x") && v.count == 9);
  CHECK(v.n_pos == 2 && !strcmp(v.pos[0], "p1") && !strcmp(v.pos[1], "p2"));
  /* absent options keep what dest held; "-" alone is a positional argument */
  CHECK_EQ_INT(PARSE(&v, "-"), 0);
  CHECK(v.count == 42 && v.rate == 0.5 && v.color == 0 && v.name == NULL && v.set.n == 0 && v.sizes.n == 0);
  CHECK(v.n_pos == 1 && !strcmp(v.pos[0], "-"));
  /* a negative number is a value, not an option ("-3": whole_numbers_strict) */
}

static void double_dash_ends_options(void) {
  vals v;
  CHECK_EQ_INT(PARSE(&v, "-f", "--", "--count", "-x"), 0);
  CHECK_EQ_INT(v.flag, 1);
  CHECK_EQ_INT(v.count, 42);
  CHECK(v.n_pos == 2 && !strcmp(v.pos[0], "--count") && !strcmp(v.pos[1], "-x"));
  CHECK_EQ_INT(PARSE(&v, "--", "--"), 0); /* a second -- is an argument */
  CHECK(v.n_pos == 1 && !strcmp(v.pos[0], "--"));
}

static void values_missing_or_unwanted(void) {
  REFUSED("--count needs a value", "--count");
  REFUSED("-n needs a value", "-n");
  REFUSED("--name needs a value", "--name", "--flag"); /* an option where the value should be */
  REFUSED("--name needs a value", "--name", "--");
  REFUSED("--flag takes no value", "--flag=1");
  REFUSED("--flag takes no value", "--flag=");
}

static void repeated_options(void) {
  REFUSED("--count given twice", "--count", "1", "--count=2");
  REFUSED("--count given twice", "-c", "1", "--count", "1");
  REFUSED("--flag given twice", "--flag", "-f");
  REFUSED("--color given twice", "--color", "red", "--color", "red");
  REFUSED("--sizes given twice", "--sizes", "1", "--sizes", "2");
  vals v;
  char *many[TW_OPT_LIST_MAX * 2 + 2];
  for (int i = 0; i < TW_OPT_LIST_MAX + 1; ++i) many[2 * i] = "--set", many[2 * i + 1] = "k=v";
  CHECK_EQ_INT(parse_capturing(&v, 2 * TW_OPT_LIST_MAX, many, 0), 0); /* a list: 64 times is fine */
  CHECK_EQ_INT(v.set.n, TW_OPT_LIST_MAX);
  CHECK_EQ_INT(parse_capturing(&v, 2 * TW_OPT_LIST_MAX + 2, many, 0), 2);
  CHECK_EQ_STR(v.err, "twinscale: test cmd: --set given more than 64 times\n");
}

/* Each of bad[] given to --opt fails with "--opt must be <what>, got '<bad>'". */
static void refused_values(const char *opt, const char *what, const char *const *bad, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    char want[256];
    vals v;
    snprintf(want, sizeof want, "twinscale: test cmd: %s must be %s, got '%s'\n", opt, what, bad[i]);
    CHECK_EQ_INT(PARSE(&v, (char *)opt, (char *)bad[i]), 2);
    CHECK_EQ_STR(v.err, want);
  }
}

static void whole_numbers_strict(void) {
  static const char *const bad_count[] = {"101", "0", "12x", " 5", "5 ", "0x10", "1e1", "2.0", "+", "", "-3"};
  refused_values("--count", "a whole number from 1 to 100", bad_count, TW_ARRAY_LEN(bad_count));
  static const char *const bad_big[] = {"9223372036854775808", "99999999999999999999", "-99999999999999999999", "-1"};
  refused_values("--big", "a whole number from 0 to 9223372036854775807", bad_big, TW_ARRAY_LEN(bad_big));
  vals v;
  CHECK_EQ_INT(PARSE(&v, "--count", "+100"), 0);
  CHECK_EQ_INT(v.count, 100);
  CHECK_EQ_INT(PARSE(&v, "--count", "007"), 0); /* base 10, not octal */
  CHECK_EQ_INT(v.count, 7);
}

static void numbers_strict(void) {
  static const char *const bad[] = {"1.5", "-0.1", "0.5x", "nan", "inf", "1e999", "0x1p-2", ".", " 0.5", ""};
  refused_values("--rate", "a number from 0 to 1", bad, TW_ARRAY_LEN(bad));
  vals v;
  CHECK_EQ_INT(PARSE(&v, "--rate", "1"), 0); /* the bounds are inside */
  CHECK_NEAR(v.rate, 1.0, 0.0);
  CHECK_EQ_INT(PARSE(&v, "--rate", ".5e-1"), 0);
  CHECK_NEAR(v.rate, 0.05, 0.0);
}

static void choices_and_comma_lists(void) {
  REFUSED("--color must be red, green or blue, got 'pink'", "--color", "pink");
  REFUSED("--color must be red, green or blue, got 'Red'", "--color=Red");
  REFUSED("--color must be red, green or blue, got ''", "--color=");
  static const char *const bad[] = {"1,,2", "1,", ",1", "0", "1,1001", "1;2", "1, 2", "",
                                    "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"};
  refused_values("--sizes", "up to 16 comma-separated values, each a whole number from 1 to 1000", bad,
                 TW_ARRAY_LEN(bad));
  vals v;
  CHECK_EQ_INT(PARSE(&v, "--sizes", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"), 0);
  CHECK(v.sizes.n == 16 && v.sizes.v[15] == 16);
}

static void unknown_options(void) {
  REFUSED("unknown option '--bogus' (see twinscale test cmd --help)", "--bogus");
  REFUSED("unknown option '--coun' (see twinscale test cmd --help)", "--coun", "1"); /* no prefixes */
  REFUSED("unknown option '--count5' (see twinscale test cmd --help)", "--count5");
  REFUSED("unknown option '-z' (see twinscale test cmd --help)", "-z");
  REFUSED("unknown option '-c5' (see twinscale test cmd --help)", "-c5");
  REFUSED("unknown option '--help' (see twinscale test cmd --help)", "--help"); /* main.c answers --help */
}

static void positional_counts(void) {
  REFUSED("unexpected argument 'c' (see twinscale test cmd --help)", "a", "b", "c");
  REFUSED("unexpected argument '--x' (see twinscale test cmd --help)", "a", "--", "b", "--x");
  vals v;
  v = (vals){0};
  CHECK_EQ_INT(parse_capturing(&v, 0, (char *[]){NULL}, 1), 2);
  CHECK_EQ_STR(v.err, "twinscale: test cmd: missing the FILE (see twinscale test cmd --help)\n");
  CHECK_EQ_INT(parse_capturing(&v, 2, (char *[]){"-f", "--"}, 1), 2);
  CHECK_EQ_STR(v.err, "twinscale: test cmd: missing the FILE (see twinscale test cmd --help)\n");
  CHECK_EQ_INT(parse_capturing(&v, 1, (char *[]){"x"}, 1), 0);
}

/* tw_opts_parse_named and a required option, with stderr captured. */
static int parse_required(int argc, char **argv, const char **out, char *err, size_t size) {
  const tw_opt opts[] = {{.name = "out", .short_name = 'o', .kind = TW_OPT_STRING, .dest = out, .required = 1}};
  int saved;
  FILE *tmp = capture_begin(&saved);
  if (!tmp) return -1;
  int rc = tw_opts_parse_named("req", opts, 1, argc, argv);
  capture_end(tmp, saved, err, size);
  return rc;
}

static void required_and_named(void) {
  const char *out = NULL;
  char err[512];
  CHECK_EQ_INT(parse_required(0, (char *[]){NULL}, &out, err, sizeof err), 2);
  CHECK_EQ_STR(err, "twinscale: req: --out is required (see twinscale req --help)\n");
  CHECK_EQ_INT(parse_required(1, (char *[]){"x"}, &out, err, sizeof err), 2);
  CHECK_EQ_STR(err, "twinscale: req: unexpected argument 'x' (see twinscale req --help)\n");
  CHECK_EQ_INT(parse_required(2, (char *[]){"-o", "y.h5"}, &out, err, sizeof err), 0);
  CHECK_EQ_STR(out, "y.h5");
  CHECK_EQ_STR(err, "");
}

static void help_stops_at_double_dash(void) {
  CHECK(tw_cli_wants_help(2, (char *[]){"a", "--help"}));
  CHECK(tw_cli_wants_help(1, (char *[]){"-h"}));
  CHECK(!tw_cli_wants_help(2, (char *[]){"--", "--help"}));
  CHECK(!tw_cli_wants_help(2, (char *[]){"--helpme", "-hh"}));
  CHECK(!tw_cli_wants_help(0, (char *[]){NULL}));
}

int main(void) {
  TW_TEST_RUN(every_kind_space_form);
  TW_TEST_RUN(every_kind_equals_form);
  TW_TEST_RUN(short_forms_defaults_and_positionals);
  TW_TEST_RUN(double_dash_ends_options);
  TW_TEST_RUN(values_missing_or_unwanted);
  TW_TEST_RUN(repeated_options);
  TW_TEST_RUN(whole_numbers_strict);
  TW_TEST_RUN(numbers_strict);
  TW_TEST_RUN(choices_and_comma_lists);
  TW_TEST_RUN(unknown_options);
  TW_TEST_RUN(positional_counts);
  TW_TEST_RUN(required_and_named);
  TW_TEST_RUN(help_stops_at_double_dash);
  return TW_TEST_RESULT();
}
