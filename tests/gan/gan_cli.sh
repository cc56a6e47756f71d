#!/bin/bash
# gan_cli.sh: `twinscale gan report` as a user runs it. On the mixed fixture it
# exits 0 and writes the JSON the issue gives (quality, diagnostic, privacy; and the quality against the holdout),
# whose every deterministic number equals SDMetrics' expected.json to 1e-9
# (read back with Python's json module); the same seed writes the same file,
# for 1 and 2 OpenMP threads too, another seed another DCRBaselineProtection. Bad input, each one line on
# stderr naming the file (and the column), exit status 2 and no JSON: a file
# that is not HDF5, a missing file, an HDF5 file that is not a cohort file, a
# synthetic cohort with other columns, a column of another kind, a boolean
# column (an HDF5 enum), an empty holdout, a missing option, --seeds negative
# or not a number, --html in a missing folder or equal to --json. The default
# 5 seeds add "seeds", "baselines" (each baseline number a mean, sd, min,
# max over 5 draws; bootstrap's NewRowSynthesis 0; the smoothed bootstrap's
# bandwidth one of the grid's) and "equal_privacy", whose every flag and
# verdict follows from those numbers by its rule; --seeds 0 writes the
# synthetic table's keys alone with the same numbers; --html writes a page
# holding the quality score.
# usage: gan_cli.sh TWINSCALE FIXTURE_DIR
set -u
bin=$1 fix=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
m=$fix/mixed

report() { "$bin" gan report --real "$1" --synthetic "$2" --holdout "$3" --json "$4" "${@:5}"; }
report "$m/real.h5" "$m/synthetic.h5" "$m/holdout.h5" "$tmp/q.json" > "$tmp/out" || fail "report on the mixed fixture"
grep -q "^quality 0\.9" "$tmp/out" || { cat "$tmp/out"; fail "the printed summary"; }
/usr/bin/python3 -s - "$tmp/q.json" "$m/expected.json" <<'PY' || fail "the JSON differs from SDMetrics'"
import json, sys
q, e = (json.load(open(p)) for p in sys.argv[1:3])
assert set(q) == {"quality", "holdout_quality", "diagnostic", "privacy", "seeds", "baselines", "equal_privacy"}, set(q)
assert list(q["baselines"]) == ["gaussian_copula", "bootstrap", "gaussian_copula_valid", "smoothed_bootstrap"]
sm = q["baselines"]["smoothed_bootstrap"]["smoothing"]
assert sm["bandwidth"] in (0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 6, 8) and sm["swap"] == 0.3, sm
# equal_privacy, recomputed: as private = mean NRS and DCRO at least the table's; beaten = quality above the max
ep, verdicts = q["equal_privacy"], {}
assert list(ep["baselines"]) == ["gaussian_copula_valid", "smoothed_bootstrap"], ep
for name, flags in ep["baselines"].items():
    bp, bq = q["baselines"][name]["privacy"], q["baselines"][name]
    as_private = all(bp[k]["mean"] >= q["privacy"][k] for k in ("new_row_synthesis", "dcr_overfitting_protection"))
    beaten = [q[k]["score"] > bq[k]["score"]["max"] for k in ("quality", "holdout_quality")]
    assert flags == {"as_private": as_private, "beaten": beaten[0], "beaten_against_holdout": beaten[1]}, (name, flags)
    verdicts[name] = (as_private, beaten)
for w, key in enumerate(("beats_baselines", "beats_baselines_against_holdout")):
    lost = any(a and not b[w] for a, b in verdicts.values())
    undecided = any(not a and not b[w] for a, b in verdicts.values())
    assert ep[key] == (False if lost else None if undecided else True), (key, ep[key], verdicts)
assert q["seeds"]["first"] == 0 and q["seeds"]["count"] == 5, q["seeds"]
assert q["seeds"]["dcr_baseline_protection"]["n"] == 5
assert q["seeds"]["dcr_baseline_protection"]["min"] <= q["privacy"]["dcr_baseline_protection"] <= q["seeds"]["dcr_baseline_protection"]["max"]
for name in ("gaussian_copula", "bootstrap", "gaussian_copula_valid", "smoothed_bootstrap"):
    bq = q["baselines"][name]
    assert set(bq) - {"smoothing"} == {"quality", "holdout_quality", "diagnostic", "privacy"}, set(bq)
    assert set(bq["quality"]["columns"]) == set(q["quality"]["columns"])
    assert len(bq["quality"]["pairs"]) == len(q["quality"]["pairs"])
    s = bq["quality"]["score"]
    assert set(s) == {"mean", "sd", "min", "max", "n"} and s["n"] == 5 and s["min"] <= s["mean"] <= s["max"], s
assert q["baselines"]["bootstrap"]["privacy"]["new_row_synthesis"]["max"] == 0
assert set(q["quality"]) == {"score", "column_shapes", "column_pair_trends", "columns", "pairs"}
assert set(q["privacy"]) == {"new_row_synthesis", "dcr_overfitting_protection", "dcr_baseline_protection"}
def same(a, b, what):
    ok = (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 1e-9)
    assert ok, (what, a, b)
for k in ("score", "column_shapes", "column_pair_trends"):
    same(q["quality"][k], e["quality"][k], k)
    same(q["holdout_quality"][k], e["holdout_quality"][k], "holdout_quality " + k)
assert q["quality"]["columns"] == {c: v for c, v in q["quality"]["columns"].items()}
for c, v in e["quality"]["columns"].items():
    assert q["quality"]["columns"][c]["metric"] == v["metric"], c
    same(q["quality"]["columns"][c]["score"], v["score"], c)
assert len(q["quality"]["pairs"]) == len(e["quality"]["pairs"])
for a, b in zip(q["quality"]["pairs"], e["quality"]["pairs"]):
    assert a["columns"] == b["columns"] and a["metric"] == b["metric"], (a, b)
    same(a["score"], b["score"], a["columns"])
for g in ("boundary_adherence", "category_adherence"):
    assert set(q["diagnostic"][g]) == set(e["diagnostic"][g]), g
    for c, v in e["diagnostic"][g].items():
        same(q["diagnostic"][g][c], v, c)
for k in ("new_row_synthesis", "dcr_overfitting_protection"):
    same(q["privacy"][k], e["privacy"][k], k)
b = e["privacy"]["dcr_baseline_protection"]
assert abs(q["privacy"]["dcr_baseline_protection"] - b["mean"]) <= 4 * b["sd"], (q["privacy"], b)
PY
OMP_NUM_THREADS=1 report "$m/real.h5" "$m/synthetic.h5" "$m/holdout.h5" "$tmp/q1.json" > /dev/null || fail "1 thread"
OMP_NUM_THREADS=2 report "$m/real.h5" "$m/synthetic.h5" "$m/holdout.h5" "$tmp/q2.json" > /dev/null || fail "2 threads"
cmp -s "$tmp/q1.json" "$tmp/q2.json" || fail "1 and 2 threads gave other files"
cmp -s "$tmp/q.json" "$tmp/q2.json" || fail "the same seed gave another file"
report "$m/real.h5" "$m/synthetic.h5" "$m/holdout.h5" "$tmp/q3.json" --seed 7 > /dev/null || fail "--seed 7"
cmp -s "$tmp/q.json" "$tmp/q3.json" && fail "--seed 7 gave the file of seed 0"
# --seeds 0: the JSON of the synthetic table alone, the same numbers; --html: the page holds the score
report "$m/real.h5" "$m/synthetic.h5" "$m/holdout.h5" "$tmp/q0.json" --seeds 0 --html "$tmp/r.html" > /dev/null ||
  fail "--seeds 0 --html"
/usr/bin/python3 -s - "$tmp/q0.json" "$tmp/q.json" <<'PY' || fail "--seeds 0 changed the synthetic table's numbers"
import json, sys
q0, q = (json.load(open(p)) for p in sys.argv[1:3])
assert set(q0) == {"quality", "holdout_quality", "diagnostic", "privacy"}, set(q0)
assert all(q0[k] == q[k] for k in q0)
PY
grep -q "<td>$(/usr/bin/python3 -s -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["quality"]["score"])' "$tmp/q.json")</td>" \
  "$tmp/r.html" || fail "report.html lacks the quality score"
echo "not HDF5" > "$tmp/notes.txt"

# refused NAME EXPECTED_TEXT ARGS...: exit 2, one line on stderr holding the text, no JSON
refused() {
  local name=$1 text=$2; shift 2
  "$bin" gan report "$@" > "$tmp/$name.out" 2> "$tmp/$name.err"
  local rc=$?
  [ "$rc" = 2 ] || { cat "$tmp/$name.err"; fail "$name: exit $rc, not 2"; }
  [ "$(wc -l < "$tmp/$name.err")" = 1 ] || { cat "$tmp/$name.err"; fail "$name: not one line"; }
  grep -qF -- "$text" "$tmp/$name.err" || { cat "$tmp/$name.err"; fail "$name: no '$text'"; }
  [ ! -e "$tmp/bad.json" ] && [ ! -e "$tmp/bad.json.partial" ] || fail "$name: a JSON was written"
  echo "$name: $(cat "$tmp/$name.err")"
}
refused not_hdf5 "notes.txt: not an HDF5 file" --real "$tmp/notes.txt" --synthetic "$m/synthetic.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json"
refused missing "nowhere.h5" --real "$tmp/nowhere.h5" --synthetic "$m/synthetic.h5" --holdout "$m/holdout.h5" \
  --json "$tmp/bad.json"
refused not_cohort "not a cohort file" --real "$m/real.h5" --synthetic "$fix/../io/h5py_written.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json"
refused other_columns "no column age_y" --real "$m/real.h5" --synthetic "$fix/edge/synthetic.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json"
refused extra_column "column all_missing" --real "$fix/edge/real.h5" --synthetic "$m/synthetic.h5" \
  --holdout "$fix/edge/holdout.h5" --json "$tmp/bad.json"
refused other_kind "column sex is continuous (float)" --real "$m/real.h5" --synthetic "$fix/bad/sex_float.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json"
refused boolean "holds neither numbers nor strings" --real "$fix/bad/bool.h5" --synthetic "$m/synthetic.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json"
refused empty "an empty table (0 rows)" --real "$m/real.h5" --synthetic "$m/synthetic.h5" \
  --holdout "$fix/bad/empty.h5" --json "$tmp/bad.json"
refused no_json "--json" --real "$m/real.h5" --synthetic "$m/synthetic.h5" --holdout "$m/holdout.h5"
refused seeds_negative "--seeds must be a whole number" --real "$m/real.h5" --synthetic "$m/synthetic.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json" --seeds -1
refused seeds_word "--seeds must be a whole number" --real "$m/real.h5" --synthetic "$m/synthetic.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json" --seeds five
refused html_folder "folder $tmp/nowhere is missing" --real "$m/real.h5" --synthetic "$m/synthetic.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json" --html "$tmp/nowhere/r.html"
refused html_is_json "the same path as --json" --real "$m/real.h5" --synthetic "$m/synthetic.h5" \
  --holdout "$m/holdout.h5" --json "$tmp/bad.json" --html "$tmp/bad.json"
echo "gan_cli: all checks passed"
