#!/usr/bin/env bash
# report_chromium.sh: renders report.html in headless Chromium and checks that
# every figure is drawn (ctest trial_report_chromium, docs/report.md).
#
#   report_chromium.sh TEST_REPORT OUTDIR
#
# TEST_REPORT (tests/trial/test_report.c) writes two synthetic reports into
# OUTDIR and prints "NAME FIGURES" for each. For each report this script:
#   - fails on any external reference in the file (http://, https://, src=,
#     <link, url(, @import);
#   - renders it with `chromium --headless --dump-dom` (the page's inline
#     script runs on load and sets data-marks and data-drawn on every
#     figure.tw-fig: its data marks, and those with a non-empty box inside
#     their SVG);
#   - checks the rendered DOM has exactly FIGURES figures, each with
#     data-drawn > 0 and data-drawn == data-marks;
#   - takes a screenshot (OUTDIR/NAME.png, 1200 x 3000) for a person to look at.
# Without a chromium executable it exits 77 (ctest: skipped), saying so;
# scripts/setup.sh installs Debian's chromium.
set -euo pipefail

test_report=$1
out=$2

chromium_bin=""
for c in chromium chromium-browser google-chrome; do
  if command -v "$c" >/dev/null 2>&1; then chromium_bin=$(command -v "$c"); break; fi
done
if [[ -z "$chromium_bin" ]]; then
  echo "SKIP: no chromium executable: the rendering of report.html is not checked (scripts/setup.sh installs chromium)"
  exit 77
fi

rm -rf "$out"
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

chromium_run() {
  # A fresh profile, no network use beyond what the page asks (it asks none);
  # stderr (dbus noise in containers) kept in a log.
  timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$profile" --virtual-time-budget=5000 "$@" 2>>"$out/chromium.log"
}

fail=0
check_report() {
  local name=$1 figures=$2 html="$out/$1" dom="$out/$1.dom"
  local bad
  for bad in 'http://' 'https://' 'src=' '<link' 'url(' '@import'; do
    if grep -qiF -- "$bad" "$html"; then
      echo "FAIL: $name: external reference '$bad':"; grep -noiF -- "$bad" "$html" | head -3; fail=1
    fi
  done
  chromium_run --dump-dom "file://$html" >"$dom"
  # One line per figure: "id marks drawn" (attribute order as the DOM writes it).
  grep -o '<figure [^>]*>' "$dom" | sed -E 's/.*id="([^"]*)".*data-marks="([0-9]+)" data-drawn="([0-9]+)".*/\1 \2 \3/' \
    >"$out/$name.figures"
  local n
  n=$(grep -c '<figure class="tw-fig"' "$dom" || true)
  if [[ "$n" != "$figures" ]]; then echo "FAIL: $name: $n figures rendered, $figures expected"; fail=1; fi
  local id marks drawn
  while read -r id marks drawn; do
    if [[ ! "$marks" =~ ^[0-9]+$ || ! "$drawn" =~ ^[0-9]+$ ]]; then
      echo "FAIL: $name: a figure has no data-marks/data-drawn (the script did not run): $id $marks $drawn"; fail=1
    elif ((drawn == 0 || drawn != marks)); then
      echo "FAIL: $name: figure $id draws $drawn of its $marks marks"; fail=1
    else
      echo "ok: $name: figure $id: $drawn of $marks marks drawn"
    fi
  done <"$out/$name.figures"
  if [[ $(wc -l <"$out/$name.figures") != "$figures" ]]; then
    echo "FAIL: $name: $(wc -l <"$out/$name.figures") figures with counts, $figures expected"; fail=1
  fi
  chromium_run --hide-scrollbars --window-size=1200,3000 --screenshot="$out/$name.png" "file://$html" >/dev/null
  [[ -s "$out/$name.png" ]] || { echo "FAIL: $name: no screenshot"; fail=1; }
}

"$test_report" "$out" >"$out/reports.txt"
while read -r name figures; do check_report "$name" "$figures"; done <"$out/reports.txt"
[[ -s "$out/reports.txt" ]] || { echo "FAIL: $test_report wrote no report"; fail=1; }
exit $fail
