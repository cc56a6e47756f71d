#!/usr/bin/env bash
# usage_lists_options.sh: every command's `--help` lists exactly the options its
# table accepts (ctest cli_usage_lists_options, unit label).
#
# usage: usage_lists_options.sh TWINSCALE SOURCE_DIR
#
# The option names are every `.name = "..."` and `.short_name = '.'` of the
# tables in src/cli/*.c, those of TW_CONFIG_OPTIONS (options.h) and every --name
# that a usage text mentions. For each command that `twinscale --help` lists and
# each of those names, the command accepts the option exactly when its usage
# text names it. "Accepts" is asked of the parser without running anything:
# `CMD --name --zz-none` fails either with "unknown option '--name'" (not in the
# table) or with a later error (a value missing, or --zz-none unknown). Also
# checks that `CMD --help` and `CMD -h` print the same usage, and that `--`
# stops the search for --help.
set -u
ts=$1
src=$2
fail=0

longs=$( (grep -ho '\.name = "[a-z0-9-]*"' "$src"/src/cli/*.c | sed 's/.*"\(.*\)"/\1/'
          sed -n '/define TW_CONFIG_OPTIONS/,/^$/p' "$src/src/cli/options.h" | grep -o '{"[a-z0-9-]*"' | tr -d '{"') |
        sort -u)
shorts=$( (grep -ho "\.short_name = '[a-zA-Z]'" "$src"/src/cli/*.c | sed "s/.*'\(.\)'/\1/"
           sed -n '/define TW_CONFIG_OPTIONS/,/^$/p' "$src/src/cli/options.h" | grep -o "\", '[a-zA-Z]'" | tr -dc 'a-zA-Z\n') |
         sort -u)
[ -n "$longs" ] || { echo "FAIL: found no option names in $src/src/cli"; exit 1; }

# The commands, one per line ("bench physio"), from the listing of `twinscale --help`.
commands=$("$ts" --help | sed -n '/^commands:/,/^$/p' | grep '^  ' | cut -c3-20 | sed 's/ *$//')
[ -n "$commands" ] || { echo "FAIL: twinscale --help lists no commands"; exit 1; }

# Every --name a usage text mentions joins the names, so an option the usage
# promises and no table has is caught too.
while IFS= read -r cmd; do
  # shellcheck disable=SC2086
  longs+=$'\n'$("$ts" $cmd --help | grep -o -- '--[a-z][a-z0-9-]*' | cut -c3-)
done <<<"$commands"
longs=$(sort -u <<<"$longs")

# accepts CMD OPT: 0 when the parser knows OPT ("--twins" or "-o").
accepts() {
  local err
  # shellcheck disable=SC2086 # $1 is the command's words
  err=$("$ts" $1 "$2" --zz-none 2>&1 >/dev/null)
  case "$err" in *"unknown option '$2'"*) return 1 ;; *"unknown option '--zz-none'"* | *"needs a value"*) return 0 ;; esac
  echo "FAIL: $1 $2 --zz-none: unexpected answer: $err"
  fail=1
  return 1
}

# check CMD USAGE OPT PATTERN: USAGE matches PATTERN exactly when CMD accepts OPT.
check() {
  local listed=0 accepted=0
  grep -Eq -- "$4" <<<"$2" && listed=1
  accepts "$1" "$3" && accepted=1
  [ $listed = $accepted ] || { echo "FAIL: $1: $3 listed in usage: $listed, accepted: $accepted"; fail=1; }
}

while IFS= read -r cmd; do
  # shellcheck disable=SC2086
  usage=$("$ts" $cmd --help) || { echo "FAIL: twinscale $cmd --help exits $?"; fail=1; }
  # shellcheck disable=SC2086
  [ "$("$ts" $cmd -h)" = "$usage" ] || { echo "FAIL: twinscale $cmd -h differs from --help"; fail=1; }
  case "$usage" in "usage: twinscale $cmd"*) ;; *) echo "FAIL: $cmd --help does not start with its usage line"; fail=1 ;; esac
  for name in $longs; do check "$cmd" "$usage" "--$name" "--$name([^a-z0-9-]|\$)"; done
  for s in $shorts; do check "$cmd" "$usage" "-$s" "(^|[[ ])-$s([] ,|]|\$)"; done
  echo "ok: $cmd"
done <<<"$commands"

# `--` ends the options: a --help after it is an argument, not a request for help.
err=$("$ts" version -- --help 2>&1 >/dev/null)
case "$err" in "twinscale: version: unexpected argument '--help'"*) ;; *) echo "FAIL: version -- --help: $err"; fail=1 ;; esac
exit $fail
