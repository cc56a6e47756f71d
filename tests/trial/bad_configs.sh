#!/usr/bin/env bash
# bad_configs.sh: `twinscale trial` refuses bad protocols at their place in the
# file (ctest trial_bad_configs; issue 8, "Bad input ... FILE:LINE:COL, exit 2").
#
#   bad_configs.sh TWINSCALE DIR OUTDIR
#
# Every DIR/*.yaml (tests/data/trial/bad) is a trial config with one mistake and
# a first line "# expect: LINE:COL: TEXT". For each, `twinscale trial FILE -o
# OUTDIR/results/NAME.h5` must exit 2 at once (under 20 s), print exactly one
# line on stderr, containing "FILE:LINE:COL: " and TEXT, nothing on stdout, and
# leave OUTDIR/results empty: no results file, no .partial, no summary.json, no
# report.html. The messages go to OUTDIR/NAME.err.
set -u
ts=$1
dir=$2
out=$3
fail=0
n=0

rm -rf "$out"
res=$out/results
mkdir -p "$res"
for cfg in "$dir"/*.yaml; do
  name=$(basename "$cfg" .yaml)
  expect=$(sed -n '1s/^# expect: //p' "$cfg")
  [ -n "$expect" ] || { echo "FAIL: $name: no '# expect: LINE:COL: TEXT' first line"; fail=1; continue; }
  where=${expect%%: *}       # LINE:COL
  text=${expect#*: }          # the message's words
  start=$SECONDS
  stdout=$(cd "$res" && timeout 20 "$ts" trial "$cfg" -o "$res/$name.h5" 2>"$out/$name.err")
  rc=$?
  err=$(cat "$out/$name.err")
  lines=$(wc -l <"$out/$name.err")
  echo "$name: exit $rc in $((SECONDS - start)) s: $err"
  [ "$rc" = 2 ] || { echo "FAIL: $name: exit $rc, expected 2"; fail=1; }
  [ "$lines" = 1 ] || { echo "FAIL: $name: $lines lines on stderr, expected 1"; fail=1; }
  [ -z "$stdout" ] || { echo "FAIL: $name: printed on stdout: $stdout"; fail=1; }
  case "$err" in
    *"$cfg:$where: "*) ;;
    *) echo "FAIL: $name: the message does not name $cfg:$where"; fail=1 ;;
  esac
  case "$err" in
    *"$text"*) ;;
    *) echo "FAIL: $name: the message does not say '$text'"; fail=1 ;;
  esac
  left=$(ls -A "$res")
  [ -z "$left" ] || { echo "FAIL: $name: left files behind: $left"; fail=1; rm -rf "${res:?}"/*; }
  n=$((n + 1))
done
[ "$n" -ge 7 ] || { echo "FAIL: only $n bad configs in $dir"; fail=1; }
echo "$n bad configs, $([ $fail = 0 ] && echo all refused as expected || echo FAILED)"
exit $fail
