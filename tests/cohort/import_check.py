#!/usr/bin/python3 -s
"""import_check.py: checks of `twinscale cohort import` (ctest cohort_import_cli).

    import_check.py scan FIXTURE_DIR SALT FILE...
        Looks for identifying text of a Synthea fixture in output files. Needles:
        every Id, SSN, DRIVERS, PASSPORT, PREFIX, FIRST, MIDDLE, LAST, SUFFIX,
        MAIDEN, BIRTHPLACE, ADDRESS, CITY, STATE, COUNTY, FIPS, ZIP, LAT, LON and
        BIRTHDATE of FIXTURE_DIR/patients.csv (each line of a multi-line value
        too), every Address survey answer (LOINC 56799-0) of observations.csv,
        and SALT; each also upper-cased. A needle shorter than 4 bytes is
        dropped (it would match by chance in binary data), as in
        tests/cohort/test_synthea.c. Each FILE is scanned as raw bytes, and an
        HDF5 file also as the text `h5dump` prints of it (every dataset and
        attribute decoded). Exit 1 when a needle is found.

    import_check.py expected H5 EXPECTED_CSV
        The imported cohort against validation/synthea_expected.py's table of
        the same fixture and salt: the pseudonyms in order, ages (1e-12
        relative), sex, conditions, deceased; every value the table has is in
        the file unchanged with its /cohort/imputed flag 0, every value it lacks
        is flagged 1.

    import_check.py impute TWINSCALE WORKDIR
        Writes a person CSV and two import configs into WORKDIR, runs the
        command on them and checks each imputed value against this script's own
        computation (Python's statistics.NormalDist, its own linear algebra)
        to 1e-9 relative: (A) a two-variable normal copula, where the imputed
        value has the closed form mu_m + sd_m rho (x_o - mu_o) / sd_o; (B) a
        five-variable copula with sex, truncated normal, log-normal and uniform
        marginals, values outside a truncation (clamped), height derived from
        weight and bmi, weight from height and bmi, and a covariate without a
        marginal (not written).
"""
import csv
import math
import os
import subprocess
import sys
from statistics import NormalDist

STD = NormalDist()
U_MIN = 1e-6  # TW_IMPUTE_U_MIN (src/cohort/import.h)
SALT = "import-check-salt-0123456789"
VARS = ["age_y", "weight_kg", "height_cm", "bmi", "hba1c_percent", "glucose_mg_dl", "egfr"]


# ---- reading HDF5 through h5dump ------------------------------------------------

def h5(path, dataset, floats=True):
    out = subprocess.run(["h5dump", "-A", "0", "-d", dataset, "-y", "-w", "0", "-m", "%.17g", path],
                         capture_output=True, text=True, check=True).stdout
    body = out[out.index("DATA {") + 6:]
    body = body[:body.index("}")]
    items = [s.strip().strip('"') for s in body.split(",") if s.strip()]
    return [float(s) for s in items] if floats else items


def h5_has(path, dataset):
    return subprocess.run(["h5dump", "-H", "-d", dataset, path], capture_output=True).returncode == 0


def close(a, b, rel):
    return abs(a - b) <= rel * max(abs(a), abs(b), 1e-300)


# ---- scan -----------------------------------------------------------------------

COLUMNS = ["Id", "SSN", "DRIVERS", "PASSPORT", "PREFIX", "FIRST", "MIDDLE", "LAST", "SUFFIX", "MAIDEN",
           "BIRTHPLACE", "ADDRESS", "CITY", "STATE", "COUNTY", "FIPS", "ZIP", "LAT", "LON", "BIRTHDATE"]


def add_needle(needles, value, what):
    for part in [value] + value.splitlines():
        for text in (part, part.upper()):
            if len(text.encode()) >= 4:
                needles[text.encode()] = what


def needles_of(fixture, salt):
    needles = {}
    with open(os.path.join(fixture, "patients.csv"), newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            for col in COLUMNS:
                add_needle(needles, row.get(col) or "", col)
    with open(os.path.join(fixture, "observations.csv"), newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["CODE"] == "56799-0":
                add_needle(needles, row["VALUE"], "Address answer (LOINC 56799-0)")
    add_needle(needles, salt, "the salt")
    return needles


def scan(fixture, salt, files):
    needles = needles_of(fixture, salt)
    hits = 0
    for path in files:
        data = open(path, "rb").read()
        views = [("bytes", data)]
        if data[:8] == b"\x89HDF\r\n\x1a\n":
            views.append(("h5dump", subprocess.run(["h5dump", path], capture_output=True, check=True).stdout))
        for how, text in views:
            for needle, what in needles.items():
                if needle in text:
                    print(f"{path} ({how}): {what} {needle.decode(errors='replace')!r}")
                    hits += 1
    print(f"scanned {len(files)} file(s) for {len(needles)} needles: {hits} hit(s)")
    return 1 if hits else 0


# ---- expected -------------------------------------------------------------------

def expected(path, table):
    rows = list(csv.DictReader(open(table, newline="")))
    bad = []
    ids = h5(path, "/cohort/id", floats=False)
    if ids != [r["person_id"] for r in rows]:
        bad.append(f"/cohort/id {ids} differs from {table}")
    for name, dataset in [("age_y", "/cohort/covariates/age_y"), ("sex", "/cohort/covariates/sex"),
                          ("deceased", "/cohort/deceased")] + \
            [(c, f"/cohort/conditions/{c}") for c in ("type1_diabetes", "type2_diabetes", "hypertension")]:
        got = h5(path, dataset)
        bad += [f"{dataset}[{i}] = {g}, expected {r[name]}" for i, (g, r) in enumerate(zip(got, rows))
                if not close(g, float(r[name]), 1e-12)]
    for v in VARS[1:]:
        got, flag = h5(path, f"/cohort/covariates/{v}"), h5(path, f"/cohort/imputed/{v}")
        for i, r in enumerate(rows):
            if r[v] == "" and flag[i] != 1:
                bad.append(f"{v}[{i}]: missing in the source, /cohort/imputed/{v} is {flag[i]}")
            if r[v] != "" and (flag[i] != 0 or not close(got[i], float(r[v]), 1e-12)):
                bad.append(f"{v}[{i}]: source {r[v]}, file {got[i]} flagged {flag[i]}")
    for b in bad:
        print("FAIL:", b)
    print(f"{len(rows)} persons against {table}: {len(bad)} difference(s)")
    return 1 if bad else 0


# ---- impute: the model, computed independently ------------------------------------

def untruncated(m):
    """CDF and quantile of a marginal {kind, a, b} on its own scale."""
    if m["kind"] == "normal":
        d = NormalDist(m["mean"], m["sd"])
        return d.cdf, d.inv_cdf
    if m["kind"] == "lognormal":
        s = math.sqrt(math.log1p(m["cv"] ** 2))
        return (lambda x: STD.cdf(math.log(x / m["median"]) / s) if x > 0 else 0.0,
                lambda u: m["median"] * math.exp(s * STD.inv_cdf(u)))
    lo, hi = m["lo"], m["hi"]
    return (lambda x: min(max((x - lo) / (hi - lo), 0.0), 1.0), lambda u: lo + u * (hi - lo))


def to_latent(m, x):
    cdf, _ = untruncated(m)
    flo = cdf(m["min"]) if "min" in m else 0.0
    fhi = cdf(m["max"]) if "max" in m else 1.0
    u = min(max((cdf(x) - flo) / (fhi - flo), 0.0), 1.0)
    return STD.inv_cdf(min(max(u, U_MIN), 1 - U_MIN)), not (U_MIN <= u <= 1 - U_MIN)


def from_latent(m, z):
    cdf, q = untruncated(m)
    flo = cdf(m["min"]) if "min" in m else 0.0
    fhi = cdf(m["max"]) if "max" in m else 1.0
    x = q(flo + STD.cdf(z) * (fhi - flo))
    return min(max(x, m.get("min", -math.inf)), m.get("max", math.inf))


def solve(a, b):
    """Gaussian elimination with partial pivoting: a x = b."""
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    x = [0.0] * n
    for r in reversed(range(n)):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def derive(x, flags):
    w, h, b = x.get("weight_kg"), x.get("height_cm"), x.get("bmi")
    if w is None and h is not None and b is not None:
        x["weight_kg"], flags["weight_kg"] = b * (h / 100) ** 2, 1
    if w is None:
        return
    if b is None and h is not None:
        x["bmi"], flags["bmi"] = w / (h / 100) ** 2, 1
    if h is None and b is not None:
        x["height_cm"], flags["height_cm"] = 100 * math.sqrt(w / b), 1


def impute(model, person):
    """The person's values and flags after imputation under model {marginals, sex_male, rho}."""
    x = {v: person[v] for v in VARS if person.get(v) is not None}
    flags = {v: 0 for v in VARS}
    derive(x, flags)
    known, z, missing = [], [], []
    for v in list(model["marginals"]) + (["sex"] if "sex_male" in model else []):
        if v == "sex":
            p = model["sex_male"]
            a = STD.inv_cdf(p)
            pdf = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
            known.append(v), z.append(-pdf / p if person["sex"] == "M" else pdf / (1 - p))
        elif v in x:
            known.append(v), z.append(to_latent(model["marginals"][v], x[v])[0])
        else:
            missing.append(v)
    r = lambda a, b: 1.0 if a == b else model["rho"].get((a, b), model["rho"].get((b, a), 0.0))  # noqa: E731
    w = solve([[r(a, b) for b in known] for a in known], z) if known else []
    for v in missing:
        x[v] = from_latent(model["marginals"][v], sum(r(v, k) * wk for k, wk in zip(known, w)))
        flags[v] = 1
    derive(x, flags)
    return x, flags


# Persons: (id, sex, age, weight, height, bmi, hba1c, glucose, egfr); None is an empty cell.
PERSONS = [
    ("P1", "M", 30, 85, 180, None, 7.0, 100, 100),
    ("P2", "F", 50, None, 160, None, None, None, 70),
    ("P3", "M", 70, None, None, None, 6.5, 120, None),
    ("P4", "F", 10, None, None, None, 8.0, None, 95),      # age below the age marginal's min: clamped
    ("P5", "M", 40, 90, None, 28, None, 140, None),       # height derived from weight and bmi
    ("P6", "F", 60, 200, None, None, 9.0, 150, None),      # weight above the marginal's max: clamped
    ("P7", "M", 25, None, None, None, None, None, None),
    ("P8", "F", 35, None, 165, 24, 7.5, None, 80),        # weight derived from height and bmi
]

MODEL_A = {"marginals": {"age_y": {"kind": "normal", "mean": 45, "sd": 15},
                         "egfr": {"kind": "normal", "mean": 90, "sd": 20}},
           "rho": {("age_y", "egfr"): -0.6}}
MODEL_B = {"marginals": {"age_y": {"kind": "normal", "mean": 45, "sd": 15, "min": 18, "max": 90},
                         "weight_kg": {"kind": "lognormal", "median": 78, "cv": 0.2, "min": 40, "max": 160},
                         "height_cm": {"kind": "normal", "mean": 170, "sd": 10},
                         "hba1c_percent": {"kind": "uniform", "lo": 5, "hi": 12},
                         "egfr": {"kind": "normal", "mean": 90, "sd": 20, "min": 15, "max": 150}},
           "sex_male": 0.4,
           "rho": {("age_y", "weight_kg"): 0.2, ("age_y", "height_cm"): -0.1, ("age_y", "egfr"): -0.6,
                   ("sex", "weight_kg"): 0.35, ("sex", "height_cm"): 0.6, ("weight_kg", "height_cm"): 0.45,
                   ("weight_kg", "egfr"): -0.05, ("height_cm", "egfr"): 0.05}}


def config_text(model, csv_name):
    keys = {"normal": ("mean", "sd"), "lognormal": ("median", "cv"), "uniform": ("lo", "hi")}
    lines = ["kind: import", f"source: {{person_csv: {csv_name}}}", "reference_date: 2024-06-30",
             "salt_env: TW_IMPORT_CHECK_SALT", "seed: 7", "covariates:"]
    for v, m in model["marginals"].items():
        fields = [f"kind: {m['kind']}"] + [f"{k}: {m[k]}" for k in keys[m["kind"]] + ("min", "max") if k in m]
        lines.append(f"  {v}: {{{', '.join(fields)}}}")
    if "sex_male" in model:
        lines.append(f"  sex_male: {model['sex_male']}")
    names = list(model["marginals"]) + (["sex"] if "sex_male" in model else [])
    names = [v for v in names if any(v in pair for pair in model["rho"])]
    lines += ["correlation:", f"  variables: [{', '.join(names)}]"]
    for a in names:
        row = [1.0 if a == b else model["rho"].get((a, b), model["rho"].get((b, a), 0.0)) for b in names]
        lines.append(f"  {a}: [{', '.join(str(v) for v in row)}]")
    lines.append("parameters: {reference: nearest}")
    return "\n".join(lines) + "\n"


def write_inputs(work):
    with open(os.path.join(work, "persons.csv"), "w", newline="") as f:
        f.write("person_id,sex,age_y," + ",".join(VARS[1:]) + "\n")
        for p in PERSONS:
            f.write(",".join("" if v is None else str(v) for v in p) + "\n")
    for name, model in (("a", MODEL_A), ("b", MODEL_B)):
        open(os.path.join(work, f"import-{name}.yaml"), "w").write(config_text(model, "persons.csv"))


def check_case(twinscale, work, name, model):
    env = dict(os.environ, TW_IMPORT_CHECK_SALT=SALT)
    out = os.path.join(work, f"{name}.h5")
    run = subprocess.run([twinscale, "cohort", "import", os.path.join(work, f"import-{name}.yaml"), "-o", out],
                         capture_output=True, text=True, env=env)
    print(run.stdout, end="")
    if run.returncode != 0:
        print(f"FAIL: case {name}: exit {run.returncode}: {run.stderr}")
        return 1
    bad, checked = [], 0
    persons = [dict(zip(["id", "sex"] + VARS, p)) for p in PERSONS]
    want = [impute(model, p) for p in persons]
    for v in VARS[1:]:
        complete = all(w[0].get(v) is not None for w in want)
        if complete != h5_has(out, f"/cohort/covariates/{v}"):
            bad.append(f"{v}: written {not complete}, expected {complete}")
            continue
        if not complete:
            if f"{v:<16} not written: missing for" not in run.stdout:
                bad.append(f"{v}: the summary does not say it is not written")
            continue
        got, flag = h5(out, f"/cohort/covariates/{v}"), h5(out, f"/cohort/imputed/{v}")
        for i, (x, flags) in enumerate(want):
            checked += flags[v]
            if flag[i] != flags[v] or not close(got[i], x[v], 1e-9):
                bad.append(f"{v} of {persons[i]['id']}: file {got[i]!r} (flag {flag[i]}), "
                           f"expected {x[v]!r} (flag {flags[v]})")
    if name == "a":  # the closed form of a two-variable normal copula
        for i, p in enumerate(persons):
            if p["egfr"] is None:
                closed = 90 + 20 * -0.6 * (p["age_y"] - 45) / 15
                got = h5(out, "/cohort/covariates/egfr")[i]
                checked += 1
                if not close(got, closed, 1e-9):
                    bad.append(f"egfr of {p['id']}: file {got!r}, closed form {closed!r}")
    for b in bad:
        print(f"FAIL: case {name}: {b}")
    print(f"case {name}: {checked} imputed values checked, {len(bad)} difference(s)")
    return 1 if bad or checked == 0 else 0


def impute_cases(twinscale, work):
    write_inputs(work)
    status = check_case(twinscale, work, "a", MODEL_A) | check_case(twinscale, work, "b", MODEL_B)
    stdout = subprocess.run([twinscale, "cohort", "import", os.path.join(work, "import-b.yaml"), "-o",
                             os.path.join(work, "b2.h5")], capture_output=True, text=True,
                            env=dict(os.environ, TW_IMPORT_CHECK_SALT=SALT)).stdout
    for v in ("age_y", "weight_kg"):  # P4's age and P6's weight are outside their truncation
        line = next((s for s in stdout.splitlines() if s.startswith(v + " ")), "")
        if "(1 clamped: beyond the marginal's range or 4.75 sd into its tail)" not in line:
            print(f"FAIL: case b: the summary row of {v} does not count one clamped value: {line!r}")
            status = 1
    return status


def main(argv):
    if len(argv) >= 5 and argv[1] == "scan":
        return scan(argv[2], argv[3], argv[4:])
    if len(argv) == 4 and argv[1] == "expected":
        return expected(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "impute":
        return impute_cases(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
