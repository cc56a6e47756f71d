/*
** options.c: the option parser (options.h), and the one-line usage error every
** command and the parser print (cli.h).
**
** Values are checked as they are read. A number must consist of number
** characters only (no blanks, no hex, no "inf") and goes through strtoll/strtod
** with the end pointer and errno checked, so "12x", "", " 5" and out-of-range
** values are errors rather than silently 12, 0, 5 or LLONG_MAX. Every message
** has the shape "<cmd>: --<option> must be <what>, got '<value>'".
*/
#include "cli/options.h"

#include <errno.h>  /* errno, ERANGE */
#include <math.h>   /* isfinite */
#include <stdarg.h> /* va_list for tw_cli_usage_error */
#include <stdio.h>  /* fprintf, snprintf */
#include <stdlib.h> /* strtoll, strtod */
#include <string.h> /* strcmp, strncmp, strchr, strspn */

#include "cli/cli.h" /* tw_cli_usage_error */

const char *const tw_opt_backends[] = {"auto", "cpu", "cuda", NULL};
const char *const tw_opt_backends_cpu_cuda[] = {"cpu", "cuda", NULL};

int tw_cli_usage_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "twinscale: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  return 2;
}

int tw_cli_wants_help(int argc, char **argv) {
  for (int i = 0; i < argc && strcmp(argv[i], "--"); ++i)
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
  return 0;
}

/* The option `arg` names ("--twins", "--twins=5", "-o"), or NULL. */
static const tw_opt *find(const tw_opt *opts, int n, const char *arg, const char **inline_value) {
  *inline_value = NULL;
  if (arg[0] == '-' && arg[1] == '-') {
    const char *name = arg + 2, *eq = strchr(name, '=');
    const size_t len = eq ? (size_t)(eq - name) : strlen(name);
    for (int i = 0; i < n; ++i)
      if (strlen(opts[i].name) == len && !strncmp(opts[i].name, name, len)) {
        if (eq) *inline_value = eq + 1;
        return &opts[i];
      }
    return NULL;
  }
  for (int i = 0; i < n; ++i)
    if (opts[i].short_name && arg[1] == opts[i].short_name && arg[2] == '\0') return &opts[i];
  return NULL;
}

/* A bound of an integer option as text: the int64_t limits exactly, not as the
** double 2^63 they round to. */
static const char *bound_text(double v, char *buf, size_t size) {
  if (v >= 0x1p63) snprintf(buf, size, "%lld", (long long)INT64_MAX);
  else if (v <= -0x1p63) snprintf(buf, size, "%lld", (long long)INT64_MIN);
  else snprintf(buf, size, "%.0f", v);
  return buf;
}

/* "a whole number from 1 to 16" for the messages of INT and INTS. */
static const char *int_range_text(const tw_opt *o, char *buf, size_t size) {
  char lo[32], hi[32];
  snprintf(buf, size, "a whole number from %s to %s", bound_text(o->min, lo, sizeof lo),
           bound_text(o->max, hi, sizeof hi));
  return buf;
}

/* s, all of it, as a whole number in [min, max] of o. */
static int parse_int(const tw_opt *o, const char *s, const char *end_of_s, int64_t *out) {
  const size_t len = (size_t)(end_of_s - s);
  if (len == 0 || strspn(s, "+-0123456789") < len) return 0;
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  if (end != end_of_s || errno == ERANGE || (double)x < o->min || (double)x > o->max) return 0;
  *out = x;
  return 1;
}

static int store_int(const char *cmd, const tw_opt *o, const char *v) {
  char what[96];
  if (!parse_int(o, v, v + strlen(v), o->dest))
    return tw_cli_usage_error("%s: --%s must be %s, got '%s'", cmd, o->name, int_range_text(o, what, sizeof what), v);
  return 0;
}

static int store_number(const char *cmd, const tw_opt *o, const char *v) {
  char *end = NULL;
  errno = 0;
  const int chars_ok = *v && strspn(v, "+-.0123456789eE") == strlen(v);
  const double x = chars_ok ? strtod(v, &end) : 0.0;
  if (!chars_ok || *end || errno == ERANGE || !isfinite(x) || x < o->min || x > o->max)
    return tw_cli_usage_error("%s: --%s must be a number from %g to %g, got '%s'", cmd, o->name, o->min, o->max, v);
  *(double *)o->dest = x;
  return 0;
}

/* "--backend must be auto, cpu or cuda, got 'gpu'". */
static int store_choice(const char *cmd, const tw_opt *o, const char *v) {
  int n = 0;
  while (o->choices[n] && strcmp(o->choices[n], v)) ++n;
  if (o->choices[n]) {
    *(int *)o->dest = n;
    return 0;
  }
  char words[256] = "";
  for (int i = 0; o->choices[i]; ++i)
    snprintf(words + strlen(words), sizeof words - strlen(words), "%s%s", i == 0 ? "" : o->choices[i + 1] ? ", " : " or ",
             o->choices[i]);
  return tw_cli_usage_error("%s: --%s must be %s, got '%s'", cmd, o->name, words, v);
}

static int store_ints(const char *cmd, const tw_opt *o, const char *v) {
  tw_opt_ints *l = o->dest, got = {.n = 0};
  for (const char *s = v; got.n < TW_OPT_INTS_MAX; ++s) {
    const char *comma = strchr(s, ',');
    const char *end = comma ? comma : s + strlen(s);
    if (!parse_int(o, s, end, &got.v[got.n++])) break;
    if (!comma) {
      *l = got;
      return 0;
    }
    s = comma;
  }
  char what[96];
  return tw_cli_usage_error("%s: --%s must be up to %d comma-separated values, each %s, got '%s'", cmd, o->name,
                            TW_OPT_INTS_MAX, int_range_text(o, what, sizeof what), v);
}

static int store_list(const char *cmd, const tw_opt *o, const char *v) {
  tw_opt_list *l = o->dest;
  if (l->n == TW_OPT_LIST_MAX)
    return tw_cli_usage_error("%s: --%s given more than %d times", cmd, o->name, TW_OPT_LIST_MAX);
  l->items[l->n++] = v;
  return 0;
}

static int store(const char *cmd, const tw_opt *o, const char *v, unsigned char *seen) {
  if (o->kind != TW_OPT_LIST && *seen) return tw_cli_usage_error("%s: --%s given twice", cmd, o->name);
  *seen = 1;
  switch (o->kind) {
    case TW_OPT_FLAG: *(int *)o->dest = 1; return 0;
    case TW_OPT_STRING: *(const char **)o->dest = v; return 0;
    case TW_OPT_INT: return store_int(cmd, o, v);
    case TW_OPT_NUMBER: return store_number(cmd, o, v);
    case TW_OPT_CHOICE: return store_choice(cmd, o, v);
    case TW_OPT_INTS: return store_ints(cmd, o, v);
    case TW_OPT_LIST: return store_list(cmd, o, v);
  }
  return tw_cli_usage_error("%s: --%s has an unknown kind %d", cmd, o->name, (int)o->kind);
}

/* One option at argv[*i] (advancing *i past a separate value). */
static int take_option(const char *cmd, const tw_opt *opts, int n_opts, int argc, char **argv, int *i,
                       unsigned char *seen) {
  const char *a = argv[*i], *value;
  const tw_opt *o = find(opts, n_opts, a, &value);
  if (!o) return tw_cli_usage_error("%s: unknown option '%s' (see twinscale %s --help)", cmd, a, cmd);
  if (o->kind == TW_OPT_FLAG && value) return tw_cli_usage_error("%s: --%s takes no value", cmd, o->name);
  if (o->kind != TW_OPT_FLAG && !value) {
    if (*i + 1 == argc || !strncmp(argv[*i + 1], "--", 2)) return tw_cli_usage_error("%s: %s needs a value", cmd, a);
    value = argv[++*i];
  }
  return store(cmd, o, value, &seen[o - opts]);
}

/* The first required option not given, as an error; 0 when all are there. */
static int check_required(const char *cmd, const tw_opt *opts, int n_opts, const unsigned char *seen) {
  for (int k = 0; k < n_opts; ++k)
    if (opts[k].required && !seen[k])
      return tw_cli_usage_error("%s: --%s is required (see twinscale %s --help)", cmd, opts[k].name, cmd);
  return 0;
}

int tw_opts_parse(const char *cmd, const tw_opt *opts, int n_opts, int argc, char **argv, const char *pos_name,
                  const char **pos, int min_pos, int max_pos, int *n_pos) {
  unsigned char seen[TW_OPTS_MAX] = {0};
  int only_positional = 0;
  *n_pos = 0;
  if (n_opts > TW_OPTS_MAX) return tw_cli_usage_error("%s: %d options, more than the parser's %d", cmd, n_opts, TW_OPTS_MAX);
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i];
    if (!only_positional && !strcmp(a, "--")) {
      only_positional = 1;
    } else if (only_positional || a[0] != '-' || a[1] == '\0') {
      if (*n_pos == max_pos)
        return tw_cli_usage_error("%s: unexpected argument '%s' (see twinscale %s --help)", cmd, a, cmd);
      pos[(*n_pos)++] = a;
    } else {
      int bad = take_option(cmd, opts, n_opts, argc, argv, &i, seen);
      if (bad) return bad;
    }
  }
  if (*n_pos < min_pos) return tw_cli_usage_error("%s: missing %s (see twinscale %s --help)", cmd, pos_name, cmd);
  return check_required(cmd, opts, n_opts, seen);
}

int tw_opts_parse_named(const char *cmd, const tw_opt *opts, int n_opts, int argc, char **argv) {
  int n_pos;
  return tw_opts_parse(cmd, opts, n_opts, argc, argv, "", NULL, 0, 0, &n_pos);
}
