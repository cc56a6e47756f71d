/*
** options.c: the option parser (options.h).
**
** Values are checked as they are read. Numbers go through strtoll/strtod with
** the end pointer and errno checked, so "12x", "" and out-of-range values are
** errors rather than silently 12, 0 or LLONG_MAX.
*/
#include "cli/options.h"

#include <errno.h>  /* errno, ERANGE */
#include <math.h>   /* isfinite */
#include <stdlib.h> /* strtoll, strtod */
#include <string.h> /* strcmp, strncmp, strchr */

#include "cli/cli.h" /* tw_cli_usage_error */

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

static int store_number(const char *cmd, const tw_opt *o, const char *v) {
  char *end;
  errno = 0;
  if (o->kind == TW_OPT_INT) {
    long long x = strtoll(v, &end, 10);
    if (end == v || *end || errno == ERANGE || x < o->min || x > o->max)
      return tw_cli_usage_error("%s: --%s wants a whole number from %.0f to %.0f, not '%s'", cmd, o->name, o->min,
                                o->max, v);
    *(int64_t *)o->dest = x;
    return 0;
  }
  double x = strtod(v, &end);
  if (end == v || *end || errno == ERANGE || !isfinite(x) || x < o->min || x > o->max)
    return tw_cli_usage_error("%s: --%s wants a number from %g to %g, not '%s'", cmd, o->name, o->min, o->max, v);
  *(double *)o->dest = x;
  return 0;
}

static int store(const char *cmd, const tw_opt *o, const char *v, unsigned char *seen) {
  if (o->kind != TW_OPT_LIST && *seen) return tw_cli_usage_error("%s: --%s given twice", cmd, o->name);
  *seen = 1;
  switch (o->kind) {
    case TW_OPT_FLAG: *(int *)o->dest = 1; return 0;
    case TW_OPT_STRING: *(const char **)o->dest = v; return 0;
    case TW_OPT_LIST: {
      tw_opt_list *l = o->dest;
      if (l->n == TW_OPT_LIST_MAX) return tw_cli_usage_error("%s: --%s given more than %d times", cmd, o->name, TW_OPT_LIST_MAX);
      l->items[l->n++] = v;
      return 0;
    }
    default: return store_number(cmd, o, v);
  }
}

int tw_opts_parse(const char *cmd, const tw_opt *opts, int n_opts, int argc, char **argv, const char *pos_name,
                  const char **pos, int min_pos, int max_pos, int *n_pos) {
  unsigned char seen[64] = {0};
  int only_positional = 0;
  *n_pos = 0;
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i], *value;
    if (only_positional || a[0] != '-' || a[1] == '\0') {
      if (*n_pos == max_pos)
        return tw_cli_usage_error("%s: unexpected argument '%s' (see twinscale %s --help)", cmd, a, cmd);
      pos[(*n_pos)++] = a;
      continue;
    }
    if (!strcmp(a, "--")) {
      only_positional = 1;
      continue;
    }
    const tw_opt *o = find(opts, n_opts, a, &value);
    if (!o) return tw_cli_usage_error("%s: unknown option '%s' (see twinscale %s --help)", cmd, a, cmd);
    if (o->kind == TW_OPT_FLAG && value) return tw_cli_usage_error("%s: --%s takes no value", cmd, o->name);
    if (o->kind != TW_OPT_FLAG && !value) {
      if (i + 1 == argc) return tw_cli_usage_error("%s: %s needs a value", cmd, a);
      value = argv[++i];
    }
    int bad = store(cmd, o, value, &seen[(o - opts) % 64]);
    if (bad) return bad;
  }
  if (*n_pos < min_pos) return tw_cli_usage_error("%s: missing %s (see twinscale %s --help)", cmd, pos_name, cmd);
  return 0;
}
